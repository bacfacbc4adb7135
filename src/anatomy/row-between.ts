/**
 * A level between two found levels, placed by its own row (pure).
 *
 * The anterior openings of one side form a row down the sacrum, one per segment junction (DOMAIN.md §8; the
 * junctions of evidence.ts JUNCTION_MM: 28, 52, 72, 88 mm along the body curve). Where the level above and the
 * level below on the same side are found on their own evidence (their rims, mirror partners, spacing and size
 * order; not raised by a row rule, not doubted by the detector), the row itself says where the level between
 * them opens: at the interpolated junction, and no two levels' openings closer than a level step. An opening of
 * the level found there (along the row within half the shorter of its two steps; across it within the radius of
 * the level above, the widest of the three: the row is no wider than its openings) with a walled lumen round it
 * is that level: a look-alike of the neighbouring levels would lie a step away, and one beside the row (a
 * lateral-mass box, a vessel) off its line.
 *
 * This is for a level whose only doubt is its tunnel's course beyond the opening (its two sides followed over
 * lengths that disagree, detect/combine.ts courseDoubts): on fatty marrow with thin cortex a fit may follow one
 * side into the body or the canal and stop the other short, so neither the fits nor their mirror images settle
 * the course (pelvic-ref-003's S2: 37 and 9 mm). The tunnels of a row run alike (each along the local
 * antero-posterior direction of its segment, DOMAIN.md §8), so the course is taken from the row as well: the
 * fit's own direction where it lies within ROW_CONE_DEG of the mean of its neighbours' directions, else that
 * mean; at least as long as its neighbours' mean length (a fit stops where the rim fades, the tunnel does not).
 * The image must then show a walled lumen along that course at the opening (evidence.ts rimAlong). Each side is
 * judged on its own: sacra are not mirror images (DOMAIN.md), and this rule does not use the other side.
 *
 * The last level of a side's row (no found level below it) is placed by the two found levels above it instead:
 * its opening one step on from them (evidence.ts rowPrediction, the step shortened as the segments shorten),
 * within half that step, and no wider than the level above (within 1 mm). Past the row's end its course cannot be
 * interpolated, so only a fit that runs within ROW_CONE_DEG of the level above's tunnel is taken, as the image
 * followed it (a sacrum whose left S4 opens 4 mm lower and 2 mm further out than the right one, and runs 11 mm
 * where the right runs 17: the left fit, 8 mm, is doubted against its partner, not against its row).
 */
import { add, distance, dot, length, normalize, scaleAndAdd, sub, type Vec3 } from '../core/vec3';
import type { Foramen, ForamenId } from './types';
import { FOUND_CONFIDENCE, JUNCTION_MM, rowPrediction, type ForamenEvidence } from './evidence';

/**
 * A fitted tunnel whose direction lies within this of its row's is kept: the cone within which evidence.ts looks
 * for a walled lumen "along the suggested axis" (rimAlong). Beyond it the fit has left the tunnel's course.
 */
const ROW_CONE_DEG = 30;

/** The point `t` times `d` on from `p` (a new vector). */
function along(p: Readonly<Vec3>, d: Readonly<Vec3>, t: number): Vec3 { return scaleAndAdd([0, 0, 0], p, d, t); }

/** Where the row puts level `k`'s opening between levels k−1 and k+1 of one side, and half its shorter step (mm). */
export function rowInterpolation(above: Readonly<Vec3>, below: Readonly<Vec3>, k: number): { p: Vec3; halfStepMm: number } {
  const j0 = JUNCTION_MM[k - 2]!, j = JUNCTION_MM[k - 1]!, j1 = JUNCTION_MM[k]!;
  const t = (j - j0) / (j1 - j0), span = distance(below, above);
  return { p: along(above, sub([0, 0, 0], below, above), t), halfStepMm: 0.5 * span * Math.min(t, 1 - t) };
}

/**
 * Raises to found (FOUND_CONFIDENCE) each S2–S4 foramen that its row places between its found neighbours, or one
 * step past the two found levels above it where no level below is found (see the header), with the course the
 * row gives it. `doubted`: the ids the detector doubts; `courseDoubted`:
 * those whose only doubt is the tunnel's course; `rimAt(course)`: the rim of a walled lumen on that course at its
 * anterior opening, 0 where none (suggest.ts: evidence.ts rimAlong on the image). Mutates `foramina`,
 * `evidence` and `messages`.
 */
