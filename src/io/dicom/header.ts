/**
 * Scan one file: read a header prefix, classify the object, and describe its image frames as slice
 * records (where the pixels are, how they are encoded, the geometry of each frame). No pixel bytes
 * are kept, except for deflated files, which are re-inflated at load time.
 */
import type { FileLike, FileReport, ProblemCode } from '../types';
import { LoadCancelledError } from '../types';
import { InflateCorruptError, InflateRefusedError } from '../inflate';
import { describeInflateError, runDeflate } from './deflated';
import { fmtValue, rescaleProblem, spacingProblem } from '../limits';
import type { Vec3 } from '../../core/vec3';
import type { StudyAttributes } from '../../core/series';
import {
  ByteSource, DicomDataset, DicomParseError, KNOWN_VRS, TAG, type Encoding, type Fragment,
  framesFromFragments, parseDataset, readFragments, tagString,
} from './parser';

export const TS = {
  implicitLE: '1.2.840.10008.1.2',
  explicitLE: '1.2.840.10008.1.2.1',
  deflatedLE: '1.2.840.10008.1.2.1.99',
  explicitBE: '1.2.840.10008.1.2.2',
  rle: '1.2.840.10008.1.2.5',
} as const;

/** Encapsulated syntaxes a FrameDecoder (browser-decoder.ts) can decode; RLE is also decoded in-module. */
export const ENCAPSULATED_TS: ReadonlyMap<string, { name: string; lossy: boolean }> = new Map([
  ['1.2.840.10008.1.2.4.50', { name: 'JPEG Baseline (8-bit)', lossy: true }],
  ['1.2.840.10008.1.2.4.51', { name: 'JPEG Extended (12-bit)', lossy: true }],
  ['1.2.840.10008.1.2.4.57', { name: 'JPEG Lossless (Process 14)', lossy: false }],
  ['1.2.840.10008.1.2.4.70', { name: 'JPEG Lossless SV1', lossy: false }],
  ['1.2.840.10008.1.2.4.80', { name: 'JPEG-LS Lossless', lossy: false }],
  ['1.2.840.10008.1.2.4.81', { name: 'JPEG-LS Near-Lossless', lossy: true }],
  ['1.2.840.10008.1.2.4.90', { name: 'JPEG 2000 Lossless', lossy: false }],
  ['1.2.840.10008.1.2.4.91', { name: 'JPEG 2000', lossy: true }],
  ['1.2.840.10008.1.2.4.201', { name: 'HTJ2K Lossless', lossy: false }],
  ['1.2.840.10008.1.2.4.202', { name: 'HTJ2K Lossless RPCL', lossy: false }],
  ['1.2.840.10008.1.2.4.203', { name: 'HTJ2K', lossy: true }],
  ['3.2.840.10008.1.2.4.96', { name: 'HTJ2K (pre-standard UID)', lossy: true }],
  [TS.rle, { name: 'RLE Lossless', lossy: false }],
]);

const NATIVE_TS = new Set<string>([TS.implicitLE, TS.explicitLE, TS.deflatedLE, TS.explicitBE]);

