import { describe, expect, it } from 'vitest';
import { LabelMap } from '../../src/segmentation/labelmap';
import { lesionStats, cohortZ, symmetricEigen3 } from '../../src/segmentation/stats';
import type { Vec3 } from '../../src/core/vec3';
import { ellipsoid, hashBytes, makeGeometry, makeVolume, rasterize, rotation } from './fixtures';

const diag = (s: Vec3) => Math.hypot(s[0], s[1], s[2]);

describe('lesion volume by voxel counting', () => {
  it('a 10 mm cube at 0.5 mm spacing is exactly 1.000 mL', () => {
    const geom = makeGeometry([40, 40, 40], [0.5, 0.5, 0.5]);
    // voxel centres at (n - 19.5)·0.5: 20 centres per axis fall in [-5, 5)
    const labels = rasterize(geom, (p) => p.every((x) => x >= -5 && x < 5));
    const s = lesionStats(labels, 1)!;
    expect(s.voxelCount).toBe(8000);
    expect(s.volumeMl).toBeCloseTo(1.0, 12);
    expect(s.centroidLps.map((x) => Math.abs(x) < 1e-9)).toEqual([true, true, true]);
  });

  const cases: { name: string; spacing: Vec3; rot: Vec3; tol: number; reverseK?: boolean }[] = [
    { name: 'axial 0.5 mm', spacing: [0.5, 0.5, 0.5], rot: [0, 0, 0], tol: 0.02 },
    { name: 'axial 1x1x1 mm', spacing: [1, 1, 1], rot: [0, 0, 0], tol: 0.02 },
    { name: 'oblique 0.8x0.8x1 mm', spacing: [0.8, 0.8, 1], rot: [25, -15, 40], tol: 0.02 },
    { name: 'coronal-like 0.7x0.9x1 mm', spacing: [0.7, 0.9, 1], rot: [90, 0, 0], tol: 0.02 },
    { name: 'reversed slices 1 mm', spacing: [1, 1, 1], rot: [0, 0, 0], tol: 0.02, reverseK: true },
    { name: 'anisotropic 0.7x0.7x3 mm', spacing: [0.7, 0.7, 3], rot: [0, 0, 0], tol: 0.05 },
    { name: 'oblique anisotropic 0.7x0.7x3 mm', spacing: [0.7, 0.7, 3], rot: [10, 35, -20], tol: 0.05 },
  ];
  const shapeAxes = rotation(30, 50, -10);
  for (const c of cases) {
    it(`sphere and rotated ellipsoid, ${c.name}`, () => {
      const dims: [number, number, number] = [Math.ceil(44 / c.spacing[0]), Math.ceil(44 / c.spacing[1]), Math.ceil(44 / c.spacing[2])];
      const geom = makeGeometry(dims, c.spacing, c.rot, [3, -2, 1], c.reverseK);
      const center: Vec3 = [3.3, -1.6, 1.4];
      // sphere r = 12 mm (7.24 mL)
      const r = 12;
      const sph = lesionStats(rasterize(geom, ellipsoid(center, [r, r, r])), 1)!;
      const vs = (4 / 3) * Math.PI * r ** 3 / 1000;
      expect(Math.abs(sph.volumeMl / vs - 1)).toBeLessThan(c.tol);
      expect(Math.abs(sph.maxDiameterMm - 2 * r)).toBeLessThan(diag(c.spacing));
      for (let a = 0; a < 3; a++) expect(Math.abs(sph.principalDiametersMm[a]! - 2 * r)).toBeLessThan(diag(c.spacing));
      expect(Math.hypot(sph.centroidLps[0] - center[0], sph.centroidLps[1] - center[1], sph.centroidLps[2] - center[2])).toBeLessThan(0.25 * diag(c.spacing));
      // ellipsoid 13 x 9 x 6 mm semi-axes, rotated
      const semi: Vec3 = [13, 9, 6];
      const ell = lesionStats(rasterize(geom, ellipsoid(center, semi, shapeAxes)), 1)!;
      const ve = (4 / 3) * Math.PI * semi[0] * semi[1] * semi[2] / 1000;
      expect(Math.abs(ell.volumeMl / ve - 1)).toBeLessThan(c.tol);
      expect(Math.abs(ell.maxDiameterMm - 26)).toBeLessThan(diag(c.spacing));
      for (let a = 0; a < 3; a++) {
        expect(Math.abs(ell.principalDiametersMm[a]! - 2 * semi[a]!)).toBeLessThan(diag(c.spacing));
        // principal axis a is parallel to the ellipsoid's axis a
        const u = ell.principalAxes[a]!, w = shapeAxes[a]!;
        expect(Math.abs(u[0] * w[0] + u[1] * w[1] + u[2] * w[2])).toBeGreaterThan(0.99);
      }
      // ABC/2 on principal axes of an ellipsoid ≈ 4abc/1000 mL (= 6/π · true volume / 2 … i.e. ≈ 0.955 × V)
      expect(ell.abcPrincipal.volumeMl).toBeCloseTo((ell.principalDiametersMm[0] * ell.principalDiametersMm[1] * ell.principalDiametersMm[2]) / 2000, 12);
      const relTol = semi.reduce((acc, x) => acc + diag(c.spacing) / (2 * x), 0);
      expect(Math.abs(ell.abcPrincipal.volumeMl / ((4 * semi[0] * semi[1] * semi[2]) / 1000) - 1)).toBeLessThan(relTol);
    });
  }

  it('orientation does not change the measurements of the same anatomy', () => {
    const center: Vec3 = [1, 2, 3];
    const semi: Vec3 = [11, 8, 6];
    const axes = rotation(10, 20, 30);
    const vols: number[] = [], feret: number[] = [];
    for (const rot of [[0, 0, 0], [90, 0, 0], [0, 90, 0], [33, 12, -47]] as Vec3[]) {
      const geom = makeGeometry([56, 56, 56], [0.8, 0.8, 0.8], rot, center);
      const s = lesionStats(rasterize(geom, ellipsoid(center, semi, axes)), 1)!;
      vols.push(s.volumeMl); feret.push(s.maxDiameterMm);
    }
    const v0 = (4 / 3) * Math.PI * 11 * 8 * 6 / 1000;
    for (const v of vols) expect(Math.abs(v / v0 - 1)).toBeLessThan(0.01);
    for (const f of feret) expect(Math.abs(f - 22)).toBeLessThan(diag([0.8, 0.8, 0.8]));
  });
});

