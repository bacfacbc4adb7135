/// <reference lib="webworker" />
/**
 * Decodes compressed DICOM frames (JPEG, JPEG-LS, JPEG 2000, HTJ2K) with cornerstone's codecs off the
 * main thread: loading a codec's WebAssembly and decoding take hundreds of milliseconds that would
 * otherwise freeze the page (src/io/dicom/frame-decoder-client.ts).
 */
import { browserFrameDecoder } from '../io/dicom/browser-decoder';
import type { FrameInfo } from '../io/dicom/load';

interface Job {
  id: number;
  ts: string;
  bytes: Uint8Array;
  info: FrameInfo;
}

const post = (m: unknown, transfer: Transferable[] = []): void => (self as unknown as Worker).postMessage(m, transfer);

self.onmessage = async (e: MessageEvent<Job>) => {
  const { id, ts, bytes, info } = e.data;
  try {
    const px = await browserFrameDecoder(ts, bytes, info);
    const copy = px.byteOffset === 0 && px.byteLength === px.buffer.byteLength ? px : (px as unknown as { slice(): ArrayBufferView }).slice();
    post({ id, pixels: copy }, [copy.buffer as ArrayBuffer]);
  } catch {
    // Codecs throw numbers (WASM exception pointers) or internal strings: only "failed" crosses over.
    post({ id, failed: true });
  }
};
post({ ready: true });
