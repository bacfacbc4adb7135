/**
 * Teaching actions: the built-in case library (src/teaching), fellow attempts and their scores,
 * progress kept in IndexedDB, presenter mode and share links.
 *
 * A library case opens like any plan: its phantom and expert plan are built in a worker
 * (workers/teaching.worker.ts), the volume is shown and the expert plan file (or, for a fellow,
 * the start plan with the landmarks only) is opened in the case. Everything the fellow makes is the
 * case's (lesions, needles: one undo history); the attempt's own answers (the zone named, the
 * approach chosen, declined) and the score live here.
 */
import { openDB, type IDBPDatabase } from 'idb';
import { store, notify, showVolume, setProgress, setDemoTruth, onVolumeShown } from './actions';
import { caseOpenPlan, markCaseSaved, caseExportPlan, caseSettled } from './case';
import { currentIdentity, APP_VERSION } from './plan';
import * as planning from './planning';
import { downloadBlob } from './download';
import { volumeCache } from './volume-cache';
import { seriesIdentity } from '../case/identity';
import { VolumeGeometry } from '../core/geometry';
import type { ScalarVolume } from '../core/volume';
import type { Vec3 } from '../core/vec3';
import { TEACHING_CASES, findTeachingCase, type TeachingCase } from '../teaching/cases';
import { caseUids } from '../teaching/expert';
import { scoreAttempt, type AttemptInput, type AttemptScore, type ExpertSummary } from '../teaching/score';
import { attemptRecord, progressCsv, type AttemptRecord } from '../teaching/progress';
import { decodeShare, encodeShare, isShareFragment, ShareLinkError, type SharedCase } from '../teaching/share';
import { PRESENTER_STEPS } from '../teaching/presenter';
import { needleVerdict } from '../planning/verdict';
import { findNeedle } from '../planning/needles';
import { minNeuralClearanceMm } from '../planning/trajectory';
import { APPROACH_NAMES, type ApproachName } from '../planning/types';

export interface CaseListing {
  id: string;
  title: string;
  zone: 1 | 2 | 3;
  recommendedApproach: string;
}

export interface TeachingAnswer {
  zone: 1 | 2 | 3 | null;
  approach: ApproachName | null;
  declined: boolean;
}

export interface TeachingState {
  /** What the open library case is open for ('none': no library case is open). */
  mode: 'none' | 'expert' | 'fellow' | 'presenter';
  caseId: string | null;
  /** The expert's plan summary (shown after scoring, in expert and presenter modes). */
  expert: ExpertSummary | null;
  answer: TeachingAnswer;
  score: AttemptScore | null;
  presenterStep: number;
  /** The presenter's note for the current step (what the step did, e.g. the coverage reached). */
  presenterNote: string | null;
  /** The last share link made or opened. */
  shareUrl: string | null;
  progress: AttemptRecord[];
  /** The user's own cases in this browser (newest first). */
  userCases: UserCaseInfo[];
  busy: string | null;
}

const EMPTY_ANSWER: TeachingAnswer = { zone: null, approach: null, declined: false };

class TeachingStore {
  state: TeachingState = { mode: 'none', caseId: null, expert: null, answer: EMPTY_ANSWER, score: null, presenterStep: 0, presenterNote: null, shareUrl: null, progress: [], userCases: [], busy: null };
  private subs = new Set<(s: TeachingState) => void>();
  update(p: Partial<TeachingState>): void {
    this.state = { ...this.state, ...p };
    for (const f of this.subs) f(this.state);
  }
  subscribe(f: (s: TeachingState) => void): () => void {
    this.subs.add(f);
    return () => this.subs.delete(f);
  }
}
export const teaching = new TeachingStore();

/** The expert and start plans of the open library case (reopened when the presenter steps back). */
let openPlans: { caseId: string; plan: Uint8Array; start: Uint8Array } | null = null;
/** A volume shown by the library itself (any other volume closes the library case). */
let ownVolume = false;

