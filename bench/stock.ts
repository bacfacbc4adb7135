/**
 * The stock cornerstone3D path for local files, as ../shared/STACK.md describes it:
 * wadouri.fileManager + Part 10 metadata + streaming image volume, sorted by position.
 * Used only by bench/load.mjs as the peer of SacroPlan's own loader.
 */
import { init, volumeLoader, eventTarget, Enums, metaData, cache } from '@cornerstonejs/core';
import dicomImageLoader from '@cornerstonejs/dicom-image-loader';

let initialised = false;

async function stockLoad(files: File[]): Promise<{ metadataMs: number; volumeMs: number; slices: number }> {
  const t0 = performance.now();
  if (!initialised) {
    init();
    dicomImageLoader.init({ maxWebWorkers: Math.max(1, navigator.hardwareConcurrency || 2) });
    initialised = true;
  }
  const imageIds = files.map((f) => dicomImageLoader.wadouri.fileManager.add(f));
  await Promise.all(imageIds.map(async (id, n) => dicomImageLoader.prefetchPart10Instance(id, await files[n]!.arrayBuffer())));
  // Sort by position along the normal (never by name).
  const pos = (id: string): number => {
    const plane = metaData.get('imagePlaneModule', id) as { imagePositionPatient?: number[]; rowCosines?: number[]; columnCosines?: number[] } | undefined;
    const p = plane?.imagePositionPatient ?? [0, 0, 0];
    const r = plane?.rowCosines ?? [1, 0, 0], c = plane?.columnCosines ?? [0, 1, 0];
    const n = [r[1]! * c[2]! - r[2]! * c[1]!, r[2]! * c[0]! - r[0]! * c[2]!, r[0]! * c[1]! - r[1]! * c[0]!];
    return p[0]! * n[0]! + p[1]! * n[1]! + p[2]! * n[2]!;
  };
  const sorted = [...imageIds].sort((a, b) => pos(a) - pos(b));
  const t1 = performance.now();
  const volumeId = `cornerstoneStreamingImageVolume:bench-${Date.now()}`;
  const volume = await volumeLoader.createAndCacheVolume(volumeId, { imageIds: sorted });
  await new Promise<void>((resolve) => {
    const done = (e: Event) => {
      const d = (e as CustomEvent).detail as { volumeId?: string };
      if (d?.volumeId === volumeId) {
        eventTarget.removeEventListener(Enums.Events.IMAGE_VOLUME_LOADING_COMPLETED, done);
        resolve();
      }
    };
    eventTarget.addEventListener(Enums.Events.IMAGE_VOLUME_LOADING_COMPLETED, done);
    (volume as unknown as { load: () => void }).load();
  });
  const t2 = performance.now();
  const out = { metadataMs: t1 - t0, volumeMs: t2 - t0, slices: sorted.length };
  cache.removeVolumeLoadObject(volumeId);
  return out;
}

(window as unknown as { stockLoad: typeof stockLoad }).stockLoad = stockLoad;
(window as unknown as { readAll: (f: File[]) => Promise<number> }).readAll = async (files: File[]) => {
  const t0 = performance.now();
  let bytes = 0;
  const queue = [...files];
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      for (let f = queue.shift(); f; f = queue.shift()) bytes += (await f.arrayBuffer()).byteLength;
    }),
  );
  return performance.now() - t0 + bytes * 0;
};
