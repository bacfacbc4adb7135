/**
 * Region growing, steps 1-9 (region-grow.ts, module notes): the seed's statistics, the window, the leak
 * guard, the flood, the plausibility checks, the measured levels in fatty marrow and the lesion bounded by
 * its own edge. Pure; inputs are never mutated.
 */
import type { ScalarVolume } from '../../core/volume';
import type { Vec3 } from '../../core/vec3';
import { clampBox } from '../labelmap';
import { ballIndexBox, boxDims, edtSpacing, gridMetric, metricLength2 } from '../grid';
import { erodeMask, fillHolesMask } from '../morphology';
import { robustStats } from '../seed-model';
import { bilateralBox, RANGE_SD } from '../seeded-grow';
import { boneAround, continuationOutside, cutShare, sideName } from '../bone-surroundings';
import { measureOwnEdge, textureRatio, trimmedLevel } from '../own-edge';
import { partialVolumeEstimate, type PartialVolumeResult } from '../partial-volume';
import { visitNearMask, foreignShare, MAX_JOINABLE_SHARE, regionLevels, thin, SURROUND_SMOOTH_MM, MAX_SUPPORT_RATIO, edgeReach, measureSurroundings } from './levels';
import { stripUndefined, boneHull, ballOffsets, erodeSparse, dilateSparse, fillHolesInBox, nearestIn, mean7, floodFrom, neighbourhoodValues, seedStatistics } from './mask-ops';
import { trimToLocalMidpoint, oppositeShare, shareBeyondEdge, measureMrLevels } from './mr-levels';
import { type LesionKind, type LeakGuard, type Seed, type RegionGrowOptions, type SeedStats, type RegionGrowResult, type GrowProblem, REGION_GROW_DEFAULTS } from './types';

