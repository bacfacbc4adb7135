/**
 * The S4 pair sought where the row puts it (pure), when the row holds S2 and S3 on both sides and no S4.
 *
 * Why: the anterior-surface search finds an opening as a dark spot enclosed on its map (surface-openings.ts). On thick
 * slices an S4 opening, the smallest, can be a groove along the long axis on that map, walled on its two sides only
 * (fatty-thick4mm: 233–261 HU between walls of 290–380 HU, 16 mm long, so not enclosed in 12 of 16 directions): it is
 * never fitted, though its tunnel is walled like the others. The Foramen tool's fit (foramen-fit.ts) reads the tunnel
 * on slab images across it, not on that map. So the fit is tried where this sacrum's own row puts S4 (evidence.ts
 * rowPrediction: one step on from S3 in the direction from S2, shortened as the segments shorten), seeded inside the
 * predicted opening along S3's tunnel, as levelAbove (level-above.ts) seeks the level above the first one found; a fit
 * that stops short on thick slices is followed in the slice's plane (foramen-axis.ts followInSlice), as the surface's
 * fits are.
 *
 * A pair found there is taken for S4 only where it is one by every reading a level has (DOMAIN.md §8):
 *  - each side's anterior opening within half a step of where the row puts it, and not S3's own tunnel;
 *  - its tunnel runs as S3's does (within ROW_CONE_DEG);
 *  - it is no wider than S3 by more than 1 mm (S1 > S2 > S3 > S4, as the row's chain asks), and followed over at least
 *    MIN_TUBE_MM (a pit is no tunnel);
 *  - the two sides are mirror images on their axes (MIRROR_MM, evidence.ts' bar).
 * The pair is then suggested as S4, shown as check (detect.ts): its radius is its fit's ring, which on the thick slices
 * where the map misses it reads narrow (fatty-thick4mm: 1.5/1.8 mm for 2.5, T14's clearance 0.55 mm too large).
 */
import type { ScalarVolume } from '../../core/volume';
import { along3 as along, len3 as len, lineAngleDeg as angleDeg, normalize3 as unit, pointSegmentDistance as pointSegment, sub3 as sub } from './geometry';
import type { Foramen, ForamenId } from '../types';
import { fitForamen } from '../foramen-fit';
import { followInSlice } from '../foramen-axis';
import { rowPrediction } from '../evidence';

/** Neighbouring levels' tunnels run within this of each other (level-above.ts, row-between.ts ROW_CONE_DEG). */
const ROW_CONE_DEG = 30;
/** The mirror images of a level's two tunnels lie within this of each other's axis (mm; evidence.ts MIRROR_MM). */
const MIRROR_MM = 5;
/** The fit is seeded this far inside the predicted opening along S3's tunnel (level-above.ts SEED_DEPTH_MM). */
const SEED_DEPTH_MM = 6;
/** The fit's cone about S3's axis: surface-openings.ts FIT_CONE_DEG. */
const FIT_CONE_DEG = 35;
/** A tunnel followed over less than this is a pit (surface-openings.ts MIN_TUBE_MM). */
const MIN_TUBE_MM = 6;
/** A fit followed over less than this stopped where its ring opened (surface-openings.ts SHORT_TUBE_MM). */
const SHORT_TUBE_MM = 8;


/**
 * The S4 pair where the row puts it (see the module comment), or null. `mirrorOff`: how far two tunnels of a level are
 * from mirror images (mm; level-midline.ts mirrorOffMm).
 */
export function levelBelow(volume: ScalarVolume, foramina: readonly Foramen[], mirrorOff: (a: Foramen, b: Foramen) => number, messages: string[]): Foramen[] | null {
  const at = (id: string) => foramina.find((f) => f.id === id && f.source === 'auto');
  if (foramina.some((f) => f.level === 'S4')) return null;
  const why: string[] = [];
  const out: Foramen[] = [];
  for (const side of ['L', 'R'] as const) {
    const S2 = at(`S2_${side}`), S3 = at(`S3_${side}`);
    if (!S2 || !S3) return null;
    const { p, halfStepMm } = rowPrediction(S2.anteriorLps, S3.anteriorLps, 3);
    const axis = unit(sub(S3.posteriorLps, S3.anteriorLps));
    const fit = fitForamen(volume, along(p, axis, SEED_DEPTH_MM), { searchMm: Math.min(10, halfStepMm), axisHint: axis, coneDeg: FIT_CONE_DEG });
    if (!fit) { why.push(`${side}: no walled lumen`); continue; }
    // On thick slices the fit's ends come from a walk that re-centres across the slices, which the slices do not
    // resolve (fatty-thick4mm: chords 50–64° off S3's, running cranio-caudally through the S4 tube): the tunnel is
    // followed in the slice's plane through the fit's best section along S3's course (the row's tunnels run alike),
    // where it lies so, as a fit stopped short is
    const seed = { anteriorLps: along(fit.centreLps, axis, -SHORT_TUBE_MM / 2), posteriorLps: along(fit.centreLps, axis, SHORT_TUBE_MM / 2), radiusMm: fit.radiusMm };
    const flat = followInSlice(volume, seed, undefined, true) ?? (fit.tubeLengthMm < SHORT_TUBE_MM ? followInSlice(volume, fit) : null);
    const a = flat?.anteriorLps ?? fit.anteriorLps, b = flat?.posteriorLps ?? fit.posteriorLps;
    const off = len(sub(a, p)), turn = angleDeg(sub(b, a), axis), L = len(sub(b, a));
    if (off > halfStepMm) { why.push(`${side}: its opening ${off.toFixed(0)} mm from where the row puts it (half a step: ${halfStepMm.toFixed(0)})`); continue; }
    if (pointSegment(fit.centreLps, S3.anteriorLps, S3.posteriorLps) <= S3.radiusMm + 1 || len(sub(a, S3.anteriorLps)) < halfStepMm) { why.push(`${side}: S3's own tunnel`); continue; }
    if (turn > ROW_CONE_DEG) { why.push(`${side}: its tunnel ${turn.toFixed(0)}° off S3's`); continue; }
    if (fit.radiusMm > S3.radiusMm + 1) { why.push(`${side}: wider than S3 (${fit.radiusMm.toFixed(1)} against ${S3.radiusMm.toFixed(1)} mm)`); continue; }
    if (L < MIN_TUBE_MM) { why.push(`${side}: followed over ${L.toFixed(0)} mm`); continue; }
    out.push({ id: `S4_${side}` as ForamenId, level: 'S4', side, anteriorLps: a, posteriorLps: b, radiusMm: Math.round(fit.radiusMm * 10) / 10, confidence: 0.8, source: 'auto' });
  }
  const none = (because: string) => { messages.push(`foramina: no S4 pair found where the row puts it (${because})`); return null; };
  if (out.length < 2) return none(why.join('; '));
  const mm = mirrorOff(out[0]!, out[1]!);
  if (!(mm <= MIRROR_MM)) return none(`the two tunnels there are no mirror images: ${mm.toFixed(1)} mm`);
  messages.push(`foramina: an S4 pair where the row puts it (one step on from S3; r ${out[0]!.radiusMm}/${out[1]!.radiusMm} mm, mirror images within ${mm.toFixed(1)} mm, running as S3's)`);
  return out;
}
