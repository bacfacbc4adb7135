/**
 * The sacrum on MR, from what MR shows without HU (pure; issue 12).
 *
 * On MR the cortex is a signal void (no mobile protons) and is the darkest thing in the image bar air, while marrow
 * may be brighter than muscle (T1, fast-spin-echo T2: fatty marrow) or darker (fat-suppressed T2, STIR). Fat, fluid
 * and marrow overlap in signal, and a surface coil adds a smooth bias (prostatex-0218: the S3 marrow reads 200 at its
 * anterior cortex and 600 at its posterior one). So the mask reads relative, local contrasts only:
 *
 * 1. Dark sheets ("cortex"), in the acquisition plane where the 1–1.5 mm cortex is resolved (0.6–0.9 mm pixels;
 *    across 3–4 mm slices it is not): a pixel is a sheet when it is less than `sheetRatio` of its grey closing over
 *    a box wider than the cortex and narrower than a marrow space (`closingMm`), i.e. darker than half of the
 *    dimmer of the tissues on its two sides. A step from marrow to fat or muscle has no closing response; a thin
 *    void between two tissues has.
 * 2. Chambers: what a ball of `ballMm` (in plane) reaches without touching a sheet or a tissue whose (bias-corrected)
 *    signal departs from the marrow's by more than a factor `bandRatio` (muscle against fatty marrow where partial
 *    volume hides the cortex; CSF in the canal), swept by the ball: gaps in the cortex narrower than the ball
 *    (vascular openings, partial volume) stay closed, so the chamber is the marrow space the cortex encloses.
 * 3. Seeds come from the canal the user placed (Canal tool): the sacral bodies lie directly anterior to the canal,
 *    so along rays from each canal point, perpendicular to the canal and towards the patient's front (−y), past the
 *    canal's radius, the first stretch of non-sheet pixels lies in a body. A seed's chamber is kept when it is
 *    sacrum-sized (area and extent below the whole sacrum's, DOMAIN.md §6) and enclosed (at least `minEnclosed` of
 *    its edge lies against a sheet: a leak into soft tissue is bounded by the band or the image edge instead).
 * 4. The chambers are carried slice by slice to the neighbouring slices (the deep part of one slice's mask seeds the
 *    next, with the same marrow level), while a slice's chamber grows by at most `maxGrowth` and stays
 *    sacrum-sized: the lateral masses continue the bodies across the slices.
 * 5. Holes up to a lesion's size are filled (a T1-dark or STIR-bright metastasis inside the marrow is the sacrum's),
 *    the sheet pixels bordering the mask are added (its cortex) and the canal's lumen is taken out.
 *
 * What it does not promise: the lateral masses where neither cortex nor a signal step separates them from the
 * muscles next to them (measured on the MR phantoms: 82–84 % of the sacrum covered, Dice 0.87–0.89), and the levels the canal does not
 * reach. So the app uses it for display only: on MR the zone overlay is drawn inside it once the canal is placed
 * (case/engine.ts); the lesions' zones, the outside-sacrum note and the planning envelope do not rest on it. It takes
 * 3–11 s per canal on a loaded 2-core machine (11 s on the 1 mm T1 demo volume).
 */
import type { ScalarVolume } from '../core/volume';
import type { Vec3 } from '../core/vec3';
import type { Canal } from './types';
import { labelComponents, squaredDistanceTo } from '../segmentation/morphology';
import { smoothBox } from '../segmentation/seed-model';
import { nowMs } from '../core/clock';

