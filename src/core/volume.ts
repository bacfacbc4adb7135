/**
 * ScalarVolume: voxels (i fastest, then j, then k) plus their geometry.
 * CT values are Hounsfield units (rescale applied); MR and other modalities keep raw units.
 * The voxel array is shared, never copied, by everything that reads it.
 */
import { VolumeGeometry } from './geometry';
import type { Vec3 } from './vec3';

export type VoxelArray = Int16Array | Uint16Array | Float32Array | Uint8Array;
export type ValueUnits = 'HU' | 'raw';

export interface ScalarVolume {
  readonly id: string;
  readonly geometry: VolumeGeometry;
  readonly voxels: VoxelArray;
  readonly units: ValueUnits;
  readonly modality: string;
}

export function createScalarVolume(id: string, geometry: VolumeGeometry, voxels: VoxelArray, units: ValueUnits, modality: string): ScalarVolume {
  if (voxels.length !== geometry.voxelCount) {
    throw new Error(`voxel array length ${voxels.length} does not match dims ${geometry.dims.join('x')}`);
  }
  return { id, geometry, voxels, units, modality };
}

/** Value of the nearest voxel to an LPS point, or null outside the volume. */
export function valueAtLps(volume: ScalarVolume, lps: Readonly<Vec3>): number | null {
  const idx = volume.geometry.nearestIndex(lps);
  if (!idx) return null;
  return volume.voxels[volume.geometry.offset(idx[0], idx[1], idx[2])] ?? null;
}

/** Min and max of the voxel values (one pass). */
export function valueRange(voxels: VoxelArray): [number, number] {
  let lo = Infinity, hi = -Infinity;
  for (let n = 0; n < voxels.length; n++) {
    const v = voxels[n]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}

/**
 * Trilinear value at a continuous voxel index already clamped to [0, n − 1] on each axis.
 * An axis of one voxel is constant. The one interpolation kernel behind the samplers of anatomy/.
 */
export function trilinearAtIndex(v: ArrayLike<number>, dims: Readonly<Vec3>, x: number, y: number, z: number): number {
  const ni = dims[0], nj = dims[1], nk = dims[2];
  const i0 = Math.min(Math.floor(x), Math.max(0, ni - 2)), j0 = Math.min(Math.floor(y), Math.max(0, nj - 2)), k0 = Math.min(Math.floor(z), Math.max(0, nk - 2));
  const tx = x - i0, ty = y - j0, tz = z - k0;
  const di = ni > 1 ? 1 : 0, dj = nj > 1 ? ni : 0, dk = nk > 1 ? ni * nj : 0;
  const o = i0 + ni * (j0 + nj * k0);
  const c00 = v[o]! + (v[o + di]! - v[o]!) * tx, c10 = v[o + dj]! + (v[o + dj + di]! - v[o + dj]!) * tx;
  const c01 = v[o + dk]! + (v[o + dk + di]! - v[o + dk]!) * tx, c11 = v[o + dk + dj]! + (v[o + dk + dj + di]! - v[o + dk + dj]!) * tx;
  const c0 = c00 + (c10 - c00) * ty, c1 = c01 + (c11 - c01) * ty;
  return c0 + (c1 - c0) * tz;
}
