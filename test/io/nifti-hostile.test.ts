/** Hostile NIfTI files: decompression bombs, absurd claims and geometry, Analyze pairs (src/io/nifti.ts). */
import { describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import { loadNifti, parseNifti } from '../../src/io/nifti';
import { gzipBomb } from '../helpers/bombs';
import { niftiFile, niftiHeader } from '../helpers/nifti';
import type { FileLike } from '../../src/io/types';

const asFile = (name: string, bytes: Uint8Array): FileLike => new File([bytes as Uint8Array<ArrayBuffer>], name);

describe('NIfTI decompression under the header\'s budget', () => {
  it('a true header claiming 4.3 GB (2048 × 2048 × 512 int16) is refused from the header alone', async () => {
    const bomb = gzipBomb(niftiHeader({ dims: [2048, 2048, 512] }), 256 << 20);
    const t0 = performance.now();
    await expect(loadNifti(asFile('bomb_true.nii.gz', bomb))).rejects.toThrow(/^bomb_true\.nii\.gz: refused: the header claims 2\.15 billion voxels \(2048 × 2048 × 512\); this app holds at most 537 million/);
    expect(performance.now() - t0).toBeLessThan(500);
  });

  it('a lying header (16³) on a 4 GB bomb is refused as soon as the output passes the claim', async () => {
    const bomb = gzipBomb(niftiHeader({ dims: [16, 16, 16] }), 4 * 1024 ** 3);
    const t0 = performance.now();
    await expect(loadNifti(asFile('bomb_lying.nii.gz', bomb))).rejects.toThrow(/^bomb_lying\.nii\.gz: decompression refused: the header describes 16 × 16 × 16 int16 voxels \(8\.5 kB\), but the compressed data inflates to more than 1\.1 MB/);
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(() => parseNifti('bomb_lying.nii.gz', bomb)).toThrow(/decompression refused/);
  });

  it('a 1024³ header in a 1 MB file: refused by the shared voxel limit, nothing inflated', async () => {
    const f = gzipBomb(niftiHeader({ dims: [1024, 1024, 1024] }), 1000 << 20);
    expect(f.length).toBeLessThan(1.1e6);
    await expect(loadNifti(asFile('big.nii.gz', f))).rejects.toThrow(/claims 1\.07 billion voxels/);
  });

  it('a claim the compressed size cannot hold is called truncated before inflating', async () => {
    const f = gzipSync(niftiHeader({ dims: [512, 512, 1000] }));
    await expect(loadNifti(asFile('short.nii.gz', new Uint8Array(f)))).rejects.toThrow(/^short\.nii\.gz: truncated NIfTI file: the header claims 524\.3 MB of data, but/);
  });

  it('an uncompressed file shorter than its claim is truncated, read no further', async () => {
    const f = niftiHeader({ dims: [512, 512, 300] });
    await expect(loadNifti(asFile('short.nii', f))).rejects.toThrow(/^short\.nii: truncated NIfTI file \(352 bytes; the header claims 157\.3 MB/);
  });

  it('an honest .nii.gz still loads, and a 4D file stops after its first volume', async () => {
    const vals = Array.from({ length: 4 * 3 * 2 }, (_, i) => i - 1024);
    const s = await loadNifti(asFile('ok.nii.gz', new Uint8Array(gzipSync(niftiFile({ dims: [4, 3, 2] }, vals)))));
    expect([...s.volume.voxels]).toEqual(vals);
    const four = new Uint8Array(352 + 24 * 2 * 50);
    four.set(niftiFile({ dims: [4, 3, 2, 50] }, vals));
    const s4 = await loadNifti(asFile('4d.nii.gz', new Uint8Array(gzipSync(four))));
    expect([...s4.volume.voxels]).toEqual(vals);
    expect(s4.info.warnings.map((w) => w.message).join(' ')).toMatch(/50 volumes/);
  });
});

describe('NIfTI geometry plausibility and pair files', () => {
  it('spacing 1e9, 1e-9 or NaN blocks measurement naming the value, shown on a 1 mm grid', () => {
    for (const [sp, word] of [[1e9, 'implausible pixel spacing \\(i\\) 1e9 mm'], [1e-9, 'implausible pixel spacing \\(i\\) 1e-9 mm'], [NaN, 'NaN']] as const) {
      const f = niftiFile({ dims: [4, 4, 4], pixdim: [sp, 1, 1], sform: [Number.isNaN(sp) ? 1 : sp, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0] });
      if (Number.isNaN(sp)) {
        // A NaN sform is not a transform at all.
        const bad = niftiFile({ dims: [4, 4, 4], sform: [NaN, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0] });
        expect(() => parseNifti('nan.nii', bad)).toThrow(/^nan\.nii: invalid NIfTI header \(non-finite sform transform\)/);
        continue;
      }
      const s = parseNifti('sp.nii', f);
      expect(s.measurementBlockedReason).toMatch(new RegExp(word));
      expect(s.info.spacingMm).toBeNull();
      expect(s.volume.geometry.spacingMm).toEqual([1, 1, 1]);
      expect(s.info.warnings.map((w) => w.code)).toContain('invalid-spacing');
    }
  });

  it('scl_slope 1e30 refuses the file, naming it', () => {
    expect(() => parseNifti('s.nii', niftiFile({ dims: [2, 2, 1], slope: 1e30 }, [1, 2, 3, 4]))).toThrow(/^s\.nii: implausible scl_slope 1e30 \/ scl_inter 0: the values would reach 1e30…4e30/);
    expect(parseNifti('ok.nii', niftiFile({ dims: [2, 2, 1], slope: 1, inter: -1024 }, [1, 2, 3, 4])).volume.voxels[0]).toBe(-1023);
  });

  it('slices 1e6 mm apart block measurement', () => {
    const s = parseNifti('gap.nii', niftiFile({ dims: [4, 4, 4], pixdim: [1, 1, 1e6] }));
    expect(s.measurementBlockedReason).toMatch(/slices 1e6 mm apart/);
  });

  it('Analyze 7.5 .hdr and pair .img files are named as such', async () => {
    await expect(loadNifti(asFile('brain.hdr', niftiHeader({ dims: [4, 4, 4], magic: '\0\0\0' })))).rejects.toThrow(/^brain\.hdr: an Analyze 7\.5 header \(\.hdr\/\.img pair\)/);
    await expect(loadNifti(asFile('brain.img', new Uint8Array(128)))).rejects.toThrow(/^brain\.img: the image data of an Analyze 7\.5 or NIfTI \.hdr\/\.img pair/);
    await expect(loadNifti(asFile('pair.hdr', niftiHeader({ dims: [4, 4, 4], magic: 'ni1' })))).rejects.toThrow(/^pair\.hdr: a \.hdr\/\.img pair header/);
  });
});
