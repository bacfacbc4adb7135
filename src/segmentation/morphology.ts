/**
 * Binary morphology and mask tools.
 *
 * Two layers:
 *  - mask level: 0/1 Uint8Array over a box with dims [bi, bj, bk] (i fastest). Pure functions,
 *    inputs never mutated, results newly allocated.
 *  - label level: operate on one label of a LabelMap inside its bounding box, write the result
 *    back through LabelMap.set and record it when a LabelEditRecorder is given.
 *
 * Distances are physical (mm): dilation/erosion use an exact Euclidean distance transform
 * (Felzenszwalb & Huttenlocher, "Distance Transforms of Sampled Functions", Theory of Computing
 * 8:415-428, 2012) with per-axis spacing, so the structuring element is the ellipsoid
 * {Δ : |Δ·spacing| ≤ r} in index space, i.e. a true ball in millimetres. For a sheared grid
 * (non-orthogonal axes, gantry tilt) the per-axis lengths are used, an approximation.
 */
import type { ScalarVolume } from '../core/volume';
import type { Vec3 } from '../core/vec3';
import type { LabelEditRecorder } from './history';
import { type IndexBox, type LabelMap, clampBox } from './labelmap';
import { boxDims, edtSpacing, extractLabelMask, gridMetric, padBox } from './grid';

export type Connectivity = 6 | 18 | 26;
export type Dims = readonly [number, number, number];

/** Neighbour offsets (di, dj, dk) of a connectivity, flat triples. */
export function neighbourOffsets(conn: Connectivity): Int8Array {
  const out: number[] = [];
  for (let dk = -1; dk <= 1; dk++) for (let dj = -1; dj <= 1; dj++) for (let di = -1; di <= 1; di++) {
    const m = Math.abs(di) + Math.abs(dj) + Math.abs(dk);
    if (m === 0) continue;
    if (conn === 6 && m > 1) continue;
    if (conn === 18 && m > 2) continue;
    out.push(di, dj, dk);
  }
  return Int8Array.from(out);
}

const INF = Number.POSITIVE_INFINITY;

/**
 * 1D squared-distance transform of sampled function f (n samples, step s) into d: the lower envelope
 * of the parabolas (x − p·s)² + f[p] (Felzenszwalb & Huttenlocher 2012). `g` is scratch. Sample q lies at
 * (q + q0)·s: a line of a box cut out of a larger grid (q0 its first index there) gives the same floating-point
 * distances as the whole grid's line.
 */
function edt1d(f: Float64Array, n: number, s: number, d: Float64Array, v: Int32Array, z: Float64Array, g: Float64Array, q0 = 0): void {
  let k = -1;
  const s2 = 2 * s;
  for (let q = 0; q < n; q++) {
    const fq = f[q]!;
    if (fq === INF) continue;
    const xq = (q + q0) * s;
    const gq = fq + xq * xq;
    g[q] = gq;
    let inter = -INF;
    while (k >= 0) {
      const p = v[k]!;
      inter = (gq - g[p]!) / (s2 * (q - p));
      if (inter <= z[k]!) k--;
      else break;
    }
    if (k < 0) { k = 0; v[0] = q; z[0] = -INF; z[1] = INF; }
    else { k++; v[k] = q; z[k] = inter; z[k + 1] = INF; }
  }
  if (k < 0) { for (let q = 0; q < n; q++) d[q] = INF; return; }
  k = 0;
  let zk1 = z[1]!, p = v[0]!, fp = f[p]!, xp = (p + q0) * s;
  for (let q = 0; q < n; q++) {
    const x = (q + q0) * s;
    if (zk1 < x) {
      do { k++; zk1 = z[k + 1]!; } while (zk1 < x);
      p = v[k]!; fp = f[p]!; xp = (p + q0) * s;
    }
    const dx = x - xp;
    d[q] = dx * dx + fp;
  }
}

