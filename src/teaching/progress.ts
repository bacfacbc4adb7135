/**
 * A fellow's progress across cases (pure): one record per scored attempt, and the CSV export.
 * Storage is the app's (IndexedDB, src/app/teaching-store.ts).
 */
import type { AttemptScore, StepName } from './score';

export interface AttemptRecord {
  caseId: string;
  title: string;
  /** ISO time of scoring. */
  at: string;
  points: number;
  max: number;
  percent: number;
  steps: Record<StepName, { points: number; max: number; verdict: string }>;
  risks: string[];
}

export function attemptRecord(score: AttemptScore, title: string, at: string): AttemptRecord {
  const steps = Object.fromEntries(score.steps.map((s) => [s.step, { points: s.points, max: s.max, verdict: s.verdict }])) as AttemptRecord['steps'];
  return { caseId: score.caseId, title, at, points: score.points, max: score.max, percent: score.percent, steps, risks: [...score.risks] };
}

const STEPS: StepName[] = ['segmentation', 'zone', 'approach', 'needle'];

/** RFC 4180 field: quoted when it holds a comma, quote or line break; a leading =, +, - or @ is prefixed with ' so spreadsheets do not run it. */
function field(v: string | number): string {
  let s = String(v);
  if (/^[=+\-@]/.test(s) && typeof v === 'string') s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The attempts as CSV (header row first, oldest attempt first). */
export function progressCsv(records: readonly AttemptRecord[]): string {
  const head = ['time', 'case', 'title', 'points', 'max', 'percent', ...STEPS.flatMap((s) => [`${s}_points`, `${s}_verdict`]), 'risks'];
  const rows = [...records].sort((a, b) => a.at.localeCompare(b.at)).map((r) => [
    r.at, r.caseId, r.title, r.points, r.max, r.percent,
    ...STEPS.flatMap((s) => [r.steps[s]?.points ?? 0, r.steps[s]?.verdict ?? 'missing']),
    r.risks.join(' | '),
  ].map(field).join(','));
  return [head.join(','), ...rows].join('\r\n') + '\r\n';
}
