/**
 * CaseEngine: the open case (document + label map), its one undo history, and the data derived
 * from it (lesion statistics, Denis zones and the zone map, needle metrics, ablation and cement).
 * The case worker (workers/case.worker.ts) runs it; without cross-origin isolation it runs inline.
 * Every reply carries the whole projection the main thread shows (CaseView): the store copies it,
 * never edits it.
 */
import { buildSacralEnvelope, lesionOutsideEnvelope, type SacralEnvelope } from '../planning/envelope';

/**
 * Closing radius (mm) of the envelope for the outside measure: a lytic lesion that has destroyed the
 * cortex leaves a gap as wide as its chord there; a ball of 8 mm bridges gaps up to 16 mm (the
 * lesions of the study's size, ≤ 30 mm, breaking through by up to about half their width), while
 * the sacrum's own outer surface, concave only on scales of centimetres (the anterior concavity,
 * the alae), is barely changed. Measured against the phantom's truth (test/case/outside-sacrum.test.ts).
 */
export const OUTSIDE_CLOSE_MM = 8;
import type { ScalarVolume } from '../core/volume';
import type { Vec3 } from '../core/vec3';
import { nowMs } from '../core/clock';
import { LabelMap } from '../segmentation/labelmap';
import { LabelEditRecorder, type LabelDiff } from '../segmentation/history';
import { lesionStats, type LesionStats } from '../segmentation/stats';
import type { Canal, SacralAnatomy } from '../anatomy/types';
import { buildZoneModel, buildZoneMap, zoneMaskIndex, zoneModelProblem, type ZoneMaskIndex, type ZoneModel } from '../anatomy/zones';
import { classifyLesion, type LesionZoneResult } from '../anatomy/classify';
import { suggestLandmarks } from '../anatomy/suggest';
import { detectSacralAnatomy } from '../anatomy/detect';
import { mrSacrumMask } from '../anatomy/mr-sacrum-mask';
import { trustedAnatomy } from '../anatomy/evidence';
import { withLandmarkFrame } from '../anatomy/frame-from-landmarks';
import { PlanningEngine, type PlanningSource, type PlanCommand, type PlanReply } from '../planning/engine';
import type { AblationPlan, CementSummary, SafetyThresholds, TrajectoryMetrics } from '../planning/types';
import { DEFAULT_ABLATION } from '../planning/ablation';
import { CaseHistory, type CaseHistoryOptions } from './history';
import { applyCommand, STEP_NAMES, type CaseCommand, type CommandInfo } from './commands';
import { EMPTY_DOC, type CaseDoc, type CaseLesion, type CaseNeedle } from './types';

export interface LesionView extends CaseLesion {
  stats: LesionStats | null;
  /** Volume beyond the sacral envelope (mL; planning/envelope.ts lesionOutsideEnvelope: foramina, canal and lytic cavities count as inside); null without a sacrum mask. */
  outsideSacrumMl: number | null;
  /** Null without a usable zone model (see CaseView.zoneProblem) or for an empty lesion. */
  zone: LesionZoneResult | null;
}

export interface NeedleView extends CaseNeedle {
  metrics: TrajectoryMetrics;
  ablationPlan: AblationPlan | null;
  cement: CementSummary | null;
}

/** What the main thread shows of the case. */
export interface CaseView {
  lesions: LesionView[];
  anatomy: SacralAnatomy | null;
  needles: NeedleView[];
  thresholds: SafetyThresholds;
  zoneProblem: string | null;
  canUndo: boolean;
  canRedo: boolean;
  undoName: string | null;
  redoName: string | null;
  /** Bumped by every change of the document or the voxels (autosave keys on it). */
  revision: number;
}

export interface CaseReply {
  view: CaseView;
  info: CommandInfo;
  /** Voxels changed (views redraw the lesion overlay). */
  labelsChanged: boolean;
  zoneMapChanged: boolean;
  cementChanged: boolean;
  commandMs: number;
  /** Derived data (statistics, zones, needles), of which the zone map took zoneMapMs. */
  derivedMs: number;
  zoneMapMs: number;
}

