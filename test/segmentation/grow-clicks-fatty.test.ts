/**
 * One click that never misleads (issue 13) on every other fatty-marrow config of test/anatomy/configs
 * (grow-clicks.test.ts covers fatty.json, fatty-thick, fatty-oblique, fatty-thin-cortex and
 * fatty-lytic-body): 1.6 mm slices (fatty-small; fatty-eroded: a lesion eroding the S2 foramen's
 * anterior opening and breaking out through the anterior cortex; fatty-cut-s2; fatty-decoy-pair: fat
 * pockets written as lesions; fatty-basivertebral: canal-density openings written as lesions), 5 mm
 * slices (fatty-thick5mm; fatty-thick5mm-eroded-S2L), mottled marrow on 3 mm slices (fatty-mottled) and
 * fatty-funnel (fatty-thin-cortex's image with fatty.json's lesions, rendered here without its funnels) and fatty-plugged-S2R
 * (a 400 HU sclerotic lesion plugging the right S2 foramen: refused as normal bone, 400 HU reads as neither),
 * fatty-thick4mm (4 mm slices), fatty-textured-caps (fatty-funnel's image with two lesions flattened along the slice axis),
 * fatty-soft-kernel (fatty-thick4mm's marrow on 3 mm slices behind a 1.2 mm PSF), fatty-thick4mm-cortex2 (fatty-thick4mm with a
 * 2 mm cortex: the bone encloses more clicks, which then take the measured-levels path), and one crisp-bone config held to
 * the same rule: soft-kernel (the default phantom behind that 1.2 mm PSF).
 *
 * Each of 20 random clicks in the inner half of every lesion:
 *  - is refused: no voxel, and the message says why and what to do next (click inside the lesion,
 *    Strokes (L) or the Brush (B));
 *  - or keeps the lesion's part inside the bone, cut where it breaks through the cortex, with the note
 *    that the part outside was not included and that Strokes (L) adds it: never more than 1.05 × the
 *    in-bone truth (the truth × its share inside the sacral envelope), the partial-volume figure printed
 *    against the in-bone truth (its 10 % on fatty marrow is the expected failure of cortex-breach.test.ts);
 *  - or grows a lesion whose partial-volume volume (the figure the lesion panel shows) is within 10 % of
 *    the truth, except the known gaps below, asserted at their measured bounds.
 * No click ever grows more than 1.5 × the truth. Clicks in normal marrow give a message and no lesion.
 * Figures printed for the report.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ensurePhantom, requireShared } from '../helpers/shared';
import { loadPhantomVolume } from './phantom-volume';
import { expectNormalMarrowRefused, innerHalfClicks } from './clicks';
import { regionGrow } from '../../src/segmentation/region-grow';
import { partialVolumeEstimate } from '../../src/segmentation/partial-volume';

const run = requireShared(true);
const configsDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'anatomy', 'configs');
const CLICKS = 20;
const NEXT_STEP = /click inside the lesion|Strokes \(L\)|strokes tool \(L\)|Brush \(B\)|brush \(B\)/;
const config = (name: string) => JSON.parse(readFileSync(join(configsDir, name), 'utf8')) as Record<string, unknown>;

/**
 * Known gaps (issue 13, not met), asserted at their measured range of the partial-volume error so that
 * a change for the worse fails.
 */
const KNOWN_GAPS: Record<string, { range: [number, number]; why: string }> = {
  // the grow itself is right (voxel count −1.2 %), the partial-volume figure is not: the lesion spans
  // 3 slices of 5 mm beside the S1 foramen's fat, and the slabs above and below it (the estimate's cap
  // band, 1.4 × the mask) carry much of its figure against a background estimated from textured marrow
  // (partial-volume.ts, not Grow): +30 % before that file's texture rule, +17 % with it
  'fatty-thick5mm-eroded-S2L.json Y1': { range: [0.12, 0.22], why: 'partial-volume figure +17 % on 5 mm slabs (voxel count −1 %)' },
};

/**
 * Lesions that must be refused as depending on a blur their surroundings do not show (region-grow.ts step 11,
 * `blur-unverified`): the default phantom's crisp bone behind a 1.2 mm PSF (soft-kernel.json; scan-blur.ts reads
 * 1.18 mm at its skin). Their shell, within the blur of the lesion, cortex and foramen, reads as textured, so
 * the edge's blur is not read there, and the figure with the band for 0.4 mm read L2 −12.3 … −11.1 %, L5
 * −13.6 … −13.4 % (20/20 grown, no warning), L1 −9.8 … −9.7 %; with the band for the scan's PSF L2 +7 %, L5
 * +13 %: the two differ by more than 10 %. L3, L4 (blur read at their own edge: 0.92, 0.85 mm) still grow.
 */
