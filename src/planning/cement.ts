/**
 * Cement deposit prediction (pure) [design model, DOMAIN.md §4].
 *
 * PMMA injected at the needle tip fills the path of least resistance: the lytic cavity first,
 * then the surrounding cancellous bone. The deposit is grown from the tip voxel by a shortest-
 * path (Dijkstra) front over 6-connected voxels, with step cost = step length × resistance:
 * 1 inside the target lesion, 4 in other bone inside the sacral envelope [design]. It stops at the
 * surfaces the source study stopped injecting at (Tian 2022): the sacral wall (posterior wall,
 * anterior cortex, SI-joint margin; voxels within 0.5 mm of the envelope surface or dense cortex
 * ≥ 600 HU are never entered) and the edge of a foramen or the canal (voxels within 1 mm of
 * their surface). Growth ends when the planned volume is reached or no voxel can be entered.
 * Reported: the deposit volume, its maximal diameter, the filling ratio (deposit / lesion maximal
 * diameter; the study reached 76 % (PSP) and 85 % (PSP+RFA)), and which stop surfaces it reached.
 * Checks [design]: a filling ratio below the study's 76 %, a deposit that cannot hold the planned
 * volume, or one that reaches a foramen or the canal (where leaks harm nerves) warns.
 */
import type { Vec3 } from '../core/vec3';
import type { ScalarVolume } from '../core/volume';
import type { LabelMap } from '../segmentation/labelmap';
import type { SacralAnatomy } from '../anatomy/types';
import type { FittedSacralFrame } from '../anatomy/frame';
import { maxDistanceOfPoints } from '../segmentation/stats';
import { envelopeNormal, envelopeSdf, localAxes, surfaceClass, type SacralEnvelope } from './envelope';
import { foramenName } from './trajectory';
import { pointSegmentDistance } from '../anatomy/zones';
import type { CementSummary, CheckStatus, PlanCheck } from './types';
import { canalSdfMm, offsetsToLps } from './targets';

export const CORTEX_HU = 600;
export const LESION_RESISTANCE = 1;
export const BONE_RESISTANCE = 4;
/** Degree of cement filling reached in the source study: 76.2 % (PSP) and 84.8 % (PSP + RFA) (Tian 2022, DOMAIN.md §1). */
export const STUDY_FILLING: readonly [number, number] = [0.76, 0.85];

/** The prediction: the summary kept with the trajectory (types.ts) plus the deposit's voxel offsets. */
export type CementPlan = Omit<CementSummary, 'boxIjk'> & { offsets: Int32Array };

class MinHeap {
  private k: number[] = [];
  private v: number[] = [];
  get size(): number { return this.k.length; }
  push(key: number, val: number): void {
    const k = this.k, v = this.v;
    let i = k.length;
    k.push(key); v.push(val);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (k[p]! <= key) break;
      k[i] = k[p]!; v[i] = v[p]!; i = p;
    }
    k[i] = key; v[i] = val;
  }
  pop(): [number, number] {
    const k = this.k, v = this.v;
    const top: [number, number] = [k[0]!, v[0]!];
    const lk = k.pop()!, lv = v.pop()!;
    if (k.length) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1, r = l + 1;
        let m = i, mk = lk;
        if (l < k.length && k[l]! < mk) { m = l; mk = k[l]!; }
        if (r < k.length && k[r]! < mk) { m = r; mk = k[r]!; }
        if (m === i) break;
        k[i] = k[m]!; v[i] = v[m]!; i = m;
      }
      k[i] = lk; v[i] = lv;
    }
    return top;
  }
}

/**
 * The planned volume whose deposit reaches the study's degree of filling (aim: the middle of
 * 76–85 %, Tian 2022), by bisection on the volume: more cement never makes the deposit's maximal
 * diameter smaller. `fillingAt` predicts the filling ratio for a volume (mL). When even `maxMl`
 * stays under 76 % (the deposit is stopped by the walls, a foramen or the canal) that is returned
 * with reached = false.
 */
