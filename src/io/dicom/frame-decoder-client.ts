/**
 * A FrameDecoder that runs cornerstone's codecs in a worker (src/workers/frame-decode.worker.ts), so
 * the page keeps drawing while a codec loads and decodes. One worker, kept for later loads; if it
 * cannot start, frames are decoded on this thread as before.
 */
import type { FrameDecoder, FrameInfo } from './load';

let worker: Worker | null = null;
let broken = false;
let nextId = 1;
const waiting = new Map<number, { resolve: (v: ArrayBufferView) => void; reject: (e: Error) => void }>();
let ready: Promise<boolean> | null = null;

function start(): Promise<boolean> {
  if (ready) return ready;
  ready = new Promise<boolean>((resolve) => {
    try {
      const w = new Worker(new URL('../../workers/frame-decode.worker.ts', import.meta.url), { type: 'module' });
      w.onmessage = (e) => {
        const m = e.data as { ready?: boolean; id?: number; pixels?: ArrayBufferView; failed?: boolean };
        if (m.ready) {
          worker = w;
          resolve(true);
          return;
        }
        const p = waiting.get(m.id ?? -1);
        if (!p) return;
        waiting.delete(m.id!);
        if (m.pixels) p.resolve(m.pixels);
        else p.reject(new Error('the codec could not decode the frame'));
      };
      w.onerror = () => {
        broken = true;
        worker = null;
        for (const p of waiting.values()) p.reject(new Error('the decoder stopped'));
        waiting.clear();
        w.terminate();
        resolve(false);
      };
    } catch {
      broken = true;
      resolve(false);
    }
  });
  return ready;
}

export const workerFrameDecoder: FrameDecoder = async (ts: string, bytes: Uint8Array, info: FrameInfo) => {
  if (!broken && (await start()) && worker) {
    const id = nextId++;
    return new Promise<ArrayBufferView>((resolve, reject) => {
      waiting.set(id, { resolve, reject });
      const copy = bytes.slice();
      worker!.postMessage({ id, ts, bytes: copy, info }, [copy.buffer]);
    });
  }
  return (await import('./browser-decoder')).browserFrameDecoder(ts, bytes, info);
};
