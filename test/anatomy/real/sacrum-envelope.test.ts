/**
 * The sacrum mask and the sacral envelope that planning uses, on real CT with fatty marrow: points read
 * by eye (test/anatomy/fixtures/sacrum-points.json) inside the S1/S2 bodies and the alae must be inside
 * the envelope; points in the L5-S1 disc, the ilium beyond the SI joint and the presacral fat must be
 * outside it; the canal must be outside the sacrum mask (the envelope fills the canal and the foramina
 * by design, planning/envelope.ts; a needle there fails on the canal clearance instead).
 * The landmarks and the mask come from the app's own path (CaseEngine 'detectAnatomy', the trusted
 * landmarks), the envelope from buildSacralEnvelope as the planner builds it.
 * The needle tip in the S1 body at 137 HU that was reported "outside the sacrum" is replayed through
 * evaluateTrajectory.
 */
import { readFileSync } from 'node:fs';
import { resolve, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ScalarVolume } from '../../../src/core/volume';
import type { Vec3 } from '../../../src/core/vec3';
import { CaseEngine } from '../../../src/case/engine';
import { buildSacralEnvelope, envelopeSdf, type SacralEnvelope } from '../../../src/planning/envelope';
import { evaluateTrajectory } from '../../../src/planning/trajectory';
import { DEFAULT_THRESHOLDS } from '../../../src/planning/types';
import { NEEDLE_CATALOGUE } from '../../../src/planning/needles';
import { fitSacralFrame } from '../../../src/anatomy/frame';
import { ensurePhantom, filesIn, readTruth, requireShared } from '../../helpers/shared';
import { scanAndLoadDicom } from '../../../src/io/dicom';
import { maskAt, sacralToLps } from '../fixtures-anatomy';
import { loadRealScan, readReference, type RealScan } from './reference';

const here = dirname(fileURLToPath(import.meta.url));
interface Pt { name: string; lps: Vec3 }
const POINTS = JSON.parse(readFileSync(resolve(here, '..', 'fixtures', 'sacrum-points.json'), 'utf8')).scans as Record<string, { inside: Pt[]; outside: Pt[] }>;

/**
 * Points still wrong (it.fails: each turns red when it is mended). L5 is cut off at the L5/S1 disc plane
 * (sacral-base.ts), so the discs are outside and S2 inside. The alae and lateral masses of a fatty sacrum are
 * closed laterally by the sacral side of the SI joint, which the threshold gives to the ilium: the marrow
 * enclosed by the cortex of all the bones is shared out by depth below the cortex (enclosure.ts), so the
 * sacrum takes its lateral masses and the ilia theirs. The marrow the sacrum's cortex encloses (enclosure.ts)
 * takes in the sacral canal as well, which its roof closes over: the canal's lumen, traced in front of the roof
 * along the sacrum (canal-lumen.ts), is taken out again.
 */
const KNOWN_WRONG: Record<string, string[]> = {
  'pelvic-ref-003': [],
  'pancreas-ct-cb-001-upper-sacrum': [],
  'totalseg-example-ct': [],
};

const run = requireShared(true);

function scanSuite(name: RealScan): void {
  describe(name, () => {
    let volume: ScalarVolume;
    let mask: Uint8Array;
    let env: SacralEnvelope;
    let engine: CaseEngine;
    beforeAll(async () => {
      volume = await loadRealScan(readReference(name));
      engine = new CaseEngine(volume);
      engine.run({ type: 'detectAnatomy' });
      mask = engine.currentSacrumMask!;
      env = buildSacralEnvelope(volume, mask, engine.currentAnatomy)!;
      expect(env).not.toBeNull();
    }, 180_000);
    const pts = POINTS[name]!;
    const known = KNOWN_WRONG[name] ?? [];
    for (const p of pts.inside) {
      (known.includes(p.name) ? it.fails : it)(`${p.name} ${JSON.stringify(p.lps)} is inside the envelope`, () => {
        const sdf = envelopeSdf(env, p.lps[0], p.lps[1], p.lps[2]);
        console.log(`[${name}] inside? ${p.name}: sdf ${sdf.toFixed(1)} mm, mask ${maskAt(volume, mask, p.lps)}`);
        expect(sdf).toBeLessThan(0);
      });
    }
    for (const p of pts.outside) {
      const canal = p.name.startsWith('sacral canal');
      (known.includes(p.name) ? it.fails : it)(`${p.name} ${JSON.stringify(p.lps)} is outside the ${canal ? 'sacrum mask' : 'envelope'}`, () => {
        const sdf = envelopeSdf(env, p.lps[0], p.lps[1], p.lps[2]);
        console.log(`[${name}] outside? ${p.name}: sdf ${sdf.toFixed(1)} mm, mask ${maskAt(volume, mask, p.lps)}`);
        if (canal) expect(maskAt(volume, mask, p.lps)).toBe(0);
        else expect(sdf).toBeGreaterThan(0);
      });
    }
    if (name === 'pelvic-ref-003') {
      it('a needle tip in the S1 body at 137 HU is not "outside the sacrum" (it was before)', () => {
        const tip = pts.inside.find((p) => p.name.includes('137 HU'))!.lps;
        expect(volume.voxels[volume.geometry.offset(...volume.geometry.nearestIndex(tip)!)]).toBe(137);
        // a posterior approach: entry 80 mm behind the tip, straight along +y
        const entry: Vec3 = [tip[0], tip[1] + 80, tip[2]];
        const anatomy = engine.currentAnatomy;
        const m = evaluateTrajectory({ anatomy, frame: anatomy?.frame ? fitSacralFrame(anatomy.frame) : null, envelope: env, volume, thresholds: DEFAULT_THRESHOLDS }, entry, tip, NEEDLE_CATALOGUE[0]!);
        console.log(`[${name}] 137 HU tip: ${m.reasons.join('; ')}`);
        expect(m.reasons.filter((r) => r.includes('outside the sacrum'))).toEqual([]);
        expect(envelopeSdf(env, tip[0], tip[1], tip[2])).toBeLessThan(0);
      });
    }
  });
}

