/**
 * The RF aiming report is part of the case: an aimed electrode keeps its report (proposed burns,
 * coverage per burn count, reasons) in the document, so the plan file and the autosave (its bytes
 * are a plan file) carry it; moving or changing the needle drops it; undo brings it back.
 */
import { describe, expect, it } from 'vitest';
import { CaseEngine } from '../../src/case/engine';
import { readPlan, writePlan, type PlanMeta } from '../../src/case/plan-file';
import { seriesIdentity } from '../../src/case/identity';
import { findNeedle } from '../../src/planning/needles';
import { phantom } from './fixture';

describe('RF aiming report in the case', () => {
  it('is stored with the needle, survives a plan file round trip, is dropped by a move and restored by undo', () => {
    const { volume, holes } = phantom();
    const engine = new CaseEngine(volume);
    const lesionId = engine.run({ type: 'growLesion', seedLps: holes[0]! }).info.lesionId!;
    const rf = findNeedle('17G-rf-20')!;
    const id = engine.run({ type: 'addNeedle', needle: { approach: 'posterior-short-axis', lesionId, needle: rf, entryLps: [12, 45, 12], targetLps: [12, 14, 12], advance: 1, source: 'auto', ablation: null, cementMl: null } }).info.needleIds![0]!;
    expect(engine.doc.needles[0]!.rfReport ?? null).toBeNull();
    const aim = engine.run({ type: 'aimElectrode', id }).info.rfAims![0]!;
    const stored = engine.doc.needles.find((n) => n.id === id)!;
    expect(stored.rfReport).toBeTruthy();
    expect(stored.rfReport!.burns).toBe(aim.burns);
    expect(stored.rfReport!.options.length).toBeGreaterThan(0);
    expect(stored.rfReport!.options).toEqual(aim.options);
    expect(stored.rfReport!.reasons).toEqual(aim.reasons);
    expect(stored.targetLps).toEqual(stored.rfReport!.tipLps);

    // plan file (and so the autosave, whose record is a plan file)
    const meta: PlanMeta = { appVersion: '0.1.0', savedAt: '2026-12-06T17:00:00.000Z', series: seriesIdentity(volume.geometry, '1.2.840.99.1', '1.2.840.99.1.2') };
    const back = readPlan(writePlan(engine.doc, engine.labels.data, meta), meta.series, engine.labels.data.length);
    expect(back.doc.needles.find((n) => n.id === id)!.rfReport).toEqual(stored.rfReport);
    expect(back.doc).toEqual(engine.doc);

    // the tip slider keeps it; a move drops it; undo brings it back
    engine.run({ type: 'updateNeedle', id, patch: { advance: 0.5 } });
    expect(engine.doc.needles[0]!.rfReport).toEqual(stored.rfReport);
    engine.run({ type: 'moveNeedle', id, entryLps: [13, 45, 12], targetLps: [13, 14, 12], snapToSkin: false });
    expect(engine.doc.needles[0]!.rfReport ?? null).toBeNull();
    engine.undo();
    expect(engine.doc.needles[0]!.rfReport).toEqual(stored.rfReport);
    engine.run({ type: 'updateNeedle', id, patch: { needle: findNeedle('17G-rf-20')! } });
    expect(engine.doc.needles[0]!.rfReport ?? null).toBeNull();

    // a plan written before reports existed (no rfReport key) still opens, without one
    const old = { ...engine.doc, needles: engine.doc.needles.map(({ rfReport: _r, ...n }) => n) };
    expect(readPlan(writePlan(old, engine.labels.data, meta), meta.series, engine.labels.data.length).doc.needles[0]!.rfReport).toBeUndefined();
    // a damaged report is refused with its path
    const bad = { ...engine.doc, needles: engine.doc.needles.map((n) => ({ ...n, rfReport: { ...stored.rfReport!, burns: 0 } })) };
    expect(() => readPlan(writePlan(bad, engine.labels.data, meta), meta.series, engine.labels.data.length)).toThrow(/rfReport\.burns/);
  });
});
