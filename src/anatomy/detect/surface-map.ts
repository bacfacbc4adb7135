/**
 * The map of the anterior-surface search (surface-openings.ts): a grid over (arc length s along the sacral long axis,
 * lateral u), STEP mm per pixel, holding the anterior surface's depth or the reformat under it; the filters and the
 * row fit that search reads it with.
 */
import { kthSmallest } from '../../core/select';

/** Map sampling (mm). */
export const STEP = 1;

/**
 * The anterior surface bridged over its openings, for reading them (openingOf). Where the cortex is thin (fatty
 * marrow on 3 mm slices reads under the cortex threshold there) the line from in front passes through a wide
 * opening and its funnel and meets cortex 15–25 mm deep over a region larger than the median window
 * (pelvic-ref-003: S2–S3 on each side, 18 × 50 mm). Across the sacrum (along u, at one level s) the anterior
 * surface is smooth at that scale: a quadratic in u (flat over the bodies, curving back over the alae) is
 * fitted to each map row's raw depths by least squares and refitted without the lines deeper than HOLE_MM
 * behind it; where a line lies more than HOLE_MM behind the row's fit, the fit's depth is taken. HOLE_MM: the
 * ridges between the bodies stand 2–4 mm proud of the surface, an opening's funnel goes deeper. A row is left
 * as it is where the fit would rest on less than half of its lines.
 */
const HOLE_MM = 5;
/** The row fit covers the row of openings (S1's lateral edge 31 mm from the midline, DOMAIN.md §6), not the alae curving back beyond it. */
const ROW_FIT_U_MM = 35;
export function bridgeOpenings(raw: Float32Array, ns: number, nu: number): Float32Array {
  const out = Float32Array.from(raw);
  const u0 = (nu - 1) / 2, uMax = Math.round(ROW_FIT_U_MM / STEP);
  for (let i = 0; i < ns; i++) {
    const js: number[] = [];
    for (let j = Math.max(0, u0 - uMax); j <= Math.min(nu - 1, u0 + uMax); j++) if (raw[i * nu + j]! === raw[i * nu + j]!) js.push(j);
    if (js.length < 9) continue;
    let use = js, coef: [number, number, number] | null = null;
    for (let it = 0; it < 4; it++) {
      // least squares d = c0 + c1 u + c2 u² (u in units of the fitted half-width, for conditioning)
      const S = [0, 0, 0, 0, 0], T = [0, 0, 0];
      for (const j of use) {
        const u = (j - u0) / uMax, d = raw[i * nu + j]!;
        let pw = 1;
        for (let k = 0; k < 5; k++) { S[k]! += pw; if (k < 3) T[k]! += pw * d; pw *= u; }
      }
      const sol = solve3x3([S[0]!, S[1]!, S[2]!, S[1]!, S[2]!, S[3]!, S[2]!, S[3]!, S[4]!], T);
      if (!sol) { coef = null; break; }
      coef = sol;
      const fit = (j: number) => { const u = (j - u0) / uMax; return sol[0] + sol[1] * u + sol[2] * u * u; };
      const next = js.filter((j) => raw[i * nu + j]! - fit(j) <= HOLE_MM);
      if (next.length === use.length) break;
      if (2 * next.length < js.length) { coef = null; break; }
      use = next;
    }
    if (!coef) continue;
    for (const j of js) {
      const u = (j - u0) / uMax, f = coef[0] + coef[1] * u + coef[2] * u * u;
      if (raw[i * nu + j]! - f > HOLE_MM) out[i * nu + j] = f;
    }
  }
  return out;
}
/** Solves the 3 × 3 system A x = b (row-major) by Cramer's rule; null when singular. */
function solve3x3(A: number[], b: number[]): [number, number, number] | null {
  const [a, bb, c, d, e, f, g, h, k] = A as [number, number, number, number, number, number, number, number, number];
  const det = a * (e * k - f * h) - bb * (d * k - f * g) + c * (d * h - e * g);
  if (!(Math.abs(det) > 1e-12)) return null;
  const [p, q, r] = b as [number, number, number];
  return [
    (p * (e * k - f * h) - bb * (q * k - f * r) + c * (q * h - e * r)) / det,
    (a * (q * k - f * r) - p * (d * k - f * g) + c * (d * r - q * g)) / det,
    (a * (e * r - q * h) - bb * (d * r - q * g) + p * (d * h - e * g)) / det,
  ];
}

