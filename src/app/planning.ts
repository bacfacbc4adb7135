/**
 * Trajectory actions: place, plan, rank, edit and remove needles; the metrics come from the
 * PlanningEngine in the case worker (src/planning/engine.ts). Trajectories live in the store.
 */
import type { Vec3 } from '../core/vec3';
import { store, notify, onVolumeShown } from './actions';
import { planRequest } from './lesions';
import type { ApproachName, Needle, SafetyThresholds, Trajectory } from '../planning/types';
import { APPROACH_NAMES } from '../planning/types';
import { DEFAULT_NEEDLE_ID, findNeedle, NEEDLE_CATALOGUE } from '../planning/needles';
import { DEFAULT_ABLATION, type AblationParams } from '../planning/ablation';
import type { PlannedPath, PlanReply } from '../planning/engine';
import { APPROACH_TEMPLATES } from '../planning/approaches';
import { minNeuralClearanceMm, tipArrived } from '../planning/trajectory';
import { rankApproachRows, structuresCrossed, DEFAULT_RANK_TIE_MM, type RankInput } from '../planning/ranking';
import { needleVerdict } from '../planning/verdict';

export interface RankRow extends RankInput {
  trajectoryId: string | null;
  reasons: string[];
  /** Why this row sits above the next (planning/ranking.ts). */
  whyAbove: string | null;
}

let counter = 1;
const customNeedles: Needle[] = [];
/** Ablation parameters per trajectory (electrodes only). */
const ablationParams = new Map<string, AblationParams>();
/** The last RF aiming of a trajectory (coverage per burn count, reasons); dropped when the needle moves. */
export const rfAims = new Map<string, NonNullable<PlanReply['rfAim']>>();

onVolumeShown(() => {
  store.update({ trajectories: [], selectedTrajectoryId: null });
  ablationParams.clear();
  rfAims.clear();
  rankings.clear();
});

/** Last ranking per lesion (the panel shows it). */
export const rankings = new Map<string, RankRow[]>();

export function needles(): Needle[] {
  return [...NEEDLE_CATALOGUE, ...customNeedles];
}

export function addCustomNeedle(n: Needle): void {
  const i = customNeedles.findIndex((c) => c.id === n.id);
  if (i >= 0) customNeedles[i] = n; else customNeedles.push(n);
}

function resolveNeedle(n: string | Needle | undefined): Needle {
  if (!n) return findNeedle(DEFAULT_NEEDLE_ID)!;
  if (typeof n !== 'string') return n;
  const found = findNeedle(n, customNeedles);
  if (!found) throw new Error(`unknown needle "${n}" (known: ${needles().map((x) => x.id).join(', ')})`);
  return found;
}

function lesionLabel(lesionId: string | null | undefined): number | null {
  if (!lesionId) return null;
  const l = store.state.lesions.find((x) => x.id === lesionId);
  if (!l) throw new Error(`no lesion ${lesionId}`);
  return l.label;
}

function checkApproach(a: string | null | undefined): ApproachName | null {
  if (a === null || a === undefined) return null;
  if (!(APPROACH_NAMES as readonly string[]).includes(a)) throw new Error(`unknown approach "${a}" (one of ${APPROACH_NAMES.join(', ')})`);
  return a as ApproachName;
}

function vec(p: readonly number[], what: string): Vec3 {
  if (!Array.isArray(p) || p.length !== 3 || !p.every((x) => Number.isFinite(x))) throw new Error(`${what} must be [x, y, z] in LPS mm`);
  return [p[0]!, p[1]!, p[2]!];
}

