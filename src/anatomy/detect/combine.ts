/**
 * One set of foramina from the two searches: the tunnel search inside the bone (foramina.ts, or
 * foramina-thick.ts on thick slices) and the openings on the anterior surface (surface-openings.ts).
 *
 *  - A surface level whose tunnels lie within MATCH_MM of a tunnel of the inside search is the same
 *    foramen seen twice: the inside search's tunnel is kept where it measured the tunnel's axis (fine
 *    grids: it follows the whole tunnel), the surface's fitted one where it did not (thick slices: the
 *    inside search takes the local antero-posterior direction as the axis), and the inside search's level
 *    numbers the surface chain when the inside search found at least as many levels (it counts its
 *    levels from the top of the sacrum, so a shorter count may have missed S1).
 *  - A surface level the inside search missed is added (fatty marrow: no dark tunnel inside bright bone).
 *  - A level only the inside search found is kept (not where its own levels are not spaced as a sacrum's: then
 *    its count names no level), in doubt (`doubts`, shown as "check") where the
 *    surface chain says it cannot be that level: a foramen above the chain's first pair must be at least
 *    as large as it (S1 > S2 > S3 > S4, DOMAIN.md §8, within 1 mm) and 10–35 mm from it along the long
 *    axis. A level the chain already
 *    holds elsewhere is a second reading of it: the inside search's is kept when it has its mirror
 *    partner there (bilateral symmetry: the two tunnels mirror images, `mirrorOff`), the surface's otherwise.
 *  - A chain shorter than ANCHORED_CHAIN levels that shares no tunnel with the inside search is numbered from
 *    the long axis alone: its foramina are kept, in doubt. A chain numbered from the L5/S1 disc
 *    (`surfaceNumberedFromDisc`: its first pair opens under the S1 endplate) keeps its numbers.
 *  - A foramen followed over less than half its mirror partner's length is followed again along its partner's
 *    mirrored axis (`refit`, mirror-refit.ts) and replaced where the image shows the tunnel there; else it is
 *    kept, in doubt, and below the disc (`surfaceNumberedFromDisc`) its partner too; such a doubt is about the
 *    tunnel's course beyond its opening, not about the level (`courseDoubts`: the row may settle it, row-between.ts).
 * Without a surface chain the inside search's result stands unchanged.
 */
import type { Vec3 } from '../../core/vec3';
import { pointSegmentDistance } from './geometry';
import { foramenCentreLps, type Foramen, type ForamenId, type SacralLevel } from '../types';
import { LEVELS } from './types';
import { MIN_LENGTH_SHARE, tunnelLengthMm } from './mirror-refit';

/** Re-reads a tunnel followed short along its mirror partner's axis (mirror-refit.ts); null where the image does not show it. */
export type Refit = (f: Foramen, partner: Foramen) => Foramen | null;

/**
 * Surface chains of at least this many levels are numbered by themselves (two spacings and two size steps
 * checked, and a chain of four is S1–S4 outright); a shorter one needs a tunnel of the inside search.
 */
const ANCHORED_CHAIN = 3;
/** Two tunnels this close (axis to axis centre, mm) are one foramen: less than a foramen's radius + the fit's error. */
const MATCH_MM = 5;
/** A left and a right tunnel are mirror images when each one's mirrored opening lies this close to the other's axis (mm): evidence.ts' MIRROR_MM. */
const MIRROR_MM = 5;

/** Whether two foramina are the same tunnel: each one's centre within MATCH_MM of the other's axis. */
function sameTunnel(a: Foramen, b: Foramen): boolean {
  return a.side === b.side && pointSegmentDistance(foramenCentreLps(a), b.anteriorLps, b.posteriorLps) <= MATCH_MM
    && pointSegmentDistance(foramenCentreLps(b), a.anteriorLps, a.posteriorLps) <= MATCH_MM;
}

/**
 * Bilateral symmetry of length: a tunnel followed over less than half its mirror partner's length stopped
 * early (a faint or eroded rim), so its centre and its far end are not where it says: in doubt.
 */
