/**
 * `report()` and the key images: on the demo with the 3D view and fluoroscopy shown, two lesions,
 * landmarks and an RF needle with cement, `report()` returns a PDF (application/pdf, made in the
 * page) with three embedded key images (axial view with overlays, 3D, fluoroscopy), each with image
 * content (pdfimages); pdftotext finds snapshot()'s numbers in its tables and no patient name when
 * anonymised; pdftoppm renders its pages to PNG (test-output/screenshots, to be looked at). The
 * report opened over the app shows the same key images, and its Download PDF saves a PDF.
 */
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireBrowser, openApp, screenshotDir, useSession, clickMenuItem, planDemoForReport } from './harness';
import { isCI } from '../helpers/shared';
import { decodePng, greyStats } from '../helpers/png';

const ok = requireBrowser();

describe.skipIf(!ok)('report() document and key images', () => {
  const session = useSession();

  it('PDF with three key images; its text holds snapshot()\'s numbers; anonymise; Download PDF', async () => {
    const { page, errors } = await openApp(session(), { width: 1600, height: 900, scene: true });
    await expect.poll(async () => (await page.evaluate(() => window.sacroplan.snapshot())).scene.boneTriangles, { timeout: 120_000, interval: 500 }).toBeGreaterThan(50_000);
    await planDemoForReport(page, { centre: true });
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

    // report(): a PDF made in the page
    const t0 = Date.now();
    const doc = await page.evaluate(async () => {
      const t = performance.now();
      const b = await window.sacroplan.report();
      const ms = performance.now() - t;
      return { type: b.type, ms, bytes: Array.from(new Uint8Array(await b.arrayBuffer())) };
    });
    const wallMs = Date.now() - t0;
    expect(doc.type).toBe('application/pdf');
    const bytes = Buffer.from(doc.bytes);
    expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    mkdirSync(screenshotDir, { recursive: true });
    const pdf = join(screenshotDir, 'report-api.pdf');
    writeFileSync(pdf, bytes);
    const anon = Buffer.from(await page.evaluate(async () => Array.from(new Uint8Array(await (await window.sacroplan.report({ anonymise: true })).arrayBuffer()))));
    const anonPdf = join(screenshotDir, 'report-api-anonymised.pdf');
    writeFileSync(anonPdf, anon);

    const tools = ['/usr/bin/pdftotext', '/usr/bin/pdftoppm', '/usr/bin/pdfimages', '/usr/bin/pdfinfo'].every((p) => existsSync(p));
    if (tools) {
      const text = execFileSync('/usr/bin/pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' });
      const pages = Number(/Pages:\s+(\d+)/.exec(execFileSync('/usr/bin/pdfinfo', [pdf], { encoding: 'utf8' }))?.[1]);
      console.log(`report() PDF: ${bytes.length} bytes, ${pages} pages, ${doc.ms.toFixed(0)} ms in the page (${wallMs} ms round trip)`);
      expect(text).toContain('Planning aid, not a medical device');
      expect(text).toContain('Key images');
      expect(text).toContain('DEMO^SACRUM');
      for (const l of snap.lesions) {
        for (const v of [l.name, l.shownVolumeMl.toFixed(2), l.abc2Ml.toFixed(2), l.maxDiameterMm.toFixed(1), l.zone === null ? '—' : `Denis ${l.zone}`]) expect(text, `${l.name} ${v}`).toContain(v);
        if (l.foraminaTouched.length) expect(text).toContain(l.foraminaTouched.join(', '));
      }
      const n = snap.trajectories[0]!;
      const row = text.split('\n').find((line) => line.includes(n.id) && line.includes(n.depthMm.toFixed(1)));
      expect(row, `needle row of ${n.id} with depth ${n.depthMm.toFixed(1)}`).toBeTruthy();
      expect(row).toContain(n.status.toUpperCase());
      if (n.canalClearanceMm !== null) expect(row).toContain(n.canalClearanceMm.toFixed(1));
      if (n.nearestForamen) expect(row).toContain(`${n.nearestForamen.id} ${n.nearestForamen.clearanceMm.toFixed(1)}`);
      if (n.cement) expect(row).toContain(n.cement.volumeMl.toFixed(2));
      if (n.ablation?.coverage != null) expect(text).toContain(`${Math.round(n.ablation.coverage * 100)} %`);
      // each reason in full, in drawing order (-raw: the verdict cell's wrapped lines one after another), spelled as Helvetica draws it
      const flat = execFileSync('/usr/bin/pdftotext', ['-raw', pdf, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
      for (const r of n.reasons) expect(flat, r).toContain(`- ${r.replace(/≤/g, '<=').replace(/≥/g, '>=').replace(/×/g, 'x').replace(/−/g, '-').replace(/\s+/g, ' ')}`);
      const anonText = execFileSync('/usr/bin/pdftotext', ['-layout', anonPdf, '-'], { encoding: 'utf8' });
      expect(anonText).not.toContain('DEMO^SACRUM');
      expect(anonText).not.toContain('SACROPLAN-DEMO');
      expect(anonText).toContain(snap.lesions[0]!.shownVolumeMl.toFixed(2));
      // three key images embedded, each with image content
      const prefix = join(screenshotDir, 'report-api-image');
      execFileSync('/usr/bin/pdfimages', ['-png', pdf, prefix]);
      const list = execFileSync('/usr/bin/pdfimages', ['-list', pdf], { encoding: 'utf8' }).trim().split('\n').slice(2);
      expect(list.length).toBe(3);
      for (let i = 0; i < 3; i++) {
        const st = greyStats(decodePng(readFileSync(`${prefix}-${String(i).padStart(3, '0')}.png`)));
        expect(st.sd, `image ${i}`).toBeGreaterThan(10);
        expect(st.distinct, `image ${i}`).toBeGreaterThan(50);
      }
      execFileSync('/usr/bin/pdftoppm', ['-png', '-r', '70', pdf, join(screenshotDir, 'report-api-page')]);
    } else if (isCI) throw new Error('CI=true but poppler-utils (pdftotext, pdftoppm, pdfimages, pdfinfo) are missing');
    else console.warn('[skip] poppler-utils not installed: the PDF is not read');

    // Report → Download PDF saves the same kind of file
    await clickMenuItem(page, 'sp-case-bar #open-report');
    await expect.poll(() => page.locator('sp-report figure.key-image img').count(), { timeout: 20_000 }).toBe(3);
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('sp-report #download-pdf').click()]);
    expect(download.suggestedFilename()).toBe('sacroplan-report.pdf');
    const saved = join(screenshotDir, 'report-download.pdf');
    await download.saveAs(saved);
    expect(readFileSync(saved).subarray(0, 5).toString('latin1')).toBe('%PDF-');
    await page.locator('sp-report #close-report').click();
    expect(errors).toEqual([]);
    await page.context().close();
  }, 240_000);
});
