/**
 * <sp-viewer>: the axial, sagittal and coronal views with overlays (crosshair, orientation
 * letters, ruler measurements, cursor readout) and the mouse/keyboard interaction.
 * It reads the store's state and calls actions; the OrthoViewer does the rendering.
 */
import { placeLabels, labelWidthPx, type LabelRequest, type Rect } from '../render/label-layout';
import { needleVerdict } from '../planning/verdict';
import { LitElement, html, css, svg, nothing, type PropertyValues } from 'lit';
import { OrthoViewer, VIEW_NAMES, type ViewName } from '../render/ortho-viewer';
import { orientationLetters } from '../render/lps-labels';
import type { AppState } from '../app/store';
import * as actions from '../app/actions';
import * as lesions from '../app/lesions';
import * as caseView from '../app/case';
import * as anatomy from '../app/anatomy';
import * as planning from '../app/planning';
import { zoneImplicit } from '../planning/ablation';
import type { Trajectory } from '../planning/types';
import type { ForamenId } from '../anatomy/types';
import { isTrusted } from '../anatomy/evidence';
import { volumeCache } from '../app/volume-cache';
import { valueAtLps } from '../core/volume';
import { scale, type Vec3 } from '../core/vec3';

/** Label box height and baseline for 11 px text with its 3 px halo. */
const LABEL_H = 13;
const LABEL_BASELINE = 10;
const VIEW_COLORS: Record<ViewName, string> = { axial: '#4fb3ff', sagittal: '#ffd04f', coronal: '#6fe07a' };
const VIEW_TITLES: Record<ViewName, string> = { axial: 'Axial', sagittal: 'Sagittal', coronal: 'Coronal' };

interface Readout {
  view: ViewName;
  lps: Vec3;
  ijk: Vec3 | null;
  value: number | null;
}

type Drag =
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

const STATUS_COLORS = { pass: '#6fe07a', warn: '#ffc94f', fail: '#ff5e52' } as const;
/** PMMA shows near-white on CT (≥ 2000 HU with contrast): the predicted deposit is drawn so. */
const CEMENT_LUT = (() => { const l = new Uint32Array(256); l[1] = ((0xff << 24) | (0xff << 16) | (0xf4 << 8) | 0xe0) >>> 0; return l; })();

/** Colours of lesion and background strokes (neither green, amber nor violet: the zone overlay's). */
const SEED_COLORS = { lesion: '#ffd54f', background: '#4fc3f7' } as const;

export class SpViewer extends LitElement {
  static override properties = {
    state: { attribute: false },
    readout: { state: true },
    drag: { state: true },
    frame: { state: true },
  };

  state!: AppState;
  readout: Readout | null = null;
  drag: Drag | null = null;
  /** Bumped on camera changes so overlays re-render. */
  frame = 0;
  /** The view under the mouse, for keyboard scrolling. */
  activeView: ViewName = 'axial';
  private viewer: OrthoViewer | null = null;
  private shownVolumeKey: string | null = null;
  private pendingFrame = false;
  private showing: Promise<void> = Promise.resolve();

