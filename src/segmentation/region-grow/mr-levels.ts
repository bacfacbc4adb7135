/**
 * Region growing on MR and other non-HU images (region-grow.ts step 2): the lesion's level and the level
 * around it read at the boundary of maximum contrast around the click, and the checks of the grown edge
 * against that boundary (shareBeyondEdge, oppositeShare, trimToLocalMidpoint).
 */
import type { Vec3 } from '../../core/vec3';
import type { IndexBox } from '../labelmap';
import { gridMetric, metricLength2 } from '../grid';
import { smoothBox } from '../seed-model';
import { maxBoundaryContrastRegion } from '../boundary-contrast';
import { NOISE_SD } from '../own-edge';
import { visitNearMask, SURROUND_SMOOTH_MM, LEVEL_SMOOTH_MM, EDGE_PSF_MM, EDGE_REACH_SIGMAS } from './levels';
import { ballOffsets, erodeSparse, dilateSparse } from './mask-ops';

/** MR: the lesion's noise band below (dark lesion) or above (bright lesion) its level, in robust SDs (a Gaussian's 3 SD keep 99.7 %). */
const MR_NOISE_SD = 3;

/**
 * Trims a grown region's edge voxels to the midpoint between the lesion's level and the level of the
 * tissue next to each of them: the median of the voxels 1.5-3.5 mm outside the region (beyond the
 * edge's blur) within LOCAL_BACKGROUND_MM of the voxel. An edge voxel on that tissue's side of the
 * midpoint holds less than half lesion (for a symmetric blur the 50 % level lies on the true edge) and
 * is dropped; then the next layer is examined, at most EDGE_TRIM_LAYERS times. Returns `mask` itself
 * when nothing is trimmed.
 */
export function trimToLocalMidpoint(mask: Uint8Array, val: Float32Array, dims: [number, number, number], sp: Vec3, g: ReturnType<typeof gridMetric>, inBall: Uint8Array, lesionLevel: number): Uint8Array {
  const [bi, bj, bk] = dims;
  const bij = bi * bj;
  const shell = new Uint8Array(mask.length);
  let nShell = 0;
  visitNearMask(mask, dims, sp, 3.5, (n, dOut2) => { if (!mask[n] && dOut2 > 2.25 && dOut2 <= 12.25 && inBall[n]) { shell[n] = 1; nShell++; } });
  if (nShell < 8) return mask;
  const h = g.unitBallHalfExtent;
  const ri = Math.ceil(LOCAL_BACKGROUND_MM * h[0]), rj = Math.ceil(LOCAL_BACKGROUND_MM * h[1]), rk = Math.ceil(LOCAL_BACKGROUND_MM * h[2]);
  const r2 = LOCAL_BACKGROUND_MM * LOCAL_BACKGROUND_MM;
  const background = new Map<number, number>();
  const localLevel = (n: number): number => {
    const hit = background.get(n);
    if (hit !== undefined) return hit;
    const k = (n / bij) | 0, r = n - k * bij, j = (r / bi) | 0, i = r - j * bi;
    const xs: number[] = [];
    for (let dk = -rk; dk <= rk; dk++) {
      const c = k + dk;
      if (c < 0 || c >= bk) continue;
      for (let dj = -rj; dj <= rj; dj++) {
        const b = j + dj;
        if (b < 0 || b >= bj) continue;
        for (let di = -ri; di <= ri; di++) {
          const a = i + di;
          if (a < 0 || a >= bi) continue;
          const q = a + bi * (b + bj * c);
          if (shell[q] && metricLength2(g, di, dj, dk) <= r2) xs.push(val[q]!);
        }
      }
    }
    xs.sort((x, y) => x - y);
    const level = xs.length >= 8 ? xs[xs.length >> 1]! : NaN;
    background.set(n, level);
    return level;
  };
  let out = mask;
  for (let layer = 0; layer < EDGE_TRIM_LAYERS; layer++) {
    const drop: number[] = [];
    for (let n = 0; n < out.length; n++) {
      if (!out[n]) continue;
      const k = (n / bij) | 0, r = n - k * bij, j = (r / bi) | 0, i = r - j * bi;
      const edge = i === 0 || i === bi - 1 || j === 0 || j === bj - 1 || k === 0 || k === bk - 1 ||
        !out[n - 1] || !out[n + 1] || !out[n - bi] || !out[n + bi] || !out[n - bij] || !out[n + bij];
      if (!edge) continue;
      const b = localLevel(n);
      if (!Number.isNaN(b) && (val[n]! - (lesionLevel + b) / 2) * (lesionLevel - b) < 0) drop.push(n);
    }
    if (!drop.length) break;
    if (out === mask) out = mask.slice();
    for (const n of drop) out[n] = 0;
  }
  return out;
}
/**
 * Share of the tissue around a grown region (1.5-3.5 mm outside, on a 2 mm smoothed copy: its level,
 * not its noise) that lies beyond the lesion's own noise band (NOISE_SD robust SDs) on the side away
 * from the level around it: a region between two tissues, darker than one and brighter than the other.
 */
