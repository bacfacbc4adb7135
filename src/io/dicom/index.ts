/**
 * DICOM file loader: scan headers (fast, a prefix per file), group into series, then load one series
 * into a single voxel array. Runs in node, in the browser and in a web worker (no DOM, no cornerstone);
 * compressed frames other than RLE need a FrameDecoder (see browser-decoder.ts).
 */
export { scanDicomFiles, pickDefaultSeries, groupAndPlan } from './scan';
export type { DicomScan, SeriesPlan, ScanOptions } from './scan';
export { loadDicomSeries } from './load';
export type { FrameDecoder, FrameInfo, LoadOptions } from './load';
export type { SliceRecord } from './header';
export { scanAndLoadDicom } from './single-pass';
export type { SinglePassOptions, SinglePassResult } from './single-pass';
