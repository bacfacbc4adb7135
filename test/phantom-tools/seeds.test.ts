/**
 * test/phantom-tools/seeds.py must write what make_phantom.py writes, byte for byte: its phantoms are cached under
 * make_phantom.py's own key (helpers/shared.ts ensurePhantomSeeds). A small oblique config with shuffled file names, one
 * lesion and two trajectories (every part that seeds.py computes once: labels, lesion, trajectory and anatomy truth),
 * made for seeds 1 and 2 in one seeds.py run and for seed 2 by make_phantom.py.
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PYTHON, generatorEnv, repoRoot, requireShared, sharedDir } from '../helpers/shared';

const CONFIG = {
  description: 'small oblique phantom for the seeds.py check (test/phantom-tools/seeds.test.ts)',
  dims: [96, 80, 20],
  pixel_spacing: [1.6, 1.8],
  slice_spacing: 3,
  orientation: { type: 'oblique', rotation_deg: [6, -4, 3] },
  shuffle_filenames: true,
  lesions: [{ id: 'L1', type: 'lytic', shape: 'ellipsoid', frame: 'sacral', center: [-30, 20, 0], semi_axes_mm: [5, 4, 4] }],
  trajectories: [
    { id: 'T01', approach: 'posterior-short-axis', side: 'L', note: 'to the left ala', frame: 'sacral', target: [43.0, 13.0, 9.0], through: [46.0, 13.0, 45.0] },
    { id: 'T04', approach: 'posterior-long-axis', side: 'R', note: 'beside the right S1 foramen', frame: 'sacral', target: [-36.0, 12.0, 6.0], through: [-30.0, 62.0, 20.0] },
  ],
};

/** md5 of every file under `dir`, by path relative to it. */
function digests(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(dir, p)] = createHash('md5').update(readFileSync(p)).digest('hex');
    }
  };
  walk(dir);
  return out;
}

const run = requireShared(true);

describe.skipIf(!run)('seeds.py writes make_phantom.py\'s files', () => {
  it('seed 2 made after seed 1 in one seeds.py run is byte-identical to make_phantom.py --seed 2', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'sp-seeds-'));
    try {
      const cfg = join(tmp, 'config.json');
      writeFileSync(cfg, JSON.stringify(CONFIG));
      const phantomDir = join(sharedDir, 'phantom');
      const opts = { cwd: phantomDir, stdio: 'pipe' as const, timeout: 600_000, env: generatorEnv({ SACROPLAN_SHARED: sharedDir }) };
      execFileSync(PYTHON, [join(phantomDir, 'make_phantom.py'), '--out', join(tmp, 'ref2'), '--config', cfg, '--seed', '2', '--labels', '--quiet'], opts);
      execFileSync(PYTHON, [join(repoRoot, 'test', 'phantom-tools', 'seeds.py'), '--config', cfg, '--labels',
        '--seed', '1', '--out', join(tmp, 's1'), '--seed', '2', '--out', join(tmp, 's2')], opts);
      const ref = digests(join(tmp, 'ref2'));
      expect(Object.keys(ref).length).toBe(20 + 2); // 20 slices, truth.json, labels.npy
      expect(digests(join(tmp, 's2'))).toEqual(ref);
      // and seed 1 is another series (its noise and file names), with the same labels
      const s1 = digests(join(tmp, 's1'));
      expect(s1['labels.npy']).toBe(ref['labels.npy']);
      const slices = (d: Record<string, string>) => Object.entries(d).filter(([k]) => k.endsWith('.dcm')).map(([, v]) => v).sort();
      expect(slices(s1).filter((v) => slices(ref).includes(v))).toEqual([]);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
