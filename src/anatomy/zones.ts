/**
 * Denis zone map from sacral landmarks (foramina, canal, sacral frame). Pure.
 *
 * Operational definition [design] (DOMAIN.md §2; documented in the app):
 * 1. Sacral frame: x = signed distance from the midline plane (+ left); s = arc length along a circle
 *    fitted to the S1…S5 body centres (the kyphotic long axis; see frame.ts), + caudal; q = dorsal offset.
 * 2. Per foramen (level S1–S4, side): the reference point is where its axis (anterior → posterior
 *    opening) crosses the sacral mid-surface q = 0 (the axis midpoint when it does not cross it);
 *    its |x| ± radius give the medial and lateral borders, its s the knot. A foramen missing on one
 *    side is mirrored from the other side (same s, |x|, radius).
 * 3. Borders m(s), l(s) per side: linear interpolation in s between the knots, held constant
 *    cranial to the first and caudal to the last knot.
 * 4. A point: caudal to the S4 level band → outside the Denis landmarks (null, code 4);
 *    in the canal (union of round cones) → 3; in a foramen lumen (capsule) → 2;
 *    |x| < m(s) → 3; m(s) ≤ |x| ≤ l(s) → 2; |x| > l(s) → 1.
 * 5. Caudal end of the S4 band: halfway (in s) between the S4 and S5 body centres; with only four
 *    centres, S4 centre + half the S3–S4 spacing; with fewer, the S4 foramen knot + half the
 *    S3–S4 knot spacing (8 mm when S3 is missing too).
 *
 * This matches the phantom's definition (shared/phantom: borders interpolated per level in the sacral
 * frame) and adds the canal, foramen-lumen and below-S4 rules.
 */
import type { Vec3 } from '../core/vec3';
import type { VolumeGeometry } from '../core/geometry';
import type { DenisZone, Foramen, ForamenId, SacralAnatomy, SacralLevel, Side } from './types';
import { fitSacralFrame, type FittedSacralFrame } from './frame';

/** The operational definition, for display in the app (DOMAIN.md §2 [design]). */
export const DENIS_ZONE_DEFINITION: readonly string[] = [
  'Sacral frame: x = distance from the midline plane; s = arc length along a circle fitted to the S1–S5 body centres (kyphotic long axis); q = dorsal offset.',
  'Per level S1–S4 and side, the foramen axis where it crosses the sacral mid-surface (q = 0) gives the borders: medial = |x| − radius, lateral = |x| + radius. A foramen missing on one side is mirrored from the other.',
  'Borders are interpolated linearly in s between the levels and held constant above S1 and below S4.',
  'A point in the canal is zone 3; in a foramen lumen zone 2; medial to the medial border zone 3; between the borders zone 2; lateral to the lateral border zone 1.',
  'Caudal to the S4 level band (halfway between the S4 and S5 body centres): outside the Denis landmarks, no zone.',
  'A lesion takes the most medial zone any of its voxels is in (3 > 2 > 1); zone fractions are voxel shares; a foramen is touched when its lumen is within 1 mm of the lesion surface.',
];

/** Per-voxel code of the zone map: 0 outside the region, 1–3 Denis zone, 4 below S4 (outside Denis landmarks). */
export type ZoneCode = 0 | 1 | 2 | 3 | 4;
export const ZONE_BELOW_S4: ZoneCode = 4;

const LEVEL_ORDER: SacralLevel[] = ['S1', 'S2', 'S3', 'S4'];

/** One border knot: a foramen's position in the sacral frame. */
export interface ForamenKnot {
  id: ForamenId;
  level: SacralLevel;
  side: Side;
  sMm: number;
  axisAbsXMm: number;
  radiusMm: number;
  medialAbsXMm: number;
  lateralAbsXMm: number;
  /** 'landmark' or 'mirrored' from the other side. */
  origin: 'landmark' | 'mirrored';
}

