#!/usr/bin/env node
/**
 * bench/seg: DICOM SEG export (and import) of five lesions on a 512×512×300 label map
 * (0.7×0.7×1 mm, the grid of bench/segment.mjs), through src/io/seg as the app calls it.
 *
 *   node bench/seg.mjs [runs=7]
 *
 * Lesions: balls of radius 8, 12, 15, 18 and 22 mm (2.1–44.6 mL) in different places, labels 1–5;
 * each lesion gets one frame per slice it touches (BINARY, bit-packed). Reports medians (ms) of
 * `runs` repetitions after one warm-up: encodeSeg (label scan, bit packing, dcmjs Part 10 write),
 * and readSeg + segOntoGrid (dcmjs read, frames laid on the grid by position). Target: export ≤ 1 s.
 */
import { loadTs, median } from './lib.mjs';

const runs = +(process.argv[2] ?? 7);
const [{ VolumeGeometry }, seg] = await loadTs('/src/core/geometry.ts', '/src/io/seg/index.ts');

const g = new VolumeGeometry({ dims: [512, 512, 300], spacingMm: [0.7, 0.7, 1], originLps: [-179, -179, -150], directionCosines: [1, 0, 0, 0, 1, 0, 0, 0, 1] });
const labels = new Uint8Array(g.voxelCount);
const balls = [[[-40, -20, -60], 8], [[30, 10, -20], 12], [[-10, 60, 10], 15], [[60, -50, 40], 18], [[-60, 40, 80], 22]];
const p = [0, 0, 0];
balls.forEach(([c, r], n) => {
  const lo = g.lpsToIjk([0, 0, 0], [c[0] - r, c[1] - r, c[2] - r]), hi = g.lpsToIjk([0, 0, 0], [c[0] + r, c[1] + r, c[2] + r]);
  for (let k = Math.max(0, Math.floor(lo[2])); k <= Math.min(299, Math.ceil(hi[2])); k++)
    for (let j = Math.max(0, Math.floor(lo[1])); j <= Math.min(511, Math.ceil(hi[1])); j++)
      for (let i = Math.max(0, Math.floor(lo[0])); i <= Math.min(511, Math.ceil(hi[0])); i++) {
        g.ijkToLps(p, i, j, k);
        if ((p[0] - c[0]) ** 2 + (p[1] - c[1]) ** 2 + (p[2] - c[2]) ** 2 <= r * r) labels[g.offset(i, j, k)] = n + 1;
      }
});
const segments = balls.map((_, n) => ({ label: n + 1, name: `Lesion ${n + 1}`, color: '#ff5252', algorithmType: 'SEMIAUTOMATIC' }));
const sliceInstances = Array.from({ length: 300 }, (_, k) => ({ sopClassUid: '1.2.840.10008.5.1.4.1.1.2', sopInstanceUid: `1.2.826.0.1.3680043.8.498.4.${k + 1}` }));
const source = { frameOfReferenceUid: '1.2.826.0.1.3680043.8.498.1', studyInstanceUid: '1.2.826.0.1.3680043.8.498.2', patientName: 'Bench', patientId: 'B1', studyDate: '20260101', studyDescription: 'bench', series: { seriesInstanceUid: '1.2.826.0.1.3680043.8.498.3', sliceInstances } };

function time(fn) {
  fn();
  const ts = [];
  for (let r = 0; r < runs; r++) { const t0 = performance.now(); fn(); ts.push(performance.now() - t0); }
  return { median: median(ts), min: Math.min(...ts), max: Math.max(...ts) };
}
let out;
const enc = time(() => { out = seg.encodeSeg(labels, g, segments, source); });
let back;
const dec = time(() => { back = seg.segOntoGrid(seg.readSeg(out.bytes), g, source.frameOfReferenceUid); });
let same = true;
back.forEach((s, n) => { for (const o of s.offsets) if (labels[o] !== n + 1) same = false; });
const total = back.reduce((a, s) => a + s.offsets.length, 0);
let nz = 0;
for (const v of labels) if (v) nz++;
const f = (t) => `${t.median.toFixed(0)} ms (min ${t.min.toFixed(0)}, max ${t.max.toFixed(0)})`;
console.log(`5 lesions, ${out.written.reduce((a, w) => a + w.frames, 0)} frames, ${(out.bytes.length / 1e6).toFixed(2)} MB, ${nz} voxels; re-import voxel-exact: ${same && total === nz}`);
console.log(`encodeSeg (export)           median ${f(enc)}  target ≤ 1000 ms`);
console.log(`readSeg + segOntoGrid (import) median ${f(dec)}`);
