/**
 * Foramen radius from the image at half maximum (pure).
 *
 * A threshold-based lumen (HU below a bone threshold) comes out too narrow: blur and partial
 * volume spread the bright cortical rim into the dark lumen, so the first voxel above ~100 HU sits
 * inside the true wall. The wall is better placed where the profile crosses half-way between the
 * lumen value on the axis and the rim's peak — the full-width-at-half-maximum edge used for vessel
 * lumens and cortical edges in CT (e.g. Prevrhal et al., "Accuracy limits for the determination of
 * cortical width and density", Phys Med Biol 1999;44:751). Rays are cast perpendicular to the
 * foramen axis at the middle 60 % of its length; the radius is the median of the edge distances.
 */
import type { Vec3 } from '../core/vec3';
import { trilinearAtIndex, type ScalarVolume } from '../core/volume';
import type { Foramen } from './types';

/** Trilinear sample at an LPS point (null outside). */
export function sampleTrilinear(volume: ScalarVolume, p: Readonly<Vec3>, tmp: Vec3 = [0, 0, 0]): number | null {
  const g = volume.geometry;
  g.lpsToIjk(tmp, p);
  const [ni, nj, nk] = g.dims;
  const x = tmp[0], y = tmp[1], z = tmp[2];
  if (x < 0 || y < 0 || z < 0 || x > ni - 1 || y > nj - 1 || z > nk - 1) return null;
  return trilinearAtIndex(volume.voxels, g.dims, x, y, z);
}

/**
 * Half-maximum radius of a foramen, or null when the profile shows no clear wall (then keep the
 * detector's estimate). `maxRadiusMm` bounds the search.
 */
export function halfMaxForamenRadius(volume: ScalarVolume, f: Pick<Foramen, 'anteriorLps' | 'posteriorLps'>, maxRadiusMm = 12): number | null {
  const a = f.anteriorLps, b = f.posteriorLps;
  const ax: Vec3 = [b[0] - a[0], b[1] - a[1], b[2] - a[2]];
  const L = Math.hypot(ax[0], ax[1], ax[2]);
  if (!(L > 1)) return null;
  const e: Vec3 = [ax[0] / L, ax[1] / L, ax[2] / L];
  const ref: Vec3 = Math.abs(e[0]) < 0.9 ? [1, 0, 0] : [0, 1, 0];
  const u1: Vec3 = norm([e[1] * ref[2] - e[2] * ref[1], e[2] * ref[0] - e[0] * ref[2], e[0] * ref[1] - e[1] * ref[0]]);
  const u2: Vec3 = [e[1] * u1[2] - e[2] * u1[1], e[2] * u1[0] - e[0] * u1[2], e[0] * u1[1] - e[1] * u1[0]];
  const step = Math.min(...volume.geometry.spacingMm) / 4;
  const tmp: Vec3 = [0, 0, 0];
  const edges: number[] = [];
  for (let s = 0.2; s <= 0.8 + 1e-9; s += 0.1) {
    const c: Vec3 = [a[0] + ax[0] * s, a[1] + ax[1] * s, a[2] + ax[2] * s];
    const centre = sampleTrilinear(volume, c, tmp);
    if (centre === null) continue;
    for (let k = 0; k < 16; k++) {
      const th = (k * Math.PI) / 8;
      const d: Vec3 = [u1[0] * Math.cos(th) + u2[0] * Math.sin(th), u1[1] * Math.cos(th) + u2[1] * Math.sin(th), u1[2] * Math.cos(th) + u2[2] * Math.sin(th)];
      const prof: number[] = [];
      for (let r = 0; r <= maxRadiusMm; r += step) {
        const v = sampleTrilinear(volume, [c[0] + d[0] * r, c[1] + d[1] * r, c[2] + d[2] * r], tmp);
        if (v === null) break;
        prof.push(v);
      }
      // the rim: the first peak rising well above the lumen
      let peak = -1;
      for (let n = 1; n < prof.length; n++) {
        if (prof[n]! > prof[peak < 0 ? 0 : peak]!) peak = n;
        else if (peak > 0 && prof[n]! < prof[peak]! - 150) break;
      }
      if (peak <= 0) continue;
      const lumen = Math.min(...prof.slice(0, peak));
      if (prof[peak]! - lumen < 300) continue;
      const half = (lumen + prof[peak]!) / 2;
      for (let n = 1; n <= peak; n++) {
        if (prof[n]! >= half) {
          const t = (half - prof[n - 1]!) / (prof[n]! - prof[n - 1]!);
          edges.push((n - 1 + t) * step);
          break;
        }
      }
    }
  }
  if (edges.length < 20) return null;
  edges.sort((x, y) => x - y);
  return edges[edges.length >> 1]!;
}

function norm(v: Vec3): Vec3 {
  const l = Math.hypot(v[0], v[1], v[2]) || 1;
  return [v[0] / l, v[1] / l, v[2] / l];
}
