/**
 * Generates the shared phantoms once, before any test file runs (they are cached in /tmp), so
 * that parallel test files do not each spend a minute generating the same series. At the end of
 * the run it lists what the run had to generate (on a cold cache, as in CI, that is most of the
 * unit project's time), from the lines test/helpers/shared.ts appends to SACROPLAN_PHANTOM_LOG.
 */
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { sharedUnavailableReason, ensurePhantomsAsync, ensureBadInputs } from './helpers/shared';

export default async function setup(): Promise<() => void> {
  const logDir = mkdtempSync(join(tmpdir(), 'sp-phantom-log-'));
  const log = join(logDir, 'generated.jsonl');
  // inherited by the test workers, which are started after this setup
  process.env.SACROPLAN_PHANTOM_LOG = log;
  if (sharedUnavailableReason(true) === null) {
    const t0 = Date.now();
    ensureBadInputs(); // 0.5 s of CPU
    // side by side: 15 and 26 s of CPU (make_phantom.py, measured one at a time), which ran one after the other on one
    // core before any test started
    await ensurePhantomsAsync(['default.json', 'hard.json']);
    console.log(`[setup] shared phantoms ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  } // else the suites themselves skip or fail, with the reason
  return () => {
    const made = existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { name: string; ms: number }) : [];
    if (made.length) {
      const s = made.reduce((a, m) => a + m.ms, 0) / 1000;
      const top = [...made].sort((a, b) => b.ms - a.ms).slice(0, 5).map((m) => `${m.name} ${(m.ms / 1000).toFixed(0)} s`).join(', ');
      console.log(`[setup] this run generated ${made.length} phantoms, ${s.toFixed(0)} s of generator wall time in all (longest: ${top})`);
    }
    rmSync(logDir, { recursive: true, force: true });
  };
}
