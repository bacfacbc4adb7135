/** Window/level presets (HU). MR "auto" comes from the histogram. Pure. */
import type { VoxelArray } from '../core/volume';

export const WINDOW_PRESETS = {
  bone: { widthHu: 2000, centerHu: 500, label: 'Bone W2000/L500' },
  soft: { widthHu: 400, centerHu: 40, label: 'Soft tissue W400/L40' },
} as const;

/**
 * Automatic window from the value histogram: the 1st to 99.5th percentile of a strided sample
 * of the voxels (ignoring the lowest value, which is usually background/padding).
 */
export function autoWindow(voxels: VoxelArray, maxSamples = 200_000): { widthHu: number; centerHu: number } {
  const n = voxels.length;
  const step = Math.max(1, Math.floor(n / maxSamples));
  const sample: number[] = [];
  let min = Infinity;
  for (let i = 0; i < n; i += step) { const v = voxels[i]!; if (v < min) min = v; }
  for (let i = 0; i < n; i += step) { const v = voxels[i]!; if (v > min) sample.push(v); }
  if (sample.length === 0) return { widthHu: 1, centerHu: min };
  sample.sort((a, b) => a - b);
  const lo = sample[Math.floor(sample.length * 0.01)]!;
  const hi = sample[Math.min(sample.length - 1, Math.floor(sample.length * 0.995))]!;
  const width = Math.max(1, hi - lo);
  return { widthHu: width, centerHu: lo + width / 2 };
}
