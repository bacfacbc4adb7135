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

/** The mask's voxels as grid indices (a, b, c), in grid order: read once for all the levels of one mask. */
export interface MaskVoxels {
  a: Int32Array; b: Int32Array; c: Int32Array;
  /** Where each grid row (b, c) begins in a, b, c (row b + nb·c; one entry more than rows): a slab reads only its rows. */
  rowStart: Int32Array;
  /** The mask's runs along its rows (maskRuns), made at the first reading about the grid's x axis. */
  runs?: MaskRuns;
  /** Room for one slab at a time (levelMidline), made at the first reading and reused by the next. */
  scratch?: { a: Int32Array; b: Int32Array; c: Int32Array; ds: Float64Array };
}

export function maskVoxels(mask: Uint8Array, g: WorkGrid): MaskVoxels {
  const [na, nb, nc] = g.dims, rows = nb * nc;
  let m = 0;
  for (let n = 0; n < mask.length; n++) if (mask[n]) m++;
  const out: MaskVoxels = { a: new Int32Array(m), b: new Int32Array(m), c: new Int32Array(m), rowStart: new Int32Array(rows + 1) };
  for (let c = 0, row = 0, k = 0; c < nc; c++) for (let b = 0; b < nb; b++, row++) {
    out.rowStart[row] = k;
    const o = row * na;
    for (let a = 0; a < na; a++) if (mask[o + a]) { out.a[k] = a; out.b[k] = b; out.c[k] = c; k++; }
  }
  out.rowStart[rows] = m;
  return out;
}

/**
 * The runs of voxels equal to 1 along each grid row (what a mirror image is tested against): run r spans
 * a = runA0[r] … runA1[r] (inclusive); row b + nb·c holds runs runStart[row] … runStart[row + 1] − 1.
 */
export interface MaskRuns { runStart: Int32Array; runA0: Int32Array; runA1: Int32Array }

export function maskRuns(mask: Uint8Array, g: WorkGrid): MaskRuns {
  const [na, nb, nc] = g.dims, rows = nb * nc;
  let nRuns = 0;
  for (let row = 0; row < rows; row++) {
    const o = row * na;
    for (let a = 0; a < na; a++) if (mask[o + a] === 1 && (a === 0 || mask[o + a - 1] !== 1)) nRuns++;
  }
  const out: MaskRuns = { runStart: new Int32Array(rows + 1), runA0: new Int32Array(nRuns), runA1: new Int32Array(nRuns) };
  for (let row = 0, q = 0; row < rows; row++) {
    out.runStart[row] = q;
    const o = row * na;
    for (let a = 0; a < na; a++) {
      if (mask[o + a] !== 1) continue;
      if (a === 0 || mask[o + a - 1] !== 1) out.runA0[q] = a;
      if (a === na - 1 || mask[o + a + 1] !== 1) out.runA1[q++] = a;
    }
  }
  out.runStart[rows] = nRuns;
  return out;
}

/** A level's slab: its mask voxels (grid indices, grid order) and their signed distance from the whole sacrum's plane. */
export interface Slab { a: Int32Array; b: Int32Array; c: Int32Array; ds: Float64Array }

/**
 * Mirror hits by testing each image (the definition): hits[k + K] counts the slab's voxels whose mirror image about the
 * plane moved by e = k·step along its normal n lies in a mask voxel equal to 1, the image p − 2 (d − e) n rounded to
 * the nearest voxel.
 */
export function mirrorHitsDirect(slab: Slab, mask: Uint8Array, g: WorkGrid, n: Readonly<Vec3>, K: number, step: number): Int32Array {
  const [na, nb, nc] = g.dims, h = g.spacingMm, o = g.originLps;
  const hits = new Int32Array(2 * K + 1), m = slab.a.length;
  for (let k = -K; k <= K; k++) {
    const e = k * step;
    let hit = 0;
    for (let q = 0; q < m; q++) {
      const x = o[0] + slab.a[q]! * h, y = o[1] + slab.b[q]! * h, z = o[2] + slab.c[q]! * h;
      const s = 2 * (slab.ds[q]! - e);
      const a = Math.round((x - s * n[0] - o[0]) / h), b = Math.round((y - s * n[1] - o[1]) / h), c = Math.round((z - s * n[2] - o[2]) / h);
      if (a >= 0 && b >= 0 && c >= 0 && a < na && b < nb && c < nc && mask[a + na * (b + nb * c)] === 1) hit++;
    }
    hits[k + K] = hit;
  }
  return hits;
}

/**
 * The same hits where the normal is the grid's x axis, n = (1, 0, 0), and the step half a voxel: the image of voxel
 * (a, b, c) about the plane through x = P moved by e = k·h/2 is x' = 2P + 2e − x, i.e. the voxel
 * (round(2 (P − o_x) / h) − a + k, b, c): the same row, one voxel further per offset. So each slab voxel hits the
 * offsets where that row's runs of the mask lie, an interval of k per run, summed by differences: O(voxels × runs)
 * instead of O(voxels × offsets). Exact where 2 (P − o_x) / h is not within ROUND_MARGIN of half a voxel (the images'
 * rounding cannot then differ from the real value's; the floating-point error of the direct test is under 1e−10 for
 * coordinates within 10 m); null there, and the direct test is used.
 */