const MUST_REFUSE_BLUR = new Set(['soft-kernel.json L1', 'soft-kernel.json L2', 'soft-kernel.json L5']);

/**
 * Mended gaps (region-grow.ts step 8, AROUND_AGREEMENT): the clicks that grew by the bone enclosure at −10.0 % (fatty-thick4mm
 * L3, 2 clicks) and −11.1 % (fatty-soft-kernel L3, 1 click), their level around read 102 and 106 HU for marrow at 110 next to the
 * lesion's blurred edge, grow at −2.4 % and −9.8 % with that level read beyond the edge's blur: still grown, not refused.
 */
const MIN_GROWN: Record<string, number> = { 'fatty-thick4mm.json L3': 2, 'fatty-soft-kernel.json L3': 1 };

/**
 * Clicks refused because the volume depends on the level of the marrow around more than Grow's 10 % (region-grow.ts step 8,
 * AROUND_AGREEMENT), measured: the volumes shown with that level read next to the lesion's edge and beyond its blur were
 * fatty-thick4mm L1 −7.6 / +4.3 % (12 clicks), fatty-thick4mm-cortex2 L3 +2.0 / +13.9 % (5) and L5 −16.6 … −12.5 / −3.8 … −3.0 %
 * (7, grown at −16.6 … −12.5 % before with no warning). The refusal names both volumes.
 */
const REFUSED_AROUND: Record<string, number> = { 'fatty-thick4mm.json L1': 12, 'fatty-thick4mm-cortex2.json L3': 5, 'fatty-thick4mm-cortex2.json L5': 7 };
const AROUND_WORDS = /read beyond the reach of its edge's blur .* mL: they differ by \d+ %, more than the 10 % that Grow promises/;

/** Lesions whose full-contrast lytic clicks grow (measured 19-20 of 20), asserted at 16: a Grow that refuses everything is not the point. */
const MUST_GROW = new Set(['fatty-small.json Y1', 'fatty-small.json Y2', 'fatty-eroded.json Y1', 'fatty-eroded.json Y2', 'fatty-cut-s2.json Y1', 'fatty-cut-s2.json Y2']);

