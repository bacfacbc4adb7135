#!/usr/bin/env node
/**
 * bench/detect-ab: detection on the real CTs (and optionally the 512×512×300 phantom through the case engine's
 * detectAnatomy), the working tree's code against a baseline copy of src/, run alternately in one process so
 * that both see the same machine load (this machine is shared: absolute times are upper bounds). Prints per scan
 * the median wall and CPU time of each, their ratio, and the median of each stage the detector reports.
 *
 *   git archive <base-commit> src package.json tsconfig.json | tar -x -C /tmp/base && ln -s $PWD/node_modules /tmp/base/
 *   node bench/detect-ab.mjs /tmp/base [runs=5] [--only name,name] [--engine512] [--detect512]
 *
 * --only none leaves the real CTs out; --detect512 times detectSacralAnatomy itself on the 512×512×300 phantom, with its stages.
 */
import os from 'node:os';
import { join } from 'node:path';
import { createServer } from 'vite';
import { loadTs, median, repoRoot } from './lib.mjs';

const baseDir = process.argv[2];
const runs = +(process.argv.find((a, i) => i > 2 && /^\d+$/.test(a)) ?? 5);
const onlyArg = process.argv.indexOf('--only');
const names = onlyArg > 0 ? process.argv[onlyArg + 1].split(',') : ['pancreas-ct-cb-001-upper-sacrum', 'pelvic-ref-003', 'totalseg-example-ct'];
const engine512 = process.argv.includes('--engine512');
const detect512 = process.argv.includes('--detect512');

async function loadFrom(root, paths) {
  const server = await createServer({ root, configFile: false, logLevel: 'error', server: { middlewareMode: true, hmr: false }, appType: 'custom', optimizeDeps: { noDiscovery: true, include: [] } });
  try { const out = []; for (const p of paths) out.push(await server.ssrLoadModule(join(root, p))); return out; } finally { await server.close(); }
}
const [[newDet, newEng], [oldDet, oldEng]] = [await loadFrom(repoRoot, ['src/anatomy/detect.ts', 'src/case/engine.ts']), await loadFrom(baseDir, ['src/anatomy/detect.ts', 'src/case/engine.ts'])];
const [{ readReference, loadRealScan }, { resampleTo }, { loadPhantom }] = await loadTs('/test/anatomy/real/reference.ts', '/test/helpers/resample.ts', '/test/anatomy/fixtures-anatomy.ts');
console.log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model}; load ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}; node ${process.version}; ${runs} runs each, alternating (base first on odd runs)`);

const cpuNow = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
function ab(label, runOld, runNew) {
  const r = { old: { wall: [], cpu: [], st: {} }, new: { wall: [], cpu: [], st: {} } };
  for (let k = 0; k < runs; k++) {
    for (const which of k % 2 ? ['new', 'old'] : ['old', 'new']) {
      const c0 = cpuNow(), t0 = performance.now();
      const st = which === 'old' ? runOld() : runNew();
      r[which].wall.push(performance.now() - t0); r[which].cpu.push(cpuNow() - c0);
      for (const [s, x] of Object.entries(st ?? {})) if (s !== 'total' && !s.startsWith('mask.')) (r[which].st[s] ??= []).push(x);
    }
  }
  const m = (xs) => median(xs).toFixed(0);
  console.log(`${label}: wall base ${m(r.old.wall)} → new ${m(r.new.wall)} ms (ratio ${(median(r.new.wall) / median(r.old.wall)).toFixed(2)}); CPU base ${m(r.old.cpu)} → new ${m(r.new.cpu)} ms (ratio ${(median(r.new.cpu) / median(r.old.cpu)).toFixed(2)}); load ${os.loadavg()[0].toFixed(1)}`);
  console.log(`  walls base ${r.old.wall.map((x) => x.toFixed(0)).join(', ')}; new ${r.new.wall.map((x) => x.toFixed(0)).join(', ')}`);
  console.log(`  stages (median ms, base → new): ${Object.keys(r.old.st).map((s) => `${s} ${m(r.old.st[s])} → ${r.new.st[s] ? m(r.new.st[s]) : '-'}`).join(', ')}`);
}

for (const name of names.filter((n) => n !== 'none')) {
  let v;
  try { v = await loadRealScan(readReference(name)); } catch (e) { console.log(`${name}: not available (${e.message})`); continue; }
  ab(`${name} ${v.geometry.dims.join('×')}`, () => oldDet.detectSacralAnatomy(v).diagnostics.timingsMs, () => newDet.detectSacralAnatomy(v).diagnostics.timingsMs);
}
if (engine512 || detect512) {
  const { volume, truth } = await loadPhantom('default.json');
  const big = resampleTo(volume, [512, 512, 300]);
  if (detect512) ab('detectSacralAnatomy on the 512×512×300 phantom', () => oldDet.detectSacralAnatomy(big).diagnostics.timingsMs, () => newDet.detectSacralAnatomy(big).diagnostics.timingsMs);
  if (engine512) {
    const run = (Eng) => () => {
      const e = new Eng.CaseEngine(big);
      truth.lesions.forEach((les) => e.run({ type: 'growLesion', seedLps: les.center_lps }));
      const t0 = performance.now();
      e.run({ type: 'detectAnatomy' }, { defer: true });
      return { detectAnatomy: performance.now() - t0 };
    };
    ab('engine 512×512×300 (grow 5 lesions + detectAnatomy)', run(oldEng), run(newEng));
  }
}
