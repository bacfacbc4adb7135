#!/usr/bin/python3
"""Implant lesions of known shape and volume into the sacral marrow of a real scan (issue 13).

The real scans in ../shared/data have no lesions, so no tool can be measured on them against a truth. This
script writes a copy of a real series with lesions added the way a scanner would have seen them:

  * Shape: a star-shaped body in LPS millimetres: an ellipsoid (centre, semi-axes, rotation) whose radius along
    every direction is modulated by 1 + Σ b·(u·d)³ (a few smooth, lopsided bumps: real metastases are not
    ellipsoids). Truth volume = the exact continuous volume, abc · ∫ (1 + f(u))³/3 dΩ over the unit sphere,
    integrated by Gauss-Legendre × trapezoid quadrature (error < 1e-9 for this smooth integrand).
  * Partial volume: each voxel's fractional coverage f is the share of its footprint inside the lesion, sampled
    on a sub-grid (≤ 0.13 mm in plane, ≤ 0.2 mm across the slice; the slice footprint is the header's
    SliceThickness, not the spacing: MR slices 3 mm thick 3.6 mm apart leave a gap that the lesion must not fill).
  * Intensity: the lesion displaces the tissue it covers: v' = (1 − f)·v + f·L + n, where L is the lesion level.
    The noise of a scanner does not depend on the object, so the noise field n is added with variance
    σ²·(1 − (1 − f)²): inside the lesion (f = 1) it varies with SD σ, at the edge the kept share of the original
    keeps its own noise. σ and the grain of n are the scanner's, measured in a homogeneous tissue next to the
    sacrum (config noise_reference_lps: the bladder's urine on CT, a homogeneous soft tissue on MR): robust SD,
    and the neighbour correlation ρ₁ along each axis, which sets the Gaussian blur of white noise that reproduces
    it (ρ₁ = exp(−1/(4s²)) for a blur of s voxels). The marrow's own spread (reported as marrow_sd) is mostly
    texture (fat islands, trabeculae: 40-75 HU on these CTs against 6-15 HU of noise), which a tumour replaces.
  * Level L: CT: an absolute HU (lytic 0-40 HU, sclerotic 600 HU) or an offset from the marrow's measured level;
    MR: a ratio to the marrow's measured signal (MR signal has no units; e.g. 2.6 × for a fluid-bright lesion,
    0.35 × for a T2-dark sclerotic one).
  * Placement checks (exit status 1 when one fails): every voxel the lesion touches, widened by 1.5 mm, lies in
    marrow: its 1 mm-smoothed original value is on the marrow's side of the midpoint between the marrow level and
    the cortex (CT: the 97th percentile of a 25 mm ball, the densest bone around; MR T2/T1: cortex is signal void,
    the 3rd percentile); and, where the scan has a sacrum label (TotalSegmentator 25/26), inside it. The centre
    must lie within 25 mm of a sacrum reference point read by eye (test/anatomy/fixtures). The figures are in
    truth.json. These checks do not see a thin wall that 3 mm slices blur below the midpoint (the posterior
    wall of pelvic-ref-003's S1 body reads 130 HU) nor a foramen's fat: look at the --png views through every
    lesion (axial, sagittal, coronal, outline in red) before trusting a new placement.

Usage: implant.py CONFIG OUT [--png DIR]   (CONFIG: test/phantom-tools/implants/*.json; OUT gets dicom/ (new
       series and SOP UIDs) or ct.nii.gz, and truth.json: exact volume, levels, noise, checks, and 20 random clicks
       uniform in the inner half of each lesion (the lesion scaled by 0.5 about its centre) for the tests)
"""
import argparse
import copy
import json
import math
import os
import sys

import numpy as np
from scipy import ndimage

from dicom_series import read_dicom_series  # this script's folder is on sys.path

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, '..', '..'))
SHARED = os.environ.get('SACROPLAN_SHARED', os.path.abspath(os.path.join(REPO, '..', 'shared')))


