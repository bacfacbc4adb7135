/**
 * <sp-scene-3d>: the 3D planning view. Bone isosurface (worker; HU level, smoothing, decimation),
 * lesions coloured by Denis zone, foramina and canal, needles and ablation zones, the crosshair,
 * camera presets, a clipping plane; a click on the bone moves the 2D crosshair there; the entry
 * (blue cube) and target (red sphere) of a needle can be dragged (in the plane facing the camera).
 */
import { AfterInput, QUIET_MS } from '../render/after-input';
import { LitElement, html, css, nothing } from 'lit';
import type { AppState } from '../app/store';
import * as actions from '../app/actions';
import { currentLabels, currentCementMap, currentZoneMap } from '../app/case';
import { newGesture } from '../app/lesions';
import { registerSceneSource, registerMeshExporter, downloadMesh, shownVolume } from '../app/scene';
import { collectExportItems, exportMeshBlob, type MeshFormat } from '../render/mesh-export';
import * as planning from '../app/planning';
import { PlanningScene, CAMERA_PRESETS, ZONE_COLORS, type CameraPreset, type ClipMode, type MeshData } from '../render/scene-3d';
import { SurfaceClient } from '../render/surface-client';
import type { ScalarVolume } from '../core/volume';
import type { Vec3 } from '../core/vec3';
import { panelStyles } from './styles';

const PRESET_LABELS: Record<CameraPreset, string> = {
  posterior: 'Post', AP: 'AP', 'left-lateral': 'L lat', 'right-lateral': 'R lat', inlet: 'Inlet', outlet: 'Outlet', 'bulls-eye': "Bull's-eye",
};

export class SpScene3d extends LitElement {
  static override properties = {
    state: { attribute: false },
    expanded: { type: Boolean, reflect: true },
    isoHu: { state: true },
    smoothIterations: { state: true },
    decimate: { state: true },
    opacity: { state: true },
    clip: { state: true },
    status: { state: true },
    busy: { state: true },
  };
  state: AppState = actions.store.state;
  expanded = false;
  /** Default level 400 HU: the cortex, above cancellous bone (~100–280) and fused disc remnants. */
  isoHu = 400;
  smoothIterations = 6;
  decimate = false;
  meshFormat: MeshFormat = 'stl';
  opacity = 0.35;
  clip: ClipMode = 'none';
  status = '';
  busy = false;

  private scene: PlanningScene | null = null;
  private surfaces = new SurfaceClient();
  private resize: ResizeObserver | null = null;
  private boneFor = '';
  private lesionFor = '';
  private lesionTimer: number | null = null;
  private boneJob = 0;
  private lesionJob = 0;
  /** Zone map surfaces shown (checkbox), and for which zone-map version they were built. */
  showZoneSurfaces = false;
  private zonesFor = '';
  private zoneJob = 0;
  private boneIsoShown: number | null = null;
  private down: { x: number; y: number } | null = null;

  static override styles = [
    panelStyles,
    css`
      :host { display: grid; grid-template-rows: auto 1fr; min-height: 0; background: #000; position: relative; }
      /* Enlarged over the 2D views (the button in the bar; Esc or the button again restores it). */
      :host([expanded]) { position: fixed; top: 44px; bottom: 6px; left: 306px; right: 336px; z-index: 30; border: 1px solid #2c3540; box-shadow: 0 0 24px #000; }
      .bar { display: flex; flex-wrap: wrap; gap: 3px 6px; align-items: center; padding: 3px 6px; background: #0f1318; border-bottom: 1px solid #1d242d; font-size: 11px; }
      .bar button { padding: 1px 6px; font-size: 11px; }
      .bar input[type='number'] { width: 56px; }
      .bar input[type='range'] { width: 70px; }
      .wrap { position: relative; min-height: 0; }
      canvas { position: absolute; inset: 0; width: 100%; height: 100%; display: block; cursor: grab; }
      .status { position: absolute; left: 6px; bottom: 4px; font-size: 11px; color: #9aa7b4; pointer-events: none; text-shadow: 0 0 3px #000; }
      .title { position: absolute; left: 6px; top: 4px; font-size: 12px; font-weight: 700; color: #e8c66a; pointer-events: none; }
      .legend { position: absolute; right: 6px; top: 4px; font-size: 11px; pointer-events: none; text-align: right; }
    `,
  ];

