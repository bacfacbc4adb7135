/** Milliseconds from a monotonic clock where one exists (browser, worker, node), else wall time. */
const perf = (globalThis as { performance?: { now(): number } }).performance;
export const nowMs = (): number => (perf ? perf.now() : Date.now());
