/**
 * Lesions that break through the cortex into soft tissue of their own level (issue 13), on
 * test/anatomy/configs/breach-dense.json (healthy marrow, lytic 30 HU, muscle 40 HU) and
 * breach-fatty.json (fatty marrow 110 HU, lytic 45 HU, muscle 40 HU), and X1 of mixed.json
 * (through the anterior cortex into the presacral fat, next to muscle):
 *  - B1 / B2: through a wide break (posterior / anterior); B3: through a narrow (7 mm) break,
 *    which the bone enclosure's 5 mm closing bridges.
 *  - 20 Grow clicks in the inner half of each: every one is refused with the reason (the cortex is
 *    open there, or the grow stopped at the cortex with tissue of the lesion's level beyond), names
 *    the Strokes tool, and leaves no lesion: never more than 1.5 × the lesion, never a part cut at
 *    an invisible line.
 * Messages and tallies are printed for the report.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ensurePhantom, requireShared } from '../helpers/shared';
import { loadPhantomVolume } from './phantom-volume';
import { innerHalfClicks } from './clicks';
import { regionGrow } from '../../src/segmentation/region-grow';

const run = requireShared(true);
const configsDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'anatomy', 'configs');
const config = (name: string) => JSON.parse(readFileSync(join(configsDir, name), 'utf8')) as Record<string, unknown>;

describe.skipIf(!run)('Grow on a lesion that breaks through the cortex', () => {
  for (const [cfg, ids] of [['breach-dense.json', ['B1', 'B2', 'B3']], ['breach-fatty.json', ['B1', 'B2', 'B3']], ['mixed.json', ['X1']]] as const) {
    it(`${cfg}: every click refused with the reason and the Strokes tool, never a lesion`, () => {
      const { volume, truth } = loadPhantomVolume(ensurePhantom(config(cfg)));
      const rows: string[] = [];
      const checks: (() => void)[] = [];
      for (const id of ids) {
        const les = truth.lesions.find((l: any) => l.id === id);
        const why = new Map<string, number>();
        let worst = 0;
        const messages = new Set<string>();
        for (const p of innerHalfClicks(les, 20, 13)) {
          const r = regionGrow(volume, { lps: p });
          worst = Math.max(worst, r.volumeMl / les.volume_ml);
          why.set(r.problem ?? 'grown', (why.get(r.problem ?? 'grown') ?? 0) + 1);
          if (r.message) messages.add(r.message.replace(/-?\d+(\.\d+)?/g, '#'));
          checks.push(() => {
            expect(r.problem, `${id}: grew ${r.volumeMl.toFixed(3)} mL`).toBeDefined();
            expect(r.voxelCount).toBe(0);
            expect(r.message, id).toMatch(/cortex/);
            expect(r.message, id).toMatch(/Strokes \(L\)/);
          });
        }
        rows.push(`${cfg} ${id} (${les.volume_ml.toFixed(3)} mL, ${(100 * (1 - les.fraction_inside_sacral_envelope)).toFixed(0)} % outside the sacrum): ${JSON.stringify([...why])}, largest grown/truth ${worst.toFixed(2)}\n    ${[...messages].join('\n    ')}`);
        checks.push(() => expect(worst, id).toBeLessThanOrEqual(1.5));
      }
      console.log(rows.join('\n'));
      for (const c of checks) c();
    });
  }
  it('the narrow break (B3): the grow stops at the cortex and says on which side and how much tissue of its level lies beyond', () => {
    const { volume, truth } = loadPhantomVolume(ensurePhantom(config('breach-dense.json')));
    const b3 = truth.lesions.find((l: any) => l.id === 'B3');
    // the centre of its inner part (inside the bone)
    const r = regionGrow(volume, { lps: b3.spheres[0].center_lps });
    console.log(`[breach] B3 centre click: ${r.problem}: ${r.message}`);
    expect(r.problem).toBe('cortex-break');
    expect(r.message).toMatch(/^stopped at the cortex: the lesion \(\d\.\d\d mL inside the bone\) breaks through it on its posterior side/);
  });
});
