/**
 * The PACS connection (DICOMweb): owns the one client, searches studies, lists series, loads a
 * series under the loading bar and stores the case's SEG back (STOW-RS).
 *
 * The Authorization header lives in this module's memory only; it is written to localStorage
 * only when the user ticks "Remember" (the base URL is remembered always: it is no secret).
 */
import { store, notify, loadFetchedFiles } from './actions';
import { exportSeg, importSeg } from './seg';
import { caseSettled, caseView } from './case';
import { PacsClient, type PacsConnection } from '../io/dicomweb/client';
import type { StudySearch, StudyRow, SeriesRow } from '../io/dicomweb/qido';

export type { StudySearch, StudyRow, SeriesRow };

const STORAGE_KEY = 'sacroplan.pacs';

/** The same-origin proxy of the preview/dev server (vite.config.ts) and of the README's nginx snippet. */
export const DEFAULT_BASE_URL = '/dicomweb';

interface Remembered {
  baseUrl: string;
  authorization?: string;
}

export function rememberedConnection(): { baseUrl: string; authorization: string; remember: boolean } {
  try {
    const r = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? 'null') as Remembered | null;
    if (r && typeof r.baseUrl === 'string') return { baseUrl: r.baseUrl, authorization: r.authorization ?? '', remember: typeof r.authorization === 'string' };
  } catch {
    /* storage blocked or unreadable: nothing remembered */
  }
  return { baseUrl: DEFAULT_BASE_URL, authorization: '', remember: false };
}

let client: PacsClient | null = null;

export function connectedTo(): string | null {
  return client?.baseUrl ?? null;
}

/**
 * Connects: checks that the root answers a (one-result) study search, then keeps the client.
 * With `remember` the header is stored in this browser; without, any stored header is erased.
 */
export async function connect(conn: PacsConnection, remember: boolean): Promise<string> {
  const c = new PacsClient(conn, location.href);
  await c.searchStudies({ limit: 1 });
  client = c;
  try {
    const r: Remembered = { baseUrl: conn.baseUrl.trim() || DEFAULT_BASE_URL, ...(remember && conn.authorization ? { authorization: conn.authorization } : {}) };
    localStorage.setItem(STORAGE_KEY, JSON.stringify(r));
  } catch {
    /* blocked storage: the connection still works for this page */
  }
  return c.baseUrl;
}

export function disconnect(): void {
  client = null;
}

function need(): PacsClient {
  if (!client) throw new Error('not connected to a PACS');
  return client;
}

export function searchStudies(search: StudySearch): Promise<StudyRow[]> {
  return need().searchStudies(search);
}

export function listSeries(studyUid: string): Promise<SeriesRow[]> {
  return need().listSeries(studyUid);
}

/** WADO-RS: the series' instances under the loading bar (Cancel stops them), then shown as if opened. */
export async function loadSeries(row: Pick<SeriesRow, 'studyUid' | 'seriesUid' | 'description'>): Promise<boolean> {
  const c = need();
  const label = `Downloading ${row.description || 'the series'} from the PACS`;
  return loadFetchedFiles(label, (signal, onProgress) => c.retrieveSeries(row.studyUid, row.seriesUid, { signal, onProgress }));
}

/**
 * A SEG series on the server onto the shown series (Import SEG… from the PACS): each instance is
 * retrieved and imported as Import SEG… does (one undo step each; a SEG of another frame of
 * reference or grid is refused with the reason, the case unchanged).
 */
export async function importSegSeries(row: Pick<SeriesRow, 'studyUid' | 'seriesUid' | 'description'>): Promise<void> {
  const c = need();
  try {
    const files = await c.retrieveSeries(row.studyUid, row.seriesUid);
    for (const f of files) await importSeg(new Uint8Array(await f.arrayBuffer()), `${row.description || 'the SEG'} (PACS)`);
  } catch (err) {
    notify('error', (err as Error).message);
  }
}

export interface StoredSeg {
  sopInstanceUid: string;
  seriesInstanceUid: string;
  studyInstanceUid: string;
  bytes: number;
}

/** STOW-RS of the case's lesions as one DICOM SEG into the shown series' study on the server. */
export async function storeSeg(): Promise<StoredSeg> {
  const c = need();
  const l = store.state.loaded;
  if (!l?.studyUid) throw new Error('the shown series has no DICOM study: a SEG can only be stored with a DICOM series');
  await caseSettled();
  if ((caseView()?.lesions.length ?? 0) === 0) throw new Error('the case has no lesion to store');
  const bytes = await exportSeg();
  const { readSeg } = await import('../io/seg');
  const seg = readSeg(bytes);
  const outcome = await c.store([bytes], l.studyUid);
  const failed = outcome.failed.find((f) => f.sopInstanceUid === seg.sopInstanceUid || outcome.failed.length === 1);
  if (failed) throw new Error(`the server refused the SEG (failure reason ${failed.reason ?? 'not given'})`);
  if (outcome.stored.length > 0 && !outcome.stored.includes(seg.sopInstanceUid)) throw new Error('the server\'s answer does not list the SEG as stored');
  return { sopInstanceUid: seg.sopInstanceUid, seriesInstanceUid: seg.seriesInstanceUid, studyInstanceUid: l.studyUid, bytes: bytes.length };
}

/** Store SEG (PACS panel): stores and says where, or why not. */
export async function storeSegWithMessage(): Promise<StoredSeg | null> {
  try {
    const r = await storeSeg();
    notify('info', `SEG stored on the PACS (${connectedTo()}): ${(r.bytes / 1024).toFixed(0)} kB, SOP instance ${r.sopInstanceUid}, in study ${r.studyInstanceUid}.`);
    return r;
  } catch (err) {
    notify('error', `The SEG was not stored on the PACS: ${(err as Error).message}`);
    return null;
  }
}
