/// <reference lib="webworker" />
/**
 * Runs the case engine (lesion label map + sacral landmarks) off the main thread. Voxels, labels and
 * the zone map are views of SharedArrayBuffers: the main thread draws what the worker writes.
 */
import { CaseEngine, type CaseCommand } from '../anatomy/case-engine';
import { VolumeGeometry, type VolumeGeometryInit } from '../core/geometry';
import type { VoxelArray, ValueUnits } from '../core/volume';

interface InitMessage {
  type: 'init';
  geometry: VolumeGeometryInit;
  voxels: VoxelArray;
  labels: Uint8Array;
  zoneMap: Uint8Array;
  units: ValueUnits;
  modality: string;
  volumeId: string;
}
interface RunMessage {
  type: 'run';
  reqId: number;
  cmd: CaseCommand;
}

let engine: CaseEngine | null = null;
const post = (m: unknown) => (self as unknown as Worker).postMessage(m);

self.onmessage = (e: MessageEvent<InitMessage | RunMessage>) => {
  const m = e.data;
  if (m.type === 'init') {
    const geometry = new VolumeGeometry(m.geometry);
    engine = new CaseEngine({ id: m.volumeId, geometry, voxels: m.voxels, units: m.units, modality: m.modality }, m.labels, m.zoneMap);
    post({ type: 'ready' });
    return;
  }
  if (!engine) {
    post({ type: 'result', reqId: m.reqId, error: 'segmentation worker not initialised' });
    return;
  }
  try {
    post({ type: 'result', reqId: m.reqId, result: engine.run(m.cmd) });
  } catch (err) {
    post({ type: 'result', reqId: m.reqId, error: (err as Error).message ?? String(err) });
  }
};
