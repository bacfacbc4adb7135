/**
 * Auto-planner on the ../shared/phantom default and hard configs: for every lesion and approach,
 * the planned path is compared with a brute-force search over a fine grid (1°) of the same
 * template: when a passing path exists the planner's passes too, and its smallest clearance
 * (counted up to the planner's 15 mm goal) is within 1 mm of the brute-force best.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { requireShared } from '../helpers/shared';
import { APPROACH_NAMES } from '../../src/planning/types';
import { phantomPlanningContext } from './phantom-context';
import { findNeedle } from '../../src/planning/needles';
import { APPROACH_TEMPLATES } from '../../src/planning/approaches';
import { CLEARANCE_GOAL_MM, evaluateCandidate, planApproachTo, rankApproachesTo, templateSides, type PlannerContext, type PlanCandidate } from '../../src/planning/planner';
import { minNeuralClearanceMm } from '../../src/planning/trajectory';
import type { Vec3 } from '../../src/core/vec3';

const run = requireShared(true);
const needle = findNeedle('15G-truguide-138')!;
const capped = (c: PlanCandidate) => Math.min(minNeuralClearanceMm(c.metrics), CLEARANCE_GOAL_MM);

for (const config of ['default.json', 'hard.json'] as const) {
  describe.runIf(run)(`auto-planner, ${config}`, () => {
    let truth: any;
    let ctx: PlannerContext;
    beforeAll(async () => {
      ({ truth, ctx } = await phantomPlanningContext(config));
    }, 240_000);

    it('matches a 1° brute-force search for every lesion and approach', () => {
      const rows: string[] = [];
      for (const lesion of truth.lesions) {
        const target = lesion.center_lps as Vec3;
        for (const approach of APPROACH_NAMES) {
          const t0 = performance.now();
          const plan = planApproachTo(ctx, approach, target, needle);
          const ms = performance.now() - t0;
          const tpl = APPROACH_TEMPLATES[approach];
          let bf: PlanCandidate | null = null;
          for (const sigma of templateSides(ctx, tpl, target)) {
            for (let a = tpl.aDeg[0]; a <= tpl.aDeg[1] + 1e-9; a += 1) for (let b = tpl.bDeg[0]; b <= tpl.bDeg[1] + 1e-9; b += 1) {
              const c = evaluateCandidate(ctx, tpl, target, needle, sigma, a, b);
              if (!bf || c.score > bf.score) bf = c;
            }
          }
          const best = plan.best!;
          const bfPass = !bf!.violation && bf!.metrics.status === 'pass';
          rows.push(`${lesion.id} ${approach}: planner ${best.violation ? 'violates' : best.metrics.status} ${capped(best).toFixed(2)} mm depth ${best.metrics.depthMm.toFixed(0)} (${plan.evaluated} paths, ${ms.toFixed(0)} ms) | brute force ${bf!.violation ? 'violates' : bf!.metrics.status} ${capped(bf!).toFixed(2)} mm`);
          if (bfPass) {
            expect(best.violation, `${lesion.id} ${approach}`).toBeNull();
            expect(best.metrics.status, `${lesion.id} ${approach}`).toBe('pass');
            expect(capped(best), `${lesion.id} ${approach}`).toBeGreaterThan(capped(bf!) - 1);
          }
        }
      }
      console.log(rows.join('\n'));
    }, 600_000);

    it('ranks all five approaches with a reason for each rejected one, marking the study choice', () => {
      for (const lesion of truth.lesions) {
        const ranked = rankApproachesTo(ctx, lesion.center_lps, needle, lesion.denis_zone);
        expect(ranked.map((r) => r.approach).sort()).toEqual([...APPROACH_NAMES].sort());
        for (const r of ranked) {
          if (r.status !== 'pass') expect(r.reasons.length, `${lesion.id} ${r.approach}`).toBeGreaterThan(0);
          for (const reason of r.reasons) expect(reason).toMatch(/[a-z]/);
        }
        expect(ranked.some((r) => r.studyChoice)).toBe(true);
        console.log(lesion.id, `zone ${lesion.denis_zone}:`, ranked.map((r) => `${r.approach} ${r.status} ${r.minClearanceMm?.toFixed(1) ?? '-'}${r.studyChoice ? '*' : ''} [${r.reasons[0]}]`).join(' | '));
      }
    }, 120_000);
  });
}
