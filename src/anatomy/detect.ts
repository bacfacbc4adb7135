/**
 * Automatic sacral landmark detection from CT (pure; no model weights).
 *
 *   detectSacralAnatomy(volume, opts?) → { anatomy, sacrumMask, diagnostics }
 *
 * Two stages on LPS-aligned working grids (detect-grid.ts), so any acquisition orientation gives
 * the same result:
 *  A. coarse (3 mm, box-filtered) over the whole volume: bone, midline, the sacrum's rough box;
 *  B. fine (about the voxel size, 1–3 mm) over that box: sacrum mask (sacrum-mask.ts), sacral
 *     frame, canal and foramina. When the fine grid equals the coarse one (voxels ≥ 2.5 mm, the
 *     "thick-slice" mode) the whole coarse grid and its mask are kept.
 * A stage whose bone fills to no sacral core (a breached or faint cortical shell around fatty marrow) is run
 * again with the bone filled as a 12 mm ball sees it (BREACH_BALL_MM).
 *
 * Frame: midline plane = left-right mirror symmetry of the bone (x shift only, no rotation);
 * long axis = the centres of the sacral bone run on the midline in each axial slice, tracked from the
 * caudal end upwards and smoothed by a cubic fit z → y; level centres at fixed fractions of its
 * length (S1–S5 mid-levels of a 102 mm sacrum).
 * Canal: per axial slice, the dark hole enclosed by the sacrum posterior to the body near the midline;
 * radius from the distance transform to bone (minus half a voxel). Thick slices: from the planes where it
 * is such a hole, followed caudally as the midline lumen between roof and body (trackCanalThick), radius
 * √(½ width × ½ depth) at half contrast, smoothed along the line.
 * Foramina: dark voxels inside the sacral envelope lateral to the canal (holes of the sacrum in
 * coronal slices, or voxels 80 HU darker than their 5 mm neighbourhood), grouped into components;
 * per component the antero-posterior line through most voxels (Hough), refined by distance-weighted
 * principal components; openings where the axis leaves the sacrum (bone all round in the plane
 * perpendicular to the axis counts as inside); rejected unless tube-like, antero-posterior and
 * bone-enclosed; levels S1–S4 by order along the long axis, paired left/right. A level side without a
 * tunnel is left out with a message; a foramen without a partner keeps a lower confidence. The openings
 * on the anterior surface (detect/surface-openings.ts) are sought as well and combined with these
 * (detect/combine.ts): they find the foramina of a fatty sacrum and check the levels found inside.
 */
import type { ScalarVolume } from '../core/volume';
import { nowMs } from '../core/clock';
import type { Vec3 } from '../core/vec3';
import type { ForamenId } from './types';
import { labelComponents, squaredDistanceTo } from '../segmentation/morphology';
import { makeWorkGrid, resampleToWork, maskToVolume, sampleWork, volumeBoundsLps, workToLps, type WorkGrid } from './detect-grid';
import { type SacrumMaskOptions, segmentSacrumOnGrid, mirrorMidline, removeOpenLumen } from './sacrum-mask';
import { symmetricEigen3 } from './eigen3';
import { withEnclosedMarrow } from './enclosure';
import { traceCanalLumen, lumenCanal, canalLengthMm, canalOffLumen } from './canal-lumen';
import { aboveSacralBase, cutAboveSacralBase, findSacralBase, inL5Column, type SacralBase } from './sacral-base';
import { mirrorPlane } from './symmetry';
import type { DetectOptions, DetectionResult } from './detect/types';
import { detectFrame, tiltFrame, type FrameResult } from './detect/frame';
import { detectCanal } from './detect/canal';
import { recentredCanal, withCanalEnds } from './canal-ends';
import { detectForamina } from './detect/foramina';
import { detectForaminaThick } from './detect/foramina-thick';
import { detectSurfaceOpenings } from './detect/surface-openings';
import { combineForamina } from './detect/combine';
import { numberingDoubt, anglesToRow } from './detect/numbering';
import { levelAbove } from './detect/level-above';
import { levelBelow } from './detect/level-below';
import { reflector, refitAtMirror } from './detect/mirror-refit';
import { measureLandmarks } from './detect/measure';
import type { Foramen, SacralLevel } from './types';
import { frameProblem } from './evidence';
import { levelMidline, maskVoxels, mirrorOffMm, type LevelMidline, type MaskVoxels } from './level-midline';

export { symmetricEigen3 };
export type { DetectOptions, ForamenCandidate, DetectionDiagnostics, DetectionResult } from './detect/types';
export { holes2d, boxMean } from './detect/image-ops';
export { houghLine } from './detect/geometry';
export { canalSection, type CanalSection } from './detect/canal';
export { darkEnclosedSpots, type MapSpot } from './detect/foramina-thick';


const now = nowMs;

/**
 * A vertebral body's worth of bone (mL): the L5 body holds 30–45 mL in adults. A mask with this much in the L5
 * column above the L5/S1 disc has taken L5; less is the sacral base's own bone beside a plane a few degrees off.
 */
const L5_BODY_ML = 20;

/** Half the narrowest sacrum's width (DOMAIN.md §8: 95–105 mm wide). */
const HALF_SACRUM_MM = 47;

/** Volume (mL) of a working-grid mask in the L5 column (inL5Column). */
function columnVolumeMl(mask: Uint8Array, g: WorkGrid, base: SacralBase): number {
  const [na, nb, nc] = g.dims, h = g.spacingMm, o = g.originLps;
  let n = 0, count = 0;
  for (let c = 0; c < nc; c++) for (let b = 0; b < nb; b++) for (let a = 0; a < na; a++, n++) {
    if (mask[n] && inL5Column(base, o[0] + a * h, o[1] + b * h, o[2] + c * h)) count++;
  }
  return (count * h * h * h) / 1000;
}

/**
 * When the bone's holes fill to no sacral core (the marrow of a fatty or osteopenic sacrum is as dark as soft
 * tissue, so only an unbroken cortical shell encloses it, and one breach — a lytic lesion through the cortex
 * into a foramen, a faint cortex broken by partial volume on a coarse grid — lets the whole of it out), the
 * bone is filled again as a ball of this radius sees it from outside (enclosure.ts): gaps narrower than 12 mm
 * close (the breach, the foramina, 5–9 mm across) while the pelvis around the bone stays outside. The SI joints
 * close too, so the core reaches into the ilia and is split from them by the lateral markers (a fused core,
 * sacrum-mask.ts).
 */
const BREACH_BALL_MM = 6;

/**
 * Cortex on planning CTs: 400–900 HU on 3 mm slices after partial volume, fatty marrow 0–150 HU and muscle
 * about 50 (DOMAIN.md §8): the first voxel above this along a line from in front is the anterior cortex.
 */
