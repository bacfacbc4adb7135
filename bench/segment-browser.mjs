#!/usr/bin/env node
/**
 * bench/segment in the browser: one command, one run, same synthetic 512×512×300 volume
 * (bench/segment-scene.ts, 0.7×0.7×1 mm, int16, a 7.06 mL lytic lesion inside bone) for
 *   ours        regionGrow (default options) from the lesion centre, paintStroke step (30 mm brush,
 *               as diameter and as radius, 2 mm drag step), lesionStats, thresholdInBox
 *               (headless Chromium, bench/segment.html + bench/segment-page.ts)
 *   cornerstone @cornerstonejs/tools utilities.segmentation.thresholdVolumeByRange on a derived
 *               labelmap of the same volume, boundsIJK = box of our region-grow result padded by
 *               3 mm, same HU window (same page, same run)
 *   skimage     flood / binary_fill_holes / label + regionprops via /usr/bin/python3 on the same
 *               array (bench/segment_skimage.py; the array is rebuilt in node and checked against
 *               the page's checksum)
 *
 *   npx vite build && node bench/segment-browser.mjs [runs=7] [--repeat K] [--cs-runs N] [--overwrite-runs N] [--full-runs N] [--dist DIR]
 *
 * --repeat: K fresh pages of `runs` timed runs each, pooled (medians of K×runs; skimage runs K×runs).
 *
 * --overwrite-runs: also time the cornerstone call with overwrite: true (clears the whole labelmap
 * first: how the utility is usually called); --full-runs: also time it on the whole volume (no box).
 * Both default to 0 (seconds per call). --dist: a build made with `npx vite build --outDir DIR`.
 */
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import os from 'node:os';
import { chromium } from 'playwright-core';
import { loadTs, median, repoRoot } from './lib.mjs';

const root = repoRoot;
const argv = process.argv.slice(2);
const flag = (name, def) => { const i = argv.indexOf(name); if (i < 0) return def; const v = argv[i + 1]; argv.splice(i, 2); return v; };
const csRunsArg = flag('--cs-runs', null), overwriteRuns = +flag('--overwrite-runs', 0), fullRuns = +flag('--full-runs', 0);
const dist = resolve(root, flag('--dist', 'dist'));
const repeat = +flag('--repeat', 1);
const runs = +(argv[0] ?? 7);
const csRuns = csRunsArg == null ? runs : +csRunsArg;
if (!existsSync(join(dist, 'bench', 'segment.html'))) throw new Error(`no ${join(dist, 'bench/segment.html')}: build first (npx vite build)`);

const summ = (xs) => (xs && xs.length ? { median: median(xs), min: Math.min(...xs), max: Math.max(...xs), n: xs.length } : null);