  override firstUpdated(): void {
    const canvas = this.renderRoot.querySelector('canvas') as HTMLCanvasElement;
    try {
      this.scene = new PlanningScene(canvas);
      // Software WebGL draws ~0.7 M bone triangles in about a second: start with the decimated surface there.
      if (this.scene.software) this.decimate = true;
    } catch (e) {
      this.status = `3D view unavailable: ${(e as Error).message}`;
      return;
    }
    const wrap = this.renderRoot.querySelector('.wrap') as HTMLElement;
    this.resize = new ResizeObserver(() => this.scene?.setSize(wrap.clientWidth, wrap.clientHeight));
    this.resize.observe(wrap);
    this.scene.setSize(wrap.clientWidth, wrap.clientHeight);
    registerSceneSource(() => ({ boneTriangles: this.scene?.boneTriangles() ?? 0, boneIsoHu: this.boneIsoShown, meshes: this.scene?.meshSummary() ?? [] }));
    registerMeshExporter((format) => exportMeshBlob(collectExportItems(this.scene!.lps), format));
    this.sync(null);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    registerSceneSource(null);
    registerMeshExporter(null);
    this.later.cancel();
    this.onDragEnd();
    this.resize?.disconnect();
    this.surfaces.dispose();
    this.scene?.dispose();
    this.scene = null;
  }

  private prevState: AppState | null = null;
  /** The 3D view follows the store once the input is quiet (render/after-input.ts); a drag in this view follows at once. */
  /** Waits longer when a 3D frame is slow (software WebGL: about a second a frame), so stepping through slices never meets one. */
  private later = new AfterInput(() => Math.min(2000, Math.max(QUIET_MS, 1.5 * (this.scene?.lastFrameMs ?? 0))));
  override updated(): void {
    if (this.state === this.prevState) return;
    const step = () => {
      if (this.state === this.prevState) return;
      this.sync(this.prevState);
      this.prevState = this.state;
    };
    if (this.drag || !this.prevState) { this.later.cancel(); step(); } else this.later.run(step);
  }

  private sync(prev: AppState | null): void {
    const s = this.state, sc = this.scene;
    if (!sc) return;
    const volume = shownVolume();
    if (!prev || prev.volumeKey !== s.volumeKey) {
      if (volume) {
        const g = volume.geometry;
        const corners = g.cornersLps();
        const c: Vec3 = [0, 0, 0];
        for (const p of corners) for (let a = 0; a < 3; a++) c[a]! += p[a]! / corners.length;
        const r = Math.max(...corners.map((p) => Math.hypot(p[0] - c[0], p[1] - c[1], p[2] - c[2])));
        sc.setFocus(c, r * 0.75);
        sc.applyPreset('posterior');
      }
      this.requestBone();
    }
    void this.updateZones();
    if (!prev || prev.labelsVersion !== s.labelsVersion || prev.lesions !== s.lesions || prev.volumeKey !== s.volumeKey || prev.cementVersion !== s.cementVersion || planning.cementShown(prev.trajectories) !== planning.cementShown(s.trajectories)) this.scheduleLesions();
    if (!prev || prev.anatomy !== s.anatomy) sc.setAnatomy(s.anatomy?.foramina ?? [], s.anatomy?.canal ?? null);
    if (!prev || prev.trajectories !== s.trajectories || prev.selectedTrajectoryId !== s.selectedTrajectoryId) sc.setTrajectories(s.trajectories, s.selectedTrajectoryId);
    if (!prev || prev.crosshairLps !== s.crosshairLps) {
      sc.setCrosshair(s.crosshairLps);
      if (this.clip !== 'none') sc.setClip(this.clip, s.crosshairLps);
    }
  }

