/** Types shared by the stages of automatic landmark detection (detectSacralAnatomy). */
import type { Vec3 } from '../../core/vec3';
import type { SacralAnatomy, SacralLevel, Side } from '../types';

export interface DetectOptions {
  /** Bone threshold (HU). Default 120. */
  boneHu?: number;
  /** Lumen threshold for canal and foramina (HU). Default 100. */
  darkHu?: number;
  /** Fine working grid spacing (mm). Default: the volume's mean voxel size clamped to [1, 3]. */
  spacingMm?: number;
  /** Coarse grid spacing (mm). Default 3. */
  coarseSpacingMm?: number;
  /** Closing radius before hole filling on grids ≥ 2.5 mm (thin cortex not resolved). Default = spacing. */
  thickSliceClosingMm?: number;
  /** Erosion depth separating the sacrum core from the ilia and L5. Default max(1.5 × spacing, 3 mm). */
  coreErosionMm?: number;
  /** Thick-slice CT (voxels ≥ 2.5 mm): growth threshold (HU, default 80), closing (mm, default 9) and ilium marker distance from the midline (mm, default 85). */
  thickGrowHu?: number;
  thickGrowClosingMm?: number;
  thickLateralMarkerMm?: number;
  /** Receives the anterior-surface maps (fixture scripts that draw them). */
  surfaceDebug?: (d: import('./surface-openings').SurfaceOpeningsDebug) => void;
}

export interface ForamenCandidate {
  side: Side;
  centerLps: Vec3;
  anteriorLps: Vec3;
  posteriorLps: Vec3;
  radiusMm: number;
  lengthMm: number;
  /** Arc length of the centre along the long axis (mm from its cranial end). */
  sMm: number;
  volumeMm3: number;
  elongation: number;
  enclosure: number;
  score: number;
  level?: SacralLevel;
  rejected?: string;
  /** Found where the sacrum is steeper than 45° (axial holes, tunnel extent from its own voxels). */
  steep?: boolean;
}

export interface DetectionDiagnostics {
  timingsMs: Record<string, number>;
  messages: string[];
  midlineXLps: number | null;
  workGrid: { dims: [number, number, number]; spacingMm: number; originLps: Vec3 } | null;
  candidates: ForamenCandidate[];
  surfaceCandidates?: ForamenCandidate[];
  surfaceForamina?: import('../types').Foramen[];
  /** Foramina the searches disagree on, with the reason: suggested, but to be shown as "check". */
  doubts?: Partial<Record<import('../types').ForamenId, string>>;
  /**
   * Those of `doubts` that concern only the tunnel's course beyond its anterior opening (its two sides followed
   * over lengths that disagree, combine.ts), not its level or its opening.
   */
  courseDoubts?: import('../types').ForamenId[];
  /**
   * The mirror-symmetry plane of the sacrum with rotation (symmetry.ts): tilts about the AP and SI axes
   * (degrees) and the overlap of the mask with its mirror image. The frame's midline normal is this
   * plane's; the canal and foramina are still sought about the x-only midline (`midlineXLps`).
   */
  midlinePlane?: { normalLps: Vec3; pointLps: Vec3; aboutApDeg: number; aboutSiDeg: number; overlap: number };
  /** The L5/S1 boundary the sacrum mask was cut at (sacral-base.ts), when found. */
  sacralBase?: import('../sacral-base').SacralBase;
  /** The L5/S1 disc found (sacral-base.ts), whether or not the mask was cut there. */
  disc?: import('../sacral-base').SacralBase;
  /**
   * Each level's own midline plane (level-midline.ts), about the frame's plane, for the levels with both foramina:
   * their mirror test (evidence.ts) is about it.
   */
  levelMidlines?: Partial<Record<import('../types').SacralLevel, import('../level-midline').LevelMidline>>;
}

export interface DetectionResult {
  anatomy: SacralAnatomy;
  /** 1 = sacrum bone incl. its cancellous interior, on the volume's own grid. */
  sacrumMask: Uint8Array;
  /** Not computed yet (skin/body surface). */
  bodyMask?: Uint8Array;
  diagnostics: DetectionDiagnostics;
}

/** Foramen levels sought, cranial first. */
export const LEVELS: SacralLevel[] = ['S1', 'S2', 'S3', 'S4'];
