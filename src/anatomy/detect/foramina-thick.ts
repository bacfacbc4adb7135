/**
 * Foramen search on thick slices (grid ≥ 2.5 mm): dark spots enclosed by bone in the sacrum seen along its
 * local antero-posterior direction (darkEnclosedSpots on a projection map), mirror-symmetric pairs, levels
 * S1–S4 in cranio-caudal order.
 */
import type { Vec3 } from '../../core/vec3';
import { type WorkGrid, sampleWork, workOffsetAt } from '../detect-grid';
import type { Foramen, ForamenId } from '../types';
import type { FrameResult } from './frame';
import { type ForamenCandidate, LEVELS } from './types';

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
export function detectForaminaThick(
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
      messages.push(`foramina (inside the bone): tunnel pair at s = ${sPair.toFixed(1)} mm below S4 ignored`);
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
  if (level < LEVELS.length) messages.push(`foramina (inside the bone): only ${level} level(s) found there; the anterior surface's search may find more`);
  return { foramina, candidates };
}
