#!/usr/bin/env node
/**
 * bench/batch: `sacroplan analyze` on one 512×512×300 CT (the default ../shared phantom generated
 * at 0.375×0.375×0.5 mm; 300 DICOM files) as a user runs it (`node bin/sacroplan.mjs`, a fresh
 * process each run), in two modes:
 *   - no plan: load + landmark detection + zone map (no lesion, no needle);
 *   - with a plan of five lesions (grown from the phantom's lesion centres) and one needle each
 *     (posterior short axis), made here with the case engine: load + plan + statistics, zones and
 *     needle checks.
 * Per study: the study row's load_ms + analyze_ms, the process's wall time (which adds node and
 * vite start-up) and its CPU time (user + sys, from /usr/bin/time). Medians of N runs.
 *
 *   node bench/batch.mjs [runs=5] [phantomDir=/tmp/sacroplan-bench/phantom512]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { median, repoRoot, loadTs } from './lib.mjs';

const runs = +(process.argv[2] ?? 5);
const dir = process.argv[3] ?? '/tmp/sacroplan-bench/phantom512';
const shared = process.env.SACROPLAN_SHARED ?? join(repoRoot, '..', 'shared');
if (!existsSync(join(dir, 'truth.json'))) {
  const cfg = JSON.parse(readFileSync(join(shared, 'phantom', 'configs', 'default.json'), 'utf8'));
  Object.assign(cfg, { dims: [512, 512, 300], pixel_spacing: [0.375, 0.375], slice_spacing: 0.5, slice_thickness: 0.5, description: 'default phantom at 512x512x300 for bench/batch' });
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}.config.json`, JSON.stringify(cfg));
  console.log('generating the 512×512×300 phantom (minutes)…');
  execFileSync(process.env.SACROPLAN_PYTHON ?? '/usr/bin/python3', [join(shared, 'phantom', 'make_phantom.py'), '--out', dir, '--config', `${dir}.config.json`, '--seed', '1'], { stdio: 'inherit', cwd: join(shared, 'phantom') });
}
const dicomDir = join(dir, 'dicom');
const truth = JSON.parse(readFileSync(join(dir, 'truth.json'), 'utf8'));

// the plan: five grown lesions, one needle each
const planPath = join(dir, '..', 'phantom512-bench.sacroplan');
if (!existsSync(planPath)) {
  const [io, eng, proto, ident, needles] = await loadTs('/src/io/dicom/index.ts', '/src/case/engine.ts', '/src/case/protocol.ts', '/src/case/identity.ts', '/src/planning/needles.ts');
  const files = readdirSync(dicomDir).filter((n) => n.endsWith('.dcm')).sort().map((n) => new File([readFileSync(join(dicomDir, n))], n));
  const scan = await io.scanDicomFiles(files);
  const loaded = await io.loadDicomSeries(scan, scan.series[0].key);
  const engine = new eng.CaseEngine(loaded.volume);
  proto.answerRequest(engine, { type: 'command', cmd: { type: 'detectAnatomy' } });
  const needle = needles.NEEDLE_CATALOGUE.find((n) => n.id === needles.DEFAULT_NEEDLE_ID);
  for (const l of truth.lesions) {
    const v = proto.answerRequest(engine, { type: 'command', cmd: { type: 'growLesion', seedLps: l.center_lps } }).view;
    const id = v.lesions.at(-1).id;
    try {
      proto.answerRequest(engine, { type: 'command', cmd: { type: 'planApproach', lesionId: id, approach: 'posterior-short-axis', needle, needles: 1 } });
    } catch (err) {
      console.log(`no needle for ${l.id}: ${err.message}`);
    }
  }
  const view = proto.answerRequest(engine, { type: 'refresh' }).view;
  const identity = ident.seriesIdentity(loaded.volume.geometry, loaded.info.studyInstanceUid || null, loaded.info.seriesInstanceUid || null);
  writeFileSync(planPath, proto.answerRequest(engine, { type: 'exportPlan', meta: { appVersion: 'bench', savedAt: new Date().toISOString(), series: identity } }));
  console.log(`plan: ${view.lesions.length} lesions, ${view.needles.length} needles → ${planPath}`);
}

function once(withPlan) {
  const out = join(dir, '..', `batch-bench-${withPlan ? 'plan' : 'noplan'}.csv`);
  const t0 = performance.now();
  // /usr/bin/time adds the process's CPU time (user + sys): the work is single-threaded, so on a
  // loaded machine it approximates what the wall time would be on a quiet one.
  const timed = existsSync('/usr/bin/time');
  const cmd = [process.execPath, join(repoRoot, 'bin/sacroplan.mjs'), 'analyze', dicomDir, ...(withPlan ? ['--plan', planPath] : []), '--out', out];
  const r = timed ? spawnSync('/usr/bin/time', ['-f', 'cpu %U %S', ...cmd], { encoding: 'utf8' }) : spawnSync(cmd[0], cmd.slice(1), { encoding: 'utf8' });
  const wallMs = performance.now() - t0;
  if (r.status !== 0) throw new Error(`sacroplan exited ${r.status}: ${r.stderr}${r.stdout}`);
  const cpu = /cpu ([\d.]+) ([\d.]+)\s*$/.exec(r.stderr ?? '');
  const cpuMs = cpu ? (Number(cpu[1]) + Number(cpu[2])) * 1000 : NaN;
  const lines = readFileSync(out, 'utf8').trim().split('\r\n');
  const head = lines[0].split(',');
  const study = lines.slice(1).map((l) => l.split(',')).find((c) => c[0] === 'study');
  const get = (k) => Number(study[head.indexOf(k)]);
  return { wallMs, cpuMs, loadMs: get('load_ms'), analyzeMs: get('analyze_ms'), rows: lines.length - 1 };
}

const res = { noplan: [], plan: [] };
for (let i = 0; i < runs; i++) {
  for (const mode of ['noplan', 'plan']) {
    const r = once(mode === 'plan');
    res[mode].push(r);
    console.log(`run ${i + 1} ${mode}: load ${r.loadMs} ms + analysis ${r.analyzeMs} ms = ${r.loadMs + r.analyzeMs} ms per study; process ${r.wallMs.toFixed(0)} ms wall, ${r.cpuMs.toFixed(0)} ms CPU; ${r.rows} rows`);
  }
}
for (const mode of ['noplan', 'plan']) {
  const m = (k) => median(res[mode].map((r) => r[k]));
  console.log(`${mode === 'plan' ? 'with the plan (5 lesions, needles)' : 'no plan (landmark detection)'}: median load ${m('loadMs')} ms, analysis ${m('analyzeMs')} ms, per study ${median(res[mode].map((r) => r.loadMs + r.analyzeMs))} ms (target ≤ 10000), process wall ${m('wallMs').toFixed(0)} ms, process CPU ${m('cpuMs').toFixed(0)} ms`);
}
