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
    expect(numberingDoubt([tunnel('S1', 'L', -5), tunnel('S1', 'R', -5), ...row(['S2'])], DISC, AXIS_AT_DISC)).toMatch(/above the sacrum/);
  });

  it('without a disc, a row short of four levels rests on the long axis alone', () => {
    expect(numberingDoubt(row(['S1', 'S2']), null, AXIS_AT_DISC)).toMatch(/no L5\/S1 disc found/);
  });

  it('hand-placed foramina are not judged (nothing suggested, nothing to doubt)', () => {
    expect(numberingDoubt([tunnel('S2', 'L', 25, 'manual')], DISC, AXIS_AT_DISC)).toBeNull();
    expect(numberingDoubt([], null, AXIS_AT_DISC)).toBeNull();
  });
});
