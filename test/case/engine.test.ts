/**
 * The CaseEngine as the app drives it: one-click growth of each demo lesion, a brush drag as one
 * undo step, erase of one lesion only, delete and undo bringing a lesion back whole, a landmark move
 * undone alone, statistics after each step.
 */
import { describe, expect, it } from 'vitest';
import { makeDemoPhantom } from '../../src/demo/phantom';
import { CaseEngine } from '../../src/case/engine';
import type { Foramen } from '../../src/anatomy/types';

/** Byte equality of two typed arrays (vitest's deep equality is slow on millions of elements). */
const sameBytes = (a: ArrayBufferView, b: ArrayBufferView): boolean =>
  Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength)) === 0;

const demo = makeDemoPhantom();
const statsOf = (r: ReturnType<CaseEngine['run']>, id: string) => r.view.lesions.find((l) => l.id === id)?.stats ?? null;

describe('CaseEngine on the demo case', () => {
  it('grows each demo lesion from its centre, within 8 % of the analytic volume and without leaking', () => {
    const engine = new CaseEngine(demo.volume);
    demo.truth.lesions.forEach((lesion) => {
      const r = engine.run({ type: 'growLesion', seedLps: lesion.centerLps });
      expect(r.info.grow?.problem).toBeNull();
      expect(r.info.grow?.reachedRadiusLimit).toBe(false);
      const s = statsOf(r, r.info.lesionId!)!;
      expect(s, lesion.id).not.toBeNull();
      const err = (s.volumeMl - lesion.volumeMl) / lesion.volumeMl;
      expect(Math.abs(err), `${lesion.id}: ${s.volumeMl.toFixed(3)} vs ${lesion.volumeMl.toFixed(3)} mL`).toBeLessThan(0.08);
      // The partial-volume estimate (two-tissue model with a local background, partial-volume.ts) is
      // within 5 % here (demo: no PSF, so a one-voxel band at 0.8 mm; L1 +3.1 %, L2 −0.1 %, L3 +0.5 %).
      const pvErr = (s.partialVolumeMl! - lesion.volumeMl) / lesion.volumeMl;
      expect(Math.abs(pvErr), `${lesion.id} partial-volume`).toBeLessThan(0.05);
      expect(Math.abs(s.maxDiameterMm - lesion.maxDiameterMm)).toBeLessThan(2 * 0.8 * Math.sqrt(3));
      // The centroid is the lesion's centre (ellipsoids): within 1 mm.
      const d = Math.hypot(...s.centroidLps.map((c: number, i: number) => c - lesion.centerLps[i]!));
      expect(d).toBeLessThan(1);
    });
    expect(engine.labels.labelsInUse().filter((l: number) => l).sort()).toEqual([1, 2, 3]);
    expect(engine.doc.lesions.map((l) => l.name)).toEqual(['Lesion 1', 'Lesion 2', 'Lesion 3']);
  });

  it('makes a brush drag one undo step, erases only the chosen lesion, and undoes/redoes exactly', () => {
    const engine = new CaseEngine(demo.volume);
    const [a, b] = demo.truth.lesions;
    const l1 = engine.run({ type: 'growLesion', seedLps: a!.centerLps }).info.lesionId!;
    const grown = engine.labels.count(1);
    const snapshot = engine.labels.data.slice();
    const docBefore = engine.doc;
    const p = b!.centerLps;
    const l2 = engine.run({ type: 'addLesion', gesture: 'g1' }).info.lesionId!;
    for (let s = 0; s < 5; s++) engine.run({ type: 'stroke', lesionId: l2, fromLps: [p[0] + s, p[1], p[2]], toLps: [p[0] + s + 1, p[1], p[2]], radiusMm: 3, gesture: 'g1' }, { defer: true });
    const end = engine.endGesture();
    const painted = engine.labels.count(2);
    // A 3 mm capsule 5 mm long: π r² L + 4/3 π r³ = 254 mm³ → at 0.512 mm³ per voxel ≈ 497 voxels.
    const capsule = Math.PI * 9 * 5 + (4 / 3) * Math.PI * 27;
    expect(painted * demo.volume.geometry.voxelVolumeMm3).toBeGreaterThan(0.9 * capsule);
    expect(painted * demo.volume.geometry.voxelVolumeMm3).toBeLessThan(1.1 * capsule);
    expect(statsOf(end, l2)!.voxelCount).toBe(painted);
    // Eraser limited to lesion 2 over lesion 1's centre changes nothing of lesion 1 (and records no step).
    engine.run({ type: 'stroke', lesionId: l2, fromLps: a!.centerLps, toLps: a!.centerLps, radiusMm: 5, erase: true });
    expect(engine.labels.count(1)).toBe(grown);
    // One undo removes the whole drag and the lesion it made.
    const u = engine.undo();
    expect(engine.labels.count(2)).toBe(0);
    expect(sameBytes(engine.labels.data, snapshot)).toBe(true);
    expect(engine.doc).toBe(docBefore);
    expect(u.view.lesions.map((l) => l.id)).toEqual([l1]);
    const redo = engine.redo();
    expect(engine.labels.count(2)).toBe(painted);
    expect(statsOf(redo, l2)!.voxelCount).toBe(painted);
    // Delete brings the lesion back whole on undo: its name, colour, label and voxels.
    const named = engine.run({ type: 'updateLesion', lesionId: l1, name: 'Left ala', notes: 'biopsy proven' });
    const before = named.view.lesions.find((l) => l.id === l1)!;
    const voxels = engine.labels.data.slice();
    const del = engine.run({ type: 'deleteLesion', lesionId: l1 });
    expect(del.view.lesions.some((l) => l.id === l1)).toBe(false);
    expect(engine.labels.count(1)).toBe(0);
    // a new lesion after the delete starts empty (it may reuse the label)
    const l3 = engine.run({ type: 'addLesion' }).info.lesionId!;
    expect(engine.labels.count(engine.doc.lesions.find((l) => l.id === l3)!.label)).toBe(0);
    engine.undo();
    const back = engine.undo();
    expect(back.view.lesions.find((l) => l.id === l1)).toMatchObject({ name: 'Left ala', notes: 'biopsy proven', label: before.label, color: before.color });
    expect(sameBytes(engine.labels.data, voxels)).toBe(true);
    expect(back.view.lesions.find((l) => l.id === l1)!.stats!.voxelCount).toBe(grown);
  });

  it('undoes a landmark move alone: the foramen goes back, no lesion changes', () => {
    const engine = new CaseEngine(demo.volume);
    engine.run({ type: 'growLesion', seedLps: demo.truth.lesions[0]!.centerLps });
    engine.run({ type: 'growLesion', seedLps: demo.truth.lesions[1]!.centerLps });
    const f: Foramen = { id: 'S1_L', level: 'S1', side: 'L', anteriorLps: [10, 0, 0], posteriorLps: [12, 20, 0], radiusMm: 4, confidence: 1, source: 'manual' };
    engine.run({ type: 'setForamen', foramen: f });
    const voxels = engine.labels.data.slice();
    const lesions = engine.doc.lesions;
    engine.run({ type: 'setForamen', foramen: { ...f, anteriorLps: [15, 0, 0], posteriorLps: [17, 20, 0] } });
    const u = engine.undo();
    expect(u.view.anatomy!.foramina[0]!.anteriorLps).toEqual([10, 0, 0]);
    expect(u.labelsChanged).toBe(false);
    expect(sameBytes(engine.labels.data, voxels)).toBe(true);
    expect(engine.doc.lesions).toBe(lesions);
  });

  it('thresholds inside an LPS box exactly as a brute-force count does, as one undo step', () => {
    const engine = new CaseEngine(demo.volume);
    const c = demo.truth.lesions[2]!.centerLps;
    const a: [number, number, number] = [c[0] - 4, c[1] - 4, c[2] - 4], b: [number, number, number] = [c[0] + 4, c[1] + 4, c[2] + 4];
    const id = engine.run({ type: 'addLesion' }).info.lesionId!;
    const r = engine.run({ type: 'thresholdBox', lesionId: id, cornerALps: a, cornerBLps: b, window: [-100, 150] });
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
    expect(statsOf(r, id)!.voxelCount).toBe(expected);
    engine.undo();
    expect(engine.labels.count(1)).toBe(0);
  });

  it('leaves the case as it was when a command fails, and never changes the image voxels', () => {
    const before = demo.volume.voxels.slice();
    const engine = new CaseEngine(demo.volume);
    const id = engine.run({ type: 'growLesion', seedLps: demo.truth.lesions[2]!.centerLps }).info.lesionId!;
    engine.run({ type: 'lesionOp', lesionId: id, op: 'dilate', radiusMm: 1 });
    engine.run({ type: 'lesionOp', lesionId: id, op: 'fillHoles' });
    const doc = engine.doc, depth = engine.history.undoDepth;
    expect(() => engine.run({ type: 'stroke', lesionId: 'lesion-99', fromLps: [0, 0, 0], toLps: [0, 0, 0], radiusMm: 2 })).toThrow(/unknown lesion/);
    expect(engine.doc).toBe(doc);
    expect(engine.history.undoDepth).toBe(depth);
    expect(sameBytes(demo.volume.voxels, before)).toBe(true);
  });
});
