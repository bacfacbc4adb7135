/**
 * Autosave and the unsaved-work guard as a user meets them: segment two lesions, move a foramen,
 * plan a needle; the case is stored within a second; reload (the tab asks first); the app offers
 * the autosave; Restore brings back the same snapshot and voxel-identical masks. Saved cases are
 * listed and deleted. Opening the demo with unsaved changes asks first. A full quota and blocked
 * storage (private window) are reported, not silent.
 */
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { requireBrowser, openApp, screenshot, useSession, placeDemoLandmarks, crosshairOnScreen, clickMenuItem } from './harness';

const ok = requireBrowser();

const snap = (page: Page) => page.evaluate(() => window.sacroplan.snapshot());
const digest = (page: Page) => page.evaluate(() => window.sacroplan.labelDigest());
const caseOf = (s: Awaited<ReturnType<typeof snap>>) => ({ lesions: s.lesions, anatomy: s.anatomy, trajectories: s.trajectories, thresholds: s.thresholds });

describe.skipIf(!ok)('autosave, restore and the unsaved-work guard', () => {
  const session = useSession();

  it('two lesions, a moved foramen and a needle survive a reload: Restore gives the same snapshot and voxel-identical masks', async () => {
    const { page, errors, dialogs } = await openApp(session());
    const t = await placeDemoLandmarks(page);
    // two lesions with the Grow tool (clicks in the axial view)
    await page.click('button[data-tool="regionGrow"]');
    for (const les of t.lesions.slice(0, 2)) {
      await page.evaluate((p) => window.sacroplan.setCrosshair(p), les.centerLps);
      await page.waitForTimeout(150);
      const at = await crosshairOnScreen(page, 'axial');
      const n = (await snap(page)).lesions.length;
      await page.mouse.click(at.x, at.y);
      await expect.poll(async () => (await snap(page)).lesions.length, { timeout: 20_000 }).toBe(n + 1);
    }
    // move a foramen (by hand, through the API as the review panel's Place would) and plan a needle
    const f = t.foramina.find((x: any) => x.id === 'S3_R');
    await page.evaluate((f) => window.sacroplan.setForamen('S3_R', { anteriorLps: [f.anteriorLps[0] - 3, f.anteriorLps[1], f.anteriorLps[2]], posteriorLps: [f.posteriorLps[0] - 3, f.posteriorLps[1], f.posteriorLps[2]], radiusMm: f.radiusMm }), f);
    const lesionId = (await snap(page)).lesions[0]!.id;
    await page.evaluate((id) => window.sacroplan.planApproach(id, 'posterior-short-axis'), lesionId);
    await page.evaluate(() => window.sacroplan.whenIdle());
    const t0 = Date.now();
    await expect.poll(async () => (await page.evaluate(() => window.sacroplan.autosaveStatus())).state, { timeout: 5000 }).toBe('saved');
    const status = await page.evaluate(() => window.sacroplan.autosaveStatus());
    console.log(`autosave: stored ${Date.now() - t0} ms after the last edit was answered; latency ${status.lastLatencyMs?.toFixed(0)} ms, main thread ${status.lastMainThreadMs?.toFixed(1)} ms`);
    expect(status.lastLatencyMs!).toBeLessThan(1000);
    await expect.poll(() => page.locator('sp-case-bar .autosave').textContent()).toMatch(/Autosaved \d/);
    const saved = caseOf(await snap(page));
    const savedDigest = await digest(page);
    expect(saved.lesions.length).toBe(2);
    expect(saved.trajectories.length).toBeGreaterThan(0);
    expect(saved.anatomy.foramina.find((x) => x.id === 'S3_R')!.anteriorLps[0]).toBeCloseTo(f.anteriorLps[0] - 3, 6);

    // Reload: the tab asks first (unsaved changes), then the app offers the autosave.
    await page.reload();
    expect(dialogs).toContain('beforeunload');
    await page.waitForFunction(() => typeof window.sacroplan?.ready === 'function');
    await page.evaluate(() => window.sacroplan.ready());
    const offer = page.locator('sp-case-bar .offer');
    await expect.poll(() => offer.count(), { timeout: 15_000 }).toBe(1);
    expect(await offer.textContent()).toMatch(new RegExp(`2 lesions, ${saved.trajectories.length} needles`));
    expect((await snap(page)).lesions).toEqual([]);
    await screenshot(page, 'autosave-offer');
    await page.click('sp-case-bar #restore-autosave');
    await expect.poll(async () => (await snap(page)).lesions.length, { timeout: 15_000 }).toBe(2);
    await page.evaluate(() => window.sacroplan.whenIdle());
    expect(caseOf(await snap(page))).toEqual(saved);
    expect(await digest(page)).toEqual(savedDigest);
    expect(await offer.count()).toBe(0);
    await screenshot(page, 'autosave-restored');

    // The saved cases: listed, one deleted.
    await clickMenuItem(page, 'sp-case-bar #saved-cases');
    const rows = page.locator('sp-case-bar tr.saved-case');
    await expect.poll(() => rows.count()).toBeGreaterThan(0);
    const listed = await page.evaluate(() => window.sacroplan.savedCases());
    expect(listed[0]).toMatchObject({ lesions: 2, thisSeries: true });
    expect(listed[0]!.sizeBytes).toBeLessThan(100_000);

    // Opening the demo with unsaved changes asks first: Cancel keeps the case.
    await clickMenuItem(page, 'sp-case-bar #saved-cases');
    await page.evaluate((id) => window.sacroplan.paint({ centerLps: [0, 0, 0], radiusMm: 2, lesionId: id }), lesionId);
    await clickMenuItem(page, '#load-demo');
    const question = page.locator('sp-case-bar .question');
    await expect.poll(() => question.count()).toBe(1);
    expect(await question.textContent()).toMatch(/changes not saved to a plan file \(2 lesions/);
    await screenshot(page, 'autosave-guard');
    await page.click('sp-case-bar #question-cancel');
    await page.waitForTimeout(300);
    expect((await snap(page)).lesions.length).toBe(2);
    // Open it anyway: the demo opens empty and offers the autosave (brought up to date first).
    await clickMenuItem(page, '#load-demo');
    await page.click('sp-case-bar #question-ok');
    await expect.poll(async () => (await snap(page)).lesions.length, { timeout: 30_000 }).toBe(0);
    await expect.poll(() => offer.count(), { timeout: 15_000 }).toBe(1);

    // Delete every saved case from the list.
    await page.click('sp-case-bar #dismiss-autosave');
    await clickMenuItem(page, 'sp-case-bar #saved-cases');
    await expect.poll(() => rows.count()).toBeGreaterThan(0);
    while ((await rows.count()) > 0) {
      const n = await rows.count();
      await rows.first().locator('button.delete').click();
      await expect.poll(() => rows.count()).toBe(n - 1);
    }
    expect(await page.evaluate(() => window.sacroplan.savedCases())).toEqual([]);
    expect(await page.evaluate(() => window.sacroplan.restoreAutosave())).toBe(false);
    expect(errors).toEqual([]);
    await page.context().close();
  }, 240_000);

  it('a full quota is reported, not silent', async () => {
    const { page, errors } = await openApp(session());
    await page.addInitScript(() => {
      IDBObjectStore.prototype.put = function () { throw new DOMException('The quota has been exceeded.', 'QuotaExceededError'); };
    });
    await page.reload();
    await page.waitForFunction(() => typeof window.sacroplan?.ready === 'function');
    await page.evaluate(() => window.sacroplan.ready());
    const t = (await page.evaluate(() => window.sacroplan.demoCase())) as any;
    await page.evaluate((p) => window.sacroplan.segmentLesionAt(p), t.lesions[0].centerLps);
    await expect.poll(async () => (await snap(page)).messages.map((m) => m.text).join('\n'), { timeout: 5000 }).toMatch(/Autosave failed: the browser storage is full \(quota exceeded\)/);
    await expect.poll(() => page.locator('sp-case-bar .autosave').textContent()).toBe('Autosave failed');
    await screenshot(page, 'autosave-quota');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('blocked storage (private window) is reported, not silent', async () => {
    const { page, errors } = await openApp(session());
    await page.addInitScript(() => {
      IDBFactory.prototype.open = function () { throw new DOMException('The user denied permission to access the database.', 'SecurityError'); };
    });
    await page.reload();
    await page.waitForFunction(() => typeof window.sacroplan?.ready === 'function');
    await page.evaluate(() => window.sacroplan.ready());
    const t = (await page.evaluate(() => window.sacroplan.demoCase())) as any;
    await page.evaluate((p) => window.sacroplan.segmentLesionAt(p), t.lesions[0].centerLps);
    await expect.poll(async () => (await snap(page)).messages.map((m) => m.text).join('\n'), { timeout: 5000 }).toMatch(/Autosave failed: the browser does not allow storage here \(private window or storage blocked/);
    await expect.poll(() => page.locator('sp-case-bar .autosave').textContent()).toBe('No autosave');
    await screenshot(page, 'autosave-blocked');
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
