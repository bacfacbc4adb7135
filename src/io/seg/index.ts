/** DICOM SEG (PS3.3 A.51) export and import of lesions: see encode.ts and decode.ts. Pure (no DOM). */
export { encodeSeg, SegExportError } from './encode';
export type { SegSource, SegSegmentIn, SegInstanceRef, SegEncodeOptions, SegEncodeResult } from './encode';
export { readSeg, segOntoGrid, SegImportError } from './decode';
export type { DecodedSeg, DecodedSegment, DecodedFrame, GridSegment } from './decode';
export { uidFromText, randomUid, formatDS } from './uid';
