/**
 * bench/segment page: builds the synthetic 512×512×300 scene (bench/segment-scene.ts) in the
 * browser, then times in the same page
 *   ours: regionGrow (default options) from the lesion centre, paintStroke steps (30 mm brush as
 *         diameter and as radius, 2 mm drag step), lesionStats of the grown lesion, and
 *         thresholdInBox (the like-for-like of the cornerstone utility);
 *   peer: @cornerstonejs/tools utilities.segmentation.thresholdVolumeByRange on a labelmap derived
 *         from a cornerstone local volume holding the same voxels, restricted (boundsIJK) to the
 *         box of our region-grow result padded by `padMm`, with the same HU window.
 * Driven by bench/segment-browser.mjs (window.segBench). Timings are arrays of ms (one warm-up
 * call first, not included).
 */
import { init as csInit, volumeLoader, cache } from '@cornerstonejs/core';
import { init as csToolsInit, segmentation as csSegmentation, utilities as csToolsUtilities, Enums as csToolsEnums } from '@cornerstonejs/tools';
import { makeSegmentScene } from './segment-scene';
import { LabelMap, applyRegionToLabels, clampBox, lesionStats, paintStroke, regionGrow, thresholdInBox, type IndexBox, type RegionGrowResult } from '../src/segmentation';

interface BenchOptions { runs?: number; csRuns?: number; padMm?: number; csOverwriteRuns?: number; csFullRuns?: number }

function times(n: number, fn: () => void): number[] {
  fn();
  const out: number[] = [];
  for (let r = 0; r < n; r++) { const t0 = performance.now(); fn(); out.push(performance.now() - t0); }
  return out;
}

/** FNV-1a over the int16 voxels read as uint32 words: to check that node built the same array. */
function checksum(v: Int16Array): string {
  const w = new Uint32Array(v.buffer, v.byteOffset, v.byteLength >> 2);
  let h = 0x811c9dc5;
  for (let n = 0; n < w.length; n++) { h ^= w[n]!; h = Math.imul(h, 0x01000193) >>> 0; }
  return h.toString(16);
}

