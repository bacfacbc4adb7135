import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { gzipSync } from 'fflate';
import { loadNifti, parseNifti, qformToAffine } from '../../src/io/nifti';
import { requireShared, sharedDir, PYTHON } from '../helpers/shared';
import type { FileLike } from '../../src/io/types';

const dataDir = join(sharedDir, 'data', 'totalseg-example-ct');

function fileFrom(name: string, bytes: Uint8Array): FileLike {
  return new File([bytes as Uint8Array<ArrayBuffer>], name);
}
function sharedFile(name: string): FileLike {
  return fileFrom(name, new Uint8Array(readFileSync(join(dataDir, name))));
}

/**
 * Expected values for example_ct.nii.gz, read once with nibabel 5.0 (`img.affine`, `img.get_fdata()`):
 *   shape (122, 101, 112), int32 on disk, qform_code 0, sform_code 2, scl_slope NaN (no scaling),
 *   affine (RAS) = [[3,0,0,-177.9563293457], [0,3,0,11.3190002441], [0,0,3,94.3017578125]].
 * In LPS (rows 0 and 1 negated): i-axis (-1,0,0), j-axis (0,-1,0), k-axis (0,0,1), spacing 3 mm,
 * origin (177.9563293457, -11.3190002441, 94.3017578125). Data range -1207..3382.
 */
const CT_EXPECTED = {
  dims: [122, 101, 112],
  spacing: [3, 3, 3],
  originLps: [177.9563293457, -11.3190002441, 94.3017578125],
  direction: [-1, 0, 0, 0, -1, 0, 0, 0, 1],
  range: [-1207, 3382],
  values: [
    [[0, 0, 0], -1023],
    [[61, 50, 56], 164],
    [[10, 20, 30], -132],
    [[121, 100, 111], -997],
    [[60, 70, 30], -80],
    [[61, 60, 20], 14],
    [[30, 40, 90], 15],
  ] as Array<[[number, number, number], number]>,
};

