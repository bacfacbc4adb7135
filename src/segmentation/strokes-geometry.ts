/**
 * The strokes' geometry for the competitive grow of seeded-grow.ts (the Strokes tool): which voxels a
 * stroke paints, how far the background strokes let the lesion reach (the region of interest), the
 * nearest background-stroke voxel of every voxel (the strokes' prior) and the level of the background
 * painted next to it. Split from seeded-grow.ts (it had grown past 750 lines); unchanged there.
 *
 * Pure: no DOM.
 */
import type { ScalarVolume } from '../core/volume';
import type { Vec3 } from '../core/vec3';
import { kthSmallest } from '../core/select';
import type { IndexBox } from './labelmap';
import { boxDims, gridMetric, metricLength2 } from './grid';
import type { SeedStroke } from './seeded-grow';

/**
 * How far (mm) the background strokes let the lesion reach from its strokes: the largest distance from
 * a background-stroke point to the lesion strokes' polylines, plus the background brush's radius
 * (0 without background strokes). A background stroke drawn around the lesion says that the lesion
 * ends before it; one drawn in a single view says so in that view's plane only, while the lesion
 * runs on across the slices as far as a round lesion reaches in the plane. The region of interest
 * holds this reach around the lesion strokes: a ring in the sagittal view of ProstateX's 3.6 mm
 * sagittal slices (test/browser/strokes.e2e.ts, M1 of 7.5 mm semi-axis across the slices) left the
 * box 6.5 mm (margin and brush) to either side of the ring's slice, and the lesion's slice 7.2 mm
 * away (110 voxels at least half covered, 17 % of the truth) outside it. Strokes in two planes, or on
 * several slices, already span that reach, and their box is unchanged.
 */
export function bgReachMm(strokes: readonly SeedStroke[]): number {
  const les = strokes.filter((s) => s.kind === 'lesion' && s.pointsLps.length > 0);
  let reach = 0;
  for (const s of strokes) {
    if (s.kind !== 'background') continue;
    for (const p of s.pointsLps) {
      let d2 = Infinity;
      for (const l of les) for (let a = 0; a < l.pointsLps.length; a++) {
        const A = l.pointsLps[a]!, B = l.pointsLps[Math.min(a + 1, l.pointsLps.length - 1)]!;
        const D = [B[0] - A[0], B[1] - A[1], B[2] - A[2]], W = [p[0] - A[0], p[1] - A[1], p[2] - A[2]];
        const dd = D[0]! ** 2 + D[1]! ** 2 + D[2]! ** 2;
        const t = dd > 0 ? Math.max(0, Math.min(1, (W[0]! * D[0]! + W[1]! * D[1]! + W[2]! * D[2]!) / dd)) : 0;
        d2 = Math.min(d2, (W[0]! - t * D[0]!) ** 2 + (W[1]! - t * D[1]!) ** 2 + (W[2]! - t * D[2]!) ** 2);
      }
      if (d2 < Infinity) reach = Math.max(reach, Math.sqrt(d2) + s.radiusMm);
    }
  }
  return reach;
}

/**
 * The level of the background painted next to each voxel of the box: the median, over the brush's
 * cross-section (a box of ± the mean background brush radius), of the Gaussian copy's values under
 * the background strokes around the background-stroke voxel nearest to it (`nearestBg`, from
 * nearestSource; a median, as the strokes' levels are: marrow's fat islands skew its mean). A
 * background stroke crosses whatever tissues lie around the lesion (marrow, fat islands, muscle
 * beyond a cortical break); each stretch of it says what is not lesion right there. Only within a
 * brush radius of a background-stroke voxel (NaN farther): the user paints a stroke of that radius
 * over the tissue they mean, and beyond its reach the tissue may be another (muscle beyond a stroke
 * over marrow), where the strokes' levels alone compete.
 */
