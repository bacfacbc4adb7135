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
import { nonZeroBox } from '../segmentation/grid';

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

/**
 * The least a zone border is taken to move from one level to the next (mm): the foramina step about 3 mm
 * medially per level and shrink (DOMAIN.md §6 and §8).
 */
export const MIN_LEVEL_STEP_MM = 3;

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
  /**
   * Signed lateral distances of a point (sacral x and s known) from its side's borders, written into out:
   * [|x| − medial border, |x| − lateral border] (mm; negative = medial to that border).
   */
  bordersOffsetLocal(out: [number, number], lx: number, sMm: number): [number, number];
  /**
   * Whether the borders at s on that side are read across a missing foramen: one of the two knots they are
   * interpolated between is mirrored from the other side, or the two are not consecutive levels, or s lies
   * beyond the first (last) knot and that is not S1 (S4).
   */
  borderGuessed(side: Side, sMm: number): boolean;
  /**
   * How far the borders at s on that side may lie from where the model puts them because they are read across
   * missing foramina, [medial, lateral] (mm; 0 between the foramina of consecutive levels placed on that side):
   * the levels the border is carried across (held beyond the first or last knot, interpolated over a missing
   * level, or a knot mirrored from the other side) times how far that border moves from one level to the next
   * on this sacrum (`levelStepMm`).
   */
  borderCarriedMm(side: Side, sMm: number): [number, number];
  /**
   * How far each border moves per level on this sacrum, [medial, lateral] (mm): the largest step between the
   * foramina of consecutive levels placed on either side, at least `minStepMm` (an anatomical step: the foramina
   * step about 3 mm medially per level and shrink, DOMAIN.md §6 and §8).
   */
  readonly levelStepMm: [number, number];
  /** Medial and lateral border |x| (mm) on a side at arc position s. */
  bordersAt(side: Side, sMm: number): { medialAbsXMm: number; lateralAbsXMm: number };
  /** Whether the canal surface passes within dMm (> 0) of an LPS point (false without canal). */
  canalSurfaceWithin(x: number, y: number, z: number, dMm: number): boolean;
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
export function buildZoneModel(anatomy: SacralAnatomy, minStepMm = MIN_LEVEL_STEP_MM): ZoneModel | null {
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
  const lvOf = (x: ForamenKnot) => LEVEL_ORDER.indexOf(x.level);
  // the per-level step of each border, measured between consecutive levels placed on the same side
  const levelStepMm: [number, number] = [minStepMm, minStepMm];
  for (const side of ['L', 'R'] as Side[]) {
    const k = knots[side];
    for (let i = 0; i + 1 < k.length; i++) {
      const a = k[i]!, b = k[i + 1]!;
      if (a.origin !== 'landmark' || b.origin !== 'landmark' || lvOf(b) - lvOf(a) !== 1) continue;
      levelStepMm[0] = Math.max(levelStepMm[0], Math.abs(b.medialAbsXMm - a.medialAbsXMm));
      levelStepMm[1] = Math.max(levelStepMm[1], Math.abs(b.lateralAbsXMm - a.lateralAbsXMm));
    }
  }
  /** Levels the borders at s are carried across on a side (0: between consecutive levels placed there). */
  const levelsCarried = (side: Side, sMm: number): number => {
    const k = knots[side];
    if (k.length === 0) return LEVEL_ORDER.length;
    const mirrored = (x: ForamenKnot) => (x.origin !== 'landmark' ? 1 : 0);
    if (sMm <= k[0]!.sMm) return Math.max(lvOf(k[0]!), mirrored(k[0]!));
    if (sMm >= k[k.length - 1]!.sMm) return Math.max(LEVEL_ORDER.length - 1 - lvOf(k[k.length - 1]!), mirrored(k[k.length - 1]!));
    let i = 0;
    while (sMm > k[i + 1]!.sMm) i++;
    return Math.max(lvOf(k[i + 1]!) - lvOf(k[i]!) - 1, mirrored(k[i]!), mirrored(k[i + 1]!));
  };

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

  // Canal segments (round cones between consecutive centre-line points), each with an LPS box
  // padded by its larger radius: a point outside the box is outside that cone.
  const segs = cpts.length === 1
    ? [{ c0: cpts[0]!, c1: cpts[0]!, r0: crad[0] ?? 0, r1: crad[0] ?? 0 }]
    : cpts.slice(1).map((c1, i) => ({ c0: cpts[i]!, c1, r0: crad[i] ?? 0, r1: crad[i + 1] ?? 0 }));
  const segBoxes = segs.map((g) => {
    const r = Math.max(g.r0, g.r1);
    return [0, 1, 2].map((a) => Math.min(g.c0[a]!, g.c1[a]!) - r).concat([0, 1, 2].map((a) => Math.max(g.c0[a]!, g.c1[a]!) + r));
  });
  /** Whether (x, y, z) is within `pad` mm of a canal segment's box, and that segment's |sdf| ≤ pad (pad 0: inside test). */
  const canalTest = (x: number, y: number, z: number, pad: number): boolean => {
    for (let t = 0; t < segs.length; t++) {
      const b = segBoxes[t]!;
      if (x < b[0]! - pad || y < b[1]! - pad || z < b[2]! - pad || x > b[3]! + pad || y > b[4]! + pad || z > b[5]! + pad) continue;
      const g = segs[t]!;
      const d = roundConeSdf(x, y, z, g.c0, g.c1, g.r0, g.r1);
      if (pad === 0 ? d <= 0 : Math.abs(d) <= pad) return true;
    }
    return false;
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
      if (canalTest(x, y, z, 0)) return 3;
    }
    if ((lx >= 0 ? ks.L : ks.R).s.length === 0) return 1;
    const [dm, dl] = bordersOffsetLocal(offs, lx, s);
    if (inForamen(x, y, z)) return 2;
    if (dm < 0) return 3;
    if (dl <= 0) return 2;
    return 1;
  };
  const offs: [number, number] = [0, 0];
  const bordersOffsetLocal = (out: [number, number], lx: number, s: number): [number, number] => {
    const k = lx >= 0 ? ks.L : ks.R;
    const ax = Math.abs(lx);
    const n = k.s.length;
    if (n === 0) { out[0] = Infinity; out[1] = Infinity; return out; }
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
    out[0] = ax - m; out[1] = ax - l;
    return out;
  };

  return {
    frame, knots, sBelowS4Mm, sTopMm, sEndMm, codeAt, codeAtLocal, bordersOffsetLocal, levelStepMm,
    borderGuessed: (side, sMm) => levelsCarried(side, sMm) > 0,
    borderCarriedMm(side, sMm) {
      const n = levelsCarried(side, sMm);
      return [n * levelStepMm[0], n * levelStepMm[1]];
    },
    canalSurfaceWithin: (x, y, z, dMm) => canalTest(x, y, z, Math.max(dMm, 1e-9)),
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
  /** With a mask: an index box [i0, j0, k0, i1, j1, k1] known to hold all its voxels (saves a scan). */
  maskBoxIjk?: readonly [number, number, number, number, number, number];
  /** Array to write the map into (zeroed first) instead of a new one. */
  out?: Uint8Array;
  /** Edge (mm) of the blocks evaluated at their corners (see buildZoneMap); 0 = every voxel. Default 1.5. */
  blockMm?: number;
  /** The mask's voxels by block (zoneMaskIndex of the same mask, geometry and block size): the map visits them instead of scanning the mask's box. */
  maskIndex?: ZoneMaskIndex | null;
}

