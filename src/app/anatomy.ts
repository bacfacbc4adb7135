/**
 * Anatomy actions: the sacral landmarks of the shown volume (suggested by detection or placed by
 * hand), the zone overlay switch. Every landmark change re-classifies all lesions.
 */
import { store } from './actions';
import { setAnatomy, detectAnatomy } from './lesions';
import type { Foramen, ForamenId, SacralAnatomy, SacralLevel, Side } from '../anatomy/types';
import type { Vec3 } from '../core/vec3';

export { setAnatomy, detectAnatomy };

/** Place or move a foramen by hand (it is then marked manual and never overwritten by detection). */
export async function setForamen(id: ForamenId, f: { anteriorLps: Vec3; posteriorLps: Vec3; radiusMm: number }): Promise<void> {
  if (!/^S[1-4]_[LR]$/.test(id)) throw new Error(`unknown foramen id ${id} (S1_L … S4_R)`);
  if (!(f.radiusMm > 0)) throw new Error('radiusMm must be > 0');
  const current: SacralAnatomy = store.state.anatomy ?? { foramina: [], canal: null, frame: null };
  const foramen: Foramen = {
    id,
    level: id.slice(0, 2) as SacralLevel,
    side: id.slice(3) as Side,
    anteriorLps: [...f.anteriorLps],
    posteriorLps: [...f.posteriorLps],
    radiusMm: f.radiusMm,
    confidence: 1,
    source: 'manual',
  };
  const foramina = [...current.foramina.filter((x) => x.id !== id), foramen];
  await setAnatomy({ ...current, foramina });
}

/** Move a whole foramen by an LPS displacement (a drag in a view). */
export async function moveForamen(id: ForamenId, deltaLps: Vec3): Promise<void> {
  const f = store.state.anatomy?.foramina.find((x) => x.id === id);
  if (!f) return;
  const add = (p: Vec3): Vec3 => [p[0] + deltaLps[0], p[1] + deltaLps[1], p[2] + deltaLps[2]];
  await setForamen(id, { anteriorLps: add(f.anteriorLps), posteriorLps: add(f.posteriorLps), radiusMm: f.radiusMm });
}

export function setShowZones(show: boolean): void {
  store.update({ showZones: show });
}

/** Colours of the zone overlay: 1 green, 2 amber, 3 violet, 4 (below S4) grey; 0xAABBGGRR. */
export const ZONE_LUT = (() => {
  const lut = new Uint32Array(256);
  const rgb = (r: number, g: number, b: number) => ((0xff << 24) | (b << 16) | (g << 8) | r) >>> 0;
  lut[1] = rgb(0x4c, 0xaf, 0x50);
  lut[2] = rgb(0xff, 0xc1, 0x07);
  lut[3] = rgb(0xab, 0x47, 0xbc);
  lut[4] = rgb(0x78, 0x78, 0x78);
  return lut;
})();
