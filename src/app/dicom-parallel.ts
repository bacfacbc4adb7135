/**
 * The single-pass DICOM load shared between two workers when the page is cross-origin isolated:
 * each reads and parses half of the files and copies their slices into one SharedArrayBuffer
 * arena; the main thread then groups, plans and permutes (src/io/dicom/single-pass.ts).
 * Without isolation the same single pass runs on the main thread.
 */
import { scanAndLoadDicom, probeSliceVoxels, arenaSlotsFor, finishSinglePass, type Arena, type IngestResult, type SinglePassResult } from '../io/dicom/single-pass';
import type { FileLike, ProgressCallback } from '../io/types';
import { LoadCancelledError } from '../io/types';
import type { FileOutcome } from '../io/dicom/header';
import { setDeflateRunner } from '../io/dicom/deflated';
import { workerDeflateRunner } from '../io/offthread';

// Deflated data sets met on this thread are inflated in a worker (the ingest workers inflate their own).
setDeflateRunner(workerDeflateRunner);

/** Reader workers kept warm between loads (their module load is then off the critical path). */
const idle: Worker[] = [];
function takeWorker(): Worker {
  return idle.pop() ?? new Worker(new URL('../workers/dicom-ingest.worker.ts', import.meta.url), { type: 'module' });
}
/** Start `n` reader workers ahead of the first load. */
export function warmDicomWorkers(n = Math.min(4, navigator.hardwareConcurrency || 2)): void {
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
  if (!isolated) return;
  while (idle.length < n) idle.push(new Worker(new URL('../workers/dicom-ingest.worker.ts', import.meta.url), { type: 'module' }));
}

/** Let the page paint (the progress bar) before more work: the next frame, or 100 ms when frames are paused. */
function nextFrame(): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, 100);
    if (typeof requestAnimationFrame !== 'function') return;
    requestAnimationFrame(() => {
      clearTimeout(t);
      setTimeout(resolve, 0);
    });
  });
}

/**
 * The first File.size of a picked file is a synchronous stat (~0.3 ms each in Chromium: 3 s for
 * 10,000 files in one task). Take them in slices of at most 50 ms between frames, with progress.
 */
async function statInSlices(files: FileLike[], signal: AbortSignal | undefined, onProgress: ProgressCallback | undefined): Promise<void> {
  let last = performance.now();
  for (let i = 0; i < files.length; i++) {
    void files[i]!.size;
    if (performance.now() - last > 50) {
      onProgress?.({ phase: 'reading', done: 0, total: files.length });
      await nextFrame();
      if (signal?.aborted) throw new LoadCancelledError();
      last = performance.now();
    }
  }
}

export async function loadDicomFiles(files: FileLike[], opts: { signal?: AbortSignal; onProgress?: ProgressCallback; workers?: number } = {}): Promise<SinglePassResult> {
  opts.onProgress?.({ phase: 'reading', done: 0, total: files.length });
  await nextFrame();
  await statInSlices(files, opts.signal, opts.onProgress);
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true && typeof SharedArrayBuffer !== 'undefined';
  // ?readers=N in the page URL overrides the number of reader workers (benchmarks, slow machines).
  const fromUrl = Number(new URLSearchParams(globalThis.location?.search ?? '').get('readers')) || 0;
  const workers = Math.max(1, Math.min(opts.workers ?? (fromUrl || Math.min(4, navigator.hardwareConcurrency || 2)), Math.ceil(files.length / 32)));
  if (!isolated || workers < 2) {
    return scanAndLoadDicom(files, { ...(opts.signal ? { signal: opts.signal } : {}), ...(opts.onProgress ? { onProgress: opts.onProgress } : {}), ...(isolated ? { allocate: (n: number) => new SharedArrayBuffer(n) } : {}) });
  }
  const { signal, onProgress } = opts;
  if (signal?.aborted) throw new LoadCancelledError();
  onProgress?.({ phase: 'reading', done: 0, total: files.length });
  const sliceVoxels = await probeSliceVoxels(files);
  // Contiguous shares of the files, each with its own range of arena slots.
  const shares: { files: FileLike[]; base: number; slotStart: number; slotEnd: number }[] = [];
  let slot = 0;
  for (let w = 0; w < workers; w++) {
    const a = Math.floor((w * files.length) / workers), b = Math.floor(((w + 1) * files.length) / workers);
    const part = files.slice(a, b);
    const cap = sliceVoxels ? arenaSlotsFor(part, sliceVoxels) : 0;
    shares.push({ files: part, base: a, slotStart: slot, slotEnd: slot + cap });
    slot += cap;
  }
  const arena: Arena | null = sliceVoxels && slot > 0 ? { buffer: new SharedArrayBuffer(slot * sliceVoxels * 2), sliceVoxels, capacity: slot } : null;
  let done = 0;
  const running: Worker[] = [];
  const results = await new Promise<IngestResult[]>((resolve, reject) => {
    const out: IngestResult[] = new Array(shares.length);
    let finished = 0;
    const stop = (err: Error) => {
      for (const w of running) w.terminate();
      reject(err);
    };
    signal?.addEventListener('abort', () => stop(new LoadCancelledError()), { once: true });
    shares.forEach((share, n) => {
      const w = takeWorker();
      running.push(w);
      w.onmessage = (e) => {
        const m = e.data as { type: string; files?: number; result?: IngestResult; message?: string };
        if (m.type === 'progress') onProgress?.({ phase: 'reading', done: (done += m.files!), total: files.length });
        else if (m.type === 'error') stop(new Error(m.message));
        else if (m.type === 'done') {
          out[n] = m.result!;
          w.onmessage = null;
          w.onerror = null;
          idle.push(w);
          if (++finished === shares.length) resolve(out);
        }
      };
      w.onerror = (e) => stop(new Error(e.message || 'DICOM reader worker failed'));
      w.postMessage({ files: share.files, fileIndexBase: share.base, arena, slotStart: share.slotStart, slotEnd: share.slotEnd });
    });
  });
  if (signal?.aborted) throw new LoadCancelledError();
  onProgress?.({ phase: 'building', done: 0, total: 1 });
  const outcomes: FileOutcome[] = results.flatMap((r) => r.outcomes);
  const result = finishSinglePass(outcomes, results.flatMap((r) => r.slots), arena, results.some((r) => r.overflow));
  onProgress?.({ phase: 'building', done: 1, total: 1 });
  return result;
}
