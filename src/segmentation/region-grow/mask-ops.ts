/** Region growing (region-grow.ts): box-local mask operations (bone hull, sparse erosion and dilation, flood, hole filling) and the seed's statistics. */
import type { Vec3 } from '../../core/vec3';
import type { IndexBox } from '../labelmap';
import { ballIndexBox, boxDims, gridMetric, metricLength2, nonZeroBox } from '../grid';
import { type Connectivity, dilateMask, erodeMask, fillHolesMask, neighbourOffsets } from '../morphology';
import type { SeedStats } from './types';

export function stripUndefined<T extends object>(x: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(x)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}

/** Erosion that treats the box border as foreground (so a closing does not eat bone cut by the box). */
function erodeMaskKeepBorder(mask: Uint8Array, dims: [number, number, number], sp: Vec3, r: number): Uint8Array {
  // pad by the radius in voxels with ones, erode, crop
  const pad = [Math.ceil(r / sp[0]) + 1, Math.ceil(r / sp[1]) + 1, Math.ceil(r / sp[2]) + 1] as const;
  const pd: [number, number, number] = [dims[0] + 2 * pad[0], dims[1] + 2 * pad[1], dims[2] + 2 * pad[2]];
  const big = new Uint8Array(pd[0] * pd[1] * pd[2]).fill(1);
  for (let k = 0; k < dims[2]; k++) for (let j = 0; j < dims[1]; j++) {
    const src = dims[0] * (j + dims[1] * k);
    const dst = pad[0] + pd[0] * (j + pad[1] + pd[1] * (k + pad[2]));
    big.set(mask.subarray(src, src + dims[0]), dst);
  }
  const e = erodeMask(big, pd, sp, r);
  const out = new Uint8Array(mask.length);
  for (let k = 0; k < dims[2]; k++) for (let j = 0; j < dims[1]; j++) {
    const dst = dims[0] * (j + dims[1] * k);
    const src = pad[0] + pd[0] * (j + pad[1] + pd[1] * (k + pad[2]));
    out.set(e.subarray(src, src + dims[0]), dst);
  }
  return out;
}

/**
 * Region enclosed by bone: voxels brighter than `boneLevel` are closed with a ball of
 * `radiusMm` and the holes of the result are filled. Computed on a grid coarsened by 2 along
 * every axis finer than 1.25 mm (a block is bone when any of its voxels is), which is 4-8x
 * cheaper and plenty for a 5 mm closing; the result is expanded back to the box.
 */
export function boneHull(val: Float32Array, dims: [number, number, number], boneLevel: number, sp: Vec3, radiusMm: number): Uint8Array {
  const [bi, bj, bk] = dims;
  const f = [sp[0] <= 1.25 ? 2 : 1, sp[1] <= 1.25 ? 2 : 1, sp[2] <= 1.25 ? 2 : 1] as const;
  const cd: [number, number, number] = [Math.ceil(bi / f[0]), Math.ceil(bj / f[1]), Math.ceil(bk / f[2])];
  const csp: Vec3 = [sp[0] * f[0], sp[1] * f[1], sp[2] * f[2]];
  const cij = cd[0] * cd[1];
  const coarse = new Uint8Array(cij * cd[2]);
  let n = 0;
  for (let k = 0; k < bk; k++) {
    const ck = ((k / f[2]) | 0) * cij;
    for (let j = 0; j < bj; j++) {
      const cj = ck + ((j / f[1]) | 0) * cd[0];
      for (let i = 0; i < bi; i++, n++) if (val[n]! > boneLevel) coarse[cj + ((i / f[0]) | 0)] = 1;
    }
  }
  const closed = erodeMaskKeepBorder(dilateMask(coarse, cd, csp, radiusMm), cd, csp, radiusMm);
  const hullC = fillHolesMask(closed, cd);
  const hull = new Uint8Array(val.length);
  n = 0;
  for (let k = 0; k < bk; k++) {
    const ck = ((k / f[2]) | 0) * cij;
    for (let j = 0; j < bj; j++) {
      const cj = ck + ((j / f[1]) | 0) * cd[0];
      for (let i = 0; i < bi; i++, n++) hull[n] = hullC[cj + ((i / f[0]) | 0)]!;
    }
  }
  return hull;
}

/** Index offsets (di, dj, dk, linear) of a ball of radiusMm in the grid metric. */
export function ballOffsets(g: ReturnType<typeof gridMetric>, radiusMm: number, dims: [number, number, number]): Int32Array {
  const h = g.unitBallHalfExtent;
  const out: number[] = [];
  const r2 = radiusMm * radiusMm * (1 + 1e-9);
  const ri = Math.floor(radiusMm * h[0]), rj = Math.floor(radiusMm * h[1]), rk = Math.floor(radiusMm * h[2]);
  for (let dk = -rk; dk <= rk; dk++) for (let dj = -rj; dj <= rj; dj++) for (let di = -ri; di <= ri; di++) {
    if ((di || dj || dk) && metricLength2(g, di, dj, dk) <= r2) out.push(di, dj, dk, di + dims[0] * (dj + dims[1] * dk));
  }
  return Int32Array.from(out);
}

