/**
 * The other ways radiologists hand over images: a whole folder through the folder picker, a drop
 * of files onto the views, a NIfTI volume, and cancelling a long load (the image on screen stays).
 */
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireBrowser, openApp, screenshot, viewContentStats, useSession } from './harness';
import { requireShared, ensureBadInputs, ensurePhantom, sharedDir, repoRoot } from '../helpers/shared';

const ok = requireBrowser() && requireShared(true);

describe.skipIf(!ok)('folder, drop, NIfTI and cancel', () => {
  const session = useSession();

  it('loads a folder through the folder picker (files arrive unordered, sorted by position)', async () => {
    const dir = join(ensurePhantom('hard.json'), 'dicom');
    const { page, errors } = await openApp(session(), { demo: false });
    await page.setInputFiles('#folder-input', dir);
    await page.waitForTimeout(50);
    await page.evaluate(() => window.sacroplan.whenIdle());
    const snap = await page.evaluate(() => window.sacroplan.snapshot());
    expect(snap.series?.dims[2]).toBe(readdirSync(dir).length);
    expect(snap.series?.warnings).toContain('oblique');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('loads files dropped onto the views', async () => {
    const dir = join(ensureBadInputs(), 'good_series');
    const files = readdirSync(dir).sort().map((n) => ({ name: n, b64: readFileSync(join(dir, n)).toString('base64') }));
    const { page, errors } = await openApp(session(), { demo: false });
    await page.evaluate(async (list) => {
      const dt = new DataTransfer();
      for (const f of list) {
        const bytes = Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0));
        dt.items.add(new File([bytes], f.name, { type: 'application/dicom' }));
      }
      const target = document.querySelector('sp-app')!.shadowRoot!.querySelector('main')!;
      target.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
      target.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, files);
    await page.waitForTimeout(100);
    await page.evaluate(() => window.sacroplan.whenIdle());
    const snap = await page.evaluate(() => window.sacroplan.snapshot());
    expect(snap.series?.dims).toEqual([64, 64, 16]);
    expect(snap.files.filter((f) => f.status === 'ok').length).toBe(16);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('opens a NIfTI CT (sform, RAS → LPS) and reads HU', async () => {
    const nii = join(sharedDir, 'data', 'totalseg-example-ct', 'example_ct.nii.gz');
    const { page, errors } = await openApp(session(), { demo: false });
    await page.setInputFiles('#file-input', nii);
    await page.waitForTimeout(50);
    await page.evaluate(() => window.sacroplan.whenIdle());
    const snap = await page.evaluate(() => window.sacroplan.snapshot());
    // nibabel: dims 122×101×112, 3 mm, LPS origin (177.956, −11.319, 94.302), axes (−1,0,0), (0,−1,0), (0,0,1).
    expect(snap.series?.source).toBe('nifti');
    expect(snap.series?.dims).toEqual([122, 101, 112]);
    expect(snap.series?.spacingMm?.map((v) => +v.toFixed(3))).toEqual([3, 3, 3]);
    const o = snap.series!.originLps;
    expect(Math.abs(o[0] - 177.956) + Math.abs(o[1] + 11.319) + Math.abs(o[2] - 94.302)).toBeLessThan(0.01);
    expect(snap.series?.directionCosines.map((v) => Math.round(v))).toEqual([-1, 0, 0, 0, -1, 0, 0, 0, 1]);
    for (const view of ['axial', 'sagittal', 'coronal'] as const) expect((await viewContentStats(page, view)).sd).toBeGreaterThan(20);
    await screenshot(page, 'nifti-example-ct');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('cancelling a load keeps the image on screen and says so', async () => {
    // A series big enough (512×512×120, 63 MB) that its load is still running when Cancel is pressed.
    const dir = join(tmpdir(), 'sacroplan-bench', 'ct512x120');
    execFileSync(process.execPath, [join(repoRoot, 'bench', 'make-series.mjs'), dir, '512', '512', '120'], { stdio: 'pipe' });
    const { page, errors } = await openApp(session());
    const before = await page.evaluate(() => window.sacroplan.snapshot());
    expect(before.series?.source).toBe('demo');
    await page.setInputFiles('#file-input', readdirSync(dir).map((n) => join(dir, n)));
    // The progress bar with its Cancel button is up at once; press it as a user would (no waiting).
    const pressed = await page.evaluate(() => {
      const b = document.querySelector('sp-app')!.shadowRoot!.querySelector<HTMLButtonElement>('#cancel-load');
      b?.click();
      return b !== null;
    });
    expect(pressed).toBe(true);
    await page.evaluate(() => window.sacroplan.whenIdle());
    const after = await page.evaluate(() => window.sacroplan.snapshot());
    expect(after.series?.source).toBe('demo');
    expect(after.messages.some((m) => /cancel/i.test(m.text))).toBe(true);
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
