/**
 * The batch command (`sacroplan analyze`) over three phantoms (default, hard: oblique 3 mm, fatty)
 * and one real CT (pelvic-ref-003), each with a plan made here through the case engine the app runs
 * (landmarks detected, lesions grown or painted, a needle auto-planned): the CSV's numbers equal the
 * case view's, every lesion's zone equals the phantom's truth, a bad input is reported and skipped
 * while the others are analysed, and a plan of no input is named.
 */
import { describe, expect, it, beforeAll } from 'vitest';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync, copyFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { requireShared, ensurePhantom, readTruth, sharedDir, filesIn } from '../helpers/shared';
import { scanDicomFiles, loadDicomSeries } from '../../src/io/dicom';
import { CaseEngine, type CaseView } from '../../src/case/engine';
import { answerRequest } from '../../src/case/protocol';
import { seriesIdentity } from '../../src/case/identity';
import { NEEDLE_CATALOGUE, DEFAULT_NEEDLE_ID } from '../../src/planning/needles';
import { needleVerdict } from '../../src/planning/verdict';
import { main } from '../../src/batch/cli';
import { COLUMNS } from '../../src/batch/analyze';
import type { Vec3 } from '../../src/core/vec3';
import { parseCsv } from '../helpers/csv';

const ok = requireShared(true);

interface Made {
  name: string;
  dir: string;
  view: CaseView;
  truthZones: Map<string, number> | null;
}

/** Loads a series from disk, makes its case (detect, lesions, a needle) and writes its plan file. */
async function makeCase(name: string, dir: string, lesions: { name: string; centerLps: Vec3 | null; grow: boolean }[], planDir: string): Promise<Made & { planPath: string }> {
  const files = filesIn(dir).filter((f) => !f.name.endsWith('.json'));
  const scan = await scanDicomFiles(files);
  const loaded = await loadDicomSeries(scan, scan.series[0]!.key);
  const engine = new CaseEngine(loaded.volume);
  answerRequest(engine, { type: 'command', cmd: { type: 'detectAnatomy' } });
  const g = loaded.volume.geometry;
  const centre = g.ijkToLps([0, 0, 0], (g.dims[0] - 1) / 2, (g.dims[1] - 1) / 2, (g.dims[2] - 1) / 2) as Vec3;
  for (const spec of lesions) {
    const l = { ...spec, centerLps: spec.centerLps ?? centre };
    if (l.grow) answerRequest(engine, { type: 'command', cmd: { type: 'growLesion', seedLps: l.centerLps } });
    else {
      const id = answerRequest(engine, { type: 'command', cmd: { type: 'addLesion', name: l.name } }).view.lesions.at(-1)!.id;
      answerRequest(engine, { type: 'command', cmd: { type: 'stroke', lesionId: id, fromLps: l.centerLps, toLps: l.centerLps, radiusMm: 5 } });
    }
    const last = engine.doc.lesions.at(-1)!;
    answerRequest(engine, { type: 'command', cmd: { type: 'updateLesion', lesionId: last.id, name: l.name } });
  }
  const needle = NEEDLE_CATALOGUE.find((n) => n.id === DEFAULT_NEEDLE_ID)!;
  answerRequest(engine, { type: 'command', cmd: { type: 'planApproach', lesionId: engine.doc.lesions[0]!.id, approach: 'posterior-short-axis', needle, needles: 1 } });
  const view = answerRequest(engine, { type: 'refresh' }).view;
  const identity = seriesIdentity(loaded.volume.geometry, loaded.info.studyInstanceUid || null, loaded.info.seriesInstanceUid || null);
  const bytes = answerRequest(engine, { type: 'exportPlan', meta: { appVersion: 'test', savedAt: '2026-01-01T00:00:00Z', series: identity } });
  const planPath = join(planDir, `${name}.sacroplan`);
  writeFileSync(planPath, bytes);
  return { name, dir, view, truthZones: null, planPath };
}

const num = (s: string | undefined) => (s === undefined || s === '' ? null : Number(s));