export interface CaseEngineOptions {
  /** Shared arrays (one byte per voxel) to write in place: the label map, the zone map, the cement map. */
  labelData?: Uint8Array;
  zoneMapData?: Uint8Array;
  cementMapData?: Uint8Array;
  history?: CaseHistoryOptions;
  /**
   * On MR: asks for the sacrum outline of this final canal (mr-sacrum-mask.ts, about 1 s quiet, 3–11 s on a loaded
   * 2-core machine) off the command path; the answer comes back through `setMrRegion`. The case worker passes one
   * that runs it in a worker of its own, so that no command waits behind it. Without it (the inline case, tests)
   * the outline is made in the reply, as part of the command.
   */
  requestMrRegion?: (canal: Canal) => void;
}

export class CaseEngine implements PlanningSource {
  readonly labels: LabelMap;
  readonly zoneMap: Uint8Array;
  readonly planner: PlanningEngine;
  readonly history: CaseHistory;
  private docNow: CaseDoc = EMPTY_DOC;
  private sacrumMask: Uint8Array | null = null;
  /** PlanningSource: bumped when voxels or landmarks change (the envelope is rebuilt then). */
  version = 0;
  private revisionNo = 0;

  // derived data and what it was computed from
  private stats = new Map<number, LesionStats | null>();
  private zones = new Map<number, LesionZoneResult | null>();
  /** Lesion volume outside the detected sacrum (set with the zones; null without a sacrum mask). */
  private outside = new Map<number, number | null>();
  /** The sacral envelope the outside measure uses, and the sacrum mask and landmarks it was built from. */
  private outsideEnv: { mask: Uint8Array; env: SacralEnvelope | null } | null = null;
  private sacrumIndex: { mask: Uint8Array; index: ZoneMaskIndex | null } | null = null;
  /**
   * The sacrum as detection segments it, made for the zone map when no sacrum mask came with the landmarks
   * (placed by hand, without Find landmarks); null where none is found (MR, no sacrum). Undefined: not tried.
   */
  private zoneRegionMask: Uint8Array | null | undefined = undefined;
  /** On MR: the sacrum found from the canal placed by hand (mr-sacrum-mask.ts), per canal; null where none was found. */
  private mrRegion: { canal: Canal; mask: Uint8Array | null; pending: boolean } | null = null;
  private readonly requestMrRegion: ((canal: Canal) => void) | undefined;
  private provisionalCanals = new WeakSet<Canal>();
  /** The zone map waits for a refresh (a deferred landmark edit), and the sacrum mask it was last drawn with. */
  private zoneMapStale = false;
  private zoneMapMask: Uint8Array | null | undefined = undefined;
  /** Lesions whose outside measure waits for the envelope (a deferred reply answers before building it). */
  private outsideStale = new Set<number>();
  private dirtyLabels = new Set<number>();
  private model: ZoneModel | null = null;
  private modelFor: SacralAnatomy | null | undefined = undefined;
  private needleDerived = new Map<string, { from: CaseNeedle; anatomy: SacralAnatomy | null; thresholds: SafetyThresholds; label: number | null; metrics: TrajectoryMetrics; ablation: AblationPlan | null }>();
  private cementDerived = new Map<string, { key: string; anatomy: SacralAnatomy | null; version: number; cement: CementSummary | null }>();

  constructor(readonly volume: ScalarVolume, options: CaseEngineOptions = {}) {
    this.labels = options.labelData ? new LabelMap(volume.geometry, options.labelData, true) : new LabelMap(volume.geometry);
    this.zoneMap = options.zoneMapData ?? new Uint8Array(volume.geometry.voxelCount);
    this.planner = new PlanningEngine(this, options.cementMapData);
    this.history = new CaseHistory(options.history);
    this.requestMrRegion = options.requestMrRegion;
  }

  get doc(): CaseDoc {
    return this.docNow;
  }
  get currentAnatomy(): SacralAnatomy | null {
    return withLandmarkFrame(trustedAnatomy(this.docNow.anatomy));
  }
  get currentSacrumMask(): Uint8Array | null {
    return this.sacrumMask;
  }
  get cementMap(): Uint8Array {
    return this.planner.cementMap;
  }
  get revision(): number {
    return this.revisionNo;
  }

