/**
 * The sacral canal as a lumen traced along the sacrum (pure; working grids of detect-grid.ts).
 *
 * Why: in fatty marrow the canal's contents (epidural fat, the dural sac, roots: about −60 to 30 HU) are
 * barely darker than the marrow of the bodies in front of them (0–100 HU), and the posterior cortex of the
 * bodies between them is a faint ridge broken by the basivertebral openings. A region grown from the canal
 * leaks through those openings into the bodies, and the cortex-enclosed sacrum (enclosure.ts) takes the canal
 * in, since its roof (the laminae) closes it over. What stays clear on every level is the canal's roof: the
 * laminae are compact bone, bright on any marrow. So the canal is traced as the dark lumen in front of the
 * roof, in planes across the sacral long axis:
 *
 * 1. The planes perpendicular to the body curve (detect/frame.ts) are sampled every 1 mm of arc length
 *    (u lateral, v posterior, 1 mm) and smoothed along the curve (the canal and its walls run along it; the
 *    marrow's texture and the noise do not).
 * 2. On the midline profile of each plane, a candidate lumen is a point no brighter than the canal's contents
 *    (LUMEN_MAX_HU) with bright bone (the roof) within ROOF_MM behind it and a wall (marrow or cortex) in
 *    front, both brighter by at least MIN_CONTRAST_HU, and darker than the marrow in front by MIN_DARKER_HU
 *    (a dark spot in a body's marrow has a roof too: the body's posterior cortex). The canal is the chain of candidates that runs on along
 *    the curve (dynamic programming: at most MAX_STEP_MM per mm of arc, each millimetre of movement and each
 *    plane without a candidate costing), cut where it bridges more than MAX_GAP_MM without one: one
 *    basivertebral opening, where the front wall is missing over a few millimetres, does not break the chain,
 *    and a dark spot in a body, which has no chain of roofs behind it, is not taken.
 * 3. The front wall on the midline (the first point in front of the chain's point halfway up to the marrow in
 *    front) is taken as the running median over ±WALL_MEDIAN_MM planes: the posterior cortex of the bodies is a
 *    smooth sheet along the sacrum, so an opening in it a few millimetres tall (a basivertebral foramen, where
 *    the profile runs on into the marrow) takes the wall's place from above and below.
 * 4. Per plane, the lumen is the region darker than halfway between the lumen and the marrow in front,
 *    connected to the chain's point, behind the front wall's line in every column (the posterior surface of
 *    the bodies is flat across the canal) and in front of the roof, with what it encloses in the plane (roots
 *    and dural sac are as dense as marrow); it may reach no farther than one millimetre beyond the previous
 *    plane's lumen (the canal's cross-section changes slowly along it). A plane the chain bridges keeps the
 *    previous outline. Its outline is then moved out to the half-maximum towards the wall (a thin cortex
 *    blurred by partial volume), never into compact bone.
 */
import type { Vec3 } from '../core/vec3';
import { type WorkGrid, sampleWork } from './detect-grid';
import type { Polyline } from './detect/geometry';
import type { Canal } from './types';
import { floodFromBorder2d } from './detect/image-ops';

/** Half-width (lateral) and range (posterior, from the body curve) of the planes, mm. */
const U_MM = 16, V_MIN_MM = -20, V_MAX_MM = 40;
/** Bright bone behind a lumen: the laminae, compact bone (> 200 HU on fatty marrow at 1–3 mm). */
const ROOF_HU = 200;
/** The roof lies within this distance behind the lumen's darkest point (the canal is 4–15 mm deep). */
const ROOF_MM = 12;
/** Front wall sought within this distance in front of the lumen's darkest point. */
const FRONT_MM = 12;
/** The canal's contents (epidural fat, CSF, roots: −100 to 40 HU) with partial volume stay below this at the lumen's darkest point. */
const LUMEN_MAX_HU = 60;
/** The lumen's outline is moved out to the half-maximum towards its wall by at most this (mm). */
const EDGE_MM = 2;
/** The longest run of planes without a lumen that the chain bridges (mm): an opening in the front wall, a fused disc. */
const MAX_GAP_MM = 6;
/** The lumen's front wall line is taken as the running median over ±this many planes (mm): a basivertebral opening is 3–6 mm tall. */
const WALL_MEDIAN_MM = 6;
/** The lumen is darker than the marrow in front of it by at least this (HU): canal fat and CSF (−100 to 15) against fatty marrow (30–100). */
const MIN_DARKER_HU = 20;
/** Both walls brighter than the lumen by at least this (HU): fatty marrow 40–100 against canal fat −60–20. */
const MIN_CONTRAST_HU = 40;
/** The chain moves at most this far along v per mm of arc (the canal's course relative to the body curve). */
const MAX_STEP_MM = 1.5;
/** Smoothing along the curve: ±this many planes (1 mm each). */
const SMOOTH_S = 2;

