/**
 * NIfTI-1 / NIfTI-2 import (.nii, .nii.gz) into a ScalarVolume in DICOM patient LPS.
 *
 * - Header parsing: nifti-reader-js (`readHeader`). The transforms are taken from the header fields
 *   ourselves because the library prefers the qform over the sform when qform_code > sform_code,
 *   while SacroPlan (like nibabel and ITK) prefers the sform whenever sform_code > 0.
 * - Transform choice (NIfTI-1 standard, nifti1.h "METHOD 2/3"):
 *     sform_code > 0 → srow_x/y/z;
 *     else qform_code > 0 → quaternion (quatern_b/c/d, qfac = pixdim[0]) with pixdim[1..3];
 *     else pixdim only, with a 'missing-position' warning that blocks measurement.
 * - NIfTI world space is RAS: LPS = diag(-1, -1, 1) · RAS, i.e. the first two rows of the affine are negated.
 * - VolumeGeometry takes unit direction columns; spacing = the column norms. A negative determinant
 *   (a flipped axis) is kept as a direction; nothing is resampled.
 * - Values: scl_slope/scl_inter applied when slope is finite and non-zero. Output is an Int16Array when all
 *   scaled values are integers in [-32768, 32767], else a Float32Array. The decompressed buffer is read in
 *   place (typed view when aligned, DataView otherwise): at most one copy of the voxel data is made.
 *
 * Errors (bad magic, truncated data, unsupported datatype) are thrown as Error whose message starts with the
 * file name, e.g. "scan.nii.gz: not a NIfTI-1/2 file (bad sizeof_hdr 1234)".
 */
import { readHeader, type NIFTI1, type NIFTI2 } from 'nifti-reader-js';
import { VolumeGeometry } from '../core/geometry';
import { createScalarVolume, type VoxelArray } from '../core/volume';
import type { Vec3 } from '../core/vec3';
import type { FileLike, LoadedSeries, SeriesInfo, SeriesWarning } from './types';
import { blobChunks, inflateBounded, inflateBoundedSync, InflateCorruptError, InflateRefusedError, type InflatePlan, type PlanFn } from './inflate';
import { INFLATE_SLACK_BYTES, VALUE_ABS_MAX, deflateRatioProblem, fmtBytes, fmtValue, spacingProblem, sliceGapProblem, voxelLimitProblem } from './limits';

/** NIfTI datatype codes (nifti1.h) that this loader reads. */
const DATATYPES: Record<number, { name: string; bytes: number; integer: boolean }> = {
  2: { name: 'uint8', bytes: 1, integer: true },
  4: { name: 'int16', bytes: 2, integer: true },
  8: { name: 'int32', bytes: 4, integer: true },
  16: { name: 'float32', bytes: 4, integer: false },
  64: { name: 'float64', bytes: 8, integer: false },
  256: { name: 'int8', bytes: 1, integer: true },
  512: { name: 'uint16', bytes: 2, integer: true },
  768: { name: 'uint32', bytes: 4, integer: true },
};

/** NIFTI_INTENT_LABEL. */
const INTENT_LABEL = 1002;

/** Everything the loader needs from a header, in NIfTI (RAS) space. */
export interface NiftiHeaderSummary {
  version: 1 | 2;
  littleEndian: boolean;
  dims: [number, number, number];
  /** Number of 3D volumes in the file (dim[4]·dim[5]…); only the first is loaded. */
  volumeCount: number;
  datatypeCode: number;
  voxOffset: number;
  sclSlope: number;
  sclInter: number;
  qformCode: number;
  sformCode: number;
  description: string;
  intentCode: number;
  intentName: string;
  /** 3×4 row-major ijk → RAS mm (after the unit conversion), and which transform it came from. */
  ijkToRas: number[];
  transformSource: 'sform' | 'qform' | 'pixdim';
}

/** Names routed to the NIfTI loader: .nii, .nii.gz, and the .hdr/.img pair files (refused in words). */
export function isNiftiLikeName(name: string): boolean {
  return /\.(nii|hdr|img)(\.gz)?$/i.test(name);
}

/** Header bytes read before the claim is known (a NIfTI-2 header is 540 bytes; extensions are skipped). */
const HEADER_PREFIX_BYTES = 64 * 1024;