describe.skipIf(!run)('sacrum mask and envelope on real CT (points read by eye)', () => {
  for (const name of ['pelvic-ref-003', 'pancreas-ct-cb-001-upper-sacrum', 'totalseg-example-ct'] as const) scanSuite(name);
});

/**
 * The same on phantoms with exact truth and fatty marrow: fatty.json (../shared) and the osteopenic
 * sacrum (test/anatomy/configs/osteopenic.json): the S1–S4 body centres are inside the envelope; the middle
 * of L5, the ilium beyond the SI joint (x ±68 mm at s 15 mm, the sacrum reaching 54 mm + a 2.5 mm joint)
 * and the presacral fat (15 mm anterior of the S2 body) are outside.
 */
describe.skipIf(!run)('sacrum envelope on fatty-marrow phantoms (exact truth)', () => {
  // known: points still wrong (the test fails when one is mended or another breaks). The osteopenic sacrum's
  // faint cortex fills to no bone core, so it is sought again as the bone a 12 mm ball cannot enter (detect.ts,
  // BREACH_BALL_MM): the bodies are then inside, and the ball closes the L5/S1 disc too; the mask is cut at the
  // disc, found on a finer grid than the coarse one where the faint cortex of the SI joints is lost (detect.ts),
  // so L5 is outside. (The right S1 foramen it once showed as found 12.6 mm off is followed over 9 of its 34 mm and
  // shown as check: combine.ts, length against its mirror partner.)
  const configs: { name: string; config: string | Record<string, unknown>; known: string[] }[] = [
    { name: 'fatty', config: 'fatty.json', known: [] },
    { name: 'osteopenic', config: JSON.parse(readFileSync(resolve(here, '..', 'configs', 'osteopenic.json'), 'utf8')) as Record<string, unknown>, known: [] },
  ];
  for (const c of configs) {
    it(c.name, async () => {
      const dir = ensurePhantom(c.config);
      const r = await scanAndLoadDicom(filesIn(join(dir, 'dicom')));
      const volume = r.loaded!.volume;
      const truth = readTruth(dir);
      const engine = new CaseEngine(volume);
      engine.run({ type: 'detectAnatomy' });
      const mask = engine.currentSacrumMask;
      const env = mask ? buildSacralEnvelope(volume, mask, engine.currentAnatomy) : null;
      const sdf = (p: Readonly<Vec3>) => (env ? envelopeSdf(env, p[0], p[1], p[2]) : Infinity);
      const rows: string[] = [];
      const wrong: string[] = [];
      const check = (name: string, p: Readonly<Vec3>, inside: boolean) => {
        const d = sdf(p);
        rows.push(`${name} ${d.toFixed(1)} mm`);
        if ((d < 0) !== inside) wrong.push(name);
      };
      for (const l of truth.anatomy.levels.slice(0, 4)) check(`${l.level} body`, l.body_center_lps, true);
      const l5 = truth.anatomy.l5;
      check('L5 middle', [0, 1, 2].map((a) => l5.inferior_endplate_center_lps[a] + l5.axis_lps[a] * l5.height_mm * 0.5) as Vec3, false);
      for (const x of [68, -68]) check(`ilium x ${x}`, sacralToLps(truth, x, 15, 10), false);
      check('presacral fat', sacralToLps(truth, 0, 40, -15), false);
      console.log(`[${c.name}] envelope signed distance: ${rows.join('; ')}`);
      expect(wrong).toEqual(c.known);
    }, 300_000);
  }
});