export interface CanalLumen {
  /** 1 = canal lumen, on the working grid. */
  lumen: Uint8Array;
  /** Centre of the lumen per plane (LPS) and the radius of a disc of its area (mm), cranial → caudal. */
  pts: Vec3[];
  radiiMm: number[];
  /** Per centre: the lumen was its own in that plane (not the previous plane's outline carried over). */
  own: boolean[];
  /** Planes with a lumen of their own / planes searched. */
  found: number;
  planes: number;
  voxels: number;
}

/**
 * Planes above the body curve's first point (mm), parallel to its first plane. The curve starts at the S1
 * endplate's centre, but the canal's top lies behind and above it: the first plane, tilted with the curve's
 * first few millimetres, meets the canal 5–14 mm below the sacrum's top (fatty phantoms: the traced lumen began
 * at the S1 endplate's level on 1.6 mm slices, 12 mm down the canal on 5 mm slices, where the curve's top runs
 * 19° off the vertical instead of 10°), and a needle beside S1 was measured to the canal's course below it. The
 * planes run on above by the canal's depth behind the body curve (at most V_MAX_MM, and the roof, which the
 * chain needs, ends with the laminae); what lies above the L5/S1 disc is cut by the caller (lumenCanal keep).
 */
const ABOVE_MM = 20;

