/**
 * Grow on the real scans, against a known truth (issue 13): the real series of ../shared/data have
 * no lesions, so test/phantom-tools/implant.py implants lesions of exact continuous volume into
 * their sacral marrow (partial volume by supersampled coverage, noise of the marrow's own spread
 * and grain; configs in test/phantom-tools/implants/). Each series is loaded through the app's own
 * loaders. One click at each of 20 random points in the inner half of every lesion: the volume the
 * lesion panel would show (lesionStats + shownVolume, as the case engine computes them) is within
 * 10 % of the truth, or the click is refused with its reason and a next step; no click ever makes a
 * lesion larger than 1.5 × the truth. Figures printed for the report.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ensureImplanted, filesIn, isCI, PYTHON, requireShared } from '../helpers/shared';
import { scanAndLoadDicom } from '../../src/io/dicom';
import { loadNifti } from '../../src/io/nifti';
import type { ScalarVolume } from '../../src/core/volume';
import type { Vec3 } from '../../src/core/vec3';
import { regionGrow } from '../../src/segmentation/region-grow';
import { growFromSeeds, type SeedStroke } from '../../src/segmentation/seeded-grow';
import { strokesOverrun } from '../../src/segmentation/strokes-overrun';
import { edgeUnsupported } from '../../src/segmentation/strokes-edge';
import { unsampledReported } from '../../src/segmentation/strokes-unsampled';
import { paintedStrokes, leakStrokes, starRadius, halfCoverageMask } from './painted-strokes';
import { LabelMap } from '../../src/segmentation/labelmap';
import { lesionStats, shownVolume } from '../../src/segmentation/stats';

const run = requireShared(true) && nibabelOk();
/**
 * Known gaps (issue 13, not met), asserted at their measured bound so that a change for the worse
 * fails: the error range the grown lesions of that lesion may take instead of ±10 %. None now: the
 * ProstateX M1 (+12.3 % before its edge was trimmed to the local midpoint) and F1 (one click at −30 %,
 * now refused as a lesion between two tissues) are within 10 % or refused.
 */
const KNOWN_GAPS: Record<string, { range: [number, number]; why: string }> = {
};
const NEXT_STEP = /click inside the lesion|Strokes \(L\)|strokes tool \(L\)|Brush \(B\)|brush \(B\)/;

function nibabelOk(): boolean {
  try {
    execFileSync(PYTHON, ['-c', 'import nibabel'], { stdio: 'pipe' });
    return true;
  } catch {
    if (isCI) throw new Error(`CI=true but ${PYTHON} lacks nibabel (the TotalSegmentator CT is NIfTI)`);
    console.warn(`[skip] ${PYTHON} lacks nibabel`);
    return false;
  }
}

export async function loadImplanted(config: string): Promise<{ volume: ScalarVolume; truth: any; dir: string }> {
  const dir = ensureImplanted(config);
  const truth = JSON.parse(readFileSync(join(dir, 'truth.json'), 'utf8'));
  let volume: ScalarVolume;
  if (truth.written.endsWith('.nii.gz')) {
    const r = await loadNifti(new File([readFileSync(join(dir, truth.written))], truth.written));
    volume = r.volume;
  } else {
    const r = await scanAndLoadDicom(filesIn(join(dir, truth.written)));
    if (!r.loaded) throw new Error(`${config}: the implanted series did not load`);
    volume = r.loaded.volume;
  }
  return { volume, truth, dir };
}

/** The volume the lesion panel shows for a grown lesion (src/case/engine.ts: partial volume on CT). */
export function shownMl(volume: ScalarVolume, offsets: Int32Array): number {
  const labels = new LabelMap(volume.geometry);
  for (const o of offsets) labels.set(o, 1);
  const s = lesionStats(labels, 1, volume, { partialVolume: volume.units === 'HU' })!;
  return shownVolume(s, true).volumeMl;
}

