/**
 * Lesion / background strokes with a competitive grow, for lesions a threshold cannot separate
 * (a lytic metastasis nearly iso-dense with fatty marrow, MR). The same idea as 3D Slicer's
 * "Grow from seeds" (Zhu et al., "An effective interactive medical image segmentation method using
 * fast GrowCut", MICCAI IMIC 2014): the voxels painted as lesion and as background compete; every
 * other voxel of the region of interest goes to the front that reaches it at the lower cost.
 *
 * Here the cost is a geodesic one with an intensity model per side. Each voxel has an evidence for
 * the lesion
 *   e = z_background² − z_lesion² + prior,   z_side = (v − μ_side) / σ
 * (twice the log-likelihood ratio of two normals with the pooled SD), and entering it costs the
 * lesion's front 1 + 4 · max(0, −e) and the background's 1 + 4 · max(0, e): a front pays only for
 * voxels whose evidence favours the other side. v is the value on a copy smoothed over `smoothMm`
 * (averages noise and fine trabecular texture) edge-preservingly (bilateral, Tomasi & Manduchi 1998:
 * a neighbour's weight also falls with its difference from the voxel, range RANGE_SD × the noise SD
 * under the lesion strokes, so that the cortex next to a lesion does not bleed into the lesion's
 * edge), μ_side the median under that side's strokes of a Gaussian-smoothed copy (there a
 * partial-volume voxel is averaged into its neighbours and forms no level of its own) and σ the
 * pooled robust SD under both. The fronts therefore meet near the midpoint of the two levels, and the
 * path cost (not each voxel alone) decides: a lone lesion-like pocket of marrow behind marrow-like
 * voxels is reached first by the background.
 *
 * Three terms keep the lesion's front out of tissue that no stroke sampled (issue 13: on the real CTs
 * with lesions implanted, test/segmentation/implanted-grow.test.ts, a lytic lesion's front ran into
 * the canal's CSF and fat, the disc and fatty marrow, up to 8.4 × the truth):
 *  - the background is everything that is not the painted lesion: a value more than OUTLIER_Z σ
 *    beyond the lesion's level, on a side where no background level lies, is not a blend of lesion
 *    and background (those lie between the levels) but another tissue, and its z_background² is
 *    capped at OUTLIER_Z² (fat at −50 HU beyond a lytic lesion at 40 HU in marrow at 130 HU);
 *  - the background painted next to the voxel: within a brush radius of a background stroke, the
 *    evidence is also taken against the level of that stretch of the stroke (localBackground), and
 *    the weaker of the two counts. The strokes' levels are medians over every background stroke,
 *    while the tissue beside a lesion changes within millimetres: on pelvic-ref-003 the marrow
 *    within 1.5 mm of the implanted P1's outline reads a median 59 HU, 39 % of it on the lesion's
 *    side of the strokes' midpoint, against 123-148 HU and 15 % 3-10 mm out, so that against the
 *    strokes' level (83 HU) that fat-rich marrow was lesion, and the lesion took a voxel-wide rim of
 *    it (+30 % of its voxels, the excess within 1.5 mm of the truth's surface, half of it in voxels
 *    less than half covered by the lesion; test/segmentation/implanted-grow.test.ts). Beyond a
 *    cortical break the stroke over the muscle says the same of muscle at a lesion's own level;
 *  - the strokes' geometry: a voxel farther from the lesion strokes than the background stroke
 *    nearest to it lies past that stroke, where the user said the lesion is not; each mm past it
 *    adds −OUTLIER_Z² per brush radius to its evidence (prior). Between the strokes the prior is 0
 *    and the image alone decides, wherever the strokes are drawn.
 * Without background strokes the lesion's front pays 1 + z_lesion² and the box boundary advances at
 * cost 1. Costs are quantised to 1/8 and capped, and the fronts advance with Dial's bucket queue
 * (exact shortest paths for integer costs).
 *
 * The voxels on either side of the surface where the fronts met are then decided again on a copy
 * smoothed by only 0.5 mm, by the side of the two levels' midpoint they lie on (the 1 mm copy pulls
 * the midpoint contour of a small, curved lesion inward by about σ²/r), where that copy still
 * separates the two levels (midpoint 2 SD from both; a high-contrast lesion such as a sclerotic one).
 *
 * The lesion is then opened by reconstruction (OPEN_MM): the blend of fat and cortex along the bone
 * surface passes through a lytic lesion's level in a sheet about a voxel thick, which led the
 * lesion's front along the surface to muscle of its level (mixed.json X1: +167 %; now -3 %).
 *
 * After that the outline is drawn back to the local half-level (strokes-boundary.ts): where the tissue
 * right outside the lesion reads nearer the lesion's level than the background the grow competed with
 * (fatty patches beside a lesion, far from the strokes), the edge's partial voxels that the grow took
 * for it are given back (ProstateX M1 with painted strokes +12.3 → +7.9 %; with the browser test's one
 * stroke and one sagittal ring, +10.8 → +3.6 %).
 *
 * Measured on three fatty-marrow phantoms (fatty.json, test/anatomy/configs/fatty-thick.json and
 * fatty-oblique.json: 12 lesions, lytic 40-50 HU, near-iso 75-85 HU, sclerotic; test/segmentation/
 * seeded-grow.test.ts): with a lesion stroke through the middle and background rings about 3 mm
 * beyond the lesion's edge in two planes, every lesion within 10 % (σ 1.2 mm; at 0.85 mm the
 * marrow's texture lets near-iso lesions spill 15-40 %, at 1 mm they still spill up to 37 %). With
 * the rings 6 mm beyond, a near-iso lesion spills into marrow pockets of its level (+11 to +49 %):
 * the user sees it and paints background there, which is how the tool is meant to be used.
 *
 * The region of interest is the index box of the strokes grown by `marginMm` (10 mm; 5 mm once
 * there are background strokes, which then bound the lesion), and of the lesion strokes grown by as
 * far as the background strokes let the lesion reach (bgReachMm: a ring drawn in one view bounds the
 * lesion in that plane only); its boundary counts as background too, so a single lesion stroke
 * already has something to compete with.
 * Voxels of other lesions are background and are never taken.
 *
 * Pure: no DOM; inputs are never mutated. Units of the values are whatever the volume has.
 */
