/**
 * The sacral canal is hand-editable like the foramina: on the demo case with landmarks suggested
 * automatically, a user drags a canal centreline marker in the axial view; the canal becomes
 * manual (the panel says so), the point moves with the mouse, and a new detection keeps it.
 */
import { describe, expect, it } from 'vitest';
import { requireBrowser, openApp, screenshot, useSession } from './harness';

const ok = requireBrowser();

describe.skipIf(!ok)('canal editing on the demo case', () => {
  const session = useSession();

  it('drags a canal marker: the canal becomes manual, the point moves, detection keeps it', async () => {
    const { page, errors } = await openApp(session());
    await page.click('sp-anatomy-panel #detect-anatomy');
    await expect.poll(async () => (await page.evaluate(() => window.sacroplan.snapshot())).anatomy.canal?.source ?? null, { timeout: 60_000 }).toBe('auto');
    await expect.poll(() => page.locator('sp-anatomy-panel [data-canal] .auto').count()).toBe(1);
    const before = (await page.evaluate(() => window.sacroplan.snapshot())).anatomy.canal!;
    const index = Math.floor(before.centerlineLps.length / 2);
    const p = before.centerlineLps[index]! as [number, number, number];
    await page.evaluate((q) => window.sacroplan.setCrosshair(q), p);
    await page.waitForTimeout(300);
    const marker = page.locator(`sp-viewer .pane.axial g.canal-marker[data-canal-index="${index}"] circle.canal-point`);
    await expect.poll(() => marker.count()).toBe(1);
    await screenshot(page, 'canal-before-drag');
    const pane = (await page.locator('sp-viewer .pane.axial').boundingBox())!;
    const cx = pane.x + Number(await marker.getAttribute('cx')), cy = pane.y + Number(await marker.getAttribute('cy'));
    const mmPerPx = 1 / Number(/Zoom ([\d.]+)/.exec((await page.locator('sp-viewer .pane.axial .corner.tr').textContent()) ?? '')![1]);
    await page.click('button[data-tool="crosshair"]');
    await page.mouse.move(cx, cy);
    await page.mouse.down();
    // 6 mm posterior (screen down = +y in the axial view)
    await page.mouse.move(cx, cy + 6 / mmPerPx, { steps: 5 });
    await page.mouse.up();
    await expect.poll(async () => (await page.evaluate(() => window.sacroplan.snapshot())).anatomy.canal?.source ?? null).toBe('manual');
    const after = (await page.evaluate(() => window.sacroplan.snapshot())).anatomy.canal!;
    const q = after.centerlineLps[index]!;
    expect(q[1]! - p[1]).toBeGreaterThan(4.5);
    expect(q[1]! - p[1]).toBeLessThan(7.5);
    expect(Math.abs(q[0]! - p[0]) + Math.abs(q[2]! - p[2])).toBeLessThan(1.5);
    // the other points stay where they were
    after.centerlineLps.forEach((r, n) => { if (n !== index) expect(r).toEqual(before.centerlineLps[n]); });
    await expect.poll(() => page.locator('sp-anatomy-panel [data-canal] .manual').count()).toBe(1);
    await screenshot(page, 'canal-after-drag');
    // a new detection keeps the hand-edited canal
    await page.click('sp-anatomy-panel #detect-anatomy');
    await page.waitForTimeout(500);
    await expect.poll(async () => (await page.evaluate(() => window.sacroplan.snapshot())).anatomy.foramina.length, { timeout: 60_000 }).toBe(8);
    const kept = (await page.evaluate(() => window.sacroplan.snapshot())).anatomy.canal!;
    expect(kept.source).toBe('manual');
    expect(kept.centerlineLps[index]).toEqual(q);
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
