/**
 * Region growing on CT (region-grow.ts steps 6b-9): the grown region's own level and the level around it,
 * the share of it foreign to the click, the reach of its edge's blur, and the levels measured at the
 * lesion's boundary of maximum contrast in fatty marrow (measureSurroundings).
 */
import type { Vec3 } from '../../core/vec3';
import type { IndexBox } from '../labelmap';
import { gridMetric, metricLength2, nonZeroBox } from '../grid';
import { squaredDistanceTo } from '../morphology';
import { robustStats, smoothBox } from '../seed-model';
import { maxBoundaryContrastRegion } from '../boundary-contrast';
import { dilateSparse } from './mask-ops';
import type { GrowProblem } from './types';

// ---------------------------------------------------------------------------------------------

/**
 * Squared distances (mm²) to the mask and to its outside, on the mask's bounding box padded by
 * `padMm` (cropped: the box of a 25 mm ball is 5-20× larger than a lesion's). Calls `visit` for
 * every voxel of the padded box with its box-local index and both squared distances.
 */
export function visitNearMask(mask: Uint8Array, dims: [number, number, number], sp: Vec3, padMm: number, visit: (n: number, dOut2: number, dIn2: number) => void): void {
  const [bi, bj] = dims;
  const mb = nonZeroBox(mask, dims);
  if (!mb) return;
  const p = [Math.ceil(padMm / sp[0]) + 1, Math.ceil(padMm / sp[1]) + 1, Math.ceil(padMm / sp[2]) + 1];
  const lo = [Math.max(0, mb[0] - p[0]!), Math.max(0, mb[1] - p[1]!), Math.max(0, mb[2] - p[2]!)];
  const hi = [Math.min(dims[0] - 1, mb[3] + p[0]!), Math.min(dims[1] - 1, mb[4] + p[1]!), Math.min(dims[2] - 1, mb[5] + p[2]!)];
  const sd: [number, number, number] = [hi[0]! - lo[0]! + 1, hi[1]! - lo[1]! + 1, hi[2]! - lo[2]! + 1];
  const sub = new Uint8Array(sd[0] * sd[1] * sd[2]);
  let q = 0;
  for (let k = lo[2]!; k <= hi[2]!; k++) for (let j = lo[1]!; j <= hi[1]!; j++) { const row = bi * (j + bj * k); for (let i = lo[0]!; i <= hi[0]!; i++) sub[q++] = mask[row + i]!; }
  const dOut = squaredDistanceTo(sub, sd, sp, 1);
  const dIn = squaredDistanceTo(sub, sd, sp, 0);
  q = 0;
  for (let k = lo[2]!; k <= hi[2]!; k++) for (let j = lo[1]!; j <= hi[1]!; j++) { const row = bi * (j + bj * k); for (let i = lo[0]!; i <= hi[0]!; i++, q++) visit(row + i, dOut[q]!, dIn[q]!); }
}

/**
 * The grown region's own level and the level of the tissue around it:
 *  - interior: robust median of the mask's voxels deeper than 1.5 mm (beyond the reach of the
 *    edge's blur and, on 3 mm slices, of a neighbouring slice's partial volume); NaN when fewer
 *    than 8 (a small region holds no better evidence of the lesion's level than the click's
 *    neighbourhood);
 *  - around: median of the voxels 1.5-3.5 mm outside the mask, within the ball.
 */
/**
 * Share of a grown region's interior (all 6 face neighbours in the region and deeper than 1.5 mm:
 * beyond the reach of the edge's blur and of a neighbouring slice's partial volume) whose values lie
 * more than FOREIGN_SD robust SDs of the click's neighbourhood from its median: tissue the click's
 * neighbourhood does not contain.
 */
export function foreignShare(mask: Uint8Array, val: Float32Array, dims: [number, number, number], sp: Vec3, near: { median: number; sigma: number }): { share: number; interior: number } {
  const [bi, bj, bk] = dims;
  const bij = bi * bj;
  const band = FOREIGN_SD * Math.max(near.sigma, 1e-3 * (Math.abs(near.median) + 1));
  let n = 0, out = 0;
  visitNearMask(mask, dims, sp, 0, (q, _o, dIn2) => {
    if (!mask[q] || dIn2 <= 2.25) return;
    const k = (q / bij) | 0, r = q - k * bij, j = (r / bi) | 0, i = r - j * bi;
    if (i === 0 || j === 0 || k === 0 || i === bi - 1 || j === bj - 1 || k === bk - 1) return;
    if (!mask[q - 1] || !mask[q + 1] || !mask[q - bi] || !mask[q + bi] || !mask[q - bij] || !mask[q + bij]) return;
    n++;
    if (Math.abs(val[q]! - near.median) > band) out++;
  });
  return { share: n ? out / n : 0, interior: n };
}
/**
 * Robust SDs of the click's neighbourhood beyond which a value is tissue that neighbourhood does not
 * hold: 4, because that SD comes from the 15-60 voxels of a 2 mm ball, which can read it a quarter
 * low (4 × 0.75 = 3 true SDs still keeps 99.7 % of the lesion's own noise in).
 */
