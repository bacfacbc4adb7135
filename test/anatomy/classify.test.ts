/**
 * Lesion Denis-zone classification against the phantom's analytic truth.
 *
 * Landmarks come from truth.json (anatomy.foramina / canal / levels); lesions are voxelised here from
 * the analytic truth shapes onto the grid the DICOM loader rebuilds, then classified.
 */
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensurePhantom, readTruth, filesIn, requireShared } from '../helpers/shared';
import { scanAndLoadDicom } from '../../src/io/dicom';
import { LabelMap } from '../../src/segmentation/labelmap';
import type { VolumeGeometry } from '../../src/core/geometry';
import type { Vec3 } from '../../src/core/vec3';
import type { Foramen, SacralAnatomy } from '../../src/anatomy/types';
import { buildZoneModel } from '../../src/anatomy/zones';
import { BORDER_UNCERTAINTY_MM, classifyLesion, classifyLesions, prepareLesion, classifyPreparedLesion, type LesionZoneResult } from '../../src/anatomy/classify';
import { anatomyFromTruth, truthZoneMarginMm } from './truth-anatomy';

const here = dirname(fileURLToPath(import.meta.url));
const config = (name: string): Record<string, unknown> => JSON.parse(readFileSync(join(here, 'configs', name), 'utf8'));


/** Analytic inside test of a truth lesion (ellipsoid: centre, semi-axes, axes; blob: union of balls). */
function insideFn(les: any): { inside: (x: number, y: number, z: number) => boolean; lo: Vec3; hi: Vec3 } {
  if (les.shape === 'ellipsoid') {
    const c = les.center_lps as Vec3, ax = les.axes_lps as Vec3[], sa = les.semi_axes_mm as Vec3;
    const ext = [0, 1, 2].map((d) => Math.sqrt(ax.reduce((acc, a, i) => acc + (a[d]! * sa[i]!) ** 2, 0)));
    return {
      inside: (x, y, z) => {
        let s = 0;
        for (let i = 0; i < 3; i++) {
          const u = ((x - c[0]) * ax[i]![0] + (y - c[1]) * ax[i]![1] + (z - c[2]) * ax[i]![2]) / sa[i]!;
          s += u * u;
        }
        return s <= 1;
      },
      lo: [c[0] - ext[0]!, c[1] - ext[1]!, c[2] - ext[2]!], hi: [c[0] + ext[0]!, c[1] + ext[1]!, c[2] + ext[2]!],
    };
  }
  const sp = les.spheres.map((s: any) => ({ c: s.center_lps as Vec3, r: s.radius_mm as number }));
  const lo: Vec3 = [Infinity, Infinity, Infinity], hi: Vec3 = [-Infinity, -Infinity, -Infinity];
  for (const { c, r } of sp) for (let d = 0; d < 3; d++) { lo[d] = Math.min(lo[d]!, c[d]! - r); hi[d] = Math.max(hi[d]!, c[d]! + r); }
  return { inside: (x, y, z) => sp.some(({ c, r }: { c: Vec3; r: number }) => (x - c[0]) ** 2 + (y - c[1]) ** 2 + (z - c[2]) ** 2 <= r * r), lo, hi };
}

/** Writes every voxel whose centre lies inside the truth lesion; returns the count. */
function voxelize(labels: LabelMap, les: any, label: number): number {
  const g = labels.geometry;
  const { inside, lo, hi } = insideFn(les);
  const a = [Infinity, Infinity, Infinity], b = [-Infinity, -Infinity, -Infinity];
  const ijk: Vec3 = [0, 0, 0];
  for (const x of [lo[0], hi[0]]) for (const y of [lo[1], hi[1]]) for (const z of [lo[2], hi[2]]) {
    g.lpsToIjk(ijk, [x, y, z]);
    for (let d = 0; d < 3; d++) { a[d] = Math.min(a[d]!, ijk[d]!); b[d] = Math.max(b[d]!, ijk[d]!); }
  }
  const p: Vec3 = [0, 0, 0];
  let n = 0;
  for (let k = Math.max(0, Math.floor(a[2]!) - 1); k <= Math.min(g.dims[2] - 1, Math.ceil(b[2]!) + 1); k++)
    for (let j = Math.max(0, Math.floor(a[1]!) - 1); j <= Math.min(g.dims[1] - 1, Math.ceil(b[1]!) + 1); j++)
      for (let i = Math.max(0, Math.floor(a[0]!) - 1); i <= Math.min(g.dims[0] - 1, Math.ceil(b[0]!) + 1); i++) {
        g.ijkToLps(p, i, j, k);
        if (inside(p[0], p[1], p[2])) { labels.set(g.offset(i, j, k), label); n++; }
      }
  return n;
}

