/**
 * DICOM SEG writer: lesions of a label map (one byte per voxel, 0 = none) → a Part 10
 * Segmentation object (PS3.3 A.51), BINARY, one segment per lesion, written with dcmjs. Pure (no DOM).
 *
 * What readers need and often miss (OHIF/Viewers#3420, cornerstone3D #2611): every frame carries
 * its own Plane Position (the LPS centre of its first pixel), the orientation is shared, pixel
 * spacing and the frame of reference are those of the source series, and the frames reference
 * the source instances. Only slices where a segment has voxels get a frame (sparse, as highdicom
 * and dcmqi write). Frames are bit-packed one after the other without per-frame padding (PS3.5 8.1.1).
 */
import dcmjs from 'dcmjs';
import type { VolumeGeometry } from '../../core/geometry';
import {
  CATEGORY_ALTERED_STRUCTURE, DERIVATION_SEGMENTATION, EXPLICIT_VR_LE, PURPOSE_SOURCE_IMAGE, SEG_ALGORITHM_NAME, SEG_SOP_CLASS_UID,
  TAG_IMAGE_POSITION_PATIENT, TAG_PLANE_POSITION_SEQUENCE, TAG_REFERENCED_SEGMENT_NUMBER, TAG_SEGMENT_IDENTIFICATION_SEQUENCE,
  TYPE_METASTATIC_NEOPLASM, UUID_ROOT, PRIVATE_SCHEME, type CodedConcept,
} from './codes';
import { formatDS, randomUid } from './uid';

export interface SegInstanceRef {
  readonly sopClassUid: string;
  readonly sopInstanceUid: string;
}

/** What the SEG says about the series it was drawn on (the source). */
export interface SegSource {
  readonly frameOfReferenceUid: string;
  readonly studyInstanceUid: string;
  readonly patientName: string;
  readonly patientId: string;
  readonly studyDate: string;
  readonly studyDescription: string;
  /** Patient and study attributes the source repeats in every instance of its study ('' or absent: unknown). */
  readonly study?: { readonly studyTime?: string; readonly studyId?: string; readonly accessionNumber?: string; readonly referringPhysicianName?: string; readonly patientBirthDate?: string; readonly patientSex?: string };
  /** The source series and, per slice k (null where the volume has no instance, e.g. an interpolated slice), its instance; null for the demo and NIfTI. */
  readonly series: { readonly seriesInstanceUid: string; readonly sliceInstances: readonly (SegInstanceRef | null)[] } | null;
}

export interface SegSegmentIn {
  /** Value in the label map (or in `map`). */
  readonly label: number;
  readonly name: string;
  /** '#rrggbb'. */
  readonly color: string;
  readonly algorithmType: 'MANUAL' | 'SEMIAUTOMATIC' | 'AUTOMATIC';
  /** Another byte map of the same grid holding this segment (e.g. the sacrum mask, the zone map); default: the label map. */
  readonly map?: Uint8Array;
  /** Coded category and type; default: Morphologically Altered Structure / Neoplasm, metastatic (a lesion). */
  readonly category?: CodedConcept;
  readonly type?: CodedConcept;
}

export interface SegEncodeOptions {
  readonly seriesInstanceUid?: string;
  readonly sopInstanceUid?: string;
  readonly seriesNumber?: number;
  readonly seriesDescription?: string;
  readonly softwareVersion?: string;
  readonly now?: Date;
  readonly contentLabel?: string;
  readonly contentDescription?: string;
}

export interface SegEncodeResult {
  bytes: Uint8Array;
  /** Lesions written (with at least one voxel) and those left out because they are empty. */
  written: { label: number; name: string; frames: number; voxels: number }[];
  emptyNames: string[];
}

/** Human-readable problem the caller shows (nothing to export). */
export class SegExportError extends Error {}

