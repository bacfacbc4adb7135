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
 *    cortex for a bright lesion, lie far beyond), or the midpoint to the tissue beyond the lesion's
 *    level on that side where one touches the region (farSide: a lesion in a foramen's opening lies
 *    between the foramen's fat and the marrow). Where that tissue is most of the region's surroundings,
 *    the side's reading describes a minority of them and the other side's reading is taken.
 * The edge voxels cut off by the tighter bound are counted back by the partial-volume estimate,
 * whose band reaches one blur unit beyond the mask (partial-volume.ts).
 *
 * Joinable: pieces of the tissue around (the shell 1.5-3.5 mm outside the region, where its 2 mm
 * level lies beyond the window, on either side) that pass the window and survive the grow's opening,
 * as a share of the region: pieces that large touching the lesion can join it.
 *
 * Pure; arrays are box-local (i fastest); inputs are never mutated.
 */
import type { Vec3 } from '../core/vec3';
import { maxBoundaryContrastRegion } from './boundary-contrast';
import { robustStats, smoothBox } from './seed-model';
import { squaredDistanceTo } from './morphology';

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
    levelPos ??= smoothBox(val, dims, sp, LEVEL_SMOOTH_MM);
    const level = sign > 0 ? levelPos : levelPos.map((x) => -x);
    // the tissue beyond the lesion's level on the side away from the tissue around (below the flood's
    // lower bound: never entered, not in the shell), in the same shell 1.5-3.5 mm outside the region
    const far = farSide(bc.region, sm, level, dims, sp, inBall, sign * seedMedian - lowerMarginHu);
    // the tissue the lesion is told apart from must be what surrounds it: where most of the shell is
    // the tissue beyond it on the far side, the shell's level is that of a minority (fatty-thick5mm.json
    // L2, 45 HU in a foramen's opening: 24 voxels of fat against 304 of marrow), and the other reading
    // (a lesion darker than that marrow) describes it
    if (far.share > 0.5) continue;
    // away from the tissue around, the bound is the lesion's noise band, or the midpoint to the tissue
    // beyond it on that side where one touches the region (a lesion in a foramen's opening, between its
    // fat and the marrow): partial-volume neutral towards either tissue
    const hi = Math.min((L + B) / 2, L + NOISE_SD * s);
    const lo = Math.max(L - Math.max(NOISE_SD * s, lowerMarginHu), far.voxels.length ? (L + far.level) / 2 : -Infinity);
    const passing = new Uint8Array(raw.length);
    for (let t = 0; t < raw.length; t++) { const x = raw[t]!; if (inBall[t] && x >= lo && x <= hi) passing[t] = 1; }
    const opened = open(passing);
    let joinable = 0;
    for (const q of bc.shell.voxels) if (level[q]! > hi && opened[q]) joinable++;
    for (const q of far.voxels) if (level[q]! < lo && opened[q]) joinable++;
    best = {
      sign, window: sign > 0 ? [lo, hi] : [-hi, -lo], lesionLevel: sign * L, lesionSigma: s, aroundLevel: sign * B,
      region: bc.region, contrast: bc.contrast, joinable: joinable / bc.region.length,
    };
  }
  return best;
}

/**
 * The voxels 1.5-3.5 mm outside `region` (box-local indices) within the ball whose smoothed value lies
 * below `lowBound` (`sm`, in the sign's orientation), their share of that shell, and their median level
 * (`level`: the 2 mm copy).
 * Only where they are at least FAR_MIN_SHARE of that shell: a few partial-volume voxels of a thin
 * lining are no tissue of their own.
 */
function farSide(region: Int32Array, sm: Float32Array, level: Float32Array, dims: [number, number, number], sp: Readonly<Vec3>, inBall: Uint8Array, lowBound: number): { voxels: number[]; level: number; share: number } {
  const [bi, bj, bk] = dims;
  const bij = bi * bj;
  // on the region's box padded by the shell's 3.5 mm (a region is a fraction of the search ball's box)
  let i0 = bi, j0 = bj, k0 = bk, i1 = -1, j1 = -1, k1 = -1;
  for (const n of region) {
    const k = (n / bij) | 0, r = n - k * bij, j = (r / bi) | 0, i = r - j * bi;
    if (i < i0) i0 = i; if (i > i1) i1 = i; if (j < j0) j0 = j; if (j > j1) j1 = j; if (k < k0) k0 = k; if (k > k1) k1 = k;
  }
  const p = [0, 1, 2].map((a) => Math.ceil(3.5 / sp[a]!) + 1);
  i0 = Math.max(0, i0 - p[0]!); j0 = Math.max(0, j0 - p[1]!); k0 = Math.max(0, k0 - p[2]!);
  i1 = Math.min(bi - 1, i1 + p[0]!); j1 = Math.min(bj - 1, j1 + p[1]!); k1 = Math.min(bk - 1, k1 + p[2]!);
  const sd: [number, number, number] = [i1 - i0 + 1, j1 - j0 + 1, k1 - k0 + 1];
  const sub = new Uint8Array(sd[0] * sd[1] * sd[2]);
  for (const n of region) {
    const k = (n / bij) | 0, r = n - k * bij, j = (r / bi) | 0, i = r - j * bi;
    sub[(i - i0) + sd[0] * ((j - j0) + sd[1] * (k - k0))] = 1;
  }
  const d2 = squaredDistanceTo(sub, sd, sp, 1);
  const out: number[] = [];
  let all = 0, q = 0;
  for (let k = k0; k <= k1; k++) for (let j = j0; j <= j1; j++) for (let i = i0; i <= i1; i++, q++) {
    const d = d2[q]!, n = i + bi * (j + bj * k);
    if (!(d > 2.25 && d <= 12.25) || !inBall[n]) continue;
    all++;
    if (sm[n]! < lowBound) out.push(n);
  }
  const share = all ? out.length / all : 0;
  if (share < FAR_MIN_SHARE) return { voxels: [], level: NaN, share };
  return { voxels: out, level: robustStats(out.map((n) => level[n]!)).median, share };
}
/** Share of the shell around a region from which the tissue beyond the lesion's level on the far side counts as a tissue of its own. */
const FAR_MIN_SHARE = 0.1;
