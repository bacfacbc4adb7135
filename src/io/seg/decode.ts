/**
 * DICOM SEG reader: a Part 10 Segmentation (BINARY) → its segments and frames (readSeg), then
 * those frames laid onto a loaded volume's voxel grid (segOntoGrid): each frame goes to the slice
 * at its Image Position (Patient), never by frame order, so SEGs written in any slice order or
 * only for some slices land where they were drawn. Refused, with the reason in words, when the
 * frame of reference differs or any frame does not fall on the grid's voxel centres. Pure (no DOM).
 */
import dcmjs from 'dcmjs';
import type { VolumeGeometry } from '../../core/geometry';
import type { Vec3 } from '../../core/vec3';
import { SEG_SOP_CLASS_UID } from './codes';

export interface DecodedSegment {
  readonly number: number;
  readonly label: string;
  /** '#rrggbb' from RecommendedDisplayCIELabValue, or null. */
  readonly color: string | null;
  readonly algorithmType: string;
  readonly category: string;
  readonly type: string;
}

export interface DecodedFrame {
  readonly segmentNumber: number;
  readonly ippLps: Vec3;
  readonly iop: readonly number[];
  /** [between rows, between columns] (DICOM order). */
  readonly pixelSpacing: readonly [number, number];
}

export interface DecodedSeg {
  readonly sopInstanceUid: string;
  readonly seriesInstanceUid: string;
  readonly frameOfReferenceUid: string;
  readonly referencedSeriesUids: readonly string[];
  readonly rows: number;
  readonly columns: number;
  readonly segments: readonly DecodedSegment[];
  readonly frames: readonly DecodedFrame[];
  /** Frames bit-packed one after the other (bit 0 of byte 0 = first pixel). */
  readonly bits: Uint8Array;
}

/** A SEG that cannot be read or laid on the open image; the message says why in words. */
export class SegImportError extends Error {}

type Ds = Record<string, unknown>;
const first = (x: unknown): Ds | undefined => (Array.isArray(x) ? (x[0] as Ds | undefined) : (x as Ds | undefined));
const nums = (x: unknown): number[] => (Array.isArray(x) ? x : x === undefined || x === null ? [] : [x]).map(Number);
const str = (x: unknown): string => (Array.isArray(x) ? String(x[0] ?? '') : x === undefined || x === null ? '' : String(x));