/** Options of squaredDistanceTo for a box cut out of a larger grid and for distances read only against a bound. */
export interface DistanceOptions {
  /**
   * Index in the larger grid of the box's first voxel: the box's distances are then the same floating-point
   * numbers as that grid's at the same voxels, wherever every feature voxel within reach lies in the box.
   */
  indexOrigin?: readonly [number, number, number];
  /**
   * Only distances up to this (mm²) are wanted: a partial distance beyond it is set to Infinity between the
   * passes (it can only grow), so lines far from every feature are skipped. Values ≤ maxMm2 are the exact
   * ones; every value beyond it reads Infinity.
   */
  maxMm2?: number;
  /** A buffer to write the distances into (its first voxel-count entries; the result is a view of it): no new array. */
  into?: Float64Array;
}

/**
 * Squared Euclidean distance (mm²) from every voxel of the box to the nearest voxel whose mask
 * value equals `feature` (Infinity when there is none). Voxels outside the box are ignored.
 */
export function squaredDistanceTo(mask: Uint8Array, dims: Dims, spacingMm: Readonly<Vec3>, feature: 0 | 1 = 1, opts: DistanceOptions = {}): Float64Array {
  const [ni, nj, nk] = dims;
  const nij = ni * nj;
  const N = ni * nj * nk;
  const out = opts.into && opts.into.length >= N ? opts.into.subarray(0, N) : new Float64Array(N);
  for (let n = 0; n < N; n++) out[n] = mask[n] === feature ? 0 : INF;
  const m = Math.max(ni, nj, nk);
  const f = new Float64Array(m), d = new Float64Array(m), v = new Int32Array(m), z = new Float64Array(m + 1), g = new Float64Array(m);
  const cap = opts.maxMm2 ?? INF;
  const j0 = opts.indexOrigin?.[1] ?? 0, k0 = opts.indexOrigin?.[2] ?? 0;
  // A line with no feature distance stays at Infinity; one at 0 throughout (all inside the feature) stays 0.
  const line = (arr: Float64Array, base: number, len: number, stride: number, s: number, q0: number) => {
    let any = false, nonZero = false;
    for (let q = 0, o = base; q < len; q++, o += stride) { const x = arr[o]!; f[q] = x; if (x !== INF) any = true; if (x !== 0) nonZero = true; }
    if (!any || !nonZero) return;
    edt1d(f, len, s, d, v, z, g, q0);
    if (cap === INF) for (let q = 0, o = base; q < len; q++, o += stride) arr[o] = d[q]!;
    else for (let q = 0, o = base; q < len; q++, o += stride) { const x = d[q]!; arr[o] = x > cap ? INF : x; }
  };
  // First axis: the input is binary, so the nearest feature along the row is found by two sweeps.
  const s0 = spacingMm[0];
  for (let k = 0; k < nk; k++) for (let j = 0; j < nj; j++) {
    const base = ni * j + nij * k;
    let last = -1;
    for (let q = 0, o = base; q < ni; q++, o++) { if (out[o] === 0) last = q; v[q] = last; }
    if (last < 0) continue;
    let next = -1;
    for (let q = ni - 1, o = base + ni - 1; q >= 0; q--, o--) {
      if (out[o] === 0) { next = q; continue; }
      const l = v[q]!, dl = l >= 0 ? q - l : INF, dn = next >= 0 ? next - q : INF;
      const dq = (dl < dn ? dl : dn) * s0;
      const d2 = dq * dq;
      out[o] = d2 > cap ? INF : d2;
    }
  }
  for (let k = 0; k < nk; k++) for (let i = 0; i < ni; i++) line(out, i + nij * k, nj, ni, spacingMm[1], j0);
  // Third axis: one j at a time, its (i, k) plane copied out row by row so that the lines are
  // read from a small array instead of one cache line per voxel across the whole volume.
  if (nk > 1) {
    const plane = new Float64Array(ni * nk);
    for (let j = 0; j < nj; j++) {
      for (let k = 0; k < nk; k++) plane.set(out.subarray(ni * j + nij * k, ni * j + nij * k + ni), ni * k);
      for (let i = 0; i < ni; i++) line(plane, i, nk, ni, spacingMm[2], k0);
      for (let k = 0; k < nk; k++) out.set(plane.subarray(ni * k, ni * k + ni), ni * j + nij * k);
    }
  }
  return out;
}

