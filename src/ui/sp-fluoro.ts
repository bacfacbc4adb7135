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
import { fluoroGeometry, renderLineIntegrals, shownVolume } from '../app/scene';
import { setAdvance as setTrajectoryAdvance, tipArrived, planCement, cementShown } from '../app/planning';
import { currentCementMap } from '../app/case';
import { projectLps, type CArmGeometry, type CArmView } from '../scene/carm';
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
  image: ImageData | null;
  ms: number;
}

const SIZE_PX = 256;

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
    const chosen = `${s.volumeKey}|${this.layout}|${this.laoDeg}|${this.cranialDeg}`;
    const key = `${chosen}|${views}|${iso ? iso.map((x) => x.toFixed(1)).join(',') : 'centre'}`;
    if (key !== this.renderedFor) {
      const first = !this.renderedFor.startsWith(`${chosen}|`);
      this.renderedFor = key;
      // A new volume or view renders at once (after the page painted); a moved or newly selected needle
      // re-centres the images once the input is quiet (a software DRR takes seconds).
      if (first) setTimeout(() => this.renderImages(), 0); else this.later.run(() => this.renderImages());
    } else if (s !== this.prevState) {
      // Overlays follow once the input is quiet (render/after-input.ts); playing the needle forward draws at once.
      if (this.playing) this.drawAll(); else this.later.run(() => this.drawAll());
    }
    this.prevState = s;
  }

  private renderImages(): void {
    const volume = shownVolume();
    this.panes = this.viewsFor().map((v) => ({ ...v, geometry: null, image: null, ms: 0 }));
    if (!volume) { this.status = ''; this.requestUpdate(); return; }
    if (volume.units !== 'HU') { this.status = 'Simulated fluoroscopy needs a CT (HU values).'; this.drawAll(); return; }
    try {
      for (const p of this.panes) {
        const g = fluoroGeometry(volume, p.view, SIZE_PX, this.isocentre());
        const t0 = performance.now();
        const { data, engine } = renderLineIntegrals(volume, g);
        p.ms = performance.now() - t0;
        p.geometry = g;
        p.image = toImage(data, g.widthPx, g.heightPx);
        this.status = `${engine === 'webgl2' ? 'GPU' : 'CPU'} DRR ${SIZE_PX}×${SIZE_PX}: ${this.panes.map((x) => `${x.title} ${Math.round(x.ms)} ms`).join(', ')}`;
      }
    } catch (e) {
      this.status = `Simulated fluoroscopy failed: ${(e as Error).message}`;
    }
    this.requestUpdate();
    void this.updateComplete.then(() => this.drawAll());
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
    canvas.width = SIZE_PX * 2;
    canvas.height = SIZE_PX * 2;
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    if (!g || !p.image) return;
    const tmp = document.createElement('canvas');
    tmp.width = g.widthPx;
    tmp.height = g.heightPx;
    tmp.getContext('2d')!.putImageData(p.image, 0, 0);
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(tmp, 0, 0, canvas.width, canvas.height);
    const k = canvas.width / g.widthPx; // canvas px per detector px
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
    // Cement deposits once the needle has arrived: each deposit voxel projected as a radio-opaque (dark) dot.
    const cement = currentCementMap();
    const volume = shownVolume();
    if (cement && volume && cementShown(s.trajectories)) {
      const vg = volume.geometry;
      const [ni, nj] = vg.dims;
      ctx.fillStyle = 'rgba(10,10,10,0.35)';
      const r = Math.max(1, mmToPx(volume.geometry.ijkToLps([0, 0, 0], ni >> 1, nj >> 1, vg.dims[2] >> 1), Math.min(...vg.spacingMm)));
      const q: Vec3 = [0, 0, 0];
      const seen = new Set<string>();
      for (const t of s.trajectories) {
        const box = t.cement?.boxIjk;
        if (!box || !tipArrived(t)) continue;
        const key = box.flat().join(',');
        if (seen.has(key)) continue;
        seen.add(key);
        for (let k = box[0][2]; k <= box[1][2]; k++) for (let j = box[0][1]; j <= box[1][1]; j++) for (let i = box[0][0]; i <= box[1][0]; i++) {
          if (!cement[i + ni * (j + nj * k)]) continue;
          const pt = to(vg.ijkToLps(q, i, j, k));
          if (pt) ctx.fillRect(pt[0] - r / 2, pt[1] - r / 2, r, r);
        }
      }
    }
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

/**
 * Line integrals → display grey, as an auto-exposed C-arm shows it: a window over the attenuation
 * of the pixels that cross the body (1st…99.5th percentile of those above 5 % of the maximum),
 * inverted so that air is white and bone and metal dark.
 */
export function toImage(L: Float32Array, w: number, h: number): ImageData {
  let max = 0;
  for (let n = 0; n < L.length; n++) if (L[n]! > max) max = L[n]!;
  const body = Float32Array.from(L.filter((x) => x > 0.05 * max)).sort();
  const lo = body.length ? body[Math.floor(0.01 * (body.length - 1))]! : 0;
  const hi = body.length ? body[Math.floor(0.995 * (body.length - 1))]! : 1;
  const span = hi - lo || 1;
  const img = new ImageData(w, h);
  for (let n = 0; n < L.length; n++) {
    const t = Math.max(0, Math.min(1, (L[n]! - lo) / span));
    const g = Math.round(235 * Math.pow(1 - t, 1.3) + 10);
    img.data[4 * n] = g; img.data[4 * n + 1] = g; img.data[4 * n + 2] = g; img.data[4 * n + 3] = 255;
  }
  return img;
}
