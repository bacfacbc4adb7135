/** DICOM loader on series written in code: orientation set, tilt, gaps, rescale types, cancellation. */
import { describe, expect, it } from 'vitest';
import { loadDicomSeries, scanDicomFiles } from '../../../src/io/dicom';
import { copyToInt16 } from '../../../src/io/dicom/load';
import { LoadCancelledError } from '../../../src/io/types';
import { makeStack } from './synthetic';

const ROWS = 6, COLS = 8;
const code = (i: number, j: number, k: number): number => k * 100 + j * 10 + i;

function add(a: number[], b: number[], s = 1): number[] {
  return a.map((v, n) => v + s * b[n]!);
}
function cross(a: number[], b: number[]): number[] {
  return [a[1]! * b[2]! - a[2]! * b[1]!, a[2]! * b[0]! - a[0]! * b[2]!, a[0]! * b[1]! - a[1]! * b[0]!];
}

describe('DICOM loader: orientation set (voxel placement and geometry)', () => {
  const cases: Array<[string, number[], number[], number]> = [
    ['axial', [1, 0, 0], [0, 1, 0], 2.5],
    ['axial, descending normal', [1, 0, 0], [0, 1, 0], -2.5],
    ['coronal', [1, 0, 0], [0, 0, -1], 3],
    ['sagittal', [0, 1, 0], [0, 0, -1], 1.25],
    ['oblique', [Math.cos(0.3), Math.sin(0.3), 0], [-Math.sin(0.3) * Math.cos(0.5), Math.cos(0.3) * Math.cos(0.5), Math.sin(0.5)], 2],
  ];
  it.each(cases)('%s', async (name, rowCos, colCos, step) => {
    const n = cross(rowCos, colCos);
    const p0 = [-40.5, 12.25, 100];
    const files = makeStack({ rows: ROWS, columns: COLS, n: 10, rowCos, colCos, position: (k) => add(p0, n, k * step), value: code, intercept: -1024 });
    const scan = await scanDicomFiles(files);
    expect(scan.series).toHaveLength(1);
    const loaded = await loadDicomSeries(scan, scan.series[0]!.key);
    const g = loaded.volume.geometry;
    expect(g.dims).toEqual([COLS, ROWS, 10]);
    expect(g.spacingMm[0]).toBeCloseTo(0.9, 9); // column spacing = PixelSpacing[1]
    expect(g.spacingMm[1]).toBeCloseTo(0.6, 9);
    expect(g.spacingMm[2]).toBeCloseTo(Math.abs(step), 6);
    // k runs along +N: slice k=0 is the lowest IPP·N.
    const kOfSorted = (k: number): number => (step > 0 ? k : 9 - k);
    for (const k of [0, 4, 9]) {
      const src = kOfSorted(k);
      for (const [i, j] of [[0, 0], [COLS - 1, 0], [3, ROWS - 1]] as const) {
        expect(loaded.volume.voxels[g.offset(i, j, k)], `${name} ${i},${j},${k}`).toBe(code(i, j, src) - 1024);
        const want = add(add(add(p0, n, src * step), rowCos, i * 0.9), colCos, j * 0.6);
        const got = g.ijkToLps([0, 0, 0], i, j, k);
        for (let a = 0; a < 3; a++) expect(got[a]!).toBeCloseTo(want[a]!, 6);
      }
    }
    const codes = loaded.info.warnings.map((w) => w.code);
    expect(codes.includes('oblique')).toBe(name === 'oblique');
    expect(codes).not.toContain('gantry-tilt');
  });

  it('gantry tilt: sheared stack kept faithful with a warning', async () => {
    const tilt = (15 * Math.PI) / 180;
    const files = makeStack({ rows: ROWS, columns: COLS, n: 10, rowCos: [1, 0, 0], colCos: [0, 1, 0], position: (k) => [0, k * 2 * Math.tan(tilt), k * 2], value: code });
    const scan = await scanDicomFiles(files);
    const info = scan.series[0]!;
    expect(info.warnings.find((w) => w.code === 'gantry-tilt')?.message).toMatch(/15°/);
    const loaded = await loadDicomSeries(scan, info.key);
    const g = loaded.volume.geometry;
    const p = g.ijkToLps([0, 0, 0], 2, 3, 7);
    expect(p[0]).toBeCloseTo(2 * 0.9, 6);
    expect(p[1]).toBeCloseTo(3 * 0.6 + 14 * Math.tan(tilt), 6);
    expect(p[2]).toBeCloseTo(14, 6);
    expect(loaded.volume.voxels[g.offset(2, 3, 7)]).toBe(code(2, 3, 7));
  });
});

