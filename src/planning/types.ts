/**
 * Needle-trajectory planning types shared by the planner (pure), the app store, the 2D views,
 * the 3D scene and the scripting API. LPS millimetres everywhere. Pure (no DOM, three, cornerstone or lit).
 */
import type { Vec3 } from '../core/vec3';
import type { ForamenId } from '../anatomy/types';

/** The five sacral approaches of DOMAIN.md §3 (Tian 2022 used posterior, transiliac, anterior-oblique, interpedicular). */
export type ApproachName = 'transiliac' | 'interpedicular' | 'anterior-oblique' | 'posterior-short-axis' | 'posterior-long-axis';
export const APPROACH_NAMES: readonly ApproachName[] = ['posterior-short-axis', 'posterior-long-axis', 'transiliac', 'interpedicular', 'anterior-oblique'];

export type NeedleKind = 'bone-needle' | 'coaxial' | 'rf-electrode' | 'custom';

/** A needle: a capsule of radius outerDiameterMm / 2 around its axis from entry to tip. */
export interface Needle {
  id: string;
  name: string;
  gauge: number | null;
  kind: NeedleKind;
  outerDiameterMm: number;
  workingLengthMm: number;
  /** RF electrodes: length of the active (uninsulated) tip, mm. */
  activeTipMm?: number;
  source: string;
}

export type CheckStatus = 'pass' | 'warn' | 'fail';

/** The parts of a needle plan that are checked, each with its own findings (planning/verdict.ts joins them). */
export type PlanPart = 'path' | 'tip' | 'ablation' | 'cement';

/** One finding of a check: the part it concerns, its level and a sentence a radiologist can act on. */
export interface PlanCheck {
  part: PlanPart;
  level: CheckStatus;
  text: string;
}

/** Pass/warn/fail thresholds (DOMAIN.md §3 defaults [design]); editable, recorded with the plan. */
export interface SafetyThresholds {
  /** Needle surface to a foramen or canal wall below this → fail (mm). Default 2. */
  neuralFailMm: number;
  /** … below this → warn (mm). Default 5. */
  neuralWarnMm: number;
  /** Tip closer than this to the anterior sacral cortex → warn (mm). Default 5. */
  anteriorCortexWarnMm: number;
  /** Ablation-zone edge closer than this to a foramen or the canal → warn (mm). Default 10. */
  ablationNeuralWarnMm: number;
  /** RF burns covering less than this share of the lesion → warn (percent). Default 90 [design]. */
  ablationCoverageWarnPct: number;
  /**
   * Ranking: approaches whose smallest clearances differ by less than this count as equally safe,
   * and the study's choice, fewer structures crossed and the shorter path decide (mm). Default 1
   * [design: below ~1 mm the difference is within the landmark and needle-deflection uncertainty].
   */
  rankTieMm: number;
}

export const DEFAULT_THRESHOLDS: Readonly<SafetyThresholds> = {
  neuralFailMm: 2,
  neuralWarnMm: 5,
  anteriorCortexWarnMm: 5,
  ablationNeuralWarnMm: 10,
  ablationCoverageWarnPct: 90,
  rankTieMm: 1,
};

/** One surface crossing of the sacral envelope along the needle (entry → tip). */
export interface CortexCrossing {
  kind: 'enter' | 'exit';
  surface: 'anterior' | 'posterior' | 'superior' | 'inferior' | 'lateral';
  atMm: number;
  pointLps: Vec3;
}

/** Ablation zone of one RF burn: prolate ellipsoid centred on the active tip (DOMAIN.md §4). */
export interface AblationZone {
  centerLps: Vec3;
  /** Unit long axis (along the needle). */
  axisLps: Vec3;
  lengthMm: number;
  diameterMm: number;
}

export interface AblationPlan {
  zones: AblationZone[];
  /** Lesion ∩ union(zones) / lesion, 0..1; null without a lesion. */
  coverage: number | null;
  /** Smallest distance from any zone edge to a foramen or the canal (mm; negative = overlaps). */
  neuralMarginMm: number | null;
  nearestStructure: string | null;
  status: CheckStatus;
  reasons: string[];
  /** The findings behind status and reasons (part 'ablation'), worst first. */
  checks: PlanCheck[];
}

/** A needle placed from a skin entry to a target, with its safety metrics. */
export interface TrajectoryMetrics {
  depthMm: number;
  /**
   * Every foramen: clearance of the needle surface to the foramen surface (≥ 0). On slices thicker than 2 mm,
   * sliceUncertaintyMm: how far it may be off for the landmark's place within a slice (planning/slice-uncertainty.ts);
   * the verdict is taken on the clearance less it.
   */
  foramina: { id: ForamenId; clearanceMm: number; sliceUncertaintyMm?: number }[];
  nearestForamen: { id: ForamenId; clearanceMm: number; sliceUncertaintyMm?: number } | null;
  canalClearanceMm: number | null;
  /** As a foramen's sliceUncertaintyMm, for the canal (slices thicker than 2 mm only). */
  canalSliceUncertaintyMm?: number;
  anteriorCortexBreach: boolean;
  /** Clearance of the needle tip's surface to the anterior sacral cortex (Euclidean, mm); null when not inside the sacrum or not checked. */
  tipToAnteriorCortexMm: number | null;
  /** How far the needle could still advance along its direction before leaving the sacrum anteriorly (mm), or null. */
  advanceToAnteriorCortexMm: number | null;
  siJointCrossed: boolean;
  bonePathMm: number;
  crossings: CortexCrossing[];
  /** Angle of the needle to the axial plane (+ = tip caudal) and to the sagittal plane (+ = tip toward patient right). */
  craniocaudalDeg: number;
  mediolateralDeg: number;
  /** C-arm angles for a bull's-eye view down the needle (beam parallel to it). */
  bullsEye: { laoDeg: number; cranialDeg: number };
  entryOutsideImage: boolean;
  /** Verdict of the path and tip checks only; the needle's verdict (planning/verdict.ts) adds ablation and cement. */
  status: CheckStatus;
  reasons: string[];
  /** The findings behind status and reasons, worst first, each tagged with its part (path or tip). */
  checks: PlanCheck[];
}

/** Predicted cement deposit of one needle (planning/cement.ts); the voxels are in the case's cement map. */
export interface CementSummary {
  plannedMl: number;
  volumeMl: number;
  maxDiameterMm: number;
  lesionMaxDiameterMm: number | null;
  fillingRatio: number | null;
  lesionFilled: number | null;
  stopSurfaces: string[];
  reasons: string[];
  /** The findings of the cement check (part 'cement'), worst first. */
  checks: PlanCheck[];
  /** Index bounding box of the deposit [min ijk, max ijk], or null when empty. */
  boxIjk: [[number, number, number], [number, number, number]] | null;
}

export interface Trajectory {
  id: string;
  approach: ApproachName | null;
  lesionId: string | null;
  needle: Needle;
  entryLps: Vec3;
  targetLps: Vec3;
  /** How far along entry → target the tip has advanced (0..1), for teaching and the needle's-eye view. */
  advance: number;
  metrics: TrajectoryMetrics;
  ablation: AblationPlan | null;
  cement: CementSummary | null;
  source: 'auto' | 'manual';
}
