/**
 * Denis-zone classification of a segmented lesion (a label of a LabelMap). Pure.
 *
 * - zone: most-medial rule over the lesion's voxel centres (DOMAIN.md §2): any voxel in the canal or
 *   zone 3 → 3; else any in zone 2 → 2; else 1; every voxel below S4 → null (outside Denis landmarks).
 * - zoneFractions: share of the lesion's voxels per zone code ('below' = caudal to the S4 band).
 * - Distances are from the lesion SURFACE, approximated per voxel as the centre distance minus the
 *   voxel's half extent along the direction to the structure (support of the ellipsoid inscribed in
 *   the voxel), clipped at 0. Accuracy: about half a voxel.
 * - foraminaTouched: foramina whose lumen (capsule) lies within `contactToleranceMm` (default 1 mm)
 *   of the lesion surface.
 * - borderline: the zone hangs on where a border lies: the lesion edge that decides it is within the
 *   landmarks' uncertainty of that border (BORDER_UNCERTAINTY_MM plus the voxel's half extent across it).
 *   The zone is then shown as "zone 1/2 border, check", not as one zone.
 * - approachFamily (source study, Tian et al. AJNR 2022): ala (zone 1) → anterior-oblique, transiliac
 *   or posterior; sacral bodies (zone 3 with the centroid ventral to the canal) → interpedicular;
 *   elsewhere → posterior.
 *
 * Speed: the lesion's voxel centres (LPS) are computed once per label-map version and cached
 * ({@link prepareLesion}); re-classifying after a landmark drag touches only lesion voxels.
 */
import type { Vec3 } from '../core/vec3';
import type { LabelMap } from '../segmentation/labelmap';
import type { DenisZone, ForamenId, SacralAnatomy, Side } from './types';
import { MIN_LEVEL_STEP_MM, roundConeSdf, type ZoneCode, type ZoneModel } from './zones';

export type ApproachFamily = 'anterior-oblique | transiliac | posterior' | 'interpedicular' | 'posterior';
export type Approach = 'anterior-oblique' | 'transiliac' | 'posterior' | 'interpedicular';

export interface ZoneFractions {
  '1': number;
  '2': number;
  '3': number;
  /** Caudal to the S4 band (outside the Denis landmarks). */
  below: number;
}

export interface LesionZoneResult {
  label: number;
  voxelCount: number;
  zone: DenisZone | null;
  zoneFractions: ZoneFractions;
  /** True when any lesion voxel centre lies in the canal. */
  inCanal: boolean;
  foraminaTouched: ForamenId[];
  nearestForamen: { id: ForamenId; distanceMm: number } | null;
  /** Lesion surface to canal surface (0 when they touch); null without a canal landmark. */
  canalDistanceMm: number | null;
  /** Foramina whose lumen holds lesion voxel centres, with how deep the deepest lies inside it (mm). */
  foraminaEntered: { id: ForamenId; depthMm: number }[];
  /** How deep the deepest lesion voxel centre lies inside the canal (0: none inside); null without a canal landmark. */
  canalDepthMm: number | null;
  /** Lesion centroid in the sacral frame (x, s, q), mm. */
  centroidSacral: Vec3;
  /**
   * Set when the zone hangs on a border: the two zones either side, and how far (mm) the edge of the lesion
   * that decides the zone lies from that border (or how deep it reaches into the canal). Null when clear.
   */
  borderline: { zones: [DenisZone, DenisZone]; marginMm: number; toleranceMm: number } | null;
  approachFamily: ApproachFamily;
  approaches: Approach[];
  explanation: string;
}

/**
 * How far a zone border may lie from where the landmarks put it (mm). A border is a foramen's |x| ± its
 * radius, so it carries the error of both: foramina found automatically lie within about 1 mm of the
 * truth on the phantoms (generalise-phantoms.test.ts, worst 0.9–1.4 mm along the axis, less across it), a
 * hand-placed marker is placed to about a voxel, and the radius is read to a few tenths of a millimetre.
 */
export const BORDER_UNCERTAINTY_MM = 1;

/**
 * Where the border is read across a missing foramen (zones.ts borderCarriedMm: interpolated over a missing
 * level, mirrored from the other side, or held beyond the last level placed), it may lie as far off as the
 * borders move over the levels it is carried across (per level at least this: the foramina step about 3 mm
 * medially per level and shrink, DOMAIN.md §6 and §8; more where this sacrum's placed foramina step more), and
 * that is added to the uncertainty.
 */
