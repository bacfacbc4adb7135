/**
 * Lesion actions: region growing, brush and eraser, lesion list, morphology tools, undo/redo.
 * The label map and its history live in the SegmentationEngine (in a worker when possible);
 * the store holds the lesion list, their statistics and the UI settings.
 */
import { store, onVolumeShown, notify } from './actions';
import { volumeCache } from './volume-cache';
import { SegmentationClient } from './segmentation-client';
import type { PlanCommand, PlanReply } from '../planning/engine';
import type { LesionEntry, LesionSummary, SegmentationUi } from './store';
import type { CaseCommand, CaseResult } from '../anatomy/case-engine';
import type { LesionZoneResult } from '../anatomy/classify';
import type { SacralAnatomy } from '../anatomy/types';
import type { LesionStats } from '../segmentation/stats';
import type { RegionGrowOptions } from '../segmentation/region-grow';
import type { Vec3 } from '../core/vec3';

/** Lesion colours: none green, amber or violet (the Denis zone overlay uses those). */
export const LESION_COLORS = ['#ff5252', '#40c4ff', '#ff6e40', '#ff4081', '#536dfe', '#e0e0e0', '#a1887f', '#18ffff'];

let client: SegmentationClient | null = null;
let clientVolumeKey: string | null = null;
let lesionCounter = 1;
let queue: Promise<unknown> = Promise.resolve();

onVolumeShown(() => {
  client?.dispose();
  client = null;
  clientVolumeKey = null;
  store.update({
    lesions: [], activeLesionId: null, labelsVersion: store.state.labelsVersion + 1, seg: { ...store.state.seg, canUndo: false, canRedo: false, busy: null },
    anatomy: null, zoneProblem: null, showZones: false, zoneMapVersion: store.state.zoneMapVersion + 1, review: null,
  });
});

/** The engine for the shown volume (created on first use). */
function engine(): SegmentationClient | null {
  const key = store.state.volumeKey;
  if (!key) return null;
  if (client && clientVolumeKey === key) return client;
  const volume = volumeCache.get(key);
  if (!volume) return null;
  client?.dispose();
  client = new SegmentationClient(volume);
  clientVolumeKey = key;
  setSeg({ inWorker: client.inWorker });
  return client;
}

/** Label map of the shown volume, for the views (null before any lesion exists). */
export function currentLabels(): Uint8Array | null {
  return client && clientVolumeKey === store.state.volumeKey ? client.labels : null;
}

function setSeg(patch: Partial<SegmentationUi>): void {
  store.update({ seg: { ...store.state.seg, ...patch } });
}

export function summarize(s: LesionStats): LesionSummary {
  return {
    voxelCount: s.voxelCount,
    volumeMl: s.volumeMl,
    partialVolumeMl: s.partialVolumeMl,
    abc2Ml: s.abcAxial.volumeMl,
    abc2PrincipalMl: s.abcPrincipal.volumeMl,
    abcAxialMm: [s.abcAxial.aMm, s.abcAxial.bMm, s.abcAxial.cMm],
    maxDiameterMm: s.maxDiameterMm,
    principalDiametersMm: [...s.principalDiametersMm],
    centroidLps: [...s.centroidLps],
    meanHu: s.values?.mean ?? null,
    minHu: s.values?.min ?? null,
    maxHu: s.values?.max ?? null,
    sdHu: s.values?.sd ?? null,
    exceeds30mm: s.exceeds30mm,
    cohortZ: { ...s.cohortZ },
  };
}

/**
 * Run one engine command in order after the previous ones; apply its statistics to the lesion
 * list; show a busy note when it takes over 200 ms.
 */
function run(cmd: CaseCommand, busyText: string): Promise<CaseResult> {
  const c = engine();
  if (!c) return Promise.reject(new Error('no image is loaded'));
  const job = queue.then(async () => {
    const t0 = performance.now();
    const timer = setTimeout(() => setSeg({ busy: busyText }), 200);
    try {
      const r = await c.run(cmd);
      applyResult(r);
      setSeg({ busy: null, lastCommandMs: performance.now() - t0 });
      return r;
    } finally {
      clearTimeout(timer);
      if (store.state.seg.busy) setSeg({ busy: null });
    }
  });
  queue = job.catch(() => undefined);
  return job;
}

