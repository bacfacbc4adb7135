/**
 * Trajectory actions: place, plan, rank, edit and remove needles. Each change is a command of the
 * open case (src/case/commands.ts); the metrics, ablation and cement are derived by the case engine
 * and reach the store through its projection (src/app/case.ts).
 */
import type { Vec3 } from '../core/vec3';
import { store, onVolumeShown } from './actions';
import { caseRun, caseView, caseSettled } from './case';
import { newGesture } from './lesions';
import type { ApproachName, Needle, SafetyThresholds, Trajectory } from '../planning/types';
import { APPROACH_NAMES } from '../planning/types';
import { DEFAULT_NEEDLE_ID, findNeedle, NEEDLE_CATALOGUE } from '../planning/needles';
import { DEFAULT_ABLATION, type AblationParams } from '../planning/ablation';
import { APPROACH_TEMPLATES } from '../planning/approaches';
import { minNeuralClearanceMm, tipArrived } from '../planning/trajectory';
import { rankApproachRows, structuresCrossed, DEFAULT_RANK_TIE_MM, type RankInput } from '../planning/ranking';
import { needleVerdict } from '../planning/verdict';
import type { RfAimInfo } from '../case/commands';

export interface RankRow extends RankInput {
  trajectoryId: string | null;
  reasons: string[];
  /** Why this row sits above the next (planning/ranking.ts). */
  whyAbove: string | null;
}

/**
 * The last RF aiming of each needle (coverage per burn count, reasons), shown while the needle
 * stays where the aiming put it (a command's answer, not part of the case: undo or a drag makes it stale).
 */
/** The aiming report of a needle (kept in the case: plan file, autosave) if it still describes where the needle is. */
export function rfAimOf(t: Trajectory): RfAimInfo | null {
  const r = caseView()?.needles.find((n) => n.id === t.id)?.rfReport;
  if (!r) return null;
  const a: RfAimInfo = { id: t.id, ...r, tipLps: [...r.tipLps], entryLps: [...r.entryLps], options: [...r.options], reasons: [...r.reasons] };
  const same = (p: readonly number[], q: readonly number[]) => p.every((v, i) => Math.abs(v - q[i]!) < 1e-6);
  return same(a.tipLps, t.targetLps) && same(a.entryLps, t.entryLps) && t.needle.activeTipMm ? a : null;
}

const customNeedles: Needle[] = [];

