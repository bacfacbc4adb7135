/**
 * The level missing above the first one found (pure): where the level numbers are in doubt (detect/numbering.ts), the
 * row of openings is sought one spacing further up, on the image, and where a pair of tunnels is there the row is
 * counted again from it.
 *
 * Why: a level is missed where the searches never look, or where its tunnel does not show as the searches expect.
 * An S1 tunnel walled only by trabecular bone behind its cortical mouth (pancreas-ct-cb-001's S1 R, 10–14 mm in;
 * skewed-funnel.py --unlined S1) leaves the cortical shell open there: the first mask loses the S1 body, the long axis
 * begins at S2, the anterior-surface map (which runs along that axis) stops below the S1 openings, and the row is
 * named from S2. The Foramen tool's fit (foramen-fit.ts: the best walled lumen, its ring contrast against the local
 * spread) reads such a tunnel as readily as a lined one. So the fit is tried where this sacrum's own row puts the
 * level above its first one: one step on from the first level in the direction from the next one, the step
 * lengthened as the segments lengthen cranially (the S1–S2 spacing 24 mm against S2–S3's 20, JUNCTION_MM).
 *
 * A pair found there is taken for the level above only where it is one by every reading a level has
 * (DOMAIN.md §8), so that a look-alike (the L5/S1 intervertebral foramen, a fatty hollow of the ala) is not:
 *  - each side's anterior opening within half a step of where the row puts it, and not the first level's own tunnel;
 *  - its tunnel runs as the first level's does (within ROW_CONE_DEG: the foramina of neighbouring levels run
 *    alike; the intervertebral foramen runs laterally, 60–90° off them);
 *  - it is at least as wide as the first level's (S1 > S2 > S3 > S4), and at least half as long (the tunnels shorten
 *    down the row as the lateral masses thin: 44, 33, 24, 17 mm in the generator's sacrum; a hollow is short);
 *  - the two sides are mirror images on their axes (MIRROR_MM, evidence.ts' bar).
 * The row is then counted from that pair down (the levels in their order along the row, a spacing over
 * SPACING_MAX_MM counted as two levels), and the new numbering is taken only where numbering.ts confirms it (the
 * count of four levels crossing the row, or the disc); otherwise the row stays as it was, in doubt.
 */
import type { ScalarVolume } from '../../core/volume';
import type { Vec3 } from '../../core/vec3';
import { along3 as along, len3 as len, lineAngleDeg as angleDeg, normalize3 as unit, pointSegmentDistance as pointSegment, sub3 as sub } from './geometry';
import type { Foramen, ForamenId, SacralLevel } from '../types';
import { fitForamen } from '../foramen-fit';
import { JUNCTION_MM } from '../evidence';
import { LEVELS } from './types';
import { anglesToRow, ROW_CROSSING_DEG } from './numbering';
import { MIN_LENGTH_SHARE } from './mirror-refit';

/** Neighbouring levels' tunnels run within this of each other (row-between.ts ROW_CONE_DEG). */
const ROW_CONE_DEG = 30;
/** The mirror images of a level's two tunnels lie within this of each other's axis (mm; evidence.ts MIRROR_MM). */
const MIRROR_MM = 5;
/** One level's spacing along the row at most (surface-openings.ts SPACING_MAX: anterior openings 17–29 mm apart). */
const SPACING_MAX_MM = 35;
/** The fit is seeded this far inside the predicted opening, along the first level's tunnel: past a funnel's mouth (6 mm, funnel-refit.ts), inside the tunnel. */
const SEED_DEPTH_MM = 6;
/** The fit's cone about the first level's axis: surface-openings.ts FIT_CONE_DEG. */
const FIT_CONE_DEG = 35;

type V = Readonly<Vec3>;

export interface LevelAbove {
  /** The foramina renumbered from the pair found above (the tunnels along the row left out), all auto. */
  foramina: Foramen[];
  /** Old id → new id of every foramen kept. */
  renamed: Map<ForamenId, ForamenId>;
  message: string;
}

/**
 * The row counted again from a pair found one level above its first level (see the module comment), or null where
 * none is found. `mirror`: reflection about the midline plane; `confirmed`: whether numbering.ts takes the new
 * numbering (null doubt).
 */
