/** Geometry helpers of landmark detection: polynomial fit, Hough line, polyline with arc length, vectors. */
import type { Vec3 } from '../../core/vec3';

/** Least-squares polynomial fit y = Σ p_k x^k (degree ≤ 3) with weights. */
export function polyFit(xs: number[], ys: number[], deg: number): number[] {
  const m = deg + 1;
  const A = new Float64Array(m * m), r = new Float64Array(m);
  for (let n = 0; n < xs.length; n++) {
    const x = xs[n]!, y = ys[n]!;
    const pw: number[] = [1];
    for (let k = 1; k < 2 * m; k++) pw.push(pw[k - 1]! * x);
    for (let i = 0; i < m; i++) { r[i] = r[i]! + pw[i]! * y; for (let j = 0; j < m; j++) A[i * m + j] = A[i * m + j]! + pw[i + j]!; }
  }
  // Gaussian elimination
  for (let i = 0; i < m; i++) {
    let piv = i;
    for (let k = i + 1; k < m; k++) if (Math.abs(A[k * m + i]!) > Math.abs(A[piv * m + i]!)) piv = k;
    if (piv !== i) { for (let j = 0; j < m; j++) { const t = A[i * m + j]!; A[i * m + j] = A[piv * m + j]!; A[piv * m + j] = t; } const t = r[i]!; r[i] = r[piv]!; r[piv] = t; }
    const d = A[i * m + i]!;
    if (Math.abs(d) < 1e-12) continue;
    for (let k = i + 1; k < m; k++) {
      const f = A[k * m + i]! / d;
      for (let j = i; j < m; j++) A[k * m + j] = A[k * m + j]! - f * A[i * m + j]!;
      r[k] = r[k]! - f * r[i]!;
    }
  }
  const p = new Array<number>(m).fill(0);
  for (let i = m - 1; i >= 0; i--) {
    let s = r[i]!;
    for (let j = i + 1; j < m; j++) s -= A[i * m + j]! * p[j]!;
    const d = A[i * m + i]!;
    p[i] = Math.abs(d) < 1e-12 ? 0 : s / d;
  }
  return p;
}

export function polyEval(p: number[], x: number): number {
  let y = 0;
  for (let k = p.length - 1; k >= 0; k--) y = y * x + p[k]!;
  return y;
}

/**
 * Hough search for the line (direction within 50° of +y cranio-caudally — or of the direction tilted by `alphaCentreDeg`
 * about +x, the sacrum's local antero-posterior direction — and 20° laterally) that passes within about one bin of
 * the most points. Returns a point and unit direction (mm).
 */
export function houghLine(pts: readonly Vec3[], h: number, alphaCentreDeg = 0): { p: Vec3; d: Vec3 } {
  const bin = Math.max(1.5, h);
  let best = { score: -1, p: [0, 0, 0] as Vec3, d: [0, 1, 0] as Vec3 };
  // the cranio-caudal tilt range also covers ±50° about the local antero-posterior direction of the sacrum
  const a0 = Math.min(-50, 5 * Math.round(alphaCentreDeg / 5) - 50), a1 = Math.max(50, 5 * Math.round(alphaCentreDeg / 5) + 50);
  // the bins of the points in the plane perpendicular to each direction, counted in a grid one bin wider than
  // their range on every side (so the 3 × 3 neighbourhood needs no bounds check); the bins are visited in the
  // order they were first filled, the order the first maximum is taken in
  const n = pts.length;
  const binU = new Int32Array(n), binW = new Int32Array(n), order = new Int32Array(n);
  let grid = new Int32Array(0);
  for (let alpha = a0; alpha <= a1; alpha += 5) for (let beta = -20; beta <= 20; beta += 5) {
    const al = (alpha * Math.PI) / 180, be = (beta * Math.PI) / 180;
    const d: Vec3 = [Math.sin(be), Math.cos(be) * Math.cos(al), Math.cos(be) * Math.sin(al)];
    // basis of the plane perpendicular to d
    const u: Vec3 = [Math.cos(be), -Math.sin(be) * Math.cos(al), -Math.sin(be) * Math.sin(al)];
    const w: Vec3 = [d[1] * u[2] - d[2] * u[1], d[2] * u[0] - d[0] * u[2], d[0] * u[1] - d[1] * u[0]];
    let uMin = Infinity, uMax = -Infinity, wMin = Infinity, wMax = -Infinity;
    for (let t = 0; t < n; t++) {
      const q = pts[t]!;
      const iu = Math.round((q[0] * u[0] + q[1] * u[1] + q[2] * u[2]) / bin), iw = Math.round((q[0] * w[0] + q[1] * w[1] + q[2] * w[2]) / bin);
      binU[t] = iu; binW[t] = iw;
      if (iu < uMin) uMin = iu; if (iu > uMax) uMax = iu;
      if (iw < wMin) wMin = iw; if (iw > wMax) wMax = iw;
    }
    if (n === 0) continue;
    const su0 = uMin - 1, sw0 = wMin - 1, gw = wMax - wMin + 3, cells = (uMax - uMin + 3) * gw;
    if (grid.length < cells) grid = new Int32Array(cells);
    let keys = 0;
    for (let t = 0; t < n; t++) {
      const cell = (binU[t]! - su0) * gw + (binW[t]! - sw0);
      if (grid[cell] === 0) order[keys++] = cell;
      grid[cell] = grid[cell]! + 1;
    }
    for (let k = 0; k < keys; k++) {
      const cell = order[k]!, cnt = grid[cell]!;
      if (cnt <= best.score) continue;
      const iu = Math.floor(cell / gw) + su0, iw = (cell % gw) + sw0;
      let sum = 0, su = 0, sw = 0;
      for (let du = -1; du <= 1; du++) for (let dw = -1; dw <= 1; dw++) {
        const c = grid[cell + du * gw + dw]!;
        sum += c; su += c * (iu + du); sw += c * (iw + dw);
      }
      {
        sum = Math.max(sum, 1);
        const score = cnt;
        const cu = (su / sum) * bin, cw = (sw / sum) * bin;
        best = { score, p: [u[0] * cu + w[0] * cw, u[1] * cu + w[1] * cw, u[2] * cu + w[2] * cw], d };
      }
    }
    for (let k = 0; k < keys; k++) grid[order[k]!] = 0;
  }
  return { p: best.p, d: best.d };
}

