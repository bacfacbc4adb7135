/**
 * The sacrum mask on the osteopenic phantom (test/anatomy/configs/osteopenic.json: fatty marrow, a 0.8 mm cortex
 * at 450 HU) and on the same with its SI joints closed (osteopenic-fused-si.json): the mask for planning covers
 * the sacrum and not L5 or the ilia (issue 12's acceptance), against the generator's tissue labels. The faint cortex averaged over the coarse 3 mm voxels falls below the bone
 * threshold, so the SI joints' contact (sacral-base.ts) and the L5/S1 disc are found on a finer grid
 * (detect.ts); before that the mask held 46 mL of L5.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { detectSacralAnatomy } from '../../src/anatomy/detect';
import { scanAndLoadDicom } from '../../src/io/dicom';
import { ensurePhantom, filesIn, requireShared, sharedDir } from '../helpers/shared';

const run = requireShared(true);

/** Box dilation by r voxels (separable, per axis). */
function dilate(m: Uint8Array, dims: readonly number[], r: number): Uint8Array {
  let cur = m;
  const strides = [1, dims[0]!, dims[0]! * dims[1]!];
  for (let ax = 0; ax < 3; ax++) {
    const next = Uint8Array.from(cur), st = strides[ax]!, len = dims[ax]!;
    for (let o = 0; o < cur.length; o++) {
      if (!cur[o]) continue;
      const c = Math.floor(o / st) % len;
      for (let d = -r; d <= r; d++) if (c + d >= 0 && c + d < len) next[o + d * st] = 1;
    }
    cur = next;
  }
  return cur;
}

interface MaskFigures { dice: number; maskVox: number; l5: number; ilFar: number }

/** Detection on the phantom of test/anatomy/configs/NAME, its mask against the generator's labels (printed). */
async function measureMask(name: string): Promise<MaskFigures> {
  const here = dirname(fileURLToPath(import.meta.url));
  // (a name under ../shared/phantom/configs: 'shared/NAME')
  const path = name.startsWith('shared/') ? join(sharedDir, 'phantom', 'configs', name.slice(7)) : join(here, 'configs', name);
  const dir = ensurePhantom(JSON.parse(readFileSync(path, 'utf8')), 1, true);
  const loaded = await scanAndLoadDicom(filesIn(join(dir, 'dicom')));
  const buf = readFileSync(join(dir, 'labels.npy'));
  const hl = buf.readUInt16LE(8);
  const labels = new Int16Array(buf.buffer.slice(buf.byteOffset + 10 + hl, buf.byteOffset + buf.length));
  const volume = loaded.loaded!.volume;
  expect(labels.length).toBe(volume.geometry.voxelCount);
  const r = detectSacralAnatomy(volume);
  // the SI joint is a 2.5 mm gap (make_phantom.py si_gap_mm) whose faint walls the mask may share out a voxel
  // or two either way: ilium within 3 voxels of the sacrum's labels is the joint's edge, farther is the ilium
  const sacrum = Uint8Array.from(labels, (l) => ((l >= 10 && l <= 14) || l >= 100 ? 1 : 0));
  const nearSacrum = dilate(sacrum, volume.geometry.dims, 3);
  let inter = 0, a = 0, b = 0, l5 = 0, il = 0, ilFar = 0;
  for (let n = 0; n < labels.length; n++) {
    const l = labels[n]!, g = sacrum[n]!, mk = r.sacrumMask[n]!;
    a += mk; b += g;
    if (mk && g) inter++;
    if (mk && !g && l >= 20 && l <= 22) l5++;
    if (mk && !g && l >= 30 && l <= 31) { il++; if (!nearSacrum[n]) ilFar++; }
  }
  const dice = (2 * inter) / (a + b);
  const ml = volume.geometry.voxelVolumeMm3 / 1000;
  console.log(`[${name} mask] Dice ${dice.toFixed(3)} (mask ${(a * ml).toFixed(1)} mL, reference ${(b * ml).toFixed(1)} mL, ${(100 * inter / b).toFixed(1)} % of it covered); L5 ${(l5 * ml).toFixed(2)} mL, ilium ${(il * ml).toFixed(2)} mL in the mask (${(ilFar * ml).toFixed(2)} mL of it more than 3 voxels from the sacrum); ${r.diagnostics.messages.filter((x) => /disc|L5|crop|fused|midline: split/.test(x)).join(' | ')}`);
  return { dice, maskVox: a, l5, ilFar };
}

describe.skipIf(!run)('sacrum mask on the osteopenic phantom', () => {
  let m: MaskFigures | null = null;
  const measure = async () => (m ??= await measureMask('osteopenic.json'));

  it('covers the sacrum (Dice ≥ 0.85 against labels 10–14 + lesions) and not L5 (under 1 % of the mask; 43.5 mL before the fine-grid disc)', async () => {
    const r = await measure();
    expect(r.dice).toBeGreaterThanOrEqual(0.85);
    expect(r.l5).toBeLessThan(0.01 * r.maskVox);
  }, 300_000);

  // The sacrum is the bone a 12 mm ball cannot enter (the shell is open: breachBallMm, sacrum-mask.ts), which fills the
  // 2.5 mm SI joints, so one core spans sacrum and ilia. The fine grid is cropped 10 mm beyond the coarse sacrum
  // (±58 mm here), short of the 62 mm reach that marks a core as fused, and the ilium inside the crop had no marker:
  // 9.7 mL of it lay more than 3 voxels beyond the joint. The bone on the crop's lateral faces now marks the ilium
  // (lateralCropFaces): 0.00 mL, Dice 0.921 → 0.952.
  it('takes no ilium beyond the SI joint edge (under 0.1 % of the mask; 9.7 mL before the crop-face markers)', async () => {
    const r = await measure();
    expect(r.ilFar).toBeLessThan(0.001 * r.maskVox);
  }, 300_000);
});