describe.skipIf(!run)('Grow on real scans with implanted lesions of known volume', () => {
  for (const config of ['pelvic-ref-003.json', 'totalseg-example-ct.json', 'prostatex-0218-t2sag.json', 'prostatex-0218-t2sag-faint.json']) {
    it(`${config}: 20 inner-half clicks per lesion within 10 % or refused with the reason; never over 1.5 ×`, async () => {
      const { volume, truth } = await loadImplanted(config);
      const rows: string[] = [];
      const checks: (() => void)[] = [];
      for (const les of truth.lesions) {
        const errs: number[] = [];
        const why = new Map<string, number>();
        let worst = 0;
        for (const p of les.clicks_inner_half_lps as Vec3[]) {
          const r = regionGrow(volume, { lps: p });
          if (r.problem) {
            why.set(r.problem, (why.get(r.problem) ?? 0) + 1);
            checks.push(() => { expect(r.voxelCount).toBe(0); expect(r.message, `${les.id}: ${r.message}`).toMatch(NEXT_STEP); });
            continue;
          }
          const ml = shownMl(volume, r.offsets);
          worst = Math.max(worst, ml / les.volume_ml, r.volumeMl / les.volume_ml);
          errs.push(ml / les.volume_ml - 1);
        }
        const lo = errs.length ? Math.min(...errs) : NaN, hi = errs.length ? Math.max(...errs) : NaN;
        rows.push(`${config} ${les.id} ${les.kind} (${les.level.toFixed(0)} in marrow ${les.marrow_level.toFixed(0)} ± ${les.marrow_sd.toFixed(0)}, noise ${les.noise_sd.toFixed(1)}, ${les.volume_ml.toFixed(3)} mL): grown ${errs.length}/${les.clicks_inner_half_lps.length}, error ${(100 * lo).toFixed(1)} … ${(100 * hi).toFixed(1)} %, refused ${JSON.stringify([...why])}, largest/truth ${worst.toFixed(2)}`);
        // Grow must be usable on the real scans, not only safe: a sclerotic lesion (600 HU in fatty marrow) grows from every click
        if (les.kind === 'sclerotic') checks.push(() => expect(errs.length, `${les.id} clicks grown`).toBe(les.clicks_inner_half_lps.length));
        // a soft-tissue lesion brighter than very fatty marrow, where the bone enclosure stays open: grown
        // by its own edge (own-edge.ts) from 8 of 20 clicks as measured (+2.0 %), the rest refused with
        // the reason; asserted at that count so that a change for the worse fails
        if (les.kind === 'lytic-bright') checks.push(() => expect(errs.length, `${les.id} clicks grown`).toBeGreaterThanOrEqual(8));
        // a lytic lesion (0 HU) in pelvic-ref-003's fatty S1 body (98 ± 74 HU), whose edge of maximum
        // contrast takes in the fatty marrow around it: grown as a core of one tissue (step 9 of
        // region-grow.ts) from 20 of 20 clicks as measured (−0.3 … −0.1 %); asserted at 18
        if (config === 'pelvic-ref-003.json' && les.id === 'P1') checks.push(() => expect(errs.length, `${les.id} clicks grown`).toBeGreaterThanOrEqual(18));
        const gap = KNOWN_GAPS[`${config} ${les.id}`];
        if (gap) rows.push(`  known gap, allowed ${gap.range.map((x) => `${(100 * x).toFixed(0)} %`).join(' … ')}: ${gap.why}`);
        checks.push(() => {
          expect(worst, les.id).toBeLessThanOrEqual(1.5);
          for (const e of errs) {
            if (gap) { expect(e, `${les.id}: ${(100 * e).toFixed(1)} %`).toBeGreaterThanOrEqual(gap.range[0]); expect(e, `${les.id}: ${(100 * e).toFixed(1)} %`).toBeLessThanOrEqual(gap.range[1]); }
            else expect(Math.abs(e), `${les.id}: ${(100 * e).toFixed(1)} %`).toBeLessThanOrEqual(0.1);
          }
        });
      }
      console.log(rows.join('\n'));
      for (const c of checks) c();
    });
  }
});

