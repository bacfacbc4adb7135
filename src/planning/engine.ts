/**
 * PlanningEngine: trajectory planning over a case (its volume, lesion labels, landmarks and sacrum
 * mask, read through PlanningSource). Runs in the case worker (or inline). The sacral envelope and
 * the body model are built lazily and rebuilt when labels or landmarks change (source version).
 */
import type { Vec3 } from '../core/vec3';
import type { ScalarVolume } from '../core/volume';
import type { LabelMap } from '../segmentation/labelmap';
import type { SacralAnatomy } from '../anatomy/types';
import { fitSacralFrame, type FittedSacralFrame } from '../anatomy/frame';
import { nowMs } from '../core/clock';
import type { AblationPlan, ApproachName, Needle, SafetyThresholds, TrajectoryMetrics } from './types';
import { buildSacralEnvelope, type SacralEnvelope } from './envelope';
import { BodyModel } from './body';
import { evaluateTrajectory } from './trajectory';
import { planApproachTo, rankApproachesTo, type PlannerContext, type RankedApproach } from './planner';
import { lesionTargets, offsetsToLps } from './targets';
import type { Ranked } from './ranking';
import { aimRfOnPath, type RfAim } from './rf-target';
import { ablationZones, evaluateAblation, type AblationParams } from './ablation';
import { cementVolumeForFilling, predictCement } from './cement';
import type { CementSummary } from './types';

export type PlanCommand =
  | { type: 'prepare'; thresholds: SafetyThresholds }
  /** snapToSkin: the entry moves along the target → entry line onto the skin (a drag in a view). */
  | { type: 'evaluate'; entryLps: Vec3; targetLps: Vec3; needle: Needle; approach: ApproachName | null; lesionLabel: number | null; ablation: AblationParams | null; thresholds: SafetyThresholds; snapToSkin?: boolean }
  | { type: 'plan'; lesionLabel: number; approach: ApproachName; needle: Needle; needles: number; thresholds: SafetyThresholds }
  | { type: 'rank'; lesionLabel: number; needle: Needle; zone: 1 | 2 | 3 | null; thresholds: SafetyThresholds }
  /** Aim an RF electrode: move its tip (and the path parallel) so the burns cover the lesion best within the neural margin (planning/rf-target.ts). */
  | { type: 'aim-rf'; entryLps: Vec3; targetLps: Vec3; needle: Needle; approach: ApproachName | null; lesionLabel: number; ablation: AblationParams; thresholds: SafetyThresholds }
  /** The cement volume at a tip that reaches the study's filling (planning/cement.ts cementVolumeForFilling). */
  | { type: 'aim-cement'; tipLps: Vec3; lesionLabel: number | null; maxMl: number; thresholds: SafetyThresholds }
  /** Predict the cement deposit at a needle's tip (plannedMl null: clear it); writes the cement map. */
  | { type: 'cement'; id: string; tipLps: Vec3; lesionLabel: number | null; plannedMl: number | null; thresholds: SafetyThresholds };

export interface PlannedPath {
  approach: ApproachName;
  entryLps: Vec3;
  targetLps: Vec3;
  metrics: TrajectoryMetrics;
}

export interface PlanReply {
  metrics?: TrajectoryMetrics;
  /** 'evaluate' with snapToSkin: the entry on the skin that was evaluated. */
  entryLps?: Vec3;
  ablation?: AblationPlan | null;
  paths?: PlannedPath[];
  /** 'plan' with no path that fits the template: why. */
  explanation?: string;
  ranked?: (Omit<Ranked<RankedApproach>, 'candidate'> & { path: PlannedPath | null })[];
  cement?: CementSummary | null;
  /** 'aim-cement': the volume and the filling ratio it reaches. */
  cementAim?: { ml: number; fillingRatio: number | null; reached: boolean };
  /** 'aim-rf': the aimed tip, entry (on the skin), proposed burns, coverage per burn count and reasons. */
  rfAim?: Omit<RfAim, 'entryLps'> & { entryLps: Vec3 };
  /** Envelope (distance field) build time when it was (re)built by this command, ms. */
  envelopeMs: number | null;
  commandMs: number;
}

/** What planning reads of the open case (src/case/engine.ts provides it). */
export interface PlanningSource {
  readonly volume: ScalarVolume;
  readonly labels: LabelMap;
  readonly currentAnatomy: SacralAnatomy | null;
  readonly currentSacrumMask: Uint8Array | null;
  /** Changes whenever labels or landmarks change (the envelope is rebuilt then). */
  readonly version: number;
}

