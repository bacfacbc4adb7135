/**
 * RF ablation planning (pure). One non-cooled RF burn ≈ a prolate ellipsoid centred on the
 * active tip (DOMAIN.md §4 [design model]): length = active tip + extraLengthMm (2–10 mm),
 * diameter ≤ ~16 mm. Overlapping pull-backs move the electrode back along the needle by
 * stepMm ≤ the active tip. Coverage = lesion ∩ union(zones) / lesion (voxel centres); the neural
 * margin is the smallest distance from a zone's surface to a foramen or the canal surface
 * (negative = overlap); tissue ≥ 45 °C harms nerves, so an edge within 10 mm warns and a zone that
 * reaches a foramen or the canal fails [design]. Coverage below ablationCoverageWarnPct (90 %) warns:
 * the untreated rest of the lesion is what the burns were for.
 */
import type { Vec3 } from '../core/vec3';
import type { SacralAnatomy } from '../anatomy/types';
import { pointSegmentDistance } from '../anatomy/zones';
import { canalSdfMm } from './targets';
import type { AblationPlan, AblationZone, CheckStatus, PlanCheck, SafetyThresholds } from './types';
import { foramenName } from './trajectory';

export interface AblationParams {
  /** Zone length beyond the active tip, mm (2–10). Default 6. */
  extraLengthMm: number;
  /** Zone diameter, mm; default from the tip length (10 mm tip → 10.7, 20 → 13.4, 30 → 16). */
  diameterMm: number | null;
  /** Number of burns (1–4). */
  burns: number;
  /** Pull-back between burns, mm (≤ active tip); default = active tip. */
  stepMm: number | null;
}

export const DEFAULT_ABLATION: Readonly<AblationParams> = { extraLengthMm: 6, diameterMm: null, burns: 1, stepMm: null };

export function defaultAblationDiameterMm(activeTipMm: number): number {
  return Math.min(16, 8 + 0.27 * activeTipMm);
}

/** The burns along a needle from entry to target: the first with the tip at the target, then pulled back. */
export function ablationZones(entryLps: Readonly<Vec3>, targetLps: Readonly<Vec3>, activeTipMm: number, p: AblationParams): AblationZone[] {
  const d: Vec3 = [targetLps[0] - entryLps[0], targetLps[1] - entryLps[1], targetLps[2] - entryLps[2]];
  const L = Math.hypot(d[0], d[1], d[2]) || 1;
  const u: Vec3 = [d[0] / L, d[1] / L, d[2] / L];
  const step = Math.min(p.stepMm ?? activeTipMm, activeTipMm);
  const lengthMm = activeTipMm + Math.min(10, Math.max(2, p.extraLengthMm));
  const diameterMm = Math.min(16, p.diameterMm ?? defaultAblationDiameterMm(activeTipMm));
  const zones: AblationZone[] = [];
  const burns = Math.max(1, Math.min(4, Math.round(p.burns)));
  for (let i = 0; i < burns; i++) {
    const back = i * step + activeTipMm / 2;
    if (back > L) break;
    zones.push({ centerLps: [targetLps[0] - u[0] * back, targetLps[1] - u[1] * back, targetLps[2] - u[2] * back], axisLps: u, lengthMm, diameterMm });
  }
  return zones;
}

/** Implicit value of a point for a zone: < 1 inside. */
export function zoneImplicit(z: AblationZone, x: number, y: number, zz: number): number {
  const dx = x - z.centerLps[0], dy = y - z.centerLps[1], dz = zz - z.centerLps[2];
  const t = dx * z.axisLps[0] + dy * z.axisLps[1] + dz * z.axisLps[2];
  const r2 = dx * dx + dy * dy + dz * dz - t * t;
  const a = z.lengthMm / 2, b = z.diameterMm / 2;
  return (t * t) / (a * a) + r2 / (b * b);
}

/**
 * Coverage of the lesion (its voxel centres in LPS, xyz interleaved) and the neural margin.
 */
export function evaluateAblation(zones: AblationZone[], lesionPointsLps: Float64Array | null, anatomy: SacralAnatomy | null, th: SafetyThresholds): AblationPlan {
  let coverage: number | null = null;
  if (lesionPointsLps && lesionPointsLps.length) {
    let inside = 0;
    const n = lesionPointsLps.length / 3;
    for (let i = 0; i < n; i++) {
      const x = lesionPointsLps[3 * i]!, y = lesionPointsLps[3 * i + 1]!, z = lesionPointsLps[3 * i + 2]!;
      for (const zone of zones) if (zoneImplicit(zone, x, y, z) <= 1) { inside++; break; }
    }
    coverage = inside / n;
  }
  let margin: number | null = null, nearest: string | null = null;
  const structures = neuralStructures(anatomy);
  for (const zone of zones) {
    const m = zoneNeuralMargin(zone, structures);
    if (m && (margin === null || m.marginMm < margin)) { margin = m.marginMm; nearest = m.structure; }
  }
  const checks: PlanCheck[] = [];
  const add = (level: CheckStatus, text: string) => checks.push({ part: 'ablation', level, text });
  if (margin !== null && margin < 0) add('fail', `the ablation zone reaches the ${nearest} (nerve tissue inside the burn)`);
  else if (margin !== null && margin < th.ablationNeuralWarnMm) add('warn', `ablation edge ${margin.toFixed(1)} mm from the ${nearest}, warn < ${th.ablationNeuralWarnMm} mm (nerves harmed ≥ 45 °C)`);
  const burnsText = `${zones.length} burn${zones.length === 1 ? '' : 's'}`;
  if (coverage !== null) {
    const pct = coverage * 100;
    if (pct < th.ablationCoverageWarnPct) add('warn', `covers only ${pct.toFixed(0)} % of the lesion with ${burnsText}, warn < ${th.ablationCoverageWarnPct} %`);
    else add('pass', `covers ${pct.toFixed(0)} % of the lesion with ${burnsText}`);
  }
  if (!structures.length) add('warn', 'no foramina or canal placed: neural margin not checked');
  const order = { fail: 0, warn: 1, pass: 2 } as const;
  checks.sort((a, b) => order[a.level] - order[b.level]);
  const status: CheckStatus = checks[0]?.level === 'fail' ? 'fail' : checks[0]?.level === 'warn' ? 'warn' : 'pass';
  return { zones, coverage, neuralMarginMm: margin, nearestStructure: nearest, status, reasons: checks.map((c) => c.text), checks };
}

