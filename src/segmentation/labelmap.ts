/**
 * LabelMap: one byte per voxel, aligned with a ScalarVolume's VolumeGeometry.
 *
 * Label 0 is background; labels 1..255 name lesions (the mapping label → lesion id lives in the
 * app state, not here). Every write goes through {@link LabelMap.set} (or the bulk helpers built on
 * it) so that the per-label voxel count and bounding box stay up to date and, when a
 * {@link LabelEditRecorder} is passed, the change is recorded for undo.
 *
 * Bounding boxes are conservative: painting grows them exactly, erasing never shrinks them
 * (that would need a rescan). {@link LabelMap.tightBox} rescans the conservative box and
 * tightens it. All boxes are inclusive index ranges [i0, j0, k0, i1, j1, k1].
 *
 * Pure module: no DOM, runs in node and in workers.
 */
import type { VolumeGeometry } from '../core/geometry';
import type { LabelEditRecorder } from './history';

/** Inclusive index box [i0, j0, k0, i1, j1, k1]. Empty when i0 > i1. */
export type IndexBox = [number, number, number, number, number, number];

export const MAX_LABEL = 255;

export class LabelMap {
  readonly geometry: VolumeGeometry;
  /** Voxel labels, i fastest (same layout as ScalarVolume.voxels). Write via set(). */
  readonly data: Uint8Array;
  /** Monotonic counter bumped on every change (cache keys, views). */
  version = 0;
  private readonly counts = new Float64Array(MAX_LABEL + 1);
  private readonly boxes = new Int32Array((MAX_LABEL + 1) * 6);
  private readonly ni: number;
  private readonly nij: number;

  /**
   * Creates an all-background label map, or one holding a copy of `data` when given.
   * With `shareData` the given array itself is used (e.g. memory shared with a worker); it is
   * then the caller's promise that no one else writes it while this map edits it.
   */
  constructor(geometry: VolumeGeometry, data?: Uint8Array, shareData = false) {
    this.geometry = geometry;
    const n = geometry.voxelCount;
    if (data && data.length !== n) throw new Error(`label data length ${data.length} does not match ${geometry.dims.join('x')}`);
    this.data = data ? (shareData ? data : data.slice()) : new Uint8Array(n);
    this.ni = geometry.dims[0];
    this.nij = geometry.dims[0] * geometry.dims[1];
    for (let l = 0; l <= MAX_LABEL; l++) this.resetBox(l);
    if (data) this.rebuildIndex();
    else this.counts[0] = n;
  }

  /** Deep copy (geometry shared, data copied). */
  clone(): LabelMap {
    return new LabelMap(this.geometry, this.data);
  }

  /** Label at linear offset. */
  get(offset: number): number {
    return this.data[offset] ?? 0;
  }

  /**
   * Writes `label` at `offset`; returns the previous label. Updates counts and boxes and,
   * when `recorder` is given, records the change (only actual changes are recorded).
   */
  set(offset: number, label: number, recorder?: LabelEditRecorder): number {
    const data = this.data;
    const old = data[offset]!;
    if (old === label) return old;
    data[offset] = label;
    this.counts[old]!--;
    this.counts[label]!++;
    if (label !== 0) {
      const k = (offset / this.nij) | 0;
      const rem = offset - k * this.nij;
      const j = (rem / this.ni) | 0;
      const i = rem - j * this.ni;
      const b = this.boxes, o = label * 6;
      if (i < b[o]!) b[o] = i;
      if (j < b[o + 1]!) b[o + 1] = j;
      if (k < b[o + 2]!) b[o + 2] = k;
      if (i > b[o + 3]!) b[o + 3] = i;
      if (j > b[o + 4]!) b[o + 4] = j;
      if (k > b[o + 5]!) b[o + 5] = k;
    }
    if (recorder) recorder.record(offset, old, label);
    this.version++;
    return old;
  }

  /** Number of voxels carrying `label` (exact). */
  count(label: number): number {
    return this.counts[label] ?? 0;
  }

  /** Labels in use (count > 0), ascending, background excluded. */
  labelsInUse(): number[] {
    const out: number[] = [];
    for (let l = 1; l <= MAX_LABEL; l++) if (this.counts[l]! > 0) out.push(l);
    return out;
  }

  /** Smallest label 1..255 not in use, or null when all are taken. */
  nextFreeLabel(): number | null {
    for (let l = 1; l <= MAX_LABEL; l++) if (this.counts[l] === 0) return l;
    return null;
  }

