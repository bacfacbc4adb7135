/**
 * Foramen search on the anterior (pelvic) surface of the sacrum, as a reader finds them: on a reformat
 * parallel to that surface the anterior foramina are a row of round dark openings ringed by cortex on
 * each side of the bodies, mirror-symmetric, 15–30 mm apart and shrinking from S1 to S4.
 *
 *  1. The surface: along the local antero-posterior line through curve(s) + u·x̂ (the long axis'
 *     posterior direction, frame.ts), the depth where the sacrum (mask grown by a voxel for its cortex)
 *     begins; median-filtered over 5 × 5 mm so that it bridges the openings themselves.
 *  2. The reformat: the mean over 2–6 mm under that surface, on a map over (arc length s, lateral u),
 *     1 mm per pixel. Openings are dark spots enclosed by brighter values (darkEnclosedSpots) whose wall
 *     contrast is measured against the map's own spread, not against a marrow value.
 *  3. Each opening with a mirror image on the map is handed to the one-click Foramen fit (foramen-fit.ts) at 3.5 mm under the surface,
 *     with its axis within FIT_CONE_DEG of the local antero-posterior direction: what remains is a walled tunnel
 *     with an axis, a radius and both ends. The openings go as mirror pairs, strongest first (the weaker of the
 *     two sides); a pair's second side is fitted only when its first is a tunnel scoring at least PAIR_SHARE
 *     of the best fit so far (then its partners in turn until one is a tunnel too), and an opening that lies in a
 *     tunnel fitted already is not fitted again, so that look-alikes and the same tunnel seen twice do not use
 *     up the fits before the faint S4 pair.
 *  4. Pairs: a left and a right tunnel mirror-symmetric about the midline plane (s and |u| within
 *     8 mm). Levels: the chain of pairs, cranial first, whose consecutive pairs are 10–35 mm apart and
 *     shrink (radius within 1 mm of order), most levels first, then the best summed fit score, among the
 *     pairs whose weaker fit scores at least PAIR_SHARE of the best pair's; a chain of four is S1–S4,
 *     a chain of one pair is not used (nothing to check it against); a shorter one is numbered from the junctions between body centres (frame.ts) nearest its pairs
 *     (combine.ts renumbers it from the tunnels found inside the bone when those found more levels).
 * Nothing depends on the marrow's brightness, on the slice thickness beyond the fit's own sampling, or
 * on the patient's position: only on the sacral long axis, the midline plane (where it is tilted) and the
 * mask's anterior surface.
 */
import type { ScalarVolume } from '../../core/volume';
import type { Vec3 } from '../../core/vec3';
import { type WorkGrid, sampleWork, workOffsetAt } from '../detect-grid';
import { Polyline, cross3, normalize3, pointSegmentDistance } from './geometry';
import { fitForamen } from '../foramen-fit';
import { followInSlice } from '../foramen-axis';
import { IndexSampler, holeScore, robustSpread, slabImage } from '../local-image';
import type { Foramen, ForamenId, SacralLevel } from '../types';
import type { FrameResult } from './frame';
import { darkEnclosedSpots, type MapSpot } from './foramina-thick';
import { STEP, bridgeOpenings, medianAt, medianFilter, robustSpreadOf } from './surface-map';
import { PAIR_SHARE, SPACING_MAX, SPACING_MIN, type SurfaceCandidate, type TunnelPair, rowBelowDisc } from './opening-row';
import { LEVELS } from './types';
import { mirrorOffMm } from '../level-midline';

/** Map extent: |u| ≤ 48 mm covers the anterior openings (20–26 mm from the midline, DOMAIN.md §8). */
const U_MAX = 48, T_MAX = 45;
/** Depth range of the reformat under the anterior surface (mm): inside the funnel of the opening, short of the bodies' marrow. */
const DEPTH0 = 2, DEPTH1 = 6;
/** Anterior openings lie 20–26 mm from the midline (DOMAIN.md §8); S4 may come to 12 mm in a small sacrum. */
const U_MIN_OPENING = 10, U_MAX_OPENING = 42;
/** Mirror partners: s and |u| within this (patients lie rotated by 1–2 mm per pair, sacra are not perfectly symmetric). */
const PAIR_MM = 8;
/**
 * Rows over which the anterior surface's depth is taken as a median where distances along it are measured (mm):
 * wider than the largest opening (S1, up to 13 mm across, DOMAIN.md §6), so that the surface bridges it.
 */
const ARC_MEDIAN_MM = 15;
/**
 * A fitted tunnel opening further than this from the midline is lateral to the row (the search below the disc,
 * where the fatty alae are full of walled look-alikes): the S1 foramen's lateral edge lies about 31 mm from
 * the midline (DOMAIN.md §6) and S1 is the widest level, so no opening's centre lies beyond it.
 */
const U_MAX_FITTED_OPENING = 31;
/** Fits made at most, strongest mirror pairs first (four levels, two sides, and twice as many look-alikes). */
const MAX_FITS = 24;
/**
 * Fit directions within this of the local antero-posterior direction: the anterior foramina run roughly
 * along it (perpendicular to the sacral curve; 10–30° off it on the scans of test/anatomy/fixtures).
 */
const FIT_CONE_DEG = 35;
/** Levels a chain needs before it is believed: two pairs give one spacing and one size order to check. */
const MIN_CHAIN = 2;
/** Mirror images on their axes within this (mm): the bar of evidence.ts (MIRROR_MM). */
const MIRROR_REFIT_MM = 5;
/** Fits at the mirror image of a tunnel without one, at most (two per level). */
const MAX_MIRROR_REFITS = 8;
/** A tunnel followed over less than this (mm) is a pit, not a foramen (S4, the shortest, runs ≥ 7 mm through the bone). */
const MIN_TUBE_MM = 6;
/**
 * A fitted tunnel followed over less than this (mm) stopped where its wall opened, not where the bone ends: a real
 * opening stays dark through 6–10 mm of bone (DOMAIN.md §8) and S4, the shortest, runs at least 7 mm through it.
 * On a 0.5 mm cortex on 3 mm slices the generator's S4 tunnels are followed over 6 of their 17 mm
 * (test/anatomy/configs/fatty-funnel.json: the lateral mass behind them is too thin to ring them).
 */
