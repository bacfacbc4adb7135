/**
 * Autosave of the open case to IndexedDB (via idb), the offer to restore it when the same series
 * is opened again, the list of saved cases, and the unsaved-work guard (closing the tab, opening
 * another study or the demo). A record is the case's .sacroplan bytes (written in the case worker:
 * label map run-length coded and deflated, never the CT), keyed by the study and series UIDs and
 * the grid fingerprint (src/case/identity.ts).
 */
import { openDB } from 'idb';
import { store, notify, onVolumeShown } from './actions';
import { onCaseReply, caseExportPlan, caseOpenPlan, markCaseSaved, hasUnsavedChanges } from './case';
import { currentIdentity, APP_VERSION } from './plan';
import { identityKey } from '../case/identity';
import { Autosaver, type CaseStore, type SavedCaseRecord, type AutosaveStatus } from './autosave-core';

export type { AutosaveStatus, SavedCaseRecord };

const DB_NAME = 'sacroplan';
const STORE = 'cases';

let dbPromise: Promise<CaseStore> | null = null;
/** The IndexedDB store (opened once; a private window or blocked storage rejects with the reason). */
function caseStore(): Promise<CaseStore> {
  dbPromise ??= (async (): Promise<CaseStore> => {
    let db;
    try {
      if (typeof indexedDB === 'undefined') throw new Error('IndexedDB is not available in this browser');
      db = await openDB(DB_NAME, 1, { upgrade: (d) => { d.createObjectStore(STORE, { keyPath: 'key' }); } });
    } catch (err) {
      const e = new Error((err as Error).message || String(err));
      e.name = (err as Error).name === 'Error' ? 'SecurityError' : (err as Error).name;
      (e as Error & { autosaveUnavailable: boolean }).autosaveUnavailable = true;
      throw e;
    }
    return {
      put: async (r) => { await db.put(STORE, r); },
      get: (k) => db.get(STORE, k) as Promise<SavedCaseRecord | undefined>,
      all: () => db.getAll(STORE) as Promise<SavedCaseRecord[]>,
      delete: (k) => db.delete(STORE, k),
    };
  })();
  dbPromise.catch(() => { dbPromise = null; });
  return dbPromise;
}

let lastSeenRevision = 0;
/** An autosave of this series found when it was opened, not restored yet (kept if the user edits instead). */
let offer: SavedCaseRecord | null = null;
let lastReportedError: string | null = null;

function setStatus(s: AutosaveStatus): void {
  store.update({ autosave: s });
  if (s.error && s.error !== lastReportedError) notify('error', `Autosave failed: ${s.error}. Your work is not being saved automatically.`);
  lastReportedError = s.error;
}

async function snapshot(): Promise<SavedCaseRecord | null> {
  const identity = currentIdentity();
  const l = store.state.loaded;
  // nothing edited on this image yet: never overwrite a stored case with an untouched one
  if (!identity || !l || store.state.caseRevision === 0) return null;
  const key = identityKey(identity);
  if (offer && offer.identityKey === key) {
    // the user edits instead of restoring: the earlier autosave is kept under its own key
    const kept = offer;
    offer = null;
    store.update({ restoreOffer: null });
    const db = await caseStore();
    await db.put({ ...kept, key: `${kept.identityKey}#${kept.savedAt}` });
    notify('info', `The earlier autosave of this series (${new Date(kept.savedAt).toLocaleString()}) is kept under Saved cases.`);
  }
  const savedAt = new Date().toISOString();
  const volumeKey = store.state.volumeKey;
  const bytes = await caseExportPlan({ appVersion: APP_VERSION, savedAt, series: identity }, null);
  const s = store.state;
  // another image was opened meanwhile: these bytes may be of its (new) case, not the one to keep
  if (s.volumeKey !== volumeKey || s.caseRevision === 0) return null;
  return { key, identityKey: key, savedAt, bytes, lesions: s.lesions.length, needles: s.trajectories.length, patientName: l.patientName, description: l.description, appVersion: APP_VERSION };
}

/**
 * 200 ms of quiet, at most 500 ms after the first change: the write itself (the plan made in the
 * case worker, ~0.1–0.3 s on 512×512×300 on a loaded 2-core machine, bench/case.mjs) then still
 * lands within one second of the edit.
 */
export const autosaver = new Autosaver({ snapshot, store: caseStore, onStatus: setStatus }, 200, 500);

