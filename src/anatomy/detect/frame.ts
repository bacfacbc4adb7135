/**
 * Sacral frame: the long axis as the centres of the sacral body run on the midline in each axial slice,
 * tracked from the caudal end upwards and smoothed by a cubic fit z → y; level centres at fixed fractions
 * of its length (S1–S5 mid-levels of a 102 mm sacrum). Where the L5/S1 disc is known and the axial S1 centre lies
 * behind the bodies' posterior wall (a sacrum lying flat, cut lengthwise by axial slices), the body is followed
 * from the S1 endplate across its own axis instead (trackAcrossAxis).
 */
import type { Vec3 } from '../../core/vec3';
import { type WorkGrid, workToLps } from '../detect-grid';
import type { SacralFrame } from '../types';
import { Polyline, polyEval, polyFit } from './geometry';

/** Body-centre positions as fractions of the sacral length (S1..S5 mid-levels, from s ranges 0-28-52-72-88-102 mm). */
const BODY_FRACTIONS = [14 / 102, 40 / 102, 62 / 102, 80 / 102, 95 / 102];
/** The sacral length those fractions were read from (mm, S1 top to S5 tip along the body curve). */
const SACRUM_LENGTH_MM = 102;

export interface FrameOptions {
  /**
   * The mask's cranial end is the L5/S1 disc (sacral-base.ts) and its caudal end may be the image's
   * lower edge (an abdominal field of view stopping at S1–S3): when the body curve reaches that edge the
   * sacrum goes on beyond it, so the levels are placed from the S1 top at a whole sacrum's spacing
   * (SACRUM_LENGTH_MM), continued along the curve's last direction, instead of as fractions of the part
   * in the image (which would squeeze five bodies into two).
   */
  topAtDiscOpenBelow?: boolean;
  /**
   * The S1 superior endplate (sacral-base.ts): a point on it, its normal pointing cranially and the posterior end of
   * the disc (the posterior wall of the bodies). Where the body followed in axial slices puts the S1 centre behind
   * that wall, the axial slices held the canal and the arch with the body (a sacrum lying flat): the body is then
   * followed from the endplate across its own axis (trackAcrossAxis).
   */
  endplate?: { pointLps: Vec3; normalLps: Vec3; posteriorEndLps: Vec3 };
  /**
   * Follow the body from the endplate across its own axis (trackAcrossAxis) whatever the axial track shows: for a
   * mask whose axial track is known to be off the bodies (detect.ts axisBehindBodies).
   */
  acrossAxis?: boolean;
}

/** The frame with the midline normal of the symmetry plane and the body centres projected onto that plane. */
export function tiltFrame(f: SacralFrame, plane: { normalLps: Vec3; pointLps: Vec3 } | null): SacralFrame {
  if (!plane) return f;
  const n = plane.normalLps, P = plane.pointLps;
  const onPlane = (p: Vec3): Vec3 => {
    const d = (p[0] - P[0]) * n[0] + (p[1] - P[1]) * n[1] + (p[2] - P[2]) * n[2];
    return [p[0] - d * n[0], p[1] - d * n[1], p[2] - d * n[2]];
  };
  const bodyCentersLps = f.bodyCentersLps.map(onPlane);
  return { midlinePointLps: bodyCentersLps[0]!, midlineNormalLps: [n[0], n[1], n[2]], bodyCentersLps };
}

export interface FrameResult {
  frame: SacralFrame;
  /** Body centre curve cranial → caudal (LPS). */
  curve: Polyline;
  /** y (working index b) of the body centre curve per slice c, NaN outside. */
  bodyB: Float64Array;
  /** The body was followed across its own axis (trackAcrossAxis), not in axial slices. */
  acrossAxis?: boolean;
}

/** Centres of the body (LPS y, z in mm) found along the sacrum, cranial → caudal, and whether the last one is at the image's lower edge. */
interface BodyTrack { ys: number[]; zs: number[]; reachesLowerEdge: boolean }

/**
 * The runs of sacral bone on the midline strip (≥ 2 of the 3 central columns) along a line in the midsagittal plane
 * through (y, z) in direction (ey, ez), sampled every half voxel over [tMin, tMax] mm: [start, end] offsets (mm), and
 * whether the first run begins where the line enters the grid through its lower (caudal) face (the body cut by the image's lower edge).
 */