export interface NiftiLoadOptions {
  /** Polled between decompression steps: an Error to stop with (e.g. LoadCancelledError), or null. */
  cancelled?: () => Error | null;
  /** Decompressed bytes so far, and what the header claims (null until it is read). */
  onProgress?: (producedBytes: number, claimedBytes: number | null) => void;
  /** Yield to the event loop every this many ms (when run on the main thread). */
  yieldMs?: number;
  /** Allocates the voxel array's buffer (e.g. a SharedArrayBuffer, saving the page a copy). */
  allocate?: (bytes: number) => ArrayBufferLike;
}

/** The bytes of the first 3D volume a header claims, and the whole file's data (all volumes). */
function claimOf(hdr: NiftiHeaderSummary): { firstBytes: number; allBytes: number; type: { name: string; bytes: number; integer: boolean } } | null {
  const type = DATATYPES[hdr.datatypeCode];
  if (!type) return null;
  const count = hdr.dims[0] * hdr.dims[1] * hdr.dims[2];
  return { firstBytes: hdr.voxOffset + count * type.bytes, allBytes: hdr.voxOffset + count * type.bytes * hdr.volumeCount, type };
}

/** Refuse absurd claims from the header alone: unsupported datatype, too many voxels. */
function checkClaim(name: string, hdr: NiftiHeaderSummary): { firstBytes: number; allBytes: number; type: { name: string; bytes: number; integer: boolean } } {
  const c = claimOf(hdr);
  if (!c) throw new Error(`${name}: unsupported NIfTI datatype ${hdr.datatypeCode} (supported: ${Object.values(DATATYPES).map((t) => t.name).join(', ')})`);
  const problem = voxelLimitProblem(hdr.dims);
  if (problem) throw new Error(`${name}: refused: ${problem}`);
  return c;
}

/**
 * The decompression budget of a .nii.gz: the header's claim. Only the first 3D volume is kept; a
 * single-volume file must not inflate past its claim (plus a small slack), a 4D file stops after
 * its first volume. A claim that the compressed size cannot hold is refused before inflating.
 */
export function niftiInflatePlan(name: string, compressedBytes: number): PlanFn {
  return (prefix: Uint8Array, ended: boolean): InflatePlan | 'more' => {
    if (prefix.length < 352 && !ended) return 'more';
    const hdr = readNiftiHeader(name, prefix);
    const c = checkClaim(name, hdr);
    const ratio = deflateRatioProblem(compressedBytes, c.firstBytes);
    if (ratio) throw new Error(`${name}: truncated NIfTI file: ${ratio}`);
    const [ni, nj, nk] = hdr.dims;
    const describe = `${ni} × ${nj} × ${nk}${hdr.volumeCount > 1 ? ` × ${hdr.volumeCount}` : ''} ${c.type.name} voxels`;
    return hdr.volumeCount > 1
      ? { claimedBytes: c.firstBytes, maxBytes: c.allBytes + INFLATE_SLACK_BYTES, stopAt: c.firstBytes, keepBytes: c.firstBytes, describe }
      : { claimedBytes: c.firstBytes, maxBytes: c.allBytes + INFLATE_SLACK_BYTES, keepBytes: c.firstBytes, describe };
  };
}

function isGzip(b: Uint8Array): boolean {
  return b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;
}

function wrapInflateError(name: string, e: unknown): Error {
  const m = (e as Error)?.message ?? String(e);
  if (m.startsWith(`${name}: `)) return e as Error;
  if (e instanceof InflateRefusedError) return new Error(`${name}: ${m}`);
  if (e instanceof InflateCorruptError) return new Error(`${name}: truncated or corrupt gzip data: ${m}`);
  return e instanceof Error ? e : new Error(`${name}: ${m}`);
}

/** The .hdr/.img files of a pair (NIfTI or Analyze 7.5): refused with what they are. */
function pairProblem(name: string, head: Uint8Array): string | null {
  if (/\.img(\.gz)?$/i.test(name)) {
    return `${name}: the image data of an Analyze 7.5 or NIfTI .hdr/.img pair; pairs are not supported: convert the pair to a single NIfTI file (.nii or .nii.gz), e.g. with nibabel or 3D Slicer`;
  }
  if (/\.hdr(\.gz)?$/i.test(name) && head.length >= 348) {
    const dv = new DataView(head.buffer, head.byteOffset, head.byteLength);
    const is348 = dv.getInt32(0, true) === 348 || dv.getInt32(0, false) === 348;
    const magic = String.fromCharCode(head[344]!, head[345]!, head[346]!);
    if (is348 && magic !== 'ni1' && magic !== 'n+1') {
      return `${name}: an Analyze 7.5 header (.hdr/.img pair): Analyze files are not supported (their left-right orientation is ambiguous); convert to NIfTI (.nii), e.g. with nibabel or 3D Slicer`;
    }
  }
  return null;
}

