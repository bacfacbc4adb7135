#!/usr/bin/python3
"""Relabel a phantom made by ../shared/phantom/make_phantom.py so that its anatomy is rigidly moved in patient space.

The generator can only rotate the *image grid* around a fixed anatomy (`orientation.rotation_deg`). Writing a new
ImageOrientationPatient / ImagePositionPatient on the very same voxels moves the anatomy instead: each voxel centre P
is relabelled Q·(P − C) + C, where C is the volume centre (`fov_center_lps`) and Q the rotation that takes the old
grid axes (X, Y, N) onto the new ones (X', Y', N'): Q = [X' Y' N'] · [X Y N]ᵀ. No voxel is resampled, so the image is
exactly the generator's rendering of the anatomy rotated by Q, and every truth position moves by the same Q (points
about C, directions without C). Examples:
  * a tilted pelvis on an axial scan: generate with rotation_deg = the inverse of the wanted anatomy rotation, relabel
    with --iop 1,0,0,0,1,0 (then Q = Rᵀ);
  * a prone patient: the anatomy stays where it is in patient (LPS) coordinates, the table-side image axes turn
    180° about S (IOP −1,0,0,0,−1,0, as prone scanners write it) and PatientPosition is HFP: generate with
    rotation_deg [0, 0, 180] and only set --patient-position HFP (Q = I).

Usage: retilt.py SRC DST [--iop x1,x2,x3,y1,y2,y3] [--patient-position HFP] [--check]
       retilt.py --check-only DIR   (the check alone, on any phantom folder)
SRC: a make_phantom.py output folder (dicom/ + truth.json). DST gets dicom/ and truth.json (truth.retilt says what
was done). --check re-reads DST and verifies truth against voxels (foramen centres dark, lesion centres at the lesion
HU, canal centre at the canal HU, S1 body centre bony); exit status 1 when a check fails.
"""
import argparse
import json
import math
import os
import sys

import numpy as np
import pydicom

DIRECTION_KEYS = {"direction_lps", "axes_lps", "axis_lps"}


def ds_str(v):
    """The generator's DS formatting: maximum precision in 16 characters."""
    v = float(v)
    if abs(v) < 5e-13:
        return "0"
    for prec in range(15, 0, -1):
        s = "%.*g" % (prec, v)
        if "e" in s or "E" in s:
            s = ("%.*f" % (max(0, min(prec, 12)), v)).rstrip("0").rstrip(".")
        if len(s) <= 16:
            return s
    raise ValueError(v)


def frame_of(iop):
    X, Y = np.array(iop[:3], float), np.array(iop[3:], float)
    N = np.cross(X, Y)
    return np.stack([X, Y, N / np.linalg.norm(N)], axis=1)


def is_vec3(v):
    return isinstance(v, list) and len(v) == 3 and all(isinstance(x, (int, float)) for x in v)


def transform_tree(obj, point, direction, key=""):
    """Every `*_lps` entry that is a 3-vector or a list of 3-vectors: points move with `point`, directions with `direction`."""
    if isinstance(obj, dict):
        return {k: transform_tree(v, point, direction, k) for k, v in obj.items()}
    if isinstance(obj, list):
        if key.endswith("_lps") and is_vec3(obj):
            return direction(obj) if key in DIRECTION_KEYS else point(obj)
        if key.endswith("_lps") and obj and all(is_vec3(v) for v in obj):
            return [direction(v) if key in DIRECTION_KEYS else point(v) for v in obj]
        return [transform_tree(v, point, direction, key) for v in obj]
    return obj


