/**
 * Lesion / background strokes with a competitive grow (issue 13), against phantom truth: on three
 * fatty-marrow phantoms (fatty.json; fatty-thick.json, 3 mm slices; fatty-oblique.json, a double-
 * oblique 0.75 × 0.9 × 2 mm grid), where Grow refuses the lytic and near-iso lesions, a short
 * lesion stroke through each lesion and background rings 3 mm beyond its edge in an axial and a
 * sagittal plane (what a user paints in those views) give every lesion within 10 % of its analytic
 * volume. Also: other lesions are never taken; a synthetic near-iso sphere within 10 %.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ensurePhantom, requireShared } from '../helpers/shared';
import { loadPhantomVolume } from './phantom-volume';
import { growFromSeeds, type SeedStroke } from '../../src/segmentation/seeded-grow';
import { edgeUnsupported } from '../../src/segmentation/strokes-edge';
import { strokesOverrun } from '../../src/segmentation/strokes-overrun';
import { unsampledReported } from '../../src/segmentation/strokes-unsampled';
import { LabelMap } from '../../src/segmentation/labelmap';
import { lesionStats, shownVolume } from '../../src/segmentation/stats';
import { paintedStrokes, leakStrokes, halfCoverageMask } from './painted-strokes';
import { VolumeGeometry } from '../../src/core/geometry';
import { createScalarVolume, type ScalarVolume } from '../../src/core/volume';
import { mulberry32 } from '../../src/core/random';
import type { Vec3 } from '../../src/core/vec3';

/** A lesion stroke along axis a0 through the centre (± 0.4 semi-axis) and background rings at semi-axis + 4 mm in the planes (a0, a1) and (a0, a2). */
function userStrokes(c: Vec3, axes: number[][], semi: number[]): SeedStroke[] {
  const at = (u: number, v: number, a: number, b: number): Vec3 => [0, 1, 2].map((d) => c[d]! + u * axes[a]![d]! + v * axes[b]![d]!) as Vec3;
  const ring = (a: number, b: number): SeedStroke => ({
    kind: 'background', radiusMm: 1.5,
    pointsLps: Array.from({ length: 33 }, (_, t) => at(Math.cos((2 * Math.PI * t) / 32) * (semi[a]! + 4), Math.sin((2 * Math.PI * t) / 32) * (semi[b]! + 4), a, b)),
  });
  return [{ kind: 'lesion', radiusMm: 2, pointsLps: [at(-0.4 * semi[0]!, 0, 0, 1), at(0.4 * semi[0]!, 0, 0, 1)] }, ring(0, 1), ring(0, 2)];
}

describe('growFromSeeds on a synthetic near-iso sphere', () => {
  it('a 6 mm sphere at 80 in marrow at 110 (noise 18, texture) within 10 %; other lesions never taken', () => {
    const n = 64, sp = 0.8;
    const geom = new VolumeGeometry({ dims: [n, n, n], spacingMm: [sp, sp, sp], originLps: [0, 0, 0], directionCosines: [1, 0, 0, 0, 1, 0, 0, 0, 1] });
    const rnd = mulberry32(3);
    const v = new Int16Array(n ** 3);
    const c: Vec3 = [25.6, 25.6, 25.6];
    for (let k = 0; k < n; k++) for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) {
      const r = Math.hypot(i * sp - c[0], j * sp - c[1], k * sp - c[2]);
      const noise = (rnd() + rnd() + rnd() + rnd() - 2) * 18 * Math.sqrt(3);
      v[i + n * (j + n * k)] = Math.round((r <= 6 ? 80 : 110) + noise);
    }
    const vol = createScalarVolume('iso', geom, v, 'HU', 'CT');
    const eye = [[1, 0, 0], [0, 1, 0], [0, 0, 1]];
    const r = growFromSeeds(vol, userStrokes(c, eye, [6, 6, 6]));
    const ml = (r.offsets.length * geom.voxelVolumeMm3) / 1000, truth = (4 / 3) * Math.PI * 216 / 1000;
    expect(Math.abs(ml / truth - 1)).toBeLessThan(0.1);
    // a block of "another lesion" next to it is never taken
    const other = (o: number) => o % n > 40;
    const r2 = growFromSeeds(vol, userStrokes(c, eye, [6, 6, 6]), { blocked: other });
    expect(Array.from(r2.offsets).some(other)).toBe(false);
    // without a lesion stroke: nothing, with the reason
    expect(growFromSeeds(vol, [{ kind: 'background', radiusMm: 2, pointsLps: [c] }]).problem).toMatch(/lesion stroke/);
  });
});

