/**
 * houghLine counts its bins in a grid; the result must be what counting them in a Map (keyed bins, visited
 * in insertion order, the first maximum kept) gives, ties included.
 */
import { describe, expect, it } from 'vitest';
import type { Vec3 } from '../../../src/core/vec3';
import { houghLine } from '../../../src/anatomy/detect/geometry';

/** The definition: bins in a Map, in the order they are first filled. */
function houghLineReference(pts: readonly Vec3[], h: number, alphaCentreDeg = 0): { p: Vec3; d: Vec3 } {
  const bin = Math.max(1.5, h);
  let best = { score: -1, p: [0, 0, 0] as Vec3, d: [0, 1, 0] as Vec3 };
  const a0 = Math.min(-50, 5 * Math.round(alphaCentreDeg / 5) - 50), a1 = Math.max(50, 5 * Math.round(alphaCentreDeg / 5) + 50);
  for (let alpha = a0; alpha <= a1; alpha += 5) for (let beta = -20; beta <= 20; beta += 5) {
    const al = (alpha * Math.PI) / 180, be = (beta * Math.PI) / 180;
    const d: Vec3 = [Math.sin(be), Math.cos(be) * Math.cos(al), Math.cos(be) * Math.sin(al)];
    const u: Vec3 = [Math.cos(be), -Math.sin(be) * Math.cos(al), -Math.sin(be) * Math.sin(al)];
    const w: Vec3 = [d[1] * u[2] - d[2] * u[1], d[2] * u[0] - d[0] * u[2], d[0] * u[1] - d[1] * u[0]];
    const counts = new Map<number, number>();
    for (const q of pts) {
      const iu = Math.round((q[0] * u[0] + q[1] * u[1] + q[2] * u[2]) / bin), iw = Math.round((q[0] * w[0] + q[1] * w[1] + q[2] * w[2]) / bin);
      const key = (iu + 4096) * 8192 + (iw + 4096);
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    for (const [key, cnt] of counts) {
      if (cnt <= best.score) continue;
      const iu = Math.floor(key / 8192) - 4096, iw = (key % 8192) - 4096;
      let sum = 0, su = 0, sw = 0;
      for (let du = -1; du <= 1; du++) for (let dw = -1; dw <= 1; dw++) {
        const c = counts.get((iu + du + 4096) * 8192 + (iw + dw + 4096)) ?? 0;
        sum += c; su += c * (iu + du); sw += c * (iw + dw);
      }
      sum = Math.max(sum, 1);
      const cu = (su / sum) * bin, cw = (sw / sum) * bin;
      best = { score: cnt, p: [u[0] * cu + w[0] * cw, u[1] * cu + w[1] * cw, u[2] * cu + w[2] * cw], d };
    }
  }
  return { p: best.p, d: best.d };
}

describe('houghLine', () => {
  it('equals the Map-counted definition (tubes, noise, few points with ties, negative coordinates, a tilted centre)', () => {
    let seed = 11;
    const rnd = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 4294967296);
    const clouds: { pts: Vec3[]; h: number; alpha: number }[] = [];
    for (let t = 0; t < 12; t++) {
      const pts: Vec3[] = [];
      const c: Vec3 = [(rnd() - 0.5) * 200, (rnd() - 0.5) * 200, (rnd() - 0.5) * 400 - 300];
      const d: Vec3 = [(rnd() - 0.5) * 0.6, 1, (rnd() - 0.5) * 1.5];
      const n = t < 3 ? 1 + t : 20 + Math.floor(rnd() * 400);
      for (let k = 0; k < n; k++) {
        const s = (rnd() - 0.5) * 30, r = t % 4 === 0 ? 15 : 2.5;
        pts.push([c[0] + d[0] * s + (rnd() - 0.5) * r, c[1] + d[1] * s + (rnd() - 0.5) * r, c[2] + d[2] * s + (rnd() - 0.5) * r]);
      }
      clouds.push({ pts, h: t % 2 ? 1 : 2.5, alpha: t % 3 === 0 ? 0 : (rnd() - 0.5) * 60 });
    }
    // integer lattice points: many equal counts
    const lattice: Vec3[] = [];
    for (let x = 0; x < 4; x++) for (let y = 0; y < 4; y++) for (let z = 0; z < 4; z++) lattice.push([x * 3, y * 3, z * 3]);
    clouds.push({ pts: lattice, h: 1.5, alpha: 0 }, { pts: [], h: 1, alpha: 0 });
    for (const { pts, h, alpha } of clouds) expect(houghLine(pts, h, alpha)).toEqual(houghLineReference(pts, h, alpha));
  });
});