const FOREIGN_SD = 4;
/**
 * Largest share of a grow that may be tissue other than the lesion's (foreign interior on CT fatty
 * marrow; on MR the pieces of the tissue around at the lesion's level that could join it): the 10 %
 * volume accuracy Grow promises (issue 13), so a grow beyond it is refused rather than shown off.
 */
export const MAX_JOINABLE_SHARE = 0.1;

export function regionLevels(mask: Uint8Array, val: Float32Array, dims: [number, number, number], sp: Vec3, inBall: Uint8Array): { interior: number; around: number } {
  const deep: number[] = [], out: number[] = [];
  visitNearMask(mask, dims, sp, 3.5, (n, dOut2, dIn2) => {
    if (mask[n]) { if (dIn2 > 2.25) deep.push(val[n]!); }
    else if (dOut2 > 2.25 && dOut2 <= 12.25 && inBall[n]) out.push(val[n]!);
  });
  return { interior: deep.length >= 8 ? robustStats(thin(deep)).median : NaN, around: out.length ? robustStats(thin(out)).median : NaN };
}

/** Every k-th value so that at most 4000 remain: the median of 4000 noisy voxels is within 2 % of their SD. */
export function thin(xs: number[]): number[] {
  if (xs.length <= 4000) return xs;
  const k = Math.ceil(xs.length / 4000);
  const out: number[] = [];
  for (let n = 0; n < xs.length; n += k) out.push(xs[n]!);
  return out;
}

/** Gaussian σ of the copy the surroundings are measured on (and, where needed, thresholded). */
export const SURROUND_SMOOTH_MM = 1;
/** Gaussian σ of the copy that gives the level of the tissue around (texture and noise averaged out). */
export const LEVEL_SMOOTH_MM = 2;
/**
 * Largest share of the tissue around a lesion that may pass its window: such voxels touching the
 * lesion join it (1 %: a threshold 2.3 SD from a Gaussian tissue's level). Raw voxels first; then
 * the smoothed copy; else refused.
 */
const MAX_PASSING = 0.01;
/**
 * The grow on fatty marrow and the region of maximum boundary contrast agree within this factor
 * (lesions on the fatty phantoms: 0.94-1.04; texture dips in normal marrow: 0.1-0.3).
 */
export const MAX_SUPPORT_RATIO = 1.3;

/**
 * The reach of a lesion edge's blur, as partial-volume.ts reckons it: 2.5 σ_edge per axis, with
 * σ_edge² = σ_psf² + spacing²/12 and σ_psf = 0.4 mm (1 slice of 3-4 mm, 2 pixels of 0.6-0.7 mm).
 */
export const EDGE_PSF_MM = 0.4, EDGE_REACH_SIGMAS = 2.5;

/** The voxels within the reach of an edge's blur (per axis) of `mask` (box-local). */
export function edgeReach(mask: Uint8Array, dims: [number, number, number], sp: Vec3): Uint8Array {
  const reach = [0, 1, 2].map((a) => Math.max(1, Math.round((EDGE_REACH_SIGMAS * Math.sqrt(EDGE_PSF_MM ** 2 + sp[a]! ** 2 / 12)) / sp[a]!)));
  const off: number[] = [];
  const [ri, rj, rk] = reach as [number, number, number];
  for (let dk = -rk; dk <= rk; dk++) for (let dj = -rj; dj <= rj; dj++) for (let di = -ri; di <= ri; di++) {
    const e = (di / ri) ** 2 + (dj / rj) ** 2 + (dk / rk) ** 2;
    if ((di || dj || dk) && e <= 1 + 1e-9) off.push(di, dj, dk, di + dims[0] * (dj + dims[1] * dk));
  }
  return dilateSparse(mask, dims, Int32Array.from(off));
}

