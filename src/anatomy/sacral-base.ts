/**
 * Where the sacrum ends cranially: the L5/S1 disc, found from what defines the sacrum, the midline bone
 * that articulates with both ilia (pure; LPS-aligned working grid, detect-grid.ts).
 *
 * 1. Sacroiliac contact: in each axial section, the bone (HU > boneHu) is labelled in 2D (8-connected);
 *    a section is in contact when a component that crosses the midline behind the anterior limit (not the
 *    pubis) reaches farther than ILIUM_REACH_MM from the midline on both sides. The widest sacrum (the S1
 *    alae) reaches 45–60 mm from the midline; bone beyond that in one piece with the midline bone is the
 *    ilium, joined to it across the thin SI joint (2–4 mm, bridged by partial volume, or touching). Above
 *    the joints L5 is separated from the iliac crests by the iliolumbar region (muscle, ≥ 10 mm); below
 *    them the lower sacrum and coccyx are narrow. The longest run of contact sections (gaps up to
 *    CONTACT_GAP_MM, where one side's joint line opens for a section) is the auricular range, S1–S3.
 * 2. The L5/S1 disc: the auricular surface begins at the level of the S1 body, so the disc lies near the top
 *    of the contact: within DISC_BELOW_TOP_MM below it (an L5 transverse process touching the ala or the
 *    iliac crest lifts the top of the contact by up to half a vertebra) and DISC_ABOVE_TOP_MM above it.
 *    The S1/S2 junction, which may keep a disc remnant in older patients, lies a whole S1 height
 *    (25–30 mm) below the L5/S1 disc, and the L4/L5 disc a whole L5 height (30–35 mm) above it.
 *    On a midline slab (mean of three columns), the disc is the straight dark line that crosses the
 *    vertebral-body column between two bright plates (the endplates), parallel or a wedge open anteriorly:
 *    every line of DISC_LINE_MM through a point of the column 8–26 mm behind its anterior bone edge (inside
 *    any adult vertebral body, in front of the canal) at 0–70° to the axial plane is scored by the darker of
 *    its two flanks (the brightest line 2–8 mm either side) minus its own mean, among the lines whose
 *    continuation in front is soft tissue (a disc opens anteriorly; the canal or a facet joint runs into a
 *    vertebral body there). Two searches, each reading how well its plates fit, decide together which line
 *    is the disc and how far it is trusted (disc-reading.ts). The plane is oblique, not axial: an axial cut
 *    would leave L5's anterior-inferior lip with the sacrum or cut off S1's posterior part.
 * The result is a plane (S1's superior endplate, normal pointing cranially); the sacrum is what lies caudal
 * to it (sacrum-mask.ts).
 */
import type { Vec3 } from '../core/vec3';
import type { WorkGrid } from './detect-grid';
import { workToLps } from './detect-grid';
import { chooseDiscReading, discContrastFloorHu, DISC_LINE_MM, narrowReading, slabNoiseHu, wideReading, type DiscConfidence, type DiscSlab } from './disc-reading';

/** Bone reaching this far from the midline in one piece with the midline bone is ilium (see above). */
export const ILIUM_REACH_MM = 70;
/** A section where one joint line opens (partial volume) does not end the contact run. */
const CONTACT_GAP_MM = 9;
/** Shortest contact run taken for the SI joints (a cut field of view may leave only part of them). */
const MIN_CONTACT_MM = 12;
const DISC_BELOW_TOP_MM = 25;
const DISC_ABOVE_TOP_MM = 10;
/** Depth of the L5 and S1 bodies along the disc (adults 30–40 mm): the disc's posterior end lies this far behind the scored line's anterior end. */
const BODY_DEPTH_MM = 35;

export interface SacralBase {
  /** LPS z range of the sections in sacroiliac contact (the auricular range). */
  contactZ: [number, number];
  /** A point on the mid-plane of the L5/S1 disc (on the midline). */
  discPointLps: Vec3;
  /** A point on the plane of the S1 superior endplate (the disc plane moved caudally to just above the endplate). */
  endplatePointLps: Vec3;
  /** Unit normal of both planes, pointing cranially. */
  discNormalLps: Vec3;
  /** The posterior end of the disc: the posterior wall of the bodies, BODY_DEPTH_MM behind the disc line's anterior end (midline, LPS). */
  discPosteriorEndLps: Vec3;
  /** Angle of the disc to the axial plane (degrees; + = its posterior edge higher). */
  discAngleDeg: number;
  /** Angles of L5's inferior and S1's superior endplate (degrees, as discAngleDeg); equal where the plates read parallel. */
  l5EndplateDeg?: number;
  s1EndplateDeg?: number;
  /** Flank brightness minus disc mean (HU). */
  score: number;
  /** How far the reading is trusted, and why (disc-reading.ts). */
  confidence?: DiscConfidence;
}

