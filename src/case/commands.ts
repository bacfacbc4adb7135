/**
 * The case's command set: every edit the user can make on an open case, each one step of the one
 * undo history (case/history.ts). Pure (no DOM, three, cornerstone or lit).
 *
 * How to add a command (e.g. a new segmentation tool, an assisted landmark fit):
 *   1. Add a variant to `CaseCommand` below: `{ type: 'myTool'; …its arguments (plain JSON) }`.
 *   2. Add `myTool(ctx, cmd) { … }` to `HANDLERS`; TypeScript refuses the table until it is there.
 *      - Change voxels only through `ctx.labels.set(offset, label, ctx.rec)` or a segmentation
 *        function given `ctx.rec` (every voxel change must reach the recorder, or undo misses it).
 *      - Change the document by returning `{ doc: { ...ctx.doc, … } }` (never mutate ctx.doc or
 *        anything in it: undo keeps the old objects). Return `{}` for a command that changed nothing.
 *      - Put what the caller needs to know (a new id, why nothing happened) in `info`.
 *   3. The app sends it with `caseRun({ type: 'myTool', … })` (src/app/case.ts); undo, redo, autosave
 *      and plan files follow by themselves. Commands sent with the same `gesture` key back to back
 *      (one drag) become one undo step.
 * Derived data (lesion statistics, Denis zones, needle metrics, cement deposits) is never stored
 * here: CaseEngine recomputes it from the document and the label map after each step.
 */
import type { Vec3 } from '../core/vec3';
import type { ScalarVolume } from '../core/volume';
import type { LabelMap, IndexBox } from '../segmentation/labelmap';
import type { LabelEditRecorder } from '../segmentation/history';
import { regionGrow, applyRegionToLabels, type RegionGrowOptions } from '../segmentation/region-grow';
import { growFromSeeds, type SeedKind, type SeedStroke } from '../segmentation/seeded-grow';
import { strokesOverrun, overrunMessage } from '../segmentation/strokes-overrun';
import { edgeUnsupported, edgeMessage } from '../segmentation/strokes-edge';
import { unsampledReported, unsampledMessage } from '../segmentation/strokes-unsampled';
import { paintStroke } from '../segmentation/brush';
import { fillHoles, keepLargestComponent, dilateLabel, erodeLabel, thresholdInBox } from '../segmentation/morphology';
import { interpolateSlices } from '../segmentation/interpolate';
import { FORAMEN_IDS, type Canal, type Foramen, type ForamenId, type SacralAnatomy, type SacralLevel, type Side } from '../anatomy/types';
import { fitForamen, FORAMEN_TOOL_OPTIONS } from '../anatomy/foramen-fit';
import { measureFittedForamen } from '../anatomy/foramen-radius';
import { nowMs } from '../core/clock';
import { fitCanal } from '../anatomy/canal-fit';
import { withOutsideFov } from '../anatomy/expected-foramina';
import { frameFromForamina } from '../anatomy/frame-from-landmarks';
import { mergeAnatomy } from '../anatomy/merge';
import type { ApproachName, Needle, SafetyThresholds } from '../planning/types';
import type { RankInput } from '../planning/ranking';
import { DEFAULT_ABLATION } from '../planning/ablation';
import type { AblationParams } from '../planning/ablation';
import type { PlanningEngine } from '../planning/engine';
import { LESION_COLORS, type CaseDoc, type CaseLesion, type CaseNeedle, type LesionMethod, type RfReport } from './types';

export type LesionOpName = 'fillHoles' | 'keepLargest' | 'interpolate' | 'dilate' | 'erode';

/** Fields of a needle a command may change. */
export type NeedlePatch = Partial<Pick<CaseNeedle, 'needle' | 'approach' | 'lesionId' | 'advance' | 'ablation' | 'cementMl'>>;