# ------------------------------------------------------------------------------------------------ loading
def load_series(path):
    """Returns dict(vol[k,j,i] float64 in physical units, m: ijk->LPS 4x4, thickness_mm, kind, items)."""
    if path.endswith('.nii') or path.endswith('.nii.gz'):
        import nibabel as nib
        img = nib.load(path)
        data = np.asarray(img.dataobj, dtype=np.float64)  # i,j,k
        m = np.diag([-1.0, -1.0, 1.0, 1.0]) @ img.affine
        thick = float(np.linalg.norm(m[:3, 2]))
        return {'vol': np.ascontiguousarray(data.transpose(2, 1, 0)), 'm': m, 'thickness_mm': thick, 'kind': 'nifti', 'img': img}
    vol, m, ds, dk = read_dicom_series(path)
    thick = float(getattr(ds[0], 'SliceThickness', 0) or np.linalg.norm(dk))
    return {'vol': vol, 'm': m, 'thickness_mm': min(thick, float(np.linalg.norm(dk))), 'kind': 'dicom', 'ds': ds}


def write_series(series, vol, out, seed):
    if series['kind'] == 'nifti':
        import nibabel as nib
        img = series['img']
        dt = img.get_data_dtype()
        data = np.round(vol.transpose(2, 1, 0))
        info = np.iinfo(dt) if np.issubdtype(dt, np.integer) else None
        if info:
            data = np.clip(data, info.min, info.max)
        new = nib.Nifti1Image(data.astype(dt), img.affine, img.header)
        path = os.path.join(out, 'ct.nii.gz')
        nib.save(new, path)
        return path
    import pydicom
    from pydicom.uid import generate_uid
    d = os.path.join(out, 'dicom')
    os.makedirs(d, exist_ok=True)
    series_uid = generate_uid(entropy_srcs=[str(series['ds'][0].SeriesInstanceUID), 'implant', str(seed)])
    for k, ds in enumerate(series['ds']):
        ds = copy.deepcopy(ds)
        slope = float(getattr(ds, 'RescaleSlope', 1) or 1)
        inter = float(getattr(ds, 'RescaleIntercept', 0) or 0)
        stored = np.round((vol[k] - inter) / slope)
        bits = int(ds.BitsStored)
        if int(ds.PixelRepresentation) == 1:
            lo, hi, dt = -(1 << (bits - 1)), (1 << (bits - 1)) - 1, np.int16
        else:
            lo, hi, dt = 0, (1 << bits) - 1, np.uint16
        arr = np.clip(stored, lo, hi).astype(dt)
        ds.PixelData = arr.tobytes()
        ds.SeriesInstanceUID = series_uid
        ds.SeriesDescription = (str(getattr(ds, 'SeriesDescription', '')) + ' + implanted lesions (test)')[:64]
        sop = generate_uid(entropy_srcs=[str(ds.SOPInstanceUID), 'implant', str(seed)])
        ds.SOPInstanceUID = sop
        ds.file_meta.MediaStorageSOPInstanceUID = sop
        ds.save_as(os.path.join(d, f'im{k:04d}.dcm'), write_like_original=True)
    return d


# ------------------------------------------------------------------------------------------------ shape
def rotation(deg):
    """Rotation matrix from Euler angles (degrees) about L, P, S in that order; columns = the lesion's axes in LPS."""
    a, b, c = [math.radians(x) for x in deg]
    rx = np.array([[1, 0, 0], [0, math.cos(a), -math.sin(a)], [0, math.sin(a), math.cos(a)]])
    ry = np.array([[math.cos(b), 0, math.sin(b)], [0, 1, 0], [-math.sin(b), 0, math.cos(b)]])
    rz = np.array([[math.cos(c), -math.sin(c), 0], [math.sin(c), math.cos(c), 0], [0, 0, 1]])
    return rz @ ry @ rx


