/** Where a planned needle is drawn (3D scene and simulated fluoroscopy). Pure. */
import type { Vec3 } from '../core/vec3';
import type { Trajectory } from '../planning/types';

/** Tip at `advance` along entry → target; the needle's working length runs back from the tip. */
export function needleSegment(t: Trajectory): { tipLps: Vec3; hubLps: Vec3 } {
  const d: Vec3 = [t.targetLps[0] - t.entryLps[0], t.targetLps[1] - t.entryLps[1], t.targetLps[2] - t.entryLps[2]];
  const len = Math.hypot(...d) || 1;
  const a = Math.max(0, Math.min(1, t.advance));
  const tipLps: Vec3 = [t.entryLps[0] + d[0] * a, t.entryLps[1] + d[1] * a, t.entryLps[2] + d[2] * a];
  const L = t.needle.workingLengthMm;
  const hubLps: Vec3 = [tipLps[0] - (d[0] / len) * L, tipLps[1] - (d[1] / len) * L, tipLps[2] - (d[2] / len) * L];
  return { tipLps, hubLps };
}
