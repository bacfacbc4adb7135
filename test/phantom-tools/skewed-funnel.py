#!/usr/bin/python3
"""A sacrum whose anterior foramen openings flare into funnels that turn laterally, from ../shared/phantom/make_phantom.py.

funnel.py flares each anterior opening into a cone on the tunnel's own axis: its mouth is centred on the tunnel.
On real CT the mouth is not centred: the anterior surface of the ala curves back laterally, so the funnel of a
thin-walled opening opens towards the side. Measured on the real scans of test/anatomy/fixtures:
  - pelvic-ref-003 S3 L: the funnel turns 7 mm laterally over its last 5 mm (surface-openings.ts OPENING_SEARCH_MM);
  - pancreas-ct-cb-001 S1 R: across the fitted axis, the lumen's half-contrast edge (foramen-axis.ts sections)
    reads 7.6 mm at 3 mm inside the fitted opening, 6.6 at 7.5 mm and 4.5-5.3 mm from 12 mm on, and a tunnel fit
    (foramen-fit.ts) whose ring reaches its 7 mm search bound there sits 2.8 mm lateral of the opening read by eye,
    where the enclosed sections 9-15 mm in are centred within about 2 mm of that reading.
This tool runs the generator itself (same rendering, labels, partial volume, noise and truth code) with one change
to its analytic model: each foramen is the generator's capsule united with a cone whose radius grows linearly from
the tunnel radius r at --length mm inside the anterior opening A (on the tunnel's axis) to --flare x r at the
anterior surface, where its axis lies --skew mm lateral of A (away from the midline, along x); it goes on at the same
slope for --length/2 mm in front. The cone's walls are lined with the config's cortex like every other surface. The
truth openings stay where the tunnel's axis meets the outer envelope, and the truth radius, the trajectories'
foramen distances and the Denis zone borders stay those of the tunnel (the nerve root's canal): the funnel is the
mouth of the opening, not a wider nerve.

Usage: skewed-funnel.py --out DIR --config CONFIG.json [--seed N] [--flare F] [--length MM] [--skew MM] [--s1-radius MM]
                        [--unlined LEVELS] [--check]
--s1-radius widens the S1 tunnels to a real S1's (the generator's are 4.5 mm; every truth value follows).
--unlined LEVELS (default S1; '' for none; a foramen id such as S1_R for one side): those levels' tunnels lose their cortical lining behind the funnel (deeper
than --length from the anterior opening, away from the outer surface and the canal): the wall there is trabecular
bone (the config's junction HU), as on pancreas-ct-cb-001 S1 R, where in sections across the fitted axis the rim
(90th percentile 4-12 mm from the axis) stands 200-230 HU over the lumen (median within 2 mm) 10-14 mm inside and
410-430 HU at the cortical mouth. (On fatty-funnel.json's image the searches then miss the unlined S1 pair and name
the row from S2; detect/level-above.ts finds it one level above S2: test/anatomy/skewed-funnel.test.ts, which also
holds S1_R alone and S2 unlined. The fit taken by a funnel, at its radius bound, is
reproduced on code-built volumes: test/anatomy/detect/funnel-refit.test.ts.)
--check re-reads DIR and verifies truth against voxels (retilt.py's check), that the voxels flare (funnel.py's
check_flare; not on the unlined levels, whose trabecular wall puts the half-contrast edge in the marrow's texture)
and that the mouth opens laterally (check_skew).
"""
import json
import math
import os
import sys

import numpy as np
from scipy.ndimage import map_coordinates

sys.dont_write_bytecode = True
from _tools import generate, parser, sg, thin_foramina  # noqa: E402
from retilt import check  # noqa: E402
from dicom_series import read_dicom_series  # noqa: E402
from funnel import funnel_sdf, check_flare  # noqa: E402


def skewed_cone(A, B, r, flare, length, skew):
    """The cone's (mouth centre, inner end, length): inner end on the tunnel's axis `length` inside A, mouth centre
    `skew` mm lateral of A (x away from the midline)."""
    u = (B - A) / np.linalg.norm(B - A)
    inner = A + length * u
    mouth = A + np.array([math.copysign(skew, A[0]), 0.0, 0.0])
    return mouth, inner, float(np.linalg.norm(inner - mouth))


def skewed_funnel_model(flare, length, skew, s1_radius, unlined):
    class SkewedFunnelSacrumModel(sg.SacrumModel):
        def __init__(self, *a, **k):
            super().__init__(*a, **k)
            # the S1 tunnels as wide as the real ones (every truth value follows the model's radius)
            if s1_radius:
                for f in self.foramina:
                    if f["level"] == "S1":
                        f["radius"] = s1_radius

        def classify(self, P, lesions=(), want_cancellous=False):
            """The generator's labels, with the cortex lining the tunnels of the `unlined` levels behind their funnels
            (deeper than `length` from the anterior opening, away from the outer surface and the canal) made the
            sacrum's junction bone (label 12, the config's "junction" HU: the denser trabecular bone of the segment
            junctions): a trabecular wall, as real fatty tunnels have behind a cortical mouth."""
            lab = super().classify(P, lesions, want_cancellous)
            fs = [f for f in self.foramina if f["level"] in unlined or f["id"] in unlined]
            if not fs:
                return lab
            P = np.asarray(P, float)
            idx = np.nonzero(lab == 10)[0]
            if not len(idx):
                return lab
            Q = P[idx]
            away = (self.sacrum_envelope_sdf(Q) < -self.cortex) & (self.canal_sdf(Q) > self.cortex)
            wall = np.zeros(len(idx), bool)
            for f in fs:
                u = (f["B"] - f["A"]) / np.linalg.norm(f["B"] - f["A"])
                t = (Q - f["A"]) @ u
                d = sg.point_segment_distance(Q, f["A"], f["B"]) - f["radius"]
                wall |= (t > length) & (d > 0) & (d <= self.cortex + 0.5)
            lab[idx[away & wall]] = 12
            return lab

        def foramen_sdf_each(self, P):
            P = np.asarray(P, float)
            out = []
            for f in self.foramina:
                mouth, inner, L = skewed_cone(f["A"], f["B"], f["radius"], flare, length, skew)
                # funnel_sdf: radius r at L inside `mouth` along mouth -> inner, flare * r at `mouth`, flat end at `inner`
                out.append(np.minimum(sg.point_segment_distance(P, f["A"], f["B"]) - f["radius"],
                                      funnel_sdf(P, mouth, inner, f["radius"], flare, L)))
            return out

    return SkewedFunnelSacrumModel


