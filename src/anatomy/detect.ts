/**
 * Automatic sacral landmark detection from CT (pure; no model weights).
 *
 *   detectSacralAnatomy(volume, opts?) → { anatomy, sacrumMask, diagnostics }
 *
 * Two stages on LPS-aligned working grids (detect-grid.ts), so any acquisition orientation gives
 * the same result:
 *  A. coarse (3 mm, box-filtered) over the whole volume: bone, midline, the sacrum's rough box;
 *  B. fine (about the voxel size, 1–3 mm) over that box: sacrum mask (sacrum-mask.ts), sacral
 *     frame, canal and foramina. When the fine grid equals the coarse one (voxels ≥ 2.5 mm, the
 *     "thick-slice" mode) the whole coarse grid and its mask are kept.
 *
 * Frame: midline plane = left-right mirror symmetry of the bone (x shift only, no rotation);
 * long axis = the centres of the sacral bone run on the midline in each axial slice, tracked from the
 * caudal end upwards and smoothed by a cubic fit z → y; level centres at fixed fractions of its
 * length (S1–S5 mid-levels of a 102 mm sacrum).
 * Canal: per axial slice, the dark hole enclosed by the sacrum posterior to the body near the midline;
 * radius from the distance transform to bone (minus half a voxel). Thick slices: from the planes where it
 * is such a hole, followed caudally as the midline lumen between roof and body (trackCanalThick), radius
 * √(½ width × ½ depth) at half contrast, smoothed along the line.
 * Foramina: dark voxels inside the sacral envelope lateral to the canal (holes of the sacrum in
 * coronal slices, or voxels 80 HU darker than their 5 mm neighbourhood), grouped into components;
 * per component the antero-posterior line through most voxels (Hough), refined by distance-weighted
 * principal components; openings where the axis leaves the sacrum (bone all round in the plane
 * perpendicular to the axis counts as inside); rejected unless tube-like, antero-posterior and
 * bone-enclosed; levels S1–S4 by order along the long axis, paired left/right. A level side without a
 * tunnel is left out with a message; a foramen without a partner keeps a lower confidence.
 */
import type { ScalarVolume } from '../core/volume';
import { nowMs } from '../core/clock';
import type { Vec3 } from '../core/vec3';
import { labelComponents, squaredDistanceTo } from '../segmentation/morphology';
import { halfMaxForamenRadius } from './foramen-radius';
import { type WorkGrid, makeWorkGrid, resampleToWork, maskToVolume, sampleWork, volumeBoundsLps, workOffsetAt, workToLps } from './detect-grid';
import { type SacrumMaskOptions, segmentSacrumOnGrid, mirrorMidline, removeOpenLumen } from './sacrum-mask';
import { symmetricEigen3 } from './eigen3';
import { mirrorPlane } from './symmetry';

export { symmetricEigen3 };
import { type Canal, type Foramen, type ForamenId, type SacralAnatomy, type SacralFrame, type SacralLevel, type Side } from './types';

export interface DetectOptions {
  /** Bone threshold (HU). Default 120. */
  boneHu?: number;
  /** Lumen threshold for canal and foramina (HU). Default 100. */
  darkHu?: number;
  /** Fine working grid spacing (mm). Default: the volume's mean voxel size clamped to [1, 3]. */
  spacingMm?: number;
  /** Coarse grid spacing (mm). Default 3. */
  coarseSpacingMm?: number;
  /** Closing radius before hole filling on grids ≥ 2.5 mm (thin cortex not resolved). Default = spacing. */
  thickSliceClosingMm?: number;
  /** Erosion depth separating the sacrum core from the ilia and L5. Default max(1.5 × spacing, 3 mm). */
  coreErosionMm?: number;
  /** Thick-slice CT (voxels ≥ 2.5 mm): growth threshold (HU, default 80), closing (mm, default 9) and ilium marker distance from the midline (mm, default 85). */
  thickGrowHu?: number;
  thickGrowClosingMm?: number;
  thickLateralMarkerMm?: number;
}

export interface ForamenCandidate {
  side: Side;
  centerLps: Vec3;
  anteriorLps: Vec3;
  posteriorLps: Vec3;
  radiusMm: number;
  lengthMm: number;
  /** Arc length of the centre along the long axis (mm from its cranial end). */
  sMm: number;
  volumeMm3: number;
  elongation: number;
  enclosure: number;
  score: number;
  level?: SacralLevel;
  rejected?: string;
  /** Found where the sacrum is steeper than 45° (axial holes, tunnel extent from its own voxels). */
  steep?: boolean;
}

export interface DetectionDiagnostics {
  timingsMs: Record<string, number>;
  messages: string[];
  midlineXLps: number | null;
  workGrid: { dims: [number, number, number]; spacingMm: number; originLps: Vec3 } | null;
  candidates: ForamenCandidate[];
  /**
   * The mirror-symmetry plane of the sacrum with rotation (symmetry.ts): tilts about the AP and SI axes
   * (degrees) and the overlap of the mask with its mirror image. The frame's midline normal is this
   * plane's; the canal and foramina are still sought about the x-only midline (`midlineXLps`).
   */
  midlinePlane?: { normalLps: Vec3; pointLps: Vec3; aboutApDeg: number; aboutSiDeg: number; overlap: number };
}

export interface DetectionResult {
  anatomy: SacralAnatomy;
  /** 1 = sacrum bone incl. its cancellous interior, on the volume's own grid. */
  sacrumMask: Uint8Array;
  /** Not computed yet (skin/body surface). */
  bodyMask?: Uint8Array;
  diagnostics: DetectionDiagnostics;
}

const LEVELS: SacralLevel[] = ['S1', 'S2', 'S3', 'S4'];
/** Body-centre positions as fractions of the sacral length (S1..S5 mid-levels, from s ranges 0-28-52-72-88-102 mm). */
const BODY_FRACTIONS = [14 / 102, 40 / 102, 62 / 102, 80 / 102, 95 / 102];

const now = nowMs;

/** Holes of a mask within 2D slices perpendicular to `axis` (0 = x, 1 = y, 2 = z): background not 4-connected to the slice border. */
export function holes2d(mask: Uint8Array, dims: readonly [number, number, number], axis: 0 | 1 | 2): Uint8Array {
  const [na, nb] = dims;
  const strides = [1, na, na * nb];
  const axes = ([0, 1, 2] as const).filter((x) => x !== axis);
  const u = axes[0]!, v = axes[1]!;
  const nu = dims[u], nv = dims[v], su = strides[u]!, sv = strides[v]!, st = strides[axis]!;
  const out = new Uint8Array(mask.length);
  // each plane copied with a one-pixel wall (1) round it: 0 = background not reached, 1 = mask or
  // wall, 2 = reached from the plane's edge; the flood then needs no bounds checks
  const pu = nu + 2;
  const P = new Uint8Array(pu * (nv + 2));
  const queue = new Int32Array(nu * nv);
  for (let t = 0; t < dims[axis]; t++) {
    const base = t * st;
    P.fill(1);
    for (let y = 0; y < nv; y++) for (let x = 0, o = base + y * sv, q = 1 + pu * (y + 1); x < nu; x++, o += su, q++) P[q] = mask[o] ? 1 : 0;
    let head = 0, tail = 0;
    const seed = (x: number, y: number) => { const q = x + 1 + pu * (y + 1); if (P[q] === 0) { P[q] = 2; queue[tail++] = q; } };
    for (let x = 0; x < nu; x++) { seed(x, 0); seed(x, nv - 1); }
    for (let y = 0; y < nv; y++) { seed(0, y); seed(nu - 1, y); }
    while (head < tail) {
      const q = queue[head++]!;
      let m: number;
      if (P[m = q - 1] === 0) { P[m] = 2; queue[tail++] = m; }
      if (P[m = q + 1] === 0) { P[m] = 2; queue[tail++] = m; }
      if (P[m = q - pu] === 0) { P[m] = 2; queue[tail++] = m; }
      if (P[m = q + pu] === 0) { P[m] = 2; queue[tail++] = m; }
    }
    for (let y = 0; y < nv; y++) for (let x = 0, o = base + y * sv, q = 1 + pu * (y + 1); x < nu; x++, o += su, q++) if (P[q] === 0) out[o] = 1;
  }
  return out;
}

/**
 * Marks in `reached` (cleared first) the pixels of an nu × nv plane (u fastest) that are not `blocked`
 * and connect to the plane's border through unblocked 4-neighbours. `queue`: scratch of nu·nv.
 */
function floodFromBorder2d(blocked: Uint8Array, nu: number, nv: number, reached: Uint8Array, queue: Int32Array): void {
  reached.fill(0);
  let head = 0, tail = 0;
  const push = (k: number) => { if (!reached[k] && !blocked[k]) { reached[k] = 1; queue[tail++] = k; } };
  for (let iu = 0; iu < nu; iu++) { push(iu); push(iu + nu * (nv - 1)); }
  for (let iv = 0; iv < nv; iv++) { push(nu * iv); push(nu - 1 + nu * iv); }
  while (head < tail) {
    const k = queue[head++]!;
    const iu = k % nu, iv = (k / nu) | 0;
    if (iu > 0) push(k - 1);
    if (iu < nu - 1) push(k + 1);
    if (iv > 0) push(k - nu);
    if (iv < nv - 1) push(k + nu);
  }
}

/** Least-squares polynomial fit y = Σ p_k x^k (degree ≤ 3) with weights. */
function polyFit(xs: number[], ys: number[], deg: number): number[] {
  const m = deg + 1;
  const A = new Float64Array(m * m), r = new Float64Array(m);
  for (let n = 0; n < xs.length; n++) {
    const x = xs[n]!, y = ys[n]!;
    const pw: number[] = [1];
    for (let k = 1; k < 2 * m; k++) pw.push(pw[k - 1]! * x);
    for (let i = 0; i < m; i++) { r[i] = r[i]! + pw[i]! * y; for (let j = 0; j < m; j++) A[i * m + j] = A[i * m + j]! + pw[i + j]!; }
  }
  // Gaussian elimination
  for (let i = 0; i < m; i++) {
    let piv = i;
    for (let k = i + 1; k < m; k++) if (Math.abs(A[k * m + i]!) > Math.abs(A[piv * m + i]!)) piv = k;
    if (piv !== i) { for (let j = 0; j < m; j++) { const t = A[i * m + j]!; A[i * m + j] = A[piv * m + j]!; A[piv * m + j] = t; } const t = r[i]!; r[i] = r[piv]!; r[piv] = t; }
    const d = A[i * m + i]!;
    if (Math.abs(d) < 1e-12) continue;
    for (let k = i + 1; k < m; k++) {
      const f = A[k * m + i]! / d;
      for (let j = i; j < m; j++) A[k * m + j] = A[k * m + j]! - f * A[i * m + j]!;
      r[k] = r[k]! - f * r[i]!;
    }
  }
  const p = new Array<number>(m).fill(0);
  for (let i = m - 1; i >= 0; i--) {
    let s = r[i]!;
    for (let j = i + 1; j < m; j++) s -= A[i * m + j]! * p[j]!;
    const d = A[i * m + i]!;
    p[i] = Math.abs(d) < 1e-12 ? 0 : s / d;
  }
  return p;
}

function polyEval(p: number[], x: number): number {
  let y = 0;
  for (let k = p.length - 1; k >= 0; k--) y = y * x + p[k]!;
  return y;
}

