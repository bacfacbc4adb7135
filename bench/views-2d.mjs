/**
 * The 2D views must not wait for the 3D view and the simulated fluoroscopy. On the built app in
 * headless Chromium (software WebGL, as on a machine without a GPU), the demo case with landmarks,
 * three lesions and a planned needle: the time from a user's input event (its timeStamp, so time
 * spent queued behind other work counts) to the end of the next painted frame, for
 *   - slice steps: mouse-wheel notches over the axial view, `gapMs` apart;
 *   - needle drags: pointer moves dragging a needle's entry handle in the coronal view;
 * with the 3D + fluoroscopy column on (the default) and off (`?scene=0`). Medians; ratio on/off.
 *
 *   npx vite build && node bench/views-2d.mjs [steps=40] [--gap ms=60]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { chromium } from 'playwright-core';
import { repoRoot, median } from './lib.mjs';

const args = process.argv.slice(2);
const steps = Number(args.find((a, i) => /^\d+$/.test(a) && args[i - 1] !== '--gap') ?? 40);
const gapMs = args.includes('--gap') ? Number(args[args.indexOf('--gap') + 1]) : 60;

async function freePort() {
  return new Promise((res) => { const s = createServer(); s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => res(p)); }); });
}

/** Records, for every input event of `type`, the time from its timeStamp to after the next frame. */
async function arm(page, type) {
  await page.evaluate((type) => {
    window.__lat = [];
    window.__latType = type;
    window.__long = [];
    if (!window.__latArmed) {
      window.__latArmed = true;
      new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__long.push([Math.round(e.startTime), Math.round(e.duration)]); }).observe({ entryTypes: ['longtask'] });
      for (const t of ['wheel', 'pointermove']) {
        window.addEventListener(t, (e) => {
          if (window.__latType !== t || (t === 'pointermove' && !e.buttons)) return;
          const ts = e.timeStamp;
          requestAnimationFrame(() => setTimeout(() => window.__lat.push(performance.now() - ts), 0));
        }, { capture: true, passive: true });
      }
    }
  }, type);
}