/** Erosion of a sparse mask by an offset list (outside the box counts as background). */
export function erodeSparse(m: Uint8Array, dims: [number, number, number], off: Int32Array): Uint8Array {
  const [bi, bj, bk] = dims;
  const bij = bi * bj;
  const out = new Uint8Array(m.length);
  for (let n = 0; n < m.length; n++) {
    if (!m[n]) continue;
    const k = (n / bij) | 0, r = n - k * bij, j = (r / bi) | 0, i = r - j * bi;
    let keep = 1;
    for (let t = 0; t < off.length; t += 4) {
      const ii = i + off[t]!, jj = j + off[t + 1]!, kk = k + off[t + 2]!;
      if (ii < 0 || jj < 0 || kk < 0 || ii >= bi || jj >= bj || kk >= bk || !m[n + off[t + 3]!]) { keep = 0; break; }
    }
    out[n] = keep;
  }
  return out;
}

/** Dilation of a sparse mask by an offset list (clipped to the box). */
export function dilateSparse(m: Uint8Array, dims: [number, number, number], off: Int32Array): Uint8Array {
  const [bi, bj, bk] = dims;
  const bij = bi * bj;
  const out = new Uint8Array(m.length);
  for (let n = 0; n < m.length; n++) {
    if (!m[n]) continue;
    out[n] = 1;
    const k = (n / bij) | 0, r = n - k * bij, j = (r / bi) | 0, i = r - j * bi;
    for (let t = 0; t < off.length; t += 4) {
      const ii = i + off[t]!, jj = j + off[t + 1]!, kk = k + off[t + 2]!;
      if (ii < 0 || jj < 0 || kk < 0 || ii >= bi || jj >= bj || kk >= bk) continue;
      out[n + off[t + 3]!] = 1;
    }
  }
  return out;
}

/** fillHolesMask restricted to the bounding box (+1) of the mask. */
export function fillHolesInBox(m: Uint8Array, dims: [number, number, number]): Uint8Array {
  const [bi, bj, bk] = dims;
  const box = nonZeroBox(m, dims);
  if (!box) return m;
  let [i0, j0, k0, i1, j1, k1] = box;
  i0 = Math.max(0, i0 - 1); j0 = Math.max(0, j0 - 1); k0 = Math.max(0, k0 - 1);
  i1 = Math.min(bi - 1, i1 + 1); j1 = Math.min(bj - 1, j1 + 1); k1 = Math.min(bk - 1, k1 + 1);
  const sd: [number, number, number] = [i1 - i0 + 1, j1 - j0 + 1, k1 - k0 + 1];
  const sub = new Uint8Array(sd[0] * sd[1] * sd[2]);
  let q = 0;
  for (let k = k0; k <= k1; k++) for (let j = j0; j <= j1; j++) { const row = bi * (j + bj * k); for (let i = i0; i <= i1; i++) sub[q++] = m[row + i]!; }
  const filled = fillHolesMask(sub, sd);
  const out = m.slice();
  q = 0;
  for (let k = k0; k <= k1; k++) for (let j = j0; j <= j1; j++) { const row = bi * (j + bj * k); for (let i = i0; i <= i1; i++) out[row + i] = filled[q++]!; }
  return out;
}

/** The voxel nearest to local index `n` (within `radiusMm`) for which `ok` holds; -1 when none. */
export function nearestIn(ok: (n: number) => boolean, dims: [number, number, number], n: number, g: ReturnType<typeof gridMetric>, radiusMm: number): number {
  const [bi, bj, bk] = dims;
  const k = (n / (bi * bj)) | 0, rr = n - k * bi * bj, j = (rr / bi) | 0, i = rr - j * bi;
  const h = g.unitBallHalfExtent;
  const ri = Math.ceil(radiusMm * h[0]), rj = Math.ceil(radiusMm * h[1]), rk = Math.ceil(radiusMm * h[2]);
  let best = radiusMm * radiusMm, out = -1;
  for (let dk = -rk; dk <= rk; dk++) for (let dj = -rj; dj <= rj; dj++) for (let di = -ri; di <= ri; di++) {
    const a = i + di, b = j + dj, c = k + dk;
    if (a < 0 || b < 0 || c < 0 || a >= bi || b >= bj || c >= bk) continue;
    const q = a + bi * (b + bj * c);
    const d2 = metricLength2(g, di, dj, dk);
    if (d2 <= best && ok(q)) { best = d2; out = q; }
  }
  return out;
}