/**
 * Load a .nii or .nii.gz file, streaming: a gzip file is inflated under the budget of its header's
 * claim (never whole, then checked). Throws an Error naming the file and the problem on bad input.
 */
export async function loadNifti(file: FileLike, opts: NiftiLoadOptions = {}): Promise<LoadedSeries> {
  const name = file.name;
  if (file.size === 0) throw new Error(`${name}: empty file (0 bytes)`);
  let head: Uint8Array;
  try {
    head = new Uint8Array(await file.slice(0, Math.min(file.size, HEADER_PREFIX_BYTES)).arrayBuffer());
  } catch (e) {
    throw new Error(`${name}: could not be read (${(e as Error).message})`);
  }
  let data: Uint8Array;
  if (isGzip(head)) {
    try {
      const r = await inflateBounded(blobChunks(file as unknown as Blob), {
        format: 'gzip', plan: niftiInflatePlan(name, file.size), headerLimitBytes: HEADER_PREFIX_BYTES,
        ...(opts.cancelled ? { cancelled: opts.cancelled } : {}),
        ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
        ...(opts.yieldMs ? { yieldMs: opts.yieldMs } : {}),
      });
      data = r.bytes;
    } catch (e) {
      throw wrapInflateError(name, e);
    }
    const pair = pairProblem(name, data.subarray(0, 348));
    if (pair) throw new Error(pair);
  } else {
    const pair = pairProblem(name, head);
    if (pair) throw new Error(pair);
    const hdr = readNiftiHeader(name, head);
    const c = checkClaim(name, hdr);
    if (file.size < c.firstBytes) {
      throw new Error(`${name}: truncated NIfTI file (${fmtBytes(file.size)}; the header claims ${fmtBytes(c.firstBytes)} for ${hdr.dims.join('x')} ${c.type.name})`);
    }
    try {
      data = new Uint8Array(await file.slice(0, c.firstBytes).arrayBuffer());
    } catch (e) {
      throw new Error(`${name}: could not be read (${(e as Error).message})`);
    }
  }
  return parseNiftiData(name, data, opts.allocate);
}

/** Parse NIfTI bytes (gzip-compressed or not), under the same budget as loadNifti. For workers and tests. */
export function parseNifti(name: string, bytes: Uint8Array): LoadedSeries {
  if (bytes.length === 0) throw new Error(`${name}: empty file`);
  let data = bytes;
  if (isGzip(bytes)) {
    try {
      data = inflateBoundedSync(bytes, { format: 'gzip', plan: niftiInflatePlan(name, bytes.length), headerLimitBytes: HEADER_PREFIX_BYTES }).bytes;
    } catch (e) {
      throw wrapInflateError(name, e);
    }
  }
  const pair = pairProblem(name, data.subarray(0, 348));
  if (pair) throw new Error(pair);
  return parseNiftiData(name, data);
}

