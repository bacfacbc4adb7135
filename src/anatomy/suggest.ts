/**
 * Landmark suggestions as the app shows them (pure): detection, then every suggestion re-assessed
 * on the image (evidence.ts) so that its confidence means something, with a message per suggestion
 * that falls below the bar.
 */
import type { ScalarVolume } from '../core/volume';
import type { Vec3 } from '../core/vec3';
import type { Foramen, ForamenId } from './types';
import { nowMs } from '../core/clock';
import { detectSacralAnatomy, type DetectOptions, type DetectionResult } from './detect';
import { canalSeenFraction } from './canal-fit';
import { rowBetween } from './row-between';
import { assessCanal, assessForamina, rimAlong, frameProblem, insideImage, partlyOutsideImage, rowCorroborates, EDGE_MARGIN_MM, FOUND_CONFIDENCE, JUNCTION_MM } from './evidence';

/** Anterior openings lie 20–26 mm from the midline (DOMAIN.md §8). */
const FORAMEN_OFFSET_MM = 22;
/**
 * Where the row of openings goes on past its last suggested level (per side): each next opening one more
 * spacing on, the spacing scaled from the last one as the segments shorten (JUNCTION_MM), in the direction of the
 * last two suggested levels; with the radius of the lowest level (the next one is no wider: S1 > S2 > S3 > S4).
 */
function rowBeyond(foramina: readonly Foramen[], side: 'L' | 'R'): { id: ForamenId; p: Vec3; radiusMm: number }[] {
  const bySide = foramina.filter((f) => f.side === side && f.source === 'auto').sort((a, b) => (a.level < b.level ? -1 : a.level > b.level ? 1 : 0));
  if (bySide.length < 2) return [];
  const b = bySide[bySide.length - 1]!, a = bySide[bySide.length - 2]!;
  const ka = Number(a.level[1]), kb = Number(b.level[1]);
  const perLevel: Vec3 = [0, 1, 2].map((i) => (b.anteriorLps[i]! - a.anteriorLps[i]!) / (kb - ka)) as Vec3;
  const spacing = (k: number) => JUNCTION_MM[k - 1]! - JUNCTION_MM[k - 2]!; // from level k−1 to level k (k ≥ 2)
  const out: { id: ForamenId; p: Vec3; radiusMm: number }[] = [];
  let p: Vec3 = [...b.anteriorLps] as Vec3;
  for (let k = kb + 1; k <= 4; k++) {
    const scale = spacing(k) / spacing(Math.max(2, kb));
    p = [0, 1, 2].map((i) => p[i]! + perLevel[i]! * scale) as Vec3;
    out.push({ id: `S${k}_${side}` as ForamenId, p, radiusMm: b.radiusMm });
  }
  return out;
}

/** Confidence cap of a suggestion the detector's searches disagree on (below FOUND_CONFIDENCE: shown as "check"). */
const DOUBT_CONFIDENCE = 0.4;

/** Confidence given to every suggestion when the bone taken for the sacrum cannot be one. */
const IMPLAUSIBLE_FRAME_CONFIDENCE = 0.2;

