"""One reader of a DICOM series folder for the Python test tools (implant.py, the fixtures' reformat.py).

Slices are ordered along the normal of ImageOrientationPatient (not by file name or InstanceNumber,
which real exports do not keep in order), the slice step is the mean step between the first and
last ImagePositionPatient, and values are rescaled to physical units (HU on CT).
"""
import glob
import os

import numpy as np


def read_dicom_series(path, dtype=np.float64, pattern='*'):
    """Returns (vol[k, j, i] in physical units, m: ijk -> LPS mm 4x4, the sorted datasets, slice step vector)."""
    import pydicom
    files = sorted(glob.glob(os.path.join(path, pattern)))
    ds = [pydicom.dcmread(f) for f in files]
    ds = [d for d in ds if 'ImagePositionPatient' in d]
    if not ds:
        raise SystemExit(f'{path}: no DICOM image with ImagePositionPatient')
    iop = np.array(ds[0].ImageOrientationPatient, float)
    r, c = iop[:3], iop[3:]
    n = np.cross(r, c)
    ds.sort(key=lambda d: float(np.dot(n, np.array(d.ImagePositionPatient, float))))
    ps = [float(v) for v in ds[0].PixelSpacing]  # row spacing, column spacing
    p0 = np.array(ds[0].ImagePositionPatient, float)
    p1 = np.array(ds[-1].ImagePositionPatient, float)
    dk = (p1 - p0) / max(1, len(ds) - 1)
    vol = np.stack([d.pixel_array.astype(dtype) * dtype(getattr(d, 'RescaleSlope', 1) or 1) + dtype(getattr(d, 'RescaleIntercept', 0) or 0) for d in ds])
    m = np.eye(4)
    m[:3, 0] = r * ps[1]
    m[:3, 1] = c * ps[0]
    m[:3, 2] = dk
    m[:3, 3] = p0
    return vol, m, ds, dk
