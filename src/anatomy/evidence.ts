/**
 * Evidence behind each suggested landmark, and the bar between "found" and "check" (pure).
 *
 * A detector that is sometimes wrong is safe only if it says when. So every suggested foramen is
 * re-examined on the image, independently of how it was found, and its confidence is built from
 * what a reader would check:
 *   - rim: seen along the suggested axis (±30°), a lumen walled by cortex lies within 3 mm of that
 *     axis (`fitForamen`'s score: rim-over-lumen contrast ÷ local spread, so it does not depend on
 *     the marrow's brightness or on the modality's units) — without it the suggestion is not a tunnel;
 *   - symmetry: the other side's foramen of the same level, mirrored through the midline plane (or a plane between
 *     it and that level's own, level-midline.ts, where detection read it), lies on this one's axis within 5 mm (MIRROR_MM); a pair
 *     further apart than that is shown as "check" on both sides (one of them at least is wrong);
 *   - spacing: same-side neighbouring levels 12–40 mm apart between tunnel centres (anterior openings are
 *     17–29 mm apart along the curved surface, DOMAIN.md §8, a little less in a straight line; the S1 opening,
 *     the widest and most oblique, lies further: 34 mm above S2 on pelvic-ref-003 as read by eye);
 *   - size order: S1 ≥ S2 ≥ S3 ≥ S4 in radius, within 1 mm;
 *   - the row: a small tunnel whose rim reads faint on thick slices is found where its mirror partner, this
 *     sacrum's own level spacing and the size order all place it (rowCorroborates).
 * Only a suggestion at or above FOUND_CONFIDENCE counts as found; below it the app shows "check",
 * takes the user there in Review, and leaves it out of zones and clearances (`trustedAnatomy`).
 */
import type { Vec3 } from '../core/vec3';
import type { ScalarVolume } from '../core/volume';
import { fitForamen } from './foramen-fit';
import { mirrorOffMm } from './level-midline';
import { foramenCentreLps, type Canal, type Foramen, type SacralAnatomy, type SacralLevel } from './types';

/** A suggestion below this confidence is shown as "check" and not used for zones or clearances. */
export const FOUND_CONFIDENCE = 0.6;

/** Hand-placed (or confirmed) landmarks are always used; suggestions only at or above the bar. */
export function isTrusted(l: Pick<Foramen | Canal, 'source' | 'confidence'>): boolean {
  return l.source === 'manual' || l.confidence >= FOUND_CONFIDENCE;
}

const trustedCache = new WeakMap<SacralAnatomy, SacralAnatomy>();
/** The landmarks zones and clearances may use: "check" suggestions left out (same object when none is). */
export function trustedAnatomy(a: SacralAnatomy): SacralAnatomy;
export function trustedAnatomy(a: SacralAnatomy | null): SacralAnatomy | null;
export function trustedAnatomy(a: SacralAnatomy | null): SacralAnatomy | null {
  if (!a) return a;
  const hit = trustedCache.get(a);
  if (hit) return hit;
  const foramina = a.foramina.filter(isTrusted);
  const canal = a.canal && isTrusted(a.canal) ? a.canal : null;
  const out = foramina.length === a.foramina.length && canal === a.canal ? a : { ...a, foramina, canal };
  trustedCache.set(a, out);
  return out;
}

export interface ForamenEvidence {
  /** Rim score of the lumen found along the suggested axis (0 when none within 3 mm). */
  rim: number;
  /** Distance of that lumen's centre from the suggested axis (mm), or null. */
  offAxisMm: number | null;
  symmetric: boolean | null;
  spacingOk: boolean | null;
  sizeOrderOk: boolean | null;
  confidence: number;
  /**
   * The level is where this sacrum's own row puts it (rowCorroborates): its faint rim is taken as the small
   * tunnel it is, and it is shown as found.
   */
  rowCorroborated?: boolean;
  /** What lowered the confidence, in words. */
  why: string[];
}

/**
 * Where the row of anterior openings puts level `k` on one side, read from this sacrum's two levels above it:
 * one step on from level k−1 in the direction from k−2, the step shortened as the segments shorten
 * (JUNCTION_MM: 20 mm from S2 to S3, 16 from S3 to S4), and half that step as the bound between two levels.
 */
