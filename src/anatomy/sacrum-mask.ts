/**
 * Sacrum bone mask on an LPS-aligned working grid (see detect-grid.ts).
 *
 * 1. bone = HU > boneHu; optional closing (for thick-slice CT whose thin cortex is not resolved);
 *    3D hole filling, so the cancellous interior and lytic lesions enclosed by cortex are included.
 * 2. Separation from the ilia (SI joint gap) and L5 (disc): the filled bone is eroded by
 *    `coreErosionMm` (distance transform), which breaks the thin partial-volume bridges across
 *    the joint gap and the disc; the components ("cores") are labelled.
 * 3. The sacrum core is the most caudal core of at least `minCoreMl` whose midline part (the plane
 *    of left-right mirror symmetry of the bone) is not anterior to the body (that would be the pubis).
 * 4. Thin slices: all cores grow back competitively inside the filled bone, brightest voxels first
 *    (a marker-based watershed / priority flood, first-in first-out within a level), so a bridge is
 *    cut where it is darkest: in the joint. A sacrum core that still reaches farther than
 *    `fusedLateralMm` from the midline keeps only its central part as the marker. With the ball's fill
 *    (`breachBallMm`), on a crop whose lateral faces lie beyond the sacrum (`lateralCropFaces`), bone cut by
 *    those faces is ilium and marks it; a sacrum core reaching them is fused with that ilium, however short of
 *    `fusedLateralMm` the crop stops it. On grids that resolve the SI joint's cortical plate (`plateSplit`), the
 *    marrow spaces that plate parts mark the sacrum (its alae up to the joint) and the ilia (fused-joint.ts): a
 *    closed joint has nothing darker than the marrow to cut at, and an ilium whose fatty marrow left it no core
 *    has no other marker.
 *    Thick slices (`thick`): the sacrum grows from its core inside a generously closed bone region;
 *    its competitors are the other midline cores (L5, pubis) and all bone beyond `lateralMarkerMm`;
 *    bright bone is shared out by geodesic distance, the darker voxels by a weighted geodesic distance in
 *    which the ilia advance more slowly and L5 faster than the sacrum (weightedCompetitiveGrow). A
 *    thick-slice core reaching farther than `fusedLateralMm` from the midline (dense marrow: the eroded
 *    bone bridges the unresolved SI joints) is first split along its bright walls (fusedCoreSplit).
 */
import { fillHolesMask, labelComponents, squaredDistanceTo, dilateMask, erodeMask } from '../segmentation/morphology';
import type { WorkGrid } from './detect-grid';
import { nowMs } from '../core/clock';
import { mirrorPlane } from './symmetry';
import { ballEnclosed } from './enclosure';
import { type FusedCompartments, fusedCompartments } from './fused-joint';
import type { Vec3 } from '../core/vec3';
import { type SacralBase, findSacralBase, aboveSacralBase, inL5Column, marksL5 } from './sacral-base';

export interface SacrumMaskOptions {
  /** Bone threshold in HU (cortex and cancellous bone). */
  boneHu: number;
  /** Closing radius before hole filling (0 = none). */
  closingMm: number;
  /** Erosion depth that separates the sacrum core from the ilia and L5. */
  coreErosionMm: number;
  /** Smallest core volume considered (mL). */
  minCoreMl: number;
  /** A sacrum core reaching farther than this from the midline is taken as fused with the ilia. Default 62. */
  fusedLateralMm: number;
  /** Half-width of the sacrum marker used when the core is fused. Default 30. */
  sacrumMarkerMm: number;
  /**
   * LPS y (mm) anterior to which a core's midline part is taken as the pubic symphysis, not the sacrum.
   * Default: 10 mm anterior to the centroid of the body (HU > -300) in this grid.
   */
  anteriorLimitYLps?: number;
  /** Midline plane (working index along x) when already known; else found by mirror symmetry of the bone. */
  midlineA?: number;
  /**
   * Fill the bone as a ball of this radius (mm) sees it from outside (enclosure.ts ballEnclosed) instead of
   * filling its holes: gaps in the cortical shell narrower than the ball count as closed. For a fatty or
   * osteopenic sacrum whose shell is breached (a lytic lesion through the cortex into a foramen, a faint
   * cortex broken by partial volume), where a hole fill leaves no marrow to erode into a core.
   */
  breachBallMm?: number;
  /**
   * Thick-slice mode (cortex not resolved, fatty marrow): the sacrum grows back inside a separate,
   * generously closed bone region (`growHu`, `growClosingMm`) from its core; the competitors are the
   * other cores on the midline (L5, pubis) and the bone farther than `lateralMarkerMm` from the midline
   * (ilia, femora), so fragments of the sacrum's own shell do not compete.
   */
  thick?: ThickSliceOptions;
  /**
   * The L5/S1 boundary (sacral-base.ts): the L5 body column above the S1 endplate plane is cut off and the
   * midline bone above the boundary (L5) competes with the sacrum. 'find' seeks it on this grid; undefined: no plane (only the cores part L5).
   */
  sacralBase?: SacralBase | 'find';
  /**
   * Whether the grid's low-a and high-a faces are crop faces that lie beyond the sacrum (detect.ts: the fine grid
   * reaches 10 mm beyond the coarse sacrum on each side, the image's border aside). Bone cut by such a face is
   * ilium; a sacrum core that reaches it is split from the ilia as a fused one (thin slices, and only with
   * breachBallMm, whose fill closes the joints' gap: see segmentSacrumOnGrid).
   */
  lateralCropFaces?: readonly [boolean, boolean];
  /**
   * A fused core (thin slices) is split at the SI joint's cortical plate, between the marrow spaces of the sacrum
   * and the ilia (fused-joint.ts), where the grid resolves that plate (detect.ts: grids finer than 2.5 mm).
   */
  plateSplit?: boolean;
  /** With `plateSplit`: no mask (null) unless the marrow spaces mark something (a mask made only for what they change). */
  plateSplitOnly?: boolean;
}

