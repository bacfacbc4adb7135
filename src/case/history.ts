/**
 * One undo history for the whole case: each step holds the document before and after (immutable,
 * shared by reference) and the label-map diffs it made (segmentation/history.ts: 6 bytes per
 * changed voxel). Undo reverts the diffs newest first and puts the earlier document back; redo
 * replays them and puts the later document back, so both are exact, voxel for voxel.
 *
 * Steps made by one gesture (a brush drag, a needle drag: commands sharing a `gesture` key, sent
 * back to back) merge into one step. Memory is bounded by `maxBytes` (voxel diffs; oldest steps
 * dropped first) and `maxSteps`.
 */
import type { LabelMap } from '../segmentation/labelmap';
import { applyDiff, diffBytes, revertDiff, type LabelDiff } from '../segmentation/history';
import type { CaseDoc } from './types';

export interface CaseStep {
  readonly name: string;
  readonly gesture: string | null;
  readonly diffs: LabelDiff[];
  readonly before: CaseDoc;
  after: CaseDoc;
  bytes: number;
}

export interface CaseHistoryOptions {
  /** Upper bound on the bytes of voxel diffs held by undo + redo (default 256 MiB). */
  maxBytes?: number;
  /** Upper bound on undo steps (default 500). */
  maxSteps?: number;
}

/** Rough bytes of a document held by a step: its objects are shared with neighbours, so a small constant. */
const DOC_BYTES = 256;

export class CaseHistory {
  private readonly undoStack: CaseStep[] = [];
  private readonly redoStack: CaseStep[] = [];
  private bytes = 0;
  /** The top step may take more commands of its gesture (no undo/redo since it was pushed). */
  private openGesture: string | null = null;
  private readonly maxBytes: number;
  private readonly maxSteps: number;

  constructor(options: CaseHistoryOptions = {}) {
    this.maxBytes = options.maxBytes ?? 256 * 1024 * 1024;
    this.maxSteps = options.maxSteps ?? 500;
  }

  get canUndo(): boolean { return this.undoStack.length > 0; }
  get canRedo(): boolean { return this.redoStack.length > 0; }
  get undoName(): string | null { return this.undoStack.at(-1)?.name ?? null; }
  get redoName(): string | null { return this.redoStack.at(-1)?.name ?? null; }
  get undoDepth(): number { return this.undoStack.length; }
  get byteSize(): number { return this.bytes; }

  /**
   * Records an edit (no-op when it changed neither voxels nor the document). A command of the same
   * gesture as the open top step joins it.
   */
  push(name: string, gesture: string | null, diff: LabelDiff | null, before: CaseDoc, after: CaseDoc): void {
    const changedVoxels = diff !== null && diff.offsets.length > 0;
    if (!changedVoxels && before === after) return;
    for (const s of this.redoStack) this.bytes -= s.bytes;
    this.redoStack.length = 0;
    const top = this.undoStack.at(-1);
    const add = changedVoxels ? diffBytes(diff) : 0;
    if (gesture !== null && top && this.openGesture === gesture) {
      if (changedVoxels) top.diffs.push(diff);
      top.after = after;
      top.bytes += add;
      this.bytes += add;
    } else {
      const step: CaseStep = { name, gesture, diffs: changedVoxels ? [diff] : [], before, after, bytes: add + DOC_BYTES };
      this.undoStack.push(step);
      this.bytes += step.bytes;
    }
    this.openGesture = gesture;
    while (this.undoStack.length > 1 && (this.bytes > this.maxBytes || this.undoStack.length > this.maxSteps)) this.bytes -= this.undoStack.shift()!.bytes;
  }

  /** Ends the open gesture: the next command starts a new step even with the same key. */
  closeGesture(): void {
    this.openGesture = null;
  }

  /** Reverts the latest step on `labels`; returns it (its `before` is the document now in force), or null. */
  undo(labels: LabelMap): CaseStep | null {
    const s = this.undoStack.pop();
    if (!s) return null;
    this.openGesture = null;
    for (let n = s.diffs.length - 1; n >= 0; n--) revertDiff(labels, s.diffs[n]!);
    this.redoStack.push(s);
    return s;
  }

  /** Replays the latest undone step on `labels`; returns it (its `after` is the document now in force), or null. */
  redo(labels: LabelMap): CaseStep | null {
    const s = this.redoStack.pop();
    if (!s) return null;
    this.openGesture = null;
    for (const d of s.diffs) applyDiff(labels, d);
    this.undoStack.push(s);
    return s;
  }

  clear(): void {
    this.undoStack.length = 0;
    this.redoStack.length = 0;
    this.bytes = 0;
    this.openGesture = null;
  }
}
