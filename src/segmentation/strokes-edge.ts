/**
 * Edge support of a lesion grown from strokes (seeded-grow.ts): how much of its outline lies on an
 * image edge. A real lesion's boundary is where the image changes from the lesion's level to its
 * surroundings'; where the competitive grow ran into tissue at the lesion's own level that no stroke
 * marks as background (a disc, the canal's fat and fluid, fatty marrow: test/segmentation/
 * implanted-grow.test.ts), the outline there is only where the lesion's and the background's fronts
 * met, with the same tissue on both sides. The overrun warning (strokes-overrun.ts) catches a leak
 * that goes far past the strokes; this one also catches a leak that fills the region between them.
 *
 * For each boundary pair (a lesion voxel and a 6-neighbour outside it that is not another lesion's;
 * a background stroke or the region's border counts: the lesion stopped there, edge or not), a is read
 * one voxel further in and b one voxel further out along the pair's axis on the smoothed copy the
 * grow's costs read (1.2 mm; across a step edge that span of three voxels keeps about 80 % of the step,
 * erf(1.5 / (1.2 √2))). The pair lies on an edge when either
 *  - the image steps there: |a − b| ≥ EDGE_SD σ, σ the spread of the strokes' values on that copy
 *    (the grow's own σ: noise and texture as smoothed). Without an edge a − b is the difference of two
 *    values of SD at most σ each, so of SD at most √2 σ, and |a − b| < 2σ for at least 84 % of the
 *    pairs (|z| < √2 for a normal); or
 *  - the outside is of the background's level: b is nearer a background stroke's level than the
 *    lesion's, i.e. on the background's side of the midpoint the grow itself decides by. A lesion
 *    fainter than 2σ (a near-iso lesion in fatty marrow: 80 HU in 116 HU at σ 14) has its edge there.
 * On a surface where the two fronts met inside tissue of the lesion's level, b is of the lesion's level
 * and the step is noise, so most pairs there (about 0.84 × the share of b on the lesion's side of the
 * midpoint) are unsupported; at a real edge of either kind few are.
 *
 * The lesion is reported when more than MAX_UNSUPPORTED (30 %) of its outline is unsupported, i.e.
 * when a meeting surface makes up roughly 40 % of the outline or more; or when the unsupported pairs
 * add up to more than MAX_UNCERTAIN (20 %) of the lesion's voxels. Each such pair stands for a voxel
 * whose side the image does not tell (the outline there could as well run a voxel further in or
 * out), so the volume is uncertain by about half their sum either way: over 20 %, by more than the
 * ±10 % the tool aims at. On a small lesion on coarse voxels a modest share of the outline is already
 * that much of the volume (TotalSegmentator T1 on 3 mm voxels: 27 % of the outline, 57 % of the
 * voxels, 1.7 × the truth). An outline that mostly follows
 * the edges of a structure of the lesion's level next to it (a disc, the canal) and crosses it only
 * in a small cut is not reported by this check: its outline does lie on edges (see the figures in
 * test/segmentation/implanted-grow.test.ts).
 *
 * (A contrast test alone, without the second condition, reported every faint but correct lesion:
 * the fatty phantoms' near-iso lesions and an implanted lytic lesion on a real CT at 30-87 %.)
 *
 * Pure: no DOM.
 */
import type { Vec3 } from '../core/vec3';
import { directionWords } from './strokes-overrun';

/** Step (in σ of the smoothed copy) from which a boundary pair lies on an edge; see the module comment. */
export const EDGE_SD = 2;
/** Share of the outline without an edge above which the lesion is reported; see the module comment. */
export const MAX_UNSUPPORTED = 0.3;
/** Unsupported pairs per lesion voxel above which the lesion is reported (its volume uncertain by more than ±10 %); see the module comment. */
export const MAX_UNCERTAIN = 0.2;

