/**
 * The sacrum as the region enclosed by its cortical shell (pure; LPS-aligned working grids, detect-grid.ts).
 *
 * Why not a threshold on the marrow: in elderly patients sacral marrow is fatty (about 0–150 HU, close to
 * soft tissue; ../shared/data/README.md) and the cortex is thin, so on a 1–3 mm CT the cortex of the
 * sacral body and alae is often only 90–150 HU and broken by partial volume, foramina and vascular
 * openings. What stays visible is that the cortex is a thin sheet brighter than the tissue on both sides.
 *
 * 1. cortexShell: dense bone (> denseHu) and thin bright ridges: the value minus its grey opening with a
 *    ball wider than the cortex (a white top-hat) exceeds a multiple of the image noise, measured on the
 *    image itself (noiseSigma). A step edge (fat against muscle) has no top-hat response; a sheet has.
 * 2. ballEnclosed: inside is what a ball cannot reach from outside without touching the shell, so gaps
 *    narrower than the ball are closed and wider openings stay open (a closing-type fill that adds nothing
 *    to the outer surface).
 * 3. fillInsideCortex: the shell is the thresholded sacrum and the ridges next to it, so the marrow of the
 *    sacrum is filled and that of its neighbours is not.
 */

import { labelComponents, squaredDistanceTo } from '../segmentation/morphology';
import type { ScalarVolume } from '../core/volume';
import { makeWorkGrid, resampleToWork, workToLps, type WorkGrid } from './detect-grid';

/** Robust noise SD of an image: MAD of (value − mean of its 6 neighbours) over soft-tissue voxels, rescaled (about 20 000 samples). */
export function noiseSigma(work: Float32Array, dims: readonly [number, number, number], loHu = -30, hiHu = 90): number {
  const [na, nb] = dims;
  const nab = na * nb;
  const vals = new Float32Array(20000);
  let k = 0;
  const stride = Math.max(1, Math.floor(work.length / 60000)) | 1; // odd, so the samples do not fall on one column
  for (let n = nab + na + 1; n < work.length - nab - na - 1 && k < vals.length; n += stride) {
    const v = work[n]!;
    if (v < loHu || v > hiHu) continue;
    const a = n % na;
    if (a === 0 || a === na - 1) continue;
    const m = (work[n - 1]! + work[n + 1]! + work[n - na]! + work[n + na]! + work[n - nab]! + work[n + nab]!) / 6;
    if (m < loHu || m > hiHu) continue;
    vals[k++] = Math.abs(v - m);
  }
  if (k < 100) return NaN;
  const used = vals.subarray(0, k).sort();
  // |N(0, σ²(1 + 1/6))| has median 0.6745·σ·√(7/6)
  return used[k >> 1]! / (0.6745 * Math.sqrt(7 / 6));
}

/**
 * Running minimum (or maximum) over a window of 2r+1 along one axis, into `out` (≠ src): r shifted passes
 * over contiguous memory in each direction, the window clipped at the grid's edges.
 */
function minMaxAxis(src: Float32Array, out: Float32Array, dims: readonly [number, number, number], axis: 0 | 1 | 2, r: number, max: boolean): void {
  const [na, nb, nc] = dims;
  out.set(src);
  // one shifted pass: out[i] takes src[i + d] and out[i + d] takes src[i], for i over `runs` runs of
  // `len` contiguous voxels starting `step` apart (min and max written out: no call in the inner loop);
  // along x a run is a row, along y a slab of rows, along z the whole volume
  const pass = (d: number, runs: number, step: number, len: number) => {
    for (let run = 0; run < runs; run++) {
      const o = run * step;
      if (max) {
        for (let i = o; i < o + len; i++) {
          const x = src[i + d]!, y = src[i]!;
          if (x > out[i]!) out[i] = x;
          if (y > out[i + d]!) out[i + d] = y;
        }
      } else {
        for (let i = o; i < o + len; i++) {
          const x = src[i + d]!, y = src[i]!;
          if (x < out[i]!) out[i] = x;
          if (y < out[i + d]!) out[i + d] = y;
        }
      }
    }
  };
  const nab = na * nb;
  for (let t = 1; t <= r; t++) {
    if (axis === 0) { if (t < na) pass(t, nb * nc, na, na - t); }
    else if (axis === 1) { if (t < nb) pass(t * na, nc, nab, (nb - t) * na); }
    else if (t < nc) pass(t * nab, 1, 0, (nc - t) * nab);
  }
}

