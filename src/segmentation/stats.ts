/**
 * Lesion statistics from a LabelMap (and optionally the image).
 *
 * Definitions (all lengths in mm, volumes in mL, positions in LPS):
 *  - volumeMl = voxelCount × voxelVolumeMm3 / 1000, voxelVolumeMm3 = |det(axes)|·sI·sJ·sK
 *    (DOMAIN.md §5).
 *  - centroidLps: mean of the voxel centres.
 *  - values: mean / min / max / SD (sample, n − 1) of the image over the lesion.
 *  - principal axes: eigenvectors of the covariance of the voxel-centre coordinates (PCA in
 *    physical space), largest variance first. principalDiametersMm[a] = extent of the lesion along
 *    axis a = (max − min of the centres' projections) + w(a), where w(u) = Σ_axes |u·axis|·spacing
 *    is the width of one voxel (a parallelepiped) projected on u. For an ellipsoid this
 *    reproduces the full axes 2a, 2b, 2c to within about one voxel.
 *  - maxDiameterMm (3D Feret diameter): the largest centre-to-centre distance between two
 *    boundary voxels (exact search, pruned by distance to the centroid), plus w(u)/2 along that
 *    pair's direction (centres underestimate a smooth surface's tips by less than a voxel, the
 *    union of voxel boxes overestimates by up to w; the midway estimate errs least).
 *    Tolerance: |error| ≤ one voxel diagonal; tested on spheres and rotated ellipsoids on
 *    isotropic, anisotropic and oblique grids.
 *  - ABC/2 (Kothari et al., "The ABCs of measuring intracerebral hemorrhage volumes", Stroke
 *    1996;27:1304-1305), applied to the acquisition slices (index k = const; "axial" for an
 *    axial acquisition, the slice plane otherwise):
 *      slice* = the slice with the largest lesion area;
 *      A = largest in-plane diameter on slice* (Feret of that slice's voxel centres + w/2 along
 *          it, as for the 3D Feret diameter);
 *      B = extent on slice* perpendicular to A, in the slice plane (edge to edge: + w along it);
 *      C = number of slices containing lesion × slice spacing along the slice normal
 *          (`abcAxial`); Kothari's weighted variant (`abcAxialKothari`) counts a slice as 1 when
 *          its area ≥ 75 % of slice*'s, 0.5 when 25–75 %, 0 below 25 %.
 *      volume = A·B·C / 2 (an ellipsoid is π/6·ABC ≈ 0.524·ABC, so ABC/2 reads ≈ 4.5 % low).
 *  - ABC/2 on principal axes: A, B, C = principalDiametersMm.
 *  - exceeds30mm: maxDiameterMm > 30 (study inclusion criterion: lesion ≤ 3 cm).
 *  - partialVolumeMl (opt-in): intensity-integration volume, see partial-volume.ts; for small
 *    lesions it is the better volume figure (the midpoint mask reads a few % low).
 *  - cohort: z = (volumeMl − mean) / SD against the source study (Tian et al., AJNR 2022;
 *    43:1222): PSP+RFA 7.22 ± 1.74 mL, PSP 6.69 ± 1.96 mL.
 */
import type { ScalarVolume } from '../core/volume';
import type { Vec3 } from '../core/vec3';
import type { LabelMap } from './labelmap';
import { partialVolumeEstimate } from './partial-volume';

export const STUDY_COHORTS = {
  'PSP+RFA': { meanMl: 7.22, sdMl: 1.74 },
  PSP: { meanMl: 6.69, sdMl: 1.96 },
} as const;

export interface AbcMeasurement {
  aMm: number;
  bMm: number;
  cMm: number;
  /** A·B·C/2 in mL. */
  volumeMl: number;
}

export interface AxialAbc extends AbcMeasurement {
  /** Slice index k with the largest area. */
  slice: number;
  /** Unit direction of A (LPS). */
  aDirection: Vec3;
  /** Number of slices with lesion voxels. */
  sliceCount: number;
}

