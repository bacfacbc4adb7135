/**
 * QIDO-RS in words: the search form's fields as query parameters, and the DICOM JSON answers
 * (PS3.18 F.2, tags as 8 hex digits) as rows the PACS panel shows. Pure (no DOM, no network).
 */

/** One attribute of a DICOM JSON object (PS3.18 F.2.2). */
export interface DicomJsonAttribute {
  vr?: string;
  Value?: unknown[];
}
export type DicomJsonObject = Record<string, DicomJsonAttribute | undefined>;

export interface StudySearch {
  /** Patient name or part of it; matched with wildcards on both sides (PS3.4 C.2.2.2.4). */
  patientName?: string;
  patientId?: string;
  /** Inclusive dates, ISO (YYYY-MM-DD) or DICOM (YYYYMMDD); either may be empty. */
  dateFrom?: string;
  dateTo?: string;
  /** One modality, e.g. CT or MR (ModalitiesInStudy). */
  modality?: string;
  limit?: number;
}

export interface StudyRow {
  studyUid: string;
  patientName: string;
  patientId: string;
  /** YYYY-MM-DD, or '' when the server gave none. */
  studyDate: string;
  description: string;
  accession: string;
  modalities: string[];
  seriesCount: number | null;
  instanceCount: number | null;
}

export interface SeriesRow {
  studyUid: string;
  seriesUid: string;
  modality: string;
  description: string;
  seriesNumber: number | null;
  instanceCount: number | null;
}

const TAG = {
  studyDate: '00080020',
  accession: '00080050',
  modalitiesInStudy: '00080061',
  modality: '00080060',
  studyDescription: '00081030',
  seriesDescription: '0008103E',
  patientName: '00100010',
  patientId: '00100020',
  studyUid: '0020000D',
  seriesUid: '0020000E',
  seriesNumber: '00200011',
  studySeriesCount: '00201206',
  studyInstanceCount: '00201208',
  seriesInstanceCount: '00201209',
  sopInstanceUid: '00080018',
  instanceNumber: '00200013',
} as const;

function first(o: DicomJsonObject, tag: string): unknown {
  return o[tag]?.Value?.[0];
}

function text(o: DicomJsonObject, tag: string): string {
  const v = first(o, tag);
  if (v === undefined || v === null) return '';
  if (typeof v === 'object') {
    // Person names arrive as { Alphabetic, Ideographic, Phonetic } (PS3.18 F.2.2).
    const pn = v as { Alphabetic?: string };
    return typeof pn.Alphabetic === 'string' ? pn.Alphabetic : '';
  }
  return String(v);
}

function num(o: DicomJsonObject, tag: string): number | null {
  const v = Number(first(o, tag));
  return Number.isFinite(v) ? v : null;
}

/** DICOM DA (YYYYMMDD) as YYYY-MM-DD; anything else unchanged. */
export function isoDate(da: string): string {
  return /^\d{8}$/.test(da) ? `${da.slice(0, 4)}-${da.slice(4, 6)}-${da.slice(6, 8)}` : da;
}

/** ISO or DICOM date as DICOM DA; throws a message naming the field for anything else. */
function daOf(value: string, field: string): string {
  const v = value.trim();
  if (/^\d{8}$/.test(v)) return v;
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
  if (m) return `${m[1]}${m[2]}${m[3]}`;
  throw new Error(`${field} "${value}" is not a date (YYYY-MM-DD)`);
}

/**
 * The search form as QIDO-RS query parameters. Matching follows PS3.4 C.2.2.2: `*` wildcards for
 * the name, a `from-to` range for the date (open on one side when one is empty).
 */
