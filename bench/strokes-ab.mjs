#!/usr/bin/env node
/**
 * bench/strokes-ab: one stroke of the Strokes tool (growFromSeeds on bench/segment.mjs's synthetic
 * 512×512×300 scene: a lesion stroke through the 7 mL lesion, then background rings at r + 4 mm in the
 * axial and the sagittal plane), the working tree's code against a baseline copy of src/, alternately in
 * one process so that both see the same load. Per stroke set: median wall and CPU time (process
 * user + system) of `runs` calls after one warm-up, and the fastest CPU time (on a loaded machine the
 * least disturbed), and the SHA-1 of the lesion's offsets and of the
 * other outputs (levels, σ, edge support, unsampled tissue): the two must be the same.
 *
 *   git archive <base-commit> src package.json tsconfig.json | tar -x -C /tmp/base && ln -s $PWD/node_modules /tmp/base/
 *   node bench/strokes-ab.mjs /tmp/base [runs=7]
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import os from 'node:os';
import { createServer } from 'vite';
import { median, repoRoot } from './lib.mjs';

const baseDir = process.argv[2];
const runs = +(process.argv[3] ?? 7);
if (!baseDir) { console.error('usage: node bench/strokes-ab.mjs /tmp/base [runs]'); process.exit(2); }
async function loadFrom(root, paths) {
  const server = await createServer({ root, configFile: false, logLevel: 'error', server: { middlewareMode: true, hmr: false }, appType: 'custom', optimizeDeps: { noDiscovery: true, include: [] } });
  try { const out = []; for (const p of paths) out.push(await server.ssrLoadModule(join(root, p))); return out; } finally { await server.close(); }
}
const [[segNew, { makeSegmentScene }]] = [await loadFrom(repoRoot, ['src/segmentation/index.ts', 'bench/segment-scene.ts'])];
const [[segOld]] = [await loadFrom(baseDir, ['src/segmentation/index.ts'])];
const scene = makeSegmentScene();
const vol = scene.volume;
const c = scene.lyticCenterLps, rr = scene.lyticRadiusMm + 4;
const ringPts = (a, b) => Array.from({ length: 49 }, (_, t) => { const p = [...c]; p[a] += rr * Math.cos((2 * Math.PI * t) / 48); p[b] += rr * Math.sin((2 * Math.PI * t) / 48); return p; });
const all = [
  { kind: 'lesion', radiusMm: 3, pointsLps: [[c[0] - 5, c[1], c[2]], [c[0] + 5, c[1], c[2]]] },
  { kind: 'background', radiusMm: 2, pointsLps: ringPts(0, 1) },
  { kind: 'background', radiusMm: 2, pointsLps: ringPts(1, 2) },
];
const sets = { 'lesion stroke': all.slice(0, 1), '+ axial ring': all.slice(0, 2), '+ sagittal ring (the bench)': all };
const hash = (r) => {
  const h = createHash('sha1').update(Buffer.from(r.offsets.buffer, r.offsets.byteOffset, r.offsets.byteLength)).digest('hex').slice(0, 12);
  const x = createHash('sha1').update(JSON.stringify({ box: r.box, L: r.lesionLevel, B: r.backgroundLevel, s: r.sigma, p: r.problem, edge: r.edge, uns: r.unsampled })).digest('hex').slice(0, 12);
  return `${r.offsets.length} voxels ${h}/${x}`;
};
console.log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model}; load ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}; node ${process.version}; ${runs} runs each after one warm-up, alternating`);
const only = process.env.ONLY;
for (const [name, strokes] of Object.entries(sets)) {
  if (only && !name.includes(only)) continue;
  const r = { old: { wall: [], cpu: [] }, new: { wall: [], cpu: [] } };
  const hs = { old: hash(segOld.growFromSeeds(vol, strokes)), new: hash(segNew.growFromSeeds(vol, strokes)) };
  for (let t = 0; t < runs; t++) for (const side of t % 2 ? ['new', 'old'] : ['old', 'new']) {
    const seg = side === 'old' ? segOld : segNew;
    const c0 = process.cpuUsage(), t0 = performance.now();
    seg.growFromSeeds(vol, strokes);
    r[side].wall.push(performance.now() - t0);
    const cc = process.cpuUsage(c0);
    r[side].cpu.push((cc.user + cc.system) / 1000);
  }
  const m = (xs) => median(xs).toFixed(1);
  console.log(`${name}: wall base ${m(r.old.wall)} → new ${m(r.new.wall)} ms; CPU base ${m(r.old.cpu)} → new ${m(r.new.cpu)} ms (ratio ${(median(r.new.cpu) / median(r.old.cpu)).toFixed(2)}); fastest CPU base ${Math.min(...r.old.cpu).toFixed(1)} → new ${Math.min(...r.new.cpu).toFixed(1)} ms; load ${os.loadavg()[0].toFixed(1)}`);
  console.log(`  CPU per run base ${r.old.cpu.map((x) => x.toFixed(0)).join(' ')}; new ${r.new.cpu.map((x) => x.toFixed(0)).join(' ')}`);
  console.log(`  result base ${hs.old}; new ${hs.new}: ${hs.old === hs.new ? 'identical' : 'DIFFERENT'}`);
}
