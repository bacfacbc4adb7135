/**
 * Local foramen fit from one click (pure): the tunnel nearest to a point, with its axis, both ends,
 * radius, and a proposed level and side.
 *
 * A sacral foramen is a tube of nerve and fat walled by a thin cortex. Seen along its own axis
 * through a slab a few mm thick, it is a round lumen enclosed by a ring that differs from it (CT:
 * bright cortex round a dark lumen; MR: a signal-void cortex round bright fat); seen along any other
 * direction the ring smears out. So the fit tries directions over a hemisphere, forms a slab image
 * (8 mm thick) perpendicular to each, and scores every lumen centre near the click and every radius
 * by `holeScore` (the rim must close round three quarters of the lumen) divided by the local spread
 * of the image, which makes the score independent of the marrow's brightness and of the modality's
 * units. The best direction is refined, then the lumen is followed slice by slice both ways along
 * the axis while it stays enclosed: its two ends are the openings (the one further posterior in the
 * patient, larger y, is the posterior one).
 *
 * Level and side come from the sacral frame when one is known (side by the midline plane; level by
 * the nearest junction between consecutive body centres, where the anterior foramina sit), else
 * they are left to the caller.
 */
import type { Vec3 } from '../core/vec3';
import type { ScalarVolume } from '../core/volume';
import { nowMs } from '../core/clock';
import { IndexSampler, LazySlab, holeReachPx, holeScore, lumenPolarity, perpendicularBasis, robustSpread, slabImage, type SlabImage } from './local-image';
import type { SacralFrame, SacralLevel, Side } from './types';

export interface ForamenFitOptions {
  /** How far from the click the lumen centre may lie (mm). Default 7. */
  searchMm?: number;
  /** Known sacral frame for the level and side proposal. */
  frame?: SacralFrame | null;
  /** Lumen polarity; default from the modality (CT +1, MR −1). */
  polarity?: 1 | -1;
  /** Only axes within `coneDeg` of this direction (checking a suggestion whose axis is known). */
  axisHint?: Vec3;
  coneDeg?: number;
  /**
   * Put the capsule on the refined axis through the best cross-section (the ends of the followed
   * lumen projected onto it), instead of the chord between the two ends: a lumen followed round a
   * bend otherwise gives a chord that misses the cross-section that was best seen, which is where a
   * user clicked (the Foramen tool sets it).
   */
  straightAxis?: boolean;
}

export interface ForamenFit {
  anteriorLps: Vec3;
  posteriorLps: Vec3;
  /** Centre of the best cross-section (where the lumen is most clearly enclosed). */
  centreLps: Vec3;
  /** Unit axis, anterior → posterior opening. */
  axisLps: Vec3;
  radiusMm: number;
  /** Rim-over-lumen contrast (4th lowest of 16 sectors) divided by the local spread of the image. */
  score: number;
  /** Length over which the lumen stays enclosed (mm). */
  tubeLengthMm: number;
  level: SacralLevel | null;
  side: Side | null;
  timeMs: number;
}

const RADII = [2, 2.75, 3.5, 4.5, 5.5, 6.5];
const RADII_MAX = Math.max(...RADII);
const SLAB_DEPTHS = [-4, -2, 0, 2, 4];
const COARSE_DEPTHS = SLAB_DEPTHS;

/** Fibonacci points on the half sphere y ≥ 0 (a direction and its opposite are the same axis). */
function hemisphere(n: number): Vec3[] {
  const out: Vec3[] = [];
  const golden = Math.PI * (3 - Math.sqrt(5));
  for (let i = 0; i < n; i++) {
    const y = 1 - (i + 0.5) / n; // 1 → 0
    const r = Math.sqrt(1 - y * y), th = golden * i;
    out.push([r * Math.cos(th), y, r * Math.sin(th)]);
  }
  return out;
}
const DIRS = hemisphere(64);
/** Anterior foramina are 2.5–6.5 mm in radius (DOMAIN.md §8); a lumen wider than 7 mm is the canal or a dark box. */
const R_MIN = 1.5;
export const R_MAX = 7;
/**
 * Priors, in units of the score (contrast ÷ local spread, a well-walled lumen scores 0.6–1.8): a
 * centre at the search limit costs 0.8, since the user clicked on the opening, not beside it (a
 * neighbouring lumen of another level lies 15–30 mm away, outside the search); each mm of radius
 * beyond 5 costs 0.1, since a funnel-shaped opening otherwise pulls the ring out to the surface
 * cortex. Chosen on the real scans of test/anatomy/fixtures (clicks 0–4 mm off the opening).
 */
const PULL = 0.8;
const RPEN = 0.1;

interface Best { score: number; cx: number; cy: number; r: number; lumen: number }

/**
 * Best lumen (centre in pixels, radius) in a slab image within `searchPx` of `(sx, sy)`. With a `floor` (the
 * best of earlier images) only a lumen scoring above it is returned (else the score is the floor): the rest of
 * a ring is not sampled once it cannot beat that (holeScore).
 */
