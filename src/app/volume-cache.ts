/** Voxel arrays live here, outside the state, keyed by volume key. */
import type { ScalarVolume } from '../core/volume';

const volumes = new Map<string, ScalarVolume>();

export const volumeCache = {
  get(key: string | null): ScalarVolume | undefined {
    return key === null ? undefined : volumes.get(key);
  },
  set(key: string, volume: ScalarVolume): void {
    volumes.set(key, volume);
  },
  /** Keep only the given key (one big volume at a time keeps memory bounded). */
  retainOnly(key: string | null): void {
    for (const k of [...volumes.keys()]) if (k !== key) volumes.delete(k);
  },
};
