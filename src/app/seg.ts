/**
 * DICOM SEG of the open case's lesions (io/seg): export (download, scripting API) and import onto
 * the shown series as new lesions (one case command, one undo step). The SEG carries the source
 * series' study, frame of reference and instance references; for the demo and NIfTI (no DICOM
 * identity) the frame of reference is derived from the voxel grid, so such a SEG re-imports on the
 * same grid only.
 */
import { store, notify } from './actions';
import { downloadBlob } from './download';
import { volumeCache } from './volume-cache';
import { caseRun, caseSettled, caseView, currentLabels, currentZoneMap, caseSacrumMask } from './case';
import { ZONE_COLORS } from '../render/scene-3d';
import { CATEGORY_ANATOMICAL_STRUCTURE, TYPE_SACRUM, CATEGORY_SPATIAL, TYPE_DENIS_ZONE } from '../io/seg/codes';
import { currentIdentity, APP_VERSION } from './plan';
import { identityKey } from '../case/identity';
import type { ImportedLesion } from '../case/commands';
import { encodeSeg, readSeg, segOntoGrid, uidFromText, SegExportError, SegImportError, type SegSource, type SegSegmentIn } from '../io/seg';

/** The open series' frame of reference: the DICOM one, else one derived from the grid (demo, NIfTI). */
function frameOfReference(): string {
  const l = store.state.loaded;
  if (l?.frameOfReferenceUid) return l.frameOfReferenceUid;
  const id = currentIdentity();
  if (!id) throw new Error('no image is loaded');
  return uidFromText(`sacroplan-frame-of-reference|${identityKey(id)}`);
}

function source(): SegSource {
  const l = store.state.loaded;
  const id = currentIdentity();
  if (!l || !id) throw new Error('no image is loaded');
  return {
    frameOfReferenceUid: frameOfReference(),
    studyInstanceUid: l.studyUid ?? uidFromText(`sacroplan-study|${identityKey(id)}`),
    patientName: l.patientName,
    patientId: l.patientId,
    studyDate: l.studyDate ?? '',
    studyDescription: l.studyDescription,
    ...(l.studyAttributes ? { study: l.studyAttributes } : {}),
    series: l.seriesUid && l.sliceInstances?.some(Boolean) ? { seriesInstanceUid: l.seriesUid, sliceInstances: l.sliceInstances } : null,
  };
}

/** Optional segments written after the lesions (Export SEG, Store SEG, exportSeg()). */
export interface SegExtras {
  /** The detected sacrum bone mask, coded SCT Anatomical Structure / Sacrum. */
  sacrum: boolean;
  /** The Denis zone map (zones 1–3 as three segments, SacroPlan's private codes). */
  zones: boolean;
}
let extras: SegExtras = { sacrum: false, zones: false };
export function segExtras(): SegExtras {
  return { ...extras };
}
export function setSegExtras(patch: Partial<SegExtras>): void {
  extras = { ...extras, ...patch };
}

/** The case's lesions (and the chosen extra segments) as DICOM SEG (Part 10 bytes); empty segments are left out. */
export async function exportSeg(options: Partial<SegExtras> = {}): Promise<Uint8Array> {
  return (await exportSegWithReport({ ...extras, ...options })).bytes;
}

async function exportSegWithReport(want: SegExtras = extras): Promise<ReturnType<typeof encodeSeg> & { missing: string[] }> {
  await caseSettled();
  const volume = volumeCache.get(store.state.volumeKey);
  const labels = currentLabels();
  const view = caseView();
  if (!volume || !labels) throw new Error('no image is loaded');
  const lesions = view?.lesions ?? [];
  const segments: SegSegmentIn[] = lesions.map((l) => ({ label: l.label, name: l.name, color: l.color, algorithmType: l.method === 'manual' ? ('MANUAL' as const) : ('SEMIAUTOMATIC' as const) }));
  const missing: string[] = [];
  if (want.sacrum) {
    const mask = await caseSacrumMask();
    if (mask) segments.push({ label: 1, name: 'Sacrum', color: '#e8dcc0', algorithmType: 'AUTOMATIC', map: mask, category: CATEGORY_ANATOMICAL_STRUCTURE, type: TYPE_SACRUM });
    else missing.push('the sacrum mask (run Find landmarks first)');
  }
  if (want.zones) {
    const zones = currentZoneMap();
    if (zones && zones.some((v) => v >= 1 && v <= 3)) {
      // a copy: the shared map changes when landmarks move
      const map = zones.slice();
      for (const z of [1, 2, 3] as const) segments.push({ label: z, name: `Denis zone ${z}`, color: ZONE_COLORS[z], algorithmType: 'SEMIAUTOMATIC', map, category: CATEGORY_SPATIAL, type: TYPE_DENIS_ZONE[z] });
    } else missing.push('the zone map (place or find the landmarks first)');
  }
  const parts = ['lesions', ...(want.sacrum && !missing.some((m) => m.startsWith('the sacrum')) ? ['sacrum'] : []), ...(want.zones && !missing.some((m) => m.startsWith('the zone')) ? ['Denis zones'] : [])];
  const r = encodeSeg(labels, volume.geometry, segments, source(), {
    softwareVersion: APP_VERSION,
    seriesDescription: `SacroPlan ${parts.join(', ')}${store.state.loaded?.description ? ` · ${store.state.loaded.description}` : ''}`,
    ...(parts.length > 1 ? { contentLabel: 'SACROPLAN', contentDescription: `SacroPlan: ${parts.join(', ')}` } : {}),
  });
  return { ...r, missing };
}

