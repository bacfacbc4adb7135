/** Which volume the lesion panel shows (segmentation/stats.ts shownVolume). */
import { describe, expect, it } from 'vitest';
import { shownVolume } from '../../src/segmentation/stats';

describe('shownVolume', () => {
  it('a whole lesion made from the image: the partial-volume estimate', () => {
    expect(shownVolume({ volumeMl: 5.9, partialVolumeMl: 7.05 }, true)).toEqual({ volumeMl: 7.05, basis: 'partial-volume' });
  });
  it('a brush-painted lesion, or no estimate (MR): the voxel count', () => {
    expect(shownVolume({ volumeMl: 5.9, partialVolumeMl: 7.05 }, false)).toEqual({ volumeMl: 5.9, basis: 'voxel-count' });
    expect(shownVolume({ volumeMl: 5.9, partialVolumeMl: null }, true)).toEqual({ volumeMl: 5.9, basis: 'voxel-count' });
    expect(shownVolume({ volumeMl: 0.01, partialVolumeMl: 0 }, true)).toEqual({ volumeMl: 0.01, basis: 'voxel-count' });
    // a lytic + sclerotic lesion: no one level
    expect(shownVolume({ volumeMl: 1.37, partialVolumeMl: 1.74, partialVolumeOneLevel: false }, true)).toEqual({ volumeMl: 1.37, basis: 'voxel-count' });
  });
});
