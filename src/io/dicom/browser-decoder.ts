/**
 * FrameDecoder for the browser (main thread or worker), built on @cornerstonejs/dicom-image-loader's
 * decodeImageFrame: JPEG baseline/extended/lossless, JPEG-LS, JPEG 2000, HTJ2K and RLE. The codecs are
 * WASM modules that Vite bundles (see ../shared/STACK.md). Not importable in node tests.
 */
import { decodeImageFrame } from '@cornerstonejs/dicom-image-loader';
import type { FrameDecoder, FrameInfo } from './load';

export const browserFrameDecoder: FrameDecoder = async (transferSyntaxUid: string, encoded: Uint8Array, info: FrameInfo) => {
  const imageFrame = {
    rows: info.rows,
    columns: info.columns,
    bitsAllocated: info.bitsAllocated,
    bitsStored: info.bitsStored,
    pixelRepresentation: info.pixelRepresentation,
    samplesPerPixel: info.samplesPerPixel,
    photometricInterpretation: info.photometricInterpretation,
    planarConfiguration: info.planarConfiguration,
  };
  // No pre-scaling: the loader applies RescaleSlope/Intercept itself.
  const decoded = await decodeImageFrame(imageFrame, transferSyntaxUid, encoded, {}, { preScale: { enabled: false } }, undefined);
  const pixels = (decoded as { pixelData?: ArrayBufferView } | undefined)?.pixelData;
  if (!pixels || !ArrayBuffer.isView(pixels)) throw new Error(`${info.fileName}: decoder returned no pixels for ${transferSyntaxUid}`);
  return pixels;
};

export default browserFrameDecoder;
