import { describe, expect, it } from 'vitest';
import { studyQuery, studyRows, seriesRows, instanceUids, stowOutcome, isoDate } from '../../../src/io/dicomweb/qido';

describe('QIDO-RS queries from the search form', () => {
  it('wraps a name in wildcards, keeps explicit ones, makes a date range and an upper-case modality', () => {
    const q = studyQuery({ patientName: ' doe ', dateFrom: '2024-01-01', dateTo: '20240131', modality: 'ct' });
    expect(q).toMatchObject({ PatientName: '*doe*', StudyDate: '20240101-20240131', ModalitiesInStudy: 'CT', limit: '100' });
    expect(studyQuery({ patientName: 'DOE^J*' }).PatientName).toBe('DOE^J*');
    expect(studyQuery({ dateFrom: '2024-01-01' }).StudyDate).toBe('20240101-');
    expect(studyQuery({ dateTo: '2024-01-01' }).StudyDate).toBe('-20240101');
    expect(studyQuery({ dateFrom: '2024-01-01', dateTo: '2024-01-01' }).StudyDate).toBe('20240101');
    expect(studyQuery({})).not.toHaveProperty('PatientName');
    expect(studyQuery({}).includefield).toContain('00081030');
  });

  it('refuses what is not a date, an empty range and a malformed modality, in words', () => {
    expect(() => studyQuery({ dateFrom: '1/2/2024' })).toThrow(/From "1\/2\/2024" is not a date/);
    expect(() => studyQuery({ dateFrom: '2024-02-01', dateTo: '2024-01-01' })).toThrow(/date range is empty/);
    expect(() => studyQuery({ modality: 'C T' })).toThrow(/not a DICOM modality code/);
  });
});

describe('QIDO-RS answers as rows', () => {
  const study = (uid: string, date: string, name: string) => ({
    '0020000D': { vr: 'UI', Value: [uid] },
    '00080020': { vr: 'DA', Value: [date] },
    '00100010': { vr: 'PN', Value: [{ Alphabetic: name }] },
    '00100020': { vr: 'LO', Value: ['ID1'] },
    '00080061': { vr: 'CS', Value: ['CT', 'SEG'] },
    '00201206': { vr: 'IS', Value: [2] },
  });

  it('reads studies (person names, dates, counts), newest first; skips rows without a UID', () => {
    const rows = studyRows([study('1.2', '20230105', 'B^X'), study('1.3', '20240101', 'A^Y'), { '00100010': { vr: 'PN' } }]);
    expect(rows.map((r) => r.studyUid)).toEqual(['1.3', '1.2']);
    expect(rows[0]).toMatchObject({ patientName: 'A^Y', patientId: 'ID1', studyDate: '2024-01-01', modalities: ['CT', 'SEG'], seriesCount: 2, instanceCount: null, description: '' });
  });

  it('reads series in series-number order and instances in instance-number order', () => {
    const s = seriesRows([
      { '0020000E': { Value: ['9.2'] }, '00080060': { Value: ['SEG'] }, '00200011': { Value: [100] } },
      { '0020000E': { Value: ['9.1'] }, '00080060': { Value: ['CT'] }, '00200011': { Value: [2] }, '00201209': { Value: [300] }, '0008103E': { Value: ['AX'] } },
    ], '1.2');
    expect(s.map((r) => [r.seriesUid, r.modality, r.instanceCount])).toEqual([['9.1', 'CT', 300], ['9.2', 'SEG', null]]);
    expect(instanceUids([{ '00080018': { Value: ['b'] }, '00200013': { Value: [2] } }, { '00080018': { Value: ['a'] }, '00200013': { Value: [1] } }])).toEqual(['a', 'b']);
  });

  it('refuses answers that are not DICOM JSON lists', () => {
    expect(() => studyRows({ error: 'x' })).toThrow(/not a DICOM JSON list/);
    expect(() => seriesRows('html', '1')).toThrow(/not a DICOM JSON list/);
  });

  it('reads a STOW-RS answer: stored and failed SOP instances', () => {
    const ans = {
      '00081199': { Value: [{ '00081155': { Value: ['1.2.3'] } }] },
      '00081198': { Value: [{ '00081155': { Value: ['1.2.4'] }, '00081197': { Value: [272] } }] },
    };
    expect(stowOutcome(ans)).toEqual({ stored: ['1.2.3'], failed: [{ sopInstanceUid: '1.2.4', reason: 272 }] });
    expect(stowOutcome([ans]).stored).toEqual(['1.2.3']);
    expect(isoDate('20240131')).toBe('2024-01-31');
  });
});
