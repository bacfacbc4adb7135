import { describe, it, expect } from 'vitest';
import { scanPosition } from '../../src/planning/position';

describe('scan position against the prone procedure', () => {
  it('reads the DICOM codes: supine and feet-first scans are flagged, prone is not', () => {
    expect(scanPosition('HFS')).toMatchObject({ code: 'HFS', headFirst: true, posture: 'supine', label: 'head first, supine', differsFromProcedure: true });
    expect(scanPosition(' ffs ')).toMatchObject({ code: 'FFS', headFirst: false, posture: 'supine', label: 'feet first, supine', differsFromProcedure: true });
    expect(scanPosition('HFP')).toMatchObject({ posture: 'prone', differsFromProcedure: false });
    expect(scanPosition('FFP').note).toMatch(/Feet first/);
    expect(scanPosition('HFDL').label).toBe('head first, left side down (decubitus)');
    expect(scanPosition('HFS').note).toMatch(/procedure is prone\. C-arm angles are given for the patient prone/);
  });
  it('an absent or unknown code says so instead of guessing', () => {
    expect(scanPosition(null)).toMatchObject({ code: null, posture: null, label: 'position not recorded', differsFromProcedure: true });
    expect(scanPosition('XYZ').label).toBe('unknown position code "XYZ"');
  });
});