/** Transfer syntaxes this app cannot decode, by name (PS3.6 table A-1), for the message. */
const UNSUPPORTED_TS_NAMES: ReadonlyMap<string, string> = new Map([
  ['1.2.840.10008.1.2.4.52', 'JPEG Extended (retired)'], ['1.2.840.10008.1.2.4.53', 'JPEG Spectral Selection (retired)'],
  ['1.2.840.10008.1.2.4.55', 'JPEG Full Progression (retired)'], ['1.2.840.10008.1.2.4.92', 'JPEG 2000 Part 2 multi-component lossless'],
  ['1.2.840.10008.1.2.4.93', 'JPEG 2000 Part 2 multi-component'], ['1.2.840.10008.1.2.4.94', 'JPIP referenced'],
  ['1.2.840.10008.1.2.4.95', 'JPIP referenced deflate'], ['1.2.840.10008.1.2.4.100', 'MPEG-2 video'],
  ['1.2.840.10008.1.2.4.101', 'MPEG-2 video'], ['1.2.840.10008.1.2.4.102', 'MPEG-4 video'], ['1.2.840.10008.1.2.4.103', 'MPEG-4 video'],
  ['1.2.840.10008.1.2.4.104', 'MPEG-4 video'], ['1.2.840.10008.1.2.4.105', 'MPEG-4 video'], ['1.2.840.10008.1.2.4.106', 'MPEG-4 video'],
  ['1.2.840.10008.1.2.4.107', 'HEVC video'], ['1.2.840.10008.1.2.4.108', 'HEVC video'], ['1.2.840.10008.1.2.4.110', 'JPEG XL lossless'],
  ['1.2.840.10008.1.2.4.111', 'JPEG XL'], ['1.2.840.10008.1.2.4.112', 'JPEG XL'], ['1.2.840.10008.1.2.6.1', 'RFC 2557 MIME'],
  ['1.2.840.10008.1.2.6.2', 'XML'], ['1.2.840.10008.1.2.7.1', 'SMPTE ST 2110-20 video'],
]);

/** The codestream signature every frame of an encapsulated syntax starts with (ISO 10918-1 SOI, ISO 15444-1 SOC / JP2 box). */
function frameSignatureProblem(ts: string, frame: Uint8Array): string | null {
  const name = ENCAPSULATED_TS.get(ts)?.name ?? ts;
  if (frame.length < 2) return `its ${name} frame holds only ${frame.length} bytes`;
  const b0 = frame[0]!, b1 = frame[1]!;
  if (/^1\.2\.840\.10008\.1\.2\.4\.(50|51|57|70|80|81)$/.test(ts)) {
    if (b0 !== 0xff || b1 !== 0xd8) return `its ${name} frame does not start with a JPEG start-of-image marker (FFD8): the compressed data is corrupt`;
  } else if (/^1\.2\.840\.10008\.1\.2\.4\.(90|91|201|202|203)$|^3\.2\.840\.10008\.1\.2\.4\.96$/.test(ts)) {
    const jp2 = frame.length >= 8 && frame[3] === 0x0c && frame[4] === 0x6a && frame[5] === 0x50;
    if (!(b0 === 0xff && b1 === 0x4f) && !jp2) return `its ${name} frame does not start with a JPEG 2000 codestream marker (FF4F): the compressed data is corrupt`;
  } else if (ts === TS.rle) {
    const segments = frame.length >= 64 ? new DataView(frame.buffer, frame.byteOffset, 4).getUint32(0, true) : 0;
    if (segments < 1 || segments > 15) return `its RLE frame has no valid RLE header (segment count ${segments}): the compressed data is corrupt`;
  }
  return null;
}

/** The first value of a decimal-string element as text ('' when absent), for messages about it. */
function rawFirst(ds: DicomDataset, tag: number): string {
  return ds.string(tag).split('\\')[0]!.trim();
}

/** A value as a message shows it: a number in short form, or the text in quotes when it is not one. */
function shown(raw: string): string {
  const v = Number(raw);
  return raw === 'NaN' || Number.isFinite(v) || /^[+-]?inf/i.test(raw) ? fmtValue(raw === 'NaN' ? NaN : Number.isFinite(v) ? v : raw.startsWith('-') ? -Infinity : Infinity) : JSON.stringify(raw);
}

export type PixelEncoding = 'native' | 'deflated' | 'encapsulated';

