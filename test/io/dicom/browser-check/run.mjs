#!/usr/bin/env node
/**
 * By-hand browser check of the DICOM loader + cornerstone FrameDecoder in headless Chromium:
 *   node node_modules/vite/bin/vite.js build --config test/io/dicom/browser-check/vite.config.mjs
 *   node test/io/dicom/browser-check/run.mjs            # decoder check (zoo lossless variants must match)
 *   node test/io/dicom/browser-check/run.mjs bench DIR  # scan+load timing and peak heap (e.g. bench/make-series.mjs output)
 */
import { spawn } from 'node:child_process';
import { chromium } from 'playwright-core';
import { readdirSync } from 'node:fs';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..', '..', '..');
const shared = process.env.SACROPLAN_SHARED ?? resolve(root, '..', 'shared');
const [mode = 'check', benchDir = '/tmp/sacroplan-bench/ct512x300'] = process.argv.slice(2);

const vite = spawn(process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), 'preview', '--config', join(here, 'vite.config.mjs')], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
vite.stderr.on('data', (d) => process.stderr.write(d));
const stopVite = () => vite.kill();
process.on('exit', stopVite);
// vite picks a free port when 5199 is taken: read the URL it prints.
const url = await new Promise((res, rej) => {
  let text = '';
  vite.stdout.on('data', (d) => {
    text += String(d);
    const m = /Local:\s+(http:\/\/127\.0\.0\.1:\d+\/)/.exec(text.replace(/\x1b\[[0-9;]*m/g, ''));
    if (m) res(m[1]);
  });
  setTimeout(() => { stopVite(); rej(new Error(`vite preview did not start: ${text}`)); }, 30000);
});
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--enable-precise-memory-info'] });
let failures = 0;
try {
  const open = async () => {
    const page = await browser.newPage();
    page.on('pageerror', (e) => console.log('pageerror:', e.message));
    await page.goto(url);
    await page.waitForFunction(() => window.ready === true, null, { timeout: 120000 });
    return page;
  };
  if (mode === 'bench') {
    const files = readdirSync(benchDir).filter((n) => n.endsWith('.dcm')).map((n) => join(benchDir, n));
    for (let run = 0; run < 5; run++) {
      const page = await open();
      await page.setInputFiles('#f', files);
      console.log(JSON.stringify(await page.evaluate(() => window.bench(32, 16))));
      await page.close();
    }
  } else {
    const zoo = join(shared, 'data', 'dicom-loader-zoo');
    const ct = readdirSync(join(zoo, 'ct-transfer-syntaxes')).map((n) => join(zoo, 'ct-transfer-syntaxes', n));
    const emr = readdirSync(join(zoo, 'enhanced-multiframe')).filter((n) => n.startsWith('emri_small')).map((n) => join(zoo, 'enhanced-multiframe', n));
    const mosaic = ['1.dcm', '4.dcm', '5.dcm', '6.dcm', '7.dcm', '8.dcm', '9.dcm'].map((n) => join(zoo, 'mr-mosaic-oblique-ts', 'In', n));
    const groups = [
      [ct, /_1\.2\.840\.10008\.1\.2\.1\.dcm$/, /(_1\.2\.840\.10008\.1\.2(\.2|\.1\.99|\.5|\.4\.57|\.4\.70|\.4\.80|\.4\.90)?\.dcm)$/],
      [emr, /emri_small\.dcm$/, /./],
      [mosaic, /\/1\.dcm$/, /./],
    ];
    for (const [files, refRe, losslessRe] of groups) {
      const page = await open();
      await page.setInputFiles('#f', files);
      const res = await page.evaluate(() => window.check());
      const ref = res.find((r) => r.name && refRe.test('/' + r.name));
      for (const r of res) {
        const path = files.find((f) => f.endsWith('/' + r.name)) ?? '';
        const mustMatch = r.name && losslessRe.test(path) && !r.status;
        const okr = !mustMatch || (r.hash === ref.hash && r.n === ref.n);
        if (!okr) failures++;
        console.log(`${okr ? 'ok  ' : 'FAIL'} ${JSON.stringify(r)}`);
      }
      await page.close();
    }
    const dir = join(shared, 'data', 'totalseg-example-ct', 'example_ct_dicom');
    const page = await open();
    await page.setInputFiles('#f', readdirSync(dir).map((n) => join(dir, n)));
    const res = await page.evaluate(() => window.check());
    const series = res.find((r) => r.series);
    const okS = series && series.dims[2] === 20 && series.min >= -1024 && series.max < 4000;
    if (!okS) failures++;
    console.log(`${okS ? 'ok  ' : 'FAIL'} example_ct_dicom ${JSON.stringify(series)}`);
  }
} finally {
  await browser.close();
  vite.kill();
}
console.log(failures ? `${failures} FAILURES` : 'ALL OK');
process.exit(failures ? 1 : 0);
