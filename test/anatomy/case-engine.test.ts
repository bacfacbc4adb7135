/**
 * CaseEngine: lesions grown from the phantom's lesion centres are classified by zone once the
 * landmarks are set, and every later edit answers with the touched lesion's fresh zone.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { CaseEngine } from '../../src/anatomy/case-engine';
import { scanAndLoadDicom } from '../../src/io/dicom';
import { ensurePhantom, readTruth, filesIn, requireShared } from '../helpers/shared';
import { anatomyFromTruth } from './truth-anatomy';

const ok = requireShared(true);

describe.skipIf(!ok)('CaseEngine on the default phantom', () => {
  it('classifies grown lesions by Denis zone after setAnatomy and after later edits', async () => {
    const dir = ensurePhantom('default.json');
    const truth = readTruth(dir);
    const { loaded } = await scanAndLoadDicom(filesIn(join(dir, 'dicom')));
    const volume = loaded!.volume;
    const zoneMap = new Uint8Array(volume.geometry.voxelCount);
    const engine = new CaseEngine(volume, undefined, zoneMap);
    const before = engine.run({ type: 'regionGrow', seedLps: truth.lesions[0].center_lps, label: 1 });
    expect(before.zones[1]).toBeNull();
    expect(before.zoneProblem).toMatch(/landmarks/);
    truth.lesions.slice(1).forEach((les: any, n: number) => engine.run({ type: 'regionGrow', seedLps: les.center_lps, label: n + 2 }));
    const r = engine.run({ type: 'setAnatomy', anatomy: anatomyFromTruth(truth) });
    expect(r.zoneProblem).toBeNull();
    expect(r.zoneMapChanged).toBe(true);
    truth.lesions.forEach((les: any, n: number) => expect(r.zones[n + 1]?.zone, les.id).toBe(les.denis_zone));
    expect(r.classifyMs).toBeLessThan(1000);
    // The zone map holds zones 1, 2 and 3 (and 4 below S4) around the sacrum.
    const seen = new Set(zoneMap);
    for (const z of [1, 2, 3]) expect(seen.has(z)).toBe(true);
    // A later edit answers with the touched lesion's zone; deleting it gives null.
    const e = engine.run({ type: 'dilate', label: 1, radiusMm: 1 });
    expect(e.zones[1]?.zone).toBe(truth.lesions[0].denis_zone);
    const d = engine.run({ type: 'deleteLabel', label: 1 });
    expect(d.zones[1]).toBeNull();
  }, 120_000);
});