export function readSeg(bytes: Uint8Array): DecodedSeg {
  let ds: Ds;
  try {
    const buf = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    const dict = dcmjs.data.DicomMessage.readFile(buf);
    ds = dcmjs.data.DicomMetaDictionary.naturalizeDataset(dict.dict);
    const ts = str(dcmjs.data.DicomMetaDictionary.naturalizeDataset(dict.meta).TransferSyntaxUID);
    if (ts && !['1.2.840.10008.1.2', '1.2.840.10008.1.2.1', '1.2.840.10008.1.2.1.99', '1.2.840.10008.1.2.2'].includes(ts)) throw new SegImportError(`its transfer syntax ${ts} (compressed) is not supported; convert it to Explicit VR Little Endian (dcmconv +te)`);
  } catch (err) {
    if (err instanceof SegImportError) throw err;
    throw new SegImportError(`it is not a readable DICOM file (${(err as Error).message})`);
  }
  if (str(ds.SOPClassUID) !== SEG_SOP_CLASS_UID) throw new SegImportError(`it is not a DICOM Segmentation (SOP class ${str(ds.SOPClassUID) || 'missing'}, modality ${str(ds.Modality) || 'missing'})`);
  const type = str(ds.SegmentationType);
  if (type !== 'BINARY') throw new SegImportError(`its segmentation type is ${type || 'missing'}; only BINARY segmentations are read`);
  const rows = Number(ds.Rows), columns = Number(ds.Columns), nFrames = Number(ds.NumberOfFrames ?? 1);
  if (!(rows > 0 && columns > 0 && nFrames > 0) || Number(ds.BitsAllocated) !== 1) throw new SegImportError(`its image description is invalid (Rows ${ds.Rows}, Columns ${ds.Columns}, NumberOfFrames ${ds.NumberOfFrames}, BitsAllocated ${ds.BitsAllocated})`);
  const frameOfReferenceUid = str(ds.FrameOfReferenceUID);
  if (!frameOfReferenceUid) throw new SegImportError('it has no FrameOfReferenceUID, so nothing says which scan its positions belong to');

  const segSeq = (Array.isArray(ds.SegmentSequence) ? ds.SegmentSequence : []) as Ds[];
  const segments: DecodedSegment[] = segSeq.map((s) => ({
    number: Number(s.SegmentNumber),
    label: utf8Fix(str(s.SegmentLabel)) || `Segment ${s.SegmentNumber}`,
    color: rgbOf(nums(s.RecommendedDisplayCIELabValue)),
    algorithmType: str(s.SegmentAlgorithmType),
    category: str(first(s.SegmentedPropertyCategoryCodeSequence)?.CodeMeaning),
    type: str(first(s.SegmentedPropertyTypeCodeSequence)?.CodeMeaning),
  }));
  if (segments.length === 0) throw new SegImportError('it has no segments (empty SegmentSequence)');

  const shared = first(ds.SharedFunctionalGroupsSequence) ?? {};
  const perFrame = (Array.isArray(ds.PerFrameFunctionalGroupsSequence) ? ds.PerFrameFunctionalGroupsSequence : []) as Ds[];
  if (perFrame.length !== nFrames) throw new SegImportError(`it has ${nFrames} frames but ${perFrame.length} per-frame descriptions`);
  const frames: DecodedFrame[] = perFrame.map((f, n) => {
    const pick = (name: string): Ds | undefined => first(f[name]) ?? first(shared[name]);
    const ipp = nums(pick('PlanePositionSequence')?.ImagePositionPatient);
    const iop = nums(pick('PlaneOrientationSequence')?.ImageOrientationPatient);
    const ps = nums(pick('PixelMeasuresSequence')?.PixelSpacing);
    const seg = Number(pick('SegmentIdentificationSequence')?.ReferencedSegmentNumber);
    if (ipp.length !== 3 || ipp.some((v) => !Number.isFinite(v))) throw new SegImportError(`frame ${n + 1} has no Image Position (Patient): its slice cannot be found`);
    if (iop.length !== 6 || iop.some((v) => !Number.isFinite(v))) throw new SegImportError(`frame ${n + 1} has no Image Orientation (Patient)`);
    if (ps.length !== 2 || !(ps[0]! > 0 && ps[1]! > 0)) throw new SegImportError(`frame ${n + 1} has no valid Pixel Spacing`);
    if (!segments.some((s) => s.number === seg)) throw new SegImportError(`frame ${n + 1} refers to segment ${seg}, which the SegmentSequence does not list`);
    return { segmentNumber: seg, ippLps: [ipp[0]!, ipp[1]!, ipp[2]!], iop, pixelSpacing: [ps[0]!, ps[1]!] };
  });

  const pd = ds.PixelData;
  const parts = (Array.isArray(pd) ? pd : [pd]).filter((p): p is ArrayBuffer => p instanceof ArrayBuffer || ArrayBuffer.isView(p as ArrayBufferView));
  const total = parts.reduce((a, p) => a + p.byteLength, 0);
  const bits = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    const view = ArrayBuffer.isView(p) ? new Uint8Array((p as ArrayBufferView).buffer, (p as ArrayBufferView).byteOffset, (p as ArrayBufferView).byteLength) : new Uint8Array(p);
    bits.set(view, at);
    at += view.byteLength;
  }
  if (total * 8 < rows * columns * nFrames) throw new SegImportError(`its pixel data is short: ${total} bytes for ${nFrames} frames of ${columns}×${rows} bits (${Math.ceil((rows * columns * nFrames) / 8)} bytes)`);
  const refSeries = ((Array.isArray(ds.ReferencedSeriesSequence) ? ds.ReferencedSeriesSequence : []) as Ds[]).map((r) => str(r.SeriesInstanceUID)).filter(Boolean);
  return { sopInstanceUid: str(ds.SOPInstanceUID), seriesInstanceUid: str(ds.SeriesInstanceUID), frameOfReferenceUid, referencedSeriesUids: refSeries, rows, columns, segments, frames, bits };
}

export interface GridSegment {
  readonly number: number;
  readonly name: string;
  readonly color: string | null;
  readonly algorithmType: string;
  /** Linear offsets (i fastest) of its voxels in the grid, ascending. */
  readonly offsets: Uint32Array;
  /** Voxels also claimed by an earlier segment (one label per voxel: the earlier one keeps them). */
  readonly overlapVoxels: number;
}

/** Largest distance (in voxels) of a frame's pixel centres from the grid's voxel centres that is still the same voxel. */
const POSITION_TOLERANCE_VOXELS = 0.05;
/** Largest difference of direction cosines still the same orientation (DS values carry ~1e-6). */
const ORIENTATION_TOLERANCE = 1e-3;

