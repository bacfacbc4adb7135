/**
 * Auto-planner (pure): for a target and an approach, search needle directions within the
 * approach template (planning/approaches.ts), find each path's skin entry (planning/body.ts) and
 * score it with the full safety check (planning/trajectory.ts). The best path:
 *   1. belongs to the template, then
 *   2. has the best verdict (pass > warn > fail; a path longer than the needle fails), then
 *   3. has the largest smallest clearance to the foramina and the canal (as the verdict takes it: on slices
 *      thicker than 2 mm less the landmark's slice uncertainty, slice-uncertainty.ts), counted up to
 *      CLEARANCE_GOAL_MM [design: beyond 15 mm a further millimetre buys no safety], then
 *   4. is the shortest (the study's aim: the shortest path that avoids nerves and vessels).
 * Search: a coarse grid over the template's two angles (5°), then pattern search from the three
 * best (2.5°, 1.25°, 0.625°). A brute-force grid test (test/planning/planner.test.ts) checks that
 * this finds the best within 1 mm of clearance.
 */
import type { Vec3 } from '../core/vec3';
import { foramenCentreLps } from '../anatomy/types';
import type { ApproachName, CheckStatus, Needle, TrajectoryMetrics } from './types';
import { APPROACH_TEMPLATES, type ApproachTemplate } from './approaches';
import { evaluateTrajectory, judgedNeuralClearanceMm, minNeuralClearanceMm, type PlanningContext } from './trajectory';
import { localAxes } from './envelope';
import type { BodyModel, SkinEntry } from './body';
import { DEFAULT_RANK_TIE_MM, rankApproachRows, structuresCrossed, type RankInput, type Ranked } from './ranking';

export const CLEARANCE_GOAL_MM = 15;

export interface PlannerContext extends PlanningContext {
  body: BodyModel | null;
}

export interface PlanCandidate {
  approach: ApproachName;
  aDeg: number;
  bDeg: number;
  sigma: number;
  entryLps: Vec3;
  targetLps: Vec3;
  entryKind: SkinEntry['kind'];
  metrics: TrajectoryMetrics;
  violation: string | null;
  score: number;
}

export interface PlanResult {
  best: PlanCandidate | null;
  evaluated: number;
  /** The best candidate that belongs to the template even when it fails, for explanations. */
  explanation: string;
}

const TIER: Record<CheckStatus, number> = { pass: 2, warn: 1, fail: 0 };

/** The score the planner maximises (see the module comment). */
export function candidateScore(metrics: TrajectoryMetrics, violation: string | null): number {
  const tier = violation ? -1 : TIER[metrics.status];
  // the clearance the verdict is taken on (less the slice uncertainty on thick slices), so that the planner's
  // order within a tier agrees with its tiers
  const c = Math.min(judgedNeuralClearanceMm(metrics), CLEARANCE_GOAL_MM);
  return tier * 1000 + c * 10 - metrics.depthMm * 0.001;
}

/** Evaluates the path of one template direction. */
export function evaluateCandidate(ctx: PlannerContext, tpl: ApproachTemplate, targetLps: Readonly<Vec3>, needle: Needle, sigma: number, aDeg: number, bDeg: number): PlanCandidate {
  const axes = localAxes(ctx.frame, targetLps);
  const u = tpl.direction(axes, sigma, aDeg, bDeg);
  let entryLps: Vec3, entryKind: SkinEntry['kind'];
  if (ctx.body) ({ entryLps, kind: entryKind } = ctx.body.skinEntry(targetLps, u));
  else { entryLps = [targetLps[0] + u[0] * 120, targetLps[1] + u[1] * 120, targetLps[2] + u[2] * 120]; entryKind = 'image-edge'; }
  const metrics = evaluateTrajectory(ctx, entryLps, targetLps, needle, { approach: tpl.name, entryKind });
  const boneEntry = metrics.crossings.find((c) => c.kind === 'enter') ?? null;
  const frame = ctx.frame;
  const toLocal = (p: Readonly<Vec3>): Vec3 => (frame ? frame.toLocal([0, 0, 0], p[0], p[1], p[2]) : [p[0], -p[2], p[1]]);
  const targetLocal = toLocal(targetLps);
  const violation = tpl.violates({
    boneEntry, boneEntryLocal: boneEntry ? toLocal(boneEntry.pointLps) : null, targetLocal,
    siJointCrossed: metrics.siJointCrossed, medialForamenBorderMm: medialBorder(ctx, targetLocal, toLocal),
  });
  return { approach: tpl.name, aDeg, bDeg, sigma, entryLps, targetLps: [targetLps[0], targetLps[1], targetLps[2]], entryKind, metrics, violation, score: candidateScore(metrics, violation) };
}

/** |x| of the medial foramen border at the target's level (the nearest foramina in s). */
function medialBorder(ctx: PlannerContext, targetLocal: Vec3, toLocal: (p: Readonly<Vec3>) => Vec3): number | null {
  let best: { ds: number; x: number } | null = null;
  for (const f of ctx.anatomy?.foramina ?? []) {
    const c = toLocal(foramenCentreLps(f));
    const ds = Math.abs(c[1] - targetLocal[1]);
    const x = Math.abs(c[0]) - f.radiusMm;
    if (!best || ds < best.ds - 1e-6 || (Math.abs(ds - best.ds) < 5 && x < best.x)) best = { ds, x };
  }
  return best ? Math.max(best.x, 8) : null;
}

