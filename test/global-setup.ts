/**
 * Generates the shared phantoms once, before any test file runs (they are cached in /tmp), so
 * that parallel test files do not each spend a minute generating the same series. At the end of
 * the run it lists what the run had to generate (on a cold cache, as in CI, that is most of the
 * unit project's time), from the lines test/helpers/shared.ts appends to SACROPLAN_PHANTOM_LOG.
 */
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { sharedUnavailableReason, ensurePhantomsAsync, ensurePhantomSeedsAsync, ensureBadInputs, isCI, repoRoot } from './helpers/shared';

/**
 * The unit project's longest file: generalise-phantoms.test.ts asks for about 20 generated series (about 15 s of
 * generator CPU each) and runs detection on each, some 400 s of CPU in one worker on a cold cache, while the other
 * worker runs out of files long before (665 s for all unit files one after another at a49d8c2). Under CI (cold cache)
 * the plain test configs it names (`config('X.json')`, read from its source so that new cases come along) are made
 * here in the background, one at a time from the end of its list while its worker starts from the beginning;
 * a worker that reaches one being made waits for it (helpers/shared.ts lock). Locally the cache is warm and this is
 * skipped: a developer's single test file should not start twenty generators.
 */
function longPoleConfigs(): Record<string, unknown>[] {
  const file = join(repoRoot, 'test', 'anatomy', 'generalise-phantoms.test.ts');
  if (!existsSync(file)) return [];
  // a case that remakes its config (moved, asymmetric, funnel, flattened) names the modifier on its line: not a plain series
  const lines = readFileSync(file, 'utf8').split('\n').filter((l) => !/\b(gridDeg|move|asym|funnel|flatDeg)\s*:/.test(l));
  const names = [...new Set(lines.flatMap((l) => [...l.matchAll(/config\('([\w.-]+\.json)'\)/g)].map((m) => m[1]!)))];
  return names
    .map((n) => join(repoRoot, 'test', 'anatomy', 'configs', n))
    .filter((f) => existsSync(f))
    .map((f) => JSON.parse(readFileSync(f, 'utf8')) as Record<string, unknown>)
    .reverse();
}

export default async function setup(): Promise<() => Promise<void>> {
  const logDir = mkdtempSync(join(tmpdir(), 'sp-phantom-log-'));
  const log = join(logDir, 'generated.jsonl');
  // inherited by the test workers, which are started after this setup
  process.env.SACROPLAN_PHANTOM_LOG = log;
  const stop = new AbortController();
  let background: Promise<void> = Promise.resolve();
  if (sharedUnavailableReason(true) === null) {
    const t0 = Date.now();
    ensureBadInputs(); // 0.5 s of CPU
    // side by side: 15 and 26 s of CPU (make_phantom.py, measured one at a time), which ran one after the other on one
    // core before any test started
    if (isCI || process.env.SACROPLAN_PREGENERATE === '1') {
      // on a cold cache, with the other noise seeds that grow-clicks.test.ts asks for (2 and 3, hard.json's 4 of its
      // known gap): each config's seeds in one generator run (test/phantom-tools/seeds.py; labels and truth once), where
      // the test's own ensurePhantomSeeds would make them in a second full run beside seed 1's
      await Promise.all([ensurePhantomSeedsAsync('default.json', [1, 2, 3]), ensurePhantomSeedsAsync('hard.json', [1, 2, 3, 4]), ensurePhantomSeedsAsync('tricky.json', [1, 2, 3])]);
    } else await ensurePhantomsAsync(['default.json', 'hard.json']);
    console.log(`[setup] shared phantoms ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    if (isCI || process.env.SACROPLAN_PREGENERATE === '1') {
      const configs = longPoleConfigs();
      background = ensurePhantomsAsync(configs, { oneAtATime: true, signal: stop.signal }).catch((e: unknown) => {
        // a failed generation here is the test's own to report when it asks for the series
        if (!stop.signal.aborted) console.warn(`[setup] background phantom generation: ${(e as Error).message}`);
      });
      console.log(`[setup] generating ${configs.length} test configs of generalise-phantoms.test.ts in the background`);
    }
  } // else the suites themselves skip or fail, with the reason
  return async () => {
    // the run is over: what is still being made in the background is no longer needed
    stop.abort();
    await background;
    const made = existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { name: string; ms: number }) : [];
    if (made.length) {
      const s = made.reduce((a, m) => a + m.ms, 0) / 1000;
      const top = [...made].sort((a, b) => b.ms - a.ms).slice(0, 5).map((m) => `${m.name} ${(m.ms / 1000).toFixed(0)} s`).join(', ');
      console.log(`[setup] this run generated ${made.length} phantoms, ${s.toFixed(0)} s of generator wall time in all (longest: ${top})`);
    }
    rmSync(logDir, { recursive: true, force: true });
  };
}