/** Thick-slice growth (see SacrumMaskOptions.thick). */
export interface ThickSliceOptions {
  growHu: number;
  growClosingMm: number;
  lateralMarkerMm: number;
  /** Half-width of the midline strips of bone that mark the sacrum (below its core) and L5 (above it). Default 8. */
  stripMm?: number;
  /** Voxels brighter than this are shared out first (geodesic distance through bright bone), the rest afterwards. Default 150. */
  brightHu?: number;
  /**
   * Step costs [sacrum, lateral bone (ilia), other midline bone (L5 above, pubis)] of the weighted geodesic
   * distance by which the voxels left after the bright bone are shared out (positive integers; see
   * weightedCompetitiveGrow). Default [4, 10, 1]: the ilia advance 2.5× more slowly than the sacrum into the
   * unresolved joint, L5 4× faster into the disc and canal above the S1 endplate.
   */
  darkStepCost?: readonly [number, number, number];
  /** Voxels darker than this, connected through dark voxels to the outside of the mask (canal, foramina, fat), are removed. Default -40. */
  lumenHu?: number;
  /**
   * Voxels farther than this from the midline plane whose mirror image (within one voxel) is not in the
   * mask are removed (an asymmetric SI-joint split). Skipped when more than a quarter of the lateral
   * voxels would go (asymmetric anatomy). Default 20; Infinity turns it off.
   */
  symmetryTrimMm?: number;
}

export interface SacrumMaskResult {
  /** 1 = sacrum (filled), working grid. */
  mask: Uint8Array;
  /** HU > boneHu, working grid. */
  bone: Uint8Array;
  /** Filled bone of all bones, working grid. */
  filled: Uint8Array;
  /** Midline plane position as a (fractional) working index along x. */
  midlineA: number;
  /** The anterior limit used (LPS y), to pass on to a finer grid. */
  anteriorLimitYLps: number;
  /** The L5/S1 disc plane used (null: none found), to pass on to a finer grid. */
  sacralBase: SacralBase | null;
  messages: string[];
  /** What the mask was made from before the cores were chosen (bone, fill, erosion, cores): shared by a second call on the same grid (SacrumCores). */
  cores: SacrumCores;
}

/**
 * The part of segmentSacrumOnGrid that depends only on the image, the grid, the bone threshold, the closing,
 * the fill, the erosion depth and the midline: a second call on the same grid with the same values (the mask
 * made again, cut at the L5/S1 disc) takes it from the first call's result instead of computing it again.
 */
export interface SacrumCores {
  work: Float32Array;
  g: WorkGrid;
  boneHu: number;
  closingMm: number;
  breachBallMm: number | undefined;
  coreErosionMm: number;
  midlineA: number;
  bone: Uint8Array;
  filled: Uint8Array;
  ids: Int32Array;
  sizes: number[];
  /** Per core: sum of b and c over its midline voxels (3 per id, [_, b, c]), their count, and its farthest reach from the midline (mm). */
  mid: Float64Array;
  crossing: Int32Array;
  maxDx: Float64Array;
  /** Sum of b and count over the voxels above −300 HU (the body). */
  bodyY: number;
  bodyCount: number;
  /** The marrow spaces (fused-joint.ts) once made on these cores, with the options they were made with (`key`). */
  spaces?: { key: string; value: FusedCompartments | string };
  /**
   * The voxels above the L5/S1 boundary `base`, marking L5, and in the L5 column, once made on this grid for that
   * boundary (the mask for planning, made with the cut mask's boundary, reads the same three: detect.ts). Read only.
   */
  baseMarks?: { base: SacralBase; cranial: Uint8Array; l5: Uint8Array; cut: Uint8Array };
}

function sameCores(c: SacrumCores | undefined, work: Float32Array, g: WorkGrid, opts: SacrumMaskOptions): c is SacrumCores {
  return !!c && c.work === work && c.g === g && c.boneHu === opts.boneHu && c.closingMm === opts.closingMm && c.breachBallMm === opts.breachBallMm
    && c.coreErosionMm === opts.coreErosionMm && opts.midlineA !== undefined && c.midlineA === opts.midlineA;
}

/**
 * Left-right mirror symmetry of a mask: the plane a = m (working index, half-voxel resolution,
 * parabolic refinement) that maximises the overlap of the mask with its mirror image.
 * Searched within ±searchMm of `aroundA` (default: the mask's x centroid).
 */
export function mirrorMidline(mask: Uint8Array, g: WorkGrid, searchMm = 40, aroundA?: number): number {
  const [na, nb, nc] = g.dims;
  let sx = 0, cnt = 0;
  const pts: number[] = [];
  for (let c = 0; c < nc; c++) for (let b = 0; b < nb; b++) {
    const row = na * (b + nb * c);
    for (let a = 0; a < na; a++) if (mask[row + a]) { sx += a; cnt++; pts.push(row, a); }
  }
  if (cnt === 0) return (na - 1) / 2;
  const centre = aroundA ?? sx / cnt;
  const range = Math.ceil(searchMm / g.spacingMm);
  // candidate plane a = s/2 for integer s
  const s0 = Math.max(0, Math.round(2 * centre) - 2 * range), s1 = Math.min(2 * (na - 1), Math.round(2 * centre) + 2 * range);
  const stride = Math.max(1, Math.floor(pts.length / 2 / 200000));
  const scores = new Float64Array(s1 - s0 + 1);
  for (let p = 0; p < pts.length; p += 2 * stride) {
    const row = pts[p]!, a = pts[p + 1]!;
    for (let s = s0; s <= s1; s++) {
      const m = s - a;
      if (m >= 0 && m < na && mask[row + m]) scores[s - s0]!++;
    }
  }
  let best = 0;
  for (let t = 1; t < scores.length; t++) if (scores[t]! > scores[best]!) best = t;
  let frac = 0;
  if (best > 0 && best < scores.length - 1) {
    const l = scores[best - 1]!, c = scores[best]!, r = scores[best + 1]!;
    const den = l - 2 * c + r;
    if (den < 0) frac = 0.5 * (l - r) / den;
  }
  return (s0 + best + frac) / 2;
}