const SHORT_TUBE_MM = 8;

export interface SurfaceOpeningsDebug {
  ns: number; nu: number; reformat: Float32Array; depth: Float32Array; spots: MapSpot[];
  /** Map pixel (row i = s, column j = u) of an LPS point. */
  toMap: (p: Readonly<Vec3>) => { i: number; j: number };
  /** LPS point of a map pixel `t` mm under the surface. */
  toLps: (i: number, j: number, t: number) => Vec3;
}

/**
 * How far a left and a right opening at lateral positions uL > 0 > uR on the map are from mirror images in |u| (mm),
 * about the best plane between the map's (u = 0) and their level's own (u = levelOffsetMm; level-midline.ts): about
 * the plane at e, |uL − e| − |uR − e| = uL + uR − 2e.
 */
function mirrorUMm(uL: number, uR: number, levelOffsetMm: number): number {
  const a = uL + uR, b = uL + uR - 2 * levelOffsetMm;
  return a * b <= 0 ? 0 : Math.min(Math.abs(a), Math.abs(b));
}

/** The plane of left–right mirror symmetry (symmetry.ts mirrorPlane). */
export interface MidlinePlane { normalLps: Vec3; pointLps: Vec3 }

/**
 * The anterior surface read from the image rather than from the mask, for a fatty sacrum whose mask lacks
 * the alae (where the openings are): the first voxel at or above `cortexHu` along each line, the surface
 * median-filtered over IMAGE_SURFACE_MEDIAN_MM so that it bridges the openings (S1, the largest, is up to
 * 13 mm across: most of a 17 mm window around it is surface); the reformat is then the 75th percentile over
 * 2–10 mm under it, since a real opening stays dark through a 6–10 mm slab while the dark boxes of the
 * fatty lateral masses between the openings are closed by a cortical plate within it (DOMAIN.md §8).
 */
export interface SurfaceFromImage {
  cortexHu: number;
  /** Signed distance (mm) of a point above the S1 endplate plane (sacral-base.ts): the surface above it is L5's. */
  aboveS1Mm: (x: number, y: number, z: number) => number;
}
const IMAGE_SURFACE_MEDIAN_MM = 8;
const IMAGE_SLAB_MM: [number, number] = [2, 10];
const IMAGE_SLAB_QUANTILE = 0.75;
/** The anterior openings show best on a reformat 1–3 mm inside the anterior surface (DOMAIN.md §8): their plane. */
const OPENING_PLANE_MM = 2;
/**
 * How far from where the tunnel's axis crosses the openings' plane its opening may lie (mm): the funnel of a
 * thin-walled opening turns laterally over its last few mm (pelvic-ref-003 S3 L: 7 mm over 5 mm of depth).
 */
const OPENING_SEARCH_MM = 6;
/** Radii tried for an opening (mm): S4's 2–3.5 to S2's 5.5 (DOMAIN.md §8), the funnel wider than the tunnel. */
const RADII_OPENING = [2, 2.75, 3.5, 4.5, 5.5];
/** Half-baseline of the surface normal (mm): across an opening's funnel (S2 up to 13 mm across, DOMAIN.md §6). */
const NORMAL_MM = 4;


