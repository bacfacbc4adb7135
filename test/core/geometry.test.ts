import { describe, expect, it } from 'vitest';
import { VolumeGeometry, type Mat3Flat } from '../../src/core/geometry';
import { createScalarVolume, valueAtLps } from '../../src/core/volume';
import type { Vec3 } from '../../src/core/vec3';

/** A smooth "anatomy": value depends only on the physical LPS point. */
const anatomy = (p: Readonly<Vec3>): number => Math.round(1000 * Math.sin(p[0] / 7) + 700 * Math.cos(p[1] / 11) + 13 * p[2]);

function rotation(rxDeg: number, ryDeg: number, rzDeg: number): number[][] {
  const [a, b, c] = [rxDeg, ryDeg, rzDeg].map((d) => (d * Math.PI) / 180) as [number, number, number];
  const Rx = [[1, 0, 0], [0, Math.cos(a), -Math.sin(a)], [0, Math.sin(a), Math.cos(a)]];
  const Ry = [[Math.cos(b), 0, Math.sin(b)], [0, 1, 0], [-Math.sin(b), 0, Math.cos(b)]];
  const Rz = [[Math.cos(c), -Math.sin(c), 0], [Math.sin(c), Math.cos(c), 0], [0, 0, 1]];
  const mul = (A: number[][], B: number[][]) => A.map((r) => [0, 1, 2].map((j) => r[0]! * B[0]![j]! + r[1]! * B[1]![j]! + r[2]! * B[2]![j]!));
  return mul(Rz, mul(Ry, Rx));
}

/**
 * One lattice of physical points, described in several ways (axis permutations, flips,
 * reversed slice order) plus oblique rotations. Each variant: geometry + how to fill it.
 */
const base = { dims: [12, 10, 8] as [number, number, number], spacing: [0.7, 0.7, 3] as Vec3, origin: [-20, 15, -600] as Vec3 };
const E = [[1, 0, 0], [0, 1, 0], [0, 0, 1]];

function variant(perm: [number, number, number], flip: [boolean, boolean, boolean]): VolumeGeometry {
  // Axis a of the new grid walks along base axis perm[a], possibly reversed.
  const dims = perm.map((p) => base.dims[p]!) as [number, number, number];
  const spacing = perm.map((p) => base.spacing[p]!) as Vec3;
  const dirs: number[] = [];
  const origin: Vec3 = [...base.origin];
  perm.forEach((p, a) => {
    const e = E[p]!;
    const s = flip[a] ? -1 : 1;
    dirs.push(s * e[0]!, s * e[1]!, s * e[2]!);
    if (flip[a]) for (let c = 0; c < 3; c++) origin[c] = origin[c]! + e[c]! * base.spacing[p]! * (base.dims[p]! - 1);
  });
  return new VolumeGeometry({ dims, spacingMm: spacing, originLps: origin, directionCosines: dirs as Mat3Flat });
}

function fill(g: VolumeGeometry, f: (p: Vec3) => number) {
  const v = new Int16Array(g.voxelCount);
  const p: Vec3 = [0, 0, 0];
  for (let k = 0; k < g.dims[2]; k++) for (let j = 0; j < g.dims[1]; j++) for (let i = 0; i < g.dims[0]; i++) v[g.offset(i, j, k)] = f(g.ijkToLps(p, i, j, k));
  return v;
}

const variants: Record<string, VolumeGeometry> = {
  axial: variant([0, 1, 2], [false, false, false]),
  'reversed slice order': variant([0, 1, 2], [false, false, true]),
  coronal: variant([0, 2, 1], [false, true, false]),
  sagittal: variant([1, 2, 0], [false, true, false]),
  'all flipped': variant([2, 0, 1], [true, true, true]),
};

