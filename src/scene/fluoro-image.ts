/**
 * From DRR line integrals to the grey image a C-arm monitor shows, and the predicted cement added to
 * the line integrals. Pure: no DOM.
 *
 * Display. The line integral L = ∫μ dl is already the logarithm of the transmitted intensity (the log
 * display). A pelvis spans a wide range of L (thin flanks, thick hips), so a plain window over it
 * leaves the bone edges in a few grey levels; C-arms compress that range with a large-kernel unsharp
 * mask ("dynamic range compression"): the slowly varying thickness is largely subtracted, edges are
 * kept. Here H = L − DRC_STRENGTH·blur(L), blur a Gaussian of DRC_SIGMA_FRACTION of the image width
 * (three box passes). The window spans the 0.5th…99.5th percentile of H over the pixels that cross the
 * body (L above 5 % of its maximum); air is white, bone and metal dark, as on the monitor.
 *
 * Cement. Each cement voxel adds Δμ = μ(CEMENT_HU) − μ(its own HU) over its volume; projected with the
 * C-arm's pinhole geometry, a sub-voxel sample of volume dV at source distance D adds Δμ·dV / A(D) to
 * the line integral of the pixel it falls in, A(D) = the pixel's footprint at that depth
 * (pixel pitch · D / source-to-detector)². Samples are spread bilinearly over the four nearest pixels.
 * This equals re-rendering the DRR with the cement voxels set to CEMENT_HU (test/scene/fluoro-image.test.ts).
 */
import type { VolumeGeometry } from '../core/geometry';
import type { Vec3 } from '../core/vec3';
import { huToMuPerMm, projectLps, type AttenuationModel, type CArmGeometry } from './carm';

/** Share of the large-scale thickness removed (0: plain window, 1: edges only); chosen by eye on pelvic CTs. */
export const DRC_STRENGTH = 0.8;
/** Blur radius of the dynamic range compression as a fraction of the image width (≈ 12 mm at the isocentre for a 300 mm detector). */
export const DRC_SIGMA_FRACTION = 0.04;
/**
 * Opacified PMMA (vertebroplasty cements carry 20–30 % barium sulphate) measures ≥ 2000 HU on CT; the
 * 2D views draw the deposit so, and 2500 HU is taken here.
 */
export const CEMENT_HU = 2500;

export interface FluoroWindow { lo: number; hi: number }

/** Separable box blur of radius r (px), edges clamped. */
function boxBlur(src: Float32Array, dst: Float32Array, w: number, h: number, r: number): void {
  const tmp = new Float32Array(w * h);
  const n = 2 * r + 1;
  for (let y = 0; y < h; y++) {
    const row = y * w;
    let acc = 0;
    for (let k = -r; k <= r; k++) acc += src[row + Math.min(w - 1, Math.max(0, k))]!;
    for (let x = 0; x < w; x++) {
      tmp[row + x] = acc / n;
      acc += src[row + Math.min(w - 1, x + r + 1)]! - src[row + Math.max(0, x - r)]!;
    }
  }
  for (let x = 0; x < w; x++) {
    let acc = 0;
    for (let k = -r; k <= r; k++) acc += tmp[Math.min(h - 1, Math.max(0, k)) * w + x]!;
    for (let y = 0; y < h; y++) {
      dst[y * w + x] = acc / n;
      acc += tmp[Math.min(h - 1, y + r + 1) * w + x]! - tmp[Math.max(0, y - r) * w + x]!;
    }
  }
}

/** Gaussian blur of standard deviation sigmaPx by three box passes (each box of variance ((2r+1)² − 1)/12). */
export function gaussianBlur(src: Float32Array, w: number, h: number, sigmaPx: number): Float32Array {
  const r = Math.max(1, Math.round((Math.sqrt(4 * sigmaPx * sigmaPx + 1) - 1) / 2));
  const a = new Float32Array(w * h), b = new Float32Array(w * h);
  boxBlur(src, a, w, h, r);
  boxBlur(a, b, w, h, r);
  boxBlur(b, a, w, h, r);
  return a;
}