/** Polyline with cumulative arc length; projection of a point onto it. */
export class Polyline {
  readonly cum: number[] = [0];
  constructor(readonly pts: Vec3[]) {
    for (let n = 1; n < pts.length; n++) this.cum.push(this.cum[n - 1]! + dist(pts[n - 1]!, pts[n]!));
  }
  get length(): number { return this.cum[this.cum.length - 1]!; }
  /** Unit tangent at arc length s (from the points about `halfMm` either side). */
  tangent(s: number, halfMm = 3): Vec3 {
    const a = this.at(Math.max(0, s - halfMm)), b = this.at(Math.min(this.length, s + halfMm));
    return normalize3([b[0] - a[0], b[1] - a[1], b[2] - a[2]]);
  }
  /**
   * The local posterior direction at s: perpendicular to the tangent within the sagittal plane
   * (the curve runs cranial → caudal, so this is the tangent turned by 90° about +x, towards +y).
   */
  posterior(s: number): Vec3 {
    const t = this.tangent(s);
    const p = normalize3([0, -t[2], t[1]]);
    return p[1] < 0 ? [0, -p[1], -p[2]] : p;
  }
  at(s: number): Vec3 {
    const p = this.pts;
    if (p.length === 1 || s <= 0) return [...p[0]!] as Vec3;
    for (let n = 1; n < p.length; n++) {
      if (s <= this.cum[n]! || n === p.length - 1) {
        const L = this.cum[n]! - this.cum[n - 1]!;
        const t = L > 0 ? Math.min(1, (s - this.cum[n - 1]!) / L) : 0;
        const a = p[n - 1]!, b = p[n]!;
        return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];
      }
    }
    return [...p[p.length - 1]!] as Vec3;
  }
  /** Arc length of the closest point and the distance to it. */
  project(q: Readonly<Vec3>): { s: number; d: number } {
    let best = { s: 0, d: Infinity };
    const p = this.pts;
    for (let n = 1; n < p.length; n++) {
      const a = p[n - 1]!, b = p[n]!;
      const ab: Vec3 = [b[0] - a[0], b[1] - a[1], b[2] - a[2]];
      const L2 = ab[0] * ab[0] + ab[1] * ab[1] + ab[2] * ab[2];
      let t = L2 > 0 ? ((q[0] - a[0]) * ab[0] + (q[1] - a[1]) * ab[1] + (q[2] - a[2]) * ab[2]) / L2 : 0;
      t = Math.max(0, Math.min(1, t));
      const c: Vec3 = [a[0] + ab[0] * t, a[1] + ab[1] * t, a[2] + ab[2] * t];
      const d = dist(c, q);
      if (d < best.d) best = { s: this.cum[n - 1]! + t * Math.sqrt(L2), d };
    }
    return best;
  }
}

export function cross3(a: Readonly<Vec3>, b: Readonly<Vec3>): Vec3 {
  return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
}

export function normalize3(a: Readonly<Vec3>): Vec3 {
  const l = Math.hypot(a[0], a[1], a[2]) || 1;
  return [a[0] / l, a[1] / l, a[2] / l];
}

export function dist(a: Readonly<Vec3>, b: Readonly<Vec3>): number {
  return Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
}

export function sub3(a: Readonly<Vec3>, b: Readonly<Vec3>): Vec3 {
  return [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
}

export function len3(a: Readonly<Vec3>): number {
  return Math.hypot(a[0], a[1], a[2]);
}

/** The point t mm along unit direction d from p. */
export function along3(p: Readonly<Vec3>, d: Readonly<Vec3>, t: number): Vec3 {
  return [p[0] + d[0] * t, p[1] + d[1] * t, p[2] + d[2] * t];
}

/** The angle between two lines (unsigned directions), degrees in [0, 90]. */
export function lineAngleDeg(a: Readonly<Vec3>, b: Readonly<Vec3>): number {
  const c = Math.abs(a[0] * b[0] + a[1] * b[1] + a[2] * b[2]) / ((len3(a) * len3(b)) || 1);
  return (Math.acos(Math.min(1, c)) * 180) / Math.PI;
}

/** Distance (mm) from p to the segment a–b. */
export function pointSegmentDistance(p: Readonly<Vec3>, a: Readonly<Vec3>, b: Readonly<Vec3>): number {
  const d: Vec3 = [b[0] - a[0], b[1] - a[1], b[2] - a[2]], w: Vec3 = [p[0] - a[0], p[1] - a[1], p[2] - a[2]];
  const l2 = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
  const t = l2 > 0 ? Math.max(0, Math.min(1, (w[0] * d[0] + w[1] * d[1] + w[2] * d[2]) / l2)) : 0;
  return Math.hypot(w[0] - t * d[0], w[1] - t * d[1], w[2] - t * d[2]);
}
