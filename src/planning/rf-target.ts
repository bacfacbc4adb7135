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
 * goal, they say the lesion is wider than one electrode's burns. When it is the needle's own path
 * that stops the tip (a caller's `tipRefused`, e.g. the moved path would warn where the planned one
 * passes), the reasons say that instead, with the coverage the margin alone would allow, where the
 * tip would then be, and the check that refused it in the words of the path's verdict.
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

/** The best burns the neural margin alone would allow where the needle's path refused the tip (see RfAimOptions.tipRefused). */
export interface PathLimit {
  burns: number;
  /** Coverage (0..1, on the search's points) with every burn edge ≥ the neural margin. */
  coverage: number;
  /** Smallest burn-edge distance to a foramen or the canal there (mm, 12-ring), null without landmarks. */
  marginMm: number | null;
  tipLps: Vec3;
  entryLps: Vec3;
  /** Why the needle may not go there (the caller's words, e.g. the moved path's deciding check). */
  why: string;
}

export interface RfAim {
  tipLps: Vec3;
  entryLps: Vec3;
  burns: number;
  options: BurnOption[];
  /** Coverage goal the reasons refer to (fraction). */
  goal: number;
  reasons: string[];
  /** Set when the needle's path, not the neural margin, keeps the coverage below the goal (or more than 2 points below what the margin allows). */
  pathLimit?: PathLimit;
}

