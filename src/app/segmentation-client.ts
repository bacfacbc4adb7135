/**
 * The main thread's handle on the case engine (lesions + landmarks) of the shown volume.
 *
 * When the page is cross-origin isolated (COOP/COEP headers, see vite.config.ts) the voxels and
 * the label map live in SharedArrayBuffers and the engine runs in a web worker: the UI never
 * waits on a region grow. Elsewhere the same engine runs inline on the main thread.
 */
import { CaseEngine, type CaseCommand, type CaseResult } from '../anatomy/case-engine';
import type { ScalarVolume } from '../core/volume';
import { PlanningEngine, type PlanCommand, type PlanReply } from '../planning/engine';

export class SegmentationClient {
  /** The label map (one byte per voxel) to draw. */
  readonly labels: Uint8Array;
  /** The Denis zone map (0 outside, 1/2/3, 4 below S4), written when landmarks are set. */
  readonly zoneMap: Uint8Array;
  /** Predicted cement deposits (1 = cement), written by the planning engine. */
  readonly cementMap: Uint8Array;
  readonly volume: ScalarVolume;
  readonly inWorker: boolean;
  private worker: Worker | null = null;
  private inline: CaseEngine | null = null;
  private pending = new Map<number, { resolve: (r: never) => void; reject: (e: Error) => void }>();
  private inlinePlanner: PlanningEngine | null = null;
  private nextId = 1;
  private ready: Promise<void>;

  constructor(volume: ScalarVolume) {
    const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true && typeof SharedArrayBuffer !== 'undefined';
    if (isolated) {
      if (!(volume.voxels.buffer instanceof SharedArrayBuffer)) throw new Error('the case worker needs the voxels on shared memory (see showVolume)');
      this.volume = volume;
      this.labels = new Uint8Array(new SharedArrayBuffer(volume.geometry.voxelCount));
      this.zoneMap = new Uint8Array(new SharedArrayBuffer(volume.geometry.voxelCount));
      this.cementMap = new Uint8Array(new SharedArrayBuffer(volume.geometry.voxelCount));
      this.inWorker = true;
      const w = new Worker(new URL('../workers/segmentation.worker.ts', import.meta.url), { type: 'module' });
      this.worker = w;
      this.ready = new Promise<void>((resolve, reject) => {
        w.onmessage = (e) => {
          const m = e.data as { type: string; reqId?: number; result?: CaseResult; error?: string };
          if (m.type === 'ready') return resolve();
          const p = this.pending.get(m.reqId!);
          if (!p) return;
          this.pending.delete(m.reqId!);
          if (m.error) p.reject(new Error(m.error));
          else p.resolve(m.result! as never);
        };
        w.onerror = (e) => reject(new Error(e.message || 'segmentation worker failed'));
      });
      const g = this.volume.geometry;
      w.postMessage({ type: 'init', geometry: g.toJSON(), voxels: this.volume.voxels, labels: this.labels, zoneMap: this.zoneMap, cementMap: this.cementMap, units: volume.units, modality: volume.modality, volumeId: volume.id });
    } else {
      this.volume = volume;
      this.zoneMap = new Uint8Array(volume.geometry.voxelCount);
      this.inline = new CaseEngine(volume, undefined, this.zoneMap);
      this.cementMap = new Uint8Array(volume.geometry.voxelCount);
      this.inlinePlanner = new PlanningEngine(this.inline, this.cementMap);
      this.labels = this.inline.labels.data;
      this.inWorker = false;
      this.ready = Promise.resolve();
    }
  }

  async run(cmd: CaseCommand): Promise<CaseResult> {
    if (this.inline) return this.inline.run(cmd);
    await this.ready;
    const reqId = this.nextId++;
    return new Promise<CaseResult>((resolve, reject) => {
      this.pending.set(reqId, { resolve: resolve as (r: never) => void, reject });
      this.worker!.postMessage({ type: 'run', reqId, cmd });
    });
  }

  /** Trajectory planning over the same case (src/planning/engine.ts). */
  async plan(cmd: PlanCommand): Promise<PlanReply> {
    if (this.inlinePlanner) return this.inlinePlanner.run(cmd);
    await this.ready;
    const reqId = this.nextId++;
    return new Promise<PlanReply>((resolve, reject) => {
      this.pending.set(reqId, { resolve: resolve as (r: never) => void, reject });
      this.worker!.postMessage({ type: 'plan', reqId, cmd });
    });
  }

  dispose(): void {
    this.worker?.terminate();
    for (const p of this.pending.values()) p.reject(new Error('segmentation closed'));
    this.pending.clear();
    this.worker = null;
    this.inline = null;
  }
}