export function traceCanalLumen(work: Float32Array, g: WorkGrid, curve: Polyline, x0: number): CanalLumen | null {
  const L = curve.length;
  if (Math.floor(L) + 1 < 10) return null;
  const ns = Math.floor(L) + 1 + ABOVE_MM;
  // plane k lies at arc length k − ABOVE_MM; above the curve's start, along its first tangent
  const t0 = curve.tangent(0), p0 = curve.posterior(0), c0 = curve.at(0);
  const atArc = (s: number): Vec3 => (s >= 0 ? curve.at(s) : [c0[0] + s * t0[0], c0[1] + s * t0[1], c0[2] + s * t0[2]]);
  const nu = 2 * U_MM + 1, nv = V_MAX_MM - V_MIN_MM + 1, iu0 = U_MM;
  const plane = nu * nv;
  const raw = new Float32Array(ns * plane);
  const cs: Vec3[] = [], ps: Vec3[] = [];
  for (let s = 0; s < ns; s++) {
    const c = atArc(s - ABOVE_MM); c[0] = x0;
    const p = s < ABOVE_MM ? p0 : curve.posterior(s - ABOVE_MM);
    cs.push(c); ps.push(p);
    for (let iv = 0; iv < nv; iv++) {
      const v = V_MIN_MM + iv;
      for (let iu = 0; iu < nu; iu++) {
        raw[s * plane + iv * nu + iu] = sampleWork(work, g, c[0] + iu - iu0, c[1] + v * p[1], c[2] + v * p[2], 'nan');
      }
    }
  }
  // smoothed along the curve (NaN outside the grid stays NaN)
  const sm = new Float32Array(raw.length);
  for (let s = 0; s < ns; s++) for (let k = 0; k < plane; k++) {
    let sum = 0, n = 0;
    for (let d = -SMOOTH_S; d <= SMOOTH_S; d++) {
      const t = s + d;
      if (t < 0 || t >= ns) continue;
      const x = raw[t * plane + k]!;
      if (!Number.isNaN(x)) { sum += x; n++; }
    }
    sm[s * plane + k] = n ? sum / n : NaN;
  }
  // midline profile per plane: mean over u within ±2 mm
  const prof = new Float32Array(ns * nv);
  for (let s = 0; s < ns; s++) for (let iv = 0; iv < nv; iv++) {
    let sum = 0, n = 0;
    for (let du = -2; du <= 2; du++) { const x = sm[s * plane + iv * nu + iu0 + du]!; if (!Number.isNaN(x)) { sum += x; n++; } }
    prof[s * nv + iv] = n ? sum / n : NaN;
  }
  // candidate score per (s, v): the weaker wall's contrast over the point, where the roof is bone
  const score = new Float32Array(ns * nv).fill(-1);
  for (let s = 0; s < ns; s++) for (let iv = 1; iv < nv - 1; iv++) {
    const x = prof[s * nv + iv]!;
    if (Number.isNaN(x)) continue;
    let roof = -Infinity, fr = -Infinity;
    for (let d = 1; d <= ROOF_MM && iv + d < nv; d++) roof = Math.max(roof, prof[s * nv + iv + d]!);
    for (let d = 1; d <= FRONT_MM && iv - d >= 0; d++) fr = Math.max(fr, prof[s * nv + iv - d]!);
    if (!(roof >= ROOF_HU) || !(x <= LUMEN_MAX_HU)) continue;
    const c = Math.min(roof, fr) - x;
    // darker than the marrow in front (the median 3–12 mm in front, not a cortex there): a dark spot in a body's
    // marrow has a roof too (the body's posterior cortex), but marrow, not a lumen, in front of it
    const vals: number[] = [];
    for (let d = 3; d <= FRONT_MM && iv - d >= 0; d++) { const y = prof[s * nv + iv - d]!; if (!Number.isNaN(y)) vals.push(y); }
    vals.sort((p, q) => p - q);
    const darker = vals.length ? vals[vals.length >> 1]! - x : 0;
    if (c >= MIN_CONTRAST_HU && darker >= MIN_DARKER_HU) score[s * nv + iv] = c + darker;
  }
  // the chain: maximum total score over paths v(s) moving at most MAX_STEP_MM per plane; a plane without a
  // candidate on the path costs (a gap), so the chain runs through an opening only where it continues beyond,
  // and each millimetre of movement costs (BEND_COST), so that it follows the canal's course rather than the
  // darkest spot of a wide lumen
  const GAP = -30, BEND_COST = 10;
  const best = new Float32Array(ns * nv), from = new Int16Array(ns * nv);
  const step = Math.floor(MAX_STEP_MM);
  for (let iv = 0; iv < nv; iv++) best[iv] = Math.max(0, score[iv]!);
  for (let s = 1; s < ns; s++) for (let iv = 0; iv < nv; iv++) {
    let b = -Infinity, f = iv;
    for (let d = -step; d <= step; d++) {
      const j = iv + d;
      if (j < 0 || j >= nv) continue;
      const x = best[(s - 1) * nv + j]! - BEND_COST * Math.abs(d);
      if (x > b) { b = x; f = j; }
    }
    const sc = score[s * nv + iv]!;
    // a chain may also start here (the canal enters the planes below their first one)
    const here = sc > 0 ? sc : GAP;
    best[s * nv + iv] = Math.max(b + here, sc > 0 ? sc : -Infinity);
    from[s * nv + iv] = b + here >= (sc > 0 ? sc : -Infinity) ? f : -1;
  }
  // the best chain's end, walked back
  let endS = 0, endV = 0, top = -Infinity;
  for (let s = 0; s < ns; s++) for (let iv = 0; iv < nv; iv++) if (best[s * nv + iv]! > top) { top = best[s * nv + iv]!; endS = s; endV = iv; }
  const path = new Int16Array(ns).fill(-1);
  for (let s = endS, iv = endV; s >= 0 && iv >= 0; s--) { path[s] = iv; iv = from[s * nv + iv]!; if (s > 0 && iv < 0) break; }
  // the path's planes with a candidate, in runs whose gaps are at most MAX_GAP_MM (an opening in a wall, a
  // fused disc): the canal is the run of the largest total score (a longer gap is no lumen the chain bridges)
  let s0 = -1, s1 = -1, bestRun = 0;
  for (let s = 0, runStart = -1, last = -1, sum = 0; s <= ns; s++) {
    const cand = s < ns && path[s]! >= 0 && score[s * nv + path[s]!]! > 0;
    if (s === ns || (cand && last >= 0 && s - last > MAX_GAP_MM)) {
      if (runStart >= 0 && sum > bestRun) { bestRun = sum; s0 = runStart; s1 = last; }
      runStart = -1; sum = 0;
    }
    if (!cand) continue;
    if (runStart < 0) runStart = s;
    last = s; sum += score[s * nv + path[s]!]!;
  }
  if (s0 < 0 || s1 - s0 < 10) return null;
  // per plane on the chain: the lumen's level and threshold (halfway to the marrow in front: the median of the
  // profile 3–12 mm in front, not its brightest point, which may be the anterior cortex), and the front wall
  // on the midline, the first point in front of the chain's point at or above the threshold
  const thrOf = new Float32Array(ns), wall = new Float32Array(ns);
  for (let s = s0; s <= s1; s++) {
    const iv0 = path[s]!;
    const lum = prof[s * nv + iv0]!;
    const vals: number[] = [];
    for (let d = 3; d <= FRONT_MM && iv0 - d >= 0; d++) { const x = prof[s * nv + iv0 - d]!; if (!Number.isNaN(x)) vals.push(x); }
    vals.sort((p, q) => p - q);
    const frontLevel = vals.length ? vals[vals.length >> 1]! : lum + MIN_CONTRAST_HU;
    const thr = lum + 0.5 * Math.max(MIN_CONTRAST_HU, frontLevel - lum);
    thrOf[s] = thr;
    let ivF = Math.max(0, iv0 - FRONT_MM);
    for (let iv = iv0 - 1; iv >= Math.max(0, iv0 - FRONT_MM); iv--) if (!(prof[s * nv + iv]! < thr)) { ivF = iv + 1; break; }
    // relative to the chain (which moves): the wall's depth in front of the lumen
    wall[s] = iv0 - ivF;
  }
  // the posterior cortex of the bodies is a smooth sheet along the sacrum: its line is the running median of
  // the wall depth, so an opening in it a few millimetres tall (the basivertebral foramen, where the profile
  // runs on into the marrow) takes the wall's place from above and below
  const wallDepth = new Float32Array(ns);
  for (let s = s0; s <= s1; s++) {
    const w: number[] = [];
    for (let t = Math.max(s0, s - WALL_MEDIAN_MM); t <= Math.min(s1, s + WALL_MEDIAN_MM); t++) w.push(wall[t]!);
    w.sort((p, q) => p - q);
    wallDepth[s] = w[w.length >> 1]!;
  }
  // per plane: the lumen region
  const lumen = new Uint8Array(work.length);
  const region = new Uint8Array(plane), prev = new Uint8Array(plane), allowed = new Uint8Array(plane), wide = new Uint8Array(plane);
  const blocked = new Uint8Array(plane), outside = new Uint8Array(plane);
  const queue = new Int32Array(plane);
  const pts: Vec3[] = [], radiiMm: number[] = [], own: boolean[] = [];
  let found = 0, voxels = 0;
  let havePrev = false, prevV = 0;
  const [na, nb] = g.dims, h = g.spacingMm, o = g.originLps;
  for (let s = s0; s <= s1; s++) {
    const iv0 = path[s]!;
    const base = s * plane;
    const thr = thrOf[s]!;
    // the posterior surface of the bodies is flat across the canal, so the lumen lies behind the wall line in
    // every column (the marrow beside the midline, in front of that line, is the body's)
    const ivF = Math.max(0, Math.round(iv0 - wallDepth[s]!));
    // the roof per column: the first bone behind the lumen's row; the lumen lies in front of it
    allowed.fill(0);
    for (let iu = 0; iu < nu; iu++) {
      for (let iv = ivF; iv < nv; iv++) {
        const x = sm[base + iv * nu + iu]!;
        if (iv > iv0 && x >= ROOF_HU) break;
        if (x < thr) allowed[iv * nu + iu] = 1;
      }
    }
    // at most 1 mm beyond the previous plane's lumen, moved with the chain
    if (havePrev) {
      const dv = iv0 - prevV;
      const grown = new Uint8Array(plane);
      for (let iv = 0; iv < nv; iv++) for (let iu = 0; iu < nu; iu++) {
        const jv = iv - dv;
        if (jv < 0 || jv >= nv || !prev[jv * nu + iu]) continue;
        grown[iv * nu + iu] = 1;
        if (iu > 0) grown[iv * nu + iu - 1] = 1;
        if (iu < nu - 1) grown[iv * nu + iu + 1] = 1;
        if (iv > 0) grown[(iv - 1) * nu + iu] = 1;
        if (iv < nv - 1) grown[(iv + 1) * nu + iu] = 1;
      }
      for (let k = 0; k < plane; k++) allowed[k] = allowed[k]! & grown[k]!;
    }
    region.fill(0);
    const seed = iv0 * nu + iu0;
    let n = 0;
    // a plane the chain crosses without a lumen of its own (a gap it bridges) keeps the outline before it
    if (allowed[seed] && score[s * nv + iv0]! > 0) {
      region[seed] = 1; queue[n++] = seed;
      for (let head = 0; head < n; head++) {
        const k = queue[head]!;
        const iu = k % nu, iv = (k / nu) | 0;
        const push = (m: number) => { if (allowed[m] && !region[m]) { region[m] = 1; queue[n++] = m; } };
        if (iu > 0) push(k - 1);
        if (iu < nu - 1) push(k + 1);
        if (iv > 0) push(k - nu);
        if (iv < nv - 1) push(k + nu);
      }
    }
    // the roots and the dural sac inside the canal are as dense as marrow: what the lumen encloses in the
    // plane is lumen too (its holes filled)
    if (n > 0) {
      for (let k = 0; k < plane; k++) blocked[k] = region[k]!;
      floodFromBorder2d(blocked, nu, nv, outside, queue);
      n = 0;
      for (let k = 0; k < plane; k++) { if (!outside[k]) region[k] = 1; if (region[k]) n++; }
    }
    const carried = n === 0;
    if (carried) {
      // no lumen of its own here, or one flowing into the body through an open front wall: the previous
      // plane's outline, moved with the chain
      if (!havePrev) continue;
      const dv = iv0 - prevV;
      region.fill(0); n = 0;
      for (let iv = 0; iv < nv; iv++) for (let iu = 0; iu < nu; iu++) {
        const jv = iv - dv;
        if (jv >= 0 && jv < nv && prev[jv * nu + iu]) { region[iv * nu + iu] = 1; n++; }
      }
    } else found++;
    prev.set(region); havePrev = true; prevV = iv0;
    // centre and area
    // the lumen's outline at half height towards its wall: the region (at half contrast to the marrow) grown by
    // up to EDGE_MM through voxels below halfway from the lumen to the brightest voxel within 2 mm (a cortex
    // blurred by partial volume: the bone's surface is its half-maximum), never into compact bone
    wide.set(region);
    const lum = prof[s * nv + iv0]!;
    for (let it = 0; it < EDGE_MM; it++) {
      const add: number[] = [];
      for (let iv = 0; iv < nv; iv++) for (let iu = 0; iu < nu; iu++) {
        const k = iv * nu + iu;
        if (wide[k] || !((iu > 0 && wide[k - 1]) || (iu < nu - 1 && wide[k + 1]) || (iv > 0 && wide[k - nu]) || (iv < nv - 1 && wide[k + nu]))) continue;
        const x = sm[base + k]!;
        if (!(x < ROOF_HU)) continue;
        let top = x;
        for (let dv = -2; dv <= 2; dv++) for (let du = -2; du <= 2; du++) {
          const jv = iv + dv, ju = iu + du;
          if (jv >= 0 && jv < nv && ju >= 0 && ju < nu) { const y = sm[base + jv * nu + ju]!; if (y > top) top = y; }
        }
        if (x < lum + 0.5 * (top - lum)) add.push(k);
      }
      for (const k of add) wide[k] = 1;
    }
    // the centre on the midline (the canal is symmetric about it), at the mean depth of the lumen's
    // columns within 3 mm of it (its outline at half height to the walls, so that a thin wall does not pull it)
    let sv = 0, nm = 0;
    for (let k = 0; k < plane; k++) if (wide[k] && Math.abs((k % nu) - iu0) <= 3) { sv += (k / nu) | 0; nm++; }
    const c = cs[s]!, p = ps[s]!;
    const cv = (nm ? sv / nm : iv0) + V_MIN_MM;
    pts.push([c[0], c[1] + cv * p[1], c[2] + cv * p[2]]);
    radiiMm.push(Math.sqrt(n / Math.PI));
    own.push(!carried);
    // onto the working grid: each 1 mm sample splats 2 × 2 × 2 sub-points, so that no voxel of a grid of
    // at least 1 mm between them is missed
    for (let k = 0; k < plane; k++) {
      if (!wide[k]) continue;
      const u = (k % nu) - iu0, v = ((k / nu) | 0) + V_MIN_MM;
      for (const ds of [-0.25, 0.25]) {
        const cc = atArc(s - ABOVE_MM + ds);
        for (const du of [-0.25, 0.25]) for (const dv of [-0.25, 0.25]) {
          const x = x0 + u + du, y = cc[1] + (v + dv) * p[1], z = cc[2] + (v + dv) * p[2];
          const a = Math.round((x - o[0]) / h), b = Math.round((y - o[1]) / h), cz = Math.round((z - o[2]) / h);
          if (a < 0 || b < 0 || cz < 0 || a >= na || b >= nb || cz >= g.dims[2]) continue;
          const m = a + na * (b + nb * cz);
          if (!lumen[m]) { lumen[m] = 1; voxels++; }
        }
      }
    }
  }
  if (pts.length < 10) return null;
  return { lumen, pts, radiiMm, own, found, planes: ns, voxels };
}

