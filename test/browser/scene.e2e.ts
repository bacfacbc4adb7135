/**
 * 3D planning scene and simulated fluoroscopy on the demo case: bone surface, lesions (grown from
 * the demo's lesion centres), landmarks and a needle in 3D; AP + lateral DRRs with overlays; the
 * GPU DRR against the CPU reference on the same phantom; a click on the bone moves the crosshair;
 * a screenshot per camera preset (test-output/screenshots/scene-*.png).
 */
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { requireBrowser, openApp, screenshot, useSession, screenshotDir } from './harness';
import { decodePng, greyStats } from '../helpers/png';
import { makeDemoPhantom } from '../../src/demo/phantom';
import { cArmGeometry, defaultSetup, renderDrrCpu, pearson } from '../../src/scene/carm';
import { CAMERA_PRESETS } from '../../src/render/scene-3d';
import { join } from 'node:path';

const ok = requireBrowser();

/** Landmarks found with one click, the three demo lesions grown, an RF electrode planned to the zone-1 lesion (posterior short axis). */
async function prepare(page: Page): Promise<{ truth: any; needleId: string }> {
  await page.click('sp-anatomy-panel #detect-anatomy');
  await expect.poll(async () => (await page.evaluate(() => window.sacroplan.snapshot())).anatomy.foramina.length, { timeout: 90_000 }).toBe(8);
  const truth = await page.evaluate(() => window.sacroplan.demoCase() as any);
  for (const les of truth.lesions) await page.evaluate((p) => window.sacroplan.segmentLesionAt(p), les.centerLps);
  const needleId = await page.evaluate(async () => {
    const s = window.sacroplan.snapshot();
    const les = s.lesions.find((l: any) => l.zone === 1)!;
    return window.sacroplan.planApproach(les.id, 'posterior-short-axis', { needle: '17G-rf-20' });
  });
  return { truth, needleId };
}

/** Move the fluoroscopy panel's needle slider as a user would (input events). */
async function setSlider(page: Page, value: number): Promise<void> {
  await page.locator('sp-fluoro #needle-advance').evaluate((el: HTMLInputElement, v) => {
    el.value = String(v);
    el.dispatchEvent(new Event('input', { bubbles: true }));
  }, value);
}

const scene3d = (page: Page) => page.locator('sp-scene-3d');

