// Build of the DICOM loader check page (by hand, see README.md in this folder).
import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';
import { dirname } from 'node:path';
const here = dirname(fileURLToPath(import.meta.url));
export default defineConfig({
  root: here,
  worker: { format: 'es' },
  build: { outDir: '/tmp/sacroplan-dicom-check-dist', emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 100000 },
  preview: { host: '127.0.0.1', port: 5199, strictPort: false },
});