/**
 * Maximal diameter (lesionStats, as the panel and the ≤ 30 mm criterion read it) of the lesion grown
 * from the first 5 inner-half clicks that grow, against the truth's continuous maximal diameter
 * (implant.py: the largest distance between two points of the implanted surface): within 10 % or one
 * voxel (the largest spacing), whichever is larger. pelvic-ref-003 P4 (40 HU in the fatty right ala)
 * grew a tail into a patch of marrow at its level (17.9 mm against 14.0), cut since by the 2 mm opening
 * of its core (region-grow.ts, own edge).
 */
async function grownDiameters(config: string, id?: string): Promise<{ id: string; truthMm: number; grownMm: number[]; tolMm: number }[]> {
  const { volume, truth } = await loadImplanted(config);
  const out: { id: string; truthMm: number; grownMm: number[]; tolMm: number }[] = [];
  for (const les of truth.lesions) {
    if (id && les.id !== id) continue;
    const grownMm: number[] = [];
    for (const p of les.clicks_inner_half_lps as Vec3[]) {
      if (grownMm.length >= 5) break;
      const r = regionGrow(volume, { lps: p });
      if (r.problem) continue;
      const labels = new LabelMap(volume.geometry);
      for (const o of r.offsets) labels.set(o, 1);
      grownMm.push(lesionStats(labels, 1, volume)!.maxDiameterMm);
    }
    out.push({ id: les.id, truthMm: les.max_diameter_mm, grownMm, tolMm: Math.max(0.1 * les.max_diameter_mm, ...volume.geometry.spacingMm) });
  }
  return out;
}

describe.skipIf(!run)('Grow on real scans: the maximal diameter against the truth', () => {
  it('every grown lesion: within 10 % or one voxel of the truth diameter', async () => {
    const rows: string[] = [];
    const checks: (() => void)[] = [];
    for (const config of ['pelvic-ref-003.json', 'totalseg-example-ct.json', 'prostatex-0218-t2sag.json']) {
      for (const d of await grownDiameters(config)) {
        if (!d.grownMm.length) continue;
        rows.push(`${config} ${d.id}: grown ${d.grownMm.map((x) => x.toFixed(1)).join(', ')} mm, truth ${d.truthMm.toFixed(1)} mm (tolerance ${d.tolMm.toFixed(1)} mm)`);
        for (const x of d.grownMm) checks.push(() => expect(Math.abs(x - d.truthMm), `${config} ${d.id}`).toBeLessThanOrEqual(d.tolMm));
      }
    }
    console.log(rows.join('\n'));
    expect(checks.length).toBeGreaterThanOrEqual(10);
    for (const c of checks) c();
  });
});

/** A circle of radius r (mm) around c in the plane of two LPS axes, as a user paints it in a view. */
const ring = (c: Vec3, r: number, a: number, b: number): Vec3[] =>
  Array.from({ length: 33 }, (_, t) => { const p: Vec3 = [c[0], c[1], c[2]]; p[a] = p[a]! + r * Math.cos((2 * Math.PI * t) / 32); p[b] = p[b]! + r * Math.sin((2 * Math.PI * t) / 32); return p; });

const STROKE_CONFIGS = ['pelvic-ref-003.json', 'totalseg-example-ct.json', 'prostatex-0218-t2sag.json', 'prostatex-0218-t2sag-faint.json'];

interface StrokeRound { err: number; warned: string[] }
interface StrokeResult { key: string; kind: string; rounds: StrokeRound[]; row: string; past: number[]; idealPanel: number }

/**
 * Where a lesion's voxels outside its truth lie: the shares of the truth volume (0-1) whose voxel
 * centres lie outside the outline by up to 1.5 mm, 1.5-3 mm and more than 3 mm, measured along the
 * ray from the centre (the implanted lesions are star-shaped).
 */
