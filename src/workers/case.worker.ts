/// <reference lib="webworker" />
/**
 * Runs the open case (src/case/engine.ts) off the main thread. Voxels, labels, the zone map and the
 * cement map are views of SharedArrayBuffers: the main thread draws what this worker writes.
 *
 * Work that is for display only and takes seconds runs in a worker of its own, never in a command's
 * reply: the MR sacrum outline after the third Canal click (mr-region.worker.ts). When it comes back
 * the zone map is redrawn and the new projection posted unasked ('update'); 'background' says whether
 * such work is under way (the client's idle wait includes it).
 */
import { CaseEngine } from '../case/engine';
import type { CaseRequest } from '../case/protocol';
import { answerRequest } from '../case/protocol';
import { VolumeGeometry, type VolumeGeometryInit } from '../core/geometry';
import type { VoxelArray, ValueUnits } from '../core/volume';
import type { Canal } from '../anatomy/types';
import type { MrRegionAnswer, MrRegionInit, MrRegionRequest } from './mr-region.worker';

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

/** The MR outline worker, its canal under way (one at a time: a newer canal ends the older one's run). */
let outline: { worker: Worker | null; init: MrRegionInit; busy: { id: number; canal: Canal } | null } | null = null;
let outlineSeq = 0;

function startOutline(init: MrRegionInit): Worker {
  const w = new Worker(new URL('./mr-region.worker.ts', import.meta.url), { type: 'module' });
  w.onmessage = (e: MessageEvent<MrRegionAnswer>) => {
    const busy = outline?.busy;
    if (!outline || !busy || busy.id !== e.data.id || !engine) return;
    outline.busy = null;
    const redraw = engine.setMrRegion(busy.canal, e.data.mask);
    post({ type: 'background', busy: false, ...(redraw ? { update: engine.refresh() } : {}) });
  };
  w.onerror = (e) => {
    // no outline: the map stays the box round the landmarks, as when none is found
    const busy = outline?.busy;
    if (outline) outline.busy = null;
    if (busy && engine) engine.setMrRegion(busy.canal, null);
    post({ type: 'background', busy: false });
    e.preventDefault();
  };
  w.postMessage(init);
  return w;
}

function requestOutline(canal: Canal): void {
  if (!outline) return;
  if (outline.busy) {
    // the canal was replaced while its outline was being made: that one is no longer wanted
    outline.worker?.terminate();
    outline.worker = null;
  }
  outline.worker ??= startOutline(outline.init);
  const id = ++outlineSeq;
  outline.busy = { id, canal };
  post({ type: 'background', busy: true });
  outline.worker.postMessage({ type: 'outline', id, canal } satisfies MrRegionRequest);
}

self.onmessage = (e: MessageEvent<InitMessage | RequestMessage>) => {
  const m = e.data;
  if (m.type === 'init') {
    const geometry = new VolumeGeometry(m.geometry);
    const isMr = m.units !== 'HU';
    if (isMr) {
      const init: MrRegionInit = { type: 'init', geometry: m.geometry, voxels: m.voxels, units: m.units, modality: m.modality, volumeId: m.volumeId };
      outline = { worker: null, init, busy: null }; // started with the first canal
    }
    engine = new CaseEngine({ id: m.volumeId, geometry, voxels: m.voxels, units: m.units, modality: m.modality }, {
      labelData: m.labels, zoneMapData: m.zoneMap, cementMapData: m.cementMap,
      ...(isMr ? { requestMrRegion: requestOutline } : {}),
    });
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