def check_skew(d, skew):
    """The mouth opens laterally: 1 mm inside each truth anterior opening, across the truth axis, the lumen's
    half-contrast edge (measure_flare.py's rule) on the lateral ray lies at least skew mm further out than on the
    medial one. Returns the failures."""
    t = json.load(open(os.path.join(d, "truth.json")))
    vol, m, _, _ = read_dicom_series(os.path.join(d, "dicom"), np.float32, "*.dcm")
    inv = np.linalg.inv(m)
    rs = np.arange(0.0, 14.01, 0.25)
    bad, rows = [], []
    for f in t["anatomy"]["foramina"]:
        a, b = np.array(f["anterior_opening_lps"]), np.array(f["posterior_opening_lps"])
        u = (b - a) / np.linalg.norm(b - a)
        c = a + 1.0 * u
        lat = np.array([math.copysign(1.0, a[0]), 0.0, 0.0])
        lat = lat - (lat @ u) * u
        lat /= np.linalg.norm(lat)
        edges = []
        for ray in (lat, -lat):
            P = c[None, :] + rs[:, None] * ray[None, :]
            h = np.c_[P, np.ones(len(P))] @ inv.T
            prof = map_coordinates(vol, [h[:, 2], h[:, 1], h[:, 0]], order=1, cval=np.nan)
            lum = np.nanmedian(prof[rs <= 1.0])
            imx = int(np.nanargmax(prof))
            k = np.nonzero(prof[:imx + 1] > 0.5 * (lum + prof[imx]))[0]
            edges.append(rs[k[0]] if len(k) else np.nan)
        rows.append(f"{f['id']} {edges[0]:.1f}/{edges[1]:.1f}")
        if not edges[0] - edges[1] >= skew:
            bad.append(f"{f['id']} mouth edges lateral {edges[0]:.1f} / medial {edges[1]:.1f} mm (not {skew} mm to the side)")
    print("skew (lateral / medial edge mm, 1 mm inside the opening): " + ", ".join(rows))
    return bad


def main():
    ap = parser(__doc__)
    ap.add_argument("--flare", type=float, default=2.0, help="radius at the anterior surface / tunnel radius")
    ap.add_argument("--length", type=float, default=5.0, help="mm over which the funnel widens to the opening")
    ap.add_argument("--skew", type=float, default=3.0, help="mm lateral of the tunnel's axis the mouth is centred")
    ap.add_argument("--s1-radius", type=float, default=0.0,
                    help="S1 tunnel radius, mm (the generator's 4.5 when 0; the real S1 tunnels' enclosed sections read 4.5-6.4 mm)")
    ap.add_argument("--unlined", default="S1",
                    help="levels or foramen ids (comma-separated: S1 or S1_R) whose tunnels lose their cortical lining behind the funnel")
    ap.add_argument("--check", action="store_true")
    a = ap.parse_args()
    generate(skewed_funnel_model(a.flare, a.length, a.skew, a.s1_radius, set(a.unlined.split(",")) - {""}), a)
    path = os.path.join(a.out, "truth.json")
    truth = json.load(open(path))
    truth["anatomy"]["foramen_model"] += (
        f" Skewed funnel (test/phantom-tools/skewed-funnel.py): each foramen is also united with a cone whose radius grows"
        f" linearly from radius_mm at {a.length} mm inside the anterior opening (on the tunnel's axis) to {a.flare} x"
        f" radius_mm at the anterior surface, where its axis lies {a.skew} mm lateral of the opening; radius_mm, the"
        f" foramen distances and the zone borders are the tunnel's.")
    truth["funnel"] = {"what": "anterior foramen openings flared into funnels turning laterally (test/phantom-tools/skewed-funnel.py)",
                       "flare": a.flare, "length_mm": a.length, "skew_mm": a.skew, "s1_radius_mm": a.s1_radius or None,
                       "unlined_levels": sorted(set(a.unlined.split(",")) - {""})}
    with open(path, "w") as f:
        json.dump(truth, f, indent=1)
    if a.check:
        # as funnel.py: the centres of foramina under two slices across are left to the flare and skew profiles
        thin = thin_foramina(truth)
        # the flare is read against the tunnel's wall: where that wall is trabecular (--unlined) its half-contrast edge
        # lies in the marrow's texture, so those levels' flare is left to check_skew
        unlined = set(a.unlined.split(",")) - {""}
        flare_bad = [b for b in check_flare(a.out) if b.split(" ")[0][:2] not in unlined and b.split(" ")[0][:4] not in unlined]
        bad = flare_bad + check_skew(a.out, a.skew) + [b for b in check(a.out) if not any(b.startswith(f"foramen {i} centre") for i in thin)]
        if bad:
            print("FAILED: " + "; ".join(bad), file=sys.stderr)
            sys.exit(1)
        print("check passed")


if __name__ == "__main__":
    main()
