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
import { LabelMap } from '../../src/segmentation/labelmap';
import { lesionStats, shownVolume } from '../../src/segmentation/stats';

const run = requireShared(true) && nibabelOk();
/**
 * Known gaps (issue 13, not met), asserted at their measured bound so that a change for the worse
 * fails: the error range the grown lesions of that lesion may take instead of ±10 %.
 */
const KNOWN_GAPS: Record<string, { range: [number, number]; why: string }> = {
  'prostatex-0218-t2sag.json M1': {
    range: [0.1, 0.14],
    why: 'fluid-bright lesion in patchy fatty marrow: +12.3 % from every click. The window\'s bound is the midpoint to the median of the tissue 1.5-3.5 mm around (374), but the marrow touching the lesion holds fatty patches near 600, so edge voxels only a third lesion pass it',
  },
  'prostatex-0218-t2sag-faint.json F1': {
    range: [-0.35, 0.1],
    why: 'a lesion between the two levels of patchy marrow (marrow 372, fatty patches 600-700, lesion 595): 1 click of 20 grows it as a dark lesion against the patches, -30 %; the other 19 are refused',
  },
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
        // by its own edge (own-edge.ts) from half the clicks (10 of 20 measured, -6.6 … +2.0 %), the rest
        // refused with the reason
        if (les.kind === 'lytic-bright') checks.push(() => expect(errs.length, `${les.id} clicks grown`).toBeGreaterThanOrEqual(les.clicks_inner_half_lps.length / 2));
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

/** A circle of radius r (mm) around c in the plane of two LPS axes, as a user paints it in a view. */
const ring = (c: Vec3, r: number, a: number, b: number): Vec3[] =>
  Array.from({ length: 33 }, (_, t) => { const p: Vec3 = [c[0], c[1], c[2]]; p[a] = p[a]! + r * Math.cos((2 * Math.PI * t) / 32); p[b] = p[b]! + r * Math.sin((2 * Math.PI * t) / 32); return p; });

const STROKE_CONFIGS = ['pelvic-ref-003.json', 'totalseg-example-ct.json', 'prostatex-0218-t2sag.json', 'prostatex-0218-t2sag-faint.json'];

/**
 * Strokes as seeded-grow.test.ts drives it on the fatty phantoms: a lesion stroke through the centre
 * and background rings 3 mm beyond the lesion's largest radius in an axial and a sagittal plane
 * (1.5 mm brush). The panel's volume of the result against the truth, per lesion.
 */
async function strokesOnImplanted(): Promise<{ key: string; kind: string; err: number; overrun: boolean; edgeWarned: boolean; row: string }[]> {
  const out: { key: string; kind: string; err: number; overrun: boolean; edgeWarned: boolean; row: string }[] = [];
  for (const config of STROKE_CONFIGS) {
    const { volume, truth } = await loadImplanted(config);
    for (const les of truth.lesions) {
      const c = les.center_lps as Vec3;
      const R = Math.max(...les.semi_axes_mm) * (1 + les.bumps.reduce((s: number, b: any) => s + Math.abs(b.amplitude), 0)) + 3;
      const strokes: SeedStroke[] = [
        { kind: 'lesion', radiusMm: 1.5, pointsLps: [[c[0] - 2, c[1], c[2]], [c[0] + 2, c[1], c[2]]] },
        { kind: 'background', radiusMm: 1.5, pointsLps: ring(c, R, 0, 1) },
        { kind: 'background', radiusMm: 1.5, pointsLps: ring(c, R, 1, 2) },
      ];
      const r = growFromSeeds(volume, strokes);
      const ml = r.offsets.length ? shownMl(volume, r.offsets) : 0;
      const err = ml / les.volume_ml - 1;
      const over = strokesOverrun(volume.geometry, strokes, r.offsets);
      const e = r.edge;
      out.push({ key: `${config} ${les.id}`, kind: les.kind, err, overrun: over !== null, edgeWarned: edgeUnsupported(e), row: `${config} ${les.id} ${les.kind}: Strokes ${ml.toFixed(3)} mL vs ${les.volume_ml.toFixed(3)} (${(100 * err).toFixed(1)} %), levels ${r.lesionLevel.toFixed(0)} / ${r.backgroundLevel?.toFixed(0)} ± ${r.sigma.toFixed(1)}; ${over ? `warned: ${over.pastMm.toFixed(0)} mm past the strokes towards ${over.towards}` : 'no overrun warning'}; outline without edge ${e ? `${(100 * e.unsupportedShare).toFixed(0)} % of ${e.pairs}${edgeUnsupported(e) ? ` (warned, towards ${e.towards})` : ' (not warned)'}` : 'not measured'}` });
    }
  }
  return out;
}

describe.skipIf(!run)('Strokes on real scans with implanted lesions of known volume', () => {
  let results: Awaited<ReturnType<typeof strokesOnImplanted>> = [];
  it('sclerotic lesions within 10 % (figures for every lesion printed)', async () => {
    results = await strokesOnImplanted();
    console.log(results.map((r) => r.row).join('\n'));
    const scl = results.filter((r) => r.kind === 'sclerotic');
    expect(scl.length).toBe(2);
    for (const r of scl) expect(Math.abs(r.err), r.row).toBeLessThan(0.1);
  });
  // NOT MET (issue 13): with two background rings the lesion's front goes past them, between the
  // rings, into tissue at the lytic or faint lesion's level that no stroke marks as background
  // (TotalSeg T1, 40 HU: its 10.5 mL run 17 mm up into the L5/S1 disc and 16 mm back into the canal,
  // whose fat and fluid read 0-40 HU): TotalSeg T1 +741 %, T3 +535 %, pelvic-ref P1 +134 %, F1 +155 %,
  // P2 +49 %, M2 +48 %. A user sees it and paints background there; the tool itself does not stop it.
  // The overrun warning (strokes-overrun.ts: lesion voxels more than 5 mm and a voxel past the hull
  // of the strokes) is given for T1 only (13 mm past, superior right); the other overruns stay
  // within that distance of the rings' hull and are not warned of (printed per lesion above).
  it.fails('no lesion painted with Strokes exceeds 1.5 × its truth (not met: see the figures above)', async () => {
    if (!results.length) results = await strokesOnImplanted();
    for (const r of results) expect(1 + r.err, r.row).toBeLessThanOrEqual(1.5);
  });
  // The edge-support warning (strokes-edge.ts: more than 30 % of the outline with neither a 2σ step
  // nor the outside on the background's side of the levels' midpoint), as measured: of the leaks only
  // P2 (44 %) is warned; P1 (20 %), T1 (24 %, warned by the overrun check), T3 (29 %), M2 (25 %) and
  // F1 (8 %) are NOT: their outlines mostly follow the edges of the tissue they ran into (disc, canal,
  // patchy marrow) and cross it where the fronts met only in a smaller cut. None of the correct
  // lesions is warned (P3, T2, M1 0 %; P4 7 %).
  it('the edge-support warning: the leak it measures as such (P2) is warned, the correct lesions are not', async () => {
    if (!results.length) results = await strokesOnImplanted();
    const by = new Map(results.map((r) => [r.key.split(' ').pop()!, r]));
    expect(by.get('P2')!.edgeWarned, by.get('P2')!.row).toBe(true);
    for (const id of ['P3', 'P4', 'T2', 'M1']) expect(by.get(id)!.edgeWarned, by.get(id)!.row).toBe(false);
  });
});