/** A planning request on the case engine, queued after any pending lesion or landmark edit. */
export function planRequest(cmd: PlanCommand, busyText: string | null): Promise<PlanReply> {
  const c = engine();
  if (!c) return Promise.reject(new Error('no image is loaded'));
  const job = queue.then(async () => {
    const timer = busyText ? setTimeout(() => setSeg({ busy: busyText }), 200) : null;
    try {
      return await c.plan(cmd);
    } finally {
      if (timer) clearTimeout(timer);
      if (busyText && store.state.seg.busy) setSeg({ busy: null });
    }
  });
  queue = job.catch(() => undefined);
  return job;
}

function zoneSummary(z: LesionZoneResult): LesionEntry['zone'] {
  return {
    zone: z.zone,
    zoneFractions: { ...z.zoneFractions },
    foraminaTouched: [...z.foraminaTouched],
    nearestForamen: z.nearestForamen ? { ...z.nearestForamen } : null,
    canalDistanceMm: z.canalDistanceMm,
    foraminaEntered: z.foraminaEntered.map((f) => ({ ...f })),
    canalDepthMm: z.canalDepthMm,
    approachFamily: z.approachFamily,
    explanation: z.explanation,
  };
}

function applyResult(r: CaseResult): void {
  const lesions = store.state.lesions.map((l) => {
    let next = l;
    if (l.label in r.stats) next = { ...next, stats: r.stats[l.label] ? summarize(r.stats[l.label]!) : null };
    if (l.label in r.zones) next = { ...next, zone: r.zones[l.label] ? zoneSummary(r.zones[l.label]!) : null };
    return next;
  });
  store.update({
    lesions,
    labelsVersion: store.state.labelsVersion + 1,
    zoneProblem: r.zoneProblem,
    ...(r.zoneMapChanged ? { zoneMapVersion: store.state.zoneMapVersion + 1 } : {}),
    seg: { ...store.state.seg, canUndo: r.canUndo, canRedo: r.canRedo },
  });
}

/** Replace the sacral landmarks of the shown volume; every lesion is re-classified and the zone map redrawn. */
export async function setAnatomy(anatomy: SacralAnatomy | null): Promise<void> {
  store.update({ anatomy });
  await run({ type: 'setAnatomy', anatomy }, 'Classifying lesions…');
}

/** Suggest the landmarks from the CT (in the case worker); hand-placed ones are kept. */
export async function detectAnatomy(): Promise<void> {
  if (!engine()) throw new Error('no image is loaded');
  const t0 = performance.now();
  const r = await run({ type: 'detectAnatomy' }, 'Finding the sacrum, canal and foramina…');
  const a = r.anatomy ?? null;
  store.update({ anatomy: a });
  const auto = a?.foramina.filter((f) => f.source === 'auto') ?? [];
  const missing = ['S1_L', 'S1_R', 'S2_L', 'S2_R', 'S3_L', 'S3_R', 'S4_L', 'S4_R'].filter((id) => !a?.foramina.some((f) => f.id === id));
  notify(
    missing.length ? 'warning' : 'info',
    `Landmarks suggested in ${((performance.now() - t0) / 1000).toFixed(1)} s: ${auto.length} foramina${a?.canal ? ', the canal' : ''}${a?.frame ? ', the sacral frame' : ''}.` +
      (missing.length ? ` Not found: ${missing.join(', ')}; place them by hand (drag a marker, or setForamen).` : ' Review them level by level; drag any marker to correct it.'),
  );
}

/** Predicted cement deposits of the shown volume (1 = cement), for the views. */
export function currentCementMap(): Uint8Array | null {
  return client && clientVolumeKey === store.state.volumeKey ? client.cementMap : null;
}

/** Zone map of the shown volume for the views (null before landmarks exist). */
export function currentZoneMap(): Uint8Array | null {
  return client && clientVolumeKey === store.state.volumeKey && store.state.anatomy ? client.zoneMap : null;
}

