/**
 * Page-side clients of src/workers/decompress.worker.ts: every decompression of a file runs there,
 * so the page never freezes on a .nii.gz or a deflated DICOM data set, and cancelling (Esc) ends the
 * worker at once. Where workers are unavailable the same code runs here, yielding every 30 ms.
 */
import { VolumeGeometry } from '../core/geometry';
import { createScalarVolume } from '../core/volume';
import { LoadCancelledError, type FileLike, type LoadedSeries } from './types';
import { loadNifti } from './nifti';
import { InflateCorruptError, InflateRefusedError } from './inflate';
import type { DeflatedMode, DeflatedResult, DeflateRunner } from './dicom/deflated';

const canWork = (): boolean => typeof Worker !== 'undefined';

function run<T>(job: unknown, transfer: Transferable[], signal: AbortSignal | undefined, onProgress?: (m: { produced: number; claimed: number | null }) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (signal?.aborted) {
      reject(new LoadCancelledError());
      return;
    }
    const w = new Worker(new URL('../workers/decompress.worker.ts', import.meta.url), { type: 'module' });
    const end = (): void => {
      w.terminate();
      signal?.removeEventListener('abort', onAbort);
    };
    const onAbort = (): void => {
      end();
      reject(new LoadCancelledError());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    w.onmessage = (e) => {
      const m = e.data as { type: string; kind?: string; message?: string; producedBytes?: number; produced?: number; claimed?: number | null } & Record<string, unknown>;
      if (m.type === 'progress') {
        onProgress?.({ produced: m.produced ?? 0, claimed: m.claimed ?? null });
        return;
      }
      end();
      if (m.type === 'done') resolve(m as T);
      else if (m.kind === 'refused') reject(new InflateRefusedError(m.message ?? '', m.producedBytes ?? 0));
      else if (m.kind === 'corrupt') reject(new InflateCorruptError(m.message ?? ''));
      else reject(new Error(m.message ?? 'decompression failed'));
    };
    w.onerror = (e) => {
      end();
      reject(new Error(e.message ? `the decompression worker stopped (${e.message})` : 'the decompression worker stopped (out of memory?)'));
    };
    w.postMessage(job, transfer);
  });
}

/** Load a NIfTI file in the decompression worker. */
export async function loadNiftiOffThread(file: FileLike, opts: { signal?: AbortSignal; onProgress?: (producedBytes: number, claimedBytes: number | null) => void } = {}): Promise<LoadedSeries> {
  if (!canWork()) {
    return loadNifti(file, {
      yieldMs: 30,
      cancelled: () => (opts.signal?.aborted ? new LoadCancelledError() : null),
      ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
    });
  }
  const m = await run<{ nifti: { info: LoadedSeries['info']; measurementBlockedReason: string | null; id: string; units: 'HU' | 'raw'; modality: string; voxels: Int16Array | Float32Array; geometry: ConstructorParameters<typeof VolumeGeometry>[0] } }>(
    { kind: 'nifti', file },
    [],
    opts.signal,
    opts.onProgress ? (p) => opts.onProgress!(p.produced, p.claimed) : undefined,
  );
  const n = m.nifti;
  const volume = createScalarVolume(n.id, new VolumeGeometry(n.geometry), n.voxels, n.units, n.modality);
  return { info: n.info, volume, measurementBlockedReason: n.measurementBlockedReason };
}

/** The deflated-DICOM runner for the page (see src/io/dicom/deflated.ts setDeflateRunner). */
export const workerDeflateRunner: DeflateRunner | null = canWork()
  ? async (compressed: Uint8Array, mode: DeflatedMode, signal?: AbortSignal): Promise<DeflatedResult> => {
      const copy = compressed.slice();
      const m = await run<{ deflated: DeflatedResult }>({ kind: 'deflated', compressed: copy, mode }, [copy.buffer], signal);
      return m.deflated;
    }
  : null;
