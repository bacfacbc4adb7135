/**
 * window.sacroplan: the scripting API for power users, batch re-analysis and end-to-end tests.
 * Everything returned is plain JSON (LPS millimetres, HU); see README "Scripting API".
 */
import * as actions from './actions';
import * as lesions from './lesions';
import * as caseActions from './case';
import * as planFiles from './plan';
import * as seg from './seg';
import * as autosave from './autosave';
import * as anatomyActions from './anatomy';
import type { SacralAnatomy, ForamenId } from '../anatomy/types';
import type { LesionSummary } from './store';
import type { RegionGrowOptions } from '../segmentation/region-grow';
import { volumeCache } from './volume-cache';
import { valueAtLps } from '../core/volume';
import type { Vec3 } from '../core/vec3';
import type { FileLike } from '../io/types';
import * as sceneActions from './scene';
import type { CArmView } from '../scene/carm';
import * as planning from './planning';
import type { Needle, SafetyThresholds, Trajectory } from '../planning/types';
import { needleVerdict } from '../planning/verdict';
import { scanPosition } from '../planning/position';
import { customNeedle } from '../planning/needles';
import * as teachingActions from './teaching';
import type { AttemptScore } from '../teaching/score';

export interface TrajectorySnapshot {
  id: string;
  approach: string | null;
  lesionId: string | null;
  needle: { id: string; name: string; outerDiameterMm: number; workingLengthMm: number; activeTipMm: number | null };
  entryLps: number[];
  targetLps: number[];
  depthMm: number;
  /** sliceUncertaintyMm: on slices thicker than 2 mm, how far the clearance may be off (the verdict takes it less this). */
  foramina: { id: string; clearanceMm: number; sliceUncertaintyMm?: number }[];
  nearestForamen: { id: string; clearanceMm: number; sliceUncertaintyMm?: number } | null;
  canalClearanceMm: number | null;
  canalSliceUncertaintyMm?: number;
  anteriorCortexBreach: boolean;
  tipToAnteriorCortexMm: number | null;
  advanceToAnteriorCortexMm: number | null;
  siJointCrossed: boolean;
  bonePathMm: number;
  craniocaudalDeg: number;
  mediolateralDeg: number;
  bullsEye: { laoDeg: number; cranialDeg: number };
  /** The needle's one verdict: the worst of its path, tip, ablation and cement checks. */
  status: 'pass' | 'warn' | 'fail';
  /** Every finding, worst first; the one that decides the verdict first. */
  reasons: string[];
  /** Path and tip checks only. */
  pathStatus: 'pass' | 'warn' | 'fail';
  verdict: { deciding: { part: string; text: string } | null; parts: { part: string; status: 'pass' | 'warn' | 'fail' }[] };
  advance: number;
  source: 'auto' | 'manual';
  ablation: { zones: { centerLps: number[]; lengthMm: number; diameterMm: number }[]; coverage: number | null; neuralMarginMm: number | null; status: string; reasons: string[] } | null;
  cement: { plannedMl: number; volumeMl: number; maxDiameterMm: number; lesionMaxDiameterMm: number | null; fillingRatio: number | null; lesionFilled: number | null; stopSurfaces: string[]; reasons: string[] } | null;
}

export interface SeriesSnapshot {
  modality: string;
  dims: [number, number, number];
  /** null when the spacing is unknown (no PixelSpacing): nothing may be measured. */
  spacingMm: [number, number, number] | null;
  originLps: [number, number, number];
  directionCosines: number[];
  warnings: string[];
  source: 'demo' | 'dicom' | 'nifti' | 'library';
  description: string;
  patientName: string;
  /** DICOM PatientPosition ('HFS', 'FFS', …) or null, and how the screen reads it. */
  patientPosition: string | null;
  position: { label: string; differsFromProcedure: boolean; note: string };
  measurementBlockedReason: string | null;
}

