/**
 * The study's criteria per lesion (issue 13): phantom lesions built to meet and to break each one
 * (test/anatomy/configs/criteria.json): K1 32 mm long, K2 into the right S2 foramen, K3 into the
 * canal, K4 meeting all. Lesion masks are the analytic shapes sampled at the voxel centres (no
 * segmentation in between); the landmarks are the phantom's truth.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ensurePhantom, readTruth, requireShared } from '../helpers/shared';
import { lesionContains } from './lesion-truth';
import { anatomyFromTruth } from '../anatomy/truth-anatomy';
import { VolumeGeometry } from '../../src/core/geometry';
import { LabelMap } from '../../src/segmentation/labelmap';
import { lesionStats } from '../../src/segmentation/stats';
import { studyCriteria } from '../../src/segmentation/criteria';
import { classifyLesion } from '../../src/anatomy/classify';
import type { Vec3 } from '../../src/core/vec3';

describe('studyCriteria (plain numbers)', () => {
  it('says which criterion fails and why, in words; unknown without landmarks', () => {
    const ok = studyCriteria({ maxDiameterMm: 24, foraminaEntered: [{ id: 'S1_L', depthMm: 0.4 }], canalDepthMm: 0, nearestForamen: { id: 'S1_L', distanceMm: 0 }, canalDistanceMm: 6 });
    expect(ok.verdict).toBe('meets');
    expect(ok.summary).toBe('Meets the study criteria');
    const big = studyCriteria({ maxDiameterMm: 30.4, foraminaEntered: [], canalDepthMm: 0 });
    expect(big.verdict).toBe('fails');
    expect(big.items[0]!.text).toMatch(/30\.4 mm: over the study's 30 mm limit/);
    const all = studyCriteria({ maxDiameterMm: 31, foraminaEntered: [{ id: 'S2_R', depthMm: 2.5 }], canalDepthMm: 1.2 });
    expect(all.summary).toBe('Outside the study criteria: over 30 mm, foramen eroded, epidural extension');
    expect(all.items[1]!.text).toMatch(/erodes the S2 right foramen \(2\.5 mm into it\)/);
    const none = studyCriteria({ maxDiameterMm: 12, foraminaEntered: null, canalDepthMm: null });
    expect(none.verdict).toBe('unknown');
    expect(none.items.map((i) => i.status)).toEqual(['meets', 'unknown', 'unknown']);
  });
});

const run = requireShared(true);
describe.skipIf(!run)('studyCriteria on phantom lesions built for each criterion', () => {
  it('K1 only over 30 mm, K2 only into a foramen, K3 only into the canal, K4 meets all', () => {
    const here = dirname(fileURLToPath(import.meta.url));
    const config = JSON.parse(readFileSync(join(here, '..', 'anatomy', 'configs', 'criteria.json'), 'utf8')) as Record<string, unknown>;
    const truth = readTruth(ensurePhantom(config));
    const A = truth.geometry.affine_ijk_to_lps as number[][];
    const col = (c: number) => [A[0]![c]!, A[1]![c]!, A[2]![c]!];
    const spacing = [0, 1, 2].map((c) => Math.hypot(...col(c))) as Vec3;
    const geom = new VolumeGeometry({
      dims: [truth.geometry.dims.columns, truth.geometry.dims.rows, truth.geometry.dims.slices], spacingMm: spacing,
      originLps: [A[0]![3]!, A[1]![3]!, A[2]![3]!], directionCosines: [0, 1, 2].flatMap((c) => col(c).map((x) => x / spacing[c]!)),
    });
    const anatomy = anatomyFromTruth(truth);
    const labels = new LabelMap(geom);
    const [ni, nj, nk] = geom.dims;
    const p: Vec3 = [0, 0, 0];
    truth.lesions.forEach((les: any, idx: number) => {
      for (let k = 0; k < nk; k++) for (let j = 0; j < nj; j++) for (let i = 0; i < ni; i++) {
        geom.ijkToLps(p, i, j, k);
        if (lesionContains(les, p)) labels.set(i + ni * (j + nj * k), idx + 1);
      }
    });
    const rows: string[] = [];
    const got: Record<string, string[]> = {};
    truth.lesions.forEach((les: any, idx: number) => {
      const st = lesionStats(labels, idx + 1)!;
      const z = classifyLesion(labels, idx + 1, anatomy, () => 1);
      const c = studyCriteria({ maxDiameterMm: st.maxDiameterMm, foraminaEntered: z.foraminaEntered, canalDepthMm: z.canalDepthMm, nearestForamen: z.nearestForamen, canalDistanceMm: z.canalDistanceMm });
      got[les.id] = c.items.map((i) => i.status);
      rows.push(`${les.id} (truth max diameter ${les.max_diameter_mm} mm): ${c.summary} | ${c.items.map((i) => i.text).join(' | ')}`);
    });
    console.log(rows.join('\n'));
    expect(got).toEqual({
      K1: ['fails', 'meets', 'meets'],
      K2: ['meets', 'fails', 'meets'],
      K3: ['meets', 'meets', 'fails'],
      K4: ['meets', 'meets', 'meets'],
    });
  });
});
