/**
 * The row of anterior openings below the L5/S1 disc (surface-openings.ts, step 4): mirror pairs of fitted tunnels
 * chained from S1 down by their spacing along the long axis and their size order, and the levels another pair could
 * take in the same row.
 */
import type { Vec3 } from '../../core/vec3';
import { pointSegmentDistance } from './geometry';
import type { ForamenFit } from '../foramen-fit';
import { type ForamenCandidate, LEVELS } from './types';

/** Consecutive levels along the surface: anterior openings 17–29 mm apart (DOMAIN.md §8), a small sacrum 14 mm. */
export const SPACING_MIN = 10, SPACING_MAX = 35;
/**
 * Where a level may be skipped (below the L5/S1 disc), the spacing that still counts as one level: the S1
 * openings, the widest and most oblique, lie further above S2 than the row's other spacings (34 mm on
 * pelvic-ref-003 as read by eye; evidence.ts allows 40 mm between same-side centres). Two levels (a skipped
 * one between) are at least twice the smallest spacing beyond that.
 */
const SPACING_MAX_BELOW_DISC = 40;
/**
 * Below the L5/S1 disc: consecutive spacings of one chain (per level) differ by at most this factor. The
 * sacral segments shorten smoothly from S1 to S5 (28, 24, 20, 16 mm in the body fractions of frame.ts), so the
 * spacings of neighbouring openings differ by 15–20 %; as read by eye they vary more (pelvic-ref-003: 31, 24,
 * 32 mm along the surface). A pair halfway between two levels (a lateral-mass box, a vessel) makes one spacing
 * under half of the one before it.
 */
const SPACING_RATIO_MAX = 2;
/**
 * Below the L5/S1 disc the chain's first pair is S1 when it opens within this distance (mm) under the S1
 * endplate's plane: the S1 openings lie at the S1/S2 junction, one S1 body height (about 28 mm, frame.ts'
 * fractions) below the endplate, and the S2 openings one S2 segment (about 24 mm) further; 40 mm is halfway
 * between the two (pelvic-ref-003: S1 at 31–33 mm, S2 at 62–63; the pancreas scan: S1 29–31, S2 55–56).
 */
export const S1_OPENING_BELOW_ENDPLATE_MM = 40;
/**
 * ... and at least this far under it: halfway between the endplate and the S1 openings (one S1 segment, about 28 mm,
 * under it), as S1_OPENING_BELOW_ENDPLATE_MM lies halfway between them and S2. A pair opening higher lies beside the
 * upper half of the S1 body, in the alae, where no foramen opens (fatty-thick5mm-px08: a look-alike pair 2 mm above
 * the endplate's plane, 30 mm above the S1 openings, taken as S1, named every level one too high).
 */
const S1_OPENING_MIN_BELOW_ENDPLATE_MM = 14;
/** Two fits are one tunnel when each one's centre lies this close to the other's axis (mm): combine.ts' MATCH_MM. */
const SAME_TUNNEL_MM = 5;
/** A pair whose weaker fit scores below this share of the best pair's is not a level (fatty lateral-mass boxes, vessels). */
export const PAIR_SHARE = 0.35;

export interface SurfaceCandidate extends ForamenCandidate {
  fit: ForamenFit;
  u: number;
}


/** A mirror pair of tunnels on the map: s along the long axis, r the mean radius. */
export interface TunnelPair { L: SurfaceCandidate; R: SurfaceCandidate; s: number; r: number; score: number }

/** Levels from one pair to the next below the disc: one, two (a level whose pair was not fitted) or none (0). */
function levelStep(a: TunnelPair, b: TunnelPair): number {
  const gap = b.s - a.s;
  return gap >= SPACING_MIN && gap <= SPACING_MAX_BELOW_DISC ? 1 : gap > SPACING_MAX_BELOW_DISC && gap <= 2 * SPACING_MAX ? 2 : 0;
}

/** Whether pair b may follow pair a in the row, `step` levels on, given the spacing per level before a (NaN at the first). */
function mayFollow(a: TunnelPair, b: TunnelPair, step: number, prevPerLevel: number): boolean {
  if (!step || levelStep(a, b) !== step || a.L === b.L || a.R === b.R) return false;
  if (b.L.radiusMm > a.L.radiusMm + 1 && b.R.radiusMm > a.R.radiusMm + 1) return false;
  if (prevPerLevel === prevPerLevel) {
    const ratio = (b.s - a.s) / step / prevPerLevel;
    if (ratio > SPACING_RATIO_MAX || ratio < 1 / SPACING_RATIO_MAX) return false;
  }
  return true;
}

/** Whether a pair opening `mm` under the S1 endplate's plane may be the S1 pair. */
const s1Opening = (mm: number): boolean => mm <= S1_OPENING_BELOW_ENDPLATE_MM && mm >= S1_OPENING_MIN_BELOW_ENDPLATE_MM;