export interface Snapshot {
  series: SeriesSnapshot | null;
  files: { name: string; status: 'ok' | 'error' | 'ignored'; code?: string; message?: string }[];
  seriesList: { key: string; modality: string; description: string; sliceCount: number; dims: number[]; loadable: boolean; warnings: string[] }[];
  crosshairLps: [number, number, number] | null;
  window: { widthHu: number; centerHu: number; preset: string };
  measurements: { id: string; view: string; aLps: number[]; bLps: number[]; lengthMm: number | null }[];
  loading: boolean;
  messages: { level: string; text: string }[];
  lesions: LesionSnapshot[];
  activeLesionId: string | null;
  tool: string;
  anatomy: {
    /** radiusAtFitLimit: the radius is the fit's search bound, not a measurement (Foramen.radiusAtFitLimit). */
    foramina: { id: string; level: string; side: 'L' | 'R'; anteriorLps: number[]; posteriorLps: number[]; radiusMm: number; radiusAtFitLimit?: true; confidence: number; source: 'auto' | 'manual' }[];
    canal: { centerlineLps: number[][]; radiusMm: number[]; confidence: number; source: 'auto' | 'manual' } | null;
    zoneProblem: string | null;
    /** Foramina whose place lies outside the image (reported, not asked for). */
    outsideFov: string[];
    /** Why the sacrum mask's upper limit needs checking (SacralAnatomy.maskCheck); null when it does not. */
    maskCheck: string | null;
  };
  /** The 3D view's meshes (triangle counts; zero without a mounted 3D view). */
  scene: sceneActions.SceneSnapshot;
  trajectories: TrajectorySnapshot[];
  selectedTrajectoryId: string | null;
  thresholds: SafetyThresholds;
}

export interface LesionSnapshot extends Partial<Omit<LesionSummary, 'centroidLps'>> {
  id: string;
  name: string;
  label: number;
  color: string;
  visible: boolean;
  notes: string;
  voxelCount: number;
  /** Voxel count × voxel volume. */
  volumeMl: number;
  /** The volume the lesion panel and the report show (partial-volume corrected for lesions made from a CT image). */
  shownVolumeMl: number;
  shownVolumeBasis: 'partial-volume' | 'voxel-count';
  abc2Ml: number;
  maxDiameterMm: number;
  centroidLps: [number, number, number] | null;
  meanHu: number | null;
  zone: 1 | 2 | 3 | null;
  zoneFractions: { '1': number; '2': number; '3': number } | null;
  foraminaTouched: string[];
  zoneExplanation: string | null;
  /** The two zones either side of a border the lesion's zone hangs on (shown as "zone a/b border, check"), or null. */
  zoneBorderline: [number, number] | null;
  approachFamily: string | null;
}

