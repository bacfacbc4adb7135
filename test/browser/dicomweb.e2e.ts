/**
 * PACS over DICOMweb, against a real Orthanc (+ its DICOMweb plugin) started here on loopback with
 * its own storage, seeded with the default phantom through its REST API. The app is served by
 * `vite preview` with its same-origin proxy (/dicomweb → Orthanc). In headless Chromium, through the
 * PACS panel: connect, search (patient, dates, modality), list the series, load it (the voxels equal
 * the same files opened from disk), Cancel a slow download, grow a lesion, Store SEG; the SEG is
 * then found by QIDO and downloads (WADO-RS) byte-identical to what the page sent; Import on the
 * SEG series brings the deleted lesion back with the same voxels.
 */
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page, Request } from 'playwright-core';
import { requireBrowser, openApp, screenshot, startSession, loadThroughInput, type AppSession, growAt } from './harness';
import { requireShared, ensurePhantom, readTruth } from '../helpers/shared';
import { requireOrthanc, startOrthanc, multipartParts, type OrthancServer } from '../helpers/orthanc';

const ok = requireBrowser() && requireShared(true) && requireOrthanc();
const snap = (page: Page) => page.evaluate(() => window.sacroplan.snapshot());
const messages = async (page: Page) => (await snap(page)).messages.map((m) => m.text).join('\n');

