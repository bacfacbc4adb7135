/**
 * Needles on a 2D view: hit-testing their handles and shafts, their label requests, and their drawing
 * (shaft, the part within reach of the plane, entry/target handles, tip, ablation zones cut by the plane).
 */
import { svg, nothing } from 'lit';
import { labelWidthPx, type LabelRequest, type Rect } from '../../render/label-layout';
import type { ViewName } from '../../render/ortho-viewer';
import { needleVerdict } from '../../planning/verdict';
import { zoneImplicit } from '../../planning/ablation';
import type { Trajectory } from '../../planning/types';
import * as planning from '../../app/planning';
import type { Vec3 } from '../../core/vec3';
import { LABEL_BASELINE, LABEL_H, STATUS_COLORS, type ViewerHost } from './context';

/** The needle handle (entry square, target circle) or shaft under a canvas point. */
export function needleHit(host: ViewerHost, view: ViewName, x: number, y: number): { t: Trajectory; end: 'entry' | 'target' | 'both' } | null {
  const viewer = host.ortho;
  if (!viewer) return null;
  const state = host.state;
  const list = [...state.trajectories].sort((a, b) => (a.id === state.selectedTrajectoryId ? -1 : b.id === state.selectedTrajectoryId ? 1 : 0));
  for (const t of list) {
    const [ex, ey] = viewer.lpsToCanvas(view, t.entryLps);
    const [tx, ty] = viewer.lpsToCanvas(view, t.targetLps);
    if (Math.hypot(ex - x, ey - y) <= 8) return { t, end: 'entry' };
    if (Math.hypot(tx - x, ty - y) <= 8) return { t, end: 'target' };
  }
  for (const t of list) {
    const [ex, ey] = viewer.lpsToCanvas(view, t.entryLps);
    const [tx, ty] = viewer.lpsToCanvas(view, t.targetLps);
    const L2 = (tx - ex) ** 2 + (ty - ey) ** 2;
    if (L2 < 1) continue;
    const u = Math.max(0, Math.min(1, ((x - ex) * (tx - ex) + (y - ey) * (ty - ey)) / L2));
    if (Math.hypot(ex + u * (tx - ex) - x, ey + u * (ty - ey) - y) <= 4 && u > 0.05 && u < 0.95) return { t, end: 'both' };
  }
  return null;
}

/** A needle's label: its id, and the verdict for the selected one. */
function needleLabel(host: ViewerHost, t: Trajectory): string {
  return `${t.id}${t.id === host.state.selectedTrajectoryId ? ` ${needleVerdict(t).status.toUpperCase()}` : ''}`;
}

/** Where each needle's label may go: beside its entry handle, right then left, above then below. */
export function needleLabelRequests(host: ViewerHost, view: ViewName, w: number, h: number): LabelRequest[] {
  const viewer = host.ortho!;
  const out: LabelRequest[] = [];
  for (const t of host.state.trajectories) {
    const [ex, ey] = viewer.lpsToCanvas(view, t.entryLps);
    if (ex < 0 || ey < 0 || ex > w || ey > h) continue;
    const lw = labelWidthPx(needleLabel(host, t));
    out.push({ id: `n:${t.id}`, w: lw, h: LABEL_H, candidates: [[ex + 8, ey - 17], [ex + 8, ey + 5], [ex - 8 - lw, ey - 17], [ex - 8 - lw, ey + 5], [ex - lw / 2, ey - 22], [ex - lw / 2, ey + 9]] });
  }
  return out;
}

