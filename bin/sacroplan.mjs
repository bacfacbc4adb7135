#!/usr/bin/env node
/**
 * `npx sacroplan analyze <files or folders> [--plan file.sacroplan] --out results.csv`
 * Runs src/batch/cli.ts (the app's pure modules, in node) through vite's module loader, so the
 * TypeScript sources run as they are, with no build step.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer } from 'vite';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const server = await createServer({ root, configFile: false, logLevel: 'error', server: { middlewareMode: true, hmr: false, watch: null }, appType: 'custom', optimizeDeps: { noDiscovery: true, include: [] } });
let code = 1;
try {
  const cli = await server.ssrLoadModule('/src/batch/cli.ts');
  code = await cli.main(process.argv.slice(2));
} catch (err) {
  process.stderr.write(`sacroplan: ${err?.stack ?? err}\n`);
} finally {
  await server.close();
}
process.exit(code);
