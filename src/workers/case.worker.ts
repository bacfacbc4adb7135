/// <reference lib="webworker" />
/**
 * Runs the open case (src/case/engine.ts) off the main thread. Voxels, labels, the zone map and the
 * cement map are views of SharedArrayBuffers: the main thread draws what this worker writes.
 */
import { CaseEngine } from '../case/engine';
import type { CaseRequest } from '../case/protocol';
import { answerRequest } from '../case/protocol';
import { VolumeGeometry, type VolumeGeometryInit } from '../core/geometry';
import type { VoxelArray, ValueUnits } from '../core/volume';

interface InitMessage {
  type: 'init';
  geometry: VolumeGeometryInit;
  voxels: VoxelArray;
  labels: Uint8Array;
  zoneMap: Uint8Array;
  cementMap: Uint8Array;
  units: ValueUnits;
  modality: string;
  volumeId: string;
}
interface RequestMessage {
  type: 'request';
  reqId: number;
  req: CaseRequest;
}

let engine: CaseEngine | null = null;
const post = (m: unknown) => (self as unknown as Worker).postMessage(m);

self.onmessage = (e: MessageEvent<InitMessage | RequestMessage>) => {
  const m = e.data;
  if (m.type === 'init') {
    const geometry = new VolumeGeometry(m.geometry);
    engine = new CaseEngine({ id: m.volumeId, geometry, voxels: m.voxels, units: m.units, modality: m.modality }, { labelData: m.labels, zoneMapData: m.zoneMap, cementMapData: m.cementMap });
    post({ type: 'ready' });
    return;
  }
  if (!engine) {
    post({ type: 'result', reqId: m.reqId, error: 'case worker not initialised' });
    return;
  }
  try {
    post({ type: 'result', reqId: m.reqId, result: answerRequest(engine, m.req) });
  } catch (err) {
    post({ type: 'result', reqId: m.reqId, error: (err as Error).message ?? String(err) });
  }
};
