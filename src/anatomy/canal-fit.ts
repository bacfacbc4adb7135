/**
 * The sacral canal from two or three clicks along it (pure).
 *
 * The clicks are ordered cranial → caudal along their own principal direction and joined by a
 * polyline. Every 3 mm along it, in the plane perpendicular to the local direction, the canal is
 * the lumen walled by bone nearest the line (local-image.ts `holeScore`; on MR darker or brighter than
 * its wall, see canalPolarities; radii 3–10 mm: the S1
 * canal is ≥ 10 mm in sagittal diameter, DOMAIN.md §6, narrowing to the hiatus), searched within
 * 5 mm. Where no walled lumen is seen (the open hiatus, a thick slice) the point stays on the line
 * and keeps its neighbours' radius. The centres are smoothed over three points so that one noisy
 * section cannot kink the line.
 */
import type { Vec3 } from '../core/vec3';
import type { ScalarVolume } from '../core/volume';
import { nowMs } from '../core/clock';
import { IndexSampler, holeScore, lumenPolarity, perpendicularBasis, robustSpread, slabImage } from './local-image';

export interface CanalFit {
  centerlineLps: Vec3[];
  radiusMm: number[];
  /** Share of the sections where a walled lumen was found (0..1). */
  seenFraction: number;
  timeMs: number;
}

const STEP_MM = 3;
const SEARCH_MM = 5;
/** Pull towards the clicked line, in spread units at the search limit: the user clicked in the canal. */
const CANAL_PULL = 0.3;
const RADII = [3, 4, 5, 6, 7.5, 9, 10];

/**
 * Lumen polarities to try. CT: the canal is darker than its bony wall. MR: the cortex is a signal
 * void either way, but the canal holds CSF down to S2 (dark on T1, bright on T2) and fat below it
 * (bright on both), so both are tried and each section keeps the clearer.
 */
function canalPolarities(volume: Pick<ScalarVolume, 'modality' | 'units'>): (1 | -1)[] {
  return lumenPolarity(volume) > 0 ? [1] : [-1, 1];
}

function sub(a: Readonly<Vec3>, b: Readonly<Vec3>): Vec3 { return [a[0] - b[0], a[1] - b[1], a[2] - b[2]]; }
function add(a: Readonly<Vec3>, b: Readonly<Vec3>, s = 1): Vec3 { return [a[0] + b[0] * s, a[1] + b[1] * s, a[2] + b[2] * s]; }
function len(a: Readonly<Vec3>): number { return Math.hypot(a[0], a[1], a[2]); }
function norm(a: Readonly<Vec3>): Vec3 { const n = len(a) || 1; return [a[0] / n, a[1] / n, a[2] / n]; }

/** Orders clicks along the line through the first and last (cranial end first: larger z in LPS). */
export function orderClicks(clicks: readonly Vec3[]): Vec3[] {
  if (clicks.length < 2) return clicks.map((p) => [...p] as Vec3);
  let a = 0, b = 1, best = -1;
  for (let i = 0; i < clicks.length; i++) for (let j = i + 1; j < clicks.length; j++) { const d = len(sub(clicks[i]!, clicks[j]!)); if (d > best) { best = d; a = i; b = j; } }
  let dir = norm(sub(clicks[b]!, clicks[a]!));
  if (dir[2] > 0) dir = [-dir[0], -dir[1], -dir[2]]; // cranial → caudal: z decreases
  const origin = clicks[a]!;
  return [...clicks].map((p) => [...p] as Vec3).sort((p, q) => {
    const sp = (p[0] - origin[0]) * dir[0] + (p[1] - origin[1]) * dir[1] + (p[2] - origin[2]) * dir[2];
    const sq = (q[0] - origin[0]) * dir[0] + (q[1] - origin[1]) * dir[1] + (q[2] - origin[2]) * dir[2];
    return sp - sq;
  });
}