/** One image frame of one file: everything the load pass needs, no pixel bytes. */
export interface SliceRecord {
  file: FileLike;
  fileName: string;
  /** Position of the file in the scanned list (stable ordering). */
  fileIndex: number;
  frameIndex: number;
  frameCount: number;
  transferSyntaxUid: string;
  encoding: PixelEncoding;
  littleEndian: boolean;
  /** native: byte offset of this frame in the file (or in the inflated stream for deflated). */
  pixelOffset: number;
  /** native: bytes of this frame. */
  pixelLength: number;
  /** encapsulated: fragments of this frame, offsets absolute in the file. */
  fragments: Fragment[];
  rows: number;
  columns: number;
  bitsAllocated: number;
  bitsStored: number;
  pixelRepresentation: number;
  samplesPerPixel: number;
  photometricInterpretation: string;
  planarConfiguration: number;
  rescaleSlope: number;
  rescaleIntercept: number;
  ipp: Vec3 | null;
  iop: [number, number, number, number, number, number] | null;
  /** DICOM order: [row spacing, column spacing]; null when absent or not plausible. */
  pixelSpacing: [number, number] | null;
  /** Why a PixelSpacing that is present was not believed (names the value), else null. */
  pixelSpacingProblem: string | null;
  sliceThickness: number | null;
  spacingBetweenSlices: number | null;
  instanceNumber: number | null;
  sopInstanceUid: string;
  /** SOPClassUID (or the meta header's MediaStorageSOPClassUID): what a SEG's references name. */
  sopClassUid: string;
  studyAttributes: StudyAttributes;
  seriesInstanceUid: string;
  studyInstanceUid: string;
  frameOfReferenceUid: string;
  modality: string;
  seriesNumber: number | null;
  seriesDescription: string;
  patientName: string;
  /** PatientPosition (0018,5100), e.g. 'HFS'; '' when absent. */
  patientPosition: string;
  patientId: string;
  studyDescription: string;
  studyDate: string;
  /** deflated: byte offset in the file where the deflate stream (the data set) starts. */
  deflateStart: number;
  noPreamble: boolean;
  mosaic: boolean;
  enhanced: boolean;
}

export interface FileOutcome {
  report: FileReport;
  slices: SliceRecord[];
}

const INITIAL_PREFIX = 16 * 1024;

const NON_IMAGE_SOP: Array<[RegExp, string]> = [
  [/^1\.2\.840\.10008\.5\.1\.4\.1\.1\.88\.59$/, 'KO'],
  [/^1\.2\.840\.10008\.5\.1\.4\.1\.1\.88\./, 'SR'],
  [/^1\.2\.840\.10008\.5\.1\.4\.1\.1\.66\.4$/, 'SEG'],
  [/^1\.2\.840\.10008\.5\.1\.4\.1\.1\.66(\.|$)/, 'REG'],
  [/^1\.2\.840\.10008\.5\.1\.4\.1\.1\.481\.3$/, 'RTSTRUCT'],
  [/^1\.2\.840\.10008\.5\.1\.4\.1\.1\.481\.5$/, 'RTPLAN'],
  [/^1\.2\.840\.10008\.5\.1\.4\.1\.1\.481\.2$/, 'RTDOSE'],
  [/^1\.2\.840\.10008\.5\.1\.4\.1\.1\.481\./, 'RT'],
  [/^1\.2\.840\.10008\.5\.1\.4\.1\.1\.11\./, 'PR'],
  [/^1\.2\.840\.10008\.5\.1\.4\.1\.1\.104\./, 'DOC'],
  [/^1\.2\.840\.10008\.5\.1\.4\.1\.1\.9\./, 'ECG'],
  [/^1\.2\.840\.10008\.5\.1\.4\.1\.1\.77\.1\.6$/, 'WSI'],
];
const NON_IMAGE_MODALITIES = new Set(['SR', 'SEG', 'RTSTRUCT', 'RTPLAN', 'RTDOSE', 'RTRECORD', 'KO', 'PR', 'REG', 'DOC', 'ECG']);

function err(name: string, code: ProblemCode, message: string): FileOutcome {
  return { report: { name, status: 'error', code, message: `${name}: ${message}` }, slices: [] };
}
function ignored(name: string, code: ProblemCode, objectKind: string, message: string): FileOutcome {
  return { report: { name, status: 'ignored', code, objectKind, message: `${name}: ${message}` }, slices: [] };
}

export function displayName(file: FileLike): string {
  return file.webkitRelativePath || file.name;
}

async function readRange(file: FileLike, start: number, end: number): Promise<Uint8Array> {
  return new Uint8Array(await file.slice(start, end).arrayBuffer());
}