class Lesion:
    def __init__(self, spec):
        self.id = spec['id']
        self.c = np.array(spec['center_lps'], float)
        self.semi = np.array(spec['semi_axes_mm'], float)
        self.R = rotation(spec.get('rotation_deg', [0, 0, 0]))
        bumps = spec.get('bumps', [])
        self.bd = np.array([b['direction'] for b in bumps], float).reshape(-1, 3)
        if len(self.bd):
            self.bd /= np.linalg.norm(self.bd, axis=1, keepdims=True)
        self.bb = np.array([b['amplitude'] for b in bumps], float)

    def radius_factor(self, u):
        """1 + Σ b (u·d)³ for unit directions u (N×3) in the lesion's normalised frame."""
        if not len(self.bb):
            return np.ones(len(u))
        return 1.0 + ((u @ self.bd.T) ** 3) @ self.bb

    def inside(self, p):
        """p: N×3 LPS -> bool."""
        q = ((p - self.c) @ self.R) / self.semi
        rho = np.linalg.norm(q, axis=1)
        u = q / np.maximum(rho, 1e-12)[:, None]
        return rho <= self.radius_factor(u)

    def volume_mm3(self):
        nt, nphi = 256, 512
        x, w = np.polynomial.legendre.leggauss(nt)  # cos(theta)
        phi = (np.arange(nphi) + 0.5) * 2 * math.pi / nphi
        ct, p = np.meshgrid(x, phi, indexing='ij')
        st = np.sqrt(1 - ct ** 2)
        u = np.stack([st * np.cos(p), st * np.sin(p), ct], -1).reshape(-1, 3)
        f = self.radius_factor(u).reshape(nt, nphi)
        integral = (w[:, None] * f ** 3 / 3).sum() * (2 * math.pi / nphi)
        return float(np.prod(self.semi) * integral)

    def max_extent_mm(self):
        """Largest radius from the centre (mm): bounds the sampling box."""
        return float(self.semi.max() * (1 + np.abs(self.bb).sum()))

    def max_diameter_mm(self, rng):
        """Largest distance between two surface points (sampled)."""
        u = rng.normal(size=(4000, 3))
        u /= np.linalg.norm(u, axis=1, keepdims=True)
        pts = self.c + ((u * self.radius_factor(u)[:, None]) * self.semi) @ self.R.T
        hull = pts[np.argsort(-np.linalg.norm(pts - self.c, axis=1))[:400]]
        dd = np.linalg.norm(hull[:, None, :] - pts[None, :, :], axis=2)
        return float(dd.max())

    def inner_half_clicks(self, n, rng):
        """Points uniform in volume in the lesion scaled by 0.5 about its centre."""
        out = []
        while len(out) < n:
            q = rng.uniform(-0.5 * (1 + np.abs(self.bb).sum()), 0.5 * (1 + np.abs(self.bb).sum()), size=(256, 3))
            rho = np.linalg.norm(q, axis=1)
            u = q / np.maximum(rho, 1e-12)[:, None]
            ok = rho <= 0.5 * self.radius_factor(u)
            for qq in q[ok]:
                out.append((self.c + (qq * self.semi) @ self.R.T).tolist())
                if len(out) == n:
                    break
        return out


def coverage(les, m, dims_kji, thickness_mm):
    """Fractional coverage of every voxel near the lesion: (box (k0,j0,i0,k1,j1,i1), f[k,j,i])."""
    inv = np.linalg.inv(m)
    ext = les.max_extent_mm() + 2
    corners = np.array([[les.c[0] + sx * ext, les.c[1] + sy * ext, les.c[2] + sz * ext, 1] for sx in (-1, 1) for sy in (-1, 1) for sz in (-1, 1)]) @ inv.T
    lo = np.maximum(np.floor(corners[:, :3].min(0)).astype(int) - 1, 0)
    hi = np.minimum(np.ceil(corners[:, :3].max(0)).astype(int) + 1, np.array(dims_kji[::-1]) - 1)
    sp = np.linalg.norm(m[:3, :3], axis=0)
    foot = np.array([sp[0], sp[1], thickness_mm])
    ns = [max(4, int(math.ceil(foot[0] / 0.13))), max(4, int(math.ceil(foot[1] / 0.13))), max(4, int(math.ceil(foot[2] / 0.2)))]
    # sub-sample offsets in index units (the slice footprint is thickness/spacing of an index step)
    offs = [((np.arange(ns[a]) + 0.5) / ns[a] - 0.5) * (foot[a] / sp[a]) for a in range(3)]
    oi, oj, ok = np.meshgrid(offs[0], offs[1], offs[2], indexing='ij')
    sub = np.stack([oi.ravel(), oj.ravel(), ok.ravel()], 1)
    shape = (hi[2] - lo[2] + 1, hi[1] - lo[1] + 1, hi[0] - lo[0] + 1)
    f = np.zeros(shape)
    A = m[:3, :3]
    for k in range(lo[2], hi[2] + 1):
        for j in range(lo[1], hi[1] + 1):
            ii = np.arange(lo[0], hi[0] + 1)
            centres = np.stack([ii, np.full_like(ii, j), np.full_like(ii, k)], 1).astype(float)
            # quick reject: voxel centres farther than ext + voxel diagonal
            cl = centres @ A.T + m[:3, 3]
            near = np.linalg.norm(cl - les.c, axis=1) <= ext + np.linalg.norm(foot)
            for t in np.nonzero(near)[0]:
                pts = (centres[t] + sub) @ A.T + m[:3, 3]
                f[k - lo[2], j - lo[1], t] = les.inside(pts).mean()
    return (lo[2], lo[1], lo[0], hi[2], hi[1], hi[0]), f


