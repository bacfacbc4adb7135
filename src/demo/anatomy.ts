/**
 * The analytic anatomy of the built-in demo case: a stylised L5–S5 sacrum with ilia, written as
 * signed-distance functions (negative inside, mm) in a curvilinear sacral frame.
 *
 * Sacral frame (x, s, q), all in mm:
 *   x  lateral, + patient left (= LPS x; the midline is x = 0);
 *   s  arc length along the body centre line, 0 at the centre of the S1 superior endplate, + caudal;
 *   q  + dorsal, − ventral, measured perpendicular to the centre line.
 * The centre line is a circular arc of radius R in the mid-sagittal plane, concave anteriorly (kyphotic):
 *   θ(s) = θ0 − s/R,  d(θ) = (0, cos θ, sin θ)  (unit, dorsal),
 *   P(x, s, q) = O + (x, 0, 0) + (R + q)·d(θ(s)),  O = S1 endplate centre − R·d(θ0)  (anterior to the sacrum).
 * The caudal tangent is e_s = (0, sin θ, −cos θ), so θ is the angle of the long axis from the vertical
 * (θ0 = 35° at S1: the sacrum slopes back; 102 mm of arc turn it by 34° to almost vertical at the tip).
 * The inverse is exact: θ = atan2(z − Oz, y − Oy), s = (θ0 − θ)·R, q = |(y, z) − O| − R.
 *
 * Everything here is pure and allocation-free in the per-voxel paths, so it runs in node and in workers.
 */
import type { Vec3 } from '../core/vec3';
import { ellipseSdf, ellipsoidSdf, superellipse4Sdf, superellipsoid4Sdf, smin, interpTable, smoothstep } from './sdf';

const DEG = Math.PI / 180;

/** Sacral frame constants. The S1 superior endplate centre is the LPS origin of the anatomy. */
export const FRAME = {
  radiusMm: 170,
  theta0Rad: 35 * DEG,
  s1EndplateCentreLps: [0, 0, 0] as Vec3,
  /** Arc length of the sacrum, S1 endplate to the S5 tip. */
  lengthMm: 102,
} as const;

const R = FRAME.radiusMm;
const TH0 = FRAME.theta0Rad;
/** Centre of curvature (LPS). */
export const ORIGIN_OF_CURVATURE: Vec3 = [0, -R * Math.cos(TH0), -R * Math.sin(TH0)];
const OY = ORIGIN_OF_CURVATURE[1], OZ = ORIGIN_OF_CURVATURE[2];

export function sacralToLps(out: Vec3, x: number, s: number, q: number): Vec3 {
  const th = TH0 - s / R, r = R + q;
  out[0] = x;
  out[1] = OY + r * Math.cos(th);
  out[2] = OZ + r * Math.sin(th);
  return out;
}

/** LPS → (x, s, q). */
export function lpsToSacral(out: Vec3, p: Readonly<Vec3>): Vec3 {
  const dy = p[1] - OY, dz = p[2] - OZ;
  out[0] = p[0];
  out[1] = (TH0 - Math.atan2(dz, dy)) * R;
  out[2] = Math.sqrt(dy * dy + dz * dz) - R;
  return out;
}

/** Local unit axes at arc length s: e_x (left), e_s (caudal tangent), e_q (dorsal). */
export function sacralAxes(s: number): { ex: Vec3; es: Vec3; eq: Vec3 } {
  const th = TH0 - s / R;
  return { ex: [1, 0, 0], es: [0, Math.sin(th), -Math.cos(th)], eq: [0, Math.cos(th), Math.sin(th)] };
}

// ---------------------------------------------------------------------------------------------
// Profiles along s (piecewise linear between these knots)
// ---------------------------------------------------------------------------------------------

/** Level boundaries in s: S1 0–26, S2 26–50, S3 50–70, S4 70–86, S5 86–102. */
export const LEVEL_BOUNDS_S = [0, 26, 50, 70, 86, 102] as const;
export const LEVEL_NAMES = ['S1', 'S2', 'S3', 'S4', 'S5'] as const;
export type LevelName = (typeof LEVEL_NAMES)[number];

