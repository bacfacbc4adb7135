/**
 * Mirror-symmetry plane of a mask, with rotation (pure).
 *
 *   mirrorPlane(mask, grid, opts?) → { normalLps, pointLps, overlap, aboutApDeg, aboutSiDeg }
 *
 * The plane n·p = d (LPS mm) that maximises the fraction of mask voxels whose mirror image through it
 * is also in the mask (the overlap measure of Tuzikov, Colliot & Bloch, "Evaluation of the symmetry
 * plane in 3D MR brain images", Pattern Recognit. Lett. 2003). The normal is parameterised by two
 * tilts of +x: `aboutApDeg`, a rotation about the antero-posterior (y) axis that turns +x towards +z,
 * and `aboutSiDeg`, a rotation about the cranio-caudal (z) axis that turns +x towards +y.
 * Search: hill climbing over (tilts, offset) with halving steps, from two starts — the plane x = x0
 * (e.g. the x-only symmetry of sacrum-mask.ts `mirrorMidline`) and the principal axis of the mask
 * nearest to x (for a mirror-symmetric shape the plane's normal is a principal axis) — keeping the best.
 */
import type { Vec3 } from '../core/vec3';
import type { WorkGrid } from './detect-grid';
import { symmetricEigen3 } from './eigen3';

export interface MirrorPlaneOptions {
  /** Largest tilt searched about either axis (degrees). Default 15. */
  maxTiltDeg?: number;
  /** x (LPS mm) of a first guess of the plane x = x0. Default: the mask's x centroid. */
  x0Lps?: number;
  /** At most this many mask voxels are mirrored per evaluation (even subsample). Default 40000. */
  maxPoints?: number;
  /** Overlap after the first start (the plane x = x0) above which the principal-axis start is skipped. Default 1 (never skipped). */
  enoughOverlap?: number;
}

export interface MirrorPlane {
  /** Unit normal, + towards patient left (x > 0). */
  normalLps: Vec3;
  /** The point of the plane nearest the mask centroid. */
  pointLps: Vec3;
  /** Fraction of the (sampled) mask voxels whose mirror image is in the mask. */
  overlap: number;
  aboutApDeg: number;
  aboutSiDeg: number;
}

const DEG = Math.PI / 180;

/** Unit normal of the tilts (degrees). */
export function mirrorNormal(aboutApDeg: number, aboutSiDeg: number): Vec3 {
  const n: Vec3 = [1, Math.tan(aboutSiDeg * DEG), Math.tan(aboutApDeg * DEG)];
  const l = Math.hypot(n[0], n[1], n[2]);
  return [n[0] / l, n[1] / l, n[2] / l];
}

