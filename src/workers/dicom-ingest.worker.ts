/// <reference lib="webworker" />
/**
 * Reads, parses and copies a share of the dropped DICOM files into the common SharedArrayBuffer
 * arena (see src/io/dicom/single-pass.ts), so that two cores share the work of a large series.
 */
import { ingestFiles, type Arena } from '../io/dicom/single-pass';

interface Job {
  files: File[];
  fileIndexBase: number;
  arena: Arena | null;
  slotStart: number;
  slotEnd: number;
}

const post = (m: unknown) => (self as unknown as Worker).postMessage(m);

self.onmessage = async (e: MessageEvent<Job>) => {
  const j = e.data;
  try {
    let pending = 0;
    const r = await ingestFiles(j.files, j.fileIndexBase, j.arena, j.slotStart, j.slotEnd, {
      onFile: () => {
        // Progress in batches of 8 files: a message per file costs more than it tells.
        if (++pending === 8) { post({ type: 'progress', files: pending }); pending = 0; }
      },
    });
    if (pending) post({ type: 'progress', files: pending });
    post({ type: 'done', result: r });
  } catch (err) {
    post({ type: 'error', message: (err as Error)?.message ?? String(err) });
  }
};
