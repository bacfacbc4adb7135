/**
 * Landmark overlays of a 2D view: where the foramen axes and the canal centreline meet the view's
 * plane (for drawing and for hit-testing drags), and their drawing with label requests.
 */
import { svg, nothing, type TemplateResult } from 'lit';
import { labelWidthPx, type LabelRequest, type Rect } from '../../render/label-layout';
import type { ViewName } from '../../render/ortho-viewer';
import type { ForamenId } from '../../anatomy/types';
import { isTrusted } from '../../anatomy/evidence';
import type { Vec3 } from '../../core/vec3';
import { LABEL_BASELINE, LABEL_H, paneCentreLps, type ViewerHost } from './context';

export interface CanalMark { index: number; x: number; y: number; rPx: number; manual: boolean }
export interface ForamenMark { id: ForamenId; x: number; y: number; rPx: number; manual: boolean; check: boolean; x1: number; y1: number; x2: number; y2: number }

/** Canal centreline points within their radius (at least 2 mm) of this view's plane, in canvas px. */
export function canalMarks(host: ViewerHost, view: ViewName): CanalMark[] {
  const viewer = host.ortho;
  const c = host.state.anatomy?.canal;
  if (!viewer || !c) return [];
  const cam = viewer.cameraInfo(view);
  const n = cam.normalLps;
  const o = paneCentreLps(host, view);
  const out = [];
  for (let i = 0; i < c.centerlineLps.length; i++) {
    const p = c.centerlineLps[i]!;
    const r = c.radiusMm[i] ?? 2;
    const d = (p[0] - o[0]) * n[0] + (p[1] - o[1]) * n[1] + (p[2] - o[2]) * n[2];
    if (Math.abs(d) > Math.max(2, r)) continue;
    const [x, y] = viewer.lpsToCanvas(view, p);
    out.push({ index: i, x, y, rPx: r / cam.mmPerPx, manual: c.source === 'manual' });
  }
  return out;
}

/** Where each foramen's axis meets this view's plane (within its radius), in canvas px. */
export function foramenMarks(host: ViewerHost, view: ViewName): ForamenMark[] {
  const viewer = host.ortho;
  const a = host.state.anatomy;
  if (!viewer || !a) return [];
  const cam = viewer.cameraInfo(view);
  const n = cam.normalLps;
  const c = paneCentreLps(host, view);
  const out = [];
  for (const f of a.foramina) {
    const da = (f.anteriorLps[0] - c[0]) * n[0] + (f.anteriorLps[1] - c[1]) * n[1] + (f.anteriorLps[2] - c[2]) * n[2];
    const dp = (f.posteriorLps[0] - c[0]) * n[0] + (f.posteriorLps[1] - c[1]) * n[1] + (f.posteriorLps[2] - c[2]) * n[2];
    // The part of the axis within one radius of the plane.
    const lo = Math.min(da, dp), hi = Math.max(da, dp);
    if (hi < -f.radiusMm || lo > f.radiusMm) continue;
    const at = (d: number): Vec3 => {
      const t = da === dp ? 0.5 : Math.min(1, Math.max(0, (d - da) / (dp - da)));
      return [f.anteriorLps[0] + t * (f.posteriorLps[0] - f.anteriorLps[0]), f.anteriorLps[1] + t * (f.posteriorLps[1] - f.anteriorLps[1]), f.anteriorLps[2] + t * (f.posteriorLps[2] - f.anteriorLps[2])];
    };
    const [x1, y1] = viewer.lpsToCanvas(view, at(-f.radiusMm));
    const [x2, y2] = viewer.lpsToCanvas(view, at(f.radiusMm));
    const [x, y] = viewer.lpsToCanvas(view, at(0));
    out.push({ id: f.id, x, y, rPx: f.radiusMm / cam.mmPerPx, manual: f.source === 'manual', check: !isTrusted(f), x1, y1, x2, y2 });
  }
  return out;
}

/** Landmark drawings whose labels are placed together with the needles' (drawn once placement is known). */
export interface LandmarkDrawing {
  requests: LabelRequest[];
  drawLater: ((placed: Map<string, Rect>) => TemplateResult | typeof nothing)[];
}

/**
 * Foramen markers and the canal in a view whose pane is w px wide; fp is the plane's centre point.
 * Foramen markers: the axis within one radius of this plane, and the lumen where it crosses it. Labels go
 * outwards (a left foramen's label on the side of the patient's left), so that a level's pair and the
 * canal between them do not pile up.
 */
