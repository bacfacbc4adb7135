/**
 * What lies around a Grow click, in words, for the refusals that must say what to do next:
 *  - boneAround: rays from the click in 26 directions, each asked whether it meets bone within
 *    Grow's reach and within twice that; the rays that meet none say on which side the region is
 *    open (a gap in the cortex, a foramen, or no bone at all);
 *  - continuationOutside: tissue at the lesion's window, outside the bone enclosure, connected to
 *    a grown region: where the region touches the enclosure's surface with no cortex in between,
 *    the enclosure's closing bridged a gap in the cortex, and tissue at the lesion's level beyond
 *    it means the lesion may go on outside the bone (soft tissue of its level cannot be told from it).
 * Pure; inputs are never mutated.
 */
import type { VolumeGeometry } from '../core/geometry';
import type { ScalarVolume } from '../core/volume';
import type { Vec3 } from '../core/vec3';
import type { IndexBox } from './labelmap';

/** 26 unit directions in LPS (towards the faces, edges and corners of a cube around the click). */
const DIRECTIONS: readonly Vec3[] = (() => {
  const out: Vec3[] = [];
  for (let a = -1; a <= 1; a++) for (let b = -1; b <= 1; b++) for (let c = -1; c <= 1; c++) {
    if (!a && !b && !c) continue;
    const n = Math.hypot(a, b, c);
    out.push([a / n, b / n, c / n]);
  }
  return out;
})();

/** The patient side a LPS direction points to, in words ("posterior", "left anterior", …): its one or two main components. */
export function sideName(d: Readonly<Vec3>): string {
  const names = [['right', 'left'], ['anterior', 'posterior'], ['inferior', 'superior']] as const;
  const mag = [Math.abs(d[0]), Math.abs(d[1]), Math.abs(d[2])];
  const order = [0, 1, 2].sort((a, b) => mag[b]! - mag[a]!);
  const first = order[0]!, second = order[1]!;
  const word = (a: number) => names[a]![d[a]! >= 0 ? 1 : 0];
  if (!(mag[first]! > 0)) return 'every';
  return mag[second]! >= 0.5 * mag[first]! ? `${word(second)} ${word(first)}` : word(first);
}

export interface BoneAround {
  rays: number;
  /** Rays that meet bone within Grow's reach (`reachMm`), and within twice that. */
  hitsNear: number;
  hitsFar: number;
  /** Mean direction (LPS, unit) of the rays that meet no bone within the reach; null when all do. */
  openLps: Vec3 | null;
}

/**
 * Casts the 26 rays from `seedLps` through the volume up to 2 × `reachMm`, in steps of half the
 * finest spacing; a ray meets bone at its first sample whose 7-point mean (the voxel and its face
 * neighbours: the cortex keeps its level, a noise voxel of fatty marrow does not) is above `boneLevel`.
 */
export function boneAround(volume: ScalarVolume, seedLps: Readonly<Vec3>, boneLevel: number, reachMm: number): BoneAround {
  const geom = volume.geometry;
  const [ni, nj, nk] = geom.dims;
  const nij = ni * nj;
  const v = volume.voxels;
  const mean7 = (i: number, j: number, k: number) => {
    const n = i + ni * (j + nj * k);
    let s = v[n]!, c = 1;
    if (i > 0) { s += v[n - 1]!; c++; }
    if (i < ni - 1) { s += v[n + 1]!; c++; }
    if (j > 0) { s += v[n - ni]!; c++; }
    if (j < nj - 1) { s += v[n + ni]!; c++; }
    if (k > 0) { s += v[n - nij]!; c++; }
    if (k < nk - 1) { s += v[n + nij]!; c++; }
    return s / c;
  };
  const stepMm = 0.5 * Math.min(...geom.spacingMm);
  let hitsNear = 0, hitsFar = 0;
  const open: Vec3 = [0, 0, 0];
  const ijk: Vec3 = [0, 0, 0];
  for (const u of DIRECTIONS) {
    let hit = Infinity;
    for (let s = stepMm; s <= 2 * reachMm; s += stepMm) {
      geom.lpsToIjk(ijk, [seedLps[0] + u[0] * s, seedLps[1] + u[1] * s, seedLps[2] + u[2] * s]);
      const i = Math.round(ijk[0]), j = Math.round(ijk[1]), k = Math.round(ijk[2]);
      if (i < 0 || j < 0 || k < 0 || i >= ni || j >= nj || k >= nk) break;
      if (mean7(i, j, k) > boneLevel) { hit = s; break; }
    }
    if (hit <= reachMm) hitsNear++;
    else { open[0] += u[0]; open[1] += u[1]; open[2] += u[2]; }
    if (hit <= 2 * reachMm) hitsFar++;
  }
  const n = Math.hypot(open[0], open[1], open[2]);
  return { rays: DIRECTIONS.length, hitsNear, hitsFar, openLps: hitsNear === DIRECTIONS.length ? null : n > 1e-9 ? [open[0] / n, open[1] / n, open[2] / n] : [0, 0, 0] };
}