export function suggestLandmarks(volume: ScalarVolume, opts: DetectOptions = {}): DetectionResult {
  const d = detectSacralAnatomy(volume, opts);
  const t0 = nowMs();
  const messages = [...d.diagnostics.messages];
  const a = d.anatomy;
  let { foramina, evidence } = assessForamina(volume, a, d.diagnostics.levelMidlines);
  // where the detector's two searches disagree, the suggestion stays a "check" whatever its rim
  const doubts = d.diagnostics.doubts ?? {};
  foramina = foramina.map((f) => {
    const why = f.source === 'auto' ? doubts[f.id] : undefined;
    if (!why) return f;
    evidence[f.id]?.why.push(why);
    return { ...f, confidence: Math.min(f.confidence, DOUBT_CONFIDENCE) };
  });
  const doubted = new Set(foramina.filter((f) => f.source === 'auto' && doubts[f.id]).map((f) => f.id));
  // a level whose tunnel's course the image leaves open, where its row places it between two found levels
  // (row-between.ts)
  rowBetween(foramina, evidence, doubted, new Set(d.diagnostics.courseDoubts ?? []), (c) => rimAlong(volume, c, ['anterior']).rim, messages);
  // a small tunnel's faint rim, where this sacrum's own row places the level on both sides (evidence.ts)
  rowCorroborates(foramina, evidence, doubted);
  let canal = a.canal;
  if (canal) {
    const c = assessCanal(canal, a.frame, canalSeenFraction(volume, canal.centerlineLps));
    canal = { ...canal, confidence: c.confidence };
    if (c.confidence < FOUND_CONFIDENCE) messages.push(`canal: check it (${c.why.join('; ')})`);
  }
  const fp = frameProblem(a.frame);
  if (fp) {
    messages.push(`sacrum: ${fp}; every suggestion needs checking`);
    foramina = foramina.map((f) => (f.source === 'auto' ? { ...f, confidence: Math.min(f.confidence, IMPLAUSIBLE_FRAME_CONFIDENCE) } : f));
    if (canal && canal.source === 'auto') canal = { ...canal, confidence: Math.min(canal.confidence, IMPLAUSIBLE_FRAME_CONFIDENCE) };
  }
  // levels whose expected place lies outside the image: the junction between consecutive body
  // centres (where the anterior foramina open), 22 mm either side of the midline plane
  const outsideFov: ForamenId[] = [];
  if (a.frame && !fp) {
    const c = a.frame.bodyCentersLps, n = a.frame.midlineNormalLps;
    for (let k = 1; k < c.length && k <= 4; k++) {
      for (const side of ['L', 'R'] as const) {
        const id = `S${k}_${side}` as ForamenId;
        if (foramina.some((f) => f.id === id && f.confidence >= FOUND_CONFIDENCE)) continue;
        const sign = side === 'L' ? 1 : -1;
        const p: Vec3 = [0, 1, 2].map((i) => (c[k - 1]![i]! + c[k]![i]!) / 2 + sign * FORAMEN_OFFSET_MM * n[i]!) as Vec3;
        if (!insideImage(volume, p, EDGE_MARGIN_MM)) outsideFov.push(id);
      }
    }
    // levels past the last suggested one on the row of openings, where the opening, as wide as the one above
    // it at most, would reach beyond the image's edge (an abdominal field of view stopping at S2–S3)
    for (const side of ['L', 'R'] as const) {
      for (const x of rowBeyond(foramina, side)) {
        if (outsideFov.includes(x.id) || foramina.some((f) => f.id === x.id && f.confidence >= FOUND_CONFIDENCE)) continue;
        if (!insideImage(volume, x.p, Math.max(EDGE_MARGIN_MM, x.radiusMm))) outsideFov.push(x.id);
      }
    }
    if (outsideFov.length) {
      messages.push(`foramina: ${outsideFov.join(', ')} lie outside the field of view (nothing to place)`);
      foramina = foramina.filter((f) => !outsideFov.includes(f.id) || f.source === 'manual');
    }
  }
  for (const f of foramina) if (f.source === 'auto' && partlyOutsideImage(volume, f)) evidence[f.id]?.why.push('partly outside the image: its tunnel runs to the image\'s edge');
  for (const f of foramina) {
    if (f.source === 'auto' && f.confidence < FOUND_CONFIDENCE) {
      const e = evidence[f.id];
      messages.push(`foramina: ${f.id} needs checking (${[...(e?.why ?? []), ...(fp ? ['implausible sacrum'] : [])].join('; ') || 'weak evidence'})`);
    }
  }
  return { ...d, anatomy: { ...a, foramina, canal, ...(outsideFov.length ? { outsideFov } : {}) }, diagnostics: { ...d.diagnostics, messages, timingsMs: { ...d.diagnostics.timingsMs, evidence: nowMs() - t0 } } };
}