/** Dynamic range compression of line integrals (see the module comment) and the window of the result. */
export function compressRange(L: Float32Array, w: number, h: number): { values: Float32Array; window: FluoroWindow } {
  const blur = gaussianBlur(L, w, h, DRC_SIGMA_FRACTION * w);
  const values = new Float32Array(L.length);
  let max = 0;
  for (let n = 0; n < L.length; n++) {
    values[n] = L[n]! - DRC_STRENGTH * blur[n]!;
    if (L[n]! > max) max = L[n]!;
  }
  // percentiles from a fine histogram (a sort of 10⁵–10⁶ values would hold the page up)
  let bMin = Infinity, bMax = -Infinity, count = 0;
  for (let n = 0; n < L.length; n++) {
    if (!(L[n]! > 0.05 * max)) continue;
    const x = values[n]!;
    if (x < bMin) bMin = x;
    if (x > bMax) bMax = x;
    count++;
  }
  let lo = 0, hi = 1;
  if (count > 0 && bMax > bMin) {
    const BINS = 8192, scale = BINS / (bMax - bMin);
    const hist = new Uint32Array(BINS);
    for (let n = 0; n < L.length; n++) if (L[n]! > 0.05 * max) hist[Math.min(BINS - 1, Math.floor((values[n]! - bMin) * scale))]!++;
    const at = (q: number): number => {
      const target = q * (count - 1);
      let acc = 0;
      for (let b = 0; b < BINS; b++) { acc += hist[b]!; if (acc > target) return bMin + (b + 0.5) / scale; }
      return bMax;
    };
    lo = at(0.005);
    hi = at(0.995);
  } else if (count > 0) {
    lo = bMin;
    hi = bMin + 1;
  }
  return { values, window: { lo, hi: hi > lo ? hi : lo + 1 } };
}

/** Grey levels (RGBA, opaque) of windowed values: low attenuation white (245), high dark (10). */
export function toGreyRgba(values: Float32Array, window: FluoroWindow, out: Uint8ClampedArray = new Uint8ClampedArray(values.length * 4)): Uint8ClampedArray {
  const span = window.hi - window.lo;
  for (let n = 0; n < values.length; n++) {
    const t = Math.max(0, Math.min(1, (values[n]! - window.lo) / span));
    const g = Math.round(245 - 235 * t);
    out[4 * n] = g; out[4 * n + 1] = g; out[4 * n + 2] = g; out[4 * n + 3] = 255;
  }
  return out;
}

export interface CementSource {
  geometry: VolumeGeometry;
  voxels: ArrayLike<number>;
  /** Non-zero where cement is predicted; same grid as the voxels. */
  cement: ArrayLike<number>;
  /** Inclusive index boxes [[i0, j0, k0], [i1, j1, k1]] that hold the deposits. */
  boxes: readonly (readonly [readonly [number, number, number], readonly [number, number, number]])[];
}

/**
 * The line integrals the predicted cement adds to a C-arm image (same size as the DRR), and the count
 * of cement voxels projected.
 */
export function cementLineIntegrals(src: CementSource, g: CArmGeometry, model: AttenuationModel): { added: Float32Array; voxels: number } {
  const W = g.widthPx, H = g.heightPx;
  const added = new Float32Array(W * H);
  const geo = src.geometry;
  const [ni, nj] = geo.dims;
  const sp = geo.spacingMm;
  const muCement = huToMuPerMm(CEMENT_HU, model);
  const p: Vec3 = [0, 0, 0];
  // sub-samples per voxel edge: the voxel's projected size in pixels at the isocentre, rounded up (1…4)
  const magnification = g.sourceToDetectorMm / g.sourceToIsocentreMm;
  const sub = Math.max(1, Math.min(4, Math.ceil((Math.max(...sp) * magnification) / Math.min(g.pixelMm[0], g.pixelMm[1]))));
  const dV = (sp[0] * sp[1] * sp[2]) / (sub * sub * sub);
  let count = 0;
  for (const [a, b] of src.boxes) {
    for (let k = a[2]; k <= b[2]; k++) for (let j = a[1]; j <= b[1]; j++) for (let i = a[0]; i <= b[0]; i++) {
      const idx = i + ni * (j + nj * k);
      if (!src.cement[idx]) continue;
      count++;
      const dMu = muCement - huToMuPerMm(src.voxels[idx]!, model);
      if (!(dMu > 0)) continue;
      for (let c = 0; c < sub; c++) for (let bb = 0; bb < sub; bb++) for (let aa = 0; aa < sub; aa++) {
        geo.ijkToLps(p, i - 0.5 + (aa + 0.5) / sub, j - 0.5 + (bb + 0.5) / sub, k - 0.5 + (c + 0.5) / sub);
        const uv = projectLps(g, p);
        if (!uv) continue;
        const depth = (p[0] - g.sourceLps[0]) * g.beamDir[0] + (p[1] - g.sourceLps[1]) * g.beamDir[1] + (p[2] - g.sourceLps[2]) * g.beamDir[2];
        const s = depth / g.sourceToDetectorMm;
        const value = (dMu * dV) / (g.pixelMm[0] * s * g.pixelMm[1] * s);
        const u0 = Math.floor(uv[0]), v0 = Math.floor(uv[1]);
        const fu = uv[0] - u0, fv = uv[1] - v0;
        for (const [du, dv, wgt] of [[0, 0, (1 - fu) * (1 - fv)], [1, 0, fu * (1 - fv)], [0, 1, (1 - fu) * fv], [1, 1, fu * fv]] as const) {
          const u = u0 + du, v = v0 + dv;
          if (u < 0 || v < 0 || u >= W || v >= H) continue;
          added[v * W + u] = added[v * W + u]! + value * wgt;
        }
      }
    }
  }
  return { added, voxels: count };
}
