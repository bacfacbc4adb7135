/**
 * Skin entry of a needle path (pure).
 *
 * Walking outward from the target along the path, the skin is where the body ends: the first
 * run of ≥ 3 mm of air (CT below −400 HU; fat is about −100 HU, air −1000 HU, DOMAIN.md §6)
 * after leaving the target. When the path leaves the image while still inside the body (the skin
 * is outside the field of view — common for transiliac paths on a sacral field of view), the skin
 * is extrapolated: each axial slab of the body outline seen in the image is fitted with an
 * axis-aligned ellipse (linear least squares on A·x² + B·y² + C·x + D·y = 1) and the path is
 * intersected with the ellipse of the nearest slab. The entry is then flagged as extrapolated.
 * Without HU (MR) the entry is the edge of the image, flagged.
 */
import type { Vec3 } from '../core/vec3';
import type { ScalarVolume } from '../core/volume';

export const AIR_HU = -400;
const AIR_RUN_MM = 3;

export interface SkinEntry {
  entryLps: Vec3;
  /** 'skin': found in the image; 'extrapolated': body outline extended beyond the image; 'image-edge': no skin found. */
  kind: 'skin' | 'extrapolated' | 'image-edge';
}

interface Ellipse { cx: number; cy: number; ax: number; by: number; z: number }

export class BodyModel {
  private slabs: Ellipse[] | null = null;
  private readonly boundsMin: Vec3;
  private readonly boundsMax: Vec3;

  constructor(readonly volume: ScalarVolume) {
    const c = volume.geometry.cornersLps();
    this.boundsMin = [Infinity, Infinity, Infinity];
    this.boundsMax = [-Infinity, -Infinity, -Infinity];
    for (const p of c) for (let a = 0; a < 3; a++) { this.boundsMin[a] = Math.min(this.boundsMin[a]!, p[a]!); this.boundsMax[a] = Math.max(this.boundsMax[a]!, p[a]!); }
  }

  private hu(x: number, y: number, z: number, tmp: Vec3): number | null {
    const geo = this.volume.geometry;
    geo.lpsToIjk(tmp, [x, y, z]);
    const i = Math.round(tmp[0]), j = Math.round(tmp[1]), k = Math.round(tmp[2]);
    const [ni, nj, nk] = geo.dims;
    if (i < 0 || j < 0 || k < 0 || i >= ni || j >= nj || k >= nk) return null;
    return this.volume.voxels[i + ni * (j + nj * k)]!;
  }

  /** Skin entry of the ray from `targetLps` along unit `dirToEntry` (pointing out of the body). */
  skinEntry(targetLps: Readonly<Vec3>, dirToEntry: Readonly<Vec3>, maxMm = 400): SkinEntry {
    const tmp: Vec3 = [0, 0, 0];
    const step = 0.5;
    let airStart = -1;
    let lastInside = 0;
    const isCt = this.volume.units === 'HU';
    for (let t = 0; t <= maxMm; t += step) {
      const x = targetLps[0] + dirToEntry[0] * t, y = targetLps[1] + dirToEntry[1] * t, z = targetLps[2] + dirToEntry[2] * t;
      const v = this.hu(x, y, z, tmp);
      if (v === null) {
        if (airStart >= 0) return { entryLps: at(targetLps, dirToEntry, airStart), kind: 'skin' };
        const lastLps = at(targetLps, dirToEntry, lastInside);
        if (!isCt) return { entryLps: lastLps, kind: 'image-edge' };
        const ex = this.extrapolate(targetLps, dirToEntry, lastInside);
        return ex ? { entryLps: ex, kind: 'extrapolated' } : { entryLps: lastLps, kind: 'image-edge' };
      }
      lastInside = t;
      if (!isCt) continue;
      if (v < AIR_HU) {
        if (airStart < 0) airStart = t;
        else if (t - airStart >= AIR_RUN_MM) return { entryLps: at(targetLps, dirToEntry, airStart), kind: 'skin' };
      } else airStart = -1;
    }
    return { entryLps: at(targetLps, dirToEntry, lastInside), kind: 'image-edge' };
  }