describe('VolumeGeometry', () => {
  it('maps integer indices to voxel centres: origin is voxel (0,0,0)', () => {
    const g = variants.axial!;
    expect(g.ijkToLps([0, 0, 0], 0, 0, 0)).toEqual(base.origin);
    const p = g.ijkToLps([0, 0, 0], 1, 2, 3);
    expect(p[0]).toBeCloseTo(-20 + 0.7, 12);
    expect(p[1]).toBeCloseTo(15 + 1.4, 12);
    expect(p[2]).toBeCloseTo(-600 + 9, 12);
  });

  for (const [name, g] of Object.entries(variants)) {
    it(`round-trips ijk → LPS → ijk (${name})`, () => {
      const out: Vec3 = [0, 0, 0];
      for (const ijk of [[0, 0, 0], [3.25, 7.5, 1.125], [g.dims[0] - 1, g.dims[1] - 1, g.dims[2] - 1]] as Vec3[]) {
        const lps = g.ijkToLps([0, 0, 0], ijk[0], ijk[1], ijk[2]);
        g.lpsToIjk(out, lps);
        for (let c = 0; c < 3; c++) expect(out[c]).toBeCloseTo(ijk[c]!, 9);
      }
    });

    it(`gives the same value at the same physical point (${name})`, () => {
      const ref = createScalarVolume('ref', variants.axial!, fill(variants.axial!, anatomy), 'HU', 'CT');
      const vol = createScalarVolume(name, g, fill(g, anatomy), 'HU', 'CT');
      expect(g.voxelVolumeMm3).toBeCloseTo(0.7 * 0.7 * 3, 12);
      const p: Vec3 = [0, 0, 0];
      for (let n = 0; n < 200; n++) {
        const i = (n * 7) % base.dims[0], j = (n * 3) % base.dims[1], k = (n * 5) % base.dims[2];
        variants.axial!.ijkToLps(p, i, j, k);
        // Nudge by less than half a voxel: nearest-voxel lookup must land on the same centre.
        const q: Vec3 = [p[0] + 0.2, p[1] - 0.2, p[2] + 1.0];
        expect(valueAtLps(vol, q)).toBe(valueAtLps(ref, q));
        expect(valueAtLps(vol, q)).toBe(anatomy(p));
      }
    });
  }

  it('oblique grids sample the rotated anatomy consistently', () => {
    const R = rotation(17, -23, 31);
    const dirs = [0, 1, 2].flatMap((a) => [R[0]![a]!, R[1]![a]!, R[2]![a]!]) as Mat3Flat;
    const g = new VolumeGeometry({ dims: [20, 16, 12], spacingMm: [0.7, 0.7, 3], originLps: [5, -3, 40], directionCosines: dirs });
    // Round trip
    const ijk: Vec3 = [4.5, 9.25, 7.75];
    const back = g.lpsToIjk([0, 0, 0], g.ijkToLps([0, 0, 0], ...ijk));
    for (let c = 0; c < 3; c++) expect(back[c]).toBeCloseTo(ijk[c]!, 9);
    expect(g.voxelVolumeMm3).toBeCloseTo(0.7 * 0.7 * 3, 9);
    const vol = createScalarVolume('obl', g, fill(g, anatomy), 'HU', 'CT');
    const p: Vec3 = [0, 0, 0];
    for (let n = 0; n < 100; n++) {
      g.ijkToLps(p, n % 20, (n * 3) % 16, (n * 7) % 12);
      expect(valueAtLps(vol, p)).toBe(anatomy(p));
    }
    expect(valueAtLps(vol, [1e4, 0, 0])).toBeNull();
  });

  it('represents a sheared (gantry-tilted) stack with |det| in the voxel volume', () => {
    const t = (15 * Math.PI) / 180;
    const g = new VolumeGeometry({ dims: [4, 4, 4], spacingMm: [1, 1, 2], originLps: [0, 0, 0], directionCosines: [1, 0, 0, 0, 1, 0, 0, Math.sin(t), Math.cos(t)] });
    expect(g.voxelVolumeMm3).toBeCloseTo(2 * Math.cos(t), 12);
    const p = g.ijkToLps([0, 0, 0], 0, 0, 1);
    expect(p[1]).toBeCloseTo(2 * Math.sin(t), 12);
  });

  it('rejects invalid input', () => {
    expect(() => new VolumeGeometry({ dims: [0, 1, 1], spacingMm: [1, 1, 1], originLps: [0, 0, 0], directionCosines: [1, 0, 0, 0, 1, 0, 0, 0, 1] })).toThrow();
    expect(() => new VolumeGeometry({ dims: [1, 1, 1], spacingMm: [1, 0, 1], originLps: [0, 0, 0], directionCosines: [1, 0, 0, 0, 1, 0, 0, 0, 1] })).toThrow();
    expect(() => new VolumeGeometry({ dims: [1, 1, 1], spacingMm: [1, 1, 1], originLps: [0, 0, 0], directionCosines: [1, 0, 0, 1, 0, 0, 0, 0, 1] })).toThrow();
  });
});

describe('linear offsets', () => {
  it('indexOfOffset inverts offset, and offsetToLps equals ijkToLps of that voxel', () => {
    const g = new VolumeGeometry({ dims: [7, 5, 3], spacingMm: [0.7, 0.8, 3], originLps: [1, 2, 3], directionCosines: [0, 1, 0, -1, 0, 0, 0, 0, 1] });
    for (let k = 0; k < 3; k++) for (let j = 0; j < 5; j++) for (let i = 0; i < 7; i++) {
      const o = g.offset(i, j, k);
      expect(g.indexOfOffset([0, 0, 0], o)).toEqual([i, j, k]);
      expect(g.offsetToLps([0, 0, 0], o)).toEqual(g.ijkToLps([0, 0, 0], i, j, k));
    }
  });
});