export interface EdgeSupport {
  /** Share (0-1) of the lesion's boundary pairs on no edge (see the module comment). */
  unsupportedShare: number;
  /** Boundary pairs measured. */
  pairs: number;
  /** Unsupported pairs per lesion voxel: about twice the volume's uncertainty either way. */
  uncertainShare: number;
  /** Direction (patient words) from the lesion's centre to the centre of its unsupported outline. */
  towards: string;
}

/**
 * Edge support of the lesion (owner === 1) in a box: `seed` 3 for other lesions' voxels, `value` the smoothed copy, `sigma` the strokes'
 * spread on it, `levels` the lesion's and the background strokes' levels on it, `toLps` box index (i, j, k) to LPS.
 */
export function edgeSupport(owner: Uint8Array, seed: Uint8Array, dims: readonly [number, number, number], value: Float32Array, sigma: number, levels: { lesion: readonly number[]; background: readonly number[] }, toLps: (out: Vec3, i: number, j: number, k: number) => Vec3): EdgeSupport | null {
  const [bi, bj, bk] = dims;
  const bij = bi * bj;
  const strides = [1, bi, bij];
  const limit = EDGE_SD * sigma;
  const nearest = (v: number, ls: readonly number[]) => { let d = Infinity; for (const L of ls) d = Math.min(d, Math.abs(v - L)); return d; };
  const cAll: Vec3 = [0, 0, 0], cUn: Vec3 = [0, 0, 0];
  let nAll = 0, pairs = 0, unsupported = 0;
  for (let k = 0; k < bk; k++) for (let j = 0; j < bj; j++) for (let i = 0; i < bi; i++) {
    const n = i + bi * (j + bj * k);
    if (owner[n] !== 1) continue;
    cAll[0] += i; cAll[1] += j; cAll[2] += k; nAll++;
    const idx = [i, j, k];
    for (let a = 0; a < 3; a++) for (const s of [-1, 1]) {
      const q = idx[a]! + s, len = dims[a]!;
      if (q < 0 || q >= len) continue;
      const st = s * strides[a]!;
      const m = n + st;
      if (owner[m] === 1 || seed[m] === 3) continue;
      const inner = idx[a]! - s >= 0 && idx[a]! - s < len && owner[n - st] === 1 ? n - st : n;
      const outer = q + s >= 0 && q + s < len && owner[m + st] !== 1 ? m + st : m;
      pairs++;
      const b = value[outer]!;
      if (Math.abs(value[inner]! - b) < limit && nearest(b, levels.lesion) <= nearest(b, levels.background)) { unsupported++; cUn[0] += i; cUn[1] += j; cUn[2] += k; }
    }
  }
  if (pairs === 0) return null;
  let towards = '';
  if (unsupported > 0) {
    const a = toLps([0, 0, 0], cAll[0] / nAll, cAll[1] / nAll, cAll[2] / nAll);
    const b = toLps([0, 0, 0], cUn[0] / unsupported, cUn[1] / unsupported, cUn[2] / unsupported);
    const d: Vec3 = [b[0] - a[0], b[1] - a[1], b[2] - a[2]];
    const len = Math.hypot(d[0], d[1], d[2]);
    towards = len > 0 ? directionWords([d[0] / len, d[1] / len, d[2] / len]) : '';
  }
  return { unsupportedShare: unsupported / pairs, pairs, uncertainShare: unsupported / nAll, towards };
}

/** Whether the lesion's outline is too little supported by image edges to be trusted. */
export function edgeUnsupported(e: EdgeSupport | null | undefined): e is EdgeSupport {
  return !!e && (e.unsupportedShare > MAX_UNSUPPORTED || e.uncertainShare > MAX_UNCERTAIN);
}

/** The panel's words for an outline without edges. */
export function edgeMessage(e: EdgeSupport): string {
  const where = e.towards ? ` (towards ${e.towards})` : ' (all around)';
  return `${Math.round(100 * e.unsupportedShare)} % of this lesion's outline runs where the image shows no edge${where}, so its volume is uncertain by about ±${Math.round(50 * e.uncertainShare)} %: check it, add background strokes there or erase.`;
}
