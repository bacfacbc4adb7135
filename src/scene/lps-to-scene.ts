/**
 * The one conversion between DICOM patient LPS millimetres and the three.js scene.
 *
 * three.js works with +Y up. The scene is LPS rotated by −90° about the x axis, no scaling and
 * no mirroring (a proper rotation, so triangle winding and handedness are kept):
 *
 *   scene x = +x_L (patient left)
 *   scene y = +z_S (superior: "up" on screen in the default views)
 *   scene z = −y_P (anterior)
 *
 * Units stay millimetres. Every 3D position or direction that goes into the scene passes through
 * this file (`lpsToScene`, `lpsArrayToScene`, `LPS_TO_SCENE`), and every picked scene point
 * comes back through `sceneToLps`. Pure: no three import (the matrix is plain numbers).
 */
import type { Vec3 } from '../core/vec3';

/** Row-major 4×4 (three's Matrix4.set order): scene = LPS_TO_SCENE · lps. */
export const LPS_TO_SCENE: readonly number[] = [
  1, 0, 0, 0,
  0, 0, 1, 0,
  0, -1, 0, 0,
  0, 0, 0, 1,
];

/** Row-major 4×4 inverse: lps = SCENE_TO_LPS · scene. */
export const SCENE_TO_LPS: readonly number[] = [
  1, 0, 0, 0,
  0, 0, -1, 0,
  0, 1, 0, 0,
  0, 0, 0, 1,
];

/** LPS point or direction → scene. `out` may alias `lps`. */
export function lpsToScene(out: Vec3, lps: Readonly<Vec3>): Vec3 {
  const x = lps[0], y = lps[1], z = lps[2];
  out[0] = x; out[1] = z; out[2] = 0 - y;
  return out;
}

/** Scene point or direction → LPS. `out` may alias `scene`. */
export function sceneToLps(out: Vec3, scene: Readonly<Vec3>): Vec3 {
  const x = scene[0], y = scene[1], z = scene[2];
  out[0] = x; out[1] = 0 - z; out[2] = y;
  return out;
}

/** Convert interleaved xyz LPS positions (or normals) to scene coordinates, into `out` (may alias). */
export function lpsArrayToScene(out: Float32Array, lps: Float32Array): Float32Array {
  if (out.length < lps.length) throw new Error('lpsArrayToScene: output array too short');
  for (let n = 0; n < lps.length; n += 3) {
    const y = lps[n + 1]!, z = lps[n + 2]!;
    out[n] = lps[n]!; out[n + 1] = z; out[n + 2] = 0 - y;
  }
  return out;
}
