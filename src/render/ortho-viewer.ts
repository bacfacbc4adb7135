/**
 * The three orthographic MPR views (axial, sagittal, coronal), resliced on the CPU into 2D canvases.
 *
 * Why not cornerstone's volume viewports: in cornerstone3D 5.14 under SwiftShader (our test
 * browser) the ORTHOGRAPHIC viewport rendered a blank slab for some focal-plane positions (e.g. a
 * 64×64×16 3×3×5 mm series: blank at z = −32.55 mm, correct at −32.45 mm), and it keeps a second copy
 * of the volume as a GPU texture. Reslicing nearest-voxel through one affine map per view is exact
 * (the same ijk ↔ LPS convention as the rest of SacroPlan), needs no copy of the voxels and takes a
 * few ms per view. Cornerstone still decodes compressed DICOM (src/io/dicom/browser-decoder.ts).
 *
 * All positions exchanged with the rest of the app are LPS millimetres; canvas positions are CSS px.
 */
import type { ScalarVolume } from '../core/volume';
import type { Vec3 } from '../core/vec3';
import {
  VIEW_NAMES,
  viewAxes,
  stepAlongNormal,
  snapToPlane,
  sliceIndexAlongNormal,
  canvasToLps as mprCanvasToLps,
  lpsToCanvas as mprLpsToCanvas,
  fitMmPerPx,
  reslice,
  type ViewName,
  type ViewAxes,
  type ViewCamera,
  type LabelOverlay,
} from './mpr-math';

export { VIEW_NAMES, type ViewName };

export interface CameraInfo {
  /** Screen right, screen up and the view normal (toward the viewer) as LPS unit vectors. */
  rightLps: Vec3;
  upLps: Vec3;
  normalLps: Vec3;
  /** mm per canvas CSS pixel. */
  mmPerPx: number;
}

interface ViewState {
  host: HTMLDivElement;
  canvas: HTMLCanvasElement;
  ctx: CanvasRenderingContext2D;
  image: ImageData | null;
  axes: ViewAxes;
  cam: ViewCamera;
  cssW: number;
  cssH: number;
  dirty: boolean;
}

export class OrthoViewer {
  private views: Record<ViewName, ViewState>;
  private volume: ScalarVolume | null = null;
  private voi = { widthHu: 2000, centerHu: 500 };
  private overlays: LabelOverlay[] = [];
  private resizeObserver: ResizeObserver;
  private frameRequested = false;
  /** Called after any camera change (scroll, zoom, pan, resize) so overlays can redraw. */
  onCameraChange: (view: ViewName) => void = () => {};

  constructor(elements: Record<ViewName, HTMLDivElement>) {
    const views = {} as Record<ViewName, ViewState>;
    for (const name of VIEW_NAMES) {
      const host = elements[name];
      const canvas = document.createElement('canvas');
      canvas.style.cssText = 'position:absolute;inset:0;width:100%;height:100%;image-rendering:pixelated;';
      canvas.dataset.view = name;
      host.appendChild(canvas);
      const ctx = canvas.getContext('2d', { alpha: false });
      if (!ctx) throw new Error('2D canvas unavailable');
      views[name] = { host, canvas, ctx, image: null, axes: viewAxes(name), cam: { centerLps: [0, 0, 0], mmPerPx: 1 }, cssW: 1, cssH: 1, dirty: true };
    }
    this.views = views;
    this.resizeObserver = new ResizeObserver(() => this.resize());
    for (const name of VIEW_NAMES) this.resizeObserver.observe(elements[name]);
    this.resize();
  }

  resize(): void {
    const dpr = Math.min(2, globalThis.devicePixelRatio || 1);
    for (const name of VIEW_NAMES) {
      const v = this.views[name];
      const w = Math.max(1, v.host.clientWidth), h = Math.max(1, v.host.clientHeight);
      if (w === v.cssW && h === v.cssH && v.image) continue;
      // Keep the physical scale when the pane resizes, unless it was never fitted.
      v.cssW = w;
      v.cssH = h;
      v.canvas.width = Math.round(w * dpr);
      v.canvas.height = Math.round(h * dpr);
      v.image = v.ctx.createImageData(v.canvas.width, v.canvas.height);
      v.dirty = true;
    }
    this.requestRender();
    for (const name of VIEW_NAMES) this.onCameraChange(name);
  }

