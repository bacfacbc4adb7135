/**
 * LabelMap.rebuildIndex (used when a whole label map is loaded: a restored case, an opened plan)
 * skips zero words; its counts and boxes must equal a plain voxel-by-voxel count on any grid
 * (row lengths not a multiple of 4, labels at row ends, an unaligned view).
 */
import { describe, expect, it } from 'vitest';
import { LabelMap } from '../../src/segmentation/labelmap';
import { VolumeGeometry } from '../../src/core/geometry';

function naive(data: Uint8Array, dims: [number, number, number]) {
  const counts = new Map<number, number>(), boxes = new Map<number, number[]>();
  let n = 0;
  for (let k = 0; k < dims[2]; k++) for (let j = 0; j < dims[1]; j++) for (let i = 0; i < dims[0]; i++, n++) {
    const l = data[n]!;
    counts.set(l, (counts.get(l) ?? 0) + 1);
    if (!l) continue;
    const b = boxes.get(l) ?? [i, j, k, i, j, k];
    boxes.set(l, [Math.min(b[0]!, i), Math.min(b[1]!, j), Math.min(b[2]!, k), Math.max(b[3]!, i), Math.max(b[4]!, j), Math.max(b[5]!, k)]);
  }
  return { counts, boxes };
}

describe('LabelMap.rebuildIndex', () => {
  for (const dims of [[13, 7, 5], [16, 8, 4], [5, 3, 2], [1, 9, 3]] as [number, number, number][]) {
    it(`equals a voxel-by-voxel count on ${dims.join('×')}`, () => {
      let s = 7;
      const rand = () => ((s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
      const g = new VolumeGeometry({ dims, spacingMm: [1, 1, 1], originLps: [0, 0, 0], directionCosines: [1, 0, 0, 0, 1, 0, 0, 0, 1] });
      for (let t = 0; t < 30; t++) {
        const backing = new Uint8Array(g.voxelCount + 1);
        const data = t % 2 ? backing.subarray(1) : backing.subarray(0, g.voxelCount);
        for (let o = 0; o < data.length; o++) data[o] = rand() < 0.9 - t * 0.02 ? 0 : 1 + Math.floor(rand() * 4);
        const m = new LabelMap(g, data);
        const ref = naive(data, dims);
        for (let l = 0; l <= 5; l++) {
          expect(m.count(l), `label ${l}`).toBe(ref.counts.get(l) ?? 0);
          if (l) expect(m.box(l) ? [...m.box(l)!] : null, `box ${l}`).toEqual(ref.boxes.get(l) ?? null);
        }
      }
    });
  }
});