/** Phantom arc position s of an LPS point (truth.json inverse formula). */
function truthS(truth: any, x: number, y: number, z: number): number {
  const f = truth.anatomy.sacral_frame;
  const dy = y - f.O_lps[1], dz = z - f.O_lps[2];
  return f.R_mm * ((f.phi0_deg * Math.PI) / 180 - Math.atan2(dz, dy));
}

/** From a 0.2 mm sampling of the analytic lesion: its s range and its surface distance to each foramen lumen. */
function analytic(truth: any, les: any): { sMin: number; sMax: number; foramenMm: Map<string, number> } {
  const { inside, lo, hi } = insideFn(les);
  const h = 0.2;
  let sMin = Infinity, sMax = -Infinity;
  const fd = new Map<string, number>();
  const fs = truth.anatomy.foramina.map((f: any) => ({ id: f.id, a: f.anterior_opening_lps as Vec3, b: f.posterior_opening_lps as Vec3, r: f.radius_mm as number }));
  for (const f of fs) fd.set(f.id, Infinity);
  for (let x = lo[0]; x <= hi[0]; x += h) for (let y = lo[1]; y <= hi[1]; y += h) for (let z = lo[2]; z <= hi[2]; z += h) {
    if (!inside(x, y, z)) continue;
    const s = truthS(truth, x, y, z);
    if (s < sMin) sMin = s;
    if (s > sMax) sMax = s;
    for (const f of fs) {
      const d = segDist([x, y, z], f.a, f.b) - f.r;
      if (d < fd.get(f.id)!) fd.set(f.id, d);
    }
  }
  for (const [k, v] of fd) fd.set(k, Math.max(0, v));
  return { sMin, sMax, foramenMm: fd };
}

function segDist(p: Vec3, a: Vec3, b: Vec3): number {
  const d = [b[0] - a[0], b[1] - a[1], b[2] - a[2]], w = [p[0] - a[0], p[1] - a[1], p[2] - a[2]];
  const l2 = d[0]! ** 2 + d[1]! ** 2 + d[2]! ** 2;
  const t = Math.max(0, Math.min(1, (w[0]! * d[0]! + w[1]! * d[1]! + w[2]! * d[2]!) / l2));
  return Math.hypot(w[0]! - t * d[0]!, w[1]! - t * d[1]!, w[2]! - t * d[2]!);
}

async function loadGeometry(dir: string): Promise<VolumeGeometry> {
  const r = await scanAndLoadDicom(filesIn(join(dir, 'dicom')));
  if (!r.loaded) throw new Error(`phantom ${dir} did not load`);
  return r.loaded.volume.geometry;
}

const fmt = (f: Record<string, number>): string => ['1', '2', '3'].map((k) => `${k}:${(100 * (f[k] ?? 0)).toFixed(1)}`).join(' ');

interface Case { name: string; config: string | Record<string, unknown> }
const CASES: Case[] = [
  { name: 'default', config: 'default.json' },
  { name: 'hard', config: 'hard.json' },
  { name: 'borders', config: config('borders.json') },
  { name: 'levels', config: config('levels.json') },
  { name: 'oblique', config: config('oblique.json') },
];

const S_BELOW_S4_TRUTH = 87.5; // halfway between the S4 (s = 80) and S5 (s = 95) body centres of the phantom

