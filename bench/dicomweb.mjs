#!/usr/bin/env node
/**
 * bench/dicomweb: the 512×512×300 CT series (bench/make-series.mjs, ~157 MB, 300 files) loaded in
 * headless Chromium (a) over DICOMweb from a private Orthanc on loopback through the preview
 * server's same-origin proxy (PACS panel: Load → image shown) and (b) the same files through the
 * file input. Alternating runs, fresh page each; medians. Orthanc is stopped at the end.
 *
 *   npx vite build && node bench/dicomweb.mjs [runs=5] [seriesDir]
 */
import { spawn } from 'node:child_process';
import { readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { median, repoRoot, loadTs } from './lib.mjs';

const runs = +(process.argv[2] ?? 5);
const dir = process.argv[3] ?? '/tmp/sacroplan-bench/ct512x300';
if (!existsSync(join(repoRoot, 'dist', 'index.html'))) throw new Error('build first: npx vite build');
if (!existsSync(dir)) {
  await new Promise((res, rej) => spawn(process.execPath, [join(repoRoot, 'bench/make-series.mjs'), dir], { stdio: 'inherit' }).on('exit', (c) => (c ? rej(new Error('make-series failed')) : res())));
}
const files = readdirSync(dir).filter((n) => n.endsWith('.dcm')).map((n) => join(dir, n));

const [{ startOrthanc, orthancUnavailableReason }] = await loadTs('/test/helpers/orthanc.ts');
const why = orthancUnavailableReason();
if (why) throw new Error(why);
const orthanc = await startOrthanc();
let server, browser;
try {
  const t0 = Date.now();
  await orthanc.upload(files);
  console.log(`Orthanc seeded with ${files.length} files in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

  const port = 4300 + Math.floor(Math.random() * 500);
  server = spawn(process.execPath, [join(repoRoot, 'node_modules/vite/bin/vite.js'), 'preview', '--host', '127.0.0.1', '--port', String(port), '--strictPort'], {
    cwd: repoRoot,
    env: { ...process.env, SACROPLAN_DICOMWEB_TARGET: orthanc.dicomweb },
    stdio: 'ignore',
  });
  const base = `http://127.0.0.1:${port}/`;
  for (let t = 0; ; t++) {
    try { if ((await fetch(base)).ok) break; } catch { /* wait */ }
    if (t > 200) throw new Error('preview server did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
  browser = await chromium.launch({
    executablePath: process.env.SACROPLAN_CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });

  const fresh = async () => {
    const ctx = await browser.newContext({ viewport: { width: 1400, height: 860 } });
    const page = await ctx.newPage();
    await page.goto(base + '?demo=0&scene=0');
    await page.evaluate(() => window.sacroplan.ready());
    return { ctx, page };
  };
  const pacsOnce = async () => {
    const { ctx, page } = await fresh();
    await page.click('sp-pacs-panel #pacs-toggle');
    await page.click('sp-pacs-panel #pacs-connect');
    await page.click('sp-pacs-panel #pacs-search');
    await page.locator('sp-pacs-panel li.pacs-study').first().click();
    const load = page.locator('sp-pacs-panel li.pacs-series button.pacs-load').first();
    await load.waitFor();
    const t = performance.now();
    await load.click();
    await page.waitForFunction(() => window.sacroplan.snapshot().series !== null, undefined, { timeout: 300_000 });
    await page.evaluate(() => window.sacroplan.whenIdle());
    const ms = performance.now() - t;
    const dims = (await page.evaluate(() => window.sacroplan.snapshot().series?.dims))?.join('×');
    const digest = await page.evaluate(() => window.sacroplan.voxelDigest()?.fnv1a);
    await ctx.close();
    return { ms, dims, digest };
  };
  const diskOnce = async () => {
    const { ctx, page } = await fresh();
    const t = performance.now();
    await page.setInputFiles('#file-input', files);
    await page.waitForTimeout(20);
    await page.evaluate(() => window.sacroplan.whenIdle());
    const ms = performance.now() - t;
    const digest = await page.evaluate(() => window.sacroplan.voxelDigest()?.fnv1a);
    await ctx.close();
    return { ms, digest };
  };

  const pacs = [], disk = [];
  for (let i = 0; i < runs; i++) {
    pacs.push(await pacsOnce());
    disk.push(await diskOnce());
    console.log(`run ${i + 1}: DICOMweb ${pacs.at(-1).ms.toFixed(0)} ms, disk ${disk.at(-1).ms.toFixed(0)} ms (${pacs.at(-1).dims}; same voxels: ${pacs.at(-1).digest === disk.at(-1).digest})`);
  }
  const p = median(pacs.map((r) => r.ms)), d = median(disk.map((r) => r.ms));
  console.log(`\n${files.length} files; medians of ${runs} runs, click/choose → image shown:`);
  console.log(`  DICOMweb (Orthanc on loopback, WADO-RS as stored, 6 in flight, via the preview proxy): ${p.toFixed(0)} ms`);
  console.log(`  the same files from disk (file input): ${d.toFixed(0)} ms`);
  console.log(`  ratio DICOMweb / disk = ${(p / d).toFixed(2)}`);
} finally {
  await browser?.close().catch(() => {});
  server?.kill();
  await orthanc.stop();
}