export interface SacroPlanApi {
  version: string;
  ready(): Promise<void>;
  snapshot(): Snapshot;
  huAtLps(lps: [number, number, number]): number | null;
  loadFiles(files: FileLike[]): Promise<void>;
  loadDemo(): Promise<void>;
  selectSeries(key: string): Promise<void>;
  setCrosshair(lps: [number, number, number]): void;
  /** Resolves when no load is running and the current volume is on screen. */
  whenIdle(): Promise<void>;
  /** Grow a lesion from an LPS point with the defaults of one click (Grow tool), or into `lesionId` (Shift-click); resolves to its id. */
  segmentLesionAt(lps: [number, number, number], options?: RegionGrowOptions, lesionId?: string): Promise<string>;
  /** Paint a sphere (or a capsule from `fromLps` to `toLps`) into a lesion (default: the active one, or a new one). Resolves to the lesion id. */
  paint(args: { centerLps?: [number, number, number]; fromLps?: [number, number, number]; toLps?: [number, number, number]; radiusMm: number; lesionId?: string }): Promise<string | null>;
  /** Erase a sphere or capsule from a lesion (default: the active one). */
  erase(args: { centerLps?: [number, number, number]; fromLps?: [number, number, number]; toLps?: [number, number, number]; radiusMm: number; lesionId?: string }): Promise<void>;
  deleteLesion(id: string): Promise<void>;
  /** Undo / redo the last edit of the case (lesions, landmarks, needles, thresholds). */
  undo(): Promise<void>;
  redo(): Promise<void>;
  /** Suggest the sacral landmarks (sacrum, canal, foramina S1–S4) from the CT; hand-placed ones are kept. */
  detectAnatomy(): Promise<void>;
  /** Place or move a foramen by hand ('S1_L' … 'S4_R'); lesions are re-classified. */
  setForamen(id: string, f: { anteriorLps: [number, number, number]; posteriorLps: [number, number, number]; radiusMm: number }): Promise<void>;
  /** Set the canal by hand (centreline cranial → caudal, one radius per point); it is kept by later detections; lesions are re-classified. */
  setCanal(c: { centerlineLps: [number, number, number][]; radiusMm: number[] }): Promise<void>;
  /** Replace all sacral landmarks (foramina, canal, frame), e.g. from a saved plan; lesions are re-classified. */
  setAnatomy(anatomy: SacralAnatomy | null): Promise<void>;
  /** The analytic definition of the built-in demo case (lesion centres, volumes and zones; foramina), or null when another image is shown. */
  demoCase(): unknown;
  /** Place a needle exactly from entryLps (skin) to targetLps; resolves to its id. needle: a catalogue id (see needles()) or a needle object. */
  setTrajectory(t: { entryLps: number[]; targetLps: number[]; needle?: string | Needle; approach?: string; lesionId?: string }): Promise<string>;
  /** Auto-plan one approach ('transiliac', 'interpedicular', 'anterior-oblique', 'posterior-short-axis', 'posterior-long-axis') for a lesion; resolves to the (first) needle's id. */
  planApproach(lesionId: string, approach: string, options?: { needle?: string; needles?: number }): Promise<string>;
  /** Plan all five approaches for a lesion and rank them, best first, with reasons. */
  rankApproaches(lesionId: string, options?: { needle?: string }): Promise<planning.RankRow[]>;
  /** Move a needle's entry and target (as a drag does). */
  moveTrajectory(id: string, entryLps: number[], targetLps: number[]): Promise<void>;
  deleteTrajectory(id: string): Promise<void>;
  /** The needle catalogue (and user-defined needles). */
  needles(): Needle[];
  /** Add a user-defined needle (gauge or outer diameter, working length, optional RF active tip); resolves to its id. */
  addNeedle(n: { name: string; gauge?: number; outerDiameterMm?: number; workingLengthMm: number; activeTipMm?: number }): Promise<string>;
  /** Change pass/warn/fail thresholds (mm); every needle is re-checked. */
  setThresholds(t: Partial<SafetyThresholds>): Promise<void>;
  /** Predict the cement deposit at a needle's tip (volumeMl default: the lesion's volume, at most 8 mL; null removes it). */
  planCement(id: string, volumeMl?: number | null): Promise<unknown>;
  /** Aim an RF electrode's tip for its burns (coverage within the neural margin); sets the proposed burn count. */
  aimElectrode(id: string): Promise<{ tipLps: number[]; entryLps: number[]; burns: number; options: { burns: number; coverage: number; marginMm: number | null; coverageAnyMargin: number }[]; reasons: string[] }>;
  /** RF ablation parameters of an electrode trajectory. */
  setAblation(id: string, p: { extraLengthMm?: number; diameterMm?: number | null; burns?: number; stepMm?: number | null }): Promise<void>;
  /** Select a tool as the toolbar does ('crosshair', 'windowLevel', 'pan', 'zoom', 'ruler', 'regionGrow', 'brush', 'eraser'). */
  setTool(tool: string): void;
  /** The open case as a .sacroplan file (what Save plan downloads). */
  savePlan(): Promise<Blob>;
  /** Opens a .sacroplan file on the shown series; rejects with the reason (and changes nothing) for another series or a damaged, hostile or newer file. */
  openPlan(file: Blob): Promise<void>;
  /** The case's lesions as a DICOM SEG (Part 10 bytes, one segment per non-empty lesion; what Export SEG downloads). */
  /** The lesions as DICOM SEG; `sacrum` / `zones` add the sacrum mask and the Denis zones 1–3 (default: as ticked in the Case menu). */
  exportSeg(options?: { sacrum?: boolean; zones?: boolean }): Promise<Uint8Array>;
  /** The 3D view's bone, lesions, foramina, canal and needles in LPS mm: a zip of one binary STL per structure ('stl') or one OBJ with named objects ('obj'); what Export mesh downloads. */
  exportMesh(format: 'stl' | 'obj'): Promise<Blob>;
  /**
   * The report as a PDF (application/pdf, A4, made in the page with pdf-lib): case identifiers
   * (anonymised on request), key images of the axial view, the 3D view and the fluoroscopy, the
   * lesion and needle tables, the thresholds used and the disclaimer, as real text.
   */
  report(options?: { anonymise?: boolean }): Promise<Blob>;
  /** Adds a DICOM SEG's segments as lesions (one undo step); rejects with the reason, changing nothing, for another frame of reference or grid or a file that is not a BINARY SEG. */
  importSeg(bytes: Uint8Array): Promise<void>;
  /** What the user's Restore does: the autosave of the shown series replaces the case; false when none is stored. */
  restoreAutosave(): Promise<boolean>;
  /** The cases stored in this browser (autosaves), newest first. */
  savedCases(): Promise<autosave.SavedCaseInfo[]>;
  /** The autosave's state: last write, failure, main-thread time and latency of the last write. */
  autosaveStatus(): autosave.AutosaveStatus;
  /** Checksum of the lesion label map (voxel-exact comparisons): a 32-bit FNV-1a hash and the voxel count per label in use. */
  labelDigest(): { fnv1a: string; counts: Record<number, number> } | null;
  /** Checksum of the loaded voxel values (for QA of decoders): count, min, max, sum and a 32-bit FNV-1a hash. */
  voxelDigest(): { count: number; min: number; max: number; sum: number; fnv1a: string } | null;
  /** Simulated radiograph (line integrals ∫μ dl, row-major) of the shown CT for a C-arm pose, with the projection of LPS points to its pixels. */
  drr(options: { view: CArmView; sizePx?: number }): Promise<sceneActions.DrrResult>;
  /** The built-in teaching library: id, title, main Denis zone and the study's approach ('declined' when outside its criteria). */
  listCases(): teachingActions.CaseListing[];
  /** Opens a library case: its series and its expert plan (lesions, landmarks, the planner's needles) in snapshot(). */
  openCase(id: string): Promise<void>;
  /** Starts a fellow's attempt on a library case: its landmarks only, zones and answers hidden. */
  startAttempt(id: string): Promise<void>;
  /** The fellow's answers for the running attempt (what the Fellow panel sets). */
  setAnswer(a: { zone?: 1 | 2 | 3 | null; approach?: string | null; declined?: boolean }): void;
  /** Scores the running attempt (segmentation, zone, approach, needle), keeps it in the local progress and reveals the answer. */
  score(): Promise<AttemptScore>;
  /** Presenter mode on a library case at a step (0 anatomy … 6 cement), and stepping through it. */
  present(id: string, step?: number): Promise<void>;
  setPresenterStep(step: number): Promise<void>;
  /** A link that opens the open library case at the presenter step with its needles. */
  shareLink(): string;
  /** The fellow's progress (all scored attempts in this browser) as CSV. */
  progressCsv(): Promise<string>;
}