describe.skipIf(!run)('Grow on every other fatty-marrow config: 20 random clicks in the inner half of every lesion', () => {
  const CONFIGS = ['fatty-small.json', 'fatty-eroded.json', 'fatty-cut-s2.json', 'fatty-decoy-pair.json', 'fatty-basivertebral.json',
    'fatty-thick5mm.json', 'fatty-thick5mm-eroded-S2L.json', 'fatty-mottled.json', 'fatty-funnel.json', 'fatty-plugged-S2R.json', 'fatty-thick4mm.json', 'fatty-textured-caps.json', 'fatty-soft-kernel.json', 'fatty-thick4mm-cortex2.json', 'soft-kernel.json'];
  for (const cfg of CONFIGS) it(`${cfg}: within 10 % (in-bone part with its note at a cortical break) or refused with the reason; never over 1.5 ×`, () => {
    const { volume, truth } = loadPhantomVolume(ensurePhantom(config(cfg)));
    const rows: string[] = [];
    const checks: (() => void)[] = [];
    for (const les of truth.lesions) {
      const key = `${cfg} ${les.id}`;
      const gap = KNOWN_GAPS[key];
      const inBoneMl = les.volume_ml * les.fraction_inside_sacral_envelope;
      const errs: number[] = [], inBone: number[] = [];
      const why = new Map<string, number>();
      let worst = 0, aroundRefused = 0;
      for (const p of innerHalfClicks(les, CLICKS, 13)) {
        const r = regionGrow(volume, { lps: p });
        worst = Math.max(worst, r.volumeMl / les.volume_ml);
        if (r.problem) {
          why.set(r.problem, (why.get(r.problem) ?? 0) + 1);
          if (AROUND_WORDS.test(r.message ?? '')) aroundRefused++;
          checks.push(() => { expect(r.voxelCount, key).toBe(0); expect(r.message, key).toMatch(NEXT_STEP); });
          continue;
        }
        const pv = partialVolumeEstimate(volume, r.offsets).volumeMl;
        // the estimate a check of Grow's computed, handed on with the lesion, is the panel's figure
        if (r.partialVolume) checks.push(() => expect(r.partialVolume!.volumeMl, key).toBe(pv));
        if (r.stoppedAtCortex) {
          why.set('kept in bone', (why.get('kept in bone') ?? 0) + 1);
          inBone.push(pv / inBoneMl - 1);
          checks.push(() => {
            expect(r.note, key).toMatch(/the part outside the bone was not included .*Strokes \(L\)/);
            expect(r.volumeMl / inBoneMl, `${key} voxel count / in-bone truth`).toBeLessThanOrEqual(1.05);
          });
          continue;
        }
        errs.push(pv / les.volume_ml - 1);
      }
      const f = (xs: number[]) => (xs.length ? `${(100 * Math.min(...xs)).toFixed(1)} … ${(100 * Math.max(...xs)).toFixed(1)} %` : '-');
      rows.push(`${key} ${les.type} ${les.hu} HU ${les.volume_ml.toFixed(3)} mL: grown ${errs.length}/${CLICKS} (partial volume ${f(errs)}), kept in bone ${inBone.length} (against the in-bone ${inBoneMl.toFixed(3)} mL: ${f(inBone)}), refused ${JSON.stringify([...why].filter(([k]) => k !== 'kept in bone'))}, largest count/truth ${worst.toFixed(2)}${gap ? ` [known gap: ${gap.why}]` : ''}`);
      checks.push(() => {
        expect(worst, `${key} largest count / truth`).toBeLessThanOrEqual(1.5);
        for (const e of errs) {
          if (gap) { expect(e, key).toBeGreaterThanOrEqual(gap.range[0]); expect(e, key).toBeLessThanOrEqual(gap.range[1]); }
          else expect(Math.abs(e), key).toBeLessThan(0.1);
        }
        if (MUST_GROW.has(key)) expect(errs.length, `${key} clicks grown`).toBeGreaterThanOrEqual(16);
        if (MIN_GROWN[key]) expect(errs.length, `${key} clicks grown`).toBeGreaterThanOrEqual(MIN_GROWN[key]!);
        if (REFUSED_AROUND[key]) expect(aroundRefused, `${key} clicks refused for the level around`).toBeGreaterThanOrEqual(REFUSED_AROUND[key]!);
        if (MUST_REFUSE_BLUR.has(key)) expect(why.get('blur-unverified') ?? 0, `${key} refused as blur-unverified`).toBe(CLICKS);
      });
    }
    console.log(rows.join('\n'));
    for (const c of checks) c();
  });

  // −20 HU lesions of one tissue in 30 ± 60 HU marrow on 3 mm slices (fatty-funnel Y1, Y2; fatty-textured-caps
  // K1, K2 flattened along the slice axis): Grow's one-tissue path returned its outline opened by 2 mm, a
  // disc on 3 mm slices that erased the lesions' cap slices (Y1 −12.3 %, Y2 −21 … −24 %, with the texture
  // rule the partial-volume figure no longer restores them); the volumes shown for the outline with and
  // without that opening differ there by 13-16 % (pelvic-ref-003 P1: 6 %), so the click is refused, naming both
  // (K2 −25 % before); measured 20 of 20 clicks refused so on each
  for (const [cfg, ids] of [['fatty-funnel.json', ['Y1', 'Y2']], ['fatty-textured-caps.json', ['K2']]] as const) it(`${cfg} ${ids.join(', ')}: the one-tissue outline with and without its opening differ by more than 10 %: refused, with both volumes`, () => {
    const { volume, truth } = loadPhantomVolume(ensurePhantom(config(cfg)));
    for (const les of truth.lesions.filter((l: any) => (ids as readonly string[]).includes(l.id))) {
      let refused = 0;
      for (const p of innerHalfClicks(les, CLICKS, 13)) {
        const r = regionGrow(volume, { lps: p });
        if (!r.problem) { expect(Math.abs(partialVolumeEstimate(volume, r.offsets).volumeMl / les.volume_ml - 1), les.id).toBeLessThan(0.1); continue; }
        expect(r.voxelCount).toBe(0);
        expect(r.message).toMatch(NEXT_STEP);
        if (/differ by \d+ %, more than the 10 % that Grow promises/.test(r.message!)) refused++;
      }
      expect(refused, `${les.id} clicks refused for the outlines' difference`).toBeGreaterThanOrEqual(16);
    }
  });

  for (const cfg of ['fatty-small.json', 'fatty-thick5mm.json', 'fatty-thick5mm-eroded-S2L.json', 'fatty-mottled.json']) it(`${cfg}: clicks in normal marrow give a message and no lesion`, () => {
    const { volume, truth } = loadPhantomVolume(ensurePhantom(config(cfg)));
    // around each sacral body centre, points at least 4 mm from every lesion
    console.log(expectNormalMarrowRefused(volume, truth, cfg, NEXT_STEP).join('\n'));
  });
});
