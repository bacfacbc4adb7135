/**
 * The marrow spaces that mark the sacrum and the ilia at the SI joints (pure; LPS-aligned working grid,
 * detect-grid.ts).
 *
 * Where the SI joint has no gap (an ankylosed or fused joint of an elderly patient, or a joint thinner than a voxel)
 * nothing darker than the marrow marks it: the iliac articular cortex lies on the sacral one, one bright plate
 * between the two marrows. What a closed joint keeps is that plate: each bone's marrow is walled by its own
 * cortex, and the sacrum's (the bodies and alae, one space joined on the midline) and each ilium's are separate
 * spaces of bone. So the marrow, the filled bone darker than compact bone (PLATE_HU), is cut into its spaces, and
 * a space is the sacrum's where it holds the body (the most voxels within `innerMm` of the midline) and an
 * ilium's where it reaches farther from the midline than any sacrum (`outerMm`, the fused-core rule of
 * sacrum-mask.ts) and holds none of the body.
 *
 * The ilium's marrow reaches the crop's lateral faces (the fine grid stops 10 mm beyond the sacrum, detect.ts), so a
 * hole fill leaves it open there, and fatty marrow (below the bone threshold) is then not in the filled bone at all:
 * the bone is filled again with those faces as walls (`closedFaces`).
 *
 * A plate of two cortices (2 × 0.8 mm on the osteopenic phantom) crossed obliquely by the grid is broken here and
 * there where partial volume and noise pull a voxel below PLATE_HU: the marrow is first eroded by one voxel (its
 * 6-neighbourhood), which closes such single-voxel holes and leaves the marrow spaces of the body and ala
 * (10–30 mm across) whole; the spaces grow back into the marrow afterwards (the flood of sacrum-mask.ts).
 *
 * Where the body's space reaches beyond `outerMm` (a joint bridged by trabecular bone, as in bony ankylosis, or a
 * plate with holes wider than a voxel) the plate does not part the bones, and where it stops short of the alae (dense
 * marrow above PLATE_HU, or fatty marrow the fill left out) it shows nothing of the joint: the reason is returned,
 * and the caller keeps its distance markers.
 */
import { fillHolesMask, labelComponents } from '../segmentation/morphology';
import { DEFAULT_SHELL } from './enclosure';
import type { WorkGrid } from './detect-grid';

/**
 * Filled bone brighter than this is cortex (or a subchondral plate), not marrow: the shell's dense-bone bound
 * (enclosure.ts DEFAULT_SHELL.denseHu, compact bone whatever its surroundings). Fatty and osteopenic marrow is
 * 0–150 HU (../shared/data/README.md); a two-cortex plate partial-volumed over a millimetre voxel stays above it
 * (osteopenic phantom: 450 HU cortex, plate voxels 200–420 HU).
 */
export const PLATE_HU = DEFAULT_SHELL.denseHu;

export interface FusedCompartments {
  /** Per voxel of the grid: 1 = the sacrum's marrow space, 2 = an ilium's, 0 = neither (cortex, small spaces, outside). */
  labels: Uint8Array;
  /** Voxels of the sacrum's and the ilia's spaces (eroded, before they grow back by a voxel). */
  sacrumVox: number;
  iliumVox: number;
  /** How far from the midline the sacrum's space reaches (mm): the joint's distance. */
  sacrumReachMm: number;
}

/**
 * The marrow spaces of `filled` (the filled bone, `work` the image) that mark the sacrum and the ilia on a grid
 * whose midline plane is a = `midlineA` (see the top of this file); where they mark nothing, why: no space holds the
 * body, the body's space stops within `innerMm` of the midline (it holds no ala, so whether a plate parts the alae from
 * the ilia is not seen), or it reaches beyond `outerMm` (the plate does not part the bones).
 */
