/**
 * Local image evidence for landmarks (pure): a trilinear sampler walking in voxel index space, slab
 * images perpendicular to a direction, and the "hole" score of a ring of cortex around a lumen.
 *
 * The score compares a thin ring (the cortical rim) with the disk inside it, sector by sector, and
 * divides by the spread of the surrounding image, so it measures how clearly a wall encloses a lumen
 * relative to the local tissue, whatever the marrow's brightness. On CT the rim is brighter than the
 * lumen (cortex against fat and nerve); on MR T1 and T2 the cortex is a signal void and the fat around
 * the nerve is bright, so the polarity flips (`polarity` −1).
 */
import type { Vec3 } from '../core/vec3';
import { trilinearAtIndex, type ScalarVolume } from '../core/volume';
import { kthSmallest } from '../core/select';

/** Lumen darker than its rim (+1: CT) or brighter (−1: MR, cortex is a signal void). */
export function lumenPolarity(volume: Pick<ScalarVolume, 'modality' | 'units'>): 1 | -1 {
  return volume.modality === 'MR' || (volume.units !== 'HU' && volume.modality !== 'CT') ? -1 : 1;
}

/** A sampler over a volume: affine LPS → index once per frame, then trilinear in index space (NaN outside). */
export class IndexSampler {
  private readonly v: ArrayLike<number>;
  private readonly ni: number; private readonly nj: number; private readonly nk: number;
  private readonly tmp: Vec3 = [0, 0, 0];
  constructor(private readonly volume: ScalarVolume) {
    this.v = volume.voxels;
    [this.ni, this.nj, this.nk] = volume.geometry.dims;
  }
  /** Continuous index of an LPS point. */
  toIjk(p: Readonly<Vec3>): Vec3 {
    return this.volume.geometry.lpsToIjk([0, 0, 0], p);
  }
  /** Index-space displacement of an LPS direction (mm). */
  dirIjk(d: Readonly<Vec3>): Vec3 {
    const a = this.volume.geometry.lpsToIjk(this.tmp, [0, 0, 0]);
    const a0 = a[0], a1 = a[1], a2 = a[2];
    const b = this.volume.geometry.lpsToIjk([0, 0, 0], d);
    return [b[0] - a0, b[1] - a1, b[2] - a2];
  }
  /** Trilinear value at a continuous index (NaN outside the grid; a single-voxel axis is constant). */
  at(x: number, y: number, z: number): number {
    const ni = this.ni, nj = this.nj, nk = this.nk;
    if (!(x >= -0.5 && y >= -0.5 && z >= -0.5 && x <= ni - 0.5 && y <= nj - 0.5 && z <= nk - 0.5)) return NaN;
    x = Math.min(Math.max(x, 0), ni - 1); y = Math.min(Math.max(y, 0), nj - 1); z = Math.min(Math.max(z, 0), nk - 1);
    return trilinearAtIndex(this.v, this.volume.geometry.dims, x, y, z);
  }
  atLps(p: Readonly<Vec3>): number {
    const c = this.volume.geometry.lpsToIjk(this.tmp, p);
    return this.at(c[0], c[1], c[2]);
  }
  /**
   * Into `values` (n × n): per pixel (p, q) at index c + (p − half)·px·a + (q − half)·px·b, the mean of `at`
   * over the offsets `w`·t for w in `depths` (NaN where none is inside). The same arithmetic as calling `at`
   * per sample (`depthMean` per pixel: trilinearAtIndex written out, as a slab image is most of a foramen
   * fit's time); test/anatomy/local-image.test.ts checks the two agree to the bit.
   * Only the pixels within `reachPx` of the centre pixel are computed (the rest are NaN): a hole search reads
   * a disk around its centre (holeReachPx), and the square's corners would be a third to two thirds of the work.
   */
  slab(values: Float32Array, n: number, half: number, px: number, c: Readonly<Vec3>, a: Readonly<Vec3>, b: Readonly<Vec3>, t: Readonly<Vec3>, depths: readonly number[], reachPx = Infinity): void {
    const nd = depths.length;
    const tw = new Float64Array(3 * nd);
    for (let k = 0; k < nd; k++) { const w = depths[k]!; tw[3 * k] = t[0] * w; tw[3 * k + 1] = t[1] * w; tw[3 * k + 2] = t[2] * w; }
    const reach2 = reachPx * reachPx;
    for (let q = 0; q < n; q++) {
      const vq = (q - half) * px;
      // this row's pixels within the reach: |p − half| ≤ √(reach² − (q − half)²)
      const room = reach2 - (q - half) * (q - half);
      const w = room >= 0 ? Math.min(half, Math.floor(Math.sqrt(room))) : -1;
      const p0 = half - w, p1 = half + w;
      if (w < half) { const row = q * n; values.fill(NaN, row, row + Math.max(0, p0)); values.fill(NaN, row + Math.max(0, p1 + 1), row + n); }
      for (let p = Math.max(0, p0); p <= p1 && p < n; p++) {
        const up = (p - half) * px;
        const x0 = c[0] + a[0] * up + b[0] * vq, y0 = c[1] + a[1] * up + b[1] * vq, z0 = c[2] + a[2] * up + b[2] * vq;
        values[q * n + p] = this.depthMean(x0, y0, z0, tw);
      }
    }
  }