async function evaluate(t: Omit<Trajectory, 'metrics' | 'ablation' | 'cement'> & { cement?: Trajectory['cement'] }, snapToSkin = false): Promise<Trajectory> {
  const abl = t.needle.activeTipMm ? ablationParams.get(t.id) ?? { ...DEFAULT_ABLATION } : null;
  const r = await planRequest({
    type: 'evaluate', entryLps: t.entryLps, targetLps: t.targetLps, needle: t.needle, approach: t.approach,
    lesionLabel: lesionLabel(t.lesionId), ablation: abl, thresholds: store.state.thresholds, snapToSkin,
  }, null);
  return { ...t, entryLps: r.entryLps ?? t.entryLps, metrics: r.metrics!, ablation: r.ablation ?? null, cement: t.cement ?? null };
}

function upsert(t: Trajectory, select = true): void {
  const list = store.state.trajectories;
  const i = list.findIndex((x) => x.id === t.id);
  const next = i >= 0 ? list.map((x) => (x.id === t.id ? t : x)) : [...list, t];
  store.update({ trajectories: next, ...(select ? { selectedTrajectoryId: t.id } : {}) });
}

/** Places a needle exactly from entry to target and returns its id. */
export async function setTrajectory(input: { entryLps: readonly number[]; targetLps: readonly number[]; needle?: string | Needle; approach?: string | null; lesionId?: string | null; id?: string }): Promise<string> {
  const entryLps = vec(input.entryLps, 'entryLps'), targetLps = vec(input.targetLps, 'targetLps');
  const needle = resolveNeedle(input.needle);
  const approach = checkApproach(input.approach);
  lesionLabel(input.lesionId);
  const id = input.id ?? `N${counter++}`;
  const prev = store.state.trajectories.find((x) => x.id === id);
  const t = await evaluate({ id, approach, lesionId: input.lesionId ?? prev?.lesionId ?? null, needle, entryLps, targetLps, advance: prev?.advance ?? 1, source: 'manual' });
  upsert(t);
  return id;
}

let dragBusy = false;
let dragNext: { id: string; entryLps: Vec3; targetLps: Vec3; snapToSkin: boolean } | null = null;
/**
 * Moves the entry and/or target of a trajectory (dragging in a view): metrics follow live.
 * With snapToSkin the entry slides along the new line onto the skin (where a needle goes in).
 */
export async function setTrajectoryPoints(id: string, entryLps: Vec3, targetLps: Vec3, snapToSkin = false): Promise<void> {
  const t = store.state.trajectories.find((x) => x.id === id);
  if (!t) throw new Error(`no trajectory ${id}`);
  // Show the new position at once; the metrics follow (coalesced while a request is in flight).
  rfAims.delete(id);
  upsert({ ...t, entryLps, targetLps, source: 'manual' }, false);
  dragNext = { id, entryLps, targetLps, snapToSkin };
  if (dragBusy) return;
  dragBusy = true;
  try {
    while (dragNext) {
      const job = dragNext;
      dragNext = null;
      const cur = store.state.trajectories.find((x) => x.id === job.id);
      if (!cur) continue;
      const r = await evaluate({ ...cur, entryLps: job.entryLps, targetLps: job.targetLps }, job.snapToSkin);
      const now = store.state.trajectories.find((x) => x.id === job.id);
      if (now) upsert({ ...now, ...(dragNext ? {} : { entryLps: r.entryLps }), metrics: r.metrics, ablation: r.ablation }, false);
    }
  } finally {
    dragBusy = false;
  }
  // A deposit follows its needle's tip.
  const moved = store.state.trajectories.find((x) => x.id === id);
  if (moved?.cement && !dragNext) await planCement(id, moved.cement.plannedMl);
}

/**
 * Predicts the cement deposit at a needle's tip (planning/cement.ts); plannedMl defaults to the
 * lesion's volume (bounded to the study's 3–8 mL per lesion when larger); null removes it.
 */
