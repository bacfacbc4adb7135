/**
 * A DICOMweb server through dicomweb-client: QIDO-RS searches, WADO-RS retrieval of a series'
 * instances as Part 10 files (as stored: `transfer-syntax=*`, so the server never transcodes; some
 * servers crash transcoding to JPEG-LS or JPEG 2000, ../shared/STACK.md), and STOW-RS.
 * Browser only (dicomweb-client uses XMLHttpRequest). Every request can be cancelled.
 */
import { api } from 'dicomweb-client';
import { LoadCancelledError } from '../types';
import { studyQuery, studyRows, seriesRows, instanceUids, stowOutcome, type StudySearch, type StudyRow, type SeriesRow, type StowOutcome } from './qido';

export interface PacsConnection {
  /** DICOMweb root, e.g. `/dicomweb` (the same-origin proxy) or `https://pacs.example/dicom-web`. */
  baseUrl: string;
  /** Sent as the Authorization header when set (e.g. `Bearer …` or `Basic …`). */
  authorization?: string;
}

/** A failed request, with the reason in words. */
export class PacsError extends Error {
  constructor(message: string, readonly status: number | null) {
    super(message);
    this.name = 'PacsError';
  }
}

function describe(err: unknown, what: string, baseUrl: string): Error {
  if (err instanceof LoadCancelledError || err instanceof PacsError) return err;
  const status = typeof (err as { status?: unknown })?.status === 'number' ? ((err as { status: number }).status) : null;
  if (status === null) return new PacsError(`${what}: ${(err as Error)?.message ?? String(err)}`, null);
  if (status === 0) {
    return new PacsError(`${what}: no answer from ${baseUrl}. A server on another origin must send CORS headers; otherwise use the same-origin proxy (/dicomweb, see the README).`, status);
  }
  if (status === 401 || status === 403) return new PacsError(`${what}: the server refused access (HTTP ${status}); check the Authorization header.`, status);
  if (status === 404) return new PacsError(`${what}: not found (HTTP 404); is ${baseUrl} the server's DICOMweb root?`, status);
  return new PacsError(`${what}: the server answered HTTP ${status}.`, status);
}

