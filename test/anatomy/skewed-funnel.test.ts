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
  // KNOWN GAP, confidently wrong: with the S2 tunnels unlined the S2 pair is found but its axes miss the tunnels:
  // measured S2_L and S2_R shown as found 3.9 and 5.3 mm off (r 4.7/4.3 against 3.75, below the fit's 7 mm bound, so
  // detect/funnel-refit.ts does not refit them); the rest within 2.5 mm
  it.fails('S2 tunnels walled by trabecular bone behind the funnel: nothing shown as found more than 5 mm off (S2_R found 5.3 mm off)', async () => {
    const r = await suggestOn({ ...SKEWED, unlined: 'S2' });
    console.log(`[skewed-funnel, S2 unlined] ${r.rows}`);
    expect(r.wrong).toEqual([]);
  }, 900_000);
});