export async function planCement(id: string, plannedMl?: number | null): Promise<Trajectory['cement']> {
  const t = store.state.trajectories.find((x) => x.id === id);
  if (!t) throw new Error(`no trajectory ${id}`);
  const lesion = t.lesionId ? store.state.lesions.find((l) => l.id === t.lesionId) : null;
  let ml = plannedMl === undefined ? Math.min(8, lesion?.stats?.volumeMl ?? 3) : plannedMl;
  if (ml !== null && !(ml > 0 && ml <= 30)) throw new Error('planned cement volume must be between 0 and 30 mL');
  ml = ml === null ? null : Math.round(ml * 100) / 100;
  const tip: Vec3 = [0, 1, 2].map((a) => t.entryLps[a]! + (t.targetLps[a]! - t.entryLps[a]!) * t.advance) as Vec3;
  const r = await planRequest({ type: 'cement', id, tipLps: tip, lesionLabel: lesionLabel(t.lesionId), plannedMl: ml, thresholds: store.state.thresholds }, 'Predicting the cement deposit…');
  const now = store.state.trajectories.find((x) => x.id === id);
  if (now) upsert({ ...now, cement: r.cement ?? null }, false);
  store.update({ cementVersion: store.state.cementVersion + 1 });
  return r.cement ?? null;
}

function fromPath(p: PlannedPath, lesionId: string, needle: Needle, id = `N${counter++}`): Trajectory {
  return { id, approach: p.approach, lesionId, needle, entryLps: p.entryLps, targetLps: p.targetLps, advance: 1, metrics: p.metrics, ablation: null, cement: null, source: 'auto' };
}

/** Plans one approach for a lesion (1–3 needles); returns the first needle's id. */
export async function planApproach(lesionId: string, approach: string, options: { needle?: string | Needle; needles?: number } = {}): Promise<string> {
  const label = lesionLabel(lesionId)!;
  const a = checkApproach(approach)!;
  const needle = resolveNeedle(options.needle);
  const k = Math.max(1, Math.min(3, Math.round(options.needles ?? 1)));
  const r = await planRequest({ type: 'plan', lesionLabel: label, approach: a, needle, needles: k, thresholds: store.state.thresholds }, `Planning the ${APPROACH_TEMPLATES[a].label.toLowerCase()} approach…`);
  if (!r.paths?.length) throw new Error(`no ${a} path for this lesion: ${r.explanation ?? 'none found'}`);
  // Replace this lesion's earlier automatic needles of the same approach.
  store.update({ trajectories: store.state.trajectories.filter((t) => !(t.lesionId === lesionId && t.approach === a && t.source === 'auto')) });
  const ids: string[] = [];
  for (const p of r.paths) {
    const t = fromPath(p, lesionId, needle);
    upsert(t);
    // An electrode's tip goes where its burns cover the lesion best, not at the lesion's centre.
    if (needle.activeTipMm) await aimElectrode(t.id);
    ids.push(t.id);
  }
  store.update({ selectedTrajectoryId: ids[0]! });
  return ids[0]!;
}

/** Plans all five approaches for a lesion and ranks them (best first). */
export async function rankApproaches(lesionId: string, options: { needle?: string | Needle } = {}): Promise<RankRow[]> {
  const label = lesionLabel(lesionId)!;
  const lesion = store.state.lesions.find((l) => l.id === lesionId)!;
  const needle = resolveNeedle(options.needle);
  const r = await planRequest({ type: 'rank', lesionLabel: label, needle, zone: lesion.zone?.zone ?? null, thresholds: store.state.thresholds }, 'Planning and ranking the five approaches…');
  store.update({ trajectories: store.state.trajectories.filter((t) => !(t.lesionId === lesionId && t.source === 'auto')) });
  const rows: RankRow[] = [];
  const added: Trajectory[] = [];
  for (const row of r.ranked ?? []) {
    const t = row.path ? fromPath(row.path, lesionId, needle) : null;
    if (t) added.push(t);
    rows.push({ approach: row.approach, trajectoryId: t?.id ?? null, feasible: row.feasible, minClearanceMm: row.minClearanceMm, depthMm: row.depthMm, structuresCrossed: row.structuresCrossed, status: row.status, reasons: row.reasons, studyChoice: row.studyChoice, whyAbove: row.whyAbove });
  }
  store.update({ trajectories: [...store.state.trajectories, ...added], selectedTrajectoryId: added[0]?.id ?? store.state.selectedTrajectoryId });
  rankings.set(lesionId, rows);
  store.update({ rankingVersion: store.state.rankingVersion + 1 });
  return rows;
}