/**
 * One lesion stroke and one background ring in the plane of thick slices (as on ProstateX's 3 mm
 * sagittal slices 3.6 mm apart, test/browser/strokes.e2e.ts): the ring bounds the lesion in its plane
 * only, and the lesion runs on across the slices. The region of interest was the strokes' box and
 * 5 mm (6.5 mm with the brush) across the plane, so a 7.5 mm ball's slices 7.2 mm off the ring's lay
 * outside it (measured here: −14.7 %, slices 3-5 only); it now holds the background strokes' reach
 * around the lesion strokes in every direction (bgReachMm). The re-decision of the outline on the
 * 0.5 mm copy then still gave that slice back (−14.1 %): it vetoed the lesion wherever the strokes'
 * prior was below 0 at all; it now adds the prior to the evidence as the grow does (+0.8 %).
 */
describe('growFromSeeds with one ring in the plane of thick slices', () => {
  it('a 7.5 mm ball on 0.625 × 0.625 × 3.6 mm voxels, a lesion stroke and one ring in its slice: within 10 %, every slice of it grown', () => {
    const [ni, nj, nk] = [72, 72, 9], sp: Vec3 = [0.625, 0.625, 3.6];
    const geom = new VolumeGeometry({ dims: [ni, nj, nk], spacingMm: sp, originLps: [0, 0, 0], directionCosines: [1, 0, 0, 0, 1, 0, 0, 0, 1] });
    // the ball's centre 1.6 mm off the slice the strokes are painted on (k = 4, z 14.4 mm): its slice k = 6
    // lies 5.6 mm from the centre (a cross-section 5 mm across) and 7.2 mm from the strokes
    const c: Vec3 = [22.5, 22.5, 16], rMm = 7.5, zs = 14.4;
    const rnd = mulberry32(5);
    const v = new Int16Array(ni * nj * nk);
    let truthVox = 0;
    for (let k = 0; k < nk; k++) for (let j = 0; j < nj; j++) for (let i = 0; i < ni; i++) {
      // coverage of the voxel's footprint, sampled 4 × 4 × 8 (the implants' partial volume, implant.py)
      let f = 0;
      for (let a = 0; a < 4; a++) for (let b = 0; b < 4; b++) for (let d = 0; d < 8; d++) {
        const x = (i - 0.375 + a / 4) * sp[0], y = (j - 0.375 + b / 4) * sp[1], z = (k - 0.4375 + d / 8) * sp[2];
        if (Math.hypot(x - c[0], y - c[1], z - c[2]) <= rMm) f++;
      }
      f /= 128;
      if (f >= 0.5) truthVox++;
      const noise = (rnd() + rnd() + rnd() + rnd() - 2) * 10 * Math.sqrt(3);
      v[i + ni * (j + nj * k)] = Math.round(f * 40 + (1 - f) * 120 + noise);
    }
    const vol = createScalarVolume('thick', geom, v, 'HU', 'CT');
    const strokes: SeedStroke[] = [
      { kind: 'lesion', radiusMm: 1.5, pointsLps: [[c[0] - 2, c[1], zs], [c[0] + 2, c[1], zs]] },
      { kind: 'background', radiusMm: 1.5, pointsLps: ring([c[0], c[1], zs], rMm + 3, 0, 1) },
    ];
    const r = growFromSeeds(vol, strokes);
    const truthMl = (4 / 3) * Math.PI * rMm ** 3 / 1000;
    const err = (r.offsets.length * geom.voxelVolumeMm3) / 1000 / truthMl - 1;
    const slices = new Set(Array.from(r.offsets, (o) => Math.floor(o / (ni * nj))));
    console.log(`thick-slice ball: ${(100 * err).toFixed(1)} % by voxel count (a mask of the voxels at least half covered: ${(100 * ((truthVox * geom.voxelVolumeMm3) / 1000 / truthMl - 1)).toFixed(1)} %), slices ${[...slices].sort().join(',')}`);
    expect([...slices].sort()).toEqual([3, 4, 5, 6]);
    expect(Math.abs(err)).toBeLessThan(0.1);
  });
});

const run = requireShared(true);
const configsDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'anatomy', 'configs');
/** A circle of radius r (mm) around c in the plane of two LPS axes, as a user paints it in a view. */
const ring = (c: Vec3, r: number, a: number, b: number): Vec3[] =>
  Array.from({ length: 33 }, (_, t) => { const p: Vec3 = [c[0], c[1], c[2]]; p[a] = p[a]! + r * Math.cos((2 * Math.PI * t) / 32); p[b] = p[b]! + r * Math.sin((2 * Math.PI * t) / 32); return p; });

