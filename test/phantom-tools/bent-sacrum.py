#!/usr/bin/python3
"""A sacrum bent sideways along its length, from ../shared/phantom/make_phantom.py.

The generator's sacrum is a mirror image about one plane, x = midline, from S1 to the tip. Real sacra bend and turn
sideways along their length (scoliosis, a dysmorphic or rotated lower sacrum): on pelvic-ref-003 the mirror symmetry
of the sacrum's own sections moves from x 19 mm at S1 to 17.5 at S2, 16 at S3 and 13-14.5 at S4, and the S4 openings
are mirror images about their own level's midline, not about the whole sacrum's (their midpoint lies 4 mm to the
right of it).

This tool runs the generator itself (same rendering, truth code and seed handling) with one change to its analytic
model: the sacral frame's lateral coordinate is moved by a drift that depends on the arc length s alone,

    P = offset + (x + d(s), O_y + (R+q) cos phi, O_z + (R+q) sin phi),  d(s) = -D ((s - s0)/(85 - s0))^2 for s > s0, else 0,

so the sacrum above s0 stays where it was and below it every section is carried sideways (to the patient's right for
D > 0), each level's own plane of symmetry at x = midline + d(s) (S4's foramina, at s = 85, moved by D). The inverse
(to_local) subtracts d(s) after reading s, so it stays exact. Everything the model places in its frame follows: body,
lateral masses, arch, canal, foramina (capsules and openings), ilia, presacral fat, lesions and zones given in sacral
coordinates; L5 and the disc (above s = 0) and the soft tissues do not move. truth.bent records s0, D and each
level's midline x.

Usage: bent-sacrum.py --out DIR --config CONFIG.json [--seed N] [--drift MM] [--from S0] [--check]
--check re-reads DIR and verifies truth against voxels (retilt.py's check); exit status 1 when a check fails.
"""
import json
import os
import sys

import numpy as np

sys.dont_write_bytecode = True
from _tools import generate, mp, parser, sg  # noqa: E402
from retilt import check_or_exit  # noqa: E402

# the generator's S4 foramina lie at s = 85 mm (README, FORAMINA_DEF)
S4_S = 85.0


def drift(s, d_mm, s0):
    s = np.asarray(s, float)
    u = np.maximum(s - s0, 0.0) / (S4_S - s0)
    return -d_mm * u * u


def bent_model(d_mm, s0):
    """A SacrumModel whose lateral coordinate is moved by drift(s) (the sacrum bent sideways below s0)."""

    class BentSacrumModel(sg.SacrumModel):
        def from_local(self, x, s, q):
            P = super().from_local(x, s, q)
            s_b = np.broadcast_to(np.asarray(s, float), P.shape[:-1])
            P = np.array(P, float)
            P[..., 0] = P[..., 0] + drift(s_b, d_mm, s0)
            return P

        def to_local(self, P):
            x, s, q = super().to_local(P)
            return x - drift(s, d_mm, s0), s, q

    return BentSacrumModel


def main():
    ap = parser(__doc__)
    ap.add_argument("--drift", type=float, default=5.0, help="sideways drift at S4's foramina (mm, + to the patient's right)")
    ap.add_argument("--from", dest="s0", type=float, default=52.0, help="arc length where the bend begins (mm; 52 = the S2/S3 junction)")
    ap.add_argument("--check", action="store_true")
    a = ap.parse_args()
    generate(bent_model(a.drift, a.s0), a)
    tp = os.path.join(a.out, "truth.json")
    t = json.load(open(tp))
    mid = t["anatomy"]["sacral_frame"].get("midline_x_lps")
    levels = {}
    for f in t["anatomy"]["foramina"]:
        lv = f["level"]
        if lv in levels:
            continue
        pair = [g for g in t["anatomy"]["foramina"] if g["level"] == lv]
        levels[lv] = float(np.mean([(g["anterior_opening_lps"][0]) for g in pair]))
    t["bent"] = {"from_s_mm": a.s0, "drift_at_s4_mm": a.drift, "model": "x + d(s), d(s) = -D ((s - s0)/(85 - s0))^2 for s > s0",
                 "midline_x_lps": mid, "level_midline_x_lps": levels}
    with open(tp, "w") as fh:
        fh.write(mp.dumps_json(t))
    if a.check:
        check_or_exit(a.out)


if __name__ == "__main__":
    main()
