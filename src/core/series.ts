/**
 * Descriptions of an image series and its coded problems: plain data shared by the loaders, the
 * demo case and the app. Pure (no DOM types).
 */
import type { Vec3 } from './vec3';

/** Coded problems. Per-file codes go in FileReport.code; per-series codes in SeriesInfo.warnings. */
export type ProblemCode =
  // per file
  | 'empty-file'
  | 'not-dicom'
  | 'truncated'
  | 'no-pixel-data'
  | 'pixel-data-short'
  | 'unsupported-transfer-syntax'
  | 'decode-failed'
  | 'non-image'
  | 'dicomdir'
  | 'duplicate-instance'
  | 'inconsistent-dims'
  | 'read-failed'
  | 'nifti-invalid'
  | 'implausible-value'
  | 'too-large'
  | 'decompression-refused'
  | 'color-image-file'
  // per series
  | 'missing-pixel-spacing'
  | 'invalid-spacing'
  | 'missing-position'
  | 'duplicate-position'
  | 'non-uniform-spacing'
  | 'gantry-tilt'
  | 'mixed-orientation'
  | 'oblique'
  | 'single-slice'
  | 'no-uid-grouped'
  | 'no-preamble'
  | 'color-image'
  | 'lossy-compression';

export interface SeriesWarning {
  code: ProblemCode;
  /** Human-readable, names the files or slices concerned. */
  message: string;
  /** true: no measurement (mm, mL) may be computed from this series. */
  blocksMeasurement?: boolean;
}

export interface StudyAttributes {
  studyTime: string;
  studyId: string;
  accessionNumber: string;
  referringPhysicianName: string;
  patientBirthDate: string;
  patientSex: string;
}

/** A series found by scanning headers, before its pixels are read. */
export interface SeriesInfo {
  key: string;
  seriesInstanceUid: string;
  /** StudyInstanceUID of the series' first slice (DICOM only). */
  studyInstanceUid?: string;
  /** Patient and study attributes a derived object in the same study repeats (DICOM only; '' where absent). */
  studyAttributes?: StudyAttributes;
  /** FrameOfReferenceUID of the first slice ('' when the files have none; DICOM only). */
  frameOfReferenceUid?: string;
  /** Per output slice k, the instance it comes from (null for a slice filled between neighbours); DICOM only. A DICOM SEG references these. */
  sliceInstances?: ({ sopClassUid: string; sopInstanceUid: string } | null)[];
  modality: string;
  seriesDescription: string;
  seriesNumber: number | null;
  patientName: string;
  /** DICOM PatientPosition ('HFS', 'FFS', …); '' or absent when the files do not say. */
  patientPosition?: string;
  patientId: string;
  studyDescription: string;
  studyDate: string;
  /** Number of slices that will form the volume (after dropping rejected duplicates). */
  sliceCount: number;
  dims: [number, number, number];
  /** null when the in-plane spacing is unknown (no PixelSpacing): measurement is blocked. */
  spacingMm: Vec3 | null;
  warnings: SeriesWarning[];
  /** false when no volume can be built (say why in `blockedReason`). */
  loadable: boolean;
  blockedReason?: string;
}