onCaseReply((r) => {
  if (r.view.revision === lastSeenRevision) return;
  lastSeenRevision = r.view.revision;
  autosaver.changed();
});

onVolumeShown(() => {
  // a write still pending was for the case just closed (the guard flushed it when the user was asked)
  autosaver.cancel();
  lastSeenRevision = 0;
  offer = null;
  store.update({ restoreOffer: null });
  void checkOffer();
});

/** Whether this series has an autosave with content: then the UI offers to restore it. */
async function checkOffer(): Promise<void> {
  const identity = currentIdentity();
  if (!identity) return;
  try {
    const r = await (await caseStore()).get(identityKey(identity));
    if (!r || r.lesions + r.needles === 0 || currentIdentity()?.geometryFingerprint !== identity.geometryFingerprint) return;
    offer = r;
    store.update({ restoreOffer: { savedAt: r.savedAt, lesions: r.lesions, needles: r.needles } });
  } catch (err) {
    autosaver.fail(err);
  }
}

/** What the user's Restore does: the autosave of the shown series replaces the case. False when none is stored. */
export async function restoreAutosave(): Promise<boolean> {
  const identity = currentIdentity();
  if (!identity) return false;
  await autosaver.settled();
  const r = offer ?? (await (await caseStore()).get(identityKey(identity)));
  if (!r) return false;
  await caseOpenPlan(r.bytes, identity);
  offer = null;
  store.update({ restoreOffer: null });
  markCaseSaved();
  notify('info', `Restored the autosave of ${new Date(r.savedAt).toLocaleString()}: ${store.state.lesions.length} lesions, ${store.state.trajectories.length} needles.`);
  return true;
}

/** Hides the restore offer; the autosave stays in the list (and is kept if the user edits). */
export function dismissRestoreOffer(): void {
  store.update({ restoreOffer: null });
}

export interface SavedCaseInfo {
  key: string;
  savedAt: string;
  patientName: string;
  description: string;
  lesions: number;
  needles: number;
  sizeBytes: number;
  /** Made on the series shown now (only those can be restored here). */
  thisSeries: boolean;
}

/** Every stored case, newest first. */
export async function savedCases(): Promise<SavedCaseInfo[]> {
  const identity = currentIdentity();
  const here = identity ? identityKey(identity) : null;
  const all = await (await caseStore()).all();
  return all
    .map((r) => ({ key: r.key, savedAt: r.savedAt, patientName: r.patientName, description: r.description, lesions: r.lesions, needles: r.needles, sizeBytes: r.bytes.byteLength, thisSeries: r.identityKey === here }))
    .sort((a, b) => b.savedAt.localeCompare(a.savedAt));
}

export async function deleteSavedCase(key: string): Promise<void> {
  await (await caseStore()).delete(key);
  if (offer?.key === key) { offer = null; store.update({ restoreOffer: null }); }
}

/** Opens a stored case of the shown series (from the list). */
export async function restoreSavedCase(key: string): Promise<void> {
  const identity = currentIdentity();
  if (!identity) throw new Error('no image is loaded');
  const r = await (await caseStore()).get(key);
  if (!r) throw new Error('that saved case no longer exists');
  await caseOpenPlan(r.bytes, identity);
  markCaseSaved();
}

// ---------------------------------------------------------------- the unsaved-work guard
let answer: ((ok: boolean) => void) | null = null;

/**
 * Before the open case is replaced (another study, the demo): asks when there are unsaved changes.
 * Resolves true to go on. The autosave is brought up to date first, so the case stays in Saved cases.
 */
export async function confirmLeavingCase(what: string): Promise<boolean> {
  if (!hasUnsavedChanges()) return true;
  await autosaver.flush().catch(() => undefined);
  answer?.(false);
  const kept = autosaver.status.state === 'saved' ? ' It stays under Saved cases (autosave).' : ' It is NOT autosaved: save the plan first (Ctrl+S).';
  store.update({ question: { text: `The open case has changes not saved to a plan file (${store.state.lesions.length} lesions, ${store.state.trajectories.length} needles).${kept} ${what}?`, okLabel: what } });
  return new Promise<boolean>((resolve) => { answer = resolve; });
}

export function answerQuestion(ok: boolean): void {
  store.update({ question: null });
  const a = answer;
  answer = null;
  a?.(ok);
}

if (typeof window !== 'undefined') {
  window.addEventListener('beforeunload', (e) => {
    if (!hasUnsavedChanges()) return;
    void autosaver.flush();
    e.preventDefault();
    e.returnValue = '';
  });
}
