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
 */
import type { Vec3 } from '../core/vec3';
import type { Foramen, ForamenId } from './types';
import { FOUND_CONFIDENCE, JUNCTION_MM, type ForamenEvidence } from './evidence';

/**
 * A fitted tunnel whose direction lies within this of its row's is kept: the cone within which evidence.ts looks
 * for a walled lumen "along the suggested axis" (rimAlong). Beyond it the fit has left the tunnel's course.
 */
const ROW_CONE_DEG = 30;

function sub(a: Readonly<Vec3>, b: Readonly<Vec3>): Vec3 { return [a[0] - b[0], a[1] - b[1], a[2] - b[2]]; }
function len(a: Readonly<Vec3>): number { return Math.hypot(a[0], a[1], a[2]); }
function unit(a: Readonly<Vec3>): Vec3 { const l = len(a); return [a[0] / l, a[1] / l, a[2] / l]; }
function along(p: Readonly<Vec3>, d: Readonly<Vec3>, t: number): Vec3 { return [p[0] + d[0] * t, p[1] + d[1] * t, p[2] + d[2] * t]; }

/** Where the row puts level `k`'s opening between levels k−1 and k+1 of one side, and half its shorter step (mm). */
export function rowInterpolation(above: Readonly<Vec3>, below: Readonly<Vec3>, k: number): { p: Vec3; halfStepMm: number } {
  const j0 = JUNCTION_MM[k - 2]!, j = JUNCTION_MM[k - 1]!, j1 = JUNCTION_MM[k]!;
  const t = (j - j0) / (j1 - j0), span = len(sub(below, above));
  return { p: along(above, sub(below, above), t), halfStepMm: 0.5 * span * Math.min(t, 1 - t) };
}

/**
 * Raises to found (FOUND_CONFIDENCE) each S2 or S3 foramen that its row places between its found neighbours
 * (see the header), with the course the row gives it. `doubted`: the ids the detector doubts; `courseDoubted`:
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
  const cosCone = Math.cos((ROW_CONE_DEG * Math.PI) / 180);
  for (const lv of [2, 3]) for (const side of ['L', 'R'] as const) {
    const id = `S${lv}_${side}` as ForamenId, f = at(id), e = evidence[id];
    if (!f || !e || f.source !== 'auto' || f.confidence >= FOUND_CONFIDENCE) continue;
    if (doubted.has(id) && !courseDoubted.has(id)) continue;
    const aId = `S${lv - 1}_${side}`, bId = `S${lv + 1}_${side}`;
    if (!foundOwn(aId) || !foundOwn(bId)) continue;
    const a = at(aId)!, b = at(bId)!;
    // the opening where the row puts it
    const pred = rowInterpolation(a.anteriorLps, b.anteriorLps, lv);
    const off = sub(f.anteriorLps, pred.p), rowAxis = unit(sub(b.anteriorLps, a.anteriorLps));
    const alongMm = off[0] * rowAxis[0] + off[1] * rowAxis[1] + off[2] * rowAxis[2];
    const acrossMm = len(sub(off, along([0, 0, 0], rowAxis, alongMm)));
    if (Math.abs(alongMm) > pred.halfStepMm || acrossMm > a.radiusMm) continue;
    const offMm = len(off);
    // size order with both neighbours (S1 > S2 > S3 > S4, within 1 mm as evidence.ts)
    if (f.radiusMm > a.radiusMm + 1 || f.radiusMm < b.radiusMm - 1) continue;
    // the course: its own where it runs as the row does, else the row's
    const la = len(sub(a.posteriorLps, a.anteriorLps)), lb = len(sub(b.posteriorLps, b.anteriorLps));
    if (!(la > 0 && lb > 0)) continue;
    const rowDir = unit([0, 1, 2].map((i) => (a.posteriorLps[i]! - a.anteriorLps[i]!) / la + (b.posteriorLps[i]! - b.anteriorLps[i]!) / lb) as Vec3);
    const ownVec = sub(f.posteriorLps, f.anteriorLps), ownLen = len(ownVec);
    const ownDir = ownLen > 0 ? unit(ownVec) : rowDir;
    const cos = ownDir[0] * rowDir[0] + ownDir[1] * rowDir[1] + ownDir[2] * rowDir[2];
    const keep = cos >= cosCone;
    const dir = keep ? ownDir : rowDir;
    const length = Math.max(keep ? ownLen : 0, 0.5 * (la + lb));
    const course = { anteriorLps: [...f.anteriorLps] as Vec3, posteriorLps: along(f.anteriorLps, dir, length) };
    // a walled lumen along that course at the opening
    const rim = rimAt(course);
    if (!(rim > 0)) continue;
    const k = foramina.indexOf(f);
    foramina[k] = { ...f, ...course, confidence: FOUND_CONFIDENCE };
    const angleDeg = (Math.acos(Math.max(-1, Math.min(1, cos))) * 180) / Math.PI;
    const how = `its opening ${offMm.toFixed(1)} mm from where ${aId} and ${bId} put it (half a step: ${pred.halfStepMm.toFixed(0)} mm), a walled lumen there (${rim.toFixed(2)}); ${keep ? `its tunnel runs as theirs do (${angleDeg.toFixed(0)}°)` : `its fitted tunnel ${angleDeg.toFixed(0)}° off theirs: their course taken`}`;
    Object.assign(e, { confidence: FOUND_CONFIDENCE, rowCorroborated: true });
    e.why.push(`placed by its row: ${how}`);
    messages.push(`foramina: ${id} placed by its row: ${how}`);
  }
}
