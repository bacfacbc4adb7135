import { describe, it, expect } from 'vitest';
import { segmentSegmentDistance, capsuleClearance, segmentCanalDistance, minimiseConvex01 } from '../../src/planning/distance';
import { evaluateTrajectory } from '../../src/planning/trajectory';
import { buildSacralEnvelope, envelopeCrossings } from '../../src/planning/envelope';
import { BodyModel, fitAxisEllipse } from '../../src/planning/body';
import { bullsEyeAngles, detectorDirection, anglesOfDirection } from '../../src/planning/carm';
import { customNeedle, findNeedle, needleProblems, NEEDLE_CATALOGUE } from '../../src/planning/needles';
import { DEFAULT_THRESHOLDS } from '../../src/planning/types';
import { ablationZones, evaluateAblation, DEFAULT_ABLATION } from '../../src/planning/ablation';
import { lesionTargets, neuralDistanceMm } from '../../src/planning/targets';
import type { SacralAnatomy } from '../../src/anatomy/types';
import { VolumeGeometry } from '../../src/core/geometry';
import { createScalarVolume } from '../../src/core/volume';
import type { Vec3 } from '../../src/core/vec3';

describe('segment and capsule distances (closed form)', () => {
  it('skew perpendicular segments: the common perpendicular', () => {
    const r = segmentSegmentDistance([-10, 0, 0], [10, 0, 0], [0, -10, 7], [0, 10, 7]);
    expect(r.distance).toBeCloseTo(7, 12);
    expect(r.s).toBeCloseTo(0.5, 12);
    expect(r.t).toBeCloseTo(0.5, 12);
  });
  it('parallel, collinear-offset and end-to-end cases', () => {
    expect(segmentSegmentDistance([0, 0, 0], [10, 0, 0], [0, 3, 0], [10, 3, 0]).distance).toBeCloseTo(3, 12);
    expect(segmentSegmentDistance([0, 0, 0], [10, 0, 0], [13, 4, 0], [20, 4, 0]).distance).toBeCloseTo(5, 12);
    expect(segmentSegmentDistance([0, 0, 0], [0, 0, 0], [3, 4, 0], [3, 4, 0]).distance).toBeCloseTo(5, 12);
    expect(segmentSegmentDistance([0, 0, 0], [10, 0, 0], [5, 2, -1], [5, 2, 1]).distance).toBeCloseTo(2, 12);
  });
  it('needle capsule vs a foramen cylinder: axis distance minus both radii; tangent = 0; crossing = 0', () => {
    const r13 = 2.41 / 2;
    // foramen along y at x = 10, radius 4.5; needle along z at x = 0
    expect(capsuleClearance([0, 0, -20], [0, 0, 20], r13, [10, -15, 0], [10, 15, 0], 4.5)).toBeCloseTo(10 - 4.5 - r13, 12);
    expect(capsuleClearance([10 - 4.5 - r13, 0, -20], [10 - 4.5 - r13, 0, 20], r13, [10, -15, 0], [10, 15, 0], 4.5)).toBe(0);
    expect(capsuleClearance([10, 0, -20], [10, 0, 20], r13, [10, -15, 0], [10, 15, 0], 4.5)).toBe(0);
    // beyond the foramen's end the rounded cap counts: distance to the end point
    expect(capsuleClearance([10, 25, -5], [10, 25, 5], 0, [10, -15, 0], [10, 15, 0], 4.5)).toBeCloseTo(10 - 4.5, 12);
  });
  it('canal as round cones: a line passing beside a cylinder of radius 5 and a cone', () => {
    const c: Vec3[] = [[0, 0, 0], [0, 0, 40]];
    expect(segmentCanalDistance([8, -30, 20], [8, 30, 20], c, [5, 5]).distance).toBeCloseTo(3, 6);
    // balls of radius 8 → 4 over 40 mm: the side is a cone of half-angle asin(0.1) with its apex
    // at z = 80; a line at z = 20, 20 mm off the axis, is closest to it at y = 0
    const d = segmentCanalDistance([20, -30, 20], [20, 30, 20], c, [8, 4]).distance;
    expect(d).toBeCloseTo(Math.abs(20 * -Math.sqrt(0.99) + 60 * 0.1), 6);
    // level with the base, the end ball (radius 8) is nearest
    expect(segmentCanalDistance([20, -30, 0], [20, 30, 0], c, [8, 4]).distance).toBeCloseTo(12, 6);
    expect(segmentCanalDistance([0, -30, 20], [0, 30, 20], c, [5, 5]).distance).toBeCloseTo(-5, 6);
  });
  it('golden section finds the minimum of a convex function', () => {
    const [t, v] = minimiseConvex01((x) => (x - 0.3) ** 2 + 1);
    expect(t).toBeCloseTo(0.3, 6);
    expect(v).toBeCloseTo(1, 10);
  });
});

