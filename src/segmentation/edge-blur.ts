/**
 * The blur of a lesion's edge, read from the image (the scanner's point-spread function, PSF).
 *
 * Why: partial-volume.ts counts a lesion's partial-volume signal within 2.5 σ_edge of its outline and
 * takes the tissue beyond that as the background. With an assumed PSF narrower than the image's, most of
 * the blurred edge falls outside its band and inside its reference shell (fatty-soft-kernel.json: a 5 mm
 * sclerotic ball behind a 1.2 mm PSF read −21 … −12 % with a band sized for 0.4 mm, −6 % with one sized
 * for 1.2 mm). A soft reconstruction kernel or a thick-slice series reconstructed smooth is common, so
 * the blur is measured, not assumed.
 *
 * Method: a local fit of an erf edge profile at each voxel of the lesion's edge. Along a grid axis a of
 * spacing h_a, a planar edge with unit normal n, blurred by a Gaussian of σ_a along that axis, gives the
 * mixture fraction u(s) = Φ(s / σ) at signed distance s, so the two neighbours of a voxel read
 * Φ⁻¹(u(x ± h_a e_a)) = (s ± h_a n_a) / σ_a exactly, whatever the voxel's own position on the profile:
 *   g_a = (Φ⁻¹(u₊) − Φ⁻¹(u₋)) / (2 h_a) = n_a / σ_a.
 * With σ_a² = σ_psf² + h_a² / 12 (the PSF and the voxel's box, as partial-volume.ts reckons it) and
 * Σ n_a² = 1, each voxel gives σ_psf² = (1 − Σ g_a² h_a² / 12) / Σ g_a². The median over the edge voxels is
 * the estimate.
 *
 * Biases, and why they are on the safe side: fractions are clipped to [CLIP, 1 − CLIP] before Φ⁻¹, so an
 * edge sharper than the grid resolves (a 0.4 mm PSF on 0.9 mm pixels: the neighbours at ±2 σ) reads a
 * larger gradient than the clip allows, hence a blur no wider than about h / 2.3: never wider than the
 * truth. Noise and texture add variance to g and so also read the blur narrower. A voxel whose
 * neighbour along the slice axis is clipped is left out (on 3 mm slices a sharp edge crossing the slice
 * axis saturates there and, clipped, would read the slice profile as blur); where the edge runs along
 * the slices those neighbours read about the voxel's own fraction and the voxel counts.
 * Only edges against tissue well separated from the lesion carry the fit (the caller decides): in
 * textured marrow a 15-30 HU texture on a 65 HU contrast is no erf.
 *
 * Pure module: no DOM; inputs are read only.
 */

/** Fractions are clipped to [CLIP, 1 − CLIP] before Φ⁻¹ (|Φ⁻¹| ≤ 2.33). */
export const CLIP = 0.01;
/** Edge voxels: fractions within [EDGE_LO, 1 − EDGE_LO] (the steep part of the profile, where the noise moves Φ⁻¹ least). */
export const EDGE_LO = 0.25;
/**
 * Largest change of the fraction to either neighbour across the slices for an edge that runs along them:
 * near the half level a tilt θ of the normal out of the slice plane changes it by about
 * 0.4 · h_slice · sin θ / σ_slice, so 0.3 keeps normals within 14-22° of the plane on 3 mm slices (a 0.6-1.2
 * mm PSF), where reading the in-plane gradient as the whole one widens the blur by at most 1 / cos 22° = 1.08.
 * 0.1 left too few such voxels around a 5 mm ball on 3 mm slices for an estimate.
 */
const ALONG_SLICES = 0.3;
/** Fewest edge voxels for an estimate (a median of fewer is noise). */
export const MIN_EDGE_VOXELS = 10;

/** Φ⁻¹(p), the standard normal quantile (Acklam's rational approximation, relative error < 1.2e-9). */
export function normalQuantile(p: number): number {
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  if (p < lo) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  if (p > 1 - lo) return -normalQuantile(1 - p);
  const q = p - 0.5, r = q * q;
  return ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
}

