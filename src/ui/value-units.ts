/**
 * How the panels name a scan's voxel values. Hounsfield units exist only on CT with the rescale
 * applied (core/volume.ts keeps MR and other modalities in raw units): MR signal intensity has no
 * absolute scale, so its statistics read as signal in arbitrary units, never as HU.
 */
export interface ValueSource {
  modality: string;
  valueUnits: 'HU' | 'raw';
}

/** True when the values are Hounsfield units: a CT whose values were rescaled to HU. */
export function isHounsfield(src: ValueSource | null | undefined): boolean {
  return !!src && src.valueUnits === 'HU' && src.modality.trim().toUpperCase() !== 'MR';
}

/** The unit label of a lesion's value statistics: 'HU' on CT, 'signal (a.u.)' otherwise. */
export function lesionValueLabel(src: ValueSource | null | undefined): string {
  return isHounsfield(src) ? 'HU' : 'signal (a.u.)';
}

/** The statistics row's text: mean ± SD (min … max), one decimal for mean and SD. */
export function lesionValueText(s: { meanHu: number; sdHu: number | null; minHu: number | null; maxHu: number | null }): string {
  return `mean ${s.meanHu.toFixed(1)} ± ${(s.sdHu ?? 0).toFixed(1)} (${s.minHu} … ${s.maxHu})`;
}
