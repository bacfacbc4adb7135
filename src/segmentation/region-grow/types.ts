/** Region growing (region-grow.ts): the options, result and problem types, and the resolved defaults. */
import type { Vec3 } from '../../core/vec3';
import type { IndexBox } from '../labelmap';
import type { Connectivity } from '../morphology';
import type { PartialVolumeResult } from '../partial-volume';

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
