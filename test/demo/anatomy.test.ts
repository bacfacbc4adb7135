import { describe, it, expect } from 'vitest';
import {
  sacralToLps, lpsToSacral, sacralAxes, iliumRawPhiAt, iliumRowAt, iliumRowPhi, newIliumRow,
  sectionAt, newSection, sacrumPhiAt, newSacrumPhi, sacralMassNoTopPhi, FORAMEN_DEFS,
} from '../../src/demo/anatomy';
import { zoneBordersAt } from '../../src/demo/truth';
import { ellipseSdf, superellipse4Sdf, mulberry32 } from '../../src/demo/sdf';
import type { Vec3 } from '../../src/core/vec3';

describe('demo anatomy helpers', () => {
  it('sacral frame: LPS ↔ (x, s, q) round trip, orthonormal local axes', () => {
    const rand = mulberry32(3);
    for (let n = 0; n < 200; n++) {
      const x = -60 + 120 * rand(), s = -10 + 120 * rand(), q = -30 + 80 * rand();
      const p = sacralToLps([0, 0, 0], x, s, q);
      const back = lpsToSacral([0, 0, 0], p);
      expect(back[0]).toBeCloseTo(x, 9);
      expect(back[1]).toBeCloseTo(s, 9);
      expect(back[2]).toBeCloseTo(q, 9);
      const { ex, es, eq } = sacralAxes(s);
      const dot = (a: Vec3, b: Vec3): number => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
      expect(dot(es, eq)).toBeCloseTo(0, 12);
      expect(dot(ex, es)).toBeCloseTo(0, 12);
      expect(dot(es, es)).toBeCloseTo(1, 12);
      // e_q is the direction of increasing q; e_s of increasing s.
      const pq = sacralToLps([0, 0, 0], x, s, q + 1e-4), ps = sacralToLps([0, 0, 0], x, s + 1e-4, 0), p0 = sacralToLps([0, 0, 0], x, s, 0);
      for (let a = 0; a < 3; a++) {
        expect((pq[a]! - p[a]!) / 1e-4).toBeCloseTo(eq[a]!, 5);
        expect((ps[a]! - p0[a]!) / 1e-4).toBeCloseTo(es[a]!, 5);
      }
    }
  });

  it('the row-split ilium distance equals the direct one', () => {
    const rand = mulberry32(5);
    const row = newIliumRow();
    for (let n = 0; n < 2000; n++) {
      const sign = rand() < 0.5 ? 1 : -1;
      const x = sign * (30 + 80 * rand()), y = -70 + 120 * rand(), z = -70 + 120 * rand();
      iliumRowAt(row, sign, y, z);
      expect(iliumRowPhi(row, x)).toBeCloseTo(iliumRawPhiAt(sign, x, y, z), 9);
    }
  });

  it('distance estimates have exact zero sets', () => {
    expect(ellipseSdf(3, 0, 3, 2)).toBeCloseTo(0, 12);
    expect(ellipseSdf(0, -2, 3, 2)).toBeCloseTo(0, 12);
    expect(ellipseSdf(4, 0, 3, 2)).toBeCloseTo(1, 12);
    expect(superellipse4Sdf(5, 0, 5, 2)).toBeCloseTo(0, 12);
    expect(superellipse4Sdf(6, 0, 5, 2)).toBeCloseTo(1, 12);
    expect(superellipse4Sdf(0, 2.5, 5, 2)).toBeCloseTo(0.5, 12);
  });

  it('the sacrum is bone around the foramina and the canal, symmetric left/right', () => {
    const sec = newSection(), phi = newSacrumPhi(), phi2 = newSacrumPhi();
    for (const f of FORAMEN_DEFS) {
      sectionAt(sec, f.sMm, 5);
      sacrumPhiAt(phi, sec, f.xMm);
      expect(phi.foramen).toBeCloseTo(-f.radiusMm, 6);
      expect(phi.bone).toBeGreaterThan(0);
      sacrumPhiAt(phi2, sec, -f.xMm);
      expect(phi2.bone).toBeCloseTo(phi.bone, 12);
      expect(sacralMassNoTopPhi(sec, f.xMm)).toBeLessThan(0);
    }
    sectionAt(sec, 10, 0);
    expect(sacrumPhiAt(phi, sec, 0).bone).toBeLessThan(-5); // S1 body centre: deep in bone
  });

  it('Denis borders interpolate between the foramina and clamp outside', () => {
    const [f1, f2] = FORAMEN_DEFS;
    expect(zoneBordersAt(0)).toEqual({ medial: f1!.xMm - f1!.radiusMm, lateral: f1!.xMm + f1!.radiusMm });
    const mid = zoneBordersAt((f1!.sMm + f2!.sMm) / 2);
    expect(mid.lateral).toBeCloseTo((f1!.xMm + f1!.radiusMm + f2!.xMm + f2!.radiusMm) / 2, 12);
  });
});
