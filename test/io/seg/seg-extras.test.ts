/**
 * The optional segments of the SEG: on the default phantom (its case engine after landmark
 * detection and one grown lesion), the lesion, the sacrum mask (SCT Anatomical Structure / Sacrum)
 * and the Denis zones 1–3 (SCT Spatial and Relational Concept / the private 99SACROPLAN codes,
 * declared in the Coding Scheme Identification Sequence) in one SEG: dciodvfy reports no errors,
 * pydicom reads the five coded segments, and each segment re-imports voxel-exact onto its map.
 */
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { requireShared, ensurePhantom, readTruth, PYTHON, isCI } from '../../helpers/shared';
import { loadDicomSeries, pickDefaultSeries, scanDicomFiles } from '../../../src/io/dicom';
import { encodeSeg, readSeg, segOntoGrid, type SegSegmentIn } from '../../../src/io/seg';
import { CATEGORY_ANATOMICAL_STRUCTURE, TYPE_SACRUM, CATEGORY_SPATIAL, TYPE_DENIS_ZONE } from '../../../src/io/seg/codes';
import { CaseEngine } from '../../../src/case/engine';
import { answerRequest } from '../../../src/case/protocol';

const ok = requireShared(true);
const dciodvfy = ['/usr/bin/dciodvfy', '/usr/local/bin/dciodvfy'].find((p) => existsSync(p));

describe.skipIf(!ok)('DICOM SEG with the sacrum mask and the Denis zones', () => {
  it('default phantom: lesion + sacrum + zones 1–3, coded; dciodvfy clean; pydicom reads them; each voxel-exact', async () => {
    const ph = ensurePhantom('default.json');
    const dir = join(ph, 'dicom');
    const scan = await scanDicomFiles(readdirSync(dir).map((n) => new File([readFileSync(join(dir, n))], n)));
    const key = pickDefaultSeries(scan)!;
    const info = scan.series.find((s) => s.key === key)!;
    const loaded = await loadDicomSeries(scan, key);
    const g = loaded.volume.geometry;
    const engine = new CaseEngine(loaded.volume);
    answerRequest(engine, { type: 'command', cmd: { type: 'detectAnatomy' } });
    answerRequest(engine, { type: 'command', cmd: { type: 'growLesion', seedLps: readTruth(ph).lesions[0].center_lps } });
    const view = answerRequest(engine, { type: 'refresh' }).view;
    const lesion = view.lesions[0]!;
    const sacrum = answerRequest(engine, { type: 'sacrumMask' })!;
    expect(sacrum).not.toBeNull();
    const zones = engine.zoneMap.slice();
    const segments: SegSegmentIn[] = [
      { label: lesion.label, name: 'L1', color: '#ff5252', algorithmType: 'SEMIAUTOMATIC' },
      { label: 1, name: 'Sacrum', color: '#e8dcc0', algorithmType: 'AUTOMATIC', map: sacrum, category: CATEGORY_ANATOMICAL_STRUCTURE, type: TYPE_SACRUM },
      ...([1, 2, 3] as const).map((z) => ({ label: z, name: `Denis zone ${z}`, color: '#4caf50', algorithmType: 'SEMIAUTOMATIC' as const, map: zones, category: CATEGORY_SPATIAL, type: TYPE_DENIS_ZONE[z] })),
    ];
    const res = encodeSeg(engine.labels.data, g, segments, {
      frameOfReferenceUid: info.frameOfReferenceUid!, studyInstanceUid: info.studyInstanceUid!, patientName: info.patientName, patientId: info.patientId, studyDate: info.studyDate, studyDescription: info.studyDescription, study: info.studyAttributes!,
      series: { seriesInstanceUid: info.seriesInstanceUid, sliceInstances: info.sliceInstances! },
    }, { contentLabel: 'SACROPLAN' });
    expect(res.written.map((w) => w.name)).toEqual(['L1', 'Sacrum', 'Denis zone 1', 'Denis zone 2', 'Denis zone 3']);

    // each segment back onto the grid equals its map (segOntoGrid gives a voxel claimed twice to the first segment: lesion, then sacrum, then zones)
    const back = segOntoGrid(readSeg(res.bytes), g, info.frameOfReferenceUid!);
    const maps = [engine.labels.data, sacrum, zones, zones, zones];
    const claimed = new Uint8Array(g.voxelCount);
    let overlaps = 0;
    for (const [n, s] of back.entries()) {
      const want = segments[n]!;
      const got = new Uint8Array(g.voxelCount);
      for (const o of s.offsets) got[o] = 1;
      let diff = 0, count = 0, twice = 0;
      for (let o = 0; o < got.length; o++) {
        const inSeg = maps[n]![o] === want.label ? 1 : 0;
        count += inSeg;
        if (inSeg && claimed[o]) twice++;
        if (got[o] !== (inSeg && !claimed[o] ? 1 : 0)) diff++;
      }
      for (const o of s.offsets) claimed[o] = 1;
      expect(diff, s.name).toBe(0);
      expect(s.overlapVoxels, s.name).toBe(twice);
      expect(count, s.name).toBeGreaterThan(100);
      overlaps += twice;
    }
    // the lesion lies in the sacrum and in a zone: readers see both segments there
    expect(overlaps).toBeGreaterThan(0);

    const path = join(mkdtempSync(join(tmpdir(), 'sp-seg-extras-')), 'seg.dcm');
    writeFileSync(path, res.bytes);
    if (dciodvfy) {
      const out = execFileSync('sh', ['-c', `'${dciodvfy}' '${path}' 2>&1 || true`], { encoding: 'utf8' });
      expect(out.split('\n').filter((l) => /^Error/.test(l)), out).toEqual([]);
    } else if (isCI) throw new Error('CI=true but dciodvfy (dicom3tools) is missing');
    else console.warn('[skip] dciodvfy not installed (apt-get install dicom3tools)');
    const py = `
import pydicom, sys, json
seg = pydicom.dcmread(sys.argv[1])
out = {'segments': [[s.SegmentLabel, s.SegmentedPropertyCategoryCodeSequence[0].CodeValue, s.SegmentedPropertyTypeCodeSequence[0].CodingSchemeDesignator, s.SegmentedPropertyTypeCodeSequence[0].CodeValue, s.SegmentAlgorithmType] for s in seg.SegmentSequence],
       'schemes': [c.CodingSchemeDesignator for c in seg.CodingSchemeIdentificationSequence], 'frames': int(seg.NumberOfFrames)}
print(json.dumps(out))
`;
    const r = JSON.parse(execFileSync(PYTHON, ['-c', py, path], { encoding: 'utf8' }));
    expect(r.segments).toEqual([
      ['L1', '49755003', 'SCT', '14799000', 'SEMIAUTOMATIC'],
      ['Sacrum', '123037004', 'SCT', '54735007', 'AUTOMATIC'],
      ['Denis zone 1', '309825002', '99SACROPLAN', 'DENIS-1', 'SEMIAUTOMATIC'],
      ['Denis zone 2', '309825002', '99SACROPLAN', 'DENIS-2', 'SEMIAUTOMATIC'],
      ['Denis zone 3', '309825002', '99SACROPLAN', 'DENIS-3', 'SEMIAUTOMATIC'],
    ]);
    expect(r.schemes).toEqual(['99SACROPLAN']);
    expect(r.frames).toBe(res.written.reduce((a, w) => a + w.frames, 0));
  }, 120_000);
});