export function fitCanal(volume: ScalarVolume, clicks: readonly Vec3[]): CanalFit | null {
  const t0 = nowMs();
  if (clicks.length < 2) return null;
  const pts = orderClicks(clicks);
  const polarities = canalPolarities(volume);
  const s = new IndexSampler(volume);
  // the polyline through the clicks, resampled every STEP_MM
  const line: { p: Vec3; d: Vec3 }[] = [];
  for (let k = 1; k < pts.length; k++) {
    const a = pts[k - 1]!, b = pts[k]!, ab = sub(b, a), L = len(ab), d = norm(ab);
    const n = Math.max(1, Math.round(L / STEP_MM));
    for (let i = k === 1 ? 0 : 1; i <= n; i++) line.push({ p: add(a, ab, i / n), d });
  }
  // smooth the directions at the joints
  for (let i = 1; i < line.length - 1; i++) line[i]!.d = norm(add(line[i - 1]!.d, line[i + 1]!.d));
  const spreadVals: number[] = [];
  for (const { p } of line) for (let z = -8; z <= 8; z += 4) for (let y = -8; y <= 8; y += 4) for (let x = -8; x <= 8; x += 4) spreadVals.push(s.atLps([p[0] + x, p[1] + y, p[2] + z]));
  const spread = robustSpread(spreadVals) || 1;
  const centres: Vec3[] = [], radii: (number | null)[] = [];
  let seen = 0;
  for (const { p, d } of line) {
    const [e1, e2] = perpendicularBasis(d);
    const img = slabImage(s, p, e1, e2, d, SEARCH_MM + 10 + 2, 1, [-1.5, 0, 1.5]);
    let best = { score: -Infinity, cx: img.half, cy: img.half, r: 0 };
    for (let dy = -SEARCH_MM; dy <= SEARCH_MM; dy++) {
      for (let dx = -SEARCH_MM; dx <= SEARCH_MM; dx++) {
        const dd = Math.hypot(dx, dy);
        if (dd > SEARCH_MM) continue;
        for (const r of RADII) for (const polarity of polarities) {
          const h = holeScore(img, img.half + dx, img.half + dy, r, polarity);
          // a small pull towards the clicked line (0.3 spread units at the search limit)
          const sc = h.score / spread - (CANAL_PULL * dd) / SEARCH_MM;
          if (sc > best.score) best = { score: sc, cx: img.half + dx, cy: img.half + dy, r };
        }
      }
    }
    if (best.score >= 0.3) {
      seen++;
      centres.push(add(add(p, e1, best.cx - img.half), e2, best.cy - img.half));
      radii.push(best.r);
    } else {
      centres.push(p);
      radii.push(null);
    }
  }
  // radii where no lumen was seen: the nearest seen radius (else a typical 5 mm)
  const rOut = radii.map((r, i) => {
    if (r !== null) return r;
    for (let k = 1; k < radii.length; k++) {
      const a = radii[i - k], b = radii[i + k];
      if (a !== undefined && a !== null) return a;
      if (b !== undefined && b !== null) return b;
    }
    return 5;
  });
  const smooth = centres.map((c, i) => {
    if (i === 0 || i === centres.length - 1) return c;
    const a = centres[i - 1]!, b = centres[i + 1]!;
    return [(a[0] + 2 * c[0] + b[0]) / 4, (a[1] + 2 * c[1] + b[1]) / 4, (a[2] + 2 * c[2] + b[2]) / 4] as Vec3;
  });
  return { centerlineLps: smooth, radiusMm: rOut, seenFraction: seen / line.length, timeMs: nowMs() - t0 };
}

/**
 * Share of a canal's centreline points where the image shows a walled lumen within 2 mm of the point
 * (the same section test as the fit): the image evidence behind a suggested canal.
 */
export function canalSeenFraction(volume: ScalarVolume, centerlineLps: readonly Vec3[]): number {
  if (centerlineLps.length < 2) return 0;
  const polarities = canalPolarities(volume);
  const s = new IndexSampler(volume);
  const vals: number[] = [];
  for (const p of centerlineLps) for (let z = -8; z <= 8; z += 4) for (let y = -8; y <= 8; y += 4) for (let x = -8; x <= 8; x += 4) vals.push(s.atLps([p[0] + x, p[1] + y, p[2] + z]));
  const spread = robustSpread(vals) || 1;
  let seen = 0;
  for (let i = 0; i < centerlineLps.length; i++) {
    const a = centerlineLps[Math.max(0, i - 1)]!, b = centerlineLps[Math.min(centerlineLps.length - 1, i + 1)]!;
    const d = norm(sub(b, a)), p = centerlineLps[i]!;
    const [e1, e2] = perpendicularBasis(d);
    const img = slabImage(s, p, e1, e2, d, 2 + 10 + 2, 1, [-1.5, 0, 1.5]);
    let best = -Infinity;
    for (let dy = -2; dy <= 2; dy++) for (let dx = -2; dx <= 2; dx++) for (const r of RADII) for (const polarity of polarities) {
      const h = holeScore(img, img.half + dx, img.half + dy, r, polarity);
      if (h.score / spread > best) best = h.score / spread;
    }
    if (best >= 0.3) seen++;
  }
  return seen / centerlineLps.length;
}