function parseNiftiData(name: string, data: Uint8Array, allocate?: (bytes: number) => ArrayBufferLike): LoadedSeries {
  const hdr = readNiftiHeader(name, data);
  const [ni, nj, nk] = hdr.dims;
  const { type } = checkClaim(name, hdr);
  const count = ni * nj * nk;
  const needed = hdr.voxOffset + count * type.bytes;
  if (data.length < needed) {
    throw new Error(`${name}: truncated NIfTI file (${data.length} bytes, the header needs ${needed} for ${ni}x${nj}x${nk} ${type.name})`);
  }

  const voxels = decodeVoxels(data, hdr, type.bytes, count, allocate);
  const scaled = Number.isFinite(hdr.sclSlope) && hdr.sclSlope !== 0 && (hdr.sclSlope !== 1 || hdr.sclInter !== 0);
  if (scaled && !(Math.max(Math.abs(voxels.min), Math.abs(voxels.max)) <= VALUE_ABS_MAX)) {
    throw new Error(`${name}: implausible scl_slope ${fmtValue(hdr.sclSlope)} / scl_inter ${fmtValue(hdr.sclInter)}: the values would reach ${fmtValue(voxels.min)}…${fmtValue(voxels.max)} (at most ±${fmtValue(VALUE_ABS_MAX)}); the file is not used`);
  }
  let affine: ReturnType<typeof geometryFromAffine>;
  try {
    affine = geometryFromAffine(hdr);
  } catch (e) {
    throw new Error(`${name}: ${(e as Error).message}`);
  }
  const geometryResult = plausibleGeometry(name, affine);
  const warnings: SeriesWarning[] = [...geometryResult.warnings];
  if (hdr.volumeCount > 1) {
    warnings.push({ code: 'nifti-invalid', message: `${name}: ${hdr.volumeCount} volumes in the file (4D); only the first is loaded.` });
  }
  const kind = guessKind(hdr, voxels.min, voxels.max, voxels.array, type.integer);
  const units = kind === 'CT' ? 'HU' : 'raw';
  const volume = createScalarVolume(`nifti:${name}`, geometryResult.geometry, voxels.array, units, kind);
  const blocking = warnings.filter((w) => w.blocksMeasurement);
  const info: SeriesInfo = {
    key: `nifti:${name}`,
    seriesInstanceUid: '',
    modality: kind,
    seriesDescription: hdr.description || name,
    seriesNumber: null,
    patientName: '',
    patientId: '',
    studyDescription: '',
    studyDate: '',
    sliceCount: nk,
    dims: [ni, nj, nk],
    spacingMm: blocking.length ? null : [...geometryResult.geometry.spacingMm],
    warnings,
    loadable: true,
  };
  return { info, volume, measurementBlockedReason: blocking.length ? blocking.map((w) => w.message).join(' ') : null };
}

/**
 * Spacing outside the plausible ranges (limits.ts) blocks measurement, naming the value; the volume
 * is then shown on a 1 mm grid with the same axes (as for a missing spacing), never at 1e9 mm.
 */
function plausibleGeometry(name: string, r: { geometry: VolumeGeometry; warnings: SeriesWarning[] }): { geometry: VolumeGeometry; warnings: SeriesWarning[] } {
  const [si, sj, sk] = r.geometry.spacingMm;
  const problems = [spacingProblem(si, 'pixel spacing (i)'), spacingProblem(sj, 'pixel spacing (j)'), sk < 0.05 || !Number.isFinite(sk) ? spacingProblem(sk, 'slice spacing (k)') : sliceGapProblem(sk)].filter((p): p is string => p !== null);
  if (problems.length === 0) return r;
  const g = r.geometry;
  const geometry = new VolumeGeometry({ dims: [...g.dims], spacingMm: [1, 1, 1], originLps: [...g.originLps], directionCosines: [...g.directionCosines] });
  return {
    geometry,
    warnings: [
      ...r.warnings,
      {
        code: 'invalid-spacing',
        message: `${name}: ${problems.join('; ')}: the image is shown on an assumed 1 mm grid and no distances, areas or volumes may be measured`,
        blocksMeasurement: true,
      },
    ],
  };
}