  private autoStride(volume: ScalarVolume): number {
    // keep the surface displayable on software WebGL: about 24 M cells at most
    return Math.max(1, Math.ceil(Math.cbrt(volume.geometry.voxelCount / 24e6)));
  }

  private requestBone(force = false): void {
    const volume = shownVolume();
    const sc = this.scene;
    if (!sc) return;
    if (!volume || volume.units !== 'HU') {
      sc.setBone(null);
      this.boneIsoShown = null;
      this.status = volume ? 'Bone surface needs a CT (HU values).' : '';
      return;
    }
    const key = `${this.state.volumeKey}|${this.isoHu}|${this.smoothIterations}|${this.decimate}`;
    if (!force && key === this.boneFor) return;
    this.boneFor = key;
    const job = ++this.boneJob;
    const stride = this.autoStride(volume);
    const spacing = Math.min(...volume.geometry.spacingMm) * stride;
    this.busy = true;
    this.status = `Computing the bone surface at ${this.isoHu} HU…`;
    const t0 = performance.now();
    this.surfaces.run({
      geometry: volume.geometry.toJSON(), voxels: volume.voxels, levelHu: this.isoHu, stride,
      smoothIterations: this.smoothIterations, decimateMm: this.decimate ? 2 * spacing : 0,
    }).then((r) => {
      if (job !== this.boneJob) return;
      sc.setBone(r);
      this.boneIsoShown = this.isoHu;
      this.busy = false;
      const tris = r.indices.length / 3;
      this.status = `Bone ≥ ${this.isoHu} HU: ${(tris / 1e6).toFixed(2)} M triangles${stride > 1 ? ` (every ${stride}th voxel)` : ''}, ${Math.round(r.ms.marchingCubes)} ms marching cubes, ${Math.round(performance.now() - t0)} ms total`;
      this.dispatchEvent(new CustomEvent('sp-scene-ready', { bubbles: true, composed: true }));
    }).catch((e: Error) => {
      if (job !== this.boneJob) return;
      this.busy = false;
      this.status = `Bone surface failed: ${e.message}`;
    });
  }

  /** Translucent Denis zone surfaces from the zone map (restricted to the sacrum), built in the surface worker. */
  private async updateZones(): Promise<void> {
    const sc = this.scene, volume = shownVolume(), zones = currentZoneMap();
    const s = this.state;
    const key = this.showZoneSurfaces && zones ? `${s.volumeKey}|${s.zoneMapVersion}` : 'off';
    if (!sc || key === this.zonesFor) return;
    this.zonesFor = key;
    const job = ++this.zoneJob;
    if (key === 'off' || !volume || !zones) { sc.setZones([]); return; }
    const g = volume.geometry;
    const [ni, nj, nk] = g.dims;
    const lo: Vec3 = [ni, nj, nk], hi: Vec3 = [-1, -1, -1];
    for (let k = 0, o = 0; k < nk; k++) for (let j = 0; j < nj; j++) for (let i = 0; i < ni; i++, o++) {
      const z = zones[o]!;
      if (z < 1 || z > 3) continue;
      if (i < lo[0]) lo[0] = i; if (i > hi[0]) hi[0] = i;
      if (j < lo[1]) lo[1] = j; if (j > hi[1]) hi[1] = j;
      if (k < lo[2]) lo[2] = k; if (k > hi[2]) hi[2] = k;
    }
    if (hi[0] < 0) { sc.setZones([]); return; }
    const roi = { min: lo.map((x) => Math.max(0, x - 1)) as Vec3, max: hi.map((x, a) => Math.min(g.dims[a]! - 1, x + 1)) as Vec3 };
    const items: { zone: 1 | 2 | 3; mesh: MeshData }[] = [];
    for (const zone of [1, 2, 3] as const) {
      try {
        const mesh = await this.surfaces.run({ geometry: g.toJSON(), voxels: zones, label: zone, roiIjk: roi, smoothIterations: 8 });
        if (job !== this.zoneJob) return;
        items.push({ zone, mesh });
      } catch (e) {
        this.status = `Zone surface failed: ${(e as Error).message}`;
      }
    }
    if (job === this.zoneJob) sc.setZones(items);
  }