describe('lesion Denis-zone classification against the phantom truth', () => {
  const ok = requireShared(true);
  for (const c of CASES) {
    it.skipIf(!ok)(`${c.name}: zone, zone fractions, foramina touched, distances`, async () => {
      const dir = ensurePhantom(c.config);
      const truth = readTruth(dir);
      const geometry = await loadGeometry(dir);
      const anatomy = anatomyFromTruth(truth);
      const model = buildZoneModel(anatomy)!;
      const labels = new LabelMap(geometry);
      const g = geometry.spacingMm;
      const halfDiag = 0.5 * Math.hypot(g[0], g[1], g[2]);
      const rows: string[] = [];
      const results: LesionZoneResult[] = [];
      truth.lesions.forEach((les: any, idx: number) => {
        const label = idx + 1;
        const n = voxelize(labels, les, label);
        expect(n, `${les.id} voxel count`).toBe(les.voxelized_voxel_count);
      });
      for (const [idx, les] of truth.lesions.entries() as IterableIterator<[number, any]>) {
        const r = classifyLesion(labels, idx + 1, anatomy, model);
        results.push(r);
        const an = analytic(truth, les);
        const tf = les.zone_volume_fraction;
        rows.push(`${c.name} ${les.id}: zone ${r.zone}${r.borderline ? ` [border ${r.borderline.zones.join('/')} ${r.borderline.marginMm.toFixed(2)}/${r.borderline.toleranceMm.toFixed(2)} mm; truth margin ${truthZoneMarginMm(les).toFixed(2)}]` : ''} (truth ${les.denis_zone}${an.sMin > S_BELOW_S4_TRUTH ? ', below S4' : ''}); fractions ${fmt(r.zoneFractions as any)} below:${(100 * r.zoneFractions.below).toFixed(1)} | truth ${fmt(tf)}; touched [${r.foraminaTouched}] truth overlap [${Object.keys(les.foramina_overlapped)}]; nearest ${r.nearestForamen?.id} ${r.nearestForamen?.distanceMm.toFixed(2)} mm (analytic ${an.foramenMm.get(r.nearestForamen!.id)!.toFixed(2)}); canal ${r.canalDistanceMm?.toFixed(2)} mm; ${r.approachFamily}; "${r.explanation}"`);
        if (an.sMax < S_BELOW_S4_TRUTH - 0.1) {
          expect(r.zone, `${les.id} zone`).toBe(les.denis_zone);
          // a lesion within the landmarks' uncertainty of a border is shown as a border case, one well clear of it is not
          const margin = truthZoneMarginMm(les);
          if (margin < BORDER_UNCERTAINTY_MM) {
            expect(r.borderline?.zones, `${les.id} ${margin.toFixed(2)} mm from a border: a border case`).toContain(les.denis_zone);
            expect(r.explanation).toMatch(new RegExp(`zone ${r.borderline!.zones.join('/')} border, check`));
          }
          if (margin > BORDER_UNCERTAINTY_MM + 2 * halfDiag) expect(r.borderline, `${les.id} ${margin.toFixed(2)} mm from a border: clear`).toBeNull();
          for (const k of ['1', '2', '3'] as const) expect(Math.abs(r.zoneFractions[k] - tf[k]), `${les.id} fraction ${k}`).toBeLessThanOrEqual(0.05);
          expect(r.zoneFractions.below).toBe(0);
        } else if (an.sMin > S_BELOW_S4_TRUTH + 0.1) {
          expect(r.zone, `${les.id} below S4`).toBeNull();
          expect(r.zoneFractions.below).toBe(1);
          expect(r.explanation).toMatch(/outside Denis landmarks/);
          expect(r.approachFamily).toBe('posterior');
        }
        // Foramina: every truth overlap is touched; touched ⇔ analytic surface distance ≤ 1 mm (± the voxel half-diagonal).
        for (const id of Object.keys(les.foramina_overlapped)) expect(r.foraminaTouched, `${les.id} touches ${id}`).toContain(id);
        for (const [id, d] of an.foramenMm) {
          if (d <= 1 - halfDiag) expect(r.foraminaTouched, `${les.id} should touch ${id} (${d.toFixed(2)} mm)`).toContain(id);
          if (d > 1 + halfDiag) expect(r.foraminaTouched, `${les.id} should not touch ${id} (${d.toFixed(2)} mm)`).not.toContain(id);
        }
        const nearestAnalytic = Math.min(...an.foramenMm.values());
        expect(Math.abs(r.nearestForamen!.distanceMm - nearestAnalytic), `${les.id} nearest foramen distance`).toBeLessThanOrEqual(halfDiag);
        expect(r.canalDistanceMm).not.toBeNull();
        expect(r.canalDistanceMm!).toBeGreaterThanOrEqual(0);
        // Approach family (source study): ala → anterior-oblique | transiliac | posterior; body → interpedicular; else posterior.
        if (r.zone === 1) expect(r.approachFamily).toBe('anterior-oblique | transiliac | posterior');
        if (r.zone === 3 && Math.abs(les.center_sacral_xsq[2]) < 6) expect(r.approachFamily).toBe('interpedicular');
        if (r.zone === 2) expect(r.approachFamily).toBe('posterior');
        expect(r.explanation).toMatch(r.zone === null ? /outside Denis landmarks/ : new RegExp(`→ zone ${r.zone}`));
      }
      console.log(rows.join('\n'));

      // Re-classifying every lesion after a landmark drag (S1_L moved 2 mm): rebuild the model, iterate lesion voxels only.
      const dragged: SacralAnatomy = { ...anatomy, foramina: anatomy.foramina.map((f) => (f.id === 'S1_L' ? { ...f, anteriorLps: [f.anteriorLps[0] + 2, f.anteriorLps[1], f.anteriorLps[2]] as Vec3, posteriorLps: [f.posteriorLps[0] + 2, f.posteriorLps[1], f.posteriorLps[2]] as Vec3 } : f)) };
      classifyLesions(labels, dragged, buildZoneModel(dragged)!); // warm-up
      const t0 = performance.now();
      const again = classifyLesions(labels, dragged, buildZoneModel(dragged)!);
      const ms = performance.now() - t0;
      const voxels = again.reduce((a, r) => a + r.voxelCount, 0);
      console.log(`[classify] ${c.name}: re-classifying ${again.length} lesions (${voxels} voxels) after a landmark drag: ${ms.toFixed(1)} ms`);
      // The 100 ms target is measured and reported by bench (medians); here only a loose bound that a
      // shared, loaded machine cannot trip, which still catches an accidental whole-volume pass.
      expect(ms).toBeLessThan(400);
      // The drag does not move lesions far from S1_L: results stay the same apart from S1_L distances.
      expect(again.map((r) => r.zone)).toEqual(results.map((r) => r.zone));
    });
  }
});