export function rowBetween(
  foramina: Foramen[], evidence: Record<string, ForamenEvidence>, doubted: ReadonlySet<string>, courseDoubted: ReadonlySet<string>,
  rimAt: (course: Pick<Foramen, 'anteriorLps' | 'posteriorLps'>) => number, messages: string[],
): void {
  const at = (id: string) => foramina.find((f) => f.id === id);
  const foundOwn = (id: string) => {
    const f = at(id);
    return !!f && (f.source === 'manual' || (f.confidence >= FOUND_CONFIDENCE && !doubted.has(id) && !evidence[id]?.rowCorroborated));
  };
  for (const lv of [2, 3, 4]) for (const side of ['L', 'R'] as const) {
    const id = `S${lv}_${side}` as ForamenId, f = at(id), e = evidence[id];
    if (!f || !e || f.source !== 'auto' || f.confidence >= FOUND_CONFIDENCE) continue;
    if (doubted.has(id) && !courseDoubted.has(id)) continue;
    const aId = `S${lv - 1}_${side}`, bId = `S${lv + 1}_${side}`, a2Id = `S${lv - 2}_${side}`;
    if (!foundOwn(aId)) continue;
    const placed = lv < 4 && foundOwn(bId) ? between(f, at(aId)!, at(bId)!, lv) : lv >= 3 && foundOwn(a2Id) ? below(f, at(a2Id)!, at(aId)!, lv) : null;
    if (!placed) continue;
    // a walled lumen along that course at the opening
    const rim = rimAt(placed.course);
    if (!(rim > 0)) continue;
    const k = foramina.indexOf(f);
    foramina[k] = { ...f, ...placed.course, confidence: FOUND_CONFIDENCE };
    const how = `${placed.how}, a walled lumen there (${rim.toFixed(2)}); ${placed.courseHow}`;
    Object.assign(e, { confidence: FOUND_CONFIDENCE, rowCorroborated: true });
    e.why.push(`placed by its row: ${how}`);
    messages.push(`foramina: ${id} placed by its row: ${how}`);
  }
}

interface Placed { course: Pick<Foramen, 'anteriorLps' | 'posteriorLps'>; how: string; courseHow: string }

function direction(f: Pick<Foramen, 'anteriorLps' | 'posteriorLps'>): { dir: Vec3; lengthMm: number } {
  const v = sub([0, 0, 0], f.posteriorLps, f.anteriorLps);
  return { dir: normalize(v, v), lengthMm: distance(f.posteriorLps, f.anteriorLps) };
}
function angleDeg(a: Readonly<Vec3>, b: Readonly<Vec3>): number {
  return (Math.acos(Math.max(-1, Math.min(1, dot(a, b)))) * 180) / Math.PI;
}

/** Level `lv` of one side between its found neighbours `a` (above) and `b` (below), or null (see the header). */
function between(f: Foramen, a: Foramen, b: Foramen, lv: number): Placed | null {
  // the opening where the row puts it
  const pred = rowInterpolation(a.anteriorLps, b.anteriorLps, lv);
  const off = sub([0, 0, 0], f.anteriorLps, pred.p), rowAxis = sub([0, 0, 0], b.anteriorLps, a.anteriorLps);
  normalize(rowAxis, rowAxis);
  const alongMm = dot(off, rowAxis);
  const acrossMm = length(scaleAndAdd([0, 0, 0], off, rowAxis, -alongMm));
  if (Math.abs(alongMm) > pred.halfStepMm || acrossMm > a.radiusMm) return null;
  // size order with both neighbours (S1 > S2 > S3 > S4, within 1 mm as evidence.ts)
  if (f.radiusMm > a.radiusMm + 1 || f.radiusMm < b.radiusMm - 1) return null;
  // the course: its own where it runs as the row does, else the row's
  const da = direction(a), db = direction(b), own = direction(f);
  if (!(da.lengthMm > 0 && db.lengthMm > 0)) return null;
  const rowDir = add([0, 0, 0], da.dir, db.dir);
  normalize(rowDir, rowDir);
  const turn = own.lengthMm > 0 ? angleDeg(own.dir, rowDir) : 180;
  const keep = turn <= ROW_CONE_DEG;
  const lengthMm = Math.max(keep ? own.lengthMm : 0, 0.5 * (da.lengthMm + db.lengthMm));
  return {
    course: { anteriorLps: [...f.anteriorLps] as Vec3, posteriorLps: along(f.anteriorLps, keep ? own.dir : rowDir, lengthMm) },
    how: `its opening ${length(off).toFixed(1)} mm from where ${a.id} and ${b.id} put it (half a step: ${pred.halfStepMm.toFixed(0)} mm)`,
    courseHow: keep ? `its tunnel runs as theirs do (${turn.toFixed(0)}°)` : `its fitted tunnel ${turn.toFixed(0)}° off theirs: their course taken`,
  };
}

/** The last level `lv` of one side, one step on from its found levels `a2` and `a1` above it, or null (see the header). */
function below(f: Foramen, a2: Foramen, a1: Foramen, lv: number): Placed | null {
  const pred = rowPrediction(a2.anteriorLps, a1.anteriorLps, lv);
  const offMm = distance(f.anteriorLps, pred.p);
  if (offMm > pred.halfStepMm || f.radiusMm > a1.radiusMm + 1) return null;
  const da = direction(a1), own = direction(f);
  if (!(da.lengthMm > 0 && own.lengthMm > 0)) return null;
  const turn = angleDeg(own.dir, da.dir);
  if (turn > ROW_CONE_DEG) return null;
  return {
    course: { anteriorLps: [...f.anteriorLps] as Vec3, posteriorLps: [...f.posteriorLps] as Vec3 },
    how: `its opening ${offMm.toFixed(1)} mm from where ${a2.id} and ${a1.id} put the next one (half a step: ${pred.halfStepMm.toFixed(0)} mm)`,
    courseHow: `its tunnel runs as ${a1.id}'s does (${turn.toFixed(0)}°)`,
  };
}
