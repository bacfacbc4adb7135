/**
 * What the pieces of <sp-viewer> share: the element's state as they see it (ViewerHost), the drag
 * gestures, the cursor readout, and the colours and label metrics of the overlays.
 */
import type { OrthoViewer, ViewName } from '../../render/ortho-viewer';
import type { AppState } from '../../app/store';
import type { ForamenId } from '../../anatomy/types';
import type { Vec3 } from '../../core/vec3';

export interface Readout {
  view: ViewName;
  lps: Vec3;
  ijk: Vec3 | null;
  value: number | null;
}

export type Drag =
  | { kind: 'crosshair'; view: ViewName }
  | { kind: 'windowLevel'; view: ViewName; x: number; y: number; w: number; c: number }
  | { kind: 'pan'; view: ViewName; x: number; y: number }
  | { kind: 'zoom'; view: ViewName; y: number }
  | { kind: 'ruler'; view: ViewName; a: Vec3; b: Vec3 }
  | { kind: 'stroke'; view: ViewName }
  | { kind: 'seeds'; view: ViewName }
  | { kind: 'box'; view: ViewName; a: Vec3; b: Vec3 }
  | { kind: 'foramen'; view: ViewName; id: ForamenId; from: Vec3; to: Vec3 }
  | { kind: 'canal'; view: ViewName; index: number; from: Vec3; to: Vec3 }
  | { kind: 'needle'; view: ViewName; id: string; end: 'entry' | 'target' | 'both'; from: Vec3; entry0: Vec3; target0: Vec3; gesture: string };

/** The viewer element as its overlay and interaction modules use it. */
export interface ViewerHost {
  readonly state: AppState;
  /** The renderer of the three views; null before first render and after disconnect. */
  readonly ortho: OrthoViewer | null;
  drag: Drag | null;
  readout: Readout | null;
  /** The view under the mouse, for keyboard scrolling. */
  activeView: ViewName;
  /** The pane element of a view (its size is the canvas size). */
  pane(view: ViewName): HTMLElement | null;
  hasVolume(): boolean;
  requestFrame(): void;
}

/** The plane point at the centre of a view's pane (LPS mm). */
export function paneCentreLps(host: ViewerHost, view: ViewName): Vec3 {
  const el = host.pane(view);
  return host.ortho!.canvasToLps(view, (el?.clientWidth ?? 0) / 2, (el?.clientHeight ?? 0) / 2);
}

/** Label box height and baseline for 11 px text with its 3 px halo. */
export const LABEL_H = 13;
export const LABEL_BASELINE = 10;
export const VIEW_COLORS: Record<ViewName, string> = { axial: '#4fb3ff', sagittal: '#ffd04f', coronal: '#6fe07a' };
export const VIEW_TITLES: Record<ViewName, string> = { axial: 'Axial', sagittal: 'Sagittal', coronal: 'Coronal' };
export const STATUS_COLORS = { pass: '#6fe07a', warn: '#ffc94f', fail: '#ff5e52' } as const;
/** Colours of lesion and background strokes (neither green, amber nor violet: the zone overlay's). */
export const SEED_COLORS = { lesion: '#ffd54f', background: '#4fc3f7' } as const;
