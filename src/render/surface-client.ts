/**
 * Runs surface jobs in src/workers/isosurface.worker.ts when the voxels are on shared memory
 * (cross-origin isolated page), else on the main thread. Jobs run one at a time, in order.
 */
import { runSurfaceJob, type SurfaceJob, type SurfaceResult } from '../scene/surface-job';

export class SurfaceClient {
  private worker: Worker | null = null;
  private next = 1;
  private pending = new Map<number, { resolve: (r: SurfaceResult) => void; reject: (e: Error) => void }>();

  run(job: SurfaceJob): Promise<SurfaceResult> {
    if (!(job.voxels.buffer instanceof SharedArrayBuffer)) {
      return new Promise((resolve, reject) => setTimeout(() => {
        try { resolve(runSurfaceJob(job, () => performance.now())); } catch (e) { reject(e as Error); }
      }, 0));
    }
    if (!this.worker) {
      this.worker = new Worker(new URL('../workers/isosurface.worker.ts', import.meta.url), { type: 'module' });
      this.worker.onmessage = (e: MessageEvent<{ id: number; result?: SurfaceResult; error?: string }>) => {
        const p = this.pending.get(e.data.id);
        if (!p) return;
        this.pending.delete(e.data.id);
        if (e.data.result) p.resolve(e.data.result);
        else p.reject(new Error(e.data.error ?? 'surface worker failed'));
      };
      this.worker.onerror = (e) => {
        for (const p of this.pending.values()) p.reject(new Error(`surface worker error: ${e.message}`));
        this.pending.clear();
      };
    }
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker!.postMessage({ id, job });
    });
  }

  dispose(): void {
    this.worker?.terminate();
    this.worker = null;
    for (const p of this.pending.values()) p.reject(new Error('surface client disposed'));
    this.pending.clear();
  }
}