  private scheduleLesions(): void {
    if (this.lesionTimer !== null) clearTimeout(this.lesionTimer);
    this.lesionTimer = window.setTimeout(() => { this.lesionTimer = null; void this.updateLesions(); }, 150);
  }

  private async updateLesions(): Promise<void> {
    const sc = this.scene, volume = shownVolume(), labels = currentLabels();
    const s = this.state;
    const key = `${s.volumeKey}|${s.labelsVersion}|${s.cementVersion}|${planning.cementShown(s.trajectories)}|${s.lesions.map((l) => `${l.id}:${l.visible}:${l.zone?.zone ?? '-'}:${l.color}`).join(',')}`;
    if (!sc || key === this.lesionFor) return;
    this.lesionFor = key;
    if (!volume || !labels) { sc.setLesions([]); return; }
    const job = ++this.lesionJob;
    const g = volume.geometry;
    const items: { id: string; mesh: MeshData; color: string }[] = [];
    for (const l of s.lesions) {
      if (!l.visible || !l.stats || l.stats.voxelCount === 0) continue;
      // crop to a box around the lesion: centroid ± (max diameter + 3 mm)
      const c = l.stats.centroidLps, r = l.stats.maxDiameterMm + 3;
      const lo: Vec3 = [Infinity, Infinity, Infinity], hi: Vec3 = [-Infinity, -Infinity, -Infinity];
      for (const dx of [-r, r]) for (const dy of [-r, r]) for (const dz of [-r, r]) {
        const ijk = g.lpsToIjk([0, 0, 0], [c[0] + dx, c[1] + dy, c[2] + dz]);
        for (let a = 0; a < 3; a++) { lo[a] = Math.min(lo[a]!, ijk[a]!); hi[a] = Math.max(hi[a]!, ijk[a]!); }
      }
      const roi = { min: lo.map((x, a) => Math.max(0, Math.floor(x))) as Vec3, max: hi.map((x, a) => Math.min(g.dims[a]! - 1, Math.ceil(x))) as Vec3 };
      if (roi.max.some((x, a) => x < roi.min[a]!)) continue;
      try {
        const mesh = await this.surfaces.run({ geometry: g.toJSON(), voxels: labels, label: l.label, roiIjk: roi, smoothIterations: 10 });
        if (job !== this.lesionJob) return;
        const zone = l.zone?.zone;
        items.push({ id: l.id, mesh, color: zone ? ZONE_COLORS[zone] : l.color });
      } catch (e) {
        this.status = `Lesion surface failed: ${(e as Error).message}`;
      }
    }
    // The predicted cement deposits (one surface over all needles' deposits), PMMA white.
    const cement = currentCementMap();
    const boxes = s.trajectories.map((t) => t.cement?.boxIjk).filter((b): b is NonNullable<typeof b> => !!b);
    if (cement && boxes.length && planning.cementShown(s.trajectories)) {
      const min = [0, 1, 2].map((a) => Math.max(0, Math.min(...boxes.map((b) => b[0][a]!)) - 1)) as Vec3;
      const max = [0, 1, 2].map((a) => Math.min(g.dims[a]! - 1, Math.max(...boxes.map((b) => b[1][a]!)) + 1)) as Vec3;
      try {
        const mesh = await this.surfaces.run({ geometry: g.toJSON(), voxels: cement, label: 1, roiIjk: { min, max }, smoothIterations: 10 });
        if (job !== this.lesionJob) return;
        items.push({ id: 'cement', mesh, color: '#f4f1e8' });
      } catch (e) {
        this.status = `Cement surface failed: ${(e as Error).message}`;
      }
    }
    if (job === this.lesionJob) sc.setLesions(items);
  }

