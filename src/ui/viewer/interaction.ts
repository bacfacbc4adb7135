/**
 * Mouse interaction of the 2D views: the active tool's drag gestures (crosshair, window/level, pan,
 * zoom, ruler, brush, strokes, threshold box), dragging needles, foramina and canal points, wheel
 * scrolling. Gestures end in actions; the drawing of a gesture in progress reads host.drag.
 */
import type { ViewName } from '../../render/ortho-viewer';
import * as actions from '../../app/actions';
import * as lesions from '../../app/lesions';
import * as anatomy from '../../app/anatomy';
import * as planning from '../../app/planning';
import { volumeCache } from '../../app/volume-cache';
import { valueAtLps } from '../../core/volume';
import type { Vec3 } from '../../core/vec3';
import type { ViewerHost } from './context';
import { canalMarks, foramenMarks } from './landmarks';
import { needleHit } from './needles';
import { setGestureActive } from '../../render/after-input';

/** A pointer event's position in a view's pane (px). */
function pos(host: ViewerHost, e: MouseEvent, view: ViewName): [number, number] {
  const r = host.pane(view)!.getBoundingClientRect();
  return [e.clientX - r.left, e.clientY - r.top];
}

export function onPointerDown(host: ViewerHost, e: PointerEvent, view: ViewName): void {
  const viewer = host.ortho;
  if (!host.hasVolume() || !viewer) return;
  const state = host.state;
  host.activeView = view;
  (e.currentTarget as HTMLElement).setPointerCapture(e.pointerId);
  setGestureActive(true);
  const [x, y] = pos(host, e, view);
  const tool = e.button === 1 ? 'pan' : e.button === 2 ? 'zoom' : state.tool;
  const lps = viewer.canvasToLps(view, x, y);
  // Placing a needle by hand: skin entry, then target.
  if (state.placingNeedle && e.button === 0) {
    planning.placeNeedleAt(lps).catch((err: Error) => actions.notify('warning', err.message));
    e.preventDefault();
    return;
  }
  // Placing a foramen by hand: this click is one of its openings.
  if (state.placing && e.button === 0) {
    anatomy.placeAt(lps).catch((err: Error) => actions.notify('warning', err.message));
    e.preventDefault();
    return;
  }
  // A needle's entry or target handle (or its shaft, moving both) under the pointer is dragged (crosshair tool).
  if (tool === 'crosshair') {
    const hit = needleHit(host, view, x, y);
    if (hit) {
      planning.selectTrajectory(hit.t.id);
      host.drag = { kind: 'needle', view, id: hit.t.id, end: hit.end, from: lps, entry0: [...hit.t.entryLps], target0: [...hit.t.targetLps], gesture: lesions.newGesture('needle') };
      e.preventDefault();
      return;
    }
  }
  // A foramen marker under the pointer is dragged (crosshair tool).
  if (tool === 'crosshair') {
    const hit = foramenMarks(host, view).find((m) => Math.hypot(m.x - x, m.y - y) <= Math.max(6, m.rPx));
    if (hit) {
      host.drag = { kind: 'foramen', view, id: hit.id, from: lps, to: lps };
      e.preventDefault();
      return;
    }
    // then a canal centreline point (the nearest one under the pointer)
    let canalHit: { index: number; dist: number } | null = null;
    for (const m of canalMarks(host, view)) {
      const dist = Math.hypot(m.x - x, m.y - y);
      if (dist <= Math.max(6, Math.min(m.rPx, 12)) && (!canalHit || dist < canalHit.dist)) canalHit = { index: m.index, dist };
    }
    if (canalHit) {
      host.drag = { kind: 'canal', view, index: canalHit.index, from: lps, to: lps };
      e.preventDefault();
      return;
    }
  }
  switch (tool) {
    case 'crosshair':
      host.drag = { kind: 'crosshair', view };
      actions.setCrosshair(lps);
      break;
    case 'windowLevel':
      host.drag = { kind: 'windowLevel', view, x, y, w: state.window.widthHu, c: state.window.centerHu };
      break;
    case 'pan':
      host.drag = { kind: 'pan', view, x, y };
      break;
    case 'zoom':
      host.drag = { kind: 'zoom', view, y };
      break;
    case 'ruler':
      host.drag = { kind: 'ruler', view, a: lps, b: lps };
      break;
    case 'regionGrow':
      // Shift-click adds the grown part to the active lesion (a mixed lesion's second window)
      lesions.segmentLesionAt(lps, {}, e.shiftKey ? lesions.activeLesion() : null).catch((err: Error) => actions.notify('warning', err.message));
      break;
    case 'foramen':
      anatomy.fitForamenAt(lps).catch((err: Error) => actions.notify('warning', err.message));
      break;
    case 'canal':
      anatomy.addCanalClick(lps).catch((err: Error) => actions.notify('warning', err.message));
      break;
    case 'thresholdBox':
      host.drag = { kind: 'box', view, a: lps, b: lps };
      break;
    case 'brush':
    case 'eraser':
      host.drag = { kind: 'stroke', view };
      lesions.strokeStart(lps, tool === 'eraser');
      break;
    case 'seeds':
      host.drag = { kind: 'seeds', view };
      lesions.seedStrokeStart(lps, e.shiftKey);
      break;
  }
  e.preventDefault();
}

