#!/usr/bin/env node
/**
 * bench/assisted: one assisted landmark fit per click on the real scans of test/anatomy/fixtures
 * (target ≤ 300 ms per foramen), the canal fit from three clicks, and the evidence stage that
 * re-examines detected suggestions (anatomy/suggest.ts):
 *   foramen   fitForamen with the Foramen tool's options at each reference opening, then measureFittedForamen (as the
 *             case command places it), `runs` times each: median and worst per scan
 *   canal     fitCanal through the first, middle and last reference canal points
 *   evidence  suggestLandmarks minus detectSacralAnatomy (timingsMs.evidence)
 *
 *   node bench/assisted.mjs [runs=3]
 * Timed on node's main thread (same V8 as the browser's case worker).
 */
import os from 'node:os';
import { loadTs, median } from './lib.mjs';

const runs = +(process.argv[2] ?? 3);
const [{ REAL_SCANS, readReference, loadRealScan }, { fitForamen, FORAMEN_TOOL_OPTIONS }, { fitCanal }, { suggestLandmarks }, { measureFittedForamen }] = await loadTs('/test/anatomy/real/reference.ts', '/src/anatomy/foramen-fit.ts', '/src/anatomy/canal-fit.ts', '/src/anatomy/suggest.ts', '/src/anatomy/foramen-radius.ts');
console.log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model}; load ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}; node ${process.version}`);
for (const name of REAL_SCANS) {
  const ref = readReference(name);
  const v = await loadRealScan(ref);
  const ms = [];
  // as the case command places it: the fit, then its axis followed and its radius read at the wall
  for (let r = 0; r < runs; r++) for (const f of Object.values(ref.foramina)) {
    const t0 = performance.now();
    measureFittedForamen(v, fitForamen(v, f.anteriorLps, FORAMEN_TOOL_OPTIONS));
    ms.push(performance.now() - t0);
  }
  const line = [`${name} (${v.geometry.dims.join('×')}): foramen fit median ${median(ms).toFixed(0)} ms, worst ${Math.max(...ms).toFixed(0)} ms (${ms.length} fits)`];
  const c = ref.canalLps;
  if (c.length >= 3) {
    const cm = [];
    for (let r = 0; r < runs; r++) cm.push(fitCanal(v, [c[0], c[c.length >> 1], c[c.length - 1]]).timeMs);
    line.push(`canal fit median ${median(cm).toFixed(0)} ms`);
  }
  const d = suggestLandmarks(v);
  line.push(`evidence stage ${d.diagnostics.timingsMs.evidence.toFixed(0)} ms for ${d.anatomy.foramina.length} suggestions`);
  console.log(line.join('; '));
}
