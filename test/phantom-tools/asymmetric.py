#!/usr/bin/python3
"""An asymmetric sacrum from ../shared/phantom/make_phantom.py: the left foramina moved and narrowed.

The generator mirrors every part of its sacrum. Real sacra are not mirror images: the foramina of a pair
sit 1-2 mm apart in height in a patient lying slightly rotated, and more in a dysmorphic sacrum; their sizes
differ. This tool runs the generator itself (same rendering, same truth code, same seed handling) with one
change to its analytic model: each left foramen (x > 0) is moved by --ds mm along the sacral arc (+ caudal)
and --dx mm laterally and its radius scaled by --scale; the right ones stay. Every truth value the generator
derives from the model follows exactly: the foramen capsules and their openings (recomputed on the sacral
surface), the voxels (labels and partial volume), the lesions' Denis zones and zone margins (the zone borders
are taken per side, from that side's own foramina), the trajectories' foramen distances. The generator's
symmetric per-level border table in truth.anatomy.zones is rewritten per side.

Usage: asymmetric.py --out DIR --config CONFIG.json [--seed N] [--ds MM] [--dx MM] [--scale F] [--check]
--check re-reads DIR and verifies truth against voxels (retilt.py's check: foramen centres dark, lesion
centres at the lesion HU, canal and S1 body); exit status 1 when a check fails.
"""
import json
import os
import sys

import numpy as np

sys.dont_write_bytecode = True
from _tools import generate, mp, parser, sg  # noqa: E402
from retilt import check_or_exit  # noqa: E402


def asymmetric_model(ds, dx, scale):
    """A SacrumModel whose left foramina are moved by (ds along s, dx in |x|) and scaled by `scale`."""

    class AsymmetricSacrumModel(sg.SacrumModel):
        def __init__(self, *a, **k):
            super().__init__(*a, **k)
            self.asym = {"ds_mm": ds, "dx_mm": dx, "radius_scale": scale}
            for f in self.foramina:
                if f["side"] != "L":
                    continue
                s_f, x_f, r_f = f["s"] + ds, f["abs_x"] + dx, f["radius"] * scale
                qa, qp = self._axis_openings(x_f, s_f)
                f.update({"s": s_f, "abs_x": x_f, "radius": r_f, "q_anterior": qa, "q_posterior": qp,
                          "A": self.from_local(x_f, s_f, qa), "B": self.from_local(x_f, s_f, qp)})

        def side_borders(self, side, s):
            fs = sorted((f for f in self.foramina if f["side"] == side), key=lambda f: f["s"])
            sf = [f["s"] for f in fs]
            return (np.interp(s, sf, [f["abs_x"] - f["radius"] for f in fs]),
                    np.interp(s, sf, [f["abs_x"] + f["radius"] for f in fs]))

        def zone(self, P):
            x, s, q = self.to_local(P)
            mL, lL = self.side_borders("L", s)
            mR, lR = self.side_borders("R", s)
            m, l = np.where(x > 0, mL, mR), np.where(x > 0, lL, lR)
            ax = np.abs(x)
            return np.where(ax < m, 3, np.where(ax <= l, 2, 1)).astype(np.int8), ax - m, ax - l

    return AsymmetricSacrumModel


def rl(a, n):
    return [round(float(v), n) for v in a] if np.ndim(a) == 1 else [[round(float(v), n) for v in row] for row in a]


def main():
    ap = parser(__doc__)
    ap.add_argument("--ds", type=float, default=4.0, help="left foramina moved along the sacral arc, mm (+ caudal)")
    ap.add_argument("--dx", type=float, default=2.0, help="left foramina moved laterally, mm")
    ap.add_argument("--scale", type=float, default=0.85, help="left foramina radii scaled by")
    ap.add_argument("--check", action="store_true")
    a = ap.parse_args()
    Model = asymmetric_model(a.ds, a.dx, a.scale)
    generate(Model, a)
    # the per-level border table and the border polylines per side, from each side's own foramina
    path = os.path.join(a.out, "truth.json")
    truth = json.load(open(path))
    cfg = mp.load_config(a.config)
    model = Model(si_gap_mm=cfg["si_gap_mm"], cortex_mm=cfg["cortex_mm"], hu=cfg["hu"])
    o = np.asarray(cfg["anatomy_offset_lps"], float)
    z = truth["anatomy"]["zones"]
    z["rule"] += " Borders per side: m(s), l(s) from that side's own foramina (test/phantom-tools/asymmetric.py)."
    z["per_level"] = [{"level": f["level"], "side": f["side"], "s_mm": round(f["s"], 6), "medial_border_abs_x_mm": round(f["abs_x"] - f["radius"], 6),
                       "lateral_border_abs_x_mm": round(f["abs_x"] + f["radius"], 6)} for f in model.foramina]
    ssamp = np.arange(-30.0, 131.0, 2.0)
    for side, sgn in (("L", 1.0), ("R", -1.0)):
        m, l = model.side_borders(side, ssamp)
        z["borders_at_q0"][side] = {"medial_polyline_lps": rl(model.from_local(sgn * m, ssamp, np.zeros_like(ssamp)) + o, 3),
                                    "lateral_polyline_lps": rl(model.from_local(sgn * l, ssamp, np.zeros_like(ssamp)) + o, 3)}
    truth["asymmetry"] = {"what": "left foramina moved and scaled in the generator's model (test/phantom-tools/asymmetric.py)",
                          "left_foramina_ds_mm": a.ds, "left_foramina_dx_mm": a.dx, "left_foramina_radius_scale": a.scale}
    with open(path, "w") as f:
        json.dump(truth, f, indent=1)
    if a.check:
        # the moved foramina are where truth says: their centres are dark
        check_or_exit(a.out)


if __name__ == "__main__":
    main()
