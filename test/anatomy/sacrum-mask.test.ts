/**
 * Pieces of the sacrum mask (src/anatomy/sacrum-mask.ts) on volumes built in code.
 */
import { describe, expect, it } from 'vitest';
import { removeOpenLumen } from '../../src/anatomy/sacrum-mask';

describe('removeOpenLumen', () => {
  // 20³ grid: a bone block (300 HU) in fat (-100 HU); a dark tunnel (-60 HU) through it along x,
  // an enclosed dark cavity (-60 HU, like fatty marrow) and a dark voxel pocket open only through bone
  const dims = [20, 20, 20] as const;
  const N = 20 * 20 * 20;
  const at = (a: number, b: number, c: number) => a + 20 * (b + 20 * c);
  const value = new Float32Array(N).fill(-100);
  const mask = new Uint8Array(N);
  for (let c = 4; c < 16; c++) for (let b = 4; b < 16; b++) for (let a = 4; a < 16; a++) { value[at(a, b, c)] = 300; mask[at(a, b, c)] = 1; }
  for (let a = 4; a < 16; a++) value[at(a, 6, 6)] = -60; // tunnel, open at both ends
  for (let c = 10; c < 13; c++) for (let b = 10; b < 13; b++) for (let a = 10; a < 13; a++) value[at(a, b, c)] = -60; // cavity

  it('removes the dark tunnel open to the outside and keeps the enclosed dark cavity; input values untouched', () => {
    const m = Uint8Array.from(mask);
    const before = Float32Array.from(value);
    const removed = removeOpenLumen(m, value, dims, -40);
    expect(removed).toBe(12);
    for (let a = 4; a < 16; a++) expect(m[at(a, 6, 6)]).toBe(0);
    expect(m[at(11, 11, 11)]).toBe(1);
    expect(m[at(8, 8, 8)]).toBe(1);
    expect(value).toEqual(before);
  });

  it('keeps everything when the threshold is below the lumen', () => {
    const m = Uint8Array.from(mask);
    expect(removeOpenLumen(m, value, dims, -80)).toBe(0);
    expect(m).toEqual(mask);
  });
});
