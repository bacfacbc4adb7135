/**
 * A pool of CPU DRR workers (src/workers/drr.worker.ts) for pages whose voxels are on shared memory.
 * A DRR is split into bands of rows handed to whichever worker is free; a cancelled DRR drops the
 * bands not yet started, so a stale image never holds up the next one.
 */
import type { ScalarVolume } from '../core/volume';
import type { AttenuationModel, CArmGeometry } from '../scene/carm';

const BAND_ROWS = 32;

/** A key per volume object (two loads of one series are two volumes). */
const volumeKeys = new WeakMap<ScalarVolume, string>();
let nextVolumeKey = 1;
function keyOf(volume: ScalarVolume): string {
  let k = volumeKeys.get(volume);
  if (!k) { k = `v${nextVolumeKey++}`; volumeKeys.set(volume, k); }
  return k;
}

interface Band { job: Job; rowStart: number; rowEnd: number }
interface Job {
  id: number;
  volume: ScalarVolume;
  g: CArmGeometry;
  model: AttenuationModel;
  stepMm: number;
  out: Float32Array;
  left: number;
  cancelled: boolean;
  resolve: (data: Float32Array) => void;
  reject: (e: Error) => void;
}
interface Slot { worker: Worker; volumeId: string | null; busy: Band | null }

export class DrrWorkerPool {
  private slots: Slot[] = [];
  private queue: Band[] = [];
  private nextId = 1;

  constructor(private readonly size = Math.max(1, Math.min(4, (navigator.hardwareConcurrency || 2) - 1))) {}

  /** Whether the pool can take this volume (its voxels on shared memory). */
  static accepts(volume: ScalarVolume): boolean {
    return typeof SharedArrayBuffer !== 'undefined' && volume.voxels.buffer instanceof SharedArrayBuffer;
  }

  /** Line integrals of one pose (as renderDrrCpu gives them); `cancel()` rejects it with 'cancelled'. */
  render(volume: ScalarVolume, g: CArmGeometry, model: AttenuationModel, stepMm: number): { result: Promise<Float32Array>; cancel: () => void } {
    let job!: Job;
    const result = new Promise<Float32Array>((resolve, reject) => {
      const bands = Math.ceil(g.heightPx / BAND_ROWS);
      job = { id: this.nextId++, volume, g, model, stepMm, out: new Float32Array(g.widthPx * g.heightPx), left: bands, cancelled: false, resolve, reject };
      for (let b = 0; b < bands; b++) this.queue.push({ job, rowStart: b * BAND_ROWS, rowEnd: Math.min(g.heightPx, (b + 1) * BAND_ROWS) });
    });
    this.pump();
    return {
      result,
      cancel: () => {
        if (job.cancelled || job.left === 0) return;
        job.cancelled = true;
        this.queue = this.queue.filter((b) => b.job !== job);
        job.reject(new Error('cancelled'));
      },
    };
  }

  private pump(): void {
    while (this.queue.length) {
      let slot = this.slots.find((s) => !s.busy);
      if (!slot && this.slots.length < this.size) slot = this.spawn();
      if (!slot) return;
      const band = this.queue.shift()!;
      const { job } = band;
      const volumeId = keyOf(job.volume);
      if (slot.volumeId !== volumeId) {
        slot.worker.postMessage({ type: 'volume', volumeId, geometry: job.volume.geometry.toJSON(), voxels: job.volume.voxels });
        slot.volumeId = volumeId;
      }
      slot.busy = band;
      slot.worker.postMessage({ type: 'rows', jobId: job.id, volumeId, g: job.g, rowStart: band.rowStart, rowEnd: band.rowEnd, model: job.model, stepMm: job.stepMm });
    }
  }

  private spawn(): Slot {
    const worker = new Worker(new URL('../workers/drr.worker.ts', import.meta.url), { type: 'module' });
    const slot: Slot = { worker, volumeId: null, busy: null };
    worker.onmessage = (e: MessageEvent<{ jobId: number; rows?: Float32Array; error?: string }>) => {
      const band = slot.busy;
      slot.busy = null;
      if (band && !band.job.cancelled) {
        const { job } = band;
        if (e.data.error || !e.data.rows) {
          job.cancelled = true;
          this.queue = this.queue.filter((b) => b.job !== job);
          job.reject(new Error(e.data.error ?? 'DRR worker failed'));
        } else {
          job.out.set(e.data.rows, band.rowStart * job.g.widthPx);
          if (--job.left === 0) job.resolve(job.out);
        }
      }
      this.pump();
    };
    worker.onerror = (e) => {
      const band = slot.busy;
      slot.busy = null;
      if (band && !band.job.cancelled) { band.job.cancelled = true; band.job.reject(new Error(`DRR worker error: ${e.message}`)); }
      this.pump();
    };
    this.slots.push(slot);
    return slot;
  }

  dispose(): void {
    for (const s of this.slots) s.worker.terminate();
    this.slots = [];
    for (const b of this.queue) if (!b.job.cancelled) { b.job.cancelled = true; b.job.reject(new Error('DRR pool disposed')); }
    this.queue = [];
  }
}
