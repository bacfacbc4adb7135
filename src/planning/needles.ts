/**
 * Needle catalogue (pure). A needle is a capsule: its axis from the skin entry to the tip, with
 * radius outerDiameterMm / 2. Diameters follow the gauges of DOMAIN.md §1 (Stubs/Birmingham wire
 * gauge: 13 G 2.41 mm, 15 G 1.83 mm, 17 G 1.47 mm); lengths are the devices of the source study
 * (Tian et al., AJNR 2022;43:1222): 13 G 10 cm beveled Murphy bone needle, 15 G 13.8 cm Bard
 * TruGuide coaxial biopsy needle, and the 17 G UniBlate RF electrode (1–3 cm active tip) passed
 * coaxially through the bone needle. The electrode's usable length is that of the coaxial needle
 * it goes through [design: 138 mm].
 */
import type { Needle } from './types';

export const NEEDLE_CATALOGUE: readonly Needle[] = [
  { id: '13G-murphy-100', name: '13 G Murphy bone needle, 10 cm', gauge: 13, kind: 'bone-needle', outerDiameterMm: 2.41, workingLengthMm: 100, source: 'Tian 2022 (DOMAIN.md §1)' },
  { id: '15G-truguide-138', name: '15 G Bard TruGuide coaxial, 13.8 cm', gauge: 15, kind: 'coaxial', outerDiameterMm: 1.83, workingLengthMm: 138, source: 'Tian 2022 (DOMAIN.md §1)' },
  { id: '17G-rf-10', name: '17 G RF electrode, 1 cm active tip', gauge: 17, kind: 'rf-electrode', outerDiameterMm: 1.47, workingLengthMm: 138, activeTipMm: 10, source: 'UniBlate, Tian 2022 (DOMAIN.md §1, §4)' },
  { id: '17G-rf-20', name: '17 G RF electrode, 2 cm active tip', gauge: 17, kind: 'rf-electrode', outerDiameterMm: 1.47, workingLengthMm: 138, activeTipMm: 20, source: 'UniBlate, Tian 2022 (DOMAIN.md §1, §4)' },
  { id: '17G-rf-30', name: '17 G RF electrode, 3 cm active tip', gauge: 17, kind: 'rf-electrode', outerDiameterMm: 1.47, workingLengthMm: 138, activeTipMm: 30, source: 'UniBlate, Tian 2022 (DOMAIN.md §1, §4)' },
];

/** Default needle for planning: the longer of the study's bone-access needles. */
export const DEFAULT_NEEDLE_ID = '15G-truguide-138';

export function findNeedle(id: string, custom: readonly Needle[] = []): Needle | null {
  return NEEDLE_CATALOGUE.find((n) => n.id === id) ?? custom.find((n) => n.id === id) ?? null;
}

/** Outer diameter (mm) of a Stubs needle gauge 10–22 (standard table), or null. */
export function gaugeToOuterDiameterMm(gauge: number): number | null {
  const table: Record<number, number> = { 10: 3.4, 11: 3.05, 12: 2.77, 13: 2.41, 14: 2.11, 15: 1.83, 16: 1.65, 17: 1.47, 18: 1.27, 19: 1.07, 20: 0.91, 21: 0.82, 22: 0.72 };
  return table[gauge] ?? null;
}

/** Checks a user-defined needle; returns the problems (empty = valid). */
export function needleProblems(n: Partial<Needle>): string[] {
  const p: string[] = [];
  if (!n.name || !n.name.trim()) p.push('the needle needs a name');
  if (!(typeof n.outerDiameterMm === 'number' && n.outerDiameterMm > 0.2 && n.outerDiameterMm < 8)) p.push('outer diameter must be between 0.2 and 8 mm');
  if (!(typeof n.workingLengthMm === 'number' && n.workingLengthMm >= 20 && n.workingLengthMm <= 400)) p.push('working length must be between 20 and 400 mm');
  if (n.activeTipMm !== undefined && !(n.activeTipMm > 0 && n.activeTipMm <= 50)) p.push('active tip must be between 0 and 50 mm');
  return p;
}

/** Builds a user-defined needle (throws with the problems when invalid). */
export function customNeedle(init: { name: string; outerDiameterMm?: number; gauge?: number; workingLengthMm: number; activeTipMm?: number }): Needle {
  const od = init.outerDiameterMm ?? (init.gauge !== undefined ? gaugeToOuterDiameterMm(init.gauge) : null) ?? NaN;
  const n: Needle = {
    id: `custom-${init.name.trim().toLowerCase().replace(/[^a-z0-9]+/g, '-')}`,
    name: init.name.trim(), gauge: init.gauge ?? null, kind: init.activeTipMm ? 'rf-electrode' : 'custom',
    outerDiameterMm: od, workingLengthMm: init.workingLengthMm, source: 'user-defined',
    ...(init.activeTipMm ? { activeTipMm: init.activeTipMm } : {}),
  };
  const problems = needleProblems(n);
  if (problems.length) throw new Error(problems.join('; '));
  return n;
}