# ------------------------------------------------------------------------------------------------ measuring
def local_box(shape, m, centre, radius):
    """Index slices (k, j, i) of the box around a ball of radius mm, and the LPS distance of each of its voxels to the centre."""
    inv = np.linalg.inv(m)
    corners = np.array([[centre[0] + sx * radius, centre[1] + sy * radius, centre[2] + sz * radius, 1] for sx in (-1, 1) for sy in (-1, 1) for sz in (-1, 1)]) @ inv.T
    lo = np.maximum(np.floor(corners[:, :3].min(0)).astype(int), 0)
    hi = np.minimum(np.ceil(corners[:, :3].max(0)).astype(int), np.array(shape[::-1]) - 1)
    sl = (slice(lo[2], hi[2] + 1), slice(lo[1], hi[1] + 1), slice(lo[0], hi[0] + 1))
    kk, jj, ii = np.meshgrid(np.arange(lo[2], hi[2] + 1), np.arange(lo[1], hi[1] + 1), np.arange(lo[0], hi[0] + 1), indexing='ij')
    p = np.stack([ii, jj, kk], -1) @ m[:3, :3].T + m[:3, 3]
    return sl, np.linalg.norm(p - centre, axis=-1)


def robust(x):
    x = np.asarray(x, float)
    med = np.median(x)
    s = 1.4826 * np.median(np.abs(x - med))
    k = x[np.abs(x - med) <= 3 * s] if s > 0 else x
    med = np.median(k)
    return float(med), float(1.4826 * np.median(np.abs(k - med)))


def neighbour_corr(vol, mask, axis):
    """Correlation of the values of mask voxels with their neighbour along axis (both in mask)."""
    a = np.moveaxis(vol, axis, 0)
    b = np.moveaxis(mask, axis, 0)
    x, y = a[:-1], a[1:]
    both = b[:-1] & b[1:]
    x, y = x[both], y[both]
    if len(x) < 30:
        return 0.0
    return float(np.corrcoef(x, y)[0, 1])


