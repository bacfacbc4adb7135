/**
 * <sp-fluoro>: simulated fluoroscopy. GPU DRRs of the shown CT (src/render/drr-gl.ts) in a
 * biplane layout (AP + lateral), inlet + outlet, or any LAO/cranial angle; the needles (true
 * projected diameter), lesion outlines (zone colour) and foramina are projected on top with the
 * same C-arm geometry (src/scene/carm.ts), with the RF ablation zones (orange, three sections
 * of each ellipsoid). Display: a window over the attenuation (auto exposure): air
 * bright, bone dark, metal black, as a C-arm monitor shows it. A slider / play button advances the
 * selected needle (teaching), in 3D and here.
 */
import { AfterInput } from '../render/after-input';
import { LitElement, html, css, nothing } from 'lit';
import type { AppState } from '../app/store';
import * as actions from '../app/actions';
import { fluoroGeometry, renderLineIntegralsLater, shownVolume, drrIsFast } from '../app/scene';
import { setAdvance as setTrajectoryAdvance, tipArrived, planCement, cementShown } from '../app/planning';
import { currentCementMap } from '../app/case';
import { projectLps, FLUORO_ENERGY, type CArmGeometry, type CArmView } from '../scene/carm';
import { compressRange, toGreyRgba, cementLineIntegrals, type FluoroWindow } from '../scene/fluoro-image';
import { needleSegment } from '../scene/needle';
import { orientationLetters } from '../render/lps-labels';
import { ZONE_COLORS } from '../render/scene-3d';
import type { Vec3 } from '../core/vec3';
import { panelStyles } from './styles';

export type FluoroLayout = 'biplane' | 'inlet-outlet' | 'custom' | 'needle';

interface Pane {
  view: CArmView;
  title: string;
  geometry: CArmGeometry | null;
  /** Range-compressed line integrals and their window (scene/fluoro-image.ts). */
  display: { values: Float32Array; window: FluoroWindow } | null;
  /** The grey image shown, with the predicted cement when there is one, and what it was made for. */
  image: ImageData | null;
  imageFor: string;
  /** Bounding box (canvas px) of the projected cement, when shown. */
  cementBox: [number, number, number, number] | null;
  /** Whether the image is the full-size one (not the quick preview). */
  full: boolean;
  /** `image` drawn on a canvas of its own (what each redraw copies). */
  picture?: HTMLCanvasElement;
  pictureOf?: ImageData;
  ms: number;
}

/** Smallest detector matrix; larger when the pane has more device pixels (enlarged), up to MAX_PX. */
const MIN_PX = 512;
const MAX_PX = 1024;
/** A first image at this size while the full one renders on the CPU (no GPU), so the panel is never empty for long. */
const PREVIEW_PX = 256;

export class SpFluoro extends LitElement {
  static override properties = {
    state: { attribute: false },
    expanded: { type: Boolean, reflect: true },
    layout: { state: true },
    laoDeg: { state: true },
    cranialDeg: { state: true },
    status: { state: true },
    playing: { state: true },
  };
  state: AppState = actions.store.state;
  expanded = false;
  layout: FluoroLayout = 'biplane';
  laoDeg = 20;
  cranialDeg = 0;
  status = '';
  playing = false;
  private later = new AfterInput();
  private panes: Pane[] = [];
  private renderedFor = '';
  private prevState: AppState | null = null;
  private playTimer: number | null = null;

