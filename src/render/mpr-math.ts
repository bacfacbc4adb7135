/**
 * Multiplanar reformatting (MPR) math for the 2D views, free of DOM: view orientations, the
 * affine map canvas pixel → voxel index, slice stepping along the view normal, and the reslice
 * of one plane into 8-bit grey (nearest voxel, window/level).
 *
 * Conventions (radiological display):
 *   axial:    screen right = patient left (+x), screen up = anterior (−y); viewed from the feet
 *   coronal:  screen right = patient left (+x), screen up = superior (+z); viewed from the front
 *   sagittal: screen right = posterior (+y),    screen up = superior (+z); viewed from the left
 * The view normal points toward the viewer: normal = right × up.
 * Canvas pixel (x, y) covers [x, x+1) × [y, y+1); its centre (x+0.5, y+0.5) is what is sampled.
 */
import type { VolumeGeometry } from '../core/geometry';
import type { VoxelArray } from '../core/volume';
import { cross, type Vec3 } from '../core/vec3';

export type ViewName = 'axial' | 'sagittal' | 'coronal';
export const VIEW_NAMES: ViewName[] = ['axial', 'sagittal', 'coronal'];

export interface ViewAxes {
  rightLps: Vec3;
  upLps: Vec3;
  normalLps: Vec3;
}

export function viewAxes(view: ViewName): ViewAxes {
  const right: Vec3 = view === 'sagittal' ? [0, 1, 0] : [1, 0, 0];
  const up: Vec3 = view === 'axial' ? [0, -1, 0] : [0, 0, 1];
  return { rightLps: right, upLps: up, normalLps: cross([0, 0, 0], right, up) };
}

/** Camera of one view: the LPS point at the canvas centre (it lies on the shown plane) and the scale. */
export interface ViewCamera {
  centerLps: Vec3;
  mmPerPx: number;
}

/** Distance between successive planes of voxel centres along n (the volume axis best aligned with n). */
export function stepAlongNormal(g: VolumeGeometry, n: Readonly<Vec3>): number {
  let best = 0, bestDot = 0;
  for (const a of [0, 1, 2] as const) {
    const ax = g.axis(a);
    const d = Math.abs(ax[0] * n[0] + ax[1] * n[1] + ax[2] * n[2]);
    if (d > bestDot) { bestDot = d; best = a; }
  }
  return g.spacingMm[best]! * bestDot || 1;
}

/** Range of the volume's voxel centres projected on n: [min, max] in mm (relative to LPS 0). */
export function extentAlongNormal(g: VolumeGeometry, n: Readonly<Vec3>): [number, number] {
  let lo = Infinity, hi = -Infinity;
  for (const c of g.cornersLps()) {
    const t = c[0] * n[0] + c[1] * n[1] + c[2] * n[2];
    lo = Math.min(lo, t);
    hi = Math.max(hi, t);
  }
  return [lo, hi];
}

/** Slice index (0-based) and count of the plane through `p` along n, planes `step` apart from the first corner. */
export function sliceIndexAlongNormal(g: VolumeGeometry, n: Readonly<Vec3>, p: Readonly<Vec3>): { index: number; count: number } {
  const step = stepAlongNormal(g, n);
  const [lo, hi] = extentAlongNormal(g, n);
  const t = p[0] * n[0] + p[1] * n[1] + p[2] * n[2];
  return { index: Math.round((t - lo) / step), count: Math.round((hi - lo) / step) + 1 };
}

/**
 * The point moved along n onto the nearest plane of voxel centres, clamped to the volume's
 * extent along n.
 */
export function snapToPlane(g: VolumeGeometry, n: Readonly<Vec3>, p: Readonly<Vec3>): Vec3 {
  const step = stepAlongNormal(g, n);
  const [lo, hi] = extentAlongNormal(g, n);
  const t = p[0] * n[0] + p[1] * n[1] + p[2] * n[2];
  const snapped = Math.min(hi, Math.max(lo, lo + Math.round((t - lo) / step) * step));
  const d = snapped - t;
  return [p[0] + d * n[0], p[1] + d * n[1], p[2] + d * n[2]];
}

/** Canvas pixel position (CSS px, continuous) → LPS on the view plane. */
export function canvasToLps(out: Vec3, cam: ViewCamera, axes: ViewAxes, widthPx: number, heightPx: number, x: number, y: number): Vec3 {
  const u = (x - widthPx / 2) * cam.mmPerPx;
  const v = -(y - heightPx / 2) * cam.mmPerPx;
  const c = cam.centerLps, r = axes.rightLps, up = axes.upLps;
  out[0] = c[0] + u * r[0] + v * up[0];
  out[1] = c[1] + u * r[1] + v * up[1];
  out[2] = c[2] + u * r[2] + v * up[2];
  return out;
}

/** LPS → canvas pixel position (CSS px); the point is projected onto the view plane. */
export function lpsToCanvas(cam: ViewCamera, axes: ViewAxes, widthPx: number, heightPx: number, p: Readonly<Vec3>): [number, number] {
  const c = cam.centerLps;
  const dx = p[0] - c[0], dy = p[1] - c[1], dz = p[2] - c[2];
  const u = dx * axes.rightLps[0] + dy * axes.rightLps[1] + dz * axes.rightLps[2];
  const v = dx * axes.upLps[0] + dy * axes.upLps[1] + dz * axes.upLps[2];
  return [widthPx / 2 + u / cam.mmPerPx, heightPx / 2 - v / cam.mmPerPx];
}

