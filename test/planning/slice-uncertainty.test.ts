/**
 * The verdict of a needle near a foramen or the canal found on thick slices is taken on the clearance less the
 * landmark's half-slice uncertainty along the slice axis (planning/slice-uncertainty.ts); the clearance itself is
 * unchanged, and thin slices change nothing.
 */
import { describe, expect, it } from 'vitest';
import { VolumeGeometry } from '../../src/core/geometry';
import { createScalarVolume, type ScalarVolume } from '../../src/core/volume';
import type { Vec3 } from '../../src/core/vec3';
import type { SacralAnatomy } from '../../src/anatomy/types';
import { evaluateTrajectory } from '../../src/planning/trajectory';
import { clearanceUncertaintyMm, closestOnPolylineLps, sliceAllowanceNote, thickSliceMm } from '../../src/planning/slice-uncertainty';
import { DEFAULT_THRESHOLDS, type Needle } from '../../src/planning/types';

const LINE: Needle = { id: 'line', name: 'line', gauge: null, kind: 'custom', outerDiameterMm: 0, workingLengthMm: 1000, source: 'test' };

function volumeOf(sliceMm: number, directionCosines = [1, 0, 0, 0, 1, 0, 0, 0, 1]): ScalarVolume {
  const nz = Math.ceil(80 / sliceMm);
  const geo = new VolumeGeometry({ dims: [80, 80, nz], spacingMm: [1, 1, sliceMm], originLps: [-40, -40, -40], directionCosines });
  return createScalarVolume('empty', geo, new Float32Array(geo.voxelCount), 'HU', 'CT');
}

// one foramen along y at x = 20, z = 0 (radius 2.5); the canal along z at the origin (radius 5)
const anatomy = (withCanal: boolean): SacralAnatomy => ({
  foramina: [{ id: 'S2_L', level: 'S2', side: 'L', anteriorLps: [20, -10, 0], posteriorLps: [20, 10, 0], radiusMm: 2.5, confidence: 1, source: 'auto' }],
  canal: withCanal ? { centerlineLps: [[0, 0, -30], [0, 0, 30]], radiusMm: [5, 5], confidence: 1, source: 'auto' } : null,
  frame: null,
});
const ctxOf = (sliceMm: number, withCanal = false) => ({ anatomy: anatomy(withCanal), frame: null, envelope: null, volume: volumeOf(sliceMm), thresholds: DEFAULT_THRESHOLDS });