export function localBackground(sm: Float32Array, bgMask: Uint8Array, seed: Uint8Array, nearestBg: { feature: Int32Array; d2: Float64Array }, dims: readonly [number, number, number], sp: Readonly<Vec3>, strokes: readonly SeedStroke[]): Float32Array | null {
  const bgStrokes = strokes.filter((st) => st.kind === 'background' && st.pointsLps.length > 0);
  if (!bgStrokes.length) return null;
  const brushMm = bgStrokes.reduce((a, st) => a + st.radiusMm, 0) / bgStrokes.length;
  const [bi, bj, bk] = dims;
  const bij = bi * bj, nb = sm.length;
  const r = [0, 1, 2].map((a) => Math.floor(brushMm / sp[a]!));
  const scratch = new Float64Array((2 * r[0]! + 1) * (2 * r[1]! + 1) * (2 * r[2]! + 1));
  const level = new Float32Array(nb).fill(NaN);
  const out = new Float32Array(nb);
  const reach2 = brushMm * brushMm;
  const nearest = nearestBg.feature, d2 = nearestBg.d2;
  for (let n = 0; n < nb; n++) {
    const src = nearest[n]!;
    // (the strokes' own voxels and the box's border are seeds: their costs are never read)
    if (src < 0 || d2[n]! > reach2 || seed[n] !== 0) { out[n] = NaN; continue; }
    let x = level[src]!;
    if (x !== x) {
      const k = (src / bij) | 0, rr = src - k * bij, j = (rr / bi) | 0, i = rr - j * bi;
      let m = 0;
      for (let c = Math.max(0, k - r[2]!); c <= Math.min(bk - 1, k + r[2]!); c++) for (let b = Math.max(0, j - r[1]!); b <= Math.min(bj - 1, j + r[1]!); b++) {
        const row = bi * (b + bj * c);
        for (let a = Math.max(0, i - r[0]!); a <= Math.min(bi - 1, i + r[0]!); a++) if (bgMask[row + a]) scratch[m++] = sm[row + a]!;
      }
      x = medianOf(scratch, m);
      level[src] = x;
    }
    out[n] = x;
  }
  return out;
}

/** Median of the first m (≥ 1) values of xs (reordered in place; quickselect). */
function medianOf(xs: Float64Array, m: number): number {
  if (m % 2) return kthSmallest(xs, m, (m - 1) >> 1);
  // kthSmallest leaves every value below index m/2 no larger than the one it returns: the lower middle is their maximum
  const hiV = kthSmallest(xs, m, m >> 1);
  let loV = -Infinity;
  for (let t = 0; t < m >> 1; t++) if (xs[t]! > loV) loV = xs[t]!;
  return (loV + hiV) / 2;
}

/**
 * For every voxel of a box, the offset of the nearest voxel of `mask` (−1 where the mask is empty):
 * the exact Euclidean feature transform, separable along the three axes as the squared-distance
 * transform of Felzenszwalb & Huttenlocher (2012), each parabola carrying its site's feature.
 */