function freeLabel(): number {
  const used = new Set(store.state.lesions.map((l) => l.label));
  for (let l = 1; l < 256; l++) if (!used.has(l)) return l;
  throw new Error('at most 255 lesions per case');
}

/** A new, empty lesion (made active). */
export function newLesion(name?: string): LesionEntry {
  const label = freeLabel();
  const n = lesionCounter++;
  const entry: LesionEntry = { id: `lesion-${n}`, label, name: name ?? `Lesion ${n}`, color: LESION_COLORS[(label - 1) % LESION_COLORS.length]!, visible: true, stats: null, zone: null };
  store.update({ lesions: [...store.state.lesions, entry], activeLesionId: entry.id });
  return entry;
}

function activeLesion(): LesionEntry | null {
  return store.state.lesions.find((l) => l.id === store.state.activeLesionId) ?? null;
}

/** One click: grow a new lesion from this LPS point. Resolves to its id (rejects with the reason when nothing grew). */
export async function segmentLesionAt(seedLps: Vec3, options: RegionGrowOptions = {}): Promise<string> {
  if (!engine()) throw new Error('no image is loaded');
  if (store.state.loaded?.measurementBlockedReason) throw new Error(`cannot segment: ${store.state.loaded.measurementBlockedReason}`);
  const entry = newLesion();
  const r = await run({ type: 'regionGrow', seedLps: [seedLps[0], seedLps[1], seedLps[2]], label: entry.label, options }, 'Growing the lesion…');
  if (!r.grow || r.grow.voxelCount === 0) {
    removeEntry(entry.id);
    const why = r.grow?.message ?? 'nothing grew';
    throw new Error(`No lesion at that point: ${why}.`);
  }
  return entry.id;
}

function removeEntry(id: string): void {
  const lesions = store.state.lesions.filter((l) => l.id !== id);
  store.update({ lesions, activeLesionId: store.state.activeLesionId === id ? lesions.at(-1)?.id ?? null : store.state.activeLesionId });
}

let strokeLast: Vec3 | null = null;
let strokeLabel = 0;
let strokeEraseOnly: number | undefined;

/** Start a brush (erase = false) or eraser stroke at a point. The eraser removes the active lesion only. */
export function strokeStart(lps: Vec3, erase: boolean): void {
  if (!engine()) return;
  let lesion = activeLesion();
  if (!erase && !lesion) lesion = newLesion();
  if (erase && !lesion) return;
  strokeLabel = erase ? 0 : lesion!.label;
  strokeEraseOnly = erase ? lesion!.label : undefined;
  strokeLast = lps;
  void strokeSegment(lps, lps);
}

export function strokeTo(lps: Vec3): void {
  if (!strokeLast) return;
  const from = strokeLast;
  strokeLast = lps;
  void strokeSegment(from, lps);
}

export async function strokeEnd(): Promise<void> {
  if (!strokeLast) return;
  strokeLast = null;
  await run({ type: 'endStroke' }, 'Updating statistics…');
}

function strokeSegment(from: Vec3, to: Vec3): Promise<CaseResult> {
  const s = store.state.seg;
  return run(
    {
      type: 'stroke',
      fromLps: [...from],
      toLps: [...to],
      radiusMm: s.brushRadiusMm,
      label: strokeLabel,
      window: s.brushWindowHu,
      ...(strokeEraseOnly !== undefined ? { eraseOnly: strokeEraseOnly } : {}),
    },
    'Painting…',
  );
}

/** Paint (or erase) a capsule from one point to another in a lesion, as one undo step. */
export async function paint(fromLps: Vec3, toLps: Vec3, radiusMm: number, lesionId?: string, erase = false): Promise<string | null> {
  if (!engine()) throw new Error('no image is loaded');
  let lesion = lesionId ? store.state.lesions.find((l) => l.id === lesionId) ?? null : activeLesion();
  if (lesionId && !lesion) throw new Error(`unknown lesion ${lesionId}`);
  if (!lesion) {
    if (erase) return null;
    lesion = newLesion();
  }
  await run({ type: 'stroke', fromLps: [...fromLps], toLps: [...toLps], radiusMm, label: erase ? 0 : lesion.label, window: store.state.seg.brushWindowHu, ...(erase ? { eraseOnly: lesion.label } : {}) }, erase ? 'Erasing…' : 'Painting…');
  await run({ type: 'endStroke' }, 'Updating statistics…');
  return lesion.id;
}