  /**
   * Runs one command as one undo step (or part of its gesture's step). With `defer` the lesion
   * statistics wait for the next `refresh()` (a brush drag refreshes once, at its end).
   */
  run(cmd: CaseCommand, options: { defer?: boolean } = {}): CaseReply {
    const t0 = nowMs();
    const before = this.docNow;
    const rec = new LabelEditRecorder(STEP_NAMES[cmd.type] ?? cmd.type);
    let outcome;
    try {
      outcome = applyCommand({
        volume: this.volume, labels: this.labels, rec, doc: before, planner: this.planner,
        detect: () => {
          const d = suggestLandmarks(this.volume);
          this.sacrumMask = d.sacrumMask;
          this.modelFor = undefined; // the zone map is limited to the new sacrum mask
          return { anatomy: d.anatomy, messages: d.diagnostics.messages };
        },
      }, cmd);
    } catch (err) {
      // a failed command leaves the case as it was
      const partial = rec.finish();
      for (let n = partial.offsets.length - 1; n >= 0; n--) this.labels.set(partial.offsets[n]!, partial.before[n]!);
      throw err;
    }
    if (cmd.gesture === undefined) this.history.closeGesture();
    const after = outcome.doc ?? before;
    // a canal fitted through fewer than three clicks is refined by the next click (the Canal tool takes up to three):
    // the MR outline waits for the final one, so that its seconds of work do not hold up that click
    if (cmd.type === 'fitCanal' && cmd.clicksLps.length < 3 && after.anatomy?.canal) this.provisionalCanals.add(after.anatomy.canal);
    const diff = rec.size > 0 ? rec.finish() : null;
    this.history.push(STEP_NAMES[cmd.type], cmd.gesture ?? null, diff, before, after);
    this.docNow = after;
    const commandMs = nowMs() - t0;
    return this.reply(diff ? [diff] : [], before, outcome.info ?? {}, commandMs, options.defer ?? false);
  }

  /** Ends a gesture: the next command, even with the same key, is a new undo step. */
  endGesture(): CaseReply {
    this.history.closeGesture();
    return this.refresh();
  }

  /** Undoes the latest step. With `defer` the touched lesions' statistics wait for `refresh()` (the view shows the voxels at once). */
  undo(options: { defer?: boolean } = {}): CaseReply {
    const t0 = nowMs();
    const before = this.docNow;
    const s = this.history.undo(this.labels);
    if (s) this.docNow = s.before;
    return this.reply(s?.diffs ?? [], before, {}, nowMs() - t0, options.defer ?? false);
  }

  redo(options: { defer?: boolean } = {}): CaseReply {
    const t0 = nowMs();
    const before = this.docNow;
    const s = this.history.redo(this.labels);
    if (s) this.docNow = s.after;
    return this.reply(s?.diffs ?? [], before, {}, nowMs() - t0, options.defer ?? false);
  }

  /** Recomputes what deferred commands left stale and answers the projection. */
  refresh(): CaseReply {
    return this.reply([], this.docNow, {}, 0, false);
  }

  /**
   * The sacral envelope for "extends outside the sacrum" (planning/envelope.ts): the detected bone
   * closed by OUTSIDE_CLOSE_MM and its holes filled, so that a lesion's own lytic cavity is inside;
   * a foramen's lumen and the canal (those are the foramen and canal criteria) are taken out by
   * lesionOutsideEnvelope's lumen test with the trusted landmarks, so only tissue beyond the bone's
   * outer surface is outside. Built once per sacrum mask (about 1 s on 512×512×300), not per landmark
   * move, so a foramen drag does not wait for it.
   */
  /** The sacrum mask's voxels by zone-map block (zones.ts zoneMaskIndex: a map visits them, not the mask's whole box), made once per mask. */
  private maskIndexOption(mask: Uint8Array | null): { maskIndex?: ZoneMaskIndex } {
    if (!mask) return {};
    if (this.sacrumIndex?.mask !== mask) this.sacrumIndex = { mask, index: zoneMaskIndex(this.volume.geometry, mask) };
    const index = this.sacrumIndex.index;
    // an empty mask: the zone map finds it empty itself
    return index ? { maskIndex: index } : {};
  }

