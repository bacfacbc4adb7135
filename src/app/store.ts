/**
 * The one state store. Views read `state` and call actions (src/app/actions.ts); nothing else
 * mutates state. State is plain data; voxel arrays live outside it (src/app/volume-cache.ts),
 * referenced by `volumeKey`.
 */
import type { Vec3 } from '../core/vec3';
import type { FileReport, SeriesInfo, LoadProgress } from '../io/types';

export type ToolName = 'crosshair' | 'windowLevel' | 'pan' | 'zoom' | 'ruler';
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
  source: 'demo' | 'dicom' | 'nifti';
  seriesKey: string | null;
  modality: string;
  description: string;
  patientName: string;
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
  window: { widthHu: number; centerHu: number; preset: WindowPresetName };
  tool: ToolName;
  measurements: Measurement[];
  helpOpen: boolean;
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
  window: { widthHu: 2000, centerHu: 500, preset: 'bone' },
  tool: 'crosshair',
  measurements: [],
  helpOpen: false,
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