/** Top self times of a CPU profile (PROFILE=slice|drag). */
function summarize(profile, what) {
  const self = new Map();
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const dt = profile.timeDeltas; let i = 0;
  for (const sid of profile.samples) { const n = byId.get(sid); const k = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').pop()}:${n.callFrame.lineNumber}:${n.callFrame.columnNumber}`; self.set(k, (self.get(k) ?? 0) + (dt[i++] ?? 0) / 1000); }
  console.log(`profile (self ms) during ${what}:\n` + [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 15).map(([k, v]) => `${v.toFixed(0)} ${k}`).join('\n'));
}

export async function measure(page, { steps, gapMs }) {
  const snap = () => page.evaluate(() => window.sacroplan.snapshot());
  await page.click('sp-anatomy-panel #detect-anatomy');
  for (let i = 0; i < 600 && (await snap()).anatomy.foramina.length < 8; i++) await page.waitForTimeout(100);
  const t = await page.evaluate(() => window.sacroplan.demoCase());
  for (const les of t.lesions) await page.evaluate((p) => window.sacroplan.segmentLesionAt(p), les.centerLps);
  const s0 = await snap();
  const zone1 = s0.lesions.find((l) => l.zone === 1);
  const id = await page.evaluate((lid) => window.sacroplan.planApproach(lid, 'posterior-short-axis'), zone1.id);
  const tr = (await snap()).trajectories.find((x) => x.id === id);
  await page.evaluate((p) => window.sacroplan.setCrosshair(p), tr.targetLps);
  await page.evaluate(() => window.sacroplan.whenIdle());
  // let the bone surface, the DRRs and every deferred panel update finish
  for (let i = 0; i < 300 && (await page.locator('sp-scene-3d').count()) && !((await snap()).scene?.boneTriangles > 0); i++) await page.waitForTimeout(200);
  await page.waitForTimeout(3000);

  // Slice steps over the axial view
  const ax = await page.locator('sp-viewer .pane.axial').boundingBox();
  await page.mouse.move(ax.x + ax.width / 2, ax.y + ax.height / 2);
  await arm(page, 'wheel');
  let cdp0 = null;
  if (process.env.PROFILE === 'slice') { cdp0 = await page.context().newCDPSession(page); await cdp0.send('Profiler.enable'); await cdp0.send('Profiler.start'); }
  for (let i = 0; i < steps; i++) {
    await page.mouse.wheel(0, i % 20 < 10 ? 100 : -100);
    await page.waitForTimeout(gapMs);
  }
  await page.waitForTimeout(500);
  const slice = await page.evaluate(() => window.__lat.slice());
  if (cdp0) summarize((await cdp0.send('Profiler.stop')).profile, 'slice steps');
  if (process.env.VERBOSE) console.log('long tasks during the slice steps [start, ms]:', JSON.stringify(await page.evaluate(() => window.__long)), 'last 3D frame', await page.evaluate(() => document.querySelector('sp-app')?.shadowRoot?.querySelector('sp-scene-3d')?.scene?.lastRenderMs));

  // Needle drag in the coronal view
  await page.click('button[data-tool="crosshair"]');
  await page.waitForTimeout(1000);
  const pane = await page.locator('sp-viewer .pane.coronal').boundingBox();
  const handle = page.locator(`sp-viewer .pane.coronal g.needle[data-id="${id}"] rect.entry-handle`);
  const hx = pane.x + Number(await handle.getAttribute('x')) + 5, hy = pane.y + Number(await handle.getAttribute('y')) + 5;
  await arm(page, 'pointermove');
  let cdp = null;
  if (process.env.PROFILE === 'drag') { cdp = await page.context().newCDPSession(page); await cdp.send('Profiler.enable'); await cdp.send('Profiler.start'); }
  await page.mouse.move(hx, hy);
  await page.mouse.down();
  for (let i = 1; i <= steps; i++) {
    const a = (i / steps) * Math.PI * 2;
    await page.mouse.move(hx + 12 * Math.sin(a), hy + 8 * (1 - Math.cos(a)));
    await page.waitForTimeout(gapMs / 2);
  }
  await page.mouse.up();
  await page.waitForTimeout(500);
  const drag = await page.evaluate(() => window.__lat.slice());
  if (cdp) summarize((await cdp.send('Profiler.stop')).profile, 'the drag');
  return { slice, drag, needleId: id };
}

async function main() {
  const port = await freePort();
  const server = spawn(process.execPath, [join(repoRoot, 'node_modules/vite/bin/vite.js'), 'preview', '--host', '127.0.0.1', '--port', String(port), '--strictPort'], { cwd: repoRoot, stdio: 'ignore' });
  const base = `http://127.0.0.1:${port}/`;
  for (let i = 0; i < 200; i++) { try { if ((await fetch(base)).ok) break; } catch { /* not yet */ } await new Promise((r) => setTimeout(r, 150)); }
  const userDataDir = mkdtempSync(join(tmpdir(), 'sp-bench-'));
  const browser = await chromium.launch({ executablePath: process.env.SACROPLAN_CHROMIUM ?? '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  const rows = [];
  try {
    for (const scene of [true, false]) {
      const ctx = await browser.newContext({ viewport: { width: 1400, height: 860 } });
      const page = await ctx.newPage();
      await page.goto(base + (scene ? '' : '?scene=0'));
      await page.waitForFunction(() => typeof window.sacroplan?.ready === 'function');
      await page.evaluate(() => window.sacroplan.ready());
      const r = await measure(page, { steps, gapMs });
      rows.push({ scene, slice: median(r.slice), drag: median(r.drag), nSlice: r.slice.length, nDrag: r.drag.length, sliceMax: Math.max(...r.slice), dragMax: Math.max(...r.drag), all: r });
      await ctx.close();
    }
  } finally {
    await browser.close();
    server.kill('SIGTERM');
    rmSync(userDataDir, { recursive: true, force: true });
  }
  const [on, off] = rows;
  console.log(`input → next frame, headless Chromium (software WebGL), ${steps} steps, ${gapMs} ms apart (drag moves ${gapMs / 2} ms apart)`);
  console.log('| | slice step median (max) | needle drag median (max) |');
  console.log('|---|---|---|');
  if (process.env.VERBOSE) for (const r of rows) console.log(r.scene ? 'on' : 'off', JSON.stringify({ slice: r.all.slice.map(Math.round), drag: r.all.drag.map(Math.round) }));
  for (const r of rows) console.log(`| 3D + fluoro ${r.scene ? 'on' : 'off'} | ${r.slice.toFixed(1)} ms (${r.sliceMax.toFixed(0)}; n ${r.nSlice}) | ${r.drag.toFixed(1)} ms (${r.dragMax.toFixed(0)}; n ${r.nDrag}) |`);
  console.log(`| ratio on / off | ${(on.slice / off.slice).toFixed(2)} | ${(on.drag / off.drag).toFixed(2)} |`);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
