/**
 * The open case as the main thread sees it: the one handle on the case engine (worker or inline),
 * the queue every request goes through, undo/redo, and the projection of each reply into the
 * store (lesions, landmarks, needles, thresholds). The store never owns case data: it is rewritten
 * from the engine's CaseView after every request.
 */
import { store, onVolumeShown } from './actions';
import { volumeCache } from './volume-cache';
import { CaseClient } from './case-client';
import type { CaseCommand } from '../case/commands';
import type { CaseReply, CaseView, LesionView, NeedleView } from '../case/engine';
import type { CaseRequest } from '../case/protocol';
import type { LesionMethod, SeriesIdentity } from '../case/types';
import type { PlanMeta } from '../case/plan-file';
import type { PlanCommand, PlanReply } from '../planning/engine';
import type { AppState, LesionEntry, LesionSummary, LesionZoneSummary, SegmentationUi } from './store';
import { cohortZ, shownVolume, type LesionStats } from '../segmentation/stats';
import type { LesionZoneResult } from '../anatomy/classify';
import type { Trajectory } from '../planning/types';
import type { Vec3 } from '../core/vec3';

let client: CaseClient | null = null;
let clientVolumeKey: string | null = null;
let queue: Promise<unknown> = Promise.resolve();
let lastView: CaseView | null = null;
const replyHooks: ((r: CaseReply) => void)[] = [];

onVolumeShown(() => {
  client?.dispose();
  client = null;
  clientVolumeKey = null;
  lastView = null;
  savedRevision = 0;
  store.update({
    caseRevision: 0,
    lesions: [], activeLesionId: null, labelsVersion: store.state.labelsVersion + 1, seg: { ...store.state.seg, canUndo: false, canRedo: false, undoName: null, redoName: null, busy: null },
    anatomy: null, zoneProblem: null, showZones: false, zoneMapVersion: store.state.zoneMapVersion + 1, review: null,
    trajectories: [], selectedTrajectoryId: null, cementVersion: store.state.cementVersion + 1,
  });
});

/** Called after every reply of the case (autosave listens). */
export function onCaseReply(hook: (r: CaseReply) => void): void {
  replyHooks.push(hook);
}

/** The case client of the shown volume (created on first use), or null without an image. */
export function caseClient(): CaseClient | null {
  const key = store.state.volumeKey;
  if (!key) return null;
  if (client && clientVolumeKey === key) return client;
  const volume = volumeCache.get(key);
  if (!volume) return null;
  client?.dispose();
  const c = new CaseClient(volume);
  client = c;
  clientVolumeKey = key;
  // the MR outline, made beside the commands, redraws the zone map when it comes back
  c.onUpdate = (r) => {
    if (client === c) applyReply(r);
  };
  setSeg({ inWorker: client.inWorker });
  return client;
}

/** The last projection of the case (null before the first request). */
export function caseView(): CaseView | null {
  return lastView;
}

export function setSeg(patch: Partial<SegmentationUi>): void {
  store.update({ seg: { ...store.state.seg, ...patch } });
}

function current<T>(a: T): T | null {
  return client && clientVolumeKey === store.state.volumeKey ? a : null;
}
/** Label map of the shown volume, for the views. */
export function currentLabels(): Uint8Array | null {
  return client ? current(client.labels) : null;
}
/** Predicted cement deposits of the shown volume (1 = cement), for the views. */
export function currentCementMap(): Uint8Array | null {
  return client ? current(client.cementMap) : null;
}
/** Zone map of the shown volume for the views (null before landmarks exist). */
export function currentZoneMap(): Uint8Array | null {
  return client && store.state.anatomy ? current(client.zoneMap) : null;
}

/**
 * Sends one request after the previous ones, projects its reply into the store, and shows a busy
 * note when it takes over 200 ms (busyText null: never).
 */
