/**
 * Trajectory metrics against ../shared/phantom truth.json reference trajectories (default and
 * hard configs). The envelope comes from the app's own sacrum detection on the image; foramina
 * and canal are the truth landmarks (as a radiologist would have confirmed them) and, in a second
 * block, the automatically detected ones.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { requireShared } from '../helpers/shared';
import { fitSacralFrame } from '../../src/anatomy/frame';
import { evaluateTrajectory, type PlanningContext } from '../../src/planning/trajectory';
import type { Needle } from '../../src/planning/types';
import { phantomPlanningContext } from './phantom-context';
import type { ForamenId } from '../../src/anatomy/types';

/** The truth distances are for a zero-radius segment. */
const LINE: Needle = { id: 'line', name: 'line', gauge: null, kind: 'custom', outerDiameterMm: 0, workingLengthMm: 1000, source: 'test' };

const run = requireShared(true);

for (const config of ['default.json', 'hard.json'] as const) {
  describe.runIf(run)(`reference trajectories, ${config}`, () => {
    let truth: any;
    let ctx: PlanningContext;
    let autoCtx: PlanningContext;
    beforeAll(async () => {
      const r = await phantomPlanningContext(config);
      truth = r.truth;
      ctx = r.ctx;
      autoCtx = { ...ctx, anatomy: r.detected, frame: r.detected.frame ? fitSacralFrame(r.detected.frame) : null };
    }, 240_000);

    it('foramen and canal clearances within 0.5 mm of truth, nearest foramen named, breach flags equal', () => {
      const rows: string[] = [];
      for (const t of truth.trajectories) {
        const m = evaluateTrajectory(ctx, t.entry_lps, t.target_lps, LINE, { approach: t.approach });
        for (const f of m.foramina) expect(Math.abs(f.clearanceMm - t.foramen_distances_mm[f.id]), `${t.id} ${f.id}`).toBeLessThan(0.5);
        expect(m.nearestForamen?.id, t.id).toBe(t.nearest_foramen.id as ForamenId);
        expect(Math.abs(m.canalClearanceMm! - Math.max(0, t.canal.distance_mm)), `${t.id} canal`).toBeLessThan(0.5);
        expect(m.anteriorCortexBreach, `${t.id} breach`).toBe(t.anterior_cortex_breach);
        rows.push(`${t.id} ${t.approach} nearest ${m.nearestForamen?.id} ${m.nearestForamen?.clearanceMm.toFixed(2)} (truth ${t.nearest_foramen.distance_mm.toFixed(2)}) canal ${m.canalClearanceMm?.toFixed(2)} (${t.canal.distance_mm.toFixed(2)}) breach ${m.anteriorCortexBreach} si ${m.siJointCrossed} ${m.status}`);
      }
      console.log(rows.join('\n'));
    });

    it('with automatically detected landmarks: breach flags agree; foramen clearances that matter (< 15 mm) within 0.5 mm, canal within 2.5 mm', () => {
      // The tunnels are followed on the image and their radii fitted at the wall (foramen-axis.ts,
      // foramen-radius.ts): near clearances 0.33 mm (default) and 0.40 mm (hard) off when written. Far ones
      // can be off by 1.5–2.5 mm: the foramina eroded by a lesion (S1_R by L2, S3_L by L5) keep the
      // detector's end where the lesion opens their wall.
      let worst = 0, worstNear = 0;
      for (const t of truth.trajectories) {
        const m = evaluateTrajectory(autoCtx, t.entry_lps, t.target_lps, LINE, { approach: t.approach });
        expect(m.anteriorCortexBreach, `${t.id} breach`).toBe(t.anterior_cortex_breach);
        for (const f of m.foramina) {
          const e = Math.abs(f.clearanceMm - t.foramen_distances_mm[f.id]);
          worst = Math.max(worst, e);
          if (t.foramen_distances_mm[f.id] < 15) worstNear = Math.max(worstNear, e);
        }
        expect(Math.abs(m.canalClearanceMm! - Math.max(0, t.canal.distance_mm)), `${t.id} canal`).toBeLessThan(2.5);
      }
      console.log(`${config}: foramen clearance error with detected landmarks: worst ${worst.toFixed(2)} mm, worst where truth < 15 mm ${worstNear.toFixed(2)} mm`);
      expect(worstNear).toBeLessThan(0.5);
    });

    it('the transiliac references cross the SI joint, the others do not', () => {
      for (const t of truth.trajectories) {
        const m = evaluateTrajectory(ctx, t.entry_lps, t.target_lps, LINE, { approach: t.approach });
        expect(m.siJointCrossed, t.id).toBe(t.approach === 'transiliac');
      }
    });
  });
}