/**
 * Half-width of the vertebral-body column (mm): the L5 and S1 bodies are 40–55 mm wide, their posterior
 * wall within a few mm of the disc's posterior end. Beside the column the alae and the S1 superior articular
 * processes rise above the plane of the S1 endplate; they are parted from L5 by competitive growth
 * (sacrum-mask.ts), not cut.
 */
export const COLUMN_HALF_WIDTH_MM = 25;
/** Half-width of the midline strip whose bone above the boundary marks L5 (its body, lamina, spinous process). */
export const L5_STRIP_MM = 8;

/** Signed distance (mm) of the LPS point from the S1 superior endplate plane, + cranial (L5 side). */
export function aboveSacralBase(base: SacralBase, x: number, y: number, z: number): number {
  const p = base.endplatePointLps, n = base.discNormalLps;
  return (x - p[0]) * n[0] + (y - p[1]) * n[1] + (z - p[2]) * n[2];
}

/**
 * Whether the LPS point is cut off as L5 side: cranial to the S1 endplate plane in front of the disc's
 * posterior end (the L5 body and the disc); above that end behind it (the canal above the sacrum and L5's
 * lamina and spinous process, which reach down behind the sacral base); both within COLUMN_HALF_WIDTH_MM of
 * the midline.
 */
export function inL5Column(base: SacralBase, x: number, y: number, z: number): boolean {
  const dx = Math.abs(x - base.discPointLps[0]);
  const e = base.discPosteriorEndLps;
  if (y <= e[1]) return dx <= COLUMN_HALF_WIDTH_MM && aboveSacralBase(base, x, y, z) > 0;
  return dx <= COLUMN_HALF_WIDTH_MM && z > e[2];
}

/**
 * Whether the LPS point marks L5 for the competitive growth (sacrum-mask.ts) when it is bone: within
 * L5_STRIP_MM of the midline, cranial to the endplate plane in front of the disc's posterior end and
 * above that end behind it (L5's posterior arch reaches down behind the sacral base, below the plane).
 */
export function marksL5(base: SacralBase, x: number, y: number, z: number): boolean {
  if (Math.abs(x - base.discPointLps[0]) > L5_STRIP_MM) return false;
  const e = base.discPosteriorEndLps;
  return y <= e[1] ? aboveSacralBase(base, x, y, z) > 0 : z > e[2];
}

/** Per axial section c: whether the midline bone is in one piece with bone beyond ILIUM_REACH_MM on both sides. */
export function sacroiliacContact(work: Float32Array, g: WorkGrid, midlineA: number, limitB: number, boneHu: number): Uint8Array {
  const [na, nb, nc] = g.dims;
  const nab = na * nb, h = g.spacingMm;
  const out = new Uint8Array(nc);
  const ids = new Int32Array(nab);
  const queue = new Int32Array(nab);
  const a0 = Math.round(midlineA);
  const reach = ILIUM_REACH_MM / h;
  for (let c = 0; c < nc; c++) {
    const base = c * nab;
    ids.fill(0);
    let next = 0;
    // flood from the midline bone behind the anterior limit only: the other components do not matter
    for (let b = Math.max(0, Math.ceil(limitB)); b < nb && !out[c]; b++) {
      for (let a = a0 - 1; a <= a0 + 1; a++) {
        if (a < 0 || a >= na) continue;
        const s = a + na * b;
        if (ids[s] || !(work[base + s]! > boneHu)) continue;
        const id = ++next;
        let head = 0, tail = 0, minA = a, maxA = a;
        ids[s] = id; queue[tail++] = s;
        while (head < tail) {
          const n = queue[head++]!;
          const bb = (n / na) | 0, aa = n - bb * na;
          if (aa < minA) minA = aa;
          if (aa > maxA) maxA = aa;
          for (let db = -1; db <= 1; db++) for (let da = -1; da <= 1; da++) {
            const ai = aa + da, bi = bb + db;
            if (ai < 0 || bi < 0 || ai >= na || bi >= nb) continue;
            const m = ai + na * bi;
            if (!ids[m] && work[base + m]! > boneHu) { ids[m] = id; queue[tail++] = m; }
          }
        }
        if (maxA - midlineA >= reach && midlineA - minA >= reach) { out[c] = 1; break; }
      }
    }
  }
  return out;
}

/**
 * The L5/S1 disc plane (see the module comment), or null with the reason in `messages` when there is no
 * sacroiliac contact or no disc near its top.
 */
