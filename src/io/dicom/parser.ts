/**
 * A small, defensive DICOM Part 10 / raw dataset parser.
 *
 * Why our own and not dicom-parser: the scan pass parses only a prefix of each file and must tell
 * "needs more bytes" (re-read a longer prefix) apart from "the file really ends here" (truncated),
 * must never read out of bounds, and must always make progress on corrupt length fields. The parser
 * stores element positions only; values are decoded on request.
 *
 * Supported encodings: explicit VR little/big endian, implicit VR little endian, undefined-length
 * sequences and items, UN with undefined length (read as implicit VR LE, PS3.5 6.2.2), encapsulated
 * pixel data (fragments are walked by `readFragments`). Deflate is handled by the caller.
 *
 * Reference: DICOM PS3.5 chapter 7 (data set encoding) and A.4 (encapsulation).
 */

export const TAG = {
  MediaStorageSOPClassUID: 0x00020002,
  TransferSyntaxUID: 0x00020010,
  DirectoryRecordSequence: 0x00041220,
  SpecificCharacterSet: 0x00080005,
  ImageType: 0x00080008,
  SOPClassUID: 0x00080016,
  SOPInstanceUID: 0x00080018,
  StudyDate: 0x00080020,
  StudyTime: 0x00080030,
  AccessionNumber: 0x00080050,
  ReferringPhysicianName: 0x00080090,
  Modality: 0x00080060,
  StudyDescription: 0x00081030,
  SeriesDescription: 0x0008103e,
  PatientName: 0x00100010,
  PatientID: 0x00100020,
  PatientBirthDate: 0x00100030,
  PatientSex: 0x00100040,
  SliceThickness: 0x00180050,
  SpacingBetweenSlices: 0x00180088,
  PatientPosition: 0x00185100,
  MosaicImageCount: 0x0019100a,
  StudyInstanceUID: 0x0020000d,
  SeriesInstanceUID: 0x0020000e,
  StudyID: 0x00200010,
  SeriesNumber: 0x00200011,
  InstanceNumber: 0x00200013,
  ImagePositionPatient: 0x00200032,
  ImageOrientationPatient: 0x00200037,
  FrameOfReferenceUID: 0x00200052,
  PlanePositionSequence: 0x00209113,
  PlaneOrientationSequence: 0x00209116,
  SamplesPerPixel: 0x00280002,
  PhotometricInterpretation: 0x00280004,
  PlanarConfiguration: 0x00280006,
  NumberOfFrames: 0x00280008,
  Rows: 0x00280010,
  Columns: 0x00280011,
  PixelSpacing: 0x00280030,
  BitsAllocated: 0x00280100,
  BitsStored: 0x00280101,
  PixelRepresentation: 0x00280103,
  RescaleIntercept: 0x00281052,
  RescaleSlope: 0x00281053,
  PixelMeasuresSequence: 0x00289110,
  PixelValueTransformationSequence: 0x00289145,
  SharedFunctionalGroupsSequence: 0x52009229,
  PerFrameFunctionalGroupsSequence: 0x52009230,
  PixelData: 0x7fe00010,
  Item: 0xfffee000,
  ItemDelimitation: 0xfffee00d,
  SequenceDelimitation: 0xfffee0dd,
} as const;

const UNDEFINED = 0xffffffff;
const MAX_DEPTH = 16;

/** VRs whose explicit encoding has a 2-byte reserved field and a 4-byte length. */
const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV']);
export const KNOWN_VRS = new Set([
  'AE', 'AS', 'AT', 'CS', 'DA', 'DS', 'DT', 'FD', 'FL', 'IS', 'LO', 'LT', 'OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'PN',
  'SH', 'SL', 'SQ', 'SS', 'ST', 'SV', 'TM', 'UC', 'UI', 'UL', 'UN', 'UR', 'US', 'UT', 'UV',
]);
/** Implicit VR needs a dictionary; only tags this loader reads as binary or as sequences are listed. */
const IMPLICIT_VR: ReadonlyMap<number, string> = new Map([
  [TAG.SamplesPerPixel, 'US'], [TAG.PlanarConfiguration, 'US'], [TAG.Rows, 'US'], [TAG.Columns, 'US'],
  [TAG.BitsAllocated, 'US'], [TAG.BitsStored, 'US'], [TAG.PixelRepresentation, 'US'], [TAG.MosaicImageCount, 'US'],
  [TAG.PixelData, 'OW'],
  [TAG.DirectoryRecordSequence, 'SQ'], [TAG.PlanePositionSequence, 'SQ'], [TAG.PlaneOrientationSequence, 'SQ'],
  [TAG.PixelMeasuresSequence, 'SQ'], [TAG.PixelValueTransformationSequence, 'SQ'],
  [TAG.SharedFunctionalGroupsSequence, 'SQ'], [TAG.PerFrameFunctionalGroupsSequence, 'SQ'],
]);

