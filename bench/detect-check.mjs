#!/usr/bin/env node
/**
 * bench/detect-check: a fingerprint of what landmark detection returns, for speed work that must not
 * change results. Runs detectSacralAnatomy on the default, fatty and hard phantoms (native grids) and on
 * the real CTs (pelvic-ref-003, the pancreas cut scan, the TotalSegmentator example), and the case
 * engine's detectAnatomy on the default phantom at 512×512×300 with its five lesions grown (zone map,
 * zones, outside-the-sacrum volumes, then a 2 mm foramen drag). Writes every landmark at full precision,
 * the messages and a SHA-1 of each mask and zone map; with --compare, lists what differs between two runs.
 * --configs adds phantoms made from test/anatomy/configs (with --only none, those alone).
 *
 *   node bench/detect-check.mjs out.json [--only name,name] [--configs fatty-thick5mm.json,...]
 *   node bench/detect-check.mjs --compare before.json after.json
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadTs, repoRoot } from './lib.mjs';

if (process.argv[2] === '--compare') {
  const a = JSON.parse(readFileSync(process.argv[3], 'utf8')), b = JSON.parse(readFileSync(process.argv[4], 'utf8'));
  let diffs = 0;
  const walk = (x, y, path) => {
    if (typeof x !== typeof y || Array.isArray(x) !== Array.isArray(y) || (x === null) !== (y === null)) { console.log(`${path}: ${JSON.stringify(x)} → ${JSON.stringify(y)}`); diffs++; return; }
    if (x && typeof x === 'object') {
      for (const k of new Set([...Object.keys(x), ...Object.keys(y)])) {
        if (k === 'timingsMs' || k === 'ms') continue;
        walk(x[k], y[k], `${path}.${k}`);
      }
    } else if (x !== y) { console.log(`${path}: ${JSON.stringify(x)} → ${JSON.stringify(y)}`); diffs++; }
  };
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) walk(a[k], b[k], k);
  console.log(diffs ? `${diffs} differences` : 'identical');
  process.exit(diffs ? 1 : 0);
}

const outPath = process.argv[2];
const onlyArg = process.argv.indexOf('--only');
const only = onlyArg > 0 ? new Set(process.argv[onlyArg + 1].split(',')) : null;
const [{ detectSacralAnatomy }, { CaseEngine }, { resampleTo }, { ensurePhantom, filesIn, readTruth }, { scanAndLoadDicom }, { readReference, loadRealScan }] = await loadTs(
  '/src/anatomy/detect.ts', '/src/case/engine.ts', '/test/helpers/resample.ts', '/test/helpers/shared.ts', '/src/io/dicom/index.ts', '/test/anatomy/real/reference.ts');

const sha = (arr) => createHash('sha1').update(Buffer.from(arr.buffer, arr.byteOffset, arr.byteLength)).digest('hex').slice(0, 16);
const count = (arr) => { let n = 0; for (let i = 0; i < arr.length; i++) if (arr[i]) n++; return n; };
const print = (d) => ({ anatomy: d.anatomy, mask: { sha: sha(d.sacrumMask), voxels: count(d.sacrumMask) }, messages: d.diagnostics.messages, midlineXLps: d.diagnostics.midlineXLps, workGrid: d.diagnostics.workGrid, candidates: d.diagnostics.candidates, surfaceForamina: d.diagnostics.surfaceForamina, doubts: d.diagnostics.doubts, sacralBase: d.diagnostics.sacralBase ?? null, levelMidlines: d.diagnostics.levelMidlines ?? null, timingsMs: d.diagnostics.timingsMs });

async function phantom(config) {
  const dir = ensurePhantom(config);
  const r = await scanAndLoadDicom(filesIn(join(dir, 'dicom')));
  return { volume: r.loaded.volume, truth: readTruth(dir) };
}

const out = {};
const want = (n) => !only || only.has(n);
for (const c of ['default.json', 'fatty.json', 'hard.json']) {
  if (!want(c)) continue;
  const { volume } = await phantom(c);
  const t0 = performance.now();
  out[c] = print(detectSacralAnatomy(volume));
  out[c].ms = performance.now() - t0;
  console.log(c, out[c].ms.toFixed(0), 'ms');
}
// more phantoms, from test/anatomy/configs (--configs a.json,b.json; each generated once and cached like the tests')
const cfgArg = process.argv.indexOf('--configs');
for (const c of cfgArg > 0 ? process.argv[cfgArg + 1].split(',') : []) {
  const { volume } = await phantom(JSON.parse(readFileSync(join(repoRoot, 'test', 'anatomy', 'configs', c), 'utf8')));
  const t0 = performance.now();
  out[c] = print(detectSacralAnatomy(volume));
  out[c].ms = performance.now() - t0;
  console.log(c, out[c].ms.toFixed(0), 'ms');
}
for (const name of ['pelvic-ref-003', 'pancreas-ct-cb-001-upper-sacrum', 'totalseg-example-ct']) {
  if (!want(name)) continue;
  let v;
  try { v = await loadRealScan(readReference(name)); } catch (e) { console.log(`${name}: not available (${e.message})`); continue; }
  const t0 = performance.now();
  out[name] = print(detectSacralAnatomy(v));
  out[name].ms = performance.now() - t0;
  console.log(name, out[name].ms.toFixed(0), 'ms');
}
if (want('engine512')) {
  const { volume, truth } = await phantom('default.json');
  const big = resampleTo(volume, [512, 512, 300]);
  const engine = new CaseEngine(big);
  truth.lesions.forEach((les) => engine.run({ type: 'growLesion', seedLps: les.center_lps }));
  const t0 = performance.now();
  const d = engine.run({ type: 'detectAnatomy' });
  const ms = performance.now() - t0;
  const lesions = (v) => v.lesions.map((l) => ({ id: l.id, zone: l.zone, outsideSacrumMl: l.outsideSacrumMl }));
  const zoneMap = sha(engine.zoneMap);
  const a = structuredClone(d.view.anatomy);
  const f = a.foramina[0];
  f.anteriorLps[0] += 2; f.posteriorLps[0] += 2; f.source = 'manual';
  const s = engine.run({ type: 'setAnatomy', anatomy: a });
  out.engine512 = { ms, anatomy: d.view.anatomy, zoneProblem: d.view.zoneProblem, lesions: lesions(d.view), zoneMap, sacrumMask: sha(engine.currentSacrumMask), afterDrag: { lesions: lesions(s.view), zoneMap: sha(engine.zoneMap) } };
  console.log('engine512', ms.toFixed(0), 'ms');
}
writeFileSync(outPath, JSON.stringify(out, null, 1));
