/**
 * detect-grid: a working-grid mask mapped back onto volumes of several orientations equals the
 * voxel-by-voxel nearest-neighbour rule (the fast three-table path for axis-aligned volumes and the
 * general path for oblique ones).
 */
import { describe, expect, it } from 'vitest';
import { VolumeGeometry } from '../../src/core/geometry';
import { createScalarVolume } from '../../src/core/volume';
import { lpsToWork, makeWorkGrid, maskToVolume, resampleToWork, sampleWork, volumeBoundsLps, workOffsetAt } from '../../src/anatomy/detect-grid';
import type { Vec3 } from '../../src/core/vec3';
import { boxMean, holes2d } from '../../src/anatomy/detect';

function reference(volume: ReturnType<typeof createScalarVolume>, g: ReturnType<typeof makeWorkGrid>, mask: Uint8Array): Uint8Array {
  const [ni, nj, nk] = volume.geometry.dims;
  const out = new Uint8Array(ni * nj * nk);
  const p: Vec3 = [0, 0, 0];
  for (let k = 0, o = 0; k < nk; k++) for (let j = 0; j < nj; j++) for (let i = 0; i < ni; i++, o++) {
    const w = lpsToWork(g, volume.geometry.ijkToLps(p, i, j, k));
    const a = Math.floor(w[0] + 0.5 + 1e-9), b = Math.floor(w[1] + 0.5 + 1e-9), c = Math.floor(w[2] + 0.5 + 1e-9);
    if (a < 0 || b < 0 || c < 0 || a >= g.dims[0] || b >= g.dims[1] || c >= g.dims[2]) continue;
    out[o] = mask[a + g.dims[0] * (b + g.dims[1] * c)]!;
  }
  return out;
}

describe('maskToVolume', () => {
  const cases: [string, number[]][] = [
    ['axial, identity', [1, 0, 0, 0, 1, 0, 0, 0, 1]],
    ['axial, rows and slices reversed', [1, 0, 0, 0, -1, 0, 0, 0, -1]],
    ['RAS-stored (x and y reversed)', [-1, 0, 0, 0, -1, 0, 0, 0, 1]],
    ['oblique (20° about z)', [Math.cos(0.35), Math.sin(0.35), 0, -Math.sin(0.35), Math.cos(0.35), 0, 0, 0, 1]],
  ];
  for (const [name, dc, sp] of [...cases.map(([n, d]) => [n, d, [0.8, 0.8, 1.3]] as const), ['voxels wider than the working grid along x', [1, 0, 0, 0, 1, 0, 0, 0, 1], [2.3, 0.8, 1.3]] as const]) {
    it(`equals the nearest-working-voxel rule: ${name}`, () => {
      const geometry = new VolumeGeometry({ dims: [37, 29, 23], spacingMm: [...sp], originLps: [-10, 5, -7], directionCosines: [...dc] });
      const volume = createScalarVolume('v', geometry, new Float32Array(37 * 29 * 23), 'HU', 'CT');
      const { min, max } = volumeBoundsLps(volume);
      const g = makeWorkGrid(min, max, 1.7);
      // An off-centre ball with a hole, so that the mask's box is not the grid's.
      const mask = new Uint8Array(g.dims[0] * g.dims[1] * g.dims[2]);
      const c = [g.dims[0] * 0.6, g.dims[1] * 0.4, g.dims[2] * 0.5];
      for (let z = 0, n = 0; z < g.dims[2]; z++) for (let y = 0; y < g.dims[1]; y++) for (let x = 0; x < g.dims[0]; x++, n++) {
        const r = Math.hypot(x - c[0]!, y - c[1]!, z - c[2]!);
        // three values (a mask of labels is copied as it is), in runs along x
        mask[n] = r < 6 && r > 2 ? (x < c[0]! - 2 ? 2 : x > c[0]! + 3 ? 3 : 1) : 0;
      }
      const got = maskToVolume(volume, g, mask);
      const want = reference(volume, g, mask);
      let ones = 0, diff = 0;
      for (let o = 0; o < want.length; o++) { ones += want[o] ? 1 : 0; if (got[o] !== want[o]) diff++; }
      expect(ones).toBeGreaterThan(500);
      expect(diff).toBe(0);
    });
  }
});