/**
 * Label the voxels within the threshold window inside a box: the rectangle a→b drawn on a view's
 * plane, extended along the view normal by its larger side (a square drag gives a cube).
 */
export async function thresholdBox(aLps: Vec3, bLps: Vec3, normalLps: Vec3, lesionId?: string): Promise<string | null> {
  if (!engine()) throw new Error('no image is loaded');
  let lesion = lesionId ? store.state.lesions.find((l) => l.id === lesionId) ?? null : activeLesion();
  if (lesionId && !lesion) throw new Error(`unknown lesion ${lesionId}`);
  if (!lesion) lesion = newLesion();
  // Half the larger side of the rectangle (the views' axes are the patient axes).
  const ext = [0, 1, 2].map((c) => Math.abs(bLps[c]! - aLps[c]!) * (1 - Math.abs(normalLps[c]!)));
  const half = Math.max(...ext) / 2;
  const a: Vec3 = [aLps[0] - normalLps[0] * half, aLps[1] - normalLps[1] * half, aLps[2] - normalLps[2] * half];
  const b: Vec3 = [bLps[0] + normalLps[0] * half, bLps[1] + normalLps[1] * half, bLps[2] + normalLps[2] * half];
  await run({ type: 'thresholdBox', cornerALps: a, cornerBLps: b, window: store.state.seg.thresholdWindowHu, label: lesion.label }, 'Thresholding…');
  return lesion.id;
}

export function setThresholdWindow(lo: number, hi: number): void {
  if (!(lo <= hi)) return;
  setSeg({ thresholdWindowHu: [lo, hi] });
}

export async function deleteLesion(id: string): Promise<void> {
  const lesion = store.state.lesions.find((l) => l.id === id);
  if (!lesion) throw new Error(`unknown lesion ${id}`);
  if (engine()) await run({ type: 'deleteLabel', label: lesion.label }, 'Deleting…');
  removeEntry(id);
}

export async function undo(): Promise<void> {
  if (!store.state.seg.canUndo) return;
  await run({ type: 'undo' }, 'Undoing…');
}

export async function redo(): Promise<void> {
  if (!store.state.seg.canRedo) return;
  await run({ type: 'redo' }, 'Redoing…');
}

export type LesionOp = 'fillHoles' | 'keepLargest' | 'interpolate' | 'dilate' | 'erode';
export async function lesionOp(op: LesionOp, id?: string, radiusMm = 1): Promise<void> {
  const lesion = id ? store.state.lesions.find((l) => l.id === id) : activeLesion();
  if (!lesion) return;
  const cmd: CaseCommand = op === 'dilate' || op === 'erode' ? { type: op, label: lesion.label, radiusMm } : { type: op, label: lesion.label };
  await run(cmd, 'Working…');
}

/** Make a lesion the active one and bring its centroid into all views. */
export function setActiveLesion(id: string): void {
  const l = store.state.lesions.find((x) => x.id === id);
  store.update({ activeLesionId: id, ...(l?.stats && id !== store.state.activeLesionId ? { crosshairLps: [...l.stats.centroidLps] as Vec3, centreRequest: store.state.centreRequest + 1, centreFovMm: null } : {}) });
}

export function renameLesion(id: string, name: string): void {
  store.update({ lesions: store.state.lesions.map((l) => (l.id === id ? { ...l, name: name.trim() || l.name } : l)) });
}

export function setLesionVisible(id: string, visible: boolean): void {
  store.update({ lesions: store.state.lesions.map((l) => (l.id === id ? { ...l, visible } : l)), labelsVersion: store.state.labelsVersion + 1 });
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