  static override styles = css`
    :host { display: grid; grid-template-columns: 3fr 2fr; grid-template-rows: 1fr 1fr; gap: 3px; background: #000; height: 100%; min-height: 0; }
    .pane { position: relative; overflow: hidden; background: #000; min-height: 0; min-width: 0; outline: 1px solid #1b2027; container-type: size; }
    .pane.axial { grid-row: 1 / span 2; }
    /* Narrow (3D column shown): axial across the top, sagittal and coronal side by side below. */
    :host([narrow]) { grid-template-columns: 1fr 1fr; grid-template-rows: 3fr 2fr; }
    :host([narrow]) .pane.axial { grid-row: auto; grid-column: 1 / span 2; }
    .pane.active { outline-color: #35506b; }
    .cs { position: absolute; inset: 0; }
    svg.overlay { position: absolute; inset: 0; width: 100%; height: 100%; pointer-events: none; }
    .label { position: absolute; font: 600 14px/1 system-ui, sans-serif; color: #e8c66a; text-shadow: 0 0 3px #000, 0 0 2px #000; pointer-events: none; }
    .l-left { left: 6px; top: 50%; transform: translateY(-50%); }
    .l-right { right: 6px; top: 50%; transform: translateY(-50%); }
    .l-top { top: 6px; left: 50%; transform: translateX(-50%); }
    .l-bottom { bottom: 6px; left: 50%; transform: translateX(-50%); }
    .corner { position: absolute; font: 12px/1.35 ui-monospace, 'DejaVu Sans Mono', monospace; color: #cfd6df; text-shadow: 0 0 3px #000, 0 0 2px #000; pointer-events: none; white-space: pre; background: rgba(8, 12, 18, 0.55); padding: 1px 4px; border-radius: 3px; }
    .tl { top: 6px; left: 8px; }
    .tr { top: 6px; right: 8px; text-align: right; }
    .bl { bottom: 6px; left: 8px; }
    .br { bottom: 6px; right: 8px; text-align: right; }
    .title { font-weight: 700; }
    .empty { position: absolute; inset: 0; display: grid; place-items: center; color: #5d6875; font-size: 14px; pointer-events: none; }
    .blocked { color: #ff9b7a; }
    /* Narrow panes (3D column shown): the corner readouts stack instead of overlapping. */
    @container (max-width: 380px) {
      .corner { font-size: 10.5px; }
      .tr { top: 36px; right: auto; left: 8px; text-align: left; }
      /* the top letter would sit on the stacked readouts: it moves to the top right, still on the top edge */
      .l-top { left: auto; right: 8px; transform: none; }
    }
  `;

  private hostResize: ResizeObserver | null = null;

  override connectedCallback(): void {
    super.connectedCallback();
    this.hostResize = new ResizeObserver(() => this.toggleAttribute('narrow', this.clientWidth < 760));
    this.hostResize.observe(this);
  }

  protected override firstUpdated(): void {
    const els = {} as Record<ViewName, HTMLDivElement>;
    for (const v of VIEW_NAMES) els[v] = this.renderRoot.querySelector(`.pane.${v} .cs`) as HTMLDivElement;
    this.viewer = new OrthoViewer(els);
    this.viewer.onCameraChange = () => this.requestFrame();
    this.syncVolume();
  }

  /** Corner readouts and orientation letters of each pane (pane px), measured after each render: labels keep off them. */
  private labelObstacles: Partial<Record<ViewName, Rect[]>> = {};
  private measureObstacles(): void {
    let changed = false;
    for (const view of VIEW_NAMES) {
      const pane = this.renderRoot.querySelector(`.pane.${view}`) as HTMLElement | null;
      if (!pane) continue;
      const pr = pane.getBoundingClientRect();
      const rects = [...pane.querySelectorAll('.corner, .label')].map((el) => el.getBoundingClientRect()).filter((r) => r.width > 0)
        .map((r) => ({ x: Math.round(r.left - pr.left), y: Math.round(r.top - pr.top), w: Math.round(r.width), h: Math.round(r.height) }));
      const before = JSON.stringify(this.labelObstacles[view] ?? []);
      if (JSON.stringify(rects) !== before) { this.labelObstacles[view] = rects; changed = true; }
    }
    if (changed) this.requestUpdate();
  }

  protected override updated(changed: PropertyValues): void {
    this.measureObstacles();
    if (!changed.has('state') || !this.viewer) return;
    const prev = changed.get('state') as AppState | undefined;
    if (!prev || prev.labelsVersion !== this.state.labelsVersion || prev.lesions !== this.state.lesions || prev.zoneMapVersion !== this.state.zoneMapVersion || prev.showZones !== this.state.showZones || prev.cementVersion !== this.state.cementVersion || planning.cementShown(prev.trajectories) !== planning.cementShown(this.state.trajectories)) this.syncOverlay();
    if (!prev || prev.volumeKey !== this.state.volumeKey) this.syncVolume();
    else {
      if (prev.window !== this.state.window) this.viewer.setVoi(this.state.window.widthHu, this.state.window.centerHu);
      if (prev.crosshairLps !== this.state.crosshairLps && this.state.crosshairLps) {
        if (prev.centreRequest !== this.state.centreRequest) this.viewer.centreOn(this.state.crosshairLps, this.state.centreFovMm ?? undefined);
        else this.viewer.jumpTo(this.state.crosshairLps);
        this.requestFrame();
      }
    }
  }