import type { ScalarVolume } from '../core/volume';
import type { Vec3 } from '../core/vec3';
import { type IndexBox, clampBox } from './labelmap';
import { boxDims, edtSpacing, gridMetric } from './grid';
import { OUTLIER_Z, gaussianTaps, lineStart, robustStats, smoothBox } from './seed-model';
import { labelComponents, squaredDistanceTo } from './morphology';
import { edgeSupport, type EdgeSupport } from './strokes-edge';
import { unsampledTissue, type UnsampledTissue } from './strokes-unsampled';
import { bgReachMm, localBackground, nearestSource, rasterStroke } from './strokes-geometry';
import { placeAtLocalHalfLevel } from './strokes-boundary';

export type SeedKind = 'lesion' | 'background';

/** A painted stroke: a polyline swept by a ball. */
export interface SeedStroke {
  kind: SeedKind;
  pointsLps: Vec3[];
  radiusMm: number;
}

export interface SeededGrowOptions {
  /** Margin of the region of interest around the strokes (default 5 mm with background strokes, 10 mm without). */
  marginMm?: number;
  /** Gaussian σ of the copy the costs read (default 1.2 mm; see the module comment). */
  smoothMm?: number;
  /** True for voxels (linear offsets) that belong to other lesions: background, never taken. */
  blocked?: (offset: number) => boolean;
}

export interface SeededGrowResult {
  /** Linear offsets (ascending) of the voxels that went to the lesion, inside `box`. */
  offsets: Int32Array;
  /** The region of interest (index box); the lesion is replaced inside it only. */
  box: IndexBox | null;
  /** Intensity models (smoothed values) under the lesion and background strokes. */
  lesionLevel: number;
  backgroundLevel: number | null;
  sigma: number;
  /** Why nothing could be grown (no lesion stroke inside the image). */
  problem?: string;
  /** How much of the lesion's outline lies on an image edge (strokes-edge.ts); only with background strokes. */
  edge?: EdgeSupport | null;
  /** How much of the lesion's inside reads unlike every painted level (strokes-unsampled.ts); only with background strokes. */
  unsampled?: UnsampledTissue | null;
}

const QUANT = 8;
/**
 * Range of the edge-preserving smoothing, in SDs of the noise under the lesion strokes: values
 * within a few SDs of a voxel's own (noise, texture, a near-iso lesion's edge) are averaged as by a
 * Gaussian; a value 12 SDs away (cortex next to a lytic lesion, marrow across a lytic lesion's edge
 * on healthy bone) weighs e^-4.5 ≈ 1 % and does not bleed in.
 */
export const RANGE_SD = 4;
/** Radius of the opening that cuts thin sheets off the lesion (about one voxel of a 0.7-1 mm grid). */
const OPEN_MM = 1;
const MAX_STEP = 64 * QUANT;
/** Weight of looking like the other side in a step's cost (see costOf). */
const OTHER_SIDE_WEIGHT = 4;

