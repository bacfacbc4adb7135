/**
 * Actions: the only code that changes the store. UI elements call these; they run loaders,
 * keep voxels in the volume cache and record per-file results and messages.
 */
import { Store, type AppState, type LoadedInfo, type ToolName, type Measurement, type WindowPresetName } from './store';
import { volumeCache } from './volume-cache';
import { WINDOW_PRESETS, autoWindow } from './window-presets';
import type { ScalarVolume, VoxelArray } from '../core/volume';
import { valueRange } from '../core/volume';
import { VolumeGeometry } from '../core/geometry';
import { distance, type Vec3 } from '../core/vec3';
import type { FileLike, FileReport, SeriesInfo, LoadProgress, LoadedSeries } from '../io/types';
import { FileLoadError, LoadCancelledError } from '../io/types';
import { loadDicomSeries, type DicomScan, type FrameDecoder } from '../io/dicom/index';
import { loadDicomFiles } from './dicom-parallel';
import { isNiftiLikeName } from '../io/nifti';
import { loadNiftiOffThread } from '../io/offthread';

export const store = new Store();
let messageId = 1;
let abort: AbortController | null = null;
let lastScan: DicomScan | null = null;
let volumeCounter = 0;

/** Show a message in the sidebar (the newest 8 are kept). */
export function notify(level: 'info' | 'warning' | 'error', text: string): void {
  pushMessage(level, text);
}

function pushMessage(level: 'info' | 'warning' | 'error', text: string): void {
  const messages = [...store.state.messages, { id: messageId++, level, text }].slice(-8);
  store.update({ messages });
}

export function dismissMessage(id: number): void {
  store.update({ messages: store.state.messages.filter((m) => m.id !== id) });
}

function isNiftiName(name: string): boolean {
  return isNiftiLikeName(name);
}

let lastProgressMs = 0;
/** Progress for the loading bar, at most ~10 updates a second (each one re-renders the shell). */
export function setProgress(label: string, p: LoadProgress | null): void {
  const now = performance.now();
  const first = p !== null && store.state.loading === null;
  const last = p !== null && p.done >= p.total;
  if (p !== null && !first && !last && now - lastProgressMs < 100 && store.state.loading?.label === label) return;
  lastProgressMs = now;
  store.update({ loading: p ? { ...p, label } : null });
}

/** Feedback while the browser hands over the files of a drop (before loadFiles has them). */
export function noteCollecting(count: number | null): void {
  store.update({ loading: count === null ? null : { phase: 'reading', done: 0, total: 0, label: `Collecting the dropped files: ${count}` } });
}

function toSharedMemory<T extends VoxelArray>(a: T): T {
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true && typeof SharedArrayBuffer !== 'undefined';
  if (!isolated || a.buffer instanceof SharedArrayBuffer) return a;
  const Ctor = a.constructor as { new (b: SharedArrayBuffer): T };
  const out = new Ctor(new SharedArrayBuffer(a.byteLength));
  out.set(a as never);
  return out;
}

/** Called with the key of every volume newly shown (segmentation resets its label map). */
const volumeShownHooks: ((key: string) => void)[] = [];
export function onVolumeShown(hook: (key: string) => void): void {
  volumeShownHooks.push(hook);
}

/** Show a volume: put it in the cache, describe it in the state, choose a window. */
export function showVolume(shown: ScalarVolume, info: Omit<LoadedInfo, 'dims' | 'spacingMm' | 'originLps' | 'directionCosines' | 'valueRange' | 'valueUnits'>): void {
  // The views, the cache and the case worker all use this one array: on shared memory when the page
  // is cross-origin isolated (DICOM loads already arrive there; demo and NIfTI volumes move once).
  const volume = { ...shown, voxels: toSharedMemory(shown.voxels) };
  const key = `${volume.id}#${volumeCounter++}`;
  volumeCache.set(key, volume);
  volumeCache.retainOnly(key);
  const g = volume.geometry;
  const range = valueRange(volume.voxels);
  const isCt = volume.modality === 'CT' && volume.units === 'HU';
  const win = isCt ? { ...WINDOW_PRESETS.bone, preset: 'bone' as WindowPresetName } : { ...autoWindow(volume.voxels), preset: 'auto' as WindowPresetName };
  // Start at the volume centre.
  const c = g.ijkToLps([0, 0, 0], Math.round((g.dims[0] - 1) / 2), Math.round((g.dims[1] - 1) / 2), Math.round((g.dims[2] - 1) / 2));
  store.update({
    volumeKey: key,
    loaded: {
      ...info,
      dims: [...g.dims],
      spacingMm: [...g.spacingMm],
      originLps: [...g.originLps],
      directionCosines: [...g.directionCosines],
      valueUnits: volume.units,
      valueRange: range,
    },
    window: { widthHu: win.widthHu, centerHu: win.centerHu, preset: win.preset },
    crosshairLps: c,
    measurements: [],
  });
  for (const h of volumeShownHooks) h(key);
}