/** Separable box mean of radius r voxels (edges clamped). */
export function boxMean(v: Float32Array, dims: readonly [number, number, number], r: number): Float32Array {
  const [na, nb, nc] = dims;
  const nab = na * nb;
  // divisor per position along an axis: the number of samples of the window inside the grid
  const counts = (len: number): Float64Array => Float64Array.from({ length: len }, (_, t) => Math.min(len - 1, t + r) - Math.max(0, t - r) + 1);
  // axis a: a sliding sum along each contiguous row
  const outA = new Float32Array(v.length);
  const ca = counts(na);
  for (let row = 0; row < nb * nc; row++) {
    const base = row * na;
    let sum = 0;
    for (let t = 0; t < Math.min(r, na); t++) sum += v[base + t]!;
    for (let t = 0; t < na; t++) {
      if (t + r < na) sum += v[base + t + r]!;
      if (t - r - 1 >= 0) sum -= v[base + t - r - 1]!;
      outA[base + t] = sum / ca[t]!;
    }
  }
  // axes b and c: the window slides over whole rows (b) or whole slices (c) at once, so that every
  // read is contiguous
  const slide = (src: Float32Array, dst: Float32Array, len: number, stride: number, width: number, outer: number, outerStride: number): void => {
    const acc = new Float64Array(width);
    const cl = counts(len);
    for (let u = 0; u < outer; u++) {
      const o0 = u * outerStride;
      acc.fill(0);
      for (let t = 0; t < Math.min(r, len); t++) for (let x = 0, o = o0 + t * stride; x < width; x++, o++) acc[x] = acc[x]! + src[o]!;
      for (let t = 0; t < len; t++) {
        if (t + r < len) for (let x = 0, o = o0 + (t + r) * stride; x < width; x++, o++) acc[x] = acc[x]! + src[o]!;
        if (t - r - 1 >= 0) for (let x = 0, o = o0 + (t - r - 1) * stride; x < width; x++, o++) acc[x] = acc[x]! - src[o]!;
        const inv = 1 / cl[t]!;
        for (let x = 0, o = o0 + t * stride; x < width; x++, o++) dst[o] = acc[x]! * inv;
      }
    }
  };
  const outB = new Float32Array(v.length);
  slide(outA, outB, nb, na, na, nc, nab);
  const outC = new Float32Array(v.length);
  slide(outB, outC, nc, nab, nab, 1, 0);
  return outC;
}

/**
 * Hough search for the line (direction within 50° of +y cranio-caudally — or of the direction tilted by `alphaCentreDeg`
 * about +x, the sacrum's local antero-posterior direction — and 20° laterally) that passes within about one bin of
 * the most points. Returns a point and unit direction (mm).
 */
export function houghLine(pts: readonly Vec3[], h: number, alphaCentreDeg = 0): { p: Vec3; d: Vec3 } {
  const bin = Math.max(1.5, h);
  let best = { score: -1, p: [0, 0, 0] as Vec3, d: [0, 1, 0] as Vec3 };
  // the cranio-caudal tilt range also covers ±50° about the local antero-posterior direction of the sacrum
  const a0 = Math.min(-50, 5 * Math.round(alphaCentreDeg / 5) - 50), a1 = Math.max(50, 5 * Math.round(alphaCentreDeg / 5) + 50);
  for (let alpha = a0; alpha <= a1; alpha += 5) for (let beta = -20; beta <= 20; beta += 5) {
    const al = (alpha * Math.PI) / 180, be = (beta * Math.PI) / 180;
    const d: Vec3 = [Math.sin(be), Math.cos(be) * Math.cos(al), Math.cos(be) * Math.sin(al)];
    // basis of the plane perpendicular to d
    const u: Vec3 = [Math.cos(be), -Math.sin(be) * Math.cos(al), -Math.sin(be) * Math.sin(al)];
    const w: Vec3 = [d[1] * u[2] - d[2] * u[1], d[2] * u[0] - d[0] * u[2], d[0] * u[1] - d[1] * u[0]];
    const counts = new Map<number, number>();
    for (const q of pts) {
      const iu = Math.round((q[0] * u[0] + q[1] * u[1] + q[2] * u[2]) / bin), iw = Math.round((q[0] * w[0] + q[1] * w[1] + q[2] * w[2]) / bin);
      const key = (iu + 4096) * 8192 + (iw + 4096);
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    for (const [key, cnt] of counts) {
      if (cnt <= best.score) continue;
      const iu = Math.floor(key / 8192) - 4096, iw = (key % 8192) - 4096;
      let sum = 0, su = 0, sw = 0;
      for (let du = -1; du <= 1; du++) for (let dw = -1; dw <= 1; dw++) {
        const c = counts.get((iu + du + 4096) * 8192 + (iw + dw + 4096)) ?? 0;
        sum += c; su += c * (iu + du); sw += c * (iw + dw);
      }
      {
        sum = Math.max(sum, 1);
        const score = cnt;
        const cu = (su / sum) * bin, cw = (sw / sum) * bin;
        best = { score, p: [u[0] * cu + w[0] * cw, u[1] * cu + w[1] * cw, u[2] * cu + w[2] * cw], d };
      }
    }
  }
  return { p: best.p, d: best.d };
}

/** Polyline with cumulative arc length; projection of a point onto it. */
class Polyline {
  readonly cum: number[] = [0];
  constructor(readonly pts: Vec3[]) {
    for (let n = 1; n < pts.length; n++) this.cum.push(this.cum[n - 1]! + dist(pts[n - 1]!, pts[n]!));
  }
  get length(): number { return this.cum[this.cum.length - 1]!; }
  /** Unit tangent at arc length s (from the points about `halfMm` either side). */
  tangent(s: number, halfMm = 3): Vec3 {
    const a = this.at(Math.max(0, s - halfMm)), b = this.at(Math.min(this.length, s + halfMm));
    return normalize3([b[0] - a[0], b[1] - a[1], b[2] - a[2]]);
  }
  /**
   * The local posterior direction at s: perpendicular to the tangent within the sagittal plane
   * (the curve runs cranial → caudal, so this is the tangent turned by 90° about +x, towards +y).
   */
  posterior(s: number): Vec3 {
    const t = this.tangent(s);
    const p = normalize3([0, -t[2], t[1]]);
    return p[1] < 0 ? [0, -p[1], -p[2]] : p;
  }
  at(s: number): Vec3 {
    const p = this.pts;
    if (p.length === 1 || s <= 0) return [...p[0]!] as Vec3;
    for (let n = 1; n < p.length; n++) {
      if (s <= this.cum[n]! || n === p.length - 1) {
        const L = this.cum[n]! - this.cum[n - 1]!;
        const t = L > 0 ? Math.min(1, (s - this.cum[n - 1]!) / L) : 0;
        const a = p[n - 1]!, b = p[n]!;
        return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];
      }
    }
    return [...p[p.length - 1]!] as Vec3;
  }
  /** Arc length of the closest point and the distance to it. */
  project(q: Readonly<Vec3>): { s: number; d: number } {
    let best = { s: 0, d: Infinity };
    const p = this.pts;
    for (let n = 1; n < p.length; n++) {
      const a = p[n - 1]!, b = p[n]!;
      const ab: Vec3 = [b[0] - a[0], b[1] - a[1], b[2] - a[2]];
      const L2 = ab[0] * ab[0] + ab[1] * ab[1] + ab[2] * ab[2];
      let t = L2 > 0 ? ((q[0] - a[0]) * ab[0] + (q[1] - a[1]) * ab[1] + (q[2] - a[2]) * ab[2]) / L2 : 0;
      t = Math.max(0, Math.min(1, t));
      const c: Vec3 = [a[0] + ab[0] * t, a[1] + ab[1] * t, a[2] + ab[2] * t];
      const d = dist(c, q);
      if (d < best.d) best = { s: this.cum[n - 1]! + t * Math.sqrt(L2), d };
    }
    return best;
  }
}

function cross3(a: Readonly<Vec3>, b: Readonly<Vec3>): Vec3 {
  return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
}

function normalize3(a: Readonly<Vec3>): Vec3 {
  const l = Math.hypot(a[0], a[1], a[2]) || 1;
  return [a[0] / l, a[1] / l, a[2] / l];
}

function dist(a: Readonly<Vec3>, b: Readonly<Vec3>): number {
  return Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
}

function emptyResult(volume: ScalarVolume, messages: string[], timingsMs: Record<string, number>): DetectionResult {
  return {
    anatomy: { foramina: [], canal: null, frame: null },
    sacrumMask: new Uint8Array(volume.geometry.voxelCount),
    diagnostics: { timingsMs, messages, midlineXLps: null, workGrid: null, candidates: [] },
  };
}

/**
 * Detects the sacrum mask, sacral frame, canal and foramina S1–S4 (left and right) in a CT volume (HU).
 * Nothing is invented: a landmark without image evidence is left out and a message says so.
 */
