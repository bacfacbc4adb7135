/**
 * SegmentationEngine: the label map of one volume, its undo history, and every editing command
 * the app offers, behind one message-shaped API so it runs the same in a web worker or inline.
 *
 * Commands change the label map and answer which labels they touched, fresh statistics for
 * those labels and the undo/redo state. A brush drag is a run of `stroke` commands closed by
 * `endStroke`: the whole drag is one undo step, and statistics are computed once at its end.
 */
import type { ScalarVolume } from '../core/volume';
import { nowMs as now } from '../core/clock';
import type { Vec3 } from '../core/vec3';
import { LabelMap } from './labelmap';
import { LabelHistory, LabelEditRecorder } from './history';
import { regionGrow, applyRegionToLabels, type RegionGrowOptions } from './region-grow';
import { paintStroke } from './brush';
import { fillHoles, keepLargestComponent, dilateLabel, erodeLabel, thresholdInBox } from './morphology';
import type { IndexBox } from './labelmap';
import { interpolateSlices } from './interpolate';
import { lesionStats, type LesionStats } from './stats';

export type SegCommand =
  | { type: 'regionGrow'; seedLps: Vec3; label: number; options?: RegionGrowOptions }
  | { type: 'stroke'; fromLps: Vec3; toLps: Vec3; radiusMm: number; label: number; window?: [number, number] | null; overwrite?: boolean; eraseOnly?: number }
  | { type: 'endStroke' }
  | { type: 'deleteLabel'; label: number }
  | { type: 'undo' }
  | { type: 'redo' }
  | { type: 'fillHoles'; label: number }
  | { type: 'keepLargest'; label: number }
  | { type: 'interpolate'; label: number }
  | { type: 'dilate'; label: number; radiusMm: number }
  | { type: 'erode'; label: number; radiusMm: number }
  | { type: 'stats'; label: number }
  /** Label the voxels within [lo, hi] inside the LPS box spanned by two corners (axis-aligned in LPS). */
  | { type: 'thresholdBox'; cornerALps: Vec3; cornerBLps: Vec3; window: [number, number]; label: number }
  | { type: 'clear' };

export interface GrowSummary {
  voxelCount: number;
  volumeMl: number;
  kind: string;
  window: [number, number];
  reachedRadiusLimit: boolean;
  problem: string | null;
  /** Why nothing grew, in words (null when a lesion grew). */
  message: string | null;
}

export interface SegResult {
  /** Labels whose voxels changed (or whose statistics were asked for). */
  affected: number[];
  /** Statistics of the affected labels (null: the label is now empty). */
  stats: Record<number, LesionStats | null>;
  changedVoxels: number;
  canUndo: boolean;
  canRedo: boolean;
  grow?: GrowSummary;
  /** Milliseconds spent in the command itself (not the statistics). */
  commandMs: number;
  statsMs: number;
}


export class SegmentationEngine {
  readonly labels: LabelMap;
  readonly history: LabelHistory;
  private stroke: { recorder: LabelEditRecorder; labels: Set<number> } | null = null;

  /** `labelData`: optional shared array to edit in place (e.g. a SharedArrayBuffer view). */
  constructor(readonly volume: ScalarVolume, labelData?: Uint8Array) {
    this.labels = labelData ? new LabelMap(volume.geometry, labelData, true) : new LabelMap(volume.geometry);
    this.history = new LabelHistory(this.labels);
  }

  /** Index box covering the LPS box between two corners (all 8 corners mapped, rounded outward to voxel centres inside). */
  private indexBoxOf(a: Readonly<Vec3>, b: Readonly<Vec3>): IndexBox {
    const g = this.volume.geometry;
    const lo = [Infinity, Infinity, Infinity], hi = [-Infinity, -Infinity, -Infinity];
    for (const x of [a[0], b[0]]) for (const y of [a[1], b[1]]) for (const z of [a[2], b[2]]) {
      const ijk = g.lpsToIjk([0, 0, 0], [x, y, z]);
      for (let c = 0; c < 3; c++) { lo[c] = Math.min(lo[c]!, ijk[c]!); hi[c] = Math.max(hi[c]!, ijk[c]!); }
    }
    return [Math.ceil(lo[0]! - 1e-9), Math.ceil(lo[1]! - 1e-9), Math.ceil(lo[2]! - 1e-9), Math.floor(hi[0]! + 1e-9), Math.floor(hi[1]! + 1e-9), Math.floor(hi[2]! + 1e-9)];
  }

  /** Whether an edit can be undone (a brush drag in progress counts) or redone. */
  undoState(): { canUndo: boolean; canRedo: boolean } {
    return { canUndo: this.history.canUndo || this.stroke !== null, canRedo: this.history.canRedo };
  }

