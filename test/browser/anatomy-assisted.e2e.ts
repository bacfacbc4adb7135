/**
 * One click per landmark on real scans, as a user would: open the scan through the file input,
 * press Review, take the Foramen tool (F), and for each foramen the review asks for, scroll the
 * views to the slice of its opening (done here with setCrosshair, as scrolling would) and click on
 * the opening in the axial view; the review moves on by itself. Then the Canal tool (K) and three
 * clicks along the canal. Every landmark must land within 3 mm of the reference read by eye
 * (test/anatomy/fixtures), all of it in at most 12 clicks. Screenshots:
 * test-output/screenshots/assisted-*.png.
 */
import { join } from 'node:path';
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { requireBrowser, openApp, screenshot, useSession, crosshairOnScreen } from './harness';
import { requireShared, sharedDir } from '../helpers/shared';
import { readReference, pointSegmentMm, type RealScan } from '../anatomy/real/reference';
import { distanceToPolyline } from '../anatomy/fixtures-anatomy';
import type { Vec3 } from '../../src/core/vec3';

const ok = requireBrowser() && requireShared();

async function openScan(page: Page, name: RealScan): Promise<void> {
  const ref = readReference(name);
  const dir = join(sharedDir, 'data', ref.scan);
  const files = readdirSync(dir).filter((f) => f.endsWith('.dcm')).map((f) => join(dir, f));
  await page.setInputFiles('#file-input', files);
  await page.waitForTimeout(50);
  await page.evaluate(() => window.sacroplan.whenIdle());
  await expect.poll(async () => (await page.evaluate(() => window.sacroplan.snapshot())).series !== null, { timeout: 60_000 }).toBe(true);
}

/** Scroll to a point (the crosshair and slices move there), then click on it in the axial view: one click. */
async function clickAt(page: Page, p: Vec3): Promise<void> {
  await page.evaluate((q) => window.sacroplan.setCrosshair(q as [number, number, number]), p);
  await page.waitForTimeout(150);
  const at = await crosshairOnScreen(page, 'axial');
  await page.mouse.click(at.x, at.y);
}

const anatomyOf = async (page: Page) => (await page.evaluate(() => window.sacroplan.snapshot())).anatomy;

