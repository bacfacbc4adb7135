/**
 * Safety metrics of one needle path (pure): the needle is a capsule from the skin entry to the
 * tip (target) with radius outerDiameterMm / 2. Clearances are needle surface to structure
 * surface (axis distance minus both radii, clipped at 0):
 * - foramina: capsules from anterior to posterior opening (exact, planning/distance.ts);
 * - canal: union of round cones along its centre line (exact golden-section minimisation);
 * - anterior cortex: the needle axis leaving the sacral envelope through its anterior surface
 *   before the tip = breach (fail), as in the phantom's definition (planning/envelope.ts);
 * - SI joint: the needle entering the sacrum through its lateral or its dorsal surface with bone
 *   (ilium) just before it (flagged; expected for the transiliac approach). The dorsal entry counts
 *   too: the posterior ilium (iliac tuberosity, PSIS) lies dorsal to the lateral sacral crest, so a
 *   "posterior" needle that first passes the ilium has crossed the posterior SI joint and its
 *   ligaments, as a transiliac one does.
 * Pass/warn/fail follow DOMAIN.md §3 defaults (SafetyThresholds, editable); on slices thicker than 2 mm the
 * neural ones are taken on the clearance less the landmark's half-slice uncertainty (slice-uncertainty.ts).
 */
import type { Vec3 } from '../core/vec3';
import type { ScalarVolume } from '../core/volume';
import type { SacralAnatomy, ForamenId } from '../anatomy/types';
import type { FittedSacralFrame } from '../anatomy/frame';
import type { ApproachName, CheckStatus, CortexCrossing, Needle, PlanCheck, SafetyThresholds, TrajectoryMetrics } from './types';
import { segmentSegmentDistance, segmentCanalDistance } from './distance';
import { distanceToSurfaceClass, envelopeCrossings, envelopeSdf, type SacralEnvelope } from './envelope';
import { bullsEyeAngles } from './carm';
import { clearanceUncertaintyMm, closestOnPolylineLps, thickSliceMm } from './slice-uncertainty';
import type { SkinEntry } from './body';

export interface PlanningContext {
  anatomy: SacralAnatomy | null;
  frame: FittedSacralFrame | null;
  envelope: SacralEnvelope | null;
  volume: ScalarVolume | null;
  thresholds: SafetyThresholds;
}

const SIDE_NAME = { L: 'left', R: 'right' } as const;
export function foramenName(id: ForamenId): string {
  const [level, side] = id.split('_') as [string, 'L' | 'R'];
  return `${SIDE_NAME[side]} ${level} foramen`;
}

const ILIUM_HU = 150;
/** [design] Needle length that must stay outside the skin to hold and steer it. */
export const HANDLING_MARGIN_MM = 10;
const RAD = 180 / Math.PI;

export interface EvaluateOptions {
  approach?: ApproachName | null;
  entryKind?: SkinEntry['kind'];
  /** Skip the slower checks not needed to rank candidates (never used for displayed results). */
  quick?: boolean;
}

