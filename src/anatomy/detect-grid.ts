/**
 * Working grids for landmark detection: an axis-aligned LPS grid (isotropic spacing h) onto which a
 * ScalarVolume of any orientation is resampled, and the mapping of a working-grid mask back onto the
 * volume's own grid. Working in LPS-aligned voxels makes "left-right", "anterior-posterior" and
 * "cranial-caudal" array axes, so oblique or reversed acquisitions give the same detection.
 *
 * Convention: working index (a, b, c) is the voxel centre at originLps + h·(a, b, c); a runs along
 * +x (patient left), b along +y (posterior), c along +z (superior).
 */
import type { ScalarVolume } from '../core/volume';
import type { Vec3 } from '../core/vec3';
import { nonZeroBox } from '../segmentation/grid';

export interface WorkGrid {
  dims: [number, number, number];
  spacingMm: number;
  originLps: Vec3;
}

export function workOffset(g: WorkGrid, a: number, b: number, c: number): number {
  return a + g.dims[0] * (b + g.dims[1] * c);
}

export function workToLps(g: WorkGrid, a: number, b: number, c: number): Vec3 {
  const h = g.spacingMm;
  return [g.originLps[0] + a * h, g.originLps[1] + b * h, g.originLps[2] + c * h];
}

export function lpsToWork(g: WorkGrid, p: Readonly<Vec3>): Vec3 {
  const h = g.spacingMm;
  return [(p[0] - g.originLps[0]) / h, (p[1] - g.originLps[1]) / h, (p[2] - g.originLps[2]) / h];
}

/** Offset of the working voxel nearest the LPS point (x, y, z), or −1 outside the grid. */
export function workOffsetAt(g: WorkGrid, x: number, y: number, z: number): number {
  const h = g.spacingMm, o = g.originLps, [na, nb, nc] = g.dims;
  const a = Math.round((x - o[0]) / h), b = Math.round((y - o[1]) / h), c = Math.round((z - o[2]) / h);
  return a < 0 || b < 0 || c < 0 || a >= na || b >= nb || c >= nc ? -1 : a + na * (b + nb * c);
}

/**
 * Trilinear value of a working-grid image at the LPS point (x, y, z). `edge`: 'nan' gives NaN where the
 * point's cell is not wholly inside the grid; 'clamp' clamps the cell and its weights to the grid.
 */
export function sampleWork(work: Float32Array, g: WorkGrid, x: number, y: number, z: number, edge: 'nan' | 'clamp'): number {
  const h = g.spacingMm, o = g.originLps, [na, nb, nc] = g.dims, nab = na * nb;
  const fa = (x - o[0]) / h, fb = (y - o[1]) / h, fc = (z - o[2]) / h;
  let a0 = Math.floor(fa), b0 = Math.floor(fb), c0 = Math.floor(fc);
  let ta: number, tb: number, tc: number;
  if (edge === 'nan') {
    if (a0 < 0 || b0 < 0 || c0 < 0 || a0 + 1 >= na || b0 + 1 >= nb || c0 + 1 >= nc) return NaN;
    ta = fa - a0; tb = fb - b0; tc = fc - c0;
  } else {
    a0 = Math.max(0, Math.min(na - 2, a0)); b0 = Math.max(0, Math.min(nb - 2, b0)); c0 = Math.max(0, Math.min(nc - 2, c0));
    ta = Math.max(0, Math.min(1, fa - a0)); tb = Math.max(0, Math.min(1, fb - b0)); tc = Math.max(0, Math.min(1, fc - c0));
  }
  const n = a0 + na * (b0 + nb * c0);
  const l = (m: number) => work[m]! * (1 - ta) + work[m + 1]! * ta;
  const v0 = l(n) * (1 - tb) + l(n + na) * tb, v1 = l(n + nab) * (1 - tb) + l(n + nab + na) * tb;
  return v0 * (1 - tc) + v1 * tc;
}