# ------------------------------------------------------------------------------------------------ main
def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('config')
    ap.add_argument('out')
    ap.add_argument('--png', default='', help='folder for axial, sagittal and coronal views through each lesion with its outline (to look at)')
    o = ap.parse_args()
    cfg = json.load(open(o.config))
    seed = int(cfg.get('seed', 1))
    rng = np.random.default_rng(seed)
    src = os.path.join(SHARED, 'data', cfg['scan'])
    series = load_series(src)
    vol0 = series['vol']
    vol = vol0.copy()
    m = series['m']
    sp = np.linalg.norm(m[:3, :3], axis=0)
    shape = vol0.shape
    mr = cfg.get('modality', 'CT') == 'MR'
    refs = cfg.get('sacrum_reference_lps', [])
    label = None
    if cfg.get('sacrum_label'):
        import nibabel as nib
        lab = nib.load(os.path.join(SHARED, 'data', cfg['sacrum_label']['file']))
        la = np.asarray(lab.dataobj).transpose(2, 1, 0)
        label = np.isin(la, cfg['sacrum_label']['values'])
    lesions_out, failures = [], []
    occupied = np.zeros(shape, bool)
    for spec in cfg['lesions']:
        les = Lesion(spec)
        ext = les.max_extent_mm()
        # everything is measured in the box of a 25 mm ball around the centre
        lb, dist = local_box(shape, m, les.c, 25.0)
        v0 = vol0[lb]
        smooth = ndimage.gaussian_filter(v0, [1.0 / sp[2], 1.0 / sp[1], 1.0 / sp[0]])
        ball = dist <= 25.0
        # cortex: MR signal void (3rd percentile), CT the densest bone around (97th percentile)
        cortex = float(np.percentile(v0[ball], 3 if mr else 97))
        place = dist <= ext + 6.0
        m0, _ = robust(v0[place])
        half = (m0 + cortex) / 2
        marrow_side = (smooth < half) if cortex > m0 else (smooth > half)
        marrow_sample = place & marrow_side
        marrow_level, marrow_sd = robust(v0[marrow_sample])
        # the scanner's noise: SD and grain in a homogeneous tissue next to the sacrum (config
        # noise_reference_lps, e.g. muscle): the noise does not depend on the tissue at the voxel,
        # while the marrow's own spread is mostly texture (fat islands, trabeculae) that a tumour replaces
        nref = np.array(cfg['noise_reference_lps'], float)
        nrad = float(cfg.get('noise_reference_radius_mm', 6.0))
        nb_, nd_ = local_box(shape, m, nref, nrad)
        nmask = nd_ <= nrad
        _, noise_sd = robust(vol0[nb_][nmask])
        rho = [neighbour_corr(vol0[nb_], nmask, ax) for ax in (2, 1, 0)]  # along i, j, k
        blur = [math.sqrt(-1.0 / (4 * math.log(r))) if 0.02 < r < 0.98 else 0.0 for r in rho]
        # lesion level
        lv = spec['level']
        t_level = None
        if 'value' in lv:
            L = float(lv['value'])
        elif 'marrow_ratio' in lv:
            L = marrow_level * float(lv['marrow_ratio'])
        elif 'marrow_offset' in lv:
            L = marrow_level + float(lv['marrow_offset'])
        else:
            tc = np.array(lv['tissue_lps'], float)
            tb, td = local_box(shape, m, tc, float(lv.get('radius_mm', 3)))
            t_level, _ = robust(vol0[tb][td <= float(lv.get('radius_mm', 3))])
            L = marrow_level + float(lv['mix']) * (t_level - marrow_level)
        box, f = coverage(les, m, shape, series['thickness_mm'])
        k0, j0, i0, k1, j1, i1 = box
        sl = (slice(k0, k1 + 1), slice(j0, j1 + 1), slice(i0, i1 + 1))
        touched = f > 0
        # checks: the touched voxels widened by 1.5 mm lie in marrow (and in the sacrum label)
        widen = ndimage.binary_dilation(np.pad(touched, 3), structure=ball_structure(sp, 1.5))[3:-3, 3:-3, 3:-3]
        full = np.zeros(shape, bool)
        full[sl] = widen
        ms_full = np.zeros(shape, bool)
        ms_full[lb] = marrow_side
        bad_marrow = int((full & ~ms_full).sum())
        bad_label = int((full & ~label).sum()) if label is not None else None
        overlap = int((full & occupied).sum())
        ref_d = min((float(np.linalg.norm(les.c - np.array(r['lps'], float))) for r in refs), default=None)
        checks = {
            'voxels_touched': int(touched.sum()),
            'widened_voxels_not_marrow': bad_marrow,
            'widened_voxels_outside_sacrum_label': bad_label,
            'overlap_with_other_lesions': overlap,
            'centre_to_nearest_sacrum_reference_mm': ref_d,
        }
        ok = bad_marrow == 0 and (bad_label in (None, 0)) and overlap == 0 and (ref_d is not None and ref_d <= 25)
        if not ok:
            failures.append(f"{les.id}: {checks}")
        occupied |= full
        # noise field with the marrow's SD and grain
        sig = [blur[2], blur[1], blur[0]]
        nfield = rng.normal(size=f.shape)
        big = rng.normal(size=(64, 64, 64))
        if any(b > 0 for b in blur):
            nfield = ndimage.gaussian_filter(nfield, sig, mode='wrap')
            big = ndimage.gaussian_filter(big, sig, mode='wrap')
        nfield /= big.std()
        add_sd = noise_sd * np.sqrt(np.clip(1 - (1 - f) ** 2, 0, 1))
        vol[sl] = (1 - f) * vol[sl] + f * L + add_sd * nfield
        vml = les.volume_mm3() / 1000
        cov_ml = float(f.sum() * abs(np.linalg.det(m[:3, :3])) / 1000)
        lesions_out.append({
            'id': les.id, 'kind': spec['kind'], 'description': spec.get('description', ''),
            'shape': 'star-ellipsoid', 'center_lps': les.c.tolist(), 'semi_axes_mm': les.semi.tolist(),
            'axes_lps': les.R.T.tolist(), 'bumps': spec.get('bumps', []),
            'volume_ml': vml, 'coverage_sum_ml': cov_ml, 'max_diameter_mm': les.max_diameter_mm(rng),
            'level': L, 'marrow_level': marrow_level, 'contrast': L - marrow_level,
            'marrow_sd': marrow_sd, 'noise_sd': noise_sd, 'reference_tissue_level': t_level, 'contrast_to_marrow_spread': (L - marrow_level) / marrow_sd if marrow_sd > 0 else None,
            'noise_neighbour_corr_ijk': rho, 'noise_blur_voxels_ijk': blur, 'cortex_level': cortex,
            'clicks_inner_half_lps': les.inner_half_clicks(int(cfg.get('clicks', 20)), rng),
            'checks': checks,
        })
    os.makedirs(o.out, exist_ok=True)
    written = write_series(series, vol, o.out, seed)
    truth = {
        'scan': cfg['scan'], 'modality': 'MR' if mr else 'CT', 'written': os.path.relpath(written, o.out),
        'ijk_to_lps': m.tolist(), 'dims_ijk': [shape[2], shape[1], shape[0]], 'slice_thickness_mm': series['thickness_mm'],
        'config': cfg, 'lesions': lesions_out,
        'method': 'test/phantom-tools/implant.py (see its docstring): star-shaped lesions mixed in by supersampled fractional coverage, noise of the marrow\'s SD and grain',
    }
    with open(os.path.join(o.out, 'truth.json'), 'w') as fh:
        json.dump(truth, fh, indent=1)
    for l in lesions_out:
        print(f"{l['id']} {l['kind']}: {l['volume_ml']:.3f} mL (coverage sum {l['coverage_sum_ml']:.3f}), level {l['level']:.0f} vs marrow {l['marrow_level']:.0f} ± {l['marrow_sd']:.0f} (noise {l['noise_sd']:.1f}, blur {[round(b, 2) for b in l['noise_blur_voxels_ijk']]}), checks {l['checks']}", file=sys.stderr)
    if o.png:
        views(vol, m, [Lesion(spec) for spec in cfg['lesions']], cfg.get('png_window', [400, 80]), o.png, os.path.basename(o.config).replace('.json', ''))
    if failures:
        print('placement checks failed:\n' + '\n'.join(failures), file=sys.stderr)
        sys.exit(1)