  /** One pixel of slab: the mean of the trilinear values at (x0, y0, z0) + tw (index space, xyz triples), NaN where none is inside. */
  depthMean(x0: number, y0: number, z0: number, tw: Float64Array): number {
    const v = this.v;
    const ni = this.ni, nj = this.nj, nk = this.nk;
    const hi = ni - 0.5, hj = nj - 0.5, hk = nk - 0.5, mi = ni - 1, mj = nj - 1, mk = nk - 1;
    const ci = Math.max(0, ni - 2), cj = Math.max(0, nj - 2), ck = Math.max(0, nk - 2);
    const di = ni > 1 ? 1 : 0, dj = nj > 1 ? ni : 0, dk = nk > 1 ? ni * nj : 0;
    let sum = 0, cnt = 0;
    for (let k = 0; k < tw.length; k += 3) {
      let x = x0 + tw[k]!, y = y0 + tw[k + 1]!, z = z0 + tw[k + 2]!;
      if (!(x >= -0.5 && y >= -0.5 && z >= -0.5 && x <= hi && y <= hj && z <= hk)) continue;
      x = Math.min(Math.max(x, 0), mi); y = Math.min(Math.max(y, 0), mj); z = Math.min(Math.max(z, 0), mk);
      const i0 = Math.min(Math.floor(x), ci), j0 = Math.min(Math.floor(y), cj), k0 = Math.min(Math.floor(z), ck);
      const tx = x - i0, ty = y - j0, tz = z - k0;
      const o = i0 + ni * (j0 + nj * k0);
      const c00 = v[o]! + (v[o + di]! - v[o]!) * tx, c10 = v[o + dj]! + (v[o + dj + di]! - v[o + dj]!) * tx;
      const c01 = v[o + dk]! + (v[o + dk + di]! - v[o + dk]!) * tx, c11 = v[o + dk + dj]! + (v[o + dk + dj + di]! - v[o + dk + dj]!) * tx;
      const c0 = c00 + (c10 - c00) * ty, c1 = c01 + (c11 - c01) * ty;
      const val = c0 + (c1 - c0) * tz;
      if (val === val) { sum += val; cnt++; }
    }
    return cnt ? sum / cnt : NaN;
  }
}

/**
 * A slab image (as IndexSampler.slab makes it) whose pixels are computed when slabAt first reads them: a hole
 * search scored against the best so far stops most rings after a few sectors, so it reads a fraction of the
 * disk that slab would fill. Each pixel is the same arithmetic as slab's (test/anatomy/local-image.test.ts).
 */
