/**
 * Plan files (.sacroplan) of the open case: save (written in the case worker), download, open
 * (checked in full by the case before anything changes, src/case/plan-file.ts).
 */
import { store, notify } from './actions';
import { downloadBlob } from './download';
import { volumeCache } from './volume-cache';
import { caseExportPlan, caseOpenPlan, markCaseSaved } from './case';
import { seriesIdentity } from '../case/identity';
import type { SeriesIdentity } from '../case/types';

export const APP_VERSION = '0.1.0';

/** Identity of the shown series (UIDs + grid), or null with nothing loaded. */
export function currentIdentity(): SeriesIdentity | null {
  const v = volumeCache.get(store.state.volumeKey);
  const l = store.state.loaded;
  return v && l ? seriesIdentity(v.geometry, l.studyUid, l.seriesUid) : null;
}

/** The open case as a .sacroplan file. */
export async function savePlan(): Promise<Blob> {
  const identity = currentIdentity();
  if (!identity) throw new Error('no image is loaded: there is no case to save');
  const bytes = await caseExportPlan({ appVersion: APP_VERSION, savedAt: new Date().toISOString(), series: identity });
  return new Blob([bytes as BlobPart], { type: 'application/zip' });
}

/** A file name from the patient, the series and today's date. */
export function planFileName(): string {
  const l = store.state.loaded;
  const parts = [l?.patientId || l?.patientName || 'case', l?.description || '', new Date().toISOString().slice(0, 10)];
  return `${parts.filter(Boolean).join('_').replace(/[^A-Za-z0-9._-]+/g, '-').replace(/-+/g, '-').slice(0, 100)}.sacroplan`;
}

/** Saves the plan as a download (toolbar Save, Ctrl+S). */
export async function downloadPlan(): Promise<void> {
  const revision = store.state.caseRevision;
  const blob = await savePlan();
  if (store.state.caseRevision === revision) markCaseSaved();
  const fileName = planFileName();
  downloadBlob(blob, fileName);
  notify('info', `Plan saved as ${fileName} (${(blob.size / 1024).toFixed(0)} kB).`);
}

/**
 * Opens a plan on the shown series. A plan of another series, a damaged, hostile or newer-format
 * file is refused with the reason and the open case stays as it was.
 */
export async function openPlan(file: Blob, name = (file as { name?: string }).name ?? 'the plan'): Promise<void> {
  const identity = currentIdentity();
  if (!identity) throw new Error(`"${name}" was not opened: load the series it was made on first`);
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await file.arrayBuffer());
  } catch (err) {
    throw new Error(`"${name}" could not be read: ${(err as Error).message}`);
  }
  try {
    await caseOpenPlan(bytes, identity);
    markCaseSaved();
  } catch (err) {
    throw new Error(`"${name}" was not opened: ${(err as Error).message}. The open case is unchanged.`);
  }
  notify('info', `Plan "${name}" opened: ${store.state.lesions.length} lesions, ${store.state.trajectories.length} needles.`);
}
