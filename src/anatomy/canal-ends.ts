/**
 * The sacral canal measured across its own course: its centres re-measured (recentredCanal) and the line followed on
 * past its ends (followCanalEnd, withCanalEnds) (pure; working grids of detect-grid.ts).
 *
 * Why: both canal searches read the canal in planes laid by something other than the canal. The enclosed-hole
 * search (detect/canal.ts) reads axial slices or planes across the body curve, and the lumen trace (canal-lumen.ts)
 * planes across the body curve, extended above its first point along its first tangent. Near the sacral base the
 * body curve's first plane is not across the canal: on 5 mm slices with 0.8 mm pixels its front third lies in the
 * L5/S1 disc (37–44 HU against a 10 HU lumen, under the trace's 40 HU wall contrast), under a pelvis tilted 18° it
 * runs along the canal (a midline profile dark over 40 mm), and on thin cortex on 3 mm slices the hole search ends
 * at S2 where the trace's roof is too faint. The canal there is no less plain: below the L5/S1 disc down to the
 * hiatus it is a lumen enclosed by bone (the S1 body's posterior cortex in front, pedicles beside, laminae behind;
 * DOMAIN.md). Away from the ends the same planes place centres off the lumen where they cut it obliquely over a
 * thick slice (fatty-thick4p5mm: 2.4 mm behind the truth at S1, with a 25 mm gap between two centres). So each
 * centre is measured again in the plane perpendicular to the line's own course, and from each end of the line the
 * canal is followed one millimetre at a time in that plane: the lumen is the region darker than halfway between its darkest point near the
 * predicted centre and the wall around it, connected to that point; it is taken while it is enclosed in the plane
 * (it stays within WALL_REACH of the previous section's radius: the hiatus, where the roof ends, or an opening
 * leaks) and its size changes slowly (the canal narrows over centimetres, not millimetres). Its centre is the
 * region's centroid and its radius that of a disc of its area, as the trace's (canal-lumen.ts).
 */
import type { Vec3 } from '../core/vec3';
import { type WorkGrid, sampleWork } from './detect-grid';
import { floodFromBorder2d } from './detect/image-ops';
import type { Canal } from './types';

/** Plane sampling step (mm). */
const STEP_MM = 0.5;
/** The lumen's darkest point is sought within this share of the previous radius from the predicted centre. */
const SEED_SHARE = 0.5;
/** The canal's contents (epidural fat, CSF, roots) stay below this at its darkest point (canal-lumen.ts LUMEN_MAX_HU). */
const LUMEN_MAX_HU = 60;
/** The wall brighter than the lumen by at least this (canal-lumen.ts MIN_CONTRAST_HU: fatty marrow against canal fat). */
const MIN_CONTRAST_HU = 40;
/**
 * An enclosed section reaches no farther from the predicted centre than the previous radius times this plus
 * WALL_REACH_MM: the canal's cross-section changes by well under a millimetre per millimetre along it (its radius
 * falls from about 8 to 4 mm over 100 mm), so a region reaching farther has leaked through an opening.
 */
const WALL_REACH = 1.5;
const WALL_REACH_MM = 2;
/** A section's radius within [1/RADIUS_JUMP, RADIUS_JUMP] of the previous one (same reason). */
const RADIUS_JUMP = 1.35;
/** Tangent baseline (mm): the direction from the centre this far back, over which a 0.3 mm centroid scatter tilts it by 3°. */
const TANGENT_MM = 6;
/** The widest canal sought (mm): the largest radius the assisted canal fit tries (canal-fit.ts RADII); the S1 canal's sagittal diameter is ≥ ~10 mm (DOMAIN.md §6). */
const MAX_RADIUS_MM = 10;
/** At most this far past an end (mm): the sacrum's height, ~100–110 mm (DOMAIN.md §6). */
const MAX_MM = 110;

export interface CanalEnd {
  /** Centres (LPS) and radii (mm) of the sections followed past the end, in order away from it. */
  pts: Vec3[];
  radiiMm: number[];
  /** Why the following stopped. */
  stop: string;
}

/**
 * The canal's section in the plane through c perpendicular to t: the region darker than halfway between the darkest
 * point within SEED_SHARE·r of c and the wall (the upper quartile of the ring 1–3 mm outside r), connected to that
 * point, with what it encloses; its centroid and the radius of a disc of its area. A string says why there is none.
 */
