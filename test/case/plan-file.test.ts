/**
 * The .sacroplan plan file: a round trip gives the same case (document and every voxel); a plan
 * is refused on another series with the reason; 1000 mutated files (truncated, flipped bytes,
 * huge claimed sizes, hostile but well-sealed JSON, future versions) each give a clear error and
 * leave the open case untouched.
 */
import { describe, expect, it } from 'vitest';
import { zipSync, strToU8, unzipSync, strFromU8 } from 'fflate';
import { CaseEngine } from '../../src/case/engine';
import { answerRequest } from '../../src/case/protocol';
import { readPlan, writePlan, sealZip, PlanFileError, PLAN_JSON, PLAN_LABELS, encodeLabelsRle, decodeLabelsRle, type PlanMeta } from '../../src/case/plan-file';
import { seriesIdentity } from '../../src/case/identity';
import { findNeedle } from '../../src/planning/needles';
import { VolumeGeometry } from '../../src/core/geometry';
import { phantom, rng } from './fixture';

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength)) === 0;

/** A case with lesions (one renamed with notes), landmarks, an RF needle with ablation and cement, and changed thresholds. */
function makeCase(): { engine: CaseEngine; meta: PlanMeta } {
  const { volume, holes } = phantom();
  const engine = new CaseEngine(volume);
  const a = engine.run({ type: 'growLesion', seedLps: holes[0]! }).info.lesionId!;
  engine.run({ type: 'growLesion', seedLps: holes[1]! });
  const c = engine.run({ type: 'addLesion' }).info.lesionId!;
  engine.run({ type: 'stroke', lesionId: c, fromLps: [18, 28, 20], toLps: [22, 28, 20], radiusMm: 2.5 });
  engine.run({ type: 'updateLesion', lesionId: a, name: 'Left ala — “lytic”', notes: 'biopsy 12/2026\nsecond line', visible: false });
  // a radius at the fit's bound, not a measurement (detect/measure.ts): kept as such through a plan file
  engine.run({ type: 'setForamen', foramen: { id: 'S1_L', level: 'S1', side: 'L', anteriorLps: [20, 8, 12], posteriorLps: [21, 30, 14], radiusMm: 7, radiusAtFitLimit: true, confidence: 0.8, source: 'auto' } });
  engine.run({ type: 'setCanal', canal: { centerlineLps: [[20, 30, 6], [20, 31, 14], [20, 32, 24]], radiusMm: [5, 4, 3], confidence: 1, source: 'manual' } });
  // what a detection leaves besides the landmarks: its suggestions and the foramina outside the image
  const a0 = engine.doc.anatomy!;
  engine.run({ type: 'setAnatomy', anatomy: { ...a0, suggested: [{ ...a0.foramina[0]!, anteriorLps: [19, 8, 12] }], outsideFov: ['S4_L', 'S4_R'] } });
  const rf = findNeedle('17G-rf-20')!;
  engine.run({ type: 'addNeedle', needle: { approach: 'transiliac', lesionId: a, needle: rf, entryLps: [0, 12, 12], targetLps: [12, 12, 12], advance: 0.8, source: 'manual', ablation: { extraLengthMm: 5, diameterMm: null, burns: 2, stepMm: null }, cementMl: 2.5 } });
  engine.run({ type: 'setThresholds', thresholds: { neuralWarnMm: 6.5 } });
  const meta: PlanMeta = { appVersion: '0.1.0', savedAt: '2026-12-06T15:00:00.000Z', series: seriesIdentity(volume.geometry, '1.2.840.99.1', '1.2.840.99.1.2') };
  return { engine, meta };
}

/** The central-directory record of an entry (to forge its claimed size). */
function centralRecord(zip: Uint8Array, name: string): number {
  for (let p = zip.length - 22; p >= 0; p--) {
    if (zip[p] === 0x50 && zip[p + 1] === 0x4b && zip[p + 2] === 1 && zip[p + 3] === 2) {
      const n = zip[p + 28]! | (zip[p + 29]! << 8);
      if (strFromU8(zip.subarray(p + 46, p + 46 + n)) === name) return p;
    }
  }
  throw new Error(`no entry ${name}`);
}