/** Blocks of the zone map over an index box: lattice lines per axis and the block of each voxel index. */
interface BlockLattice {
  bs: number[];
  li: Int32Array; lj: Int32Array; lk: Int32Array;
  na: number; nb: number; nc: number;
  bi: Int32Array; bj: Int32Array; bk: Int32Array;
}

function blockLattice(geometry: VolumeGeometry, box: readonly number[], blockMm: number): BlockLattice {
  const sp = geometry.spacingMm;
  const bs = [0, 1, 2].map((a) => Math.max(1, Math.floor(blockMm / sp[a]! + 1e-9)));
  const [li, lj, lk] = [0, 1, 2].map((a) => {
    const m = Math.max(1, Math.ceil((box[a + 3]! - box[a]!) / bs[a]!));
    return Int32Array.from({ length: m + 1 }, (_, t) => Math.min(box[a]! + t * bs[a]!, box[a + 3]!));
  }) as [Int32Array, Int32Array, Int32Array];
  const nc = Math.max(1, lk.length - 1), nb = Math.max(1, lj.length - 1), na = Math.max(1, li.length - 1);
  // Block index of each voxel index along each axis (the last block also holds the box's last voxel).
  const blockOf = (lat: Int32Array, n: number, lo: number, hi: number): Int32Array => {
    const t = new Int32Array(hi - lo + 1);
    for (let x = 0, u = 0; x < t.length; x++) {
      while (u + 1 < n && lo + x >= lat[u + 1]!) u++;
      t[x] = u;
    }
    return t;
  };
  return { bs, li, lj, lk, na, nb, nc, bi: blockOf(li, na, box[0]!, box[3]!), bj: blockOf(lj, nb, box[1]!, box[4]!), bk: blockOf(lk, nc, box[2]!, box[5]!) };
}