  private extrapolate(p: Readonly<Vec3>, d: Readonly<Vec3>, fromMm: number): Vec3 | null {
    const slabs = this.slabs ?? (this.slabs = this.fitSlabs());
    if (!slabs.length) return null;
    // The ray leaves the image at fromMm; use the slab nearest in z to that point.
    const zAt = p[2] + d[2] * fromMm;
    let best = slabs[0]!;
    for (const s of slabs) if (Math.abs(s.z - zAt) < Math.abs(best.z - zAt)) best = s;
    // Solve ((x-cx)/ax)² + ((y-cy)/by)² = 1 along p + d t for the largest t.
    const ox = (p[0] - best.cx) / best.ax, oy = (p[1] - best.cy) / best.by;
    const dx = d[0] / best.ax, dy = d[1] / best.by;
    const A = dx * dx + dy * dy, B = 2 * (ox * dx + oy * dy), C = ox * ox + oy * oy - 1;
    if (A < 1e-12) return null;
    const disc = B * B - 4 * A * C;
    if (disc < 0) return null;
    const t = (-B + Math.sqrt(disc)) / (2 * A);
    if (!(t > fromMm)) return null;
    return at(p, d, t);
  }

  /** Body outline ellipses per 10 mm axial slab (points sampled on a 2 mm LPS grid). */
  private fitSlabs(): Ellipse[] {
    const out: Ellipse[] = [];
    const tmp: Vec3 = [0, 0, 0];
    const h = 2;
    const [x0, y0, z0] = this.boundsMin, [x1, y1, z1] = this.boundsMax;
    const nx = Math.floor((x1 - x0) / h) + 1, ny = Math.floor((y1 - y0) / h) + 1;
    for (let z = z0 + 2; z <= z1 - 2; z += 10) {
      const inside = new Int8Array(nx * ny); // 1 body, 0 air, -1 outside the image
      for (let b = 0; b < ny; b++) for (let a = 0; a < nx; a++) {
        const v = this.hu(x0 + a * h, y0 + b * h, z, tmp);
        inside[a + nx * b] = v === null ? -1 : v >= AIR_HU ? 1 : 0;
      }
      // boundary points: body with an air 4-neighbour (not the image edge)
      const pts: [number, number][] = [];
      for (let b = 1; b < ny - 1; b++) for (let a = 1; a < nx - 1; a++) {
        const n = a + nx * b;
        if (inside[n] !== 1) continue;
        if (inside[n - 1] === 0 || inside[n + 1] === 0 || inside[n - nx] === 0 || inside[n + nx] === 0) pts.push([x0 + a * h, y0 + b * h]);
      }
      if (pts.length < 20) continue;
      const e = fitAxisEllipse(pts);
      if (e) out.push({ ...e, z });
    }
    return out;
  }
}

function at(p: Readonly<Vec3>, d: Readonly<Vec3>, t: number): Vec3 {
  return [p[0] + d[0] * t, p[1] + d[1] * t, p[2] + d[2] * t];
}

/** Least-squares axis-aligned ellipse through 2D points (A x² + B y² + C x + D y = 1). */
export function fitAxisEllipse(pts: readonly [number, number][]): { cx: number; cy: number; ax: number; by: number } | null {
  // centre the data for conditioning
  let mx = 0, my = 0;
  for (const [x, y] of pts) { mx += x; my += y; }
  mx /= pts.length; my /= pts.length;
  const M = new Float64Array(25); // 4x4 normal matrix + rhs packed as rows of 5
  for (const [px, py] of pts) {
    const x = px - mx, y = py - my;
    const r = [x * x, y * y, x, y, 1];
    for (let i = 0; i < 4; i++) for (let j = 0; j < 5; j++) M[i * 5 + j]! += r[i]! * r[j]!;
  }
  // Gauss-Jordan
  for (let c = 0; c < 4; c++) {
    let piv = c;
    for (let r = c + 1; r < 4; r++) if (Math.abs(M[r * 5 + c]!) > Math.abs(M[piv * 5 + c]!)) piv = r;
    if (Math.abs(M[piv * 5 + c]!) < 1e-12) return null;
    if (piv !== c) for (let j = 0; j < 5; j++) { const t = M[c * 5 + j]!; M[c * 5 + j] = M[piv * 5 + j]!; M[piv * 5 + j] = t; }
    for (let r = 0; r < 4; r++) {
      if (r === c) continue;
      const f = M[r * 5 + c]! / M[c * 5 + c]!;
      for (let j = c; j < 5; j++) M[r * 5 + j]! -= f * M[c * 5 + j]!;
    }
  }
  const A = M[4]! / M[0]!, B = M[9]! / M[6]!, C = M[14]! / M[12]!, D = M[19]! / M[18]!;
  if (!(A > 0 && B > 0)) return null;
  const cx = -C / (2 * A), cy = -D / (2 * B);
  const k = 1 + A * cx * cx + B * cy * cy;
  if (!(k > 0)) return null;
  return { cx: cx + mx, cy: cy + my, ax: Math.sqrt(k / A), by: Math.sqrt(k / B) };
}
