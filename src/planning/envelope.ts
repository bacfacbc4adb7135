/**
 * The sacral envelope and its signed distance field (pure).
 *
 * The envelope is the sacrum bone mask (from landmark detection) with the canal and the foramina
 * filled in and internal holes closed: the same "outer sacral envelope" the phantom uses to judge
 * anterior-cortex breaches (../shared/phantom/README.md). Its signed distance field (mm, negative
 * inside) lives on an LPS-aligned working grid (1 mm by default) cropped to the sacrum plus a
 * margin, built with the exact Euclidean distance transform (Felzenszwalb & Huttenlocher 2012,
 * segmentation/morphology.ts). The needle is marched through it to find where it enters and
 * leaves the sacrum, through which surface (outward normal compared with the local sacral axes),
 * its bone path, and how far the tip is from the anterior cortex.
 *
 * Foramina and canal clearances do not use this field: they are exact (planning/distance.ts).
 */
import type { Vec3 } from '../core/vec3';
import type { ScalarVolume } from '../core/volume';
import type { SacralAnatomy } from '../anatomy/types';
import type { FittedSacralFrame } from '../anatomy/frame';
import { makeWorkGrid, type WorkGrid } from '../anatomy/detect-grid';
import { dilateMask, erodeMask, fillHolesMask, squaredDistanceTo } from '../segmentation/morphology';
import { nonZeroBox } from '../segmentation/grid';
import { pointSegmentDistance, roundConeSdf } from '../anatomy/zones';
import type { CortexCrossing } from './types';
import { nowMs } from '../core/clock';
import type { LabelMap } from '../segmentation/labelmap';

export interface SacralEnvelope {
  grid: WorkGrid;
  /** Signed distance to the envelope surface, mm (negative inside). */
  sdf: Float32Array;
  buildMs: number;
}

export interface EnvelopeOptions {
  spacingMm?: number;
  marginMm?: number;
  /**
   * Voxels to add to the envelope on the volume's grid (non-zero = inside), e.g. the lesion label
   * map: a lytic lesion at the edge of the sacrum is a hole in the bone mask, not outside the sacrum.
   */
  extraMask?: Uint8Array | null;
  /**
   * Morphological closing radius (mm) applied before the holes are filled: a lytic lesion that has
   * eaten through the cortex leaves a gap in the bone surface narrower than 2 × this radius, which
   * the closing bridges, so its cavity becomes a hole of the bone and is filled (inside), while a
   * part beyond the original surface stays outside. 0: no closing.
   */
  closeMm?: number;
}

/**
 * Builds the envelope from a sacrum mask on the volume's grid plus the landmarks.
 * Returns null when the mask is empty.
 */
