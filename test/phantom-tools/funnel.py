#!/usr/bin/python3
"""A sacrum whose anterior foramen openings flare into funnels, from ../shared/phantom/make_phantom.py.

The generator's foramina are straight capsules: on every scan its anterior opening is a round hole in a closed
cortical ring. On real CT the anterior opening is a funnel. On pelvic-ref-003 (1 x 1 x 3 mm, fatty marrow, thin
cortex), the lumen's half-contrast radius measured across the reference foramen axes (test/phantom-tools/
measure_flare.py) grows from the tunnel's (S1 6.5-7, S3 5-6, S4 4-5 mm) to 1.5-2x that over the last 4-5 mm to
the anterior surface (S1 R 6.9 -> 9.8-10.2, S1 L 6.6 -> 8.8-10.1, S3 R 5.6 -> 10.2, S3 L 5.9 -> 8.8, S4 R 4.2 ->
7.2, S4 L 4.6 -> 9.8 mm), and there the ring of cortex around it stops being closed: the share of radial rays that
meet a wall 150 HU above the lumen falls from 0.7-1.0 inside to 0-0.3 at the mouth. A tunnel fit that follows an
enclosed lumen therefore ends inside the bone, short of the opening.

This tool runs the generator itself (same rendering, labels, partial volume, noise and truth code) with one change
to its analytic model: each foramen is the generator's capsule united with a cone on its axis whose radius grows
linearly from the tunnel radius r at --length mm inside the anterior opening to --flare * r at the opening, and on
at the same slope for --length/2 mm in front of it (where the anterior surface is oblique to the axis, part of
that lies in bone). The cone's walls are lined with the config's cortex like every other surface. The truth
openings stay where the axis meets the outer envelope (the funnel's centre at the surface), and the truth radius,
the trajectories' foramen distances and the Denis zone borders stay those of the tunnel (the nerve root's canal):
the funnel is the mouth of the opening, not a wider nerve.

Usage: funnel.py --out DIR --config CONFIG.json [--seed N] [--flare F] [--length MM] [--check]
--check re-reads DIR and verifies truth against voxels (retilt.py's check) and that the voxels flare (check_flare).
"""
import json
import math
import os
import sys

import numpy as np

sys.dont_write_bytecode = True
from _tools import generate, parser, sg, thin_foramina  # noqa: E402
from retilt import check  # noqa: E402
from dicom_series import read_dicom_series  # noqa: E402
from measure_flare import lumen_profile  # noqa: E402


def funnel_sdf(P, A, B, r, flare, length):
    """Signed distance estimate to a cone on the axis A->B: radius r at `length` inside A, flare*r at A, growing at
    the same slope for length/2 in front of A; flat ends. (rho - radius(t)) * cos(half-angle) is the exact
    distance to the cone's side for points near it; the ends are planes."""
    P = np.asarray(P, float)
    u = (B - A) / np.linalg.norm(B - A)
    w = P - A
    t = w @ u
    rho = np.sqrt(np.maximum(np.einsum("...i,...i->...", w, w) - t * t, 0.0))
    slope = (flare - 1.0) * r / length
    radius = r + slope * (length - t)
    side = (rho - radius) / math.sqrt(1.0 + slope * slope)
    return np.maximum(side, np.maximum(-0.5 * length - t, t - length))


def funnel_model(flare, length):
    class FunnelSacrumModel(sg.SacrumModel):
        def foramen_sdf_each(self, P):
            P = np.asarray(P, float)
            return [np.minimum(sg.point_segment_distance(P, f["A"], f["B"]) - f["radius"],
                               funnel_sdf(P, f["A"], f["B"], f["radius"], flare, length)) for f in self.foramina]

    return FunnelSacrumModel


def check_flare(d):
    """The voxels flare where the truth says, read by measure_flare.py's measure (the one read on the real scan): 1 mm
    in front of the anterior opening the lumen is at least 1.3x as wide as 2 mm deeper than the funnel, and its rim
    is open there (at most 0.6 of the rays meet a wall). Returns the failures."""
    t = json.load(open(os.path.join(d, "truth.json")))
    vol, m, _, _ = read_dicom_series(os.path.join(d, "dicom"), np.float32, "*.dcm")
    deep_mm = t["funnel"]["length_mm"] + 2.0
    bad, rows = [], []
    for f in t["anatomy"]["foramina"]:
        a, b = np.array(f["anterior_opening_lps"]), np.array(f["posterior_opening_lps"])
        (_, r_mouth, w_mouth), (_, r_deep, _) = lumen_profile(vol, m, a, b - a, [-1.0, deep_mm])
        rows.append(f"{f['id']} {r_mouth:.1f}/{w_mouth:.2f} {r_deep:.1f}")
        if w_mouth > 0.6:
            bad.append(f"{f['id']} opening ringed on {w_mouth:.2f} of the rays")
        if not r_mouth >= 1.3 * r_deep:
            bad.append(f"{f['id']} opening {r_mouth:.1f} mm wide against the tunnel's {r_deep:.1f}")
    print("funnel (edge radius mm / share of rays meeting a wall at the opening; tunnel radius): " + ", ".join(rows))
    return bad


def main():
    ap = parser(__doc__)
    ap.add_argument("--flare", type=float, default=1.5, help="radius at the anterior opening / tunnel radius")
    ap.add_argument("--length", type=float, default=5.0, help="mm over which the funnel widens to the opening")
    ap.add_argument("--check", action="store_true")
    a = ap.parse_args()
    generate(funnel_model(a.flare, a.length), a)
    path = os.path.join(a.out, "truth.json")
    truth = json.load(open(path))
    truth["anatomy"]["foramen_model"] += (
        f" Funnel (test/phantom-tools/funnel.py): each foramen is also united with a cone on its axis, radius growing"
        f" linearly from radius_mm at {a.length} mm inside the anterior opening to {a.flare} x radius_mm at it (and on"
        f" for {a.length / 2} mm in front); radius_mm, the foramen distances and the zone borders are the tunnel's.")
    truth["funnel"] = {"what": "anterior foramen openings flared into funnels (test/phantom-tools/funnel.py)",
                       "flare": a.flare, "length_mm": a.length}
    with open(path, "w") as f:
        json.dump(truth, f, indent=1)
    if a.check:
        # the centres of foramina under two slices across are left to check_flare's profile, which finds the lumen
        # on that axis (_tools.thin_foramina)
        thin = thin_foramina(truth)
        bad = check_flare(a.out) + [b for b in check(a.out) if not any(b.startswith(f"foramen {i} centre") for i in thin)]
        if bad:
            print("FAILED: " + "; ".join(bad), file=sys.stderr)
            sys.exit(1)
        print("check passed")


if __name__ == "__main__":
    main()
