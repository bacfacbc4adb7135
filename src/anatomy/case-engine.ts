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
import { nowMs } from '../core/clock';

export type CaseCommand =
  | SegCommand
  /** Replace the landmarks (null clears them); every lesion is re-classified. */
  | { type: 'setAnatomy'; anatomy: SacralAnatomy | null }
  | { type: 'classify' };

export interface CaseResult extends SegResult {
  /** Denis-zone results of the labels touched (all lesions after setAnatomy); null: no zone model or empty label. */
  zones: Record<number, LesionZoneResult | null>;
  /** Why lesions cannot be classified (missing landmarks), or null. */
  zoneProblem: string | null;
  /** setAnatomy: the zone map was rewritten (views redraw it). */
  zoneMapChanged: boolean;
  classifyMs: number;
}

export class CaseEngine {
  readonly seg: SegmentationEngine;
  private anatomy: SacralAnatomy | null = null;
  private model: ZoneModel | null = null;

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

  run(cmd: CaseCommand): CaseResult {
    let base: SegResult;
    let which: number[];
    let zoneMapChanged = false;
    if (cmd.type === 'setAnatomy' || cmd.type === 'classify') {
      const t0 = nowMs();
      if (cmd.type === 'setAnatomy') {
        this.anatomy = cmd.anatomy;
        this.model = cmd.anatomy ? buildZoneModel(cmd.anatomy) : null;
        if (this.zoneMapData) {
          if (this.model && this.anatomy) this.zoneMapData.set(buildZoneMap(this.volume.geometry, this.anatomy));
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
    const t1 = nowMs();
    const zones: Record<number, LesionZoneResult | null> = {};
    for (const l of which) zones[l] = this.model && this.anatomy && this.labels.count(l) > 0 ? classifyLesion(this.labels, l, this.anatomy, this.model) : null;
    const zoneProblem = this.anatomy ? zoneModelProblem(this.anatomy) : 'no sacral landmarks yet (run the anatomy step)';
    return { ...base, zones, zoneProblem, zoneMapChanged, classifyMs: nowMs() - t1 };
  }
}
