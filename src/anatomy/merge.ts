/** Landmark suggestions merged with what the user placed. Pure. */
import type { SacralAnatomy } from './types';

/** Detected landmarks merged under the hand-placed ones: a manual foramen or canal always wins. */
export function mergeAnatomy(current: SacralAnatomy | null, detected: SacralAnatomy): SacralAnatomy {
  const manual = (current?.foramina ?? []).filter((f) => f.source === 'manual');
  const manualIds = new Set(manual.map((f) => f.id));
  return {
    foramina: [...manual, ...detected.foramina.filter((f) => !manualIds.has(f.id))],
    canal: current?.canal?.source === 'manual' ? current.canal : detected.canal,
    frame: detected.frame ?? current?.frame ?? null,
    suggested: detected.foramina,
    ...(detected.outsideFov ? { outsideFov: detected.outsideFov.filter((id) => !manualIds.has(id)) } : {}),
    ...(detected.maskCheck ? { maskCheck: detected.maskCheck } : {}),
  };
}