type Commands =
  /** A new, empty lesion. */
  | { type: 'addLesion'; name?: string }
  /**
   * Grow a lesion from a seed into a new lesion, or into `lesionId` (the app's Shift-click: a second
   * part at its own window, e.g. the sclerotic part of a mixed lesion; voxels of other lesions are
   * kept); nothing is recorded when nothing grew.
   */
  | { type: 'growLesion'; seedLps: Vec3; options?: RegionGrowOptions; lesionId?: string }
  /** Paint (or erase, only that lesion's voxels) a capsule of radius radiusMm from one point to another. */
  | { type: 'stroke'; lesionId: string; fromLps: Vec3; toLps: Vec3; radiusMm: number; erase?: boolean; window?: [number, number] | null }
  /**
   * One lesion or background stroke of the low-contrast tool (a whole drag): added to the lesion's
   * strokes (a lesion stroke without `lesionId` makes a new lesion), then the lesion is grown anew
   * from all its strokes inside their region of interest (segmentation/seeded-grow.ts).
   */
  | { type: 'seedStroke'; lesionId?: string; kind: SeedKind; pointsLps: Vec3[]; radiusMm: number }
  /** Label the voxels within [lo, hi] inside the LPS box spanned by two corners (axis-aligned in LPS). */
  | { type: 'thresholdBox'; lesionId: string; cornerALps: Vec3; cornerBLps: Vec3; window: [number, number] }
  | { type: 'lesionOp'; lesionId: string; op: LesionOpName; radiusMm?: number }
  /** Removes the lesion and its voxels (its needles keep their place, without a lesion). */
  | { type: 'deleteLesion'; lesionId: string }
  | { type: 'updateLesion'; lesionId: string; name?: string; color?: string; visible?: boolean; notes?: string }
  /** Replace all landmarks (null clears them). */
  | { type: 'setAnatomy'; anatomy: SacralAnatomy | null }
  /** Place or replace one foramen (by its id). */
  | { type: 'setForamen'; foramen: Foramen }
  | { type: 'setCanal'; canal: Canal | null }
  /** Suggest landmarks from the CT; hand-placed ones are kept. */
  | { type: 'detectAnatomy' }
  /** Fit the foramen tunnel nearest a click (anatomy/foramen-fit.ts) and place it as `id`, or as the level and side it proposes. */
  | { type: 'fitForamen'; clickLps: Vec3; id?: ForamenId }
  /** Fit the canal through 2–3 clicks along it (anatomy/canal-fit.ts). */
  | { type: 'fitCanal'; clicksLps: Vec3[] }
  /** Put a foramen back to the last detection's suggestion (removed when there was none). */
  | { type: 'resetForamen'; id: ForamenId }
  /** The user's word that these foramina lie outside the image (a level cut by the field of view): reported, not asked for. */
  | { type: 'markOutsideFov'; ids: ForamenId[] }
  | { type: 'addNeedle'; needle: Omit<CaseNeedle, 'id'>; id?: string }
  /** Move a needle's entry and target; with snapToSkin the entry slides along the line onto the skin. */
  | { type: 'moveNeedle'; id: string; entryLps: Vec3; targetLps: Vec3; snapToSkin?: boolean }
  | { type: 'updateNeedle'; id: string; patch: NeedlePatch }
  | { type: 'deleteNeedle'; id: string }
  /** Auto-plan one approach (1–3 needles); replaces the lesion's earlier automatic needles of that approach. */
  | { type: 'planApproach'; lesionId: string; approach: ApproachName; needle: Needle; needles: number }
  /** Plan all five approaches and rank them; replaces the lesion's earlier automatic needles. */
  | { type: 'rankApproaches'; lesionId: string; needle: Needle; zone: 1 | 2 | 3 | null }
  | { type: 'setThresholds'; thresholds: Partial<SafetyThresholds> }
  /** Aim an RF electrode for its burns (planning/rf-target.ts): moves the tip and entry, sets the proposed burn count; `needle` first swaps the needle. */
  | { type: 'aimElectrode'; id: string; needle?: Needle }
  /** Set the needle's planned cement to the volume that reaches the study's filling (76–85 %) at its tip. */
  | { type: 'aimCement'; id: string }
  /**
   * New lesions with given voxels (a DICOM SEG's segments laid on this grid, app/seg.ts): each a
   * new lesion; voxels already in another lesion stay with it. All of them one undo step.
   */
  | { type: 'importLesions'; lesions: ImportedLesion[] };

export interface ImportedLesion {
  name: string;
  color?: string | null;
  method?: LesionMethod;
  /** Linear voxel offsets (i fastest). */
  offsets: Uint32Array | readonly number[];
}

/** Every command may carry a gesture key: consecutive commands with the same key are one undo step. */
export type CaseCommand = Commands & { gesture?: string };
export type CaseCommandType = CaseCommand['type'];

export interface GrowSummary {
  voxelCount: number;
  volumeMl: number;
  kind: string;
  window: [number, number];
  reachedRadiusLimit: boolean;
  problem: string | null;
  /** Why nothing grew, in words (null when a lesion grew). */
  message: string | null;
  /** A lesion grew but stopped short of it (e.g. at a cortical break), in words; null otherwise. */
  note: string | null;
}

export interface RankRowInfo extends RankInput {
  needleId: string | null;
  reasons: string[];
  /** Why this row is above the next (planning/ranking.ts). */
  whyAbove: string | null;
}

/** An RF aiming's report: where the tip went, the proposed burns, coverage per burn count, reasons. */
export interface RfAimInfo {
  id: string;
  tipLps: Vec3;
  entryLps: Vec3;
  burns: number;
  options: { burns: number; coverage: number; marginMm: number | null; coverageAnyMargin: number }[];
  reasons: string[];
}

