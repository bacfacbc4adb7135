/**
 * Anterior openings whose funnels turn to the side, as on real CT (test/phantom-tools/skewed-funnel.py: fatty-funnel.json's
 * image, S1 tunnels 5.5 mm wide as a real S1's, every funnel flaring 1.7× over 8 mm with its mouth centred 3 mm lateral
 * of the tunnel's axis), with the landmarks exactly as the app suggests them (suggestLandmarks), against exact truth
 * (the truth centre's distance to the suggested axis).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { suggestLandmarks } from '../../src/anatomy/suggest';
import { isTrusted } from '../../src/anatomy/evidence';
import { scanAndLoadDicom } from '../../src/io/dicom';
import { ensureSkewedFunnelPhantom, filesIn, readTruth, requireShared, type SkewedFunnelOpenings } from '../helpers/shared';
import { midpoint } from './fixtures-anatomy';
import { pointSegmentMm } from './real/reference';

const run = requireShared(true);
const here = dirname(fileURLToPath(import.meta.url));
const config = JSON.parse(readFileSync(join(here, 'configs', 'fatty-funnel.json'), 'utf8')) as Record<string, unknown>;
const SKEWED: SkewedFunnelOpenings = { flare: 1.7, lengthMm: 8, skewMm: 3, s1RadiusMm: 5.5, unlined: '' };

async function suggestOn(f: SkewedFunnelOpenings): Promise<{ wrong: string[]; within3: number; rows: string }> {
  const dir = ensureSkewedFunnelPhantom(config, f);
  const volume = (await scanAndLoadDicom(filesIn(join(dir, 'dicom')))).loaded!.volume;
  const truth = readTruth(dir);
  const d = suggestLandmarks(volume);
  const wrong: string[] = [], rows: string[] = [];
  let within3 = 0;
  for (const t of truth.anatomy.foramina) {
    const s = d.anatomy.foramina.find((x) => x.id === t.id);
    if (!s) { rows.push(`${t.id} missing`); continue; }
    const e = pointSegmentMm(midpoint(t.anterior_opening_lps, t.posterior_opening_lps), s.anteriorLps, s.posteriorLps);
    rows.push(`${s.id} ${isTrusted(s) ? 'found' : 'check'} ${e.toFixed(1)} mm r ${s.radiusMm.toFixed(1)}/${t.radius_mm}`);
    if (!isTrusted(s)) continue;
    if (e <= 3) within3++;
    if (e > 5) wrong.push(`${s.id} shown as found ${e.toFixed(1)} mm from the truth`);
  }
  return { wrong, within3, rows: rows.join('; ') };
}

describe.skipIf(!run)('funnels turning to the side (skewed-funnel.py)', () => {
  // measured when written: all 8 found, the truth centres 0.0–2.5 mm from the suggested axes (S4_L the worst)
  it('every tunnel lined by its cortex: 8 of 8 found within 3 mm', async () => {
    const r = await suggestOn(SKEWED);
    console.log(`[skewed-funnel] ${r.rows}`);
    expect(r.wrong).toEqual([]);
    expect(r.within3).toBe(8);
  }, 900_000);
  // S1 tunnels walled by trabecular bone behind their cortical mouths (--unlined S1, as pancreas-ct-cb-001's S1 R: rim
  // 200–230 HU over the lumen 10–14 mm in, 410–430 at the mouth): the first mask loses the S1 body, the long axis begins
  // at S2 and the anterior-surface map below the S1 openings. Before detect/level-above.ts the row was named from S2 and
  // a pair of 10 mm stubs between S2's and S3's funnels (8–16° from the row) completed a count of four: S1_L/S1_R shown
  // as found 25.7/26.1 mm off, S2_R 16.8. Now the stubs do not count (detect/numbering.ts), the numbering is in doubt,
  // and the pair one level above S2, fitted where the row puts it (r 5.5/5.5), is taken as S1: measured 8 of 8 found
  // within 3 mm (S1 1.3/1.5, S2 0.1/0.0, S3 0.3/0.4, S4 1.5/2.1 mm)
  it('S1 tunnels walled by trabecular bone behind the funnel: 8 of 8 found within 3 mm, nothing found more than 5 mm off', async () => {
    const r = await suggestOn({ ...SKEWED, unlined: 'S1' });
    console.log(`[skewed-funnel, S1 unlined] ${r.rows}`);
    expect(r.wrong).toEqual([]);
    expect(r.within3).toBe(8);
  }, 900_000);
  // one side alone unlined (S1_R): its partner, lined, keeps the S1 body in the first mask and the row named from S1;
  // measured 8 of 8 found within 3 mm (S1_R 1.7 mm, r 5.0; the rest as the lined case)
  it('the S1 R tunnel alone walled by trabecular bone: 8 of 8 found within 3 mm', async () => {
    const r = await suggestOn({ ...SKEWED, unlined: 'S1_R' });
    console.log(`[skewed-funnel, S1 R unlined] ${r.rows}`);
    expect(r.wrong).toEqual([]);
    expect(r.within3).toBe(8);
  }, 900_000);
  // S2 tunnels walled by trabecular bone behind the funnel. Before detect/funnel-refit.ts' second sign, the S2 fits scored
  // their rings against the funnel's cortex and stopped where it stopped, 12–13 mm into the 33 mm tunnels, on the
  // funnel's axis (14–17° off the tunnel's), radius 4.0/4.3 under the fit's 7 mm bound, so not fitted again: S2_L and
  // S2_R shown as found 3.9 and 5.3 mm off. Their lumen goes on, enclosed, past those ends (lumenGoesOn), so each is
  // fitted again 10 mm inside its opening and followed to the posterior opening (33.8 mm): measured 8 of 8 found within
  // 3 mm (S2 0.7/0.7 mm, r 3.5; S1 0.0/0.0, S3 0.3/0.4, S4 2.5/1.8)
  it('S2 tunnels walled by trabecular bone behind the funnel: 8 of 8 found within 3 mm, nothing found more than 5 mm off', async () => {
    const r = await suggestOn({ ...SKEWED, unlined: 'S2' });
    console.log(`[skewed-funnel, S2 unlined] ${r.rows}`);
    expect(r.wrong).toEqual([]);
    expect(r.within3).toBe(8);
  }, 900_000);
  // S2 and S3 unlined: S2 fitted again as above (0.7/0.7 mm). S3_L's fit follows its funnel, which turns 31° off a
  // tunnel only 3 mm wide, over 9 mm, and its axis leaves the lumen past that end (no second sign); followed over 9 mm
  // where S3_R runs 24, it is followed again along S3_R's mirror image (combine.ts, mirror-refit.ts). There the
  // trabecular wall does not rise the 150 HU refineForamenAxis asks, so before mirror-refit.ts took the 100 HU of an
  // enclosing rim along a mirrored axis S3_L stayed "check" (4.1 mm off) and S4_L, its row no longer anchored by a found
  // S3_L, "check" too (6 found). Measured: 8 of 8 found within 3 mm (S3_L 1.3, S3_R 1.2, S4 2.5/1.8 mm)
  it('S2 and S3 tunnels walled by trabecular bone: 8 of 8 found within 3 mm, nothing found more than 5 mm off', async () => {
    const r = await suggestOn({ ...SKEWED, unlined: 'S2,S3' });
    console.log(`[skewed-funnel, S2 and S3 unlined] ${r.rows}`);
    expect(r.wrong).toEqual([]);
    expect(r.within3).toBe(8);
  }, 900_000);
});