export const MISSING_LEVEL_UNCERTAINTY_MM = MIN_LEVEL_STEP_MM;

/** A point classifier: the zone model (fast path) or any function of an LPS point (null counts as 'below'). */
export type ZoneFn = ZoneModel | ((lps: Readonly<Vec3>) => DenisZone | null);

export interface ClassifyOptions {
  /** Foramen contact tolerance, mm (default 1). */
  contactToleranceMm?: number;
  /** Zone fractions from n×n×n samples per voxel box (default 1 = voxel centres). */
  fractionSubsamples?: number;
  /** Border uncertainty of the landmarks, mm (default BORDER_UNCERTAINTY_MM). */
  borderUncertaintyMm?: number;
}

export interface PreparedLesion {
  label: number;
  version: number;
  count: number;
  /** Voxel centres, LPS, xyz interleaved. */
  lps: Float64Array;
  centroidLps: Vec3;
  /** Half voxel steps along i, j, k (LPS vectors) for surface distances. */
  halfStepsLps: [Vec3, Vec3, Vec3];
  /**
   * The lesion's distances to each foramen and to the canal, by the landmark's numbers (landmarkKey): a landmark
   * drag moves one foramen, so the others and the canal are not measured again over every voxel.
   */
  memo?: { foramina: Map<string, { best: number; depth: number }>; canal: { key: string; inCanal: boolean; best: number; deepest: number } | null };
}

/** Foramen distances kept per lesion at most (a drag's positions of one foramen come and go). */
const FORAMEN_MEMO_MAX = 64;

/** The exact numbers of a landmark, as a key (−0 kept apart from 0). */
function landmarkKey(nums: readonly (number | readonly number[])[]): string {
  let k = '';
  for (const x of nums) {
    if (typeof x === 'number') k += (Object.is(x, -0) ? '-0' : String(x)) + ',';
    else for (const v of x) k += (Object.is(v, -0) ? '-0' : String(v)) + ',';
    k += ';';
  }
  return k;
}

const prepared = new WeakMap<LabelMap, Map<number, PreparedLesion>>();

/** Voxel centres of a label (cached per label map and version). */
export function prepareLesion(labels: LabelMap, label: number): PreparedLesion {
  let m = prepared.get(labels);
  if (!m) { m = new Map(); prepared.set(labels, m); }
  const hit = m.get(label);
  if (hit && hit.version === labels.version) return hit;
  const g = labels.geometry;
  const offs = labels.offsetsOf(label);
  const n = offs.length;
  const lps = new Float64Array(n * 3);
  const [ni, nj] = g.dims;
  const nij = ni * nj;
  const p: Vec3 = [0, 0, 0];
  let cx = 0, cy = 0, cz = 0;
  for (let a = 0; a < n; a++) {
    const o = offs[a]!;
    const k = (o / nij) | 0;
    const r = o - k * nij;
    const j = (r / ni) | 0;
    const i = r - j * ni;
    g.ijkToLps(p, i, j, k);
    lps[a * 3] = p[0]; lps[a * 3 + 1] = p[1]; lps[a * 3 + 2] = p[2];
    cx += p[0]; cy += p[1]; cz += p[2];
  }
  const o0 = g.ijkToLps([0, 0, 0], 0, 0, 0);
  const half = (i: number, j: number, k: number): Vec3 => {
    const q = g.ijkToLps([0, 0, 0], i, j, k);
    return [(q[0] - o0[0]) / 2, (q[1] - o0[1]) / 2, (q[2] - o0[2]) / 2];
  };
  const res: PreparedLesion = {
    label, version: labels.version, count: n, lps,
    centroidLps: n ? [cx / n, cy / n, cz / n] : [NaN, NaN, NaN],
    halfStepsLps: [half(1, 0, 0), half(0, 1, 0), half(0, 0, 1)],
  };
  m.set(label, res);
  return res;
}

/** Classifies label `label` of `labels` against the landmarks and a zone classifier. */
export function classifyLesion(labels: LabelMap, label: number, anatomy: SacralAnatomy, zoneFn: ZoneFn, options: ClassifyOptions = {}): LesionZoneResult {
  return classifyPreparedLesion(prepareLesion(labels, label), anatomy, zoneFn, options);
}

