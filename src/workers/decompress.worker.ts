/// <reference lib="webworker" />
/**
 * Decompression off the main thread (src/io/offthread.ts): a .nii.gz read, inflated under its
 * header's budget and parsed into a volume; or a deflated DICOM data set inflated under its budget.
 * The page terminates this worker to cancel (Esc).
 */
import { loadNifti } from '../io/nifti';
import { inflateDeflatedDataset, type DeflatedMode } from '../io/dicom/deflated';
import { InflateCorruptError, InflateRefusedError } from '../io/inflate';

type Job = { kind: 'nifti'; file: File } | { kind: 'deflated'; compressed: Uint8Array; mode: DeflatedMode };

const post = (m: unknown, transfer: Transferable[] = []): void => (self as unknown as Worker).postMessage(m, transfer);

self.onmessage = async (e: MessageEvent<Job>) => {
  const job = e.data;
  try {
    if (job.kind === 'nifti') {
      let last = 0;
      // On an isolated page the views and the case worker share the voxels: allocate them in shared
      // memory here (the page would otherwise copy them on its own thread).
      const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true && typeof SharedArrayBuffer !== 'undefined';
      const r = await loadNifti(job.file, {
        ...(isolated ? { allocate: (n: number) => new SharedArrayBuffer(n) } : {}),
        onProgress: (produced, claimed) => {
          const now = performance.now();
          if (now - last < 100) return;
          last = now;
          post({ type: 'progress', produced, claimed });
        },
      });
      const v = r.volume;
      const g = v.geometry;
      const voxels = v.voxels;
      post(
        {
          type: 'done',
          nifti: {
            info: r.info,
            measurementBlockedReason: r.measurementBlockedReason,
            id: v.id, units: v.units, modality: v.modality, voxels,
            geometry: { dims: [...g.dims], spacingMm: [...g.spacingMm], originLps: [...g.originLps], directionCosines: [...g.directionCosines] },
          },
        },
        voxels.buffer instanceof ArrayBuffer ? [voxels.buffer] : [],
      );
    } else {
      const r = await inflateDeflatedDataset(job.compressed, job.mode);
      post({ type: 'done', deflated: { bytes: r.bytes, producedBytes: r.producedBytes } }, [r.bytes.buffer as ArrayBuffer]);
    }
  } catch (err) {
    const kind = err instanceof InflateRefusedError ? 'refused' : err instanceof InflateCorruptError ? 'corrupt' : 'error';
    post({ type: 'error', kind, message: (err as Error)?.message ?? String(err), producedBytes: (err as InflateRefusedError).producedBytes ?? 0 });
  }
};