export function cementVolumeForFilling(fillingAt: (ml: number) => number | null, maxMl = 8): { ml: number; fillingRatio: number | null; reached: boolean } {
  const goal = (STUDY_FILLING[0] + STUDY_FILLING[1]) / 2;
  const top = fillingAt(maxMl);
  if (top === null) return { ml: maxMl, fillingRatio: null, reached: false };
  if (top < STUDY_FILLING[0]) return { ml: maxMl, fillingRatio: top, reached: false };
  let lo = 0.1, hi = maxMl, best = { ml: maxMl, fillingRatio: top as number | null };
  for (let it = 0; it < 8; it++) {
    const mid = (lo + hi) / 2;
    const r = fillingAt(mid);
    if (r === null) break;
    if (Math.abs(r - goal) < Math.abs((best.fillingRatio ?? Infinity) - goal)) best = { ml: mid, fillingRatio: r };
    if (r < goal) lo = mid; else hi = mid;
  }
  // not rounded: the deposit's maximal diameter moves in voxel steps, so a rounded volume may land elsewhere
  const ml = best.ml;
  return { ml, fillingRatio: best.fillingRatio, reached: best.fillingRatio !== null && best.fillingRatio >= STUDY_FILLING[0] && best.fillingRatio <= STUDY_FILLING[1] + 0.05 };
}

