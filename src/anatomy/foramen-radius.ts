/**
 * Foramen radius from the image (pure): the wall of the tunnel where its lumen meets the cortex lining it.
 *
 * A threshold-based lumen (HU below a bone threshold) comes out too narrow: blur and partial volume spread
 * the bright rim into the dark lumen. The half-maximum edge (half-way between the lumen on the axis and
 * the rim's peak; Prevrhal et al., Phys Med Biol 1999;44:751) is right for a thick rim but reads 0.25–0.45
 * mm small on a sacral cortex of 1–1.5 mm, whose peak the blur lowers. The wall is therefore fitted as a
 * blurred lumen–cortex–bone profile on the voxels around the middle 70 % of the tunnel, both ways across
 * it in the slice plane (lumen-edge.ts); the radius is the mean of the two sides.
 */
import type { ScalarVolume } from '../core/volume';
import type { Foramen } from './types';
import { fitLumenWall, fitWallSamples, sampleTrilinear, wallSamples } from './lumen-edge';

export { sampleTrilinear };

const T0 = 0.15, T1 = 0.85;

function meanFinite(xs: readonly number[]): number | null {
  const f = xs.filter((x) => Number.isFinite(x));
  return f.length ? f.reduce((s, x) => s + x, 0) / f.length : null;
}

/**
 * Radius of one foramen at its wall, or null when the image shows no clear wall (then keep the detector's
 * estimate). `maxRadiusMm` bounds the search; `cortexMm` the lining's thickness when known.
 */
export function foramenWallRadius(volume: ScalarVolume, f: Pick<Foramen, 'anteriorLps' | 'posteriorLps'>, maxRadiusMm = 12, cortexMm?: number): number | null {
  const w = fitLumenWall(volume, f.anteriorLps, f.posteriorLps, T0, T1, maxRadiusMm, cortexMm !== undefined ? { cortexMm } : {});
  return w ? meanFinite(w.radiusMm) : null;
}

/** The median of the finite values, or null with fewer than `min`. */
export function medianFinite(xs: readonly number[], min: number): number | null {
  const f = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  return f.length >= min ? f[f.length >> 1]! : null;
}

/**
 * Radii of several foramina of one sacrum. One cortex lines all its tunnels, but a rim about one voxel
 * thick, sampled at the few distances a tunnel running along the voxel grid offers, pins its own
 * thickness poorly (and the radius with it, by half the error): the thickness is taken as the median of
 * the per-tunnel fits (at least four sides), and each radius fitted again with it. Null where no wall shows.
 */
export function foramenWallRadii(volume: ScalarVolume, foramina: readonly Pick<Foramen, 'anteriorLps' | 'posteriorLps' | 'radiusMm'>[], maxRadiusMm = 12): { radiiMm: (number | null)[]; cortexMm: number | null } {
  // the rim lies within 3.5 mm beyond the wall; the detector's radius is at most 1.5 mm small on thin slices
  const samples = foramina.map((f) => wallSamples(volume, f.anteriorLps, f.posteriorLps, T0, T1, Math.min(maxRadiusMm, f.radiusMm + 5)));
  const first = samples.map((ws) => (ws ? fitWallSamples(ws) : null));
  const cortexMm = medianFinite(first.flatMap((w) => (w ? w.cortexMm : [])), 4);
  if (cortexMm === null) return { radiiMm: first.map((w) => (w ? meanFinite(w.radiusMm) : null)), cortexMm };
  return { radiiMm: samples.map((ws) => (ws ? meanFinite(fitWallSamples(ws, { cortexMm }).radiusMm) : null)), cortexMm };
}
