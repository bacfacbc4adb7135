/**
 * Anatomy actions: the sacral landmarks of the shown volume (suggested by detection or placed by
 * hand), the zone overlay switch. Each landmark change is a command of the open case (one undo
 * step); the case re-classifies every lesion and redraws the zone map.
 */
import { store, notify } from './actions';
import { caseClient, caseRun } from './case';
import type { CaseCommand } from '../case/commands';
import type { CaseReply } from '../case/engine';
import type { AppState } from './store';
import { FORAMEN_IDS, foramenCentreLps, type Canal, type Foramen, type ForamenId, type SacralAnatomy, type SacralLevel, type Side } from '../anatomy/types';
import type { Vec3 } from '../core/vec3';
import { isTrusted, partlyOutsideImage } from '../anatomy/evidence';
import { volumeCache } from './volume-cache';

/**
 * A landmark edit: the lesions' zones come with the first answer (a deferred command); the zone map, which
 * is for display, follows in a refresh. Resolves when both are in.
 */
async function landmarkEdit(cmd: CaseCommand, busyText: string, preview?: Partial<AppState>): Promise<void> {
  const { settled } = await landmarkEditFirst(cmd, busyText, preview);
  await settled;
}

/** landmarkEdit's first answer, and the refresh that draws the zone map after it. */
async function landmarkEditFirst(cmd: CaseCommand, busyText: string, preview?: Partial<AppState>): Promise<{ reply: CaseReply; settled: Promise<CaseReply> }> {
  const reply = await caseRun(cmd, busyText, { defer: true, ...(preview ? { preview } : {}) });
  return { reply, settled: caseRun(() => null, null) };
}

/** Replace all sacral landmarks of the shown volume; every lesion is re-classified and the zone map redrawn. */
export async function setAnatomy(anatomy: SacralAnatomy | null): Promise<void> {
  await landmarkEdit({ type: 'setAnatomy', anatomy }, 'Classifying lesions…');
}

/** Suggest the landmarks from the CT (in the case worker); hand-placed ones are kept. */
export async function detectAnatomy(): Promise<void> {
  if (!caseClient()) throw new Error('no image is loaded');
  const t0 = performance.now();
  // the landmarks, zone map and zones show with the first answer; the outside-the-sacrum measure of the
  // lesions (the new mask's envelope) follows in a second one
  await caseRun({ type: 'detectAnatomy' }, 'Finding the sacrum, canal and foramina…', { defer: true });
  const settled = caseRun(() => null, null);
  const a = store.state.anatomy;
  const auto = a?.foramina.filter((f) => f.source === 'auto') ?? [];
  const found = auto.filter((f) => isTrusted(f));
  // a tunnel running to the image's edge: what the user checks is the part inside the image
  const volume = volumeCache.get(store.state.volumeKey);
  const toCheck = auto.filter((f) => !isTrusted(f)).map((f) => (volume && partlyOutsideImage(volume, f) ? `${f.id} (partly outside the image)` : f.id));
  const outside = a?.outsideFov ?? [];
  const missing = FORAMEN_IDS.filter((id) => !a?.foramina.some((f) => f.id === id) && !outside.includes(id));
  const canalCheck = a?.canal && !isTrusted(a.canal);
  const needsUser = missing.length > 0 || toCheck.length > 0 || canalCheck || !a?.canal || !!a?.maskCheck;
  notify(
    needsUser ? 'warning' : 'info',
    `Landmarks suggested in ${((performance.now() - t0) / 1000).toFixed(1)} s: ${found.length} foramina found${a?.canal ? (canalCheck ? ', the canal to check' : ', the canal') : ''}.` +
      (toCheck.length ? ` To check: ${toCheck.join(', ')} (not used for zones until confirmed).` : '') +
      (missing.length ? ` Not found: ${missing.join(', ')}.` : '') +
      (outside.length ? ` Outside the image: ${outside.join(', ')}.` : '') +
      (a?.maskCheck ? ` The sacrum mask to check: ${a.maskCheck}; look at its top (the L5/S1 level) before trusting zones and clearances there.` : '') +
      (needsUser
        ? ' Press Review to go to each; Confirm a right one, or take the Foramen tool (F) and click on the opening in any view; the Canal tool (K) fits the canal from 2–3 clicks along it.'
        : ' Review them level by level; drag any marker to correct it.'),
  );
  await settled;
}

/** The first review step that needs the user: a missing foramen, a suggestion to check, or the canal; 0 when none. */
export function firstReviewStep(): number {
  const a = store.state.anatomy;
  const i = REVIEW_STEPS.findIndex((id) => {
    if (id === 'canal') return !a?.canal || !isTrusted(a.canal);
    if (a?.outsideFov?.includes(id)) return false;
    const f = a?.foramina.find((x) => x.id === id);
    return !f || !isTrusted(f);
  });
  return i < 0 ? 0 : i;
}