function pastOutline(volume: ScalarVolume, les: any, offsets: Int32Array): number[] {
  const outside = starRadius(les);
  const c = les.center_lps as number[];
  const x: Vec3 = [0, 0, 0];
  const n = [0, 0, 0];
  for (const o of offsets) {
    volume.geometry.offsetToLps(x, o);
    const rel = outside(x);
    if (rel <= 1) continue;
    const d = Math.hypot(x[0] - c[0]!, x[1] - c[1]!, x[2] - c[2]!) * (1 - 1 / rel);
    n[d <= 1.5 ? 0 : d <= 3 ? 1 : 2]!++;
  }
  return n.map((k) => (k * volume.geometry.voxelVolumeMm3) / 1000 / les.volume_ml);
}

/** The checks the seedStroke command gives after each stroke (src/case/commands.ts). */
function warningsOf(volume: ScalarVolume, strokes: SeedStroke[], r: ReturnType<typeof growFromSeeds>): string[] {
  const over = strokesOverrun(volume.geometry, strokes, r.offsets);
  return [...(over ? [`overrun ${over.pastMm.toFixed(0)} mm ${over.towards}`] : []), ...(edgeUnsupported(r.edge) ? [`no edge ${(100 * r.edge.unsupportedShare).toFixed(0)} % ${r.edge.towards}`] : []), ...(unsampledReported(r.unsampled) ? [`unsampled tissue ${(100 * r.unsampled.share).toFixed(0)} % near ${r.unsampled.level.toFixed(0)}`] : [])];
}

/**
 * Strokes painted as a radiologist paints them (painted-strokes.ts: lesion and background strokes
 * following the outline 1.5 mm inside and outside it on the slice through the centre and one slice
 * 3 mm or more to either side, a background curve in a reformatted view), then up to two rounds of
 * background dabs over what spilled more than 2 mm past the truth (the user paints over the spill
 * they see). The panel's volume of each round's result against the truth, with the warnings given.
 */
async function strokesOnImplanted(): Promise<StrokeResult[]> {
  const out: StrokeResult[] = [];
  for (const config of STROKE_CONFIGS) {
    const { volume, truth } = await loadImplanted(config);
    for (const les of truth.lesions) {
      let strokes = paintedStrokes(volume.geometry, les);
      const rounds: StrokeRound[] = [];
      const parts: string[] = [];
      let past: number[] = [];
      for (let round = 0; round < 3; round++) {
        const r = growFromSeeds(volume, strokes);
        past = pastOutline(volume, les, r.offsets);
        const ml = r.offsets.length ? shownMl(volume, r.offsets) : 0;
        const err = ml / les.volume_ml - 1;
        const warned = warningsOf(volume, strokes, r);
        rounds.push({ err, warned });
        parts.push(`${round === 0 ? 'painted' : `+${round} correction`}: ${ml.toFixed(3)} mL (${(100 * err).toFixed(1)} %; count ${(100 * ((r.offsets.length * volume.geometry.voxelVolumeMm3) / 1000 / les.volume_ml - 1)).toFixed(1)} %)${warned.length ? ` warned [${warned.join('; ')}]` : ''}`);
        const more = leakStrokes(volume.geometry, les, r.offsets);
        if (!more.length) break;
        strokes = [...strokes, ...more];
      }
      // the mask a perfect outline gives (the voxels at least half covered by the truth; on 3 mm voxels
      // its count differs from the truth's volume by up to 10 %), its count and the panel's volume of it
      const ideal = halfCoverageMask(volume.geometry, les, growFromSeeds(volume, strokes).box!);
      const best = (ideal.length * volume.geometry.voxelVolumeMm3) / 1000 / les.volume_ml - 1;
      const idealPanel = shownMl(volume, ideal) / les.volume_ml - 1;
      parts.push(`(a mask at the half-level edge: count ${(100 * best).toFixed(1)} %, panel ${(100 * idealPanel).toFixed(1)} %)`);
      const where = `; outside the truth, in % of it: ${past.map((f) => (100 * f).toFixed(1)).join(' / ')} at ≤ 1.5 / 1.5-3 / > 3 mm past its outline`;
      out.push({ key: `${config} ${les.id}`, kind: les.kind, rounds, past, idealPanel, row: `${config} ${les.id} ${les.kind} (${les.volume_ml.toFixed(3)} mL): ${parts.join(' | ')}${where}` });
    }
  }
  return out;
}

