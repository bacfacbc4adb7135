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
