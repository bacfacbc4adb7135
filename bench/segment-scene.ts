/**
 * Synthetic CT scene for segmentation tests and benchmarks (shared by bench/segment.mjs and
 * test/segmentation): soft tissue 40 HU; an ellipsoidal "bone" (cancellous 250 HU, 2 mm cortex
 * 1200 HU); a lytic sphere (30 HU, r = 11.9 mm ≈ 7.06 mL) that touches a "foramen" (a 4.5 mm
 * radius channel of −20 HU running antero-posteriorly through the bone into the soft tissue);
 * a sclerotic sphere (900 HU, r = 5 mm). Gaussian-like noise (σ ≈ 12 HU). Values at voxel
 * centres (no blur), so the voxel count of the true lesion is the analytic volume ± sampling.
 */
import { VolumeGeometry } from '../src/core/geometry';
import { type ScalarVolume, createScalarVolume } from '../src/core/volume';
import type { Vec3 } from '../src/core/vec3';

export interface SegmentScene {
  volume: ScalarVolume;
  lyticCenterLps: Vec3;
  lyticRadiusMm: number;
  scleroticCenterLps: Vec3;
  scleroticRadiusMm: number;
  foramenXMm: number;
  foramenRadiusMm: number;
}

export function makeSegmentScene(dims: [number, number, number] = [512, 512, 300], spacing: Vec3 = [0.7, 0.7, 1], noiseSd = 12, seed = 1): SegmentScene {
  const [ni, nj, nk] = dims;
  const origin: Vec3 = [-(ni - 1) / 2 * spacing[0], -(nj - 1) / 2 * spacing[1], -(nk - 1) / 2 * spacing[2]];
  const geometry = new VolumeGeometry({ dims, spacingMm: spacing, originLps: origin, directionCosines: [1, 0, 0, 0, 1, 0, 0, 0, 1] });
  const v = new Int16Array(ni * nj * nk);
  // noise: sum of 4 uniforms (Irwin-Hall), scaled to SD noiseSd; xorshift32
  let s = seed >>> 0 || 1;
  const scale = noiseSd * Math.sqrt(3); // 4 uniforms on [-0.5, 0.5]: var = 4/12
  for (let n = 0; n < v.length; n++) {
    let acc = 0;
    for (let t = 0; t < 4; t++) { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; acc += s / 4294967296 - 0.5; }
    v[n] = Math.round(40 + acc * scale);
  }
  const semi: Vec3 = [60, 35, 50], cortex = 2;
  const lyticC: Vec3 = [10, 0, 0], lyticR = 11.9;
  const sclC: Vec3 = [-30, 5, 15], sclR = 5;
  const forX = lyticC[0] + lyticR + 4.5 - 1, forR = 4.5; // overlaps the lesion by 1 mm
  const i0 = Math.max(0, Math.floor((-semi[0] - origin[0]) / spacing[0])), i1 = Math.min(ni - 1, Math.ceil((semi[0] - origin[0]) / spacing[0]));
  const j0 = Math.max(0, Math.floor((-semi[1] - origin[1]) / spacing[1])), j1 = Math.min(nj - 1, Math.ceil((semi[1] - origin[1]) / spacing[1]));
  const k0 = Math.max(0, Math.floor((-semi[2] - origin[2]) / spacing[2])), k1 = Math.min(nk - 1, Math.ceil((semi[2] - origin[2]) / spacing[2]));
  const inner: Vec3 = [semi[0] - cortex, semi[1] - cortex, semi[2] - cortex];
  for (let k = k0; k <= k1; k++) {
    const z = origin[2] + k * spacing[2];
    for (let j = j0; j <= j1; j++) {
      const y = origin[1] + j * spacing[1];
      for (let i = i0; i <= i1; i++) {
        const x = origin[0] + i * spacing[0];
        const e = (x / semi[0]) ** 2 + (y / semi[1]) ** 2 + (z / semi[2]) ** 2;
        if (e > 1) continue;
        const o = i + ni * (j + nj * k);
        const noise = v[o]! - 40;
        let hu: number;
        if ((x - lyticC[0]) ** 2 + (y - lyticC[1]) ** 2 + (z - lyticC[2]) ** 2 <= lyticR * lyticR) hu = 30;
        else if ((x - sclC[0]) ** 2 + (y - sclC[1]) ** 2 + (z - sclC[2]) ** 2 <= sclR * sclR) hu = 900;
        else if ((x - forX) ** 2 + z * z <= forR * forR) hu = -20;
        else if ((x / inner[0]) ** 2 + (y / inner[1]) ** 2 + (z / inner[2]) ** 2 > 1) hu = 1200;
        else hu = 250;
        v[o] = Math.round(hu + noise);
      }
    }
  }
  return {
    volume: createScalarVolume('segment-scene', geometry, v, 'HU', 'CT'),
    lyticCenterLps: lyticC, lyticRadiusMm: lyticR, scleroticCenterLps: sclC, scleroticRadiusMm: sclR, foramenXMm: forX, foramenRadiusMm: forR,
  };
}