/** What a command tells its caller besides the new state. */
export interface CommandInfo {
  lesionId?: string;
  needleIds?: string[];
  grow?: GrowSummary;
  /** planApproach with no path that fits: why. */
  explanation?: string;
  /** A result kept but to be checked (seedStroke: the lesion ran beyond the strokes). */
  warning?: string;
  ranked?: RankRowInfo[];
  detectionMessages?: string[];
  /** fitForamen / fitCanal: what was fitted (or why nothing was). */
  fit?: { id: ForamenId | 'canal' | null; timeMs: number; problem: string | null; proposed?: boolean };
  /** Electrodes aimed for their burns by this command. */
  rfAims?: RfAimInfo[];
  /** importLesions: each new lesion and how many of its voxels were already another lesion's. */
  imported?: { lesionId: string; name: string; voxels: number; keptByOtherLesion: number }[];
}

export interface CommandContext {
  readonly volume: ScalarVolume;
  /** Write only through `set(…, ctx.rec)` or functions given ctx.rec. */
  readonly labels: LabelMap;
  readonly rec: LabelEditRecorder;
  readonly doc: CaseDoc;
  readonly planner: PlanningEngine;
  /** Runs landmark detection on the volume (keeps the sacrum mask for the derived data). */
  readonly detect: () => { anatomy: SacralAnatomy; messages: string[] };
}

export interface CommandOutcome {
  doc?: CaseDoc;
  info?: CommandInfo;
}

type Handler<K extends CaseCommandType> = (ctx: CommandContext, cmd: Extract<CaseCommand, { type: K }>) => CommandOutcome;

/** Human names of the steps (undo/redo tooltips). */
export const STEP_NAMES: Record<CaseCommandType, string> = {
  addLesion: 'new lesion', growLesion: 'grow lesion', stroke: 'brush', seedStroke: 'lesion/background stroke', thresholdBox: 'threshold in box', lesionOp: 'lesion tool',
  deleteLesion: 'delete lesion', updateLesion: 'edit lesion', setAnatomy: 'landmarks', setForamen: 'move foramen', setCanal: 'move canal',
  detectAnatomy: 'suggest landmarks', fitForamen: 'place foramen', fitCanal: 'place canal', resetForamen: 'reset foramen', markOutsideFov: 'not in the image', importLesions: 'import segmentation', addNeedle: 'place needle', moveNeedle: 'move needle', updateNeedle: 'edit needle', deleteNeedle: 'delete needle',
  planApproach: 'plan approach', rankApproaches: 'rank approaches', setThresholds: 'thresholds', aimElectrode: 'aim electrode', aimCement: 'aim cement',
};

export function lesionById(doc: CaseDoc, id: string): CaseLesion {
  const l = doc.lesions.find((x) => x.id === id);
  if (!l) throw new Error(`unknown lesion ${id}`);
  return l;
}

function needleById(doc: CaseDoc, id: string): CaseNeedle {
  const n = doc.needles.find((x) => x.id === id);
  if (!n) throw new Error(`no trajectory ${id}`);
  return n;
}

function freeLabel(doc: CaseDoc): number {
  const used = new Set(doc.lesions.map((l) => l.label));
  for (let l = 1; l < 256; l++) if (!used.has(l)) return l;
  throw new Error('at most 255 lesions per case');
}

/** The document with one more (empty) lesion, and that lesion. */
export function withNewLesion(doc: CaseDoc, name?: string): { doc: CaseDoc; lesion: CaseLesion } {
  const label = freeLabel(doc);
  const n = doc.nextLesionNo;
  const lesion: CaseLesion = { id: `lesion-${n}`, label, name: name?.trim() || `Lesion ${n}`, color: LESION_COLORS[(label - 1) % LESION_COLORS.length]!, visible: true, notes: '' };
  return { doc: { ...doc, lesions: [...doc.lesions, lesion], nextLesionNo: n + 1 }, lesion };
}

function withNeedle(doc: CaseDoc, n: Omit<CaseNeedle, 'id'>, id?: string): { doc: CaseDoc; id: string } {
  const nid = id ?? `N${doc.nextNeedleNo}`;
  const needle: CaseNeedle = { ...n, id: nid, entryLps: [...n.entryLps], targetLps: [...n.targetLps] };
  const i = doc.needles.findIndex((x) => x.id === nid);
  const needles = i >= 0 ? doc.needles.map((x) => (x.id === nid ? needle : x)) : [...doc.needles, needle];
  return { doc: { ...doc, needles, nextNeedleNo: id ? doc.nextNeedleNo : doc.nextNeedleNo + 1 }, id: nid };
}