function enqueue<T>(work: (c: CaseClient) => Promise<T>, busyText: string | null, project: (r: T) => void): Promise<T> {
  const c = caseClient();
  if (!c) return Promise.reject(new Error('no image is loaded'));
  const job = queue.then(async () => {
    const t0 = performance.now();
    const timer = busyText ? setTimeout(() => setSeg({ busy: busyText }), 200) : null;
    try {
      const r = await work(c);
      if (client === c) project(r);
      if (busyText) setSeg({ busy: null, lastCommandMs: performance.now() - t0 });
      return r;
    } finally {
      if (timer) clearTimeout(timer);
      if (busyText && store.state.seg.busy) setSeg({ busy: null });
    }
  });
  queue = job.catch(() => undefined);
  return job;
}

type ReplyRequest = Exclude<CaseRequest, { type: 'query' } | { type: 'exportPlan' }>;
function caseRequest(req: ReplyRequest, busyText: string | null): Promise<CaseReply> {
  return enqueue((c) => c.request(req) as Promise<CaseReply>, busyText, applyReply);
}

/**
 * Runs one case command (one undo step, or part of its gesture's step). `cmd` may be a function
 * called when the command's turn in the queue comes (null: send nothing, answer the current view).
 */
export function caseRun(cmd: CaseCommand | (() => CaseCommand | null), busyText: string | null, options: { defer?: boolean; preview?: Partial<AppState> } = {}): Promise<CaseReply> {
  // A preview (a dragged marker drawn where it was dropped) shows until the case answers; a
  // failed command puts the last projection back.
  if (options.preview) store.update(options.preview);
  const job = enqueue((c) => {
    const built = typeof cmd === 'function' ? cmd() : cmd;
    const req: ReplyRequest = built ? { type: 'command', cmd: built, ...(options.defer ? { defer: true } : {}) } : { type: 'refresh' };
    return c.request(req) as Promise<CaseReply>;
  }, busyText, applyReply);
  if (options.preview) job.catch(() => { if (lastView) store.update({ anatomy: lastView.anatomy, trajectories: lastView.needles.map(trajectory) }); });
  return job;
}

/** Closes a gesture (the end of a drag) and brings deferred statistics up to date. */
export function caseEndGesture(busyText: string | null): Promise<CaseReply> {
  return caseRequest({ type: 'endGesture' }, busyText);
}

/** The case as a .sacroplan file (written in the case worker, after pending edits). */
/** A copy of the detected sacrum bone mask (null before landmark detection). */
export function caseSacrumMask(): Promise<Uint8Array | null> {
  return enqueue((c) => c.request({ type: 'sacrumMask' }), null, () => undefined);
}

export function caseExportPlan(meta: PlanMeta, busyText: string | null = 'Saving the plan…'): Promise<Uint8Array> {
  return enqueue((c) => c.request({ type: 'exportPlan', meta }), busyText, () => undefined);
}

/** Revision of the case when it was last saved to a plan file, opened or restored (the unsaved-work guard compares). */
let savedRevision = 0;

/** The case as it is now is saved (a plan written, opened or restored). */
export function markCaseSaved(): void {
  savedRevision = store.state.caseRevision;
}

/** Edits since the case was last saved, opened or restored (or since the image was shown). */
export function hasUnsavedChanges(): boolean {
  return store.state.caseRevision !== savedRevision;
}

/** Replaces the case by a plan file's; rejects with the reason (and changes nothing) when it cannot open here. */
export async function caseOpenPlan(bytes: Uint8Array, identity: SeriesIdentity): Promise<CaseReply> {
  // the masks, landmarks and needles show with the first answer; the lesion statistics follow
  const r = await caseRequest({ type: 'openPlan', bytes, identity, defer: true }, 'Opening the plan…');
  void caseRequest({ type: 'refresh' }, null).catch(() => undefined);
  return r;
}

/** A planning query on the case that changes nothing (queued after pending edits). */
export function planQuery(cmd: PlanCommand, busyText: string | null): Promise<PlanReply> {
  return enqueue((c) => c.request({ type: 'query', cmd }), busyText, () => undefined);
}

/**
 * Undo: the voxels, landmarks and needles go back with the first answer; the statistics of the
 * lesions it touched follow in a second one (a lesion's statistics take ~0.1 s, see bench/case.mjs).
 * Resolves when the view shows the undone state (caseSettled waits for the statistics too).
 */
export async function undo(): Promise<void> {
  if (!store.state.seg.canUndo) return;
  await caseRequest({ type: 'undo', defer: true }, 'Undoing…');
  void caseRequest({ type: 'refresh' }, null).catch(() => undefined);
}