export function levelAbove(volume: ScalarVolume, foramina: readonly Foramen[], mirror: (p: V) => Vec3, confirmed: (fs: Foramen[]) => boolean, messages: string[]): LevelAbove | null {
  const auto = foramina.filter((f) => f.source === 'auto');
  const angles = anglesToRow(auto);
  const crossing = auto.filter((f) => !((angles.get(f) ?? 90) < ROW_CROSSING_DEG));
  const lvs = LEVELS.filter((lv) => crossing.some((f) => f.level === lv));
  if (lvs.length < 2) return null;
  const first = lvs[0]!, next = lvs[1]!;
  const found: Partial<Record<'L' | 'R', { f: Foramen; radiusMm: number; anteriorLps: Vec3; posteriorLps: Vec3 }>> = {};
  const why: string[] = [];
  for (const side of ['L', 'R'] as const) {
    const F = crossing.find((f) => f.level === first && f.side === side), N = crossing.find((f) => f.level === next && f.side === side);
    if (!F || !N) { why.push(`${side}: no ${first} and ${next} on this side to step from`); continue; }
    const step = sub(F.anteriorLps, N.anteriorLps), stepMm = len(step);
    // hypothesis: the first level found is S2 and the one above it S1, the spacing lengthened by 24/20
    const scale = (JUNCTION_MM[1]! - JUNCTION_MM[0]!) / (JUNCTION_MM[2]! - JUNCTION_MM[1]!);
    const p = along(F.anteriorLps, step, scale);
    const halfStep = 0.5 * scale * stepMm;
    const axis = unit(sub(F.posteriorLps, F.anteriorLps));
    const fit = fitForamen(volume, along(p, axis, SEED_DEPTH_MM), { searchMm: Math.min(10, halfStep), axisHint: axis, coneDeg: FIT_CONE_DEG });
    if (!fit) { why.push(`${side}: no walled lumen`); continue; }
    const off = len(sub(fit.anteriorLps, p)), turn = angleDeg(sub(fit.posteriorLps, fit.anteriorLps), axis);
    if (off > halfStep) { why.push(`${side}: its opening ${off.toFixed(0)} mm from where the row puts it (half a step: ${halfStep.toFixed(0)})`); continue; }
    if (pointSegment(fit.centreLps, F.anteriorLps, F.posteriorLps) <= F.radiusMm + 1 || len(sub(fit.anteriorLps, F.anteriorLps)) < halfStep) { why.push(`${side}: ${F.id}'s own tunnel`); continue; }
    if (turn > ROW_CONE_DEG) { why.push(`${side}: its tunnel ${turn.toFixed(0)}° off ${F.id}'s`); continue; }
    if (fit.radiusMm < F.radiusMm) { why.push(`${side}: narrower than ${F.id} (${fit.radiusMm.toFixed(1)} against ${F.radiusMm.toFixed(1)} mm)`); continue; }
    const firstLen = len(sub(F.posteriorLps, F.anteriorLps));
    if (fit.tubeLengthMm < MIN_LENGTH_SHARE * firstLen) { why.push(`${side}: followed over ${fit.tubeLengthMm.toFixed(0)} mm, under half ${F.id}'s ${firstLen.toFixed(0)}`); continue; }
    found[side] = { f: F, radiusMm: fit.radiusMm, anteriorLps: fit.anteriorLps, posteriorLps: fit.posteriorLps };
  }
  const L = found.L, R = found.R;
  const none = (because: string) => { messages.push(`foramina: no level found above ${first} (${because})`); return null; };
  if (!L || !R) return none(why.join('; '));
  const mirrorMm = Math.max(pointSegment(mirror(R.anteriorLps), L.anteriorLps, L.posteriorLps), pointSegment(mirror(L.anteriorLps), R.anteriorLps, R.posteriorLps));
  if (mirrorMm > MIRROR_MM) return none(`the two tunnels there are no mirror images: ${mirrorMm.toFixed(1)} mm`);
  // the row counted from the new pair: the levels crossing it in their order, each one level on from the one before
  // it unless it lies more than a level's spacing further
  const rowLevels: { at: Vec3; members: Foramen[] }[] = [{ at: mean2(L.anteriorLps, R.anteriorLps), members: [] }];
  for (const lv of lvs) {
    const ms = crossing.filter((f) => f.level === lv);
    rowLevels.push({ at: meanOf(ms.map((f) => f.anteriorLps)), members: ms });
  }
  const out: Foramen[] = [];
  const renamed = new Map<ForamenId, ForamenId>();
  let k = 0;
  const s1: SacralLevel = LEVELS[0]!;
  for (const side of ['L', 'R'] as const) {
    const x = found[side]!;
    out.push({ id: `${s1}_${side}` as ForamenId, level: s1, side, anteriorLps: x.anteriorLps, posteriorLps: x.posteriorLps, radiusMm: Math.round(x.radiusMm * 10) / 10, confidence: 0.8, source: 'auto' });
  }
  for (let q = 1; q < rowLevels.length; q++) {
    k += len(sub(rowLevels[q]!.at, rowLevels[q - 1]!.at)) > SPACING_MAX_MM ? 2 : 1;
    if (k >= LEVELS.length) break;
    const lv = LEVELS[k]!;
    for (const f of rowLevels[q]!.members) {
      const id = `${lv}_${f.side}` as ForamenId;
      renamed.set(f.id, id);
      out.push({ ...f, id, level: lv });
    }
  }
  const kept = [...out, ...foramina.filter((f) => f.source !== 'auto' && !out.some((g) => g.id === f.id))];
  if (!confirmed(kept)) return none('a pair there, but the row counted from it is not confirmed');
  const dropped = auto.filter((f) => !renamed.has(f.id)).map((f) => f.id);
  return {
    foramina: kept, renamed,
    message: `foramina: a pair of tunnels one level above ${first} (r ${L.radiusMm.toFixed(1)}/${R.radiusMm.toFixed(1)} mm, mirror images, running as ${first}'s): the row counted from it as S1 (${[...renamed].map(([a, b]) => `${a}→${b}`).join(', ')}${dropped.length ? `; ${dropped.join(', ')} left out: ${dropped.some((id) => !crossing.some((f) => f.id === id)) ? 'along the row, not through the sacrum' : 'below S4'}` : ''})`,
  };
}

function mean2(a: V, b: V): Vec3 { return [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2, (a[2] + b[2]) / 2]; }
function meanOf(ps: readonly V[]): Vec3 {
  const m: Vec3 = [0, 0, 0];
  for (const p of ps) for (let i = 0; i < 3; i++) m[i]! += p[i]! / ps.length;
  return m;
}