export function nearestSource(mask: Uint8Array, dims: readonly [number, number, number], sp: Readonly<Vec3>): { feature: Int32Array; d2: Float64Array } {
  const [bi, bj, bk] = dims;
  const nb = bi * bj * bk;
  const D = new Float64Array(nb).fill(Infinity);
  const F = new Int32Array(nb).fill(-1);
  for (let n = 0; n < nb; n++) if (mask[n]) { D[n] = 0; F[n] = n; }
  const m = Math.max(bi, bj, bk);
  const f = new Float64Array(m), g = new Float64Array(m), z = new Float64Array(m + 1);
  const v = new Int32Array(m), feat = new Int32Array(m);
  const strides = [1, bi, bi * bj];
  for (let axis = 0; axis < 3; axis++) {
    const len = dims[axis]!, stride = strides[axis]!, s = sp[axis]!;
    const [oa, ob] = axis === 0 ? [1, 2] : axis === 1 ? [0, 2] : [0, 1];
    for (let b = 0; b < dims[ob]!; b++) for (let a = 0; a < dims[oa]!; a++) {
      const base = a * strides[oa]! + b * strides[ob]!;
      // lower envelope of the parabolas (x − p·s)² + f[p] over the line's sites
      let k = -1;
      for (let q = 0, o = base; q < len; q++, o += stride) {
        const fq = D[o]!;
        f[q] = fq; feat[q] = F[o]!;
        if (fq === Infinity) continue;
        const xq = q * s, gq = fq + xq * xq;
        g[q] = gq;
        let inter = -Infinity;
        while (k >= 0) {
          const p = v[k]!;
          inter = (gq - g[p]!) / (2 * s * (q - p));
          if (inter <= z[k]!) k--;
          else break;
        }
        if (k < 0) { k = 0; v[0] = q; z[0] = -Infinity; z[1] = Infinity; }
        else { k++; v[k] = q; z[k] = inter; z[k + 1] = Infinity; }
      }
      if (k < 0) continue;
      k = 0;
      for (let q = 0, o = base; q < len; q++, o += stride) {
        const x = q * s;
        while (z[k + 1]! < x) k++;
        const p = v[k]!, dx = x - p * s;
        D[o] = dx * dx + f[p]!; F[o] = feat[p]!;
      }
    }
  }
  return { feature: F, d2: D };
}

/** Marks the box voxels within `radiusMm` of the stroke's polyline with `value` (lesion strokes win over background). */
export function rasterStroke(seed: Uint8Array, s: SeedStroke, value: number, box: IndexBox, g: ReturnType<typeof gridMetric>, geom: ScalarVolume['geometry']): void {
  const [bi, bj] = boxDims(box);
  const pts = s.pointsLps.map((p) => geom.lpsToIjk([0, 0, 0], p));
  const r2 = s.radiusMm * s.radiusMm;
  const h = g.unitBallHalfExtent;
  for (let a = 0; a < pts.length; a++) {
    const A = pts[a]!, B = pts[Math.min(a + 1, pts.length - 1)]!;
    const i0 = Math.max(box[0], Math.floor(Math.min(A[0], B[0]) - s.radiusMm * h[0])), i1 = Math.min(box[3], Math.ceil(Math.max(A[0], B[0]) + s.radiusMm * h[0]));
    const j0 = Math.max(box[1], Math.floor(Math.min(A[1], B[1]) - s.radiusMm * h[1])), j1 = Math.min(box[4], Math.ceil(Math.max(A[1], B[1]) + s.radiusMm * h[1]));
    const k0 = Math.max(box[2], Math.floor(Math.min(A[2], B[2]) - s.radiusMm * h[2])), k1 = Math.min(box[5], Math.ceil(Math.max(A[2], B[2]) + s.radiusMm * h[2]));
    const D: Vec3 = [B[0] - A[0], B[1] - A[1], B[2] - A[2]];
    const dd = metricLength2(g, D[0], D[1], D[2]);
    for (let k = k0; k <= k1; k++) for (let j = j0; j <= j1; j++) for (let i = i0; i <= i1; i++) {
      const w0 = i - A[0], w1 = j - A[1], w2 = k - A[2];
      let t = 0;
      if (dd > 0) {
        // projection in the grid metric
        const dot = g.gii * w0 * D[0] + g.gjj * w1 * D[1] + g.gkk * w2 * D[2] + g.gij * (w0 * D[1] + w1 * D[0]) + g.gik * (w0 * D[2] + w2 * D[0]) + g.gjk * (w1 * D[2] + w2 * D[1]);
        t = Math.max(0, Math.min(1, dot / dd));
      }
      if (metricLength2(g, w0 - t * D[0], w1 - t * D[1], w2 - t * D[2]) > r2) continue;
      const n = (i - box[0]) + bi * ((j - box[1]) + bj * (k - box[2]));
      if (value === 1 || seed[n] === 0) seed[n] = value;
    }
  }
}
