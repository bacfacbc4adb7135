/**
 * The unsampled-tissue check of the Strokes tool (strokes-unsampled.ts) on a box whose lesion holds
 * a tissue of a level between two painted background levels (the faint MR lesion's case).
 */
import { describe, expect, it } from 'vitest';
import { unsampledTissue, unsampledReported, unsampledMessage, MAX_UNSAMPLED } from '../../src/segmentation/strokes-unsampled';

/** A 20³ box, the lesion a 12³ cube in its middle; `inner(i, j, k)` the value of its voxels. */
function box(inner: (i: number, j: number, k: number) => number) {
  const n = 20, dims = [n, n, n] as const;
  const owner = new Uint8Array(n ** 3).fill(2), value = new Float32Array(n ** 3).fill(203);
  for (let k = 4; k < 16; k++) for (let j = 4; j < 16; j++) for (let i = 4; i < 16; i++) {
    const m = i + n * (j + n * k);
    owner[m] = 1;
    value[m] = inner(i, j, k);
  }
  return { owner, value, dims };
}

describe('unsampled tissue inside a lesion grown from strokes', () => {
  it('a third of the inside at a level between the two background levels and unlike all: reported, with its level', () => {
    // lesion 593, background 203 and 651, σ 34: 474 is more than 2.5 σ from each
    const { owner, value, dims } = box((i) => (i < 8 ? 474 : 593));
    const u = unsampledTissue(owner, dims, value, 34, [593], [203, 651]);
    expect(u!.bracketed).toBe(true);
    expect(u!.share).toBeGreaterThan(MAX_UNSAMPLED);
    expect(unsampledReported(u)).toBe(true);
    expect(unsampledMessage(u!)).toMatch(/^\d+ % of this lesion reads unlike both your lesion and your background strokes \(values near 474, between the tissues you painted as background\)/);
  });
  it('the same values with one background level (not bracketing the lesion): a blend of the lesion and it, not reported', () => {
    const { owner, value, dims } = box((i) => (i < 8 ? 474 : 593));
    const u = unsampledTissue(owner, dims, value, 34, [593], [203]);
    expect(u!.bracketed).toBe(false);
    expect(u!.share).toBeGreaterThan(MAX_UNSAMPLED);
    expect(unsampledReported(u)).toBe(false);
  });
  it('an inside at the lesion\'s level with noise: nothing reported', () => {
    let s = 7;
    const rnd = () => ((s = (s * 16807) % 2147483647) / 2147483647);
    const { owner, value, dims } = box(() => 593 + 34 * (rnd() + rnd() + rnd() - 1.5) * 2);
    const u = unsampledTissue(owner, dims, value, 34, [593], [203, 651]);
    expect(u!.share).toBeLessThan(0.02);
    expect(unsampledReported(u)).toBe(false);
  });
});
