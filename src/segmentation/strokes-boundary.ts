/**
 * The outline of a lesion grown from strokes (seeded-grow.ts), drawn back to the local half-level: the
 * midpoint between the lesion's level and the level of the tissue right outside it, read where that
 * tissue is, not under the background strokes.
 *
 * Why: the competitive grow's fronts meet where a voxel's evidence changes sign, i.e. at the midpoint
 * between the lesion's level and the background level the grow uses there (the stretch of background
 * stroke nearest to the voxel, or the strokes' level). The strokes lie a brush width or more outside
 * the lesion, and the tissue next to a lesion often reads otherwise than the tissue under them: on
 * ProstateX with a fluid-bright lesion implanted (M1, 967; test/segmentation/implanted-grow.test.ts)
 * the marrow beside the lesion has fatty patches near 650-700, the strokes read 375. The edge's partial
 * voxels, v = (1 − f)·B + f·L with B the tissue the lesion displaces, are then judged against the
 * wrong midpoint: a voxel a quarter to half covered (f 0.25-0.5) reads nearer L than that midpoint
 * and is taken (measured on M1: 37 such voxels and 24 less covered ones in a mask of 762 voxels, the
 * mask +12.3 % where a mask at the half-coverage edge is +2.7 %). A voxel is the lesion's when at least
 * half of it is lesion, f ≥ ½, i.e. when its value lies on L's side of (L + B)/2 with B the tissue
 * right outside.
 *
 * How: per voxel of the lesion's outermost layer, B is the median of the raw values of the ring of
 * voxels RING_MM out from the lesion (along 6-neighbour steps, at least two layers) within REACH_MM
 * (at least two voxels per axis) of it: past the edge's partial voxels and the scanner's blur, so that
 * B is the tissue's and not pulled toward L; a median over that stretch averages the marrow's texture
 * (fat islands, trabeculae) and is not moved by a bit of cortex. Only the ring's values on the side of
 * L the voxel's own value departs to count: that is the tissue the voxel blends with, and where the
 * ring crosses tissues on both sides of L (marrow and the fat beyond a cortical break, breach-fatty.json
 * B4) their median would be neither (B4 −3.8 → −8.4 % when read over both). The outermost voxel, on the copy the
 * grow's costs read (so that the grow's and this decision see the same value), goes back to the
 * background when it lies on B's side of (L + B)/2, L the nearest lesion level; twice, so that the
 * outline can move in by up to two voxels. Only where the two decisions can differ for the level, not
 * for the noise:
 *  - only voxels the grow's own evidence gave to the lesion (a voxel it took against its evidence,
 *    along a path, stays its decision);
 *  - only where B lies nearer L than the grow's background level on that side by more than σ (the
 *    strokes' pooled spread; within that the two midpoints differ by less than σ/2 and the noise
 *    decides either way), and at least σ from L (a lesion that breaks into muscle of its own level, an
 *    iso-dense lesion: the image does not tell the two apart, and the outline the strokes set stays).
 *
 * Only inward: a voxel added to the lesion would move the ring out by a voxel, and where the marrow's
 * level changes with the distance from the lesion (pelvic-ref-003 P1: about 55 HU at its edge, 79 HU
 * 2 mm and 101 HU 3 mm out) the next B would be read farther out and the outline would creep outward
 * (measured with both ways allowed: P1 +19 → +62 %, P4 −5 → +14 %).
 *
 * Pure: no DOM.
 */
import { kthSmallest } from '../core/select';

/**
 * Half-width (mm; at least two voxels per axis) of the box around an outline voxel over which the tissue right outside is
 * read: about the grain of fatty marrow's texture (fat islands 1-3 mm), so that a median over it reads the tissue, not one island.
 */
export const REACH_MM = 3;
/**
 * How far outside the lesion (mm along 6-neighbour steps from its outermost voxels' centres, and at
 * least two layers) the tissue right outside is read: past the edge's partial voxels (the first
 * layer: up to half lesion) and past the reach of the scanner's blur (a Gaussian PSF of 0.6 mm, the
 * softer kernel of the phantoms here, leaves under 1 % of the step 2.33 σ = 1.4 mm beyond the
 * surface; the outermost voxel's centre lies up to half a voxel, 0.5 mm on a 1 mm grid, inside it).
 * 2 mm: the second layer on 1 mm and coarser grids, the third on 0.7-0.9 mm, the fourth at 0.63 mm.
 */