/** Runs `job` with an XMLHttpRequest that `signal` aborts; rejects with LoadCancelledError then. */
async function withAbort<T>(signal: AbortSignal | undefined, job: (xhr: XMLHttpRequest) => Promise<T>): Promise<T> {
  if (signal?.aborted) throw new LoadCancelledError();
  const xhr = new XMLHttpRequest();
  const onAbort = () => xhr.abort();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    return await job(xhr);
  } catch (err) {
    if (signal?.aborted) throw new LoadCancelledError();
    throw err;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

const AS_STORED = [{ mediaType: 'application/dicom', transferSyntaxUID: '*' }];

export class PacsClient {
  private readonly client: InstanceType<typeof api.DICOMwebClient>;
  /** The library's own multipart GET (see retrieveInstance). */
  private readonly raw: { wadoURL: string; _httpGetMultipartApplicationDicom(url: string, mediaTypes: unknown, params: unknown, request: unknown): Promise<unknown> };
  readonly baseUrl: string;

  constructor(conn: PacsConnection, origin: string) {
    // Relative roots (the proxy) are resolved against the page; no trailing slash (the client adds one).
    this.baseUrl = new URL(conn.baseUrl.trim() || '/dicomweb', origin).href.replace(/\/+$/, '');
    const headers: Record<string, string> = {};
    if (conn.authorization?.trim()) headers.Authorization = conn.authorization.trim();
    this.client = new api.DICOMwebClient({ url: this.baseUrl, headers, singlepart: false } as ConstructorParameters<typeof api.DICOMwebClient>[0]);
    this.raw = this.client as unknown as PacsClient['raw'];
  }

  /**
   * A QIDO answer: dicomweb-client gives null when the body is not JSON (an HTML page: the URL is
   * not a DICOMweb root, e.g. /dicomweb on a server without the proxy configured).
   */
  private dicomJson(json: unknown, what: string): unknown {
    if (json === null || json === undefined) throw new PacsError(`${what}: the answer is not DICOM JSON: is ${this.baseUrl} the server's DICOMweb root? (/dicomweb needs the proxy: SACROPLAN_DICOMWEB_TARGET or the README's nginx snippet)`, null);
    return json;
  }

  async searchStudies(search: StudySearch, signal?: AbortSignal): Promise<StudyRow[]> {
    const queryParams = studyQuery(search);
    try {
      const json = await withAbort(signal, (instance) => this.client.searchForStudies({ queryParams, request: { instance } } as never) as unknown as Promise<unknown>);
      return studyRows(this.dicomJson(json, 'Study search failed'));
    } catch (err) {
      throw describe(err, 'Study search failed', this.baseUrl);
    }
  }

  async listSeries(studyUid: string, signal?: AbortSignal): Promise<SeriesRow[]> {
    try {
      const json = await withAbort(signal, (instance) => this.client.searchForSeries({ studyInstanceUID: studyUid, queryParams: { includefield: '0008103E,00200011,00201209' }, request: { instance } } as never) as unknown as Promise<unknown>);
      return seriesRows(this.dicomJson(json, 'Listing the series failed'), studyUid);
    } catch (err) {
      throw describe(err, 'Listing the series failed', this.baseUrl);
    }
  }

  async listInstances(studyUid: string, seriesUid: string, signal?: AbortSignal): Promise<string[]> {
    try {
      const json = await withAbort(signal, (instance) => this.client.searchForInstances({ studyInstanceUID: studyUid, seriesInstanceUID: seriesUid, queryParams: { includefield: '00200013' }, request: { instance } } as never) as unknown as Promise<unknown>);
      return instanceUids(this.dicomJson(json, 'Listing the instances failed'));
    } catch (err) {
      throw describe(err, 'Listing the instances failed', this.baseUrl);
    }
  }

  /** One instance as its Part 10 bytes. */
  async retrieveInstance(studyUid: string, seriesUid: string, sopUid: string, signal?: AbortSignal): Promise<Uint8Array> {
    try {
      // dicomweb-client 0.11.3's retrieveInstance refuses any mediaTypes (its common-type check yields
      // "application/", never "application/dicom"), so the request it would make is made here directly.
      const url = `${this.raw.wadoURL}/studies/${studyUid}/series/${seriesUid}/instances/${sopUid}`;
      const parts = await withAbort(signal, (instance) => this.raw._httpGetMultipartApplicationDicom(url, AS_STORED, false, { instance }) as Promise<ArrayBuffer[]>);
      const buf = parts?.[0];
      if (!(buf instanceof ArrayBuffer) || buf.byteLength === 0) throw new PacsError(`Instance ${sopUid}: the server sent no DICOM file.`, null);
      return new Uint8Array(buf);
    } catch (err) {
      throw describe(err, `Retrieving instance ${sopUid} failed`, this.baseUrl);
    }
  }

  /**
   * Every instance of a series as Part 10 files named by SOP instance UID, `concurrency` requests
   * in flight; `onProgress(done, total)` after each. Cancelling aborts the requests in flight.
   */
  async retrieveSeries(studyUid: string, seriesUid: string, opts: { signal?: AbortSignal; onProgress?: (done: number, total: number) => void; concurrency?: number } = {}): Promise<File[]> {
    const uids = await this.listInstances(studyUid, seriesUid, opts.signal);
    if (uids.length === 0) throw new PacsError('The series has no instances on the server.', null);
    // One failure stops the other requests too (inner), and the user's Cancel stops all (outer).
    const inner = new AbortController();
    const onOuter = () => inner.abort();
    opts.signal?.addEventListener('abort', onOuter, { once: true });
    const out: File[] = new Array(uids.length);
    let next = 0, done = 0;
    let firstError: unknown = null;
    opts.onProgress?.(0, uids.length);
    const worker = async () => {
      while (next < uids.length && !inner.signal.aborted) {
        const i = next++;
        const uid = uids[i]!;
        try {
          const bytes = await this.retrieveInstance(studyUid, seriesUid, uid, inner.signal);
          out[i] = new File([bytes as BlobPart], `${uid}.dcm`, { type: 'application/dicom' });
        } catch (err) {
          if (firstError === null && !(err instanceof LoadCancelledError)) firstError = err;
          inner.abort();
          return;
        }
        opts.onProgress?.(++done, uids.length);
      }
    };
    const n = Math.max(1, Math.min(opts.concurrency ?? 6, uids.length));
    // All settle before returning: no request is left running after a failure or a cancel.
    await Promise.all(Array.from({ length: n }, worker));
    opts.signal?.removeEventListener('abort', onOuter);
    if (opts.signal?.aborted) throw new LoadCancelledError();
    if (firstError) throw firstError;
    return out;
  }

  /** STOW-RS of Part 10 files into a study; says what the server stored and refused. */
  async store(files: Uint8Array[], studyUid: string, signal?: AbortSignal): Promise<StowOutcome> {
    const datasets = files.map((b) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
    let answer: unknown;
    try {
      answer = await withAbort(signal, (instance) => this.client.storeInstances({ datasets, studyInstanceUID: studyUid, request: { instance } } as never) as unknown as Promise<unknown>);
    } catch (err) {
      throw describe(err, 'Storing on the server failed', this.baseUrl);
    }
    try {
      return stowOutcome(typeof answer === 'string' && answer.trim() ? JSON.parse(answer) : answer);
    } catch {
      // The request succeeded but its answer is not DICOM JSON (XML servers): nothing to check.
      return { stored: [], failed: [] };
    }
  }
}
