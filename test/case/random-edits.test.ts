/**
 * Seeded random sequences of mixed edits (grow, paint, erase, delete, rename, landmark moves,
 * needle moves, thresholds) with undo and redo, checked after every step against a plain
 * reference model: a stack of whole-case copies (document + every voxel) whose edits are
 * restated here from their definitions. Undo must return exactly the earlier state, voxel for
 * voxel; redo the later one.
 */
import { describe, expect, it } from 'vitest';
import { CaseEngine } from '../../src/case/engine';
import { LESION_COLORS, type CaseDoc, type CaseLesion, type CaseNeedle } from '../../src/case/types';
import type { CaseCommand } from '../../src/case/commands';
import { phantom, N, rng } from './fixture';
import type { Foramen, ForamenId } from '../../src/anatomy/types';
import { FORAMEN_IDS } from '../../src/anatomy/types';
import { withOutsideFov } from '../../src/anatomy/expected-foramina';
import { findNeedle, DEFAULT_NEEDLE_ID } from '../../src/planning/needles';
import type { Vec3 } from '../../src/core/vec3';

interface RefState { doc: CaseDoc; labels: Uint8Array }

/** Voxel centres within radiusMm of the segment a→b (1 mm grid at the origin, identity direction). */
function capsule(a: Vec3, b: Vec3, r: number, visit: (o: number) => void): void {
  const d = [b[0] - a[0], b[1] - a[1], b[2] - a[2]];
  const dd = d[0]! * d[0]! + d[1]! * d[1]! + d[2]! * d[2]!;
  let o = 0;
  for (let k = 0; k < N[2]; k++) for (let j = 0; j < N[1]; j++) for (let i = 0; i < N[0]; i++, o++) {
    const w = [i - a[0], j - a[1], k - a[2]];
    let t = dd > 0 ? (w[0]! * d[0]! + w[1]! * d[1]! + w[2]! * d[2]!) / dd : 0;
    t = Math.max(0, Math.min(1, t));
    const e = [w[0]! - t * d[0]!, w[1]! - t * d[1]!, w[2]! - t * d[2]!];
    if (e[0]! * e[0]! + e[1]! * e[1]! + e[2]! * e[2]! <= r * r) visit(o);
  }
}

function newLesionRef(doc: CaseDoc): { doc: CaseDoc; lesion: CaseLesion } {
  const used = new Set(doc.lesions.map((l) => l.label));
  let label = 1;
  while (used.has(label)) label++;
  const n = doc.nextLesionNo;
  const lesion: CaseLesion = { id: `lesion-${n}`, label, name: `Lesion ${n}`, color: LESION_COLORS[(label - 1) % LESION_COLORS.length]!, visible: true, notes: '' };
  return { doc: { ...doc, lesions: [...doc.lesions, lesion], nextLesionNo: n + 1 }, lesion };
}

/** The reference rule for a lesion's method: any image-driven tool makes it semiautomatic for good; the brush marks only a lesion without one. */
function withMethodRef(doc: CaseDoc, id: string, m: 'manual' | 'semiautomatic'): CaseDoc {
  return { ...doc, lesions: doc.lesions.map((l) => (l.id === id && (m === 'semiautomatic' || l.method === undefined) ? { ...l, method: m } : l)) };
}

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength)) === 0;