export interface ZoneModel {
  readonly frame: FittedSacralFrame;
  readonly knots: { L: ForamenKnot[]; R: ForamenKnot[] };
  /** s (mm) of the caudal end of the S4 level band; points caudal to it are outside the Denis landmarks. */
  readonly sBelowS4Mm: number;
  /** s (mm) of the cranial end of S1 and the caudal end of S5 (for display regions). */
  readonly sTopMm: number;
  readonly sEndMm: number;
  /** Code (1, 2, 3 or 4 = below S4) of an LPS point. */
  codeAt(x: number, y: number, z: number): ZoneCode;
  /** The same, when the point's sacral x and s (frame.toLocal) are already known. */
  codeAtLocal(x: number, y: number, z: number, lx: number, sMm: number): ZoneCode;
  /** Denis zone of an LPS point (null = outside Denis landmarks). */
  zoneAt(lps: Readonly<Vec3>): DenisZone | null;
  /** Medial and lateral border |x| (mm) on a side at arc position s. */
  bordersAt(side: Side, sMm: number): { medialAbsXMm: number; lateralAbsXMm: number };
  /** Signed distance (mm) from an LPS point to the canal surface (< 0 inside); Infinity without canal. */
  canalSdf(x: number, y: number, z: number): number;
  /** Canal centre-line q and radius interpolated at s (null without canal). */
  canalAt(sMm: number): { qMm: number; radiusMm: number } | null;
}

/** Why no zone model can be built from these landmarks, or null when it can. */
export function zoneModelProblem(anatomy: SacralAnatomy): string | null {
  if (!anatomy.frame) return 'no sacral frame (midline plane and body centres)';
  if (anatomy.frame.bodyCentersLps.length < 2) return 'the sacral frame needs at least two body centres';
  if (anatomy.foramina.length === 0) return 'no foramina placed';
  return null;
}