export function detectSacralAnatomy(volume: ScalarVolume, opts: DetectOptions = {}): DetectionResult {
  const T0 = now();
  const timingsMs: Record<string, number> = {};
  const messages: string[] = [];
  let t = now();
  const lap = (name: string) => { const n = now(); timingsMs[name] = Math.round((n - t) * 10) / 10; t = n; };
  const boneHu = opts.boneHu ?? 120;
  const darkHu = opts.darkHu ?? 100;
  if (volume.units !== 'HU') messages.push(`volume units are ${volume.units}, not HU: CT thresholds may not apply`);
  const geo = volume.geometry;
  const voxSize = Math.cbrt(geo.voxelVolumeMm3);
  const hf = opts.spacingMm ?? Math.min(3, Math.max(1, voxSize));

  const thickMode = voxSize >= 2.5;
  // ---- stage A: coarse localisation
  const bounds = volumeBoundsLps(volume);
  let hc = opts.coarseSpacingMm ?? Math.max(3, hf);
  const ext = [0, 1, 2].map((a) => bounds.max[a]! - bounds.min[a]!);
  while ((ext[0]! / hc + 1) * (ext[1]! / hc + 1) * (ext[2]! / hc + 1) > 4e6) hc *= 1.25;
  const gA = makeWorkGrid(bounds.min, bounds.max, hc);
  const sub = voxSize < hc / 1.5 ? 2 : 1;
  const wA = resampleToWork(volume, gA, -1024, sub);
  lap('coarseResample');
  const maskOpts = (hh: number): SacrumMaskOptions => ({
    boneHu, closingMm: hh >= 2.5 ? (opts.thickSliceClosingMm ?? hh) : 0, coreErosionMm: opts.coreErosionMm ?? Math.max(1.5 * hh, 3),
    minCoreMl: 5, fusedLateralMm: 62, sacrumMarkerMm: 30,
    ...(hh >= 2.5 && thickMode ? { thick: { growHu: opts.thickGrowHu ?? 80, growClosingMm: opts.thickGrowClosingMm ?? 9, lateralMarkerMm: opts.thickLateralMarkerMm ?? 85 } } : {}),
  });
  const segA = segmentSacrumOnGrid(wA, gA, maskOpts(hc));
  lap('coarseMask');
  if (!segA) return emptyResult(volume, [...messages, 'coarse stage: ' + 'no sacrum found'], timingsMs);
  messages.push(...segA.messages.map((m) => 'coarse: ' + m));
  // box of the sacrum: x within ±70 mm of the midline; y, z from its midline part
  const mA = segA.midlineA;
  const lo: Vec3 = [Infinity, Infinity, Infinity], hi: Vec3 = [-Infinity, -Infinity, -Infinity];
  {
    const [na, nb, nc] = gA.dims;
    for (let c = 0, n = 0; c < nc; c++) for (let b = 0; b < nb; b++) for (let a = 0; a < na; a++, n++) {
      if (!segA.mask[n]) continue;
      const dxMm = Math.abs(a - mA) * hc;
      if (dxMm > (thickMode ? (opts.thickLateralMarkerMm ?? 85) + 15 : 62)) continue;
      const p = workToLps(gA, a, b, c);
      lo[0] = Math.min(lo[0], p[0]); hi[0] = Math.max(hi[0], p[0]);
      if (dxMm <= 20) {
        lo[1] = Math.min(lo[1], p[1]); hi[1] = Math.max(hi[1], p[1]);
        lo[2] = Math.min(lo[2], p[2]); hi[2] = Math.max(hi[2], p[2]);
      }
    }
  }
  if (!Number.isFinite(lo[1])) return emptyResult(volume, [...messages, 'coarse stage: sacrum has no midline part'], timingsMs);
  const margin = [10, 15, 12];
  const minB: Vec3 = [0, 0, 0], maxB: Vec3 = [0, 0, 0];
  for (let a = 0; a < 3; a++) {
    // snap to the fine grid anchored at the volume bounds (exact copies for LPS-aligned data)
    const m0 = Math.max(bounds.min[a]!, lo[a]! - margin[a]!), m1 = Math.min(bounds.max[a]!, hi[a]! + margin[a]!);
    minB[a] = bounds.min[a]! + Math.floor((m0 - bounds.min[a]!) / hf + 1e-6) * hf;
    maxB[a] = m1;
  }

  // ---- stage B: fine grid
  // when the fine grid would be the coarse one (thick slices), keep the whole coarse grid and its result:
  // a crop would cut off the neighbouring bones that compete with the sacrum
  const same = Math.abs(hf - hc) < 1e-6 && sub === 1;
  const g = same ? gA : makeWorkGrid(minB, maxB, hf);
  const work = same ? wA : resampleToWork(volume, g, -1024, 1);
  lap('fineResample');
  const midFromA = (gA.originLps[0] + segA.midlineA * hc - g.originLps[0]) / hf;
  const seg = same ? segA : segmentSacrumOnGrid(work, g, { ...maskOpts(hf), anteriorLimitYLps: segA.anteriorLimitYLps, midlineA: midFromA }, timingsMs);
  lap('fineMask');
  if (!seg) return emptyResult(volume, [...messages, 'fine stage: no sacrum found'], timingsMs);
  if (!same) messages.push(...seg.messages); // same grid: already reported as the coarse stage
  // landmarks need the bone walls: on thick slices the grown mask had its tunnels closed over; the dark
  // lumen open to the outside (canal, foramina) has been removed from it again (sacrum-mask.ts), so the
  // mask itself is used (its intersection with the lightly closed bone is only the fragmented cortex of a
  // fatty sacrum, whose tunnels are then not enclosed).
  // Dense marrow (median of the mask ≥ 2 × darkHu: the lumen is dark against the marrow, not only against
  // the cortex): the dark voxels open to the outside through dark voxels (canal, foramina) are taken out of
  // the landmark mask at darkHu (the mask itself keeps them: the sacrum encloses its canal).
  let sacrum = seg.mask;
  if (thickMode) {
    const vals: number[] = [];
    for (let n = 0; n < sacrum.length; n++) if (sacrum[n]) vals.push(work[n]!);
    vals.sort((p, q) => p - q);
    if (vals.length && vals[vals.length >> 1]! >= 2 * darkHu) {
      sacrum = Uint8Array.from(seg.mask);
      const removed = removeOpenLumen(sacrum, work, g.dims, darkHu);
      messages.push(`dense marrow (median ${Math.round(vals[vals.length >> 1]!)} HU): ${removed} voxels of lumen open to the outside below ${darkHu} HU left out of the landmark search`);
    }
  }
  const [na, nb, nc] = g.dims;
  const nab = na * nb;
  const h = g.spacingMm;
  const midA = mirrorMidline(sacrum, g, 10, seg.midlineA);
  const x0 = g.originLps[0] + midA * h;
  // the midline plane may be tilted about the AP and SI axes (patient rotation, scoliosis)
  const plane = mirrorPlane(sacrum, g, { x0Lps: x0, maxTiltDeg: 15, maxPoints: 5000, enoughOverlap: 0.95 });
  if (plane && Math.max(Math.abs(plane.aboutApDeg), Math.abs(plane.aboutSiDeg)) >= 2) {
    messages.push(`midline plane tilted ${plane.aboutApDeg.toFixed(1)}° about the AP axis and ${plane.aboutSiDeg.toFixed(1)}° about the SI axis`);
  }
  lap('midline');

  // ---- long axis: body run centres on the midline
  const frame = detectFrame(seg.mask, g, midA, messages);
  lap('frame');

  // distance to bone (for lumen radii)
  const d2Bone = squaredDistanceTo(seg.bone, g.dims, [h, h, h], 1);
  lap('boneDistance');

  // ---- canal
  const canalRes = detectCanal(sacrum, work, g, midA, frame, d2Bone, darkHu, messages);
  lap('canal');

  // ---- foramina
  // thick slices (grid ≥ 2.5 mm): the tunnels are two or three voxels wide, sought in the AP view of the sacrum
  const { foramina, candidates } = h >= 2.5
    ? detectForaminaThick(sacrum, work, g, midA, frame, darkHu, messages)
    : detectForamina(sacrum, work, g, midA, frame, d2Bone, darkHu, canalRes.mask, messages);
  lap('foramina');

  const sacrumMask = maskToVolume(volume, g, seg.mask);
  lap('maskToVolume');
  timingsMs.total = Math.round((now() - T0) * 10) / 10;
  void nab; void nc; void nb;
  // Radii at half maximum between lumen and cortical rim (the lumen threshold reads them too small).
  for (const f of foramina) {
    const r = halfMaxForamenRadius(volume, f);
    if (r !== null && r > 0.8 && r < 2 * f.radiusMm + 3) f.radiusMm = Math.round(r * 10) / 10;
  }
  return {
    anatomy: { foramina, canal: canalRes.canal, frame: frame ? tiltFrame(frame.frame, plane) : null },
    sacrumMask,
    diagnostics: {
      timingsMs, messages, midlineXLps: x0, workGrid: { dims: g.dims, spacingMm: h, originLps: g.originLps }, candidates,
      ...(plane ? { midlinePlane: { normalLps: plane.normalLps, pointLps: plane.pointLps, aboutApDeg: plane.aboutApDeg, aboutSiDeg: plane.aboutSiDeg, overlap: plane.overlap } } : {}),
    },
  };
}

/** The frame with the midline normal of the symmetry plane and the body centres projected onto that plane. */
function tiltFrame(f: SacralFrame, plane: { normalLps: Vec3; pointLps: Vec3 } | null): SacralFrame {
  if (!plane) return f;
  const n = plane.normalLps, P = plane.pointLps;
  const onPlane = (p: Vec3): Vec3 => {
    const d = (p[0] - P[0]) * n[0] + (p[1] - P[1]) * n[1] + (p[2] - P[2]) * n[2];
    return [p[0] - d * n[0], p[1] - d * n[1], p[2] - d * n[2]];
  };
  const bodyCentersLps = f.bodyCentersLps.map(onPlane);
  return { midlinePointLps: bodyCentersLps[0]!, midlineNormalLps: [n[0], n[1], n[2]], bodyCentersLps };
}

interface FrameResult {
  frame: SacralFrame;
  /** Body centre curve cranial → caudal (LPS). */
  curve: Polyline;
  /** y (working index b) of the body centre curve per slice c, NaN outside. */
  bodyB: Float64Array;
}

function detectFrame(sacrum: Uint8Array, g: WorkGrid, midA: number, messages: string[]): FrameResult | null {
  const [na, nb, nc] = g.dims;
  const h = g.spacingMm;
  const a0 = Math.round(midA);
  const minRun = Math.max(2, Math.round(4 / h));
  // runs of sacral bone along y on the midline strip (≥ 2 of the 3 central columns), per axial slice
  const runsOf = (c: number): [number, number][] => {
    const runs: [number, number][] = [];
    let start = -1;
    for (let b = 0; b <= nb; b++) {
      let on = 0;
      if (b < nb) for (let da = -1; da <= 1; da++) { const a = a0 + da; if (a >= 0 && a < na && sacrum[a + na * (b + nb * c)]) on++; }
      if (on >= 2) { if (start < 0) start = b; }
      else if (start >= 0) { if (b - start >= minRun) runs.push([start, b - 1]); start = -1; }
    }
    return runs;
  };
  // track the body from the caudal end upwards: on the midline the body is the most anterior run of
  // the sacrum at every level (the pubis is not in the mask); where the canal is closed over, the run
  // takes in the posterior arch too, so its centre is taken within `maxDepthMm` of its anterior edge.
  // Above the S1 body only the posterior arch is left: a most-anterior run whose anterior edge jumps
  // back by more than `maxBackMm` is not the body (the kyphotic curve moves the body forwards going up).
  const maxDepthMm = 36, maxBackMm = 9;
  const zs: number[] = [], ys: number[] = [];
  let cStart = -1;
  for (let c = 0; c < nc && cStart < 0; c++) if (runsOf(c).length > 0) cStart = c;
  if (cStart >= 0) {
    let misses = 0, front = NaN;
    for (let c = cStart; c < nc && misses < Math.max(3, Math.round(6 / h)); c++) {
      const runs = runsOf(c);
      if (runs.length === 0) { misses++; continue; }
      const r = runs[0]!;
      if (!Number.isNaN(front) && (r[0] - front) * h > maxBackMm) { misses++; continue; }
      misses = 0;
      front = r[0];
      zs.push(c); ys.push((r[0] + Math.min(r[1], r[0] + maxDepthMm / h)) / 2);
    }
  }
  if (zs.length < 5) { messages.push('sacral long axis: too few midline body sections'); return null; }
  // robust cubic fit with outlier rejection
  let xs = zs.slice(), yv = ys.slice();
  let p = polyFit(xs, yv, Math.min(3, xs.length - 2));
  for (let it = 0; it < 3; it++) {
    const keepX: number[] = [], keepY: number[] = [];
    for (let n = 0; n < xs.length; n++) if (Math.abs(polyEval(p, xs[n]!) - yv[n]!) * h <= 6) { keepX.push(xs[n]!); keepY.push(yv[n]!); }
    if (keepX.length < 5 || keepX.length === xs.length) break;
    xs = keepX; yv = keepY;
    p = polyFit(xs, yv, 3);
  }
  const cTop = Math.max(...xs), cBot = Math.min(...xs);
  const bodyB = new Float64Array(nc).fill(NaN);
  const pts: Vec3[] = [];
  for (let c = cTop; c >= cBot; c--) {
    const b = polyEval(p, c);
    bodyB[c] = b;
    pts.push(workToLps(g, midA, b, c));
  }
  const curve = new Polyline(pts);
  const bodyCentersLps = BODY_FRACTIONS.map((f) => curve.at(f * curve.length));
  const x0 = g.originLps[0] + midA * h;
  return { frame: { midlinePointLps: [x0, bodyCentersLps[0]![1], bodyCentersLps[0]![2]], midlineNormalLps: [1, 0, 0], bodyCentersLps }, curve, bodyB };
}