export type ParseErrorKind = 'need-more' | 'truncated' | 'malformed';

export class DicomParseError extends Error {
  constructor(
    message: string,
    readonly kind: ParseErrorKind,
    /** For 'need-more': the absolute file offset the parse needs to be able to read up to. */
    readonly neededEnd = 0,
  ) {
    super(message);
    this.name = 'DicomParseError';
  }
}

export function tagString(tag: number): string {
  const h = (tag >>> 0).toString(16).toUpperCase().padStart(8, '0');
  return `(${h.slice(0, 4)},${h.slice(4)})`;
}

export interface DicomElement {
  tag: number;
  vr: string;
  /** Offset of the value in the parsed buffer. */
  offset: number;
  /** Value length in bytes; -1 for undefined length. */
  length: number;
  items?: DicomDataset[];
}

export interface Encoding {
  explicit: boolean;
  little: boolean;
}

/** Shared state of one parse: the buffer (possibly a prefix of the file) and the text decoder. */
export class ByteSource {
  readonly view: DataView;
  decoder: TextDecoder = new TextDecoder('latin1');
  constructor(
    readonly bytes: Uint8Array,
    /** Length of the whole underlying stream (file or inflated data); bytes may be a prefix. */
    readonly totalLength: number,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  get isComplete(): boolean {
    return this.bytes.length >= this.totalLength;
  }
  /** Throws need-more or truncated when [0, end) is not available. */
  require(end: number, what: string): void {
    if (end <= this.bytes.length) return;
    if (end > this.totalLength) {
      throw new DicomParseError(`${what} runs past the end of the data (needs byte ${end}, size ${this.totalLength})`, 'truncated');
    }
    throw new DicomParseError(`need more bytes for ${what}`, 'need-more', end);
  }
}

export class DicomDataset {
  readonly elements = new Map<number, DicomElement>();
  constructor(readonly src: ByteSource, readonly enc: Encoding) {}

  has(tag: number): boolean {
    return this.elements.has(tag);
  }

  /** Text value with trailing spaces/NULs removed ('' when absent). Multi-valued strings keep their backslashes. */
  string(tag: number): string {
    const el = this.elements.get(tag);
    if (!el || el.length <= 0) return '';
    const raw = this.src.bytes.subarray(el.offset, el.offset + el.length);
    return this.src.decoder.decode(raw).replace(/[\0\s]+$/, '').replace(/^\s+/, '');
  }

  strings(tag: number): string[] {
    const s = this.string(tag);
    return s === '' ? [] : s.split('\\').map((x) => x.trim());
  }

  /** Numbers of a DS/IS (decimal string) element; null when absent or any value unparseable. */
  numbers(tag: number): number[] | null {
    const el = this.elements.get(tag);
    if (!el || el.length <= 0) return null;
    if (el.vr === 'FD' || el.vr === 'FL' || el.vr === 'US' || el.vr === 'SS' || el.vr === 'UL' || el.vr === 'SL') {
      const v = this.binaryNumber(el);
      return v === null ? null : [v];
    }
    const parts = this.strings(tag);
    if (parts.length === 0) return null;
    const out: number[] = [];
    for (const p of parts) {
      if (p === '') return null;
      const v = Number(p);
      if (!Number.isFinite(v)) return null;
      out.push(v);
    }
    return out;
  }

  number(tag: number): number | null {
    const v = this.numbers(tag);
    return v && v.length > 0 ? v[0]! : null;
  }

  /** Unsigned 16-bit value (US), or a decimal string holding an integer; null when absent. */
  uint16(tag: number): number | null {
    const el = this.elements.get(tag);
    if (!el || el.length <= 0) return null;
    if (el.vr === 'IS' || el.vr === 'DS') return this.number(tag);
    if (el.length < 2) return null;
    return this.src.view.getUint16(el.offset, this.enc.little);
  }

