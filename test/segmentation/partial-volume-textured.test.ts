/**
 * The partial-volume estimate (partial-volume.ts, "Textured marrow") on lesions in textured fatty
 * marrow, on the exact truth masks: the lesions implanted into the real CTs (test/phantom-tools/
 * implant.py) and fatty-pocket.json (a lesion in a pocket of darker marrow, as the real marrow around
 * those lesions is). Before the rule for textured surroundings the estimate read P1 +15.0, P2 +20.9,
 * P4 −13.3, T1 +9.5, T3 +12.6 %, fatty-pocket D1 +26.9, B1 −9.6 % there while the voxel count of the
 * same masks is within 4 %. With the original scan as each band voxel's background (implant.py writes
 * v' = (1 − f)·v + f·L + n) the estimate is exact on pelvic-ref-003: the error is the background
 * estimate's, not the mixture model's (printed for the report). Crisp lesions keep the estimate as it
 * was (test/segmentation/grow-clicks.test.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureImplanted, ensurePhantom, filesIn, requireShared, sharedDir } from '../helpers/shared';
import { scanAndLoadDicom } from '../../src/io/dicom';
import { loadNifti } from '../../src/io/nifti';
import type { ScalarVolume } from '../../src/core/volume';
import type { Vec3 } from '../../src/core/vec3';
import { partialVolumeEstimate } from '../../src/segmentation/partial-volume';
import { loadPhantomVolume } from './phantom-volume';
import { starRadius } from './painted-strokes';

const run = requireShared(true);
const configsDir = join(__dirname, '..', 'anatomy', 'configs');

async function loadSeries(path: string): Promise<ScalarVolume> {
  if (path.endsWith('.nii.gz')) return (await loadNifti(new File([readFileSync(path)], path.split('/').pop()!))).volume;
  const r = await scanAndLoadDicom(filesIn(path));
  if (!r.loaded) throw new Error(`${path}: the series did not load`);
  return r.loaded.volume;
}

/** Voxels whose centre lies inside the lesion's outline (the exact truth mask). */
function truthMask(volume: ScalarVolume, les: any): Int32Array {
  const g = volume.geometry, [ni, nj, nk] = g.dims, out: number[] = [];
  const inside = starRadius(les), x: Vec3 = [0, 0, 0];
  const c = les.center_lps as number[];
  const R = Math.max(...(les.semi_axes_mm as number[])) * 1.5 + 5;
  const ijk = g.lpsToIjk([0, 0, 0], [c[0]!, c[1]!, c[2]!]);
  const h = [0, 1, 2].map((a) => Math.ceil(R / g.spacingMm[a]!));
  for (let k = Math.max(0, Math.round(ijk[2]) - h[2]!); k <= Math.min(nk - 1, Math.round(ijk[2]) + h[2]!); k++)
    for (let j = Math.max(0, Math.round(ijk[1]) - h[1]!); j <= Math.min(nj - 1, Math.round(ijk[1]) + h[1]!); j++)
      for (let i = Math.max(0, Math.round(ijk[0]) - h[0]!); i <= Math.min(ni - 1, Math.round(ijk[0]) + h[0]!); i++) {
        const o = i + ni * (j + nj * k);
        g.offsetToLps(x, o);
        if (inside(x) <= 1) out.push(o);
      }
  return Int32Array.from(out);
}

function pct(ml: number, truthMl: number): number { return 100 * (ml / truthMl - 1); }

describe.skipIf(!run)('partial-volume estimate in textured fatty marrow: exact truth masks', () => {
  it('pelvic-ref-003 and the TotalSegmentator CT: every lytic and low-contrast lesion within 10 %', async () => {
    const rows: string[] = [];
    const errs: [string, number][] = [];
    for (const config of ['pelvic-ref-003.json', 'totalseg-example-ct.json']) {
      const dir = ensureImplanted(config);
      const truth = JSON.parse(readFileSync(join(dir, 'truth.json'), 'utf8'));
      const volume = await loadSeries(join(dir, truth.written));
      // the original series: each band voxel's true background
      const cfg = JSON.parse(readFileSync(join(__dirname, '..', 'phantom-tools', 'implants', config), 'utf8'));
      const original = config === 'pelvic-ref-003.json' ? await loadSeries(join(sharedDir, 'data', cfg.scan)) : volume;
      for (const les of truth.lesions) {
        const m = truthMask(volume, les);
        const pv = partialVolumeEstimate(volume, m);
        const err = pct(pv.volumeMl, les.volume_ml);
        let exact = '';
        // (pelvic-ref-003 only: on the 3 mm TotalSegmentator grid many band voxels' original marrow reads
        // at the lesion's level, where the fraction is undetermined)
        if (config === 'pelvic-ref-003.json' && original.voxels.length === volume.voxels.length) {
          // the mixture model with the true background of every band voxel (the estimate's own core and band)
          const trueBg = partialVolumeEstimate({ ...volume, voxels: subtractBackground(volume, original, pv.lesionLevel) }, m, { lesionLevel: 1, minContrast: 0, textureSds: 0, clampMargin: 10 });
          exact = `; with the true background ${pct(trueBg.volumeMl, les.volume_ml).toFixed(1)} %`;
        }
        rows.push(`${config} ${les.id} ${les.kind} (${les.volume_ml.toFixed(3)} mL): estimate ${err.toFixed(1)} %, voxel count ${pct(pv.maskVolumeMl, les.volume_ml).toFixed(1)} %, surroundings ${pv.textured ? 'textured' : 'crisp'} (contrast ${(Math.abs(pv.lesionLevel - pv.referenceLevel) / pv.referenceSd).toFixed(2)} SDs)${exact}`);
        errs.push([`${config} ${les.id}`, err]);
      }
    }
    console.log(rows.join('\n'));
    for (const [id, err] of errs) expect(Math.abs(err), id).toBeLessThan(10);
  }, 300_000);

  it('fatty-pocket.json: lesions in a pocket of darker marrow within 10 %, textured', () => {
    const cfg = JSON.parse(readFileSync(join(configsDir, 'fatty-pocket.json'), 'utf8'));
    const { volume, truth } = loadPhantomVolume(ensurePhantom(cfg));
    const rows: string[] = [];
    for (const les of truth.lesions.filter((l: any) => !String(l.id).includes('halo'))) {
      const m = truthMask(volume, les);
      const pv = partialVolumeEstimate(volume, m);
      const err = pct(pv.volumeMl, les.volume_ml);
      rows.push(`fatty-pocket ${les.id} (${les.volume_ml.toFixed(3)} mL): estimate ${err.toFixed(1)} %, voxel count ${pct(pv.maskVolumeMl, les.volume_ml).toFixed(1)} %, contrast ${(Math.abs(pv.lesionLevel - pv.referenceLevel) / pv.referenceSd).toFixed(2)} SDs`);
      expect(pv.textured, les.id).toBe(true);
      expect(Math.abs(err), les.id).toBeLessThan(10);
    }
    console.log(rows.join('\n'));
  }, 600_000);
});

/**
 * A copy of the implanted image as (v' − v) / (L − v) · 1 + 0: with the original value v as the
 * background, the fraction of each voxel with lesion level 1 and background 0 (0 where v = L).
 */
function subtractBackground(volume: ScalarVolume, original: ScalarVolume, L: number): Float32Array {
  const out = new Float32Array(volume.voxels.length);
  for (let n = 0; n < out.length; n++) {
    const v = original.voxels[n]!, d = L - v;
    out[n] = Math.abs(d) > 1e-6 ? (volume.voxels[n]! - v) / d : 0;
  }
  return out;
}
