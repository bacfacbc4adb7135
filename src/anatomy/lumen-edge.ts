/**
 * The wall of a round lumen lined by a thin bright cortex (a sacral foramen, the sacral canal), fitted on
 * the voxels around its axis (pure).
 *
 * The half-maximum edge (half-way between the lumen and the rim's peak) is exact only for a rim much
 * thicker than the image blur. A sacral cortex is 1–1.5 mm thick, about the blur of a CT voxel: blur
 * lowers the rim's peak, the half level drops with it and the edge read there lies 0.25–0.5 mm inside
 * the true wall. A wall is therefore modelled as what the scanner makes of it: lumen L up to the wall at
 * radius r, a cortex of value C and thickness w, then the bone beyond at M, blurred by a Gaussian of the
 * image's own spread σ (imageBlur: measured on the body outline), with the circular wall's curvature (a
 * dark disc of radius r blurred by σ shows its half level at r − σ²/2r). L, C, M enter linearly and are
 * solved exactly; r and w are searched. Fitting the profile's shape, not its half level, removes the bias
 * whatever the rim's thickness: for a thick rim the second step is far out and the fit reduces to the
 * edge of a blurred step.
 * The model is fitted to the voxel values at their distances from the axis, not to interpolated rays: a
 * cortex about one voxel thick, read by trilinear interpolation along rays that all cross the voxel grid at
 * the same phase (a tunnel running along a grid axis), comes out as a polyline whose half level depends on
 * where the wall falls between voxel centres (0.1–0.45 mm on the phantoms). Voxel centres along an oblique
 * or curved wall lie at many distances from it and sample the blurred profile finely (the slanted-edge
 * method of ISO 12233 for edge spread functions). Only the voxels within 25° of the in-plane direction
 * across the axis are used: there the blur is the one measured on the body outline (across the slices the
 * slice profile adds to it). Those voxels still average the lumen over their slice's thickness in the other
 * direction across the axis, where a round lumen is narrower off its centre: on thick slices the edge is
 * modelled as the mean over that box of the edges at the lumen's chords (fitWallSamples).
 */
import type { Vec3 } from '../core/vec3';
import { trilinearAtIndex, type ScalarVolume } from '../core/volume';

/** Trilinear sample at an LPS point (null outside). */
export function sampleTrilinear(volume: ScalarVolume, p: Readonly<Vec3>, tmp: Vec3 = [0, 0, 0]): number | null {
  const g = volume.geometry;
  g.lpsToIjk(tmp, p);
  const [ni, nj, nk] = g.dims;
  const x = tmp[0], y = tmp[1], z = tmp[2];
  if (x < 0 || y < 0 || z < 0 || x > ni - 1 || y > nj - 1 || z > nk - 1) return null;
  return trilinearAtIndex(volume.voxels, g.dims, x, y, z);
}

/**
 * Bilinear sample at an LPS point within slice k (the point's own slice coordinate ignored; null outside the
 * slice's in-plane extent). A thick slice is a slab average across its thickness: interpolating between two slabs
 * (sampleTrilinear) gives a value neither slab holds, where a structure narrower than the slab lies in one of them
 * (a foramen within one 5 mm slice: its lumen there 180–200 HU, read 250 by trilinear mixing with the wall below).
 */
export function sampleInSlab(volume: ScalarVolume, p: Readonly<Vec3>, k: number, tmp: Vec3 = [0, 0, 0]): number | null {
  const g = volume.geometry;
  g.lpsToIjk(tmp, p);
  const [ni, nj, nk] = g.dims;
  const x = tmp[0], y = tmp[1];
  if (x < 0 || y < 0 || k < 0 || x > ni - 1 || y > nj - 1 || k > nk - 1) return null;
  return trilinearAtIndex(volume.voxels, g.dims, x, y, k);
}

