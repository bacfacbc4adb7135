/**
 * Seeded 3D region growing for sacral lesions (lytic and sclerotic), with a leak guard.
 *
 * Pipeline (all inside the index box of a ball of `maxRadiusMm` around the seed):
 *  1. Seed statistics: median, mean and SD of the voxels within `seedRadiusMm` of the seed.
 *  2. Lesion kind (`auto`): median < boneHu − 100 → lytic; median > boneHu + 250 → sclerotic;
 *     anything else → custom window median ± 2.5·max(SD, 10). MR and other non-HU images (no
 *     tissue level can be assumed): custom, guard = opening; the lesion's level and the level
 *     around it are measured at the boundary of maximum contrast around the click (a darker or a
 *     brighter lesion), the bound towards the tissue around at their midpoint, the other at the
 *     lesion's level ∓ 3 robust SD (measureMrLevels). Refused where no boundary closes within
 *     the search ball (no edge: patchy real marrow runs on at the click's level), where the pieces
 *     of the tissue around that pass the window and survive the opening could add more than 10 %
 *     to the lesion (the faint-edge check), where the grow runs more than 10 % beyond that
 *     boundary widened by its blur (shareBeyondEdge) or is much smaller than it, and where more than
 *     10 % of the tissue around lies beyond the lesion's level on the other side (oppositeShare: a
 *     faint lesion between two tissues of patchy marrow). The grown edge is then trimmed to the
 *     midpoint to the tissue next to each edge voxel (trimToLocalMidpoint: a T2-bright lesion whose
 *     edge borders fatty patches brighter than the marrow's median).
 *  3. HU window. Each bound sits at the midpoint between the lesion level (seed median) and the
 *     tissue it must be told apart from, because for a symmetric point-spread function the
 *     50 % iso-level of a blurred step edge lies on the true edge (partial-volume neutral):
 *       lytic:     [median − lowerMarginHu, (median + boneHu) / 2]    phantom: [5, 140]
 *       sclerotic: [(median + boneHu) / 2, (median + cortexHu) / 2]   phantom: [575, 1050]
 *     lowerMarginHu (25) is half the lesion-to-foramen contrast of the phantom (30 vs −20 HU);
 *     real foramina hold fat (≈ −100 HU), far below either bound.
 *  4. Leak guard (see {@link LeakGuard}):
 *     - `bone-enclosure` (default for lytic/custom): voxels denser than the window (bone) are
 *       closed morphologically with a ball of `closingRadiusMm` (5 mm, larger than the S1
 *       foramen radius 4.5 mm), then holes are filled: the result is the region enclosed by
 *       bone (computed on a 2× coarser grid along axes finer than 1.25 mm). Growth is allowed
 *       only there, so a lesion never runs out through a foramen or a cortical gap narrower
 *       than 2·closingRadiusMm into the soft tissues.
 *     - both guards then apply an opening by reconstruction with a ball of `openingRadiusMm`
 *       (lytic 1 mm, sclerotic 1.5 mm): pockets enclosed by candidates are filled, the
 *       candidates are eroded, the seed's component is kept and dilated back inside the
 *       candidates. This cuts chains of noisy voxels that pass the window inside a foramen
 *       (phantom: foramen −20 HU vs lesion 30 HU, noise 12 HU) and, for sclerotic lesions, the
 *       1-2 voxel partial-volume rim of cortex whose values pass through the sclerotic window.
 *     - `opening` = the opening alone; `none` = neither (plain threshold + flood + fill).
 *     - a lytic CT click that the bone enclosure leaves outside (a break in the cortex wider than
 *       the closing) gets the enclosure of a WIDE_CLOSING_MM closing; the grow is then limited to it
 *       (the break bridged); unless that grow is a lesion breaking out through the break (step 6b),
 *       the first enclosure's reason is given.
 *  5. Flood fill (6-, 18- or 26-connectivity) from the seed, or, when the one clicked voxel is a
 *     noise outlier outside the window its neighbourhood sets, from the nearest voxel of that
 *     neighbourhood inside it. CT clicks on air or fat, and clicks outside bone with the
 *     bone-enclosure guard, are refused with the reason.
 *  6. 3D hole filling of the result (noise voxels inside the lesion).
 *  6b. A region that goes on through a gap in the cortex with tissue of its level beyond (the
 *     enclosure bridged the gap): when bone walls it over most of its surface (MAX_CUT_SHARE) the
 *     part inside the bone is kept, `stoppedAtCortex`, with a note that the part outside was not
 *     included (Strokes adds it); otherwise refused (`cortex-break`).
 *  7. Plausibility (automatic window only): a region that reaches the maxRadiusMm bound leaked
 *     or is not a lesion, and one of fewer than `minVoxels` voxels is not a lesion: both are
 *     refused with the reason in words (`message`), never left as a lesion.
 *  8. CT lytic lesions, automatic window (steps 3-7 repeated):
 *     - the lesion level is re-read from the grown region's voxels deeper than 1.5 mm and the
 *       lesion regrown until it settles; the first grow takes a lower bound one margin lower, so
 *       that a click whose 2 mm ball reads high (near the edge, 3 mm slices) does not keep only a
 *       fragment at a self-consistent level;
 *     - a first grow that runs on may have run into a lumen darker than the lesion but inside its
 *       window (the canal's contents beside a lesion reaching into the canal): where the run-on's
 *       part beyond LUMEN_FAR_MM has its own level on an edge-preserving 1 mm copy, the lower bound
 *       goes to the midpoint between that level and the lesion's, on that copy (beforeLumen);
 *     - the assumed bone level holds when the region closes inside tissue brighter than its window
 *       (median 1.5-3.5 mm outside). Otherwise (fatty marrow: 60-130 HU around a 40-50 HU lesion)
 *       both levels are measured at the lesion's boundary of maximum median contrast inside the
 *       bone enclosure (boundary-contrast.ts): window [L − lowerMarginHu, (L + B)/2]; where more
 *       than 1 % of the tissue around passes it voxel by voxel the window is applied to a 1 mm
 *       smoothed copy, and where even that lets more than 1 % pass the grow is refused
 *       (`low-contrast`); a grow that does not reproduce the measured region within 1.3× either
 *       way is refused (`unsupported`: a texture dip or a leak, not a lesion edge), and so is one
 *       whose interior is more than 10 % tissue unlike the click's neighbourhood (foreignShare: a
 *       lesion and the fatty body around it, both darker than the body's rim, grown as one);
 *     - the level around, read in a shell 1.5-3.5 mm outside the lesion, lies within its blurred edge
 *       behind a wide PSF or on slices thick for the lesion (and reads low: the bound too low, the lesion
 *       small); it is read again beyond the edge's reach, with the lesion's level from the core (the
 *       partial-volume estimate's two levels), the bound set at their midpoint and the lesion grown again
 *       and shown so; where the volumes shown for the two readings differ by more than 10 %
 *       (AROUND_AGREEMENT) the click is refused (`low-contrast`), naming both.
 *  9. CT lytic-level clicks (automatic window) refused above as outside the bone (an enclosure left
 *     open: a thin cortex partial-volumed to marrow level on thick slices, the canal, a foramen), as
 *     running on, as low-contrast or unsupported get one more try, bounded by the lesion's own edge
 *     instead of bone (own-edge.ts), for a click inside the bone (bone on OPEN_BONE_RAYS of 26 sides):
 *     the region of maximum boundary contrast for a lesion darker or brighter than the marrow around
 *     it; its core grown at the lesion's level ± 3 of its own robust SDs (marrow texture at that level
 *     by chance is removed by the opening), then its edge to the midpoint of the two levels within the
 *     reach of the edge's blur. Kept only where the region is one tissue (textureRatio ≤
 *     MAX_TEXTURE_RATIO), pieces of the tissue around could add at most 10 %, the grow and the contrast
 *     region agree within OWN_SUPPORT_RATIO, at most 10 % of it is foreign to the click's level, and,
 *     in textured marrow, its edge is sharp enough for its size that its outline at the midpoint reads
 *     at most EDGE_BIAS low (the edge's blur read from how its outline moves with the bound, EDGE_PROBE);
 *     the lesion kept is then grown again from its core opened by CORE_OPENING_MM (marrow at its level
 *     that touches it).
 *     Where that fails, a lesion of one tissue in textured marrow (its edge of maximum contrast takes in
 *     the fatty marrow around it): its core grown at its own level ± UNIFORM_SD of its own noise, both
 *     re-read from the core until they settle, opened by CORE_OPENING_MM against the marrow's texture;
 *     kept where that window lies on the lesion's side of the midpoint to the level around and the
 *     core's partial-volume volume agrees with the count of its outline at the midpoint level within the
 *     edge's blur (CORE_EDGE_AGREEMENT); the lesion is that outline, opened by CORE_OPENING_MM (the core
 *     lies inside the lesion's half-level edge), kept where the volumes shown for it and for the outline
 *     without that opening agree within OUTLINE_AGREEMENT (on thick slices the opening can erase the
 *     lesion's own cap slices). Otherwise the first
 *     refusal and its reason stand, with why the own edge and the core did not serve.
 * 10. Every grown lesion needs voxels that are all lesion, from which its level is read: a region with
 *     fewer than MIN_CORE_VOXELS voxels whose slices within the edge blur's reach above and below are
 *     in it too (a 1 cm lesion on 5 mm slices) is refused (`too-thin`, thinAcrossSlices).
 * 11. In a scan reconstructed soft (its PSF, read once at the air/body boundary by scan-blur.ts, wider
 *     than 1.5 × the 0.4 mm the partial-volume band assumes), a lesion whose own edge gave no blur
 *     reading and whose partial-volume figure changes by more than 10 % with the band sized for the
 *     scan's PSF is refused (`blur-unverified`, blurUnverified): its volume depends on a blur its
 *     surroundings do not let Grow settle.
 *
 * The mask is a voxel-centre classification at the midpoint threshold; for small lesions it
 * reads low (blur moves the 50 % iso-surface inward, ≈ 3σ²/r² in volume). Use
 * partialVolumeEstimate (partial-volume.ts) for the volume figure of a small lesion.
 *
 * Pure module: no DOM; inputs are never mutated. Writing into a LabelMap is a separate,
 * recorded step ({@link applyRegionToLabels}).
 */
