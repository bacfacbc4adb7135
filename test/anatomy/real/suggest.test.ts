/**
 * Never confidently wrong: on every real scan, a suggested foramen shown as found (evidence.ts,
 * confidence ≥ FOUND_CONFIDENCE) lies within 5 mm of the reference read by eye (distance from the
 * reference opening to its tunnel axis), a level outside the image is never shown as found, and a
 * canal shown as found follows the reference canal.
 */
import { describe, expect, it } from 'vitest';
import { suggestLandmarks } from '../../../src/anatomy/suggest';
import { isTrusted } from '../../../src/anatomy/evidence';
import { requireShared } from '../../helpers/shared';
import { distanceToPolyline } from '../fixtures-anatomy';
import { REAL_SCANS, readReference, loadRealScan, pointSegmentMm, cropSlicesZ, foramenBoundMm, compareForamina, type RealScan } from './reference';
import type { ForamenId } from '../../../src/anatomy/types';

const run = requireShared(true);

interface Checked {
  /** What is shown wrongly: found more than 5 mm off, found outside the image, a canal found off. */
  wrong: string[];
  /** Foramina shown as found, with their error (mm, reference anterior opening to the suggested axis). */
  found: { id: ForamenId; axisMm: number | null }[];
  outsideFov: ForamenId[];
  /** Every suggestion (found or check) with the reference foramen whose anterior opening lies nearest to its own. */
  named: { id: ForamenId; nearestRefId: ForamenId | null }[];
  /** Every suggestion (found or check) with its error (mm, reference anterior opening to the suggested axis). */
  all: { id: ForamenId; axisMm: number | null }[];
}

const results = new Map<string, Promise<Checked>>();
/** One detection per scan (and crop) for all the tests of this file. */
function checked(name: RealScan, crop?: [number, number]): Promise<Checked> {
  const key = `${name}${crop ? ` ${crop.join('-')}` : ''}`;
  let r = results.get(key);
  if (!r) { r = check(name, crop); results.set(key, r); }
  return r;
}

async function check(name: RealScan, crop?: [number, number]): Promise<Checked> {
  const ref = readReference(name);
  const full = await loadRealScan(ref);
  const v = crop ? cropSlicesZ(full, crop[0], crop[1]) : full;
  const t0 = performance.now();
  const d = suggestLandmarks(v);
  const ms = performance.now() - t0;
  const wrong: string[] = [];
  const rows: string[] = [];
  const found: Checked['found'] = [];
  const all: Checked['all'] = [];
  for (const f of d.anatomy.foramina) {
    const r = ref.foramina[f.id];
    const axisMm = r ? pointSegmentMm(r.anteriorLps, f.anteriorLps, f.posteriorLps) : null;
    const shown = isTrusted(f) ? 'found' : 'check';
    rows.push(`${f.id} ${shown} ${f.confidence.toFixed(2)} ${axisMm === null ? '(no reference)' : `${axisMm.toFixed(1)} mm`}`);
    all.push({ id: f.id, axisMm });
    if (!isTrusted(f)) continue;
    found.push({ id: f.id, axisMm });
    if (ref.outsideFov.includes(f.id)) wrong.push(`${f.id} shown as found but its level is outside the image`);
    else if (r && axisMm! > 5) wrong.push(`${f.id} shown as found ${axisMm!.toFixed(1)} mm from the reference`);
  }
  const c = d.anatomy.canal;
  if (c && ref.canalLps.length) {
    const errs = ref.canalLps.map((p) => distanceToPolyline(p, c.centerlineLps)).sort((a, b) => a - b);
    const med = errs[Math.floor(errs.length / 2)]!;
    rows.push(`canal ${isTrusted(c) ? 'found' : 'check'} ${c.confidence.toFixed(2)}, median ${med.toFixed(1)} mm`);
    if (isTrusted(c) && med > 5) wrong.push(`canal shown as found, median ${med.toFixed(1)} mm from the reference`);
  }
  console.log(`${name}${crop ? ` z ${crop[0]}–${crop[1]}` : ''} (${ms.toFixed(0)} ms): ${rows.join('; ')}; outside the image: ${(d.anatomy.outsideFov ?? []).join(', ') || 'none'}; ${d.diagnostics.messages.filter((m) => m.includes('L5/S1 disc through') || m.includes('long axis')).join('; ')}`);
  const named = compareForamina(d.anatomy, ref, isTrusted).map((x) => ({ id: x.id, nearestRefId: x.nearestRefId }));
  return { wrong, found, outsideFov: d.anatomy.outsideFov ?? [], named, all };
}

