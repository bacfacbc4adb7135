/**
 * Mirror-symmetry plane with rotation (src/anatomy/symmetry.ts) on volumes built in code: a shape that
 * is mirror-symmetric about a known, tilted plane (and about no other), voxelised on a working grid.
 */
import { describe, expect, it } from 'vitest';
import { mirrorNormal, mirrorPlane } from '../../src/anatomy/symmetry';
import type { WorkGrid } from '../../src/anatomy/detect-grid';
import type { Vec3 } from '../../src/core/vec3';

const dot = (a: Vec3, b: Vec3) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
const cross = (a: Vec3, b: Vec3): Vec3 => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
const unit = (a: Vec3): Vec3 => { const l = Math.hypot(...a); return [a[0] / l, a[1] / l, a[2] / l]; };

/** Pelvis-like shape symmetric about the plane through `p0` with normal `n`: u = lateral, v = AP-ish, w = SI-ish. */
function symmetricVolume(n: Vec3, p0: Vec3, g: WorkGrid): Uint8Array {
  const e2 = unit(cross([0, 0, 1], n)), e3 = cross(n, e2);
  const [na, nb, nc] = g.dims;
  const out = new Uint8Array(na * nb * nc);
  const inside = (u: number, v: number, w: number): boolean => {
    const au = Math.abs(u);
    if ((u / 28) ** 2 + (v / 18) ** 2 + (w / 36) ** 2 <= 1) return true; // body
    if ((au - 26) ** 2 + (v - 10) ** 2 + (w + 14) ** 2 <= 64) return true; // paired balls (ala)
    if ((au - 14) ** 2 + (v + 6) ** 2 + (w - 26) ** 2 <= 36) return true; // paired balls (facets)
    if (au <= 4 && Math.abs(v + 22) <= 4 && w > -30 && w < 20) return true; // median crest: a bar on the plane
    if (au <= 40 && au >= 32 && Math.abs(v - 2) <= 5 && Math.abs(w - 5) <= 18) return true; // paired plates (ilia)
    return false;
  };
  for (let c = 0, k = 0; c < nc; c++) for (let b = 0; b < nb; b++) for (let a = 0; a < na; a++, k++) {
    const p: Vec3 = [g.originLps[0] + a * g.spacingMm - p0[0], g.originLps[1] + b * g.spacingMm - p0[1], g.originLps[2] + c * g.spacingMm - p0[2]];
    if (inside(dot(p, n), dot(p, e2), dot(p, e3))) out[k] = 1;
  }
  return out;
}

describe('mirrorPlane', () => {
  const g: WorkGrid = { dims: [80, 70, 80], spacingMm: 1.5, originLps: [-60, -50, -55] };
  for (const [ap, si] of [[0, 0], [8, -6], [-12, 10]] as const) {
    it(`recovers a plane tilted ${ap}° about AP and ${si}° about SI (within 1°, 1 mm)`, () => {
      const n = mirrorNormal(ap, si);
      const p0: Vec3 = [4, -3, 2];
      const mask = symmetricVolume(n, p0, g);
      const copy = Uint8Array.from(mask);
      const r = mirrorPlane(mask, g, { x0Lps: 0 })!;
      expect(r).not.toBeNull();
      const angleDeg = (Math.acos(Math.min(1, Math.abs(dot(r.normalLps, n)))) * 180) / Math.PI;
      const offsetMm = Math.abs(dot([r.pointLps[0] - p0[0], r.pointLps[1] - p0[1], r.pointLps[2] - p0[2]], n));
      console.log(`[tilt ${ap}/${si}] found ${r.aboutApDeg.toFixed(2)}/${r.aboutSiDeg.toFixed(2)}°, normal error ${angleDeg.toFixed(2)}°, offset ${offsetMm.toFixed(2)} mm, overlap ${r.overlap.toFixed(3)}`);
      expect(angleDeg).toBeLessThan(1);
      expect(offsetMm).toBeLessThan(1);
      expect(r.normalLps[0]).toBeGreaterThan(0);
      expect(r.overlap).toBeGreaterThan(0.95);
      expect(mask).toEqual(copy);
    });
  }

  it('an x-only search would miss the tilt: the plane x = const overlaps less', () => {
    const n = mirrorNormal(8, -6);
    const mask = symmetricVolume(n, [4, -3, 2], g);
    const r = mirrorPlane(mask, g, { x0Lps: 0 })!;
    const flat = mirrorPlane(mask, g, { x0Lps: 0, maxTiltDeg: 0 })!;
    expect(flat.aboutApDeg).toBe(0);
    expect(flat.aboutSiDeg).toBe(0);
    expect(r.overlap).toBeGreaterThan(flat.overlap + 0.05);
  });

  it('an empty mask gives null', () => {
    expect(mirrorPlane(new Uint8Array(8), { dims: [2, 2, 2], spacingMm: 1, originLps: [0, 0, 0] })).toBeNull();
  });
});
