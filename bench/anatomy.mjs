#!/usr/bin/env node
/**
 * bench/anatomy: landmark detection + Denis zone map on a 512×512×300 CT (the default ../shared
 * phantom resampled, 0.37×0.37×0.50 mm), through the same CaseEngine the app's case worker runs:
 *   detect          engine.run({ type: 'detectAnatomy' }, { defer: true }) as the app sends it: sacrum mask,
 *                   frame, canal, foramina, zone map, classification of the 5 grown lesions; then the
 *                   refresh that measures their part outside the sacrum (the new mask's envelope)
 *   reclassify      one foramen moved by 2 mm (what a marker drag sends, deferred): setAnatomy, all 5
 *                   lesions re-classified; then the refresh that rewrites the zone map
 *   parts           detection alone (median of each stage) and the zone map alone, restricted to the
 *                   detected sacrum and over the landmark box (hand-placed landmarks, no detection)
 *   realct          detection on the TotalSegmentator example CT (122×101×112, 3 mm) and on the two thin-slice
 *                   real CTs of ../shared/data/real-pelvis (pelvic-ref-003, the pancreas scan), with their stages
 *
 *   node bench/anatomy.mjs [runs=5]
 * Timed on node's main thread (same V8 as the browser's worker). Needs /usr/bin/python3 with
 * numpy/scipy/pydicom for the phantom (cached under /tmp).
 */
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import os from 'node:os';
import { loadTs, median } from './lib.mjs';

const runs = +(process.argv[2] ?? 5);
const [{ loadPhantom, loadNiftiPath, realCtDir }, { resampleTo }, { CaseEngine }, { detectSacralAnatomy }, { buildZoneMap, zoneMaskIndex }] = await loadTs('/test/anatomy/fixtures-anatomy.ts', '/test/helpers/resample.ts', '/src/case/engine.ts', '/src/anatomy/detect.ts', '/src/anatomy/zones.ts');

