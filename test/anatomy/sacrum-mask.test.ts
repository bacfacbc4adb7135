/**
 * Pieces of the sacrum mask (src/anatomy/sacrum-mask.ts) on volumes built in code.
 */
import { describe, expect, it } from 'vitest';
import { removeOpenLumen, trimAsymmetric } from '../../src/anatomy/sacrum-mask';
import type { WorkGrid } from '../../src/anatomy/detect-grid';
import type { Vec3 } from '../../src/core/vec3';

describe('removeOpenLumen', () => {
  // 20³ grid: a bone block (300 HU) in fat (-100 HU); a dark tunnel (-60 HU) through it along x,
  // an enclosed dark cavity (-60 HU, like fatty marrow) and a dark voxel pocket open only through bone
  const dims = [20, 20, 20] as const;
  const N = 20 * 20 * 20;
  const at = (a: number, b: number, c: number) => a + 20 * (b + 20 * c);
  const value = new Float32Array(N).fill(-100);
  const mask = new Uint8Array(N);
  for (let c = 4; c < 16; c++) for (let b = 4; b < 16; b++) for (let a = 4; a < 16; a++) { value[at(a, b, c)] = 300; mask[at(a, b, c)] = 1; }
  for (let a = 4; a < 16; a++) value[at(a, 6, 6)] = -60; // tunnel, open at both ends
  for (let c = 10; c < 13; c++) for (let b = 10; b < 13; b++) for (let a = 10; a < 13; a++) value[at(a, b, c)] = -60; // cavity

  it('removes the dark tunnel open to the outside and keeps the enclosed dark cavity; input values untouched', () => {
    const m = Uint8Array.from(mask);
    const before = Float32Array.from(value);
    const removed = removeOpenLumen(m, value, dims, -40);
    expect(removed).toBe(12);
    for (let a = 4; a < 16; a++) expect(m[at(a, 6, 6)]).toBe(0);
    expect(m[at(11, 11, 11)]).toBe(1);
    expect(m[at(8, 8, 8)]).toBe(1);
    expect(value).toEqual(before);
  });

  it('keeps everything when the threshold is below the lumen', () => {
    const m = Uint8Array.from(mask);
    expect(removeOpenLumen(m, value, dims, -80)).toBe(0);
    expect(m).toEqual(mask);
  });
});

describe('trimAsymmetric', () => {
  // 60×30×30 grid of 2 mm voxels; a slab symmetric about a plane through (60, 30, 30) mm (≤ 40 mm from
  // it, ≤ 18 mm along it cranio-caudally), optionally tilted; the first test adds a lump on the right only
  const g = { dims: [60, 30, 30], spacingMm: 2, originLps: [0, 0, 0] } as unknown as WorkGrid;
  const N = 60 * 30 * 30;
  const at = (a: number, b: number, c: number) => a + 60 * (b + 30 * c);
  const build = (tiltDeg: number) => {
    // the plane through (60, 30, 30) mm, normal tilted about the AP axis by tiltDeg
    const t = (tiltDeg * Math.PI) / 180;
    const n: Vec3 = [Math.cos(t), 0, Math.sin(t)];
    const P: Vec3 = [60, 30, 30];
    const m = new Uint8Array(N);
    for (let c = 0; c < 30; c++) for (let b = 5; b < 25; b++) for (let a = 0; a < 60; a++) {
      const d = (2 * a - P[0]) * n[0] + (2 * c - P[2]) * n[2];
      const u = -(2 * a - P[0]) * n[2] + (2 * c - P[2]) * n[0]; // in-plane cranio-caudal coordinate
      if (Math.abs(u) <= 18 && Math.abs(d) <= 40) m[at(a, b, c)] = 1;
    }
    return { m, n, P };
  };

  it('removes a lateral lump with no mirror image and nothing of the symmetric part', () => {
    const { m, n, P } = build(0);
    const sym = m.reduce((s, v) => s + v, 0);
    for (let c = 10; c < 20; c++) for (let b = 20; b < 25; b++) for (let a = 2; a < 8; a++) m[at(a, b, c)] = 1; // x 4–14 mm, 46–56 mm right of the plane
    const lump = m.reduce((s, v) => s + v, 0) - sym;
    const r = trimAsymmetric(m, g, n, P, 20);
    expect(r.skipped).toBe(false);
    expect(m.reduce((s, v) => s + v, 0)).toBe(sym);
    expect(r.removed).toBe(lump);
  });

  it('follows a tilted plane (10° about AP): a symmetric shape keeps every voxel', () => {
    const { m, n, P } = build(10);
    const before = m.reduce((s, v) => s + v, 0);
    const r = trimAsymmetric(m, g, n, P, 20);
    expect(r.removed).toBe(0);
    expect(m.reduce((s, v) => s + v, 0)).toBe(before);
  });

  it('changes nothing when the shape is too asymmetric (more than a quarter of the lateral voxels)', () => {
    const m = new Uint8Array(N);
    for (let c = 5; c < 25; c++) for (let b = 5; b < 25; b++) for (let a = 30; a < 58; a++) m[at(a, b, c)] = 1; // all on one side
    const before = Uint8Array.from(m);
    const r = trimAsymmetric(m, g, [1, 0, 0], [60, 30, 30], 20);
    expect(r.skipped).toBe(true);
    expect(r.removed).toBeGreaterThan(0);
    expect(m).toEqual(before);
  });
});