export class LazySlab implements SlabImage {
  readonly n: number;
  readonly half: number;
  readonly values: Float32Array;
  /** 1 where values holds the pixel. */
  readonly done: Uint8Array;
  private readonly tw: Float64Array;
  private readonly c: Vec3; private readonly a: Vec3; private readonly b: Vec3;
  constructor(private readonly s: IndexSampler, centre: Readonly<Vec3>, e1: Readonly<Vec3>, e2: Readonly<Vec3>, d: Readonly<Vec3>, halfMm: number, readonly pxMm: number, depthsMm: readonly number[]) {
    this.half = Math.round(halfMm / pxMm);
    this.n = 2 * this.half + 1;
    this.values = new Float32Array(this.n * this.n);
    this.done = new Uint8Array(this.n * this.n);
    this.c = s.toIjk(centre); this.a = s.dirIjk(e1); this.b = s.dirIjk(e2);
    const t = s.dirIjk(d), nd = depthsMm.length;
    this.tw = new Float64Array(3 * nd);
    for (let k = 0; k < nd; k++) { const w = depthsMm[k]!; this.tw[3 * k] = t[0] * w; this.tw[3 * k + 1] = t[1] * w; this.tw[3 * k + 2] = t[2] * w; }
  }
  /** Computes pixel `o` (= q·n + p) into values. */
  fill(o: number): void {
    const n = this.n, half = this.half, px = this.pxMm, c = this.c, a = this.a, b = this.b, tw = this.tw;
    const q = (o / n) | 0, p = o - q * n;
    const vq = (q - half) * px, up = (p - half) * px;
    const x0 = c[0] + a[0] * up + b[0] * vq, y0 = c[1] + a[1] * up + b[1] * vq, z0 = c[2] + a[2] * up + b[2] * vq;
    this.values[o] = this.s.depthMean(x0, y0, z0, tw);
    this.done[o] = 1;
  }
}

/** Two unit vectors perpendicular to `d` and to each other (a right-handed frame e1, e2, d). */
export function perpendicularBasis(d: Readonly<Vec3>): [Vec3, Vec3] {
  const a: Vec3 = Math.abs(d[0]) < 0.8 ? [1, 0, 0] : [0, 1, 0];
  let e1: Vec3 = [a[1] * d[2] - a[2] * d[1], a[2] * d[0] - a[0] * d[2], a[0] * d[1] - a[1] * d[0]];
  const n1 = Math.hypot(...e1);
  e1 = [e1[0] / n1, e1[1] / n1, e1[2] / n1];
  const e2: Vec3 = [d[1] * e1[2] - d[2] * e1[1], d[2] * e1[0] - d[0] * e1[2], d[0] * e1[1] - d[1] * e1[0]];
  return [e1, e2];
}

/** A square image in the plane through `centre` spanned by e1, e2: the mean over `depths` (mm along d). */
export interface SlabImage {
  /** Pixels per side; pixel (a, b) sits at centre + (a − half)·px·e1 + (b − half)·px·e2. */
  n: number;
  half: number;
  pxMm: number;
  values: Float32Array;
}

/** Pixels (a, b) within `reachPx` of the centre pixel are computed, the rest left NaN (IndexSampler.slab). */
export function slabImage(s: IndexSampler, centre: Readonly<Vec3>, e1: Readonly<Vec3>, e2: Readonly<Vec3>, d: Readonly<Vec3>, halfMm: number, pxMm: number, depthsMm: readonly number[], out?: Float32Array, reachPx = Infinity): SlabImage {
  const half = Math.round(halfMm / pxMm), n = 2 * half + 1;
  const values = out && out.length >= n * n ? out : new Float32Array(n * n);
  s.slab(values, n, half, pxMm, s.toIjk(centre), s.dirIjk(e1), s.dirIjk(e2), s.dirIjk(d), depthsMm, reachPx);
  return { n, half, pxMm, values };
}

/** Bilinear value of a slab image at pixel coordinates (NaN outside). */
export function slabAt(img: SlabImage, x: number, y: number): number {
  const n = img.n;
  if (x < 0 || y < 0 || x > n - 1 || y > n - 1) return NaN;
  const x0 = Math.min(Math.floor(x), n - 2), y0 = Math.min(Math.floor(y), n - 2);
  const tx = x - x0, ty = y - y0, v = img.values, o = y0 * n + x0;
  if (img instanceof LazySlab) {
    const d = img.done;
    if (!d[o]) img.fill(o);
    if (!d[o + 1]) img.fill(o + 1);
    if (!d[o + n]) img.fill(o + n);
    if (!d[o + n + 1]) img.fill(o + n + 1);
  }
  const a = v[o]! + (v[o + 1]! - v[o]!) * tx, b = v[o + n]! + (v[o + n + 1]! - v[o + n]!) * tx;
  return a + (b - a) * ty;
}