/** LPS bounding box (min, max) of the voxel centres of a volume. */
export function volumeBoundsLps(volume: ScalarVolume): { min: Vec3; max: Vec3 } {
  const corners = volume.geometry.cornersLps();
  const min: Vec3 = [Infinity, Infinity, Infinity], max: Vec3 = [-Infinity, -Infinity, -Infinity];
  for (const c of corners) for (let a = 0; a < 3; a++) { min[a] = Math.min(min[a]!, c[a]!); max[a] = Math.max(max[a]!, c[a]!); }
  return { min, max };
}

/**
 * Builds a working grid covering the LPS box [min, max] with spacing h. The origin is snapped to
 * the box minimum so that, for an LPS-aligned volume sampled at its own spacing, working centres
 * coincide with voxel centres (resampling is then an exact copy).
 */
export function makeWorkGrid(min: Readonly<Vec3>, max: Readonly<Vec3>, h: number): WorkGrid {
  const dims: [number, number, number] = [1, 1, 1];
  for (let a = 0; a < 3; a++) dims[a] = Math.max(1, Math.floor((max[a]! - min[a]!) / h + 1e-6) + 1);
  return { dims, spacingMm: h, originLps: [min[0], min[1], min[2]] };
}

/**
 * Resamples a volume onto a working grid by trilinear interpolation (outside the volume: `fill`).
 * With `sub` > 1 each working voxel is the mean of sub³ trilinear samples spread over its cell
 * (a box prefilter for coarse grids).
 */
export function resampleToWork(volume: ScalarVolume, g: WorkGrid, fill = -1024, sub = 1): Float32Array {
  const geo = volume.geometry;
  const [ni, nj, nk] = geo.dims;
  const src = volume.voxels;
  const nij = ni * nj;
  const out = new Float32Array(g.dims[0] * g.dims[1] * g.dims[2]);
  const h = g.spacingMm;
  const base = geo.lpsToIjk([0, 0, 0], g.originLps);
  const ex = geo.lpsToIjk([0, 0, 0], [g.originLps[0] + h, g.originLps[1], g.originLps[2]]);
  const ey = geo.lpsToIjk([0, 0, 0], [g.originLps[0], g.originLps[1] + h, g.originLps[2]]);
  const ez = geo.lpsToIjk([0, 0, 0], [g.originLps[0], g.originLps[1], g.originLps[2] + h]);
  const da: Vec3 = [ex[0] - base[0], ex[1] - base[1], ex[2] - base[2]];
  const db: Vec3 = [ey[0] - base[0], ey[1] - base[1], ey[2] - base[2]];
  const dc: Vec3 = [ez[0] - base[0], ez[1] - base[1], ez[2] - base[2]];
  const offs: number[] = [];
  for (let s = 0; s < sub; s++) offs.push(sub === 1 ? 0 : (s + 0.5) / sub - 0.5);
  const sample = (fi: number, fj: number, fk: number): number => {
    if (fi < -0.5 || fj < -0.5 || fk < -0.5 || fi > ni - 0.5 || fj > nj - 0.5 || fk > nk - 0.5) return fill;
    const ci = Math.min(Math.max(fi, 0), ni - 1), cj = Math.min(Math.max(fj, 0), nj - 1), ck = Math.min(Math.max(fk, 0), nk - 1);
    const i0 = Math.min(Math.floor(ci), ni - 2 < 0 ? 0 : ni - 2), j0 = Math.min(Math.floor(cj), nj - 2 < 0 ? 0 : nj - 2), k0 = Math.min(Math.floor(ck), nk - 2 < 0 ? 0 : nk - 2);
    const ti = ni > 1 ? ci - i0 : 0, tj = nj > 1 ? cj - j0 : 0, tk = nk > 1 ? ck - k0 : 0;
    const si = ni > 1 ? 1 : 0, sj = nj > 1 ? ni : 0, sk = nk > 1 ? nij : 0;
    const o = i0 + ni * j0 + nij * k0;
    const v000 = src[o]!, v100 = src[o + si]!, v010 = src[o + sj]!, v110 = src[o + si + sj]!;
    const v001 = src[o + sk]!, v101 = src[o + si + sk]!, v011 = src[o + sj + sk]!, v111 = src[o + si + sj + sk]!;
    const a0 = v000 + (v100 - v000) * ti, a1 = v010 + (v110 - v010) * ti;
    const b0 = v001 + (v101 - v001) * ti, b1 = v011 + (v111 - v011) * ti;
    const c0 = a0 + (a1 - a0) * tj, c1 = b0 + (b1 - b0) * tj;
    return c0 + (c1 - c0) * tk;
  };
  const [na, nb, nc] = g.dims;
  const tiny = 1e-12;
  if (Math.abs(da[1]) < tiny && Math.abs(da[2]) < tiny && Math.abs(db[0]) < tiny && Math.abs(db[2]) < tiny && Math.abs(dc[0]) < tiny && Math.abs(dc[1]) < tiny) {
    resampleAxisAligned(volume, g, out, fill, offs, [base[0], base[1], base[2]], [da[0], db[1], dc[2]]);
    return out;
  }
  let n = 0;
  for (let c = 0; c < nc; c++) for (let b = 0; b < nb; b++) {
    const ri = base[0] + b * db[0] + c * dc[0], rj = base[1] + b * db[1] + c * dc[1], rk = base[2] + b * db[2] + c * dc[2];
    for (let a = 0; a < na; a++, n++) {
      const fi = ri + a * da[0], fj = rj + a * da[1], fk = rk + a * da[2];
      if (sub === 1) { out[n] = sample(fi, fj, fk); continue; }
      let acc = 0;
      for (const oa of offs) for (const ob of offs) for (const oc of offs) {
        acc += sample(fi + oa * da[0] + ob * db[0] + oc * dc[0], fj + oa * da[1] + ob * db[1] + oc * dc[1], fk + oa * da[2] + ob * db[2] + oc * dc[2]);
      }
      out[n] = acc / (sub * sub * sub);
    }
  }
  return out;
}