describe.skipIf(!ok)('PACS over DICOMweb (Orthanc)', () => {
  let orthanc: OrthancServer | undefined;
  let session: AppSession | undefined;
  let phantom = '';
  let dicomFiles: string[] = [];

  beforeAll(async () => {
    phantom = ensurePhantom('default.json');
    dicomFiles = readdirSync(join(phantom, 'dicom')).filter((n) => n.endsWith('.dcm')).sort().map((n) => join(phantom, 'dicom', n));
    orthanc = await startOrthanc();
    await orthanc.upload(dicomFiles);
    session = await startSession({ SACROPLAN_DICOMWEB_TARGET: orthanc.dicomweb });
  });

  afterAll(async () => {
    await session?.close();
    await orthanc?.stop();
  });

  it('search, load over WADO-RS (same voxels as from disk), cancel, grow, Store SEG; QIDO finds it and it downloads byte-identical', async () => {
    const truth = readTruth(phantom);
    const { page, errors } = await openApp(session!, { demo: false });
    const requests: Request[] = [];
    page.on('request', (r) => requests.push(r));
    const origin = new URL(session!.baseUrl).origin;

    // Connect through the same-origin proxy; the Authorization header goes with every request but is not stored.
    await page.click('sp-pacs-panel #pacs-toggle');
    await expect(page.locator('sp-pacs-panel #pacs-url').inputValue()).resolves.toBe('/dicomweb');
    // A URL that is not a DICOMweb root (the app's own server answers with its page) is refused, not "connected".
    await page.fill('sp-pacs-panel #pacs-url', '/not-a-pacs');
    await page.click('sp-pacs-panel #pacs-connect');
    await expect.poll(() => page.locator('sp-pacs-panel [role="alert"]').textContent()).toMatch(/Study search failed: .*is http:\/\/127\.0\.0\.1:\d+\/not-a-pacs the server's DICOMweb root/);
    expect(await page.locator('sp-pacs-panel #pacs-search').count()).toBe(0);
    await page.fill('sp-pacs-panel #pacs-url', '/dicomweb');
    await page.fill('sp-pacs-panel #pacs-auth', 'Bearer sp-test-token');
    await page.click('sp-pacs-panel #pacs-connect');
    await page.locator('sp-pacs-panel #pacs-search').waitFor();
    const stored = await page.evaluate(() => localStorage.getItem('sacroplan.pacs') ?? '');
    expect(stored).toContain('/dicomweb');
    expect(stored).not.toContain('sp-test-token');

    // A search that matches nothing, then the phantom's study by name, date range and modality.
    await page.fill('sp-pacs-panel #pacs-patient', 'NOBODY');
    await page.click('sp-pacs-panel #pacs-search');
    await page.locator('sp-pacs-panel .status', { hasText: 'No study matches' }).waitFor();
    await page.fill('sp-pacs-panel #pacs-patient', 'phantom');
    await page.fill('sp-pacs-panel #pacs-from', '2023-12-01');
    await page.fill('sp-pacs-panel #pacs-to', '2024-01-31');
    await page.fill('sp-pacs-panel #pacs-modality', 'ct');
    await page.click('sp-pacs-panel #pacs-search');
    const study = page.locator('sp-pacs-panel li.pacs-study');
    await expect.poll(() => study.count()).toBe(1);
    const qido = requests.find((r) => /\/dicomweb\/studies\?/.test(r.url()) && /PatientName=[^&]*phantom/.test(r.url()))!;
    expect(decodeURIComponent(qido.url())).toMatch(/PatientName=\*phantom\*.*StudyDate=20231201-20240131.*ModalitiesInStudy=CT/);
    expect((await qido.allHeaders()).authorization).toBe('Bearer sp-test-token');
    await study.click();
    const seriesRow = page.locator('sp-pacs-panel li.pacs-series');
    await expect.poll(() => seriesRow.count()).toBe(1);
    await expect(seriesRow.textContent()).resolves.toMatch(new RegExp(`CT[\\s\\S]*${dicomFiles.length} inst`));

    // Cancel: every instance answer is held back, Cancel stops the download, nothing is shown.
    await page.route('**/dicomweb/studies/*/series/*/instances/*', async (route) => {
      await new Promise((r) => setTimeout(r, 400));
      await route.continue().catch(() => undefined);
    });
    await seriesRow.locator('button.pacs-load').click();
    await page.locator('#cancel-load').waitFor();
    await expect(page.locator('[role="progressbar"]').textContent()).resolves.toMatch(/Downloading .* from the PACS/);
    await page.click('#cancel-load');
    await expect.poll(() => messages(page)).toMatch(/Loading cancelled/);
    expect((await snap(page)).series).toBeFalsy();
    await page.unroute('**/dicomweb/studies/*/series/*/instances/*');

    // Load: the loading bar counts the instances; the volume equals the same files from disk.
    const t0 = Date.now();
    await seriesRow.locator('button.pacs-load').click();
    await page.locator('[role="progressbar"]').waitFor();
    await page.waitForFunction(() => window.sacroplan.snapshot().series !== null, undefined, { timeout: 60_000 }).catch(async (err) => {
      await screenshot(page, 'dicomweb-load-failed');
      throw new Error(`${(err as Error).message}; messages: ${await messages(page)}`);
    });
    await page.evaluate(() => window.sacroplan.whenIdle());
    const loadMs = Date.now() - t0;
    const s = await snap(page);
    expect(s.series?.source).toBe('dicom');
    expect(s.series?.dims[2]).toBe(dicomFiles.length);
    const fromPacs = await page.evaluate(() => window.sacroplan.voxelDigest());
    const wado = requests.filter((r) => /\/dicomweb\/studies\/[^/]+\/series\/[^/]+\/instances\/[^/?]+$/.test(r.url()));
    expect(wado.length).toBeGreaterThanOrEqual(dicomFiles.length);
    expect((await wado.at(-1)!.allHeaders()).accept).toMatch(/multipart\/related; type="application\/dicom"; transfer-syntax=\*/);
    console.log(`[dicomweb] ${dicomFiles.length} instances loaded over DICOMweb in ${loadMs} ms (click to shown, headless, through the proxy)`);
    await screenshot(page, 'dicomweb-loaded');

    // Grow a lesion on the loaded series with the Grow tool.
    const lesion = truth.lesions[0];
    await growAt(page, lesion.center_lps);

    // Store SEG (STOW-RS): the request's body is what the page sent.
    const [stow] = await Promise.all([
      page.waitForRequest((r) => r.method() === 'POST' && /\/dicomweb\/studies\/[^/]+$/.test(r.url())),
      page.click('sp-pacs-panel #pacs-store-seg'),
    ]);
    await expect.poll(() => messages(page), { timeout: 20_000 }).toMatch(/SEG stored on the PACS/);
    const sentParts = multipartParts(new Uint8Array(stow.postDataBuffer()!), (await stow.allHeaders())['content-type']!);
    expect(sentParts.length).toBe(1);
    const sent = sentParts[0]!;
    expect(Buffer.from(sent.subarray(128, 132)).toString('latin1')).toBe('DICM');
    const sopUid = /SOP instance ([0-9.]+)/.exec(await messages(page))![1]!;
    // The new SEG series appears in the panel's list.
    await expect.poll(() => page.locator('sp-pacs-panel li.pacs-series .mod', { hasText: 'SEG' }).count()).toBe(1);
    await screenshot(page, 'dicomweb-seg-stored');

    // QIDO (straight to Orthanc, not through the app) finds the SEG; WADO-RS gives the same bytes.
    const studyUid = String(truth.dicom.study_instance_uid);
    const q = (await (await fetch(`${orthanc!.dicomweb}/studies/${studyUid}/series?Modality=SEG`)).json()) as Record<string, { Value?: unknown[] }>[];
    expect(q.length).toBe(1);
    const segSeriesUid = String(q[0]!['0020000E']!.Value![0]);
    const inst = (await (await fetch(`${orthanc!.dicomweb}/studies/${studyUid}/series/${segSeriesUid}/instances`)).json()) as Record<string, { Value?: unknown[] }>[];
    expect(inst.map((i) => String(i['00080018']!.Value![0]))).toEqual([sopUid]);
    const r = await fetch(`${orthanc!.dicomweb}/studies/${studyUid}/series/${segSeriesUid}/instances/${sopUid}`, { headers: { Accept: 'multipart/related; type="application/dicom"; transfer-syntax=*' } });
    expect(r.ok).toBe(true);
    const got = multipartParts(new Uint8Array(await r.arrayBuffer()), r.headers.get('content-type')!);
    expect(got.length).toBe(1);
    expect(Buffer.compare(Buffer.from(got[0]!), Buffer.from(sent))).toBe(0);

    // Import from the PACS: the lesion, deleted, comes back from the stored SEG with the same voxels.
    const before = (await snap(page)).lesions[0]!;
    const digest = await page.evaluate(() => window.sacroplan.labelDigest());
    await page.evaluate(async (id) => { await window.sacroplan.deleteLesion(id); await window.sacroplan.whenIdle(); }, before.id);
    expect((await snap(page)).lesions).toEqual([]);
    await page.locator('sp-pacs-panel li.pacs-series', { hasText: 'SEG' }).locator('button.pacs-import-seg').click();
    await expect.poll(async () => (await snap(page)).lesions.length, { timeout: 20_000 }).toBe(1);
    await page.evaluate(() => window.sacroplan.whenIdle());
    expect((await snap(page)).lesions[0]!.voxelCount).toBe(before.voxelCount);
    expect(await page.evaluate(() => window.sacroplan.labelDigest())).toEqual(digest);
    await expect.poll(() => messages(page)).toMatch(/\(PACS\)" imported: Lesion 1 \(\d+ voxels\)/);

    // Every request of the page went to its own origin (the proxy), none to Orthanc directly.
    expect(requests.filter((x) => !x.url().startsWith(origin) && !x.url().startsWith('data:') && !x.url().startsWith('blob:')).map((x) => x.url())).toEqual([]);
    expect(errors).toEqual([]);

    // The same files from disk give the same voxels.
    const local = await openApp(session!, { demo: false });
    await loadThroughInput(local.page, dicomFiles);
    expect(await local.page.evaluate(() => window.sacroplan.voxelDigest())).toEqual(fromPacs);
    await local.page.context().close();
    await page.context().close();
  });
});
