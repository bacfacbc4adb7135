/**
 * The MR sacrum mask from the placed canal (src/anatomy/mr-sacrum-mask.ts): on the real sagittal T2 of the lower
 * sacrum (prostatex-0218) against points read by eye, and on the generator's MR phantoms against their tissue labels.
 * The canal is the Canal tool's fit from three clicks on the reference canal (as a user places it), so the test
 * follows the app's path: canal placed → mask.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { mrSacrumMask } from '../../src/anatomy/mr-sacrum-mask';
import { fitCanal } from '../../src/anatomy/canal-fit';
import type { Canal } from '../../src/anatomy/types';
import { createScalarVolume, type ScalarVolume } from '../../src/core/volume';
import type { Vec3 } from '../../src/core/vec3';
import { ensurePhantom, requireShared } from '../helpers/shared';
import { loadPhantomVolume } from '../segmentation/phantom-volume';
import { loadRealScan, readReference } from './real/reference';
import { maskAt } from './fixtures-anatomy';

const run = requireShared(true);
const here = dirname(fileURLToPath(import.meta.url));
const config = (name: string) => JSON.parse(readFileSync(join(here, 'configs', name), 'utf8'));

/** The Canal tool's canal from three clicks: the first, middle and last of the reference points. */
function placedCanal(v: ScalarVolume, pts: readonly Vec3[]): Canal {
  const fit = fitCanal(v, [pts[0]!, pts[Math.floor(pts.length / 2)]!, pts[pts.length - 1]!]);
  if (!fit) throw new Error('no canal fit');
  return { centerlineLps: fit.centerlineLps, radiusMm: fit.radiusMm, confidence: 1, source: 'manual' };
}

/**
 * Reference points on prostatex-0218, read by eye on the native sagittal slices (window 0–1400; test/anatomy/fixtures/
 * reformat.py sag and native slices x = 20.32 − 3.6 k). Inside: the S3 and S4 body points of mr-detect.test.ts (the
 * middle of the intermediate-signal block between two fused-disc ridges on the midsagittal slice) and the S5 body (the
 * fat-bright block below the S4/S5 ridge). Outside: the canal (the fixture's centreline, T2-bright band behind the
 * bodies), the rectum (its lumen and wall, anterior to the S4 body across the presacral fat), the presacral fat, the
 * dorsal muscles and ligament behind the lamina, and the gluteal fat.
 */
const PROSTATEX_INSIDE: { name: string; lps: Vec3 }[] = [
  { name: 'S3 body', lps: [-21.1, 41, 77] },
  { name: 'S4 body', lps: [-21.1, 63, 65] },
];
const PROSTATEX_OUTSIDE: { name: string; lps: Vec3 }[] = [
  { name: 'canal (S3)', lps: [-21.1, 57.3, 78.3] },
  { name: 'canal (S4)', lps: [-21.1, 67.9, 67.7] },
  { name: 'rectum (lumen)', lps: [-21.1, 45, 10] },
  { name: 'pelvic organ anterior to S3/S4', lps: [-21.1, 30, 50] },
  { name: 'soft tissue anterior to S5', lps: [-21.1, 52, 42] },
  { name: 'dorsal muscle behind S3', lps: [-21.1, 75, 77] },
  { name: 'dorsal muscle behind S2/S3', lps: [-21.1, 72, 88] },
  { name: 'subcutaneous fat', lps: [-21.1, 85, 75] },
];
/** The S5 body (fat-bright, 1150 against 450–800 in S3/S4): its signal lies outside the band round the seeded marrow. */
const PROSTATEX_S5: Vec3 = [-21.1, 80, 50];