describe('ABC/2', () => {
  it('axial ABC/2 of an axis-aligned ellipsoid: A = 2a, B = 2b, C = 2c (within a voxel), V = ABC/2', () => {
    const geom = makeGeometry([50, 50, 40], [0.5, 0.5, 0.5]);
    const semi: Vec3 = [10, 6, 4];
    const s = lesionStats(rasterize(geom, ellipsoid([0.1, 0.2, 0.05], semi)), 1)!;
    const a = s.abcAxial;
    expect(Math.abs(a.aMm - 20)).toBeLessThan(0.5 * Math.SQRT2 + 1e-9);
    expect(Math.abs(a.bMm - 12)).toBeLessThan(0.5 * Math.SQRT2 + 1e-9);
    expect(Math.abs(a.cMm - 8)).toBeLessThanOrEqual(0.5 + 1e-9);
    expect(a.volumeMl).toBeCloseTo((a.aMm * a.bMm * a.cMm) / 2000, 12);
    // A is along L (x) for this ellipsoid
    expect(Math.abs(a.aDirection[0])).toBeGreaterThan(0.99);
    // ABC/2 reads ≈ 4.5 % below the ellipsoid volume πABC/6 (DOMAIN.md §5)
    expect(a.volumeMl / s.volumeMl).toBeGreaterThan(0.9);
    expect(a.volumeMl / s.volumeMl).toBeLessThan(1.05);
    // Kothari weighting counts fewer slices
    expect(s.abcAxialKothari.cMm).toBeLessThan(a.cMm);
  });

  it('axial ABC/2 of a box: A = centre diagonal + w/2, B = 2ab/diagonal + w, C = height', () => {
    const geom = makeGeometry([60, 60, 30], [0.5, 0.5, 1]);
    // 16 x 8 mm in plane (voxel-centre extents 15.5 x 7.5 + one voxel = 16 x 8), 10 slices of 1 mm
    const labels = rasterize(geom, (p) => Math.abs(p[0]) < 8 && Math.abs(p[1]) < 4 && p[2] > -5 && p[2] < 5);
    const s = lesionStats(labels, 1)!;
    const a = s.abcAxial;
    const dcc = Math.hypot(15.5, 7.5); // centre-to-centre diagonal
    const u = [15.5 / dcc, 7.5 / dcc];
    expect(a.aMm).toBeCloseTo(dcc + 0.25 * (u[0]! + u[1]!), 9);
    expect(a.bMm).toBeCloseTo((2 * 15.5 * 7.5) / dcc + 0.5 * (u[0]! + u[1]!), 9);
    expect(a.cMm).toBeCloseTo(10, 12);
    expect(a.sliceCount).toBe(10);
    expect(a.volumeMl).toBeCloseTo((a.aMm * a.bMm * a.cMm) / 2000, 12);
  });
});

