/**
 * The expert plan of a teaching case (pure): the case's phantom, its landmarks and lesions exactly
 * as the phantom defines them (what an expert would have confirmed), and for each lesion the
 * study's criteria and the planner's ranking of the five approaches (planning/planner.ts through the
 * case's own rankApproaches command), of which the best path is kept as the expert's needle.
 * Nothing is hand-typed: the numbers are the classifier's and the planner's.
 *
 * Runs in node (tests) and in the demo worker, which sends the expert case to the app as a plan
 * file (case/plan-file.ts), so it opens like any saved plan.
 */
import type { Vec3 } from '../core/vec3';
import { makeDemoPhantom, type DemoCase, type DemoTruth } from '../demo/phantom';
import type { ForamenId, SacralAnatomy } from '../anatomy/types';
import { CaseEngine, type CaseView } from '../case/engine';
import { EMPTY_DOC, type CaseDoc } from '../case/types';
import { writePlan, type PlanMeta } from '../case/plan-file';
import { seriesIdentity } from '../case/identity';
import type { SeriesIdentity } from '../case/types';
import { studyCriteria, type CriteriaResult } from '../segmentation/criteria';
import { findNeedle, DEFAULT_NEEDLE_ID } from '../planning/needles';
import type { ApproachName, CheckStatus } from '../planning/types';
import { caseVariant, type TeachingCase } from './cases';

/** The voxel size of the library's phantoms (the demo's). */
export const CASE_SPACING_MM = 0.8;

export interface ExpertApproachRow {
  approach: ApproachName;
  feasible: boolean;
  status: CheckStatus;
  minClearanceMm: number | null;
  depthMm: number | null;
  studyChoice: boolean;
  whyAbove: string | null;
  reasons: string[];
}

export interface ExpertLesion {
  /** The case's lesion id (L1, L2). */
  id: string;
  /** The lesion's id in the case document. */
  caseLesionId: string;
  name: string;
  zone: 1 | 2 | 3 | null;
  zoneExplanation: string | null;
  volumeMl: number;
  maxDiameterMm: number;
  centroidLps: Vec3 | null;
  criteria: CriteriaResult;
  /** Why the lesion is declined (the failed criteria in words), or null. */
  declined: string | null;
  /** Ranked approaches, best first (empty when declined). */
  ranked: ExpertApproachRow[];
  /** The expert's needle: the best ranked path (null when declined or when no path fits). */
  best: { approach: ApproachName; needleId: string; status: CheckStatus; minClearanceMm: number | null; depthMm: number; entryLps: Vec3; targetLps: Vec3 } | null;
}

export interface ExpertCase {
  caseId: string;
  demo: DemoCase;
  identity: SeriesIdentity;
  anatomy: SacralAnatomy;
  lesions: ExpertLesion[];
  /** The expert case as a .sacroplan file (lesions, landmarks, the expert's needles, the sacrum). */
  planBytes: Uint8Array;
  /** The fellow's starting point: landmarks and sacrum only. */
  startBytes: Uint8Array;
  ms: number;
}

/** Study and series UID of a library case: its plan files open on it and on no other case. */
export function caseUids(caseId: string): { studyUid: string; seriesUid: string } {
  return { studyUid: 'sacroplan-teaching-library', seriesUid: `sacroplan-case-${caseId}` };
}

/** The demo truth's landmarks as a SacralAnatomy (hand-placed, confidence 1). */
export function anatomyFromDemoTruth(t: DemoTruth): SacralAnatomy {
  const midline = t.levels[0]!.bodyCentreLps;
  return {
    foramina: t.foramina.map((f) => ({ id: f.id as ForamenId, level: f.level, side: f.side, anteriorLps: [...f.anteriorLps], posteriorLps: [...f.posteriorLps], radiusMm: f.radiusMm, confidence: 1, source: 'manual' as const })),
    canal: { centerlineLps: t.canal.centrelineLps.map((p) => [...p] as Vec3), radiusMm: [...t.canal.radiiMm], confidence: 1, source: 'manual' },
    frame: { midlinePointLps: [0, midline[1], midline[2]], midlineNormalLps: [1, 0, 0], bodyCentersLps: t.levels.map((l) => [...l.bodyCentreLps] as Vec3) },
  };
}

