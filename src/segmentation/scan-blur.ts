/**
 * The in-plane blur of a whole CT scan (the reconstruction kernel's point-spread function, PSF), read
 * once per volume at the body's skin/air boundary.
 *
 * Why: partial-volume.ts sizes its band for an assumed 0.4 mm PSF unless it can read a wider blur at the
 * lesion's own edge (edge-blur.ts), which it can only where the tissue around the lesion is smooth. Behind
 * a soft kernel (soft-kernel.json: the default phantom behind a 1.2 mm PSF) the tissue just outside that
 * band is still inside the blur of the lesion, cortex and foramen, reads as textured, and the blur is
 * never measured: L2, L5 grew 11-14 % low with no warning. Sizing the band for the scan's PSF there read
 * them 7-13 % high instead (the wider band takes in the blur of the cortex and foramina beside them), so
 * the scan's PSF does not replace the band's; region-grow.ts (step 11) uses it to find the lesions whose
 * figure depends on the blur and refuses them. The PSF is a property of the reconstruction,
 * the same over the whole slice, so it can be read where the image offers its cleanest edge: air
 * (−1000 HU) against the body (fat or skin, −100 … +50 HU), a 900-1000 HU step that runs along the body's
 * axis (it crosses few slices), locally planar on the scale of the blur (the body's radius of curvature is
 * 100 mm and more), with no texture on either side, and present in every CT of the pelvis
 * (../shared/phantom/sacrum_geometry.py SKIN: the phantom's body ellipse, air outside it, its posterior
 * side inside the field of view).
 *
 * Method (per edge voxel, in-plane, as edge-blur.ts): the mixture fraction u = (v − A) / (B − A) between
 * the local air level A and body level B, Φ⁻¹ of the two neighbours along each in-plane axis gives
 * g_a = n_a / σ_a, and σ_psf² = (1 − Σ g_a² h_a² / 12) / Σ g_a² (the pixel's box removed). A and B are read
 * locally, along the in-plane gradient at LEVEL_NEAR_MM … LEVEL_FAR_MM on either side (beyond 3 σ of a
 * 1.2 mm PSF, inside the subcutaneous fat of a real pelvis): each edge gets its own levels (a skin line,
 * a table pad, a fold). The median over the edge voxels of a few slices is the estimate.
 *
 * Only edges that run along the slices count (both slice neighbours read the voxel's own fraction within
 * ALONG_SLICES): the slice profile is no Gaussian and thick slices would read as blur.
 *
 * Not CT (MR: no fixed air level), too few edges (a field of view inside the body), or a result outside
 * the plausible range: NaN (not measured).
 *
 * Pure module: no DOM; the volume is read only; the result is cached per voxel array.
 */
import type { ScalarVolume } from '../core/volume';
import { EDGE_LO, clippedQuantile, psfVarianceMm2 } from './edge-blur';

/** Air: ≤ −900 HU (−1000 nominal; streaks and noise of 10-30 HU). Padding outside the reconstruction circle (−2048, −3024) is not air: < −1100. */
const AIR_MAX_HU = -900, PADDING_BELOW_HU = -1100;
/** Body surface tissue: fat −120 … −80, skin and muscle +20 … +60 HU; −400 keeps lung-like foam and pads out. */
const BODY_MIN_HU = -400, BODY_MAX_HU = 200;
/** Local levels read along the gradient this far from the edge voxel (mm): beyond 3 σ of a 1.2 mm PSF, inside 5 mm of subcutaneous fat. */
const LEVEL_NEAR_MM = 3.5, LEVEL_FAR_MM = 5;
/** Slice neighbours within this of the voxel's fraction: the edge runs along the slices (near the half level 0.4 · h_slice · sin θ / σ ≤ 0.1: a normal within 2-14° of the slice plane for a 0.4-1.2 mm PSF on 1.25-3 mm slices; edge-blur.ts ALONG_SLICES). */
const ALONG_SLICES = 0.1;
/**
 * Slices read: about this many, evenly spaced. Each gives hundreds of skin voxels, but a real skin is no
 * single step everywhere (dermis, clothing, a table pad): pelvic-ref-003 read 0.91 mm (IQR 0.73-1.22) from
 * 2911 voxels of 12 slices and 1.02 mm from 6, so the median is taken over many slices. Cost: one pass over
 * each slice, once per volume (12 slices of 512 × 512: 48 ms on the bench scene, 35-120 ms on pelvic-ref-003).
 */
const SLICES = 12;
/** Fewest edge voxels for an estimate. */
const MIN_EDGE_VOXELS = 50;
/** Plausible PSF σ (mm): clinical kernels run 0.3-1.5 mm; beyond, the edge is no single step (clothing, a pad). */
const MAX_PSF_MM = 2;