/** Standard normal CDF (Abramowitz & Stegun 7.1.26, |error| < 1.5e-7). */
export function normalCdf(t: number): number {
  const x = Math.abs(t) / Math.SQRT2;
  const k = 1 / (1 + 0.3275911 * x);
  const erf = 1 - (((((1.061405429 * k - 1.453152027) * k) + 1.421413741) * k - 0.284496736) * k + 0.254829592) * k * Math.exp(-x * x);
  return t >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

export interface ImageBlur {
  /** Spread (Gaussian σ, mm) of a step edge across the slice plane, as the voxels show it. */
  inPlaneMm: number;
  /** How it was found. */
  source: 'body outline' | 'assumed';
}

const blurCache = new WeakMap<ScalarVolume, ImageBlur>();

/**
 * Scanner blur assumed where the image shows no body outline (σ, mm): a standard soft-tissue CT kernel
 * resolves about 5 lp/cm at 50 % MTF, which a Gaussian of σ ≈ 0.4 mm matches (MTF50 = 0.187/σ); the voxel
 * (a box of the pixel spacing) adds h²/12 of variance.
 */
const DEFAULT_SCANNER_SIGMA_MM = 0.4;

/** Mean value per distance bin of `width` mm: [centre distance, mean, count][]. */
function binned(samples: readonly { d: number; v: number }[], width: number): { d: number[]; v: number[]; n: number[] } {
  const m = new Map<number, [number, number, number]>();
  for (const s of samples) {
    const k = Math.round(s.d / width);
    const e = m.get(k);
    if (e) { e[0] += s.d; e[1] += s.v; e[2]++; } else m.set(k, [s.d, s.v, 1]);
  }
  const d: number[] = [], v: number[] = [], n: number[] = [];
  for (const [, e] of [...m].sort((x, y) => x[0] - y[0])) { d.push(e[0] / e[2]); v.push(e[1] / e[2]); n.push(e[2]); }
  return { d, v, n };
}

/** Weighted least-squares residual of values ≈ Σ βᵢ·basisᵢ (2 or 3 bases), β solved exactly. */
function linearResidual(v: readonly number[], wts: readonly number[], basis: (n: number, out: number[]) => void, k: 2 | 3): number {
  const A = [0, 0, 0, 0, 0, 0, 0, 0, 0], y = [0, 0, 0];
  let yy = 0;
  const b = [0, 0, 0];
  for (let n = 0; n < v.length; n++) {
    basis(n, b);
    const w = wts[n]!, val = v[n]!;
    for (let i = 0; i < k; i++) { y[i]! += w * b[i]! * val; for (let j = 0; j < k; j++) A[i * 3 + j]! += w * b[i]! * b[j]!; }
    yy += w * val * val;
  }
  // a small ridge keeps a level defined when its basis vanishes (an unresolved rim)
  const rid = 1e-6 * (A[0]! + A[4]! + A[8]!);
  for (let i = 0; i < k; i++) A[i * 4]! += rid;
  if (k === 2) A[8] = 1;
  const [a00, a01, a02, , a11, a12, , , a22] = A as [number, number, number, number, number, number, number, number, number];
  const det = a00 * (a11 * a22 - a12 * a12) - a01 * (a01 * a22 - a12 * a02) + a02 * (a01 * a12 - a11 * a02);
  if (!(Math.abs(det) > 1e-12)) return Infinity;
  const [y0, y1, y2] = y as [number, number, number];
  const b0 = (y0 * (a11 * a22 - a12 * a12) - a01 * (y1 * a22 - a12 * y2) + a02 * (y1 * a12 - a11 * y2)) / det;
  const b1 = (a00 * (y1 * a22 - a12 * y2) - y0 * (a01 * a22 - a12 * a02) + a02 * (a01 * y2 - y1 * a02)) / det;
  const b2 = (a00 * (a11 * y2 - y1 * a12) - a01 * (a01 * y2 - y1 * a02) + y0 * (a01 * a12 - a11 * a02)) / det;
  const beta = [b0, b1, b2];
  let bAb = 0, by = 0;
  for (let i = 0; i < k; i++) { by += beta[i]! * y[i]!; for (let j = 0; j < k; j++) bAb += beta[i]! * A[i * 3 + j]! * beta[j]!; }
  return yy - 2 * by + bAb;
}

/**
 * linearResidual of the wall profile (bases 1 − Φ₁, Φ₁ − Φ₂, Φ₂, with Φᵢ the mean of Φ((d − e)/s) over the edges
 * e of eᵢs, fitWallSamples) written out: the same sums in the same order, without a call per sample (the wall
 * fits evaluate it thousands of times).
 */
function wallResidual(dd: readonly number[], v: readonly number[], wts: readonly number[], e1s: readonly number[], e2s: readonly number[], s: number): number {
  let a00 = 0, a01 = 0, a02 = 0, a10 = 0, a11 = 0, a12 = 0, a20 = 0, a21 = 0, a22 = 0, y0 = 0, y1 = 0, y2 = 0, yy = 0;
  const k = e1s.length;
  for (let n = 0; n < v.length; n++) {
    let f1 = 0, f2 = 0;
    for (let j = 0; j < k; j++) { f1 += normalCdf((dd[n]! - e1s[j]!) / s); f2 += normalCdf((dd[n]! - e2s[j]!) / s); }
    f1 /= k; f2 /= k;
    const b0 = 1 - f1, b1 = f1 - f2, b2 = f2;
    const w = wts[n]!, val = v[n]!;
    y0 += w * b0 * val; a00 += w * b0 * b0; a01 += w * b0 * b1; a02 += w * b0 * b2;
    y1 += w * b1 * val; a10 += w * b1 * b0; a11 += w * b1 * b1; a12 += w * b1 * b2;
    y2 += w * b2 * val; a20 += w * b2 * b0; a21 += w * b2 * b1; a22 += w * b2 * b2;
    yy += w * val * val;
  }
  const rid = 1e-6 * (a00 + a11 + a22);
  a00 += rid; a11 += rid; a22 += rid;
  const det = a00 * (a11 * a22 - a12 * a12) - a01 * (a01 * a22 - a12 * a02) + a02 * (a01 * a12 - a11 * a02);
  if (!(Math.abs(det) > 1e-12)) return Infinity;
  const b0 = (y0 * (a11 * a22 - a12 * a12) - a01 * (y1 * a22 - a12 * y2) + a02 * (y1 * a12 - a11 * y2)) / det;
  const b1 = (a00 * (y1 * a22 - a12 * y2) - y0 * (a01 * a22 - a12 * a02) + a02 * (a01 * y2 - y1 * a02)) / det;
  const b2 = (a00 * (a11 * y2 - y1 * a12) - a01 * (a01 * y2 - y1 * a02) + y0 * (a01 * a12 - a11 * a02)) / det;
  let bAb = 0, by = 0;
  by += b0 * y0; bAb += b0 * a00 * b0; bAb += b0 * a01 * b1; bAb += b0 * a02 * b2;
  by += b1 * y1; bAb += b1 * a10 * b0; bAb += b1 * a11 * b1; bAb += b1 * a12 * b2;
  by += b2 * y2; bAb += b2 * a20 * b0; bAb += b2 * a21 * b1; bAb += b2 * a22 * b2;
  return yy - 2 * by + bAb;
}

/** Minimum of f on [a, b]: a grid of `n` intervals, then golden-section refinement about the best node. */
function minimise1d(f: (x: number) => number, a: number, b: number, n: number, tol: number): [number, number] {
  let bx = a, bf = Infinity;
  for (let i = 0; i <= n; i++) { const x = a + ((b - a) * i) / n; const v = f(x); if (v < bf) { bf = v; bx = x; } }
  const d = (b - a) / n;
  let lo = Math.max(a, bx - d), hi = Math.min(b, bx + d);
  const G = (Math.sqrt(5) - 1) / 2;
  let c = hi - G * (hi - lo), e = lo + G * (hi - lo), fc = f(c), fe = f(e);
  while (hi - lo > tol) {
    if (fc < fe) { hi = e; e = c; fe = fc; c = hi - G * (hi - lo); fc = f(c); }
    else { lo = c; c = e; fc = fe; e = lo + G * (hi - lo); fe = f(e); }
  }
  const x = (lo + hi) / 2, v = f(x);
  return v < bf ? [x, v] : [bx, bf];
}

/**
 * The image's in-plane blur, measured on the body outline: on a few axial planes, rays from the image's
 * edge inwards find the first step from air (below −900 HU) to tissue (above −300 HU); the voxels of that
 * plane within 5 mm across the step and 3 mm along it, at their distances along the image gradient there,
 * are fitted with a blurred step (its σ and position searched, its two levels solved); σ is the median over
 * the clean steps (flat air before, flat tissue after). Without an outline (a field of view inside the
 * body, MR) a standard CT kernel's blur and the pixel are assumed.
 */
export function imageBlur(volume: ScalarVolume): ImageBlur {
  const hit = blurCache.get(volume);
  if (hit) return hit;
  const g = volume.geometry;
  const h = g.spacingMm;
  const e0 = g.axis(0), e1 = g.axis(1);
  const sig: number[] = [];
  if (volume.units === 'HU') {
    const [ni, nj, nk] = g.dims;
    const step = Math.min(h[0], h[1]) / 4;
    const tmp: Vec3 = [0, 0, 0];
    for (const fk of [0.3, 0.5, 0.7]) {
      if (sig.length >= 24) break;
      const k = Math.round((nk - 1) * fk);
      const ci = (ni - 1) / 2, cj = (nj - 1) / 2;
      for (let a = 0; a < 32; a++) {
        const th = (a * Math.PI) / 16;
        // in index units of the plane, per mm
        const ui = Math.cos(th) / h[0], uj = Math.sin(th) / h[1];
        const tMax = Math.min(ui !== 0 ? Math.abs(ci / ui) : Infinity, uj !== 0 ? Math.abs(cj / uj) : Infinity);
        const at = (t: number) => trilinearAtIndex(volume.voxels, g.dims, ci + ui * t, cj + uj * t, k);
        let air = -1, tIn = NaN;
        for (let t = tMax; t > 0; t -= step) {
          const v = at(t);
          if (v < -900) air = t;
          else if (v > -300 && air >= 0) { tIn = t; break; }
        }
        if (!(air - tIn <= 3)) continue;
        const tm = (air + tIn) / 2;
        const pi = ci + ui * tm, pj = cj + uj * tm;
        if (pi < 2 || pj < 2 || pi > ni - 3 || pj > nj - 3) continue;
        // gradient (per mm) in the plane, pointing from air into tissue
        const gi = (trilinearAtIndex(volume.voxels, g.dims, pi + 1, pj, k) - trilinearAtIndex(volume.voxels, g.dims, pi - 1, pj, k)) / (2 * h[0]);
        const gj = (trilinearAtIndex(volume.voxels, g.dims, pi, pj + 1, k) - trilinearAtIndex(volume.voxels, g.dims, pi, pj - 1, k)) / (2 * h[1]);
        const gl = Math.hypot(gi, gj);
        if (!(gl > 0)) continue;
        const ni_ = gi / gl, nj_ = gj / gl;
        const samples: { d: number; v: number }[] = [];
        const ri = Math.ceil(5 / h[0]), rj = Math.ceil(5 / h[1]);
        for (let j = Math.max(0, Math.floor(pj) - rj); j <= Math.min(nj - 1, Math.ceil(pj) + rj); j++) {
          for (let i = Math.max(0, Math.floor(pi) - ri); i <= Math.min(ni - 1, Math.ceil(pi) + ri); i++) {
            const di = (i - pi) * h[0], dj = (j - pj) * h[1];
            const d = di * ni_ + dj * nj_, lat = -di * nj_ + dj * ni_;
            if (Math.abs(d) > 5 || Math.abs(lat) > 3) continue;
            samples.push({ d, v: volume.voxels[i + ni * (j + nj * k)]! });
          }
        }
        const lo = samples.filter((s) => s.d < -2.5).map((s) => s.v), hiV = samples.filter((s) => s.d > 2.5).map((s) => s.v);
        if (lo.length < 4 || hiV.length < 4) continue;
        const spread = (xs: number[]) => Math.max(...xs) - Math.min(...xs);
        if (spread(lo) > 80 || spread(hiV) > 150) continue;
        const bin = binned(samples, 0.05);
        // the step's position: where the binned profile crosses half-way between its two levels (a symmetric
        // blur keeps it there); its spread searched
        const l0 = [...lo].sort((p, q) => p - q)[lo.length >> 1]!, l1 = [...hiV].sort((p, q) => p - q)[hiV.length >> 1]!;
        const half = (l0 + l1) / 2;
        let t0 = NaN;
        for (let n = 0; n + 1 < bin.d.length; n++) if (bin.v[n]! < half && bin.v[n + 1]! >= half) { t0 = bin.d[n]! + ((half - bin.v[n]!) / (bin.v[n + 1]! - bin.v[n]!)) * (bin.d[n + 1]! - bin.d[n]!); break; }
        if (!Number.isFinite(t0)) continue;
        const [s] = minimise1d((s) => linearResidual(bin.v, bin.n, (n, out) => { const f = normalCdf((bin.d[n]! - t0) / s); out[0] = 1 - f; out[1] = f; }, 2), 0.15, 2.5, 23, 0.005);
        sig.push(s);
        if (sig.length >= 24) break;
      }
    }
    void tmp; void e0; void e1;
  }
  sig.sort((p, q) => p - q);
  const measured = sig.length >= 12 ? sig[sig.length >> 1]! : NaN;
  const hPlane = Math.sqrt(h[0] * h[1]);
  const blur: ImageBlur = Number.isFinite(measured)
    ? { inPlaneMm: measured, source: 'body outline' }
    : { inPlaneMm: Math.sqrt(DEFAULT_SCANNER_SIGMA_MM ** 2 + (hPlane * hPlane) / 12), source: 'assumed' };
  blurCache.set(volume, blur);
  return blur;
}

/**
 * A unit vector across a lumen of axis `e` (perpendicular to it) that lies in the image's slice plane: ± it
 * are the directions in which the blur is the one measured on the body outline. For an axis along the
 * slice normal every direction across is in the plane; the image's first axis is taken.
 */
export function inPlaneAcross(volume: ScalarVolume, e: Readonly<Vec3>): Vec3 {
  const n = volume.geometry.axis(2);
  const c: Vec3 = [e[1] * n[2] - e[2] * n[1], e[2] * n[0] - e[0] * n[2], e[0] * n[1] - e[1] * n[0]];
  const l = Math.hypot(c[0], c[1], c[2]);
  if (l > 1e-3) return [c[0] / l, c[1] / l, c[2] / l];
  const x = volume.geometry.axis(0), d = x[0] * e[0] + x[1] * e[1] + x[2] * e[2];
  const p: Vec3 = [x[0] - d * e[0], x[1] - d * e[1], x[2] - d * e[2]];
  const pl = Math.hypot(p[0], p[1], p[2]);
  return [p[0] / pl, p[1] / pl, p[2] / pl];
}

/** Slack (mm) on the along-axis and radial limits when a row's run of candidate voxels is found beforehand (wallSamples): far above rounding. */
const ROW_MARGIN_MM = 0.01;

/** Half-angle of the sector about the in-plane direction whose voxels are used (σ there within 2 % of in-plane). */
const SECTOR_DEG = 25;

export interface WallFitResult {
  /** Wall distance from the axis on each side (+u, −u), NaN where no rim was seen. */
  radiusMm: [number, number];
  /** Fitted (or given) cortex thickness per side (mm). */
  cortexMm: [number, number];
  /** Half-maximum edge per side (mm), for comparison. */
  halfMaxMm: [number, number];
  /** The in-plane direction across the axis (LPS) that side 0 lies along. */
  acrossLps: Vec3;
}

/** The voxels around a tunnel part, per side, binned by distance from the axis (see fitLumenWall). */
export interface WallSamples {
  sides: [{ d: number[]; v: number[]; n: number[] }, { d: number[]; v: number[]; n: number[] }];
  acrossLps: Vec3;
  sigmaMm: number;
  maxRadiusMm: number;
  /**
   * Half the slice thickness seen across the lumen in the plane of its cross-section (mm): the slice's box
   * (thickness taken as the slice spacing) along the slice normal, projected onto the direction across the axis
   * that is perpendicular to the in-plane one (see fitWallSamples).
   */
  sliceHalfMm: number;
}

/**
 * The voxels within `maxRadiusMm` of the axis a → b between fractions t0 and t1 of its length and within
 * 25° of the in-plane direction across it (each side), binned every 0.1 mm of distance from the axis.
 */
export function wallSamples(volume: ScalarVolume, a: Readonly<Vec3>, b: Readonly<Vec3>, t0: number, t1: number, maxRadiusMm: number): WallSamples | null {
  const ax: Vec3 = [b[0] - a[0], b[1] - a[1], b[2] - a[2]];
  const L = Math.hypot(ax[0], ax[1], ax[2]);
  if (!(L > 0.5)) return null;
  const e: Vec3 = [ax[0] / L, ax[1] / L, ax[2] / L];
  const u = inPlaneAcross(volume, e);
  const g = volume.geometry;
  const [ni, nj, nk] = g.dims;
  // index box of the segment part, grown by the radius
  const lo = [Infinity, Infinity, Infinity], hi = [-Infinity, -Infinity, -Infinity];
  const tmp: Vec3 = [0, 0, 0];
  for (const t of [t0, t1]) for (const sx of [-1, 1]) for (const sy of [-1, 1]) for (const sz of [-1, 1]) {
    g.lpsToIjk(tmp, [a[0] + ax[0] * t + sx * maxRadiusMm, a[1] + ax[1] * t + sy * maxRadiusMm, a[2] + ax[2] * t + sz * maxRadiusMm]);
    for (let c = 0; c < 3; c++) { lo[c] = Math.min(lo[c]!, tmp[c]!); hi[c] = Math.max(hi[c]!, tmp[c]!); }
  }
  const i0 = Math.max(0, Math.floor(lo[0]!)), i1 = Math.min(ni - 1, Math.ceil(hi[0]!));
  const j0 = Math.max(0, Math.floor(lo[1]!)), j1 = Math.min(nj - 1, Math.ceil(hi[1]!));
  const k0 = Math.max(0, Math.floor(lo[2]!)), k1 = Math.min(nk - 1, Math.ceil(hi[2]!));
  const cosS = Math.cos((SECTOR_DEG * Math.PI) / 180);
  const sides: { d: number; v: number }[][] = [[], []];
  const p: Vec3 = [0, 0, 0];
  // Along a row of the box (i varying) the distance along the axis is linear in i and the squared distance
  // from it quadratic, so the voxels that can pass the tests below lie in one run of i: it is found
  // beforehand, widened by ROW_MARGIN_MM in both measures and by a voxel at each end, and only it is visited
  // (the tests themselves are unchanged). The box of a tilted tunnel holds two to four times its cylinder.
  const o0 = g.ijkToLps([0, 0, 0], 0, 0, 0), c1 = g.ijkToLps([0, 0, 0], 1, 0, 0);
  const ci: Vec3 = [c1[0] - o0[0], c1[1] - o0[1], c1[2] - o0[2]];
  const ciE = ci[0] * e[0] + ci[1] * e[1] + ci[2] * e[2];
  const cp: Vec3 = [ci[0] - ciE * e[0], ci[1] - ciE * e[1], ci[2] - ciE * e[2]];
  const qa = cp[0] * cp[0] + cp[1] * cp[1] + cp[2] * cp[2];
  const aLo = t0 * L - ROW_MARGIN_MM, aHi = t1 * L + ROW_MARGIN_MM, R2 = (maxRadiusMm + ROW_MARGIN_MM) ** 2;
  for (let k = k0; k <= k1; k++) for (let j = j0; j <= j1; j++) {
    // the row's first voxel relative to a, its distance along the axis and its offset across it
    g.ijkToLps(p, i0, j, k);
    const wx0 = p[0] - a[0], wy0 = p[1] - a[1], wz0 = p[2] - a[2];
    const al0 = wx0 * e[0] + wy0 * e[1] + wz0 * e[2];
    let lo = 0, hi = i1 - i0;
    if (Math.abs(ciE) > 1e-12) {
      const u0 = (aLo - al0) / ciE, u1 = (aHi - al0) / ciE;
      lo = Math.max(lo, Math.floor(Math.min(u0, u1)) - 1); hi = Math.min(hi, Math.ceil(Math.max(u0, u1)) + 1);
    } else if (al0 < aLo || al0 > aHi) continue;
    const q0x = wx0 - al0 * e[0], q0y = wy0 - al0 * e[1], q0z = wz0 - al0 * e[2];
    const qc = q0x * q0x + q0y * q0y + q0z * q0z - R2, qb = 2 * (q0x * cp[0] + q0y * cp[1] + q0z * cp[2]);
    if (qa > 1e-12) {
      const disc = qb * qb - 4 * qa * qc;
      if (disc < 0) continue;
      const sq = Math.sqrt(disc);
      lo = Math.max(lo, Math.floor((-qb - sq) / (2 * qa)) - 1); hi = Math.min(hi, Math.ceil((-qb + sq) / (2 * qa)) + 1);
    } else if (qc > 0 && Math.abs(qb) <= 1e-12) continue;
    for (let i = i0 + lo; i <= i0 + hi; i++) {
      g.ijkToLps(p, i, j, k);
      const wx = p[0] - a[0], wy = p[1] - a[1], wz = p[2] - a[2];
      const along = wx * e[0] + wy * e[1] + wz * e[2];
      if (along < t0 * L || along > t1 * L) continue;
      const qx = wx - along * e[0], qy = wy - along * e[1], qz = wz - along * e[2];
      const rho = Math.hypot(qx, qy, qz);
      if (rho > maxRadiusMm) continue;
      const c = rho > 1e-9 ? (qx * u[0] + qy * u[1] + qz * u[2]) / rho : 1;
      // the lumen near the axis belongs to both sides
      if (c < cosS && c > -cosS && rho >= 1) continue;
      const v = volume.voxels[i + ni * (j + nj * k)]!;
      if (c >= cosS || rho < 1) sides[0]!.push({ d: rho, v });
      if (c <= -cosS || rho < 1) sides[1]!.push({ d: rho, v });
    }
  }
  // the other direction across the axis, v = e × u: a voxel near the plane of u averages the lumen over the
  // slice thickness along the slice normal, which spans |v·n| of it across the lumen
  const nz = g.axis(2);
  const v: Vec3 = [e[1] * u[2] - e[2] * u[1], e[2] * u[0] - e[0] * u[2], e[0] * u[1] - e[1] * u[0]];
  const sliceHalfMm = (g.spacingMm[2] / 2) * Math.abs(v[0] * nz[0] + v[1] * nz[1] + v[2] * nz[2]);
  return { sides: [binned(sides[0]!, 0.1), binned(sides[1]!, 0.1)], acrossLps: u, sigmaMm: imageBlur(volume).inPlaneMm, maxRadiusMm, sliceHalfMm };
}

/**
 * The wall of the lumen around the axis a → b between fractions t0 and t1 of its length, on both sides
 * along the in-plane direction across it, fitted on the voxels (see the header). `maxRadiusMm` bounds the
 * search; `minContrastHu`: the rim must rise this far above the lumen; `cortexMm`: the cortex thickness
 * when known (else fitted: a rim about one voxel thick sampled at few distances pins it poorly).
 */
export function fitLumenWall(volume: ScalarVolume, a: Readonly<Vec3>, b: Readonly<Vec3>, t0: number, t1: number, maxRadiusMm: number, opts: { minContrastHu?: number; cortexMm?: number } = {}): WallFitResult | null {
  const ws = wallSamples(volume, a, b, t0, t1, maxRadiusMm);
  return ws ? fitWallSamples(ws, opts) : null;
}

/** The wall fit on samples gathered once (wallSamples), e.g. again with the cortex thickness known. */
export function fitWallSamples(ws: WallSamples, opts: { minContrastHu?: number; cortexMm?: number } = {}): WallFitResult {
  const minContrastHu = opts.minContrastHu ?? 300;
  const sigma = ws.sigmaMm, maxRadiusMm = ws.maxRadiusMm;
  const out: WallFitResult = { radiusMm: [NaN, NaN], cortexMm: [NaN, NaN], halfMaxMm: [NaN, NaN], acrossLps: ws.acrossLps };
  for (let sd = 0; sd < 2; sd++) {
    const bin = ws.sides[sd]!;
    if (bin.d.length < 10) continue;
    // the rim: the first bin well above the lumen, followed to its peak
    const hm = halfMaxEdge(bin.v, 1, minContrastHu);
    if (!hm) continue;
    const interpD = (x: number) => { const i = Math.floor(x); return i + 1 < bin.d.length ? bin.d[i]! + (bin.d[i + 1]! - bin.d[i]!) * (x - i) : bin.d[i]!; };
    const hmMm = interpD(hm.edgeMm);
    const peakMm = bin.d[hm.peak]!;
    // fit from 3σ inside the wall (not past the axis) to well beyond the peak
    const from = Math.max(0, hmMm - Math.max(1.5, 3 * sigma)), to = Math.min(maxRadiusMm, peakMm + Math.max(2, 3 * sigma));
    const idx = bin.d.map((d, n) => (d >= from && d <= to ? n : -1)).filter((n) => n >= 0);
    const dd = idx.map((n) => bin.d[n]!), vv = idx.map((n) => bin.v[n]!), ww = idx.map((n) => bin.n[n]!);
    // Through the slice: the voxels beside the lumen in the plane of u average it over the slice's box across
    // the lumen (|v| ≤ sliceHalfMm), where a round lumen's half-chord along u is √(r² − v²) < r: the edge seen is
    // the mean of the edges at those chords (a thick slice through an oblique tunnel reads it narrow: 0.3–0.4 mm
    // on 5 mm slices). Up to 3 mm slices (half-box under 1.5 mm across: the mean chord is short by about a²/6r,
    // under 0.15 mm on the smallest foramen, within the fit's own spread there, ±0.2 mm on the phantoms of
    // foramen-radius.test.ts) the edge itself is used.
    const a = ws.sliceHalfMm;
    const vs = a < 1.5 ? [0] : [-0.8, -0.4, 0, 0.4, 0.8].map((t) => t * a);
    const res = (r: number, w: number) => {
      const s = sigma;
      const e1s = vs.map((v) => { const c = Math.sqrt(Math.max(1e-6, r * r - v * v)); return c - (s * s) / (2 * c); });
      const e2s = vs.map((v) => { const c = Math.sqrt(Math.max(1e-6, (r + w) ** 2 - v * v)); return c - (s * s) / (2 * c); });
      return wallResidual(dd, vv, ww, e1s, e2s, s);
    };
    // the best radius per cortex thickness, kept: the thickness found is one already tried
    const bestRs = new Map<number, [number, number]>();
    const bestR = (w: number) => {
      let b = bestRs.get(w);
      if (!b) { b = minimise1d((r) => res(r, w), Math.max(0.5, hmMm - 0.6), hmMm + 1.6, 22, 0.01); bestRs.set(w, b); }
      return b;
    };
    const w = opts.cortexMm ?? minimise1d((w) => bestR(w)[1], 0.2, 3.2, 10, 0.05)[0];
    out.radiusMm[sd] = bestR(w)[0];
    out.cortexMm[sd] = w;
    out.halfMaxMm[sd] = hmMm;
  }
  return out;
}


/** Half-maximum edge of a profile (in sample units from its start) and its rim's peak index, or null without a clear rim. */
export function halfMaxEdge(prof: readonly number[], stepMm: number, minContrastHu = 300): { edgeMm: number; peak: number; lumen: number } | null {
  // the rim: the first peak rising well above the lumen
  let peak = -1;
  for (let n = 1; n < prof.length; n++) {
    if (prof[n]! > prof[peak < 0 ? 0 : peak]!) peak = n;
    else if (peak > 0 && prof[n]! < prof[peak]! - 150) break;
  }
  if (peak <= 0) return null;
  let lumen = Infinity;
  for (let n = 0; n < peak; n++) lumen = Math.min(lumen, prof[n]!);
  if (prof[peak]! - lumen < minContrastHu) return null;
  const half = (lumen + prof[peak]!) / 2;
  for (let n = 1; n <= peak; n++) {
    if (prof[n]! >= half) {
      const t = (half - prof[n - 1]!) / (prof[n]! - prof[n - 1]!);
      return { edgeMm: (n - 1 + t) * stepMm, peak, lumen };
    }
  }
  return null;
}