const KNOTS = LEVEL_BOUNDS_S;
const BODY_HALF_WIDTH = [24, 20.5, 16, 12.5, 10, 7];
const BODY_HALF_DEPTH = [15, 12.5, 10, 8.5, 7, 5.5];
/** Half-width of the sacral section (alae / lateral masses) at its mid-depth: ~101 mm wide at S1 (6 % more ventrally). */
const MASS_HALF_WIDTH = [50, 44, 36, 30, 23, 12];
/** Ventral surface of the lateral masses (q). The body protrudes a few mm in front of it. */
const MASS_VENTRAL_Q = [-11, -9, -7.5, -6.5, -5.5, -4.5];
const CANAL_RADIUS = [7.5, 6, 5, 4.2, 3.6, 3.6];
/** Bone between the body and the canal floor, and over the canal roof (mm). */
const CANAL_FLOOR_MM = 1.8;
const CANAL_ROOF_MM = 5;
/** How much lower (more ventral) the dorsal surface is at the lateral edge than at the midline. */
const DORSAL_SLOPE_MM = 9;
/** The posterior arch and the median crest end at the hiatus; the canal ends a little further down. */
export const HIATUS_S = 80;
export const CANAL_END_S = 93;
const CREST_HALF_WIDTH = 3;
const CREST_HEIGHT = 6;
/** Junctions of the fused vertebrae, with a slight waist of the body. */
const JUNCTIONS_S = [26, 50, 70, 86];

export const CORTEX_MM = 1.3;
export const SI_GAP_MM = 2.5;

/** Foramina S1–S4: arc position, lateral offset of the axis, radius. The axis runs along e_q (AP through the bone). */
export const FORAMEN_DEFS = [
  { level: 'S1' as const, sMm: 20, xMm: 28, radiusMm: 4.5 },
  { level: 'S2' as const, sMm: 44, xMm: 25, radiusMm: 3.8 },
  { level: 'S3' as const, sMm: 63, xMm: 21, radiusMm: 3.1 },
  { level: 'S4' as const, sMm: 79, xMm: 17.5, radiusMm: 2.5 },
];

export const HU = {
  air: -1000,
  subcutaneousFat: -100,
  muscle: 40,
  pelvicFat: -90,
  psoas: 45,
  cortex: 1200,
  sacrumCancellousS1: 265,
  iliumCancellous: 220,
  l5Cancellous: 245,
  disc: 85,
  fusedDiscRemnant: 380,
  canal: 15,
  foramen: -40,
  lesion: 30,
  textureAmplitude: 22,
  noiseSigma: 10,
} as const;

/**
 * Cancellous HU of the sacrum: ~265 in the S1 body, lower caudally and in the alae (~220), with thin
 * denser lines (fused disc remnants, ~380 HU, ~1.5 mm) across the bodies at the level junctions.
 */
export function sacralCancellousHu(sec: Section, ax: number, marrowHuOffset = 0): number {
  const s = sec.s;
  let v = HU.sacrumCancellousS1 + marrowHuOffset - 0.3 * Math.max(s, 0) - 45 * smoothstep(22, 40, ax);
  if (ax < sec.bodyHalfWidth && Math.abs(sec.q) < sec.bodyHalfDepth) {
    for (const j of JUNCTIONS_S) {
      const t = ((s - j) * sec.kappa) / 0.75;
      if (t > -3 && t < 3) v += (HU.fusedDiscRemnant - v) * Math.exp(-t * t);
    }
  }
  return v;
}

// ---------------------------------------------------------------------------------------------
// Cross-sections: everything that depends only on (s, q) is computed once per image row.
// ---------------------------------------------------------------------------------------------

/** Row constants of the sacral cross-section at (s, q). Mutable, reused: fill with `sectionAt`. */
export interface Section {
  s: number;
  q: number;
  /** Metric factor along s: 1 mm of s is κ mm in space at depth q. */
  kappa: number;
  bodyHalfWidth: number;
  bodyHalfDepth: number;
  massHalfWidth: number;
  massVentralQ: number;
  massDorsalQ0: number;
  canalRadius: number;
  canalQ: number;
  /** max(−s·κ, (s − L)·κ): the superior (S1 endplate/alae top) and caudal (tip) caps. */
  capPhi: number;
  /** The caudal cap alone (used for the SI-joint cut, which continues above S1). */
  tipPhi: number;
  /** Perpendicular distance (in the sagittal plane) from this row to each foramen axis, mm. */
  foramenPerp: Float64Array;
}

export function newSection(): Section {
  return {
    s: 0, q: 0, kappa: 1, bodyHalfWidth: 0, bodyHalfDepth: 0, massHalfWidth: 0, massVentralQ: 0, massDorsalQ0: 0,
    canalRadius: 0, canalQ: 0, capPhi: 0, tipPhi: 0, foramenPerp: new Float64Array(FORAMEN_DEFS.length),
  };
}

