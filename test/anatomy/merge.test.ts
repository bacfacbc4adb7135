/**
 * mergeAnatomy (merge.ts): detection's landmarks merged into the case's, hand-placed ones kept; the sacrum mask's
 * "check" (SacralAnatomy.maskCheck, detect.ts: the mask cut at an L5/S1 disc read in doubt) comes with the detection
 * that made the mask, and goes with a detection that does not report it.
 */
import { describe, expect, it } from 'vitest';
import { mergeAnatomy } from '../../src/anatomy/merge';
import type { SacralAnatomy } from '../../src/anatomy/types';

const empty: SacralAnatomy = { foramina: [], canal: null, frame: null };

describe('mergeAnatomy', () => {
  it('carries the sacrum mask\'s check from the detection, and drops one the new detection does not report', () => {
    const flagged = mergeAnatomy(null, { ...empty, maskCheck: 'its upper limit is the L5/S1 disc read best, which is in doubt (x)' });
    expect(flagged.maskCheck).toMatch(/in doubt/);
    expect(mergeAnatomy(flagged, empty).maskCheck).toBeUndefined();
  });
});