/** The default phantom with its truth landmarks, zone model and an empty label map. */
async function defaultCase() {
  const dir = ensurePhantom('default.json');
  const truth = readTruth(dir);
  const geometry = await loadGeometry(dir);
  const anatomy = anatomyFromTruth(truth);
  return { truth, geometry, anatomy, model: buildZoneModel(anatomy)!, labels: new LabelMap(geometry) };
}

describe('classification details', () => {
  const ok = requireShared(true);
  it.skipIf(!ok)('default phantom: approach families and explanations as the source study would say', async () => {
    const { truth, anatomy, model, labels } = await defaultCase();
    truth.lesions.forEach((les: any, idx: number) => voxelize(labels, les, idx + 1));
    const byId = Object.fromEntries(truth.lesions.map((les: any, idx: number) => [les.id, classifyLesion(labels, idx + 1, anatomy, model)]));
    expect(byId.L1.approachFamily).toBe('anterior-oblique | transiliac | posterior');
    expect(byId.L1.explanation).toMatch(/lateral to the left S1 foramen .*→ zone 1/);
    expect(byId.L2.explanation).toBe('touches the right S1 foramen → zone 2');
    expect(byId.L2.approachFamily).toBe('posterior');
    expect(byId.L3.approachFamily).toBe('interpedicular');
    expect(byId.L4.approachFamily).toBe('interpedicular');
    expect(byId.L5.approachFamily).toBe('interpedicular');
    expect(byId.L5.foraminaTouched).toEqual(['S3_L']);
    expect(byId.L5.explanation).toMatch(/→ zone 3; touches the left S3 foramen/);
    // A plain point function gives the same zones (slow path).
    const viaFn = classifyLesion(labels, 5, anatomy, (p) => model.zoneAt(p));
    expect(viaFn.zone).toBe(byId.L5.zone);
    expect(viaFn.zoneFractions).toEqual(byId.L5.zoneFractions);
    // Prepared lesions are cached per label-map version and recomputed after an edit.
    const p1 = prepareLesion(labels, 1);
    expect(prepareLesion(labels, 1)).toBe(p1);
    const off = labels.offsetsOf(1)[0]!;
    labels.set(off, 0);
    const p2 = prepareLesion(labels, 1);
    expect(p2).not.toBe(p1);
    expect(p2.count).toBe(p1.count - 1);
    expect(classifyPreparedLesion(p2, anatomy, model).zone).toBe(1);
  });

  it.skipIf(!ok)('re-classifying after landmark moves (distances kept per lesion by the landmarks\' numbers) gives what a fresh lesion gives', async () => {
    const { truth, anatomy, labels } = await defaultCase();
    truth.lesions.forEach((les: any, idx: number) => voxelize(labels, les, idx + 1));
    const moved = (a: SacralAnatomy, k: number, dx: number): SacralAnatomy => ({
      ...a,
      foramina: a.foramina.map((f, i) => (i === k ? { ...f, anteriorLps: [f.anteriorLps[0] + dx, f.anteriorLps[1], f.anteriorLps[2]] as Vec3, posteriorLps: [f.posteriorLps[0] + dx, f.posteriorLps[1], f.posteriorLps[2]] as Vec3 } : f)),
    });
    const canalMoved: SacralAnatomy = { ...anatomy, canal: { ...anatomy.canal!, centerlineLps: anatomy.canal!.centerlineLps.map((p) => [p[0] + 1.5, p[1], p[2]] as Vec3) } };
    // a drag back and forth (the memo hit with the first numbers again), another foramen, the canal moved
    const steps = [anatomy, moved(anatomy, 0, 2), moved(moved(anatomy, 0, 2), 0, -2), moved(anatomy, 3, -3), canalMoved, anatomy];
    let hits = 0;
    for (const a of steps) {
      const model = buildZoneModel(a)!;
      for (let l = 1; l <= truth.lesions.length; l++) {
        const kept = prepareLesion(labels, l);
        if (kept.memo?.foramina.size) hits++;
        const fresh = { ...kept, memo: undefined };
        expect(classifyPreparedLesion(kept, a, model)).toEqual(classifyPreparedLesion(fresh, a, model));
      }
    }
    expect(hits).toBeGreaterThan(0);
  });

  it.skipIf(!ok)('a lesion straddling the caudal end of S4 takes its zone from the part above; the rest is "below S4"', async () => {
    const { truth, anatomy, model, labels } = await defaultCase();
    // A ball of radius 4 mm centred at the phantom's s = 87.5 (the end of the S4 band), 10 mm right of the midline.
    const f = truth.anatomy.sacral_frame;
    const phi = (f.phi0_deg * Math.PI) / 180 - 87.5 / f.R_mm;
    const c: Vec3 = [f.anatomy_offset_lps[0] - 10, f.O_lps[1] + f.R_mm * Math.cos(phi), f.O_lps[2] + f.R_mm * Math.sin(phi)];
    const les = { shape: 'blob', spheres: [{ center_lps: c, radius_mm: 4 }] };
    voxelize(labels, les, 3);
    const r = classifyLesion(labels, 3, anatomy, model);
    expect(r.zone).toBe(3);
    expect(r.zoneFractions.below).toBeGreaterThan(0.4);
    expect(r.zoneFractions.below).toBeLessThan(0.6);
    expect(r.zoneFractions['3'] + r.zoneFractions.below).toBeCloseTo(1, 9);
    expect(r.explanation).toMatch(/→ zone 3.*below S4 \(outside Denis landmarks\)/);
  });

  it.skipIf(!ok)('a lesion in the canal is zone 3 (posterior approach), an empty label has no zone', async () => {
    const { truth, anatomy, model, labels } = await defaultCase();
    const c = truth.anatomy.canal.centerline_lps[3] as Vec3;
    const n = voxelize(labels, { shape: 'blob', spheres: [{ center_lps: c, radius_mm: 3 }] }, 7);
    expect(n).toBeGreaterThan(50);
    const r = classifyLesion(labels, 7, anatomy, model);
    expect(r.zone).toBe(3);
    expect(r.inCanal).toBe(true);
    expect(r.canalDistanceMm).toBe(0);
    expect(r.approachFamily).toBe('posterior');
    expect(r.explanation).toMatch(/^reaches the central canal → zone 3/);
    const e = classifyLesion(labels, 9, anatomy, model);
    expect(e.zone).toBeNull();
    expect(e.voxelCount).toBe(0);
  });

  it.skipIf(!ok)('a lesion within the landmarks\' uncertainty of a border is a border case; one clear of it is not; a border read across a missing foramen is uncertain by a level', async () => {
    const { truth, anatomy, model, labels } = await defaultCase();
    const f = truth.anatomy.sacral_frame;
    const at = (x: number, s: number): Vec3 => {
      const phi = (f.phi0_deg * Math.PI) / 180 - s / f.R_mm;
      return [f.anatomy_offset_lps[0] + x, f.O_lps[1] + f.R_mm * Math.cos(phi), f.O_lps[2] + f.R_mm * Math.sin(phi)];
    };
    // left S1: the lateral border is |x| = 27 + 4.5 = 31.5 mm at s = 25; balls of 3 mm whose medial edge lies 0.5 or 4 mm lateral to it
    voxelize(labels, { shape: 'blob', spheres: [{ center_lps: at(31.5 + 0.5 + 3, 25), radius_mm: 3 }] }, 1);
    voxelize(labels, { shape: 'blob', spheres: [{ center_lps: at(31.5 + 4 + 3, 25), radius_mm: 3 }] }, 2);
    const near = classifyLesion(labels, 1, anatomy, model), clear = classifyLesion(labels, 2, anatomy, model);
    expect(near.zone).toBe(1);
    expect(near.borderline?.zones).toEqual([1, 2]);
    expect(near.explanation).toMatch(/zone 1\/2 border, check: .*within the landmarks' uncertainty/);
    expect(clear.zone).toBe(1);
    expect(clear.borderline).toBeNull();
    // without the S2 foramina the border at S2 is interpolated between S1 and S3: 2.5 mm clear of it is not enough
    const noS2: SacralAnatomy = { ...anatomy, foramina: anatomy.foramina.filter((x) => x.level !== 'S2') };
    const m2 = buildZoneModel(noS2)!;
    const p49 = at(27, 49);
    const s49 = m2.frame.toLocal([0, 0, 0], p49[0], p49[1], p49[2])[1]; // the app's arc position of the phantom's S2 level
    expect(m2.borderGuessed('L', s49)).toBe(true);
    expect(model.borderGuessed('L', s49)).toBe(false);
    const latS2 = m2.bordersAt('L', s49).lateralAbsXMm;
    voxelize(labels, { shape: 'blob', spheres: [{ center_lps: at(latS2 + 2.5 + 3, 49), radius_mm: 3 }] }, 3);
    const guessed = classifyLesion(labels, 3, noS2, m2);
    expect(guessed.zone).toBe(1);
    expect(guessed.borderline?.zones).toEqual([1, 2]);
    expect(guessed.explanation).toMatch(/no foramen is placed at that level/);
    expect(classifyLesion(labels, 3, anatomy, model).borderline).toBeNull();
  });
});