function runsAlong(sacrum: Uint8Array, g: WorkGrid, a0: number, y: number, z: number, ey: number, ez: number, tMin: number, tMax: number, minRunMm: number): { runs: [number, number][]; cutBelow: boolean } {
  const [na, nb, nc] = g.dims, h = g.spacingMm, dt = h / 2;
  const runs: [number, number][] = [];
  let start = NaN, cutBelow = false, below = false;
  for (let t = tMin; t <= tMax + 1e-9; t += dt) {
    const b = Math.round((y + t * ey - g.originLps[1]) / h), c = Math.round((z + t * ez - g.originLps[2]) / h);
    let on = 0;
    if (b >= 0 && c >= 0 && b < nb && c < nc) {
      for (let da = -1; da <= 1; da++) { const a = a0 + da; if (a >= 0 && a < na && sacrum[a + na * (b + nb * c)]) on++; }
    }
    if (on >= 2) {
      if (Number.isNaN(start)) { start = t; if (below && runs.length === 0) cutBelow = true; }
    }
    else if (!Number.isNaN(start)) { if (t - dt - start >= minRunMm) runs.push([start, t - dt]); else if (runs.length === 0) cutBelow = false; start = NaN; }
    below = c < 0;
  }
  if (!Number.isNaN(start) && tMax - start >= minRunMm) runs.push([start, tMax]);
  return { runs, cutBelow };
}

/** Depth of the body taken for its centre (mm from its anterior edge): the canal's floor and the arch lie behind it where the roof closes over. */
const BODY_DEPTH_MM = 36;
/** Length of anterior edge the axis is re-estimated from (mm), and its largest turn per step (degrees). */
const AXIS_WINDOW_MM = 15, MAX_TURN_DEG = 2;
/** A body's anterior edge moving back by more than this between neighbouring sections is the posterior arch left above or beyond the body. */
const MAX_BACK_MM = 9;

/**
 * The body followed from the S1 superior endplate across its own axis, as a centreline tracker follows a tube:
 * each section is the line in the midsagittal plane perpendicular to the current axis estimate, one step further
 * along it; the body is the most anterior run of the sacrum on it (the pelvis in front is not in the mask), its centre
 * within BODY_DEPTH_MM of its anterior edge; the axis starts along the endplate's normal and is re-estimated from the
 * anterior edges of the last AXIS_WINDOW_MM as it goes down. A section
 * across the axis cuts the body through its depth at any tilt, where an axial slice through a sacrum lying flatter
 * than 45° (a supine patient's S1 is often 30–60° from the horizontal, a hyperlordotic one flatter: DOMAIN.md) holds
 * the body's top, the canal and the arch in one run.
 */