export function encodeSeg(labels: Uint8Array, geometry: VolumeGeometry, segments: readonly SegSegmentIn[], source: SegSource, opts: SegEncodeOptions = {}): SegEncodeResult {
  const [ni, nj, nk] = geometry.dims;
  const plane = ni * nj;
  if (labels.length !== plane * nk) throw new Error(`label map has ${labels.length} voxels, the grid ${ni}x${nj}x${nk}`);
  const scanned = new Map<Uint8Array, { present: Uint8Array; counts: Float64Array }>();
  const census = (map: Uint8Array) => {
    let c = scanned.get(map);
    if (!c) {
      if (map.length !== plane * nk) throw new Error(`a segment's map has ${map.length} voxels, the grid ${ni}x${nj}x${nk}`);
      c = countLabels(map, plane, nk);
      scanned.set(map, c);
    }
    return c;
  };
  const written: SegEncodeResult['written'] = [];
  const emptyNames: string[] = [];
  const frames: { segment: number; label: number; k: number; map: Uint8Array }[] = [];
  const segItems: Record<string, unknown>[] = [];
  for (const s of segments) {
    const map = s.map ?? labels;
    const { present, counts } = census(map);
    if (!(counts[s.label]! > 0)) { emptyNames.push(s.name); continue; }
    const number = segItems.length + 1;
    let n = 0;
    for (let k = 0; k < nk; k++) if (present[s.label * nk + k]) { frames.push({ segment: number, label: s.label, k, map }); n++; }
    written.push({ label: s.label, name: s.name, frames: n, voxels: counts[s.label]! });
    segItems.push({
      SegmentNumber: number,
      SegmentLabel: s.name.slice(0, 64),
      SegmentedPropertyCategoryCodeSequence: [{ ...(s.category ?? CATEGORY_ALTERED_STRUCTURE) }],
      SegmentedPropertyTypeCodeSequence: [{ ...(s.type ?? TYPE_METASTATIC_NEOPLASM) }],
      SegmentAlgorithmType: s.algorithmType,
      ...(s.algorithmType === 'MANUAL' ? {} : { SegmentAlgorithmName: SEG_ALGORITHM_NAME }),
      RecommendedDisplayCIELabValue: cieLabOf(s.color),
      TrackingID: s.name.slice(0, 64),
      TrackingUID: randomUid(),
    });
  }
  if (frames.length === 0) throw new SegExportError(segments.length ? 'every lesion is empty: there is nothing to export' : 'there are no lesions to export');

  // Bit-pack the frames (PS3.5 8.1.1: bit 0 of byte 0 is the first pixel, frames contiguous).
  const totalBits = frames.length * plane;
  const pixelBytes = Math.ceil(totalBits / 8);
  const pixels = new Uint8Array(pixelBytes + (pixelBytes & 1));
  let bit = 0;
  for (const f of frames) {
    const base = f.k * plane, label = f.label, labels = f.map;
    if ((bit & 7) === 0 && (plane & 7) === 0) {
      // whole bytes: 8 pixels at a time
      let byte = bit >> 3;
      for (let p = 0; p < plane; p += 8, byte++) {
        const o = base + p;
        pixels[byte] = (labels[o] === label ? 1 : 0) | (labels[o + 1] === label ? 2 : 0) | (labels[o + 2] === label ? 4 : 0) | (labels[o + 3] === label ? 8 : 0)
          | (labels[o + 4] === label ? 16 : 0) | (labels[o + 5] === label ? 32 : 0) | (labels[o + 6] === label ? 64 : 0) | (labels[o + 7] === label ? 128 : 0);
      }
    } else {
      for (let p = 0; p < plane; p++) {
        const b = bit + p;
        if (labels[base + p] === label) pixels[b >> 3]! |= 1 << (b & 7);
      }
    }
    bit += plane;
  }

  const now = opts.now ?? new Date();
  const date = `${now.getUTCFullYear()}${pad2(now.getUTCMonth() + 1)}${pad2(now.getUTCDate())}`;
  const time = `${pad2(now.getUTCHours())}${pad2(now.getUTCMinutes())}${pad2(now.getUTCSeconds())}`;
  const sopInstanceUid = opts.sopInstanceUid ?? randomUid();
  const seriesInstanceUid = opts.seriesInstanceUid ?? randomUid();
  const dimOrgUid = randomUid();
  const iAxis = geometry.axis(0), jAxis = geometry.axis(1), kAxis = geometry.axis(2);
  const normal = cross(iAxis, jAxis);
  // Distance between neighbouring frame planes along their normal (a sheared stack is thinner than its k step).
  const sliceStepMm = Math.abs(dot(kAxis, normal)) * geometry.spacingMm[2];
  const pos: [number, number, number] = [0, 0, 0];
  const src = source.series;
  const perFrame = frames.map((f) => {
    geometry.ijkToLps(pos, 0, 0, f.k);
    const ref = src?.sliceInstances[f.k] ?? null;
    return {
      FrameContentSequence: [{ DimensionIndexValues: [f.segment, f.k + 1] }],
      PlanePositionSequence: [{ ImagePositionPatient: pos.map((v) => formatDS(v)) }],
      SegmentIdentificationSequence: [{ ReferencedSegmentNumber: f.segment }],
      ...(ref
        ? {
            DerivationImageSequence: [{
              DerivationCodeSequence: [{ ...DERIVATION_SEGMENTATION }],
              SourceImageSequence: [{ ReferencedSOPClassUID: ref.sopClassUid, ReferencedSOPInstanceUID: ref.sopInstanceUid, PurposeOfReferenceCodeSequence: [{ ...PURPOSE_SOURCE_IMAGE }] }],
            }],
          }
        : {}),
    };
  });
  const referenced = src ? uniqueRefs(src.sliceInstances) : [];

  const dataset: Record<string, unknown> = {
    SpecificCharacterSet: 'ISO_IR 192',
    // PS3.3 C.12.1.1.4: a coding scheme not listed in PS3.16 (the Denis zones' private one) is identified here.
    ...(segments.some((x) => x.category?.CodingSchemeDesignator === PRIVATE_SCHEME.CodingSchemeDesignator || x.type?.CodingSchemeDesignator === PRIVATE_SCHEME.CodingSchemeDesignator) && frames.length
      ? { CodingSchemeIdentificationSequence: [{ ...PRIVATE_SCHEME }] }
      : {}),
    SOPClassUID: SEG_SOP_CLASS_UID,
    SOPInstanceUID: sopInstanceUid,
    ImageType: ['DERIVED', 'PRIMARY'],
    InstanceCreationDate: date,
    InstanceCreationTime: time,
    ContentDate: date,
    ContentTime: time,
    StudyDate: source.studyDate,
    SeriesDate: date,
    SeriesTime: time,
    StudyTime: source.study?.studyTime ?? '',
    AccessionNumber: source.study?.accessionNumber ?? '',
    Modality: 'SEG',
    Manufacturer: 'SacroPlan',
    ReferringPhysicianName: source.study?.referringPhysicianName ?? '',
    StudyDescription: source.studyDescription.slice(0, 64),
    SeriesDescription: (opts.seriesDescription ?? 'SacroPlan lesions').slice(0, 64),
    ManufacturerModelName: 'SacroPlan',
    PatientName: source.patientName,
    PatientID: source.patientId,
    PatientBirthDate: source.study?.patientBirthDate ?? '',
    PatientSex: source.study?.patientSex ?? '',
    DeviceSerialNumber: '1',
    SoftwareVersions: opts.softwareVersion ?? '0',
    StudyInstanceUID: source.studyInstanceUid,
    SeriesInstanceUID: seriesInstanceUid,
    StudyID: source.study?.studyId ?? '',
    SeriesNumber: opts.seriesNumber ?? 300,
    InstanceNumber: 1,
    FrameOfReferenceUID: source.frameOfReferenceUid,
    PositionReferenceIndicator: '',
    DimensionOrganizationSequence: [{ DimensionOrganizationUID: dimOrgUid }],
    DimensionOrganizationType: '3D',
    DimensionIndexSequence: [
      { DimensionOrganizationUID: dimOrgUid, DimensionIndexPointer: TAG_REFERENCED_SEGMENT_NUMBER, FunctionalGroupPointer: TAG_SEGMENT_IDENTIFICATION_SEQUENCE, DimensionDescriptionLabel: 'ReferencedSegmentNumber' },
      { DimensionOrganizationUID: dimOrgUid, DimensionIndexPointer: TAG_IMAGE_POSITION_PATIENT, FunctionalGroupPointer: TAG_PLANE_POSITION_SEQUENCE, DimensionDescriptionLabel: 'ImagePositionPatient' },
    ],
    SamplesPerPixel: 1,
    PhotometricInterpretation: 'MONOCHROME2',
    NumberOfFrames: frames.length,
    Rows: nj,
    Columns: ni,
    BitsAllocated: 1,
    BitsStored: 1,
    HighBit: 0,
    PixelRepresentation: 0,
    LossyImageCompression: '00',
    SegmentationType: 'BINARY',
    ContentLabel: opts.contentLabel ?? 'LESIONS',
    ContentDescription: opts.contentDescription ?? 'Lesions segmented in SacroPlan',
    ContentCreatorName: '',
    SegmentSequence: segItems,
    SharedFunctionalGroupsSequence: [{
      PlaneOrientationSequence: [{ ImageOrientationPatient: [...iAxis, ...jAxis].map((v) => formatDS(v)) }],
      // PixelSpacing is [between rows (j), between columns (i)] (PS3.3 10.7.1.3).
      PixelMeasuresSequence: [{ PixelSpacing: [formatDS(geometry.spacingMm[1]), formatDS(geometry.spacingMm[0])], SliceThickness: formatDS(sliceStepMm), SpacingBetweenSlices: formatDS(sliceStepMm) }],
    }],
    PerFrameFunctionalGroupsSequence: perFrame,
    ...(src && referenced.length
      ? { ReferencedSeriesSequence: [{ SeriesInstanceUID: src.seriesInstanceUid, ReferencedInstanceSequence: referenced.map((r) => ({ ReferencedSOPClassUID: r.sopClassUid, ReferencedSOPInstanceUID: r.sopInstanceUid })) }] }
      : {}),
    PixelData: pixels.buffer,
    _vrMap: { PixelData: 'OB' },
  };
  const meta = {
    FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
    MediaStorageSOPClassUID: SEG_SOP_CLASS_UID,
    MediaStorageSOPInstanceUID: sopInstanceUid,
    TransferSyntaxUID: EXPLICIT_VR_LE,
    ImplementationClassUID: `${UUID_ROOT}${IMPLEMENTATION_UID_SUFFIX}`,
    ImplementationVersionName: 'SACROPLAN',
  };
  const { DicomDict, DicomMetaDictionary } = dcmjs.data;
  const dict = new DicomDict(DicomMetaDictionary.denaturalizeDataset(meta));
  dict.dict = DicomMetaDictionary.denaturalizeDataset(dataset);
  const buf = dict.write({ fragmentMultiframe: false });
  return { bytes: new Uint8Array(buf), written, emptyNames };
}