export async function redo(): Promise<void> {
  if (!store.state.seg.canRedo) return;
  await caseRequest({ type: 'redo', defer: true }, 'Redoing…');
  void caseRequest({ type: 'refresh' }, null).catch(() => undefined);
}

/** Resolves when every queued case request has been answered and the display work beside them (the MR outline) is done. */
export async function caseSettled(): Promise<void> {
  for (;;) {
    const q = queue;
    await q;
    await client?.backgroundIdle();
    if (q === queue) return;
  }
}

export function summarize(s: LesionStats, method?: LesionMethod, brushEdited = false): LesionSummary {
  const shown = shownVolume(s, method === 'semiautomatic', brushEdited);
  return {
    voxelCount: s.voxelCount,
    volumeMl: s.volumeMl,
    partialVolumeMl: s.partialVolumeMl,
    shownVolumeMl: shown.volumeMl,
    shownVolumeBasis: shown.basis,
    shownVolumeBrushEdited: shown.brushEdited === true,
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
    // against the study's volumes: the volume the panel shows
    cohortZ: cohortZ(shown.volumeMl),
  };
}

function zoneSummary(z: LesionZoneResult): LesionZoneSummary {
  return {
    zone: z.zone,
    zoneFractions: { ...z.zoneFractions },
    foraminaTouched: [...z.foraminaTouched],
    nearestForamen: z.nearestForamen ? { ...z.nearestForamen } : null,
    canalDistanceMm: z.canalDistanceMm,
    foraminaEntered: z.foraminaEntered.map((f) => ({ ...f })),
    canalDepthMm: z.canalDepthMm,
    borderline: z.borderline ? { zones: [z.borderline.zones[0], z.borderline.zones[1]], marginMm: z.borderline.marginMm, toleranceMm: z.borderline.toleranceMm } : null,
    approachFamily: z.approachFamily,
    explanation: z.explanation,
  };
}

function lesionEntry(l: LesionView): LesionEntry {
  return { id: l.id, label: l.label, name: l.name, color: l.color, visible: l.visible, notes: l.notes, stats: l.stats ? summarize(l.stats, l.method, l.brushEdited === true) : null, zone: l.zone ? zoneSummary(l.zone) : null, outsideSacrumMl: l.outsideSacrumMl,
    seeds: (l.seeds ?? []).map((s) => ({ kind: s.kind, radiusMm: s.radiusMm, pointsLps: s.pointsLps.map((p) => [p[0], p[1], p[2]] as Vec3) })) };
}

function trajectory(n: NeedleView): Trajectory {
  return { id: n.id, approach: n.approach, lesionId: n.lesionId, needle: n.needle, entryLps: n.entryLps, targetLps: n.targetLps, advance: n.advance, metrics: n.metrics, ablation: n.ablationPlan, cement: n.cement, source: n.source };
}

/** The projection: the store's case fields rewritten from the engine's view. */
function applyReply(r: CaseReply): void {
  const v = r.view;
  lastView = v;
  const s = store.state;
  const lesions = v.lesions.map(lesionEntry);
  const trajectories = v.needles.map(trajectory);
  const active = lesions.some((l) => l.id === s.activeLesionId) ? s.activeLesionId : lesions.at(-1)?.id ?? null;
  store.update({
    lesions,
    activeLesionId: active,
    anatomy: v.anatomy,
    zoneProblem: v.zoneProblem,
    trajectories,
    selectedTrajectoryId: trajectories.some((t) => t.id === s.selectedTrajectoryId) ? s.selectedTrajectoryId : null,
    thresholds: v.thresholds,
    labelsVersion: s.labelsVersion + 1,
    ...(r.zoneMapChanged ? { zoneMapVersion: s.zoneMapVersion + 1 } : {}),
    ...(r.cementChanged ? { cementVersion: s.cementVersion + 1 } : {}),
    seg: { ...s.seg, canUndo: v.canUndo, canRedo: v.canRedo, undoName: v.undoName, redoName: v.redoName },
    caseRevision: v.revision,
  });
  for (const h of replyHooks) h(r);
}