function detectCanal(
  sacrum: Uint8Array, work: Float32Array, g: WorkGrid, midA: number, frame: FrameResult | null,
  d2Bone: Float64Array, darkHu: number, messages: string[],
): { canal: Canal | null; mask: Uint8Array } {
  const [na, nb, nc] = g.dims;
  const h = g.spacingMm;
  const mask = new Uint8Array(sacrum.length);
  if (!frame) { messages.push('canal: no long axis, canal not searched'); return { canal: null, mask }; }
  const holes = holes2d(sacrum, g.dims, 2);
  const halfStrip = Math.round(20 / h);
  const pts: Vec3[] = [], radii: number[] = [];
  const seen = new Uint8Array(na * nb);
  const queue = new Int32Array(na * nb);
  let found = 0, searched = 0;
  for (let c = nc - 1; c >= 0; c--) {
    const bb = frame.bodyB[c]!;
    if (Number.isNaN(bb)) continue;
    searched++;
    seen.fill(0);
    let best: { n: number; sa: number; sb: number; rMax: number; members: number[] } | null = null;
    const aLo = Math.max(0, Math.round(midA) - halfStrip), aHi = Math.min(na - 1, Math.round(midA) + halfStrip);
    for (let b = Math.max(0, Math.ceil(bb)); b < nb; b++) for (let a = aLo; a <= aHi; a++) {
      const p = a + na * b;
      const o = p + na * nb * c;
      if (seen[p] || !holes[o] || work[o]! >= darkHu) continue;
      // flood this 2D component (restricted to the strip, posterior to the body centre)
      let head = 0, tail = 0;
      seen[p] = 1; queue[tail++] = p;
      let sa = 0, sb = 0, rMax = 0;
      const members: number[] = [];
      while (head < tail) {
        const q = queue[head++]!;
        const qa = q % na, qb = (q / na) | 0;
        const qo = q + na * nb * c;
        sa += qa; sb += qb; members.push(qo);
        rMax = Math.max(rMax, d2Bone[qo]!);
        const nbrs = [[qa - 1, qb], [qa + 1, qb], [qa, qb - 1], [qa, qb + 1]] as const;
        for (const [xa, xb] of nbrs) {
          if (xa < aLo || xa > aHi || xb < bb || xb >= nb) continue;
          const r = xa + na * xb;
          const ro = r + na * nb * c;
          if (seen[r] || !holes[ro] || work[ro]! >= darkHu) continue;
          seen[r] = 1; queue[tail++] = r;
        }
      }
      const n = tail;
      const ca = sa / n;
      if (Math.abs(ca - midA) * h > 6 || n * h * h < 12) continue;
      if (!best || n > best.n) best = { n, sa, sb, rMax, members };
    }
    if (!best) continue;
    found++;
    for (const o of best.members) mask[o] = 1;
    pts.push(workToLps(g, best.sa / best.n, best.sb / best.n, c));
    radii.push(Math.max(1, Math.sqrt(best.rMax) - h / 2));
  }
  let thickConfidence = NaN;
  if (h >= 2.5) {
    // thick slices: the canal is a hole of the sacrum only where its roof is thick enough (upper levels);
    // followed from there down the midline lumen between roof and body (trackCanalThick)
    const perpMask = new Uint8Array(sacrum.length);
    const perp = canalInPerpendicularPlanes(sacrum, work, g, midA, frame, d2Bone, darkHu, perpMask);
    const tr = trackCanalThick(sacrum, work, g, midA, frame, darkHu, perp);
    if (tr) {
      mask.set(perpMask);
      const planes = Math.floor(frame.curve.length / h) + 1;
      messages.push(`canal: thick slices: a hole of the sacrum in ${tr.holes} and a lumen between roof and body in ${tr.lumen} of ${planes} planes perpendicular to the long axis (${found} of ${searched} axial slices with a hole)`);
      pts.length = 0; radii.length = 0;
      pts.push(...tr.pts); radii.push(...tr.radii);
      // a lumen seen only as darker than its walls counts for less than a hole enclosed by bone
      thickConfidence = (tr.holes + 0.7 * tr.lumen) / (0.7 * planes);
      found = searched; // the axial/perpendicular choice below is not needed
    }
  }
  if (found < 0.5 * searched) {
    // a steep (near-horizontal) upper sacrum cuts the canal obliquely in axial slices: search the planes
    // perpendicular to the long axis too, and keep whichever finds the canal in more sections
    const perpMask = new Uint8Array(sacrum.length);
    const perp = canalInPerpendicularPlanes(sacrum, work, g, midA, frame, d2Bone, darkHu, perpMask);
    if (perp.pts.length >= 3 && perp.found / perp.searched > found / Math.max(1, searched)) {
      mask.set(perpMask);
      messages.push(`canal: enclosed in ${found} of ${searched} axial slices, in ${perp.found} of ${perp.searched} planes perpendicular to the long axis: the latter kept`);
      pts.length = 0; radii.length = 0;
      pts.push(...perp.pts); radii.push(...perp.radii);
      found = perp.found; searched = perp.searched;
    }
  }
  if (pts.length < 3) { messages.push('canal: no enclosed canal found posterior to the sacral bodies'); return { canal: null, mask }; }
  // smooth (3-point moving average) and resample about every 5 mm
  const sm: Vec3[] = pts.map((_, n) => {
    const lo = Math.max(0, n - 1), hi = Math.min(pts.length - 1, n + 1);
    const acc: Vec3 = [0, 0, 0];
    for (let m = lo; m <= hi; m++) for (let a = 0; a < 3; a++) acc[a] = acc[a]! + pts[m]![a]!;
    return acc.map((v) => v / (hi - lo + 1)) as Vec3;
  });
  const step = Math.max(1, Math.round(5 / h));
  const centerlineLps: Vec3[] = [], radiusMm: number[] = [];
  for (let n = 0; n < sm.length; n += step) { centerlineLps.push(sm[n]!); radiusMm.push(Math.round(radii[n]! * 10) / 10); }
  if ((sm.length - 1) % step !== 0) { centerlineLps.push(sm[sm.length - 1]!); radiusMm.push(Math.round(radii[radii.length - 1]! * 10) / 10); }
  const confidence = Math.min(1, Number.isNaN(thickConfidence) ? found / Math.max(1, searched * 0.7) : thickConfidence);
  return { canal: { centerlineLps, radiusMm, confidence: Math.round(confidence * 100) / 100, source: 'auto' }, mask };
}

/**
 * Canal search in planes perpendicular to the sacral long axis, every ~h mm of arc length: in each plane
 * (axes: +x, and the local posterior direction), the dark (< darkHu) pixels posterior to the body centre
 * that are enclosed by the sacrum within the plane (a 2D hole); the largest component whose centre is
 * within 6 mm of the midline and whose area is ≥ 12 mm² is the canal there. Marks the canal voxels in `mask`.
 */
function canalInPerpendicularPlanes(
  sacrum: Uint8Array, work: Float32Array, g: WorkGrid, midA: number, frame: FrameResult,
  d2Bone: Float64Array, darkHu: number, mask: Uint8Array,
): { pts: Vec3[]; radii: number[]; found: number; searched: number; sArc: number[]; uv: [number, number][] } {
  const h = g.spacingMm;
  const step = Math.min(1, h);
  const x0 = g.originLps[0] + midA * h;
  const uMax = 22, vMin = -5, vMax = 45;
  const nu = Math.round((2 * uMax) / step) + 1, nv = Math.round((vMax - vMin) / step) + 1;
  const inS = new Uint8Array(nu * nv), vox = new Int32Array(nu * nv), seen = new Uint8Array(nu * nv);
  const queue = new Int32Array(nu * nv);
  const pts: Vec3[] = [], radii: number[] = [], sFound: number[] = [], uv: [number, number][] = [];
  let found = 0, searched = 0;
  const curve = frame.curve;
  for (let sArc = 0; sArc <= curve.length; sArc += h) {
    searched++;
    const c0 = curve.at(sArc);
    c0[0] = x0;
    const ep = curve.posterior(sArc);
    for (let iv = 0; iv < nv; iv++) for (let iu = 0; iu < nu; iu++) {
      const u = -uMax + iu * step, v = vMin + iv * step;
      const q: Vec3 = [c0[0] + u, c0[1] + v * ep[1], c0[2] + v * ep[2]];
      const k = iu + nu * iv;
      const o = workOffsetAt(g, q[0], q[1], q[2]);
      vox[k] = o; inS[k] = o < 0 ? 0 : sacrum[o]!;
    }
    // background connected to the plane border
    floodFromBorder2d(inS, nu, nv, seen, queue);
    // enclosed dark components posterior to the body centre
    let best: { n: number; su: number; sv: number; r2: number; members: number[] } | null = null;
    const comp = new Uint8Array(nu * nv);
    for (let k0 = 0; k0 < nu * nv; k0++) {
      const ok = (k: number) => !seen[k] && !inS[k] && !comp[k] && vox[k]! >= 0 && work[vox[k]!]! < darkHu && (k / nu | 0) * step + vMin > 0;
      if (!ok(k0)) continue;
      let head = 0, tail = 0;
      comp[k0] = 1; queue[tail++] = k0;
      let su = 0, sv = 0, r2 = 0;
      const members: number[] = [];
      while (head < tail) {
        const k = queue[head++]!;
        const iu = k % nu, iv = (k / nu) | 0;
        su += -uMax + iu * step; sv += vMin + iv * step;
        members.push(vox[k]!);
        r2 = Math.max(r2, d2Bone[vox[k]!]!);
        const nbrs = [iu > 0 ? k - 1 : -1, iu < nu - 1 ? k + 1 : -1, iv > 0 ? k - nu : -1, iv < nv - 1 ? k + nu : -1];
        for (const m of nbrs) if (m >= 0 && ok(m)) { comp[m] = 1; queue[tail++] = m; }
      }
      const n = tail;
      if (Math.abs(su / n) > 6 || n * step * step < 12) continue;
      if (!best || n > best.n) best = { n, su, sv, r2, members };
    }
    if (!best) continue;
    found++;
    for (const o of best.members) mask[o] = 1;
    const u = best.su / best.n, v = best.sv / best.n;
    pts.push([c0[0] + u, c0[1] + v * ep[1], c0[2] + v * ep[2]]);
    radii.push(Math.max(1, Math.sqrt(best.r2) - h / 2));
    sFound.push(sArc); uv.push([u, v]);
  }
  return { pts, radii, found, searched, sArc: sFound, uv };
}

/** The canal's cross-section in one plane across the sacrum (canalSection). */
export interface CanalSection {
  /** Centre (plane pixels, fractional): lateral u and posterior v. */
  u: number;
  v: number;
  /** Left-right width and antero-posterior depth of the dark lumen at half contrast (mm). */
  widthMm: number;
  depthMm: number;
  /** HU at the darkest midline point and its contrast against the weaker of the two antero-posterior walls. */
  value: number;
  contrast: number;
}