/** Read and validate the header (data already decompressed). */
export function readNiftiHeader(name: string, data: Uint8Array): NiftiHeaderSummary {
  if (data.length < 348) throw new Error(`${name}: not a NIfTI-1/2 file (only ${data.length} bytes, a header needs 348)`);
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const le = dv.getInt32(0, true), be = dv.getInt32(0, false);
  let version: 1 | 2;
  if (le === 348 || be === 348) version = 1;
  else if (le === 540 || be === 540) version = 2;
  else throw new Error(`${name}: not a NIfTI-1/2 file (bad sizeof_hdr ${le})`);
  if (version === 2 && data.length < 540) throw new Error(`${name}: truncated NIfTI-2 header (${data.length} of 540 bytes)`);
  const magicAt = version === 1 ? 344 : 4;
  const magic = String.fromCharCode(data[magicAt]!, data[magicAt + 1]!, data[magicAt + 2]!);
  if (version === 1 && magic === '\0\0\0') throw new Error(`${name}: an Analyze 7.5 header (no NIfTI magic): Analyze files are not supported (their left-right orientation is ambiguous); convert to NIfTI (.nii), e.g. with nibabel or 3D Slicer`);
  if (magic === 'ni1' || magic === 'ni2') throw new Error(`${name}: a .hdr/.img pair header; the image data is in a separate .img file (not supported, convert to .nii)`);
  if (magic !== `n+${version}`) throw new Error(`${name}: not a NIfTI-1/2 file (bad magic ${JSON.stringify(magic)})`);

  let h: NIFTI1 | NIFTI2;
  try {
    // Give the library only the header and its extensions (everything before vox_offset), never the voxels.
    const rawOffset = version === 1 ? dv.getFloat32(108, le === 348) : Number(dv.getBigInt64(168, le === 540));
    const headerEnd = Math.min(data.length, Math.max(version === 1 ? 352 : 544, Number.isFinite(rawOffset) ? Math.floor(rawOffset) : 0));
    h = readHeader(data.slice(0, headerEnd).buffer as ArrayBuffer);
  } catch (e) {
    throw new Error(`${name}: unreadable NIfTI header (${(e as Error).message})`);
  }
  const littleEndian = h.littleEndian;
  const dim = h.dims.map(Number);
  const nd = dim[0] ?? 0;
  if (!(nd >= 1 && nd <= 7)) throw new Error(`${name}: invalid NIfTI header (dim[0] = ${nd})`);
  const d = (n: number): number => (n <= nd ? Math.max(1, dim[n] ?? 1) : 1);
  const dims: [number, number, number] = [d(1), d(2), d(3)];
  for (const v of dims) if (!Number.isInteger(v) || v < 1) throw new Error(`${name}: invalid NIfTI header (dims ${dims.join('x')})`);
  let volumeCount = 1;
  for (let n = 4; n <= nd; n++) volumeCount *= d(n);

  const voxOffset = Number(h.vox_offset);
  const minOffset = version === 1 ? 352 : 544;
  if (!(voxOffset >= 0) || !Number.isFinite(voxOffset)) throw new Error(`${name}: invalid NIfTI header (vox_offset ${voxOffset})`);
  // vox_offset 0 in a single file means "right after the header" in practice (nibabel does the same).
  const offset = Math.max(Math.floor(voxOffset), minOffset);

  // Spatial unit (xyzt_units & 7): 1 m, 2 mm, 3 µm, 0 unknown (taken as mm, as every tool does).
  const unit = h.xyzt_units & 7;
  const toMm = unit === 1 ? 1000 : unit === 3 ? 0.001 : 1;

  const pix = h.pixDims.map(Number);
  let ijkToRas: number[];
  let transformSource: NiftiHeaderSummary['transformSource'];
  if (h.sform_code > 0) {
    ijkToRas = readSrow(dv, version, littleEndian);
    transformSource = 'sform';
  } else if (h.qform_code > 0) {
    ijkToRas = qformToAffine(h.quatern_b, h.quatern_c, h.quatern_d, h.qoffset_x, h.qoffset_y, h.qoffset_z, pix[1] ?? 1, pix[2] ?? 1, pix[3] ?? 1, pix[0] ?? 1);
    transformSource = 'qform';
  } else {
    const s = (n: number): number => {
      const v = Math.abs(pix[n] ?? 0);
      return v > 0 && Number.isFinite(v) ? v : 1;
    };
    ijkToRas = [s(1), 0, 0, 0, 0, s(2), 0, 0, 0, 0, s(3), 0];
    transformSource = 'pixdim';
  }
  if (toMm !== 1) ijkToRas = ijkToRas.map((v) => v * toMm);
  if (ijkToRas.some((v) => !Number.isFinite(v))) throw new Error(`${name}: invalid NIfTI header (non-finite ${transformSource} transform)`);

  return {
    version,
    littleEndian,
    dims,
    volumeCount,
    datatypeCode: h.datatypeCode,
    voxOffset: offset,
    sclSlope: h.scl_slope,
    sclInter: h.scl_inter,
    qformCode: h.qform_code,
    sformCode: h.sform_code,
    description: (h.description ?? '').replace(/\0.*$/s, '').trim(),
    intentCode: h.intent_code,
    intentName: (h.intent_name ?? '').replace(/\0.*$/s, '').trim(),
    ijkToRas,
    transformSource,
  };
}

