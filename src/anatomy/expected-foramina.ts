/**
 * Where the foramina not yet placed should be, from the ones that are (pure), and which of those
 * places lie outside the image: a scan cut by its field of view (an abdominal CT stopping at S2/S3,
 * a pelvic MR starting at S2/S3) then reports those levels as outside the field of view instead of
 * asking the user for them.
 *
 * The anterior foramina open at the junctions between the fused bodies (DOMAIN.md §8), so with two
 * levels placed the junctions of the others follow by extending the chain of pair midpoints
 * (frame-from-landmarks.ts: linear in the level index, extrapolated with the end segments), and each
 * side lies as far from the midline plane as that side's placed foramina (else the other side's,
 * else the typical 22 mm).
 */
import type { Vec3 } from '../core/vec3';
import type { ScalarVolume } from '../core/volume';
import { frameFromForamina } from './frame-from-landmarks';
import { FORAMEN_IDS, foramenCentreLps, type ForamenId, type SacralAnatomy } from './types';

/** Anterior openings lie 20–26 mm from the midline (DOMAIN.md §8). */
const TYPICAL_OFFSET_MM = 22;
/**
 * A foramen can be read (and fitted) only with its whole rim in the image: its centre must lie at
 * least its radius (S3–S4: 2.5–4 mm, DOMAIN.md §6) plus the 1.5 mm cortical ring that the fit
 * samples (local-image.ts holeScore) inside the outermost voxel centres.
 */
export const READABLE_MARGIN_MM = 5;

/** The expected centre of every foramen not placed, or an empty map with fewer than two levels placed. */
export function expectedForamina(a: SacralAnatomy): Map<ForamenId, Vec3> {
  const out = new Map<ForamenId, Vec3>();
  const fr = frameFromForamina(a);
  if (!fr) return out;
  const n = fr.midlineNormalLps, p0 = fr.midlinePointLps;
  const offsets: Record<'L' | 'R', number[]> = { L: [], R: [] };
  for (const f of a.foramina) {
    const c = foramenCentreLps(f);
    offsets[f.side].push(Math.abs((c[0] - p0[0]) * n[0] + (c[1] - p0[1]) * n[1] + (c[2] - p0[2]) * n[2]));
  }
  const mean = (x: number[]) => x.reduce((s, v) => s + v, 0) / x.length;
  const c = fr.bodyCentersLps;
  for (const id of FORAMEN_IDS) {
    if (a.foramina.some((f) => f.id === id)) continue;
    const k = +id[1]!, side = id[3] as 'L' | 'R';
    const off = offsets[side].length ? mean(offsets[side]) : offsets[side === 'L' ? 'R' : 'L'].length ? mean(offsets[side === 'L' ? 'R' : 'L']) : TYPICAL_OFFSET_MM;
    const sign = side === 'L' ? 1 : -1; // the normal points to the patient's left
    const j: Vec3 = [0, 1, 2].map((i) => (c[k - 1]![i]! + c[k]![i]!) / 2) as Vec3;
    out.set(id, [j[0] + sign * off * n[0], j[1] + sign * off * n[1], j[2] + sign * off * n[2]]);
  }
  return out;
}

/** Whether a point lies at least `marginMm` inside the outermost voxel centres on every axis. */
export function insideImage(volume: Pick<ScalarVolume, 'geometry'>, p: Readonly<Vec3>, marginMm: number): boolean {
  const g = volume.geometry, ijk = g.lpsToIjk([0, 0, 0], p);
  for (let ax = 0; ax < 3; ax++) {
    if (g.dims[ax]! === 1) continue;
    const m = marginMm / g.spacingMm[ax]!;
    if (ijk[ax]! < m || ijk[ax]! > g.dims[ax]! - 1 - m) return false;
  }
  return true;
}

/**
 * The anatomy with `outsideFov` brought up to date after a hand placement: what detection reported
 * as outside, plus every foramen not placed whose expected place (from the placed ones) cannot be
 * read in the image; a placed foramen is never outside.
 */
export function withOutsideFov(volume: Pick<ScalarVolume, 'geometry'>, a: SacralAnatomy): SacralAnatomy {
  const placed = new Set(a.foramina.map((f) => f.id));
  const ids = new Set((a.outsideFov ?? []).filter((id) => !placed.has(id)));
  for (const [id, p] of expectedForamina(a)) if (!insideImage(volume, p, READABLE_MARGIN_MM)) ids.add(id);
  const outsideFov = FORAMEN_IDS.filter((id) => ids.has(id));
  const out: SacralAnatomy = { ...a };
  if (outsideFov.length) out.outsideFov = outsideFov;
  else delete out.outsideFov;
  return out;
}