/** Robust spread of an image: 1.4826 × median absolute deviation (the σ of normal noise), over finite values. */
export function robustSpread(values: ArrayLike<number>): number {
  const a = new Float64Array(values.length);
  let n = 0;
  for (let i = 0; i < values.length; i++) { const v = values[i]!; if (v === v) a[n++] = v; }
  if (n < 3) return NaN;
  // the medians by selection (the values a sort would put in the middle: a fit takes about 2000 of them per click)
  const med = kthSmallest(a, n, n >> 1);
  for (let i = 0; i < n; i++) a[i] = Math.abs(a[i]! - med);
  return 1.4826 * kthSmallest(a, n, n >> 1);
}

/** The outer of holeScore's two rim samples lies this far (mm) beyond the lumen's radius. */
const RIM_OUTER_MM = 1.5;

/**
 * The farthest pixel (from the search centre) that holeScore reads for lumen centres within `searchPx` of it and
 * radii up to `maxRadiusMm`: the outer rim sample at r + 1.5 mm, and the bilinear neighbours within √2 px of it.
 */
export function holeReachPx(searchPx: number, maxRadiusMm: number, pxMm: number): number {
  return searchPx + (maxRadiusMm + RIM_OUTER_MM) / pxMm + 1.5;
}

export const RING_SECTORS = 16;
const INNER_RINGS = [0.3, 0.6];
const COS = Array.from({ length: RING_SECTORS }, (_, k) => Math.cos((2 * Math.PI * k) / RING_SECTORS));
const SIN = Array.from({ length: RING_SECTORS }, (_, k) => Math.sin((2 * Math.PI * k) / RING_SECTORS));

/**
 * Hole score of a lumen of radius `rMm` centred at pixel (cx, cy): per sector, the rim value (the
 * brighter — for polarity −1 the darker — of two samples at r + 0.5 and r + 1.5 mm, where a thin
 * cortex sits after blur) minus the mean of the inner disk (0.6 r); the score is the 4th lowest of 16
 * sector contrasts (the rim must close round at least three quarters of the lumen), in image units
 * times polarity. NaN when the lumen or ring leaves the image.
 * With a `floor` (a search keeping its best): NaN as well as soon as `score / spread − minusA − minusB` (the
 * caller's own expression) cannot exceed it, so the rest of the ring is not sampled; the score the caller would
 * have computed from the full ring is then ≤ the floor too (the 4th lowest only falls as sectors are added and
 * each step of the expression is monotonic in floating point).
 */
export function holeScore(img: SlabImage, cx: number, cy: number, rMm: number, polarity: 1 | -1, spread = 1, minusA = 0, minusB = 0, floor = -Infinity): { score: number; lumen: number } {
  const px = img.pxMm;
  const early = floor > -Infinity;
  // inner disk: a centre sample and two rings at 0.3 r and 0.6 r (8 samples each)
  let sum = slabAt(img, cx, cy), cnt = 1;
  for (const f of INNER_RINGS) {
    const rr = (f * rMm) / px;
    for (let k = 0; k < RING_SECTORS; k += 2) { sum += slabAt(img, cx + rr * COS[k]!, cy + rr * SIN[k]!); cnt++; }
  }
  const lumen = sum / cnt;
  if (!(lumen === lumen)) return { score: NaN, lumen };
  const r1 = (rMm + 0.5) / px, r2 = (rMm + RIM_OUTER_MM) / px;
  // the 4th lowest of the 16 sector contrasts, kept in a sorted window of four (no allocation)
  let q0 = Infinity, q1 = Infinity, q2 = Infinity, q3 = Infinity;
  for (let k = 0; k < RING_SECTORS; k++) {
    const a = slabAt(img, cx + r1 * COS[k]!, cy + r1 * SIN[k]!), b = slabAt(img, cx + r2 * COS[k]!, cy + r2 * SIN[k]!);
    if (!(a === a) || !(b === b)) return { score: NaN, lumen };
    const c = polarity * ((polarity > 0 ? Math.max(a, b) : Math.min(a, b)) - lumen);
    if (c < q3) {
      if (c < q0) { q3 = q2; q2 = q1; q1 = q0; q0 = c; }
      else if (c < q1) { q3 = q2; q2 = q1; q1 = c; }
      else if (c < q2) { q3 = q2; q2 = c; }
      else q3 = c;
    }
    // more sectors can only lower the 4th lowest: stop once it cannot beat the caller's floor
    if (early && k >= 3 && q3 / spread - minusA - minusB <= floor) return { score: NaN, lumen };
  }
  return { score: q3, lumen };
}