function hasNibabel(): boolean {
  try {
    execFileSync(PYTHON, ['-c', 'import nibabel'], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

const sharedOk = requireShared();

describe.runIf(sharedOk)('loadNifti on the TotalSegmentator example CT', () => {
  it('reads dims, spacing, LPS geometry and HU like nibabel', async () => {
    const t0 = performance.now();
    const s = await loadNifti(sharedFile('example_ct.nii.gz'));
    const ms = performance.now() - t0;
    console.log(`example_ct.nii.gz loaded in ${ms.toFixed(0)} ms`);
    const g = s.volume.geometry;
    expect(g.dims).toEqual(CT_EXPECTED.dims);
    for (let a = 0; a < 3; a++) expect(g.spacingMm[a]).toBeCloseTo(CT_EXPECTED.spacing[a]!, 9);
    for (let a = 0; a < 3; a++) expect(g.originLps[a]).toBeCloseTo(CT_EXPECTED.originLps[a]!, 6);
    for (let a = 0; a < 9; a++) expect(g.directionCosines[a]).toBeCloseTo(CT_EXPECTED.direction[a]!, 12);
    expect(s.volume.voxels).toBeInstanceOf(Int16Array);
    expect(s.volume.modality).toBe('CT');
    expect(s.volume.units).toBe('HU');
    expect(s.info.modality).toBe('CT');
    expect(s.info.dims).toEqual(CT_EXPECTED.dims);
    expect(s.info.warnings).toEqual([]);
    expect(s.measurementBlockedReason).toBeNull();
    let lo = Infinity, hi = -Infinity;
    for (const v of s.volume.voxels) { if (v < lo) lo = v; if (v > hi) hi = v; }
    expect([lo, hi]).toEqual(CT_EXPECTED.range);
    expect(lo).toBeLessThanOrEqual(-1000);
    for (const [[i, j, k], v] of CT_EXPECTED.values) expect(s.volume.voxels[g.offset(i, j, k)]).toBe(v);
  });

  it('agrees with nibabel run now (affine in LPS and random voxels), when nibabel is installed', async (ctx) => {
    if (!hasNibabel()) ctx.skip();
    const script = [
      'import nibabel as nib, numpy as np, json, sys',
      `im = nib.load(${JSON.stringify(join(dataDir, 'example_ct.nii.gz'))})`,
      'd = im.get_fdata(); A = im.affine.copy(); A[:2, :] *= -1',
      'rng = np.random.default_rng(7); idx = [[int(rng.integers(0, n)) for n in d.shape] for _ in range(50)]',
      'print(json.dumps({"affine": A[:3].tolist(), "idx": idx, "vals": [float(d[tuple(i)]) for i in idx]}))',
    ].join('\n');
    const ref = JSON.parse(execFileSync(PYTHON, ['-c', script], { encoding: 'utf8' })) as { affine: number[][]; idx: number[][]; vals: number[] };
    const s = await loadNifti(sharedFile('example_ct.nii.gz'));
    const m = s.volume.geometry.ijkToLpsMatrix();
    for (let r = 0; r < 3; r++) for (let c = 0; c < 4; c++) expect(m[r * 4 + c]).toBeCloseTo(ref.affine[r]![c]!, 5);
    ref.idx.forEach((ijk, n) => {
      expect(s.volume.voxels[s.volume.geometry.offset(ijk[0]!, ijk[1]!, ijk[2]!)]).toBe(ref.vals[n]);
    });
  });

  it('loads the segmentation as integer labels including sacrum (25) and S1 (26)', async () => {
    const s = await loadNifti(sharedFile('example_seg_fast_force_split.nii.gz'));
    expect(s.volume.voxels).toBeInstanceOf(Int16Array);
    expect(s.volume.geometry.dims).toEqual(CT_EXPECTED.dims);
    expect(s.volume.geometry.originLps[0]).toBeCloseTo(CT_EXPECTED.originLps[0]!, 6);
    expect(s.volume.modality).toBe('SEG');
    const counts = new Map<number, number>();
    for (const v of s.volume.voxels) counts.set(v, (counts.get(v) ?? 0) + 1);
    // Voxel counts stated in shared/data/totalseg-example-ct/SOURCE.md.
    expect(counts.get(25)).toBe(5884);
    expect(counts.get(26)).toBe(1796);
    for (const v of counts.keys()) expect(v).toBeGreaterThanOrEqual(0);
  });

  it('reads the LPS-stored MR example (negative RAS axes) as MR with +L, +P axes', async () => {
    const s = await loadNifti(sharedFile('example_mr_sm.nii.gz'));
    const g = s.volume.geometry;
    expect(g.dims).toEqual([117, 91, 20]);
    // nibabel: affine diag(-3,-3,3), offset (168.5996398926, 166.3594360352, 28.9896411896) in RAS.
    expect([...g.directionCosines]).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1]);
    expect(g.originLps[0]).toBeCloseTo(-168.5996398926, 5);
    expect(g.originLps[1]).toBeCloseTo(-166.3594360352, 5);
    expect(g.originLps[2]).toBeCloseTo(28.9896411896, 5);
    expect(s.volume.modality).toBe('MR');
  });

  it('gives a clear error for a truncated .nii.gz', async () => {
    const bytes = new Uint8Array(readFileSync(join(dataDir, 'example_ct.nii.gz')));
    await expect(loadNifti(fileFrom('example_ct.nii.gz', bytes.subarray(0, 100_000)))).rejects.toThrow(/^example_ct\.nii\.gz: truncated/);
  });
});

// ---------- synthetic files built in code ----------

interface SynthOptions {
  dims: [number, number, number];
  datatype: number;
  bitpix: number;
  pixdim?: [number, number, number, number];
  sform?: number[]; // 12 numbers, row-major
  qform?: { b: number; c: number; d: number; offset: [number, number, number] };
  slope?: number;
  inter?: number;
  descrip?: string;
  values: number[];
  littleEndian?: boolean;
}

function makeNifti1(o: SynthOptions): Uint8Array {
  const le = o.littleEndian ?? true;
  const bytesPer = o.bitpix / 8;
  const n = o.dims[0] * o.dims[1] * o.dims[2];
  const buf = new ArrayBuffer(352 + n * bytesPer);
  const dv = new DataView(buf);
  dv.setInt32(0, 348, le);
  dv.setInt16(40, 3, le);
  o.dims.forEach((d, i) => dv.setInt16(42 + i * 2, d, le));
  for (let i = 3; i < 7; i++) dv.setInt16(42 + i * 2, 1, le);
  dv.setInt16(70, o.datatype, le);
  dv.setInt16(72, o.bitpix, le);
  const pd = o.pixdim ?? [1, 1, 1, 1];
  pd.forEach((p, i) => dv.setFloat32(76 + i * 4, p, le));
  dv.setFloat32(108, 352, le);
  dv.setFloat32(112, o.slope ?? 0, le);
  dv.setFloat32(116, o.inter ?? 0, le);
  dv.setUint8(123, 2); // xyzt_units: mm
  const desc = o.descrip ?? '';
  for (let i = 0; i < desc.length; i++) dv.setUint8(148 + i, desc.charCodeAt(i));
  if (o.qform) {
    dv.setInt16(252, 1, le);
    dv.setFloat32(256, o.qform.b, le); dv.setFloat32(260, o.qform.c, le); dv.setFloat32(264, o.qform.d, le);
    o.qform.offset.forEach((v, i) => dv.setFloat32(268 + i * 4, v, le));
  }
  if (o.sform) {
    dv.setInt16(254, 2, le);
    o.sform.forEach((v, i) => dv.setFloat32(280 + i * 4, v, le));
  }
  dv.setUint8(344, 'n'.charCodeAt(0)); dv.setUint8(345, '+'.charCodeAt(0)); dv.setUint8(346, '1'.charCodeAt(0));
  o.values.forEach((v, i) => {
    const at = 352 + i * bytesPer;
    switch (o.datatype) {
      case 2: dv.setUint8(at, v); break;
      case 4: dv.setInt16(at, v, le); break;
      case 8: dv.setInt32(at, v, le); break;
      case 16: dv.setFloat32(at, v, le); break;
      case 64: dv.setFloat64(at, v, le); break;
      case 512: dv.setUint16(at, v, le); break;
      default: throw new Error('test helper: datatype');
    }
  });
  return new Uint8Array(buf);
}

const ramp = (n: number, f: (i: number) => number): number[] => Array.from({ length: n }, (_, i) => f(i));

describe('parseNifti on synthetic files', () => {
  it('prefers the sform and converts RAS to LPS; a flipped axis is a direction, not a negative spacing', () => {
    // RAS: i along -x (towards the right), j along +y (anterior), k along +z; spacing 0.5, 2, 3. In LPS i is +L, j is -P.
    const sform = [-0.5, 0, 0, 10, 0, 2, 0, -20, 0, 0, 3, 30];
    const bytes = makeNifti1({ dims: [4, 3, 2], datatype: 4, bitpix: 16, sform, qform: { b: 0, c: 0, d: 1, offset: [0, 0, 0] }, values: ramp(24, (i) => i - 1024) });
    const s = parseNifti('a.nii', bytes);
    const g = s.volume.geometry;
    expect(g.spacingMm).toEqual([0.5, 2, 3]);
    expect([...g.directionCosines]).toEqual([1, 0, 0, 0, -1, 0, 0, 0, 1]);
    expect(g.originLps).toEqual([-10, 20, 30]);
    // Voxel (1,2,1) in RAS: (10 - 0.5, -20 + 4, 30 + 3) → LPS (-9.5, 16, 33).
    const p = g.ijkToLps([0, 0, 0], 1, 2, 1);
    expect(p[0]).toBeCloseTo(-9.5, 12); expect(p[1]).toBeCloseTo(16, 12); expect(p[2]).toBeCloseTo(33, 12);
    expect(s.volume.voxels[g.offset(1, 2, 1)]).toBe(1 + 4 * (2 + 3 * 1) - 1024);
  });

  it('uses the qform (quaternion with qfac = -1) when there is no sform', () => {
    // 90° about z: quaternion (a, b, c, d) = (cos45°, 0, 0, sin45°).
    const d = Math.SQRT1_2;
    const bytes = makeNifti1({ dims: [2, 2, 2], datatype: 2, bitpix: 8, pixdim: [-1, 1.5, 2.5, 4], qform: { b: 0, c: 0, d, offset: [1, 2, 3] }, values: ramp(8, (i) => i) });
    const s = parseNifti('q.nii', bytes);
    const g = s.volume.geometry;
    expect(g.spacingMm[0]).toBeCloseTo(1.5, 6); expect(g.spacingMm[1]).toBeCloseTo(2.5, 6); expect(g.spacingMm[2]).toBeCloseTo(4, 6);
    // RAS: i → +A, j → -R, k → -S (qfac -1); LPS: i → -P, j → +L, k → -S.
    const expected = [0, -1, 0, 1, 0, 0, 0, 0, -1];
    for (let a = 0; a < 9; a++) expect(g.directionCosines[a]).toBeCloseTo(expected[a]!, 6);
    expect(g.originLps).toEqual([-1, -2, 3]);
    expect(s.info.warnings).toEqual([]);
    const A = qformToAffine(0, 0, d, 0, 0, 0, 1, 1, 1, 1);
    expect(A[1]).toBeCloseTo(-1, 6); expect(A[4]).toBeCloseTo(1, 6);
  });

  it('falls back to pixdim with a blocking missing-position warning', () => {
    const bytes = makeNifti1({ dims: [3, 3, 3], datatype: 4, bitpix: 16, pixdim: [1, 0.7, 0.7, 2], values: ramp(27, (i) => i) });
    const s = parseNifti('nopos.nii', bytes);
    expect(s.volume.geometry.spacingMm[2]).toBeCloseTo(2, 6);
    expect(s.info.warnings.map((w) => w.code)).toContain('missing-position');
    expect(s.info.warnings.find((w) => w.code === 'missing-position')?.blocksMeasurement).toBe(true);
    expect(s.measurementBlockedReason).toMatch(/measurements are blocked/);
    expect(s.info.spacingMm).toBeNull();
  });

  it('applies scl_slope/scl_inter; integer results stay Int16, fractional ones become Float32', () => {
    const sform = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0];
    const ints = parseNifti('u16.nii', makeNifti1({ dims: [2, 2, 1], datatype: 512, bitpix: 16, sform, slope: 1, inter: -1024, values: [0, 1024, 2000, 4095] }));
    expect(ints.volume.voxels).toBeInstanceOf(Int16Array);
    expect([...ints.volume.voxels]).toEqual([-1024, 0, 976, 3071]);
    expect(ints.volume.modality).toBe('CT');
    const frac = parseNifti('f.nii', makeNifti1({ dims: [2, 2, 1], datatype: 4, bitpix: 16, sform, slope: 0.5, inter: 0, values: [1, 2, 3, 4] }));
    expect(frac.volume.voxels).toBeInstanceOf(Float32Array);
    expect([...frac.volume.voxels]).toEqual([0.5, 1, 1.5, 2]);
    const zeroSlope = parseNifti('z.nii', makeNifti1({ dims: [2, 2, 1], datatype: 4, bitpix: 16, sform, slope: 0, inter: 100, values: [1, 2, 3, 4] }));
    expect([...zeroSlope.volume.voxels]).toEqual([1, 2, 3, 4]);
    const big = parseNifti('big.nii', makeNifti1({ dims: [2, 1, 1], datatype: 8, bitpix: 32, sform, values: [-5, 70000] }));
    expect(big.volume.voxels).toBeInstanceOf(Float32Array);
    expect([...big.volume.voxels]).toEqual([-5, 70000]);
    const f64 = parseNifti('d.nii', makeNifti1({ dims: [2, 1, 1], datatype: 64, bitpix: 64, sform, values: [-1000, 12] }));
    expect(f64.volume.voxels).toBeInstanceOf(Int16Array);
    expect([...f64.volume.voxels]).toEqual([-1000, 12]);
  });

  it('reads big-endian files and gzip-compressed files', () => {
    const sform = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0];
    const values = [-1024, -3, 7, 1500, 2, 3, 4, 5];
    const be = parseNifti('be.nii', makeNifti1({ dims: [2, 2, 2], datatype: 4, bitpix: 16, sform, values, littleEndian: false }));
    expect([...be.volume.voxels]).toEqual(values);
    const gz = parseNifti('le.nii.gz', gzipSync(makeNifti1({ dims: [2, 2, 2], datatype: 4, bitpix: 16, sform, values })));
    expect([...gz.volume.voxels]).toEqual(values);
  });

  it('throws errors that name the file and the problem', () => {
    const sform = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0];
    const good = makeNifti1({ dims: [4, 4, 4], datatype: 4, bitpix: 16, sform, values: ramp(64, (i) => i) });
    expect(() => parseNifti('garbage.nii', new TextEncoder().encode('hello world, this is not an image'.repeat(20)))).toThrow(/^garbage\.nii: not a NIfTI-1\/2 file \(bad sizeof_hdr/);
    expect(() => parseNifti('short.nii', good.subarray(0, 200))).toThrow(/^short\.nii: not a NIfTI-1\/2 file/);
    expect(() => parseNifti('cut.nii', good.subarray(0, 400))).toThrow(/^cut\.nii: truncated NIfTI file/);
    expect(() => parseNifti('cut.nii.gz', gzipSync(good).subarray(0, 60))).toThrow(/^cut\.nii\.gz: truncated or corrupt gzip/);
    expect(() => parseNifti('empty.nii', new Uint8Array(0))).toThrow(/^empty\.nii: empty file/);
    const badMagic = good.slice(); badMagic[345] = 'x'.charCodeAt(0);
    expect(() => parseNifti('magic.nii', badMagic)).toThrow(/^magic\.nii: not a NIfTI-1\/2 file \(bad magic/);
    const pair = good.slice(); pair[345] = 'i'.charCodeAt(0);
    expect(() => parseNifti('pair.hdr', pair)).toThrow(/^pair\.hdr: .*\.hdr\/\.img pair/);
    const rgb = makeNifti1({ dims: [1, 1, 1], datatype: 4, bitpix: 16, sform, values: [0] });
    new DataView(rgb.buffer).setInt16(70, 128, true);
    expect(() => parseNifti('rgb.nii', rgb)).toThrow(/^rgb\.nii: unsupported NIfTI datatype 128/);
  });

  it('loadNifti reads a FileLike', async () => {
    const sform = [2, 0, 0, 0, 0, 2, 0, 0, 0, 0, 2, 0];
    const s = await loadNifti(fileFrom('f.nii', makeNifti1({ dims: [2, 2, 2], datatype: 4, bitpix: 16, sform, values: ramp(8, (i) => i * 10) })));
    expect(s.volume.geometry.voxelVolumeMm3).toBeCloseTo(8, 12);
    expect(s.info.key).toBe('nifti:f.nii');
  });
});
