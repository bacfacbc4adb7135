/**
 * Denis zones in the app: with landmarks placed (here through the scripting API, from the demo's
 * own analytic definition, as a user placing them by hand would), each grown demo lesion shows its
 * zone in the panel; dragging a foramen marker in a view re-classifies; the zone overlay shows.
 */
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { requireBrowser, openApp, screenshot, useSession, placeDemoLandmarks, foramenMarkerOnScreen, crosshairOnScreen } from './harness';

const ok = requireBrowser();

describe.skipIf(!ok)('Denis zones on the demo case', () => {
  const session = useSession();

  it('finds the landmarks with one click: all 8 foramina within 3 mm of the demo definition', async () => {
    const { page, errors } = await openApp(session());
    await page.click('sp-anatomy-panel #detect-anatomy');
    await expect.poll(async () => (await page.evaluate(() => window.sacroplan.snapshot())).anatomy.foramina.length, { timeout: 60_000 }).toBe(8);
    const r = await page.evaluate(() => ({ t: window.sacroplan.demoCase() as any, s: window.sacroplan.snapshot() }));
    for (const f of r.s.anatomy.foramina) {
      const truth = r.t.foramina.find((x: any) => x.id === f.id);
      expect(truth, f.id).toBeDefined();
      const mid = (a: number[], b: number[]) => a.map((v, i) => (v + b[i]!) / 2);
      const [p, q] = [mid(f.anteriorLps, f.posteriorLps), mid(truth.anteriorLps, truth.posteriorLps)];
      expect(Math.hypot(p[0]! - q[0]!, p[1]! - q[1]!, p[2]! - q[2]!), f.id).toBeLessThan(3);
      expect(f.source).toBe('auto');
    }
    expect(r.s.anatomy.canal).not.toBeNull();
    expect(r.s.anatomy.zoneProblem).toBeNull();
    // Lesions grown afterwards are classified at once.
    for (const les of r.t.lesions) await page.evaluate((p) => window.sacroplan.segmentLesionAt(p), les.centerLps);
    const snap = await page.evaluate(() => window.sacroplan.snapshot());
    r.t.lesions.forEach((les: any, n: number) => expect(snap.lesions[n]!.zone, les.id).toBe(les.zone));
    await page.check('sp-anatomy-panel #show-zones');
    await page.waitForTimeout(300);
    await screenshot(page, 'zones-detected');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('places a missing foramen by hand with two clicks, and reviews one with Go', async () => {
    const { page, errors } = await openApp(session());
    // S2_L left out, as if detection had missed it.
    const t = await placeDemoLandmarks(page, ['S2_L']);
    await expect.poll(() => page.locator('sp-anatomy-panel [data-foramen="S2_L"] .missing').count()).toBe(1);
    const f = t.foramina.find((x: any) => x.id === 'S2_L');
    const mid = f.anteriorLps.map((v: number, i: number) => (v + f.posteriorLps[i]) / 2);
    await page.evaluate((p) => window.sacroplan.setCrosshair(p as [number, number, number]), mid);
    await page.waitForTimeout(200);
    await page.click('sp-anatomy-panel [data-foramen="S2_L"] button.place');
    // Click the two openings where they project onto the axial view.
    const zoom = Number(/Zoom ([\d.]+)/.exec((await page.locator('sp-viewer .pane.axial .corner.tr').textContent()) ?? '')![1]);
    const { x: cx, y: cy } = await crosshairOnScreen(page, 'axial');
    // Axial view: screen right = +x (patient left), screen down = +y (posterior).
    const at = (p: number[]) => ({ x: cx + (p[0]! - mid[0]) * zoom, y: cy + (p[1]! - mid[1]) * zoom });
    const a = at(f.anteriorLps), b = at(f.posteriorLps);
    await page.mouse.click(a.x, a.y);
    await page.mouse.click(b.x, b.y);
    await expect.poll(async () => (await page.evaluate(() => window.sacroplan.snapshot())).anatomy.foramina.find((x) => x.id === 'S2_L')?.source ?? null).toBe('manual');
    const placed = (await page.evaluate(() => window.sacroplan.snapshot())).anatomy.foramina.find((x) => x.id === 'S2_L')!;
    const pm = placed.anteriorLps.map((v, i) => (v + placed.posteriorLps[i]!) / 2);
    expect(Math.hypot(pm[0]! - mid[0], pm[1]! - mid[1], pm[2]! - mid[2])).toBeLessThan(3);
    expect(placed.radiusMm).toBeCloseTo(3.75, 6);
    // Review: Go centres the views on a foramen.
    await page.click('sp-anatomy-panel [data-foramen="S3_R"] button.go');
    const s3 = t.foramina.find((x: any) => x.id === 'S3_R');
    const ch = (await page.evaluate(() => window.sacroplan.snapshot())).crosshairLps!;
    expect(Math.hypot(...[0, 1, 2].map((i) => ch[i]! - (s3.anteriorLps[i] + s3.posteriorLps[i]) / 2))).toBeLessThan(0.01);
    await screenshot(page, 'zones-placed-by-hand');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('classifies each demo lesion by zone and updates when a foramen is dragged', async () => {
    const { page, errors } = await openApp(session());
    const t = await placeDemoLandmarks(page);
    for (const les of t.lesions) await page.evaluate((p) => window.sacroplan.segmentLesionAt(p), les.centerLps);
    let snap = await page.evaluate(() => window.sacroplan.snapshot());
    expect(snap.anatomy.foramina.length).toBe(8);
    expect(snap.anatomy.zoneProblem).toBeNull();
    t.lesions.forEach((les: any, n: number) => expect(snap.lesions[n]!.zone, les.id).toBe(les.zone));
    const zone2 = snap.lesions.findIndex((l) => l.zone === 2);
    expect(snap.lesions[zone2]!.foraminaTouched.length).toBeGreaterThan(0);
    expect(snap.lesions[zone2]!.zoneExplanation).toMatch(/foramen/);
    // The panel says it.
    const texts = await page.locator('sp-lesion-panel .denis-zone').allTextContents();
    expect(texts).toEqual(t.lesions.map((l: any) => `Denis zone ${l.zone}`));

    // Show the zones, centre on the zone-2 lesion's foramen, and drag that foramen marker away.
    await page.check('sp-anatomy-panel #show-zones');
    const touched = snap.lesions[zone2]!.foraminaTouched[0]!;
    const f = snap.anatomy.foramina.find((x) => x.id === touched)!;
    const mid = f.anteriorLps.map((v, i) => (v + f.posteriorLps[i]!) / 2) as [number, number, number];
    await page.evaluate((p) => window.sacroplan.setCrosshair(p), mid);
    await page.waitForTimeout(300);
    await screenshot(page, 'zones-overlay');
    const { x: cx, y: cy } = await foramenMarkerOnScreen(page, touched);
    await page.click('button[data-tool="crosshair"]');
    await page.mouse.move(cx, cy);
    await page.mouse.down();
    // 25 mm toward the patient's right/left edge of the screen, away from the lesion.
    const mmPerPx = 1 / Number(/Zoom ([\d.]+)/.exec((await page.locator('sp-viewer .pane.axial .corner.tr').textContent()) ?? '')![1]);
    const dir = f.side === 'R' ? -1 : 1; // screen right = patient left
    await page.mouse.move(cx + (dir * 25) / mmPerPx, cy, { steps: 5 });
    await page.mouse.up();
    await expect.poll(async () => (await page.evaluate(() => window.sacroplan.snapshot())).anatomy.foramina.find((x) => x.id === touched)!.source).toBe('manual');
    await expect.poll(async () => {
      const s = await page.evaluate(() => window.sacroplan.snapshot());
      const moved = s.anatomy.foramina.find((x) => x.id === touched)!;
      return Math.abs(moved.anteriorLps[0]! - f.anteriorLps[0]!);
    }).toBeGreaterThan(15);
    // The re-classification arrives from the worker.
    await expect.poll(async () => (await page.evaluate(() => window.sacroplan.snapshot())).lesions[zone2]!.foraminaTouched.includes(touched), { timeout: 30_000 }).toBe(false);
    snap = await page.evaluate(() => window.sacroplan.snapshot());
    expect(snap.lesions[zone2]!.zone).not.toBe(2);
    await screenshot(page, 'zones-after-drag');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('a lesion whose edge lies within the landmarks\' uncertainty of a border is shown as a border case, not as one zone', async () => {
    const { page, errors } = await openApp(session());
    const t = await placeDemoLandmarks(page);
    const ala = t.lesions.findIndex((l: any) => l.zone === 1);
    await page.evaluate((p) => window.sacroplan.segmentLesionAt(p), t.lesions[ala].centerLps);
    await expect.poll(async () => (await page.evaluate(() => window.sacroplan.snapshot())).lesions[0]?.zone).toBe(1);
    let snap = await page.evaluate(() => window.sacroplan.snapshot());
    expect(snap.lesions[0]!.zoneBorderline).toBeNull();
    await expect.poll(() => page.locator('sp-lesion-panel .denis-zone').first().textContent()).toBe('Denis zone 1');
    // The ala lesion's medial edge lies 3 mm lateral to the left S1 foramen's lateral border (demo truth); drag
    // that foramen 2.5 mm towards it (screen right = patient left), leaving 0.5 mm.
    const les = t.lesions[ala];
    const border = t.zoneBorders.find((b: any) => b.level === 'S1').lateralMm;
    const gapMm = les.centerSacralXsq[0] - les.semiAxesMm[0] - border;
    expect(gapMm).toBeCloseTo(3, 1);
    const f = snap.anatomy.foramina.find((x) => x.id === 'S1_L')!;
    await page.evaluate((p) => window.sacroplan.setCrosshair(p), f.anteriorLps.map((v, i) => (v + f.posteriorLps[i]!) / 2) as [number, number, number]);
    await page.waitForTimeout(300);
    const { x: cx, y: cy } = await foramenMarkerOnScreen(page, 'S1_L');
    await page.click('button[data-tool="crosshair"]');
    const mmPerPx = 1 / Number(/Zoom ([\d.]+)/.exec((await page.locator('sp-viewer .pane.axial .corner.tr').textContent()) ?? '')![1]);
    await page.mouse.move(cx, cy);
    await page.mouse.down();
    await page.mouse.move(cx + (gapMm - 0.5) / mmPerPx, cy, { steps: 5 });
    await page.mouse.up();
    await expect.poll(async () => (await page.evaluate(() => window.sacroplan.snapshot())).lesions[0]!.zoneBorderline, { timeout: 30_000 }).toEqual([1, 2]);
    snap = await page.evaluate(() => window.sacroplan.snapshot());
    const moved = snap.anatomy.foramina.find((x) => x.id === 'S1_L')!;
    console.log(`S1_L dragged ${(moved.anteriorLps[0]! - f.anteriorLps[0]!).toFixed(2)} mm; ${snap.lesions[0]!.zoneExplanation}`);
    await expect.poll(() => page.locator('sp-lesion-panel .denis-zone').first().textContent()).toBe('Denis zone 1/2 border, check');
    expect(snap.lesions[0]!.zoneExplanation).toMatch(/zone 1\/2 border, check: its edge lies \d\.\d mm from the lateral border/);
    await expect.poll(() => page.locator('sp-plan-panel #plan-lesion option').first().textContent()).toMatch(/\(zone 1\/2 border\)/);
    await page.locator('sp-lesion-panel .denis-zone').first().scrollIntoViewIfNeeded();
    await screenshot(page, 'zones-border-case');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('guided review: starts at the first landmark missing, steps through S1 L … S4 R and the canal, centring the views on each; a missing foramen offers Place by hand', async () => {
    const { page, errors } = await openApp(session());
    const t = await placeDemoLandmarks(page, ['S3_L']);
    await expect.poll(() => page.locator('sp-anatomy-panel [data-foramen="S3_L"] .missing').count()).toBe(1);
    await page.click('sp-anatomy-panel #review-start');
    const box = page.locator('sp-anatomy-panel .review');
    const centreOf = (id: string) => {
      const f = t.foramina.find((x: any) => x.id === id);
      return f.anteriorLps.map((v: number, i: number) => (v + f.posteriorLps[i]) / 2) as number[];
    };
    const crosshairAt = async (p: number[]) => {
      const c = (await page.evaluate(() => window.sacroplan.snapshot())).crosshairLps!;
      return Math.hypot(c[0] - p[0]!, c[1] - p[1]!, c[2] - p[2]!);
    };
    const centredInAxial = async () => {
      const b = (await page.locator('sp-viewer .pane.axial').boundingBox())!;
      const cross = page.locator('sp-viewer .pane.axial svg.overlay circle[r="3"][stroke="#fff"]').first();
      return Math.hypot(Number(await cross.getAttribute('cx')) - b.width / 2, Number(await cross.getAttribute('cy')) - b.height / 2);
    };
    // Review starts at the first landmark that needs the user: S3 L, which is missing: the box says
    // so and offers Place by hand.
    await expect.poll(() => box.getAttribute('data-review-step')).toBe('S3_L');
    expect(await box.textContent()).toContain('Review 5 of 9');
    expect(await box.locator('.missing').count()).toBe(1);
    expect(await box.textContent()).toContain('mirrors it from the other side');
    expect(await box.textContent()).toContain('Foramen tool (F)');
    // the views centre where it should be: S3 R mirrored through the midline plane (x = 0 in the demo)
    const m = centreOf('S3_R');
    expect(await crosshairAt([-m[0]!, m[1]!, m[2]!])).toBeLessThan(0.01);
    await screenshot(page, 'zones-review-missing');
    await page.click('sp-anatomy-panel #review-place');
    await expect.poll(() => page.locator('sp-anatomy-panel .placing').textContent()).toContain('Placing S3 L');
    await page.click('sp-anatomy-panel .placing button');
    // Back to S1 L: the views centred on it, its row highlighted.
    for (let n = 0; n < 4; n++) await page.click('sp-anatomy-panel #review-prev');
    await expect.poll(() => box.getAttribute('data-review-step')).toBe('S1_L');
    expect(await box.textContent()).toContain('Review 1 of 9');
    expect(await crosshairAt(centreOf('S1_L'))).toBeLessThan(0.01);
    await expect.poll(centredInAxial).toBeLessThan(3);
    expect(await page.locator('sp-anatomy-panel tr.current [data-foramen="S1_L"]').count()).toBe(1);
    // Next, Previous.
    await page.click('sp-anatomy-panel #review-next');
    await expect.poll(() => box.getAttribute('data-review-step')).toBe('S1_R');
    expect(await crosshairAt(centreOf('S1_R'))).toBeLessThan(0.01);
    await page.click('sp-anatomy-panel #review-prev');
    await expect.poll(() => box.getAttribute('data-review-step')).toBe('S1_L');
    for (let n = 0; n < 4; n++) await page.click('sp-anatomy-panel #review-next');
    // The last step is the canal; Done ends the review.
    for (let n = 0; n < 4; n++) await page.click('sp-anatomy-panel #review-next');
    await expect.poll(() => box.getAttribute('data-review-step')).toBe('canal');
    expect(await box.textContent()).toContain('Review 9 of 9');
    expect(await page.locator('sp-anatomy-panel #review-next').count()).toBe(0);
    const c = t.canal.centrelineLps[Math.floor(t.canal.centrelineLps.length / 2)];
    expect(await crosshairAt(c)).toBeLessThan(0.01);
    await page.click('sp-anatomy-panel #review-done');
    await expect.poll(() => box.count()).toBe(0);
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