describe.skipIf(!ok)('3D scene and simulated fluoroscopy', () => {
  const session = useSession();

  it('shows the sacrum, lesions by zone, landmarks and a needle in 3D; AP + lateral DRRs; presets; click sets the crosshair', async () => {
    const { page, errors } = await openApp(session(), { width: 1600, height: 900, scene: true });
    await expect.poll(async () => (await page.evaluate(() => window.sacroplan.snapshot())).scene.boneTriangles, { timeout: 120_000, interval: 500 }).toBeGreaterThan(50_000);
    const snap0 = await page.evaluate(() => window.sacroplan.snapshot());
    expect(snap0.scene.boneIsoHu).toBe(400);
    const { needleId } = await prepare(page);
    await expect.poll(async () => {
      const m = (await page.evaluate(() => window.sacroplan.snapshot())).scene.meshes;
      const n = (k: string) => m.filter((x: any) => x.kind === k && x.triangles > 0).length;
      return { lesion: n('lesion'), foramen: n('foramen'), canal: n('canal') > 0, needle: n('needle'), ablation: n('ablation') > 0 };
    }, { timeout: 60_000, interval: 300 }).toEqual({ lesion: 3, foramen: 8, canal: true, needle: 1, ablation: true });
    const snap = await page.evaluate(() => window.sacroplan.snapshot());
    expect(snap.lesions.map((l: any) => l.zone).sort()).toEqual([1, 2, 3]);
    expect(snap.trajectories.find((t: any) => t.id === needleId)!.needle.outerDiameterMm).toBeCloseTo(1.47, 2);

    // camera presets: one screenshot each
    for (const p of CAMERA_PRESETS) {
      await page.evaluate((p) => { const el = document.querySelector('sp-app')!.shadowRoot!.querySelector('sp-scene-3d') as any; el.setPreset(p); return el.settle(); }, p);
      await page.waitForTimeout(150);
      await scene3d(page).screenshot({ path: join(screenshotDir, `scene-${p}.png`) });
      const st = greyStats(decodePng(await scene3d(page).locator('canvas').screenshot()));
      expect(st.sd, p).toBeGreaterThan(8);
    }

    // fluoroscopy: AP and lateral images with content
    for (const v of ['AP', 'lateral']) {
      const c = page.locator(`sp-fluoro canvas[data-view="${v}"]`);
      await expect.poll(async () => greyStats(decodePng(await c.screenshot())).sd, { timeout: 60_000 }).toBeGreaterThan(20);
    }
    await page.locator('sp-fluoro').screenshot({ path: join(screenshotDir, 'fluoro-biplane.png') });
    await screenshot(page, 'scene-app');

    // the teaching slider moves the needle tip
    await setSlider(page, 0.4);
    await expect.poll(async () => (await page.evaluate(() => window.sacroplan.snapshot())).trajectories[0]!.advance, { timeout: 20_000 }).toBeCloseTo(0.4, 5);
    await page.waitForTimeout(300);
    await page.locator('sp-fluoro').screenshot({ path: join(screenshotDir, 'fluoro-needle-40pct.png') });
    expect((await page.evaluate(() => window.sacroplan.snapshot())).scene.meshes.some((m: any) => m.kind === 'needle')).toBe(true);

    // Teaching: play advances (slow under software WebGL: every step redraws the 3D scene) the needle to the target; the ablation zones show on arrival, then the cement deposit.
    await page.click('sp-fluoro #needle-play');
    await expect.poll(async () => (await page.evaluate(() => window.sacroplan.snapshot())).trajectories[0]!.advance, { timeout: 120_000 }).toBe(1);
    await expect.poll(async () => (await page.evaluate(() => window.sacroplan.snapshot())).trajectories[0]!.cement?.volumeMl ?? 0, { timeout: 20_000 }).toBeGreaterThan(0);
    await expect.poll(async () => (await page.evaluate(() => window.sacroplan.snapshot())).scene.meshes.map((m: any) => m.id), { timeout: 20_000 }).toContain('cement');
    await page.waitForTimeout(500);
    await page.locator('sp-fluoro').screenshot({ path: join(screenshotDir, 'fluoro-cement.png') });
    await scene3d(page).screenshot({ path: join(screenshotDir, 'scene-cement.png') });
    // The Denis zone map as translucent surfaces.
    await page.check('sp-scene-3d #zones-3d');
    await expect.poll(async () => (await page.evaluate(() => window.sacroplan.snapshot())).scene.meshes.filter((m: any) => m.kind === 'zone' && m.triangles > 100).map((m: any) => m.id).sort(), { timeout: 60_000 }).toEqual(['1', '2', '3']);
    await page.evaluate(() => { const el = document.querySelector('sp-app')!.shadowRoot!.querySelector('sp-scene-3d') as any; el.setPreset('posterior'); return el.settle(); });
    await scene3d(page).screenshot({ path: join(screenshotDir, 'scene-zones.png') });
    await page.uncheck('sp-scene-3d #zones-3d');
    // Enlarged over the 2D views, as a teacher would show it.
    await page.click('sp-fluoro button.expand');
    await page.waitForTimeout(500);
    await screenshot(page, 'fluoro-expanded');
    expect((await page.locator('sp-fluoro canvas').first().boundingBox())!.width).toBeGreaterThan(350);
    await page.click('sp-fluoro button.expand');

    // inlet + outlet
    await page.selectOption('sp-fluoro #fluoro-layout', 'inlet-outlet');
    for (const v of ['inlet', 'outlet']) {
      const c = page.locator(`sp-fluoro canvas[data-view="${v}"]`);
      await expect.poll(async () => greyStats(decodePng(await c.screenshot())).sd, { timeout: 60_000 }).toBeGreaterThan(20);
    }
    await page.locator('sp-fluoro').screenshot({ path: join(screenshotDir, 'fluoro-inlet-outlet.png') });
    // the selected needle's bull's-eye and progression views, centred on its target
    await page.selectOption('sp-fluoro #fluoro-layout', 'needle');
    for (const v of ['bulls-eye', 'progression']) {
      const c = page.locator(`sp-fluoro canvas[data-view="${v}"]`);
      await expect.poll(async () => greyStats(decodePng(await c.screenshot())).sd, { timeout: 60_000 }).toBeGreaterThan(20);
    }
    await page.locator('sp-fluoro').screenshot({ path: join(screenshotDir, 'fluoro-needle-views.png') });

    // a click on the bone (posterior view, centre of the canvas) moves the crosshair onto the bone surface
    await page.evaluate(() => { const el = document.querySelector('sp-app')!.shadowRoot!.querySelector('sp-scene-3d') as any; el.setPreset('posterior'); return el.settle(); });
    await page.selectOption('sp-scene-3d #clip', 'none');
    const before = (await page.evaluate(() => window.sacroplan.snapshot())).crosshairLps!;
    const box = (await scene3d(page).locator('canvas').boundingBox())!;
    await page.mouse.click(box.x + box.width / 2, box.y + box.height * 0.45);
    await expect.poll(async () => (await page.evaluate(() => window.sacroplan.snapshot())).crosshairLps, { timeout: 10_000 }).not.toEqual(before);
    const after = (await page.evaluate(() => window.sacroplan.snapshot())).crosshairLps!;
    // on the bone surface: within 1.5 mm a voxel is ≥ 400 HU (the level)
    const near = await page.evaluate((p) => {
      let best = -Infinity;
      for (const dx of [-1.5, 0, 1.5]) for (const dy of [-1.5, 0, 1.5]) for (const dz of [-1.5, 0, 1.5]) best = Math.max(best, window.sacroplan.huAtLps([p[0]! + dx, p[1]! + dy, p[2]! + dz]) ?? -Infinity);
      return best;
    }, after);
    expect(near).toBeGreaterThanOrEqual(400);

    // drag the target handle in 3D: the trajectory follows and its metrics are re-computed
    await setSlider(page, 1);
    await page.evaluate(() => { const el = document.querySelector('sp-app')!.shadowRoot!.querySelector('sp-scene-3d') as any; el.setPreset('left-lateral'); return el.settle(); });
    const t0 = (await page.evaluate(() => window.sacroplan.snapshot())).trajectories.find((t: any) => t.id === needleId)!;
    const at = await page.evaluate((p) => (document.querySelector('sp-app')!.shadowRoot!.querySelector('sp-scene-3d') as any).screenOf(p), t0.targetLps);
    const cb = (await scene3d(page).locator('canvas').boundingBox())!;
    await page.mouse.move(cb.x + at[0], cb.y + at[1]);
    await page.mouse.down();
    for (let k = 1; k <= 5; k++) await page.mouse.move(cb.x + at[0], cb.y + at[1] - 6 * k);
    await page.mouse.up();
    await expect.poll(async () => {
      const t = (await page.evaluate(() => window.sacroplan.snapshot())).trajectories.find((x: any) => x.id === needleId)!;
      return t.targetLps[2]! - t0.targetLps[2]!;
    }, { timeout: 20_000 }).toBeGreaterThan(5);
    const t1 = (await page.evaluate(() => window.sacroplan.snapshot())).trajectories.find((t: any) => t.id === needleId)!;
    // the entry stays where the needle meets the skin: on the new line, next to where it was
    expect(Math.hypot(...[0, 1, 2].map((i) => t1.entryLps[i]! - t0.entryLps[i]!))).toBeLessThan(1.5);
    expect(Math.abs(t1.targetLps[0]! - t0.targetLps[0]!)).toBeLessThan(0.5); // the lateral view's drag plane is sagittal
    await expect.poll(async () => (await page.evaluate(() => window.sacroplan.snapshot())).trajectories.find((x: any) => x.id === needleId)!.depthMm, { timeout: 20_000 }).not.toBeCloseTo(t0.depthMm, 3);
    await scene3d(page).screenshot({ path: join(screenshotDir, 'scene-drag-target.png') });
    expect(errors).toEqual([]);
    await page.context().close();
  }, 420_000);

  it('drr(): GPU line integrals match the CPU reference on the demo phantom; projectLps; timing', async () => {
    const { page, errors } = await openApp(session());
    const res = await page.evaluate(async () => {
      const out: any = {};
      for (const view of ['AP', 'lateral'] as const) {
        const r = await window.sacroplan.drr({ view, sizePx: 128 });
        const t = window.sacroplan.demoCase() as any;
        out[view] = { width: r.width, height: r.height, data: r.data, engine: r.engine, tip: r.projectLps(t.lesions[0].centerLps) };
      }
      const times: number[] = [];
      for (let n = 0; n < 3; n++) times.push((await window.sacroplan.drr({ view: 'AP', sizePx: 512 })).ms);
      out.ms512 = times;
      out.bad = await window.sacroplan.drr({ view: 'PA' as any, sizePx: 64 }).then(() => 'resolved', (e: Error) => e.message);
      return out;
    });
    const demo = makeDemoPhantom({ spacingMm: 0.8 }).volume;
    for (const view of ['AP', 'lateral'] as const) {
      const r = res[view];
      expect(r.engine).toBe('webgl2');
      expect(r.data.length).toBe(128 * 128);
      const g = cArmGeometry(defaultSetup(demo.geometry, view, 128));
      const cpu = renderDrrCpu(demo, g);
      const corr = pearson(cpu, Float32Array.from(r.data));
      let maxRel = 0, maxCpu = 0;
      for (let n = 0; n < cpu.length; n++) maxCpu = Math.max(maxCpu, cpu[n]!);
      for (let n = 0; n < cpu.length; n++) maxRel = Math.max(maxRel, Math.abs(cpu[n]! - r.data[n]) / maxCpu);
      console.log(`[drr-gpu] ${view}: Pearson r = ${corr.toFixed(6)} GPU vs CPU, max |diff| = ${(100 * maxRel).toFixed(2)} % of max`);
      expect(corr).toBeGreaterThan(0.999);
      expect(maxRel).toBeLessThan(0.02);
      expect(r.tip[0]).toBeGreaterThan(0);
      expect(r.tip[0]).toBeLessThan(128);
    }
    console.log(`[drr-gpu] 512x512 AP on this machine (SwiftShader): ${res.ms512.map((x: number) => x.toFixed(0)).join(', ')} ms`);
    expect(res.bad).toMatch(/unknown C-arm view/);
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
