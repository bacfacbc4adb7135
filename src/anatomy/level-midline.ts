/**
 * The sacrum's own midline at one level (pure).
 *
 *   levelMidline(mask, grid, plane, centreLps, tangent) → { pointLps, normalLps, offsetMm, overlap } | null
 *
 * The left and right foramina of a level are mirror images about the sacrum's plane of symmetry at that level.
 * One plane for the whole sacrum (symmetry.ts) holds where the sacrum is straight, but a real sacrum is often bent
 * or turned sideways along its length (scoliosis, a dysmorphic or rotated lower sacrum): on pelvic-ref-003 the
 * mirror symmetry of the mask's axial sections moves from x 19 mm at S1 to 17.5 at S2, 16 at S3 and 13–14.5 at S4
 * (mask alone and mask with the cortex round it agree within 1.5 mm), and the S4 openings, 17.2 and 26.2 mm from
 * the whole sacrum's plane, lie 20 and 23 mm from their own level's.
 * So each level's plane is the whole sacrum's plane moved along its normal to the offset that makes the level's own
 * section of the mask most nearly its own mirror image (the overlap measure of symmetry.ts): the section is the
 * slab of the mask within SLAB_HALF_MM of the plane through the level's centre on the long axis, perpendicular to
 * the axis. The offset is searched within MAX_OFFSET_MM: the midline of a level runs through its body.
 */
import type { Vec3 } from '../core/vec3';
import type { WorkGrid } from './detect-grid';
import { pointSegmentDistance } from './zones';

/**
 * Half the thickness of a level's slab (mm): half the shortest level spacing along the long axis (S3 to S4, 16 mm
 * between the junctions of frame.ts' body fractions; evidence.ts JUNCTION_MM), so that the slab holds one level.
 */
export const SLAB_HALF_MM = 8;
/**
 * The level's plane lies at most this far from the whole sacrum's (mm): the midline runs through the level's body,
 * whose half-width is 9 mm at S5 and more above it (the generator's body table 24 → 9 mm; DOMAIN.md §6 widths).
 */
export const MAX_OFFSET_MM = 9;
/** A slab with fewer mask voxels than this holds no section of the sacrum to be symmetric (the image's edge, a gap). */
const MIN_SLAB_VOXELS = 200;

export interface LevelMidline {
  /** A point of the level's plane (the whole sacrum's point moved along the normal by offsetMm). */
  pointLps: Vec3;
  /** The whole sacrum's plane normal (unit, + towards patient left). */
  normalLps: Vec3;
  /** How far the level's plane lies from the whole sacrum's, along the normal (mm, + left). */
  offsetMm: number;
  /** Share of the slab's mask voxels whose mirror image about the level's plane is in the mask. */
  overlap: number;
}

export interface MirrorPlaneLike { normalLps: Readonly<Vec3>; pointLps: Readonly<Vec3> }

/** Reflection about a plane. */
export function reflectAbout(plane: MirrorPlaneLike): (p: Readonly<Vec3>) => Vec3 {
  const n = plane.normalLps, m = plane.pointLps;
  return (p) => {
    const d = (p[0] - m[0]) * n[0] + (p[1] - m[1]) * n[1] + (p[2] - m[2]) * n[2];
    return [p[0] - 2 * d * n[0], p[1] - 2 * d * n[1], p[2] - 2 * d * n[2]];
  };
}

/**
 * The level's own midline plane (see the module comment), or null where the slab holds too little of the mask.
 * `centreLps` is the level's point on the long axis, `tangentLps` the axis' unit direction there.
 */
/** The mask's voxels as grid indices (a, b, c), in grid order: read once for all the levels of one mask. */
export interface MaskVoxels { a: Int32Array; b: Int32Array; c: Int32Array }

export function maskVoxels(mask: Uint8Array, g: WorkGrid): MaskVoxels {
  const [na, nb] = g.dims, nab = na * nb;
  let m = 0;
  for (let n = 0; n < mask.length; n++) if (mask[n]) m++;
  const out: MaskVoxels = { a: new Int32Array(m), b: new Int32Array(m), c: new Int32Array(m) };
  for (let n = 0, k = 0; n < mask.length; n++) {
    if (!mask[n]) continue;
    const c = (n / nab) | 0, r = n - c * nab, b = (r / na) | 0;
    out.a[k] = r - b * na; out.b[k] = b; out.c[k] = c; k++;
  }
  return out;
}

