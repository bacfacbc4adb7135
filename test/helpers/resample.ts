/** Trilinear resampling of a volume onto a grid of the same extent with other dims (tests and benches). */
import { VolumeGeometry } from '../../src/core/geometry';
import { createScalarVolume, type ScalarVolume } from '../../src/core/volume';
import type { Vec3 } from '../../src/core/vec3';

export function resampleTo(v: ScalarVolume, dims: [number, number, number]): ScalarVolume {
  const g = v.geometry;
  const [ni, nj, nk] = g.dims;
  const sp: Vec3 = [0, 1, 2].map((a) => (g.spacingMm[a]! * (g.dims[a]! - 1)) / (dims[a]! - 1)) as Vec3;
  const geo = new VolumeGeometry({ dims, spacingMm: sp, originLps: g.originLps, directionCosines: g.directionCosines });
  const out = new Int16Array(dims[0] * dims[1] * dims[2]);
  const src = v.voxels;
  const fx = (ni - 1) / (dims[0] - 1), fy = (nj - 1) / (dims[1] - 1), fz = (nk - 1) / (dims[2] - 1);
  let n = 0;
  for (let k = 0; k < dims[2]; k++) {
    const z = k * fz, z0 = Math.min(Math.floor(z), nk - 2), tz = z - z0;
    for (let j = 0; j < dims[1]; j++) {
      const y = j * fy, y0 = Math.min(Math.floor(y), nj - 2), ty = y - y0;
      for (let i = 0; i < dims[0]; i++, n++) {
        const x = i * fx, x0 = Math.min(Math.floor(x), ni - 2), tx = x - x0;
        const o = x0 + ni * (y0 + nj * z0);
        const c00 = src[o]! + (src[o + 1]! - src[o]!) * tx, c10 = src[o + ni]! + (src[o + ni + 1]! - src[o + ni]!) * tx;
        const c01 = src[o + ni * nj]! + (src[o + ni * nj + 1]! - src[o + ni * nj]!) * tx, c11 = src[o + ni * nj + ni]! + (src[o + ni * nj + ni + 1]! - src[o + ni * nj + ni]!) * tx;
        const c0 = c00 + (c10 - c00) * ty, c1 = c01 + (c11 - c01) * ty;
        out[n] = Math.round(c0 + (c1 - c0) * tz);
      }
    }
  }
  return createScalarVolume(`${v.id}:512`, geo, out, v.units, v.modality);
}
