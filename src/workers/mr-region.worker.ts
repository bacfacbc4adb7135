/// <reference lib="webworker" />
/**
 * The MR sacrum outline from a placed canal (src/anatomy/mr-sacrum-mask.ts), for the case worker: about 1 s
 * (quiet) per canal, which the case worker's commands would otherwise wait behind. Reads the voxels the case
 * worker reads (a SharedArrayBuffer) and answers each canal with its mask (transferred), or null.
 */
import { mrSacrumMask } from '../anatomy/mr-sacrum-mask';
import type { Canal } from '../anatomy/types';
import { VolumeGeometry, type VolumeGeometryInit } from '../core/geometry';
import type { ScalarVolume, ValueUnits, VoxelArray } from '../core/volume';

export interface MrRegionInit {
  type: 'init';
  geometry: VolumeGeometryInit;
  voxels: VoxelArray;
  units: ValueUnits;
  modality: string;
  volumeId: string;
}
export interface MrRegionRequest {
  type: 'outline';
  id: number;
  canal: Canal;
}
export interface MrRegionAnswer {
  id: number;
  mask: Uint8Array | null;
  error?: string;
}

let volume: ScalarVolume | null = null;

self.onmessage = (e: MessageEvent<MrRegionInit | MrRegionRequest>) => {
  const m = e.data;
  if (m.type === 'init') {
    volume = { id: m.volumeId, geometry: new VolumeGeometry(m.geometry), voxels: m.voxels, units: m.units, modality: m.modality };
    return;
  }
  let answer: MrRegionAnswer;
  try {
    if (!volume) throw new Error('MR outline worker not initialised');
    answer = { id: m.id, mask: mrSacrumMask(volume, m.canal)?.mask ?? null };
  } catch (err) {
    answer = { id: m.id, mask: null, error: (err as Error).message ?? String(err) };
  }
  (self as unknown as Worker).postMessage(answer, answer.mask ? [answer.mask.buffer as ArrayBuffer] : []);
};