function runSequence(seed: number, steps: number): Record<string, number> {
  const { volume, holes } = phantom();
  const engine = new CaseEngine(volume);
  const rand = rng(seed);
  const pick = <T,>(a: readonly T[]): T => a[Math.floor(rand() * a.length)]!;
  const pt = (): Vec3 => [4 + rand() * 32, 4 + rand() * 32, 3 + rand() * 26];
  const round = (x: number) => Math.round(x * 4) / 4;
  const needle = findNeedle(DEFAULT_NEEDLE_ID)!;

  let ref: RefState = { doc: engine.doc, labels: engine.labels.data.slice() };
  const past: RefState[] = [];
  let future: RefState[] = [];
  const counts: Record<string, number> = {};
  /** Records the reference's new state as one step when anything changed. */
  const commit = (next: RefState) => {
    const changed = !sameBytes(next.labels, ref.labels) || JSON.stringify(next.doc) !== JSON.stringify(ref.doc);
    if (!changed) return;
    past.push(ref);
    future = [];
    ref = next;
  };

  for (let s = 0; s < steps; s++) {
    const r = rand();
    const doc = ref.doc;
    let op: string;
    if (r < 0.1) {
      op = 'grow';
      const h = pick(holes);
      const seed: Vec3 = rand() < 0.8 ? [h[0] + round(rand() * 2 - 1), h[1], h[2]] : pt();
      const into = rand() < 0.2 && doc.lesions.length ? pick(doc.lesions) : null;
      const before = engine.labels.data.slice();
      const rep = engine.run({ type: 'growLesion', seedLps: seed, ...(into ? { lesionId: into.id } : {}) });
      const labels = engine.labels.data.slice();
      if (rep.info.lesionId) {
        const next = into ? { doc, lesion: into } : newLesionRef(doc);
        // growth only fills background, with the lesion's label
        for (let o = 0; o < labels.length; o++) if (labels[o] !== before[o]) expect(before[o] === 0 && labels[o] === next.lesion.label, `grow voxel ${o}`).toBe(true);
        commit({ doc: withMethodRef(next.doc, next.lesion.id, 'semiautomatic'), labels });
      } else expect(sameBytes(labels, before)).toBe(true);
    } else if (r < 0.15) {
      op = 'addLesion';
      engine.run({ type: 'addLesion' });
      commit({ doc: newLesionRef(doc).doc, labels: ref.labels.slice() });
    } else if (r < 0.3 || (r < 0.4 && doc.lesions.length)) {
      const erase = r >= 0.3;
      op = erase ? 'erase' : 'paint';
      let d = doc;
      const labels = ref.labels.slice();
      const gesture = `g${s}`;
      let lesion = doc.lesions.length && rand() < 0.8 ? pick(doc.lesions) : null;
      if (!lesion && erase) continue;
      if (!lesion) {
        engine.run({ type: 'addLesion', gesture });
        ({ doc: d, lesion } = newLesionRef(d));
      }
      const segs = 1 + Math.floor(rand() * 3);
      let edited = false;
      let a = pt();
      const radius = pick([1.45, 2.3, 3.05]);
      for (let n = 0; n < segs; n++) {
        const b: Vec3 = [a[0] + rand() * 6 - 3, a[1] + rand() * 6 - 3, a[2] + rand() * 4 - 2];
        engine.run({ type: 'stroke', lesionId: lesion.id, fromLps: a, toLps: b, radiusMm: radius, erase, gesture }, { defer: true });
        capsule(a, b, radius, (o) => {
          if (erase) { if (labels[o] === lesion!.label) { labels[o] = 0; edited = true; } }
          else if (labels[o] === 0) { labels[o] = lesion!.label; edited = true; }
        });
        a = b;
      }
      engine.endGesture();
      const m = erase ? d : withMethodRef(d, lesion.id, 'manual');
      // a stroke that changed voxels marks the lesion brush-edited (its boundary partly drawn by hand)
      commit({ doc: edited ? { ...m, lesions: m.lesions.map((l) => (l.id === lesion!.id ? { ...l, brushEdited: true } : l)) } : m, labels });
    } else if (r < 0.47 && doc.lesions.length) {
      op = 'delete';
      const l = pick(doc.lesions);
      engine.run({ type: 'deleteLesion', lesionId: l.id });
      const labels = ref.labels.map((x) => (x === l.label ? 0 : x));
      commit({ doc: { ...doc, lesions: doc.lesions.filter((x) => x.id !== l.id), needles: doc.needles.map((t) => (t.lesionId === l.id ? { ...t, lesionId: null } : t)) }, labels });
    } else if (r < 0.53 && doc.lesions.length) {
      op = 'rename';
      const l = pick(doc.lesions);
      const name = `L${Math.floor(rand() * 1e6)}`;
      engine.run({ type: 'updateLesion', lesionId: l.id, name });
      commit({ doc: { ...doc, lesions: doc.lesions.map((x) => (x.id === l.id ? { ...x, name } : x)) }, labels: ref.labels });
    } else if (r < 0.62) {
      op = 'landmark';
      const id: ForamenId = pick(FORAMEN_IDS);
      const a = pt();
      const f: Foramen = { id, level: id.slice(0, 2) as Foramen['level'], side: id.slice(3) as Foramen['side'], anteriorLps: a, posteriorLps: [a[0], a[1] + 15, a[2] + 3], radiusMm: 2 + rand() * 3, confidence: 1, source: 'manual' };
      engine.run({ type: 'setForamen', foramen: f });
      const an = doc.anatomy ?? { foramina: [], canal: null, frame: null };
      // placing a foramen also updates which levels the placed ones put outside the image
      commit({ doc: { ...doc, anatomy: withOutsideFov(volume, { ...an, foramina: [...an.foramina.filter((x) => x.id !== id), f] }) }, labels: ref.labels });
    } else if (r < 0.67 || (r < 0.75 && !doc.needles.length)) {
      op = 'addNeedle';
      const n: Omit<CaseNeedle, 'id'> = { approach: null, lesionId: doc.lesions.length ? pick(doc.lesions).id : null, needle, entryLps: pt(), targetLps: pt(), advance: 1, source: 'manual', ablation: null, cementMl: null };
      engine.run({ type: 'addNeedle', needle: n });
      commit({ doc: { ...doc, needles: [...doc.needles, { ...n, id: `N${doc.nextNeedleNo}` }], nextNeedleNo: doc.nextNeedleNo + 1 }, labels: ref.labels });
    } else if (r < 0.75) {
      op = 'moveNeedle';
      const t = pick(doc.needles);
      const gesture = `m${s}`;
      let entryLps = t.entryLps, targetLps = t.targetLps;
      const moves = 1 + Math.floor(rand() * 3);
      for (let n = 0; n < moves; n++) {
        entryLps = pt(); targetLps = pt();
        engine.run({ type: 'moveNeedle', id: t.id, entryLps, targetLps, gesture });
      }
      commit({ doc: { ...doc, needles: doc.needles.map((x) => (x.id === t.id ? { ...x, entryLps, targetLps, source: 'manual' } : x)) }, labels: ref.labels });
    } else if (r < 0.8) {
      op = 'thresholds';
      const neuralWarnMm = round(3 + rand() * 6);
      engine.run({ type: 'setThresholds', thresholds: { neuralWarnMm } });
      commit({ doc: { ...doc, thresholds: { ...doc.thresholds, neuralWarnMm } }, labels: ref.labels });
    } else if (r < 0.93) {
      op = 'undo';
      const rep = engine.undo();
      const prev = past.pop();
      if (prev) { future.push(ref); ref = prev; }
      expect(rep.view.canUndo).toBe(past.length > 0);
    } else {
      op = 'redo';
      const rep = engine.redo();
      const next = future.pop();
      if (next) { past.push(ref); ref = next; }
      expect(rep.view.canRedo).toBe(future.length > 0);
    }
    counts[op] = (counts[op] ?? 0) + 1;
    // After every step: the same voxels, the same document, the same undo/redo depth.
    if (!sameBytes(engine.labels.data, ref.labels)) {
      let o = 0;
      while (engine.labels.data[o] === ref.labels[o]) o++;
      throw new Error(`seed ${seed}, step ${s} (${op}): voxel ${o} is ${engine.labels.data[o]}, the reference says ${ref.labels[o]}`);
    }
    expect(engine.doc, `seed ${seed}, step ${s} (${op})`).toEqual(ref.doc);
    expect(engine.history.undoDepth, `seed ${seed}, step ${s} (${op}) undo depth`).toBe(past.length);
    expect(engine.history.canRedo).toBe(future.length > 0);
  }
  // The derived statistics agree with the voxels at the end.
  const view = engine.refresh().view;
  for (const l of view.lesions) expect(l.stats?.voxelCount ?? 0).toBe(engine.labels.count(l.label));
  return counts;
}

describe('case: random edit sequences against a reference model', () => {
  for (const seed of [1, 2, 3]) {
    it(`seed ${seed}: 300 mixed edits with undo and redo, voxel-exact after every step`, () => {
      const counts = runSequence(seed, 300);
      // every kind of edit was exercised
      for (const op of ['grow', 'paint', 'erase', 'delete', 'rename', 'landmark', 'addNeedle', 'moveNeedle', 'thresholds', 'undo', 'redo']) expect(counts[op], `${op} in seed ${seed}`).toBeGreaterThan(0);
    }, 120_000);
  }
});
