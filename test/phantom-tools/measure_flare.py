#!/usr/bin/python3
"""How a foramen's lumen widens towards its anterior opening: the measure behind test/phantom-tools/funnel.py.

Across a foramen axis, at each depth from its anterior opening (mm, + into the bone), 24 radial rays from the axis
(0-14 mm, trilinear): the lumen level is the median within 1 mm of the axis; on each ray the edge is the first
point brighter than halfway between that level and the ray's maximum (the wall), and the ray "meets a wall" when
that maximum is 150 HU above the lumen. Per depth: the median edge radius (mm) and the share of rays meeting a wall
(1.0 = a closed cortical ring, 0 = open). The same measure reads the real scan and the phantom, so their figures
compare even though a half-contrast edge next to a bright, blurred cortex reads a few tenths of a mm inside it.

  measure_flare.py real FIXTURE.json SCAN_DIR   reference openings of a fixture (test/anatomy/fixtures); the axis is
                                                the reference anterior->posterior where both are read, else the inward
                                                normal of the slab the openings were read on (the fixture's method)
  measure_flare.py phantom DIR                  a phantom's truth.json axes (anterior -> posterior opening)
"""
import json
import math
import os
import sys

import numpy as np
from scipy.ndimage import map_coordinates

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dicom_series import read_dicom_series  # noqa: E402

DEPTHS_MM = np.arange(-6.0, 14.01, 1.0)


def lumen_profile(vol, m, a, u, depths=DEPTHS_MM):
    """[(depth, median edge radius mm, share of rays meeting a wall)] across the axis a + t u."""
    u = np.asarray(u, float) / np.linalg.norm(u)
    e1 = np.cross(u, [1.0, 0.0, 0.0] if abs(u[0]) < 0.9 else [0.0, 1.0, 0.0])
    e1 /= np.linalg.norm(e1)
    e2 = np.cross(u, e1)
    inv = np.linalg.inv(m)
    rs = np.arange(0.0, 14.01, 0.25)
    th = np.linspace(0.0, 2 * math.pi, 24, endpoint=False)
    dirs = np.cos(th)[:, None] * e1 + np.sin(th)[:, None] * e2
    out = []
    for d in depths:
        P = (np.asarray(a, float) + d * u)[None, None, :] + rs[None, :, None] * dirs[:, None, :]
        h = np.c_[P.reshape(-1, 3), np.ones(P.size // 3)] @ inv.T
        v = map_coordinates(vol, [h[:, 2], h[:, 1], h[:, 0]], order=1, cval=np.nan).reshape(len(th), len(rs))
        lum = np.nanmedian(v[:, rs <= 1.0])
        radii, walls = [], 0
        for prof in v:
            if np.all(np.isnan(prof)):
                continue
            imx = int(np.nanargmax(prof))
            walls += prof[imx] - lum > 150.0
            k = np.nonzero(prof[:imx + 1] > 0.5 * (lum + prof[imx]))[0]
            radii.append(rs[k[0]] if len(k) else np.nan)
        out.append((float(d), float(np.nanmedian(radii)), walls / len(th)))
    return out


def axes_real(fixture):
    fx = json.load(open(fixture))
    # the slab normals the anterior openings were read on (the fixture's "method.anterior")
    normals = {"S1": None, "S2": (0.0, 0.682, 0.731), "S3": (0.0, 0.959, 0.283), "S4": (0.0, 0.959, 0.283)}
    for fid, f in sorted(fx["foramina"].items()):
        a = np.array(f["anteriorLps"], float)
        u = np.array(f["posteriorLps"], float) - a if f.get("posteriorLps") else np.array(normals[fid[:2]])
        yield fid, a, u


def main():
    if len(sys.argv) < 3 or sys.argv[1] not in ("real", "phantom"):
        sys.exit(__doc__)
    if sys.argv[1] == "real":
        vol, m, _, _ = read_dicom_series(sys.argv[3], np.float32)
        axes = list(axes_real(sys.argv[2]))
    else:
        vol, m, _, _ = read_dicom_series(os.path.join(sys.argv[2], "dicom"), np.float32, "*.dcm")
        t = json.load(open(os.path.join(sys.argv[2], "truth.json")))
        axes = [(f["id"], np.array(f["anterior_opening_lps"]), np.array(f["posterior_opening_lps"]) - np.array(f["anterior_opening_lps"]))
                for f in t["anatomy"]["foramina"]]
    print("depth mm from the anterior opening (+ into bone): edge radius mm / share of rays meeting a wall")
    for fid, a, u in axes:
        print(fid, " ".join(f"{d:+.0f}:{r:.1f}/{w:.2f}" for d, r, w in lumen_profile(vol, m, a, u)))


if __name__ == "__main__":
    main()
