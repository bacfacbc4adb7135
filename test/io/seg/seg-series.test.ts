/**
 * DICOM SEG of lesions on real DICOM series loaded by the app's loader: the hard phantom (oblique,
 * reversed slice order) and a real CT (../shared/data/real-pelvis/pelvic-ref-003). dciodvfy reports
 * no errors; pydicom reads it and every frame's source reference is the instance at that frame's
 * position; the re-import is voxel-exact.
 */
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { requireShared, ensurePhantom, sharedDir, PYTHON, isCI } from '../../helpers/shared';
import { loadDicomSeries, pickDefaultSeries, scanDicomFiles } from '../../../src/io/dicom';
import { encodeSeg, readSeg, segOntoGrid } from '../../../src/io/seg';

const ok = requireShared(true);
const dciodvfy = ['/usr/bin/dciodvfy', '/usr/local/bin/dciodvfy'].find((p) => existsSync(p));

async function check(dir: string): Promise<void> {
  const names = readdirSync(dir).filter((n) => !n.startsWith('.'));
  const scan = await scanDicomFiles(names.map((n) => new File([readFileSync(join(dir, n))], n)));
  const key = pickDefaultSeries(scan)!;
  const info = scan.series.find((s) => s.key === key)!;
  const loaded = await loadDicomSeries(scan, key);
  const g = loaded.volume.geometry;
  const [ni, nj, nk] = g.dims;
  // two lesions: a ball around the grid centre and a box near a corner (labels 1 and 4)
  const labels = new Uint8Array(g.voxelCount);
  const ci = ni >> 1, cj = nj >> 1, ck = nk >> 1;
  for (let k = 0; k < nk; k++) for (let j = 0; j < nj; j++) for (let i = 0; i < ni; i++) {
    if ((i - ci) ** 2 + (j - cj) ** 2 + ((k - ck) * 2) ** 2 <= 144) labels[g.offset(i, j, k)] = 1;
    else if (i > ni * 0.2 && i < ni * 0.3 && j > nj * 0.6 && j < nj * 0.7 && k >= 1 && k <= Math.min(nk - 1, 6)) labels[g.offset(i, j, k)] = 4;
  }
  const res = encodeSeg(labels, g, [{ label: 1, name: 'ball', color: '#ff5252', algorithmType: 'SEMIAUTOMATIC' }, { label: 4, name: 'box', color: '#40c4ff', algorithmType: 'MANUAL' }], {
    frameOfReferenceUid: info.frameOfReferenceUid!, studyInstanceUid: info.studyInstanceUid!, patientName: info.patientName, patientId: info.patientId, studyDate: info.studyDate, studyDescription: info.studyDescription, study: info.studyAttributes!,
    series: { seriesInstanceUid: info.seriesInstanceUid, sliceInstances: info.sliceInstances! },
  });
  const back = segOntoGrid(readSeg(res.bytes), g, info.frameOfReferenceUid!);
  const rebuilt = new Uint8Array(g.voxelCount);
  for (const s of back) for (const o of s.offsets) rebuilt[o] = s.number === 1 ? 1 : 4;
  let diff = 0, count = 0;
  for (let o = 0; o < labels.length; o++) { if (rebuilt[o] !== labels[o]) diff++; if (labels[o]) count++; }
  expect(diff).toBe(0);
  expect(count).toBeGreaterThan(100);

  const path = join(mkdtempSync(join(tmpdir(), 'sp-seg-series-')), 'seg.dcm');
  writeFileSync(path, res.bytes);
  if (dciodvfy) {
    const out = execFileSync('sh', ['-c', `'${dciodvfy}' '${path}' 2>&1 || true`], { encoding: 'utf8' });
    expect(out.split('\n').filter((l) => /^Error/.test(l)), out).toEqual([]);
  } else if (isCI) throw new Error('CI=true but dciodvfy (dicom3tools) is missing');
  else console.warn('[skip] dciodvfy not installed (apt-get install dicom3tools)');
  const py = `
import pydicom, sys, os
seg = pydicom.dcmread(sys.argv[1])
ipp = {}
for n in os.listdir(sys.argv[2]):
    d = pydicom.dcmread(os.path.join(sys.argv[2], n), stop_before_pixels=True)
    ipp[d.SOPInstanceUID] = [float(x) for x in d.ImagePositionPatient]
worst = 0.0
for f in seg.PerFrameFunctionalGroupsSequence:
    ref = f.DerivationImageSequence[0].SourceImageSequence[0].ReferencedSOPInstanceUID
    p = [float(x) for x in f.PlanePositionSequence[0].ImagePositionPatient]
    worst = max(worst, max(abs(a - b) for a, b in zip(p, ipp[ref])))
src = pydicom.dcmread(os.path.join(sys.argv[2], os.listdir(sys.argv[2])[0]), stop_before_pixels=True)
for k in ['StudyTime', 'StudyID', 'AccessionNumber', 'PatientBirthDate', 'PatientSex', 'PatientID', 'StudyInstanceUID']:
    assert str(seg.get(k, '')) == str(src.get(k, '')), (k, seg.get(k), src.get(k))
print(int(seg.pixel_array.sum()), seg.ReferencedSeriesSequence[0].SeriesInstanceUID, len(seg.ReferencedSeriesSequence[0].ReferencedInstanceSequence), worst)
`;
  const [sum, seriesUid, nRefs, worst] = execFileSync(PYTHON, ['-c', py, path, dir], { encoding: 'utf8' }).trim().split(' ');
  expect(Number(sum)).toBe(count);
  expect(seriesUid).toBe(info.seriesInstanceUid);
  expect(Number(nRefs)).toBe(nk);
  expect(Number(worst)).toBeLessThan(1e-3);
}

describe.skipIf(!ok)('DICOM SEG on loaded DICOM series', () => {
  it('hard phantom (oblique, reversed slice order): dciodvfy clean, references by position, voxel-exact', async () => {
    await check(join(ensurePhantom('hard.json'), 'dicom'));
  }, 120_000);
  it('real CT (pelvic-ref-003, 145 slices): dciodvfy clean, references by position, voxel-exact', async () => {
    await check(join(sharedDir, 'data', 'real-pelvis', 'pelvic-ref-003', 'dicom'));
  }, 120_000);
});
