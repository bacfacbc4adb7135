/**
 * Whether a lesion grown from strokes (seeded-grow.ts) may have taken in a tissue that no stroke
 * sampled. The competitive grow gives a voxel to the lesion when its value is nearer a lesion level
 * than any background level (in σ, the strokes' pooled spread). When the background strokes hold a
 * tissue darker and one brighter than the lesion (bracketing its level) and miss a tissue between
 * them, that tissue is "nearer the lesion" and the lesion's front fills it. On the real MR with a faint
 * lesion implanted (prostatex-0218-t2sag-faint F1, 593 in marrow of about 400, test/segmentation/
 * implanted-grow.test.ts), two background rings crossed dark tissue (203) and bright fatty patches
 * (651) only: the marrow between them, 830 voxels at a median 474 outside the truth, went to the
 * lesion (+125 % by the panel's volume), and its outline lies on the marrow's own edges, so the edge
 * check (strokes-edge.ts) saw nothing wrong.
 *
 * Such tissue reads unlike every painted level. A voxel inside the lesion (its six neighbours lesion
 * too) is counted when its value lies more than OUTLIER_Z σ (seed-model.ts: the competitive grow's own bound for
 * "not this tissue's noise", 2.5) from every lesion level and every background level; for noise of that σ about
 * the lesion's level, 1.2 % of the inside lies that far out. Only where background levels bracket the
 * lesion's: otherwise a value between the lesion's level and the background's is what the lesion's
 * own edge looks like smoothed (a sclerotic lesion 50 σ above fatty marrow keeps such a blend two
 * voxels deep on a 0.8 mm grid: 22-66 % of the inside of the fatty phantoms' sclerotic lesions),
 * while between two bracketing background levels it is either their blend or a tissue no stroke
 * covers, neither of them lesion. The lesion is reported when more than MAX_UNSAMPLED (10 %) of its
 * inside is such: then at least that share of its volume is tissue the strokes do not speak for, more
 * than the ±10 % the tool aims at.
 * (Measured: F1 inside two rings, 29 %; every lesion painted as a user paints it on the real scans, 0 %.)
 *
 * Pure: no DOM.
 */
import { kthSmallest } from '../core/select';
import { OUTLIER_Z } from './seed-model';
/** Share of the lesion's inside above which it is reported; see the module comment. */
export const MAX_UNSAMPLED = 0.1;

export interface UnsampledTissue {
  /** Share (0-1) of the lesion's inside voxels that read unlike every painted level. */
  share: number;
  /** Median value (smoothed copy) of those voxels. */
  level: number;
  /** Inside voxels measured. */
  inside: number;
  /** Whether background levels lie below and above a lesion level. */
  bracketed: boolean;
}

/**
 * The lesion's (owner === 1) inside voxels in a box that lie more than OUTLIER_Z σ from every
 * lesion and background level, on `value` (the copy the levels were read on); null when the lesion has
 * no inside voxel.
 */
export function unsampledTissue(owner: Uint8Array, dims: readonly [number, number, number], value: Float32Array, sigma: number, lesionLevels: readonly number[], backgroundLevels: readonly number[]): UnsampledTissue | null {
  const [bi, bj, bk] = dims;
  const bij = bi * bj;
  const limit = OUTLIER_Z * sigma;
  const all = [...lesionLevels, ...backgroundLevels];
  const bracketed = lesionLevels.some((L) => backgroundLevels.some((B) => B < L) && backgroundLevels.some((B) => B > L));
  const far: number[] = [];
  let inside = 0;
  for (let k = 1; k < bk - 1; k++) for (let j = 1; j < bj - 1; j++) for (let i = 1; i < bi - 1; i++) {
    const n = i + bi * (j + bj * k);
    if (owner[n] !== 1 || owner[n - 1] !== 1 || owner[n + 1] !== 1 || owner[n - bi] !== 1 || owner[n + bi] !== 1 || owner[n - bij] !== 1 || owner[n + bij] !== 1) continue;
    inside++;
    const v = value[n]!;
    if (all.every((L) => Math.abs(v - L) > limit)) far.push(v);
  }
  if (inside === 0) return null;
  return { share: far.length / inside, level: far.length ? kthSmallest(far, far.length, far.length >> 1) : NaN, inside, bracketed };
}

/** Whether too much of the lesion's inside is a tissue no stroke sampled (see the module comment). */
export function unsampledReported(u: UnsampledTissue | null | undefined): u is UnsampledTissue {
  return !!u && u.bracketed && u.share > MAX_UNSAMPLED;
}

/** The panel's words for a lesion that took in unsampled tissue. */
export function unsampledMessage(u: UnsampledTissue): string {
  return `${Math.round(100 * u.share)} % of this lesion reads unlike both your lesion and your background strokes (values near ${Math.round(u.level)}, between the tissues you painted as background): it may hold a tissue no stroke covers. Paint background over it if it is not lesion, or erase.`;
}
