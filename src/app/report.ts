/**
 * The printable report's content: case identifiers (or their anonymised form), one row per lesion
 * and per needle, the thresholds used. Built from the same snapshot the scripting API returns, so
 * the printed numbers are the API's numbers at the printed precision (see the formatters below).
 */
import { store } from './actions';
import { buildSnapshot, type Snapshot } from './api';
import { studyCriteria } from '../segmentation/criteria';
import { sliceAllowanceNote } from '../planning/slice-uncertainty';
import type { KeyImage } from './report-html';

export type { KeyImage };

/** Printed precision: mL to 0.01, mm to 0.1, percent to 1. */
export const fmtMl = (v: number | null | undefined): string => (v === null || v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(2));
export const fmtMm = (v: number | null | undefined): string => (v === null || v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(1));
export const fmtPct = (v: number | null | undefined): string => (v === null || v === undefined || !Number.isFinite(v) ? '—' : `${Math.round(v * 100)} %`);

export interface ReportLesionRow {
  id: string;
  name: string;
  volumeMl: string;
  abc2Ml: string;
  maxDiameterMm: string;
  zone: string;
  foramina: string;
  criteria: string;
}

export interface ReportNeedleRow {
  id: string;
  lesion: string;
  approach: string;
  needle: string;
  depthMm: string;
  nearestForamen: string;
  canalMm: string;
  verdict: string;
  reasons: string[];
  ablationCoverage: string;
  cementMl: string;
}

export interface ReportData {
  identifiers: { label: string; value: string }[];
  lesions: ReportLesionRow[];
  needles: ReportNeedleRow[];
  thresholds: { label: string; value: string }[];
  createdAt: string;
  snapshot: Snapshot;
}

const THRESHOLD_LABELS: Record<string, string> = {
  neuralFailMm: 'Needle to foramen/canal: fail below (mm)',
  neuralWarnMm: 'Needle to foramen/canal: warn below (mm)',
  anteriorCortexWarnMm: 'Tip to anterior cortex: warn below (mm)',
  ablationNeuralWarnMm: 'Ablation zone to foramen/canal: warn below (mm)',
  ablationCoverageWarnPct: 'Ablation coverage: warn below (%)',
};

/** The report of the open case; anonymise: no name, ID or dates, only the modality and description. */
export function reportData(anonymise: boolean): ReportData {
  const snap = buildSnapshot();
  const l = store.state.loaded;
  const identifiers = anonymise
    ? [{ label: 'Patient', value: 'anonymised' }, { label: 'Series', value: `${l?.modality ?? ''} · ${l?.description ?? ''}` }]
    : [
        { label: 'Patient', value: l?.patientName || '—' },
        { label: 'Patient ID', value: l?.patientId || '—' },
        { label: 'Study', value: `${l?.studyDescription || '—'}${l?.studyDate ? ` · ${l.studyDate}` : ''}` },
        { label: 'Series', value: `${l?.modality ?? ''} · ${l?.description ?? ''}` },
        ...(l?.studyUid ? [{ label: 'Study UID', value: l.studyUid }] : []),
      ];
  const entries = new Map(store.state.lesions.map((e) => [e.id, e]));
  const lesions = snap.lesions.map((x): ReportLesionRow => {
    const z = entries.get(x.id)?.zone ?? null;
    const c = x.voxelCount > 0
      ? studyCriteria({ maxDiameterMm: x.maxDiameterMm, foraminaEntered: z ? z.foraminaEntered : null, canalDepthMm: z ? z.canalDepthMm : null, nearestForamen: z?.nearestForamen ?? null, canalDistanceMm: z?.canalDistanceMm ?? null }).summary
      : 'empty lesion';
    return {
      id: x.id, name: x.name, volumeMl: `${fmtMl(x.shownVolumeMl)}${x.shownVolumeBasis === 'partial-volume' ? ' (PV)' : ''}`, abc2Ml: fmtMl(x.abc2Ml), maxDiameterMm: fmtMm(x.maxDiameterMm),
      zone: x.zone === null ? '—' : x.zoneBorderline ? `Denis ${x.zoneBorderline.join('/')} border, check` : `Denis ${x.zone}`, foramina: x.foraminaTouched.length ? x.foraminaTouched.join(', ') : 'none', criteria: c,
    };
  });
  const lesionName = new Map(snap.lesions.map((x) => [x.id, x.name]));
  const needles = snap.trajectories.map((t): ReportNeedleRow => ({
    id: t.id,
    lesion: t.lesionId ? lesionName.get(t.lesionId) ?? t.lesionId : '—',
    approach: t.approach ?? 'manual',
    needle: t.needle.name,
    depthMm: fmtMm(t.depthMm),
    nearestForamen: t.nearestForamen ? `${t.nearestForamen.id} ${fmtMm(t.nearestForamen.clearanceMm)}${sliceAllowanceNote(t.nearestForamen.clearanceMm, t.nearestForamen.sliceUncertaintyMm)}` : '—',
    canalMm: t.canalClearanceMm === null ? '—' : `${fmtMm(t.canalClearanceMm)}${sliceAllowanceNote(t.canalClearanceMm, t.canalSliceUncertaintyMm)}`,
    verdict: t.status,
    reasons: t.reasons,
    ablationCoverage: t.ablation ? fmtPct(t.ablation.coverage) : '—',
    cementMl: t.cement ? fmtMl(t.cement.volumeMl) : '—',
  }));
  const thresholds = Object.entries(snap.thresholds).filter(([k]) => k in THRESHOLD_LABELS).map(([k, v]) => ({ label: THRESHOLD_LABELS[k]!, value: String(v) }));
  return { identifiers, lesions, needles, thresholds, createdAt: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC', snapshot: snap };
}

/** Who takes the key images (the views live in ui/, which registers itself at start). */
let keyImageSource: (() => Promise<KeyImage[]>) | null = null;
export function setKeyImageSource(source: () => Promise<KeyImage[]>): void {
  keyImageSource = source;
}

/** PNG pictures of the axial view with its overlays, the 3D view and the simulated fluoroscopy, as shown now. */
export async function keyImages(): Promise<KeyImage[]> {
  return keyImageSource ? keyImageSource() : [];
}

/** The report as a PDF (application/pdf; app/report-pdf.ts): what `report()` returns. */
export async function reportBlob(anonymise = false): Promise<Blob> {
  const data = reportData(anonymise);
  const images = await keyImages();
  const { reportPdfBlob } = await import('./report-pdf');
  return reportPdfBlob(data, images);
}
