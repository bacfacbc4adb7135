/**
 * Automatic detection on MR (issue 12): what it gives, and what it does not do yet.
 *
 * Every stage of detectSacralAnatomy reads CT densities (bone, cortex and marrow thresholds in HU). On MR the cortex
 * is a signal void and fat, fatty marrow and fluid are all bright, so those thresholds take whatever lies in their
 * range. Measured with the HU pipeline run on the MR signal as it stood (modality not checked): on the sagittal T2 of
 * the lower sacrum (prostatex-0218, S1 and S2 outside the image) S1_L, S1_R and S2_L "check" suggestions, no level
 * reported outside the image, a canal "check" whose points lie 148 mm (median) from the reference; on the
 * generator's MR-like phantoms (t1-like.json, t2-like.json) the figures printed below. So nothing is suggested on MR
 * (detect.ts MR_MESSAGE): the user places the landmarks with the Foramen and Canal tools, whose fits read the
 * lumen's polarity and the image's own spread (local-image.ts), as test/browser/anatomy-assisted.e2e.ts does.
 * The issue's MR acceptance (a sacrum mask over the bodies, suggestions at the right levels) is the `it.fails` below.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { suggestLandmarks } from '../../../src/anatomy/suggest';
import { MR_MESSAGE } from '../../../src/anatomy/detect';
import { isTrusted } from '../../../src/anatomy/evidence';
import { createScalarVolume, type ScalarVolume } from '../../../src/core/volume';
import type { Vec3 } from '../../../src/core/vec3';
import { ensurePhantom, requireShared } from '../../helpers/shared';
import { loadPhantomVolume } from '../../segmentation/phantom-volume';
import { loadRealScan, pointSegmentMm, readReference } from './reference';
import { maskAt } from '../fixtures-anatomy';

const run = requireShared(true);
const here = dirname(fileURLToPath(import.meta.url));
const config = (name: string) => JSON.parse(readFileSync(join(here, '..', 'configs', name), 'utf8'));

/** Foramina and canal as suggested, each with its distance (mm) to the nearest reference opening. */
function rows(v: ScalarVolume, refs: { id: string; lps: Vec3 }[]): { text: string; found: number; wrong: string[]; maskMl: number } {
  const d = suggestLandmarks(v);
  const wrong: string[] = [];
  const out = d.anatomy.foramina.map((f) => {
    const near = refs.map((r) => ({ id: r.id, e: pointSegmentMm(r.lps, f.anteriorLps, f.posteriorLps) })).sort((a, b) => a.e - b.e)[0];
    const own = refs.find((r) => r.id === f.id);
    const e = own ? pointSegmentMm(own.lps, f.anteriorLps, f.posteriorLps) : null;
    if (isTrusted(f) && (e === null || e > 3)) wrong.push(`${f.id} shown as found ${e === null ? 'at a level outside the image' : `${e.toFixed(1)} mm off`}`);
    return `${f.id} ${isTrusted(f) ? 'found' : 'check'} ${f.confidence.toFixed(2)} (${e === null ? 'no reference' : `${e.toFixed(1)} mm`}; nearest ${near?.id} ${near?.e.toFixed(1)} mm)`;
  });
  let n = 0;
  for (const x of d.sacrumMask) n += x;
  const maskMl = (n * v.geometry.voxelVolumeMm3) / 1000;
  return { text: `${out.join('; ') || 'no foramina'}; canal ${d.anatomy.canal ? (isTrusted(d.anatomy.canal) ? 'found' : 'check') : 'none'}; outside the image ${(d.anatomy.outsideFov ?? []).join(', ') || 'none'}; mask ${maskMl.toFixed(1)} mL; messages ${JSON.stringify(d.diagnostics.messages)}`, found: d.anatomy.foramina.filter(isTrusted).length, wrong, maskMl };
}

/**
 * Points in the sacral bodies of prostatex-0218, read by eye on the midsagittal slice x = -21.1 (reformat.py sag,
 * 0.2 mm per pixel, window 1000/500): each in the middle of the intermediate-signal block between two dark
 * transverse ridges (fused discs), the S3 body above the ridge the S3 openings lie at, the S4 body between it and the
 * S4/S5 ridge (the fixture's method.anterior).
 */
const PROSTATEX_BODIES: { name: string; lps: Vec3 }[] = [{ name: 'S3 body', lps: [-21.1, 41, 77] }, { name: 'S4 body', lps: [-21.1, 63, 65] }];

describe.skipIf(!run)('automatic detection on MR', () => {
  it('prostatex-0218 (sagittal T2): nothing suggested, with the message naming the Foramen and Canal tools; no level shown as found', async () => {
    const ref = readReference('prostatex-0218-t2sag-lower-sacrum');
    const v = await loadRealScan(ref);
    const r = rows(v, Object.entries(ref.foramina).map(([id, f]) => ({ id, lps: f!.anteriorLps })));
    console.log(`[prostatex-0218] ${r.text}`);
    expect(r.wrong).toEqual([]);
    expect(r.text).toContain(MR_MESSAGE);
    expect(r.text).toMatch(/^no foramina; canal none/);
  }, 120_000);
  // t2-fse-sag.json: fat-bright marrow (T2 without fat suppression) acquired sagittally over S2 to the coccyx, as
  // prostatex-0218 is, so the guard does not rest on axial phantoms alone
  for (const cfg of ['t1-like.json', 't2-like.json', 't2-fse-sag.json']) {
    it(`${cfg} (MR signal, exact truth): nothing shown as found off its truth`, () => {
      const ph = loadPhantomVolume(ensurePhantom(config(cfg)));
      const v = createScalarVolume(cfg, ph.volume.geometry, ph.volume.voxels, 'raw', 'MR');
      const r = rows(v, ph.truth.anatomy.foramina.map((f: any) => ({ id: f.id, lps: f.anterior_opening_lps })));
      console.log(`[${cfg}] ${r.text}`);
      expect(r.wrong).toEqual([]);
    }, 300_000);
  }
  // issue 12's MR acceptance, not met automatically: a sacrum mask over the bodies from the MR alone (without landmarks);
  // from the canal placed with the Canal tool it is met (test/anatomy/mr-sacrum-mask.test.ts)
  it.fails('prostatex-0218: the sacrum mask covers the S3 and S4 bodies', async () => {
    const ref = readReference('prostatex-0218-t2sag-lower-sacrum');
    const v = await loadRealScan(ref);
    const d = suggestLandmarks(v);
    for (const p of PROSTATEX_BODIES) expect(maskAt(v, d.sacrumMask, p.lps), p.name).toBe(1);
  }, 120_000);
  it.fails('t1-like.json: 8 of 8 foramina found within 3 mm of the truth', () => {
    const ph = loadPhantomVolume(ensurePhantom(config('t1-like.json')));
    const v = createScalarVolume('t1-like.json', ph.volume.geometry, ph.volume.voxels, 'raw', 'MR');
    expect(rows(v, ph.truth.anatomy.foramina.map((f: any) => ({ id: f.id, lps: f.anterior_opening_lps }))).found).toBe(8);
  }, 300_000);
});
