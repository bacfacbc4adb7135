/**
 * The sacral canal is not the sacrum (canal-lumen.ts): where the marrow is fatty the cortex-enclosed sacrum
 * (enclosure.ts) takes in the canal under its roof, and the canal's lumen, traced in front of the roof along
 * the sacrum, is taken out again.
 *
 * Phantoms with exact truth (the mask from the app's own path, CaseEngine 'detectAnatomy'):
 *  - fatty-basivertebral.json (test/anatomy/configs): marrow of 50 HU close to the canal's 0 HU and, at S1–S3,
 *    an opening of the canal's density through the posterior cortex of the body into its marrow (the
 *    basivertebral foramen) — the way a region grown from the canal leaks into the bodies;
 *  - fatty.json (../shared).
 *  Asserted: at most 1 % of the canal's voxels (deeper than 1 mm inside its wall, S1 top to the hiatus) in the
 *  mask, the S1–S4 body centres in it, and the canal landmark within 3 mm of the truth centreline from S1 to S4.
 * Real CT (points read by eye, test/anatomy/fixtures/*.landmarks.json): each reference canal centre on the
 * thin-slice scans is outside the mask (the known exceptions below); the voxels within 2.5 mm are printed.
 */
import { readFileSync } from 'node:fs';
import { resolve, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Vec3 } from '../../src/core/vec3';
import type { ScalarVolume } from '../../src/core/volume';
import { CaseEngine } from '../../src/case/engine';
import { scanAndLoadDicom } from '../../src/io/dicom';
import { ensurePhantom, filesIn, readTruth, requireShared } from '../helpers/shared';
import { distanceToPolyline, maskAt } from './fixtures-anatomy';
import { loadRealScan, readReference, type RealScan } from './real/reference';

const here = dirname(fileURLToPath(import.meta.url));
const run = requireShared(true);

/**
 * Signed distance to a chain of round cones (the phantom's canal: centre points with a radius at each), sampled
 * finely, and the arc length `s` (mm, from the first point) of the nearest sample.
 */
function canalSdf(p: Readonly<Vec3>, pts: readonly Vec3[], radii: readonly number[], sMm: readonly number[]): { d: number; s: number } {
  let best = Infinity, bs = 0;
  for (let k = 0; k + 1 < pts.length; k++) {
    const a = pts[k]!, b = pts[k + 1]!;
    for (let t = 0; t <= 1.0001; t += 0.05) {
      const c: Vec3 = [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];
      const r = radii[k]! + (radii[k + 1]! - radii[k]!) * t;
      const d = Math.hypot(p[0] - c[0], p[1] - c[1], p[2] - c[2]) - r;
      if (d < best) { best = d; bs = sMm[k]! + (sMm[k + 1]! - sMm[k]!) * t; }
    }
  }
  return { d: best, s: bs };
}

/** Mask voxels whose centre lies deeper than `depthMm` inside the canal, and the canal voxels counted. */
function maskInCanal(volume: ScalarVolume, mask: Uint8Array, pts: readonly Vec3[], radii: readonly number[], sMm: readonly number[], depthMm: number): { inMask: number; canal: number; bySMm: Record<number, number> } {
  const g = volume.geometry, [ni, nj, nk] = g.dims;
  const lo: Vec3 = [Infinity, Infinity, Infinity], hi: Vec3 = [-Infinity, -Infinity, -Infinity];
  const rMax = Math.max(...radii);
  for (const p of pts) for (let a = 0; a < 3; a++) { lo[a] = Math.min(lo[a]!, p[a]! - rMax); hi[a] = Math.max(hi[a]!, p[a]! + rMax); }
  let inMask = 0, canal = 0;
  const bySMm: Record<number, number> = {};
  const q: Vec3 = [0, 0, 0];
  for (let k = 0; k < nk; k++) for (let j = 0; j < nj; j++) for (let i = 0; i < ni; i++) {
    g.ijkToLps(q, i, j, k);
    if (q[0] < lo[0] || q[0] > hi[0] || q[1] < lo[1] || q[1] > hi[1] || q[2] < lo[2] || q[2] > hi[2]) continue;
    const c = canalSdf(q, pts, radii, sMm);
    if (c.d > -depthMm) continue;
    canal++;
    if (mask[g.offset(i, j, k)]) { inMask++; const b = 10 * Math.floor(c.s / 10); bySMm[b] = (bySMm[b] ?? 0) + 1; }
  }
  return { inMask, canal, bySMm };
}

