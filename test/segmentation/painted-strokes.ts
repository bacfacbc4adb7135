/**
 * Strokes as a radiologist paints them with the Strokes tool (test-only), from a lesion's truth:
 * - on the native slice through the lesion's centre and on one slice at least 3 mm to either side
 *   (where the lesion's cross-section is at least 3 mm across), a lesion stroke inside the lesion
 *   and a background stroke around it in the marrow, each following the outline with its brushed
 *   edge `gapMm` (1.5 mm) from it (the lesion stroke at least a third of the radius out);
 * - one background curve the same distance outside the outline in a reformatted view through the
 *   centre, across the slices (it closes the top and bottom the slices leave open);
 * - `leakStrokes`: after a grow, a background stroke over the tissue the lesion ran into (the voxels
 *   more than 2 mm outside the truth, on the native slice that holds most of them), as the user
 *   paints over a spill they see.
 * The outline comes from `outside`: for an LPS point, its radius relative to the lesion's outline in
 * that direction (≤ 1 inside), as test/phantom-tools/implant.py defines its star-shaped lesions.
 */
import type { VolumeGeometry } from '../../src/core/geometry';
import type { Vec3 } from '../../src/core/vec3';
import type { SeedStroke } from '../../src/segmentation/seeded-grow';

/**
 * Relative radius of p for an implant.py lesion (ellipsoid times 1 + Σ b (u·d)³) or a phantom
 * ellipsoid: ≤ 1 inside; for a phantom blob (union of balls), the least of p's distances to the
 * balls' centres over their radii.
 */
export function starRadius(les: any): (p: Readonly<Vec3>) => number {
  if (les.shape === 'blob') {
    const balls = les.spheres as { center_lps: number[]; radius_mm: number }[];
    return (p) => Math.min(...balls.map((b) => Math.hypot(p[0] - b.center_lps[0]!, p[1] - b.center_lps[1]!, p[2] - b.center_lps[2]!) / b.radius_mm));
  }
  const c = les.center_lps as number[], ax = les.axes_lps as number[][], s = les.semi_axes_mm as number[];
  const bumps = (les.bumps ?? []) as { direction: number[]; amplitude: number }[];
  const bd = bumps.map((b) => { const l = Math.hypot(...b.direction); return b.direction.map((x) => x / l); });
  return (p) => {
    const q = [0, 1, 2].map((a) => ((p[0] - c[0]!) * ax[a]![0]! + (p[1] - c[1]!) * ax[a]![1]! + (p[2] - c[2]!) * ax[a]![2]!) / s[a]!);
    const rho = Math.hypot(q[0]!, q[1]!, q[2]!);
    if (rho < 1e-12) return 0;
    let f = 1;
    bumps.forEach((b, t) => { const d = bd[t]!; f += b.amplitude * ((q[0]! * d[0]! + q[1]! * d[1]! + q[2]! * d[2]!) / rho) ** 3; });
    return rho / f;
  };
}

const add = (p: Readonly<Vec3>, u: Readonly<Vec3>, a: number): Vec3 => [p[0] + a * u[0], p[1] + a * u[1], p[2] + a * u[2]];

/** The outline's radius from p0 along the unit direction d (bisection; 0 when p0 is outside). */
function outlineRadius(outside: (p: Readonly<Vec3>) => number, p0: Vec3, d: Vec3): number {
  if (outside(p0) > 1) return 0;
  let lo = 0, hi = 40;
  for (let t = 0; t < 30; t++) { const m = (lo + hi) / 2; if (outside(add(p0, d, m)) <= 1) lo = m; else hi = m; }
  return lo;
}

/** Closed curve around p0 in the plane (u, v) at the outline's radius + offsetMm (at least a third of the radius). */
function curve(outside: (p: Readonly<Vec3>) => number, p0: Vec3, u: Vec3, v: Vec3, offsetMm: number): Vec3[] {
  return Array.from({ length: 33 }, (_, t) => {
    const a = (2 * Math.PI * t) / 32;
    const d: Vec3 = [Math.cos(a) * u[0] + Math.sin(a) * v[0], Math.cos(a) * u[1] + Math.sin(a) * v[1], Math.cos(a) * u[2] + Math.sin(a) * v[2]];
    const r = outlineRadius(outside, p0, d);
    return add(p0, d, Math.max(r / 3, r + offsetMm));
  });
}