  run(cmd: SegCommand): SegResult {
    const t0 = now();
    let affected: number[] = [];
    let changed = 0;
    let grow: GrowSummary | undefined;
    let withStats = true;
    switch (cmd.type) {
      case 'regionGrow': {
        const r = regionGrow(this.volume, { lps: cmd.seedLps }, cmd.options ?? {});
        changed = this.history.run('region grow', (rec) => applyRegionToLabels(this.labels, r, cmd.label, rec));
        grow = { voxelCount: r.voxelCount, volumeMl: r.volumeMl, kind: r.kind, window: r.window, reachedRadiusLimit: r.reachedRadiusLimit, problem: r.problem ?? null, message: r.message ?? null };
        affected = [cmd.label];
        break;
      }
      case 'stroke': {
        if (!this.stroke) this.stroke = { recorder: this.history.begin(cmd.label === 0 ? 'erase' : 'brush'), labels: new Set() };
        const rec = this.stroke.recorder;
        const before = rec.size;
        changed = paintStroke(this.labels, cmd.fromLps, cmd.toLps, {
          radiusMm: cmd.radiusMm,
          label: cmd.label,
          overwrite: cmd.overwrite ?? false,
          ...(cmd.eraseOnly !== undefined ? { eraseOnly: cmd.eraseOnly } : {}),
          ...(cmd.window ? { window: cmd.window, volume: this.volume } : {}),
        }, rec);
        // Which labels changed: the new label, or (erasing) the old labels of the voxels touched.
        const d = rec.finish();
        for (let n = before; n < d.offsets.length; n++) this.stroke.labels.add(cmd.label === 0 ? d.before[n]! : d.after[n]!);
        affected = [...this.stroke.labels];
        withStats = false;
        break;
      }
      case 'endStroke': {
        if (this.stroke) {
          this.history.commit(this.stroke.recorder);
          affected = [...this.stroke.labels];
          this.stroke = null;
        }
        break;
      }
      case 'deleteLabel': {
        const offsets = this.labels.offsetsOf(cmd.label);
        changed = this.history.run('delete lesion', (rec) => {
          for (let n = 0; n < offsets.length; n++) this.labels.set(offsets[n]!, 0, rec);
          return offsets.length;
        });
        affected = [cmd.label];
        break;
      }
      case 'undo':
      case 'redo': {
        const inUse = new Set(this.labels.labelsInUse());
        if (cmd.type === 'undo') this.history.undo();
        else this.history.redo();
        for (const l of this.labels.labelsInUse()) inUse.add(l);
        affected = [...inUse].filter((l) => l !== 0);
        break;
      }
      case 'fillHoles':
        changed = this.history.run('fill holes', (rec) => fillHoles(this.labels, cmd.label, rec));
        affected = [cmd.label];
        break;
      case 'keepLargest':
        changed = this.history.run('keep largest', (rec) => keepLargestComponent(this.labels, cmd.label, 6, rec));
        affected = [cmd.label];
        break;
      case 'interpolate':
        changed = this.history.run('fill between slices', (rec) => interpolateSlices(this.labels, cmd.label, rec));
        affected = [cmd.label];
        break;
      case 'dilate':
        changed = this.history.run('dilate', (rec) => dilateLabel(this.labels, cmd.label, cmd.radiusMm, rec));
        affected = [cmd.label];
        break;
      case 'erode':
        changed = this.history.run('erode', (rec) => erodeLabel(this.labels, cmd.label, cmd.radiusMm, rec));
        affected = [cmd.label];
        break;
      case 'stats':
        affected = [cmd.label];
        break;
      case 'thresholdBox': {
        const box = this.indexBoxOf(cmd.cornerALps, cmd.cornerBLps);
        changed = this.history.run('threshold in box', (rec) => thresholdInBox(this.labels, this.volume, box, cmd.window, cmd.label, rec));
        affected = [cmd.label];
        break;
      }
      case 'clear': {
        const inUse = this.labels.labelsInUse().filter((l) => l !== 0);
        this.history.run('clear', (rec) => {
          for (const l of inUse) {
            const offs = this.labels.offsetsOf(l);
            for (let n = 0; n < offs.length; n++) this.labels.set(offs[n]!, 0, rec);
          }
        });
        affected = inUse;
        break;
      }
    }
    const t1 = now();
    const stats: Record<number, LesionStats | null> = {};
    // With the partial-volume estimate of the volume (~0.1 s for 7 mL): the voxel count of a
    // thresholded lesion reads a few % low on small lesions (blur, slice thickness).
    if (withStats) for (const l of affected) if (l !== 0) stats[l] = lesionStats(this.labels, l, this.volume, { partialVolume: this.volume.units === 'HU' });
    return {
      affected: affected.filter((l) => l !== 0),
      stats,
      changedVoxels: changed,
      ...this.undoState(),
      ...(grow ? { grow } : {}),
      commandMs: t1 - t0,
      statsMs: now() - t1,
    };
  }
}
