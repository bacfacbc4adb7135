/**
 * The three orthographic MPR views (axial, sagittal, coronal) on cornerstone3D volume viewports.
 *
 * The voxel array of our ScalarVolume is handed to cornerstone as is (createLocalVolume keeps
 * subarray views, no copy). Cornerstone and our VolumeGeometry share the convention that an
 * integer index is a voxel centre and `origin` is the centre of voxel (0,0,0).
 * All positions exchanged with the rest of the app are LPS millimetres.
 */
import {
  init as csInit,
  isCornerstoneInitialized,
  RenderingEngine,
  Enums,
  volumeLoader,
  setVolumesForViewports,
  cache,
  type Types,
} from '@cornerstonejs/core';
import type { ScalarVolume } from '../core/volume';
import type { VolumeGeometry } from '../core/geometry';
import type { Vec3 } from '../core/vec3';
import { cross } from '../core/vec3';

export type ViewName = 'axial' | 'sagittal' | 'coronal';
export const VIEW_NAMES: ViewName[] = ['axial', 'sagittal', 'coronal'];

export interface CameraInfo {
  /** Screen right, screen up and the view normal (toward the viewer) as LPS unit vectors. */
  rightLps: Vec3;
  upLps: Vec3;
  normalLps: Vec3;
  /** mm per canvas CSS pixel. */
  mmPerPx: number;
}

let engineCounter = 0;
let volumeSerial = 0;

export class OrthoViewer {
  private engine: RenderingEngine;
  private volumeId: string | null = null;
  private geometry: VolumeGeometry | null = null;
  private elements: Record<ViewName, HTMLDivElement>;
  private readonly engineId = `sp-engine-${engineCounter++}`;
  private resizeObserver: ResizeObserver;
  /** Called after any camera change (scroll, zoom, pan, resize) so overlays can redraw. */
  onCameraChange: (view: ViewName) => void = () => {};

  constructor(elements: Record<ViewName, HTMLDivElement>) {
    if (!isCornerstoneInitialized()) csInit();
    this.elements = elements;
    this.engine = new RenderingEngine(this.engineId);
    this.engine.setViewports(
      VIEW_NAMES.map((name) => ({
        viewportId: name,
        type: Enums.ViewportType.ORTHOGRAPHIC,
        element: elements[name],
        defaultOptions: {
          orientation: name === 'axial' ? Enums.OrientationAxis.AXIAL : name === 'sagittal' ? Enums.OrientationAxis.SAGITTAL : Enums.OrientationAxis.CORONAL,
          background: [0, 0, 0] as Types.Point3,
        },
      })),
    );
    for (const name of VIEW_NAMES) {
      elements[name].addEventListener(Enums.Events.CAMERA_MODIFIED, () => this.onCameraChange(name));
    }
    this.resizeObserver = new ResizeObserver(() => this.resize());
    for (const name of VIEW_NAMES) this.resizeObserver.observe(elements[name]);
  }

  private viewport(name: ViewName): Types.IVolumeViewport {
    return this.engine.getViewport(name) as Types.IVolumeViewport;
  }

  resize(): void {
    this.engine.resize(true, true);
    for (const name of VIEW_NAMES) this.onCameraChange(name);
  }

