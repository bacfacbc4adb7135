/**
 * CaseEngine: the lesion label map (SegmentationEngine) together with the sacral landmarks, so that
 * every edit answers with fresh Denis-zone classifications of the lesions it touched, and a
 * landmark change re-classifies every lesion (≤ 100 ms target; see classify.ts).
 * Runs the same in the case worker and inline.
 */
import type { ScalarVolume } from '../core/volume';
import { SegmentationEngine, type SegCommand, type SegResult } from '../segmentation/engine';
import type { SacralAnatomy } from './types';
import { buildZoneModel, buildZoneMap, zoneModelProblem, type ZoneModel } from './zones';
import { classifyLesion, type LesionZoneResult } from './classify';
import { detectSacralAnatomy } from './detect';
import { nowMs } from '../core/clock';

export type CaseCommand =
  | SegCommand
  /** Replace the landmarks (null clears them); every lesion is re-classified. */
  | { type: 'setAnatomy'; anatomy: SacralAnatomy | null }
  | { type: 'classify' }
  /** Suggest landmarks from the CT (manual landmarks are kept, never overwritten). */
  | { type: 'detectAnatomy' };

export interface CaseResult extends SegResult {
  /** Denis-zone results of the labels touched (all lesions after setAnatomy); null: no zone model or empty label. */
  zones: Record<number, LesionZoneResult | null>;
  /** Why lesions cannot be classified (missing landmarks), or null. */
  zoneProblem: string | null;
  /** setAnatomy: the zone map was rewritten (views redraw it). */
  zoneMapChanged: boolean;
  classifyMs: number;
  /** detectAnatomy: the landmarks now in force and what the detector said. */
  anatomy?: SacralAnatomy | null;
  detectionMessages?: string[];
}

/** Detected landmarks merged under the hand-placed ones: a manual foramen or canal always wins. */
export function mergeAnatomy(current: SacralAnatomy | null, detected: SacralAnatomy): SacralAnatomy {
  const manual = (current?.foramina ?? []).filter((f) => f.source === 'manual');
  const manualIds = new Set(manual.map((f) => f.id));
  return {
    foramina: [...manual, ...detected.foramina.filter((f) => !manualIds.has(f.id))],
    canal: current?.canal?.source === 'manual' ? current.canal : detected.canal,
    frame: detected.frame ?? current?.frame ?? null,
  };
}

export class CaseEngine {
  readonly seg: SegmentationEngine;
  private anatomy: SacralAnatomy | null = null;
  private model: ZoneModel | null = null;
  /** Sacrum bone from the last detection: limits the displayed zone map to the sacrum. */
  private sacrumMask: Uint8Array | null = null;

  /**
   * `labelData` / `zoneMapData`: optional shared arrays (one byte per voxel) to write in place; the
   * zone map holds 0 outside, 1/2/3 the Denis zones, 4 below S4 (buildZoneMap).
   */
  constructor(readonly volume: ScalarVolume, labelData?: Uint8Array, readonly zoneMapData?: Uint8Array) {
    this.seg = new SegmentationEngine(volume, labelData);
  }

  get labels() {
    return this.seg.labels;
  }

  /** The landmarks in force (for trajectory planning). */
  get currentAnatomy(): SacralAnatomy | null {
    return this.anatomy;
  }

  /** The sacrum bone mask of the last detection, on the volume's grid, or null. */
  get currentSacrumMask(): Uint8Array | null {
    return this.sacrumMask;
  }

  /** Bumped by every command that changes labels or landmarks (planning caches key on it). */
  version = 0;

  run(cmd: CaseCommand): CaseResult {
    let base: SegResult;
    let which: number[];
    let zoneMapChanged = false;
    let detection: { anatomy: SacralAnatomy; messages: string[] } | null = null;
    if (cmd.type === 'setAnatomy' || cmd.type === 'classify' || cmd.type === 'detectAnatomy') {
      const t0 = nowMs();
      let next: SacralAnatomy | null | undefined;
      if (cmd.type === 'detectAnatomy') {
        const d = detectSacralAnatomy(this.volume);
        this.sacrumMask = d.sacrumMask;
        next = mergeAnatomy(this.anatomy, d.anatomy);
        detection = { anatomy: next, messages: d.diagnostics.messages };
      } else if (cmd.type === 'setAnatomy') next = cmd.anatomy;
      if (next !== undefined) {
        this.anatomy = next;
        this.model = next ? buildZoneModel(next) : null;
        if (this.zoneMapData) {
          if (this.model && this.anatomy) buildZoneMap(this.volume.geometry, this.anatomy, this.sacrumMask, { out: this.zoneMapData });
          else this.zoneMapData.fill(0);
          zoneMapChanged = true;
        }
      }
      base = { affected: [], stats: {}, changedVoxels: 0, ...this.seg.undoState(), commandMs: nowMs() - t0, statsMs: 0 };
      which = this.labels.labelsInUse().filter((l) => l !== 0);
    } else {
      base = this.seg.run(cmd);
      which = Object.keys(base.stats).map(Number);
    }
    if (base.changedVoxels > 0 || cmd.type === 'setAnatomy' || cmd.type === 'detectAnatomy') this.version++;
    const t1 = nowMs();
    const zones: Record<number, LesionZoneResult | null> = {};
    for (const l of which) zones[l] = this.model && this.anatomy && this.labels.count(l) > 0 ? classifyLesion(this.labels, l, this.anatomy, this.model) : null;
    const zoneProblem = this.anatomy ? zoneModelProblem(this.anatomy) : 'no sacral landmarks yet (run the anatomy step)';
    return { ...base, zones, zoneProblem, zoneMapChanged, classifyMs: nowMs() - t1, ...(detection ? { anatomy: detection.anatomy, detectionMessages: detection.messages } : {}) };
  }
}