/** The document with the lesion's method set (semiautomatic is sticky; manual only on a lesion without one). */
function withMethod(doc: CaseDoc, lesionId: string, method: LesionMethod): CaseDoc {
  const l = lesionById(doc, lesionId);
  if (l.method === method || (method === 'manual' && l.method !== undefined)) return doc;
  return { ...doc, lesions: doc.lesions.map((x) => (x.id === lesionId ? { ...x, method } : x)) };
}

function replaceNeedle(doc: CaseDoc, id: string, patch: Partial<CaseNeedle>): CaseDoc {
  needleById(doc, id);
  // An RF aiming report describes the needle where the aiming put it: a move or another needle drops it.
  const stale = ('entryLps' in patch || 'targetLps' in patch || 'needle' in patch) && !('rfReport' in patch);
  const without = ({ rfReport: _dropped, ...rest }: CaseNeedle): CaseNeedle => rest;
  return { ...doc, needles: doc.needles.map((x) => (x.id === id ? { ...(stale ? without(x) : x), ...patch, id } : x)) };
}

/** Index box covering the LPS box between two corners (all 8 corners mapped, rounded outward to voxel centres inside). */
function indexBoxOf(volume: ScalarVolume, a: Readonly<Vec3>, b: Readonly<Vec3>): IndexBox {
  const g = volume.geometry;
  const lo = [Infinity, Infinity, Infinity], hi = [-Infinity, -Infinity, -Infinity];
  for (const x of [a[0], b[0]]) for (const y of [a[1], b[1]]) for (const z of [a[2], b[2]]) {
    const ijk = g.lpsToIjk([0, 0, 0], [x, y, z]);
    for (let c = 0; c < 3; c++) { lo[c] = Math.min(lo[c]!, ijk[c]!); hi[c] = Math.max(hi[c]!, ijk[c]!); }
  }
  return [Math.ceil(lo[0]! - 1e-9), Math.ceil(lo[1]! - 1e-9), Math.ceil(lo[2]! - 1e-9), Math.floor(hi[0]! + 1e-9), Math.floor(hi[1]! + 1e-9), Math.floor(hi[2]! + 1e-9)];
}

const vec3 = (p: readonly number[]): Vec3 => [p[0]!, p[1]!, p[2]!];

/** Automatic needles of a lesion (of one approach, or all) leave before a new plan or ranking. */
function withoutAutoNeedles(doc: CaseDoc, lesionId: string, approach: ApproachName | null): CaseDoc {
  return { ...doc, needles: doc.needles.filter((t) => !(t.lesionId === lesionId && t.source === 'auto' && (approach === null || t.approach === approach))) };
}

