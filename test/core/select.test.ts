/** kthSmallest gives the value a sort puts at k, with many ties and without. */
import { describe, expect, it } from 'vitest';
import { kthSmallest } from '../../src/core/select';

describe('kthSmallest', () => {
  it('equals sorting and indexing, for every k, on random data with and without ties', () => {
    let seed = 5;
    const rnd = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 4294967296);
    let checked = 0;
    for (let t = 0; t < 200; t++) {
      const n = 1 + Math.floor(rnd() * 60);
      const ties = t % 3 === 0;
      const vals = Array.from({ length: n }, () => (ties ? Math.floor(rnd() * 5) : rnd() * 2000 - 1000));
      const sorted = [...vals].sort((a, b) => a - b);
      for (let k = 0; k < n; k++) {
        const a = Float64Array.from(vals);
        expect(kthSmallest(a, n, k)).toBe(sorted[k]);
        checked++;
      }
      // only the first n entries are looked at
      const padded = Float64Array.from([...vals, -1e9, 1e9]);
      expect(kthSmallest(padded, n, n >> 1)).toBe(sorted[n >> 1]);
    }
    expect(checked).toBeGreaterThan(3000);
  });
});
