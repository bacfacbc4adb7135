/**
 * Never confidently wrong on phantoms with exact truth: fatty marrow (../shared fatty.json), an
 * osteopenic sacrum, fatty marrow on 5 mm slices and fatty marrow with a decoy pair of fat pockets above S1
 * (test/anatomy/configs): every foramen the app shows as found (evidence.ts) has the right level and side
 * and its axis passes within 5 mm of the true tunnel centre; the number found within 3 mm is printed. On
 * the default, hard, fatty and decoy phantoms all eight are found, and on the fatty ones within 3 mm.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { suggestLandmarks } from '../../src/anatomy/suggest';
import { fitForamen } from '../../src/anatomy/foramen-fit';
import { isTrusted } from '../../src/anatomy/evidence';
import { scanAndLoadDicom } from '../../src/io/dicom';
import { ensurePhantom, filesIn, readTruth, requireShared } from '../helpers/shared';
import { midpoint } from './fixtures-anatomy';
import { pointSegmentMm } from './real/reference';
import type { Vec3 } from '../../src/core/vec3';

const run = requireShared(true);
const here = dirname(fileURLToPath(import.meta.url));

const CASES: { name: string; config: string | Record<string, unknown>; allFound?: boolean; allWithin3?: boolean }[] = [
  { name: 'default', config: 'default.json', allFound: true },
  { name: 'hard', config: 'hard.json', allFound: true },
  { name: 'fatty', config: 'fatty.json', allFound: true, allWithin3: true },
  { name: 'osteopenic', config: JSON.parse(readFileSync(join(here, 'configs', 'osteopenic.json'), 'utf8')), allFound: true, allWithin3: true },
  { name: 'fatty-thick5mm', config: JSON.parse(readFileSync(join(here, 'configs', 'fatty-thick5mm.json'), 'utf8')) },
  // a mirror pair of fat pockets above S1, narrower than it: not a level
  { name: 'fatty-decoy-pair', config: JSON.parse(readFileSync(join(here, 'configs', 'fatty-decoy-pair.json'), 'utf8')), allFound: true, allWithin3: true },
];

describe.skipIf(!run)('suggested foramina on phantoms are never confidently wrong', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const dir = ensurePhantom(c.config);
      const loaded = await scanAndLoadDicom(filesIn(join(dir, 'dicom')));
      const truth = readTruth(dir);
      const d = suggestLandmarks(loaded.loaded!.volume);
      const wrong: string[] = [], rows: string[] = [];
      let within3 = 0, found = 0;
      for (const f of d.anatomy.foramina) {
        const t = truth.anatomy.foramina.find((x: any) => x.id === f.id);
        const tc = t ? midpoint(t.anterior_opening_lps, t.posterior_opening_lps) : null;
        const e = tc ? pointSegmentMm(tc as Vec3, f.anteriorLps, f.posteriorLps) : Infinity;
        rows.push(`${f.id} ${isTrusted(f) ? 'found' : 'check'} ${f.confidence.toFixed(2)} ${e.toFixed(1)} mm`);
        if (!isTrusted(f)) continue;
        found++;
        if (e <= 3) within3++;
        if (e > 5) wrong.push(`${f.id} shown as found ${e.toFixed(1)} mm from the truth`);
      }
      console.log(`[${c.name}] ${found} found, ${within3} within 3 mm: ${rows.join('; ')}`);
      expect(wrong).toEqual([]);
      if (c.allFound) expect(found).toBe(8);
      if (c.allWithin3) expect(within3).toBe(8);
      // the Foramen tool on the same image: one click 3 mm inside each true anterior opening; the fitted
      // axis must pass within 3 mm of the true one there, within 20°
      const fits: string[] = [];
      let worst = 0;
      for (const t of truth.anatomy.foramina) {
        const a = t.anterior_opening_lps as Vec3, b = t.posterior_opening_lps as Vec3;
        const L = Math.hypot(b[0] - a[0], b[1] - a[1], b[2] - a[2]);
        const click: Vec3 = [0, 1, 2].map((i) => a[i]! + ((b[i]! - a[i]!) * 3) / L) as Vec3;
        const f = fitForamen(loaded.loaded!.volume, click);
        // the true axis at the click (3 mm inside the opening) to the fitted axis; the angle and the
        // length followed are printed (the fitted capsule may stop short of the posterior opening)
        const e = f ? pointSegmentMm(click, f.anteriorLps, f.posteriorLps) : Infinity;
        const cosA = f ? Math.abs(((b[0] - a[0]) * f.axisLps[0] + (b[1] - a[1]) * f.axisLps[1] + (b[2] - a[2]) * f.axisLps[2]) / L) : 0;
        worst = Math.max(worst, e, f && cosA < Math.cos((20 * Math.PI) / 180) ? Infinity : 0);
        fits.push(`${t.id} ${e.toFixed(1)} mm${f ? ` (${f.tubeLengthMm.toFixed(0)} of ${L.toFixed(0)} mm long, ${((Math.acos(Math.min(1, cosA)) * 180) / Math.PI).toFixed(0)}°)` : ''}`);
      }
      console.log(`[${c.name}] Foramen tool, one click each: ${fits.join(', ')}`);
      expect(worst).toBeLessThanOrEqual(3);
    }, 300_000);
  }
});
