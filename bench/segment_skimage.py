#!/usr/bin/env python3
"""Peer timings for bench/segment.mjs: scikit-image on the same int16 array.

argv: raw_path json_path runs. Prints one JSON line of median milliseconds:
  flood_full     threshold the whole volume to the lytic window, skimage.segmentation.flood from the seed
  flood_box      the same on the ±25 mm box around the seed (what regionGrow works on)
  flood_box_fill flood_box + scipy.ndimage.binary_fill_holes (regionGrow fills holes too)
  label_props    skimage.measure.label + regionprops (area, centroid, axis lengths, feret; voxel units) on the box mask
  threshold_cs_box  (when the json has cs_box) numpy threshold of the box given to cornerstone (bench/segment-browser.mjs)
'all' holds every run's time (ms) per key.
"""
import json, sys, time
import numpy as np
from scipy import ndimage
from skimage.segmentation import flood
from skimage.measure import label, regionprops

raw, meta_path, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
meta = json.load(open(meta_path))
ni, nj, nk = meta['dims']
vol = np.fromfile(raw, dtype='<i2').reshape(nk, nj, ni)
si, sj, sk = meta['seed']
lo, hi = meta['window']
b = meta['box']  # i0 j0 k0 i1 j1 k1


all_times = {}


def med(f):
    f()
    ts = []
    for _ in range(runs):
        t0 = time.perf_counter(); f(); ts.append((time.perf_counter() - t0) * 1000)
    all_times[f.__name__] = ts
    return float(np.median(ts))


def flood_full():
    m = (vol >= lo) & (vol <= hi)
    return flood(m, (sk, sj, si), connectivity=1)


def crop():
    return vol[b[2]:b[5] + 1, b[1]:b[4] + 1, b[0]:b[3] + 1]


def flood_box():
    c = crop()
    m = (c >= lo) & (c <= hi)
    return flood(m, (sk - b[2], sj - b[1], si - b[0]), connectivity=1)


def flood_box_fill():
    return ndimage.binary_fill_holes(flood_box())


grown = flood_box_fill()


def label_props():
    lab = label(grown, connectivity=1)
    props = regionprops(lab)  # skimage 0.19 (Debian 12) has no spacing argument: voxel units
    p = max(props, key=lambda r: r.area)
    return p.area, p.centroid, p.axis_major_length, p.axis_minor_length, p.feret_diameter_max


out = {
    'flood_full': med(flood_full),
    'flood_box': med(flood_box),
    'flood_box_fill': med(flood_box_fill),
    'label_props': med(label_props),
    'skimage_grown_voxels': int(grown.sum()),
}
if 'cs_box' in meta:
    cb = meta['cs_box']

    def threshold_cs_box():
        c = vol[cb[2]:cb[5] + 1, cb[1]:cb[4] + 1, cb[0]:cb[3] + 1]
        return (c >= lo) & (c <= hi)

    out['threshold_cs_box'] = med(threshold_cs_box)
    out['threshold_cs_box_count'] = int(threshold_cs_box().sum())
out['all'] = all_times
print(json.dumps(out))