  private preset(p: CameraPreset): void {
    const sel = this.state.trajectories.find((t) => t.id === this.state.selectedTrajectoryId) ?? null;
    if (p === 'bulls-eye' && !sel) {
      this.status = "Bull's-eye needs a selected needle.";
      return;
    }
    this.scene?.applyPreset(p, sel);
  }

  private drag: { id: string; kind: 'entry' | 'target'; pointerId: number; gesture: string } | null = null;

  /** Capture phase on the wrapper: a press on a needle handle starts a drag instead of an orbit. */
  private onPointerDownCapture = (e: PointerEvent): void => {
    const sc = this.scene;
    if (!sc || e.button !== 0) return;
    const canvas = this.renderRoot.querySelector('canvas') as HTMLCanvasElement;
    const rect = canvas.getBoundingClientRect();
    const h = sc.pickHandle(e.clientX - rect.left, e.clientY - rect.top);
    if (!h) return;
    e.stopPropagation();
    e.preventDefault();
    planning.selectTrajectory(h.id);
    this.drag = { ...h, pointerId: e.pointerId, gesture: newGesture('needle') };
    sc.controls.enabled = false;
    window.addEventListener('pointermove', this.onDragMove);
    window.addEventListener('pointerup', this.onDragEnd);
  };

  private onDragMove = (e: PointerEvent): void => {
    const d = this.drag, sc = this.scene;
    if (!d || !sc) return;
    const t = this.state.trajectories.find((x) => x.id === d.id);
    if (!t) return;
    const canvas = this.renderRoot.querySelector('canvas') as HTMLCanvasElement;
    const rect = canvas.getBoundingClientRect();
    const p = sc.dragPoint(e.clientX - rect.left, e.clientY - rect.top, d.kind === 'entry' ? t.entryLps : t.targetLps);
    if (!p) return;
    void planning.setTrajectoryPoints(d.id, d.kind === 'entry' ? p : t.entryLps, d.kind === 'target' ? p : t.targetLps, true, d.gesture).catch((err: Error) => actions.notify('error', err.message));
  };

  private onDragEnd = (): void => {
    this.drag = null;
    if (this.scene) this.scene.controls.enabled = true;
    window.removeEventListener('pointermove', this.onDragMove);
    window.removeEventListener('pointerup', this.onDragEnd);
  };

  private onPointerDown(e: PointerEvent): void {
    this.down = { x: e.clientX, y: e.clientY };
  }

  private onPointerUp(e: PointerEvent): void {
    const d = this.down;
    this.down = null;
    if (!d || e.button !== 0 || Math.hypot(e.clientX - d.x, e.clientY - d.y) > 4) return;
    const rect = (e.target as HTMLCanvasElement).getBoundingClientRect();
    const p = this.scene?.pickBone(e.clientX - rect.left, e.clientY - rect.top);
    if (p) actions.setCrosshair(p);
  }

  /** Take a named camera preset (for tests and keyboard use). */
  setPreset(p: CameraPreset): void {
    this.preset(p);
  }

  /** Where an LPS point shows on the canvas (CSS px from its top left), for tests. */
  screenOf(pLps: Vec3): [number, number] | null {
    return this.scene ? this.scene.toScreen(pLps) : null;
  }

  /** Render now and resolve after the frame (for screenshots). */
  async settle(): Promise<void> {
    this.scene?.renderNow();
    await new Promise((r) => requestAnimationFrame(() => r(null)));
  }

