#!/usr/bin/env node
/**
 * bench/isosurface: bone isosurface of a 512×512×300 CT (the demo sacrum resampled to 0.375 ×
 * 0.3125 × 0.48 mm, int16; bench/isosurface-scene.ts), one run, same array for every peer:
 *   ours      marchingCubes (src/scene/isosurface.ts), welded, closed at the borders (node, this process)
 *   vtk.js    @kitware/vtk.js Filters/General/ImageMarchingCubes (mergePoints true = welded, no normals;
 *             the cornerstone dependency; same process)
 *   skimage   skimage.measure.marching_cubes via /usr/bin/python3 (bench/isosurface_skimage.py)
 * and, with --drr, the WebGL2 DRR 512×512 (AP) of the demo case in headless Chromium (SwiftShader
 * here) through window.sacroplan.drr on the built app (npx vite build first).
 *
 *   node bench/isosurface.mjs [runs=3] [--level HU (200)] [--vtk-runs N (= runs)] [--drr]
 *
 * Medians of `runs` timed runs after one warm-up (vtk.js: no warm-up, it takes ~20 s a run here).
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import os from 'node:os';
import { loadTs, median, repoRoot } from './lib.mjs';

const root = repoRoot;
const argv = process.argv.slice(2);
const flag = (name, def) => { const i = argv.indexOf(name); if (i < 0) return def; const v = argv[i + 1]; argv.splice(i, 2); return v; };
const bool = (name) => { const i = argv.indexOf(name); if (i < 0) return false; argv.splice(i, 1); return true; };
const level = +flag('--level', 200);
const vtkRunsArg = flag('--vtk-runs', null);
const doDrr = bool('--drr');
const runs = +(argv[0] ?? 3);
const vtkRuns = vtkRunsArg == null ? runs : +vtkRunsArg;

const [iso, { makeIsoScene }] = await loadTs('/src/scene/isosurface.ts', '/bench/isosurface-scene.ts');

let t = performance.now();
const vol = makeIsoScene();
console.log(`scene ${vol.geometry.dims.join('x')} built in ${((performance.now() - t) / 1000).toFixed(1)} s; level ${level} HU; ${os.cpus().length} CPUs, load ${os.loadavg()[0].toFixed(2)}`);

// ours
let mesh = iso.marchingCubes(vol.geometry, vol.voxels, { levelHu: level });
const ours = [];
for (let r = 0; r < runs; r++) { t = performance.now(); mesh = iso.marchingCubes(vol.geometry, vol.voxels, { levelHu: level }); ours.push(performance.now() - t); }
const edges = iso.edgeReport(mesh.indices, mesh.positionsLps.length / 3);
console.log(`ours     ${median(ours).toFixed(0)} ms  [${ours.map((x) => x.toFixed(0)).join(', ')}]  ${mesh.indices.length / 3} triangles, ${mesh.positionsLps.length / 3} vertices, open edges ${edges.boundaryEdges}`);

// vtk.js
const { default: vtkImageMarchingCubes } = await import('@kitware/vtk.js/Filters/General/ImageMarchingCubes.js');
const { default: vtkImageData } = await import('@kitware/vtk.js/Common/DataModel/ImageData.js');
const { default: vtkDataArray } = await import('@kitware/vtk.js/Common/Core/DataArray.js');
const img = vtkImageData.newInstance();
img.setDimensions(vol.geometry.dims); img.setSpacing(vol.geometry.spacingMm); img.setOrigin(vol.geometry.originLps);
img.getPointData().setScalars(vtkDataArray.newInstance({ numberOfComponents: 1, values: vol.voxels }));
const vtk = [];
let vtkTris = 0, vtkPts = 0;
const log = console.log;
for (let r = 0; r < vtkRuns; r++) {
  const mc = vtkImageMarchingCubes.newInstance({ contourValue: level, computeNormals: false, mergePoints: true });
  mc.setInputData(img);
  console.log = () => {}; // vtk.js prints its own timer
  t = performance.now(); mc.update(); const out = mc.getOutputData(); vtk.push(performance.now() - t);
  console.log = log;
  vtkTris = out.getPolys().getNumberOfCells(); vtkPts = out.getPoints().getNumberOfPoints();
}
console.log(`vtk.js   ${median(vtk).toFixed(0)} ms  [${vtk.map((x) => x.toFixed(0)).join(', ')}]  ${vtkTris} triangles, ${vtkPts} vertices`);

// skimage
const dir = join(os.tmpdir(), 'sacroplan-bench-iso');
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, 'vol.raw'), Buffer.from(vol.voxels.buffer, vol.voxels.byteOffset, vol.voxels.byteLength));
writeFileSync(join(dir, 'vol.json'), JSON.stringify(vol.geometry.toJSON()));
let sk = null;
try {
  sk = JSON.parse(execFileSync('/usr/bin/python3', [join(root, 'bench/isosurface_skimage.py'), join(dir, 'vol.raw'), join(dir, 'vol.json'), String(level), String(runs)], { encoding: 'utf8', maxBuffer: 1 << 24 }).trim().split('\n').pop());
  console.log(`skimage  ${sk.median.toFixed(0)} ms  [${sk.all.map((x) => x.toFixed(0)).join(', ')}]  ${sk.triangles} triangles, ${sk.vertices} vertices`);
} catch (e) {
  console.log(`skimage  unavailable: ${e.message.split('\n')[0]}`);
}
console.log(`ratio ours/vtk.js ${(median(ours) / median(vtk)).toFixed(3)} (target ≤ 0.7); ours/skimage ${sk ? (median(ours) / sk.median).toFixed(3) : 'n/a'}; target ours ≤ 1500 ms`);

// DRR in the browser
if (doDrr) {
  const { chromium } = await import('playwright-core');
  if (!existsSync(join(root, 'dist', 'index.html'))) throw new Error('no dist/: build first (npx vite build)');
  const port = 4800 + Math.floor(Math.random() * 500);
  const srv = spawn(process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), 'preview', '--host', '127.0.0.1', '--port', String(port), '--strictPort'], { cwd: root, stdio: 'ignore' });
  try {
    const base = `http://127.0.0.1:${port}/?scene=0`;
    for (let i = 0; ; i++) { try { if ((await fetch(base)).ok) break; } catch { /* wait */ } if (i > 300) throw new Error('preview did not start'); await new Promise((r) => setTimeout(r, 100)); }
    const browser = await chromium.launch({ executablePath: process.env.SACROPLAN_CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
    try {
      const page = await browser.newPage();
      await page.goto(base);
      await page.waitForFunction(() => typeof window.sacroplan?.ready === 'function', undefined, { timeout: 60_000 });
      const r = await page.evaluate(async (runs) => {
        await window.sacroplan.ready();
        const ms = [];
        const first = await window.sacroplan.drr({ view: 'AP', sizePx: 512 }); // upload + compile
        for (let n = 0; n < runs; n++) ms.push((await window.sacroplan.drr({ view: 'AP', sizePx: 512 })).ms);
        const gl = document.createElement('canvas').getContext('webgl2');
        const dbg = gl?.getExtension('WEBGL_debug_renderer_info');
        return { ms, first: first.ms, engine: first.engine, renderer: dbg ? gl.getParameter(dbg.UNMASKED_RENDERER_WEBGL) : 'unknown' };
      }, runs);
      console.log(`DRR 512x512 AP (${r.engine}, ${r.renderer}): ${median(r.ms).toFixed(0)} ms median [${r.ms.map((x) => x.toFixed(0)).join(', ')}], first call ${r.first.toFixed(0)} ms (with texture upload)`);
    } finally { await browser.close(); }
  } finally { srv.kill('SIGTERM'); }
}