/** Load the built-in demo case (generated in a worker so the page stays responsive). */
export async function loadDemo(): Promise<void> {
  setProgress('Building the demo sacrum…', { phase: 'building', done: 0, total: 1 });
  try {
    const worker = new Worker(new URL('../workers/demo.worker.ts', import.meta.url), { type: 'module' });
    const result = await new Promise<any>((resolve, reject) => {
      worker.onmessage = (e) => resolve(e.data);
      worker.onerror = (e) => reject(new Error(e.message || 'demo worker failed'));
      worker.postMessage({ spacingMm: 0.8 });
    });
    worker.terminate();
    if (result.error) throw new Error(result.error);
    const geometry = new VolumeGeometry(result.geometry);
    const volume: ScalarVolume = { id: 'demo', geometry, voxels: new Int16Array(result.voxels), units: 'HU', modality: 'CT' };
    demoTruth = result.truth;
    showVolume(volume, {
      source: 'demo',
      seriesKey: null,
      studyUid: null,
      seriesUid: null,
      modality: 'CT',
      description: result.description,
      patientName: 'DEMO^SACRUM',
      patientId: 'SACROPLAN-DEMO',
      studyDescription: 'Synthetic sacral CT (built in)',
      warnings: [],
      measurementBlockedReason: null,
    });
  } catch (err) {
    pushMessage('error', `The demo case could not be built: ${(err as Error).message}`);
  } finally {
    setProgress('', null);
  }
}

/** Analytic definition of the demo case (lesion centres, zones, foramina), when it is shown. */
export let demoTruth: unknown = null;

/** A built-in library case (app/teaching.ts) is shown: its analytic definition replaces the demo's. */
export function setDemoTruth(truth: unknown): void {
  demoTruth = truth;
}

/** The file list after a load that failed: the reports made so far, the failing file marked, the rest 'not used'. */
function failedLoadReports(files: FileLike[], done: FileReport[], err: unknown): FileReport[] {
  const reason = (err as Error)?.message ?? String(err);
  const byName = new Map(done.map((r) => [r.name, r]));
  return files.map((f) => {
    const name = f.webkitRelativePath || f.name;
    if (err instanceof FileLoadError && (err.fileName === name || err.fileName === f.name)) return { name, status: 'error' as const, code: err.code, message: err.message };
    const r = byName.get(name);
    if (r && r.status !== 'ok') return r;
    return { name, status: 'error' as const, code: 'read-failed' as const, message: `${name}: not used, the load failed (${reason})` };
  });
}

function reportLoadError(err: unknown): void {
  if (err instanceof LoadCancelledError) pushMessage('info', 'Loading cancelled. The previous image stays open.');
  else pushMessage('error', `Loading failed: ${(err as Error).message}`);
}

function endLoad(ctrl: AbortController): void {
  if (abort === ctrl) abort = null;
  setProgress('', null);
}