interface Located {
  /** Where the data set starts in `src`. */
  start: number;
  enc: Encoding;
  transferSyntaxUid: string;
  noPreamble: boolean;
  meta: DicomDataset | null;
}

function looksLikeVr(b: Uint8Array, at: number): boolean {
  if (at + 2 > b.length) return false;
  return KNOWN_VRS.has(String.fromCharCode(b[at]!, b[at + 1]!));
}

/** Find the data set: Part 10 (preamble + DICM + meta) or a raw data set without preamble. */
function locate(head: Uint8Array, src: ByteSource): Located | { notDicom: string } {
  const isPart10 = head.length >= 132 && head[128] === 0x44 && head[129] === 0x49 && head[130] === 0x43 && head[131] === 0x4d;
  let pos: number;
  let noPreamble = false;
  if (isPart10) pos = 132;
  else {
    if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return { notDicom: 'a JPEG image, not a DICOM file' };
    if (head.length >= 8 && head[0] === 0x89 && head[1] === 0x50 && head[2] === 0x4e && head[3] === 0x47) return { notDicom: 'a PNG image, not a DICOM file' };
    // A raw data set starts with a small even group (0002 meta or 0008 identification), little endian.
    const group = head.length >= 8 ? head[0]! | (head[1]! << 8) : -1;
    if (group !== 0x0002 && group !== 0x0008) return { notDicom: 'not a DICOM file (no "DICM" marker at byte 128 and no data set at byte 0)' };
    pos = 0;
    noPreamble = true;
  }
  // File meta information (group 0002) is always explicit VR little endian.
  let meta: DicomDataset | null = null;
  let ts = '';
  const metaEnc: Encoding = { explicit: true, little: true };
  if (src.bytes.length >= pos + 2 && (src.bytes[pos]! | (src.bytes[pos + 1]! << 8)) === 0x0002) {
    meta = new DicomDataset(src, metaEnc);
    while (pos + 8 <= src.bytes.length && (src.bytes[pos]! | (src.bytes[pos + 1]! << 8)) === 0x0002) {
      pos = parseOneElement(src, pos, meta);
    }
    if (pos + 8 > src.bytes.length && !src.isComplete) throw new DicomParseError('need more bytes for the file meta', 'need-more', pos + 4096);
    ts = meta.string(TAG.TransferSyntaxUID).replace(/\0/g, '');
  }
  let enc: Encoding;
  if (ts === '') {
    // No transfer syntax: guess between explicit and implicit VR little endian from the first element.
    enc = { explicit: looksLikeVr(src.bytes, pos + 4), little: true };
    ts = enc.explicit ? TS.explicitLE : TS.implicitLE;
  } else if (ts === TS.explicitBE) enc = { explicit: true, little: false };
  else if (ts === TS.implicitLE) enc = { explicit: false, little: true };
  else enc = { explicit: true, little: true };
  return { start: pos, enc, transferSyntaxUid: ts, noPreamble, meta };
}

/** Parse one explicit-LE meta element into ds; returns the next position. */
function parseOneElement(src: ByteSource, pos: number, ds: DicomDataset): number {
  src.require(pos + 8, 'file meta element');
  const v = src.view;
  const tag = ((v.getUint16(pos, true) << 16) | v.getUint16(pos + 2, true)) >>> 0;
  const vr = String.fromCharCode(src.bytes[pos + 4]!, src.bytes[pos + 5]!);
  if (!KNOWN_VRS.has(vr)) throw new DicomParseError(`invalid VR in file meta element ${tagString(tag)}`, 'malformed');
  let header = 8, length = v.getUint16(pos + 6, true);
  if (['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV'].includes(vr)) {
    src.require(pos + 12, 'file meta element');
    header = 12;
    length = v.getUint32(pos + 8, true);
  }
  if (length === 0xffffffff) throw new DicomParseError(`undefined length in file meta element ${tagString(tag)}`, 'malformed');
  const end = pos + header + length;
  if (end > src.totalLength) throw new DicomParseError(`file meta element ${tagString(tag)} runs past the end of the file`, 'truncated');
  src.require(end, 'file meta element');
  ds.elements.set(tag, { tag, vr, offset: pos + header, length });
  return end;
}