function trackAcrossAxis(sacrum: Uint8Array, g: WorkGrid, a0: number, endplate: { pointLps: Vec3; normalLps: Vec3 }): BodyTrack {
  const h = g.spacingMm, step = h;
  const n = endplate.normalLps, nl = Math.hypot(n[1], n[2]) || 1;
  let dy = -n[1] / nl, dz = -n[2] / nl;
  const ys: number[] = [], zs: number[] = [], fys: number[] = [], fzs: number[] = [];
  let y = endplate.pointLps[1] + step * dy, z = endplate.pointLps[2] + step * dz;
  let misses = 0, front = NaN, reachesLowerEdge = false;
  const maxMisses = Math.max(3, Math.round(6 / step));
  for (let k = 0; k < Math.ceil(160 / step) && misses < maxMisses; k++) {
    // posterior across the axis: the tangent turned by 90° towards +y
    let ey = -dz, ez = dy;
    if (ey < 0) { ey = -ey; ez = -ez; }
    const { runs, cutBelow } = runsAlong(sacrum, g, a0, y, z, ey, ez, -45, 60, Math.max(2 * h, 4));
    const r = runs[0];
    // the body cut by the image's lower edge: its anterior edge is not in the image beyond this, but the sacrum is,
    // its back and the anterior surface's openings around the axis (an S2 pair under a cut at S2/S3): the axis is
    // continued along its last direction while it lies in the image
    if (cutBelow) {
      reachesLowerEdge = true;
      if (ys.length) {
        let ey2 = ys[ys.length - 1]!, ez2 = zs[zs.length - 1]!;
        for (let e = step; e <= 40; e += step) {
          ey2 += step * dy; ez2 += step * dz;
          if (ez2 < g.originLps[2] || ey2 < g.originLps[1] || ey2 > g.originLps[1] + (g.dims[1] - 1) * h) break;
          ys.push(ey2); zs.push(ez2);
        }
      }
      break;
    }
    if (!r || (!Number.isNaN(front) && r[0] - front > MAX_BACK_MM)) { misses++; y += step * dy; z += step * dz; continue; }
    misses = 0;
    const tc = (r[0] + Math.min(r[1], r[0] + BODY_DEPTH_MM)) / 2;
    const cy = y + tc * ey, cz = z + tc * ez;
    ys.push(cy); zs.push(cz);
    // the next section's front is measured from the new centre's section line
    front = r[0] - tc;
    // the axis from the anterior edges of the last AXIS_WINDOW_MM (their principal direction): the anterior cortex is a
    // smooth surface parallel to the axis, where the centres move with the body's depth and with whatever of the arch
    // the run takes in; turned by at most MAX_TURN_DEG per step: enough to follow the kyphosis (25–40° over 100 mm,
    // under half a degree per millimetre) and to turn from the endplate's normal to the body's axis within S1, not
    // enough for one section's stray edge to swing it
    fys.push(y + r[0] * ey); fzs.push(z + r[0] * ez);
    const m = fys.length;
    let j = m - 1;
    while (j > 0 && Math.hypot(fys[m - 1]! - fys[j - 1]!, fzs[m - 1]! - fzs[j - 1]!) <= AXIS_WINDOW_MM) j--;
    if (Math.hypot(fys[m - 1]! - fys[j]!, fzs[m - 1]! - fzs[j]!) >= AXIS_WINDOW_MM / 2) {
      let my = 0, mz = 0;
      for (let i = j; i < m; i++) { my += fys[i]!; mz += fzs[i]!; }
      my /= m - j; mz /= m - j;
      let syy = 0, syz = 0, szz = 0;
      for (let i = j; i < m; i++) { const u = fys[i]! - my, v = fzs[i]! - mz; syy += u * u; syz += u * v; szz += v * v; }
      const th = 0.5 * Math.atan2(2 * syz, syy - szz);
      let fy = Math.cos(th), fz = Math.sin(th);
      if (fy * dy + fz * dz < 0) { fy = -fy; fz = -fz; }
      const turn = Math.atan2(dy * fz - dz * fy, dy * fy + dz * fz), lim = (MAX_TURN_DEG * Math.PI) / 180;
      const a = Math.atan2(dz, dy) + Math.max(-lim, Math.min(lim, turn));
      dy = Math.cos(a); dz = Math.sin(a);
    }
    y = cy + step * dy; z = cz + step * dz;
  }
  // a track that lost the body within half a body's depth of the image's lower edge ran out of the image too
  if (!reachesLowerEdge && ys.length) reachesLowerEdge = zs[zs.length - 1]! - g.originLps[2] <= 2 * h + BODY_DEPTH_MM / 2;
  return { ys, zs, reachesLowerEdge };
}

/** The levels along a body curve (cranial → caudal) and the frame they give. */
function frameOfCurve(g: WorkGrid, midA: number, curve: Polyline, cutBelow: boolean, messages: string[]): SacralFrame {
  const h = g.spacingMm;
  const L = cutBelow ? SACRUM_LENGTH_MM : curve.length;
  const end = curve.at(curve.length), dEnd = curve.tangent(curve.length, 6);
  const bodyCentersLps = BODY_FRACTIONS.map((f): Vec3 => {
    const sMm = f * L;
    if (sMm <= curve.length) return curve.at(sMm);
    const e = sMm - curve.length;
    return [end[0] + e * dEnd[0], end[1] + e * dEnd[1], end[2] + e * dEnd[2]];
  });
  if (cutBelow) messages.push(`sacral long axis: the sacrum runs out of the image ${curve.length.toFixed(0)} mm below the L5/S1 disc: levels placed at a ${SACRUM_LENGTH_MM} mm sacrum's spacing from the disc`);
  const x0 = g.originLps[0] + midA * h;
  return { midlinePointLps: [x0, bodyCentersLps[0]![1], bodyCentersLps[0]![2]], midlineNormalLps: [1, 0, 0], bodyCentersLps };
}