/** Files from the picker, a folder, or a drop. NIfTI files load directly; the rest are scanned as DICOM. */
export async function loadFiles(files: FileLike[]): Promise<void> {
  if (files.length === 0) return;
  performance.mark('sp:load-start');
  cancelLoading();
  const ctrl = new AbortController();
  abort = ctrl;
  const nifti = files.filter((f) => isNiftiName(f.name));
  const dicom = files.filter((f) => !isNiftiName(f.name));
  const reports: FileReport[] = [];
  try {
    let scan: DicomScan | null = null;
    let loadedDefault: LoadedSeries | null = null;
    let key: string | null = null;
    if (dicom.length > 0) {
      setProgress(`Reading ${dicom.length} files`, { phase: 'reading', done: 0, total: dicom.length });
      const r = await loadDicomFiles(dicom, {
        signal: ctrl.signal,
        onProgress: (p) => {
          if (p.phase === 'building' && p.done === 0) performance.mark('sp:files-read');
          setProgress(`Reading ${dicom.length} files`, p);
        },
      });
      performance.mark('sp:scan-done');
      scan = r.scan;
      loadedDefault = r.loaded;
      key = r.defaultKey;
      reports.push(...scan.files);
      lastScan = scan;
    }
    let niftiLoaded: { volume: ScalarVolume; name: string; warnings: { code: string; message: string }[]; blocked: string | null } | null = null;
    for (const f of nifti) {
      try {
        setProgress(`Reading ${f.name}`, { phase: 'reading', done: 0, total: 1 });
        const loaded = await loadNiftiOffThread(f, {
          signal: ctrl.signal,
          onProgress: (produced, claimed) => setProgress(`Decompressing ${f.name}`, { phase: 'reading', done: Math.round(produced / 1e6), total: Math.max(1, Math.round((claimed ?? produced) / 1e6)), unit: 'MB' }),
        });
        reports.push({ name: f.name, status: 'ok' });
        if (!niftiLoaded) niftiLoaded = { volume: loaded.volume, name: f.name, warnings: loaded.info.warnings, blocked: loaded.measurementBlockedReason };
      } catch (err) {
        if (err instanceof LoadCancelledError) throw err;
        const m = (err as Error)?.message ?? String(err);
        reports.push({ name: f.name, status: 'error', code: /refused/.test(m) ? 'decompression-refused' : 'nifti-invalid', message: m.startsWith(f.name) ? m : `${f.name}: ${m}` });
      }
    }
    store.update({ files: reports, series: scan ? scan.series : [] });
    const bad = reports.filter((r) => r.status === 'error');
    if (bad.length > 0) pushMessage('warning', `${bad.length} of ${reports.length} files could not be used; see the file list.`);
    if (key && scan) {
      if (loadedDefault) {
        performance.mark('sp:volume-ready');
        presentDicom(loadedDefault, key);
      } else await loadSeriesFromScan(scan, key, ctrl);
    } else if (niftiLoaded) {
      const v = niftiLoaded.volume;
      showVolume(v, {
        source: 'nifti',
        seriesKey: null,
        studyUid: null,
        seriesUid: null,
        modality: v.modality,
        description: niftiLoaded.name,
        patientName: '',
        patientId: '',
        studyDescription: 'NIfTI import',
        warnings: niftiLoaded.warnings,
        measurementBlockedReason: niftiLoaded.blocked,
      });
    } else {
      // Each distinct reason once, with the first file it concerns and how many more.
      const groups = new Map<string, { first: string; n: number }>();
      for (const r of reports.filter((x) => x.status === 'error')) {
        const m = r.message ?? r.code ?? 'not usable';
        const reason = m.startsWith(`${r.name}: `) ? m.slice(r.name.length + 2) : m;
        const g = groups.get(reason);
        if (g) g.n++;
        else groups.set(reason, { first: r.name, n: 1 });
      }
      const reasons = [...groups].map(([reason, g]) => `${g.first}${g.n > 1 ? ` and ${g.n - 1} more` : ''}: ${reason}`);
      pushMessage('error', `No image could be shown from the ${files.length === 1 ? 'file' : `${files.length} files`} given${reasons.length ? `. ${reasons.slice(0, 3).join(' · ')}${reasons.length > 3 ? ` (and ${reasons.length - 3} other problems; see the file list)` : ''}` : '.'}`);
    }
  } catch (err) {
    // A failed load leaves no stale list behind: every file of this load gets a status.
    if (!(err instanceof LoadCancelledError)) store.update({ files: failedLoadReports(files, reports, err), series: [] });
    reportLoadError(err);
  } finally {
    endLoad(ctrl);
  }
}

/**
 * Files fetched from elsewhere (a DICOMweb server): downloaded under the loading bar (Cancel and
 * Esc stop the requests), then loaded like opened files. Resolves true when an image was shown.
 */
export async function loadFetchedFiles(label: string, fetchFiles: (signal: AbortSignal, onProgress: (done: number, total: number) => void) => Promise<FileLike[]>): Promise<boolean> {
  cancelLoading();
  const ctrl = new AbortController();
  abort = ctrl;
  const shownBefore = store.state.volumeKey;
  let files: FileLike[];
  try {
    setProgress(label, { phase: 'reading', done: 0, total: 0 });
    files = await fetchFiles(ctrl.signal, (done, total) => setProgress(label, { phase: 'reading', done, total }));
  } catch (err) {
    reportLoadError(err);
    endLoad(ctrl);
    return false;
  }
  if (abort === ctrl) abort = null;
  await loadFiles(files);
  return store.state.volumeKey !== shownBefore && store.state.volumeKey !== null;
}

