/**
 * The batch command agrees with the app: on the default phantom, in Chromium, Find landmarks, Grow
 * a lesion, Plan a needle (real controls), save the plan; then `sacroplan analyze` over the same
 * files with that plan writes a CSV whose lesion and needle numbers equal `snapshot()`'s.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import type { Page } from 'playwright-core';
import { requireBrowser, openApp, useSession, loadThroughInput, growAt } from './harness';
import { requireShared, ensurePhantom, readTruth } from '../helpers/shared';
import { main } from '../../src/batch/cli';
import { parseCsv } from '../helpers/csv';

const ok = requireBrowser() && requireShared(true);
const snap = (page: Page) => page.evaluate(() => window.sacroplan.snapshot());
const num = (s: string | undefined) => (s === undefined || s === '' ? null : Number(s));

describe.skipIf(!ok)('batch command = app', () => {
  const session = useSession();

  it('default phantom: the CSV of `sacroplan analyze --plan` equals snapshot() for the lesion and the needle', async () => {
    const ph = ensurePhantom('default.json');
    const dir = join(ph, 'dicom');
    const truth = readTruth(ph);
    const { page, errors } = await openApp(session(), { demo: false });
    await loadThroughInput(page, readdirSync(dir).filter((n) => n.endsWith('.dcm')).map((n) => join(dir, n)));
    await page.click('#detect-anatomy');
    await expect.poll(async () => (await snap(page)).anatomy.foramina.length, { timeout: 60_000 }).toBe(8);
    await growAt(page, truth.lesions[0].center_lps);
    await page.click('sp-plan-panel #plan-button');
    await expect.poll(async () => (await snap(page)).trajectories.length, { timeout: 60_000 }).toBeGreaterThan(0);
    await page.evaluate(() => window.sacroplan.whenIdle());
    const s = await snap(page);
    const plan = await page.evaluate(async () => Array.from(new Uint8Array(await (await window.sacroplan.savePlan()).arrayBuffer())));
    const tmp = mkdtempSync(join(tmpdir(), 'sp-batch-e2e-'));
    writeFileSync(join(tmp, 'case.sacroplan'), new Uint8Array(plan));

    const log: string[] = [];
    const code = await main(['analyze', dir, '--plan', join(tmp, 'case.sacroplan'), '--out', join(tmp, 'out.csv')], { stdout: (l) => log.push(l), stderr: (l) => log.push(l) });
    expect(code, log.join('\n')).toBe(0);
    const rows = parseCsv(readFileSync(join(tmp, 'out.csv'), 'utf8'));
    const lesions = rows.filter((r) => r.kind === 'lesion');
    expect(lesions.map((r) => r.name)).toEqual(s.lesions.map((l) => l.name));
    for (const [k, l] of s.lesions.entries()) {
      const r = lesions[k]!;
      expect(num(r.voxel_count)).toBe(l.voxelCount);
      expect(num(r.volume_ml)).toBe(l.volumeMl);
      expect(num(r.partial_volume_ml)).toBe(l.partialVolumeMl ?? null);
      expect(num(r.abc2_ml)).toBe(l.abc2Ml);
      expect(num(r.max_diameter_mm)).toBe(l.maxDiameterMm);
      expect(num(r.mean_hu)).toBe(l.meanHu);
      expect(num(r.zone)).toBe(l.zone);
      expect([num(r.zone1_fraction), num(r.zone2_fraction), num(r.zone3_fraction)]).toEqual([l.zoneFractions!['1'], l.zoneFractions!['2'], l.zoneFractions!['3']]);
      expect(r.foramina_touched).toBe(l.foraminaTouched.join(' '));
      expect([num(r.centroid_l), num(r.centroid_p), num(r.centroid_s)]).toEqual(l.centroidLps);
    }
    const needles = rows.filter((r) => r.kind === 'needle');
    expect(needles.length).toBe(s.trajectories.length);
    for (const [k, t] of s.trajectories.entries()) {
      const r = needles[k]!;
      expect(r.approach).toBe(t.approach);
      expect(num(r.depth_mm)).toBe(t.depthMm);
      expect(r.nearest_foramen).toBe(t.nearestForamen?.id ?? '');
      expect(num(r.nearest_foramen_clearance_mm)).toBe(t.nearestForamen?.clearanceMm ?? null);
      expect(num(r.canal_clearance_mm)).toBe(t.canalClearanceMm);
      expect(num(r.bone_path_mm)).toBe(t.bonePathMm);
      expect(r.verdict).toBe(t.status);
      expect(r.reasons).toBe(t.reasons.join(' | '));
    }
    const study = rows.find((r) => r.kind === 'study')!;
    expect(num(study.foramina_trusted)).toBe(s.anatomy.foramina.filter((f) => f.confidence >= 0.6).length);
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
