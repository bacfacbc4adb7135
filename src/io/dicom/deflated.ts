/**
 * Deflated Explicit VR Little Endian (PS3.5 A.5): the data set after the file meta is one raw
 * DEFLATE stream. It is inflated under the budget of its own header: the elements up to PixelData
 * are read first (at most DEFLATED_HEADER_LIMIT_BYTES), then Rows × Columns × SamplesPerPixel ×
 * BitsAllocated/8 × NumberOfFrames says how much pixel data may follow; output past that (plus a
 * small slack for trailing elements) is refused as a bomb. The scan keeps only the header bytes;
 * the load stops at the end of the pixel data.
 *
 * On the main thread the app installs a runner that does this in a worker (setDeflateRunner);
 * elsewhere (ingest workers, node) it runs in the calling thread.
 */
import { LoadCancelledError } from '../types';
import { inflateBounded, InflateCorruptError, InflateRefusedError, type InflatePlan, type PlanFn } from '../inflate';
import { DEFLATED_HEADER_LIMIT_BYTES, INFLATE_SLACK_BYTES, deflateRatioProblem, voxelLimitProblem } from '../limits';
import { ByteSource, DicomParseError, TAG, parseDataset } from './parser';

/** 'header': inflate to the end (checking the budget), keep the bytes before PixelData. 'pixels': keep everything up to the end of the pixel data and stop there. */
export type DeflatedMode = 'header' | 'pixels';

export interface DeflatedResult {
  bytes: Uint8Array;
  /** All bytes the stream inflated to (header mode: the whole data set). */
  producedBytes: number;
}

export function deflatedPlan(compressedBytes: number, mode: DeflatedMode): PlanFn {
  return (prefix: Uint8Array, ended: boolean): InflatePlan | 'more' => {
    const src = new ByteSource(prefix, ended ? prefix.length : Number.MAX_SAFE_INTEGER);
    let parsed: ReturnType<typeof parseDataset>;
    try {
      parsed = parseDataset(src, 0, { explicit: true, little: true });
    } catch (e) {
      if (e instanceof DicomParseError && e.kind === 'need-more' && !ended) return 'more';
      throw e;
    }
    const pixel = parsed.pixelData;
    if (!pixel) {
      // A data set without pixel data: small by nature; take it whole.
      return { claimedBytes: prefix.length, maxBytes: prefix.length + INFLATE_SLACK_BYTES, describe: 'a data set without pixel data' };
    }
    const ds = parsed.dataset;
    const rows = ds.uint16(TAG.Rows) ?? 0, columns = ds.uint16(TAG.Columns) ?? 0;
    const spp = ds.uint16(TAG.SamplesPerPixel) ?? 1, bits = ds.uint16(TAG.BitsAllocated) ?? 16;
    const frames = Math.max(1, Math.round(ds.number(TAG.NumberOfFrames) ?? 1));
    const tooMany = voxelLimitProblem([columns || 1, rows || 1, frames]);
    if (tooMany) throw new InflateRefusedError(`refused: ${tooMany}`, prefix.length);
    const need = rows * columns * Math.max(1, spp) * Math.max(1, Math.ceil(bits / 8)) * frames;
    const claimed = pixel.offset + need;
    const ratio = deflateRatioProblem(compressedBytes, claimed);
    if (ratio) throw new InflateCorruptError(`truncated deflated data set: ${ratio}`);
    const describe = `${columns} × ${rows} pixels × ${frames} frame${frames === 1 ? '' : 's'} at ${bits} bits`;
    return mode === 'header'
      ? { claimedBytes: claimed, maxBytes: claimed + INFLATE_SLACK_BYTES, keepBytes: pixel.offset, describe }
      : { claimedBytes: claimed, maxBytes: claimed + INFLATE_SLACK_BYTES, keepBytes: claimed, stopAt: claimed, describe };
  };
}

function* pieces(b: Uint8Array): Iterable<Uint8Array> {
  for (let o = 0; o < b.length; o += 1 << 20) yield b.subarray(o, o + (1 << 20));
}

/** Inflate a deflated data set (the bytes after the file meta) in this thread. */
export async function inflateDeflatedDataset(compressed: Uint8Array, mode: DeflatedMode, opts: { signal?: AbortSignal; yieldMs?: number } = {}): Promise<DeflatedResult> {
  const r = await inflateBounded(pieces(compressed), {
    format: 'deflate-raw',
    plan: deflatedPlan(compressed.length, mode),
    headerLimitBytes: DEFLATED_HEADER_LIMIT_BYTES,
    cancelled: () => (opts.signal?.aborted ? new LoadCancelledError() : null),
    ...(opts.yieldMs ? { yieldMs: opts.yieldMs } : {}),
  });
  return { bytes: r.bytes, producedBytes: r.producedBytes };
}

export type DeflateRunner = (compressed: Uint8Array, mode: DeflatedMode, signal?: AbortSignal) => Promise<DeflatedResult>;
let runner: DeflateRunner | null = null;

/** Route deflated data sets through `r` (the app: a worker, off the main thread). */
export function setDeflateRunner(r: DeflateRunner | null): void {
  runner = r;
}

/** Inflate with the installed runner, or here (yielding to the event loop when this is a page). */
export function runDeflate(compressed: Uint8Array, mode: DeflatedMode, signal?: AbortSignal): Promise<DeflatedResult> {
  if (runner) return runner(compressed, mode, signal);
  const onPage = typeof (globalThis as { document?: unknown }).document !== 'undefined';
  return inflateDeflatedDataset(compressed, mode, { ...(signal ? { signal } : {}), ...(onPage ? { yieldMs: 30 } : {}) });
}

/** Words and a code for a failed inflation. */
export function describeInflateError(e: unknown): { code: 'decompression-refused' | 'truncated'; message: string } {
  const m = (e as Error)?.message ?? String(e);
  if (e instanceof InflateRefusedError) return { code: 'decompression-refused', message: m.startsWith('refused') || m.startsWith('decompression') ? m : `decompression refused: ${m}` };
  if (e instanceof InflateCorruptError) return { code: 'truncated', message: `deflated data set cannot be inflated: ${m}` };
  return { code: 'truncated', message: `deflated data set cannot be inflated (${m})` };
}
