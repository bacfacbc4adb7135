/**
 * The anterior-surface map's median filter (src/anatomy/detect/surface-map.ts): the sliding histogram over half-unit
 * depths gives medianAt's value at every pixel, NaNs, borders and windows under half full included.
 */
import { describe, expect, it } from 'vitest';
import { mulberry32 as rng } from '../../../src/core/random';
import { medianAt, medianFilter } from '../../../src/anatomy/detect/surface-map';


function byMedianAt(m: Float32Array, ns: number, nu: number, r: number): Float32Array {
  const out = new Float32Array(m.length), buf = new Float64Array((2 * r + 1) ** 2);
  for (let i = 0; i < ns; i++) for (let j = 0; j < nu; j++) out[i * nu + j] = medianAt(m, ns, nu, r, i, j, buf);
  return out;
}

describe('medianFilter', () => {
  it('equals medianAt at every pixel on surface depths (half-mm steps, gaps, edges)', () => {
    const next = rng(7);
    for (let trial = 0; trial < 12; trial++) {
      const ns = 5 + Math.floor(next() * 40), nu = 5 + Math.floor(next() * 40), r = 1 + (trial % 8);
      const gaps = trial % 3 === 0 ? 0.6 : 0.15;
      const m = new Float32Array(ns * nu);
      // a surface 0–20 mm deep with openings (deeper) and lines that met nothing (NaN), as the march records them
      for (let n = 0; n < m.length; n++) m[n] = next() < gaps ? NaN : -45 + 0.5 * Math.floor(90 + next() * 40 + (next() < 0.1 ? 30 : 0));
      expect([...medianFilter(m, ns, nu, r)]).toEqual([...byMedianAt(m, ns, nu, r)]);
    }
  });
  it('takes any other map the direct way, to the same values', () => {
    const next = rng(3);
    const ns = 20, nu = 17, m = new Float32Array(ns * nu).map(() => (next() < 0.2 ? NaN : next() * 30 - 10));
    expect([...medianFilter(m, ns, nu, 3)]).toEqual([...byMedianAt(m, ns, nu, 3)]);
    const wide = new Float32Array(ns * nu).map((_, n) => (n % 2 ? 0 : 600 + 0.5 * (n % 7)));
    expect([...medianFilter(wide, ns, nu, 2)]).toEqual([...byMedianAt(wide, ns, nu, 2)]);
    expect([...medianFilter(new Float32Array(12).fill(NaN), 3, 4, 1)].every((v) => Number.isNaN(v))).toBe(true);
  });
});