describe.skipIf(!ok)('sacroplan analyze (batch command)', () => {
  const made: (Made & { planPath: string })[] = [];
  let tmp = '';
  let rows: Record<string, string>[] = [];
  let stdout: string[] = [];
  let code = -1;

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'sp-batch-'));
    for (const cfg of ['default.json', 'hard.json', 'fatty.json']) {
      const ph = ensurePhantom(cfg);
      const truth = readTruth(ph);
      // two lesions: the first grown from its centre (as Grow does), the second painted (5 mm ball)
      const ls = truth.lesions.slice(0, 2).map((l: any, k: number) => ({ name: `${l.id} ${cfg}`, centerLps: l.center_lps as Vec3, grow: k === 0 && cfg !== 'fatty.json' }));
      const m = await makeCase(cfg.replace('.json', ''), join(ph, 'dicom'), ls, tmp);
      m.truthZones = new Map(truth.lesions.slice(0, 2).map((l: any) => [`${l.id} ${cfg}`, l.denis_zone]));
      made.push(m);
    }
    const real = join(sharedDir, 'data', 'real-pelvis', 'pelvic-ref-003', 'dicom');
    // a 5 mm ball painted at the volume centre (only the CSV-equals-view comparison is asserted for it)
    made.push(await makeCase('pelvic-ref-003', real, [{ name: 'painted', centerLps: null, grow: false }], tmp));

    // a bad input: a folder with a text file and a truncated DICOM file
    const bad = join(tmp, 'bad-study');
    mkdirSync(bad);
    writeFileSync(join(bad, 'notes.txt'), 'not an image');
    const one = readdirSync(join(made[0]!.dir)).find((n) => n.endsWith('.dcm'))!;
    writeFileSync(join(bad, 'cut.dcm'), readFileSync(join(made[0]!.dir, one)).subarray(0, 300));
    // a plan of no input
    copyFileSync(made[0]!.planPath, join(tmp, 'orphan.sacroplan'));
    const out = join(tmp, 'results.csv');
    const args = ['analyze', made[0]!.dir, bad, ...made.slice(1).map((m) => m.dir), ...made.flatMap((m) => ['--plan', m.planPath]), '--plan', join(tmp, 'orphan.sacroplan'), '--out', out];
    code = await main(args, { stdout: (l) => stdout.push(l), stderr: (l) => stdout.push(l) });
    rows = parseCsv(readFileSync(out, 'utf8'));
  }, 600_000);

  it('writes the header, a study row per input, a progress line per study, and skips the bad input with its reason', () => {
    expect(Object.keys(rows[0]!)).toEqual([...COLUMNS]);
    const studies = rows.filter((r) => r.kind === 'study');
    expect(studies.map((r) => r.input)).toEqual(made.map((m) => m.dir));
    for (const s of studies) expect(s.plan).toMatch(/\.sacroplan$/);
    expect(stdout.filter((l) => /^\[\d\] /.test(l))).toHaveLength(4);
    const skipped = rows.filter((r) => r.kind === 'skipped');
    expect(skipped).toHaveLength(1);
    expect(skipped[0]!.input).toContain('bad-study');
    expect(skipped[0]!.reason).toMatch(/no image series among 2 files/);
    expect(stdout.join('\n')).toMatch(/skipped .*bad-study: no image series/);
    expect(code).toBe(1);
  });

  it('every lesion and needle row equals the case view the app shows (same numbers, full precision)', () => {
    for (const m of made) {
      const lr = rows.filter((r) => r.kind === 'lesion' && r.input === m.dir);
      expect(lr.map((r) => r.name)).toEqual(m.view.lesions.map((l) => l.name));
      for (const [k, l] of m.view.lesions.entries()) {
        const r = lr[k]!;
        expect(num(r.voxel_count)).toBe(l.stats!.voxelCount);
        expect(num(r.volume_ml)).toBe(l.stats!.volumeMl);
        expect(num(r.partial_volume_ml)).toBe(l.stats!.partialVolumeMl);
        expect(num(r.abc2_ml)).toBe(l.stats!.abcAxial.volumeMl);
        expect(num(r.max_diameter_mm)).toBe(l.stats!.maxDiameterMm);
        expect(num(r.mean_hu)).toBe(l.stats!.values!.mean);
        expect(num(r.zone)).toBe(l.zone?.zone ?? null);
        expect(num(r.zone1_fraction)).toBe(l.zone?.zoneFractions['1'] ?? null);
        expect(r.foramina_touched).toBe(l.zone ? l.zone.foraminaTouched.join(' ') : '');
        expect(num(r.outside_sacrum_ml)).toBe(l.outsideSacrumMl);
        expect([num(r.centroid_l), num(r.centroid_p), num(r.centroid_s)]).toEqual([...l.stats!.centroidLps]);
      }
      const nr = rows.filter((r) => r.kind === 'needle' && r.input === m.dir);
      expect(nr).toHaveLength(m.view.needles.length);
      expect(nr.length).toBeGreaterThan(0);
      for (const [k, n] of m.view.needles.entries()) {
        const r = nr[k]!;
        const v = needleVerdict({ metrics: n.metrics, ablation: n.ablationPlan, cement: n.cement });
        expect(r.approach).toBe(n.approach);
        expect(num(r.depth_mm)).toBe(n.metrics.depthMm);
        expect(r.nearest_foramen).toBe(n.metrics.nearestForamen?.id ?? '');
        expect(num(r.nearest_foramen_clearance_mm)).toBe(n.metrics.nearestForamen?.clearanceMm ?? null);
        expect(num(r.canal_clearance_mm)).toBe(n.metrics.canalClearanceMm);
        expect(num(r.nearest_foramen_slice_uncertainty_mm)).toBe(n.metrics.nearestForamen?.sliceUncertaintyMm ?? null);
        expect(num(r.canal_slice_uncertainty_mm)).toBe(n.metrics.canalSliceUncertaintyMm ?? null);
        // slices thicker than 2 mm (the 0.7 x 0.7 x 3 and 1 x 1 x 3 mm inputs here) carry the allowance, thin ones none
        const thick = Number(String(r.spacing_mm).split('x')[2]) > 2;
        expect(num(r.nearest_foramen_slice_uncertainty_mm) !== null || num(r.canal_slice_uncertainty_mm) !== null).toBe(thick);
        expect(num(r.bone_path_mm)).toBe(n.metrics.bonePathMm);
        expect(r.anterior_cortex_breach).toBe(String(n.metrics.anteriorCortexBreach));
        expect(r.verdict).toBe(v.status);
        expect(r.reasons).toBe(v.checks.map((c) => c.text).join(' | '));
      }
    }
  });

  it('the phantoms\' lesions fall in their true Denis zone', () => {
    for (const m of made.filter((x) => x.truthZones)) {
      for (const r of rows.filter((x) => x.kind === 'lesion' && x.input === m.dir)) expect(num(r.zone), `${r.name}`).toBe(m.truthZones!.get(r.name!));
    }
  });

  it('names a plan that matched no input', () => {
    expect(stdout.join('\n')).toMatch(/warning: plan orphan\.sacroplan matched no study/);
  });
});