function charsetDecoder(ds: DicomDataset): TextDecoder {
  const cs = ds.string(TAG.SpecificCharacterSet);
  if (/ISO_IR 192|ISO 2022 IR 192/.test(cs)) return new TextDecoder('utf-8');
  return new TextDecoder('latin1');
}

/** Parse the header, re-reading a longer prefix while the parse needs more bytes. */
async function parseHeader(file: FileLike, signal?: AbortSignal): Promise<{ loc: Located; src: ByteSource; ds: DicomDataset; pixel: { offset: number; length: number; vr: string } | null; deflated: boolean }> {
  let want = Math.min(file.size, INITIAL_PREFIX);
  for (;;) {
    const bytes = await readRange(file, 0, want);
    const src = new ByteSource(bytes, file.size);
    try {
      const loc = locate(bytes, src);
      if ('notDicom' in loc) throw new NotDicom(loc.notDicom);
      if (loc.transferSyntaxUid === TS.deflatedLE) {
        // The data set after the meta is one raw-deflate stream, inflated under its header's budget
        // (deflated.ts); only the bytes before PixelData are kept.
        const whole = bytes.length === file.size ? bytes : await readRange(file, 0, file.size);
        const r = await runDeflate(whole.subarray(loc.start), 'header', signal);
        const isrc = new ByteSource(r.bytes, r.producedBytes);
        const parsed = parseDataset(isrc, 0, { explicit: true, little: true });
        parsed.dataset.src.decoder = charsetDecoder(parsed.dataset);
        return { loc, src: isrc, ds: parsed.dataset, pixel: parsed.pixelData, deflated: true };
      }
      const parsed = parseDataset(src, loc.start, loc.enc);
      parsed.dataset.src.decoder = charsetDecoder(parsed.dataset);
      return { loc, src, ds: parsed.dataset, pixel: parsed.pixelData, deflated: false };
    } catch (e) {
      if (e instanceof DicomParseError && e.kind === 'need-more' && want < file.size) {
        want = Math.min(file.size, Math.max(want * 4, e.neededEnd + 4096));
        continue;
      }
      throw e;
    }
  }
}

class NotDicom extends Error {}


function vec(ds: DicomDataset, tag: number, n: number): number[] | null {
  const v = ds.numbers(tag);
  return v && v.length >= n ? v.slice(0, n) : null;
}

/** First item of a functional-group macro sequence, looked up per frame then shared. */
function fgValue(groups: Array<DicomDataset | undefined>, seqTag: number, tag: number, n: number): number[] | null {
  for (const g of groups) {
    if (!g) continue;
    const item = g.items(seqTag)[0];
    if (!item) continue;
    const v = vec(item, tag, n);
    if (v) return v;
  }
  return null;
}

export function sopKind(sopClassUid: string, modality: string): string | null {
  for (const [re, kind] of NON_IMAGE_SOP) if (re.test(sopClassUid)) return kind;
  if (NON_IMAGE_MODALITIES.has(modality)) return modality;
  return null;
}