/** Dilation by a ball of `radiusMm` (voxels within radius of the mask). New array. */
export function dilateMask(mask: Uint8Array, dims: Dims, spacingMm: Readonly<Vec3>, radiusMm: number): Uint8Array {
  const d2 = squaredDistanceTo(mask, dims, spacingMm, 1);
  const r2 = radiusMm * radiusMm * (1 + 1e-9);
  const out = new Uint8Array(mask.length);
  for (let n = 0; n < out.length; n++) out[n] = d2[n]! <= r2 ? 1 : 0;
  return out;
}

/** Erosion by a ball of `radiusMm` (voxels farther than radius from any background voxel of the box). New array. */
export function erodeMask(mask: Uint8Array, dims: Dims, spacingMm: Readonly<Vec3>, radiusMm: number): Uint8Array {
  const d2 = squaredDistanceTo(mask, dims, spacingMm, 0);
  const r2 = radiusMm * radiusMm * (1 + 1e-9);
  const out = new Uint8Array(mask.length);
  for (let n = 0; n < out.length; n++) out[n] = mask[n] && d2[n]! > r2 ? 1 : 0;
  return out;
}

/**
 * Fills holes: background voxels not 6-connected to the box border become 1. New array.
 * (Same definition as scipy.ndimage.binary_fill_holes with the default cross structure.)
 * `closedI`: the box's low-i and high-i faces count as walls (a crop face beyond which the bone goes on), so
 * background that reaches the border only through them is filled.
 */
export function fillHolesMask(mask: Uint8Array, dims: Dims, closedI: readonly [boolean, boolean] = [false, false]): Uint8Array {
  const [ni, nj, nk] = dims;
  // A copy padded by one voxel of wall (1) on every side, so that the flood needs no bounds checks and
  // no index → (i, j, k) divisions: 0 = background not reached, 1 = mask or wall, 2 = outside.
  const pi = ni + 2, pij = pi * (nj + 2);
  const P = new Uint8Array(pij * (nk + 2)).fill(1);
  for (let k = 0; k < nk; k++) for (let j = 0; j < nj; j++) {
    const src = ni * (j + nj * k), dst = 1 + pi * (j + 1) + pij * (k + 1);
    for (let i = 0; i < ni; i++) P[dst + i] = mask[src + i] ? 1 : 0;
  }
  const queue = new Int32Array(ni * nj * nk);
  let head = 0, tail = 0;
  // seeds: background voxels on the faces of the box
  for (let k = 0; k < nk; k++) for (let j = 0; j < nj; j++) {
    const full = k === 0 || j === 0 || k === nk - 1 || j === nj - 1;
    const row = 1 + pi * (j + 1) + pij * (k + 1);
    for (let i = 0; i < ni; i += full ? 1 : Math.max(1, ni - 1)) {
      // a closed low-i or high-i face is a wall: no seed on it (its voxels on the other faces are seeded by those)
      if (!full && ((i === 0 && closedI[0]) || (i === ni - 1 && closedI[1]))) continue;
      const n = row + i;
      if (P[n] === 0) { P[n] = 2; queue[tail++] = n; }
    }
  }
  while (head < tail) {
    const n = queue[head++]!;
    let m: number;
    if (P[m = n - 1] === 0) { P[m] = 2; queue[tail++] = m; }
    if (P[m = n + 1] === 0) { P[m] = 2; queue[tail++] = m; }
    if (P[m = n - pi] === 0) { P[m] = 2; queue[tail++] = m; }
    if (P[m = n + pi] === 0) { P[m] = 2; queue[tail++] = m; }
    if (P[m = n - pij] === 0) { P[m] = 2; queue[tail++] = m; }
    if (P[m = n + pij] === 0) { P[m] = 2; queue[tail++] = m; }
  }
  const out = new Uint8Array(mask.length);
  for (let k = 0; k < nk; k++) for (let j = 0; j < nj; j++) {
    const dstRow = ni * (j + nj * k), src = 1 + pi * (j + 1) + pij * (k + 1);
    for (let i = 0; i < ni; i++) out[dstRow + i] = P[src + i] === 2 ? 0 : 1;
  }
  return out;
}