export function buildSacralEnvelope(volume: ScalarVolume, sacrumMask: Uint8Array, anatomy: SacralAnatomy | null, opts: EnvelopeOptions = {}): SacralEnvelope | null {
  const t0 = nowMs();
  const geo = volume.geometry;
  const [ni, nj, nk] = geo.dims;
  const box = nonZeroBox(sacrumMask, geo.dims);
  if (!box) return null;
  const [i0, j0, k0, i1, j1, k1] = box;
  const margin = opts.marginMm ?? 20;
  const min: Vec3 = [Infinity, Infinity, Infinity], max: Vec3 = [-Infinity, -Infinity, -Infinity];
  for (const i of [i0, i1]) for (const j of [j0, j1]) for (const k of [k0, k1]) {
    const p = geo.ijkToLps([0, 0, 0], i, j, k);
    for (let a = 0; a < 3; a++) { min[a] = Math.min(min[a]!, p[a]! - margin); max[a] = Math.max(max[a]!, p[a]! + margin); }
  }
  const sp = geo.spacingMm;
  const h = opts.spacingMm ?? Math.min(1.5, Math.max(1, Math.cbrt(sp[0] * sp[1] * sp[2])));
  const g = makeWorkGrid(min, max, h);
  const [na, nb, nc] = g.dims;
  const mask = new Uint8Array(na * nb * nc);
  const extra = opts.extraMask ?? null;
  // Nearest-voxel resampling of the sacrum mask: incremental ijk along a (LPS-aligned grid).
  const q: Vec3 = [0, 0, 0], q1: Vec3 = [0, 0, 0];
  geo.lpsToIjk(q, g.originLps);
  geo.lpsToIjk(q1, [g.originLps[0] + h, g.originLps[1], g.originLps[2]]);
  const da = [q1[0] - q[0], q1[1] - q[1], q1[2] - q[2]];
  for (let c = 0, n = 0; c < nc; c++) for (let b = 0; b < nb; b++) {
    geo.lpsToIjk(q, [g.originLps[0], g.originLps[1] + b * h, g.originLps[2] + c * h]);
    let fi = q[0], fj = q[1], fk = q[2];
    for (let a = 0; a < na; a++, n++, fi += da[0]!, fj += da[1]!, fk += da[2]!) {
      const i = Math.round(fi), j = Math.round(fj), k = Math.round(fk);
      if (i < 0 || j < 0 || k < 0 || i >= ni || j >= nj || k >= nk) continue;
      const o = i + ni * (j + nj * k);
      if (sacrumMask[o] || (extra && extra[o])) mask[n] = 1;
    }
  }
  if (anatomy) {
    for (const f of anatomy.foramina) rasterise(mask, g, f.anteriorLps, f.posteriorLps, f.radiusMm, f.radiusMm, 'capsule');
    const canal = anatomy.canal;
    if (canal) for (let i = 0; i + 1 < canal.centerlineLps.length; i++) {
      rasterise(mask, g, canal.centerlineLps[i]!, canal.centerlineLps[i + 1]!, canal.radiusMm[i]!, canal.radiusMm[i + 1]!, 'cone');
    }
  }
  const spacing: Vec3 = [h, h, h];
  const closeMm = opts.closeMm ?? 0;
  const closed = closeMm > 0 ? erodeClosing(mask, g.dims, spacing, closeMm) : mask;
  const filled = fillHolesMask(closed, g.dims);
  const dOut = squaredDistanceTo(filled, g.dims, spacing, 1);
  const dIn = squaredDistanceTo(filled, g.dims, spacing, 0);
  const sdf = new Float32Array(filled.length);
  const half = h / 2;
  for (let n = 0; n < sdf.length; n++) sdf[n] = filled[n] ? half - Math.sqrt(dIn[n]!) : Math.sqrt(dOut[n]!) - half;
  return { grid: g, sdf, buildMs: nowMs() - t0 };
}

/** Closing (dilation then erosion by a ball of radiusMm), keeping the original voxels. */
function erodeClosing(mask: Uint8Array, dims: readonly [number, number, number], spacing: Vec3, radiusMm: number): Uint8Array {
  const dil = dilateMask(mask, dims, spacing, radiusMm);
  const out = erodeMask(dil, dims, spacing, radiusMm);
  for (let n = 0; n < out.length; n++) if (mask[n]) out[n] = 1;
  return out;
}

function rasterise(mask: Uint8Array, g: WorkGrid, a: Readonly<Vec3>, b: Readonly<Vec3>, r0: number, r1: number, kind: 'capsule' | 'cone'): void {
  const h = g.spacingMm, o = g.originLps;
  const r = Math.max(r0, r1);
  const lo = [0, 1, 2].map((t) => Math.max(0, Math.floor((Math.min(a[t]!, b[t]!) - r - o[t]!) / h)));
  const hi = [0, 1, 2].map((t) => Math.min(g.dims[t]! - 1, Math.ceil((Math.max(a[t]!, b[t]!) + r - o[t]!) / h)));
  const [na, nb] = g.dims;
  for (let c = lo[2]!; c <= hi[2]!; c++) for (let bb = lo[1]!; bb <= hi[1]!; bb++) for (let aa = lo[0]!; aa <= hi[0]!; aa++) {
    const x = o[0] + aa * h, y = o[1] + bb * h, z = o[2] + c * h;
    const inside = kind === 'capsule' ? pointSegmentDistance(x, y, z, a, b) <= r0 : roundConeSdf(x, y, z, a, b, r0, r1) <= 0;
    if (inside) mask[aa + na * (bb + nb * c)] = 1;
  }
}

