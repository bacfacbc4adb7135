/**
 * Index-space helpers shared by the segmentation tools: the metric of a voxel grid
 * (physical distance between index offsets, oblique and anisotropic grids included),
 * the index box that holds a physical ball, and sub-box extraction.
 */
import type { VolumeGeometry } from '../core/geometry';
import type { Vec3 } from '../core/vec3';
import type { IndexBox } from './labelmap';

/**
 * Metric tensor G = MᵀM of the grid, M = [iAxis·sI | jAxis·sJ | kAxis·sK].
 * |Δ|²mm = Σ G_ab Δa Δb for an index offset Δ = (Δi, Δj, Δk). Six unique entries.
 */
export interface GridMetric {
  gii: number; gjj: number; gkk: number; gij: number; gik: number; gjk: number;
  /** Half-extent in index units of a ball of radius 1 mm, per index axis: sqrt((G⁻¹)_aa). */
  unitBallHalfExtent: Vec3;
  /** True when the axes are mutually orthogonal (then per-axis spacing describes the metric). */
  orthogonal: boolean;
}

/** Computes the metric of `geometry`. */
export function gridMetric(geometry: VolumeGeometry): GridMetric {
  const s = geometry.spacingMm;
  const a = geometry.axis(0), b = geometry.axis(1), c = geometry.axis(2);
  const col = (v: Vec3, f: number): Vec3 => [v[0] * f, v[1] * f, v[2] * f];
  const A = col(a, s[0]), B = col(b, s[1]), C = col(c, s[2]);
  const d = (x: Vec3, y: Vec3) => x[0] * y[0] + x[1] * y[1] + x[2] * y[2];
  const gii = d(A, A), gjj = d(B, B), gkk = d(C, C), gij = d(A, B), gik = d(A, C), gjk = d(B, C);
  // inverse of the symmetric 3x3 G: diagonal entries only
  const det = gii * (gjj * gkk - gjk * gjk) - gij * (gij * gkk - gjk * gik) + gik * (gij * gjk - gjj * gik);
  const inv00 = (gjj * gkk - gjk * gjk) / det;
  const inv11 = (gii * gkk - gik * gik) / det;
  const inv22 = (gii * gjj - gij * gij) / det;
  const tol = 1e-9 * Math.max(gii, gjj, gkk);
  return {
    gii, gjj, gkk, gij, gik, gjk,
    unitBallHalfExtent: [Math.sqrt(inv00), Math.sqrt(inv11), Math.sqrt(inv22)],
    orthogonal: Math.abs(gij) < tol && Math.abs(gik) < tol && Math.abs(gjk) < tol,
  };
}

/** Squared physical length (mm²) of an index offset. */
export function metricLength2(g: GridMetric, di: number, dj: number, dk: number): number {
  return g.gii * di * di + g.gjj * dj * dj + g.gkk * dk * dk + 2 * (g.gij * di * dj + g.gik * di * dk + g.gjk * dj * dk);
}

/** Index box (unclamped) containing every voxel centre within `radiusMm` of continuous index `c`. */
export function ballIndexBox(g: GridMetric, c: Readonly<Vec3>, radiusMm: number): IndexBox {
  const h = g.unitBallHalfExtent;
  return [
    Math.ceil(c[0] - radiusMm * h[0]), Math.ceil(c[1] - radiusMm * h[1]), Math.ceil(c[2] - radiusMm * h[2]),
    Math.floor(c[0] + radiusMm * h[0]), Math.floor(c[1] + radiusMm * h[1]), Math.floor(c[2] + radiusMm * h[2]),
  ];
}

/** Dimensions of a box. */
export function boxDims(b: IndexBox): [number, number, number] {
  return [b[3] - b[0] + 1, b[4] - b[1] + 1, b[5] - b[2] + 1];
}

/** Grows a box by `m` voxels per side (unclamped). */
export function padBox(b: IndexBox, m: number): IndexBox {
  return [b[0] - m, b[1] - m, b[2] - m, b[3] + m, b[4] + m, b[5] + m];
}

/** Effective per-axis spacing for distance transforms (exact for orthogonal grids). */
export function edtSpacing(g: GridMetric): Vec3 {
  return [Math.sqrt(g.gii), Math.sqrt(g.gjj), Math.sqrt(g.gkk)];
}

/** Copies the 0/1 mask "data == label" inside `box` (which may extend past the grid: outside reads 0). */
export function extractLabelMask(data: Uint8Array, dims: readonly [number, number, number], box: IndexBox, label: number): Uint8Array {
  const [bi, bj, bk] = boxDims(box);
  const out = new Uint8Array(bi * bj * bk);
  const [ni, nj, nk] = dims;
  let n = 0;
  for (let k = box[2]; k <= box[5]; k++) for (let j = box[1]; j <= box[4]; j++) {
    if (k < 0 || k >= nk || j < 0 || j >= nj) { n += bi; continue; }
    const row = ni * (j + nj * k);
    for (let i = box[0]; i <= box[3]; i++, n++) if (i >= 0 && i < ni && data[row + i] === label) out[n] = 1;
  }
  return out;
}

/**
 * Index box [i0, j0, k0, i1, j1, k1] of the non-zero voxels of a one-byte-per-voxel volume (i
 * fastest), or null when all are zero. Each row is scanned four voxels per read from its start to its
 * first non-zero voxel and from its end to its last (a 512×512×300 mask in tens of milliseconds).
 */
export function nonZeroBox(data: Uint8Array, dims: readonly [number, number, number]): IndexBox | null {
  const [ni, nj, nk] = dims;
  let i0 = Infinity, j0 = Infinity, k0 = Infinity, i1 = -1, j1 = -1, k1 = -1;
  // Words of the underlying buffer; byte o of `data` is byte base + o of the buffer.
  const base = data.byteOffset;
  const w = new Uint32Array(data.buffer, 0, data.buffer.byteLength >> 2);
  for (let k = 0; k < nk; k++) for (let j = 0; j < nj; j++) {
    const o0 = ni * (j + nj * k), o1 = o0 + ni; // the row is [o0, o1)
    // whole words inside the row: buffer words [t0, t1)
    const t0 = (base + o0 + 3) >> 2, t1 = (base + o1) >> 2;
    let f = -1;
    if (t0 >= t1) {
      for (let o = o0; o < o1; o++) if (data[o] !== 0) { f = o; break; }
    } else {
      for (let o = o0; o < 4 * t0 - base; o++) if (data[o] !== 0) { f = o; break; }
      if (f < 0) {
        let t = t0;
        while (t < t1 && w[t] === 0) t++;
        for (let o = 4 * t - base; o < o1; o++) if (data[o] !== 0) { f = o; break; }
      }
    }
    if (f < 0) continue;
    // last non-zero: bytes after the last whole word, then words backwards, then bytewise
    let e = -1;
    const tailStart = Math.max(f, 4 * t1 - base);
    for (let o = o1 - 1; o >= tailStart; o--) if (data[o] !== 0) { e = o; break; }
    if (e < 0) {
      let t = t1 - 1;
      while (t >= t0 && 4 * t - base > f && w[t] === 0) t--;
      for (let o = Math.min(o1 - 1, 4 * t + 3 - base); o >= f; o--) if (data[o] !== 0) { e = o; break; }
    }
    const fi = f - o0, ei = e - o0;
    if (fi < i0) i0 = fi; if (ei > i1) i1 = ei;
    if (j < j0) j0 = j; if (j > j1) j1 = j;
    if (k < k0) k0 = k; if (k > k1) k1 = k;
  }
  return i1 < 0 ? null : [i0, j0, k0, i1, j1, k1];
}
