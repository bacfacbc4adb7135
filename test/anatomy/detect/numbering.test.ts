/**
 * numberingDoubt (src/anatomy/detect/numbering.ts): the level numbers are taken where the count (all four levels) or
 * the L5/S1 disc confirms them. Constructed foramina on a straight sacrum (long axis along −z, the S1 endplate the
 * plane z = 0), anterior openings at the phantoms' depths under it (S1 25 mm, S2 47, S3 65, S4 79; fatty-small), the long
 * axis' S1 body centre 11 mm under it (AXIS_AT_DISC) or, begun in L5, 14 mm above it (AXIS_IN_L5).
 */
import { describe, expect, it } from 'vitest';
import { numberingDoubt } from '../../../src/anatomy/detect/numbering';
import type { SacralBase } from '../../../src/anatomy/sacral-base';
import type { Foramen, SacralLevel, Side } from '../../../src/anatomy/types';

/** An axial L5/S1 disc 3 mm above the S1 endplate at z = 0. */
const DISC: SacralBase = {
  contactZ: [-60, 5], discPointLps: [0, 0, 3], endplatePointLps: [0, 0, 0], discNormalLps: [0, 0, 1],
  discPosteriorEndLps: [0, 35, 3], discAngleDeg: 0, score: 200,
};
const DEPTH: Record<SacralLevel, number> = { S1: 25, S2: 47, S3: 65, S4: 79 };
const LEVELS3: SacralLevel[] = ['S1', 'S2', 'S3'];
const AXIS_AT_DISC: [number, number, number] = [0, 10, -11], AXIS_IN_L5: [number, number, number] = [0, -13, 14];

function tunnel(level: SacralLevel, side: Side, depthMm: number, source: Foramen['source'] = 'auto'): Foramen {
  const x = side === 'L' ? 22 : -22;
  return { id: `${level}_${side}`, level, side, anteriorLps: [x, 0, -depthMm], posteriorLps: [x, 20, -depthMm], radiusMm: 4, confidence: 0.9, source };
}
/** Pairs named `names`, at the depths of the levels `at` (the same by default: numbered right). */
function row(names: SacralLevel[], at: SacralLevel[] = names): Foramen[] {
  return names.flatMap((lv, k) => [tunnel(lv, 'L', DEPTH[at[k]!]), tunnel(lv, 'R', DEPTH[at[k]!])]);
}

