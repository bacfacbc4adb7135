/**
 * A field of view that cuts the sacrum (abdominal CTs stop at S1–S3, DOMAIN.md §8), with exact truth:
 * configs/fatty-cut-s2.json is fatty-small.json with its lowest slice 5 mm above the S3 openings' centres, L5
 * and the L5/S1 disc in the image (the phantom of pancreas-ct-cb-001-upper-sacrum's cut), and
 * configs/fatty-flat-cut-s2.json the same sacrum lying flat under an upright L5 (phantom-tools/flat-sacrum.py: turned 33°
 * about L-R through its S1 endplate centre, its S1 segment 24° from the axial plane; pancreas-ct-cb-001's lies 17°), cut
 * the same way (its S3 tunnels, their posterior ends turned up, then lie mostly inside). No foramen shown as
 * found may be more than 5 mm from the truth, none of the cut levels may be shown as found, and a real tunnel
 * suggested under another level's name must come with the numbering in doubt; the issue's
 * target: the levels in the image (S1/S2) found within 3 mm, the cut ones (S3/S4) reported outside the image.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { suggestLandmarks } from '../../src/anatomy/suggest';
import { isTrusted } from '../../src/anatomy/evidence';
import type { DetectionResult } from '../../src/anatomy/detect';
import { scanAndLoadDicom } from '../../src/io/dicom';
import { ensureFlatSacrumPhantom, ensurePhantom, filesIn, readTruth, requireShared } from '../helpers/shared';
import { midpoint } from './fixtures-anatomy';
import { pointSegmentMm } from './real/reference';
import type { Vec3 } from '../../src/core/vec3';

const run = requireShared(true);
const here = dirname(fileURLToPath(import.meta.url));

const config = (name: string) => JSON.parse(readFileSync(join(here, 'configs', name), 'utf8'));

interface Cut {
  name: string;
  dir: () => string;
  /** Levels outside the image (their tunnels' centres below its lowest slice, from the truth). */
  cut: string[];
  /** The levels in the image, to be found within 3 mm. */
  found: string[];
  /** KNOWN GAP: why this phantom fails the issue's target today (asserted as failing, so that a fix shows up). */
  fails?: string;
  /**
   * No L5/S1 disc to read and not all four levels in the image: nothing can confirm the level numbers, so the target is
   * not "found" but "check": the disc reading in doubt and no level shown as found under any name.
   */
  ambiguous?: string;
}
const CASES: Cut[] = [
  { name: 'fatty-cut-s2', dir: () => ensurePhantom(config('fatty-cut-s2.json')), cut: ['S3_L', 'S3_R', 'S4_L', 'S4_R'], found: ['S1_L', 'S1_R', 'S2_L', 'S2_R'] },
  // the sacrum turned 33° flatter about its S1 endplate centre under an upright L5 (flat-sacrum.py)
  // the sacrum turned 33° flatter about its S1 endplate centre under an upright L5 (flat-sacrum.py): the L5/S1 disc is a
  // 45° wedge (L5's inferior endplate 28° from the axial plane, S1's superior one 73°), read as such where the parallel
  // reading is contradicted (disc-reading.ts: 25° and 70°, 223 HU against the parallel line's 131 HU at 10° through the
  // gap behind L5). The turn lifts the tunnels' posterior ends: S3's centre lies at z −34.8, 5.2 mm inside the lowest
  // slice (its anterior opening 2.2 mm below it), so S3 is in the image; S4's whole tunnel is below it
  { name: 'fatty-flat-cut-s2', dir: () => ensureFlatSacrumPhantom(config('fatty-flat-cut-s2.json'), 33), cut: ['S4_L', 'S4_R'], found: ['S1_L', 'S1_R', 'S2_L', 'S2_R', 'S3_L', 'S3_R'] },
  // fatty-cut-s2 with the L5/S1 disc space filled with bone as dense as the cortex (an ankylosed disc, a sacralised L5):
  // no dark disc between L5 and S1, and only S1 and S2 in the image, so neither the disc nor the count of four can number
  // the levels. The disc search reads a strip of marrow inside the fused block instead: before disc-reading.ts bounded
  // L5's endplate and the steep end, a wedge at 0° with "L5's endplate" at −25° (96 HU, trusted: the narrow line 57 HU,
  // 1.7×); now a wedge with S1's "endplate" at the search's 80° bound (83 HU; the slab's noise σ 5.1 HU, floor 13 HU),
  // in doubt. The first mask holds the fused L5, so S1 and S2 are named S2 and S3 (25.6 and 21.0 mm from the truth of
  // those names); every level is "check", before and after (S2 opens 31, now 22 mm under the disc found, where S1
  // opens: detect/numbering.ts)
  { name: 'fatty-fused-l5s1-cut-s2', dir: () => ensurePhantom(config('fatty-fused-l5s1-cut-s2.json')), cut: ['S3_L', 'S3_R', 'S4_L', 'S4_R'], found: [], ambiguous: 'no disc between L5 and S1, two levels in the image' },
];

const results = new Map<string, Promise<{ d: DetectionResult; truth: any }>>();
function detect(c: Cut): Promise<{ d: DetectionResult; truth: any }> {
  let r = results.get(c.name);
  if (!r) {
    r = (async () => {
      const dir = c.dir();
      const loaded = await scanAndLoadDicom(filesIn(join(dir, 'dicom')));
      return { d: suggestLandmarks(loaded.loaded!.volume), truth: readTruth(dir) };
    })();
    results.set(c.name, r);
  }
  return r;
}