function lengthDoubts(fs: Foramen[], doubts: Partial<Record<ForamenId, string>>, messages: string[], refit?: Refit, partnerToo = false, course?: Set<ForamenId>): Foramen[] {
  let out = fs;
  for (let k = 0; k < fs.length; k++) {
    const f = out[k]!;
    const partner = out.find((g) => g.level === f.level && g.side !== f.side);
    if (!partner || doubts[f.id] || tunnelLengthMm(f) >= MIN_LENGTH_SHARE * tunnelLengthMm(partner)) continue;
    const again = refit?.(f, partner);
    if (again) {
      if (out === fs) out = [...fs];
      out[k] = again;
      messages.push(`foramina: ${f.id} followed over ${tunnelLengthMm(f).toFixed(0)} mm, its mirror partner over ${tunnelLengthMm(partner).toFixed(0)} mm: followed again along the partner's mirror image, over ${tunnelLengthMm(again).toFixed(0)} mm`);
      continue;
    }
    doubts[f.id] = `followed over ${tunnelLengthMm(f).toFixed(0)} mm, its mirror partner over ${tunnelLengthMm(partner).toFixed(0)} mm`;
    course?.add(f.id);
    messages.push(`foramina: ${f.id} in doubt: ${doubts[f.id]}`);
    // (below the disc) the image shows no tunnel at the longer one's mirror image either: that one's reading
    // has no mirror to confirm it (fatty marrow offers walled tunnels of every length to a fit)
    if (partnerToo && !doubts[partner.id]) {
      doubts[partner.id] = `followed over ${tunnelLengthMm(partner).toFixed(0)} mm, and no tunnel at its mirror image (${f.id} runs ${tunnelLengthMm(f).toFixed(0)} mm)`;
      course?.add(partner.id);
      messages.push(`foramina: ${partner.id} in doubt: ${doubts[partner.id]}`);
    }
  }
  return out;
}