export function fusedCompartments(work: Float32Array, filled: Uint8Array, bone: Uint8Array, g: WorkGrid, midlineA: number, innerMm: number, outerMm: number, closedFaces: readonly [boolean, boolean] = [false, false]): FusedCompartments | string {
  const [na, nb, nc] = g.dims;
  const nab = na * nb, N = work.length, h = g.spacingMm;
  const walled = closedFaces[0] || closedFaces[1] ? fillHolesMask(bone, g.dims, closedFaces) : null;
  const marrow = new Uint8Array(N);
  for (let n = 0; n < N; n++) marrow[n] = (filled[n] || (walled && walled[n])) && work[n]! <= PLATE_HU ? 1 : 0;
  // eroded by one voxel (6-neighbourhood; the grid's faces count as marrow, so a space cut by the crop stays whole)
  const core = new Uint8Array(N);
  for (let c = 0, n = 0; c < nc; c++) for (let b = 0; b < nb; b++) for (let a = 0; a < na; a++, n++) {
    if (!marrow[n]) continue;
    if ((a > 0 && !marrow[n - 1]) || (a < na - 1 && !marrow[n + 1]) || (b > 0 && !marrow[n - na]) || (b < nb - 1 && !marrow[n + na])
      || (c > 0 && !marrow[n - nab]) || (c < nc - 1 && !marrow[n + nab])) continue;
    core[n] = 1;
  }
  const { ids, sizes } = labelComponents(core, g.dims, 6);
  const nComp = sizes.length - 1;
  // per space: its voxels within innerMm of the midline (the body), and its farthest reach from the midline
  const inner = new Float64Array(nComp + 1), reach = new Float64Array(nComp + 1);
  for (let c = 0, n = 0; c < nc; c++) for (let b = 0; b < nb; b++) for (let a = 0; a < na; a++, n++) {
    const id = ids[n]!;
    if (!id) continue;
    const dx = Math.abs(a - midlineA) * h;
    if (dx <= innerMm) inner[id]!++;
    if (dx > reach[id]!) reach[id] = dx;
  }
  // the sacrum's space: the one with the most of the body
  let body = 0;
  for (let id = 1; id <= nComp; id++) if (inner[id]! > (inner[body] ?? 0)) body = id;
  const ml = (h * h * h) / 1000;
  if (!body) return 'no marrow space holds the body (marrow as dense as cortex)';
  // a space that stops within the body marker marks nothing the distance markers do not, and parts nothing: the alae's
  // marrow is not in it (dense marrow, or fatty marrow the fill left out), so where it goes is unknown
  if (reach[body]! <= innerMm) return `the body's marrow space (${(sizes[body]! * ml).toFixed(0)} mL) stops ${reach[body]!.toFixed(0)} mm from the midline, short of the alae (marrow as dense as cortex, or not filled)`;
  if (reach[body]! >= outerMm) return `the body's marrow space reaches ${reach[body]!.toFixed(0)} mm from the midline: no cortical plate parts it from the bone beyond ${outerMm} mm (a joint bridged by bone, or a plate open wider than a voxel)`;
  const labels = new Uint8Array(N);
  let sacrumVox = 0, iliumVox = 0;
  for (let n = 0; n < N; n++) {
    const id = ids[n]!;
    if (!id) continue;
    if (id === body) { labels[n] = 1; sacrumVox++; }
    else if (reach[id]! >= outerMm && !inner[id]) { labels[n] = 2; iliumVox++; }
  }
  // grown back by the voxel the erosion took, within the marrow: the spaces reach their own cortex, whose side of
  // the plate they so mark before any flood runs (a marrow voxel next to both spaces, a hole in the plate, stays 0)
  const grown = Uint8Array.from(labels);
  for (let c = 0, n = 0; c < nc; c++) for (let b = 0; b < nb; b++) for (let a = 0; a < na; a++, n++) {
    if (!marrow[n] || labels[n]) continue;
    let seen = 0;
    if (a > 0) seen |= labels[n - 1]!;
    if (a < na - 1) seen |= labels[n + 1]!;
    if (b > 0) seen |= labels[n - na]!;
    if (b < nb - 1) seen |= labels[n + na]!;
    if (c > 0) seen |= labels[n - nab]!;
    if (c < nc - 1) seen |= labels[n + nab]!;
    if (seen === 1 || seen === 2) grown[n] = seen;
  }
  return { labels: grown, sacrumVox, iliumVox, sacrumReachMm: reach[body]! };
}
