/**
 * DICOM SEG import against third-party files: highdicom's SEG of the pydicom test CT
 * (../shared/data/dicom-loader-zoo/dicomdir/seg-of-77654033-CT2) onto that CT, voxel-exact against
 * pydicom's reading; its overlap twin (frames on a slice the loader refuses) refused with where; then
 * the segments as lesions through the case command (one undo step).
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { requireShared, sharedDir, PYTHON } from '../../helpers/shared';
import { loadDicomSeries, scanDicomFiles } from '../../../src/io/dicom';
import { readSeg, segOntoGrid } from '../../../src/io/seg';
import { CaseEngine } from '../../../src/case/engine';

const ok = requireShared(true);
const dir = join(sharedDir, 'data', 'dicom-loader-zoo', 'dicomdir');
// CT2's four slices are not one regular stack (a 202.5 mm jump before 1.25 mm steps; the loader
// refuses it as non-uniform): the SEG covers the three regular slices, which are loaded here.
const CT = ['17136', '17166', '17196'];

describe.skipIf(!ok)('DICOM SEG import: highdicom SEG onto its CT (dicom-loader-zoo)', () => {
  it('the SEG lands on the CT voxels pydicom says, voxel-exact; its overlap twin is refused with where; lesions in one undo step', async () => {
    const files = CT.map((n) => new File([readFileSync(join(dir, '77654033', 'CT2', n))], n));
    const scan = await scanDicomFiles(files);
    const info = scan.series[0]!;
    expect(info.loadable, info.blockedReason).toBe(true);
    const loaded = await loadDicomSeries(scan, info.key);
    const g = loaded.volume.geometry;
    expect(info.frameOfReferenceUid).toBe('1.3.6.1.4.1.5962.1.1.0.0.0.1196530851.28319.0.4');
    expect(info.sliceInstances?.map((r) => r?.sopInstanceUid.split('.').pop())).toEqual(['94', '95', '96']);

    // The overlap SEG also has frames on the fourth slice (z = -99.48 mm), which is not loaded: refused, with where.
    const overlap = readSeg(new Uint8Array(readFileSync(join(dir, 'seg-of-77654033-CT2', 'seg_image_ct_binary_overlap.dcm'))));
    expect(overlap.segments.length).toBe(2);
    expect(() => segOntoGrid(overlap, g, info.frameOfReferenceUid!)).toThrow(/at \(-125\.00, -128\.10, -99\.48\) mm falls outside the open series/);

    for (const name of ['seg_image_ct_binary.dcm']) {
      const path = join(dir, 'seg-of-77654033-CT2', name);
      const seg = readSeg(new Uint8Array(readFileSync(path)));
      const onGrid = segOntoGrid(seg, g, info.frameOfReferenceUid!);
      // pydicom: for each segment, the LPS voxel centres of its set pixels (frame IPP + column·Δc·row dir + row·Δr·column dir).
      const py = `
import pydicom, sys, json
import numpy as np
d = pydicom.dcmread(sys.argv[1])
a = d.pixel_array.reshape((-1, d.Rows, d.Columns))
sh = d.SharedFunctionalGroupsSequence[0]
iop = [float(x) for x in sh.PlaneOrientationSequence[0].ImageOrientationPatient]
ps = [float(x) for x in sh.PixelMeasuresSequence[0].PixelSpacing]
out = {}
for f, fg in enumerate(d.PerFrameFunctionalGroupsSequence):
    ipp = np.array([float(x) for x in fg.PlanePositionSequence[0].ImagePositionPatient])
    s = int(fg.SegmentIdentificationSequence[0].ReferencedSegmentNumber)
    for r, c in zip(*np.nonzero(a[f])):
        p = ipp + c * ps[1] * np.array(iop[:3]) + r * ps[0] * np.array(iop[3:])
        out.setdefault(s, []).append([float(v) for v in p])
print(json.dumps({'labels': [x.SegmentLabel for x in d.SegmentSequence], 'points': out}))
`;
      const ref = JSON.parse(execFileSync(PYTHON, ['-c', py, path], { encoding: 'utf8' })) as { labels: string[]; points: Record<string, number[][]> };
      expect(onGrid.map((s) => s.name)).toEqual(ref.labels);
      // pydicom's points → the nearest voxel of the loaded grid (each must be on a voxel centre)
      const offsetOf = (p: number[]): number => {
        const ijk = g.lpsToIjk([0, 0, 0], [p[0]!, p[1]!, p[2]!]);
        for (const c of ijk) expect(Math.abs(c - Math.round(c))).toBeLessThan(1e-3);
        return g.offset(Math.round(ijk[0]), Math.round(ijk[1]), Math.round(ijk[2]));
      };
      const claimed = new Set<number>();
      for (const s of onGrid) {
        const mine = new Set(s.offsets);
        const theirs = (ref.points[String(s.number)] ?? []).map(offsetOf);
        // voxels of an earlier segment stay with it (one label per voxel)
        const expected = new Set(theirs.filter((k) => !claimed.has(k)));
        expect([...mine].sort((a, b) => a - b), `${name} segment ${s.number}`).toEqual([...expected].sort((a, b) => a - b));
        expect(mine.size).toBeGreaterThan(0);
        expect(s.overlapVoxels).toBe(theirs.length - expected.size);
        for (const k of theirs) claimed.add(k);
      }
    }

    // the SEG's segments as lesions: one command, one undo step
    const engine = new CaseEngine(loaded.volume);
    const seg = readSeg(new Uint8Array(readFileSync(join(dir, 'seg-of-77654033-CT2', 'seg_image_ct_binary.dcm'))));
    const onGrid = segOntoGrid(seg, g, info.frameOfReferenceUid!);
    const r = engine.run({ type: 'importLesions', lesions: onGrid.map((s) => ({ name: s.name, color: s.color, method: 'semiautomatic' as const, offsets: s.offsets })) });
    expect(r.view.lesions.map((l) => l.name)).toEqual(onGrid.map((s) => s.name));
    expect(r.info.imported!.map((x) => x.voxels)).toEqual(onGrid.map((s) => s.offsets.length));
    expect(r.view.lesions.map((l) => l.stats?.voxelCount ?? 0)).toEqual(onGrid.map((s) => s.offsets.length));
    const u = engine.undo();
    expect(u.view.lesions).toEqual([]);
    expect(engine.labels.labelsInUse().filter((l: number) => l)).toEqual([]);
  });
});