/** Competitive grow from lesion and background strokes. See the module comment. */
export function growFromSeeds(volume: ScalarVolume, strokes: readonly SeedStroke[], options: SeededGrowOptions = {}): SeededGrowResult {
  // with background strokes they bound the lesion and the box only needs to hold them (5 mm);
  // with lesion strokes alone, the box boundary is the only background (10 mm beyond the strokes)
  const marginMm = options.marginMm ?? (strokes.some((s) => s.kind === 'background') ? 5 : 10);
  const geom = volume.geometry;
  const g = gridMetric(geom);
  const [ni, nj] = geom.dims;
  const empty = (problem: string): SeededGrowResult => ({ offsets: new Int32Array(0), box: null, lesionLevel: NaN, backgroundLevel: null, sigma: NaN, problem });
  const lesionStrokes = strokes.filter((s) => s.kind === 'lesion' && s.pointsLps.length > 0);
  if (lesionStrokes.length === 0) return empty('paint inside the lesion first (lesion stroke)');

  // region of interest: the index box of every stroke point ± (radius + margin)
  const h = g.unitBallHalfExtent;
  let lo: Vec3 = [Infinity, Infinity, Infinity], hi: Vec3 = [-Infinity, -Infinity, -Infinity];
  const ijk: Vec3 = [0, 0, 0];
  // the background strokes say how far from the lesion strokes the lesion may reach (reachMm); a ring
  // drawn in one view bounds it in that plane only, so the box holds that reach around the lesion
  // strokes in every direction, across the plane too (see bgReachMm)
  const reachMm = bgReachMm(strokes);
  for (const s of strokes) for (const p of s.pointsLps) {
    geom.lpsToIjk(ijk, p);
    const r = Math.max(s.radiusMm + marginMm, s.kind === 'lesion' ? reachMm : 0);
    for (let a = 0; a < 3; a++) { lo[a] = Math.min(lo[a]!, ijk[a]! - r * h[a]!); hi[a] = Math.max(hi[a]!, ijk[a]! + r * h[a]!); }
  }
  const box = clampBox([Math.floor(lo[0]), Math.floor(lo[1]), Math.floor(lo[2]), Math.ceil(hi[0]), Math.ceil(hi[1]), Math.ceil(hi[2])], geom.dims);
  if (!box) return empty('the strokes are outside the image');
  const dims = boxDims(box);
  const [bi, bj, bk] = dims;
  const bij = bi * bj, nb = bij * bk;
  const val = new Float32Array(nb);
  const vox = volume.voxels;
  {
    let n = 0;
    for (let k = box[2]; k <= box[5]; k++) for (let j = box[1]; j <= box[4]; j++) {
      const row = ni * (j + nj * k);
      for (let i = box[0]; i <= box[3]; i++, n++) val[n] = vox[row + i]!;
    }
  }
  // the noise under the lesion strokes (raw values) sets the edge-preserving smoothing's range
  const under = new Uint8Array(nb);
  for (const st of lesionStrokes) rasterStroke(under, st, 1, box, g, geom);
  const rawUnder: number[] = [];
  for (let n = 0; n < nb; n++) if (under[n]) rawUnder.push(val[n]!);
  const noiseSd = rawUnder.length ? robustStats(thin(rawUnder)).sigma : 0;
  // the tissues' levels are read on a Gaussian copy (a partial-volume voxel is averaged into its
  // neighbours and forms no level of its own); the costs on an edge-preserving copy (bilateral), so
  // that the cortex next to a lesion does not bleed into the lesion's edge
  const sm = smoothBox(val, dims, edtSpacing(g), options.smoothMm ?? 1.2);
  const smE = noiseSd > 0 ? bilateralBox(val, dims, edtSpacing(g), options.smoothMm ?? 1.2, RANGE_SD * noiseSd) : sm;

  // seeds: 1 lesion, 2 background (strokes; then the box boundary and other lesions)
  const seed = new Uint8Array(nb);
  for (const s of strokes) rasterStroke(seed, s, s.kind === 'lesion' ? 1 : 2, box, g, geom);
  if (options.blocked) {
    let n = 0;
    for (let k = box[2]; k <= box[5]; k++) for (let j = box[1]; j <= box[4]; j++) {
      const row = ni * (j + nj * k);
      for (let i = box[0]; i <= box[3]; i++, n++) if (options.blocked(row + i)) seed[n] = 3;
    }
  }
  const lesVals: number[] = [], bgVals: number[] = [];
  const bgMask = new Uint8Array(nb);
  for (let n = 0; n < nb; n++) { if (seed[n] === 1) lesVals.push(sm[n]!); else if (seed[n] === 2) { bgVals.push(sm[n]!); bgMask[n] = 1; } }
  if (lesVals.length === 0) return empty('the lesion stroke is outside the image');
  // every lesion stroke carries its own level (a mixed lesion: a lytic and a sclerotic part, each
  // painted); strokes whose levels agree within 3 SD are one model
  const strokeModels: { median: number; sigma: number }[] = [];
  for (const st of lesionStrokes) {
    const one = new Uint8Array(nb);
    rasterStroke(one, st, 1, box, g, geom);
    const xs: number[] = [];
    for (let n = 0; n < nb; n++) if (one[n] && seed[n] === 1) xs.push(sm[n]!);
    if (xs.length) strokeModels.push(robustStats(thin(xs)));
  }
  // the box boundary is background (after the models: it says where the lesion ends, not what it looks like)
  for (let k = 0; k < bk; k++) for (let j = 0; j < bj; j++) for (let i = 0; i < bi; i++) {
    if (i > 0 && j > 0 && k > 0 && i < bi - 1 && j < bj - 1 && k < bk - 1) continue;
    const n = i + bi * (j + bj * k);
    if (seed[n] === 0) seed[n] = 2;
  }
  const lm = robustStats(thin(lesVals));
  // the background strokes cross several tissues (a ring around a lesion that breaks through the
  // cortex lies half in marrow, half in fat): split their values into well separated levels
  const bgLevels = bgVals.length ? separatedLevels(thin(bgVals)) : [];
  const bm = bgVals.length ? { median: bgLevels.length === 1 ? bgLevels[0]!.median : bgLevels[0]!.median, sigma: Math.sqrt(bgLevels.reduce((a, m) => a + m.sigma ** 2, 0) / bgLevels.length) } : null;
  const sigL = strokeModels.length > 1 ? Math.sqrt(strokeModels.reduce((a, m) => a + m.sigma ** 2, 0) / strokeModels.length) : lm.sigma;
  // pooled spread; without background strokes, the lesion's own (the boundary competes by distance)
  const sigma = Math.max(bm ? Math.sqrt((sigL ** 2 + bm.sigma ** 2) / 2) : sigL, 1e-3 * (Math.abs(lm.median) + 1), 1e-6);
  const muB = bm ? bm.median : NaN; // NaN: no background model
  const levels: number[] = [];
  for (const m of [...strokeModels].sort((a, b) => a.median - b.median)) {
    if (levels.length && Math.abs(m.median - levels[levels.length - 1]!) <= 3 * sigma) continue;
    levels.push(m.median);
  }
  if (levels.length <= 1) { levels.length = 0; levels.push(lm.median); }
  // (as typed arrays for the per-voxel functions: a plain array of whole numbers and one of fractions
  // have different element kinds, and each change of kind between strokes threw their code away)
  const levelsF = Float64Array.from(levels), bgMedians = Float64Array.from(bgLevels, (m) => m.median);

  // Dial's algorithm (compete), with the intensity evidence per voxel (evidenceOf) and the strokes' prior.
  // (The queue, the evidence and the steps' costs are module functions, not closures made per call:
  // V8 inlines a closure for its identity and threw away the optimised code of this long function at
  // each new call's closures ("wrong call target"), recompiling it several times over the first strokes:
  // 0.5-0.9 s of CPU per stroke for the first four or five strokes of a process, 0.2 s after.)
  // the strokes' geometry as a prior (with background strokes): a voxel farther from the lesion
  // strokes than the background stroke nearest to it lies past that stroke, where the user said the
  // lesion is not. Each mm past it counts against the lesion as much as OUTLIER_Z² (the evidence of
  // a value OUTLIER_Z σ nearer the lesion's level) per brush radius: one brush radius past the
  // stroke, no voxel that could be a blend of lesion and background or the lesion's own noise is
  // lesion any more. Between the strokes, where the outline is to be found, the image decides alone.
  let prior: Float32Array | null = null;
  /** Voxels a brush radius or more past a background stroke (see below): never lesion in the outline's re-decision. */
  let wellPast: Uint8Array | null = null;
  let nearestBg: { feature: Int32Array; d2: Float64Array } | null = null;
  if (bm) {
    const les = new Uint8Array(nb);
    for (let n = 0; n < nb; n++) les[n] = seed[n] === 1 ? 1 : 0;
    const sp = edtSpacing(g);
    const dl2 = squaredDistanceTo(les, dims, sp);
    const near = nearestSource(bgMask, dims, sp);
    const src = near.feature;
    nearestBg = near;
    const bgStrokes = strokes.filter((st) => st.kind === 'background' && st.pointsLps.length > 0);
    const brushMm = bgStrokes.reduce((a, st) => a + st.radiusMm, 0) / bgStrokes.length;
    // (a stroke drawn with no radius still marks at least the voxels it passes: half the finest spacing)
    const perMm = (OUTLIER_Z * OUTLIER_Z) / Math.max(brushMm, 0.5 * Math.min(...sp));
    prior = new Float32Array(nb);
    wellPast = new Uint8Array(nb);
    fillPrior(prior, wellPast, src, dl2, perMm);
  }
  // intensity evidence per voxel through a table of the value rounded to a tenth of σ
  let vMin = Infinity, vMax = -Infinity;
  for (let n = 0; n < nb; n++) { const v = smE[n]!; if (v < vMin) vMin = v; if (v > vMax) vMax = v; }
  const res = sigma / 10;
  const nLut = Math.min(1 << 20, Math.floor((vMax - vMin) / res) + 2);
  const step = nLut > 1 ? (vMax - vMin) / (nLut - 1) : 1;
  const costL = new Uint16Array(nb), costB = new Uint16Array(nb);
  // the evidence per voxel (with background strokes), for the outline's local half-level below
  const evid = Number.isNaN(muB) ? null : new Float32Array(nb);
  let local: Float32Array | null = null;
  if (Number.isNaN(muB)) {
    // no background model: distance only for the boundary's front, 1 + z² for the lesion's
    const lut = new Uint16Array(nLut);
    for (let t = 0; t < nLut; t++) lut[t] = Math.min(MAX_STEP, Math.round(QUANT * (1 + zl2Of(vMin + t * step, levelsF, sigma))));
    for (let n = 0; n < nb; n++) { costL[n] = lut[Math.round((smE[n]! - vMin) / step)]!; costB[n] = QUANT; }
  } else {
    // the evidence against the strokes' levels, and (with background strokes) against the
    // background painted next to the voxel: the weaker of the two
    const lut = new Float32Array(nLut);
    for (let t = 0; t < nLut; t++) lut[t] = evidenceOf(vMin + t * step, NaN, levelsF, bgMedians, sigma);
    local = localBackground(sm, bgMask, seed, nearestBg!, dims, edtSpacing(g), strokes);
    fillCosts(costL, costB, evid!, smE, lut, vMin, step, local, prior, levelsF, bgMedians, sigma);
  }
  const owner = compete(seed, costL, costB, dims);

  // The fronts met on the 1 mm copy, whose midpoint contour a small curved lesion pulls inward;
  // the voxels on either side of the meeting surface are decided again on a copy smoothed by only
  // 0.5 mm (about a voxel), by the side of the two levels' midpoint they lie on (strokes and
  // other lesions keep theirs).
  // Only where that copy still separates the two sides: the midpoint 2 SD (of the strokes' values
  // on it) from both levels; otherwise its noise would decide the surface voxels.
  // (evaluated only at the voxels needed: those of the strokes and of the meeting surface)
  const light = bm ? pointSmoother(val, dims, edtSpacing(g), 0.5, noiseSd > 0 ? RANGE_SD * noiseSd : Infinity) : null;
  let lightSd = Infinity;
  if (light) {
    const a: number[] = [], b: number[] = [];
    // the lesion's spread about its nearest painted level (a mixed lesion's parts are not one spread)
    // (every k-th stroke voxel: a robust SD needs a few thousand values, the strokes hold up to 10⁵)
    let nl = 0, nbg = 0;
    for (let n = 0; n < nb; n++) { if (seed[n] === 1) nl++; else if (seed[n] === 2 && bgMask[n]) nbg++; }
    const kl = Math.max(1, Math.floor(nl / 2000)), kb = Math.max(1, Math.floor(nbg / 2000));
    let il = 0, ib = 0;
    for (let n = 0; n < nb; n++) {
      if (seed[n] === 1) { if (il++ % kl === 0) { const x = light(n); a.push(x - nearestLevel(x, levels)); } }
      else if (seed[n] === 2 && bgMask[n]) { if (ib++ % kb === 0) b.push(light(n)); }
    }
    lightSd = Math.max(robustStats(a).sigma, b.length ? robustStats(b).sigma : 0);
  }
  const nearestGap = Math.min(...levels.flatMap((L) => bgLevels.map((m) => Math.abs(m.median - L))));
  if (bm && light && nearestGap / 2 >= 2 * lightSd) {
    const flip: number[] = [];
    for (let n = 0; n < nb; n++) {
      if (seed[n] !== 0) continue;
      const k = (n / bij) | 0, r = n - k * bij, j = (r / bi) | 0, i = r - j * bi;
      const o = owner[n]!;
      const edge = (i > 0 && owner[n - 1] !== o) || (i < bi - 1 && owner[n + 1] !== o) || (j > 0 && owner[n - bi] !== o) ||
        (j < bj - 1 && owner[n + bi] !== o) || (k > 0 && owner[n - bij] !== o) || (k < bk - 1 && owner[n + bij] !== o);
      if (!edge) continue;
      // the side whose level is nearer (for one lesion level: the side of the midpoint); as in the
      // grow, never lesion where the strokes' prior alone rules it out (a brush radius or more past a
      // background stroke). Not wherever the prior is below 0 at all: across the plane of a single
      // ring, voxels 7.2 mm beside the ring's plane and a few tenths of a mm farther from the lesion
      // stroke than the ring lost a whole slice of a lesion the grow had taken (test/segmentation/
      // seeded-grow.test.ts, one ring in the plane of thick slices: −14.1 % → +0.8 %).
      const x = light!(n);
      let dl = Infinity;
      for (const L of levels) dl = Math.min(dl, Math.abs(x - L));
      let db = Infinity;
      for (const m of bgLevels) db = Math.min(db, Math.abs(x - m.median));
      const want = dl < db && !(wellPast !== null && wellPast[n]) ? 1 : 2;
      if (want !== o) flip.push(n, want);
    }
    for (let t = 0; t < flip.length; t += 2) owner[flip[t]!] = flip[t + 1]!;
  }

  // opening by reconstruction: a lesion is not a sheet one voxel thick; the blend of two tissues
  // along their interface (fat and cortex on the bone surface) can pass through the lesion's level
  // in such a sheet and lead its front on to soft tissue of its level (muscle) beyond. Eroded by
  // OPEN_MM, only the parts holding a lesion stroke are kept and dilated back inside the lesion.
  openLesion(owner, seed, dims, edtSpacing(g));
  // the outline at the local half-level: between the lesion's level and the tissue right outside it (strokes-boundary.ts)
  // (how much of the grown lesion is tissue no stroke sampled is a question about the grow: asked before the outline is drawn back)
  const unsampled = bm ? unsampledTissue(owner, dims, sm, sigma, levels, bgLevels.map((m) => m.median)) : null;
  if (evid) placeAtLocalHalfLevel(owner, seed, dims, edtSpacing(g), smE, evid, val, levels, bgLevels.map((m) => m.median), local, sigma);
  // the outline's edge support, on the copy the costs read (only once background strokes say what is not lesion)
  const edge = bm ? edgeSupport(owner, seed, dims, smE, sigma, { lesion: levels, background: bgLevels.map((m) => m.median) }, (out, i, j, k) => geom.ijkToLps(out, box[0] + i, box[1] + j, box[2] + k)) : null;
  let count = 0;
  for (let n = 0; n < nb; n++) if (owner[n] === 1) count++;
  const offsets = new Int32Array(count);
  let m = 0, n = 0;
  for (let k = box[2]; k <= box[5]; k++) for (let j = box[1]; j <= box[4]; j++) {
    const row = ni * (j + nj * k);
    for (let i = box[0]; i <= box[3]; i++, n++) if (owner[n] === 1) offsets[m++] = row + i;
  }
  return { offsets, box, lesionLevel: lm.median, backgroundLevel: bm ? bm.median : null, sigma, edge, unsampled };
}

