/**
 * Random clicks in the inner half of a phantom lesion (test-only): for an ellipsoid, points of the
 * ellipsoid scaled by 0.5 about its centre; for a blob, points within half the radius of one of its
 * balls (chosen in proportion to its volume). Uniform in volume, seeded.
 */
import type { Vec3 } from '../../src/core/vec3';
import { expect } from 'vitest';
import { mulberry32 } from '../../src/core/random';
import type { ScalarVolume } from '../../src/core/volume';
import { regionGrow } from '../../src/segmentation/region-grow';

export function innerHalfClicks(lesion: any, n: number, seed: number): Vec3[] {
  const rnd = mulberry32(seed);
  const inUnitBall = (): Vec3 => {
    for (;;) {
      const p: Vec3 = [2 * rnd() - 1, 2 * rnd() - 1, 2 * rnd() - 1];
      if (p[0] ** 2 + p[1] ** 2 + p[2] ** 2 <= 1) return p;
    }
  };
  const out: Vec3[] = [];
  for (let t = 0; t < n; t++) {
    const u = inUnitBall();
    if (lesion.shape === 'ellipsoid') {
      const c = lesion.center_lps as number[];
      const p: Vec3 = [c[0]!, c[1]!, c[2]!];
      for (let a = 0; a < 3; a++) {
        const ax = lesion.axes_lps[a] as number[];
        const s = 0.5 * lesion.semi_axes_mm[a] * u[a]!;
        for (let d = 0; d < 3; d++) p[d] = p[d]! + s * ax[d]!;
      }
      out.push(p);
    } else {
      const w = lesion.spheres.map((s: any) => s.radius_mm ** 3);
      let x = rnd() * w.reduce((a: number, b: number) => a + b, 0), k = 0;
      while (k < w.length - 1 && x > w[k]!) { x -= w[k]!; k++; }
      const s = lesion.spheres[k];
      const c = s.center_lps as number[];
      out.push([c[0]! + 0.5 * s.radius_mm * u[0], c[1]! + 0.5 * s.radius_mm * u[1], c[2]! + 0.5 * s.radius_mm * u[2]]);
    }
  }
  return out;
}

/**
 * Clicks in a phantom's normal marrow: around each sacral body centre (the centre, 8 mm to either side,
 * 4 mm posterior), those at least 4 mm beyond every lesion's largest semi-axis (a blob: its largest ball + 8 mm).
 */
export function normalMarrowClicks(truth: any): { label: string; lps: Vec3 }[] {
  const out: { label: string; lps: Vec3 }[] = [];
  for (const lv of truth.anatomy.levels) for (const d of [[0, 0, 0], [8, 0, 0], [-8, 0, 3], [0, 4, -3]]) {
    const c = lv.body_center_lps as number[];
    const p: Vec3 = [c[0]! + d[0]!, c[1]! + d[1]!, c[2]! + d[2]!];
    if (truth.lesions.some((les: any) => Math.hypot(p[0] - les.center_lps[0], p[1] - les.center_lps[1], p[2] - les.center_lps[2]) < Math.max(...(les.semi_axes_mm ?? les.spheres.map((s: any) => s.radius_mm + 8))) + 4)) continue;
    out.push({ label: `${lv.level} +${d.join(',')}`, lps: p });
  }
  return out;
}

/**
 * Grow from every normalMarrowClicks point: each must give a message matching `message` and no lesion
 * (issue 13: a click in normal bone gives a message, never a lesion). Returns the printed rows; at least 8 clicks.
 */
export function expectNormalMarrowRefused(volume: ScalarVolume, truth: any, name: string, message: RegExp): string[] {
  const rows: string[] = [];
  let clicks = 0;
  for (const { label, lps } of normalMarrowClicks(truth)) {
    const r = regionGrow(volume, { lps });
    clicks++;
    rows.push(`${name} ${label}: ${r.problem ?? `grew ${r.volumeMl.toFixed(3)} mL`} ${r.message ?? ''}`);
    expect(r.problem, rows.at(-1)).toBeDefined();
    expect(r.voxelCount).toBe(0);
    expect(r.message).toMatch(message);
  }
  expect(clicks).toBeGreaterThanOrEqual(8);
  return rows;
}
