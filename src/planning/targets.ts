/**
 * Needle targets inside a lesion (pure): 1–3 targets from k-means on the lesion's voxel centres
 * (initialised at quantiles along the principal axis), each snapped into the lesion and moved
 * away from a foramen or the canal when the cluster centre lies within 4 mm of one (a lesion that
 * wraps a foramen is targeted on its bony side).
 */
import type { Vec3 } from '../core/vec3';
import type { Canal, SacralAnatomy } from '../anatomy/types';
import type { VolumeGeometry } from '../core/geometry';
import { pointSegmentDistance, roundConeSdf } from '../anatomy/zones';

/** LPS voxel centres of the given offsets (xyz interleaved), every `ceil(n / max)`-th one. */
export function offsetsToLps(geo: VolumeGeometry, offsets: ArrayLike<number>, max = Infinity): Float64Array {
  const stride = Math.max(1, Math.ceil(offsets.length / max));
  const out = new Float64Array(Math.ceil(offsets.length / stride) * 3);
  const p: Vec3 = [0, 0, 0];
  for (let s = 0, m = 0; s < offsets.length; s += stride, m++) {
    geo.offsetToLps(p, offsets[s]!);
    out[3 * m] = p[0]; out[3 * m + 1] = p[1]; out[3 * m + 2] = p[2];
  }
  return out;
}

/** Signed distance from a point to the canal surface: the union of round cones between centreline points (Infinity below two points). */
export function canalSdfMm(canal: Canal, x: number, y: number, z: number): number {
  let d = Infinity;
  for (let i = 0; i + 1 < canal.centerlineLps.length; i++) d = Math.min(d, roundConeSdf(x, y, z, canal.centerlineLps[i]!, canal.centerlineLps[i + 1]!, canal.radiusMm[i]!, canal.radiusMm[i + 1]!));
  return d;
}

/** Distance from a point to the nearest foramen or canal surface (Infinity without landmarks). */
export function neuralDistanceMm(anatomy: SacralAnatomy | null, x: number, y: number, z: number): number {
  let d = Infinity;
  for (const f of anatomy?.foramina ?? []) d = Math.min(d, pointSegmentDistance(x, y, z, f.anteriorLps, f.posteriorLps) - f.radiusMm);
  const c = anatomy?.canal;
  if (c) d = Math.min(d, canalSdfMm(c, x, y, z));
  return d;
}

/** Targets for k needles in a lesion given its voxel centres (xyz interleaved, LPS). */
export function lesionTargets(points: Float64Array, k: number, anatomy: SacralAnatomy | null): Vec3[] {
  const n = points.length / 3;
  if (!n) return [];
  k = Math.max(1, Math.min(3, Math.round(k), n));
  const c: Vec3 = [0, 0, 0];
  for (let i = 0; i < n; i++) for (let a = 0; a < 3; a++) c[a]! += points[3 * i + a]! / n;
  // principal axis by power iteration on the covariance
  const C = [0, 0, 0, 0, 0, 0, 0, 0, 0];
  for (let i = 0; i < n; i++) {
    const d = [points[3 * i]! - c[0], points[3 * i + 1]! - c[1], points[3 * i + 2]! - c[2]];
    for (let r = 0; r < 3; r++) for (let s = 0; s < 3; s++) C[3 * r + s]! += d[r]! * d[s]!;
  }
  let v: Vec3 = [1, 0.5, 0.25];
  for (let it = 0; it < 50; it++) {
    const w: Vec3 = [C[0]! * v[0] + C[1]! * v[1] + C[2]! * v[2], C[3]! * v[0] + C[4]! * v[1] + C[5]! * v[2], C[6]! * v[0] + C[7]! * v[1] + C[8]! * v[2]];
    const l = Math.hypot(...w) || 1;
    v = [w[0] / l, w[1] / l, w[2] / l];
  }
  const proj = new Float64Array(n);
  for (let i = 0; i < n; i++) proj[i] = (points[3 * i]! - c[0]) * v[0] + (points[3 * i + 1]! - c[1]) * v[1] + (points[3 * i + 2]! - c[2]) * v[2];
  const sorted = Array.from(proj).sort((a, b) => a - b);
  let centres: Vec3[] = [];
  for (let j = 0; j < k; j++) {
    const q = sorted[Math.min(n - 1, Math.floor(((j + 0.5) / k) * n))]!;
    centres.push([c[0] + v[0] * q, c[1] + v[1] * q, c[2] + v[2] * q]);
  }
  const assign = new Int32Array(n);
  for (let it = 0; it < 15 && k > 1; it++) {
    for (let i = 0; i < n; i++) {
      let best = 0, bd = Infinity;
      for (let j = 0; j < k; j++) {
        const d = (points[3 * i]! - centres[j]![0]) ** 2 + (points[3 * i + 1]! - centres[j]![1]) ** 2 + (points[3 * i + 2]! - centres[j]![2]) ** 2;
        if (d < bd) { bd = d; best = j; }
      }
      assign[i] = best;
    }
    const sums = centres.map(() => [0, 0, 0, 0]);
    for (let i = 0; i < n; i++) { const s = sums[assign[i]!]!; s[0]! += points[3 * i]!; s[1]! += points[3 * i + 1]!; s[2]! += points[3 * i + 2]!; s[3]!++; }
    centres = sums.map((s, j) => (s[3]! ? [s[0]! / s[3]!, s[1]! / s[3]!, s[2]! / s[3]!] : centres[j]!) as Vec3);
  }
  return centres.map((centre, j) => {
    // snap to the nearest lesion voxel of the cluster, then keep away from neural structures
    let best = -1, score = -Infinity;
    const moveAway = neuralDistanceMm(anatomy, centre[0], centre[1], centre[2]) < 4;
    for (let i = 0; i < n; i++) {
      if (k > 1 && assign[i] !== j) continue;
      const x = points[3 * i]!, y = points[3 * i + 1]!, z = points[3 * i + 2]!;
      const dc = Math.hypot(x - centre[0], y - centre[1], z - centre[2]);
      const s = moveAway ? Math.min(neuralDistanceMm(anatomy, x, y, z), 6) - 0.2 * dc : -dc;
      if (s > score) { score = s; best = i; }
    }
    return [points[3 * best]!, points[3 * best + 1]!, points[3 * best + 2]!] as Vec3;
  });
}
