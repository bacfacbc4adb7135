/**
 * The SVG overlay of one 2D view: crosshair lines, ruler measurements, landmarks and needles with
 * collision-free labels, the placing marks, the threshold box, strokes and the brush footprint.
 */
import { svg, nothing } from 'lit';
import { placeLabels, type Rect } from '../../render/label-layout';
import { VIEW_NAMES, type ViewName } from '../../render/ortho-viewer';
import { volumeCache } from '../../app/volume-cache';
import type { Vec3 } from '../../core/vec3';
import { SEED_COLORS, VIEW_COLORS, paneCentreLps, type ViewerHost } from './context';
import { drawLandmarks } from './landmarks';
import { needleLabelRequests, renderNeedles } from './needles';

/** Strokes of the low-contrast tool in this view: the active lesion's (parts within their radius of the plane) and the draft. */
function renderSeeds(host: ViewerHost, view: ViewName) {
  const viewer = host.ortho;
  if (!viewer) return [];
  const state = host.state;
  const cam = viewer.cameraInfo(view);
  const n = cam.normalLps;
  const o = paneCentreLps(host, view);
  const depth = (p: Vec3) => (p[0] - o[0]) * n[0] + (p[1] - o[1]) * n[1] + (p[2] - o[2]) * n[2];
  const out = [];
  const active = state.lesions.find((l) => l.id === state.activeLesionId);
  const strokes = [...(active?.seeds ?? [])];
  const draft = state.seg.seedDraft;
  if (draft) strokes.push({ ...draft, radiusMm: state.seg.brushRadiusMm });
  for (const s of strokes) {
    const w = Math.max(1.5, (2 * s.radiusMm) / cam.mmPerPx);
    let path = '';
    let pen = false;
    for (const p of s.pointsLps) {
      if (Math.abs(depth(p)) > Math.max(s.radiusMm, 1)) { pen = false; continue; }
      const [x, y] = viewer.lpsToCanvas(view, p);
      path += `${pen ? 'L' : 'M'}${x.toFixed(1)} ${y.toFixed(1)} `;
      pen = true;
    }
    if (path) out.push(svg`<path class="seed-stroke ${s.kind}" d=${path} fill="none" stroke=${SEED_COLORS[s.kind]} stroke-opacity="0.45" stroke-width=${w} stroke-linecap="round" stroke-linejoin="round" />`);
  }
  return out;
}

