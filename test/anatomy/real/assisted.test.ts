/**
 * One click per landmark on real scans: a click on a foramen's anterior opening (as read by eye,
 * test/anatomy/fixtures) or 2 mm beside it fits the tunnel (the capsule on the refined axis, then followed to
 * both openings and its radius read at the wall, as the Foramen tool places it); 2–3 clicks along the canal fit the
 * canal. Error of a foramen = distance from the reference opening to the fitted tunnel axis (where
 * zones and clearances are measured) and from the reference opening to the fitted cross-section
 * centre (along the axis the opening of a funnel is not a point).
 */
import { describe, expect, it } from 'vitest';
import { fitForamen, FORAMEN_TOOL_OPTIONS, R_MAX } from '../../../src/anatomy/foramen-fit';
import { fitCanal } from '../../../src/anatomy/canal-fit';
import { measureFittedForamen } from '../../../src/anatomy/foramen-radius';
import { requireShared } from '../../helpers/shared';
import { dist, distanceToPolyline } from '../fixtures-anatomy';
import { REAL_SCANS, readReference, loadRealScan, pointSegmentMm, foramenBoundMm, type ReferenceForamen } from './reference';
import type { Vec3 } from '../../../src/core/vec3';
import type { ForamenId } from '../../../src/anatomy/types';

const run = requireShared(true);

describe.skipIf(!run)('assisted landmarks on real scans (one click each)', () => {
  // a click on the opening, and 2 mm beside it in each of the six axis directions (a user's click
  // lands within a foramen's radius, 2.5–6.5 mm, of its centre)
  const OFFSETS: Vec3[] = [[0, 0, 0], [2, 0, 0], [-2, 0, 0], [0, 2, 0], [0, -2, 0], [0, 0, 2], [0, 0, -2]];
  for (const name of REAL_SCANS) {
    it(`${name}: each foramen from one click on its opening or 2 mm beside it, within 3 mm`, async () => {
      const ref = readReference(name);
      const v = await loadRealScan(ref);
      const rows: string[] = [];
      const atBound: string[] = [];
      let worst = 0;
      for (const [id, r] of Object.entries(ref.foramina) as [string, ReferenceForamen][]) {
        const errs: number[] = [], ms: number[] = [];
        let centreMm = 0, radiusMm = 0;
        for (const o of OFFSETS) {
          const f = fitForamen(v, [r.anteriorLps[0] + o[0], r.anteriorLps[1] + o[1], r.anteriorLps[2] + o[2]], FORAMEN_TOOL_OPTIONS);
          expect(f, `${name} ${id} click ${o.join(',')}: no tunnel fitted`).not.toBeNull();
          // what the Foramen tool places (case command fitForamen): the fit measured as detection measures
          const t0 = performance.now();
          const m = measureFittedForamen(v, f!);
          errs.push(pointSegmentMm(r.anteriorLps, m.anteriorLps, m.posteriorLps));
          ms.push(f!.timeMs + performance.now() - t0);
          if (o.every((x) => x === 0)) { centreMm = dist(f!.centreLps, r.anteriorLps); radiusMm = Math.round(m.radiusMm * 10) / 10; }
          if (m.radiusMm >= R_MAX - 1e-6) atBound.push(`${id} click ${o.join(',')} r ${m.radiusMm}`);
        }
        // over the bound for this foramen (3 mm; looser where the reference is less certain)
        worst = Math.max(worst, Math.max(...errs) - foramenBoundMm(ref, id as ForamenId) + 3);
        rows.push(`${id} axis ${errs.map((e) => e.toFixed(1)).join(' ')} mm (on the opening, then ±x ±y ±z), centre ${centreMm.toFixed(1)} mm, r ${radiusMm} mm, ${Math.max(...ms).toFixed(0)} ms at most`);
      }
      console.log(`${name}:\n  ${rows.join('\n  ')}`);
      expect(worst, 'worst error less the bound, plus 3').toBeLessThanOrEqual(3);
      // a radius at the click fit's search bound (R_MAX) is not a measurement: an opening's funnel pulls the fit's
      // ring out to it (pelvic-ref-003 S1 and S3_R, pancreas S1 read 7.0 mm); the tunnel's own edge in its enclosed
      // sections is read instead (foramen-radius.ts). Where no section encloses a lumen narrower than the bound the
      // fit's radius stays (the clearance errs on the safe side): listed, and none for a click on the opening.
      if (atBound.length) console.log(`${name}: radius at the fit's search bound for ${atBound.join('; ')}`);
      expect(atBound.filter((x) => x.includes('click 0,0,0')), 'radii at the fit\'s search bound, click on the opening').toEqual([]);
    }, 240_000);
  }

  for (const name of REAL_SCANS) {
    it(`${name}: the canal from three clicks along it, median within 3 mm`, async () => {
      const ref = readReference(name);
      if (ref.canalLps.length < 3) return; // not read on this scan (see its fixture)
      const v = await loadRealScan(ref);
      const c = ref.canalLps;
      // clicks 1.5–2 mm off the read centre, as a user's would be
      const clicks: Vec3[] = [c[0]!, c[Math.floor(c.length / 2)]!, c[c.length - 1]!].map((p, i) => [p[0] + (i % 2 ? 1.5 : -1.5), p[1] + 1, p[2]]);
      const fit = fitCanal(v, clicks)!;
      const errs = c.map((p) => distanceToPolyline(p, fit.centerlineLps));
      console.log(`${name} canal: ${errs.map((e) => e.toFixed(1)).join(' ')} mm (${fit.timeMs.toFixed(0)} ms, lumen seen in ${(100 * fit.seenFraction).toFixed(0)} % of sections)`);
      // the centre points were read with ±2–3 mm tolerance (see each fixture): the median must be within
      // 3 mm, and no point further than 4.5 mm
      const sorted = [...errs].sort((a, b) => a - b);
      expect(sorted[Math.floor(sorted.length / 2)]!).toBeLessThanOrEqual(3);
      expect(sorted[sorted.length - 1]!).toBeLessThanOrEqual(4.5);
    }, 120_000);
  }
});