describe('DICOM loader: spacing problems', () => {
  it('two missing slices in one gap: true positions, interpolated values, listed in the warning', async () => {
    const ks = [0, 1, 2, 3, 6, 7, 8, 9, 10];
    const files = makeStack({ rows: ROWS, columns: COLS, n: 11, rowCos: [1, 0, 0], colCos: [0, 1, 0], position: (k) => [0, 0, k * 5], value: code })
      .filter((_, f) => ks.includes((f * 7 + 3) % 11));
    const scan = await scanDicomFiles(files);
    const info = scan.series[0]!;
    expect(info.loadable).toBe(true);
    expect(info.sliceCount).toBe(11);
    expect(info.warnings.find((w) => w.code === 'non-uniform-spacing')?.message).toMatch(/15 mm .*2 missing.*k = 4, 5/);
    const loaded = await loadDicomSeries(scan, info.key);
    const g = loaded.volume.geometry;
    expect(g.spacingMm[2]).toBeCloseTo(5, 9);
    expect(loaded.volume.voxels[g.offset(1, 1, 6)]).toBe(code(1, 1, 6));
    expect(loaded.volume.voxels[g.offset(1, 1, 4)]).toBe(Math.round(code(1, 1, 3) + (code(1, 1, 6) - code(1, 1, 3)) / 3));
  });

  it('irregular steps: refused with the steps listed', async () => {
    const z = [0, 5, 10, 17.3, 22.3, 27.3];
    const files = makeStack({ rows: ROWS, columns: COLS, n: 6, rowCos: [1, 0, 0], colCos: [0, 1, 0], position: (k) => [0, 0, z[k]!], value: code, order: [0, 1, 2, 3, 4, 5] });
    const scan = await scanDicomFiles(files);
    const info = scan.series[0]!;
    expect(info.loadable).toBe(false);
    expect(info.blockedReason).toMatch(/non-uniform slice spacing: steps 5, 5, 7\.3, 5, 5/);
    await expect(loadDicomSeries(scan, info.key)).rejects.toThrow(/cannot be loaded/);
  });
});