// 1. the browser page: ours + cornerstone
const port = 4300 + Math.floor(Math.random() * 500);
const server = spawn(process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), 'preview', '--host', '127.0.0.1', '--port', String(port), '--strictPort', '--outDir', dist], { cwd: root, stdio: 'ignore' });
let page_;
try {
  const base = `http://127.0.0.1:${port}/`;
  for (let t = 0; ; t++) {
    try { if ((await fetch(base + 'bench/segment.html')).ok) break; } catch { /* wait */ }
    if (t > 300) throw new Error('preview server did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
  const browser = await chromium.launch({
    executablePath: process.env.SACROPLAN_CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    for (let rep = 0; rep < repeat; rep++) {
      // a fresh page (fresh JIT and heap) per repetition; timings are pooled
      const page = await browser.newPage();
      page.on('pageerror', (e) => console.error('page error:', e.message));
      page.on('console', (m) => { if (m.type() === 'error' && !m.location().url.endsWith('favicon.ico')) console.error('page console:', m.text(), m.location().url); });
      await page.goto(base + 'bench/segment.html');
      await page.waitForFunction(() => window.segBenchReady === true, null, { timeout: 120_000 });
      const t0 = performance.now();
      const r = await page.evaluate((o) => window.segBench(o), { runs, csRuns, padMm: 3, csOverwriteRuns: rep === 0 ? overwriteRuns : 0, csFullRuns: rep === 0 ? fullRuns : 0 });
      await page.close();
      console.log(`page ${rep + 1}/${repeat} done in ${((performance.now() - t0) / 1000).toFixed(1)} s (scene built in the page in ${(r.sceneMs / 1000).toFixed(1)} s); medians ms: ` +
        Object.entries(r.ms).filter(([, xs]) => xs.length).map(([k, xs]) => `${k} ${median(xs).toFixed(1)}`).join(', '));
      if (!page_) page_ = r;
      else {
        for (const k of Object.keys(r.ms)) page_.ms[k].push(...r.ms[k]);
        for (const k of ['checksum', 'plainCount', 'csCount', 'oursThresholdCount']) if (r[k] !== page_[k]) console.log(`WARNING: ${k} differs between pages: ${r[k]} vs ${page_[k]}`);
      }
    }
  } finally {
    await browser.close();
  }
} finally {
  server.kill();
}
const P = page_;

// 2. the same array in node, for scikit-image
const [seg, { makeSegmentScene }] = await loadTs('/src/segmentation/index.ts', '/bench/segment-scene.ts');
const vol = makeSegmentScene().volume;
const v = vol.voxels;
const w = new Uint32Array(v.buffer, v.byteOffset, v.byteLength >> 2);
let h = 0x811c9dc5;
for (let n = 0; n < w.length; n++) { h ^= w[n]; h = Math.imul(h, 0x01000193) >>> 0; }
const sameArray = h.toString(16) === P.checksum;
if (!sameArray) console.log(`WARNING: node array checksum ${h.toString(16)} != page ${P.checksum}`);
const dir = '/tmp/sacroplan-bench';
mkdirSync(dir, { recursive: true });
const raw = join(dir, 'segment-scene.raw');
writeFileSync(raw, new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
const g = seg.gridMetric(vol.geometry);
const ballBox = seg.clampBox(seg.ballIndexBox(g, P.grown.seedIjk, 25), vol.geometry.dims);
writeFileSync(join(dir, 'segment-scene.json'), JSON.stringify({ dims: P.dims, spacing: P.spacing, seed: P.grown.seedIjk, window: P.grown.window, box: ballBox, cs_box: P.box }));
let sk = null;
try {
  sk = JSON.parse(execFileSync(process.env.SACROPLAN_PYTHON ?? '/usr/bin/python3', [join(root, 'bench/segment_skimage.py'), raw, join(dir, 'segment-scene.json'), String(runs * repeat)], { encoding: 'utf8', maxBuffer: 1 << 22 }).trim().split('\n').pop());
} catch (e) {
  console.log(`scikit-image peer unavailable: ${String(e.message ?? e).split('\n')[0]}`);
}

// 3. table
const m = P.ms;
const ours = { rg: summ(m.regionGrow), bd: summ(m.brushDiameter30), br: summ(m.brushRadius30), st: summ(m.lesionStats), thr: summ(m.oursThresholdInBox) };
const cs = { box: summ(m.csThresholdBox), ow: summ(m.csThresholdBoxOverwrite), full: summ(m.csThresholdFull) };
const skAll = sk?.all ?? {};
const fx = (x) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const cell = (s) => (s ? `${fx(s.median).padStart(8)}  [${fx(s.min)}-${fx(s.max)}]`.padEnd(28) : 'n/a'.padStart(8).padEnd(28));
const rows = [];
const row = (name, s, target, note = '') => rows.push(`${name.padEnd(46)}${cell(s)}${(target ?? '').padEnd(12)}${note}`);
const ratio = (a, b) => (a && b ? `${(a.median / b.median).toFixed(a.median / b.median >= 10 ? 0 : 2)}×` : 'n/a');
const skS = (k) => (skAll[k] ? summ(skAll[k]) : sk?.[k] != null ? { median: sk[k], min: sk[k], max: sk[k], n: 1 } : null);
const sk_fill = skS('flood_box_fill'), sk_flood = skS('flood_box'), sk_full = skS('flood_full'), sk_props = skS('label_props'), sk_thr = skS('threshold_cs_box');
const pass = (s, t) => (s ? (s.median <= t ? 'PASS' : 'FAIL') : '');

console.log(`\nsegment bench, same run: Chromium (${P.userAgent.match(/Chrome\/[\d.]+/)?.[0] ?? '?'}, hardwareConcurrency ${P.hardwareConcurrency}), node ${process.version}, ${os.cpus().length} CPUs, load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
console.log(`volume ${P.dims.join('×')} int16, spacing ${P.spacing.join('×')} mm; same array in page and node: ${sameArray ? 'yes' : 'NO'} (FNV-1a ${P.checksum})`);
console.log(`lesion: regionGrow ${P.grown.voxelCount} voxels = ${P.grown.volumeMl.toFixed(3)} mL (analytic ${P.analyticMl.toFixed(3)} mL), kind ${P.grown.kind}, guard ${P.grown.guard}, window [${P.grown.window.join(', ')}] HU`);
console.log(`cornerstone box = our result's box padded by ${P.padMm} mm: ijk [${P.box.slice(0, 3)}]-[${P.box.slice(3)}] (${P.boxVoxels} voxels)`);
console.log(`coverage check in that box: plain threshold count (by hand, inclusive) ${P.plainCount}; ours thresholdInBox ${P.oursThresholdCount}; cornerstone labelled ${P.csCount} in the box, ${P.csCountAll} in the whole labelmap` +
  ` (${((P.csCount / P.plainCount - 1) * 100).toFixed(2)} %); region-grow voxels ${P.grown.voxelCount}; cornerstone volume holds our voxels: ${P.csProbeOk}`);
console.log(`\nms; median [min-max] of ${repeat}×${runs} runs (cornerstone ${repeat}×${csRuns}; overwrite/whole-volume rows: first page only) after one warm-up per page; skimage ${runs * repeat} runs. Ratios are peer/ours: > 1 means ours is faster`);
console.log(`${'what'.padEnd(46)}${'median [min-max]'.padEnd(28)}${'target'.padEnd(12)}notes`);
row('ours regionGrow 7 mL (default options)', ours.rg, `≤150 ${pass(ours.rg, 150)}`, `skimage flood+fill_holes/ours ${ratio(sk_fill, ours.rg)}, flood/ours ${ratio(sk_flood, ours.rg)}`);
row('ours brush step, 30 mm diameter (r 15 mm)', ours.bd, `≤16 ${pass(ours.bd, 16)}`, '2 mm drag step, fresh territory each step');
row('ours brush step, 30 mm radius (d 60 mm)', ours.br, `≤16 ${pass(ours.br, 16)}`, '');
row('ours lesionStats 7 mL', ours.st, `≤50 ${pass(ours.st, 50)}`, `skimage label+regionprops/ours ${ratio(sk_props, ours.st)}` + (P.stats ? `; Feret ${P.stats.maxDiameterMm.toFixed(2)} mm` : ''));
row('ours thresholdInBox, cornerstone box', ours.thr, '', `like-for-like of the cornerstone call; numpy threshold/ours ${ratio(sk_thr, ours.thr)}`);
row('cornerstone thresholdVolumeByRange, box', cs.box, '', `cs/ours regionGrow ${ratio(cs.box, ours.rg)} (target ≥50× ${cs.box && ours.rg ? (cs.box.median / ours.rg.median >= 50 ? 'PASS' : 'FAIL') : ''}); cs/ours thresholdInBox ${ratio(cs.box, ours.thr)}`);
if (cs.ow) row('cornerstone, box, overwrite: true', cs.ow, '', `cs/ours regionGrow ${ratio(cs.ow, ours.rg)} (clears all 78.6 M labelmap voxels first)`);
if (cs.full) row('cornerstone, whole volume (no box)', cs.full, '', `cs/ours regionGrow ${ratio(cs.full, ours.rg)}`);
if (sk) {
  row('skimage threshold+flood, ±25 mm box', sk_flood, '', '');
  row('skimage threshold+flood+fill_holes, ±25 mm box', sk_fill, '', `${sk.skimage_grown_voxels} voxels (no leak guard)`);
  row('skimage threshold+flood, whole volume', sk_full, '', 'leaks: no bound');
  row('skimage label+regionprops', sk_props, '', 'voxel units (skimage 0.19: no spacing)');
  if (sk_thr) row('numpy threshold, cornerstone box', sk_thr, '', `${sk.threshold_cs_box_count} voxels`);
}
for (const r of rows) console.log(r);
if (process.env.SEGMENT_BENCH_JSON) writeFileSync(process.env.SEGMENT_BENCH_JSON, JSON.stringify({ page: P, skimage: sk }, null, 1));