/**
 * Connected components of a mask: component id per voxel (0 = background, 1..n) and sizes (index = id). Ids
 * follow the order of each component's first voxel (i fastest). The flood runs on a copy of the mask with a
 * one-voxel border of background, so a neighbour needs no bounds test.
 */
export function labelComponents(mask: Uint8Array, dims: Dims, conn: Connectivity = 6): { ids: Int32Array; sizes: number[] } {
  const [ni, nj, nk] = dims;
  const nij = ni * nj;
  const pi = ni + 2, pij = pi * (nj + 2);
  // the padded grid: 1 = mask voxel not yet labelled; a voxel is set to 0 once queued
  const P = new Uint8Array(pij * (nk + 2));
  for (let k = 0; k < nk; k++) for (let j = 0; j < nj; j++) P.set(mask.subarray(nij * k + ni * j, nij * k + ni * j + ni), pij * (k + 1) + pi * (j + 1) + 1);
  for (let n = 0; n < P.length; n++) if (P[n]) P[n] = 1;
  const off = neighbourOffsets(conn);
  const step = new Int32Array(off.length / 3);
  for (let t = 0; t < step.length; t++) step[t] = off[3 * t]! + pi * off[3 * t + 1]! + pij * off[3 * t + 2]!;
  const ids = new Int32Array(mask.length);
  const queue = new Int32Array(mask.length);
  const sizes = [0];
  let next = 1;
  for (let k = 0; k < nk; k++) for (let j = 0; j < nj; j++) {
    const row = pij * (k + 1) + pi * (j + 1) + 1;
    for (let i = 0; i < ni; i++) {
      if (P[row + i] !== 1) continue;
      const id = next++;
      let head = 0, tail = 0;
      P[row + i] = 0; queue[tail++] = row + i;
      while (head < tail) {
        const n = queue[head++]!;
        for (let t = 0; t < step.length; t++) {
          const m = n + step[t]!;
          if (P[m] === 1) { P[m] = 0; queue[tail++] = m; }
        }
      }
      // the component's voxels back to the grid's indices
      for (let q = 0; q < tail; q++) {
        const n = queue[q]!;
        const kk = ((n / pij) | 0) - 1, r = n % pij, jj = ((r / pi) | 0) - 1, ii = (r % pi) - 1;
        ids[ii + ni * jj + nij * kk] = id;
      }
      sizes.push(tail);
    }
  }
  return { ids, sizes };
}

// ---------------------------------------------------------------------------------------------
// label level

/**
 * Writes a box mask back as `label`: mask 1 → label (over background, or over any label when
 * `overwrite`), mask 0 where the map holds `label` → background. Returns the number of changes.
 */
export function writeMaskToLabel(labels: LabelMap, mask: Uint8Array, box: IndexBox, label: number, recorder?: LabelEditRecorder, overwrite = false): number {
  const [ni, nj, nk] = labels.geometry.dims;
  const d = labels.data;
  let n = 0, changes = 0;
  for (let k = box[2]; k <= box[5]; k++) for (let j = box[1]; j <= box[4]; j++) {
    const inside = k >= 0 && k < nk && j >= 0 && j < nj;
    const row = ni * (j + nj * k);
    for (let i = box[0]; i <= box[3]; i++, n++) {
      if (!inside || i < 0 || i >= ni) continue;
      const o = row + i, cur = d[o]!;
      if (mask[n]) {
        if (cur !== label && (cur === 0 || overwrite)) { labels.set(o, label, recorder); changes++; }
      } else if (cur === label) { labels.set(o, 0, recorder); changes++; }
    }
  }
  return changes;
}

/**
 * Labels every voxel of `box` (clamped to the grid) whose value lies in [lo, hi] as `label`
 * (over background only unless `overwrite`). Returns the number of voxels changed.
 */