export function oppositeShare(mask: Uint8Array, val: Float32Array, dims: [number, number, number], sp: Vec3, inBall: Uint8Array, lesionLevel: number, aroundLevel: number, lesionSigma: number): number {
  const level = smoothBox(val, dims, sp, 2);
  const side = Math.sign(lesionLevel - aroundLevel);
  let n = 0, opp = 0;
  visitNearMask(mask, dims, sp, 3.5, (q, dOut2) => {
    if (mask[q] || !(dOut2 > 2.25 && dOut2 <= 12.25) || !inBall[q]) return;
    n++;
    if ((level[q]! - lesionLevel) * side > NOISE_SD * lesionSigma) opp++;
  });
  return n ? opp / n : 0;
}

/** Radius (mm) around an edge voxel within which the tissue next to it is read (a few voxels of the shell 1.5-3.5 mm out). */
const LOCAL_BACKGROUND_MM = 4;
/** Layers of edge voxels examined by trimToLocalMidpoint (the blur of an edge reaches one or two voxels in). */
const EDGE_TRIM_LAYERS = 2;

/** Share of `mask` (box-local) farther from `region` (box-local indices) than the reach of an edge's blur along each axis. */
export function shareBeyondEdge(mask: Uint8Array, region: Int32Array, dims: [number, number, number], sp: Vec3): number {
  const reach = [0, 1, 2].map((a) => Math.round((EDGE_REACH_SIGMAS * Math.sqrt(EDGE_PSF_MM ** 2 + sp[a]! ** 2 / 12)) / sp[a]!));
  const off: number[] = [];
  const [ri, rj, rk] = reach as [number, number, number];
  for (let dk = -rk; dk <= rk; dk++) for (let dj = -rj; dj <= rj; dj++) for (let di = -ri; di <= ri; di++) {
    const e = (ri ? (di / ri) ** 2 : 0) + (rj ? (dj / rj) ** 2 : 0) + (rk ? (dk / rk) ** 2 : 0);
    if ((di || dj || dk) && e <= 1 + 1e-9) off.push(di, dj, dk, di + dims[0] * (dj + dims[1] * dk));
  }
  const reg = new Uint8Array(mask.length);
  for (const n of region) reg[n] = 1;
  const near = dilateSparse(reg, dims, Int32Array.from(off));
  let n = 0, out = 0;
  for (let q = 0; q < mask.length; q++) if (mask[q]) { n++; if (!near[q]) out++; }
  return n ? out / n : 0;
}

/** MR: the opening radius of the grow (the lytic/custom default), also used to tell joinable tissue from noise around the lesion. */
const MR_OPENING_MM = 1.0;

interface MrLevels { window: [number, number]; lesionLevel: number; aroundLevel: number; lesionSigma: number; passRaw: number; passOpen: number; shellVoxels: number; region: Int32Array }

/**
 * MR (no tissue level can be assumed): the lesion's level and the level of the tissue around it,
 * read at the boundary of maximum median contrast around the click (boundary-contrast.ts, as for
 * lytic CT lesions on fatty marrow), for a lesion darker than its surroundings (T1: a metastasis in
 * fatty marrow) and for one brighter (T2); the side whose region closes within the search ball with
 * the larger contrast wins. The bound towards the tissue around is the midpoint of the two levels:
 * for a symmetric point-spread function the 50 % iso-level of a blurred step lies on the true edge,
 * so the partial-volume voxels of the edge (a whole 3 mm slice's worth on a thick-slice series) are
 * split fairly. A window of the neighbourhood's level ± 3 noise SD instead stops a third of the way
 * to the edge and keeps 20-70 % too little (t1-like.json). The other bound is the lesion's own
 * noise band (MR_NOISE_SD robust SDs of its interior), which keeps out darker (brighter) tissue
 * such as cortex. Values are scaled to tenths of the neighbourhood's noise SD for the contrast
 * histogram, so the method does not depend on the scanner's signal scale.
 * Null when no region closes within the ball (the neighbourhood window then decides).
 */