function waist(s: number): number {
  let w = 1;
  for (const j of JUNCTIONS_S) {
    const t = (s - j) / 2.5;
    w -= 0.07 * Math.exp(-t * t);
  }
  return w;
}

/** Fill `sec` for arc length s and depth q. */
export function sectionAt(sec: Section, s: number, q: number): Section {
  sec.s = s;
  sec.q = q;
  sec.kappa = (R + q) / R;
  const w = waist(s);
  sec.bodyHalfWidth = interpTable(KNOTS, BODY_HALF_WIDTH, s) * w;
  sec.bodyHalfDepth = interpTable(KNOTS, BODY_HALF_DEPTH, s) * w;
  sec.massHalfWidth = interpTable(KNOTS, MASS_HALF_WIDTH, s);
  sec.massVentralQ = interpTable(KNOTS, MASS_VENTRAL_Q, s);
  const rc = interpTable(KNOTS, CANAL_RADIUS, s);
  sec.canalRadius = rc;
  sec.canalQ = interpTable(KNOTS, BODY_HALF_DEPTH, s) + CANAL_FLOOR_MM + rc;
  // Dorsal surface over the canal; after the tip knot it closes to a thin edge.
  sec.massDorsalQ0 = s <= 86 ? sec.canalQ + rc + CANAL_ROOF_MM : interpTable([86, 102], [sec.canalQ + rc + CANAL_ROOF_MM, 8], s);
  sec.tipPhi = (s - FRAME.lengthMm) * sec.kappa;
  sec.capPhi = Math.max(-s * sec.kappa, sec.tipPhi);
  const th = TH0 - s / R;
  for (let f = 0; f < FORAMEN_DEFS.length; f++) {
    const thf = TH0 - FORAMEN_DEFS[f]!.sMm / R;
    // Distance from the point at radius R+q, angle θ, to the line through O at angle θf.
    sec.foramenPerp[f] = (R + q) * Math.abs(Math.sin(th - thf));
  }
  return sec;
}

/** Signed distances at lateral offset x of a row. Reused output object. */
export interface SacrumPhi {
  /** Outer envelope of the sacrum (canal and foramina filled). */
  env: number;
  /** Body ∪ lateral masses without the superior cap (for the SI-joint cut). */
  massNoTop: number;
  canal: number;
  /** Nearest foramen (signed distance) and its index in FORAMEN_DEFS (side from the sign of x). */
  foramen: number;
  foramenIndex: number;
  /** Bone = envelope minus canal minus foramina. */
  bone: number;
}

export function newSacrumPhi(): SacrumPhi {
  return { env: 1e9, massNoTop: 1e9, canal: 1e9, foramen: 1e9, foramenIndex: -1, bone: 1e9 };
}

/** Vertebral bodies ∪ lateral masses (smooth union), no caps: the signed distance at |x| = ax in row `sec`. */
function bodyAndMassPhi(sec: Section, ax: number): number {
  const q = sec.q;
  // Vertebral bodies: ellipses centred on the arc.
  const body = ellipseSdf(ax, q, sec.bodyHalfWidth, sec.bodyHalfDepth);
  // Lateral masses / alae: a rounded rectangle, dorsal surface sloping down laterally, wider ventrally
  // (so that the SI joints converge dorsally).
  const W = sec.massHalfWidth;
  const rel = Math.min(ax / W, 1.2);
  const dorsal = sec.massDorsalQ0 - DORSAL_SLOPE_MM * rel * rel;
  const qc = 0.5 * (dorsal + sec.massVentralQ), D = Math.max(0.5 * (dorsal - sec.massVentralQ), 1);
  const tq = Math.max(-1, Math.min(1, (q - qc) / D));
  const Wq = W * (1 - 0.06 * tq);
  const mass = superellipse4Sdf(ax, q - qc, Wq, D);
  return smin(body, mass, 3);
}

/** Bodies ∪ lateral masses with the caudal cap only (continued above S1): what the ilia are cut against. */
export function sacralMassNoTopPhi(sec: Section, x: number): number {
  return Math.max(bodyAndMassPhi(sec, Math.abs(x)), sec.tipPhi);
}

