/**
 * Teaching in the app, as a fellow and a presenter use it:
 * - the Library lists the built-in cases (title, zone, the study's approach);
 * - a fellow's attempt on the zone 1 ala case, driven through the real controls (Grow click in the
 *   axial view, the zone radio, the approach list, Place needle with two clicks, Score) yields a
 *   score with feedback; a second attempt with a needle through the left S1 foramen is scored down
 *   with that foramen named; both are in the progress CSV;
 * - presenter mode steps with PageDown / PageUp; its share link reopens the same case, step and
 *   plan in a fresh browser profile, and a changed link gives a clear error.
 * Screenshots of the library, the fellow's feedback and presenter mode at 1920×1080 and 1366×768.
 */
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { requireBrowser, openApp, screenshot, useSession, crosshairOnScreen, loadThroughInput } from './harness';
import { requireShared, ensurePhantom } from '../helpers/shared';
import { readdirSync, readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import type { Vec3 } from '../../src/core/vec3';
import { TEACHING_CASES } from '../../src/teaching/cases';

const ok = requireBrowser();
const withShared = ok && requireShared(true);
const snap = (page: Page) => page.evaluate(() => window.sacroplan.snapshot());

/** Scroll to a point (the crosshair and slices move there), then click on it in the axial view. */
async function clickAt(page: Page, p: Vec3): Promise<void> {
  await page.evaluate((q) => window.sacroplan.setCrosshair(q as [number, number, number]), p);
  await page.waitForTimeout(200);
  const at = await crosshairOnScreen(page, 'axial');
  await page.mouse.click(at.x, at.y);
}

async function openLibrary(page: Page): Promise<void> {
  const details = page.locator('sp-library details');
  if (!(await details.evaluate((d) => (d as HTMLDetailsElement).open))) await page.click('sp-library summary');
  await expect.poll(() => page.locator('sp-library tr[data-case]').count()).toBeGreaterThanOrEqual(10);
}

/** One attempt: grow the lesion from a click, name the zone, choose the approach, place the needle from entry to target, score. */
async function attempt(page: Page, lesionLps: Vec3, entry: Vec3, target: Vec3): Promise<string> {
  await page.click('button[data-tool="regionGrow"]');
  await clickAt(page, lesionLps);
  await expect.poll(async () => (await snap(page)).lesions[0]?.volumeMl ?? 0, { timeout: 60_000 }).toBeGreaterThan(0.3);
  await page.click('sp-fellow #zone-1');
  await page.selectOption('sp-fellow #fellow-approach', 'posterior-short-axis');
  await page.click('sp-fellow #fellow-place');
  await clickAt(page, entry);
  await expect.poll(() => page.locator('sp-fellow #fellow-place').textContent()).toMatch(/target/);
  await clickAt(page, target);
  await expect.poll(async () => (await snap(page)).trajectories.length, { timeout: 30_000 }).toBe(1);
  await page.evaluate(() => window.sacroplan.whenIdle());
  await page.click('sp-fellow #fellow-score');
  await expect.poll(() => page.locator('sp-fellow #fellow-total').count(), { timeout: 30_000 }).toBe(1);
  return (await page.locator('sp-fellow #fellow-feedback').textContent()) ?? '';
}

describe.skipIf(!ok)('teaching: library, fellow attempts, presenter and share links', () => {
  const session = useSession();

  it('a fellow attempt driven through the controls is scored; a needle through the left S1 foramen is scored down with the foramen named', async () => {
    const { page, errors } = await openApp(session(), { demo: false, width: 1920, height: 1080 });
    await openLibrary(page);
    const listed = await page.evaluate(() => window.sacroplan.listCases());
    expect(listed.length).toBeGreaterThanOrEqual(10);
    expect(listed.find((c) => c.id === 'high-crest')).toMatchObject({ zone: 1, recommendedApproach: 'transiliac' });
    expect(await page.locator('sp-library tr[data-case="declined-large"] .approach').textContent()).toMatch(/declined/);
    await screenshot(page, 'teaching-library-1920x1080');
    await page.setViewportSize({ width: 1366, height: 768 });
    await screenshot(page, 'teaching-library-1366x768');
    await page.setViewportSize({ width: 1920, height: 1080 });

    // The expert plan (Open): its needle is the planner's, in snapshot()
    const t0 = Date.now();
    await page.click('sp-library tr[data-case="ala-zone1"] .open-case');
    await expect.poll(async () => (await snap(page)).trajectories.length, { timeout: 90_000 }).toBe(1);
    await expect.poll(async () => (await snap(page)).lesions[0]?.zone, { timeout: 30_000 }).toBe(1);
    const openMs = Date.now() - t0;
    const expert = await snap(page);
    expect(expert.series?.description).toMatch(/Teaching case: Left sacral ala/);
    expect(expert.lesions[0]!.zone).toBe(1);
    expect(expert.trajectories[0]!.approach).toBe('posterior-short-axis');
    expect(expert.trajectories[0]!.status).toBe('pass');
    expect(expert.anatomy.foramina.length).toBe(8);
    const truth = (await page.evaluate(() => window.sacroplan.demoCase())) as any;
    const lesionLps = truth.lesions[0].centerLps as Vec3;
    const E = expert.trajectories[0]!.entryLps as Vec3, T = expert.trajectories[0]!.targetLps as Vec3;

    // Attempt 1: the fellow follows a sound posterior path
    await page.click('sp-library tr[data-case="ala-zone1"] .fellow-case');
    await expect.poll(() => page.locator('sp-fellow').count(), { timeout: 90_000 }).toBe(1);
    await expect.poll(async () => (await snap(page)).anatomy.foramina.length, { timeout: 60_000 }).toBe(8);
    expect((await snap(page)).trajectories.length).toBe(0);
    expect(await page.locator('sp-anatomy-panel').count()).toBe(0);
    expect(await page.locator('sp-plan-panel').count()).toBe(0);
    // the landmarks are drawn without their names (the foramen markers are there, their labels are not)
    await page.evaluate((p) => window.sacroplan.setCrosshair(p as [number, number, number]), expert.anatomy.foramina[0]!.anteriorLps);
    await expect.poll(() => page.locator('sp-viewer g.foramen-marker').count()).toBeGreaterThan(0);
    expect(await page.locator('sp-viewer g.foramen-marker text').count()).toBe(0);
    const good = await attempt(page, lesionLps, E, T);
    expect(good).toMatch(/Zone 20\/20/);
    expect(good).toMatch(/zone 1, right/);
    expect(good).toMatch(/Approach 20\/20/);
    expect(good).toMatch(/your needle PASS/);
    const goodTotal = Number((await page.locator('sp-fellow #fellow-total').textContent())!.split('/')[0]);
    expect(goodTotal).toBeGreaterThanOrEqual(80);
    // the answers are shown again after scoring
    expect(await page.locator('sp-anatomy-panel').count()).toBe(1);
    await screenshot(page, 'teaching-fellow-feedback-1920x1080');
    await page.setViewportSize({ width: 1366, height: 768 });
    await screenshot(page, 'teaching-fellow-feedback-1366x768');
    await page.setViewportSize({ width: 1920, height: 1080 });

    // Attempt 2: a needle whose shaft runs through the left S1 foramen's posterior opening
    await page.click('sp-fellow #fellow-again');
    await expect.poll(async () => (await snap(page)).lesions.length, { timeout: 90_000 }).toBe(0);
    await expect.poll(() => page.locator('sp-fellow #fellow-score').count(), { timeout: 30_000 }).toBe(1);
    const s1 = expert.anatomy.foramina.find((f) => f.id === 'S1_L')!;
    const P = s1.posteriorLps as Vec3;
    const d: Vec3 = [P[0] - T[0], P[1] - T[1], P[2] - T[2]];
    const k = (78 - T[1]) / d[1];
    const badEntry: Vec3 = [T[0] + d[0] * k, 78, T[2] + d[2] * k];
    const bad = await attempt(page, lesionLps, badEntry, T);
    const badTotal = Number((await page.locator('sp-fellow #fellow-total').textContent())!.split('/')[0]);
    expect(bad).toMatch(/your needle FAIL/);
    expect(bad).toMatch(/left S1 foramen/);
    expect(await page.locator('sp-fellow #fellow-risks').textContent()).toMatch(/left S1 foramen/);
    expect(await page.locator('sp-fellow tr[data-step="needle"] td.v').textContent()).toMatch(/Needle 0\/40/);
    expect(badTotal).toBeLessThan(goodTotal - 39.9);
    // the views go to the foramen the needle entered, with the needle selected and the labels back
    const risky = await snap(page);
    expect(risky.crosshairLps).toEqual(P);
    expect(risky.selectedTrajectoryId).toBe(risky.trajectories[0]!.id);
    await expect.poll(() => page.locator('sp-viewer g.foramen-marker[data-foramen="S1_L"] text').count()).toBeGreaterThan(0);
    await screenshot(page, 'teaching-fellow-risky-1920x1080');

    // progress: both attempts, exportable as CSV (the button downloads it)
    const csv = await page.evaluate(() => window.sacroplan.progressCsv());
    const rows = csv.trim().split('\r\n');
    expect(rows.length).toBe(3);
    expect(rows[2]).toMatch(/left S1 foramen/);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('sp-library #export-progress')]);
    expect(download.suggestedFilename()).toMatch(/\.csv$/);
    console.log(`expert case open ${openMs} ms; attempt 1 ${goodTotal} points, attempt 2 ${badTotal} points`);
    expect(errors).toEqual([]);
  }, 400_000);

  it('presenter mode steps with PageDown/PageUp; its share link reopens the same case, step and plan in a fresh profile; a changed link is refused', async () => {
    const { page, errors } = await openApp(session(), { demo: false, width: 1920, height: 1080 });
    await openLibrary(page);
    await page.click('sp-library tr[data-case="bilateral"] .present-case');
    await expect.poll(() => page.locator('sp-presenter #presenter-step').getAttribute('data-step'), { timeout: 90_000 }).toBe('anatomy');
    await expect.poll(async () => (await snap(page)).trajectories.length, { timeout: 60_000 }).toBe(2);
    expect(await page.locator('header').isVisible()).toBe(false);
    const stepOf = () => page.locator('sp-presenter #presenter-step').getAttribute('data-step');
    const idle = () => expect.poll(() => page.locator('sp-presenter .busy').count(), { timeout: 60_000 }).toBe(0);
    await idle();
    for (const want of ['lesion', 'zone', 'approaches']) {
      await page.keyboard.press('PageDown');
      await expect.poll(stepOf).toBe(want);
      await idle();
    }
    expect(await page.locator('sp-presenter #presenter-approaches').count()).toBe(2);
    expect(await page.locator('sp-presenter #presenter-approaches').first().textContent()).toMatch(/posterior short-axis \*/);
    await screenshot(page, 'teaching-presenter-1920x1080');
    await page.setViewportSize({ width: 1366, height: 768 });
    await screenshot(page, 'teaching-presenter-1366x768');
    await page.setViewportSize({ width: 1920, height: 1080 });
    await page.keyboard.press('PageDown');
    await expect.poll(stepOf).toBe('needle');
    await idle();
    expect((await snap(page)).trajectories.map((t) => t.advance)).toEqual([1, 1]);
    await page.keyboard.press('PageUp');
    await expect.poll(stepOf).toBe('approaches');
    await idle();
    expect((await snap(page)).trajectories.map((t) => t.advance)).toEqual([0, 0]);
    await page.keyboard.press('PageDown');
    await expect.poll(stepOf).toBe('needle');
    await idle();
    // ablation: the needles become 17 G electrodes aimed for their burns; cement: aimed at the study's filling
    const expertNeedles = (await snap(page)).trajectories.map((t) => ({ entry: t.entryLps, target: t.targetLps, needle: t.needle.id }));
    await page.keyboard.press('PageDown');
    await expect.poll(stepOf).toBe('ablation');
    await idle();
    const abl = await snap(page);
    expect(abl.trajectories.every((t) => t.needle.id === '17G-rf-20' && t.ablation !== null && (t.ablation.coverage ?? 0) > 0)).toBe(true);
    expect(await page.locator('sp-presenter #presenter-note').textContent()).toMatch(/17 G electrode, 2 cm tip, \d burn/);
    await page.keyboard.press('PageDown');
    await expect.poll(stepOf).toBe('cement');
    await idle();
    const cem = await snap(page);
    expect(cem.trajectories.every((t) => t.cement !== null && t.cement.volumeMl > 0)).toBe(true);
    await screenshot(page, 'teaching-presenter-cement-1920x1080');
    // back to the needle step: the plan as it was (the expert's needles, no burns, no cement)
    await page.keyboard.press('PageUp');
    await expect.poll(stepOf).toBe('ablation');
    await idle();
    await page.keyboard.press('PageUp');
    await expect.poll(stepOf).toBe('needle');
    await idle();
    const back = await snap(page);
    expect(back.trajectories.map((t) => ({ entry: t.entryLps, target: t.targetLps, needle: t.needle.id }))).toEqual(expertNeedles);
    expect(back.trajectories.every((t) => t.cement === null && t.advance === 1)).toBe(true);
    // The presenter moves one needle's entry (the plan in the link is the one shown, not the expert's)
    const before = await snap(page);
    const n2 = before.trajectories[1]!;
    await page.evaluate(([id, e, t]) => window.sacroplan.moveTrajectory(id as string, [(e as number[])[0]! - 4, (e as number[])[1]!, (e as number[])[2]! + 3], t as number[]), [n2.id, n2.entryLps, n2.targetLps] as const);
    const shown = await snap(page);
    await page.click('sp-presenter #presenter-share');
    const url = (await page.locator('sp-presenter #presenter-url').textContent())!.trim();
    expect(url).toMatch(/#share=[A-Za-z0-9_-]+\.[0-9a-f]{8}$/);
    expect(errors).toEqual([]);

    // A fresh browser profile (new context: no storage) opens the link
    const noScene = (u: string) => u.replace('#', '?scene=0#');
    const fresh = await session().browser.newContext({ viewport: { width: 1366, height: 768 } });
    const p2 = await fresh.newPage();
    const errors2: string[] = [];
    p2.on('pageerror', (e) => errors2.push(String(e)));
    await p2.goto(noScene(url));
    await p2.waitForFunction(() => typeof window.sacroplan?.ready === 'function', undefined, { timeout: 60_000 });
    await p2.evaluate(() => window.sacroplan.ready());
    await expect.poll(() => p2.locator('sp-presenter #presenter-step').getAttribute('data-step'), { timeout: 90_000 }).toBe('needle');
    await expect.poll(() => p2.locator('sp-presenter .busy').count(), { timeout: 60_000 }).toBe(0);
    const s2 = await snap(p2);
    expect(s2.series?.description).toBe(shown.series?.description);
    expect(s2.lesions.map((l) => l.voxelCount)).toEqual(shown.lesions.map((l) => l.voxelCount));
    expect(s2.trajectories.length).toBe(2);
    for (let i = 0; i < 2; i++) {
      const a = shown.trajectories[i]!, b = s2.trajectories[i]!;
      for (let d = 0; d < 3; d++) {
        expect(Math.abs(a.entryLps[d]! - b.entryLps[d]!)).toBeLessThan(1e-3);
        expect(Math.abs(a.targetLps[d]! - b.targetLps[d]!)).toBeLessThan(1e-3);
      }
      expect(b.needle.id).toBe(a.needle.id);
      expect(b.approach).toBe(a.approach);
      expect(b.status).toBe(a.status);
      expect(b.advance).toBe(1);
    }
    await screenshot(p2, 'teaching-share-opened-1366x768');
    expect(errors2).toEqual([]);
    await fresh.close();

    // A changed link: one character of the plan altered
    const hashAt = url.indexOf('#share=') + '#share='.length + 12;
    const tampered = url.slice(0, hashAt) + (url[hashAt] === 'A' ? 'B' : 'A') + url.slice(hashAt + 1);
    const bad = await session().browser.newContext({ viewport: { width: 1366, height: 768 } });
    const p3 = await bad.newPage();
    await p3.goto(noScene(tampered));
    await p3.waitForFunction(() => typeof window.sacroplan?.ready === 'function', undefined, { timeout: 60_000 });
    await p3.evaluate(() => window.sacroplan.ready());
    const s3 = await snap(p3);
    expect(s3.series).toBeNull();
    expect(s3.messages.map((m) => m.text).join('\n')).toMatch(/The shared link was not opened: the link was changed or damaged: its checksum is [0-9a-f]{8} but its plan gives [0-9a-f]{8}/);
    await expect.poll(() => p3.locator('sp-app .msg.error').textContent()).toMatch(/shared link was not opened/);
    await screenshot(p3, 'teaching-share-tampered-1366x768');
    await bad.close();
  }, 400_000);

  it('every library case opens in the app with its expert plan: the stated zones, the stated approaches, a screenshot each', async () => {
    const { page, errors } = await openApp(session(), { demo: false, width: 1920, height: 1080 });
    const rows: string[] = [];
    for (const c of TEACHING_CASES) {
      const t0 = Date.now();
      await page.evaluate((id) => window.sacroplan.openCase(id), c.id);
      const ms = Date.now() - t0;
      await expect.poll(async () => (await snap(page)).lesions.every((l) => l.zone !== null), { timeout: 30_000 }).toBe(true);
      const s = await snap(page);
      expect(s.lesions.map((l) => l.zone), c.id).toEqual(c.lesions.map((l) => l.zone));
      const approaches = c.lesions.filter((l) => !l.declined).map((l) => l.approach);
      expect(s.trajectories.map((t) => t.approach), c.id).toEqual(approaches);
      for (const tr of s.trajectories) expect(tr.status, `${c.id} ${tr.id}`).not.toBe('fail');
      const first = s.trajectories[0]?.targetLps ?? s.lesions[0]!.centroidLps!;
      await page.evaluate((p) => window.sacroplan.setCrosshair(p as [number, number, number]), first);
      await page.waitForTimeout(300);
      await screenshot(page, `teaching-case-${c.id}`);
      rows.push(`${c.id}: ${ms} ms; ${s.lesions.map((l) => `zone ${l.zone} ${l.volumeMl.toFixed(2)} mL`).join(', ')}; ${s.trajectories.map((t) => `${t.approach} ${t.status} ${t.depthMm.toFixed(0)} mm`).join(', ') || 'declined'}`);
    }
    console.log(rows.join('\n'));
    // The scripting API: an attempt on the declined case, declined, scores full marks for approach and needle
    const sc = await page.evaluate(async () => {
      await window.sacroplan.startAttempt('declined-large');
      const t = window.sacroplan.demoCase() as any;
      await window.sacroplan.paint({ centerLps: t.lesions[0].centerLps, radiusMm: 8 });
      window.sacroplan.setAnswer({ zone: 2, declined: true });
      return window.sacroplan.score();
    });
    expect(sc.steps.map((x: any) => [x.step, x.verdict])).toEqual([['segmentation', expect.any(String)], ['zone', 'right'], ['approach', 'right'], ['needle', 'right']]);
    expect(sc.steps[2]!.text).toMatch(/declined, right: largest diameter 34.2 mm/);
    expect(errors).toEqual([]);
  }, 600_000);

  it.runIf(withShared)('a user adds a series and its plan file to the local library, de-identified; it reopens after a reload', async () => {
    const dir = ensurePhantom('default.json');
    const files = readdirSync(join(dir, 'dicom')).map((f) => join(dir, 'dicom', f));
    const { page, errors } = await openApp(session(), { demo: false, width: 1366, height: 768 });
    // a plan made earlier on this series
    await loadThroughInput(page, files);
    const truth = JSON.parse(readFileSync(join(dir, 'truth.json'), 'utf8'));
    const lesionLps = truth.lesions[0].center_lps as Vec3;
    const planB64 = await page.evaluate(async (p) => {
      await window.sacroplan.detectAnatomy();
      const id = await window.sacroplan.segmentLesionAt(p as [number, number, number]);
      await window.sacroplan.setTrajectory({ entryLps: [p[0]! + 10, p[1]! + 90, p[2]!], targetLps: p, lesionId: id });
      const blob = await window.sacroplan.savePlan();
      const bytes = new Uint8Array(await blob.arrayBuffer());
      let s = ''; for (const b of bytes) s += String.fromCharCode(b);
      return btoa(s);
    }, lesionLps);
    const planPath = join(mkdtempSync(join(tmpdir(), 'sp-user-case-')), 'my-case.sacroplan');
    writeFileSync(planPath, Buffer.from(planB64, 'base64'));
    await page.reload();
    await page.evaluate(() => window.sacroplan.ready());
    // the user opens the series and its plan, then adds them to the library
    await loadThroughInput(page, files);
    expect((await snap(page)).series?.patientName).toMatch(/PHANTOM/);
    await page.setInputFiles('sp-case-bar #plan-input', planPath);
    await expect.poll(async () => (await snap(page)).trajectories.length, { timeout: 60_000 }).toBe(1);
    await page.evaluate(() => window.sacroplan.whenIdle());
    const before = await snap(page);
    await openLibrary(page);
    await page.fill('sp-library #user-case-title', 'phantom sacrum case');
    await page.click('sp-library #add-user-case');
    await expect.poll(() => page.locator('sp-app .msg.error').last().textContent()).toMatch(/title contains the patient's name or ID/);
    await page.fill('sp-library #user-case-title', 'Left ala, teaching example');
    await page.click('sp-library #add-user-case');
    await expect.poll(() => page.locator('sp-library tr[data-user-case]').count(), { timeout: 30_000 }).toBe(1);
    // nothing identifying is stored
    const stored = await page.evaluate(async () => {
      const req = indexedDB.open('sacroplan-teaching');
      const db: IDBDatabase = await new Promise((res, rej) => { req.onsuccess = () => res(req.result); req.onerror = () => rej(req.error); });
      const all: any[] = await new Promise((res) => { const r = db.transaction('userCases').objectStore('userCases').getAll(); r.onsuccess = () => res(r.result); });
      db.close();
      return all.map((x) => JSON.stringify({ ...x, voxels: null, plan: new TextDecoder('latin1').decode(x.plan) }));
    });
    expect(stored.length).toBe(1);
    expect(stored[0]).not.toMatch(/PHANTOM|19500101/);
    // after a reload, the case opens from the library
    await page.reload();
    await page.evaluate(() => window.sacroplan.ready());
    await openLibrary(page);
    await page.click('sp-library tr[data-user-case] .open-user-case');
    await expect.poll(async () => (await snap(page)).trajectories.length, { timeout: 60_000 }).toBe(1);
    await page.evaluate(() => window.sacroplan.whenIdle());
    const after = await snap(page);
    expect(after.series?.patientName).toBe('');
    expect(after.series?.description).toBe('My case: Left ala, teaching example');
    expect(after.lesions.map((l) => l.voxelCount)).toEqual(before.lesions.map((l) => l.voxelCount));
    expect(after.trajectories[0]!.entryLps).toEqual(before.trajectories[0]!.entryLps);
    expect(after.trajectories[0]!.status).toBe(before.trajectories[0]!.status);
    expect(after.anatomy.foramina.length).toBe(before.anatomy.foramina.length);
    await screenshot(page, 'teaching-user-case-1366x768');
    expect(errors).toEqual([]);
  }, 400_000);
});
