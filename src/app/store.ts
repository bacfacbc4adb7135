/**
 * The one state store. Views read `state` and call actions (src/app/actions.ts); nothing else
 * mutates state. State is plain data; voxel arrays live outside it (src/app/volume-cache.ts),
 * referenced by `volumeKey`.
 */
import type { Vec3 } from '../core/vec3';
import type { StudyAttributes } from '../core/series';
import type { FileReport, SeriesInfo, LoadProgress } from '../io/types';
import type { SacralAnatomy, DenisZone, ForamenId } from '../anatomy/types';
import type { Trajectory, SafetyThresholds } from '../planning/types';
import { DEFAULT_THRESHOLDS } from '../planning/types';
import type { AutosaveStatus } from './autosave-core';

/** Denis-zone classification of one lesion (src/anatomy/classify.ts). */
export interface LesionZoneSummary {
  zone: DenisZone | null;
  zoneFractions: { '1': number; '2': number; '3': number; below: number };
  foraminaTouched: ForamenId[];
  nearestForamen: { id: ForamenId; distanceMm: number } | null;
  canalDistanceMm: number | null;
  /** Foramina whose lumen the lesion reaches into, and how deep (mm). */
  foraminaEntered: { id: ForamenId; depthMm: number }[];
  /** Depth of the lesion inside the canal (0: none; null: no canal landmark). */
  canalDepthMm: number | null;
  /** The zone hangs on a border within the landmarks' uncertainty (classify.ts): shown as "zone a/b border, check". */
  borderline: { zones: [DenisZone, DenisZone]; marginMm: number; toleranceMm: number } | null;
  approachFamily: string;
  explanation: string;
}

export type ToolName = 'crosshair' | 'windowLevel' | 'pan' | 'zoom' | 'ruler' | 'regionGrow' | 'brush' | 'eraser' | 'thresholdBox' | 'seeds' | 'foramen' | 'canal';
export type WindowPresetName = 'bone' | 'soft' | 'auto' | 'custom';

export interface Measurement {
  id: string;
  view: string;
  aLps: Vec3;
  bLps: Vec3;
  /** null when measurement is blocked (unknown pixel spacing). */
  lengthMm: number | null;
}

export interface Message {
  id: number;
  level: 'info' | 'warning' | 'error';
  text: string;
}

export interface LoadedInfo {
  source: 'demo' | 'dicom' | 'nifti' | 'library';
  seriesKey: string | null;
  /** DICOM StudyInstanceUID / SeriesInstanceUID (null for NIfTI and the demo): the case's identity with the grid. */
  studyUid: string | null;
  seriesUid: string | null;
  /** DICOM FrameOfReferenceUID, StudyDate and, per slice k, the source instance (what a DICOM SEG references); absent for NIfTI and the demo. */
  frameOfReferenceUid?: string | null;
  studyDate?: string;
  sliceInstances?: ({ sopClassUid: string; sopInstanceUid: string } | null)[];
  studyAttributes?: StudyAttributes;
  modality: string;
  description: string;
  patientName: string;
  /** DICOM PatientPosition of the scan ('HFS', …); null when unknown (NIfTI, the demo, a file without it). */
  patientPosition?: string | null;
  patientId: string;
  studyDescription: string;
  dims: [number, number, number];
  spacingMm: Vec3;
  originLps: Vec3;
  directionCosines: number[];
  warnings: { code: string; message: string }[];
  measurementBlockedReason: string | null;
  valueUnits: 'HU' | 'raw';
  valueRange: [number, number];
}

/** Statistics of one lesion, as shown in the panel and returned by the scripting API. */
export interface LesionSummary {
  voxelCount: number;
  /** Voxel count × voxel volume. */
  volumeMl: number;
  /** Partial-volume-aware estimate (CT), or null. */
  partialVolumeMl: number | null;
  /**
   * The volume the panel shows (segmentation/stats.ts shownVolume): the partial-volume estimate for
   * a lesion made from the image (Grow, Strokes), the voxel count for a brush-painted one.
   */
  shownVolumeMl: number;
  shownVolumeBasis: 'partial-volume' | 'voxel-count';
  /** The voxel count is shown because the brush or eraser edited a lesion made from the image. */
  shownVolumeBrushEdited: boolean;
  /** ABC/2 on the axial (acquisition) slices and on the principal axes, mL. */
  abc2Ml: number;
  abc2PrincipalMl: number;
  abcAxialMm: [number, number, number];
  maxDiameterMm: number;
  principalDiametersMm: [number, number, number];
  centroidLps: Vec3;
  meanHu: number | null;
  minHu: number | null;
  maxHu: number | null;
  sdHu: number | null;
  exceeds30mm: boolean;
  /** z-scores of the volume against the source study's cohorts (Tian 2022). */
  cohortZ: { 'PSP+RFA': number; PSP: number };
}

export interface LesionEntry {
  id: string;
  /** Label value in the label map (1..255). */
  label: number;
  name: string;
  color: string;
  visible: boolean;
  notes: string;
  stats: LesionSummary | null;
  /** Null until landmarks exist (see AppState.zoneProblem) or while the lesion is empty. */
  zone: LesionZoneSummary | null;
  /** Volume beyond the detected sacrum, mL (null: no sacrum mask yet). */
  outsideSacrumMl: number | null;
  /** Lesion / background strokes of the low-contrast tool (empty when never used). */
  seeds: { kind: 'lesion' | 'background'; pointsLps: Vec3[]; radiusMm: number }[];
}