async function loadSeriesFromScan(scan: DicomScan, key: string, ctrl: AbortController): Promise<void> {
  const info = scan.series.find((s) => s.key === key);
  if (!info) throw new Error(`unknown series ${key}`);
  if (!info.loadable) {
    pushMessage('error', `Series "${info.seriesDescription || info.key}" cannot be shown: ${info.blockedReason ?? 'not loadable'}`);
    return;
  }
  setProgress(`Loading ${info.sliceCount} slices`, { phase: 'decoding', done: 0, total: info.sliceCount });
  const loaded = await loadDicomSeries(scan, key, {
    signal: ctrl.signal,
    decoder: lazyDecoder,
    onProgress: (p) => setProgress(`Loading ${info.sliceCount} slices`, p),
  });
  performance.mark('sp:volume-ready');
  presentDicom(loaded, key);
}

/** Compressed frames: cornerstone's codecs in a worker, started the first time a compressed frame appears. */
const lazyDecoder: FrameDecoder = async (ts, bytes, frame) => (await import('../io/dicom/frame-decoder-client')).workerFrameDecoder(ts, bytes, frame);

function presentDicom(loaded: LoadedSeries, key: string): void {
  const info = loaded.info;
  showVolume(loaded.volume, {
    source: 'dicom',
    seriesKey: key,
    studyUid: info.studyInstanceUid || null,
    seriesUid: info.seriesInstanceUid || null,
    frameOfReferenceUid: info.frameOfReferenceUid || null,
    studyDate: info.studyDate,
    ...(info.sliceInstances ? { sliceInstances: info.sliceInstances } : {}),
    ...(info.studyAttributes ? { studyAttributes: info.studyAttributes } : {}),
    modality: info.modality,
    description: info.seriesDescription,
    patientName: info.patientName,
    patientPosition: info.patientPosition || null,
    patientId: info.patientId,
    studyDescription: info.studyDescription,
    warnings: loaded.info.warnings.map((w) => ({ code: w.code, message: w.message })),
    measurementBlockedReason: loaded.measurementBlockedReason,
  });
  for (const w of loaded.info.warnings) pushMessage(w.blocksMeasurement ? 'error' : 'warning', w.message);
}

/** Load another series of the last scan (from the series browser). */
export async function selectSeries(key: string): Promise<void> {
  if (!lastScan) return;
  cancelLoading();
  const ctrl = new AbortController();
  abort = ctrl;
  try {
    await loadSeriesFromScan(lastScan, key, ctrl);
  } catch (err) {
    if (err instanceof FileLoadError) store.update({ files: store.state.files.map((f) => (f.name === err.fileName ? { ...f, status: 'error' as const, code: err.code, message: err.message } : f)) });
    reportLoadError(err);
  } finally {
    endLoad(ctrl);
  }
}

export function cancelLoading(): void {
  if (abort) {
    abort.abort();
    abort = null;
  }
}

export function setCrosshair(lps: Vec3): void {
  store.update({ crosshairLps: [lps[0], lps[1], lps[2]] });
}

export function setWindow(widthHu: number, centerHu: number, preset: WindowPresetName = 'custom'): void {
  store.update({ window: { widthHu: Math.max(1, widthHu), centerHu, preset } });
}

export function applyPreset(name: 'bone' | 'soft' | 'auto'): void {
  if (name === 'auto') {
    const v = volumeCache.get(store.state.volumeKey);
    if (!v) return;
    const w = autoWindow(v.voxels);
    setWindow(w.widthHu, w.centerHu, 'auto');
    return;
  }
  const p = WINDOW_PRESETS[name];
  setWindow(p.widthHu, p.centerHu, name);
}

export function setTool(tool: ToolName): void {
  store.update({ tool, ...(tool !== store.state.tool ? { canalClicks: [] } : {}) });
}

let measurementCounter = 1;
export function addMeasurement(view: string, aLps: Vec3, bLps: Vec3): Measurement {
  const blocked = store.state.loaded?.measurementBlockedReason ?? null;
  const m: Measurement = { id: `m${measurementCounter++}`, view, aLps, bLps, lengthMm: blocked ? null : distance(aLps, bLps) };
  store.update({ measurements: [...store.state.measurements, m] });
  return m;
}

export function clearMeasurements(): void {
  store.update({ measurements: [] });
}

export function toggleHelp(open?: boolean): void {
  store.update({ helpOpen: open ?? !store.state.helpOpen });
}

export function setReady(): void {
  store.update({ ready: true });
}

export type { AppState, SeriesInfo };