  private binaryNumber(el: DicomElement): number | null {
    const v = this.src.view, o = el.offset, le = this.enc.little;
    switch (el.vr) {
      case 'US': return el.length >= 2 ? v.getUint16(o, le) : null;
      case 'SS': return el.length >= 2 ? v.getInt16(o, le) : null;
      case 'UL': return el.length >= 4 ? v.getUint32(o, le) : null;
      case 'SL': return el.length >= 4 ? v.getInt32(o, le) : null;
      case 'FL': return el.length >= 4 ? v.getFloat32(o, le) : null;
      case 'FD': return el.length >= 8 ? v.getFloat64(o, le) : null;
      default: return null;
    }
  }

  items(tag: number): DicomDataset[] {
    return this.elements.get(tag)?.items ?? [];
  }
}

export interface PixelDataHeader {
  /** Offset of the PixelData value in the parsed buffer. */
  offset: number;
  /** -1 = undefined length (encapsulated). */
  length: number;
  vr: string;
}

export interface ParsedDataset {
  dataset: DicomDataset;
  /** Present when the top-level PixelData element was reached (the parse stops there). */
  pixelData: PixelDataHeader | null;
}

/**
 * Parse a data set from `start` up to top-level PixelData (or the end of the data).
 * Throws DicomParseError: 'need-more' when `src` is a prefix that is too short, 'truncated' when the
 * data really ends inside an element, 'malformed' for impossible structures.
 */
export function parseDataset(src: ByteSource, start: number, enc: Encoding): ParsedDataset {
  const ds = new DicomDataset(src, enc);
  const state = { pixel: null as PixelDataHeader | null };
  parseElements(src, ds, start, src.totalLength, enc, 0, false, state);
  return { dataset: ds, pixelData: state.pixel };
}

function readElementHeader(src: ByteSource, pos: number, enc: Encoding): { tag: number; vr: string; length: number; header: number } {
  src.require(pos + 8, `element header at byte ${pos}`);
  const v = src.view;
  const group = v.getUint16(pos, enc.little);
  const elem = v.getUint16(pos + 2, enc.little);
  const tag = ((group << 16) | elem) >>> 0;
  if (group === 0xfffe) return { tag, vr: '', length: v.getUint32(pos + 4, enc.little), header: 8 };
  if (!enc.explicit) {
    const length = v.getUint32(pos + 4, enc.little);
    const vr = IMPLICIT_VR.get(tag) ?? (length === UNDEFINED ? 'SQ' : 'UN');
    return { tag, vr, length, header: 8 };
  }
  const c0 = src.bytes[pos + 4]!, c1 = src.bytes[pos + 5]!;
  const vr = String.fromCharCode(c0, c1);
  if (!KNOWN_VRS.has(vr)) {
    throw new DicomParseError(`invalid VR "${printable(vr)}" for element ${tagString(tag)} at byte ${pos}`, 'malformed');
  }
  if (LONG_VRS.has(vr)) {
    src.require(pos + 12, `element header at byte ${pos}`);
    return { tag, vr, length: v.getUint32(pos + 8, enc.little), header: 12 };
  }
  return { tag, vr, length: v.getUint16(pos + 6, enc.little), header: 8 };
}

function printable(s: string): string {
  return s.replace(/[^\x20-\x7e]/g, '?');
}

/**
 * Parse elements into `ds` from `pos` to `end`; with `untilItemDelimiter`, stop after (FFFE,E00D).
 * Returns the position after the last consumed byte.
 */
function parseElements(
  src: ByteSource, ds: DicomDataset, pos: number, end: number, enc: Encoding, depth: number,
  untilItemDelimiter: boolean, state: { pixel: PixelDataHeader | null },
): number {
  if (depth > MAX_DEPTH) throw new DicomParseError(`sequences nested deeper than ${MAX_DEPTH} levels`, 'malformed');
  while (true) {
    if (!untilItemDelimiter && pos >= end) return pos;
    if (depth === 0 && pos >= src.bytes.length && src.isComplete) return pos; // clean end of file
    const h = readElementHeader(src, pos, enc);
    const valueStart = pos + h.header;
    if (h.tag === TAG.ItemDelimitation) {
      if (untilItemDelimiter) return valueStart;
      throw new DicomParseError(`unexpected item delimiter at byte ${pos}`, 'malformed');
    }
    if (h.tag === TAG.SequenceDelimitation || h.tag === TAG.Item) {
      throw new DicomParseError(`unexpected ${h.tag === TAG.Item ? 'item' : 'sequence delimiter'} tag at byte ${pos}`, 'malformed');
    }
    if (depth === 0 && h.tag === TAG.PixelData) {
      state.pixel = { offset: valueStart, length: h.length === UNDEFINED ? -1 : h.length, vr: h.vr };
      ds.elements.set(h.tag, { tag: h.tag, vr: h.vr, offset: valueStart, length: state.pixel.length });
      return valueStart;
    }
    if (h.length === UNDEFINED) {
      if (h.vr === 'SQ' || h.vr === 'UN') {
        const itemEnc = h.vr === 'UN' ? { explicit: false, little: true } : enc;
        const items: DicomDataset[] = [];
        pos = parseSequence(src, valueStart, -1, itemEnc, depth + 1, items);
        ds.elements.set(h.tag, { tag: h.tag, vr: 'SQ', offset: valueStart, length: -1, items });
      } else if (h.vr === 'OB' || h.vr === 'OW') {
        pos = skipFragments(src, valueStart, enc);
      } else {
        throw new DicomParseError(`undefined length on ${h.vr} element ${tagString(h.tag)}`, 'malformed');
      }
      continue;
    }
    const valueEnd = valueStart + h.length;
    if (!untilItemDelimiter && valueEnd > end) {
      throw new DicomParseError(`element ${tagString(h.tag)} (length ${h.length}) runs past the end of its ${depth === 0 ? 'file' : 'item'}`, depth === 0 ? 'truncated' : 'malformed');
    }
    if (valueEnd > src.totalLength) {
      throw new DicomParseError(`element ${tagString(h.tag)} (length ${h.length}) at byte ${pos} runs past the end of the data (${src.totalLength} bytes)`, 'truncated');
    }
    if (h.vr === 'SQ') {
      src.require(valueEnd, `sequence ${tagString(h.tag)}`);
      const items: DicomDataset[] = [];
      parseSequence(src, valueStart, valueEnd, enc, depth + 1, items);
      ds.elements.set(h.tag, { tag: h.tag, vr: 'SQ', offset: valueStart, length: h.length, items });
    } else {
      // Values are needed in the buffer only up to PixelData; large other values (e.g. private blobs)
      // still have to be inside the prefix for the positions after them to be readable.
      src.require(valueEnd, `element ${tagString(h.tag)}`);
      ds.elements.set(h.tag, { tag: h.tag, vr: h.vr, offset: valueStart, length: h.length });
    }
    pos = valueEnd;
  }
}

/** Parse items of a sequence. end = -1: undefined length (until the sequence delimiter). */
function parseSequence(src: ByteSource, pos: number, end: number, enc: Encoding, depth: number, items: DicomDataset[]): number {
  if (depth > MAX_DEPTH) throw new DicomParseError(`sequences nested deeper than ${MAX_DEPTH} levels`, 'malformed');
  const dummy = { pixel: null as PixelDataHeader | null };
  while (end < 0 || pos < end) {
    src.require(pos + 8, `sequence item at byte ${pos}`);
    const group = src.view.getUint16(pos, enc.little);
    const elem = src.view.getUint16(pos + 2, enc.little);
    const tag = ((group << 16) | elem) >>> 0;
    const length = src.view.getUint32(pos + 4, enc.little);
    pos += 8;
    if (tag === TAG.SequenceDelimitation) {
      if (end < 0) return pos;
      continue; // tolerated inside a defined-length sequence
    }
    if (tag !== TAG.Item) throw new DicomParseError(`expected an item tag in a sequence, found ${tagString(tag)} at byte ${pos - 8}`, 'malformed');
    const item = new DicomDataset(src, enc);
    if (length === UNDEFINED) {
      pos = parseElements(src, item, pos, src.totalLength, enc, depth, true, dummy);
    } else {
      const itemEnd = pos + length;
      if (end >= 0 && itemEnd > end) throw new DicomParseError(`sequence item (length ${length}) runs past its sequence`, 'malformed');
      if (itemEnd > src.totalLength) throw new DicomParseError(`sequence item (length ${length}) runs past the end of the data`, 'truncated');
      parseElements(src, item, pos, itemEnd, enc, depth, false, dummy);
      pos = itemEnd;
    }
    items.push(item);
  }
  return pos;
}

function skipFragments(src: ByteSource, pos: number, enc: Encoding): number {
  while (true) {
    src.require(pos + 8, `fragment at byte ${pos}`);
    const group = src.view.getUint16(pos, enc.little);
    const elem = src.view.getUint16(pos + 2, enc.little);
    const tag = ((group << 16) | elem) >>> 0;
    const length = src.view.getUint32(pos + 4, enc.little);
    pos += 8;
    if (tag === TAG.SequenceDelimitation) return pos;
    if (tag !== TAG.Item || length === UNDEFINED) throw new DicomParseError(`bad fragment item ${tagString(tag)}`, 'malformed');
    if (pos + length > src.totalLength) throw new DicomParseError('fragment runs past the end of the data', 'truncated');
    src.require(pos + length, 'fragment');
    pos += length;
  }
}

export interface Fragment {
  /** Offset relative to the start of the bytes given to readFragments. */
  offset: number;
  length: number;
}

/**
 * Walk encapsulated pixel data (PS3.5 A.4): a Basic Offset Table item, then fragment items, then the
 * sequence delimiter. `bytes` starts at the PixelData value. Returns the offset table and fragments.
 */
export function readFragments(bytes: Uint8Array): { offsetTable: number[]; fragments: Fragment[]; firstFragmentItem: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 0;
  const fragments: Fragment[] = [];
  let offsetTable: number[] | null = null;
  let firstFragmentItem = 0;
  while (true) {
    if (pos + 8 > bytes.length) throw new DicomParseError('encapsulated pixel data ends without a sequence delimiter (file truncated)', 'truncated');
    const tag = ((view.getUint16(pos, true) << 16) | view.getUint16(pos + 2, true)) >>> 0;
    const length = view.getUint32(pos + 4, true);
    if (tag === TAG.SequenceDelimitation) break;
    if (tag !== TAG.Item) throw new DicomParseError(`encapsulated pixel data: expected an item, found ${tagString(tag)} at byte ${pos}`, 'malformed');
    if (length === UNDEFINED) throw new DicomParseError('encapsulated pixel data: fragment with undefined length', 'malformed');
    const start = pos + 8;
    if (start + length > bytes.length) throw new DicomParseError(`encapsulated pixel data: fragment of ${length} bytes runs past the end of the file`, 'truncated');
    if (offsetTable === null) {
      offsetTable = [];
      for (let o = 0; o + 4 <= length; o += 4) offsetTable.push(view.getUint32(start + o, true));
      firstFragmentItem = start + length;
    } else {
      fragments.push({ offset: start, length });
    }
    pos = start + length;
  }
  return { offsetTable: offsetTable ?? [], fragments, firstFragmentItem };
}

/**
 * Group fragments into frames: one frame takes all; a Basic Offset Table when present; one fragment
 * per frame; else split where a fragment starts with a codestream marker (JPEG SOI FFD8, J2K SOC FF4F).
 */
export function framesFromFragments(
  bytes: Uint8Array, table: { offsetTable: number[]; fragments: Fragment[]; firstFragmentItem: number }, frames: number,
): Fragment[][] {
  const { offsetTable, fragments, firstFragmentItem } = table;
  if (fragments.length === 0) throw new DicomParseError('encapsulated pixel data holds no fragments', 'malformed');
  if (frames === 1) return [fragments];
  if (offsetTable.length === frames) {
    const out: Fragment[][] = offsetTable.map(() => []);
    for (const f of fragments) {
      const rel = f.offset - 8 - firstFragmentItem;
      let idx = -1;
      for (let i = 0; i < frames; i++) if (offsetTable[i]! <= rel) idx = i;
      if (idx < 0) throw new DicomParseError('Basic Offset Table does not match the fragments', 'malformed');
      out[idx]!.push(f);
    }
    if (out.every((g) => g.length > 0)) return out;
  }
  if (fragments.length === frames) return fragments.map((f) => [f]);
  const out: Fragment[][] = [];
  for (const f of fragments) {
    const b0 = bytes[f.offset], b1 = bytes[f.offset + 1];
    const starts = b0 === 0xff && (b1 === 0xd8 || b1 === 0x4f);
    if (starts || out.length === 0) out.push([f]);
    else out[out.length - 1]!.push(f);
  }
  if (out.length !== frames) {
    throw new DicomParseError(`cannot split ${fragments.length} fragments into ${frames} frames (no usable offset table)`, 'malformed');
  }
  return out;
}
