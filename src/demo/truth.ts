/**
 * Ground truth of the demo case, built only from the analytic definitions in ./anatomy.ts
 * (no image needed): lesions with exact volumes and Denis zones, foramina, canal, levels, long axis.
 */
import type { Vec3 } from '../core/vec3';
import {
  FRAME, ORIGIN_OF_CURVATURE, type IliumShape, FORAMEN_DEFS, LEVEL_BOUNDS_S, LEVEL_NAMES, HIATUS_S, CANAL_END_S, CORTEX_MM, SI_GAP_MM, HU,
  L5_AXIS, L5_BASE_LPS, L5_HEIGHT_MM,
  sacralToLps, lpsToSacral, sacralAxes, sectionAt, newSection, sacrumPhiAt, newSacrumPhi, type LevelName,
} from './anatomy';

export type DenisZone = 1 | 2 | 3;
export type Side = 'L' | 'R';

export interface DemoLesionTruth {
  id: string;
  name: string;
  /** Denis zone by the rule "most medial zone involved" (canal/body → 3, else foramen → 2, else 1). */
  zone: DenisZone;
  /** Zones touched, and the volume fraction in each (0.4 mm sampling of the ellipsoid, ~1 % accurate). */
  zonesInvolved: DenisZone[];
  zoneVolumeFraction: Record<'1' | '2' | '3', number>;
  /** Foramina whose lumen the lesion overlaps. */
  foraminaInvolved: string[];
  level: LevelName;
  side: Side | 'midline';
  centerLps: Vec3;
  /** Centre in the sacral frame (x, s, q) mm. */
  centerSacralXsq: Vec3;
  /** Semi-axes (mm) along `axesLps[0..2]`. */
  semiAxesMm: Vec3;
  /** Unit axes of the ellipsoid in LPS (e_x, e_s, e_q at the centre, rotated by rotationDeg about e_q). */
  axesLps: [Vec3, Vec3, Vec3];
  /** Rotation about the local dorsal axis e_q, degrees (0 = axes along e_x, e_s, e_q). */
  rotationDeg: number;
  /** Exact: 4/3·π·a·b·c / 1000. */
  volumeMl: number;
  maxDiameterMm: number;
  hu: number;
  /** Fraction of the ellipsoid inside the sacral envelope (canal and foramina filled): 1 = fully in the sacrum. */
  fractionInsideSacrum: number;
  /** Smallest depth of a lesion point below the outer sacral surface (first-order distance), mm. */
  minDepthInSacrumMm: number;
  description: string;
}

export interface DemoForamenTruth {
  id: string;
  level: 'S1' | 'S2' | 'S3' | 'S4';
  side: Side;
  /** Where the axis leaves the sacral envelope ventrally and dorsally (LPS). */
  anteriorLps: Vec3;
  posteriorLps: Vec3;
  radiusMm: number;
  /** Unit axis, ventral → dorsal. */
  axisLps: Vec3;
  /** Sacral-frame position of the axis (x signed, + left). */
  xMm: number;
  sMm: number;
  /** Denis borders at this level: |x| of the medial and lateral edges. */
  medialBorderMm: number;
  lateralBorderMm: number;
}

export interface DemoTruth {
  conventions: string;
  sacralFrame: {
    description: string;
    centreOfCurvatureLps: Vec3;
    radiusMm: number;
    theta0Deg: number;
    s1EndplateCentreLps: Vec3;
  };
  longAxis: {
    description: string;
    topLps: Vec3;
    tipLps: Vec3;
    arcLengthMm: number;
    chordLengthMm: number;
    totalCurvatureDeg: number;
    /** Angle of the caudal tangent from the vertical (+ = pointing dorsally) at S1 and at the tip. */
    tiltAtS1Deg: number;
    tiltAtTipDeg: number;
  };
  /** Maximum lateral width of the sacrum (alae), mm. */
  widthMm: number;
  levels: Array<{ level: LevelName; sRangeMm: [number, number]; bodyCentreLps: Vec3; bodyHalfWidthMm: number; bodyHalfDepthMm: number }>;
  foramina: DemoForamenTruth[];
  canal: { centrelineLps: Vec3[]; radiiMm: number[]; sMm: number[]; hiatusLps: Vec3; hiatusSMm: number; endSMm: number };
  zoneBorders: Array<{ level: 'S1' | 'S2' | 'S3' | 'S4'; sMm: number; medialMm: number; lateralMm: number; rule: string }>;
  l5: { inferiorEndplateCentreLps: Vec3; axisLps: Vec3; heightMm: number; discDescription: string };
  siJointGapMm: number;
  cortexMm: number;
  hu: typeof HU;
  lesions: DemoLesionTruth[];
}