/** Evaluate the sacral signed distances at lateral offset x in row `sec`. */
export function sacrumPhiAt(out: SacrumPhi, sec: Section, x: number): SacrumPhi {
  const ax = Math.abs(x);
  const q = sec.q;
  let u = bodyAndMassPhi(sec, ax);
  out.massNoTop = Math.max(u, sec.tipPhi);
  // Median crest over the posterior arch, down to the hiatus.
  const crest = Math.max(ax - CREST_HALF_WIDTH, q - (sec.massDorsalQ0 + CREST_HEIGHT), sec.canalQ - q, (sec.s - HIATUS_S) * sec.kappa);
  u = Math.min(u, crest);
  let env = Math.max(u, sec.capPhi);
  // Sacral hiatus: no posterior arch below HIATUS_S, the canal opens dorsally.
  if (sec.s > HIATUS_S - 4) {
    const notch = Math.max(ax - (sec.canalRadius + 1), sec.canalQ - q, (HIATUS_S - sec.s) * sec.kappa);
    env = Math.max(env, -notch);
  }
  out.env = env;
  const dq = q - sec.canalQ;
  const canal = Math.max(Math.sqrt(x * x + dq * dq) - sec.canalRadius, (sec.s - CANAL_END_S) * sec.kappa);
  out.canal = canal;
  let fBest = 1e9, fIdx = -1;
  const perp = sec.foramenPerp;
  for (let f = 0; f < FORAMEN_DEFS.length; f++) {
    const p = perp[f]!;
    const def = FORAMEN_DEFS[f]!;
    if (p > def.radiusMm + 6) continue;
    const dx = ax - def.xMm;
    const d = Math.sqrt(dx * dx + p * p) - def.radiusMm;
    if (d < fBest) { fBest = d; fIdx = f; }
  }
  out.foramen = fBest;
  out.foramenIndex = fIdx;
  out.bone = Math.max(env, -canal, -fBest);
  return out;
}

// ---------------------------------------------------------------------------------------------
// L5, the L5/S1 disc and the ilia (Cartesian LPS frames)
// ---------------------------------------------------------------------------------------------

/** S1 cranial endplate normal (= −e_s at s = 0). */
const N1: Vec3 = [0, -Math.sin(TH0), Math.cos(TH0)];
/** S1 dorsal axis in the endplate plane (= e_q at s = 0). */
const Q1: Vec3 = [0, Math.cos(TH0), Math.sin(TH0)];
const L5_TILT = 20 * DEG;
/** L5 axis (cranial), tilted 20° anteriorly from the vertical: a 15° lumbosacral disc angle. */
export const L5_AXIS: Vec3 = [0, -Math.sin(L5_TILT), Math.cos(L5_TILT)];
const L5_DORSAL: Vec3 = [0, Math.cos(L5_TILT), Math.sin(L5_TILT)];
/** Centre of the L5 inferior endplate: 10 mm above the S1 endplate centre along its normal, 3 mm dorsal. */
export const L5_BASE_LPS: Vec3 = [10 * N1[0] + 3 * Q1[0], 10 * N1[1] + 3 * Q1[1], 10 * N1[2] + 3 * Q1[2]];
export const L5_HEIGHT_MM = 27;
const L5_HALF_WIDTH = 25, L5_HALF_DEPTH = 17;
const DISC_HALF_WIDTH = 24, DISC_HALF_DEPTH = 16;

/** Signed distances of the disc and the L5 body at an LPS point. */
export function l5PhiAt(out: { disc: number; body: number }, x: number, y: number, z: number): { disc: number; body: number } {
  // Disc: between the S1 endplate plane and the L5 inferior endplate plane (a wedge, thicker anteriorly).
  const h1 = y * N1[1] + z * N1[2];
  const w1 = y * Q1[1] + z * Q1[2];
  const dy = y - L5_BASE_LPS[1], dz = z - L5_BASE_LPS[2];
  const h5 = dy * L5_AXIS[1] + dz * L5_AXIS[2];
  const w5 = dy * L5_DORSAL[1] + dz * L5_DORSAL[2];
  out.disc = Math.max(-h1, h5, ellipseSdf(x, w1, DISC_HALF_WIDTH, DISC_HALF_DEPTH));
  out.body = Math.max(-h5, h5 - L5_HEIGHT_MM, ellipseSdf(x, w5 - 1, L5_HALF_WIDTH, L5_HALF_DEPTH));
  return out;
}

