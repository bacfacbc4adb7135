/**
 * row-between.ts rowBetween: a level whose only doubt is its tunnel's course is raised to found where its row
 * places it between its same-side neighbours, found on their own evidence, with a walled lumen at its opening;
 * its course is its own fit's where that runs as its neighbours' do, else theirs.
 * The row below is pelvic-ref-003's as detected (LPS mm): S2's sides followed over 37 and 9 mm.
 */
import { describe, expect, it } from 'vitest';
import { rowBetween, rowInterpolation } from '../../src/anatomy/row-between';
import { FOUND_CONFIDENCE, type ForamenEvidence } from '../../src/anatomy/evidence';
import type { Foramen, ForamenId } from '../../src/anatomy/types';
import type { Vec3 } from '../../src/core/vec3';

const ROW: Record<string, { ant: Vec3; post: Vec3; r: number; c: number }> = {
  S1_L: { ant: [41.8, 148.5, 264.9], post: [41.3, 156.5, 276.3], r: 7, c: 1 },
  S1_R: { ant: [-4.7, 146.7, 265.9], post: [-3.7, 155.3, 276.9], r: 7, c: 1 },
  S2_L: { ant: [42.8, 171.6, 242.8], post: [22.9, 180.9, 272.2], r: 4, c: 0.4 },
  S2_R: { ant: [-4.5, 171.0, 243.4], post: [-2.0, 177.4, 249.2], r: 4.5, c: 0.4 },
  S3_L: { ant: [41.9, 184.0, 225.2], post: [34.8, 199.0, 231.6], r: 3.5, c: 0.73 },
  S3_R: { ant: [-4.8, 182.3, 225.5], post: [-7.9, 196.7, 233.2], r: 2.5, c: 0.85 },
  S4_L: { ant: [37.7, 190.5, 206.8], post: [28.2, 195.6, 196.4], r: 3.5, c: 0.38 },
  S4_R: { ant: [-8.8, 187.6, 207.9], post: [1.9, 193.8, 198.5], r: 3.8, c: 0.38 },
};

interface Setup { foramina: Foramen[]; evidence: Record<string, ForamenEvidence>; doubted: Set<string>; course: Set<string>; messages: string[] }

function setUp(edit?: (s: Setup) => void): Setup {
  const foramina: Foramen[] = Object.entries(ROW).map(([id, x]) => ({
    id: id as ForamenId, level: id.slice(0, 2) as Foramen['level'], side: id[3] as Foramen['side'],
    anteriorLps: [...x.ant] as Vec3, posteriorLps: [...x.post] as Vec3, radiusMm: x.r, confidence: x.c, source: 'auto',
  }));
  const evidence: Record<string, ForamenEvidence> = {};
  for (const [id, x] of Object.entries(ROW)) evidence[id] = { rim: 1, offAxisMm: 0.5, symmetric: true, spacingOk: true, sizeOrderOk: true, confidence: x.c, why: [] };
  const s: Setup = { foramina, evidence, doubted: new Set(['S2_L', 'S2_R', 'S4_L', 'S4_R']), course: new Set(['S2_L', 'S2_R']), messages: [] };
  edit?.(s);
  return s;
}
const at = (s: Setup, id: string) => s.foramina.find((x) => x.id === id)!;
const conf = (s: Setup, id: string) => at(s, id).confidence;
const run = (s: Setup, rim = 1) => rowBetween(s.foramina, s.evidence, s.doubted, s.course, () => rim, s.messages);
const dir = (f: Foramen): Vec3 => { const d = [0, 1, 2].map((i) => f.posteriorLps[i]! - f.anteriorLps[i]!) as Vec3; const l = Math.hypot(...d); return d.map((x) => x / l) as Vec3; };
const angleDeg = (a: Vec3, b: Vec3) => (Math.acos(Math.min(1, a[0] * b[0] + a[1] * b[1] + a[2] * b[2])) * 180) / Math.PI;
const lengthOf = (f: Foramen) => Math.hypot(...([0, 1, 2].map((i) => f.posteriorLps[i]! - f.anteriorLps[i]!) as Vec3));

