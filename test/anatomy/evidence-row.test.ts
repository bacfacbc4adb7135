/**
 * evidence.ts partlyOutsideImage: a tunnel whose lumen reaches the image's edge.
 * evidence.ts rowCorroborates: a faint-rimmed level is raised to found only where its mirror partner, this
 * sacrum's own row (two found, undoubted levels above it) and the size order all place it, on both sides.
 * The row below is fatty-thick5mm's as detected (anterior openings, LPS mm; S4 rims 0.54 and 0.45).
 */
import { describe, expect, it } from 'vitest';
import { FOUND_CONFIDENCE, partlyOutsideImage, rowCorroborates, type ForamenEvidence } from '../../src/anatomy/evidence';
import { createScalarVolume } from '../../src/core/volume';
import { VolumeGeometry } from '../../src/core/geometry';
import type { Foramen, ForamenId } from '../../src/anatomy/types';
import type { Vec3 } from '../../src/core/vec3';

const ROW: Record<string, { ant: Vec3; r: number; c: number; rim: number }> = {
  S1_L: { ant: [27.0, 3.6, -26.0], r: 4.4, c: 1, rim: 7.1 },
  S1_R: { ant: [-26.6, 3.9, -26.6], r: 4.3, c: 1, rim: 7.3 },
  S2_L: { ant: [24.1, 15.1, -44.5], r: 3.6, c: 1, rim: 3.9 },
  S2_R: { ant: [-24.0, 14.7, -44.6], r: 3.6, c: 1, rim: 4.0 },
  S3_L: { ant: [21.0, 19.1, -62.8], r: 3.0, c: 1, rim: 2.1 },
  S3_R: { ant: [-21.0, 19.4, -62.6], r: 3.0, c: 1, rim: 2.5 },
  S4_L: { ant: [18.0, 19.7, -78.2], r: 2.6, c: 0.54, rim: 0.54 },
  S4_R: { ant: [-18.1, 20.2, -77.9], r: 2.0, c: 0.45, rim: 0.45 },
};

function setUp(edit?: (f: Foramen[], e: Record<string, ForamenEvidence>) => void): { foramina: Foramen[]; evidence: Record<string, ForamenEvidence> } {
  const foramina: Foramen[] = Object.entries(ROW).map(([id, x]) => ({
    id: id as ForamenId, level: id.slice(0, 2) as Foramen['level'], side: id[3] as Foramen['side'],
    anteriorLps: [...x.ant] as Vec3, posteriorLps: [x.ant[0], x.ant[1] + 20, x.ant[2]] as Vec3, radiusMm: x.r, confidence: x.c, source: 'auto',
  }));
  const evidence: Record<string, ForamenEvidence> = {};
  for (const [id, x] of Object.entries(ROW)) evidence[id] = { rim: x.rim, offAxisMm: 0.5, symmetric: true, spacingOk: true, sizeOrderOk: true, confidence: x.c, why: [] };
  edit?.(foramina, evidence);
  return { foramina, evidence };
}
const conf = (f: Foramen[], id: string) => f.find((x) => x.id === id)!.confidence;

describe('rowCorroborates', () => {
  it('raises a faint-rimmed pair that the row, its mirror partner and the size order place', () => {
    const { foramina, evidence } = setUp();
    rowCorroborates(foramina, evidence, new Set());
    expect([conf(foramina, 'S4_L'), conf(foramina, 'S4_R')]).toEqual([FOUND_CONFIDENCE, FOUND_CONFIDENCE]);
    expect(evidence.S4_L!.rowCorroborated).toBe(true);
    expect(conf(foramina, 'S3_L')).toBe(1);
  });
  it('leaves both sides when one side lies off the row by more than half a step', () => {
    const { foramina, evidence } = setUp((f) => { f.find((x) => x.id === 'S4_R')!.anteriorLps[2] -= 10; });
    rowCorroborates(foramina, evidence, new Set());
    expect([conf(foramina, 'S4_L'), conf(foramina, 'S4_R')]).toEqual([0.54, 0.45]);
  });
  it('leaves it where a level above is doubted by the detector, or the level itself is', () => {
    for (const doubted of ['S3_L', 'S2_R', 'S4_L']) {
      const { foramina, evidence } = setUp();
      rowCorroborates(foramina, evidence, new Set([doubted]));
      expect(conf(foramina, 'S4_R'), doubted).toBe(0.45);
    }
  });
  it('leaves it where the pair are not mirror images, no walled lumen is seen, or it is wider than the level above', () => {
    const edits: ((f: Foramen[], e: Record<string, ForamenEvidence>) => void)[] = [
      (_f, e) => { e.S4_L!.symmetric = false; },
      (_f, e) => { e.S4_R!.rim = 0; },
      (f) => { f.find((x) => x.id === 'S4_L')!.radiusMm = 3.5; },
      (f) => { f.find((x) => x.id === 'S3_R')!.confidence = 0.5; },
    ];
    for (const edit of edits) {
      const { foramina, evidence } = setUp(edit);
      rowCorroborates(foramina, evidence, new Set());
      expect(conf(foramina, 'S4_L') < FOUND_CONFIDENCE || conf(foramina, 'S4_R') < FOUND_CONFIDENCE).toBe(true);
      expect(conf(foramina, 'S4_R')).toBe(0.45);
    }
  });
});

describe('partlyOutsideImage', () => {
  // 1 mm voxels, 60 × 60 × 40: z from 0 to 39 mm, the lowest slice's edge at z −0.5
  const volume = createScalarVolume('v', new VolumeGeometry({ dims: [60, 60, 40], spacingMm: [1, 1, 1], originLps: [0, 0, 0], directionCosines: [1, 0, 0, 0, 1, 0, 0, 0, 1] }), new Float32Array(60 * 60 * 40), 'HU', 'CT');
  it('is false for a tunnel whose lumen lies inside the image, true where one end\'s lumen reaches the edge', () => {
    expect(partlyOutsideImage(volume, { anteriorLps: [20, 20, 12], posteriorLps: [20, 40, 20], radiusMm: 4 })).toBe(false);
    // anterior end 3.5 mm above the lowest slice's edge, radius 4: its lumen runs out of the image
    expect(partlyOutsideImage(volume, { anteriorLps: [20, 20, 3], posteriorLps: [20, 40, 20], radiusMm: 4 })).toBe(true);
    // a narrow tunnel there is within the 3 mm margin too
    expect(partlyOutsideImage(volume, { anteriorLps: [20, 20, 2], posteriorLps: [20, 40, 20], radiusMm: 1 })).toBe(true);
    expect(partlyOutsideImage(volume, { anteriorLps: [20, 20, 5], posteriorLps: [20, 40, 20], radiusMm: 1 })).toBe(false);
  });
});