/**
 * A mask's voxel offsets grouped by the zone map's blocks (blocks in order, `starts[b]`…`starts[b + 1]` in
 * `offsets`): a map over the same mask then visits only its voxels, not its whole box (the sacrum's box on a
 * 512×512×300 CT holds about six times its voxels). Null for an empty mask.
 */
export interface ZoneMaskIndex {
  mask: Uint8Array;
  blockMm: number;
  box: [number, number, number, number, number, number];
  starts: Int32Array;
  offsets: Int32Array;
}

export function zoneMaskIndex(geometry: VolumeGeometry, mask: Uint8Array, blockMm = 1.5): ZoneMaskIndex | null {
  const [ni, nj, nk] = geometry.dims;
  const b = nonZeroBox(mask, geometry.dims);
  if (!b || !(blockMm > 0)) return null;
  const box: [number, number, number, number, number, number] = [Math.max(0, b[0]), Math.max(0, b[1]), Math.max(0, b[2]), Math.min(ni - 1, b[3]), Math.min(nj - 1, b[4]), Math.min(nk - 1, b[5])];
  const { na, nb, nc, bi, bj, bk } = blockLattice(geometry, box, blockMm);
  const [I0, J0, K0, I1, J1, K1] = box;
  const nij = ni * nj;
  const starts = new Int32Array(na * nb * nc + 1);
  for (let k = K0; k <= K1; k++) for (let j = J0; j <= J1; j++) {
    const row = na * (bj[j - J0]! + nb * bk[k - K0]!);
    for (let i = 0, o = I0 + ni * j + nij * k, n = I1 - I0; i <= n; i++, o++) if (mask[o] !== 0) starts[row + bi[i]! + 1]!++;
  }
  for (let t = 0; t < na * nb * nc; t++) starts[t + 1]! += starts[t]!;
  const offsets = new Int32Array(starts[na * nb * nc]!);
  const fill = starts.slice(0, na * nb * nc);
  for (let k = K0; k <= K1; k++) for (let j = J0; j <= J1; j++) {
    const row = na * (bj[j - J0]! + nb * bk[k - K0]!);
    for (let i = 0, o = I0 + ni * j + nij * k, n = I1 - I0; i <= n; i++, o++) if (mask[o] !== 0) offsets[fill[row + bi[i]!]!++] = o;
  }
  return { mask, blockMm, box, starts, offsets };
}

/**
 * Zone label per voxel for display (i fastest, the layout of `geometry`): 0 outside the region,
 * 1–3 Denis zone, 4 below S4. The region is the mask (non-zero voxels) when given, else a box in
 * the sacral frame around the landmarks (|x| ≤ widest lateral border + margin, s from the top of S1
 * to the end of S5, q in qRangeMm). All zeros when no zone model can be built.
 */