export function predictCement(volume: ScalarVolume, labels: LabelMap, lesionLabel: number | null, envelope: SacralEnvelope | null, frame: FittedSacralFrame | null, anatomy: SacralAnatomy | null, tipLps: Readonly<Vec3>, plannedMl: number): CementPlan {
  const geo = volume.geometry;
  const [ni, nj, nk] = geo.dims;
  const sp = geo.spacingMm;
  const voxMl = geo.voxelVolumeMm3 / 1000;
  const target = Math.max(1, Math.round(plannedMl / voxMl));
  const start = geo.nearestIndex(tipLps);
  const empty = (why: string): CementPlan => ({ offsets: new Int32Array(0), volumeMl: 0, plannedMl, maxDiameterMm: 0, lesionMaxDiameterMm: null, fillingRatio: null, lesionFilled: null, stopSurfaces: [], reasons: [why], checks: [{ part: 'cement', level: 'warn', text: why }] });
  if (!start) return empty('the needle tip is outside the image');
  const state = new Map<number, number>(); // offset -> 1 filled, 2 blocked
  const cost = new Map<number, number>();
  const heap = new MinHeap();
  const s0 = start[0] + ni * (start[1] + nj * start[2]);
  heap.push(0, s0);
  cost.set(s0, 0);
  const filled: number[] = [];
  const stops = new Map<string, number>();
  const p: Vec3 = [0, 0, 0];
  const nrm: Vec3 = [0, 0, 0];
  const blockedWhy = (o: number): string | null => {
    geo.offsetToLps(p, o);
    for (const f of anatomy?.foramina ?? []) if (pointSegmentDistance(p[0], p[1], p[2], f.anteriorLps, f.posteriorLps) - f.radiusMm < 1) return `edge of the ${foramenName(f.id)}`;
    const c = anatomy?.canal;
    if (c && canalSdfMm(c, p[0], p[1], p[2]) < 1) return 'sacral canal';
    if (envelope && envelopeSdf(envelope, p[0], p[1], p[2]) > -0.5) {
      envelopeNormal(nrm, envelope, p[0], p[1], p[2]);
      const cls = surfaceClass(nrm, localAxes(frame, p));
      return cls === 'posterior' ? 'posterior sacral wall' : cls === 'anterior' ? 'anterior cortex' : cls === 'lateral' ? 'SI-joint margin (lateral wall)' : `${cls} sacral wall`;
    }
    const isLesion = lesionLabel !== null && labels.data[o] === lesionLabel;
    if (!isLesion && volume.units === 'HU' && volume.voxels[o]! >= CORTEX_HU) return 'cortical bone';
    return null;
  };
  const steps: [number, number][] = [[1, sp[0]], [-1, sp[0]], [ni, sp[1]], [-ni, sp[1]], [ni * nj, sp[2]], [-ni * nj, sp[2]]];
  while (heap.size && filled.length < target) {
    const [c, o] = heap.pop();
    if (state.get(o) === 1) continue;
    if (c > (cost.get(o) ?? Infinity)) continue;
    const why = filled.length ? blockedWhy(o) : null;
    if (why) { state.set(o, 2); stops.set(why, (stops.get(why) ?? 0) + 1); continue; }
    state.set(o, 1);
    filled.push(o);
    const [i, j, k] = geo.indexOfOffset(p, o);
    for (const [d, len] of steps) {
      if ((d === 1 && i === ni - 1) || (d === -1 && i === 0) || (d === ni && j === nj - 1) || (d === -ni && j === 0) || (d === ni * nj && k === nk - 1) || (d === -ni * nj && k === 0)) continue;
      const q = o + d;
      if (state.has(q)) continue;
      const res = lesionLabel !== null && labels.data[q] === lesionLabel ? LESION_RESISTANCE : BONE_RESISTANCE;
      const nc = c + len * res;
      if (nc < (cost.get(q) ?? Infinity)) { cost.set(q, nc); heap.push(nc, q); }
    }
  }
  const offsets = Int32Array.from(filled);
  let inLesion = 0;
  if (lesionLabel !== null) for (const o of offsets) if (labels.data[o] === lesionLabel) inLesion++;
  const maxDiameterMm = maxDistanceOfPoints(offsetsToLps(geo, offsets));
  let lesionMaxDiameterMm: number | null = null, lesionFilled: number | null = null;
  if (lesionLabel !== null && labels.count(lesionLabel) > 0) {
    const lo = labels.offsetsOf(lesionLabel);
    lesionMaxDiameterMm = maxDistanceOfPoints(offsetsToLps(geo, lo, 20000));
    lesionFilled = inLesion / lo.length;
  }
  const fillingRatio = lesionMaxDiameterMm ? maxDiameterMm / lesionMaxDiameterMm : null;
  const volumeMl = offsets.length * voxMl;
  const stopSurfaces = [...stops.entries()].sort((a, b) => b[1] - a[1]).map(([w]) => w);
  const checks: PlanCheck[] = [];
  const add = (level: CheckStatus, text: string) => checks.push({ part: 'cement', level, text });
  const short = volumeMl < plannedMl * 0.98;
  add(short ? 'warn' : 'pass', `${volumeMl.toFixed(2)} mL of ${plannedMl.toFixed(2)} mL planned${short ? ' (no room left inside the stop surfaces)' : ''}`);
  if (fillingRatio !== null) {
    const text = `filling ratio ${(fillingRatio * 100).toFixed(0)} % (deposit ${maxDiameterMm.toFixed(1)} mm / lesion ${lesionMaxDiameterMm!.toFixed(1)} mm; study 76–85 %)`;
    add(fillingRatio < STUDY_FILLING[0] ? 'warn' : 'pass', fillingRatio < STUDY_FILLING[0] ? `${text}, below the study's 76 %` : text);
  }
  if (lesionFilled !== null) add('pass', `${(lesionFilled * 100).toFixed(0)} % of the lesion filled`);
  const neural = stopSurfaces.filter((w) => w.startsWith('edge of the') || w === 'sacral canal');
  if (neural.length) add('warn', `the deposit reaches the ${neural.slice(0, 2).map((w) => w.replace(/^edge of the /, '')).join(' and the ')}: leak risk toward the nerve (the study stopped injecting there)`);
  const walls = stopSurfaces.filter((w) => !neural.includes(w));
  if (walls.length) add('pass', `stops at: ${walls.slice(0, 3).join(', ')}`);
  if (!envelope) add('warn', 'no sacrum mask: the sacral walls do not stop the deposit (run the anatomy step)');
  const order = { fail: 0, warn: 1, pass: 2 } as const;
  checks.sort((a, b) => order[a.level] - order[b.level]);
  const reasons = checks.map((c) => c.text);
  return { offsets, volumeMl, plannedMl, maxDiameterMm, lesionMaxDiameterMm, fillingRatio, lesionFilled, stopSurfaces, reasons, checks };
}
