/**
 * DICOM SEG round trip (io/seg): lesions written and read back voxel-exact on an oblique grid with
 * reversed slice order, refused on another frame of reference or grid; the file passes dciodvfy
 * (dicom3tools) and pydicom reads it.
 */
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { VolumeGeometry } from '../../../src/core/geometry';
import { encodeSeg, readSeg, segOntoGrid, SegImportError, type SegSource } from '../../../src/io/seg';
import { PYTHON, isCI } from '../../helpers/shared';

/** Oblique (rotated 20° about z, then 15° about x) with the k-axis opposite to row × column (reversed slice order), anisotropic spacing. */
function obliqueGrid(): VolumeGeometry {
  const a = (20 * Math.PI) / 180, b = (15 * Math.PI) / 180;
  const rz = (v: number[]) => [Math.cos(a) * v[0]! - Math.sin(a) * v[1]!, Math.sin(a) * v[0]! + Math.cos(a) * v[1]!, v[2]!];
  const rx = (v: number[]) => [v[0]!, Math.cos(b) * v[1]! - Math.sin(b) * v[2]!, Math.sin(b) * v[1]! + Math.cos(b) * v[2]!];
  const i = rx(rz([1, 0, 0])), j = rx(rz([0, 1, 0])), n = rx(rz([0, 0, 1]));
  return new VolumeGeometry({ dims: [36, 28, 20], spacingMm: [0.7, 0.8, 2.5], originLps: [-31.25, 12.5, 140.3], directionCosines: [...i, ...j, -n[0]!, -n[1]!, -n[2]!] });
}

function labelsOn(g: VolumeGeometry): Uint8Array {
  const [ni, nj, nk] = g.dims;
  const l = new Uint8Array(g.voxelCount);
  for (let k = 0; k < nk; k++) for (let j = 0; j < nj; j++) for (let i = 0; i < ni; i++) {
    const o = g.offset(i, j, k);
    if ((i - 10) ** 2 + (j - 9) ** 2 + ((k - 6) * 3) ** 2 <= 36) l[o] = 3;
    else if (i >= 20 && i < 31 && j >= 14 && j < 25 && k >= 9 && k < 17) l[o] = 7;
  }
  l[g.offset(35, 27, 19)] = 3; // a lone voxel in the last corner of the grid
  return l;
}

const FOR = '1.2.826.0.1.3680043.8.498.1';
const source = (g: VolumeGeometry, withRefs: boolean): SegSource => ({
  frameOfReferenceUid: FOR, studyInstanceUid: '1.2.826.0.1.3680043.8.498.2', patientName: 'Test^Patient', patientId: 'P1', studyDate: '20260101', studyDescription: 'pelvis',
  series: withRefs ? { seriesInstanceUid: '1.2.826.0.1.3680043.8.498.3', sliceInstances: Array.from({ length: g.dims[2] }, (_, k) => ({ sopClassUid: '1.2.840.10008.5.1.4.1.1.2', sopInstanceUid: `1.2.826.0.1.3680043.8.498.4.${k + 1}` })) } : null,
});
const segments = [
  { label: 3, name: 'Läsion S1 links', color: '#ff5252', algorithmType: 'SEMIAUTOMATIC' as const },
  { label: 7, name: 'Lesion 2', color: '#40c4ff', algorithmType: 'MANUAL' as const },
  { label: 9, name: 'empty', color: '#e0e0e0', algorithmType: 'MANUAL' as const },
];

function rebuild(g: VolumeGeometry, segs: ReturnType<typeof segOntoGrid>, labelOf: (n: number) => number): Uint8Array {
  const out = new Uint8Array(g.voxelCount);
  for (const s of segs) for (const o of s.offsets) out[o] = labelOf(s.number);
  return out;
}

