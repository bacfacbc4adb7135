/// <reference types="vitest/config" />
import { availableParallelism } from 'node:os';
import { defineConfig } from 'vite';

// vitest 5 calls Map.groupBy (node >= 21) when it reports failures; node 20 lacks it.
const mapCtor = Map as unknown as { groupBy?: unknown };
if (typeof mapCtor.groupBy !== 'function') {
  mapCtor.groupBy = <K, V>(items: Iterable<V>, key: (v: V, i: number) => K): Map<K, V[]> => {
    const out = new Map<K, V[]>();
    let i = 0;
    for (const v of items) {
      const k = key(v, i++);
      const list = out.get(k);
      if (list) list.push(v);
      else out.set(k, [v]);
    }
    return out;
  };
}

// The dev server needs the codec glue pre-bundled, or loading hangs silently
// (../shared/STACK.md). `vite build` handles the WASM codecs with no extra config.
const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

// Same-origin proxy to a DICOMweb server: PACS servers seldom send CORS headers, and the page is
// cross-origin isolated. /dicomweb/... is forwarded to SACROPLAN_DICOMWEB_TARGET (its DICOMweb root,
// e.g. http://127.0.0.1:8042/dicom-web); without the variable there is no proxy.
const dicomwebTarget = process.env.SACROPLAN_DICOMWEB_TARGET;
const proxy = dicomwebTarget
  ? { '/dicomweb': { target: dicomwebTarget, changeOrigin: true, rewrite: (path: string) => path.replace(/^\/dicomweb/, '') } }
  : undefined;

// One unit worker per core, at least two (see the unit project below).
const UNIT_WORKERS = Math.max(2, availableParallelism() - 1);
// Browser files that time the page against a budget (ms): they run alone, never beside another browser file.
const BROWSER_TIMED = [
  'test/browser/views-speed.e2e.ts', // input → next frame ≤ 50 ms median
  'test/browser/planning.e2e.ts', // in-plane view update < 200 ms
  'test/browser/hostile-files.e2e.ts', // refusal / first progress < 1000 ms
  'test/browser/autosave.e2e.ts', // autosave latency < 1000 ms, saved within 5 s
  'test/browser/plan-file.e2e.ts', // autosave saved within 5 s
];

export default defineConfig({
  // Cross-origin isolation: voxels and labels are shared with the segmentation worker
  // (SharedArrayBuffer). Every resource of the app is same-origin.
  server: { host: '127.0.0.1', port: 5173, strictPort: false, headers: isolationHeaders, ...(proxy ? { proxy } : {}) },
  preview: { host: '127.0.0.1', port: 4173, headers: isolationHeaders, ...(proxy ? { proxy } : {}) },
  worker: { format: 'es' },
  optimizeDeps: {
    include: [
      '@cornerstonejs/codec-charls/decodewasmjs',
      '@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs',
      '@cornerstonejs/codec-openjpeg/decodewasmjs',
      '@cornerstonejs/codec-openjph/wasmjs',
    ],
  },
  build: {
    target: 'es2022',
    chunkSizeWarningLimit: 6000,
    sourcemap: false,
    // bench/stock.html: the stock cornerstone load path, the peer in bench/load.mjs.
    rollupOptions: { input: { main: 'index.html', stock: 'bench/stock.html', segment: 'bench/segment.html' } },
  },
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          environment: 'node',
          globalSetup: ['test/global-setup.ts'],
          include: ['test/**/*.test.ts'],
          exclude: ['test/browser/**'],
          testTimeout: 120_000,
          hookTimeout: 300_000,
          // vitest's default in a run is one worker fewer than the cores: ONE on the 2-core CI machine, where the unit
          // files then ran one after another on one core (665 s at a49d8c2). Every file is CPU-bound in its one
          // thread (the phantom generator it waits for is a single-threaded child), so one worker per core.
          maxWorkers: UNIT_WORKERS,
        },
      },
      {
        test: {
          name: 'browser',
          environment: 'node',
          globalSetup: ['test/global-setup.ts'],
          include: ['test/browser/**/*.e2e.ts'],
          exclude: BROWSER_TIMED,
          testTimeout: 180_000,
          hookTimeout: 600_000,
          pool: 'forks',
          // two files at a time, each with its own preview server and Chromium: one file alone keeps about one core
          // busy (Chromium's renderer and the case worker), so a second file fills the other core of a 2-core machine
          maxWorkers: 2,
          sequence: { groupOrder: 1 },
        },
      },
      {
        test: {
          name: 'browser-timed',
          environment: 'node',
          globalSetup: ['test/global-setup.ts'],
          include: BROWSER_TIMED,
          testTimeout: 180_000,
          hookTimeout: 600_000,
          pool: 'forks',
          // files that assert wall-clock budgets in the page (frame time, input → answer, autosave latency): run
          // alone, after the parallel browser group, as every browser file ran before
          fileParallelism: false,
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