/** Grey opening (erosion then dilation) with a (2r+1)³ box. */
export function greyOpening(work: Float32Array, dims: readonly [number, number, number], r: number): Float32Array {
  const a = new Float32Array(work.length), b = new Float32Array(work.length);
  minMaxAxis(work, a, dims, 0, r, false); minMaxAxis(a, b, dims, 1, r, false); minMaxAxis(b, a, dims, 2, r, false);
  minMaxAxis(a, b, dims, 0, r, true); minMaxAxis(b, a, dims, 1, r, true); minMaxAxis(a, b, dims, 2, r, true);
  return b;
}

export interface CortexShellOptions {
  /** Bone denser than this is shell whatever its surroundings (compact bone, sclerosis). */
  denseHu: number;
  /** A ridge must be denser than this (denser than muscle: not a fascia or a vessel wall in fat). */
  floorHu: number;
  /** Half-width of the opening box (mm): wider than the cortex, narrower than the marrow space. */
  openingMm: number;
  /** Ridge contrast over the opening, in noise SDs. */
  contrastSigmas: number;
  /** Smallest ridge contrast (HU) whatever the noise. */
  minContrastHu: number;
  /** fillInsideCortex drops pieces of ridge smaller than this (mL, 26-connected, within its reach of the sacrum). */
  minComponentMl: number;
}

export const DEFAULT_SHELL: CortexShellOptions = { denseHu: 200, floorHu: 60, openingMm: 2.5, contrastSigmas: 3, minContrastHu: 30, minComponentMl: 2 };

export function cortexShell(work: Float32Array, dims: readonly [number, number, number], h: number, o: CortexShellOptions = DEFAULT_SHELL): { shell: Uint8Array; sigma: number; contrastHu: number } {
  const r = Math.max(1, Math.round(o.openingMm / h));
  const open = greyOpening(work, dims, r);
  const sigma = noiseSigma(work, dims);
  const contrastHu = Math.max(o.minContrastHu, Number.isFinite(sigma) ? o.contrastSigmas * sigma : o.minContrastHu);
  const shell = new Uint8Array(work.length);
  for (let n = 0; n < work.length; n++) {
    const v = work[n]!;
    shell[n] = v > o.denseHu || (v > o.floorHu && v - open[n]! > contrastHu) ? 1 : 0;
  }
  return { shell, sigma, contrastHu };
}

/**
 * One distance buffer for the distance maps of one fill, each read to the end before the next is made: on the pancreas
 * scan's 3.6 M-voxel grid each new map was a 29 MB array (allocation, page faults and garbage collection).
 */
export class Scratch {
  private buf: Float64Array | null = null;
  take(n: number): Float64Array {
    if (!this.buf || this.buf.length < n) this.buf = new Float64Array(n);
    return this.buf;
  }
}

/** A box of a grid: its first voxel's indices and its size. */
interface GridBox { origin: [number, number, number]; dims: [number, number, number] }

/** The bounding box of the voxels set in `mask`, grown by `margin` voxels on every side and clipped to the grid; null when none is set. */
function boundingBox(mask: Uint8Array, dims: readonly [number, number, number], margin: number): GridBox | null {
  const [na, nb, nc] = dims;
  let a0 = na, a1 = -1, b0 = nb, b1 = -1, c0 = nc, c1 = -1;
  for (let c = 0, n = 0; c < nc; c++) for (let b = 0; b < nb; b++) {
    let first = -1, last = -1;
    for (let a = 0; a < na; a++, n++) if (mask[n]) { if (first < 0) first = a; last = a; }
    if (first < 0) continue;
    if (first < a0) a0 = first;
    if (last > a1) a1 = last;
    if (b < b0) b0 = b;
    if (b > b1) b1 = b;
    if (c < c0) c0 = c;
    c1 = c;
  }
  if (a1 < 0) return null;
  a0 = Math.max(0, a0 - margin); b0 = Math.max(0, b0 - margin); c0 = Math.max(0, c0 - margin);
  a1 = Math.min(na - 1, a1 + margin); b1 = Math.min(nb - 1, b1 + margin); c1 = Math.min(nc - 1, c1 + margin);
  return { origin: [a0, b0, c0], dims: [a1 - a0 + 1, b1 - b0 + 1, c1 - c0 + 1] };
}

