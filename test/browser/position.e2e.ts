/**
 * The scan's position on the screen: a real feet-first supine series (TCIA PROSTATEx MR, DICOM
 * PatientPosition FFS) loaded through the file input shows "feet first, supine" with the
 * procedure's prone position beside it, and the plan states its C-arm angles for the patient prone.
 */
import { join } from 'node:path';
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { requireBrowser, openApp, screenshot, useSession, loadThroughInput } from './harness';
import { requireShared, sharedDir } from '../helpers/shared';

const ok = requireBrowser() && requireShared();

describe.skipIf(!ok)('scan position', () => {
  const session = useSession();

  it('a feet-first supine scan says so, against the prone procedure', async () => {
    const dir = join(sharedDir, 'data', 'real-pelvis', 'prostatex-0218-t2sag-lower-sacrum', 'dicom');
    const files = readdirSync(dir, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).map((d) => join(d.parentPath, d.name));
    expect(files.length).toBe(23);
    const { page, errors } = await openApp(session(), { demo: false });
    await loadThroughInput(page, files);
    const s = await page.evaluate(() => window.sacroplan.snapshot());
    expect(s.series!.patientPosition).toBe('FFS');
    expect(s.series!.position.differsFromProcedure).toBe(true);
    const shown = await page.locator('#scan-position').textContent();
    expect(shown).toBe('FFS: feet first, supine (procedure: prone)');
    expect(await page.locator('#scan-position').getAttribute('title')).toMatch(/C-arm angles are given for the patient prone/);
    await screenshot(page, 'position-ffs');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('the demo (no DICOM header) says the position is not recorded; a needle\'s bull\'s-eye is labelled prone', async () => {
    const { page, errors } = await openApp(session());
    expect(await page.locator('#scan-position').textContent()).toBe('position not recorded (procedure: prone)');
    const t = await page.evaluate(() => window.sacroplan.demoCase() as any);
    const c = t.lesions[0].centerLps;
    await page.evaluate((p) => window.sacroplan.setTrajectory({ entryLps: [p[0] + 10, p[1] + 70, p[2] + 20], targetLps: p }), c);
    await expect.poll(() => page.locator('sp-plan-panel #traj-metrics').textContent()).toMatch(/bull's-eye \(prone\)/);
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
