/**
 * <sp-viewer>: the axial, sagittal and coronal views with overlays (crosshair, orientation
 * letters, ruler measurements, cursor readout) and the mouse/keyboard interaction.
 * It reads the store's state and calls actions; the OrthoViewer does the rendering.
 * The pieces live in ./viewer/: overlay drawing (overlay, landmarks, needles), interaction, styles.
 */
import { LitElement, html, nothing, type PropertyValues } from 'lit';
import type { Rect } from '../render/label-layout';
import { OrthoViewer, VIEW_NAMES, type ViewName } from '../render/ortho-viewer';
import { orientationLetters } from '../render/lps-labels';
import { setGestureActive } from '../render/after-input';
import type { AppState } from '../app/store';
import * as lesions from '../app/lesions';
import * as caseView from '../app/case';
import * as anatomy from '../app/anatomy';
import * as planning from '../app/planning';
import { volumeCache } from '../app/volume-cache';
import { scale } from '../core/vec3';
import { VIEW_COLORS, VIEW_TITLES, type Drag, type Readout, type ViewerHost } from './viewer/context';
import { renderOverlay } from './viewer/overlay';
import * as interaction from './viewer/interaction';
import { viewerStyles } from './viewer/styles';

/** Tools whose click only moves the view or crosshair: a double-click with them maximises (an editing click would act twice). */
const NAVIGATION_TOOLS = new Set(['crosshair', 'windowLevel', 'pan', 'zoom']);

/** PMMA shows near-white on CT (≥ 2000 HU with contrast): the predicted deposit is drawn so. */
const CEMENT_LUT = (() => { const l = new Uint32Array(256); l[1] = ((0xff << 24) | (0xff << 16) | (0xf4 << 8) | 0xe0) >>> 0; return l; })();

export class SpViewer extends LitElement implements ViewerHost {
  static override properties = {
    state: { attribute: false },
    readout: { state: true },
    drag: { state: true },
    frame: { state: true },
    maximised: { state: true },
  };

  state!: AppState;
  readout: Readout | null = null;
  drag: Drag | null = null;
  /** Bumped on camera changes so overlays re-render. */
  frame = 0;
  /** The view under the mouse, for keyboard scrolling. */
  activeView: ViewName = 'axial';
  /** The view shown alone over the whole viewer (its button or a double-click; Esc restores), or null. */
  maximised: ViewName | null = null;
  private viewer: OrthoViewer | null = null;
  private shownVolumeKey: string | null = null;
  private pendingFrame = false;
  private showing: Promise<void> = Promise.resolve();

  static override styles = viewerStyles;

  private hostResize: ResizeObserver | null = null;

  get ortho(): OrthoViewer | null {
    return this.viewer;
  }

  pane(view: ViewName): HTMLElement | null {
    return this.renderRoot.querySelector(`.pane.${view}`) as HTMLElement | null;
  }

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
      const pane = this.pane(view);
      if (!pane) continue;
      const pr = pane.getBoundingClientRect();
      const rects = [...pane.querySelectorAll('.corner, .label, button.maximise')].map((el) => el.getBoundingClientRect()).filter((r) => r.width > 0)
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

  requestFrame(): void {
    if (this.pendingFrame) return;
    this.pendingFrame = true;
    requestAnimationFrame(() => {
      this.pendingFrame = false;
      this.frame++;
    });
  }

  hasVolume(): boolean {
    return !!this.viewer && this.shownVolumeKey !== null;
  }

  /** Scroll a view by slices and move the crosshair with it. */
  scrollView(view: ViewName, delta: number): void {
    interaction.scrollView(this, view, delta);
  }

  /** Shows one view over the whole viewer, or all three again (null). */
  setMaximised(view: ViewName | null): void {
    this.maximised = view;
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
        class="pane ${v} ${this.activeView === v ? 'active' : ''} ${this.maximised === v ? 'max' : ''}"
        data-view=${v}
        @dblclick=${() => { if (NAVIGATION_TOOLS.has(this.state.tool)) this.setMaximised(this.maximised === v ? null : v); }}
        @pointerdown=${(e: PointerEvent) => interaction.onPointerDown(this, e, v)}
        @pointermove=${(e: PointerEvent) => interaction.onPointerMove(this, e, v)}
        @pointerup=${() => interaction.onPointerUp(this, v)}
        @lostpointercapture=${() => setGestureActive(false)}
        @pointerleave=${() => { if (this.readout?.view === v) this.readout = null; }}
        @wheel=${(e: WheelEvent) => interaction.onWheel(this, e, v)}
        @contextmenu=${(e: Event) => e.preventDefault()}
      >
        <div class="cs"></div>
        <svg class="overlay">${renderOverlay(this, v, this.labelObstacles[v] ?? [])}</svg>
        ${this.renderLabels(v)} ${this.renderCorners(v)}
        ${this.hasVolume() ? html`<button class="maximise" data-view=${v} aria-pressed=${this.maximised === v} title=${this.maximised === v ? 'Back to the three views (Esc)' : 'Show this view alone (or double-click it; Esc restores)'}
          @pointerdown=${(e: Event) => e.stopPropagation()} @click=${() => this.setMaximised(this.maximised === v ? null : v)}>${this.maximised === v ? '⤡' : '⤢'}</button>` : nothing}
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
