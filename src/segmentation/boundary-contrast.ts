/**
 * Where does a dark lesion end, and what surrounds it? Measured from the image around the click,
 * so that no tissue level has to be assumed (fatty marrow is 60-120 HU where healthy cancellous
 * bone is 200-300 HU).
 *
 * Method: "optimal threshold by maximum average boundary contrast" (Kohler, "A segmentation
 * system based on thresholding", CGIP 15:319, 1981). On a lightly smoothed copy of the image, a
 * priority flood from the click adds voxels in increasing order of value; every prefix of that
 * order is the click's connected component under some threshold. For each prefix the median
 * contrast across its boundary faces (outside value − inside value) is kept up to date (a
 * histogram of the face contrasts, O(1) per voxel; the median, not the mean, so that the few
 * faces against a 1200 HU cortex do not decide). Inside the lesion the boundary runs through the lesion's own noise (contrast ≈ the
 * smoothed noise); at the lesion's edge it crosses the blurred step (contrast ≈ the step times
 * the edge's slope per voxel, maximal at the step's midpoint, where the iso-surface of a blurred
 * step lies on the true edge); beyond it, leaked into the tissue around, the boundary runs
 * through that tissue's texture again. The prefix with the largest median boundary contrast is
 * the lesion as the image supports it. Voxels below `lowBound` (darker tissue than the lesion:
 * fat in a foramen) are never entered and their faces are not counted: the lower bound of the
 * lesion window separates them.
 *
 * The tissue around is then read in a shell 1.5-3.5 mm outside that region (beyond the blur of
 * the edge, within the nearest tissue): its median is the level the lesion must be told apart
 * from, its robust SD (raw and smoothed) says whether a threshold between the two levels can
 * separate them voxel by voxel.
 *
 * Pure; arrays are box-local (i fastest); inputs are never mutated.
 */
import type { Vec3 } from '../core/vec3';
import { squaredDistanceTo } from './morphology';
import { robustStats } from './seed-model';

/** Face-contrast histogram: bins of CONTRAST_BIN from CONTRAST_MIN (image units; HU on CT). */
const CONTRAST_MIN = -50, CONTRAST_BIN = 1, CONTRAST_BINS = 600;

export interface BoundaryContrastResult {
  /** Box-local indices of the best region (in flood order). */
  region: Int32Array;
  /** Threshold on the smoothed copy at which the region is the click's component. */
  threshold: number;
  /** Median boundary contrast of the best region (smoothed units per face). */
  contrast: number;
  /** True when the best region touches the outer bound (`rim`): no closed boundary within it. */
  reachedRim: boolean;
  /** True when the flood went on to the outer bound after the best region. */
  floodReachedRim: boolean;
  /** Raw values of the region's interior (all 6 neighbours in the region): lesion level and noise. */
  lesion: { median: number; sigma: number; n: number };
  /** The shell 1.5-3.5 mm outside the region: robust median of the raw values, and its box-local indices. */
  shell: { median: number; voxels: Int32Array };
}

/**
 * Priority flood from `start` over `sm` (ascending), restricted to `inBall` and to values ≥
 * `lowBound`, stopped when the region reaches a voxel marked in `rim`, when it holds
 * `maxVoxels`, or when it has grown to 4× the best region so far with the mean contrast below
 * a third of the best (the maximum lies behind). Returns null when fewer than `minVoxels` could be
 * entered.
 */