onVolumeShown(() => {
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

function checkLesion(lesionId: string | null | undefined): void {
  if (lesionId && !store.state.lesions.some((x) => x.id === lesionId)) throw new Error(`no lesion ${lesionId}`);
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

function trajectoryOf(id: string): Trajectory {
  const t = store.state.trajectories.find((x) => x.id === id);
  if (!t) throw new Error(`no trajectory ${id}`);
  return t;
}

/** Places a needle exactly from entry to target and returns its id (an existing id is replaced, keeping its tip advance, ablation and cement). */
export async function setTrajectory(input: { entryLps: readonly number[]; targetLps: readonly number[]; needle?: string | Needle; approach?: string | null; lesionId?: string | null; id?: string }): Promise<string> {
  const entryLps = vec(input.entryLps, 'entryLps'), targetLps = vec(input.targetLps, 'targetLps');
  const needle = resolveNeedle(input.needle);
  const approach = checkApproach(input.approach);
  checkLesion(input.lesionId);
  const prev = input.id ? caseView()?.needles.find((x) => x.id === input.id) : undefined;
  const r = await caseRun({
    type: 'addNeedle',
    ...(input.id ? { id: input.id } : {}),
    needle: { approach, lesionId: input.lesionId ?? prev?.lesionId ?? null, needle, entryLps, targetLps, advance: prev?.advance ?? 1, source: 'manual', ablation: prev?.ablation ?? null, cementMl: prev?.cementMl ?? null },
  }, null);
  const id = r.info.needleIds![0]!;
  store.update({ selectedTrajectoryId: id });
  return id;
}

let dragBusy = false;
let dragNext: { id: string; entryLps: Vec3; targetLps: Vec3; snapToSkin: boolean; gesture: string } | null = null;
/**
 * Moves the entry and/or target of a trajectory (dragging in a view): metrics follow live. Moves
 * with the same gesture key (one drag) are one undo step. With snapToSkin the entry slides along
 * the new line onto the skin (where a needle goes in).
 */
export async function setTrajectoryPoints(id: string, entryLps: Vec3, targetLps: Vec3, snapToSkin = false, gesture = newGesture('needle')): Promise<void> {
  const t = trajectoryOf(id);
  // The dragged needle is drawn at once (a preview); the case's answer replaces it.
  const preview = { trajectories: store.state.trajectories.map((x) => (x.id === id ? { ...t, entryLps, targetLps, source: 'manual' as const } : x)) };
  store.update(preview);
  dragNext = { id, entryLps, targetLps, snapToSkin, gesture };
  if (dragBusy) return;
  dragBusy = true;
  try {
    while (dragNext) {
      const job = dragNext;
      dragNext = null;
      if (!store.state.trajectories.some((x) => x.id === job.id)) continue;
      await caseRun({ type: 'moveNeedle', id: job.id, entryLps: job.entryLps, targetLps: job.targetLps, snapToSkin: job.snapToSkin, gesture: job.gesture }, null);
    }
  } finally {
    dragBusy = false;
  }
}

/**
 * Predicts the cement deposit at a needle's tip (planning/cement.ts); plannedMl defaults to the
 * lesion's volume (bounded to the study's 3–8 mL per lesion when larger); null removes it.
 */
export async function planCement(id: string, plannedMl?: number | null): Promise<Trajectory['cement']> {
  const t = trajectoryOf(id);
  const lesion = t.lesionId ? store.state.lesions.find((l) => l.id === t.lesionId) : null;
  let ml = plannedMl === undefined ? Math.min(8, lesion?.stats?.volumeMl ?? 3) : plannedMl;
  if (ml !== null && !(ml > 0 && ml <= 30)) throw new Error('planned cement volume must be between 0 and 30 mL');
  ml = ml === null ? null : Math.round(ml * 100) / 100;
  const r = await caseRun({ type: 'updateNeedle', id, patch: { cementMl: ml } }, 'Predicting the cement deposit…');
  return r.view.needles.find((n) => n.id === id)?.cement ?? null;
}

/** Plans one approach for a lesion (1–3 needles); returns the first needle's id. */
export async function planApproach(lesionId: string, approach: string, options: { needle?: string | Needle; needles?: number } = {}): Promise<string> {
  checkLesion(lesionId);
  const a = checkApproach(approach)!;
  const needle = resolveNeedle(options.needle);
  const k = Math.max(1, Math.min(3, Math.round(options.needles ?? 1)));
  const r = await caseRun({ type: 'planApproach', lesionId, approach: a, needle, needles: k }, `Planning the ${APPROACH_TEMPLATES[a].label.toLowerCase()} approach…`);
  const ids = r.info.needleIds ?? [];
  if (!ids.length) throw new Error(`no ${a} path for this lesion: ${r.info.explanation ?? 'none found'}`);
  store.update({ selectedTrajectoryId: ids[0]! });
  return ids[0]!;
}

/** Plans all five approaches for a lesion and ranks them (best first). */
export async function rankApproaches(lesionId: string, options: { needle?: string | Needle } = {}): Promise<RankRow[]> {
  checkLesion(lesionId);
  const lesion = store.state.lesions.find((l) => l.id === lesionId)!;
  const needle = resolveNeedle(options.needle);
  const r = await caseRun({ type: 'rankApproaches', lesionId, needle, zone: lesion.zone?.zone ?? null }, 'Planning and ranking the five approaches…');
  const rows: RankRow[] = (r.info.ranked ?? []).map(({ needleId, ...row }) => ({ ...row, trajectoryId: needleId }));
  const first = rows.find((x) => x.trajectoryId)?.trajectoryId;
  if (first) store.update({ selectedTrajectoryId: first });
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

/** Plans the cement volume that reaches the study's filling (76–85 %) at the needle's tip; resolves to what it reached, in words. */
export async function aimCement(id: string): Promise<string> {
  trajectoryOf(id);
  const r = await caseRun({ type: 'aimCement', id }, 'Aiming the cement for the study\'s filling…');
  return r.info.explanation ?? '';
}

export function selectTrajectory(id: string | null): void {
  store.update({ selectedTrajectoryId: id });
}

export async function deleteTrajectory(id: string): Promise<void> {
  await caseRun({ type: 'deleteNeedle', id }, null);
}

/** Tip advance 0..1 along the path (needle's-eye view, teaching); a slider's moves are one undo step. */
export function setAdvance(id: string, advance: number): void {
  void caseRun({ type: 'updateNeedle', id, patch: { advance: Math.max(0, Math.min(1, advance)) }, gesture: `advance-${id}` }, null).catch(() => undefined);
}

export async function setNeedle(id: string, needleId: string): Promise<void> {
  const t = trajectoryOf(id);
  const needle = resolveNeedle(needleId);
  // A planned path given an electrode is aimed for its burns (one step); a hand-placed one stays where the user put it.
  if (needle.activeTipMm && t.source === 'auto' && t.lesionId) await aimElectrode(id, needle);
  else await caseRun({ type: 'updateNeedle', id, patch: { needle } }, null);
}

/**
 * Aims an RF electrode (planning/rf-target.ts): its tip moves along and across the path so the
 * burns with pull-backs cover the lesion best while every burn edge keeps the neural margin; the
 * proposed burn count is set (one undo step), and the coverage per burn count is kept for the panel.
 */
export async function aimElectrode(id: string, needle?: Needle): Promise<RfAimInfo> {
  const t = trajectoryOf(id);
  if (!(needle ?? t.needle).activeTipMm) throw new Error('aiming the burns needs an RF electrode');
  if (!t.lesionId) throw new Error('aiming the burns needs the needle\'s lesion (plan it for a lesion)');
  const r = await caseRun({ type: 'aimElectrode', id, ...(needle ? { needle } : {}) }, 'Aiming the electrode for its burns…');
  const aim = r.info.rfAims?.[0];
  if (!aim) throw new Error(r.info.explanation ?? 'the electrode could not be aimed');
  return aim;
}

export async function setAblation(id: string, p: Partial<AblationParams>): Promise<void> {
  const t = trajectoryOf(id);
  if (!t.needle.activeTipMm) throw new Error('ablation needs an RF electrode (choose a 17 G RF electrode for this needle)');
  await caseRun({ type: 'updateNeedle', id, patch: { ablation: { ...ablationOf(id), ...p } } }, null);
}

export function ablationOf(id: string): AblationParams {
  return { ...(caseView()?.needles.find((n) => n.id === id)?.ablation ?? DEFAULT_ABLATION) };
}

/** New pass/warn/fail thresholds: every trajectory is checked again (by the case). */
export async function setThresholds(p: Partial<SafetyThresholds>): Promise<void> {
  await caseRun({ type: 'setThresholds', thresholds: p }, null);
}

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
  while (dragBusy) await new Promise((r) => setTimeout(r, 10));
  await caseSettled();
}
