/**
 * disc-reading.ts on code-built midline slabs (3 mm grid, as the coarse stage reads them): an L5 and an S1 body
 * (fatty marrow 110 HU inside a 1.2 mm 900 HU cortex, 35 mm deep), the disc (85 HU) between their endplates, soft
 * tissue (30 HU) around, each voxel the mean of 3 × 3 point samples. The plates parallel at 40° (a supine
 * lumbosacral junction), or a 45° wedge as on fatty-flat-cut-s2 (L5's endplate 28°, S1's 73°, the L5 endplate's
 * centre 11 mm from S1's along 34°: the generator's L5, sacrum_geometry.py).
 */
import { describe, expect, it } from 'vitest';
import { chooseDiscReading, lowerPlate, narrowReading, wideReading, type DiscReading, type DiscSlab } from '../../src/anatomy/disc-reading';

const H = 3, Y0 = -60, Z0 = -60, N = 41;
const rad = (d: number) => (d * Math.PI) / 180;

/** A body: the rectangle 35 mm deep along its endplate (angle deg through p, in y posterior / z cranial) and `height` mm on `side` of it. */
interface Body { p: [number, number]; deg: number; height: number; side: 1 | -1 }
function local(b: Body, y: number, z: number): [number, number] {
  const d = [Math.cos(rad(b.deg)), Math.sin(rad(b.deg))], n = [-d[1]!, d[0]!];
  return [(y - b.p[0]) * d[0]! + (z - b.p[1]) * d[1]!, ((y - b.p[0]) * n[0]! + (z - b.p[1]) * n[1]!) * b.side];
}
function hu(bodies: Body[], y: number, z: number): number {
  for (const b of bodies) {
    const [u, v] = local(b, y, z);
    if (Math.abs(u) <= 17.5 && v >= 0 && v <= b.height) return Math.min(17.5 - Math.abs(u), v, b.height - v) <= 1.2 ? 900 : 110;
  }
  // the disc: between the two endplates, within the bodies' depth
  const [u1, v1] = local(bodies[1]!, y, z), [, v5] = local(bodies[0]!, y, z);
  return Math.abs(u1) <= 17.5 && v1 < 0 && v5 < 0 ? 85 : 30;
}
function slabOf(bodies: Body[], limitYmm: number): DiscSlab {
  const slab = new Float32Array(N * N);
  for (let c = 0; c < N; c++) for (let b = 0; b < N; b++) {
    let s = 0;
    for (let i = -1; i <= 1; i++) for (let j = -1; j <= 1; j++) s += hu(bodies, Y0 + b * H + i, Z0 + c * H + j);
    slab[b + N * c] = s / 9;
  }
  return { slab, nb: N, nc: N, h: H, boneHu: 120, limitB: (limitYmm - Y0) / H, cLo: Math.round((-25 - Z0) / H), cHi: Math.round((25 - Z0) / H) };
}
/** Distance (mm) of the point (y, z) from S1's superior endplate as a reading puts it. */
function offPlate(x: DiscReading, y: number, z: number): number {
  const p = lowerPlate(x, H), th = rad(p.deg);
  return Math.abs((y - (Y0 + p.b * H)) * -Math.sin(th) + (z - (Z0 + p.c * H)) * Math.cos(th));
}

describe('disc-reading: the L5/S1 disc read with how far it is trusted', () => {
  it('parallel plates at 40°: the narrow reading, confirmed by the wide one', () => {
    const n40: [number, number] = [-Math.sin(rad(40)), Math.cos(rad(40))];
    // S1's endplate centre at the origin, L5's 10 mm above it along the normal (the disc's height)
    const bodies: Body[] = [{ p: [10 * n40[0], 10 * n40[1]], deg: 40, height: 27, side: 1 }, { p: [0, 0], deg: 40, height: 28, side: -1 }];
    // the anterior limit: the S1 body's centre less 10 mm (sacrum-mask.ts)
    const s = slabOf(bodies, 14 * Math.sin(rad(40)) - 10);
    const r = chooseDiscReading(narrowReading(s), wideReading(s), H)!;
    expect(r.confidence.used).toBe('narrow');
    expect(r.confidence.trusted).toBe(true);
    expect(Math.abs(r.reading.lowerDeg - 40)).toBeLessThanOrEqual(5);
    expect(offPlate(r.reading, 0, 0)).toBeLessThanOrEqual(H);
  });

  it('a 45° wedge under an upright L5: read by the wide search with each plate at its own angle, the narrow line replaced', () => {
    const e5: [number, number] = [-11 * Math.sin(rad(34)), 11 * Math.cos(rad(34))];
    const bodies: Body[] = [{ p: e5, deg: 28, height: 27, side: 1 }, { p: [0, 0], deg: 73, height: 28, side: -1 }];
    const s = slabOf(bodies, 14 * Math.sin(rad(73)) - 10);
    const narrow = narrowReading(s), wide = wideReading(s);
    const r = chooseDiscReading(narrow, wide, H)!;
    expect(r.confidence.used).toBe('wide');
    expect(r.confidence.trusted).toBe(true);
    expect(Math.abs(r.reading.lowerDeg - 73)).toBeLessThanOrEqual(5);
    expect(Math.abs(r.reading.upperDeg - 28)).toBeLessThanOrEqual(5);
    expect(r.confidence.wedgeGainHu).toBeGreaterThan(0);
    expect(offPlate(r.reading, 0, 0)).toBeLessThanOrEqual(H);
    // the parallel-plates model cannot read it: its best line is fainter and puts S1's endplate elsewhere
    if (narrow) expect(offPlate(narrow, 0, 0) > H || Math.abs(narrow.lowerDeg - 73) > 10).toBe(true);
  });

  describe('chooseDiscReading: which reading is used, and whether it is trusted', () => {
    const reading = (o: Partial<DiscReading>): DiscReading => ({ b: 20, c: 20, deg: 40, upperDeg: 40, lowerDeg: 40, upMm: 5, dnMm: 5, upHu: 300, dnHu: 300, darkHu: 80, score: 200, search: 'narrow', ...o });
    const far = reading({ b: 14, c: 26, deg: 60, upperDeg: 50, lowerDeg: 70, search: 'wide' });
    it('agreeing readings: the narrow one, trusted', () => {
      const w = reading({ b: 20.5, search: 'wide', score: 240 });
      const r = chooseDiscReading(reading({}), { best: w, parallel: w }, H)!;
      expect([r.confidence.used, r.confidence.trusted, r.confidence.rivalHu]).toEqual(['narrow', true, null]);
    });
    it('a contradicting wide reading 1.25× brighter or more: the wide one, trusted', () => {
      const r = chooseDiscReading(reading({ score: 100 }), { best: { ...far, score: 125 }, parallel: { ...far, upperDeg: 60, lowerDeg: 60, score: 100 } }, H)!;
      expect([r.confidence.used, r.confidence.trusted, r.confidence.rivalHu, r.confidence.wedgeGainHu]).toEqual(['wide', true, 100, 25]);
    });
    it('a contradicting wide reading of like contrast: the narrow one, in doubt', () => {
      const r = chooseDiscReading(reading({ score: 200 }), { best: { ...far, score: 220 }, parallel: far }, H)!;
      expect([r.confidence.used, r.confidence.trusted, r.confidence.rivalHu]).toEqual(['narrow', false, 220]);
    });
  });
});
