/// <reference lib="webworker" />
/**
 * Surface extraction off the main thread (bone isosurface, lesion label surfaces). The voxels
 * arrive on shared memory (no copy); the mesh goes back as transferred buffers.
 */
import { runSurfaceJob, type SurfaceJob } from '../scene/surface-job';

self.onmessage = (e: MessageEvent<{ id: number; job: SurfaceJob }>) => {
  const { id, job } = e.data;
  try {
    const r = runSurfaceJob(job, () => performance.now());
    (self as unknown as Worker).postMessage({ id, result: r }, [r.positionsLps.buffer, r.normalsLps.buffer, r.indices.buffer]);
  } catch (err) {
    (self as unknown as Worker).postMessage({ id, error: (err as Error).message });
  }
};