export function buildZoneMap(geometry: VolumeGeometry, anatomy: SacralAnatomy, mask?: Uint8Array | null, options: ZoneMapOptions = {}): Uint8Array {
  const [ni, nj, nk] = geometry.dims;
  const out = options.out ?? new Uint8Array(ni * nj * nk);
  if (out.length !== ni * nj * nk) throw new Error('output length does not match the geometry');
  if (options.out) out.fill(0);
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
  const blockMm = options.blockMm ?? 1.5;
  const index = mask && options.maskIndex && options.maskIndex.mask === mask && options.maskIndex.blockMm === blockMm ? options.maskIndex : null;
  if (mask) {
    const b = index?.box ?? options.maskBoxIjk ?? nonZeroBox(mask, geometry.dims);
    if (!b) return out;
    box = [Math.max(0, b[0]), Math.max(0, b[1]), Math.max(0, b[2]), Math.min(ni - 1, b[3]), Math.min(nj - 1, b[4]), Math.min(nk - 1, b[5])];
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

  // Block evaluation. The code is computed at the corners of blocks of about blockMm (shared
  // between neighbouring blocks). A block takes its corners' code whole when the corners agree and
  // nothing can change the code inside it: it does not straddle the midline plane, the below-S4 cut
  // or (without a mask) the region's bounds, neither border of its side can pass through it (the
  // borders are linear in s between knots, so their range over the block's s span is known), and no
  // foramen lumen or canal surface passes within half its diagonal of its centre. Any other block is
  // evaluated voxel by voxel. With a mask, blocks without a mask voxel are skipped. The result is the
  // voxel-by-voxel map (the tests compare them); about 3× faster on a 512×512×300 CT.
  const p: Vec3 = [0, 0, 0], l: Vec3 = [0, 0, 0];
  const inRegion = (): boolean => !!mask || (Math.abs(l[0]) <= latMax && l[1] >= s0 && l[1] <= s1 && l[2] >= q0 && l[2] <= q1);
  const exactVoxel = (i: number, j: number, k: number, o: number): void => {
    if (mask && mask[o] === 0) return;
    geometry.ijkToLps(p, i, j, k);
    frame.toLocal(l, p[0], p[1], p[2]);
    if (inRegion()) out[o] = model.codeAtLocal(p[0], p[1], p[2], l[0], l[1]);
  };
  if (!(blockMm > 0)) {
    for (let k = box[2]; k <= box[5]; k++) for (let j = box[1]; j <= box[4]; j++) {
      for (let i = box[0], o = geometry.offset(box[0], j, k); i <= box[3]; i++, o++) exactVoxel(i, j, k, o);
    }
    return out;
  }
  const { bs, li, lj, lk, na, nb, nc, bi, bj, bk } = blockLattice(geometry, box, blockMm);
  const mi = li.length, mj = lj.length, mk = lk.length;
  const cache = new Int8Array(mi * mj * mk).fill(-1);
  const cacheLx = new Float64Array(mi * mj * mk), cacheS = new Float64Array(mi * mj * mk), cacheQ = new Float64Array(mi * mj * mk);
  const corner = (t: number, a: number, b: number, c: number): void => {
    if (cache[t]! >= 0) return;
    geometry.ijkToLps(p, li[a]!, lj[b]!, lk[c]!);
    frame.toLocal(l, p[0], p[1], p[2]);
    cache[t] = inRegion() ? model.codeAtLocal(p[0], p[1], p[2], l[0], l[1]) : 0;
    cacheLx[t] = l[0];
    cacheS[t] = l[1];
    cacheQ[t] = l[2];
  };
  const sideKnots = { L: packKnots(model.knots.L), R: packKnots(model.knots.R) };
  /** Whether a border of the side can pass through |x| ∈ [axA, axB] while s ∈ [sA, sB]. */
  const bordersMayCross = (k: { s: Float64Array; m: Float64Array; l: Float64Array }, sA: number, sB: number, axA: number, axB: number): boolean => {
    if (k.s.length === 0) return false;
    let mLo = interp(sA, k.s, k.m), mHi = mLo, lLo = interp(sA, k.s, k.l), lHi = lLo;
    const take = (mv: number, lv: number): void => {
      if (mv < mLo) mLo = mv; if (mv > mHi) mHi = mv;
      if (lv < lLo) lLo = lv; if (lv > lHi) lHi = lv;
    };
    take(interp(sB, k.s, k.m), interp(sB, k.s, k.l));
    for (let t = 0; t < k.s.length; t++) if (k.s[t]! > sA && k.s[t]! < sB) take(k.m[t]!, k.l[t]!);
    return (axB >= mLo && axA <= mHi) || (axB >= lLo && axA <= lHi);
  };
  const caps = anatomy.foramina;
  // Half the diagonal of a full block (mm): the reach of its centre.
  geometry.ijkToLps(p, 0, 0, 0);
  geometry.ijkToLps(l, bs[0]!, bs[1]!, bs[2]!);
  const half = 0.5 * Math.hypot(l[0] - p[0], l[1] - p[1], l[2] - p[2]) + 1e-6;
  // x is linear in LPS, s and q are not (arc frame): inside a block they may leave the corners' range by
  // about half²/ρ (ρ: distance from the frame's axis of curvature); padded for ρ ≥ 10 mm.
  const pad = (half * half) / 10 + 1e-6;
  const straddles = (v: number, lo: number, hi: number): boolean => v >= lo - pad && v <= hi + pad;
  const q: Vec3 = [0, 0, 0];
  // Pass 1: which blocks hold a voxel to label. Pass 2: each such block's code, or −1 (voxel by
  // voxel). Pass 3: the voxels, row by row.
  const [I0, J0, K0, I1, J1, K1] = box;
  const nij = ni * nj;
  const blockCode = new Int8Array(na * nb * nc).fill(mask ? -2 : 0);
  if (index) {
    for (let t = 0; t < na * nb * nc; t++) if (index.starts[t + 1]! > index.starts[t]!) blockCode[t] = 0;
  } else if (mask) {
    for (let k = K0; k <= K1; k++) for (let j = J0; j <= J1; j++) {
      const row = na * (bj[j - J0]! + nb * bk[k - K0]!);
      for (let i = 0, o = I0 + ni * j + nij * k, n = I1 - I0; i <= n; i++, o++) if (mask[o] !== 0) blockCode[row + bi[i]!] = 0;
    }
  }
  for (let c = 0, blk = 0; c < nc; c++) {
    const c1 = Math.min(c + 1, mk - 1);
    for (let b = 0; b < nb; b++) {
      const b1 = Math.min(b + 1, mj - 1);
      for (let a = 0; a < na; a++, blk++) {
        if (blockCode[blk] === -2) continue;
        const a1 = Math.min(a + 1, mi - 1);
        let code = -1, uniform = true, sMin = Infinity, sMax = -Infinity, qMin = Infinity, qMax = -Infinity, axMin = Infinity, axMax = -Infinity, neg = false, pos = false;
        for (let u = 0; u < 8; u++) {
          const aa = u & 1 ? a1 : a, bb = u & 2 ? b1 : b, cc = u & 4 ? c1 : c;
          const t = aa + mi * (bb + mj * cc);
          corner(t, aa, bb, cc);
          const v = cache[t]!;
          if (code < 0) code = v; else if (v !== code) uniform = false;
          const sv = cacheS[t]!, qv = cacheQ[t]!, lx = cacheLx[t]!, ax = Math.abs(lx);
          if (sv < sMin) sMin = sv; if (sv > sMax) sMax = sv;
          if (qv < qMin) qMin = qv; if (qv > qMax) qMax = qv;
          if (ax < axMin) axMin = ax; if (ax > axMax) axMax = ax;
          if (lx < 0) neg = true; else pos = true;
        }
        if (uniform && neg && pos) uniform = false;
        if (uniform && straddles(model.sBelowS4Mm, sMin, sMax)) uniform = false;
        if (uniform && !mask && (straddles(latMax, axMin, axMax) || straddles(s0, sMin, sMax) || straddles(s1, sMin, sMax) || straddles(q0, qMin, qMax) || straddles(q1, qMin, qMax))) uniform = false;
        if (uniform && code >= 1 && code <= 3) uniform = !bordersMayCross(pos ? sideKnots.L : sideKnots.R, sMin - pad, sMax + pad, axMin, axMax);
        if (uniform && code !== 4) {
          geometry.ijkToLps(q, (li[a]! + li[a1]!) / 2, (lj[b]! + lj[b1]!) / 2, (lk[c]! + lk[c1]!) / 2);
          if (model.canalSurfaceWithin(q[0], q[1], q[2], half)) uniform = false;
          else for (const f of caps) if (Math.abs(pointSegmentDistance(q[0], q[1], q[2], f.anteriorLps, f.posteriorLps) - f.radiusMm) <= half) { uniform = false; break; }
        }
        blockCode[blk] = uniform ? code : -1;
      }
    }
  }
  if (index) {
    const { starts, offsets } = index;
    for (let t = 0; t < na * nb * nc; t++) {
      const code = blockCode[t]!;
      if (code === -2 || code === 0) continue;
      for (let m = starts[t]!; m < starts[t + 1]!; m++) {
        const o = offsets[m]!;
        if (code > 0) { out[o] = code; continue; }
        const k = (o / nij) | 0, r = o - k * nij, j = (r / ni) | 0;
        exactVoxel(r - j * ni, j, k, o);
      }
    }
    return out;
  }
  for (let k = K0; k <= K1; k++) for (let j = J0; j <= J1; j++) {
    const row = na * (bj[j - J0]! + nb * bk[k - K0]!);
    for (let i = 0, o = I0 + ni * j + nij * k, n = I1 - I0; i <= n; i++, o++) {
      if (mask && mask[o] === 0) continue;
      const code = blockCode[row + bi[i]!]!;
      if (code > 0) out[o] = code;
      else if (code === -1) exactVoxel(I0 + i, j, k, o);
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