onVolumeShown(() => {
  if (ownVolume) return;
  openPlans = null;
  if (teaching.state.mode !== 'none') teaching.update({ mode: 'none', caseId: null, expert: null, score: null, answer: EMPTY_ANSWER });
  if (store.state.teachingHidesAnswers) store.update({ teachingHidesAnswers: false });
});

export function listCases(): CaseListing[] {
  return TEACHING_CASES.map((c) => ({ id: c.id, title: c.title, zone: c.zone, recommendedApproach: c.recommendedApproach }));
}

function caseOf(id: string): TeachingCase {
  const c = findTeachingCase(id);
  if (!c) throw new Error(`no built-in case "${id}" (known: ${TEACHING_CASES.map((x) => x.id).join(', ')})`);
  return c;
}

interface Built { volume: ScalarVolume; truth: unknown; plan: Uint8Array; start: Uint8Array; summary: ExpertSummary }

async function buildInWorker(c: TeachingCase): Promise<Built> {
  const worker = new Worker(new URL('../workers/teaching.worker.ts', import.meta.url), { type: 'module' });
  try {
    const r = await new Promise<any>((resolve, reject) => {
      worker.onmessage = (e) => resolve(e.data);
      worker.onerror = (e) => reject(new Error(e.message || 'the case worker failed'));
      worker.postMessage({ caseId: c.id });
    });
    if (r.error) throw new Error(r.error);
    const geometry = new VolumeGeometry(r.geometry);
    return { volume: { id: `case-${c.id}`, geometry, voxels: new Int16Array(r.voxels), units: 'HU', modality: 'CT' }, truth: r.truth, plan: new Uint8Array(r.planBytes), start: new Uint8Array(r.startBytes), summary: r.summary };
  } finally {
    worker.terminate();
  }
}

/**
 * Opens a library case: its series and its expert plan ('expert', 'presenter') or only its
 * landmarks ('fellow'). The unsaved-work guard is the caller's (the panel asks first).
 */
export async function openCase(id: string, mode: 'expert' | 'fellow' | 'presenter' = 'expert'): Promise<void> {
  const c = caseOf(id);
  teaching.update({ busy: `Building "${c.title}"…` });
  setProgress(`Building the teaching case "${c.title}" and its expert plan…`, { phase: 'building', done: 0, total: 1 });
  try {
    const b = await buildInWorker(c);
    const { studyUid, seriesUid } = caseUids(c.id);
    ownVolume = true;
    try {
      showVolume(b.volume, {
        source: 'demo', seriesKey: null, studyUid, seriesUid, modality: 'CT',
        description: `Teaching case: ${c.title}`, patientName: 'TEACHING^CASE', patientId: `SACROPLAN-${c.id}`,
        studyDescription: 'SacroPlan teaching library (synthetic)', warnings: [], measurementBlockedReason: null,
      });
    } finally {
      ownVolume = false;
    }
    setDemoTruth(b.truth);
    openPlans = { caseId: c.id, plan: b.plan, start: b.start };
    const identity = currentIdentity()!;
    await caseOpenPlan(mode === 'fellow' ? b.start : b.plan, identity);
    await caseSettled();
    markCaseSaved();
    const hide = mode === 'fellow';
    store.update({ teachingHidesAnswers: hide, showZones: false });
    teaching.update({ mode, caseId: c.id, expert: b.summary, answer: EMPTY_ANSWER, score: null, presenterStep: 0, presenterNote: null });
  } catch (err) {
    notify('error', `The teaching case "${c.title}" could not be opened: ${(err as Error).message}`);
    throw err;
  } finally {
    setProgress('', null);
    teaching.update({ busy: null });
  }
}

/** Starts a fellow's attempt: the case with its landmarks only; zones, labels and the answer hidden. */
export async function startAttempt(id: string): Promise<void> {
  await openCase(id, 'fellow');
  await loadProgress();
}