/** Builds the zone model, or null when {@link zoneModelProblem} reports a problem. */
export function buildZoneModel(anatomy: SacralAnatomy): ZoneModel | null {
  if (zoneModelProblem(anatomy) !== null) return null;
  const frame = fitSacralFrame(anatomy.frame!);
  const loc: Vec3 = [0, 0, 0];

  // Knots from the foramina.
  const own: Record<Side, ForamenKnot[]> = { L: [], R: [] };
  for (const f of anatomy.foramina) own[f.side].push(knotOf(frame, f, loc));
  const knots: Record<Side, ForamenKnot[]> = { L: [], R: [] };
  for (const side of ['L', 'R'] as Side[]) {
    const other: Side = side === 'L' ? 'R' : 'L';
    for (const level of LEVEL_ORDER) {
      const mine = own[side].find((k) => k.level === level);
      if (mine) knots[side].push(mine);
      else {
        const o = own[other].find((k) => k.level === level);
        if (o) knots[side].push({ ...o, id: `${level}_${side}` as ForamenId, side, origin: 'mirrored' });
      }
    }
    knots[side].sort((a, b) => a.sMm - b.sMm);
  }
  const ks = { L: packKnots(knots.L), R: packKnots(knots.R) };

  // Level bands.
  const cs = frame.bodyCenterS;
  const sTopMm = cs.length >= 2 ? cs[0]! - (cs[1]! - cs[0]!) / 2 : -Infinity;
  const sEndMm = cs[cs.length - 1]! + (cs.length >= 2 ? (cs[cs.length - 1]! - cs[cs.length - 2]!) / 2 : 10);
  let sBelowS4Mm: number;
  if (cs.length >= 5) sBelowS4Mm = (cs[3]! + cs[4]!) / 2;
  else if (cs.length === 4) sBelowS4Mm = cs[3]! + (cs[3]! - cs[2]!) / 2;
  else {
    const all = [...knots.L, ...knots.R];
    const s4 = all.filter((k) => k.level === 'S4').map((k) => k.sMm);
    const s3 = all.filter((k) => k.level === 'S3').map((k) => k.sMm);
    if (s4.length) {
      const m4 = mean(s4);
      sBelowS4Mm = m4 + (s3.length ? Math.max(2, (m4 - mean(s3)) / 2) : 8);
    } else sBelowS4Mm = Infinity;
  }

  // Canal as flat round-cone segments, with an LPS bounding box for a cheap reject.
  const canal = anatomy.canal && anatomy.canal.centerlineLps.length >= 1 ? anatomy.canal : null;
  const cpts = canal ? canal.centerlineLps : [];
  const crad = canal ? canal.radiusMm : [];
  const canalBox = [Infinity, Infinity, Infinity, -Infinity, -Infinity, -Infinity];
  for (let i = 0; i < cpts.length; i++) {
    const p = cpts[i]!, r = crad[i] ?? 0;
    for (let a = 0; a < 3; a++) {
      canalBox[a] = Math.min(canalBox[a]!, p[a]! - r);
      canalBox[a + 3] = Math.max(canalBox[a + 3]!, p[a]! + r);
    }
  }
  // Canal centre line in sacral coordinates (for q / radius at s).
  const canalLocal = cpts.map((p, i) => {
    const l = frame.toLocal([0, 0, 0], p[0], p[1], p[2]);
    return { s: l[1], q: l[2], r: crad[i] ?? 0 };
  }).sort((a, b) => a.s - b.s);

  const canalSdf = (x: number, y: number, z: number): number => {
    if (cpts.length === 0) return Infinity;
    let best = Infinity;
    if (cpts.length === 1) {
      const p = cpts[0]!;
      return Math.hypot(x - p[0], y - p[1], z - p[2]) - (crad[0] ?? 0);
    }
    for (let i = 0; i + 1 < cpts.length; i++) {
      const d = roundConeSdf(x, y, z, cpts[i]!, cpts[i + 1]!, crad[i] ?? 0, crad[i + 1] ?? 0);
      if (d < best) best = d;
    }
    return best;
  };

  // Foramen capsules (flat) with LPS boxes.
  const caps = anatomy.foramina.map((f) => ({
    a: f.anteriorLps, b: f.posteriorLps, r: f.radiusMm,
    box: [
      Math.min(f.anteriorLps[0], f.posteriorLps[0]) - f.radiusMm, Math.min(f.anteriorLps[1], f.posteriorLps[1]) - f.radiusMm,
      Math.min(f.anteriorLps[2], f.posteriorLps[2]) - f.radiusMm, Math.max(f.anteriorLps[0], f.posteriorLps[0]) + f.radiusMm,
      Math.max(f.anteriorLps[1], f.posteriorLps[1]) + f.radiusMm, Math.max(f.anteriorLps[2], f.posteriorLps[2]) + f.radiusMm,
    ],
  }));
  const inForamen = (x: number, y: number, z: number): boolean => {
    for (const c of caps) {
      const b = c.box;
      if (x < b[0]! || y < b[1]! || z < b[2]! || x > b[3]! || y > b[4]! || z > b[5]!) continue;
      if (pointSegmentDistance(x, y, z, c.a, c.b) <= c.r) return true;
    }
    return false;
  };

  const scratch: Vec3 = [0, 0, 0];
  const codeAt = (x: number, y: number, z: number): ZoneCode => {
    frame.toLocal(scratch, x, y, z);
    return codeAtLocal(x, y, z, scratch[0], scratch[1]);
  };
  /** Code of LPS point (x, y, z) whose sacral lateral coordinate and arc position are lx and s. */
  const codeAtLocal = (x: number, y: number, z: number, lx: number, s: number): ZoneCode => {
    if (s > sBelowS4Mm) return 4;
    if (x >= canalBox[0]! && y >= canalBox[1]! && z >= canalBox[2]! && x <= canalBox[3]! && y <= canalBox[4]! && z <= canalBox[5]!) {
      if (canalSdf(x, y, z) <= 0) return 3;
    }
    const k = lx >= 0 ? ks.L : ks.R;
    const ax = Math.abs(lx);
    const n = k.s.length;
    if (n === 0) return 1;
    let m: number, l: number;
    if (s <= k.s[0]!) { m = k.m[0]!; l = k.l[0]!; }
    else if (s >= k.s[n - 1]!) { m = k.m[n - 1]!; l = k.l[n - 1]!; }
    else {
      let i = 0;
      while (s > k.s[i + 1]!) i++;
      const t = (s - k.s[i]!) / (k.s[i + 1]! - k.s[i]!);
      m = k.m[i]! + t * (k.m[i + 1]! - k.m[i]!);
      l = k.l[i]! + t * (k.l[i + 1]! - k.l[i]!);
    }
    if (inForamen(x, y, z)) return 2;
    if (ax < m) return 3;
    if (ax <= l) return 2;
    return 1;
  };

  return {
    frame, knots, sBelowS4Mm, sTopMm, sEndMm, codeAt, codeAtLocal, canalSdf,
    zoneAt(lps) {
      const c = codeAt(lps[0], lps[1], lps[2]);
      return c === 1 || c === 2 || c === 3 ? c : null;
    },
    bordersAt(side, sMm) {
      const k = ks[side];
      return { medialAbsXMm: interp(sMm, k.s, k.m), lateralAbsXMm: interp(sMm, k.s, k.l) };
    },
    canalAt(sMm) {
      if (canalLocal.length === 0) return null;
      const s = canalLocal.map((c) => c.s);
      return { qMm: interp(sMm, s, canalLocal.map((c) => c.q)), radiusMm: interp(sMm, s, canalLocal.map((c) => c.r)) };
    },
  };
}