export function buildSnapshot(): Snapshot {
  const s = actions.store.state;
  const l = s.loaded;
  const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v));
  return clone({
    series: l
      ? {
          modality: l.modality,
          dims: l.dims,
          spacingMm: l.warnings.some((w) => w.code === 'missing-pixel-spacing') ? null : l.spacingMm,
          originLps: l.originLps,
          directionCosines: l.directionCosines,
          warnings: l.warnings.map((w) => w.code),
          source: l.source,
          description: l.description,
          patientName: l.patientName,
          patientPosition: l.patientPosition ?? null,
          position: (({ label, differsFromProcedure, note }) => ({ label, differsFromProcedure, note }))(scanPosition(l.patientPosition)),
          measurementBlockedReason: l.measurementBlockedReason,
        }
      : null,
    files: s.files.map((f) => ({ name: f.name, status: f.status, ...(f.code ? { code: f.code } : {}), ...(f.message ? { message: f.message } : {}) })),
    seriesList: s.series.map((x) => ({ key: x.key, modality: x.modality, description: x.seriesDescription, sliceCount: x.sliceCount, dims: x.dims, loadable: x.loadable, warnings: x.warnings.map((w) => w.code) })),
    crosshairLps: s.crosshairLps,
    window: s.window,
    measurements: s.measurements,
    loading: s.loading !== null,
    messages: s.messages.map((m) => ({ level: m.level, text: m.text })),
    lesions: s.lesions.map((l) => ({
      id: l.id,
      name: l.name,
      label: l.label,
      color: l.color,
      visible: l.visible,
      notes: l.notes,
      ...(l.stats ?? {}),
      voxelCount: l.stats?.voxelCount ?? 0,
      volumeMl: l.stats?.volumeMl ?? 0,
      shownVolumeMl: l.stats?.shownVolumeMl ?? 0,
      shownVolumeBasis: l.stats?.shownVolumeBasis ?? 'voxel-count',
      abc2Ml: l.stats?.abc2Ml ?? 0,
      maxDiameterMm: l.stats?.maxDiameterMm ?? 0,
      centroidLps: l.stats?.centroidLps ?? null,
      meanHu: l.stats?.meanHu ?? null,
      zone: l.zone?.zone ?? null,
      zoneFractions: l.zone ? { '1': l.zone.zoneFractions['1'], '2': l.zone.zoneFractions['2'], '3': l.zone.zoneFractions['3'] } : null,
      foraminaTouched: l.zone?.foraminaTouched ?? [],
      zoneExplanation: l.zone?.explanation ?? null,
      zoneBorderline: l.zone?.borderline ? [l.zone.borderline.zones[0], l.zone.borderline.zones[1]] : null,
      approachFamily: l.zone?.approachFamily ?? null,
    })),
    anatomy: {
      foramina: (s.anatomy?.foramina ?? []).map((f) => ({ id: f.id, level: f.level, side: f.side, anteriorLps: f.anteriorLps, posteriorLps: f.posteriorLps, radiusMm: f.radiusMm, ...(f.radiusAtFitLimit ? { radiusAtFitLimit: true as const } : {}), confidence: f.confidence, source: f.source })),
      canal: s.anatomy?.canal ? { centerlineLps: s.anatomy.canal.centerlineLps, radiusMm: s.anatomy.canal.radiusMm, confidence: s.anatomy.canal.confidence, source: s.anatomy.canal.source } : null,
      zoneProblem: s.zoneProblem,
      outsideFov: [...(s.anatomy?.outsideFov ?? [])],
      maskCheck: s.anatomy?.maskCheck ?? null,
    },
    activeLesionId: s.activeLesionId,
    tool: s.tool,
    trajectories: s.trajectories.map((t): TrajectorySnapshot => ({
      id: t.id, approach: t.approach, lesionId: t.lesionId,
      needle: { id: t.needle.id, name: t.needle.name, outerDiameterMm: t.needle.outerDiameterMm, workingLengthMm: t.needle.workingLengthMm, activeTipMm: t.needle.activeTipMm ?? null },
      entryLps: t.entryLps, targetLps: t.targetLps, depthMm: t.metrics.depthMm, foramina: t.metrics.foramina, nearestForamen: t.metrics.nearestForamen,
      canalClearanceMm: t.metrics.canalClearanceMm, ...(t.metrics.canalSliceUncertaintyMm ? { canalSliceUncertaintyMm: t.metrics.canalSliceUncertaintyMm } : {}), anteriorCortexBreach: t.metrics.anteriorCortexBreach, tipToAnteriorCortexMm: t.metrics.tipToAnteriorCortexMm, advanceToAnteriorCortexMm: t.metrics.advanceToAnteriorCortexMm,
      siJointCrossed: t.metrics.siJointCrossed, bonePathMm: t.metrics.bonePathMm, craniocaudalDeg: t.metrics.craniocaudalDeg, mediolateralDeg: t.metrics.mediolateralDeg,
      bullsEye: t.metrics.bullsEye, ...verdictSnapshot(t), advance: t.advance, source: t.source,
      ablation: t.ablation ? { zones: t.ablation.zones.map((z) => ({ centerLps: z.centerLps, lengthMm: z.lengthMm, diameterMm: z.diameterMm })), coverage: t.ablation.coverage, neuralMarginMm: t.ablation.neuralMarginMm, status: t.ablation.status, reasons: t.ablation.reasons } : null,
      cement: t.cement ? { plannedMl: t.cement.plannedMl, volumeMl: t.cement.volumeMl, maxDiameterMm: t.cement.maxDiameterMm, lesionMaxDiameterMm: t.cement.lesionMaxDiameterMm, fillingRatio: t.cement.fillingRatio, lesionFilled: t.cement.lesionFilled, stopSurfaces: t.cement.stopSurfaces, reasons: t.cement.reasons } : null,
    })),
    selectedTrajectoryId: s.selectedTrajectoryId,
    thresholds: s.thresholds,
    scene: sceneActions.sceneSnapshot(),
  });
}