export interface MrSacrumMaskOptions {
  /** A sheet pixel is darker than this fraction of its grey closing (a void between brighter tissues). */
  sheetRatio: number;
  /** Half-width of the closing box (mm): wider than a cortex (1–1.5 mm), narrower than a marrow space. */
  closingMm: number;
  /** Radius of the ball that sweeps a chamber (mm): gaps in the cortex narrower than twice this stay closed. */
  ballMm: number;
  /** Signal band round the marrow level (bias-corrected): a pixel below level·r or above level/r stops the ball. */
  bandRatio: number;
  /** Scale of the coil's smooth bias (Gaussian σ, mm): much larger than a vertebral body. */
  biasMm: number;
  /** How far anterior of the canal the seed rays reach (mm): a sacral body is 10–30 mm deep. */
  rayMm: number;
  /** A seed stretch is at least this long (mm). */
  minSeedMm: number;
  /** Largest in-plane area of a chamber (cm²) and largest in-plane extent (mm): the whole sacrum's section. */
  maxAreaCm2: number;
  maxExtentMm: number;
  /** Least share of a seed chamber's edge lying against a sheet. */
  minEnclosed: number;
  /** Largest growth of the chamber's area from one slice to the next. */
  maxGrowth: number;
  /** Holes up to this area (cm²) inside a slice's mask are filled (lesions in the marrow). */
  maxHoleCm2: number;
  /** Sheet pixels within this distance (mm) of the mask are its cortex. */
  cortexMm: number;
  /** The work is confined to the canal's box widened by this (mm). */
  reachMm: number;
}

/**
 * Why these values:
 * - sheetRatio 0.5: a void reads near 0 after partial volume over a 1.2 mm cortex at 0.6–0.9 mm pixels about a third
 *   of its neighbours (t1-like 30 against 300–600, prostatex-0218 20–70 against 150–600); marrow texture and noise
 *   (15–20 % on these scans) stay above half.
 * - closingMm 2.5: the cortex is 1–1.5 mm (DOMAIN.md §6), the lower sacral bodies are 8–12 mm deep.
 * - ballMm 2: vascular openings and partial-volume breaks are under 4 mm; the S5 body (8 mm) still admits the ball.
 * - bandRatio 0.6: muscle reads at most half of fatty marrow on T1 and fast-spin-echo T2 (t1-like 300/600, t2-fse-sag
 *   200/700, prostatex-0218 150–300 against 450–800), CSF at least twice fatty marrow on T2; the marrow's own texture
 *   stays within ±25 %.
 * - biasMm 25: a surface coil's sensitivity changes over several centimetres; a body is 15–30 mm deep.
 * - maxAreaCm2 60, maxExtentMm 115: the sacrum is 100–110 mm high and 95–105 mm wide (DOMAIN.md §6); its largest
 *   section (coronal) is about 60 cm².
 * - minEnclosed 0.3: measured seed chambers in a body 0.34–0.94 of their edge against a sheet (prostatex-0218, t1-like,
 *   t2-like, t2-fse-sag), a chamber leaking into muscle below the sacrum 0.0–0.14.
 * - maxGrowth 2.2: a slice through the lateral masses next to the midline slice may double the body's section; a leak
 *   into the pelvis grows it ten-fold.
 * - maxHoleCm2 7: a 3 cm lesion (the study's upper size) has a 7 cm² section.
 * - reachMm 70: the sacrum is at most 105 mm wide (53 mm each side of the canal), its alae reach 40–50 mm in front of
 *   the canal, and its tip lies within a segment's height below the lowest canal point a user clicks.
 */
export const MR_SACRUM_DEFAULTS: MrSacrumMaskOptions = {
  sheetRatio: 0.5, closingMm: 2.5, ballMm: 2, bandRatio: 0.6, biasMm: 25, rayMm: 25, minSeedMm: 2,
  maxAreaCm2: 60, maxExtentMm: 115, minEnclosed: 0.3, maxGrowth: 2.2, maxHoleCm2: 7, cortexMm: 1.5, reachMm: 70,
};

export interface MrSacrumMaskResult {
  /** 1 = sacrum, on the volume's own grid. */
  mask: Uint8Array;
  volumeMl: number;
  /** Slices (k) that hold part of the mask, and those seeded from the canal. */
  slices: number[];
  seededSlices: number[];
  messages: string[];
  timingsMs: { total: number; slices: number; seeds: number; carry: number };
}

/** Running max (or min) over ±r along one in-plane axis of a slice. */
function runExtreme(src: Float32Array, ni: number, nj: number, axis: 0 | 1, r: number, max: boolean): Float32Array {
  const out = new Float32Array(src.length);
  const len = axis === 0 ? ni : nj, lines = axis === 0 ? nj : ni, stride = axis === 0 ? 1 : ni;
  for (let l = 0; l < lines; l++) {
    const base = axis === 0 ? l * ni : l;
    for (let t = 0; t < len; t++) {
      let e = src[base + t * stride]!;
      const a = Math.max(0, t - r), b = Math.min(len - 1, t + r);
      for (let u = a; u <= b; u++) {
        const x = src[base + u * stride]!;
        if (max ? x > e : x < e) e = x;
      }
      out[base + t * stride] = e;
    }
  }
  return out;
}