function readSrow(dv: DataView, version: 1 | 2, le: boolean): number[] {
  const out: number[] = [];
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 4; c++) {
      out.push(version === 1 ? dv.getFloat32(280 + (r * 4 + c) * 4, le) : dv.getFloat64(400 + (r * 4 + c) * 8, le));
    }
  }
  return out;
}

/**
 * Quaternion → 3×4 row-major affine, as nifti1_io.c `nifti_quatern_to_mat44`.
 * a = sqrt(1 - b² - c² - d²) (a = 0 and the axis renormalised when the sum exceeds 1); qfac = pixdim[0] (±1, 0 → 1).
 */
export function qformToAffine(b: number, c: number, d: number, qx: number, qy: number, qz: number, dx: number, dy: number, dz: number, qfac: number): number[] {
  let a = 1 - (b * b + c * c + d * d);
  if (a < 1e-7) {
    a = 1 / Math.sqrt(b * b + c * c + d * d);
    b *= a; c *= a; d *= a;
    a = 0;
  } else a = Math.sqrt(a);
  const xd = dx > 0 ? dx : 1, yd = dy > 0 ? dy : 1;
  let zd = dz > 0 ? dz : 1;
  if (qfac < 0) zd = -zd;
  return [
    (a * a + b * b - c * c - d * d) * xd, 2 * (b * c - a * d) * yd, 2 * (b * d + a * c) * zd, qx,
    2 * (b * c + a * d) * xd, (a * a + c * c - b * b - d * d) * yd, 2 * (c * d - a * b) * zd, qy,
    2 * (b * d - a * c) * xd, 2 * (c * d + a * b) * yd, (a * a + d * d - c * c - b * b) * zd, qz,
  ];
}

/** ijk→RAS (3×4 row-major) → VolumeGeometry in LPS, plus geometry warnings. */
export function geometryFromAffine(hdr: Pick<NiftiHeaderSummary, 'dims' | 'ijkToRas' | 'transformSource'>): { geometry: VolumeGeometry; warnings: SeriesWarning[] } {
  const A = hdr.ijkToRas;
  const at = (r: number, c: number): number => A[r * 4 + c]!;
  // RAS → LPS: negate rows 0 and 1.
  const sign = [-1, -1, 1];
  const spacing: number[] = [];
  const dirs: number[] = [];
  for (let c = 0; c < 3; c++) {
    const col = [sign[0]! * at(0, c), sign[1]! * at(1, c), sign[2]! * at(2, c)];
    const n = Math.hypot(col[0]!, col[1]!, col[2]!);
    if (!(n > 0)) throw new Error(`degenerate NIfTI ${hdr.transformSource} (axis ${'ijk'[c]} has zero length)`);
    spacing.push(n);
    dirs.push(col[0]! / n + 0, col[1]! / n + 0, col[2]! / n + 0); // + 0 turns -0 into 0
  }
  const origin: Vec3 = [-at(0, 3) + 0, -at(1, 3) + 0, at(2, 3) + 0];
  const geometry = new VolumeGeometry({ dims: hdr.dims, spacingMm: spacing as Vec3, originLps: origin, directionCosines: dirs });
  const warnings: SeriesWarning[] = [];
  if (hdr.transformSource === 'pixdim') {
    warnings.push({
      code: 'missing-position',
      message: 'The NIfTI file has neither an sform nor a qform (both codes 0): orientation and position are unknown, so measurements are blocked.',
      blocksMeasurement: true,
    });
  } else {
    let oblique = false;
    for (const v of dirs) if (Math.abs(v) > 1e-4 && Math.abs(Math.abs(v) - 1) > 1e-4) oblique = true;
    if (oblique) warnings.push({ code: 'oblique', message: `The ${hdr.transformSource} is oblique (axes not aligned with the patient axes).` });
  }
  return { geometry, warnings };
}

interface Decoded {
  array: Int16Array | Float32Array;
  min: number;
  max: number;
}

function makeReader(dv: DataView, code: number, le: boolean): (byteOffset: number) => number {
  switch (code) {
    case 2: return (o) => dv.getUint8(o);
    case 256: return (o) => dv.getInt8(o);
    case 4: return (o) => dv.getInt16(o, le);
    case 512: return (o) => dv.getUint16(o, le);
    case 8: return (o) => dv.getInt32(o, le);
    case 768: return (o) => dv.getUint32(o, le);
    case 16: return (o) => dv.getFloat32(o, le);
    case 64: return (o) => dv.getFloat64(o, le);
    default: throw new Error(`unsupported datatype ${code}`);
  }
}