  /** Conservative bounding box of `label` (contains every voxel of it), or null when empty. */
  box(label: number): IndexBox | null {
    if (this.count(label) === 0) return null;
    const b = this.boxes, o = label * 6;
    return [b[o]!, b[o + 1]!, b[o + 2]!, b[o + 3]!, b[o + 4]!, b[o + 5]!];
  }

  /** Exact bounding box of `label` (rescans the conservative box and stores the result). */
  tightBox(label: number): IndexBox | null {
    const cb = this.box(label);
    if (!cb) return null;
    let i0 = Infinity, j0 = Infinity, k0 = Infinity, i1 = -1, j1 = -1, k1 = -1;
    const d = this.data, ni = this.ni, nij = this.nij;
    for (let k = cb[2]; k <= cb[5]; k++) {
      for (let j = cb[1]; j <= cb[4]; j++) {
        const row = k * nij + j * ni;
        for (let i = cb[0]; i <= cb[3]; i++) {
          if (d[row + i] === label) {
            if (i < i0) i0 = i; if (i > i1) i1 = i;
            if (j < j0) j0 = j; if (j > j1) j1 = j;
            if (k < k0) k0 = k; if (k > k1) k1 = k;
          }
        }
      }
    }
    const out: IndexBox = [i0, j0, k0, i1, j1, k1];
    this.boxes.set(out, label * 6);
    return out;
  }

  /** Recomputes counts and boxes from `data` (after an external bulk write into `data`). */
  rebuildIndex(): void {
    this.counts.fill(0);
    for (let l = 0; l <= MAX_LABEL; l++) this.resetBox(l);
    const d = this.data, [ni, nj, nk] = this.geometry.dims, b = this.boxes;
    // Background is most of a label map: whole zero words (4 voxels) are counted without a look at each voxel.
    const words = d.byteOffset % 4 === 0 ? new Uint32Array(d.buffer, d.byteOffset, d.length >> 2) : null;
    let zeros = 0;
    let n = 0;
    for (let k = 0; k < nk; k++) for (let j = 0; j < nj; j++) for (let i = 0; i < ni; i++, n++) {
      if (words !== null && (n & 3) === 0 && i + 3 < ni) {
        while (i + 3 < ni && words[n >> 2] === 0) { zeros += 4; i += 4; n += 4; }
        if (i >= ni) { i--; n--; continue; }
      }
      const l = d[n]!;
      if (l === 0) { zeros++; continue; }
      this.counts[l]!++;
      const o = l * 6;
      if (i < b[o]!) b[o] = i; if (j < b[o + 1]!) b[o + 1] = j; if (k < b[o + 2]!) b[o + 2] = k;
      if (i > b[o + 3]!) b[o + 3] = i; if (j > b[o + 4]!) b[o + 4] = j; if (k > b[o + 5]!) b[o + 5] = k;
    }
    this.counts[0] = zeros;
    this.version++;
  }

  /** Linear offsets of every voxel of `label`, ascending. */
  offsetsOf(label: number): Int32Array {
    const box = this.box(label);
    const out = new Int32Array(this.count(label));
    if (!box) return out;
    let n = 0;
    const d = this.data, ni = this.ni, nij = this.nij;
    for (let k = box[2]; k <= box[5]; k++) for (let j = box[1]; j <= box[4]; j++) {
      const row = k * nij + j * ni;
      for (let i = box[0]; i <= box[3]; i++) if (d[row + i] === label) out[n++] = row + i;
    }
    return out;
  }

  private resetBox(label: number): void {
    const o = label * 6;
    this.boxes[o] = this.boxes[o + 1] = this.boxes[o + 2] = 0x7fffffff;
    this.boxes[o + 3] = this.boxes[o + 4] = this.boxes[o + 5] = -1;
  }
}

/** Clamps a box to the grid; returns null when nothing is left. */
export function clampBox(box: IndexBox, dims: readonly [number, number, number]): IndexBox | null {
  const out: IndexBox = [
    Math.max(0, box[0]), Math.max(0, box[1]), Math.max(0, box[2]),
    Math.min(dims[0] - 1, box[3]), Math.min(dims[1] - 1, box[4]), Math.min(dims[2] - 1, box[5]),
  ];
  return out[0] > out[3] || out[1] > out[4] || out[2] > out[5] ? null : out;
}