export interface ScanBlur {
  /** Median in-plane PSF σ (mm) over the skin/air edge voxels; NaN where not measured. */
  psfSigmaMm: number;
  /** Edge voxels that gave an estimate. */
  voxels: number;
  /** Interquartile range of the per-voxel estimates (mm), a check of their agreement. */
  iqrMm: [number, number];
}

const cache = new WeakMap<object, ScanBlur>();

/** The scan's in-plane PSF σ, read once per volume at its air/body boundary (module notes). */
export function scanBlur(volume: ScalarVolume): ScanBlur {
  const hit = cache.get(volume.voxels);
  if (hit) return hit;
  const r = measureScanBlur(volume);
  cache.set(volume.voxels, r);
  return r;
}

/** The same reading, uncached (benchmarks). */
export function measureScanBlur(volume: ScalarVolume): ScanBlur {
  const none: ScanBlur = { psfSigmaMm: NaN, voxels: 0, iqrMm: [NaN, NaN] };
  if (volume.units !== 'HU') return none; // MR and raw values: no fixed air level
  const [ni, nj, nk] = volume.geometry.dims;
  const [hi, hj] = volume.geometry.spacingMm as unknown as [number, number, number];
  if (nk < 3 || ni < 16 || nj < 16) return none;
  const v = volume.voxels, nij = ni * nj;
  const est: number[] = [];
  const step = Math.max(1, Math.floor((nk - 2) / SLICES));
  const rFar = LEVEL_FAR_MM;
  const margin = Math.ceil(rFar / Math.min(hi, hj)) + 1;
  const at = (i: number, j: number, base: number) => v[base + i + ni * j]!;
  for (let k = 1 + (((nk - 2) % step) >> 1); k < nk - 1; k += step) {
    const base = k * nij;
    for (let j = margin; j < nj - margin; j++) for (let i = margin; i < ni - margin; i++) {
      const x0 = at(i, j, base);
      // quick reject: only values between air and body can be on the skin's steep middle
      if (!(x0 > AIR_MAX_HU && x0 < BODY_MIN_HU)) continue;
      const gx = (at(i + 1, j, base) - at(i - 1, j, base)) / (2 * hi), gy = (at(i, j + 1, base) - at(i, j - 1, base)) / (2 * hj);
      const gn = Math.hypot(gx, gy);
      if (!(gn > 0)) continue;
      const dx = gx / gn, dy = gy / gn;
      // local levels along the gradient (nearest voxel), air side and body side; each side must be one
      // tissue (all samples within the air or body range), else this is no single step
      let A = 0, B = 0, na = 0, okA = true, okB = true;
      for (let t = LEVEL_NEAR_MM; t <= rFar + 1e-9; t += 0.5) {
        const ia = Math.round(i - (dx * t) / hi), ja = Math.round(j - (dy * t) / hj);
        const ib = Math.round(i + (dx * t) / hi), jb = Math.round(j + (dy * t) / hj);
        const a = at(ia, ja, base), b = at(ib, jb, base);
        if (!(a <= AIR_MAX_HU && a >= PADDING_BELOW_HU)) okA = false;
        if (!(b >= BODY_MIN_HU && b <= BODY_MAX_HU)) okB = false;
        A += a; B += b; na++;
      }
      if (!okA || !okB) continue;
      A /= na; B /= na;
      const c = B - A;
      const u = (x: number) => (x - A) / c;
      const u0 = u(x0);
      if (!(u0 >= EDGE_LO && u0 <= 1 - EDGE_LO)) continue;
      const up = u(v[i + ni * j + base + nij]!), dn = u(v[i + ni * j + base - nij]!);
      if (Math.abs(up - u0) > ALONG_SLICES || Math.abs(dn - u0) > ALONG_SLICES) continue;
      const g0 = (clippedQuantile(u(at(i + 1, j, base))) - clippedQuantile(u(at(i - 1, j, base)))) / (2 * hi);
      const g1 = (clippedQuantile(u(at(i, j + 1, base))) - clippedQuantile(u(at(i, j - 1, base)))) / (2 * hj);
      const var2 = psfVarianceMm2(g0, g1, hi, hj);
      if (!Number.isNaN(var2)) est.push(var2);
    }
  }
  if (est.length < MIN_EDGE_VOXELS) return { ...none, voxels: est.length };
  est.sort((a, b) => a - b);
  const pick = (p: number) => Math.sqrt(Math.max(0, est[Math.min(est.length - 1, Math.floor(p * est.length))]!));
  const med = pick(0.5);
  if (!(med <= MAX_PSF_MM)) return { ...none, voxels: est.length };
  return { psfSigmaMm: med, voxels: est.length, iqrMm: [pick(0.25), pick(0.75)] };
}
