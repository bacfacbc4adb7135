import { describe, expect, it } from 'vitest';
import { VolumeGeometry } from '../../src/core/geometry';
import type { Vec3 } from '../../src/core/vec3';
import { cArmGeometry, projectLps, renderDrrCpu, viewAngles, anglesForBeam, detectorPixelLps, huToMuPerMm, MU_WATER_PER_MM, pearson, type CArmSetup } from '../../src/scene/carm';

const IDENTITY = [1, 0, 0, 0, 1, 0, 0, 0, 1];

function setup(view: CArmSetup['view'], px = 64, iso: Vec3 = [0, 0, 0]): CArmSetup {
  return { view, isocentreLps: iso, sourceToIsocentreMm: 600, sourceToDetectorMm: 1000, detectorPx: [px, px], detectorMm: [200, 200] };
}

describe('C-arm poses', () => {
  it('named views have the documented beam and image axes (prone patient)', () => {
    const ap = cArmGeometry(setup('AP'));
    expect(ap.beamDir).toEqual([0, 1, 0]); // anterior → posterior: tube under the table
    expect(ap.uAxis).toEqual([1, -0, 0]); // image right = patient left (patient right on the image left)
    expect(ap.vAxis.map((x) => x + 0)).toEqual([0, 0, -1]); // image down = inferior
    expect(ap.sourceLps.map((x) => x + 0)).toEqual([0, -600, 0]);
    const lat = cArmGeometry(setup('lateral'));
    expect(lat.beamDir[0]).toBeCloseTo(1, 12); // tube on the right, detector on the left
    expect(lat.uAxis[1]).toBeCloseTo(-1, 12); // anterior on the image right
    const outlet = cArmGeometry(setup('outlet'));
    expect(outlet.beamDir[2]).toBeGreaterThan(0); // beam toward the head
    const inlet = cArmGeometry(setup('inlet'));
    expect(inlet.beamDir[2]).toBeLessThan(0);
    const lao = cArmGeometry(setup({ laoDeg: 30, cranialDeg: 0 }));
    expect(lao.beamDir[0]).toBeGreaterThan(0); // detector toward the patient's left
    for (const g of [ap, lat, outlet, inlet, lao, cArmGeometry(setup({ laoDeg: -47, cranialDeg: 22 }))]) {
      const d = g.beamDir, u = g.uAxis, v = g.vAxis;
      expect(Math.hypot(...d)).toBeCloseTo(1, 12);
      expect(d[0] * u[0] + d[1] * u[1] + d[2] * u[2]).toBeCloseTo(0, 12);
      expect(d[0] * v[0] + d[1] * v[1] + d[2] * v[2]).toBeCloseTo(0, 12);
      expect(u[0] * v[0] + u[1] * v[1] + u[2] * v[2]).toBeCloseTo(0, 12);
      const back = anglesForBeam(d);
      expect(back.laoDeg).toBeCloseTo(g.angles.laoDeg, 9);
      expect(back.cranialDeg).toBeCloseTo(g.angles.cranialDeg, 9);
    }
  });

  it('rejects bad poses and sizes with clear messages', () => {
    expect(() => viewAngles('PA' as 'AP')).toThrow(/unknown C-arm view/);
    expect(() => viewAngles({ laoDeg: NaN, cranialDeg: 0 })).toThrow(/finite/);
    expect(() => cArmGeometry({ ...setup('AP'), detectorPx: [0, 10] })).toThrow(/detector size/);
    expect(() => cArmGeometry({ ...setup('AP'), sourceToDetectorMm: 500 })).toThrow(/source-to-isocentre/);
    expect(() => anglesForBeam([0, 0, 0])).toThrow(/non-zero/);
  });

  it('projectLps matches the analytic pinhole projection and inverts detectorPixelLps', () => {
    const W = 101;
    const g = cArmGeometry(setup('AP', W));
    const pix = 200 / W;
    for (const p of [[10, 0, 0], [-23.5, 40, 17], [5, -80, -60]] as Vec3[]) {
      const m = 1000 / (p[1] + 600);
      const [u, v] = projectLps(g, p)!;
      expect(u).toBeCloseTo((W - 1) / 2 + (p[0] * m) / pix, 9);
      expect(v).toBeCloseTo((W - 1) / 2 - (p[2] * m) / pix, 9);
    }
    const lat = cArmGeometry(setup('lateral', W));
    const p: Vec3 = [30, -12, 25];
    const m = 1000 / (p[0] + 600);
    const [u, v] = projectLps(lat, p)!;
    expect(u).toBeCloseTo((W - 1) / 2 + (-p[1] * m) / pix, 9);
    expect(v).toBeCloseTo((W - 1) / 2 - (p[2] * m) / pix, 9);
    const oblique = cArmGeometry(setup({ laoDeg: 25, cranialDeg: -15 }, W, [3, 4, 5]));
    const det = detectorPixelLps([0, 0, 0], oblique, 17, 80);
    const [u2, v2] = projectLps(oblique, det)!;
    expect(u2).toBeCloseTo(17, 9);
    expect(v2).toBeCloseTo(80, 9);
    expect(projectLps(oblique, oblique.sourceLps)).toBeNull();
  });
});