export function growLesion(volume: ScalarVolume, seed: Seed, options: RegionGrowOptions): RegionGrowResult {
  const o = { ...REGION_GROW_DEFAULTS, ...stripUndefined(options) };
  const geom = volume.geometry;
  const [ni, nj, nk] = geom.dims;
  const g = gridMetric(geom);
  const c: Vec3 = 'ijk' in seed ? [seed.ijk[0], seed.ijk[1], seed.ijk[2]] : geom.lpsToIjk([0, 0, 0], seed.lps);
  const si = Math.round(c[0]), sj = Math.round(c[1]), sk = Math.round(c[2]);
  const emptyStats: SeedStats = { median: NaN, mean: NaN, sd: NaN, n: 0 };
  let levels: RegionGrowResult['levels'];
  const empty = (kind: LesionKind, window: [number, number], guard: LeakGuard, stats: SeedStats, problem: GrowProblem, message: string): RegionGrowResult =>
    ({ offsets: new Int32Array(0), voxelCount: 0, volumeMl: 0, kind, window, guard, seedIjk: [si, sj, sk], seedStats: stats, box: null, reachedRadiusLimit: false, ...(levels ? { levels } : {}), problem, message });
  if (si < 0 || sj < 0 || sk < 0 || si >= ni || sj >= nj || sk >= nk) return empty('custom', [NaN, NaN], 'none', emptyStats, 'seed-outside-volume', 'the point is outside the image');

  const seedIdx: Vec3 = [si, sj, sk];
  const box = clampBox(ballIndexBox(g, seedIdx, o.maxRadiusMm), geom.dims)!;
  const [bi, bj, bk] = boxDims(box);
  const bij = bi * bj, nb = bij * bk;
  const vox = volume.voxels;

  // local copy of values (Float32); the ball test solved per row (a quadratic in i)
  const val = new Float32Array(nb);
  const inBall = new Uint8Array(nb);
  const r2 = o.maxRadiusMm * o.maxRadiusMm;
  const rim2 = Math.max(0, o.maxRadiusMm - Math.sqrt(Math.max(g.gii, g.gjj, g.gkk))) ** 2;
  {
    let n = 0;
    for (let k = box[2]; k <= box[5]; k++) for (let j = box[1]; j <= box[4]; j++) {
      const row = ni * (j + nj * k);
      for (let i = box[0]; i <= box[3]; i++, n++) val[n] = vox[row + i]!;
      const dj = j - sj, dk = k - sk;
      const b = g.gij * dj + g.gik * dk;
      const cc = g.gjj * dj * dj + g.gkk * dk * dk + 2 * g.gjk * dj * dk - r2;
      const disc = b * b - g.gii * cc;
      if (disc < 0) continue;
      const sq = Math.sqrt(disc);
      const lo = Math.max(box[0], Math.ceil(si + (-b - sq) / g.gii - 1e-9));
      const hi = Math.min(box[3], Math.floor(si + (-b + sq) / g.gii + 1e-9));
      const rowLocal = n - bi;
      for (let i = lo; i <= hi; i++) inBall[rowLocal + i - box[0]] = 1;
    }
  }
  const seedLocal = (si - box[0]) + bi * ((sj - box[1]) + bj * (sk - box[2]));
  const stats = seedStatistics(val, box, seedIdx, g, o.seedRadiusMm);

  const hu = volume.units === 'HU';
  // MR and other non-HU images: no tissue levels can be assumed; the window is the click's
  // neighbourhood's robust level ± 3 robust SD, growth kept from leaking by the opening only
  const mr = !hu && !options.window && (!options.kind || options.kind === 'auto');
  const robust = mr ? robustStats(neighbourhoodValues(val, box, seedIdx, g, o.seedRadiusMm)) : null;
  let kind: LesionKind;
  if (mr) kind = 'custom';
  else if (options.kind && options.kind !== 'auto') kind = options.kind;
  else if (stats.median < o.boneHu - 100) kind = 'lytic';
  else if (stats.median > o.boneHu + 250) kind = 'sclerotic';
  else kind = 'custom';
  let window: [number, number];
  const sp = edtSpacing(g);
  const dims: [number, number, number] = [bi, bj, bk];
  const assumedLytic = (level: number): [number, number] => [level - o.lowerMarginHu, (level + o.boneHu) / 2];
  if (options.window) window = [options.window[0], options.window[1]];
  else if (kind === 'lytic') window = assumedLytic(stats.median);
  else if (kind === 'sclerotic') window = [(stats.median + o.boneHu) / 2, (stats.median + o.cortexHu) / 2];
  else if (robust) { const w = 3 * Math.max(robust.sigma, 1e-3 * (Math.abs(robust.median) + 1)); window = [robust.median - w, robust.median + w]; }
  else { const w = 2.5 * Math.max(stats.sd, 10); window = [stats.median - w, stats.median + w]; }
  const guard: LeakGuard = !options.leakGuard || options.leakGuard === 'auto' ? (kind === 'sclerotic' || mr ? 'opening' : 'bone-enclosure') : options.leakGuard;

  // CT: air and fat are never a lesion (the click's neighbourhood median, not the one voxel)
  if (hu && !options.window && stats.median < -300) return empty('custom', window, guard, stats, 'air', `the point is air or gas (${Math.round(stats.median)} HU around it), not a lesion: click inside the lesion`);
  if (hu && !options.window && stats.median < -40) return empty('custom', window, guard, stats, 'fat', `the point is fat (${Math.round(stats.median)} HU around it), not a lesion: click inside the lesion (lytic lesions read about 0-80 HU, sclerotic ones 400 HU and more)`);
  // CT: a neighbourhood at the level of cancellous bone (neither lytic nor sclerotic) is normal bone
  if (hu && !options.window && !options.kind && kind === 'custom')
    return empty(kind, window, guard, stats, 'normal-bone', `the point looks like normal bone (${Math.round(stats.median)} HU around it, between lytic and sclerotic levels): no lesion grown; click inside the lesion, or, for a lesion barely darker or brighter than the bone around it, paint it with Strokes (L)`);

  let hull: Uint8Array | null = null;
  /**
   * The enclosure is the bone closed by WIDE_CLOSING_MM (the click lay in a break of the cortex too
   * wide for the default closing): a region that goes on beyond it is kept as its part in the bone.
   */
  let wide = false;
  /** The bone level of the default enclosure that left the click open (for its refusal's words). */
  let wideBoneLevel: number | null = null;
  /** Why a click the bone does not enclose is refused, from the bone around it (bone-surroundings.ts). */
  const outsideBoneMessage = (boneLevel: number): string => {
    const a = boneAround(volume, geom.ijkToLps([0, 0, 0], si, sj, sk), boneLevel, o.maxRadiusMm);
    const at = `the point (${Math.round(stats.median)} HU)`;
    const open = a.openLps ? sideName(a.openLps) : '';
    const R = o.maxRadiusMm, bone = `bone (above ${Math.round(boneLevel)} HU)`;
    const strokes = 'if it is a lesion, paint it with Strokes (L): a lesion stroke inside it, then background strokes around it';
    if (a.hitsFar <= SOFT_TISSUE_RAYS) return `${at} is soft tissue outside the bone (${bone} on ${a.hitsFar} of ${a.rays} sides within ${2 * R} mm): Grow finds lesions inside bone; paint a soft-tissue mass with the Brush (B) or Strokes (L)`;
    if (a.hitsFar < OPEN_BONE_RAYS) return `${at} is soft tissue at the edge of the bone (${bone} on ${a.hitsFar} of ${a.rays} sides within ${2 * R} mm, none on its ${open} side), or a lesion breaking through the cortex there: Grow cannot tell where it ends; ${strokes}`;
    if (a.hitsFar < a.rays) return `${at} is inside the bone, but the ${bone} around it is open on its ${open} side (none there within ${2 * R} mm: a break in the cortex, a foramen or the canal), so Grow cannot tell where a lesion there ends; ${strokes}`;
    if (a.hitsNear < a.rays) return `${at} is inside the bone, but on its ${open} side the nearest ${bone} lies beyond Grow's ${R} mm reach (a space darker than bone larger than Grow's search, or one that opens through a break in the cortex), so Grow cannot tell where a lesion there ends; ${strokes}`;
    return `${at} is inside the bone, but the ${bone} around it has an opening wider than ${2 * o.closingRadiusMm} mm (a break in the cortex, a foramen or the canal), so Grow cannot tell where a lesion there ends; ${strokes}`;
  };
  /** One grow: threshold `img` to `win`, guard, opening, flood from the click, fill holes, plausibility. */
  const attempt = (win: [number, number], img: Float32Array, openingOverrideMm?: number): RegionGrowResult & { mask?: Uint8Array } => {
    // the flood starts at the click, or, when that one voxel is a noise outlier outside the window
    // set by its neighbourhood, at the nearest voxel of the neighbourhood inside the window
    const inWindow = (n: number) => { const v = img[n]!; return v >= win[0] && v <= win[1]; };
    const start = inWindow(seedLocal) ? seedLocal : nearestIn(inWindow, [bi, bj, bk], seedLocal, g, o.seedRadiusMm);
    if (start < 0) return empty(kind, win, guard, stats, 'seed-outside-window', `the values around the point (median ${Math.round(stats.median)}${hu ? ' HU' : ''}) are not lesion-like for the window`);

    // candidate voxels
    let allowed: Uint8Array = new Uint8Array(nb);
    // optionally the lower bound is tested on the 7-point mean (voxel + 6 face neighbours)
    const low = o.smoothLowerBound && img === val ? mean7(val, [bi, bj, bk]) : img;
    for (let n = 0; n < nb; n++) { const x = img[n]!; if (inBall[n] && low[n]! >= win[0] && x <= win[1]) allowed[n] = 1; }
    if (guard === 'bone-enclosure') {
      hull ??= boneHull(img, dims, win[1], sp, o.closingRadiusMm);
      if (!hull[start] && !options.window && hu && !wide && kind === 'lytic') {
        // a lesion that breaks through the cortex leaves a gap about as wide as itself: the wider
        // closing bridges it, and finish() keeps the region's part inside the bone, if bone walls it
        const w = boneHull(img, dims, win[1], sp, WIDE_CLOSING_MM);
        if (w[start]) { hull = w; wide = true; wideBoneLevel = win[1]; }
      }
      if (!hull[start] && !options.window && hu) return empty(kind, win, guard, stats, 'outside-bone', outsideBoneMessage(win[1]));
      for (let n = 0; n < nb; n++) if (!hull[n]) allowed[n] = 0;
      allowed[start] = 1;
    }
    // noise holes (single voxels just outside the window inside the lesion) would fragment the
    // erosion below: fill pockets completely enclosed by candidate voxels first
    allowed = fillHolesMask(allowed, dims);
    const openingMm = openingOverrideMm ?? options.openingRadiusMm ?? (kind === 'sclerotic' ? 1.5 : 1.0);
    let floodStart = start;
    if (guard !== 'none' && openingMm > 0) {
      // opening by reconstruction: erode with a ball of openingRadiusMm, keep the seed's component,
      // dilate it back with the same ball inside `allowed`. Lytic (1 mm): cuts single-voxel noise
      // chains into a foramen; sclerotic (1.5 mm): also removes the 1-2 voxel partial-volume rim
      // of cortex whose values pass through the sclerotic window.
      const ball = ballOffsets(g, openingMm, dims);
      const eroded = erodeSparse(allowed, dims, ball);
      // the click may lie within the opening radius of a noise hole or of the edge: its core is
      // then the nearest eroded voxel (without it the opening would be skipped and noise chains
      // into a foramen kept, so that the volume would depend on where in the lesion one clicks)
      const coreStart = eroded[start] ? start : nearestIn((n) => eroded[n] === 1, dims, start, g, o.seedRadiusMm + openingMm);
      const core = coreStart >= 0 ? floodFrom(eroded, dims, coreStart, 6) : { mask: eroded, count: 0 };
      if (core.count > 0) {
        const back = dilateSparse(core.mask, dims, ball);
        for (let n = 0; n < nb; n++) allowed[n] = allowed[n]! & back[n]!;
        if (!allowed[start]) floodStart = coreStart;
      }
    }

    const grown = floodFrom(allowed, dims, floodStart, o.connectivity);
    let mask: Uint8Array = grown.mask;
    let count = grown.count;
    if (o.fillHoles && count > 0) {
      mask = fillHolesInBox(mask, dims);
      count = 0;
      for (let n = 0; n < nb; n++) count += mask[n]!;
    }

    const r = fromMask(mask, win, count, true);
    if (!options.window) {
      // plausibility: never a lesion that runs on to the search bound, never a one-voxel lesion
      if (r.reachedRadiusLimit)
        return empty(kind, win, guard, stats, 'runs-on', `the tissue at the point's level (${Math.round(win[0])} to ${Math.round(win[1])}${hu ? ' HU' : ''}) runs on past ${o.maxRadiusMm} mm from it: a large region of one tissue (normal marrow, muscle, fat or air), not a lesion, or a lesion that leaks into tissue of its own level; click inside the lesion, or paint it with Strokes (L): a lesion stroke inside it, then background strokes around it`);
      if (count < o.minVoxels)
        return empty(kind, win, guard, stats, 'too-small', `only ${count} voxel${count === 1 ? '' : 's'} at the lesion's level around the point: too small to be a lesion; paint it with the brush (B) if it is one`);
    }
    return r;
  };
  /**
   * A result from a box-local mask (a grown region, or one after a trim) of `count` voxels (counted here when not
   * given): its volume offsets and bounding box; with `checkRim`, whether a voxel lies beyond the search's rim
   * (reachedRadiusLimit, the plausibility of a first grow), else false.
   */
  const fromMask = (mask: Uint8Array, win: [number, number], count?: number, checkRim = false): RegionGrowResult & { mask: Uint8Array } => {
    if (count === undefined) { count = 0; for (let n = 0; n < nb; n++) count += mask[n]!; }
    const offsets = new Int32Array(count);
    let m = 0, n = 0, reached = false;
    let i0 = Infinity, j0 = Infinity, k0 = Infinity, i1 = -1, j1 = -1, k1 = -1;
    for (let k = box[2]; k <= box[5]; k++) for (let j = box[1]; j <= box[4]; j++) {
      const row = ni * (j + nj * k);
      for (let i = box[0]; i <= box[3]; i++, n++) {
        if (!mask[n]) continue;
        offsets[m++] = row + i;
        if (i < i0) i0 = i; if (i > i1) i1 = i; if (j < j0) j0 = j; if (j > j1) j1 = j; if (k < k0) k0 = k; if (k > k1) k1 = k;
        if (checkRim && !reached && metricLength2(g, i - si, j - sj, k - sk) > rim2) reached = true;
      }
    }
    return {
      offsets, voxelCount: count, volumeMl: (count * geom.voxelVolumeMm3) / 1000, kind, window: win, guard, seedIjk: seedIdx, seedStats: stats,
      box: count ? [i0, j0, k0, i1, j1, k1] : null, reachedRadiusLimit: reached, ...(levels ? { levels } : {}), mask,
    };
  };
  const strip = (r: RegionGrowResult & { mask?: Uint8Array }): RegionGrowResult => { const { mask: _m, ...rest } = r; return rest; };
  // the partial-volume estimates (default options) that the checks compute, once per grown mask, and
  // handed on with the lesion returned (RegionGrowResult.partialVolume)
  const pvCache = new Map<Int32Array, PartialVolumeResult>();
  const pvOf = (r: RegionGrowResult): PartialVolumeResult => {
    let e = pvCache.get(r.offsets);
    if (!e) { e = partialVolumeEstimate(volume, r.offsets); pvCache.set(r.offsets, e); }
    return e;
  };
  const withPv = (r: RegionGrowResult): RegionGrowResult => { const e = pvCache.get(r.offsets); return e ? { ...r, partialVolume: e } : r; };
  /**
   * The edge's blur against the lesion's size (EDGE_PROBE): the outline at `win` on `img` regrown with its
   * bound toward the tissue around (the upper one for a lesion darker than it, sign > 0) moved by EDGE_PROBE
   * of the contrast either way; `count` is the outline's own voxel count. For a Gaussian edge of σ on a ball
   * of radius r the change is 6·√(2π)·EDGE_PROBE·σ/r of it, and the outline at the midpoint reads ≈ 3σ²/r² low.
   */
  const edgeProbe = (win: [number, number], img: Float32Array, sign: number, contrast: number, count: number) => {
    const dHu = EDGE_PROBE * contrast;
    const lo = attempt(sign > 0 ? [win[0], win[1] - dHu] : [win[0] + dHu, win[1]], img), hi = attempt(sign > 0 ? [win[0], win[1] + dHu] : [win[0] - dHu, win[1]], img);
    const slope = (hi.voxelCount - lo.voxelCount) / Math.max(1, count);
    const sigmaOverR = slope / (6 * Math.sqrt(2 * Math.PI) * EDGE_PROBE);
    return { slope, sigmaOverR, bias: 3 * sigmaOverR * sigmaOverR };
  };
  /**
   * A region that reaches the bone enclosure's surface with tissue of its window beyond (no cortex
   * between) ran into a gap in the cortex that the enclosure's closing bridged: the lesion may go on
   * outside the bone, where Grow cannot tell it from soft tissue of its level. When bone walls the
   * region over most of its surface (a lesion in the bone breaking out through part of it), the
   * part inside the bone is kept, cut where the closing bridges the gap, with a note that the part
   * outside was not included; otherwise (a pocket of soft tissue in a hollow of the bone, open over
   * much of its surface) it is refused, never a lesion cut at an invisible line.
   */
  const finish = (r: RegionGrowResult & { mask?: Uint8Array }, img: Float32Array): RegionGrowResult => {
    if (r.problem || !r.mask || !hull || guard !== 'bone-enclosure' || options.window) return strip(r);
    const c = continuationOutside(r.mask, hull, inBall, img, r.window, dims, box, geom);
    if (c.voxels < Math.max(o.minVoxels, BREACH_SHARE * r.voxelCount)) return strip(r);
    const ml = (v: number) => ((v * geom.voxelVolumeMm3) / 1000).toFixed(2);
    const cut = cutShare(r.mask, hull, dims);
    if (cut <= MAX_CUT_SHARE)
      return { ...strip(r), stoppedAtCortex: true, note: `the lesion extends through the cortex on its ${sideName(c.towardLps)} side: the part outside the bone was not included (${ml(r.voxelCount)} mL inside the bone kept; outside, Grow cannot tell it from the soft tissue of its level); use Strokes (L) to add it: a lesion stroke across the break, then background strokes around it` };
    return empty(kind, r.window, guard, stats, 'cortex-break', `stopped at the cortex: the lesion (${ml(r.voxelCount)} mL inside the bone) breaks through it on its ${sideName(c.towardLps)} side, and tissue at its level (${Math.round(r.window[0])} to ${Math.round(r.window[1])}${hu ? ' HU' : ''}) goes on outside the bone (${ml(c.voxels)} mL within ${o.maxRadiusMm} mm) over ${Math.round(100 * cut)} % of the region's surface: the lesion may extend outside the bone, and Grow cannot tell it from soft tissue there; paint the whole lesion with Strokes (L): a lesion stroke across the break, then background strokes around it, also over the soft tissue next to its outside part`);
  };

  const result = ((): RegionGrowResult => {
    if (mr) {
      // MR: the window from the lesion's edge as the image around the click shows it (see measureMrLevels)
      const m = measureMrLevels(val, dims, sp, inBall, g, seedIdx, box, rim2, seedLocal, robust!, o.minVoxels);
      const strokes = 'if it is a lesion, paint it with Strokes (L): a lesion stroke inside it, then background strokes around it';
      // no edge closes around the click: a window of the neighbourhood's own spread has no edge to
      // stop at, and grows into whatever tissue of that level touches it (real marrow is patchy)
      if (!m) return empty(kind, window, guard, stats, 'unsupported', `no lesion edge closes around the point within ${o.maxRadiusMm} mm: the tissue there (signal ${Math.round(robust!.median)}) runs on into tissue of its own level, so Grow cannot tell where a lesion ends; ${strokes}`);
      levels = { lesion: m.lesionLevel, around: m.aroundLevel, smoothed: false, passRaw: m.passRaw, passSmooth: NaN };
      // the faint-edge check: the pieces of the tissue around (beyond the edge's midpoint level) that
      // pass the window and survive the grow's opening can join the lesion; where they could add more
      // than MAX_JOINABLE_SHARE to it, the edge is too faint against that tissue's texture for a
      // threshold (on CT the same question is the share of passing voxels, measureSurroundings; on MR
      // marrow's fatty patches are pieces, not single noisy voxels)
      const joinable = (m.passOpen * m.shellVoxels) / m.region.length;
      if (joinable > MAX_JOINABLE_SHARE)
        return empty(kind, m.window, guard, stats, 'low-contrast', `the lesion (signal ${Math.round(m.lesionLevel)}) differs from the tissue around it (${Math.round(m.aroundLevel)}) by too little against that tissue's texture: pieces of the tissue around at the lesion's level could add ${Math.round(100 * joinable)} % to it, so a threshold cannot find its edge; ${strokes}`);
      const r = attempt(m.window, val);
      if (r.problem || !r.mask) return finish(r, val);
      // the grow must stay within the edge the image shows, widened by that edge's own blur (a small
      // lesion's contour of maximum contrast, found on the smoothed copy, can lie a slice or a pixel
      // inside its true edge): a grow with more than MAX_JOINABLE_SHARE beyond it ran past the edge
      const beyond = shareBeyondEdge(r.mask, m.region, dims, sp);
      if (beyond > MAX_JOINABLE_SHARE || r.voxelCount * MAX_SUPPORT_RATIO < m.region.length)
        return empty(kind, m.window, guard, stats, 'unsupported', `the region at the lesion's level (${Math.round(m.window[0])} to ${Math.round(m.window[1])}, ${r.volumeMl.toFixed(2)} mL) ${beyond > MAX_JOINABLE_SHARE ? `runs ${Math.round(100 * beyond)} % beyond` : 'is much smaller than'} the region whose edge the image shows around the point (${(m.region.length * geom.voxelVolumeMm3 / 1000).toFixed(2)} mL): no clear lesion edge; ${strokes}`);
      // a lesion between two tissues (darker than one, brighter than the other: a faint lesion in patchy
      // marrow) has an edge the window's midpoint bound does not find where it borders the other one
      const opposite = oppositeShare(r.mask, val, dims, sp, inBall, m.lesionLevel, m.aroundLevel, m.lesionSigma);
      if (opposite > MAX_JOINABLE_SHARE)
        return empty(kind, m.window, guard, stats, 'unsupported', `the region grown from the point (signal ${Math.round(m.lesionLevel)}, ${r.volumeMl.toFixed(2)} mL) lies between two tissues: ${m.lesionLevel > m.aroundLevel ? 'brighter' : 'darker'} than most of the tissue around it (${Math.round(m.aroundLevel)}) but ${m.lesionLevel > m.aroundLevel ? 'darker' : 'brighter'} than ${Math.round(100 * opposite)} % of it, so its edge there is not where a threshold puts it; ${strokes}`);
      // the bound at the midpoint to the level around holds where that level is the marrow's; next to
      // a patch of another level (fatty marrow beside a T2-bright lesion) the edge's midpoint is the
      // one to that patch: the edge voxels are trimmed to their local midpoint
      const trimmed = trimToLocalMidpoint(r.mask, val, dims, sp, g, inBall, m.lesionLevel);
      if (trimmed === r.mask) return finish(r, val);
      const t = fromMask(trimmed, r.window);
      if (t.voxelCount < o.minVoxels)
        return empty(kind, m.window, guard, stats, 'too-small', `only ${t.voxelCount} voxel${t.voxelCount === 1 ? '' : 's'} of the region grown from the point hold more lesion than the tissue next to them: too small to be a lesion; paint it with the brush (B) if it is one`);
      return finish(t, val);
    }
    if (!(hu && !options.window && kind === 'lytic' && guard === 'bone-enclosure')) return finish(attempt(window, val), val);

    /**
     * A lesion that opens into a lumen darker than itself but inside its window (the canal's
     * contents, 10 HU, beside a 30 HU lesion reaching into the canal) runs on along the lumen. On an
     * edge-preserving 1 mm copy (bilateral: noise a few times lower, 12 → 3 HU in the canal, while
     * the cortex lining the lumen stays out of it) the two levels separate: the lumen's level is read
     * where the run-on region lies farther from the click than a lesion reaches (LUMEN_FAR_MM), and
     * the lower bound set at the midpoint between it and the lesion (partial-volume neutral, as the
     * upper bound). Null when no such lumen shows or the levels do not separate on the copy.
     */
    const beforeLumen = (): RegionGrowResult | null => {
      // edge-preserving: the lumen's cortical lining, far beyond the range weight, does not bleed into its edge
      const noise = robustStats(neighbourhoodValues(val, box, seedIdx, g, o.seedRadiusMm)).sigma;
      if (!(noise > 0)) return null;
      const sm = bilateralBox(val, dims, sp, SURROUND_SMOOTH_MM, RANGE_SD * noise);
      const near = robustStats(neighbourhoodValues(sm, box, seedIdx, g, o.seedRadiusMm));
      const L = near.median;
      const h = hull ?? boneHull(val, dims, window[1], sp, o.closingRadiusMm);
      const allowed = new Uint8Array(nb);
      for (let n = 0; n < nb; n++) { const y = sm[n]!; if (inBall[n] && h[n] && y >= L - o.lowerMarginHu && y <= window[1]) allowed[n] = 1; }
      const start = allowed[seedLocal] ? seedLocal : nearestIn((n) => allowed[n] === 1, dims, seedLocal, g, o.seedRadiusMm);
      if (start < 0) return null;
      const run = floodFrom(allowed, dims, start, 6);
      // the lumen's level from the run's core (1.5 mm in from its edges: the partial volume of the lumen's cortical lining left out)
      const core = erodeMask(run.mask, dims, sp, LUMEN_CORE_MM);
      const far: number[] = [];
      const far2 = LUMEN_FAR_MM * LUMEN_FAR_MM;
      let n = 0;
      for (let k = 0; k < bk; k++) for (let j = 0; j < bj; j++) for (let i = 0; i < bi; i++, n++)
        if (core[n] && metricLength2(g, i + box[0] - si, j + box[1] - sj, k + box[2] - sk) > far2) far.push(sm[n]!);
      if (far.length < o.minVoxels) return null;
      const lumen = robustStats(thin(far));
      // the two levels must differ by several of the lumen's spreads on the copy (a uniform tissue:
      // the copy's noise; the click's neighbourhood may hold the lesion's edge and read wider)
      if (!(L - lumen.median > LUMEN_SEPARATION_SD * lumen.sigma)) return null;
      const lo = (L + lumen.median) / 2;
      const res = attempt([lo, window[1]], sm);
      if (res.problem) return null;
      return finish(res, sm);
    };
    // CT lytic, automatic window. First the assumed levels (lesion at the click's neighbourhood
    // median, healthy cancellous bone at boneHu), with the lesion level then re-read from the
    // grown region's interior (many voxels instead of the ~30 of a 2 mm ball on 3 mm slices,
    // where a click near the edge reads 10-15 HU high and a lower bound that high cuts the noisy
    // lesion into fragments) until it settles.
    // The first grow takes a lower bound one margin lower still: a click near the edge reads
    // high, and the lower bound at that level keeps only a fragment whose own level agrees with it
    let r = attempt([window[0] - o.lowerMarginHu, window[1]], val);
    if (r.problem) r = attempt(window, val);
    let lv = !r.problem && r.mask ? regionLevels(r.mask, val, dims, sp, inBall) : null;
    for (let it = 0; it < 3 && lv && !r.problem; it++) {
      let level = lv.interior;
      if (Number.isNaN(level)) { if (it > 0) break; level = stats.median; }
      if (it > 0 && !(Math.abs(level - (r.window[0] + o.lowerMarginHu)) > 2)) break;
      const next = attempt(assumedLytic(level), val);
      if (next.problem || !next.mask) break;
      r = next;
      lv = regionLevels(next.mask, val, dims, sp, inBall);
    }
    // the assumed levels hold when the region closes inside tissue brighter than its window
    const around = !r.problem && lv ? lv.around : NaN;
    if (around > r.window[1]) return finish(r, val);
    if (r.problem && r.problem !== 'runs-on' && r.problem !== 'too-small') return strip(r);
    if (r.problem === 'runs-on') {
      const l = beforeLumen();
      if (l) return l;
    }
    // otherwise the bone around is not at the assumed level (fatty marrow): measure both levels
    // at the lesion's boundary of maximum contrast, inside the same bone enclosure
    const within = new Uint8Array(nb);
    const h = hull ?? boneHull(val, dims, window[1], sp, o.closingRadiusMm);
    for (let n = 0; n < nb; n++) within[n] = inBall[n]! & h[n]!;
    const surround = measureSurroundings(val, dims, sp, within, g, seedIdx, box, rim2, seedLocal, o.lowerMarginHu, stats.median, o.minVoxels, o.boneHu);
    if (!surround) {
      if (r.problem) return strip(r);
      return empty(kind, r.window, guard, stats, 'unsupported', `the tissue around the region grown from the point (${Math.round(around)} HU) is not denser than the lesion window (${Math.round(r.window[0])} to ${Math.round(r.window[1])} HU), and no lesion edge shows around the point: it looks like marrow, not a lesion; paint it with the lesion/background strokes tool (L) if it is one`);
    }
    levels = { lesion: surround.lesionLevel, around: surround.aroundLevel, smoothed: surround.smooth !== null, passRaw: surround.passRaw, passSmooth: surround.passSmooth };
    if (surround.refusal) return empty(kind, surround.window, guard, stats, surround.refusal.problem, surround.refusal.message);
    hull = h;
    const img = surround.smooth ?? val;
    const near = robustStats(neighbourhoodValues(val, box, seedIdx, g, o.seedRadiusMm));
    /** The checks a grow at a measured window must pass (null: passed), or the refusal with its reason. */
    const unsupported = (fin: RegionGrowResult & { mask?: Uint8Array }, win: [number, number]): RegionGrowResult | null => {
      if (fin.problem || !fin.mask) return null;
      // the click's neighbourhood sets the lesion's statistics: a region whose interior holds more than
      // MAX_JOINABLE_SHARE of tissue at levels that neighbourhood does not hold grew into marrow of
      // another level (a fatty body around a lesion, both darker than its rim), and is that much off
      const f = foreignShare(fin.mask, val, dims, sp, near);
      if (f.share > MAX_JOINABLE_SHARE)
        return empty(kind, win, guard, stats, 'unsupported', `the region grown from the point (${fin.volumeMl.toFixed(2)} mL at ${Math.round(win[0])} to ${Math.round(win[1])} HU) is ${Math.round(100 * f.share)} % tissue unlike the point's surroundings (${Math.round(near.median)} ± ${Math.round(near.sigma)} HU): it ran on into marrow at another level, so its edge is not the lesion's; paint it with the lesion/background strokes tool (L) if it is one`);
      // the grow at the measured window must reproduce the region whose boundary the image supports:
      // a texture dip in fatty marrow gives a window whose grow is a fraction of that region, a leak
      // one larger than it
      const ratio = fin.voxelCount / surround.regionVoxels;
      if (!(ratio >= 1 / MAX_SUPPORT_RATIO && ratio <= MAX_SUPPORT_RATIO))
        return empty(kind, win, guard, stats, 'unsupported', `the region at the lesion's level (${Math.round(win[0])} to ${Math.round(win[1])} HU) is ${ratio < 1 ? 'much smaller' : 'much larger'} than the region whose edge the image shows around the point (${(fin.volumeMl).toFixed(2)} vs ${(surround.regionVoxels * geom.voxelVolumeMm3 / 1000).toFixed(2)} mL): no clear lesion edge; paint it with the lesion/background strokes tool (L) if it is one`);
      return null;
    };
    const fin = attempt(surround.window, img);
    const refused = unsupported(fin, surround.window);
    if (refused) return refused;
    if (fin.problem || !fin.mask) return finish(fin, img);
    /**
     * The level around, read a second way (AROUND_AGREEMENT). The first reading, the median of a shell 1.5-3.5 mm
     * outside the region of maximum contrast, lies within the lesion's blurred edge where the scan's PSF is wide
     * or the slices are thick for the lesion, and reads low (fatty-thick4mm.json L3, 4 mm slices, PSF 1 mm: 102 HU
     * for marrow at 110; on a 4 mm slab the in-plane shell of a cap slice lies over the lesion's flank). The
     * partial-volume estimate of the grown region reads it in its reference shell beyond the reach of the edge's
     * blur, the slab's included, and the lesion's level in its core: nearer other tissue, it can read high (a
     * 2 mm cortex and the 170 HU junction beside the lesion: fatty-thick4mm-cortex2.json 116 HU for 110). The
     * region is grown again with the bound at the midpoint of those two levels, and shown so. On thick slices
     * the outline is so shallow that the volume follows the bound closely (L3: 2.5 HU moved it by 11 %): where
     * the volumes shown for the two readings differ by more than Grow's 10 %, the lesion's volume depends on
     * the level of the marrow around more than the image settles, and the click is refused, naming both.
     */
    // a region that goes on through a break in the cortex (finish: kept as its part inside the bone, cut at the
    // closing's bridge, or refused), and any region in the wide enclosure (kept only so, `final` below): the bridge
    // sets part of its outline, and the estimate's reference shell there lies in the soft tissue beyond the break,
    // not in the marrow (breach-fatty.json B3 with the level read there: +11.5 % against its in-bone part)
    const kept = finish(fin, img);
    if (wide || kept.problem || kept.stoppedAtCortex) return kept;
    const pv = pvOf(fin);
    const hiRe = (pv.lesionLevel + Math.min(pv.referenceLevel, o.boneHu)) / 2;
    if (!(Math.abs(hiRe - surround.window[1]) > AROUND_REREAD_HU) || !(hiRe > surround.window[0])) return withPv(kept);
    const win2: [number, number] = [surround.window[0], hiRe];
    const first = levels;
    levels = { ...levels!, lesion: pv.lesionLevel, around: pv.referenceLevel };
    const again = attempt(win2, img);
    if (again.problem || !again.mask) return finish(again, img);
    const refused2 = unsupported(again, win2);
    if (refused2) return refused2;
    const v1 = pv.volumeMl, v2 = pvOf(again).volumeMl;
    const differ = Math.max(v1, v2) / Math.min(v1, v2) - 1;
    if (!(differ <= AROUND_AGREEMENT)) {
      levels = first;
      return empty(kind, win2, guard, stats, 'low-contrast', `its volume depends on the level of the marrow around it more than the image settles: with that level read next to its edge (${Math.round(surround.aroundLevel)} HU, its outline at ${Math.round(surround.window[1])} HU) it reads ${v1.toFixed(2)} mL, read beyond the reach of its edge's blur (${Math.round(pv.referenceLevel)} HU, its outline at ${Math.round(hiRe)} HU) ${v2.toFixed(2)} mL: they differ by ${Math.round(100 * differ)} %, more than the ${Math.round(100 * AROUND_AGREEMENT)} % that Grow promises (a blurred edge, or slices thick for the lesion, against a lesion ${Math.round(pv.referenceLevel - pv.lesionLevel)} HU darker than the marrow); paint it with the lesion/background strokes tool (L)`);
    }
    return withPv(finish(again, img));
  })();
  // the wide enclosure serves only a lesion breaking out through the cortex (kept in the bone, cut at
  // the bridge); for any other outcome of a click the default enclosure left open, its reason stands
  // (the bone around the click, in words): a region the wide closing alone encloses with nothing of
  // its level beyond may be a hollow of the bone (pelvic-ref-003: 4.6 mL of marrow around a 1.1 mL
  // implanted lesion)
  const final = wide && wideBoneLevel !== null && (result.problem ? result.problem !== 'outside-bone' : !result.stoppedAtCortex)
    ? empty(result.kind, result.window, guard, stats, 'outside-bone', outsideBoneMessage(wideBoneLevel))
    : result;
  if (!final.problem || !OWN_EDGE_AFTER.has(final.problem) || !(hu && !options.window && !options.kind && kind === 'lytic' && guard === 'bone-enclosure')) return final;
  /**
   * Bone does not enclose the click, or the bone-enclosed grow found no edge: a lesion bounded by
   * its own edge all round (own-edge.ts), for a click inside the bone (bone on OPEN_BONE_RAYS or
   * more of the 26 sides), grown without the enclosure and accepted only where the region is one
   * tissue (MAX_TEXTURE_RATIO), the tissue around could add at most MAX_JOINABLE_SHARE to it, the
   * grow closes within the search ball and reproduces the region of maximum boundary contrast
   * (OWN_SUPPORT_RATIO), and at most MAX_JOINABLE_SHARE of it is unlike the click's neighbourhood.
   * Otherwise the first refusal and its reason stand.
   */
  const own = ((): RegionGrowResult | string => {
    const a = boneAround(volume, geom.ijkToLps([0, 0, 0], si, sj, sk), window[1], o.maxRadiusMm);
    if (a.hitsFar < OPEN_BONE_RAYS) return '';
    const rim = new Uint8Array(nb);
    let n = 0;
    for (let k = 0; k < bk; k++) for (let j = 0; j < bj; j++) for (let i = 0; i < bi; i++, n++)
      if (inBall[n] && metricLength2(g, i + box[0] - si, j + box[1] - sj, k + box[2] - sk) > rim2) rim[n] = 1;
    const ball = ballOffsets(g, 1.0, dims);
    const m = measureOwnEdge(val, dims, sp, inBall, rim, seedLocal, stats.median, o.lowerMarginHu, o.minVoxels, (x) => dilateSparse(erodeSparse(x, dims, ball), dims, ball));
    const near = robustStats(neighbourhoodValues(val, box, seedIdx, g, o.seedRadiusMm));
    if (!m) return `no edge of a lesion closes around the point within ${o.maxRadiusMm} mm`;
    if (m.joinable > MAX_JOINABLE_SHARE) return `pieces of the tissue around it at its level could add ${Math.round(100 * m.joinable)} % to it`;
    // one tissue: the region's interior spreads no more than the voxel-to-voxel noise allows (marrow
    // texture around a lesion of the same mean level does not)
    const texture = textureRatio(m.region, val, dims);
    if (Number.isNaN(texture)) return `the region whose edge the image shows (${((m.region.length * geom.voxelVolumeMm3) / 1000).toFixed(2)} mL) is too thin to tell whether it is one tissue`;
    if (!(texture <= MAX_TEXTURE_RATIO)) return `the region whose edge the image shows is textured like marrow (its spread ${texture.toFixed(1)} × the voxel-to-voxel noise), not one tissue`;
    hull = new Uint8Array(nb).fill(1);
    wide = false;
    levels = { lesion: m.lesionLevel, around: m.aroundLevel, smoothed: false, passRaw: m.joinable, passSmooth: NaN };
    const core = attempt(m.window, val);
    if (core.problem || !core.mask) return `the tissue at its level (${Math.round(m.window[0])} to ${Math.round(m.window[1])} HU) ${core.problem === 'runs-on' ? `runs on past ${o.maxRadiusMm} mm` : 'gives almost nothing'}`;
    const mid = (m.lesionLevel + m.aroundLevel) / 2;
    const win: [number, number] = m.sign > 0 ? [m.window[0], Math.max(m.window[1], mid)] : [Math.min(m.window[0], mid), m.window[1]];
    hull = edgeReach(core.mask, dims, sp);
    const r = attempt(win, val);
    if (r.problem || !r.mask) return `its edge (${Math.round(win[0])} to ${Math.round(win[1])} HU) ${r.problem === 'runs-on' ? `runs on past ${o.maxRadiusMm} mm` : 'gives almost nothing'}`;
    const ratio = r.voxelCount / m.region.length;
    if (!(ratio >= 1 / OWN_SUPPORT_RATIO && ratio <= OWN_SUPPORT_RATIO)) return `the region grown at its level (${r.volumeMl.toFixed(2)} mL) and the region whose edge the image shows (${((m.region.length * geom.voxelVolumeMm3) / 1000).toFixed(2)} mL) differ by ${Math.round(100 * Math.abs(ratio - 1))} %, more than the 5 % that leaves Grow within its 10 %`;
    // at most MAX_JOINABLE_SHARE of it beyond the click's level by FOREIGN_SD of the lesion's spread (the
    // region's own, better sampled than the 2 mm ball's, where the texture test says it is one tissue)
    const foreign = foreignShare(r.mask, val, dims, sp, { median: near.median, sigma: Math.max(near.sigma, m.lesionSigma) }).share;
    if (foreign > MAX_JOINABLE_SHARE) return `${Math.round(100 * foreign)} % of the region grown is tissue unlike the point's surroundings`;
    // marrow at the lesion's level that touches it (a patch of the fatty ala's marrow brighter than its
    // mean: pelvic-ref-003 P4, a tail to 17.9 mm across a 14.0 mm lesion) passes the window and lies in
    // the core; fat islands and trabecular gaps are 1-3 mm across, the smallest lesion Grow serves
    // 4.2 mm in radius: the lesion is the core opened by CORE_OPENING_MM, as on the one-tissue path
    // below, widened to the midpoint within the edge's blur (P4: 14.7 mm, voxel count −3.7 %, the
    // partial-volume figure −1.1 %). The checks above hold for the grow without that opening, so it
    // decides only the outline, not whether the lesion is kept.
    hull = new Uint8Array(nb).fill(1);
    const openedCore = attempt(m.window, val, CORE_OPENING_MM);
    let shown: typeof r = r;
    if (!openedCore.problem && openedCore.mask) {
      hull = edgeReach(openedCore.mask, dims, sp);
      const e = attempt(win, val);
      if (!e.problem && e.mask) shown = e;
      // the edge's blur against the lesion's size, read from how the outline moves with its bound (EDGE_BIAS)
      const { slope, sigmaOverR, bias } = edgeProbe(win, val, m.sign, Math.abs(m.aroundLevel - m.lesionLevel), shown.voxelCount);
      if (bias > EDGE_BIAS && pvOf(shown).textured) {
        const rMm = Math.cbrt((3 * shown.volumeMl * 1000) / (4 * Math.PI));
        return `its edge is gradual for its size: moving the midpoint bound by ${Math.round(100 * EDGE_PROBE)} % of its contrast either way changes it by ${Math.round(100 * slope)} % (an edge blurred over about ${(sigmaOverR * rMm).toFixed(1)} mm on a lesion ${(2 * rMm).toFixed(0)} mm across), so its outline at the midpoint reads about ${Math.round(100 * bias)} % low, which the volume estimate cannot restore in marrow this textured`;
      }
    }
    return withPv({ ...strip(shown), guard: 'opening' });
  })();
  if (typeof own !== 'string') return own;
  if (!own) return final;
  /**
   * A lesion of one tissue in textured marrow (fatty marrow on thick slices: pelvic-ref-003's S1 body,
   * 98 ± 74 HU around a 0 HU lesion), where no edge of maximum contrast closes around the lesion alone
   * (it takes in the fatty marrow around, darker than the body's rim). The lesion's level and its own
   * noise are read from its core, grown at that level ± UNIFORM_SD of that noise and re-read until they
   * settle (trimmedLevel); marrow texture at the lesion's level that touches it is cut off by an opening
   * of CORE_OPENING_MM. The lesion returned is the core widened to the midpoint (the lesion's
   * half-level edge, as every other mask the tools draw, opened by CORE_OPENING_MM): the core alone
   * lies inside that edge (pelvic-ref-003 P1: its voxel count −29 %), and in textured marrow the
   * partial-volume estimate the panel shows keeps only the band fractions the marrow's texture does
   * not explain (partial-volume.ts, "Textured marrow"), so it no longer restores a core's edge.
   * Kept only where
   *  - the window lies wholly on the lesion's side of the midpoint to the level around (the core holds
   *    no voxel that is more marrow than lesion);
   *  - the partial-volume volume of the core and the voxel count of its outline at the midpoint level,
   *    within the reach of the edge's blur, agree within CORE_EDGE_AGREEMENT;
   *  - the volumes shown for that outline with and without the opening agree within OUTLINE_AGREEMENT.
   */
  const uniform = ((): RegionGrowResult | string => {
    const r0 = Math.max(o.seedRadiusMm, 1.5 * Math.max(sp[0], sp[1], sp[2]));
    const near0 = robustStats(neighbourhoodValues(val, box, seedIdx, g, r0));
    let level = near0.median, sd = Math.max(near0.sigma, MIN_NOISE_HU);
    hull = new Uint8Array(nb).fill(1);
    wide = false;
    // the core at the window of the last round: when the level and the noise settle, the next round's
    // window differs by less than 2 HU (3 × 0.5) and would grow the same core
    let c2: (RegionGrowResult & { mask?: Uint8Array }) | null = null;
    let win: [number, number] = [NaN, NaN];
    for (let it = 0; it < UNIFORM_ITERATIONS; it++) {
      const w: [number, number] = [level - UNIFORM_SD * sd, level + UNIFORM_SD * sd];
      const c = attempt(w, val, CORE_OPENING_MM);
      if (c.problem || !c.mask) return `its core at its level (${Math.round(w[0])} to ${Math.round(w[1])} HU) ${c.problem === 'runs-on' ? `runs on past ${o.maxRadiusMm} mm` : 'is too small'}`;
      c2 = c; win = w;
      const deep: number[] = [], all: number[] = [];
      visitNearMask(c.mask, dims, sp, 0, (q, _o, dIn2) => { if (c.mask![q]) { all.push(val[q]!); if (dIn2 > 2.25) deep.push(val[q]!); } });
      const t = trimmedLevel(deep.length >= 8 ? deep : all);
      const settled = Math.abs(t.mean - level) < 0.5 && Math.abs(t.sd - sd) < 0.5;
      level = t.mean; sd = Math.max(t.sd, MIN_NOISE_HU);
      if (settled) break;
    }
    if (!c2?.mask) return '';
    const around = regionLevels(c2.mask, val, dims, sp, inBall).around;
    if (!(Math.abs(around - level) > 2 * UNIFORM_SD * sd)) return `the tissue around its core (${Math.round(around)} HU) is within ${Math.round(2 * UNIFORM_SD * sd)} HU of its level (${Math.round(level)} HU): too little contrast for its own noise (± ${sd.toFixed(1)} HU)`;
    // the edge: the core widened to the midpoint between the two levels within the reach of the edge's
    // blur (partial-volume neutral for a symmetric blur, as everywhere in Grow)
    const mid = (level + around) / 2;
    hull = edgeReach(c2.mask, dims, sp);
    const e = attempt(around > level ? [win[0], mid] : [mid, win[1]], val);
    hull = new Uint8Array(nb).fill(1);
    if (e.problem || !e.mask) return `its edge at the midpoint to the tissue around (${Math.round(mid)} HU) ${e.problem === 'runs-on' ? `runs on past ${o.maxRadiusMm} mm` : 'gives almost nothing'}`;
    const v = partialVolumeEstimate(volume, strip(c2).offsets, { textureSds: 0 }).volumeMl;
    const d = Math.abs(v / e.volumeMl - 1);
    if (!(d <= CORE_EDGE_AGREEMENT)) return `its volume integrated over its edge (${v.toFixed(2)} mL) and its outline at the midpoint to the tissue around (${e.volumeMl.toFixed(2)} mL) differ by ${Math.round(100 * d)} %, more than the ${Math.round(100 * CORE_EDGE_AGREEMENT)} % that leaves Grow within its 10 %`;
    levels = { lesion: level, around, smoothed: false, passRaw: NaN, passSmooth: NaN };
    hull = edgeReach(c2.mask, dims, sp);
    const shown = attempt(around > level ? [win[0], mid] : [mid, win[1]], val, CORE_OPENING_MM);
    hull = new Uint8Array(nb).fill(1);
    if (shown.problem || !shown.mask) return { ...strip(e), guard: 'opening', levels };
    // the outline with and without the opening: the volume the panel would show for each (partial-volume.ts)
    const vOpen = pvOf(shown).volumeMl, vEdge = pvOf(e).volumeMl;
    const spread = Math.max(vOpen, vEdge) / Math.min(vOpen, vEdge) - 1;
    if (!(spread <= OUTLINE_AGREEMENT)) return `its outline at the midpoint to the tissue around reads ${vEdge.toFixed(2)} mL with what touches it at its level and ${vOpen.toFixed(2)} mL without what is thinner than ${2 * CORE_OPENING_MM} mm (marrow texture, or the lesion's own top and bottom slices): they differ by ${Math.round(100 * spread)} %, more than the ${Math.round(100 * OUTLINE_AGREEMENT)} % that Grow promises`;
    return withPv({ ...strip(shown), guard: 'opening', levels });
  })();
  if (typeof uniform !== 'string') return uniform;
  // the first refusal's reason stands, with why the lesion's own edge did not serve either
  return { ...final, message: `${final.message} (Grow also looked for the lesion's own edge without the bone: ${own}${uniform ? `; and for a lesion of one tissue at the click's level: ${uniform}` : ''}.)` };
}
/**
 * Largest texture ratio (own-edge.ts textureRatio) of a region of one tissue: noise alone reads
 * 1/√(1 − ρ) for neighbour correlation ρ, 3 for ρ = 0.89 (the lesions implanted into the real CTs with
 * the scanner's own noise grain, test/phantom-tools/implant.py, read 1.4-1.9); the fatty S1 body of
 * pelvic-ref-003 around its implanted lesion reads 4.4.
 */
const MAX_TEXTURE_RATIO = 3;
/**
 * Without bone around it, a lesion's grow and the region of maximum boundary contrast (two
 * delineations of one edge: a two-class grow on the raw values, a contrast maximum on the smoothed
 * copy) must agree within half the 10 % that Grow promises, the other half left to the partial-volume
 * estimate the panel shows (its band's fractions in textured marrow: test/segmentation/own-edge.test.ts
 * read +14 % for a grow 9 % over its contrast region). Where marrow texture next to the lesion reaches
 * its level they do not agree (fatty-thin-cortex.json C1: the contrast region takes in texture dips, 0.73-0.84).
 */
const OWN_SUPPORT_RATIO = 1.05;
/**
 * Robust SDs of the lesion's own noise that bound the window of a core of one tissue (step 9): 3 keep
 * 99.7 % of its voxels; a wider window reaches further into marrow texture at the lesion's level.
 */
const UNIFORM_SD = 3;
/** Rounds of re-reading the lesion's level and noise from its core (they settle in 2-3). */
const UNIFORM_ITERATIONS = 5;
/** Floor of the lesion's noise SD (HU): CT values are integers. */
const MIN_NOISE_HU = 1;
/**
 * Opening radius (mm) of a core of one tissue in textured marrow: the grain of fatty marrow's texture
 * (fat islands and trabecular gaps 1-3 mm across) against the radius of the smallest lesion Grow is for
 * (0.3 mL: 4.2 mm), which the opening leaves whole.
 */
const CORE_OPENING_MM = 2;
/**
 * Largest relative difference between a core's partial-volume volume (a mask inside the lesion's edge,
 * the transition beyond it integrated) and the voxel count of its outline at the midpoint level within
 * the edge's blur (partial-volume neutral): two readings of one edge, whose biases differ (the first
 * misses transition beyond the estimate's band, the second the curvature's 3σ²/r² and any marrow
 * voxel beyond the midpoint; marrow texture at the lesion's level that touches the core counts in the
 * first in full). Half the 10 % that Grow promises, as OWN_SUPPORT_RATIO.
 */
const CORE_EDGE_AGREEMENT = 0.05;
/**
 * Largest relative difference (larger / smaller − 1) between the volumes the panel would show for the
 * one-tissue path's two outlines at the midpoint level (step 9): the outline opened by CORE_OPENING_MM,
 * which Grow returns, and the outline without that opening. The opening takes off what is thinner than
 * 2 × CORE_OPENING_MM: marrow texture at the lesion's level touching it, but on thick slices also the
 * lesion's own cap slices (a ball of 2 mm is a disc on 3 mm slices, and it judges each slice alone).
 * The lesion's volume lies between the two readings when the first lacks only lesion and the second
 * adds only marrow; where they differ by no more than Grow's 10 %, either reading is within 10 % of
 * anything between them, and where they differ by more the click's evidence cannot tell how much of the
 * difference is lesion. Measured: pelvic-ref-003 P1 (1 × 1 × 3 mm) 6 %, fatty-lytic-body-2mm.json G1
 * (grown at −4.5 %) within 10 %; fatty-funnel.json Y1 / Y2 (0.8 × 0.8 × 3 mm, the opened outline −12 /
 * −21 % against the truth, its cap slices erased) 16 / 13 %, fatty-lytic-body-2mm.json G2 (0.9 × 0.9 × 2 mm,
 * −17.8 %) 12 %, fatty-textured-caps.json K2 (−25 %) 13 %.
 */
const OUTLINE_AGREEMENT = 0.1;
/**
 * A lesion bounded by its own edge in textured marrow (step 9): the share of its contrast by which the
 * midpoint bound is moved either way to read how gradual its edge is. For a step of contrast C blurred
 * by σ (Gaussian) on a lesion of radius r, the outline at the midpoint ± δ·C moves by ±√(2π)·σ·δ, so its
 * volume changes by ±3·√(2π)·δ·σ/r: the change over ±EDGE_PROBE·C gives σ/r. 5 %: small enough that the
 * profile is straight there (its slope at ±5 % of the contrast is within 2 % of the slope at its
 * midpoint), large enough to move hundreds of voxels on a 1 mL lesion.
 */
const EDGE_PROBE = 0.05;
/**
 * Largest undercount of a lesion's outline at the midpoint level that Grow leaves to stand where the
 * partial-volume estimate cannot restore it (step 9). A blurred convex edge's midpoint iso-surface lies
 * inside the true one by about σ²(κ1 + κ2)/2, a volume of ≈ 3σ²/r² for a ball (partial-volume.ts); that
 * estimate restores it by reading the band's fractions, which it does not in textured marrow (its
 * "Textured marrow" rule keeps the mask's answer). Half of the 10 % that Grow promises, the other half
 * left to the levels, as OWN_SUPPORT_RATIO. Measured 3σ²/r² (with σ/r from EDGE_PROBE): pelvic-ref-003
 * P4 2.9-3.9 % (grown, −1.1 %); fatty-thick4mm.json (PSF σ 1 mm, 4 mm slices) L3 8 % (grown before at
 * −17 %), L5 and L2 15-20 % (grown before at −11 % and −19 %).
 */
const EDGE_BIAS = 0.05;
/**
 * Step 8: the bound is set again at the midpoint of the partial-volume estimate's two levels where it moves by
 * more than this (HU): CT values are integers, and half a unit moves a 1-2 mL lesion's outline by well under
 * 1 % (fatty-thick4mm.json L3, 4 mm slices: 2.5 HU moved it by 11 %).
 */
const AROUND_REREAD_HU = 0.5;
/**
 * Step 8: largest relative difference (larger / smaller − 1) between the volumes shown for a lesion grown with the
 * level around read next to its edge and read beyond the reach of its blur. Where the true level lies between the
 * two readings (the first pulled toward the lesion by its blur, the second toward the denser tissue farther out),
 * so does the lesion's volume, and either volume is then within the 10 % Grow promises of it. Measured (partial
 * volume against the truth, first / second reading): fatty.json Y1 −1.0 / −1.0 %, Y2 −0.1 / −2.2, fatty-thick
 * T2 +1.5 / +2.7, fatty-oblique Q1 +4.8 / +2.3, fatty-cut-s2 Y2 −5.3 / −4.8, fatty-thick4mm L3 −10.0 / −2.4, L1 −7.6 /
 * +4.3 (refused: 13 % apart), fatty-thick4mm-cortex2 L1 0.0 / +8.1, L3 +2.0 / +13.9 (refused: 12 % apart), L5 −16.6 / −3.8
 * (refused). The bracket is no guarantee: behind a 1.2 mm PSF (fatty-soft-kernel.json L3 −11.1 / −9.8 %) both readings lie
 * low, the rest of the error being the blurred outline's own (partial-volume.ts: in textured marrow the estimate keeps it).
 */
const AROUND_AGREEMENT = 0.1;
/** Refusals after which a lytic CT click is tried once more as a lesion bounded by its own edge. */
const OWN_EDGE_AFTER: ReadonlySet<GrowProblem> = new Set(['outside-bone', 'unsupported', 'low-contrast', 'runs-on']);

/**
 * Tissue at the window beyond a gap in the cortex, as a share of the grown region, from which a
 * grow is refused as running through the cortex (a lesion's own extension outside the bone is
 * tens of per cent of it; partial-volume voxels of a gap edge against fat a few).
 */
const BREACH_SHARE = 0.1;
/**
 * A region cut at the enclosure's bridge over a gap in the cortex is a lesion's part inside the
 * bone when at most this share of its surface is the cut, the rest walled by bone (lesions breaking
 * out on breach-dense, breach-fatty and mixed.json: 0.02 for a 7 mm break, 0.12-0.20 for breaks as
 * wide as the lesion); a region open over more of its surface is not walled by bone (a pocket of
 * soft tissue in a hollow of the bone) and is refused.
 */
const MAX_CUT_SHARE = 0.3;
/**
 * Closing radius of the enclosure for a click in a break of the cortex too wide for the default
 * closing: a lesion breaking out leaves a gap about its own width (10-20 mm for the 0.5-4 mL lesions
 * of the source study). The closing's bridge over a gap of width w sags into the bone by
 * R − √(R² − w²/4), cutting the kept part short: for a 14 mm gap 2.9 mm at R = 10 mm, 1.2 mm at
 * 20 mm (breach-dense B1 and B2, in-bone part by the partial-volume estimate: −23 … −6 % at 10 mm,
 * −8 … +1 % at 20 mm).
 */
const WIDE_CLOSING_MM = 20;
/**
 * Rays (of 26) meeting bone within twice Grow's reach from which a click the bone does not enclose
 * is inside the bone (with a gap), and up to which it is soft tissue outside it (a click in muscle
 * next to the sacrum meets bone on about a third of its sides).
 */
const OPEN_BONE_RAYS = 18;
const SOFT_TISSUE_RAYS = 8;
/**
 * A region at a lesion's level that goes on farther than this from the click is the lumen a lesion
 * opens into, not the lesion (12 mm: the radius of a 7 mL ball, the source study's mean volume).
 */
const LUMEN_FAR_MM = 12;
/** Depth (mm) inside the run-on region from which its voxels give the lumen's level. */
const LUMEN_CORE_MM = 1.5;
/** The lesion's and the lumen's levels on the smoothed copy must differ by this many of the lumen's spreads there (the midpoint then lies 2 spreads from each: 2 % of either passes to the other side, and the opening removes them). */
const LUMEN_SEPARATION_SD = 4;