/** The next review step after `step` that needs the user (wrapping round to the ones skipped before it), or null. */
function nextReviewStep(step: number): number | null {
  const a = store.state.anatomy;
  for (let n = 1; n < REVIEW_STEPS.length; n++) {
    const s = (step + n) % REVIEW_STEPS.length;
    const id = REVIEW_STEPS[s]!;
    if (id === 'canal') { if (!a?.canal || !isTrusted(a.canal)) return s; continue; }
    if (a?.outsideFov?.includes(id)) continue;
    const f = a?.foramina.find((x) => x.id === id);
    if (!f || !isTrusted(f)) return s;
  }
  return null;
}

/**
 * A click with the Foramen tool: the tunnel nearest the click is fitted in the case worker
 * (axis, openings, radius) and placed as the foramen under review, or as the level and side the
 * fit proposes. During a review the views then move on to the next landmark that needs the user.
 */
export async function fitForamenAt(lps: Vec3): Promise<void> {
  const rv = store.state.review;
  const target = rv ? REVIEW_STEPS[rv.step] : undefined;
  const id = target && target !== 'canal' ? target : undefined;
  const { reply, settled } = await landmarkEditFirst({ type: 'fitForamen', clickLps: [...lps], ...(id ? { id } : {}) }, 'Fitting the foramen…');
  fitPlaced(reply, rv);
  await settled;
}

function fitPlaced(reply: CaseReply, rv: AppState['review']): void {
  const fit = reply.info.fit;
  if (!fit || fit.problem || !fit.id) { notify('warning', fit?.problem ?? 'no foramen fitted'); return; }
  notify('info', `${fit.id.replace('_', ' ')} placed from the click (${fit.timeMs.toFixed(0)} ms)${fit.proposed ? ': level and side proposed from the sacral frame; if they are wrong, choose the foramen in Review first' : ''}. Drag it to correct it; Ctrl+Z undoes it.`);
  if (rv) {
    const next = nextReviewStep(rv.step);
    if (next !== null) reviewStep(next);
    else endReview();
  }
}

/** A click with the Canal tool: from the second click on, the canal is fitted through the clicks (up to three). */
export async function addCanalClick(lps: Vec3): Promise<void> {
  const clicks = [...store.state.canalClicks, [...lps] as Vec3].slice(-3);
  store.update({ canalClicks: clicks });
  if (clicks.length < 2) { notify('info', 'Canal: click once more further along the canal (two or three clicks, top to bottom in any order).'); return; }
  const { reply, settled } = await landmarkEditFirst({ type: 'fitCanal', clicksLps: clicks }, 'Fitting the canal…');
  canalPlaced(reply, clicks);
  await settled;
}

function canalPlaced(reply: CaseReply, clicks: Vec3[]): void {
  const fit = reply.info.fit;
  if (!fit || fit.problem) { notify('warning', fit?.problem ?? 'no canal fitted'); return; }
  notify('info', `Canal fitted through ${clicks.length} clicks (${fit.timeMs.toFixed(0)} ms).${clicks.length < 3 ? ' A third click along it refines it.' : ''}`);
  if (clicks.length >= 3) {
    store.update({ canalClicks: [] });
    // the review on the canal moves on to whatever still needs the user, or ends
    const rv = store.state.review;
    if (rv && REVIEW_STEPS[rv.step] === 'canal') {
      const next = nextReviewStep(rv.step);
      if (next !== null) reviewStep(next);
      else endReview();
    }
  }
}

/** Accept a suggestion as it is (it becomes a confirmed, hand-checked landmark used for zones). */
export async function confirmForamen(id: ForamenId): Promise<void> {
  const f = store.state.anatomy?.foramina.find((x) => x.id === id);
  if (!f) return;
  await setForamen(id, { anteriorLps: f.anteriorLps, posteriorLps: f.posteriorLps, radiusMm: f.radiusMm, ...(f.radiusAtFitLimit ? { radiusAtFitLimit: true as const } : {}) });
}

/** Accept the suggested canal as it is. */
export async function confirmCanal(): Promise<void> {
  const c = store.state.anatomy?.canal;
  if (!c) return;
  await setCanal({ centerlineLps: c.centerlineLps, radiusMm: c.radiusMm });
}

/** Put a foramen back to the last detection's suggestion (one undo step). */
export async function resetForamen(id: ForamenId): Promise<void> {
  await landmarkEdit({ type: 'resetForamen', id }, 'Classifying lesions…');
}

/**
 * The user's word that a level lies outside the image (both sides): it is reported as outside the
 * field of view and no longer asked for; a review moves on. One undo step.
 */