describe.skipIf(!run)('MR sacrum mask from the placed canal', () => {
  it('prostatex-0218 (sagittal T2, S2/3 to the coccyx): the S3 and S4 bodies inside, the canal, rectum, fat and muscles outside', async () => {
    const ref = readReference('prostatex-0218-t2sag-lower-sacrum');
    const v = await loadRealScan(ref);
    const canal = placedCanal(v, ref.canalLps);
    const r = mrSacrumMask(v, canal);
    expect(r).not.toBeNull();
    const rows = [...PROSTATEX_INSIDE, ...PROSTATEX_OUTSIDE].map((p) => `${p.name} ${maskAt(v, r!.mask, p.lps) ? 'in' : 'out'}`);
    console.log(`[prostatex-0218 MR mask] ${r!.volumeMl.toFixed(1)} mL, slices ${r!.slices.join(',')} (seeded ${r!.seededSlices.join(',')}), ${JSON.stringify(r!.timingsMs, (_k, x) => (typeof x === 'number' ? Math.round(x) : x))} ms; ${rows.join('; ')}`);
    for (const p of PROSTATEX_INSIDE) expect(maskAt(v, r!.mask, p.lps), p.name).toBe(1);
    for (const p of PROSTATEX_OUTSIDE) expect(maskAt(v, r!.mask, p.lps), p.name).toBe(0);
  }, 120_000);
  // issue 12 asks for S1–S5; S1 and S2 lie outside this image, S5 is not reached (measured: out)
  it.fails('prostatex-0218: the S5 body inside (measured: outside the mask)', async () => {
    const ref = readReference('prostatex-0218-t2sag-lower-sacrum');
    const v = await loadRealScan(ref);
    const r = mrSacrumMask(v, placedCanal(v, ref.canalLps));
    expect(maskAt(v, r!.mask, PROSTATEX_S5)).toBe(1);
  }, 120_000);

  // measured: t1-like Dice 0.892, t2-like (fat-suppressed: marrow darker than muscle) 0.875, t2-fse-sag 0.885; no L5, ilium
  // at most 0.02 mL (the SI joint's edge)
  for (const cfg of ['t1-like.json', 't2-like.json', 't2-fse-sag.json']) {
    it(`${cfg}: Dice ≥ 0.85 against the sacrum's labels (cortex, marrow, fused discs, lesions), no L5, under 0.1 mL of ilium`, () => {
      const dir = ensurePhantom(config(cfg), 1, true);
      const ph = loadPhantomVolume(dir);
      const v = createScalarVolume(cfg, ph.volume.geometry, ph.volume.voxels, 'raw', 'MR');
      const buf = readFileSync(join(dir, 'labels.npy'));
      const hl = buf.readUInt16LE(8);
      const labels = new Int16Array(buf.buffer.slice(buf.byteOffset + 10 + hl, buf.byteOffset + buf.length));
      const c = ph.truth.anatomy.canal;
      // clicks along the sacral canal (s from 0 to the hiatus region; the truth's centreline starts 8 mm into L5)
      const pts: Vec3[] = c.centerline_lps.filter((_: Vec3, i: number) => c.centerline_s_mm[i] >= 0 && c.centerline_s_mm[i] <= 95);
      const canal = placedCanal(v, pts);
      const r = mrSacrumMask(v, canal);
      let inter = 0, a = 0, b = 0, l5 = 0, il = 0, canalIn = 0;
      const m = r?.mask ?? new Uint8Array(labels.length);
      for (let n = 0; n < labels.length; n++) {
        const l = labels[n]!, g = (l >= 10 && l <= 12) || l >= 100 ? 1 : 0, mk = m[n]!;
        a += mk; b += g;
        if (mk && g) inter++;
        if (mk && l >= 20 && l <= 22) l5++;
        if (mk && l >= 30 && l <= 31) il++;
        if (mk && l === 13) canalIn++;
      }
      const ml = v.geometry.voxelVolumeMm3 / 1000;
      const dice = (2 * inter) / Math.max(1, a + b);
      expect(r).not.toBeNull();
      console.log(`[${cfg} MR mask] Dice ${dice.toFixed(3)}, ${(100 * inter / b).toFixed(1)} % of the sacrum covered; mask ${(a * ml).toFixed(1)} mL, truth ${(b * ml).toFixed(1)} mL; L5 ${(l5 * ml).toFixed(2)} mL, ilium ${(il * ml).toFixed(2)} mL, canal ${(canalIn * ml).toFixed(2)} mL; ${JSON.stringify(r?.timingsMs, (_k, x) => (typeof x === 'number' ? Math.round(x) : x))} ms`);
      expect(dice).toBeGreaterThanOrEqual(0.85);
      expect(l5).toBe(0);
      expect(il * ml).toBeLessThan(0.1);
    }, 300_000);
  }
});
