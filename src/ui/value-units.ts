import { isHounsfield, type ValueSource } from '../core/hounsfield';

export { isHounsfield, type ValueSource };

/** The unit label of a lesion's value statistics: 'HU' on CT, 'signal (a.u.)' otherwise. */
export function lesionValueLabel(src: ValueSource | null | undefined): string {
  return isHounsfield(src) ? 'HU' : 'signal (a.u.)';
}

/** The statistics row's text: mean ± SD (min … max), one decimal for mean and SD. */
export function lesionValueText(s: { meanHu: number; sdHu: number | null; minHu: number | null; maxHu: number | null }): string {
  return `mean ${s.meanHu.toFixed(1)} ± ${(s.sdHu ?? 0).toFixed(1)} (${s.minHu} … ${s.maxHu})`;
}