/** Which slices each value of a byte map touches (present[value·nk + k]) and its voxel count. */
function countLabels(labels: Uint8Array, plane: number, nk: number): { present: Uint8Array; counts: Float64Array } {
  const present = new Uint8Array(256 * nk);
  const counts = new Float64Array(256);
  const note = (v: number, k: number): void => {
    present[v * nk + k] = 1;
    counts[v] = counts[v]! + 1;
  };
  // Label maps are mostly zero: read four voxels at a time where the layout allows and skip zero words.
  const words = labels.byteOffset % 4 === 0 && plane % 4 === 0 ? new Uint32Array(labels.buffer, labels.byteOffset, labels.length >> 2) : null;
  for (let k = 0; k < nk; k++) {
    const base = k * plane;
    if (words) {
      const w0 = base >> 2, w1 = (base + plane) >> 2;
      for (let w = w0; w < w1; w++) {
        if (words[w] === 0) continue;
        const o = w << 2;
        for (let b = 0; b < 4; b++) { const v = labels[o + b]!; if (v) note(v, k); }
      }
    } else {
      for (let p = 0; p < plane; p++) { const v = labels[base + p]!; if (v) note(v, k); }
    }
  }
  return { present, counts };
}

/** A fixed 128-bit number for SacroPlan's ImplementationClassUID (2.25 form, PS3.5 B.2). */
const IMPLEMENTATION_UID_SUFFIX = '262145839195284765218003434711935931507';

