/**
 * Simulated fluoroscopy as a user meets it: images of at least 512 × 512 detector pixels centred on
 * the selected needle's target, the bull's-eye and progression presets, and the predicted cement
 * darkening the image where it projects once Predict deposit is pressed (pixels read from the canvas
 * before and after). Screenshots on the demo and on a real pelvic CT (pelvic-ref-003), to be looked at.
 */
import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { requireBrowser, openApp, loadThroughInput, useSession, screenshotDir } from './harness';
import { requireShared, sharedDir } from '../helpers/shared';

const ok = requireBrowser();
const withShared = ok && requireShared(true);

const status = (page: Page) => page.locator('sp-fluoro #fluoro-status').textContent();

/** Waits until every pane shows its full-size image (not the preview). */
async function fullImages(page: Page): Promise<string> {
  await expect.poll(async () => page.locator('sp-fluoro canvas').evaluateAll((cs) => cs.length > 0 && cs.every((c) => (c as HTMLCanvasElement).dataset['image'] === 'full')), { timeout: 180_000, interval: 500 }).toBe(true);
  return (await status(page))!;
}

/** The canvas's backing pixels as grey levels (red channel), its size and the projected cement box. */
async function canvasPixels(page: Page, view: string): Promise<{ w: number; h: number; grey: number[]; detectorPx: number; cementBox: number[] | null }> {
  return page.locator(`sp-fluoro canvas[data-view="${view}"]`).evaluate((c: HTMLCanvasElement) => {
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    const grey: number[] = [];
    for (let n = 0; n < d.length; n += 4) grey.push(d[n]!);
    return { w: c.width, h: c.height, grey, detectorPx: Number(c.dataset['detectorPx']), cementBox: c.dataset['cementBox'] ? c.dataset['cementBox'].split(',').map(Number) : null };
  });
}

