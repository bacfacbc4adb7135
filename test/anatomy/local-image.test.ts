/**
 * The local image sampler's fast paths give exactly what the plain per-sample code gives: the slab image
 * (trilinear kernel written out in IndexSampler.slab), the slab computed only within a hole search's reach, and the
 * hole score stopped early against a floor.
 */
import { describe, expect, it } from 'vitest';
import { VolumeGeometry } from '../../src/core/geometry';
import { createScalarVolume, type ScalarVolume } from '../../src/core/volume';
import type { Vec3 } from '../../src/core/vec3';
import { IndexSampler, LazySlab, holeReachPx, holeScore, perpendicularBasis, slabImage, type SlabImage } from '../../src/anatomy/local-image';

let seed = 7;
const rnd = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 4294967296);

function volumeOf(dims: Vec3, spacing: Vec3, dc: number[], float: boolean): ScalarVolume {
  const geo = new VolumeGeometry({ dims, spacingMm: spacing, originLps: [-10, 4, -7], directionCosines: dc });
  const n = dims[0] * dims[1] * dims[2];
  const v = float ? new Float32Array(n) : new Int16Array(n);
  for (let o = 0; o < n; o++) v[o] = float ? rnd() * 2000 - 1000 + 0.37 : Math.round(rnd() * 2000 - 1000);
  return createScalarVolume('v', geo, v, 'HU', 'CT');
}

/** The slab image sampled one `at` call per sample (the definition). */
function slabReference(s: IndexSampler, centre: Vec3, e1: Vec3, e2: Vec3, d: Vec3, halfMm: number, pxMm: number, depths: number[]): Float32Array {
  const half = Math.round(halfMm / pxMm), n = 2 * half + 1;
  const values = new Float32Array(n * n);
  const c = s.toIjk(centre), a = s.dirIjk(e1), b = s.dirIjk(e2), t = s.dirIjk(d);
  for (let q = 0; q < n; q++) for (let p = 0; p < n; p++) {
    const up = (p - half) * pxMm, vq = (q - half) * pxMm;
    const x0 = c[0] + a[0] * up + b[0] * vq, y0 = c[1] + a[1] * up + b[1] * vq, z0 = c[2] + a[2] * up + b[2] * vq;
    let sum = 0, cnt = 0;
    for (const w of depths) {
      const val = s.at(x0 + t[0] * w, y0 + t[1] * w, z0 + t[2] * w);
      if (val === val) { sum += val; cnt++; }
    }
    values[q * n + p] = cnt ? sum / cnt : NaN;
  }
  return values;
}

function unit(v: Vec3): Vec3 { const l = Math.hypot(...v); return [v[0] / l, v[1] / l, v[2] / l]; }

describe('IndexSampler.slab', () => {
  it('equals the per-sample slab bit for bit (Int16 and Float32 voxels, oblique grid, slabs leaving the grid, a one-voxel axis)', () => {
    const c = Math.cos(0.3), s = Math.sin(0.3);
    const cases: [Vec3, Vec3, number[], boolean][] = [
      [[23, 19, 17], [0.8, 0.7, 1.3], [1, 0, 0, 0, 1, 0, 0, 0, 1], false],
      [[21, 18, 15], [0.6, 0.9, 2.0], [c, s, 0, -s, c, 0, 0, 0, 1], true],
      [[20, 16, 1], [1, 1, 3], [1, 0, 0, 0, 1, 0, 0, 0, 1], true],
    ];
    let compared = 0, nan = 0;
    for (const [dims, sp, dc, float] of cases) {
      const vol = volumeOf(dims, sp, dc, float);
      const sam = new IndexSampler(vol);
      for (let trial = 0; trial < 12; trial++) {
        const centre = vol.geometry.ijkToLps([0, 0, 0], rnd() * dims[0], rnd() * dims[1], rnd() * dims[2]) as Vec3;
        const d = unit([rnd() - 0.5, rnd() - 0.5, rnd() - 0.5]);
        const [e1, e2] = perpendicularBasis(d);
        const depths = trial % 2 ? [-4, -2, 0, 2, 4] : [-3, -1.5, 0, 1.5, 3];
        const img = slabImage(sam, centre, e1, e2, d, 6, trial % 3 ? 1 : 0.5, depths);
        const ref = slabReference(sam, centre, e1, e2, d, 6, trial % 3 ? 1 : 0.5, depths);
        expect(img.values.length).toBe(ref.length);
        for (let k = 0; k < ref.length; k++) {
          if (Number.isNaN(ref[k]!)) { nan++; expect(Number.isNaN(img.values[k]!)).toBe(true); continue; }
          expect(img.values[k]).toBe(ref[k]);
          compared++;
        }
      }
    }
    expect(compared).toBeGreaterThan(1000);
    expect(nan).toBeGreaterThan(0);
  });
});

