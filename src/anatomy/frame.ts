/**
 * Curvilinear sacral frame (x, s, q) fitted to the landmarks of a {@link SacralFrame}.
 *
 * - x: signed lateral distance (mm) from the midline plane, + toward `midlineNormalLps` (patient left).
 * - s: arc length (mm) along the fitted long axis through the S1…S5 body centres, 0 at the first
 *   (S1) body centre, + caudal. The sacrum is kyphotic (25–40°), so positions along it are measured
 *   by arc length, not by z.
 * - q: signed distance (mm) from the long axis within the midline plane direction perpendicular to
 *   it, + dorsal (toward LPS +y).
 *
 * Fitted curve [design]: the body centres are projected onto the midline plane and a circle is
 * fitted to them by algebraic least squares (Kåsa 1976, "A circle fitting procedure and its error
 * analysis", IEEE Trans. Instrum. Meas. 25:8-14). With fewer than three centres, collinear
 * centres or a radius > 2 m the axis is the straight line from the first to the last centre.
 * A circular arc is exact for the phantom (whose centre line is an arc of R = 115 mm) and a
 * reasonable model of the sacral kyphosis; s of a point is the arc position of its radial
 * projection (the foot of the perpendicular from the point to the arc).
 *
 * Pure: no DOM. Hot paths take numbers, not arrays, and write into an `out` vector.
 */
import type { Vec3 } from '../core/vec3';
import type { SacralFrame } from './types';

export interface FittedSacralFrame {
  readonly kind: 'arc' | 'line';
  /** Radius of the fitted arc (Infinity for a line). */
  readonly radiusMm: number;
  /** Arc position s of each body centre (first = 0), cranial → caudal. */
  readonly bodyCenterS: number[];
  /** Unit lateral normal (+ patient left). */
  readonly normalLps: Vec3;
  /** (x, s, q) of an LPS point into `out`. */
  toLocal(out: Vec3, x: number, y: number, z: number): Vec3;
  /** LPS of sacral coordinates (x, s, q) into `out`. */
  toLps(out: Vec3, x: number, s: number, q: number): Vec3;
}

const RADIUS_LIMIT_MM = 2000;

