/**
 * Where to put an RF electrode's tip (pure). The burns sit behind the tip (the first centred half
 * an active tip behind it, each pull-back one step further back; planning/ablation.ts), so aiming
 * the tip at the lesion's centre leaves its far half untreated. Here the tip slides along the
 * planned needle line (deeper or shallower) and sideways by a few millimetres (the path moved
 * parallel), and for each burn count 1–4 the position that covers most of the lesion while every
 * burn edge stays at least `ablationNeuralWarnMm` (10 mm) from the foramina and the canal is kept.
 *
 * Proposed burn count [design]: the fewest burns whose coverage is within 2 percentage points of
 * the best count's (each further burn costs ~10 min at 85 °C and heats more bone for nothing).
 * When the neural margin caps the coverage below the goal (90 %), the reasons say so and give the
 * coverage that a burn edge closer than the margin would reach; when even that stays below the
 * goal, they say the lesion is wider than one electrode's burns.
 */
import type { Vec3 } from '../core/vec3';
import type { SacralAnatomy } from '../anatomy/types';
import type { ApproachName, CheckStatus, Needle, SafetyThresholds } from './types';
import { evaluateTrajectory, type PlanningContext } from './trajectory';
import { envelopeSdf } from './envelope';
import { ablationZones, neuralStructures, zoneImplicit, zoneNeuralMargin, type AblationParams } from './ablation';

export interface BurnOption {
  burns: number;
  /** Best lesion coverage (0..1) with this many burns keeping the neural margin. */
  coverage: number;
  /** Smallest burn-edge distance to a foramen or the canal at that position (mm), null without landmarks. */
  marginMm: number | null;
  tipLps: Vec3;
  /** Best coverage with this many burns when the margin is only required to stay ≥ 0 (no nerve inside a burn). */
  coverageAnyMargin: number;
}

export interface RfAim {
  tipLps: Vec3;
  entryLps: Vec3;
  burns: number;
  options: BurnOption[];
  /** Coverage goal the reasons refer to (fraction). */
  goal: number;
  reasons: string[];
}

export interface RfAimOptions {
  /** How far the tip may move along the needle, each way (mm). Default 30. */
  alongMm?: number;
  /** Sideways offsets tried (mm) in each of the two directions across the needle. Default ±4 in 2 mm steps. */
  acrossMm?: number[];
  /** Whether the needle may go from entryLps to tipLps (e.g. its path check is no worse than the planned one's). */
  tipAllowed?: (tipLps: Readonly<Vec3>, entryLps: Readonly<Vec3>) => boolean;
  /** Lesion points used in the search (subsampled); the reported coverage uses all. Default 3000. */
  searchPoints?: number;
}

const MAX_BURNS = 4;
/** [design] A further burn must add at least this much coverage (fraction). */
const BURN_WORTH = 0.02;

function subsample(points: Float64Array, max: number): Float64Array {
  const n = points.length / 3;
  if (n <= max) return points;
  const stride = Math.ceil(n / max);
  const out = new Float64Array(Math.ceil(n / stride) * 3);
  for (let i = 0, m = 0; i < n; i += stride, m++) { out[3 * m] = points[3 * i]!; out[3 * m + 1] = points[3 * i + 1]!; out[3 * m + 2] = points[3 * i + 2]!; }
  return out;
}

/** Coverage for 1..MAX_BURNS burns at one tip: the share of points inside the union of the first n zones. */
function coverageByBurns(zones: ReturnType<typeof ablationZones>, pts: Float64Array): number[] {
  const counts = new Array<number>(MAX_BURNS + 1).fill(0);
  const n = pts.length / 3;
  for (let i = 0; i < n; i++) {
    const x = pts[3 * i]!, y = pts[3 * i + 1]!, z = pts[3 * i + 2]!;
    for (let k = 0; k < zones.length; k++) if (zoneImplicit(zones[k]!, x, y, z) <= 1) { counts[k]!++; break; }
  }
  const out: number[] = [];
  let acc = 0;
  for (let k = 0; k < MAX_BURNS; k++) { acc += k < zones.length ? counts[k]! : 0; out.push(n ? acc / n : 0); }
  return out;
}

/**
 * Aims an electrode planned from entryLps to targetLps at a lesion (its voxel centres, LPS, xyz
 * interleaved). The returned entry is the planned entry moved parallel with the tip.
 */