/**
 * The sacral canal in one plane across the sacrum where thick slices blur its walls (the roof is a voxel
 * or two of partial-volume bone, the canal is not a hole of the mask): the darkest point of the midline
 * antero-posterior profile (mean over ±`halfBandMm` left-right) within `searchMm` of the predicted
 * position `vPred`, inside the sacral envelope (`inside`), at most `maxValue`, and darker by at least
 * `minContrast` than the brightest point within `wallMm` on BOTH sides along the profile (roof behind,
 * body in front: a lumen between two bone walls, not the fat in front of or behind the sacrum). Its extent
 * is taken at half contrast: antero-posteriorly along the midline profile, left-right along the row
 * through its centre (walls = the brightest points within `wallMm` either side; a side without a
 * crossing ends at `wallMm`). Values are row-major `values[iu + nu * iv]` (NaN outside the volume);
 * u is lateral (midline column `iu0`), v posterior, both sampled every `stepMm`.
 */
export function canalSection(
  values: Float32Array, inside: Uint8Array, nu: number, nv: number, stepMm: number, iu0: number, vPred: number,
  opts: { searchMm: number; wallMm: number; maxValue: number; minContrast: number; halfBandMm: number },
): CanalSection | null {
  const band = Math.max(0, Math.round(opts.halfBandMm / stepMm));
  const at = (iu: number, iv: number): number => (iu < 0 || iv < 0 || iu >= nu || iv >= nv ? NaN : values[iu + nu * iv]!);
  const mean = (iu: number, iv: number, alongU: boolean): number => {
    let s = 0, n = 0;
    for (let d = -band; d <= band; d++) { const x = alongU ? at(iu, iv + d) : at(iu + d, iv); if (!Number.isNaN(x)) { s += x; n++; } }
    return n ? s / n : NaN;
  };
  const P = new Float64Array(nv);
  for (let iv = 0; iv < nv; iv++) P[iv] = mean(iu0, iv, false);
  const search = Math.round(opts.searchMm / stepMm), wall = Math.round(opts.wallMm / stepMm);
  let ivMin = -1;
  for (let iv = Math.max(0, Math.round(vPred) - search); iv <= Math.min(nv - 1, Math.round(vPred) + search); iv++) {
    if (!inside[iu0 + nu * iv] || !(P[iv]! <= opts.maxValue)) continue;
    if (ivMin < 0 || P[iv]! < P[ivMin]!) ivMin = iv;
  }
  if (ivMin < 0) return null;
  const v0 = P[ivMin]!;
  let wallPost = -Infinity, wallAnt = -Infinity;
  for (let d = 1; d <= wall; d++) {
    if (ivMin + d < nv && P[ivMin + d]! > wallPost) wallPost = P[ivMin + d]!;
    if (ivMin - d >= 0 && P[ivMin - d]! > wallAnt) wallAnt = P[ivMin - d]!;
  }
  const contrast = Math.min(wallPost, wallAnt) - v0;
  if (!(contrast >= opts.minContrast)) return null;
  // half-contrast extent along a profile from its darkest sample, with the crossing interpolated
  const extent = (f: (k: number) => number, k0: number, thr: number, dir: 1 | -1): number => {
    let prev = f(k0);
    for (let d = 1; d <= wall; d++) {
      const x = f(k0 + dir * d);
      if (Number.isNaN(x)) return d - 0.5;
      if (x >= thr) return d - 1 + (thr - prev) / Math.max(1e-6, x - prev);
      prev = x;
    }
    return wall;
  };
  const thrV = v0 + contrast / 2;
  const fV = (k: number) => (k < 0 || k >= nv ? NaN : P[k]!);
  const back = extent(fV, ivMin, thrV, 1), front = extent(fV, ivMin, thrV, -1);
  const v = ivMin + (back - front) / 2;
  // left-right row through the centre
  const ivc = Math.round(v);
  const fU = (k: number) => mean(k, ivc, true);
  const l0 = fU(iu0);
  let wallL = -Infinity, wallR = -Infinity;
  for (let d = 1; d <= wall; d++) {
    const a = fU(iu0 - d), b = fU(iu0 + d);
    if (a > wallL) wallL = a;
    if (b > wallR) wallR = b;
  }
  const thrU = l0 + Math.max(opts.minContrast, Math.min(wallL, wallR) - l0) / 2;
  const right = extent(fU, iu0, thrU, 1), left = extent(fU, iu0, thrU, -1);
  return {
    u: iu0 + (right - left) / 2, v, widthMm: (right + left) * stepMm, depthMm: (back + front) * stepMm, value: v0, contrast,
  };
}

/**
 * Thick-slice canal (grid ≥ 2.5 mm): followed caudally in the planes perpendicular to the long axis
 * (every h mm of arc length, sampled every 1 mm by trilinear interpolation), from the planes where it is
 * a hole of the sacrum (`perp`, canalInPerpendicularPlanes) on: in a plane with such a hole the section
 * is measured about it; in the others it is the midline lumen between roof and body (canalSection)
 * within 4 mm of its position in the plane before. Stops after two planes in a row without either (the
 * hiatus, where the roof ends, or the end of the sacrum). Radius per plane: √(½ width × ½ depth), the
 * depth at most the width (the canal is flattened antero-posteriorly), then a running median and mean
 * over three planes.
 */
function trackCanalThick(
  sacrum: Uint8Array, work: Float32Array, g: WorkGrid, midA: number, frame: FrameResult, darkHu: number,
  perp: { sArc: number[]; uv: [number, number][]; radii: number[] },
): { pts: Vec3[]; radii: number[]; holes: number; lumen: number; planes: number } | null {
  if (perp.sArc.length < 3) return null;
  const h = g.spacingMm;
  const x0 = g.originLps[0] + midA * h;
  const step = 1, uMax = 22, vMin = -20, vMax = 45;
  const nu = Math.round((2 * uMax) / step) + 1, nv = Math.round((vMax - vMin) / step) + 1;
  const iu0 = Math.round(uMax / step);
  const values = new Float32Array(nu * nv), inS = new Uint8Array(nu * nv), inside = new Uint8Array(nu * nv);
  const queue = new Int32Array(nu * nv);
  const curve = frame.curve;
  const sectOpts = { searchMm: 4, wallMm: 15, maxValue: darkHu, minContrast: 60, halfBandMm: 3 };
  const pts: Vec3[] = [], rad: number[] = [];
  let holes = 0, lumen = 0, misses = 0, vPrev = NaN;
  const sLast = perp.sArc[perp.sArc.length - 1]!;
  let planes = 0;
  for (let sArc = perp.sArc[0]!; sArc <= curve.length + 1e-6; sArc += h) {
    planes++;
    const c0 = curve.at(sArc);
    c0[0] = x0;
    const ep = curve.posterior(sArc);
    const toLps = (u: number, v: number): Vec3 => [c0[0] + u, c0[1] + v * ep[1], c0[2] + v * ep[2]];
    for (let iv = 0; iv < nv; iv++) for (let iu = 0; iu < nu; iu++) {
      const q = toLps(-uMax + iu * step, vMin + iv * step);
      const k = iu + nu * iv;
      values[k] = sampleWork(work, g, q[0], q[1], q[2], 'nan');
      const n = workOffsetAt(g, q[0], q[1], q[2]);
      inS[k] = n < 0 ? 0 : sacrum[n]!;
    }
    // sacral envelope in the plane: the sacrum and its holes (background not reached from the border)
    floodFromBorder2d(inS, nu, nv, inside, queue);
    for (let k = 0; k < inside.length; k++) inside[k] = inside[k] ? 0 : 1;
    const hole = perp.sArc.findIndex((x) => Math.abs(x - sArc) < h / 2);
    const vPred = hole >= 0 ? perp.uv[hole]![1] : vPrev;
    if (Number.isNaN(vPred)) continue;
    const sec = canalSection(values, inside, nu, nv, step, iu0, (vPred - vMin) / step, hole >= 0 ? { ...sectOpts, searchMm: 2 * step, minContrast: 0 } : sectOpts);
    let u: number, v: number, r: number;
    if (sec && Math.abs(-uMax + sec.u * step) <= 6) {
      u = -uMax + sec.u * step; v = vMin + sec.v * step;
      r = Math.sqrt((sec.widthMm / 2) * (Math.min(sec.depthMm, sec.widthMm) / 2));
      if (hole >= 0) { u = perp.uv[hole]![0]; v = perp.uv[hole]![1]; }
    } else if (hole >= 0) {
      [u, v] = perp.uv[hole]!; r = perp.radii[hole]!;
    } else {
      if (sArc > sLast && ++misses >= 2) break;
      continue;
    }
    if (hole >= 0) holes++; else lumen++;
    misses = 0;
    vPrev = v;
    pts.push(toLps(u, v)); rad.push(r);
  }
  if (pts.length < 3) return null;
  // radii: running median, then mean, over three planes
  const med = rad.map((_, n) => { const w = rad.slice(Math.max(0, n - 1), n + 2).sort((p, q) => p - q); return w[(w.length - 1) >> 1]!; });
  const radii = med.map((_, n) => { const w = med.slice(Math.max(0, n - 1), n + 2); return Math.max(1, w.reduce((p, q) => p + q, 0) / w.length); });
  return { pts, radii, holes, lumen, planes };
}

/**
 * Foramen lumen candidates (fine grids): the sacral envelope (sacrum or its holes); candidate voxels in
 * it, 9 mm or more from the midline and outside the canal, that are dark holes or at least 80 HU darker
 * than their 5 mm neighbourhood (a lumen is darker than the bone around it even where partial volume
 * lifts it above darkHu) with the envelope 2 voxels deep all round; and the candidates bridged over
 * one-voxel breaks (thick-slice partial volume fragments thin tunnels). A function of its own so that
 * its whole-grid loops are compiled as such.
 */
function lumenCandidates(
  sacrum: Uint8Array, holes: Uint8Array, work: Float32Array, canalMask: Uint8Array, dims: readonly [number, number, number], h: number, midA: number, darkHu: number,
): { envelope: Uint8Array; cand: Uint8Array; bridged: Uint8Array } {
  const [na, nb, nc] = dims;
  const nab = na * nb, N = na * nb * nc;
  const cand = new Uint8Array(N);
  const envelope = new Uint8Array(N);
  const minDx = 9 / h;
  const mean = boxMean(work, dims, Math.max(1, Math.round(2.5 / h)));
  for (let n = 0; n < N; n++) envelope[n] = sacrum[n] || holes[n] ? 1 : 0;
  const deep = (n: number, a: number, b: number, c: number): boolean => {
    for (let r = 1; r <= 2; r++) {
      if (a - r < 0 || b - r < 0 || c - r < 0 || a + r >= na || b + r >= nb || c + r >= nc) return false;
      if (!envelope[n - r] || !envelope[n + r] || !envelope[n - r * na] || !envelope[n + r * na] || !envelope[n - r * nab] || !envelope[n + r * nab]) return false;
    }
    return true;
  };
  for (let c = 0, n = 0; c < nc; c++) for (let b = 0; b < nb; b++) for (let a = 0; a < na; a++, n++) {
    if (!envelope[n] || canalMask[n] || Math.abs(a - midA) < minDx) continue;
    const v = work[n]!;
    if ((holes[n] && v < darkHu) || (v < darkHu + 70 && v < mean[n]! - 80 && deep(n, a, b, c))) cand[n] = 1;
  }
  const bridged = new Uint8Array(N);
  for (let c = 0, n = 0; c < nc; c++) for (let b = 0; b < nb; b++) for (let a = 0; a < na; a++, n++) {
    if (cand[n]) { bridged[n] = 1; continue; }
    if (!envelope[n]) continue;
    let k = 0;
    if (a > 0 && cand[n - 1]) k++;
    if (a < na - 1 && cand[n + 1]) k++;
    if (b > 0 && cand[n - na]) k++;
    if (b < nb - 1 && cand[n + na]) k++;
    if (c > 0 && cand[n - nab]) k++;
    if (c < nc - 1 && cand[n + nab]) k++;
    if (k >= 2) bridged[n] = 1;
  }
  return { envelope, cand, bridged };
}

