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
import { caseRun, caseSettled, caseView, currentLabels } from './case';
import { currentIdentity, APP_VERSION } from './plan';
import { identityKey } from '../case/identity';
import type { ImportedLesion } from '../case/commands';
import { encodeSeg, readSeg, segOntoGrid, uidFromText, SegExportError, SegImportError, type SegSource } from '../io/seg';

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

/** The case's lesions as DICOM SEG (Part 10 bytes); empty lesions are left out. */
export async function exportSeg(): Promise<Uint8Array> {
  return (await exportSegWithReport()).bytes;
}

async function exportSegWithReport(): Promise<ReturnType<typeof encodeSeg>> {
  await caseSettled();
  const volume = volumeCache.get(store.state.volumeKey);
  const labels = currentLabels();
  const view = caseView();
  if (!volume || !labels) throw new Error('no image is loaded');
  const lesions = view?.lesions ?? [];
  const segments = lesions.map((l) => ({ label: l.label, name: l.name, color: l.color, algorithmType: l.method === 'manual' ? ('MANUAL' as const) : ('SEMIAUTOMATIC' as const) }));
  return encodeSeg(labels, volume.geometry, segments, source(), { softwareVersion: APP_VERSION, seriesDescription: `SacroPlan lesions${store.state.loaded?.description ? ` · ${store.state.loaded.description}` : ''}` });
}

/** A file name from the patient, the series and today's date. */
function segFileName(): string {
  const l = store.state.loaded;
  const parts = [l?.patientId || l?.patientName || 'case', l?.description || '', 'SEG', new Date().toISOString().slice(0, 10)];
  return `${parts.filter(Boolean).join('_').replace(/[^A-Za-z0-9._-]+/g, '-').replace(/-+/g, '-').slice(0, 100)}.dcm`;
}

/** Export SEG (toolbar): downloads the SEG and says what it holds. */
export async function downloadSeg(): Promise<void> {
  let r: ReturnType<typeof encodeSeg>;
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
  notify('info', `SEG saved as ${fileName}: ${r.written.length} lesion${r.written.length === 1 ? '' : 's'} (${r.written.map((w) => w.name).join(', ')}), ${(r.bytes.length / 1024).toFixed(0)} kB.${empty}`);
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
  let overlap = 0, empty: string[] = [];
  try {
    const seg = readSeg(bytes);
    const onGrid = segOntoGrid(seg, volume.geometry, frameOfReference());
    empty = onGrid.filter((s) => s.offsets.length === 0).map((s) => s.name);
    overlap = onGrid.reduce((a, s) => a + s.overlapVoxels, 0);
    lesions = onGrid.filter((s) => s.offsets.length > 0).map((s) => ({ name: s.name, color: s.color, method: s.algorithmType === 'MANUAL' ? 'manual' : 'semiautomatic', offsets: s.offsets }));
  } catch (err) {
    if (err instanceof SegImportError) throw new Error(`"${name}" was not imported: ${err.message}. The open case is unchanged.`);
    throw err;
  }
  if (lesions.length === 0) throw new Error(`"${name}" was not imported: its segments have no voxels. The open case is unchanged.`);
  const reply = await caseRun({ type: 'importLesions', lesions }, 'Importing the segmentation…');
  const imported = reply.info?.imported ?? [];
  const kept = imported.reduce((a, x) => a + x.keptByOtherLesion, 0);
  const notes = [
    overlap ? `${overlap} voxels claimed by two segments went to the first` : '',
    kept ? `${kept} voxels already in another lesion stayed there` : '',
    empty.length ? `empty segments skipped: ${empty.join(', ')}` : '',
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