describe('needles and C-arm angles', () => {
  it('catalogue holds the study needles with the gauge diameters', () => {
    expect(findNeedle('13G-murphy-100')?.outerDiameterMm).toBe(2.41);
    expect(findNeedle('15G-truguide-138')?.workingLengthMm).toBe(138);
    expect(NEEDLE_CATALOGUE.filter((n) => n.kind === 'rf-electrode').map((n) => n.activeTipMm)).toEqual([10, 20, 30]);
    expect(customNeedle({ name: 'Jamshidi 11G', gauge: 11, workingLengthMm: 150 }).outerDiameterMm).toBe(3.05);
    expect(() => customNeedle({ name: 'x', outerDiameterMm: 0, workingLengthMm: 5 })).toThrow(/diameter.*length/);
    expect(needleProblems({ name: '' })).toHaveLength(3);
  });
  it('bull\'s-eye angles point the detector along the needle, hub side', () => {
    expect(bullsEyeAngles([0, 100, 0], [0, 0, 0])).toEqual({ laoDeg: 0, cranialDeg: 0 });
    const a = bullsEyeAngles([30, 80, -20], [5, 10, 3]);
    const d = detectorDirection(a.laoDeg, a.cranialDeg);
    const u = [25, 70, -23], n = Math.hypot(...u);
    for (let i = 0; i < 3; i++) expect(d[i]).toBeCloseTo(u[i]! / n, 12);
    expect(anglesOfDirection([1, 0, 0]).laoDeg).toBeCloseTo(90, 12);
  });
});

/**
 * A code-built "sacrum": bone voxels with centres at x ±30, y 0..40, z ±30 (so its surface is half a
 * voxel further out: y = −0.5 anteriorly), in soft tissue, in air; anterior = −y.
 */
function boxCase() {
  const geo = new VolumeGeometry({ dims: [100, 100, 80], spacingMm: [1, 1, 1], originLps: [-50, -30, -40], directionCosines: [1, 0, 0, 0, 1, 0, 0, 0, 1] });
  const vox = new Int16Array(geo.voxelCount);
  const mask = new Uint8Array(geo.voxelCount);
  const p: Vec3 = [0, 0, 0];
  for (let k = 0, n = 0; k < 80; k++) for (let j = 0; j < 100; j++) for (let i = 0; i < 100; i++, n++) {
    geo.ijkToLps(p, i, j, k);
    const inBox = Math.abs(p[0]) <= 30 && p[1] >= 0 && p[1] <= 40 && Math.abs(p[2]) <= 30;
    const inBody = (p[0] / 48) ** 2 + ((p[1] - 10) / 55) ** 2 <= 1;
    vox[n] = inBox ? 300 : inBody ? 40 : -1000;
    mask[n] = inBox ? 1 : 0;
  }
  const volume = createScalarVolume('box', geo, vox, 'HU', 'CT');
  const anatomy: SacralAnatomy = { foramina: [], canal: null, frame: null };
  return { volume, mask, anatomy };
}