/** Median of the finite values of the (2r+1)² window of a map round pixel (i, j) (NaN where fewer than half are). */
export function medianAt(m: Float32Array, ns: number, nu: number, r: number, i: number, j: number, buf: Float64Array): number {
  let cnt = 0;
  for (let di = -r; di <= r; di++) for (let dj = -r; dj <= r; dj++) {
    const ii = i + di, jj = j + dj;
    if (ii < 0 || jj < 0 || ii >= ns || jj >= nu) continue;
    const v = m[ii * nu + jj]!;
    if (v === v) buf[cnt++] = v;
  }
  return cnt * 2 > (2 * r + 1) ** 2 ? kthSmallest(buf, cnt, cnt >> 1) : NaN;
}

/** Median of the finite values of a (2r+1)² window of a map, as medianAt at every pixel (NaN where fewer than half are). */
export function medianFilter(m: Float32Array, ns: number, nu: number, r: number): Float32Array {
  const out = new Float32Array(m.length).fill(NaN);
  if (medianFilterHalfSteps(m, ns, nu, r, out)) return out;
  const buf = new Float64Array((2 * r + 1) ** 2);
  for (let i = 0; i < ns; i++) for (let j = 0; j < nu; j++) out[i * nu + j] = medianAt(m, ns, nu, r, i, j, buf);
  return out;
}

/** Distinct half-steps a map may span for medianFilterHalfSteps (the surface depths span 181: ±45 mm by 0.5). */
const MAX_HALF_STEP_BINS = 1024;

/**
 * medianFilter where every finite value of the map is a whole number of half units within MAX_HALF_STEP_BINS of each
 * other (the surface's depths: the march along each line steps by 0.5 mm from −45 mm, exact in binary): a histogram
 * of the window slid along each row (a column in, a column out) instead of a selection per pixel. The median of a
 * window is a function of its values alone, so the result is medianAt's value for value (its k-th smallest,
 * k = ⌊count/2⌋, is the value at which the histogram's running count first passes k). False (out untouched) where the
 * map is not of that kind.
 */
function medianFilterHalfSteps(m: Float32Array, ns: number, nu: number, r: number, out: Float32Array): boolean {
  let lo = Infinity, hi = -Infinity;
  for (let n = 0; n < m.length; n++) {
    const v = m[n]!;
    if (!(v === v)) continue;
    const q = 2 * v;
    if (!Number.isInteger(q)) return false;
    if (q < lo) lo = q;
    if (q > hi) hi = q;
  }
  if (lo === Infinity) return true;
  if (!(hi - lo < MAX_HALF_STEP_BINS)) return false;
  const hist = new Int32Array(hi - lo + 1), need = (2 * r + 1) ** 2;
  const column = (i: number, j: number, d: number): number => {
    let cnt = 0;
    if (j < 0 || j >= nu) return 0;
    for (let ii = Math.max(0, i - r); ii <= Math.min(ns - 1, i + r); ii++) {
      const v = m[ii * nu + j]!;
      if (v === v) { hist[2 * v - lo]! += d; cnt++; }
    }
    return cnt;
  };
  for (let i = 0; i < ns; i++) {
    hist.fill(0);
    let cnt = 0;
    for (let j = -r; j <= r; j++) cnt += column(i, j, 1);
    for (let j = 0; j < nu; j++) {
      if (cnt * 2 > need) {
        const k = cnt >> 1;
        let b = 0, below = hist[0]!;
        while (below <= k) below += hist[++b]!;
        out[i * nu + j] = (b + lo) / 2;
      }
      cnt -= column(i, j - r, -1);
      cnt += column(i, j + r + 1, 1);
    }
  }
  return true;
}

export function robustSpreadOf(vals: number[]): number {
  if (vals.length < 4) return NaN;
  const s = [...vals].sort((a, b) => a - b);
  const q = (f: number) => s[Math.min(s.length - 1, Math.floor(f * s.length))]!;
  return (q(0.75) - q(0.25)) / 1.349;
}
