#!/usr/bin/env node
/**
 * bench/load: a 512×512×300 int16 CT series (~157 MB, 300 files) loaded through the file input in
 * headless Chromium, side by side in the same run with
 *   (a) the stock cornerstone3D path (fileManager + Part 10 metadata + streaming volume; bench/stock.ts)
 *   (b) the floor: reading every file's bytes (16 reads in flight).
 * Reports medians of N runs: time to full volume in memory, time to first image, and peak renderer
 * memory above the page's baseline (sum of RSS of Chromium renderer processes, sampled every 10 ms).
 *
 *   npx vite build && node bench/load.mjs [runs=5] [seriesDir]
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { median, repoRoot } from './lib.mjs';

const root = repoRoot;
const runs = +(process.argv[2] ?? 5);
const dir = process.argv[3] ?? '/tmp/sacroplan-bench/ct512x300';
if (!existsSync(join(root, 'dist', 'index.html'))) throw new Error('build first: npx vite build');
if (!existsSync(dir)) {
  await new Promise((res, rej) => spawn(process.execPath, [join(root, 'bench/make-series.mjs'), dir], { stdio: 'inherit' }).on('exit', (c) => (c ? rej(new Error('make-series failed')) : res())));
}
const files = readdirSync(dir).filter((n) => n.endsWith('.dcm')).map((n) => join(dir, n));
const totalBytes = files.reduce((a, f) => a + readFileSync(f).length, 0);
const volumeBytes = 512 * 512 * 300 * 2;

const port = 4300 + Math.floor(Math.random() * 500);
const server = spawn(process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), 'preview', '--host', '127.0.0.1', '--port', String(port), '--strictPort'], { cwd: root, stdio: 'ignore' });
const base = `http://127.0.0.1:${port}/`;
for (let t = 0; ; t++) {
  try { if ((await fetch(base)).ok) break; } catch { /* wait */ }
  if (t > 200) throw new Error('preview server did not start');
  await new Promise((r) => setTimeout(r, 100));
}
const browser = await chromium.launch({
  executablePath: process.env.SACROPLAN_CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--enable-precise-memory-info'],
});

function rendererRssBytes() {
  let sum = 0;
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!cmd.includes('--type=renderer')) continue;
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m) sum += +m[1] * 1024;
    } catch { /* process gone */ }
  }
  return sum;
}

async function measure(fn) {
  const baseline = rendererRssBytes();
  let peak = baseline;
  const timer = setInterval(() => { peak = Math.max(peak, rendererRssBytes()); }, 10);
  try {
    const result = await fn();
    peak = Math.max(peak, rendererRssBytes());
    return { ...result, peakAboveBaselineBytes: peak - baseline };
  } finally {
    clearInterval(timer);
  }
}

async function oursOnce() {
  const ctx = await browser.newContext({ viewport: { width: 1400, height: 860 } });
  const page = await ctx.newPage();
  await page.goto(base + '?demo=0' + (process.env.READERS ? `&readers=${process.env.READERS}` : ''));
  await page.evaluate(() => window.sacroplan.ready());
  const r = await measure(async () => {
    await page.setInputFiles('#file-input', files);
    await page.waitForTimeout(20);
    await page.evaluate(() => window.sacroplan.whenIdle());
    return page.evaluate(() => {
      const get = (n) => performance.getEntriesByName(n).at(-1)?.startTime ?? NaN;
      const s = get('sp:load-start');
      return { readMs: get('sp:files-read') - s, scanMs: get('sp:scan-done') - s, volumeMs: get('sp:volume-ready') - s, firstImageMs: get('sp:first-image') - s, dims: window.sacroplan.snapshot().series?.dims };
    });
  });
  await ctx.close();
  return r;
}

async function stockOnce(kind) {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await page.goto(base + 'bench/stock.html');
  await page.waitForFunction(() => typeof window.stockLoad === 'function');
  await page.setInputFiles('#files', files);
  const r = await measure(async () =>
    kind === 'floor'
      ? { volumeMs: await page.evaluate(() => window.readAll(Array.from(document.querySelector('#files').files))) }
      : page.evaluate(() => window.stockLoad(Array.from(document.querySelector('#files').files))),
  );
  await ctx.close();
  return r;
}

const results = { ours: [], stock: [], floor: [] };
for (let i = 0; i < runs; i++) {
  results.floor.push(await stockOnce('floor'));
  results.ours.push(await oursOnce());
  results.stock.push(await stockOnce('stock'));
  console.log(`run ${i + 1}: ours ${results.ours.at(-1).volumeMs.toFixed(0)} ms (files read+parsed ${results.ours.at(-1).readMs.toFixed(0)} ms, scan done ${results.ours.at(-1).scanMs.toFixed(0)} ms, first image ${results.ours.at(-1).firstImageMs.toFixed(0)} ms), stock ${results.stock.at(-1).volumeMs.toFixed(0)} ms, floor ${results.floor.at(-1).volumeMs.toFixed(0)} ms`);
}
const mb = (b) => (b / 2 ** 20).toFixed(0) + ' MiB';
const o = { volume: median(results.ours.map((r) => r.volumeMs)), first: median(results.ours.map((r) => r.firstImageMs)), mem: median(results.ours.map((r) => r.peakAboveBaselineBytes)) };
const s = { volume: median(results.stock.map((r) => r.volumeMs)), mem: median(results.stock.map((r) => r.peakAboveBaselineBytes)) };
const f = { volume: median(results.floor.map((r) => r.volumeMs)), mem: median(results.floor.map((r) => r.peakAboveBaselineBytes)) };
console.log(`\nseries: ${files.length} files, ${mb(totalBytes)}; volume ${mb(volumeBytes)}; dims ${results.ours[0].dims}`);
console.log(`medians of ${runs} runs:`);
console.log(`  SacroPlan: full volume ${o.volume.toFixed(0)} ms, first image ${o.first.toFixed(0)} ms, peak renderer memory +${mb(o.mem)} (${(o.mem / volumeBytes).toFixed(2)}× volume)`);
console.log(`  stock cornerstone: full volume ${s.volume.toFixed(0)} ms, peak +${mb(s.mem)} (${(s.mem / volumeBytes).toFixed(2)}× volume)`);
console.log(`  floor (read bytes): ${f.volume.toFixed(0)} ms, peak +${mb(f.mem)}`);
console.log(`  ratio SacroPlan / stock = ${(o.volume / s.volume).toFixed(2)}; SacroPlan / floor = ${(o.volume / f.volume).toFixed(2)}`);
await browser.close();
server.kill();
