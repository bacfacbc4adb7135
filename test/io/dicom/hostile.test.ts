/** Hostile DICOM files: deflate bombs, absurd geometry and values, broken codestreams (built in code). */
import { describe, expect, it } from 'vitest';
import { loadDicomSeries, pickDefaultSeries, scanDicomFiles, scanAndLoadDicom } from '../../../src/io/dicom';
import { hostileDicom, hostileStack } from '../../helpers/hostile-dicom';

const file = (bytes: Uint8Array, name: string): File => new File([bytes as Uint8Array<ArrayBuffer>], name);

describe('deflated transfer syntax under its header\'s budget', () => {
  it('an honest deflated file loads', async () => {
    const r = await scanAndLoadDicom([file(hostileDicom({ transferSyntax: 'deflated' }), 'ok.dcm')]);
    expect(r.scan.files[0]!.status).toBe('ok');
    const key = pickDefaultSeries(r.scan)!;
    const v = r.loaded ?? (await loadDicomSeries(r.scan, key));
    expect(v.volume.geometry.dims).toEqual([16, 16, 1]);
    expect(v.volume.voxels[1]).toBe(13 * 2 - 1024);
  });

  it('a 4 GB bomb after the pixel data is refused at the claim (+1 MiB), in well under a second', async () => {
    const bytes = hostileDicom({ transferSyntax: 'deflated', trailingZeros: 0xfffffff0 });
    expect(bytes.length).toBeLessThan(5e6);
    const t0 = performance.now();
    const scan = await scanDicomFiles([file(bytes, 'bomb.dcm')]);
    const ms = performance.now() - t0;
    const rep = scan.files[0]!;
    expect(rep.status).toBe('error');
    expect(rep.code).toBe('decompression-refused');
    expect(rep.message).toMatch(/^bomb\.dcm: decompression refused: the header describes 16 × 16 pixels × 1 frame at 16 bits \(.*\), but the compressed data inflates to more than 1\.0 MB/);
    expect(ms).toBeLessThan(1000);
  });

  it('a deflated header claiming more voxels than the limit is refused before its pixels are inflated', async () => {
    const big = hostileDicom({ transferSyntax: 'deflated', rows: 65535, columns: 65535, pixelDataBytes: 64, trailingZeros: 1 << 30 });
    const scan = await scanDicomFiles([file(big, 'huge.dcm')]);
    expect(scan.files[0]!.code).toBe('decompression-refused');
    expect(scan.files[0]!.message).toMatch(/huge\.dcm: refused: the header claims 4\.29 billion voxels/);
  });
});

describe('plausibility of geometry and values', () => {
  it('PixelSpacing 1e9, 1e-9 and NaN block measurement, naming the value (not "missing")', async () => {
    for (const [text, word] of [['1e9\\1e9', 'implausible pixel spacing 1e9 mm'], ['1e-9\\1e-9', 'implausible pixel spacing 1e-9 mm'], ['NaN\\NaN', 'invalid pixel spacing NaN mm'], ['0\\0', 'invalid pixel spacing 0 mm']]) {
      const r = await scanAndLoadDicom(hostileStack(4, { pixelSpacing: text }));
      const info = r.scan.series[0]!;
      expect(info.loadable, text).toBe(true);
      expect(info.spacingMm, text).toBeNull();
      const w = info.warnings.find((x) => x.code === 'invalid-spacing');
      expect(w?.message, text).toContain(word);
      expect(w?.blocksMeasurement).toBe(true);
      expect(JSON.stringify(info.warnings)).not.toMatch(/missing/);
      const v = r.loaded ?? (await loadDicomSeries(r.scan, info.key));
      expect(v.volume.geometry.spacingMm.slice(0, 2)).toEqual([1, 1]);
      expect(v.measurementBlockedReason).toContain(word);
    }
  });

  it('slices 1e6 mm apart: the series is refused and every file says so', async () => {
    const r = await scanAndLoadDicom(hostileStack(3, { stepMm: 1e6 }));
    expect(r.defaultKey).toBeNull();
    expect(r.scan.series[0]!.blockedReason).toMatch(/slices 1e6 mm apart \(at most 50 mm/);
    for (const f of r.scan.files) {
      expect(f.status).toBe('error');
      expect(f.message).toMatch(/^slice\d\.dcm: slices 1e6 mm apart/);
    }
  });

  it('RescaleSlope NaN and 1e30 refuse the file, naming the value', async () => {
    const scan = await scanDicomFiles([file(hostileDicom({ slope: 'NaN' }), 'nan.dcm'), file(hostileDicom({ slope: '1e30' }), 'huge.dcm'), file(hostileDicom({ intercept: 'abc' }), 'abc.dcm')]);
    const [nan, huge, abc] = scan.files;
    expect(nan!.status).toBe('error');
    expect(nan!.code).toBe('implausible-value');
    expect(nan!.message).toMatch(/^nan\.dcm: invalid RescaleSlope NaN: the pixel values cannot be turned into Hounsfield units/);
    expect(huge!.message).toMatch(/^huge\.dcm: implausible RescaleSlope 1e30 .* would become -1024…4\.09e33 \(at most ±100000\)/);
    expect(abc!.message).toMatch(/^abc\.dcm: invalid RescaleIntercept "abc"/);
    expect(scan.series).toEqual([]);
  });

  it('colour images: every file says "only greyscale CT/MR can be planned"', async () => {
    const r = await scanAndLoadDicom(hostileStack(2, { photometric: 'RGB', samplesPerPixel: 3 }));
    expect(r.defaultKey).toBeNull();
    for (const f of r.scan.files) {
      expect(f.status).toBe('error');
      expect(f.code).toBe('color-image');
      expect(f.message).toMatch(/only greyscale CT\/MR can be planned/);
    }
  });
});

describe('compressed frames are checked before a codec sees them', () => {
  it('a JPEG frame without a JPEG marker is refused in words, no number', async () => {
    const scan = await scanDicomFiles([file(hostileDicom({ transferSyntax: '1.2.840.10008.1.2.4.50', frame: new Uint8Array(101496 % 4096).fill(7) }), 'fo__genFile.dcm')]);
    const f = scan.files[0]!;
    expect(f.status).toBe('error');
    expect(f.code).toBe('decode-failed');
    expect(f.message).toBe('fo__genFile.dcm: its JPEG Baseline (8-bit) frame does not start with a JPEG start-of-image marker (FFD8): the compressed data is corrupt');
  });

  it('a JPEG 2000 frame without its codestream marker, an RLE frame without its header', async () => {
    const scan = await scanDicomFiles([
      file(hostileDicom({ transferSyntax: '1.2.840.10008.1.2.4.90', frame: new Uint8Array(200).fill(1) }), 'j2k.dcm'),
      file(hostileDicom({ transferSyntax: '1.2.840.10008.1.2.5', frame: new Uint8Array(200).fill(0) }), 'rle.dcm'),
    ]);
    expect(scan.files[0]!.message).toMatch(/JPEG 2000 codestream marker \(FF4F\)/);
    expect(scan.files[1]!.message).toMatch(/no valid RLE header \(segment count 0\)/);
  });

  it('an unsupported compression is named', async () => {
    const scan = await scanDicomFiles([file(hostileDicom({ transferSyntax: '1.2.840.10008.1.2.4.102', frame: new Uint8Array(64) }), 'video.dcm')]);
    expect(scan.files[0]!.message).toMatch(/^video\.dcm: compressed as MPEG-4 video \(transfer syntax 1\.2\.840\.10008\.1\.2\.4\.102\), which this app cannot decode/);
  });
});
