/**
 * Ranking of approaches for one lesion (pure), in the order a radiologist weighs them:
 *   1. the verdict: PASS above WARN above FAIL above "no path fits the approach";
 *   2. the smallest clearance to the foramina and the canal (counted up to CLEARANCE_GOAL_MM),
 *      but clearances within `tieMm` (default 1 mm [design], SafetyThresholds.rankTieMm) of the
 *      best remaining one count as equal: a tenth of a millimetre is below what landmarks placed
 *      on CT and a deflecting needle can promise;
 *   3. among equals: the source study's choice for the lesion's Denis zone (Tian 2022: posterior
 *      for zone 2 and other parts, interpedicular for the bodies, anterior-oblique / transiliac /
 *      posterior for the ala; DOMAIN.md §1, §3), then fewer structures crossed (the SI joint), then
 *      the shorter path (the study's aim: the shortest path that avoids nerves and vessels), then
 *      the larger clearance.
 * Selection is greedy: each next row is the best (by 3) of those whose clearance is within tieMm of
 * the largest remaining one. That keeps the order well defined although "within 1 mm" is not
 * transitive, and every row can say in one sentence why it sits above the next.
 */
import type { ApproachName, CheckStatus } from './types';

/** [design] Beyond this clearance a further millimetre buys no safety (the auto-planner's goal too). */
export const RANK_CLEARANCE_GOAL_MM = 15;
export const DEFAULT_RANK_TIE_MM = 1;

export interface RankInput {
  approach: ApproachName;
  /** False when no path fits the approach's template (status is then ignored). */
  feasible: boolean;
  status: CheckStatus;
  /** Smallest needle-surface clearance to a foramen or the canal (mm); null = none placed. */
  minClearanceMm: number | null;
  depthMm: number | null;
  /** Structures the path crosses that another approach might avoid (e.g. 'SI joint'). */
  structuresCrossed: readonly string[];
  /** The source study's approach family for the lesion's zone. */
  studyChoice: boolean;
}

export type Ranked<T extends RankInput> = T & {
  /** Why this row sits above the next one (null for the last). */
  whyAbove: string | null;
};

const STATUS_WORD: Record<CheckStatus, string> = { pass: 'PASS', warn: 'WARN', fail: 'FAIL' };
const LABEL: Record<ApproachName, string> = {
  'posterior-short-axis': 'posterior short-axis', 'posterior-long-axis': 'posterior long-axis', transiliac: 'transiliac', interpedicular: 'interpedicular', 'anterior-oblique': 'anterior-oblique',
};

const clearance = (r: RankInput): number => Math.min(r.minClearanceMm ?? Infinity, RANK_CLEARANCE_GOAL_MM);
const tierOf = (r: RankInput): number => (r.feasible ? 3 - ['pass', 'warn', 'fail'].indexOf(r.status) : 0);

/** Among rows of equal verdict and clearance within the margin: study choice, fewer structures, shorter path, larger clearance. */
function tieBreak(a: RankInput, b: RankInput): number {
  return Number(b.studyChoice) - Number(a.studyChoice)
    || a.structuresCrossed.length - b.structuresCrossed.length
    || (a.depthMm ?? Infinity) - (b.depthMm ?? Infinity)
    || clearance(b) - clearance(a);
}

const mm = (x: number): string => (Number.isFinite(x) ? `${x.toFixed(1)} mm` : 'no landmarks');

/** Why `a` sits above `b` when they were compared by the tie-break (clearances within the margin). */
function tieReason(a: RankInput, b: RankInput, tieMm: number, zone: 1 | 2 | 3 | null): string {
  const ca = clearance(a), cb = clearance(b);
  const lead = Number.isFinite(ca) && Number.isFinite(cb) && ca < RANK_CLEARANCE_GOAL_MM
    ? `clearances within ${tieMm} mm (${mm(ca)} vs ${mm(cb)})`
    : `both clear by ≥ ${RANK_CLEARANCE_GOAL_MM} mm`;
  if (a.studyChoice !== b.studyChoice) return `${lead}; ${LABEL[a.approach]} is the study's choice for ${zone ? `zone ${zone}` : 'this lesion'}, ${LABEL[b.approach]} is not`;
  if (a.structuresCrossed.length !== b.structuresCrossed.length) {
    const extra = b.structuresCrossed.filter((s) => !a.structuresCrossed.includes(s));
    return `${lead}; ${LABEL[b.approach]} also crosses the ${extra.join(' and the ') || `${b.structuresCrossed.length - a.structuresCrossed.length} more structure(s)`}`;
  }
  const da = a.depthMm ?? Infinity, db = b.depthMm ?? Infinity;
  if (da !== db) return `${lead}; shorter path (${da.toFixed(0)} vs ${Number.isFinite(db) ? db.toFixed(0) : '–'} mm)`;
  return `${lead}; same choice, crossings and depth; larger clearance`;
}

/** Ranks approach rows best first; each row states why it is above the next. Inputs are not mutated. */
export function rankApproachRows<T extends RankInput>(rows: readonly T[], opts: { tieMm?: number; zone?: 1 | 2 | 3 | null } = {}): Ranked<T>[] {
  const tieMm = opts.tieMm ?? DEFAULT_RANK_TIE_MM;
  const zone = opts.zone ?? null;
  const left = [...rows];
  const out: { row: T; tiedWithNext: Set<T> }[] = [];
  while (left.length) {
    const tier = Math.max(...left.map(tierOf));
    const sameTier = left.filter((r) => tierOf(r) === tier);
    const top = Math.max(...sameTier.map(clearance));
    const candidates = tier === 0 ? sameTier : sameTier.filter((r) => clearance(r) >= top - tieMm - 1e-9);
    candidates.sort(tieBreak);
    const pick = candidates[0]!;
    out.push({ row: pick, tiedWithNext: new Set(candidates.slice(1)) });
    left.splice(left.indexOf(pick), 1);
  }
  return out.map(({ row, tiedWithNext }, i): Ranked<T> => {
    const next = out[i + 1]?.row;
    let why: string | null = null;
    if (next) {
      const ta = tierOf(row), tb = tierOf(next);
      if (ta !== tb) {
        why = !next.feasible ? `${LABEL[row.approach]} has a path (${STATUS_WORD[row.status]}); no ${LABEL[next.approach]} path fits its template`
          : `${STATUS_WORD[row.status]} vs ${STATUS_WORD[next.status]}`;
      } else if (ta === 0) why = 'neither has a path that fits its template';
      else if (tiedWithNext.has(next)) why = tieReason(row, next, tieMm, zone);
      else why = `clearance ${mm(clearance(row))} vs ${mm(clearance(next))} (more than ${tieMm} mm apart)`;
    }
    return { ...row, whyAbove: why };
  });
}

/** The structures a path crosses that ranking counts (the SI joint; DOMAIN.md §3 lists it among the transiliac risks). */
export function structuresCrossed(m: { siJointCrossed: boolean }): string[] {
  return m.siJointCrossed ? ['SI joint'] : [];
}
