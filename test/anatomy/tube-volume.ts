import { VolumeGeometry } from '../../src/core/geometry';
import { createScalarVolume, type ScalarVolume } from '../../src/core/volume';

/** A 1 mm grid with a tube along y of lumen radius `lumenMm` (−20 HU) in a 1.5 mm wall (1200 HU) in 250 HU bone; none when 0. */
export function tubeVolume(lumenMm: number): ScalarVolume {
  const n = 40;
  const geo = new VolumeGeometry({ dims: [n, n, n], spacingMm: [1, 1, 1], originLps: [-19.5, -19.5, -19.5], directionCosines: [1, 0, 0, 0, 1, 0, 0, 0, 1] });
  const v = new Float32Array(geo.voxelCount);
  for (let k = 0, o = 0; k < n; k++) for (let j = 0; j < n; j++) for (let i = 0; i < n; i++, o++) {
    let acc = 0;
    for (let a = 0; a < 4; a++) for (let c = 0; c < 4; c++) {
      const r = Math.hypot(-19.5 + i - 0.375 + a * 0.25, -19.5 + k - 0.375 + c * 0.25);
      acc += lumenMm > 0 && r < lumenMm ? -20 : lumenMm > 0 && r < lumenMm + 1.5 ? 1200 : 250;
    }
    v[o] = acc / 16;
  }
  return createScalarVolume('tube', geo, v, 'HU', 'CT');
}