export interface LesionStats {
  label: number;
  voxelCount: number;
  volumeMl: number;
  centroidLps: Vec3;
  values: { mean: number; min: number; max: number; sd: number } | null;
  /** Unit principal axes (LPS), largest variance first. */
  principalAxes: [Vec3, Vec3, Vec3];
  /** Eigenvalues of the coordinate covariance (mm²), descending. */
  principalVariancesMm2: Vec3;
  principalDiametersMm: Vec3;
  maxDiameterMm: number;
  /** Voxel centres of the Feret pair (LPS). */
  maxDiameterEndpointsLps: [Vec3, Vec3];
  abcAxial: AxialAbc;
  abcAxialKothari: AxialAbc;
  abcPrincipal: AbcMeasurement;
  exceeds30mm: boolean;
  cohortZ: { 'PSP+RFA': number; PSP: number };
  /** Partial-volume-aware volume (partialVolumeEstimate), when requested with a volume. */
  partialVolumeMl: number | null;
  /**
   * Whether the mask reads as one lesion level against its surroundings, as the estimate assumes:
   * the mask's mean HU lies between the lesion level L and the L-side of the midpoint to the
   * background b ((mean − L)/(b − L) in [−0.25, 0.5]; the mask is the half-level surface, so its
   * border voxels hold at least half lesion). A lytic + sclerotic lesion (levels on both sides of
   * the marrow) fails it and its estimate means nothing. Null without the estimate.
   */
  partialVolumeOneLevel: boolean | null;
}

export interface LesionStatsOptions {
  /** Also compute the partial-volume-aware volume (needs `volume`; costs ~1 voxel-band pass). */
  partialVolume?: boolean;
}

/**
 * Statistics of `label` in `labels`; image values from `volume` when given.
 * Returns null for an empty label. Inputs are read only.
 */