  /** Show a volume in the three views. Resolves after the first render. */
  async setVolume(volume: ScalarVolume, voi: { widthHu: number; centerHu: number }): Promise<void> {
    const g = volume.geometry;
    // No ':' in the id: cornerstone would treat the derived slice ids as loader URLs.
    const id = `spvol_${volume.id.replace(/[^A-Za-z0-9_.-]/g, '_')}_${++volumeSerial}`;
    if (this.volumeId && this.volumeId !== id) cache.removeVolumeLoadObject(this.volumeId);
    if (!cache.getVolume(id)) {
      const dc = g.directionCosines;
      volumeLoader.createLocalVolume(id, {
        scalarData: volume.voxels as Types.PixelDataTypedArray,
        dimensions: [...g.dims] as Types.Point3,
        spacing: [...g.spacingMm] as Types.Point3,
        origin: [...g.originLps] as Types.Point3,
        direction: [...dc] as Types.Mat3,
        metadata: {
          BitsAllocated: volume.voxels instanceof Float32Array ? 32 : volume.voxels instanceof Uint8Array ? 8 : 16,
          BitsStored: volume.voxels instanceof Float32Array ? 32 : volume.voxels instanceof Uint8Array ? 8 : 16,
          SamplesPerPixel: 1,
          HighBit: 15,
          PhotometricInterpretation: 'MONOCHROME2',
          PixelRepresentation: volume.voxels instanceof Int16Array ? 1 : 0,
          Modality: volume.modality,
          ImageOrientationPatient: [dc[0], dc[1], dc[2], dc[3], dc[4], dc[5]],
          PixelSpacing: [g.spacingMm[1], g.spacingMm[0]],
          FrameOfReferenceUID: `sp-for-${volume.id}`,
          Columns: g.dims[0],
          Rows: g.dims[1],
          voiLut: [{ windowWidth: voi.widthHu, windowCenter: voi.centerHu }],
          VOILUTFunction: 'LINEAR',
        },
      });
    }
    this.volumeId = id;
    this.geometry = g;
    await setVolumesForViewports(this.engine, [{ volumeId: id }], [...VIEW_NAMES]);
    for (const name of VIEW_NAMES) {
      const vp = this.viewport(name);
      vp.resetCamera();
      // A slab one voxel step thick along the view normal (plus 1 %), so it always holds a plane of
      // voxel samples: cornerstone's default 0.05 mm slab falls between the voxel planes of oblique
      // or coarse volumes and then renders a blank (all-zero) image.
      const n = vp.getCamera().viewPlaneNormal as Vec3;
      vp.setSlabThickness(this.stepAlongNormal(n) * 1.01);
    }
    this.setVoi(voi.widthHu, voi.centerHu);
    this.engine.render();
  }

  setVoi(widthHu: number, centerHu: number): void {
    if (!this.volumeId) return;
    const lower = centerHu - widthHu / 2, upper = centerHu + widthHu / 2;
    for (const name of VIEW_NAMES) this.viewport(name).setProperties({ voiRange: { lower, upper } });
    this.engine.render();
  }

  /** Move every view's slice to contain the point, without changing zoom or pan. */
  jumpTo(lps: Readonly<Vec3>, except?: ViewName): void {
    if (!this.volumeId) return;
    for (const name of VIEW_NAMES) {
      if (name === except) continue;
      const vp = this.viewport(name);
      const cam = vp.getCamera();
      const n = cam.viewPlaneNormal as Vec3;
      const fp = cam.focalPoint as Vec3;
      const pos = cam.position as Vec3;
      // Put the plane through the voxel centres nearest the point: a plane exactly between two
      // slices samples texel borders (SwiftShader then returns 0 for integer textures).
      const target = this.snapAlongNormal(lps, n);
      const d = (target[0] - fp[0]) * n[0] + (target[1] - fp[1]) * n[1] + (target[2] - fp[2]) * n[2];
      vp.setCamera({
        focalPoint: [fp[0] + d * n[0], fp[1] + d * n[1], fp[2] + d * n[2]],
        position: [pos[0] + d * n[0], pos[1] + d * n[1], pos[2] + d * n[2]],
      });
      // scroll(0) lands the camera exactly on cornerstone's own slice grid and renders; a plane
      // set by setCamera alone was seen to render as a blank (all-zero) slab in SwiftShader.
      vp.scroll(0);
    }
  }

