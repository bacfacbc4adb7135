import { describe, expect, it } from 'vitest';
import { LabelMap } from '../../src/segmentation/labelmap';
import { LabelHistory, LabelEditRecorder } from '../../src/segmentation/history';
import { paintSphere, paintStroke } from '../../src/segmentation/brush';
import {
  dilateLabel, erodeLabel, fillHoles, keepLargestComponent, removeIslands, thresholdInBox,
  dilateMask, erodeMask, fillHolesMask, labelComponents,
} from '../../src/segmentation/morphology';
import { interpolateSlices } from '../../src/segmentation/interpolate';
import type { Vec3 } from '../../src/core/vec3';
import { ellipsoid, hashBytes, makeGeometry, makeVolume, rasterize, rng } from './fixtures';

const ballMl = (r: number) => (4 / 3) * Math.PI * r ** 3 / 1000;
const vol = (lm: LabelMap, label = 1) => (lm.count(label) * lm.geometry.voxelVolumeMm3) / 1000;

describe('brush and eraser', () => {
  for (const c of [
    { name: '0.5 mm iso', spacing: [0.5, 0.5, 0.5] as Vec3, rot: [0, 0, 0] as Vec3, tol: 0.02 },
    { name: 'oblique 0.7x0.7x1', spacing: [0.7, 0.7, 1] as Vec3, rot: [20, 30, -40] as Vec3, tol: 0.02 },
    { name: 'oblique 0.7x0.7x3', spacing: [0.7, 0.7, 3] as Vec3, rot: [5, 40, 10] as Vec3, tol: 0.05 },
  ]) {
    it(`a brush dab is a ball in mm (${c.name})`, () => {
      const geom = makeGeometry([Math.ceil(40 / c.spacing[0]), Math.ceil(40 / c.spacing[1]), Math.ceil(40 / c.spacing[2])], c.spacing, c.rot);
      const lm = new LabelMap(geom);
      const changed = paintSphere(lm, [0.3, -0.2, 0.1], { radiusMm: 10, label: 1 });
      expect(changed).toBe(lm.count(1));
      expect(Math.abs(vol(lm) / ballMl(10) - 1)).toBeLessThan(c.tol);
      // every painted voxel is within the radius, every unpainted one outside
      const ref = rasterize(geom, ellipsoid([0.3, -0.2, 0.1], [10, 10, 10]));
      expect(hashBytes(lm.data)).toBe(hashBytes(ref.data));
    });
  }

  it('a stroke paints the capsule between two points; the eraser removes it; windows limit both', () => {
    const geom = makeGeometry([100, 60, 60], [0.5, 0.5, 0.5]);
    const lm = new LabelMap(geom);
    paintStroke(lm, [-10, 0, 0], [10, 0, 0], { radiusMm: 5, label: 2 });
    const capsule = (Math.PI * 25 * 20 + (4 / 3) * Math.PI * 125) / 1000;
    expect(Math.abs(vol(lm, 2) / capsule - 1)).toBeLessThan(0.02);
    // does not overwrite other labels unless asked
    const n3 = paintSphere(lm, [0, 0, 0], { radiusMm: 3, label: 3 });
    expect(n3).toBe(0);
    expect(paintSphere(lm, [0, 0, 0], { radiusMm: 3, label: 3, overwrite: true })).toBeGreaterThan(0);
    // eraser limited to label 3
    paintSphere(lm, [0, 0, 0], { radiusMm: 20, label: 0, eraseOnly: 3 });
    expect(lm.count(3)).toBe(0);
    expect(lm.count(2)).toBeGreaterThan(0);
    // HU-window-limited brush: only voxels with value in [0, 100]
    const v = makeVolume(geom, (p) => (p[0] < 0 ? 50 : 500));
    const lm2 = new LabelMap(geom);
    paintSphere(lm2, [0, 0, 0], { radiusMm: 5, label: 1, window: [0, 100], volume: v });
    const h = hashBytes(v.voxels);
    expect(lm2.count(1)).toBeGreaterThan(0);
    for (const o of lm2.offsetsOf(1)) expect(v.voxels[o]).toBe(50);
    expect(hashBytes(v.voxels)).toBe(h);
    expect(() => paintSphere(lm2, [0, 0, 0], { radiusMm: 0, label: 1 })).toThrow();
  });

  it('a 30 mm brush stroke step on 512x512x300 takes well under 16 ms', () => {
    const geom = makeGeometry([512, 512, 300], [0.7, 0.7, 1]);
    const lm = new LabelMap(geom);
    const times: number[] = [];
    for (let s = 0; s < 20; s++) {
      const t0 = performance.now();
      paintStroke(lm, [s, 0, 0], [s + 1, 0.5, 0], { radiusMm: 15, label: 1 });
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    expect(times[10]!).toBeLessThan(16);
  });
});

describe('undo/redo', () => {
  it('round-trips random brush edits exactly and bounds memory', () => {
    const geom = makeGeometry([60, 60, 40], [0.8, 0.8, 1.5], [10, 0, 20]);
    const lm = new LabelMap(geom);
    const hist = new LabelHistory(lm);
    const rand = rng(7);
    const snapshots = [lm.data.slice()];
    for (let e = 0; e < 25; e++) {
      const rec = hist.begin('brush');
      const a: Vec3 = [rand() * 30 - 15, rand() * 30 - 15, rand() * 30 - 15];
      const b: Vec3 = [a[0] + rand() * 8, a[1] + rand() * 8, a[2]];
      paintStroke(lm, a, b, { radiusMm: 2 + rand() * 6, label: rand() < 0.25 ? 0 : 1 + Math.floor(rand() * 3), overwrite: rand() < 0.5 }, rec);
      paintSphere(lm, b, { radiusMm: 3, label: 2, overwrite: true }, rec); // overlapping writes in one edit
      hist.commit(rec);
      snapshots.push(lm.data.slice());
    }
    const finalHash = hashBytes(lm.data);
    const counts = [1, 2, 3].map((l) => lm.count(l));
    for (let e = snapshots.length - 2; e >= 0; e--) {
      expect(hist.undo()).toBe('brush');
      expect(hashBytes(lm.data)).toBe(hashBytes(snapshots[e]!));
    }
    expect(hist.undo()).toBeNull();
    expect([1, 2, 3].map((l) => lm.count(l))).toEqual([0, 0, 0]);
    while (hist.redo()) { /* replay */ }
    expect(hashBytes(lm.data)).toBe(finalHash);
    expect([1, 2, 3].map((l) => lm.count(l))).toEqual(counts);
    // a new edit after undo drops the redo branch
    hist.undo();
    hist.run('dab', (rec) => paintSphere(lm, [0, 0, 0], { radiusMm: 2, label: 3, overwrite: true }, rec));
    expect(hist.canRedo).toBe(false);
    // bounded memory
    const small = new LabelHistory(lm, { maxBytes: 20_000 });
    for (let e = 0; e < 10; e++) small.run('x', (rec) => paintSphere(lm, [e - 5, 0, 0], { radiusMm: 6, label: 1 + (e % 3), overwrite: true }, rec));
    expect(small.byteSize).toBeLessThanOrEqual(20_000);
    expect(small.undoDepth).toBeLessThan(10);
    // a recorder that changed nothing is not an undo step
    expect(small.commit(new LabelEditRecorder('noop'))).toBeNull();
  });
});

describe('morphology', () => {
  const geom = makeGeometry([60, 60, 30], [0.5, 0.5, 1]);
  it('dilate / erode by mm equal the brute-force Minkowski operations with a mm ball', () => {
    const g = makeGeometry([24, 20, 12], [0.6, 0.8, 1.5], [15, 0, 30]);
    const rand = rng(3);
    const lm = rasterize(g, (p) => Math.hypot(p[0] - 1, p[1], p[2] * 0.8) < 5 || (rand() < 0.02));
    const src = lm.data.slice();
    const pts: Vec3[] = [];
    for (let k = 0; k < 12; k++) for (let j = 0; j < 20; j++) for (let i = 0; i < 24; i++) pts.push(g.ijkToLps([0, 0, 0], i, j, k));
    const r = 1.73; // no voxel-centre distance ties at this radius
    const brute = (want: 0 | 1) => pts.map((p, n) => {
      // dilation: any label voxel within r; erosion: no background voxel within r (grid only)
      let hit = false;
      for (let m = 0; m < pts.length && !hit; m++) if (src[m] === want && Math.hypot(p[0] - pts[m]![0], p[1] - pts[m]![1], p[2] - pts[m]![2]) <= r) hit = true;
      return want === 1 ? (hit ? 1 : 0) : (src[n] === 1 && !hit ? 1 : 0);
    });
    const dil = lm.clone();
    dilateLabel(dil, 1, r);
    expect(Array.from(dil.data)).toEqual(brute(1));
    const ero = lm.clone();
    erodeLabel(ero, 1, r);
    // erodeLabel also treats outside the grid as background; the shape does not touch the border
    expect(Array.from(ero.data)).toEqual(brute(0));
  });

  it('dilating a ball by 2 mm gives about the 2 mm larger ball', () => {
    const lm = rasterize(geom, ellipsoid([0, 0, 0], [6, 6, 6]));
    dilateLabel(lm, 1, 2);
    expect(Math.abs(vol(lm) / ballMl(8) - 1)).toBeLessThan(0.08);
  });

  it('fill holes, keep largest, remove islands, threshold in a box', () => {
    const shell = (p: Vec3) => { const r = Math.hypot(...p); return r <= 8 && r >= 5; };
    const lm = rasterize(geom, shell);
    const n0 = lm.count(1);
    const rec = new LabelEditRecorder();
    fillHoles(lm, 1, rec);
    expect(Math.abs(vol(lm) / ballMl(8) - 1)).toBeLessThan(0.03);
    expect(rec.size).toBe(lm.count(1) - n0);
    // islands
    paintSphere(lm, [12, 12, 0], { radiusMm: 1.5, label: 1 });
    paintSphere(lm, [-12, 12, 0], { radiusMm: 2.5, label: 1 });
    const big = rasterize(geom, (p) => Math.hypot(...p) <= 8).count(1);
    const small1 = rasterize(geom, (p) => Math.hypot(p[0] - 12, p[1] - 12, p[2]) <= 1.5).count(1);
    removeIslands(lm, 1, small1 + 1);
    expect(lm.count(1)).toBeGreaterThan(big);
    keepLargestComponent(lm, 1);
    expect(lm.count(1)).toBe(big);
    // threshold in a box
    const v = makeVolume(geom, (p) => (p[0] > 0 ? 100 : 0));
    const lm3 = new LabelMap(geom);
    const n = thresholdInBox(lm3, v, [0, 0, 0, 59, 59, 29], [50, 150], 4);
    expect(n).toBe(30 * 60 * 30);
  });

  it('mask-level operations never mutate their input', () => {
    const m = rasterize(geom, ellipsoid([0, 0, 0], [5, 7, 4])).data;
    const h = hashBytes(m);
    dilateMask(m, geom.dims, [0.5, 0.5, 1], 1.5);
    erodeMask(m, geom.dims, [0.5, 0.5, 1], 1.5);
    fillHolesMask(m, geom.dims);
    const { sizes } = labelComponents(m, geom.dims, 26);
    expect(sizes.length).toBe(2);
    expect(hashBytes(m)).toBe(h);
  });
});

describe('fill between slices', () => {
  it('shape-based interpolation between two drawn discs gives the intermediate disc', () => {
    const g = makeGeometry([80, 80, 21], [0.5, 0.5, 1]);
    const lm = new LabelMap(g);
    const disc = (k: number, r: number) => {
      for (let j = 0; j < 80; j++) for (let i = 0; i < 80; i++) {
        const p = g.ijkToLps([0, 0, 0], i, j, k);
        if (Math.hypot(p[0], p[1]) <= r) lm.set(g.offset(i, j, k), 1);
      }
    };
    disc(0, 12); disc(20, 6);
    const rec = new LabelEditRecorder();
    const filled = interpolateSlices(lm, 1, rec);
    expect(filled).toBe(rec.size);
    const area = (k: number) => { let n = 0; for (let j = 0; j < 80; j++) for (let i = 0; i < 80; i++) if (lm.data[g.offset(i, j, k)] === 1) n++; return n * 0.25; };
    expect(Math.abs(area(10) / (Math.PI * 9 * 9) - 1)).toBeLessThan(0.05);
    expect(Math.abs(area(5) / (Math.PI * 10.5 * 10.5) - 1)).toBeLessThan(0.05);
    for (let k = 1; k < 20; k++) expect(area(k)).toBeGreaterThan(0);
  });
});
