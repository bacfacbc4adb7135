/**
 * A grown lesion touched up with the brush or eraser shows its voxel count, and says so: the
 * partial-volume estimate integrates the image's lesion edge, which a hand-drawn boundary is not
 * (segmentation/stats.ts shownVolume). The flag is part of the document: undone with the stroke,
 * kept in the plan file.
 */
import { describe, expect, it } from 'vitest';
import { CaseEngine } from '../../src/case/engine';
import { readPlan, writePlan, type PlanMeta } from '../../src/case/plan-file';
import { seriesIdentity } from '../../src/case/identity';
import { summarize } from '../../src/app/case';
import { shownVolume } from '../../src/segmentation/stats';
import { phantom } from './fixture';

describe('a grown lesion edited with the brush', () => {
  it('shows the partial-volume estimate after Grow, the voxel count after a brush or eraser stroke, the estimate again after undo', () => {
    const { volume, holes } = phantom();
    const engine = new CaseEngine(volume);
    const grown = engine.run({ type: 'growLesion', seedLps: holes[0]! });
    const id = grown.info.lesionId!;
    const view = (r: ReturnType<CaseEngine['run']>) => r.view.lesions.find((l) => l.id === id)!;
    const g = view(grown);
    expect(g.method).toBe('semiautomatic');
    expect(g.brushEdited).toBeUndefined();
    const s0 = summarize(g.stats!, g.method, g.brushEdited === true);
    expect(s0.shownVolumeBasis).toBe('partial-volume');
    expect(s0.shownVolumeBrushEdited).toBe(false);

    // a brush stroke that adds voxels: voxel count, flagged
    const h = holes[0]!;
    const painted = engine.run({ type: 'stroke', lesionId: id, fromLps: [h[0] + 3, h[1], h[2]], toLps: [h[0] + 6, h[1], h[2]], radiusMm: 1.5 });
    const p = view(painted);
    expect(p.stats!.voxelCount).toBeGreaterThan(g.stats!.voxelCount);
    expect(p.brushEdited).toBe(true);
    const s1 = summarize(p.stats!, p.method, p.brushEdited === true);
    expect(s1.shownVolumeBasis).toBe('voxel-count');
    expect(s1.shownVolumeBrushEdited).toBe(true);
    expect(s1.shownVolumeMl).toBeCloseTo(p.stats!.volumeMl, 9);

    // undo: the grown lesion again, with its estimate
    const back = engine.undo();
    const b = back.view.lesions.find((l) => l.id === id)!;
    expect(b.brushEdited).toBeUndefined();
    expect(summarize(b.stats!, b.method, b.brushEdited === true).shownVolumeBasis).toBe('partial-volume');

    // an eraser stroke that removes voxels: flagged too
    const erased = engine.run({ type: 'stroke', lesionId: id, fromLps: h, toLps: h, radiusMm: 1.5, erase: true });
    const e = view(erased);
    expect(e.stats!.voxelCount).toBeLessThan(g.stats!.voxelCount);
    expect(e.brushEdited).toBe(true);
    expect(summarize(e.stats!, e.method, true).shownVolumeBasis).toBe('voxel-count');
  });

  it('a stroke that changes no voxel (eraser outside the lesion) leaves the estimate', () => {
    const { volume, holes } = phantom();
    const engine = new CaseEngine(volume);
    const id = engine.run({ type: 'growLesion', seedLps: holes[0]! }).info.lesionId!;
    const far = holes[2]!;
    const r = engine.run({ type: 'stroke', lesionId: id, fromLps: far, toLps: far, radiusMm: 1.5, erase: true });
    expect(r.view.lesions.find((l) => l.id === id)!.brushEdited).toBeUndefined();
  });

  it('the flag is kept in the plan file', () => {
    const { volume, holes } = phantom();
    const engine = new CaseEngine(volume);
    const id = engine.run({ type: 'growLesion', seedLps: holes[1]! }).info.lesionId!;
    const h = holes[1]!;
    engine.run({ type: 'stroke', lesionId: id, fromLps: [h[0] + 3, h[1], h[2]], toLps: [h[0] + 5, h[1], h[2]], radiusMm: 1.5 });
    const meta: PlanMeta = { appVersion: '0.1.0', savedAt: '2026-12-06T15:00:00.000Z', series: seriesIdentity(volume.geometry, '1.2.840.99.1', '1.2.840.99.1.2') };
    const back = readPlan(writePlan(engine.doc, engine.labels.data, meta), meta.series, engine.labels.data.length);
    expect(back.doc.lesions.find((l) => l.id === id)!.brushEdited).toBe(true);
  });
});

describe('shownVolume of a brush-edited lesion', () => {
  it('the voxel count, marked as brush-edited; a brush-only lesion is plain voxel count', () => {
    expect(shownVolume({ volumeMl: 5.9, partialVolumeMl: 7.05 }, true, true)).toEqual({ volumeMl: 5.9, basis: 'voxel-count', brushEdited: true });
    expect(shownVolume({ volumeMl: 5.9, partialVolumeMl: 7.05 }, false, true)).toEqual({ volumeMl: 5.9, basis: 'voxel-count' });
    expect(shownVolume({ volumeMl: 5.9, partialVolumeMl: 7.05 }, true, false)).toEqual({ volumeMl: 7.05, basis: 'partial-volume' });
  });
});
