/**
 * Test-only phantom reader (until src/io/dicom lands): /usr/bin/python3 + pydicom sort the
 * slices by IPP·N and dump raw int16 HU once per phantom (cached next to the phantom under /tmp);
 * the geometry comes from truth.json's affine_ijk_to_lps (columns = axis × spacing).
 */
import { existsSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { VolumeGeometry } from '../../src/core/geometry';
import { type ScalarVolume, createScalarVolume } from '../../src/core/volume';
import { PYTHON, readTruth } from '../helpers/shared';

const DUMP = `
import sys, glob, json, numpy as np, pydicom
src, out = sys.argv[1], sys.argv[2]
ds = [pydicom.dcmread(f) for f in glob.glob(src + '/*.dcm')]
X = np.array(ds[0].ImageOrientationPatient[:3], float); Y = np.array(ds[0].ImageOrientationPatient[3:], float)
N = np.cross(X, Y)
ds.sort(key=lambda d: float(np.dot(np.array(d.ImagePositionPatient, float), N)))
vol = np.stack([d.pixel_array.astype(np.float64) * float(d.RescaleSlope) + float(d.RescaleIntercept) for d in ds])
np.round(vol).astype('<i2').tofile(out + '.tmp')
import os; os.replace(out + '.tmp', out)
`;

/** Loads a generated phantom folder as an HU ScalarVolume, plus its truth.json. */
export function loadPhantomVolume(dir: string): { volume: ScalarVolume; truth: any } {
  const truth = readTruth(dir);
  const raw = join(dir, 'hu-int16.raw');
  if (!existsSync(raw)) execFileSync(PYTHON, ['-c', DUMP, join(dir, 'dicom'), raw], { stdio: 'pipe', timeout: 300_000 });
  const buf = readFileSync(raw);
  const voxels = new Int16Array(buf.buffer, buf.byteOffset, buf.byteLength / 2).slice();
  const g = truth.geometry;
  const A: number[][] = g.affine_ijk_to_lps;
  const col = (c: number) => [A[0]![c]!, A[1]![c]!, A[2]![c]!];
  const spacing = [0, 1, 2].map((c) => Math.hypot(...col(c))) as [number, number, number];
  const dirs = [0, 1, 2].flatMap((c) => col(c).map((x) => x / spacing[c]!));
  const geometry = new VolumeGeometry({
    dims: [g.dims.columns, g.dims.rows, g.dims.slices],
    spacingMm: spacing,
    originLps: [A[0]![3]!, A[1]![3]!, A[2]![3]!],
    directionCosines: dirs,
  });
  return { volume: createScalarVolume(dir, geometry, voxels, 'HU', 'CT'), truth };
}