/** Mirror-symmetry plane of a mask on a working grid (see the module comment). Null for an empty mask. */
export function mirrorPlane(mask: Uint8Array, g: WorkGrid, opts: MirrorPlaneOptions = {}): MirrorPlane | null {
  const [na, nb, nc] = g.dims;
  const h = g.spacingMm;
  const o = g.originLps;
  const maxTilt = opts.maxTiltDeg ?? 15;
  const idx: number[] = [];
  for (let n = 0; n < mask.length; n++) if (mask[n]) idx.push(n);
  if (idx.length === 0) return null;
  const stride = Math.max(1, Math.ceil(idx.length / (opts.maxPoints ?? 40000)));
  const m = Math.ceil(idx.length / stride);
  const px = new Float64Array(m), py = new Float64Array(m), pz = new Float64Array(m);
  const nab = na * nb;
  for (let t = 0; t < m; t++) {
    const n = idx[t * stride]!;
    const c = (n / nab) | 0, r = n - c * nab, b = (r / na) | 0, a = r - b * na;
    px[t] = o[0] + a * h; py[t] = o[1] + b * h; pz[t] = o[2] + c * h;
  }
  const cen: Vec3 = [0, 0, 0];
  for (let t = 0; t < m; t++) { cen[0] += px[t]!; cen[1] += py[t]!; cen[2] += pz[t]!; }
  cen[0] /= m; cen[1] /= m; cen[2] /= m;
  const inMask = (x: number, y: number, z: number): boolean => {
    const a = Math.round((x - o[0]) / h), b = Math.round((y - o[1]) / h), c = Math.round((z - o[2]) / h);
    return a >= 0 && b >= 0 && c >= 0 && a < na && b < nb && c < nc && mask[a + na * (b + nb * c)] === 1;
  };
  // the plane is written n·(p - cen) = e, e = offset from the centroid along n
  const score = (ap: number, si: number, e: number): number => {
    const n = mirrorNormal(ap, si);
    let hit = 0;
    for (let t = 0; t < m; t++) {
      const x = px[t]!, y = py[t]!, z = pz[t]!;
      const s = 2 * ((x - cen[0]) * n[0] + (y - cen[1]) * n[1] + (z - cen[2]) * n[2] - e);
      if (inMask(x - s * n[0], y - s * n[1], z - s * n[2])) hit++;
    }
    return hit / m;
  };
  const climb = (ap0: number, si0: number, e0: number): { ap: number; si: number; e: number; f: number } => {
    let best = { ap: ap0, si: si0, e: e0, f: score(ap0, si0, e0) };
    let dA = 2, dE = h;
    while (dA >= 0.25) {
      let moved = true;
      for (let guard = 0; moved && guard < 40; guard++) {
        moved = false;
        const steps: [number, number, number][] = [[dA, 0, 0], [-dA, 0, 0], [0, dA, 0], [0, -dA, 0], [0, 0, dE], [0, 0, -dE]];
        let next = best;
        for (const [da, ds, de] of steps) {
          const ap = best.ap + da, si = best.si + ds, e = best.e + de;
          if (Math.abs(ap) > maxTilt || Math.abs(si) > maxTilt) continue;
          const f = score(ap, si, e);
          if (f > next.f + 1e-9) next = { ap, si, e, f };
        }
        if (next !== best) { best = next; moved = true; }
      }
      dA /= 2; dE /= 2;
    }
    return best;
  };
  // start 1: the plane x = x0
  const x0 = opts.x0Lps ?? cen[0];
  const starts: [number, number, number][] = [[0, 0, x0 - cen[0]]];
  // start 2: the principal axis nearest x, when within the tilt range
  const cov = [0, 0, 0, 0, 0, 0, 0, 0, 0];
  for (let t = 0; t < m; t++) {
    const d = [px[t]! - cen[0], py[t]! - cen[1], pz[t]! - cen[2]];
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) cov[i * 3 + j] = cov[i * 3 + j]! + (d[i]! * d[j]!) / m;
  }
  const eig = symmetricEigen3(cov);
  let axis = eig.vectors[0]!;
  for (const v of eig.vectors) if (Math.abs(v[0]) > Math.abs(axis[0])) axis = v;
  if (axis[0] < 0) axis = [-axis[0], -axis[1], -axis[2]];
  const apP = Math.atan2(axis[2], axis[0]) / DEG, siP = Math.atan2(axis[1], axis[0]) / DEG;
  if (Math.abs(apP) <= maxTilt && Math.abs(siP) <= maxTilt) starts.push([apP, siP, 0]);
  let best = { ap: 0, si: 0, e: 0, f: -1 };
  for (const [ap, si, e] of starts) {
    // a clearly symmetric result from the first start needs no second climb
    if (best.f >= (opts.enoughOverlap ?? 1)) break;
    const r = climb(ap, si, e);
    if (r.f > best.f) best = r;
  }
  const n = mirrorNormal(best.ap, best.si);
  return {
    normalLps: n,
    pointLps: [cen[0] + best.e * n[0], cen[1] + best.e * n[1], cen[2] + best.e * n[2]],
    overlap: best.f,
    aboutApDeg: best.ap,
    aboutSiDeg: best.si,
  };
}