const fmt = (xs) => xs.map((x) => x.toFixed(0)).join(', ');
const { volume, truth } = await loadPhantom('default.json');
const big = resampleTo(volume, [512, 512, 300]);
console.log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model}; load ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}; node ${process.version}; volume ${big.geometry.dims.join('×')}`);

const detMs = [], reMs = [], clsMs = [], outMs = [], mapMs = [];
let found = 0;
for (let r = 0; r < runs; r++) {
  const engine = new CaseEngine(big);
  truth.lesions.forEach((les) => engine.run({ type: 'growLesion', seedLps: les.center_lps }));
  // as the app sends it (app/anatomy.ts): deferred, so the outside-the-sacrum envelope follows in a refresh
  let t0 = performance.now();
  const d = engine.run({ type: 'detectAnatomy' }, { defer: true });
  detMs.push(performance.now() - t0);
  t0 = performance.now();
  engine.refresh();
  outMs.push(performance.now() - t0);
  found = d.view.anatomy?.foramina.length ?? 0;
  const a = structuredClone(d.view.anatomy);
  const f = a.foramina[0];
  f.anteriorLps[0] += 2; f.posteriorLps[0] += 2; f.source = 'manual';
  // a drag as the app sends it (app/anatomy.ts landmarkEdit): deferred (zones re-classified), then the refresh that draws the zone map
  t0 = performance.now();
  const s = engine.run({ type: 'setAnatomy', anatomy: a }, { defer: true });
  reMs.push(performance.now() - t0);
  clsMs.push(s.derivedMs - s.zoneMapMs);
  t0 = performance.now();
  engine.refresh();
  mapMs.push(performance.now() - t0);
}
console.log(`detect + zone map + classify 5 lesions: median ${median(detMs).toFixed(0)} ms (runs ${fmt(detMs)}; ${found} foramina)   target ≤ 3000 ms`);
console.log(`  then the outside-the-sacrum measure (envelope + 5 lesions, the refresh after it): median ${median(outMs).toFixed(0)} ms (runs ${fmt(outMs)})`);
console.log(`foramen drag → re-classify (first answer): median ${median(reMs).toFixed(0)} ms (runs ${fmt(reMs)}); classification alone median ${median(clsMs).toFixed(1)} ms   target ≤ 100 ms`);
console.log(`  then the zone map (the refresh after it): median ${median(mapMs).toFixed(0)} ms (runs ${fmt(mapMs)})`);

// The parts: detection alone (with its stages), the zone map alone (restricted to the detected
// sacrum, and over the landmark box as with hand-placed landmarks and no detection).
const partMs = { detect: [], zoneMapMask: [], zoneMapIndexed: [], maskIndex: [], zoneMapBox: [] };
const stages = {};
let last = null;
for (let r = 0; r < runs; r++) {
  let t0 = performance.now();
  last = detectSacralAnatomy(big);
  partMs.detect.push(performance.now() - t0);
  for (const [k, v] of Object.entries(last.diagnostics.timingsMs)) if (k !== 'total' && !k.startsWith('mask.')) (stages[k] ??= []).push(v);
  t0 = performance.now();
  buildZoneMap(big.geometry, last.anatomy, last.sacrumMask);
  partMs.zoneMapMask.push(performance.now() - t0);
  // as the case engine draws it: the mask's voxels indexed by block once per mask, then each map
  t0 = performance.now();
  const index = zoneMaskIndex(big.geometry, last.sacrumMask);
  partMs.maskIndex.push(performance.now() - t0);
  t0 = performance.now();
  buildZoneMap(big.geometry, last.anatomy, last.sacrumMask, { maskIndex: index });
  partMs.zoneMapIndexed.push(performance.now() - t0);
  t0 = performance.now();
  buildZoneMap(big.geometry, last.anatomy, null);
  partMs.zoneMapBox.push(performance.now() - t0);
}
console.log(`  of which detection alone: median ${median(partMs.detect).toFixed(0)} ms (runs ${fmt(partMs.detect)}); stage medians: ${Object.entries(stages).map(([k, v]) => `${k} ${median(v).toFixed(0)}`).join(', ')}`);
console.log(`  zone map alone, sacrum mask (${last.sacrumMask.reduce((a, v) => a + v, 0)} voxels): median ${median(partMs.zoneMapMask).toFixed(0)} ms (runs ${fmt(partMs.zoneMapMask)}), with the mask's block index ${median(partMs.zoneMapIndexed).toFixed(0)} ms (index ${median(partMs.maskIndex).toFixed(0)} ms once per mask); over the landmark box (no mask): median ${median(partMs.zoneMapBox).toFixed(0)} ms (runs ${fmt(partMs.zoneMapBox)})`);

const ctPath = join(realCtDir, 'example_ct.nii.gz');
if (existsSync(ctPath)) {
  const ct = await loadNiftiPath(ctPath);
  const ms = [];
  for (let r = 0; r < runs; r++) { const t0 = performance.now(); detectSacralAnatomy(ct); ms.push(performance.now() - t0); }
  console.log(`real CT ${ct.geometry.dims.join('×')} (3 mm) detection: median ${median(ms).toFixed(0)} ms (runs ${fmt(ms)})`);
}
const [{ readReference, loadRealScan }] = await loadTs('/test/anatomy/real/reference.ts');
for (const name of ['pelvic-ref-003', 'pancreas-ct-cb-001-upper-sacrum']) {
  let v;
  try { v = await loadRealScan(readReference(name)); } catch { console.log(`${name}: not available`); continue; }
  const ms = [], st = {};
  let d = null;
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    d = detectSacralAnatomy(v);
    ms.push(performance.now() - t0);
    for (const [k, x] of Object.entries(d.diagnostics.timingsMs)) if (k !== 'total' && !k.startsWith('mask.')) (st[k] ??= []).push(x);
  }
  const t0 = performance.now();
  buildZoneMap(v.geometry, d.anatomy, d.sacrumMask);
  console.log(`${name} ${v.geometry.dims.join('×')}: detection median ${median(ms).toFixed(0)} ms (runs ${fmt(ms)}); zone map ${(performance.now() - t0).toFixed(0)} ms; stage medians: ${Object.entries(st).map(([k, x]) => `${k} ${median(x).toFixed(0)}`).join(', ')}`);
}