export interface Continuation {
  /** Voxels at the window outside the enclosure connected to the region (within the ball). */
  voxels: number;
  /** Region voxels that touch them (the gap). */
  contact: number;
  /** LPS direction from the region's centroid to the gap's (unit; zero when they coincide). */
  towardLps: Vec3;
}

/**
 * Tissue at the window [lo, hi] (of `img`) outside `hull`, inside `inBall`, 6-connected to the
 * region `mask` (all box-local arrays of the box with dims `dims`).
 */
export function continuationOutside(mask: Uint8Array, hull: Uint8Array, inBall: Uint8Array, img: Float32Array, win: readonly [number, number], dims: readonly [number, number, number], box: IndexBox, geom: VolumeGeometry): Continuation {
  const [bi, bj, bk] = dims;
  const bij = bi * bj;
  const ok = (m: number) => !hull[m] && inBall[m] && !mask[m] && img[m]! >= win[0] && img[m]! <= win[1];
  const seen = new Uint8Array(mask.length);
  const queue: number[] = [];
  let contact = 0;
  const cm: Vec3 = [0, 0, 0], cg: Vec3 = [0, 0, 0];
  let nm = 0;
  for (let n = 0; n < mask.length; n++) {
    if (!mask[n]) continue;
    const k = (n / bij) | 0, r = n - k * bij, j = (r / bi) | 0, i = r - j * bi;
    cm[0] += i; cm[1] += j; cm[2] += k; nm++;
    let touches = false;
    for (let t = 0; t < 6; t++) {
      let m: number;
      if (t === 0) { if (i === 0) continue; m = n - 1; } else if (t === 1) { if (i === bi - 1) continue; m = n + 1; }
      else if (t === 2) { if (j === 0) continue; m = n - bi; } else if (t === 3) { if (j === bj - 1) continue; m = n + bi; }
      else if (t === 4) { if (k === 0) continue; m = n - bij; } else { if (k === bk - 1) continue; m = n + bij; }
      if (!ok(m)) continue;
      touches = true;
      if (!seen[m]) { seen[m] = 1; queue.push(m); }
    }
    if (touches) { contact++; cg[0] += i; cg[1] += j; cg[2] += k; }
  }
  for (let h = 0; h < queue.length; h++) {
    const n = queue[h]!;
    const k = (n / bij) | 0, r = n - k * bij, j = (r / bi) | 0, i = r - j * bi;
    if (i > 0 && !seen[n - 1] && ok(n - 1)) { seen[n - 1] = 1; queue.push(n - 1); }
    if (i < bi - 1 && !seen[n + 1] && ok(n + 1)) { seen[n + 1] = 1; queue.push(n + 1); }
    if (j > 0 && !seen[n - bi] && ok(n - bi)) { seen[n - bi] = 1; queue.push(n - bi); }
    if (j < bj - 1 && !seen[n + bi] && ok(n + bi)) { seen[n + bi] = 1; queue.push(n + bi); }
    if (k > 0 && !seen[n - bij] && ok(n - bij)) { seen[n - bij] = 1; queue.push(n - bij); }
    if (k < bk - 1 && !seen[n + bij] && ok(n + bij)) { seen[n + bij] = 1; queue.push(n + bij); }
  }
  const toward: Vec3 = [0, 0, 0];
  if (contact && nm) {
    const a = geom.ijkToLps([0, 0, 0], box[0] + cm[0] / nm, box[1] + cm[1] / nm, box[2] + cm[2] / nm);
    const b = geom.ijkToLps([0, 0, 0], box[0] + cg[0] / contact, box[1] + cg[1] / contact, box[2] + cg[2] / contact);
    const d = Math.hypot(b[0] - a[0], b[1] - a[1], b[2] - a[2]);
    if (d > 1e-9) { toward[0] = (b[0] - a[0]) / d; toward[1] = (b[1] - a[1]) / d; toward[2] = (b[2] - a[2]) / d; }
  }
  return { voxels: queue.length, contact, towardLps: toward };
}

/**
 * Share of the faces between the region `mask` and the voxels outside it that face voxels outside
 * `hull` (the enclosure's bridge over a gap in the cortex), of all its outer faces (box-local arrays;
 * the box border counts as outside the hull).
 */
export function cutShare(mask: Uint8Array, hull: Uint8Array, dims: readonly [number, number, number]): number {
  const [bi, bj, bk] = dims;
  const bij = bi * bj;
  let faces = 0, cut = 0;
  for (let n = 0; n < mask.length; n++) {
    if (!mask[n]) continue;
    const k = (n / bij) | 0, r = n - k * bij, j = (r / bi) | 0, i = r - j * bi;
    const visit = (inBox: boolean, m: number) => {
      if (inBox && mask[m]) return;
      faces++;
      if (!inBox || !hull[m]) cut++;
    };
    visit(i > 0, n - 1); visit(i < bi - 1, n + 1);
    visit(j > 0, n - bi); visit(j < bj - 1, n + bi);
    visit(k > 0, n - bij); visit(k < bk - 1, n + bij);
  }
  return faces ? cut / faces : 0;
}
