/**
 * Analytic lesion membership from ../shared/phantom truth.json (test-only):
 * ellipsoid: Σ ((p − c)·axis_a / semi_a)² ≤ 1; blob: union of balls. `marginMm` grows every
 * semi-axis / radius (a slightly generous offset surface, used to tell leaks from boundary noise).
 */
import type { Vec3 } from '../../src/core/vec3';

export function lesionContains(lesion: any, p: Readonly<Vec3>, marginMm = 0): boolean {
  if (lesion.shape === 'ellipsoid') {
    const c = lesion.center_lps as number[];
    let s = 0;
    for (let a = 0; a < 3; a++) {
      const ax = lesion.axes_lps[a] as number[];
      const t = (p[0] - c[0]!) * ax[0]! + (p[1] - c[1]!) * ax[1]! + (p[2] - c[2]!) * ax[2]!;
      s += (t / (lesion.semi_axes_mm[a] + marginMm)) ** 2;
    }
    return s <= 1;
  }
  for (const sp of lesion.spheres) {
    const c = sp.center_lps as number[];
    const r = sp.radius_mm + marginMm;
    if ((p[0] - c[0]!) ** 2 + (p[1] - c[1]!) ** 2 + (p[2] - c[2]!) ** 2 <= r * r) return true;
  }
  return false;
}
