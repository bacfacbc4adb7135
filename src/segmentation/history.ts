/**
 * Undo/redo for label-map edits, stored as compact diffs.
 *
 * An edit is the list of voxels it changed: linear offset (Int32), old label and new label
 * (one byte each) — 6 bytes per changed voxel, nothing for untouched voxels. A voxel changed
 * twice within one edit appears twice; undo replays the list backwards (restoring `before`),
 * redo forwards (writing `after`), so the result is exact in both directions.
 *
 * Memory is bounded by `maxBytes` (default 64 MiB): the oldest undo steps are dropped first.
 * Redo steps are discarded when a new edit is pushed (linear history, as in every editor).
 */
import type { LabelMap } from './labelmap';

/** A finished edit. Offsets index the label map's data. */
export interface LabelDiff {
  readonly name: string;
  readonly offsets: Int32Array;
  readonly before: Uint8Array;
  readonly after: Uint8Array;
}

/** Bytes a diff occupies. */
export function diffBytes(d: LabelDiff): number {
  return d.offsets.byteLength + d.before.byteLength + d.after.byteLength;
}

/** Collects the changes of one edit; pass it to LabelMap.set and the editing functions. */
export class LabelEditRecorder {
  readonly name: string;
  private offsets = new Int32Array(1024);
  private before = new Uint8Array(1024);
  private after = new Uint8Array(1024);
  private n = 0;

  constructor(name = 'edit') {
    this.name = name;
  }

  /** Number of recorded voxel changes. */
  get size(): number {
    return this.n;
  }

  /** Records one change (called by LabelMap.set). */
  record(offset: number, oldLabel: number, newLabel: number): void {
    if (this.n === this.offsets.length) this.grow();
    this.offsets[this.n] = offset;
    this.before[this.n] = oldLabel;
    this.after[this.n] = newLabel;
    this.n++;
  }

  /** The recorded changes as a compact, exactly-sized diff. */
  finish(): LabelDiff {
    return { name: this.name, offsets: this.offsets.slice(0, this.n), before: this.before.slice(0, this.n), after: this.after.slice(0, this.n) };
  }

  private grow(): void {
    const cap = this.offsets.length * 2;
    const o = new Int32Array(cap); o.set(this.offsets); this.offsets = o;
    const b = new Uint8Array(cap); b.set(this.before); this.before = b;
    const a = new Uint8Array(cap); a.set(this.after); this.after = a;
  }
}

/** Writes `diff.before` back (reverse order). */
export function revertDiff(labels: LabelMap, diff: LabelDiff): void {
  for (let n = diff.offsets.length - 1; n >= 0; n--) labels.set(diff.offsets[n]!, diff.before[n]!);
}

/** Writes `diff.after` again (forward order). */
export function applyDiff(labels: LabelMap, diff: LabelDiff): void {
  for (let n = 0; n < diff.offsets.length; n++) labels.set(diff.offsets[n]!, diff.after[n]!);
}

export interface HistoryOptions {
  /** Upper bound on the bytes held by undo + redo diffs (default 64 MiB). */
  maxBytes?: number;
  /** Upper bound on undo steps (default 200). */
  maxSteps?: number;
}

/**
 * Linear undo/redo history of one label map.
 *
 * Usage: `const rec = history.begin('brush'); paint(..., rec); history.commit(rec);`
 * or `history.run('brush', (rec) => paint(..., rec))`.
 */
export class LabelHistory {
  readonly labels: LabelMap;
  private readonly undoStack: LabelDiff[] = [];
  private readonly redoStack: LabelDiff[] = [];
  private bytes = 0;
  private readonly maxBytes: number;
  private readonly maxSteps: number;

  constructor(labels: LabelMap, options: HistoryOptions = {}) {
    this.labels = labels;
    this.maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
    this.maxSteps = options.maxSteps ?? 200;
  }

  /** Starts recording an edit. */
  begin(name: string): LabelEditRecorder {
    return new LabelEditRecorder(name);
  }

  /** Pushes a finished edit (no-op when it changed nothing). Returns the diff or null. */
  commit(recorder: LabelEditRecorder): LabelDiff | null {
    if (recorder.size === 0) return null;
    const diff = recorder.finish();
    for (const d of this.redoStack) this.bytes -= diffBytes(d);
    this.redoStack.length = 0;
    this.undoStack.push(diff);
    this.bytes += diffBytes(diff);
    while (this.undoStack.length > 1 && (this.bytes > this.maxBytes || this.undoStack.length > this.maxSteps)) {
      this.bytes -= diffBytes(this.undoStack.shift()!);
    }
    if (this.bytes > this.maxBytes) {
      // a single edit larger than the budget cannot be undone; keep memory bounded
      this.bytes -= diffBytes(this.undoStack.pop()!);
    }
    return diff;
  }

  /** Records `fn`'s changes as one undoable edit. Returns fn's result. */
  run<T>(name: string, fn: (recorder: LabelEditRecorder) => T): T {
    const rec = this.begin(name);
    const out = fn(rec);
    this.commit(rec);
    return out;
  }

  get canUndo(): boolean { return this.undoStack.length > 0; }
  get canRedo(): boolean { return this.redoStack.length > 0; }
  /** Bytes currently held. */
  get byteSize(): number { return this.bytes; }
  get undoDepth(): number { return this.undoStack.length; }

  /** Undoes the latest edit; returns its name or null. */
  undo(): string | null {
    const d = this.undoStack.pop();
    if (!d) return null;
    revertDiff(this.labels, d);
    this.redoStack.push(d);
    return d.name;
  }

  /** Redoes the latest undone edit; returns its name or null. */
  redo(): string | null {
    const d = this.redoStack.pop();
    if (!d) return null;
    applyDiff(this.labels, d);
    this.undoStack.push(d);
    return d.name;
  }

  /** Drops all steps. */
  clear(): void {
    this.undoStack.length = 0;
    this.redoStack.length = 0;
    this.bytes = 0;
  }
}
