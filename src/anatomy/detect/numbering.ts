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
 *    S1–S4 outright. A level counts only where a tunnel of it crosses the row of openings: the anterior foramina
 *    run dorsally through the lateral masses, across the line of the openings on the pelvic surface (measured
 *    against the row's own stretch at each level, anglesToRow: 76–89° on pancreas-ct-cb-001 and the TotalSegmentator
 *    CT, 57–89° on pelvic-ref-003 but for its S4_L fit at 28°, whose partner crosses at 57°), so a "tunnel" within
 *    ROW_CROSSING_DEG of that line runs along the surface, not through the sacrum. Skewed-funnel with its S1
 *    tunnels unlined: the long axis begun at S2, the S1 pair missed, and a pair of 10 mm stubs between S2's and S3's
 *    funnels, 10° from the row, completed a count of four (S2–S4 named S1, S3, S4, the stubs S2);
 *  - the L5/S1 disc (sacral-base.ts), found on its own (the dark gap between two bony plates near the top of the
 *    sacroiliac contact): the S1 anterior openings lie at the S1/S2 junction, one S1 body height below the S1
 *    endplate, the S2 openings one S2 segment further (S1_OPENING_BELOW_ENDPLATE_MM, opening-row.ts, is the
 *    bound between the two). The first level found must be S1 where it opens within that depth under the endplate's
 *    plane, and below S1 where it opens deeper. Where a second level is found, the row's own spacing must count the
 *    first level from the disc as well: scaled to the spacing between the first two levels found (their depths
 *    under the endplate's plane), the junction model (JUNCTION_MM) puts the first level at its measured depth at
 *    least twice as closely under its own name as under either neighbouring one (S1 then opens about 28/24 of
 *    the S1–S2 step under the endplate, S2 52/20 of the S2–S3 step: on the phantoms S1 22–25 mm with a 22 mm step,
 *    on pelvic-ref-003 32 mm with 30, on pancreas-ct-cb-001 30 with 25; fatty-funnel's truth S1 22 mm, S2 44, S3 61:
 *    an S2 taken for S1 opens 2.5 of its next step deep, not 1.2). A row whose next level opens no deeper than its
 *    first does not run down from that plane at all: the disc found is not this sacrum's top, and the depth confirms
 *    nothing. (On skewed-funnel the disc found is a line behind the canal at the search's 70° bound, and the whole
 *    row opens 15–51 mm above its plane: "outside the sacrum".)
 *    The depth cannot tell S2 from S3 (the kyphosis brings the lower openings nearer the plane: phantoms' S3 at
 *    61–65 mm, pelvic-ref-003's S2 at 62–63), so a row whose first level is below S1 is confirmed only where the
 *    long axis it was counted on begins at that disc too (its S1 body centre within one S1 body height, S1_BODY_MM,
 *    under the endplate: measured 9–12 mm on the phantoms, 9–19 on the real CTs; 14 mm above it on the flat-sacrum
 *    phantom, whose axis began in L5), or where the row's own spacing counts the levels from the disc as above. On
 *    eroded-S2R (S1 and S2 missed, the axis begun in L5) S3 opens 65 mm under the disc and S4 14 mm below it: as S3
 *    the model puts it at 63 mm, as S2 at 36.
 * Otherwise every suggested level is a "check" with the reason (a wrong disc makes the two readings disagree too:
 * the doubt then costs the user a look, never a landmark shown as found under the wrong name).
 */
import type { Vec3 } from '../../core/vec3';
import type { Foramen } from '../types';
import { aboveSacralBase, type SacralBase } from '../sacral-base';
import { S1_OPENING_BELOW_ENDPLATE_MM } from './opening-row';
import { LEVELS } from './types';
import { JUNCTION_MM } from '../evidence';

/** Height of the S1 body along the sacrum (mm; the body fractions of frame.ts: S1 0–28 mm of a 102 mm sacrum). */
const S1_BODY_MM = 28;

/**
 * A tunnel whose axis lies at least this far from the row of openings crosses it (see the module comment): halfway
 * between running along the surface (0°) and straight through it (90°). The real CTs' foramina lie at 57–89° to the
 * row (one fit of a level at 28°, its partner at 57°); the stubs of skewed-funnel with S1 unlined at 10°.
 */
export const ROW_CROSSING_DEG = 45;

function mean(ps: readonly (readonly number[])[]): Vec3 {
  const m: Vec3 = [0, 0, 0];
  for (const p of ps) for (let i = 0; i < 3; i++) m[i]! += p[i]! / ps.length;
  return m;
}

/**
 * Angle (degrees) of each auto foramen's axis to the row of openings where its level lies: the line from the mean
 * anterior opening of the level found before it to that of the level found after it (at the row's ends, from its
 * own to its neighbour's; both sides together, so the row lies on the midline plane). The row bends with the
 * sacrum's kyphosis, 30–45° from S1 to S4, so a tunnel is measured against its own stretch of it. Empty where the
 * row has fewer than two levels.
 */
export function anglesToRow(auto: readonly Foramen[]): Map<Foramen, number> {
  const out = new Map<Foramen, number>();
  const lvs = LEVELS.filter((lv) => auto.some((f) => f.level === lv));
  if (lvs.length < 2) return out;
  const at = (lv: string) => mean(auto.filter((f) => f.level === lv).map((f) => f.anteriorLps));
  for (const f of auto) {
    const i = lvs.indexOf(f.level);
    const a = at(lvs[Math.max(0, i - 1)]!), b = at(lvs[Math.min(lvs.length - 1, i + 1)]!);
    const row: Vec3 = [b[0] - a[0], b[1] - a[1], b[2] - a[2]], L = Math.hypot(...row);
    const ax: Vec3 = [f.posteriorLps[0] - f.anteriorLps[0], f.posteriorLps[1] - f.anteriorLps[1], f.posteriorLps[2] - f.anteriorLps[2]];
    const la = Math.hypot(...ax);
    if (!(L > 0) || !(la > 0)) continue;
    const c = Math.abs(ax[0] * row[0] + ax[1] * row[1] + ax[2] * row[2]) / (la * L);
    out.set(f, (Math.acos(Math.min(1, c)) * 180) / Math.PI);
  }
  return out;
}

/**
 * Why the level numbers of the suggested (auto) foramina are not confirmed, or null where they are (see the module
 * comment). `disc`: the L5/S1 disc found, whether or not the mask was cut there; `s1CentreLps`: the S1 body centre of
 * the long axis the levels were counted on.
 */
export function numberingDoubt(foramina: readonly Foramen[], disc: SacralBase | null, s1CentreLps: Readonly<Vec3> | null): string | null {
  const auto = foramina.filter((f) => f.source === 'auto');
  if (!auto.length) return null;
  // the count: the levels with a tunnel that crosses the row of openings
  const angles = anglesToRow(auto);
  const crosses = (f: Foramen) => !((angles.get(f) ?? 90) < ROW_CROSSING_DEG);
  const levels = new Set(auto.filter(crosses).map((f) => f.level));
  const along = LEVELS.filter((lv) => auto.some((f) => f.level === lv) && !levels.has(lv));
  const alongNote = along.length
    ? `${along.map((lv) => `${lv} runs along the row of openings (${Math.min(...auto.filter((f) => f.level === lv).map((f) => angles.get(f)!)).toFixed(0)}° from it), not through the sacrum`).join('; ')}: not counted; `
    : '';
  if (LEVELS.every((lv) => levels.has(lv))) return null;
  const k = Math.min(...auto.map((f) => LEVELS.indexOf(f.level)));
  const named = LEVELS.filter((lv) => auto.some((f) => f.level === lv)).join(', ');
  if (!disc) return `${alongNote}levels ${named} named from the top of the bone taken for the sacrum alone (no L5/S1 disc found to count from, and not all four levels in view): check the numbering`;
  const why = numberedFromDisc(auto, k, levels, disc, s1CentreLps);
  return why ? alongNote + why : null;
}

/**
 * Why the disc does not confirm the row whose first level found is LEVELS[k] (null where it does; the module comment).
 * `levels`: the levels whose tunnels cross the row (the next level for the spacing is one of them).
 */
function numberedFromDisc(auto: readonly Foramen[], k: number, levels: ReadonlySet<string>, disc: SacralBase, s1CentreLps: Readonly<Vec3> | null): string | null {
  const top = LEVELS[k]!;
  // the shallower of the first level's openings under the S1 endplate's plane (as surface-openings.ts reads the row)
  const depthMm = Math.min(...auto.filter((f) => f.level === top).map((f) => -aboveSacralBase(disc, ...f.anteriorLps)));
  const d = depthMm.toFixed(0);
  // the row's own spacing: the next level found below the first, the mean depth of each level's openings
  const depthOf = (lv: string) => { const x = auto.filter((f) => f.level === lv).map((f) => -aboveSacralBase(disc, ...f.anteriorLps)); return x.reduce((p, q) => p + q, 0) / x.length; };
  const m = LEVELS.findIndex((lv, j) => j > k && levels.has(lv));
  /** Whether the row's spacing counts the first level from the disc (true), puts it under another name (false), or cannot tell (null: one level). */
  const spacingCounts = (): { ok: boolean; why: string } | null => {
    if (m < 0) return null;
    const first = depthOf(top), next = depthOf(LEVELS[m]!), step = next - first;
    if (!(step > 0)) return { ok: false, why: `${LEVELS[m]} opens ${next.toFixed(0)} mm under it, no deeper than ${top} (${first.toFixed(0)} mm): the row does not run down from the disc found` };
    // where the junction model, scaled to this spacing, puts the first level if it is level j (0 = S1)
    const misfit = (j: number) => j < 0 || j + m - k >= JUNCTION_MM.length ? Infinity : Math.abs((JUNCTION_MM[j]! * step) / (JUNCTION_MM[j + m - k]! - JUNCTION_MM[j]!) - first);
    const own = misfit(k), other = Math.min(misfit(k - 1), misfit(k + 1));
    const alt = misfit(k - 1) < misfit(k + 1) ? k - 1 : k + 1;
    return 2 * own < other ? { ok: true, why: '' } : { ok: false, why: `its spacing to ${LEVELS[m]} (${step.toFixed(0)} mm) puts it ${own.toFixed(0)} mm off as ${top}, ${other.toFixed(0)} mm off as ${LEVELS[alt] ?? 'a level above S1'}` };
  };
  // a disc in doubt (disc-reading.ts: its contrast within the noise floor, or a rival reading as bright) anchors
  // nothing on its own: its depth alone confirms no name, and the long axis beginning at it confirms no count; only
  // the row's own spacing fitting the segment-length model from its plane does (a wrong plane puts the first level
  // at a depth the spacing does not give it)
  const doubt = disc.confidence && !disc.confidence.trusted ? `the L5/S1 disc found is in doubt (${disc.confidence.why})` : null;
  if (k === 0) {
    if (depthMm <= 0) return `S1 opens ${(-depthMm).toFixed(0)} mm above the S1 endplate of the L5/S1 disc found, outside the sacrum: the disc or the levels are wrong, check the numbering`;
    if (depthMm >= S1_OPENING_BELOW_ENDPLATE_MM) return `S1 opens ${d} mm under the L5/S1 disc found, where S2 or a lower level opens (S1 within ${S1_OPENING_BELOW_ENDPLATE_MM} mm): the levels may be numbered one off, check the numbering`;
    const sp = spacingCounts();
    if (sp?.ok) return null;
    if (!sp) return doubt ? `S1 opens ${d} mm under the L5/S1 disc found, but ${doubt}, and no second level's spacing confirms the count: check the numbering` : null;
    return `S1 opens ${d} mm under the L5/S1 disc found, but ${sp.why}${doubt ? `, and ${doubt}` : ''}: the disc or the levels are wrong, check the numbering`;
  }
  if (depthMm < S1_OPENING_BELOW_ENDPLATE_MM) return `no level found above ${top}, and ${top} opens ${d} mm under the L5/S1 disc found, where S1 opens (within ${S1_OPENING_BELOW_ENDPLATE_MM} mm): the levels may be numbered one off, check the numbering`;
  const axisMm = s1CentreLps ? -aboveSacralBase(disc, ...s1CentreLps) : NaN;
  if (!doubt && axisMm > 0 && axisMm <= S1_BODY_MM) return null;
  if (spacingCounts()?.ok) return null;
  if (doubt) return `no level found above ${top}, ${doubt}, and no second level's spacing counts ${top} from it: check the numbering`;
  return `no level found above ${top}, and the long axis its level was counted on ${Number.isFinite(axisMm) ? `has its S1 centre ${Math.abs(axisMm).toFixed(0)} mm ${axisMm > 0 ? 'under' : 'above'} the S1 endplate found (within ${S1_BODY_MM} mm under it where it begins at the disc)` : 'is not known'}: check the numbering`;
}
