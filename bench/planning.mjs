#!/usr/bin/env node
/**
 * bench/planning: trajectory planning on a 512×512×300 CT (the default ../shared phantom
 * resampled, 0.37×0.37×0.50 mm), after landmark detection:
 *   envelope        sacral envelope + its signed distance field (the "distance fields"; foramina
 *                   and canal distances are exact closed forms and need no field)
 *   rank5           auto-plan all five approaches for one lesion and rank them (per lesion, median)
 *   evaluate        one live metric update (what a drag costs), median over 200 random paths
 *
 *   node bench/planning.mjs [runs=5]
 * Needs /usr/bin/python3 with numpy/scipy/pydicom for the phantom (cached under /tmp).
 */
import os from 'node:os';
import { loadTs, median } from './lib.mjs';

const runs = +(process.argv[2] ?? 5);
const [{ loadPhantom }, { resampleTo }, { detectSacralAnatomy }, { fitSacralFrame }, { buildSacralEnvelope }, { BodyModel }, { rankApproachesTo }, { evaluateTrajectory }, { findNeedle }, { DEFAULT_THRESHOLDS }] = await loadTs('/test/anatomy/fixtures-anatomy.ts', '/test/helpers/resample.ts', '/src/anatomy/detect.ts', '/src/anatomy/frame.ts', '/src/planning/envelope.ts', '/src/planning/body.ts', '/src/planning/planner.ts', '/src/planning/trajectory.ts', '/src/planning/needles.ts', '/src/planning/types.ts');

const { volume, truth } = await loadPhantom('default.json');
const big = resampleTo(volume, [512, 512, 300]);
const det = detectSacralAnatomy(big);
const anatomy = det.anatomy;
console.log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model}; node ${process.version}; volume ${big.geometry.dims.join('×')}; ${anatomy.foramina.length} foramina detected`);

const envMs = [];
let env = null;
for (let r = 0; r < runs; r++) {
  const t0 = performance.now();
  env = buildSacralEnvelope(big, det.sacrumMask, anatomy);
  envMs.push(performance.now() - t0);
}
const ctx = { anatomy, frame: fitSacralFrame(anatomy.frame), envelope: env, volume: big, thresholds: DEFAULT_THRESHOLDS, body: new BodyModel(big) };
const needle = findNeedle('15G-truguide-138');
// warm-up (also fits the body outline once)
rankApproachesTo(ctx, truth.lesions[0].center_lps, needle, 1);
const rankMs = [];
for (const l of truth.lesions) {
  const ts = [];
  for (let r = 0; r < runs; r++) { const t0 = performance.now(); rankApproachesTo(ctx, l.center_lps, needle, l.denis_zone); ts.push(performance.now() - t0); }
  rankMs.push(median(ts));
}
const evalMs = [];
let seed = 1;
const rnd = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
for (let r = 0; r < 200; r++) {
  const t = truth.lesions[r % truth.lesions.length].center_lps;
  const e = [t[0] + (rnd() - 0.5) * 80, t[1] + 60 + rnd() * 30, t[2] + (rnd() - 0.5) * 60];
  const t0 = performance.now();
  evaluateTrajectory(ctx, e, t, needle, { approach: 'posterior-short-axis' });
  evalMs.push(performance.now() - t0);
}
console.log(`envelope + distance field: median ${median(envMs).toFixed(0)} ms (grid ${env.grid.dims.join('×')} at ${env.grid.spacingMm.toFixed(2)} mm; runs ${envMs.map((x) => x.toFixed(0)).join(', ')})   target ≤ 2000 ms`);
console.log(`rank all 5 approaches, per lesion: ${rankMs.map((x) => x.toFixed(0)).join(', ')} ms; median ${median(rankMs).toFixed(0)} ms   target ≤ 300 ms`);
console.log(`live metric update: median ${median(evalMs).toFixed(2)} ms, max ${Math.max(...evalMs).toFixed(2)} ms   target ≤ 16 ms`);