/**
 * resampleToWork for a volume whose axes run along the working axes (flips allowed): the trilinear
 * weights separate into one table per axis (index, weight, inside) for every working index and
 * sub-sample offset. Same values as the general path.
 */
function resampleAxisAligned(volume: ScalarVolume, g: WorkGrid, out: Float32Array, fill: number, offs: number[], base: Vec3, step: Vec3): void {
  const [ni, nj, nk] = volume.geometry.dims;
  const src = volume.voxels;
  const nij = ni * nj;
  const sub = offs.length;
  const table = (nw: number, b0: number, st: number, n: number) => {
    const idx = new Int32Array(nw * sub), w = new Float64Array(nw * sub), ok = new Uint8Array(nw * sub);
    for (let x = 0; x < nw; x++) for (let u = 0; u < sub; u++) {
      const f = b0 + (x + offs[u]!) * st, t = x * sub + u;
      if (f < -0.5 || f > n - 0.5) continue;
      const c = Math.min(Math.max(f, 0), n - 1);
      const i0 = Math.min(Math.floor(c), n - 2 < 0 ? 0 : n - 2);
      idx[t] = i0; w[t] = n > 1 ? c - i0 : 0; ok[t] = 1;
    }
    return { idx, w, ok };
  };
  const [na, nb, nc] = g.dims;
  const A = table(na, base[0], step[0], ni), B = table(nb, base[1], step[1], nj), C = table(nc, base[2], step[2], nk);
  const si = ni > 1 ? 1 : 0, sj = nj > 1 ? ni : 0, sk = nk > 1 ? nij : 0;
  const norm = 1 / (sub * sub * sub);
  // one working slice accumulated in double precision over its sub-samples
  const acc2 = new Float64Array(na * nb);
  for (let c = 0; c < nc; c++) {
    acc2.fill(0);
    for (let uc = 0; uc < sub; uc++) {
      const tc = c * sub + uc;
      const okC = C.ok[tc] === 1, k0 = C.idx[tc]!, wk = C.w[tc]!;
      for (let b = 0; b < nb; b++) for (let ub = 0; ub < sub; ub++) {
        const tb = b * sub + ub;
        const okB = okC && B.ok[tb] === 1, j0 = B.idx[tb]!, wj = B.w[tb]!;
        const row = j0 * ni + k0 * nij;
        for (let a = 0, n = na * b; a < na; a++, n++) {
          let acc = 0;
          for (let ua = 0, ta = a * sub; ua < sub; ua++, ta++) {
            if (!okB || A.ok[ta] !== 1) { acc += fill; continue; }
            const ti = A.w[ta]!, o = row + A.idx[ta]!;
            const v000 = src[o]!, v100 = src[o + si]!, v010 = src[o + sj]!, v110 = src[o + si + sj]!;
            const v001 = src[o + sk]!, v101 = src[o + si + sk]!, v011 = src[o + sj + sk]!, v111 = src[o + si + sj + sk]!;
            const a0 = v000 + (v100 - v000) * ti, a1 = v010 + (v110 - v010) * ti;
            const b0 = v001 + (v101 - v001) * ti, b1 = v011 + (v111 - v011) * ti;
            const c0 = a0 + (a1 - a0) * wj, c1 = b0 + (b1 - b0) * wj;
            acc += c0 + (c1 - c0) * wk;
          }
          acc2[n] = acc2[n]! + acc;
        }
      }
    }
    const o0 = na * nb * c;
    for (let n = 0; n < na * nb; n++) out[o0 + n] = acc2[n]! * norm;
  }
}

