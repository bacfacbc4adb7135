/**
 * Each level's own midline plane (src/anatomy/level-midline.ts), on code-built masks, and the mirror test between the
 * whole sacrum's plane and a level's own; on the bent phantom (test/phantom-tools/bent-sacrum.py, exact truth) the
 * plane read at S4 follows the bend.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { mulberry32 as rng } from '../../src/core/random';
import { levelMidline, maskRuns, maskVoxels, mirrorHitsByRuns, mirrorHitsDirect, mirrorOffMm, type Slab } from '../../src/anatomy/level-midline';
import type { WorkGrid } from '../../src/anatomy/detect-grid';
import type { Vec3 } from '../../src/core/vec3';
import { suggestLandmarks } from '../../src/anatomy/suggest';
import { scanAndLoadDicom } from '../../src/io/dicom';
import { ensureBentSacrumPhantom, filesIn, readTruth, requireShared } from '../helpers/shared';

/** A 1 mm grid over x −60…60, y −30…30, z 0…100 holding boxes 40 mm wide and 20 deep whose centre x is `xAt(z)`. */
function bentBoxes(xAt: (z: number) => number, notch = false): { mask: Uint8Array; g: WorkGrid } {
  const g: WorkGrid = { dims: [121, 61, 101], spacingMm: 1, originLps: [-60, -30, 0] };
  const [na, nb, nc] = g.dims;
  const mask = new Uint8Array(na * nb * nc);
  for (let c = 0; c < nc; c++) for (let b = 0; b < nb; b++) for (let a = 0; a < na; a++) {
    const x = -60 + a, y = -30 + b, z = c, dx = x - xAt(z);
    // an asymmetric notch (a foramen on one side only) must not move the plane by more than a voxel
    if (notch && dx > 8 && dx < 14 && Math.abs(y) < 3) continue;
    if (Math.abs(dx) <= 20 && Math.abs(y) <= 10) mask[a + na * (b + nb * c)] = 1;
  }
  return { mask, g };
}

const whole = { normalLps: [1, 0, 0] as Vec3, pointLps: [0, 0, 0] as Vec3 };
const T: Vec3 = [0, 0, 1];

describe('levelMidline', () => {
  it('reads each level\'s own plane of a sacrum bent sideways (within half a voxel)', () => {
    const xAt = (z: number) => (z < 40 ? 0 : -0.1 * (z - 40));
    const { mask, g } = bentBoxes(xAt, true);
    for (const z of [20, 60, 85]) {
      const m = levelMidline(mask, g, whole, [xAt(z), 0, z], T)!;
      expect(m).not.toBeNull();
      expect(Math.abs(m.offsetMm - xAt(z))).toBeLessThanOrEqual(0.5);
      expect(m.overlap).toBeGreaterThan(0.9);
    }
  });
  it('searches no further than a body\'s half-width (MAX_OFFSET_MM) from the whole sacrum\'s plane', () => {
    const { mask, g } = bentBoxes(() => 15);
    const m = levelMidline(mask, g, whole, [15, 0, 50], T)!;
    expect(Math.abs(m.offsetMm)).toBeLessThanOrEqual(9);
  });
  it('is null where the slab holds no section of the sacrum', () => {
    const { mask, g } = bentBoxes(() => 0);
    mask.fill(0);
    expect(levelMidline(mask, g, whole, [0, 0, 50], T)).toBeNull();
  });
});