  static override styles = [
    panelStyles,
    css`
      :host { display: grid; grid-template-rows: auto 1fr; min-height: 0; background: #000; }
      /* Enlarged over the 2D views (the button in the bar; Esc or the button again restores it). */
      :host([expanded]) { position: fixed; top: 44px; bottom: 6px; left: 306px; right: 336px; z-index: 30; border: 1px solid #2c3540; box-shadow: 0 0 24px #000; }
      .bar { display: flex; flex-wrap: wrap; gap: 3px 6px; align-items: center; padding: 3px 6px; background: #0f1318; border-bottom: 1px solid #1d242d; font-size: 11px; }
      .bar button { padding: 1px 6px; font-size: 11px; }
      .bar input[type='number'] { width: 48px; }
      .panes { display: grid; grid-auto-flow: column; grid-auto-columns: 1fr; gap: 3px; min-height: 0; }
      .pane { position: relative; min-height: 0; min-width: 0; display: grid; place-items: center; }
      canvas { max-width: 100%; max-height: 100%; aspect-ratio: 1; display: block; }
      .status { font-size: 11px; color: #9aa7b4; }
    `,
  ];

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.later.cancel();
    this.stopPlay();
  }

  private viewsFor(): { view: CArmView; title: string }[] {
    switch (this.layout) {
      case 'biplane': return [{ view: 'AP', title: 'AP' }, { view: 'lateral', title: 'Lateral' }];
      case 'inlet-outlet': return [{ view: 'inlet', title: 'Inlet' }, { view: 'outlet', title: 'Outlet' }];
      case 'custom': return [{ view: { laoDeg: this.laoDeg, cranialDeg: this.cranialDeg }, title: 'C-arm' }];
      case 'needle': {
        const sel = this.selected();
        if (!sel) return [{ view: 'AP', title: 'AP (select a needle)' }];
        // Bull's-eye: the beam along the needle. Progression: the beam perpendicular to it at no
        // cranial tilt, d(L + 90°, 0)·d(L, C) = 0 (scene/carm.ts), so the needle shows its full length.
        const b = sel.metrics.bullsEye;
        let lao = b.laoDeg + 90;
        if (lao > 180) lao -= 360;
        return [{ view: { laoDeg: b.laoDeg, cranialDeg: b.cranialDeg }, title: "Bull's-eye" }, { view: { laoDeg: lao, cranialDeg: 0 }, title: 'Progression' }];
      }
    }
  }

  /** The C-arm's isocentre: the selected needle's target (the image centred on it), else the volume's centre. */
  private isocentre(): Vec3 | undefined {
    const t = this.selected();
    return t ? [t.targetLps[0], t.targetLps[1], t.targetLps[2]] : undefined;
  }

  override updated(): void {
    const s = this.state;
    const iso = this.isocentre();
    const views = this.viewsFor().map((v) => JSON.stringify(v.view)).join(';');
    const chosen = `${s.volumeKey}|${this.layout}|${this.laoDeg}|${this.cranialDeg}|${this.detectorPx()}`;
    const key = `${chosen}|${views}|${iso ? iso.map((x) => x.toFixed(1)).join(',') : 'centre'}`;
    if (key !== this.renderedFor) {
      const first = !this.renderedFor.startsWith(`${chosen}|`);
      this.renderedFor = key;
      // A new volume or view renders at once (after the page painted); a moved or newly selected needle
      // re-centres the images once the input is quiet (a software DRR takes seconds).
      if (first) setTimeout(() => this.renderImages(true), 0); else this.later.run(() => this.renderImages(false));
    } else if (s !== this.prevState) {
      // Overlays follow once the input is quiet (render/after-input.ts); playing the needle forward draws at once.
      if (this.playing) this.drawAll(); else this.later.run(() => this.drawAll());
    }
    this.prevState = s;
  }

  /** Cancels the DRRs still rendering for an older view, needle position or volume. */
  private cancelRender: (() => void) | null = null;
  private generation = 0;

  /** The detector matrix: the pane's size in device pixels, at least MIN_PX and at most MAX_PX. */
  private detectorPx(): number {
    const pane = this.renderRoot.querySelector('.pane') as HTMLElement | null;
    const css = pane ? Math.min(pane.clientWidth, pane.clientHeight) : 0;
    return Math.max(MIN_PX, Math.min(MAX_PX, Math.round(css * (window.devicePixelRatio || 1))));
  }

  /** New images; `blank`: another view or volume, so the old images go at once (else they stay until the new ones come). */
  private renderImages(blank: boolean): void {
    this.cancelRender?.();
    this.cancelRender = null;
    const generation = ++this.generation;
    const volume = shownVolume();
    const panes: Pane[] = this.viewsFor().map((v) => ({ ...v, geometry: null, display: null, image: null, imageFor: '', cementBox: null, full: false, ms: 0 }));
    if (blank || !volume || volume.units !== 'HU') {
      this.panes = panes;
      this.requestUpdate();
      void this.updateComplete.then(() => { if (generation === this.generation) this.drawAll(); });
    }
    if (!volume) { this.status = ''; return; }
    if (volume.units !== 'HU') { this.status = 'Simulated fluoroscopy needs a CT (HU values).'; return; }
    const full = this.detectorPx();
    const minMm = Math.min(...volume.geometry.spacingMm);
    // On a GPU the full image at once (half-voxel steps); without one a quick preview first, then the
    // full matrix at one-voxel steps (finer steps change the image by less than a grey level at this size).
    const passes = drrIsFast() ? [{ px: full, stepMm: 0.5 * minMm }] : [{ px: PREVIEW_PX, stepMm: 2 * minMm }, { px: full, stepMm: minMm }];
    this.status = 'Rendering the simulated fluoroscopy…';
    const jobs: (() => void)[] = [];
    this.cancelRender = () => { for (const c of jobs) c(); };
    void (async () => {
      for (const pass of passes) {
        const t0 = performance.now();
        const started = panes.map((p) => {
          const g = fluoroGeometry(volume, p.view, pass.px, this.isocentre());
          const job = renderLineIntegralsLater(volume, g, FLUORO_ENERGY, pass.stepMm);
          jobs.push(job.cancel);
          // a newer render cancels this one: the images not yet awaited then reject unheard
          job.result.catch(() => undefined);
          return { p, g, result: job.result };
        });
        let engine = '';
        try {
          for (const { p, g, result } of started) {
            const r = await result;
            if (generation !== this.generation) return;
            engine = r.engine;
            p.ms = performance.now() - t0;
            p.geometry = g;
            p.display = compressRange(r.data, g.widthPx, g.heightPx);
            p.image = null;
            p.imageFor = '';
            p.cementBox = null;
            p.full = pass === passes[passes.length - 1];
          }
        } catch (e) {
          if ((e as Error).message === 'cancelled' || generation !== this.generation) return;
          this.status = `Simulated fluoroscopy failed: ${(e as Error).message}`;
          this.requestUpdate();
          return;
        }
        this.panes = panes;
        const last = pass === passes[passes.length - 1];
        const where = engine === 'webgl2' ? 'GPU' : engine === 'cpu-workers' ? 'CPU (workers)' : 'CPU';
        this.status = `${where} DRR ${pass.px}×${pass.px}${last ? '' : ' (preview; full size follows)'}: ${panes.map((x) => `${x.title} ${Math.round(x.ms)} ms`).join(', ')}`;
        this.requestUpdate();
        await this.updateComplete;
        if (generation !== this.generation) return;
        this.drawAll();
      }
    })();
  }

  /** The pane's grey image, with the predicted cement added to its line integrals once the needle arrived. */
  private imageOf(p: Pane): ImageData | null {
    const g = p.geometry, d = p.display;
    if (!g || !d) return null;
    const s = this.state;
    const cement = currentCementMap();
    const volume = shownVolume();
    type Box = [[number, number, number], [number, number, number]];
    const byKey = new Map<string, Box>();
    if (cement && volume && cementShown(s.trajectories)) {
      for (const t of s.trajectories) {
        const b = t.cement?.boxIjk;
        if (b && tipArrived(t)) byKey.set(b.flat().join(','), b);
      }
    }
    const boxes = [...byKey.values()];
    const key = `${s.cementVersion}|${boxes.map((b) => b.flat().join(',')).join(';')}`;
    if (p.image && p.imageFor === key) return p.image;
    let values = d.values;
    p.cementBox = null;
    if (boxes.length && cement && volume) {
      const { added } = cementLineIntegrals({ geometry: volume.geometry, voxels: volume.voxels, cement, boxes }, g, FLUORO_ENERGY);
      values = Float32Array.from(d.values);
      const W = g.widthPx;
      // the box of pixels the cement darkens by at least a hundredth of the window
      const visible = 0.01 * (d.window.hi - d.window.lo);
      let u0 = Infinity, v0 = Infinity, u1 = -Infinity, v1 = -Infinity;
      for (let n = 0; n < added.length; n++) {
        const a = added[n]!;
        if (a === 0) continue;
        values[n] = values[n]! + a;
        if (a < visible) continue;
        const u = n % W, v = (n - u) / W;
        if (u < u0) u0 = u; if (u > u1) u1 = u; if (v < v0) v0 = v; if (v > v1) v1 = v;
      }
      if (u1 >= u0) p.cementBox = [u0, v0, u1 + 1, v1 + 1];
    }
    const img = new ImageData(g.widthPx, g.heightPx);
    toGreyRgba(values, d.window, img.data);
    p.image = img;
    p.imageFor = key;
    return img;
  }

  /** Image + overlays of every pane. */
  private drawAll(): void {
    const canvases = this.renderRoot.querySelectorAll('canvas');
    this.panes.forEach((p, n) => {
      const c = canvases[n];
      if (c) this.drawPane(c, p);
    });
  }

  private drawPane(canvas: HTMLCanvasElement, p: Pane): void {
    const g = p.geometry;
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    const size = Math.max(MIN_PX, g?.widthPx ?? 0);
    if (canvas.width !== size) { canvas.width = size; canvas.height = size; }
    const image = this.imageOf(p);
    canvas.dataset['detectorPx'] = g ? String(g.widthPx) : '';
    canvas.dataset['image'] = !g || !image ? '' : p.full ? 'full' : 'preview';
    if (!g || !image) {
      ctx.fillStyle = '#000';
      ctx.fillRect(0, 0, canvas.width, canvas.height);
      delete canvas.dataset['cementBox'];
      return;
    }
    // the grey image on its own canvas, made once per image: a redraw of the overlays (each quiet moment
    // of a drag) then only copies it instead of uploading 512² pixels again
    if (!p.picture || p.pictureOf !== image) {
      const tmp = p.picture ?? document.createElement('canvas');
      tmp.width = g.widthPx;
      tmp.height = g.heightPx;
      tmp.getContext('2d')!.putImageData(image, 0, 0);
      p.picture = tmp;
      p.pictureOf = image;
    }
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(p.picture, 0, 0, canvas.width, canvas.height);
    const k = canvas.width / g.widthPx; // canvas px per detector px
    if (p.cementBox) canvas.dataset['cementBox'] = p.cementBox.map((x) => Math.round(x * k)).join(',');
    else delete canvas.dataset['cementBox'];
    // pixel centre (u, v) → canvas ((u + 0.5)·k, (v + 0.5)·k)
    const to = (lps: Readonly<Vec3>): [number, number] | null => {
      const uv = projectLps(g, lps);
      return uv ? [(uv[0] + 0.5) * k, (uv[1] + 0.5) * k] : null;
    };
    const mmToPx = (lps: Readonly<Vec3>, mm: number): number => {
      const s = g.sourceLps;
      const depth = (lps[0] - s[0]) * g.beamDir[0] + (lps[1] - s[1]) * g.beamDir[1] + (lps[2] - s[2]) * g.beamDir[2];
      return (mm * g.sourceToDetectorMm) / depth / g.pixelMm[0] * k;
    };
    const s = this.state;
    // foramina: openings as thin cyan circles joined by a line (blue when placed by hand)
    ctx.lineWidth = 1;
    for (const f of s.anatomy?.foramina ?? []) {
      const a = to(f.anteriorLps), b = to(f.posteriorLps);
      if (!a || !b) continue;
      ctx.strokeStyle = f.source === 'manual' ? 'rgba(79,195,247,0.9)' : 'rgba(38,198,218,0.9)';
      ctx.beginPath(); ctx.arc(a[0], a[1], mmToPx(f.anteriorLps, f.radiusMm), 0, 2 * Math.PI); ctx.stroke();
      ctx.beginPath(); ctx.moveTo(a[0], a[1]); ctx.lineTo(b[0], b[1]); ctx.stroke();
    }
    // lesions: dashed circle of half the max diameter around the centroid, zone colour
    ctx.setLineDash([5, 3]);
    ctx.lineWidth = 1.5;
    for (const l of s.lesions) {
      if (!l.visible || !l.stats || l.stats.voxelCount === 0) continue;
      const c = to(l.stats.centroidLps);
      if (!c) continue;
      ctx.strokeStyle = l.zone?.zone ? ZONE_COLORS[l.zone.zone] : l.color;
      ctx.beginPath(); ctx.arc(c[0], c[1], mmToPx(l.stats.centroidLps, l.stats.maxDiameterMm / 2), 0, 2 * Math.PI); ctx.stroke();
      ctx.fillStyle = ctx.strokeStyle;
      ctx.font = '11px sans-serif';
      ctx.fillText(l.name, c[0] + 4, c[1] - 4);
    }
    ctx.setLineDash([]);
    // RF ablation zones: three principal sections of each ellipsoid, projected (orange)
    ctx.strokeStyle = 'rgba(255,112,67,0.85)';
    ctx.lineWidth = 1;
    for (const t of s.trajectories) {
      for (const z of tipArrived(t) ? t.ablation?.zones ?? [] : []) {
        const a = z.axisLps, la = Math.hypot(...a) || 1;
        const ax: Vec3 = [a[0] / la, a[1] / la, a[2] / la];
        const ref: Vec3 = Math.abs(ax[2]) < 0.9 ? [0, 0, 1] : [1, 0, 0];
        const b: Vec3 = [ax[1] * ref[2] - ax[2] * ref[1], ax[2] * ref[0] - ax[0] * ref[2], ax[0] * ref[1] - ax[1] * ref[0]];
        const lb = Math.hypot(...b);
        b[0] /= lb; b[1] /= lb; b[2] /= lb;
        const c: Vec3 = [ax[1] * b[2] - ax[2] * b[1], ax[2] * b[0] - ax[0] * b[2], ax[0] * b[1] - ax[1] * b[0]];
        const ra = z.lengthMm / 2, rb = z.diameterMm / 2;
        for (const [e1, r1, e2, r2] of [[ax, ra, b, rb], [ax, ra, c, rb], [b, rb, c, rb]] as [Vec3, number, Vec3, number][]) {
          ctx.beginPath();
          for (let q = 0; q <= 48; q++) {
            const th = (2 * Math.PI * q) / 48, ct = Math.cos(th) * r1, st = Math.sin(th) * r2;
            const pt = to([z.centerLps[0] + e1[0] * ct + e2[0] * st, z.centerLps[1] + e1[1] * ct + e2[1] * st, z.centerLps[2] + e1[2] * ct + e2[2] * st]);
            if (!pt) continue;
            if (q === 0) ctx.moveTo(pt[0], pt[1]); else ctx.lineTo(pt[0], pt[1]);
          }
          ctx.stroke();
        }
      }
    }
    // needles: black shaft of the projected outer diameter from hub to tip, planned target as a red ring
    for (const t of s.trajectories) {
      const { tipLps, hubLps } = needleSegment(t);
      const a = to(hubLps), b = to(tipLps), tg = to(t.targetLps);
      if (!a || !b) continue;
      ctx.lineCap = 'round';
      ctx.strokeStyle = '#000';
      ctx.lineWidth = Math.max(2, mmToPx(tipLps, t.needle.outerDiameterMm));
      ctx.beginPath(); ctx.moveTo(a[0], a[1]); ctx.lineTo(b[0], b[1]); ctx.stroke();
      if (t.id === s.selectedTrajectoryId) {
        ctx.strokeStyle = '#42a5f5';
        ctx.lineWidth = 1;
        ctx.beginPath(); ctx.moveTo(a[0], a[1]); ctx.lineTo(b[0], b[1]); ctx.stroke();
      }
      if (tg) { ctx.strokeStyle = '#ff1744'; ctx.lineWidth = 1.5; ctx.beginPath(); ctx.arc(tg[0], tg[1], 4, 0, 2 * Math.PI); ctx.stroke(); }
    }
    // crosshair
    if (s.crosshairLps) {
      const c = to(s.crosshairLps);
      if (c) {
        ctx.strokeStyle = '#ffeb3b'; ctx.lineWidth = 1;
        ctx.beginPath(); ctx.moveTo(c[0] - 7, c[1]); ctx.lineTo(c[0] + 7, c[1]); ctx.moveTo(c[0], c[1] - 7); ctx.lineTo(c[0], c[1] + 7); ctx.stroke();
      }
    }
    // labels: view and angles, orientation letters on the edges
    ctx.font = 'bold 13px sans-serif';
    ctx.fillStyle = '#e8c66a';
    const lao = g.angles.laoDeg, cr = g.angles.cranialDeg;
    ctx.fillText(`${p.title}  ${lao >= 0 ? 'LAO' : 'RAO'} ${Math.abs(lao).toFixed(0)}°  ${cr >= 0 ? 'CRAN' : 'CAUD'} ${Math.abs(cr).toFixed(0)}°`, 6, 16);
    ctx.font = 'bold 14px sans-serif';
    ctx.fillStyle = '#ff9800';
    const W = canvas.width, H = canvas.height;
    const right = orientationLetters(g.uAxis), left = orientationLetters([-g.uAxis[0], -g.uAxis[1], -g.uAxis[2]]);
    const down = orientationLetters(g.vAxis), up = orientationLetters([-g.vAxis[0], -g.vAxis[1], -g.vAxis[2]]);
    ctx.fillText(left, 4, H / 2);
    ctx.fillText(right, W - 8 - 8 * (right.length - 1), H / 2);
    ctx.fillText(up, W / 2 - 4, 32);
    ctx.fillText(down, W / 2 - 4, H - 6);
  }

  private selected() {
    return this.state.trajectories.find((t) => t.id === this.state.selectedTrajectoryId) ?? this.state.trajectories[0] ?? null;
  }

  private togglePlay(): void {
    if (this.playing) { this.stopPlay(); return; }
    const t = this.selected();
    if (!t) return;
    this.playing = true;
    if (t.advance >= 1) setTrajectoryAdvance(t.id, 0);
    this.playTimer = window.setInterval(() => {
      const cur = this.selected();
      if (!cur) { this.stopPlay(); return; }
      const next = Math.min(1, cur.advance + 0.02);
      setTrajectoryAdvance(cur.id, next);
      if (next >= 1) {
        this.stopPlay();
        // Teaching order: needle, then the ablation zones (shown on arrival), then the cement deposit.
        if (!cur.cement) window.setTimeout(() => { planCement(cur.id).catch((e: Error) => actions.notify('warning', e.message)); }, 600);
      }
    }, 80);
  }

  private stopPlay(): void {
    if (this.playTimer !== null) clearInterval(this.playTimer);
    this.playTimer = null;
    this.playing = false;
  }

  override render() {
    const views = this.viewsFor();
    const sel = this.selected();
    return html`
      <div class="bar">
        <button class="expand" title=${this.expanded ? 'Back to the side column' : 'Enlarge over the 2D views'} aria-pressed=${this.expanded} @click=${() => (this.expanded = !this.expanded)}>${this.expanded ? '⤡' : '⤢'}</button>
        <label>Fluoro <select id="fluoro-layout" @change=${(e: Event) => { this.layout = (e.target as HTMLSelectElement).value as FluoroLayout; }}>
          <option value="biplane" ?selected=${this.layout === 'biplane'}>AP + lateral</option>
          <option value="inlet-outlet" ?selected=${this.layout === 'inlet-outlet'}>inlet + outlet</option>
          <option value="custom" ?selected=${this.layout === 'custom'}>LAO / cranial…</option>
          <option value="needle" ?selected=${this.layout === 'needle'}>bull's-eye + progression</option>
        </select></label>
        ${this.layout === 'custom'
          ? html`<label>LAO <input id="lao" type="number" step="5" .value=${String(this.laoDeg)} @change=${(e: Event) => { const v = Number((e.target as HTMLInputElement).value); if (Number.isFinite(v)) this.laoDeg = v; }} />°</label>
                 <label>Cranial <input id="cranial" type="number" step="5" min="-90" max="90" .value=${String(this.cranialDeg)} @change=${(e: Event) => { const v = Number((e.target as HTMLInputElement).value); if (Number.isFinite(v) && Math.abs(v) <= 90) this.cranialDeg = v; }} />°</label>`
          : nothing}
        ${sel
          ? html`<button id="needle-play" title="Advance the needle (teaching)" @click=${() => this.togglePlay()}>${this.playing ? '❚❚' : '▶'}</button>
                 <label title="Needle advance along entry → target">Needle <input id="needle-advance" type="range" min="0" max="1" step="0.01" .value=${String(sel.advance)}
                   @input=${(e: Event) => setTrajectoryAdvance(sel.id, Number((e.target as HTMLInputElement).value))} /></label>`
          : nothing}
        <span class="status" id="fluoro-status">${this.status}</span>
      </div>
      <div class="panes">${views.map((v) => html`<div class="pane"><canvas data-view=${typeof v.view === 'string' ? v.view : v.title === "Bull's-eye" ? 'bulls-eye' : v.title === 'Progression' ? 'progression' : 'custom'} aria-label="${v.title} simulated fluoroscopy"></canvas></div>`)}</div>
    `;
  }
}
customElements.define('sp-fluoro', SpFluoro);