def retilt(src, dst, new_iop, patient_position):
    truth = json.load(open(os.path.join(src, "truth.json")))
    g = truth["geometry"]
    old_iop = [float(s) for s in g["image_orientation_patient"]]
    new_iop_str = [ds_str(v) for v in new_iop]
    new_iop = [float(s) for s in new_iop_str]
    F_old, F_new = frame_of(old_iop), frame_of(new_iop)
    Q = F_new @ F_old.T
    C = np.array(g["fov_center_lps"], float)

    def point(p):
        return [round(float(v), 9) for v in Q @ (np.asarray(p, float) - C) + C]

    def direction(d):
        return [round(float(v), 12) for v in Q @ np.asarray(d, float)]

    ddir = os.path.join(dst, "dicom")
    os.makedirs(ddir, exist_ok=True)
    for f in os.listdir(ddir):
        if f.endswith(".dcm"):
            os.remove(os.path.join(ddir, f))
    new_files = []
    origin_new = None
    N_new = F_new[:, 2]
    for entry in truth["dicom"]["files"]:
        ds = pydicom.dcmread(os.path.join(src, "dicom", entry["file"]))
        ipp_old = np.array([float(v) for v in ds.ImagePositionPatient])
        ipp_str = [ds_str(v) for v in point(ipp_old)]
        ds.ImagePositionPatient = ipp_str
        ds.ImageOrientationPatient = new_iop_str
        ds.SliceLocation = ds_str(float(np.array([float(v) for v in ipp_str]) @ N_new))
        if patient_position:
            ds.PatientPosition = patient_position
        ds.save_as(os.path.join(ddir, entry["file"]), write_like_original=True)
        e = dict(entry)
        for k in list(e.keys()):
            if k.lower().startswith("ipp") or k == "image_position_patient":
                e[k] = [float(v) for v in ipp_str]
        new_files.append(e)
        if entry["k"] == 0:
            origin_new = [float(v) for v in ipp_str]

    out = {k: v for k, v in truth.items() if k not in ("geometry", "dicom", "config")}
    out = transform_tree(out, point, direction)
    # derived angles of the trajectories follow their new directions
    for t in out.get("trajectories", []):
        u = t["direction_lps"]
        t["angle_to_axial_plane_deg"] = round(math.degrees(math.asin(max(-1.0, min(1.0, u[2])))), 3)
        t["angle_to_sagittal_plane_deg"] = round(math.degrees(math.asin(max(-1.0, min(1.0, u[0])))), 3)
    sf = out["anatomy"]["sacral_frame"]
    sf["midline_normal_lps"] = direction([1.0, 0.0, 0.0])
    sf["note_retilt"] = ("formula_lps and inverse hold for the generator's positions: apply them to "
                         "Q^T (P - C) + C (retilt.Q_row_major, retilt.center_lps)")
    geo = dict(g)
    geo["image_orientation_patient"] = new_iop_str
    geo["direction_cosines"] = {"row_X": list(F_new[:, 0]), "column_Y": list(F_new[:, 1]), "normal_N": list(F_new[:, 2])}
    geo["origin_lps"] = origin_new
    A = np.array(g["affine_ijk_to_lps"], float)
    A2 = np.eye(4)
    A2[:3, :3] = Q @ A[:3, :3]
    A2[:3, 3] = origin_new
    geo["affine_ijk_to_lps"] = [[float(v) for v in row] for row in A2]
    geo["orientation"] = {"type": "relabelled", "generator_orientation": g["orientation"]}
    dic = dict(truth["dicom"])
    dic["files"] = new_files
    out["geometry"], out["dicom"], out["config"] = geo, dic, truth["config"]
    out["retilt"] = {
        "what": "anatomy rigidly moved in patient space by relabelling the generator's voxels (test/phantom-tools/retilt.py)",
        "Q_row_major": [[float(v) for v in row] for row in Q],
        "center_lps": list(C),
        "map": "P_new = Q (P_generator - C) + C for points; d_new = Q d for directions",
        "rotation_deg_about_C": round(math.degrees(math.acos(max(-1.0, min(1.0, (np.trace(Q) - 1) / 2)))), 6),
        "patient_position": patient_position or "HFS",
        "image_orientation_patient": new_iop_str,
    }
    with open(os.path.join(dst, "truth.json"), "w") as f:
        json.dump(out, f, indent=1)
    return out


def load_volume(d):
    """HU volume [k, j, i] sorted by IPP·N, and the ijk->LPS affine rebuilt from the stored tags (as a loader does)."""
    files = [pydicom.dcmread(os.path.join(d, "dicom", f)) for f in os.listdir(os.path.join(d, "dicom")) if f.endswith(".dcm")]
    iop = [float(v) for v in files[0].ImageOrientationPatient]
    F = frame_of(iop)
    files.sort(key=lambda ds: np.array([float(v) for v in ds.ImagePositionPatient]) @ F[:, 2])
    vol = np.stack([ds.pixel_array.astype(np.float32) * float(ds.RescaleSlope) + float(ds.RescaleIntercept) for ds in files])
    o = np.array([float(v) for v in files[0].ImagePositionPatient])
    o1 = np.array([float(v) for v in files[1].ImagePositionPatient])
    dr, dc = [float(v) for v in files[0].PixelSpacing]
    dz = float(np.linalg.norm(o1 - o))
    A = np.eye(4)
    A[:3, 0], A[:3, 1], A[:3, 2], A[:3, 3] = F[:, 0] * dc, F[:, 1] * dr, F[:, 2] * dz, o
    return vol, A, str(files[0].get("PatientPosition", ""))


