/**
 * Scoring a fellow's attempt at a library case (pure): each step against the expert plan
 * (teaching/expert.ts) and the source study's rule, with the reason in words.
 *
 *   segmentation 20: lesion volume against the expert's (full marks at the same volume, none at
 *     half or double: 20·(1 − |ln(v/v_expert)| / ln 2)); a lesion whose centroid lies farther than
 *     the expert lesion's radius + 5 mm from the expert's centroid is another lesion (0);
 *   zone 20: the zone named against the classifier's zone of the expert lesion, with the
 *     classifier's explanation as the why;
 *   approach 20: the expert's (planner's) best approach 20; another approach the study used for that
 *     zone 10; an approach the study did not use for that zone 0. For a lesion outside the study's
 *     criteria, declining is right (20) and any approach wrong;
 *   needle 40: per expert lesion, the fellow's needle whose tip lies nearest its centroid (within the
 *     lesion radius + 10 mm): PASS 40, WARN 20, FAIL 0, shared over the lesions; compared with the
 *     best plan of the same approach (its verdict and smallest clearance) and every risky finding
 *     named. A needle on a declined lesion scores 0.
 * The weights are a [design] choice: the needle's safety counts most.
 */
import type { Vec3 } from '../core/vec3';
import type { ApproachName, CheckStatus } from '../planning/types';
import { studyApproaches } from '../planning/planner';
import type { ExpertApproachRow, ExpertLesion } from './expert';
import { approachWords } from './cases';

/** What the scoring needs of the expert plan (plain JSON; the worker sends it to the app). */
export interface ExpertSummary {
  caseId: string;
  lesions: (Omit<ExpertLesion, 'caseLesionId' | 'criteria' | 'best'> & {
    best: Pick<NonNullable<ExpertLesion['best']>, 'approach' | 'status' | 'minClearanceMm' | 'depthMm'> | null;
  })[];
}

export interface AttemptLesion {
  id: string;
  volumeMl: number;
  centroidLps: Vec3 | null;
}

export interface AttemptNeedle {
  id: string;
  approach: ApproachName | null;
  targetLps: Vec3;
  status: CheckStatus;
  /** Findings, worst first (the needle's verdict checks). */
  reasons: string[];
  minClearanceMm: number | null;
  nearestForamen: { id: string; clearanceMm: number } | null;
  canalClearanceMm: number | null;
}

export interface AttemptInput {
  lesions: AttemptLesion[];
  namedZone: 1 | 2 | 3 | null;
  /** The fellow chose not to treat (outside the study's criteria). */
  declined: boolean;
  approach: ApproachName | null;
  needles: AttemptNeedle[];
}

export type StepName = 'segmentation' | 'zone' | 'approach' | 'needle';
export type StepVerdict = 'right' | 'partly' | 'wrong' | 'missing';

export interface ScoreStep {
  step: StepName;
  points: number;
  max: number;
  verdict: StepVerdict;
  /** What was found and why, one or two sentences. */
  text: string;
}

export interface AttemptScore {
  caseId: string;
  points: number;
  max: number;
  percent: number;
  steps: ScoreStep[];
  /** Every risky finding of the fellow's needles (fail first), e.g. "0.0 mm from the left S1 foramen (enters it)". */
  risks: string[];
}

const MAX = { segmentation: 20, zone: 20, approach: 20, needle: 40 } as const;
const round1 = (x: number): number => Math.round(x * 10) / 10;
const dist = (a: Readonly<Vec3>, b: Readonly<Vec3>): number => Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
const mm = (x: number | null): string => (x === null || !Number.isFinite(x) ? 'not measured' : `${x.toFixed(1)} mm`);
const STATUS_WORD: Record<CheckStatus, string> = { pass: 'PASS', warn: 'WARN', fail: 'FAIL' };

