/**
 * CaseEngine: lesions grown from the phantom's lesion centres are classified by zone once the
 * landmarks are set, and every later edit answers with the touched lesion's fresh zone.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { CaseEngine } from '../../src/case/engine';
import { scanAndLoadDicom } from '../../src/io/dicom';
import { ensurePhantom, readTruth, filesIn, requireShared } from '../helpers/shared';
import { anatomyFromTruth } from '../anatomy/truth-anatomy';

const ok = requireShared(true);

describe.skipIf(!ok)('CaseEngine on the default phantom', () => {
  it('classifies grown lesions by Denis zone after setAnatomy and after later edits', async () => {
    const dir = ensurePhantom('default.json');
    const truth = readTruth(dir);
    const { loaded } = await scanAndLoadDicom(filesIn(join(dir, 'dicom')));
    const volume = loaded!.volume;
    const engine = new CaseEngine(volume);
    const before = engine.run({ type: 'growLesion', seedLps: truth.lesions[0].center_lps });
    const first = before.info.lesionId!;
    expect(before.view.lesions[0]!.zone).toBeNull();
    expect(before.view.zoneProblem).toMatch(/landmarks/);
    truth.lesions.slice(1).forEach((les: any) => engine.run({ type: 'growLesion', seedLps: les.center_lps }));
    const r = engine.run({ type: 'setAnatomy', anatomy: anatomyFromTruth(truth) });
    expect(r.view.zoneProblem).toBeNull();
    expect(r.zoneMapChanged).toBe(true);
    truth.lesions.forEach((les: any, n: number) => expect(r.view.lesions[n]!.zone?.zone, les.id).toBe(les.denis_zone));
    expect(r.derivedMs - r.zoneMapMs, "classification of every lesion").toBeLessThan(1000);
    // The zone map holds zones 1, 2 and 3 (and 4 below S4) around the sacrum.
    const seen = new Set(engine.zoneMap);
    for (const z of [1, 2, 3]) expect(seen.has(z)).toBe(true);
    // A later edit answers with the touched lesion's zone; an undo of the landmarks clears them all.
    const e = engine.run({ type: 'lesionOp', lesionId: first, op: 'dilate', radiusMm: 1 });
    expect(e.view.lesions[0]!.zone?.zone).toBe(truth.lesions[0].denis_zone);
    engine.undo();
    const u = engine.undo();
    expect(u.view.anatomy).toBeNull();
    expect(u.view.lesions.every((l) => l.zone === null)).toBe(true);
    expect(u.zoneMapChanged).toBe(true);
  }, 120_000);
});
