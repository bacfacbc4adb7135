/**
 * A lytic sphere (40) in marrow (200) at the centre of a 48 mm cube with a lesion stroke through it
 * and background rings 3 mm beyond its edge in an axial and a sagittal plane; with `withTube`, a
 * tube at its level runs out between the rings towards the superior posterior left corner.
 */
import { VolumeGeometry } from '../../src/core/geometry';
import { createScalarVolume } from '../../src/core/volume';
import { mulberry32 } from '../../src/core/random';
import type { Vec3 } from '../../src/core/vec3';
import type { SeedStroke } from '../../src/segmentation/seeded-grow';

const ring = (c: Vec3, r: number, a: number, b: number): Vec3[] =>
  Array.from({ length: 33 }, (_, t) => { const p: Vec3 = [c[0], c[1], c[2]]; p[a] = p[a]! + r * Math.cos((2 * Math.PI * t) / 32); p[b] = p[b]! + r * Math.sin((2 * Math.PI * t) / 32); return p; });

/**
 * `withTube`: the tube above (radius `tubeRadiusMm`). `withSlab` (a disc, the canal's fat): tissue at the lesion's level filling
 * the left superior quadrant x, z ≥ 27 mm between the rings (which it does not touch), touching the sphere.
 */
export function build(withTube: boolean, withSlab = false, tubeRadiusMm = 2.5) {
  const n = 48, sp = 1;
  const geom = new VolumeGeometry({ dims: [n, n, n], spacingMm: [sp, sp, sp], originLps: [0, 0, 0], directionCosines: [1, 0, 0, 0, 1, 0, 0, 0, 1] });
  const c: Vec3 = [24, 24, 24];
  const u = [1 / Math.sqrt(3), 1 / Math.sqrt(3), 1 / Math.sqrt(3)];
  const rnd = mulberry32(7);
  const v = new Int16Array(n ** 3);
  for (let k = 0; k < n; k++) for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) {
    const d = [i * sp - c[0], j * sp - c[1], k * sp - c[2]];
    const r = Math.hypot(d[0]!, d[1]!, d[2]!);
    const t = d[0]! * u[0]! + d[1]! * u[1]! + d[2]! * u[2]!;
    const off = Math.sqrt(Math.max(0, r * r - t * t));
    const lesion = r <= 6 || (withTube && t > 0 && off <= tubeRadiusMm) || (withSlab && i * sp >= 27 && k * sp >= 27);
    v[i + n * (j + n * k)] = Math.round((lesion ? 40 : 200) + (rnd() - 0.5) * 30);
  }
  const vol = createScalarVolume(withSlab ? 'slab' : withTube ? 'tube' : 'sphere', geom, v, 'HU', 'CT');
  const strokes: SeedStroke[] = [
    { kind: 'lesion', radiusMm: 1.5, pointsLps: [[c[0] - 2, c[1], c[2]], [c[0] + 2, c[1], c[2]]] },
    { kind: 'background', radiusMm: 1.5, pointsLps: ring(c, 9, 0, 1) },
    { kind: 'background', radiusMm: 1.5, pointsLps: ring(c, 9, 1, 2) },
  ];
  return { vol, strokes };
}