/** The level nearest to x (the first of equals). */
function nearestLevel(x: number, levels: readonly number[]): number {
  return levels.reduce((best, L) => (Math.abs(x - L) < Math.abs(x - best) ? L : best), levels[0]!);
}


/** z² to the nearest lesion level: a voxel looks like the lesion when it looks like any of its painted parts. */
function zl2Of(v: number, levels: Float64Array, sigma: number): number {
  let best = Infinity;
  for (let t = 0; t < levels.length; t++) { const z = (v - levels[t]!) / sigma; if (z * z < best) best = z * z; }
  return best;
}

/**
 * Intensity evidence for the lesion, z²(background) − z²(lesion) (twice the log-likelihood ratio of
 * two normals with the pooled SD σ); the background is everything that is not the painted lesion, so
 * a value more than OUTLIER_Z σ from every lesion level counts as background even where no stroke
 * sampled its tissue (fat, fluid or cortex beyond a lytic lesion's level).
 * With a local level b (the background painted next to the voxel, see localBackground; NaN: none), b
 * competes together with the painted levels on the other side of the lesion's level from b (fat painted
 * elsewhere, beyond a lytic lesion in marrow): on b's side only b does.
 */
function evidenceOf(v: number, b: number, levels: Float64Array, bgLevels: Float64Array, sigma: number): number {
  let L = levels[0]!;
  for (let t = 0; t < levels.length; t++) { const x = levels[t]!; if (Math.abs(v - x) < Math.abs(v - L)) L = x; }
  const zl = (v - L) / sigma;
  let zb2 = Infinity, beyond = true;
  // t = −1 is b itself, when given; then each painted level that competes
  for (let t = b === b ? -1 : 0; t < bgLevels.length; t++) {
    const m = t < 0 ? b : bgLevels[t]!;
    if (t >= 0 && b === b && !((m - L) * (b - L) < 0)) continue;
    const z = (v - m) / sigma;
    if (z * z < zb2) zb2 = z * z;
    if ((m - L) * (v - L) > 0) beyond = false;
  }
  // beyond the nearest lesion level, on a side where no background level lies, a value more than
  // OUTLIER_Z σ off is not a blend of lesion and painted background: another tissue, not lesion
  if (beyond && zl * zl > OUTLIER_Z * OUTLIER_Z) zb2 = Math.min(zb2, OUTLIER_Z * OUTLIER_Z);
  return zb2 - zl * zl;
}