describe('holeScore with a floor', () => {
  it('returns the full score, or NaN only where the full score cannot beat the floor', () => {
    // a dark disk in a bright ring, plus noise: scores on both sides of the floors below
    const n = 41, img: SlabImage = { n, half: 20, pxMm: 0.5, values: new Float32Array(n * n) };
    for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) {
      const r = Math.hypot(x - 20, y - 20) * 0.5;
      img.values[y * n + x] = (r < 3 ? 0 : r < 4.5 ? 900 : 300) + (rnd() - 0.5) * 400;
    }
    let early = 0, kept = 0;
    for (let t = 0; t < 400; t++) {
      const cx = 12 + rnd() * 16, cy = 12 + rnd() * 16, r = 2 + rnd() * 3;
      const spread = 50 + rnd() * 200, a = rnd() * 0.5, b = rnd() * 0.2, floor = rnd() * 6 - 1;
      const full = holeScore(img, cx, cy, r, 1);
      const cut = holeScore(img, cx, cy, r, 1, spread, a, b, floor);
      expect(cut.lumen).toBe(full.lumen);
      if (Number.isNaN(cut.score)) {
        if (Number.isNaN(full.score)) continue;
        early++;
        expect(full.score / spread - a - b).toBeLessThanOrEqual(floor);
      } else {
        kept++;
        expect(cut.score).toBe(full.score);
      }
    }
    expect(early).toBeGreaterThan(10);
    expect(kept).toBeGreaterThan(10);
  });
});

describe('slab image within a reach', () => {
  it('computes the pixels within the reach as the full image does, and every hole score within the search reads only those', () => {
    const vol = volumeOf([30, 28, 26], [0.7, 0.8, 1.1], [1, 0, 0, 0, 1, 0, 0, 0, 1], false);
    const sam = new IndexSampler(vol);
    let scored = 0, outside = 0;
    for (let trial = 0; trial < 10; trial++) {
      const centre = vol.geometry.ijkToLps([0, 0, 0], 8 + rnd() * 14, 8 + rnd() * 12, 8 + rnd() * 10) as Vec3;
      const d = unit([rnd() - 0.5, rnd() - 0.5, rnd() - 0.5]);
      const [e1, e2] = perpendicularBasis(d);
      const px = trial % 2 ? 1 : 0.5, searchPx = trial % 2 ? 4 : 3, radii = [1.5, 2.5, 3.5, 4.5];
      const reach = holeReachPx(searchPx, Math.max(...radii), px);
      const full = slabImage(sam, centre, e1, e2, d, 11.5, px, [-4, -2, 0, 2, 4]);
      // a reused buffer holding other values: every pixel outside the reach must come back NaN
      const cut = slabImage(sam, centre, e1, e2, d, 11.5, px, [-4, -2, 0, 2, 4], new Float32Array(full.values.length).fill(123), reach);
      for (let q = 0; q < full.n; q++) for (let p = 0; p < full.n; p++) {
        const k = q * full.n + p;
        if (Math.hypot(p - full.half, q - full.half) <= reach) expect(Object.is(cut.values[k], full.values[k])).toBe(true);
        else { outside++; expect(Number.isNaN(cut.values[k]!)).toBe(true); }
      }
      for (let dy = -searchPx; dy <= searchPx; dy++) for (let dx = -searchPx; dx <= searchPx; dx++) {
        if (Math.hypot(dx, dy) > searchPx) continue;
        for (const r of radii) {
          const a = holeScore(full, full.half + dx, full.half + dy, r, 1), b = holeScore(cut, cut.half + dx, cut.half + dy, r, 1);
          expect(Object.is(b.score, a.score)).toBe(true);
          expect(Object.is(b.lumen, a.lumen)).toBe(true);
          scored++;
        }
      }
    }
    expect(outside).toBeGreaterThan(1000);
    expect(scored).toBeGreaterThan(1000);
  });
});

describe('LazySlab', () => {
  it('computes each pixel it is read at as the full slab image does, and no other', () => {
    const vol = volumeOf([26, 24, 22], [0.7, 0.8, 1.1], [1, 0, 0, 0, 1, 0, 0, 0, 1], true);
    const sam = new IndexSampler(vol);
    let read = 0;
    for (let trial = 0; trial < 8; trial++) {
      const centre = vol.geometry.ijkToLps([0, 0, 0], 6 + rnd() * 14, 6 + rnd() * 12, 6 + rnd() * 10) as Vec3;
      const d = unit([rnd() - 0.5, rnd() - 0.5, rnd() - 0.5]);
      const [e1, e2] = perpendicularBasis(d);
      const px = trial % 2 ? 1 : 0.5, depths = [-4, -2, 0, 2, 4];
      const full = slabImage(sam, centre, e1, e2, d, 9, px, depths);
      const lazy = new LazySlab(sam, centre, e1, e2, d, 9, px, depths);
      expect(lazy.n).toBe(full.n);
      expect(lazy.done.every((x) => x === 0)).toBe(true);
      // hole scores read the same values (rings leaving the image included)
      for (let t = 0; t < 60; t++) {
        const cx = rnd() * full.n, cy = rnd() * full.n, r = 1.5 + rnd() * 4;
        const a = holeScore(full, cx, cy, r, 1), b = holeScore(lazy, cx, cy, r, 1);
        expect(Object.is(b.score, a.score)).toBe(true);
        expect(Object.is(b.lumen, a.lumen)).toBe(true);
      }
      for (let k = 0; k < full.values.length; k++) {
        if (!lazy.done[k]) continue;
        read++;
        expect(Object.is(lazy.values[k], full.values[k])).toBe(true);
      }
      expect(lazy.done.some((x) => x === 0)).toBe(true);
    }
    expect(read).toBeGreaterThan(500);
  });
});