  /** Show a volume in the three views, centred and fitted. Resolves after the first render. */
  async setVolume(volume: ScalarVolume, voi: { widthHu: number; centerHu: number }): Promise<void> {
    this.volume = volume;
    this.voi = { ...voi };
    const g = volume.geometry;
    const c = g.ijkToLps([0, 0, 0], (g.dims[0] - 1) / 2, (g.dims[1] - 1) / 2, (g.dims[2] - 1) / 2);
    for (const name of VIEW_NAMES) {
      const v = this.views[name];
      v.cam = { centerLps: snapToPlane(g, v.axes.normalLps, c), mmPerPx: fitMmPerPx(g, v.axes, v.cssW, v.cssH) };
      v.dirty = true;
    }
    this.renderNow();
    for (const name of VIEW_NAMES) this.onCameraChange(name);
  }

  /** Label maps shown over the image (same grid as the volume), lowest first. Call again after edits. */
  setOverlays(overlays: LabelOverlay[]): void {
    this.overlays = overlays;
    for (const name of VIEW_NAMES) this.views[name].dirty = true;
    this.requestRender();
  }

  setVoi(widthHu: number, centerHu: number): void {
    this.voi = { widthHu, centerHu };
    for (const name of VIEW_NAMES) this.views[name].dirty = true;
    this.requestRender();
  }

  /** Move every view's plane to contain the point (snapped to voxel planes), keeping zoom and pan. */
  jumpTo(lps: Readonly<Vec3>, except?: ViewName): void {
    const g = this.volume?.geometry;
    if (!g) return;
    for (const name of VIEW_NAMES) {
      if (name === except) continue;
      const v = this.views[name];
      const n = v.axes.normalLps;
      const target = snapToPlane(g, n, lps);
      const c = v.cam.centerLps;
      const d = (target[0] - c[0]) * n[0] + (target[1] - c[1]) * n[1] + (target[2] - c[2]) * n[2];
      if (Math.abs(d) < 1e-9) continue;
      v.cam = { ...v.cam, centerLps: [c[0] + d * n[0], c[1] + d * n[1], c[2] + d * n[2]] };
      v.dirty = true;
      this.onCameraChange(name);
    }
    this.requestRender();
  }

  /**
   * Move every view's plane to contain the point and pan it to the middle of the view. The zoom is
   * kept, except that with `fovMm` a view showing more than twice that (across its smaller side) is
   * zoomed in to show `fovMm`.
   */
  centreOn(lps: Readonly<Vec3>, fovMm?: number): void {
    const g = this.volume?.geometry;
    if (!g) return;
    for (const name of VIEW_NAMES) {
      const v = this.views[name];
      const side = Math.min(v.cssW, v.cssH);
      const mmPerPx = fovMm && side > 0 && side * v.cam.mmPerPx > 2 * fovMm ? fovMm / side : v.cam.mmPerPx;
      v.cam = { ...v.cam, centerLps: snapToPlane(g, v.axes.normalLps, lps), mmPerPx };
      v.dirty = true;
      this.onCameraChange(name);
    }
    this.requestRender();
  }

  /**
   * Step a view's plane by whole voxel steps. Positive moves along the view normal, toward the
   * viewer (as cornerstone does): for the axial view (seen from the feet) the next slice is inferior.
   */
  scroll(name: ViewName, deltaSlices: number): void {
    const g = this.volume?.geometry;
    if (!g) return;
    const v = this.views[name];
    const n = v.axes.normalLps;
    const step = stepAlongNormal(g, n);
    const c = v.cam.centerLps;
    const moved: Vec3 = [c[0] + n[0] * step * deltaSlices, c[1] + n[1] * step * deltaSlices, c[2] + n[2] * step * deltaSlices];
    v.cam = { ...v.cam, centerLps: snapToPlane(g, n, moved) };
    v.dirty = true;
    this.requestRender();
    this.onCameraChange(name);
  }