  /** Distance between the voxel planes met along n (the volume axis best aligned with n). */
  private stepAlongNormal(n: Readonly<Vec3>): number {
    const g = this.geometry;
    if (!g) return 1;
    let best = 0, bestDot = 0;
    for (const a of [0, 1, 2] as const) {
      const ax = g.axis(a);
      const d = Math.abs(ax[0] * n[0] + ax[1] * n[1] + ax[2] * n[2]);
      if (d > bestDot) { bestDot = d; best = a; }
    }
    return g.spacingMm[best]! * bestDot || 1;
  }

  /** The point moved along n to the nearest plane of voxel centres of the shown volume. */
  private snapAlongNormal(lps: Readonly<Vec3>, n: Readonly<Vec3>): Vec3 {
    const g = this.geometry;
    if (!g) return [lps[0], lps[1], lps[2]];
    const step = this.stepAlongNormal(n);
    const o = g.originLps;
    const t = (lps[0] - o[0]) * n[0] + (lps[1] - o[1]) * n[1] + (lps[2] - o[2]) * n[2];
    const shift = Math.round(t / step) * step - t;
    return [lps[0] + shift * n[0], lps[1] + shift * n[1], lps[2] + shift * n[2]];
  }

  scroll(name: ViewName, deltaSlices: number): void {
    if (!this.volumeId) return;
    this.viewport(name).scroll(deltaSlices);
  }

  /** Zoom by a factor about the view centre (>1 enlarges). */
  zoom(name: ViewName, factor: number): void {
    const vp = this.viewport(name);
    const cam = vp.getCamera();
    vp.setCamera({ parallelScale: (cam.parallelScale ?? 1) / factor });
    vp.render();
  }

  /** Pan by a canvas-pixel displacement. */
  pan(name: ViewName, dxPx: number, dyPx: number): void {
    const vp = this.viewport(name);
    const a = vp.canvasToWorld([0, 0]);
    const b = vp.canvasToWorld([dxPx, dyPx]);
    const cam = vp.getCamera();
    const fp = cam.focalPoint!, pos = cam.position!;
    const dx = a[0] - b[0], dy = a[1] - b[1], dz = a[2] - b[2];
    vp.setCamera({ focalPoint: [fp[0] + dx, fp[1] + dy, fp[2] + dz], position: [pos[0] + dx, pos[1] + dy, pos[2] + dz] });
    vp.render();
  }

  resetView(name?: ViewName): void {
    for (const v of name ? [name] : VIEW_NAMES) this.viewport(v).resetCamera();
    this.engine.render();
  }

  canvasToLps(name: ViewName, xPx: number, yPx: number): Vec3 {
    const p = this.viewport(name).canvasToWorld([xPx, yPx]);
    return [p[0], p[1], p[2]];
  }

  lpsToCanvas(name: ViewName, lps: Readonly<Vec3>): [number, number] {
    const p = this.viewport(name).worldToCanvas([lps[0], lps[1], lps[2]]);
    return [p[0], p[1]];
  }

  /** Index of the slice shown and the number of slices along the view normal. */
  sliceInfo(name: ViewName): { index: number; count: number } {
    const vp = this.viewport(name);
    return { index: vp.getSliceIndex(), count: vp.getNumberOfSlices() };
  }

  cameraInfo(name: ViewName): CameraInfo {
    const vp = this.viewport(name);
    const cam = vp.getCamera();
    const up = cam.viewUp as Vec3;
    const n = cam.viewPlaneNormal as Vec3;
    // viewPlaneNormal points from the focal point toward the camera; screen right = up × normal.
    const right = cross([0, 0, 0], up, n);
    const a = vp.canvasToWorld([0, 0]);
    const b = vp.canvasToWorld([100, 0]);
    const mmPerPx = Math.hypot(b[0] - a[0], b[1] - a[1], b[2] - a[2]) / 100;
    return { rightLps: right, upLps: [up[0], up[1], up[2]], normalLps: [n[0], n[1], n[2]], mmPerPx };
  }

  render(): void {
    this.engine.render();
  }

  destroy(): void {
    this.resizeObserver.disconnect();
    this.engine.destroy();
  }
}
