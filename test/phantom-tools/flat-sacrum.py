#!/usr/bin/python3
"""A sacrum lying flat under an upright lumbar spine, from ../shared/phantom/make_phantom.py.

In a supine patient the S1 endplate lies 30-60 deg from the horizontal (DOMAIN.md), and a hyperlordotic
lumbosacral junction tips the sacrum further: pancreas-ct-cb-001's anterior sacral surface lies 17 deg from the
axial plane. The generator's sacrum follows an arc whose top direction is fixed by phi0 = 40 deg; turning the
whole phantom (retilt.py) lays L5 down with it, which no patient shows. This tool runs the generator itself
(same rendering, truth code and seed handling) with one change to its analytic model: phi0 is raised by --delta
degrees, which turns the sacrum, with everything the model places in its frame (ilia, canal, foramina, presacral
fat, lesions and zones given in sacral coordinates), about the L-R axis through the centre of the S1 superior
endplate, its lower end moving posteriorly; L5 and its inferior endplate stay where they were, so the L5/S1 disc
becomes a wedge open anteriorly, as at a hyperlordotic junction. Every truth value follows the model.

Usage: flat-sacrum.py --out DIR --config CONFIG.json [--seed N] [--delta DEG] [--check]
--check re-reads DIR and verifies truth against voxels (retilt.py's check); exit status 1 when a check fails.
"""
import math
import sys

sys.dont_write_bytecode = True
from _tools import generate, parser, sg  # noqa: E402
from retilt import check_or_exit  # noqa: E402


def flat_model(delta_deg):
    """A SacrumModel whose phi0 is raised by delta_deg (the sacrum turned about the S1 endplate centre)."""

    class FlatSacrumModel(sg.SacrumModel):
        # the generator sets phi0 in its constructor and derives the arc centre O from it: the setter adds delta
        @property
        def phi0(self):
            return self._phi0

        @phi0.setter
        def phi0(self, v):
            self._phi0 = v + math.radians(delta_deg)

    return FlatSacrumModel


def main():
    ap = parser(__doc__)
    ap.add_argument("--delta", type=float, default=33.0, help="phi0 raised by this many degrees (sacrum flatter)")
    ap.add_argument("--check", action="store_true")
    a = ap.parse_args()
    generate(flat_model(a.delta), a)
    if a.check:
        check_or_exit(a.out)


if __name__ == "__main__":
    main()