describe('rowBetween', () => {
  it('puts a level at its junction between the two around it, half its shorter step as the bound', () => {
    const r = rowInterpolation([0, 0, 0], [0, 0, -44], 2);
    expect(r.p[2]).toBeCloseTo(-24, 6); // S1/S2 … S3/S4 junctions at 28, 52, 72 mm
    expect(r.halfStepMm).toBeCloseTo(10, 6);
  });
  it('raises S2 between found S1 and S3 on each side, the course from the row where the fit left it', () => {
    const s = setUp();
    const before = { L: { ...at(s, 'S2_L') }, R: { ...at(s, 'S2_R') } };
    run(s);
    expect([conf(s, 'S2_L'), conf(s, 'S2_R')]).toEqual([FOUND_CONFIDENCE, FOUND_CONFIDENCE]);
    expect(s.evidence.S2_L!.rowCorroborated).toBe(true);
    // the openings stay where the image put them
    expect(at(s, 'S2_L').anteriorLps).toEqual(before.L.anteriorLps);
    expect(at(s, 'S2_R').anteriorLps).toEqual(before.R.anteriorLps);
    // S2_L's 37 mm fit ran into the body (36° off its neighbours'): the row's course; S2_R's (19°) kept, lengthened
    const rowL = dir({ ...at(s, 'S1_L') });
    expect(angleDeg(dir(at(s, 'S2_L')), dir(before.L))).toBeGreaterThan(30);
    expect(angleDeg(dir(at(s, 'S2_L')), rowL)).toBeLessThan(25);
    expect(angleDeg(dir(at(s, 'S2_R')), dir(before.R))).toBeLessThan(0.01);
    expect(lengthOf(at(s, 'S2_L'))).toBeCloseTo(0.5 * (lengthOf(at(s, 'S1_L')) + lengthOf(at(s, 'S3_L'))), 6);
    expect(lengthOf(at(s, 'S2_R'))).toBeGreaterThan(9.1);
    expect(s.messages.filter((m) => m.includes('placed by its row'))).toHaveLength(2);
    // S4 (below the row's last found level) is not this rule's
    expect([conf(s, 'S4_L'), conf(s, 'S4_R')]).toEqual([0.38, 0.38]);
  });
  it('leaves a level the detector doubts for another reason (a rival tunnel, its count)', () => {
    const s = setUp((x) => { x.course.delete('S2_L'); });
    run(s);
    expect([conf(s, 'S2_L'), conf(s, 'S2_R')]).toEqual([0.4, FOUND_CONFIDENCE]);
  });
  it('leaves a side whose neighbour is not found on its own evidence; the other side is judged alone', () => {
    for (const edit of [
      (x: Setup) => { at(x, 'S3_L').confidence = 0.55; },
      (x: Setup) => { x.doubted.add('S3_L'); },
      (x: Setup) => { x.evidence.S3_L!.rowCorroborated = true; },
      (x: Setup) => { x.foramina.splice(x.foramina.indexOf(at(x, 'S1_L')), 1); },
    ]) {
      const s = setUp(edit);
      run(s);
      expect([conf(s, 'S2_L'), conf(s, 'S2_R')]).toEqual([0.4, FOUND_CONFIDENCE]);
    }
  });
  it('refuses a look-alike off the row: a step away along it, or beside it', () => {
    for (const move of [[0, 12, -12], [0, -12, 12], [9, 0, 0], [-9, 0, 0], [0, -8, -8]] as Vec3[]) {
      const s = setUp((x) => { const f = at(x, 'S2_L'); f.anteriorLps = f.anteriorLps.map((v, i) => v + move[i]!) as Vec3; f.posteriorLps = f.posteriorLps.map((v, i) => v + move[i]!) as Vec3; });
      run(s);
      expect(conf(s, 'S2_L'), move.join(',')).toBe(0.4);
    }
  });
  it('refuses where no walled lumen lies on the course at the opening, or the size order breaks', () => {
    const none = setUp();
    run(none, 0);
    expect([conf(none, 'S2_L'), conf(none, 'S2_R')]).toEqual([0.4, 0.4]);
    const wide = setUp((x) => { at(x, 'S2_L').radiusMm = 8.5; at(x, 'S2_R').radiusMm = 1.2; });
    run(wide);
    expect([conf(wide, 'S2_L'), conf(wide, 'S2_R')]).toEqual([0.4, 0.4]);
  });
});