/** Found within 3 mm of the reference (the issue's bound; the fixture's looser one where its reading is uncertain). */
function within(name: RealScan, c: Checked): ForamenId[] {
  const ref = readReference(name);
  return c.found.filter((f) => f.axisMm !== null && f.axisMm <= foramenBoundMm(ref, f.id)).map((f) => f.id);
}

/**
 * What automatic detection finds within 3 mm today on each real scan: a floor that a change must not lower
 * (the issue's targets are the tests below).
 *   pelvic-ref-003: the S1 pair (1.1 and 1.4 mm: the long axis from the sacrum below the L5/S1 disc, openings on the
 *     anterior surface read from the image, the row numbered from the S1 endplate; S1_L fitted again behind its
 *     opening's funnel, detect/funnel-refit.ts, S1_R's second fit at the 7 mm bound too, so its radius is shown as the
 *     fit's limit), the S3 pair (1.8 and 2.1 mm: its
 *     openings read on a reformat parallel to the surface, surface-openings.ts openingOf, where the fitted
 *     tunnels stop 8–9 mm inside the bone; the rival pair of walled tunnels opens through the same holes) and the
 *     S2 pair (0.9 and 0.6 mm: its sides' tunnels fit 37 and 9 mm long, the long one into the body, so the
 *     detector doubts their course; each side's opening lies where its row puts it between the found S1 and S3,
 *     row-between.ts, and the left one takes its course from the row), and the S4 pair (2.7 and 0.8 mm). The
 *     lower sacrum is bent to the right: its S4 openings lie 26 and 17 mm from the whole sacrum's midline plane (the
 *     reference's too), 6 mm from mirror images, but S4's own section of the sacrum is its own mirror image about a
 *     plane 4.2 mm to the right (level-midline.ts), about which they are mirror images; and the count below S1
 *     measures the S4 pair's distance from where the long axis puts it on the anterior surface (8 mm, half a level
 *     12.6 mm), not along the axis, whose normals converge in front of its bend (15 mm against 13). They were
 *     "check" until then. S4 still reads wider than S3 (4.8 and 3.8 against 3.5 and 2.5 mm): its radius is in
 *     doubt ("radius out of order"), its place is not.
 *   pancreas (cut at S2/S3, the sacrum lying flat: 17° from the axial plane): the S1 and S2 pairs (the body followed
 *     from the S1 endplate across its own axis, detect/frame.ts; the midline plane of the sacrum below the disc; the
 *     S1 tunnels, whose fits' rings reached the 7 mm bound on the openings' funnels, fitted again behind the funnels,
 *     detect/funnel-refit.ts); S3, S4 listed as outside the image.
 *   TotalSegmentator CT (3 mm): S2–S4 (S1 narrower than S2: "check").
 */
const FOUND_FLOOR: Record<RealScan, ForamenId[]> = {
  'pelvic-ref-003': ['S1_L', 'S1_R', 'S2_L', 'S2_R', 'S3_L', 'S3_R', 'S4_L', 'S4_R'],
  'pancreas-ct-cb-001-upper-sacrum': ['S1_L', 'S1_R', 'S2_L', 'S2_R'],
  'totalseg-example-ct': ['S2_L', 'S2_R', 'S3_L', 'S3_R', 'S4_L', 'S4_R'],
  'prostatex-0218-t2sag-lower-sacrum': [],
};

