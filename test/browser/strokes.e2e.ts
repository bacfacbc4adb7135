/**
 * The low-contrast tool (Strokes, L) as a user drives it: on fatty.json's near-iso lesion (80 HU in
 * 110 HU fatty marrow, which Grow refuses), one lesion stroke through its middle and background
 * rings about 3 mm beyond its edge in the axial and the sagittal view give its volume within 10 %, by voxel count and
 * as the panel shows it first (partial-volume corrected); each stroke is
 * one undo step. Then a lesion painted on the real CT (pelvic-ref-003; screenshot to look at) and
 * on the real MR (PROSTATEx T2 sagittal, with a lesion of known volume implanted into its marrow:
 * within 10 % of that truth; screenshot).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { requireBrowser, openApp, screenshot, useSession, loadThroughInput, screenOf, drag, ring, smallBrush } from './harness';
import { ensureImplanted, ensurePhantom, readTruth, requireShared, sharedDir } from '../helpers/shared';
import type { Vec3 } from '../../src/core/vec3';

const ok = requireBrowser() && requireShared(true);

describe.skipIf(!ok)('Strokes tool (lesion / background strokes)', () => {
  const session = useSession();

  it('fatty.json near-iso lesion (80 HU in 110 HU marrow): within 10 % of its volume; each stroke one undo step', async () => {
    const dir = ensurePhantom('fatty.json');
    const truth = readTruth(dir);
    const les = truth.lesions.find((l: any) => l.hu === 80)!;
    const c = les.center_lps as Vec3;
    const { page, errors } = await openApp(session(), { demo: false });
    await loadThroughInput(page, readdirSync(join(dir, 'dicom')).map((n) => join(dir, 'dicom', n)));
    // Grow refuses it, and says to use this tool
    await page.evaluate((p) => window.sacroplan.setCrosshair(p), c);
    await page.click('button[data-tool="regionGrow"]');
    const at = await screenOf(page, 'axial', c);
    await page.mouse.click(at.x, at.y);
    await page.evaluate(() => window.sacroplan.whenIdle());
    await expect.poll(async () => (await page.evaluate(() => window.sacroplan.snapshot())).messages.map((m) => m.text).join(' | ')).toMatch(/strokes tool \(L\)/);
    expect((await page.evaluate(() => window.sacroplan.snapshot())).lesions).toEqual([]);

    // zoom in on the axial view under the mouse (+), then the Strokes tool with the keyboard; a 1.5 mm brush
    for (let n = 0; n < 3; n++) await page.keyboard.press('+');
    await page.keyboard.press('l');
    expect(await page.getAttribute('button[data-tool="seeds"]', 'aria-pressed')).toBe('true');
    await smallBrush(page, 1.5);
    // 1. a lesion stroke through the middle (axial)
    await drag(page, 'axial', [[c[0] - 3, c[1], c[2]], [c[0], c[1], c[2]], [c[0] + 3, c[1], c[2]]]);
    const s1 = await page.evaluate(() => window.sacroplan.snapshot());
    expect(s1.lesions.length).toBe(1);
    // 2. background around it in the axial view, Shift held
    await drag(page, 'axial', ring(c, 10, 0, 1), true);
    const v2 = (await page.evaluate(() => window.sacroplan.snapshot())).lesions[0]!.volumeMl;
    // 3. background around it in the sagittal view, chosen in the panel
    await page.click('sp-lesion-panel #seed-kind-background');
    await drag(page, 'sagittal', ring(c, 10, 1, 2));
    const s3 = await page.evaluate(() => window.sacroplan.snapshot());
    const v3 = s3.lesions[0]!.volumeMl;
    const err = v3 / les.volume_ml - 1;
    await screenshot(page, 'strokes-fatty-near-iso');
    console.log(`[strokes] fatty ${les.id} (${les.hu} HU, truth ${les.volume_ml.toFixed(3)} mL): after the lesion stroke ${s1.lesions[0]!.volumeMl.toFixed(3)} mL, + axial ring ${v2.toFixed(3)}, + sagittal ring ${v3.toFixed(3)} mL (${(100 * err).toFixed(1)} %)`);
    expect(Math.abs(err)).toBeLessThan(0.1);
    // the volume the panel shows first (its headline: the partial-volume corrected figure), read from the page
    const li = page.locator('sp-lesion-panel li.lesion').first();
    await li.click();
    await expect.poll(() => li.locator('.volume-basis').count(), { timeout: 30_000 }).toBe(1);
    const shownMl = Number(/^([\d.]+) mL$/.exec((await li.locator('.volume-ml').textContent())!.trim())![1]);
    const basis = (await li.locator('.volume-basis').textContent())!.trim();
    console.log(`[strokes] fatty ${les.id}: panel ${shownMl.toFixed(2)} mL ${basis} (${(100 * (shownMl / les.volume_ml - 1)).toFixed(1)} %)`);
    expect(Math.abs(shownMl / les.volume_ml - 1)).toBeLessThan(0.1);
    expect(Math.abs(shownMl - s3.lesions[0]!.shownVolumeMl)).toBeLessThanOrEqual(0.0051);
    // valid strokes on a near-iso lesion: its outline lies on the background's side of the levels' midpoint, no edge-support warning
    expect(s3.messages.map((m) => m.text).join(' | ')).not.toMatch(/shows no edge/);
    // strokes that enclose the lesion: no overrun warning
    expect(s3.messages.map((m) => m.text).join(' | ')).not.toMatch(/ran beyond your strokes/);
    // one undo takes back the whole sagittal ring stroke
    await page.keyboard.press('Control+z');
    await page.evaluate(() => window.sacroplan.whenIdle());
    expect((await page.evaluate(() => window.sacroplan.snapshot())).lesions[0]!.volumeMl).toBeCloseTo(v2, 6);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('a lesion painted on the real CT (pelvic-ref-003) and on the real MR (PROSTATEx T2): screenshots', async () => {
    // CT: in the S1 body (z 285.5 mm is slice 108, at the S1 foramina; SOURCE.md and its axial preview)
    const ctDir = join(sharedDir, 'data', 'real-pelvis', 'pelvic-ref-003');
    const ctFiles = readdirSync(join(ctDir, 'dicom')).map((n) => join(ctDir, 'dicom', n));
    {
      const { page, errors } = await openApp(session(), { demo: false });
      await loadThroughInput(page, ctFiles);
      const c: Vec3 = [15, 145, 285.5];
      const hu = await page.evaluate((p) => window.sacroplan.huAtLps(p), c);
      console.log(`[strokes] real CT at ${c.join(', ')}: ${hu} HU`);
      expect(hu!).toBeGreaterThan(0);
      await page.evaluate((p) => window.sacroplan.setCrosshair(p), c);
      // zoom in on the axial view under the mouse, as a user would (+)
      const az = await screenOf(page, 'axial', c);
      await page.mouse.move(az.x, az.y);
      for (let n = 0; n < 4; n++) await page.keyboard.press('+');
      await page.keyboard.press('l');
      await smallBrush(page, 1.5);
      await drag(page, 'axial', [[c[0] - 2, c[1], c[2]], [c[0] + 2, c[1], c[2]]]);
      await drag(page, 'axial', ring(c, 9, 0, 1), true);
      const s = await page.evaluate(() => window.sacroplan.snapshot());
      console.log(`[strokes] real CT: ${s.lesions.length} lesion, ${s.lesions[0]?.volumeMl.toFixed(2)} mL, max diameter ${s.lesions[0]?.maxDiameterMm.toFixed(1)} mm`);
      expect(s.lesions.length).toBe(1);
      expect(s.lesions[0]!.volumeMl).toBeGreaterThan(0);
      await screenshot(page, 'strokes-real-ct');
      expect(errors).toEqual([]);
      await page.context().close();
    }
    // MR: the real sagittal T2 (feet first) with lesions of known volume implanted into its marrow
    // (test/phantom-tools/implant.py): the fluid-bright M1 painted with Strokes in the sagittal view
    // (the acquisition plane) as a user would, its panel volume against the truth
    const imp = ensureImplanted('prostatex-0218-t2sag.json');
    const mrTruth = JSON.parse(readFileSync(join(imp, 'truth.json'), 'utf8'));
    const m1 = mrTruth.lesions.find((l: any) => l.id === 'M1');
    {
      const { page, errors } = await openApp(session(), { demo: false });
      await loadThroughInput(page, readdirSync(join(imp, 'dicom')).map((n) => join(imp, 'dicom', n)));
      const c = m1.center_lps as Vec3;
      await page.evaluate((p) => window.sacroplan.setCrosshair(p), c);
      await page.keyboard.press('l');
      await smallBrush(page, 1.5);
      // a lesion stroke through its middle, then a background ring 3 mm beyond its largest radius (Shift)
      const R = Math.max(...m1.semi_axes_mm) * (1 + m1.bumps.reduce((s: number, b: any) => s + Math.abs(b.amplitude), 0)) + 3;
      await drag(page, 'sagittal', [[c[0], c[1] - 2, c[2]], [c[0], c[1] + 2, c[2]]]);
      await drag(page, 'sagittal', ring(c, R, 1, 2), true);
      const s = await page.evaluate(() => window.sacroplan.snapshot());
      expect(s.lesions.length).toBe(1);
      const ml = s.lesions[0]!.shownVolumeMl!;
      const err = ml / m1.volume_ml - 1;
      console.log(`[strokes] real MR (implanted ${m1.id}, ${m1.kind}, truth ${m1.volume_ml.toFixed(3)} mL): ${ml.toFixed(3)} mL by ${s.lesions[0]!.shownVolumeBasis} (${(100 * err).toFixed(1)} %)`);
      expect(Math.abs(err)).toBeLessThan(0.1);
      expect(s.messages.map((m) => m.text).join(' | ')).not.toMatch(/ran beyond your strokes/);
      await screenshot(page, 'strokes-real-mr');
      expect(errors).toEqual([]);
      await page.context().close();
    }
  });
});
