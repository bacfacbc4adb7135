/**
 * The RF aiming report is part of the case: an electrode aimed for its burns (Aim for the burns) shows
 * its coverage per burn count; after a reload and Restore (autosave) the same table is back; moving
 * the needle drops it (it no longer describes the needle).
 */
import { describe, expect, it } from 'vitest';
import { requireBrowser, openApp, useSession, screenshot } from './harness';

const ok = requireBrowser();

describe.skipIf(!ok)('RF aiming report kept in the case', () => {
  const session = useSession();

  it('survives a reload through the autosave; a move drops it', async () => {
    const { page, errors } = await openApp(session());
    const snap = () => page.evaluate(() => window.sacroplan.snapshot());
    await page.click('sp-anatomy-panel #detect-anatomy');
    await expect.poll(async () => (await snap()).anatomy.foramina.length, { timeout: 90_000 }).toBe(8);
    const truth = await page.evaluate(() => window.sacroplan.demoCase() as any);
    await page.evaluate((p) => window.sacroplan.segmentLesionAt(p), truth.lesions.find((l: any) => l.zone === 1).centerLps);
    const lesionId = (await snap()).lesions[0]!.id;
    const id = await page.evaluate((l) => window.sacroplan.planApproach(l, 'posterior-short-axis', { needle: '17G-rf-20' }), lesionId);
    await page.click(`sp-plan-panel #traj-list tr[data-id="${id}"]`);
    await page.click('sp-plan-panel #abl-aim');
    const table = page.locator('sp-plan-panel #abl-options');
    await expect.poll(() => table.locator('tr[data-burns]').count(), { timeout: 30_000 }).toBeGreaterThan(0);
    const before = (await table.textContent())!.replace(/\s+/g, ' ');
    const reasons = await page.locator('sp-plan-panel #abl-aim-reasons').textContent();
    console.log(`aiming report: ${before}`);
    await expect.poll(async () => (await page.evaluate(() => window.sacroplan.autosaveStatus())).state, { timeout: 10_000 }).toBe('saved');

    await page.reload();
    await page.waitForFunction(() => typeof window.sacroplan?.ready === 'function');
    await page.evaluate(() => window.sacroplan.ready());
    await expect.poll(() => page.locator('sp-case-bar #restore-autosave').count(), { timeout: 15_000 }).toBe(1);
    await page.click('sp-case-bar #restore-autosave');
    await expect.poll(async () => (await snap()).trajectories.length, { timeout: 15_000 }).toBe(1);
    await page.click(`sp-plan-panel #traj-list tr[data-id="${id}"]`);
    await expect.poll(async () => ((await table.count()) ? (await table.textContent())!.replace(/\s+/g, ' ') : null), { timeout: 15_000 }).toBe(before);
    expect(await page.locator('sp-plan-panel #abl-aim-reasons').textContent()).toBe(reasons);
    await screenshot(page, 'rf-report-restored');

    // a move: the report no longer describes the needle
    const t = (await snap()).trajectories[0]!;
    await page.evaluate(([i, e, g]) => window.sacroplan.moveTrajectory(i as string, e as number[], g as number[]), [id, t.entryLps.map((v: number, k: number) => v + (k === 2 ? 2 : 0)), t.targetLps] as const);
    await expect.poll(() => table.count(), { timeout: 15_000 }).toBe(0);
    expect(errors).toEqual([]);
    await page.context().close();
  }, 240_000);
});