export function lesionStats(labels: LabelMap, label: number, volume?: ScalarVolume, options: LesionStatsOptions = {}): LesionStats | null {
  const geom = labels.geometry;
  const box = labels.box(label);
  if (!box) return null;
  if (volume && volume.voxels.length !== geom.voxelCount) throw new Error('volume and label map grids differ');
  const [ni, nj] = geom.dims;
  const nij = ni * nj;
  const data = labels.data;
  const n = labels.count(label);
  const M = geom.ijkToLpsMatrix(); // row-major 4x4
  const m00 = M[0]!, m01 = M[1]!, m02 = M[2]!, m03 = M[3]!;
  const m10 = M[4]!, m11 = M[5]!, m12 = M[6]!, m13 = M[7]!;
  const m20 = M[8]!, m21 = M[9]!, m22 = M[10]!, m23 = M[11]!;
  const pts = new Float64Array(n * 3);
  const isBoundary = new Uint8Array(n);
  const kOf = new Int32Array(n);
  let c = 0;
  let vSum = 0, vMin = Infinity, vMax = -Infinity;
  const vals = volume ? new Float64Array(n) : null;
  const [nI, nJ, nK] = geom.dims;
  for (let k: number = box[2]; k <= box[5]; k++) for (let j: number = box[1]; j <= box[4]; j++) {
    const row: number = ni * (j + nj * k);
    for (let i: number = box[0]; i <= box[3]; i++) {
      const o: number = row + i;
      if (data[o] !== label) continue;
      pts[c * 3] = m00 * i + m01 * j + m02 * k + m03;
      pts[c * 3 + 1] = m10 * i + m11 * j + m12 * k + m13;
      pts[c * 3 + 2] = m20 * i + m21 * j + m22 * k + m23;
      kOf[c] = k;
      const edge = i === 0 || j === 0 || k === 0 || i === nI - 1 || j === nJ - 1 || k === nK - 1 ||
        data[o - 1] !== label || data[o + 1] !== label || data[o - ni] !== label || data[o + ni] !== label || data[o - nij] !== label || data[o + nij] !== label;
      if (edge) isBoundary[c] = 1;
      if (vals) { const v = volume!.voxels[o]!; vals[c] = v; vSum += v; if (v < vMin) vMin = v; if (v > vMax) vMax = v; }
      c++;
    }
  }
  if (c !== n) throw new Error(`label ${label}: index count ${n} != voxels found ${c} (LabelMap index out of date)`);
  // centroid and covariance
  let sx = 0, sy = 0, sz = 0;
  for (let p = 0; p < n; p++) { sx += pts[p * 3]!; sy += pts[p * 3 + 1]!; sz += pts[p * 3 + 2]!; }
  const centroid: Vec3 = [sx / n, sy / n, sz / n];
  let cxx = 0, cyy = 0, czz = 0, cxy = 0, cxz = 0, cyz = 0;
  for (let p = 0; p < n; p++) {
    const x = pts[p * 3]! - centroid[0], y = pts[p * 3 + 1]! - centroid[1], z = pts[p * 3 + 2]! - centroid[2];
    cxx += x * x; cyy += y * y; czz += z * z; cxy += x * y; cxz += x * z; cyz += y * z;
  }
  const { values: eig, vectors } = symmetricEigen3([cxx / n, cxy / n, cxz / n, cyy / n, cyz / n, czz / n]);
  const axesIjk: [Vec3, Vec3, Vec3] = [geom.axis(0), geom.axis(1), geom.axis(2)];
  const sp = geom.spacingMm;
  const voxelWidth = (u: Readonly<Vec3>) => {
    let w = 0;
    for (let a = 0; a < 3; a++) { const ax = axesIjk[a]!; w += Math.abs(u[0] * ax[0] + u[1] * ax[1] + u[2] * ax[2]) * sp[a]!; }
    return w;
  };
  const diam: Vec3 = [0, 0, 0];
  for (let a = 0; a < 3; a++) {
    const u = vectors[a]!;
    let lo = Infinity, hi = -Infinity;
    for (let p = 0; p < n; p++) {
      const t = pts[p * 3]! * u[0] + pts[p * 3 + 1]! * u[1] + pts[p * 3 + 2]! * u[2];
      if (t < lo) lo = t; if (t > hi) hi = t;
    }
    diam[a] = hi - lo + voxelWidth(u);
  }
  // Feret over boundary voxels
  const bIdx: number[] = [];
  for (let p = 0; p < n; p++) if (isBoundary[p]) bIdx.push(p);
  const fer = feret(pts, bIdx, centroid);
  const dir = unit([pts[fer.q * 3]! - pts[fer.p * 3]!, pts[fer.q * 3 + 1]! - pts[fer.p * 3 + 1]!, pts[fer.q * 3 + 2]! - pts[fer.p * 3 + 2]!]);
  const maxDiameterMm = fer.d + 0.5 * voxelWidth(dir);

  // ABC/2 on slices
  const abcAxial = axialAbc(geom, pts, kOf, box[2], box[5], false);
  const abcAxialKothari = axialAbc(geom, pts, kOf, box[2], box[5], true);

  let valuesOut: LesionStats['values'] = null;
  if (vals) {
    const mean = vSum / n;
    let ss = 0;
    for (let p = 0; p < n; p++) ss += (vals[p]! - mean) ** 2;
    valuesOut = { mean, min: vMin, max: vMax, sd: n > 1 ? Math.sqrt(ss / (n - 1)) : 0 };
  }
  const volumeMl = (n * geom.voxelVolumeMm3) / 1000;
  return {
    label,
    voxelCount: n,
    volumeMl,
    centroidLps: centroid,
    values: valuesOut,
    principalAxes: vectors,
    principalVariancesMm2: eig,
    principalDiametersMm: diam,
    maxDiameterMm,
    maxDiameterEndpointsLps: [
      [pts[fer.p * 3]!, pts[fer.p * 3 + 1]!, pts[fer.p * 3 + 2]!],
      [pts[fer.q * 3]!, pts[fer.q * 3 + 1]!, pts[fer.q * 3 + 2]!],
    ],
    abcAxial,
    abcAxialKothari,
    abcPrincipal: { aMm: diam[0], bMm: diam[1], cMm: diam[2], volumeMl: (diam[0] * diam[1] * diam[2]) / 2 / 1000 },
    exceeds30mm: maxDiameterMm > 30,
    cohortZ: cohortZ(volumeMl),
    ...partialVolumeFields(volume && options.partialVolume ? partialVolumeEstimate(volume, labels.offsetsOf(label)) : null, valuesOut?.mean ?? null),
  };
}