/** status = the needle's one verdict (worst of path, tip, ablation, cement), reasons worst first; pathStatus = path and tip only. */
function verdictSnapshot(t: Trajectory): Pick<TrajectorySnapshot, 'status' | 'reasons' | 'pathStatus' | 'verdict'> {
  const v = needleVerdict(t);
  return {
    status: v.status, reasons: v.checks.map((c) => c.text), pathStatus: t.metrics.status,
    verdict: { deciding: v.deciding ? { part: v.deciding.part, text: v.deciding.text } : null, parts: v.parts.map((p) => ({ part: p.part, status: p.status })) },
  };
}

export function voxelDigest(): ReturnType<SacroPlanApi['voxelDigest']> {
  const v = volumeCache.get(actions.store.state.volumeKey);
  if (!v) return null;
  const a = v.voxels;
  let min = Infinity, max = -Infinity, sum = 0, h = 0x811c9dc5;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    if (x < min) min = x;
    if (x > max) max = x;
    sum += x;
    const q = Math.round(x) | 0;
    h = Math.imul(h ^ (q & 0xff), 16777619);
    h = Math.imul(h ^ ((q >>> 8) & 0xff), 16777619);
    h = Math.imul(h ^ ((q >>> 16) & 0xff), 16777619);
    h = Math.imul(h ^ ((q >>> 24) & 0xff), 16777619);
  }
  return { count: a.length, min, max, sum, fnv1a: (h >>> 0).toString(16).padStart(8, '0') };
}

