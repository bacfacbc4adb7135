/**
 * The bad-input set of ../shared/phantom/make_bad_inputs.py through the real file input:
 * one clear message per bad file, the good series still loads, markup shown as text.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { requireBrowser, openApp, loadThroughInput, screenshot, viewContentStats, useSession } from './harness';
import { requireShared, ensureBadInputs } from '../helpers/shared';

const ok = requireBrowser() && requireShared(true);
const listDir = (d: string) => readdirSync(d).sort().map((n) => join(d, n));

describe.skipIf(!ok)('bad inputs through the file input', () => {
  const session = useSession();
  let bad: string;
  beforeAll(() => {
    bad = ensureBadInputs();
  });

  it('all_in_one: the 16-slice good series loads and each bad file gets one message naming it', async () => {
    const { page, errors } = await openApp(session(), { demo: false });
    await loadThroughInput(page, listDir(join(bad, 'all_in_one')));
    const snap = await page.evaluate(() => window.sacroplan.snapshot());
    expect(snap.series?.dims).toEqual([64, 64, 16]);
    expect(snap.series?.spacingMm?.map((v) => +v.toFixed(4))).toEqual([3, 3, 5]);
    const byName = new Map(snap.files.map((f) => [f.name, f]));
    for (let i = 1; i <= 16; i++) expect(byName.get(`good_IM${String(i).padStart(5, '0')}.dcm`)?.status).toBe('ok');
    // Files that must be refused or ignored, each with a message.
    for (const name of ['empty.dcm', 'notes.dcm', 'photo.jpg', 'photo_renamed.dcm', 'report_sr.dcm', 'short_pixels.dcm', 'truncated_header.dcm', 'truncated_pixels.dcm']) {
      const f = byName.get(name);
      expect(f, name).toBeDefined();
      expect(f!.status, name).not.toBe('ok');
      expect(f!.message, name).toMatch(/\S{4,}/);
    }
    expect(byName.get('report_sr.dcm')!.status).toBe('ignored');
    // The file list in the sidebar names every refused file.
    const listed = await page.locator('sp-file-list li.file-problem').allTextContents();
    for (const name of ['empty.dcm', 'notes.dcm', 'truncated_pixels.dcm', 'short_pixels.dcm']) expect(listed.some((t) => t.includes(name))).toBe(true);
    for (const view of ['axial', 'sagittal', 'coronal'] as const) expect((await viewContentStats(page, view)).sd, view).toBeGreaterThan(20);
    await screenshot(page, 'bad-inputs-all-in-one');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('markup in PatientName is shown as text and never executed', async () => {
    const { page, errors, dialogs } = await openApp(session(), { demo: false });
    await loadThroughInput(page, listDir(join(bad, 'cases', '09_script_patient_name')));
    const snap = await page.evaluate(() => window.sacroplan.snapshot());
    expect(snap.series?.patientName).toMatch(/<script>|<img|<svg|</i);
    const shown = await page.locator('sp-app .patient-name').textContent();
    expect(shown).toBe(snap.series!.patientName);
    expect(await page.locator('sp-app script, sp-app img[onerror]').count()).toBe(0);
    expect(dialogs).toEqual([]);
    expect(errors).toEqual([]);
    await screenshot(page, 'bad-inputs-xss');
    await page.context().close();
  });

  it('series-level problems: duplicate position, missing slice, interleaved series, no spacing, no position', async () => {
    const { page } = await openApp(session(), { demo: false });
    const load = async (c: string) => {
      await loadThroughInput(page, listDir(join(bad, 'cases', c)));
      return page.evaluate(() => window.sacroplan.snapshot());
    };
    const dup = await load('06_duplicate_position');
    expect(dup.series?.dims[2]).toBe(16);
    expect(dup.series?.warnings).toContain('duplicate-position');

    const gap = await load('07_missing_slice');
    expect(gap.series === null || gap.series.warnings.includes('non-uniform-spacing') || gap.seriesList.some((s) => s.warnings.includes('non-uniform-spacing'))).toBe(true);
    expect(JSON.stringify(gap)).toMatch(/non-uniform-spacing/);
    if (gap.series) expect(gap.series.dims[2]).not.toBe(15); // never 15 slices stacked at 5 mm

    const inter = await load('08_interleaved_series');
    expect(inter.seriesList.length).toBe(2);
    expect(inter.seriesList.map((s) => s.sliceCount)).toEqual([16, 16]);

    const nops = await load('05_no_pixel_spacing');
    expect(nops.series?.spacingMm ?? null).toBeNull();
    expect(nops.series?.measurementBlockedReason).toMatch(/spacing/i);
    await screenshot(page, 'bad-inputs-no-spacing');

    const nopos = await load('15_no_position');
    expect(JSON.stringify(nopos)).toMatch(/missing-position/);
    await page.context().close();
  });
});