async function segBench(opts: BenchOptions = {}) {
  const runs = opts.runs ?? 7, csRuns = opts.csRuns ?? runs, padMm = opts.padMm ?? 3;
  const t0 = performance.now();
  const scene = makeSegmentScene();
  const sceneMs = performance.now() - t0;
  const vol = scene.volume;
  const voxels = vol.voxels as Int16Array;
  const geom = vol.geometry;
  const dims = geom.dims as [number, number, number];
  const sp = geom.spacingMm;

  // ours
  let grown!: RegionGrowResult;
  const regionGrowMs = times(runs, () => { grown = regionGrow(vol, { lps: scene.lyticCenterLps }); });
  const labels = new LabelMap(geom);
  applyRegionToLabels(labels, grown, 1);
  let s = 0;
  const stepMm = 2, z = 30;
  // every step paints fresh territory: a drag along +x, 2 mm per step
  const brushDiameterMs = times(runs, () => { const x = -150 + stepMm * s++; paintStroke(labels, [x, -100, z], [x + stepMm, -100, z], { radiusMm: 15, label: 2, overwrite: true }); });
  s = 0;
  const brushRadiusMs = times(runs, () => { const x = -150 + stepMm * s++; paintStroke(labels, [x, 100, -z], [x + stepMm, 100, -z], { radiusMm: 30, label: 3, overwrite: true }); });
  let st: ReturnType<typeof lesionStats> = null;
  const statsMs = times(runs, () => { st = lesionStats(labels, 1, vol); });

  // the cornerstone box: our result's tight box padded by padMm, clamped
  const pad = [Math.ceil(padMm / sp[0]), Math.ceil(padMm / sp[1]), Math.ceil(padMm / sp[2])];
  const gb = grown.box!;
  const box = clampBox([gb[0] - pad[0]!, gb[1] - pad[1]!, gb[2] - pad[2]!, gb[3] + pad[0]!, gb[4] + pad[1]!, gb[5] + pad[2]!], dims) as IndexBox;
  const [lo, hi] = grown.window; // inclusive, in HU
  // plain threshold count in the box (inclusive window), by hand
  let plainCount = 0, strictCount = 0;
  for (let k = box[2]; k <= box[5]; k++) for (let j = box[1]; j <= box[4]; j++) {
    const row = dims[0] * (j + dims[1] * k);
    for (let i = box[0]; i <= box[3]; i++) { const x = voxels[row + i]!; if (x >= lo && x <= hi) plainCount++; if (x > lo && x < hi) strictCount++; }
  }
  // ours, like for like: thresholdInBox into a fresh label map (cleared between runs, untimed)
  const thr = new LabelMap(geom);
  const thrTimes: number[] = [];
  for (let r = 0; r <= runs; r++) {
    if (r > 0) thr.data.fill(0, box[0] + dims[0] * (box[1] + dims[1] * box[2]), box[3] + dims[0] * (box[4] + dims[1] * box[5]) + 1);
    const fresh = new LabelMap(geom, thr.data, true);
    const t = performance.now();
    thresholdInBox(fresh, vol, box, [lo, hi], 1);
    if (r > 0) thrTimes.push(performance.now() - t);
  }
  const oursThresholdCount = new LabelMap(geom, thr.data, true).count(1);

  // cornerstone
  csInit();
  csToolsInit();
  const volumeId = 'segbench_ct'; // no ':' (a scheme would make cornerstone load slices through an image loader)
  const segVolumeId = 'segbench_labelmap', segmentationId = 'segbench_seg';
  const tc0 = performance.now();
  const csVol = volumeLoader.createLocalVolume(volumeId, {
    dimensions: dims, spacing: [sp[0], sp[1], sp[2]], origin: [geom.originLps[0], geom.originLps[1], geom.originLps[2]],
    direction: [1, 0, 0, 0, 1, 0, 0, 0, 1], scalarData: voxels,
    metadata: { Modality: 'CT', BitsAllocated: 16, BitsStored: 16, PixelRepresentation: 1, PhotometricInterpretation: 'MONOCHROME2', voiLut: [], SamplesPerPixel: 1 } as never,
  });
  const segVol = volumeLoader.createAndCacheDerivedLabelmapVolume(volumeId, { volumeId: segVolumeId });
  csSegmentation.addSegmentations([{ segmentationId, representation: { type: csToolsEnums.SegmentationRepresentations.Labelmap, data: { volumeId: segVolumeId } } }]);
  const csSetupMs = performance.now() - tc0;
  // sanity: the cornerstone volume holds our voxels
  const probe = box[0] + dims[0] * (box[1] + dims[1] * box[2]);
  const csVm = csVol.voxelManager!;
  const csProbeOk = csVm.getAtIndex(probe) === voxels[probe] && csVm.getAtIndex(voxels.length - 1) === voxels[voxels.length - 1];
  // thresholdVolumeByRange tests lower < v < upper (strict): ±0.5 on integer HU = our inclusive [lo, hi]
  const info = [{ volume: csVol, lower: lo - 0.5, upper: hi + 0.5 }];
  const boundsIJK: [[number, number], [number, number], [number, number]] = [[box[0], box[3]], [box[1], box[4]], [box[2], box[5]]];
  const segVm = segVol.voxelManager!;
  const clearBox = () => { for (let k = box[2]; k <= box[5]; k++) for (let j = box[1]; j <= box[4]; j++) for (let i = box[0]; i <= box[3]; i++) segVm.setAtIndex(i + dims[0] * (j + dims[1] * k), 0); };
  const countBox = () => { let c = 0; for (let k = box[2]; k <= box[5]; k++) for (let j = box[1]; j <= box[4]; j++) for (let i = box[0]; i <= box[3]; i++) if (segVm.getAtIndex(i + dims[0] * (j + dims[1] * k))) c++; return c; };
  const countAll = () => { let c = 0; const n = segVm.getScalarDataLength(); for (let o = 0; o < n; o++) if (segVm.getAtIndex(o)) c++; return c; };
  const csThreshold = (overwrite: boolean, bounds = boundsIJK) =>
    csToolsUtilities.segmentation.thresholdVolumeByRange(segVol as never, info as never, { overwrite, boundsIJK: bounds as never, segmentationId, segmentIndex: 1 });
  const csBoxMs: number[] = [];
  for (let r = 0; r <= csRuns; r++) {
    clearBox();
    const t = performance.now();
    csThreshold(false);
    if (r > 0) csBoxMs.push(performance.now() - t);
  }
  const csCount = countBox();
  const csCountAll = countAll();
  // as the utility is usually called: overwrite (clears the whole labelmap first)
  const csOverwriteMs: number[] = [];
  for (let r = 0; r < (opts.csOverwriteRuns ?? 0); r++) { const t = performance.now(); csThreshold(true); csOverwriteMs.push(performance.now() - t); }
  const csOverwriteCount = csOverwriteMs.length ? countAll() : null;
  // whole volume, no bounds (the STACK.md figure)
  const csFullMs: number[] = [];
  const full: [[number, number], [number, number], [number, number]] = [[0, dims[0] - 1], [0, dims[1] - 1], [0, dims[2] - 1]];
  for (let r = 0; r < (opts.csFullRuns ?? 0); r++) { const t = performance.now(); csThreshold(false, full); csFullMs.push(performance.now() - t); }
  cache.purgeCache();

  return {
    userAgent: navigator.userAgent, hardwareConcurrency: navigator.hardwareConcurrency,
    dims, spacing: sp, sceneMs, checksum: checksum(voxels),
    grown: { voxelCount: grown.voxelCount, volumeMl: grown.volumeMl, window: grown.window, seedIjk: grown.seedIjk, box: grown.box, guard: grown.guard, kind: grown.kind },
    analyticMl: 4 / 3 * Math.PI * scene.lyticRadiusMm ** 3 / 1000,
    stats: st ? { volumeMl: (st as { volumeMl?: number }).volumeMl, maxDiameterMm: (st as { maxDiameterMm?: number }).maxDiameterMm } : null,
    box, boxVoxels: (box[3] - box[0] + 1) * (box[4] - box[1] + 1) * (box[5] - box[2] + 1), padMm,
    plainCount, strictCount, oursThresholdCount, csCount, csCountAll, csOverwriteCount, csProbeOk, csSetupMs,
    ms: { regionGrow: regionGrowMs, brushDiameter30: brushDiameterMs, brushRadius30: brushRadiusMs, lesionStats: statsMs, oursThresholdInBox: thrTimes, csThresholdBox: csBoxMs, csThresholdBoxOverwrite: csOverwriteMs, csThresholdFull: csFullMs },
  };
}

(window as unknown as { segBench: typeof segBench }).segBench = segBench;
(window as unknown as { segBenchReady: boolean }).segBenchReady = true;