/** Trilinear SDF at an LPS point; outside the grid: distance to the grid box plus the value at the nearest face. */
export function envelopeSdf(env: SacralEnvelope, x: number, y: number, z: number): number {
  const g = env.grid, h = g.spacingMm;
  const [na, nb, nc] = g.dims;
  let fa = (x - g.originLps[0]) / h, fb = (y - g.originLps[1]) / h, fc = (z - g.originLps[2]) / h;
  let extra = 0;
  const ca = Math.min(Math.max(fa, 0), na - 1), cb = Math.min(Math.max(fb, 0), nb - 1), cc = Math.min(Math.max(fc, 0), nc - 1);
  if (ca !== fa || cb !== fb || cc !== fc) {
    extra = Math.hypot(fa - ca, fb - cb, fc - cc) * h;
    fa = ca; fb = cb; fc = cc;
  }
  const a0 = Math.min(Math.floor(fa), na - 2 < 0 ? 0 : na - 2), b0 = Math.min(Math.floor(fb), nb - 2 < 0 ? 0 : nb - 2), c0 = Math.min(Math.floor(fc), nc - 2 < 0 ? 0 : nc - 2);
  const ta = fa - a0, tb = fb - b0, tc = fc - c0;
  const s = env.sdf;
  const n = a0 + na * (b0 + nb * c0);
  const da = na > 1 ? 1 : 0, db = nb > 1 ? na : 0, dc = nc > 1 ? na * nb : 0;
  const v00 = s[n]! + (s[n + da]! - s[n]!) * ta;
  const v10 = s[n + db]! + (s[n + db + da]! - s[n + db]!) * ta;
  const v01 = s[n + dc]! + (s[n + dc + da]! - s[n + dc]!) * ta;
  const v11 = s[n + dc + db]! + (s[n + dc + db + da]! - s[n + dc + db]!) * ta;
  const v0 = v00 + (v10 - v00) * tb, v1 = v01 + (v11 - v01) * tb;
  return v0 + (v1 - v0) * tc + extra;
}

/** Outward unit normal (gradient of the SDF) at a point, into `out`. */
export function envelopeNormal(out: Vec3, env: SacralEnvelope, x: number, y: number, z: number): Vec3 {
  const e = env.grid.spacingMm;
  out[0] = envelopeSdf(env, x + e, y, z) - envelopeSdf(env, x - e, y, z);
  out[1] = envelopeSdf(env, x, y + e, z) - envelopeSdf(env, x, y - e, z);
  out[2] = envelopeSdf(env, x, y, z + e) - envelopeSdf(env, x, y, z - e);
  const l = Math.hypot(out[0], out[1], out[2]) || 1;
  out[0] /= l; out[1] /= l; out[2] /= l;
  return out;
}

/** Local sacral axes at a point: lateral (+left), caudal (+s) and dorsal (+q); LPS axes without a frame. */
export function localAxes(frame: FittedSacralFrame | null, p: Readonly<Vec3>): { ex: Vec3; es: Vec3; eq: Vec3 } {
  if (!frame) return { ex: [1, 0, 0], es: [0, 0, -1], eq: [0, 1, 0] };
  const l: Vec3 = frame.toLocal([0, 0, 0], p[0], p[1], p[2]);
  const a = frame.toLps([0, 0, 0], l[0], l[1] + 1, l[2]), b = frame.toLps([0, 0, 0], l[0], l[1] - 1, l[2]);
  const c = frame.toLps([0, 0, 0], l[0], l[1], l[2] + 1), d = frame.toLps([0, 0, 0], l[0], l[1], l[2] - 1);
  const es = unit([a[0] - b[0], a[1] - b[1], a[2] - b[2]]);
  const eq = unit([c[0] - d[0], c[1] - d[1], c[2] - d[2]]);
  return { ex: unit([...frame.normalLps] as Vec3), es, eq };
}

function unit(v: Vec3): Vec3 {
  const l = Math.hypot(v[0], v[1], v[2]) || 1;
  return [v[0] / l, v[1] / l, v[2] / l];
}

/** Surface class of an outward normal against the local sacral axes (largest |dot|). */
export function surfaceClass(n: Readonly<Vec3>, axes: { ex: Vec3; es: Vec3; eq: Vec3 }): CortexCrossing['surface'] {
  const dq = n[0] * axes.eq[0] + n[1] * axes.eq[1] + n[2] * axes.eq[2];
  const ds = n[0] * axes.es[0] + n[1] * axes.es[1] + n[2] * axes.es[2];
  const dx = n[0] * axes.ex[0] + n[1] * axes.ex[1] + n[2] * axes.ex[2];
  const aq = Math.abs(dq), as = Math.abs(ds), ax = Math.abs(dx);
  if (aq >= as && aq >= ax) return dq > 0 ? 'posterior' : 'anterior';
  if (as >= ax) return ds > 0 ? 'inferior' : 'superior';
  return 'lateral';
}

/**
 * Crossings of the envelope surface along p0 → p1 (marched every `stepMm`, refined by bisection
 * to 1e-3 mm), with the surface class of each. `atMm` is measured from p0.
 */
