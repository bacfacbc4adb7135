/**
 * Layout at 1366×768 (a common laptop screen), planned demo (landmarks, three lesions, the five
 * approaches ranked for the zone-1 lesion), the 3D + fluoro column on: the toolbar is one row and
 * the sagittal and coronal views keep ≥ 250 px (from their boxes), one view maximises (its button, a
 * double-click) and Esc restores the three, no two labels drawn over the 2D views overlap (checked
 * from their boxes), the canal is drawn as one tube outline. The toolbar again at 1920×1080.
 */
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { requireBrowser, openApp, screenshot, useSession } from './harness';

/** Rows of the toolbar: the distinct vertical centres (±6 px) of its visible controls (closed menus' items have no box), and the header's height. */
async function toolbarRows(page: Page): Promise<{ rows: number; heightPx: number; controls: number; rightPx: number }> {
  return page.evaluate(() => {
    const app = document.querySelector('sp-app')!.shadowRoot!;
    const header = app.querySelector('header')!;
    const bar = app.querySelector('sp-case-bar')!.shadowRoot!;
    const els = [...header.querySelectorAll(':scope > button, :scope > .brand, :scope > details > summary, :scope > .group > button'), ...bar.querySelectorAll('button, details > summary, .autosave')];
    const centres: number[] = [];
    let right = 0;
    for (const el of els) {
      const r = el.getBoundingClientRect();
      // a closed menu's items keep their boxes but are not rendered (content-visibility)
      if (r.width === 0 || r.height === 0 || !el.checkVisibility()) continue;
      centres.push(r.top + r.height / 2);
      right = Math.max(right, r.right);
    }
    const rows: number[] = [];
    for (const c of centres.sort((a, b) => a - b)) if (!rows.length || c - rows[rows.length - 1]! > 6) rows.push(c);
    return { rows: rows.length, heightPx: header.getBoundingClientRect().height, controls: centres.length, rightPx: right };
  });
}

async function paneBox(page: Page, view: string) {
  return (await page.locator(`sp-viewer .pane.${view}`).boundingBox())!;
}

const ok = requireBrowser();

interface Box { view: string; text: string; x: number; y: number; w: number; h: number }

describe.skipIf(!ok)('layout at 1366×768', () => {
  const session = useSession();

  it('labels over the 2D views do not overlap in the planned demo', async () => {
    const { page, errors } = await openApp(session(), { scene: true, width: 1366, height: 768 });
    const bar = await toolbarRows(page);
    console.log(`1366×768 toolbar: ${bar.rows} row(s), ${bar.controls} controls, header ${bar.heightPx.toFixed(0)} px high, last control ends at ${bar.rightPx.toFixed(0)} px`);
    expect(bar.controls).toBeGreaterThan(20);
    expect(bar.rows).toBe(1);
    expect(bar.rightPx).toBeLessThanOrEqual(1366);
    const sagBox = await paneBox(page, 'sagittal'), corBox = await paneBox(page, 'coronal'), ax = await paneBox(page, 'axial');
    console.log(`1366×768 panes: axial ${ax.width.toFixed(0)}×${ax.height.toFixed(0)}, sagittal ${sagBox.width.toFixed(0)}×${sagBox.height.toFixed(0)}, coronal ${corBox.width.toFixed(0)}×${corBox.height.toFixed(0)} px`);
    for (const b of [sagBox, corBox]) expect(Math.min(b.width, b.height)).toBeGreaterThanOrEqual(250);
    // one view alone: its button, then Esc; a double-click (crosshair tool), then Esc
    const viewer = (await page.locator('sp-viewer').boundingBox())!;
    await page.click('sp-viewer .pane.sagittal button.maximise');
    await expect.poll(async () => (await paneBox(page, 'sagittal')).width, { timeout: 10_000 }).toBeGreaterThan(viewer.width - 4);
    expect((await paneBox(page, 'sagittal')).height).toBeGreaterThan(viewer.height - 4);
    await screenshot(page, 'layout-1366-maximised');
    await page.keyboard.press('Escape');
    await expect.poll(async () => (await paneBox(page, 'sagittal')).width, { timeout: 10_000 }).toBeCloseTo(sagBox.width, 0);
    const c = await paneBox(page, 'coronal');
    await page.mouse.dblclick(c.x + c.width * 0.3, c.y + c.height * 0.7);
    await expect.poll(async () => (await paneBox(page, 'coronal')).width, { timeout: 10_000 }).toBeGreaterThan(viewer.width - 4);
    await page.keyboard.press('Escape');
    await expect.poll(async () => (await paneBox(page, 'coronal')).width, { timeout: 10_000 }).toBeCloseTo(corBox.width, 0);
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

  it('the toolbar is one row at 1920×1080 too', async () => {
    const { page, errors } = await openApp(session(), { scene: true, width: 1920, height: 1080 });
    const bar = await toolbarRows(page);
    console.log(`1920×1080 toolbar: ${bar.rows} row(s), header ${bar.heightPx.toFixed(0)} px high`);
    expect(bar.rows).toBe(1);
    await page.waitForTimeout(1500);
    await screenshot(page, 'layout-1920');
    expect(errors).toEqual([]);
    await page.context().close();
  }, 120_000);
});