  /**
   * The voxels the zone map colours: the sacrum mask; without one (landmarks placed by hand on a CT) the
   * sacrum segmented as Find landmarks segments it, once per volume (about as long as detection, 1–3 s), so
   * that the zones do not spill over the ilia and L5 (the box around the landmarks the zone map falls back to
   * reaches 30 mm beyond the widest foramen, past the sacroiliac joints). The landmarks stay the user's.
   */
  private zoneRegion(): Uint8Array | null {
    if (this.sacrumMask) return this.sacrumMask;
    // MR: no HU to segment by; once the canal is placed, the marrow its cortex encloses anterior to it
    // (mr-sacrum-mask.ts, 3–11 s once per canal on a loaded 2-core machine). For the zone map's display only: it may miss the lateral masses and the
    // levels the canal does not reach, so the lesions' zones (from the landmarks), the outside-sacrum note and the
    // planning envelope do not use it
    if (this.volume.units !== 'HU') {
      const canal = this.modelFor?.canal ?? null;
      if (!canal || this.provisionalCanals.has(canal)) return null;
      if (this.mrRegion?.canal !== canal) {
        // asked for off the command path: until it answers the map is drawn as after two clicks (the box round the landmarks)
        if (this.requestMrRegion) {
          this.mrRegion = { canal, mask: null, pending: true };
          this.requestMrRegion(canal);
        } else this.mrRegion = { canal, mask: mrSacrumMask(this.volume, canal)?.mask ?? null, pending: false };
      }
      return this.mrRegion.mask;
    }
    if (this.zoneRegionMask === undefined) {
      this.zoneRegionMask = null;
      if (this.volume.units === 'HU') {
        // the mask is detection's own (suggestLandmarks passes it through): the foramina's evidence is not needed here
        const m = detectSacralAnatomy(this.volume).sacrumMask;
        if (m.some((x) => x !== 0)) this.zoneRegionMask = m;
      }
    }
    return this.zoneRegionMask;
  }

  /** An MR outline asked for through `requestMrRegion` has not come back yet. */
  get mrRegionPending(): boolean {
    return this.mrRegion?.pending === true;
  }

  /**
   * The MR outline asked for through `requestMrRegion` (null: none found). True when the zone map waits for it:
   * `refresh()` then redraws the map within it. An answer for a canal that has since been replaced is dropped.
   */
  setMrRegion(canal: Canal, mask: Uint8Array | null): boolean {
    if (this.mrRegion?.canal !== canal) return false;
    this.mrRegion = { canal, mask, pending: false };
    if (this.modelFor?.canal !== canal) return false;
    this.zoneMapStale = true;
    return true;
  }

  private envelopeReady(): boolean {
    return !this.sacrumMask || this.outsideEnv?.mask === this.sacrumMask;
  }

  private envelopeForOutside(): SacralEnvelope | null {
    const mask = this.sacrumMask;
    if (!mask) return null;
    const c = this.outsideEnv;
    if (c && c.mask === mask) return c.env;
    const env = buildSacralEnvelope(this.volume, mask, null, { closeMm: OUTSIDE_CLOSE_MM });
    this.outsideEnv = { mask, env };
    return env;
  }

  /**
   * Replaces the whole case (a restored autosave, an opened plan): the document and the label map,
   * with an empty history. `labels` must hold only labels of `doc`'s lesions (callers validate).
   */
  load(doc: CaseDoc, labels: Uint8Array, sacrumMask: Uint8Array | null = null, options: { defer?: boolean } = {}): CaseReply {
    if (labels.length !== this.labels.data.length) throw new Error(`label map of ${labels.length} voxels for a ${this.volume.geometry.dims.join('×')} volume`);
    if (sacrumMask && sacrumMask.length !== labels.length) throw new Error('sacrum mask and label map sizes differ');
    const before = this.docNow;
    if (labels !== this.labels.data) this.labels.data.set(labels);
    this.labels.rebuildIndex();
    this.sacrumMask = sacrumMask;
    this.modelFor = undefined; // the zone map follows the restored landmarks and sacrum
    this.version++;
    this.history.clear();
    this.docNow = doc;
    this.stats.clear();
    this.zones.clear();
    for (let l = 1; l < 256; l++) this.dirtyLabels.add(l);
    const r = this.reply([], before, {}, 0, options.defer ?? false);
    return { ...r, labelsChanged: true };
  }