export interface SegmentationUi {
  brushRadiusMm: number;
  /** Brush only paints voxels within the HU window [lo, hi] when set. */
  brushWindowHu: [number, number] | null;
  /** HU window of the box-threshold tool. */
  thresholdWindowHu: [number, number];
  canUndo: boolean;
  canRedo: boolean;
  /** What Undo / Redo would undo or redo ('move foramen', 'brush', …), for their tooltips. */
  undoName: string | null;
  redoName: string | null;
  /** Text of a running command that has taken over 200 ms. */
  busy: string | null;
  lastCommandMs: number | null;
  inWorker: boolean;
  /** What a drag of the lesion/background strokes tool paints (Shift paints the other kind). */
  seedKind: 'lesion' | 'background';
  /** The stroke being dragged (drawn by the views until it is sent), or null. */
  seedDraft: { kind: 'lesion' | 'background'; pointsLps: Vec3[] } | null;
}

export interface AppState {
  ready: boolean;
  files: FileReport[];
  series: SeriesInfo[];
  /** Key of the volume in the cache, or null when nothing is loaded. */
  volumeKey: string | null;
  loaded: LoadedInfo | null;
  loading: (LoadProgress & { label: string }) | null;
  messages: Message[];
  crosshairLps: Vec3 | null;
  /** Bumped by "Go" actions (a foramen, the canal, a lesion): the views centre on the crosshair. */
  centreRequest: number;
  /**
   * With a centre request: the field of view (mm) a view zoomed far out (showing more than twice this)
   * is brought to, so that a landmark under review is large enough to judge; null keeps the zoom.
   */
  centreFovMm: number | null;
  window: { widthHu: number; centerHu: number; preset: WindowPresetName };
  tool: ToolName;
  measurements: Measurement[];
  helpOpen: boolean;
  lesions: LesionEntry[];
  activeLesionId: string | null;
  seg: SegmentationUi;
  /** Bumped whenever label voxels change (views redraw the overlay). */
  labelsVersion: number;
  /** Sacral landmarks of the shown volume (suggested or placed), or null. */
  anatomy: SacralAnatomy | null;
  /** Why lesions cannot be classified yet, or null. */
  zoneProblem: string | null;
  showZones: boolean;
  /** Bumped whenever the zone map is rewritten. */
  zoneMapVersion: number;
  /** Guided review of the landmarks: the step shown (index into REVIEW_STEPS, app/anatomy.ts), or null. */
  review: { step: number } | null;
  /** Placing a foramen by hand: the next clicks in a view give its anterior, then posterior opening. */
  placing: { id: ForamenId; anteriorLps: Vec3 | null } | null;
  /** Clicks of the Canal tool so far (the canal is fitted from the second on). */
  canalClicks: Vec3[];
  /** Planned needles (src/planning), each with its metrics; views draw them. */
  trajectories: Trajectory[];
  selectedTrajectoryId: string | null;
  thresholds: SafetyThresholds;
  /** Bumped when an approach ranking is computed (src/app/planning.ts keeps the rows). */
  rankingVersion: number;
  /** Placing a needle by hand: the next clicks in a view give its skin entry, then its target. */
  placingNeedle: { needleId: string; lesionId: string | null; entryLps: Vec3 | null } | null;
  /** Fellow mode (app/teaching.ts): zone overlay and text, landmark labels and the planner's answer are hidden until the attempt is scored. */
  teachingHidesAnswers: boolean;
  /** Bumped whenever the cement map is rewritten. */
  cementVersion: number;
  /** Revision of the open case (src/case/engine.ts): changes with every edit, undo and redo. */
  caseRevision: number;
  /** Autosave to the browser's storage (src/app/autosave.ts): its state, last write, failure. */
  autosave: AutosaveStatus;
  /** An autosave of the shown series found when it was opened: the UI offers to restore it. */
  restoreOffer: { savedAt: string; lesions: number; needles: number } | null;
  /** A question the user must answer before an action goes on (unsaved changes), or null. */
  question: { text: string; okLabel: string } | null;
}

export const initialState: AppState = {
  ready: false,
  files: [],
  series: [],
  volumeKey: null,
  loaded: null,
  loading: null,
  messages: [],
  crosshairLps: null,
  centreRequest: 0,
  centreFovMm: null,
  window: { widthHu: 2000, centerHu: 500, preset: 'bone' },
  tool: 'crosshair',
  measurements: [],
  helpOpen: false,
  lesions: [],
  activeLesionId: null,
  seg: { brushRadiusMm: 4, brushWindowHu: null, thresholdWindowHu: [-100, 150], canUndo: false, canRedo: false, undoName: null, redoName: null, busy: null, lastCommandMs: null, inWorker: false, seedKind: 'lesion', seedDraft: null },
  labelsVersion: 0,
  anatomy: null,
  zoneProblem: null,
  showZones: false,
  zoneMapVersion: 0,
  review: null,
  placing: null,
  canalClicks: [],
  trajectories: [],
  selectedTrajectoryId: null,
  thresholds: { ...DEFAULT_THRESHOLDS },
  rankingVersion: 0,
  placingNeedle: null,
  teachingHidesAnswers: false,
  cementVersion: 0,
  caseRevision: 0,
  autosave: { state: 'idle', savedAt: null, error: null, lastMainThreadMs: null, lastLatencyMs: null },
  restoreOffer: null,
  question: null,
};

type Listener = (state: AppState, prev: AppState) => void;

export class Store {
  private current: AppState;
  private listeners = new Set<Listener>();

  constructor(state: AppState = initialState) {
    this.current = state;
  }

  get state(): AppState {
    return this.current;
  }

  /** Replace part of the state (actions only). Listeners get the new and the previous state. */
  update(patch: Partial<AppState>): void {
    const prev = this.current;
    this.current = { ...prev, ...patch };
    for (const l of this.listeners) l(this.current, prev);
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