/** A lesion of the phantom: an ellipsoid placed in the sacral frame. */
export interface LesionDef {
  id: string;
  name: string;
  /** Centre (x, s, q) in the sacral frame, mm. */
  centerSacral: Vec3;
  /** Semi-axes (mm) along e_x, e_s, e_q at the centre (before the rotation). */
  semi: Vec3;
  rotationDeg: number;
  description: string;
  /** Mean HU (default HU.lesion, lytic); a sclerotic metastasis is ~650 HU (DOMAIN.md §6). */
  hu?: number;
}

/**
 * A variant of the demo anatomy (teaching cases): its lesions, the marrow density and the shape
 * of the posterior ilium. Everything else (the sacrum, foramina, canal) is the demo's.
 */
export interface DemoVariant {
  /** Short id used in the volume id (default 'demo'). */
  id?: string;
  lesions?: readonly LesionDef[];
  /** Added to the sacral cancellous HU (DOMAIN.md §8: fatty marrow reads ~0-150 HU). */
  marrowHuOffset?: number;
  ilium?: IliumShape;
}

/** The three lytic lesions (sacral-frame centres; axes along e_x, e_s, e_q at the centre). */
export const LESION_DEFS: readonly LesionDef[] = [
  {
    id: 'L1', name: 'left ala (zone 1)', centerSacral: [40, 11, 9], semi: [4.5, 8.5, 7], rotationDeg: 0,
    description: 'Lytic lesion in the left ala at S1, lateral to the S1 foramen: Denis zone 1.',
  },
  {
    id: 'L2', name: 'right S1 foramen (zone 2)', centerSacral: [-31, 19, 8], semi: [6, 5.5, 7], rotationDeg: 0,
    description: 'Lytic lesion around the lateral half of the right S1 foramen: Denis zone 2 (zones 1 and 2 involved).',
  },
  {
    id: 'L3', name: 'S1 body (zone 3)', centerSacral: [3, 14, -1], semi: [9, 6.5, 7], rotationDeg: 20,
    description: 'Lytic lesion in the S1 vertebral body, rotated 20° in the coronal plane of the sacrum: Denis zone 3.',
  },
];

/** Denis borders (|x| of the foramen medial and lateral edges) at arc length s, interpolated between levels. */
export function zoneBordersAt(s: number): { medial: number; lateral: number } {
  const f = FORAMEN_DEFS;
  const first = f[0]!, last = f[f.length - 1]!;
  if (s <= first.sMm) return { medial: first.xMm - first.radiusMm, lateral: first.xMm + first.radiusMm };
  if (s >= last.sMm) return { medial: last.xMm - last.radiusMm, lateral: last.xMm + last.radiusMm };
  let i = 1;
  while (f[i]!.sMm < s) i++;
  const a = f[i - 1]!, b = f[i]!;
  const t = (s - a.sMm) / (b.sMm - a.sMm);
  const lerp = (u: number, v: number): number => u + t * (v - u);
  return { medial: lerp(a.xMm - a.radiusMm, b.xMm - b.radiusMm), lateral: lerp(a.xMm + a.radiusMm, b.xMm + b.radiusMm) };
}

export function levelAt(s: number): LevelName {
  for (let i = 0; i < LEVEL_NAMES.length; i++) if (s < LEVEL_BOUNDS_S[i + 1]!) return LEVEL_NAMES[i]!;
  return 'S5';
}

export function lesionAxes(def: Pick<LesionDef, 'centerSacral' | 'rotationDeg'>): [Vec3, Vec3, Vec3] {
  const { ex, es, eq } = sacralAxes(def.centerSacral[1]);
  const a = (def.rotationDeg * Math.PI) / 180, c = Math.cos(a), s = Math.sin(a);
  const e1: Vec3 = [c * ex[0] + s * es[0], c * ex[1] + s * es[1], c * ex[2] + s * es[2]];
  const e2: Vec3 = [-s * ex[0] + c * es[0], -s * ex[1] + c * es[1], -s * ex[2] + c * es[2]];
  return [e1, e2, eq];
}