/** The voxels of `src` (on a grid of `dims`) inside `box`, as a new array on the box. */
function cutBox(src: Uint8Array, dims: readonly [number, number, number], box: GridBox): Uint8Array {
  const [ba, bb, bc] = box.dims, [a0, b0, c0] = box.origin;
  const out = new Uint8Array(ba * bb * bc);
  for (let c = 0; c < bc; c++) for (let b = 0; b < bb; b++) {
    const row = a0 + dims[0] * (b0 + b + dims[1] * (c0 + c));
    out.set(src.subarray(row, row + ba), ba * (b + bb * c));
  }
  return out;
}

/**
 * The region a ball of radius `ballMm` cannot reach from the grid's border (or from `open`) without touching the shell:
 * the shell and everything it encloses, where gaps in the shell narrower than the ball's diameter count
 * as closed (thin or broken cortex, vascular openings) and wider openings (the canal's ends, the disc
 * space seen from the front, the pelvis around the bone) stay open. Two exact distance transforms.
 *
 * The world beyond the grid is open: the grid is padded by the ball's radius and one voxel, so a ball centred
 * outside the grid sweeps into bone that the grid's edge cuts open (an ilium beyond the crop). Only a box of that
 * padded grid is computed: the shell's bounding box and M = ⌊r/h⌋ + 1 voxels (≤ the padding) around it, which gives
 * the same result as the whole padded grid because
 *  - every shell voxel lies in the box, so the distances to the shell there are the whole grid's (squaredDistanceTo's
 *    indexOrigin: the same floating-point numbers);
 *  - each voxel of the box's faces lies M·h > r from the shell along one axis, and so does the straight line from it
 *    out to the padded grid's border: every face voxel is a ball centre reachable from the border, and a path from the
 *    border that enters the box enters it through one; the centres reachable in the box are the whole grid's;
 *  - a voxel of the shell's bounding box lies ≥ M·h > r from anything outside the box, so whether a reachable centre
 *    lies within r of it is decided inside the box;
 *  - a voxel outside the shell's bounding box (beyond it along some axis) is swept by the centre ⌊r/h⌋ voxels further
 *    out along that axis: that centre lies more than r from every shell voxel, on the outward line to the border;
 *    such voxels are never enclosed.
 * Distances are read only against r² (maxMm2). Pancreas-ct-cb-001's cut sacrum: the box is 1/10 of the padded
 * grid (94×145×264 voxels of 1.5 mm, the sacrum below the L5/S1 disc in its lowest 46 slices).
 */