export function maxBoundaryContrastRegion(
  raw: Float32Array, sm: Float32Array, dims: readonly [number, number, number], spacingMm: Readonly<Vec3>,
  inBall: Uint8Array, rim: Uint8Array, start: number, lowBound: number, minVoxels: number, maxVoxels: number,
): BoundaryContrastResult | null {
  const [bi, bj, bk] = dims;
  const bij = bi * bj, nb = bij * bk;
  const state = new Uint8Array(nb); // 0 unseen, 1 in heap, 2 in region
  const order = new Int32Array(Math.min(nb, maxVoxels));
  // binary min-heap of box indices keyed by sm
  const heap = new Int32Array(nb);
  let hn = 0;
  const push = (n: number) => {
    let c = hn++;
    const v = sm[n]!;
    while (c > 0) { const p = (c - 1) >> 1; const q = heap[p]!; if (sm[q]! <= v) break; heap[c] = q; c = p; }
    heap[c] = n;
  };
  const pop = (): number => {
    const top = heap[0]!;
    const last = heap[--hn]!;
    const v = sm[last]!;
    let c = 0;
    for (;;) {
      let l = 2 * c + 1;
      if (l >= hn) break;
      if (l + 1 < hn && sm[heap[l + 1]!]! < sm[heap[l]!]!) l++;
      if (sm[heap[l]!]! >= v) break;
      heap[c] = heap[l]!; c = l;
    }
    heap[c] = last;
    return top;
  };
  const eligible = (n: number) => inBall[n] === 1 && sm[n]! >= lowBound;
  if (!eligible(start)) return null;
  push(start); state[start] = 1;
  // boundary face contrasts in a histogram (CONTRAST_BIN wide, from CONTRAST_MIN; clamped at
  // both ends), so that the median is read in O(bins): a mean would be pulled up by the few faces
  // against a 1200 HU cortex that a lesion beside a foramen or the bone's surface has
  const hist = new Int32Array(CONTRAST_BINS);
  const bin = (c: number) => { const b = Math.floor((c - CONTRAST_MIN) / CONTRAST_BIN); return b < 0 ? 0 : b >= CONTRAST_BINS ? CONTRAST_BINS - 1 : b; };
  const medianFace = (faces: number) => {
    const half = faces / 2;
    let acc = 0;
    for (let b = 0; b < CONTRAST_BINS; b++) {
      const h = hist[b]!;
      if (acc + h >= half) return CONTRAST_MIN + CONTRAST_BIN * (b + (half - acc) / Math.max(h, 1));
      acc += h;
    }
    return CONTRAST_MIN + CONTRAST_BIN * CONTRAST_BINS;
  };
  let count = 0, faces = 0, runMax = -Infinity, lastEval = 0;
  let best = -Infinity, bestK = 0, bestT = NaN, reachedRim = false;
  while (hn > 0 && count < order.length) {
    const n = pop();
    state[n] = 2;
    order[count++] = n;
    const v = sm[n]!;
    if (v > runMax) runMax = v;
    const k = (n / bij) | 0, r = n - k * bij, j = (r / bi) | 0, i = r - j * bi;
    for (let t = 0; t < 6; t++) {
      let m: number;
      if (t === 0) { if (i === 0) continue; m = n - 1; }
      else if (t === 1) { if (i === bi - 1) continue; m = n + 1; }
      else if (t === 2) { if (j === 0) continue; m = n - bi; }
      else if (t === 3) { if (j === bj - 1) continue; m = n + bi; }
      else if (t === 4) { if (k === 0) continue; m = n - bij; }
      else { if (k === bk - 1) continue; m = n + bij; }
      if (!eligible(m)) continue;
      if (state[m] === 2) { hist[bin(v - sm[m]!)]!--; faces--; }
      else {
        hist[bin(sm[m]! - v)]!++; faces++;
        if (state[m] === 0) { state[m] = 1; push(m); }
      }
    }
    if (rim[n]) { reachedRim = true; break; }
    if (count >= minVoxels && faces > 0 && count - lastEval >= Math.max(1, count >> 7)) {
      // the region at threshold runMax is closed only once the next voxel is brighter
      const next = hn > 0 ? sm[heap[0]!]! : Infinity;
      if (next > runMax) {
        lastEval = count;
        const c = medianFace(faces);
        if (c > best) { best = c; bestK = count; bestT = (runMax + next) / 2; }
        else if (count > 4 * bestK && c < best / 3) break;
      }
    }
  }
  if (bestK < minVoxels) return null;
  const region = order.slice(0, bestK);
  const inR = new Uint8Array(nb);
  let touchesRim = false;
  for (const n of region) { inR[n] = 1; if (rim[n]) touchesRim = true; }
  // lesion level: raw values of the interior
  const inner: number[] = [];
  for (const n of region) {
    const k = (n / bij) | 0, r = n - k * bij, j = (r / bi) | 0, i = r - j * bi;
    if (i > 0 && i < bi - 1 && j > 0 && j < bj - 1 && k > 0 && k < bk - 1 &&
      inR[n - 1] && inR[n + 1] && inR[n - bi] && inR[n + bi] && inR[n - bij] && inR[n + bij]) inner.push(raw[n]!);
  }
  const lesion = robustStats(inner.length >= 8 ? inner : Array.from(region, (n) => raw[n]!));
  // shell 1.5-3.5 mm outside, within the ball, not darker than the lower bound
  const d2 = squaredDistanceTo(inR, dims, spacingMm, 1);
  const sr: number[] = [], si: number[] = [];
  for (let n = 0; n < nb; n++) {
    const d = d2[n]!;
    if (d > 2.25 && d <= 12.25 && inBall[n] && sm[n]! >= lowBound) { sr.push(raw[n]!); si.push(n); }
  }
  const shellRaw = robustStats(sr);
  return {
    region, threshold: bestT, contrast: best, reachedRim: touchesRim, floodReachedRim: reachedRim,
    lesion: { median: lesion.median, sigma: lesion.sigma, n: lesion.n },
    shell: { median: shellRaw.median, voxels: Int32Array.from(si) },
  };
}
