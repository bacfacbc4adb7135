/**
 * Levels outside the image, from the foramina placed by hand: a volume that stops below S2 reports
 * S3 and S4 as outside the field of view once S1 and S2 are placed; the whole sacrum reports none.
 */
import { describe, expect, it } from 'vitest';
import { VolumeGeometry } from '../../src/core/geometry';
import { createScalarVolume } from '../../src/core/volume';
import type { Vec3 } from '../../src/core/vec3';
import { expectedForamina, withOutsideFov } from '../../src/anatomy/expected-foramina';
import type { Foramen, ForamenId, SacralAnatomy } from '../../src/anatomy/types';

/** Foramina on a straight sacrum: level k's pair at z = −25 k, x = ±22, the tunnel 12 mm along y. */
function placed(ids: ForamenId[]): SacralAnatomy {
  const foramina: Foramen[] = ids.map((id) => {
    const k = +id[1]!, sx = id.endsWith('_L') ? 22 : -22;
    const a: Vec3 = [sx, 0, -25 * k];
    return { id, level: id.slice(0, 2) as Foramen['level'], side: id[3] as Foramen['side'], anteriorLps: a, posteriorLps: [a[0], 12, a[2]], radiusMm: 4, confidence: 1, source: 'manual' };
  });
  return { foramina, canal: null, frame: null };
}
const volumeZ = (zLo: number, zHi: number) => {
  const g = new VolumeGeometry({ dims: [40, 30, Math.round((zHi - zLo) / 3) + 1], spacingMm: [3, 3, 3], originLps: [-60, -40, zLo], directionCosines: [1, 0, 0, 0, 1, 0, 0, 0, 1] });
  return createScalarVolume('box', g, new Int16Array(g.dims[0] * g.dims[1] * g.dims[2]), 'HU', 'CT');
};

describe('expected foramina and the field of view', () => {
  it('extends the chain of placed levels to the others, each side at its own distance from the midline', () => {
    const e = expectedForamina(placed(['S1_L', 'S1_R', 'S2_L', 'S2_R']));
    expect([...e.keys()]).toEqual(['S3_L', 'S3_R', 'S4_L', 'S4_R']);
    const s3l = e.get('S3_L')!, s4r = e.get('S4_R')!;
    expect(Math.abs(s3l[0] - 22)).toBeLessThan(0.01);
    expect(Math.abs(s3l[2] + 75)).toBeLessThan(0.01);
    expect(Math.abs(s4r[0] + 22)).toBeLessThan(0.01);
    expect(Math.abs(s4r[2] + 100)).toBeLessThan(0.01);
    // one level gives no chain
    expect(expectedForamina(placed(['S1_L', 'S1_R'])).size).toBe(0);
  });

  it('a field of view stopping below S2 reports S3 and S4 outside; the whole sacrum none', () => {
    const cut = withOutsideFov(volumeZ(-78, 0), placed(['S1_L', 'S1_R', 'S2_L', 'S2_R']));
    expect(cut.outsideFov).toEqual(['S3_L', 'S3_R', 'S4_L', 'S4_R']);
    const whole = withOutsideFov(volumeZ(-130, 0), placed(['S1_L', 'S1_R', 'S2_L', 'S2_R']));
    expect(whole.outsideFov).toBeUndefined();
    // S3 with its rim in the image (its centre 7 mm inside the last slice) is asked for, S4 is not
    const s3In = withOutsideFov(volumeZ(-82, 0), placed(['S1_L', 'S1_R', 'S2_L', 'S2_R']));
    expect(s3In.outsideFov).toEqual(['S4_L', 'S4_R']);
  });

  it('a placed foramen is never outside, and what detection reported is kept', () => {
    const a = { ...placed(['S1_L', 'S1_R', 'S2_L', 'S2_R', 'S3_L']), outsideFov: ['S3_L', 'S4_L'] as ForamenId[] };
    const r = withOutsideFov(volumeZ(-130, 0), a);
    expect(r.outsideFov).toEqual(['S4_L']);
  });
});