function analyseLesion(def: LesionDef): DemoLesionTruth {
  const centerLps = sacralToLps([0, 0, 0], def.centerSacral[0], def.centerSacral[1], def.centerSacral[2]);
  const axes = lesionAxes(def);
  const [a, b, c] = def.semi;
  const sec = newSection(), phi = newSacrumPhi();
  const p: Vec3 = [0, 0, 0], xsq: Vec3 = [0, 0, 0];
  const counts = { 1: 0, 2: 0, 3: 0 };
  const foramina = new Set<string>();
  let n = 0, inside = 0, maxEnv = -Infinity;
  const step = 0.4;
  for (let w = -c + step / 2; w < c; w += step) {
    for (let v = -b + step / 2; v < b; v += step) {
      for (let u = -a + step / 2; u < a; u += step) {
        if ((u / a) ** 2 + (v / b) ** 2 + (w / c) ** 2 > 1) continue;
        for (let d = 0; d < 3; d++) p[d] = centerLps[d]! + u * axes[0][d]! + v * axes[1][d]! + w * axes[2][d]!;
        lpsToSacral(xsq, p);
        sectionAt(sec, xsq[1], xsq[2]);
        sacrumPhiAt(phi, sec, xsq[0]);
        n++;
        if (phi.env < 0) inside++;
        if (phi.env > maxEnv) maxEnv = phi.env;
        const ax = Math.abs(xsq[0]);
        const bord = zoneBordersAt(xsq[1]);
        let zone: DenisZone = ax < bord.medial ? 3 : ax <= bord.lateral ? 2 : 1;
        if (phi.canal < 0) zone = 3;
        counts[zone]++;
        if (phi.foramen < 0 && phi.foramenIndex >= 0) {
          const f = FORAMEN_DEFS[phi.foramenIndex]!;
          foramina.add(`${f.level}_${xsq[0] >= 0 ? 'L' : 'R'}`);
        }
      }
    }
  }
  const zonesInvolved = ([1, 2, 3] as const).filter((z) => counts[z] > 0);
  const zone = (zonesInvolved.length ? Math.max(...zonesInvolved) : 1) as DenisZone;
  const round4 = (x: number): number => Math.round(x * 1e4) / 1e4;
  return {
    id: def.id,
    name: def.name,
    zone,
    zonesInvolved: [...zonesInvolved],
    zoneVolumeFraction: { '1': round4(counts[1] / n), '2': round4(counts[2] / n), '3': round4(counts[3] / n) },
    foraminaInvolved: [...foramina].sort(),
    level: levelAt(def.centerSacral[1]),
    side: Math.abs(def.centerSacral[0]) < 5 ? 'midline' : def.centerSacral[0] > 0 ? 'L' : 'R',
    centerLps,
    centerSacralXsq: [...def.centerSacral],
    semiAxesMm: [...def.semi],
    axesLps: axes,
    rotationDeg: def.rotationDeg,
    volumeMl: ((4 / 3) * Math.PI * a * b * c) / 1000,
    maxDiameterMm: 2 * Math.max(a, b, c),
    hu: def.hu ?? HU.lesion,
    fractionInsideSacrum: inside / n,
    minDepthInSacrumMm: -maxEnv,
    description: def.description,
  };
}

function foramenTruth(def: (typeof FORAMEN_DEFS)[number], side: Side): DemoForamenTruth {
  const x = side === 'L' ? def.xMm : -def.xMm;
  const sec = newSection(), phi = newSacrumPhi();
  const env = (q: number): number => sacrumPhiAt(phi, sectionAt(sec, def.sMm, q), x).env;
  const exit = (dir: 1 | -1): number => {
    let inner = 0, outer = 0;
    for (let q = 0; Math.abs(q) < 80; q += dir * 0.5) {
      if (env(q) > 0) { outer = q; break; }
      inner = q;
    }
    for (let it = 0; it < 50; it++) {
      const mid = 0.5 * (inner + outer);
      if (env(mid) > 0) outer = mid; else inner = mid;
    }
    return 0.5 * (inner + outer);
  };
  const qa = exit(-1), qp = exit(1);
  const { eq } = sacralAxes(def.sMm);
  return {
    id: `${def.level}_${side}`,
    level: def.level,
    side,
    anteriorLps: sacralToLps([0, 0, 0], x, def.sMm, qa),
    posteriorLps: sacralToLps([0, 0, 0], x, def.sMm, qp),
    radiusMm: def.radiusMm,
    axisLps: eq,
    xMm: x,
    sMm: def.sMm,
    medialBorderMm: def.xMm - def.radiusMm,
    lateralBorderMm: def.xMm + def.radiusMm,
  };
}

function measureWidth(): number {
  const sec = newSection(), phi = newSacrumPhi();
  let maxX = 0;
  for (let s = 0; s <= 30; s += 1) {
    for (let q = -20; q <= 45; q += 1) {
      sectionAt(sec, s, q);
      // From outside inwards to the first point inside, then bisect the surface crossing.
      let out = 70, x = 70;
      while (x > maxX && sacrumPhiAt(phi, sec, x).env >= 0) { out = x; x -= 0.5; }
      if (x <= maxX) continue;
      let inn = x;
      for (let it = 0; it < 30; it++) {
        const mid = 0.5 * (inn + out);
        if (sacrumPhiAt(phi, sec, mid).env < 0) inn = mid; else out = mid;
      }
      maxX = Math.max(maxX, inn);
    }
  }
  return 2 * maxX;
}