describe('CPU DRR', () => {
  it('HU → μ: water μ_w, air 0, clipped at 0', () => {
    expect(huToMuPerMm(0)).toBe(MU_WATER_PER_MM);
    expect(huToMuPerMm(-1000)).toBe(0);
    expect(huToMuPerMm(-1200)).toBe(0);
    expect(huToMuPerMm(1000)).toBeCloseTo(2 * MU_WATER_PER_MM, 15);
  });

  it('a code-built cube gives the closed-form line integrals μ·(path length), for AP, lateral and oblique rays', () => {
    // 40 mm cube of HU 1000 (μ = 2 μ_w) in air, 1 mm voxels; its extent is the voxel faces.
    const n = 60, lo = 10, hi = 49; // voxels 10..49 → faces at 9.5 and 49.5 → 40 mm
    const geo = new VolumeGeometry({ dims: [n, n, n], spacingMm: [1, 1, 1], originLps: [-29.5, -29.5, -29.5], directionCosines: IDENTITY });
    const vox = new Int16Array(geo.voxelCount).fill(-1000);
    for (let k = lo; k <= hi; k++) for (let j = lo; j <= hi; j++) for (let i = lo; i <= hi; i++) vox[geo.offset(i, j, k)] = 1000;
    const before = vox.slice();
    const mu = 2 * MU_WATER_PER_MM;
    const boxLo: Vec3 = [-20, -20, -20], boxHi: Vec3 = [20, 20, 20];
    for (const view of ['AP', 'lateral', { laoDeg: 20, cranialDeg: 10 }] as const) {
      const g = cArmGeometry(setup(view, 48));
      const img = renderDrrCpu({ geometry: geo, voxels: vox }, g, { stepMm: 0.25 });
      let checked = 0, maxErr = 0;
      const det: Vec3 = [0, 0, 0];
      for (let v = 0; v < 48; v++) for (let u = 0; u < 48; u++) {
        detectorPixelLps(det, g, u, v);
        // closed form: slab intersection of the ray with the cube (and with a cube 1.5 mm smaller / larger
        // to keep only rays that cross the ramped border region squarely through two opposite faces)
        const s = g.sourceLps;
        const d: Vec3 = [det[0] - s[0], det[1] - s[1], det[2] - s[2]];
        const len = Math.hypot(...d);
        const chord = (shrink: number): { l: number; enterAxis: number; exitAxis: number } => {
          let t0 = -Infinity, t1 = Infinity, ea = -1, xa = -1;
          for (let a = 0; a < 3; a++) {
            let ta = (boxLo[a]! + shrink - s[a]!) / d[a]!, tb = (boxHi[a]! - shrink - s[a]!) / d[a]!;
            if (ta > tb) [ta, tb] = [tb, ta];
            if (ta > t0) { t0 = ta; ea = a; }
            if (tb < t1) { t1 = tb; xa = a; }
          }
          return { l: Math.max(0, t1 - t0) * len, enterAxis: ea, exitAxis: xa };
        };
        const exact = chord(0), inner = chord(1.5), outer = chord(-1.5);
        const value = img[v * 48 + u]!;
        if (outer.l === 0) { expect(value).toBe(0); continue; }
        if (inner.l === 0 || inner.enterAxis !== exact.enterAxis || inner.exitAxis !== exact.exitAxis || outer.enterAxis !== exact.enterAxis || outer.exitAxis !== exact.exitAxis || exact.enterAxis !== exact.exitAxis) continue;
        const want = mu * exact.l;
        maxErr = Math.max(maxErr, Math.abs(value - want) / want);
        checked++;
      }
      expect(checked).toBeGreaterThan(100);
      expect(maxErr).toBeLessThan(0.002);
    }
    expect(vox).toEqual(before);
  });

  it('pearson: 1 for an affine copy, rejects length mismatch', () => {
    const a = [1, 2, 3, 5, 8];
    expect(pearson(a, a.map((x) => 3 * x + 1))).toBeCloseTo(1, 12);
    expect(() => pearson([1], [1, 2])).toThrow(/lengths differ/);
  });
});
