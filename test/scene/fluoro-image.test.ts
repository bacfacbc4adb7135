/**
 * The fluoroscopy image: the bone-weighted attenuation model, the predicted cement added to the line
 * integrals (equal to re-rendering the DRR with the cement in the volume), and the display's range
 * compression and window.
 */
import { describe, expect, it } from 'vitest';
import { VolumeGeometry } from '../../src/core/geometry';
import type { Vec3 } from '../../src/core/vec3';
import { cArmGeometry, renderDrrCpu, huToMuPerMm, CT_ENERGY, FLUORO_ENERGY, type CArmSetup } from '../../src/scene/carm';
import { cementLineIntegrals, compressRange, gaussianBlur, toGreyRgba, CEMENT_HU } from '../../src/scene/fluoro-image';

const IDENTITY = [1, 0, 0, 0, 1, 0, 0, 0, 1];

function setup(view: CArmSetup['view'], px: number, iso: Vec3 = [0, 0, 0]): CArmSetup {
  return { view, isocentreLps: iso, sourceToIsocentreMm: 600, sourceToDetectorMm: 1000, detectorPx: [px, px], detectorMm: [120, 120] };
}

describe('attenuation models', () => {
  it('CT energy is linear in HU; the C-arm energy scales positive CT numbers only', () => {
    expect(huToMuPerMm(1000)).toBeCloseTo(0.04, 12);
    expect(huToMuPerMm(1000, CT_ENERGY)).toBeCloseTo(0.04, 12);
    expect(huToMuPerMm(1000, FLUORO_ENERGY)).toBeCloseTo(0.0268 * 3.3, 12);
    expect(huToMuPerMm(-500, FLUORO_ENERGY)).toBeCloseTo(0.0268 * 0.5, 12);
    expect(huToMuPerMm(-1200, FLUORO_ENERGY)).toBe(0);
    // bone/water contrast grows with the scale: (μ(1000 HU) − μ_w) / μ_w
    expect(huToMuPerMm(1000, FLUORO_ENERGY) / huToMuPerMm(0, FLUORO_ENERGY) - 1).toBeCloseTo(2.3, 12);
  });
});

describe('cement on the fluoroscopy', () => {
  // 48³ grid of 1 × 1 × 1.5 mm, water with a bone slab, an 8 × 6 × 5 voxel deposit off-centre
  const geometry = new VolumeGeometry({ dims: [48, 48, 48], spacingMm: [1, 1, 1.5], originLps: [-23.5, -23.5, -35.25], directionCosines: IDENTITY });
  const [ni, nj] = geometry.dims;
  const voxels = new Int16Array(geometry.voxelCount);
  for (let k = 0; k < 48; k++) for (let j = 0; j < 48; j++) for (let i = 0; i < 48; i++) voxels[i + ni * (j + nj * k)] = j > 30 ? 700 : 40;
  const cement = new Uint8Array(geometry.voxelCount);
  const box: [[number, number, number], [number, number, number]] = [[20, 18, 22], [27, 23, 26]];
  const withCement = Int16Array.from(voxels);
  for (let k = box[0][2]; k <= box[1][2]; k++) for (let j = box[0][1]; j <= box[1][1]; j++) for (let i = box[0][0]; i <= box[1][0]; i++) {
    cement[i + ni * (j + nj * k)] = 1;
    withCement[i + ni * (j + nj * k)] = CEMENT_HU;
  }

  for (const view of ['AP', 'lateral', { laoDeg: 35, cranialDeg: 20 }] as const) {
    it(`adds what re-rendering with the cement adds (${JSON.stringify(view)})`, () => {
      const g = cArmGeometry(setup(view, 96, [1.5, -2, 0.75]));
      const base = renderDrrCpu({ geometry, voxels }, g, { model: FLUORO_ENERGY, stepMm: 0.25 });
      const full = renderDrrCpu({ geometry, voxels: withCement }, g, { model: FLUORO_ENERGY, stepMm: 0.25 });
      const { added, voxels: n } = cementLineIntegrals({ geometry, voxels, cement, boxes: [box] }, g, FLUORO_ENERGY);
      expect(n).toBe(8 * 6 * 5);
      let sumTruth = 0, sumSplat = 0, peakTruth = 0, peakAt = 0;
      for (let q = 0; q < added.length; q++) {
        const truth = full[q]! - base[q]!;
        sumTruth += truth; sumSplat += added[q]!;
        if (truth > peakTruth) { peakTruth = truth; peakAt = q; }
      }
      // the same attenuation in all (the image's integral), and the same line integral where it is thickest
      expect(sumSplat / sumTruth).toBeGreaterThan(0.97);
      expect(sumSplat / sumTruth).toBeLessThan(1.03);
      const blurred = gaussianBlur(added, g.widthPx, g.heightPx, 0.8), truthImg = new Float32Array(added.length);
      for (let q = 0; q < added.length; q++) truthImg[q] = full[q]! - base[q]!;
      const truthBlur = gaussianBlur(truthImg, g.widthPx, g.heightPx, 0.8);
      expect(Math.abs(blurred[peakAt]! - truthBlur[peakAt]!) / truthBlur[peakAt]!).toBeLessThan(0.1);
      // nothing far from the deposit
      const W = g.widthPx, pu = peakAt % W, pv = Math.floor(peakAt / W);
      for (let q = 0; q < added.length; q++) if (Math.hypot((q % W) - pu, Math.floor(q / W) - pv) > 25) expect(added[q]).toBe(0);
    });
  }
});

describe('display', () => {
  it('keeps a thin dense rod visible on a body of varying thickness; a flat image gives a valid window', () => {
    const W = 128, H = 128;
    const L = new Float32Array(W * H);
    for (let v = 0; v < H; v++) for (let u = 0; u < W; u++) L[v * W + u] = 2 + 4 * (u / W) + (Math.abs(v - 64) <= 1 ? 0.3 : 0);
    const { values, window } = compressRange(L, W, H);
    const grey = toGreyRgba(values, window);
    // the rod darker than the rows beside it, at the thin and the thick end
    for (const u of [30, 98]) expect(grey[4 * (64 * W + u)]!).toBeLessThan(grey[4 * (50 * W + u)]! - 40);
    const flat = compressRange(new Float32Array(W * H).fill(3), W, H);
    expect(flat.window.hi).toBeGreaterThan(flat.window.lo);
    expect([...toGreyRgba(flat.values, flat.window).slice(0, 4)].every(Number.isFinite)).toBe(true);
  });
});