def sample(vol, A, p, r=1):
    """Mean HU of the voxels whose centres are nearest to p (r = neighbourhood half-size in voxels)."""
    ijk = np.linalg.solve(A, np.append(np.asarray(p, float), 1.0))[:3]
    i, j, k = [int(round(v)) for v in ijk]
    nk, nj, ni = vol.shape
    if not (0 <= i < ni and 0 <= j < nj and 0 <= k < nk):
        return None
    return float(vol[max(0, k - r):k + r + 1, max(0, j - r):j + r + 1, max(0, i - r):i + r + 1].mean())


def check_or_exit(d):
    """check(d), printed: exit status 1 with the failures on stderr, else 'check passed'."""
    bad = check(d)
    if bad:
        print("FAILED: " + "; ".join(bad), file=sys.stderr)
        sys.exit(1)
    print("check passed")


def check(d):
    """Truth against voxels after the move. Returns a list of failures (empty = agree)."""
    t = json.load(open(os.path.join(d, "truth.json")))
    vol, A, pos = load_volume(d)
    hu = t["anatomy"]["hu"]
    bad, rows = [], []
    want = t.get("retilt", {}).get("patient_position")
    if want and pos != want:
        bad.append(f"PatientPosition {pos!r}, expected {want!r}")
    slice_mm = float(np.linalg.norm(A[:3, 2]))
    for f in t["anatomy"]["foramina"]:
        c = (np.array(f["anterior_opening_lps"]) + np.array(f["posterior_opening_lps"])) / 2
        v = sample(vol, A, c, 0)
        rows.append(f"{f['id']} {v:.0f}" if v is not None else f"{f['id']} outside")
        # a foramen no wider than a slice is thick has its walls above and below in the slice that holds its centre,
        # which reads brighter than the marrow (fatty-thick5mm's S4, radius 2.5 mm on 5 mm slices: 124-250 HU): the
        # others say whether the truth moved with the voxels
        if 2 * f["radius_mm"] <= slice_mm:
            continue
        # a foramen centre is nearer the foramen HU than the cancellous bone around it
        if v is not None and abs(v - hu["foramen"]) > abs(v - hu["cancellous"]):
            bad.append(f"foramen {f['id']} centre reads {v:.0f} HU (foramen {hu['foramen']}, cancellous {hu['cancellous']})")
    canal = t["anatomy"]["canal"]
    for p, r in zip(canal["centerline_lps"][2:6], canal["radius_mm"][2:6]):
        v = sample(vol, A, p, 1)
        if v is not None and abs(v - hu["canal"]) > abs(v - hu["cancellous"]):
            bad.append(f"canal point {p} reads {v:.0f} HU")
    lv = t["anatomy"]["levels"][0]
    v = sample(vol, A, lv["body_center_lps"], 1)
    if v is not None and abs(v - hu["cancellous"]) > abs(v - hu["fat"]):
        bad.append(f"S1 body centre reads {v:.0f} HU")
    for les in t["lesions"]:
        v = sample(vol, A, les["center_lps"], 0)
        if v is None:
            continue
        rows.append(f"{les['id']} {v:.0f} (lesion {les['hu']:.0f})")
        others = [hu["cancellous"], hu["fat"], hu["cortex"], hu["muscle"]]
        if min(abs(v - o) for o in others) < abs(v - les["hu"]) and abs(v - les["hu"]) > 60:
            bad.append(f"lesion {les['id']} centre reads {v:.0f} HU (lesion {les['hu']})")
    print("check: " + "; ".join(rows))
    return bad


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("src", nargs="?")
    ap.add_argument("dst", nargs="?")
    ap.add_argument("--check-only", default=None, metavar="DIR")
    ap.add_argument("--iop", default=None, help="new ImageOrientationPatient, 6 comma-separated numbers (default: unchanged)")
    ap.add_argument("--patient-position", default=None)
    ap.add_argument("--check", action="store_true")
    a = ap.parse_args()
    if a.check_only:
        check_or_exit(a.check_only)
        return
    if not (a.src and a.dst):
        ap.error("SRC and DST are required")
    truth = json.load(open(os.path.join(a.src, "truth.json")))
    iop = [float(v) for v in a.iop.split(",")] if a.iop else [float(s) for s in truth["geometry"]["image_orientation_patient"]]
    retilt(a.src, a.dst, iop, a.patient_position)
    if a.check:
        check_or_exit(a.dst)


if __name__ == "__main__":
    main()