describe.skipIf(!run)('sacrum mask on the osteopenic phantom with its SI joints closed (osteopenic-fused-si.json)', () => {
  let m: MaskFigures | null = null;
  const measure = async () => (m ??= await measureMask('osteopenic-fused-si.json'));

  it('covers the sacrum (Dice ≥ 0.85; 0.956 measured, 0.904 before the marrow spaces) and not L5 (under 1 % of the mask)', async () => {
    const r = await measure();
    expect(r.dice).toBeGreaterThanOrEqual(0.85);
    expect(r.l5).toBeLessThan(0.01 * r.maskVox);
  }, 600_000);

  // With no joint gap the iliac articular cortex lies on the sacral one, one bright plate between the two marrows, and
  // nothing darker than the marrow marks the joint: the bright-first flood (sacrum-mask.ts) shared the marrow on either
  // side of the plate by distance from the markers at 30 and 62 mm, 11.35 mL of ilium more than 3 voxels beyond the
  // joint (14.5 mL in all, Dice 0.904). The plate parts the two bones' marrow spaces, which now mark them
  // (fused-joint.ts): 0.00 mL beyond the joint (0.19 mL in all), Dice 0.956. (Tried before and not kept: a
  // darkest-first split, 40.6 mL; a symmetry trim of every fused core, 88 % of the sacrum covered.)
  it('takes no ilium beyond the SI joint edge (under 0.1 % of the mask; 11.35 mL before the marrow spaces)', async () => {
    const r = await measure();
    expect(r.ilFar).toBeLessThan(0.001 * r.maskVox);
  }, 600_000);
});

// The same closed joints with fatty marrow (fatty-fused-si.json: 110 HU marrow, a 1.2 mm cortex at 900 HU, oblique 6°/4°
// as ../shared/phantom/configs/fatty.json). The ilium's fatty marrow, below the bone threshold and open at the crop's
// lateral faces, was not in the filled bone, so the ilium had no core to mark it; its shell, joined to the sacrum's by
// the plate, went to the sacrum with nothing to compete, and the cortex-enclosed fill (enclosure.ts) then took the
// marrow inside it: 91.4 mL of ilium more than 3 voxels beyond the joint (100.6 mL in all), Dice 0.783. Its marrow
// space, filled with the crop's faces as walls, now marks it (fused-joint.ts): 0.06 mL (1.84 mL in all), Dice 0.924.
describe.skipIf(!run)('sacrum mask on the fatty phantom with its SI joints closed (fatty-fused-si.json)', () => {
  let m: MaskFigures | null = null;
  const measure = async () => (m ??= await measureMask('fatty-fused-si.json'));

  it('covers the sacrum (Dice ≥ 0.85; 0.924 measured, 0.783 before the marrow spaces) and not L5 (under 1 % of the mask)', async () => {
    const r = await measure();
    expect(r.dice).toBeGreaterThanOrEqual(0.85);
    expect(r.l5).toBeLessThan(0.01 * r.maskVox);
  }, 600_000);

  it('takes no ilium beyond the SI joint edge (under 0.1 % of the mask; 91.4 mL before the marrow spaces)', async () => {
    const r = await measure();
    expect(r.ilFar).toBeLessThan(0.001 * r.maskVox);
  }, 600_000);
});

// The shared fatty phantom itself (../shared/phantom/configs/fatty.json: its SI joints open, 2.5 mm) lost the ilia the same
// way: their fatty marrow, open at the crop's lateral faces, was not filled, so no core marked them and their shells went
// to the sacrum: 94.7 mL of ilium more than 3 voxels beyond the joint (99.3 mL in all), Dice 0.780. Their marrow spaces
// mark them now: 0.14 mL (0.80 mL in all), Dice 0.921; its landmarks moved by at most 0.10 mm (bench/detect-check.mjs).
describe.skipIf(!run)('sacrum mask on the shared fatty phantom (fatty.json)', () => {
  let m: MaskFigures | null = null;
  const measure = async () => (m ??= await measureMask('shared/fatty.json'));

  it('covers the sacrum (Dice ≥ 0.85; 0.921 measured, 0.780 before the marrow spaces) and not L5 (under 1 % of the mask)', async () => {
    const r = await measure();
    expect(r.dice).toBeGreaterThanOrEqual(0.85);
    expect(r.l5).toBeLessThan(0.01 * r.maskVox);
  }, 600_000);

  it('takes no ilium beyond the SI joint edge (under 0.1 % of the mask; 94.7 mL before the marrow spaces)', async () => {
    const r = await measure();
    expect(r.ilFar).toBeLessThan(0.001 * r.maskVox);
  }, 600_000);
});