export function rowPrediction(above2: Readonly<Vec3>, above1: Readonly<Vec3>, k: number): { p: Vec3; halfStepMm: number } {
  const scale = (JUNCTION_MM[k - 1]! - JUNCTION_MM[k - 2]!) / (JUNCTION_MM[k - 2]! - JUNCTION_MM[k - 3]!);
  const step: Vec3 = [(above1[0] - above2[0]) * scale, (above1[1] - above2[1]) * scale, (above1[2] - above2[2]) * scale];
  return { p: [above1[0] + step[0], above1[1] + step[1], above1[2] + step[2]], halfStepMm: 0.5 * len(step) };
}

function sub(a: Readonly<Vec3>, b: Readonly<Vec3>): Vec3 { return [a[0] - b[0], a[1] - b[1], a[2] - b[2]]; }
function dot(a: Readonly<Vec3>, b: Readonly<Vec3>): number { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }
function len(a: Readonly<Vec3>): number { return Math.hypot(a[0], a[1], a[2]); }

function pointSegment(p: Readonly<Vec3>, a: Readonly<Vec3>, b: Readonly<Vec3>): number {
  const ab = sub(b, a), L2 = dot(ab, ab);
  const t = L2 > 0 ? Math.max(0, Math.min(1, dot(sub(p, a), ab) / L2)) : 0;
  return len(sub(p, [a[0] + ab[0] * t, a[1] + ab[1] * t, a[2] + ab[2] * t]));
}

/**
 * Where the anterior openings sit along the sacrum (mm from the S1 endplate along the body curve): at the
 * junctions of the segments S1/S2 … S4/S5 (the body fractions of detect/frame.ts: S1 0–28, S2 28–52, S3 52–72,
 * S4 72–88 mm). The spacing from level k to k+1 is then JUNCTION_MM[k] − JUNCTION_MM[k−1]: 24, 20, 16 mm.
 */
export const JUNCTION_MM = [28, 52, 72, 88];

/** A place closer than this to the image's edge cannot be read (a foramen is 5–13 mm across). */
export const EDGE_MARGIN_MM = 3;

/** Whether the LPS point lies inside the image, at least `marginMm` from its edge. */
export function insideImage(volume: ScalarVolume, p: Readonly<Vec3>, marginMm: number): boolean {
  const g = volume.geometry, ijk = g.lpsToIjk([0, 0, 0], p);
  for (let a = 0; a < 3; a++) {
    const m = marginMm / g.spacingMm[a]!;
    if (ijk[a]! < -0.5 + m || ijk[a]! > g.dims[a]! - 0.5 - m) return false;
  }
  return true;
}

/**
 * Whether a suggested foramen's tunnel runs out of the image: its lumen (one radius round either end of its
 * axis) reaches within EDGE_MARGIN_MM of the image's edge. Such a tunnel is cut there, not absent: the part
 * inside the image is read as evidence like any other, and the user is told the rest lies beyond the edge.
 */
export function partlyOutsideImage(volume: ScalarVolume, f: Pick<Foramen, 'anteriorLps' | 'posteriorLps' | 'radiusMm'>): boolean {
  const r = Math.max(EDGE_MARGIN_MM, f.radiusMm);
  return !insideImage(volume, f.anteriorLps, r) || !insideImage(volume, f.posteriorLps, r);
}

/** How far from the suggestion's centre the re-examination looks for a walled lumen (mm). */
const VERIFY_SEARCH_MM = 3;

/**
 * Mirror partners further apart than this (mm) are not mirror images: patients lie rotated by 1–2 mm per pair
 * (DOMAIN.md §8) and a found foramen may be off by up to 5 mm; two sides disagreeing by more than that
 * cannot both be where a found landmark has to be.
 */
const MIRROR_MM = 5;

/** Confidence cap of each of a level's two suggestions when they are not mirror images (below FOUND_CONFIDENCE). */
const ASYMMETRIC_PAIR_CONFIDENCE = 0.45;

/** Rim score at which the rim counts as fully there (a clear walled lumen scores ≥ 1). */
const RIM_FULL = 1;