  /** Planning queries that change nothing (kept for the planning tests and the bench). */
  plan(cmd: PlanCommand): PlanReply {
    return this.planner.run(cmd);
  }

  private reply(diffs: readonly LabelDiff[], before: CaseDoc, info: CommandInfo, commandMs: number, defer: boolean): CaseReply {
    const t0 = nowMs();
    const doc = this.docNow;
    let labelsChanged = false;
    for (const d of diffs) {
      if (d.offsets.length === 0) continue;
      labelsChanged = true;
      const seen = new Uint8Array(256);
      for (let n = 0; n < d.before.length; n++) { seen[d.before[n]!] = 1; seen[d.after[n]!] = 1; }
      for (let l = 1; l < 256; l++) if (seen[l]) this.dirtyLabels.add(l);
    }
    if (labelsChanged || doc !== before) this.revisionNo++;
    if (labelsChanged || doc.anatomy !== before.anatomy) this.version++;

    // zone model and map follow the landmarks the user can rely on: hand-placed ones and suggestions
    // above the bar ("check" suggestions are left out until confirmed, evidence.ts)
    // (with a frame implied by the foramina when detection gave none, frame-from-landmarks.ts)
    const trusted = withLandmarkFrame(trustedAnatomy(doc.anatomy));
    let zoneMapChanged = false;
    const tz = nowMs();
    if (trusted !== this.modelFor) {
      this.modelFor = trusted;
      this.model = trusted ? buildZoneModel(trusted) : null;
      this.zoneMapStale = true;
      this.zones.clear();
    }
    // the map is for display: a deferred landmark edit (same sacrum mask) answers with the lesions' zones and
    // leaves the map to the next refresh; a new mask (Find landmarks, an opened plan) draws it at once
    if (this.zoneMapStale && (!defer || this.zoneMapMask !== this.sacrumMask)) {
      if (this.model && this.modelFor) {
        const region = this.zoneRegion();
        buildZoneMap(this.volume.geometry, this.modelFor, region, { out: this.zoneMap, ...this.maskIndexOption(region) });
      } else this.zoneMap.fill(0);
      zoneMapChanged = true;
      this.zoneMapStale = false;
      this.zoneMapMask = this.sacrumMask;
    }
    const zoneMapMs = nowMs() - tz;

    // lesion statistics and zones of the lesions whose voxels changed
    if (!defer) {
      for (const l of this.dirtyLabels) {
        this.stats.delete(l);
        this.zones.delete(l);
      }
      this.dirtyLabels.clear();
    }
    const units = this.volume.units;
    const lesions: LesionView[] = doc.lesions.map((l) => {
      // deferred: a lesion whose voxels changed keeps its last statistics (none yet: null) until refresh()
      if (defer && this.dirtyLabels.has(l.label)) return { ...l, stats: this.stats.get(l.label) ?? null, zone: this.zones.get(l.label) ?? null, outsideSacrumMl: this.outsideStale.has(l.label) ? null : this.outside.get(l.label) ?? null };
      if (!this.stats.has(l.label)) {
        // With the partial-volume estimate (~0.1 s for 7 mL): the voxel count of a thresholded lesion reads a few % low on small lesions.
        this.stats.set(l.label, lesionStats(this.labels, l.label, this.volume, { partialVolume: units === 'HU' }));
      }
      if (!this.zones.has(l.label)) {
        this.zones.set(l.label, this.model && trusted && this.labels.count(l.label) > 0 ? classifyLesion(this.labels, l.label, trusted, this.model) : null);
        this.outsideStale.add(l.label);
      }
      // deferred: a new sacrum mask's envelope (about 1 s on 512×512×300) waits for the next refresh; until then
      // the lesion shows no outside verdict (null), never one from another mask
      if (this.outsideStale.has(l.label) && !(defer && !this.envelopeReady())) {
        const env = this.labels.count(l.label) > 0 ? this.envelopeForOutside() : null;
        this.outside.set(l.label, env ? lesionOutsideEnvelope(this.labels, l.label, env, undefined, trusted).volumeMl : null);
        this.outsideStale.delete(l.label);
      }
      return { ...l, stats: this.stats.get(l.label) ?? null, zone: this.zones.get(l.label) ?? null, outsideSacrumMl: this.outsideStale.has(l.label) ? null : this.outside.get(l.label) ?? null };
    });

    // needle metrics follow the needle, the landmarks and the thresholds; deposits follow the tip
    const labelOf = (id: string | null): number | null => (id ? doc.lesions.find((l) => l.id === id)?.label ?? null : null);
    let cementChanged = this.planner.keepDeposits(new Set(doc.needles.filter((n) => n.cementMl !== null).map((n) => n.id)));
    for (const id of [...this.needleDerived.keys()]) if (!doc.needles.some((n) => n.id === id)) this.needleDerived.delete(id);
    for (const id of [...this.cementDerived.keys()]) if (!doc.needles.some((n) => n.id === id && n.cementMl !== null)) this.cementDerived.delete(id);
    const needles: NeedleView[] = doc.needles.map((n) => {
      const label = labelOf(n.lesionId);
      let d = this.needleDerived.get(n.id);
      const sameGeometry = d && d.from.entryLps === n.entryLps && d.from.targetLps === n.targetLps && d.from.needle === n.needle && d.from.ablation === n.ablation && d.from.approach === n.approach;
      if (!d || !sameGeometry || d.anatomy !== trusted || d.thresholds !== doc.thresholds || d.label !== label) {
        const abl = n.needle.activeTipMm ? n.ablation ?? { ...DEFAULT_ABLATION } : null;
        const r = this.planner.run({ type: 'evaluate', entryLps: n.entryLps, targetLps: n.targetLps, needle: n.needle, approach: n.approach, lesionLabel: label, ablation: abl, thresholds: doc.thresholds });
        d = { from: n, anatomy: trusted, thresholds: doc.thresholds, label, metrics: r.metrics!, ablation: r.ablation ?? null };
        this.needleDerived.set(n.id, d);
      }
      let cement: CementSummary | null = null;
      if (n.cementMl !== null) {
        const tip: Vec3 = [0, 1, 2].map((a) => n.entryLps[a]! + (n.targetLps[a]! - n.entryLps[a]!) * n.advance) as Vec3;
        const key = JSON.stringify([tip, n.cementMl, label]);
        const c = this.cementDerived.get(n.id);
        if (c && c.key === key && c.anatomy === trusted) cement = c.cement;
        else {
          cement = this.planner.run({ type: 'cement', id: n.id, tipLps: tip, lesionLabel: label, plannedMl: n.cementMl, thresholds: doc.thresholds }).cement ?? null;
          this.cementDerived.set(n.id, { key, anatomy: trusted, version: this.version, cement });
          cementChanged = true;
        }
      }
      return { ...n, metrics: d.metrics, ablationPlan: d.ablation, cement };
    });

    const view: CaseView = {
      lesions,
      anatomy: doc.anatomy,
      needles,
      thresholds: doc.thresholds,
      zoneProblem: zoneProblemOf(doc.anatomy, trusted),
      canUndo: this.history.canUndo,
      canRedo: this.history.canRedo,
      undoName: this.history.undoName,
      redoName: this.history.redoName,
      revision: this.revisionNo,
    };
    return { view, info, labelsChanged, zoneMapChanged, cementChanged, commandMs, derivedMs: nowMs() - t0, zoneMapMs };
  }
}

/** Why lesions cannot be classified, naming the suggestions that wait for the user's check. */
function zoneProblemOf(all: SacralAnatomy | null, trusted: SacralAnatomy | null): string | null {
  if (!all || !trusted) return 'no sacral landmarks yet (run the anatomy step)';
  const p = zoneModelProblem(trusted);
  if (p === null) return null;
  const waiting = all.foramina.filter((f) => !trusted.foramina.includes(f)).map((f) => f.id);
  return waiting.length ? `${p}: ${waiting.join(', ')} need checking (Review, then Confirm or place them with the Foramen tool)` : p;
}