function bestHole(img: SlabImage, sx: number, sy: number, searchPx: number, stepPx: number, radii: readonly number[], polarity: 1 | -1, spread: number, penaltyPerPx: number, floor = -Infinity): Best {
  let best: Best = { score: floor, cx: sx, cy: sy, r: radii[0]!, lumen: NaN };
  for (let dy = -searchPx; dy <= searchPx + 1e-9; dy += stepPx) {
    for (let dx = -searchPx; dx <= searchPx + 1e-9; dx += stepPx) {
      const dd = Math.hypot(dx, dy);
      if (dd > searchPx + 1e-9) continue;
      const pull = penaltyPerPx * dd;
      for (const r of radii) {
        const wide = RPEN * Math.max(0, r - 5);
        const h = holeScore(img, sx + dx, sy + dy, r, polarity, spread, pull, wide, best.score);
        if (!(h.score === h.score)) continue;
        const s = h.score / spread - pull - wide;
        if (s > best.score) best = { score: s, cx: sx + dx, cy: sy + dy, r, lumen: h.lumen };
      }
    }
  }
  return best;
}

function add(a: Readonly<Vec3>, b: Readonly<Vec3>, s = 1): Vec3 { return [a[0] + b[0] * s, a[1] + b[1] * s, a[2] + b[2] * s]; }
function norm(a: Readonly<Vec3>): Vec3 { const n = Math.hypot(a[0], a[1], a[2]); return [a[0] / n, a[1] / n, a[2] / n]; }
function dot(a: Readonly<Vec3>, b: Readonly<Vec3>): number { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }

/** Local image spread (σ) in a 24 mm cube around a point, sampled every 2 mm. */
function localSpread(s: IndexSampler, p: Readonly<Vec3>): number {
  const vals: number[] = [];
  for (let z = -12; z <= 12; z += 2) for (let y = -12; y <= 12; y += 2) for (let x = -12; x <= 12; x += 2) vals.push(s.atLps([p[0] + x, p[1] + y, p[2] + z]));
  const sp = robustSpread(vals);
  return sp > 0 ? sp : 1;
}

/** Score of the lumen at a 3D point for axis d: the best hole within `searchMm` in a thin slab, centre returned in 3D. */
function sectionAt(s: IndexSampler, p: Readonly<Vec3>, d: Readonly<Vec3>, radiusMm: number, searchMm: number, polarity: 1 | -1, spread: number): { score: number; centre: Vec3; r: number } {
  const [e1, e2] = perpendicularBasis(d);
  const radii = [radiusMm * 0.8, radiusMm, radiusMm * 1.25].filter((r) => r >= 1.5);
  const img = new LazySlab(s, p, e1, e2, d, radiusMm + 3 + searchMm, 0.5, [-3, -1.5, 0, 1.5, 3]);
  const b = bestHole(img, img.half, img.half, searchMm / 0.5, 1, radii, polarity, spread, 0);
  const centre = add(add(p, e1, (b.cx - img.half) * 0.5), e2, (b.cy - img.half) * 0.5);
  return { score: b.score, centre, r: b.r };
}

/** The options of a user's click with the Foramen tool (the case's fitForamen command). */
export const FORAMEN_TOOL_OPTIONS: Readonly<Pick<ForamenFitOptions, 'straightAxis'>> = { straightAxis: true };