/** Scan one file. Never throws for bad content: problems become the FileReport. */
export async function scanFile(file: FileLike, fileIndex: number, signal?: AbortSignal): Promise<FileOutcome> {
  const name = displayName(file);
  if (file.size === 0) return err(name, 'empty-file', 'empty file (0 bytes)');
  let header: Awaited<ReturnType<typeof parseHeader>>;
  try {
    header = await parseHeader(file, signal);
  } catch (e) {
    if (e instanceof LoadCancelledError) throw e;
    if (e instanceof NotDicom) return err(name, 'not-dicom', e.message);
    if (e instanceof InflateRefusedError || e instanceof InflateCorruptError) {
      const d = describeInflateError(e);
      return err(name, d.code, d.message);
    }
    if (e instanceof DicomParseError) {
      if (e.kind === 'truncated') return err(name, 'truncated', `truncated or corrupt DICOM header: ${e.message}`);
      return err(name, 'not-dicom', `corrupt DICOM data: ${e.message}`);
    }
    return err(name, 'read-failed', `could not be read: ${(e as Error)?.message ?? String(e)}`);
  }
  const { loc, ds, pixel, deflated } = header;
  const meta = loc.meta;
  const sopClass = ds.string(TAG.SOPClassUID) || (meta?.string(TAG.MediaStorageSOPClassUID) ?? '');
  const modality = ds.string(TAG.Modality).toUpperCase();

  if (sopClass === '1.2.840.10008.1.3.10' || ds.has(TAG.DirectoryRecordSequence)) {
    const n = ds.items(TAG.DirectoryRecordSequence).length;
    return ignored(name, 'dicomdir', 'DICOMDIR', `DICOMDIR (media index with ${n} records), not an image; load the image files it lists directly`);
  }
  const kind = sopKind(sopClass, modality);
  if (kind) {
    return ignored(name, 'non-image', kind, `not an image for planning (${kind}${modality && modality !== kind ? `, modality ${modality}` : ''}, SOP class ${sopClass || 'unknown'}); skipped`);
  }
  if (!pixel) {
    const imageSop = sopClass.startsWith('1.2.840.10008.5.1.4.1.1.');
    if (imageSop || ds.has(TAG.Rows)) {
      return err(name, 'no-pixel-data', `image object (SOP class ${sopClass || 'unknown'}) without PixelData: the file is truncated or corrupt`);
    }
    return ignored(name, 'non-image', modality || 'unknown', `DICOM object without pixel data (modality ${modality || 'unknown'}, SOP class ${sopClass || 'unknown'}); skipped`);
  }

  const ts = loc.transferSyntaxUid;
  const native = NATIVE_TS.has(ts);
  const encapsulated = ENCAPSULATED_TS.has(ts);
  if (!native && !encapsulated) {
    const what = UNSUPPORTED_TS_NAMES.get(ts);
    return err(name, 'unsupported-transfer-syntax', what ? `compressed as ${what} (transfer syntax ${ts}), which this app cannot decode; export the series uncompressed or as JPEG / JPEG 2000 / RLE` : `unknown transfer syntax ${ts || '(empty)'}: the pixel data cannot be decoded`);
  }

  const rows = ds.uint16(TAG.Rows) ?? 0;
  const columns = ds.uint16(TAG.Columns) ?? 0;
  const bitsAllocated = ds.uint16(TAG.BitsAllocated) ?? 0;
  const bitsStored = ds.uint16(TAG.BitsStored) ?? bitsAllocated;
  const pixelRepresentation = ds.uint16(TAG.PixelRepresentation) ?? 0;
  const samplesPerPixel = ds.uint16(TAG.SamplesPerPixel) ?? 1;
  const frames = Math.max(1, Math.round(ds.number(TAG.NumberOfFrames) ?? 1));
  if (rows < 1 || columns < 1) return err(name, 'no-pixel-data', `image without valid Rows/Columns (${rows}x${columns})`);
  if (![8, 16, 32].includes(bitsAllocated)) return err(name, 'unsupported-transfer-syntax', `BitsAllocated ${bitsAllocated} is not supported (8, 16 or 32)`);
  if (samplesPerPixel < 1 || samplesPerPixel > 4) return err(name, 'no-pixel-data', `invalid SamplesPerPixel ${samplesPerPixel}`);
  if (frames > 100000) return err(name, 'no-pixel-data', `implausible NumberOfFrames ${frames}`);
  const frameBytes = rows * columns * samplesPerPixel * (bitsAllocated / 8);

  const perFrameFragments: Fragment[][] = [];
  if (native) {
    if (pixel.length < 0) return err(name, 'not-dicom', `PixelData has undefined length in an uncompressed transfer syntax (${ts})`);
    const need = frameBytes * frames;
    const total = header.src.totalLength;
    const present = Math.min(pixel.length, total - pixel.offset);
    if (pixel.length < need) {
      return err(name, 'pixel-data-short', `PixelData holds ${pixel.length} bytes but Rows×Columns×SamplesPerPixel×BitsAllocated/8×Frames = ${rows}×${columns}×${samplesPerPixel}×${bitsAllocated / 8}×${frames} = ${need} bytes`);
    }
    if (present < need) {
      return err(name, 'truncated', `file ends inside PixelData: ${Math.max(0, present)} of ${need} bytes present (truncated file)`);
    }
  } else {
    if (pixel.length >= 0) return err(name, 'not-dicom', `PixelData in compressed transfer syntax ${ts} is not encapsulated (defined length)`);
    try {
      const rest = await readRange(file, pixel.offset, file.size);
      const table = readFragments(rest);
      const grouped = framesFromFragments(rest, table, frames);
      for (const [n, g] of grouped.entries()) {
        const first = g[0];
        const problem = first ? frameSignatureProblem(ts, rest.subarray(first.offset, first.offset + Math.min(first.length, 64))) : 'a frame without data';
        if (problem) return err(name, 'decode-failed', `${frames > 1 ? `frame ${n + 1}: ` : ''}${problem}`);
        perFrameFragments.push(g.map((f) => ({ offset: f.offset + pixel.offset, length: f.length })));
      }
    } catch (e) {
      if (e instanceof DicomParseError) {
        return err(name, e.kind === 'truncated' ? 'truncated' : 'decode-failed', `compressed pixel data unreadable: ${e.message}`);
      }
      throw e;
    }
  }

  // Geometry: per-frame functional groups (enhanced multi-frame), then shared groups, then top level.
  const shared = ds.items(TAG.SharedFunctionalGroupsSequence)[0];
  const perFrame = ds.items(TAG.PerFrameFunctionalGroupsSequence);
  const enhanced = shared !== undefined || perFrame.length > 0;
  const topIpp = vec(ds, TAG.ImagePositionPatient, 3);
  const topIop = vec(ds, TAG.ImageOrientationPatient, 6);
  const topPs = vec(ds, TAG.PixelSpacing, 2);
  const imageType = ds.string(TAG.ImageType).toUpperCase();
  const mosaic = imageType.split('\\').includes('MOSAIC') || ds.has(TAG.MosaicImageCount);
  const noPreamble = loc.noPreamble;

  const common = {
    file, fileName: name, fileIndex, frameCount: frames, transferSyntaxUid: ts,
    encoding: (deflated ? 'deflated' : native ? 'native' : 'encapsulated') as PixelEncoding,
    littleEndian: ts !== TS.explicitBE,
    rows, columns, bitsAllocated, bitsStored, pixelRepresentation, samplesPerPixel,
    photometricInterpretation: ds.string(TAG.PhotometricInterpretation).toUpperCase(),
    planarConfiguration: ds.uint16(TAG.PlanarConfiguration) ?? 0,
    sliceThickness: ds.number(TAG.SliceThickness),
    spacingBetweenSlices: ds.number(TAG.SpacingBetweenSlices),
    instanceNumber: ds.number(TAG.InstanceNumber),
    sopInstanceUid: ds.string(TAG.SOPInstanceUID),
    sopClassUid: sopClass,
    studyAttributes: {
      studyTime: ds.string(TAG.StudyTime), studyId: ds.string(TAG.StudyID), accessionNumber: ds.string(TAG.AccessionNumber),
      referringPhysicianName: ds.string(TAG.ReferringPhysicianName), patientBirthDate: ds.string(TAG.PatientBirthDate), patientSex: ds.string(TAG.PatientSex),
    },
    seriesInstanceUid: ds.string(TAG.SeriesInstanceUID),
    studyInstanceUid: ds.string(TAG.StudyInstanceUID),
    frameOfReferenceUid: ds.string(TAG.FrameOfReferenceUID),
    modality,
    seriesNumber: ds.number(TAG.SeriesNumber),
    seriesDescription: ds.string(TAG.SeriesDescription),
    patientName: ds.string(TAG.PatientName),
    patientPosition: ds.string(TAG.PatientPosition),
    patientId: ds.string(TAG.PatientID),
    studyDescription: ds.string(TAG.StudyDescription),
    studyDate: ds.string(TAG.StudyDate),
    deflateStart: deflated ? loc.start : 0,
    noPreamble, mosaic, enhanced,
  };
  const slices: SliceRecord[] = [];
  for (let f = 0; f < frames; f++) {
    const groups = [perFrame[f], shared];
    let ipp = enhanced ? fgValue(groups, TAG.PlanePositionSequence, TAG.ImagePositionPatient, 3) : null;
    let iop = enhanced ? fgValue(groups, TAG.PlaneOrientationSequence, TAG.ImageOrientationPatient, 6) : null;
    let ps = enhanced ? fgValue(groups, TAG.PixelMeasuresSequence, TAG.PixelSpacing, 2) : null;
    // A rescale that is present must be a number ("NaN" is not absent): it is read from the text.
    const slopeText = rawFirst(ds, TAG.RescaleSlope), interceptText = rawFirst(ds, TAG.RescaleIntercept);
    const slope = (enhanced ? fgValue(groups, TAG.PixelValueTransformationSequence, TAG.RescaleSlope, 1)?.[0] : null) ?? (slopeText === '' ? 1 : Number(slopeText));
    const intercept = (enhanced ? fgValue(groups, TAG.PixelValueTransformationSequence, TAG.RescaleIntercept, 1)?.[0] : null) ?? (interceptText === '' ? 0 : Number(interceptText));
    const rescale = rescaleProblem(slope, intercept, bitsStored, pixelRepresentation === 1);
    if (rescale) {
      const named = !Number.isFinite(slope) && slopeText !== '' ? rescale.replace(/RescaleSlope \S+/, `RescaleSlope ${shown(slopeText)}`) : !Number.isFinite(intercept) && interceptText !== '' ? rescale.replace(/RescaleIntercept \S+/, `RescaleIntercept ${shown(interceptText)}`) : rescale;
      return err(name, 'implausible-value', `${named}: the pixel values cannot be turned into ${modality === 'CT' ? 'Hounsfield units' : 'image values'}; the file is not used`);
    }
    // A top-level position applies to a single frame only; for legacy multi-frame it is unknown per frame.
    if (!ipp && frames === 1) ipp = topIpp;
    if (!iop) iop = topIop;
    let psProblem: string | null = null;
    if (!ps) {
      ps = topPs;
      const text = ds.string(TAG.PixelSpacing);
      if (!ps && text !== '') {
        const parts = text.split('\\').map((x) => Number(x.trim()));
        psProblem = parts.length >= 2 ? spacingProblem(parts[0]!, 'pixel spacing') ?? spacingProblem(parts[1]!, 'pixel spacing') : null;
        psProblem ??= `invalid PixelSpacing ${JSON.stringify(text)} (not two numbers)`;
      }
    }
    if (ps) psProblem = spacingProblem(ps[0]!, 'pixel spacing') ?? spacingProblem(ps[1]!, 'pixel spacing');
    slices.push({
      ...common,
      frameIndex: f,
      pixelOffset: native ? pixel.offset + f * frameBytes : 0,
      pixelLength: native ? frameBytes : 0,
      fragments: native ? [] : perFrameFragments[f] ?? [],
      rescaleSlope: slope,
      rescaleIntercept: intercept,
      ipp: ipp ? [ipp[0]!, ipp[1]!, ipp[2]!] : null,
      iop: iop ? [iop[0]!, iop[1]!, iop[2]!, iop[3]!, iop[4]!, iop[5]!] : null,
      pixelSpacing: ps && !psProblem ? [ps[0]!, ps[1]!] : null,
      pixelSpacingProblem: psProblem,
    });
  }
  const report: FileReport = { name, status: 'ok' };
  if (noPreamble) {
    report.code = 'no-preamble';
    report.message = `${name}: no 128-byte preamble / "DICM" marker; read as a raw ${loc.enc.explicit ? 'explicit' : 'implicit'} VR little endian data set`;
  }
  return { report, slices };
}
