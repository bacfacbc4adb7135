/**
 * "Extends outside the sacrum" per lesion: lesionOutsideMask on a built mask, and through the case
 * engine after landmark detection on the demo CT: a grown lesion inside the bone reads (almost)
 * nothing outside; the same lesion with a painted extension 12 mm out through the posterior
 * surface reads that extension.
 */
import { describe, expect, it } from 'vitest';
import { makeDemoPhantom } from '../../src/demo/phantom';
import { CaseEngine } from '../../src/case/engine';
import { LabelMap } from '../../src/segmentation/labelmap';
import { lesionOutsideMask } from '../../src/segmentation/criteria';
import { VolumeGeometry } from '../../src/core/geometry';

describe('lesion outside the sacrum', () => {
  it('lesionOutsideMask counts voxels at least one voxel beyond the mask', () => {
    const geom = new VolumeGeometry({ dims: [20, 20, 20], spacingMm: [1, 1, 1], originLps: [0, 0, 0], directionCosines: [1, 0, 0, 0, 1, 0, 0, 0, 1] });
    const mask = new Uint8Array(8000);
    const lm = new LabelMap(geom);
    for (let k = 0; k < 20; k++) for (let j = 0; j < 20; j++) for (let i = 0; i < 20; i++) {
      const o = i + 20 * (j + 20 * k);
      if (i < 10) mask[o] = 1;
      if (i >= 5 && i < 15 && j >= 5 && j < 10 && k >= 5 && k < 10) lm.set(o, 1); // 10 × 5 × 5, half outside
    }
    const r = lesionOutsideMask(lm, 1, mask);
    expect(r.voxels).toBe(4 * 25); // i = 11..14 (i = 10 touches the mask)
    expect(r.volumeMl).toBeCloseTo(0.1, 6);
    expect(r.fraction).toBeCloseTo(100 / 250, 6);
  });

  it('the case engine reports it after Find landmarks (demo CT)', () => {
    const demo = makeDemoPhantom();
    const engine = new CaseEngine(demo.volume);
    const les = demo.truth.lesions[0]!;
    const id = engine.run({ type: 'growLesion', seedLps: les.centerLps }).info.lesionId!;
    const r = engine.run({ type: 'detectAnatomy' });
    const inside = r.view.lesions.find((l) => l.id === id)!;
    expect(inside.outsideSacrumMl).not.toBeNull();
    expect(inside.outsideSacrumMl!).toBeLessThan(0.02 * inside.stats!.volumeMl + 0.01);
    // paint an extension straight back (posterior, +y) 30 mm long from the lesion centre
    const c = les.centerLps;
    const r2 = engine.run({ type: 'stroke', lesionId: id, fromLps: c, toLps: [c[0], c[1] + 30, c[2]], radiusMm: 3 });
    const ext = r2.view.lesions.find((l) => l.id === id)!;
    console.log(`[outside] ${les.id}: grown ${inside.stats!.volumeMl.toFixed(2)} mL, outside ${inside.outsideSacrumMl!.toFixed(3)} mL; with the extension ${ext.stats!.volumeMl.toFixed(2)} mL, outside ${ext.outsideSacrumMl!.toFixed(3)} mL`);
    expect(ext.outsideSacrumMl!).toBeGreaterThan(0.1);
  });
});