/** Length of a polyline (mm). */
/** Distance (mm) from p to the polyline through pts. */
function polylineDistanceMm(p: Readonly<Vec3>, pts: readonly Vec3[]): number {
  let best = Infinity;
  for (let n = 0; n + 1 < pts.length; n++) {
    const a = pts[n]!, b = pts[n + 1]!;
    const ab: Vec3 = [b[0] - a[0], b[1] - a[1], b[2] - a[2]];
    const l2 = ab[0] * ab[0] + ab[1] * ab[1] + ab[2] * ab[2];
    const t = l2 > 0 ? Math.max(0, Math.min(1, ((p[0] - a[0]) * ab[0] + (p[1] - a[1]) * ab[1] + (p[2] - a[2]) * ab[2]) / l2)) : 0;
    best = Math.min(best, Math.hypot(p[0] - a[0] - t * ab[0], p[1] - a[1] - t * ab[1], p[2] - a[2] - t * ab[2]));
  }
  return best;
}

/**
 * Whether a canal found otherwise (the enclosed-hole search in axial slices, detect/canal.ts) leaves the traced
 * lumen: one of its centres lies farther from the traced centre line than the traced lumen's radius there, i.e.
 * outside the lumen. On thick slices through a steep sacrum an axial slice cuts the canal obliquely over its
 * thickness and a hole's centroid can move out of the lumen (fatty-thick5mm: 6.7 mm at S1–S2), and the line
 * through it runs off the canal; the traced lumen is read in planes across the sacrum, every millimetre.
 */