/**
 * Measured bounds (issue 13, the 10 % target NOT met for these): the error the panel's volume may
 * take after the painted strokes and up to two rounds of corrections, so that a change for the worse
 * fails. Where the marrow or the tissue next to the lesion reads at the lesion's level, only the
 * strokes tell them apart, and the outline runs between the strokes within that tissue.
 */
/*
 * Tried on the painted figures and not kept (the outline decided at a scale where the marrow's
 * contrast beats its texture; figures are the panel's, as painted; the probes are not in the repo):
 *  - a regional edge fit per outline patch (3-8 mm): a step at s from the lesion's level to a straight
 *    line in the distance from the outline, least squares or least absolute deviations, the outline
 *    moved by at most 1 mm: P1 +17.6 → +18.7 … +29 %, fatty-mottled M2 +23.5 → +24 … +49 %, only
 *    ProstateX M1 better (+9.3 → −1.9 … +5.6 %). A free line takes up the edge's own ramp of partial
 *    voxels (the fit sat at its inward bound); with the line's slope read beyond the edge, the fat
 *    islands of the lesion's level beside it make a step farther out fit better (the texture is not
 *    symmetric about the marrow's level), and on 3 mm slices a patch holds two or three slices;
 *  - the opening at 2 mm instead of OPEN_MM (1 mm): P1 +8.3, fatty-mottled M1/M2/M3 +1.5/+14.1/+7.6,
 *    ProstateX M1 +7.0 %, but it shaves a correct mask (the voxels at least half covered) by 4-14 %
 *    (P1 −4.2, P2 −8.3, fatty-pocket D1 −7.2, ProstateX M2 −14.0 %) and takes fatty-pocket B1 from
 *    −13.5 to −18.2 %: a bias toward smaller lesions, not a measurement; 1.5 mm changes little;
 *  - the edge-preserving smoothing's range set by the marrow's texture under the background strokes
 *    instead of the noise under the lesion's (the texture averaged at 1.2 mm): P1 +12.6, fatty-mottled
 *    M1/M2/M3 −0.2/+18.9/−2.5, D1 +25.6 %, but ProstateX M2 −8.5 → −18.8 % and B1 −17.2 %: the lesion's
 *    edge is then averaged with the marrow, and a small lesion's half-level surface moves in (by σ²/r);
 *  - a 3 × 3 (× 3) majority vote on the outline: P1 +15.0 %, and lesions of a few 3 mm voxels collapse
 *    (TotalSegmentator T3 −50 %).
 */
const STROKE_GAPS: Record<string, { max: number; why: string }> = {
  'pelvic-ref-003.json P1': { max: 0.21, why: 'lytic 0 HU in mottled fatty marrow (98 ± 74 HU) that darkens toward it (about 55 HU at its edge, 79 HU 2 mm and 101 HU 3 mm out): 39 % of the marrow within 1.5 mm of its outline reads on its side of the midpoint; +17.6 % (voxel count +16.4 %; the excess voxels: 16 % of the truth less than half covered, 4 % uncovered within 3 mm of its outline; +19.0 % before the local half-level, strokes-boundary.ts, which reads the tissue 2 mm out, where it is still brighter than at the edge)' },
  'pelvic-ref-003.json P2': { max: 0.18, why: '40 HU in marrow of 52 ± 43 HU: +14.4 % (voxel count -1.7 %), warned (no edge); the partial-volume estimate reads +21 % on the exact truth mask' },
  'totalseg-example-ct.json T1': { max: 0.27, why: 'lytic 40 HU, 46 voxels of 3 mm: the band of partial voxels is half the lesion, and on 3 mm voxels the brush\'s reach holds the background stroke\'s own voxels only; its partial voxels read 13-89 HU against 95 HU expected from the marrow\'s level (fat-rich marrow around it): +23.8 % after two corrections (43 % of the truth in voxels less than half covered)' },
  'totalseg-example-ct.json T3': { max: 0.1, why: '40 HU in marrow of 34 ± 56 HU (no contrast): +3.1 % after one correction (+8.5 % before the local half-level), warned' },
  'prostatex-0218-t2sag-faint.json F1': { max: 0.12, why: 'faint lesion at the level of the fatty patches around it: +9.8 % after two corrections, warned' },
};