/**
 * A step's cost for a front (1 lesion, 2 background) entering a voxel of evidence e: a front pays only
 * for voxels whose evidence favours the other side, steeply (OTHER_SIDE_WEIGHT): the fronts meet where
 * the evidence changes sign, and a lone lesion-like pocket behind marrow-like voxels stays background.
 */
function stepCost(lab: number, e: number): number {
  const own = lab === 1 ? -e : e;
  return Math.min(MAX_STEP, Math.round(QUANT * (1 + OTHER_SIDE_WEIGHT * Math.max(0, own))));
}

/**
 * The strokes' prior per voxel (see growFromSeeds): −perMm per mm that the voxel lies farther from the
 * lesion strokes (dl2: squared distance) than its nearest background-stroke voxel (src) does, and
 * wellPast where that alone outweighs any blend of lesion and background.
 */
function fillPrior(prior: Float32Array, wellPast: Uint8Array, src: Int32Array, dl2: Float64Array, perMm: number): void {
  for (let n = 0; n < prior.length; n++) {
    const b = src[n]!;
    if (b < 0) continue;
    const past = Math.sqrt(dl2[n]!) - Math.sqrt(dl2[b]!);
    if (past > 0) {
      prior[n] = -perMm * past;
      // a brush radius or more past the stroke: there the prior alone outweighs any value that
      // could be a blend of lesion and background (OUTLIER_Z², see above)
      if (past * perMm >= OUTLIER_Z * OUTLIER_Z) wellPast[n] = 1;
    }
  }
}

