/**
 * The outline of a lesion grown from strokes drawn back to the local half-level (strokes-boundary.ts),
 * on a code-built sphere: a bright lesion (1000) whose marrow (375 under the strokes) holds a fatty
 * patch (650) right around it, as the marrow around ProstateX M1 does (test/segmentation/
 * implanted-grow.test.ts). Partial voxels by 4 × 4 × 4 supersampling, v = f·L + (1 − f)·B + noise.
 * Without the step the grow judges the edge's partial voxels against (1000 + 375)/2 and takes every
 * voxel more than a tenth covered; with it they are judged against the patch's level.
 */
import { describe, expect, it } from 'vitest';
import { VolumeGeometry } from '../../src/core/geometry';
import { createScalarVolume } from '../../src/core/volume';
import { mulberry32 } from '../../src/core/random';
import type { Vec3 } from '../../src/core/vec3';
import { growFromSeeds, type SeedStroke } from '../../src/segmentation/seeded-grow';
import { placeAtLocalHalfLevel } from '../../src/segmentation/strokes-boundary';

const ring = (c: Vec3, r: number, a: number, b: number): Vec3[] =>
  Array.from({ length: 33 }, (_, t) => { const p: Vec3 = [c[0], c[1], c[2]]; p[a] = p[a]! + r * Math.cos((2 * Math.PI * t) / 32); p[b] = p[b]! + r * Math.sin((2 * Math.PI * t) / 32); return p; });

/** A 5 mm sphere at 1000 in marrow at 375 with a patch of `patch` out to 7.5 mm from the centre (0.7 mm grid, noise SD 30). */
function sphere(patch: number) {
  const n = 48, sp = 0.7, R = 5, c: Vec3 = [16.8, 16.8, 16.8];
  const geom = new VolumeGeometry({ dims: [n, n, n], spacingMm: [sp, sp, sp], originLps: [0, 0, 0], directionCosines: [1, 0, 0, 0, 1, 0, 0, 0, 1] });
  const rnd = mulberry32(7);
  const v = new Int16Array(n ** 3);
  let halfCovered = 0;
  for (let k = 0; k < n; k++) for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) {
    let f = 0;
    const r0 = Math.hypot(i * sp - c[0], j * sp - c[1], k * sp - c[2]);
    if (r0 < R + sp) for (let a = 0; a < 4; a++) for (let b = 0; b < 4; b++) for (let d = 0; d < 4; d++) {
      if (Math.hypot((i - 0.375 + a / 4) * sp - c[0], (j - 0.375 + b / 4) * sp - c[1], (k - 0.375 + d / 4) * sp - c[2]) <= R) f += 1 / 64;
    }
    if (f >= 0.5) halfCovered++;
    const B = r0 <= 7.5 ? patch : 375;
    const noise = (rnd() + rnd() + rnd() + rnd() - 2) * 30 * Math.sqrt(3);
    v[i + n * (j + n * k)] = Math.round(f * 1000 + (1 - f) * B + noise);
  }
  const volume = createScalarVolume('patch', geom, v, 'raw', 'MR');
  const strokes: SeedStroke[] = [
    { kind: 'lesion', radiusMm: 1.5, pointsLps: [[c[0] - 2.5, c[1], c[2]], [c[0] + 2.5, c[1], c[2]]] },
    { kind: 'background', radiusMm: 1.5, pointsLps: ring(c, 9.5, 0, 1) },
    { kind: 'background', radiusMm: 1.5, pointsLps: ring(c, 9.5, 1, 2) },
  ];
  return { volume, strokes, truthVoxels: halfCovered, truthMm3: (4 / 3) * Math.PI * R ** 3 };
}

describe('Strokes: the outline at the local half-level', () => {
  it('a lesion in a patch of marrow brighter than the marrow under the strokes: within 10 % (voxels at least half covered)', () => {
    const { volume, strokes, truthVoxels, truthMm3 } = sphere(650);
    const r = growFromSeeds(volume, strokes);
    const err = r.offsets.length / truthVoxels - 1;
    console.log(`patch 650: ${r.offsets.length} voxels against ${truthVoxels} at least half covered (${(100 * err).toFixed(1)} %; ${(100 * (r.offsets.length * volume.geometry.voxelVolumeMm3 / truthMm3 - 1)).toFixed(1)} % of the sphere), levels ${r.lesionLevel.toFixed(0)} / ${r.backgroundLevel?.toFixed(0)} ± ${r.sigma.toFixed(0)}`);
    expect(Math.abs(err)).toBeLessThan(0.1);
  });

  it('the same sphere in homogeneous marrow: within 10 %, and the step gives nothing back where the tissue outside reads as under the strokes', () => {
    const { volume, strokes, truthVoxels } = sphere(375);
    const r = growFromSeeds(volume, strokes);
    expect(Math.abs(r.offsets.length / truthVoxels - 1)).toBeLessThan(0.1);
    // directly: a ball of 1000 in 375, the grow's background 375: nothing moves
    const n = 20, dims = [n, n, n] as const, nb = n ** 3;
    const owner = new Uint8Array(nb).fill(2), seed = new Uint8Array(nb), raw = new Float32Array(nb).fill(375);
    for (let k = 0; k < n; k++) for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) if (Math.hypot(i - 10, j - 10, k - 10) <= 5) { owner[i + n * (j + n * k)] = 1; raw[i + n * (j + n * k)] = 1000; }
    const evidence = new Float32Array(nb).fill(1);
    expect(placeAtLocalHalfLevel(owner, seed, dims, [1, 1, 1], raw, evidence, raw, [1000], [375], null, 30)).toBe(0);
    // the tissue outside at 650 while the grow competed with 375: an outermost voxel reading 800 (f 0.4) goes back
    const raw2 = raw.map((x) => (x === 375 ? 650 : x));
    const o = owner.findIndex((x, t) => x === 1 && owner[t + 1] !== 1);
    raw2[o] = 800;
    const owner2 = owner.slice();
    expect(placeAtLocalHalfLevel(owner2, seed, dims, [1, 1, 1], raw2, evidence, raw2, [1000], [375], null, 30)).toBe(1);
    expect(owner2[o]).toBe(2);
  });
});