interface Surroundings {
  window: [number, number];
  /** The smoothed copy to threshold instead of the raw values (null: raw voxels separate). */
  smooth: Float32Array | null;
  lesionLevel: number;
  aroundLevel: number;
  /** Share of the shell around that passes the window: raw voxels, smoothed copy. */
  passRaw: number;
  passSmooth: number;
  /** Voxels of the region of maximum boundary contrast, and that contrast. */
  regionVoxels: number;
  contrast: number;
  refusal?: { problem: GrowProblem; message: string };
}

/**
 * Lytic lesion on CT: the lesion's level and the level of the tissue around it, read at the
 * boundary of maximum mean contrast around the click (boundary-contrast.ts). The upper bound is
 * the midpoint between the two (partial-volume neutral, as for the assumed levels), with the
 * level around capped at `boneHu` (denser bone around only makes the lesion easier to tell
 * apart; the cap keeps cortex in the shell from moving the bound). Where the tissue around
 * varies by more than a third of the half-contrast voxel by voxel (fatty marrow: 18 HU noise and
 * 30 HU trabecular texture against a 65 HU contrast), the window is applied to the smoothed copy,
 * and where even that does not separate the levels by SMOOTH_SEPARATION_SD the grow is refused.
 * Null when no boundary closes within the search ball (the assumed levels then decide, and the
 * plausibility checks refuse a run-on).
 */
export function measureSurroundings(val: Float32Array, dims: [number, number, number], sp: Vec3, inBall: Uint8Array, g: ReturnType<typeof gridMetric>,
  seed: Vec3, box: IndexBox, rim2: number, seedLocal: number, lowerMarginHu: number, seedMedian: number, minVoxels: number, boneHu: number): Surroundings | null {
  const [bi, bj, bk] = dims;
  const sm = smoothBox(val, dims, sp, SURROUND_SMOOTH_MM);
  const rim = new Uint8Array(val.length);
  let n = 0;
  for (let k = 0; k < bk; k++) for (let j = 0; j < bj; j++) for (let i = 0; i < bi; i++, n++)
    if (inBall[n] && metricLength2(g, i + box[0] - seed[0], j + box[1] - seed[1], k + box[2] - seed[2]) > rim2) rim[n] = 1;
  const bc = maxBoundaryContrastRegion(val, sm, dims, sp, inBall, rim, seedLocal, seedMedian - lowerMarginHu, minVoxels, val.length);
  if (!bc || bc.reachedRim) return null;
  const L = bc.lesion.median, B = Math.min(bc.shell.median, boneHu);
  if (!(B > L)) return null;
  const half = (B - L) / 2;
  const window: [number, number] = [L - lowerMarginHu, L + half];
  // how much of the tissue around would pass as lesion, voxel by voxel and after smoothing: counted
  // where that tissue's level (a 2 mm smoothed copy) lies above the window, so that the thin
  // dark-to-bright edges of a foramen's lumen and lining, which the opening removes, do not count
  const level = smoothBox(val, dims, sp, LEVEL_SMOOTH_MM);
  let nAround = 0, cRaw = 0, cSmooth = 0;
  for (const n of bc.shell.voxels) {
    if (level[n]! <= window[1]) continue;
    nAround++;
    const x = val[n]!, y = sm[n]!;
    if (x >= window[0] && x <= window[1]) cRaw++;
    if (y >= window[0] && y <= window[1]) cSmooth++;
  }
  if (nAround < minVoxels) return null;
  const passRaw = cRaw / nAround, passSmooth = cSmooth / nAround;
  const base = { window, lesionLevel: L, aroundLevel: bc.shell.median, passRaw, passSmooth, regionVoxels: bc.region.length, contrast: bc.contrast };
  if (passRaw <= MAX_PASSING) return { ...base, smooth: null };
  if (passSmooth <= MAX_PASSING) return { ...base, smooth: sm };
  return {
    ...base, smooth: sm,
    refusal: {
      problem: 'low-contrast',
      message: `the lesion (${Math.round(L)} HU) differs from the bone around it (${Math.round(bc.shell.median)} HU) by ${Math.round(bc.shell.median - L)} HU, too little against that bone's texture and noise (${Math.round(100 * passSmooth)} % of the bone around passes as lesion even after smoothing) for a threshold to find its edge; paint it with the lesion/background strokes tool (L)`,
    },
  };
}
