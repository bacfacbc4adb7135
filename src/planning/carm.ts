/**
 * C-arm angle conventions (pure), shared by the bull's-eye angles of a trajectory and the
 * simulated fluoroscopy. The patient lies prone (DOMAIN.md §1): the image detector is above the
 * patient's back, so the neutral (AP) view has the detector posterior (+y in LPS) and the beam
 * travels anterior → posterior.
 *
 * - laoDeg: rotation of the detector toward the patient's LEFT (+x) about the cranio-caudal axis;
 *   negative = RAO. ±90° are the lateral views (detector on the patient's left at +90°).
 * - cranialDeg: tilt of the detector toward the patient's head (+z); negative = caudal. Inlet and
 *   outlet views are caudal and cranial tilts of the AP view.
 *
 * detectorDirection(lao, cranial) = (sin L·cos C, cos L·cos C, sin C) is the unit vector from the
 * isocentre to the detector; the beam direction is the same vector (source on the opposite side).
 */
import type { Vec3 } from '../core/vec3';

const RAD = Math.PI / 180;

export function detectorDirection(laoDeg: number, cranialDeg: number): Vec3 {
  const l = laoDeg * RAD, c = cranialDeg * RAD;
  return [Math.sin(l) * Math.cos(c), Math.cos(l) * Math.cos(c), Math.sin(c)];
}

/** Angles of the detector direction nearest to the unit vector `dir` (inverse of detectorDirection). */
export function anglesOfDirection(dir: Readonly<Vec3>): { laoDeg: number; cranialDeg: number } {
  const n = Math.hypot(dir[0], dir[1], dir[2]) || 1;
  const x = dir[0] / n, y = dir[1] / n, z = dir[2] / n;
  return { laoDeg: Math.atan2(x, y) / RAD, cranialDeg: Math.asin(Math.max(-1, Math.min(1, z))) / RAD };
}

/**
 * Bull's-eye view of a needle: the beam parallel to the needle, with the detector on the side of
 * the hub (entry), so the needle projects to a dot with the hub nearest the detector.
 */
export function bullsEyeAngles(entryLps: Readonly<Vec3>, targetLps: Readonly<Vec3>): { laoDeg: number; cranialDeg: number } {
  return anglesOfDirection([entryLps[0] - targetLps[0], entryLps[1] - targetLps[1], entryLps[2] - targetLps[2]]);
}
