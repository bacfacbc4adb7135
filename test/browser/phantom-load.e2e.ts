/**
 * Load ../shared/phantom series through the real file input and check the geometry and values
 * the app reports against truth.json (an independent Python generator).
 */
import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { requireBrowser, openApp, loadThroughInput, screenshot, viewContentStats, useSession } from './harness';
import { requireShared, ensurePhantom, readTruth } from '../helpers/shared';

const ok = requireBrowser() && requireShared(true);

function cortexPoint(truth: any): number[] {
  // Midpoint of the longest cortical segment crossed by a reference trajectory.
  let best: { len: number; p: number[] } | null = null;
  for (const t of truth.trajectories) {
    for (const seg of t.path) {
      if (seg.structure !== 'sacrum_cortex') continue;
      const len = seg.to_mm - seg.from_mm;
      if (!best || len > best.len) {
        const mid = (seg.from_mm + seg.to_mm) / 2;
        best = { len, p: t.entry_lps.map((e: number, c: number) => e + t.direction_lps[c] * mid) };
      }
    }
  }
  return best!.p;
}

describe.skipIf(!ok)('phantom series through the file input', () => {
  const session = useSession();

  for (const config of ['default.json', 'hard.json']) {
    it(`${config}: geometry equals truth.json and HU reads lesion and bone`, async () => {
      const dir = ensurePhantom(config);
      const truth = readTruth(dir);
      const files = readdirSync(join(dir, 'dicom')).map((n) => join(dir, 'dicom', n));
      const { page, errors } = await openApp(session(), { demo: false });
      await loadThroughInput(page, files);
      const snap = await page.evaluate(() => window.sacroplan.snapshot());
      expect(snap.series).not.toBeNull();
      const s = snap.series!;
      const g = truth.geometry;
      expect(s.modality).toBe('CT');
      expect(s.dims).toEqual([g.dims.columns, g.dims.rows, g.dims.slices]);
      const spacing = [g.spacing_mm.column, g.spacing_mm.row, g.spacing_mm.slice];
      for (let c = 0; c < 3; c++) expect(Math.abs(s.spacingMm![c]! - spacing[c]!)).toBeLessThan(1e-4);
      for (let c = 0; c < 3; c++) expect(Math.abs(s.originLps[c]! - g.origin_lps[c])).toBeLessThan(1e-3);
      const cos = [...g.direction_cosines.row_X, ...g.direction_cosines.column_Y, ...g.direction_cosines.normal_N];
      for (let c = 0; c < 9; c++) expect(Math.abs(s.directionCosines[c]! - cos[c])).toBeLessThan(1e-3);
      expect(snap.files.filter((f) => f.status !== 'ok')).toEqual([]);
      for (const lesion of truth.lesions) {
        const hu = await page.evaluate((p) => window.sacroplan.huAtLps(p as [number, number, number]), lesion.center_lps);
        expect(hu, `HU at lesion ${lesion.id}`).not.toBeNull();
        expect(Math.abs(hu! - lesion.hu), `HU at ${lesion.id} centre: ${hu}`).toBeLessThan(lesion.type === 'sclerotic' ? 150 : 60);
      }
      const bone = await page.evaluate((p) => window.sacroplan.huAtLps(p as [number, number, number]), cortexPoint(truth));
      expect(bone!).toBeGreaterThan(500);
      expect(await page.evaluate(() => window.sacroplan.huAtLps([1e5, 0, 0]))).toBeNull();
      // Every view shows an image with structure (not a blank or uniform slab).
      for (const view of ['axial', 'sagittal', 'coronal'] as const) {
        const st = await viewContentStats(page, view);
        expect(st.distinct, `${view} grey levels`).toBeGreaterThan(40);
        expect(st.sd, `${view} contrast`).toBeGreaterThan(20);
      }
      await screenshot(page, `phantom-${config.replace('.json', '')}`);
      expect(errors).toEqual([]);
      await page.context().close();
    });
  }
});