export const RING_MM = 2;
/** Layers searched for the ring (the fourth reaches 2 mm on grids down to 0.5 mm). */
const MAX_LAYERS = 5;
/** Fewest ring voxels that give a level (a median over fewer is the texture's, not the tissue's). */
const MIN_SAMPLES = 8;

/**
 * Draws the outline of `owner` (1 lesion, 2 background; changed in place) back to the local
 * half-level; returns the number of voxels given back. `seed`: 1/2 strokes and the box border (kept),
 * 3 other lesions; `value` the copy the grow's costs read, `evidence` the grow's evidence per voxel
 * (> 0 for the lesion), `raw` the image, `levels` the lesion's levels, `backgroundLevels` the
 * strokes' levels, `localBackground` the level of the background painted next to each voxel (NaN
 * where none), `sigma` the strokes' pooled spread.
 */
export function placeAtLocalHalfLevel(owner: Uint8Array, seed: Uint8Array, dims: readonly [number, number, number], spacingMm: readonly number[], value: Float32Array, evidence: Float32Array, raw: Float32Array, levels: readonly number[], backgroundLevels: readonly number[], localBackground: Float32Array | null, sigma: number, passes = 2): number {
  const [bi, bj, bk] = dims;
  const bij = bi * bj, nb = bi * bj * bk;
  const layer = new Uint8Array(nb); // 1: first layer outside, 2: second
  const reach = [0, 1, 2].map((a) => Math.max(2, Math.ceil(REACH_MM / spacingMm[a]!)));
  const scratch = new Float64Array((2 * reach[0]! + 1) * (2 * reach[1]! + 1) * (2 * reach[2]! + 1));
  const nbr = new Int32Array(6);
  const dist = new Float32Array(nb); // mm from the lesion along 6-neighbour steps, on the layers outside
  const axisOf = (st: number) => (st === 1 || st === -1 ? 0 : st === bi || st === -bi ? 1 : 2);
  /** The 6-neighbours of n inside the box, into nbr; returns their number. */
  const neighbours = (n: number): number => {
    const k = (n / bij) | 0, r = n - k * bij, j = (r / bi) | 0, i = r - j * bi;
    let c = 0;
    if (i > 0) nbr[c++] = n - 1; if (i < bi - 1) nbr[c++] = n + 1;
    if (j > 0) nbr[c++] = n - bi; if (j < bj - 1) nbr[c++] = n + bi;
    if (k > 0) nbr[c++] = n - bij; if (k < bk - 1) nbr[c++] = n + bij;
    return c;
  };
  // the first pass looks at every voxel of the lesion's outermost layer; a later one only at those a
  // voxel given back has laid open (elsewhere the outline and its second layer are as they were)
  let candidates: Iterable<number> | null = null;
  let moved = 0;
  for (let pass = 0; pass < passes; pass++) {
    const shell: number[] = [];
    const first: number[] = [];
    const consider = (n: number) => {
      if (owner[n] !== 1) return;
      let edge = false;
      for (let c = neighbours(n), t = 0; t < c; t++) {
        const m = nbr[t]!;
        if (owner[m] !== 1 && seed[m] !== 3) { edge = true; const d = spacingMm[axisOf(m - n)]!; if (!layer[m]) { layer[m] = 1; first.push(m); dist[m] = d; } else if (d < dist[m]!) dist[m] = d; }
      }
      if (edge) shell.push(n);
    };
    if (candidates === null) { for (let n = 0; n < nb; n++) consider(n); }
    else for (const n of candidates) consider(n);
    // the second layer: over the whole outline (its stretch near a candidate may lie beyond the candidates' own first layer)
    if (candidates !== null) for (let n = 0; n < nb; n++) if (owner[n] === 1) for (let c = neighbours(n), t = 0; t < c; t++) { const m = nbr[t]!; if (owner[m] !== 1 && seed[m] !== 3) { const d = spacingMm[axisOf(m - n)]!; if (!layer[m]) { layer[m] = 1; first.push(m); dist[m] = d; } else if (d < dist[m]!) dist[m] = d; } }
    // layers outward from the first (6-neighbour steps, each its spacing in mm) until a voxel lies at
    // least two layers and RING_MM out: that voxel is the ring (2), the others in between are marked 1
    const touched: number[] = [...first];
    let front = first;
    for (let l = 2; l <= MAX_LAYERS && front.length; l++) {
      const grown: number[] = [];
      for (const n of front) {
        const k = (n / bij) | 0, r = n - k * bij, j = (r / bi) | 0, i = r - j * bi;
        const steps = [i > 0 ? -1 : 0, i < bi - 1 ? 1 : 0, j > 0 ? -bi : 0, j < bj - 1 ? bi : 0, k > 0 ? -bij : 0, k < bk - 1 ? bij : 0];
        for (let t = 0; t < 6; t++) {
          const st = steps[t]!;
          if (!st) continue;
          const m = n + st;
          if (owner[m] === 1 || seed[m] === 3) continue;
          const d = dist[n]! + spacingMm[t >> 1]!;
          if (layer[m]) { if (layer[m] === 2 || d >= dist[m]!) continue; }
          else touched.push(m);
          dist[m] = d;
          if (d >= RING_MM) layer[m] = 2; else { if (!layer[m]) grown.push(m); layer[m] = 1; }
        }
      }
      front = grown;
    }
    // the ring's voxels by row (k, j), in ascending i: a shell voxel's box is read row by row from
    // these lists instead of voxel by voxel (a ring is a surface: a row of the box crosses it at a
    // few voxels, where the box holds (2 r + 1)³ of them: on the bench's 0.7 mm grid 847 reads per
    // outline voxel, most of a stroke's time in this step)
    const ringVox = Int32Array.from(touched.filter((n) => layer[n] === 2)).sort();
    const rowStart = new Int32Array(bj * bk + 1);
    for (const n of ringVox) rowStart[((n / bi) | 0) + 1]!++;
    for (let r = 0; r < bj * bk; r++) rowStart[r + 1]! += rowStart[r]!;
    const flip: number[] = [];
    for (const n of shell) {
      // (strokes keep their side; where the grow's own evidence already said background, its decision stands)
      if (seed[n] !== 0 || evidence[n]! < 0) continue;
      const x = value[n]!;
      let L = levels[0]!;
      for (const y of levels) if (Math.abs(x - y) < Math.abs(x - L)) L = y;
      const side = x - L;
      if (side === 0) continue;
      const k = (n / bij) | 0, r = n - k * bij, j = (r / bi) | 0, i = r - j * bi;
      let m = 0;
      const a0 = i - reach[0]!, a1 = i + reach[0]!;
      for (let c = Math.max(0, k - reach[2]!); c <= Math.min(bk - 1, k + reach[2]!); c++) for (let b = Math.max(0, j - reach[1]!); b <= Math.min(bj - 1, j + reach[1]!); b++) {
        const row = b + bj * c, base = bi * row;
        for (let t = rowStart[row]!, e = rowStart[row + 1]!; t < e; t++) {
          const o = ringVox[t]!, a = o - base;
          if (a < a0) continue;
          if (a > a1) break;
          if ((raw[o]! - L) * side > 0) scratch[m++] = raw[o]!;
        }
      }
      if (m < MIN_SAMPLES) continue;
      const B = kthSmallest(scratch, m, m >> 1);
      if (Math.abs(B - L) < sigma) continue;
      // only where the tissue outside reads nearer the lesion than the strokes' background on its side, by more than σ
      // (the grow's: the background painted next to the voxel where there is one on that side, else the strokes' level nearest L)
      let Bg = Infinity;
      const b = localBackground ? localBackground[n]! : NaN;
      if (b === b && (b - L) * (B - L) > 0) Bg = b;
      else for (const m of backgroundLevels) if ((m - L) * (B - L) > 0 && Math.abs(m - L) < Math.abs(Bg - L)) Bg = m;
      if (Bg !== Infinity && Math.abs(B - L) > Math.abs(Bg - L) - sigma) continue;
      if (Math.abs(x - L) > Math.abs(x - B)) flip.push(n);
    }
    // clear the layers for the next pass
    for (const n of touched) layer[n] = 0;
    if (!flip.length) break;
    const next = new Set<number>();
    for (const n of flip) { owner[n] = 2; for (let c = neighbours(n), t = 0; t < c; t++) next.add(nbr[t]!); }
    moved += flip.length;
    candidates = next;
  }
  return moved;
}