/** Classifies every label in use (or the given labels). */
export function classifyLesions(labels: LabelMap, anatomy: SacralAnatomy, zoneFn: ZoneFn, which: number[] = labels.labelsInUse(), options: ClassifyOptions = {}): LesionZoneResult[] {
  return which.map((l) => classifyLesion(labels, l, anatomy, zoneFn, options));
}

export function classifyPreparedLesion(les: PreparedLesion, anatomy: SacralAnatomy, zoneFn: ZoneFn, options: ClassifyOptions = {}): LesionZoneResult {
  const tol = options.contactToleranceMm ?? 1;
  const n = les.count;
  const P = les.lps;
  const model = typeof zoneFn === 'function' ? null : zoneFn;
  const fn = typeof zoneFn === 'function' ? zoneFn : null;
  const counts = [0, 0, 0, 0, 0];
  const pt: Vec3 = [0, 0, 0];
  const [hi, hj, hk] = les.halfStepsLps;
  /** Half extent of a voxel along the unit direction (ux, uy, uz). */
  // Support of the voxel's inscribed ellipsoid (semi-axes = half steps): equals the box's half extent along a
  // grid axis and avoids the box corners, which stick out past a smooth lesion surface on oblique directions.
  const support = (ux: number, uy: number, uz: number): number => {
    const a = hi[0] * ux + hi[1] * uy + hi[2] * uz, b = hj[0] * ux + hj[1] * uy + hj[2] * uz, c = hk[0] * ux + hk[1] * uy + hk[2] * uz;
    return Math.sqrt(a * a + b * b + c * c);
  };

  // Zones from the voxel centres. Optionally the fractions from sub×sub×sub samples of each voxel box; on the
  // phantoms that did not help (it removes the zone-border error but adds the voxel boxes' overshoot past
  // the lesion surface), so the default is the voxel centres.
  const sub = Math.max(1, Math.floor(options.fractionSubsamples ?? 1));
  const subOffsets: number[] = [];
  for (let c = 0; c < sub; c++) for (let b = 0; b < sub; b++) for (let a = 0; a < sub; a++) {
    const fa = sub === 1 ? 0 : (2 * a + 1) / sub - 1, fb = sub === 1 ? 0 : (2 * b + 1) / sub - 1, fc = sub === 1 ? 0 : (2 * c + 1) / sub - 1;
    subOffsets.push(fa * hi[0] + fb * hj[0] + fc * hk[0], fa * hi[1] + fb * hj[1] + fc * hk[1], fa * hi[2] + fb * hj[2] + fc * hk[2]);
  }
  const codeOf = (x: number, y: number, z: number): ZoneCode => {
    if (model) return model.codeAt(x, y, z);
    pt[0] = x; pt[1] = y; pt[2] = z;
    return fn!(pt) ?? 4;
  };
  const frac = [0, 0, 0, 0, 0];
  // the most medial voxel centre relative to each border (|x| − border, mm), for the borderline test
  let minDm = Infinity, minDl = Infinity, guessDm = 0, guessDl = 0;
  const loc: Vec3 = [0, 0, 0], offs: [number, number] = [0, 0];
  for (let a = 0; a < n; a++) {
    const x = P[a * 3]!, y = P[a * 3 + 1]!, z = P[a * 3 + 2]!;
    if (model) {
      model.frame.toLocal(loc, x, y, z);
      const code = model.codeAtLocal(x, y, z, loc[0], loc[1]);
      counts[code]!++;
      if (code !== 4) {
        model.bordersOffsetLocal(offs, loc[0], loc[1]);
        if (offs[0] < minDm) { minDm = offs[0]; guessDm = model.borderCarriedMm(loc[0] >= 0 ? 'L' : 'R', loc[1])[0]; }
        if (offs[1] < minDl) { minDl = offs[1]; guessDl = model.borderCarriedMm(loc[0] >= 0 ? 'L' : 'R', loc[1])[1]; }
      }
    } else counts[codeOf(x, y, z)]!++;
    if (sub === 1) continue;
    for (let t = 0; t < subOffsets.length; t += 3) frac[codeOf(x + subOffsets[t]!, y + subOffsets[t + 1]!, z + subOffsets[t + 2]!)]!++;
  }
  if (sub === 1) for (let c = 0; c < 5; c++) frac[c] = counts[c]!;

  // Foramina: lesion surface to lumen surface.
  const mh3f = 3 * maxHalf(les);
  const foramenDist = new Map<ForamenId, number>();
  const foraminaEntered: { id: ForamenId; depthMm: number }[] = [];
  const memo = (les.memo ??= { foramina: new Map(), canal: null });
  for (const f of anatomy.foramina) {
    const A = f.anteriorLps, B = f.posteriorLps;
    const key = landmarkKey([A, B, f.radiusMm]);
    let m = memo.foramina.get(key);
    if (!m) {
      m = foramenDistance(A, B, f.radiusMm);
      if (memo.foramina.size >= FORAMEN_MEMO_MAX) memo.foramina.clear();
      memo.foramina.set(key, m);
    }
    const { best, depth } = m;
    foramenDist.set(f.id, Math.max(0, best));
    if (depth > 0) foraminaEntered.push({ id: f.id, depthMm: depth });
  }
  /** The least surface distance of the lesion's voxels to a foramen's lumen (capsule A–B, radius r), and the deepest voxel centre inside it. */
  function foramenDistance(A: Readonly<Vec3>, B: Readonly<Vec3>, radiusMm: number): { best: number; depth: number } {
    const dx = B[0] - A[0], dy = B[1] - A[1], dz = B[2] - A[2];
    const l2 = dx * dx + dy * dy + dz * dz;
    let best = Infinity, depth = 0;
    for (let a = 0; a < n; a++) {
      const wx = P[a * 3]! - A[0], wy = P[a * 3 + 1]! - A[1], wz = P[a * 3 + 2]! - A[2];
      let t = l2 > 0 ? (wx * dx + wy * dy + wz * dz) / l2 : 0;
      t = t < 0 ? 0 : t > 1 ? 1 : t;
      const ex = wx - t * dx, ey = wy - t * dy, ez = wz - t * dz;
      const d = Math.sqrt(ex * ex + ey * ey + ez * ez);
      if (radiusMm - d > depth) depth = radiusMm - d;
      if (d - mh3f - radiusMm >= best) continue;
      const h = d > 0 ? support(ex / d, ey / d, ez / d) : 0;
      const s = d - h - radiusMm;
      if (s < best) best = s;
    }
    return { best, depth };
  }
  const foraminaTouched = anatomy.foramina.filter((f) => (foramenDist.get(f.id) ?? Infinity) <= tol).map((f) => f.id);
  let nearestForamen: { id: ForamenId; distanceMm: number } | null = null;
  for (const [id, d] of foramenDist) if (!nearestForamen || d < nearestForamen.distanceMm) nearestForamen = { id, distanceMm: d };

  // Canal: lesion surface to canal surface; any voxel centre inside.
  let canalDistanceMm: number | null = null;
  let canalDepthMm: number | null = null;
  let inCanal = false;
  const canal = anatomy.canal;
  const mh3 = 3 * maxHalf(les);
  const canalKey = canal && canal.centerlineLps.length > 0 && n > 0 ? landmarkKey([...canal.centerlineLps, canal.radiusMm]) : null;
  if (canal && canalKey !== null && memo.canal?.key === canalKey) {
    inCanal = memo.canal.inCanal;
    canalDistanceMm = Math.max(0, memo.canal.best);
    canalDepthMm = memo.canal.deepest;
  } else if (canal && canalKey !== null) {
    const cp = canal.centerlineLps, cr = canal.radiusMm;
    // Each segment's bounding sphere (centre, radius) bounds its sdf from below: |p − c| − R. A segment
    // whose bound is not below the best value so far is skipped (no square root), starting from the
    // segment that was nearest for the previous voxel (neighbouring voxels share it).
    const nSeg = Math.max(0, cp.length - 1);
    const sph = new Float64Array(4 * nSeg);
    for (let i = 0; i < nSeg; i++) {
      const a = cp[i]!, b = cp[i + 1]!;
      sph[4 * i] = (a[0] + b[0]) / 2; sph[4 * i + 1] = (a[1] + b[1]) / 2; sph[4 * i + 2] = (a[2] + b[2]) / 2;
      sph[4 * i + 3] = Math.hypot(b[0] - a[0], b[1] - a[1], b[2] - a[2]) / 2 + Math.max(cr[i] ?? 0, cr[i + 1] ?? 0);
    }
    let last = 0;
    const segSdf = (i: number, x: number, y: number, z: number): number => roundConeSdf(x, y, z, cp[i]!, cp[i + 1]!, cr[i] ?? 0, cr[i + 1] ?? 0);
    const sdf = (x: number, y: number, z: number): number => {
      if (cp.length === 1) return Math.hypot(x - cp[0]![0], y - cp[0]![1], z - cp[0]![2]) - (cr[0] ?? 0);
      let b = segSdf(last, x, y, z), bi = last;
      for (let i = 0; i < nSeg; i++) {
        if (i === last) continue;
        const dx = x - sph[4 * i]!, dy = y - sph[4 * i + 1]!, dz = z - sph[4 * i + 2]!, lim = b + sph[4 * i + 3]!;
        if (lim <= 0 || dx * dx + dy * dy + dz * dz >= lim * lim) continue; // |p − c| − R ≥ b
        const d = segSdf(i, x, y, z);
        if (d < b) { b = d; bi = i; }
      }
      last = bi;
      return b;
    };
    let best = Infinity, deepest = 0;
    for (let a = 0; a < n; a++) {
      const x = P[a * 3]!, y = P[a * 3 + 1]!, z = P[a * 3 + 2]!;
      const d = sdf(x, y, z);
      if (d <= 0) { inCanal = true; if (-d > deepest) deepest = -d; }
      if (d - mh3 >= best) continue;
      // Surface correction: voxel extent along the gradient (central difference).
      const e = 0.05;
      const gx = sdf(x + e, y, z) - sdf(x - e, y, z), gy = sdf(x, y + e, z) - sdf(x, y - e, z), gz = sdf(x, y, z + e) - sdf(x, y, z - e);
      const gl = Math.hypot(gx, gy, gz);
      const h = gl > 0 ? support(gx / gl, gy / gl, gz / gl) : 0;
      if (d - h < best) best = d - h;
    }
    canalDistanceMm = Math.max(0, best);
    canalDepthMm = deepest;
    memo.canal = { key: canalKey, inCanal, best, deepest };
  }

  const inside = counts[1]! + counts[2]! + counts[3]!;
  const zone: DenisZone | null = inCanal || counts[3]! > 0 ? 3 : counts[2]! > 0 ? 2 : counts[1]! > 0 ? 1 : null;
  // Borderline: the edge that decides the zone lies within the uncertainty of the border (voxel centres
  // stand up to half a voxel inside the lesion's surface, so the voxel's half extent across the border
  // is added).
  let borderline: LesionZoneResult['borderline'] = null;
  if (model && zone !== null) {
    const nl = model.frame.normalLps;
    const tol0 = (options.borderUncertaintyMm ?? BORDER_UNCERTAINTY_MM) + support(nl[0], nl[1], nl[2]);
    const tolAt = (carriedMm: number) => tol0 + carriedMm;
    const deepestForamen = foraminaEntered.reduce((m, f) => Math.max(m, f.depthMm), 0);
    const cands: { zones: [DenisZone, DenisZone]; marginMm: number; tol: number }[] = [];
    if (zone === 1) cands.push({ zones: [1, 2], marginMm: minDl, tol: tolAt(guessDl) });
    if (zone === 2) {
      cands.push({ zones: [2, 3], marginMm: minDm, tol: tolAt(guessDm) });
      if (canalDistanceMm !== null) cands.push({ zones: [2, 3], marginMm: canalDistanceMm, tol: tol0 });
      cands.push({ zones: [1, 2], marginMm: Math.max(-minDl, deepestForamen), tol: deepestForamen > -minDl ? tol0 : tolAt(guessDl) });
    }
    if (zone === 3) cands.push({ zones: [2, 3], marginMm: Math.max(-minDm, canalDepthMm ?? 0), tol: (canalDepthMm ?? 0) > -minDm ? tol0 : tolAt(guessDm) });
    const near = cands.filter((c) => c.marginMm < c.tol).sort((a, b) => a.marginMm - a.tol - (b.marginMm - b.tol))[0];
    if (near) borderline = { zones: near.zones, marginMm: Math.max(0, near.marginMm), toleranceMm: near.tol };
  }
  const denom = Math.max(1, frac[1]! + frac[2]! + frac[3]! + frac[4]!);
  const zoneFractions: ZoneFractions = { '1': frac[1]! / denom, '2': frac[2]! / denom, '3': frac[3]! / denom, below: frac[4]! / denom };

  const c = les.centroidLps;
  const centroidSacral: Vec3 = model ? model.frame.toLocal([0, 0, 0], c[0], c[1], c[2]) : [NaN, NaN, NaN];
  // Body = zone 3 with the centroid ventral to the canal's anterior wall.
  let inBody = false;
  if (zone === 3) {
    const ca = model ? model.canalAt(centroidSacral[1]) : null;
    inBody = ca ? centroidSacral[2] < ca.qMm - ca.radiusMm : !inCanal;
  }
  let approachFamily: ApproachFamily;
  let approaches: Approach[];
  if (zone === 1) { approachFamily = 'anterior-oblique | transiliac | posterior'; approaches = ['anterior-oblique', 'transiliac', 'posterior']; }
  else if (zone === 3 && inBody) { approachFamily = 'interpedicular'; approaches = ['interpedicular']; }
  else { approachFamily = 'posterior'; approaches = ['posterior']; }

  let explanation = explain(zone, inCanal, inBody, foraminaTouched, nearestForamen, zoneFractions, inside === 0 && n > 0);
  if (borderline) explanation += `; ${borderlineWords(borderline)}`;
  return {
    label: les.label, voxelCount: n, zone, zoneFractions, inCanal, foraminaTouched, nearestForamen,
    canalDistanceMm, foraminaEntered, canalDepthMm, centroidSacral, borderline, approachFamily, approaches, explanation,
  };
}

