/**
 * Browser-test harness: serves the BUILT app (dist/, from `vite build`) with `vite preview` on
 * 127.0.0.1 and drives Debian's Chromium with playwright-core, as a user would.
 *
 * Needs /usr/bin/chromium (Debian package `chromium`), or SACROPLAN_CHROMIUM=/path/to/chrome.
 * Without a browser the suites skip with a reason locally and fail under CI=true.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { freePort } from '../helpers/net';
import { chromium, type Browser, type Page } from 'playwright-core';
import { beforeAll, afterAll, expect } from 'vitest';
import { repoRoot, isCI } from '../helpers/shared';
import type { Vec3 } from '../../src/core/vec3';

export const chromiumPath = process.env.SACROPLAN_CHROMIUM ?? '/usr/bin/chromium';
export const screenshotDir = join(repoRoot, 'test-output', 'screenshots');

export function browserUnavailableReason(): string | null {
  if (!existsSync(chromiumPath)) return `no Chromium at ${chromiumPath} (apt-get install -y chromium, or set SACROPLAN_CHROMIUM)`;
  if (!existsSync(join(repoRoot, 'dist', 'index.html'))) return 'dist/ is not built (run `npx vite build` first; `npm test` does it)';
  return null;
}

/** True when browser suites can run; prints the reason and skips locally, throws under CI. */
export function requireBrowser(): boolean {
  const reason = browserUnavailableReason();
  if (reason === null) return true;
  if (isCI) throw new Error(`CI=true but browser tests cannot run: ${reason}`);
  console.warn(`[skip] ${reason}`);
  return false;
}

export interface AppSession {
  browser: Browser;
  baseUrl: string;
  server: ChildProcess;
  userDataDir: string;
  close(): Promise<void>;
}

