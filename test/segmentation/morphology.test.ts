import { describe, expect, it } from 'vitest';
import { squaredDistanceTo } from '../../src/segmentation/morphology';

describe('squaredDistanceTo', () => {
  it('equals the brute-force squared distance to the nearest feature voxel (anisotropic spacing, both feature values, empty rows)', () => {
    const dims: [number, number, number] = [17, 11, 9];
    const sp: [number, number, number] = [0.7, 1.1, 2.3];
    const n = dims[0] * dims[1] * dims[2];
    let seed = 3;
    const rnd = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 4294967296);
    for (const density of [0.002, 0.03, 0.4]) {
      const mask = new Uint8Array(n);
      for (let o = 0; o < n; o++) mask[o] = rnd() < density ? 1 : 0;
      for (const feature of [1, 0] as const) {
        const d2 = squaredDistanceTo(mask, dims, sp, feature);
        const feats: number[][] = [];
        for (let k = 0, o = 0; k < dims[2]; k++) for (let j = 0; j < dims[1]; j++) for (let i = 0; i < dims[0]; i++, o++) if (mask[o] === feature) feats.push([i, j, k]);
        let worst = 0;
        for (let k = 0, o = 0; k < dims[2]; k++) for (let j = 0; j < dims[1]; j++) for (let i = 0; i < dims[0]; i++, o++) {
          let best = Infinity;
          for (const f of feats) best = Math.min(best, ((f[0]! - i) * sp[0]) ** 2 + ((f[1]! - j) * sp[1]) ** 2 + ((f[2]! - k) * sp[2]) ** 2);
          worst = Math.max(worst, best === Infinity ? (d2[o] === Infinity ? 0 : Infinity) : Math.abs(d2[o]! - best));
        }
        expect(feats.length).toBeGreaterThan(0);
        expect(worst).toBeLessThan(1e-9);
      }
    }
  });

  it('is Infinity everywhere without a feature voxel', () => {
    const d2 = squaredDistanceTo(new Uint8Array(60), [5, 4, 3], [1, 1, 1], 1);
    expect([...d2].every((x) => x === Infinity)).toBe(true);
  });
});
