/**
 * Canal search: per axial slice, the dark hole enclosed by the sacrum posterior to the body near the
 * midline; radius from the distance transform to bone (minus half a voxel). Thick slices: from the planes
 * where it is such a hole, followed caudally as the midline lumen between roof and body (trackCanalThick),
 * radius √(½ width × ½ depth) at half contrast, smoothed along the line.
 */
import type { Vec3 } from '../../core/vec3';
import { type WorkGrid, sampleWork, workOffsetAt, workToLps } from '../detect-grid';
import type { Canal } from '../types';
import type { FrameResult } from './frame';
import { floodFromBorder2d, holes2d } from './image-ops';

export function detectCanal(
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
