/**
 * Local work stays local, and the SEG's optional segments: on the default phantom opened through
 * the file input (request log on from the first request of the page), Find landmarks, Grow a
 * lesion, tick "SEG + sacrum mask" and "SEG + Denis zones" in the Case menu, Export SEG: dciodvfy reports
 * no errors, pydicom reads the lesion, Sacrum and Denis zones 1–3 with their codes; the SEG
 * re-imports as one lesion (the sacrum and zones are named, not imported). Then Report, Save plan:
 * every request the page made went to its own origin.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import type { Page } from 'playwright-core';
import { requireBrowser, screenshot, useSession, loadThroughInput, clickMenuItem, growAt } from './harness';
import { isCI, requireShared, ensurePhantom, readTruth, PYTHON } from '../helpers/shared';

const ok = requireBrowser() && requireShared(true);
const snap = (page: Page) => page.evaluate(() => window.sacroplan.snapshot());

describe.skipIf(!ok)('SEG with sacrum and zones; local work makes no outside request', () => {
  const session = useSession();

  it('default phantom from local files: SEG with the optional segments; every request same-origin', async () => {
    const ph = ensurePhantom('default.json');
    const dir = join(ph, 'dicom');
    const truth = readTruth(ph);
    const context = await session().browser.newContext({ viewport: { width: 1400, height: 860 }, acceptDownloads: true });
    const urls: string[] = [];
    context.on('request', (r) => urls.push(r.url()));
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('dialog', (d) => void d.dismiss());
    await page.goto(`${session().baseUrl}?demo=0&scene=0`);
    await page.waitForFunction(() => typeof window.sacroplan?.ready === 'function', undefined, { timeout: 60_000 });
    await page.evaluate(() => window.sacroplan.ready());
    await loadThroughInput(page, readdirSync(dir).filter((n) => n.endsWith('.dcm')).map((n) => join(dir, n)));

    await page.click('#detect-anatomy');
    await expect.poll(async () => (await snap(page)).anatomy.foramina.length, { timeout: 60_000 }).toBe(8);
    await growAt(page, truth.lesions[0].center_lps);

    await page.click('sp-case-bar #case-menu > summary');
    await page.check('sp-case-bar #seg-sacrum');
    await page.check('sp-case-bar #seg-zones');
    await screenshot(page, 'seg-extras-options');
    const [download] = await Promise.all([page.waitForEvent('download'), clickMenuItem(page, 'sp-case-bar #export-seg')]);
    const path = join(mkdtempSync(join(tmpdir(), 'sp-seg-extras-e2e-')), download.suggestedFilename());
    await download.saveAs(path);
    await expect.poll(async () => (await snap(page)).messages.map((m) => m.text).join('\n')).toMatch(/SEG saved as .*: 1 lesion \(Lesion 1, Sacrum, Denis zone 1, Denis zone 2, Denis zone 3\)/);
    const dciodvfy = ['/usr/bin/dciodvfy', '/usr/local/bin/dciodvfy'].find((p) => existsSync(p));
    if (dciodvfy) {
      const out = execFileSync('sh', ['-c', `'${dciodvfy}' '${path}' 2>&1 || true`], { encoding: 'utf8' });
      expect(out.split('\n').filter((l) => /^Error/.test(l)), out).toEqual([]);
    } else if (isCI) throw new Error('CI=true but dciodvfy (dicom3tools) is missing');
    const py = `
import pydicom, sys, json
seg = pydicom.dcmread(sys.argv[1])
print(json.dumps([[s.SegmentLabel, s.SegmentedPropertyTypeCodeSequence[0].CodeValue] for s in seg.SegmentSequence]))
`;
    expect(JSON.parse(execFileSync(PYTHON, ['-c', py, path], { encoding: 'utf8' }))).toEqual([
      ['Lesion 1', '14799000'], ['Sacrum', '54735007'], ['Denis zone 1', 'DENIS-1'], ['Denis zone 2', 'DENIS-2'], ['Denis zone 3', 'DENIS-3'],
    ]);

    // re-import on a fresh case: one lesion; the sacrum and zones are named as not lesions
    const before = (await snap(page)).lesions[0]!;
    await page.evaluate(async () => { await window.sacroplan.deleteLesion(window.sacroplan.snapshot().lesions[0]!.id); await window.sacroplan.whenIdle(); });
    expect((await snap(page)).lesions).toEqual([]);
    await page.setInputFiles('sp-case-bar #seg-input', path);
    await expect.poll(async () => (await snap(page)).lesions.length, { timeout: 15_000 }).toBe(1);
    expect((await snap(page)).lesions[0]!.voxelCount).toBe(before.voxelCount);
    await expect.poll(async () => (await snap(page)).messages.map((m) => m.text).join('\n')).toMatch(/not lesions, not imported: Sacrum, Denis zone 1, Denis zone 2, Denis zone 3/);

    // report and plan file: still nothing leaves the origin
    await clickMenuItem(page, 'sp-case-bar #open-report');
    await expect.poll(() => page.locator('sp-report figure.key-image').count(), { timeout: 20_000 }).toBe(3);
    await page.locator('sp-report #close-report').click();
    const [planDl] = await Promise.all([page.waitForEvent('download'), page.click('sp-case-bar #save-plan')]);
    expect(planDl.suggestedFilename()).toMatch(/\.sacroplan$/);

    const origin = new URL(session().baseUrl).origin;
    expect(urls.length).toBeGreaterThan(5);
    expect(urls.filter((u) => !u.startsWith(`${origin}/`) && !u.startsWith('data:') && !u.startsWith('blob:'))).toEqual([]);
    console.log(`[local-only] ${urls.length} requests, all to ${origin} (or data:/blob:)`);
    expect(errors).toEqual([]);
    await context.close();
  });
});