export function combineForamina(
  inside: Foramen[], surface: Foramen[], sOf: (p: Readonly<Vec3>) => number, messages: string[],
  opts: {
    insideAxisMeasured?: boolean; surfaceNumberedFromDisc?: boolean; refit?: Refit;
    /** How far two tunnels of a level are from mirror images (mm; level-midline.ts mirrorOffMm); absent: not checked. */
    mirrorOff?: (a: Foramen, b: Foramen) => number;
  } = {},
): { foramina: Foramen[]; doubts: Partial<Record<ForamenId, string>>; courseDoubts: Set<ForamenId> } {
  const doubts: Partial<Record<ForamenId, string>> = {};
  const courseDoubts = new Set<ForamenId>();
  if (!surface.length) return { foramina: lengthDoubts(inside, doubts, messages, opts.refit, false, courseDoubts), doubts, courseDoubts };
  // renumber the surface chain from the inside search's level where they share a tunnel
  // (only when the inside search found at least as many levels: it counts from its first pair, so with
  // fewer levels its first may not be S1)
  const surfLevels = [...new Set(surface.map((f) => f.level))].sort();
  const insideLevels = new Set(inside.map((f) => f.level)).size;
  // the inside search's numbering is used only where its own levels lie 10–35 mm apart per level along the
  // long axis (anterior openings 17–29 mm apart, DOMAIN.md §8): a first "level" far above the next is something
  // above the sacrum (a vertebra taken with it), and numbering from it shifts every level
  const sOfLevel = (lv: SacralLevel) => { const s = inside.filter((f) => f.level === lv).map((f) => sOf(foramenCentreLps(f))); return s.length ? s.reduce((x, y) => x + y, 0) / s.length : null; };
  const insideS = LEVELS.map((lv, k) => ({ k, s: sOfLevel(lv as SacralLevel) })).filter((x): x is { k: number; s: number } => x.s !== null);
  const insideSpaced = insideS.every((x, n) => n === 0 || (x.s - insideS[n - 1]!.s >= 10 * (x.k - insideS[n - 1]!.k) && x.s - insideS[n - 1]!.s <= 35 * (x.k - insideS[n - 1]!.k)));
  if (!insideSpaced) messages.push('foramina: the levels found inside the bone are not 10–35 mm apart: not used to number the anterior surface\'s chain');
  let shift: number | null = null;
  // (a chain numbered from the L5/S1 disc, surface-openings.ts rowBelowDisc, keeps its numbers)
  if (insideSpaced && !opts.surfaceNumberedFromDisc && insideLevels >= surfLevels.length) for (const lv of surfLevels) {
    for (const f of surface.filter((x) => x.level === lv)) {
      const m = inside.find((g) => sameTunnel(f, g));
      if (m && shift === null) shift = LEVELS.indexOf(m.level) - LEVELS.indexOf(lv);
    }
  }
  const renum = (lv: SacralLevel): SacralLevel | null => {
    const k = LEVELS.indexOf(lv) + (shift ?? 0);
    return k >= 0 && k < LEVELS.length ? LEVELS[k]! : null;
  };
  const chain: Foramen[] = [];
  for (const f of surface) {
    const lv = renum(f.level);
    if (!lv) continue;
    chain.push({ ...f, level: lv, id: `${lv}_${f.side}` as ForamenId });
  }
  if (shift) messages.push(`foramina (anterior surface): levels numbered from the tunnels found inside the bone (shifted by ${shift})`);
  // a chain of fewer than ANCHORED_CHAIN levels that no tunnel of the inside search confirms takes its level
  // numbers from the long axis alone (its junctions): where that axis is wrong (L5 taken with the sacrum, a
  // bone that is not the sacrum) the pairs are real openings with the wrong names, so they stay "check"
  const anchored = surfLevels.length >= ANCHORED_CHAIN || !!opts.surfaceNumberedFromDisc || surface.some((f) => inside.some((g) => sameTunnel(f, g)));
  if (!anchored) {
    for (const f of surface) doubts[f.id] = `a chain of ${surfLevels.length} levels on the anterior surface, numbered from the long axis alone`;
    messages.push(`foramina (anterior surface): a chain of ${surfLevels.length} levels not confirmed inside the bone: numbered from the long axis alone, shown as check`);
  }
  const out: Foramen[] = [];
  const used = new Set<Foramen>();
  // surface levels: the inside search's tunnel where both saw it, else the surface's
  for (const f of chain) {
    const m = inside.find((g) => !used.has(g) && sameTunnel(f, g));
    if (m) { used.add(m); out.push(opts.insideAxisMeasured === false ? f : { ...m, id: f.id, level: f.level }); } else out.push(f);
  }
  // levels only the inside search found
  const chainLevels = new Set(chain.map((f) => f.level));
  const first = chain.length ? LEVELS.indexOf(chain.map((f) => f.level).sort()[0]!) : LEVELS.length;
  for (const g of inside) {
    if (used.has(g)) continue;
    if (chainLevels.has(g.level)) {
      // a level named only by an inside count whose own levels are not spaced as a sacrum's is no level at all, so
      // it is no second reading of the chain's level of that name either (a bent sacrum whose S3 pair the inside
      // search missed named its S4 pair S3, 16 mm from the chain's S3)
      if (!insideSpaced) { messages.push(`foramina: ${g.id} of the search inside the bone left out: its count of levels is not a sacrum's, and the anterior surface shows ${g.level}`); continue; }
      // two readings of one level: a mirror pair in the inside search outweighs the surface's reading (bilateral
      // symmetry), where its two tunnels are mirror images (`mirrorOff`, evidence.ts' bar MIRROR_MM): two tunnels
      // that only share a level's name are no such evidence (fatty-thick4.5mm: the inside search's "S1 pair", the back
      // of the left S1 tunnel and a hole 11 mm from the midline above the S1 endplate, 39 mm from mirror images,
      // replaced the surface's S1 pair, each within 1 mm of its tunnel)
      const paired = inside.some((o) => o !== g && o.level === g.level && o.side !== g.side && (!opts.mirrorOff || opts.mirrorOff(g, o) <= MIRROR_MM));
      const k = out.findIndex((f) => f.id === g.id);
      if (paired && k >= 0 && !inside.includes(out[k]!)) {
        messages.push(`foramina: ${g.id}: the mirror pair found inside the bone kept over the anterior surface's reading`);
        out[k] = g;
      } else messages.push(`foramina: ${g.id} of the search inside the bone left out: the anterior surface shows ${g.level} elsewhere`);
      continue;
    }
    // a level named only by an inside count whose own levels are not spaced as a sacrum's is no level at all
    if (!insideSpaced) { messages.push(`foramina: ${g.id} of the search inside the bone left out: its count of levels is not a sacrum's`); continue; }
    const k = LEVELS.indexOf(g.level);
    if (k < first) {
      // above the chain: the next level down on the same side must be smaller and 10–35 mm away
      const below = chain.filter((f) => f.side === g.side).sort((a, b) => LEVELS.indexOf(a.level) - LEVELS.indexOf(b.level))[0];
      if (below) {
        const gap = sOf(foramenCentreLps(below)) - sOf(foramenCentreLps(g));
        const rLevels = LEVELS.indexOf(below.level) - k;
        if (g.radiusMm < below.radiusMm - 1) doubts[g.id] = `narrower (${g.radiusMm} mm) than ${below.id} below it (${below.radiusMm} mm)`;
        else if (gap < 10 * rLevels || gap > 35 * rLevels) doubts[g.id] = `${gap.toFixed(0)} mm along the sacrum from ${below.id}`;
        if (doubts[g.id]) messages.push(`foramina: ${g.id} in doubt: ${doubts[g.id]}`);
      }
    }
    out.push(g);
  }
  return { foramina: lengthDoubts(out, doubts, messages, opts.refit, !!opts.surfaceNumberedFromDisc, courseDoubts), doubts, courseDoubts };
}
