import { describe, expect, it } from 'vitest';
import { isHounsfield, lesionValueLabel, lesionValueText } from '../../src/ui/value-units';

describe('lesion value units', () => {
  it('CT with HU values reads HU', () => {
    expect(isHounsfield({ modality: 'CT', valueUnits: 'HU' })).toBe(true);
    expect(lesionValueLabel({ modality: 'CT', valueUnits: 'HU' })).toBe('HU');
  });
  it('MR reads signal (a.u.), never HU, whatever the units field says', () => {
    for (const src of [{ modality: 'MR', valueUnits: 'raw' as const }, { modality: 'MR', valueUnits: 'HU' as const }, { modality: ' mr ', valueUnits: 'raw' as const }]) {
      expect(lesionValueLabel(src)).toBe('signal (a.u.)');
      expect(lesionValueLabel(src)).not.toMatch(/HU/);
    }
  });
  it('values without Hounsfield units (raw CT, other modalities, nothing loaded) read signal (a.u.)', () => {
    expect(lesionValueLabel({ modality: 'CT', valueUnits: 'raw' })).toBe('signal (a.u.)');
    expect(lesionValueLabel({ modality: 'PT', valueUnits: 'raw' })).toBe('signal (a.u.)');
    expect(lesionValueLabel(null)).toBe('signal (a.u.)');
  });
  it('the row text carries no unit of its own', () => {
    const t = lesionValueText({ meanHu: 412.34, sdHu: 55.55, minHu: 300, maxHu: 600 });
    expect(t).toBe('mean 412.3 ± 55.5 (300 … 600)');
    expect(t).not.toMatch(/HU/);
  });
});
