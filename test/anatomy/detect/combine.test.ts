/**
 * combineForamina (src/anatomy/detect/combine.ts): one set of foramina from the tunnels found inside the
 * bone and the chain of openings on the anterior surface. Constructed foramina on a straight sacrum
 * (long axis along −z, s = −z mm), tunnels along +y.
 */
import { describe, expect, it } from 'vitest';
import { combineForamina } from '../../../src/anatomy/detect/combine';
import type { Foramen, SacralLevel, Side } from '../../../src/anatomy/types';

const sOf = (p: readonly number[]) => -p[2]!;

/** A tunnel at arc length s (mm), |x| = 22 mm, 20 mm long along +y. */
function tunnel(level: SacralLevel, side: Side, s: number, radiusMm: number, dx = 0): Foramen {
  const x = (side === 'L' ? 22 : -22) + dx;
  return { id: `${level}_${side}`, level, side, anteriorLps: [x, 0, -s], posteriorLps: [x, 20, -s], radiusMm, confidence: 0.9, source: 'auto' };
}
const pair = (level: SacralLevel, s: number, r: number): Foramen[] => [tunnel(level, 'L', s, r), tunnel(level, 'R', s, r)];

describe('combineForamina', () => {
  it('without a surface chain the inside search stands unchanged', () => {
    const inside = [...pair('S1', 25, 4.5), ...pair('S2', 49, 3.8)];
    const r = combineForamina(inside, [], sOf, []);
    expect(r.foramina).toBe(inside);
    expect(r.doubts).toEqual({});
  });

  it('adds the levels only the surface found, keeps the inside tunnel where both saw one', () => {
    const inside = pair('S1', 25, 4.5).map((f) => ({ ...f, confidence: 0.77 }));
    const surface = [...pair('S1', 26, 4.4), ...pair('S2', 49, 3.8), ...pair('S3', 69, 3), ...pair('S4', 85, 2.5)];
    const r = combineForamina(inside, surface, sOf, []);
    expect(r.foramina.map((f) => f.id).sort()).toEqual(['S1_L', 'S1_R', 'S2_L', 'S2_R', 'S3_L', 'S3_R', 'S4_L', 'S4_R']);
    expect(r.foramina.find((f) => f.id === 'S1_L')!.confidence).toBe(0.77); // the inside tunnel
    expect(r.foramina.find((f) => f.id === 'S3_L')!.anteriorLps[2]).toBe(-69);
  });

  it("keeps the surface's fitted tunnel where the inside search did not measure the axis (thick slices)", () => {
    const inside = [...pair('S1', 25, 4.5), ...pair('S2', 49, 3.8)].map((f) => ({ ...f, confidence: 0.66 }));
    const surface = [...pair('S1', 26, 4.4), ...pair('S2', 50, 3.9)];
    const fine = combineForamina(inside, surface, sOf, []);
    expect(fine.foramina.every((f) => f.confidence === 0.66)).toBe(true);
    const thick = combineForamina(inside, surface, sOf, [], { insideAxisMeasured: false });
    expect(thick.foramina.every((f) => f.confidence === 0.9)).toBe(true);
    expect(-thick.foramina.find((f) => f.id === 'S2_L')!.anteriorLps[2]).toBe(50);
  });

  it("an inside search's two tunnels of one level outweigh the surface's reading only where they are mirror images", () => {
    // the surface chain S1–S4 numbered from the disc; the inside search's S1 "pair": one tunnel 10 mm up the chain
    // (x 22) and one 11 mm from the midline (fatty-thick4p5mm: 39 mm from mirror images)
    const surface = [...pair('S1', 26, 4.4), ...pair('S2', 49, 3.8), ...pair('S3', 69, 3), ...pair('S4', 85, 2.5)];
    const inside = [tunnel('S1', 'L', 16, 2.6), tunnel('S1', 'R', 16, 1.2, 11)];
    // mirror images about x = 0: each anterior opening mirrored onto the other's axis
    const mirrorOff = (a: Foramen, b: Foramen) => Math.hypot(a.anteriorLps[0] + b.anteriorLps[0], a.anteriorLps[2] - b.anteriorLps[2]);
    const msgs: string[] = [];
    const r = combineForamina(inside, surface, sOf, msgs, { surfaceNumberedFromDisc: true, mirrorOff });
    expect(-r.foramina.find((f) => f.id === 'S1_L')!.anteriorLps[2]).toBe(26);
    expect(r.foramina.find((f) => f.id === 'S1_R')!.anteriorLps[0]).toBe(-22);
    expect(msgs.join('\n')).toMatch(/S1_R of the search inside the bone left out/);
    // a mirror pair inside the bone (both at s 16, x ±22) is kept over the surface's reading, as before
    const paired = combineForamina(pair('S1', 16, 4.5), surface, sOf, [], { surfaceNumberedFromDisc: true, mirrorOff });
    expect(-paired.foramina.find((f) => f.id === 'S1_L')!.anteriorLps[2]).toBe(16);
  });

  it('numbers a shorter surface chain from the inside search when that found more levels', () => {
    // inside: S1 at s 24 (narrow) and S2–S4; surface: the S2–S4 tunnels, numbered S1–S3 from the frame
    const inside = [...pair('S1', 24, 3), ...pair('S2', 48, 4.8), ...pair('S3', 66, 4), ...pair('S4', 84, 2.5)];
    const surface = [...pair('S1', 48, 5), ...pair('S2', 66, 4.3), ...pair('S3', 84, 3)];
    const msgs: string[] = [];
    const r = combineForamina(inside, surface, sOf, msgs);
    const at = (id: string) => r.foramina.find((f) => f.id === id);
    expect(-at('S2_L')!.anteriorLps[2]).toBe(48);
    expect(-at('S4_R')!.anteriorLps[2]).toBe(84);
    // S1 narrower than the S2 below it (3 vs 5 mm): kept, in doubt
    expect(at('S1_L')).toBeDefined();
    expect(r.doubts.S1_L).toMatch(/narrower/);
    expect(r.doubts.S1_R).toMatch(/narrower/);
    expect(r.doubts.S2_L).toBeUndefined();
  });

  it('does not take the inside numbering when the inside search found fewer levels (it may have missed S1)', () => {
    // inside found only the S3 pair, calling it S1; the surface chain has all four
    const inside = pair('S1', 69, 3);
    const surface = [...pair('S1', 25, 4.5), ...pair('S2', 49, 3.8), ...pair('S3', 69, 3), ...pair('S4', 85, 2.5)];
    const r = combineForamina(inside, surface, sOf, []);
    expect(r.foramina.filter((f) => f.level === 'S1').every((f) => -f.anteriorLps[2] === 25)).toBe(true);
    expect(r.foramina).toHaveLength(8);
  });

  it('two readings of one level: the inside mirror pair wins, an unpaired inside one gives way', () => {
    const surface = [...pair('S1', 25, 4.5), ...pair('S2', 49, 3.8)];
    // the inside S2 pair lies 9 mm off the surface's: both paired inside → inside kept
    const pairedInside = [...pair('S1', 25, 4.5), ...pair('S2', 49, 3.8).map((f) => ({ ...f, anteriorLps: [f.anteriorLps[0], f.anteriorLps[1], -58] as Foramen['anteriorLps'], posteriorLps: [f.posteriorLps[0], f.posteriorLps[1], -58] as Foramen['posteriorLps'] }))];
    const a = combineForamina(pairedInside, surface, sOf, []);
    expect(-a.foramina.find((f) => f.id === 'S2_L')!.anteriorLps[2]).toBe(58);
    // only S2_L inside, unpaired and off → the surface's S2_L kept
    const unpaired = [...pair('S1', 25, 4.5), { ...tunnel('S2', 'L', 58, 3.8) }];
    const b = combineForamina(unpaired, surface, sOf, []);
    expect(-b.foramina.find((f) => f.id === 'S2_L')!.anteriorLps[2]).toBe(49);
    expect(b.foramina.filter((f) => f.id === 'S2_L')).toHaveLength(1);
  });
});
