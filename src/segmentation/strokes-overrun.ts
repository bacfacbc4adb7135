/**
 * Whether a lesion grown from strokes (seeded-grow.ts) ran beyond the region the user's strokes
 * enclose. The competitive grow takes every voxel its lesion front reaches first; with background
 * rings in two planes, tissue at the lesion's level between the rings that no stroke marks as
 * background (a disc, the canal's fat and fluid) is reached by the lesion's front and taken
 * (test/segmentation/implanted-grow.test.ts: up to +741 % on the real CTs). The result is kept; this
 * only measures how far it went, so the user can add background strokes there or erase.
 *
 * The region the strokes support is the convex hull of every stroke (lesion and background) with its
 * brush radius. How far a voxel lies past it is max over unit directions u of (x·u − h(u)), h the
 * hull's support function (max over stroke points of p·u, plus the radius): the distance to a convex
 * set, here over a fixed set of directions, so a lower bound of it.
 *
 * A lesion counts as overrun when some of its voxels lie more than MARGIN_MM plus one voxel (the
 * largest spacing) past the hull. The margin is the grow's own reach beyond the strokes once there
 * are background strokes (5 mm, the region of interest's margin in seeded-grow.ts; the box is
 * rounded outward to whole voxels, hence the voxel): along the box's axes the lesion can never go
 * further than that, so only an escape between the strokes, out through a corner the strokes leave
 * open, is reported; or, across the plane of a ring drawn in one view only, where the box reaches as
 * far as the ring lets the lesion reach in its plane (seeded-grow.ts, bgReachMm), a lesion that runs
 * on across the slices more than the margin past the ring. A round lesion inside rings drawn 3 mm beyond its edge in two planes stays
 * within 1 mm of their hull (a point at radius r between two orthogonal rings of radius R = r + 3 mm
 * lies at most r − (R/√2 + brush) past it: under 1 mm for r ≤ 15 mm with a 1.5 mm brush).
 * Without background strokes nothing is reported: then the region of interest's boundary is the only
 * background and the user is expected to paint background next anyway.
 *
 * Pure: no DOM.
 */
import type { VolumeGeometry } from '../core/geometry';
import type { Vec3 } from '../core/vec3';
import type { SeedStroke } from './seeded-grow';

/** How far (mm) past the strokes' hull, plus one voxel, a lesion voxel must lie to be reported; see the module comment. */
export const MARGIN_MM = 5;

export interface StrokesOverrun {
  /** Largest distance (mm, a lower bound) of a lesion voxel past the strokes' hull. */
  pastMm: number;
  /** Direction of that voxel from the hull, in patient words ('superior posterior'). */
  towards: string;
  /** Volume (mL) of the lesion's voxels more than MARGIN_MM and a voxel past the hull. */
  beyondMl: number;
}

/** Unit directions spread evenly over the sphere (Fibonacci lattice), plus the six axes. */
function directions(n: number): Vec3[] {
  const out: Vec3[] = [[1, 0, 0], [-1, 0, 0], [0, 1, 0], [0, -1, 0], [0, 0, 1], [0, 0, -1]];
  const golden = Math.PI * (3 - Math.sqrt(5));
  for (let m = 0; m < n; m++) {
    const z = 1 - (2 * (m + 0.5)) / n, r = Math.sqrt(1 - z * z), a = golden * m;
    out.push([r * Math.cos(a), r * Math.sin(a), z]);
  }
  return out;
}
const DIRS = directions(194);

/** LPS direction in words: + x left, + y posterior, + z superior; components above sin 22.5° are named. */
export function directionWords(u: Readonly<Vec3>): string {
  const t = Math.sin(Math.PI / 8);
  const words: string[] = [];
  if (Math.abs(u[2]) > t) words.push(u[2] > 0 ? 'superior' : 'inferior');
  if (Math.abs(u[1]) > t) words.push(u[1] > 0 ? 'posterior' : 'anterior');
  if (Math.abs(u[0]) > t) words.push(u[0] > 0 ? 'left' : 'right');
  return words.join(' ');
}

/**
 * How far the lesion (linear offsets of its voxels) runs past the strokes' hull, or null when it does
 * not run more than MARGIN_MM past it, or when there is no background stroke.
 */
export function strokesOverrun(geometry: VolumeGeometry, strokes: readonly SeedStroke[], offsets: ArrayLike<number>): StrokesOverrun | null {
  if (!strokes.some((s) => s.kind === 'background' && s.pointsLps.length > 0) || offsets.length === 0) return null;
  const h = DIRS.map((u) => {
    let best = -Infinity;
    for (const s of strokes) for (const p of s.pointsLps) best = Math.max(best, p[0] * u[0] + p[1] * u[1] + p[2] * u[2] + s.radiusMm);
    return best;
  });
  const limitMm = MARGIN_MM + Math.max(...geometry.spacingMm);
  const x: Vec3 = [0, 0, 0];
  let pastMm = 0, towards: Vec3 = [0, 0, 0], beyond = 0;
  for (let n = 0; n < offsets.length; n++) {
    geometry.offsetToLps(x, offsets[n]!);
    let d = -Infinity, arg = 0;
    for (let m = 0; m < DIRS.length; m++) {
      const u = DIRS[m]!;
      const v = x[0] * u[0] + x[1] * u[1] + x[2] * u[2] - h[m]!;
      if (v > d) { d = v; arg = m; }
    }
    if (d > limitMm) beyond++;
    if (d > pastMm) { pastMm = d; towards = DIRS[arg]!; }
  }
  if (beyond === 0) return null;
  const s = geometry.spacingMm;
  return { pastMm, towards: directionWords(towards), beyondMl: (beyond * s[0] * s[1] * s[2]) / 1000 };
}

/** The panel's words for an overrun. */
export function overrunMessage(o: StrokesOverrun): string {
  return `The lesion ran beyond your strokes (${o.pastMm.toFixed(0)} mm past them, towards ${o.towards}; ${o.beyondMl.toFixed(2)} mL of it more than ${MARGIN_MM} mm out): add background strokes there or erase.`;
}
