/**
 * Robust statistics and light smoothing of a box of values, shared by the segmentation tools:
 *  - robustStats: median and 1.4826 × MAD, with values beyond 3 robust SD of the median rejected
 *    once (a noisy voxel or a bit of another tissue in a sample does not move the level);
 *  - smoothBox: a separable Gaussian of a box (averages noise and fine trabecular texture while
 *    keeping the level of any region a few mm across).
 * Pure; arrays are box-local (i fastest); inputs are never mutated.
 */
import type { Vec3 } from '../core/vec3';

/**
 * A value this many σ (the strokes' pooled spread) from every lesion level is not lesion, painted
 * background or not: for noise of that σ about a level, 1.2 % of its voxels lie that far out. One home
 * for the competitive grow's evidence (seeded-grow.ts) and its unsampled-tissue check (strokes-unsampled.ts).
 */
export const OUTLIER_Z = 2.5;

export interface RobustStats {
  /** Median of the kept values. */
  median: number;
  /** Robust SD: 1.4826 × median absolute deviation of the kept values. */
  sigma: number;
  /** Values used (after outlier rejection). */
  n: number;
  /** Values rejected as outliers (beyond 3 robust SD of the first median). */
  rejected: number;
}

/** Median and MAD-based SD, with values beyond 3 robust SD of the first median dropped once. */
export function robustStats(values: ArrayLike<number>): RobustStats {
  const xs = Float64Array.from(values as ArrayLike<number>).sort();
  if (xs.length === 0) return { median: NaN, sigma: NaN, n: 0, rejected: 0 };
  const med = medianSorted(xs);
  const dev = xs.map((x) => Math.abs(x - med)).sort();
  const s0 = 1.4826 * medianSorted(dev);
  if (!(s0 > 0)) return { median: med, sigma: 0, n: xs.length, rejected: 0 };
  const kept = xs.filter((x) => Math.abs(x - med) <= 3 * s0);
  const m1 = medianSorted(kept);
  const dev1 = kept.map((x) => Math.abs(x - m1)).sort();
  return { median: m1, sigma: 1.4826 * medianSorted(dev1), n: kept.length, rejected: xs.length - kept.length };
}

function medianSorted(xs: Float64Array): number {
  const n = xs.length;
  if (n === 0) return NaN;
  return n % 2 ? xs[(n - 1) / 2]! : (xs[n / 2 - 1]! + xs[n / 2]!) / 2;
}

/** Offset of the first voxel of line l along `axis` in a bi×bj×… box (lines numbered in memory order of the other two axes). */
export function lineStart(axis: number, l: number, bi: number, bj: number): number {
  if (axis === 0) return l * bi;
  if (axis === 1) { const k = (l / bi) | 0, i = l - k * bi; return i + bi * bj * k; }
  return l;
}

/** Gaussian taps for σ = sv voxels, truncated at 2σ (radius r, at least 1), not normalised. */
export function gaussianTaps(sv: number): { w: Float32Array; r: number } {
  const r = Math.max(1, Math.ceil(2 * sv));
  const w = new Float32Array(2 * r + 1);
  for (let t = -r; t <= r; t++) w[t + r] = Math.exp(-0.5 * (t / sv) ** 2);
  return { w, r };
}

/**
 * Separable Gaussian smoothing of a box (σ in mm per index axis; an axis whose spacing exceeds
 * 2σ is left alone: one slice of a thick-slice series is not averaged with its neighbours).
 * Kernel truncated at 2σ, renormalised at the box border.
 */
export function smoothBox(val: Float32Array, dims: readonly [number, number, number], spacingMm: Readonly<Vec3>, sigmaMm: number): Float32Array {
  let cur = val;
  for (let axis = 0; axis < 3; axis++) {
    const sv = sigmaMm / spacingMm[axis]!;
    if (sv < 0.5) continue;
    const { w, r } = gaussianTaps(sv);
    cur = convolveAxis(cur, dims, axis, w, r);
  }
  return cur === val ? val.slice() : cur;
}

function convolveAxis(src: Float32Array, dims: readonly [number, number, number], axis: number, w: Float32Array, r: number): Float32Array {
  const [bi, bj] = dims;
  const out = new Float32Array(src.length);
  const stride = axis === 0 ? 1 : axis === 1 ? bi : bi * bj;
  const len = dims[axis]!;
  const lines = src.length / len;
  let wsum = 0;
  for (let u = 0; u < w.length; u++) wsum += w[u]!;
  const inv = 1 / wsum;
  for (let l = 0; l < lines; l++) {
    const base = lineStart(axis, l, bi, bj);
    for (let t = 0; t < len; t++) {
      let s = 0;
      if (t >= r && t < len - r) {
        // interior: the whole kernel, normalised once
        for (let u = -r, q = base + (t - r) * stride; u <= r; u++, q += stride) s += w[u + r]! * src[q]!;
        out[base + t * stride] = s * inv;
        continue;
      }
      let ws = 0;
      const a = Math.max(0, t - r), b = Math.min(len - 1, t + r);
      for (let u = a; u <= b; u++) { const wt = w[u - t + r]!; s += wt * src[base + u * stride]!; ws += wt; }
      out[base + t * stride] = s / ws;
    }
  }
  return out;
}