/** A zero-copy typed view of the raw voxels when the byte order is native (little endian) and the offset aligned. */
function rawView(data: Uint8Array, code: number, offset: number, count: number, bytes: number, le: boolean): ArrayLike<number> | null {
  if (bytes > 1 && !le) return null;
  const at = data.byteOffset + offset;
  if (at % bytes !== 0) return null;
  const buf = data.buffer;
  switch (code) {
    case 2: return new Uint8Array(buf, at, count);
    case 256: return new Int8Array(buf, at, count);
    case 4: return new Int16Array(buf, at, count);
    case 512: return new Uint16Array(buf, at, count);
    case 8: return new Int32Array(buf, at, count);
    case 768: return new Uint32Array(buf, at, count);
    case 16: return new Float32Array(buf, at, count);
    case 64: return new Float64Array(buf, at, count);
    default: return null;
  }
}

function decodeVoxels(data: Uint8Array, hdr: NiftiHeaderSummary, bytes: number, count: number, allocate?: (bytes: number) => ArrayBufferLike): Decoded {
  const slopeRaw = hdr.sclSlope;
  const hasScale = Number.isFinite(slopeRaw) && slopeRaw !== 0;
  const slope = hasScale ? slopeRaw : 1;
  const inter = hasScale && Number.isFinite(hdr.sclInter) ? hdr.sclInter : 0;
  const view = rawView(data, hdr.datatypeCode, hdr.voxOffset, count, bytes, hdr.littleEndian);
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const read = makeReader(dv, hdr.datatypeCode, hdr.littleEndian);
  const base = hdr.voxOffset;
  const get = view ? (n: number): number => view[n]! : (n: number): number => read(base + n * bytes);

  // Pass 1: range and integrality of the scaled values.
  let min = Infinity, max = -Infinity, allInteger = true;
  for (let n = 0; n < count; n++) {
    const v = get(n) * slope + inter;
    if (v < min) min = v;
    if (v > max) max = v;
    if (allInteger && !Number.isInteger(v)) allInteger = false; // NaN and ±Inf are not integers
  }
  if (count === 0) min = max = 0;
  const fitsInt16 = allInteger && min >= -32768 && max <= 32767;
  // Pass 2: the single copy.
  const out = allocate ? (fitsInt16 ? new Int16Array(allocate(count * 2)) : new Float32Array(allocate(count * 4))) : fitsInt16 ? new Int16Array(count) : new Float32Array(count);
  if (view && !hasScale) {
    out.set(view as ArrayLike<number>);
  } else {
    for (let n = 0; n < count; n++) out[n] = get(n) * slope + inter;
  }
  return { array: out, min, max };
}

/**
 * Modality guess: 'CT' when the header says so or the values look like HU (minimum at or below about -900,
 * typical of air at -1000/-1024, and not below -3100); 'SEG' for label maps (intent LABEL, or small
 * non-negative integers ≤ 1000 with at most 128 distinct values); else 'MR'.
 */
function guessKind(hdr: NiftiHeaderSummary, min: number, max: number, voxels: VoxelArray, integerType: boolean): 'CT' | 'MR' | 'SEG' {
  const text = `${hdr.description} ${hdr.intentName}`.toUpperCase();
  if (hdr.intentCode === INTENT_LABEL) return 'SEG';
  if (/\bCT\b|\bHU\b|HOUNSFIELD/.test(text)) return 'CT';
  if (/\bMR\b|\bMRI\b|T1|T2|FLAIR/.test(text)) return 'MR';
  if (min <= -900 && min >= -3100 && max <= 32767) return 'CT';
  if (integerType && min >= 0 && max <= 1000 && voxels instanceof Int16Array && distinctAtMost(voxels, 128)) return 'SEG';
  return 'MR';
}

function distinctAtMost(v: Int16Array, limit: number): boolean {
  const seen = new Uint8Array(65536);
  let n = 0;
  for (let i = 0; i < v.length; i++) {
    const k = v[i]! + 32768;
    if (!seen[k]) {
      seen[k] = 1;
      if (++n > limit) return false;
    }
  }
  return true;
}
