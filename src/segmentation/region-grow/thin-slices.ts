/** Region growing, step 10 (region-grow.ts): a region with no voxel beyond the reach of its edge's blur along the slices is refused (`too-thin`). */
import type { ScalarVolume } from '../../core/volume';
import { EDGE_PSF_MM, EDGE_REACH_SIGMAS } from './levels';
import type { RegionGrowResult } from './types';

/**
 * Step 10. The lesion's level, from which both its edge (the midpoint window) and its partial-volume
 * volume are read, needs voxels that are all lesion. In-plane, pixels (0.5-1.25 mm) are small against
 * any lesion Grow serves (radius 4 mm and more), but a slice is a slab: a voxel is all lesion only
 * where the slices within the reach of the edge's blur along the slice axis (one ring unit of
 * partial-volume.ts, 2.5 σ_edge: one slice from 2 mm on) above and below it are lesion too. A region
 * with fewer than MIN_CORE_VOXELS such voxels (a 1 cm lesion on 5 mm slices spans two slices, each
 * crossing its top or bottom) reads its level low by the partial volume of every voxel:
 * fatty-thick5mm.json's 750 HU sclerotic lesion read 537-557 HU, its partial-volume volume +17 … +42 %,
 * its voxel count −8 … −21 %. Returns the reason in words, or null when the region has such a core.
 */
export function thinAcrossSlices(volume: ScalarVolume, r: RegionGrowResult): string | null {
  const geom = volume.geometry;
  const [ni, nj] = geom.dims;
  const b = r.box!;
  const sk = geom.spacingMm[2];
  const reach = Math.max(1, Math.round((EDGE_REACH_SIGMAS * Math.sqrt(EDGE_PSF_MM ** 2 + sk ** 2 / 12)) / sk));
  const d: [number, number, number] = [b[3] - b[0] + 1, b[4] - b[1] + 1, b[5] - b[2] + 1];
  const m = new Uint8Array(d[0] * d[1] * d[2]);
  for (const o of r.offsets) {
    const k = Math.floor(o / (ni * nj)), rem = o - k * ni * nj, j = Math.floor(rem / ni), i = rem - j * ni;
    m[(i - b[0]) + d[0] * ((j - b[1]) + d[1] * (k - b[2]))] = 1;
  }
  const plane = d[0] * d[1];
  let core = 0;
  for (let k = reach; k < d[2] - reach; k++) for (let q = 0; q < plane; q++) {
    let all = 1;
    for (let t = -reach; t <= reach && all; t++) all = m[q + plane * (k + t)]!;
    core += all;
  }
  if (core >= MIN_CORE_VOXELS) return null;
  return `the region grown from the point (${r.volumeMl.toFixed(2)} mL) spans only ${d[2]} slice${d[2] === 1 ? '' : 's'} of ${sk.toFixed(1)} mm: every voxel of it is partly the tissue above or below it, so neither its level nor its volume can be read within 10 %; on thinner slices Grow can measure it; otherwise paint it with Strokes (L) or the Brush (B) and read its volume as approximate`;
}
/** Core voxels below which a region has no level of its own (partial-volume.ts reads its level from as many). */
const MIN_CORE_VOXELS = 8;
