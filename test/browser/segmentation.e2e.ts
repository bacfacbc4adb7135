/**
 * Lesion segmentation as a user does it on the demo case: Grow tool + click on a lesion, the
 * lesion coloured in all views and its volume in the panel; brush drag, undo and redo with the
 * keyboard; the scripting API.
 */
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { requireBrowser, openApp, screenshot, useSession, crosshairOnScreen } from './harness';
import { decodePng } from '../helpers/png';

const ok = requireBrowser();

/** RGB of the view's canvas at a page position. */
async function rgbAt(page: Page, view: string, x: number, y: number): Promise<[number, number, number]> {
  const canvas = page.locator(`sp-viewer .pane.${view} .cs canvas`).first();
  const box = (await canvas.boundingBox())!;
  const img = decodePng(await canvas.screenshot());
  const px = Math.round(((x - box.x) / box.width) * img.width), py = Math.round(((y - box.y) / box.height) * img.height);
  const o = (py * img.width + px) * 4;
  return [img.data[o]!, img.data[o + 1]!, img.data[o + 2]!];
}

describe.skipIf(!ok)('lesion segmentation in the demo case', () => {
  const session = useSession();

  it('grows a lesion with one click, shows it in every view with its volume; brush, undo, redo', async () => {
    const { page, errors } = await openApp(session());
    const truth = (await page.evaluate(() => window.sacroplan.demoCase())) as { lesions: { id: string; centerLps: [number, number, number]; volumeMl: number; zone: number }[] };
    const lesion = truth.lesions.find((l) => l.zone === 3)!;
    await page.evaluate((p) => window.sacroplan.setCrosshair(p), lesion.centerLps);
    await page.waitForTimeout(200);

    // The user picks the Grow tool and clicks the lesion centre in the axial view.
    await page.click('button[data-tool="regionGrow"]');
    const at = await crosshairOnScreen(page, 'axial');
    await page.mouse.click(at.x, at.y);
    await expect.poll(async () => (await page.evaluate(() => window.sacroplan.snapshot())).lesions[0]?.voxelCount ?? 0, { timeout: 20_000 }).toBeGreaterThan(0);
    const snap = await page.evaluate(() => window.sacroplan.snapshot());
    const l = snap.lesions[0]!;
    expect(Math.abs(l.volumeMl - lesion.volumeMl) / lesion.volumeMl).toBeLessThan(0.1);
    expect(l.maxDiameterMm).toBeLessThan(30);
    expect(l.meanHu!).toBeLessThan(120);
    // The panel shows the volume the API reports.
    await expect.poll(() => page.locator('sp-lesion-panel .volume-ml').first().textContent()).toBe(`${l.shownVolumeMl!.toFixed(2)} mL`);
    // Coloured in all three views at the lesion centre (the first lesion colour #ff4081 blended over grey).
    await page.mouse.move(at.x + 40, at.y + 40);
    await page.waitForTimeout(100);
    for (const view of ['axial', 'sagittal', 'coronal']) {
      const p = await crosshairOnScreen(page, view);
      const [r, g, b] = await rgbAt(page, view, p.x + 6, p.y + 6);
      expect(r - Math.max(g, b), `${view} overlay at the lesion: rgb ${r},${g},${b}`).toBeGreaterThan(25);
    }
    // The study's criteria and the volume against the study, in words (no landmarks yet: foramina and canal unchecked).
    await expect.poll(() => page.locator('sp-lesion-panel .criteria-summary').first().textContent()).toBe('Study criteria: size met; foramina and canal not checked (no landmarks)');
    expect(await page.locator('sp-lesion-panel .criterion[data-key="diameter"]').first().textContent()).toMatch(/largest diameter \d+\.\d mm: within the study's 30 mm limit/);
    expect(await page.locator('sp-lesion-panel .cohort').first().textContent()).toMatch(/study's lesions/);
    await screenshot(page, 'segmentation-grown');

    // Brush: paint a stroke beside the lesion; the voxel count grows; Ctrl+Z restores it; Ctrl+Y redoes.
    const before = l.voxelCount;
    await page.keyboard.press('b');
    await page.mouse.move(at.x + 30, at.y);
    await page.mouse.down();
    await page.mouse.move(at.x + 60, at.y, { steps: 6 });
    await page.mouse.up();
    await expect.poll(async () => (await page.evaluate(() => window.sacroplan.snapshot())).lesions[0]!.voxelCount, { timeout: 10_000 }).toBeGreaterThan(before);
    const painted = (await page.evaluate(() => window.sacroplan.snapshot())).lesions[0]!.voxelCount;
    await screenshot(page, 'segmentation-brushed');
    await page.keyboard.press('Control+z');
    await expect.poll(async () => (await page.evaluate(() => window.sacroplan.snapshot())).lesions[0]!.voxelCount).toBe(before);
    await page.keyboard.press('Control+y');
    await expect.poll(async () => (await page.evaluate(() => window.sacroplan.snapshot())).lesions[0]!.voxelCount).toBe(painted);
    // Undo button too.
    await page.click('sp-lesion-panel #undo');
    await expect.poll(async () => (await page.evaluate(() => window.sacroplan.snapshot())).lesions[0]!.voxelCount).toBe(before);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('box threshold: a dragged square over a lesion labels its dark voxels', async () => {
    const { page, errors } = await openApp(session());
    const truth = (await page.evaluate(() => window.sacroplan.demoCase())) as { lesions: { centerLps: [number, number, number]; zone: number; volumeMl: number }[] };
    const lesion = truth.lesions.find((l) => l.zone === 3)!;
    await page.evaluate((p) => window.sacroplan.setCrosshair(p), lesion.centerLps);
    await page.waitForTimeout(200);
    await page.keyboard.press('x');
    expect((await page.evaluate(() => window.sacroplan.snapshot())).tool).toBe('thresholdBox');
    const at = await crosshairOnScreen(page, 'axial');
    // ±4 mm square at about 3 px/mm, i.e. well inside the bone around the lesion.
    const mmPerPx = await page.evaluate(() => {
      const el = document.querySelector('sp-app')!.shadowRoot!.querySelector('sp-viewer')!.shadowRoot!.querySelector('.pane.axial .corner.tr')!;
      return 1 / Number(/Zoom ([\d.]+)/.exec(el.textContent ?? '')![1]);
    });
    const h = 4 / mmPerPx;
    await page.mouse.move(at.x - h, at.y - h);
    await page.mouse.down();
    await page.mouse.move(at.x + h, at.y + h, { steps: 4 });
    await page.mouse.up();
    await expect.poll(async () => (await page.evaluate(() => window.sacroplan.snapshot())).lesions[0]?.voxelCount ?? 0, { timeout: 10_000 }).toBeGreaterThan(50);
    const l = (await page.evaluate(() => window.sacroplan.snapshot())).lesions[0]!;
    expect(l.maxHu!).toBeLessThanOrEqual(150);
    expect(l.minHu!).toBeGreaterThanOrEqual(-100);
    // Inside an 8 mm cube: at most its volume.
    expect(l.volumeMl).toBeLessThanOrEqual(0.75); // voxel centres inside an ~8 mm cube: at most (8 + 0.8 mm)³
    await screenshot(page, 'segmentation-box');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('segments every demo lesion through the scripting API and deletes one', async () => {
    const { page, errors } = await openApp(session());
    const truth = (await page.evaluate(() => window.sacroplan.demoCase())) as { lesions: { centerLps: [number, number, number]; volumeMl: number }[] };
    const ids: string[] = [];
    for (const les of truth.lesions) ids.push(await page.evaluate((p) => window.sacroplan.segmentLesionAt(p), les.centerLps));
    const snap = await page.evaluate(() => window.sacroplan.snapshot());
    expect(snap.lesions.map((l) => l.id)).toEqual(ids);
    truth.lesions.forEach((les, n) => expect(Math.abs(snap.lesions[n]!.volumeMl - les.volumeMl) / les.volumeMl).toBeLessThan(0.1));
    // paint adds to a lesion, erase removes, deleteLesion drops it.
    const c = truth.lesions[0]!.centerLps;
    const v0 = snap.lesions[0]!.voxelCount;
    await page.evaluate(([id, p]) => window.sacroplan.paint({ centerLps: [p[0], p[1], p[2] + 20], radiusMm: 3, lesionId: id }), [ids[0]!, c] as const);
    const v1 = (await page.evaluate(() => window.sacroplan.snapshot())).lesions[0]!.voxelCount;
    expect(v1).toBeGreaterThan(v0);
    await page.evaluate(([id, p]) => window.sacroplan.erase({ centerLps: [p[0], p[1], p[2] + 20], radiusMm: 3, lesionId: id }), [ids[0]!, c] as const);
    expect((await page.evaluate(() => window.sacroplan.snapshot())).lesions[0]!.voxelCount).toBe(v0);
    await page.evaluate((id) => window.sacroplan.deleteLesion(id), ids[1]!);
    expect((await page.evaluate(() => window.sacroplan.snapshot())).lesions.map((l) => l.id)).toEqual([ids[0], ids[2]]);
    // A click in air grows nothing and says why.
    await expect(page.evaluate(() => window.sacroplan.segmentLesionAt([0, -200, 0]))).rejects.toThrow(/No lesion|outside/);
    await screenshot(page, 'segmentation-api');
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
