/**
 * Canal radius from the image (pure), at each centre-line point: the wall where the canal's lumen meets
 * the cortex lining it, fitted as for a foramen (lumen-edge.ts) on the voxels within 3 mm along the line,
 * both ways across it in the slice plane (left and right: the pedicles and laminae).
 *
 * The canal found as the dark hole of the thresholded bone takes its radius from the distance to the
 * nearest bone voxel: with the threshold low on a bright, blurred rim (120 HU of a 600–900 HU peak) that
 * voxel lies well inside the true wall, and the radius read 1.5–2 mm small. The round canal model holds
 * one radius per point: a canal wider than deep (the adult sacral canal is triangular, wider than its
 * sagittal depth) gets its half-width, so that the needle clearance to it is not over-stated.
 */
import type { Vec3 } from '../core/vec3';
import type { ScalarVolume } from '../core/volume';
import { fitWallSamples, wallSamples } from './lumen-edge';
import { medianFinite } from './foramen-radius';

const HALF_SPAN_MM = 3;
/** How far (mm) beyond the thresholded bone's distance the wall may lie (see canalWallRadii). */
const WALL_BEYOND_THRESHOLD_MM = 3;

/**
 * Radii at each centre-line point (the given one kept where no wall shows), and the cortex thickness shared
 * by all points (the median of their fits, as for the foramina).
 */
export function canalWallRadii(volume: ScalarVolume, centerlineLps: readonly Readonly<Vec3>[], radiiMm: readonly number[]): { radiiMm: number[]; fitted: number; cortexMm: number | null } {
  const seg = (n: number): [Vec3, Vec3] => {
    const p = centerlineLps[n]!, a = centerlineLps[Math.max(0, n - 1)]!, b = centerlineLps[Math.min(centerlineLps.length - 1, n + 1)]!;
    const d: Vec3 = [b[0] - a[0], b[1] - a[1], b[2] - a[2]];
    const l = Math.hypot(d[0], d[1], d[2]) || 1;
    return [[p[0] - (d[0] / l) * HALF_SPAN_MM, p[1] - (d[1] / l) * HALF_SPAN_MM, p[2] - (d[2] / l) * HALF_SPAN_MM], [p[0] + (d[0] / l) * HALF_SPAN_MM, p[1] + (d[1] / l) * HALF_SPAN_MM, p[2] + (d[2] / l) * HALF_SPAN_MM]];
  };
  // the rim lies within 3.5 mm beyond the wall, the wall at most WALL_BEYOND_THRESHOLD_MM beyond the given radius
  const maxR = (n: number) => (radiiMm[n] ?? 6) + WALL_BEYOND_THRESHOLD_MM + 3.5;
  if (centerlineLps.length < 2) return { radiiMm: [...radiiMm], fitted: 0, cortexMm: null };
  const samples = centerlineLps.map((_, n) => { const [a, b] = seg(n); return wallSamples(volume, a, b, 0, 1, maxR(n)); });
  const first = samples.map((ws) => (ws ? fitWallSamples(ws) : null));
  const cortexMm = medianFinite(first.flatMap((w) => (w ? w.cortexMm : [])), 4);
  // Per point: both sides when they agree within 2 mm; else the nearer wall (the other side opens into a
  // foramen or the lateral recess, where the nerve roots leave the canal). Then a running median of three
  // points (a single point seeing another structure is dropped), and never below the distance to the
  // thresholded bone (which lies inside the wall) nor more than 3 mm beyond it (the threshold sits at most
  // the blur plus the cortex inside the wall; more is another structure).
  const side = centerlineLps.map((_, n) => {
    const ws = samples[n];
    const w = cortexMm === null || !ws ? first[n] : fitWallSamples(ws, { cortexMm });
    const r = w ? w.radiusMm.filter((x) => Number.isFinite(x)) : [];
    if (r.length === 0) return NaN;
    return r.length === 2 && Math.abs(r[0]! - r[1]!) <= 2 ? (r[0]! + r[1]!) / 2 : Math.min(...r);
  });
  let fitted = 0;
  const out = side.map((_, n) => {
    const win = [side[n - 1], side[n], side[n + 1]].filter((x): x is number => x !== undefined && Number.isFinite(x)).sort((a, b) => a - b);
    if (!Number.isFinite(side[n]!) || win.length === 0) return radiiMm[n]!;
    fitted++;
    const r = win[win.length >> 1]!;
    return Math.round(Math.min(radiiMm[n]! + WALL_BEYOND_THRESHOLD_MM, Math.max(radiiMm[n]!, r)) * 10) / 10;
  });
  return { radiiMm: out, fitted, cortexMm };
}
