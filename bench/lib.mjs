/**
 * Shared by the bench scripts: the repository root, the median, and the repository's TypeScript
 * modules loaded in node through vite's SSR loader (the scripts must live in the repository to
 * resolve 'vite').
 */
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer } from 'vite';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Median of a list of numbers (mean of the middle two for an even count). */
export const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };

/** Loads the given modules (paths from the repository root, e.g. '/src/anatomy/detect.ts') in order. */
export async function loadTs(...paths) {
  const server = await createServer({ root: repoRoot, logLevel: 'error', server: { middlewareMode: true, hmr: false }, appType: 'custom', optimizeDeps: { noDiscovery: true, include: [] } });
  try {
    const out = [];
    for (const p of paths) out.push(await server.ssrLoadModule(p));
    return out;
  } finally {
    await server.close();
  }
}