export function ballEnclosed(shell: Uint8Array, dims: readonly [number, number, number], h: number, ballMm: number, scratch?: Scratch): Uint8Array {
  const p = Math.ceil(ballMm / h) + 1;
  const [na0, nb0, nc0] = dims;
  const out = new Uint8Array(na0 * nb0 * nc0);
  // the shell's bounding box (no shell: the ball reaches everywhere)
  const bbox = boundingBox(shell, dims, 0);
  if (!bbox) return out;
  const [a0, b0, c0] = bbox.origin, a1 = a0 + bbox.dims[0] - 1, b1 = b0 + bbox.dims[1] - 1, c1 = c0 + bbox.dims[2] - 1;
  const M = Math.min(p, Math.floor(ballMm / h) + 1);
  // the box in the unpadded grid's indices (it may reach up to p voxels beyond the grid, into the padding)
  const ba = a0 - M, bb = b0 - M, bc = c0 - M;
  const na = a1 - a0 + 1 + 2 * M, nb = b1 - b0 + 1 + 2 * M, nc = c1 - c0 + 1 + 2 * M;
  const pd: [number, number, number] = [na, nb, nc];
  const N = na * nb * nc;
  const nab = na * nb;
  const box = new Uint8Array(N);
  // grid rows a0..a1 copied (the shell lies there; the rest of the box's row is padding or shell-free)
  for (let c = c0; c <= c1; c++) for (let b = b0; b <= b1; b++) {
    const src = na0 * (b + nb0 * c);
    box.set(shell.subarray(src + a0, src + a1 + 1), (a0 - ba) + na * ((b - bb) + nb * (c - bc)));
  }
  const sp: [number, number, number] = [h, h, h];
  const r2 = ballMm * ballMm;
  const origin: [number, number, number] = [ba + p, bb + p, bc + p];
  const d2 = squaredDistanceTo(box, pd, sp, 1, { indexOrigin: origin, maxMm2: r2, ...(scratch ? { into: scratch.take(N) } : {}) });
  // the ball's centres reachable from the box's faces: a flood through the voxels farther than the
  // radius from the shell
  const reach = new Uint8Array(N);
  const queue = new Int32Array(N);
  let tail = 0;
  for (let c = 0, n = 0; c < nc; c++) for (let b = 0; b < nb; b++) for (let a = 0; a < na; a++, n++) {
    if (d2[n]! <= r2) continue;
    if (a === 0 || b === 0 || c === 0 || a === na - 1 || b === nb - 1 || c === nc - 1) { reach[n] = 1; queue[tail++] = n; }
  }
  for (let head = 0; head < tail; head++) {
    const n = queue[head]!;
    const c = (n / nab) | 0, r = n - c * nab, b = (r / na) | 0, a = r - b * na;
    let m: number;
    if (a > 0 && !reach[m = n - 1] && d2[m]! > r2) { reach[m] = 1; queue[tail++] = m; }
    if (a < na - 1 && !reach[m = n + 1] && d2[m]! > r2) { reach[m] = 1; queue[tail++] = m; }
    if (b > 0 && !reach[m = n - na] && d2[m]! > r2) { reach[m] = 1; queue[tail++] = m; }
    if (b < nb - 1 && !reach[m = n + na] && d2[m]! > r2) { reach[m] = 1; queue[tail++] = m; }
    if (c > 0 && !reach[m = n - nab] && d2[m]! > r2) { reach[m] = 1; queue[tail++] = m; }
    if (c < nc - 1 && !reach[m = n + nab] && d2[m]! > r2) { reach[m] = 1; queue[tail++] = m; }
  }
  // swept by the ball: within the radius of a reachable centre; only the shell's bounding box can be enclosed
  const dr = squaredDistanceTo(reach, pd, sp, 1, { indexOrigin: origin, maxMm2: r2, ...(scratch ? { into: scratch.take(N) } : {}) }); // (d2 is read no more)
  for (let c = c0; c <= c1; c++) for (let b = b0; b <= b1; b++) {
    const dst = na0 * (b + nb0 * c), src = (a0 - ba) + na * ((b - bb) + nb * (c - bc)) - a0;
    for (let a = a0; a <= a1; a++) out[dst + a] = dr[src + a]! > r2 ? 1 : 0;
  }
  return out;
}

/**
 * The sacrum filled inside its cortical shell. First the sacrum's own shell: its bone (`mask`, the thresholded
 * sacrum) and the cortical ridges within `nearMm` of it (the thin cortex of fatty marrow that the threshold
 * missed); everything a ball of `ballMm` cannot reach from outside without touching that shell is enclosed
 * (ballEnclosed); `share` is the part of it the mask holds already.
 * With `others` (the neighbouring bones: the ilia and L5 as the thresholded bone not given to the sacrum, or a
 * function that makes them, called only when needed) and a
 * share below `denseShare`, the shell of all the bones encloses as well the alae and lateral masses of a fatty
 * sacrum, which are closed laterally only by the sacral side of the SI joint, dense subchondral bone that the
 * threshold gives to the ilium: what all the bones enclose is shared out by depth (sharePerBone), and the
 * sacrum keeps what its own shell encloses.
 * Returns the filled mask (a superset of `mask`), how many voxels were added, the enclosed region of all the
 * bones (`enclosed`; the sacrum's own without `others`) and the share.
 */
