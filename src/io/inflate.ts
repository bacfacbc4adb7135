/**
 * Streaming decompression with a hard output budget (gzip for .nii.gz, raw DEFLATE for the
 * Deflated Explicit VR Little Endian transfer syntax). Nothing is inflated "whole, then checked":
 * the input goes to fflate's streaming inflater in small pieces, so one piece can add at most
 * PIECE × 1032 bytes, and the running output is checked against the budget after every piece.
 *
 * The budget comes from the file's own header, read from the first bytes of the output: `plan`
 * sees the output so far and answers 'more' (header incomplete), a Plan, or throws to refuse.
 * Pure (no DOM): runs in workers, on the main thread (yielding) and in node tests.
 */
import { Gunzip, Inflate } from 'fflate';
import { DEFLATE_MAX_RATIO, fmtBytes } from './limits';

export type CompressionFormat = 'gzip' | 'deflate-raw';

export interface InflatePlan {
  /** Refuse (InflateRefusedError) as soon as the output exceeds this many bytes. */
  maxBytes: number;
  /** What the header claims (for the message). */
  claimedBytes: number;
  /** Stop reading, successfully, once this many bytes are out (default: inflate to the end). */
  stopAt?: number;
  /** Keep only the first keepBytes of the output (the rest is counted, not stored). Default: all. */
  keepBytes?: number;
  /** Words for the refusal: what the header describes, e.g. "16 × 16 × 16 int16 voxels". */
  describe: string;
}

export type PlanFn = (prefix: Uint8Array, ended: boolean) => InflatePlan | 'more';

export class InflateRefusedError extends Error {
  constructor(message: string, readonly producedBytes: number) {
    super(message);
    this.name = 'InflateRefusedError';
  }
}

export class InflateCorruptError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InflateCorruptError';
  }
}

export interface InflateResult {
  /** The kept output (all of it unless the plan said keepBytes). */
  bytes: Uint8Array;
  /** Bytes inflated in all (≥ bytes.length). */
  producedBytes: number;
  /** The stream ended (false when stopped at stopAt). */
  complete: boolean;
}

export interface InflateOptions {
  format: CompressionFormat;
  plan: PlanFn;
  /** Output allowed before `plan` must have decided (the header's own size limit). */
  headerLimitBytes: number;
  onProgress?: (producedBytes: number, claimedBytes: number | null) => void;
  /** Polled between pieces; returns true to stop (throws the given error). */
  cancelled?: () => Error | null;
  /** Yield to the event loop every `yieldMs` of work (main thread); 0: never (workers). */
  yieldMs?: number;
}

/** Input pieces: at most 16 KiB → at most ~17 MB of output per step; 512 bytes (~0.5 MB) near the budget. */
const PIECE = 16 * 1024;
const HEADER_PIECE = 512;

const now = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());

/**
 * The budgeted inflater: push compressed pieces, it throws InflateRefusedError the moment the output
 * passes the plan's limit. Synchronous; `inflateBounded` drives it from a stream.
 */
export class BoundedInflater {
  private plan: InflatePlan | null = null;
  private produced = 0;
  private consumed = 0;
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  // Ask the plan at doubling output sizes, so a long header costs O(n) copies, not O(n²).
  private nextAsk = 1024;
  private out: Uint8Array | null = null;
  private kept = 0;
  /** Input fully consumed (final pushed) or stopped at the plan's stopAt. */
  ended = false;
  stopped = false;
  private failure: Error | null = null;
  private readonly inflater: Gunzip | Inflate;

  constructor(private readonly opts: Pick<InflateOptions, 'format' | 'plan' | 'headerLimitBytes'>) {
    const onData = (chunk: Uint8Array, final: boolean): void => this.onData(chunk, final);
    this.inflater = opts.format === 'gzip' ? new Gunzip(onData) : new Inflate(onData);
  }

  get producedBytes(): number {
    return this.produced;
  }
  get claimedBytes(): number | null {
    return this.plan ? this.plan.claimedBytes : null;
  }
  get done(): boolean {
    return this.ended || this.stopped;
  }

  /** Push compressed bytes (any length: split into pieces here). */
  push(chunk: Uint8Array, final = false): void {
    // A piece can inflate to 1032× its size. While the header is read, pieces are tiny; then they
    // are sized from the ratio seen so far (×4 for safety) so that one step cannot go far past the
    // budget: a bomb (ratio ~1000) is refused about 1 MB past its claim, honest data (ratio 2–10)
    // keeps 16 KiB pieces.
    for (let o = 0; o < chunk.length && !this.done; ) {
      const room = this.plan ? this.plan.maxBytes - this.produced : 0;
      const ratio = this.consumed > 0 ? Math.min(DEFLATE_MAX_RATIO, this.produced / this.consumed) : DEFLATE_MAX_RATIO;
      const size = Math.max(HEADER_PIECE, Math.min(PIECE, Math.floor(room / (Math.max(8, ratio) * 4))));
      this.consumed += Math.min(size, chunk.length - o);
      this.step(chunk.subarray(o, Math.min(chunk.length, o + size)), false);
      o += size;
    }
    if (final && !this.done) this.step(new Uint8Array(0), true);
  }

  /** The result after the last push (final, or stopped). */
  result(): InflateResult {
    if (!this.done) this.step(new Uint8Array(0), true);
    if (!this.plan) throw new InflateCorruptError(`the data ends after ${fmtBytes(this.produced)}, inside its header`);
    return { bytes: this.out ? this.out.subarray(0, this.kept) : new Uint8Array(0), producedBytes: this.produced, complete: !this.stopped };
  }

