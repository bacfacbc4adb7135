/**
 * The main thread's handle on the open case of the shown volume (src/case/engine.ts).
 *
 * When the page is cross-origin isolated (COOP/COEP headers, see vite.config.ts) the voxels and
 * the label map live in SharedArrayBuffers and the case runs in a web worker: the UI never
 * waits on a region grow. Elsewhere the same engine runs inline on the main thread.
 */
import { CaseEngine } from '../case/engine';
import { answerRequest, type CaseAnswer, type CaseRequest } from '../case/protocol';
import type { ScalarVolume } from '../core/volume';
import type { CaseReply } from '../case/engine';

export class CaseClient {
  /** The label map (one byte per voxel) to draw. */
  readonly labels: Uint8Array;
  /** The Denis zone map (0 outside, 1/2/3, 4 below S4), written when landmarks change. */
  readonly zoneMap: Uint8Array;
  /** Predicted cement deposits (1 = cement). */
  readonly cementMap: Uint8Array;
  readonly volume: ScalarVolume;
  readonly inWorker: boolean;
  private worker: Worker | null = null;
  private inline: CaseEngine | null = null;
  private pending = new Map<number, { resolve: (r: never) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private ready: Promise<void>;
  /** Display work the worker runs beside the commands (the MR outline): under way, and who waits for its end. */
  private background = false;
  private backgroundWaiters: (() => void)[] = [];
  /** A projection the worker sends unasked, when background work has changed what is shown (the zone map). */
  onUpdate: ((r: CaseReply) => void) | null = null;

  constructor(volume: ScalarVolume) {
    const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true && typeof SharedArrayBuffer !== 'undefined';
    this.volume = volume;
    if (isolated) {
      if (!(volume.voxels.buffer instanceof SharedArrayBuffer)) throw new Error('the case worker needs the voxels on shared memory (see showVolume)');
      const n = volume.geometry.voxelCount;
      this.labels = new Uint8Array(new SharedArrayBuffer(n));
      this.zoneMap = new Uint8Array(new SharedArrayBuffer(n));
      this.cementMap = new Uint8Array(new SharedArrayBuffer(n));
      this.inWorker = true;
      const w = new Worker(new URL('../workers/case.worker.ts', import.meta.url), { type: 'module' });
      this.worker = w;
      this.ready = new Promise<void>((resolve, reject) => {
        w.onmessage = (e) => {
          const m = e.data as { type: string; reqId?: number; result?: unknown; error?: string; busy?: boolean; update?: CaseReply };
          if (m.type === 'ready') return resolve();
          if (m.type === 'background') {
            if (m.update) this.onUpdate?.(m.update);
            this.background = m.busy === true;
            if (!this.background) for (const w of this.backgroundWaiters.splice(0)) w();
            return;
          }
          const p = this.pending.get(m.reqId!);
          if (!p) return;
          this.pending.delete(m.reqId!);
          if (m.error) p.reject(new Error(m.error));
          else p.resolve(m.result as never);
        };
        w.onerror = (e) => reject(new Error(e.message || 'case worker failed'));
      });
      w.postMessage({ type: 'init', geometry: volume.geometry.toJSON(), voxels: volume.voxels, labels: this.labels, zoneMap: this.zoneMap, cementMap: this.cementMap, units: volume.units, modality: volume.modality, volumeId: volume.id });
    } else {
      this.inline = new CaseEngine(volume);
      this.labels = this.inline.labels.data;
      this.zoneMap = this.inline.zoneMap;
      this.cementMap = this.inline.cementMap;
      this.inWorker = false;
      this.ready = Promise.resolve();
    }
  }

  async request<R extends CaseRequest>(req: R): Promise<CaseAnswer<R>> {
    if (this.inline) return answerRequest(this.inline, req);
    await this.ready;
    const reqId = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(reqId, { resolve: resolve as (r: never) => void, reject });
      this.worker!.postMessage({ type: 'request', reqId, req });
    });
  }

  /** Resolves when no background work is under way (its projection, if any, has been handed to onUpdate). */
  backgroundIdle(): Promise<void> {
    if (!this.background) return Promise.resolve();
    return new Promise((resolve) => this.backgroundWaiters.push(resolve));
  }

  dispose(): void {
    this.worker?.terminate();
    for (const w of this.backgroundWaiters.splice(0)) w();
    this.background = false;
    for (const p of this.pending.values()) p.reject(new Error('the case was closed'));
    this.pending.clear();
    this.worker = null;
    this.inline = null;
  }
}