/** Needles projected on a view: shaft, the part within reach of the plane, entry/target handles, tip, ablation zones. */
export function renderNeedles(host: ViewerHost, view: ViewName, planePoint: Vec3, placed: Map<string, Rect> = new Map()) {
  const viewer = host.ortho!;
  const state = host.state;
  const n = viewer.cameraInfo(view).normalLps;
  const mmPerPx = viewer.cameraInfo(view).mmPerPx;
  const items = [];
  const dist = (p: Readonly<Vec3>) => (p[0] - planePoint[0]) * n[0] + (p[1] - planePoint[1]) * n[1] + (p[2] - planePoint[2]) * n[2];
  for (const t of state.trajectories) {
    const sel = t.id === state.selectedTrajectoryId;
    const verdict = needleVerdict(t).status;
    const col = STATUS_COLORS[verdict];
    const [ex, ey] = viewer.lpsToCanvas(view, t.entryLps);
    const [tx, ty] = viewer.lpsToCanvas(view, t.targetLps);
    const tip: Vec3 = [0, 1, 2].map((a) => t.entryLps[a]! + (t.targetLps[a]! - t.entryLps[a]!) * t.advance) as Vec3;
    const [px, py] = viewer.lpsToCanvas(view, tip);
    const widthPx = Math.max(1.5, t.needle.outerDiameterMm / mmPerPx);
    // The needle's part within (radius + 1 mm) of the plane, drawn at true width.
    const de = dist(t.entryLps), dp = dist(tip);
    const reach = t.needle.outerDiameterMm / 2 + 1;
    let seg: [number, number] | null = null;
    if (Math.abs(de - dp) < 1e-6) seg = Math.abs(de) <= reach ? [0, 1] : null;
    else {
      const a = (-reach - de) / (dp - de), b = (reach - de) / (dp - de);
      const lo = Math.max(0, Math.min(a, b)), hi = Math.min(1, Math.max(a, b));
      if (hi > lo) seg = [lo, hi];
    }
    items.push(svg`<g class="needle${sel ? ' selected' : ''}" data-id=${t.id} data-status=${verdict}>
        <line x1=${ex} y1=${ey} x2=${tx} y2=${ty} stroke=${col} stroke-width=${sel ? 1.5 : 1} stroke-dasharray="5 4" stroke-opacity=${sel ? 0.9 : 0.5} />
        <line x1=${ex} y1=${ey} x2=${px} y2=${py} stroke=${col} stroke-width=${sel ? 2 : 1.2} stroke-opacity=${sel ? 0.95 : 0.55} />
        ${seg ? svg`<line x1=${ex + (px - ex) * seg[0]} y1=${ey + (py - ey) * seg[0]} x2=${ex + (px - ex) * seg[1]} y2=${ey + (py - ey) * seg[1]} stroke="#ffffff" stroke-width=${widthPx} stroke-opacity="0.9" stroke-linecap="round" />` : nothing}
        <rect class="entry-handle" x=${ex - 5} y=${ey - 5} width="10" height="10" fill="none" stroke=${col} stroke-width=${sel ? 2 : 1.2} />
        <circle class="target-handle" cx=${tx} cy=${ty} r="5" fill="none" stroke=${col} stroke-width=${sel ? 2 : 1.2} />
        <circle cx=${px} cy=${py} r="2.5" fill=${col} />
        <text x=${(placed.get(`n:${t.id}`)?.x ?? ex + 6.5) + 1.5} y=${(placed.get(`n:${t.id}`)?.y ?? ey - 17) + LABEL_BASELINE} fill=${col} font-size="11" font-family="system-ui" paint-order="stroke" stroke="#000" stroke-width="3">${needleLabel(host, t)}</text>
      </g>`);
    // Ablation zones cut by the plane.
    for (const z of planning.tipArrived(t) ? t.ablation?.zones ?? [] : []) {
      // A point of the plane inside the zone: where the zone's axis meets the plane, else the centre's foot.
      const dc = dist(z.centerLps);
      const un = z.axisLps[0] * n[0] + z.axisLps[1] * n[1] + z.axisLps[2] * n[2];
      const sAx = Math.abs(un) > 1e-6 ? -dc / un : Infinity;
      const c0: Vec3 = Math.abs(sAx) <= z.lengthMm / 2
        ? [z.centerLps[0] + z.axisLps[0] * sAx, z.centerLps[1] + z.axisLps[1] * sAx, z.centerLps[2] + z.axisLps[2] * sAx]
        : [z.centerLps[0] - n[0] * dc, z.centerLps[1] - n[1] * dc, z.centerLps[2] - n[2] * dc];
      if (zoneImplicit(z, c0[0], c0[1], c0[2]) > 1) continue;
      const cam = viewer.cameraInfo(view);
      const pts: string[] = [];
      for (let k = 0; k < 48; k++) {
        const th = (2 * Math.PI * k) / 48;
        const dir: Vec3 = [0, 1, 2].map((a) => cam.rightLps[a]! * Math.cos(th) + cam.upLps[a]! * Math.sin(th)) as Vec3;
        let lo = 0, hi = Math.max(z.lengthMm, z.diameterMm);
        for (let it = 0; it < 24; it++) {
          const m = (lo + hi) / 2;
          if (zoneImplicit(z, c0[0] + dir[0] * m, c0[1] + dir[1] * m, c0[2] + dir[2] * m) <= 1) lo = m; else hi = m;
        }
        const [qx, qy] = viewer.lpsToCanvas(view, [c0[0] + dir[0] * lo, c0[1] + dir[1] * lo, c0[2] + dir[2] * lo]);
        pts.push(`${qx.toFixed(1)},${qy.toFixed(1)}`);
      }
      items.push(svg`<polygon class="ablation-zone" points=${pts.join(' ')} fill="#ff7043" fill-opacity="0.12" stroke="#ff7043" stroke-width="1" stroke-dasharray="4 2" />`);
    }
  }
  const pn = state.placingNeedle;
  if (pn?.entryLps) {
    const [qx, qy] = viewer.lpsToCanvas(view, pn.entryLps);
    items.push(svg`<rect class="placing-needle" x=${qx - 5} y=${qy - 5} width="10" height="10" fill="none" stroke="#ffab40" stroke-width="1.5" />`);
  }
  return items;
}