  private step(piece: Uint8Array, final: boolean): void {
    try {
      this.inflater.push(piece, final);
    } catch (e) {
      if (!this.failure) {
        const why = (e as Error)?.message ?? String(e);
        this.failure = final
          ? new InflateCorruptError(`the compressed data ends early after ${fmtBytes(this.produced)} (truncated file; ${why})`)
          : new InflateCorruptError(`corrupt compressed data after ${fmtBytes(this.produced)} (${why})`);
      }
    }
    if (final) this.ended = true;
    if (!this.failure && final && !this.plan) this.decide();
    if (this.failure) throw this.failure;
  }

  private keepLimit(): number {
    const p = this.plan;
    return p ? Math.min(p.keepBytes ?? Infinity, p.stopAt ?? Infinity, p.maxBytes) : Infinity;
  }

  private store(chunk: Uint8Array): void {
    const room = this.keepLimit() - this.kept;
    if (room <= 0) return;
    const part = chunk.length <= room ? chunk : chunk.subarray(0, room);
    if (!this.out || this.kept + part.length > this.out.length) {
      // Grow (rare: only past the claim, within the slack).
      const size = Math.min(this.keepLimit(), Math.max(this.kept + part.length, this.out ? this.out.length * 2 : 0));
      const bigger = new Uint8Array(size);
      if (this.out) bigger.set(this.out.subarray(0, this.kept));
      this.out = bigger;
    }
    this.out.set(part, this.kept);
    this.kept += part.length;
  }

  private decide(): void {
    const prefix = concat(this.pending, this.pendingBytes);
    const p = this.opts.plan(prefix, this.ended);
    if (p === 'more') {
      if (this.ended) throw new InflateCorruptError(`the data ends after ${fmtBytes(this.produced)}, inside its header`);
      if (this.produced > this.opts.headerLimitBytes) {
        throw new InflateRefusedError(`no readable header in the first ${fmtBytes(this.opts.headerLimitBytes)} of decompressed data`, this.produced);
      }
      this.pending = [prefix];
      return;
    }
    this.plan = p;
    // Allocate the claim once (bounded by the plan's own limits), then copy what is already out.
    this.out = new Uint8Array(Math.max(0, Math.min(this.keepLimit(), Math.max(p.claimedBytes, prefix.length))));
    this.pending = [];
    this.pendingBytes = 0;
    this.store(prefix);
  }

  private onData(chunk: Uint8Array, final: boolean): void {
    if (this.failure) return;
    this.produced += chunk.length;
    try {
      if (!this.plan) {
        this.pending.push(chunk);
        this.pendingBytes += chunk.length;
        if (this.pendingBytes >= this.nextAsk && !final) {
          this.nextAsk = Math.max(this.nextAsk * 2, this.pendingBytes * 2);
          this.decide();
        }
      } else this.store(chunk);
      const p = this.plan as InflatePlan | null;
      // Reaching stopAt ends the read: what one piece inflated past it is never looked at.
      if (p?.stopAt !== undefined && this.produced >= p.stopAt) {
        this.stopped = true;
        return;
      }
      if (p && this.produced > p.maxBytes) {
        throw new InflateRefusedError(
          `decompression refused: the header describes ${p.describe} (${fmtBytes(p.claimedBytes)}), but the compressed data inflates to more than ${fmtBytes(p.maxBytes)} (a decompression bomb or a wrong header)`,
          this.produced,
        );
      }
    } catch (e) {
      this.failure = e as Error;
    }
  }
}

/** Inflate `source` (chunks of compressed bytes) under the plan's budget. */
export async function inflateBounded(source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, opts: InflateOptions): Promise<InflateResult> {
  const inf = new BoundedInflater(opts);
  let t0 = now();
  const check = (): void => {
    const c = opts.cancelled?.();
    if (c) throw c;
  };
  for await (const chunk of source as AsyncIterable<Uint8Array>) {
    for (let o = 0; o < chunk.length && !inf.done; o += PIECE) {
      inf.push(chunk.subarray(o, Math.min(chunk.length, o + PIECE))); // split further by push while the header is read
      check();
      opts.onProgress?.(inf.producedBytes, inf.claimedBytes);
      if (opts.yieldMs && now() - t0 > opts.yieldMs) {
        await new Promise((r) => setTimeout(r, 0));
        t0 = now();
        check();
      }
    }
    if (inf.done) break;
  }
  return inf.result();
}

/** The same, for bytes already in memory (synchronous). */
export function inflateBoundedSync(bytes: Uint8Array, opts: Pick<InflateOptions, 'format' | 'plan' | 'headerLimitBytes'>): InflateResult {
  const inf = new BoundedInflater(opts);
  inf.push(bytes, true);
  return inf.result();
}

function concat(parts: Uint8Array[], total: number): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const o = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    o.set(p, at);
    at += p.length;
  }
  return o;
}

/** Chunks of a Blob/File, read as a stream (never the whole file at once). */
export async function* blobChunks(blob: Blob, start = 0): AsyncIterable<Uint8Array> {
  const part = start > 0 ? blob.slice(start) : blob;
  if (typeof part.stream === 'function') {
    const reader = part.stream().getReader();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        if (value) yield value;
      }
    } finally {
      reader.releaseLock();
    }
  }
  const all = new Uint8Array(await part.arrayBuffer());
  for (let o = 0; o < all.length; o += 1 << 20) yield all.subarray(o, o + (1 << 20));
}