export function envelopeCrossings(env: SacralEnvelope, frame: FittedSacralFrame | null, p0: Readonly<Vec3>, p1: Readonly<Vec3>, stepMm = 0.5): CortexCrossing[] {
  const dx = p1[0] - p0[0], dy = p1[1] - p0[1], dz = p1[2] - p0[2];
  const L = Math.hypot(dx, dy, dz);
  const out: CortexCrossing[] = [];
  if (!(L > 0)) return out;
  const ux = dx / L, uy = dy / L, uz = dz / L;
  const f = (t: number) => envelopeSdf(env, p0[0] + ux * t, p0[1] + uy * t, p0[2] + uz * t);
  const n = Math.max(1, Math.ceil(L / stepMm));
  let tPrev = 0, vPrev = f(0);
  const nrm: Vec3 = [0, 0, 0];
  for (let s = 1; s <= n; s++) {
    const t = (s / n) * L;
    const v = f(t);
    if ((vPrev > 0) !== (v > 0)) {
      let a = tPrev, b = t, va = vPrev;
      while (b - a > 1e-3) {
        const m = (a + b) / 2, vm = f(m);
        if ((vm > 0) === (va > 0)) { a = m; va = vm; } else b = m;
      }
      const tm = (a + b) / 2;
      const p: Vec3 = [p0[0] + ux * tm, p0[1] + uy * tm, p0[2] + uz * tm];
      envelopeNormal(nrm, env, p[0], p[1], p[2]);
      out.push({ kind: vPrev > 0 ? 'enter' : 'exit', surface: surfaceClass(nrm, localAxes(frame, p)), atMm: tm, pointLps: p });
    }
    tPrev = t; vPrev = v;
  }
  return out;
}

/**
 * Euclidean distance from an inside point to the nearest part of the envelope surface of one
 * class (e.g. the anterior cortex), or null when none is reached: rays within `coneDeg` of the
 * class's outward direction are sphere-traced through the distance field to the surface (the
 * step is the field's value, which never overshoots), and the nearest exit of that class counts.
 */
export function distanceToSurfaceClass(env: SacralEnvelope, frame: FittedSacralFrame | null, p: Readonly<Vec3>, cls: CortexCrossing['surface'], coneDeg = 70, maxMm = 80): number | null {
  const axes = localAxes(frame, p);
  const out: Vec3 = cls === 'anterior' ? neg(axes.eq) : cls === 'posterior' ? axes.eq : cls === 'superior' ? neg(axes.es) : cls === 'inferior' ? axes.es : axes.ex;
  const ref: Vec3 = Math.abs(out[0]) < 0.9 ? [1, 0, 0] : [0, 1, 0];
  const u1 = unit([out[1] * ref[2] - out[2] * ref[1], out[2] * ref[0] - out[0] * ref[2], out[0] * ref[1] - out[1] * ref[0]]);
  const u2: Vec3 = [out[1] * u1[2] - out[2] * u1[1], out[2] * u1[0] - out[0] * u1[2], out[0] * u1[1] - out[1] * u1[0]];
  let best: number | null = null;
  const nrm: Vec3 = [0, 0, 0];
  const rings = 7, perRing = 16;
  for (let a = 0; a <= rings; a++) {
    const th = ((coneDeg * Math.PI) / 180) * (a / rings);
    for (let b = 0; b < (a === 0 ? 1 : perRing); b++) {
      const ph = (2 * Math.PI * b) / perRing;
      const d: Vec3 = [0, 1, 2].map((i) => out[i]! * Math.cos(th) + (u1[i]! * Math.cos(ph) + u2[i]! * Math.sin(ph)) * Math.sin(th)) as Vec3;
      let t = 0;
      let v = envelopeSdf(env, p[0], p[1], p[2]);
      if (v >= 0) return 0;
      while (t < maxMm && v < -1e-3) {
        t += Math.max(-v, 0.05);
        v = envelopeSdf(env, p[0] + d[0] * t, p[1] + d[1] * t, p[2] + d[2] * t);
      }
      if (v < -1e-3 || (best !== null && t >= best)) continue;
      // refine the crossing, then classify it
      let lo = Math.max(0, t - 1), hi = t;
      for (let it = 0; it < 30; it++) {
        const m = (lo + hi) / 2;
        if (envelopeSdf(env, p[0] + d[0] * m, p[1] + d[1] * m, p[2] + d[2] * m) < 0) lo = m; else hi = m;
      }
      const q: Vec3 = [p[0] + d[0] * hi, p[1] + d[1] * hi, p[2] + d[2] * hi];
      envelopeNormal(nrm, env, q[0], q[1], q[2]);
      if (surfaceClass(nrm, localAxes(frame, q)) === cls) best = hi;
    }
  }
  return best;
}