describe('clearances on thick slices: the verdict allows for the landmark\'s place within a slice', () => {
  it('5 mm slices, the needle passing above the foramen (along the slice axis): 3.5 mm read, judged 1.0 mm, fail', () => {
    // needle along x at z = 6: 6 − 2.5 = 3.5 mm from the foramen's surface, straight up the slice axis
    const m = evaluateTrajectory(ctxOf(5), [40, 0, 6], [15, 0, 6], LINE);
    const f = m.foramina[0]!;
    expect(f.clearanceMm).toBeCloseTo(3.5, 6);
    expect(f.sliceUncertaintyMm).toBeCloseTo(2.5, 6);
    expect(m.status).toBe('fail');
    expect(m.reasons.join(' ')).toMatch(/3\.5 mm \(1\.0 mm allowing 2\.5 mm for the landmark's place within a 5\.0 mm slice\) from the left S2 foramen, fail < 2 mm/);
  });

  it('the same needle on 1 mm slices: 3.5 mm, warn, no uncertainty', () => {
    const m = evaluateTrajectory(ctxOf(1), [40, 0, 6], [15, 0, 6], LINE);
    expect(m.foramina[0]!.clearanceMm).toBeCloseTo(3.5, 6);
    expect(m.foramina[0]!.sliceUncertaintyMm).toBeUndefined();
    expect(m.status).toBe('warn');
    expect(m.reasons.join(' ')).toMatch(/^3\.5 mm from the left S2 foramen, warn < 5 mm/);
  });

  it('5 mm slices, the needle passing beside the foramen in the slice plane: no uncertainty, warn', () => {
    // needle along z at x = 26: 6 − 2.5 = 3.5 mm, across the slice axis
    const m = evaluateTrajectory(ctxOf(5), [26, 0, 30], [26, 0, -30], LINE);
    expect(m.foramina[0]!.clearanceMm).toBeCloseTo(3.5, 6);
    expect(m.foramina[0]!.sliceUncertaintyMm).toBeCloseTo(0, 6);
    expect(m.status).toBe('warn');
  });

  it('the canal: a needle 3 mm above the canal\'s end cap on 5 mm slices is judged fail, on 1 mm slices warn', () => {
    // needle along x at z = 30 + 5 + 3 = 38 above the capped end: 3 mm, along the slice axis
    const thick = evaluateTrajectory(ctxOf(5, true), [15, 0, 38], [-15, 0, 38], LINE);
    expect(thick.canalClearanceMm).toBeCloseTo(3, 3);
    expect(thick.canalSliceUncertaintyMm).toBeCloseTo(2.5, 3);
    expect(thick.reasons.join(' ')).toMatch(/from the sacral canal, fail < 2 mm/);
    const thin = evaluateTrajectory(ctxOf(1, true), [15, 0, 38], [-15, 0, 38], LINE);
    expect(thin.canalSliceUncertaintyMm).toBeUndefined();
    expect(thin.reasons.join(' ')).toMatch(/3\.0 mm from the sacral canal, warn < 5 mm/);
  });

  it('the slice axis is the volume\'s own (sagittal slices: along L–R)', () => {
    const sag = volumeOf(5, [0, 1, 0, 0, 0, 1, 1, 0, 0]);
    expect(thickSliceMm(sag)).toBe(5);
    expect(clearanceUncertaintyMm(sag, [0, 0, 0], [4, 0, 0])).toBeCloseTo(2.5, 6);
    expect(clearanceUncertaintyMm(sag, [0, 0, 0], [0, 0, 4])).toBeCloseTo(0, 6);
    expect(clearanceUncertaintyMm(sag, [0, 0, 0], [3, 0, 4])).toBeCloseTo(1.5, 6);
    // 2 mm slices: thin (no uncertainty)
    expect(thickSliceMm(volumeOf(2))).toBe(0);
    expect(closestOnPolylineLps([[0, 0, 0], [0, 0, 10]], [3, 0, 4])).toEqual([0, 0, 4]);
  });

  it('the closest point of a polyline (the canal\'s centre line) is the nearest of 200 random points\' dense samples, within 0.01 mm, and lies on the line', () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 60 - 30;
    for (let trial = 0; trial < 200; trial++) {
      const line: Vec3[] = [];
      for (let i = 0, n = 2 + (trial % 4); i < n; i++) line.push([rnd(), rnd(), rnd()]);
      if (trial % 10 === 0) line.push([...line[line.length - 1]!]); // a repeated point: a zero-length segment
      const p: Vec3 = [rnd(), rnd(), rnd()];
      const q = closestOnPolylineLps(line, p);
      let best = Infinity;
      for (let i = 0; i + 1 < line.length; i++) for (let k = 0; k <= 20000; k++) {
        const a = line[i]!, b = line[i + 1]!, t = k / 20000;
        best = Math.min(best, Math.hypot(a[0] + (b[0] - a[0]) * t - p[0], a[1] + (b[1] - a[1]) * t - p[1], a[2] + (b[2] - a[2]) * t - p[2]));
      }
      const got = Math.hypot(q[0] - p[0], q[1] - p[1], q[2] - p[2]);
      expect(got).toBeLessThanOrEqual(best + 1e-9);
      expect(got).toBeGreaterThan(best - 0.01);
    }
  });

  it('the plan panel\'s and the report\'s note: the clearance the verdict took and the allowance, none on thin slices', () => {
    expect(sliceAllowanceNote(3.5, 2.5)).toBe(' (1.0 mm allowing 2.5 mm for thick slices)');
    expect(sliceAllowanceNote(1.0, 2.5)).toBe(' (0.0 mm allowing 2.5 mm for thick slices)');
    expect(sliceAllowanceNote(3.5, undefined)).toBe('');
    expect(sliceAllowanceNote(3.5, 0.01)).toBe('');
  });
});