/** "zone 1/2 border, check" with why, for the panel and the explanation. */
export function borderlineWords(b: NonNullable<LesionZoneResult['borderline']>): string {
  const [a, c] = b.zones;
  const where = a === 1 ? 'the lateral border of the foramina' : 'the medial border of the foramina or the canal';
  const why = b.toleranceMm > BORDER_UNCERTAINTY_MM + MISSING_LEVEL_UNCERTAINTY_MM ? 'no foramen is placed at that level, so the border there is a guess' : 'within the landmarks\' uncertainty';
  return `zone ${a}/${c} border, check: its edge lies ${b.marginMm.toFixed(1)} mm from ${where}; ${why} (${b.toleranceMm.toFixed(1)} mm)`;
}

function maxHalf(les: PreparedLesion): number {
  let m = 0;
  for (const h of les.halfStepsLps) m = Math.max(m, Math.hypot(h[0], h[1], h[2]));
  return m;
}

const SIDE_WORD: Record<Side, string> = { L: 'left', R: 'right' };
function foramenName(id: ForamenId): string {
  const [level, side] = id.split('_') as [string, Side];
  return `${SIDE_WORD[side]} ${level} foramen`;
}

function explain(zone: DenisZone | null, inCanal: boolean, inBody: boolean, touched: ForamenId[], nearest: { id: ForamenId; distanceMm: number } | null, fr: ZoneFractions, allBelow: boolean): string {
  const pct = (v: number): string => `${Math.round(v * 100)} %`;
  const below = fr.below > 0 && !allBelow ? `; ${pct(fr.below)} below S4 (outside Denis landmarks)` : '';
  const also = touched.length ? `; touches the ${touched.map(foramenName).join(', ')}` : '';
  if (zone === null) return allBelow ? 'lies entirely below the S4 level → outside Denis landmarks (no zone)' : 'empty lesion → no zone';
  if (zone === 3) {
    if (inCanal) return `reaches the central canal → zone 3${also}${below}`;
    const ref = nearest ? ` medial to the ${foramenName(nearest.id)}` : '';
    return `extends${ref} into the ${inBody ? 'sacral body' : 'central sacrum'} → zone 3${also}${below}`;
  }
  if (zone === 2) {
    if (touched.length) return `touches the ${touched.map(foramenName).join(', ')} → zone 2${below}`;
    return `lies between the medial and lateral borders of the ${nearest ? foramenName(nearest.id) : 'foramina'} → zone 2${below}`;
  }
  return `lies lateral to the ${nearest ? foramenName(nearest.id) : 'foramina'} (sacral ala) → zone 1${also}${below}`;
}