export async function markLevelOutside(level: SacralLevel): Promise<void> {
  await caseRun({ type: 'markOutsideFov', ids: [`${level}_L`, `${level}_R`] }, null);
  const rv = store.state.review;
  const id = rv ? REVIEW_STEPS[rv.step] : undefined;
  if (rv && id !== 'canal' && id?.startsWith(level)) {
    const next = nextReviewStep(rv.step);
    if (next !== null) reviewStep(next);
    else endReview();
  }
}

/**
 * Place or move a foramen by hand (it is then marked manual and never overwritten by detection). `radiusAtFitLimit`
 * keeps a suggestion's radius shown as the fit's bound where the hand moved or confirmed the tunnel, not its radius.
 */
export async function setForamen(id: ForamenId, f: { anteriorLps: Vec3; posteriorLps: Vec3; radiusMm: number; radiusAtFitLimit?: true }): Promise<void> {
  if (!/^S[1-4]_[LR]$/.test(id)) throw new Error(`unknown foramen id ${id} (S1_L … S4_R)`);
  if (!(f.radiusMm > 0)) throw new Error('radiusMm must be > 0');
  const foramen: Foramen = {
    id,
    level: id.slice(0, 2) as SacralLevel,
    side: id.slice(3) as Side,
    anteriorLps: [...f.anteriorLps],
    posteriorLps: [...f.posteriorLps],
    radiusMm: f.radiusMm,
    ...(f.radiusAtFitLimit ? { radiusAtFitLimit: true as const } : {}),
    confidence: 1,
    source: 'manual',
  };
  const a = store.state.anatomy ?? { foramina: [], canal: null, frame: null };
  await landmarkEdit({ type: 'setForamen', foramen }, 'Classifying lesions…', { anatomy: { ...a, foramina: [...a.foramina.filter((x) => x.id !== id), foramen] } });
}

/** Move a whole foramen by an LPS displacement (a drag in a view). */
export async function moveForamen(id: ForamenId, deltaLps: Vec3): Promise<void> {
  const f = store.state.anatomy?.foramina.find((x) => x.id === id);
  if (!f) return;
  const add = (p: Vec3): Vec3 => [p[0] + deltaLps[0], p[1] + deltaLps[1], p[2] + deltaLps[2]];
  await setForamen(id, { anteriorLps: add(f.anteriorLps), posteriorLps: add(f.posteriorLps), radiusMm: f.radiusMm, ...(f.radiusAtFitLimit ? { radiusAtFitLimit: true as const } : {}) });
}

/** Set the canal by hand (centreline cranial → caudal, a radius per point); it is then manual and never overwritten by detection. */
export async function setCanal(c: { centerlineLps: Vec3[]; radiusMm: number[] }): Promise<void> {
  if (c.centerlineLps.length < 2) throw new Error('the canal needs at least two centreline points');
  if (c.radiusMm.length !== c.centerlineLps.length) throw new Error('one radius per canal centreline point');
  if (!c.radiusMm.every((r) => r > 0)) throw new Error('canal radii must be > 0');
  if (!c.centerlineLps.every((p) => p.length === 3 && p.every(Number.isFinite))) throw new Error('canal points must be [x, y, z] in mm');
  const canal: Canal = { centerlineLps: c.centerlineLps.map((p) => [p[0], p[1], p[2]] as Vec3), radiusMm: [...c.radiusMm], confidence: 1, source: 'manual' };
  await landmarkEdit({ type: 'setCanal', canal }, 'Classifying lesions…', { anatomy: { ...(store.state.anatomy ?? { foramina: [], frame: null }), canal } });
}

/** Move one canal centreline point by an LPS displacement (a drag in a view); the canal becomes manual. */
export async function moveCanalPoint(index: number, deltaLps: Vec3): Promise<void> {
  const c = store.state.anatomy?.canal;
  if (!c || index < 0 || index >= c.centerlineLps.length) return;
  const centerlineLps = c.centerlineLps.map((p, n): Vec3 => (n === index ? [p[0] + deltaLps[0], p[1] + deltaLps[1], p[2] + deltaLps[2]] : [p[0], p[1], p[2]]));
  await setCanal({ centerlineLps, radiusMm: c.radiusMm });
}

/** Centre every view on the canal (its middle centreline point), for review. */
export function goToCanal(): void {
  const c = store.state.anatomy?.canal;
  if (!c || c.centerlineLps.length === 0) return;
  const p = c.centerlineLps[Math.floor(c.centerlineLps.length / 2)]!;
  store.update({ crosshairLps: [p[0], p[1], p[2]], centreRequest: store.state.centreRequest + 1, centreFovMm: REVIEW_FOV_MM });
}

/** Typical foramen radius by level (DOMAIN.md §6: S1 ~13 × 12 mm anterior foramen, decreasing to S4). */
export const DEFAULT_FORAMEN_RADIUS_MM: Record<SacralLevel, number> = { S1: 4.5, S2: 3.75, S3: 3, S4: 2.5 };

