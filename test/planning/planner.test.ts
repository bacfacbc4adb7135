/**
 * Auto-planner on the ../shared/phantom default and hard configs: for every lesion and approach,
 * the planned path is compared with a brute-force search over a fine grid (1°) of the same
 * template: when a passing path exists the planner's passes too, and its smallest clearance
 * (counted up to the planner's 15 mm goal) is within 1 mm of the brute-force best.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { requireShared } from '../helpers/shared';
import { loadPhantom } from '../anatomy/fixtures-anatomy';
import { anatomyFromTruth } from '../anatomy/truth-anatomy';
import { lesionContains } from '../segmentation/lesion-truth';
import { detectSacralAnatomy } from '../../src/anatomy/detect';
import { fitSacralFrame } from '../../src/anatomy/frame';
import { buildSacralEnvelope } from '../../src/planning/envelope';
import { BodyModel } from '../../src/planning/body';
import { DEFAULT_THRESHOLDS, APPROACH_NAMES } from '../../src/planning/types';
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
      const p = await loadPhantom(config);
      truth = p.truth;
      const det = detectSacralAnatomy(p.volume);
      const anatomy = anatomyFromTruth(truth);
      const geo = p.volume.geometry;
      const lesionMask = new Uint8Array(geo.voxelCount);
      const q: Vec3 = [0, 0, 0];
      for (let k = 0, n = 0; k < geo.dims[2]; k++) for (let j = 0; j < geo.dims[1]; j++) for (let i = 0; i < geo.dims[0]; i++, n++) {
        geo.ijkToLps(q, i, j, k);
        for (const l of truth.lesions) if (lesionContains(l, q)) { lesionMask[n] = 1; break; }
      }
      ctx = {
        anatomy, frame: fitSacralFrame(anatomy.frame!), envelope: buildSacralEnvelope(p.volume, det.sacrumMask, anatomy, { extraMask: lesionMask }),
        volume: p.volume, thresholds: DEFAULT_THRESHOLDS, body: new BodyModel(p.volume),
      };
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
