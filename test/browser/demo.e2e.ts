/** The built-in demo case and the viewer's controls, as a first-time user meets them. */
import { describe, expect, it } from 'vitest';
import { requireBrowser, openApp, screenshot, viewContentStats, useSession } from './harness';

const ok = requireBrowser();

describe.skipIf(!ok)('demo case and viewer controls', () => {
  const session = useSession();

  it('opens the synthetic sacrum at start and responds to the mouse and keyboard', async () => {
    const { page, errors } = await openApp(session());
    const snap = await page.evaluate(() => window.sacroplan.snapshot());
    expect(snap.series?.source).toBe('demo');
    expect(snap.series?.modality).toBe('CT');
    expect(snap.window).toMatchObject({ widthHu: 2000, centerHu: 500, preset: 'bone' });
    await page.waitForTimeout(300);
    for (const view of ['axial', 'sagittal', 'coronal'] as const) {
      const st = await viewContentStats(page, view);
      expect(st.distinct, `${view} grey levels`).toBeGreaterThan(40);
      expect(st.sd, `${view} contrast`).toBeGreaterThan(20);
    }
    await screenshot(page, 'demo-start');

    // Crosshair: a click in the axial view sets the point in all views.
    const axial = page.locator('sp-viewer .pane.axial');
    const box = (await axial.boundingBox())!;
    const before = snap.crosshairLps!;
    await page.mouse.click(box.x + box.width * 0.4, box.y + box.height * 0.45);
    const after = (await page.evaluate(() => window.sacroplan.snapshot())).crosshairLps!;
    expect(Math.hypot(after[0] - before[0], after[1] - before[1])).toBeGreaterThan(1);
    expect(Math.abs(after[2] - before[2])).toBeLessThan(0.05); // same axial slice

    // Scrolling the axial view moves the crosshair along S-I by one slice per step.
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    const scrolled = (await page.evaluate(() => window.sacroplan.snapshot())).crosshairLps!;
    expect(Math.abs(scrolled[2] - after[2])).toBeCloseTo(1.6, 1);

    // Window presets by button and key.
    await page.click('button[data-preset="soft"]');
    expect((await page.evaluate(() => window.sacroplan.snapshot())).window).toMatchObject({ widthHu: 400, centerHu: 40 });
    await page.keyboard.press('1');
    expect((await page.evaluate(() => window.sacroplan.snapshot())).window.preset).toBe('bone');

    // W/L drag changes the window.
    await page.click('button[data-tool="windowLevel"]');
    await page.mouse.move(box.x + 200, box.y + 200);
    await page.mouse.down();
    await page.mouse.move(box.x + 260, box.y + 230, { steps: 4 });
    await page.mouse.up();
    const w = (await page.evaluate(() => window.sacroplan.snapshot())).window;
    expect(w.preset).toBe('custom');
    expect(w.widthHu).toBeGreaterThan(2000);

    // Ruler: a drag measures in mm, shown in the list.
    await page.keyboard.press('m');
    await page.mouse.move(box.x + 150, box.y + 300);
    await page.mouse.down();
    await page.mouse.move(box.x + 350, box.y + 300, { steps: 5 });
    await page.mouse.up();
    const m = (await page.evaluate(() => window.sacroplan.snapshot())).measurements;
    expect(m.length).toBe(1);
    const d = Math.hypot(m[0]!.bLps[0]! - m[0]!.aLps[0]!, m[0]!.bLps[1]! - m[0]!.aLps[1]!, m[0]!.bLps[2]! - m[0]!.aLps[2]!);
    expect(m[0]!.lengthMm).toBeCloseTo(d, 6);
    expect(d).toBeGreaterThan(10);
    await expect.poll(() => page.locator('sp-app .measurement').first().textContent()).toContain(`${m[0]!.lengthMm!.toFixed(1)} mm`);

    // Orientation letters on the axial view: patient right on screen left, anterior on top.
    const labels = await page.locator('sp-viewer .pane.axial .label').allTextContents();
    expect(labels).toEqual(['R', 'L', 'A', 'P']);
    const sag = await page.locator('sp-viewer .pane.sagittal .label').allTextContents();
    expect(sag[2]).toBe('S');
    const cor = await page.locator('sp-viewer .pane.coronal .label').allTextContents();
    expect(cor.slice(0, 3)).toEqual(['R', 'L', 'S']);

    // Help overlay lists the shortcuts.
    await page.keyboard.press('?');
    await expect.poll(() => page.locator('sp-help').count()).toBe(1);
    expect(await page.locator('sp-help table').textContent()).toContain('PageUp');
    await screenshot(page, 'demo-help');
    await page.keyboard.press('Escape');
    await screenshot(page, 'demo-after-interaction');
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