/** A foramen or the canal as a signed distance (mm, negative inside) plus points along its axis. */
export interface NeuralStructure {
  name: string;
  sdf: (x: number, y: number, z: number) => number;
  axis: Vec3[];
}

/** The foramina and the canal of the landmarks, ready for zone margins. */
export function neuralStructures(anatomy: SacralAnatomy | null): NeuralStructure[] {
  const structures: NeuralStructure[] = [];
  for (const f of anatomy?.foramina ?? []) {
    const axis: Vec3[] = [];
    const L = Math.hypot(f.posteriorLps[0] - f.anteriorLps[0], f.posteriorLps[1] - f.anteriorLps[1], f.posteriorLps[2] - f.anteriorLps[2]);
    const n = Math.max(2, Math.ceil(L));
    for (let i = 0; i <= n; i++) axis.push([0, 1, 2].map((a) => f.anteriorLps[a]! + ((f.posteriorLps[a]! - f.anteriorLps[a]!) * i) / n) as Vec3);
    structures.push({ name: foramenName(f.id), sdf: (x, y, z) => pointSegmentDistance(x, y, z, f.anteriorLps, f.posteriorLps) - f.radiusMm, axis });
  }
  const canal = anatomy?.canal;
  if (canal && canal.centerlineLps.length > 1) {
    const axis: Vec3[] = [];
    for (let i = 0; i + 1 < canal.centerlineLps.length; i++) {
      const a = canal.centerlineLps[i]!, b = canal.centerlineLps[i + 1]!;
      const n = Math.max(2, Math.ceil(Math.hypot(b[0] - a[0], b[1] - a[1], b[2] - a[2])));
      for (let k = 0; k < n; k++) axis.push([0, 1, 2].map((t) => a[t]! + ((b[t]! - a[t]!) * k) / n) as Vec3);
    }
    structures.push({ name: 'sacral canal', axis, sdf: (x, y, z) => canalSdfMm(canal, x, y, z) });
  }
  return structures;
}

/**
 * Smallest distance from a zone's surface to any structure (mm; negative = a structure inside
 * it, approximately the depth of its deepest axis point), sampled on a (2·rings) × rings grid of
 * the prolate spheroid (rings 12 for reported values; the RF aiming search uses fewer).
 */
export function zoneNeuralMargin(zone: AblationZone, structures: readonly NeuralStructure[], rings = 12): { marginMm: number; structure: string } | null {
  let margin: number | null = null, nearest = '';
  const u = zone.axisLps;
  const ref: Vec3 = Math.abs(u[0]) < 0.9 ? [1, 0, 0] : [0, 1, 0];
  const v1 = norm(cross(u, ref)), v2 = cross(u, v1);
  const a = zone.lengthMm / 2, b = zone.diameterMm / 2;
  for (let i = 0; i <= rings; i++) {
    const th = (Math.PI * i) / rings;
    for (let j = 0; j < 2 * rings; j++) {
      const ph = (Math.PI * j) / rings;
      const ca = a * Math.cos(th), rb = b * Math.sin(th);
      const x = zone.centerLps[0] + u[0] * ca + (v1[0] * Math.cos(ph) + v2[0] * Math.sin(ph)) * rb;
      const y = zone.centerLps[1] + u[1] * ca + (v1[1] * Math.cos(ph) + v2[1] * Math.sin(ph)) * rb;
      const z = zone.centerLps[2] + u[2] * ca + (v1[2] * Math.cos(ph) + v2[2] * Math.sin(ph)) * rb;
      for (const s of structures) {
        const d = s.sdf(x, y, z);
        if (margin === null || d < margin) { margin = d; nearest = s.name; }
      }
      if (i === 0 || i === rings) break; // the poles are one point
    }
  }
  for (const s of structures) for (const p of s.axis) {
    const f = zoneImplicit(zone, p[0], p[1], p[2]);
    if (f < 1) {
      const d = -(1 - Math.sqrt(f)) * b;
      if (margin === null || d < margin) { margin = d; nearest = s.name; }
    }
  }
  return margin === null ? null : { marginMm: margin, structure: nearest };
}

function cross(a: Readonly<Vec3>, b: Readonly<Vec3>): Vec3 {
  return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
}
function norm(v: Vec3): Vec3 {
  const l = Math.hypot(v[0], v[1], v[2]) || 1;
  return [v[0] / l, v[1] / l, v[2] / l];
}
