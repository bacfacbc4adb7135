/**
 * The single-pass loader (whole-file reads, in-place arena) must give exactly what the two-pass
 * loader gives: same scan, same geometry, same voxels; and fall back where it cannot.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { scanDicomFiles, loadDicomSeries, pickDefaultSeries, scanAndLoadDicom } from '../../../src/io/dicom';
import type { LoadedSeries } from '../../../src/io/types';
import { requireShared, ensurePhantom, ensureBadInputs, filesIn } from '../../helpers/shared';
import { makeStack } from './synthetic';

const sameBytes = (a: ArrayBufferView, b: ArrayBufferView): boolean =>
  a.byteLength === b.byteLength && Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength)) === 0;

async function twoPass(files: File[]): Promise<LoadedSeries | null> {
  const scan = await scanDicomFiles(files);
  const key = pickDefaultSeries(scan);
  return key ? loadDicomSeries(scan, key) : null;
}

function expectSame(a: LoadedSeries, b: LoadedSeries): void {
  expect(a.volume.geometry.toJSON()).toEqual(b.volume.geometry.toJSON());
  expect(a.volume.voxels.constructor).toBe(b.volume.voxels.constructor);
  expect(sameBytes(a.volume.voxels, b.volume.voxels)).toBe(true);
  expect(a.info).toEqual(b.info);
  expect(a.measurementBlockedReason).toBe(b.measurementBlockedReason);
}

const ok = requireShared(true);

describe('single-pass DICOM loading', () => {
  it('equals the two-pass loader on a shuffled signed stack and uses the arena', async () => {
    const files = makeStack({ rows: 24, columns: 20, n: 17, rowCos: [1, 0, 0], colCos: [0, 1, 0], position: (k) => [-5, 3, 10 + 2.5 * k], value: (i, j, k) => i - 3 * j + 40 * k - 200, intercept: -1024 });
    const r = await scanAndLoadDicom(files);
    expect(r.loaded).not.toBeNull();
    expectSame(r.loaded!, (await twoPass(files))!);
    // The scan's slice records point at the real files (reloading another series reads them).
    const again = await loadDicomSeries(r.scan, r.defaultKey!);
    expect(sameBytes(again.volume.voxels, r.loaded!.volume.voxels)).toBe(true);
  });

  it('equals the two-pass loader on unsigned data with an intercept, and on an oblique reversed stack', async () => {
    const u = makeStack({ rows: 16, columns: 16, n: 9, rowCos: [1, 0, 0], colCos: [0, 1, 0], position: (k) => [0, 0, -3 * k], value: (i, j, k) => 1000 + i * 10 + j + k * 300, unsigned: true, intercept: -1024 });
    const ru = await scanAndLoadDicom(u);
    expect(ru.loaded).not.toBeNull();
    expectSame(ru.loaded!, (await twoPass(u))!);
    const c = Math.cos(0.3), s = Math.sin(0.3);
    const cb = Math.cos(0.2), sb = Math.sin(0.2);
    const o = makeStack({ rows: 12, columns: 14, n: 11, rowCos: [c, s, 0], colCos: [-s * cb, c * cb, sb], position: (k) => [2.5 * k * s * sb, -2.5 * k * c * sb, 2.5 * k * cb].map((v, a) => (a === 0 ? v + 1 : v)), value: (i, j, k) => (i * 31 + j * 17 + k * 7) % 900 });
    const ro = await scanAndLoadDicom(o);
    expect(ro.loaded).not.toBeNull();
    expect(ro.loaded!.info.warnings.map((w) => w.code)).toContain('oblique');
    expectSame(ro.loaded!, (await twoPass(o))!);
  });

  it('falls back (loaded = null) when the rescale overflows int16', async () => {
    const files = makeStack({ rows: 8, columns: 8, n: 4, rowCos: [1, 0, 0], colCos: [0, 1, 0], position: (k) => [0, 0, k], value: () => 60000, unsigned: true });
    const r = await scanAndLoadDicom(files);
    expect(r.loaded).toBeNull();
    const full = await loadDicomSeries(r.scan, r.defaultKey!);
    expect(full.volume.voxels).toBeInstanceOf(Float32Array);
    expect(full.volume.voxels[0]).toBe(60000);
  });

  it.skipIf(!ok)('equals the two-pass loader on the phantoms and on the all-in-one bad-input folder', async () => {
    for (const dir of [join(ensurePhantom('default.json'), 'dicom'), join(ensurePhantom('hard.json'), 'dicom'), join(ensureBadInputs(), 'all_in_one')]) {
      const files = filesIn(dir);
      const r = await scanAndLoadDicom(files);
      const two = await scanDicomFiles(files);
      expect(r.scan.files).toEqual(two.files);
      expect(r.scan.series).toEqual(two.series);
      expect(r.loaded, dir).not.toBeNull();
      expectSame(r.loaded!, (await twoPass(files))!);
    }
  });

  it('honours the allocator (shared memory for the segmentation worker)', async () => {
    const files = makeStack({ rows: 8, columns: 8, n: 5, rowCos: [1, 0, 0], colCos: [0, 1, 0], position: (k) => [0, 0, k], value: (i, j, k) => i + j + k });
    const r = await scanAndLoadDicom(files, { allocate: (n) => new SharedArrayBuffer(n) });
    expect(r.loaded!.volume.voxels.buffer).toBeInstanceOf(SharedArrayBuffer);
  });
});