describe('resampleToWork', () => {
  /** The general (any orientation) path, forced by a direction matrix tilted by 1e-9 rad. */
  function almost(dc: number[]): number[] {
    const e = 1e-9;
    return [dc[0]!, dc[1]! + e, dc[2]!, dc[3]! - e, dc[4]!, dc[5]!, dc[6]!, dc[7]!, dc[8]!];
  }
  for (const [name, dc] of [
    ['identity', [1, 0, 0, 0, 1, 0, 0, 0, 1]],
    ['rows and slices reversed', [1, 0, 0, 0, -1, 0, 0, 0, -1]],
    ['RAS-stored', [-1, 0, 0, 0, -1, 0, 0, 0, 1]],
  ] as [string, number[]][]) {
    for (const sub of [1, 3]) {
      it(`axis-aligned tables give the general path's values: ${name}, ${sub}³ sub-samples`, () => {
        const dims: [number, number, number] = [23, 19, 11];
        const vox = new Float32Array(dims[0] * dims[1] * dims[2]);
        for (let n = 0; n < vox.length; n++) vox[n] = Math.sin(n * 0.37) * 500 + (n % 13) * 20;
        const mk = (d: number[]) => createScalarVolume('v', new VolumeGeometry({ dims, spacingMm: [0.7, 0.9, 2.1], originLps: [3, -4, 10], directionCosines: d }), vox, 'HU', 'CT');
        const fast = mk(dc), slow = mk(almost(dc));
        const { min, max } = volumeBoundsLps(fast);
        // a grid reaching beyond the volume on every side (fill values) with a spacing that does not divide it
        const g = makeWorkGrid([min[0] - 2, min[1] - 3, min[2] - 4], [max[0] + 2, max[1] + 1, max[2] + 3], 1.3);
        const a = resampleToWork(fast, g, -1024, sub), b = resampleToWork(slow, g, -1024, sub);
        let worst = 0, filled = 0;
        for (let n = 0; n < a.length; n++) { worst = Math.max(worst, Math.abs(a[n]! - b[n]!)); if (a[n] === -1024) filled++; }
        expect(filled).toBeGreaterThan(100);
        expect(worst).toBeLessThan(1e-3);
      });
    }
  }
});

describe('boxMean (local mean for the foramen lumen test)', () => {
  it('equals the brute-force mean over the (2r+1)³ box clipped to the grid', () => {
    for (const [dims, r] of [[[9, 7, 6], 1], [[11, 8, 7], 3], [[5, 4, 3], 3], [[1, 6, 4], 2]] as [[number, number, number], number][]) {
      const [na, nb, nc] = dims;
      const v = new Float32Array(na * nb * nc);
      for (let n = 0; n < v.length; n++) v[n] = Math.round(Math.sin(n * 1.7) * 800);
      const got = boxMean(v, dims, r);
      let worst = 0;
      for (let c = 0; c < nc; c++) for (let b = 0; b < nb; b++) for (let a = 0; a < na; a++) {
        let s = 0, k = 0;
        for (let z = Math.max(0, c - r); z <= Math.min(nc - 1, c + r); z++) for (let y = Math.max(0, b - r); y <= Math.min(nb - 1, b + r); y++) for (let x = Math.max(0, a - r); x <= Math.min(na - 1, a + r); x++) { s += v[x + na * (y + nb * z)]!; k++; }
        worst = Math.max(worst, Math.abs(got[a + na * (b + nb * c)]! - s / k));
      }
      expect(worst).toBeLessThan(1e-3);
    }
  });
});

