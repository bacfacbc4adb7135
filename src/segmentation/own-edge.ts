/**
 * A lesion bounded by its own edge, for CT clicks where bone does not enclose it (fatty marrow on
 * thick slices: the sacrum's thin cortex partial-volumed to marrow level, the canal, the disc, a
 * foramen leave the bone enclosure of region-grow.ts open on one side).
 *
 * Two-class model from the click's neighbourhood: the lesion is a region whose values scatter by
 * its own noise (soft tissue or fluid: a few HU to 15 HU), the marrow around it is trabecular bone
 * and fat whose texture scatters by 40-75 HU (the implanted real scans, test/phantom-tools/implant.py).
 * The lesion's region and both levels are read at the boundary of maximum median contrast around
 * the click (boundary-contrast.ts), for a lesion darker than the marrow around it (lytic, in red or
 * mixed marrow) and for one brighter (a soft-tissue lesion replacing very fatty marrow); the side
 * whose region closes within the search ball with the larger contrast wins. The window is
 *  - towards the marrow: the midpoint of the two levels (partial-volume neutral, as everywhere in
 *    Grow) or the lesion's level + NOISE_SD of its own robust spread, whichever is nearer the lesion:
 *    marrow texture reaching into the lesion's band by chance is mostly single voxels or thin
 *    trabecular gaps, which the opening of the grow removes, while a midpoint bound 30-60 HU from
 *    the lesion lets whole fatty patches of the marrow through;
 *  - away from it: the lesion's level − max(NOISE_SD spreads, lowerMarginHu) (fat in a foramen,
 *    cortex for a bright lesion, lie far beyond).
 * The edge voxels cut off by the tighter bound are counted back by the partial-volume estimate,
 * whose band reaches one blur unit beyond the mask (partial-volume.ts).
 *
 * Joinable: pieces of the tissue around (the shell 1.5-3.5 mm outside the region, where its 2 mm
 * level lies beyond the window) that pass the window and survive the grow's opening, as a share of
 * the region: pieces that large touching the lesion can join it.
 *
 * Pure; arrays are box-local (i fastest); inputs are never mutated.
 */
import type { Vec3 } from '../core/vec3';
import { maxBoundaryContrastRegion } from './boundary-contrast';
import { robustStats, smoothBox } from './seed-model';

/** Robust SDs of the lesion's own spread that bound its window (a Gaussian's 3 SD keep 99.7 % of its voxels). */
export const NOISE_SD = 3;
/** σ (mm) of the copy the boundary of maximum contrast is found on. */
const EDGE_SMOOTH_MM = 1;
/** σ (mm) of the copy that gives the level of the tissue around (texture averaged out). */
const LEVEL_SMOOTH_MM = 2;

export interface OwnEdge {
  /** +1: the lesion is darker than the tissue around it; −1: brighter. */
  sign: 1 | -1;
  window: [number, number];
  lesionLevel: number;
  lesionSigma: number;
  aroundLevel: number;
  /** Box-local voxels of the region of maximum boundary contrast. */
  region: Int32Array;
  contrast: number;
  /** Pieces of the tissue around that pass the window and survive the opening, as a share of the region. */
  joinable: number;
}

/**
 * The texture of a region: the robust spread of its interior values over the spread that voxel-to-
 * voxel differences along the rows show (their robust SD / √2). Noise changes from voxel to voxel;
 * trabecular texture and fat islands (1-5 mm) hardly change between neighbours, so they raise the
 * first and not the second. One tissue of noise only reads about 1 (√(1/(1 − ρ)) for noise whose
 * neighbours correlate by ρ); marrow texture several.
 */