export function studyQuery(s: StudySearch): Record<string, string> {
  const q: Record<string, string> = {};
  const name = s.patientName?.trim();
  if (name) q.PatientName = name.includes('*') || name.includes('?') ? name : `*${name}*`;
  const id = s.patientId?.trim();
  if (id) q.PatientID = id;
  const from = s.dateFrom?.trim() ? daOf(s.dateFrom, 'From') : '';
  const to = s.dateTo?.trim() ? daOf(s.dateTo, 'To') : '';
  if (from && to && from > to) throw new Error(`the date range is empty (${isoDate(from)} is after ${isoDate(to)})`);
  if (from || to) q.StudyDate = from === to ? from : `${from}-${to}`;
  const mod = s.modality?.trim().toUpperCase();
  if (mod) {
    if (!/^[A-Z0-9]{1,16}$/.test(mod)) throw new Error(`modality "${s.modality}" is not a DICOM modality code (e.g. CT, MR)`);
    q.ModalitiesInStudy = mod;
  }
  q.limit = String(s.limit ?? 100);
  // Ask for the counts and the description too: servers return only the required keys otherwise.
  q.includefield = [TAG.studyDescription, TAG.studySeriesCount, TAG.studyInstanceCount, TAG.modalitiesInStudy].join(',');
  return q;
}

export function studyRows(json: unknown): StudyRow[] {
  if (!Array.isArray(json)) throw new Error('the server\'s study search answer is not a DICOM JSON list');
  return (json as DicomJsonObject[])
    .map((o) => ({
      studyUid: text(o, TAG.studyUid),
      patientName: text(o, TAG.patientName),
      patientId: text(o, TAG.patientId),
      studyDate: isoDate(text(o, TAG.studyDate)),
      description: text(o, TAG.studyDescription),
      accession: text(o, TAG.accession),
      modalities: (o[TAG.modalitiesInStudy]?.Value ?? []).map(String),
      seriesCount: num(o, TAG.studySeriesCount),
      instanceCount: num(o, TAG.studyInstanceCount),
    }))
    .filter((r) => r.studyUid !== '')
    .sort((a, b) => (b.studyDate || '').localeCompare(a.studyDate || '') || a.patientName.localeCompare(b.patientName));
}

export function seriesRows(json: unknown, studyUid: string): SeriesRow[] {
  if (!Array.isArray(json)) throw new Error('the server\'s series list is not a DICOM JSON list');
  return (json as DicomJsonObject[])
    .map((o) => ({
      studyUid,
      seriesUid: text(o, TAG.seriesUid),
      modality: text(o, TAG.modality),
      description: text(o, TAG.seriesDescription),
      seriesNumber: num(o, TAG.seriesNumber),
      instanceCount: num(o, TAG.seriesInstanceCount),
    }))
    .filter((r) => r.seriesUid !== '')
    .sort((a, b) => (a.seriesNumber ?? 1e9) - (b.seriesNumber ?? 1e9) || a.description.localeCompare(b.description));
}

/** SOP instance UIDs of a series' instance list (QIDO-RS), in instance-number order. */
export function instanceUids(json: unknown): string[] {
  if (!Array.isArray(json)) throw new Error('the server\'s instance list is not a DICOM JSON list');
  return (json as DicomJsonObject[])
    .map((o) => ({ uid: text(o, TAG.sopInstanceUid), n: num(o, TAG.instanceNumber) ?? 0 }))
    .filter((r) => r.uid !== '')
    .sort((a, b) => a.n - b.n)
    .map((r) => r.uid);
}

/** What a STOW-RS answer (PS3.18 10.5.3, DICOM JSON) says about each instance sent. */
export interface StowOutcome {
  stored: string[];
  failed: { sopInstanceUid: string; reason: number | null }[];
}

export function stowOutcome(json: unknown): StowOutcome {
  const o = (Array.isArray(json) ? json[0] : json) as DicomJsonObject | undefined;
  const seq = (tag: string) => ((o?.[tag]?.Value ?? []) as DicomJsonObject[]);
  return {
    stored: seq('00081199').map((x) => text(x, '00081155')).filter(Boolean),
    failed: seq('00081198').map((x) => ({ sopInstanceUid: text(x, '00081155'), reason: num(x, '00081197') })),
  };
}
