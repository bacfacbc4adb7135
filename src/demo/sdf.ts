/**
 * Small signed-distance helpers and a seeded random source for the demo phantom.
 * Pure functions, no allocation in the hot paths. Sign convention: negative inside, millimetres.
 *
 * The ellipse/ellipsoid distance is the first-order estimate k0·(k0 − 1)/k1 with k0 = |p/a|,
 * k1 = |p/a²| (Quilez, "ellipsoid SDF"): exact zero set, accurate to a few percent near the surface,
 * which is all the cortex shell and the partial-volume blend need.
 */

/** First-order signed distance to an axis-aligned ellipse centred at the origin, semi-axes a, b. */
export function ellipseSdf(x: number, y: number, a: number, b: number): number {
  const u = x / a, v = y / b;
  const k0 = Math.sqrt(u * u + v * v);
  const k1 = Math.sqrt((u / a) * (u / a) + (v / b) * (v / b));
  if (k1 === 0) return -Math.min(a, b);
  return (k0 * (k0 - 1)) / k1;
}

/** First-order signed distance to an ellipsoid in its own frame (coordinates along its axes). */
export function ellipsoidSdf(x: number, y: number, z: number, a: number, b: number, c: number): number {
  const u = x / a, v = y / b, w = z / c;
  const k0 = Math.sqrt(u * u + v * v + w * w);
  const k1 = Math.sqrt((u / a) * (u / a) + (v / b) * (v / b) + (w / c) * (w / c));
  if (k1 === 0) return -Math.min(a, b, c);
  return (k0 * (k0 - 1)) / k1;
}

/**
 * First-order signed distance to the superellipse |x/a|^4 + |y/b|^4 = 1 (a rounded rectangle):
 * (F − 1)/|∇F| with F = (u⁴ + v⁴)^¼. Deep inside (F < 0.6) it returns (F − 1)·min(a, b), a safe
 * under-estimate of the depth (only the value near the surface matters for the cortex).
 */
export function superellipse4Sdf(x: number, y: number, a: number, b: number): number {
  const u = Math.abs(x) / a, v = Math.abs(y) / b;
  const u2 = u * u, v2 = v * v;
  const s = u2 * u2 + v2 * v2;
  const F = Math.sqrt(Math.sqrt(s));
  if (F < 0.6) return (F - 1) * Math.min(a, b);
  const f3 = F * F * F;
  const gx = (u2 * u) / (a * f3), gy = (v2 * v) / (b * f3);
  return (F - 1) / Math.sqrt(gx * gx + gy * gy);
}

/** Same, in 3D: |x/a|^4 + |y/b|^4 + |z/c|^4 = 1. */
export function superellipsoid4Sdf(x: number, y: number, z: number, a: number, b: number, c: number): number {
  const u = Math.abs(x) / a, v = Math.abs(y) / b, w = Math.abs(z) / c;
  const u2 = u * u, v2 = v * v, w2 = w * w;
  const s = u2 * u2 + v2 * v2 + w2 * w2;
  const F = Math.sqrt(Math.sqrt(s));
  if (F < 0.6) return (F - 1) * Math.min(a, b, c);
  const f3 = F * F * F;
  const gx = (u2 * u) / (a * f3), gy = (v2 * v) / (b * f3), gz = (w2 * w) / (c * f3);
  return (F - 1) / Math.sqrt(gx * gx + gy * gy + gz * gz);
}

/** Polynomial smooth minimum (smooth union) with blend radius k mm (Quilez). */
export function smin(a: number, b: number, k: number): number {
  const h = Math.max(k - Math.abs(a - b), 0) / k;
  return Math.min(a, b) - (h * h * k) * 0.25;
}

export function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

export function smoothstep(e0: number, e1: number, x: number): number {
  const t = clamp((x - e0) / (e1 - e0), 0, 1);
  return t * t * (3 - 2 * t);
}

/** Piecewise-linear interpolation in a table of (knot, value), clamped at both ends. */
export function interpTable(knots: readonly number[], values: readonly number[], x: number): number {
  const n = knots.length;
  if (x <= knots[0]!) return values[0]!;
  if (x >= knots[n - 1]!) return values[n - 1]!;
  let i = 1;
  while (knots[i]! < x) i++;
  const x0 = knots[i - 1]!, x1 = knots[i]!;
  const t = (x - x0) / (x1 - x0);
  return values[i - 1]! + t * (values[i]! - values[i - 1]!);
}

/**
 * Fraction of a voxel of width h (box filter across the surface normal) lying at depth δ ∈ (lo, hi)
 * below a surface, for a voxel whose centre is at depth `depth` (= −φ).
 */
export function layerFraction(depth: number, lo: number, hi: number, h: number): number {
  const a = Math.max(depth - h / 2, lo), b = Math.min(depth + h / 2, hi);
  return b > a ? (b - a) / h : 0;
}

export { mulberry32 } from '../core/random';

/** A table of 2^bits standard-normal samples (Box–Muller) from a seeded generator. */
export function gaussianTable(rand: () => number, bits = 16): Float32Array {
  const n = 1 << bits;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    const u1 = Math.max(rand(), 1e-12), u2 = rand();
    const r = Math.sqrt(-2 * Math.log(u1));
    out[i] = r * Math.cos(2 * Math.PI * u2);
    out[i + 1] = r * Math.sin(2 * Math.PI * u2);
  }
  return out;
}