/**
 * Each voxel's evidence (into evid) and the two fronts' step costs: the evidence against the strokes'
 * levels (lut, by the value rounded to a tenth of σ), and (with background strokes) against the
 * background painted next to the voxel (local): the weaker of the two; plus the strokes' prior.
 */
function fillCosts(costL: Uint16Array, costB: Uint16Array, evid: Float32Array, smE: Float32Array, lut: Float32Array, vMin: number, step: number, local: Float32Array | null, prior: Float32Array | null, levels: Float64Array, bgLevels: Float64Array, sigma: number): void {
  for (let n = 0; n < smE.length; n++) {
    const v = smE[n]!;
    let e = lut[Math.round((v - vMin) / step)]!;
    if (local) { const b = local[n]!; if (b === b) e = Math.min(e, evidenceOf(v, b, levels, bgLevels, sigma)); }
    e += prior ? prior[n]! : 0;
    evid[n] = e;
    costL[n] = stepCost(1, e); costB[n] = stepCost(2, e);
  }
}

/**
 * Dial's algorithm over the box: the label of the front (1 lesion, 2 background; seed 1 and 2 start
 * them, seed 3 is never entered) that settles each voxel first, entering a voxel costing costL / costB
 * of it. The buckets are singly linked lists in typed arrays (entries recycled through a free list):
 * arrays of JS arrays cost most of a stroke's time in allocation and garbage collection.
 */
function compete(seed: Uint8Array, costL: Uint16Array, costB: Uint16Array, dims: readonly [number, number, number]): Uint8Array {
  const [bi, bj, bk] = dims;
  const bij = bi * bj, nb = seed.length;
  const dist = new Int32Array(nb).fill(0x7fffffff);
  const owner = new Uint8Array(nb);
  const nBuckets = MAX_STEP + 1;
  const head = new Int32Array(nBuckets).fill(-1);
  let cap = Math.max(1024, nb >> 1);
  let node = new Int32Array(cap), next = new Int32Array(cap);
  let used = 0, free = -1, pending = 0;
  // (push written out at both places: a closure made per call is a new call target each stroke)
  for (let n = 0; n < nb; n++) if (seed[n] === 1 || seed[n] === 2) {
    dist[n] = 0; owner[n] = seed[n]!;
    let e: number;
    if (free >= 0) { e = free; free = next[e]!; }
    else {
      if (used === cap) { cap *= 2; const n2 = new Int32Array(cap); n2.set(node); node = n2; const x2 = new Int32Array(cap); x2.set(next); next = x2; }
      e = used++;
    }
    node[e] = n; next[e] = head[0]!; head[0] = e; pending++;
  }
  const settled = new Uint8Array(nb);
  for (let d = 0; pending > 0; d++) {
    const b = d % nBuckets;
    // every step costs at least QUANT, so nothing is pushed into the bucket being emptied
    while (head[b]! >= 0) {
      const e = head[b]!;
      const n = node[e]!;
      head[b] = next[e]!; next[e] = free; free = e; pending--;
      if (settled[n] || dist[n] !== d) continue;
      settled[n] = 1;
      const lab = owner[n]!;
      const cost = lab === 1 ? costL : costB;
      const k = (n / bij) | 0, r = n - k * bij, j = (r / bi) | 0, i = r - j * bi;
      // the 6-neighbours of n
      for (let t = 0; t < 6; t++) {
        let m: number;
        if (t === 0) { if (i === 0) continue; m = n - 1; }
        else if (t === 1) { if (i === bi - 1) continue; m = n + 1; }
        else if (t === 2) { if (j === 0) continue; m = n - bi; }
        else if (t === 3) { if (j === bj - 1) continue; m = n + bi; }
        else if (t === 4) { if (k === 0) continue; m = n - bij; }
        else { if (k === bk - 1) continue; m = n + bij; }
        if (settled[m] || seed[m] === 3) continue;
        const nd = d + cost[m]!;
        if (nd < dist[m]!) {
          dist[m] = nd; owner[m] = lab;
          const q = nd % nBuckets;
          let e2: number;
          if (free >= 0) { e2 = free; free = next[e2]!; }
          else {
            if (used === cap) { cap *= 2; const n2 = new Int32Array(cap); n2.set(node); node = n2; const x2 = new Int32Array(cap); x2.set(next); next = x2; }
            e2 = used++;
          }
          node[e2] = m; next[e2] = head[q]!; head[q] = e2; pending++;
        }
      }
    }
  }
  return owner;
}

