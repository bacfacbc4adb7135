/**
 * The built-in teaching library: each case's phantom (src/demo with the case's variant), its
 * expert plan computed by the planner (teaching/expert.ts) and the case's own checks: the
 * classifier's zone is the stated one, the declined case is declined with its reason, every other
 * lesion has a needle that does not fail on the stated approach, which the study used for its zone.
 */
import { describe, expect, it } from 'vitest';
import { TEACHING_CASES, findTeachingCase } from '../../src/teaching/cases';
import { buildExpertCase, checkExpertCase, type ExpertCase } from '../../src/teaching/expert';
import { readPlan } from '../../src/case/plan-file';
import { studyApproaches } from '../../src/planning/planner';

describe('teaching library', () => {
  it('has at least ten cases with unique ids, a note and the study numbers', () => {
    expect(TEACHING_CASES.length).toBeGreaterThanOrEqual(10);
    expect(new Set(TEACHING_CASES.map((c) => c.id)).size).toBe(TEACHING_CASES.length);
    for (const c of TEACHING_CASES) {
      expect(c.note.length, c.id).toBeGreaterThan(60);
      expect(c.studyNumbers, c.id).toMatch(/\d/);
      expect(c.zone, c.id).toBe(Math.max(...c.lesions.map((l) => l.zone)));
    }
    // the kinds of case the issue asks for
    const has = (pred: (c: (typeof TEACHING_CASES)[number]) => boolean) => TEACHING_CASES.some(pred);
    expect(has((c) => c.zone === 1 && c.lesions.length === 1)).toBe(true);
    expect(has((c) => c.zone === 2 && c.recommendedApproach !== 'declined')).toBe(true);
    expect(has((c) => c.zone === 3 && c.lesions.length === 1)).toBe(true);
    expect(has((c) => c.lesions.length > 1 && c.lesions.every((l) => l.zone === 3 && l.approach === 'interpedicular'))).toBe(true);
    expect(has((c) => c.recommendedApproach === 'transiliac' && c.ilium !== undefined)).toBe(true);
    expect(has((c) => (c.marrowHuOffset ?? 0) < -100)).toBe(true);
    expect(has((c) => c.lesions.some((l) => (l.hu ?? 0) > 400))).toBe(true);
    expect(has((c) => c.recommendedApproach === 'declined')).toBe(true);
    expect(has((c) => c.lesions.length === 2 && c.lesions[0]!.centerSacral[0] * c.lesions[1]!.centerSacral[0] < 0)).toBe(true);
    expect(findTeachingCase('nope')).toBeNull();
  });

  const rows: string[] = [];
  for (const c of TEACHING_CASES) {
    it(`${c.id}: the expert plan passes the case's own checks`, () => {
      const e: ExpertCase = buildExpertCase(c);
      const problems = checkExpertCase(c, e);
      expect(problems, problems.join('\n')).toEqual([]);
      c.lesions.forEach((def, i) => {
        const x = e.lesions[i]!;
        expect(x.zone, `${c.id} ${def.id}`).toBe(def.zone);
        if (def.declined) {
          expect(x.declined).toMatch(def.declined === 'diameter' ? /over the study's 30 mm limit/ : /erodes|canal/);
          expect(x.best).toBeNull();
        } else {
          expect(studyApproaches(def.zone)).toContain(x.best!.approach);
          expect(x.best!.status).not.toBe('fail');
        }
        rows.push(`${c.id} ${def.id}: zone ${x.zone}, ${x.volumeMl.toFixed(2)} mL, ${x.maxDiameterMm.toFixed(1)} mm; ${x.declined ? `declined: ${x.declined}` : `${x.best!.approach} ${x.best!.status} clearance ${x.best!.minClearanceMm?.toFixed(1)} mm depth ${x.best!.depthMm.toFixed(0)} mm`} (${e.ms} ms)`);
      });
      // The plan files open on the case's own series and hold the expert's needles.
      const plan = readPlan(e.planBytes, e.identity, e.demo.volume.geometry.voxelCount);
      expect(plan.doc.needles.length).toBe(e.lesions.filter((l) => l.best).length);
      expect(plan.doc.lesions.length).toBe(c.lesions.length);
      const start = readPlan(e.startBytes, e.identity, e.demo.volume.geometry.voxelCount);
      expect(start.doc.lesions.length).toBe(0);
      expect(start.doc.anatomy?.foramina.length).toBe(8);
    }, 120_000);
  }
  it('prints the library', () => { console.log(rows.join('\n')); });
});