/**
 * The frame from the body followed across its axis (trackAcrossAxis): a robust cubic fit across the chord from the
 * first to the last centre (a sacrum lying flat is not a function of z).
 */
function frameAcrossAxis(track: BodyTrack, g: WorkGrid, midA: number, messages: string[], opts: FrameOptions): FrameResult {
  const nc = g.dims[2], h = g.spacingMm;
  const m = track.ys.length;
  const y0 = track.ys[0]!, z0 = track.zs[0]!;
  let uy = track.ys[m - 1]! - y0, uz = track.zs[m - 1]! - z0;
  const ul = Math.hypot(uy, uz) || 1;
  uy /= ul; uz /= ul;
  let xs = track.ys.map((y, k) => (y - y0) * uy + (track.zs[k]! - z0) * uz);
  let yv = track.ys.map((y, k) => -(y - y0) * uz + (track.zs[k]! - z0) * uy);
  let p = polyFit(xs, yv, Math.min(3, xs.length - 2));
  for (let it = 0; it < 3; it++) {
    const keepX: number[] = [], keepY: number[] = [];
    for (let n = 0; n < xs.length; n++) if (Math.abs(polyEval(p, xs[n]!) - yv[n]!) <= 6) { keepX.push(xs[n]!); keepY.push(yv[n]!); }
    if (keepX.length < 5 || keepX.length === xs.length) break;
    xs = keepX; yv = keepY;
    p = polyFit(xs, yv, 3);
  }
  const uTop = Math.min(...xs), uBot = Math.max(...xs);
  const x0 = g.originLps[0] + midA * h;
  const pts: Vec3[] = [];
  const nStep = Math.max(1, Math.ceil((uBot - uTop) / h));
  for (let k = 0; k <= nStep; k++) {
    const u = uTop + ((uBot - uTop) * k) / nStep, v = polyEval(p, u);
    pts.push([x0, y0 + u * uy - v * uz, z0 + u * uz + v * uy]);
  }
  const curve = new Polyline(pts);
  // y (working index b) of the curve in each axial slice it crosses (its first crossing from the top)
  const bodyB = new Float64Array(nc).fill(NaN);
  for (let k = 1; k < pts.length; k++) {
    const a = pts[k - 1]!, b = pts[k]!;
    const ca = (a[2] - g.originLps[2]) / h, cb = (b[2] - g.originLps[2]) / h;
    for (let c = Math.ceil(Math.min(ca, cb)); c <= Math.floor(Math.max(ca, cb)); c++) {
      if (c < 0 || c >= nc || !Number.isNaN(bodyB[c]!)) continue;
      const t = cb !== ca ? (c - ca) / (cb - ca) : 0;
      bodyB[c] = (a[1] + (b[1] - a[1]) * t - g.originLps[1]) / h;
    }
  }
  const cutBelow = opts.topAtDiscOpenBelow === true && track.reachesLowerEdge && curve.length < SACRUM_LENGTH_MM;
  return { frame: frameOfCurve(g, midA, curve, cutBelow, messages), curve, bodyB, acrossAxis: true };
}

export function detectFrame(sacrum: Uint8Array, g: WorkGrid, midA: number, messages: string[], opts: FrameOptions = {}): FrameResult | null {
  const msgs: string[] = [];
  const axial = frameInAxialSlices(sacrum, g, midA, msgs, opts);
  const ep = opts.endplate;
  if (ep) {
    // the S1 centre behind the posterior wall of the bodies, measured along the disc (posterior: the normal turned
    // by 90° towards +y within the sagittal plane)
    const n = ep.normalLps, nl = Math.hypot(n[1], n[2]) || 1;
    let py = n[2] / nl, pz = -n[1] / nl;
    if (py < 0) { py = -py; pz = -pz; }
    const c = axial?.frame.bodyCentersLps[0];
    const behindMm = c ? (c[1] - ep.posteriorEndLps[1]) * py + (c[2] - ep.posteriorEndLps[2]) * pz : Infinity;
    if (behindMm > 0 || opts.acrossAxis) {
      const track = trackAcrossAxis(sacrum, g, Math.round(midA), ep);
      if (track.ys.length >= 5) {
        messages.push(axial && behindMm > 0 ? `sacral long axis: in axial slices the S1 centre lies ${behindMm.toFixed(0)} mm behind the posterior wall of the bodies (a sacrum lying flat): the body followed from the S1 endplate across its own axis` : 'sacral long axis: the body followed from the S1 endplate across its own axis');
        return frameAcrossAxis(track, g, midA, messages, opts);
      }
    }
  }
  messages.push(...msgs);
  return axial;
}

