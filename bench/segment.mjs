#!/usr/bin/env node
/**
 * bench/segment: segmentation hot paths on a synthetic 512×512×300 CT (0.7×0.7×1 mm, int16;
 * bench/segment-scene.ts), with scikit-image on the same array in the same run as the peer.
 *
 *   node bench/segment.mjs [runs=9]
 *
 * Reports medians (ms) of `runs` repetitions after one warm-up:
 *   regionGrow      7.06 mL lytic lesion touching a foramen, default options (leak guard on),
 *                   and with leakGuard 'none' (threshold + flood + fill holes inside the 25 mm ball:
 *                   the like-for-like peer of skimage flood + binary_fill_holes on the same box)
 *   brush step      paintStroke of a 30 mm (diameter) brush over a 2 mm drag step; also 30 mm radius
 *   lesionStats     all statistics of the 7 mL label (PCA, Feret, ABC/2 ×2, values)
 *   partialVolume   partialVolumeEstimate of the grown lesion
 *   strokes         growFromSeeds after the last of three strokes of the low-contrast tool on the
 *                   7 mL lesion (a lesion stroke through it, background rings at r + 4 mm in the
 *                   axial and the sagittal plane): what each stroke costs (target ≤ 200 ms)
 * Peer (/usr/bin/python3, scikit-image): threshold + flood (whole volume and the same ±25 mm box),
 * + binary_fill_holes, label + regionprops. Needs python3-skimage (apt-get install python3-skimage).
 * TypeScript is loaded through Vite's SSR module loader (no extra packages).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import os from 'node:os';
import { loadTs, median, repoRoot } from './lib.mjs';

const root = repoRoot;
const runs = +(process.argv[2] ?? 9);
const [seg, { makeSegmentScene }] = await loadTs('/src/segmentation/index.ts', '/bench/segment-scene.ts');

// wall time, and the process's CPU time (user + system) per run: on a machine shared with other
// jobs the wall time includes waiting for a core, the CPU time much less so
function time(fn) {
  fn();
  const ts = [], cs = [];
  for (let r = 0; r < runs; r++) {
    const c0 = process.cpuUsage(), t0 = performance.now();
    fn();
    ts.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cs.push((c.user + c.system) / 1000);
  }
  return { median: median(ts), min: Math.min(...ts), max: Math.max(...ts), cpu: median(cs) };
}

const t0 = performance.now();
const scene = makeSegmentScene();
console.log(`scene 512x512x300 built in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
const vol = scene.volume;

let grown;
const rg = time(() => { grown = seg.regionGrow(vol, { lps: scene.lyticCenterLps }); });
let loose;
const rgNone = time(() => { loose = seg.regionGrow(vol, { lps: scene.lyticCenterLps }, { leakGuard: 'none' }); });
const labels = new seg.LabelMap(vol.geometry);
seg.applyRegionToLabels(labels, grown, 1);

let s = 0;
const brushD = time(() => { const x = (s++ % 20) * 2 - 20; seg.paintStroke(labels, [x, -100, 30], [x + 2, -100, 30], { radiusMm: 15, label: 2, overwrite: true }); });
const brushR = time(() => { const x = (s++ % 20) * 2 - 20; seg.paintStroke(labels, [x, 100, -30], [x + 2, 100, -30], { radiusMm: 30, label: 3, overwrite: true }); });
let st;
const stats = time(() => { st = seg.lesionStats(labels, 1, vol); });
let pv;
const pvT = time(() => { pv = seg.partialVolumeEstimate(vol, grown.offsets); });
const c = scene.lyticCenterLps, rr = scene.lyticRadiusMm + 4;
const ringPts = (a, b) => Array.from({ length: 49 }, (_, t) => { const p = [...c]; p[a] += rr * Math.cos((2 * Math.PI * t) / 48); p[b] += rr * Math.sin((2 * Math.PI * t) / 48); return p; });
const strokes = [
  { kind: 'lesion', radiusMm: 3, pointsLps: [[c[0] - 5, c[1], c[2]], [c[0] + 5, c[1], c[2]]] },
  { kind: 'background', radiusMm: 2, pointsLps: ringPts(0, 1) },
  { kind: 'background', radiusMm: 2, pointsLps: ringPts(1, 2) },
];
let sg;
const sgT = time(() => { sg = seg.growFromSeeds(vol, strokes); });
// the scan's PSF read at its air/body boundary (scan-blur.ts), once per volume when the first Grow asks
// (region-grow.ts step 11): the scene with air outside a 170 × 150 mm body ellipse behind a 1 mm PSF,
// uncached (measureScanBlur)
const withAir = vol.voxels.slice();
{
  const [ni, nj, nk] = vol.geometry.dims, sp = vol.geometry.spacingMm;
  const erf = (x) => { const t = 1 / (1 + 0.3275911 * Math.abs(x)); const y = 1 - (((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t) * Math.exp(-x * x); return x >= 0 ? y : -y; };
  for (let j = 0; j < nj; j++) for (let i = 0; i < ni; i++) {
    const x = (i - (ni - 1) / 2) * sp[0], y = (j - (nj - 1) / 2) * sp[1];
    const d = (1 - Math.hypot(x / 170, y / 150)) * 160; // ≈ mm inside the ellipse
    if (d > 6) continue;
    const f = 0.5 * (1 + erf(d / Math.SQRT2));
    for (let k = 0; k < nk; k++) { const n = i + ni * (j + nj * k); withAir[n] = Math.round(-1000 + f * (withAir[n] + 1000)); }
  }
}
let sb;
const airVol = { ...vol, voxels: withAir };
const sbT = time(() => { sb = seg.measureScanBlur(airVol); });
// Grow on that scene: the scan's PSF reads wider than 1.5 × 0.4 mm, so step 11 is asked (the partial-volume
// figure, and where the lesion's edge gives no blur reading, the figure for the scan's PSF)
let grownAir;
const rgAir = time(() => { grownAir = seg.regionGrow(airVol, { lps: scene.lyticCenterLps }); });
// step 11's second estimate, which blurReach skips on this lesion: the band for the scan's PSF (its window bounded, partial-volume.ts "Window")
let pvWide;
const pvWideT = time(() => { pvWide = seg.partialVolumeEstimate(airVol, grownAir.offsets.length ? grownAir.offsets : grown.offsets, { psfSigmaMm: sb.psfSigmaMm }); });

// peer
const dir = '/tmp/sacroplan-bench';
mkdirSync(dir, { recursive: true });
const raw = join(dir, 'segment-scene.raw');
writeFileSync(raw, new Uint8Array(vol.voxels.buffer, vol.voxels.byteOffset, vol.voxels.byteLength));
const g = seg.gridMetric(vol.geometry);
const box = seg.clampBox(seg.ballIndexBox(g, grown.seedIjk, 25), vol.geometry.dims);
writeFileSync(join(dir, 'segment-scene.json'), JSON.stringify({ dims: vol.geometry.dims, spacing: vol.geometry.spacingMm, seed: grown.seedIjk, window: grown.window, box }));
let peer = null;
try {
  peer = JSON.parse(execFileSync('/usr/bin/python3', [join(root, 'bench/segment_skimage.py'), raw, join(dir, 'segment-scene.json'), String(runs)], { encoding: 'utf8', maxBuffer: 1 << 20 }).trim().split('\n').pop());
} catch (e) {
  console.log(`scikit-image peer unavailable: ${String(e.message ?? e).split('\n')[0]}`);
}

const f = (x) => x.toFixed(1).padStart(7);
console.log(`\nmedian of ${runs} runs (ms), node ${process.version}, ${os.cpus().length} CPUs, load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
console.log(`regionGrow 7 mL (guarded)       ${f(rg.median)}  [${rg.min.toFixed(1)}-${rg.max.toFixed(1)}] cpu ${rg.cpu.toFixed(1)}  ${grown.voxelCount} voxels = ${grown.volumeMl.toFixed(3)} mL (analytic ${(4 / 3 * Math.PI * scene.lyticRadiusMm ** 3 / 1000).toFixed(3)}), window [${grown.window.map((x) => x.toFixed(0))}]`);
console.log(`regionGrow, leakGuard 'none'     ${f(rgNone.median)}  [${rgNone.min.toFixed(1)}-${rgNone.max.toFixed(1)}] cpu ${rgNone.cpu.toFixed(1)}  ${loose.voxelCount} voxels = ${loose.volumeMl.toFixed(3)} mL (no guard: threshold + flood + fill holes in the 25 mm ball)`);
console.log(`brush step, 30 mm diameter      ${f(brushD.median)}  [${brushD.min.toFixed(2)}-${brushD.max.toFixed(2)}]`);
console.log(`brush step, 30 mm radius        ${f(brushR.median)}  [${brushR.min.toFixed(2)}-${brushR.max.toFixed(2)}]`);
console.log(`lesionStats 7 mL                ${f(stats.median)}  [${stats.min.toFixed(1)}-${stats.max.toFixed(1)}]  Feret ${st.maxDiameterMm.toFixed(2)} mm, ABC/2 axial ${st.abcAxial.volumeMl.toFixed(2)} mL`);
console.log(`partialVolumeEstimate 7 mL      ${f(pvT.median)}  ${pv.volumeMl.toFixed(3)} mL`);
console.log(`strokes: growFromSeeds, 3rd     ${f(sgT.median)}  [${sgT.min.toFixed(1)}-${sgT.max.toFixed(1)}] cpu ${sgT.cpu.toFixed(1)}  ${(sg.offsets.length * vol.geometry.voxelVolumeMm3 / 1000).toFixed(3)} mL, box ${sg.box.join(',')} (target ≤ 200 ms)`);
console.log(`scanBlur (once per volume)      ${f(sbT.median)}  [${sbT.min.toFixed(1)}-${sbT.max.toFixed(1)}] cpu ${sbT.cpu.toFixed(1)}  ${sb.psfSigmaMm.toFixed(2)} mm read (1 mm PSF at the skin) from ${sb.voxels} voxels`);
console.log(`regionGrow 7 mL, soft scan       ${f(rgAir.median)}  [${rgAir.min.toFixed(1)}-${rgAir.max.toFixed(1)}] cpu ${rgAir.cpu.toFixed(1)}  ${grownAir.problem ?? `${grownAir.voxelCount} voxels`} (the scene with the skin above: step 11 asked; its second estimate skipped, blurReach 6.5 %)`);
console.log(`partialVolume, scan's PSF band  ${f(pvWideT.median)}  [${pvWideT.min.toFixed(1)}-${pvWideT.max.toFixed(1)}] cpu ${pvWideT.cpu.toFixed(1)}  ${pvWide.volumeMl.toFixed(3)} mL (step 11's second estimate, band for σ ${sb.psfSigmaMm.toFixed(2)} mm: Grow's cost without the blurReach gate is the line above plus this)`);
if (peer) {
  console.log(`skimage flood, whole volume     ${f(peer.flood_full)}   ratio ours/peer ${(rg.median / peer.flood_full).toFixed(2)}  (whole-volume threshold, no bound, leaks)`);
  console.log(`skimage flood, same box         ${f(peer.flood_box)}   ratio ${(rg.median / peer.flood_box).toFixed(2)}`);
  console.log(`skimage flood+fill_holes, box   ${f(peer.flood_box_fill)}   ratio ${(rg.median / peer.flood_box_fill).toFixed(2)}  (${peer.skimage_grown_voxels} voxels: no leak guard)`);
  console.log(`skimage label+regionprops       ${f(peer.label_props)}   ratio lesionStats/peer ${(stats.median / peer.label_props).toFixed(2)}`);
}
