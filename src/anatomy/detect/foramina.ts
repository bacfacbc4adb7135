/**
 * Foramen tunnel search on fine grids (< 2.5 mm): dark voxels inside the sacral envelope lateral to the
 * canal, grouped into components; per component the antero-posterior line through most voxels (Hough),
 * refined by distance-weighted principal components; openings where the axis leaves the sacrum; rejected
 * unless tube-like, antero-posterior and bone-enclosed; levels S1–S4 by order along the long axis, paired
 * left/right, with a confidence from elongation, enclosure and mirror symmetry.
 */
import type { Vec3 } from '../../core/vec3';
import { labelComponents } from '../../segmentation/morphology';
import { type WorkGrid, workOffsetAt, workToLps } from '../detect-grid';
import { symmetricEigen3 } from '../eigen3';
import type { Foramen, ForamenId, Side } from '../types';
import type { FrameResult } from './frame';
import { cross3, dist, houghLine, normalize3 } from './geometry';
import { boxMean, holes2d } from './image-ops';
import { type ForamenCandidate, LEVELS } from './types';

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

export function detectForamina(
  sacrum: Uint8Array, work: Float32Array, g: WorkGrid, midA: number, frame: FrameResult | null,
  d2Bone: Float64Array, darkHu: number, canalMask: Uint8Array, messages: string[],
  /** Where the sacrum begins (below the L5/S1 disc): a tunnel with an end above it is no sacral foramen, and is not counted among the levels. */
  belowS1Top?: (p: Readonly<Vec3>) => boolean,
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
  if (belowS1Top) for (const c of candidates) if (!c.rejected && !(belowS1Top(c.anteriorLps) && belowS1Top(c.posteriorLps))) c.rejected = 'above the S1 endplate';
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
      messages.push(`foramina (inside the bone): tunnel pair at s = ${cl[0]!.sMm} mm below S4 ignored`);
      continue;
    }
    const lv = LEVELS[level++]!;
    for (const c of cl) if (c !== L && c !== R) c.rejected = 'weaker duplicate at this level';
    for (const [c, side, partner] of [[L, 'L', R], [R, 'R', L]] as const) {
      if (!c) { messages.push(`foramina (inside the bone): ${lv}_${side} not found there (no tunnel through the sacrum)`); continue; }
      c.level = lv;
      let sym = 0;
      if (partner) {
        const mirrored = 2 * x0 - partner.centerLps[0];
        const dm = Math.hypot(c.centerLps[0] - mirrored, c.centerLps[1] - partner.centerLps[1], c.centerLps[2] - partner.centerLps[2]);
        sym = Math.max(0, 1 - dm / 15);
      } else messages.push(`foramina (inside the bone): ${lv}_${side} has no contralateral partner (low confidence)`);
      const conf = 0.4 * Math.min(1, (c.elongation - 1) / 2) + 0.3 * c.enclosure + 0.3 * sym;
      const id = `${lv}_${side}` as ForamenId;
      foramina.push({ id, level: lv, side, anteriorLps: c.anteriorLps, posteriorLps: c.posteriorLps, radiusMm: c.radiusMm, confidence: Math.round(conf * 100) / 100, source: 'auto' });
    }
  }
  if (level < LEVELS.length) messages.push(`foramina (inside the bone): only ${level} level(s) found there; the anterior surface's search may find more`);
  return { foramina, candidates };
}
