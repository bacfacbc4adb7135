/** DICOM loader against the synthetic phantom: geometry equals truth.json, pixels equal pydicom. */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { ensurePhantom, filesIn, readTruth, requireShared } from '../../helpers/shared';
import { loadDicomSeries, pickDefaultSeries, scanDicomFiles } from '../../../src/io/dicom';
import { valueAtLps } from '../../../src/core/volume';
import type { Vec3 } from '../../../src/core/vec3';
import { pydicomSlices } from './pydicom-oracle';
import { LoadCancelledError } from '../../../src/io/types';

const ok = requireShared(true);

function meanAround(vol: Awaited<ReturnType<typeof loadDicomSeries>>['volume'], lps: Vec3, radiusMm: number): number {
  const g = vol.geometry;
  const c = g.lpsToIjk([0, 0, 0], lps);
  let sum = 0, n = 0;
  const r = [radiusMm / g.spacingMm[0], radiusMm / g.spacingMm[1], radiusMm / g.spacingMm[2]].map((x) => Math.ceil(x));
  for (let dk = -r[2]!; dk <= r[2]!; dk++) for (let dj = -r[1]!; dj <= r[1]!; dj++) for (let di = -r[0]!; di <= r[0]!; di++) {
    const i = Math.round(c[0]) + di, j = Math.round(c[1]) + dj, k = Math.round(c[2]) + dk;
    if (i < 0 || j < 0 || k < 0 || i >= g.dims[0] || j >= g.dims[1] || k >= g.dims[2]) continue;
    const p = g.ijkToLps([0, 0, 0], i, j, k);
    if (Math.hypot(p[0] - lps[0], p[1] - lps[1], p[2] - lps[2]) > radiusMm) continue;
    sum += vol.voxels[g.offset(i, j, k)]!;
    n++;
  }
  return sum / n;
}

for (const config of ['default.json', 'hard.json'] as const) {
  describe.skipIf(!ok)(`DICOM loader on phantom ${config}`, () => {
    it('geometry equals truth.json and pixels equal pydicom', async () => {
      const dir = ensurePhantom(config);
      const truth = readTruth(dir);
      const files = filesIn(join(dir, 'dicom'));
      const t0 = performance.now();
      const scan = await scanDicomFiles(files);
      const t1 = performance.now();
      expect(scan.series).toHaveLength(1);
      expect(scan.files.every((f) => f.status === 'ok')).toBe(true);
      const key = pickDefaultSeries(scan)!;
      expect(key).toBe(truth.dicom.series_instance_uid ?? scan.series[0]!.key);
      const loaded = await loadDicomSeries(scan, key);
      const t2 = performance.now();
      console.log(`[timing] ${config}: ${files.length} files, scan ${(t1 - t0).toFixed(0)} ms, load ${(t2 - t1).toFixed(0)} ms`);
      const g = loaded.volume.geometry;
      const tg = truth.geometry;
      expect(g.dims).toEqual([tg.dims.columns, tg.dims.rows, tg.dims.slices]);
      expect(g.spacingMm[0]).toBeCloseTo(tg.spacing_mm.column, 4);
      expect(g.spacingMm[1]).toBeCloseTo(tg.spacing_mm.row, 4);
      expect(Math.abs(g.spacingMm[2] - tg.spacing_mm.slice)).toBeLessThan(1e-4);
      for (let a = 0; a < 3; a++) expect(Math.abs(g.originLps[a]! - tg.origin_lps[a])).toBeLessThan(1e-3);
      const axes = [tg.direction_cosines.row_X, tg.direction_cosines.column_Y, tg.direction_cosines.normal_N];
      for (let ax = 0; ax < 3; ax++) for (let c = 0; c < 3; c++) expect(Math.abs(g.directionCosines[ax * 3 + c]! - axes[ax][c])).toBeLessThan(1e-3);
      const m = g.ijkToLpsMatrix();
      for (let rI = 0; rI < 3; rI++) for (let c = 0; c < 4; c++) expect(Math.abs(m[rI * 4 + c]! - tg.affine_ijk_to_lps[rI][c])).toBeLessThan(1e-3);
      expect(loaded.volume.units).toBe('HU');
      expect(loaded.volume.voxels).toBeInstanceOf(Int16Array);
      expect(loaded.measurementBlockedReason).toBeNull();
      if (config === 'hard.json') expect(loaded.info.warnings.map((w) => w.code)).toContain('oblique');
      else expect(loaded.info.warnings).toEqual([]);

      // Every file of the truth lands on its k.
      const nk = g.dims[2];
      const ks = [0, Math.floor(nk / 3), Math.floor(nk / 2), nk - 1];
      const sliceVoxels = g.dims[0] * g.dims[1];
      const ref = pydicomSlices(join(dir, 'dicom'), ks, sliceVoxels);
      ks.forEach((k, idx) => {
        const got = loaded.volume.voxels.subarray(k * sliceVoxels, (k + 1) * sliceVoxels);
        const want = ref[idx]!;
        let diff = 0;
        for (let i = 0; i < sliceVoxels; i++) if (got[i] !== want[i]) diff++;
        expect(diff, `slice k=${k}`).toBe(0);
      });

      // Anatomy: lytic lesions ~30 HU, cortical bone bright.
      for (const lesion of truth.lesions as Array<{ id: string; type: string; hu: number; center_lps: Vec3 }>) {
        if (lesion.type !== 'lytic') continue;
        const v = meanAround(loaded.volume, lesion.center_lps, 2);
        expect(Math.abs(v - lesion.hu), `lesion ${lesion.id} mean ${v}`).toBeLessThan(15);
      }
      const sclerotic = (truth.lesions as Array<{ type: string; hu: number; center_lps: Vec3 }>).find((l) => l.type === 'sclerotic');
      if (sclerotic) expect(valueAtLps(loaded.volume, sclerotic.center_lps)!).toBeGreaterThan(700);
    });
  });
}

describe.skipIf(!ok)('DICOM loader progress and cancellation', () => {
  it('reports progress and cancels promptly', async () => {
    const dir = ensurePhantom('default.json');
    const files = filesIn(join(dir, 'dicom'));
    const seen: number[] = [];
    const scan = await scanDicomFiles(files, { onProgress: (p) => seen.push(p.done) });
    expect(seen.at(-1)).toBe(files.length);
    const key = pickDefaultSeries(scan)!;
    const ac = new AbortController();
    const p = loadDicomSeries(scan, key, { signal: ac.signal, onProgress: (pr) => { if (pr.done === 5) ac.abort(); } });
    await expect(p).rejects.toBeInstanceOf(LoadCancelledError);
    const ac2 = new AbortController();
    ac2.abort();
    await expect(scanDicomFiles(files, { signal: ac2.signal })).rejects.toBeInstanceOf(LoadCancelledError);
  });
});
