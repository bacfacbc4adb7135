/** DICOM loader against ../shared/phantom/make_bad_inputs.py (see BAD_INPUTS.md). */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureBadInputs, filesIn, requireShared } from '../../helpers/shared';
import { type DicomScan, loadDicomSeries, pickDefaultSeries, scanDicomFiles } from '../../../src/io/dicom';
import type { FileReport, SeriesInfo } from '../../../src/io/types';
import { pydicomRaw } from './pydicom-oracle';

const ok = requireShared(true);

describe.skipIf(!ok)('DICOM loader: bad inputs', () => {
  const dir = ok ? ensureBadInputs() : '';
  const scans = new Map<string, DicomScan>();
  async function scanCase(name: string): Promise<DicomScan> {
    let s = scans.get(name);
    if (!s) {
      s = await scanDicomFiles(filesIn(join(dir, name === 'all_in_one' ? 'all_in_one' : join('cases', name))));
      scans.set(name, s);
    }
    return s;
  }
  const file = (scan: DicomScan, name: string): FileReport => {
    const f = scan.files.find((x) => x.name === name);
    if (!f) throw new Error(`no report for ${name}`);
    return f;
  };
  const good = (scan: DicomScan): SeriesInfo => {
    const s = scan.series.filter((x) => x.seriesDescription === 'GOOD SERIES' && x.sliceCount === 16 && x.loadable);
    expect(s).toHaveLength(1);
    return s[0]!;
  };
  async function expectGoodLoads(scan: DicomScan): Promise<void> {
    const info = good(scan);
    expect(info.warnings).toEqual([]);
    const loaded = await loadDicomSeries(scan, info.key);
    expect(loaded.volume.geometry.dims).toEqual([64, 64, 16]);
    expect(loaded.volume.geometry.spacingMm).toEqual([3, 3, 5]);
    expect(loaded.measurementBlockedReason).toBeNull();
  }
  function expectError(scan: DicomScan, name: string, code: string, words: RegExp): void {
    const f = file(scan, name);
    expect(f.status).toBe('error');
    expect(f.code).toBe(code);
    expect(f.message).toContain(name);
    expect(f.message).toMatch(words);
  }
  const goodFiles = (scan: DicomScan): FileReport[] => scan.files.filter((f) => f.name.startsWith('good_'));

  it('manifest lists the cases this test covers', () => {
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    expect(manifest.cases.map((c: { case: string }) => c.case)).toEqual(expect.arrayContaining([
      '01_zero_byte', '02_truncated', '03_text_as_dcm', '04_jpeg', '05_no_pixel_spacing', '06_duplicate_position',
      '07_missing_slice', '08_interleaved_series', '09_script_patient_name', '10_sr_document', '11_no_preamble',
      '12_pixel_data_short', '13_jpeg_transfer_syntax', '14_inconsistent_dims', '15_no_position',
    ]));
  });

  it('01 zero byte file', async () => {
    const scan = await scanCase('01_zero_byte');
    expectError(scan, 'empty.dcm', 'empty-file', /empty/);
    expect(goodFiles(scan).every((f) => f.status === 'ok')).toBe(true);
    await expectGoodLoads(scan);
  });

  it('02 truncated header and pixels', async () => {
    const scan = await scanCase('02_truncated');
    expectError(scan, 'truncated_header.dcm', 'truncated', /truncated/);
    expectError(scan, 'truncated_pixels.dcm', 'truncated', /PixelData/);
    await expectGoodLoads(scan);
  });

  it('03 text file named .dcm', async () => {
    const scan = await scanCase('03_text_as_dcm');
    expectError(scan, 'notes.dcm', 'not-dicom', /not a DICOM file/);
    await expectGoodLoads(scan);
  });

  it('04 JPEG photos', async () => {
    const scan = await scanCase('04_jpeg');
    expectError(scan, 'photo.jpg', 'not-dicom', /JPEG image, not a DICOM/);
    expectError(scan, 'photo_renamed.dcm', 'not-dicom', /JPEG image, not a DICOM/);
    await expectGoodLoads(scan);
  });

  it('05 no pixel spacing: loads for viewing, measurement blocked with a reason', async () => {
    const scan = await scanCase('05_no_pixel_spacing');
    expect(scan.series).toHaveLength(1);
    const info = scan.series[0]!;
    expect(info.spacingMm).toBeNull();
    const w = info.warnings.find((x) => x.code === 'missing-pixel-spacing');
    expect(w?.blocksMeasurement).toBe(true);
    expect(w?.message).toMatch(/PixelSpacing.*1 mm/);
    const loaded = await loadDicomSeries(scan, info.key);
    expect(loaded.measurementBlockedReason).toMatch(/PixelSpacing/);
    expect(loaded.volume.geometry.dims).toEqual([64, 64, 16]);
  });

  it('06 duplicate position: 16 slices, the extra one dropped by name', async () => {
    const scan = await scanCase('06_duplicate_position');
    expect(scan.series).toHaveLength(1);
    const info = scan.series[0]!;
    expect(info.sliceCount).toBe(16);
    const w = info.warnings.find((x) => x.code === 'duplicate-position');
    expect(w?.message).toMatch(/dropped dup_extra_IM00099\.dcm/);
    expect(file(scan, 'dup_extra_IM00099.dcm').status).toBe('ignored');
    const loaded = await loadDicomSeries(scan, info.key);
    expect(loaded.volume.geometry.dims[2]).toBe(16);
    expect(loaded.volume.geometry.spacingMm[2]).toBeCloseTo(5, 6);
    // The kept slice is the real one (the duplicate has a bright square): compare with pydicom.
    const plan = scan.plans.get(info.key)!;
    const idx = plan.slices.findIndex((sl) => sl.fileName === 'dup_IM00008.dcm');
    const k = plan.sliceK[idx]!;
    const want = pydicomRaw(join(dir, 'cases', '06_duplicate_position', 'dup_IM00008.dcm'));
    const got = loaded.volume.voxels.subarray(k * 4096, (k + 1) * 4096);
    for (let i = 0; i < 4096; i++) if (got[i] !== want[i]! - 1024) throw new Error(`voxel ${i} of k=${k}: ${got[i]} vs ${want[i]! - 1024}`);
  });

  it('07 missing slice: the gap is listed, slices stay at their true positions', async () => {
    const scan = await scanCase('07_missing_slice');
    const info = scan.series[0]!;
    expect(scan.series).toHaveLength(1);
    const w = info.warnings.find((x) => x.code === 'non-uniform-spacing');
    expect(w?.message).toMatch(/10 mm between gap_IM00009\.dcm and gap_IM00011\.dcm/);
    expect(info.sliceCount).toBe(16);
    const loaded = await loadDicomSeries(scan, info.key);
    const g = loaded.volume.geometry;
    expect(g.spacingMm[2]).toBeCloseTo(5, 6);
    expect(g.dims[2]).toBe(16);
  });

  it('08 interleaved series: two series of 16, never merged', async () => {
    const scan = await scanCase('08_interleaved_series');
    expect(scan.series).toHaveLength(2);
    for (const s of scan.series) {
      expect(s.sliceCount).toBe(16);
      expect(s.loadable).toBe(true);
    }
    const a = scan.series.find((s) => s.seriesDescription === 'GOOD SERIES')!;
    const b = scan.series.find((s) => s !== a)!;
    expect(a.spacingMm).toEqual([3, 3, 5]);
    expect(b.spacingMm![0]).toBeCloseTo(2, 6);
    expect(b.spacingMm![2]).toBeCloseTo(4, 4);
    expect(b.warnings.map((w) => w.code)).toContain('oblique');
    const lb = await loadDicomSeries(scan, b.key);
    expect(lb.volume.geometry.dims[2]).toBe(16);
  });

  it('09 script in text fields: returned literally', async () => {
    const scan = await scanCase('09_script_patient_name');
    const info = scan.series[0]!;
    expect(info.patientName).toBe('<script>alert(1)</script>');
    const loaded = await loadDicomSeries(scan, info.key);
    expect(loaded.info.patientName).toBe('<script>alert(1)</script>');
  });

  it('10 SR document is listed as a non-image object', async () => {
    const scan = await scanCase('10_sr_document');
    const f = file(scan, 'report_sr.dcm');
    expect(f.status).toBe('ignored');
    expect(f.code).toBe('non-image');
    expect(f.objectKind).toBe('SR');
    expect(f.message).toContain('report_sr.dcm');
    await expectGoodLoads(scan);
  });

  it('11 no preamble: read as raw implicit VR LE, a separate 1-slice series', async () => {
    const scan = await scanCase('11_no_preamble');
    const f = file(scan, 'raw_no_preamble.dcm');
    expect(f.status).toBe('ok');
    expect(f.code).toBe('no-preamble');
    const s = scan.series.find((x) => x.key === f.seriesKey)!;
    expect(s.sliceCount).toBe(1);
    expect(s.warnings.map((w) => w.code)).toEqual(expect.arrayContaining(['no-preamble', 'single-slice']));
    await loadDicomSeries(scan, s.key);
    await expectGoodLoads(scan);
  });

  it('12 pixel data short', async () => {
    const scan = await scanCase('12_pixel_data_short');
    expectError(scan, 'short_pixels.dcm', 'pixel-data-short', /4096 bytes.*8192/);
    await expectGoodLoads(scan);
  });

  it('13 JPEG transfer syntax: recognised, never read as raw, needs the decoder', async () => {
    const scan = await scanCase('13_jpeg_transfer_syntax');
    const f = file(scan, 'jpeg_baseline.dcm');
    expect(f.status).toBe('ok');
    const s = scan.series.find((x) => x.key === f.seriesKey)!;
    expect(s.warnings.map((w) => w.code)).toContain('lossy-compression');
    await expect(loadDicomSeries(scan, s.key)).rejects.toThrow(/jpeg_baseline\.dcm.*1\.2\.840\.10008\.1\.2\.4\.50.*decoder/);
    expect(pickDefaultSeries(scan)).toBe(good(scan).key);
    await expectGoodLoads(scan);
  });

  it('14 inconsistent dims: the odd slice is split off by name, never stacked', async () => {
    const scan = await scanCase('14_inconsistent_dims');
    const main = scan.series.find((s) => s.dims[0] === 64)!;
    const odd = scan.series.find((s) => s.dims[0] !== 64)!;
    expect(main.warnings.find((w) => w.code === 'inconsistent-dims')?.message).toMatch(/dims_IM00007\.dcm/);
    expect(odd.sliceCount).toBe(1);
    expect(file(scan, 'dims_IM00007.dcm').code).toBe('inconsistent-dims');
    const loaded = await loadDicomSeries(scan, main.key);
    expect(loaded.volume.geometry.dims).toEqual([64, 64, 16]); // 15 real + 1 interpolated at the true position
  });

  it('15 no position: measurement and 3-D planning blocked, loudly', async () => {
    const scan = await scanCase('15_no_position');
    const info = scan.series[0]!;
    const w = info.warnings.find((x) => x.code === 'missing-position');
    expect(w?.blocksMeasurement).toBe(true);
    const loaded = await loadDicomSeries(scan, info.key);
    expect(loaded.measurementBlockedReason).toMatch(/ImagePositionPatient.*NOT patient coordinates/);
  });

  it('all_in_one: one message per bad file, the good series loads', async () => {
    const scan = await scanCase('all_in_one');
    const bad = scan.files.filter((f) => !f.name.startsWith('good_'));
    for (const f of bad) {
      if (f.status === 'ok') {
        expect(['raw_no_preamble.dcm', 'jpeg_baseline.dcm']).toContain(f.name);
      } else {
        expect(f.code, f.name).toBeTruthy();
        expect(f.message).toContain(f.name);
      }
    }
    expect(goodFiles(scan).every((f) => f.status === 'ok')).toBe(true);
    expect(pickDefaultSeries(scan)).toBe(good(scan).key);
    await expectGoodLoads(scan);
  });
});
