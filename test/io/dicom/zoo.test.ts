/** DICOM loader against real third-party files in ../shared/data (dicom-loader-zoo, example_ct_dicom). */
import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { requireShared, sharedDir } from '../../helpers/shared';
import { type DicomScan, type FrameDecoder, loadDicomSeries, pickDefaultSeries, scanDicomFiles } from '../../../src/io/dicom';
import { pydicomRaw } from './pydicom-oracle';

const ok = requireShared(true);
const zoo = join(sharedDir, 'data', 'dicom-loader-zoo');
const ctDir = join(zoo, 'ct-transfer-syntaxes');
const ct = (ts: string): string => join(ctDir, readdirSync(ctDir).find((n) => n.endsWith(`_${ts}.dcm`))!);

function fileOf(path: string, root = zoo): File {
  const f = new File([readFileSync(path)], path.split('/').pop()!);
  Object.defineProperty(f, 'webkitRelativePath', { value: relative(root, path) });
  return f;
}
function walk(d: string): string[] {
  return readdirSync(d).flatMap((n) => {
    const p = join(d, n);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}
async function scanOne(path: string): Promise<DicomScan> {
  return scanDicomFiles([fileOf(path)]);
}
async function loadOne(path: string, decoder?: FrameDecoder): Promise<{ scan: DicomScan; voxels: ArrayLike<number>; key: string }> {
  const scan = await scanOne(path);
  expect(scan.files[0]!.status, scan.files[0]!.message).toBe('ok');
  const key = scan.series[0]!.key;
  const loaded = await loadDicomSeries(scan, key, { decoder });
  return { scan, voxels: loaded.volume.voxels, key };
}
function expectSame(a: ArrayLike<number>, b: ArrayLike<number>, what: string): void {
  expect(a.length, what).toBe(b.length);
  let diff = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) diff++;
  expect(diff, `${what}: differing voxels`).toBe(0);
}

describe.skipIf(!ok)('DICOM loader: zoo, uncompressed and in-module decodable syntaxes', () => {
  it('CT slice: implicit LE, big endian, deflated and RLE equal the explicit LE twin, which equals pydicom', async () => {
    const ref = await loadOne(ct('1.2.840.10008.1.2.1'));
    expect(ref.voxels).toBeInstanceOf(Int16Array);
    const raw = pydicomRaw(ct('1.2.840.10008.1.2.1'));
    const plan = ref.scan.plans.get(ref.key)!;
    const { rescaleSlope: m, rescaleIntercept: b } = plan.slices[0]!;
    expectSame(ref.voxels, Array.from(raw, (v) => v * m + b), 'explicit LE vs pydicom');
    for (const ts of ['1.2.840.10008.1.2', '1.2.840.10008.1.2.2', '1.2.840.10008.1.2.1.99', '1.2.840.10008.1.2.5']) {
      const other = await loadOne(ct(ts));
      expect(other.scan.plans.get(other.key)!.slices[0]!.transferSyntaxUid).toBe(ts);
      expectSame(other.voxels, ref.voxels, ts);
    }
  });

  it('enhanced MR (10 frames): explicit LE, big endian and RLE agree; no geometry is flagged', async () => {
    const dir = join(zoo, 'enhanced-multiframe');
    const ref = await loadOne(join(dir, 'emri_small.dcm'));
    const raw = pydicomRaw(join(dir, 'emri_small.dcm'));
    expectSame(ref.voxels, raw, 'emri_small vs pydicom');
    const info = ref.scan.series[0]!;
    expect(info.dims).toEqual([64, 64, 10]);
    expect(info.warnings.map((w) => w.code)).toEqual(expect.arrayContaining(['missing-position', 'missing-pixel-spacing']));
    for (const name of ['emri_small_big_endian.dcm', 'emri_small_RLE.dcm']) expectSame((await loadOne(join(dir, name))).voxels, ref.voxels, name);
  });

  it('enhanced CT and MR: per-frame functional groups become slices with geometry', async () => {
    const dir = join(zoo, 'enhanced-multiframe');
    const ect = await loadOne(join(dir, 'eCT_Supplemental.dcm'));
    const info = ect.scan.series[0]!;
    expect(info.dims).toEqual([512, 512, 2]);
    expect(info.spacingMm![0]).toBeCloseTo(0.388672, 5);
    expect(info.spacingMm![2]).toBeCloseTo(10, 4);
    expect(info.warnings.filter((w) => w.blocksMeasurement)).toEqual([]);
    const raw = pydicomRaw(join(dir, 'eCT_Supplemental.dcm'));
    // pydicom returns frames in file order; the loader sorts along the normal: compare as multisets per frame.
    const n = 512 * 512;
    const plan = ect.scan.plans.get(ect.key)!;
    plan.slices.forEach((s, idx) => {
      const k = plan.sliceK[idx]!;
      const got = Array.from((ect.voxels as Int16Array).subarray(k * n, (k + 1) * n));
      const want = Array.from(raw.subarray(s.frameIndex * n, (s.frameIndex + 1) * n), (v) => v * s.rescaleSlope + s.rescaleIntercept);
      expectSame(got, want, `eCT frame ${s.frameIndex + 1}`);
    });
    const enh = await loadOne(join(dir, 'niivue_enh.dcm'));
    expect(enh.scan.series[0]!.dims).toEqual([64, 64, 6]);
    expect(enh.scan.series[0]!.spacingMm![0]).toBeCloseTo(3.375, 6);
  });

  it('Siemens mosaic: recognised, loaded as stored with a measurement-blocking warning; all encodings agree', async () => {
    const dir = join(zoo, 'mr-mosaic-oblique-ts', 'In');
    const ref = await loadOne(join(dir, '1.dcm'));
    const info = ref.scan.series[0]!;
    expect(info.dims).toEqual([384, 384, 1]);
    expect(info.warnings.find((w) => /mosaic/.test(w.message))?.blocksMeasurement).toBe(true);
    expectSame(ref.voxels, pydicomRaw(join(dir, '1.dcm')), 'mosaic vs pydicom');
    for (const name of ['2.dcm', '3.dcm', '4.dcm']) expectSame((await loadOne(join(dir, name))).voxels, ref.voxels, `mosaic ${name}`);
  });
});

describe.skipIf(!ok)('DICOM loader: zoo, compressed syntaxes (decoder path)', () => {
  const compressed: Array<[string, string]> = [
    ['1.2.840.10008.1.2.4.50', 'ffd8'], ['1.2.840.10008.1.2.4.51', 'ffd8'], ['1.2.840.10008.1.2.4.57', 'ffd8'],
    ['1.2.840.10008.1.2.4.70', 'ffd8'], ['1.2.840.10008.1.2.4.80', 'ffd8'], ['1.2.840.10008.1.2.4.81', 'ffd8'],
    ['1.2.840.10008.1.2.4.90', 'ff4f'], ['1.2.840.10008.1.2.4.91', 'ff4f'],
  ];
  it.each(compressed)('%s is recognised; without a decoder the load says so; a decoder gets the codestream', async (ts, magic) => {
    const scan = await scanOne(ct(ts));
    expect(scan.files[0]!.status).toBe('ok');
    const key = scan.series[0]!.key;
    expect(scan.plans.get(key)!.slices[0]!.transferSyntaxUid).toBe(ts);
    await expect(loadDicomSeries(scan, key)).rejects.toThrow(new RegExp(`${ts.replace(/\./g, '\\.')}.*decoder`));
    const calls: Array<{ ts: string; head: string; rows: number }> = [];
    const fake: FrameDecoder = async (t, encoded, info) => {
      calls.push({ ts: t, head: Buffer.from(encoded.subarray(0, 2)).toString('hex'), rows: info.rows });
      const out = info.pixelRepresentation ? new Int16Array(info.rows * info.columns) : new Uint16Array(info.rows * info.columns);
      out.fill(7);
      return out;
    };
    const loaded = await loadDicomSeries(scan, key, { decoder: fake });
    expect(calls).toEqual([{ ts, head: magic, rows: 512 }]);
    const s = scan.plans.get(key)!.slices[0]!;
    expect(loaded.volume.voxels[1000]).toBeCloseTo(7 * s.rescaleSlope + s.rescaleIntercept, 3);
  });

  it('retired JPEG processes 6-8 and 10-12 are rejected as unsupported', async () => {
    for (const ts of ['1.2.840.10008.1.2.4.53', '1.2.840.10008.1.2.4.55']) {
      const f = (await scanOne(ct(ts))).files[0]!;
      expect(f.status).toBe('error');
      expect(f.code).toBe('unsupported-transfer-syntax');
      expect(f.message).toContain(ts);
    }
  });

  it('fragmented JPEG without Basic Offset Table: 2 frames split at SOI markers', async () => {
    const scan = await scanOne(join(zoo, 'enhanced-multiframe', 'CT0012.fragmented_no_bot_jpeg_baseline.51.dcm'));
    const plan = scan.plans.get(scan.series[0]!.key)!;
    expect(plan.slices).toHaveLength(2);
    const bytes = readFileSync(join(zoo, 'enhanced-multiframe', 'CT0012.fragmented_no_bot_jpeg_baseline.51.dcm'));
    for (const s of plan.slices) {
      const f0 = s.fragments[0]!;
      expect(bytes.subarray(f0.offset, f0.offset + 2).toString('hex')).toBe('ffd8');
    }
  });
});

describe.skipIf(!ok)('DICOM loader: zoo, whole folder', () => {
  it('lists non-image objects and the DICOMDIR, never crashes', async () => {
    const paths = walk(zoo).filter((p) => !/\.(md|tsv|txt|nii|json)$|SHA256SUMS$/.test(p));
    const scan = await scanDicomFiles(paths.map((p) => fileOf(p)));
    expect(scan.files).toHaveLength(paths.length);
    const byName = new Map(scan.files.map((f) => [f.name, f]));
    expect(byName.get('dicomdir/DICOMDIR')).toMatchObject({ status: 'ignored', code: 'dicomdir', objectKind: 'DICOMDIR' });
    const kinds: Record<string, string> = {
      'non-image/highdicom_sr_document.dcm': 'SR', 'non-image/no-pixel-data.dcm': 'SR', 'non-image/reportsi.dcm': 'SR',
      'non-image/test-SR.dcm': 'SR', 'non-image/rtdose.dcm': 'RTDOSE', 'non-image/rtplan.dcm': 'RTPLAN',
      'non-image/rtstruct.dcm': 'RTSTRUCT', 'dicomdir/seg-of-77654033-CT2/seg_image_ct_binary.dcm': 'SEG',
    };
    for (const [name, kind] of Object.entries(kinds)) expect(byName.get(name), name).toMatchObject({ status: 'ignored', code: 'non-image', objectKind: kind });
    for (const f of scan.files) {
      if (f.status !== 'ok') {
        expect(f.code, f.name).toBeTruthy();
        expect(f.message).toContain(f.name);
      }
    }
    // Colour ultrasound is not loadable for planning, with a reason.
    const us = scan.series.filter((s) => s.modality === 'US');
    expect(us.length).toBe(2);
    for (const s of us) expect(s.loadable ? '' : s.blockedReason).toMatch(/colour|palette/);
    expect(pickDefaultSeries(scan)).not.toBeNull();
  });
});

describe.skipIf(!ok)('DICOM loader: TotalSegmentator example_ct_dicom (empty UIDs, JPEG 2000)', () => {
  it('one series of 20 slices grouped without UIDs', async () => {
    const dir = join(sharedDir, 'data', 'totalseg-example-ct', 'example_ct_dicom');
    const scan = await scanDicomFiles(readdirSync(dir).map((n) => fileOf(join(dir, n), dir)));
    expect(scan.files.every((f) => f.status === 'ok')).toBe(true);
    expect(scan.series).toHaveLength(1);
    const s = scan.series[0]!;
    expect(s.sliceCount).toBe(20);
    expect(s.loadable).toBe(true);
    expect(s.modality).toBe('CT');
    expect(s.warnings.map((w) => w.code)).toContain('no-uid-grouped');
    const plan = scan.plans.get(s.key)!;
    expect(new Set(plan.slices.map((x) => x.transferSyntaxUid))).toEqual(new Set(['1.2.840.10008.1.2.4.90']));
    expect(pickDefaultSeries(scan)).toBe(s.key);
  });
});