export function fitForamen(volume: ScalarVolume, clickLps: Readonly<Vec3>, opts: ForamenFitOptions = {}): ForamenFit | null {
  const t0 = nowMs();
  const polarity = opts.polarity ?? lumenPolarity(volume);
  const searchMm = opts.searchMm ?? 7;
  const s = new IndexSampler(volume);
  const spread = localSpread(s, clickLps);
  const px = 1, halfMm = searchMm + 6.5 + 2;
  const buf = new Float32Array((2 * Math.round(halfMm / px) + 1) ** 2);
  // 1. coarse: every direction, 1 mm centres, six radii; a small pull towards the click
  const penalty = PULL / (searchMm / px);
  let best: (Best & { d: Vec3 }) | null = null;
  const hint = opts.axisHint ? norm(opts.axisHint) : null, cosCone = Math.cos(((opts.coneDeg ?? 30) * Math.PI) / 180);
  for (const d of DIRS) {
    if (hint && Math.abs(dot(d, hint)) < cosCone) continue;
    const [e1, e2] = perpendicularBasis(d);
    const img = slabImage(s, clickLps, e1, e2, d, halfMm, px, COARSE_DEPTHS, buf, holeReachPx(searchMm / px, RADII_MAX, px));
    // a direction only counts where it beats the best so far (its lumens below that are not scored in full)
    const b = bestHole(img, img.half, img.half, searchMm / px, 1, RADII, polarity, spread, penalty, best ? best.score : -Infinity);
    if (!best || b.score > best.score) best = { ...b, d, cx: b.cx - img.half, cy: b.cy - img.half };
  }
  if (!best || !(best.score > 0)) return null;
  // centre of the coarse best in 3D
  let d = best.d;
  let [e1, e2] = perpendicularBasis(d);
  let centre = add(add(clickLps, e1, best.cx * px), e2, best.cy * px);
  let r = best.r, score = best.score;
  // 2. refine the direction (tilts of 8°, 4°, 2°) and centre (0.5 mm) and radius (0.25 mm)
  for (const stepDeg of [8, 4, 2]) {
    const t = Math.tan((stepDeg * Math.PI) / 180);
    let improved = true;
    while (improved) {
      improved = false;
      [e1, e2] = perpendicularBasis(d);
      for (const [a, b] of [[1, 0], [-1, 0], [0, 1], [0, -1]] as const) {
        const nd = norm(add(add(d, e1, a * t), e2, b * t));
        const [f1, f2] = perpendicularBasis(nd);
        const radii = [r - 0.5, r - 0.25, r, r + 0.25, r + 0.5].filter((x) => x >= R_MIN && x <= R_MAX);
        // computed where read: most tilts do not improve, and their rings stop after a few sectors
        const img = new LazySlab(s, centre, f1, f2, nd, 3 + 6.5 + 2, 0.5, SLAB_DEPTHS);
        // only a lumen scoring above score + 1e-6 is taken: the others need not be scored in full
        const h = bestHole(img, img.half, img.half, 3, 1, radii, polarity, spread, 0, score + 1e-6);
        if (h.score > score + 1e-6) {
          score = h.score; r = h.r; d = nd;
          centre = add(add(centre, f1, (h.cx - img.half) * 0.5), f2, (h.cy - img.half) * 0.5);
          improved = true;
          break;
        }
      }
    }
  }
  // 3. follow the lumen both ways while it stays enclosed (score ≥ half the best and ≥ 1 spread unit)
  const keep = 0.5 * score;
  const ends: Vec3[] = [];
  for (const sign of [1, -1]) {
    let p: Vec3 = centre, dir: Vec3 = sign > 0 ? d : [-d[0], -d[1], -d[2]];
    let misses = 0, last: Vec3 = centre;
    for (let step = 1; step <= 30; step++) {
      const q = add(p, dir, 1);
      const sec = sectionAt(s, q, d, r, 1, polarity, spread);
      if (!(sec.score >= keep)) { if (++misses >= 2) break; p = q; continue; }
      misses = 0;
      // follow a gently bending tunnel: re-centre, keep the direction within the refined axis' cone
      const moved = add(sec.centre, last, -1);
      if (Math.hypot(...moved) > 0.5) dir = norm(add(dir, norm(moved), 0.3));
      if (dot(dir, sign > 0 ? d : [-d[0], -d[1], -d[2]]) < Math.cos((35 * Math.PI) / 180)) dir = sign > 0 ? d : [-d[0], -d[1], -d[2]];
      p = sec.centre; last = sec.centre;
    }
    ends.push(last);
  }
  let [a, b] = ends as [Vec3, Vec3];
  if (opts.straightAxis) {
    // the capsule on the refined axis through the best cross-section, as long as the lumen was followed
    a = add(centre, d, dot(add(a, centre, -1), d));
    b = add(centre, d, dot(add(b, centre, -1), d));
  }
  // a short tube still gets a capsule along the fitted axis (at least 2 × radius long)
  const len = Math.hypot(b[0] - a[0], b[1] - a[1], b[2] - a[2]);
  if (len < 2 * r) { a = add(centre, d, r); b = add(centre, d, -r); }
  const anterior = a[1] <= b[1] ? a : b, posterior = anterior === a ? b : a;
  const axis = norm(add(posterior, anterior, -1));
  const { level, side } = proposeLevelSide(centre, opts.frame ?? null);
  return { anteriorLps: anterior, posteriorLps: posterior, centreLps: centre, axisLps: axis, radiusMm: r, score, tubeLengthMm: Math.max(len, 2 * r), level, side, timeMs: nowMs() - t0 };
}

/** Side by the midline plane, level by the nearest junction between consecutive body centres (S1/S2 → S1 …). */
export function proposeLevelSide(p: Readonly<Vec3>, frame: SacralFrame | null): { level: SacralLevel | null; side: Side | null } {
  if (!frame) return { level: null, side: null };
  const side: Side = dot(add(p, frame.midlinePointLps, -1), frame.midlineNormalLps) >= 0 ? 'L' : 'R';
  const c = frame.bodyCentersLps;
  let level: SacralLevel | null = null, bestD = Infinity;
  for (let k = 1; k < c.length && k <= 4; k++) {
    const m: Vec3 = [(c[k - 1]![0] + c[k]![0]) / 2, (c[k - 1]![1] + c[k]![1]) / 2, (c[k - 1]![2] + c[k]![2]) / 2];
    // distance measured in the midline plane (ignore the lateral offset)
    const v = add(p, m, -1), n = frame.midlineNormalLps, along = dot(v, n);
    const dd = Math.hypot(v[0] - n[0] * along, v[1] - n[1] * along, v[2] - n[2] * along);
    if (dd < bestD) { bestD = dd; level = `S${k}` as SacralLevel; }
  }
  return { level, side };
}
