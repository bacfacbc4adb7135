/**
 * Shared types of every loader (DICOM files, DICOM folders, NIfTI, DICOMweb).
 * Loaders return per-file results with coded problems: a bad file never stops the good ones.
 */
import type { ScalarVolume } from '../core/volume';
import type { Vec3 } from '../core/vec3';

export type FileStatus = 'ok' | 'error' | 'ignored';

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
  // per series
  | 'missing-pixel-spacing'
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

export interface FileReport {
  name: string;
  status: FileStatus;
  code?: ProblemCode;
  message?: string;
  /** Key of the series this file belongs to, when it is an image. */
  seriesKey?: string;
  /** For non-image objects: what it is (e.g. "SR", "SEG", "RTSTRUCT", "DICOMDIR"). */
  objectKind?: string;
}

export interface SeriesWarning {
  code: ProblemCode;
  /** Human-readable, names the files or slices concerned. */
  message: string;
  /** true: no measurement (mm, mL) may be computed from this series. */
  blocksMeasurement?: boolean;
}

/** A series found by scanning headers, before its pixels are read. */
export interface SeriesInfo {
  key: string;
  seriesInstanceUid: string;
  modality: string;
  seriesDescription: string;
  seriesNumber: number | null;
  patientName: string;
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

export interface ScanResult {
  files: FileReport[];
  series: SeriesInfo[];
}

export interface LoadedSeries {
  info: SeriesInfo;
  volume: ScalarVolume;
  /** Why measurements are blocked, if they are (e.g. missing PixelSpacing). */
  measurementBlockedReason: string | null;
}

export interface LoadProgress {
  phase: 'reading' | 'parsing' | 'decoding' | 'building';
  done: number;
  total: number;
}
export type ProgressCallback = (p: LoadProgress) => void;

/** A file as the loaders see it: the browser's File satisfies it, and so does node's. */
export interface FileLike {
  readonly name: string;
  readonly size: number;
  /** Path inside a dropped folder, when known. */
  readonly webkitRelativePath?: string;
  slice(start?: number, end?: number): Blob;
  arrayBuffer(): Promise<ArrayBuffer>;
}

export class LoadCancelledError extends Error {
  constructor() {
    super('loading cancelled');
    this.name = 'LoadCancelledError';
  }
}
