/**
 * Grow clicks that must give a message and no lesion, and say what the click's neighbourhood
 * looked like and what to do next (issue 13): normal bone, soft tissue, fat and air, on CT
 * (breach-dense.json: healthy marrow; breach-fatty.json: fatty marrow) and on MR-like T1 signal
 * (test/anatomy/configs/t1-like.json, loaded as raw MR values, no HU); and the clicks of
 * fatty-thick.json that the bone enclosure refuses say on which side the bone is open or too far.
 * Messages are printed for the report.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ensurePhantom, requireShared } from '../helpers/shared';
import { loadPhantomVolume } from './phantom-volume';
import { innerHalfClicks } from './clicks';
import { regionGrow } from '../../src/segmentation/region-grow';
import { createScalarVolume } from '../../src/core/volume';
import { VolumeGeometry } from '../../src/core/geometry';
import { mulberry32 } from '../../src/core/random';
import type { Vec3 } from '../../src/core/vec3';

const run = requireShared(true);
const configsDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'anatomy', 'configs');
const config = (name: string) => JSON.parse(readFileSync(join(configsDir, name), 'utf8')) as Record<string, unknown>;
/** What to do next: click elsewhere, or a named tool. */
const NEXT_STEP = /click inside the lesion|Strokes \(L\)|Brush \(B\)/;

describe.skipIf(!run)('Grow refusals say what the click found and what to do next', () => {
  // points of the phantoms' anatomy (LPS mm): the S3 body centre (normal bone), the dorsal muscle
  // 20 mm behind the left S2 lateral mass, the presacral fat, the right psoas
  const points = (truth: any): [string, Vec3][] => [
    ['normal bone (S3 body)', truth.anatomy.levels.find((l: any) => l.level === 'S3').body_center_lps],
    ['normal bone (S1 body)', truth.anatomy.levels.find((l: any) => l.level === 'S1').body_center_lps],
    ['soft tissue (dorsal muscle)', [30, 62, -21]],
    ['soft tissue (psoas)', [-42, -30, -40]],
    ['fat (presacral)', [0, -20, -45]],
  ];
  for (const [cfg, mr] of [['breach-dense.json', false], ['breach-fatty.json', false], ['t1-like.json', true]] as const) {
    it(`${cfg}${mr ? ' (MR: raw values)' : ''}: normal bone, soft tissue and fat give a message and no lesion`, () => {
      const ph = loadPhantomVolume(ensurePhantom(config(cfg)));
      const volume = mr ? createScalarVolume('t1-like', ph.volume.geometry, ph.volume.voxels, 'raw', 'MR') : ph.volume;
      const rows: string[] = [];
      for (const [name, p] of points(ph.truth)) {
        const r = regionGrow(volume, { lps: p });
        rows.push(`${cfg} ${name}: ${r.problem ?? `grew ${r.volumeMl.toFixed(2)} mL`}: ${r.message ?? ''}`);
        expect(r.problem, rows.at(-1)).toBeDefined();
        expect(r.voxelCount).toBe(0);
        expect(r.message, rows.at(-1)).toMatch(NEXT_STEP);
      }
      if (mr) {
        // the T1-dark lesions: Grow never makes more than 1.5 × a lesion (figures printed)
        for (const les of ph.truth.lesions) {
          const out: string[] = [];
          for (const p of innerHalfClicks(les, 20, 13)) {
            const r = regionGrow(volume, { lps: p });
            out.push(r.problem ?? `${(100 * (r.volumeMl / les.volume_ml - 1)).toFixed(0)}%`);
            expect(r.volumeMl / les.volume_ml).toBeLessThanOrEqual(1.5);
          }
          rows.push(`${cfg} ${les.id} (${les.volume_ml.toFixed(3)} mL) 20 clicks: ${out.join(' ')}`);
        }
      }
      console.log(rows.join('\n'));
    });
  }

  it('air, on CT and on MR (background signal): a message and no lesion', () => {
    const geom = new VolumeGeometry({ dims: [48, 48, 48], spacingMm: [1, 1, 1], originLps: [0, 0, 0], directionCosines: [1, 0, 0, 0, 1, 0, 0, 0, 1] });
    const rnd = mulberry32(5);
    const ct = createScalarVolume('air-ct', geom, new Int16Array(48 ** 3).map(() => Math.round(-1000 + 20 * (rnd() - 0.5))), 'HU', 'CT');
    const a = regionGrow(ct, { ijk: [24, 24, 24] });
    expect(a.problem).toBe('air');
    expect(a.message).toMatch(NEXT_STEP);
    // MR background: Rayleigh-like noise around a few units
    const mr = createScalarVolume('air-mr', geom, new Int16Array(48 ** 3).map(() => Math.round(12 * Math.sqrt(-2 * Math.log(1 - rnd())))), 'raw', 'MR');
    const b = regionGrow(mr, { ijk: [24, 24, 24] });
    console.log(`[refusal] CT air: ${a.message}\n[refusal] MR background: ${b.problem}: ${b.message}`);
    expect(b.problem).toBeDefined();
    expect(b.voxelCount).toBe(0);
    expect(b.message).toMatch(NEXT_STEP);
  });

  it('fatty-thick.json: a click the bone enclosure refuses says on which side the bone is open or out of reach, not a generic refusal', () => {
    const { volume, truth } = loadPhantomVolume(ensurePhantom(config('fatty-thick.json')));
    const rows: string[] = [];
    let refused = 0;
    for (const les of truth.lesions) for (const p of innerHalfClicks(les, 20, 13)) {
      const r = regionGrow(volume, { lps: p });
      if (r.problem !== 'outside-bone') continue;
      refused++;
      rows.push(`${les.id} ${p.map((x) => x.toFixed(1)).join(', ')}: ${r.message}`);
      expect(r.message).toMatch(/(open on its|beyond Grow's|opening wider than|edge of the bone|outside the bone).*(Strokes \(L\)|Brush \(B\))/);
      expect(r.voxelCount).toBe(0);
    }
    console.log(rows.join('\n'));
    expect(refused).toBeGreaterThan(0);
  });
});