export function fillInsideCortex(work: Float32Array, mask: Uint8Array, dims: readonly [number, number, number], h: number, o: { shell?: CortexShellOptions; nearMm: number; ballMm: number; others?: Uint8Array | (() => Uint8Array); denseShare?: number }): { filled: Uint8Array; enclosed: Uint8Array; added: number; share: number; contrastHu: number; sigma: number } {
  const N = mask.length;
  const so = o.shell ?? DEFAULT_SHELL;
  const sh = cortexShell(work, dims, h, so);
  // the shell of some bones: the bones and the ridges next to them; pieces of ridge smaller than
  // minComponentMl (26-connected, within reach of the bone) are dropped: calcified vessel walls, bowel wall
  // with contrast, noise; a bone's cortex is one large connected sheet
  const near2 = o.nearMm * o.nearMm;
  const minVox = (so.minComponentMl * 1000) / (h * h * h);
  // the ridges lie within nearMm of the bones: only the bones' bounding box and ⌈nearMm/h⌉ + 1 voxels around it
  // (beyond that every voxel is farther than nearMm from them along one axis) is computed; the distances there are
  // the whole grid's (squaredDistanceTo's indexOrigin), and a piece of ridge lies wholly inside it
  const nearVox = Math.ceil(o.nearMm / h) + 1;
  const scratch = new Scratch();
  const shellOf = (bones: Uint8Array): Uint8Array => {
    const shell = Uint8Array.from(bones);
    const box = boundingBox(bones, dims, nearVox);
    if (!box) return shell;
    const d2 = squaredDistanceTo(cutBox(bones, dims, box), box.dims, [h, h, h], 1, { indexOrigin: box.origin, maxMm2: near2, into: scratch.take(box.dims[0] * box.dims[1] * box.dims[2]) });
    const ridges = cutBox(sh.shell, dims, box);
    for (let n = 0; n < ridges.length; n++) if (ridges[n] && !(d2[n]! <= near2)) ridges[n] = 0;
    const { ids, sizes } = labelComponents(ridges, box.dims, 26);
    const [ba, bb, bc] = box.dims, [a0, b0, c0] = box.origin;
    for (let c = 0, m = 0; c < bc; c++) for (let b = 0; b < bb; b++) {
      const row = a0 + dims[0] * (b0 + b + dims[1] * (c0 + c));
      for (let a = 0; a < ba; a++, m++) if (ridges[m] && sizes[ids[m]!]! >= minVox) shell[row + a] = 1;
    }
    return shell;
  };
  const own = ballEnclosed(shellOf(mask), dims, h, o.ballMm, scratch);
  let inMask = 0, inOwn = 0;
  for (let n = 0; n < N; n++) if (own[n]) { inOwn++; if (mask[n]) inMask++; }
  const share = inMask / Math.max(1, inOwn);
  let filled = own, enclosed = own;
  if (o.others && share < (o.denseShare ?? 1)) {
    const others = typeof o.others === 'function' ? o.others() : o.others;
    // what the sacrum's own shell encloses is the sacrum's; the rest of what all the bones enclose goes to
    // the bone that reaches it first
    const bones = new Uint8Array(N);
    for (let n = 0; n < N; n++) bones[n] = mask[n] || others[n] ? 1 : 0;
    const shell = shellOf(bones);
    enclosed = ballEnclosed(shell, dims, h, o.ballMm, scratch);
    filled = sharePerBone(enclosed, shell, own, others, dims, h, scratch);
  }
  let added = 0;
  for (let n = 0; n < N; n++) {
    if (mask[n]) filled[n] = 1;
    else if (filled[n]) added++;
  }
  return { filled, enclosed, added, share, contrastHu: sh.contrastHu, sigma: sh.sigma };
}

/**
 * The part of the enclosed region (`enclosed`) that belongs to the sacrum (`own`: what the sacrum's own shell
 * encloses) rather than to the other bones (`others`): a marker flood on the depth below the shell (distance
 * to the nearest shell voxel), deepest first, a voxel reached along a path taking the shallowest depth on that
 * path as its level (first in, first out within a level). The marrow of the sacrum's lateral mass is deep
 * (an ala is 20–30 mm thick) and joined to the body's marrow without a cortex between them, so the sacrum
 * reaches it at depth; the ilium reaches it only across the SI joint or from its own wall, where the depth
 * is a voxel or two. The ilium's marrow, walled by its own cortex on every side, is entered by the ilium all
 * round at the same shallow level as by the sacrum across the joint, so it is shared out by distance: the
 * ilium's.
 */
