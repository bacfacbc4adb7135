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
import { REAL_SCANS, readReference, loadRealScan, pointSegmentMm, cropSlicesZ, type RealScan } from './reference';

const run = requireShared(true);

async function check(name: RealScan, crop?: [number, number]): Promise<string[]> {
  const ref = readReference(name);
  const full = await loadRealScan(ref);
  const v = crop ? cropSlicesZ(full, crop[0], crop[1]) : full;
  const t0 = performance.now();
  const d = suggestLandmarks(v);
  const ms = performance.now() - t0;
  const wrong: string[] = [];
  const rows: string[] = [];
  for (const f of d.anatomy.foramina) {
    const r = ref.foramina[f.id];
    const axisMm = r ? pointSegmentMm(r.anteriorLps, f.anteriorLps, f.posteriorLps) : null;
    const shown = isTrusted(f) ? 'found' : 'check';
    rows.push(`${f.id} ${shown} ${f.confidence.toFixed(2)} ${axisMm === null ? '(no reference)' : `${axisMm.toFixed(1)} mm`}`);
    if (!isTrusted(f)) continue;
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
  console.log(`${name}${crop ? ` z ${crop[0]}–${crop[1]}` : ''} (${ms.toFixed(0)} ms): ${rows.join('; ')}; outside the image: ${(d.anatomy.outsideFov ?? []).join(', ') || 'none'}`);
  return wrong;
}

describe.skipIf(!run)('suggested landmarks on real scans are never confidently wrong', () => {
  for (const name of REAL_SCANS) {
    it(name, async () => {
      expect(await check(name)).toEqual([]);
    }, 120_000);
  }
  // pelvic-ref-003 with its field of view stopping above the L5/S1 disc (z 180–305 mm), as a pelvic
  // series would: the bone taken for the sacrum is then of plausible length but is not the sacrum, and a
  // single pair of openings on its "anterior surface" was once numbered S3 from that frame, 26 mm off
  it('pelvic-ref-003 cut at z 180–305 mm', async () => {
    expect(await check('pelvic-ref-003', [180, 305])).toEqual([]);
  }, 120_000);
  // (TotalSegmentator CT: the search inside the bone takes a pair of openings 9 mm from the S1 tunnels
  // read by eye for S1; the anterior surface's chain of pairs (surface-openings.ts, combine.ts) finds S2
  // below them wider, against S1 > S2, so they are shown as "check".)
});