/** Foramina shown as found within 3 mm of the truth (tunnel centre to the suggested axis). */
async function foundWithin3(c: Cut): Promise<string[]> {
  const { d, truth } = await detect(c);
  return d.anatomy.foramina.filter((f) => {
    const t = truth.anatomy.foramina.find((x: any) => x.id === f.id);
    return isTrusted(f) && t && pointSegmentMm(midpoint(t.anterior_opening_lps, t.posterior_opening_lps) as Vec3, f.anteriorLps, f.posteriorLps) <= 3;
  }).map((f) => f.id).sort();
}

for (const c of CASES) {
  describe.skipIf(!run)(`${c.name}: fatty sacrum cut by the field of view between S2 and S3`, () => {
    const check = c.fails ? it.fails : it;
    // a tunnel suggested under another level's name (its nearest truth tunnel, within 5 mm, is another one) is never
    // shown as found, and the level numbering is reported in doubt (detect/numbering.ts)
    it('never confidently wrong: nothing found more than 5 mm off, no cut level shown as found, a misnamed level flagged', async () => {
      const { d, truth } = await detect(c);
      const wrong: string[] = [], rows: string[] = [], misnamed: string[] = [];
      const centre = (t: any) => midpoint(t.anterior_opening_lps, t.posterior_opening_lps) as Vec3;
      for (const f of d.anatomy.foramina) {
        const t = truth.anatomy.foramina.find((x: any) => x.id === f.id);
        const e = t ? pointSegmentMm(centre(t), f.anteriorLps, f.posteriorLps) : Infinity;
        const near = truth.anatomy.foramina.find((x: any) => pointSegmentMm(centre(x), f.anteriorLps, f.posteriorLps) <= 5);
        if (near && near.id !== f.id) misnamed.push(`${f.id} is ${near.id}`);
        rows.push(`${f.id} ${isTrusted(f) ? 'found' : 'check'} ${f.confidence.toFixed(2)} ${e.toFixed(1)} mm${near && near.id !== f.id ? ` (${near.id})` : ''}`);
        if (!isTrusted(f)) continue;
        if (c.cut.includes(f.id)) wrong.push(`${f.id} shown as found, its level is outside the image`);
        else if (e > 5) wrong.push(`${f.id} shown as found ${e.toFixed(1)} mm from the truth`);
      }
      const numbering = d.diagnostics.messages.filter((m) => m.includes('check the numbering'));
      console.log(`[${c.name}] ${rows.join('; ') || 'no foramina'}; outside the image: ${(d.anatomy.outsideFov ?? []).join(', ') || 'none'}; ${d.diagnostics.messages.filter((m) => m.includes('long axis') || m.includes('L5/S1 disc through')).join('; ')}; ${numbering[0] ?? 'numbering confirmed'}`);
      expect(wrong).toEqual([]);
      if (misnamed.length) expect(numbering, misnamed.join(', ')).not.toEqual([]);
    }, 300_000);
    // issue 12's target on a cut field of view. fatty-cut-s2 once found nothing: the coarse mask was a fragment of one
    // side's cortex, the fine box cropped to it cut the right ala away and the midline plane landed 10 mm off
    // (detect.ts: the box now reaches as far on a side that holds less than half a sacrum's width); and the first
    // mask's body curve, run out of the image, was squeezed into five levels (the levels are now placed from the
    // L5/S1 disc at a whole sacrum's spacing where the mask's top is that disc)
    if (c.ambiguous) {
      it(`nothing to number the levels by (${c.ambiguous}): the disc reading in doubt, every suggested level "check"`, async () => {
        const { d } = await detect(c);
        const disc = d.diagnostics.messages.find((m) => m.includes('L5/S1 disc through'));
        expect(disc, d.diagnostics.messages.join('; ')).toMatch(/; in doubt: /);
        expect(d.anatomy.foramina.filter((f) => f.source === 'auto' && isTrusted(f)).map((f) => f.id)).toEqual([]);
        expect(d.diagnostics.messages.some((m) => m.includes('check the numbering'))).toBe(true);
      }, 300_000);
      // the planning mask is still cut at that disc (uncut it would hold the L5 body), and its upper limit is shown as
      // "check" with the disc's reason (detect.ts maskCheck; before, the cut was made and nothing said). Measured against
      // the generator's labels: the cut falls inside S1, 61.5 of the sacrum's 261.0 mL above it (the top ~15 mm of S1;
      // Dice 0.838), and none of L5's 33.2 mL in the mask: an error on the side of "outside the sacrum", which the check
      // names
      it('the sacrum mask cut at the disc in doubt says so: its upper limit "check", naming the reason', async () => {
        const { d } = await detect(c);
        expect(d.diagnostics.sacralBase, d.diagnostics.messages.join('; ')).toBeDefined();
        expect(d.anatomy.maskCheck).toMatch(/L5\/S1 disc .* in doubt \(.+\)/);
        expect(d.diagnostics.messages.some((m) => m.startsWith('sacrum mask: check it: '))).toBe(true);
      }, 300_000);
      return;
    }
    it('a trusted disc (or none) leaves the sacrum mask\'s upper limit unflagged', async () => {
      const { d } = await detect(c);
      expect(d.anatomy.maskCheck).toBeUndefined();
    }, 300_000);
    check('the levels in the image (S1, S2) found within 3 mm, the cut ones reported outside it', async () => {
      const { d } = await detect(c);
      expect(await foundWithin3(c)).toEqual(c.found);
      expect([...(d.anatomy.outsideFov ?? [])].sort()).toEqual(c.cut);
    }, 300_000);
  });
}