/**
 * The rim of the best walled lumen on a suggested tunnel's axis (±30°), seeded at its anterior opening and at its
 * middle (`seeds` to choose): its fit score (`fitForamen`, contrast over local spread), 0 where no lumen's centre
 * lies within VERIFY_SEARCH_MM of the axis; `offAxisMm` that centre's distance from the axis (of the first lumen
 * found where none is on it); `fitted` how many seeds found a walled lumen at all.
 */
export function rimAlong(volume: ScalarVolume, f: Pick<Foramen, 'anteriorLps' | 'posteriorLps'>, seeds: readonly ('anterior' | 'middle')[] = ['anterior', 'middle']): { rim: number; offAxisMm: number | null; fitted: number } {
  const axis = sub(f.posteriorLps, f.anteriorLps);
  let rim = 0, offAxisMm: number | null = null, fitted = 0;
  for (const which of seeds) {
    const seed = which === 'anterior' ? f.anteriorLps : foramenCentreLps(f);
    const fit = fitForamen(volume, seed, { searchMm: VERIFY_SEARCH_MM, axisHint: len(axis) > 0 ? axis : [0, 1, 0], coneDeg: 30 });
    if (!fit) continue;
    fitted++;
    const off = pointSegment(fit.centreLps, f.anteriorLps, f.posteriorLps);
    if (off <= VERIFY_SEARCH_MM && fit.score > rim) { rim = fit.score; offAxisMm = off; }
    else if (offAxisMm === null) offAxisMm = off;
  }
  return { rim, offAxisMm, fitted };
}

/**
 * Re-assesses the automatic foramina of `anatomy` on the image; hand-placed ones are returned
 * unchanged. Returns the foramina with their new confidence and the evidence per id.
 */
export function assessForamina(
  volume: ScalarVolume, anatomy: SacralAnatomy,
  /**
   * Each level's own midline plane (level-midline.ts: where the level's section of the sacrum is its own mirror
   * image), as its offset (mm) along the frame's normal from the frame's plane, where detection read it: a bent or
   * sideways-turned sacrum moves its lower pairs off the whole sacrum's plane, and a pair is mirrored about the best
   * plane between the two. The frame's plane alone for the other levels.
   */
  levelMidlines?: Partial<Record<SacralLevel, { offsetMm: number }>>,
): { foramina: Foramen[]; evidence: Record<string, ForamenEvidence> } {
  const byId = new Map(anatomy.foramina.map((f) => [f.id, f]));
  const frame = anatomy.frame;
  const evidence: Record<string, ForamenEvidence> = {};
  const out: Foramen[] = [];
  for (const f of anatomy.foramina) {
    if (f.source === 'manual') { out.push(f); continue; }
    const why: string[] = [];
    const centre = foramenCentreLps(f);
    const { rim, offAxisMm, fitted } = rimAlong(volume, f);
    if (fitted > 0 && rim === 0) why.push(`the walled lumen nearest its axis is ${(offAxisMm ?? 0).toFixed(1)} mm off it`);
    if (fitted === 0) why.push('no walled lumen near it');
    else if (rim > 0 && rim < RIM_FULL) why.push(`faint rim (${rim.toFixed(2)})`);
    // symmetry through the midline plane
    const other = byId.get(`${f.level}_${f.side === 'L' ? 'R' : 'L'}` as Foramen['id']);
    let symmetric: boolean | null = null;
    if (other && frame) {
      // each anterior opening mirrored onto the other's tunnel axis (where along the axis a fit ends its
      // tunnel differs between the sides, so axes are compared, not ends), about the best plane between the
      // frame's and the level's own (level-midline.ts)
      const offMm = mirrorOffMm(f, other, { normalLps: frame.midlineNormalLps, pointLps: frame.midlinePointLps }, levelMidlines?.[f.level]?.offsetMm ?? 0);
      symmetric = offMm <= MIRROR_MM;
      if (!symmetric) why.push(`its mirror partner ${other.id} is ${offMm.toFixed(0)} mm off`);
    } else why.push('no partner on the other side');
    // spacing and size order with the same side's neighbouring levels
    const lv = Number(f.level[1]);
    let spacingOk: boolean | null = null, sizeOrderOk: boolean | null = null;
    for (const k of [lv - 1, lv + 1]) {
      if (k < 1 || k > 4) continue;
      const nb = byId.get(`S${k}_${f.side}` as Foramen['id']);
      if (!nb) continue;
      const dmm = len(sub(foramenCentreLps(nb), centre));
      const ok = dmm >= 12 && dmm <= 40;
      spacingOk = (spacingOk ?? true) && ok;
      if (!ok) why.push(`${dmm.toFixed(0)} mm from ${nb.id}`);
      const order = k < lv ? nb.radiusMm >= f.radiusMm - 1 : f.radiusMm >= nb.radiusMm - 1;
      sizeOrderOk = (sizeOrderOk ?? true) && order;
      if (!order) why.push(`radius out of order with ${nb.id}`);
    }
    let c = Math.min(1, rim / RIM_FULL);
    if (symmetric === false || symmetric === null) c *= 0.75;
    // two suggestions for one level that are not mirror images: one of them at least is wrong, and the
    // image alone does not say which (on real fatty sacra the dark boxes of the lateral masses between the
    // openings are walled tunnels to the fit as well)
    if (symmetric === false) c = Math.min(c, ASYMMETRIC_PAIR_CONFIDENCE);
    if (spacingOk === false) c *= 0.6;
    if (sizeOrderOk === false) c *= 0.85;
    const confidence = Math.round(c * 100) / 100;
    evidence[f.id] = { rim, offAxisMm, symmetric, spacingOk, sizeOrderOk, confidence, why };
    out.push({ ...f, confidence });
  }
  return { foramina: out, evidence };
}

