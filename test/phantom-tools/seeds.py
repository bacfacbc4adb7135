#!/usr/bin/env python3
"""make_phantom.py for several noise seeds of one config, in one process.

The seed sets only make_phantom.py's random draws (bone texture, white noise, file-name shuffle, UIDs): the tissue labels
at voxel centres and at the supersampled boundary points (SacrumModel.classify), the lesion, trajectory and anatomy
truth are the same for every seed. Here they are computed for the first seed and reused for the others (each call is
keyed by the exact points it classifies, so a different call is never answered from another's result); everything
else runs make_phantom.main as it is, so each seed's folder is the generator's own, byte for byte (md5 of every file
checked against make_phantom.py runs of seeds 2 and 3 of default.json).

usage: seeds.py --config CFG --labels --seed S1 --out DIR1 [--seed S2 --out DIR2 ...]
"""
import argparse
import copy
import hashlib
import os
import sys

import numpy as np

SHARED = os.environ.get("SACROPLAN_SHARED") or os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared")
sys.path.insert(0, os.path.join(SHARED, "phantom"))
import make_phantom as mp  # noqa: E402
import sacrum_geometry as sg  # noqa: E402

_classify = sg.SacrumModel.classify
_labels = {}


def classify(self, P, lesions=(), want_cancellous=False):
    P = np.ascontiguousarray(np.asarray(P, float))
    key = (hashlib.sha1(P.tobytes()).hexdigest(), P.shape, len(lesions), bool(want_cancellous))
    if key not in _labels:
        _labels[key] = _classify(self, P, lesions, want_cancellous)
    return _labels[key].copy()


def once(fn, key_of):
    done = {}

    def wrapped(*a):
        k = key_of(*a)
        if k not in done:
            done[k] = fn(*a)
        return copy.deepcopy(done[k])
    return wrapped


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--config", required=True)
    ap.add_argument("--labels", action="store_true")
    ap.add_argument("--seed", type=int, action="append", required=True)
    ap.add_argument("--out", action="append", required=True)
    a = ap.parse_args()
    if len(a.seed) != len(a.out):
        raise SystemExit("one --out per --seed")
    sg.SacrumModel.classify = classify
    # the config is the same for every seed: a lesion is named by its index, a trajectory by its spec
    mp.lesion_truth = once(mp.lesion_truth, lambda les, model, geom, offset, h, index: (index, h))
    mp.trajectory_truth = once(mp.trajectory_truth, lambda tr, *rest: repr(tr))
    mp.anatomy_truth = once(mp.anatomy_truth, lambda model, offset: tuple(np.asarray(offset, float)))
    for seed, out in zip(a.seed, a.out):
        mp.main(["--out", out, "--config", a.config, "--seed", str(seed), "--quiet"] + (["--labels"] if a.labels else []))


if __name__ == "__main__":
    main()
