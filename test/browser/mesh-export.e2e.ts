/**
 * Mesh export on the demo case as a user does it: grow a lesion (Grow tool + click), then the 3D
 * bar's Export mesh (STL zip, then OBJ); the downloads are parsed here: bone and lesion present,
 * "SPACE=LPS" headers, the lesion's centre at the demo's lesion centre in LPS mm (not the three.js
 * scene frame), inside the bone's bounds.
 */
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { mkdtempSync } from 'node:fs';
import { unzipSync, strFromU8 } from 'fflate';
import { requireBrowser, openApp, useSession, screenshotDir, crosshairOnScreen } from './harness';

const ok = requireBrowser();

type Box = { min: number[]; max: number[]; centre: number[]; triangles: number };

/** Bounds and vertex mean of a binary STL's triangles. */
function stlBox(bytes: Uint8Array): Box & { header: string } {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = dv.getUint32(80, true);
  expect(bytes.byteLength).toBe(84 + 50 * n);
  const pts: number[][] = [];
  for (let t = 0; t < n; t++) for (let v = 0; v < 3; v++) pts.push([0, 1, 2].map((a) => dv.getFloat32(84 + 50 * t + 12 + 12 * v + 4 * a, true)));
  return { ...box(pts), header: strFromU8(bytes.subarray(0, 80)), triangles: n };
}

function box(pts: number[][]): Box {
  const min = [Infinity, Infinity, Infinity], max = [-Infinity, -Infinity, -Infinity], centre = [0, 0, 0];
  for (const p of pts) for (let a = 0; a < 3; a++) { min[a] = Math.min(min[a]!, p[a]!); max[a] = Math.max(max[a]!, p[a]!); centre[a]! += p[a]! / pts.length; }
  return { min, max, centre, triangles: 0 };
}

/** Vertex bounds of each named object of an OBJ text. */
function objBoxes(text: string): Map<string, Box> {
  const out = new Map<string, number[][]>();
  let cur: number[][] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('o ')) { cur = []; out.set(line.slice(2).trim(), cur); }
    else if (line.startsWith('v ')) cur.push(line.split(/\s+/).slice(1, 4).map(Number));
  }
  return new Map([...out].map(([k, v]) => [k, box(v)]));
}

const inside = (inner: Box, outer: Box) => [0, 1, 2].every((a) => inner.min[a]! >= outer.min[a]! - 1 && inner.max[a]! <= outer.max[a]! + 1);

describe.skipIf(!ok)('mesh export (STL, OBJ) of the demo case', () => {
  const session = useSession();

  it('grows a lesion, Export mesh downloads bone + lesion in LPS mm (STL zip and OBJ)', async () => {
    const { page, errors } = await openApp(session(), { width: 1600, height: 900, scene: true });
    await expect.poll(async () => (await page.evaluate(() => window.sacroplan.snapshot())).scene.boneTriangles, { timeout: 120_000, interval: 500 }).toBeGreaterThan(10_000);
    const truth = (await page.evaluate(() => window.sacroplan.demoCase())) as { lesions: { centerLps: [number, number, number]; zone: number }[] };
    const lesion = truth.lesions.find((l) => l.zone === 3)!;
    await page.evaluate((p) => window.sacroplan.setCrosshair(p), lesion.centerLps);
    await page.waitForTimeout(200);
    await page.click('button[data-tool="regionGrow"]');
    const at = await crosshairOnScreen(page, 'axial');
    await page.mouse.click(at.x, at.y);
    await expect.poll(async () => (await page.evaluate(() => window.sacroplan.snapshot())).scene.meshes.filter((m: any) => m.kind === 'lesion' && m.triangles > 0).length, { timeout: 60_000, interval: 300 }).toBe(1);
    const lesionId = (await page.evaluate(() => window.sacroplan.snapshot())).lesions[0]!.id as string;

    // STL (the default): a zip of one binary STL per structure
    const dir = mkdtempSync(join(tmpdir(), 'sp-mesh-e2e-'));
    const [dl] = await Promise.all([page.waitForEvent('download'), page.click('sp-scene-3d #export-mesh')]);
    expect(dl.suggestedFilename()).toMatch(/^sacroplan_mesh_LPS_\d{4}-\d\d-\d\d\.zip$/);
    await dl.saveAs(join(dir, 'mesh.zip'));
    const files = unzipSync(new Uint8Array(readFileSync(join(dir, 'mesh.zip'))));
    const names = Object.keys(files).sort();
    expect(names).toEqual(['bone.stl', `lesion_${lesionId}.stl`]);
    const bone = stlBox(files['bone.stl']!), les = stlBox(files[`lesion_${lesionId}.stl`]!);
    expect(bone.header.startsWith('SPACE=LPS')).toBe(true);
    expect(les.header.startsWith('SPACE=LPS')).toBe(true);
    const off = Math.hypot(...[0, 1, 2].map((a) => les.centre[a]! - lesion.centerLps[a]!));
    const ext = [0, 1, 2].map((a) => bone.max[a]! - bone.min[a]!);
    console.log(`[mesh-e2e] STL zip: bone ${bone.triangles} triangles, LPS bounds ${bone.min.map((x) => x.toFixed(0))} .. ${bone.max.map((x) => x.toFixed(0))} (extent ${ext.map((x) => x.toFixed(0)).join(' × ')} mm); lesion ${les.triangles} triangles, centre ${off.toFixed(2)} mm from the demo's lesion centre`);
    expect(off).toBeLessThan(5);
    expect(inside(les, bone)).toBe(true);
    for (const e of ext) { expect(e).toBeGreaterThan(40); expect(e).toBeLessThan(400); }

    // OBJ: one file, one named object per structure, same coordinates
    await page.selectOption('sp-scene-3d #mesh-format', 'obj');
    const [dl2] = await Promise.all([page.waitForEvent('download'), page.click('sp-scene-3d #export-mesh')]);
    expect(dl2.suggestedFilename()).toMatch(/\.obj$/);
    await dl2.saveAs(join(dir, 'mesh.obj'));
    const text = readFileSync(join(dir, 'mesh.obj'), 'utf8');
    expect(text.startsWith('# SPACE=LPS')).toBe(true);
    const boxes = objBoxes(text);
    expect([...boxes.keys()].sort()).toEqual(['bone', `lesion_${lesionId}`]);
    const ol = boxes.get(`lesion_${lesionId}`)!, ob = boxes.get('bone')!;
    expect(Math.hypot(...[0, 1, 2].map((a) => ol.centre[a]! - lesion.centerLps[a]!))).toBeLessThan(5);
    for (let a = 0; a < 3; a++) { expect(ob.min[a]).toBeCloseTo(bone.min[a]!, 2); expect(ob.max[a]).toBeCloseTo(bone.max[a]!, 2); }
    await page.locator('sp-scene-3d').screenshot({ path: join(screenshotDir, 'mesh-export-3d.png') });
    expect(errors).toEqual([]);
  });
});