/** All metrics and the pass/warn/fail verdict of a needle from entryLps to targetLps. */
export function evaluateTrajectory(ctx: PlanningContext, entryLps: Readonly<Vec3>, targetLps: Readonly<Vec3>, needle: Needle, opts: EvaluateOptions = {}): TrajectoryMetrics {
  const th = ctx.thresholds;
  const r = needle.outerDiameterMm / 2;
  const reasons: PlanCheck[] = [];
  const add = (level: CheckStatus, text: string, part: PlanCheck['part'] = 'path') => reasons.push({ part, level, text });
  const dx = targetLps[0] - entryLps[0], dy = targetLps[1] - entryLps[1], dz = targetLps[2] - entryLps[2];
  const depthMm = Math.hypot(dx, dy, dz);
  const u: Vec3 = depthMm > 0 ? [dx / depthMm, dy / depthMm, dz / depthMm] : [0, 0, -1];

  // Foramina. On thick slices a landmark is known to half a slice along the slice axis (slice-uncertainty.ts): the
  // verdict is taken on the clearance less that uncertainty, so that it errs on the safe side.
  const sliceMm = thickSliceMm(ctx.volume);
  const at = (p: Readonly<Vec3>, q: Readonly<Vec3>, s: number): Vec3 => [p[0] + (q[0] - p[0]) * s, p[1] + (q[1] - p[1]) * s, p[2] + (q[2] - p[2]) * s];
  /** The clearance the verdict uses and the words that say how it was taken. */
  const judged = (c: number, u: number): { mm: number; text: string } => {
    if (!(u > 0)) return { mm: c, text: `${c.toFixed(1)} mm` };
    const low = Math.max(0, c - u);
    return { mm: low, text: `${c.toFixed(1)} mm (${low.toFixed(1)} mm allowing ${u.toFixed(1)} mm for the landmark's place within a ${sliceMm.toFixed(1)} mm slice)` };
  };
  const foramina: { id: ForamenId; clearanceMm: number; sliceUncertaintyMm?: number }[] = [];
  for (const f of ctx.anatomy?.foramina ?? []) {
    const sd = segmentSegmentDistance(entryLps, targetLps, f.anteriorLps, f.posteriorLps);
    const clearanceMm = Math.max(0, sd.distance - f.radiusMm - r);
    if (sliceMm) foramina.push({ id: f.id, clearanceMm, sliceUncertaintyMm: clearanceUncertaintyMm(ctx.volume, at(f.anteriorLps, f.posteriorLps, sd.t), at(entryLps, targetLps, sd.s)) });
    else foramina.push({ id: f.id, clearanceMm });
  }
  let nearestForamen: { id: ForamenId; clearanceMm: number; sliceUncertaintyMm?: number } | null = null;
  for (const f of foramina) if (!nearestForamen || f.clearanceMm < nearestForamen.clearanceMm) nearestForamen = f;
  if (!foramina.length) add('warn', 'no foramina placed: foramen clearance not checked');
  for (const f of foramina) {
    const j = judged(f.clearanceMm, f.sliceUncertaintyMm ?? 0);
    if (j.mm < th.neuralFailMm) add('fail', `${j.text} from the ${foramenName(f.id)}${f.clearanceMm === 0 ? ' (enters it)' : ''}, fail < ${th.neuralFailMm} mm`);
    else if (j.mm < th.neuralWarnMm) add('warn', `${j.text} from the ${foramenName(f.id)}, warn < ${th.neuralWarnMm} mm`);
  }

  // Canal
  let canalClearanceMm: number | null = null;
  let canalSliceUncertaintyMm: number | undefined;
  const canal = ctx.anatomy?.canal;
  if (canal && canal.centerlineLps.length) {
    const cd = segmentCanalDistance(entryLps, targetLps, canal.centerlineLps, canal.radiusMm);
    canalClearanceMm = Math.max(0, cd.distance - r);
    if (sliceMm) { const p = at(entryLps, targetLps, cd.t); canalSliceUncertaintyMm = clearanceUncertaintyMm(ctx.volume, closestOnPolylineLps(canal.centerlineLps, p), p); }
    const j = judged(canalClearanceMm, canalSliceUncertaintyMm ?? 0);
    if (j.mm < th.neuralFailMm) add('fail', `${j.text} from the sacral canal${canalClearanceMm === 0 ? ' (enters it)' : ''}, fail < ${th.neuralFailMm} mm`);
    else if (j.mm < th.neuralWarnMm) add('warn', `${j.text} from the sacral canal, warn < ${th.neuralWarnMm} mm`);
  } else add('warn', 'no canal placed: canal clearance not checked');

  // Envelope: crossings, breach, bone path, tip to the anterior cortex, SI joint
  let crossings: CortexCrossing[] = [];
  let anteriorCortexBreach = false;
  let tipToAnteriorCortexMm: number | null = null;
  let advanceToAnteriorCortexMm: number | null = null;
  let siJointCrossed = false;
  let bonePathMm = 0;
  if (ctx.envelope) {
    const env = ctx.envelope;
    crossings = envelopeCrossings(env, ctx.frame, entryLps, targetLps);
    const breach = crossings.find((c) => c.kind === 'exit' && c.surface === 'anterior');
    if (breach) {
      anteriorCortexBreach = true;
      add('fail', `breaches the anterior sacral cortex ${(depthMm - breach.atMm).toFixed(1)} mm before the tip (L5 root, iliac vessels, bowel at risk)`);
    }
    let inside = envelopeSdf(env, entryLps[0], entryLps[1], entryLps[2]) < 0;
    let last = 0;
    for (const c of crossings) {
      if (inside) bonePathMm += c.atMm - last;
      inside = c.kind === 'enter';
      last = c.atMm;
    }
    if (inside) bonePathMm += depthMm - last;
    const tipInside = envelopeSdf(env, targetLps[0], targetLps[1], targetLps[2]) < 0;
    if (tipInside) {
      const beyond = envelopeCrossings(env, ctx.frame, targetLps, [targetLps[0] + u[0] * 80, targetLps[1] + u[1] * 80, targetLps[2] + u[2] * 80]);
      const exit = beyond.find((c) => c.kind === 'exit');
      if (exit && exit.surface === 'anterior') advanceToAnteriorCortexMm = exit.atMm;
      if (!opts.quick) {
        const d = tipToAnterior(env, ctx.frame, targetLps);
        if (d !== null) tipToAnteriorCortexMm = Math.max(0, d - r);
      } else tipToAnteriorCortexMm = advanceToAnteriorCortexMm;
      if (tipToAnteriorCortexMm !== null && tipToAnteriorCortexMm < th.anteriorCortexWarnMm) add('warn', `tip ${tipToAnteriorCortexMm.toFixed(1)} mm from the anterior cortex, warn < ${th.anteriorCortexWarnMm} mm`, 'tip');
    } else if (!anteriorCortexBreach) add('warn', 'the tip is outside the sacrum', 'tip');
    for (const c of crossings) {
      if (c.kind !== 'enter' || (c.surface !== 'lateral' && c.surface !== 'posterior')) continue;
      let bone = !ctx.volume;
      if (ctx.volume) {
        for (let s = 1; s <= 10 && !bone; s += 0.5) {
          const p: Vec3 = [entryLps[0] + u[0] * (c.atMm - s), entryLps[1] + u[1] * (c.atMm - s), entryLps[2] + u[2] * (c.atMm - s)];
          const v = sampleNearest(ctx.volume, p);
          if (v !== null && v > ILIUM_HU) bone = true;
        }
      }
      if (bone) { siJointCrossed = true; break; }
    }
    if (siJointCrossed) {
      if (opts.approach === 'transiliac') add('pass', 'crosses the SI joint (expected for the transiliac approach)');
      else add('warn', 'crosses the SI joint');
    } else if (opts.approach === 'transiliac') add('warn', 'does not cross the SI joint: not a transiliac path');
  } else add('warn', 'anterior cortex not checked: no sacrum mask (run the anatomy step)', 'tip');

  if (depthMm > needle.workingLengthMm) add('fail', `path ${depthMm.toFixed(0)} mm is longer than the ${needle.workingLengthMm} mm working length of the ${needle.name}`);
  else if (depthMm > needle.workingLengthMm - HANDLING_MARGIN_MM) add('warn', `only ${(needle.workingLengthMm - depthMm).toFixed(0)} mm of the ${needle.workingLengthMm} mm needle would stay outside the skin (warn < ${HANDLING_MARGIN_MM} mm)`);
  if (opts.entryKind === 'extrapolated') add('pass', 'skin entry outside the image: the body outline was extrapolated');
  else if (opts.entryKind === 'image-edge') add('warn', 'skin entry not found in the image: depth measured to the image edge');

  const status: CheckStatus = reasons.some((x) => x.level === 'fail') ? 'fail' : reasons.some((x) => x.level === 'warn') ? 'warn' : 'pass';
  const order = { fail: 0, warn: 1, pass: 2 } as const;
  reasons.sort((a, b) => order[a.level] - order[b.level]);
  return {
    depthMm, foramina, nearestForamen, canalClearanceMm, ...(canalSliceUncertaintyMm !== undefined ? { canalSliceUncertaintyMm } : {}), anteriorCortexBreach, tipToAnteriorCortexMm, advanceToAnteriorCortexMm, siJointCrossed, bonePathMm, crossings,
    craniocaudalDeg: Math.asin(Math.max(-1, Math.min(1, -u[2]))) * RAD,
    mediolateralDeg: Math.asin(Math.max(-1, Math.min(1, -u[0]))) * RAD,
    bullsEye: bullsEyeAngles(entryLps, targetLps),
    entryOutsideImage: ctx.volume ? sampleNearest(ctx.volume, entryLps) === null : false,
    status,
    reasons: reasons.map((x) => x.text),
    checks: reasons,
  };
}