export function drawLandmarks(host: ViewerHost, view: ViewName, fp: Vec3, w: number): LandmarkDrawing {
  const viewer = host.ortho!;
  const d = host.drag;
  const requests: LabelRequest[] = [];
  const drawLater: LandmarkDrawing['drawLater'] = [];
  const [lx0] = viewer.lpsToCanvas(view, fp), [lx1] = viewer.lpsToCanvas(view, [fp[0] + 1, fp[1], fp[2]]);
  const leftOnScreen = Math.abs(lx1 - lx0) < 1e-6 ? 0 : Math.sign(lx1 - lx0);
  for (const m of foramenMarks(host, view)) {
    let { x, y } = m;
    let dx = 0, dy = 0;
    if (d && d.kind === 'foramen' && d.id === m.id && d.view === view) {
      const [fx, fy] = viewer.lpsToCanvas(view, d.from), [tx, ty] = viewer.lpsToCanvas(view, d.to);
      dx = tx - fx; dy = ty - fy; x += dx; y += dy;
    }
    // hand: orange; found: cyan; suggested with weak evidence ("check"): yellow, dashed, with a "?"
    const color = m.manual ? '#ffab40' : m.check ? '#ffd54f' : '#4dd0e1';
    // outwards, unless the label would then run into the pane's edge and its orientation letter (≈ 22 px)
    const r = Math.max(3, m.rPx), labelPx = 6.5 * m.id.length;
    let outward = m.id.endsWith('_L') ? leftOnScreen : -leftOnScreen;
    if (outward >= 0 && x + r + 3 + labelPx > w - 22) outward = -1;
    else if (outward < 0 && x - r - 3 - labelPx < 22) outward = 1;
    const text = `${m.id.replace('_', ' ')}${m.check ? ' ?' : ''}`;
    const lw = labelWidthPx(text);
    const out = (outward < 0 ? -1 : 1);
    const near: [number, number] = [out > 0 ? x + r + 3 : x - r - 3 - lw, y - 13];
    const far: [number, number] = [out > 0 ? x - r - 3 - lw : x + r + 3, y - 13];
    requests.push({ id: `f:${m.id}`, w: lw, h: LABEL_H, candidates: [near, [near[0], y + 2], far, [far[0], y + 2], [x - lw / 2, y - r - 15], [x - lw / 2, y + r + 2]] });
    drawLater.push((placed) => {
      const b = placed.get(`f:${m.id}`)!;
      return svg`<g class="foramen-marker" data-foramen=${m.id}>
        <line x1=${m.x1 + dx} y1=${m.y1 + dy} x2=${m.x2 + dx} y2=${m.y2 + dy} stroke=${color} stroke-width="1" stroke-dasharray="3 2" />
        <circle cx=${x} cy=${y} r=${r} fill="none" stroke=${color} stroke-width="1.5" stroke-dasharray=${m.check ? '2 2' : 'none'} />
        ${host.state.teachingHidesAnswers ? nothing : svg`<text x=${b.x + 1.5} y=${b.y + LABEL_BASELINE} fill=${color} font-size="11" font-family="system-ui" paint-order="stroke" stroke="#000" stroke-width="3">${text}</text>`}</g>`;
    });
  }
  // The canal near this plane: one tube outline (its walls at ± radius beside the centreline) where it runs
  // along the plane, its cross-section circle where it crosses it; the centreline points stay draggable
  // (crosshair tool); one label per view.
  const marks = canalMarks(host, view).map((m) => {
    let { x, y } = m;
    if (d && d.kind === 'canal' && d.index === m.index && d.view === view) {
      const [fx, fy] = viewer.lpsToCanvas(view, d.from), [tx, ty] = viewer.lpsToCanvas(view, d.to);
      x += tx - fx; y += ty - fy;
    }
    return { ...m, x, y, r: Math.max(3, Math.min(m.rPx, 40)) };
  });
  const canalColor = marks[0]?.manual ? '#ffab40' : '#b388ff';
  const runs: (typeof marks)[] = [];
  for (const m of marks) {
    const last = runs[runs.length - 1];
    if (last && last[last.length - 1]!.index === m.index - 1) last.push(m); else runs.push([m]);
  }
  for (const run of runs) {
    const extent = Math.hypot(run[run.length - 1]!.x - run[0]!.x, run[run.length - 1]!.y - run[0]!.y);
    if (run.length < 2 || extent < run[0]!.r) {
      // crosses the plane: the lumen's circle at the point nearest the plane's centre line of sight
      const m = run[Math.floor(run.length / 2)]!;
      drawLater.push(() => svg`<circle class="canal-section" cx=${m.x} cy=${m.y} r=${m.r} fill="none" stroke=${canalColor} stroke-width="1.5" />`);
      continue;
    }
    const left: string[] = [], right: string[] = [];
    run.forEach((m, i) => {
      const a = run[Math.max(0, i - 1)]!, b = run[Math.min(run.length - 1, i + 1)]!;
      const dx = b.x - a.x, dy = b.y - a.y, l = Math.hypot(dx, dy) || 1;
      const nx = -dy / l, ny = dx / l;
      left.push(`${m.x + nx * m.r},${m.y + ny * m.r}`);
      right.push(`${m.x - nx * m.r},${m.y - ny * m.r}`);
    });
    drawLater.push(() => svg`<path class="canal-tube" d=${`M${left.join(' L')} M${right.join(' L')}`} fill="none" stroke=${canalColor} stroke-width="1.5" stroke-linejoin="round" />`);
  }
  const lw = labelWidthPx('canal');
  const c0 = marks[0];
  if (c0) requests.push({ id: 'canal', w: lw, h: LABEL_H, candidates: [[c0.x - lw / 2, c0.y + c0.r + 2], [c0.x - lw / 2, c0.y - c0.r - 15], [c0.x + c0.r + 3, c0.y - 6], [c0.x - c0.r - 3 - lw, c0.y - 6]] });
  for (const m of marks) {
    drawLater.push((placed) => {
      const b = m === c0 ? placed.get('canal') : undefined;
      return svg`<g class="canal-marker" data-canal-index=${m.index}>
        <circle class="canal-point" cx=${m.x} cy=${m.y} r="2" fill=${canalColor} />
        ${b && !host.state.teachingHidesAnswers ? svg`<text x=${b.x + 1.5} y=${b.y + LABEL_BASELINE} fill=${canalColor} font-size="11" font-family="system-ui" paint-order="stroke" stroke="#000" stroke-width="3">canal</text>` : nothing}</g>`;
    });
  }
  return { requests, drawLater };
}