export function thresholdInBox(labels: LabelMap, volume: ScalarVolume, box: IndexBox, window: readonly [number, number], label: number, recorder?: LabelEditRecorder, overwrite = false): number {
  const b = clampBox(box, labels.geometry.dims);
  if (!b) return 0;
  const [ni, nj] = labels.geometry.dims;
  const v = volume.voxels, d = labels.data;
  let changes = 0;
  for (let k = b[2]; k <= b[5]; k++) for (let j = b[1]; j <= b[4]; j++) {
    const row = ni * (j + nj * k);
    for (let i = b[0]; i <= b[3]; i++) {
      const o = row + i, x = v[o]!;
      if (x >= window[0] && x <= window[1]) {
        const cur = d[o]!;
        if (cur !== label && (cur === 0 || overwrite)) { labels.set(o, label, recorder); changes++; }
      }
    }
  }
  return changes;
}

/** 3D hole filling of `label` (enclosed background inside its bounding box becomes `label`). */
export function fillHoles(labels: LabelMap, label: number, recorder?: LabelEditRecorder): number {
  const tb = labels.tightBox(label);
  if (!tb) return 0;
  const box = padBox(tb, 1);
  const mask = extractLabelMask(labels.data, labels.geometry.dims, box, label);
  return writeMaskToLabel(labels, fillHolesMask(mask, boxDims(box)), box, label, recorder, false);
}

/** Keeps only the largest connected component of `label`. Returns voxels removed. */
export function keepLargestComponent(labels: LabelMap, label: number, conn: Connectivity = 6, recorder?: LabelEditRecorder): number {
  const box = labels.tightBox(label);
  if (!box) return 0;
  const mask = extractLabelMask(labels.data, labels.geometry.dims, box, label);
  const { ids, sizes } = labelComponents(mask, boxDims(box), conn);
  let best = 1;
  for (let c = 2; c < sizes.length; c++) if (sizes[c]! > sizes[best]!) best = c;
  for (let n = 0; n < mask.length; n++) mask[n] = ids[n] === best ? 1 : 0;
  return writeMaskToLabel(labels, mask, box, label, recorder);
}

/** Removes connected components of `label` smaller than `minVoxels`. Returns voxels removed. */
export function removeIslands(labels: LabelMap, label: number, minVoxels: number, conn: Connectivity = 6, recorder?: LabelEditRecorder): number {
  const box = labels.tightBox(label);
  if (!box) return 0;
  const mask = extractLabelMask(labels.data, labels.geometry.dims, box, label);
  const { ids, sizes } = labelComponents(mask, boxDims(box), conn);
  for (let n = 0; n < mask.length; n++) mask[n] = ids[n]! > 0 && sizes[ids[n]!]! >= minVoxels ? 1 : 0;
  return writeMaskToLabel(labels, mask, box, label, recorder);
}

/** Dilates `label` by `radiusMm` (ball in mm; grows over background only). Returns voxels changed. */
export function dilateLabel(labels: LabelMap, label: number, radiusMm: number, recorder?: LabelEditRecorder): number {
  const tb = labels.tightBox(label);
  if (!tb || radiusMm <= 0) return 0;
  const g = gridMetric(labels.geometry);
  const h = g.unitBallHalfExtent;
  const m = Math.ceil(radiusMm * Math.max(h[0], h[1], h[2])) + 1;
  const box = clampBox(padBox(tb, m), labels.geometry.dims)!;
  const mask = extractLabelMask(labels.data, labels.geometry.dims, box, label);
  return writeMaskToLabel(labels, dilateMask(mask, boxDims(box), edtSpacing(g), radiusMm), box, label, recorder);
}

/**
 * Erodes `label` by `radiusMm` (ball in mm). Everything outside the label counts as background,
 * the grid border included. Returns voxels changed.
 */
export function erodeLabel(labels: LabelMap, label: number, radiusMm: number, recorder?: LabelEditRecorder): number {
  const tb = labels.tightBox(label);
  if (!tb || radiusMm <= 0) return 0;
  const g = gridMetric(labels.geometry);
  const box = padBox(tb, 1); // one background voxel all round (outside the grid reads 0)
  const mask = extractLabelMask(labels.data, labels.geometry.dims, box, label);
  return writeMaskToLabel(labels, erodeMask(mask, boxDims(box), edtSpacing(g), radiusMm), box, label, recorder);
}