export interface PlanOptions {
  /** Coarse grid step (degrees). Default 5. */
  stepDeg?: number;
  /** Pattern-search refinement. Default true. */
  refine?: boolean;
}

/** Sides searched for a template and target (+1 = left). */
export function templateSides(ctx: PlannerContext, tpl: ApproachTemplate, targetLps: Readonly<Vec3>): number[] {
  if (tpl.bothSides) return [1, -1];
  const x = ctx.frame ? ctx.frame.toLocal([0, 0, 0], targetLps[0], targetLps[1], targetLps[2])[0] : targetLps[0];
  return [x >= 0 ? 1 : -1];
}

/** Best path of one approach to one target. */
export function planApproachTo(ctx: PlannerContext, approach: ApproachName, targetLps: Readonly<Vec3>, needle: Needle, opts: PlanOptions = {}): PlanResult {
  const tpl = APPROACH_TEMPLATES[approach];
  const step = opts.stepDeg ?? 5;
  let evaluated = 0;
  const all: PlanCandidate[] = [];
  for (const sigma of templateSides(ctx, tpl, targetLps)) {
    for (let a = tpl.aDeg[0]; a <= tpl.aDeg[1] + 1e-9; a += step) {
      for (let b = tpl.bDeg[0]; b <= tpl.bDeg[1] + 1e-9; b += step) {
        all.push(evaluateCandidate(ctx, tpl, targetLps, needle, sigma, a, b));
        evaluated++;
      }
    }
  }
  all.sort((x, y) => y.score - x.score);
  let best = all[0] ?? null;
  if (best && opts.refine !== false) {
    const starts = all.slice(0, 3);
    for (const start of starts) {
      let cur = start;
      for (let s = step / 2; s >= step / 8 - 1e-9; s /= 2) {
        let improved = true;
        while (improved) {
          improved = false;
          for (const [da, db] of [[s, 0], [-s, 0], [0, s], [0, -s], [s, s], [s, -s], [-s, s], [-s, -s]] as const) {
            const a = cur.aDeg + da, b = cur.bDeg + db;
            if (a < tpl.aDeg[0] - 1e-9 || a > tpl.aDeg[1] + 1e-9 || b < tpl.bDeg[0] - 1e-9 || b > tpl.bDeg[1] + 1e-9) continue;
            const c = evaluateCandidate(ctx, tpl, targetLps, needle, cur.sigma, a, b);
            evaluated++;
            if (c.score > cur.score + 1e-9) { cur = c; improved = true; }
          }
        }
      }
      if (cur.score > best!.score) best = cur;
    }
  }
  const explanation = !best ? 'no candidate path'
    : best.violation ? `no path fits the template: ${best.violation}`
    : best.metrics.status === 'pass' ? `passes all checks; smallest clearance ${fmtClear(best.metrics)}`
    : `${best.metrics.status}: ${best.metrics.reasons.filter((r) => !r.startsWith('crosses the SI joint (expected')).slice(0, 2).join('; ')}`;
  return { best: best && !best.violation ? best : best, evaluated, explanation };
}

function fmtClear(m: TrajectoryMetrics): string {
  const c = minNeuralClearanceMm(m);
  return Number.isFinite(c) ? `${c.toFixed(1)} mm` : 'n/a';
}

export interface RankedApproach extends RankInput {
  candidate: PlanCandidate | null;
  reasons: string[];
}

/** The approaches the source study used for a Denis zone (DOMAIN.md §1). */
export function studyApproaches(zone: 1 | 2 | 3 | null): ApproachName[] {
  if (zone === 1) return ['anterior-oblique', 'transiliac', 'posterior-short-axis', 'posterior-long-axis'];
  if (zone === 3) return ['interpedicular'];
  return ['posterior-short-axis', 'posterior-long-axis'];
}

/**
 * Plans all five approaches to one target and ranks them (best first) with reasons; the order and
 * each row's `whyAbove` follow planning/ranking.ts (clearances within tieMm count as equal).
 */
export function rankApproachesTo(ctx: PlannerContext, targetLps: Readonly<Vec3>, needle: Needle, zone: 1 | 2 | 3 | null, opts: PlanOptions = {}): Ranked<RankedApproach>[] {
  const names: ApproachName[] = ['posterior-short-axis', 'posterior-long-axis', 'transiliac', 'interpedicular', 'anterior-oblique'];
  const study = new Set(studyApproaches(zone));
  const rows = names.map((approach): RankedApproach => {
    const r = planApproachTo(ctx, approach, targetLps, needle, opts);
    const c = r.best;
    if (!c || c.violation) {
      return { approach, candidate: null, feasible: false, minClearanceMm: null, depthMm: null, structuresCrossed: [], status: 'fail', reasons: [r.explanation], studyChoice: study.has(approach) };
    }
    const mc = minNeuralClearanceMm(c.metrics);
    const reasons = c.metrics.status === 'pass' ? [`passes all checks; smallest clearance ${mc.toFixed(1)} mm, depth ${c.metrics.depthMm.toFixed(0)} mm`, ...c.metrics.reasons] : c.metrics.reasons;
    return {
      approach, candidate: c, feasible: true, minClearanceMm: Number.isFinite(mc) ? mc : null, depthMm: c.metrics.depthMm,
      structuresCrossed: structuresCrossed(c.metrics), status: c.metrics.status, reasons, studyChoice: study.has(approach),
    };
  });
  return rankApproachRows(rows, { tieMm: ctx.thresholds.rankTieMm ?? DEFAULT_RANK_TIE_MM, zone });
}