export function aimRfElectrode(entryLps: Readonly<Vec3>, targetLps: Readonly<Vec3>, activeTipMm: number, params: AblationParams, lesionPointsLps: Float64Array, anatomy: SacralAnatomy | null, th: SafetyThresholds, opts: RfAimOptions = {}): RfAim {
  const d: Vec3 = [targetLps[0] - entryLps[0], targetLps[1] - entryLps[1], targetLps[2] - entryLps[2]];
  const L = Math.hypot(d[0], d[1], d[2]) || 1;
  const u: Vec3 = [d[0] / L, d[1] / L, d[2] / L];
  const ref: Vec3 = Math.abs(u[0]) < 0.9 ? [1, 0, 0] : [0, 1, 0];
  const v1 = unit([u[1] * ref[2] - u[2] * ref[1], u[2] * ref[0] - u[0] * ref[2], u[0] * ref[1] - u[1] * ref[0]]);
  const v2: Vec3 = [u[1] * v1[2] - u[2] * v1[1], u[2] * v1[0] - u[0] * v1[2], u[0] * v1[1] - u[1] * v1[0]];
  const structures = neuralStructures(anatomy);
  const pts = subsample(lesionPointsLps, opts.searchPoints ?? 3000);
  const along = opts.alongMm ?? 30;
  const across = opts.acrossMm ?? [-4, -2, 0, 2, 4];
  const goal = th.ablationCoverageWarnPct / 100;
  const p4: AblationParams = { ...params, burns: MAX_BURNS };

  type Best = { coverage: number; marginMm: number | null; tip: Vec3; entry: Vec3; dist: number };
  const within: (Best | null)[] = new Array(MAX_BURNS).fill(null);
  const anyMargin: number[] = new Array(MAX_BURNS).fill(0);
  for (const a of across) for (const b of across) for (let s = -along; s <= along + 1e-9; s += 1) {
    const off: Vec3 = [v1[0] * a + v2[0] * b, v1[1] * a + v2[1] * b, v1[2] * a + v2[2] * b];
    const tip: Vec3 = [targetLps[0] + u[0] * s + off[0], targetLps[1] + u[1] * s + off[1], targetLps[2] + u[2] * s + off[2]];
    const entry: Vec3 = [entryLps[0] + off[0], entryLps[1] + off[1], entryLps[2] + off[2]];
    const zones = ablationZones(entry, tip, activeTipMm, p4);
    const cov = coverageByBurns(zones, pts);
    // Quick reject: a position that cannot beat the best found for any count needs no further check.
    if (cov.every((c, k) => c <= (within[k]?.coverage ?? -1) && c <= anyMargin[k]!)) continue;
    if (opts.tipAllowed && !opts.tipAllowed(tip, entry)) continue;
    let margin: number | null = null;
    const dist = Math.hypot(s, a, b);
    // The coarse margin (6 rings) screens; a position that would become the best is confirmed with
    // the 12-ring margin the ablation check reports, so a proposed plan never reads WARN there.
    const fine: number[] = [];
    const fineUpTo = (k: number): number | null => {
      if (!structures.length) return null;
      for (let i = fine.length; i <= k; i++) fine.push(Math.min(i ? fine[i - 1]! : Infinity, zoneNeuralMargin(zones[i]!, structures, 12)?.marginMm ?? Infinity));
      return fine[k]!;
    };
    for (let k = 0; k < zones.length; k++) {
      const m = structures.length ? zoneNeuralMargin(zones[k]!, structures, 6) : null;
      if (m && (margin === null || m.marginMm < margin)) margin = m.marginMm;
      const c = cov[k]!;
      if (margin === null || margin >= 0) anyMargin[k] = Math.max(anyMargin[k]!, c);
      const cur = within[k];
      // Prefer more coverage; among equal coverage, the position closest to the planned target.
      const better = !cur || c > cur.coverage + 1e-9 || (Math.abs(c - cur.coverage) <= 1e-9 && dist < cur.dist);
      if (c > 0 && better && (margin === null || margin >= th.ablationNeuralWarnMm)) {
        const fm = fineUpTo(k);
        if (fm === null || fm >= th.ablationNeuralWarnMm) within[k] = { coverage: c, marginMm: fm, tip, entry, dist };
      }
    }
  }

  const options: BurnOption[] = [];
  for (let k = 0; k < MAX_BURNS; k++) {
    const w = within[k];
    options.push({ burns: k + 1, coverage: w?.coverage ?? 0, marginMm: w?.marginMm ?? null, tipLps: w?.tip ?? [targetLps[0], targetLps[1], targetLps[2]], coverageAnyMargin: anyMargin[k]! });
  }
  const bestCov = Math.max(...options.map((o) => o.coverage));
  const chosen = options.find((o) => o.coverage >= Math.min(goal, bestCov - BURN_WORTH) - 1e-9) ?? options[0]!;
  const w = within[chosen.burns - 1];
  const reasons: string[] = [];
  const pct = (x: number) => `${(x * 100).toFixed(0)} %`;
  const bestAny = Math.max(...anyMargin);
  const margin = `${th.ablationNeuralWarnMm} mm`;
  if (!w) {
    reasons.push(`no tip position keeps every burn edge ≥ ${margin} from the foramina and the canal (burns closer than that could cover ${pct(bestAny)}): the burns would harm nerves; consider cement alone, another approach, or accept the risk knowingly`);
  } else {
    reasons.push(`${chosen.burns} burn${chosen.burns === 1 ? '' : 's'} proposed: ${pct(chosen.coverage)} of the lesion${chosen.marginMm !== null ? `, burn edge ≥ ${chosen.marginMm.toFixed(1)} mm from the nerves` : ''}`);
    if (chosen.coverage < goal - 1e-9) {
      if (bestAny >= goal - 1e-9) reasons.push(`the ${margin} neural margin limits the coverage: ${pct(bestAny)} would need a burn edge closer than ${margin} to a foramen or the canal`);
      else if (bestAny > chosen.coverage + BURN_WORTH) reasons.push(`the ${margin} neural margin limits the coverage, and even closer to the nerves the burns would cover only ${pct(bestAny)}: the lesion is wider than one electrode's burns; add a needle or use a longer active tip`);
      else reasons.push(`the lesion is wider than one electrode's burns (${pct(bestAny)} at best even without the neural margin): add a needle or use a longer active tip`);
    }
  }
  return { tipLps: w?.tip ?? [targetLps[0], targetLps[1], targetLps[2]], entryLps: w?.entry ?? [entryLps[0], entryLps[1], entryLps[2]], burns: chosen.burns, options, goal, reasons };
}