/**
 * A small tunnel on thick slices shows a faint rim: the slice averages its 1 mm cortex with the marrow beside
 * it, more so the narrower the tunnel (fatty-thick5mm's S4 pair, 2–2.6 mm in radius on 5 mm slices, reads
 * 0.45–0.54 where S1–S3 read 2–7). Such a level is taken as found (confidence FOUND_CONFIDENCE) where three
 * readings independent of its rim's strength place it, on both sides: a walled lumen is seen on its axis (rim
 * above 0); its two sides are mirror images on their axes; and each side's anterior opening lies within half a
 * step of where this sacrum's own row puts the level, from the two levels above it, themselves found on their
 * own evidence and not doubted, and no wider than the level above (S1 > S2 > S3 > S4). Run on the confidences
 * after the detector's doubts (suggest.ts): a level doubted by the detector (a rival pair, a count not
 * confirmed) is not raised, and does not anchor the row. Mutates `foramina` and `evidence`.
 */
export function rowCorroborates(foramina: Foramen[], evidence: Record<string, ForamenEvidence>, doubted: ReadonlySet<string>): void {
  const at = (id: string) => foramina.find((f) => f.id === id);
  const foundOwn = (id: string) => { const f = at(id); return !!f && (f.source === 'manual' || (f.confidence >= FOUND_CONFIDENCE && !doubted.has(id))); };
  const raise: string[] = [];
  for (const lv of [3, 4]) {
    const ids = (['L', 'R'] as const).map((side) => `S${lv}_${side}`);
    const ok = ids.every((id) => {
      const f = at(id), e = evidence[id];
      if (!f || f.source !== 'auto' || !e || f.confidence >= FOUND_CONFIDENCE || doubted.has(id)) return false;
      if (!(e.rim > 0) || e.symmetric !== true || e.spacingOk === false || e.sizeOrderOk === false) return false;
      const a1 = `S${lv - 1}_${f.side}`, a2 = `S${lv - 2}_${f.side}`;
      if (!foundOwn(a1) || !foundOwn(a2)) return false;
      const pred = rowPrediction(at(a2)!.anteriorLps, at(a1)!.anteriorLps, lv);
      return len(sub(f.anteriorLps, pred.p)) <= pred.halfStepMm && f.radiusMm <= at(a1)!.radiusMm;
    });
    if (ok) raise.push(...ids);
  }
  for (const id of raise) {
    const k = foramina.findIndex((f) => f.id === id), e = evidence[id]!;
    foramina[k] = { ...foramina[k]!, confidence: FOUND_CONFIDENCE };
    e.confidence = FOUND_CONFIDENCE;
    e.rowCorroborated = true;
  }
}