/** Voxel offsets whose centres lie inside a truth lesion's ellipsoid. */
export function lesionOffsets(demo: DemoCase, lesionIndex: number): number[] {
  const les = demo.truth.lesions[lesionIndex]!;
  const g = demo.volume.geometry;
  const [ni, nj, nk] = g.dims;
  const [a, b, c] = les.semiAxesMm;
  const [e1, e2, e3] = les.axesLps;
  const ctr = les.centerLps;
  const r = Math.max(a, b, c) + 1;
  const lo = g.lpsToIjk([0, 0, 0], [ctr[0] - r, ctr[1] - r, ctr[2] - r]), hi = g.lpsToIjk([0, 0, 0], [ctr[0] + r, ctr[1] + r, ctr[2] + r]);
  const out: number[] = [];
  const p: Vec3 = [0, 0, 0];
  const i0 = Math.max(0, Math.floor(Math.min(lo[0], hi[0]))), i1 = Math.min(ni - 1, Math.ceil(Math.max(lo[0], hi[0])));
  const j0 = Math.max(0, Math.floor(Math.min(lo[1], hi[1]))), j1 = Math.min(nj - 1, Math.ceil(Math.max(lo[1], hi[1])));
  const k0 = Math.max(0, Math.floor(Math.min(lo[2], hi[2]))), k1 = Math.min(nk - 1, Math.ceil(Math.max(lo[2], hi[2])));
  for (let k = k0; k <= k1; k++) for (let j = j0; j <= j1; j++) for (let i = i0; i <= i1; i++) {
    g.ijkToLps(p, i, j, k);
    const d: Vec3 = [p[0] - ctr[0], p[1] - ctr[1], p[2] - ctr[2]];
    const u = d[0] * e1[0] + d[1] * e1[1] + d[2] * e1[2], v = d[0] * e2[0] + d[1] * e2[1] + d[2] * e2[2], w = d[0] * e3[0] + d[1] * e3[1] + d[2] * e3[2];
    if ((u / a) ** 2 + (v / b) ** 2 + (w / c) ** 2 <= 1) out.push(i + ni * (j + nj * k));
  }
  return out;
}

/** The phantom of a case with its sacrum mask. */
export function casePhantom(c: TeachingCase, spacingMm = CASE_SPACING_MM): DemoCase {
  return makeDemoPhantom({ spacingMm, variant: caseVariant(c), sacrumMask: true });
}