/**
 * The ranking of a lesion as it stands now: each row reads its needle's current verdict (path, tip,
 * ablation and cement), clearance and depth, so a needle dragged to FAIL reads FAIL and moves down;
 * rows whose needle was deleted keep the values of the ranking.
 */
export function liveRanking(lesionId: string): RankRow[] | null {
  const rows = rankings.get(lesionId);
  if (!rows) return null;
  const s = store.state;
  const zone = s.lesions.find((l) => l.id === lesionId)?.zone?.zone ?? null;
  const live = rows.map((r): RankRow => {
    const t = r.trajectoryId ? s.trajectories.find((x) => x.id === r.trajectoryId) : undefined;
    if (!t) return r;
    const v = needleVerdict(t);
    const mc = minNeuralClearanceMm(t.metrics);
    return { ...r, status: v.status, minClearanceMm: Number.isFinite(mc) ? mc : null, depthMm: t.metrics.depthMm, structuresCrossed: structuresCrossed(t.metrics), reasons: v.checks.length ? v.checks.map((c) => c.text) : [`passes all checks; smallest clearance ${Number.isFinite(mc) ? `${mc.toFixed(1)} mm` : 'not measured'}`] };
  });
  return rankApproachRows(live, { tieMm: s.thresholds.rankTieMm ?? DEFAULT_RANK_TIE_MM, zone });
}

export function selectTrajectory(id: string | null): void {
  store.update({ selectedTrajectoryId: id });
}

export function deleteTrajectory(id: string): void {
  ablationParams.delete(id);
  rfAims.delete(id);
  if (store.state.trajectories.find((t) => t.id === id)?.cement) void planCement(id, null).catch(() => undefined);
  store.update({ trajectories: store.state.trajectories.filter((t) => t.id !== id), selectedTrajectoryId: store.state.selectedTrajectoryId === id ? null : store.state.selectedTrajectoryId });
}

/** Tip advance 0..1 along the path (needle's-eye view, teaching). */
export function setAdvance(id: string, advance: number): void {
  const t = store.state.trajectories.find((x) => x.id === id);
  if (t) upsert({ ...t, advance: Math.max(0, Math.min(1, advance)) }, false);
}

export async function setNeedle(id: string, needleId: string): Promise<void> {
  const t = store.state.trajectories.find((x) => x.id === id);
  if (!t) throw new Error(`no trajectory ${id}`);
  const needle = resolveNeedle(needleId);
  rfAims.delete(id);
  upsert(await evaluate({ ...t, needle }), false);
  // A planned path given an electrode is aimed for its burns; a hand-placed one stays where the user put it.
  if (needle.activeTipMm && t.source === 'auto' && t.lesionId) await aimElectrode(id);
}

/**
 * Aims an RF electrode (planning/rf-target.ts): its tip moves along and across the path so the
 * burns with pull-backs cover the lesion best while every burn edge keeps the neural margin; the
 * proposed burn count is set, and the coverage per burn count is kept for the panel.
 */