def views(vol, m, lesions, window, out, name):
    """Axial, sagittal and coronal planes (0.25 mm per pixel, 60 mm) through each lesion's centre, its outline in red."""
    sys.path.insert(0, os.path.join(REPO, 'test', 'anatomy', 'fixtures'))
    from reformat import plane, write_png_rgb
    os.makedirs(out, exist_ok=True)
    X, Y, Z = np.eye(3)
    W, Lv = window
    for les in lesions:
        for tag, u, v in (('ax', X, Y), ('sag', Y, -Z), ('cor', X, -Z)):
            img, a = plane(vol, m, les.c, u, v, 60.0, px=0.25)
            g = np.clip((np.nan_to_num(img, nan=Lv - W / 2) - (Lv - W / 2)) / W, 0, 1)
            uu, vv = np.meshgrid(a, a)
            pts = les.c[None, :] + uu.reshape(-1, 1) * u[None, :] + vv.reshape(-1, 1) * v[None, :]
            ins = les.inside(pts).reshape(img.shape)
            edge = np.zeros_like(ins)
            edge[1:, :] |= ins[1:, :] != ins[:-1, :]
            edge[:, 1:] |= ins[:, 1:] != ins[:, :-1]
            rgb = np.stack([g, g, g], -1)
            rgb[edge] = [1, 0, 0]
            write_png_rgb(os.path.join(out, f'{name}-{les.id}-{tag}.png'), np.ascontiguousarray((rgb * 255).astype(np.uint8)))


def ball_structure(sp, r):
    n = [int(math.ceil(r / s)) for s in (sp[2], sp[1], sp[0])]
    kk, jj, ii = np.meshgrid(*[np.arange(-q, q + 1) for q in n], indexing='ij')
    return (kk * sp[2]) ** 2 + (jj * sp[1]) ** 2 + (ii * sp[0]) ** 2 <= r * r


if __name__ == '__main__':
    main()