describe('mirror hits by runs (levelMidline about the grid\'s x axis)', () => {
  // blobby masks (a few rows of runs each, some voxels 2, which the mirror test does not count as the mask) on grids
  // of the spacings detection uses, planes through any x, against the direct test of every image
  it('counts the same hits as testing each mirror image, at every offset', () => {
    const next = rng(12);
    let compared = 0;
    for (let trial = 0; trial < 40; trial++) {
      const h = [0.37, 0.5, 0.7, 1, 1.5, 3][trial % 6]!;
      const g: WorkGrid = { dims: [20 + Math.floor(next() * 40), 8, 6], spacingMm: h, originLps: [-200 + next() * 50, -30 * next(), 10 * next()] };
      const [na, nb, nc] = g.dims;
      const mask = new Uint8Array(na * nb * nc);
      const cx = na * (0.3 + 0.4 * next()), w = na * (0.1 + 0.3 * next());
      for (let n = 0; n < mask.length; n++) {
        const a = n % na;
        if (Math.abs(a - cx) < w * (0.6 + 0.4 * next())) mask[n] = next() < 0.05 ? 2 : next() < 0.9 ? 1 : 0;
      }
      const voxels = maskVoxels(mask, g);
      const pointX = g.originLps[0] + (cx + 3 * (next() - 0.5)) * h + (trial % 5 === 0 ? 0 : next() * h);
      const sa: number[] = [], sb: number[] = [], sc: number[] = [], sd: number[] = [];
      for (let k = 0; k < voxels.a.length; k++) {
        if (next() < 0.5) continue;
        const a = voxels.a[k]!, b = voxels.b[k]!, c = voxels.c[k]!;
        sa.push(a); sb.push(b); sc.push(c);
        sd.push((g.originLps[0] + a * h - pointX) * 1 + (g.originLps[1] + b * h - 0) * 0 + (g.originLps[2] + c * h - 0) * 0);
      }
      const slab: Slab = { a: Int32Array.from(sa), b: Int32Array.from(sb), c: Int32Array.from(sc), ds: Float64Array.from(sd) };
      const K = Math.floor(9 / (h / 2));
      const fast = mirrorHitsByRuns(slab, maskRuns(mask, g), g, pointX, K);
      if (!fast) continue;
      expect([...fast]).toEqual([...mirrorHitsDirect(slab, mask, g, [1, 0, 0], K, h / 2)]);
      compared++;
    }
    expect(compared).toBeGreaterThan(35);
  });
  it('leaves a plane half a voxel off the grid\'s rounding to the direct test', () => {
    const g: WorkGrid = { dims: [10, 2, 2], spacingMm: 1, originLps: [0, 0, 0] };
    const mask = new Uint8Array(40).fill(1);
    const slab: Slab = { a: Int32Array.of(1), b: Int32Array.of(0), c: Int32Array.of(0), ds: Float64Array.of(1 - 4.25) };
    expect(mirrorHitsByRuns(slab, maskRuns(mask, g), g, 4.25, 4)).toBeNull();
    expect(mirrorHitsByRuns(slab, maskRuns(mask, g), g, 4.5, 4)).not.toBeNull();
  });
});

describe('mirrorOffMm', () => {
  // two antero-posterior tunnels 22 mm either side of x = 4
  const L = { anteriorLps: [26, -10, 50] as Vec3, posteriorLps: [26, 10, 50] as Vec3 };
  const R = { anteriorLps: [-18, -10, 50] as Vec3, posteriorLps: [-18, 10, 50] as Vec3 };
  it('about the whole sacrum\'s plane alone: 8 mm apart', () => {
    expect(mirrorOffMm(L, R, whole)).toBeCloseTo(8, 5);
  });
  it('about a plane between the whole sacrum\'s and their level\'s own: mirror images where the level\'s plane lies at or beyond theirs', () => {
    expect(mirrorOffMm(L, R, whole, 4)).toBeCloseTo(0, 5);
    expect(mirrorOffMm(L, R, whole, 8)).toBeCloseTo(0, 5);
  });
  it('a level\'s plane on the other side does not make them mirror images', () => {
    expect(mirrorOffMm(L, R, whole, -4)).toBeCloseTo(8, 5);
  });
});

const run = requireShared(true);
const here = dirname(fileURLToPath(import.meta.url));

describe.skipIf(!run)('the bent phantom (fatty-bent.json, bent-sacrum.py, 5 mm to the right at S4)', () => {
  it('reads S4\'s own midline within 1.5 mm of the truth, and its pair is a mirror pair only about it', async () => {
    const dir = ensureBentSacrumPhantom(JSON.parse(readFileSync(join(here, 'configs', 'fatty-bent.json'), 'utf8')), 5);
    const t = readTruth(dir);
    const v = (await scanAndLoadDicom(filesIn(join(dir, 'dicom')))).loaded!.volume;
    const d = suggestLandmarks(v);
    const fr = d.anatomy.frame!;
    const own = d.diagnostics.levelMidlines?.S4;
    const L = d.anatomy.foramina.find((f) => f.id === 'S4_L')!, R = d.anatomy.foramina.find((f) => f.id === 'S4_R')!;
    const plane = { normalLps: fr.midlineNormalLps, pointLps: fr.midlinePointLps };
    // the truth: S4's midline x minus the whole sacrum's (its plane through x = the generator's midline)
    const truthMm = t.bent.level_midline_x_lps.S4 - t.bent.level_midline_x_lps.S1;
    const wholeOff = mirrorOffMm(L, R, plane), ownOff = mirrorOffMm(L, R, plane, own!.offsetMm);
    console.log(`[bent-5] S4 midline read ${own!.offsetMm.toFixed(2)} mm (truth ${truthMm.toFixed(2)}, overlap ${own!.overlap.toFixed(2)}); the S4 pair ${wholeOff.toFixed(1)} mm from mirror images about the whole sacrum's plane, ${ownOff.toFixed(1)} about a plane between it and S4's own`);
    expect(Math.abs(own!.offsetMm - truthMm)).toBeLessThanOrEqual(1.5);
    expect(wholeOff).toBeGreaterThan(5);
    expect(ownOff).toBeLessThanOrEqual(2);
  }, 600_000);
});