function unit(v: Vec3): Vec3 {
  const l = Math.hypot(v[0], v[1], v[2]) || 1;
  return [v[0] / l, v[1] / l, v[2] / l];
}

const RANK: Record<CheckStatus, number> = { pass: 2, warn: 1, fail: 0 };

/**
 * aimRfElectrode on a planned path in a planning context: the tip stays ≥ 2 mm inside the sacrum
 * and the moved path's own check (clearances, anterior cortex, SI joint, length) may not be worse
 * than the planned path's.
 */
export function aimRfOnPath(ctx: PlanningContext, entryLps: Readonly<Vec3>, targetLps: Readonly<Vec3>, needle: Needle, params: AblationParams, lesionPointsLps: Float64Array, opts: { approach?: ApproachName | null } = {}): RfAim {
  const base = evaluateTrajectory(ctx, entryLps, targetLps, needle, { approach: opts.approach ?? null, quick: true });
  const env = ctx.envelope;
  const cache = new Map<string, boolean>();
  const tipAllowed = (tip: Readonly<Vec3>, entry: Readonly<Vec3>): boolean => {
    if (env && envelopeSdf(env, tip[0], tip[1], tip[2]) > -2) return false;
    const key = `${tip[0].toFixed(2)},${tip[1].toFixed(2)},${tip[2].toFixed(2)}`;
    let ok = cache.get(key);
    if (ok === undefined) {
      const m = evaluateTrajectory(ctx, entry, tip, needle, { approach: opts.approach ?? null, quick: true });
      ok = RANK[m.status] >= RANK[base.status];
      cache.set(key, ok);
    }
    return ok;
  };
  return aimRfElectrode(entryLps, targetLps, needle.activeTipMm ?? 10, params, lesionPointsLps, ctx.anatomy, ctx.thresholds, { tipAllowed });
}