/**
 * The opening by reconstruction of growFromSeeds (owner changed in place): the lesion (owner 1) eroded
 * by OPEN_MM, the components holding a lesion stroke (seed 1) kept, dilated back by OPEN_MM inside the
 * lesion. Computed on the lesion's bounding box grown by OPEN_MM and a voxel per axis (clamped to the
 * box), not the whole region of interest: every voxel within OPEN_MM of a lesion voxel lies in it, so
 * each voxel's erosion and dilation read the same sites as on the whole box, and the distances are
 * computed with the whole box's index origin (the same floating-point values). On the bench's three
 * strokes the lesion's box is about a seventh of the region of interest.
 */
function openLesion(owner: Uint8Array, seed: Uint8Array, dims: readonly [number, number, number], sp: Readonly<Vec3>): void {
  const [bi, bj, bk] = dims;
  const bij = bi * bj;
  let i0 = bi, j0 = bj, k0 = bk, i1 = -1, j1 = -1, k1 = -1;
  for (let k = 0, n = 0; k < bk; k++) for (let j = 0; j < bj; j++) for (let i = 0; i < bi; i++, n++) {
    if (owner[n] !== 1) continue;
    if (i < i0) i0 = i; if (i > i1) i1 = i;
    if (j < j0) j0 = j; if (j > j1) j1 = j;
    if (k < k0) k0 = k; if (k > k1) k1 = k;
  }
  if (i1 < 0) return;
  const pad = [0, 1, 2].map((a) => Math.ceil(OPEN_MM / sp[a]!) + 1);
  i0 = Math.max(0, i0 - pad[0]!); i1 = Math.min(bi - 1, i1 + pad[0]!);
  j0 = Math.max(0, j0 - pad[1]!); j1 = Math.min(bj - 1, j1 + pad[1]!);
  k0 = Math.max(0, k0 - pad[2]!); k1 = Math.min(bk - 1, k1 + pad[2]!);
  const si = i1 - i0 + 1, sj = j1 - j0 + 1, sk = k1 - k0 + 1, ns = si * sj * sk;
  const sub: [number, number, number] = [si, sj, sk];
  const origin: [number, number, number] = [i0, j0, k0];
  /** Box offset of sub-box voxel t. */
  const at = (t: number) => { const c = (t / (si * sj)) | 0, r = t - c * si * sj, b = (r / si) | 0; return (i0 + r - b * si) + bi * (j0 + b) + bij * (k0 + c); };
  const les = new Uint8Array(ns), isSeed = new Uint8Array(ns);
  for (let t = 0; t < ns; t++) { const n = at(t); les[t] = owner[n] === 1 ? 1 : 0; isSeed[t] = seed[n] === 1 ? 1 : 0; }
  const r2 = OPEN_MM * OPEN_MM * (1 + 1e-9); // as erodeMask / dilateMask
  const dOut = squaredDistanceTo(les, sub, sp, 0, { indexOrigin: origin });
  const core = new Uint8Array(ns);
  for (let t = 0; t < ns; t++) core[t] = (les[t] && dOut[t]! > r2) || isSeed[t] ? 1 : 0;
  const { ids } = labelComponents(core, sub, 6);
  const keep = new Set<number>();
  for (let t = 0; t < ns; t++) if (isSeed[t] && ids[t]! > 0) keep.add(ids[t]!);
  for (let t = 0; t < ns; t++) core[t] = ids[t]! > 0 && keep.has(ids[t]!) ? 1 : 0;
  const dIn = squaredDistanceTo(core, sub, sp, 1, { indexOrigin: origin });
  for (let t = 0; t < ns; t++) if (les[t] && !(dIn[t]! <= r2) && !isSeed[t]) owner[at(t)] = 2;
}

/** Every k-th value so that at most 4000 remain (a level's median and robust SD need no more). */
function thin(xs: number[]): number[] {
  if (xs.length <= 4000) return xs;
  const k = Math.ceil(xs.length / 4000), o: number[] = [];
  for (let t = 0; t < xs.length; t += k) o.push(xs[t]!);
  return o;
}

/**
 * Well separated levels of a sample (up to four): split at Otsu's threshold while the two sides'
 * medians lie more than 6 robust SD (the larger side's) apart, i.e. while they are different tissues
 * rather than one tissue's noise and texture. Each level: median and robust SD of its side.
 */
function separatedLevels(values: number[]): { median: number; sigma: number }[] {
  const out: { median: number; sigma: number }[] = [];
  const split = (xs: Float64Array, depth: number) => {
    const whole = robustStats(xs);
    if (depth >= 2 || xs.length < 40) { out.push(whole); return; }
    // Otsu on the sorted sample: the cut maximising the between-class variance
    const n = xs.length;
    let total = 0;
    for (const x of xs) total += x;
    let best = -1, cut = -1, left = 0;
    for (let t = 0; t < n - 1; t++) {
      left += xs[t]!;
      if (xs[t + 1]! === xs[t]!) continue;
      const w0 = t + 1, w1 = n - w0, m0 = left / w0, m1 = (total - left) / w1;
      const between = w0 * w1 * (m0 - m1) ** 2;
      if (between > best) { best = between; cut = t + 1; }
    }
    if (cut < 10 || n - cut < 10) { out.push(whole); return; }
    const lo = robustStats(xs.subarray(0, cut)), hi = robustStats(xs.subarray(cut));
    if (Math.abs(hi.median - lo.median) <= 6 * Math.max(lo.sigma, hi.sigma, 1e-6)) { out.push(whole); return; }
    split(xs.subarray(0, cut), depth + 1);
    split(xs.subarray(cut), depth + 1);
  };
  split(Float64Array.from(values).sort(), 0);
  return out;
}

