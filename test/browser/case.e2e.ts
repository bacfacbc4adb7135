/**
 * The case as one object in the app: one undo history for every edit. A foramen dragged in a view
 * goes back with Ctrl+Z and no lesion changes; a lesion deleted from the panel comes back whole
 * (name, label, voxels) with Ctrl+Z, and a lesion made after a delete starts empty.
 */
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { requireBrowser, openApp, screenshot, useSession, placeDemoLandmarks, foramenMarkerOnScreen } from './harness';

const ok = requireBrowser();

const snap = (page: Page) => page.evaluate(() => window.sacroplan.snapshot());
const digest = (page: Page) => page.evaluate(() => window.sacroplan.labelDigest());

describe.skipIf(!ok)('the case: one undo history', () => {
  const session = useSession();

  it('Ctrl+Z after a foramen drag moves the foramen back and touches no lesion', async () => {
    const { page, errors } = await openApp(session());
    const t = await placeDemoLandmarks(page);
    for (const les of t.lesions) await page.evaluate((p) => window.sacroplan.segmentLesionAt(p), les.centerLps);
    const s0 = await snap(page);
    const d0 = await digest(page);
    const f = s0.anatomy.foramina.find((x) => x.id === 'S2_L')!;
    const mid = f.anteriorLps.map((v, i) => (v + f.posteriorLps[i]!) / 2) as [number, number, number];
    await page.evaluate((p) => window.sacroplan.setCrosshair(p), mid);
    await page.waitForTimeout(300);
    const { x: cx, y: cy } = await foramenMarkerOnScreen(page, 'S2_L');
    await page.click('button[data-tool="crosshair"]');
    await page.mouse.move(cx, cy);
    await page.mouse.down();
    await page.mouse.move(cx + 60, cy + 10, { steps: 5 });
    await page.mouse.up();
    await expect.poll(async () => (await snap(page)).anatomy.foramina.find((x) => x.id === 'S2_L')!.anteriorLps[0]).not.toBe(f.anteriorLps[0]);
    // the toolbar's Undo names the step
    await expect.poll(() => page.locator('sp-case-bar #case-undo').getAttribute('title'), { timeout: 15_000 }).toBe('Undo move foramen (Ctrl+Z)');
    await screenshot(page, 'case-foramen-dragged');
    await page.keyboard.press('Control+z');
    await expect.poll(async () => (await snap(page)).anatomy.foramina.find((x) => x.id === 'S2_L')!.anteriorLps, { timeout: 15_000 }).toEqual(f.anteriorLps);
    await page.evaluate(() => window.sacroplan.whenIdle());
    const s1 = await snap(page);
    expect(s1.anatomy.foramina.find((x) => x.id === 'S2_L')).toEqual(f);
    expect(s1.lesions.map((l) => [l.id, l.name, l.voxelCount, l.zone])).toEqual(s0.lesions.map((l) => [l.id, l.name, l.voxelCount, l.zone]));
    expect(await digest(page)).toEqual(d0);
    await screenshot(page, 'case-foramen-undone');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('a lesion deleted in the panel comes back whole with Ctrl+Z; a new lesion after a delete starts empty', async () => {
    const { page, errors } = await openApp(session());
    const t = (await page.evaluate(() => window.sacroplan.demoCase())) as { lesions: { centerLps: [number, number, number] }[] };
    for (const les of t.lesions.slice(0, 2)) await page.evaluate((p) => window.sacroplan.segmentLesionAt(p), les.centerLps);
    // rename the first lesion in the panel
    const name = page.locator('sp-lesion-panel li.lesion').first().locator('input.name');
    await name.fill('Left ala');
    await name.press('Enter');
    await expect.poll(async () => (await snap(page)).lesions[0]!.name).toBe('Left ala');
    const s0 = await snap(page);
    const d0 = await digest(page);
    const first = s0.lesions[0]!;
    await page.locator('sp-lesion-panel li.lesion').first().locator('button.delete').click();
    await expect.poll(async () => (await snap(page)).lesions.length).toBe(1);
    expect((await digest(page))!.counts[first.label]).toBeUndefined();
    await expect.poll(() => page.locator('sp-case-bar #case-undo').getAttribute('title')).toBe('Undo delete lesion (Ctrl+Z)');
    await page.click('sp-case-bar #case-undo');
    await expect.poll(async () => (await snap(page)).lesions.length).toBe(2);
    // the lesion's row comes back at once, its statistics (voxel count) when the case worker has counted them
    await expect.poll(async () => (await snap(page)).lesions.find((l) => l.id === first.id)?.voxelCount, { timeout: 15_000 }).toBe(first.voxelCount);
    const s1 = await snap(page);
    expect(s1.lesions.find((l) => l.id === first.id)).toMatchObject({ name: 'Left ala', label: first.label, color: first.color, voxelCount: first.voxelCount });
    expect(await digest(page)).toEqual(d0);
    await screenshot(page, 'case-delete-undone');
    // delete again, then a new lesion: it takes the free label but none of the old voxels
    await page.locator('sp-lesion-panel li.lesion').first().locator('button.delete').click();
    await expect.poll(async () => (await snap(page)).lesions.length).toBe(1);
    await page.click('sp-lesion-panel #new-lesion');
    await expect.poll(async () => (await snap(page)).lesions.length).toBe(2);
    const fresh = (await snap(page)).lesions.at(-1)!;
    expect(fresh.voxelCount).toBe(0);
    expect((await digest(page))!.counts[fresh.label]).toBeUndefined();
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
