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

/**
 * How far a truth lesion's zone is from changing (mm), from its zone_margins_mm: a zone-1 lesion's distance
 * lateral to the lateral border; a zone-2 lesion's nearer of its distance to the medial border and its
 * depth past the lateral border; a zone-3 lesion's depth medial to the medial border.
 */
export function truthZoneMarginMm(les: any): number {
  const m = les.zone_margins_mm;
  if (les.denis_zone === 1) return m.min_abs_x_minus_lateral_border;
  if (les.denis_zone === 2) return Math.min(m.min_abs_x_minus_medial_border, -m.min_abs_x_minus_lateral_border);
  return -m.min_abs_x_minus_medial_border;
}