describe('DICOM loader: value types', () => {
  it('non-integer rescale gives Float32 with exact values', async () => {
    const files = makeStack({ rows: ROWS, columns: COLS, n: 4, rowCos: [1, 0, 0], colCos: [0, 1, 0], position: (k) => [0, 0, k], value: code, slope: 0.5, intercept: -10.25, order: [3, 1, 0, 2] });
    const scan = await scanDicomFiles(files);
    const loaded = await loadDicomSeries(scan, scan.series[0]!.key);
    expect(loaded.volume.voxels).toBeInstanceOf(Float32Array);
    expect(loaded.volume.voxels[loaded.volume.geometry.offset(5, 2, 3)]).toBe(code(5, 2, 3) * 0.5 - 10.25);
  });

  it('unsigned 16-bit above the int16 range: upgraded to Float32 without losing values', async () => {
    const files = makeStack({ rows: ROWS, columns: COLS, n: 9, rowCos: [1, 0, 0], colCos: [0, 1, 0], position: (k) => [0, 0, k], value: (i, j, k) => (k === 6 ? 60000 + i : code(i, j, k)), unsigned: true });
    const scan = await scanDicomFiles(files);
    const loaded = await loadDicomSeries(scan, scan.series[0]!.key, { concurrency: 2 });
    const g = loaded.volume.geometry;
    expect(loaded.volume.voxels).toBeInstanceOf(Float32Array);
    expect(loaded.volume.voxels[g.offset(3, 0, 6)]).toBe(60003);
    for (const k of [0, 5, 8]) expect(loaded.volume.voxels[g.offset(4, 5, k)]).toBe(code(4, 5, k));
  });

  it('unsigned 16-bit that fits stays Int16; big endian and implicit VR agree', async () => {
    for (const ts of ['1.2.840.10008.1.2.1', '1.2.840.10008.1.2', '1.2.840.10008.1.2.2'] as const) {
      const files = makeStack({ rows: ROWS, columns: COLS, n: 5, rowCos: [1, 0, 0], colCos: [0, 1, 0], position: (k) => [0, 0, k], value: code, unsigned: true, intercept: -1024, transferSyntax: ts });
      const scan = await scanDicomFiles(files);
      const loaded = await loadDicomSeries(scan, scan.series[0]!.key);
      expect(loaded.volume.voxels, ts).toBeInstanceOf(Int16Array);
      expect(loaded.volume.voxels[loaded.volume.geometry.offset(7, 5, 4)], ts).toBe(code(7, 5, 4) - 1024);
    }
  });

  it('copyToInt16 (two-lane fast path) equals the plain rescale and detects overflow', () => {
    let seed = 7;
    const rnd = (): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    for (let trial = 0; trial < 200; trial++) {
      const n = 2 * (1 + Math.floor(rnd() * 500));
      const src = new Int16Array(n).map(() => Math.floor(rnd() * 65536) - 32768);
      const intercept = [-1024, 1024, -1, 1, 0, 3000, -32768, 32767][trial % 8]!;
      if (trial % 3 === 0) for (let i = 0; i < n; i++) src[i] = Math.max(-32768 - Math.min(0, intercept), Math.min(32767 - Math.max(0, intercept), src[i]!));
      const out = new Int16Array(n + 4);
      const fits = src.every((v) => v + intercept >= -32768 && v + intercept <= 32767);
      expect(copyToInt16(out, 2, src, 1, intercept)).toBe(fits);
      if (fits) for (let i = 0; i < n; i++) expect(out[2 + i]).toBe(src[i]! + intercept);
    }
  });
});

describe('DICOM loader: cancellation', () => {
  it('aborting during the scan rejects with LoadCancelledError', async () => {
    const files = makeStack({ rows: ROWS, columns: COLS, n: 40 - 5, rowCos: [1, 0, 0], colCos: [0, 1, 0], position: (k) => [0, 0, k], value: code, order: Array.from({ length: 35 }, (_, k) => k) });
    const ac = new AbortController();
    const p = scanDicomFiles(files, { signal: ac.signal, concurrency: 2, onProgress: (pr) => { if (pr.done === 3) ac.abort(); } });
    await expect(p).rejects.toBeInstanceOf(LoadCancelledError);
  });
});

describe('DICOM loader: FileLike without Blob streams', () => {
  it('falls back to arrayBuffer() reads', async () => {
    const files = makeStack({ rows: ROWS, columns: COLS, n: 5, rowCos: [1, 0, 0], colCos: [0, 1, 0], position: (k) => [0, 0, k], value: code });
    const plain = files.map((f) => ({
      name: f.name,
      size: f.size,
      slice: (a?: number, b?: number) => {
        const part = f.slice(a, b);
        return { size: part.size, arrayBuffer: () => part.arrayBuffer() } as unknown as Blob;
      },
      arrayBuffer: () => f.arrayBuffer(),
    }));
    const scan = await scanDicomFiles(plain);
    const loaded = await loadDicomSeries(scan, scan.series[0]!.key);
    expect(loaded.volume.voxels[loaded.volume.geometry.offset(7, 5, 4)]).toBe(code(7, 5, 4));
  });
});