export interface RfAimOptions {
  /** How far the tip may move along the needle, each way (mm). Default 30. */
  alongMm?: number;
  /** Sideways offsets tried (mm) in each of the two directions across the needle. Default ±4 in 2 mm steps. */
  acrossMm?: number[];
  /**
   * Why the needle may not go from entryLps to tipLps (e.g. its path check would be worse than the planned one's), in
   * words the reasons can quote after "there"; null where it may.
   */
  tipRefused?: (tipLps: Readonly<Vec3>, entryLps: Readonly<Vec3>) => string | null;
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
  /**
   * Among the positions the path allows that reach the goal with some burn count, the one whose burn edge stays
   * farthest from the nerves (coarse margin): what reaching the goal would cost, for the reasons.
   */
  let toGoal: { marginMm: number; zones: ReturnType<typeof ablationZones>; burns: number } | null = null;
  /** Per burn count, the best position that keeps the neural margin but that the needle's path refused, and why. */
  const refused: ((Best & { why: string }) | null)[] = new Array(MAX_BURNS).fill(null);
  // Prefer more coverage; among equal coverage, the position closest to the planned target.
  const beats = (c: number, dist: number, cur: Best | null): boolean => !cur || c > cur.coverage + 1e-9 || (Math.abs(c - cur.coverage) <= 1e-9 && dist < cur.dist);
  for (const a of across) for (const b of across) for (let s = -along; s <= along + 1e-9; s += 1) {
    const off: Vec3 = [v1[0] * a + v2[0] * b, v1[1] * a + v2[1] * b, v1[2] * a + v2[2] * b];
    const tip: Vec3 = [targetLps[0] + u[0] * s + off[0], targetLps[1] + u[1] * s + off[1], targetLps[2] + u[2] * s + off[2]];
    const entry: Vec3 = [entryLps[0] + off[0], entryLps[1] + off[1], entryLps[2] + off[2]];
    const zones = ablationZones(entry, tip, activeTipMm, p4);
    const cov = coverageByBurns(zones, pts);
    // Quick reject: a position that cannot beat the best found for any count needs no further check. A refused
    // position matters only where it beats the allowed best, so this holds for `refused` too.
    // A position reaching the goal is looked at too while the goal is not met within the margin (toGoal).
    if (cov.every((c, k) => c <= (within[k]?.coverage ?? -1) && c <= anyMargin[k]!) && !(cov[MAX_BURNS - 1]! >= goal && !within.some((x) => x && x.coverage >= goal))) continue;
    const why = opts.tipRefused ? opts.tipRefused(tip, entry) : null;
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
      if (why === null && (margin === null || margin >= 0)) anyMargin[k] = Math.max(anyMargin[k]!, c);
      if (why === null && margin !== null && c >= goal && (!toGoal || margin > toGoal.marginMm + 1e-9 || (margin > toGoal.marginMm - 1e-9 && k + 1 < toGoal.burns))) toGoal = { marginMm: margin, zones: zones.slice(0, k + 1), burns: k + 1 };
      if (c <= 0 || (margin !== null && margin < th.ablationNeuralWarnMm) || !beats(c, dist, why === null ? within[k]! : refused[k]!)) continue;
      // A refused position counts only where it would beat what the path allows.
      if (why !== null && c <= (within[k]?.coverage ?? 0) + 1e-9) continue;
      const fm = fineUpTo(k);
      if (fm !== null && fm < th.ablationNeuralWarnMm) continue;
      if (why === null) within[k] = { coverage: c, marginMm: fm, tip, entry, dist };
      else refused[k] = { coverage: c, marginMm: fm, tip, entry, dist, why };
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
  // What the path refused: the fewest burns within BURN_WORTH of the refused best (as for the proposal), reported when
  // it would have reached the goal or added more than BURN_WORTH to what the path allows.
  let pathLimit: PathLimit | undefined;
  const refusedBest = Math.max(0, ...refused.map((r) => r?.coverage ?? 0));
  const shortOf = (x: number) => w ? x > chosen.coverage + BURN_WORTH || (x >= goal - 1e-9 && chosen.coverage < goal - 1e-9) : x > 0;
  if (refusedBest > 0 && shortOf(refusedBest)) {
    const k = refused.findIndex((r) => !!r && r.coverage >= Math.min(goal, refusedBest - BURN_WORTH) - 1e-9);
    const r = refused[k]!;
    pathLimit = { burns: k + 1, coverage: r.coverage, marginMm: r.marginMm, tipLps: r.tip, entryLps: r.entry, why: r.why };
  }
  const reasons: string[] = [];
  const pct = (x: number) => `${(x * 100).toFixed(0)} %`;
  const bestAny = Math.max(...anyMargin);
  const margin = `${th.ablationNeuralWarnMm} mm`;
  // What reaching the goal would cost on this path: the burn edge's distance (12-ring, as the ablation check reports
  // it) to the structure nearest it, at the goal-reaching position that keeps the most.
  const goalCostWords = (): string => {
    if (!toGoal) return '';
    let best: { marginMm: number; structure: string } | null = null;
    for (const z of toGoal.zones) { const m = zoneNeuralMargin(z, structures, 12); if (m && (!best || m.marginMm < best.marginMm)) best = m; }
    return best ? `; ${pct(goal)} would bring a burn edge to ${Math.max(0, best.marginMm).toFixed(1)} mm from the ${best.structure}${best.marginMm < 0 ? ' (inside the burn)' : ''} with ${burnsWord(toGoal.burns)}` : '';
  };
  const burnsWord = (n: number) => `${n} burn${n === 1 ? '' : 's'}`;
  const pathWords = (l: PathLimit) => `the needle's path limits the tip, not the ${margin} neural margin: with the tip ${tipMoveWords(targetLps, u, l.tipLps)}, ${burnsWord(l.burns)} would cover ${pct(l.coverage)} of the lesion${l.marginMm !== null ? ` with every burn edge ≥ ${l.marginMm.toFixed(1)} mm from the nerves` : ''}, but there ${l.why}`;
  if (!w) {
    if (pathLimit) {
      reasons.push(`no tip position keeps every burn edge ≥ ${margin} from the foramina and the canal on a path as safe as the planned one (burns closer than that could cover ${pct(bestAny)} there)`);
      reasons.push(pathWords(pathLimit));
    } else reasons.push(`no tip position keeps every burn edge ≥ ${margin} from the foramina and the canal (burns closer than that could cover ${pct(bestAny)}): the burns would harm nerves; consider cement alone, another approach, or accept the risk knowingly`);
  } else {
    reasons.push(`${burnsWord(chosen.burns)} proposed: ${pct(chosen.coverage)} of the lesion${chosen.marginMm !== null ? `, burn edge ≥ ${chosen.marginMm.toFixed(1)} mm from the nerves` : ''}`);
    if (pathLimit) {
      reasons.push(pathWords(pathLimit));
      if (bestAny > Math.max(pathLimit.coverage, chosen.coverage) + BURN_WORTH) reasons.push(`on paths as safe as the planned one, ${pct(bestAny)} would need a burn edge closer than ${margin} to a foramen or the canal`);
    } else if (chosen.coverage < goal - 1e-9) {
      if (bestAny >= goal - 1e-9) reasons.push(`the ${margin} neural margin limits the coverage: ${pct(bestAny)} would need a burn edge closer than ${margin} to a foramen or the canal${goalCostWords()}`);
      else if (bestAny > chosen.coverage + BURN_WORTH) reasons.push(`the ${margin} neural margin limits the coverage, and even closer to the nerves the burns would cover only ${pct(bestAny)}: the lesion is wider than one electrode's burns; add a needle or use a longer active tip`);
      else reasons.push(`the lesion is wider than one electrode's burns (${pct(bestAny)} at best even without the neural margin): add a needle or use a longer active tip`);
    }
  }
  return { tipLps: w?.tip ?? [targetLps[0], targetLps[1], targetLps[2]], entryLps: w?.entry ?? [entryLps[0], entryLps[1], entryLps[2]], burns: chosen.burns, options, goal, reasons, ...(pathLimit ? { pathLimit } : {}) };
}

/**
 * Where a tip lies from the planned target, in a radiologist's words: "4 mm deeper" / "3 mm shallower" along the
 * needle (direction u), then the sideways part by its largest patient direction ("and 2.0 mm to the left").
 */
export function tipMoveWords(targetLps: Readonly<Vec3>, u: Readonly<Vec3>, tipLps: Readonly<Vec3>): string {
  const d = [tipLps[0] - targetLps[0], tipLps[1] - targetLps[1], tipLps[2] - targetLps[2]] as const;
  const s = d[0] * u[0] + d[1] * u[1] + d[2] * u[2];
  const side = [d[0] - s * u[0], d[1] - s * u[1], d[2] - s * u[2]] as const;
  const across = Math.hypot(side[0], side[1], side[2]);
  const along = Math.abs(s) < 0.5 ? 'at the planned depth' : `${Math.abs(s).toFixed(0)} mm ${s > 0 ? 'deeper' : 'shallower'}`;
  if (across < 0.5) return along;
  // LPS: +x left, +y posterior, +z cranial.
  const names = [['to the right', 'to the left'], ['anterior', 'posterior'], ['caudal', 'cranial']] as const;
  const axis = [0, 1, 2].reduce((m, i) => (Math.abs(side[i]!) > Math.abs(side[m]!) ? i : m), 0);
  return `${along} and ${across.toFixed(1)} mm off its line (mostly ${names[axis]![side[axis]! > 0 ? 1 : 0]})`;
}

function unit(v: Vec3): Vec3 {
  const l = Math.hypot(v[0], v[1], v[2]) || 1;
  return [v[0] / l, v[1] / l, v[2] / l];
}

const RANK: Record<CheckStatus, number> = { pass: 2, warn: 1, fail: 0 };

/**
 * aimRfElectrode on a planned path in a planning context: the tip stays ≥ 2 mm inside the sacrum
 * and the moved path's own check (clearances, anterior cortex, SI joint, length) may not be worse
 * than the planned path's; where that refuses a tip that would have covered more, the reasons say
 * so with the check that refused it (RfAim.pathLimit).
 *
 * Policy: on slices thicker than 2 mm the check takes each foramen and canal clearance less the
 * landmark's half-slice allowance (slice-uncertainty.ts), and a tip move that warns only because of
 * that allowance is refused like any other. Why, clinically (../shared/DOMAIN.md):
 * - The allowance is not a second margin on top of the 5 mm warning: it is how far the foramen or
 *   canal may really lie from where it was read on a 3-5 mm slice (§8: most planning CTs are 2-5 mm),
 *   so a moved path that warns with it may truly pass within 5 mm of a nerve root. Root injury is the
 *   complication that matters here (deficit risk ~6/28/57 % by Denis zone, §2; the study stops RFA at
 *   once on neurologic signs, §1), and the study's aim is the path that avoids nerves (§1).
 * - What the warning would buy is burn coverage of a [design] model (§4: ellipsoid, 90 % goal) a few
 *   points above what the safe path reaches; the cement injected after the burns (§1: RFA first, then
 *   PSP, filling 76-85 %) also treats the lesion, so a few points of modelled burn coverage are not a
 *   few points of untreated tumour.
 * - The planner ranks paths on the same judged clearance (slice-uncertainty.ts), so the aim would
 *   otherwise undo, silently and for a few points of a model's coverage, the choice the planner made.
 * So an automatic aim never makes a path's verdict worse; the reasons name the tip it refused, the
 * coverage there and the check in the verdict's words (structure, clearance, allowance, threshold), so
 * the radiologist can move the tip by hand and accept that warning knowingly: a moved needle is
 * evaluated again and the plan shows its warning (engine.ts 'evaluate').
 */
export function aimRfOnPath(ctx: PlanningContext, entryLps: Readonly<Vec3>, targetLps: Readonly<Vec3>, needle: Needle, params: AblationParams, lesionPointsLps: Float64Array, opts: { approach?: ApproachName | null } = {}): RfAim {
  const base = evaluateTrajectory(ctx, entryLps, targetLps, needle, { approach: opts.approach ?? null, quick: true });
  const env = ctx.envelope;
  const cache = new Map<string, string | null>();
  const PASSES: Record<CheckStatus, string> = { pass: 'passes', warn: 'warns', fail: 'fails' };
  const tipRefused = (tip: Readonly<Vec3>, entry: Readonly<Vec3>): string | null => {
    if (env && envelopeSdf(env, tip[0], tip[1], tip[2]) > -2) return 'the tip would lie less than 2 mm inside the sacrum';
    const key = `${tip[0].toFixed(2)},${tip[1].toFixed(2)},${tip[2].toFixed(2)}`;
    let why = cache.get(key);
    if (why === undefined) {
      const m = evaluateTrajectory(ctx, entry, tip, needle, { approach: opts.approach ?? null, quick: true });
      // The moved path's checks come worst first: the first is the one that makes it worse than the planned path.
      why = RANK[m.status] >= RANK[base.status] ? null : `the path would ${m.status} where the planned one ${PASSES[base.status]}: ${m.checks[0]?.text ?? m.status}${m.status === 'warn' ? '; move the tip there by hand only if you accept that warning' : ''}`;
      cache.set(key, why);
    }
    return why;
  };
  return aimRfElectrode(entryLps, targetLps, needle.activeTipMm ?? 10, params, lesionPointsLps, ctx.anatomy, ctx.thresholds, { tipRefused });
}