function canalSectionAt(work: Float32Array, g: WorkGrid, c: Vec3, t: Vec3, r: number, reach: number): { p: Vec3; r: number } | string {
  // plane basis: lateral (x made perpendicular to t), and t × lateral
  const e1 = unit([1 - t[0] * t[0], -t[0] * t[1], -t[0] * t[2]]);
  const e2: Vec3 = [t[1] * e1[2] - t[2] * e1[1], t[2] * e1[0] - t[0] * e1[2], t[0] * e1[1] - t[1] * e1[0]];
  const half = Math.ceil((reach + 3) / STEP_MM), n = 2 * half + 1;
  const vals = new Float32Array(n * n);
  for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) {
    const u = (i - half) * STEP_MM, v = (j - half) * STEP_MM;
    vals[i + n * j] = sampleWork(work, g, c[0] + u * e1[0] + v * e2[0], c[1] + u * e1[1] + v * e2[1], c[2] + u * e1[2] + v * e2[2], 'nan');
  }
  // the darkest point near the predicted centre
  let seed = -1;
  const seedR = Math.max(1, SEED_SHARE * r) / STEP_MM;
  for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) {
    if ((i - half) ** 2 + (j - half) ** 2 > seedR * seedR) continue;
    const x = vals[i + n * j]!;
    if (Number.isNaN(x)) return 'the field of view';
    if (seed < 0 || x < vals[seed]!) seed = i + n * j;
  }
  const lum = vals[seed]!;
  if (!(lum <= LUMEN_MAX_HU)) return `no dark lumen (${lum.toFixed(0)} HU)`;
  // the wall: the upper quartile of the ring just outside r (a flattened canal's sides reach past its
  // equivalent radius, so a median could be lumen)
  const ring: number[] = [];
  for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) {
    const d = Math.hypot(i - half, j - half) * STEP_MM;
    if (d >= r + 1 && d <= r + 3 && !Number.isNaN(vals[i + n * j]!)) ring.push(vals[i + n * j]!);
  }
  ring.sort((p, q) => p - q);
  const wall = ring.length ? ring[Math.floor(0.75 * (ring.length - 1))]! : NaN;
  if (!(wall - lum >= MIN_CONTRAST_HU)) return `no wall (${(wall - lum).toFixed(0)} HU over the lumen)`;
  const thr = lum + 0.5 * (wall - lum);
  // the region below half-way, connected to the seed; enclosed within the reach
  const region = new Uint8Array(n * n), queue = new Int32Array(n * n);
  let tail = 0;
  region[seed] = 1; queue[tail++] = seed;
  for (let head = 0; head < tail; head++) {
    const k = queue[head]!, i = k % n, j = (k / n) | 0;
    if (Math.hypot(i - half, j - half) * STEP_MM > reach) return 'the lumen is open (not enclosed in the plane)';
    const push = (m: number) => { if (!region[m] && vals[m]! < thr) { region[m] = 1; queue[tail++] = m; } };
    if (i > 0) push(k - 1);
    if (i < n - 1) push(k + 1);
    if (j > 0) push(k - n);
    if (j < n - 1) push(k + n);
  }
  // what the lumen encloses (roots, the dural sac) is lumen too
  const outside = new Uint8Array(n * n);
  floodFromBorder2d(region, n, n, outside, queue);
  let area = 0, su = 0, sv = 0;
  for (let k = 0; k < n * n; k++) if (!outside[k]) { area++; su += (k % n) - half; sv += ((k / n) | 0) - half; }
  const cu = (su / area) * STEP_MM, cv = (sv / area) * STEP_MM;
  return { p: [c[0] + cu * e1[0] + cv * e2[0], c[1] + cu * e1[1] + cv * e2[1], c[2] + cu * e1[2] + cv * e2[2]], r: Math.sqrt((area * STEP_MM * STEP_MM) / Math.PI) };
}

function unit(a: Vec3): Vec3 { const n = Math.hypot(a[0], a[1], a[2]) || 1; return [a[0] / n, a[1] / n, a[2] / n]; }

/**
 * Follows the canal past the end `line[line.length − 1]` of a centre line (ordered towards that end), whose radius
 * there is `r0` (mm). `keep(p)`: whether a centre may be taken (false above the sacral base).
 */