/** A well-sealed zip of the given entries (as a forger would make one). */
function forge(entries: Record<string, Uint8Array>): Uint8Array {
  return sealZip(zipSync(Object.fromEntries(Object.entries(entries).map(([k, v]) => [k, [v, { level: 6 }]])) as never));
}

describe('.sacroplan plan files', () => {
  it('round trip: the same document, every voxel, the same derived statistics', () => {
    const { engine, meta } = makeCase();
    const bytes = writePlan(engine.doc, engine.labels.data, meta);
    expect(bytes.length).toBeLessThan(20_000);
    const back = readPlan(bytes, meta.series, engine.labels.data.length);
    expect(back.meta).toEqual(meta);
    expect(back.doc).toEqual(engine.doc);
    expect(sameBytes(back.labels, engine.labels.data), 'labels after readPlan').toBe(true);
    // through the protocol, into a fresh engine on the same volume
    const other = new CaseEngine(engine.volume);
    const r = answerRequest(other, { type: 'openPlan', bytes, identity: meta.series });
    const before = engine.refresh().view;
    expect(r.view.lesions).toEqual(before.lesions);
    expect(r.view.needles.map((n) => [n.id, n.metrics.status, n.cement?.volumeMl])).toEqual(before.needles.map((n) => [n.id, n.metrics.status, n.cement?.volumeMl]));
    expect(r.view.canUndo).toBe(false);
    expect(sameBytes(other.labels.data, engine.labels.data), 'labels after openPlan').toBe(true);
    // with a sacrum mask (what detection leaves): stored and read back voxel for voxel
    const mask = new Uint8Array(engine.labels.data.length);
    mask.fill(1, 5000, 30000);
    const withMask = readPlan(writePlan(engine.doc, engine.labels.data, meta, mask), meta.series, mask.length);
    expect(sameBytes(withMask.sacrumMask!, mask)).toBe(true);
    expect(back.sacrumMask).toBeNull();
    // and written again, the same case
    const again = readPlan(answerRequest(other, { type: 'exportPlan', meta }), meta.series, engine.labels.data.length);
    expect(again.doc).toEqual(engine.doc);
    expect(sameBytes(again.labels, engine.labels.data)).toBe(true);
  });

  it('run-length code: exact for random label maps, refuses labels no lesion has', () => {
    const rand = rng(7);
    for (let t = 0; t < 20; t++) {
      const a = new Uint8Array(1 + Math.floor(rand() * 5000));
      for (let i = 0; i < a.length; i++) a[i] = rand() < 0.7 ? 0 : 1 + Math.floor(rand() * 3);
      for (let i = 0; i < a.length; i++) if (rand() < 0.3) a.fill(a[i]!, i, Math.min(a.length, i + Math.floor(rand() * 300)));
      expect(sameBytes(decodeLabelsRle(encodeLabelsRle(a), a.length, new Set([1, 2, 3])), a)).toBe(true);
      // unaligned views take the byte-by-byte path and code the same runs
      const u = a.subarray(1 + (t % 3));
      expect(sameBytes(encodeLabelsRle(u), encodeLabelsRle(u.slice()))).toBe(true);
    }
    const big = new Uint8Array(70_000_000);
    big.fill(2, 1000, 1_000_000);
    expect(sameBytes(decodeLabelsRle(encodeLabelsRle(big), big.length, new Set([2])), big)).toBe(true);
    expect(() => decodeLabelsRle(encodeLabelsRle(new Uint8Array([0, 4, 4])), 3, new Set([1]))).toThrow(/label 4/);
  });

  it('refuses a plan made on another series (or another grid of the same series) and says why', () => {
    const { engine, meta } = makeCase();
    const bytes = writePlan(engine.doc, engine.labels.data, meta);
    const n = engine.labels.data.length;
    expect(() => readPlan(bytes, { ...meta.series, seriesUid: '1.2.840.99.1.3' }, n)).toThrow(/another series: it was made on series 1\.2\.840\.99\.1\.2 of study 1\.2\.840\.99\.1, but the open image is series 1\.2\.840\.99\.1\.3/);
    const moved = new VolumeGeometry({ dims: [40, 40, 32], spacingMm: [1, 1, 1], originLps: [0, 0, 0.5], directionCosines: [1, 0, 0, 0, 1, 0, 0, 0, 1] });
    expect(() => readPlan(bytes, seriesIdentity(moved, meta.series.studyUid, meta.series.seriesUid), n)).toThrow(/same series but another voxel grid/);
    try {
      readPlan(bytes, { ...meta.series, studyUid: null, seriesUid: null }, n);
      expect.unreachable();
    } catch (e) {
      expect((e as PlanFileError).problem).toBe('other-series');
    }
  });

  it('1000 mutated plan files each give a clear error and leave the open case untouched', () => {
    const { engine, meta } = makeCase();
    const good = writePlan(engine.doc, engine.labels.data, meta);
    const files = unzipSync(good);
    const json = JSON.parse(strFromU8(files[PLAN_JSON]!));
    const rand = rng(2026);
    const pick = <T,>(a: readonly T[]): T => a[Math.floor(rand() * a.length)]!;
    // Hostile but well-sealed contents: each a change of the JSON or the zip a forger might make.
    const hostile: ((j: any) => void)[] = [
      (j) => { j.version = 2; },
      (j) => { j.version = 99; j.doc.newThing = 1; },
      (j) => { j.format = 'something-else'; },
      (j) => { j.doc.extra = { a: 1 }; },
      (j) => { j.doc.lesions[0].evil = '<script>'; },
      (j) => { j.doc.lesions[0].label = 256; },
      (j) => { j.doc.lesions[1].label = j.doc.lesions[0].label; },
      (j) => { j.doc.lesions[0].name = 'x'.repeat(100_000); },
      (j) => { j.doc.lesions = Array.from({ length: 300 }, (_, i) => ({ ...j.doc.lesions[0], id: `l${i}`, label: (i % 255) + 1 })); },
      (j) => { j.doc.lesions[0].color = 'red'; },
      (j) => { j.doc.needles[0].entryLps = [1e300, 0, 0]; },
      (j) => { j.doc.needles[0].entryLps = [0, 0]; },
      (j) => { j.doc.needles[0].lesionId = 'lesion-999'; },
      (j) => { j.doc.needles[0].cementMl = -3; },
      (j) => { j.doc.needles[0].needle.outerDiameterMm = 'wide'; },
      (j) => { j.doc.anatomy.foramina[0].id = 'S9_X'; },
      (j) => { j.doc.anatomy.outsideFov = ['S5_L']; },
      (j) => { j.doc.anatomy.foramina[0].radiusAtFitLimit = 'yes'; },
      (j) => { j.doc.anatomy.suggested = [1, 2]; },
      (j) => { j.doc.anatomy.canal.radiusMm = [1]; },
      (j) => { j.doc.thresholds.neuralFailMm = null; },
      (j) => { delete j.doc.thresholds; },
      (j) => { j.voxelCount = 1e12; },
      (j) => { j.series = { studyUid: '1', seriesUid: '2', geometryFingerprint: j.series.geometryFingerprint }; },
      (j) => { j.labelsEncoding = 'png'; },
      (j) => { j.doc.nextLesionNo = 0.5; },
      (j) => { j.doc = null; },
      (j) => { j.sacrumMask = true; },
      (j) => { delete j.sacrumMask; },
    ];
    const before = { doc: engine.doc, labels: engine.labels.data.slice(), depth: engine.history.undoDepth };
    const kinds: Record<string, number> = {};
    const messages = new Set<string>();
    for (let t = 0; t < 1000; t++) {
      let bytes: Uint8Array;
      let kind: string;
      const r = rand();
      if (r < 0.25) {
        kind = 'truncated';
        bytes = good.slice(0, Math.floor(rand() * good.length));
      } else if (r < 0.55) {
        kind = 'flipped';
        bytes = good.slice();
        const flips = 1 + Math.floor(rand() * 4);
        for (let f = 0; f < flips; f++) { const i = Math.floor(rand() * bytes.length); bytes[i] = bytes[i]! ^ (1 << Math.floor(rand() * 8)); }
      } else if (r < 0.7) {
        kind = 'huge-claimed-size';
        const zip = good.slice(0, good.length - 24);
        zip[zip.length - 2] = 0; zip[zip.length - 1] = 0; // no comment: unsealed again
        const p = centralRecord(zip, pick([PLAN_JSON, PLAN_LABELS]));
        new DataView(zip.buffer).setUint32(p + 24, pick([0x7ffffff0, 0x40000000, 0xfffffff0, 2 * engine.labels.data.length + 17]), true);
        bytes = rand() < 0.7 ? sealZip(zip) : zip;
      } else if (r < 0.75) {
        kind = 'extra-or-missing-entry';
        const e: Record<string, Uint8Array> = { ...files };
        if (rand() < 0.5) e[pick(['../../evil.sh', 'plan2.json', 'labels.bin'])] = strToU8('x');
        else delete e[pick([PLAN_JSON, PLAN_LABELS])];
        bytes = forge(e);
      } else if (r < 0.8) {
        kind = 'labels-forged';
        const bad = pick([encodeLabelsRle(new Uint8Array(engine.labels.data.length + 1)), encodeLabelsRle(new Uint8Array(10)), encodeLabelsRle(new Uint8Array(engine.labels.data.length).fill(77)), new Uint8Array([0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]), strToU8('not rle at all')]);
        bytes = forge({ [PLAN_JSON]: files[PLAN_JSON]!, [PLAN_LABELS]: bad });
      } else if (r < 0.85) {
        kind = 'not-a-plan';
        bytes = pick([strToU8('{"format":"sacroplan-plan"}'), new Uint8Array(0), new Uint8Array(200).fill(0x50), forge({ 'readme.txt': strToU8('hello') })]);
      } else {
        kind = 'hostile-json';
        const j = structuredClone(json);
        pick(hostile)(j);
        bytes = forge({ [PLAN_JSON]: strToU8(JSON.stringify(j)), [PLAN_LABELS]: files[PLAN_LABELS]! });
      }
      kinds[kind] = (kinds[kind] ?? 0) + 1;
      let err: unknown = null;
      try {
        answerRequest(engine, { type: 'openPlan', bytes, identity: meta.series });
      } catch (e) {
        err = e;
      }
      expect(err, `mutation ${t} (${kind}) was accepted`).toBeInstanceOf(PlanFileError);
      const msg = (err as PlanFileError).message;
      expect(msg.length, `mutation ${t} (${kind})`).toBeGreaterThan(10);
      expect(msg.length).toBeLessThan(400);
      messages.add(`${(err as PlanFileError).problem}: ${msg.replace(/\d+/g, 'N').slice(0, 60)}`);
      // the open case is untouched
      expect(engine.doc).toBe(before.doc);
      expect(engine.history.undoDepth).toBe(before.depth);
      if (t % 50 === 0) expect(sameBytes(engine.labels.data, before.labels)).toBe(true);
    }
    expect(sameBytes(engine.labels.data, before.labels)).toBe(true);
    for (const k of ['truncated', 'flipped', 'huge-claimed-size', 'extra-or-missing-entry', 'labels-forged', 'not-a-plan', 'hostile-json']) expect(kinds[k], k).toBeGreaterThan(10);
    // the messages name different problems (not one catch-all)
    expect(messages.size).toBeGreaterThan(15);
  });
});
