/**
 * `report()` and the key images: on the demo with the 3D view and fluoroscopy shown, two lesions,
 * landmarks and an RF needle with cement, `report()` returns a standalone HTML document with three
 * PNG key images (axial view with overlays, 3D, fluoroscopy), each with image content; Chromium
 * prints that document to PDF (page.pdf), pdftoppm renders its pages to PNG (test-output/
 * screenshots, to be looked at) and pdftotext finds snapshot()'s numbers in it. The report opened
 * over the app shows the same key images.
 */
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireBrowser, openApp, screenshotDir, useSession, clickMenuItem } from './harness';
import { isCI } from '../helpers/shared';
import { decodePng, greyStats } from '../helpers/png';

const ok = requireBrowser();

describe.skipIf(!ok)('report() document and key images', () => {
  const session = useSession();

  it('HTML document with three key images; printed by Chromium to PDF; numbers equal snapshot()', async () => {
    const { page, errors } = await openApp(session(), { width: 1600, height: 900, scene: true });
    await expect.poll(async () => (await page.evaluate(() => window.sacroplan.snapshot())).scene.boneTriangles, { timeout: 120_000, interval: 500 }).toBeGreaterThan(50_000);
    const t = (await page.evaluate(() => window.sacroplan.demoCase())) as any;
    await page.evaluate(async (t) => {
      const a = await window.sacroplan.segmentLesionAt(t.lesions[0].centerLps);
      await window.sacroplan.segmentLesionAt(t.lesions[1].centerLps);
      await window.sacroplan.detectAnatomy();
      const p = t.lesions[0].centerLps;
      window.sacroplan.setCrosshair(p);
      const n = await window.sacroplan.setTrajectory({ entryLps: [p[0] + 70, p[1] + 60, p[2]], targetLps: p, needle: '17G-rf-20', lesionId: a });
      await window.sacroplan.setAblation(n, { burns: 2 });
      await window.sacroplan.planCement(n, 2);
      await window.sacroplan.whenIdle();
    }, t);
    // 3D and fluoroscopy follow once input is quiet
    await expect.poll(async () => (await page.evaluate(() => window.sacroplan.snapshot())).scene.meshes.filter((m: any) => m.kind === 'needle' && m.triangles > 0).length, { timeout: 60_000, interval: 300 }).toBe(1);
    for (const v of ['AP', 'lateral']) {
      const c = page.locator(`sp-fluoro canvas[data-view="${v}"]`);
      await expect.poll(async () => greyStats(decodePng(await c.screenshot())).sd, { timeout: 60_000 }).toBeGreaterThan(20);
    }
    await page.waitForTimeout(500);
    const snap = await page.evaluate(() => window.sacroplan.snapshot());
    expect(snap.lesions.length).toBe(2);
    expect(snap.trajectories.length).toBe(1);

    const doc = await page.evaluate(async () => {
      const b = await window.sacroplan.report();
      return { type: b.type, text: await b.text() };
    });
    expect(doc.type).toMatch(/^text\/html/);
    expect(doc.text).toMatch(/^<!doctype html>/);
    expect(doc.text).toContain('DEMO^SACRUM');
    const anon = await page.evaluate(async () => (await window.sacroplan.report({ anonymise: true })).text());
    expect(anon).not.toContain('DEMO^SACRUM');
    expect(anon).not.toContain('SACROPLAN-DEMO');

    // three key images, each a PNG with content
    const imgs = [...doc.text.matchAll(/<figure class="key-image" data-id="([^"]+)"><img alt="[^"]*" src="data:image\/png;base64,([^"]+)">/g)];
    expect(imgs.map((m) => m[1])).toEqual(['mpr', '3d', 'fluoro']);
    mkdirSync(screenshotDir, { recursive: true });
    for (const m of imgs) {
      const png = Buffer.from(m[2]!, 'base64');
      writeFileSync(join(screenshotDir, `report-key-${m[1]}.png`), png);
      const st = greyStats(decodePng(png));
      expect(st.sd, m[1]).toBeGreaterThan(10);
      expect(st.distinct, m[1]).toBeGreaterThan(50);
    }

    // Chromium prints the document to PDF
    const printer = await page.context().newPage();
    await printer.setContent(doc.text, { waitUntil: 'load' });
    const pdf = join(screenshotDir, 'report-document.pdf');
    await printer.pdf({ path: pdf, format: 'A4', printBackground: true });
    await printer.close();
    const tools = ['/usr/bin/pdftotext', '/usr/bin/pdftoppm'].every((p) => existsSync(p));
    if (tools) {
      const text = execFileSync('/usr/bin/pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' });
      expect(text).toContain('Planning aid, not a medical device');
      expect(text).toContain('Key images');
      for (const l of snap.lesions) for (const v of [l.volumeMl.toFixed(2), l.abc2Ml.toFixed(2), l.maxDiameterMm.toFixed(1)]) expect(text).toContain(v);
      const n = snap.trajectories[0]!;
      expect(text).toContain(n.depthMm.toFixed(1));
      expect(text).toContain(n.status.toUpperCase());
      execFileSync('/usr/bin/pdftoppm', ['-png', '-r', '60', pdf, join(screenshotDir, 'report-document-page')]);
    } else if (isCI) throw new Error('CI=true but pdftotext/pdftoppm (poppler-utils) are missing');
    else console.warn('[skip] poppler-utils not installed: the PDF is not checked');

    // the report over the app shows the key images too
    await clickMenuItem(page, 'sp-case-bar #open-report');
    await expect.poll(() => page.locator('sp-report figure.key-image img').count(), { timeout: 20_000 }).toBe(3);
    await page.locator('sp-report #close-report').click();
    expect(errors).toEqual([]);
    await page.context().close();
  }, 240_000);
});