export function measureMrLevels(val: Float32Array, dims: [number, number, number], sp: Vec3, inBall: Uint8Array, g: ReturnType<typeof gridMetric>,
  seed: Vec3, box: IndexBox, rim2: number, seedLocal: number, near: { median: number; sigma: number }, minVoxels: number): MrLevels | null {
  const [bi, bj, bk] = dims;
  const unit = Math.max(near.sigma, 1e-3 * (Math.abs(near.median) + 1)) / 10;
  const rim = new Uint8Array(val.length);
  let n = 0;
  for (let k = 0; k < bk; k++) for (let j = 0; j < bj; j++) for (let i = 0; i < bi; i++, n++)
    if (inBall[n] && metricLength2(g, i + box[0] - seed[0], j + box[1] - seed[1], k + box[2] - seed[2]) > rim2) rim[n] = 1;
  let best: MrLevels | null = null, bestContrast = -Infinity;
  const openBall = ballOffsets(g, MR_OPENING_MM, dims);
  // the copies for the brighter-lesion side are the negated copies of the darker side's: (−v)/u and
  // the (linear) smoothing of it are bit-exact negations, so each smoothing runs once
  const rawPos = new Float32Array(val.length);
  for (let t = 0; t < val.length; t++) rawPos[t] = val[t]! / unit;
  const smPos = smoothBox(rawPos, dims, sp, SURROUND_SMOOTH_MM);
  let levelPos: Float32Array | null = null;
  for (const sign of [1, -1]) {
    const raw = sign > 0 ? rawPos : rawPos.map((x) => -x);
    const sm = sign > 0 ? smPos : smPos.map((x) => -x);
    const low = (sign * near.median) / unit - MR_NOISE_SD * 10;
    const bc = maxBoundaryContrastRegion(raw, sm, dims, sp, inBall, rim, seedLocal, low, minVoxels, val.length);
    if (!bc || bc.reachedRim || !(bc.shell.median > bc.lesion.median) || !(bc.contrast > bestContrast)) continue;
    const L = bc.lesion.median, B = bc.shell.median;
    const lo = L - MR_NOISE_SD * Math.max(bc.lesion.sigma, 10 * 1e-3), hi = (L + B) / 2;
    // the tissue around that would pass as lesion, counted where that tissue's level (2 mm smoothed)
    // lies beyond the bound, as on CT: thin dark lines (cortex, an endplate) between the lesion and
    // the marrow beyond, whose values cross the window on their way down, do not count
    levelPos ??= smoothBox(rawPos, dims, sp, LEVEL_SMOOTH_MM);
    const level = sign > 0 ? levelPos : levelPos.map((x) => -x);
    // only pieces of passing tissue that survive Grow's opening can join the lesion (single noisy
    // voxels do not); real marrow's fatty patches are such pieces
    const passing = new Uint8Array(val.length);
    for (let t = 0; t < val.length; t++) { const x = raw[t]!; if (inBall[t] && x >= lo && x <= hi) passing[t] = 1; }
    const opened = dilateSparse(erodeSparse(passing, dims, openBall), dims, openBall);
    let pass = 0, passOpen = 0, nAround = 0;
    for (const q of bc.shell.voxels) {
      if (level[q]! <= hi) continue;
      nAround++;
      if (passing[q]) pass++;
      if (opened[q]) passOpen++;
    }
    if (nAround < minVoxels) continue;
    const win: [number, number] = sign > 0 ? [lo * unit, hi * unit] : [-hi * unit, -lo * unit];
    bestContrast = bc.contrast;
    best = { window: win, lesionLevel: sign * L * unit, aroundLevel: sign * B * unit, lesionSigma: bc.lesion.sigma * unit, passRaw: pass / nAround, passOpen: passOpen / nAround, shellVoxels: nAround, region: bc.region };
  }
  return best;
}