export function levelMidline(mask: Uint8Array, g: WorkGrid, plane: MirrorPlaneLike, centreLps: Readonly<Vec3>, tangentLps: Readonly<Vec3>, voxels?: MaskVoxels): LevelMidline | null {
  const [na, nb, nc] = g.dims, h = g.spacingMm, o = g.originLps;
  const n = plane.normalLps, P = plane.pointLps, t = tangentLps, c0 = centreLps;
  // the slab's voxels, with their signed distance from the whole sacrum's plane
  const xs: number[] = [], ys: number[] = [], zs: number[] = [], ds: number[] = [];
  // bounding box of the slab: within SLAB_HALF_MM of the plane across the axis; the section itself is at most a
  // sacrum's width (DOMAIN.md §6: ~100 mm) across, so 70 mm round the centre holds it
  const R = 70;
  const lo = [0, 1, 2].map((k) => Math.max(0, Math.floor((c0[k]! - R - o[k]!) / h)));
  const hi = [0, 1, 2].map((k, i) => Math.min(g.dims[i]! - 1, Math.ceil((c0[k]! + R - o[k]!) / h)));
  const take = (a: number, b: number, c: number): void => {
    const x = o[0] + a * h, y = o[1] + b * h, z = o[2] + c * h;
    if (Math.abs((x - c0[0]) * t[0] + (y - c0[1]) * t[1] + (z - c0[2]) * t[2]) > SLAB_HALF_MM) return;
    xs.push(x); ys.push(y); zs.push(z);
    ds.push((x - P[0]) * n[0] + (y - P[1]) * n[1] + (z - P[2]) * n[2]);
  };
  // one pass over the mask's voxels (read once per mask by the caller, maskVoxels), not over the box
  const list = voxels ?? maskVoxels(mask, g);
  for (let k = 0; k < list.a.length; k++) {
    const a = list.a[k]!, b = list.b[k]!, c = list.c[k]!;
    if (a >= lo[0]! && a <= hi[0]! && b >= lo[1]! && b <= hi[1]! && c >= lo[2]! && c <= hi[2]!) take(a, b, c);
  }
  const m = xs.length;
  if (m < MIN_SLAB_VOXELS) return null;
  const inMask = (x: number, y: number, z: number): boolean => {
    const a = Math.round((x - o[0]) / h), b = Math.round((y - o[1]) / h), c = Math.round((z - o[2]) / h);
    return a >= 0 && b >= 0 && c >= 0 && a < na && b < nb && c < nc && mask[a + na * (b + nb * c)] === 1;
  };
  // mirror about the plane moved by e: p − 2 (d − e) n
  const score = (e: number): number => {
    let hit = 0;
    for (let k = 0; k < m; k++) {
      const s = 2 * (ds[k]! - e);
      if (inMask(xs[k]! - s * n[0], ys[k]! - s * n[1], zs[k]! - s * n[2])) hit++;
    }
    return hit / m;
  };
  // every half voxel over the range (a mirror moved by e moves its images by 2e: half a voxel's step is one voxel)
  const step = h / 2;
  let best = 0, bestF = -1;
  const f: number[] = [];
  const K = Math.floor(MAX_OFFSET_MM / step);
  for (let k = -K; k <= K; k++) {
    const v = score(k * step);
    f.push(v);
    // ties go to the offset nearest the whole sacrum's plane
    if (v > bestF + 1e-12 || (Math.abs(v - bestF) <= 1e-12 && Math.abs(k) < Math.abs(best))) { bestF = v; best = k; }
  }
  // the peak refined by a parabola through its neighbours
  let frac = 0;
  const i = best + K;
  if (i > 0 && i < f.length - 1) {
    const l = f[i - 1]!, cc = f[i]!, r = f[i + 1]!, den = l - 2 * cc + r;
    if (den < 0) frac = Math.max(-0.5, Math.min(0.5, (0.5 * (l - r)) / den));
  }
  const e = (best + frac) * step;
  return { pointLps: [P[0] + e * n[0], P[1] + e * n[1], P[2] + e * n[2]], normalLps: [n[0], n[1], n[2]], offsetMm: e, overlap: bestF };
}

interface Tunnel { anteriorLps: Readonly<Vec3>; posteriorLps: Readonly<Vec3> }

/** Planes tried between the whole sacrum's and the level's own (both ends included). */
const BETWEEN_STEPS = 8;

/**
 * How far two tunnels of a level are from being mirror images (mm): each anterior opening mirrored onto the other's
 * tunnel axis (where along its axis a fit ends a tunnel differs between the sides, so axes are compared, not ends),
 * the larger of the two, about the best of the planes between the whole sacrum's (`whole`) and the level's own (moved
 * `levelOffsetMm` along the normal; level-midline.ts). The level's plane is read on a 16 mm slab of the mask, the whole
 * sacrum's on all of it: where the sacrum turns between two levels the openings of the level in between follow a
 * plane between the two readings (pelvic-ref-003: S3's openings lie about the whole sacrum's plane, 1.8 mm from their
 * own section's; S4's about their own, 4.2 mm from the whole's).
 */
export function mirrorOffMm(a: Tunnel, b: Tunnel, whole: MirrorPlaneLike, levelOffsetMm = 0): number {
  const n = whole.normalLps, P = whole.pointLps;
  let best = Infinity;
  const steps = levelOffsetMm === 0 ? 0 : BETWEEN_STEPS;
  for (let k = 0; k <= steps; k++) {
    const e = steps ? (levelOffsetMm * k) / steps : 0;
    const mirror = reflectAbout({ normalLps: n, pointLps: [P[0] + e * n[0], P[1] + e * n[1], P[2] + e * n[2]] });
    const mb = mirror(b.anteriorLps), ma = mirror(a.anteriorLps);
    const off = Math.max(pointSegmentDistance(mb[0], mb[1], mb[2], a.anteriorLps, a.posteriorLps), pointSegmentDistance(ma[0], ma[1], ma[2], b.anteriorLps, b.posteriorLps));
    best = Math.min(best, off);
  }
  return best;
}