export interface ZoneMapOptions {
  /** Without a mask: lateral margin (mm) beyond the widest lateral border. Default 30. */
  lateralMarginMm?: number;
  /** Without a mask: q range (mm) around the long axis. Default [-30, 50]. */
  qRangeMm?: [number, number];
}

/**
 * Zone label per voxel for display (i fastest, the layout of `geometry`): 0 outside the region,
 * 1–3 Denis zone, 4 below S4. The region is the mask (non-zero voxels) when given, else a box in
 * the sacral frame around the landmarks (|x| ≤ widest lateral border + margin, s from the top of S1
 * to the end of S5, q in qRangeMm). All zeros when no zone model can be built.
 */
export function buildZoneMap(geometry: VolumeGeometry, anatomy: SacralAnatomy, mask?: Uint8Array | null, options: ZoneMapOptions = {}): Uint8Array {
  const [ni, nj, nk] = geometry.dims;
  const out = new Uint8Array(ni * nj * nk);
  const model = buildZoneModel(anatomy);
  if (!model) return out;
  if (mask && mask.length !== out.length) throw new Error('mask length does not match the geometry');
  const frame = model.frame;
  const latMax = Math.max(0, ...model.knots.L.map((k) => k.lateralAbsXMm), ...model.knots.R.map((k) => k.lateralAbsXMm)) + (options.lateralMarginMm ?? 30);
  const [q0, q1] = options.qRangeMm ?? [-30, 50];
  const s0 = Number.isFinite(model.sTopMm) ? model.sTopMm - 5 : frame.bodyCenterS[0]! - 20;
  const s1 = model.sEndMm + 5;

  // Index box of the region.
  let box: [number, number, number, number, number, number];
  if (mask) {
    let i0 = ni, j0 = nj, k0 = nk, i1 = -1, j1 = -1, k1 = -1;
    for (let k = 0, o = 0; k < nk; k++) for (let j = 0; j < nj; j++) for (let i = 0; i < ni; i++, o++) {
      if (mask[o] !== 0) {
        if (i < i0) i0 = i; if (i > i1) i1 = i;
        if (j < j0) j0 = j; if (j > j1) j1 = j;
        if (k < k0) k0 = k; if (k > k1) k1 = k;
      }
    }
    if (i1 < 0) return out;
    box = [i0, j0, k0, i1, j1, k1];
  } else {
    const lo = [Infinity, Infinity, Infinity], hi = [-Infinity, -Infinity, -Infinity];
    const p: Vec3 = [0, 0, 0], ijk: Vec3 = [0, 0, 0];
    const steps = Math.max(2, Math.ceil((s1 - s0) / 5));
    for (let a = 0; a <= steps; a++) {
      const s = s0 + ((s1 - s0) * a) / steps;
      for (const x of [-latMax, latMax]) for (const q of [q0, q1]) {
        geometry.lpsToIjk(ijk, frame.toLps(p, x, s, q));
        for (let d = 0; d < 3; d++) { lo[d] = Math.min(lo[d]!, ijk[d]!); hi[d] = Math.max(hi[d]!, ijk[d]!); }
      }
    }
    box = [
      Math.max(0, Math.floor(lo[0]!)), Math.max(0, Math.floor(lo[1]!)), Math.max(0, Math.floor(lo[2]!)),
      Math.min(ni - 1, Math.ceil(hi[0]!)), Math.min(nj - 1, Math.ceil(hi[1]!)), Math.min(nk - 1, Math.ceil(hi[2]!)),
    ];
    if (box[0] > box[3] || box[1] > box[4] || box[2] > box[5]) return out;
  }

  const p: Vec3 = [0, 0, 0], l: Vec3 = [0, 0, 0];
  const di: Vec3 = [0, 0, 0];
  geometry.ijkToLps(p, 1, 0, 0);
  geometry.ijkToLps(l, 0, 0, 0);
  di[0] = p[0] - l[0]; di[1] = p[1] - l[1]; di[2] = p[2] - l[2];
  for (let k = box[2]; k <= box[5]; k++) for (let j = box[1]; j <= box[4]; j++) {
    geometry.ijkToLps(p, box[0], j, k);
    let x = p[0], y = p[1], z = p[2];
    let o = geometry.offset(box[0], j, k);
    for (let i = box[0]; i <= box[3]; i++, o++, x += di[0], y += di[1], z += di[2]) {
      if (mask && mask[o] === 0) continue;
      frame.toLocal(l, x, y, z);
      if (!mask && (Math.abs(l[0]) > latMax || l[1] < s0 || l[1] > s1 || l[2] < q0 || l[2] > q1)) continue;
      out[o] = model.codeAtLocal(x, y, z, l[0], l[1]);
    }
  }
  return out;
}