/** Scale that fits the volume's extent (in this view's plane) into the canvas, with a margin. */
export function fitMmPerPx(g: VolumeGeometry, axes: ViewAxes, widthPx: number, heightPx: number, margin = 1.04): number {
  let ulo = Infinity, uhi = -Infinity, vlo = Infinity, vhi = -Infinity;
  // Voxel centres ± half a voxel along each axis: the physical extent.
  const half = [0, 1, 2].map((a) => g.axis(a as 0 | 1 | 2).map((c) => (c * g.spacingMm[a]!) / 2)) as Vec3[];
  for (const c of g.cornersLps()) {
    for (const sx of [-1, 1]) for (const sy of [-1, 1]) for (const sz of [-1, 1]) {
      const p: Vec3 = [
        c[0] + sx * half[0]![0] + sy * half[1]![0] + sz * half[2]![0],
        c[1] + sx * half[0]![1] + sy * half[1]![1] + sz * half[2]![1],
        c[2] + sx * half[0]![2] + sy * half[1]![2] + sz * half[2]![2],
      ];
      const u = p[0] * axes.rightLps[0] + p[1] * axes.rightLps[1] + p[2] * axes.rightLps[2];
      const v = p[0] * axes.upLps[0] + p[1] * axes.upLps[1] + p[2] * axes.upLps[2];
      ulo = Math.min(ulo, u); uhi = Math.max(uhi, u); vlo = Math.min(vlo, v); vhi = Math.max(vhi, v);
    }
  }
  return Math.max((uhi - ulo) / Math.max(1, widthPx), (vhi - vlo) / Math.max(1, heightPx)) * margin;
}

/** Label colours blended over the grey image: lut[label] = 0xAABBGGRR (0 = not shown). */
export interface LabelOverlay {
  labels: Uint8Array;
  lut: Uint32Array;
  alpha: number;
}

/**
 * Reslice one view plane into RGBA pixels (nearest voxel; outside the volume = black).
 * `out` is a Uint32Array view of an ImageData buffer of size widthPx × heightPx (device pixels);
 * `pxScale` = device pixels per CSS pixel.
 */
export function reslice(
  out: Uint32Array,
  widthPx: number,
  heightPx: number,
  pxScale: number,
  g: VolumeGeometry,
  voxels: VoxelArray,
  cam: ViewCamera,
  axes: ViewAxes,
  window: { widthHu: number; centerHu: number },
  overlays: readonly LabelOverlay[] = [],
): void {
  const cssW = widthPx / pxScale, cssH = heightPx / pxScale;
  // ijk at the centre of device pixel (0,0) and its increments per device pixel in x and y.
  const p0 = canvasToLps([0, 0, 0], cam, axes, cssW, cssH, 0.5 / pxScale, 0.5 / pxScale);
  const ijk0 = g.lpsToIjk([0, 0, 0], p0);
  const px = canvasToLps([0, 0, 0], cam, axes, cssW, cssH, 1.5 / pxScale, 0.5 / pxScale);
  const py = canvasToLps([0, 0, 0], cam, axes, cssW, cssH, 0.5 / pxScale, 1.5 / pxScale);
  const ijkX = g.lpsToIjk([0, 0, 0], px), ijkY = g.lpsToIjk([0, 0, 0], py);
  const dxi = ijkX[0] - ijk0[0], dxj = ijkX[1] - ijk0[1], dxk = ijkX[2] - ijk0[2];
  const dyi = ijkY[0] - ijk0[0], dyj = ijkY[1] - ijk0[1], dyk = ijkY[2] - ijk0[2];
  const [ni, nj, nk] = g.dims;
  const nij = ni * nj;
  const lo = window.centerHu - window.widthHu / 2;
  const scale = 255 / Math.max(1e-6, window.widthHu);
  const BLACK = 0xff000000;
  // Up to two layers (e.g. the zone map under the lesions); the upper one wins where both show.
  const layers = overlays.filter((o) => o.labels.length === voxels.length);
  const top = layers[layers.length - 1] ?? null, under = layers.length > 1 ? layers[layers.length - 2]! : null;
  // +0.5 then floor = round-half-up, the nearest voxel centre.
  for (let y = 0; y < heightPx; y++) {
    let fi = ijk0[0] + y * dyi + 0.5, fj = ijk0[1] + y * dyj + 0.5, fk = ijk0[2] + y * dyk + 0.5;
    let o = y * widthPx;
    for (let x = 0; x < widthPx; x++, o++, fi += dxi, fj += dxj, fk += dxk) {
      const i = Math.floor(fi), j = Math.floor(fj), k = Math.floor(fk);
      if (i < 0 || j < 0 || k < 0 || i >= ni || j >= nj || k >= nk) { out[o] = BLACK; continue; }
      const idx = i + ni * j + nij * k;
      let gv = (voxels[idx]! - lo) * scale;
      gv = gv < 0 ? 0 : gv > 255 ? 255 : gv | 0;
      let c = 0, alpha = 0;
      if (top !== null) {
        const lab = top.labels[idx]!;
        if (lab !== 0) { c = top.lut[lab]!; alpha = top.alpha; }
      }
      if (c === 0 && under !== null) {
        const lab = under.labels[idx]!;
        if (lab !== 0) { c = under.lut[lab]!; alpha = under.alpha; }
      }
      if (c !== 0) {
        // Blend the label colour over the grey value.
        const r = ((c & 0xff) * alpha + gv * (1 - alpha)) | 0;
        const gg = (((c >>> 8) & 0xff) * alpha + gv * (1 - alpha)) | 0;
        const b = (((c >>> 16) & 0xff) * alpha + gv * (1 - alpha)) | 0;
        out[o] = BLACK | (b << 16) | (gg << 8) | r;
      } else out[o] = BLACK | (gv << 16) | (gv << 8) | gv;
    }
  }
}