let cached: DemoTruth | null = null;

/**
 * The analytic truth of the demo case (computed once, then cached; treat as read-only). With a
 * variant's lesions, the truth of that variant (the sacrum, foramina and canal are shared).
 */
export function makeDemoTruth(variant: DemoVariant = {}): DemoTruth {
  if (variant.lesions) {
    const base = makeDemoTruth();
    return { ...base, lesions: variant.lesions.map(analyseLesion) };
  }
  if (cached) return cached;
  const top = sacralToLps([0, 0, 0], 0, 0, 0);
  const tip = sacralToLps([0, 0, 0], 0, FRAME.lengthMm, 0);
  const curvatureDeg = (FRAME.lengthMm / FRAME.radiusMm) * (180 / Math.PI);
  const theta0Deg = (FRAME.theta0Rad * 180) / Math.PI;
  const sec = newSection();
  const levels = LEVEL_NAMES.map((level, i) => {
    const s0 = LEVEL_BOUNDS_S[i]!, s1 = LEVEL_BOUNDS_S[i + 1]!;
    const sm = 0.5 * (s0 + s1);
    sectionAt(sec, sm, 0);
    return { level, sRangeMm: [s0, s1] as [number, number], bodyCentreLps: sacralToLps([0, 0, 0], 0, sm, 0), bodyHalfWidthMm: sec.bodyHalfWidth, bodyHalfDepthMm: sec.bodyHalfDepth };
  });
  const foramina: DemoForamenTruth[] = [];
  for (const def of FORAMEN_DEFS) for (const side of ['L', 'R'] as const) foramina.push(foramenTruth(def, side));
  const canalS: number[] = [];
  for (let s = 0; s <= CANAL_END_S + 1e-9; s += CANAL_END_S / 12) canalS.push(Math.round(s * 1000) / 1000);
  const canal = {
    sMm: canalS,
    centrelineLps: canalS.map((s) => { sectionAt(sec, s, 0); return sacralToLps([0, 0, 0], 0, s, sec.canalQ); }),
    radiiMm: canalS.map((s) => sectionAt(sec, s, 0).canalRadius),
    hiatusLps: (() => { sectionAt(sec, HIATUS_S, 0); return sacralToLps([0, 0, 0], 0, HIATUS_S, sec.canalQ + sec.canalRadius); })(),
    hiatusSMm: HIATUS_S,
    endSMm: CANAL_END_S,
  };
  cached = {
    conventions: 'LPS millimetres (+x patient left, +y posterior, +z superior); volumes in mL; integer voxel index = voxel centre.',
    sacralFrame: {
      description: 'P(x,s,q) = O + (x,0,0) + (R+q)·(0,cos θ,sin θ), θ = θ0 − s/R; x + left, s arc length from the S1 endplate centre (+ caudal), q + dorsal.',
      centreOfCurvatureLps: [...ORIGIN_OF_CURVATURE],
      radiusMm: FRAME.radiusMm,
      theta0Deg,
      s1EndplateCentreLps: [...FRAME.s1EndplateCentreLps],
    },
    longAxis: {
      description: `Kyphotic arc of radius ${FRAME.radiusMm} mm in the mid-sagittal plane from the S1 endplate centre to the S5 tip; total curvature ${curvatureDeg.toFixed(1)}°.`,
      topLps: top,
      tipLps: tip,
      arcLengthMm: FRAME.lengthMm,
      chordLengthMm: Math.hypot(tip[0] - top[0], tip[1] - top[1], tip[2] - top[2]),
      totalCurvatureDeg: curvatureDeg,
      tiltAtS1Deg: theta0Deg,
      tiltAtTipDeg: theta0Deg - curvatureDeg,
    },
    widthMm: measureWidth(),
    levels,
    foramina,
    canal,
    zoneBorders: FORAMEN_DEFS.map((f) => ({
      level: f.level, sMm: f.sMm, medialMm: f.xMm - f.radiusMm, lateralMm: f.xMm + f.radiusMm,
      rule: '|x| < medial → 3, medial ≤ |x| ≤ lateral → 2, |x| > lateral → 1; borders interpolated linearly in s between levels; canal → 3',
    })),
    l5: {
      inferiorEndplateCentreLps: [...L5_BASE_LPS],
      axisLps: [...L5_AXIS],
      heightMm: L5_HEIGHT_MM,
      discDescription: 'Wedge-shaped L5/S1 disc (85 HU) between the S1 endplate and the L5 inferior endplate, 15° lordotic.',
    },
    siJointGapMm: SI_GAP_MM,
    cortexMm: CORTEX_MM,
    hu: HU,
    lesions: LESION_DEFS.map(analyseLesion),
  };
  return cached;
}
