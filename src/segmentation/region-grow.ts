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
 *       lesion and the fatty body around it, both darker than the body's rim, grown as one).
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
import type { Vec3 } from '../core/vec3';
import type { LabelEditRecorder } from './history';
import { type IndexBox, type LabelMap, clampBox } from './labelmap';
import { ballIndexBox, boxDims, edtSpacing, gridMetric, metricLength2, nonZeroBox } from './grid';
import { type Connectivity, dilateMask, erodeMask, fillHolesMask, neighbourOffsets, squaredDistanceTo } from './morphology';
import { robustStats, smoothBox } from './seed-model';
import { maxBoundaryContrastRegion } from './boundary-contrast';
import { bilateralBox, RANGE_SD } from './seeded-grow';
import { boneAround, continuationOutside, cutShare, sideName } from './bone-surroundings';
import { measureOwnEdge, NOISE_SD, textureRatio, trimmedLevel } from './own-edge';
import { partialVolumeEstimate, type PartialVolumeResult } from './partial-volume';
import { scanBlur } from './scan-blur';

export type LesionKind = 'lytic' | 'sclerotic' | 'custom';
/** How growth is kept from leaking out of the lesion. */
export type LeakGuard = 'bone-enclosure' | 'opening' | 'none';

export type Seed = { ijk: Readonly<Vec3> } | { lps: Readonly<Vec3> };

export interface RegionGrowOptions {
  /** Lesion kind; `auto` (default) decides from the seed median. */
  kind?: 'auto' | LesionKind;
  /** Explicit [lo, hi] window in volume units; overrides the kind-based window. */
  window?: readonly [number, number];
  /** Voxel connectivity of the flood fill (default 6). */
  connectivity?: Connectivity;
  /** Growth never goes farther than this from the seed (default 25 mm). */
  maxRadiusMm?: number;
  /** Reference cancellous bone level (default 250 HU). */
  boneHu?: number;
  /** Reference cortical bone level (default 1200 HU). */
  cortexHu?: number;
  /** Lytic lower bound = seed median − lowerMarginHu (default 25 HU). */
  lowerMarginHu?: number;
  /** Radius of the seed neighbourhood used for the statistics (default 2 mm). */
  seedRadiusMm?: number;
  /** Leak guard; `auto` (default): bone-enclosure (+ opening) for lytic/custom, opening for sclerotic. */
  leakGuard?: 'auto' | LeakGuard;
  /** Closing radius of the bone-enclosure guard (default 5 mm). */
  closingRadiusMm?: number;
  /** Opening radius (default: lytic/custom 1 mm, sclerotic 1.5 mm; 0 disables the opening). */
  openingRadiusMm?: number;
  /**
   * Test the lower window bound on the 7-point mean instead of the raw voxel (default false:
   * on the phantom it shrank sclerotic lesions and let hard-case lytic ones through a foramen;
   * the opening handles noise chains better).
   */
  smoothLowerBound?: boolean;
  /** Fill enclosed holes of the result (default true). */
  fillHoles?: boolean;
  /** Smallest region accepted as a lesion (default 20 voxels); fewer is refused, never a one-voxel lesion. */
  minVoxels?: number;
}

export interface SeedStats { median: number; mean: number; sd: number; n: number }

export interface RegionGrowResult {
  /** Linear offsets (ascending) of the grown voxels in the volume's grid. */
  offsets: Int32Array;
  voxelCount: number;
  /** voxelCount × voxel volume / 1000. */
  volumeMl: number;
  kind: LesionKind;
  window: [number, number];
  guard: LeakGuard;
  seedIjk: Vec3;
  seedStats: SeedStats;
  /** Tight index box of the result (null when empty). */
  box: IndexBox | null;
  /** True when the region reached the maxRadiusMm bound: probably a leak or a larger lesion. */
  reachedRadiusLimit: boolean;
  /** Lytic CT lesions: the lesion's level and the level around it as measured at its boundary, and whether the smoothed copy was thresholded. */
  levels?: { lesion: number; around: number; smoothed: boolean; passRaw: number; passSmooth: number };
  /** Why the result is empty, when it is. */
  problem?: GrowProblem;
  /** The reason in plain words, when the result is empty. */
  message?: string;
  /** A caveat in plain words when a lesion grew but stopped short of it (at a cortical break). */
  note?: string;
  /** The lesion goes on through a break in the cortex: only its part inside the bone was grown (see `note`). */
  stoppedAtCortex?: true;
  /**
   * partialVolumeEstimate of `offsets` (default options), where a check of Grow's already computed it: the
   * figure the lesion panel shows for a lesion of these voxels alone, so callers need not compute it again.
   */
  partialVolume?: PartialVolumeResult;
}

/** Why a grow gave no lesion. */
export type GrowProblem = 'seed-outside-volume' | 'seed-outside-window' | 'air' | 'fat' | 'normal-bone' | 'outside-bone' | 'cortex-break' | 'runs-on' | 'too-small' | 'low-contrast' | 'unsupported' | 'too-thin' | 'blur-unverified';

/** Resolved defaults, exported so the UI can show them. */
export const REGION_GROW_DEFAULTS = {
  connectivity: 6 as Connectivity,
  maxRadiusMm: 25,
  boneHu: 250,
  cortexHu: 1200,
  lowerMarginHu: 25,
  seedRadiusMm: 2,
  closingRadiusMm: 5,
  fillHoles: true,
  smoothLowerBound: false,
  minVoxels: 20,
};

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
 * Step 11. The partial-volume figure the panel shows counts the lesion's blurred edge within a band sized
 * for an assumed 0.4 mm PSF, or for the blur it reads at the lesion's own edge (partial-volume.ts,
 * "Measured blur"), which it can only where the tissue around is smooth. A soft reconstruction kernel
 * blurs more: behind a 1.2 mm PSF (soft-kernel.json) lesions in crisp bone whose edge blur could not be
 * read grew 11-14 % low with no warning, the edge's signal lying beyond the band, in the reference shell.
 * The scan's own PSF is read once at its air/body boundary (scan-blur.ts). Where it is wider than
 * BLUR_WIDER × the assumed one and the lesion's edge gave no reading, the figure is computed again with
 * the band sized for the scan's PSF; where the two differ by more than BLUR_AGREEMENT, the lesion's
 * volume depends on how far its blur reaches, which this lesion's surroundings do not let Grow settle
 * (the wider band also takes in the blur of the cortex and foramina beside it: soft-kernel.json L2 −12 %
 * with the one band, +7 % with the other). Returns the reason in words, or null.
 */
function blurUnverified(volume: ScalarVolume, r: RegionGrowResult): string | null {
  const scan = scanBlur(volume).psfSigmaMm;
  if (!(scan > BLUR_WIDER * ASSUMED_PSF_MM)) return null;
  if (blurReach(volume, r, scan) <= BLUR_AGREEMENT / BLUR_BOUND_SLACK) return null;
  const pv = r.partialVolume ?? partialVolumeEstimate(volume, r.offsets);
  if (pv.measuredPsfMm >= 0 || !(scan > BLUR_WIDER * pv.psfSigmaMm)) return null;
  const wide = partialVolumeEstimate(volume, r.offsets, { psfSigmaMm: scan });
  const differ = Math.abs(wide.volumeMl / pv.volumeMl - 1);
  if (!(differ > BLUR_AGREEMENT)) return null;
  return `the scan is reconstructed soft (its blur, read at the skin, is a PSF of σ ≈ ${scan.toFixed(1)} mm against the 0.4 mm the volume estimate assumes) and this lesion's volume depends on how far its edge's blur reaches, which the tissue around it does not show: ${pv.volumeMl.toFixed(2)} or ${wide.volumeMl.toFixed(2)} mL; outline it with Strokes (L) or the Brush (B)`;
}
/**
 * How far the blur beyond the band for the assumed PSF can move a lesion's figure, as a share of its
 * volume: the edge of a ball of the lesion's volume (radius r: the smallest surface for it, 3/r of its
 * volume per mm) blurred by the scan's PSF with the pixel's box (σ_e); the band for 0.4 mm reaches R0 (its
 * in-plane ring unit) beyond the outline, so the signal beyond it, σ_e·(φ(t) − t·(1 − Φ(t))) per unit area
 * at t = R0/σ_e, is missed, and the reference shell R0 … 2R0 beyond it holds up to 1 − Φ(t) of the lesion,
 * which biases the background of a band 2R0 wide. The second estimate costs a window that grows with the
 * cube of the band (the bench scene's 7 mL lesion on 0.7 mm pixels behind a 1 mm PSF: 3.1 s against 0.13 s),
 * so it is made only where this reach could take the figure beyond BLUR_AGREEMENT.
 */
function blurReach(volume: ScalarVolume, r: RegionGrowResult, scanPsfMm: number): number {
  const sp = volume.geometry.spacingMm;
  const h = Math.min(sp[0], sp[1]);
  const r0 = Math.max(1, Math.round((2.5 * Math.sqrt(ASSUMED_PSF_MM ** 2 + (h * h) / 12)) / h)) * h;
  const se = Math.sqrt(scanPsfMm ** 2 + (h * h) / 12), t = r0 / se;
  const tail = 1 - normalCdf(t), pdf = Math.exp(-t * t / 2) / Math.sqrt(2 * Math.PI);
  const rMm = Math.cbrt((3 * r.volumeMl * 1000) / (4 * Math.PI));
  return (3 / rMm) * (se * (pdf - t * tail) + 2 * r0 * tail);
}
/** Φ(x) (Abramowitz-Stegun 26.2.17, |error| < 7.5e-8). */
function normalCdf(x: number): number {
  const t = 1 / (1 + 0.2316419 * Math.abs(x));
  const p = (Math.exp(-x * x / 2) / Math.sqrt(2 * Math.PI)) * t * (0.31938153 + t * (-0.356563782 + t * (1.781477937 + t * (-1.821255978 + t * 1.330274429))));
  return x >= 0 ? 1 - p : p;
}
/**
 * The two figures differed by up to 1.09 × blurReach (soft-kernel.json L1 22 % against 27.5 %, L2 21 / 24.8,
 * L5 31 / 28.4; pelvic-ref-003 P1 3.2 / 17.5): blurReach is no strict bound (the wider band also takes in the
 * blur of the cortex and foramina beside the lesion), so the second estimate is skipped only where blurReach
 * is under BLUR_AGREEMENT / 1.5 (the bench's 7 mL lesion, 0.7 mm pixels, 1 mm PSF: 6.5 %; totalseg T2 2.8 %).
 */
const BLUR_BOUND_SLACK = 1.5;
/** The scan's PSF is used where it reads wider than this × the assumed one (partial-volume.ts WIDER_PSF_RATIO: an edge's own reading spreads so far). */
const BLUR_WIDER = 1.5;
/** partialVolumeEstimate's default PSF σ (mm). */
const ASSUMED_PSF_MM = 0.4;
/** The two figures may differ by at most Grow's whole 10 %: beyond, one of them is outside it and Grow cannot tell which. */
const BLUR_AGREEMENT = 0.1;

/**
 * Step 10. The lesion's level, from which both its edge (the midpoint window) and its partial-volume
 * volume are read, needs voxels that are all lesion. In-plane, pixels (0.5-1.25 mm) are small against
 * any lesion Grow serves (radius 4 mm and more), but a slice is a slab: a voxel is all lesion only
 * where the slices within the reach of the edge's blur along the slice axis (one ring unit of
 * partial-volume.ts, 2.5 σ_edge: one slice from 2 mm on) above and below it are lesion too. A region
 * with fewer than MIN_CORE_VOXELS such voxels (a 1 cm lesion on 5 mm slices spans two slices, each
 * crossing its top or bottom) reads its level low by the partial volume of every voxel:
 * fatty-thick5mm.json's 750 HU sclerotic lesion read 537-557 HU, its partial-volume volume +17 … +42 %,
 * its voxel count −8 … −21 %. Returns the reason in words, or null when the region has such a core.
 */
function thinAcrossSlices(volume: ScalarVolume, r: RegionGrowResult): string | null {
  const geom = volume.geometry;
  const [ni, nj] = geom.dims;
  const b = r.box!;
  const sk = geom.spacingMm[2];
  const reach = Math.max(1, Math.round((EDGE_REACH_SIGMAS * Math.sqrt(EDGE_PSF_MM ** 2 + sk ** 2 / 12)) / sk));
  const d: [number, number, number] = [b[3] - b[0] + 1, b[4] - b[1] + 1, b[5] - b[2] + 1];
  const m = new Uint8Array(d[0] * d[1] * d[2]);
  for (const o of r.offsets) {
    const k = Math.floor(o / (ni * nj)), rem = o - k * ni * nj, j = Math.floor(rem / ni), i = rem - j * ni;
    m[(i - b[0]) + d[0] * ((j - b[1]) + d[1] * (k - b[2]))] = 1;
  }
  const plane = d[0] * d[1];
  let core = 0;
  for (let k = reach; k < d[2] - reach; k++) for (let q = 0; q < plane; q++) {
    let all = 1;
    for (let t = -reach; t <= reach && all; t++) all = m[q + plane * (k + t)]!;
    core += all;
  }
  if (core >= MIN_CORE_VOXELS) return null;
  return `the region grown from the point (${r.volumeMl.toFixed(2)} mL) spans only ${d[2]} slice${d[2] === 1 ? '' : 's'} of ${sk.toFixed(1)} mm: every voxel of it is partly the tissue above or below it, so neither its level nor its volume can be read within 10 %; on thinner slices Grow can measure it; otherwise paint it with Strokes (L) or the Brush (B) and read its volume as approximate`;
}
/** Core voxels below which a region has no level of its own (partial-volume.ts reads its level from as many). */
const MIN_CORE_VOXELS = 8;