export function setAnswer(p: Partial<TeachingAnswer>): void {
  if (p.approach !== undefined && p.approach !== null && !(APPROACH_NAMES as readonly string[]).includes(p.approach)) throw new Error(`unknown approach "${p.approach}"`);
  if (p.zone !== undefined && p.zone !== null && ![1, 2, 3].includes(p.zone)) throw new Error('the zone is 1, 2 or 3');
  teaching.update({ answer: { ...teaching.state.answer, ...p } });
}

/** What the fellow made, as the scoring reads it (the case's lesions and needles, the answers given here). */
export function attemptInput(): AttemptInput {
  const s = store.state;
  const a = teaching.state.answer;
  return {
    lesions: s.lesions.filter((l) => (l.stats?.voxelCount ?? 0) > 0).map((l) => ({ id: l.id, volumeMl: l.stats!.volumeMl, centroidLps: l.stats!.centroidLps as Vec3 })),
    namedZone: a.zone, declined: a.declined, approach: a.approach,
    needles: s.trajectories.map((t) => {
      const v = needleVerdict(t);
      const mc = minNeuralClearanceMm(t.metrics);
      return {
        id: t.id, approach: t.approach ?? a.approach, targetLps: t.targetLps, status: v.status, reasons: v.checks.filter((c) => c.level !== 'pass').map((c) => c.text),
        minClearanceMm: Number.isFinite(mc) ? mc : null, nearestForamen: t.metrics.nearestForamen, canalClearanceMm: t.metrics.canalClearanceMm,
      };
    }),
  };
}

/** Scores the current attempt, keeps it in the local progress and reveals the answer on the images. */
export async function score(): Promise<AttemptScore> {
  const t = teaching.state;
  if (t.mode !== 'fellow' || !t.expert || !t.caseId) throw new Error('no attempt is running: start one from the Library (Fellow attempt)');
  await caseSettled();
  await planning.settled();
  const result = scoreAttempt(t.expert, attemptInput());
  const rec = attemptRecord(result, caseOf(t.caseId).title, new Date().toISOString());
  try {
    await (await db()).add(ATTEMPTS, rec);
  } catch (err) {
    notify('warning', `The score could not be kept in this browser's storage: ${(err as Error).message}`);
  }
  // Show what was risky: the worst needle is selected and the views go to the structure it came nearest.
  const worst = [...store.state.trajectories].sort((x, y) => rankOf(needleVerdict(x).status) - rankOf(needleVerdict(y).status))[0];
  const near = worst && needleVerdict(worst).status !== 'pass' ? worst.metrics.nearestForamen : null;
  const f = near ? store.state.anatomy?.foramina.find((x) => x.id === near.id) : null;
  store.update({ teachingHidesAnswers: false, showZones: true, ...(worst ? { selectedTrajectoryId: worst.id } : {}), ...(f ? { crosshairLps: [...f.posteriorLps] as Vec3 } : {}) });
  teaching.update({ score: result, progress: [...t.progress, rec] });
  return result;
}

const rankOf = (s: 'pass' | 'warn' | 'fail'): number => (s === 'fail' ? 0 : s === 'warn' ? 1 : 2);

// ------------------------------------------------------------------ progress (IndexedDB)

const DB_NAME = 'sacroplan-teaching';
const ATTEMPTS = 'attempts';
const USER_CASES = 'userCases';
let dbp: Promise<IDBPDatabase> | null = null;
function db(): Promise<IDBPDatabase> {
  dbp ??= openDB(DB_NAME, 1, {
    upgrade: (d) => {
      d.createObjectStore(ATTEMPTS, { autoIncrement: true });
      d.createObjectStore(USER_CASES, { keyPath: 'id' });
    },
  });
  return dbp;
}

export async function loadProgress(): Promise<AttemptRecord[]> {
  try {
    const all = (await (await db()).getAll(ATTEMPTS)) as AttemptRecord[];
    teaching.update({ progress: all });
    return all;
  } catch (err) {
    notify('warning', `The teaching progress could not be read from this browser's storage: ${(err as Error).message}`);
    return teaching.state.progress;
  }
}

