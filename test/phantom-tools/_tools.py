"""What the tools that swap the generator's sacrum model share (asymmetric.py, bent-sacrum.py, flat-sacrum.py,
funnel.py, skewed-funnel.py): the generator's modules from ../shared/phantom (SACROPLAN_SHARED), their common command
line, one run of make_phantom.py with the swapped SacrumModel, and the foramina too narrow for --check's one-voxel
reading.

A tool sets sys.dont_write_bytecode before importing this module, so that no __pycache__ is left in the repository.
"""
import argparse
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.environ.get("SACROPLAN_SHARED", os.path.join(HERE, "..", "..", "..", "shared"))
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(SHARED, "phantom"))
sys.path.insert(0, HERE)
import make_phantom as mp  # noqa: E402,F401
import sacrum_geometry as sg  # noqa: E402,F401


def parser(doc):
    """The tools' command line: --out, --config, --seed (their own options are added after)."""
    ap = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("--config", required=True)
    ap.add_argument("--seed", type=int, default=1)
    return ap


def generate(model, a):
    """make_phantom.py's own run (rendering, labels, partial volume, noise, truth) with `model` as its SacrumModel."""
    mp.SacrumModel = model
    mp.main(["--out", a.out, "--config", a.config, "--seed", str(a.seed), "--quiet"])


def thin_foramina(truth):
    """Foramina narrower than two slices: retilt.py's check reads a foramen's centre as one voxel, and a tunnel under
    two slices across (S4: 5 mm on 3 mm slices behind a 1000 HU cortex) reads brighter than the marrow there by
    partial volume alone, so that reading is left to the tools' own profiles."""
    thick = float(truth["config"]["slice_thickness"])
    return {f["id"] for f in truth["anatomy"]["foramina"] if 2 * f["radius_mm"] < 2 * thick}
