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
import { add, dot, length, scale, sub, type Vec3 } from '../core/vec3';
import type { Foramen } from './types';
import { fitLumenWall, fitWallSamples, sampleTrilinear, wallSamples } from './lumen-edge';
import { enclosedLumenRadius, refineForamenAxis } from './foramen-axis';
import { R_MAX } from './foramen-fit';

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

/**
 * A wall radius outside (this, 2 × the detector's + 3 mm) is another wall's (detect.ts keeps the detector's
 * then), and so is one beyond the widest lumen a foramen fit takes (R_MAX, foramen-fit.ts: wider is the canal
 * or a dark box; anterior foramina are 2.5–6.5 mm in radius, DOMAIN.md §8): on 3 mm voxels a wall fit can
 * reach past the rim to the bone's outer surface.
 */
const MIN_WALL_RADIUS_MM = 0.8;

/** Whether a wall fit's radius can be the tunnel's, against the radius the tunnel was found with. */
export function plausibleWallRadius(r: number | null | undefined, foundMm: number): r is number {
  return r != null && r > MIN_WALL_RADIUS_MM && r < 2 * foundMm + 3 && r <= R_MAX;
}

/**
 * A tunnel fitted from a click (the Foramen tool, foramen-fit.ts) measured as detection measures its
 * suggestions (detect.ts): followed on the image to both openings (foramen-axis.ts) and its radius read at the
 * wall (lumen-edge.ts), so that a clicked foramen and the suggestion of the same tunnel agree. The followed
 * line is kept through the fit's best cross-section (`centreLps`, where the user clicked). A tunnel that
 * cannot be followed keeps the fit's ends, and its radius is not made smaller than the fit's (its axis may lie
 * off the lumen's centre, where the wall reads too close), as detection does. CT only: the wall model is in HU.
 */
export function measureFittedForamen(volume: ScalarVolume, fit: Pick<Foramen, 'anteriorLps' | 'posteriorLps' | 'radiusMm'> & { centreLps?: Vec3 }): { anteriorLps: Vec3; posteriorLps: Vec3; radiusMm: number; followed: boolean } {
  const out = { anteriorLps: fit.anteriorLps, posteriorLps: fit.posteriorLps, radiusMm: fit.radiusMm, followed: false };
  if (volume.units !== 'HU') return out;
  const ax = refineForamenAxis(volume, fit);
  // (followed in the slice's plane only, its radius is read as for one not followed, on the fitted axis: a lumen
  // lying within one slice reads narrow across the slice's plane, detect/measure.ts)
  if (ax) {
    out.followed = !ax.inSlice;
    out.anteriorLps = ax.anteriorLps; out.posteriorLps = ax.posteriorLps;
    // the line kept through the cross-section the click fitted (where the user saw the opening), with the
    // followed direction and openings
    const c = fit.centreLps;
    if (c) {
      const a = ax.anteriorLps, b = ax.posteriorLps, L = Math.hypot(b[0] - a[0], b[1] - a[1], b[2] - a[2]);
      const e: Vec3 = [(b[0] - a[0]) / L, (b[1] - a[1]) / L, (b[2] - a[2]) / L];
      const at = (p: Readonly<Vec3>): Vec3 => { const t = (p[0] - c[0]) * e[0] + (p[1] - c[1]) * e[1] + (p[2] - c[2]) * e[2]; return [c[0] + t * e[0], c[1] + t * e[1], c[2] + t * e[2]]; };
      out.anteriorLps = at(a); out.posteriorLps = at(b);
    }
  }
  const r = foramenWallRadius(volume, ax?.inSlice ? fit : out, Math.min(12, fit.radiusMm + 5));
  if (out.followed && plausibleWallRadius(r, fit.radiusMm)) { out.radiusMm = r; return out; }
  // Not followed, or no wall read: the lumen's own edge in the sections of the fitted tube where bone encloses
  // it (foramen-axis.ts enclosedLumenRadius), not the fit's ring radius, which an opening's funnel pulls
  // outwards up to the fit's search bound (pelvic-ref-003 S1: 7.0 mm, R_MAX, where its enclosed sections read
  // 5.2–6.4 mm). A tunnel without two enclosed sections keeps the fit's radius, never smaller than the wall's.
  const a = out.anteriorLps, b = out.posteriorLps;
  const c = fit.centreLps ?? scale([0, 0, 0], add([0, 0, 0], a, b), 0.5);
  const ab = sub([0, 0, 0], b, a), L = length(ab);
  const e: Vec3 | null = L > 0.5 ? [ab[0] / L, ab[1] / L, ab[2] / L] : null;
  const enclosed = e ? enclosedLumenRadius(volume, c, e, fit.radiusMm + 3, dot(sub([0, 0, 0], a, c), e), dot(sub([0, 0, 0], b, c), e), ENCLOSING_RIM_HU) : null;
  // (wider than R_MAX: the sections were recentred into another lumen, the canal or a dark box)
  if (enclosed && enclosed.radiusMm > MIN_WALL_RADIUS_MM && enclosed.radiusMm <= R_MAX) out.radiusMm = enclosed.radiusMm;
  else if (plausibleWallRadius(r, fit.radiusMm)) out.radiusMm = Math.max(r, fit.radiusMm);
  return out;
}

/**
 * A rim that encloses a foramen's lumen rises at least this far above it (HU): fatty marrow reads 0–150 HU and
 * a cortex 400–900 HU on 3 mm slices (DOMAIN.md §8), a nerve root and its fat −100–40 HU; refineForamenAxis asks
 * 150 HU of a rim it follows, which the fatty sacrum's faint rims often miss along most of a tunnel.
 */
export const ENCLOSING_RIM_HU = 100;
