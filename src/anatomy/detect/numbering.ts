/**
 * Whether the level numbers of the suggested foramina are confirmed by a reading that does not rest on where the long
 * axis begins (pure).
 *
 * The searches name their levels from the top of the bone taken for the sacrum (the junctions of frame.ts, the inside
 * search's count) or from the L5/S1 disc (surface-openings.ts, below the disc). Where the first mask holds L5 and the
 * disc is not cut off, the long axis begins in L5 and every level is named one too low (a sacrum lying flat under an
 * upright L5: its S1, S2, S3 pairs named S2, S3, S4); where it misses the top of S1, one too high. Each foramen is
 * then a real tunnel, found on its own evidence, with the wrong name: the zone map and every clearance built on it
 * are wrong. So the numbering is taken only where one of two readings independent of the long axis confirms it:
 *  - the count: the row holds all four levels S1–S4 (on either side) — only four are sought, so a complete row is
 *    S1–S4 outright;
 *  - the L5/S1 disc (sacral-base.ts), found on its own (the dark gap between two bony plates near the top of the
 *    sacroiliac contact): the S1 anterior openings lie at the S1/S2 junction, one S1 body height below the S1
 *    endplate, the S2 openings one S2 segment further (S1_OPENING_BELOW_ENDPLATE_MM, surface-openings.ts, is the
 *    bound between the two). The first level found must be S1 where it opens within that depth under the endplate's
 *    plane, and below S1 where it opens deeper. The depth cannot tell S2 from S3 (the kyphosis brings the lower
 *    openings nearer the plane: phantoms' S3 at 61–65 mm, pelvic-ref-003's S2 at 62–63), so a row whose first level
 *    is below S1 is confirmed only where the long axis it was counted on begins at that disc too (its S1 body centre
 *    within one S1 body height, S1_BODY_MM, under the endplate: measured 9–12 mm on the phantoms, 9–19 on the real
 *    CTs; 14 mm above it on the flat-sacrum phantom, whose axis began in L5), or where the row's own spacing counts
 *    the levels from the disc: scaled to the spacing between the first two levels found, the junction model
 *    (JUNCTION_MM) puts the first level at its measured depth at least twice as closely under its own name as one
 *    level higher (a long axis begun in L5 names the levels one too low). On eroded-S2R (S1 and S2 missed, the axis
 *    begun in L5) S3 opens 65 mm under the disc and S4 14 mm below it: as S3 the model puts it at 63 mm, as S2 at 36.
 * Otherwise every suggested level is a "check" with the reason (a wrong disc makes the two readings disagree too:
 * the doubt then costs the user a look, never a landmark shown as found under the wrong name).
 */
import type { Vec3 } from '../../core/vec3';
import type { Foramen } from '../types';
import { aboveSacralBase, type SacralBase } from '../sacral-base';
import { S1_OPENING_BELOW_ENDPLATE_MM } from './surface-openings';
import { LEVELS } from './types';
import { JUNCTION_MM } from '../evidence';

/** Height of the S1 body along the sacrum (mm; the body fractions of frame.ts: S1 0–28 mm of a 102 mm sacrum). */
const S1_BODY_MM = 28;

/**
 * Why the level numbers of the suggested (auto) foramina are not confirmed, or null where they are (see the module
 * comment). `disc`: the L5/S1 disc found, whether or not the mask was cut there; `s1CentreLps`: the S1 body centre of
 * the long axis the levels were counted on.
 */
export function numberingDoubt(foramina: readonly Foramen[], disc: SacralBase | null, s1CentreLps: Readonly<Vec3> | null): string | null {
  const auto = foramina.filter((f) => f.source === 'auto');
  if (!auto.length) return null;
  const levels = new Set(auto.map((f) => f.level));
  if (LEVELS.every((lv) => levels.has(lv))) return null;
  const k = Math.min(...auto.map((f) => LEVELS.indexOf(f.level)));
  const top = LEVELS[k]!;
  const named = LEVELS.filter((lv) => levels.has(lv)).join(', ');
  if (!disc) return `levels ${named} named from the top of the bone taken for the sacrum alone (no L5/S1 disc found to count from, and not all four levels in view): check the numbering`;
  // the shallower of the first level's openings under the S1 endplate's plane (as surface-openings.ts reads the row)
  const depthMm = Math.min(...auto.filter((f) => f.level === top).map((f) => -aboveSacralBase(disc, ...f.anteriorLps)));
  const d = depthMm.toFixed(0);
  if (k === 0) {
    if (depthMm > 0 && depthMm < S1_OPENING_BELOW_ENDPLATE_MM) return null;
    return depthMm <= 0
      ? `S1 opens ${d} mm under the L5/S1 disc found, above the sacrum: the disc or the levels are wrong, check the numbering`
      : `S1 opens ${d} mm under the L5/S1 disc found, where S2 or a lower level opens (S1 within ${S1_OPENING_BELOW_ENDPLATE_MM} mm): the levels may be numbered one off, check the numbering`;
  }
  if (depthMm < S1_OPENING_BELOW_ENDPLATE_MM) return `no level found above ${top}, and ${top} opens ${d} mm under the L5/S1 disc found, where S1 opens (within ${S1_OPENING_BELOW_ENDPLATE_MM} mm): the levels may be numbered one off, check the numbering`;
  const axisMm = s1CentreLps ? -aboveSacralBase(disc, ...s1CentreLps) : NaN;
  if (axisMm > 0 && axisMm <= S1_BODY_MM) return null;
  // the row's own spacing: the next level found below the first, the mean depth of each level's openings
  const depthOf = (lv: string) => { const d = auto.filter((f) => f.level === lv).map((f) => -aboveSacralBase(disc, ...f.anteriorLps)); return d.reduce((x, y) => x + y, 0) / d.length; };
  const m = LEVELS.findIndex((lv, j) => j > k && levels.has(lv));
  if (m > 0) {
    const first = depthOf(top), step = depthOf(LEVELS[m]!) - first;
    // where the junction model, scaled to this spacing, puts the first level if it is level j (0 = S1)
    const misfit = (j: number) => Math.abs((JUNCTION_MM[j]! * step) / (JUNCTION_MM[j + m - k]! - JUNCTION_MM[j]!) - first);
    if (step > 0 && 2 * misfit(k) < misfit(k - 1)) return null;
  }
  return `no level found above ${top}, and the long axis its level was counted on ${Number.isFinite(axisMm) ? `has its S1 centre ${Math.abs(axisMm).toFixed(0)} mm ${axisMm > 0 ? 'under' : 'above'} the S1 endplate found (within ${S1_BODY_MM} mm under it where it begins at the disc)` : 'is not known'}: check the numbering`;
}