// ----------------------------------------------------------------- helpers

function knotOf(frame: FittedSacralFrame, f: Foramen, loc: Vec3): ForamenKnot {
  const a = frame.toLocal([0, 0, 0], f.anteriorLps[0], f.anteriorLps[1], f.anteriorLps[2]);
  const b = frame.toLocal(loc, f.posteriorLps[0], f.posteriorLps[1], f.posteriorLps[2]);
  // Where the axis crosses q = 0 (the sacral mid-surface), else its midpoint.
  let t = 0.5;
  if (a[2] !== b[2] && a[2] * b[2] <= 0) t = a[2] / (a[2] - b[2]);
  const p: Vec3 = [
    f.anteriorLps[0] + t * (f.posteriorLps[0] - f.anteriorLps[0]),
    f.anteriorLps[1] + t * (f.posteriorLps[1] - f.anteriorLps[1]),
    f.anteriorLps[2] + t * (f.posteriorLps[2] - f.anteriorLps[2]),
  ];
  const c = frame.toLocal([0, 0, 0], p[0], p[1], p[2]);
  const ax = Math.abs(c[0]);
  return {
    id: f.id, level: f.level, side: f.side, sMm: c[1], axisAbsXMm: ax, radiusMm: f.radiusMm,
    medialAbsXMm: Math.max(0, ax - f.radiusMm), lateralAbsXMm: ax + f.radiusMm, origin: 'landmark',
  };
}

function packKnots(k: ForamenKnot[]): { s: Float64Array; m: Float64Array; l: Float64Array } {
  return {
    s: Float64Array.from(k, (x) => x.sMm),
    m: Float64Array.from(k, (x) => x.medialAbsXMm),
    l: Float64Array.from(k, (x) => x.lateralAbsXMm),
  };
}

function interp(s: number, xs: ArrayLike<number>, ys: ArrayLike<number>): number {
  const n = xs.length;
  if (n === 0) return NaN;
  if (s <= xs[0]!) return ys[0]!;
  if (s >= xs[n - 1]!) return ys[n - 1]!;
  let i = 0;
  while (s > xs[i + 1]!) i++;
  const t = (s - xs[i]!) / (xs[i + 1]! - xs[i]!);
  return ys[i]! + t * (ys[i + 1]! - ys[i]!);
}

function mean(a: number[]): number {
  return a.reduce((x, y) => x + y, 0) / a.length;
}

/** Distance from (x, y, z) to the segment a–b. */
export function pointSegmentDistance(x: number, y: number, z: number, a: Readonly<Vec3>, b: Readonly<Vec3>): number {
  const dx = b[0] - a[0], dy = b[1] - a[1], dz = b[2] - a[2];
  const wx = x - a[0], wy = y - a[1], wz = z - a[2];
  const l2 = dx * dx + dy * dy + dz * dz;
  let t = l2 > 0 ? (wx * dx + wy * dy + wz * dz) / l2 : 0;
  t = t < 0 ? 0 : t > 1 ? 1 : t;
  const ex = wx - t * dx, ey = wy - t * dy, ez = wz - t * dz;
  return Math.sqrt(ex * ex + ey * ey + ez * ez);
}

/**
 * Signed distance to a round cone: the union of balls B(c(u), r(u)) with centre and radius linear
 * along c0 → c1 (exact outside; the same closed form as the phantom's canal model).
 */
export function roundConeSdf(x: number, y: number, z: number, c0: Readonly<Vec3>, c1: Readonly<Vec3>, r0: number, r1: number): number {
  const dx = c1[0] - c0[0], dy = c1[1] - c0[1], dz = c1[2] - c0[2];
  const L = Math.sqrt(dx * dx + dy * dy + dz * dz);
  const wx = x - c0[0], wy = y - c0[1], wz = z - c0[2];
  if (L === 0) return Math.sqrt(wx * wx + wy * wy + wz * wz) - Math.max(r0, r1);
  const h = (wx * dx + wy * dy + wz * dz) / L;
  const p2 = Math.max(wx * wx + wy * wy + wz * wz - h * h, 0);
  const p = Math.sqrt(p2);
  let k = (r1 - r0) / L;
  if (k >= 1) k = 0.999999; else if (k <= -1) k = -0.999999;
  let u = h + (k * p) / Math.sqrt(1 - k * k);
  u = u < 0 ? 0 : u > L ? L : u;
  return Math.sqrt(p2 + (h - u) * (h - u)) - (r0 + k * u);
}