const HANDLERS: { [K in CaseCommandType]: Handler<K> } = {
  addLesion(ctx, cmd) {
    const r = withNewLesion(ctx.doc, cmd.name);
    return { doc: r.doc, info: { lesionId: r.lesion.id } };
  },
  growLesion(ctx, cmd) {
    const res = regionGrow(ctx.volume, { lps: vec3(cmd.seedLps) }, cmd.options ?? {});
    const grow: GrowSummary = { voxelCount: res.voxelCount, volumeMl: res.volumeMl, kind: res.kind, window: [res.window[0], res.window[1]], reachedRadiusLimit: res.reachedRadiusLimit, problem: res.problem ?? null, message: res.message ?? null, note: res.note ?? null };
    if (res.voxelCount === 0) return { info: { grow } };
    let doc = ctx.doc;
    let lesion: CaseLesion;
    if (cmd.lesionId) lesion = lesionById(doc, cmd.lesionId);
    else ({ doc, lesion } = withNewLesion(doc));
    applyRegionToLabels(ctx.labels, res, lesion.label, ctx.rec);
    return { doc: withMethod(doc, lesion.id, 'semiautomatic'), info: { lesionId: lesion.id, grow } };
  },
  stroke(ctx, cmd) {
    const l = lesionById(ctx.doc, cmd.lesionId);
    paintStroke(ctx.labels, vec3(cmd.fromLps), vec3(cmd.toLps), {
      radiusMm: cmd.radiusMm,
      label: cmd.erase ? 0 : l.label,
      ...(cmd.erase ? { eraseOnly: l.label } : {}),
      ...(cmd.window ? { window: cmd.window, volume: ctx.volume } : {}),
    }, ctx.rec);
    let doc = cmd.erase ? ctx.doc : withMethod(ctx.doc, l.id, 'manual');
    if (ctx.rec.size > 0 && !l.brushEdited) doc = { ...doc, lesions: doc.lesions.map((x) => (x.id === l.id ? { ...x, brushEdited: true } : x)) };
    return { ...(doc !== ctx.doc ? { doc } : {}), info: { lesionId: l.id } };
  },
  seedStroke(ctx, cmd) {
    let doc = ctx.doc;
    let lesion: CaseLesion;
    if (cmd.lesionId) lesion = lesionById(doc, cmd.lesionId);
    else if (cmd.kind === 'lesion') ({ doc, lesion } = withNewLesion(doc));
    else return { info: { explanation: 'paint inside the lesion first (a lesion stroke), then the background around it' } };
    const stroke: SeedStroke = { kind: cmd.kind, pointsLps: cmd.pointsLps.map(vec3), radiusMm: cmd.radiusMm };
    const seeds = [...(lesion.seeds ?? []), stroke];
    const updated: CaseLesion = { ...lesion, seeds };
    doc = { ...doc, lesions: doc.lesions.map((l) => (l.id === lesion.id ? updated : l)) };
    const data = ctx.labels.data, label = lesion.label;
    const r = growFromSeeds(ctx.volume, seeds, { blocked: (o) => data[o] !== 0 && data[o] !== label });
    if (!r.box) return { doc, info: { lesionId: lesion.id, explanation: r.problem ?? 'nothing grown' } };
    // the lesion is replaced inside the region of interest: its old voxels there go, the grown ones come
    const [ni, nj] = ctx.volume.geometry.dims;
    const b = r.box;
    const grown = new Set<number>();
    for (const o of r.offsets) grown.add(o);
    for (let k = b[2]; k <= b[5]; k++) for (let j = b[1]; j <= b[4]; j++) {
      const row = ni * (j + nj * k);
      for (let i = b[0]; i <= b[3]; i++) {
        const o = row + i;
        if (data[o] === label && !grown.has(o)) ctx.labels.set(o, 0, ctx.rec);
      }
    }
    for (const o of r.offsets) if (data[o] === 0) ctx.labels.set(o, label, ctx.rec);
    // the checks are advice only: the grown lesion stays as it is
    const overrun = strokesOverrun(ctx.volume.geometry, seeds, r.offsets);
    const warnings = [...(overrun ? [overrunMessage(overrun)] : []), ...(edgeUnsupported(r.edge) ? [edgeMessage(r.edge)] : []), ...(unsampledReported(r.unsampled) ? [unsampledMessage(r.unsampled)] : [])];
    return { doc: withMethod(doc, lesion.id, 'semiautomatic'), info: { lesionId: lesion.id, ...(warnings.length ? { warning: warnings.join(' ') } : {}) } };
  },
  thresholdBox(ctx, cmd) {
    const l = lesionById(ctx.doc, cmd.lesionId);
    thresholdInBox(ctx.labels, ctx.volume, indexBoxOf(ctx.volume, cmd.cornerALps, cmd.cornerBLps), cmd.window, l.label, ctx.rec);
    return { doc: withMethod(ctx.doc, l.id, 'semiautomatic'), info: { lesionId: l.id } };
  },
  lesionOp(ctx, cmd) {
    const l = lesionById(ctx.doc, cmd.lesionId).label;
    const r = cmd.radiusMm ?? 1;
    switch (cmd.op) {
      case 'fillHoles': fillHoles(ctx.labels, l, ctx.rec); break;
      case 'keepLargest': keepLargestComponent(ctx.labels, l, 6, ctx.rec); break;
      case 'interpolate': interpolateSlices(ctx.labels, l, ctx.rec); break;
      case 'dilate': dilateLabel(ctx.labels, l, r, ctx.rec); break;
      case 'erode': erodeLabel(ctx.labels, l, r, ctx.rec); break;
    }
    return { info: { lesionId: cmd.lesionId } };
  },
  deleteLesion(ctx, cmd) {
    const l = lesionById(ctx.doc, cmd.lesionId);
    const offsets = ctx.labels.offsetsOf(l.label);
    for (let n = 0; n < offsets.length; n++) ctx.labels.set(offsets[n]!, 0, ctx.rec);
    const needles = ctx.doc.needles.map((t) => (t.lesionId === l.id ? { ...t, lesionId: null } : t));
    return { doc: { ...ctx.doc, lesions: ctx.doc.lesions.filter((x) => x.id !== l.id), needles } };
  },
  updateLesion(ctx, cmd) {
    const l = lesionById(ctx.doc, cmd.lesionId);
    const next: CaseLesion = {
      ...l,
      ...(cmd.name !== undefined && cmd.name.trim() ? { name: cmd.name.trim() } : {}),
      ...(cmd.color !== undefined && /^#[0-9a-f]{6}$/i.test(cmd.color) ? { color: cmd.color } : {}),
      ...(cmd.visible !== undefined ? { visible: cmd.visible } : {}),
      ...(cmd.notes !== undefined ? { notes: cmd.notes } : {}),
    };
    if (next.name === l.name && next.color === l.color && next.visible === l.visible && next.notes === l.notes) return {};
    return { doc: { ...ctx.doc, lesions: ctx.doc.lesions.map((x) => (x.id === l.id ? next : x)) } };
  },
  setAnatomy(ctx, cmd) {
    return { doc: { ...ctx.doc, anatomy: cmd.anatomy } };
  },
  setForamen(ctx, cmd) {
    const a: SacralAnatomy = ctx.doc.anatomy ?? { foramina: [], canal: null, frame: null };
    const foramina = [...a.foramina.filter((x) => x.id !== cmd.foramen.id), cmd.foramen];
    return { doc: { ...ctx.doc, anatomy: withOutsideFov(ctx.volume, { ...a, foramina }) } };
  },
  setCanal(ctx, cmd) {
    const a: SacralAnatomy = ctx.doc.anatomy ?? { foramina: [], canal: null, frame: null };
    return { doc: { ...ctx.doc, anatomy: { ...a, canal: cmd.canal } } };
  },
  detectAnatomy(ctx) {
    const d = ctx.detect();
    return { doc: { ...ctx.doc, anatomy: mergeAnatomy(ctx.doc.anatomy, d.anatomy) }, info: { detectionMessages: d.messages } };
  },
  fitForamen(ctx, cmd) {
    const a: SacralAnatomy = ctx.doc.anatomy ?? { foramina: [], canal: null, frame: null };
    // level and side proposed from the detected frame, else from the foramina already placed
    const fit = fitForamen(ctx.volume, cmd.clickLps, { ...FORAMEN_TOOL_OPTIONS, frame: a.frame ?? frameFromForamina(a) });
    if (!fit) return { info: { fit: { id: cmd.id ?? null, timeMs: 0, problem: 'no walled tunnel near the click: click on the opening, or zoom in' } } };
    // the id: the one the user is placing, else the level and side the fit proposes, else the first one not placed by hand
    let id: ForamenId | null = cmd.id ?? (fit.level && fit.side ? (`${fit.level}_${fit.side}` as ForamenId) : null);
    const proposed = !cmd.id;
    if (!id) id = FORAMEN_IDS.find((x) => !a.foramina.some((f) => f.id === x && f.source === 'manual') && !a.outsideFov?.includes(x)) ?? null;
    if (!id) return { info: { fit: { id: null, timeMs: fit.timeMs, problem: 'all eight foramina are placed: choose one (Review or Place) to replace it' } } };
    // measured as detection measures its suggestions (axis to both openings, radius at the wall)
    const t0 = nowMs();
    const m = measureFittedForamen(ctx.volume, fit);
    const timeMs = fit.timeMs + (nowMs() - t0);
    const foramen: Foramen = {
      id, level: id.slice(0, 2) as SacralLevel, side: id.slice(3) as Side,
      anteriorLps: m.anteriorLps, posteriorLps: m.posteriorLps, radiusMm: Math.round(m.radiusMm * 10) / 10, confidence: 1, source: 'manual',
    };
    const foramina = [...a.foramina.filter((x) => x.id !== id), foramen];
    // levels that the placed ones put outside the image are reported so, not asked for
    return { doc: { ...ctx.doc, anatomy: withOutsideFov(ctx.volume, { ...a, foramina }) }, info: { fit: { id, timeMs, problem: null, proposed } } };
  },
  fitCanal(ctx, cmd) {
    const fit = fitCanal(ctx.volume, cmd.clicksLps);
    if (!fit) return { info: { fit: { id: 'canal', timeMs: 0, problem: 'the canal needs two clicks along it at least' } } };
    const a: SacralAnatomy = ctx.doc.anatomy ?? { foramina: [], canal: null, frame: null };
    const canal: Canal = { centerlineLps: fit.centerlineLps, radiusMm: fit.radiusMm, confidence: 1, source: 'manual' };
    return { doc: { ...ctx.doc, anatomy: { ...a, canal } }, info: { fit: { id: 'canal', timeMs: fit.timeMs, problem: null } } };
  },
  resetForamen(ctx, cmd) {
    const a = ctx.doc.anatomy;
    if (!a) return {};
    const s = a.suggested?.find((f) => f.id === cmd.id);
    const foramina = [...a.foramina.filter((x) => x.id !== cmd.id), ...(s ? [s] : [])];
    return { doc: { ...ctx.doc, anatomy: { ...a, foramina } } };
  },
  markOutsideFov(ctx, cmd) {
    const a: SacralAnatomy = ctx.doc.anatomy ?? { foramina: [], canal: null, frame: null };
    const ids = new Set([...(a.outsideFov ?? []), ...cmd.ids.filter((id) => FORAMEN_IDS.includes(id))]);
    // a suggestion there goes; a foramen placed by hand stays (it is in the image)
    const foramina = a.foramina.filter((f) => f.source === 'manual' || !ids.has(f.id));
    for (const f of foramina) ids.delete(f.id);
    return { doc: { ...ctx.doc, anatomy: { ...a, foramina, outsideFov: FORAMEN_IDS.filter((id) => ids.has(id)) } } };
  },
  addNeedle(ctx, cmd) {
    if (cmd.needle.lesionId) lesionById(ctx.doc, cmd.needle.lesionId);
    const r = withNeedle(ctx.doc, cmd.needle, cmd.id);
    return { doc: r.doc, info: { needleIds: [r.id] } };
  },
  moveNeedle(ctx, cmd) {
    const t = needleById(ctx.doc, cmd.id);
    const targetLps = vec3(cmd.targetLps);
    const entryLps = cmd.snapToSkin ? ctx.planner.skinEntry(vec3(cmd.entryLps), targetLps, ctx.doc.thresholds) : vec3(cmd.entryLps);
    return { doc: replaceNeedle(ctx.doc, t.id, { entryLps, targetLps, source: 'manual' }), info: { needleIds: [t.id] } };
  },
  updateNeedle(ctx, cmd) {
    const p = cmd.patch;
    if (p.lesionId) lesionById(ctx.doc, p.lesionId);
    return { doc: replaceNeedle(ctx.doc, cmd.id, { ...p, ...(p.advance !== undefined ? { advance: Math.max(0, Math.min(1, p.advance)) } : {}) }), info: { needleIds: [cmd.id] } };
  },
  deleteNeedle(ctx, cmd) {
    needleById(ctx.doc, cmd.id);
    return { doc: { ...ctx.doc, needles: ctx.doc.needles.filter((t) => t.id !== cmd.id) } };
  },
  planApproach(ctx, cmd) {
    const l = lesionById(ctx.doc, cmd.lesionId);
    const r = ctx.planner.run({ type: 'plan', lesionLabel: l.label, approach: cmd.approach, needle: cmd.needle, needles: Math.max(1, Math.min(3, Math.round(cmd.needles))), thresholds: ctx.doc.thresholds });
    if (!r.paths?.length) return { info: { needleIds: [], explanation: r.explanation ?? 'none found' } };
    let doc = withoutAutoNeedles(ctx.doc, l.id, cmd.approach);
    const ids: string[] = [];
    const rfAims: RfAimInfo[] = [];
    for (const p of r.paths) {
      const added = withNeedle(doc, { approach: p.approach, lesionId: l.id, needle: cmd.needle, entryLps: p.entryLps, targetLps: p.targetLps, advance: 1, source: 'auto', ablation: null, cementMl: null });
      doc = added.doc;
      ids.push(added.id);
      // An electrode's tip goes where its burns cover the lesion best, not at the lesion's centre.
      if (cmd.needle.activeTipMm) {
        const aimed = aimNeedle(ctx, doc, added.id);
        doc = aimed.doc;
        if (aimed.aim) rfAims.push(aimed.aim);
      }
    }
    return { doc, info: { needleIds: ids, ...(rfAims.length ? { rfAims } : {}) } };
  },
  rankApproaches(ctx, cmd) {
    const l = lesionById(ctx.doc, cmd.lesionId);
    const r = ctx.planner.run({ type: 'rank', lesionLabel: l.label, needle: cmd.needle, zone: cmd.zone, thresholds: ctx.doc.thresholds });
    let doc = withoutAutoNeedles(ctx.doc, l.id, null);
    const ranked: RankRowInfo[] = [];
    const ids: string[] = [];
    for (const row of r.ranked ?? []) {
      let needleId: string | null = null;
      if (row.path) {
        const added = withNeedle(doc, { approach: row.path.approach, lesionId: l.id, needle: cmd.needle, entryLps: row.path.entryLps, targetLps: row.path.targetLps, advance: 1, source: 'auto', ablation: null, cementMl: null });
        doc = added.doc;
        needleId = added.id;
        ids.push(added.id);
      }
      const { path: _path, ...rest } = row;
      ranked.push({ ...rest, needleId });
    }
    return { doc, info: { needleIds: ids, ranked } };
  },
  setThresholds(ctx, cmd) {
    const next = { ...ctx.doc.thresholds };
    for (const [k, v] of Object.entries(cmd.thresholds) as [keyof SafetyThresholds, number | undefined][]) {
      if (v === undefined) continue;
      if (!(k in next) || !Number.isFinite(v)) throw new Error(`threshold ${k} must be a number of mm`);
      next[k] = v;
    }
    if ((Object.keys(next) as (keyof SafetyThresholds)[]).every((k) => next[k] === ctx.doc.thresholds[k])) return {};
    return { doc: { ...ctx.doc, thresholds: next } };
  },
  importLesions(ctx, cmd) {
    let doc = ctx.doc;
    const n = ctx.labels.data.length, data = ctx.labels.data;
    const imported: NonNullable<CommandInfo['imported']> = [];
    for (const l of cmd.lesions) {
      const r = withNewLesion(doc, l.name);
      const color = l.color && /^#[0-9a-f]{6}$/i.test(l.color) ? l.color : r.lesion.color;
      const lesion: CaseLesion = { ...r.lesion, color, ...(l.method ? { method: l.method } : {}) };
      doc = { ...r.doc, lesions: r.doc.lesions.map((x) => (x.id === lesion.id ? lesion : x)) };
      let voxels = 0, kept = 0;
      for (const o of l.offsets) {
        if (!(o >= 0 && o < n && Number.isInteger(o))) throw new Error(`voxel offset ${o} is outside the grid`);
        if (data[o] === 0) { ctx.labels.set(o, lesion.label, ctx.rec); voxels++; }
        else kept++;
      }
      imported.push({ lesionId: lesion.id, name: lesion.name, voxels, keptByOtherLesion: kept });
    }
    return { doc, info: { imported } };
  },
  aimCement(ctx, cmd) {
    const n = needleById(ctx.doc, cmd.id);
    const l = n.lesionId ? lesionById(ctx.doc, n.lesionId) : null;
    const tipLps = [0, 1, 2].map((a) => n.entryLps[a]! + (n.targetLps[a]! - n.entryLps[a]!) * n.advance) as Vec3;
    const r = ctx.planner.run({ type: 'aim-cement', tipLps, lesionLabel: l?.label ?? null, maxMl: 8, thresholds: ctx.doc.thresholds }).cementAim;
    if (!r) return { info: { needleIds: [cmd.id], explanation: 'the deposit could not be predicted' } };
    const pct = r.fillingRatio === null ? 'no lesion to fill' : `filling ratio ${(r.fillingRatio * 100).toFixed(0)} %`;
    return {
      doc: replaceNeedle(ctx.doc, cmd.id, { cementMl: r.ml }),
      info: { needleIds: [cmd.id], explanation: r.reached ? `${r.ml.toFixed(2)} mL reaches the study's filling (${pct})` : `${r.ml.toFixed(2)} mL planned: ${pct}, short of the study's 76 % (the stop surfaces hold the deposit)` },
    };
  },
  aimElectrode(ctx, cmd) {
    let doc = ctx.doc;
    if (cmd.needle) doc = replaceNeedle(doc, cmd.id, { needle: cmd.needle });
    const r = aimNeedle(ctx, doc, cmd.id);
    return { doc: r.doc, info: { needleIds: [cmd.id], ...(r.aim ? { rfAims: [r.aim] } : { explanation: r.why ?? 'the electrode could not be aimed' }) } };
  },
};

/** Aims one electrode needle of `doc` (planning/rf-target.ts via the planning engine): the document with the needle moved and its burns set. */
function aimNeedle(ctx: CommandContext, doc: CaseDoc, id: string): { doc: CaseDoc; aim: RfAimInfo | null; why?: string } {
  const n = needleById(doc, id);
  if (!n.needle.activeTipMm) return { doc, aim: null, why: 'aiming the burns needs an RF electrode' };
  const l = n.lesionId ? lesionById(doc, n.lesionId) : null;
  if (!l) return { doc, aim: null, why: 'aiming the burns needs the needle\'s lesion' };
  const ablation = n.ablation ?? { ...DEFAULT_ABLATION };
  const r = ctx.planner.run({ type: 'aim-rf', entryLps: n.entryLps, targetLps: n.targetLps, needle: n.needle, approach: n.approach, lesionLabel: l.label, ablation, thresholds: doc.thresholds });
  if (!r.rfAim) return { doc, aim: null, why: r.explanation ?? 'the lesion is empty' };
  const a = r.rfAim;
  const rfReport: RfReport = { tipLps: [...a.tipLps], entryLps: [...a.entryLps], burns: a.burns, options: a.options.map((o) => ({ burns: o.burns, coverage: o.coverage, marginMm: o.marginMm, coverageAnyMargin: o.coverageAnyMargin })), reasons: [...a.reasons] };
  const next = replaceNeedle(doc, id, { entryLps: a.entryLps, targetLps: a.tipLps, ablation: { ...ablation, burns: a.burns }, rfReport });
  return { doc: next, aim: { id, ...rfReport, options: [...rfReport.options], reasons: [...rfReport.reasons] } };
}

/** Runs one command's handler (the engine records the outcome). */
export function applyCommand(ctx: CommandContext, cmd: CaseCommand): CommandOutcome {
  const h = HANDLERS[cmd.type] as Handler<CaseCommandType> | undefined;
  if (!h) throw new Error(`unknown case command ${String((cmd as { type: unknown }).type)}`);
  return h(ctx, cmd as never);
}

export type { AblationParams };