/** The SEG's segments as voxel offsets of `geometry`, or a SegImportError saying why they do not belong there. */
export function segOntoGrid(seg: DecodedSeg, geometry: VolumeGeometry, frameOfReferenceUid: string): GridSegment[] {
  if (seg.frameOfReferenceUid !== frameOfReferenceUid) {
    throw new SegImportError(`its frame of reference (${seg.frameOfReferenceUid}) is not that of the open series (${frameOfReferenceUid}): it was drawn on another scan or another patient position`);
  }
  const [ni, nj, nk] = geometry.dims;
  const iAxis = geometry.axis(0), jAxis = geometry.axis(1);
  const ijk: Vec3 = [0, 0, 0];
  const plane = seg.rows * seg.columns;
  const claimed = new Uint8Array(ni * nj * nk);
  const byNumber = new Map<number, { offsets: number[]; overlap: number }>();
  for (const s of seg.segments) byNumber.set(s.number, { offsets: [], overlap: 0 });
  // Frames of earlier segments first, so that "earlier keeps overlapping voxels" does not depend on frame order.
  const order = seg.frames.map((f, n) => n).sort((a, b) => seg.frames[a]!.segmentNumber - seg.frames[b]!.segmentNumber || a - b);
  for (const n of order) {
    const f = seg.frames[n]!;
    const orientDiff = Math.max(...f.iop.map((v, c) => Math.abs(v - (c < 3 ? iAxis[c]! : jAxis[c - 3]!))));
    if (orientDiff > ORIENTATION_TOLERANCE) {
      throw new SegImportError(`frame ${n + 1}'s orientation (${f.iop.map((v) => +v.toFixed(4)).join('\\')}) is not the open series' (${[...iAxis, ...jAxis].map((v) => +v.toFixed(4)).join('\\')}): its pixels would not fall on the series' voxels`);
    }
    if (Math.abs(f.pixelSpacing[0] - geometry.spacingMm[1]) > 1e-3 * geometry.spacingMm[1] || Math.abs(f.pixelSpacing[1] - geometry.spacingMm[0]) > 1e-3 * geometry.spacingMm[0]) {
      throw new SegImportError(`frame ${n + 1}'s pixel spacing (${f.pixelSpacing.join(' × ')} mm) is not the open series' (${geometry.spacingMm[1]} × ${geometry.spacingMm[0]} mm)`);
    }
    geometry.lpsToIjk(ijk, f.ippLps);
    const i0 = Math.round(ijk[0]), j0 = Math.round(ijk[1]), k = Math.round(ijk[2]);
    const off = Math.max(Math.abs(ijk[0] - i0), Math.abs(ijk[1] - j0), Math.abs(ijk[2] - k));
    if (off > POSITION_TOLERANCE_VOXELS) {
      throw new SegImportError(`frame ${n + 1} at (${f.ippLps.map((v) => v.toFixed(2)).join(', ')}) mm lies between the open series' voxels (${off.toFixed(2)} voxel off): it was made on another grid`);
    }
    if (i0 < 0 || j0 < 0 || k < 0 || k >= nk || i0 + seg.columns > ni || j0 + seg.rows > nj) {
      throw new SegImportError(`frame ${n + 1} at (${f.ippLps.map((v) => v.toFixed(2)).join(', ')}) mm falls outside the open series (slice ${k + 1} of ${nk}, first pixel at column ${i0 + 1}, row ${j0 + 1})`);
    }
    const acc = byNumber.get(f.segmentNumber)!;
    const bitBase = n * plane;
    for (let r = 0; r < seg.rows; r++) {
      const rowBase = i0 + ni * (j0 + r + nj * k);
      for (let c = 0; c < seg.columns; c++) {
        const b = bitBase + r * seg.columns + c;
        if (!((seg.bits[b >> 3]! >> (b & 7)) & 1)) continue;
        const o = rowBase + c;
        const owner = claimed[o]!;
        if (owner === 0) { claimed[o] = 1; acc.offsets.push(o); }
        else acc.overlap++;
      }
    }
  }
  return seg.segments.map((s) => {
    const acc = byNumber.get(s.number)!;
    const offsets = Uint32Array.from(acc.offsets).sort();
    return { number: s.number, name: s.label, color: s.color, algorithmType: s.algorithmType, offsets, overlapVoxels: acc.overlap };
  });
}

/**
 * dcmjs 0.52 decodes strings inside sequences with its default (Latin-1) decoder even when the
 * data set says ISO_IR 192 (UTF-8), so "Läsion" arrives as "LÃ¤sion". Where a string's code units
 * are all bytes and form valid UTF-8 with multi-byte sequences, it is decoded again as UTF-8 (real
 * Latin-1 text is almost never valid UTF-8).
 */
function utf8Fix(s: string): string {
  if (!/[\u0080-\u00ff]/.test(s) || /[^\u0000-\u00ff]/.test(s)) return s;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(s, (c) => c.charCodeAt(0)));
  } catch {
    return s;
  }
}

function rgbOf(lab: number[]): string | null {
  if (lab.length !== 3 || lab.some((v) => !Number.isFinite(v))) return null;
  const rgb = dcmjs.data.Colors.dicomlab2RGB(lab);
  return '#' + rgb.map((v) => Math.round(Math.max(0, Math.min(1, v)) * 255).toString(16).padStart(2, '0')).join('');
}