export async function aimElectrode(id: string): Promise<NonNullable<PlanReply['rfAim']>> {
  const t = store.state.trajectories.find((x) => x.id === id);
  if (!t) throw new Error(`no trajectory ${id}`);
  if (!t.needle.activeTipMm) throw new Error('aiming the burns needs an RF electrode');
  const label = lesionLabel(t.lesionId);
  if (label === null) throw new Error('aiming the burns needs the needle\'s lesion (plan it for a lesion)');
  const params = ablationParams.get(id) ?? { ...DEFAULT_ABLATION };
  const r = await planRequest({ type: 'aim-rf', entryLps: t.entryLps, targetLps: t.targetLps, needle: t.needle, approach: t.approach, lesionLabel: label, ablation: params, thresholds: store.state.thresholds }, 'Aiming the electrode for its burns…');
  if (!r.rfAim) throw new Error(r.explanation ?? 'the electrode could not be aimed');
  ablationParams.set(id, { ...params, burns: r.rfAim.burns });
  const now = store.state.trajectories.find((x) => x.id === id);
  if (now) upsert({ ...now, entryLps: r.rfAim.entryLps, targetLps: r.rfAim.tipLps, metrics: r.metrics!, ablation: r.ablation ?? null }, false);
  rfAims.set(id, r.rfAim);
  // A predicted deposit follows the tip.
  if (now?.cement) await planCement(id, now.cement.plannedMl);
  return r.rfAim;
}

export async function setAblation(id: string, p: Partial<AblationParams>): Promise<void> {
  const t = store.state.trajectories.find((x) => x.id === id);
  if (!t) throw new Error(`no trajectory ${id}`);
  if (!t.needle.activeTipMm) throw new Error('ablation needs an RF electrode (choose a 17 G RF electrode for this needle)');
  ablationParams.set(id, { ...(ablationParams.get(id) ?? DEFAULT_ABLATION), ...p });
  upsert(await evaluate(t), false);
}

export function ablationOf(id: string): AblationParams {
  return ablationParams.get(id) ?? { ...DEFAULT_ABLATION };
}

/** New pass/warn/fail thresholds: every trajectory is checked again. */
export async function setThresholds(p: Partial<SafetyThresholds>): Promise<void> {
  store.update({ thresholds: { ...store.state.thresholds, ...p } });
  await reevaluateAll();
}

export async function reevaluateAll(): Promise<void> {
  for (const t of store.state.trajectories) {
    const r = await evaluate(t);
    const now = store.state.trajectories.find((x) => x.id === t.id);
    if (now) upsert({ ...now, metrics: r.metrics, ablation: r.ablation }, false);
  }
}

// Landmarks changed (detection, a dragged foramen): metrics of every needle are recomputed.
let pendingReeval: ReturnType<typeof setTimeout> | null = null;
store.subscribe((s, prev) => {
  if (s.anatomy !== prev.anatomy && s.trajectories.length) {
    if (pendingReeval) clearTimeout(pendingReeval);
    pendingReeval = setTimeout(() => { pendingReeval = null; reevaluateAll().catch((e: Error) => notify('warning', e.message)); }, 50);
  }
});

export { tipArrived };

/** Whether any predicted cement deposit is shown (its needle has arrived). */
export function cementShown(trajectories: readonly Trajectory[]): boolean {
  return trajectories.some((t) => t.cement && tipArrived(t));
}

/** Starts placing a needle by hand: the next click is the skin entry, the one after the target. */
export function startPlacingNeedle(needleId: string, lesionId: string | null): void {
  store.update({ placingNeedle: store.state.placingNeedle ? null : { needleId, lesionId, entryLps: null }, placing: null });
}

export function cancelPlacingNeedle(): void {
  store.update({ placingNeedle: null });
}

/** A click while placing a needle. */
export async function placeNeedleAt(lps: Vec3): Promise<void> {
  const p = store.state.placingNeedle;
  if (!p) return;
  if (!p.entryLps) {
    store.update({ placingNeedle: { ...p, entryLps: lps } });
    return;
  }
  store.update({ placingNeedle: null });
  await setTrajectory({ entryLps: p.entryLps, targetLps: lps, needle: p.needleId, lesionId: p.lesionId });
}

/** Resolves when no metric update is pending (drags, threshold or landmark changes). */
export async function settled(): Promise<void> {
  while (dragBusy || pendingReeval) await new Promise((r) => setTimeout(r, 10));
}