/** Grey closing of a slice with a (2ri+1)×(2rj+1) box: dilation then erosion. */
function greyClosing2d(s: Float32Array, ni: number, nj: number, ri: number, rj: number): Float32Array {
  const d = runExtreme(runExtreme(s, ni, nj, 0, ri, true), ni, nj, 1, rj, true);
  return runExtreme(runExtreme(d, ni, nj, 0, ri, false), ni, nj, 1, rj, false);
}

/** The median of the values at the set pixels (NaN when none). */
function medianAt(values: Float32Array, set: Uint8Array): number {
  const v: number[] = [];
  for (let n = 0; n < set.length; n++) if (set[n]) v.push(values[n]!);
  if (v.length === 0) return NaN;
  v.sort((a, b) => a - b);
  return v[v.length >> 1]!;
}

/**
 * The slice divided by its smooth trend (normalised convolution over the body, σ = biasMm), computed on blocks of
 * about 2.5 mm and read back per block: the bias of a surface coil without changing the contrast between tissues.
 */
function biasCorrected(s: Float32Array, ni: number, nj: number, si: number, sj: number, bodyFloor: number, biasMm: number): Float32Array {
  const fi = Math.max(1, Math.round(2.5 / si)), fj = Math.max(1, Math.round(2.5 / sj));
  const bi = Math.ceil(ni / fi), bj = Math.ceil(nj / fj);
  const num = new Float32Array(bi * bj), den = new Float32Array(bi * bj);
  for (let j = 0; j < nj; j++) for (let i = 0; i < ni; i++) {
    const v = s[i + ni * j]!;
    if (v <= bodyFloor) continue;
    const b = ((i / fi) | 0) + bi * ((j / fj) | 0);
    num[b] = num[b]! + v; den[b] = den[b]! + 1;
  }
  const sn = smoothBox(num, [bi, bj, 1], [si * fi, sj * fj, 1e9], biasMm);
  const sd = smoothBox(den, [bi, bj, 1], [si * fi, sj * fj, 1e9], biasMm);
  const out = new Float32Array(s.length);
  for (let j = 0; j < nj; j++) for (let i = 0; i < ni; i++) {
    const b = ((i / fi) | 0) + bi * ((j / fj) | 0);
    const t = sd[b]! > 1e-3 ? sn[b]! / sd[b]! : 0;
    out[i + ni * j] = t > 0 ? s[i + ni * j]! / t : 0;
  }
  return out;
}

/**
 * Whether p lies in the canal's lumen (union of round cones), each node's radius bounded by the median of the canal's
 * radii: one node's fit that read the wall of a neighbouring space (a 10 mm radius on a 3–4 mm flat canal,
 * prostatex-0218) would otherwise cut the back of a body out.
 */
function insideCanal(canal: Canal, p: Readonly<Vec3>, capMm: number): boolean {
  const c = canal.centerlineLps;
  const r = canal.radiusMm.map((x) => Math.min(x, capMm));
  for (let n = 0; n + 1 < c.length; n++) {
    const a = c[n]!, b = c[n + 1]!;
    const ab = [b[0] - a[0], b[1] - a[1], b[2] - a[2]], L2 = ab[0]! ** 2 + ab[1]! ** 2 + ab[2]! ** 2;
    const t = L2 > 0 ? Math.max(0, Math.min(1, ((p[0] - a[0]) * ab[0]! + (p[1] - a[1]) * ab[1]! + (p[2] - a[2]) * ab[2]!) / L2)) : 0;
    const d = Math.hypot(p[0] - a[0] - t * ab[0]!, p[1] - a[1] - t * ab[1]!, p[2] - a[2] - t * ab[2]!);
    const rr = (r[n] ?? r[r.length - 1] ?? 0) * (1 - t) + (r[n + 1] ?? r[r.length - 1] ?? 0) * t;
    if (d <= rr) return true;
  }
  return false;
}