export async function progressAsCsv(): Promise<string> {
  return progressCsv(await loadProgress());
}

export async function downloadProgress(): Promise<void> {
  const csv = await progressAsCsv();
  downloadBlob(new Blob([csv], { type: 'text/csv' }), `sacroplan-progress-${new Date().toISOString().slice(0, 10)}.csv`);
}

export async function clearProgress(): Promise<void> {
  await (await db()).clear(ATTEMPTS);
  teaching.update({ progress: [] });
}

// ------------------------------------------------------------------ presenter and share links

/** Opens a case for presenting, at a step. */
export async function present(id: string, step = 0): Promise<void> {
  await openCase(id, 'presenter');
  await setPresenterStep(step, true);
}

export function exitPresenter(): void {
  teaching.update({ mode: teaching.state.caseId ? 'expert' : 'none' });
}

/** Brings the views to a presenter step (anatomy → … → cement). */
export async function setPresenterStep(step: number, force = false): Promise<void> {
  const t = teaching.state;
  if (!t.caseId || !openPlans) throw new Error('no library case is open');
  const next = Math.max(0, Math.min(PRESENTER_STEPS.length - 1, Math.round(step)));
  if (next === t.presenterStep && !force) return;
  const key = PRESENTER_STEPS[next]!.key;
  teaching.update({ busy: PRESENTER_STEPS[next]!.title, presenterStep: next, presenterNote: null });
  try {
    // Going back before the ablation or cement (or a fresh start) reopens the plan as it was.
    const stepIdx = (k: string) => PRESENTER_STEPS.findIndex((s) => s.key === k);
    if (force || next < t.presenterStep && t.presenterStep >= stepIdx('ablation')) {
      await caseOpenPlan(openPlans.plan, currentIdentity()!);
      await caseSettled();
      markCaseSaved();
    }
    const s = store.state;
    const lesions = s.lesions;
    const centroid = lesions[0]?.stats?.centroidLps ?? null;
    store.update({ showZones: next >= stepIdx('zone') });
    if (centroid && next >= stepIdx('lesion')) store.update({ crosshairLps: [...centroid] as Vec3 });
    const needles = store.state.trajectories;
    if (key === 'needle') {
      for (const n of needles) planning.setAdvance(n.id, 0);
      for (let a = 0.25; a <= 1.0001; a += 0.25) {
        await new Promise((r) => setTimeout(r, 250));
        for (const n of needles) planning.setAdvance(n.id, a);
      }
      await caseSettled();
    } else if (next < stepIdx('needle')) {
      for (const n of needles) planning.setAdvance(n.id, 0);
    } else {
      for (const n of needles) if (n.advance < 1) planning.setAdvance(n.id, 1);
    }
    if (next >= stepIdx('ablation') && needles.length) {
      const notes: string[] = [];
      for (const n of store.state.trajectories) {
        if (!n.needle.activeTipMm) {
          try {
            const aim = await planning.aimElectrode(n.id, planning.needles().find((x) => x.id === '17G-rf-20'));
            const best = aim.options.find((o) => o.burns === aim.burns);
            notes.push(`${n.id}: 17 G electrode, 2 cm tip, ${aim.burns} burn(s), coverage ${best ? Math.round(best.coverage * 100) : '?'} %${aim.reasons[0] ? ` (${aim.reasons[0]})` : ''}`);
          } catch (err) {
            notes.push(`${n.id}: ${(err as Error).message}`);
          }
        }
      }
      if (next === stepIdx('ablation')) teaching.update({ presenterNote: notes.join('; ') || null });
    }
    if (next >= stepIdx('cement')) {
      const notes: string[] = [];
      for (const n of store.state.trajectories) {
        try { notes.push(`${n.id}: ${await planning.aimCement(n.id)}`); } catch (err) { notes.push(`${n.id}: ${(err as Error).message}`); }
      }
      teaching.update({ presenterNote: notes.join('; ') || null });
    }
    await caseSettled();
    await planning.settled();
  } finally {
    teaching.update({ busy: null });
  }
}