describe('anterior cortex breach on a code-built volume', () => {
  const { volume, mask, anatomy } = boxCase();
  const env = buildSacralEnvelope(volume, mask, anatomy, { spacingMm: 1 })!;
  const ctx = { anatomy, frame: null, envelope: env, volume, thresholds: DEFAULT_THRESHOLDS };
  const needle = findNeedle('15G-truguide-138')!;
  it('a needle from the back stopping inside: no breach, tip-to-cortex distance measured', () => {
    const m = evaluateTrajectory(ctx, [0, 60, 0], [0, 10, 0], needle);
    expect(m.anteriorCortexBreach).toBe(false);
    expect(Math.abs(m.tipToAnteriorCortexMm! - 10.5)).toBeLessThan(0.1);
    expect(Math.abs(m.bonePathMm - 30.5)).toBeLessThan(0.1);
    expect(m.crossings.map((c) => `${c.kind} ${c.surface}`)).toEqual(['enter posterior']);
  });
  it('a needle overshooting the anterior surface by 4 mm: breach, fail', () => {
    const m = evaluateTrajectory(ctx, [0, 60, 0], [0, -4, 0], needle);
    expect(m.anteriorCortexBreach).toBe(true);
    expect(m.status).toBe('fail');
    expect(m.reasons.join(' ')).toMatch(/anterior sacral cortex/);
    const c = envelopeCrossings(env, null, [0, 60, 0], [0, -4, 0]);
    expect(Math.abs(c[1]!.atMm - 60.5)).toBeLessThan(0.1);
  });
  it('tip 3 mm from the anterior cortex warns; a path longer than the needle fails', () => {
    expect(evaluateTrajectory(ctx, [0, 60, 0], [0, 3, 0], needle).reasons.join(' ')).toMatch(/tip 3\.\d mm from the anterior cortex/);
    const long = evaluateTrajectory(ctx, [0, 200, 0], [0, 10, 0], needle);
    expect(long.status).toBe('fail');
    expect(long.reasons.join(' ')).toMatch(/longer than the 138 mm/);
  });
  it('skin entry: first air along the path, and an extrapolated outline beyond the image', () => {
    const body = new BodyModel(volume);
    const e = body.skinEntry([0, 10, 0], [0, 1, 0]);
    expect(e.kind).toBe('skin');
    expect(Math.abs(e.entryLps[1] - 65.5)).toBeLessThan(0.6);
    // laterally the body (48 mm semi-axis) reaches past the image edge (x = 49): extrapolated ellipse
    const l = body.skinEntry([0, 10, 0], [1, 0, 0]);
    expect(['skin', 'extrapolated']).toContain(l.kind);
    expect(Math.abs(l.entryLps[0] - 48)).toBeLessThan(1.5);
  });
  it('axis-aligned ellipse fit recovers an ellipse from a partial arc', () => {
    const pts: [number, number][] = [];
    for (let t = -1.2; t <= 1.2; t += 0.05) pts.push([10 + 165 * Math.sin(t), -35 + 120 * Math.cos(t)]);
    const e = fitAxisEllipse(pts)!;
    expect(e.cx).toBeCloseTo(10, 6); expect(e.cy).toBeCloseTo(-35, 6);
    expect(e.ax).toBeCloseTo(165, 6); expect(e.by).toBeCloseTo(120, 6);
  });
});

/** One foramen (radius 3 mm) along y at lateral position x. */
const foramenAt = (x: number): SacralAnatomy => ({ foramina: [{ id: 'S1_L', level: 'S1', side: 'L', anteriorLps: [x, -20, 0], posteriorLps: [x, 20, 0], radiusMm: 3, confidence: 1, source: 'manual' }], canal: null, frame: null });

