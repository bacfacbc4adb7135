import { describe, it, expect } from 'vitest';
import { predictCement, cementVolumeForFilling, STUDY_FILLING } from '../../src/planning/cement';
import { buildSacralEnvelope } from '../../src/planning/envelope';
import { LabelMap } from '../../src/segmentation/labelmap';
import { VolumeGeometry } from '../../src/core/geometry';
import { createScalarVolume } from '../../src/core/volume';
import type { SacralAnatomy } from '../../src/anatomy/types';
import type { Vec3 } from '../../src/core/vec3';

/** A bone block (x ±25, y 0..40, z ±25; 250 HU) holding a lytic ball (r 6 mm at (0, 20, 0), 30 HU, label 1). */
function blockCase() {
  const geo = new VolumeGeometry({ dims: [70, 60, 60], spacingMm: [1, 1, 1], originLps: [-34.5, -9.5, -29.5], directionCosines: [1, 0, 0, 0, 1, 0, 0, 0, 1] });
  const vox = new Int16Array(geo.voxelCount);
  const mask = new Uint8Array(geo.voxelCount);
  const labels = new LabelMap(geo);
  const p: Vec3 = [0, 0, 0];
  let lesion = 0;
  for (let k = 0, n = 0; k < 60; k++) for (let j = 0; j < 60; j++) for (let i = 0; i < 70; i++, n++) {
    geo.ijkToLps(p, i, j, k);
    const inBox = Math.abs(p[0]) <= 25 && p[1] >= 0 && p[1] <= 40 && Math.abs(p[2]) <= 25;
    const inBall = Math.hypot(p[0], p[1] - 20, p[2]) <= 6;
    vox[n] = inBall ? 30 : inBox ? 250 : 40;
    mask[n] = inBox ? 1 : 0;
    if (inBall) { labels.set(n, 1); lesion++; }
  }
  const volume = createScalarVolume('block', geo, vox, 'HU', 'CT');
  const none: SacralAnatomy = { foramina: [], canal: null, frame: null };
  const env = buildSacralEnvelope(volume, mask, none, { spacingMm: 1 })!;
  return { volume, labels, env, lesionMl: lesion / 1000, none };
}

describe('cement deposit prediction', () => {
  const c = blockCase();
  it('fills the lytic cavity first: planned = lesion volume fills ≥ 95 % of it, filling ratio ≈ 1', () => {
    const r = predictCement(c.volume, c.labels, 1, c.env, null, c.none, [0, 20, 0], c.lesionMl);
    expect(r.volumeMl).toBeCloseTo(c.lesionMl, 3);
    expect(r.lesionFilled!).toBeGreaterThan(0.95);
    expect(r.fillingRatio!).toBeGreaterThan(0.95);
    expect(r.fillingRatio!).toBeLessThan(1.15);
  });
  it('more cement spreads into bone but never past the sacral wall; the wall is reported', () => {
    const r = predictCement(c.volume, c.labels, 1, c.env, null, c.none, [0, 20, 0], 150);
    // the block holds 51 × 41 × 51 voxels; the deposit keeps 0.5 mm inside its surface
    expect(r.volumeMl).toBeLessThan(51 * 41 * 51 / 1000);
    expect(r.volumeMl).toBeGreaterThan(80);
    expect(r.stopSurfaces.length).toBeGreaterThan(0);
    expect(r.reasons[0]).toMatch(/no room left/);
    for (const o of r.offsets) expect(c.labels.data.length).toBeGreaterThan(o);
  });
  it('stops 1 mm short of a foramen and names it', () => {
    const anatomy: SacralAnatomy = { foramina: [{ id: 'S1_R', level: 'S1', side: 'R', anteriorLps: [-10, 0, 0], posteriorLps: [-10, 40, 0], radiusMm: 3, confidence: 1, source: 'manual' }], canal: null, frame: null };
    const r = predictCement(c.volume, c.labels, 1, c.env, null, anatomy, [0, 20, 0], 3);
    const geo = c.volume.geometry;
    const p: Vec3 = [0, 0, 0];
    let closest = Infinity;
    for (const o of r.offsets) {
      const k = Math.floor(o / (70 * 60)), rr = o - k * 70 * 60, j = Math.floor(rr / 70), i = rr - j * 70;
      geo.ijkToLps(p, i, j, k);
      closest = Math.min(closest, Math.hypot(p[0] + 10, p[2]) - 3);
    }
    expect(closest).toBeGreaterThanOrEqual(1);
    expect(r.stopSurfaces).toContain('edge of the right S1 foramen');
  });
  it('aims the volume at the study\'s filling: the deposit\'s ratio lands in 76–85 %, with less cement than the lesion holds', () => {
    const fillingAt = (ml: number) => predictCement(c.volume, c.labels, 1, c.env, null, c.none, [0, 20, 0], ml).fillingRatio;
    const r = cementVolumeForFilling(fillingAt, 8);
    expect(r.reached).toBe(true);
    expect(r.fillingRatio!).toBeGreaterThanOrEqual(STUDY_FILLING[0]);
    expect(r.fillingRatio!).toBeLessThanOrEqual(STUDY_FILLING[1] + 0.05);
    expect(fillingAt(r.ml)!).toBeCloseTo(r.fillingRatio!, 6);
    expect(r.ml).toBeLessThan(c.lesionMl);
  });
  it('says so when even 8 mL cannot reach 76 % (the deposit is hemmed in)', () => {
    const r = cementVolumeForFilling(() => 0.5, 8);
    expect(r).toEqual({ ml: 8, fillingRatio: 0.5, reached: false });
  });
});