function detectForamina(
  sacrum: Uint8Array, work: Float32Array, g: WorkGrid, midA: number, frame: FrameResult | null,
  d2Bone: Float64Array, darkHu: number, canalMask: Uint8Array, messages: string[],
): { foramina: Foramen[]; candidates: ForamenCandidate[] } {
  const [na, nb, nc] = g.dims;
  const nab = na * nb;
  const h = g.spacingMm;
  const N = sacrum.length;
  if (!frame) { messages.push('foramina: no long axis, foramina not searched'); return { foramina: [], candidates: [] }; }
  // tunnels show as holes in the planes across them: coronal planes where the sacrum's local
  // antero-posterior direction is nearer y, axial planes where it is nearer z (a steep upper sacrum)
  const holes = holes2d(sacrum, g.dims, 1);
  const steep = new Uint8Array(nc);
  {
    const z0 = g.originLps[2];
    for (let c = 0; c < nc; c++) {
      const z = z0 + c * h;
      // the curve point nearest this axial level
      let bestS = 0, bestD = Infinity;
      for (let t = 0; t < frame.curve.pts.length; t++) { const d = Math.abs(frame.curve.pts[t]![2] - z); if (d < bestD) { bestD = d; bestS = frame.curve.cum[t]!; } }
      if (bestD > 2 * h) continue; // above or below the long axis
      const ap = frame.curve.posterior(bestS);
      steep[c] = Math.abs(ap[2]) > Math.abs(ap[1]) ? 1 : 0;
    }
  }
  if (steep.some((v) => v === 1)) {
    const holesAxial = holes2d(sacrum, g.dims, 2);
    let nSteep = 0;
    for (let c = 0; c < nc; c++) {
      if (!steep[c]) continue;
      nSteep++;
      holes.set(holesAxial.subarray(c * nab, (c + 1) * nab), c * nab);
    }
    messages.push(`foramina: the sacrum is steeper than 45° on ${nSteep} axial levels; tunnels sought as holes in axial planes there`);
  }
  const { envelope, cand, bridged } = lumenCandidates(sacrum, holes, work, canalMask, g.dims, h, midA, darkHu);
  const { ids: idsB } = labelComponents(bridged, g.dims, 26);
  const sizes: number[] = [];
  const ids = new Int32Array(N);
  for (let n = 0; n < N; n++) if (cand[n]) { const id = idsB[n]!; ids[n] = id; sizes[id] = (sizes[id] ?? 0) + 1; }
  const minVox = 20 / (h * h * h);
  const x0 = g.originLps[0] + midA * h;
  const candidates: ForamenCandidate[] = [];
  // gather voxel lists of large-enough components
  const lists = new Map<number, number[]>();
  for (let n = 0; n < N; n++) {
    const id = ids[n]!;
    if (!id || (sizes[id] ?? 0) < minVox) continue;
    let l = lists.get(id);
    if (!l) { l = []; lists.set(id, l); }
    l.push(n);
  }
  const inEnv = (p: Vec3): boolean => {
    const o = workOffsetAt(g, p[0], p[1], p[2]);
    return o >= 0 && envelope[o] === 1;
  };
  const inSacrum = (p: Vec3): boolean => {
    const o = workOffsetAt(g, p[0], p[1], p[2]);
    return o >= 0 && sacrum[o] === 1;
  };
  const inHole = (p: Vec3): boolean => {
    const o = workOffsetAt(g, p[0], p[1], p[2]);
    return o >= 0 && (cand[o] === 1 || holes[o] === 1);
  };
  const d2Near = (p: Vec3, r: number): number => {
    const a0 = Math.round((p[0] - g.originLps[0]) / h), b0 = Math.round((p[1] - g.originLps[1]) / h), c0 = Math.round((p[2] - g.originLps[2]) / h);
    let best = 0;
    for (let dc = -r; dc <= r; dc++) for (let db = -r; db <= r; db++) for (let da = -r; da <= r; da++) {
      const a = a0 + da, b = b0 + db, c = c0 + dc;
      if (a < 0 || b < 0 || c < 0 || a >= na || b >= nb || c >= nc) continue;
      best = Math.max(best, d2Bone[a + na * (b + nb * c)]!);
    }
    return best;
  };
  // a component may hold several tunnels (foramina of two levels joined through the canal's lateral
  // recess, seen where the sacrum is steep): the voxels far from the first line are searched again, up to three times
  const queue: { all: number[]; depth: number }[] = [...lists.values()].map((all) => ({ all, depth: 0 }));
  for (let qi = 0; qi < queue.length; qi++) {
    const { all, depth } = queue[qi]!;
    if (all.length * h * h * h < 50) continue; // too small for a foramen
    // robust axis: the antero-posterior line that gathers most voxels (Hough over directions),
    // so that a lesion merged with the tunnel does not tilt it
    const pos = all.map((n) => { const c = (n / nab) | 0, r = n - c * nab, b = (r / na) | 0, a = r - b * na; return [a * h, b * h, c * h] as Vec3; });
    // the Hough vote needs no more than ~1000 points (even subsample of a large component)
    const every = Math.max(1, Math.floor(pos.length / 1000));
    // the local antero-posterior direction of the sacrum at the component (the upper sacrum may be steep)
    const mean: Vec3 = [0, 0, 0];
    for (const q of pos) { mean[0] += q[0]; mean[1] += q[1]; mean[2] += q[2]; }
    const sLocal = frame.curve.project([g.originLps[0] + mean[0] / pos.length, g.originLps[1] + mean[1] / pos.length, g.originLps[2] + mean[2] / pos.length]).s;
    const apLocal = frame.curve.posterior(sLocal);
    // where the sacrum is steep (local AP nearer z than y) the Hough directions are also sought about the
    // local AP, and a component may hold several tunnels; elsewhere the search is the plain one
    const steepHere = Math.abs(apLocal[2]) > Math.abs(apLocal[1]);
    const alphaLocalDeg = steepHere ? (Math.atan2(apLocal[2], apLocal[1]) * 180) / Math.PI : 0;
    const line = houghLine(every === 1 ? pos : pos.filter((_, t) => t % every === 0), h, alphaLocalDeg);
    const list: number[] = [];
    for (let t = 0; t < all.length; t++) {
      const q = pos[t]!;
      const d: Vec3 = [q[0] - line.p[0], q[1] - line.p[1], q[2] - line.p[2]];
      const along = d[0] * line.d[0] + d[1] * line.d[1] + d[2] * line.d[2];
      const perp = Math.hypot(d[0] - along * line.d[0], d[1] - along * line.d[1], d[2] - along * line.d[2]);
      if (perp <= 5) list.push(all[t]!);
    }
    const rest = all.length - list.length;
    if (steepHere && depth < 3 && rest * h * h * h >= 50 && rest >= 0.3 * all.length) {
      const inList = new Set(list);
      queue.push({ all: all.filter((n) => !inList.has(n)), depth: depth + 1 });
    }
    if (list.length < 3) continue;
    let W = 0;
    const m: Vec3 = [0, 0, 0];
    for (const n of list) {
      const c = (n / nab) | 0, r = n - c * nab, b = (r / na) | 0, a = r - b * na;
      const w = Math.max(d2Bone[n]!, h * h);
      W += w; m[0] += w * a; m[1] += w * b; m[2] += w * c;
    }
    m[0] /= W; m[1] /= W; m[2] /= W;
    const cov = [0, 0, 0, 0, 0, 0, 0, 0, 0];
    for (const n of list) {
      const c = (n / nab) | 0, r = n - c * nab, b = (r / na) | 0, a = r - b * na;
      const w = Math.max(d2Bone[n]!, h * h);
      const d = [a - m[0], b - m[1], c - m[2]];
      for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) cov[i * 3 + j] = cov[i * 3 + j]! + (w * d[i]! * d[j]!) / W;
    }
    const eig = symmetricEigen3(cov);
    let e1 = eig.vectors[0]!;
    if (e1[1] * apLocal[1] + e1[2] * apLocal[2] < 0) e1 = [-e1[0], -e1[1], -e1[2]]; // point posterior (locally)
    const elongation = Math.sqrt(Math.max(eig.values[0]!, 1e-9) / Math.max(eig.values[1]!, 1e-9));
    const centroid = workToLps(g, m[0], m[1], m[2]);
    const side: Side = centroid[0] > x0 ? 'L' : 'R';
    // march along the axis to the envelope surface
    const step = h / 2;
    // inside the sacral envelope: in the sacrum, or with bone all round in the plane perpendicular to the axis
    const pu: Vec3 = Math.abs(e1[0]) < 0.9 ? [1, 0, 0] : [0, 1, 0];
    const u1 = normalize3(cross3(e1, pu)), u2 = normalize3(cross3(e1, u1));
    const ringDirs: Vec3[] = [];
    for (let k = 0; k < 12; k++) { const th = (k * Math.PI) / 6; ringDirs.push([u1[0] * Math.cos(th) + u2[0] * Math.sin(th), u1[1] * Math.cos(th) + u2[1] * Math.sin(th), u1[2] * Math.cos(th) + u2[2] * Math.sin(th)]); }
    const enclosed = (q: Vec3): boolean => {
      if (inSacrum(q)) return true;
      let hits = 0;
      for (const d of ringDirs) {
        for (let r = h; r <= 10; r += h / 2) if (inSacrum([q[0] + d[0] * r, q[1] + d[1] * r, q[2] + d[2] * r])) { hits++; break; }
      }
      return hits >= 7;
    };
    let tPos = 0, tNeg = 0;
    if (steepHere) {
      // a steep sacrum on thick slices: the mask's fat shell keeps the axis "enclosed" far beyond the
      // bone, so the openings are the ends of the tunnel's own voxels along its axis
      for (const n of list) {
        const c = (n / nab) | 0, r = n - c * nab, b = (r / na) | 0, a = r - b * na;
        const t = ((a - m[0]) * e1[0] + (b - m[1]) * e1[1] + (c - m[2]) * e1[2]) * h;
        if (t > tPos) tPos = t;
        if (t < tNeg) tNeg = t;
      }
      tPos += h / 2; tNeg -= h / 2;
    } else while (tPos < 70) { const q: Vec3 = [centroid[0] + e1[0] * (tPos + step), centroid[1] + e1[1] * (tPos + step), centroid[2] + e1[2] * (tPos + step)]; if (!enclosed(q)) break; tPos += step; }
    if (!steepHere) while (tNeg > -70) { const q: Vec3 = [centroid[0] + e1[0] * (tNeg - step), centroid[1] + e1[1] * (tNeg - step), centroid[2] + e1[2] * (tNeg - step)]; if (!enclosed(q)) break; tNeg -= step; }
    const post: Vec3 = [centroid[0] + e1[0] * tPos, centroid[1] + e1[1] * tPos, centroid[2] + e1[2] * tPos];
    const ant: Vec3 = [centroid[0] + e1[0] * tNeg, centroid[1] + e1[1] * tNeg, centroid[2] + e1[2] * tNeg];
    const lengthMm = tPos - tNeg;
    const center: Vec3 = [(ant[0] + post[0]) / 2, (ant[1] + post[1]) / 2, (ant[2] + post[2]) / 2];
    // enclosure: fraction of axis samples that are lumen; radius from the middle 60 %
    let inside = 0, total = 0;
    const rs: number[] = [];
    for (let s = tNeg; s <= tPos; s += step) {
      const q: Vec3 = [centroid[0] + e1[0] * s, centroid[1] + e1[1] * s, centroid[2] + e1[2] * s];
      total++;
      if (inHole(q)) inside++;
      const u = (s - tNeg) / Math.max(lengthMm, 1e-6);
      if (u > 0.2 && u < 0.8) rs.push(Math.sqrt(d2Near(q, Math.max(1, Math.round(1.5 / h)))));
    }
    rs.sort((x, y) => x - y);
    const rEdt = (rs.length ? rs[Math.floor(rs.length / 2)]! : h) - h / 2;
    const rArea = Math.sqrt((list.length * h * h * h) / Math.max(1, lengthMm) / Math.PI);
    const radiusMm = Math.max(1, rEdt, Math.min(rArea, rEdt + 2));
    const enclosure = total ? inside / total : 0;
    const proj = frame.curve.project(center);
    const volumeMm3 = all.length * h * h * h;
    const c: ForamenCandidate = {
      side, centerLps: center, anteriorLps: ant, posteriorLps: post, radiusMm: Math.round(radiusMm * 10) / 10,
      lengthMm: Math.round(lengthMm * 10) / 10, sMm: Math.round(proj.s * 10) / 10, volumeMm3: Math.round(volumeMm3), elongation: Math.round(elongation * 100) / 100,
      enclosure: Math.round(enclosure * 100) / 100, score: 0,
    };
    if (volumeMm3 < 50) c.rejected = 'too small';
    else if (Math.max(Math.abs(e1[1]), Math.abs(e1[1] * apLocal[1] + e1[2] * apLocal[2])) < 0.45) c.rejected = 'axis not antero-posterior';
    else if (enclosure < 0.5) c.rejected = 'not enclosed by bone';
    else if (elongation < 1.3) c.rejected = 'not tube-like';
    else if (lengthMm < 8) c.rejected = 'too short';
    else if (Math.abs(center[0] - x0) > 45) c.rejected = 'too lateral';
    else if (steepHere && lengthMm > 35) c.rejected = 'too long for a foramen';
    if (steepHere) c.steep = true;
    c.score = Math.min(1, (elongation - 1) / 2) * 0.5 + enclosure * 0.5;
    candidates.push(c);
  }
  // where the sacrum is steep the evidence is weaker (thick slices, tunnels cut along their axis): a
  // candidate there needs a mirror-symmetric one on the other side (centre within 15 mm of its mirror image, as in the confidence)
  const steepOk = candidates.filter((c) => c.steep && !c.rejected);
  for (const c of steepOk) {
    const mirrored: Vec3 = [2 * x0 - c.centerLps[0], c.centerLps[1], c.centerLps[2]];
    if (!steepOk.some((o) => o.side !== c.side && dist(o.centerLps, mirrored) <= 15)) c.rejected = 'no mirror-symmetric partner (steep sacrum)';
  }
  // level assignment: cluster accepted candidates of both sides by s
  const ok = candidates.filter((c) => !c.rejected).sort((p, q) => p.sMm - q.sMm);
  const clusters: ForamenCandidate[][] = [];
  for (const c of ok) {
    const last = clusters[clusters.length - 1];
    if (last && Math.abs(c.sMm - last.reduce((s, x) => s + x.sMm, 0) / last.length) <= 9) last.push(c);
    else clusters.push([c]);
  }
  const foramina: Foramen[] = [];
  let level = 0;
  for (const cl of clusters) {
    const bySide = (side: Side) => cl.filter((c) => c.side === side).sort((p, q) => q.volumeMm3 * q.score - p.volumeMm3 * p.score)[0];
    const L = bySide('L'), R = bySide('R');
    if (level >= LEVELS.length) {
      for (const c of cl) c.rejected = c.rejected ?? 'below S4';
      messages.push(`foramina: tunnel pair at s = ${cl[0]!.sMm} mm below S4 ignored`);
      continue;
    }
    const lv = LEVELS[level++]!;
    for (const c of cl) if (c !== L && c !== R) c.rejected = 'weaker duplicate at this level';
    for (const [c, side, partner] of [[L, 'L', R], [R, 'R', L]] as const) {
      if (!c) { messages.push(`foramina: ${lv}_${side} not found (no tunnel through the sacrum there)`); continue; }
      c.level = lv;
      let sym = 0;
      if (partner) {
        const mirrored = 2 * x0 - partner.centerLps[0];
        const dm = Math.hypot(c.centerLps[0] - mirrored, c.centerLps[1] - partner.centerLps[1], c.centerLps[2] - partner.centerLps[2]);
        sym = Math.max(0, 1 - dm / 15);
      } else messages.push(`foramina: ${lv}_${side} has no contralateral partner (low confidence)`);
      const conf = 0.4 * Math.min(1, (c.elongation - 1) / 2) + 0.3 * c.enclosure + 0.3 * sym;
      const id = `${lv}_${side}` as ForamenId;
      foramina.push({ id, level: lv, side, anteriorLps: c.anteriorLps, posteriorLps: c.posteriorLps, radiusMm: c.radiusMm, confidence: Math.round(conf * 100) / 100, source: 'auto' });
    }
  }
  if (level < LEVELS.length) messages.push(`foramina: only ${level} level(s) found`);
  return { foramina, candidates };
}

