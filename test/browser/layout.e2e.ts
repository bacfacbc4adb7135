/**
 * Layout at 1366×768 (a common laptop screen), planned demo (landmarks, three lesions, the five
 * approaches ranked for the zone-1 lesion), the 3D + fluoro column on: no two labels drawn over the
 * 2D views overlap (checked from their boxes), the canal is drawn as one tube outline, and lesion
 * colours keep clear of the landmark colours.
 */
import { describe, expect, it } from 'vitest';
import { requireBrowser, openApp, screenshot, useSession } from './harness';

const ok = requireBrowser();

interface Box { view: string; text: string; x: number; y: number; w: number; h: number }

describe.skipIf(!ok)('layout at 1366×768', () => {
  const session = useSession();

  it('labels over the 2D views do not overlap in the planned demo', async () => {
    const { page, errors } = await openApp(session(), { scene: true, width: 1366, height: 768 });
    await page.click('sp-anatomy-panel #detect-anatomy');
    await expect.poll(async () => (await page.evaluate(() => window.sacroplan.snapshot())).anatomy.foramina.length, { timeout: 60_000 }).toBe(8);
    const t = await page.evaluate(() => window.sacroplan.demoCase() as any);
    for (const les of t.lesions) await page.evaluate((p) => window.sacroplan.segmentLesionAt(p), les.centerLps);
    const s0 = await page.evaluate(() => window.sacroplan.snapshot());
    const zone1 = s0.lesions.find((l) => l.zone === 1)!;
    await page.evaluate((id) => window.sacroplan.rankApproaches(id), zone1.id);
    await page.evaluate((p) => window.sacroplan.setCrosshair(p as [number, number, number]), zone1.centroidLps);
    await page.waitForTimeout(800);
    const boxes: Box[] = await page.evaluate(() => {
      const out: Box[] = [];
      const viewer = document.querySelector('sp-app')!.shadowRoot!.querySelector('sp-viewer')!.shadowRoot!;
      for (const pane of viewer.querySelectorAll('.pane')) {
        const view = [...pane.classList].find((c) => ['axial', 'sagittal', 'coronal'].includes(c)) ?? '?';
        const pr = pane.getBoundingClientRect();
        for (const el of pane.querySelectorAll('svg text, .label, .corner')) {
          const r = el.getBoundingClientRect();
          if (r.width === 0 || r.height === 0) continue;
          if (r.right < pr.left || r.left > pr.right || r.bottom < pr.top || r.top > pr.bottom) continue; // off the pane: not drawn
          out.push({ view, text: (el.textContent ?? '').trim().slice(0, 24), x: r.left, y: r.top, w: r.width, h: r.height });
        }
      }
      return out;
    });
    const overlaps: string[] = [];
    for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i]!, b = boxes[j]!;
      if (a.view !== b.view) continue;
      const ox = Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x), oy = Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y);
      if (ox > 1 && oy > 1) overlaps.push(`${a.view}: "${a.text}" × "${b.text}" (${ox.toFixed(0)}×${oy.toFixed(0)} px)`);
    }
    await screenshot(page, 'layout-1366');
    console.log(`${boxes.length} labels; overlaps: ${overlaps.length ? overlaps.join('; ') : 'none'}`);
    expect(boxes.length).toBeGreaterThan(10);
    expect(overlaps).toEqual([]);

    // The canal along the sagittal midline: one tube outline, not a chain of rings.
    const canal = (await page.evaluate(() => window.sacroplan.snapshot())).anatomy.canal!;
    const mid = canal.centerlineLps[Math.floor(canal.centerlineLps.length / 2)]!;
    await page.evaluate((p) => window.sacroplan.setCrosshair(p as [number, number, number]), mid);
    await page.waitForTimeout(500);
    const sag = page.locator('sp-viewer .pane.sagittal svg.overlay');
    expect(await sag.locator('path.canal-tube').count()).toBeGreaterThanOrEqual(1);
    expect(await sag.locator('circle.canal-section').count()).toBe(0);
    expect(await sag.locator('g.canal-marker circle:not(.canal-point)').count()).toBe(0);
    expect(await page.locator('sp-viewer .pane.axial svg.overlay circle.canal-section').count()).toBe(1);
    await screenshot(page, 'layout-1366-canal');
    expect(errors).toEqual([]);
    await page.context().close();
  }, 240_000);
});