export function mirrorHitsByRuns(slab: Slab, runs: MaskRuns, g: WorkGrid, pointX: number, K: number): Int32Array | null {
  const nb = g.dims[1];
  const beta = (2 * (pointX - g.originLps[0])) / g.spacingMm;
  if (!(Math.abs(beta - Math.floor(beta) - 0.5) > ROUND_MARGIN)) return null;
  const A = Math.floor(beta + 0.5);
  const diff = new Int32Array(2 * K + 2);
  const { runStart, runA0, runA1 } = runs;
  for (let q = 0; q < slab.a.length; q++) {
    const row = slab.b[q]! + nb * slab.c[q]!, shift = slab.a[q]! - A;
    for (let r = runStart[row]!; r < runStart[row + 1]!; r++) {
      // image A − a + k within the run [a0, a1]: k from a0 − A + a to a1 − A + a
      const lo = Math.max(-K, runA0[r]! + shift), hi = Math.min(K, runA1[r]! + shift);
      if (lo > hi) continue;
      diff[lo + K]!++; diff[hi + K + 1]!--;
    }
  }
  const hits = new Int32Array(2 * K + 1);
  for (let k = 0, acc = 0; k <= 2 * K; k++) { acc += diff[k]!; hits[k] = acc; }
  return hits;
}
/** Distance from half a voxel below which mirrorHitsByRuns leaves the rounding to the direct test (see there). */
const ROUND_MARGIN = 1e-6;

/**
 * The level's own midline plane (see the module comment), or null where the slab holds too little of the mask.
 * `centreLps` is the level's point on the long axis, `tangentLps` the axis' unit direction there.
 */
export function levelMidline(mask: Uint8Array, g: WorkGrid, plane: MirrorPlaneLike, centreLps: Readonly<Vec3>, tangentLps: Readonly<Vec3>, voxels?: MaskVoxels): LevelMidline | null {
  const [, nb] = g.dims, h = g.spacingMm, o = g.originLps;
  const n = plane.normalLps, P = plane.pointLps, t = tangentLps, c0 = centreLps;
  // bounding box of the slab: within SLAB_HALF_MM of the plane across the axis; the section itself is at most a
  // sacrum's width (DOMAIN.md §6: ~100 mm) across, so 70 mm round the centre holds it
  const R = 70;
  const lo = [0, 1, 2].map((k) => Math.max(0, Math.floor((c0[k]! - R - o[k]!) / h)));
  const hi = [0, 1, 2].map((k, i) => Math.min(g.dims[i]! - 1, Math.ceil((c0[k]! + R - o[k]!) / h)));
  const across = (a: number, b: number, c: number): number => (o[0] + a * h - c0[0]) * t[0] + (o[1] + b * h - c0[1]) * t[1] + (o[2] + c * h - c0[2]) * t[2];
  // the mask's voxels (read once per mask by the caller, maskVoxels), row by row within the box; a row whose two ends
  // lie beyond the slab on the same side holds none of it (the distance across is affine along the row; the margin
  // covers its rounding)
  const list = voxels ?? maskVoxels(mask, g);
  const rows: number[] = [];
  for (let c = lo[2]!; c <= hi[2]!; c++) for (let b = lo[1]!; b <= hi[1]!; b++) {
    const row = b + nb * c;
    let k0 = list.rowStart[row]!, k1 = list.rowStart[row + 1]!;
    while (k0 < k1 && list.a[k0]! < lo[0]!) k0++;
    while (k1 > k0 && list.a[k1 - 1]! > hi[0]!) k1--;
    if (k0 >= k1) continue;
    const q0 = across(list.a[k0]!, b, c), q1 = across(list.a[k1 - 1]!, b, c);
    if (Math.min(q0, q1) > SLAB_HALF_MM + ROW_MARGIN_MM || Math.max(q0, q1) < -SLAB_HALF_MM - ROW_MARGIN_MM) continue;
    rows.push(b, c, k0, k1);
  }
  // the slab's voxels, with their signed distance from the whole sacrum's plane
  // (the list's room for a slab, reused from one reading to the next: a slab holds at most the whole list)
  const room = list.scratch ??= { a: new Int32Array(list.a.length), b: new Int32Array(list.a.length), c: new Int32Array(list.a.length), ds: new Float64Array(list.a.length) };
  const sa = room.a, sb = room.b, sc = room.c, sd = room.ds;
  let m = 0;
  for (let r = 0; r < rows.length; r += 4) {
    const b = rows[r]!, c = rows[r + 1]!;
    for (let k = rows[r + 2]!; k < rows[r + 3]!; k++) {
      const a = list.a[k]!;
      const x = o[0] + a * h, y = o[1] + b * h, z = o[2] + c * h;
      if (Math.abs((x - c0[0]) * t[0] + (y - c0[1]) * t[1] + (z - c0[2]) * t[2]) > SLAB_HALF_MM) continue;
      sa[m] = a; sb[m] = b; sc[m] = c;
      sd[m++] = (x - P[0]) * n[0] + (y - P[1]) * n[1] + (z - P[2]) * n[2];
    }
  }
  const slab: Slab = { a: sa.subarray(0, m), b: sb.subarray(0, m), c: sc.subarray(0, m), ds: sd.subarray(0, m) };
  if (m < MIN_SLAB_VOXELS) return null;
  // every half voxel over the range (a mirror moved by e moves its images by 2e: half a voxel's step is one voxel)
  const step = h / 2;
  const K = Math.floor(MAX_OFFSET_MM / step);
  const hits = (n[0] === 1 && n[1] === 0 && n[2] === 0 ? mirrorHitsByRuns(slab, list.runs ??= maskRuns(mask, g), g, P[0], K) : null) ?? mirrorHitsDirect(slab, mask, g, n, K, step);
  let best = 0, bestF = -1;
  const f: number[] = [];
  for (let k = -K; k <= K; k++) {
    // the share of the slab's voxels whose mirror image about the plane moved by k·step is in the mask
    const v = hits[k + K]! / m;
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
/** Rounding allowance (mm) when a whole row is judged outside the slab from its two ends (see levelMidline). */
const ROW_MARGIN_MM = 1e-6;

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