export function findSacralBase(work: Float32Array, g: WorkGrid, midlineA: number, limitB: number, boneHu: number, messages: string[]): SacralBase | null {
  const [na, nb, nc] = g.dims;
  const nab = na * nb, h = g.spacingMm;
  const contact = sacroiliacContact(work, g, midlineA, limitB, boneHu);
  // longest run of contact sections, bridging gaps up to CONTACT_GAP_MM
  const gap = Math.max(1, Math.floor(CONTACT_GAP_MM / h));
  let best: [number, number] | null = null, start = -1, last = -1;
  for (let c = 0; c <= nc; c++) {
    if (c < nc && contact[c]) {
      if (start < 0 || c - last > gap + 1) start = c;
      last = c;
      if (!best || last - start > best[1] - best[0]) best = [start, last];
    }
  }
  if (!best || (best[1] - best[0]) * h < MIN_CONTACT_MM) {
    messages.push(`sacral base: no run of sections where midline bone meets both ilia (SI joints) over ${MIN_CONTACT_MM} mm`);
    return null;
  }
  const [cBot, cTop] = best;
  const zTop = g.originLps[2] + cTop * h, zBot = g.originLps[2] + cBot * h;
  // midline slab: mean of the three central columns
  const a0 = Math.round(midlineA);
  const slab = new Float32Array(nb * nc);
  for (let c = 0; c < nc; c++) for (let b = 0; b < nb; b++) {
    let s = 0, k = 0;
    for (let a = a0 - 1; a <= a0 + 1; a++) if (a >= 0 && a < na) { s += work[a + na * b + nab * c]!; k++; }
    slab[b + nb * c] = k ? s / k : -1024;
  }
  const cLo = Math.max(0, Math.floor(cTop - DISC_BELOW_TOP_MM / h)), cHi = Math.min(nc - 1, Math.ceil(cTop + DISC_ABOVE_TOP_MM / h));
  const ds: DiscSlab = { slab, nb, nc, h, boneHu, limitB, cLo, cHi };
  const noiseHu = slabNoiseHu(ds);
  const floor = discContrastFloorHu(ds, noiseHu);
  const chosen = chooseDiscReading(narrowReading(ds), wideReading(ds), h, { noiseHu, floorHu: floor.floorHu, k: floor.k });
  if (!chosen || chosen.reading.score <= 0) {
    messages.push(`sacral base: SI joints at z ${zBot.toFixed(0)}–${zTop.toFixed(0)} mm, but no disc between two endplates near their top`);
    return null;
  }
  const { reading: top, confidence } = chosen;
  const th = (top.deg * Math.PI) / 180, thL = (top.lowerDeg * Math.PI) / 180;
  const p = workToLps(g, midlineA, top.b, top.c);
  // the disc's posterior end (the posterior wall of the bodies, where the canal begins): an adult L5/S1 body
  // is 30–40 mm deep, and the endplates are not followed reliably that far on thick slices; along S1's endplate
  // from the line's anterior end
  const half = DISC_LINE_MM / 2 / h;
  const tEnd = -half + BODY_DEPTH_MM / h;
  const wedgeText = top.lowerDeg !== top.upperDeg ? `, a wedge: L5's endplate at ${top.upperDeg}°, S1's at ${top.lowerDeg}°` : '';
  messages.push(`sacral base: SI joints at z ${zBot.toFixed(0)}–${zTop.toFixed(0)} mm; L5/S1 disc through (${p.map((v) => v.toFixed(0)).join(', ')}) at ${top.deg}° to the axial plane${wedgeText} (endplates ${Math.round(top.score)} HU brighter than the disc, the slab's noise σ ${noiseHu.toFixed(1)} HU, floor ${floor.floorHu.toFixed(0)} HU; ${confidence.trusted ? 'trusted' : 'in doubt'}: ${confidence.why})`);
  const end: Vec3 = [p[0], p[1] + tEnd * h * Math.cos(thL), p[2] + tEnd * h * Math.sin(thL)];
  // the plane cut is S1's superior endplate (the lower plate): the sacrum is what lies caudal to it
  const nrm: Vec3 = [0, -Math.sin(thL), Math.cos(thL)];
  // the S1 endplate is the brightest line below the disc: the cut lies half a coarse voxel above it
  const n0: Vec3 = [0, -Math.sin(th), Math.cos(th)];
  const lowerMm = top.dnMm, up = h / 2;
  const ep: Vec3 = [p[0] - lowerMm * n0[0] + up * nrm[0], p[1] - lowerMm * n0[1] + up * nrm[1], p[2] - lowerMm * n0[2] + up * nrm[2]];
  return { contactZ: [zBot, zTop], discPointLps: p, endplatePointLps: ep, discNormalLps: nrm, discPosteriorEndLps: end, discAngleDeg: top.deg, l5EndplateDeg: top.upperDeg, s1EndplateDeg: top.lowerDeg, score: top.score, confidence };
}

/** Clears (in place) the voxels of a working-grid mask in the L5 column (inL5Column). */
export function cutAboveSacralBase(mask: Uint8Array, g: WorkGrid, base: SacralBase): number {
  const [na, nb, nc] = g.dims, h = g.spacingMm, o = g.originLps;
  let cut = 0;
  for (let c = 0, n = 0; c < nc; c++) for (let b = 0; b < nb; b++) for (let a = 0; a < na; a++, n++) {
    if (mask[n] && inL5Column(base, o[0] + a * h, o[1] + b * h, o[2] + c * h)) { mask[n] = 0; cut++; }
  }
  return cut;
}
