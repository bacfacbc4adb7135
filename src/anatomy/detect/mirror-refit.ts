/**
 * A tunnel re-read at its mirror partner's place (pure). The left and right foramina of a level are mirror
 * images about the midline plane within a few mm (DOMAIN.md §8: patients lie rotated by 1–2 mm per pair), and
 * so are their lengths. A fit that followed one side over less than half its partner's length went along
 * something else from the same opening (at the anterior opening of a faint or thin-walled tunnel the fit can
 * turn along the funnel of the opening: fatty marrow on 5 mm slices, an osteopenic 450 HU rim). The partner's
 * axis, mirrored, says where this side's tunnel should run, and the tunnel is followed on the image from there
 * (foramen-axis.ts: enclosed cross-sections whose centres lie on a line within 15° and 4 mm of the mirrored
 * axis). It replaces the short fit only when the image shows it: followed over at least half the partner's
 * length, and through this side's own anterior opening (where the surface search found it) within MIRROR_MM.
 * Otherwise the short fit stays, in doubt (combine.ts).
 *
 * The walk asks a rim of 150 HU over the lumen first (foramen-axis.ts' default), as anywhere else; where neither
 * it nor the enclosed sections find the tunnel, it is followed again with the rim foramen-radius.ts asks of a wall
 * enclosing a lumen on fatty marrow (ENCLOSING_RIM_HU, 100 HU). A tunnel walled by trabecular bone behind its
 * cortical mouth on very fatty marrow may rise less than 150 HU over its lumen (skewed-funnel.py --unlined S2,S3: a
 * 90 HU wall on 30 ± 60 HU marrow round a −90 HU lumen; S3_L followed over 9 of its 24 mm, and nothing at 150 HU
 * along S3_R's mirror image; pancreas-ct-cb-001 S1 R's trabecular rim, 200–230 HU, clears it). Here the lower rim
 * is enough: the mirrored axis already says where the tunnel runs, and the walk must still follow at least 5
 * enclosed sections on a line within 15° and 4 mm of it, over half the partner's length, through this side's own
 * opening.
 */
import type { ScalarVolume } from '../../core/volume';
import type { Vec3 } from '../../core/vec3';
import type { Foramen } from '../types';
import { lumenSections, refineForamenAxis } from '../foramen-axis';
import { ENCLOSING_RIM_HU } from '../foramen-radius';
import { dist, pointSegmentDistance } from './geometry';

/** The bar of evidence.ts (MIRROR_MM): the mirror images of a level's two tunnels lie within this of each other's axis (mm). */
const MIRROR_MM = 5;
/**
 * An enclosed cross-section centred this close (mm) to the mirrored axis is this side's tunnel: the two sides
 * of a level are mirror images within 1–2 mm (DOMAIN.md §8), the recentring within a voxel.
 */
const ON_AXIS_MM = 2;
/** Less than this share of the partner's length is a tunnel followed short (combine.ts). */
export const MIN_LENGTH_SHARE = 0.5;

/** A tunnel's length between its openings (mm): what MIN_LENGTH_SHARE compares between the two sides of a level. */
export const tunnelLengthMm = (f: Pick<Foramen, 'anteriorLps' | 'posteriorLps'>): number => dist(f.anteriorLps, f.posteriorLps);

/** Reflection about the plane through `pointLps` with unit normal `normalLps`. */
export function reflector(normalLps: Readonly<Vec3>, pointLps: Readonly<Vec3>): (p: Readonly<Vec3>) => Vec3 {
  const n = normalLps, m = pointLps;
  return (p) => {
    const d = (p[0] - m[0]) * n[0] + (p[1] - m[1]) * n[1] + (p[2] - m[2]) * n[2];
    return [p[0] - 2 * d * n[0], p[1] - 2 * d * n[1], p[2] - 2 * d * n[2]];
  };
}

/**
 * The tunnel of `f` followed on the image along the mirror image of `partner`'s axis, or null where the image
 * does not show it there (see the header).
 */
export function refitAtMirror(volume: ScalarVolume, f: Foramen, partner: Foramen, mirror: (p: Readonly<Vec3>) => Vec3): Foramen | null {
  const guess = { anteriorLps: mirror(partner.anteriorLps), posteriorLps: mirror(partner.posteriorLps), radiusMm: Math.max(f.radiusMm, partner.radiusMm) };
  // a trabecular wall (the header): the lower rim of an enclosing wall, only where the usual one finds nothing
  const ax = refineForamenAxis(volume, guess) ?? alongSections(volume, guess) ?? refineForamenAxis(volume, guess, ENCLOSING_RIM_HU);
  if (!ax) return null;
  const L = dist(ax.anteriorLps, ax.posteriorLps);
  if (L < MIN_LENGTH_SHARE * tunnelLengthMm(partner)) return null;
  if (pointSegmentDistance(f.anteriorLps, ax.anteriorLps, ax.posteriorLps) > MIRROR_MM) return null;
  return { ...f, anteriorLps: ax.anteriorLps, posteriorLps: ax.posteriorLps };
}

/**
 * A tunnel that cannot be followed end to end (a lesion has replaced part of its wall, so the walk stops
 * there): the mirrored axis is taken where the lumen is enclosed, centred within ON_AXIS_MM of it, over at
 * least half its cross-sections (every 2 mm); moved by the mean offset of those centres.
 */
function alongSections(volume: ScalarVolume, guess: Pick<Foramen, 'anteriorLps' | 'posteriorLps' | 'radiusMm'>): { anteriorLps: Vec3; posteriorLps: Vec3 } | null {
  const secs = lumenSections(volume, guess);
  if (!secs.length) return null;
  const a = guess.anteriorLps, b = guess.posteriorLps, L = dist(a, b);
  const e: Vec3 = [(b[0] - a[0]) / L, (b[1] - a[1]) / L, (b[2] - a[2]) / L];
  const off: Vec3[] = [];
  for (const s of secs) {
    if (!s.centre) continue;
    const w: Vec3 = [s.centre[0] - a[0], s.centre[1] - a[1], s.centre[2] - a[2]];
    const al = w[0] * e[0] + w[1] * e[1] + w[2] * e[2];
    const q: Vec3 = [w[0] - al * e[0], w[1] - al * e[1], w[2] - al * e[2]];
    if (Math.hypot(q[0], q[1], q[2]) <= ON_AXIS_MM) off.push(q);
  }
  if (off.length < 0.5 * secs.length) return null;
  const m: Vec3 = [0, 1, 2].map((i) => off.reduce((acc, q) => acc + q[i]!, 0) / off.length) as Vec3;
  return { anteriorLps: [a[0] + m[0], a[1] + m[1], a[2] + m[2]], posteriorLps: [b[0] + m[0], b[1] + m[1], b[2] + m[2]] };
}