/** A dark spot of a 2D map (row i, column j in pixels) enclosed by brighter values. */
export interface MapSpot {
  i: number;
  j: number;
  value: number;
  /** Fraction of the 16 directions along which the wall is met. */
  enclosure: number;
  /** Median over the directions of the brightest value met, minus the spot value. */
  contrast: number;
  /** Mean distance (pixels) to the half-contrast crossing over the walled directions. */
  radiusPx: number;
  /** Centre of the spot (pixels, fractional): the centroid of the half-contrast crossings of the walled directions, walked again from there. */
  ci: number;
  cj: number;
}

/**
 * Dark spots of a 2D map (row-major, values[i * nj + j]; NaN = outside, open): local minima (5 × 5) not above
 * `maxValue` around which, along at least `minEnclosure` of 16 directions, a value ≥ spot + `wallContrast` is met
 * within `maxRadiusPx` before leaving the map or meeting NaN. A minimum within `minSepPx` of a darker accepted
 * one, or inside its hole (a plateau), is dropped. The rule of a hole in a projection: a lumen seen through no bone, with bone all round it.
 */
export function darkEnclosedSpots(
  values: Float32Array, ni: number, nj: number,
  opts: { maxValue: number; wallContrast: number; maxRadiusPx: number; minEnclosure: number; minSepPx: number },
): MapSpot[] {
  const at = (i: number, j: number): number => (i < 0 || j < 0 || i >= ni || j >= nj ? NaN : values[i * nj + j]!);
  const mins: { i: number; j: number; v: number }[] = [];
  for (let i = 0; i < ni; i++) for (let j = 0; j < nj; j++) {
    const v = values[i * nj + j]!;
    if (!(v <= opts.maxValue)) continue;
    let isMin = true;
    for (let di = -2; di <= 2 && isMin; di++) for (let dj = -2; dj <= 2; dj++) { const w = at(i + di, j + dj); if (w < v) { isMin = false; break; } }
    if (isMin) mins.push({ i, j, v });
  }
  mins.sort((p, q) => p.v - q.v);
  const spots: MapSpot[] = [];
  for (const m of mins) {
    // within minSepPx of a darker spot, or inside its hole (a plateau of equal minima)
    if (spots.some((o) => Math.hypot(o.i - m.i, o.j - m.j) < opts.minSepPx || Math.hypot(o.ci - m.i, o.cj - m.j) <= o.radiusPx + 1)) continue;
    // walls around (i0, j0) against the spot's value; the centre is re-taken from the centroid of the
    // half-contrast crossings (twice), so that a minimum at the edge of a flat hole is centred
    const walk = (i0: number, j0: number) => {
      let walled = 0, rSum = 0, si = 0, sj = 0;
      const peaks: number[] = [];
      for (let k = 0; k < 16; k++) {
        const th = (k * Math.PI) / 8, ci = Math.cos(th), cj = Math.sin(th);
        let peak = m.v, rHalf = NaN, wall = false;
        for (let r = 0.5; r <= opts.maxRadiusPx; r += 0.5) {
          const w = at(Math.round(i0 + ci * r), Math.round(j0 + cj * r));
          if (Number.isNaN(w)) break;
          if (w > peak) peak = w;
          if (Number.isNaN(rHalf) && w >= m.v + opts.wallContrast / 2) rHalf = r;
          if (w >= m.v + opts.wallContrast) { wall = true; break; }
        }
        peaks.push(peak - m.v);
        if (wall) { walled++; rSum += rHalf; si += i0 + ci * rHalf; sj += j0 + cj * rHalf; }
      }
      peaks.sort((p, q) => p - q);
      return { enclosure: walled / 16, contrast: peaks[8]!, radiusPx: walled ? rSum / walled : 0, ci: walled ? si / walled : i0, cj: walled ? sj / walled : j0 };
    };
    let w = walk(m.i, m.j), pi = m.i, pj = m.j;
    for (let it = 0; it < 2 && w.enclosure >= opts.minEnclosure; it++) {
      const i1 = Math.round(w.ci), j1 = Math.round(w.cj);
      if (i1 === pi && j1 === pj) break;
      w = walk(i1, j1); pi = i1; pj = j1; // a hole must be enclosed from its centre too
    }
    if (w.enclosure < opts.minEnclosure) continue;
    if (spots.some((o) => Math.hypot(o.ci - w.ci, o.cj - w.cj) < opts.minSepPx)) continue;
    spots.push({ i: m.i, j: m.j, value: m.v, ...w });
  }
  return spots;
}

/** Wall contrast (HU) of a tunnel in the mean-along-the-line map of detectForaminaThick. */
const THICK_MEAN_CONTRAST = 100;

/**
 * Thick-slice foramina (grid ≥ 2.5 mm, where a 5–10 mm tunnel is two or three voxels and the lumen of a
 * fatty sacrum is hardly darker than its marrow): the sacrum seen along its local antero-posterior direction,
 * as on an AP view of the sacrum. Map over (arc length s along the long axis, lateral offset u): the
 * brightest voxel of the sacrum (mask grown by one voxel for its cortex) along the line through
 * curve(s) + u·x̂ in the local posterior direction. A foramen is a spot of that map seen through no bone
 * (≤ the lumen threshold) with bone all round it (≥ 150 HU brighter within 12 mm along 14 of 16 directions: a gap of at most 45°),
 * 12–40 mm from the midline; it needs a mirror-symmetric partner (s within 9 mm, |u| within 9 mm); pairs are
 * levels S1–S4 in cranio-caudal order. Openings: where the sacrum begins and ends along the line around the spot.
 * When that map gives fewer than 4 pairs (dense marrow: every line through a tunnel crosses a blurred bright
 * wall), the mean HU along each line is searched as well (a spot 50 HU below the sacrum's median with
 * THICK_MEAN_CONTRAST of wall contrast), and used if it gives more pairs.
 */
