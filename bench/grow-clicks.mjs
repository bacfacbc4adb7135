#!/usr/bin/env node
/**
 * bench/grow-clicks: one-click Grow on lesions implanted into the real scans (test/phantom-tools/implants),
 * the clicks that take the slower steps: pelvic-ref-003 P4 (bounded by its own edge, own-edge.ts) and
 * ProstateX M1 (MR: levels at the boundary of maximum contrast, edge trimmed to the local midpoint).
 *
 *   node bench/grow-clicks.mjs [runs=5] [config:ID ...]
 *
 * Each of the lesion's 20 inner-half clicks (truth.json) is grown `runs` times after one warm-up; per
 * click the median wall time; reported: the median over the clicks that grow a lesion and over the
 * refused ones, the process CPU time, and the load average (2-core machine shared with other jobs:
 * wall time includes waiting for a core). `--check out.json` also writes each click's result (voxel
 * count and a hash of the offsets) so that a speed change can be shown result-identical
 * (`--compare a.json b.json`).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import os from 'node:os';
import { loadTs, median } from './lib.mjs';

const args = process.argv.slice(2);
if (args[0] === '--compare') {
  const [a, b] = [JSON.parse(readFileSync(args[1], 'utf8')), JSON.parse(readFileSync(args[2], 'utf8'))];
  let diff = 0;
  for (const k of Object.keys(a)) if (JSON.stringify(a[k]) !== JSON.stringify(b[k])) { diff++; console.log(`differs: ${k}\n  ${JSON.stringify(a[k])}\n  ${JSON.stringify(b[k])}`); }
  console.log(diff ? `${diff} clicks differ` : `identical (${Object.keys(a).length} clicks)`);
  process.exit(diff ? 1 : 0);
}
const ci = args.indexOf('--check');
const checkOut = ci >= 0 ? args.splice(ci, 2)[1] : null;
const runs = +(args.find((x) => /^\d+$/.test(x)) ?? 5);
const targets = args.filter((x) => x.includes(':'));
if (!targets.length) targets.push('pelvic-ref-003.json:P4', 'prostatex-0218-t2sag.json:M1');

const [seg, shared, dicom, nifti] = await loadTs('/src/segmentation/region-grow.ts', '/test/helpers/shared.ts', '/src/io/dicom/index.ts', '/src/io/nifti.ts');
const check = {};
const load0 = os.loadavg()[0];
for (const t of targets) {
  const [config, id] = t.split(':');
  const dir = shared.ensureImplanted(config);
  const truth = JSON.parse(readFileSync(join(dir, 'truth.json'), 'utf8'));
  const volume = truth.written.endsWith('.nii.gz')
    ? (await nifti.loadNifti(new File([readFileSync(join(dir, truth.written))], truth.written))).volume
    : (await dicom.scanAndLoadDicom(shared.filesIn(join(dir, truth.written)))).loaded.volume;
  const les = truth.lesions.find((l) => l.id === id);
  const grown = [], refused = [], cpu = [];
  les.clicks_inner_half_lps.forEach((p, c) => {
    let r = seg.regionGrow(volume, { lps: p });
    const ts = [];
    for (let k = 0; k < runs; k++) {
      const c0 = process.cpuUsage(), t0 = performance.now();
      r = seg.regionGrow(volume, { lps: p });
      ts.push(performance.now() - t0);
      const u = process.cpuUsage(c0);
      cpu.push((u.user + u.system) / 1000);
    }
    (r.problem ? refused : grown).push(median(ts));
    check[`${config} ${id} click ${c}`] = r.problem ? { problem: r.problem, message: r.message } : { voxels: r.voxelCount, guard: r.guard, sha1: createHash('sha1').update(Buffer.from(r.offsets.buffer, r.offsets.byteOffset, r.offsets.byteLength)).digest('hex').slice(0, 16) };
  });
  const f = (xs) => (xs.length ? `${median(xs).toFixed(1)} ms (${Math.min(...xs).toFixed(0)}-${Math.max(...xs).toFixed(0)})` : '-');
  console.log(`${config} ${id}: grown ${grown.length}/${les.clicks_inner_half_lps.length} median ${f(grown)}; refused median ${f(refused)}; cpu median ${median(cpu).toFixed(1)} ms`);
}
console.log(`load average ${load0.toFixed(1)} at the start, ${os.loadavg()[0].toFixed(1)} at the end; ${os.cpus().length} cores`);
if (checkOut) writeFileSync(checkOut, JSON.stringify(check, null, 1));
