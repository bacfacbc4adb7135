/**
 * A field of view that cuts the sacrum (abdominal CTs stop at S1–S3, DOMAIN.md §8), with exact truth:
 * configs/fatty-cut-s2.json is fatty-small.json with its lowest slice 5 mm above the S3 openings' centres, L5
 * and the L5/S1 disc in the image (the phantom of pancreas-ct-cb-001-upper-sacrum's cut). No foramen shown as
 * found may be more than 5 mm from the truth, and none of the cut levels may be shown as found; the issue's
 * target: S1/S2 found within 3 mm, S3/S4 reported outside the image.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { suggestLandmarks } from '../../src/anatomy/suggest';
import { isTrusted } from '../../src/anatomy/evidence';
import type { DetectionResult } from '../../src/anatomy/detect';
import { scanAndLoadDicom } from '../../src/io/dicom';
import { ensurePhantom, filesIn, readTruth, requireShared } from '../helpers/shared';
import { midpoint } from './fixtures-anatomy';
import { pointSegmentMm } from './real/reference';
import type { Vec3 } from '../../src/core/vec3';

const run = requireShared(true);
const here = dirname(fileURLToPath(import.meta.url));
const CUT = ['S3_L', 'S3_R', 'S4_L', 'S4_R'];

let result: Promise<{ d: DetectionResult; truth: any }> | null = null;
function detect(): Promise<{ d: DetectionResult; truth: any }> {
  result ??= (async () => {
    const dir = ensurePhantom(JSON.parse(readFileSync(join(here, 'configs', 'fatty-cut-s2.json'), 'utf8')));
    const loaded = await scanAndLoadDicom(filesIn(join(dir, 'dicom')));
    return { d: suggestLandmarks(loaded.loaded!.volume), truth: readTruth(dir) };
  })();
  return result;
}

/** Foramina shown as found within 3 mm of the truth (tunnel centre to the suggested axis). */
async function foundWithin3(): Promise<string[]> {
  const { d, truth } = await detect();
  return d.anatomy.foramina.filter((f) => {
    const t = truth.anatomy.foramina.find((x: any) => x.id === f.id);
    return isTrusted(f) && t && pointSegmentMm(midpoint(t.anterior_opening_lps, t.posterior_opening_lps) as Vec3, f.anteriorLps, f.posteriorLps) <= 3;
  }).map((f) => f.id).sort();
}

describe.skipIf(!run)('fatty sacrum cut by the field of view between S2 and S3', () => {
  it('never confidently wrong: nothing found more than 5 mm off, no cut level shown as found', async () => {
    const { d, truth } = await detect();
    const wrong: string[] = [], rows: string[] = [];
    for (const f of d.anatomy.foramina) {
      const t = truth.anatomy.foramina.find((x: any) => x.id === f.id);
      const e = t ? pointSegmentMm(midpoint(t.anterior_opening_lps, t.posterior_opening_lps) as Vec3, f.anteriorLps, f.posteriorLps) : Infinity;
      rows.push(`${f.id} ${isTrusted(f) ? 'found' : 'check'} ${f.confidence.toFixed(2)} ${e.toFixed(1)} mm`);
      if (!isTrusted(f)) continue;
      if (CUT.includes(f.id)) wrong.push(`${f.id} shown as found, its level is outside the image`);
      else if (e > 5) wrong.push(`${f.id} shown as found ${e.toFixed(1)} mm from the truth`);
    }
    console.log(`[fatty-cut-s2] ${rows.join('; ') || 'no foramina'}; outside the image: ${(d.anatomy.outsideFov ?? []).join(', ') || 'none'}`);
    expect(wrong).toEqual([]);
  }, 300_000);
  // issue 12's target on a cut field of view. It once found nothing: the coarse mask was a fragment of one side's
  // cortex, the fine box cropped to it cut the right ala away and the midline plane landed 10 mm off (detect.ts:
  // the box now reaches as far on a side that holds less than half a sacrum's width); and the first mask's body
  // curve, run out of the image, was squeezed into five levels (the levels are now placed from the L5/S1 disc at a
  // whole sacrum's spacing where the mask's top is that disc)
  it('S1 and S2 found within 3 mm, S3 and S4 reported outside the image', async () => {
    const { d } = await detect();
    expect(await foundWithin3()).toEqual(['S1_L', 'S1_R', 'S2_L', 'S2_R']);
    expect([...(d.anatomy.outsideFov ?? [])].sort()).toEqual(CUT);
  }, 300_000);
});