import type { ScalarVolume } from '../core/volume';
import type { LabelEditRecorder } from './history';
import type { LabelMap } from './labelmap';
import { blurUnverified } from './region-grow/blur-check';
import { growLesion } from './region-grow/grow';
import { thinAcrossSlices } from './region-grow/thin-slices';
import type { Seed, RegionGrowOptions, RegionGrowResult } from './region-grow/types';

export type { LesionKind, LeakGuard, Seed, RegionGrowOptions, SeedStats, RegionGrowResult, GrowProblem } from './region-grow/types';
export { REGION_GROW_DEFAULTS } from './region-grow/types';

/** Grows a lesion from `seed` in `volume`. See the module comment for the algorithm. */
export function regionGrow(volume: ScalarVolume, seed: Seed, options: RegionGrowOptions = {}): RegionGrowResult {
  const r = growLesion(volume, seed, options);
  if (r.problem || options.window || !r.box) return r;
  // step 10: a lesion with no voxel beyond the reach of its edge's blur has no level to read
  const thin = thinAcrossSlices(volume, r);
  if (thin) {
    const { partialVolume: _pv, ...rest } = r;
    return { ...rest, offsets: new Int32Array(0), voxelCount: 0, volumeMl: 0, box: null, problem: 'too-thin', message: thin };
  }
  // step 11: a figure that depends on a blur the lesion's edge does not show
  const blurred = blurUnverified(volume, r);
  if (!blurred) return r;
  const { partialVolume: _pv, ...rest } = r;
  return { ...rest, offsets: new Int32Array(0), voxelCount: 0, volumeMl: 0, box: null, problem: 'blur-unverified', message: blurred };
}

/**
 * Writes a region-grow result into `labels` as `label` (over background only unless
 * `overwrite`), recorded when `recorder` is given. Returns the number of voxels changed.
 */
export function applyRegionToLabels(labels: LabelMap, result: RegionGrowResult, label: number, recorder?: LabelEditRecorder, overwrite = false): number {
  if (labels.geometry.voxelCount <= 0) return 0;
  let changes = 0;
  const d = labels.data;
  for (let n = 0; n < result.offsets.length; n++) {
    const off = result.offsets[n]!, cur = d[off]!;
    if (cur !== label && (cur === 0 || overwrite)) { labels.set(off, label, recorder); changes++; }
  }
  return changes;
}
