/**
 * Lesion actions: region growing, brush and eraser, lesion/background strokes, box threshold,
 * the lesion list, morphology tools. Each is a command of the open case (src/case/commands.ts) sent through src/app/case.ts;
 * the store shows the case's projection. The active lesion and the tool settings are UI state.
 */
import { store, notify } from './actions';
import { caseClient, caseRun, caseEndGesture, setSeg } from './case';
import type { LesionOpName } from '../case/commands';
import type { RegionGrowOptions } from '../segmentation/region-grow';
import type { Vec3 } from '../core/vec3';
import { isHounsfield } from '../core/hounsfield';

export { summarize } from './case';
export { LESION_COLORS } from '../case/types';

function activeLesionId(): string | null {
  return store.state.lesions.some((l) => l.id === store.state.activeLesionId) ? store.state.activeLesionId : null;
}

/** A new, empty lesion (made active); resolves to its id. */
export async function newLesion(name?: string): Promise<string> {
  const r = await caseRun({ type: 'addLesion', ...(name !== undefined ? { name } : {}) }, null);
  const id = r.info.lesionId!;
  store.update({ activeLesionId: id });
  return id;
}

/**
 * One click: grow a lesion from this LPS point, as a new lesion or, with `addTo` (Shift-click on the
 * active lesion), into that lesion: a mixed lesion's lytic and sclerotic parts each grown at their
 * own window, one lesion, each click one undo step. Resolves to the lesion's id (rejects with the
 * reason when nothing grew); a grow that stopped short of the lesion (at a cortical break) says so.
 */
export async function segmentLesionAt(seedLps: Vec3, options: RegionGrowOptions = {}, addTo: string | null = null): Promise<string> {
  if (!caseClient()) throw new Error('no image is loaded');
  if (store.state.loaded?.measurementBlockedReason) throw new Error(`cannot segment: ${store.state.loaded.measurementBlockedReason}`);
  if (addTo && !store.state.lesions.some((l) => l.id === addTo)) throw new Error(`unknown lesion ${addTo}`);
  const r = await caseRun({ type: 'growLesion', seedLps: [seedLps[0], seedLps[1], seedLps[2]], options, ...(addTo ? { lesionId: addTo } : {}) }, addTo ? 'Growing into the lesion…' : 'Growing the lesion…');
  if (!r.info.lesionId) {
    const g = r.info.grow;
    const why = g?.message ?? 'nothing grew';
    throw new Error(`No lesion at that point: ${why}.`);
  }
  store.update({ activeLesionId: r.info.lesionId });
  const note = r.info.grow?.note;
  if (note) notify('warning', note);
  return r.info.lesionId;
}

/** The active lesion's id, if it still exists (Shift-click Grow adds to it). */
export function activeLesion(): string | null {
  return activeLesionId();
}

let gestureNo = 0;
/** A key for the commands of one drag: they become one undo step. */
export function newGesture(kind: string): string {
  return `${kind}-${++gestureNo}`;
}

let stroke: { last: Vec3; lesionId: string | null; erase: boolean; gesture: string } | null = null;

/** Start a brush (erase = false) or eraser stroke at a point. The eraser removes the active lesion only. */
export function strokeStart(lps: Vec3, erase: boolean): void {
  if (!caseClient()) return;
  const active = activeLesionId();
  if (erase && !active) return;
  const gesture = newGesture(erase ? 'erase' : 'brush');
  stroke = { last: lps, lesionId: active, erase, gesture };
  if (!active) {
    // a brush stroke with no lesion makes one; the new lesion is part of the stroke's undo step
    const s = stroke;
    void caseRun({ type: 'addLesion', gesture }, null).then((r) => {
      s.lesionId = r.info.lesionId!;
      store.update({ activeLesionId: s.lesionId });
    });
  }
  strokeSegment(lps, lps);
}

export function strokeTo(lps: Vec3): void {
  if (!stroke) return;
  const from = stroke.last;
  stroke.last = lps;
  strokeSegment(from, lps);
}

export async function strokeEnd(): Promise<void> {
  if (!stroke) return;
  stroke = null;
  await caseEndGesture('Updating statistics…');
}

