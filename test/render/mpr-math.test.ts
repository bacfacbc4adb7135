import { describe, expect, it } from 'vitest';
import { VolumeGeometry } from '../../src/core/geometry';
import { viewAxes, canvasToLps, lpsToCanvas, snapToPlane, stepAlongNormal, sliceIndexAlongNormal, reslice, fitMmPerPx, type ViewName } from '../../src/render/mpr-math';
import type { Vec3 } from '../../src/core/vec3';

const axial = new VolumeGeometry({ dims: [20, 16, 10], spacingMm: [0.5, 0.5, 2], originLps: [-5, -4, 100], directionCosines: [1, 0, 0, 0, 1, 0, 0, 0, 1] });

function ramp(g: VolumeGeometry): Int16Array {
  // value = i + 100 j + 10000 k is too big for int16; use i + 20 j + 400 k (< 32767 here)
  const v = new Int16Array(g.voxelCount);
  for (let k = 0; k < g.dims[2]; k++) for (let j = 0; j < g.dims[1]; j++) for (let i = 0; i < g.dims[0]; i++) v[g.offset(i, j, k)] = i + 20 * j + 400 * k;
  return v;
}

describe('MPR math', () => {
  it('uses radiological orientations with normal = right × up', () => {
    expect(viewAxes('axial')).toEqual({ rightLps: [1, 0, 0], upLps: [0, -1, 0], normalLps: [0, 0, -1] });
    expect(viewAxes('coronal').normalLps).toEqual([0, -1, 0]);
    expect(viewAxes('sagittal')).toEqual({ rightLps: [0, 1, 0], upLps: [0, 0, 1], normalLps: [1, 0, 0] });
  });

  it('round-trips canvas ↔ LPS', () => {
    for (const view of ['axial', 'sagittal', 'coronal'] as ViewName[]) {
      const axes = viewAxes(view);
      const cam = { centerLps: [1, 2, 3] as Vec3, mmPerPx: 0.37 };
      const p = canvasToLps([0, 0, 0], cam, axes, 300, 200, 17.25, 150.5);
      const [x, y] = lpsToCanvas(cam, axes, 300, 200, p);
      expect(x).toBeCloseTo(17.25, 9);
      expect(y).toBeCloseTo(150.5, 9);
      // The canvas centre is the camera centre.
      expect(canvasToLps([0, 0, 0], cam, axes, 300, 200, 150, 100)).toEqual([1, 2, 3]);
    }
  });

  it('snaps planes to voxel centres and counts slices along the normal', () => {
    const n = viewAxes('axial').normalLps;
    expect(stepAlongNormal(axial, n)).toBeCloseTo(2, 12);
    const s = snapToPlane(axial, n, [0, 0, 104.9]);
    expect(s[2]).toBeCloseTo(104, 12);
    expect(snapToPlane(axial, n, [0, 0, 500])[2]).toBeCloseTo(118, 12); // clamped to the last plane
    expect(sliceIndexAlongNormal(axial, n, [0, 0, 104]).count).toBe(10);
  });

  it('reslices the nearest voxel at every pixel centre (axial and sagittal)', () => {
    const vox = ramp(axial);
    const w = 40, h = 32;
    const out = new Uint32Array(w * h);
    // Window so that grey = value exactly for values 0..255: width 255, centre 127.5.
    const win = { widthHu: 255, centerHu: 127.5 };
    const cam = { centerLps: axial.ijkToLps([0, 0, 0], 9.5, 7.5, 0), mmPerPx: 0.25 };
    reslice(out, w, h, 1, axial, vox, cam, viewAxes('axial'), win);
    // Pixel (x, y) centre → LPS → nearest voxel; compare.
    for (const [x, y] of [[0, 0], [5, 3], [39, 31], [20, 16]] as const) {
      const p = canvasToLps([0, 0, 0], cam, viewAxes('axial'), w, h, x + 0.5, y + 0.5);
      const ijk = axial.nearestIndex(p);
      const expected = ijk ? Math.min(255, vox[axial.offset(ijk[0], ijk[1], ijk[2])]!) : 0;
      expect(out[y * w + x]! & 0xff, `pixel ${x},${y}`).toBe(expected);
      expect(out[y * w + x]! >>> 24).toBe(0xff);
    }
    // Anterior (−y) is up: row 0 holds smaller j than the last row.
    const top = out[0]! & 0xff, bottom = out[(h - 1) * w]! & 0xff;
    expect(top).toBeLessThan(bottom);
    // Outside the volume is black.
    const far = { centerLps: [1000, 0, 100] as Vec3, mmPerPx: 0.5 };
    reslice(out, w, h, 1, axial, vox, far, viewAxes('axial'), win);
    expect(out.every((v) => v === 0xff000000)).toBe(true);
  });

  it('fits the volume extent into the canvas', () => {
    const mm = fitMmPerPx(axial, viewAxes('axial'), 100, 100, 1);
    expect(mm).toBeCloseTo(10 / 100, 9); // 20 × 0.5 mm wide, 16 × 0.5 tall → width limits
  });
});