describe.skipIf(!run)('Strokes on real scans with implanted lesions of known volume', () => {
  let results: StrokeResult[] = [];
  const get = async () => (results.length ? results : (results = await strokesOnImplanted()));
  it('figures per lesion; sclerotic lesions within 10 % as painted; the others within their measured bounds', async () => {
    console.log((await get()).map((r) => r.row).join('\n'));
    const scl = results.filter((r) => r.kind === 'sclerotic');
    expect(scl.length).toBe(2);
    for (const r of scl) expect(Math.abs(r.rounds[0]!.err), r.row).toBeLessThan(0.1);
    for (const r of results) {
      const last = r.rounds[r.rounds.length - 1]!.err;
      expect(last, r.row).toBeGreaterThanOrEqual(-0.1);
      expect(last, r.row).toBeLessThanOrEqual(STROKE_GAPS[r.key]?.max ?? 0.1);
    }
  });
  // Where the Strokes gaps above lie (issue 13): with the outline at the half-coverage edge, the panel's
  // volume (the partial-volume estimate, as the case engine shows it) is within 10 % of the truth for
  // every lesion but T1 (measured: P1 +0.4, P2 +9.0, P3 −0.7, P4 −3.6, T1 −10.7, T2 −0.2, T3 −0.0,
  // M1 +2.7, M2 +2.1, F1 +2.7 %), so the excess of the painted lesions (P1 +17.6, T1 +23.8 %) is their
  // outline's, not the estimate's. T1: 42 voxels of 3 mm, whose half-coverage count is itself −9.5 %.
  it('with a perfect outline the panel\'s volume is within 10 % (T1 within its measured −10.7 %): the gaps are the outline\'s', async () => {
    for (const r of await get()) expect(Math.abs(r.idealPanel), r.row).toBeLessThanOrEqual(r.key === 'totalseg-example-ct.json T1' ? 0.11 : 0.1);
  });
  it('no lesion painted with Strokes is over 1.5 × its truth without a warning that names the problem, after any stroke', async () => {
    for (const r of await get()) for (const x of r.rounds) if (x.err > 0.5) expect(x.warned.length, r.row).toBeGreaterThan(0);
  });
  // where the excess lies once corrected: a rim at the outline (fat-rich marrow beside the lesion,
  // partial voxels), not a spill into the tissue around; the dabs paint over what lies > 2 mm out
  it('after the corrections, the voxels more than 3 mm past the truth\'s outline add up to under 5 % of it', async () => {
    for (const r of await get()) expect(r.past[2]!, r.row).toBeLessThan(0.05);
  });
  it('no warning on the lesions the strokes get within 10 %', async () => {
    for (const r of await get()) for (const x of r.rounds) if (Math.abs(x.err) <= 0.1 && !STROKE_GAPS[r.key]) expect(x.warned, r.row).toEqual([]);
  });
  // with the sparser strokes of the previous round (a 4 mm lesion stroke through the centre,
  // background rings 3 mm beyond the lesion's largest radius in an axial and a sagittal plane) the
  // faint MR lesion F1 reaches +125 %: the rings cross dark tissue and bright fatty patches only, and
  // the marrow between, at no painted level, reads nearer the lesion's (measured: T1 +160 %, T3
  // +297 %, P1 +103 %, P2 +40 %, warned by the edge check; F1 by the unsampled-tissue check,
  // strokes-unsampled.ts; M2 +4 %, P4 −18 %, M1 −8 %, sclerotic within 3 %)
  it('two background rings only: no lesion over 1.5 × its truth without a warning', async () => {
    const rows: string[] = [];
    const bad: string[] = [];
    for (const config of STROKE_CONFIGS) {
      const { volume, truth } = await loadImplanted(config);
      for (const les of truth.lesions) {
        const c = les.center_lps as Vec3;
        const R = Math.max(...les.semi_axes_mm) * (1 + les.bumps.reduce((a: number, b: any) => a + Math.abs(b.amplitude), 0)) + 3;
        const strokes: SeedStroke[] = [
          { kind: 'lesion', radiusMm: 1.5, pointsLps: [[c[0] - 2, c[1], c[2]], [c[0] + 2, c[1], c[2]]] },
          { kind: 'background', radiusMm: 1.5, pointsLps: ring(c, R, 0, 1) },
          { kind: 'background', radiusMm: 1.5, pointsLps: ring(c, R, 1, 2) },
        ];
        const r = growFromSeeds(volume, strokes);
        const err = (r.offsets.length ? shownMl(volume, r.offsets) : 0) / les.volume_ml - 1;
        const warned = warningsOf(volume, strokes, r);
        rows.push(`${config} ${les.id}: two rings ${(100 * err).toFixed(1)} %${warned.length ? ` warned [${warned.join('; ')}]` : ''}`);
        if (err > 0.5 && !warned.length) bad.push(rows.at(-1)!);
      }
    }
    console.log(rows.join('\n'));
    expect(bad).toEqual([]);
  });
  // the strokes the browser test draws (test/browser/strokes.e2e.ts): on the real MR, a lesion stroke
  // through M1's middle and one background ring 3 mm beyond its largest radius in the sagittal view
  // (the acquisition plane: 3 mm slices 3.6 mm apart), on the slice the view shows. Measured: −5.8 %
  // while the region of interest ended 6.5 mm across the ring's plane (one slice of M1 at 7.2 mm, 17 %
  // of it, left out, hiding +8 % of partial voxels taken at its edge); +10.8 % with that slice and no
  // local half-level; +3.6 % with both (seeded-grow.ts bgReachMm, strokes-boundary.ts).
  it('ProstateX M1 with one lesion stroke and one sagittal ring, as the browser test draws them: within 10 %', async () => {
    const { volume, truth } = await loadImplanted('prostatex-0218-t2sag.json');
    const m1 = truth.lesions.find((l: any) => l.id === 'M1');
    const c = m1.center_lps as Vec3;
    const R = Math.max(...m1.semi_axes_mm) * (1 + m1.bumps.reduce((a: number, b: any) => a + Math.abs(b.amplitude), 0)) + 3;
    // onto the sagittal slice nearest the centre, as the view shows it
    const g = volume.geometry;
    const ax = ([0, 1, 2] as const).reduce<0 | 1 | 2>((best, a) => (Math.abs(g.axis(a)[0]) > Math.abs(g.axis(best)[0]) ? a : best), 0);
    const onSlice = (pts: Vec3[]): Vec3[] => pts.map((p) => { const ijk = g.lpsToIjk([0, 0, 0], p); ijk[ax] = Math.round(ijk[ax]!); return g.ijkToLps([0, 0, 0], ijk[0]!, ijk[1]!, ijk[2]!); });
    const strokes: SeedStroke[] = [
      { kind: 'lesion', radiusMm: 1.5, pointsLps: onSlice([[c[0], c[1] - 2, c[2]], [c[0], c[1] + 2, c[2]]]) },
      { kind: 'background', radiusMm: 1.5, pointsLps: onSlice(ring(c, R, 1, 2)) },
    ];
    const r = growFromSeeds(volume, strokes);
    const err = shownMl(volume, r.offsets) / m1.volume_ml - 1;
    console.log(`ProstateX M1, one stroke and one sagittal ring: ${(100 * err).toFixed(1)} %`);
    expect(Math.abs(err)).toBeLessThan(0.1);
    expect(strokesOverrun(volume.geometry, strokes, r.offsets)).toBeNull();
  });
  it.fails('every lesion within 10 % once painted and corrected (NOT MET: see STROKE_GAPS)', async () => {
    for (const r of await get()) expect(Math.abs(r.rounds[r.rounds.length - 1]!.err), r.row).toBeLessThanOrEqual(0.1);
  });
});