/** Mean of each voxel and its (in-box) face neighbours. */
export function mean7(val: Float32Array, dims: [number, number, number]): Float32Array {
  const [bi, bj, bk] = dims;
  const bij = bi * bj;
  const out = new Float32Array(val.length);
  let n = 0;
  for (let k = 0; k < bk; k++) for (let j = 0; j < bj; j++) for (let i = 0; i < bi; i++, n++) {
    let s = val[n]!, c = 1;
    if (i > 0) { s += val[n - 1]!; c++; }
    if (i < bi - 1) { s += val[n + 1]!; c++; }
    if (j > 0) { s += val[n - bi]!; c++; }
    if (j < bj - 1) { s += val[n + bi]!; c++; }
    if (k > 0) { s += val[n - bij]!; c++; }
    if (k < bk - 1) { s += val[n + bij]!; c++; }
    out[n] = s / c;
  }
  return out;
}

/** Flood fill of `allowed` from local index `start`. */
export function floodFrom(allowed: Uint8Array, dims: [number, number, number], start: number, conn: Connectivity): { mask: Uint8Array; count: number } {
  const [bi, bj, bk] = dims;
  const bij = bi * bj;
  const mask = new Uint8Array(allowed.length);
  if (!allowed[start]) return { mask, count: 0 };
  const queue = new Int32Array(allowed.length);
  const off = neighbourOffsets(conn);
  let head = 0, tail = 0;
  mask[start] = 1; queue[tail++] = start;
  while (head < tail) {
    const n = queue[head++]!;
    const k = (n / bij) | 0, r = n - k * bij, j = (r / bi) | 0, i = r - j * bi;
    for (let t = 0; t < off.length; t += 3) {
      const ii = i + off[t]!, jj = j + off[t + 1]!, kk = k + off[t + 2]!;
      if (ii < 0 || jj < 0 || kk < 0 || ii >= bi || jj >= bj || kk >= bk) continue;
      const m = ii + bi * jj + bij * kk;
      if (allowed[m] && !mask[m]) { mask[m] = 1; queue[tail++] = m; }
    }
  }
  return { mask, count: tail };
}

/** The box values within `radiusMm` of the seed (at least the seed voxel). */
export function neighbourhoodValues(val: Float32Array, box: IndexBox, seed: Vec3, g: ReturnType<typeof gridMetric>, radiusMm: number): number[] {
  const [bi, bj] = boxDims(box);
  const sb = ballIndexBox(g, seed, radiusMm);
  const xs: number[] = [];
  for (let k = Math.max(sb[2], box[2]); k <= Math.min(sb[5], box[5]); k++)
    for (let j = Math.max(sb[1], box[1]); j <= Math.min(sb[4], box[4]); j++)
      for (let i = Math.max(sb[0], box[0]); i <= Math.min(sb[3], box[3]); i++)
        if (metricLength2(g, i - seed[0], j - seed[1], k - seed[2]) <= radiusMm * radiusMm) xs.push(val[(i - box[0]) + bi * ((j - box[1]) + bj * (k - box[2]))]!);
  if (xs.length === 0) xs.push(val[(seed[0] - box[0]) + bi * ((seed[1] - box[1]) + bj * (seed[2] - box[2]))]!);
  return xs;
}

/** Median, mean and SD of the box values within `radiusMm` of the seed (at least the seed voxel). */
export function seedStatistics(val: Float32Array, box: IndexBox, seed: Vec3, g: ReturnType<typeof gridMetric>, radiusMm: number): SeedStats {
  const [bi, bj] = boxDims(box);
  const sb = ballIndexBox(g, seed, radiusMm);
  const xs: number[] = [];
  const r2 = radiusMm * radiusMm;
  for (let k = Math.max(sb[2], box[2]); k <= Math.min(sb[5], box[5]); k++)
    for (let j = Math.max(sb[1], box[1]); j <= Math.min(sb[4], box[4]); j++)
      for (let i = Math.max(sb[0], box[0]); i <= Math.min(sb[3], box[3]); i++) {
        if (metricLength2(g, i - seed[0], j - seed[1], k - seed[2]) > r2) continue;
        xs.push(val[(i - box[0]) + bi * ((j - box[1]) + bj * (k - box[2]))]!);
      }
  if (xs.length === 0) xs.push(val[(seed[0] - box[0]) + bi * ((seed[1] - box[1]) + bj * (seed[2] - box[2]))]!);
  xs.sort((a, b) => a - b);
  const n = xs.length;
  const median = n % 2 ? xs[(n - 1) / 2]! : (xs[n / 2 - 1]! + xs[n / 2]!) / 2;
  let s = 0; for (const x of xs) s += x;
  const mean = s / n;
  let ss = 0; for (const x of xs) ss += (x - mean) ** 2;
  return { median, mean, sd: n > 1 ? Math.sqrt(ss / (n - 1)) : 0, n };
}