describe.skipIf(!ok)('simulated fluoroscopy', () => {
  const session = useSession();

  it('demo: 512 px images centred on the target; bull\'s-eye + progression; Predict deposit darkens the projected cement', async () => {
    const { page, errors } = await openApp(session(), { width: 1600, height: 900, scene: true });
    const truth = await page.evaluate(() => window.sacroplan.demoCase() as any);
    const zone1 = truth.lesions.find((l: any) => l.zone === 1);
    await page.evaluate((p) => window.sacroplan.segmentLesionAt(p), zone1.centerLps);
    const lesionId = (await page.evaluate(() => window.sacroplan.snapshot())).lesions[0]!.id;
    const needleId = await page.evaluate((id) => window.sacroplan.planApproach(id, 'posterior-short-axis'), lesionId);
    await page.locator('sp-fluoro #needle-advance').evaluate((el: HTMLInputElement) => { el.value = '1'; el.dispatchEvent(new Event('input', { bubbles: true })); });
    await expect.poll(async () => (await page.evaluate(() => window.sacroplan.snapshot())).trajectories[0]!.advance).toBe(1);

    // AP + lateral, centred on the needle's target: the target ring sits at the image centre
    const st = await fullImages(page);
    console.log(`fluoro status: ${st}`);
    for (const v of ['AP', 'lateral']) {
      const px = await canvasPixels(page, v);
      expect(px.detectorPx, v).toBeGreaterThanOrEqual(512);
      expect(px.w, v).toBeGreaterThanOrEqual(512);
    }
    await page.locator('sp-fluoro').screenshot({ path: join(screenshotDir, 'fluoro-demo-biplane.png') });

    // the needle's own views
    await page.selectOption('sp-fluoro #fluoro-layout', 'needle');
    await fullImages(page);
    const before = await canvasPixels(page, 'progression');
    expect(before.detectorPx).toBeGreaterThanOrEqual(512);
    expect(before.cementBox).toBeNull();
    await page.locator('sp-fluoro').screenshot({ path: join(screenshotDir, 'fluoro-demo-needle-views.png') });

    // Predict deposit (plan panel), as a user would
    await page.click('sp-plan-panel #cement-button');
    await expect.poll(async () => (await page.evaluate(() => window.sacroplan.snapshot())).trajectories.find((t: any) => t.id === needleId)!.cement?.volumeMl ?? 0, { timeout: 30_000 }).toBeGreaterThan(0);
    await expect.poll(async () => (await canvasPixels(page, 'progression')).cementBox, { timeout: 30_000 }).not.toBeNull();
    const after = await canvasPixels(page, 'progression');
    const [x0, y0, x1, y1] = after.cementBox! as [number, number, number, number];
    let inside = 0, nIn = 0, outside = 0, nOut = 0;
    for (let y = 0; y < after.h; y++) for (let x = 0; x < after.w; x++) {
      const d = before.grey[y * after.w + x]! - after.grey[y * after.w + x]!;
      if (x >= x0 && x < x1 && y >= y0 && y < y1) { inside += d; nIn++; } else { outside += Math.abs(d); nOut++; }
    }
    const darkening = inside / nIn, elsewhere = outside / nOut;
    console.log(`progression view: cement box ${after.cementBox!.join(',')} (${x1 - x0}×${y1 - y0} px): mean darkening ${darkening.toFixed(1)} grey levels inside, mean |change| ${elsewhere.toFixed(2)} outside`);
    expect(darkening).toBeGreaterThan(25);
    expect(elsewhere).toBeLessThan(1);
    // the deposit sits at the target, which is the image centre
    expect(Math.abs((x0 + x1) / 2 - after.w / 2)).toBeLessThan(after.w / 8);
    expect(Math.abs((y0 + y1) / 2 - after.h / 2)).toBeLessThan(after.h / 8);
    await page.locator('sp-fluoro').screenshot({ path: join(screenshotDir, 'fluoro-demo-cement.png') });
    expect(errors).toEqual([]);
    await page.context().close();
  }, 400_000);

  it.skipIf(!withShared)('pelvic-ref-003 (real CT): AP + lateral and the needle views, screenshots', async () => {
    const ctDir = join(sharedDir, 'data', 'real-pelvis', 'pelvic-ref-003', 'dicom');
    const { page, errors } = await openApp(session(), { width: 1600, height: 900, scene: true, demo: false });
    await loadThroughInput(page, readdirSync(ctDir).map((n) => join(ctDir, n)));
    // a needle to the S1 body (z 285.5 mm: the S1 foramina's slice, SOURCE.md) from posterior-left
    await page.evaluate(() => window.sacroplan.setTrajectory({ entryLps: [70, 230, 295], targetLps: [15, 145, 285.5] }));
    const st = await fullImages(page);
    console.log(`pelvic-ref-003 fluoro status: ${st}`);
    const px = await canvasPixels(page, 'AP');
    expect(px.detectorPx).toBeGreaterThanOrEqual(512);
    const mean = px.grey.reduce((a, b) => a + b, 0) / px.grey.length;
    const sd = Math.sqrt(px.grey.reduce((a, b) => a + (b - mean) ** 2, 0) / px.grey.length);
    expect(sd).toBeGreaterThan(20);
    await page.locator('sp-fluoro').screenshot({ path: join(screenshotDir, 'fluoro-pelvic-ref-003-biplane.png') });
    await page.click('sp-fluoro button.expand');
    await fullImages(page);
    await page.screenshot({ path: join(screenshotDir, 'fluoro-pelvic-ref-003-expanded.png') });
    await page.click('sp-fluoro button.expand');
    await page.selectOption('sp-fluoro #fluoro-layout', 'needle');
    await fullImages(page);
    await page.locator('sp-fluoro').screenshot({ path: join(screenshotDir, 'fluoro-pelvic-ref-003-needle-views.png') });
    expect(errors).toEqual([]);
    await page.context().close();
  }, 400_000);
});