/** A file name from the patient, the series and today's date. */
function segFileName(): string {
  const l = store.state.loaded;
  const parts = [l?.patientId || l?.patientName || 'case', l?.description || '', 'SEG', new Date().toISOString().slice(0, 10)];
  return `${parts.filter(Boolean).join('_').replace(/[^A-Za-z0-9._-]+/g, '-').replace(/-+/g, '-').slice(0, 100)}.dcm`;
}

/** Export SEG (toolbar): downloads the SEG and says what it holds. */
export async function downloadSeg(): Promise<void> {
  let r: Awaited<ReturnType<typeof exportSegWithReport>>;
  try {
    r = await exportSegWithReport();
  } catch (err) {
    notify('error', `No SEG was written: ${(err as Error).message}`);
    if (!(err instanceof SegExportError)) throw err;
    return;
  }
  const fileName = segFileName();
  downloadBlob(new Blob([r.bytes as BlobPart], { type: 'application/dicom' }), fileName);
  const empty = r.emptyNames.length ? ` Left out (no voxels): ${r.emptyNames.join(', ')}.` : '';
  const missing = r.missing.length ? ` Not included: ${r.missing.join('; ')}.` : '';
  const nLesions = r.written.length - r.written.filter((w) => w.name === 'Sacrum' || /^Denis zone \d$/.test(w.name)).length;
  notify(r.missing.length ? 'warning' : 'info', `SEG saved as ${fileName}: ${nLesions} lesion${nLesions === 1 ? '' : 's'} (${r.written.map((w) => w.name).join(', ')}), ${(r.bytes.length / 1024).toFixed(0)} kB.${empty}${missing}`);
}

/**
 * Adds a DICOM SEG's segments to the case as lesions (one undo step). Refused, with the reason and
 * nothing changed, when it is not a readable BINARY SEG or was made on another frame of reference
 * or grid.
 */
export async function importSeg(bytes: Uint8Array, name = 'the SEG'): Promise<void> {
  const volume = volumeCache.get(store.state.volumeKey);
  if (!volume) throw new Error(`"${name}" was not imported: load the series it was made on first`);
  let lesions: ImportedLesion[];
  let overlap = 0, empty: string[] = [], notLesions: string[] = [];
  try {
    const seg = readSeg(bytes);
    // The sacrum mask and the Denis zones SacroPlan writes beside the lesions are not lesions.
    const structures = new Set(seg.segments.filter((x) => x.type === TYPE_SACRUM.CodeMeaning || x.category === CATEGORY_SPATIAL.CodeMeaning).map((x) => x.number));
    notLesions = seg.segments.filter((x) => structures.has(x.number)).map((x) => x.label);
    const onGrid = segOntoGrid(seg, volume.geometry, frameOfReference()).filter((x) => !structures.has(x.number));
    empty = onGrid.filter((s) => s.offsets.length === 0).map((s) => s.name);
    overlap = onGrid.reduce((a, s) => a + s.overlapVoxels, 0);
    lesions = onGrid.filter((s) => s.offsets.length > 0).map((s) => ({ name: s.name, color: s.color, method: s.algorithmType === 'MANUAL' ? 'manual' : 'semiautomatic', offsets: s.offsets }));
  } catch (err) {
    if (err instanceof SegImportError) throw new Error(`"${name}" was not imported: ${err.message}. The open case is unchanged.`);
    throw err;
  }
  if (lesions.length === 0) throw new Error(`"${name}" was not imported: ${notLesions.length ? `it holds no lesion (only ${notLesions.join(', ')})` : 'its segments have no voxels'}. The open case is unchanged.`);
  const reply = await caseRun({ type: 'importLesions', lesions }, 'Importing the segmentation…');
  const imported = reply.info?.imported ?? [];
  const kept = imported.reduce((a, x) => a + x.keptByOtherLesion, 0);
  const notes = [
    overlap ? `${overlap} voxels claimed by two segments went to the first` : '',
    kept ? `${kept} voxels already in another lesion stayed there` : '',
    empty.length ? `empty segments skipped: ${empty.join(', ')}` : '',
    notLesions.length ? `not lesions, not imported: ${notLesions.join(', ')}` : '',
  ].filter(Boolean);
  notify(notes.length ? 'warning' : 'info', `"${name}" imported: ${imported.map((x) => `${x.name} (${x.voxels} voxels)`).join(', ')}.${notes.length ? ` ${notes.join('; ')}.` : ''} Undo removes them.`);
}

/** Import SEG… (toolbar): reads the chosen file and imports it, reporting any refusal. */
export async function importSegFile(file: File): Promise<void> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await file.arrayBuffer());
  } catch (err) {
    notify('error', `"${file.name}" could not be read: ${(err as Error).message}`);
    return;
  }
  await importSeg(bytes, file.name).catch((err: Error) => notify('error', err.message));
}