/** The tip's distance to the anterior cortex depends on the tip only: cached per envelope (the planner tries many paths to one target). */
const tipCache = new WeakMap<SacralEnvelope, Map<string, number | null>>();
function tipToAnterior(env: SacralEnvelope, frame: FittedSacralFrame | null, p: Readonly<Vec3>): number | null {
  let m = tipCache.get(env);
  if (!m) tipCache.set(env, (m = new Map()));
  const key = `${p[0]},${p[1]},${p[2]}`;
  if (m.has(key)) return m.get(key)!;
  if (m.size > 256) m.clear();
  const d = distanceToSurfaceClass(env, frame, p, 'anterior');
  m.set(key, d);
  return d;
}

/**
 * Teaching order: the ablation zones and the cement deposit of a needle are shown once its tip has
 * arrived (advance = 1); while it is being advanced, only the needle is.
 */
export function tipArrived(t: { advance: number }): boolean {
  return t.advance >= 0.999;
}

/**
 * Smallest neural clearance as the verdict takes it: each less its slice uncertainty on thick slices
 * (slice-uncertainty.ts), never below 0; equal to minNeuralClearanceMm on thin slices.
 */
export function judgedNeuralClearanceMm(m: TrajectoryMetrics): number {
  let c = m.canalClearanceMm === null ? Infinity : Math.max(0, m.canalClearanceMm - (m.canalSliceUncertaintyMm ?? 0));
  for (const f of m.foramina) c = Math.min(c, Math.max(0, f.clearanceMm - (f.sliceUncertaintyMm ?? 0)));
  return c;
}

/** Smallest neural clearance (foramina and canal), Infinity when none is placed. */
export function minNeuralClearanceMm(m: TrajectoryMetrics): number {
  let c = m.canalClearanceMm ?? Infinity;
  for (const f of m.foramina) c = Math.min(c, f.clearanceMm);
  return c;
}

function sampleNearest(volume: ScalarVolume, p: Readonly<Vec3>): number | null {
  const geo = volume.geometry;
  const q = geo.lpsToIjk([0, 0, 0], p);
  const i = Math.round(q[0]), j = Math.round(q[1]), k = Math.round(q[2]);
  const [ni, nj, nk] = geo.dims;
  if (i < 0 || j < 0 || k < 0 || i >= ni || j >= nj || k >= nk) return null;
  return volume.voxels[i + ni * (j + nj * k)]!;
}