/**
 * Maps a working-grid mask onto the volume's grid: a volume voxel takes the value of the working
 * voxel nearest its centre (exact for an LPS-aligned volume at the working spacing). Only the index
 * box of the volume that covers the mask's bounding box is visited. Voxels outside are 0.
 */
export function maskToVolume(volume: ScalarVolume, g: WorkGrid, mask: Uint8Array): Uint8Array {
  const geo = volume.geometry;
  const [ni, nj, nk] = geo.dims;
  const out = new Uint8Array(ni * nj * nk);
  const [na, nb, nc] = g.dims;
  // bounding box of the mask in working indices
  const box = nonZeroBox(mask, g.dims);
  if (!box) return out;
  const [a0, b0, c0, a1, b1, c1] = box;
  const lo = [Infinity, Infinity, Infinity], hi = [-Infinity, -Infinity, -Infinity];
  for (const a of [a0 - 0.5, a1 + 0.5]) for (const b of [b0 - 0.5, b1 + 0.5]) for (const c of [c0 - 0.5, c1 + 0.5]) {
    const p = geo.lpsToIjk([0, 0, 0], workToLps(g, a, b, c));
    for (let t = 0; t < 3; t++) { lo[t] = Math.min(lo[t]!, p[t]!); hi[t] = Math.max(hi[t]!, p[t]!); }
  }
  const i0 = Math.max(0, Math.floor(lo[0]!)), i1 = Math.min(ni - 1, Math.ceil(hi[0]!));
  const j0 = Math.max(0, Math.floor(lo[1]!)), j1 = Math.min(nj - 1, Math.ceil(hi[1]!));
  const k0 = Math.max(0, Math.floor(lo[2]!)), k1 = Math.min(nk - 1, Math.ceil(hi[2]!));
  const w0 = lpsToWork(g, geo.ijkToLps([0, 0, 0], 0, 0, 0));
  const wi = lpsToWork(g, geo.ijkToLps([0, 0, 0], 1, 0, 0)), wj = lpsToWork(g, geo.ijkToLps([0, 0, 0], 0, 1, 0)), wk = lpsToWork(g, geo.ijkToLps([0, 0, 0], 0, 0, 1));
  const di: Vec3 = [wi[0] - w0[0], wi[1] - w0[1], wi[2] - w0[2]];
  const dj: Vec3 = [wj[0] - w0[0], wj[1] - w0[1], wj[2] - w0[2]];
  const dk: Vec3 = [wk[0] - w0[0], wk[1] - w0[1], wk[2] - w0[2]];
  const nab = na * nb;
  // +0.5 then floor = round; the 1e-9 keeps exact centres stable
  const tiny = 1e-12;
  if (Math.abs(di[1]) < tiny && Math.abs(di[2]) < tiny && Math.abs(dj[0]) < tiny && Math.abs(dj[2]) < tiny && Math.abs(dk[0]) < tiny && Math.abs(dk[1]) < tiny) {
    // The volume's axes run along the working axes (axial acquisitions, flips included): each working
    // index depends on one volume index, so the nearest working voxel comes from three tables.
    const table = (n0: number, n1: number, start: number, step: number, lo: number, hi: number): Int32Array => {
      const t = new Int32Array(n1 - n0 + 1);
      for (let x = n0; x <= n1; x++) {
        const w = Math.floor(start + x * step + 0.5 + 1e-9);
        t[x - n0] = w < lo || w > hi ? -1 : w;
      }
      return t;
    };
    const A = table(i0, i1, w0[0], di[0], a0, a1), B = table(j0, j1, w0[1], dj[1], b0, b1), C = table(k0, k1, w0[2], dk[2], c0, c1);
    // A volume row takes the working row's values in runs (several volume voxels per working voxel): the runs of
    // one working index, the same for every row, then per row one fill per run of equal non-zero values
    const runA: number[] = [], runStart: number[] = [], runEnd: number[] = [];
    for (let i = i0; i <= i1; i++) {
      const a = A[i - i0]!;
      if (a < 0) continue;
      const t = runA.length - 1;
      if (t >= 0 && runA[t] === a && runEnd[t] === i) runEnd[t] = i + 1;
      else { runA.push(a); runStart.push(i); runEnd.push(i + 1); }
    }
    const nRuns = runA.length;
    for (let k = k0; k <= k1; k++) {
      const c = C[k - k0]!;
      if (c < 0) continue;
      for (let j = j0; j <= j1; j++) {
        const b = B[j - j0]!;
        if (b < 0) continue;
        const row = na * b + nab * c, base = ni * (j + nj * k);
        for (let t = 0; t < nRuns; t++) {
          const v = mask[row + runA[t]!]!;
          if (v === 0) continue;
          // neighbouring runs of the same value, contiguous in the volume, in one fill
          let e = t;
          while (e + 1 < nRuns && runStart[e + 1] === runEnd[e] && mask[row + runA[e + 1]!] === v) e++;
          out.fill(v, base + runStart[t]!, base + runEnd[e]!);
          t = e;
        }
      }
    }
    return out;
  }
  for (let k = k0; k <= k1; k++) for (let j = j0; j <= j1; j++) {
    const ra = w0[0] + j * dj[0] + k * dk[0] + 0.5 + 1e-9, rb = w0[1] + j * dj[1] + k * dk[1] + 0.5 + 1e-9, rc = w0[2] + j * dj[2] + k * dk[2] + 0.5 + 1e-9;
    let o = i0 + ni * (j + nj * k);
    for (let i = i0; i <= i1; i++, o++) {
      const a = Math.floor(ra + i * di[0]), b = Math.floor(rb + i * di[1]), c = Math.floor(rc + i * di[2]);
      if (a < a0 || b < b0 || c < c0 || a > a1 || b > b1 || c > c1) continue;
      out[o] = mask[a + na * b + nab * c]!;
    }
  }
  return out;
}