export function followCanalEnd(work: Float32Array, g: WorkGrid, line: readonly Vec3[], r0: number, keep?: (p: Vec3) => boolean): CanalEnd {
  const hist: Vec3[] = line.map((p) => [...p] as Vec3);
  const pts: Vec3[] = [], radiiMm: number[] = [];
  const tangentFrom = (): Vec3 | null => {
    const e = hist[hist.length - 1]!;
    // the farthest point back within TANGENT_MM..2·TANGENT_MM of the end, along the line
    let acc = 0;
    for (let k = hist.length - 2; k >= 0; k--) {
      acc += Math.hypot(hist[k + 1]![0] - hist[k]![0], hist[k + 1]![1] - hist[k]![1], hist[k + 1]![2] - hist[k]![2]);
      if (acc >= TANGENT_MM) return unit([e[0] - hist[k]![0], e[1] - hist[k]![1], e[2] - hist[k]![2]]);
    }
    return hist.length >= 2 ? unit([e[0] - hist[0]![0], e[1] - hist[0]![1], e[2] - hist[0]![2]]) : null;
  };
  // the end's own section first, its wall sought outside the line's radius there but its lumen let reach as far as
  // any canal's (the line's radius, from its own method, the inscribed circle of the hole search or a disc of the
  // trace's area, need not be this section's)
  const t0 = tangentFrom();
  if (!t0) return { pts, radiiMm, stop: 'no direction' };
  const first = canalSectionAt(work, g, hist[hist.length - 1]!, t0, r0, WALL_REACH * Math.max(r0, MAX_RADIUS_MM));
  if (typeof first === 'string') return { pts, radiiMm, stop: `its end's own section: ${first}` };
  let r = first.r;
  for (let step = 1; step <= MAX_MM; step++) {
    const t = tangentFrom();
    if (!t) return { pts, radiiMm, stop: 'no direction' };
    const e = hist[hist.length - 1]!;
    const c: Vec3 = [e[0] + t[0], e[1] + t[1], e[2] + t[2]];
    if (keep && !keep(c)) return { pts, radiiMm, stop: 'the sacral base' };
    const sec = canalSectionAt(work, g, c, t, r, WALL_REACH * r + WALL_REACH_MM);
    if (typeof sec === 'string') return { pts, radiiMm, stop: sec };
    if (sec.r > RADIUS_JUMP * r || sec.r < r / RADIUS_JUMP) return { pts, radiiMm, stop: `its size jumps (radius ${r.toFixed(1)} → ${sec.r.toFixed(1)} mm)` };
    pts.push(sec.p); radiiMm.push(sec.r); hist.push(sec.p);
    r = sec.r;
  }
  return { pts, radiiMm, stop: `${MAX_MM} mm followed` };
}

/**
 * The canal landmark with both ends followed on (followCanalEnd): the sections past each end, smoothed over ±2 mm
 * and taken every 5 mm as the rest of the line (canal-lumen.ts lumenCanal), joined to it. `keepTop(p)`: whether a
 * centre past the cranial end may be taken (below the sacral base), or null where the base is not known: the canal
 * runs on enclosed through L5 and the lumbar spine, so without the base nothing is added cranially. The caudal end
 * needs no such bound (the hiatus, where the roof ends, ends the enclosed lumen).
 */
