/**
 * DICOM SEG in the app: on the demo, grow a lesion with the Grow tool and name it, Export SEG
 * (toolbar download; dciodvfy checks the file), reload the page, Import SEG… and the lesion comes
 * back with its name, colour and the same voxels; a SEG of another scan is refused with the reason.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import type { Page } from 'playwright-core';
import { readdirSync, writeFileSync } from 'node:fs';
import { requireBrowser, openApp, screenshot, useSession, loadThroughInput, crosshairOnScreen, clickMenuItem } from './harness';
import { isCI, sharedDir, requireShared, ensurePhantom, PYTHON } from '../helpers/shared';

const ok = requireBrowser();
const snap = (page: Page) => page.evaluate(() => window.sacroplan.snapshot());

describe.skipIf(!ok)('DICOM SEG export and import', () => {
  const session = useSession();

  it('demo: grow, name, Export SEG, reload, Import SEG… gives the same lesion; another scan\'s SEG is refused', async () => {
    const { page, errors } = await openApp(session());
    const truth = (await page.evaluate(() => window.sacroplan.demoCase())) as { lesions: { centerLps: [number, number, number] }[] };
    await page.evaluate((p) => window.sacroplan.setCrosshair(p), truth.lesions[0]!.centerLps);
    await page.waitForTimeout(200);
    await page.click('button[data-tool="regionGrow"]');
    const at = await crosshairOnScreen(page, 'axial');
    await page.mouse.click(at.x, at.y);
    await expect.poll(async () => (await snap(page)).lesions[0]?.voxelCount ?? 0, { timeout: 20_000 }).toBeGreaterThan(0);
    const name = page.locator('sp-lesion-panel li.lesion').first().locator('input.name');
    await name.fill('S1 Metastase rechts');
    await name.press('Enter');
    await expect.poll(async () => (await snap(page)).lesions[0]!.name).toBe('S1 Metastase rechts');
    await page.evaluate(() => window.sacroplan.whenIdle());
    const before = (await snap(page)).lesions[0]!;
    const digestBefore = await page.evaluate(() => window.sacroplan.labelDigest());

    const [download] = await Promise.all([page.waitForEvent('download'), clickMenuItem(page, 'sp-case-bar #export-seg')]);
    expect(download.suggestedFilename()).toMatch(/_SEG_\d{4}-\d\d-\d\d\.dcm$/);
    const path = join(mkdtempSync(join(tmpdir(), 'sp-seg-e2e-')), download.suggestedFilename());
    await download.saveAs(path);
    const bytes = readFileSync(path);
    expect(bytes.subarray(128, 132).toString('latin1')).toBe('DICM');
    await expect.poll(async () => (await snap(page)).messages.map((m) => m.text).join('\n')).toMatch(/SEG saved as .*: 1 lesion \(S1 Metastase rechts\)/);
    const dciodvfy = ['/usr/bin/dciodvfy', '/usr/local/bin/dciodvfy'].find((p) => existsSync(p));
    if (dciodvfy) {
      const out = execFileSync('sh', ['-c', `'${dciodvfy}' '${path}' 2>&1 || true`], { encoding: 'utf8' });
      expect(out.split('\n').filter((l) => /^Error/.test(l)), out).toEqual([]);
    } else if (isCI) throw new Error('CI=true but dciodvfy (dicom3tools) is missing');
    else console.warn('[skip] dciodvfy not installed (apt-get install dicom3tools): the demo SEG is not validated');

    // A fresh page: the demo is built again, no lesion (the autosave is only offered).
    await page.reload();
    await page.waitForFunction(() => typeof window.sacroplan?.ready === 'function');
    await page.evaluate(() => window.sacroplan.ready());
    await page.evaluate(() => window.sacroplan.whenIdle());
    expect((await snap(page)).series?.source).toBe('demo');
    expect((await snap(page)).lesions).toEqual([]);

    await page.setInputFiles('sp-case-bar #seg-input', path);
    await expect.poll(async () => (await snap(page)).lesions.length, { timeout: 15_000 }).toBe(1);
    await page.evaluate(() => window.sacroplan.whenIdle());
    const after = (await snap(page)).lesions[0]!;
    expect(after.name).toBe('S1 Metastase rechts');
    expect(after.color).toBe(before.color);
    expect(after.voxelCount).toBe(before.voxelCount);
    expect(after.volumeMl).toBe(before.volumeMl);
    expect(await page.evaluate(() => window.sacroplan.labelDigest())).toEqual(digestBefore);
    await expect.poll(async () => (await snap(page)).messages.map((m) => m.text).join('\n')).toMatch(/imported: S1 Metastase rechts \(\d+ voxels\)\. Undo removes them\./);
    await screenshot(page, 'seg-imported');
    // One undo step removes the import.
    await page.evaluate(() => window.sacroplan.undo());
    expect((await snap(page)).lesions).toEqual([]);
    await page.evaluate(() => window.sacroplan.redo());
    expect((await snap(page)).lesions.length).toBe(1);

    // A SEG of another scan (highdicom's SEG of a pydicom test CT) is refused, the case unchanged.
    const other = join(sharedDir, 'data', 'dicom-loader-zoo', 'dicomdir', 'seg-of-77654033-CT2', 'seg_image_ct_binary.dcm');
    if (existsSync(other)) {
      await page.setInputFiles('sp-case-bar #seg-input', other);
      await expect.poll(async () => (await snap(page)).messages.map((m) => m.text).join('\n')).toMatch(/"seg_image_ct_binary\.dcm" was not imported: its frame of reference \(1\.3\.6\.1\.4\.1\.5962\.1\.1\.0\.0\.0\.1196530851\.28319\.0\.4\) is not that of the open series \(2\.25\.\d+\): it was drawn on another scan/);
      expect((await snap(page)).lesions.length).toBe(1);
      await screenshot(page, 'seg-refused');
    } else if (isCI) throw new Error(`CI=true but ${other} is missing`);
    // The API gives the same bytes' worth: a SEG with one segment.
    const size = await page.evaluate(async () => (await window.sacroplan.exportSeg()).length);
    expect(size).toBeGreaterThan(1000);
    expect(errors).toEqual([]);
    await page.context().close();
  }, 180_000);

  it.skipIf(!requireShared(true))('hard phantom loaded through the file input (oblique, reversed order): the SEG references its instances and re-imports voxel-exact', async () => {
    const dir = join(ensurePhantom('hard.json'), 'dicom');
    const { page, errors } = await openApp(session(), { demo: false });
    await loadThroughInput(page, readdirSync(dir).map((f) => join(dir, f)));
    const s0 = await snap(page);
    expect(s0.series?.source).toBe('dicom');
    const centre = await page.evaluate(() => window.sacroplan.snapshot().crosshairLps!);
    await page.evaluate(async (c) => { await window.sacroplan.paint({ centerLps: c, radiusMm: 6 }); await window.sacroplan.whenIdle(); }, centre);
    const digest = await page.evaluate(() => window.sacroplan.labelDigest());
    expect(Object.values(digest!.counts)[0]).toBeGreaterThan(100);
    const bytes = await page.evaluate(async () => Array.from(await window.sacroplan.exportSeg()));
    const path = join(mkdtempSync(join(tmpdir(), 'sp-seg-e2e-')), 'hard-seg.dcm');
    writeFileSync(path, Buffer.from(bytes));
    // pydicom: the SEG names the loaded series and each frame's source instance lies at the frame's position
    const py = `
import pydicom, sys, os
seg = pydicom.dcmread(sys.argv[1])
ipp = {}
for n in os.listdir(sys.argv[2]):
    d = pydicom.dcmread(os.path.join(sys.argv[2], n), stop_before_pixels=True)
    ipp[d.SOPInstanceUID] = ([float(x) for x in d.ImagePositionPatient], d.SeriesInstanceUID, d.FrameOfReferenceUID)
worst = 0.0
for f in seg.PerFrameFunctionalGroupsSequence:
    ref = f.DerivationImageSequence[0].SourceImageSequence[0].ReferencedSOPInstanceUID
    p = [float(x) for x in f.PlanePositionSequence[0].ImagePositionPatient]
    worst = max(worst, max(abs(a - b) for a, b in zip(p, ipp[ref][0])))
one = next(iter(ipp.values()))
print(seg.ReferencedSeriesSequence[0].SeriesInstanceUID == one[1], seg.FrameOfReferenceUID == one[2], seg.SegmentSequence[0].SegmentAlgorithmType, worst)
`;
    const [sameSeries, sameFor, algo, worst] = execFileSync(PYTHON, ['-c', py, path, dir], { encoding: 'utf8' }).trim().split(' ');
    expect([sameSeries, sameFor, algo]).toEqual(['True', 'True', 'MANUAL']);
    expect(Number(worst)).toBeLessThan(1e-3);
    // Undo the paint, import the SEG: the same voxels come back.
    await page.evaluate(async () => {
      await window.sacroplan.undo();
      for (const l of window.sacroplan.snapshot().lesions) await window.sacroplan.deleteLesion(l.id);
    });
    expect((await snap(page)).lesions).toEqual([]);
    await page.setInputFiles('sp-case-bar #seg-input', path);
    await expect.poll(async () => (await snap(page)).lesions.length, { timeout: 15_000 }).toBe(1);
    await page.evaluate(() => window.sacroplan.whenIdle());
    expect(await page.evaluate(() => window.sacroplan.labelDigest())).toEqual(digest);
    expect(errors).toEqual([]);
    await page.context().close();
  }, 180_000);
});