describe('RF ablation zones', () => {
  const sphere = (c: Vec3, r: number): Float64Array => {
    const pts: number[] = [];
    for (let x = -r; x <= r; x += 0.5) for (let y = -r; y <= r; y += 0.5) for (let z = -r; z <= r; z += 0.5) if (x * x + y * y + z * z <= r * r) pts.push(c[0] + x, c[1] + y, c[2] + z);
    return Float64Array.from(pts);
  };
  it('a 2 cm tip burn is a 26 × 13.4 mm prolate ellipsoid centred 10 mm behind the tip; pull-backs step by the tip', () => {
    const z = ablationZones([0, 100, 0], [0, 0, 0], 20, { ...DEFAULT_ABLATION, burns: 2 });
    expect(z).toHaveLength(2);
    expect(z[0]!.lengthMm).toBe(26);
    expect(z[0]!.diameterMm).toBeCloseTo(13.4, 10);
    expect(z[0]!.centerLps[1]).toBeCloseTo(10, 10);
    expect(z[1]!.centerLps[1]).toBeCloseTo(30, 10);
  });
  it('coverage: a 4 mm-radius lesion inside the zone is covered; one straddling its narrow end 20–50 %', () => {
    const z = ablationZones([0, 100, 0], [0, 0, 0], 20, DEFAULT_ABLATION);
    expect(evaluateAblation(z, sphere([0, 10, 0], 4), null, DEFAULT_THRESHOLDS).coverage).toBe(1);
    const half = evaluateAblation(z, sphere([0, -3, 0], 4), null, DEFAULT_THRESHOLDS).coverage!;
    expect(half).toBeGreaterThan(0.2);
    expect(half).toBeLessThan(0.5);
  });
  it('neural margin: zone edge to a foramen surface (closed form 20 − 3 − 6.7 mm), warns under 10 mm', () => {
    const z = ablationZones([0, 100, 0], [0, 0, 0], 20, DEFAULT_ABLATION);
    const far = evaluateAblation(z, null, foramenAt(20), DEFAULT_THRESHOLDS);
    expect(far.neuralMarginMm!).toBeCloseTo(20 - 3 - 6.7, 0);
    expect(far.status).toBe('pass');
    const near = evaluateAblation(z, null, foramenAt(12), DEFAULT_THRESHOLDS);
    expect(near.status).toBe('warn');
    expect(near.reasons[0]).toMatch(/left S1 foramen/);
    expect(evaluateAblation(z, null, foramenAt(2), DEFAULT_THRESHOLDS).neuralMarginMm!).toBeLessThan(0);
  });
});

describe('lesion targets', () => {
  it('one target: the centre of a compact lesion; three targets spread along its long axis', () => {
    const pts: number[] = [];
    for (let x = -15; x <= 15; x += 1) for (let y = -3; y <= 3; y += 1) for (let z = -3; z <= 3; z += 1) pts.push(x, y, z);
    const p = Float64Array.from(pts);
    const [c] = lesionTargets(p, 1, null);
    expect(Math.hypot(...c!)).toBeLessThan(0.01);
    const three = lesionTargets(p, 3, null).map((t) => t[0]).sort((a, b) => a - b);
    expect(three[0]!).toBeLessThan(-7);
    expect(Math.abs(three[1]!)).toBeLessThan(2);
    expect(three[2]!).toBeGreaterThan(7);
  });
  it('a target next to a foramen moves to the bony side of the lesion', () => {
    const pts: number[] = [];
    for (let x = -6; x <= 6; x += 1) for (let y = -6; y <= 6; y += 1) for (let z = -6; z <= 6; z += 1) if (x * x + y * y + z * z <= 36) pts.push(x, y, z);
    const [t] = lesionTargets(Float64Array.from(pts), 1, foramenAt(1.5));
    expect(neuralDistanceMm(foramenAt(1.5), t![0], t![1], t![2])).toBeGreaterThan(2);
  });
});