export class PlanningEngine {
  private envelope: SacralEnvelope | null = null;
  private envelopeVersion = -1;
  private frame: FittedSacralFrame | null = null;
  private body: BodyModel | null = null;

  /** Deposit voxels per trajectory id; the cement map (1 = cement) is their union. */
  private deposits = new Map<string, Int32Array>();

  constructor(private readonly cases: PlanningSource, readonly cementMap: Uint8Array = new Uint8Array(cases.volume.geometry.voxelCount)) {}

  private rewriteCementMap(): void {
    this.cementMap.fill(0);
    for (const d of this.deposits.values()) for (const o of d) this.cementMap[o] = 1;
  }

  private context(thresholds: SafetyThresholds): { ctx: PlannerContext; envelopeMs: number | null } {
    const c = this.cases;
    let envelopeMs: number | null = null;
    const anatomy = c.currentAnatomy;
    if (this.envelopeVersion !== c.version) {
      const mask = c.currentSacrumMask;
      const t0 = nowMs();
      this.envelope = mask ? buildSacralEnvelope(c.volume, mask, anatomy, { extraMask: c.labels.data }) : null;
      envelopeMs = mask ? nowMs() - t0 : null;
      this.frame = anatomy?.frame ? fitSacralFrame(anatomy.frame) : null;
      this.envelopeVersion = c.version;
    }
    this.body ??= new BodyModel(c.volume);
    return { ctx: { anatomy, frame: this.frame, envelope: this.envelope, volume: c.volume, thresholds, body: this.body }, envelopeMs };
  }

  /** Where the line from the target through `entryLps` meets the skin (a dragged entry snaps there). */
  skinEntry(entryLps: Vec3, targetLps: Vec3, thresholds: SafetyThresholds): Vec3 {
    const { ctx } = this.context(thresholds);
    const d: Vec3 = [entryLps[0] - targetLps[0], entryLps[1] - targetLps[1], entryLps[2] - targetLps[2]];
    const l = Math.hypot(d[0], d[1], d[2]);
    if (!ctx.body || l <= 1) return entryLps;
    return ctx.body.skinEntry(targetLps, [d[0] / l, d[1] / l, d[2] / l]).entryLps;
  }

  /** Drops the deposits of needles that no longer exist (ids not in `keep`); true when the cement map changed. */
  keepDeposits(keep: ReadonlySet<string>): boolean {
    let changed = false;
    for (const id of [...this.deposits.keys()]) if (!keep.has(id)) { this.deposits.delete(id); changed = true; }
    if (changed) this.rewriteCementMap();
    return changed;
  }

  /** Voxel centres of a lesion in LPS (xyz interleaved), subsampled to at most `max` points. */
  lesionPoints(label: number, max = 40000): Float64Array {
    return offsetsToLps(this.cases.volume.geometry, this.cases.labels.offsetsOf(label), max);
  }

