/**
 * Landmark suggestions as the app shows them (pure): detection, then every suggestion re-assessed
 * on the image (evidence.ts) so that its confidence means something, with a message per suggestion
 * that falls below the bar.
 */
import type { ScalarVolume } from '../core/volume';
import { nowMs } from '../core/clock';
import { detectSacralAnatomy, type DetectOptions, type DetectionResult } from './detect';
import { assessCanal, assessForamina, frameProblem, FOUND_CONFIDENCE } from './evidence';

/** Confidence given to every suggestion when the bone taken for the sacrum cannot be one. */
const IMPLAUSIBLE_FRAME_CONFIDENCE = 0.2;

export function suggestLandmarks(volume: ScalarVolume, opts: DetectOptions = {}): DetectionResult {
  const d = detectSacralAnatomy(volume, opts);
  const t0 = nowMs();
  const messages = [...d.diagnostics.messages];
  const a = d.anatomy;
  let { foramina, evidence } = assessForamina(volume, a);
  let canal = a.canal;
  if (canal) {
    const c = assessCanal(canal, a.frame);
    canal = { ...canal, confidence: c.confidence };
    if (c.confidence < FOUND_CONFIDENCE) messages.push(`canal: check it (${c.why.join('; ')})`);
  }
  const fp = frameProblem(a.frame);
  if (fp) {
    messages.push(`sacrum: ${fp}; every suggestion needs checking`);
    foramina = foramina.map((f) => (f.source === 'auto' ? { ...f, confidence: Math.min(f.confidence, IMPLAUSIBLE_FRAME_CONFIDENCE) } : f));
    if (canal && canal.source === 'auto') canal = { ...canal, confidence: Math.min(canal.confidence, IMPLAUSIBLE_FRAME_CONFIDENCE) };
  }
  for (const f of foramina) {
    if (f.source === 'auto' && f.confidence < FOUND_CONFIDENCE) {
      const e = evidence[f.id];
      messages.push(`foramina: ${f.id} needs checking (${[...(e?.why ?? []), ...(fp ? ['implausible sacrum'] : [])].join('; ') || 'weak evidence'})`);
    }
  }
  return { ...d, anatomy: { ...a, foramina, canal }, diagnostics: { ...d.diagnostics, messages, timingsMs: { ...d.diagnostics.timingsMs, evidence: nowMs() - t0 } } };
}