/** Half-width of the midline strip whose most anterior bone marks a sacral body, and the depth marked (mm). */
const STRIP_MM = 4, FRONT_MARK_MM = 10;

/** Calls f with the offset of each 6-neighbour of voxel n (i fastest) inside the grid. */
function forNeighbours6(n: number, dims: readonly [number, number, number], f: (m: number) => void): void {
  const [na, nb, nc] = dims;
  const nab = na * nb;
  const c = (n / nab) | 0, r = n - c * nab, b = (r / na) | 0, a = r - b * na;
  if (a > 0) f(n - 1);
  if (a < na - 1) f(n + 1);
  if (b > 0) f(n - na);
  if (b < nb - 1) f(n + na);
  if (c > 0) f(n - nab);
  if (c < nc - 1) f(n + nab);
}

/**
 * Competitive priority flood: unlabelled voxels of `allowed` take the label of the neighbour
 * they are reached from; the flood proceeds from the brightest value down (bucket queue on
 * `value` clamped to [lo, hi]). Mutates and returns `labels`.
 */
export function competitiveGrow(labels: Int32Array, allowed: Uint8Array, value: Float32Array, dims: readonly [number, number, number], lo: number, hi: number, nBuckets = 128): Int32Array {
  const buckets: number[][] = [];
  for (let t = 0; t < nBuckets; t++) buckets.push([]);
  const bucketOf = (v: number) => Math.max(0, Math.min(nBuckets - 1, Math.floor(((v - lo) / (hi - lo)) * (nBuckets - 1))));
  for (let n = 0; n < labels.length; n++) if (labels[n]) buckets[nBuckets - 1]!.push(n);
  const [na, nb, nc] = dims;
  const nab = na * nb;
  // per voxel, the grid faces it lies on (bit k: no neighbour k), so that a voxel taken from a queue needs no division
  const face = new Uint8Array(labels.length);
  for (let c = 0, n = 0; c < nc; c++) for (let b = 0; b < nb; b++) {
    const fb = (b === 0 ? 4 : 0) | (b === nb - 1 ? 8 : 0) | (c === 0 ? 16 : 0) | (c === nc - 1 ? 32 : 0);
    for (let a = 0; a < na; a++, n++) face[n] = fb | (a === 0 ? 1 : 0) | (a === na - 1 ? 2 : 0);
  }
  const step = [-1, 1, -na, na, -nab, nab];
  for (let t = nBuckets - 1; t >= 0; t--) {
    const q = buckets[t]!;
    // first in, first out within a level: plateaus (e.g. dark marrow below `lo`) are shared out by distance
    for (let head = 0; head < q.length; head++) {
      const n = q[head]!;
      const l = labels[n]!;
      // the 6 neighbours in forNeighbours6's order, written out (no callback per voxel)
      const f = face[n]!;
      for (let k = 0; k < 6; k++) {
        if (f & (1 << k)) continue;
        const m = n + step[k]!;
        if (allowed[m] && !labels[m]) {
          labels[m] = l;
          buckets[Math.min(t, bucketOf(value[m]!))]!.push(m);
        }
      }
    }
  }
  return labels;
}

/**
 * Two-phase competitive growth (thick-slice mode). Phase 1: the voxels of `allowed` brighter than
 * `brightHu` are shared out by geodesic distance through bright voxels, every label at the same speed
 * (breadth first). Phase 2: the remaining voxels of `allowed` (darker, or bright but not reached through
 * bright voxels) are shared out by a weighted geodesic distance from all labelled voxels, one 6-neighbour
 * step of label l costing `stepCost[l]` (a positive integer; Dial's bucket queue): a label with a larger
 * step cost advances more slowly, so a dark gap between two labelled fronts is split in the ratio of the
 * costs instead of halfway. Labels absent from `stepCost` must not occur. Mutates and returns `labels`.
 */
export function weightedCompetitiveGrow(labels: Int32Array, allowed: Uint8Array, value: Float32Array, dims: readonly [number, number, number], brightHu: number, stepCost: readonly number[]): Int32Array {
  const N = labels.length;
  const forNeighbours = (n: number, f: (m: number) => void) => forNeighbours6(n, dims, f);
  // phase 1: bright voxels, breadth first from every labelled voxel
  const q: number[] = [];
  for (let n = 0; n < N; n++) if (labels[n]) q.push(n);
  for (let head = 0; head < q.length; head++) {
    const n = q[head]!, l = labels[n]!;
    forNeighbours(n, (m) => { if (allowed[m] && !labels[m] && value[m]! > brightHu) { labels[m] = l; q.push(m); } });
  }
  // phase 2: the rest, shortest weighted paths from every labelled voxel; a voxel takes the label of
  // the front that settles it first
  const dist = new Float64Array(N).fill(Infinity);
  const from = new Int32Array(N);
  const buckets: number[][] = [q];
  for (const n of q) dist[n] = 0;
  for (let d = 0; d < buckets.length; d++) {
    const bq = buckets[d];
    if (!bq) continue;
    for (let head = 0; head < bq.length; head++) {
      const n = bq[head]!;
      if (dist[n]! < d) continue; // reached again later by a shorter path
      if (!labels[n]) labels[n] = from[n]!;
      const l = labels[n]!;
      const nd = d + stepCost[l]!;
      forNeighbours(n, (m) => {
        if (allowed[m] && !labels[m] && nd < dist[m]!) { dist[m] = nd; from[m] = l; (buckets[nd] ??= []).push(m); }
      });
    }
    buckets[d] = [];
  }
  return labels;
}

