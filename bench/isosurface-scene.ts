/**
 * A 512×512×300 CT of the sacrum for the isosurface and DRR benchmarks: the built-in demo phantom
 * (src/demo, 0.8 mm) resampled trilinearly onto 512×512×300 voxels of 0.375 × 0.3125 × 0.48 mm
 * (192 × 160 × 144 mm, the demo field of view), int16 HU. Real bone surface area at CT resolution.
 */
import { VolumeGeometry } from '../src/core/geometry';
import { createScalarVolume, type ScalarVolume } from '../src/core/volume';
import { makeDemoPhantom, DEMO_FOV } from '../src/demo/phantom';

export function makeIsoScene(dims: [number, number, number] = [512, 512, 300]): ScalarVolume {
  const demo = makeDemoPhantom({ spacingMm: 0.8 }).volume;
  const fov = [DEMO_FOV.x, DEMO_FOV.y, DEMO_FOV.z] as const;
  const spacing: [number, number, number] = [0, 0, 0];
  const origin: [number, number, number] = [0, 0, 0];
  for (let a = 0; a < 3; a++) {
    const r = fov[a]!;
    spacing[a] = (r[1] - r[0]) / dims[a]!;
    origin[a] = r[0] + spacing[a]! / 2;
  }
  const geometry = new VolumeGeometry({ dims, spacingMm: spacing, originLps: origin, directionCosines: [1, 0, 0, 0, 1, 0, 0, 0, 1] });
  const out = new Int16Array(geometry.voxelCount);
  const src = demo.voxels, [si, sj, sk] = demo.geometry.dims;
  const ijk: [number, number, number] = [0, 0, 0], p: [number, number, number] = [0, 0, 0];
  const [ni, nj, nk] = dims;
  for (let k = 0; k < nk; k++) for (let j = 0; j < nj; j++) {
    for (let i = 0; i < ni; i++) {
      geometry.ijkToLps(p, i, j, k);
      demo.geometry.lpsToIjk(ijk, p);
      const x = Math.min(si - 1, Math.max(0, ijk[0])), y = Math.min(sj - 1, Math.max(0, ijk[1])), z = Math.min(sk - 1, Math.max(0, ijk[2]));
      const x0 = Math.min(si - 2, Math.floor(x)), y0 = Math.min(sj - 2, Math.floor(y)), z0 = Math.min(sk - 2, Math.floor(z));
      const fx = x - x0, fy = y - y0, fz = z - z0;
      const b = x0 + si * (y0 + sj * z0), dj = si, dk = si * sj;
      const c00 = src[b]! + (src[b + 1]! - src[b]!) * fx, c10 = src[b + dj]! + (src[b + dj + 1]! - src[b + dj]!) * fx;
      const c01 = src[b + dk]! + (src[b + dk + 1]! - src[b + dk]!) * fx, c11 = src[b + dk + dj]! + (src[b + dk + dj + 1]! - src[b + dk + dj]!) * fx;
      const c0 = c00 + (c10 - c00) * fy, c1 = c01 + (c11 - c01) * fy;
      out[i + ni * (j + nj * k)] = Math.round(c0 + (c1 - c0) * fz);
    }
  }
  return createScalarVolume('iso-bench', geometry, out, 'HU', 'CT');
}
