/**
 * One click that never misleads (issue 13): random clicks in the inner half of every phantom
 * lesion, clicks on a noise outlier, and clicks that must give a message and no lesion.
 *
 * - fatty.json and the two fatty configs of test/anatomy/configs (fatty-thick: 3 mm slices;
 *   fatty-oblique: double-oblique 0.75 × 0.9 × 2 mm; fatty-thin-cortex: 30 HU marrow with 60 HU of
 *   texture behind a 0.5 mm cortex on 3 mm slices, lesions darker and brighter than it, where the
 *   bone enclosure stays open and Grow falls back to the lesion's own edge) (fatty marrow: cancellous 110 HU, lytic 45 HU, a near-iso lesion at 80 HU, noise 18
 *   HU, texture 30 HU): each of 20 random clicks in the inner half of each lesion either grows
 *   within 10 % of the analytic volume (partial-volume estimate) or is refused with a reason in
 *   words; no click grows more than 1.5 × the lesion.
 * - default.json, tricky.json and hard.json: all 20 clicks per lesion grow; the partial-volume volume
 *   within 2 % (default, tricky) and 5 % (hard: 3 mm oblique slices); the same on noise seeds 2 and 3
 *   (5 clicks per lesion).
 * Figures are printed for the report.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ensurePhantom, ensurePhantomSeeds, requireShared } from '../helpers/shared';
import { loadPhantomVolume } from './phantom-volume';
import { expectNormalMarrowRefused, innerHalfClicks } from './clicks';
import { regionGrow } from '../../src/segmentation/region-grow';
import { partialVolumeEstimate } from '../../src/segmentation/partial-volume';
import { createScalarVolume } from '../../src/core/volume';
import { VolumeGeometry } from '../../src/core/geometry';
import { makeSegmentScene } from '../../bench/segment-scene';
import type { Vec3 } from '../../src/core/vec3';

const run = requireShared(true);
const configsDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'anatomy', 'configs');
const CLICKS = 20;

describe('Grow: clicks that give a message and no lesion (synthetic scene)', () => {
  const scene = makeSegmentScene([240, 160, 130], [0.7, 0.7, 1]);
  it('a noise-outlier voxel under the cursor grows the same lesion as its neighbour', () => {
    const { volume } = scene;
    const g = volume.geometry;
    const c = g.lpsToIjk([0, 0, 0], scene.lyticCenterLps).map(Math.round) as Vec3;
    const ref = regionGrow(volume, { ijk: c });
    const vox = Int16Array.from(volume.voxels as Int16Array);
    const o = c[0] + g.dims[0] * (c[1] + g.dims[1] * c[2]);
    vox[o] = 400; // a bright noise spike: far outside the lytic window
    const spiked = createScalarVolume('spiked', g, vox, 'HU', 'CT');
    const r = regionGrow(spiked, { ijk: c });
    expect(r.problem, r.message).toBeUndefined();
    expect(Math.abs(r.voxelCount / ref.voxelCount - 1)).toBeLessThan(0.01);
  });
  it('soft tissue outside the bone, normal bone and air are refused with the reason', () => {
    const { volume } = scene;
    const soft = regionGrow(volume, { lps: [0, 0, 58] });
    expect(soft.problem).toBe('outside-bone');
    expect(soft.voxelCount).toBe(0);
    expect(soft.message).toMatch(/soft tissue/);
    const bone = regionGrow(volume, { lps: [-10, 10, -20] });
    expect(bone.problem).toBeDefined();
    expect(bone.voxelCount).toBe(0);
    expect(bone.message).toMatch(/normal bone/);
    const geom = new VolumeGeometry({ dims: [40, 40, 40], spacingMm: [1, 1, 1], originLps: [0, 0, 0], directionCosines: [1, 0, 0, 0, 1, 0, 0, 0, 1] });
    const air = createScalarVolume('air', geom, new Int16Array(40 ** 3).map((_, n) => -1000 + ((n * 7919) % 23) - 11), 'HU', 'CT');
    const a = regionGrow(air, { ijk: [20, 20, 20] });
    expect(a.problem).toBe('air');
    expect(a.message).toMatch(/air/);
  });
});

describe.skipIf(!run)('Grow: 20 random clicks in the inner half of every phantom lesion', () => {
  for (const cfg of ['fatty.json', 'fatty-thick.json', 'fatty-oblique.json', 'fatty-thin-cortex.json', 'fatty-lytic-body.json']) it(`fatty marrow (${cfg}): within 10 % or refused with a reason; never more than 1.5 × the lesion`, () => {
    const config = cfg === 'fatty.json' ? cfg : (JSON.parse(readFileSync(join(configsDir, cfg), 'utf8')) as Record<string, unknown>);
    const { volume, truth } = loadPhantomVolume(ensurePhantom(config));
    const rows: string[] = [];
    const checks: (() => void)[] = [];
    for (const les of truth.lesions) {
      const errs: number[] = [];
      const why = new Map<string, number>();
      let worst = 0;
      for (const p of innerHalfClicks(les, CLICKS, 13)) {
        const r = regionGrow(volume, { lps: p });
        worst = Math.max(worst, r.volumeMl / les.volume_ml);
        if (r.problem) {
          why.set(r.problem, (why.get(r.problem) ?? 0) + 1);
          checks.push(() => { expect(r.voxelCount).toBe(0); expect(r.message, les.id).toMatch(/\w{3,}/); });
          continue;
        }
        const pv = partialVolumeEstimate(volume, r.offsets).volumeMl;
        errs.push(pv / les.volume_ml - 1);
      }
      const maxErr = errs.length ? Math.max(...errs.map(Math.abs)) : 0;
      rows.push(`${cfg} ${les.id} ${les.type} ${les.hu} HU ${les.volume_ml.toFixed(3)} mL: grown ${errs.length}/${CLICKS}, max |PV error| ${(100 * maxErr).toFixed(1)} %, refused ${JSON.stringify([...why])}, largest grown/truth ${worst.toFixed(2)}`);
      checks.push(() => { expect(worst, les.id).toBeLessThanOrEqual(1.5); expect(maxErr, les.id).toBeLessThan(0.1); });
      // a tool that refuses everything is not the point: the lytic lesions at the config's full
      // lytic contrast (not the near-iso ones) grow from most clicks
      const fullContrast = les.type === 'lytic' && les.hu === (truth.config?.hu?.lytic ?? les.hu) && !String(les.description ?? '').includes('near-iso');
      // fatty-thin-cortex.json and fatty-lytic-body.json: known gaps, asserted by the expected failures below
      if (fullContrast && cfg !== 'fatty-thin-cortex.json' && cfg !== 'fatty-lytic-body.json') checks.push(() => expect(errs.length, `${les.id} clicks grown`).toBeGreaterThanOrEqual(0.8 * CLICKS));
      // fatty-thin-cortex.json C2 (90 HU, brighter than the 30 HU marrow): grown as a core of one tissue
      // (step 9 of region-grow.ts) from 19 of 20 clicks as measured (−4.6 … −4.1 %, the 20th click lies
      // where bone meets it on 17 of 26 sides: soft tissue at the bone's edge); asserted at 16
      if (cfg === 'fatty-thin-cortex.json' && les.id === 'C2') checks.push(() => expect(errs.length, `${les.id} clicks grown`).toBeGreaterThanOrEqual(16));
    }
    console.log(rows.join('\n'));
    for (const c of checks) c();
  }, 600_000); // the phantom is generated on first use (fatty.json: 99 s of the 120 s default in a cold CI run)

  // NOT MET (issue 13): on 30 HU marrow with 60 HU of texture behind a 0.5 mm cortex on 3 mm slices
  // the bone enclosure stays open, and the lesion's own edge (own-edge.ts) is refused: the grow and
  // the region of maximum boundary contrast disagree by more than 10 % (0.73-0.84 for C1; texture dips
  // next to the lesion reach its level). The core of one tissue (step 9) grows C2 (above); for C1 its
  // partial-volume volume (+11 %) and its outline at the midpoint (+3 %) disagree, for C3 the marrow
  // around its core reads within 6 noise SDs of its level; so C1 and C3 are refused on every click with
  // the reason (none over 10 %: the test above)
  it.fails('fatty-thin-cortex.json: the lytic lesion (C1) and the soft-tissue lesions brighter than the marrow (C2, C3) grow from most clicks (NOT MET: C1 and C3 refused)', () => {
    const config = JSON.parse(readFileSync(join(configsDir, 'fatty-thin-cortex.json'), 'utf8')) as Record<string, unknown>;
    const { volume, truth } = loadPhantomVolume(ensurePhantom(config));
    for (const les of truth.lesions) {
      if (les.type !== 'lytic') continue;
      const grown = innerHalfClicks(les, 5, 13).filter((p) => !regionGrow(volume, { lps: p }).problem).length;
      expect(grown, les.id).toBeGreaterThanOrEqual(4);
    }
  });

  // NOT MET (issue 13): fatty-lytic-body.json (0 HU lesions in 98 ± 74 HU marrow on 1 × 1 × 3 mm slices,
  // as pelvic-ref-003's S1 body, where P1 grows from 20 of 20 clicks within 0.3 %): the phantom's marrow
  // texture (white noise of a 0.7 mm grain, uncorrelated between slices) puts marrow at the lesion's
  // level against every edge; the core of one tissue reads −13 … −9 % by its partial-volume volume
  // against −7 … −4 % (F2: −23 %) for its outline at the midpoint, so every click is refused with the reason.
  // Measured this round: F1 and F3 are refused by 5.4-5.8 % of disagreement (core 0.93 / 1.29 mL, outline
  // 0.99 / 1.37 mL); the lesion Grow would show, that outline opened by 2 mm, reads −9.9 % and −8 … −6.5 %
  // by its partial-volume volume, the outline un-opened −1.5 % and −3.1 … −1.4 % (fatty-lytic-body-2mm G2 below)
  it.fails('fatty-lytic-body.json: the lytic lesions F1-F3 grow from most clicks (NOT MET: all refused)', () => {
    const config = JSON.parse(readFileSync(join(configsDir, 'fatty-lytic-body.json'), 'utf8')) as Record<string, unknown>;
    const { volume, truth } = loadPhantomVolume(ensurePhantom(config));
    for (const les of truth.lesions) {
      const grown = innerHalfClicks(les, 5, 13).filter((p) => !regionGrow(volume, { lps: p }).problem).length;
      expect(grown, les.id).toBeGreaterThanOrEqual(4);
    }
  });

  // fatty-lytic-body-2mm.json: the mottled fatty marrow of fatty-lytic-body.json (85 ± 70 HU around 5 HU
  // lesions) on 0.9 × 0.9 × 2 mm slices. G1 (S1 body) grows through the core of one tissue (region-grow.ts
  // step 9) from 20 of 20 clicks at −4.5 %, G3 (S3 body, smaller) is refused from 20 of 20 (low contrast);
  // asserted here: every click within 10 % or refused, never over 1.5 ×, G1 from most clicks
  const lyticBody2mm = () => loadPhantomVolume(ensurePhantom(JSON.parse(readFileSync(join(configsDir, 'fatty-lytic-body-2mm.json'), 'utf8')) as Record<string, unknown>));
  const growAll = (volume: Parameters<typeof regionGrow>[0], les: any) => innerHalfClicks(les, CLICKS, 13).map((p) => {
    const r = regionGrow(volume, { lps: p });
    return { r, err: r.problem ? NaN : partialVolumeEstimate(volume, r.offsets).volumeMl / les.volume_ml - 1 };
  });
  it('fatty-lytic-body-2mm.json G1 and G3: within 10 % or refused with a reason; G1 grows from most clicks', () => {
    const { volume, truth } = lyticBody2mm();
    for (const les of truth.lesions.filter((l: any) => l.id !== 'G2')) {
      const out = growAll(volume, les);
      const errs = out.filter((x) => !x.r.problem).map((x) => x.err);
      console.log(`fatty-lytic-body-2mm.json ${les.id}: grown ${errs.length}/${CLICKS}, PV error ${errs.map((e) => (100 * e).toFixed(1)).join(', ')} %`);
      for (const { r, err } of out) {
        expect(r.volumeMl / les.volume_ml, les.id).toBeLessThanOrEqual(1.5);
        if (r.problem) { expect(r.voxelCount).toBe(0); expect(r.message, les.id).toMatch(/\w{3,}/); }
        else expect(Math.abs(err), les.id).toBeLessThan(0.1);
      }
      if (les.id === 'G1') expect(errs.length).toBeGreaterThanOrEqual(0.8 * CLICKS);
    }
  }, 600_000); // the phantom is generated on first use
  // G2 (left S1 ala, 0.98 mL) grew from 20 of 20 clicks at −17.8 % without a word. Cause, measured: the core
  // of one tissue (step 9) is accepted on its outline at the midpoint (0.90 mL, 4.7 % above the core's
  // partial-volume volume, 0.86 mL), but the lesion shown is that outline opened by 2 mm (0.80 mL): on 2 mm
  // slices the opening's ball reaches one slice up and down at its poles only, so it also cuts the rim of
  // the lesion's cap slices. The outline un-opened gives G2 −8.1 %, G1 −0.6 %, but pelvic-ref-003 P1 +4.2 …
  // +5.7 % with a 17.1 mm diameter against 14.1 (the opening is what cuts P1's darker-marrow rim). Now
  // refused (region-grow.ts OUTLINE_AGREEMENT): the volumes shown for the outline with and without the
  // opening, 0.90 and 0.81 mL, differ by 12 %, more than Grow's 10 % (G1 and P1 still grow from 20 of 20)
  it('fatty-lytic-body-2mm.json G2: within 10 % or refused, naming the outlines\' difference (was grown at −17.8 %, unwarned)', () => {
    const { volume, truth } = lyticBody2mm();
    const out = growAll(volume, truth.lesions.find((l: any) => l.id === 'G2'));
    console.log(`fatty-lytic-body-2mm.json G2: ${out.map((x) => (x.r.problem ? x.r.problem : (100 * x.err).toFixed(1))).join(', ')}`);
    for (const { r, err } of out) if (!r.problem) expect(Math.abs(err)).toBeLessThan(0.1);
    expect(out.filter((x) => /differ by \d+ %, more than the 10 % that Grow promises/.test(x.r.message ?? '')).length).toBeGreaterThanOrEqual(16);
  }, 600_000);

  // the accuracy: 2 % on 1-1.5 mm grids (default, tricky), 5 % on 3 mm oblique slices (hard),
  // by the partial-volume estimate of the grown mask (figures printed)
  for (const [cfg, limit] of [['default.json', 0.02], ['hard.json', 0.05], ['tricky.json', 0.02]] as const) {
    it(`${cfg}: every click grows, partial-volume volume within ${100 * limit} %`, () => {
      const { volume, truth } = loadPhantomVolume(ensurePhantom(cfg));
      const rows: string[] = [];
      const checks: (() => void)[] = [];
      for (const les of truth.lesions) {
        const errs: number[] = [];
        let refused = 0;
        for (const p of innerHalfClicks(les, CLICKS, 13)) {
          const r = regionGrow(volume, { lps: p });
          if (r.problem) { refused++; continue; }
          errs.push(partialVolumeEstimate(volume, r.offsets).volumeMl / les.volume_ml - 1);
        }
        const maxErr = Math.max(...errs.map(Math.abs));
        rows.push(`${cfg} ${les.id}: grown ${errs.length}/${CLICKS}, PV error ${(100 * Math.min(...errs)).toFixed(1)} … ${(100 * Math.max(...errs)).toFixed(1)} %`);
        checks.push(() => { expect(refused, les.id).toBe(0); expect(maxErr, les.id).toBeLessThan(limit); });
      }
      console.log(rows.join('\n'));
      for (const c of checks) c();
    });
  }
});

describe.skipIf(!run)('Grow on other noise seeds (noise and bone texture) of default, hard and tricky', () => {
  // 5 inner-half clicks per lesion, seeds 2 and 3 (seed 1 above): the same limits, hard.json L5
  // (beside the S3 foramen's cortical lining, 3 mm slices) included
  const SEEDS = [2, 3];
  const errorsOf = (cfg: string, seed: number) => {
    const { volume, truth } = loadPhantomVolume(ensurePhantom(cfg, seed));
    const out: { id: string; errs: number[]; refused: number }[] = [];
    for (const les of truth.lesions) {
      const errs: number[] = [];
      let refused = 0;
      for (const p of innerHalfClicks(les, 5, 13)) {
        const r = regionGrow(volume, { lps: p });
        if (r.problem) { refused++; continue; }
        errs.push(partialVolumeEstimate(volume, r.offsets).volumeMl / les.volume_ml - 1);
      }
      out.push({ id: les.id, errs, refused });
    }
    return out;
  };
  for (const [cfg, limit] of [['default.json', 0.02], ['hard.json', 0.05], ['tricky.json', 0.02]] as const) {
    it(`${cfg}, seeds ${SEEDS.join(' and ')}: every click grows, partial-volume volume within ${100 * limit} %`, () => {
      const rows: string[] = [];
      const checks: (() => void)[] = [];
      // the seeds' series made in one generator run (labels and truth do not depend on the seed: computed once), with
      // hard.json's seed 4 of the known gap below
      ensurePhantomSeeds(cfg, cfg === 'hard.json' ? [...SEEDS, 4] : SEEDS);
      for (const seed of SEEDS) for (const { id, errs, refused } of errorsOf(cfg, seed)) {
        rows.push(`${cfg} seed ${seed} ${id}: grown ${errs.length}/5, PV error ${(100 * Math.min(...errs)).toFixed(1)} … ${(100 * Math.max(...errs)).toFixed(1)} %`);
        checks.push(() => { expect(refused, `${id} seed ${seed}`).toBe(0); for (const e of errs) expect(Math.abs(e), `${id} seed ${seed}`).toBeLessThan(limit); });
      }
      console.log(rows.join('\n'));
      for (const c of checks) c();
    }, 600_000); // without the CI global setup's batches, the seeds are generated here: three runs on a fresh machine
  }
  // NOT MET (issue 13): on noise seed 4, outside the seeds above, hard.json L5 reads +6.2 % (+10.5 %
  // before partial-volume.ts skipped ramp references and third-tissue cap voxels): foramen-content
  // voxels of the cap band beside the S3 foramen's lining (contrast to the lesion 50 HU, 2.5 noise SDs)
  // take the foramen's plain level as their background while the lining's blur brightens them (measured
  // against the noise-free renders of seed 4, partial-volume.ts notes: of the +6.3 %, +2.8 points from 16
  // such cap voxels, +1.7 from the inner band's background over bone, +1.5 from cap voxels over bone)
  it.fails('hard.json L5, noise seed 4: within 5 % (NOT MET: +6.2 %)', () => {
    const l5 = errorsOf('hard.json', 4).find((x) => x.id === 'L5')!;
    console.log(`hard.json seed 4 L5: ${l5.errs.map((e) => (100 * e).toFixed(1)).join(', ')} %`);
    expect(l5.refused).toBe(0);
    for (const e of l5.errs) expect(Math.abs(e)).toBeLessThan(0.05);
  });
});

describe.skipIf(!run)('Grow: clicks in normal fatty marrow give a message and no lesion', () => {
  for (const cfg of ['fatty.json', 'fatty-thick.json', 'fatty-oblique.json', 'fatty-thin-cortex.json', 'fatty-lytic-body.json']) it(cfg, () => {
    const config = cfg === 'fatty.json' ? cfg : (JSON.parse(readFileSync(join(configsDir, cfg), 'utf8')) as Record<string, unknown>);
    const { volume, truth } = loadPhantomVolume(ensurePhantom(config));
    // around each sacral body centre, points at least 4 mm from every lesion
    console.log(expectNormalMarrowRefused(volume, truth, cfg, /\w{3,}/).join('\n'));
  });
});

describe('Grow on MR (no HU): the window from the click neighbourhood', () => {
  /** A 50 mm block of marrow (signal `marrow`) with a 1.5 mm dark cortex in soft tissue, a 7 mm ball of `lesion` inside; noise SD `noise`; values × scale + offset. */
  function mr(marrow: number, lesion: number, noise: number, scale = 1, offset = 0) {
    const n = 80, sp = 0.8;
    const geom = new VolumeGeometry({ dims: [n, n, n], spacingMm: [sp, sp, sp], originLps: [0, 0, 0], directionCosines: [1, 0, 0, 0, 1, 0, 0, 0, 1] });
    const v = new Int16Array(n ** 3);
    let s = 12345;
    const rnd = () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s / 4294967296; };
    const c = 32;
    for (let k = 0; k < n; k++) for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) {
      const x = i * sp, y = j * sp, z = k * sp;
      const edge = Math.max(Math.abs(x - c), Math.abs(y - c), Math.abs(z - c));
      let t = edge > 25 ? 300 : edge > 23.5 ? 40 : marrow;
      if (Math.hypot(x - c, y - c, z - c) <= 7) t = lesion;
      const g = (rnd() + rnd() + rnd() + rnd() - 2) * Math.sqrt(3) * noise;
      v[i + n * (j + n * k)] = Math.round((t + g) * scale + offset);
    }
    return { volume: createScalarVolume('mr', geom, v, 'raw', 'MR'), center: [c, c, c] as Vec3, truthMl: (4 / 3) * Math.PI * 343 / 1000 };
  }
  it('a dark (T1) and a bright (STIR) metastasis in marrow grow within 5 %, the same after any linear rescale of the values', () => {
    for (const [marrow, lesion] of [[600, 250], [150, 700]] as const) {
      const a = mr(marrow, lesion, 30);
      const r = regionGrow(a.volume, { lps: [a.center[0] + 2, a.center[1] - 1, a.center[2]] });
      expect(r.problem, r.message).toBeUndefined();
      expect(r.kind).toBe('custom');
      expect(Math.abs(r.volumeMl / a.truthMl - 1), `${marrow}/${lesion}: ${r.volumeMl.toFixed(3)} mL`).toBeLessThan(0.05);
      const b = mr(marrow, lesion, 30, 3, 100);
      const rb = regionGrow(b.volume, { lps: [b.center[0] + 2, b.center[1] - 1, b.center[2]] });
      expect(rb.voxelCount).toBe(r.voxelCount);
    }
  });
});
