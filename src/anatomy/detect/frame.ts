/**
 * Sacral frame: the long axis as the centres of the sacral body run on the midline in each axial slice,
 * tracked from the caudal end upwards and smoothed by a cubic fit z → y; level centres at fixed fractions
 * of its length (S1–S5 mid-levels of a 102 mm sacrum).
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
}

export function detectFrame(sacrum: Uint8Array, g: WorkGrid, midA: number, messages: string[], opts: FrameOptions = {}): FrameResult | null {
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
  // takes in the posterior arch too, so its centre is taken within `maxDepthMm` of its anterior edge.
  // Above the S1 body only the posterior arch is left: a most-anterior run whose anterior edge jumps
  // back by more than `maxBackMm` is not the body (the kyphotic curve moves the body forwards going up).
  const maxDepthMm = 36, maxBackMm = 9;
  const zs: number[] = [], ys: number[] = [];
  let cStart = -1;
  for (let c = 0; c < nc && cStart < 0; c++) if (runsOf(c).length > 0) cStart = c;
  if (cStart >= 0) {
    let misses = 0, front = NaN;
    for (let c = cStart; c < nc && misses < Math.max(3, Math.round(6 / h)); c++) {
      const runs = runsOf(c);
      if (runs.length === 0) { misses++; continue; }
      const r = runs[0]!;
      if (!Number.isNaN(front) && (r[0] - front) * h > maxBackMm) { misses++; continue; }
      misses = 0;
      front = r[0];
      zs.push(c); ys.push((r[0] + Math.min(r[1], r[0] + maxDepthMm / h)) / 2);
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
  return { frame: { midlinePointLps: [x0, bodyCentersLps[0]![1], bodyCentersLps[0]![2]], midlineNormalLps: [1, 0, 0], bodyCentersLps }, curve, bodyB };
}