/** Fits the curvilinear frame; throws only on programmer error (no body centres, zero normal). */
export function fitSacralFrame(frame: SacralFrame): FittedSacralFrame {
  const n0 = frame.midlineNormalLps;
  const nl = Math.hypot(n0[0], n0[1], n0[2]);
  if (!(nl > 0)) throw new Error('midlineNormalLps must be non-zero');
  const nx = n0[0] / nl, ny = n0[1] / nl, nz = n0[2] / nl;
  const mp = frame.midlinePointLps;
  const centers = frame.bodyCentersLps;
  if (centers.length < 2) throw new Error('the sacral frame needs at least two body centres');
  // Project the centres onto the midline plane.
  const proj = centers.map((c): Vec3 => {
    const d = (c[0] - mp[0]) * nx + (c[1] - mp[1]) * ny + (c[2] - mp[2]) * nz;
    return [c[0] - d * nx, c[1] - d * ny, c[2] - d * nz];
  });
  const c0 = proj[0]!;
  const cl = proj[proj.length - 1]!;
  // e1: caudal in-plane axis (first → last centre); e2 = n × e1, flipped to point dorsal (+y).
  let e1x = cl[0] - c0[0], e1y = cl[1] - c0[1], e1z = cl[2] - c0[2];
  const l1 = Math.hypot(e1x, e1y, e1z);
  if (!(l1 > 0)) throw new Error('body centres coincide');
  e1x /= l1; e1y /= l1; e1z /= l1;
  let e2x = ny * e1z - nz * e1y, e2y = nz * e1x - nx * e1z, e2z = nx * e1y - ny * e1x;
  if (e2y < 0) { e2x = -e2x; e2y = -e2y; e2z = -e2z; }
  const uv = proj.map((p) => {
    const dx = p[0] - c0[0], dy = p[1] - c0[1], dz = p[2] - c0[2];
    return [dx * e1x + dy * e1y + dz * e1z, dx * e2x + dy * e2y + dz * e2z] as [number, number];
  });

  // Kåsa fit: u² + v² + D u + E v + F = 0 in least squares.
  let circle: { cu: number; cv: number; r: number } | null = null;
  if (uv.length >= 3) {
    const A = [0, 0, 0, 0, 0, 0, 0, 0, 0];
    const b = [0, 0, 0];
    for (const [u, v] of uv) {
      const row = [u, v, 1];
      const rhs = -(u * u + v * v);
      for (let r = 0; r < 3; r++) {
        b[r]! += row[r]! * rhs;
        for (let c = 0; c < 3; c++) A[r * 3 + c]! += row[r]! * row[c]!;
      }
    }
    const sol = solve3(A, b);
    if (sol) {
      const cu = -sol[0] / 2, cv = -sol[1] / 2;
      const r2 = cu * cu + cv * cv - sol[2];
      const r = r2 > 0 ? Math.sqrt(r2) : Infinity;
      if (r < RADIUS_LIMIT_MM) circle = { cu, cv, r };
    }
  }

  if (!circle) {
    const bodyCenterS = uv.map(([u]) => u);
    return {
      kind: 'line', radiusMm: Infinity, bodyCenterS, normalLps: [nx, ny, nz],
      toLocal(out, x, y, z) {
        const dx = x - c0[0], dy = y - c0[1], dz = z - c0[2];
        out[0] = (x - mp[0]) * nx + (y - mp[1]) * ny + (z - mp[2]) * nz;
        out[1] = dx * e1x + dy * e1y + dz * e1z;
        out[2] = dx * e2x + dy * e2y + dz * e2z;
        return out;
      },
      toLps(out, x, s, q) {
        out[0] = c0[0] + s * e1x + q * e2x + x * nx;
        out[1] = c0[1] + s * e1y + q * e2y + x * ny;
        out[2] = c0[2] + s * e1z + q * e2z + x * nz;
        return out;
      },
    };
  }

  const { cu, cv, r: R } = circle;
  // Reference direction: circle centre → first centre's foot on the circle.
  let au = uv[0]![0] - cu, av = uv[0]![1] - cv;
  const al = Math.hypot(au, av);
  au /= al; av /= al;
  const last = uv[uv.length - 1]!;
  const sgn = au * (last[1] - cv) - av * (last[0] - cu) >= 0 ? 1 : -1;
  // q sign: + where the radial direction at the middle centre points dorsal (+e2 ≈ +y).
  const mid = uv[(uv.length / 2) | 0]!;
  const qsgn = mid[1] - cv >= 0 ? 1 : -1;
  // 3D position of the circle centre (in the plane).
  const Cx = c0[0] + cu * e1x + cv * e2x, Cy = c0[1] + cu * e1y + cv * e2y, Cz = c0[2] + cu * e1z + cv * e2z;
  const angleOf = (wu: number, wv: number): number => Math.atan2(au * wv - av * wu, au * wu + av * wv);
  const bodyCenterS = uv.map(([u, v]) => R * sgn * angleOf(u - cu, v - cv));
  return {
    kind: 'arc', radiusMm: R, bodyCenterS, normalLps: [nx, ny, nz],
    toLocal(out, x, y, z) {
      const dx = x - Cx, dy = y - Cy, dz = z - Cz;
      const wu = dx * e1x + dy * e1y + dz * e1z;
      const wv = dx * e2x + dy * e2y + dz * e2z;
      out[0] = (x - mp[0]) * nx + (y - mp[1]) * ny + (z - mp[2]) * nz;
      out[1] = R * sgn * Math.atan2(au * wv - av * wu, au * wu + av * wv);
      out[2] = qsgn * (Math.sqrt(wu * wu + wv * wv) - R);
      return out;
    },
    toLps(out, x, s, q) {
      const th = (sgn * s) / R;
      const c = Math.cos(th), sn = Math.sin(th);
      const du = au * c - av * sn, dv = au * sn + av * c;
      const rho = R + qsgn * q;
      const u = du * rho, v = dv * rho;
      // midline offset of the plane: the circle lies in the plane through c0 (on the midline plane)
      out[0] = Cx + u * e1x + v * e2x + x * nx;
      out[1] = Cy + u * e1y + v * e2y + x * ny;
      out[2] = Cz + u * e1z + v * e2z + x * nz;
      return out;
    },
  };
}

/** Solves the 3×3 system A·x = b (row-major A) by Cramer's rule; null when singular. */
function solve3(A: number[], b: number[]): [number, number, number] | null {
  const [a, bb, c, d, e, f, g, h, i] = A as [number, number, number, number, number, number, number, number, number];
  const det = a * (e * i - f * h) - bb * (d * i - f * g) + c * (d * h - e * g);
  const scaleRef = Math.abs(a * e * i) + Math.abs(bb * f * g) + Math.abs(c * d * h) + 1e-300;
  if (Math.abs(det) < 1e-12 * scaleRef) return null;
  const [p, q, r] = b as [number, number, number];
  const x = (p * (e * i - f * h) - bb * (q * i - f * r) + c * (q * h - e * r)) / det;
  const y = (a * (q * i - f * r) - p * (d * i - f * g) + c * (d * r - q * g)) / det;
  const z = (a * (e * r - q * h) - bb * (d * r - q * g) + p * (d * h - e * g)) / det;
  return [x, y, z];
}