/**
 * Splits a sacrum core fused with the ilia (thick slices, dense marrow): its voxels within `innerMm` of
 * the midline plane (a = midlineA) seed the sacrum (1), those beyond `outerMm` the ilia (2); the rest of
 * the core is flooded darkest first (a marker watershed on the inverted intensity, so that each front fills
 * its own marrow before it crosses a cortex): the fronts meet on the bright walls between them, the
 * subchondral plates of the SI joint. Returns the labels (0 outside the core).
 */
export function fusedCoreSplit(ids: Int32Array, coreId: number, work: Float32Array, g: WorkGrid, midlineA: number, innerMm: number, outerMm: number): Int32Array {
  const [na, nb, nc] = g.dims;
  const N = ids.length, h = g.spacingMm;
  const labels = new Int32Array(N);
  const allowed = new Uint8Array(N);
  const neg = new Float32Array(N);
  for (let c = 0, n = 0; c < nc; c++) for (let b = 0; b < nb; b++) for (let a = 0; a < na; a++, n++) {
    if (ids[n] !== coreId) continue;
    allowed[n] = 1;
    neg[n] = -work[n]!;
    const dx = Math.abs(a - midlineA) * h;
    if (dx <= innerMm) labels[n] = 1;
    else if (dx >= outerMm) labels[n] = 2;
  }
  return competitiveGrow(labels, allowed, neg, g.dims, -1000, -150, 256);
}

/**
 * Removes from `mask` (in place) its voxels darker than `darkHu` that are connected, through voxels darker
 * than `darkHu` (6-connected), to a dark voxel outside the mask. Returns the number removed.
 */
export function removeOpenLumen(mask: Uint8Array, value: Float32Array, dims: readonly [number, number, number], darkHu: number): number {
  const N = mask.length;
  const dark = new Uint8Array(N);
  for (let n = 0; n < N; n++) dark[n] = value[n]! < darkHu ? 1 : 0;
  const { ids, sizes } = labelComponents(dark, dims, 6);
  const open = new Uint8Array(sizes.length);
  for (let n = 0; n < N; n++) if (dark[n] && !mask[n]) open[ids[n]!] = 1;
  let removed = 0;
  for (let n = 0; n < N; n++) if (mask[n] && dark[n] && open[ids[n]!]) { mask[n] = 0; removed++; }
  return removed;
}

/** Bone, fill, erosion and cores of segmentSacrumOnGrid (see SacrumCores). */
function sacrumCores(work: Float32Array, g: WorkGrid, opts: SacrumMaskOptions, lap: (name: string) => void): SacrumCores {
  const dims = g.dims;
  const [na, nb, nc] = dims;
  const h = g.spacingMm;
  const sp: [number, number, number] = [h, h, h];
  const N = work.length;
  const bone = new Uint8Array(N);
  for (let n = 0; n < N; n++) bone[n] = work[n]! > opts.boneHu ? 1 : 0;
  let closed: Uint8Array = bone;
  if (opts.closingMm > 0) closed = erodeMask(dilateMask(bone, dims, sp, opts.closingMm), dims, sp, opts.closingMm);
  // a voxel outside bone stays out unless the closing filled it
  const filled = opts.breachBallMm ? ballEnclosed(closed, dims, h, opts.breachBallMm) : fillHolesMask(closed, dims);
  lap('mask.fill');
  const midlineA = opts.midlineA ?? mirrorMidline(bone, g);
  lap('mask.midline');
  const d2 = squaredDistanceTo(filled, dims, sp, 0);
  const r2 = opts.coreErosionMm * opts.coreErosionMm;
  const core = new Uint8Array(N);
  for (let n = 0; n < N; n++) core[n] = filled[n] && d2[n]! > r2 ? 1 : 0;
  lap('mask.edt');
  const { ids, sizes } = labelComponents(core, dims, 6);
  lap('mask.cores');
  const nComp = sizes.length - 1;
  // per core: size, and centroid of its midline part (|x - midline| ≤ 1 voxel)
  const mid = new Float64Array(3 * (nComp + 1));
  const crossing = new Int32Array(nComp + 1);
  const maxDx = new Float64Array(nComp + 1);
  let bodyY = 0, bodyCount = 0;
  const midA = Math.round(midlineA);
  for (let c = 0, n = 0; c < nc; c++) for (let b = 0; b < nb; b++) for (let a = 0; a < na; a++, n++) {
    if (work[n]! > -300) { bodyY += b; bodyCount++; }
    const id = ids[n]!;
    if (!id) continue;
    const dx = Math.abs(a - midlineA) * h;
    if (dx > maxDx[id]!) maxDx[id] = dx;
    if (Math.abs(a - midA) <= 1) {
      crossing[id] = crossing[id]! + 1;
      mid[3 * id + 1] = mid[3 * id + 1]! + b; mid[3 * id + 2] = mid[3 * id + 2]! + c;
    }
  }
  return { work, g, boneHu: opts.boneHu, closingMm: opts.closingMm, breachBallMm: opts.breachBallMm, coreErosionMm: opts.coreErosionMm, midlineA, bone, filled, ids, sizes, mid, crossing, maxDx, bodyY, bodyCount };
}

/**
 * The sacrum mask on a working grid (see the top of this file). `reuse`: an earlier result on the same grid
 * whose cores (SacrumCores) are taken when they were made with the same values (the mask cut at the L5/S1
 * disc after the first one).
 */