/** A link that opens this library case at the presenter step with the needles as they are now. */
export function shareLink(): string {
  const t = teaching.state;
  if (!t.caseId) throw new Error('share links are for the built-in library cases: open one from the Library first');
  const needles = store.state.trajectories.map((n) => {
    if (!findNeedle(n.needle.id)) throw new Error(`needle ${n.id} is a user-defined needle, which a link cannot carry`);
    return { needle: n.needle.id, approach: n.approach, entryLps: n.entryLps, targetLps: n.targetLps };
  });
  const shared: SharedCase = { caseId: t.caseId, step: t.presenterStep, needles };
  const url = `${location.origin}${location.pathname}#${encodeShare(shared)}`;
  teaching.update({ shareUrl: url });
  return url;
}

export { isShareFragment };

/**
 * Opens a share link's case at its step with its needles (replacing the expert's). A damaged or
 * changed link opens nothing and says why (ShareLinkError).
 */
export async function openShared(hash: string): Promise<void> {
  let shared: SharedCase;
  try {
    shared = decodeShare(hash);
  } catch (err) {
    const msg = err instanceof ShareLinkError ? err.message : String(err);
    notify('error', `The shared link was not opened: ${msg}.`);
    throw err;
  }
  await openCase(shared.caseId, 'presenter');
  for (const n of [...store.state.trajectories]) await planning.deleteTrajectory(n.id);
  const lesions = store.state.lesions;
  for (const n of shared.needles) {
    // each needle belongs to the lesion its tip is nearest to
    let lesionId: string | null = null, bd = Infinity;
    for (const l of lesions) {
      const c = l.stats?.centroidLps;
      if (!c) continue;
      const d = Math.hypot(c[0] - n.targetLps[0], c[1] - n.targetLps[1], c[2] - n.targetLps[2]);
      if (d < bd) { bd = d; lesionId = l.id; }
    }
    await planning.setTrajectory({ entryLps: n.entryLps, targetLps: n.targetLps, needle: n.needle, approach: n.approach, lesionId });
  }
  await caseSettled();
  // the shared plan is what the presenter returns to when stepping back
  const identity = currentIdentity()!;
  openPlans = { ...openPlans!, plan: await caseExportPlan({ appVersion: APP_VERSION, savedAt: new Date().toISOString(), series: identity }, null) };
  markCaseSaved();
  await setPresenterStep(shared.step, true);
  teaching.update({ shareUrl: `${location.origin}${location.pathname}#${hash.replace(/^#/, '')}` });
}

// ------------------------------------------------------------------ the user's own cases (IndexedDB)

/** A case the user added to the local library: listed without its voxels. */
export interface UserCaseInfo {
  id: string;
  title: string;
  addedAt: string;
  /** Zone of the first lesion and approach of the first needle when it was added (null: none). */
  zone: 1 | 2 | 3 | null;
  approach: string | null;
  lesions: number;
  needles: number;
  sizeMb: number;
}

interface UserCaseRecord extends UserCaseInfo {
  geometry: ReturnType<VolumeGeometry['toJSON']>;
  voxels: ScalarVolume['voxels'];
  units: ScalarVolume['units'];
  modality: string;
  plan: Uint8Array;
}

/** Study UID of the user's library: a stored case gets its own series UID, so its plan opens on it alone. */
const USER_STUDY_UID = 'sacroplan-user-library';

export async function listUserCases(): Promise<UserCaseInfo[]> {
  const d = await db();
  const out: UserCaseInfo[] = [];
  let cur = await d.transaction(USER_CASES).store.openCursor();
  while (cur) {
    const { geometry: _g, voxels: _v, plan: _p, units: _u, modality: _m, ...info } = cur.value as UserCaseRecord;
    out.push(info);
    cur = await cur.continue();
  }
  out.sort((a, b) => b.addedAt.localeCompare(a.addedAt));
  teaching.update({ userCases: out });
  return out;
}

