/// <reference lib="webworker" />
/** Builds the demo phantom off the main thread and transfers its voxels back. */
import { makeDemoPhantom } from '../demo/phantom';

self.onmessage = (e: MessageEvent<{ spacingMm?: number }>) => {
  try {
    const demo = makeDemoPhantom({ spacingMm: e.data.spacingMm ?? 0.8 });
    const voxels = demo.volume.voxels as Int16Array;
    const buffer = voxels.buffer as ArrayBuffer;
    (self as unknown as Worker).postMessage(
      {
        geometry: demo.volume.geometry.toJSON(),
        voxels: buffer,
        truth: JSON.parse(JSON.stringify(demo.truth)),
        description: demo.info.seriesDescription,
      },
      [buffer],
    );
  } catch (err) {
    (self as unknown as Worker).postMessage({ error: (err as Error).message });
  }
};
