/// <reference lib="webworker" />
/**
 * Runs the SegmentationEngine off the main thread. Voxels and labels arrive as views of
 * SharedArrayBuffers, so the main thread draws the labels the worker writes without copies.
 */
import { SegmentationEngine, type SegCommand } from '../segmentation/engine';
import { VolumeGeometry, type VolumeGeometryInit } from '../core/geometry';
import type { VoxelArray, ValueUnits } from '../core/volume';

interface InitMessage {
  type: 'init';
  geometry: VolumeGeometryInit;
  voxels: VoxelArray;
  labels: Uint8Array;
  units: ValueUnits;
  modality: string;
  volumeId: string;
}
interface RunMessage {
  type: 'run';
  reqId: number;
  cmd: SegCommand;
}

let engine: SegmentationEngine | null = null;
const post = (m: unknown) => (self as unknown as Worker).postMessage(m);

self.onmessage = (e: MessageEvent<InitMessage | RunMessage>) => {
  const m = e.data;
  if (m.type === 'init') {
    const geometry = new VolumeGeometry(m.geometry);
    engine = new SegmentationEngine({ id: m.volumeId, geometry, voxels: m.voxels, units: m.units, modality: m.modality }, m.labels);
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