function sharePerBone(enclosed: Uint8Array, shell: Uint8Array, own: Uint8Array, others: Uint8Array, dims: readonly [number, number, number], h: number, scratch: Scratch): Uint8Array {
  const N = enclosed.length;
  const [na, nb, nc] = dims;
  const nab = na * nb;
  const depth = squaredDistanceTo(shell, dims, [h, h, h], 1, { into: scratch.take(enclosed.length) });
  // levels: depth in quarter voxels (the distance map is exact; finer levels only order ties)
  const levelOf = (n: number) => Math.floor((4 * Math.sqrt(depth[n]!)) / h);
  let top = 0;
  for (let n = 0; n < N; n++) if (enclosed[n]) top = Math.max(top, levelOf(n));
  // one first-in-first-out queue per level, as linked lists through `next` (a voxel is queued once, when labelled)
  const head = new Int32Array(top + 1).fill(-1), tail = new Int32Array(top + 1).fill(-1);
  const next = new Int32Array(N);
  const push = (t: number, n: number) => { next[n] = -1; if (tail[t]! < 0) head[t] = n; else next[tail[t]!] = n; tail[t] = n; };
  const labels = new Uint8Array(N);
  for (let n = 0; n < N; n++) {
    if (own[n]) { labels[n] = 1; push(top, n); } else if (others[n]) { labels[n] = 2; push(top, n); }
  }
  for (let t = top; t >= 0; t--) {
    for (let n = head[t]!; n >= 0; n = next[n]!) {
      const l = labels[n]!;
      const c = (n / nab) | 0, r = n - c * nab, b = (r / na) | 0, a = r - b * na;
      for (let k = 0; k < 6; k++) {
        let m: number;
        if (k === 0) { if (a === 0) continue; m = n - 1; } else if (k === 1) { if (a === na - 1) continue; m = n + 1; } else if (k === 2) { if (b === 0) continue; m = n - na; } else if (k === 3) { if (b === nb - 1) continue; m = n + na; } else if (k === 4) { if (c === 0) continue; m = n - nab; } else { if (c === nc - 1) continue; m = n + nab; }
        if (labels[m] || !enclosed[m]) continue;
        labels[m] = l;
        const lm = levelOf(m);
        push(lm < t ? lm : t, m);
      }
    }
  }
  const out = new Uint8Array(N);
  for (let n = 0; n < N; n++) out[n] = labels[n] === 1 ? 1 : 0;
  return out;
}

/**
 * withEnclosedMarrow: cortical ridges within 5 mm of the thresholded bones belong to their shell; gaps
 * in the shell narrower than 12 mm (the ball's diameter) count as closed: vascular openings and
 * partial-volume breaks of a thin cortex are narrower; the pelvis around the bone and the canal where it is
 * wider stay open (the envelope fills the canal and the foramina anyway, planning/envelope.ts). Only what
 * lies deeper than 3 mm inside is added: the ball also bridges the mouths of grooves and notches of the
 * outer surface (between the sacral crests), which are not bone (with them the default phantom's envelope
 * changed enough that the planner test's brute force beat the planner by 0.85 mm on one path).
 * When the thresholded sacrum already holds at least 80 % of what the ball finds enclosed, the marrow is dense
 * and the rest is lumen and grooves: nothing is added (measured shares: default and hard phantoms 0.86 and
 * 0.84, tricky 0.87; fatty phantom 0.72, pelvic-ref-003 0.44, the pancreas scan 0.60, with the mask cut at the
 * L5/S1 disc).
 */
export const ENCLOSED_MARROW = { nearMm: 5, ballMm: 6, surfaceMm: 3, denseShare: 0.8 };
/** The ridge, ball and gap scales are millimetres: a grid finer than this only costs time. */
export const ENCLOSED_MARROW_SPACING_MM = 1.5;

/**
 * The thresholded sacrum `mask` on the working grid `g` (image `work`) with the marrow its cortex encloses
 * added (fillInsideCortex, on a grid of at least ENCLOSED_MARROW_SPACING_MM), on `g`. `others`: makes the
 * neighbouring bones on `g` (see fillInsideCortex; not called for dense marrow).
 */