const CORTEX_HU = 200;
const BREACH_MESSAGE = (stage: string) => `${stage} stage: the cortical shell is open (a breach or a faint cortex): the sacrum taken as the bone a 12 mm ball cannot enter`;

/**
 * A piece of thresholded bone outside the sacrum mask smaller than this (mL) is taken as a fragment of the
 * sacrum's own broken cortex (the alae of fatty marrow), not as a neighbouring bone: the ilia and L5 hold
 * hundreds of mL of bone and marrow each.
 */
const NEIGHBOUR_BONE_ML = 5;

/** The neighbouring bones (ilia, L5) of a sacrum mask: its grid's filled bone outside the mask, in pieces of at least NEIGHBOUR_BONE_ML. */
function neighbourBones(filled: Uint8Array, mask: Uint8Array, g: WorkGrid): Uint8Array {
  const rest = new Uint8Array(filled.length);
  for (let n = 0; n < rest.length; n++) rest[n] = filled[n] && !mask[n] ? 1 : 0;
  const { ids, sizes } = labelComponents(rest, g.dims, 6);
  const minVox = (NEIGHBOUR_BONE_ML * 1000) / g.spacingMm ** 3;
  for (let n = 0; n < rest.length; n++) if (rest[n] && sizes[ids[n]!]! < minVox) rest[n] = 0;
  return rest;
}

/**
 * The share of the mask's midline bone (within 20 mm of the midline plane a = midA: the bodies) at the levels of the SI
 * joints' contact (base.contactZ) that lies on the cranial side of the disc plane; 0 where the mask has none there.
 */
function auricularShareAbove(mask: Uint8Array, g: WorkGrid, midA: number, base: SacralBase): number {
  const [na, nb, nc] = g.dims, h = g.spacingMm, o = g.originLps;
  const a0 = Math.max(0, Math.ceil(midA - 20 / h)), a1 = Math.min(na - 1, Math.floor(midA + 20 / h));
  const c0 = Math.max(0, Math.ceil((base.contactZ[0] - o[2]) / h)), c1 = Math.min(nc - 1, Math.floor((base.contactZ[1] - o[2]) / h));
  let all = 0, above = 0;
  for (let c = c0; c <= c1; c++) for (let b = 0; b < nb; b++) for (let a = a0; a <= a1; a++) {
    if (!mask[a + na * (b + nb * c)]) continue;
    all++;
    if (aboveSacralBase(base, o[0] + a * h, o[1] + b * h, o[2] + c * h) > 0) above++;
  }
  return all ? above / all : 0;
}

/** The 90th percentile of the working image along a polyline, sampled every millimetre (HU; −Infinity when empty). */
function brightAlong(work: Float32Array, g: WorkGrid, pts: readonly Vec3[]): number {
  const v: number[] = [];
  for (let n = 0; n + 1 < pts.length; n++) {
    const a = pts[n]!, b = pts[n + 1]!, L = Math.hypot(b[0] - a[0], b[1] - a[1], b[2] - a[2]);
    for (let t = 0; t < L; t += 1) {
      const x = sampleWork(work, g, a[0] + ((b[0] - a[0]) * t) / L, a[1] + ((b[1] - a[1]) * t) / L, a[2] + ((b[2] - a[2]) * t) / L, 'nan');
      if (Number.isFinite(x)) v.push(x);
    }
  }
  if (v.length === 0) return -Infinity;
  v.sort((p, q) => p - q);
  return v[Math.floor(0.9 * (v.length - 1))]!;
}

/**
 * Half the depth of the L5 and S1 bodies (sacral-base.ts BODY_DEPTH_MM: adults 30–40 mm): an axis further than
 * this behind the body centres of the sacrum below the disc lies outside its bodies.
 */
const HALF_BODY_DEPTH_MM = 17.5;

/**
 * Why the first mask's long axis is not the bodies' (null when it is): where its points lie, at the median, more
 * than half a body's depth behind the axis of the sacrum below the L5/S1 disc (its bodies filled with the marrow
 * their cortex encloses). Then the first mask holds no body on the midline: a fatty body's thin cortex, blurred
 * over a thick slice, falls under the bone threshold where the slices cut it obliquely, and the most anterior run
 * of that mask is the canal's roof and the laminae (fatty-thick4mm: 22 mm behind, its S2 centre in the canal; the
 * other phantoms whose disc is found: 3–4 mm in front). The length test (frameProblem) does not see it: the arch
 * is as long as the sacrum.
 */
export function axisBehindBodies(first: FrameResult, below: FrameResult): string | null {
  const off = first.curve.pts.map((p) => {
    const s = below.curve.project(p).s, q = below.curve.at(s), P = below.curve.posterior(s);
    return (p[0] - q[0]) * P[0] + (p[1] - q[1]) * P[1] + (p[2] - q[2]) * P[2];
  }).sort((a, b) => a - b);
  const mid = off[off.length >> 1];
  return mid !== undefined && mid > HALF_BODY_DEPTH_MM ? `the long axis runs ${mid.toFixed(0)} mm behind the bodies of the sacrum below the L5/S1 disc (more than half a body's depth: the arch, not the bodies)` : null;
}

/**
 * Whether the first mask's long axis begins in L5 under a sacrum turned away from it: its S1 body centre lies
 * cranial to S1's superior endplate (it lies half an S1 body's height, 12–15 mm, under it) of an L5/S1 disc read
 * only by the wide search and trusted (disc-reading.ts: the parallel reading behind the anterior limit contradicted;
 * a disc in doubt is no evidence against the axis). Where the narrow reading is confirmed, the sacrum continues the
 * lumbar column and the first mask's axis, on which the searches were measured, is kept: on osteopenic and
 * eroded-S2R its S1 centre lies 20 and 15 mm above the endplate with every level named right, and the axis taken
 * below the disc there lost osteopenic's canal (traced in 15 of 130 planes, 8 mm long).
 */
export function axisAboveDisc(first: FrameResult, base: SacralBase): string | null {
  if (!base.confidence?.trusted || base.confidence.used !== 'wide') return null;
  const up = aboveSacralBase(base, ...first.frame.bodyCentersLps[0]!);
  return up > 0 ? `its S1 centre lies ${up.toFixed(0)} mm above S1's superior endplate of the L5/S1 disc found (the axis begins in L5)` : null;
}

/** Why nothing is suggested on MR, with the controls that place the landmarks there. */
export const MR_MESSAGE = 'automatic detection reads CT densities (HU): on MR it suggests nothing; place the foramina with the Foramen tool (F) and the canal with the Canal tool (K)';

function emptyResult(volume: ScalarVolume, messages: string[], timingsMs: Record<string, number>): DetectionResult {
  return {
    anatomy: { foramina: [], canal: null, frame: null },
    sacrumMask: new Uint8Array(volume.geometry.voxelCount),
    diagnostics: { timingsMs, messages, midlineXLps: null, workGrid: null, candidates: [] },
  };
}