/** Scores an attempt. Inputs are not mutated. */
export function scoreAttempt(expert: ExpertSummary, a: AttemptInput): AttemptScore {
  const steps: ScoreStep[] = [];
  const main = expert.lesions[0]!;
  const declinedCase = expert.lesions.every((l) => l.declined);

  // 1. segmentation: each expert lesion against the fellow's lesion nearest to it
  {
    let pts = 0;
    const words: string[] = [];
    for (const el of expert.lesions) {
      const share = MAX.segmentation / expert.lesions.length;
      const near = nearestLesion(el, a.lesions);
      if (!near || !el.centroidLps || !near.centroidLps || near.volumeMl <= 0) { words.push(`${el.name}: not segmented`); continue; }
      const off = dist(el.centroidLps, near.centroidLps);
      if (off > el.maxDiameterMm / 2 + 5) { words.push(`${el.name}: your nearest lesion is ${off.toFixed(0)} mm away, another place`); continue; }
      const ratio = near.volumeMl / el.volumeMl;
      const p = share * Math.max(0, 1 - Math.abs(Math.log(ratio)) / Math.LN2);
      pts += p;
      words.push(`${el.name}: ${near.volumeMl.toFixed(2)} mL against the expert's ${el.volumeMl.toFixed(2)} mL (${Math.round(ratio * 100)} %), centroid ${off.toFixed(1)} mm off`);
    }
    steps.push({ step: 'segmentation', points: round1(pts), max: MAX.segmentation, verdict: verdictOf(pts, MAX.segmentation, a.lesions.length === 0), text: words.join('; ') });
  }

  // 2. zone
  {
    const truthZone = main.zone;
    if (a.namedZone === null) steps.push({ step: 'zone', points: 0, max: MAX.zone, verdict: 'missing', text: `no zone named; it is zone ${truthZone}: ${main.zoneExplanation ?? ''}`.trim() });
    else if (a.namedZone === truthZone) steps.push({ step: 'zone', points: MAX.zone, max: MAX.zone, verdict: 'right', text: `zone ${truthZone}, right: ${main.zoneExplanation ?? ''}`.trim() });
    else steps.push({ step: 'zone', points: 0, max: MAX.zone, verdict: 'wrong', text: `you named zone ${a.namedZone}; it is zone ${truthZone}: ${main.zoneExplanation ?? ''}`.trim() });
  }

  // 3. approach (the study's rule and the planner's choice)
  {
    if (declinedCase) {
      if (a.declined) steps.push({ step: 'approach', points: MAX.approach, max: MAX.approach, verdict: 'right', text: `declined, right: ${main.declined}` });
      else steps.push({ step: 'approach', points: 0, max: MAX.approach, verdict: a.approach ? 'wrong' : 'missing', text: `this lesion is outside the study's criteria and should be declined: ${main.declined}` });
    } else if (a.declined) {
      steps.push({ step: 'approach', points: 0, max: MAX.approach, verdict: 'wrong', text: `declined, but the lesion meets the study's criteria; the expert uses the ${approachWords(main.best?.approach ?? null)} approach` });
    } else if (!a.approach) {
      steps.push({ step: 'approach', points: 0, max: MAX.approach, verdict: 'missing', text: `no approach chosen; the expert uses the ${approachWords(main.best?.approach ?? null)} approach` });
    } else {
      const study = studyApproaches(main.zone);
      const best = main.best?.approach ?? null;
      const ruleWords = `the study used ${study.map((x) => approachWords(x)).join(' / ')} for zone ${main.zone}`;
      if (a.approach === best) steps.push({ step: 'approach', points: MAX.approach, max: MAX.approach, verdict: 'right', text: `${approachWords(a.approach)}, the expert's choice; ${ruleWords}` });
      else {
        const mine = main.ranked.find((r) => r.approach === a.approach);
        const why = whyBestAbove(main.ranked, a.approach);
        if (study.includes(a.approach)) steps.push({ step: 'approach', points: MAX.approach / 2, max: MAX.approach, verdict: 'partly', text: `${approachWords(a.approach)} follows the study's rule (${ruleWords}), but the expert chose ${approachWords(best)}${why ? `: ${why}` : ''}${mine && !mine.feasible ? `; ${mine.reasons[0] ?? ''}` : ''}` });
        else steps.push({ step: 'approach', points: 0, max: MAX.approach, verdict: 'wrong', text: `${approachWords(a.approach)} does not follow the study's rule: ${ruleWords}; the expert chose ${approachWords(best)}` });
      }
    }
  }

  // 4. needle(s)
  const risks: string[] = [];
  for (const n of a.needles) for (const r of n.reasons) if (/fail|warn|<|breach|enters|outside/i.test(r) && !risks.includes(r)) risks.push(r);
  {
    const words: string[] = [];
    let pts = 0;
    const share = MAX.needle / expert.lesions.length;
    for (const el of expert.lesions) {
      const n = nearestNeedle(el, a.needles);
      if (el.declined) {
        if (n) words.push(`${el.name}: a needle was placed in a lesion the study would decline`);
        else { pts += share; words.push(`${el.name}: no needle, right (declined)`); }
        continue;
      }
      if (!n) { words.push(`${el.name}: no needle reaches it`); continue; }
      pts += n.status === 'pass' ? share : n.status === 'warn' ? share / 2 : 0;
      const ref = el.ranked.find((r) => r.approach === n.approach && r.feasible) ?? null;
      const bestRow = el.ranked[0] && el.ranked[0].feasible ? el.ranked[0] : null;
      const nearest = n.nearestForamen ? `${n.nearestForamen.clearanceMm.toFixed(1)} mm from the ${foramenWords(n.nearestForamen.id)}` : null;
      const deciding = n.status !== 'pass' ? n.reasons[0] : null;
      const cmp = ref ? `the best ${approachWords(ref.approach)} path: ${STATUS_WORD[ref.status]}, smallest clearance ${mm(ref.minClearanceMm)}`
        : bestRow ? `the expert's ${approachWords(bestRow.approach)} path: ${STATUS_WORD[bestRow.status]}, smallest clearance ${mm(bestRow.minClearanceMm)}` : '';
      words.push(`${el.name}: your needle ${STATUS_WORD[n.status]}${deciding ? ` (${deciding})` : ''}, smallest clearance ${mm(n.minClearanceMm)}${nearest ? `, ${nearest}` : ''}; ${cmp}`);
    }
    const none = a.needles.length === 0 && !declinedCase;
    steps.push({ step: 'needle', points: round1(pts), max: MAX.needle, verdict: verdictOf(pts, MAX.needle, none), text: words.join('; ') });
  }

  const points = round1(steps.reduce((s, x) => s + x.points, 0));
  const max = steps.reduce((s, x) => s + x.max, 0);
  return { caseId: expert.caseId, points, max, percent: Math.round((100 * points) / max), steps, risks };
}