export function onPointerMove(host: ViewerHost, e: PointerEvent, view: ViewName): void {
  const viewer = host.ortho;
  if (!host.hasVolume() || !viewer) return;
  host.activeView = view;
  const [x, y] = pos(host, e, view);
  const lps = viewer.canvasToLps(view, x, y);
  const volume = volumeCache.get(host.state.volumeKey);
  if (volume) {
    const ijk = volume.geometry.nearestIndex(lps);
    host.readout = { view, lps, ijk, value: ijk ? valueAtLps(volume, lps) : null };
  }
  const d = host.drag;
  if (!d || d.view !== view) return;
  switch (d.kind) {
    case 'crosshair':
      actions.setCrosshair(lps);
      break;
    case 'windowLevel': {
      const k = Math.max(1, d.w / 256);
      actions.setWindow(d.w + (x - d.x) * k, d.c - (y - d.y) * k);
      break;
    }
    case 'pan':
      viewer.pan(view, x - d.x, y - d.y);
      host.drag = { ...d, x, y };
      break;
    case 'zoom':
      viewer.zoom(view, Math.exp(-(y - d.y) / 150));
      host.drag = { ...d, y };
      break;
    case 'ruler':
      host.drag = { ...d, b: lps };
      break;
    case 'stroke':
      lesions.strokeTo(lps);
      break;
    case 'seeds':
      lesions.seedStrokeTo(lps);
      break;
    case 'box':
      host.drag = { ...d, b: lps };
      break;
    case 'foramen':
    case 'canal':
      host.drag = { ...d, to: lps };
      break;
    case 'needle': {
      // The handle follows the pointer within the view plane; its depth along the normal is kept.
      const dl: Vec3 = [lps[0] - d.from[0], lps[1] - d.from[1], lps[2] - d.from[2]];
      const mv = (p: Vec3, on: boolean): Vec3 => (on ? [p[0] + dl[0], p[1] + dl[1], p[2] + dl[2]] : [...p]);
      planning.setTrajectoryPoints(d.id, mv(d.entry0, d.end !== 'target'), mv(d.target0, d.end !== 'entry'), true, d.gesture).catch((err: Error) => actions.notify('warning', err.message));
      break;
    }
  }
}

export function onPointerUp(host: ViewerHost, view: ViewName): void {
  setGestureActive(false);
  const d = host.drag;
  host.drag = null;
  if (d && d.kind === 'stroke') void lesions.strokeEnd();
  if (d && d.kind === 'seeds') lesions.seedStrokeEnd().catch((err: Error) => actions.notify('warning', err.message));
  if (d && d.kind === 'foramen') {
    const delta: Vec3 = [d.to[0] - d.from[0], d.to[1] - d.from[1], d.to[2] - d.from[2]];
    if (Math.hypot(...delta) > 0.1) anatomy.moveForamen(d.id, delta).catch((err: Error) => actions.notify('warning', err.message));
  }
  if (d && d.kind === 'canal') {
    const delta: Vec3 = [d.to[0] - d.from[0], d.to[1] - d.from[1], d.to[2] - d.from[2]];
    if (Math.hypot(...delta) > 0.1) anatomy.moveCanalPoint(d.index, delta).catch((err: Error) => actions.notify('warning', err.message));
  }
  if (d && d.kind === 'box' && host.ortho) {
    const n = host.ortho.cameraInfo(d.view).normalLps;
    lesions.thresholdBox(d.a, d.b, n).catch((err: Error) => actions.notify('warning', err.message));
  }
  if (d && d.kind === 'ruler' && d.view === view) {
    const len = Math.hypot(d.b[0] - d.a[0], d.b[1] - d.a[1], d.b[2] - d.a[2]);
    if (len > 0.5) actions.addMeasurement(view, d.a, d.b);
  }
}

/** Scroll a view by slices and move the crosshair with it. */
export function scrollView(host: ViewerHost, view: ViewName, delta: number): void {
  const viewer = host.ortho;
  if (!viewer || !host.hasVolume()) return;
  viewer.scroll(view, delta);
  const c = host.state.crosshairLps;
  if (c) {
    const cam = viewer.cameraInfo(view);
    const fp = viewer.canvasToLps(view, 0, 0);
    const n = cam.normalLps;
    const d = (fp[0] - c[0]) * n[0] + (fp[1] - c[1]) * n[1] + (fp[2] - c[2]) * n[2];
    actions.setCrosshair([c[0] + d * n[0], c[1] + d * n[1], c[2] + d * n[2]]);
  }
  host.requestFrame();
}

export function onWheel(host: ViewerHost, e: WheelEvent, view: ViewName): void {
  const viewer = host.ortho;
  if (!host.hasVolume() || !viewer) return;
  e.preventDefault();
  host.activeView = view;
  if (e.ctrlKey || e.metaKey) {
    viewer.zoom(view, e.deltaY < 0 ? 1.1 : 1 / 1.1);
    return;
  }
  scrollView(host, view, e.deltaY > 0 ? 1 : -1);
}