/** L5 bounding box (LPS) with a margin. */
export function l5BoundsLps(margin: number): { min: Vec3; max: Vec3 } {
  const pts: Vec3[] = [];
  for (const h of [0, L5_HEIGHT_MM]) for (const w of [-L5_HALF_DEPTH, L5_HALF_DEPTH]) {
    pts.push([0, L5_BASE_LPS[1] + h * L5_AXIS[1] + (w + 1) * L5_DORSAL[1], L5_BASE_LPS[2] + h * L5_AXIS[2] + (w + 1) * L5_DORSAL[2]]);
  }
  for (const w of [-DISC_HALF_DEPTH, DISC_HALF_DEPTH]) pts.push([0, w * Q1[1], w * Q1[2]]);
  const min: Vec3 = [-L5_HALF_WIDTH - margin, Infinity, Infinity], max: Vec3 = [L5_HALF_WIDTH + margin, -Infinity, -Infinity];
  for (const p of pts) for (const a of [1, 2] as const) { min[a] = Math.min(min[a], p[a] - margin); max[a] = Math.max(max[a], p[a] + margin); }
  return { min, max };
}

/** Ilium (one side, sign = +1 left, −1 right): posterior block ∪ iliac wing, before the SI-joint cut. */
const ILIUM_BLOCK_CENTRE: Vec3 = [62, 10, -12];
const ILIUM_BLOCK_SEMI: Vec3 = [24, 28, 45];

/**
 * The posterior iliac block (posterior superior iliac spine and the iliac tuberosity), left side;
 * the right is its mirror. A variant (teaching cases) may raise it, push it medially over the ala or
 * dorsally: a high, prominent posterior ilium is what closes oblique and posterior paths to the
 * lateral S1 ala and leaves the transiliac route.
 */
export interface IliumShape {
  blockCentreLps: Vec3;
  blockSemiMm: Vec3;
}

export const DEFAULT_ILIUM: Readonly<IliumShape> = { blockCentreLps: ILIUM_BLOCK_CENTRE, blockSemiMm: ILIUM_BLOCK_SEMI };
const WING_CENTRE: Vec3 = [88, -22, 6];
const WING_SEMI: Vec3 = [46, 42, 5];
const WING_U: Vec3 = normalize3([0.55, -0.83, 0.08]);
const WING_V: Vec3 = [0, 0, 1];
const WING_N: Vec3 = normalize3(cross3(WING_U, WING_V));

export function iliumRawPhiAt(sign: number, x: number, y: number, z: number, shape: Readonly<IliumShape> = DEFAULT_ILIUM): number {
  const lx = sign * x;
  const C = shape.blockCentreLps, S = shape.blockSemiMm;
  const block = superellipsoid4Sdf(lx - C[0], y - C[1], z - C[2], S[0], S[1], S[2]);
  const px = lx - WING_CENTRE[0], py = y - WING_CENTRE[1], pz = z - WING_CENTRE[2];
  const wing = ellipsoidSdf(px * WING_U[0] + py * WING_U[1] + pz * WING_U[2], px * WING_V[0] + py * WING_V[1] + pz * WING_V[2], px * WING_N[0] + py * WING_N[1] + pz * WING_N[2], WING_SEMI[0], WING_SEMI[1], WING_SEMI[2]);
  return smin(block, wing, 8);
}

/**
 * The same ilium distance, split into per-row constants (fixed y, z) and a cheap per-voxel part in x:
 * the painter's hot loop. `iliumRowPhi(row, x)` equals `iliumRawPhiAt(row.sign, x, y, z)`.
 */
export interface IliumRow {
  sign: number;
  shape: Readonly<IliumShape>;
  blockMinSemi: number;
  /** Block: v⁴ + w⁴ and (v³/b)² + (w³/c)². */
  blockVW4: number;
  blockGrad2: number;
  /** Wing: the y, z part of the three local coordinates. */
  wingU: number;
  wingV: number;
  wingN: number;
}

export function newIliumRow(): IliumRow {
  return { sign: 1, shape: DEFAULT_ILIUM, blockMinSemi: Math.min(...ILIUM_BLOCK_SEMI), blockVW4: 0, blockGrad2: 0, wingU: 0, wingV: 0, wingN: 0 };
}