/** The brush's HU window, applied only where the values are HU (an MR signal has no HU scale). */
function brushWindow(): [number, number] | null {
  return isHounsfield(store.state.loaded) ? store.state.seg.brushWindowHu : null;
}

function strokeSegment(from: Vec3, to: Vec3): void {
  const s = stroke!;
  const seg = store.state.seg;
  // Built when its turn in the queue comes: a stroke that made its lesion knows the id by then.
  void caseRun(() => {
    const lesionId = s.lesionId ?? activeLesionId();
    return lesionId ? { type: 'stroke', lesionId, fromLps: [...from], toLps: [...to], radiusMm: seg.brushRadiusMm, erase: s.erase, window: brushWindow(), gesture: s.gesture } : null;
  }, 'Painting…', { defer: true }).catch(() => undefined);
}

/** Paint (or erase) a capsule from one point to another in a lesion, as one undo step. */
export async function paint(fromLps: Vec3, toLps: Vec3, radiusMm: number, lesionId?: string, erase = false): Promise<string | null> {
  if (!caseClient()) throw new Error('no image is loaded');
  if (lesionId && !store.state.lesions.some((l) => l.id === lesionId)) throw new Error(`unknown lesion ${lesionId}`);
  let id = lesionId ?? activeLesionId();
  const gesture = newGesture(erase ? 'erase' : 'brush');
  if (!id) {
    if (erase) return null;
    id = (await caseRun({ type: 'addLesion', gesture }, null)).info.lesionId!;
    store.update({ activeLesionId: id });
  }
  await caseRun({ type: 'stroke', lesionId: id, fromLps: [...fromLps], toLps: [...toLps], radiusMm, erase, window: brushWindow(), gesture }, erase ? 'Erasing…' : 'Painting…');
  await caseEndGesture(null);
  return id;
}

/**
 * Label the voxels within the threshold window inside a box: the rectangle a→b drawn on a view's
 * plane, extended along the view normal by its larger side (a square drag gives a cube).
 */
export async function thresholdBox(aLps: Vec3, bLps: Vec3, normalLps: Vec3, lesionId?: string): Promise<string | null> {
  if (!caseClient()) throw new Error('no image is loaded');
  if (lesionId && !store.state.lesions.some((l) => l.id === lesionId)) throw new Error(`unknown lesion ${lesionId}`);
  const gesture = newGesture('box');
  let id = lesionId ?? activeLesionId();
  if (!id) {
    id = (await caseRun({ type: 'addLesion', gesture }, null)).info.lesionId!;
    store.update({ activeLesionId: id });
  }
  // Half the larger side of the rectangle (the views' axes are the patient axes).
  const ext = [0, 1, 2].map((c) => Math.abs(bLps[c]! - aLps[c]!) * (1 - Math.abs(normalLps[c]!)));
  const half = Math.max(...ext) / 2;
  const a: Vec3 = [aLps[0] - normalLps[0] * half, aLps[1] - normalLps[1] * half, aLps[2] - normalLps[2] * half];
  const b: Vec3 = [bLps[0] + normalLps[0] * half, bLps[1] + normalLps[1] * half, bLps[2] + normalLps[2] * half];
  await caseRun({ type: 'thresholdBox', lesionId: id, cornerALps: a, cornerBLps: b, window: store.state.seg.thresholdWindowHu, gesture }, 'Thresholding…');
  await caseEndGesture(null);
  return id;
}

/**
 * Lesion / background strokes (the low-contrast tool): a drag collects its points and is sent as
 * one command when it ends (one undo step; the lesion is grown anew from all its strokes).
 */
export function seedStrokeStart(lps: Vec3, invert: boolean): void {
  if (!caseClient()) return;
  const k = store.state.seg.seedKind;
  const kind = invert ? (k === 'lesion' ? 'background' : 'lesion') : k;
  setSeg({ seedDraft: { kind, pointsLps: [[...lps]] } });
}

export function seedStrokeTo(lps: Vec3): void {
  const d = store.state.seg.seedDraft;
  if (!d) return;
  const last = d.pointsLps[d.pointsLps.length - 1]!;
  // a point every half radius is plenty for a swept ball
  if (Math.hypot(lps[0] - last[0], lps[1] - last[1], lps[2] - last[2]) < Math.max(0.3, store.state.seg.brushRadiusMm / 2)) return;
  setSeg({ seedDraft: { kind: d.kind, pointsLps: [...d.pointsLps, [...lps]] } });
}

