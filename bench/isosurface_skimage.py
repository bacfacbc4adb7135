#!/usr/bin/env python3
"""Peer timing for bench/isosurface.mjs: scikit-image marching_cubes (Lewiner) on the same int16 array.

argv: raw_path json_path level runs. Prints one JSON line: median ms, all runs, triangle and vertex counts.
"""
import json, sys, time
import numpy as np
from skimage.measure import marching_cubes

raw, meta_path, level, runs = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
meta = json.load(open(meta_path))
ni, nj, nk = meta['dims']
vol = np.fromfile(raw, dtype='<i2').reshape(nk, nj, ni)
sp = meta['spacingMm']
times = []
for _ in range(runs):
    t0 = time.perf_counter()
    verts, faces, normals, values = marching_cubes(vol, level=level, spacing=(sp[2], sp[1], sp[0]))
    times.append((time.perf_counter() - t0) * 1000)
print(json.dumps({'median': float(np.median(times)), 'all': times, 'triangles': int(len(faces)), 'vertices': int(len(verts))}))