  override render() {
    const zones = this.state.lesions.some((l) => l.zone?.zone);
    return html`
      <div class="bar">
        <button class="expand" title=${this.expanded ? 'Back to the side column' : 'Enlarge over the 2D views'} aria-pressed=${this.expanded} @click=${() => (this.expanded = !this.expanded)}>${this.expanded ? '⤡' : '⤢'}</button>
        ${CAMERA_PRESETS.map((p) => html`<button data-preset=${p} title="Camera: ${p}" @click=${() => this.preset(p)}>${PRESET_LABELS[p]}</button>`)}
        <label title="Bone isosurface level (HU)">Bone <input id="iso-hu" type="number" step="50" .value=${String(this.isoHu)}
          @change=${(e: Event) => { const v = Number((e.target as HTMLInputElement).value); if (Number.isFinite(v)) { this.isoHu = v; this.requestBone(); } }} /> HU</label>
        <label title="Taubin smoothing iterations">Smooth <input id="smooth" type="number" min="0" max="50" style="width:40px" .value=${String(this.smoothIterations)}
          @change=${(e: Event) => { const v = Math.max(0, Math.min(50, Math.round(Number((e.target as HTMLInputElement).value)))); if (Number.isFinite(v)) { this.smoothIterations = v; this.requestBone(); } }} /></label>
        <label title="Decimate the bone surface (vertex clustering) for speed"><input id="decimate" type="checkbox" .checked=${this.decimate} @change=${(e: Event) => { this.decimate = (e.target as HTMLInputElement).checked; this.requestBone(); }} />Decimate</label>
        <label title="Bone opacity">Opacity <input id="opacity" type="range" min="0.1" max="1" step="0.05" .value=${String(this.opacity)}
          @input=${(e: Event) => { this.opacity = Number((e.target as HTMLInputElement).value); this.scene?.setBoneOpacity(this.opacity); }} /></label>
        <label title="The Denis zone map as translucent surfaces (run Find landmarks first)"><input id="zones-3d" type="checkbox" .checked=${this.showZoneSurfaces} ?disabled=${!this.state.anatomy}
          @change=${(e: Event) => { this.showZoneSurfaces = (e.target as HTMLInputElement).checked; void this.updateZones(); }} /> Zones</label>
        <label title="Clipping plane through the crosshair">Clip <select id="clip" @change=${(e: Event) => { this.clip = (e.target as HTMLSelectElement).value as ClipMode; this.scene?.setClip(this.clip, this.state.crosshairLps); }}>
          <option value="none">none</option><option value="axial">above crosshair</option><option value="coronal">behind crosshair</option><option value="sagittal">left of crosshair</option>
        </select></label>
        <label title="Export the bone, lesions, foramina, canal and needles as shown, in LPS mm (3D Slicer opens them in place): STL = a zip of one file per structure, OBJ = one file with named objects">
          <select id="mesh-format" @change=${(e: Event) => { this.meshFormat = (e.target as HTMLSelectElement).value as MeshFormat; }}><option value="stl">STL</option><option value="obj">OBJ</option></select>
          <button id="export-mesh" ?disabled=${!this.state.loaded} @click=${() => void downloadMesh(this.meshFormat)}>Export mesh</button></label>
      </div>
      <div class="wrap" @pointerdown=${{ handleEvent: this.onPointerDownCapture, capture: true }}>
        <canvas @pointerdown=${this.onPointerDown} @pointerup=${this.onPointerUp}></canvas>
        <div class="title">3D</div>
        ${zones ? html`<div class="legend"><span style="color:${ZONE_COLORS[1]}">■ zone 1</span> <span style="color:${ZONE_COLORS[2]}">■ zone 2</span> <span style="color:${ZONE_COLORS[3]}">■ zone 3</span></div>` : nothing}
        <div class="status" id="scene-status">${this.status}</div>
      </div>
    `;
  }
}
customElements.define('sp-scene-3d', SpScene3d);
