/**
 * Independent oracle for pixel values: pydicom reads the series (sorted by IPP·N, rescaled) and writes
 * chosen slices as little endian float32. Used by the DICOM loader tests.
 */
import { execFileSync } from 'node:child_process';
import { PYTHON } from '../../helpers/shared';

const SCRIPT = `
import sys, os, numpy as np, pydicom
folder, ks = sys.argv[1], [int(x) for x in sys.argv[2].split(',')]
items = []
for fn in sorted(os.listdir(folder)):
    ds = pydicom.dcmread(os.path.join(folder, fn))
    iop = np.array([float(v) for v in ds.ImageOrientationPatient])
    n = np.cross(iop[:3], iop[3:])
    items.append((float(np.dot([float(v) for v in ds.ImagePositionPatient], n)), fn, ds))
items.sort(key=lambda t: t[0])
out = []
for k in ks:
    ds = items[k][2]
    a = ds.pixel_array.astype(np.float64) * float(getattr(ds, 'RescaleSlope', 1)) + float(getattr(ds, 'RescaleIntercept', 0))
    out.append(a.astype('<f4').tobytes())
sys.stdout.buffer.write(b''.join(out))
`;

/** Slices k (after sorting by IPP·N) of a single-series folder, rescaled, as Float32Array per slice. */
export function pydicomSlices(folder: string, ks: number[], sliceVoxels: number): Float32Array[] {
  const buf = execFileSync(PYTHON, ['-c', SCRIPT, folder, ks.join(',')], { maxBuffer: 1 << 30 });
  const all = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
  return ks.map((_, i) => all.slice(i * sliceVoxels, (i + 1) * sliceVoxels));
}

/** Pixels of one file (first frame), rescale NOT applied, as float64 values. */
const FILE_SCRIPT = `
import sys, numpy as np, pydicom
ds = pydicom.dcmread(sys.argv[1], force=True)
a = ds.pixel_array.astype('<f8')
sys.stdout.buffer.write(a.tobytes())
`;
export function pydicomRaw(path: string): Float64Array {
  const buf = execFileSync(PYTHON, ['-c', FILE_SCRIPT, path], { maxBuffer: 1 << 30 });
  return new Float64Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
}