export function withEnclosedMarrow(volume: ScalarVolume, g: WorkGrid, work: Float32Array, mask: Uint8Array, others?: () => Uint8Array): { mask: Uint8Array; added: number; share: number; message: string } {
  const hf = g.spacingMm;
  const hs = Math.max(hf, ENCLOSED_MARROW_SPACING_MM);
  const [na, nb, nc] = g.dims;
  let gs = g, ws = work, ms = mask;
  // nearest voxel of `g` for each voxel of the (coarser) enclosure grid
  let near: Int32Array | null = null;
  if (hs > hf) {
    gs = makeWorkGrid(g.originLps, workToLps(g, na - 1, nb - 1, nc - 1), hs);
    ws = resampleToWork(volume, gs, -1024, 1);
    ms = new Uint8Array(ws.length);
    near = new Int32Array(ws.length);
    const [sa, sb, sc] = gs.dims, r = hs / hf;
    for (let c = 0, n = 0; c < sc; c++) for (let b = 0; b < sb; b++) for (let a = 0; a < sa; a++, n++) {
      const ag = Math.min(na - 1, Math.round(a * r)), bg = Math.min(nb - 1, Math.round(b * r)), cg = Math.min(nc - 1, Math.round(c * r));
      near[n] = ag + na * (bg + nb * cg);
      ms[n] = mask[near[n]!]!;
    }
  }
  const othersOnGrid = others && (() => {
    const o = others();
    if (!near) return o;
    const os = new Uint8Array(near.length);
    for (let n = 0; n < near.length; n++) os[n] = o[near[n]!]!;
    return os;
  });
  const f = fillInsideCortex(ws, ms, gs.dims, hs, { ...ENCLOSED_MARROW, ...(othersOnGrid ? { others: othersOnGrid } : {}) });
  // dense marrow: the thresholded sacrum already holds what its cortex encloses, bar the lumen of the canal
  // and the foramina and the mouths of surface grooves; then nothing is added
  const share = f.share;
  if (share >= ENCLOSED_MARROW.denseShare) {
    return { mask, added: 0, share, message: `sacrum mask: the thresholded bone holds ${Math.round(100 * share)} % of what its cortex encloses (dense marrow): nothing added` };
  }
  // only what lies deeper than surfaceMm inside the filled sacrum: marrow behind the cortex, not the
  // mouths of the grooves and notches of the outer surface that the ball bridges as well
  // (depth inside the region every bone's cortex encloses: the sacrum's own border with an ilium or L5 is not
  // an outer surface)
  // (only the voxels added, filled and not in the mask, are tested: the box around them and ⌈surfaceMm/h⌉ + 1 voxels,
  // which holds every voxel within surfaceMm of them; the distances are the whole grid's, squaredDistanceTo's indexOrigin)
  const s2 = ENCLOSED_MARROW.surfaceMm * ENCLOSED_MARROW.surfaceMm;
  const addedNow = new Uint8Array(ms.length);
  for (let n = 0; n < ms.length; n++) addedNow[n] = f.filled[n] && !ms[n] ? 1 : 0;
  const box = boundingBox(addedNow, gs.dims, Math.ceil(ENCLOSED_MARROW.surfaceMm / hs) + 1);
  if (box) {
    const d2 = squaredDistanceTo(cutBox(f.enclosed, gs.dims, box), box.dims, [hs, hs, hs], 0, { indexOrigin: box.origin, maxMm2: s2 });
    const [ba, bb, bc] = box.dims, [a0, b0, c0] = box.origin, [sa, sb] = gs.dims;
    for (let c = 0, m = 0; c < bc; c++) for (let b = 0; b < bb; b++) {
      const row = a0 + sa * (b0 + b + sb * (c0 + c));
      for (let a = 0; a < ba; a++, m++) if (addedNow[row + a] && d2[m]! <= s2) f.filled[row + a] = 0;
    }
  }
  const out = Uint8Array.from(mask);
  let added = 0;
  if (gs === g) {
    for (let n = 0; n < out.length; n++) if (f.filled[n] && !out[n]) { out[n] = 1; added++; }
  } else {
    const [sa, sb, sc] = gs.dims, r = hf / hs;
    const ia = new Int32Array(na), ib = new Int32Array(nb);
    for (let a = 0; a < na; a++) ia[a] = Math.min(sa - 1, Math.round(a * r));
    for (let b = 0; b < nb; b++) ib[b] = sa * Math.min(sb - 1, Math.round(b * r));
    for (let c = 0, n = 0; c < nc; c++) {
      const oc = sa * sb * Math.min(sc - 1, Math.round(c * r));
      for (let b = 0; b < nb; b++) {
        const ob = oc + ib[b]!;
        for (let a = 0; a < na; a++, n++) if (!out[n] && f.filled[ob + ia[a]!]) { out[n] = 1; added++; }
      }
    }
  }
  const voxMl = (hf * hf * hf) / 1000;
  return { mask: out, added, share, message: `sacrum mask: the thresholded bone holds ${Math.round(100 * share)} % of what its cortex encloses (fatty marrow): ${(added * voxMl).toFixed(1)} mL of marrow enclosed by the cortex added (ridges ${Math.round(f.contrastHu)} HU over their surroundings; noise SD ${f.sigma.toFixed(1)} HU)` };
}
