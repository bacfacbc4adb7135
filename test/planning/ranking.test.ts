import { describe, it, expect } from 'vitest';
import { rankApproachRows, type RankInput } from '../../src/planning/ranking';
import type { ApproachName } from '../../src/planning/types';
import { studyApproaches } from '../../src/planning/planner';

const row = (approach: ApproachName, over: Partial<RankInput> = {}, zone: 1 | 2 | 3 = 2): RankInput => ({
  approach, feasible: true, status: 'warn', minClearanceMm: 2.2, depthMm: 70, structuresCrossed: approach === 'transiliac' ? ['SI joint'] : [],
  studyChoice: studyApproaches(zone).includes(approach), ...over,
});

describe('approach ranking', () => {
  it('the issue\'s zone-2 case: transiliac 75 mm through the SI joint and posterior short-axis 64 mm tie at 2.2 mm → the study\'s choice wins, and says so', () => {
    const ranked = rankApproachRows([
      row('transiliac', { minClearanceMm: 2.24, depthMm: 75 }),
      row('posterior-short-axis', { minClearanceMm: 2.21, depthMm: 64 }),
    ], { zone: 2 });
    expect(ranked.map((r) => r.approach)).toEqual(['posterior-short-axis', 'transiliac']);
    expect(ranked[0]!.whyAbove).toMatch(/within 1 mm/);
    expect(ranked[0]!.whyAbove).toMatch(/study's choice for zone 2/);
    expect(ranked[1]!.whyAbove).toBeNull();
  });

  it('ties within the margin: the study\'s choice beats a slightly larger clearance, even a 0.9 mm one', () => {
    const ranked = rankApproachRows([row('transiliac', { minClearanceMm: 6.1 }, 1), row('interpedicular', { minClearanceMm: 7.0, studyChoice: false }, 1)], { zone: 1 });
    expect(ranked[0]!.approach).toBe('transiliac');
  });

  it('a clear clearance difference wins over the study\'s choice', () => {
    const ranked = rankApproachRows([row('posterior-short-axis', { minClearanceMm: 2.2 }), row('transiliac', { minClearanceMm: 4.0 })], { zone: 2 });
    expect(ranked.map((r) => r.approach)).toEqual(['transiliac', 'posterior-short-axis']);
    expect(ranked[0]!.whyAbove).toMatch(/clearance 4\.0 mm vs 2\.2 mm \(more than 1 mm apart\)/);
  });

  it('the margin is configurable: with 0.5 mm a 0.9 mm difference decides', () => {
    const rows = [row('transiliac', { minClearanceMm: 6.1, studyChoice: true }), row('interpedicular', { minClearanceMm: 7.0, studyChoice: false })];
    expect(rankApproachRows(rows, { tieMm: 0.5 })[0]!.approach).toBe('interpedicular');
    expect(rankApproachRows(rows, { tieMm: 1 })[0]!.approach).toBe('transiliac');
  });

  it('the verdict comes first, then no path; fewer structures then the shorter path break ties among non-study approaches', () => {
    const ranked = rankApproachRows([
      row('anterior-oblique', { feasible: false, status: 'fail', minClearanceMm: null, depthMm: null, studyChoice: false }),
      row('interpedicular', { status: 'fail', minClearanceMm: 9, studyChoice: false }),
      row('transiliac', { status: 'pass', minClearanceMm: 6, depthMm: 60, studyChoice: false }),
      row('posterior-long-axis', { status: 'pass', minClearanceMm: 6.5, depthMm: 90, studyChoice: false }),
      row('posterior-short-axis', { status: 'pass', minClearanceMm: 5.8, depthMm: 80, studyChoice: false }),
    ], { zone: 3 });
    expect(ranked.map((r) => r.approach)).toEqual(['posterior-short-axis', 'posterior-long-axis', 'transiliac', 'interpedicular', 'anterior-oblique']);
    expect(ranked[0]!.whyAbove).toMatch(/shorter path \(80 vs 90 mm\)/);
    expect(ranked[1]!.whyAbove).toMatch(/transiliac also crosses the SI joint/);
    expect(ranked[2]!.whyAbove).toBe('PASS vs FAIL');
    expect(ranked[3]!.whyAbove).toMatch(/has a path \(FAIL\); no anterior-oblique path fits/);
  });

  it('"within the margin" is not transitive: the order is still well defined and every adjacent pair is explained', () => {
    // 5.0 (not study), 4.2 (study), 3.5 (study): 4.2 ties 5.0 and wins; 5.0 is then more than 1 mm above 3.5.
    const ranked = rankApproachRows([
      row('posterior-long-axis', { minClearanceMm: 5.0, studyChoice: false }),
      row('posterior-short-axis', { minClearanceMm: 4.2, studyChoice: true }),
      row('interpedicular', { minClearanceMm: 3.5, studyChoice: true }),
    ]);
    expect(ranked.map((r) => r.approach)).toEqual(['posterior-short-axis', 'posterior-long-axis', 'interpedicular']);
    expect(ranked[0]!.whyAbove).toMatch(/study's choice/);
    expect(ranked[1]!.whyAbove).toMatch(/5\.0 mm vs 3\.5 mm/);
    for (const r of ranked.slice(0, -1)) expect(r.whyAbove).toBeTruthy();
  });

  it('does not mutate its input', () => {
    const rows = [row('transiliac'), row('posterior-short-axis')];
    const copy = JSON.parse(JSON.stringify(rows));
    rankApproachRows(rows);
    expect(rows).toEqual(copy);
  });
});