export async function seedStrokeEnd(): Promise<void> {
  const d = store.state.seg.seedDraft;
  if (!d) return;
  try {
    await seedStroke(d.kind, d.pointsLps);
  } finally {
    setSeg({ seedDraft: null });
  }
}

/** One lesion or background stroke (radius: the brush radius) on the active lesion; a lesion stroke with no active lesion makes one. */
export async function seedStroke(kind: 'lesion' | 'background', pointsLps: Vec3[], lesionId?: string): Promise<string> {
  if (!caseClient()) throw new Error('no image is loaded');
  if (store.state.loaded?.measurementBlockedReason) throw new Error(`cannot segment: ${store.state.loaded.measurementBlockedReason}`);
  const id = lesionId ?? activeLesionId();
  const r = await caseRun({ type: 'seedStroke', kind, pointsLps: pointsLps.map((p) => [p[0], p[1], p[2]] as Vec3), radiusMm: store.state.seg.brushRadiusMm, ...(id ? { lesionId: id } : {}) }, 'Growing from the strokes…');
  if (!r.info.lesionId) throw new Error(`Nothing painted: ${r.info.explanation ?? 'no lesion'}.`);
  store.update({ activeLesionId: r.info.lesionId });
  if (r.info.warning) notify('warning', r.info.warning);
  return r.info.lesionId;
}

export function setSeedKind(kind: 'lesion' | 'background'): void {
  setSeg({ seedKind: kind });
}

export function setThresholdWindow(lo: number, hi: number): void {
  if (!(lo <= hi)) return;
  setSeg({ thresholdWindowHu: [lo, hi] });
}

/** Deletes a lesion with its voxels (one undo step brings both back). */
export async function deleteLesion(id: string): Promise<void> {
  if (!store.state.lesions.some((l) => l.id === id)) throw new Error(`unknown lesion ${id}`);
  await caseRun({ type: 'deleteLesion', lesionId: id }, 'Deleting…');
}

export type LesionOp = LesionOpName;
export async function lesionOp(op: LesionOp, id?: string, radiusMm = 1): Promise<void> {
  const lesionId = id ?? activeLesionId();
  if (!lesionId) return;
  await caseRun({ type: 'lesionOp', lesionId, op, radiusMm }, 'Working…');
}

/** Make a lesion the active one and bring its centroid into all views. */
export function setActiveLesion(id: string): void {
  const l = store.state.lesions.find((x) => x.id === id);
  store.update({ activeLesionId: id, ...(l?.stats && id !== store.state.activeLesionId ? { crosshairLps: [...l.stats.centroidLps] as Vec3, centreRequest: store.state.centreRequest + 1, centreFovMm: null } : {}) });
}

export async function renameLesion(id: string, name: string): Promise<void> {
  await caseRun({ type: 'updateLesion', lesionId: id, name }, null);
}

export async function setLesionVisible(id: string, visible: boolean): Promise<void> {
  await caseRun({ type: 'updateLesion', lesionId: id, visible }, null);
}

export async function setLesionNotes(id: string, notes: string): Promise<void> {
  await caseRun({ type: 'updateLesion', lesionId: id, notes }, null);
}

export function setBrushRadius(mm: number): void {
  setSeg({ brushRadiusMm: Math.max(0.5, Math.min(30, mm)) });
}

export function setBrushWindow(window: [number, number] | null): void {
  setSeg({ brushWindowHu: window });
}

/** Colour table for the views: lut[label] = 0xAABBGGRR, 0 for hidden lesions. */
export function labelLut(): Uint32Array {
  const lut = new Uint32Array(256);
  for (const l of store.state.lesions) {
    if (!l.visible) continue;
    const hex = l.color.replace('#', '');
    const r = parseInt(hex.slice(0, 2), 16), g = parseInt(hex.slice(2, 4), 16), b = parseInt(hex.slice(4, 6), 16);
    lut[l.label] = (0xff << 24) | (b << 16) | (g << 8) | r;
  }
  return lut;
}