/**
 * The value of one box voxel on a copy smoothed with a Gaussian of `sigmaMm` (truncated at 2σ,
 * renormalised at the box border; an axis whose spacing exceeds 2σ is not smoothed), edge-
 * preserving as the main copy (each neighbour also weighted by a Gaussian of its difference to the
 * voxel, SD `rangeSd`; Infinity: a plain Gaussian), computed at that voxel only.
 * (A closure over its tables: written as a class reading them from `this` per call, one stroke of
 * bench/strokes-ab.mjs took 189 → 314 ms median CPU, slower in every one of four A/B runs.)
 */
function pointSmoother(val: Float32Array, dims: readonly [number, number, number], spacingMm: Readonly<Vec3>, sigmaMm: number, rangeSd: number): (n: number) => number {
  const inv = 1 / (2 * rangeSd * rangeSd);
  const [bi, bj, bk] = dims;
  const bij = bi * bj;
  const kern = [0, 1, 2].map((a) => {
    const sv = sigmaMm / spacingMm[a]!;
    if (sv < 0.5) return Float64Array.of(1);
    const r = Math.max(1, Math.ceil(2 * sv));
    return Float64Array.from({ length: 2 * r + 1 }, (_, t) => Math.exp(-0.5 * ((t - r) / sv) ** 2));
  });
  const [wi, wj, wk] = kern as [Float64Array, Float64Array, Float64Array];
  const ri = (wi.length - 1) / 2, rj = (wj.length - 1) / 2, rk = (wk.length - 1) / 2;
  // the spatial weights as one table, each the product (wk · wj) · wi in the order it was taken per tap
  const li = wi.length, lj = wj.length;
  const w3d = new Float64Array(li * lj * wk.length);
  for (let c = 0; c < wk.length; c++) for (let b = 0; b < lj; b++) { const w2 = wk[c]! * wj[b]!; for (let a = 0; a < li; a++) w3d[a + li * (b + lj * c)] = w2 * wi[a]!; }
  // the range weight of an integer difference (CT values, most MR) from a table filled as met: the same
  // Math.exp of the same argument (−d·d for d and −d alike), computed once instead of per tap
  const RANGE_TAB = 1 << 14;
  const rangeW = new Float64Array(RANGE_TAB).fill(-1);
  return (n: number): number => {
    const k = (n / bij) | 0, r = n - k * bij, j = (r / bi) | 0, i = r - j * bi;
    const v0 = val[n]!;
    let s = 0, ws = 0;
    const a0 = Math.max(0, i - ri), a1 = Math.min(bi - 1, i + ri);
    for (let c = Math.max(0, k - rk); c <= Math.min(bk - 1, k + rk); c++) {
      for (let b = Math.max(0, j - rj); b <= Math.min(bj - 1, j + rj); b++) {
        const row = bi * (b + bj * c);
        const wrow = li * ((b - j + rj) + lj * (c - k + rk)) - i + ri;
        for (let a = a0; a <= a1; a++) {
          const x = val[row + a]!, d = x - v0;
          const ad = d < 0 ? -d : d;
          let e: number;
          if (ad < RANGE_TAB && (ad | 0) === ad) { e = rangeW[ad]!; if (e < 0) e = rangeW[ad] = Math.exp(-ad * ad * inv); }
          else e = Math.exp(-d * d * inv);
          const w = w3d[wrow + a]! * e; s += w * x; ws += w;
        }
      }
    }
    return s / ws;
  };
}

/**
 * Separable bilateral smoothing of a box (Tomasi & Manduchi, ICCV 1998, applied one axis at a time):
 * spatial Gaussian of `sigmaMm` per index axis, truncated at 2σ (an axis whose spacing exceeds 2σ
 * is left alone, as in smoothBox), times a Gaussian of the value difference to the voxel with SD
 * `rangeSd`; renormalised per voxel.
 */
export function bilateralBox(val: Float32Array, dims: readonly [number, number, number], spacingMm: Readonly<Vec3>, sigmaMm: number, rangeSd: number): Float32Array {
  const [bi, bj] = dims;
  // the range weight through a table of |difference| in steps of rangeSd / 16, zero from 6 SD on
  const perSd = 16, nTab = 6 * perSd;
  const tab = new Float32Array(nTab + 1);
  for (let t = 0; t < nTab; t++) tab[t] = Math.exp(-0.5 * (t / perSd) ** 2);
  const scale = perSd / rangeSd;
  let cur = val;
  for (let axis = 0; axis < 3; axis++) {
    const sv = sigmaMm / spacingMm[axis]!;
    if (sv < 0.5) continue;
    const { w, r } = gaussianTaps(sv);
    const stride = axis === 0 ? 1 : axis === 1 ? bi : bi * bj;
    const len = dims[axis]!;
    const lines = cur.length / len;
    const out = new Float32Array(cur.length);
    for (let l = 0; l < lines; l++) {
      const base = lineStart(axis, l, bi, bj);
      for (let t = 0; t < len; t++) {
        const c = cur[base + t * stride]!;
        let s = 0, ws = 0;
        for (let u = Math.max(-r, -t), q = base + (t + u) * stride; u <= Math.min(r, len - 1 - t); u++, q += stride) {
          const x = cur[q]!;
          let dd = (x - c) * scale;
          if (dd < 0) dd = -dd;
          const wt = w[u + r]! * tab[dd < nTab ? dd | 0 : nTab]!;
          s += wt * x; ws += wt;
        }
        out[base + t * stride] = s / ws;
      }
    }
    cur = out;
  }
  return cur === val ? val.slice() : cur;
}