describe.skipIf(!ok)('assisted landmarks on real scans (Foramen and Canal tools)', () => {
  const session = useSession();

  it('pelvic-ref-003 (CT, 1×1×3 mm, fatty marrow): all eight foramina and the canal within 3 mm in 12 clicks', async () => {
    const ref = readReference('pelvic-ref-003');
    const { page, errors } = await openApp(session(), { demo: false, width: 1500, height: 900 });
    await openScan(page, 'pelvic-ref-003');
    await page.keyboard.press('r');
    let clicks = 0;
    await page.click('sp-anatomy-panel #review-start'); clicks++;
    await page.keyboard.press('f');
    await expect.poll(() => page.locator('button[data-tool="foramen"][aria-pressed="true"]').count()).toBe(1);
    const times: number[] = [];
    for (let n = 0; n < 8; n++) {
      const step = await page.locator('sp-anatomy-panel [data-review-step]').getAttribute('data-review-step');
      expect(step, 'the review asks for a foramen').toMatch(/^S[1-4]_[LR]$/);
      const r = ref.foramina[step as keyof typeof ref.foramina]!;
      const before = (await anatomyOf(page)).foramina.length;
      const t0 = Date.now();
      await clickAt(page, r.anteriorLps); clicks++;
      await expect.poll(async () => (await anatomyOf(page)).foramina.find((f) => f.id === step)?.source ?? null, { timeout: 20_000 }).toBe('manual');
      times.push(Date.now() - t0);
      expect((await anatomyOf(page)).foramina.length).toBe(before + 1);
    }
    const a = await anatomyOf(page);
    const rows: string[] = [];
    for (const f of a.foramina) {
      const r = ref.foramina[f.id as keyof typeof ref.foramina]!;
      const e = pointSegmentMm(r.anteriorLps, f.anteriorLps as Vec3, f.posteriorLps as Vec3);
      rows.push(`${f.id} ${e.toFixed(1)} mm`);
      expect(e, f.id).toBeLessThanOrEqual(3);
    }
    await screenshot(page, 'assisted-pelvic-ref-003-foramina');
    // the canal: Canal tool, three clicks along it (top, middle, bottom)
    await page.keyboard.press('k');
    const c = ref.canalLps;
    for (const p of [c[0]!, c[Math.floor(c.length / 2)]!, c[c.length - 1]!]) { await clickAt(page, p); clicks++; }
    await expect.poll(async () => (await anatomyOf(page)).canal?.source ?? null, { timeout: 20_000 }).toBe('manual');
    await page.evaluate(() => window.sacroplan.whenIdle());
    const canal = (await anatomyOf(page)).canal!;
    const errs = c.map((p) => distanceToPolyline(p, canal.centerlineLps as Vec3[]));
    console.log(`pelvic-ref-003: ${rows.join(', ')}; canal ${errs.map((e) => e.toFixed(1)).join(' ')} mm; ${clicks} clicks; click→placed ${times.map((t) => `${t} ms`).join(' ')}`);
    const sorted = [...errs].sort((x, y) => x - y);
    expect(sorted[Math.floor(sorted.length / 2)]!).toBeLessThanOrEqual(3);
    expect(sorted[sorted.length - 1]!).toBeLessThanOrEqual(4.5);
    expect(clicks).toBeLessThanOrEqual(12);
    // with every landmark placed the Denis zones can be drawn (the frame comes from the foramina)
    expect((await anatomyOf(page)).zoneProblem).toBeNull();
    await page.click('sp-anatomy-panel #show-zones');
    await page.evaluate((q) => window.sacroplan.setCrosshair(q as [number, number, number]), ref.foramina.S2_L!.anteriorLps);
    await page.waitForTimeout(500);
    await screenshot(page, 'assisted-pelvic-ref-003');
    expect(errors).toEqual([]);
  }, 240_000);

  it('prostatex-0218 (sagittal T2 MR, feet first): the S3 pair within 3 mm from one click each', async () => {
    const ref = readReference('prostatex-0218-t2sag-lower-sacrum');
    const { page, errors } = await openApp(session(), { demo: false, width: 1500, height: 900 });
    await openScan(page, 'prostatex-0218-t2sag-lower-sacrum');
    await page.keyboard.press('r');
    let clicks = 0;
    await page.click('sp-anatomy-panel #review-start'); clicks++;
    await page.click('sp-anatomy-panel td.lvl[data-select="S3_L"]'); clicks++;
    await page.keyboard.press('f');
    for (const id of ['S3_L', 'S3_R'] as const) {
      expect(await page.locator('sp-anatomy-panel [data-review-step]').getAttribute('data-review-step')).toBe(id);
      await clickAt(page, ref.foramina[id]!.anteriorLps); clicks++;
      await expect.poll(async () => (await anatomyOf(page)).foramina.find((f) => f.id === id)?.source ?? null, { timeout: 20_000 }).toBe('manual');
    }
    const a = await anatomyOf(page);
    const rows: string[] = [];
    for (const id of ['S3_L', 'S3_R'] as const) {
      const f = a.foramina.find((x) => x.id === id)!;
      const e = pointSegmentMm(ref.foramina[id]!.anteriorLps, f.anteriorLps as Vec3, f.posteriorLps as Vec3);
      rows.push(`${id} ${e.toFixed(1)} mm`);
      expect(e, id).toBeLessThanOrEqual(3);
    }
    console.log(`prostatex-0218: ${rows.join(', ')}; ${clicks} clicks`);
    await page.evaluate((q) => window.sacroplan.setCrosshair(q as [number, number, number]), ref.foramina.S3_L!.anteriorLps);
    await page.waitForTimeout(300);
    await screenshot(page, 'assisted-prostatex-0218');
    expect(errors).toEqual([]);
  }, 240_000);

  it('pancreas-ct-cb-001 (CT cut at S2/S3): Find landmarks says what it is unsure of and names the controls', async () => {
    const { page, errors } = await openApp(session(), { demo: false, width: 1500, height: 900 });
    await openScan(page, 'pancreas-ct-cb-001-upper-sacrum');
    await page.click('sp-anatomy-panel #detect-anatomy');
    const msgs = async () => (await page.locator('sp-app .messages .msg').allTextContents()).join(' | ');
    await expect.poll(msgs, { timeout: 120_000, interval: 500 }).toMatch(/Landmarks suggested/);
    await page.evaluate(() => window.sacroplan.whenIdle());
    const a = await anatomyOf(page);
    // nothing found there may be trusted: the detector took the lumbar spine for the sacrum
    await expect.poll(msgs).toMatch(/Foramen tool \(F\)/);
    expect(await msgs()).not.toMatch(/setForamen|drag a marker/);
    console.log(`pancreas: ${a.foramina.length} foramina suggested, canal ${a.canal ? `confidence ${a.canal.confidence}` : 'none'}`);
    if (a.canal) expect(a.canal.confidence).toBeLessThan(0.6);
    await screenshot(page, 'assisted-pancreas-find');
    expect(errors).toEqual([]);
  }, 240_000);
});
