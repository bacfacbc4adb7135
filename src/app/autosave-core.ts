/**
 * Autosave scheduling and its failures, apart from IndexedDB and the store so that it can be
 * tested in node: every change of the case is written at most `maxDelayMs` after it (default
 * 800 ms, so within one second however fast the edits come), a write waits for the one before it,
 * and a failure is classified into words a user can act on (never swallowed).
 */

/** One stored case: the .sacroplan bytes of the case and what the list of saved cases shows. */
export interface SavedCaseRecord {
  /** Identity key (study|series|grid) for the latest autosave of a series; `…#savedAt` for kept earlier ones. */
  key: string;
  identityKey: string;
  savedAt: string;
  bytes: Uint8Array;
  lesions: number;
  needles: number;
  patientName: string;
  description: string;
  appVersion: string;
}

/** Where records go (IndexedDB in the app, a map in tests). */
export interface CaseStore {
  put(r: SavedCaseRecord): Promise<void>;
  get(key: string): Promise<SavedCaseRecord | undefined>;
  all(): Promise<SavedCaseRecord[]>;
  delete(key: string): Promise<void>;
}

export type AutosaveState = 'idle' | 'pending' | 'saved' | 'failed' | 'unavailable';

export interface AutosaveStatus {
  state: AutosaveState;
  /** ISO time of the last successful write. */
  savedAt: string | null;
  /** Why the last write failed (or why there is no storage), in words. */
  error: string | null;
  /** Main-thread milliseconds of the last write (scheduling, the request, the store call). */
  lastMainThreadMs: number | null;
  /** Milliseconds from the change to the record being stored. */
  lastLatencyMs: number | null;
}

/** A storage failure in words (quota, private window / storage blocked, anything else). */
export function describeStorageError(err: unknown): string {
  const name = (err as { name?: string })?.name ?? '';
  const msg = (err as { message?: string })?.message ?? String(err);
  if (name === 'QuotaExceededError' || /quota/i.test(msg)) return 'the browser storage is full (quota exceeded): free space by deleting saved cases, or save the plan to a file (Ctrl+S)';
  if (name === 'SecurityError' || name === 'InvalidStateError' || /denied|not allowed|private|insecure/i.test(msg)) return `the browser does not allow storage here (private window or storage blocked: ${msg}); save the plan to a file (Ctrl+S)`;
  return `storage failed (${name || 'error'}: ${msg}); save the plan to a file (Ctrl+S)`;
}

export interface AutosaverDeps {
  /** The record to write now, or null when there is nothing to save (no image). */
  snapshot: () => Promise<SavedCaseRecord | null>;
  store: () => Promise<CaseStore>;
  onStatus: (s: AutosaveStatus) => void;
  now?: () => number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (t: unknown) => void;
}

export class Autosaver {
  status: AutosaveStatus = { state: 'idle', savedAt: null, error: null, lastMainThreadMs: null, lastLatencyMs: null };
  private timer: unknown = null;
  private firstChangeAt: number | null = null;
  /** The running chain of writes; it ends when no write is wanted any more. */
  private chain: Promise<void> | null = null;
  private wanted = false;
  private readonly now: () => number;
  private readonly setTimer: (fn: () => void, ms: number) => unknown;
  private readonly clearTimer: (t: unknown) => void;

  constructor(private readonly deps: AutosaverDeps, readonly quietMs = 250, readonly maxDelayMs = 800) {
    this.now = deps.now ?? (() => performance.now());
    this.setTimer = deps.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
    this.clearTimer = deps.clearTimer ?? ((t) => clearTimeout(t as ReturnType<typeof setTimeout>));
  }

  private set(patch: Partial<AutosaveStatus>): void {
    this.status = { ...this.status, ...patch };
    this.deps.onStatus(this.status);
  }

  /** The case changed: write it after `quietMs` without changes, and at most `maxDelayMs` after this first change. */
  changed(): void {
    const t = this.now();
    this.firstChangeAt ??= t;
    if (this.timer !== null) this.clearTimer(this.timer);
    const wait = Math.max(0, Math.min(this.quietMs, this.firstChangeAt + this.maxDelayMs - t));
    this.timer = this.setTimer(() => { this.timer = null; void this.flush(); }, wait);
    if (this.status.state !== 'failed' && this.status.state !== 'unavailable') this.set({ state: 'pending' });
  }

  /**
   * Writes now (after the running write, if any). Resolves when every change made before the call
   * is stored (or the write failed): writes never overlap, and a caller never returns early.
   */
  flush(): Promise<void> {
    if (this.timer !== null) { this.clearTimer(this.timer); this.timer = null; }
    this.wanted = true;
    this.chain ??= (async () => {
      try {
        while (this.wanted) {
          this.wanted = false;
          const since = this.firstChangeAt;
          this.firstChangeAt = null;
          await this.write(since);
        }
      } finally {
        this.chain = null;
      }
    })();
    return this.chain;
  }

  /** Drops a pending write (the case it was for is gone); a running one finishes. */
  cancel(): void {
    if (this.timer !== null) { this.clearTimer(this.timer); this.timer = null; }
    this.firstChangeAt = null;
    this.wanted = false;
  }

  /** A storage failure met outside a write (opening the store): reported the same way. */
  fail(err: unknown): void {
    const unavailable = (err as { autosaveUnavailable?: boolean })?.autosaveUnavailable === true;
    this.set({ state: unavailable ? 'unavailable' : 'failed', error: describeStorageError(err) });
  }

  /** Resolves when nothing is pending or being written. */
  async settled(): Promise<void> {
    while (this.timer !== null || this.chain) await (this.chain ?? this.flush());
  }

  private async write(since: number | null): Promise<void> {
    let main = 0;
    let t = this.now();
    try {
      const pending = this.deps.snapshot();
      main += this.now() - t;
      const record = await pending;
      if (!record) return;
      t = this.now();
      const db = this.deps.store();
      main += this.now() - t;
      const store = await db;
      t = this.now();
      const put = store.put(record);
      main += this.now() - t;
      await put;
      this.set({ state: 'saved', savedAt: record.savedAt, error: null, lastMainThreadMs: main, lastLatencyMs: since === null ? null : this.now() - since });
    } catch (err) {
      this.fail(err);
    }
  }
}