describe('DICOM SEG export/import', () => {
  it('round trip is voxel-exact on an oblique grid with reversed slice order; names, colours, algorithm types kept; empty lesions left out', () => {
    const g = obliqueGrid();
    const labels = labelsOn(g);
    const res = encodeSeg(labels, g, segments, source(g, true));
    expect(res.emptyNames).toEqual(['empty']);
    expect(res.written.map((w) => w.name)).toEqual(['Läsion S1 links', 'Lesion 2']);
    const seg = readSeg(res.bytes);
    expect(seg.frameOfReferenceUid).toBe(FOR);
    expect(seg.referencedSeriesUids).toEqual(['1.2.826.0.1.3680043.8.498.3']);
    expect(seg.segments.map((s) => [s.label, s.algorithmType, s.type, s.color])).toEqual([
      ['Läsion S1 links', 'SEMIAUTOMATIC', 'Neoplasm, metastatic', '#ff5252'],
      ['Lesion 2', 'MANUAL', 'Neoplasm, metastatic', '#40c4ff'],
    ]);
    const onGrid = segOntoGrid(seg, g, FOR);
    const back = rebuild(g, onGrid, (n) => (n === 1 ? 3 : 7));
    let diff = 0;
    for (let o = 0; o < labels.length; o++) if (back[o] !== labels[o]) diff++;
    expect(diff).toBe(0);
    expect(onGrid.map((s) => s.overlapVoxels)).toEqual([0, 0]);
  });

  it('refuses a SEG of another frame of reference, another grid or orientation, with the reason', () => {
    const g = obliqueGrid();
    const seg = readSeg(encodeSeg(labelsOn(g), g, segments, source(g, false)).bytes);
    expect(() => segOntoGrid(seg, g, '1.2.3.4')).toThrow(/frame of reference \(1\.2\.826\.0\.1\.3680043\.8\.498\.1\) is not that of the open series \(1\.2\.3\.4\)/);
    const shifted = new VolumeGeometry({ ...g.toJSON(), originLps: [g.originLps[0] + 0.3, g.originLps[1], g.originLps[2]] });
    expect(() => segOntoGrid(seg, shifted, FOR)).toThrow(/between the open series' voxels/);
    const axial = new VolumeGeometry({ ...g.toJSON(), directionCosines: [1, 0, 0, 0, 1, 0, 0, 0, 1] });
    expect(() => segOntoGrid(seg, axial, FOR)).toThrow(SegImportError);
    expect(() => segOntoGrid(seg, axial, FOR)).toThrow(/orientation/);
    const shorter = new VolumeGeometry({ ...g.toJSON(), dims: [36, 28, 10] });
    expect(() => segOntoGrid(seg, shorter, FOR)).toThrow(/outside the open series/);
  });

  it('refuses what is not a SEG', () => {
    expect(() => readSeg(new Uint8Array(300))).toThrow(SegImportError);
  });

  it('dciodvfy (dicom3tools) reports no errors; pydicom reads segments, frames and positions', () => {
    const g = obliqueGrid();
    const labels = labelsOn(g);
    const dir = mkdtempSync(join(tmpdir(), 'sp-seg-'));
    const path = join(dir, 'seg.dcm');
    writeFileSync(path, encodeSeg(labels, g, segments, source(g, true)).bytes);
    const dciodvfy = ['/usr/bin/dciodvfy', '/usr/local/bin/dciodvfy'].find((p) => existsSync(p));
    if (!dciodvfy) {
      if (isCI) throw new Error('CI=true but dciodvfy (apt-get install dicom3tools) is missing');
      console.warn('[skip] dciodvfy not installed (apt-get install dicom3tools): SEG not validated');
    } else {
      let out = '';
      try {
        out = execFileSync(dciodvfy, [path], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      } catch (e) {
        const x = e as { stdout?: string; stderr?: string };
        out = `${x.stdout ?? ''}${x.stderr ?? ''}`;
      }
      out ||= execFileSync('sh', ['-c', `${dciodvfy} '${path}' 2>&1 || true`], { encoding: 'utf8' });
      const errors = out.split('\n').filter((l) => /^Error/.test(l));
      expect(errors, out).toEqual([]);
      expect(out).toMatch(/Segmentation/);
    }
    const py = `
import pydicom, sys
d = pydicom.dcmread(sys.argv[1])
a = d.pixel_array
print(d.SegmentationType, len(d.SegmentSequence), d.NumberOfFrames, a.shape, int(a.sum()))
print('|'.join(s.SegmentLabel for s in d.SegmentSequence))
print(d.PerFrameFunctionalGroupsSequence[0].PlanePositionSequence[0].ImagePositionPatient)
`;
    let out: string;
    try {
      out = execFileSync(PYTHON, ['-c', py, path], { encoding: 'utf8' });
    } catch (e) {
      if (isCI) throw e;
      console.warn(`[skip] ${PYTHON} with pydicom unavailable: ${(e as Error).message.split('\n')[0]}`);
      return;
    }
    const lines = out.trim().split('\n');
    let count = 0;
    for (const v of labels) if (v === 3 || v === 7) count++;
    const seg = readSeg(encodeSeg(labels, g, segments, source(g, true)).bytes);
    expect(lines[0]).toBe(`BINARY 2 ${seg.frames.length} (${seg.frames.length}, 28, 36) ${count}`);
    expect(lines[1]).toBe('Läsion S1 links|Lesion 2');
    const p0 = seg.frames[0]!.ippLps;
    const pyIpp = lines[2]!.replace(/[[\]]/g, '').split(',').map(Number);
    pyIpp.forEach((v, c) => expect(v).toBeCloseTo(p0[c]!, 6));
  });
});