  /** Zoom by a factor about the view centre (>1 enlarges). */
  zoom(name: ViewName, factor: number): void {
    const v = this.views[name];
    v.cam = { ...v.cam, mmPerPx: v.cam.mmPerPx / factor };
    v.dirty = true;
    this.requestRender();
    this.onCameraChange(name);
  }

  /** Pan by a canvas displacement (CSS px): the image follows the mouse. */
  pan(name: ViewName, dxPx: number, dyPx: number): void {
    const v = this.views[name];
    const { rightLps: r, upLps: u } = v.axes;
    const du = -dxPx * v.cam.mmPerPx, dv = dyPx * v.cam.mmPerPx;
    const c = v.cam.centerLps;
    v.cam = { ...v.cam, centerLps: [c[0] + du * r[0] + dv * u[0], c[1] + du * r[1] + dv * u[1], c[2] + du * r[2] + dv * u[2]] };
    v.dirty = true;
    this.requestRender();
    this.onCameraChange(name);
  }

  /** Fit and centre (keeping each view's current plane). */
  resetView(name?: ViewName): void {
    const g = this.volume?.geometry;
    if (!g) return;
    const mid = g.ijkToLps([0, 0, 0], (g.dims[0] - 1) / 2, (g.dims[1] - 1) / 2, (g.dims[2] - 1) / 2);
    for (const v of name ? [name] : VIEW_NAMES) {
      const s = this.views[v];
      const n = s.axes.normalLps, c = s.cam.centerLps;
      const d = (c[0] - mid[0]) * n[0] + (c[1] - mid[1]) * n[1] + (c[2] - mid[2]) * n[2];
      s.cam = { centerLps: [mid[0] + d * n[0], mid[1] + d * n[1], mid[2] + d * n[2]], mmPerPx: fitMmPerPx(g, s.axes, s.cssW, s.cssH) };
      s.dirty = true;
      this.onCameraChange(v);
    }
    this.requestRender();
  }

  canvasToLps(name: ViewName, xPx: number, yPx: number): Vec3 {
    const v = this.views[name];
    return mprCanvasToLps([0, 0, 0], v.cam, v.axes, v.cssW, v.cssH, xPx, yPx);
  }

  lpsToCanvas(name: ViewName, lps: Readonly<Vec3>): [number, number] {
    const v = this.views[name];
    return mprLpsToCanvas(v.cam, v.axes, v.cssW, v.cssH, lps);
  }

  /** Index (0-based) of the shown plane and the number of planes along the view normal. */
  sliceInfo(name: ViewName): { index: number; count: number } {
    const g = this.volume?.geometry;
    if (!g) return { index: 0, count: 0 };
    const v = this.views[name];
    return sliceIndexAlongNormal(g, v.axes.normalLps, v.cam.centerLps);
  }

  cameraInfo(name: ViewName): CameraInfo {
    const v = this.views[name];
    return { rightLps: [...v.axes.rightLps], upLps: [...v.axes.upLps], normalLps: [...v.axes.normalLps], mmPerPx: v.cam.mmPerPx };
  }

  /** Canvas of a view (for overlays drawn by other layers). */
  canvas(name: ViewName): HTMLCanvasElement {
    return this.views[name].canvas;
  }

  private requestRender(): void {
    if (this.frameRequested) return;
    this.frameRequested = true;
    requestAnimationFrame(() => {
      this.frameRequested = false;
      this.renderNow();
    });
  }

  /** Reslice every view whose plane, camera or window changed. */
  renderNow(): void {
    const vol = this.volume;
    for (const name of VIEW_NAMES) {
      const v = this.views[name];
      if (!v.dirty || !v.image) continue;
      v.dirty = false;
      const buf = new Uint32Array(v.image.data.buffer);
      if (!vol) buf.fill(0xff000000);
      else reslice(buf, v.canvas.width, v.canvas.height, v.canvas.width / v.cssW, vol.geometry, vol.voxels, v.cam, v.axes, this.voi, this.overlays);
      v.ctx.putImageData(v.image, 0, 0);
    }
  }

  render(): void {
    for (const name of VIEW_NAMES) this.views[name].dirty = true;
    this.renderNow();
  }

  destroy(): void {
    this.resizeObserver.disconnect();
    for (const name of VIEW_NAMES) this.views[name].canvas.remove();
    this.volume = null;
  }
}
