/// <reference lib="webworker" />
/**
 * Runs the case engine (lesion label map + sacral landmarks) off the main thread. Voxels, labels and
 * the zone map are views of SharedArrayBuffers: the main thread draws what the worker writes.
 */
import { CaseEngine, type CaseCommand } from '../anatomy/case-engine';
import { VolumeGeometry, type VolumeGeometryInit } from '../core/geometry';
import type { VoxelArray, ValueUnits } from '../core/volume';
import { PlanningEngine, type PlanCommand } from '../planning/engine';

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
interface RunMessage {
  type: 'run';
  reqId: number;
  cmd: CaseCommand;
}
interface PlanMessage {
  type: 'plan';
  reqId: number;
  cmd: PlanCommand;
}

let engine: CaseEngine | null = null;
let planner: PlanningEngine | null = null;
const post = (m: unknown) => (self as unknown as Worker).postMessage(m);

self.onmessage = (e: MessageEvent<InitMessage | RunMessage | PlanMessage>) => {
  const m = e.data;
  if (m.type === 'init') {
    const geometry = new VolumeGeometry(m.geometry);
    engine = new CaseEngine({ id: m.volumeId, geometry, voxels: m.voxels, units: m.units, modality: m.modality }, m.labels, m.zoneMap);
    planner = new PlanningEngine(engine, m.cementMap);
    post({ type: 'ready' });
    return;
  }
  if (!engine) {
    post({ type: 'result', reqId: m.reqId, error: 'segmentation worker not initialised' });
    return;
  }
  try {
    post({ type: 'result', reqId: m.reqId, result: m.type === 'plan' ? planner!.run(m.cmd) : engine.run(m.cmd) });
  } catch (err) {
    post({ type: 'result', reqId: m.reqId, error: (err as Error).message ?? String(err) });
  }
};