describe('other statistics', () => {
  it('image values, exceeds30mm and cohort z-scores', () => {
    const geom = makeGeometry([40, 40, 40], [1, 1, 1]);
    const inside = ellipsoid([0, 0, 0], [16, 5, 5]);
    const labels = rasterize(geom, inside);
    const vol = makeVolume(geom, (p) => (inside(p) ? 30 + (p[0] > 0 ? 10 : -10) : 250));
    const s = lesionStats(labels, 1, vol)!;
    expect(s.values!.min).toBe(20);
    expect(s.values!.max).toBe(40);
    expect(Math.abs(s.values!.mean - 30)).toBeLessThan(1);
    expect(s.values!.sd).toBeGreaterThan(9.9);
    expect(s.exceeds30mm).toBe(true);
    expect(cohortZ(7.22)['PSP+RFA']).toBeCloseTo(0, 12);
    expect(cohortZ(6.69 + 1.96).PSP).toBeCloseTo(1, 12);
    expect(s.cohortZ.PSP).toBeCloseTo((s.volumeMl - 6.69) / 1.96, 12);
  });

  it('reads its inputs only', () => {
    const geom = makeGeometry([30, 30, 30], [1, 1, 1]);
    const labels = rasterize(geom, ellipsoid([0, 0, 0], [8, 6, 5]));
    const vol = makeVolume(geom, (p) => p[0]);
    const h1 = hashBytes(labels.data), h2 = hashBytes(vol.voxels), v = labels.version;
    lesionStats(labels, 1, vol);
    expect(hashBytes(labels.data)).toBe(h1);
    expect(hashBytes(vol.voxels)).toBe(h2);
    expect(labels.version).toBe(v);
    expect(lesionStats(labels, 2)).toBeNull();
  });

  it('symmetric eigen-decomposition', () => {
    const R = rotation(20, -30, 70);
    const d = [9, 4, 1];
    const S = [0, 1, 2].map((r) => [0, 1, 2].map((c) => R.reduce((acc, u, a) => acc + d[a]! * u[r]! * u[c]!, 0)));
    const { values, vectors } = symmetricEigen3([S[0]![0]!, S[0]![1]!, S[0]![2]!, S[1]![1]!, S[1]![2]!, S[2]![2]!]);
    expect(values[0]).toBeCloseTo(9, 10); expect(values[1]).toBeCloseTo(4, 10); expect(values[2]).toBeCloseTo(1, 10);
    for (let a = 0; a < 3; a++) {
      const u = vectors[a]!, w = R[a]!;
      expect(Math.abs(u[0] * w[0] + u[1] * w[1] + u[2] * w[2])).toBeCloseTo(1, 9);
    }
  });

  it('is fast for a 7 mL lesion on a 0.7 x 0.7 x 1 mm grid (< 50 ms budget; 250 ms test guard)', () => {
    const geom = makeGeometry([80, 80, 60], [0.7, 0.7, 1]);
    const r = Math.cbrt((7000 * 3) / (4 * Math.PI));
    const labels = rasterize(geom, ellipsoid([0, 0, 0], [r, r, r]));
    lesionStats(labels, 1);
    const t0 = performance.now();
    const s = lesionStats(labels, 1)!;
    const ms = performance.now() - t0;
    expect(Math.abs(s.volumeMl - 7)).toBeLessThan(0.1);
    expect(ms).toBeLessThan(250);
  });
});

describe('LabelMap index', () => {
  it('tracks counts and boxes; tightBox rescans after erasing', () => {
    const geom = makeGeometry([10, 10, 10], [1, 1, 1]);
    const lm = new LabelMap(geom);
    lm.set(geom.offset(2, 3, 4), 5);
    lm.set(geom.offset(7, 1, 8), 5);
    expect(lm.count(5)).toBe(2);
    expect(lm.box(5)).toEqual([2, 1, 4, 7, 3, 8]);
    lm.set(geom.offset(7, 1, 8), 0);
    expect(lm.box(5)).toEqual([2, 1, 4, 7, 3, 8]);
    expect(lm.tightBox(5)).toEqual([2, 3, 4, 2, 3, 4]);
    expect(lm.labelsInUse()).toEqual([5]);
    expect(lm.nextFreeLabel()).toBe(1);
    expect(lm.count(0)).toBe(999);
  });
});