export function segmentSacrumOnGrid(work: Float32Array, g: WorkGrid, opts: SacrumMaskOptions, timingsMs?: Record<string, number>, reuse?: SacrumMaskResult | null): SacrumMaskResult | null {
  let t = nowMs();
  const lap = (name: string) => { const n = nowMs(); if (timingsMs) timingsMs[name] = Math.round((n - t) * 10) / 10; t = n; };
  const messages: string[] = [];
  const dims = g.dims;
  const [na, nb, nc] = dims;
  const h = g.spacingMm;
  const sp: [number, number, number] = [h, h, h];
  const N = work.length;
  const cores = sameCores(reuse?.cores, work, g, opts) ? reuse.cores : sacrumCores(work, g, opts, lap);
  const { bone, filled, midlineA, ids, sizes, mid, crossing, maxDx, bodyY, bodyCount } = cores;
  const nComp = sizes.length - 1;
  const midA = Math.round(midlineA);
  if (bodyCount === 0) { messages.push('no body above -300 HU'); return null; }
  const bodyCy = bodyY / bodyCount;
  const limitB = opts.anteriorLimitYLps !== undefined ? (opts.anteriorLimitYLps - g.originLps[1]) / h : bodyCy - 10 / h;
  const voxMl = (h * h * h) / 1000;
  let maxSize = 0;
  const cands: number[] = [];
  for (let id = 1; id <= nComp; id++) {
    const size = sizes[id]!;
    if (size * voxMl < opts.minCoreMl || crossing[id]! < 3) continue;
    const cy = mid[3 * id + 1]! / crossing[id]!;
    if (cy < limitB) continue; // midline part anterior: pubic symphysis
    cands.push(id);
    maxSize = Math.max(maxSize, size);
  }
  if (cands.length === 0) { messages.push('no bone core straddles the midline posteriorly'); return null; }
  // a mask made only for what the marrow spaces change (plateSplitOnly) is none where they mark nothing: known from the
  // spaces alone, before the boundary's voxels are marked and the sacrum's core chosen (the thin-slice branch below;
  // the thick one makes its mask regardless)
  const spacesKey = `${opts.sacrumMarkerMm} ${opts.fusedLateralMm} ${opts.lateralCropFaces?.join(' ')}`;
  if (opts.plateSplit && !opts.thick && cores.spaces?.key !== spacesKey) cores.spaces = { key: spacesKey, value: fusedCompartments(work, filled, bone, g, midlineA, opts.sacrumMarkerMm, opts.fusedLateralMm, opts.lateralCropFaces) };
  if (opts.plateSplitOnly && !opts.thick && typeof cores.spaces!.value === 'string') return null;
  const base = opts.sacralBase === 'find' ? findSacralBase(work, g, midlineA, limitB, opts.boneHu, messages) : (opts.sacralBase ?? null);
  // per voxel: cranial to the S1 endplate plane; L5 marker where bone; cut off (the L5 body column)
  let cranial: Uint8Array | null = null, l5: Uint8Array | null = null, cut: Uint8Array | null = null;
  let sacrumId = 0;
  const sacralCores = new Set<number>();
  if (base) {
    if (cores.baseMarks?.base === base) ({ cranial, l5, cut } = cores.baseMarks);
    else {
      cranial = new Uint8Array(N); l5 = new Uint8Array(N); cut = new Uint8Array(N);
      for (let c = 0, n = 0; c < nc; c++) for (let b = 0; b < nb; b++) for (let a = 0; a < na; a++, n++) {
        const x = g.originLps[0] + a * h, y = g.originLps[1] + b * h, z = g.originLps[2] + c * h;
        if (aboveSacralBase(base, x, y, z) > 0) cranial[n] = 1;
        if (marksL5(base, x, y, z)) l5[n] = 1;
        if (inL5Column(base, x, y, z)) cut[n] = 1;
      }
      cores.baseMarks = { base, cranial, l5, cut };
    }
    // the sacrum core is the core with the most midline voxels caudal to the disc plane within the auricular
    // range (the midline bone that articulates with both ilia)
    const inRange = new Float64Array(nComp + 1);
    const cLo = (base.contactZ[0] - g.originLps[2]) / h;
    for (let c = Math.max(0, Math.floor(cLo)), n0 = 0; c < nc; c++) for (let b = Math.max(0, Math.ceil(limitB)); b < nb; b++) {
      n0 = na * (b + nb * c);
      for (let a = midA - 1; a <= midA + 1; a++) {
        const n = n0 + a;
        if (a >= 0 && a < na && ids[n] && !cranial[n]) inRange[ids[n]!] = inRange[ids[n]!]! + 1;
      }
    }
    let most = 0;
    for (const id of cands) if (inRange[id]! > most) { most = inRange[id]!; sacrumId = id; }
    // the other cores whose midline part lies caudal to the disc plane and behind the anterior limit are the
    // sacrum too (the lower sacral segments and the coccyx, cut off from S1 by the erosion)
    if (sacrumId) for (const id of cands) {
      const cy = mid[3 * id + 1]! / crossing[id]!, cz = mid[3 * id + 2]! / crossing[id]!;
      if (id !== sacrumId && aboveSacralBase(base, g.originLps[0] + midlineA * h, g.originLps[1] + cy * h, g.originLps[2] + cz * h) < 0) sacralCores.add(id);
    }
  }
  if (!sacrumId) {
    // no disc plane: the most caudal sizeable core
    let bestZ = Infinity;
    for (const id of cands) {
      if (!opts.thick && sizes[id]! < 0.1 * maxSize) continue;
      const cz = mid[3 * id + 2]! / crossing[id]!;
      if (cz < bestZ) { bestZ = cz; sacrumId = id; }
    }
  }
  const labels = new Int32Array(N);
  if (opts.thick) {
    const th = opts.thick;
    const gb = new Uint8Array(N);
    for (let n = 0; n < N; n++) gb[n] = work[n]! > th.growHu ? 1 : 0;
    const grow = fillHolesMask(erodeMask(dilateMask(gb, dims, sp, th.growClosingMm), dims, sp, th.growClosingMm), dims);
    const midCores = new Uint8Array(nComp + 1);
    for (const id of cands) if (id !== sacrumId) midCores[id] = 1;
    for (let n = 0; n < N; n++) if (crossing[ids[n]!]! >= 3 && ids[n] !== sacrumId) midCores[ids[n]!] = 1;
    // extent of the sacrum core: its centroid level, its top and its anterior edge (working indices)
    // (and the lowest level of every other midline core)
    let coreC = 0, coreN = 0, coreTop = -1, coreFront = nb, coreBack = -1;
    const minC = new Int32Array(nComp + 1).fill(nc);
    for (let c = 0, n = 0; c < nc; c++) for (let b = 0; b < nb; b++) for (let a = 0; a < na; a++, n++) {
      const id = ids[n]!;
      if (id && midCores[id] && c < minC[id]!) minC[id] = c;
      if (id !== sacrumId) continue;
      coreC += c; coreN++;
      if (c > coreTop) coreTop = c;
      if (b < coreFront) coreFront = b;
      if (b > coreBack) coreBack = b;
    }
    coreC /= Math.max(1, coreN);
    // a midline core behind the sacral body that starts no higher than the body's top is the sacrum's own
    // posterior arch (spinous tubercle, median crest), not L5: it does not compete
    for (let id = 1; id <= nComp; id++) {
      if (!midCores[id] || !crossing[id]) continue;
      const cy = mid[3 * id + 1]! / crossing[id]!;
      if (cy > coreBack && minC[id]! <= coreTop + 2) midCores[id] = 0;
    }
    for (const id of sacralCores) midCores[id] = 0;
    // the core is the S1 body only (the fatty marrow of the lower sacrum does not survive the erosion): the
    // bone of the midline strip below its centre (posterior to the anterior limit) marks the sacrum too,
    // and the bone of the strip two voxels above its top marks L5
    const stripMm = th.stripMm ?? 8;
    const brightHu = th.brightHu ?? 150;
    for (let c = 0, n = 0; c < nc; c++) for (let b = 0; b < nb; b++) for (let a = 0; a < na; a++, n++) {
      if (!grow[n]) continue;
      const id = ids[n]!;
      const dxMm = Math.abs(a - midlineA) * h;
      if (id === sacrumId || (sacralCores.has(id) && dxMm <= opts.sacrumMarkerMm)) labels[n] = 1;
      else if (id && midCores[id]) labels[n] = 3;
      else if (dxMm > th.lateralMarkerMm) labels[n] = 2;
      else if (dxMm <= stripMm && work[n]! > opts.boneHu) {
        if (c >= coreTop + 2) labels[n] = 3;
        else if (c <= coreC && b >= coreFront - 3 && b >= limitB) labels[n] = 1;
      }
    }
    // a core reaching farther than `fusedLateralMm` from the midline holds the ilia too (dense marrow: the
    // eroded bone bridges the unresolved SI joints): it is split along its bright walls (fusedCoreSplit)
    const fusedThick = maxDx[sacrumId]! > opts.fusedLateralMm;
    if (fusedThick) {
      const s = fusedCoreSplit(ids, sacrumId, work, g, midlineA, opts.sacrumMarkerMm, opts.fusedLateralMm);
      for (let n = 0; n < N; n++) if (ids[n] === sacrumId && grow[n]) labels[n] = s[n]!;
      messages.push(`thick-slice mode: sacrum core reaches ${Math.round(maxDx[sacrumId]!)} mm from the midline: split from the ilia along its bright walls`);
    }
    // (the L5/S1 boundary, when known, only cuts the L5 body column off afterwards: the midline strip above the
    // core's top marks L5 as before; L5 marked lower, at the endplate, with its fast front takes the fatty S1
    // body and alae through their marrow: Dice against TotalSegmentator 0.858 → 0.805, or 0.840 slowed to the
    // sacrum's pace)
    let m1 = 0, m2 = 0, nMid = 0;
    for (let n = 0; n < N; n++) { if (labels[n] === 1) m1++; else if (labels[n]! >= 2) m2++; }
    for (let id = 1; id <= nComp; id++) if (midCores[id]) nMid++;
    messages.push(`thick-slice mode: sacrum grown from its core and the midline bone below it (${m1} voxels) inside the closed bone region against ${nMid} other midline cores, the midline bone above it and the lateral bone (${m2} marker voxels)`);
    lap('mask.select');
    // bright bone (> brightHu: cortex, subchondral bone) is shared out first by geodesic distance, then the
    // darker voxels (fatty marrow, joint and disc partial volume, fat closed in) by a weighted geodesic
    // distance: labels 1 = sacrum, 2 = lateral bone (ilia), 3 = other midline bone (L5, pubis)
    // Anatomy of the darker voxels left between the fronts (measured on a 3 mm CT with fatty marrow, Dice
    // against TotalSegmentator 0.826 with all fronts at the same speed → 0.858):
    //  - SI joint: the iliac subchondral plate is dense (bright, taken in the bright phase with the ilium) and
    //    the sacral articular cartilage is thicker than the iliac one, so the unresolved grey band between
    //    the ilium's bright plate and the sacrum's bright bone is mostly sacral ala: the ilia advance more
    //    slowly (alone: 0.826 → 0.836 at 2×; beyond 3× the sacrum leaks into the iliac marrow through gaps
    //    in the iliac cortex);
    //  - above the S1 endplate (bright, sacral) lie the L5/S1 disc, the canal contents and the facet joints:
    //    soft tissue of the mobile segment, not sacrum, so the midline bone above (L5) advances faster
    //    (alone: 0.826 → 0.846 at 4×; from 6× on L5 leaks into the S1 marrow through the endplate).
    // Dice stays ≥ 0.851 for ilium slowdowns 2–3× combined with L5 speedups 2.7–5×.
    const [costSacrum, costLateral, costMidline] = th.darkStepCost ?? [4, 10, 1];
    weightedCompetitiveGrow(labels, grow, work, dims, brightHu, [0, costSacrum, costLateral, costMidline]);
    lap('mask.grow');
  } else {
  // a sacrum core that reaches far laterally is fused with the ilia (no visible joint gap):
  // keep its central part as the sacrum marker and its lateral parts as ilium markers
  let fused = maxDx[sacrumId]! > opts.fusedLateralMm;
  if (fused) messages.push(`sacrum core reaches ${Math.round(maxDx[sacrumId]!)} mm from the midline: split from the ilia by lateral markers`);
  // The bone a ball cannot enter (breachBallMm) closes the SI joints' gap too, so the sacrum and the ilia are one
  // filled region and, past the erosion, one core. The gap is still darker than the plates either side, and the
  // bright-first flood cuts it there, but only if the ilium has a marker: on a crop whose lateral face lies
  // beyond the sacrum (lateralCropFaces) the core reaching that face holds the ilium the crop cut, however short
  // of fusedLateralMm the crop stops it, and no core voxel lies beyond fusedLateralMm to mark it. The filled bone
  // on that face then marks the ilium, whose shell so takes part in the flood from the start (osteopenic.json:
  // 9.7 mL of ilium beyond the joint before, none after). Not with a plain hole fill: there the open joint gap
  // parts the cores, and a core that still reaches the face is joined to the ilium by bright bone (4–5 mm slices
  // blur the joint over), where the face's marker takes the sacral shell and most of the fatty marrow with it
  // (fatty-thick5mm.json: the landmark mask lost 23 % of its voxels, and the S2 L tunnel 13 mm of its posterior end).
  const [cropLo, cropHi] = opts.breachBallMm ? (opts.lateralCropFaces ?? [false, false]) : [false, false];
  let faceRows = 0;
  if (cropLo || cropHi) for (let c = 0; c < nc; c++) for (let b = 0; b < nb; b++) {
    const r = na * (b + nb * c);
    if ((cropLo && ids[r] === sacrumId) || (cropHi && ids[r + na - 1] === sacrumId)) faceRows++;
  }
  if (faceRows > 0) {
    messages.push(`sacrum core reaches the crop's lateral face beyond the sacrum in ${faceRows} rows (the ilium, joined across the SI joint): split from the ilia by markers on that face`);
    fused = true;
  }
  // on a grid that resolves the SI joint's cortical plate, the marrow spaces of the sacrum and of the ilia mark them
  // (fused-joint.ts): a fused core is split at that plate, however far the joint lies from the midline, and an ilium
  // whose fatty marrow left it no core of its own is marked by that marrow; the distance markers where the plate does
  // not part them
  // (made above, once for the cores: the mask cut at the L5/S1 disc reuses the first mask's, detect.ts)
  const split = opts.plateSplit ? cores.spaces!.value : null;
  const spaces = typeof split === 'string' ? null : split;
  const ml = h * h * h / 1000;
  if (opts.plateSplitOnly && !(spaces && (fused || spaces.iliumVox > 0))) return null;
  if (spaces && (fused || spaces.iliumVox > 0)) {
    messages.push(`${fused ? 'sacrum fused with the ilia: split at the joint\'s cortical plate, between' : 'sacrum and ilia marked by'} the marrow of the sacrum (${(spaces.sacrumVox * ml).toFixed(0)} mL, reaching ${spaces.sacrumReachMm.toFixed(0)} mm from the midline) and that of the ilia (${(spaces.iliumVox * ml).toFixed(0)} mL)`);
  } else if (fused && typeof split === 'string') messages.push(`sacrum fused with the ilia, not split by marrow spaces: ${split}`);
  for (let c = 0, n = 0; c < nc; c++) for (let b = 0; b < nb; b++) for (let a = 0; a < na; a++, n++) {
    const id = ids[n]!;
    if (faceRows > 0 && filled[n] && ((cropLo && a === 0) || (cropHi && a === na - 1))) { labels[n] = 2; continue; }
    if (spaces) {
      const s = spaces.labels[n]!;
      if (s === 2) { labels[n] = 2; continue; }
      // (the sacrum's marrow lateral to the body, where no other core lies: the ala up to its joint; near the midline
      // the space may hold L5's marrow too, which the cores part)
      if (s === 1 && (id === sacrumId || (!id && Math.abs(a - midlineA) * h > opts.sacrumMarkerMm))) { labels[n] = 1; continue; }
    }
    if (!id) continue;
    if (sacralCores.has(id)) { labels[n] = Math.abs(a - midlineA) * h <= opts.sacrumMarkerMm ? 1 : 2; continue; }
    if (id !== sacrumId) { labels[n] = 2; continue; }
    if (!fused) { labels[n] = 1; continue; }
    const dx = Math.abs(a - midlineA) * h;
    if (dx <= opts.sacrumMarkerMm) labels[n] = 1;
    else if (dx >= opts.fusedLateralMm) labels[n] = 2;
  }
  // the midline bone above the L5/S1 boundary and the L5 body column are L5: they compete
  if (cranial && l5 && cut) {
    // the sacrum's markers lie caudal to the endplate plane (a core that takes in L5 marks only its sacral part)
    for (let n = 0; n < N; n++) {
      if (filled[n] && (l5[n] || cut[n])) labels[n] = 2;
      else if (labels[n] === 1 && cranial[n]) labels[n] = 0;
    }
    // a fatty sacrum leaves no core below S1: in every axial section whose most anterior midline bone
    // (behind the anterior limit: not the pubis) lies caudal to the disc plane, that bone is the front of a
    // sacral body (L5's posterior arch, which may reach below the plane, is never the most anterior) and marks
    // the sacrum
    const stripA = Math.max(1, Math.round(STRIP_MM / h)), depth = Math.round(FRONT_MARK_MM / h);
    for (let c = 0; c < nc; c++) for (let a = midA - stripA; a <= midA + stripA; a++) {
      if (a < 0 || a >= na) continue;
      for (let b = Math.max(0, Math.ceil(limitB)); b < nb; b++) {
        const n = a + na * (b + nb * c);
        if (!(work[n]! > opts.boneHu)) continue;
        if (cranial[n]) break;
        for (let k = b; k < Math.min(nb, b + depth); k++) { const m = a + na * (k + nb * c); if (filled[m] && !cranial[m] && !l5[m]) labels[m] = 1; }
        break;
      }
    }
  }
  lap('mask.select');
  competitiveGrow(labels, filled, work, dims, opts.boneHu, 1200);
  lap('mask.grow');
  }
  const raw = new Uint8Array(N);
  for (let n = 0; n < N; n++) raw[n] = labels[n] === 1 ? 1 : 0;
  if (opts.thick) {
    // the generous closing filled the canal, the foramina and fat between the crests: dark voxels
    // connected through dark voxels to the outside of the mask are not bone
    const removed = removeOpenLumen(raw, work, dims, opts.thick.lumenHu ?? -40);
    messages.push(`thick-slice mode: ${removed} dark voxels open to the outside (canal, foramina, fat) removed from the sacrum`);
    // the split at unresolved SI joints falls on each side independently (the posterior ilium of one side,
    // the joint rim of the other): lateral parts with no mirror image are not the sacrum
    const trimMm = opts.thick.symmetryTrimMm ?? 20;
    if (trimMm < Infinity) {
      const plane = mirrorPlane(raw, g, { x0Lps: g.originLps[0] + midlineA * h, maxTiltDeg: 15, maxPoints: 8000, enoughOverlap: 0.95 });
      if (plane) {
        const t = trimAsymmetric(raw, g, plane.normalLps, plane.pointLps, trimMm);
        messages.push(t.skipped ? `thick-slice mode: symmetry trim skipped (${t.removed} lateral voxels without a mirror image, too many: asymmetric anatomy)` : `thick-slice mode: ${t.removed} lateral voxels without a mirror image removed (symmetry about the midline plane)`);
      }
    }
  }
  // L5's column off (after the lumen removal: the canal above the sacrum, which the cut opens, is not the
  // sacrum's own lumen)
  if (cut) for (let n = 0; n < N; n++) if (cut[n]) raw[n] = 0;
  // keep the largest connected piece, fill its holes
  const comp = labelComponents(raw, dims, 6);
  let big = 0;
  for (let id = 1; id < comp.sizes.length; id++) if (comp.sizes[id]! > (comp.sizes[big] ?? 0)) big = id;
  const one = new Uint8Array(N);
  for (let n = 0; n < N; n++) one[n] = comp.ids[n] === big && big > 0 ? 1 : 0;
  const mask = fillHolesMask(one, dims);
  lap('mask.final');
  return { mask, bone, filled, midlineA, anteriorLimitYLps: g.originLps[1] + limitB * h, sacralBase: base, messages, cores };
}