function detectForaminaThick(
  sacrum: Uint8Array, work: Float32Array, g: WorkGrid, midA: number, frame: FrameResult | null,
  darkHu: number, messages: string[],
): { foramina: Foramen[]; candidates: ForamenCandidate[] } {
  if (!frame) { messages.push('foramina: no long axis, foramina not searched'); return { foramina: [], candidates: [] }; }
  const [na, nb, nc] = g.dims;
  const nab = na * nb;
  const h = g.spacingMm;
  const o = g.originLps;
  const x0 = o[0] + midA * h;
  // the sacrum with its cortex: the mask grown by one voxel
  const near = Uint8Array.from(sacrum);
  for (let c = 0, n = 0; c < nc; c++) for (let b = 0; b < nb; b++) for (let a = 0; a < na; a++, n++) {
    if (sacrum[n]) continue;
    if ((a > 0 && sacrum[n - 1]) || (a < na - 1 && sacrum[n + 1]) || (b > 0 && sacrum[n - na]) || (b < nb - 1 && sacrum[n + na]) || (c > 0 && sacrum[n - nab]) || (c < nc - 1 && sacrum[n + nab])) near[n] = 2;
  }
  const hu = (x: number, y: number, z: number): number => sampleWork(work, g, x, y, z, 'clamp');
  const inNear = (x: number, y: number, z: number): boolean => {
    const n = workOffsetAt(g, x, y, z);
    return n >= 0 && near[n]! > 0;
  };
  const step = h / 2, uMax = 42, tMax = 48;
  const curve = frame.curve;
  const ns = Math.floor(curve.length / step) + 1, nu = 2 * Math.round(uMax / step) + 1, u0 = Math.round(uMax / step);
  const mip = new Float32Array(ns * nu).fill(NaN), meanMap = new Float32Array(ns * nu).fill(NaN);
  const tFirst = new Float32Array(ns * nu).fill(NaN), tLast = new Float32Array(ns * nu).fill(NaN);
  const empty = new Uint8Array(ns * nu);
  const origin = (s: number, u: number): Vec3 => { const c = curve.at(s); return [x0 + u, c[1], c[2]]; };
  for (let i = 0; i < ns; i++) {
    const s = i * step, P = curve.posterior(s);
    for (let j = 0; j < nu; j++) {
      const O = origin(s, (j - u0) * step);
      let best = -Infinity, t0 = NaN, t1 = NaN, sum = 0, cnt = 0;
      for (let t = -tMax; t <= tMax; t += step) {
        const x = O[0], y = O[1] + P[1] * t, z = O[2] + P[2] * t;
        if (!inNear(x, y, z)) continue;
        if (Number.isNaN(t0)) t0 = t;
        t1 = t;
        const v = hu(x, y, z);
        if (v > best) best = v;
        sum += v; cnt++;
      }
      const m = i * nu + j;
      if (Number.isNaN(t0)) empty[m] = 1;
      else { mip[m] = best; meanMap[m] = sum / cnt; tFirst[m] = t0; tLast[m] = t1; }
    }
  }
  // lines through no sacrum at all: outside (NaN) when connected to the map border, else a lumen seen through no bone
  {
    const seen = new Uint8Array(ns * nu), queue: number[] = [];
    for (let i = 0; i < ns; i++) for (let j = 0; j < nu; j++) {
      const m = i * nu + j;
      if (empty[m] && (i === 0 || j === 0 || i === ns - 1 || j === nu - 1)) { seen[m] = 1; queue.push(m); }
    }
    while (queue.length) {
      const m = queue.pop()!, i = (m / nu) | 0, j = m - i * nu;
      for (const [di, dj] of [[1, 0], [-1, 0], [0, 1], [0, -1]] as const) {
        const ii = i + di, jj = j + dj, q = ii * nu + jj;
        if (ii < 0 || jj < 0 || ii >= ns || jj >= nu || seen[q] || !empty[q]) continue;
        seen[q] = 1; queue.push(q);
      }
    }
    for (let m = 0; m < ns * nu; m++) if (empty[m] && !seen[m]) mip[m] = meanMap[m] = -1000;
  }
  // spots of a map → candidates and their mirror-symmetric pairs, cranial first
  const pairUp = (spots: MapSpot[]) => {
    const candidates: ForamenCandidate[] = [];
    const spotOf = new Map<ForamenCandidate, MapSpot>();
    for (const sp of spots) {
      const s = sp.ci * step, u = (sp.cj - u0) * step;
      if (Math.abs(u) < 12 || Math.abs(u) > 40) continue;
      const O = origin(s, u), P = curve.posterior(s);
      // openings: where the sacrum begins and ends along the line, around the spot (its own line may cross none)
      const t0s: number[] = [], t1s: number[] = [];
      const rr = sp.radiusPx + 2 / step;
      for (let k = 0; k < 16; k++) {
        const th = (k * Math.PI) / 8;
        const ii = Math.round(sp.i + Math.cos(th) * rr), jj = Math.round(sp.j + Math.sin(th) * rr);
        if (ii < 0 || jj < 0 || ii >= ns || jj >= nu) continue;
        const m = ii * nu + jj;
        if (!Number.isNaN(tFirst[m]!)) { t0s.push(tFirst[m]!); t1s.push(tLast[m]!); }
      }
      if (t0s.length < 4) continue;
      t0s.sort((p, q) => p - q); t1s.sort((p, q) => p - q);
      const tA = t0s[t0s.length >> 1]!, tP = t1s[t1s.length >> 1]!;
      const ant: Vec3 = [O[0], O[1] + P[1] * tA, O[2] + P[2] * tA], post: Vec3 = [O[0], O[1] + P[1] * tP, O[2] + P[2] * tP];
      const center: Vec3 = [(ant[0] + post[0]) / 2, (ant[1] + post[1]) / 2, (ant[2] + post[2]) / 2];
      const radiusMm = Math.max(1.5, Math.min(8, sp.radiusPx * step));
      const lengthMm = tP - tA;
      const cand: ForamenCandidate = {
        side: u > 0 ? 'L' : 'R', centerLps: center, anteriorLps: ant, posteriorLps: post, radiusMm: Math.round(radiusMm * 10) / 10,
        lengthMm: Math.round(lengthMm * 10) / 10, sMm: Math.round(s * 10) / 10, volumeMm3: Math.round(Math.PI * radiusMm * radiusMm * lengthMm),
        elongation: Math.round((lengthMm / (2 * radiusMm)) * 100) / 100, enclosure: sp.enclosure, score: 0, steep: Math.abs(P[2]) > Math.abs(P[1]),
      };
      cand.score = 0.5 * sp.enclosure + 0.5 * Math.min(1, sp.contrast / 300);
      if (lengthMm < 8) cand.rejected = 'too short';
      candidates.push(cand);
      spotOf.set(cand, sp);
    }
    // mirror-symmetric pairs, cranial first
    const ok = candidates.filter((c) => !c.rejected).sort((p, q) => p.sMm - q.sMm);
    const partnerOf = new Map<ForamenCandidate, ForamenCandidate>();
    for (const c of ok) {
      if (c.side !== 'L') continue;
      let best: ForamenCandidate | null = null, bestD = Infinity;
      for (const r of ok) {
        if (r.side !== 'R' || partnerOf.has(r)) continue;
        const du = Math.abs(Math.abs(c.centerLps[0] - x0) - Math.abs(r.centerLps[0] - x0)), ds = Math.abs(c.sMm - r.sMm);
        if (du > 9 || ds > 9) continue;
        const d = Math.hypot(du, ds);
        if (d < bestD) { bestD = d; best = r; }
      }
      if (best) { partnerOf.set(c, best); partnerOf.set(best, c); }
    }
    for (const c of ok) if (!partnerOf.has(c)) c.rejected = 'no mirror-symmetric partner (thick slices)';
    const pairs = ok.filter((c) => c.side === 'L' && partnerOf.has(c)).map((c) => [c, partnerOf.get(c)!] as const)
      .sort((p, q) => (p[0].sMm + p[1].sMm) - (q[0].sMm + q[1].sMm));
    return { spots, candidates, spotOf, pairs };
  };
  // the MIP: a tunnel seen through no bone (fatty marrow, thin cortex). Where the walls are bright and the
  // tunnels two voxels wide (dense bone, thick cortex) every line crosses some wall (partial volume): the mean
  // along the line within the sacrum, where a tunnel is dark against its walls and marrow (a spot darker than
  // the sacrum's median by its own wall contrast), is taken instead when it gives more mirror pairs.
  let res = pairUp(darkEnclosedSpots(mip, ns, nu, { maxValue: darkHu, wallContrast: 150, maxRadiusPx: 12 / step, minEnclosure: 14 / 16, minSepPx: 6 / step }));
  let mapName = 'the brightest voxel along each line';
  if (res.pairs.length < LEVELS.length) {
    const vals: number[] = [];
    for (let m = 0; m < ns * nu; m++) if (!empty[m] && !Number.isNaN(meanMap[m]!)) vals.push(meanMap[m]!);
    vals.sort((p, q) => p - q);
    const med = vals.length ? vals[vals.length >> 1]! : NaN;
    if (!Number.isNaN(med)) {
      const alt = pairUp(darkEnclosedSpots(meanMap, ns, nu, { maxValue: med - THICK_MEAN_CONTRAST / 2, wallContrast: THICK_MEAN_CONTRAST, maxRadiusPx: 12 / step, minEnclosure: 14 / 16, minSepPx: 6 / step }));
      if (alt.pairs.length > res.pairs.length) { res = alt; mapName = 'the mean along each line (bright walls)'; }
    }
  }
  const { spots, candidates, spotOf, pairs } = res;
  const foramina: Foramen[] = [];
  let level = 0, lastS = -Infinity;
  for (const [L, R] of pairs) {
    const sPair = (L.sMm + R.sMm) / 2;
    if (sPair - lastS < 9) { L.rejected = R.rejected = 'weaker duplicate at this level'; continue; }
    if (level >= LEVELS.length) {
      L.rejected = R.rejected = 'below S4';
      messages.push(`foramina: tunnel pair at s = ${sPair.toFixed(1)} mm below S4 ignored`);
      continue;
    }
    lastS = sPair;
    const lv = LEVELS[level++]!;
    for (const [c, partner] of [[L, R], [R, L]] as const) {
      c.level = lv;
      const mirrored = 2 * x0 - partner.centerLps[0];
      const dm = Math.hypot(c.centerLps[0] - mirrored, c.centerLps[1] - partner.centerLps[1], c.centerLps[2] - partner.centerLps[2]);
      const sym = Math.max(0, 1 - dm / 15);
      const sp = spotOf.get(c)!;
      const conf = 0.4 * sp.enclosure + 0.3 * Math.min(1, sp.contrast / 300) + 0.3 * sym;
      foramina.push({ id: `${lv}_${c.side}` as ForamenId, level: lv, side: c.side, anteriorLps: c.anteriorLps, posteriorLps: c.posteriorLps, radiusMm: c.radiusMm, confidence: Math.round(conf * 100) / 100, source: 'auto' });
    }
  }
  messages.push(`foramina: thick slices: sought as dark spots enclosed by bone in the sacrum seen along its antero-posterior direction (${mapName}: ${spots.length} spots, ${pairs.length} mirror pairs)`);
  if (level < LEVELS.length) messages.push(`foramina: only ${level} level(s) found`);
  return { foramina, candidates };
}

