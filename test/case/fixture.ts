/** A small synthetic CT for case tests, built in code, and a seeded random generator. */
import { VolumeGeometry } from '../../src/core/geometry';
import type { ScalarVolume } from '../../src/core/volume';
import type { Vec3 } from '../../src/core/vec3';

export const N: [number, number, number] = [40, 40, 32];

/** A bone block (250 HU) in a 2-voxel cortex (1200 HU) in soft tissue (40 HU), with three lytic holes (30 HU, r 4 mm). */
export function phantom(): { volume: ScalarVolume; holes: Vec3[] } {
  const geometry = new VolumeGeometry({ dims: N, spacingMm: [1, 1, 1], originLps: [0, 0, 0], directionCosines: [1, 0, 0, 0, 1, 0, 0, 0, 1] });
  const v = new Int16Array(geometry.voxelCount);
  const holes: Vec3[] = [[12, 12, 12], [26, 20, 16], [18, 28, 20]];
  let o = 0;
  for (let k = 0; k < N[2]; k++) for (let j = 0; j < N[1]; j++) for (let i = 0; i < N[0]; i++, o++) {
    const inBlock = (m: number) => i >= 4 + m && i < 36 - m && j >= 4 + m && j < 36 - m && k >= 3 + m && k < 29 - m;
    v[o] = inBlock(2) ? 250 : inBlock(0) ? 1200 : 40;
    for (const h of holes) if ((i - h[0]) ** 2 + (j - h[1]) ** 2 + (k - h[2]) ** 2 <= 16) v[o] = 30;
  }
  return { volume: { id: 'random-edits', geometry, voxels: v, units: 'HU', modality: 'CT' }, holes };
}

/** The seeded generator of core (reproducible failures). */
export { mulberry32 as rng } from '../../src/core/random';