export function paintedStrokes(geom: VolumeGeometry, les: any, gapMm = Number(process.env.SP_GAP ?? 1.5), brushMm = 1.5): SeedStroke[] {
  const outside = starRadius(les);
  const c = les.center_lps as Vec3;
  const ijk = geom.lpsToIjk([0, 0, 0], c);
  const u = geom.axis(0), v = geom.axis(1), w = geom.axis(2);
  const step = Math.max(1, Math.round(3 / geom.spacingMm[2]));
  const k0 = Math.round(ijk[2]);
  const out: SeedStroke[] = [];
  for (const k of [k0 - step, k0, k0 + step]) {
    const p0 = geom.ijkToLps([0, 0, 0], ijk[0], ijk[1], k);
    // a cross-section at least 3 mm across (the smallest outline radius over the slice's directions)
    const rMin = Math.min(...Array.from({ length: 16 }, (_, t) => { const a = (Math.PI * t) / 8; return outlineRadius(outside, p0, [Math.cos(a) * u[0] + Math.sin(a) * v[0], Math.cos(a) * u[1] + Math.sin(a) * v[1], Math.cos(a) * u[2] + Math.sin(a) * v[2]]); }));
    if (rMin < 1.5) continue;
    out.push({ kind: 'lesion', radiusMm: brushMm, pointsLps: curve(outside, p0, u, v, -(gapMm + brushMm)) });
    out.push({ kind: 'background', radiusMm: brushMm, pointsLps: curve(outside, p0, u, v, gapMm + brushMm) });
  }
  // the reformatted view across the slices, through the centre
  out.push({ kind: 'background', radiusMm: brushMm, pointsLps: curve(outside, c, v, w, gapMm + brushMm) });
  return out;
}

/**
 * Background dabs over the lesion's voxels more than 2 mm outside the truth (on the native slice
 * holding most of them), or none when they make up under 5 % of the truth's volume.
 */
export function leakStrokes(geom: VolumeGeometry, les: any, offsets: ArrayLike<number>, brushMm = 1.5): SeedStroke[] {
  const outside = starRadius(les);
  const rMin = les.shape === 'blob' ? Math.min(...les.spheres.map((b: any) => b.radius_mm as number)) : Math.min(...(les.semi_axes_mm as number[]));
  const x: Vec3 = [0, 0, 0];
  const bySlice = new Map<number, Vec3[]>();
  let n = 0;
  const [ni, nj] = geom.dims;
  for (let t = 0; t < offsets.length; t++) {
    const o = offsets[t]!;
    geom.offsetToLps(x, o);
    if (outside(x) <= 1 + 2 / rMin) continue;
    n++;
    const k = Math.floor(o / (ni * nj));
    if (!bySlice.has(k)) bySlice.set(k, []);
    bySlice.get(k)!.push([x[0], x[1], x[2]]);
  }
  if ((n * geom.voxelVolumeMm3) / 1000 < 0.05 * les.volume_ml) return [];
  const pts = [...bySlice.values()].sort((a, b) => b.length - a.length)[0]!;
  // dabs over them (every few voxels; a polyline through scattered voxels would cross the lesion)
  const every = Math.max(1, Math.floor(pts.length / 40));
  return pts.filter((_, t) => t % every === 0).map((p) => ({ kind: 'background' as const, radiusMm: brushMm, pointsLps: [p] }));
}

/**
 * The mask a perfect outline gives: the voxels of `box` (index box, inclusive) at least half covered
 * by the lesion (coverage sampled 4 × 4 × 4 per voxel), as linear offsets in ascending order.
 */
export function halfCoverageMask(geom: VolumeGeometry, les: any, box: readonly number[]): Int32Array {
  const outside = starRadius(les);
  const x: Vec3 = [0, 0, 0];
  const [ni, nj] = geom.dims;
  const out: number[] = [];
  for (let k = box[2]!; k <= box[5]!; k++) for (let j = box[1]!; j <= box[4]!; j++) for (let i = box[0]!; i <= box[3]!; i++) {
    geom.ijkToLps(x, i, j, k);
    if (outside(x) > 2) continue;
    let c = 0;
    for (let a = 0; a < 4; a++) for (let b = 0; b < 4; b++) for (let d = 0; d < 4; d++) { geom.ijkToLps(x, i - 0.375 + a / 4, j - 0.375 + b / 4, k - 0.375 + d / 4); if (outside(x) <= 1) c++; }
    if (c >= 32) out.push(i + ni * (j + nj * k));
  }
  return Int32Array.from(out);
}