/** Start placing a foramen by hand: the next two clicks in a view are its anterior and posterior openings. */
export function startPlacing(id: ForamenId): void {
  store.update({ placing: { id, anteriorLps: null }, tool: 'crosshair' });
}

export function cancelPlacing(): void {
  store.update({ placing: null });
}

/** A click while placing: the anterior opening first, then the posterior one (which places the foramen). */
export async function placeAt(lps: Vec3): Promise<void> {
  const p = store.state.placing;
  if (!p) return;
  if (!p.anteriorLps) {
    store.update({ placing: { ...p, anteriorLps: [...lps] } });
    return;
  }
  store.update({ placing: null });
  const existing = store.state.anatomy?.foramina.find((f) => f.id === p.id);
  await setForamen(p.id, { anteriorLps: p.anteriorLps, posteriorLps: [...lps], radiusMm: existing?.radiusMm ?? DEFAULT_FORAMEN_RADIUS_MM[p.id.slice(0, 2) as SacralLevel] });
}

/** Change a foramen's radius (it becomes manual). */
export async function setForamenRadius(id: ForamenId, radiusMm: number): Promise<void> {
  const f = store.state.anatomy?.foramina.find((x) => x.id === id);
  if (!f) return;
  await setForamen(id, { anteriorLps: f.anteriorLps, posteriorLps: f.posteriorLps, radiusMm: Math.max(1, Math.min(8, radiusMm)) });
}

/** Field of view (mm) a zoomed-out view is brought to when it centres on a landmark for review. */
export const REVIEW_FOV_MM = 100;

/** The steps of the guided review, cranial to caudal, left before right, then the canal. */
export const REVIEW_STEPS: readonly (ForamenId | 'canal')[] = [...FORAMEN_IDS, 'canal'];

/**
 * Guided review, level by level: show step `step` (clamped to the steps; 0 starts the review). Each step
 * centres the views on that foramen (or the canal) so the reader can confirm it, drag it, or place it by
 * hand; a missing foramen is shown as missing and the views centre on its partner mirrored through the
 * midline plane, where it should be.
 */
export function reviewStep(step: number): void {
  const s = Math.max(0, Math.min(REVIEW_STEPS.length - 1, Math.round(step)));
  store.update({ review: { step: s } });
  const id = REVIEW_STEPS[s]!;
  if (id === 'canal') goToCanal();
  else if (store.state.anatomy?.foramina.some((f) => f.id === id)) goToForamen(id);
  else {
    // missing: centre on where it should be, the other side's foramen mirrored through the midline plane
    const a = store.state.anatomy;
    const other = a?.foramina.find((f) => f.id === `${id.slice(0, 2)}_${id.endsWith('_L') ? 'R' : 'L'}`);
    if (!other) return;
    const c = foramenCentreLps(other);
    const fr = a?.frame;
    if (fr) {
      const n = fr.midlineNormalLps, p = fr.midlinePointLps, l = Math.hypot(n[0], n[1], n[2]);
      const d = ((c[0] - p[0]) * n[0] + (c[1] - p[1]) * n[1] + (c[2] - p[2]) * n[2]) / (l * l);
      c[0] -= 2 * d * n[0]; c[1] -= 2 * d * n[1]; c[2] -= 2 * d * n[2];
    }
    store.update({ crosshairLps: c, centreRequest: store.state.centreRequest + 1, centreFovMm: REVIEW_FOV_MM });
  }
}

export function endReview(): void {
  store.update({ review: null });
}

/** Centre every view on a foramen (the midpoint of its axis), for review; a view zoomed far out is brought to REVIEW_FOV_MM. */
export function goToForamen(id: ForamenId): void {
  const f = store.state.anatomy?.foramina.find((x) => x.id === id);
  if (!f) return;
  store.update({
    crosshairLps: foramenCentreLps(f),
    centreRequest: store.state.centreRequest + 1, centreFovMm: REVIEW_FOV_MM,
  });
}

export function setShowZones(show: boolean): void {
  store.update({ showZones: show });
}

/** Colours of the zone overlay: 1 green, 2 amber, 3 violet, 4 (below S4) grey; 0xAABBGGRR. */
export const ZONE_LUT = (() => {
  const lut = new Uint32Array(256);
  const rgb = (r: number, g: number, b: number) => ((0xff << 24) | (b << 16) | (g << 8) | r) >>> 0;
  lut[1] = rgb(0x4c, 0xaf, 0x50);
  lut[2] = rgb(0xff, 0xc1, 0x07);
  lut[3] = rgb(0xab, 0x47, 0xbc);
  lut[4] = rgb(0x78, 0x78, 0x78);
  return lut;
})();