/** The overlay's content for a view; obstacles are the pane's corner readouts and letters (labels keep off them). */
export function renderOverlay(host: ViewerHost, view: ViewName, obstacles: readonly Rect[]) {
  const viewer = host.ortho;
  if (!viewer || !host.hasVolume()) return nothing;
  const state = host.state;
  const items = [];
  const c = state.crosshairLps;
  const cam = viewer.cameraInfo(view);
  const n = cam.normalLps;
  const el = host.pane(view);
  const w = el?.clientWidth ?? 0, h = el?.clientHeight ?? 0;
  if (c) {
    const [x, y] = viewer.lpsToCanvas(view, c);
    // The other two planes through the crosshair, coloured by the view they belong to.
    const others = VIEW_NAMES.filter((v) => v !== view);
    for (const o of others) {
      const on = viewer.cameraInfo(o).normalLps;
      // A plane whose normal is along screen-right is drawn as a vertical line.
      const alongRight = Math.abs(on[0] * cam.rightLps[0] + on[1] * cam.rightLps[1] + on[2] * cam.rightLps[2]);
      const color = VIEW_COLORS[o];
      if (alongRight > 0.7) items.push(svg`<line x1=${x} y1=${0} x2=${x} y2=${h} stroke=${color} stroke-width="1" stroke-opacity="0.75" />`);
      else items.push(svg`<line x1=${0} y1=${y} x2=${w} y2=${y} stroke=${color} stroke-width="1" stroke-opacity="0.75" />`);
    }
    items.push(svg`<circle cx=${x} cy=${y} r="3" fill="none" stroke="#fff" stroke-width="1" />`);
  }
  // Measurements lying in this view's current plane.
  const fp = viewer.canvasToLps(view, w / 2, h / 2);
  const volume = volumeCache.get(state.volumeKey);
  const tol = volume ? Math.max(0.5, Math.min(...volume.geometry.spacingMm)) : 1;
  const inPlane = (p: Vec3) => Math.abs((p[0] - fp[0]) * n[0] + (p[1] - fp[1]) * n[1] + (p[2] - fp[2]) * n[2]) <= tol;
  const rulers = state.measurements.filter((m) => m.view === view && inPlane(m.aLps) && inPlane(m.bLps)).map((m) => ({ a: m.aLps, b: m.bLps, len: m.lengthMm }));
  const d = host.drag;
  if (d && d.kind === 'ruler' && d.view === view) {
    const blocked = state.loaded?.measurementBlockedReason;
    rulers.push({ a: d.a, b: d.b, len: blocked ? null : Math.hypot(d.b[0] - d.a[0], d.b[1] - d.a[1], d.b[2] - d.a[2]) });
  }
  for (const r of rulers) {
    const [x1, y1] = viewer.lpsToCanvas(view, r.a);
    const [x2, y2] = viewer.lpsToCanvas(view, r.b);
    const label = r.len === null ? 'no spacing: not measurable' : `${r.len.toFixed(1)} mm`;
    items.push(svg`<line x1=${x1} y1=${y1} x2=${x2} y2=${y2} stroke="#ffe26a" stroke-width="1.5" />
        <circle cx=${x1} cy=${y1} r="2.5" fill="#ffe26a" /><circle cx=${x2} cy=${y2} r="2.5" fill="#ffe26a" />
        <text x=${x2 + 6} y=${y2 - 6} fill="#ffe26a" font-size="12" font-family="system-ui" paint-order="stroke" stroke="#000" stroke-width="3">${label}</text>`);
  }
  const { requests, drawLater } = drawLandmarks(host, view, fp, w);
  // Needle labels first for the selected needle, then the landmarks', then the other needles'.
  const needleReq = needleLabelRequests(host, view, w, h);
  const sel = needleReq.filter((r) => r.id === `n:${state.selectedTrajectoryId}`);
  const placed = placeLabels([...sel, ...requests, ...needleReq.filter((r) => !sel.includes(r))], obstacles, { x: 0, y: 0, w, h });
  for (const f of drawLater) items.push(f(placed));
  items.push(...renderNeedles(host, view, fp, placed));
  // The first opening of a foramen being placed by hand.
  const pl = state.placing;
  if (pl?.anteriorLps) {
    const [px, py] = viewer.lpsToCanvas(view, pl.anteriorLps);
    items.push(svg`<path class="placing-mark" d="M${px - 5} ${py - 5} L${px + 5} ${py + 5} M${px - 5} ${py + 5} L${px + 5} ${py - 5}" stroke="#ffab40" stroke-width="1.5" />`);
  }
  // Box-threshold rectangle being drawn.
  if (d && d.kind === 'box' && d.view === view) {
    const [x1, y1] = viewer.lpsToCanvas(view, d.a);
    const [x2, y2] = viewer.lpsToCanvas(view, d.b);
    items.push(svg`<rect class="threshold-box" x=${Math.min(x1, x2)} y=${Math.min(y1, y2)} width=${Math.abs(x2 - x1)} height=${Math.abs(y2 - y1)} fill="none" stroke="#9ecbff" stroke-width="1" stroke-dasharray="4 3" />`);
  }
  // Lesion / background strokes: those of the active lesion near this plane, and the one being dragged.
  items.push(...renderSeeds(host, view));
  // Brush / eraser footprint under the mouse.
  const r = host.readout;
  if (r && r.view === view && (state.tool === 'brush' || state.tool === 'eraser' || state.tool === 'seeds')) {
    const [bx, by] = viewer.lpsToCanvas(view, r.lps);
    const rad = state.seg.brushRadiusMm / cam.mmPerPx;
    items.push(svg`<circle class="brush-cursor" cx=${bx} cy=${by} r=${rad} fill="none" stroke=${state.tool === 'eraser' ? '#ff8a7a' : state.tool === 'seeds' ? SEED_COLORS[state.seg.seedKind] : '#ffffff'} stroke-width="1" stroke-dasharray="3 2" />`);
  }
  return svg`${items}`;
}
