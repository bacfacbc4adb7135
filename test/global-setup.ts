/**
 * Generates the shared phantoms once, before any test file runs (they are cached in /tmp), so
 * that parallel test files do not each spend a minute generating the same series.
 */
import { sharedUnavailableReason, ensurePhantom, ensureBadInputs } from './helpers/shared';

export default function setup(): void {
  if (sharedUnavailableReason(true) !== null) return; // the suites themselves skip or fail, with the reason
  const t0 = Date.now();
  ensureBadInputs();
  ensurePhantom('default.json');
  ensurePhantom('hard.json');
  console.log(`[setup] shared phantoms ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}
