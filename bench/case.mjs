#!/usr/bin/env node
/**
 * bench/case: the open case on a 512×512×300 CT (bench/segment-scene.ts, 0.7×0.7×1 mm) with five
 * lesions (painted balls, r 8 mm):
 *   node (the CaseEngine the case worker runs, same V8):
 *     undo of a 30 mm brush stroke (30 mm long, r 4 mm; and a 30 mm-wide brush, r 15 mm), incl. the
 *     touched lesion's fresh statistics; writing the plan (.sacroplan bytes); reading it back and
 *     loading it (what a restore does in the worker)
 *   browser (headless Chromium, the built app, the case in its worker): per autosave the main
 *     thread's own time (the autosaver's synchronous parts) and the longest main-thread stall
 *     while it runs (a 4 ms interval probe), the change → stored latency; restoreAutosave() wall
 *     time; undo of the 30 mm stroke through window.sacroplan.undo()
 *
 *   npx vite build && node bench/case.mjs [runs=7]
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import os from 'node:os';
import { chromium } from 'playwright-core';
import { loadTs, median, repoRoot } from './lib.mjs';

const runs = +(process.argv[2] ?? 7);
const [{ makeSegmentScene }, { niftiHeader }, { CaseEngine }, { writePlan, readPlan }, { seriesIdentity }] = await loadTs('/bench/segment-scene.ts', '/test/helpers/nifti.ts', '/src/case/engine.ts', '/src/case/plan-file.ts', '/src/case/identity.ts');
const fmt = (xs) => xs.map((x) => x.toFixed(1)).join(', ');
const line = (what, xs, target) => console.log(`${what}: median ${median(xs).toFixed(1)} ms (runs ${fmt(xs)})${target ? `   target ${target}` : ''}`);

const scene = makeSegmentScene();
const v = scene.volume;
console.log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model}; load ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}; node ${process.version}; volume ${v.geometry.dims.join('×')}`);
const C = scene.lyticCenterLps;
const centres = [[C[0], C[1], C[2]], [C[0] - 30, C[1], C[2] - 20], [C[0] - 40, C[1] + 5, C[2] + 20], [C[0] + 25, C[1] - 5, C[2] + 25], [C[0] - 10, C[1] + 10, C[2] - 35]];

// ---------------------------------------------------------------- node: the engine
{
  const e = new CaseEngine(v);
  for (const c of centres) {
    const id = e.run({ type: 'addLesion' }).info.lesionId;
    e.run({ type: 'stroke', lesionId: id, fromLps: c, toLps: c, radiusMm: 8 });
  }
  const lesion = e.doc.lesions[0].id;
  const undoMs = { r4: [], r15: [] }, showMs = { r4: [], r15: [] }, statsMs = { r4: [], r15: [] };
  for (const [key, r] of [['r4', 4], ['r15', 15]]) {
    for (let n = 0; n < runs; n++) {
      const z = C[2] + 12 + (n % 3);
      e.run({ type: 'stroke', lesionId: lesion, fromLps: [C[0] - 15, C[1], z], toLps: [C[0] + 15, C[1], z], radiusMm: r, gesture: `b${key}${n}` }, { defer: true });
      e.endGesture();
      const t0 = performance.now();
      e.undo({ defer: true });
      const t1 = performance.now();
      e.refresh();
      const t2 = performance.now();
      showMs[key].push(t1 - t0);
      statsMs[key].push(t2 - t1);
      undoMs[key].push(t2 - t0);
    }
  }
  line('node: undo of a 30 mm stroke (r 4 mm): voxels back (what the view shows)', showMs.r4, '≤ 50 ms');
  line('node:   … then the lesion statistics (partial-volume estimate included)', statsMs.r4);
  line('node: undo of a 30 mm-wide brush stroke (r 15 mm, 30 mm long): voxels back', showMs.r15, '≤ 50 ms');
  line('node:   … then the lesion statistics', statsMs.r15);
  line('node: undo of the 30 mm stroke (r 4 mm) incl. statistics', undoMs.r4);
  const id = seriesIdentity(v.geometry, null, null);
  const meta = { appVersion: 'bench', savedAt: new Date().toISOString(), series: id };
  const writeMs = [], readMs = [];
  let bytes = null;
  for (let n = 0; n < runs; n++) {
    let t0 = performance.now();
    bytes = writePlan(e.doc, e.labels.data, meta);
    writeMs.push(performance.now() - t0);
    t0 = performance.now();
    const p = readPlan(bytes, id, e.labels.data.length);
    e.load(p.doc, p.labels, p.sacrumMask);
    readMs.push(performance.now() - t0);
  }
  line(`node (case worker): write the plan, five lesions (${(bytes.length / 1024).toFixed(1)} kB)`, writeMs);
  line('node (case worker): read + check + load the plan, with statistics', readMs);
}

// ---------------------------------------------------------------- browser: the app
const dist = join(repoRoot, 'dist');
if (!existsSync(join(dist, 'index.html'))) throw new Error('build first: npx vite build');
const dir = '/tmp/sacroplan-bench';
mkdirSync(dir, { recursive: true });
const nii = join(dir, 'case512x300-ct-lps.nii');
if (!existsSync(nii)) {
  const [ni, nj, nk] = v.geometry.dims, [sx, sy, sz] = v.geometry.spacingMm;
  // a row of air (−1000 HU) in the first slice: the NIfTI reader then takes the values as CT (HU)
  const air = new Int16Array(v.voxels.buffer, v.voxels.byteOffset, ni).slice();
  v.voxels.fill(-1000, 0, ni);
  // the sform maps to RAS: x and y flip sign, so the file's LPS grid is the scene's
  const [ox, oy, oz] = v.geometry.originLps;
  const h = niftiHeader({ dims: [ni, nj, nk], pixdim: [sx, sy, sz], slope: 1, inter: 0, sform: [-sx, 0, 0, -ox, 0, -sy, 0, -oy, 0, 0, sz, oz] });
  writeFileSync(nii, Buffer.concat([Buffer.from(h), Buffer.from(v.voxels.buffer, v.voxels.byteOffset, v.voxels.byteLength)]));
  v.voxels.set(air, 0);
}
const port = 4300 + Math.floor(Math.random() * 500);
const server = spawn(process.execPath, [join(repoRoot, 'node_modules/vite/bin/vite.js'), 'preview', '--host', '127.0.0.1', '--port', String(port), '--strictPort'], { cwd: repoRoot, stdio: 'ignore' });
try {
  const base = `http://127.0.0.1:${port}/`;
  for (let t = 0; ; t++) {
    try { if ((await fetch(base)).ok) break; } catch { /* wait */ }
    if (t > 300) throw new Error('preview server did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
  const browser = await chromium.launch({ executablePath: process.env.SACROPLAN_CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
    page.on('dialog', (d) => void d.accept());
    await page.goto(base + '?demo=0&scene=0');
    await page.waitForFunction(() => typeof window.sacroplan?.ready === 'function');
    await page.evaluate(() => window.sacroplan.ready());
    const load = async () => {
      await page.setInputFiles('#file-input', nii);
      await page.waitForTimeout(100);
      await page.evaluate(() => window.sacroplan.whenIdle());
    };
    await load();
    const lps = (p) => [p[0], p[1], p[2]];
    const s0 = await page.evaluate(() => window.sacroplan.snapshot());
    console.log(`browser: ${s0.series.dims.join('×')} ${s0.series.modality} loaded (${s0.series.source}); chromium ${browser.version()}`);
    const ids = [];
    for (const [n, c] of centres.entries()) {
      await page.click('sp-lesion-panel #new-lesion');
      await page.waitForFunction((n) => window.sacroplan.snapshot().lesions.length === n + 1, n);
      ids.push(await page.evaluate((p) => window.sacroplan.paint({ centerLps: p, radiusMm: 8 }), lps(c)));
    }
    await page.evaluate(() => window.sacroplan.whenIdle());
    const painted = (await page.evaluate(() => window.sacroplan.snapshot())).lesions;
    const nLesions = painted.length;
    console.log(`browser: lesions of ${painted.map((l) => l.voxelCount).join(', ')} voxels`);
    const main = [], stall = [], latency = [];
    for (let n = 0; n < runs; n++) {
      const r = await page.evaluate(async ([id, p, n]) => {
        const before = window.sacroplan.autosaveStatus().savedAt;
        let last = performance.now(), maxGap = 0;
        const probe = setInterval(() => { const t = performance.now(); maxGap = Math.max(maxGap, t - last); last = t; }, 4);
        // a small ball beside the lesion (new voxels: a real change)
        await window.sacroplan.paint({ centerLps: [p[0] + 12 + 3 * n, p[1], p[2]], radiusMm: 1.5, lesionId: id });
        for (let t = 0; t < 500 && window.sacroplan.autosaveStatus().savedAt === before; t++) await new Promise((res) => setTimeout(res, 10));
        clearInterval(probe);
        const s = window.sacroplan.autosaveStatus();
        return { main: s.lastMainThreadMs, latency: s.lastLatencyMs, stall: maxGap, state: s.state, error: s.error };
      }, [ids[0], lps(centres[0]), n]);
      if (r.state !== 'saved') throw new Error(`autosave ${r.state}: ${r.error}`);
      main.push(r.main); stall.push(r.stall); latency.push(r.latency);
    }
    line(`browser: autosave, ${nLesions} lesions, main-thread time of the autosaver`, main, '≤ 100 ms');
    line('browser: autosave, longest main-thread stall while it ran (4 ms probe; includes the edit)', stall);
    line('browser: autosave, change → stored', latency, '≤ 1000 ms');
    // undo of a 30 mm stroke through the API (the worker's undo + statistics + the projection)
    const undoShow = [], undoAll = [];
    for (let n = 0; n < runs; n++) {
      const r = await page.evaluate(async ([id, p, n]) => {
        const z = p[2] + 12 + (n % 3);
        await window.sacroplan.paint({ fromLps: [p[0] - 15, p[1], z], toLps: [p[0] + 15, p[1], z], radiusMm: 4, lesionId: id });
        await window.sacroplan.whenIdle();
        const redo = document.querySelector('sp-app').shadowRoot.querySelector('sp-lesion-panel').shadowRoot.querySelector('#redo');
        if (!redo.disabled) throw new Error('redo should be disabled after an edit');
        const t0 = performance.now();
        window.dispatchEvent(new KeyboardEvent('keydown', { key: 'z', ctrlKey: true }));
        // the undone state is projected when Redo becomes possible (the same store update redraws the overlay)
        while (redo.disabled) await new Promise((res) => setTimeout(res, 1));
        const t1 = performance.now();
        await window.sacroplan.whenIdle();
        return { show: t1 - t0, all: performance.now() - t0 };
      }, [ids[0], lps(centres[0]), n]);
      undoShow.push(r.show); undoAll.push(r.all);
    }
    line('browser: Ctrl+Z of a 30 mm stroke (r 4 mm): until the undone state is projected (Redo enabled)', undoShow, '≤ 50 ms');
    line('browser:   … until the answer with fresh statistics is projected', undoAll);
    // restore: reload, open the same image, Restore
    await page.evaluate(() => window.sacroplan.whenIdle());
    await page.reload();
    await page.waitForFunction(() => typeof window.sacroplan?.ready === 'function');
    await page.evaluate(() => window.sacroplan.ready());
    await load();
    const restoreShow = [], restoreAll = [];
    for (let n = 0; n < runs; n++) {
      const r = await page.evaluate(async () => {
        // the Restore button, timed until the restored lesions are shown, then until their statistics are in
        const bar = document.querySelector('sp-app').shadowRoot.querySelector('sp-case-bar');
        for (let t = 0; t < 300 && !bar.shadowRoot.querySelector('#restore-autosave'); t++) await new Promise((res) => setTimeout(res, 10));
        const button = bar.shadowRoot.querySelector('#restore-autosave');
        if (!button) throw new Error('no restore offer');
        const t0 = performance.now();
        button.click();
        while (window.sacroplan.snapshot().lesions.length === 0) await new Promise((res) => setTimeout(res, 1));
        const t1 = performance.now();
        while (window.sacroplan.snapshot().lesions.some((l) => !l.voxelCount)) await new Promise((res) => setTimeout(res, 1));
        return { show: t1 - t0, all: performance.now() - t0 };
      });
      restoreShow.push(r.show); restoreAll.push(r.all);
      if (n + 1 < runs) { await page.reload(); await page.waitForFunction(() => typeof window.sacroplan?.ready === 'function'); await page.evaluate(() => window.sacroplan.ready()); await load(); }
    }
    const back = (await page.evaluate(() => window.sacroplan.snapshot())).lesions.length;
    line(`browser: Restore (${back} lesions back): IndexedDB read + checks + load, until the masks are shown`, restoreShow, '≤ 1000 ms');
    line('browser:   … until every lesion\'s statistics are shown', restoreAll);
  } finally {
    await browser.close();
  }
} finally {
  server.kill();
}