describe.skipIf(!run)('growFromSeeds on three fatty-marrow phantoms', () => {
  for (const cfg of ['fatty.json', 'fatty-thick.json', 'fatty-oblique.json']) {
    it(`${cfg}: every lesion within 10 % (a lesion stroke, background rings 3 mm beyond its edge in an axial and a sagittal plane)`, () => {
      const config = cfg === 'fatty.json' ? cfg : (JSON.parse(readFileSync(join(configsDir, cfg), 'utf8')) as Record<string, unknown>);
      const { volume, truth } = loadPhantomVolume(ensurePhantom(config));
      const rows: string[] = [];
      const checks: (() => void)[] = [];
      for (const les of truth.lesions) {
        const c = les.center_lps as Vec3;
        const R = (les.shape === 'ellipsoid' ? Math.max(...les.semi_axes_mm) : Math.max(...les.spheres.map((s: any) => s.radius_mm + Math.hypot(s.center_lps[0] - c[0], s.center_lps[1] - c[1], s.center_lps[2] - c[2])))) + 3;
        const strokes: SeedStroke[] = [
          { kind: 'lesion', radiusMm: 1.5, pointsLps: [[c[0] - 3, c[1], c[2]], [c[0] + 3, c[1], c[2]]] },
          { kind: 'background', radiusMm: 1.5, pointsLps: ring(c, R, 0, 1) },
          { kind: 'background', radiusMm: 1.5, pointsLps: ring(c, R, 1, 2) },
        ];
        const t0 = performance.now();
        const r = growFromSeeds(volume, strokes);
        const ms = performance.now() - t0;
        const ml = (r.offsets.length * volume.geometry.voxelVolumeMm3) / 1000;
        const err = ml / les.volume_ml - 1;
        rows.push(`${cfg} ${les.id} ${les.type} ${les.hu} HU: ${ml.toFixed(3)} mL vs ${les.volume_ml.toFixed(3)} (${(100 * err).toFixed(1)} %), levels ${r.lesionLevel.toFixed(0)} / ${r.backgroundLevel?.toFixed(0)} ± ${r.sigma.toFixed(1)}, ${ms.toFixed(0)} ms; outline without edge ${r.edge ? `${(100 * r.edge.unsupportedShare).toFixed(0)} %${edgeUnsupported(r.edge) ? ` (warned, towards ${r.edge.towards})` : ' (not warned)'}` : 'not measured'}`);
        checks.push(() => expect(Math.abs(err), les.id).toBeLessThan(0.1));
        // correct strokes on a correct lesion: no edge-support warning (strokes-edge.ts), no unsampled tissue (strokes-unsampled.ts)
        checks.push(() => expect(edgeUnsupported(r.edge), `${les.id} edge support`).toBe(false));
        checks.push(() => expect(unsampledReported(r.unsampled), `${les.id} unsampled tissue ${r.unsampled?.share}`).toBe(false));
      }
      console.log(rows.join('\n'));
      for (const c of checks) c();
    });
  }
});

/** The panel's volume of a mask (partial-volume estimate, as the case engine shows it). */
function panelMl(volume: ScalarVolume, offsets: Int32Array): number {
  const labels = new LabelMap(volume.geometry);
  for (const o of offsets) labels.set(o, 1);
  return shownVolume(lesionStats(labels, 1, volume, { partialVolume: true })!, true).volumeMl;
}

/**
 * The real-scan leaks reproduced on a phantom (issue 13): fatty-mottled.json, whose marrow (60 HU with
 * a 55 HU texture, 3 mm slices) holds voxels at a lytic lesion's level (10 HU), as pelvic-ref-003's
 * S1 body does, with the canal's CSF (M1) and a foramen's fat (M3) beside two of the lesions.
 * Strokes painted as a radiologist paints them (painted-strokes.ts), then up to two rounds of
 * background dabs over what spilled more than 2 mm past the truth. The panel's volume (partial-volume
 * estimate, as the case engine shows it).
 */