function partialVolumeFields(pv: { volumeMl: number; lesionLevel: number; meanBackground: number } | null, meanHu: number | null): { partialVolumeMl: number | null; partialVolumeOneLevel: boolean | null } {
  if (!pv) return { partialVolumeMl: null, partialVolumeOneLevel: null };
  const t = meanHu !== null && Number.isFinite(pv.lesionLevel) && Number.isFinite(pv.meanBackground) && pv.meanBackground !== pv.lesionLevel
    ? (meanHu - pv.lesionLevel) / (pv.meanBackground - pv.lesionLevel) : NaN;
  return { partialVolumeMl: pv.volumeMl, partialVolumeOneLevel: t >= -0.25 && t <= 0.5 };
}

/** z-scores of a lesion volume against the source study's arms (Tian et al. 2022). */
export function cohortZ(volumeMl: number): { 'PSP+RFA': number; PSP: number } {
  return {
    'PSP+RFA': (volumeMl - STUDY_COHORTS['PSP+RFA'].meanMl) / STUDY_COHORTS['PSP+RFA'].sdMl,
    PSP: (volumeMl - STUDY_COHORTS.PSP.meanMl) / STUDY_COHORTS.PSP.sdMl,
  };
}

// ---------------------------------------------------------------------------------------------

function unit(v: Vec3): Vec3 {
  const l = Math.hypot(v[0], v[1], v[2]);
  return l > 0 ? [v[0] / l, v[1] / l, v[2] / l] : [1, 0, 0];
}

/** Largest centre-to-centre distance among points (flat xyz, LPS mm): the Feret diameter of a point set. */
export function maxDistanceOfPoints(pts: Float64Array): number {
  const n = pts.length / 3;
  if (n < 2) return 0;
  const c: Vec3 = [0, 0, 0];
  for (let i = 0; i < n; i++) { c[0] += pts[3 * i]! / n; c[1] += pts[3 * i + 1]! / n; c[2] += pts[3 * i + 2]! / n; }
  return feret(pts, Array.from({ length: n }, (_, i) => i), c).d;
}

/**
 * Exact farthest pair among points `idx` (flat xyz in pts). Points are sorted by distance r
 * from the centroid; a pair (i, j) cannot beat the best when r_i + r_j ≤ best, which prunes
 * nearly every pair for compact shapes.
 */
function feret(pts: Float64Array, idx: number[], c: Readonly<Vec3>): { d: number; p: number; q: number } {
  const m = idx.length;
  if (m === 0) return { d: 0, p: 0, q: 0 };
  const r = new Float64Array(m);
  const order = idx.map((p, t) => {
    r[t] = Math.hypot(pts[p * 3]! - c[0], pts[p * 3 + 1]! - c[1], pts[p * 3 + 2]! - c[2]);
    return t;
  });
  order.sort((a, b) => r[b]! - r[a]!);
  const xs = new Float64Array(m * 3), rs = new Float64Array(m), ids = new Int32Array(m);
  for (let t = 0; t < m; t++) {
    const p = idx[order[t]!]!;
    xs[t * 3] = pts[p * 3]!; xs[t * 3 + 1] = pts[p * 3 + 1]!; xs[t * 3 + 2] = pts[p * 3 + 2]!;
    rs[t] = r[order[t]!]!; ids[t] = p;
  }
  let best2 = -1, bp = idx[0]!, bq = idx[0]!;
  for (let a = 0; a < m; a++) {
    const ra = rs[a]!;
    const best = Math.sqrt(Math.max(best2, 0));
    if (a + 1 < m && ra + rs[a + 1]! <= best) break;
    const ax = xs[a * 3]!, ay = xs[a * 3 + 1]!, az = xs[a * 3 + 2]!;
    for (let b = a + 1; b < m; b++) {
      if (ra + rs[b]! <= Math.sqrt(Math.max(best2, 0))) break;
      const dx = xs[b * 3]! - ax, dy = xs[b * 3 + 1]! - ay, dz = xs[b * 3 + 2]! - az;
      const d2 = dx * dx + dy * dy + dz * dz;
      if (d2 > best2) { best2 = d2; bp = ids[a]!; bq = ids[b]!; }
    }
  }
  return { d: Math.sqrt(Math.max(best2, 0)), p: bp, q: bq };
}