export function textureRatio(region: Int32Array, img: Float32Array, dims: readonly [number, number, number]): number {
  const [bi, bj, bk] = dims;
  const bij = bi * bj;
  const inR = new Uint8Array(img.length);
  for (const n of region) inR[n] = 1;
  const xs: number[] = [], ds: number[] = [];
  for (const n of region) {
    const k = (n / bij) | 0, r = n - k * bij, j = (r / bi) | 0, i = r - j * bi;
    if (i > 0 && i < bi - 1 && j > 0 && j < bj - 1 && k > 0 && k < bk - 1 &&
      inR[n - 1] && inR[n + 1] && inR[n - bi] && inR[n + bi] && inR[n - bij] && inR[n + bij]) { xs.push(img[n]!); ds.push(img[n + 1]! - img[n]!); }
  }
  if (xs.length < 8) return NaN;
  const d = robustStats(ds).sigma / Math.SQRT2;
  return robustStats(xs).sigma / Math.max(d, 1e-6);
}

/**
 * Mean and SD of the values within 3 robust SDs of their median (a Gaussian's 3 SDs keep 99.7 %):
 * continuous where the median and MAD of integer CT values move in whole steps (a 2 mm ball's MAD of
 * 3 or 4 HU reads the noise SD as 4.4 or 5.9).
 */
export function trimmedLevel(values: ArrayLike<number>): { mean: number; sd: number } {
  const r = robustStats(values);
  let n = 0, s = 0, ss = 0;
  for (let t = 0; t < values.length; t++) { const x = values[t]!; if (Math.abs(x - r.median) <= 3 * r.sigma) { n++; s += x; ss += x * x; } }
  if (n < 2) return { mean: r.median, sd: r.sigma };
  const mean = s / n;
  return { mean, sd: Math.sqrt(Math.max(0, (ss - n * mean * mean) / (n - 1))) };
}

/**
 * `open` is the grow's opening of a box-local mask (erosion then dilation by its ball). Null when no
 * region closes within the ball on either side.
 */
export function measureOwnEdge(val: Float32Array, dims: [number, number, number], sp: Readonly<Vec3>, inBall: Uint8Array, rim: Uint8Array,
  seedLocal: number, seedMedian: number, lowerMarginHu: number, minVoxels: number, open: (m: Uint8Array) => Uint8Array): OwnEdge | null {
  let best: OwnEdge | null = null;
  // smoothing is linear, so the copies of −val are the negated copies of val (bit-exact: negation
  // commutes with IEEE sums and products); each is computed once
  const smPos = smoothBox(val, dims, sp, EDGE_SMOOTH_MM);
  let levelPos: Float32Array | null = null;
  for (const sign of [1, -1] as const) {
    const raw = sign > 0 ? val : val.map((x) => -x);
    const sm = sign > 0 ? smPos : smPos.map((x) => -x);
    const bc = maxBoundaryContrastRegion(raw, sm, dims, sp, inBall, rim, seedLocal, sign * seedMedian - lowerMarginHu, minVoxels, raw.length);
    if (!bc || bc.reachedRim) continue;
    const L = bc.lesion.median, B = bc.shell.median;
    if (!(B > L) || (best && !(bc.contrast > best.contrast))) continue;
    const s = Math.max(bc.lesion.sigma, 1);
    const hi = Math.min((L + B) / 2, L + NOISE_SD * s), lo = L - Math.max(NOISE_SD * s, lowerMarginHu);
    levelPos ??= smoothBox(val, dims, sp, LEVEL_SMOOTH_MM);
    const level = sign > 0 ? levelPos : levelPos.map((x) => -x);
    const passing = new Uint8Array(raw.length);
    for (let t = 0; t < raw.length; t++) { const x = raw[t]!; if (inBall[t] && x >= lo && x <= hi) passing[t] = 1; }
    const opened = open(passing);
    let joinable = 0;
    for (const q of bc.shell.voxels) if (level[q]! > hi && opened[q]) joinable++;
    best = {
      sign, window: sign > 0 ? [lo, hi] : [-hi, -lo], lesionLevel: sign * L, lesionSigma: s, aroundLevel: sign * B,
      region: bc.region, contrast: bc.contrast, joinable: joinable / bc.region.length,
    };
  }
  return best;
}