/**
 * Detects the sacrum mask, sacral frame, canal and foramina S1–S4 (left and right) in a CT volume (HU).
 * Nothing is invented: a landmark without image evidence is left out and a message says so.
 */
export function detectSacralAnatomy(volume: ScalarVolume, opts: DetectOptions = {}): DetectionResult {
  const T0 = now();
  const timingsMs: Record<string, number> = {};
  const messages: string[] = [];
  let t = now();
  const lap = (name: string) => { const n = now(); timingsMs[name] = Math.round((n - t) * 10) / 10; t = n; };
  const boneHu = opts.boneHu ?? 120;
  const darkHu = opts.darkHu ?? 100;
  // every stage below reads CT densities (bone, cortex and marrow thresholds in HU); on MR the cortex is a signal
  // void and fat, marrow and fluid are bright, so those thresholds take whatever lies in their range: on the
  // sagittal T2 of the lower sacrum (prostatex-0218) this gave S1 and S2 "check" suggestions for levels outside
  // the image and a canal 148 mm from the reference. Nothing is suggested on MR; the Foramen and Canal tools
  // (polarity-aware fits, local-image.ts) place the landmarks there.
  if (volume.modality === 'MR') {
    messages.push(MR_MESSAGE);
    return emptyResult(volume, messages, timingsMs);
  }
  if (volume.units !== 'HU') messages.push(`volume units are ${volume.units}, not HU: CT thresholds may not apply`);
  const geo = volume.geometry;
  const voxSize = Math.cbrt(geo.voxelVolumeMm3);
  const hf = opts.spacingMm ?? Math.min(3, Math.max(1, voxSize));

  const thickMode = voxSize >= 2.5;
  // ---- stage A: coarse localisation
  const bounds = volumeBoundsLps(volume);
  let hc = opts.coarseSpacingMm ?? Math.max(3, hf);
  const ext = [0, 1, 2].map((a) => bounds.max[a]! - bounds.min[a]!);
  while ((ext[0]! / hc + 1) * (ext[1]! / hc + 1) * (ext[2]! / hc + 1) > 4e6) hc *= 1.25;
  const gA = makeWorkGrid(bounds.min, bounds.max, hc);
  const sub = voxSize < hc / 1.5 ? 2 : 1;
  const wA = resampleToWork(volume, gA, -1024, sub);
  lap('coarseResample');
  const maskOpts = (hh: number, lateralCropFaces?: readonly [boolean, boolean]): SacrumMaskOptions => ({
    boneHu, closingMm: hh >= 2.5 ? (opts.thickSliceClosingMm ?? hh) : 0, coreErosionMm: opts.coreErosionMm ?? Math.max(1.5 * hh, 3),
    minCoreMl: 5, fusedLateralMm: 62, sacrumMarkerMm: 30,
    ...(lateralCropFaces ? { lateralCropFaces } : {}),
    ...(hh >= 2.5 && thickMode ? { thick: { growHu: opts.thickGrowHu ?? 80, growClosingMm: opts.thickGrowClosingMm ?? 9, lateralMarkerMm: opts.thickLateralMarkerMm ?? 85 } } : {}),
  });
  let segA = segmentSacrumOnGrid(wA, gA, maskOpts(hc));
  if (!segA) {
    segA = segmentSacrumOnGrid(wA, gA, { ...maskOpts(hc), breachBallMm: BREACH_BALL_MM });
    if (segA) messages.push(BREACH_MESSAGE('coarse'));
  }
  lap('coarseMask');
  // L5 taken with the sacrum (its marrow as fatty as the sacrum's, the disc bridged by osteophytes or partial
  // volume: the erosion leaves one core): the mask for planning is made again, cut at the L5/S1 disc
  // (sacral-base.ts), when it holds a vertebral body's worth of bone above that disc's plane in the body
  // column. Read from bone and disc densities, so CT only. Thick slices too: their own separation from L5
  // (midline markers above the core and a faster L5 front through the disc, sacrum-mask.ts) holds where L5's
  // marrow is denser than the disc, but on a fatty spine resampled to 3 mm it takes L5 (pelvic-ref-003: the
  // L5/S1 disc inside the mask). The landmarks are still sought on the first mask:
  // their searches were measured on it, and on the cut mask they find fewer foramina on the phantoms.
  let base: SacralBase | null = null;
  /** The L5/S1 disc, found whether or not the mask reaches above it. */
  let disc: SacralBase | null = null;
  if (segA && volume.units === 'HU') {
    const b = findSacralBase(wA, gA, segA.midlineA, (segA.anteriorLimitYLps - gA.originLps[1]) / hc, boneHu, messages);
    disc = b;
    const aboveMl = b ? columnVolumeMl(segA.mask, gA, b) : 0;
    if (b && aboveMl >= L5_BODY_ML) {
      messages.push(`sacrum mask: ${aboveMl.toFixed(0)} mL of it lies in the L5 column above the L5/S1 disc: the mask for planning is cut there`);
      base = b;
    }
  }
  if (!segA) return emptyResult(volume, [...messages, 'coarse stage: ' + 'no sacrum found'], timingsMs);
  messages.push(...segA.messages.map((m) => 'coarse: ' + m));
  // box of the sacrum: x within ±70 mm of the midline; y, z from its midline part
  const mA = segA.midlineA;
  // the sacrum reaches below the SI joints (S3–S5 lie caudal to the auricular surfaces): a coarse mask whose
  // midline part ends above the lowest section in sacroiliac contact has taken L5 alone (a fatty sacrum on
  // 5 mm slices leaves no core at 3–4 mm, L5's denser body does); the sacrum is then sought again on the
  // coarse grid with the disc plane (its midline fronts caudal to the disc mark it, sacrum-mask.ts), and the
  // box holds both
  let boxMask = segA.mask;
  if (base) {
    const [na, nb, nc] = gA.dims;
    let zMin = Infinity;
    for (let c = 0, n = 0; c < nc; c++) for (let b = 0; b < nb; b++) for (let a = 0; a < na; a++, n++) {
      if (segA.mask[n] && Math.abs(a - mA) * hc <= 20) zMin = Math.min(zMin, gA.originLps[2] + c * hc);
    }
    if (zMin > base.contactZ[0]) {
      const again = segmentSacrumOnGrid(wA, gA, { ...maskOpts(hc), sacralBase: base });
      if (again) {
        messages.push(`coarse stage: the sacrum found ends at z ${zMin.toFixed(0)} mm, above the SI joints' lowest section (${base.contactZ[0].toFixed(0)} mm): sought again below the L5/S1 disc`);
        boxMask = Uint8Array.from(segA.mask);
        for (let n = 0; n < boxMask.length; n++) if (again.mask[n]) boxMask[n] = 1;
      }
    }
  }
  const lo: Vec3 = [Infinity, Infinity, Infinity], hi: Vec3 = [-Infinity, -Infinity, -Infinity];
  {
    const [na, nb, nc] = gA.dims;
    for (let c = 0, n = 0; c < nc; c++) for (let b = 0; b < nb; b++) for (let a = 0; a < na; a++, n++) {
      if (!boxMask[n]) continue;
      const dxMm = Math.abs(a - mA) * hc;
      if (dxMm > (thickMode ? (opts.thickLateralMarkerMm ?? 85) + 15 : 62)) continue;
      const p = workToLps(gA, a, b, c);
      lo[0] = Math.min(lo[0], p[0]); hi[0] = Math.max(hi[0], p[0]);
      if (dxMm <= 20) {
        lo[1] = Math.min(lo[1], p[1]); hi[1] = Math.max(hi[1], p[1]);
        lo[2] = Math.min(lo[2], p[2]); hi[2] = Math.max(hi[2], p[2]);
      }
    }
  }
  // the sacrum is bilaterally symmetric and 95–105 mm wide (DOMAIN.md §8): a coarse mask that reaches less than
  // half of that on one side holds no ala there (on a fatty sacrum cut by the field of view it is a fragment
  // of one side's cortex), and a box cropped to it would cut that side away and pull the midline plane off
  // towards the other: that side of the box then reaches as far as the other one
  if (Number.isFinite(lo[0])) {
    const xm = gA.originLps[0] + mA * hc, half = Math.max(xm - lo[0], hi[0] - xm);
    if (xm - lo[0] < HALF_SACRUM_MM) lo[0] = xm - half;
    if (hi[0] - xm < HALF_SACRUM_MM) hi[0] = xm + half;
  }
  if (!Number.isFinite(lo[1])) return emptyResult(volume, [...messages, 'coarse stage: sacrum has no midline part'], timingsMs);
  const margin = [10, 15, 12];
  const minB: Vec3 = [0, 0, 0], maxB: Vec3 = [0, 0, 0];
  // the fine grid's left-right faces that are the crop's own, 10 mm beyond the coarse sacrum (not the image's border)
  const cropFaces: [boolean, boolean] = [lo[0]! - margin[0]! > bounds.min[0]!, hi[0]! + margin[0]! < bounds.max[0]!];
  for (let a = 0; a < 3; a++) {
    // snap to the fine grid anchored at the volume bounds (exact copies for LPS-aligned data)
    const m0 = Math.max(bounds.min[a]!, lo[a]! - margin[a]!), m1 = Math.min(bounds.max[a]!, hi[a]! + margin[a]!);
    minB[a] = bounds.min[a]! + Math.floor((m0 - bounds.min[a]!) / hf + 1e-6) * hf;
    maxB[a] = m1;
  }

  // ---- stage B: fine grid
  // when the fine grid would be the coarse one (thick slices), keep the whole coarse grid and its result:
  // a crop would cut off the neighbouring bones that compete with the sacrum
  const same = Math.abs(hf - hc) < 1e-6 && sub === 1;
  const g = same ? gA : makeWorkGrid(minB, maxB, hf);
  const work = same ? wA : resampleToWork(volume, g, -1024, 1);
  lap('fineResample');
  const midFromA = (gA.originLps[0] + segA.midlineA * hc - g.originLps[0]) / hf;
  let seg = same ? segA : segmentSacrumOnGrid(work, g, { ...maskOpts(hf, cropFaces), anteriorLimitYLps: segA.anteriorLimitYLps, midlineA: midFromA}, timingsMs);
  // the cortical shell open at the fine stage: the mask cut at the disc below is made the same way
  let fineBreach = false;
  if (!seg) {
    seg = segmentSacrumOnGrid(work, g, { ...maskOpts(hf, cropFaces), anteriorLimitYLps: segA.anteriorLimitYLps, midlineA: midFromA, breachBallMm: BREACH_BALL_MM }, timingsMs);
    if (seg) { messages.push(BREACH_MESSAGE('fine')); fineBreach = true; }
  }
  lap('fineMask');
  if (!seg) return emptyResult(volume, [...messages, 'fine stage: no sacrum found'], timingsMs);
  if (!same) messages.push(...seg.messages); // same grid: already reported as the coarse stage
  // A faint, thin cortex (osteopenic: 0.8 mm at 450 HU) averaged over a coarse voxel falls below the bone
  // threshold, and the SI joints' contact with the midline bone is lost there. The fine grid resolves it, but
  // it is cropped to the sacrum (the ilia beyond ILIUM_REACH_MM are outside it): the disc is sought again on a
  // grid of the fine spacing (at least 1.5 mm) over the image's whole width and the fine grid's AP and SI range.
  if (!base && !same && volume.units === 'HU') {
    const hb = Math.max(hf, 1.5);
    const gb = makeWorkGrid([bounds.min[0], minB[1], minB[2]], [bounds.max[0], maxB[1], maxB[2]], hb);
    const wb = resampleToWork(volume, gb, -1024, hb > voxSize * 1.4 ? 2 : 1);
    const midB = (g.originLps[0] + seg.midlineA * hf - gb.originLps[0]) / hb;
    const b = findSacralBase(wb, gb, midB, (segA.anteriorLimitYLps - gb.originLps[1]) / hb, boneHu, []);
    const aboveMl = b ? columnVolumeMl(seg.mask, g, b) : 0;
    if (b && aboveMl >= L5_BODY_ML) {
      messages.push(`sacrum mask: ${aboveMl.toFixed(0)} mL of it lies in the L5 column above the L5/S1 disc (the disc found at ${hb.toFixed(1)} mm, where the SI joints' faint cortex is resolved): the mask for planning is cut there`);
      base = b;
    }
    lap('fineSacralBase');
  }
  const cutOpts: SacrumMaskOptions | null = base ? { ...maskOpts(hf, cropFaces), anteriorLimitYLps: segA.anteriorLimitYLps, midlineA: seg.midlineA, sacralBase: base, ...(fineBreach ? { breachBallMm: BREACH_BALL_MM } : {}) } : null;
  const segCut = cutOpts ? segmentSacrumOnGrid(work, g, cutOpts, undefined, seg) : null;
  if (base && !segCut) messages.push('sacrum mask: no sacrum below the L5/S1 disc: the first mask is kept');
  // A cut at a disc read in doubt (disc-reading.ts) is kept: the reading is still the best line found, and without the cut
  // the mask holds the L5 body (a vertebral body's worth of bone above that line: L5_BODY_ML), where a needle tip would
  // then count as inside the sacrum. Its upper limit is shown to the user as "check", with the reason. Unless the line
  // contradicts the SI joints: the sacrum is the midline bone that articulates with both ilia (sacral-base.ts), and the
  // L5/S1 disc lies near the top of that contact (at most DISC_BELOW_TOP_MM, 25 mm, below it, over the 45–60 mm of an
  // adult's auricular surfaces, S1–S3), so a line with most of the midline bone of the contact's levels on its cranial side
  // is not that disc: the mask for planning is then left uncut (fatty-thin-cortex: a line at 65–80° through the bodies
  // left 1214 voxels, 1.3 mL, of the sacrum), and its upper limit flagged all the same.
  const doubted = base?.confidence && !base.confidence.trusted ? base : null;
  const auricularAbove = doubted && segCut ? auricularShareAbove(seg.mask, g, seg.midlineA, doubted) : 0;
  const cutForPlan = !!segCut && auricularAbove <= 0.5;
  const maskCheck = doubted && segCut
    ? (cutForPlan ? `its upper limit is the L5/S1 disc read best, which is in doubt (${doubted.confidence!.why})`
      : `not cut at the L5/S1 disc read best, which is in doubt (${doubted.confidence!.why}) and has ${Math.round(100 * auricularAbove)} % of the midline bone at the SI joints' levels on its cranial side: it may hold L5`)
    : null;
  if (maskCheck) messages.push(`sacrum mask: check it: ${maskCheck}${cutForPlan ? `; the mask is cut there all the same (uncut, it would hold the L5 body; ${Math.round(100 * auricularAbove)} % of the midline bone at the SI joints' levels above the line)` : ''}`);
  // The mask for planning is split from the ilia at the SI joint's cortical plate, between the marrow spaces of the sacrum
  // and the ilia (fused-joint.ts), where the grid resolves that plate (thin slices) and those spaces mark something: a
  // closed joint, or an ilium whose fatty marrow left it no core (fatty.json: 99 mL of ilium in the mask without). A mask
  // made again for planning only: the landmark searches keep the mask they were measured on (with the spaces there, the
  // S1 pair of oblique-P10 turned "check", 9 mm off its mirror image).
  const planOpts = cutForPlan ? cutOpts : { ...maskOpts(hf, cropFaces), anteriorLimitYLps: segA.anteriorLimitYLps, midlineA: seg.midlineA, ...(fineBreach ? { breachBallMm: BREACH_BALL_MM } : {}) };
  const segPlan = !same && hf < 2.5 && planOpts ? segmentSacrumOnGrid(work, g, { ...planOpts, plateSplit: true, plateSplitOnly: true }, undefined, seg) : null;
  if (segPlan) messages.push(...segPlan.messages.filter((m) => m.startsWith('sacrum fused with the ilia: split') || m.startsWith('sacrum and ilia marked by')).map((m) => `mask for planning: ${m}`));
  lap('fineMaskCut');
  // landmarks need the bone walls: on thick slices the grown mask had its tunnels closed over; the dark
  // lumen open to the outside (canal, foramina) has been removed from it again (sacrum-mask.ts), so the
  // mask itself is used (its intersection with the lightly closed bone is only the fragmented cortex of a
  // fatty sacrum, whose tunnels are then not enclosed).
  // Dense marrow (median of the mask ≥ 2 × darkHu: the lumen is dark against the marrow, not only against
  // the cortex): the dark voxels open to the outside through dark voxels (canal, foramina) are taken out of
  // the landmark mask at darkHu (the mask itself keeps them: the sacrum encloses its canal).
  let sacrum = seg.mask;
  if (thickMode) {
    const vals: number[] = [];
    for (let n = 0; n < sacrum.length; n++) if (sacrum[n]) vals.push(work[n]!);
    vals.sort((p, q) => p - q);
    if (vals.length && vals[vals.length >> 1]! >= 2 * darkHu) {
      sacrum = Uint8Array.from(seg.mask);
      const removed = removeOpenLumen(sacrum, work, g.dims, darkHu);
      messages.push(`dense marrow (median ${Math.round(vals[vals.length >> 1]!)} HU): ${removed} voxels of lumen open to the outside below ${darkHu} HU left out of the landmark search`);
    }
  }
  const [na, nb, nc] = g.dims;
  const nab = na * nb;
  const h = g.spacingMm;
  const midA = mirrorMidline(sacrum, g, 10, seg.midlineA);
  const x0 = g.originLps[0] + midA * h;
  // the midline plane may be tilted about the AP and SI axes (patient rotation, scoliosis)
  let plane = mirrorPlane(sacrum, g, { x0Lps: x0, maxTiltDeg: 15, maxPoints: 5000, enoughOverlap: 0.95 });
  if (plane && Math.max(Math.abs(plane.aboutApDeg), Math.abs(plane.aboutSiDeg)) >= 2) {
    messages.push(`midline plane tilted ${plane.aboutApDeg.toFixed(1)}° about the AP axis and ${plane.aboutSiDeg.toFixed(1)}° about the SI axis`);
  }
  lap('midline');

  // ---- long axis: body run centres on the midline
  // where the L5/S1 disc was found and the mask holds less than a vertebral body above it, the mask's cranial end
  // is the S1 endplate: a body curve that runs to the image's lower edge is then a sacrum cut by the field of
  // view, its levels placed from that top at a whole sacrum's spacing (frame.ts), not as fractions of the part
  // in the image
  const discOnTop = !!disc && !base && columnVolumeMl(seg.mask, g, disc) < L5_BODY_ML;
  let frame = detectFrame(seg.mask, g, midA, messages, discOnTop ? { topAtDiscOpenBelow: g.originLps[2] <= bounds.min[2] + h } : {});
  // Where the first mask's long axis cannot be a sacrum's (its fatty bodies are cortical rings that break
  // the midline run, or the lumbar spine is in it: frameProblem), or runs behind the bodies (they are not in the
  // first mask at all and its midline run is the arch: axisBehindBodies), and the L5/S1 disc was found, the axis is
  // taken from the sacrum below the disc with the marrow its cortex encloses (enclosure.ts, the mask planning
  // uses): its bodies are whole on the midline, and its top is the S1 endplate. The first mask's axis is kept
  // otherwise: the searches were measured on it.
  let cutEnclosed: { mask: Uint8Array; message: string; added: number } | null = null;
  let frameBelowDisc = false;
  if (segCut && base && !same && hf < 2.5) {
    // (the planning mask below is this same mask: made once)
    cutEnclosed = withEnclosedMarrow(volume, g, work, segCut.mask, () => neighbourBones(segCut.filled, segCut.mask, g));
    cutAboveSacralBase(cutEnclosed.mask, g, base);
    let msgs: string[] = [];
    const below = (acrossAxis: boolean) => detectFrame(cutEnclosed!.mask, g, midA, msgs, { topAtDiscOpenBelow: g.originLps[2] <= bounds.min[2] + h, endplate: { pointLps: base.endplatePointLps, normalLps: base.discNormalLps, posteriorEndLps: base.discPosteriorEndLps }, acrossAxis });
    let f2 = below(false);
    let why = !frame ? 'none' : frameProblem(frame.frame);
    // the first mask's axis off the bodies: the sacrum below the disc followed from the S1 endplate across its own
    // axis (frame.ts trackAcrossAxis). Its axial track is not used here: in axial slices through a 40° endplate the
    // top 16 mm hold only the back of the S1 body, and on fatty-thick4mm that track curls 10 mm forwards there, which
    // turns the anterior-surface map's depth direction 23° off the S3 tunnels and 40° off S4's (the across-axis track:
    // 17° and 23°) and folds the canal traced above its top (a 165° turn)
    const offBodies = frame && !why && f2 ? axisBehindBodies(frame, f2) : null;
    if (offBodies) { why = offBodies; msgs = []; f2 = below(true); }
    // the first mask's S1 centre on L5's side of a trusted disc: that axis begins in L5 and names every level one
    // too low (a sacrum lying flat under an upright L5, fatty-flat-cut-s2). Below a steep S1 endplate (70° there) the
    // axial track holds only the back of S1 too: the body is followed across its own axis (on fatty-flat-cut-s2 the
    // axial track's row stops at S1, 18 mm from where it puts S1, and S2/S3 stay "check")
    const inL5 = frame && !why && f2 ? axisAboveDisc(frame, base) : null;
    if (inL5) { why = inL5; msgs = []; f2 = below(true); }
    if (why && f2 && !frameProblem(f2.frame)) {
      messages.push(`sacral long axis: ${why} on the first mask; taken from the sacrum below the L5/S1 disc`, ...msgs);
      frame = f2;
      frameBelowDisc = true;
      // a sacrum lying flat (its body followed across its own axis, detect/frame.ts) bends away from the lumbar spine
      // above it at a large angle, and the first mask, mostly lumbar spine, is no mirror image of one shape: the
      // midline plane is fitted to the sacrum below the disc (pancreas-ct-cb-001: 3.2° about the SI axis on the first
      // mask, 2.0° on the sacrum, which puts its S2 openings' mirror images 2 mm apart instead of 8.8). A sacrum in
      // line with the spine keeps the plane of the first mask (on pelvic-ref-003 the sacrum's own plane moved an S3
      // reading 4.4 mm off)
      const own = f2.acrossAxis ? mirrorPlane(cutEnclosed.mask, g, { x0Lps: x0, maxTiltDeg: 15, maxPoints: 5000, enoughOverlap: 0.95 }) : null;
      if (own) {
        if (plane && Math.abs(own.aboutSiDeg - plane.aboutSiDeg) + Math.abs(own.aboutApDeg - plane.aboutApDeg) >= 0.5) messages.push(`midline plane of the sacrum below the L5/S1 disc: tilted ${own.aboutApDeg.toFixed(1)}° about the AP axis and ${own.aboutSiDeg.toFixed(1)}° about the SI axis`);
        plane = own;
      }
    }
  }
  lap('frame');

  // distance to bone (for lumen radii)
  const d2Bone = squaredDistanceTo(seg.bone, g.dims, [h, h, h], 1);
  lap('boneDistance');

  // ---- canal
  const canalRes = detectCanal(sacrum, work, g, midA, frame, d2Bone, darkHu, messages);
  lap('canal');

  // ---- foramina
  // thick slices (grid ≥ 2.5 mm): the tunnels are two or three voxels wide, sought in the AP view of the sacrum
  const inside = h >= 2.5
    ? detectForaminaThick(sacrum, work, g, midA, frame, darkHu, messages)
    : detectForamina(sacrum, work, g, midA, frame, d2Bone, darkHu, canalRes.mask, messages, frameBelowDisc && base ? (p) => aboveSacralBase(base!, ...p) <= 0 : undefined);
  lap('foramina');
  // the openings on the anterior surface: found where the bone's inside shows no dark tunnel (fatty
  // marrow), and a check on the levels found inside
  // the anterior-surface map follows the midline plane where it is tilted (pelvic obliquity, scoliosis; below
  // 2° the lateral offset along x is within 1 mm of it over the 25 mm to the openings)
  const tilted = plane && Math.max(Math.abs(plane.aboutApDeg), Math.abs(plane.aboutSiDeg)) >= 2 ? plane : null;
  // below the disc, the anterior surface is read from the image (the first mask of a fatty sacrum lacks the
  // alae, where the openings are, and holds L5 above; surface-openings.ts)
  // each level's own midline plane (level-midline.ts): the whole sacrum's plane moved to where the level's section
  // of the sacrum is its own mirror image; a bent or sideways-turned lower sacrum moves its foramen pairs with it.
  // Read on the sacrum below the L5/S1 disc with its marrow where that was made (the first mask of a fatty sacrum
  // lacks its alae), else on the landmark mask
  const midMask = cutEnclosed?.mask ?? sacrum;
  let midVoxels: MaskVoxels | null = null;
  // one reading per plane and place (the surface's search and the levels found below may ask about the same plane)
  const levelCache = new Map<string, LevelMidline | null>();
  const levelPlanes = (about: { normalLps: Vec3; pointLps: Vec3 }) => {
    const key = [...about.normalLps, ...about.pointLps].map((v) => (Object.is(v, -0) ? '-0' : String(v))).join() + '|';
    return (p: Readonly<Vec3>): LevelMidline | null => {
      if (!frame) return null;
      // read every 4 mm along the axis (a quarter of the slab: the plane moves little within it)
      const sMm = Math.round(frame.curve.project(p).s / 4) * 4;
      if (!levelCache.has(key + sMm)) {
        const t1 = now();
        midVoxels ??= maskVoxels(midMask, g);
        levelCache.set(key + sMm, levelMidline(midMask, g, about, frame.curve.at(sMm), frame.curve.tangent(sMm), midVoxels));
        timingsMs.levelMidlines = Math.round(((timingsMs.levelMidlines ?? 0) + now() - t1) * 10) / 10;
      }
      return levelCache.get(key + sMm)!;
    };
  };
  const surfacePlane = tilted ?? { normalLps: [1, 0, 0] as Vec3, pointLps: [x0, 0, 0] as Vec3 };
  const surfaceLevel = levelPlanes(surfacePlane);
  const surface = detectSurfaceOpenings(volume, sacrum, work, g, midA, frame, messages, opts.surfaceDebug, tilted, frameBelowDisc && base ? { cortexHu: CORTEX_HU, aboveS1Mm: (x, y, z) => aboveSacralBase(base!, x, y, z) } : undefined, (p) => surfaceLevel(p)?.offsetMm ?? null);
  // below the disc the search inside the bone ran on the first mask, L5 included, and a fatty sacrum shows no
  // dark tunnels inside: only its tunnels under the S1 endplate are counted and kept
  const insideForamina = frameBelowDisc && base ? inside.foramina.filter((f) => aboveSacralBase(base!, ...f.anteriorLps) <= 0 && aboveSacralBase(base!, ...f.posteriorLps) <= 0) : inside.foramina;
  // a tunnel followed short of its mirror partner is followed again along the partner's mirror image
  // (mirror-refit.ts); thin grids only, as foramen-axis.ts follows tunnels there
  const mirror = tilted ? reflector(tilted.normalLps, tilted.pointLps) : reflector([1, 0, 0], [x0, 0, 0]);
  const refitIds = new Set<Foramen['id']>();
  const refit = volume.units === 'HU' && h < 2.5 ? (f: Foramen, partner: Foramen) => { const r = refitAtMirror(volume, f, partner, mirror); if (r) refitIds.add(r.id); return r; } : undefined;
  // below the disc the surface's row is numbered from the S1 endplate (its first pair opens within one S1
  // segment under it, surface-openings.ts), not from where the long axis' top lands
  // how far two tunnels of a level are from mirror images, about a plane between the whole sacrum's and their level's
  const mirrorOff = (a: Foramen, b: Foramen) => mirrorOffMm(a, b, surfacePlane, surfaceLevel([(a.anteriorLps[0] + b.anteriorLps[0]) / 2, (a.anteriorLps[1] + b.anteriorLps[1]) / 2, (a.anteriorLps[2] + b.anteriorLps[2]) / 2])?.offsetMm ?? 0);
  const { foramina: combined, doubts, courseDoubts } = frame ? combineForamina(insideForamina, surface.foramina, (p) => frame.curve.project(p).s, messages, { insideAxisMeasured: h < 2.5, surfaceNumberedFromDisc: frameBelowDisc && !!base, ...(refit ? { refit } : {}), mirrorOff }) : { foramina: insideForamina, doubts: {}, courseDoubts: new Set<ForamenId>() };
  for (const [id, why] of Object.entries(surface.doubts ?? {}) as [ForamenId, string][]) if (combined.some((f) => f.id === id)) { doubts[id] ??= why; courseDoubts.delete(id); }
  // below the disc the levels under S1 are trusted where the count is confirmed by a reading independent of
  // the row (surface-openings.ts: no level skipped, mirror pairs on their axes, each at the long axis' junction)
  if (frameBelowDisc) {
    for (const f of combined) if (f.level !== 'S1' && !surface.countedLevels?.includes(f.level)) { doubts[f.id] ??= 'counted down from S1 along the anterior surface read from the image: check its level'; courseDoubts.delete(f.id); }
  }
  // the level numbers taken only where the count or the L5/S1 disc confirms them (detect/numbering.ts): a long axis
  // that begins in L5 names every real tunnel one level too low
  const s1Centre = frame ? frame.frame.bodyCentersLps[0]! : null;
  let numbering = numberingDoubt(combined, disc, s1Centre);
  let foramina = combined;
  // in doubt: the level above the first one found, sought on the image where the row puts it (detect/level-above.ts)
  if (numbering && volume.units === 'HU') {
    const above = levelAbove(volume, combined, mirror, (fs) => numberingDoubt(fs, disc, s1Centre) === null, messages);
    if (above) {
      messages.push(above.message);
      foramina = above.foramina;
      numbering = null;
      // the doubts go with their tunnels, under the new names: those about a tunnel's course (courseDoubts) and the
      // rival tunnels of the surface's row; those about a level's number (a short chain numbered from the long axis,
      // a level above the chain out of its order, a count below the disc) are settled by the count just confirmed
      const re = (id: ForamenId) => above.renamed.get(id);
      const renameIn = (why: string) => why.replace(/\bS[1-4]_[LR]\b/g, (id) => re(id as ForamenId) ?? id);
      const moved: Partial<Record<ForamenId, string>> = {};
      for (const [id, why] of Object.entries(doubts) as [ForamenId, string][]) {
        const to = re(id);
        if (to && (courseDoubts.has(id) || surface.doubts?.[id] === why)) moved[to] = renameIn(why);
      }
      for (const id of Object.keys(doubts) as ForamenId[]) delete doubts[id];
      Object.assign(doubts, moved);
      const course = [...courseDoubts].map(re).filter((x): x is ForamenId => !!x);
      courseDoubts.clear();
      for (const id of course) courseDoubts.add(id);
      const refits = [...refitIds].map(re).filter((x): x is ForamenId => !!x);
      refitIds.clear();
      for (const id of refits) refitIds.add(id);
    }
  }
  // the row holds S2 and S3 and no S4: the S4 pair sought where the row puts it (detect/level-below.ts); a row whose
  // numbering is in doubt is not stepped on from
  if (!numbering && volume.units === 'HU') {
    const below = levelBelow(volume, foramina, mirrorOff, messages);
    if (below) {
      foramina = [...foramina, ...below];
      // shown as check: on the slices where the surface's map misses it the pair's radius is its fit's ring (fatty-thick4mm
      // S4 1.5/1.8 mm for 2.5: a thick slice averages its roof and floor in, and no wall is read), so its clearances would
      // err on the unsafe side; the user is taken to it
      for (const f of below) doubts[f.id] = 'found one step on from S3 where the row puts S4; its radius is the fit\'s, not read at its wall: check it';
    }
  }
  const rowAngles = [...anglesToRow(foramina.filter((f) => f.source === 'auto')).values()];
  if (rowAngles.length) messages.push(`foramina: the tunnels run at ${Math.min(...rowAngles).toFixed(0)}–${Math.max(...rowAngles).toFixed(0)}° to the row of their openings`);
  if (numbering) {
    messages.push(`foramina: ${numbering}; every level shown as check`);
    for (const f of foramina) if (f.source === 'auto') { doubts[f.id] = doubts[f.id] ? `${doubts[f.id]}; ${numbering}` : numbering; courseDoubts.delete(f.id); }
  }
  const candidates = inside.candidates;
  // the midline plane of each level that has both its foramina, about the frame's plane (evidence.ts mirrors the
  // pair about it)
  const levelMidlines: Partial<Record<SacralLevel, LevelMidline>> = {};
  if (frame) {
    const at = levelPlanes(plane ?? { normalLps: [1, 0, 0], pointLps: [x0, 0, 0] });
    for (const lv of ['S1', 'S2', 'S3', 'S4'] as const) {
      const L = foramina.find((f) => f.id === `${lv}_L`), R = foramina.find((f) => f.id === `${lv}_R`);
      if (!L || !R) continue;
      const lm = at([(L.anteriorLps[0] + R.anteriorLps[0]) / 2, (L.anteriorLps[1] + R.anteriorLps[1]) / 2, (L.anteriorLps[2] + R.anteriorLps[2]) / 2]);
      if (lm) levelMidlines[lv] = lm;
    }
    const moved = Object.entries(levelMidlines).filter(([, m]) => Math.abs(m.offsetMm) >= 1.5);
    if (moved.length) messages.push(`midline per level: ${moved.map(([lv, m]) => `${lv} ${Math.abs(m.offsetMm).toFixed(1)} mm ${m.offsetMm > 0 ? 'left' : 'right'} of the sacrum's plane (its section's mirror overlap ${m.overlap.toFixed(2)})`).join(', ')}`);
  }
  lap('surfaceOpenings');

  // the sacrum that planning and the zone map use: also the marrow its cortex encloses, however fatty
  // (enclosure.ts); thin slices only (thick-slice mode closes the bone generously already). None of it in
  // L5's column (the cortex-enclosed region reaches through the L5/S1 disc; sacral-base.ts).
  const planMask = segPlan?.mask ?? (cutForPlan ? segCut?.mask : null) ?? seg.mask;
  let sacrumWork = planMask;
  if (!same && hf < 2.5) {
    const reuse = cutForPlan && !segPlan ? cutEnclosed : null;
    const e = reuse ?? withEnclosedMarrow(volume, g, work, planMask, () => neighbourBones(seg.filled, planMask, g));
    sacrumWork = e.mask;
    messages.push(e.message);
    if (cutForPlan && !reuse) cutAboveSacralBase(sacrumWork, g, base!);
    lap('enclosedMarrow');
  }
  // a sacrum filled inside its cortex (the marrow enclosed, or the bone a 12 mm ball cannot enter where the shell
  // is breached) takes in the canal, which its roof closes over: the canal's lumen, traced along the sacrum in
  // front of its roof (canal-lumen.ts), is not the sacrum. Thin-slice CT (thick slices remove the dark lumen
  // open to the outside instead, sacrum-mask.ts).
  /** The canal landmark is the lumen traced in front of the roof (canal-lumen.ts), not the hole search's. */
  let canalTraced = false;
  if (frame && !same && hf < 2.5 && volume.units === 'HU') {
    const lum = traceCanalLumen(work, g, frame.curve, x0);
    if (lum) {
      // the canal landmark too, where the search for an enclosed hole found less of it below the disc
      // (below the L5/S1 disc: the lumen traced above it is L5's canal)
      const traced = lumenCanal(lum, base ? (p) => aboveSacralBase(base!, ...p) <= 0 : undefined);
      const ownPts = canalRes.canal ? canalRes.canal.centerlineLps.filter((p) => !base || aboveSacralBase(base, ...p) <= 0) : [];
      const own = canalLengthMm(ownPts);
      if (traced && own < 0.5 * canalLengthMm(traced.centerlineLps)) {
        messages.push(`canal: the enclosed-hole search follows ${own.toFixed(0)} mm of it below the L5/S1 disc; the lumen traced in front of the roof (${canalLengthMm(traced.centerlineLps).toFixed(0)} mm) taken instead`);
        canalRes.canal = traced;
        canalTraced = true;
      } else if (traced && canalOffLumen(ownPts, traced) && brightAlong(work, g, ownPts) > brightAlong(work, g, traced.centerlineLps)) {
        // the two disagree: the one whose line runs through darker voxels is in the lumen (a line that leaves the
        // canal crosses bone; the traced lumen keeps to the midline plane at x0 and leaves a canal tilted off it)
        messages.push('canal: the enclosed-hole search leaves the lumen traced in front of the roof (a centre outside it, its line through brighter voxels): the traced lumen taken instead');
        canalRes.canal = traced;
        canalTraced = true;
      }
      let removed = 0;
      for (let n = 0; n < sacrumWork.length; n++) if (lum.lumen[n] && sacrumWork[n]) removed++;
      if (removed) {
        sacrumWork = Uint8Array.from(sacrumWork);
        for (let n = 0; n < sacrumWork.length; n++) if (lum.lumen[n]) sacrumWork[n] = 0;
      }
      messages.push(`canal lumen: traced in ${lum.found} of ${lum.planes} planes across the sacrum; ${(removed * h * h * h / 1000).toFixed(1)} mL of it taken out of the sacrum mask`);
    }
    lap('canalLumen');
  }
  if (canalRes.canal && !same && hf < 2.5 && volume.units === 'HU') {
    // both searches place the canal's centres in planes laid by something else than the canal, and may stop short of
    // its ends (canal-ends.ts): the hole search's centres are measured again across its own course (the trace's are
    // not: canal-ends.ts recentredCanal), then it is followed on past both ends, cranially no farther than the sacral
    // base
    const rc = canalTraced ? { canal: canalRes.canal, moved: 0 } : recentredCanal(work, g, canalRes.canal);
    // bounded cranially by the L5/S1 disc: the one the mask was cut at (the sacrum's top as planning sees it), or else
    // one read and trusted (a disc in doubt is no bound: read at the search's steep limit it may lie far down the
    // sacrum, as fatty-funnel's, at 70°, 40 mm down)
    const top = base ?? (disc && disc.confidence?.trusted !== false ? disc : null);
    const ext = withCanalEnds(work, g, rc.canal, top ? (p) => aboveSacralBase(top, ...p) <= 0 : null);
    canalRes.canal = ext.canal;
    messages.push(canalTraced ? ext.message : `canal: ${rc.moved} of ${rc.canal.centerlineLps.length} centres measured again across its course; ${ext.message.replace(/^canal: /, '')}`);
  }
  const sacrumMask = maskToVolume(volume, g, sacrumWork);
  lap('maskToVolume');
  // the tunnels' axes, openings and radii, and the canal's radii, measured on the image (detect/measure.ts)
  measureLandmarks(volume, foramina, canalRes.canal, { gridMm: h, refitIds, mirror, messages, doubts }, lap);
  timingsMs.total = Math.round((now() - T0) * 10) / 10;
  void nab; void nc; void nb;
  return {
    anatomy: { foramina, canal: canalRes.canal, frame: frame ? tiltFrame(frame.frame, plane) : null, ...(maskCheck ? { maskCheck } : {}) },
    sacrumMask,
    diagnostics: {
      timingsMs, messages, midlineXLps: x0, workGrid: { dims: g.dims, spacingMm: h, originLps: g.originLps }, candidates, surfaceCandidates: surface.candidates, surfaceForamina: surface.foramina, doubts, courseDoubts: [...courseDoubts],
      ...(cutForPlan && base ? { sacralBase: base } : {}),
      ...(disc ? { disc } : {}),
      ...(Object.keys(levelMidlines).length ? { levelMidlines } : {}),
      ...(plane ? { midlinePlane: { normalLps: plane.normalLps, pointLps: plane.pointLps, aboutApDeg: plane.aboutApDeg, aboutSiDeg: plane.aboutSiDeg, overlap: plane.overlap } } : {}),
    },
  };
}
