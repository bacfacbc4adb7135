/**
 * Sacral landmarks shared by automatic detection, manual editing and Denis-zone classification.
 * LPS millimetres everywhere. Pure (no DOM, three, cornerstone or lit).
 */
import type { Vec3 } from '../core/vec3';

export type SacralLevel = 'S1' | 'S2' | 'S3' | 'S4';
export type Side = 'L' | 'R';
/** 'S1_L' … 'S4_R'. */
export type ForamenId = `${SacralLevel}_${Side}`;
export const FORAMEN_IDS: ForamenId[] = ['S1_L', 'S1_R', 'S2_L', 'S2_R', 'S3_L', 'S3_R', 'S4_L', 'S4_R'];

/** Midpoint of a foramen's axis (its anterior and posterior openings), LPS mm. */
export function foramenCentreLps(f: { anteriorLps: Readonly<Vec3>; posteriorLps: Readonly<Vec3> }): Vec3 {
  return [(f.anteriorLps[0] + f.posteriorLps[0]) / 2, (f.anteriorLps[1] + f.posteriorLps[1]) / 2, (f.anteriorLps[2] + f.posteriorLps[2]) / 2];
}

/** One anterior sacral foramen modelled as a straight capsule from its anterior to its posterior opening. */
export interface Foramen {
  id: ForamenId;
  level: SacralLevel;
  side: Side;
  anteriorLps: Vec3;
  posteriorLps: Vec3;
  radiusMm: number;
  /**
   * The radius is the tunnel fit's search bound (foramen-fit.ts R_MAX), not a measurement: a funnel-shaped opening
   * pulled the fit's ring out to it and no wall was read to replace it. The lumen is at least this wide where it
   * was fitted; shown so ("≥ 7.0 mm, fit limit"), never as a measured radius. Absent on a radius set by hand.
   */
  radiusAtFitLimit?: true;
  /** 0..1 for automatic suggestions; 1 for manual placement. */
  confidence: number;
  source: 'auto' | 'manual';
}

/** The central sacral canal: a polyline of centre points with a radius at each (union of round cones). */
export interface Canal {
  centerlineLps: Vec3[];
  radiusMm: number[];
  confidence: number;
  source: 'auto' | 'manual';
}

/** Sacral frame: midline plane and long axis through the S1…S5 body centres (cranial → caudal). */
export interface SacralFrame {
  /** A point on the midline plane and its unit normal (pointing to patient left, +x-ish). */
  midlinePointLps: Vec3;
  midlineNormalLps: Vec3;
  /** Body centres from S1 to S5 (cranial to caudal), the kyphotic long axis. */
  bodyCentersLps: Vec3[];
}

export interface SacralAnatomy {
  foramina: Foramen[];
  canal: Canal | null;
  frame: SacralFrame | null;
  /** The last detection's foramen suggestions, kept so that a moved foramen can be reset to its suggestion. */
  suggested?: Foramen[];
  /** Foramina whose expected place (from the sacral frame) lies outside the image: not failures, nothing to place. */
  outsideFov?: ForamenId[];
  /**
   * Why the sacrum mask's upper limit needs checking: it is cut at an L5/S1 disc whose reading is in doubt
   * (disc-reading.ts). Absent where the cut is trusted or none was made.
   */
  maskCheck?: string;
}

/** Denis zone of a point or lesion; null = outside the Denis landmarks (e.g. below S4). */
export type DenisZone = 1 | 2 | 3;