/** Φ⁻¹ of a fraction of the contrast, clipped to [CLIP, 1 − CLIP] (the profile's tails carry noise, not blur). */
export function clippedQuantile(x: number): number {
  return normalQuantile(Math.min(1 - CLIP, Math.max(CLIP, x)));
}

/**
 * One edge voxel's PSF variance (mm²) from the gradients g[a] of Φ⁻¹(fraction) along in-plane axes of spacing h[a]:
 * for a Gaussian edge |∇Φ⁻¹| = 1/σ_total, and each voxel's box adds h²/12 along its axis.
 */
export function psfVarianceMm2(g0: number, g1: number, h0: number, h1: number): number {
  const sg = g0 * g0 + g1 * g1;
  return sg > 0 ? (1 - (g0 * g0 * h0 * h0) / 12 - (g1 * g1 * h1 * h1) / 12) / sg : NaN;
}

export interface EdgeBlur {
  /** Median PSF σ (mm) over the edge voxels; NaN when fewer than MIN_EDGE_VOXELS qualify. */
  psfSigmaMm: number;
  /** Edge voxels that gave an estimate. */
  voxels: number;
}

/**
 * The PSF σ (mm) of the edge between a lesion (level `lesionLevel`) and the tissue around it (level
 * `backgroundLevel`), from the voxels `near` (box-local indices: the lesion's edge band) of a box of
 * values `val` (dims, per-axis spacing in mm, `valid` marking voxels inside the image). See the module
 * notes. Axes are taken as orthogonal (a sheared grid reads the blur a little off).
 */
export function measureEdgeBlur(val: Float32Array, valid: Uint8Array, dims: readonly [number, number, number], spacingMm: readonly [number, number, number],
  near: ArrayLike<number>, lesionLevel: number, backgroundLevel: number): EdgeBlur {
  const [bi, bj, bk] = dims;
  const bij = bi * bj;
  const c = lesionLevel - backgroundLevel;
  if (!(Math.abs(c) > 0)) return { psfSigmaMm: NaN, voxels: 0 };
  const u = (n: number) => (val[n]! - backgroundLevel) / c;
  const est: number[] = [];
  for (let t = 0; t < near.length; t++) {
    const n = near[t]!;
    const u0 = u(n);
    if (!(u0 >= EDGE_LO && u0 <= 1 - EDGE_LO)) continue;
    const k = (n / bij) | 0, r = n - k * bij, j = (r / bi) | 0, i = r - j * bi;
    if (i < 1 || j < 1 || k < 1 || i >= bi - 1 || j >= bj - 1 || k >= bk - 1) continue;
    // an edge that runs along the slice axis: both neighbours across the slices read the voxel's own
    // fraction within ALONG_SLICES (a slice's box profile is no Gaussian: on 3 mm slices an edge crossing
    // them reads as blur that is the slice, hard.json's 0.6 mm PSF as 0.7-0.9 mm)
    const sk = bij;
    if (!valid[n + sk] || !valid[n - sk] || Math.abs(u(n + sk) - u0) > ALONG_SLICES || Math.abs(u(n - sk) - u0) > ALONG_SLICES) continue;
    if (!valid[n + 1] || !valid[n - 1] || !valid[n + bi] || !valid[n - bi]) continue;
    const g0 = (clippedQuantile(u(n + 1)) - clippedQuantile(u(n - 1))) / (2 * spacingMm[0]);
    const g1 = (clippedQuantile(u(n + bi)) - clippedQuantile(u(n - bi))) / (2 * spacingMm[1]);
    const var2 = psfVarianceMm2(g0, g1, spacingMm[0], spacingMm[1]);
    if (!Number.isNaN(var2)) est.push(var2);
  }
  if (est.length < MIN_EDGE_VOXELS) return { psfSigmaMm: NaN, voxels: est.length };
  est.sort((x, y) => x - y);
  const m = est.length;
  const med = m % 2 ? est[(m - 1) >> 1]! : (est[m / 2 - 1]! + est[m / 2]!) / 2;
  return { psfSigmaMm: Math.sqrt(Math.max(0, med)), voxels: m };
}
