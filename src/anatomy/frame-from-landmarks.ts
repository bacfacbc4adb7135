/**
 * A sacral frame from the foramina themselves (pure), for landmarks placed by hand or with the
 * Foramen tool when detection gave no frame (MR, a failed detection): without one the Denis zones
 * cannot be drawn even though every foramen is in place.
 *
 * Midline plane: the foramina come in mirror pairs, so its normal is the mean left − right direction
 * of the complete pairs and it passes through the mean of their midpoints. Long axis: the anterior
 * foramina open at the junctions between the fused bodies (S1/S2 … S4/S5), so the junction of level k
 * is its pair's midpoint (a lone foramen projected onto the midline plane), and the body centres are
 * taken half a level either side, S_k at level position k − ½, interpolated linearly between the
 * junctions present and extrapolated beyond them. They lie at the depth of the foramina rather than
 * in the bodies; the zone model only measures positions along the axis (arc length) and across it
 * (the lateral distance), which that depth does not change for points near the axis.
 */
import type { Vec3 } from '../core/vec3';
import { foramenCentreLps, type SacralAnatomy, type SacralFrame } from './types';

const cache = new WeakMap<SacralAnatomy, SacralAnatomy>();

/** The frame implied by the foramina, or null with fewer than one complete pair and two levels. */
export function frameFromForamina(a: SacralAnatomy): SacralFrame | null {
  const by = new Map(a.foramina.map((f) => [f.id, foramenCentreLps(f)]));
  const pairs: { k: number; l: Vec3; r: Vec3 }[] = [];
  for (let k = 1; k <= 4; k++) {
    const l = by.get(`S${k}_L` as never), r = by.get(`S${k}_R` as never);
    if (l && r) pairs.push({ k, l, r });
  }
  if (pairs.length === 0) return null;
  const n: Vec3 = [0, 0, 0], p: Vec3 = [0, 0, 0];
  for (const { l, r } of pairs) {
    const d: Vec3 = [l[0] - r[0], l[1] - r[1], l[2] - r[2]], dl = Math.hypot(...d);
    if (!(dl > 0)) return null;
    n[0] += d[0] / dl; n[1] += d[1] / dl; n[2] += d[2] / dl;
    p[0] += (l[0] + r[0]) / 2 / pairs.length; p[1] += (l[1] + r[1]) / 2 / pairs.length; p[2] += (l[2] + r[2]) / 2 / pairs.length;
  }
  const nl = Math.hypot(...n);
  if (!(nl > 0)) return null;
  const normal: Vec3 = [n[0] / nl, n[1] / nl, n[2] / nl];
  // junctions by level: the pair midpoint, else the lone foramen projected onto the midline plane
  const junctions: { k: number; j: Vec3 }[] = [];
  for (let k = 1; k <= 4; k++) {
    const pr = pairs.find((x) => x.k === k);
    if (pr) { junctions.push({ k, j: [(pr.l[0] + pr.r[0]) / 2, (pr.l[1] + pr.r[1]) / 2, (pr.l[2] + pr.r[2]) / 2] }); continue; }
    const c = by.get(`S${k}_L` as never) ?? by.get(`S${k}_R` as never);
    if (!c) continue;
    const d = (c[0] - p[0]) * normal[0] + (c[1] - p[1]) * normal[1] + (c[2] - p[2]) * normal[2];
    junctions.push({ k, j: [c[0] - d * normal[0], c[1] - d * normal[1], c[2] - d * normal[2]] });
  }
  if (junctions.length < 2) return null;
  const at = (t: number): Vec3 => {
    // piecewise linear in the level index, extrapolated with the end segments
    let i = 1;
    while (i < junctions.length - 1 && junctions[i]!.k < t) i++;
    const a0 = junctions[i - 1]!, a1 = junctions[i]!, w = (t - a0.k) / (a1.k - a0.k);
    return [a0.j[0] + (a1.j[0] - a0.j[0]) * w, a0.j[1] + (a1.j[1] - a0.j[1]) * w, a0.j[2] + (a1.j[2] - a0.j[2]) * w];
  };
  const bodyCentersLps = [1, 2, 3, 4, 5].map((k) => at(k - 0.5));
  return { midlinePointLps: p, midlineNormalLps: normal, bodyCentersLps };
}

/** The landmarks with a frame: their own, else the one implied by the foramina (same object when nothing changes). */
export function withLandmarkFrame(a: SacralAnatomy): SacralAnatomy;
export function withLandmarkFrame(a: SacralAnatomy | null): SacralAnatomy | null;
export function withLandmarkFrame(a: SacralAnatomy | null): SacralAnatomy | null {
  if (!a || a.frame) return a;
  const hit = cache.get(a);
  if (hit) return hit;
  const frame = frameFromForamina(a);
  const out = frame ? { ...a, frame } : a;
  cache.set(a, out);
  return out;
}
