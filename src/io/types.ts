/**
 * Shared types of every loader (DICOM files, DICOM folders, NIfTI, DICOMweb).
 * Loaders return per-file results with coded problems: a bad file never stops the good ones.
 */
import type { ScalarVolume } from '../core/volume';
import type { ProblemCode, SeriesInfo } from '../core/series';

export type { ProblemCode, SeriesWarning, SeriesInfo } from '../core/series';

export type FileStatus = 'ok' | 'error' | 'ignored';

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
  /** What done/total count (default 'files'). */
  unit?: 'files' | 'MB';
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

/** A load that failed because of one file: the app marks that file in the list. */
export class FileLoadError extends Error {
  constructor(readonly fileName: string, readonly code: ProblemCode, message: string) {
    super(message.startsWith(fileName) ? message : `${fileName}: ${message}`);
    this.name = 'FileLoadError';
  }
}