/**
 * Why a sacral frame cannot be a sacrum, or null. The S1…S5 body centres sit at 14/102 … 95/102 of
 * the sacral length (frame.ts), so they span about 0.8 × a 90–120 mm sacrum (DOMAIN.md §6: height
 * 100–110 mm): outside 35–140 mm the bone taken for the sacrum is something else (the lumbar spine
 * of an abdominal scan, a fragment at the edge of the field of view).
 */
export function frameProblem(frame: SacralAnatomy['frame']): string | null {
  if (!frame || frame.bodyCentersLps.length < 2) return null;
  let L = 0;
  const c = frame.bodyCentersLps;
  for (let k = 1; k < c.length; k++) L += len(sub(c[k]!, c[k - 1]!));
  if (L < 35 || L > 140) return `the bone taken for the sacrum is ${L.toFixed(0)} mm long from the S1 to the S5 body (a sacrum: 70–100 mm)`;
  return null;
}

/**
 * Confidence of a suggested canal from the image (`seenFraction`, canal-fit.ts) and its shape: the sacral canal runs near the midline plane
 * (within 10 mm), is 30–140 mm long from S1 to the hiatus, and curves smoothly (the sacrum's
 * kyphosis is 25–40° over its length, so two consecutive 10 mm chords never turn by more than 45°).
 */
export function assessCanal(canal: Canal, frame: SacralAnatomy['frame'], seenFraction: number): { confidence: number; why: string[] } {
  const why: string[] = [];
  const p = canal.centerlineLps;
  if (p.length < 2) return { confidence: 0, why: ['fewer than two centreline points'] };
  // turning measured between 10 mm chords, so that a centre point jittering by a voxel is not a kink
  const cum = [0];
  for (let k = 1; k < p.length; k++) cum.push(cum[k - 1]! + len(sub(p[k]!, p[k - 1]!)));
  const L = cum[cum.length - 1]!;
  const at = (sMm: number): Vec3 => {
    let k = 1;
    while (k < p.length - 1 && cum[k]! < sMm) k++;
    const t = cum[k]! > cum[k - 1]! ? Math.max(0, Math.min(1, (sMm - cum[k - 1]!) / (cum[k]! - cum[k - 1]!))) : 0;
    const a = p[k - 1]!, b = p[k]!;
    return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];
  };
  const chord = 10, knots: Vec3[] = [];
  for (let sMm = 0; sMm <= L + 1e-9; sMm += chord) knots.push(at(sMm));
  let maxTurnDeg = 0;
  for (let k = 2; k < knots.length; k++) {
    const a = sub(knots[k - 1]!, knots[k - 2]!), b = sub(knots[k]!, knots[k - 1]!);
    if (len(a) > 0 && len(b) > 0) maxTurnDeg = Math.max(maxTurnDeg, (Math.acos(Math.max(-1, Math.min(1, dot(a, b) / (len(a) * len(b))))) * 180) / Math.PI);
  }
  // image evidence: the share of its points where a walled lumen is seen (full at 80 %: the hiatus is open)
  let c = Math.min(1, seenFraction / 0.8);
  if (c < 1) why.push(`a walled lumen is seen at ${(100 * seenFraction).toFixed(0)} % of its points`);
  if (L < 30 || L > 140) { c = Math.min(c, 0.3); why.push(`${L.toFixed(0)} mm long (a sacral canal: 30–140 mm)`); }
  if (maxTurnDeg > 45) { c = Math.min(c, 0.3); why.push(`turns by ${maxTurnDeg.toFixed(0)}° between two points`); }
  if (frame) {
    const off = Math.max(...p.map((q) => Math.abs(dot(sub(q, frame.midlinePointLps), frame.midlineNormalLps))));
    if (off > 10) { c = Math.min(c, 0.3); why.push(`${off.toFixed(0)} mm from the midline plane`); }
  }
  return { confidence: Math.round(c * 100) / 100, why };
}
