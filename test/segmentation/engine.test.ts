/**
 * The SegmentationEngine as the app drives it: one-click growth of each demo lesion, a brush drag
 * as one undo step, erase of one lesion only, delete, undo/redo, statistics after each command.
 */
import { describe, expect, it } from 'vitest';
import { makeDemoPhantom } from '../../src/demo/phantom';
import { SegmentationEngine } from '../../src/segmentation/engine';

/** Byte equality of two typed arrays (vitest's deep equality is slow on millions of elements). */
const sameBytes = (a: ArrayBufferView, b: ArrayBufferView): boolean =>
  Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength)) === 0;

const demo = makeDemoPhantom();

describe('SegmentationEngine on the demo case', () => {
  it('grows each demo lesion from its centre, within 8 % of the analytic volume and without leaking', () => {
    const engine = new SegmentationEngine(demo.volume);
    demo.truth.lesions.forEach((lesion, n) => {
      const label = n + 1;
      const r = engine.run({ type: 'regionGrow', seedLps: lesion.centerLps, label });
      expect(r.grow?.problem).toBeNull();
      expect(r.grow?.reachedRadiusLimit).toBe(false);
      const s = r.stats[label]!;
      expect(s, lesion.id).not.toBeNull();
      const err = (s.volumeMl - lesion.volumeMl) / lesion.volumeMl;
      expect(Math.abs(err), `${lesion.id}: ${s.volumeMl.toFixed(3)} vs ${lesion.volumeMl.toFixed(3)} mL`).toBeLessThan(0.08);
      // The partial-volume estimate (two-tissue model with a local background, partial-volume.ts) is
      // within 5 % here (demo: no PSF, so a one-voxel band at 0.8 mm; L1 +3.1 %, L2 −0.1 %, L3 +0.5 %).
      // It reads high for lesions under ~0.3 mL within ~2 mm of cortex (see partial-volume.ts).
      const pvErr = (s.partialVolumeMl! - lesion.volumeMl) / lesion.volumeMl;
      console.log(`${lesion.id}: count ${(100 * err).toFixed(2)} %, partial-volume ${(100 * pvErr).toFixed(2)} %`);
      expect(Math.abs(pvErr), `${lesion.id} partial-volume`).toBeLessThan(0.05);
      expect(Math.abs(s.maxDiameterMm - lesion.maxDiameterMm)).toBeLessThan(2 * 0.8 * Math.sqrt(3));
      // The centroid is the lesion's centre (ellipsoids): within 1 mm.
      const d = Math.hypot(...s.centroidLps.map((c, i) => c - lesion.centerLps[i]!));
      expect(d).toBeLessThan(1);
    });
    expect(engine.labels.labelsInUse().filter((l) => l).sort()).toEqual([1, 2, 3]);
  });

  it('makes a brush drag one undo step, erases only the chosen lesion, and undoes/redoes exactly', () => {
    const engine = new SegmentationEngine(demo.volume);
    const [a, b] = demo.truth.lesions;
    engine.run({ type: 'regionGrow', seedLps: a!.centerLps, label: 1 });
    const grown = engine.labels.count(1);
    const snapshot = engine.labels.data.slice();
    const p = b!.centerLps;
    for (let s = 0; s < 5; s++) engine.run({ type: 'stroke', fromLps: [p[0] + s, p[1], p[2]], toLps: [p[0] + s + 1, p[1], p[2]], radiusMm: 3, label: 2 });
    const end = engine.run({ type: 'endStroke' });
    expect(end.affected).toEqual([2]);
    const painted = engine.labels.count(2);
    // A 3 mm capsule 5 mm long: π r² L + 4/3 π r³ = 254 mm³ → at 0.512 mm³ per voxel ≈ 497 voxels.
    expect(painted * demo.volume.geometry.voxelVolumeMm3).toBeGreaterThan(0.9 * (Math.PI * 9 * 5 + (4 / 3) * Math.PI * 27));
    expect(painted * demo.volume.geometry.voxelVolumeMm3).toBeLessThan(1.1 * (Math.PI * 9 * 5 + (4 / 3) * Math.PI * 27));
    expect(end.stats[2]!.voxelCount).toBe(painted);
    // Eraser limited to lesion 2 over lesion 1's centre changes nothing of lesion 1.
    engine.run({ type: 'stroke', fromLps: a!.centerLps, toLps: a!.centerLps, radiusMm: 5, label: 0, eraseOnly: 2 });
    engine.run({ type: 'endStroke' });
    expect(engine.labels.count(1)).toBe(grown);
    // One undo removes the whole drag.
    engine.run({ type: 'undo' }); // the (empty) erase made no step; this undoes the brush drag
    expect(engine.labels.count(2)).toBe(0);
    expect(sameBytes(engine.labels.data, snapshot)).toBe(true);
    const redo = engine.run({ type: 'redo' });
    expect(engine.labels.count(2)).toBe(painted);
    expect(redo.stats[2]!.voxelCount).toBe(painted);
    const del = engine.run({ type: 'deleteLabel', label: 1 });
    expect(del.stats[1]).toBeNull();
    expect(engine.labels.count(1)).toBe(0);
    engine.run({ type: 'undo' });
    expect(engine.labels.count(1)).toBe(grown);
  });

  it('thresholds inside an LPS box exactly as a brute-force count does, as one undo step', () => {
    const engine = new SegmentationEngine(demo.volume);
    const c = demo.truth.lesions[2]!.centerLps;
    const a: [number, number, number] = [c[0] - 4, c[1] - 4, c[2] - 4], b: [number, number, number] = [c[0] + 4, c[1] + 4, c[2] + 4];
    const r = engine.run({ type: 'thresholdBox', cornerALps: a, cornerBLps: b, window: [-100, 150], label: 5 });
    const g = demo.volume.geometry;
    let expected = 0;
    const p: [number, number, number] = [0, 0, 0];
    for (let k = 0; k < g.dims[2]; k++) for (let j = 0; j < g.dims[1]; j++) for (let i = 0; i < g.dims[0]; i++) {
      g.ijkToLps(p, i, j, k);
      if (p[0] < a[0] || p[0] > b[0] || p[1] < a[1] || p[1] > b[1] || p[2] < a[2] || p[2] > b[2]) continue;
      const v = demo.volume.voxels[g.offset(i, j, k)]!;
      if (v >= -100 && v <= 150) expected++;
    }
    expect(expected).toBeGreaterThan(100);
    expect(r.stats[5]!.voxelCount).toBe(expected);
    engine.run({ type: 'undo' });
    expect(engine.labels.count(5)).toBe(0);
  });

  it('never changes the image voxels', () => {
    const before = demo.volume.voxels.slice();
    const engine = new SegmentationEngine(demo.volume);
    engine.run({ type: 'regionGrow', seedLps: demo.truth.lesions[2]!.centerLps, label: 1 });
    engine.run({ type: 'dilate', label: 1, radiusMm: 1 });
    engine.run({ type: 'fillHoles', label: 1 });
    expect(sameBytes(demo.volume.voxels, before)).toBe(true);
  });
});
