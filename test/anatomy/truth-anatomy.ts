/** Landmarks exactly as the phantom's truth.json gives them (manual source, confidence 1). */
import type { Foramen, SacralAnatomy } from '../../src/anatomy/types';

export function anatomyFromTruth(truth: any): SacralAnatomy {
  const a = truth.anatomy;
  return {
    foramina: a.foramina.map((f: any): Foramen => ({
      id: f.id, level: f.level, side: f.side, anteriorLps: f.anterior_opening_lps, posteriorLps: f.posterior_opening_lps,
      radiusMm: f.radius_mm, confidence: 1, source: 'manual',
    })),
    canal: { centerlineLps: a.canal.centerline_lps, radiusMm: a.canal.radius_mm, confidence: 1, source: 'manual' },
    frame: { midlinePointLps: a.sacral_frame.anatomy_offset_lps, midlineNormalLps: [1, 0, 0], bodyCentersLps: a.levels.map((l: any) => l.body_center_lps) },
  };
}