describe.skipIf(!run)('suggested landmarks on real scans are never confidently wrong', () => {
  for (const name of REAL_SCANS) {
    it(name, async () => {
      expect((await checked(name)).wrong).toEqual([]);
    }, 120_000);
    it(`${name}: found automatically within 3 mm: at least ${FOUND_FLOOR[name].join(', ') || 'none'}`, async () => {
      const c = await checked(name);
      const ok = within(name, c);
      console.log(`${name}: ${c.found.length} found, ${ok.length} within 3 mm, worst ${Math.max(0, ...c.found.map((f) => f.axisMm ?? 0)).toFixed(1)} mm`);
      expect(ok).toEqual(expect.arrayContaining(FOUND_FLOOR[name]));
    }, 120_000);
  }
  // the row of anterior openings below the L5/S1 disc is numbered from the S1 endplate (surface-openings.ts
  // rowBelowDisc): every suggestion, "check" ones included, takes the user to the level it names (it once named
  // the S2 openings S3 and the S3 ones S4, counted from where the long axis' top landed)
  it('pelvic-ref-003: every suggested foramen lies nearest the reference opening of the level it names', async () => {
    const c = await checked('pelvic-ref-003');
    expect(c.named.length).toBeGreaterThanOrEqual(6);
    expect(c.named.filter((x) => x.nearestRefId !== x.id)).toEqual([]);
  }, 120_000);
  // the tunnels of S3 and S4 stop inside the bone, short of their funnel-shaped openings (thin cortex, 3 mm
  // slices): the openings are read on a reformat parallel to the anterior surface (surface-openings.ts
  // openingOf); every S3/S4 suggestion, found or check, passes within 3 mm of the reference opening (they were
  // 4.4–10.7 mm off when the fitted ends were taken)
  it('pelvic-ref-003: the S3 and S4 suggestions pass within 3 mm of the reference openings', async () => {
    const c = await checked('pelvic-ref-003');
    const lower = c.all.filter((x) => x.id.startsWith('S3') || x.id.startsWith('S4'));
    expect(lower.map((x) => x.id).sort()).toEqual(['S3_L', 'S3_R', 'S4_L', 'S4_R']);
    expect(lower.filter((x) => !(x.axisMm !== null && x.axisMm <= 3))).toEqual([]);
  }, 120_000);
  // issue 12's acceptance
  it('pelvic-ref-003: at least 6 of 8 foramina found, every one found within 3 mm', async () => {
    const c = await checked('pelvic-ref-003');
    expect(within('pelvic-ref-003', c).length).toBeGreaterThanOrEqual(6);
    expect(within('pelvic-ref-003', c).length).toBe(c.found.length);
  }, 120_000);
  // issue 12's acceptance on the cut scan. S1_R was "check" 3.2 mm off (S1_L 2.2 mm): both S1 fits' rings reached the
  // fit's 7 mm radius bound on the funnels of the openings, and S1_R's sat on its funnel's lateral side, 2.8 mm lateral
  // of the opening read by eye (rim 0.45 on that axis); each is fitted again 10 mm inside its opening, behind the
  // funnel, its opening placed on the tunnel's axis (detect/funnel-refit.ts): 2.8 mm (S1_L) and 1.1 mm (S1_R), radii
  // 5.5 and 6.4 mm (S2: 6.3 and 5.3). Before that, from two
  // causes mended where the sacrum lies flat: (1) the long axis below the disc was tracked in axial slices, and on this
  // sacrum, 17° from the axial plane, the S1 centre landed behind the body (y 149, z 133), 27 mm from the S1 pair; it
  // is followed from the S1 endplate across its own axis (detect/frame.ts trackAcrossAxis); (2) the midline plane was
  // fitted to the first mask, which holds the lumbar spine, tilted 3.2° about the SI axis; where the sacrum lies flat
  // it is fitted to the sacrum below the disc (2.0°)
  it('pancreas-ct-cb-001-upper-sacrum: S1 and S2 found within 3 mm', async () => {
    const c = await checked('pancreas-ct-cb-001-upper-sacrum');
    expect(within('pancreas-ct-cb-001-upper-sacrum', c).sort()).toEqual(['S1_L', 'S1_R', 'S2_L', 'S2_R']);
  }, 120_000);
  // the row of openings continued past S2 (suggest.ts rowBeyond): S3's opening would reach the lowest slice
  it('pancreas-ct-cb-001-upper-sacrum: S3 and S4 reported outside the image', async () => {
    const c = await checked('pancreas-ct-cb-001-upper-sacrum');
    expect([...c.outsideFov].sort()).toEqual(['S3_L', 'S3_R', 'S4_L', 'S4_R']);
  }, 120_000);
  // pelvic-ref-003 with its field of view stopping above the L5/S1 disc (z 180–305 mm), as a pelvic
  // series would: the bone taken for the sacrum is then of plausible length but is not the sacrum, and a
  // single pair of openings on its "anterior surface" was once numbered S3 from that frame, 26 mm off
  it('pelvic-ref-003 cut at z 180–305 mm', async () => {
    expect((await checked('pelvic-ref-003', [180, 305])).wrong).toEqual([]);
  }, 120_000);
  // (TotalSegmentator CT: the search inside the bone takes a pair of openings 9 mm from the S1 tunnels
  // read by eye for S1; the anterior surface's chain of pairs (surface-openings.ts, combine.ts) finds S2
  // below them wider, against S1 > S2, so they are shown as "check".)
});
