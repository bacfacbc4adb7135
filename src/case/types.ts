/**
 * The open case as plain data: what the user made on one loaded series. Pure (no DOM, three,
 * cornerstone or lit). The label map (one byte per voxel, LabelMap) is the case's other half;
 * everything else is this immutable document, replaced (never mutated) by each command, so an
 * undo step can hold the document before and after by reference.
 */
import type { Vec3 } from '../core/vec3';
import type { SeedStroke } from '../segmentation/seeded-grow';
import type { SacralAnatomy } from '../anatomy/types';
import type { ApproachName, Needle, SafetyThresholds } from '../planning/types';
import { DEFAULT_THRESHOLDS } from '../planning/types';
import type { AblationParams } from '../planning/ablation';

/** Which series a case belongs to: a plan or an autosave opens only on the same one. */
export interface SeriesIdentity {
  /** DICOM StudyInstanceUID / SeriesInstanceUID; null for NIfTI and the demo. */
  readonly studyUid: string | null;
  readonly seriesUid: string | null;
  /** Grid of the volume (dims, spacing, origin, direction): see geometryFingerprint. */
  readonly geometryFingerprint: string;
}

export interface CaseLesion {
  readonly id: string;
  /** Value in the label map (1..255). */
  readonly label: number;
  readonly name: string;
  /** '#rrggbb'. */
  readonly color: string;
  readonly visible: boolean;
  readonly notes: string;
  /**
   * Lesion and background strokes of the low-contrast tool (segmentation/seeded-grow.ts), in
   * the order painted; absent when the tool was never used on this lesion.
   */
  readonly seeds?: readonly SeedStroke[];
  /**
   * How the voxels were made: 'semiautomatic' once any tool that decides voxels from the image
   * (grow, strokes, threshold box) touched the lesion, 'manual' while only the brush did; absent
   * for an empty lesion. A DICOM SEG export writes it as SegmentAlgorithmType.
   */
  readonly method?: LesionMethod;
  /**
   * True once the brush or eraser changed the lesion's voxels: part of its boundary was then drawn
   * by hand, where the partial-volume estimate (segmentation/partial-volume.ts), which integrates the
   * image's lesion-to-tissue transition at the boundary, means nothing; the voxel count is shown.
   */
  readonly brushEdited?: boolean;
}

export const LESION_METHODS = ['manual', 'semiautomatic'] as const;
export type LesionMethod = (typeof LESION_METHODS)[number];

/**
 * The last RF aiming of an electrode (planning/rf-target.ts): where it put the tip and entry, the proposed
 * burn count, the lesion's coverage per burn count and why it stops short. It is the aiming's result,
 * not derived from the needle, so it is kept (plan file, autosave) while the needle stays where the
 * aiming put it; moving the needle or changing it drops it.
 */
export interface RfReport {
  readonly tipLps: Vec3;
  readonly entryLps: Vec3;
  readonly burns: number;
  readonly options: readonly { readonly burns: number; readonly coverage: number; readonly marginMm: number | null; readonly coverageAnyMargin: number }[];
  readonly reasons: readonly string[];
}

/** A needle as the user placed or accepted it; its metrics are derived (CaseEngine), never stored. */
export interface CaseNeedle {
  readonly id: string;
  readonly approach: ApproachName | null;
  readonly lesionId: string | null;
  readonly needle: Needle;
  readonly entryLps: Vec3;
  readonly targetLps: Vec3;
  /** How far along entry → target the tip has advanced (0..1). */
  readonly advance: number;
  readonly source: 'auto' | 'manual';
  /** RF ablation parameters (electrodes only); null: the defaults (planning/ablation.ts). */
  readonly ablation: AblationParams | null;
  /** Planned cement volume at the tip (mL), or null: no deposit predicted. */
  readonly cementMl: number | null;
  /** The RF aiming that placed this electrode, while it still describes it (absent: none). */
  readonly rfReport?: RfReport | null;
}

export interface CaseDoc {
  readonly lesions: readonly CaseLesion[];
  readonly anatomy: SacralAnatomy | null;
  readonly needles: readonly CaseNeedle[];
  readonly thresholds: SafetyThresholds;
  /** Numbers given to the next new lesion ("Lesion n") and needle ("Nn"). */
  readonly nextLesionNo: number;
  readonly nextNeedleNo: number;
}

export const EMPTY_DOC: CaseDoc = { lesions: [], anatomy: null, needles: [], thresholds: { ...DEFAULT_THRESHOLDS }, nextLesionNo: 1, nextNeedleNo: 1 };

/**
 * Lesion colours: pinks, magenta and browns, each at least ΔE 30 (CIELAB) from every colour the views
 * use for something else: foramina (cyan), hand-placed landmarks and burns (orange), the canal and
 * zone 3 (violet), zones 1–2 and the needle verdicts (green, amber, red), cement (white), the
 * crosshair and ruler (blue, yellow). test/case/lesion-colors.test.ts checks it.
 */
export const LESION_COLORS = ['#ff4081', '#e040fb', '#a1887f', '#f48fb1', '#ad1457', '#8d6e63', '#ff80ab', '#d81b60'];