function axialAbc(
  geom: LabelMap['geometry'], pts: Float64Array, kOf: Int32Array, k0: number, k1: number, kothari: boolean,
): AxialAbc {
  const nk = k1 - k0 + 1;
  const counts = new Int32Array(nk);
  for (let p = 0; p < kOf.length; p++) counts[kOf[p]! - k0]!++;
  let best = 0;
  for (let t = 1; t < nk; t++) if (counts[t]! > counts[best]!) best = t;
  const kStar = best + k0;
  const iAx = geom.axis(0), jAx = geom.axis(1), kAx = geom.axis(2);
  const normal = unit([iAx[1] * jAx[2] - iAx[2] * jAx[1], iAx[2] * jAx[0] - iAx[0] * jAx[2], iAx[0] * jAx[1] - iAx[1] * jAx[0]]);
  const sliceSep = geom.spacingMm[2] * Math.abs(kAx[0] * normal[0] + kAx[1] * normal[1] + kAx[2] * normal[2]);
  // A: exact Feret over the voxel centres of slice*
  const inSlice: number[] = [];
  for (let p = 0; p < kOf.length; p++) if (kOf[p] === kStar) inSlice.push(p);
  let cx = 0, cy = 0, cz = 0;
  for (const p of inSlice) { cx += pts[p * 3]!; cy += pts[p * 3 + 1]!; cz += pts[p * 3 + 2]!; }
  const cs: Vec3 = [cx / inSlice.length, cy / inSlice.length, cz / inSlice.length];
  const f = feret(pts, inSlice, cs);
  const aDir = f.d > 0 ? unit([pts[f.q * 3]! - pts[f.p * 3]!, pts[f.q * 3 + 1]! - pts[f.p * 3 + 1]!, pts[f.q * 3 + 2]! - pts[f.p * 3 + 2]!]) : iAx;
  // in-plane direction for A's voxel width: project out the normal component
  const aMm = f.d + 0.5 * voxelWidthInPlane(aDir, geom);
  const perp = unit([normal[1] * aDir[2] - normal[2] * aDir[1], normal[2] * aDir[0] - normal[0] * aDir[2], normal[0] * aDir[1] - normal[1] * aDir[0]]);
  let lo = Infinity, hi = -Infinity;
  for (const p of inSlice) {
    const t = pts[p * 3]! * perp[0] + pts[p * 3 + 1]! * perp[1] + pts[p * 3 + 2]! * perp[2];
    if (t < lo) lo = t; if (t > hi) hi = t;
  }
  const bMm = hi - lo + voxelWidthInPlane(perp, geom);
  let sliceCount = 0, weighted = 0;
  const maxArea = counts[best]!;
  for (let t = 0; t < nk; t++) {
    const a = counts[t]!;
    if (a === 0) continue;
    sliceCount++;
    weighted += a >= 0.75 * maxArea ? 1 : a >= 0.25 * maxArea ? 0.5 : 0;
  }
  const cMm = (kothari ? weighted : sliceCount) * sliceSep;
  return { aMm, bMm, cMm, volumeMl: (aMm * bMm * cMm) / 2 / 1000, slice: kStar, aDirection: aDir, sliceCount };
}

/** Width along an in-plane direction of one voxel's in-plane footprint (i and j extents only). */
function voxelWidthInPlane(u: Readonly<Vec3>, geom: LabelMap['geometry']): number {
  const iAx = geom.axis(0), jAx = geom.axis(1);
  return Math.abs(u[0] * iAx[0] + u[1] * iAx[1] + u[2] * iAx[2]) * geom.spacingMm[0] + Math.abs(u[0] * jAx[0] + u[1] * jAx[1] + u[2] * jAx[2]) * geom.spacingMm[1];
}