/** Whether a row (pairs with their levels relative to the first) keeps every rule of rowBelowDisc. */
function rowHolds(row: TunnelPair[], rel: number[], opensBelowMm: (p: TunnelPair) => number): boolean {
  if (!row.length || !s1Opening(opensBelowMm(row[0]!))) return false;
  for (let q = 1; q < row.length; q++) {
    const prev = q >= 2 ? (row[q - 1]!.s - row[q - 2]!.s) / (rel[q - 1]! - rel[q - 2]!) : NaN;
    if (!mayFollow(row[q - 1]!, row[q]!, rel[q]! - rel[q - 1]!, prev)) return false;
  }
  return true;
}

/**
 * The row of openings below the L5/S1 disc, counted from S1 down: the chain of mirror pairs whose first pair
 * opens within S1_OPENING_BELOW_ENDPLATE_MM under the S1 endplate (so S1 is named from the disc, not from where
 * the long axis' top lands), each next pair one level (SPACING_MIN–SPACING_MAX_BELOW_DISC along the axis) or two
 * (a level whose pair was not fitted: up to twice SPACING_MAX) further, consecutive per-level spacings within
 * SPACING_RATIO_MAX of each other, and no level wider than the one above it by more than 1 mm on both sides
 * (S1 > S2 > S3 > S4; one side's fit may settle on the narrow part of a funnel). The most levels win, then the
 * highest summed fit score. Exhaustive: a handful of pairs, four levels.
 * A level another pair could take in the same row (a different tunnel on one side at least, every rule kept,
 * scoring at least PAIR_SHARE of the pair taken, its tunnels mirror images on their axes) is one the image
 * leaves in doubt: `doubtful` holds those sides (chain position, side). (The alternative keeps the
 * row's spacing, so the levels after it keep their numbers.)
 * `opensBelowMm(p)`: how far under the S1 endplate's plane the pair opens (mm).
 */
export function rowBelowDisc(pairs: TunnelPair[], opensBelowMm: (p: TunnelPair) => number, mirrorOnAxes: (p: TunnelPair) => boolean, sameOpening: (a: SurfaceCandidate, b: SurfaceCandidate) => boolean = () => false): { chain: TunnelPair[]; rel: number[]; doubtful: { q: number; side: 'L' | 'R'; why: string }[] } {
  let best: { idx: number[]; rel: number[]; sc: number } | null = null;
  const idx: number[] = [], rl: number[] = [];
  const grow = (sc: number): void => {
    if (!best || idx.length > best.idx.length || (idx.length === best.idx.length && sc > best.sc)) best = { idx: [...idx], rel: [...rl], sc };
    const m = idx[idx.length - 1]!, a = pairs[m]!;
    const prev = idx.length >= 2 ? (a.s - pairs[idx[idx.length - 2]!]!.s) / (rl[rl.length - 1]! - rl[rl.length - 2]!) : NaN;
    for (let k = m + 1; k < pairs.length; k++) {
      const b = pairs[k]!, step = levelStep(a, b);
      if (!step || rl[rl.length - 1]! + step >= LEVELS.length || !mayFollow(a, b, step, prev)) continue;
      idx.push(k); rl.push(rl[rl.length - 1]! + step);
      grow(sc + b.score);
      idx.pop(); rl.pop();
    }
  };
  for (let k = 0; k < pairs.length; k++) {
    if (!s1Opening(opensBelowMm(pairs[k]!))) continue;
    idx.push(k); rl.push(0);
    grow(pairs[k]!.score);
    idx.pop(); rl.pop();
  }
  const b = best as { idx: number[]; rel: number[] } | null;
  if (!b) return { chain: [], rel: [], doubtful: [] };
  const chain = b.idx.map((k) => pairs[k]!), rel = b.rel;
  const doubtful: { q: number; side: 'L' | 'R'; why: string }[] = [];
  chain.forEach((x, q) => {
    for (const y of pairs) {
      // a look-alike scoring under PAIR_SHARE of the pair taken is no rival (a fifth to a tenth of a real opening),
      // nor a pair whose tunnels are not mirror images on their axes (what a counted level needs)
      if (y === x || y.score < PAIR_SHARE * x.score || !mirrorOnAxes(y)) continue;
      const row = chain.map((p, r) => (r === q ? y : p));
      if (!rowHolds(row, rel, opensBelowMm)) continue;
      for (const side of ['L', 'R'] as const) {
        const o = y[side], t = x[side];
        // the same tunnel fitted from another opening on the map is no rival: each centre on the other's axis
        const sameTunnel = pointSegmentDistance(o.centerLps, t.anteriorLps, t.posteriorLps) <= SAME_TUNNEL_MM && pointSegmentDistance(t.centerLps, o.anteriorLps, o.posteriorLps) <= SAME_TUNNEL_MM;
        // nor a tunnel that opens through the same anterior opening (its deeper course fitted differently)
        if (o === t || sameTunnel || sameOpening(o, t) || doubtful.some((d) => d.q === q && d.side === side)) continue;
        doubtful.push({ q, side, why: `another walled tunnel ${Math.hypot(o.centerLps[0] - t.centerLps[0], o.centerLps[1] - t.centerLps[1], o.centerLps[2] - t.centerLps[2]).toFixed(0)} mm away fits the row of openings there as well` });
      }
    }
  });
  return { chain, rel, doubtful };
}