/** The frame from the body followed in axial slices from the caudal end upwards. */
function frameInAxialSlices(sacrum: Uint8Array, g: WorkGrid, midA: number, messages: string[], opts: FrameOptions): FrameResult | null {
  const [na, nb, nc] = g.dims;
  const h = g.spacingMm;
  const a0 = Math.round(midA);
  const minRun = Math.max(2, Math.round(4 / h));
  // runs of sacral bone along y on the midline strip (≥ 2 of the 3 central columns), per axial slice
  const runsOf = (c: number): [number, number][] => {
    const runs: [number, number][] = [];
    let start = -1;
    for (let b = 0; b <= nb; b++) {
      let on = 0;
      if (b < nb) for (let da = -1; da <= 1; da++) { const a = a0 + da; if (a >= 0 && a < na && sacrum[a + na * (b + nb * c)]) on++; }
      if (on >= 2) { if (start < 0) start = b; }
      else if (start >= 0) { if (b - start >= minRun) runs.push([start, b - 1]); start = -1; }
    }
    return runs;
  };
  // track the body from the caudal end upwards: on the midline the body is the most anterior run of
  // the sacrum at every level (the pubis is not in the mask); where the canal is closed over, the run
  // takes in the posterior arch too, so its centre is taken within BODY_DEPTH_MM of its anterior edge.
  // Above the S1 body only the posterior arch is left: a most-anterior run whose anterior edge jumps
  // back by more than MAX_BACK_MM is not the body (the kyphotic curve moves the body forwards going up).
  const zs: number[] = [], ys: number[] = [];
  let cStart = -1;
  for (let c = 0; c < nc && cStart < 0; c++) if (runsOf(c).length > 0) cStart = c;
  if (cStart >= 0) {
    let misses = 0, front = NaN;
    for (let c = cStart; c < nc && misses < Math.max(3, Math.round(6 / h)); c++) {
      const runs = runsOf(c);
      if (runs.length === 0) { misses++; continue; }
      const r = runs[0]!;
      if (!Number.isNaN(front) && (r[0] - front) * h > MAX_BACK_MM) { misses++; continue; }
      misses = 0;
      front = r[0];
      zs.push(c); ys.push((r[0] + Math.min(r[1], r[0] + BODY_DEPTH_MM / h)) / 2);
    }
  }
  if (zs.length < 5) { messages.push('sacral long axis: too few midline body sections'); return null; }
  // robust cubic fit with outlier rejection
  let xs = zs.slice(), yv = ys.slice();
  let p = polyFit(xs, yv, Math.min(3, xs.length - 2));
  for (let it = 0; it < 3; it++) {
    const keepX: number[] = [], keepY: number[] = [];
    for (let n = 0; n < xs.length; n++) if (Math.abs(polyEval(p, xs[n]!) - yv[n]!) * h <= 6) { keepX.push(xs[n]!); keepY.push(yv[n]!); }
    if (keepX.length < 5 || keepX.length === xs.length) break;
    xs = keepX; yv = keepY;
    p = polyFit(xs, yv, 3);
  }
  const cTop = Math.max(...xs), cBot = Math.min(...xs);
  const bodyB = new Float64Array(nc).fill(NaN);
  const pts: Vec3[] = [];
  for (let c = cTop; c >= cBot; c--) {
    const b = polyEval(p, c);
    bodyB[c] = b;
    pts.push(workToLps(g, midA, b, c));
  }
  const curve = new Polyline(pts);
  // cut by the image's lower edge (the tracked run starts within a voxel of it) and shorter than a sacrum
  const cutBelow = opts.topAtDiscOpenBelow === true && cBot <= 1 && curve.length < SACRUM_LENGTH_MM;
  return { frame: frameOfCurve(g, midA, curve, cutBelow, messages), curve, bodyB };
}