/**
 * Eigen-decomposition of a symmetric 3×3 matrix [xx, xy, xz, yy, yz, zz] by cyclic Jacobi
 * rotations. Returns eigenvalues descending and unit eigenvectors (LPS).
 */
export function symmetricEigen3(s: readonly number[]): { values: Vec3; vectors: [Vec3, Vec3, Vec3] } {
  const a = [[s[0]!, s[1]!, s[2]!], [s[1]!, s[3]!, s[4]!], [s[2]!, s[4]!, s[5]!]];
  const v = [[1, 0, 0], [0, 1, 0], [0, 0, 1]];
  for (let sweep = 0; sweep < 50; sweep++) {
    const off = a[0]![1]! ** 2 + a[0]![2]! ** 2 + a[1]![2]! ** 2;
    if (off < 1e-30 * (a[0]![0]! ** 2 + a[1]![1]! ** 2 + a[2]![2]! ** 2 + 1e-300)) break;
    for (let p = 0; p < 2; p++) for (let q = p + 1; q < 3; q++) {
      const apq = a[p]![q]!;
      if (Math.abs(apq) < 1e-300) continue;
      const theta = (a[q]![q]! - a[p]![p]!) / (2 * apq);
      const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
      const cs = 1 / Math.sqrt(t * t + 1), sn = t * cs;
      for (let r = 0; r < 3; r++) {
        const arp = a[r]![p]!, arq = a[r]![q]!;
        a[r]![p] = cs * arp - sn * arq;
        a[r]![q] = sn * arp + cs * arq;
      }
      for (let r = 0; r < 3; r++) {
        const apr = a[p]![r]!, aqr = a[q]![r]!;
        a[p]![r] = cs * apr - sn * aqr;
        a[q]![r] = sn * apr + cs * aqr;
      }
      for (let r = 0; r < 3; r++) {
        const vrp = v[r]![p]!, vrq = v[r]![q]!;
        v[r]![p] = cs * vrp - sn * vrq;
        v[r]![q] = sn * vrp + cs * vrq;
      }
    }
  }
  const order = [0, 1, 2].sort((x, y) => a[y]![y]! - a[x]![x]!);
  const values = order.map((i) => a[i]![i]!) as Vec3;
  const vectors = order.map((i) => [v[0]![i]!, v[1]![i]!, v[2]![i]!] as Vec3) as [Vec3, Vec3, Vec3];
  return { values, vectors };
}

/** Which volume a lesion's panel shows, and on what basis. */
export interface ShownVolume {
  volumeMl: number;
  basis: 'partial-volume' | 'voxel-count';
  /** Set when a lesion made from the image shows its voxel count because the brush or eraser edited it. */
  brushEdited?: true;
}

/**
 * The volume to show for a lesion. A mask made from the image (Grow, Shift-Grow, the Strokes tool:
 * `wholeLesion`) has the lesion's own boundary, where the partial-volume estimate
 * (partial-volume.ts) integrates the HU transition and is within 3 % on 3 mm slices while the voxel
 * count reads 19-30 % low there (README, volume accuracy). A brush-painted mask may cut through a
 * lesion or include marrow, and a lytic + sclerotic lesion has no one lesion level
 * (partialVolumeOneLevel false): there integrating the border means nothing, the voxel count is shown.
 * So is it for a mask made from the image and then edited with the brush or eraser (`brushEdited`):
 * the edited part of its boundary is where the hand put it, not the image's lesion edge, so the
 * transition the estimate integrates there is not the lesion's.
 */
export function shownVolume(s: { volumeMl: number; partialVolumeMl: number | null; partialVolumeOneLevel?: boolean | null }, wholeLesion: boolean, brushEdited = false): ShownVolume {
  if (wholeLesion && brushEdited) return { volumeMl: s.volumeMl, basis: 'voxel-count', brushEdited: true };
  return wholeLesion && s.partialVolumeMl !== null && s.partialVolumeMl > 0 && s.partialVolumeOneLevel !== false
    ? { volumeMl: s.partialVolumeMl, basis: 'partial-volume' }
    : { volumeMl: s.volumeMl, basis: 'voxel-count' };
}
