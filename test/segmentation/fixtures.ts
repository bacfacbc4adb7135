/**
 * Code-built volumes for segmentation tests: geometries in several orientations and spacings,
 * and rasterisation of analytic shapes at voxel centres.
 */
import { mulberry32 } from '../../src/core/random';
import { VolumeGeometry } from '../../src/core/geometry';
import { type ScalarVolume, createScalarVolume } from '../../src/core/volume';
import type { Vec3 } from '../../src/core/vec3';
import { LabelMap } from '../../src/segmentation/labelmap';

/** Rotation R = Rz·Ry·Rx (degrees) as three column vectors. */
export function rotation(rxDeg: number, ryDeg: number, rzDeg: number): [Vec3, Vec3, Vec3] {
  const [a, b, c] = [rxDeg, ryDeg, rzDeg].map((d) => (d * Math.PI) / 180) as [number, number, number];
  const Rx = [[1, 0, 0], [0, Math.cos(a), -Math.sin(a)], [0, Math.sin(a), Math.cos(a)]];
  const Ry = [[Math.cos(b), 0, Math.sin(b)], [0, 1, 0], [-Math.sin(b), 0, Math.cos(b)]];
  const Rz = [[Math.cos(c), -Math.sin(c), 0], [Math.sin(c), Math.cos(c), 0], [0, 0, 1]];
  const mul = (A: number[][], B: number[][]) => A.map((r) => [0, 1, 2].map((j) => r[0]! * B[0]![j]! + r[1]! * B[1]![j]! + r[2]! * B[2]![j]!));
  const R = mul(Rz, mul(Ry, Rx));
  return [0, 1, 2].map((j) => [R[0]![j]!, R[1]![j]!, R[2]![j]!] as Vec3) as [Vec3, Vec3, Vec3];
}

/**
 * A grid of `dims` and `spacing` whose centre lies at `centerLps`, axes rotated by `rotDeg`.
 * `reverseK` flips the slice axis (reversed slice order).
 */
export function makeGeometry(dims: [number, number, number], spacing: Vec3, rotDeg: Vec3 = [0, 0, 0], centerLps: Vec3 = [0, 0, 0], reverseK = false): VolumeGeometry {
  const [ax, ay, az0] = rotation(rotDeg[0], rotDeg[1], rotDeg[2]);
  const az: Vec3 = reverseK ? [-az0[0], -az0[1], -az0[2]] : az0;
  const half = [(dims[0] - 1) / 2, (dims[1] - 1) / 2, (dims[2] - 1) / 2];
  const origin: Vec3 = [0, 1, 2].map((t) => centerLps[t]! - half[0]! * spacing[0] * ax[t]! - half[1]! * spacing[1] * ay[t]! - half[2]! * spacing[2] * az[t]!) as Vec3;
  return new VolumeGeometry({ dims, spacingMm: spacing, originLps: origin, directionCosines: [...ax, ...ay, ...az] });
}

/** Calls fn(offset, lps) for every voxel. */
export function forEachVoxel(geom: VolumeGeometry, fn: (offset: number, p: Vec3, i: number, j: number, k: number) => void): void {
  const [ni, nj, nk] = geom.dims;
  const p: Vec3 = [0, 0, 0];
  let n = 0;
  for (let k = 0; k < nk; k++) for (let j = 0; j < nj; j++) for (let i = 0; i < ni; i++, n++) fn(n, geom.ijkToLps(p, i, j, k), i, j, k);
}

/** Label map with `label` where `inside(lps)` holds at the voxel centre. */
export function rasterize(geom: VolumeGeometry, inside: (p: Vec3) => boolean, label = 1): LabelMap {
  const data = new Uint8Array(geom.voxelCount);
  forEachVoxel(geom, (n, p) => { if (inside(p)) data[n] = label; });
  return new LabelMap(geom, data);
}

/** Int16 HU volume: value(lps) at every voxel centre. */
export function makeVolume(geom: VolumeGeometry, value: (p: Vec3) => number, id = 'synthetic'): ScalarVolume {
  const v = new Int16Array(geom.voxelCount);
  forEachVoxel(geom, (n, p) => { v[n] = Math.round(value(p)); });
  return createScalarVolume(id, geom, v, 'HU', 'CT');
}

/** Ellipsoid predicate with semi-axes along the rotated frame `axes` (columns). */
export function ellipsoid(center: Vec3, semi: Vec3, axes: [Vec3, Vec3, Vec3] = [[1, 0, 0], [0, 1, 0], [0, 0, 1]]): (p: Vec3) => boolean {
  return (p) => {
    let s = 0;
    for (let a = 0; a < 3; a++) {
      const u = axes[a]!;
      const t = (p[0] - center[0]) * u[0] + (p[1] - center[1]) * u[1] + (p[2] - center[2]) * u[2];
      s += (t / semi[a]!) ** 2;
    }
    return s <= 1;
  };
}

/** Deterministic pseudo-random numbers (mulberry32). */
export const rng = mulberry32;

/** Simple FNV-1a hash of a typed array's bytes (to prove inputs were not mutated). */
export function hashBytes(a: ArrayBufferView): number {
  const b = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  let h = 0x811c9dc5;
  for (let n = 0; n < b.length; n++) { h ^= b[n]!; h = Math.imul(h, 0x01000193); }
  return h >>> 0;
}
