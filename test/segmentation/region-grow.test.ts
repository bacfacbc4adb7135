import { describe, expect, it } from 'vitest';
import { regionGrow, applyRegionToLabels, REGION_GROW_DEFAULTS } from '../../src/segmentation/region-grow';
import { LabelMap } from '../../src/segmentation/labelmap';
import { LabelHistory } from '../../src/segmentation/history';
import { makeSegmentScene } from '../../bench/segment-scene';
import { hashBytes } from './fixtures';

const ballMl = (r: number) => (4 / 3) * Math.PI * r ** 3 / 1000;

describe('regionGrow on a synthetic scene', () => {
  const scene = makeSegmentScene([220, 160, 130], [0.7, 0.7, 1]);
  const { volume } = scene;

  it('grows the lytic lesion that touches a foramen without leaking through it', () => {
    const h = hashBytes(volume.voxels);
    const r = regionGrow(volume, { lps: scene.lyticCenterLps });
    expect(r.kind).toBe('lytic');
    expect(r.guard).toBe('bone-enclosure');
    expect(r.window[0]).toBeGreaterThan(-5);
    expect(r.window[1]).toBeCloseTo((30 + REGION_GROW_DEFAULTS.boneHu) / 2, -1);
    expect(r.reachedRadiusLimit).toBe(false);
    expect(Math.abs(r.volumeMl / ballMl(scene.lyticRadiusMm) - 1)).toBeLessThan(0.02);
    // all grown voxels within 1.5 mm of the sphere
    const g = volume.geometry, [ni, nj] = g.dims, p: [number, number, number] = [0, 0, 0];
    let far = 0;
    for (const o of r.offsets) {
      const k = Math.floor(o / (ni * nj)), rem = o - k * ni * nj, j = Math.floor(rem / ni), i = rem - j * ni;
      g.ijkToLps(p, i, j, k);
      if (Math.hypot(p[0] - scene.lyticCenterLps[0], p[1] - scene.lyticCenterLps[1], p[2] - scene.lyticCenterLps[2]) > scene.lyticRadiusMm + 1.5) far++;
    }
    expect(far).toBe(0);
    expect(hashBytes(volume.voxels)).toBe(h);
  });

  it('without a leak guard the same seed runs out through the foramen (the guard matters)', () => {
    const r = regionGrow(volume, { lps: scene.lyticCenterLps }, { leakGuard: 'none', window: [-50, 140] });
    expect(r.reachedRadiusLimit).toBe(true);
    expect(r.volumeMl).toBeGreaterThan(1.2 * ballMl(scene.lyticRadiusMm));
  });

  it('grows the sclerotic lesion with the high window', () => {
    const r = regionGrow(volume, { lps: scene.scleroticCenterLps });
    expect(r.kind).toBe('sclerotic');
    expect(r.window[0]).toBeCloseTo(575, -1);
    expect(r.window[1]).toBeCloseTo(1050, -1);
    expect(Math.abs(r.volumeMl / ballMl(scene.scleroticRadiusMm) - 1)).toBeLessThan(0.05);
    expect(r.reachedRadiusLimit).toBe(false);
  });

  it('reports seeds outside the volume or the window, and writes results undoably', () => {
    expect(regionGrow(volume, { ijk: [-1, 0, 0] }).problem).toBe('seed-outside-volume');
    expect(regionGrow(volume, { lps: scene.lyticCenterLps }, { window: [500, 600] }).problem).toBe('seed-outside-window');
    const r = regionGrow(volume, { lps: scene.lyticCenterLps });
    const lm = new LabelMap(volume.geometry);
    const hist = new LabelHistory(lm);
    hist.run('grow', (rec) => applyRegionToLabels(lm, r, 3, rec));
    expect(lm.count(3)).toBe(r.voxelCount);
    hist.undo();
    expect(lm.count(3)).toBe(0);
    hist.redo();
    expect(lm.count(3)).toBe(r.voxelCount);
  });

  it('is independent of the connectivity for a compact lesion (6 vs 26 within 1 %)', () => {
    const a = regionGrow(volume, { lps: scene.lyticCenterLps }, { connectivity: 6 });
    const b = regionGrow(volume, { lps: scene.lyticCenterLps }, { connectivity: 26 });
    expect(Math.abs(a.voxelCount / b.voxelCount - 1)).toBeLessThan(0.01);
  });
});

describe('regionGrow speed', () => {
  it('a 7 mL lesion in a 512x512x300 volume: median under the 150 ms budget (600 ms test guard)', () => {
    const scene = makeSegmentScene();
    const times: number[] = [];
    let ml = 0;
    for (let t = 0; t < 5; t++) {
      const t0 = performance.now();
      ml = regionGrow(scene.volume, { lps: scene.lyticCenterLps }).volumeMl;
      times.push(performance.now() - t0);
    }
    times.sort((x, y) => x - y);
    console.log(`regionGrow 7 mL in 512x512x300: median ${times[2]!.toFixed(1)} ms (${times.map((x) => x.toFixed(0)).join(', ')})`);
    expect(Math.abs(ml - 7.06)).toBeLessThan(0.15);
    expect(times[2]!).toBeLessThan(600);
  });
});