function growLesion(volume: ScalarVolume, seed: Seed, options: RegionGrowOptions): RegionGrowResult {
  const o = { ...REGION_GROW_DEFAULTS, ...stripUndefined(options) };
  const geom = volume.geometry;
  const [ni, nj, nk] = geom.dims;
  const g = gridMetric(geom);
  const c: Vec3 = 'ijk' in seed ? [seed.ijk[0], seed.ijk[1], seed.ijk[2]] : geom.lpsToIjk([0, 0, 0], seed.lps);
  const si = Math.round(c[0]), sj = Math.round(c[1]), sk = Math.round(c[2]);
  const emptyStats: SeedStats = { median: NaN, mean: NaN, sd: NaN, n: 0 };
  let levels: RegionGrowResult['levels'];
  const empty = (kind: LesionKind, window: [number, number], guard: LeakGuard, stats: SeedStats, problem: GrowProblem, message: string): RegionGrowResult =>
    ({ offsets: new Int32Array(0), voxelCount: 0, volumeMl: 0, kind, window, guard, seedIjk: [si, sj, sk], seedStats: stats, box: null, reachedRadiusLimit: false, ...(levels ? { levels } : {}), problem, message });
  if (si < 0 || sj < 0 || sk < 0 || si >= ni || sj >= nj || sk >= nk) return empty('custom', [NaN, NaN], 'none', emptyStats, 'seed-outside-volume', 'the point is outside the image');

  const seedIdx: Vec3 = [si, sj, sk];
  const box = clampBox(ballIndexBox(g, seedIdx, o.maxRadiusMm), geom.dims)!;
  const [bi, bj, bk] = boxDims(box);
  const bij = bi * bj, nb = bij * bk;
  const vox = volume.voxels;

  // local copy of values (Float32); the ball test solved per row (a quadratic in i)
  const val = new Float32Array(nb);
  const inBall = new Uint8Array(nb);
  const r2 = o.maxRadiusMm * o.maxRadiusMm;
  const rim2 = Math.max(0, o.maxRadiusMm - Math.sqrt(Math.max(g.gii, g.gjj, g.gkk))) ** 2;
  {
    let n = 0;
    for (let k = box[2]; k <= box[5]; k++) for (let j = box[1]; j <= box[4]; j++) {
      const row = ni * (j + nj * k);
      for (let i = box[0]; i <= box[3]; i++, n++) val[n] = vox[row + i]!;
      const dj = j - sj, dk = k - sk;
      const b = g.gij * dj + g.gik * dk;
      const cc = g.gjj * dj * dj + g.gkk * dk * dk + 2 * g.gjk * dj * dk - r2;
      const disc = b * b - g.gii * cc;
      if (disc < 0) continue;
      const sq = Math.sqrt(disc);
      const lo = Math.max(box[0], Math.ceil(si + (-b - sq) / g.gii - 1e-9));
      const hi = Math.min(box[3], Math.floor(si + (-b + sq) / g.gii + 1e-9));
      const rowLocal = n - bi;
      for (let i = lo; i <= hi; i++) inBall[rowLocal + i - box[0]] = 1;
    }
  }
  const seedLocal = (si - box[0]) + bi * ((sj - box[1]) + bj * (sk - box[2]));
  const stats = seedStatistics(val, box, seedIdx, g, o.seedRadiusMm);

  const hu = volume.units === 'HU';
  // MR and other non-HU images: no tissue levels can be assumed; the window is the click's
  // neighbourhood's robust level ± 3 robust SD, growth kept from leaking by the opening only
  const mr = !hu && !options.window && (!options.kind || options.kind === 'auto');
  const robust = mr ? robustStats(neighbourhoodValues(val, box, seedIdx, g, o.seedRadiusMm)) : null;
  let kind: LesionKind;
  if (mr) kind = 'custom';
  else if (options.kind && options.kind !== 'auto') kind = options.kind;
  else if (stats.median < o.boneHu - 100) kind = 'lytic';
  else if (stats.median > o.boneHu + 250) kind = 'sclerotic';
  else kind = 'custom';
  let window: [number, number];
  const sp = edtSpacing(g);
  const dims: [number, number, number] = [bi, bj, bk];
  const assumedLytic = (level: number): [number, number] => [level - o.lowerMarginHu, (level + o.boneHu) / 2];
  if (options.window) window = [options.window[0], options.window[1]];
  else if (kind === 'lytic') window = assumedLytic(stats.median);
  else if (kind === 'sclerotic') window = [(stats.median + o.boneHu) / 2, (stats.median + o.cortexHu) / 2];
  else if (robust) { const w = 3 * Math.max(robust.sigma, 1e-3 * (Math.abs(robust.median) + 1)); window = [robust.median - w, robust.median + w]; }
  else { const w = 2.5 * Math.max(stats.sd, 10); window = [stats.median - w, stats.median + w]; }
  const guard: LeakGuard = !options.leakGuard || options.leakGuard === 'auto' ? (kind === 'sclerotic' || mr ? 'opening' : 'bone-enclosure') : options.leakGuard;

  // CT: air and fat are never a lesion (the click's neighbourhood median, not the one voxel)
  if (hu && !options.window && stats.median < -300) return empty('custom', window, guard, stats, 'air', `the point is air or gas (${Math.round(stats.median)} HU around it), not a lesion: click inside the lesion`);
  if (hu && !options.window && stats.median < -40) return empty('custom', window, guard, stats, 'fat', `the point is fat (${Math.round(stats.median)} HU around it), not a lesion: click inside the lesion (lytic lesions read about 0-80 HU, sclerotic ones 400 HU and more)`);
  // CT: a neighbourhood at the level of cancellous bone (neither lytic nor sclerotic) is normal bone
  if (hu && !options.window && !options.kind && kind === 'custom')
    return empty(kind, window, guard, stats, 'normal-bone', `the point looks like normal bone (${Math.round(stats.median)} HU around it, between lytic and sclerotic levels): no lesion grown; click inside the lesion, or, for a lesion barely darker or brighter than the bone around it, paint it with Strokes (L)`);

  let hull: Uint8Array | null = null;
  /**
   * The enclosure is the bone closed by WIDE_CLOSING_MM (the click lay in a break of the cortex too
   * wide for the default closing): a region that goes on beyond it is kept as its part in the bone.
   */
  let wide = false;
  /** The bone level of the default enclosure that left the click open (for its refusal's words). */
  let wideBoneLevel: number | null = null;
  /** Why a click the bone does not enclose is refused, from the bone around it (bone-surroundings.ts). */
  const outsideBoneMessage = (boneLevel: number): string => {
    const a = boneAround(volume, geom.ijkToLps([0, 0, 0], si, sj, sk), boneLevel, o.maxRadiusMm);
    const at = `the point (${Math.round(stats.median)} HU)`;
    const open = a.openLps ? sideName(a.openLps) : '';
    const R = o.maxRadiusMm, bone = `bone (above ${Math.round(boneLevel)} HU)`;
    const strokes = 'if it is a lesion, paint it with Strokes (L): a lesion stroke inside it, then background strokes around it';
    if (a.hitsFar <= SOFT_TISSUE_RAYS) return `${at} is soft tissue outside the bone (${bone} on ${a.hitsFar} of ${a.rays} sides within ${2 * R} mm): Grow finds lesions inside bone; paint a soft-tissue mass with the Brush (B) or Strokes (L)`;
    if (a.hitsFar < OPEN_BONE_RAYS) return `${at} is soft tissue at the edge of the bone (${bone} on ${a.hitsFar} of ${a.rays} sides within ${2 * R} mm, none on its ${open} side), or a lesion breaking through the cortex there: Grow cannot tell where it ends; ${strokes}`;
    if (a.hitsFar < a.rays) return `${at} is inside the bone, but the ${bone} around it is open on its ${open} side (none there within ${2 * R} mm: a break in the cortex, a foramen or the canal), so Grow cannot tell where a lesion there ends; ${strokes}`;
    if (a.hitsNear < a.rays) return `${at} is inside the bone, but on its ${open} side the nearest ${bone} lies beyond Grow's ${R} mm reach (a space darker than bone larger than Grow's search, or one that opens through a break in the cortex), so Grow cannot tell where a lesion there ends; ${strokes}`;
    return `${at} is inside the bone, but the ${bone} around it has an opening wider than ${2 * o.closingRadiusMm} mm (a break in the cortex, a foramen or the canal), so Grow cannot tell where a lesion there ends; ${strokes}`;
  };
  /** One grow: threshold `img` to `win`, guard, opening, flood from the click, fill holes, plausibility. */
  const attempt = (win: [number, number], img: Float32Array, openingOverrideMm?: number): RegionGrowResult & { mask?: Uint8Array } => {
    // the flood starts at the click, or, when that one voxel is a noise outlier outside the window
    // set by its neighbourhood, at the nearest voxel of the neighbourhood inside the window
    const inWindow = (n: number) => { const v = img[n]!; return v >= win[0] && v <= win[1]; };
    const start = inWindow(seedLocal) ? seedLocal : nearestIn(inWindow, [bi, bj, bk], seedLocal, g, o.seedRadiusMm);
    if (start < 0) return empty(kind, win, guard, stats, 'seed-outside-window', `the values around the point (median ${Math.round(stats.median)}${hu ? ' HU' : ''}) are not lesion-like for the window`);

    // candidate voxels
    let allowed: Uint8Array = new Uint8Array(nb);
    // optionally the lower bound is tested on the 7-point mean (voxel + 6 face neighbours)
    const low = o.smoothLowerBound && img === val ? mean7(val, [bi, bj, bk]) : img;
    for (let n = 0; n < nb; n++) { const x = img[n]!; if (inBall[n] && low[n]! >= win[0] && x <= win[1]) allowed[n] = 1; }
    if (guard === 'bone-enclosure') {
      hull ??= boneHull(img, dims, win[1], sp, o.closingRadiusMm);
      if (!hull[start] && !options.window && hu && !wide && kind === 'lytic') {
        // a lesion that breaks through the cortex leaves a gap about as wide as itself: the wider
        // closing bridges it, and finish() keeps the region's part inside the bone, if bone walls it
        const w = boneHull(img, dims, win[1], sp, WIDE_CLOSING_MM);
        if (w[start]) { hull = w; wide = true; wideBoneLevel = win[1]; }
      }
      if (!hull[start] && !options.window && hu) return empty(kind, win, guard, stats, 'outside-bone', outsideBoneMessage(win[1]));
      for (let n = 0; n < nb; n++) if (!hull[n]) allowed[n] = 0;
      allowed[start] = 1;
    }
    // noise holes (single voxels just outside the window inside the lesion) would fragment the
    // erosion below: fill pockets completely enclosed by candidate voxels first
    allowed = fillHolesMask(allowed, dims);
    const openingMm = openingOverrideMm ?? options.openingRadiusMm ?? (kind === 'sclerotic' ? 1.5 : 1.0);
    let floodStart = start;
    if (guard !== 'none' && openingMm > 0) {
      // opening by reconstruction: erode with a ball of openingRadiusMm, keep the seed's component,
      // dilate it back with the same ball inside `allowed`. Lytic (1 mm): cuts single-voxel noise
      // chains into a foramen; sclerotic (1.5 mm): also removes the 1-2 voxel partial-volume rim
      // of cortex whose values pass through the sclerotic window.
      const ball = ballOffsets(g, openingMm, dims);
      const eroded = erodeSparse(allowed, dims, ball);
      // the click may lie within the opening radius of a noise hole or of the edge: its core is
      // then the nearest eroded voxel (without it the opening would be skipped and noise chains
      // into a foramen kept, so that the volume would depend on where in the lesion one clicks)
      const coreStart = eroded[start] ? start : nearestIn((n) => eroded[n] === 1, dims, start, g, o.seedRadiusMm + openingMm);
      const core = coreStart >= 0 ? floodFrom(eroded, dims, coreStart, 6) : { mask: eroded, count: 0 };
      if (core.count > 0) {
        const back = dilateSparse(core.mask, dims, ball);
        for (let n = 0; n < nb; n++) allowed[n] = allowed[n]! & back[n]!;
        if (!allowed[start]) floodStart = coreStart;
      }
    }

    const grown = floodFrom(allowed, dims, floodStart, o.connectivity);
    let mask: Uint8Array = grown.mask;
    let count = grown.count;
    if (o.fillHoles && count > 0) {
      mask = fillHolesInBox(mask, dims);
      count = 0;
      for (let n = 0; n < nb; n++) count += mask[n]!;
    }

    const offsets = new Int32Array(count);
    let m = 0, reached = false;
    let i0 = Infinity, j0 = Infinity, k0 = Infinity, i1 = -1, j1 = -1, k1 = -1;
    {
      let n = 0;
      for (let k = box[2]; k <= box[5]; k++) for (let j = box[1]; j <= box[4]; j++) {
        const row = ni * (j + nj * k);
        for (let i = box[0]; i <= box[3]; i++, n++) {
          if (!mask[n]) continue;
          offsets[m++] = row + i;
          if (i < i0) i0 = i; if (i > i1) i1 = i; if (j < j0) j0 = j; if (j > j1) j1 = j; if (k < k0) k0 = k; if (k > k1) k1 = k;
          if (!reached && metricLength2(g, i - si, j - sj, k - sk) > rim2) reached = true;
        }
      }
    }
    if (!options.window) {
      // plausibility: never a lesion that runs on to the search bound, never a one-voxel lesion
      if (reached)
        return empty(kind, win, guard, stats, 'runs-on', `the tissue at the point's level (${Math.round(win[0])} to ${Math.round(win[1])}${hu ? ' HU' : ''}) runs on past ${o.maxRadiusMm} mm from it: a large region of one tissue (normal marrow, muscle, fat or air), not a lesion, or a lesion that leaks into tissue of its own level; click inside the lesion, or paint it with Strokes (L): a lesion stroke inside it, then background strokes around it`);
      if (count < o.minVoxels)
        return empty(kind, win, guard, stats, 'too-small', `only ${count} voxel${count === 1 ? '' : 's'} at the lesion's level around the point: too small to be a lesion; paint it with the brush (B) if it is one`);
    }
    return {
      offsets, voxelCount: count, volumeMl: (count * geom.voxelVolumeMm3) / 1000, kind, window: win, guard, seedIjk: seedIdx, seedStats: stats,
      box: count ? [i0, j0, k0, i1, j1, k1] : null, reachedRadiusLimit: reached, ...(levels ? { levels } : {}), mask,
    };
  };
  /** A result from a box-local mask (a grown region after a trim). */
  const fromMask = (mask: Uint8Array, win: [number, number]): RegionGrowResult & { mask: Uint8Array } => {
    let count = 0;
    for (let n = 0; n < nb; n++) count += mask[n]!;
    const offsets = new Int32Array(count);
    let m = 0, n = 0;
    let i0 = Infinity, j0 = Infinity, k0 = Infinity, i1 = -1, j1 = -1, k1 = -1;
    for (let k = box[2]; k <= box[5]; k++) for (let j = box[1]; j <= box[4]; j++) {
      const row = ni * (j + nj * k);
      for (let i = box[0]; i <= box[3]; i++, n++) {
        if (!mask[n]) continue;
        offsets[m++] = row + i;
        if (i < i0) i0 = i; if (i > i1) i1 = i; if (j < j0) j0 = j; if (j > j1) j1 = j; if (k < k0) k0 = k; if (k > k1) k1 = k;
      }
    }
    return {
      offsets, voxelCount: count, volumeMl: (count * geom.voxelVolumeMm3) / 1000, kind, window: win, guard, seedIjk: seedIdx, seedStats: stats,
      box: count ? [i0, j0, k0, i1, j1, k1] : null, reachedRadiusLimit: false, ...(levels ? { levels } : {}), mask,
    };
  };
  const strip = (r: RegionGrowResult & { mask?: Uint8Array }): RegionGrowResult => { const { mask: _m, ...rest } = r; return rest; };
  // the partial-volume estimates (default options) that the checks compute, once per grown mask, and
  // handed on with the lesion returned (RegionGrowResult.partialVolume)
  const pvCache = new Map<Int32Array, PartialVolumeResult>();
  const pvOf = (r: RegionGrowResult): PartialVolumeResult => {
    let e = pvCache.get(r.offsets);
    if (!e) { e = partialVolumeEstimate(volume, r.offsets); pvCache.set(r.offsets, e); }
    return e;
  };
  const withPv = (r: RegionGrowResult): RegionGrowResult => { const e = pvCache.get(r.offsets); return e ? { ...r, partialVolume: e } : r; };
  /**
   * The edge's blur against the lesion's size (EDGE_PROBE): the outline at `win` on `img` regrown with its
   * bound toward the tissue around (the upper one for a lesion darker than it, sign > 0) moved by EDGE_PROBE
   * of the contrast either way; `count` is the outline's own voxel count. For a Gaussian edge of σ on a ball
   * of radius r the change is 6·√(2π)·EDGE_PROBE·σ/r of it, and the outline at the midpoint reads ≈ 3σ²/r² low.
   */
  const edgeProbe = (win: [number, number], img: Float32Array, sign: number, contrast: number, count: number) => {
    const dHu = EDGE_PROBE * contrast;
    const lo = attempt(sign > 0 ? [win[0], win[1] - dHu] : [win[0] + dHu, win[1]], img), hi = attempt(sign > 0 ? [win[0], win[1] + dHu] : [win[0] - dHu, win[1]], img);
    const slope = (hi.voxelCount - lo.voxelCount) / Math.max(1, count);
    const sigmaOverR = slope / (6 * Math.sqrt(2 * Math.PI) * EDGE_PROBE);
    return { slope, sigmaOverR, bias: 3 * sigmaOverR * sigmaOverR };
  };
  /**
   * A region that reaches the bone enclosure's surface with tissue of its window beyond (no cortex
   * between) ran into a gap in the cortex that the enclosure's closing bridged: the lesion may go on
   * outside the bone, where Grow cannot tell it from soft tissue of its level. When bone walls the
   * region over most of its surface (a lesion in the bone breaking out through part of it), the
   * part inside the bone is kept, cut where the closing bridges the gap, with a note that the part
   * outside was not included; otherwise (a pocket of soft tissue in a hollow of the bone, open over
   * much of its surface) it is refused, never a lesion cut at an invisible line.
   */
  const finish = (r: RegionGrowResult & { mask?: Uint8Array }, img: Float32Array): RegionGrowResult => {
    if (r.problem || !r.mask || !hull || guard !== 'bone-enclosure' || options.window) return strip(r);
    const c = continuationOutside(r.mask, hull, inBall, img, r.window, dims, box, geom);
    if (c.voxels < Math.max(o.minVoxels, BREACH_SHARE * r.voxelCount)) return strip(r);
    const ml = (v: number) => ((v * geom.voxelVolumeMm3) / 1000).toFixed(2);
    const cut = cutShare(r.mask, hull, dims);
    if (cut <= MAX_CUT_SHARE)
      return { ...strip(r), stoppedAtCortex: true, note: `the lesion extends through the cortex on its ${sideName(c.towardLps)} side: the part outside the bone was not included (${ml(r.voxelCount)} mL inside the bone kept; outside, Grow cannot tell it from the soft tissue of its level); use Strokes (L) to add it: a lesion stroke across the break, then background strokes around it` };
    return empty(kind, r.window, guard, stats, 'cortex-break', `stopped at the cortex: the lesion (${ml(r.voxelCount)} mL inside the bone) breaks through it on its ${sideName(c.towardLps)} side, and tissue at its level (${Math.round(r.window[0])} to ${Math.round(r.window[1])}${hu ? ' HU' : ''}) goes on outside the bone (${ml(c.voxels)} mL within ${o.maxRadiusMm} mm) over ${Math.round(100 * cut)} % of the region's surface: the lesion may extend outside the bone, and Grow cannot tell it from soft tissue there; paint the whole lesion with Strokes (L): a lesion stroke across the break, then background strokes around it, also over the soft tissue next to its outside part`);
  };

  const result = ((): RegionGrowResult => {
    if (mr) {
      // MR: the window from the lesion's edge as the image around the click shows it (see measureMrLevels)
      const m = measureMrLevels(val, dims, sp, inBall, g, seedIdx, box, rim2, seedLocal, robust!, o.minVoxels);
      const strokes = 'if it is a lesion, paint it with Strokes (L): a lesion stroke inside it, then background strokes around it';
      // no edge closes around the click: a window of the neighbourhood's own spread has no edge to
      // stop at, and grows into whatever tissue of that level touches it (real marrow is patchy)
      if (!m) return empty(kind, window, guard, stats, 'unsupported', `no lesion edge closes around the point within ${o.maxRadiusMm} mm: the tissue there (signal ${Math.round(robust!.median)}) runs on into tissue of its own level, so Grow cannot tell where a lesion ends; ${strokes}`);
      levels = { lesion: m.lesionLevel, around: m.aroundLevel, smoothed: false, passRaw: m.passRaw, passSmooth: NaN };
      // the faint-edge check: the pieces of the tissue around (beyond the edge's midpoint level) that
      // pass the window and survive the grow's opening can join the lesion; where they could add more
      // than MAX_JOINABLE_SHARE to it, the edge is too faint against that tissue's texture for a
      // threshold (on CT the same question is the share of passing voxels, measureSurroundings; on MR
      // marrow's fatty patches are pieces, not single noisy voxels)
      const joinable = (m.passOpen * m.shellVoxels) / m.region.length;
      if (joinable > MAX_JOINABLE_SHARE)
        return empty(kind, m.window, guard, stats, 'low-contrast', `the lesion (signal ${Math.round(m.lesionLevel)}) differs from the tissue around it (${Math.round(m.aroundLevel)}) by too little against that tissue's texture: pieces of the tissue around at the lesion's level could add ${Math.round(100 * joinable)} % to it, so a threshold cannot find its edge; ${strokes}`);
      const r = attempt(m.window, val);
      if (r.problem || !r.mask) return finish(r, val);
      // the grow must stay within the edge the image shows, widened by that edge's own blur (a small
      // lesion's contour of maximum contrast, found on the smoothed copy, can lie a slice or a pixel
      // inside its true edge): a grow with more than MAX_JOINABLE_SHARE beyond it ran past the edge
      const beyond = shareBeyondEdge(r.mask, m.region, dims, sp);
      if (beyond > MAX_JOINABLE_SHARE || r.voxelCount * MAX_SUPPORT_RATIO < m.region.length)
        return empty(kind, m.window, guard, stats, 'unsupported', `the region at the lesion's level (${Math.round(m.window[0])} to ${Math.round(m.window[1])}, ${r.volumeMl.toFixed(2)} mL) ${beyond > MAX_JOINABLE_SHARE ? `runs ${Math.round(100 * beyond)} % beyond` : 'is much smaller than'} the region whose edge the image shows around the point (${(m.region.length * geom.voxelVolumeMm3 / 1000).toFixed(2)} mL): no clear lesion edge; ${strokes}`);
      // a lesion between two tissues (darker than one, brighter than the other: a faint lesion in patchy
      // marrow) has an edge the window's midpoint bound does not find where it borders the other one
      const opposite = oppositeShare(r.mask, val, dims, sp, inBall, m.lesionLevel, m.aroundLevel, m.lesionSigma);
      if (opposite > MAX_JOINABLE_SHARE)
        return empty(kind, m.window, guard, stats, 'unsupported', `the region grown from the point (signal ${Math.round(m.lesionLevel)}, ${r.volumeMl.toFixed(2)} mL) lies between two tissues: ${m.lesionLevel > m.aroundLevel ? 'brighter' : 'darker'} than most of the tissue around it (${Math.round(m.aroundLevel)}) but ${m.lesionLevel > m.aroundLevel ? 'darker' : 'brighter'} than ${Math.round(100 * opposite)} % of it, so its edge there is not where a threshold puts it; ${strokes}`);
      // the bound at the midpoint to the level around holds where that level is the marrow's; next to
      // a patch of another level (fatty marrow beside a T2-bright lesion) the edge's midpoint is the
      // one to that patch: the edge voxels are trimmed to their local midpoint
      const trimmed = trimToLocalMidpoint(r.mask, val, dims, sp, g, inBall, m.lesionLevel);
      if (trimmed === r.mask) return finish(r, val);
      const t = fromMask(trimmed, r.window);
      if (t.voxelCount < o.minVoxels)
        return empty(kind, m.window, guard, stats, 'too-small', `only ${t.voxelCount} voxel${t.voxelCount === 1 ? '' : 's'} of the region grown from the point hold more lesion than the tissue next to them: too small to be a lesion; paint it with the brush (B) if it is one`);
      return finish(t, val);
    }
    if (!(hu && !options.window && kind === 'lytic' && guard === 'bone-enclosure')) return finish(attempt(window, val), val);

    /**
     * A lesion that opens into a lumen darker than itself but inside its window (the canal's
     * contents, 10 HU, beside a 30 HU lesion reaching into the canal) runs on along the lumen. On an
     * edge-preserving 1 mm copy (bilateral: noise a few times lower, 12 → 3 HU in the canal, while
     * the cortex lining the lumen stays out of it) the two levels separate: the lumen's level is read
     * where the run-on region lies farther from the click than a lesion reaches (LUMEN_FAR_MM), and
     * the lower bound set at the midpoint between it and the lesion (partial-volume neutral, as the
     * upper bound). Null when no such lumen shows or the levels do not separate on the copy.
     */
    const beforeLumen = (): RegionGrowResult | null => {
      // edge-preserving: the lumen's cortical lining, far beyond the range weight, does not bleed into its edge
      const noise = robustStats(neighbourhoodValues(val, box, seedIdx, g, o.seedRadiusMm)).sigma;
      if (!(noise > 0)) return null;
      const sm = bilateralBox(val, dims, sp, SURROUND_SMOOTH_MM, RANGE_SD * noise);
      const near = robustStats(neighbourhoodValues(sm, box, seedIdx, g, o.seedRadiusMm));
      const L = near.median;
      const h = hull ?? boneHull(val, dims, window[1], sp, o.closingRadiusMm);
      const allowed = new Uint8Array(nb);
      for (let n = 0; n < nb; n++) { const y = sm[n]!; if (inBall[n] && h[n] && y >= L - o.lowerMarginHu && y <= window[1]) allowed[n] = 1; }
      const start = allowed[seedLocal] ? seedLocal : nearestIn((n) => allowed[n] === 1, dims, seedLocal, g, o.seedRadiusMm);
      if (start < 0) return null;
      const run = floodFrom(allowed, dims, start, 6);
      // the lumen's level from the run's core (1.5 mm in from its edges: the partial volume of the lumen's cortical lining left out)
      const core = erodeMask(run.mask, dims, sp, LUMEN_CORE_MM);
      const far: number[] = [];
      const far2 = LUMEN_FAR_MM * LUMEN_FAR_MM;
      let n = 0;
      for (let k = 0; k < bk; k++) for (let j = 0; j < bj; j++) for (let i = 0; i < bi; i++, n++)
        if (core[n] && metricLength2(g, i + box[0] - si, j + box[1] - sj, k + box[2] - sk) > far2) far.push(sm[n]!);
      if (far.length < o.minVoxels) return null;
      const lumen = robustStats(thin(far));
      // the two levels must differ by several of the lumen's spreads on the copy (a uniform tissue:
      // the copy's noise; the click's neighbourhood may hold the lesion's edge and read wider)
      if (!(L - lumen.median > LUMEN_SEPARATION_SD * lumen.sigma)) return null;
      const lo = (L + lumen.median) / 2;
      const res = attempt([lo, window[1]], sm);
      if (res.problem) return null;
      return finish(res, sm);
    };
    // CT lytic, automatic window. First the assumed levels (lesion at the click's neighbourhood
    // median, healthy cancellous bone at boneHu), with the lesion level then re-read from the
    // grown region's interior (many voxels instead of the ~30 of a 2 mm ball on 3 mm slices,
    // where a click near the edge reads 10-15 HU high and a lower bound that high cuts the noisy
    // lesion into fragments) until it settles.
    // The first grow takes a lower bound one margin lower still: a click near the edge reads
    // high, and the lower bound at that level keeps only a fragment whose own level agrees with it
    let r = attempt([window[0] - o.lowerMarginHu, window[1]], val);
    if (r.problem) r = attempt(window, val);
    let lv = !r.problem && r.mask ? regionLevels(r.mask, val, dims, sp, inBall) : null;
    for (let it = 0; it < 3 && lv && !r.problem; it++) {
      let level = lv.interior;
      if (Number.isNaN(level)) { if (it > 0) break; level = stats.median; }
      if (it > 0 && !(Math.abs(level - (r.window[0] + o.lowerMarginHu)) > 2)) break;
      const next = attempt(assumedLytic(level), val);
      if (next.problem || !next.mask) break;
      r = next;
      lv = regionLevels(next.mask, val, dims, sp, inBall);
    }
    // the assumed levels hold when the region closes inside tissue brighter than its window
    const around = !r.problem && lv ? lv.around : NaN;
    if (around > r.window[1]) return finish(r, val);
    if (r.problem && r.problem !== 'runs-on' && r.problem !== 'too-small') return strip(r);
    if (r.problem === 'runs-on') {
      const l = beforeLumen();
      if (l) return l;
    }
    // otherwise the bone around is not at the assumed level (fatty marrow): measure both levels
    // at the lesion's boundary of maximum contrast, inside the same bone enclosure
    const within = new Uint8Array(nb);
    const h = hull ?? boneHull(val, dims, window[1], sp, o.closingRadiusMm);
    for (let n = 0; n < nb; n++) within[n] = inBall[n]! & h[n]!;
    const surround = measureSurroundings(val, dims, sp, within, g, seedIdx, box, rim2, seedLocal, o.lowerMarginHu, stats.median, o.minVoxels, o.boneHu);
    if (!surround) {
      if (r.problem) return strip(r);
      return empty(kind, r.window, guard, stats, 'unsupported', `the tissue around the region grown from the point (${Math.round(around)} HU) is not denser than the lesion window (${Math.round(r.window[0])} to ${Math.round(r.window[1])} HU), and no lesion edge shows around the point: it looks like marrow, not a lesion; paint it with the lesion/background strokes tool (L) if it is one`);
    }
    levels = { lesion: surround.lesionLevel, around: surround.aroundLevel, smoothed: surround.smooth !== null, passRaw: surround.passRaw, passSmooth: surround.passSmooth };
    if (surround.refusal) return empty(kind, surround.window, guard, stats, surround.refusal.problem, surround.refusal.message);
    hull = h;
    const fin = attempt(surround.window, surround.smooth ?? val);
    // the grow at the measured window must reproduce the region whose boundary the image supports:
    // a texture dip in fatty marrow gives a window whose grow is a fraction of that region, a leak
    // one larger than it
    const ratio = fin.voxelCount / surround.regionVoxels;
    // the click's neighbourhood sets the lesion's statistics: a region whose interior holds more than
    // MAX_JOINABLE_SHARE of tissue at levels that neighbourhood does not hold grew into marrow of
    // another level (a fatty body around a lesion, both darker than its rim), and is that much off
    if (!fin.problem && fin.mask) {
      const near = robustStats(neighbourhoodValues(val, box, seedIdx, g, o.seedRadiusMm));
      const f = foreignShare(fin.mask, val, dims, sp, near);
      if (f.share > MAX_JOINABLE_SHARE)
        return empty(kind, surround.window, guard, stats, 'unsupported', `the region grown from the point (${fin.volumeMl.toFixed(2)} mL at ${Math.round(surround.window[0])} to ${Math.round(surround.window[1])} HU) is ${Math.round(100 * f.share)} % tissue unlike the point's surroundings (${Math.round(near.median)} ± ${Math.round(near.sigma)} HU): it ran on into marrow at another level, so its edge is not the lesion's; paint it with the lesion/background strokes tool (L) if it is one`);
    }
    if (!fin.problem && !(ratio >= 1 / MAX_SUPPORT_RATIO && ratio <= MAX_SUPPORT_RATIO))
      return empty(kind, surround.window, guard, stats, 'unsupported', `the region at the lesion's level (${Math.round(surround.window[0])} to ${Math.round(surround.window[1])} HU) is ${ratio < 1 ? 'much smaller' : 'much larger'} than the region whose edge the image shows around the point (${(fin.volumeMl).toFixed(2)} vs ${(surround.regionVoxels * geom.voxelVolumeMm3 / 1000).toFixed(2)} mL): no clear lesion edge; paint it with the lesion/background strokes tool (L) if it is one`);
    return finish(fin, surround.smooth ?? val);
  })();
  // the wide enclosure serves only a lesion breaking out through the cortex (kept in the bone, cut at
  // the bridge); for any other outcome of a click the default enclosure left open, its reason stands
  // (the bone around the click, in words): a region the wide closing alone encloses with nothing of
  // its level beyond may be a hollow of the bone (pelvic-ref-003: 4.6 mL of marrow around a 1.1 mL
  // implanted lesion)
  const final = wide && wideBoneLevel !== null && (result.problem ? result.problem !== 'outside-bone' : !result.stoppedAtCortex)
    ? empty(result.kind, result.window, guard, stats, 'outside-bone', outsideBoneMessage(wideBoneLevel))
    : result;
  if (!final.problem || !OWN_EDGE_AFTER.has(final.problem) || !(hu && !options.window && !options.kind && kind === 'lytic' && guard === 'bone-enclosure')) return final;
  /**
   * Bone does not enclose the click, or the bone-enclosed grow found no edge: a lesion bounded by
   * its own edge all round (own-edge.ts), for a click inside the bone (bone on OPEN_BONE_RAYS or
   * more of the 26 sides), grown without the enclosure and accepted only where the region is one
   * tissue (MAX_TEXTURE_RATIO), the tissue around could add at most MAX_JOINABLE_SHARE to it, the
   * grow closes within the search ball and reproduces the region of maximum boundary contrast
   * (OWN_SUPPORT_RATIO), and at most MAX_JOINABLE_SHARE of it is unlike the click's neighbourhood.
   * Otherwise the first refusal and its reason stand.
   */
  const own = ((): RegionGrowResult | string => {
    const a = boneAround(volume, geom.ijkToLps([0, 0, 0], si, sj, sk), window[1], o.maxRadiusMm);
    if (a.hitsFar < OPEN_BONE_RAYS) return '';
    const rim = new Uint8Array(nb);
    let n = 0;
    for (let k = 0; k < bk; k++) for (let j = 0; j < bj; j++) for (let i = 0; i < bi; i++, n++)
      if (inBall[n] && metricLength2(g, i + box[0] - si, j + box[1] - sj, k + box[2] - sk) > rim2) rim[n] = 1;
    const ball = ballOffsets(g, 1.0, dims);
    const m = measureOwnEdge(val, dims, sp, inBall, rim, seedLocal, stats.median, o.lowerMarginHu, o.minVoxels, (x) => dilateSparse(erodeSparse(x, dims, ball), dims, ball));
    const near = robustStats(neighbourhoodValues(val, box, seedIdx, g, o.seedRadiusMm));
    if (!m) return `no edge of a lesion closes around the point within ${o.maxRadiusMm} mm`;
    if (m.joinable > MAX_JOINABLE_SHARE) return `pieces of the tissue around it at its level could add ${Math.round(100 * m.joinable)} % to it`;
    // one tissue: the region's interior spreads no more than the voxel-to-voxel noise allows (marrow
    // texture around a lesion of the same mean level does not)
    const texture = textureRatio(m.region, val, dims);
    if (Number.isNaN(texture)) return `the region whose edge the image shows (${((m.region.length * geom.voxelVolumeMm3) / 1000).toFixed(2)} mL) is too thin to tell whether it is one tissue`;
    if (!(texture <= MAX_TEXTURE_RATIO)) return `the region whose edge the image shows is textured like marrow (its spread ${texture.toFixed(1)} × the voxel-to-voxel noise), not one tissue`;
    hull = new Uint8Array(nb).fill(1);
    wide = false;
    levels = { lesion: m.lesionLevel, around: m.aroundLevel, smoothed: false, passRaw: m.joinable, passSmooth: NaN };
    const core = attempt(m.window, val);
    if (core.problem || !core.mask) return `the tissue at its level (${Math.round(m.window[0])} to ${Math.round(m.window[1])} HU) ${core.problem === 'runs-on' ? `runs on past ${o.maxRadiusMm} mm` : 'gives almost nothing'}`;
    const mid = (m.lesionLevel + m.aroundLevel) / 2;
    const win: [number, number] = m.sign > 0 ? [m.window[0], Math.max(m.window[1], mid)] : [Math.min(m.window[0], mid), m.window[1]];
    hull = edgeReach(core.mask, dims, sp);
    const r = attempt(win, val);
    if (r.problem || !r.mask) return `its edge (${Math.round(win[0])} to ${Math.round(win[1])} HU) ${r.problem === 'runs-on' ? `runs on past ${o.maxRadiusMm} mm` : 'gives almost nothing'}`;
    const ratio = r.voxelCount / m.region.length;
    if (!(ratio >= 1 / OWN_SUPPORT_RATIO && ratio <= OWN_SUPPORT_RATIO)) return `the region grown at its level (${r.volumeMl.toFixed(2)} mL) and the region whose edge the image shows (${((m.region.length * geom.voxelVolumeMm3) / 1000).toFixed(2)} mL) differ by ${Math.round(100 * Math.abs(ratio - 1))} %, more than the 5 % that leaves Grow within its 10 %`;
    // at most MAX_JOINABLE_SHARE of it beyond the click's level by FOREIGN_SD of the lesion's spread (the
    // region's own, better sampled than the 2 mm ball's, where the texture test says it is one tissue)
    const foreign = foreignShare(r.mask, val, dims, sp, { median: near.median, sigma: Math.max(near.sigma, m.lesionSigma) }).share;
    if (foreign > MAX_JOINABLE_SHARE) return `${Math.round(100 * foreign)} % of the region grown is tissue unlike the point's surroundings`;
    // marrow at the lesion's level that touches it (a patch of the fatty ala's marrow brighter than its
    // mean: pelvic-ref-003 P4, a tail to 17.9 mm across a 14.0 mm lesion) passes the window and lies in
    // the core; fat islands and trabecular gaps are 1-3 mm across, the smallest lesion Grow serves
    // 4.2 mm in radius: the lesion is the core opened by CORE_OPENING_MM, as on the one-tissue path
    // below, widened to the midpoint within the edge's blur (P4: 14.7 mm, voxel count −3.7 %, the
    // partial-volume figure −1.1 %). The checks above hold for the grow without that opening, so it
    // decides only the outline, not whether the lesion is kept.
    hull = new Uint8Array(nb).fill(1);
    const openedCore = attempt(m.window, val, CORE_OPENING_MM);
    let shown: typeof r = r;
    if (!openedCore.problem && openedCore.mask) {
      hull = edgeReach(openedCore.mask, dims, sp);
      const e = attempt(win, val);
      if (!e.problem && e.mask) shown = e;
      // the edge's blur against the lesion's size, read from how the outline moves with its bound (EDGE_BIAS)
      const { slope, sigmaOverR, bias } = edgeProbe(win, val, m.sign, Math.abs(m.aroundLevel - m.lesionLevel), shown.voxelCount);
      if (bias > EDGE_BIAS && pvOf(shown).textured) {
        const rMm = Math.cbrt((3 * shown.volumeMl * 1000) / (4 * Math.PI));
        return `its edge is gradual for its size: moving the midpoint bound by ${Math.round(100 * EDGE_PROBE)} % of its contrast either way changes it by ${Math.round(100 * slope)} % (an edge blurred over about ${(sigmaOverR * rMm).toFixed(1)} mm on a lesion ${(2 * rMm).toFixed(0)} mm across), so its outline at the midpoint reads about ${Math.round(100 * bias)} % low, which the volume estimate cannot restore in marrow this textured`;
      }
    }
    return withPv({ ...strip(shown), guard: 'opening' });
  })();
  if (typeof own !== 'string') return own;
  if (!own) return final;
  /**
   * A lesion of one tissue in textured marrow (fatty marrow on thick slices: pelvic-ref-003's S1 body,
   * 98 ± 74 HU around a 0 HU lesion), where no edge of maximum contrast closes around the lesion alone
   * (it takes in the fatty marrow around, darker than the body's rim). The lesion's level and its own
   * noise are read from its core, grown at that level ± UNIFORM_SD of that noise and re-read until they
   * settle (trimmedLevel); marrow texture at the lesion's level that touches it is cut off by an opening
   * of CORE_OPENING_MM. The lesion returned is the core widened to the midpoint (the lesion's
   * half-level edge, as every other mask the tools draw, opened by CORE_OPENING_MM): the core alone
   * lies inside that edge (pelvic-ref-003 P1: its voxel count −29 %), and in textured marrow the
   * partial-volume estimate the panel shows keeps only the band fractions the marrow's texture does
   * not explain (partial-volume.ts, "Textured marrow"), so it no longer restores a core's edge.
   * Kept only where
   *  - the window lies wholly on the lesion's side of the midpoint to the level around (the core holds
   *    no voxel that is more marrow than lesion);
   *  - the partial-volume volume of the core and the voxel count of its outline at the midpoint level,
   *    within the reach of the edge's blur, agree within CORE_EDGE_AGREEMENT;
   *  - the volumes shown for that outline with and without the opening agree within OUTLINE_AGREEMENT.
   */
  const uniform = ((): RegionGrowResult | string => {
    const r0 = Math.max(o.seedRadiusMm, 1.5 * Math.max(sp[0], sp[1], sp[2]));
    const near0 = robustStats(neighbourhoodValues(val, box, seedIdx, g, r0));
    let level = near0.median, sd = Math.max(near0.sigma, MIN_NOISE_HU);
    hull = new Uint8Array(nb).fill(1);
    wide = false;
    // the core at the window of the last round: when the level and the noise settle, the next round's
    // window differs by less than 2 HU (3 × 0.5) and would grow the same core
    let c2: (RegionGrowResult & { mask?: Uint8Array }) | null = null;
    let win: [number, number] = [NaN, NaN];
    for (let it = 0; it < UNIFORM_ITERATIONS; it++) {
      const w: [number, number] = [level - UNIFORM_SD * sd, level + UNIFORM_SD * sd];
      const c = attempt(w, val, CORE_OPENING_MM);
      if (c.problem || !c.mask) return `its core at its level (${Math.round(w[0])} to ${Math.round(w[1])} HU) ${c.problem === 'runs-on' ? `runs on past ${o.maxRadiusMm} mm` : 'is too small'}`;
      c2 = c; win = w;
      const deep: number[] = [], all: number[] = [];
      visitNearMask(c.mask, dims, sp, 0, (q, _o, dIn2) => { if (c.mask![q]) { all.push(val[q]!); if (dIn2 > 2.25) deep.push(val[q]!); } });
      const t = trimmedLevel(deep.length >= 8 ? deep : all);
      const settled = Math.abs(t.mean - level) < 0.5 && Math.abs(t.sd - sd) < 0.5;
      level = t.mean; sd = Math.max(t.sd, MIN_NOISE_HU);
      if (settled) break;
    }
    if (!c2?.mask) return '';
    const around = regionLevels(c2.mask, val, dims, sp, inBall).around;
    if (!(Math.abs(around - level) > 2 * UNIFORM_SD * sd)) return `the tissue around its core (${Math.round(around)} HU) is within ${Math.round(2 * UNIFORM_SD * sd)} HU of its level (${Math.round(level)} HU): too little contrast for its own noise (± ${sd.toFixed(1)} HU)`;
    // the edge: the core widened to the midpoint between the two levels within the reach of the edge's
    // blur (partial-volume neutral for a symmetric blur, as everywhere in Grow)
    const mid = (level + around) / 2;
    hull = edgeReach(c2.mask, dims, sp);
    const e = attempt(around > level ? [win[0], mid] : [mid, win[1]], val);
    hull = new Uint8Array(nb).fill(1);
    if (e.problem || !e.mask) return `its edge at the midpoint to the tissue around (${Math.round(mid)} HU) ${e.problem === 'runs-on' ? `runs on past ${o.maxRadiusMm} mm` : 'gives almost nothing'}`;
    const v = partialVolumeEstimate(volume, strip(c2).offsets, { textureSds: 0 }).volumeMl;
    const d = Math.abs(v / e.volumeMl - 1);
    if (!(d <= CORE_EDGE_AGREEMENT)) return `its volume integrated over its edge (${v.toFixed(2)} mL) and its outline at the midpoint to the tissue around (${e.volumeMl.toFixed(2)} mL) differ by ${Math.round(100 * d)} %, more than the ${Math.round(100 * CORE_EDGE_AGREEMENT)} % that leaves Grow within its 10 %`;
    levels = { lesion: level, around, smoothed: false, passRaw: NaN, passSmooth: NaN };
    hull = edgeReach(c2.mask, dims, sp);
    const shown = attempt(around > level ? [win[0], mid] : [mid, win[1]], val, CORE_OPENING_MM);
    hull = new Uint8Array(nb).fill(1);
    if (shown.problem || !shown.mask) return { ...strip(e), guard: 'opening', levels };
    // the outline with and without the opening: the volume the panel would show for each (partial-volume.ts)
    const vOpen = pvOf(shown).volumeMl, vEdge = pvOf(e).volumeMl;
    const spread = Math.max(vOpen, vEdge) / Math.min(vOpen, vEdge) - 1;
    if (!(spread <= OUTLINE_AGREEMENT)) return `its outline at the midpoint to the tissue around reads ${vEdge.toFixed(2)} mL with what touches it at its level and ${vOpen.toFixed(2)} mL without what is thinner than ${2 * CORE_OPENING_MM} mm (marrow texture, or the lesion's own top and bottom slices): they differ by ${Math.round(100 * spread)} %, more than the ${Math.round(100 * OUTLINE_AGREEMENT)} % that Grow promises`;
    return withPv({ ...strip(shown), guard: 'opening', levels });
  })();
  if (typeof uniform !== 'string') return uniform;
  // the first refusal's reason stands, with why the lesion's own edge did not serve either
  return { ...final, message: `${final.message} (Grow also looked for the lesion's own edge without the bone: ${own}${uniform ? `; and for a lesion of one tissue at the click's level: ${uniform}` : ''}.)` };
}
/**
 * Largest texture ratio (own-edge.ts textureRatio) of a region of one tissue: noise alone reads
 * 1/√(1 − ρ) for neighbour correlation ρ, 3 for ρ = 0.89 (the lesions implanted into the real CTs with
 * the scanner's own noise grain, test/phantom-tools/implant.py, read 1.4-1.9); the fatty S1 body of
 * pelvic-ref-003 around its implanted lesion reads 4.4.
 */
const MAX_TEXTURE_RATIO = 3;
/**
 * Without bone around it, a lesion's grow and the region of maximum boundary contrast (two
 * delineations of one edge: a two-class grow on the raw values, a contrast maximum on the smoothed
 * copy) must agree within half the 10 % that Grow promises, the other half left to the partial-volume
 * estimate the panel shows (its band's fractions in textured marrow: test/segmentation/own-edge.test.ts
 * read +14 % for a grow 9 % over its contrast region). Where marrow texture next to the lesion reaches
 * its level they do not agree (fatty-thin-cortex.json C1: the contrast region takes in texture dips, 0.73-0.84).
 */
const OWN_SUPPORT_RATIO = 1.05;
/**
 * Robust SDs of the lesion's own noise that bound the window of a core of one tissue (step 9): 3 keep
 * 99.7 % of its voxels; a wider window reaches further into marrow texture at the lesion's level.
 */
const UNIFORM_SD = 3;
/** Rounds of re-reading the lesion's level and noise from its core (they settle in 2-3). */
const UNIFORM_ITERATIONS = 5;
/** Floor of the lesion's noise SD (HU): CT values are integers. */
const MIN_NOISE_HU = 1;
/**
 * Opening radius (mm) of a core of one tissue in textured marrow: the grain of fatty marrow's texture
 * (fat islands and trabecular gaps 1-3 mm across) against the radius of the smallest lesion Grow is for
 * (0.3 mL: 4.2 mm), which the opening leaves whole.
 */
const CORE_OPENING_MM = 2;
/**
 * Largest relative difference between a core's partial-volume volume (a mask inside the lesion's edge,
 * the transition beyond it integrated) and the voxel count of its outline at the midpoint level within
 * the edge's blur (partial-volume neutral): two readings of one edge, whose biases differ (the first
 * misses transition beyond the estimate's band, the second the curvature's 3σ²/r² and any marrow
 * voxel beyond the midpoint; marrow texture at the lesion's level that touches the core counts in the
 * first in full). Half the 10 % that Grow promises, as OWN_SUPPORT_RATIO.
 */
const CORE_EDGE_AGREEMENT = 0.05;
/**
 * Largest relative difference (larger / smaller − 1) between the volumes the panel would show for the
 * one-tissue path's two outlines at the midpoint level (step 9): the outline opened by CORE_OPENING_MM,
 * which Grow returns, and the outline without that opening. The opening takes off what is thinner than
 * 2 × CORE_OPENING_MM: marrow texture at the lesion's level touching it, but on thick slices also the
 * lesion's own cap slices (a ball of 2 mm is a disc on 3 mm slices, and it judges each slice alone).
 * The lesion's volume lies between the two readings when the first lacks only lesion and the second
 * adds only marrow; where they differ by no more than Grow's 10 %, either reading is within 10 % of
 * anything between them, and where they differ by more the click's evidence cannot tell how much of the
 * difference is lesion. Measured: pelvic-ref-003 P1 (1 × 1 × 3 mm) 6 %, fatty-lytic-body-2mm.json G1
 * (grown at −4.5 %) within 10 %; fatty-funnel.json Y1 / Y2 (0.8 × 0.8 × 3 mm, the opened outline −12 /
 * −21 % against the truth, its cap slices erased) 16 / 13 %, fatty-lytic-body-2mm.json G2 (0.9 × 0.9 × 2 mm,
 * −17.8 %) 12 %, fatty-textured-caps.json K2 (−25 %) 13 %.
 */
const OUTLINE_AGREEMENT = 0.1;
/**
 * A lesion bounded by its own edge in textured marrow (step 9): the share of its contrast by which the
 * midpoint bound is moved either way to read how gradual its edge is. For a step of contrast C blurred
 * by σ (Gaussian) on a lesion of radius r, the outline at the midpoint ± δ·C moves by ±√(2π)·σ·δ, so its
 * volume changes by ±3·√(2π)·δ·σ/r: the change over ±EDGE_PROBE·C gives σ/r. 5 %: small enough that the
 * profile is straight there (its slope at ±5 % of the contrast is within 2 % of the slope at its
 * midpoint), large enough to move hundreds of voxels on a 1 mL lesion.
 */
const EDGE_PROBE = 0.05;
/**
 * Largest undercount of a lesion's outline at the midpoint level that Grow leaves to stand where the
 * partial-volume estimate cannot restore it (step 9). A blurred convex edge's midpoint iso-surface lies
 * inside the true one by about σ²(κ1 + κ2)/2, a volume of ≈ 3σ²/r² for a ball (partial-volume.ts); that
 * estimate restores it by reading the band's fractions, which it does not in textured marrow (its
 * "Textured marrow" rule keeps the mask's answer). Half of the 10 % that Grow promises, the other half
 * left to the levels, as OWN_SUPPORT_RATIO. Measured 3σ²/r² (with σ/r from EDGE_PROBE): pelvic-ref-003
 * P4 2.9-3.9 % (grown, −1.1 %); fatty-thick4mm.json (PSF σ 1 mm, 4 mm slices) L3 8 % (grown before at
 * −17 %), L5 and L2 15-20 % (grown before at −11 % and −19 %).
 */
const EDGE_BIAS = 0.05;
/** Refusals after which a lytic CT click is tried once more as a lesion bounded by its own edge. */
const OWN_EDGE_AFTER: ReadonlySet<GrowProblem> = new Set(['outside-bone', 'unsupported', 'low-contrast', 'runs-on']);

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

// ---------------------------------------------------------------------------------------------

/**
 * Squared distances (mm²) to the mask and to its outside, on the mask's bounding box padded by
 * `padMm` (cropped: the box of a 25 mm ball is 5-20× larger than a lesion's). Calls `visit` for
 * every voxel of the padded box with its box-local index and both squared distances.
 */
function visitNearMask(mask: Uint8Array, dims: [number, number, number], sp: Vec3, padMm: number, visit: (n: number, dOut2: number, dIn2: number) => void): void {
  const [bi, bj] = dims;
  const mb = nonZeroBox(mask, dims);
  if (!mb) return;
  const p = [Math.ceil(padMm / sp[0]) + 1, Math.ceil(padMm / sp[1]) + 1, Math.ceil(padMm / sp[2]) + 1];
  const lo = [Math.max(0, mb[0] - p[0]!), Math.max(0, mb[1] - p[1]!), Math.max(0, mb[2] - p[2]!)];
  const hi = [Math.min(dims[0] - 1, mb[3] + p[0]!), Math.min(dims[1] - 1, mb[4] + p[1]!), Math.min(dims[2] - 1, mb[5] + p[2]!)];
  const sd: [number, number, number] = [hi[0]! - lo[0]! + 1, hi[1]! - lo[1]! + 1, hi[2]! - lo[2]! + 1];
  const sub = new Uint8Array(sd[0] * sd[1] * sd[2]);
  let q = 0;
  for (let k = lo[2]!; k <= hi[2]!; k++) for (let j = lo[1]!; j <= hi[1]!; j++) { const row = bi * (j + bj * k); for (let i = lo[0]!; i <= hi[0]!; i++) sub[q++] = mask[row + i]!; }
  const dOut = squaredDistanceTo(sub, sd, sp, 1);
  const dIn = squaredDistanceTo(sub, sd, sp, 0);
  q = 0;
  for (let k = lo[2]!; k <= hi[2]!; k++) for (let j = lo[1]!; j <= hi[1]!; j++) { const row = bi * (j + bj * k); for (let i = lo[0]!; i <= hi[0]!; i++, q++) visit(row + i, dOut[q]!, dIn[q]!); }
}

/**
 * The grown region's own level and the level of the tissue around it:
 *  - interior: robust median of the mask's voxels deeper than 1.5 mm (beyond the reach of the
 *    edge's blur and, on 3 mm slices, of a neighbouring slice's partial volume); NaN when fewer
 *    than 8 (a small region holds no better evidence of the lesion's level than the click's
 *    neighbourhood);
 *  - around: median of the voxels 1.5-3.5 mm outside the mask, within the ball.
 */
/**
 * Share of a grown region's interior (all 6 face neighbours in the region and deeper than 1.5 mm:
 * beyond the reach of the edge's blur and of a neighbouring slice's partial volume) whose values lie
 * more than FOREIGN_SD robust SDs of the click's neighbourhood from its median: tissue the click's
 * neighbourhood does not contain.
 */
function foreignShare(mask: Uint8Array, val: Float32Array, dims: [number, number, number], sp: Vec3, near: { median: number; sigma: number }): { share: number; interior: number } {
  const [bi, bj, bk] = dims;
  const bij = bi * bj;
  const band = FOREIGN_SD * Math.max(near.sigma, 1e-3 * (Math.abs(near.median) + 1));
  let n = 0, out = 0;
  visitNearMask(mask, dims, sp, 0, (q, _o, dIn2) => {
    if (!mask[q] || dIn2 <= 2.25) return;
    const k = (q / bij) | 0, r = q - k * bij, j = (r / bi) | 0, i = r - j * bi;
    if (i === 0 || j === 0 || k === 0 || i === bi - 1 || j === bj - 1 || k === bk - 1) return;
    if (!mask[q - 1] || !mask[q + 1] || !mask[q - bi] || !mask[q + bi] || !mask[q - bij] || !mask[q + bij]) return;
    n++;
    if (Math.abs(val[q]! - near.median) > band) out++;
  });
  return { share: n ? out / n : 0, interior: n };
}
/**
 * Robust SDs of the click's neighbourhood beyond which a value is tissue that neighbourhood does not
 * hold: 4, because that SD comes from the 15-60 voxels of a 2 mm ball, which can read it a quarter
 * low (4 × 0.75 = 3 true SDs still keeps 99.7 % of the lesion's own noise in).
 */
const FOREIGN_SD = 4;
/**
 * Largest share of a grow that may be tissue other than the lesion's (foreign interior on CT fatty
 * marrow; on MR the pieces of the tissue around at the lesion's level that could join it): the 10 %
 * volume accuracy Grow promises (issue 13), so a grow beyond it is refused rather than shown off.
 */
const MAX_JOINABLE_SHARE = 0.1;

function regionLevels(mask: Uint8Array, val: Float32Array, dims: [number, number, number], sp: Vec3, inBall: Uint8Array): { interior: number; around: number } {
  const deep: number[] = [], out: number[] = [];
  visitNearMask(mask, dims, sp, 3.5, (n, dOut2, dIn2) => {
    if (mask[n]) { if (dIn2 > 2.25) deep.push(val[n]!); }
    else if (dOut2 > 2.25 && dOut2 <= 12.25 && inBall[n]) out.push(val[n]!);
  });
  return { interior: deep.length >= 8 ? robustStats(thin(deep)).median : NaN, around: out.length ? robustStats(thin(out)).median : NaN };
}

/** Every k-th value so that at most 4000 remain: the median of 4000 noisy voxels is within 2 % of their SD. */
function thin(xs: number[]): number[] {
  if (xs.length <= 4000) return xs;
  const k = Math.ceil(xs.length / 4000);
  const out: number[] = [];
  for (let n = 0; n < xs.length; n += k) out.push(xs[n]!);
  return out;
}

/**
 * Tissue at the window beyond a gap in the cortex, as a share of the grown region, from which a
 * grow is refused as running through the cortex (a lesion's own extension outside the bone is
 * tens of per cent of it; partial-volume voxels of a gap edge against fat a few).
 */
const BREACH_SHARE = 0.1;
/**
 * A region cut at the enclosure's bridge over a gap in the cortex is a lesion's part inside the
 * bone when at most this share of its surface is the cut, the rest walled by bone (lesions breaking
 * out on breach-dense, breach-fatty and mixed.json: 0.02 for a 7 mm break, 0.12-0.20 for breaks as
 * wide as the lesion); a region open over more of its surface is not walled by bone (a pocket of
 * soft tissue in a hollow of the bone) and is refused.
 */
const MAX_CUT_SHARE = 0.3;
/**
 * Closing radius of the enclosure for a click in a break of the cortex too wide for the default
 * closing: a lesion breaking out leaves a gap about its own width (10-20 mm for the 0.5-4 mL lesions
 * of the source study). The closing's bridge over a gap of width w sags into the bone by
 * R − √(R² − w²/4), cutting the kept part short: for a 14 mm gap 2.9 mm at R = 10 mm, 1.2 mm at
 * 20 mm (breach-dense B1 and B2, in-bone part by the partial-volume estimate: −23 … −6 % at 10 mm,
 * −8 … +1 % at 20 mm).
 */
const WIDE_CLOSING_MM = 20;
/**
 * Rays (of 26) meeting bone within twice Grow's reach from which a click the bone does not enclose
 * is inside the bone (with a gap), and up to which it is soft tissue outside it (a click in muscle
 * next to the sacrum meets bone on about a third of its sides).
 */
const OPEN_BONE_RAYS = 18;
const SOFT_TISSUE_RAYS = 8;
/**
 * A region at a lesion's level that goes on farther than this from the click is the lumen a lesion
 * opens into, not the lesion (12 mm: the radius of a 7 mL ball, the source study's mean volume).
 */
const LUMEN_FAR_MM = 12;
/** Depth (mm) inside the run-on region from which its voxels give the lumen's level. */
const LUMEN_CORE_MM = 1.5;
/** The lesion's and the lumen's levels on the smoothed copy must differ by this many of the lumen's spreads there (the midpoint then lies 2 spreads from each: 2 % of either passes to the other side, and the opening removes them). */
const LUMEN_SEPARATION_SD = 4;
/** Gaussian σ of the copy the surroundings are measured on (and, where needed, thresholded). */
const SURROUND_SMOOTH_MM = 1;
/** Gaussian σ of the copy that gives the level of the tissue around (texture and noise averaged out). */
const LEVEL_SMOOTH_MM = 2;
/**
 * Largest share of the tissue around a lesion that may pass its window: such voxels touching the
 * lesion join it (1 %: a threshold 2.3 SD from a Gaussian tissue's level). Raw voxels first; then
 * the smoothed copy; else refused.
 */
const MAX_PASSING = 0.01;
/**
 * The grow on fatty marrow and the region of maximum boundary contrast agree within this factor
 * (lesions on the fatty phantoms: 0.94-1.04; texture dips in normal marrow: 0.1-0.3).
 */
const MAX_SUPPORT_RATIO = 1.3;

/** MR: the lesion's noise band below (dark lesion) or above (bright lesion) its level, in robust SDs (a Gaussian's 3 SD keep 99.7 %). */
const MR_NOISE_SD = 3;

/**
 * The reach of a lesion edge's blur, as partial-volume.ts reckons it: 2.5 σ_edge per axis, with
 * σ_edge² = σ_psf² + spacing²/12 and σ_psf = 0.4 mm (1 slice of 3-4 mm, 2 pixels of 0.6-0.7 mm).
 */
const EDGE_PSF_MM = 0.4, EDGE_REACH_SIGMAS = 2.5;

/** The voxels within the reach of an edge's blur (per axis) of `mask` (box-local). */
function edgeReach(mask: Uint8Array, dims: [number, number, number], sp: Vec3): Uint8Array {
  const reach = [0, 1, 2].map((a) => Math.max(1, Math.round((EDGE_REACH_SIGMAS * Math.sqrt(EDGE_PSF_MM ** 2 + sp[a]! ** 2 / 12)) / sp[a]!)));
  const off: number[] = [];
  const [ri, rj, rk] = reach as [number, number, number];
  for (let dk = -rk; dk <= rk; dk++) for (let dj = -rj; dj <= rj; dj++) for (let di = -ri; di <= ri; di++) {
    const e = (di / ri) ** 2 + (dj / rj) ** 2 + (dk / rk) ** 2;
    if ((di || dj || dk) && e <= 1 + 1e-9) off.push(di, dj, dk, di + dims[0] * (dj + dims[1] * dk));
  }
  return dilateSparse(mask, dims, Int32Array.from(off));
}

/**
 * Trims a grown region's edge voxels to the midpoint between the lesion's level and the level of the
 * tissue next to each of them: the median of the voxels 1.5-3.5 mm outside the region (beyond the
 * edge's blur) within LOCAL_BACKGROUND_MM of the voxel. An edge voxel on that tissue's side of the
 * midpoint holds less than half lesion (for a symmetric blur the 50 % level lies on the true edge) and
 * is dropped; then the next layer is examined, at most EDGE_TRIM_LAYERS times. Returns `mask` itself
 * when nothing is trimmed.
 */
function trimToLocalMidpoint(mask: Uint8Array, val: Float32Array, dims: [number, number, number], sp: Vec3, g: ReturnType<typeof gridMetric>, inBall: Uint8Array, lesionLevel: number): Uint8Array {
  const [bi, bj, bk] = dims;
  const bij = bi * bj;
  const shell = new Uint8Array(mask.length);
  let nShell = 0;
  visitNearMask(mask, dims, sp, 3.5, (n, dOut2) => { if (!mask[n] && dOut2 > 2.25 && dOut2 <= 12.25 && inBall[n]) { shell[n] = 1; nShell++; } });
  if (nShell < 8) return mask;
  const h = g.unitBallHalfExtent;
  const ri = Math.ceil(LOCAL_BACKGROUND_MM * h[0]), rj = Math.ceil(LOCAL_BACKGROUND_MM * h[1]), rk = Math.ceil(LOCAL_BACKGROUND_MM * h[2]);
  const r2 = LOCAL_BACKGROUND_MM * LOCAL_BACKGROUND_MM;
  const background = new Map<number, number>();
  const localLevel = (n: number): number => {
    const hit = background.get(n);
    if (hit !== undefined) return hit;
    const k = (n / bij) | 0, r = n - k * bij, j = (r / bi) | 0, i = r - j * bi;
    const xs: number[] = [];
    for (let dk = -rk; dk <= rk; dk++) {
      const c = k + dk;
      if (c < 0 || c >= bk) continue;
      for (let dj = -rj; dj <= rj; dj++) {
        const b = j + dj;
        if (b < 0 || b >= bj) continue;
        for (let di = -ri; di <= ri; di++) {
          const a = i + di;
          if (a < 0 || a >= bi) continue;
          const q = a + bi * (b + bj * c);
          if (shell[q] && metricLength2(g, di, dj, dk) <= r2) xs.push(val[q]!);
        }
      }
    }
    xs.sort((x, y) => x - y);
    const level = xs.length >= 8 ? xs[xs.length >> 1]! : NaN;
    background.set(n, level);
    return level;
  };
  let out = mask;
  for (let layer = 0; layer < EDGE_TRIM_LAYERS; layer++) {
    const drop: number[] = [];
    for (let n = 0; n < out.length; n++) {
      if (!out[n]) continue;
      const k = (n / bij) | 0, r = n - k * bij, j = (r / bi) | 0, i = r - j * bi;
      const edge = i === 0 || i === bi - 1 || j === 0 || j === bj - 1 || k === 0 || k === bk - 1 ||
        !out[n - 1] || !out[n + 1] || !out[n - bi] || !out[n + bi] || !out[n - bij] || !out[n + bij];
      if (!edge) continue;
      const b = localLevel(n);
      if (!Number.isNaN(b) && (val[n]! - (lesionLevel + b) / 2) * (lesionLevel - b) < 0) drop.push(n);
    }
    if (!drop.length) break;
    if (out === mask) out = mask.slice();
    for (const n of drop) out[n] = 0;
  }
  return out;
}
/**
 * Share of the tissue around a grown region (1.5-3.5 mm outside, on a 2 mm smoothed copy: its level,
 * not its noise) that lies beyond the lesion's own noise band (NOISE_SD robust SDs) on the side away
 * from the level around it: a region between two tissues, darker than one and brighter than the other.
 */
function oppositeShare(mask: Uint8Array, val: Float32Array, dims: [number, number, number], sp: Vec3, inBall: Uint8Array, lesionLevel: number, aroundLevel: number, lesionSigma: number): number {
  const level = smoothBox(val, dims, sp, 2);
  const side = Math.sign(lesionLevel - aroundLevel);
  let n = 0, opp = 0;
  visitNearMask(mask, dims, sp, 3.5, (q, dOut2) => {
    if (mask[q] || !(dOut2 > 2.25 && dOut2 <= 12.25) || !inBall[q]) return;
    n++;
    if ((level[q]! - lesionLevel) * side > NOISE_SD * lesionSigma) opp++;
  });
  return n ? opp / n : 0;
}

/** Radius (mm) around an edge voxel within which the tissue next to it is read (a few voxels of the shell 1.5-3.5 mm out). */
const LOCAL_BACKGROUND_MM = 4;
/** Layers of edge voxels examined by trimToLocalMidpoint (the blur of an edge reaches one or two voxels in). */
const EDGE_TRIM_LAYERS = 2;

/** Share of `mask` (box-local) farther from `region` (box-local indices) than the reach of an edge's blur along each axis. */
function shareBeyondEdge(mask: Uint8Array, region: Int32Array, dims: [number, number, number], sp: Vec3): number {
  const reach = [0, 1, 2].map((a) => Math.round((EDGE_REACH_SIGMAS * Math.sqrt(EDGE_PSF_MM ** 2 + sp[a]! ** 2 / 12)) / sp[a]!));
  const off: number[] = [];
  const [ri, rj, rk] = reach as [number, number, number];
  for (let dk = -rk; dk <= rk; dk++) for (let dj = -rj; dj <= rj; dj++) for (let di = -ri; di <= ri; di++) {
    const e = (ri ? (di / ri) ** 2 : 0) + (rj ? (dj / rj) ** 2 : 0) + (rk ? (dk / rk) ** 2 : 0);
    if ((di || dj || dk) && e <= 1 + 1e-9) off.push(di, dj, dk, di + dims[0] * (dj + dims[1] * dk));
  }
  const reg = new Uint8Array(mask.length);
  for (const n of region) reg[n] = 1;
  const near = dilateSparse(reg, dims, Int32Array.from(off));
  let n = 0, out = 0;
  for (let q = 0; q < mask.length; q++) if (mask[q]) { n++; if (!near[q]) out++; }
  return n ? out / n : 0;
}

/** MR: the opening radius of the grow (the lytic/custom default), also used to tell joinable tissue from noise around the lesion. */
const MR_OPENING_MM = 1.0;

interface MrLevels { window: [number, number]; lesionLevel: number; aroundLevel: number; lesionSigma: number; passRaw: number; passOpen: number; shellVoxels: number; region: Int32Array }

/**
 * MR (no tissue level can be assumed): the lesion's level and the level of the tissue around it,
 * read at the boundary of maximum median contrast around the click (boundary-contrast.ts, as for
 * lytic CT lesions on fatty marrow), for a lesion darker than its surroundings (T1: a metastasis in
 * fatty marrow) and for one brighter (T2); the side whose region closes within the search ball with
 * the larger contrast wins. The bound towards the tissue around is the midpoint of the two levels:
 * for a symmetric point-spread function the 50 % iso-level of a blurred step lies on the true edge,
 * so the partial-volume voxels of the edge (a whole 3 mm slice's worth on a thick-slice series) are
 * split fairly. A window of the neighbourhood's level ± 3 noise SD instead stops a third of the way
 * to the edge and keeps 20-70 % too little (t1-like.json). The other bound is the lesion's own
 * noise band (MR_NOISE_SD robust SDs of its interior), which keeps out darker (brighter) tissue
 * such as cortex. Values are scaled to tenths of the neighbourhood's noise SD for the contrast
 * histogram, so the method does not depend on the scanner's signal scale.
 * Null when no region closes within the ball (the neighbourhood window then decides).
 */
function measureMrLevels(val: Float32Array, dims: [number, number, number], sp: Vec3, inBall: Uint8Array, g: ReturnType<typeof gridMetric>,
  seed: Vec3, box: IndexBox, rim2: number, seedLocal: number, near: { median: number; sigma: number }, minVoxels: number): MrLevels | null {
  const [bi, bj, bk] = dims;
  const unit = Math.max(near.sigma, 1e-3 * (Math.abs(near.median) + 1)) / 10;
  const rim = new Uint8Array(val.length);
  let n = 0;
  for (let k = 0; k < bk; k++) for (let j = 0; j < bj; j++) for (let i = 0; i < bi; i++, n++)
    if (inBall[n] && metricLength2(g, i + box[0] - seed[0], j + box[1] - seed[1], k + box[2] - seed[2]) > rim2) rim[n] = 1;
  let best: MrLevels | null = null, bestContrast = -Infinity;
  const openBall = ballOffsets(g, MR_OPENING_MM, dims);
  // the copies for the brighter-lesion side are the negated copies of the darker side's: (−v)/u and
  // the (linear) smoothing of it are bit-exact negations, so each smoothing runs once
  const rawPos = new Float32Array(val.length);
  for (let t = 0; t < val.length; t++) rawPos[t] = val[t]! / unit;
  const smPos = smoothBox(rawPos, dims, sp, SURROUND_SMOOTH_MM);
  let levelPos: Float32Array | null = null;
  for (const sign of [1, -1]) {
    const raw = sign > 0 ? rawPos : rawPos.map((x) => -x);
    const sm = sign > 0 ? smPos : smPos.map((x) => -x);
    const low = (sign * near.median) / unit - MR_NOISE_SD * 10;
    const bc = maxBoundaryContrastRegion(raw, sm, dims, sp, inBall, rim, seedLocal, low, minVoxels, val.length);
    if (!bc || bc.reachedRim || !(bc.shell.median > bc.lesion.median) || !(bc.contrast > bestContrast)) continue;
    const L = bc.lesion.median, B = bc.shell.median;
    const lo = L - MR_NOISE_SD * Math.max(bc.lesion.sigma, 10 * 1e-3), hi = (L + B) / 2;
    // the tissue around that would pass as lesion, counted where that tissue's level (2 mm smoothed)
    // lies beyond the bound, as on CT: thin dark lines (cortex, an endplate) between the lesion and
    // the marrow beyond, whose values cross the window on their way down, do not count
    levelPos ??= smoothBox(rawPos, dims, sp, LEVEL_SMOOTH_MM);
    const level = sign > 0 ? levelPos : levelPos.map((x) => -x);
    // only pieces of passing tissue that survive Grow's opening can join the lesion (single noisy
    // voxels do not); real marrow's fatty patches are such pieces
    const passing = new Uint8Array(val.length);
    for (let t = 0; t < val.length; t++) { const x = raw[t]!; if (inBall[t] && x >= lo && x <= hi) passing[t] = 1; }
    const opened = dilateSparse(erodeSparse(passing, dims, openBall), dims, openBall);
    let pass = 0, passOpen = 0, nAround = 0;
    for (const q of bc.shell.voxels) {
      if (level[q]! <= hi) continue;
      nAround++;
      if (passing[q]) pass++;
      if (opened[q]) passOpen++;
    }
    if (nAround < minVoxels) continue;
    const win: [number, number] = sign > 0 ? [lo * unit, hi * unit] : [-hi * unit, -lo * unit];
    bestContrast = bc.contrast;
    best = { window: win, lesionLevel: sign * L * unit, aroundLevel: sign * B * unit, lesionSigma: bc.lesion.sigma * unit, passRaw: pass / nAround, passOpen: passOpen / nAround, shellVoxels: nAround, region: bc.region };
  }
  return best;
}

interface Surroundings {
  window: [number, number];
  /** The smoothed copy to threshold instead of the raw values (null: raw voxels separate). */
  smooth: Float32Array | null;
  lesionLevel: number;
  aroundLevel: number;
  /** Share of the shell around that passes the window: raw voxels, smoothed copy. */
  passRaw: number;
  passSmooth: number;
  /** Voxels of the region of maximum boundary contrast, and that contrast. */
  regionVoxels: number;
  contrast: number;
  refusal?: { problem: GrowProblem; message: string };
}

/**
 * Lytic lesion on CT: the lesion's level and the level of the tissue around it, read at the
 * boundary of maximum mean contrast around the click (boundary-contrast.ts). The upper bound is
 * the midpoint between the two (partial-volume neutral, as for the assumed levels), with the
 * level around capped at `boneHu` (denser bone around only makes the lesion easier to tell
 * apart; the cap keeps cortex in the shell from moving the bound). Where the tissue around
 * varies by more than a third of the half-contrast voxel by voxel (fatty marrow: 18 HU noise and
 * 30 HU trabecular texture against a 65 HU contrast), the window is applied to the smoothed copy,
 * and where even that does not separate the levels by SMOOTH_SEPARATION_SD the grow is refused.
 * Null when no boundary closes within the search ball (the assumed levels then decide, and the
 * plausibility checks refuse a run-on).
 */
function measureSurroundings(val: Float32Array, dims: [number, number, number], sp: Vec3, inBall: Uint8Array, g: ReturnType<typeof gridMetric>,
  seed: Vec3, box: IndexBox, rim2: number, seedLocal: number, lowerMarginHu: number, seedMedian: number, minVoxels: number, boneHu: number): Surroundings | null {
  const [bi, bj, bk] = dims;
  const sm = smoothBox(val, dims, sp, SURROUND_SMOOTH_MM);
  const rim = new Uint8Array(val.length);
  let n = 0;
  for (let k = 0; k < bk; k++) for (let j = 0; j < bj; j++) for (let i = 0; i < bi; i++, n++)
    if (inBall[n] && metricLength2(g, i + box[0] - seed[0], j + box[1] - seed[1], k + box[2] - seed[2]) > rim2) rim[n] = 1;
  const bc = maxBoundaryContrastRegion(val, sm, dims, sp, inBall, rim, seedLocal, seedMedian - lowerMarginHu, minVoxels, val.length);
  if (!bc || bc.reachedRim) return null;
  const L = bc.lesion.median, B = Math.min(bc.shell.median, boneHu);
  if (!(B > L)) return null;
  const half = (B - L) / 2;
  const window: [number, number] = [L - lowerMarginHu, L + half];
  // how much of the tissue around would pass as lesion, voxel by voxel and after smoothing: counted
  // where that tissue's level (a 2 mm smoothed copy) lies above the window, so that the thin
  // dark-to-bright edges of a foramen's lumen and lining, which the opening removes, do not count
  const level = smoothBox(val, dims, sp, LEVEL_SMOOTH_MM);
  let nAround = 0, cRaw = 0, cSmooth = 0;
  for (const n of bc.shell.voxels) {
    if (level[n]! <= window[1]) continue;
    nAround++;
    const x = val[n]!, y = sm[n]!;
    if (x >= window[0] && x <= window[1]) cRaw++;
    if (y >= window[0] && y <= window[1]) cSmooth++;
  }
  if (nAround < minVoxels) return null;
  const passRaw = cRaw / nAround, passSmooth = cSmooth / nAround;
  const base = { window, lesionLevel: L, aroundLevel: bc.shell.median, passRaw, passSmooth, regionVoxels: bc.region.length, contrast: bc.contrast };
  if (passRaw <= MAX_PASSING) return { ...base, smooth: null };
  if (passSmooth <= MAX_PASSING) return { ...base, smooth: sm };
  return {
    ...base, smooth: sm,
    refusal: {
      problem: 'low-contrast',
      message: `the lesion (${Math.round(L)} HU) differs from the bone around it (${Math.round(bc.shell.median)} HU) by ${Math.round(bc.shell.median - L)} HU, too little against that bone's texture and noise (${Math.round(100 * passSmooth)} % of the bone around passes as lesion even after smoothing) for a threshold to find its edge; paint it with the lesion/background strokes tool (L)`,
    },
  };
}

function stripUndefined<T extends object>(x: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(x)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}

/** Erosion that treats the box border as foreground (so a closing does not eat bone cut by the box). */
function erodeMaskKeepBorder(mask: Uint8Array, dims: [number, number, number], sp: Vec3, r: number): Uint8Array {
  // pad by the radius in voxels with ones, erode, crop
  const pad = [Math.ceil(r / sp[0]) + 1, Math.ceil(r / sp[1]) + 1, Math.ceil(r / sp[2]) + 1] as const;
  const pd: [number, number, number] = [dims[0] + 2 * pad[0], dims[1] + 2 * pad[1], dims[2] + 2 * pad[2]];
  const big = new Uint8Array(pd[0] * pd[1] * pd[2]).fill(1);
  for (let k = 0; k < dims[2]; k++) for (let j = 0; j < dims[1]; j++) {
    const src = dims[0] * (j + dims[1] * k);
    const dst = pad[0] + pd[0] * (j + pad[1] + pd[1] * (k + pad[2]));
    big.set(mask.subarray(src, src + dims[0]), dst);
  }
  const e = erodeMask(big, pd, sp, r);
  const out = new Uint8Array(mask.length);
  for (let k = 0; k < dims[2]; k++) for (let j = 0; j < dims[1]; j++) {
    const dst = dims[0] * (j + dims[1] * k);
    const src = pad[0] + pd[0] * (j + pad[1] + pd[1] * (k + pad[2]));
    out.set(e.subarray(src, src + dims[0]), dst);
  }
  return out;
}

/**
 * Region enclosed by bone: voxels brighter than `boneLevel` are closed with a ball of
 * `radiusMm` and the holes of the result are filled. Computed on a grid coarsened by 2 along
 * every axis finer than 1.25 mm (a block is bone when any of its voxels is), which is 4-8x
 * cheaper and plenty for a 5 mm closing; the result is expanded back to the box.
 */
function boneHull(val: Float32Array, dims: [number, number, number], boneLevel: number, sp: Vec3, radiusMm: number): Uint8Array {
  const [bi, bj, bk] = dims;
  const f = [sp[0] <= 1.25 ? 2 : 1, sp[1] <= 1.25 ? 2 : 1, sp[2] <= 1.25 ? 2 : 1] as const;
  const cd: [number, number, number] = [Math.ceil(bi / f[0]), Math.ceil(bj / f[1]), Math.ceil(bk / f[2])];
  const csp: Vec3 = [sp[0] * f[0], sp[1] * f[1], sp[2] * f[2]];
  const cij = cd[0] * cd[1];
  const coarse = new Uint8Array(cij * cd[2]);
  let n = 0;
  for (let k = 0; k < bk; k++) {
    const ck = ((k / f[2]) | 0) * cij;
    for (let j = 0; j < bj; j++) {
      const cj = ck + ((j / f[1]) | 0) * cd[0];
      for (let i = 0; i < bi; i++, n++) if (val[n]! > boneLevel) coarse[cj + ((i / f[0]) | 0)] = 1;
    }
  }
  const closed = erodeMaskKeepBorder(dilateMask(coarse, cd, csp, radiusMm), cd, csp, radiusMm);
  const hullC = fillHolesMask(closed, cd);
  const hull = new Uint8Array(val.length);
  n = 0;
  for (let k = 0; k < bk; k++) {
    const ck = ((k / f[2]) | 0) * cij;
    for (let j = 0; j < bj; j++) {
      const cj = ck + ((j / f[1]) | 0) * cd[0];
      for (let i = 0; i < bi; i++, n++) hull[n] = hullC[cj + ((i / f[0]) | 0)]!;
    }
  }
  return hull;
}

/** Index offsets (di, dj, dk, linear) of a ball of radiusMm in the grid metric. */
function ballOffsets(g: ReturnType<typeof gridMetric>, radiusMm: number, dims: [number, number, number]): Int32Array {
  const h = g.unitBallHalfExtent;
  const out: number[] = [];
  const r2 = radiusMm * radiusMm * (1 + 1e-9);
  const ri = Math.floor(radiusMm * h[0]), rj = Math.floor(radiusMm * h[1]), rk = Math.floor(radiusMm * h[2]);
  for (let dk = -rk; dk <= rk; dk++) for (let dj = -rj; dj <= rj; dj++) for (let di = -ri; di <= ri; di++) {
    if ((di || dj || dk) && metricLength2(g, di, dj, dk) <= r2) out.push(di, dj, dk, di + dims[0] * (dj + dims[1] * dk));
  }
  return Int32Array.from(out);
}

/** Erosion of a sparse mask by an offset list (outside the box counts as background). */
function erodeSparse(m: Uint8Array, dims: [number, number, number], off: Int32Array): Uint8Array {
  const [bi, bj, bk] = dims;
  const bij = bi * bj;
  const out = new Uint8Array(m.length);
  for (let n = 0; n < m.length; n++) {
    if (!m[n]) continue;
    const k = (n / bij) | 0, r = n - k * bij, j = (r / bi) | 0, i = r - j * bi;
    let keep = 1;
    for (let t = 0; t < off.length; t += 4) {
      const ii = i + off[t]!, jj = j + off[t + 1]!, kk = k + off[t + 2]!;
      if (ii < 0 || jj < 0 || kk < 0 || ii >= bi || jj >= bj || kk >= bk || !m[n + off[t + 3]!]) { keep = 0; break; }
    }
    out[n] = keep;
  }
  return out;
}

/** Dilation of a sparse mask by an offset list (clipped to the box). */
function dilateSparse(m: Uint8Array, dims: [number, number, number], off: Int32Array): Uint8Array {
  const [bi, bj, bk] = dims;
  const bij = bi * bj;
  const out = new Uint8Array(m.length);
  for (let n = 0; n < m.length; n++) {
    if (!m[n]) continue;
    out[n] = 1;
    const k = (n / bij) | 0, r = n - k * bij, j = (r / bi) | 0, i = r - j * bi;
    for (let t = 0; t < off.length; t += 4) {
      const ii = i + off[t]!, jj = j + off[t + 1]!, kk = k + off[t + 2]!;
      if (ii < 0 || jj < 0 || kk < 0 || ii >= bi || jj >= bj || kk >= bk) continue;
      out[n + off[t + 3]!] = 1;
    }
  }
  return out;
}

/** fillHolesMask restricted to the bounding box (+1) of the mask. */
function fillHolesInBox(m: Uint8Array, dims: [number, number, number]): Uint8Array {
  const [bi, bj, bk] = dims;
  const box = nonZeroBox(m, dims);
  if (!box) return m;
  let [i0, j0, k0, i1, j1, k1] = box;
  i0 = Math.max(0, i0 - 1); j0 = Math.max(0, j0 - 1); k0 = Math.max(0, k0 - 1);
  i1 = Math.min(bi - 1, i1 + 1); j1 = Math.min(bj - 1, j1 + 1); k1 = Math.min(bk - 1, k1 + 1);
  const sd: [number, number, number] = [i1 - i0 + 1, j1 - j0 + 1, k1 - k0 + 1];
  const sub = new Uint8Array(sd[0] * sd[1] * sd[2]);
  let q = 0;
  for (let k = k0; k <= k1; k++) for (let j = j0; j <= j1; j++) { const row = bi * (j + bj * k); for (let i = i0; i <= i1; i++) sub[q++] = m[row + i]!; }
  const filled = fillHolesMask(sub, sd);
  const out = m.slice();
  q = 0;
  for (let k = k0; k <= k1; k++) for (let j = j0; j <= j1; j++) { const row = bi * (j + bj * k); for (let i = i0; i <= i1; i++) out[row + i] = filled[q++]!; }
  return out;
}

/** The voxel nearest to local index `n` (within `radiusMm`) for which `ok` holds; -1 when none. */
function nearestIn(ok: (n: number) => boolean, dims: [number, number, number], n: number, g: ReturnType<typeof gridMetric>, radiusMm: number): number {
  const [bi, bj, bk] = dims;
  const k = (n / (bi * bj)) | 0, rr = n - k * bi * bj, j = (rr / bi) | 0, i = rr - j * bi;
  const h = g.unitBallHalfExtent;
  const ri = Math.ceil(radiusMm * h[0]), rj = Math.ceil(radiusMm * h[1]), rk = Math.ceil(radiusMm * h[2]);
  let best = radiusMm * radiusMm, out = -1;
  for (let dk = -rk; dk <= rk; dk++) for (let dj = -rj; dj <= rj; dj++) for (let di = -ri; di <= ri; di++) {
    const a = i + di, b = j + dj, c = k + dk;
    if (a < 0 || b < 0 || c < 0 || a >= bi || b >= bj || c >= bk) continue;
    const q = a + bi * (b + bj * c);
    const d2 = metricLength2(g, di, dj, dk);
    if (d2 <= best && ok(q)) { best = d2; out = q; }
  }
  return out;
}

/** Mean of each voxel and its (in-box) face neighbours. */
function mean7(val: Float32Array, dims: [number, number, number]): Float32Array {
  const [bi, bj, bk] = dims;
  const bij = bi * bj;
  const out = new Float32Array(val.length);
  let n = 0;
  for (let k = 0; k < bk; k++) for (let j = 0; j < bj; j++) for (let i = 0; i < bi; i++, n++) {
    let s = val[n]!, c = 1;
    if (i > 0) { s += val[n - 1]!; c++; }
    if (i < bi - 1) { s += val[n + 1]!; c++; }
    if (j > 0) { s += val[n - bi]!; c++; }
    if (j < bj - 1) { s += val[n + bi]!; c++; }
    if (k > 0) { s += val[n - bij]!; c++; }
    if (k < bk - 1) { s += val[n + bij]!; c++; }
    out[n] = s / c;
  }
  return out;
}

/** Flood fill of `allowed` from local index `start`. */
function floodFrom(allowed: Uint8Array, dims: [number, number, number], start: number, conn: Connectivity): { mask: Uint8Array; count: number } {
  const [bi, bj, bk] = dims;
  const bij = bi * bj;
  const mask = new Uint8Array(allowed.length);
  if (!allowed[start]) return { mask, count: 0 };
  const queue = new Int32Array(allowed.length);
  const off = neighbourOffsets(conn);
  let head = 0, tail = 0;
  mask[start] = 1; queue[tail++] = start;
  while (head < tail) {
    const n = queue[head++]!;
    const k = (n / bij) | 0, r = n - k * bij, j = (r / bi) | 0, i = r - j * bi;
    for (let t = 0; t < off.length; t += 3) {
      const ii = i + off[t]!, jj = j + off[t + 1]!, kk = k + off[t + 2]!;
      if (ii < 0 || jj < 0 || kk < 0 || ii >= bi || jj >= bj || kk >= bk) continue;
      const m = ii + bi * jj + bij * kk;
      if (allowed[m] && !mask[m]) { mask[m] = 1; queue[tail++] = m; }
    }
  }
  return { mask, count: tail };
}

/** The box values within `radiusMm` of the seed (at least the seed voxel). */
function neighbourhoodValues(val: Float32Array, box: IndexBox, seed: Vec3, g: ReturnType<typeof gridMetric>, radiusMm: number): number[] {
  const [bi, bj] = boxDims(box);
  const sb = ballIndexBox(g, seed, radiusMm);
  const xs: number[] = [];
  for (let k = Math.max(sb[2], box[2]); k <= Math.min(sb[5], box[5]); k++)
    for (let j = Math.max(sb[1], box[1]); j <= Math.min(sb[4], box[4]); j++)
      for (let i = Math.max(sb[0], box[0]); i <= Math.min(sb[3], box[3]); i++)
        if (metricLength2(g, i - seed[0], j - seed[1], k - seed[2]) <= radiusMm * radiusMm) xs.push(val[(i - box[0]) + bi * ((j - box[1]) + bj * (k - box[2]))]!);
  if (xs.length === 0) xs.push(val[(seed[0] - box[0]) + bi * ((seed[1] - box[1]) + bj * (seed[2] - box[2]))]!);
  return xs;
}

/** Median, mean and SD of the box values within `radiusMm` of the seed (at least the seed voxel). */
function seedStatistics(val: Float32Array, box: IndexBox, seed: Vec3, g: ReturnType<typeof gridMetric>, radiusMm: number): SeedStats {
  const [bi, bj] = boxDims(box);
  const sb = ballIndexBox(g, seed, radiusMm);
  const xs: number[] = [];
  const r2 = radiusMm * radiusMm;
  for (let k = Math.max(sb[2], box[2]); k <= Math.min(sb[5], box[5]); k++)
    for (let j = Math.max(sb[1], box[1]); j <= Math.min(sb[4], box[4]); j++)
      for (let i = Math.max(sb[0], box[0]); i <= Math.min(sb[3], box[3]); i++) {
        if (metricLength2(g, i - seed[0], j - seed[1], k - seed[2]) > r2) continue;
        xs.push(val[(i - box[0]) + bi * ((j - box[1]) + bj * (k - box[2]))]!);
      }
  if (xs.length === 0) xs.push(val[(seed[0] - box[0]) + bi * ((seed[1] - box[1]) + bj * (seed[2] - box[2]))]!);
  xs.sort((a, b) => a - b);
  const n = xs.length;
  const median = n % 2 ? xs[(n - 1) / 2]! : (xs[n / 2 - 1]! + xs[n / 2]!) / 2;
  let s = 0; for (const x of xs) s += x;
  const mean = s / n;
  let ss = 0; for (const x of xs) ss += (x - mean) ** 2;
  return { median, mean, sd: n > 1 ? Math.sqrt(ss / (n - 1)) : 0, n };
}
