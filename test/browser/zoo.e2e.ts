/**
 * Every lossless file of ../shared/data/dicom-loader-zoo decodes, in the browser with the
 * real codecs, to the same pixels as its uncompressed twin. Twins are the files whose
 * pydicom-decoded pixels have the same SHA-256 in MANIFEST.tsv (an independent decoder).
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireBrowser, openApp, loadThroughInput, useSession } from './harness';
import { requireShared, sharedDir } from '../helpers/shared';

const ok = requireBrowser() && requireShared(false);
const zoo = join(sharedDir, 'data', 'dicom-loader-zoo');

interface Row { path: string; ts: string; sha: string }
function twinGroups(): Row[][] {
  const lines = readFileSync(join(zoo, 'MANIFEST.tsv'), 'utf8').trim().split('\n').slice(1);
  const rows: Row[] = [];
  for (const line of lines) {
    const cols = line.split('\t');
    const sha = /sha256_le=([0-9a-f]+)/.exec(cols[cols.length - 1] ?? '')?.[1];
    if (!sha) continue;
    rows.push({ path: cols[0]!, ts: cols[3]!, sha });
  }
  const groups = new Map<string, Row[]>();
  for (const r of rows) groups.set(r.sha, [...(groups.get(r.sha) ?? []), r]);
  // Uncompressed explicit little endian first: it is the reference.
  return [...groups.values()].filter((g) => g.length > 1).map((g) => g.sort((a, b) => Number(!a.ts.includes('1.2.840.10008.1.2.1 ')) - Number(!b.ts.includes('1.2.840.10008.1.2.1 '))));
}

describe.skipIf(!ok)('transfer-syntax zoo decodes losslessly in the browser', () => {
  const session = useSession();

  const groups = ok ? twinGroups() : [];
  it('has twin groups to compare', () => {
    expect(groups.length).toBeGreaterThanOrEqual(3);
  });
  for (const group of groups) {
    it(`${group[0]!.path} and its ${group.length - 1} twins give identical voxels`, async () => {
      const { page, errors } = await openApp(session(), { demo: false });
      const digests: Record<string, unknown> = {};
      for (const r of group) {
        await loadThroughInput(page, [join(zoo, r.path)]);
        const snap = await page.evaluate(() => window.sacroplan.snapshot());
        const bad = snap.files.filter((f) => f.status === 'error');
        expect(bad, `${r.path}: ${JSON.stringify(bad)}`).toEqual([]);
        // The volume shown must come from this very file (not the previous one left on screen).
        expect(snap.files.map((f) => [f.name, f.status])).toEqual([[r.path.split('/').pop(), 'ok']]);
        expect(snap.series?.source).toBe('dicom');
        digests[r.path] = await page.evaluate(() => window.sacroplan.voxelDigest());
        expect(digests[r.path], r.path).not.toBeNull();
      }
      const ref = digests[group[0]!.path];
      for (const r of group.slice(1)) expect(digests[r.path], `${r.path} (${r.ts})`).toEqual(ref);
      expect(errors).toEqual([]);
      await page.context().close();
    });
  }
});