  private syncOverlay(): void {
    const labels = caseView.currentLabels();
    const zones = this.state.showZones ? caseView.currentZoneMap() : null;
    const cement = caseView.currentCementMap();
    this.viewer?.setOverlays([
      ...(zones ? [{ labels: zones, lut: anatomy.ZONE_LUT, alpha: 0.22 }] : []),
      ...(labels && this.state.lesions.length ? [{ labels, lut: lesions.labelLut(), alpha: 0.45 }] : []),
      ...(cement && planning.cementShown(this.state.trajectories) ? [{ labels: cement, lut: CEMENT_LUT, alpha: 0.75 }] : []),
    ]);
  }

  /** Strokes of the low-contrast tool in this view: the active lesion's (parts within their radius of the plane) and the draft. */
  private renderSeeds(view: ViewName) {
    const viewer = this.viewer;
    if (!viewer) return [];
    const cam = viewer.cameraInfo(view);
    const n = cam.normalLps;
    const el = this.renderRoot.querySelector(`.pane.${view}`) as HTMLElement | null;
    const o = viewer.canvasToLps(view, (el?.clientWidth ?? 0) / 2, (el?.clientHeight ?? 0) / 2);
    const depth = (p: Vec3) => (p[0] - o[0]) * n[0] + (p[1] - o[1]) * n[1] + (p[2] - o[2]) * n[2];
    const out = [];
    const active = this.state.lesions.find((l) => l.id === this.state.activeLesionId);
    const strokes = [...(active?.seeds ?? [])];
    const draft = this.state.seg.seedDraft;
    if (draft) strokes.push({ ...draft, radiusMm: this.state.seg.brushRadiusMm });
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

  /** Canal centreline points within their radius (at least 2 mm) of this view's plane, in canvas px. */
  private canalMarks(view: ViewName): { index: number; x: number; y: number; rPx: number; manual: boolean }[] {
    const viewer = this.viewer;
    const c = this.state.anatomy?.canal;
    if (!viewer || !c) return [];
    const cam = viewer.cameraInfo(view);
    const n = cam.normalLps;
    const el = this.renderRoot.querySelector(`.pane.${view}`) as HTMLElement | null;
    const o = viewer.canvasToLps(view, (el?.clientWidth ?? 0) / 2, (el?.clientHeight ?? 0) / 2);
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
  private foramenMarks(view: ViewName): { id: ForamenId; x: number; y: number; rPx: number; manual: boolean; check: boolean; x1: number; y1: number; x2: number; y2: number }[] {
    const viewer = this.viewer;
    const a = this.state.anatomy;
    if (!viewer || !a) return [];
    const cam = viewer.cameraInfo(view);
    const n = cam.normalLps;
    const el = this.renderRoot.querySelector(`.pane.${view}`) as HTMLElement | null;
    const c = viewer.canvasToLps(view, (el?.clientWidth ?? 0) / 2, (el?.clientHeight ?? 0) / 2);
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

  /** The needle handle (entry square, target circle) or shaft under a canvas point. */
  private needleHit(view: ViewName, x: number, y: number): { t: Trajectory; end: 'entry' | 'target' | 'both' } | null {
    const viewer = this.viewer;
    if (!viewer) return null;
    const list = [...this.state.trajectories].sort((a, b) => (a.id === this.state.selectedTrajectoryId ? -1 : b.id === this.state.selectedTrajectoryId ? 1 : 0));
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

  /** Needles projected on a view: shaft, the part within reach of the plane, entry/target handles, tip, ablation zones. */
  /** Where each needle's label may go: beside its entry handle, right then left, above then below. */
  private needleLabelRequests(view: ViewName, w: number, h: number): LabelRequest[] {
    const viewer = this.viewer!;
    const out: LabelRequest[] = [];
    for (const t of this.state.trajectories) {
      const [ex, ey] = viewer.lpsToCanvas(view, t.entryLps);
      if (ex < 0 || ey < 0 || ex > w || ey > h) continue;
      const lw = labelWidthPx(this.needleLabel(t));
      out.push({ id: `n:${t.id}`, w: lw, h: LABEL_H, candidates: [[ex + 8, ey - 17], [ex + 8, ey + 5], [ex - 8 - lw, ey - 17], [ex - 8 - lw, ey + 5], [ex - lw / 2, ey - 22], [ex - lw / 2, ey + 9]] });
    }
    return out;
  }

  private needleLabel(t: Trajectory): string {
    return `${t.id}${t.id === this.state.selectedTrajectoryId ? ` ${needleVerdict(t).status.toUpperCase()}` : ''}`;
  }

  private renderNeedles(view: ViewName, planePoint: Vec3, placed: Map<string, Rect> = new Map()) {
    const viewer = this.viewer!;
    const n = viewer.cameraInfo(view).normalLps;
    const mmPerPx = viewer.cameraInfo(view).mmPerPx;
    const items = [];
    const dist = (p: Readonly<Vec3>) => (p[0] - planePoint[0]) * n[0] + (p[1] - planePoint[1]) * n[1] + (p[2] - planePoint[2]) * n[2];
    for (const t of this.state.trajectories) {
      const sel = t.id === this.state.selectedTrajectoryId;
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
        <text x=${(placed.get(`n:${t.id}`)?.x ?? ex + 6.5) + 1.5} y=${(placed.get(`n:${t.id}`)?.y ?? ey - 17) + LABEL_BASELINE} fill=${col} font-size="11" font-family="system-ui" paint-order="stroke" stroke="#000" stroke-width="3">${this.needleLabel(t)}</text>
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
    const pn = this.state.placingNeedle;
    if (pn?.entryLps) {
      const [qx, qy] = viewer.lpsToCanvas(view, pn.entryLps);
      items.push(svg`<rect class="placing-needle" x=${qx - 5} y=${qy - 5} width="10" height="10" fill="none" stroke="#ffab40" stroke-width="1.5" />`);
    }
    return items;
  }

  /** Resolves once the current volume is on screen. */
  whenShown(): Promise<void> {
    return this.showing;
  }

  private syncVolume(): void {
    const key = this.state?.volumeKey ?? null;
    if (!this.viewer || key === this.shownVolumeKey) return;
    const volume = volumeCache.get(key);
    if (!volume) return;
    this.shownVolumeKey = key;
    const viewer = this.viewer;
    const { widthHu, centerHu } = this.state.window;
    this.showing = viewer.setVolume(volume, { widthHu, centerHu }).then(() => {
      performance.mark('sp:first-image');
      if (this.state.crosshairLps) viewer.jumpTo(this.state.crosshairLps);
      this.requestFrame();
      this.dispatchEvent(new CustomEvent('sp-volume-shown', { bubbles: true, composed: true, detail: { key } }));
    });
  }

  private requestFrame(): void {
    if (this.pendingFrame) return;
    this.pendingFrame = true;
    requestAnimationFrame(() => {
      this.pendingFrame = false;
      this.frame++;
    });
  }

  private pos(e: MouseEvent, view: ViewName): [number, number] {
    const el = this.renderRoot.querySelector(`.pane.${view}`) as HTMLElement;
    const r = el.getBoundingClientRect();
    return [e.clientX - r.left, e.clientY - r.top];
  }

  private hasVolume(): boolean {
    return !!this.viewer && this.shownVolumeKey !== null;
  }

  private onPointerDown(e: PointerEvent, view: ViewName): void {
    if (!this.hasVolume() || !this.viewer) return;
    this.activeView = view;
    (e.currentTarget as HTMLElement).setPointerCapture(e.pointerId);
    const [x, y] = this.pos(e, view);
    const tool = e.button === 1 ? 'pan' : e.button === 2 ? 'zoom' : this.state.tool;
    const lps = this.viewer.canvasToLps(view, x, y);
    // Placing a needle by hand: skin entry, then target.
    if (this.state.placingNeedle && e.button === 0) {
      planning.placeNeedleAt(lps).catch((err: Error) => actions.notify('warning', err.message));
      e.preventDefault();
      return;
    }
    // Placing a foramen by hand: this click is one of its openings.
    if (this.state.placing && e.button === 0) {
      anatomy.placeAt(lps).catch((err: Error) => actions.notify('warning', err.message));
      e.preventDefault();
      return;
    }
    // A needle's entry or target handle (or its shaft, moving both) under the pointer is dragged (crosshair tool).
    if (tool === 'crosshair') {
      const hit = this.needleHit(view, x, y);
      if (hit) {
        planning.selectTrajectory(hit.t.id);
        this.drag = { kind: 'needle', view, id: hit.t.id, end: hit.end, from: lps, entry0: [...hit.t.entryLps], target0: [...hit.t.targetLps], gesture: lesions.newGesture('needle') };
        e.preventDefault();
        return;
      }
    }
    // A foramen marker under the pointer is dragged (crosshair tool).
    if (tool === 'crosshair') {
      const hit = this.foramenMarks(view).find((m) => Math.hypot(m.x - x, m.y - y) <= Math.max(6, m.rPx));
      if (hit) {
        this.drag = { kind: 'foramen', view, id: hit.id, from: lps, to: lps };
        e.preventDefault();
        return;
      }
      // then a canal centreline point (the nearest one under the pointer)
      let canalHit: { index: number; dist: number } | null = null;
      for (const m of this.canalMarks(view)) {
        const dist = Math.hypot(m.x - x, m.y - y);
        if (dist <= Math.max(6, Math.min(m.rPx, 12)) && (!canalHit || dist < canalHit.dist)) canalHit = { index: m.index, dist };
      }
      if (canalHit) {
        this.drag = { kind: 'canal', view, index: canalHit.index, from: lps, to: lps };
        e.preventDefault();
        return;
      }
    }
    switch (tool) {
      case 'crosshair':
        this.drag = { kind: 'crosshair', view };
        actions.setCrosshair(lps);
        break;
      case 'windowLevel':
        this.drag = { kind: 'windowLevel', view, x, y, w: this.state.window.widthHu, c: this.state.window.centerHu };
        break;
      case 'pan':
        this.drag = { kind: 'pan', view, x, y };
        break;
      case 'zoom':
        this.drag = { kind: 'zoom', view, y };
        break;
      case 'ruler':
        this.drag = { kind: 'ruler', view, a: lps, b: lps };
        break;
      case 'regionGrow':
        lesions.segmentLesionAt(lps).catch((err: Error) => actions.notify('warning', err.message));
        break;
      case 'foramen':
        anatomy.fitForamenAt(lps).catch((err: Error) => actions.notify('warning', err.message));
        break;
      case 'canal':
        anatomy.addCanalClick(lps).catch((err: Error) => actions.notify('warning', err.message));
        break;
      case 'thresholdBox':
        this.drag = { kind: 'box', view, a: lps, b: lps };
        break;
      case 'brush':
      case 'eraser':
        this.drag = { kind: 'stroke', view };
        lesions.strokeStart(lps, tool === 'eraser');
        break;
      case 'seeds':
        this.drag = { kind: 'seeds', view };
        lesions.seedStrokeStart(lps, e.shiftKey);
        break;
    }
    e.preventDefault();
  }

  private onPointerMove(e: PointerEvent, view: ViewName): void {
    if (!this.hasVolume() || !this.viewer) return;
    this.activeView = view;
    const [x, y] = this.pos(e, view);
    const lps = this.viewer.canvasToLps(view, x, y);
    const volume = volumeCache.get(this.state.volumeKey);
    if (volume) {
      const ijk = volume.geometry.nearestIndex(lps);
      this.readout = { view, lps, ijk, value: ijk ? valueAtLps(volume, lps) : null };
    }
    const d = this.drag;
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
        this.viewer.pan(view, x - d.x, y - d.y);
        this.drag = { ...d, x, y };
        break;
      case 'zoom':
        this.viewer.zoom(view, Math.exp(-(y - d.y) / 150));
        this.drag = { ...d, y };
        break;
      case 'ruler':
        this.drag = { ...d, b: lps };
        break;
      case 'stroke':
        lesions.strokeTo(lps);
        break;
      case 'seeds':
        lesions.seedStrokeTo(lps);
        break;
      case 'box':
        this.drag = { ...d, b: lps };
        break;
      case 'foramen':
      case 'canal':
        this.drag = { ...d, to: lps };
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

  private onPointerUp(_e: PointerEvent, view: ViewName): void {
    const d = this.drag;
    this.drag = null;
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
    if (d && d.kind === 'box' && this.viewer) {
      const n = this.viewer.cameraInfo(d.view).normalLps;
      lesions.thresholdBox(d.a, d.b, n).catch((err: Error) => actions.notify('warning', err.message));
    }
    if (d && d.kind === 'ruler' && d.view === view) {
      const len = Math.hypot(d.b[0] - d.a[0], d.b[1] - d.a[1], d.b[2] - d.a[2]);
      if (len > 0.5) actions.addMeasurement(view, d.a, d.b);
    }
  }

  private onWheel(e: WheelEvent, view: ViewName): void {
    if (!this.hasVolume() || !this.viewer) return;
    e.preventDefault();
    this.activeView = view;
    if (e.ctrlKey || e.metaKey) {
      this.viewer.zoom(view, e.deltaY < 0 ? 1.1 : 1 / 1.1);
      return;
    }
    this.scrollView(view, e.deltaY > 0 ? 1 : -1);
  }

  /** Scroll a view by slices and move the crosshair with it. */
  scrollView(view: ViewName, delta: number): void {
    if (!this.viewer || !this.hasVolume()) return;
    this.viewer.scroll(view, delta);
    const c = this.state.crosshairLps;
    if (c) {
      const cam = this.viewer.cameraInfo(view);
      const fp = this.viewer.canvasToLps(view, 0, 0);
      const n = cam.normalLps;
      const d = (fp[0] - c[0]) * n[0] + (fp[1] - c[1]) * n[1] + (fp[2] - c[2]) * n[2];
      actions.setCrosshair([c[0] + d * n[0], c[1] + d * n[1], c[2] + d * n[2]]);
    }
    this.requestFrame();
  }

  zoomView(view: ViewName, factor: number): void {
    this.viewer?.zoom(view, factor);
  }

  resetViews(): void {
    this.viewer?.resetView();
    if (this.state.crosshairLps) this.viewer?.jumpTo(this.state.crosshairLps);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.hostResize?.disconnect();
    this.hostResize = null;
    this.viewer?.destroy();
    this.viewer = null;
  }

  private renderOverlay(view: ViewName) {
    const viewer = this.viewer;
    if (!viewer || !this.hasVolume()) return nothing;
    const items = [];
    const c = this.state.crosshairLps;
    const cam = viewer.cameraInfo(view);
    const n = cam.normalLps;
    const el = this.renderRoot.querySelector(`.pane.${view}`) as HTMLElement | null;
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
    const volume = volumeCache.get(this.state.volumeKey);
    const tol = volume ? Math.max(0.5, Math.min(...volume.geometry.spacingMm)) : 1;
    const inPlane = (p: Vec3) => Math.abs((p[0] - fp[0]) * n[0] + (p[1] - fp[1]) * n[1] + (p[2] - fp[2]) * n[2]) <= tol;
    const rulers = this.state.measurements.filter((m) => m.view === view && inPlane(m.aLps) && inPlane(m.bLps)).map((m) => ({ a: m.aLps, b: m.bLps, len: m.lengthMm }));
    const d = this.drag;
    if (d && d.kind === 'ruler' && d.view === view) {
      const blocked = this.state.loaded?.measurementBlockedReason;
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
    // Foramen markers: the axis within one radius of this plane, and the lumen where it crosses it. Labels go
    // outwards (a left foramen's label on the side of the patient's left), so that a level's pair and the
    // canal between them do not pile up.
    const requests: LabelRequest[] = [];
    const drawLater: ((placed: Map<string, Rect>) => unknown)[] = [];
    const [lx0] = viewer.lpsToCanvas(view, fp), [lx1] = viewer.lpsToCanvas(view, [fp[0] + 1, fp[1], fp[2]]);
    const leftOnScreen = Math.abs(lx1 - lx0) < 1e-6 ? 0 : Math.sign(lx1 - lx0);
    for (const m of this.foramenMarks(view)) {
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
        ${this.state.teachingHidesAnswers ? nothing : svg`<text x=${b.x + 1.5} y=${b.y + LABEL_BASELINE} fill=${color} font-size="11" font-family="system-ui" paint-order="stroke" stroke="#000" stroke-width="3">${text}</text>`}</g>`;
      });
    }
    // The canal near this plane: one tube outline (its walls at ± radius beside the centreline) where it runs
    // along the plane, its cross-section circle where it crosses it; the centreline points stay draggable
    // (crosshair tool); one label per view.
    const canalMarks = this.canalMarks(view).map((m) => {
      let { x, y } = m;
      if (d && d.kind === 'canal' && d.index === m.index && d.view === view) {
        const [fx, fy] = viewer.lpsToCanvas(view, d.from), [tx, ty] = viewer.lpsToCanvas(view, d.to);
        x += tx - fx; y += ty - fy;
      }
      return { ...m, x, y, r: Math.max(3, Math.min(m.rPx, 40)) };
    });
    const canalColor = canalMarks[0]?.manual ? '#ffab40' : '#b388ff';
    const runs: (typeof canalMarks)[] = [];
    for (const m of canalMarks) {
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
    const c0 = canalMarks[0];
    if (c0) requests.push({ id: 'canal', w: lw, h: LABEL_H, candidates: [[c0.x - lw / 2, c0.y + c0.r + 2], [c0.x - lw / 2, c0.y - c0.r - 15], [c0.x + c0.r + 3, c0.y - 6], [c0.x - c0.r - 3 - lw, c0.y - 6]] });
    for (const m of canalMarks) {
      drawLater.push((placed) => {
        const b = m === c0 ? placed.get('canal') : undefined;
        return svg`<g class="canal-marker" data-canal-index=${m.index}>
        <circle class="canal-point" cx=${m.x} cy=${m.y} r="2" fill=${canalColor} />
        ${b && !this.state.teachingHidesAnswers ? svg`<text x=${b.x + 1.5} y=${b.y + LABEL_BASELINE} fill=${canalColor} font-size="11" font-family="system-ui" paint-order="stroke" stroke="#000" stroke-width="3">canal</text>` : nothing}</g>`;
      });
    }
    // Needle labels first for the selected needle, then the landmarks', then the other needles'.
    const needleReq = this.needleLabelRequests(view, w, h);
    const sel = needleReq.filter((r) => r.id === `n:${this.state.selectedTrajectoryId}`);
    const placed = placeLabels([...sel, ...requests, ...needleReq.filter((r) => !sel.includes(r))], this.labelObstacles[view] ?? [], { x: 0, y: 0, w, h });
    for (const f of drawLater) items.push(f(placed));
    items.push(...this.renderNeedles(view, fp, placed));
    // The first opening of a foramen being placed by hand.
    const pl = this.state.placing;
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
    items.push(...this.renderSeeds(view));
    // Brush / eraser footprint under the mouse.
    const r = this.readout;
    if (r && r.view === view && (this.state.tool === 'brush' || this.state.tool === 'eraser' || this.state.tool === 'seeds')) {
      const [bx, by] = viewer.lpsToCanvas(view, r.lps);
      const rad = this.state.seg.brushRadiusMm / cam.mmPerPx;
      items.push(svg`<circle class="brush-cursor" cx=${bx} cy=${by} r=${rad} fill="none" stroke=${this.state.tool === 'eraser' ? '#ff8a7a' : this.state.tool === 'seeds' ? SEED_COLORS[this.state.seg.seedKind] : '#ffffff'} stroke-width="1" stroke-dasharray="3 2" />`);
    }
    return svg`${items}`;
  }

  private renderLabels(view: ViewName) {
    if (!this.viewer || !this.hasVolume()) return nothing;
    const cam = this.viewer.cameraInfo(view);
    const right = cam.rightLps, up = cam.upLps;
    return html`
      <div class="label l-left">${orientationLetters(scale([0, 0, 0], right, -1))}</div>
      <div class="label l-right">${orientationLetters(right)}</div>
      <div class="label l-top">${orientationLetters(up)}</div>
      <div class="label l-bottom">${orientationLetters(scale([0, 0, 0], up, -1))}</div>`;
  }

  private renderCorners(view: ViewName) {
    if (!this.viewer || !this.hasVolume()) return nothing;
    const s = this.viewer.sliceInfo(view);
    const win = this.state.window;
    const units = this.state.loaded?.valueUnits === 'HU' ? 'HU' : '';
    const r = this.readout && this.readout.view === view ? this.readout : null;
    const fmt = (v: number) => v.toFixed(1);
    const blocked = this.state.loaded?.measurementBlockedReason;
    return html`
      <div class="corner tl"><span class="title" style="color:${VIEW_COLORS[view]}">${VIEW_TITLES[view]}</span>
Slice ${s.index + 1} / ${s.count}</div>
      <div class="corner tr">W ${Math.round(win.widthHu)}  L ${Math.round(win.centerHu)}${units ? ' ' + units : ''}
Zoom ${(1 / Math.max(1e-6, this.viewer.cameraInfo(view).mmPerPx)).toFixed(2)} px/mm</div>
      <div class="corner bl">${r
        ? `LPS ${fmt(r.lps[0])}, ${fmt(r.lps[1])}, ${fmt(r.lps[2])} mm\n${r.ijk ? `ijk ${r.ijk[0]}, ${r.ijk[1]}, ${r.ijk[2]}   ${r.value === null ? '' : `${Math.round(r.value)} ${units || 'value'}`}` : 'outside volume'}`
        : ''}${blocked ? html`\n<span class="blocked">Measurements blocked: ${blocked}</span>` : ''}</div>`;
  }

  override render() {
    void this.frame;
    const empty = !this.state?.volumeKey;
    return html`${VIEW_NAMES.map(
      (v) => html`<div
        class="pane ${v} ${this.activeView === v ? 'active' : ''}"
        data-view=${v}
        @pointerdown=${(e: PointerEvent) => this.onPointerDown(e, v)}
        @pointermove=${(e: PointerEvent) => this.onPointerMove(e, v)}
        @pointerup=${(e: PointerEvent) => this.onPointerUp(e, v)}
        @pointerleave=${() => { if (this.readout?.view === v) this.readout = null; }}
        @wheel=${(e: WheelEvent) => this.onWheel(e, v)}
        @contextmenu=${(e: Event) => e.preventDefault()}
      >
        <div class="cs"></div>
        <svg class="overlay">${this.renderOverlay(v)}</svg>
        ${this.renderLabels(v)} ${this.renderCorners(v)}
        ${empty ? html`<div class="empty">${v === 'axial' ? 'Drop a DICOM series or NIfTI file here' : ''}</div>` : nothing}
      </div>`,
    )}`;
  }
}

customElements.define('sp-viewer', SpViewer);

declare global {
  interface HTMLElementTagNameMap {
    'sp-viewer': SpViewer;
  }
}