export function detectSurfaceOpenings(
  volume: ScalarVolume, sacrum: Uint8Array, work: Float32Array, g: WorkGrid, midA: number, frame: FrameResult | null,
  messages: string[], debug?: (d: SurfaceOpeningsDebug) => void, plane?: MidlinePlane | null, fromImage?: SurfaceFromImage,
  /**
   * How far the sacrum's own midline plane at the level of a point lies from the whole sacrum's (mm along its normal;
   * level-midline.ts), where the sacrum is bent or turned along its length. Absent or null: 0.
   */
  levelOffsetAt?: (p: Readonly<Vec3>) => number | null,
): { foramina: Foramen[]; candidates: SurfaceCandidate[]; doubts?: Partial<Record<ForamenId, string>>; countedLevels?: SacralLevel[] } {
  if (!frame) return { foramina: [], candidates: [] };
  const [na, nb, nc] = g.dims;
  const nab = na * nb;
  const x0 = g.originLps[0] + midA * g.spacingMm;
  // the sacrum with its cortex: the mask grown by one voxel
  // (six shifted passes over contiguous runs: along x a row, along y a slice, along z the whole grid)
  const near = Uint8Array.from(sacrum);
  const grow = (from: number, to: number, d: number) => { for (let n = from; n < to; n++) if (sacrum[n + d] && !sacrum[n]) near[n] = 1; };
  for (let row = 0; row < nb * nc; row++) { const o = row * na; grow(o + 1, o + na, -1); grow(o, o + na - 1, 1); }
  for (let c = 0; c < nc; c++) { const o = c * nab; grow(o + na, o + nab, -na); grow(o, o + nab - na, na); }
  grow(nab, na * nb * nc, -nab); grow(0, na * nb * nc - nab, nab);
  // the map's lateral direction is the normal of the midline plane (tilted with a pelvic obliquity or a
  // scoliosis), its long axis the body-centre curve moved along x into that plane, its depth direction the
  // curve's posterior normal within the plane; untilted, this is x, the curve itself and its sagittal normal
  const n: Vec3 = plane ? normalize3(plane.normalLps[0] < 0 ? [-plane.normalLps[0], -plane.normalLps[1], -plane.normalLps[2]] : plane.normalLps) : [1, 0, 0];
  const P0: Vec3 = plane ? [plane.pointLps[0], plane.pointLps[1], plane.pointLps[2]] : [x0, 0, 0];
  const side = (p: Readonly<Vec3>) => (p[0] - P0[0]) * n[0] + (p[1] - P0[1]) * n[1] + (p[2] - P0[2]) * n[2];
  const curve = plane ? new Polyline(frame.curve.pts.map((p): Vec3 => [p[0] - side(p) / n[0], p[1], p[2]])) : frame.curve;
  const posteriorAt = (s: number): Vec3 => {
    if (!plane) return curve.posterior(s);
    const d = normalize3(cross3(curve.tangent(s), n));
    return d[1] < 0 ? [-d[0], -d[1], -d[2]] : d;
  };
  /** The level's own midline offset from the map's plane at arc length s (levelOffsetAt; 0 where not known). */
  const levelOffsetAtS = (sMm: number): number => levelOffsetAt?.(curve.at(Math.max(0, Math.min(curve.length, sMm)))) ?? 0;
  const ns = Math.floor(curve.length / STEP) + 1, nu = 2 * Math.round(U_MAX / STEP) + 1, u0 = Math.round(U_MAX / STEP);
  const lineAt = (s: number, u: number): { O: Vec3; P: Vec3 } => { const c = curve.at(s); return { O: [c[0] + u * n[0], c[1] + u * n[1], c[2] + u * n[2]], P: posteriorAt(s) }; };
  // 1. anterior surface depth per line
  const depthRaw = new Float32Array(ns * nu).fill(NaN);
  for (let i = 0; i < ns; i++) {
    for (let j = 0; j < nu; j++) {
      const { O, P } = lineAt(i * STEP, (j - u0) * STEP);
      for (let t = -T_MAX; t <= T_MAX; t += 0.5) {
        const x = O[0] + P[0] * t, y = O[1] + P[1] * t, z = O[2] + P[2] * t;
        const o = workOffsetAt(g, x, y, z);
        if (o < 0) continue;
        if ((near[o] || (fromImage && work[o]! >= fromImage.cortexHu))) { depthRaw[i * nu + j] = t; break; }
      }
    }
  }
  const depth = medianFilter(depthRaw, ns, nu, Math.round((fromImage ? IMAGE_SURFACE_MEDIAN_MM : 2.5) / STEP));
  // 1b. below the disc, the surface bridged over the openings, for reading each tunnel's anterior opening
  // (openingOf): the first reading stays the map's, where the openings are found
  // (computed where read: a few hundred pixels of the map, for the few chained tunnels)
  let bridgedRaw: Float32Array | null = null, bridged: Float32Array | null = null;
  const medianBuf = new Float64Array((2 * Math.round(IMAGE_SURFACE_MEDIAN_MM / STEP) + 1) ** 2);
  const sampler = fromImage ? new IndexSampler(volume) : null;
  /** A point of the bridged surface at map pixel (i, j), or null. */
  const bridgedPoint = (i: number, j: number): Vec3 | null => {
    if (!fromImage || i < 0 || j < 0 || i >= ns || j >= nu) return null;
    if (!bridgedRaw || !bridged) { bridgedRaw = bridgeOpenings(depthRaw, ns, nu); bridged = new Float32Array(ns * nu).fill(Infinity); }
    let t0 = bridged[i * nu + j]!;
    if (t0 === Infinity) t0 = bridged[i * nu + j] = medianAt(bridgedRaw, ns, nu, Math.round(IMAGE_SURFACE_MEDIAN_MM / STEP), i, j, medianBuf);
    if (!(t0 === t0)) return null;
    const { O, P } = lineAt(i * STEP, (j - u0) * STEP);
    return [O[0] + P[0] * t0, O[1] + P[1] * t0, O[2] + P[2] * t0];
  };
  /** How far (mm) a point lies under the bridged surface (negative: in front of it); NaN off the map. */
  const underBridged = (q: Readonly<Vec3>): number => {
    const i = Math.round(curve.project(q).s / STEP), j = Math.round(side(q) / STEP) + u0;
    const at = bridgedPoint(i, j);
    if (!at) return NaN;
    const P = posteriorAt(i * STEP);
    return (q[0] - at[0]) * P[0] + (q[1] - at[1]) * P[1] + (q[2] - at[2]) * P[2];
  };
  /**
   * The bridged surface's inward normal near a point, from its points NORMAL_MM either side along the map's two
   * axes: the reformat is parallel to the surface itself, which at S3–S5 turns away from the body-centre
   * curve's normal (on pelvic-ref-003 by 30–45° at S4).
   */
  const surfaceNormalAt = (q: Readonly<Vec3>): Vec3 | null => {
    const i = Math.round(curve.project(q).s / STEP), j = Math.round(side(q) / STEP) + u0, h = Math.round(NORMAL_MM / STEP);
    const a = bridgedPoint(i - h, j), b = bridgedPoint(i + h, j), c = bridgedPoint(i, j - h), d = bridgedPoint(i, j + h);
    if (!a || !b || !c || !d) return null;
    const m = normalize3(cross3([b[0] - a[0], b[1] - a[1], b[2] - a[2]], [d[0] - c[0], d[1] - c[1], d[2] - c[2]]));
    return m[1] < 0 ? [-m[0], -m[1], -m[2]] : m;
  };
  const openings = new Map<SurfaceCandidate, Vec3 | null>();
  /**
   * The anterior opening of a fitted tunnel as a reader finds it: the best walled lumen (local-image.ts
   * holeScore, the fit's own ring test) on a 3 mm slab parallel to the anterior surface, OPENING_PLANE_MM
   * under it (DOMAIN.md §8: the openings show best 1–3 mm inside the surface), within OPENING_SEARCH_MM of
   * where the tunnel's axis crosses that plane. Read only where the fit's anterior end lies deeper than that
   * plane: on thin cortex (fatty marrow, 3 mm slices) the opening is a funnel whose rim does not close round
   * the lumen, so the fit, which follows the lumen while it is enclosed (foramen-fit.ts), stops inside the bone,
   * and the tunnel turns laterally towards its opening (pelvic-ref-003 S3/S4: the fitted ends lie 5–9 mm under
   * the surface, the openings read by eye 2–8 mm in front of them and up to 7 mm lateral). The crossing must lie
   * within the reformat's reading depth (IMAGE_SLAB_MM) of the fitted end. Null where none is read.
   */
  const openingOf = (c: SurfaceCandidate): Vec3 | null => {
    if (openings.has(c)) return openings.get(c)!;
    let out: Vec3 | null = null;
    const a = c.anteriorLps, b = c.posteriorLps;
    const under0 = underBridged(a);
    if (sampler && under0 > OPENING_PLANE_MM) {
      const ax = normalize3([b[0] - a[0], b[1] - a[1], b[2] - a[2]]);
      let X: Vec3 | null = null;
      for (let t = 0.5; t <= IMAGE_SLAB_MM[1] && !X; t += 0.5) {
        const q: Vec3 = [a[0] - ax[0] * t, a[1] - ax[1] * t, a[2] - ax[2] * t], under = underBridged(q);
        if (!(under === under)) break;
        if (under <= OPENING_PLANE_MM) X = q;
      }
      const P = X ? surfaceNormalAt(X) : null;
      if (X && P) {
        const e2 = normalize3(cross3(P, n));
        const img = slabImage(sampler, X, n, e2, P, OPENING_SEARCH_MM + RADII_OPENING[RADII_OPENING.length - 1]! + 2, 0.5, [-1.5, -0.75, 0, 0.75, 1.5]);
        const spread = robustSpread(img.values) || 1;
        let best = { score: 0, x: 0, y: 0 };
        const sp = OPENING_SEARCH_MM / 0.5;
        for (let dy = -sp; dy <= sp; dy++) for (let dx = -sp; dx <= sp; dx++) {
          if (dx * dx + dy * dy > sp * sp) continue;
          for (const r of RADII_OPENING) {
            const h = holeScore(img, img.half + dx, img.half + dy, r, 1, spread);
            if (h.score === h.score && h.score / spread > best.score) best = { score: h.score / spread, x: dx, y: dy };
          }
        }
        if (best.score > 0) out = [0, 1, 2].map((k) => X![k]! + n[k]! * best.x * 0.5 + e2[k]! * best.y * 0.5) as Vec3;
      }
    }
    openings.set(c, out);
    return out;
  };
  // 2. reformat under the surface
  const reformat = new Float32Array(ns * nu).fill(NaN);
  const inMap: number[] = [];
  for (let i = 0; i < ns; i++) for (let j = 0; j < nu; j++) {
    const t0 = depth[i * nu + j]!;
    if (!(t0 === t0)) continue;
    const { O, P } = lineAt(i * STEP, (j - u0) * STEP);
    let sum = 0, cnt = 0;
    if (fromImage) {
      // the map stops at the S1 endplate: the surface above it is L5's
      if (fromImage.aboveS1Mm(O[0] + P[0] * t0, O[1] + P[1] * t0, O[2] + P[2] * t0) > 0) continue;
      const vals: number[] = [];
      for (let t = t0 + IMAGE_SLAB_MM[0]; t <= t0 + IMAGE_SLAB_MM[1] + 1e-9; t += 1) {
        const v = sampleWork(work, g, O[0] + P[0] * t, O[1] + P[1] * t, O[2] + P[2] * t, 'nan');
        if (v === v) vals.push(v);
      }
      if (vals.length) {
        vals.sort((p, q) => p - q);
        const v = vals[Math.min(vals.length - 1, Math.floor(IMAGE_SLAB_QUANTILE * vals.length))]!;
        reformat[i * nu + j] = v; inMap.push(v);
      }
      continue;
    }
    for (let t = t0 + DEPTH0; t <= t0 + DEPTH1 + 1e-9; t += 1) {
      const v = sampleWork(work, g, O[0] + P[0] * t, O[1] + P[1] * t, O[2] + P[2] * t, 'nan');
      if (v === v) { sum += v; cnt++; }
    }
    if (cnt) { reformat[i * nu + j] = sum / cnt; inMap.push(sum / cnt); }
  }
  // wall contrast against the map's own spread: the same for fatty and dense marrow
  const spread = robustSpreadOf(inMap);
  const sorted = [...inMap].sort((a, b) => a - b);
  const med = sorted.length ? sorted[sorted.length >> 1]! : NaN;
  if (!(spread > 0)) { messages.push('foramina (anterior surface): no surface found'); return { foramina: [], candidates: [] }; }
  const spots = darkEnclosedSpots(reformat, ns, nu, { maxValue: med, wallContrast: Math.max(40, 0.8 * spread), maxRadiusPx: 10 / STEP, minEnclosure: 12 / 16, minSepPx: 5 / STEP });
  debug?.({ ns, nu, reformat, depth, spots, toMap: (p) => ({ i: curve.project(p).s / STEP, j: side(p) / STEP + u0 }),
    toLps: (i, j, t) => { const { O, P } = lineAt(i * STEP, (j - u0) * STEP); const t0 = depth[Math.round(i) * nu + Math.round(j)]! + t; return [O[0] + P[0] * t0, O[1] + P[1] * t0, O[2] + P[2] * t0]; } });
  // 3. the Foramen fit at each opening
  const candidates: SurfaceCandidate[] = [];
  // only openings with a mirror image on the map (s and |u| within PAIR_MM) are fitted: the levels come
  // as pairs, and the fit is the costly step
  const uOf = (sp: MapSpot) => (sp.cj - u0) * STEP, sOfSpot = (sp: MapSpot) => sp.ci * STEP;
  const lateral = spots.filter((sp) => { const u = Math.abs(uOf(sp)); return u >= U_MIN_OPENING && u <= U_MAX_OPENING; });
  // the openings go as mirror pairs, strongest first (a pair is as strong as its weaker side), so that real
  // levels are fitted before strong single look-alikes (lesions, vessels) with a faint partner; the second
  // side of a pair is fitted only when the first is a tunnel, and an opening that lies in a tunnel fitted
  // already is that tunnel seen again (not fitted twice)
  const strength = (sp: MapSpot) => sp.contrast * sp.enclosure;
  const spotPairs: { a: MapSpot; b: MapSpot; w: number }[] = [];
  for (const a of lateral) for (const b of lateral) {
    if (uOf(a) <= 0 || uOf(b) >= 0 || Math.abs(sOfSpot(a) - sOfSpot(b)) > PAIR_MM || mirrorUMm(uOf(a), uOf(b), levelOffsetAtS((sOfSpot(a) + sOfSpot(b)) / 2)) > PAIR_MM) continue;
    const [first, second] = strength(a) >= strength(b) ? [a, b] : [b, a];
    spotPairs.push({ a: first, b: second, w: Math.min(strength(a), strength(b)) });
  }
  spotPairs.sort((p, q) => q.w - p.w);
  const mirrored = new Set(spotPairs.flatMap((p) => [p.a, p.b]));
  const fitted = new Map<MapSpot, SurfaceCandidate | null>();
  let fits = 0, bestScore = 0;
  /** The Foramen fit at `p` along about `hint`: a candidate (kept in `candidates`), or null where no walled lumen is near. */
  const fitPoint = (p: Vec3, hint: Vec3, enclosure: number): SurfaceCandidate | null => {
    const seen = candidates.find((c) => !c.rejected && pointSegmentDistance(p, c.anteriorLps, c.posteriorLps) <= c.radiusMm + 1);
    if (seen) return seen;
    fits++;
    const fit = fitForamen(volume, p, { searchMm: 4, axisHint: hint, coneDeg: FIT_CONE_DEG });
    if (!fit) return null;
    const uFit = side(fit.centreLps);
    const proj = curve.project(fit.centreLps);
    // a fit stopped short on thick slices, where the tunnel lies within a slice or two: followed on its side walls in
    // the slice's plane (foramen-axis.ts followInSlice)
    const inSlice = fit.tubeLengthMm < SHORT_TUBE_MM ? followInSlice(volume, fit) : null;
    const [ant, post] = inSlice ? [inSlice.anteriorLps, inSlice.posteriorLps] : [fit.anteriorLps, fit.posteriorLps];
    const lengthMm = inSlice ? Math.hypot(post[0] - ant[0], post[1] - ant[1], post[2] - ant[2]) : fit.tubeLengthMm;
    const cand: SurfaceCandidate = {
      side: uFit > 0 ? 'L' : 'R', centerLps: fit.centreLps, anteriorLps: ant, posteriorLps: post, radiusMm: Math.round(fit.radiusMm * 10) / 10,
      lengthMm: Math.round(lengthMm * 10) / 10, sMm: Math.round(proj.s * 10) / 10, volumeMm3: Math.round(Math.PI * fit.radiusMm ** 2 * lengthMm),
      elongation: Math.round((lengthMm / (2 * fit.radiusMm)) * 100) / 100, enclosure, score: Math.round(fit.score * 100) / 100,
      fit, u: uFit,
    };
    const uOpen = Math.abs(side(ant));
    if (lengthMm < MIN_TUBE_MM) cand.rejected = 'too short for a tunnel';
    else if (fromImage && (uOpen < U_MIN_OPENING || uOpen > U_MAX_FITTED_OPENING)) cand.rejected = `opens ${uOpen.toFixed(0)} mm from the midline, off the row of openings`;
    else if (candidates.some((o) => Math.hypot(o.centerLps[0] - cand.centerLps[0], o.centerLps[1] - cand.centerLps[1], o.centerLps[2] - cand.centerLps[2]) < 3)) cand.rejected = 'same tunnel as another opening';
    candidates.push(cand);
    if (!cand.rejected) bestScore = Math.max(bestScore, cand.score);
    return cand;
  };
  const fitSpot = (sp: MapSpot): SurfaceCandidate | null => {
    if (fitted.has(sp)) return fitted.get(sp)!;
    const s = sp.ci * STEP, u = (sp.cj - u0) * STEP;
    const t0 = depth[Math.round(sp.ci) * nu + Math.round(sp.cj)]!;
    if (!(t0 === t0)) { fitted.set(sp, null); return null; }
    const { O, P } = lineAt(s, u);
    const p: Vec3 = [O[0] + P[0] * (t0 + 3.5), O[1] + P[1] * (t0 + 3.5), O[2] + P[2] * (t0 + 3.5)];
    const cand = fitPoint(p, P, sp.enclosure);
    fitted.set(sp, cand);
    return cand;
  };
  for (const pr of spotPairs) {
    if (fits >= MAX_FITS) break;
    const first = fitSpot(pr.a);
    // only a tunnel that could make a level (PAIR_SHARE of the best fit so far, as the pairs are judged below)
    // has its mirror partners fitted: look-alikes score a fifth to a tenth of the real openings
    if (!first || first.rejected || first.score < PAIR_SHARE * bestScore) continue;
    // a walled tunnel: its mirror partners, strongest first, until one is a tunnel that could make a level too
    // (the same PAIR_SHARE bar): a funnel-shaped opening's rim reads fainter on the map than a look-alike's
    // beside it (the funnel phantom's S1_R: contrast 56 against 59 for a 1.5 mm lumen 9 mm below, whose fit
    // scores 1.06 against S1_L's 3.75), and a look-alike must not end the search for the real partner
    const partners = spotPairs.filter((q) => q.a === pr.a || q.b === pr.a).map((q) => (q.a === pr.a ? q.b : q.a)).sort((x, y) => strength(y) - strength(x));
    for (const o of partners) {
      if (fits >= MAX_FITS) break;
      const c = fitSpot(o);
      if (c && !c.rejected && c.score >= PAIR_SHARE * bestScore) break;
    }
  }
  // (on the surface read from the image, where look-alikes abound: the search below the L5/S1 disc)
  const mirrorRefit = !!fromImage;
  // 3b. bilateral symmetry: a tunnel whose other side was not fitted as its mirror image (its spot was not on
  // the map, or the fit went to a neighbouring look-alike) is fitted once more at its mirror image, strongest
  // tunnels first
  if (mirrorRefit) {
    const mirrorOf = (p: Readonly<Vec3>): Vec3 => { const d = side(p); return [p[0] - 2 * d * n[0], p[1] - 2 * d * n[1], p[2] - 2 * d * n[2]]; };
    const mirroredBy = (c: SurfaceCandidate, o: SurfaceCandidate) => pointSegmentDistance(mirrorOf(o.anteriorLps), c.anteriorLps, c.posteriorLps) <= MIRROR_REFIT_MM;
    const strong = candidates.filter((c) => !c.rejected).sort((a, b) => b.score - a.score);
    let refits = 0;
    for (const c of strong) {
      if (refits >= MAX_MIRROR_REFITS) break;
      if (candidates.some((o) => !o.rejected && o.side !== c.side && mirroredBy(c, o))) continue;
      const a = mirrorOf(c.anteriorLps), b = mirrorOf(c.posteriorLps);
      const ax = normalize3([b[0] - a[0], b[1] - a[1], b[2] - a[2]]);
      refits++;
      fitPoint([a[0] + 3.5 * ax[0], a[1] + 3.5 * ax[1], a[2] + 3.5 * ax[2]], ax, c.enclosure);
    }
  }
  // 4. mirror pairs, then the best chain of levels
  const ok = candidates.filter((c) => !c.rejected);
  // a pair's tunnels are mirror images about a plane between the whole sacrum's and their own level's (levelOffsetAt,
  // read at the midpoint of their anterior openings; level-midline.ts mirrorOffMm)
  const wholePlane = { normalLps: n, pointLps: P0 };
  const pairOffMm = (L: SurfaceCandidate, R: SurfaceCandidate): number => mirrorOffMm(L, R, wholePlane, levelOffsetAt?.([(L.anteriorLps[0] + R.anteriorLps[0]) / 2, (L.anteriorLps[1] + R.anteriorLps[1]) / 2, (L.anteriorLps[2] + R.anteriorLps[2]) / 2]) ?? 0);
  const mirrorOnAxes = (L: SurfaceCandidate, R: SurfaceCandidate): boolean => pairOffMm(L, R) <= MIRROR_REFIT_MM;
  const mirrorOfP = (p: Readonly<Vec3>): Vec3 => { const d = side(p); return [p[0] - 2 * d * n[0], p[1] - 2 * d * n[1], p[2] - 2 * d * n[2]]; };
  const pairs: TunnelPair[] = [];
  for (const L of ok) for (const R of ok) {
    if (L.side !== 'L' || R.side !== 'R') continue;
    if (Math.abs(L.sMm - R.sMm) > PAIR_MM || mirrorUMm(L.u, R.u, levelOffsetAtS((L.sMm + R.sMm) / 2)) > PAIR_MM) continue;
    pairs.push({ L, R, s: (L.sMm + R.sMm) / 2, r: (L.radiusMm + R.radiusMm) / 2, score: Math.min(L.score, R.score) });
    // mirror images on their axes (evidence.ts) outrank a pair that only shares a row of the map
    if (mirrorRefit && !(pointSegmentDistance(mirrorOfP(R.anteriorLps), L.anteriorLps, L.posteriorLps) <= MIRROR_REFIT_MM || mirrorOnAxes(L, R))) pairs[pairs.length - 1]!.score *= 0.5;
  }
  const topPair = pairs.reduce((m, p) => Math.max(m, p.score), 0);
  // below the L5/S1 disc the row is anchored at the disc and judged by its spacing (rowBelowDisc), not by the
  // share of the strongest pair: there the strongest pair may be a look-alike (on pelvic-ref-003 a pair of
  // narrow walled lumens 9 mm behind the S3 openings outscores every real S2–S4 pair)
  if (!fromImage) for (let k = pairs.length - 1; k >= 0; k--) if (pairs[k]!.score < PAIR_SHARE * topPair) pairs.splice(k, 1);
  pairs.sort((a, b) => a.s - b.s);
  // longest-then-strongest chain (dynamic programming over pairs in cranio-caudal order); below the L5/S1 disc
  // the row from S1 down (rowBelowDisc)
  const best: { n: number; span: number; sc: number; prev: number }[] = pairs.map((p) => ({ n: 1, span: 1, sc: p.score, prev: -1 }));
  if (!fromImage) for (let k = 0; k < pairs.length; k++) for (let m = 0; m < k; m++) {
    const a = pairs[m]!, b = pairs[k]!;
    const gap = b.s - a.s;
    const step = gap >= SPACING_MIN && gap <= SPACING_MAX ? 1 : 0;
    if (!step || b.r > a.r + 1 || best[m]!.span + step > LEVELS.length) continue;
    if (a.L === b.L || a.R === b.R) continue;
    const n = best[m]!.n + 1, sc = best[m]!.sc + b.score;
    if (n > best[k]!.n || (n === best[k]!.n && sc > best[k]!.sc)) best[k] = { n, span: best[m]!.span + step, sc, prev: m };
  }
  let end = -1;
  for (let k = 0; k < pairs.length; k++) if (end < 0 || best[k]!.n > best[end]!.n || (best[k]!.n === best[end]!.n && best[k]!.sc > best[end]!.sc)) end = k;
  const chain: typeof pairs = [];
  /** Level of each chain pair relative to the first (a skipped level leaves a gap). */
  const rel: number[] = [];
  let doubtful: { q: number; side: 'L' | 'R'; why: string }[] = [];
  if (fromImage) {
    const onAxes = (p: TunnelPair) => mirrorOnAxes(p.L, p.R);
    // two tunnels whose openings read on the surface-parallel reformat (openingOf) are closer than the smallest
    // opening's radius open through one hole
    const sameOpening = (x: SurfaceCandidate, y: SurfaceCandidate): boolean => {
      const a = openingOf(x), b = openingOf(y);
      return !!a && !!b && Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]) < RADII_OPENING[0]!;
    };
    const row = rowBelowDisc(pairs, (p) => -Math.max(fromImage.aboveS1Mm(...p.L.anteriorLps), fromImage.aboveS1Mm(...p.R.anteriorLps)), onAxes, sameOpening);
    chain.push(...row.chain); rel.push(...row.rel);
    doubtful = row.doubtful;
  } else for (let k = end; k >= 0; k = best[k]!.prev) { chain.unshift(pairs[k]!); rel.unshift(best[k]!.span - 1); }
  // one pair alone has no spacing or size order to check, and its level would rest on the frame alone
  if (chain.length < MIN_CHAIN) { chain.length = 0; rel.length = 0; }
  const span = rel.length ? rel[rel.length - 1]! + 1 : 0;
  // numbering: the offset that puts the chain's pairs nearest the junctions between body centres
  const bodies = frame.frame.bodyCentersLps;
  const junctionS = bodies.slice(1).map((c, k) => curve.project([(bodies[k]![0] + c[0]) / 2, (bodies[k]![1] + c[1]) / 2, (bodies[k]![2] + c[2]) / 2]).s).slice(0, LEVELS.length);
  let offset = 0, bestCost = Infinity;
  // below the disc the chain starts at S1 (rowBelowDisc)
  if (!fromImage) for (let o = 0; o + span <= LEVELS.length; o++) {
    const cost = chain.reduce((acc, p, k) => acc + Math.abs(p.s - junctionS[o + rel[k]!]!), 0);
    if (cost < bestCost) { bestCost = cost; offset = o; }
  }
  // below the disc the levels under S1 are counted down the chain; the count is taken (countedLevels) where two
  // readings that do not depend on each other agree: the chain runs down from S1 without a skipped level, each
  // of its pairs is a mirror pair on the tunnels' axes (not only on the map), and each lies within half a
  // level's spacing of the junction the long axis puts that level at (frame.ts). On pelvic-ref-003 the chain
  // skips S2 (an S1-to-next spacing over 40 mm) and its next pair is not a mirror pair: all stay "check".
  const countedLevels: SacralLevel[] = [];
  if (fromImage && chain.length) {
    // distances along the map's rows are measured on the anterior surface (the bridged surface on the midline
    // column), where the openings lie: the rows are lines along the long axis' normals, which converge in front of
    // it where the sacrum curves, so a step along the axis is a shorter one on its anterior surface (pelvic-ref-003:
    // its S3 and S4 openings 18 mm apart as read by eye, 31 mm apart in the axis' arc length)
    const arc = new Float64Array(ns);
    {
      // the surface's depth per row: the median over the row's columns within the openings' reach (|u| ≤
      // U_MAX_FITTED_OPENING), then over ARC_MEDIAN_MM of rows, so that neither an opening nor a waist between two
      // bodies moves it
      const rowDepth = new Float64Array(ns).fill(NaN), buf: number[] = [];
      for (let i = 0; i < ns; i++) {
        buf.length = 0;
        for (let j = u0 - U_MAX_FITTED_OPENING; j <= u0 + U_MAX_FITTED_OPENING; j++) { const t = depth[i * nu + j]!; if (t === t) buf.push(t); }
        if (buf.length) { buf.sort((a, b) => a - b); rowDepth[i] = buf[buf.length >> 1]!; }
      }
      const hw = Math.round(ARC_MEDIAN_MM / 2 / STEP);
      let last: Vec3 | null = null;
      for (let i = 0; i < ns; i++) {
        buf.length = 0;
        for (let k = Math.max(0, i - hw); k <= Math.min(ns - 1, i + hw); k++) if (rowDepth[k] === rowDepth[k]) buf.push(rowDepth[k]!);
        buf.sort((a, b) => a - b);
        const t = buf.length ? buf[buf.length >> 1]! : NaN;
        const c = curve.at(i * STEP), P = posteriorAt(i * STEP);
        const q: Vec3 | null = t === t ? [c[0] + P[0] * t, c[1] + P[1] * t, c[2] + P[2] * t] : null;
        // the step's component along the axis: how far the rows' lines lie apart at the surface's depth, whatever
        // the surface's own turns (the promontory, the waists between bodies)
        const T = curve.tangent(i * STEP);
        arc[i] = (i ? arc[i - 1]! : 0) + (q && last ? Math.max(0, (q[0] - last[0]) * T[0] + (q[1] - last[1]) * T[1] + (q[2] - last[2]) * T[2]) : i ? STEP : 0);
        if (q) last = q;
      }
    }
    const arcAt = (sMm: number): number => { const x = Math.max(0, Math.min(ns - 1, sMm / STEP)), i = Math.min(ns - 2, Math.floor(x)); return ns < 2 ? x * STEP : arc[i]! + (arc[i + 1]! - arc[i]!) * (x - i); };
    const spacing = junctionS.length > 1 ? (arcAt(junctionS[junctionS.length - 1]!) - arcAt(junctionS[0]!)) / (junctionS.length - 1) : NaN;
    for (let k = 0; k < chain.length; k++) {
      const p = chain[k]!, lv = offset + rel[k]!;
      const onAxes = mirrorOnAxes(p.L, p.R);
      const atJunction = Math.abs(arcAt(p.s) - arcAt(junctionS[lv]!)) <= 0.5 * spacing;
      if (rel[k] !== k || !onAxes || !atJunction) {
        messages.push(`foramina (anterior surface): the count below S1 stops at ${LEVELS[lv]}: ${rel[k] !== k ? 'a level skipped above it' : !onAxes ? 'its two tunnels are not mirror images' : `${Math.abs(arcAt(p.s) - arcAt(junctionS[lv]!)).toFixed(0)} mm from where the long axis puts it (half a level: ${(0.5 * spacing).toFixed(0)} mm)`}`);
        break;
      }
      countedLevels.push(LEVELS[lv]!);
    }
  }
  /**
   * Where a short tunnel's axis (SHORT_TUBE_MM) leaves the sacrum behind its fitted posterior end: on along the axis
   * while the point is in the mask or ringed by it across the axis (7 of 12 directions within 10 mm, as
   * detect/foramina.ts takes a lumen to be enclosed). A capsule cut short puts a needle passing behind it further
   * from the foramen than it is (clearance too large); taken on through the bone it errs the safe way. The fitted end
   * where the axis leaves the sacrum within 2 mm. The mask itself, not `near` (grown by one voxel for the map, to
   * take in a cortex the threshold misses): the mask already reaches the bone's surface at the end of a tunnel, and
   * the grown one carried the ends a voxel past it (fatty-funnel S4 pair: 2.7 and 1.7 mm past the truth, 1.2 and
   * 0.7 mm with the mask; the TotalSegmentator CT's S4_L 2.8 mm shorter, 10.5 mm long against its partner's 8).
   */
  const inMask = (q: Readonly<Vec3>): boolean => { const o = workOffsetAt(g, q[0], q[1], q[2]); return o >= 0 && sacrum[o] === 1; };
  const throughBone = (a: Readonly<Vec3>, b: Readonly<Vec3>): Vec3 => {
    const ax = normalize3([b[0] - a[0], b[1] - a[1], b[2] - a[2]]);
    const pu: Vec3 = Math.abs(ax[0]) < 0.9 ? [1, 0, 0] : [0, 1, 0];
    const u1 = normalize3(cross3(ax, pu)), u2 = normalize3(cross3(ax, u1));
    const enclosed = (q: Vec3): boolean => {
      if (inMask(q)) return true;
      let hits = 0;
      for (let k = 0; k < 12; k++) {
        const th = (k * Math.PI) / 6, d: Vec3 = [u1[0] * Math.cos(th) + u2[0] * Math.sin(th), u1[1] * Math.cos(th) + u2[1] * Math.sin(th), u1[2] * Math.cos(th) + u2[2] * Math.sin(th)];
        for (let r = 0.5; r <= 10; r += 0.5) if (inMask([q[0] + d[0] * r, q[1] + d[1] * r, q[2] + d[2] * r])) { hits++; break; }
      }
      return hits >= 7;
    };
    let t = 0;
    while (t < 40 && enclosed([b[0] + ax[0] * (t + 0.5), b[1] + ax[1] * (t + 0.5), b[2] + ax[2] * (t + 0.5)])) t += 0.5;
    return t > 2 ? [b[0] + ax[0] * t, b[1] + ax[1] * t, b[2] + ax[2] * t] : [b[0], b[1], b[2]];
  };
  const foramina: Foramen[] = [];
  const doubts: Partial<Record<ForamenId, string>> = {};
  chain.forEach((p, k) => {
    const lv = LEVELS[offset + rel[k]!]! as SacralLevel;
    for (const d of doubtful) if (d.q === k) doubts[`${lv}_${d.side}` as ForamenId] = d.why;
    for (const [c, partner] of [[p.L, p.R], [p.R, p.L]] as const) {
      c.level = lv;
      const dm = Math.hypot(Math.abs(c.u) - Math.abs(partner.u), c.sMm - partner.sMm);
      const sym = Math.max(0, 1 - dm / 15);
      const conf = 0.5 * Math.min(1, c.score) + 0.2 * c.enclosure + 0.3 * sym;
      // below S1 the anterior opening read on the surface-parallel reformat (openingOf); the S1 tunnels, the
      // widest, are followed to their openings, which lie where the map stops at the S1 endplate (the bridged
      // surface's normal is not measured there)
      const anteriorLps = (fromImage && offset + rel[k]! > 0 ? openingOf(c) : null) ?? c.anteriorLps;
      const posteriorLps = c.lengthMm < SHORT_TUBE_MM ? throughBone(c.anteriorLps, c.posteriorLps) : c.posteriorLps;
      foramina.push({ id: `${lv}_${c.side}` as ForamenId, level: lv, side: c.side, anteriorLps, posteriorLps, radiusMm: c.radiusMm, confidence: Math.round(conf * 100) / 100, source: 'auto' });
    }
  });
  for (const c of ok) if (!c.level) c.rejected = 'not in the chain of mirror pairs';
  messages.push(`foramina (anterior surface): ${spots.length} openings on the reformat (${mirrored.size} with a mirror image), ${fits} fits, ${candidates.filter((c) => !c.rejected).length} tunnels, ${pairs.length} mirror pairs, ${chain.length} levels in a chain`);
  return { foramina, candidates, doubts, countedLevels };
}