/**
 * The sacrum mask of an MR volume from its canal (see the file comment). Null when no seed chamber is found (the
 * canal gives no ray into an enclosed marrow space): then there is no mask, and the app says so. `trace` receives one
 * line per seed (its chamber's area, marrow level and enclosed share) for tests and diagnosis.
 */
export function mrSacrumMask(volume: ScalarVolume, canal: Canal, options: Partial<MrSacrumMaskOptions> = {}, trace?: (line: string) => void): MrSacrumMaskResult | null {
  const t0 = nowMs();
  const o = { ...MR_SACRUM_DEFAULTS, ...options };
  const g = volume.geometry;
  const [NI, NJ, NK] = g.dims;
  const [si, sj] = g.spacingMm;
  const full = volume.voxels;
  const pixMm2 = si * sj;
  // the body: above a tenth of the 99th percentile of the image (air and the background read near 0 on MR)
  const sample: number[] = [];
  const stride = Math.max(1, Math.floor(full.length / 200000));
  for (let n = 0; n < full.length; n += stride) sample.push(full[n]!);
  sample.sort((a, b) => a - b);
  const bodyFloor = 0.1 * sample[Math.floor(0.99 * (sample.length - 1))]!;
  // the work is done on the box of the canal widened by reachMm (every part of the sacrum lies that close to its
  // canal), not on the whole field of view
  const lo: Vec3 = [Infinity, Infinity, Infinity], hi: Vec3 = [-Infinity, -Infinity, -Infinity];
  const q: Vec3 = [0, 0, 0];
  for (const p of canal.centerlineLps) {
    for (let c = 0; c < 8; c++) {
      g.lpsToIjk(q, [p[0] + (c & 1 ? 1 : -1) * o.reachMm, p[1] + (c & 2 ? 1 : -1) * o.reachMm, p[2] + (c & 4 ? 1 : -1) * o.reachMm]);
      for (let a = 0; a < 3; a++) { lo[a] = Math.min(lo[a]!, q[a]!); hi[a] = Math.max(hi[a]!, q[a]!); }
    }
  }
  const i0 = Math.max(0, Math.floor(lo[0])), j0 = Math.max(0, Math.floor(lo[1])), k0 = Math.max(0, Math.floor(lo[2]));
  const ni = Math.min(NI - 1, Math.ceil(hi[0])) - i0 + 1, nj = Math.min(NJ - 1, Math.ceil(hi[1])) - j0 + 1, nk = Math.min(NK - 1, Math.ceil(hi[2])) - k0 + 1;
  if (!(ni > 0 && nj > 0 && nk > 0)) return null;
  const nij = ni * nj;
  const vox = new Float32Array(nij * nk);
  for (let k = 0; k < nk; k++) for (let j = 0; j < nj; j++) {
    const src = i0 + NI * (j + j0 + NJ * (k + k0));
    for (let i = 0; i < ni; i++) vox[i + ni * (j + nj * k)] = full[src + i]!;
  }
  /** Offset in the whole volume of a voxel of the box. */
  const fullOffset = (n: number) => { const k = Math.floor(n / nij), r = n - k * nij, j = Math.floor(r / ni), i = r - j * ni; return i + i0 + NI * (j + j0 + NJ * (k + k0)); };

  // per slice: sheets, the bias-corrected and lightly smoothed signal, and the distance to a sheet
  const ri = Math.max(1, Math.round(o.closingMm / si)), rj = Math.max(1, Math.round(o.closingMm / sj));
  const sheet = new Uint8Array(vox.length);
  const level = new Float32Array(vox.length);
  const smoothMm = 0.6 * Math.min(si, sj);
  for (let k = 0; k < nk; k++) {
    const s = new Float32Array(nij);
    for (let n = 0; n < nij; n++) s[n] = vox[n + nij * k]!;
    const sm = smoothBox(s, [ni, nj, 1], [si, sj, 1e9], smoothMm);
    const cl = greyClosing2d(s, ni, nj, ri, rj);
    for (let n = 0; n < nij; n++) sheet[n + nij * k] = cl[n]! - sm[n]! > (1 - o.sheetRatio) * cl[n]! ? 1 : 0;
    // the coil's trend from the whole slice (a trend read inside the box alone bends at the box's edges)
    const whole = new Float32Array(NI * NJ);
    for (let n = 0; n < NI * NJ; n++) whole[n] = full[n + NI * NJ * (k + k0)]!;
    const corr = biasCorrected(whole, NI, NJ, si, sj, bodyFloor, o.biasMm);
    const box = new Float32Array(nij);
    for (let j = 0; j < nj; j++) for (let i = 0; i < ni; i++) box[i + ni * j] = corr[i + i0 + NI * (j + j0)]!;
    level.set(smoothBox(box, [ni, nj, 1], [si, sj, 1e9], smoothMm), nij * k);
  }
  const tSlices = nowMs() - t0;
  const sliceOf = (arr: Uint8Array | Float32Array, k: number) => arr.subarray(nij * k, nij * (k + 1));
  const sheetDist = new Map<number, Float64Array>();
  const distToSheet = (k: number) => {
    let d = sheetDist.get(k);
    if (!d) { d = squaredDistanceTo(sliceOf(sheet, k) as Uint8Array, [ni, nj, 1], [si, sj, 1], 1); sheetDist.set(k, d); }
    return d;
  };

  const area = (f: Uint8Array) => { let c = 0; for (let n = 0; n < f.length; n++) c += f[n]!; return c * pixMm2; };
  const plausible = (f: Uint8Array): boolean => {
    let i0 = ni, i1 = -1, j0 = nj, j1 = -1, c = 0;
    for (let j = 0; j < nj; j++) for (let i = 0; i < ni; i++) if (f[i + ni * j]) { c++; if (i < i0) i0 = i; if (i > i1) i1 = i; if (j < j0) j0 = j; if (j > j1) j1 = j; }
    if (c === 0) return false;
    return c * pixMm2 <= o.maxAreaCm2 * 100 && Math.max((i1 - i0 + 1) * si, (j1 - j0 + 1) * sj) <= o.maxExtentMm;
  };
  /** The chamber of slice k reached from `seed` with the marrow level `lvl` (median of the seed when not given); null when implausible. */
  const chamber = (k: number, seed: Uint8Array, prevAreaMm2: number | null, lvlIn?: number): { f: Uint8Array; lvl: number } | null => {
    const lv = sliceOf(level, k) as Float32Array, sh = sliceOf(sheet, k) as Uint8Array;
    const lvl = lvlIn ?? medianAt(lv, seed);
    if (!(lvl > 0)) return null;
    const barrier = new Uint8Array(nij);
    for (let n = 0; n < nij; n++) barrier[n] = sh[n] || lv[n]! < o.bandRatio * lvl || lv[n]! > lvl / o.bandRatio ? 1 : 0;
    const d2 = squaredDistanceTo(barrier, [ni, nj, 1], [si, sj, 1], 1);
    const b2 = o.ballMm * o.ballMm;
    const free = new Uint8Array(nij);
    for (let n = 0; n < nij; n++) free[n] = d2[n]! > b2 ? 1 : 0;
    const { ids } = labelComponents(free, [ni, nj, 1], 6);
    const chosen = new Set<number>();
    for (let n = 0; n < nij; n++) if (seed[n] && ids[n]) chosen.add(ids[n]!);
    if (chosen.size === 0) return null;
    const reach = new Uint8Array(nij);
    for (let n = 0; n < nij; n++) if (ids[n] && chosen.has(ids[n]!)) reach[n] = 1;
    const dr = squaredDistanceTo(reach, [ni, nj, 1], [si, sj, 1], 1);
    const f = new Uint8Array(nij);
    for (let n = 0; n < nij; n++) f[n] = dr[n]! <= b2 ? 1 : 0;
    if (prevAreaMm2 !== null && area(f) > o.maxGrowth * prevAreaMm2) return null;
    if (!plausible(f)) return null;
    fillSmallHoles(f, ni, nj, Math.floor((o.maxHoleCm2 * 100) / pixMm2));
    return { f, lvl };
  };
  /** Share of the chamber's edge pixels that lie against a sheet (within 1.5 pixels). */
  const enclosedShare = (k: number, f: Uint8Array): number => {
    const d2 = distToSheet(k), lim = (1.5 * Math.max(si, sj)) ** 2;
    let edge = 0, against = 0;
    for (let j = 0; j < nj; j++) for (let i = 0; i < ni; i++) {
      const n = i + ni * j;
      if (!f[n]) continue;
      if (i > 0 && i < ni - 1 && j > 0 && j < nj - 1 && f[n - 1] && f[n + 1] && f[n - ni] && f[n + ni]) continue;
      edge++;
      if (d2[n]! <= lim) against++;
    }
    return edge ? against / edge : 0;
  };

  const mask = new Uint8Array(vox.length);
  const levelOf = new Map<number, number>();
  const seeded = new Set<number>();
  // 3. seeds along rays anterior to the canal, perpendicular to it
  const c = canal.centerlineLps;
  const ijk: Vec3 = [0, 0, 0];
  for (let a = 0; a < c.length; a++) {
    const p = c[a]!, prev = c[Math.max(0, a - 1)]!, next = c[Math.min(c.length - 1, a + 1)]!;
    const t = [next[0] - prev[0], next[1] - prev[1], next[2] - prev[2]], tl = Math.hypot(t[0]!, t[1]!, t[2]!);
    if (tl === 0) continue;
    const tu = t.map((x) => x / tl);
    // the patient's front (−y in LPS), made perpendicular to the canal
    const ant = [0 - tu[0]! * -tu[1]!, -1 - tu[1]! * -tu[1]!, 0 - tu[2]! * -tu[1]!];
    const al = Math.hypot(ant[0]!, ant[1]!, ant[2]!);
    if (al < 0.3) continue;
    const r0 = (canal.radiusMm[a] ?? canal.radiusMm[canal.radiusMm.length - 1] ?? 0) + 1;
    const run: number[] = [];
    for (let s = r0; s <= o.rayMm; s += 0.5) {
      g.lpsToIjk(ijk, [p[0] + (s * ant[0]!) / al, p[1] + (s * ant[1]!) / al, p[2] + (s * ant[2]!) / al]);
      const i = Math.round(ijk[0]) - i0, j = Math.round(ijk[1]) - j0, k = Math.round(ijk[2]) - k0;
      if (i < 0 || j < 0 || k < 0 || i >= ni || j >= nj || k >= nk) break;
      const n = i + ni * (j + nj * k);
      if (sheet[n]) { if (run.length) break; continue; }
      if (run[run.length - 1] !== n) run.push(n);
    }
    if (run.length * 0.5 < o.minSeedMm) continue;
    for (const k of new Set(run.map((n) => Math.floor(n / nij)))) {
      const seed = new Uint8Array(nij);
      for (const n of run) if (Math.floor(n / nij) === k) seed[n - nij * k] = 1;
      const ch = chamber(k, seed, null);
      const enc = ch ? enclosedShare(k, ch.f) : NaN;
      trace?.(`seed ray ${a} slice ${k}: ${run.length} px, ${ch ? `chamber ${(area(ch.f) / 100).toFixed(1)} cm², level ${ch.lvl.toFixed(2)}, enclosed ${enc.toFixed(2)}` : 'no plausible chamber'}`);
      if (!ch || enc < o.minEnclosed) continue;
      const m = sliceOf(mask, k) as Uint8Array;
      for (let n = 0; n < nij; n++) if (ch.f[n]) m[n] = 1;
      if (!levelOf.has(k)) levelOf.set(k, ch.lvl);
      seeded.add(k);
    }
  }
  if (seeded.size === 0) return null;
  const tSeeds = nowMs() - t0 - tSlices;
  // 4. carried to the neighbouring slices, from every filled slice: the deep part of one slice's mask seeds the next
  // (added to what that slice holds already: a slice seeded at some levels gains the others from its neighbours); a
  // slice is carried on again when it gained more than 1 % (so the carrying ends)
  const queue: number[] = [...seeded].sort((x, y) => x - y);
  const queued = new Uint8Array(nk);
  for (const k of queue) queued[k] = 1;
  while (queue.length) {
    const k = queue.shift()!;
    queued[k] = 0;
    const m = sliceOf(mask, k) as Uint8Array;
    const inner = squaredDistanceTo(m, [ni, nj, 1], [si, sj, 1], 0);
    const deep = new Uint8Array(nij);
    let any = false;
    const lim = (2 * o.ballMm) ** 2;
    for (let n = 0; n < nij; n++) if (inner[n]! > lim) { deep[n] = 1; any = true; }
    if (!any) continue;
    const lvl = levelOf.get(k) ?? medianAt(sliceOf(level, k) as Float32Array, m);
    for (const k2 of [k - 1, k + 1]) {
      if (k2 < 0 || k2 >= nk) continue;
      const ch = chamber(k2, deep, area(m), lvl);
      if (!ch) continue;
      const m2 = sliceOf(mask, k2) as Uint8Array;
      let before = 0, gained = 0;
      for (let n = 0; n < nij; n++) { before += m2[n]!; if (ch.f[n] && !m2[n]) { m2[n] = 1; gained++; } }
      if (!levelOf.has(k2)) levelOf.set(k2, lvl);
      if (gained > 0.01 * Math.max(before, 1) && !queued[k2]) { queued[k2] = 1; queue.push(k2); }
    }
  }
  const tCarry = nowMs() - t0 - tSlices - tSeeds;
  // 5. the cortex bordering the mask, then the canal's lumen out (the band takes it out where its signal departs from
  // the marrow's; the fat and roots of the lower canal on T2 may not)
  const cortex2 = o.cortexMm * o.cortexMm;
  for (let k = 0; k < nk; k++) {
    const m = sliceOf(mask, k) as Uint8Array;
    if (!m.some((x) => x)) continue;
    const d2 = squaredDistanceTo(m, [ni, nj, 1], [si, sj, 1], 1);
    const sh = sliceOf(sheet, k);
    for (let n = 0; n < nij; n++) if (!m[n] && sh[n] && d2[n]! <= cortex2) m[n] = 1;
  }
  const radii = [...canal.radiusMm].sort((x, y) => x - y);
  const capMm = radii[radii.length >> 1] ?? 0;
  const lps: Vec3 = [0, 0, 0];
  const out = new Uint8Array(full.length);
  let count = 0;
  const slices: number[] = [];
  for (let k = 0; k < nk; k++) {
    let c = 0;
    for (let n = nij * k; n < nij * (k + 1); n++) {
      if (!mask[n]) continue;
      const m = fullOffset(n);
      g.offsetToLps(lps, m);
      if (insideCanal(canal, lps, capMm)) continue;
      out[m] = 1;
      c++;
    }
    if (c) slices.push(k + k0);
    count += c;
  }
  const volumeMl = (count * g.voxelVolumeMm3) / 1000;
  const messages = [`sacrum mask (MR, from the canal): ${volumeMl.toFixed(1)} mL on ${slices.length} slices (${seeded.size} seeded from the canal); the marrow its cortex encloses: lateral masses that neither cortex nor signal separates from the muscles next to them may be missing, and levels the canal does not reach are not in it`];
  return { mask: out, volumeMl, slices, seededSlices: [...seeded].map((k) => k + k0).sort((x, y) => x - y), messages, timingsMs: { total: nowMs() - t0, slices: tSlices, seeds: tSeeds, carry: tCarry } };
}

/** Fills the holes of a slice's mask (4-connected background not reaching the slice's edge) of at most maxPixels. */
function fillSmallHoles(f: Uint8Array, ni: number, nj: number, maxPixels: number): void {
  const bg = new Uint8Array(f.length);
  for (let n = 0; n < f.length; n++) bg[n] = f[n] ? 0 : 1;
  const { ids, sizes } = labelComponents(bg, [ni, nj, 1], 6);
  const edge = new Set<number>();
  for (let i = 0; i < ni; i++) { edge.add(ids[i]!); edge.add(ids[i + ni * (nj - 1)]!); }
  for (let j = 0; j < nj; j++) { edge.add(ids[ni * j]!); edge.add(ids[ni - 1 + ni * j]!); }
  for (let n = 0; n < f.length; n++) {
    const id = ids[n]!;
    if (id && !edge.has(id) && sizes[id]! <= maxPixels) f[n] = 1;
  }
}
