/**
 * The printable report: on the demo with two lesions, landmarks and an RF electrode with cement,
 * Report (case bar) shows the tables; their numbers equal snapshot() at the printed precision; the
 * anonymise switch removes the patient's name and ID; Chromium prints it to PDF (page.pdf), whose
 * text (pdftotext) holds the same numbers and the disclaimer, and whose first page is rendered to
 * PNG (pdftoppm) into test-output/screenshots to be looked at.
 */
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { requireBrowser, openApp, screenshotDir, useSession, clickMenuItem, planDemoForReport } from './harness';
import { isCI } from '../helpers/shared';

const ok = requireBrowser();

describe.skipIf(!ok)('printable report', () => {
  const session = useSession();

  it('tables equal snapshot(), anonymise hides the patient, prints to PDF', async () => {
    const { page, errors } = await openApp(session());
    await planDemoForReport(page);
    const snap = await page.evaluate(() => window.sacroplan.snapshot());
    expect(snap.lesions.length).toBe(2);
    expect(snap.trajectories.length).toBe(1);

    await clickMenuItem(page, 'sp-case-bar #open-report');
    const report = page.locator('sp-report');
    await expect.poll(() => report.locator('tr.lesion').count()).toBe(2);
    for (const l of snap.lesions) {
      const row = report.locator(`tr.lesion[data-id="${l.id}"]`);
      expect(await row.locator('.name').textContent()).toBe(l.name);
      expect(await row.locator('.volume').textContent()).toBe(`${l.shownVolumeMl.toFixed(2)}${l.shownVolumeBasis === 'partial-volume' ? ' (PV)' : ''}`);
      expect(await row.locator('.abc2').textContent()).toBe(l.abc2Ml.toFixed(2));
      expect(await row.locator('.diameter').textContent()).toBe(l.maxDiameterMm.toFixed(1));
      expect(await row.locator('.zone').textContent()).toBe(l.zone === null ? '—' : l.zoneBorderline ? `Denis ${l.zoneBorderline.join('/')} border, check` : `Denis ${l.zone}`);
      expect(await row.locator('.foramina').textContent()).toBe(l.foraminaTouched.length ? l.foraminaTouched.join(', ') : 'none');
      expect(await row.locator('.criteria').textContent()).toMatch(/criteria/i);
    }
    const n = snap.trajectories[0]!;
    const nrow = report.locator(`tr.needle[data-id="${n.id}"]`);
    expect(await nrow.locator('.depth').textContent()).toBe(n.depthMm.toFixed(1));
    expect(await nrow.locator('.canal').textContent()).toBe(n.canalClearanceMm === null ? '—' : n.canalClearanceMm.toFixed(1));
    expect(await nrow.locator('.foramen').textContent()).toBe(n.nearestForamen ? `${n.nearestForamen.id} ${n.nearestForamen.clearanceMm.toFixed(1)}` : '—');
    expect(await nrow.locator('.verdict span').textContent()).toBe(n.status.toUpperCase());
    expect(await nrow.locator('.verdict li').allTextContents()).toEqual(n.reasons);
    expect(await nrow.locator('.coverage').textContent()).toBe(n.ablation?.coverage == null ? '—' : `${Math.round(n.ablation.coverage * 100)} %`);
    expect(await nrow.locator('.cement').textContent()).toBe(n.cement ? n.cement.volumeMl.toFixed(2) : '—');
    expect(await report.locator('table.identifiers').textContent()).toContain('DEMO^SACRUM');

    // Anonymise: no name, no ID.
    await report.locator('#anonymise').check();
    await expect.poll(() => report.locator('table.identifiers').textContent()).not.toContain('DEMO^SACRUM');
    expect(await report.locator('table.identifiers').textContent()).not.toContain('SACROPLAN-DEMO');

    // Print to PDF (Chromium's print path: only the report is printed).
    mkdirSync(screenshotDir, { recursive: true });
    const pdf = join(screenshotDir, 'report.pdf');
    await page.pdf({ path: pdf, format: 'A4', printBackground: true });
    const tools = ['/usr/bin/pdftotext', '/usr/bin/pdftoppm'].every((p) => existsSync(p));
    if (tools) {
      const text = execFileSync('/usr/bin/pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' });
      expect(text).toContain('Planning aid, not a medical device');
      expect(text).not.toContain('DEMO^SACRUM');
      expect(text).not.toContain('Crosshair'); // the app's toolbar is not printed
      for (const l of snap.lesions) for (const v of [l.shownVolumeMl.toFixed(2), l.abc2Ml.toFixed(2), l.maxDiameterMm.toFixed(1)]) expect(text).toContain(v);
      expect(text).toContain(n.depthMm.toFixed(1));
      execFileSync('/usr/bin/pdftoppm', ['-png', '-r', '70', '-f', '1', '-l', '1', pdf, join(screenshotDir, 'report-page')]);
    } else if (isCI) throw new Error('CI=true but pdftotext/pdftoppm (poppler-utils) are missing');
    else console.warn('[skip] poppler-utils not installed: the PDF text is not checked');
    await report.locator('#close-report').click();
    expect(await page.locator('sp-report').count()).toBe(0);
    expect(errors).toEqual([]);
    await page.context().close();
  }, 180_000);
});
