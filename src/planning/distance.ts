/**
 * Closed-form and convex-minimisation distances between a needle (a capsule: segment + radius)
 * and the neural structures: a foramen (capsule) and the canal (union of round cones).
 * Pure; numbers in, numbers out, no allocation in the hot paths.
 */
import type { Vec3 } from '../core/vec3';
import { roundConeSdf } from '../anatomy/zones';

export interface SegmentClosest {
  distance: number;
  /** Parameters of the closest points on p0→p1 and q0→q1 (0..1). */
  s: number;
  t: number;
}

/**
 * Distance between segments p0–p1 and q0–q1 (Ericson, Real-Time Collision Detection, 2005,
 * §5.1.9 ClosestPtSegmentSegment), robust for degenerate and parallel segments.
 */
export function segmentSegmentDistance(p0: Readonly<Vec3>, p1: Readonly<Vec3>, q0: Readonly<Vec3>, q1: Readonly<Vec3>): SegmentClosest {
  const d1x = p1[0] - p0[0], d1y = p1[1] - p0[1], d1z = p1[2] - p0[2];
  const d2x = q1[0] - q0[0], d2y = q1[1] - q0[1], d2z = q1[2] - q0[2];
  const rx = p0[0] - q0[0], ry = p0[1] - q0[1], rz = p0[2] - q0[2];
  const a = d1x * d1x + d1y * d1y + d1z * d1z;
  const e = d2x * d2x + d2y * d2y + d2z * d2z;
  const f = d2x * rx + d2y * ry + d2z * rz;
  const EPS = 1e-12;
  let s: number, t: number;
  if (a <= EPS && e <= EPS) { s = 0; t = 0; }
  else if (a <= EPS) { s = 0; t = clamp01(f / e); }
  else {
    const c = d1x * rx + d1y * ry + d1z * rz;
    if (e <= EPS) { t = 0; s = clamp01(-c / a); }
    else {
      const b = d1x * d2x + d1y * d2y + d1z * d2z;
      const denom = a * e - b * b;
      s = denom > EPS * a * e ? clamp01((b * f - c * e) / denom) : 0;
      t = (b * s + f) / e;
      if (t < 0) { t = 0; s = clamp01(-c / a); }
      else if (t > 1) { t = 1; s = clamp01((b - c) / a); }
    }
  }
  const x = rx + d1x * s - d2x * t, y = ry + d1y * s - d2y * t, z = rz + d1z * s - d2z * t;
  return { distance: Math.sqrt(x * x + y * y + z * z), s, t };
}

function clamp01(v: number): number {
  return v < 0 ? 0 : v > 1 ? 1 : v;
}

/** Clearance between two capsules' surfaces (axis distance minus both radii, clipped at 0). */
export function capsuleClearance(p0: Readonly<Vec3>, p1: Readonly<Vec3>, pr: number, q0: Readonly<Vec3>, q1: Readonly<Vec3>, qr: number): number {
  return Math.max(0, segmentSegmentDistance(p0, p1, q0, q1).distance - pr - qr);
}

const GOLDEN = (Math.sqrt(5) - 1) / 2;

/**
 * Minimum over t ∈ [0, 1] of a convex function f (golden-section search, Kiefer 1953) to
 * |Δt| < tol. Returns [t, f(t)].
 */
export function minimiseConvex01(f: (t: number) => number, tol = 1e-7): [number, number] {
  let a = 0, b = 1;
  let c = b - GOLDEN * (b - a), d = a + GOLDEN * (b - a);
  let fc = f(c), fd = f(d);
  while (b - a > tol) {
    if (fc < fd) { b = d; d = c; fd = fc; c = b - GOLDEN * (b - a); fc = f(c); }
    else { a = c; c = d; fc = fd; d = a + GOLDEN * (b - a); fd = f(d); }
  }
  const fa = f(0), fb = f(1), t = (a + b) / 2, ft = f(t);
  if (fa <= ft && fa <= fb) return [0, fa];
  if (fb <= ft) return [1, fb];
  return [t, ft];
}

/**
 * Signed distance from the segment p0–p1 (the needle axis) to the canal, modelled as the union of
 * round cones between consecutive centre-line points (the phantom's and our landmark model).
 * Each round cone is convex, so its distance along a line is convex in t and golden-section
 * search finds the exact minimum; cones farther than the best so far are skipped by a bound.
 */
export function segmentCanalDistance(p0: Readonly<Vec3>, p1: Readonly<Vec3>, centerline: readonly Readonly<Vec3>[], radii: readonly number[]): { distance: number; t: number } {
  let best = Infinity, bestT = 0;
  const dx = p1[0] - p0[0], dy = p1[1] - p0[1], dz = p1[2] - p0[2];
  for (let i = 0; i + 1 < centerline.length; i++) {
    const c0 = centerline[i]!, c1 = centerline[i + 1]!;
    const r0 = radii[i]!, r1 = radii[i + 1]!;
    // Lower bound: segment–segment axis distance minus the larger radius.
    const bound = segmentSegmentDistance(p0, p1, c0, c1).distance - Math.max(r0, r1);
    if (bound >= best) continue;
    const [t, v] = minimiseConvex01((u) => roundConeSdf(p0[0] + dx * u, p0[1] + dy * u, p0[2] + dz * u, c0, c1, r0, r1), 1e-9);
    if (v < best) { best = v; bestT = t; }
  }
  if (centerline.length === 1) {
    const c = centerline[0]!;
    const r = segmentSegmentDistance(p0, p1, c, c);
    return { distance: r.distance - radii[0]!, t: r.s };
  }
  return { distance: best, t: bestT };
}