function neg(v: Vec3): Vec3 {
  return [-v[0], -v[1], -v[2]];
}

/** Whether an LPS point lies in a foramen's capsule or the canal's cone chain (their lumens). */
function inLumen(anatomy: SacralAnatomy, p: Readonly<Vec3>): boolean {
  for (const f of anatomy.foramina) if (pointSegmentDistance(p[0], p[1], p[2], f.anteriorLps, f.posteriorLps) <= f.radiusMm) return true;
  const c = anatomy.canal;
  if (c) for (let i = 0; i + 1 < c.centerlineLps.length; i++) {
    if (roundConeSdf(p[0], p[1], p[2], c.centerlineLps[i]!, c.centerlineLps[i + 1]!, c.radiusMm[i]!, c.radiusMm[i + 1]!) <= 0) return true;
  }
  return false;
}

/**
 * How much of a lesion lies outside the sacral envelope (the bone with its foramina, canal and
 * cavities filled, built with `closeMm` so that a lytic lesion's own hole through the cortex counts
 * as bone): lesion voxels whose centre is more than `toleranceMm` beyond the envelope surface.
 * The tolerance (default half the largest voxel edge) keeps the partial-volume voxel of a lesion
 * ending on the cortex from counting. A lesion reaching into a foramen or the canal is inside the
 * envelope: that is erosion of a neuroforamen or epidural extension (segmentation/criteria.ts),
 * not "outside the sacrum". With `lumens`, an envelope built from the bone alone gives the same
 * answer by testing the few voxels beyond it against the foramina and canal: the envelope then
 * follows the sacrum mask only and is not rebuilt while a landmark is dragged.
 */
export function lesionOutsideEnvelope(labels: LabelMap, label: number, env: SacralEnvelope, toleranceMm?: number, lumens: SacralAnatomy | null = null): { voxels: number; volumeMl: number; fraction: number } {
  const geo = labels.geometry;
  const tol = toleranceMm ?? Math.max(...geo.spacingMm) / 2;
  const { count, beyondLps } = beyondEnvelope(labels, label, env, tol);
  let out = 0;
  const p: Vec3 = [0, 0, 0];
  for (let a = 0; a < beyondLps.length; a += 3) {
    p[0] = beyondLps[a]!; p[1] = beyondLps[a + 1]!; p[2] = beyondLps[a + 2]!;
    if (!(lumens && inLumen(lumens, p))) out++;
  }
  return { voxels: out, volumeMl: (out * geo.voxelVolumeMm3) / 1000, fraction: count ? out / count : 0 };
}

/** The lesion voxels beyond the envelope, per label map, label, envelope and tolerance (see beyondEnvelope). */
const beyondCache = new WeakMap<LabelMap, Map<number, { version: number; env: SacralEnvelope; tol: number; count: number; beyondLps: Float64Array }>>();

/**
 * The centres (LPS, xyz interleaved) of a lesion's voxels more than `tol` beyond the envelope surface, and the
 * lesion's voxel count; kept until the label map or the envelope changes, so that a landmark drag (which
 * changes only the lumens, lesionOutsideEnvelope) tests only those few voxels again.
 */
function beyondEnvelope(labels: LabelMap, label: number, env: SacralEnvelope, tol: number): { count: number; beyondLps: Float64Array } {
  let m = beyondCache.get(labels);
  if (!m) { m = new Map(); beyondCache.set(labels, m); }
  const hit = m.get(label);
  if (hit && hit.version === labels.version && hit.env === env && hit.tol === tol) return hit;
  const geo = labels.geometry;
  const [ni, nj] = geo.dims;
  const offs = labels.offsetsOf(label);
  const p: Vec3 = [0, 0, 0];
  const beyond: number[] = [];
  for (let a = 0; a < offs.length; a++) {
    const o = offs[a]!;
    const k = (o / (ni * nj)) | 0, r = o - k * ni * nj, j = (r / ni) | 0, i = r - j * ni;
    geo.ijkToLps(p, i, j, k);
    if (envelopeSdf(env, p[0], p[1], p[2]) > tol) beyond.push(p[0], p[1], p[2]);
  }
  const e = { version: labels.version, env, tol, count: offs.length, beyondLps: Float64Array.from(beyond) };
  m.set(label, e);
  return e;
}