function verdictOf(p: number, max: number, missing: boolean): StepVerdict {
  if (missing) return 'missing';
  return p >= 0.9 * max ? 'right' : p > 0 ? 'partly' : 'wrong';
}

function nearestLesion(el: ExpertSummary['lesions'][number], ls: readonly AttemptLesion[]): AttemptLesion | null {
  let best: AttemptLesion | null = null, bd = Infinity;
  for (const l of ls) {
    if (!l.centroidLps || !el.centroidLps) continue;
    const d = dist(l.centroidLps, el.centroidLps);
    if (d < bd) { bd = d; best = l; }
  }
  return best;
}

function nearestNeedle(el: ExpertSummary['lesions'][number], ns: readonly AttemptNeedle[]): AttemptNeedle | null {
  if (!el.centroidLps) return null;
  let best: AttemptNeedle | null = null, bd = el.maxDiameterMm / 2 + 10;
  for (const n of ns) {
    const d = dist(n.targetLps, el.centroidLps);
    if (d <= bd) { bd = d; best = n; }
  }
  return best;
}

/** The ranking's reasons from the best row down to `approach`, joined (why the best sits above it). */
function whyBestAbove(ranked: readonly ExpertApproachRow[], approach: ApproachName): string | null {
  const i = ranked.findIndex((r) => r.approach === approach);
  if (i <= 0) return null;
  return ranked[i - 1]!.whyAbove ?? ranked[0]!.whyAbove;
}

const SIDE = { L: 'left', R: 'right' } as const;
export function foramenWords(id: string): string {
  const [level, side] = id.split('_') as [string, 'L' | 'R'];
  return `${SIDE[side] ?? side} ${level} foramen`;
}