const MOTTLED_GAPS: Record<string, number> = {
  // measured: M1 +6.0 % (met); M2 +23.5 % (the marrow beside it at its level, no stroke can be past
  // it); M3 +24.1 %, +15.1 % after one correction (warned: no edge). Before the local half-level
  // (strokes-boundary.ts): M1 +12.5, M2 +31.4, M3 +19.9 % after one correction.
  M1: 0.1, M2: 0.27, M3: 0.2,
};
describe.skipIf(!run)('growFromSeeds where the marrow holds voxels at the lesion\'s level (fatty-mottled.json)', () => {
  let rows: { id: string; errs: number[]; warned: boolean[]; idealPanel: number; row: string }[] = [];
  const get = () => {
    if (rows.length) return rows;
    const { volume, truth } = loadPhantomVolume(ensurePhantom(JSON.parse(readFileSync(join(configsDir, 'fatty-mottled.json'), 'utf8')) as Record<string, unknown>));
    for (const les of truth.lesions) {
      let strokes = paintedStrokes(volume.geometry, les);
      const errs: number[] = [], warned: boolean[] = [], parts: string[] = [];
      for (let round = 0; round < 3; round++) {
        const r = growFromSeeds(volume, strokes);
        const labels = new LabelMap(volume.geometry);
        for (const o of r.offsets) labels.set(o, 1);
        const ml = shownVolume(lesionStats(labels, 1, volume, { partialVolume: true })!, true).volumeMl;
        const w = strokesOverrun(volume.geometry, strokes, r.offsets) !== null || edgeUnsupported(r.edge) || unsampledReported(r.unsampled);
        errs.push(ml / les.volume_ml - 1); warned.push(w);
        parts.push(`${(100 * (ml / les.volume_ml - 1)).toFixed(1)} %${w ? ' (warned)' : ''}`);
        const more = leakStrokes(volume.geometry, les, r.offsets);
        if (!more.length) break;
        strokes = [...strokes, ...more];
      }
      const idealPanel = panelMl(volume, halfCoverageMask(volume.geometry, les, growFromSeeds(volume, strokes).box!)) / les.volume_ml - 1;
      rows.push({ id: les.id, errs, warned, idealPanel, row: `fatty-mottled ${les.id} (${les.volume_ml.toFixed(3)} mL): ${parts.join(', then ')} (a perfect outline: panel ${(100 * idealPanel).toFixed(1)} %)` });
    }
    console.log(rows.map((r) => r.row).join('\n'));
    return rows;
  };
  it('never over 1.5 × the truth without a warning; within the measured bounds', () => {
    for (const r of get()) {
      r.errs.forEach((e, t) => { if (e > 0.5) expect(r.warned[t], r.row).toBe(true); });
      const last = r.errs[r.errs.length - 1]!;
      expect(last, r.row).toBeGreaterThanOrEqual(-0.1);
      expect(last, r.row).toBeLessThanOrEqual(MOTTLED_GAPS[r.id]!);
    }
  });
  // where the gaps lie: with the outline at the half-coverage edge (the voxels at least half covered by
  // the truth) the panel's volume is within 10 % (measured M1 −0.4, M2 +2.1, M3 +5.1 %): the excess is the outline's
  it('with a perfect outline the panel\'s volume is within 10 %', () => {
    for (const r of get()) expect(Math.abs(r.idealPanel), r.row).toBeLessThanOrEqual(0.1);
  });
  it.fails('every lesion within 10 % once painted and corrected (NOT MET: see MOTTLED_GAPS)', () => {
    for (const r of get()) expect(Math.abs(r.errs[r.errs.length - 1]!), r.row).toBeLessThanOrEqual(0.1);
  });
});

/**
 * Lesions in a pocket of darker marrow (test/anatomy/configs/fatty-pocket.json: the marrow steps down
 * toward each lesion, 1.2 mm at 55-75 HU next to it, then 2.5 mm at 80-92 HU, in 110 HU marrow, as
 * pelvic-ref-003's marrow darkens toward P1 and P4), painted as a radiologist paints them, then up to
 * two rounds of background dabs over what spilled more than 2 mm. The panel's volume.
 * NOT MET (10 %), asserted at the measured figures:
 *  - D1 (lytic 10 HU) +30.5 % (count +23.7 %): 78 voxels a quarter to half covered (values 13-64 HU)
 *    are taken. They blend with the pocket's inner step (55 HU: half-level 32 HU), but the grow's
 *    background is the strokes' (96 HU: half-level 53 HU), and the local half-level (strokes-boundary.ts)
 *    reads the tissue 2 mm out (RING_MM), in the outer step (80-92 HU), too close to the strokes' level to
 *    act: the inner step is thinner than the ring's distance.
 *  - B1 (170 HU, brighter than its pocket) −13.5 % (count −18.2 %): 89 voxels at least half covered
 *    (values 96-153, median 129) are left out, judged against (167 + 102)/2 = 135 where their half-level
 *    with the inner step is (170 + 75)/2 = 122; the local half-level only draws outlines back, never out.
 * Neither is warned (strokes-edge.ts: 1 % and 3 % of the outline without an edge): confidently wrong.
 * Tried: a warning from the tissue right outside (the mean of the second and third voxel layers
 * outside over ±3 mm, extrapolated to the edge: D1's level read 64 HU, its pocket's inner step being
 * 55-75) and the edge voxels between the two half-levels counted as undecided: 16 % of D1's voxels,
 * but also 17.6 % of ProstateX M1's (+9.3 %, within 10 %) and 19 % of pelvic-ref-003 P4's (−5.9 %), so
 * it cannot tell D1 from a correct lesion and was not kept.
 */
