/**
 * Grow bounded by the lesion's own edge (src/segmentation/own-edge.ts, step 9 of region-grow.ts), on
 * a synthetic CT built like pelvic-ref-003's very fatty ala (test/phantom-tools/implants): marrow at
 * −15 HU with 40 HU of smooth texture (fat islands and trabeculae, 1.5 mm grain) and 6 HU of noise,
 * behind a 1 mm cortex on 0.8 × 0.8 × 3 mm voxels with a 16 mm break in it, so that the bone
 * enclosure stays open; a soft-tissue lesion at 40 HU, brighter than the marrow it replaces.
 * Partial volume by 2 × 2 × 6 supersampling of every voxel.
 */
import { describe, expect, it } from 'vitest';
import { createScalarVolume } from '../../src/core/volume';
import { VolumeGeometry } from '../../src/core/geometry';
import type { Vec3 } from '../../src/core/vec3';
import { regionGrow } from '../../src/segmentation/region-grow';
import { partialVolumeEstimate } from '../../src/segmentation/partial-volume';
import { smoothBox } from '../../src/segmentation/seed-model';
import { textureRatio, trimmedLevel } from '../../src/segmentation/own-edge';

const SP: Vec3 = [0.8, 0.8, 3];
const DIMS: [number, number, number] = [100, 100, 30];
const C: Vec3 = [40, 40, 45];
const SEMI: Vec3 = [7, 6.5, 6];

function scene() {
  let s = 2463534242;
  const rnd = () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s / 4294967296; };
  const gauss = () => Math.sqrt(-2 * Math.log(rnd() + 1e-12)) * Math.cos(2 * Math.PI * rnd());
  const n = DIMS[0] * DIMS[1] * DIMS[2];
  // marrow texture: white noise smoothed to a 1.5 mm grain, scaled to SD 40 HU
  const white = new Float32Array(n).map(() => gauss());
  const tex = smoothBox(white, DIMS, SP, 1.5);
  let ss = 0; for (const x of tex) ss += x * x;
  const texSd = Math.sqrt(ss / n);
  // tissue at a point: the bone block (±30 mm around C, a 0.5 mm cortex, a 16 mm break in its posterior wall), the lesion, muscle outside
  const tissue = (x: number, y: number, z: number): 'lesion' | 'marrow' | 'cortex' | 'muscle' => {
    const dx = x - C[0], dy = y - C[1], dz = z - C[2];
    if ((dx / SEMI[0]) ** 2 + (dy / SEMI[1]) ** 2 + (dz / SEMI[2]) ** 2 <= 1) return 'lesion';
    const d = Math.max(Math.abs(dx), Math.abs(dy), Math.abs(dz));
    if (d > 30) return 'muscle';
    if (d > 29) return dy > 29 && Math.abs(dx) < 8 && Math.abs(dz) < 8 ? 'muscle' : 'cortex';
    return 'marrow';
  };
  const level = { lesion: 40, marrow: -15, cortex: 1000, muscle: 45 };
  const vox = new Int16Array(n);
  let q = 0;
  for (let k = 0; k < DIMS[2]; k++) for (let j = 0; j < DIMS[1]; j++) for (let i = 0; i < DIMS[0]; i++, q++) {
    let sum = 0, marrow = 0;
    for (let a = 0; a < 2; a++) for (let b = 0; b < 2; b++) for (let c = 0; c < 6; c++) {
      const t = tissue((i - 0.25 + 0.5 * a) * SP[0], (j - 0.25 + 0.5 * b) * SP[1], (k - 5 / 12 + c / 6) * SP[2]);
      sum += level[t];
      if (t === 'marrow') marrow++;
    }
    vox[q] = Math.round(sum / 24 + (40 * tex[q]! / texSd) * (marrow / 24) + 6 * gauss());
  }
  const geom = new VolumeGeometry({ dims: DIMS, spacingMm: SP, originLps: [0, 0, 0], directionCosines: [1, 0, 0, 0, 1, 0, 0, 0, 1] });
  return { volume: createScalarVolume('own-edge', geom, vox, 'HU', 'CT'), truthMl: ((4 / 3) * Math.PI * SEMI[0] * SEMI[1] * SEMI[2]) / 1000 };
}