/** `env`: extra environment of the preview server (e.g. SACROPLAN_DICOMWEB_TARGET for its proxy). */
export async function startSession(env: Record<string, string> = {}): Promise<AppSession> {
  const port = await freePort();
  const server = spawn(process.execPath, [join(repoRoot, 'node_modules/vite/bin/vite.js'), 'preview', '--host', '127.0.0.1', '--port', String(port), '--strictPort'], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const baseUrl = `http://127.0.0.1:${port}/`;
  // Wait until the server answers.
  const t0 = Date.now();
  for (;;) {
    try {
      const r = await fetch(baseUrl);
      if (r.ok) break;
    } catch {
      /* not yet */
    }
    if (Date.now() - t0 > 30_000) throw new Error('vite preview did not start within 30 s');
    await new Promise((r) => setTimeout(r, 150));
  }
  const userDataDir = mkdtempSync(join(tmpdir(), 'sp-chromium-'));
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--user-data-dir=${userDataDir}`,
    ].filter((a) => !a.startsWith('--user-data-dir')),
  });
  return {
    browser,
    baseUrl,
    server,
    userDataDir,
    async close() {
      await browser.close().catch(() => {});
      server.kill('SIGTERM');
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

export interface OpenOptions {
  demo?: boolean;
  /** Show the 3D view and simulated fluoroscopy (default false: they cost seconds of software WebGL per page). */
  scene?: boolean;
  width?: number;
  height?: number;
}

/** Open the app in a fresh page and wait for window.sacroplan.ready(). Collects page errors. */
export async function openApp(session: AppSession, opts: OpenOptions = {}): Promise<{ page: Page; errors: string[]; dialogs: string[] }> {
  const context = await session.browser.newContext({ viewport: { width: opts.width ?? 1400, height: opts.height ?? 860 } });
  const page = await context.newPage();
  const errors: string[] = [];
  const dialogs: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('dialog', (d) => {
    // The unsaved-work question of a reload is answered "Leave" (recorded as 'beforeunload'); others are dismissed.
    const leave = d.type() === 'beforeunload';
    dialogs.push(leave ? 'beforeunload' : d.message());
    void (leave ? d.accept() : d.dismiss());
  });
  const query = [...(opts.demo === false ? ['demo=0'] : []), ...(opts.scene ? [] : ['scene=0'])];
  await page.goto(session.baseUrl + (query.length ? `?${query.join('&')}` : ''));
  await page.waitForFunction(() => typeof window.sacroplan?.ready === 'function', undefined, { timeout: 60_000 });
  await page.evaluate(() => window.sacroplan.ready());
  return { page, errors, dialogs };
}

/** Load files through the real file input, then wait until loading is over and the image shown. */
export async function loadThroughInput(page: Page, paths: string[]): Promise<void> {
  await page.setInputFiles('#file-input', paths);
  // The change event starts loading; wait for it to begin and end.
  await page.waitForTimeout(50);
  await page.evaluate(() => window.sacroplan.whenIdle());
}

/**
 * Clicks a control that lives in a toolbar menu (File, Case): opens its menu first, as a user would.
 * `selector` ends with the control's own selector, e.g. 'sp-case-bar #export-seg' or '#load-demo'.
 */
export async function clickMenuItem(page: Page, selector: string): Promise<void> {
  const item = page.locator(selector);
  if (!(await item.isVisible())) {
    const own = selector.trim().split(/\s+/).pop()!;
    await page.locator(`details.menu:has(${own}) > summary`).click();
  }
  await item.click();
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(screenshotDir, { recursive: true });
  const path = join(screenshotDir, `${name}.png`);
  await page.screenshot({ path });
  return path;
}

/**
 * Statistics of what a view actually shows (its canvas, without overlays): a blank or uniform
 * rendering has few grey levels and a tiny standard deviation.
 */
export async function viewContentStats(page: Page, view: 'axial' | 'sagittal' | 'coronal'): Promise<{ distinct: number; sd: number }> {
  const { decodePng, greyStats } = await import('../helpers/png');
  const canvas = page.locator(`sp-viewer .pane.${view} .cs canvas`).first();
  const png = await canvas.screenshot();
  return greyStats(decodePng(png));
}

/** One preview server + browser for a describe block: call at its top; returns the live session. */
export function useSession(): () => AppSession {
  let session: AppSession | undefined;
  beforeAll(async () => {
    session = await startSession();
  });
  afterAll(async () => {
    await session?.close();
  });
  return () => {
    if (!session) throw new Error('browser session not started');
    return session;
  };
}

/** Landmarks from the demo's definition, as if placed by hand; `omit`: foramina left out. */
export async function placeDemoLandmarks(page: Page, omit: string[] = []): Promise<any> {
  return page.evaluate(async (omit) => {
    const t = window.sacroplan.demoCase() as any;
    const midline = t.levels[0].bodyCentreLps;
    await window.sacroplan.setAnatomy({
      foramina: t.foramina.filter((f: any) => !omit.includes(f.id)).map((f: any) => ({ id: f.id, level: f.level, side: f.side, anteriorLps: f.anteriorLps, posteriorLps: f.posteriorLps, radiusMm: f.radiusMm, confidence: 1, source: 'manual' })),
      canal: { centerlineLps: t.canal.centrelineLps, radiusMm: t.canal.radiiMm, confidence: 1, source: 'manual' },
      frame: { midlinePointLps: [0, midline[1], midline[2]], midlineNormalLps: [1, 0, 0], bodyCentersLps: t.levels.map((l: any) => l.bodyCentreLps) },
    } as any);
    return t;
  }, omit);
}

/** Screen position of the crosshair centre in a view (the small circle of the overlay). */
export async function crosshairOnScreen(page: Page, view: string): Promise<{ x: number; y: number }> {
  const pane = page.locator(`sp-viewer .pane.${view}`);
  const box = (await pane.boundingBox())!;
  const c = pane.locator('svg.overlay circle[r="3"]').first();
  const cx = Number(await c.getAttribute('cx')), cy = Number(await c.getAttribute('cy'));
  return { x: box.x + cx, y: box.y + cy };
}

/** Screen position of a foramen's marker in a view, once it is drawn there. */
export async function foramenMarkerOnScreen(page: Page, id: string, view = 'axial'): Promise<{ x: number; y: number }> {
  const marker = page.locator(`sp-viewer .pane.${view} g.foramen-marker[data-foramen="${id}"] circle`);
  await expect.poll(() => marker.count()).toBe(1);
  const pane = (await page.locator(`sp-viewer .pane.${view}`).boundingBox())!;
  return { x: pane.x + Number(await marker.getAttribute('cx')), y: pane.y + Number(await marker.getAttribute('cy')) };
}

/** Grow a lesion as a user does: centre the views on `lps`, pick the Grow tool, click the crosshair
 *  in the axial view; resolves once the lesion voxels have grown and the case is idle. */
export async function growAt(page: Page, lps: readonly number[]): Promise<void> {
  const voxels = () => page.evaluate(() => window.sacroplan.snapshot().lesions.reduce((a, l) => a + l.voxelCount, 0));
  const before = await voxels();
  await page.evaluate((p) => window.sacroplan.setCrosshair(p as [number, number, number]), [...lps]);
  await page.waitForTimeout(200);
  await page.click('button[data-tool="regionGrow"]');
  const at = await crosshairOnScreen(page, 'axial');
  await page.mouse.click(at.x, at.y);
  await expect.poll(voxels, { timeout: 20_000 }).toBeGreaterThan(before);
  await page.evaluate(() => window.sacroplan.whenIdle());
}

/** The demo planned as the report tests need it: both lesions grown, landmarks found, one 17 G RF
 *  needle on lesion 1 with two burns and 2 mL of cement; `centre` puts the crosshair on its target. */
export async function planDemoForReport(page: Page, opts: { centre?: boolean } = {}): Promise<void> {
  const t = (await page.evaluate(() => window.sacroplan.demoCase())) as any;
  await page.evaluate(async ({ t, centre }) => {
    const a = await window.sacroplan.segmentLesionAt(t.lesions[0].centerLps);
    await window.sacroplan.segmentLesionAt(t.lesions[1].centerLps);
    await window.sacroplan.detectAnatomy();
    const p = t.lesions[0].centerLps;
    if (centre) window.sacroplan.setCrosshair(p);
    const n = await window.sacroplan.setTrajectory({ entryLps: [p[0] + 70, p[1] + 60, p[2]], targetLps: p, needle: '17G-rf-20', lesionId: a });
    await window.sacroplan.setAblation(n, { burns: 2 });
    await window.sacroplan.planCement(n, 2);
    await window.sacroplan.whenIdle();
  }, { t, centre: opts.centre ?? false });
}

export type View = 'axial' | 'sagittal' | 'coronal';

/** Screen position (page px) of an LPS point in a view: from the crosshair circle (at the crosshair) and the view's zoom (px/mm in its corner text); views are radiological (axial: right = L, down = P; sagittal: right = P, down = I; coronal: right = L, down = I). */
export async function screenOf(page: Page, view: View, lps: Vec3): Promise<{ x: number; y: number }> {
  const pane = page.locator(`sp-viewer .pane.${view}`);
  const { x: cx, y: cy } = await crosshairOnScreen(page, view);
  const text = (await pane.textContent()) ?? '';
  const zoom = Number(/Zoom ([\d.]+) px\/mm/.exec(text)![1]);
  const ch = (await page.evaluate(() => window.sacroplan.snapshot())).crosshairLps!;
  const d = [lps[0] - ch[0], lps[1] - ch[1], lps[2] - ch[2]];
  if (view === 'axial') return { x: cx + d[0]! * zoom, y: cy + d[1]! * zoom };
  if (view === 'sagittal') return { x: cx + d[1]! * zoom, y: cy - d[2]! * zoom };
  return { x: cx + d[0]! * zoom, y: cy - d[2]! * zoom };
}

/** A mouse drag through LPS points in a view (Shift held when asked). */
export async function drag(page: Page, view: View, pts: Vec3[], shift = false): Promise<void> {
  const scr = [];
  for (const p of pts) scr.push(await screenOf(page, view, p));
  if (shift) await page.keyboard.down('Shift');
  await page.mouse.move(scr[0]!.x, scr[0]!.y);
  await page.mouse.down();
  for (const s of scr.slice(1)) await page.mouse.move(s.x, s.y, { steps: 2 });
  await page.mouse.up();
  if (shift) await page.keyboard.up('Shift');
  await page.evaluate(() => window.sacroplan.whenIdle());
}

/** A circle of radius r (mm) around c in the plane of two LPS axes. */
export const ring = (c: Vec3, r: number, a: number, b: number): Vec3[] =>
  Array.from({ length: 33 }, (_, t) => { const p: Vec3 = [c[0], c[1], c[2]]; p[a] = p[a]! + r * Math.cos((2 * Math.PI * t) / 32); p[b] = p[b]! + r * Math.sin((2 * Math.PI * t) / 32); return p; });

/** Make the brush at most `mm` with the '[' key, as a user would press it. */
export async function smallBrush(page: Page, mm: number): Promise<void> {
  // '[' makes the brush 0.5 mm smaller, as a user would press it
  for (let n = 0; n < 40 && Number(await page.inputValue('sp-lesion-panel #brush-radius')) > mm; n++) await page.keyboard.press('[');
}
