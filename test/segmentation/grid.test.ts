import { describe, expect, it } from 'vitest';
import { nonZeroBox } from '../../src/segmentation/grid';

function brute(data: Uint8Array, dims: [number, number, number]): number[] | null {
  const [ni, nj, nk] = dims;
  let b: number[] | null = null;
  for (let k = 0, o = 0; k < nk; k++) for (let j = 0; j < nj; j++) for (let i = 0; i < ni; i++, o++) {
    if (!data[o]) continue;
    if (!b) b = [i, j, k, i, j, k];
    else { b[0] = Math.min(b[0]!, i); b[1] = Math.min(b[1]!, j); b[2] = Math.min(b[2]!, k); b[3] = Math.max(b[3]!, i); b[4] = Math.max(b[4]!, j); b[5] = Math.max(b[5]!, k); }
  }
  return b;
}

describe('nonZeroBox', () => {
  it('equals a voxel-by-voxel scan for any row length, buffer offset and mask', () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 4294967296);
    let checked = 0;
    for (const dims of [[13, 7, 5], [16, 4, 3], [1, 9, 4], [3, 1, 1], [29, 6, 2]] as [number, number, number][]) {
      const n = dims[0] * dims[1] * dims[2];
      for (const offset of [0, 1, 2, 3, 5]) for (let trial = 0; trial < 30; trial++) {
        const buf = new Uint8Array(n + offset + 3);
        const data = buf.subarray(offset, offset + n);
        // fill the bytes around with junk: they must not count
        buf.fill(1);
        data.fill(0);
        const kind = trial % 3;
        if (kind === 1) data[Math.floor(rnd() * n)] = 1 + Math.floor(rnd() * 255);
        if (kind === 2) { const m = 1 + Math.floor(rnd() * 6); for (let t = 0; t < m; t++) data[Math.floor(rnd() * n)] = 200; }
        expect(nonZeroBox(data, dims)).toEqual(brute(data, dims));
        checked++;
      }
    }
    expect(checked).toBe(750);
  });
});