export function withCanalEnds(work: Float32Array, g: WorkGrid, canal: Canal, keepTop: ((p: Vec3) => boolean) | null): { canal: Canal; message: string } {
  const c = canal.centerlineLps, r = canal.radiusMm;
  if (c.length < 2) return { canal, message: '' };
  const top: CanalEnd = keepTop ? followCanalEnd(work, g, [...c].reverse(), r[0]!, keepTop) : { pts: [], radiiMm: [], stop: 'no sacral base read' };
  const bottom = followCanalEnd(work, g, c, r[r.length - 1]!);
  const sample = (e: CanalEnd): { pts: Vec3[]; radii: number[] } => {
    const pts: Vec3[] = [], radii: number[] = [];
    const n = e.pts.length;
    for (let k = 4; k < n; k += 5) {
      const acc: Vec3 = [0, 0, 0];
      let w = 0;
      for (let m = Math.max(0, k - 2); m <= Math.min(n - 1, k + 2); m++) { for (let a = 0; a < 3; a++) acc[a] = acc[a]! + e.pts[m]![a]!; w++; }
      pts.push(acc.map((x) => x / w) as Vec3);
      radii.push(Math.round(Math.max(1, e.radiiMm[k]!) * 10) / 10);
    }
    if (n > 0 && (n - 1) % 5 !== 4) { pts.push(e.pts[n - 1]!); radii.push(Math.round(Math.max(1, e.radiiMm[n - 1]!) * 10) / 10); }
    return { pts, radii };
  };
  const a = sample(top), b = sample(bottom);
  const message = `canal: followed past its ends along its own course, ${top.pts.length} mm cranially (stopped at ${top.stop}) and ${bottom.pts.length} mm caudally (stopped at ${bottom.stop})`;
  return {
    canal: { ...canal, centerlineLps: [...a.pts.reverse(), ...c, ...b.pts], radiusMm: [...a.radii.reverse(), ...r, ...b.radii] },
    message,
  };
}

/** Longest step between centres before they are re-measured (mm): the landmark's own spacing (canal-lumen.ts lumenCanal). */
const RECENTRE_STEP_MM = 5;

/**
 * The canal's centres measured again across its own course: the line is first filled in to a centre every
 * RECENTRE_STEP_MM (the hole search leaves gaps of up to 25 mm where no slice showed a hole: fatty-thick4p5mm), then
 * each centre is moved to the centroid of its section perpendicular to the line there (canalSectionAt), where that
 * section is enclosed and each centre lies inside the other's radius (the same lumen). For the hole search's line
 * (detect/canal.ts); the lumen trace's centres are read on the midline at the mean depth of the lumen's half-height
 * outline in planes across the body curve, and re-measured near its hiatus end on fatty-basivertebral, where the trace
 * runs 7–11 mm in front of the truth, they bent its line by 48° between 10 mm chords, so that the canal was shown as
 * "check" (evidence.ts assessCanal). Why: both
 * searches place a centre in a plane that is not across the canal (an axial slice, or a plane across the body curve),
 * where a section cut obliquely over a thick slice has its centroid moved along the slant (fatty-thick4p5mm: 2.4 mm
 * behind the truth at S1). Radii are those of the sections; centres with no enclosed section keep theirs.
 */
export function recentredCanal(work: Float32Array, g: WorkGrid, canal: Canal): { canal: Canal; moved: number } {
  const c = canal.centerlineLps, r = canal.radiusMm;
  if (c.length < 2) return { canal, moved: 0 };
  const pts: Vec3[] = [], rad: number[] = [];
  for (let k = 0; k < c.length; k++) {
    pts.push(c[k]!); rad.push(r[k]!);
    if (k + 1 === c.length) break;
    const a = c[k]!, b = c[k + 1]!, L = Math.hypot(b[0] - a[0], b[1] - a[1], b[2] - a[2]);
    const m = Math.ceil(L / RECENTRE_STEP_MM);
    for (let j = 1; j < m; j++) {
      const t = j / m;
      pts.push([a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t]);
      rad.push(r[k]! + (r[k + 1]! - r[k]!) * t);
    }
  }
  const out: Vec3[] = [], outR: number[] = [];
  let moved = 0;
  for (let k = 0; k < pts.length; k++) {
    const a = pts[Math.max(0, k - 1)]!, b = pts[Math.min(pts.length - 1, k + 1)]!;
    const t = unit([b[0] - a[0], b[1] - a[1], b[2] - a[2]]);
    const sec = canalSectionAt(work, g, pts[k]!, t, rad[k]!, WALL_REACH * Math.max(rad[k]!, MAX_RADIUS_MM));
    const p = pts[k]!;
    // the same lumen: each centre inside the other's section (by their radii)
    if (typeof sec !== 'string' && Math.hypot(sec.p[0] - p[0], sec.p[1] - p[1], sec.p[2] - p[2]) <= Math.min(rad[k]!, sec.r)) {
      out.push(sec.p); outR.push(Math.round(sec.r * 10) / 10); moved++;
    } else { out.push(p); outR.push(rad[k]!); }
  }
  return { canal: { ...canal, centerlineLps: out, radiusMm: outR }, moved };
}
