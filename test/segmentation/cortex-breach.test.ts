/**
 * Lesions that break through the cortex into soft tissue of their own level (issue 13), on
 * test/anatomy/configs/breach-dense.json (healthy marrow, lytic 30 HU, muscle 40 HU) and
 * breach-fatty.json (fatty marrow 110 HU, lytic 45 HU, muscle 40 HU), and X1 of mixed.json
 * (through the anterior cortex into the presacral fat, next to muscle):
 *  - B1 / B2: through a wide break (posterior / anterior); B3: through a narrow (7 mm) break,
 *    which the bone enclosure's 5 mm closing bridges; breach-fatty's B4 (and mixed.json's X1):
 *    through the anterior cortex of S2 into the presacral fat.
 *  - 20 Grow clicks in the inner half of each: every one is refused with the reason (the cortex is
 *    open there, or the grow stopped at the cortex with tissue of the lesion's level beyond), names
 *    the Strokes tool, and leaves no lesion: never more than 1.5 × the lesion, never a part cut at
 *    an invisible line.
 *  - The Strokes tool on B1 and B2 (a lesion stroke across the break, background rings 4 mm beyond
 *    the lesion in the three views, then background strokes over the muscle next to the part
 *    outside the bone, as the refusal tells the user): NOT MET, expected failure, figures printed:
 *    rings alone +244 to +467 % (B2 dense -52 %), with the muscle painted -53 to +431 %. The lesion
 *    (30 / 45 HU) and the muscle it breaks into (40 HU) differ by less than the noise (12 / 18 HU):
 *    the lesion's front runs on into the muscle, and once the muscle is a background level the
 *    blend of the lesion's edge against marrow passes through the muscle's level.
 *  - The Strokes tool on breach-fatty's B4 (into the fat, fatty marrow): one lesion within 10 %,
 *    the same when the strokes lie 0.7 mm higher or lower (as a view's slice puts them).
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
import { growFromSeeds, type SeedStroke } from '../../src/segmentation/seeded-grow';
import type { Vec3 } from '../../src/core/vec3';

const run = requireShared(true);
const configsDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'anatomy', 'configs');
/** A circle of radius r (mm) around c in the plane of two LPS axes. */
const ring = (c: Vec3, r: number, a: number, b: number): Vec3[] =>
  Array.from({ length: 33 }, (_, t) => { const p: Vec3 = [c[0], c[1], c[2]]; p[a] = p[a]! + r * Math.cos((2 * Math.PI * t) / 32); p[b] = p[b]! + r * Math.sin((2 * Math.PI * t) / 32); return p; });
const config = (name: string) => JSON.parse(readFileSync(join(configsDir, name), 'utf8')) as Record<string, unknown>;

describe.skipIf(!run)('Grow on a lesion that breaks through the cortex', () => {
  for (const [cfg, ids] of [['breach-dense.json', ['B1', 'B2', 'B3']], ['breach-fatty.json', ['B1', 'B2', 'B3', 'B4']], ['mixed.json', ['X1']]] as const) {
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

  for (const cfg of ['breach-dense.json', 'breach-fatty.json']) {
    it.fails(`${cfg}: the Strokes tool gets B1 and B2, their parts outside the bone included, within 10 %`, () => {
      const { volume, truth } = loadPhantomVolume(ensurePhantom(config(cfg)));
      const errs: number[] = [];
      const rows: string[] = [];
      for (const id of ['B1', 'B2']) {
        const les = truth.lesions.find((l: any) => l.id === id);
        const c = les.center_lps as Vec3;
        const out = id === 'B1' ? 1 : -1; // the side of the break: posterior (B1), anterior (B2)
        const R = Math.max(...les.semi_axes_mm) + 4;
        const strokes: SeedStroke[] = [
          { kind: 'lesion', radiusMm: 1.5, pointsLps: [[c[0], c[1] - 3, c[2]], [c[0], c[1] + 3, c[2]]] },
          { kind: 'background', radiusMm: 1.5, pointsLps: ring(c, R, 0, 1) },
          { kind: 'background', radiusMm: 1.5, pointsLps: ring(c, R, 1, 2) },
          { kind: 'background', radiusMm: 1.5, pointsLps: ring(c, R, 0, 2) },
        ];
        const ml = (s: SeedStroke[]) => (growFromSeeds(volume, s).offsets.length * volume.geometry.voxelVolumeMm3) / 1000;
        const rings = ml(strokes) / les.volume_ml - 1;
        // then background over the muscle beside the part outside the bone (axial and sagittal strokes)
        const y = c[1] + out * (R - 2);
        const muscle = ml([...strokes,
          { kind: 'background', radiusMm: 1.5, pointsLps: [[c[0] - R, y, c[2]], [c[0] + R, y, c[2]]] },
          { kind: 'background', radiusMm: 1.5, pointsLps: [[c[0], y, c[2] - R], [c[0], y, c[2] + R]] }]) / les.volume_ml - 1;
        rows.push(`${cfg} ${id} (${les.volume_ml.toFixed(3)} mL): rings ${(100 * rings).toFixed(1)} %, + muscle painted ${(100 * muscle).toFixed(1)} %`);
        errs.push(muscle);
      }
      console.log(rows.join('\n'));
      for (const e of errs) expect(Math.abs(e)).toBeLessThan(0.1);
    });
  }

  it('breach-fatty.json B4 (through the anterior cortex into the fat, fatty marrow): the Strokes tool makes it one lesion within 10 %', () => {
    const { volume, truth } = loadPhantomVolume(ensurePhantom(config('breach-fatty.json')));
    const les = truth.lesions.find((l: any) => l.id === 'B4');
    const c = les.center_lps as Vec3;
    const rows: string[] = [];
    // a lesion stroke across the cortex (axial view, along y) and background rings 10 mm from the
    // centre in the three views; the axial ones as a view at 0.7 mm above or below the centre puts them
    for (const dz of [0, -0.7, 0.7]) {
      const z = c[2] + dz;
      const strokes: SeedStroke[] = [
        { kind: 'lesion', radiusMm: 1.5, pointsLps: [[c[0], c[1] - 3, z], [c[0], c[1], z], [c[0], c[1] + 3, z]] },
        { kind: 'background', radiusMm: 1.5, pointsLps: ring([c[0], c[1], z], 10, 0, 1) },
        { kind: 'background', radiusMm: 1.5, pointsLps: ring(c, 10, 1, 2) },
        { kind: 'background', radiusMm: 1.5, pointsLps: ring(c, 10, 0, 2) },
      ];
      const ml = (growFromSeeds(volume, strokes).offsets.length * volume.geometry.voxelVolumeMm3) / 1000;
      rows.push(`${(100 * (ml / les.volume_ml - 1)).toFixed(1)} % (axial strokes ${dz >= 0 ? '+' : ''}${dz} mm)`);
      expect(Math.abs(ml / les.volume_ml - 1), rows.at(-1)).toBeLessThan(0.1);
    }
    console.log(`[breach] breach-fatty B4 (${les.volume_ml.toFixed(3)} mL, ${(100 * (1 - les.fraction_inside_sacral_envelope)).toFixed(0)} % outside the sacrum), Strokes: ${rows.join(', ')}`);
  });
});