export function iliumRowAt(row: IliumRow, sign: number, y: number, z: number, shape: Readonly<IliumShape> = DEFAULT_ILIUM): IliumRow {
  row.sign = sign;
  const C = shape.blockCentreLps, S = shape.blockSemiMm;
  if (row.shape !== shape) { row.shape = shape; row.blockMinSemi = Math.min(S[0], S[1], S[2]); }
  const v = Math.abs(y - C[1]) / S[1], w = Math.abs(z - C[2]) / S[2];
  const v2 = v * v, w2 = w * w;
  row.blockVW4 = v2 * v2 + w2 * w2;
  const gy = (v2 * v) / S[1], gz = (w2 * w) / S[2];
  row.blockGrad2 = gy * gy + gz * gz;
  const py = y - WING_CENTRE[1], pz = z - WING_CENTRE[2];
  row.wingU = py * WING_U[1] + pz * WING_U[2];
  row.wingV = py * WING_V[1] + pz * WING_V[2];
  row.wingN = py * WING_N[1] + pz * WING_N[2];
  return row;
}

export function iliumRowPhi(row: IliumRow, x: number): number {
  const lx = row.sign * x;
  // Block (superellipsoid, as superellipsoid4Sdf).
  const a = row.shape.blockSemiMm[0];
  const u = Math.abs(lx - row.shape.blockCentreLps[0]) / a;
  const u2 = u * u;
  const F = Math.sqrt(Math.sqrt(u2 * u2 + row.blockVW4));
  let block: number;
  if (F < 0.6) block = (F - 1) * row.blockMinSemi;
  else {
    const gx = (u2 * u) / a;
    block = ((F - 1) * F * F * F) / Math.sqrt(gx * gx + row.blockGrad2);
  }
  // Wing (ellipsoid, as ellipsoidSdf).
  const px = lx - WING_CENTRE[0];
  const wu = (px * WING_U[0] + row.wingU) / WING_SEMI[0];
  const wv = (px * WING_V[0] + row.wingV) / WING_SEMI[1];
  const wn = (px * WING_N[0] + row.wingN) / WING_SEMI[2];
  const k0 = Math.sqrt(wu * wu + wv * wv + wn * wn);
  const k1 = Math.sqrt((wu / WING_SEMI[0]) ** 2 + (wv / WING_SEMI[1]) ** 2 + (wn / WING_SEMI[2]) ** 2);
  const wing = k1 === 0 ? -WING_MIN_SEMI : (k0 * (k0 - 1)) / k1;
  return smin(block, wing, 8);
}

const WING_MIN_SEMI = Math.min(WING_SEMI[0], WING_SEMI[1], WING_SEMI[2]);

/** Ilium bounding box for the left side (mirror x for the right), LPS, with margin. */
export function iliumBoundsLeft(margin: number, shape: Readonly<IliumShape> = DEFAULT_ILIUM): { min: Vec3; max: Vec3 } {
  const C = shape.blockCentreLps, S = shape.blockSemiMm;
  const min: Vec3 = [C[0] - S[0], C[1] - S[1], C[2] - S[2]];
  const max: Vec3 = [C[0] + S[0], C[1] + S[1], C[2] + S[2]];
  for (let a = 0; a < 3; a++) {
    const ext = Math.hypot(WING_SEMI[0] * WING_U[a]!, WING_SEMI[1] * WING_V[a]!, WING_SEMI[2] * WING_N[a]!);
    min[a] = Math.min(min[a]!, WING_CENTRE[a]! - ext) - margin;
    max[a] = Math.max(max[a]!, WING_CENTRE[a]! + ext) + margin;
  }
  return { min, max };
}

function normalize3(v: Vec3): Vec3 {
  const l = Math.hypot(v[0], v[1], v[2]);
  return [v[0] / l, v[1] / l, v[2] / l];
}
function cross3(a: Vec3, b: Vec3): Vec3 {
  return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
}

// ---------------------------------------------------------------------------------------------
// Soft tissue (axial, z-invariant except the psoas)
// ---------------------------------------------------------------------------------------------

export const SKIN = { centre: [0, -25] as [number, number], semi: [175, 108] as [number, number] };
export const SUBCUT_FAT_MM = 15;
export const PELVIC_FAT = { centre: [0, -72] as [number, number], semi: [72, 48] as [number, number] };
export const PSOAS = { centreX: 42, centreY: -30, semi: [14, 12] as [number, number], fullAboveZ: -15, goneBelowZ: -50 };

/** Sacral sampling helper: is the LPS point inside the sacral envelope (canal and foramina filled)? */
export function sacralEnvelopePhiLps(p: Readonly<Vec3>): number {
  const xsq = lpsToSacral([0, 0, 0], p);
  const sec = sectionAt(newSection(), xsq[1], xsq[2]);
  return sacrumPhiAt(newSacrumPhi(), sec, xsq[0]).env;
}