describe("Grow bounded by the lesion's own edge where the bone does not enclose the click", () => {
  const { volume, truthMl } = scene();

  const CLICKS: Vec3[] = [[0, 0, 0], [2, -1, 0], [-2, 1.5, 0], [1, 2, 0], [-1.5, -2, 0]];
  it('a soft-tissue lesion brighter than fatty marrow behind a broken thin cortex: each click in its inner half grows within 10 % or is refused, saying why its own edge did not serve; never over 1.5 ×', () => {
    const rows: string[] = [];
    for (const d of CLICKS) {
      const r = regionGrow(volume, { lps: [C[0] + d[0], C[1] + d[1], C[2] + d[2]] });
      expect(r.volumeMl / truthMl).toBeLessThanOrEqual(1.5);
      if (r.problem) {
        rows.push(`${d.join(',')}: refused: ${r.message?.replace(/.*\(Grow also/, '(Grow also')}`);
        expect(r.voxelCount).toBe(0);
        expect(r.message).toMatch(/own edge without the bone: .+/);
        continue;
      }
      expect(r.guard).toBe('opening');
      const err = partialVolumeEstimate(volume, r.offsets).volumeMl / truthMl - 1;
      rows.push(`${d.join(',')}: ${r.volumeMl.toFixed(3)} mL by voxel count, ${(100 * err).toFixed(1)} % by the partial-volume estimate (truth ${truthMl.toFixed(3)} mL)`);
      expect(Math.abs(err), rows.at(-1)).toBeLessThan(0.1);
    }
    console.log(rows.join('\n'));
  });
  // On this synthetic marrow (texture of a 1.5 mm grain, independent between the 3 mm slices) the grow
  // to the edge's midpoint takes in the marrow's dips that touch the lesion (1.24 mL against the contrast
  // region's 1.12 mL, truth 1.14), refused by the 10 % agreement; the core of one tissue (step 9 of
  // region-grow.ts) grows it from all 5 clicks: 0.945 mL by voxel count, +1.9 % by the partial-volume
  // estimate, its outline at the midpoint within 5 % of that
  it('the same lesion grows from most clicks (the core of one tissue where its own edge is refused)', () => {
    const grown = CLICKS.filter((d) => !regionGrow(volume, { lps: [C[0] + d[0], C[1] + d[1], C[2] + d[2]] }).problem).length;
    expect(grown).toBeGreaterThanOrEqual(4);
  });

  it('a click in the textured fatty marrow gives a message and no lesion, saying why its own edge did not serve either', () => {
    for (const d of [[-15, -15, 0], [15, -12, 6], [-12, 14, -6]] as Vec3[]) {
      const r = regionGrow(volume, { lps: [C[0] + d[0], C[1] + d[1], C[2] + d[2]] });
      expect(r.problem, `${d}: grew ${r.volumeMl.toFixed(3)} mL`).toBeDefined();
      expect(r.voxelCount).toBe(0);
      expect(r.message).toMatch(/\w{3,}/);
    }
  });

  it('the texture ratio reads about 1 for a region of noise only and more for the textured marrow', () => {
    const g = volume.geometry, [ni, nj] = g.dims;
    const block = (c: Vec3, r: number) => {
      const out: number[] = [];
      for (let k = 0; k < DIMS[2]; k++) for (let j = 0; j < nj; j++) for (let i = 0; i < ni; i++)
        if (Math.abs(i * SP[0] - c[0]) <= r && Math.abs(j * SP[1] - c[1]) <= r && Math.abs(k * SP[2] - c[2]) <= Math.max(r, 4)) out.push(i + ni * (j + nj * k));
      return Int32Array.from(out);
    };
    const img = Float32Array.from(volume.voxels as Int16Array);
    const lesion = textureRatio(block(C, 3.5), img, DIMS);
    const marrow = textureRatio(block([C[0] - 17, C[1] - 17, C[2]], 8), img, DIMS);
    expect(lesion).toBeLessThan(1.5);
    expect(marrow).toBeGreaterThan(2 * lesion);
  });

  it('trimmedLevel reads the level and noise of integer CT values continuously, and ignores a few far outliers', () => {
    let st = 99;
    const rnd = () => { st ^= st << 13; st >>>= 0; st ^= st >>> 17; st ^= st << 5; st >>>= 0; return st / 4294967296; };
    const gauss = () => Math.sqrt(-2 * Math.log(rnd() + 1e-12)) * Math.cos(2 * Math.PI * rnd());
    // 400 voxels of a 0 HU lesion with 4.8 HU of noise, rounded to integers, and 8 marrow voxels at 300 HU
    const xs = [...Array.from({ length: 400 }, () => Math.round(4.8 * gauss())), ...Array(8).fill(300)];
    const t = trimmedLevel(xs);
    expect(Math.abs(t.mean)).toBeLessThan(1);
    expect(Math.abs(t.sd - 4.8)).toBeLessThan(0.5);
  });
});