const POCKET_GAPS: Record<string, [number, number]> = { D1: [-0.1, 0.34], B1: [-0.16, 0.1] };
describe.skipIf(!run)('growFromSeeds on lesions in a pocket of darker marrow (fatty-pocket.json)', () => {
  let rows: { id: string; errs: number[]; warned: boolean[]; idealPanel: number; row: string }[] = [];
  const get = () => {
    if (rows.length) return rows;
    const { volume, truth } = loadPhantomVolume(ensurePhantom(JSON.parse(readFileSync(join(configsDir, 'fatty-pocket.json'), 'utf8')) as Record<string, unknown>));
    for (const les of truth.lesions.filter((l: any) => !String(l.id).includes('halo'))) {
      let strokes = paintedStrokes(volume.geometry, les);
      const errs: number[] = [], warned: boolean[] = [], parts: string[] = [];
      for (let round = 0; round < 3; round++) {
        const r = growFromSeeds(volume, strokes);
        const labels = new LabelMap(volume.geometry);
        for (const o of r.offsets) labels.set(o, 1);
        const ml = shownVolume(lesionStats(labels, 1, volume, { partialVolume: true })!, true).volumeMl;
        const w = strokesOverrun(volume.geometry, strokes, r.offsets) !== null || edgeUnsupported(r.edge) || unsampledReported(r.unsampled);
        errs.push(ml / les.volume_ml - 1); warned.push(w);
        parts.push(`${(100 * (ml / les.volume_ml - 1)).toFixed(1)} % (count ${(100 * ((r.offsets.length * volume.geometry.voxelVolumeMm3) / 1000 / les.volume_ml - 1)).toFixed(1)} %)${w ? ' (warned)' : ''}`);
        const more = leakStrokes(volume.geometry, les, r.offsets);
        if (!more.length) break;
        strokes = [...strokes, ...more];
      }
      const idealPanel = panelMl(volume, halfCoverageMask(volume.geometry, les, growFromSeeds(volume, strokes).box!)) / les.volume_ml - 1;
      rows.push({ id: les.id, errs, warned, idealPanel, row: `fatty-pocket ${les.id} (${les.volume_ml.toFixed(3)} mL): ${parts.join(', then ')} (a perfect outline: panel ${(100 * idealPanel).toFixed(1)} %)` });
    }
    console.log(rows.map((r) => r.row).join('\n'));
    return rows;
  };
  it('within the measured bounds', () => {
    const got = get();
    expect(got.map((r) => r.id).sort()).toEqual(['B1', 'D1']);
    for (const r of got) {
      const last = r.errs[r.errs.length - 1]!;
      expect(last, r.row).toBeGreaterThanOrEqual(POCKET_GAPS[r.id]![0]);
      expect(last, r.row).toBeLessThanOrEqual(POCKET_GAPS[r.id]![1]);
    }
  });
  // with the outline at the half-coverage edge the panel's volume is within 10 % (measured D1 +6.6, B1
  // +3.1 %): the error is where the outline runs, i.e. against which half-level the edge voxels are judged
  it('with a perfect outline the panel\'s volume is within 10 %', () => {
    for (const r of get()) expect(Math.abs(r.idealPanel), r.row).toBeLessThanOrEqual(0.1);
  });
  // never confidently wrong (issue 13): a lesion outside 10 % says so. NOT MET: D1 (+30.5 %) and B1
  // (−13.5 %) are shown without a warning (their outlines lie on edges; see the comment above)
  it.fails('a lesion whose volume is outside 10 % is warned (NOT MET: D1, B1 unwarned)', () => {
    for (const r of get()) r.errs.forEach((e, t) => { if (Math.abs(e) > 0.1) expect(r.warned[t], r.row).toBe(true); });
  });
  it.fails('every lesion within 10 % once painted and corrected (NOT MET: see POCKET_GAPS)', () => {
    for (const r of get()) expect(Math.abs(r.errs[r.errs.length - 1]!), r.row).toBeLessThanOrEqual(0.1);
  });
});