describe.skipIf(!run)('the sacral canal is outside the sacrum mask (fatty marrow, exact truth)', () => {
  const configs: { name: string; config: string | Record<string, unknown> }[] = [
    { name: 'fatty-basivertebral', config: JSON.parse(readFileSync(resolve(here, 'configs', 'fatty-basivertebral.json'), 'utf8')) as Record<string, unknown> },
    { name: 'fatty', config: 'fatty.json' },
  ];
  for (const c of configs) {
    it(c.name, async () => {
      const dir = ensurePhantom(c.config);
      const volume = (await scanAndLoadDicom(filesIn(join(dir, 'dicom')))).loaded!.volume;
      const truth = readTruth(dir);
      const engine = new CaseEngine(volume);
      engine.run({ type: 'detectAnatomy' });
      const mask = engine.currentSacrumMask!;
      expect(mask).toBeTruthy();
      const tc = truth.anatomy.canal;
      const pts = tc.centerline_lps as Vec3[], radii = tc.radius_mm as number[], sMm = tc.centerline_s_mm as number[];
      // the canal from the S1 top to the hiatus (s 0–80 mm; beyond it the canal is open dorsally)
      const inBone = pts.map((_, k) => k).filter((k) => sMm[k]! >= 0 && sMm[k]! <= 80);
      const cp = inBone.map((k) => pts[k]!), cr = inBone.map((k) => radii[k]!), cs = inBone.map((k) => sMm[k]!);
      const m = maskInCanal(volume, mask, cp, cr, cs, 1);
      const bodies = truth.anatomy.levels.slice(0, 4).map((l: any) => maskAt(volume, mask, l.body_center_lps as Vec3));
      const canal = engine.currentAnatomy?.canal;
      const errs = canal ? inBone.filter((k) => sMm[k]! >= 14).map((k) => distanceToPolyline(pts[k]!, canal.centerlineLps)) : [];
      console.log(`[${c.name}] canal voxels (deeper than 1 mm inside its wall, S1 top to the hiatus) in the mask: ${m.inMask} of ${m.canal} (by s, 10 mm bins: ${JSON.stringify(m.bySMm)}); S1–S4 body centres in the mask: ${bodies.join(' ')}; canal landmark (confidence ${canal?.confidence}) from the truth at s 14–80: ${errs.map((e) => e.toFixed(1)).join(' ')} mm`);
      expect(m.canal).toBeGreaterThan(1000);
      // the rest lies at the canal's ends (the S1 top, where it opens into L5's canal; the hiatus, where its roof
      // ends) and on its wall's partial volume: at most 1 % of it
      expect(m.inMask).toBeLessThanOrEqual(0.01 * m.canal);
      expect(bodies).toEqual([1, 1, 1, 1]);
      expect(canal).toBeTruthy();
      expect(Math.max(...errs)).toBeLessThanOrEqual(3);
    }, 300_000);
  }
});

/**
 * Reference centres still inside the mask (it.fails: each turns red when it is mended): on pelvic-ref-003 at
 * z 249.5 the lumen traced stops in front of a band of 30–35 HU (roots, the dural sac's end) that fills the
 * middle of the canal there; on the pancreas scan the last one, 7 mm above the image's lower edge, where the planes
 * across the sacrum leave the image. (The pancreas centre at the S1 top, where the canal opens into L5's, is outside
 * since the long axis there follows the body from the S1 endplate across its own axis, detect/frame.ts.)
 */
const KNOWN_INSIDE: Record<string, string[]> = {
  'pelvic-ref-003': ['18,187,249.5'],
  'pancreas-ct-cb-001-upper-sacrum': ['8,188.8,92.5'],
};

describe.skipIf(!run)('the sacral canal is outside the sacrum mask on the thin-slice real CTs (reference read by eye)', () => {
  for (const name of ['pelvic-ref-003', 'pancreas-ct-cb-001-upper-sacrum'] as RealScan[]) {
    describe(name, () => {
      let volume: ScalarVolume;
      let mask: Uint8Array;
      beforeAll(async () => {
        volume = await loadRealScan(readReference(name));
        const engine = new CaseEngine(volume);
        engine.run({ type: 'detectAnatomy' });
        mask = engine.currentSacrumMask!;
      }, 300_000);
      for (const p of readReference(name).canalLps) {
        const key = p.join(',');
        (KNOWN_INSIDE[name]?.includes(key) ? it.fails : it)(`canal centre ${key} is outside the mask`, () => {
          // the voxels within 2.5 mm of it, counted for the record
          const g = volume.geometry, [ni, nj, nk] = g.dims;
          const c = g.lpsToIjk([0, 0, 0], p), q: Vec3 = [0, 0, 0];
          let n = 0, m = 0;
          for (let k = Math.round(c[2]!) - 1; k <= Math.round(c[2]!) + 1; k++) for (let j = Math.round(c[1]!) - 3; j <= Math.round(c[1]!) + 3; j++) for (let i = Math.round(c[0]!) - 3; i <= Math.round(c[0]!) + 3; i++) {
            if (i < 0 || j < 0 || k < 0 || i >= ni || j >= nj || k >= nk) continue;
            g.ijkToLps(q, i, j, k);
            if (Math.hypot(q[0] - p[0], q[1] - p[1], q[2] - p[2]) > 2.5) continue;
            n++;
            if (mask[g.offset(i, j, k)]) m++;
          }
          console.log(`[${name}] canal centre ${key}: ${m} of the ${n} voxels within 2.5 mm in the mask`);
          expect(maskAt(volume, mask, p)).toBe(0);
        });
      }
    });
  }
});