  run(cmd: PlanCommand): PlanReply {
    const t0 = nowMs();
    const { ctx, envelopeMs } = this.context(cmd.thresholds);
    const done = (r: Omit<PlanReply, 'envelopeMs' | 'commandMs'>): PlanReply => ({ ...r, envelopeMs, commandMs: nowMs() - t0 });
    switch (cmd.type) {
      case 'prepare':
        return done({});
      case 'evaluate': {
        let entry = cmd.entryLps;
        let entryKind: 'skin' | 'extrapolated' | 'image-edge' | undefined;
        if (cmd.snapToSkin && ctx.body) {
          const d: Vec3 = [entry[0] - cmd.targetLps[0], entry[1] - cmd.targetLps[1], entry[2] - cmd.targetLps[2]];
          const l = Math.hypot(d[0], d[1], d[2]);
          if (l > 1) {
            const e = ctx.body.skinEntry(cmd.targetLps, [d[0] / l, d[1] / l, d[2] / l]);
            entry = e.entryLps;
            entryKind = e.kind;
          }
        }
        const metrics = evaluateTrajectory(ctx, entry, cmd.targetLps, cmd.needle, { approach: cmd.approach, ...(entryKind ? { entryKind } : {}) });
        let ablation: AblationPlan | null = null;
        if (cmd.ablation && cmd.needle.activeTipMm) {
          const zones = ablationZones(entry, cmd.targetLps, cmd.needle.activeTipMm, cmd.ablation);
          ablation = evaluateAblation(zones, cmd.lesionLabel ? this.lesionPoints(cmd.lesionLabel, 20000) : null, ctx.anatomy, cmd.thresholds);
        }
        return done({ metrics, ablation, entryLps: entry });
      }
      case 'aim-cement': {
        const fillingAt = (ml: number) => predictCement(this.cases.volume, this.cases.labels, cmd.lesionLabel, ctx.envelope, ctx.frame, ctx.anatomy, cmd.tipLps, ml).fillingRatio;
        return done({ cementAim: cementVolumeForFilling(fillingAt, cmd.maxMl) });
      }
      case 'aim-rf': {
        const pts = this.lesionPoints(cmd.lesionLabel, 20000);
        if (!pts.length) return done({ explanation: 'the lesion is empty' });
        const aim = aimRfOnPath(ctx, cmd.entryLps, cmd.targetLps, cmd.needle, cmd.ablation, pts, { approach: cmd.approach });
        // The path moved parallel: its entry goes back onto the skin along the same direction.
        let entry = aim.entryLps;
        let entryKind: 'skin' | 'extrapolated' | 'image-edge' | undefined;
        if (ctx.body) {
          const d: Vec3 = [entry[0] - aim.tipLps[0], entry[1] - aim.tipLps[1], entry[2] - aim.tipLps[2]];
          const l = Math.hypot(d[0], d[1], d[2]) || 1;
          const e = ctx.body.skinEntry(aim.tipLps, [d[0] / l, d[1] / l, d[2] / l]);
          entry = e.entryLps; entryKind = e.kind;
        }
        const metrics = evaluateTrajectory(ctx, entry, aim.tipLps, cmd.needle, { approach: cmd.approach, ...(entryKind ? { entryKind } : {}) });
        const zones = ablationZones(entry, aim.tipLps, cmd.needle.activeTipMm ?? 10, { ...cmd.ablation, burns: aim.burns });
        const ablation = evaluateAblation(zones, pts, ctx.anatomy, cmd.thresholds);
        return done({ rfAim: { ...aim, entryLps: entry }, metrics, ablation, entryLps: entry });
      }
      case 'plan': {
        const targets = lesionTargets(this.lesionPoints(cmd.lesionLabel), cmd.needles, ctx.anatomy);
        if (!targets.length) return done({ paths: [], explanation: 'the lesion is empty' });
        const paths: PlannedPath[] = [];
        let explanation = '';
        for (const t of targets) {
          const r = planApproachTo(ctx, cmd.approach, t, cmd.needle);
          if (r.best && !r.best.violation) paths.push({ approach: cmd.approach, entryLps: r.best.entryLps, targetLps: r.best.targetLps, metrics: r.best.metrics });
          else explanation = r.explanation;
        }
        return done({ paths, explanation });
      }
      case 'cement': {
        this.deposits.delete(cmd.id);
        if (cmd.plannedMl === null) { this.rewriteCementMap(); return done({ cement: null }); }
        const plan = predictCement(this.cases.volume, this.cases.labels, cmd.lesionLabel, ctx.envelope, ctx.frame, ctx.anatomy, cmd.tipLps, cmd.plannedMl);
        this.deposits.set(cmd.id, plan.offsets);
        this.rewriteCementMap();
        const geo = this.cases.volume.geometry;
        let box: CementSummary['boxIjk'] = null;
        if (plan.offsets.length) {
          const lo: [number, number, number] = [Infinity, Infinity, Infinity], hi: [number, number, number] = [-Infinity, -Infinity, -Infinity];
          const v: Vec3 = [0, 0, 0];
          for (const o of plan.offsets) {
            geo.indexOfOffset(v, o);
            for (let a = 0; a < 3; a++) { lo[a] = Math.min(lo[a]!, v[a]!); hi[a] = Math.max(hi[a]!, v[a]!); }
          }
          box = [lo, hi];
        }
        const { offsets: _o, ...summary } = plan;
        return done({ cement: { ...summary, boxIjk: box } });
      }
      case 'rank': {
        const [target] = lesionTargets(this.lesionPoints(cmd.lesionLabel), 1, ctx.anatomy);
        if (!target) return done({ ranked: [] });
        const rows = rankApproachesTo(ctx, target, cmd.needle, cmd.zone);
        return done({
          ranked: rows.map(({ candidate, ...rest }) => ({ ...rest, path: candidate ? { approach: candidate.approach, entryLps: candidate.entryLps, targetLps: candidate.targetLps, metrics: candidate.metrics } : null })),
        });
      }
    }
  }
}