/** Builds a case's phantom and its expert plan. */
export function buildExpertCase(c: TeachingCase, options: { spacingMm?: number; savedAt?: string; appVersion?: string } = {}): ExpertCase {
  const t0 = Date.now();
  const demo = casePhantom(c, options.spacingMm);
  const { studyUid, seriesUid } = caseUids(c.id);
  const identity = seriesIdentity(demo.volume.geometry, studyUid, seriesUid);
  const meta: PlanMeta = { appVersion: options.appVersion ?? '0.1.0', savedAt: options.savedAt ?? '2026-01-01T00:00:00.000Z', series: identity };
  const anatomy = anatomyFromDemoTruth(demo.truth);
  const engine = new CaseEngine(demo.volume);
  const zeros = new Uint8Array(demo.volume.geometry.voxelCount);
  const startDoc: CaseDoc = { ...EMPTY_DOC, anatomy };
  engine.load(startDoc, zeros, demo.sacrumMask);
  const startBytes = writePlan(startDoc, zeros, meta, demo.sacrumMask);
  const imported = engine.run({
    type: 'importLesions',
    lesions: c.lesions.map((l, i) => ({ name: l.name, method: 'manual' as const, offsets: lesionOffsets(demo, i) })),
  });
  let view: CaseView = imported.view;
  const needle = findNeedle(DEFAULT_NEEDLE_ID)!;
  const lesions: ExpertLesion[] = [];
  c.lesions.forEach((def, i) => {
    const lv = view.lesions[i]!;
    const z = lv.zone;
    const criteria = studyCriteria({
      maxDiameterMm: lv.stats?.maxDiameterMm ?? 0,
      foraminaEntered: z ? z.foraminaEntered : null,
      canalDepthMm: z ? z.canalDepthMm : null,
      nearestForamen: z?.nearestForamen ?? null,
      canalDistanceMm: z?.canalDistanceMm ?? null,
    });
    const base = { id: def.id, caseLesionId: lv.id, name: lv.name, zone: z?.zone ?? null, zoneExplanation: z?.explanation ?? null, volumeMl: lv.stats?.volumeMl ?? 0, maxDiameterMm: lv.stats?.maxDiameterMm ?? 0, centroidLps: lv.stats ? [...lv.stats.centroidLps] as Vec3 : null, criteria };
    if (criteria.verdict === 'fails') {
      lesions.push({ ...base, declined: criteria.items.filter((x) => x.status === 'fails').map((x) => x.text).join('; '), ranked: [], best: null });
      return;
    }
    const r = engine.run({ type: 'rankApproaches', lesionId: lv.id, needle, zone: z?.zone ?? null });
    view = r.view;
    const ranked = (r.info.ranked ?? []).map((row): ExpertApproachRow & { needleId: string | null } => ({
      approach: row.approach, feasible: row.feasible, status: row.status, minClearanceMm: row.minClearanceMm, depthMm: row.depthMm,
      studyChoice: row.studyChoice, whyAbove: row.whyAbove, reasons: [...row.reasons], needleId: row.needleId,
    }));
    const top = ranked[0];
    let best: ExpertLesion['best'] = null;
    // Only the best path stays in the expert plan; the others are what the ranking compared.
    for (const row of ranked) if (row.needleId && row !== top) view = engine.run({ type: 'deleteNeedle', id: row.needleId }).view;
    if (top?.needleId && top.feasible) {
      const n = view.needles.find((x) => x.id === top.needleId)!;
      best = { approach: top.approach, needleId: n.id, status: top.status, minClearanceMm: top.minClearanceMm, depthMm: n.metrics.depthMm, entryLps: [...n.entryLps], targetLps: [...n.targetLps] };
    }
    lesions.push({ ...base, declined: null, ranked: ranked.map(({ needleId: _n, ...row }) => row), best });
  });
  const planBytes = writePlan(engine.doc, engine.labels.data, meta, demo.sacrumMask);
  return { caseId: c.id, demo, identity, anatomy, lesions, planBytes, startBytes, ms: Date.now() - t0 };
}

/**
 * The case's own checks: each lesion's zone is the one the case states, a declined lesion is
 * declined for the stated criterion, and every other lesion has an expert needle that does not
 * fail, on the stated approach, which is one the study used for that zone. Returns the problems.
 */
export function checkExpertCase(c: TeachingCase, e: ExpertCase): string[] {
  const problems: string[] = [];
  c.lesions.forEach((def, i) => {
    const x = e.lesions[i];
    if (!x) { problems.push(`${def.id}: no expert result`); return; }
    if (x.zone !== def.zone) problems.push(`${def.id}: the classifier says zone ${x.zone}, the case states zone ${def.zone}`);
    if (def.declined) {
      if (!x.declined) problems.push(`${def.id}: should be declined (${def.declined}) but meets the criteria`);
      else if (!x.criteria.items.some((it) => it.key === def.declined && it.status === 'fails')) problems.push(`${def.id}: declined, but not for ${def.declined}: ${x.declined}`);
      return;
    }
    if (x.declined) { problems.push(`${def.id}: declined: ${x.declined}`); return; }
    if (!x.best) { problems.push(`${def.id}: no path fits any approach`); return; }
    if (x.best.status === 'fail') problems.push(`${def.id}: the expert needle fails`);
    if (x.best.approach !== def.approach) problems.push(`${def.id}: the planner chose ${x.best.approach}, the case states ${def.approach}`);
    if (!x.ranked[0]?.studyChoice) problems.push(`${def.id}: ${x.best.approach} is not the study's choice for zone ${x.zone}`);
  });
  return problems;
}