/**
 * Removes (in place) the mask voxels farther than `minDistMm` from the plane (unit normal `n` through `p`,
 * LPS) whose mirror image through the plane has no mask voxel within one voxel (6-neighbourhood).
 * Nothing is removed (`skipped`) when more than `maxFraction` of those lateral voxels would go.
 */
export function trimAsymmetric(mask: Uint8Array, g: WorkGrid, n: Vec3, p: Vec3, minDistMm: number, maxFraction = 0.25): { removed: number; lateral: number; skipped: boolean } {
  const [na, nb, nc] = g.dims;
  const nab = na * nb;
  const h = g.spacingMm, o = g.originLps;
  const has = (a: number, b: number, c: number) => a >= 0 && a < na && b >= 0 && b < nb && c >= 0 && c < nc && mask[a + na * (b + nb * c)] === 1;
  const drop: number[] = [];
  let lateral = 0;
  for (let c = 0; c < nc; c++) for (let b = 0; b < nb; b++) for (let a = 0; a < na; a++) {
    const i = a + na * b + nab * c;
    if (!mask[i]) continue;
    const x = o[0] + a * h, y = o[1] + b * h, z = o[2] + c * h;
    const d = (x - p[0]) * n[0] + (y - p[1]) * n[1] + (z - p[2]) * n[2];
    if (Math.abs(d) <= minDistMm) continue;
    lateral++;
    const ma = Math.round((x - 2 * d * n[0] - o[0]) / h), mb = Math.round((y - 2 * d * n[1] - o[1]) / h), mc = Math.round((z - 2 * d * n[2] - o[2]) / h);
    if (has(ma, mb, mc) || has(ma - 1, mb, mc) || has(ma + 1, mb, mc) || has(ma, mb - 1, mc) || has(ma, mb + 1, mc) || has(ma, mb, mc - 1) || has(ma, mb, mc + 1)) continue;
    drop.push(i);
  }
  const skipped = drop.length > maxFraction * lateral;
  if (!skipped) for (const i of drop) mask[i] = 0;
  return { removed: drop.length, lateral, skipped };
}