describe('numberingDoubt', () => {
  it('a row of all four levels is numbered by its count, whatever the disc says or without one', () => {
    expect(numberingDoubt(row(['S1', 'S2', 'S3', 'S4']), DISC, AXIS_AT_DISC)).toBeNull();
    expect(numberingDoubt(row(['S1', 'S2', 'S3', 'S4']), null, AXIS_AT_DISC)).toBeNull();
    // one side complete is enough (the count holds per side)
    expect(numberingDoubt([...row(['S1', 'S2']), tunnel('S3', 'L', 65), tunnel('S4', 'R', 79)], null, AXIS_AT_DISC)).toBeNull();
  });

  it('a row cut by the field of view is confirmed where its first level opens at that level\'s depth under the disc', () => {
    expect(numberingDoubt(row(['S1', 'S2']), DISC, AXIS_AT_DISC)).toBeNull();
    expect(numberingDoubt(row(['S1']), DISC, AXIS_AT_DISC)).toBeNull();
    // an S1 first is confirmed by its depth alone, wherever the long axis began
    expect(numberingDoubt(row(['S1', 'S2']), DISC, AXIS_IN_L5)).toBeNull();
  });

  it('a first level below S1 is confirmed where it opens deeper than any S1 and the long axis begins at the disc', () => {
    // S1 missed (eroded-S2R: S1 and S2 missed), the levels below counted on an axis that begins at the disc
    expect(numberingDoubt(row(['S2', 'S3']), DISC, AXIS_AT_DISC)).toBeNull();
    expect(numberingDoubt(row(['S3', 'S4']), DISC, AXIS_AT_DISC)).toBeNull();
    // the same rows counted on an axis begun in L5: its levels may be named one too low (real S2, S3 named S3, S4)
    expect(numberingDoubt(row(['S3', 'S4'], ['S2', 'S3']), DISC, AXIS_IN_L5)).toMatch(/no level found above S3, and the long axis its level was counted on has its S1 centre 14 mm above the S1 endplate found/);
    // one level found: no spacing to count with
    expect(numberingDoubt(row(['S2']), DISC, null)).toMatch(/is not known/);
  });

  it('a first level below S1 on an axis begun in L5 is confirmed where the row\'s own spacing counts it from the disc', () => {
    // eroded-S2R: S3 65 mm under the disc, S4 79: as S3 the junction model scaled to that 14 mm step puts it at 63 mm,
    // as S2 at 36
    expect(numberingDoubt([...row(['S3']), tunnel('S4', 'L', 79), tunnel('S4', 'R', 79)], DISC, AXIS_IN_L5)).toBeNull();
    expect(numberingDoubt(row(['S2', 'S3']), DISC, AXIS_IN_L5)).toBeNull();
    // real S2 and S3 (47, 65 mm) named S3 and S4: as S3 the model puts the first at 81 mm, as S2 at 47
    expect(numberingDoubt(row(['S3', 'S4'], ['S2', 'S3']), DISC, AXIS_IN_L5)).not.toBeNull();
  });

  it('a row numbered one level low (the long axis begun in L5) is in doubt, with its reason', () => {
    // the flat-sacrum phantom: S1, S2, S3 named S2, S3, S4
    const why = numberingDoubt(row(['S2', 'S3', 'S4'], ['S1', 'S2', 'S3']), DISC, AXIS_IN_L5);
    expect(why).toMatch(/no level found above S2, and S2 opens 25 mm under the L5\/S1 disc found, where S1 opens/);
    expect(why).toMatch(/check the numbering/);
  });

  it('a row numbered one level high (the top of S1 missed) is in doubt', () => {
    expect(numberingDoubt(row(['S1', 'S2'], ['S2', 'S3']), DISC, AXIS_AT_DISC)).toMatch(/S1 opens 47 mm under the L5\/S1 disc found, where S2 or a lower level opens/);
  });

  it('an S1 opening above the disc found: the disc or the levels are wrong', () => {
    expect(numberingDoubt([tunnel('S1', 'L', -5), tunnel('S1', 'R', -5), ...row(['S2'])], DISC, AXIS_AT_DISC)).toMatch(/S1 opens 5 mm above the S1 endplate of the L5\/S1 disc found, outside the sacrum/);
  });

  it('a level whose tunnels run along the row of openings is not counted (skewed-funnel, S1 unlined)', () => {
    // as measured there: the long axis begun at S2, the S1 pair missed; S2–S4 named S1, S3, S4 and a pair of 10 mm stubs
    // between S2's and S3's funnels, 10° from the row, named S2 (here S2–S4 at 34, 56, 72 mm under the disc, the stubs
    // running along the row from 44 mm)
    const stub = (side: Side, depthMm: number): Foramen => ({ ...tunnel('S2', side, depthMm), posteriorLps: [side === 'L' ? 22 : -22, 1, -depthMm - 10] });
    const fs = [...row(['S1']).map((f) => ({ ...f, anteriorLps: [f.anteriorLps[0], 0, -34] as [number, number, number], posteriorLps: [f.anteriorLps[0], 20, -34] as [number, number, number] })),
      stub('L', 44), stub('R', 44), tunnel('S3', 'L', 56), tunnel('S3', 'R', 56), tunnel('S4', 'L', 72), tunnel('S4', 'R', 72)];
    // counted with the stubs, S1–S4 would be complete
    expect(numberingDoubt(fs.map((f) => f.level === 'S2' ? { ...f, posteriorLps: [f.anteriorLps[0], 20, f.anteriorLps[2]] as [number, number, number] } : f), DISC, AXIS_AT_DISC)).toBeNull();
    const why = numberingDoubt(fs, DISC, AXIS_AT_DISC);
    expect(why).toMatch(/S2 runs along the row of openings \(\d+° from it\), not through the sacrum: not counted/);
    expect(why).toMatch(/check the numbering/);
  });

  it('an S1 within the S1 depth whose row\'s spacing counts it as S2 is in doubt', () => {
    // a small sacrum's S2, S3, S4 named S1, S2, S3, S2 opening 36 mm under the disc (within the 40 mm bound), S3 16 mm
    // below it: as S1 the junction model puts it at 19 mm, as S2 at 42
    const fs = [36, 52, 66].flatMap((dd, k) => [tunnel(LEVELS3[k]!, 'L', dd), tunnel(LEVELS3[k]!, 'R', dd)]);
    expect(numberingDoubt(fs, DISC, AXIS_AT_DISC)).toMatch(/S1 opens 36 mm under the L5\/S1 disc found, but its spacing to S2 \(16 mm\) puts it 17 mm off as S1, 6 mm off as S2/);
    // the next level opening no deeper than the first: the disc found is not this row's top
    expect(numberingDoubt([...row(['S1']), tunnel('S2', 'L', 20), tunnel('S2', 'R', 20)], DISC, AXIS_AT_DISC)).toMatch(/S2 opens 20 mm under it, no deeper than S1 \(25 mm\): the row does not run down from the disc found/);
  });

  describe('a disc in doubt (disc-reading.ts: its contrast within the noise floor, or a rival reading as bright) anchors nothing alone', () => {
    const DOUBT: SacralBase = { ...DISC, score: 6, confidence: { used: 'narrow', trusted: false, contrastHu: 6, rivalHu: null, wedgeDeg: 0, wedgeGainHu: 0, why: 'its contrast (6 HU) is within what the search reaches on the image\'s noise alone (9 HU)', noiseHu: 3, floorHu: 9 } };
    it('an S1 alone, at S1\'s depth under it: check, with the reason', () => {
      // the same row under a trusted disc is confirmed by its depth (above)
      const why = numberingDoubt(row(['S1']), DOUBT, AXIS_AT_DISC);
      expect(why).toMatch(/S1 opens 25 mm under the L5\/S1 disc found, but the L5\/S1 disc found is in doubt \(its contrast \(6 HU\)/);
      expect(why).toMatch(/no second level's spacing confirms the count: check the numbering/);
    });
    it('a first level below S1 on an axis that begins at it: check (the axis confirms no count from a disc in doubt)', () => {
      expect(numberingDoubt(row(['S2']), DOUBT, AXIS_AT_DISC)).toMatch(/no level found above S2, the L5\/S1 disc found is in doubt .*check the numbering/);
    });
    it('the row\'s own spacing fitting the segment-length model from its plane still confirms, and the count of four always does', () => {
      expect(numberingDoubt(row(['S1', 'S2']), DOUBT, AXIS_AT_DISC)).toBeNull();
      expect(numberingDoubt(row(['S2', 'S3']), DOUBT, AXIS_IN_L5)).toBeNull();
      expect(numberingDoubt(row(['S1', 'S2', 'S3', 'S4']), DOUBT, AXIS_AT_DISC)).toBeNull();
      // a wrong plane: real S2, S3 named S1, S2 (47, 65 mm): out of S1's depth, check as under a trusted disc
      expect(numberingDoubt(row(['S1', 'S2'], ['S2', 'S3']), DOUBT, AXIS_AT_DISC)).toMatch(/where S2 or a lower level opens/);
    });
  });

  it('without a disc, a row short of four levels rests on the long axis alone', () => {
    expect(numberingDoubt(row(['S1', 'S2']), null, AXIS_AT_DISC)).toMatch(/no L5\/S1 disc found/);
  });

  it('hand-placed foramina are not judged (nothing suggested, nothing to doubt)', () => {
    expect(numberingDoubt([tunnel('S2', 'L', 25, 'manual')], DISC, AXIS_AT_DISC)).toBeNull();
    expect(numberingDoubt([], null, AXIS_AT_DISC)).toBeNull();
  });
});