export function canalOffLumen(other: readonly Vec3[], traced: Canal): boolean {
  const c = traced.centerlineLps;
  if (other.length === 0 || c.length < 2) return false;
  return other.some((p) => {
    let near = 0, best = Infinity;
    c.forEach((q, n) => { const d = Math.hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2]); if (d < best) { best = d; near = n; } });
    return polylineDistanceMm(p, c) > traced.radiusMm[near]!;
  });
}

export function canalLengthMm(pts: readonly Vec3[]): number {
  let L = 0;
  for (let n = 1; n < pts.length; n++) L += Math.hypot(pts[n]![0] - pts[n - 1]![0], pts[n]![1] - pts[n - 1]![1], pts[n]![2] - pts[n - 1]![2]);
  return L;
}

/**
 * The canal landmark from a traced lumen: its centres smoothed over ±2 planes and taken every 5 mm, with the
 * radius of a disc of the lumen's area; the confidence is the share of planes where the lumen was its own
 * (not carried over from the plane before), full at 70 %. `keep`: the centres to keep (the sacral part).
 */
export function lumenCanal(l: CanalLumen, keep?: (p: Vec3) => boolean): Canal | null {
  if (keep) {
    const k = l.pts.map((p) => keep(p));
    l = { ...l, pts: l.pts.filter((_, i) => k[i]), radiiMm: l.radiiMm.filter((_, i) => k[i]), own: l.own.filter((_, i) => k[i]) };
  }
  const n = l.pts.length;
  if (n < 10) return null;
  const centerlineLps: Vec3[] = [], radiusMm: number[] = [];
  const take = (k: number) => {
    const acc: Vec3 = [0, 0, 0];
    let w = 0;
    for (let m = Math.max(0, k - 2); m <= Math.min(n - 1, k + 2); m++) { for (let a = 0; a < 3; a++) acc[a] = acc[a]! + l.pts[m]![a]!; w++; }
    centerlineLps.push(acc.map((x) => x / w) as Vec3);
    radiusMm.push(Math.round(Math.max(1, l.radiiMm[k]!) * 10) / 10);
  };
  for (let k = 0; k < n; k += 5) take(k);
  if ((n - 1) % 5 !== 0) take(n - 1);
  const ownShare = l.own.filter(Boolean).length / n;
  return { centerlineLps, radiusMm, confidence: Math.round(Math.min(1, ownShare / 0.7) * 100) / 100, source: 'auto' };
}