export function labelDigest(): ReturnType<SacroPlanApi['labelDigest']> {
  const a = caseActions.currentLabels();
  if (!a) return null;
  const counts: Record<number, number> = {};
  let h = 0x811c9dc5;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    if (x) counts[x] = (counts[x] ?? 0) + 1;
    h = Math.imul(h ^ x, 16777619);
  }
  return { fnv1a: (h >>> 0).toString(16).padStart(8, '0'), counts };
}

export function installApi(ready: Promise<void>, whenShown: () => Promise<void>): SacroPlanApi {
  const whenIdle = async (): Promise<void> => {
    await ready;
    for (;;) {
      if (actions.store.state.loading === null) break;
      await new Promise<void>((res) => {
        const off = actions.store.subscribe((st) => {
          if (st.loading === null) { off(); res(); }
        });
      });
    }
    await whenShown();
    await planning.settled();
  };
  const api: SacroPlanApi = {
    version: planFiles.APP_VERSION,
    ready: () => ready,
    snapshot: buildSnapshot,
    huAtLps(lps) {
      const v = volumeCache.get(actions.store.state.volumeKey);
      if (!v) return null;
      return valueAtLps(v, lps as Vec3);
    },
    loadFiles: (files) => actions.loadFiles(files),
    loadDemo: () => actions.loadDemo(),
    selectSeries: (key) => actions.selectSeries(key),
    setCrosshair: (lps) => actions.setCrosshair([lps[0], lps[1], lps[2]]),
    whenIdle,
    voxelDigest,
    labelDigest,
    savePlan: () => planFiles.savePlan(),
    restoreAutosave: async () => { const ok = await autosave.restoreAutosave(); await caseActions.caseSettled(); return ok; },
    savedCases: () => autosave.savedCases(),
    autosaveStatus: () => ({ ...autosave.autosaver.status }),
    openPlan: async (file) => { await planFiles.openPlan(file); await caseActions.caseSettled(); },
    exportSeg: (options) => seg.exportSeg(options ?? {}),
    exportMesh: (format) => sceneActions.exportMesh(format),
    report: async (options) => (await import('./report')).reportBlob(options?.anonymise ?? false),
    importSeg: async (bytes) => { await seg.importSeg(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes as ArrayLike<number>)); await caseActions.caseSettled(); },
    segmentLesionAt: (lps, options, lesionId) => lesions.segmentLesionAt([lps[0], lps[1], lps[2]], options ?? {}, lesionId ?? null),
    paint: (a) => {
      const from = a.fromLps ?? a.centerLps, to = a.toLps ?? a.centerLps ?? a.fromLps;
      if (!from || !to) return Promise.reject(new Error('paint needs centerLps or fromLps/toLps'));
      return lesions.paint(from, to, a.radiusMm, a.lesionId);
    },
    erase: async (a) => {
      const from = a.fromLps ?? a.centerLps, to = a.toLps ?? a.centerLps ?? a.fromLps;
      if (!from || !to) throw new Error('erase needs centerLps or fromLps/toLps');
      await lesions.paint(from, to, a.radiusMm, a.lesionId, true);
    },
    deleteLesion: (id) => lesions.deleteLesion(id),
    undo: async () => { await caseActions.undo(); await caseActions.caseSettled(); },
    redo: async () => { await caseActions.redo(); await caseActions.caseSettled(); },
    setTool: (tool) => actions.setTool(tool as never),
    setForamen: (id, f) => anatomyActions.setForamen(id as ForamenId, f),
    setCanal: (c) => anatomyActions.setCanal(c),
    detectAnatomy: () => anatomyActions.detectAnatomy(),
    setAnatomy: (a) => anatomyActions.setAnatomy(a),
    setTrajectory: (t) => planning.setTrajectory(t),
    planApproach: (id, a, o) => planning.planApproach(id, a, o ?? {}),
    rankApproaches: (id, o) => planning.rankApproaches(id, o ?? {}),
    moveTrajectory: async (id, e, t) => {
      await planning.setTrajectoryPoints(id, [e[0]!, e[1]!, e[2]!], [t[0]!, t[1]!, t[2]!]);
      await planning.settled();
    },
    deleteTrajectory: (id) => planning.deleteTrajectory(id),
    needles: () => JSON.parse(JSON.stringify(planning.needles())),
    addNeedle: async (n) => {
      const needle = customNeedle(n);
      planning.addCustomNeedle(needle);
      actions.store.update({ rankingVersion: actions.store.state.rankingVersion + 1 });
      return needle.id;
    },
    setThresholds: (t) => planning.setThresholds(t),
    setAblation: (id, p) => planning.setAblation(id, p),
    aimElectrode: async (id) => JSON.parse(JSON.stringify(await planning.aimElectrode(id))),
    planCement: async (id, ml) => JSON.parse(JSON.stringify(await planning.planCement(id, ml))),
    demoCase: () => (actions.store.state.loaded?.source === 'demo' ? JSON.parse(JSON.stringify(actions.demoTruth)) : null),
    drr: (o) => sceneActions.drr(o),
    listCases: () => teachingActions.listCases(),
    openCase: async (id) => { await teachingActions.openCase(id, 'expert'); await planning.settled(); },
    startAttempt: async (id) => { await teachingActions.startAttempt(id); await planning.settled(); },
    setAnswer: (a) => teachingActions.setAnswer(a as Partial<teachingActions.TeachingAnswer>),
    score: async () => JSON.parse(JSON.stringify(await teachingActions.score())),
    present: (id, step) => teachingActions.present(id, step ?? 0),
    setPresenterStep: (step) => teachingActions.setPresenterStep(step),
    shareLink: () => teachingActions.shareLink(),
    progressCsv: () => teachingActions.progressAsCsv(),
  };
  (window as unknown as { sacroplan: SacroPlanApi }).sacroplan = api;
  return api;
}

declare global {
  interface Window {
    sacroplan: SacroPlanApi;
  }
}