describe('holes2d (holes of the sacrum in planes across the tunnels)', () => {
  it('equals a plain per-plane flood from the plane edges, for each axis', () => {
    let seed = 5;
    const rnd = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 4294967296);
    const dims: [number, number, number] = [13, 11, 9];
    const [na, nb, nc] = dims;
    const mask = new Uint8Array(na * nb * nc);
    for (let c = 0, o = 0; c < nc; c++) for (let b = 0; b < nb; b++) for (let a = 0; a < na; a++, o++) {
      const ring = Math.abs(Math.hypot(a - 6, b - 5) - 3) < 1 || Math.abs(Math.hypot(b - 5, c - 4) - 3) < 0.8;
      mask[o] = ring || rnd() < 0.1 ? 1 : 0;
    }
    for (const axis of [0, 1, 2] as const) {
      const got = holes2d(mask, dims, axis);
      const strides = [1, na, na * nb];
      const [u, v] = [0, 1, 2].filter((x) => x !== axis) as [0 | 1 | 2, 0 | 1 | 2];
      let diff = 0, holes = 0;
      for (let t = 0; t < dims[axis]; t++) {
        const at = (x: number, y: number) => t * strides[axis]! + x * strides[u]! + y * strides[v]!;
        const seen = new Set<number>();
        const stack: [number, number][] = [];
        for (let x = 0; x < dims[u]; x++) stack.push([x, 0], [x, dims[v] - 1]);
        for (let y = 0; y < dims[v]; y++) stack.push([0, y], [dims[u] - 1, y]);
        while (stack.length) {
          const [x, y] = stack.pop()!;
          if (x < 0 || y < 0 || x >= dims[u] || y >= dims[v]) continue;
          const o = at(x, y);
          if (mask[o] || seen.has(o)) continue;
          seen.add(o);
          stack.push([x - 1, y], [x + 1, y], [x, y - 1], [x, y + 1]);
        }
        for (let y = 0; y < dims[v]; y++) for (let x = 0; x < dims[u]; x++) {
          const o = at(x, y), want = !mask[o] && !seen.has(o) ? 1 : 0;
          holes += want;
          if (got[o] !== want) diff++;
        }
      }
      expect(holes).toBeGreaterThan(0);
      expect(diff).toBe(0);
    }
  });
});

describe('workOffsetAt / sampleWork (LPS points on a working grid)', () => {
  const g = makeWorkGrid([10, -5, 2], [10 + 2 * 6, -5 + 2 * 4, 2 + 2 * 3], 2); // 7×5×4, 2 mm
  const [na, nb, nc] = g.dims;
  // a linear image: trilinear interpolation reproduces it exactly inside the grid
  const work = new Float32Array(na * nb * nc);
  for (let c = 0, n = 0; c < nc; c++) for (let b = 0; b < nb; b++) for (let a = 0; a < na; a++, n++) work[n] = 3 * a - 2 * b + 5 * c;
  const lin = (x: number, y: number, z: number) => 3 * ((x - 10) / 2) - 2 * ((y + 5) / 2) + 5 * ((z - 2) / 2);

  it('gives the nearest voxel, or −1 outside', () => {
    expect(g.dims).toEqual([7, 5, 4]);
    expect(workOffsetAt(g, 10, -5, 2)).toBe(0);
    expect(workOffsetAt(g, 12.9, -5.9, 3.1)).toBe(1 + 7 * (0 + 5 * 1));
    expect(workOffsetAt(g, 8.9, -5, 2)).toBe(-1);
    expect(workOffsetAt(g, 10, -5, 2 + 2 * 3 + 1.1)).toBe(-1);
  });

  it('interpolates trilinearly; at the far edge NaN or clamped as asked', () => {
    for (const p of [[11.3, -3.7, 4.1], [21.9, 2.9, 7.9], [10, -5, 2]] as Vec3[]) {
      expect(sampleWork(work, g, p[0], p[1], p[2], 'nan')).toBeCloseTo(lin(p[0], p[1], p[2]), 4);
      expect(sampleWork(work, g, p[0], p[1], p[2], 'clamp')).toBeCloseTo(lin(p[0], p[1], p[2]), 4);
    }
    // on the last voxel plane (its cell leaves the grid) and beyond
    expect(sampleWork(work, g, 22, 0, 4, 'nan')).toBeNaN();
    expect(sampleWork(work, g, 22, 0, 4, 'clamp')).toBeCloseTo(lin(22, 0, 4), 4);
    expect(sampleWork(work, g, 30, 0, 4, 'clamp')).toBeCloseTo(lin(22, 0, 4), 4);
    expect(sampleWork(work, g, 0, 0, 4, 'clamp')).toBeCloseTo(lin(10, 0, 4), 4);
  });
});