function uniqueRefs(refs: readonly (SegInstanceRef | null)[]): SegInstanceRef[] {
  const seen = new Set<string>();
  const out: SegInstanceRef[] = [];
  for (const r of refs) if (r && !seen.has(r.sopInstanceUid)) { seen.add(r.sopInstanceUid); out.push(r); }
  return out;
}

/** '#rrggbb' → DICOM CIELab (PS3.3 C.10.7.1.1), via dcmjs's sRGB D65 conversion. */
function cieLabOf(color: string): number[] {
  const m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(color);
  const rgb = m ? [parseInt(m[1]!, 16) / 255, parseInt(m[2]!, 16) / 255, parseInt(m[3]!, 16) / 255] : [1, 0, 0];
  return dcmjs.data.Colors.rgb2DICOMLAB(rgb).map((v) => Math.max(0, Math.min(65535, Math.round(v))));
}

const pad2 = (n: number): string => String(n).padStart(2, '0');
const dot = (a: readonly number[], b: readonly number[]): number => a[0]! * b[0]! + a[1]! * b[1]! + a[2]! * b[2]!;
const cross = (a: readonly number[], b: readonly number[]): number[] => [a[1]! * b[2]! - a[2]! * b[1]!, a[2]! * b[0]! - a[0]! * b[2]!, a[0]! * b[1]! - a[1]! * b[0]!];
