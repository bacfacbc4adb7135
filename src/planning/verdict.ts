/**
 * One verdict per needle (pure): the worst of its path, tip, ablation and cement checks. A needle
 * whose path passes but whose burn edge comes within 10 mm of the canal is a WARN needle, not a
 * PASS with a warning further down; the finding that decides the verdict comes first.
 *
 * Parts: 'path' and 'tip' come from the trajectory check (planning/trajectory.ts), 'ablation' from
 * the RF burns (planning/ablation.ts), 'cement' from the predicted deposit (planning/cement.ts).
 * A part that was not planned (no electrode, no cement predicted) is absent, not a pass.
 */
import type { AblationPlan, CementSummary, CheckStatus, PlanCheck, PlanPart, TrajectoryMetrics } from './types';

export interface PartVerdict {
  part: PlanPart;
  status: CheckStatus;
  checks: PlanCheck[];
}

export interface NeedleVerdict {
  status: CheckStatus;
  /** The finding that sets the verdict (the worst one; among equals the path, then tip, ablation, cement), or null when every check passes without a note. */
  deciding: PlanCheck | null;
  /** Every finding, worst first, the deciding one first. */
  checks: PlanCheck[];
  parts: PartVerdict[];
}

const RANK: Record<CheckStatus, number> = { fail: 0, warn: 1, pass: 2 };
const PART_ORDER: readonly PlanPart[] = ['path', 'tip', 'ablation', 'cement'];

/** The worse of two statuses. */
export function worse(a: CheckStatus, b: CheckStatus): CheckStatus {
  return RANK[a] <= RANK[b] ? a : b;
}

/** Orders statuses from best to worst: a negative number when a is better than b. */
export function compareStatus(a: CheckStatus, b: CheckStatus): number {
  return RANK[b] - RANK[a];
}

function statusOf(checks: readonly PlanCheck[], fallback: CheckStatus): CheckStatus {
  let s: CheckStatus = 'pass';
  for (const c of checks) s = worse(s, c.level);
  return checks.length ? s : fallback;
}

/**
 * The needle's verdict. Each part's status is the worse of its stated status and its findings, so
 * a part can never read better than any of its checks; the needle's status is the worst part.
 */
export function needleVerdict(t: { metrics: Pick<TrajectoryMetrics, 'status' | 'checks'>; ablation: Pick<AblationPlan, 'status' | 'checks'> | null; cement: Pick<CementSummary, 'checks'> | null }): NeedleVerdict {
  const parts: PartVerdict[] = [];
  const pathChecks = t.metrics.checks.filter((c) => c.part !== 'tip');
  const tipChecks = t.metrics.checks.filter((c) => c.part === 'tip');
  // The trajectory's own status covers path and tip together; a part without findings passes.
  parts.push({ part: 'path', status: statusOf(pathChecks, 'pass'), checks: pathChecks });
  parts.push({ part: 'tip', status: statusOf(tipChecks, 'pass'), checks: tipChecks });
  if (t.ablation) parts.push({ part: 'ablation', status: worse(t.ablation.status, statusOf(t.ablation.checks, 'pass')), checks: t.ablation.checks });
  if (t.cement) parts.push({ part: 'cement', status: statusOf(t.cement.checks, 'pass'), checks: t.cement.checks });
  let status: CheckStatus = t.metrics.status;
  for (const p of parts) status = worse(status, p.status);
  const checks = parts.flatMap((p) => p.checks).sort((a, b) => RANK[a.level] - RANK[b.level] || PART_ORDER.indexOf(a.part) - PART_ORDER.indexOf(b.part));
  const deciding = checks[0] && checks[0].level === status ? checks[0] : null;
  return { status, deciding, checks, parts };
}

/** Short label of a part for the panel. */
export const PART_LABEL: Record<PlanPart, string> = { path: 'path', tip: 'tip', ablation: 'ablation', cement: 'cement' };