/**
 * Adds the open case (its series and its plan) to the local library, de-identified by
 * construction: what is kept is the voxel grid, the voxels and the plan, re-keyed to a new
 * identity; no patient name, ID, birth date, study or series UID of the source is stored.
 */
export async function addOpenCaseToLibrary(title: string): Promise<UserCaseInfo> {
  const name = title.trim();
  if (!name) throw new Error('give the case a title (no patient names: the library is for de-identified cases)');
  if (name.length > 120) throw new Error('the title is longer than 120 characters');
  const l = store.state.loaded;
  const volume = volumeCache.get(store.state.volumeKey);
  if (!l || !volume) throw new Error('open a series and its plan first');
  if (l.measurementBlockedReason) throw new Error(`this series cannot be measured (${l.measurementBlockedReason}), so it cannot be a teaching case`);
  const patientWords = [l.patientName, l.patientId].map((x) => x.replace(/\^/g, ' ').trim().toLowerCase()).filter((x) => x.length >= 3);
  if (patientWords.some((w) => name.toLowerCase().includes(w))) throw new Error('the title contains the patient\'s name or ID: give it a de-identified title');
  await caseSettled();
  const id = `u${Date.now().toString(36)}${Math.floor(Math.random() * 1296).toString(36)}`;
  const identity = seriesIdentity(volume.geometry, USER_STUDY_UID, `sacroplan-user-${id}`);
  const plan = await caseExportPlan({ appVersion: APP_VERSION, savedAt: new Date().toISOString(), series: identity }, 'Adding the case to the library…');
  const s = store.state;
  const voxels = volume.voxels.slice() as ScalarVolume['voxels'];
  const rec: UserCaseRecord = {
    id, title: name, addedAt: new Date().toISOString(),
    zone: s.lesions[0]?.zone?.zone ?? null, approach: s.trajectories[0]?.approach ?? null,
    lesions: s.lesions.length, needles: s.trajectories.length,
    sizeMb: Math.round(((voxels.byteLength + plan.byteLength) / 1048576) * 10) / 10,
    geometry: volume.geometry.toJSON(), voxels, units: volume.units, modality: volume.modality ?? l.modality, plan,
  };
  try {
    await (await db()).put(USER_CASES, rec);
  } catch (err) {
    throw new Error(`the case could not be stored in this browser (${(err as Error).name === 'QuotaExceededError' ? 'storage is full' : (err as Error).message})`);
  }
  await listUserCases();
  notify('info', `"${name}" was added to your library (${rec.sizeMb} MB, without patient identifiers).`);
  const { geometry: _g, voxels: _v, plan: _p, units: _u, modality: _m, ...info } = rec;
  return info;
}

/** Opens a case of the user's library: its voxels and its plan. */
export async function openUserCase(id: string): Promise<void> {
  const rec = (await (await db()).get(USER_CASES, id)) as UserCaseRecord | undefined;
  if (!rec) throw new Error(`no case "${id}" in your library`);
  const geometry = new VolumeGeometry(rec.geometry);
  ownVolume = true;
  try {
    showVolume({ id: `user-${rec.id}`, geometry, voxels: rec.voxels, units: rec.units, modality: rec.modality }, {
      source: 'library', seriesKey: null, studyUid: USER_STUDY_UID, seriesUid: `sacroplan-user-${rec.id}`, modality: rec.modality,
      description: `My case: ${rec.title}`, patientName: '', patientId: '', studyDescription: 'SacroPlan user library (de-identified)', warnings: [], measurementBlockedReason: null,
    });
  } finally {
    ownVolume = false;
  }
  openPlans = null;
  teaching.update({ mode: 'none', caseId: null, expert: null, score: null, answer: EMPTY_ANSWER });
  await caseOpenPlan(rec.plan, currentIdentity()!);
  await caseSettled();
  markCaseSaved();
}

export async function deleteUserCase(id: string): Promise<void> {
  await (await db()).delete(USER_CASES, id);
  await listUserCases();
}
