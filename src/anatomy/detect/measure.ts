/**
 * The last stage of detection (pure): the suggested tunnels measured on the image itself. A tunnel fit that took the
 * funnel of its opening for the tunnel (its ring at the radius bound, or its lumen going on past its posterior end)
 * is fitted again behind that funnel (funnel-refit.ts). The axes and openings
 * are re-read by following each tunnel cross-section by cross-section (foramen-axis.ts), then the radii of the
 * foramina and of the canal at their walls (foramen-radius.ts, canal-radius.ts: a threshold or half-maximum reads
 * them small on a thin, blurred cortex). CT values: the wall models are in HU. On thick slices (the thick-slice
 * mode, a grid of 2.5 mm or more) a tunnel is one or two voxels across and its rim is not resolved: it is not
 * followed, and the canal is measured at half contrast already. Once measured, a tunnel still followed over less than
 * half its mirror partner's length is followed again along the partner's mirror image, or put in doubt (`doubts`).
 */
import type { ScalarVolume } from '../../core/volume';
import type { Vec3 } from '../../core/vec3';
import type { Canal, Foramen, ForamenId } from '../types';
import { refineForamenAxis } from '../foramen-axis';
import { R_MAX } from '../foramen-fit';
import { foramenWallRadii, plausibleWallRadius } from '../foramen-radius';
import { canalWallRadii } from '../canal-radius';
import { MIN_LENGTH_SHARE, refitAtMirror, tunnelLengthMm } from './mirror-refit';
import { refitBehindFunnel, SEED_MM } from './funnel-refit';

/**
 * Two tunnels of a level followed as mirror images run within this of each other (degrees): the cone within which
 * foramen-axis.ts takes a followed line for the given axis, and mirror-refit.ts a tunnel for its partner's mirror image.
 */
const COURSE_DEG = 15;

/** Angle between two tunnels' axes (degrees, 0–90). */
function angleDeg(a: Pick<Foramen, 'anteriorLps' | 'posteriorLps'>, b: Pick<Foramen, 'anteriorLps' | 'posteriorLps'>): number {
  const u = [a.posteriorLps[0] - a.anteriorLps[0], a.posteriorLps[1] - a.anteriorLps[1], a.posteriorLps[2] - a.anteriorLps[2]];
  const v = [b.posteriorLps[0] - b.anteriorLps[0], b.posteriorLps[1] - b.anteriorLps[1], b.posteriorLps[2] - b.anteriorLps[2]];
  const c = Math.abs(u[0]! * v[0]! + u[1]! * v[1]! + u[2]! * v[2]!) / (Math.hypot(u[0]!, u[1]!, u[2]!) * Math.hypot(v[0]!, v[1]!, v[2]!));
  return (Math.acos(Math.min(1, c)) * 180) / Math.PI;
}

export interface MeasureInput {
  /** The working grid's spacing (mm): below 2.5 mm tunnels are followed and the canal's wall is fitted. */
  gridMm: number;
  /** Foramina already read at their partner's mirror image (mirror-refit.ts): not followed on their own. */
  refitIds: ReadonlySet<Foramen['id']>;
  /** Reflection about the midline plane. */
  mirror: (p: Readonly<Vec3>) => Vec3;
  /** Where what was measured again is said. */
  messages?: string[];
  /**
   * Why a tunnel is in doubt (shown as "check"): a tunnel still followed over less than half its mirror partner's
   * length once both are measured, and not found along the partner's mirror image, is added here.
   */
  doubts?: Partial<Record<ForamenId, string>>;
}

/**
 * Measures `foramina` (mutated: axes, openings, radii, and `radiusAtFitLimit` where the radius stays the fit's
 * search bound) and the canal's radii on the image; `lap` marks the two timings.
 */
export function measureLandmarks(volume: ScalarVolume, foramina: Foramen[], canal: Canal | null, o: MeasureInput, lap: (name: string) => void): void {
  if (volume.units !== 'HU') return;
  // a fit whose ring reached its radius bound, or whose lumen goes on past its posterior end, took the funnel of the
  // anterior opening for the tunnel: the tunnel is fitted again behind it (funnel-refit.ts); thin grids, as the
  // tunnels are followed there
  if (o.gridMm < 2.5) {
    for (const f of foramina) {
      if (o.refitIds.has(f.id)) continue;
      const t = refitBehindFunnel(volume, f);
      if (!t) continue;
      o.messages?.push(`foramina: ${f.id}: ${t.why}: fitted again ${SEED_MM} mm inside the opening, radius ${t.radiusMm} mm`);
      f.anteriorLps = t.anteriorLps; f.posteriorLps = t.posteriorLps; f.radiusMm = t.radiusMm;
    }
  }
  // A tunnel followed in the slice's plane only (within one thick slice, foramen-axis.ts AxisRefinement.inSlice)
  // has its openings and in-plane course from the image, but its radius is read as for one not followed, on the
  // fitted axis and never smaller than the fit's: across the slice's plane a lumen lying within the slice reads
  // narrow, and more so on the followed axis (fatty-funnel's straight S4 pair: 1.5 mm there, 2.0 and 1.9 on the
  // fitted axes, for 2.5; fatty-thick5mm and -px08 S4_L: 2.0).
  const radiusAxes = foramina.map((f) => ({ anteriorLps: f.anteriorLps, posteriorLps: f.posteriorLps, radiusMm: f.radiusMm }));
  const followed = foramina.map((f, n) => {
    const ax = o.gridMm < 2.5 && !o.refitIds.has(f.id) ? refineForamenAxis(volume, f) : null;
    if (ax) { f.anteriorLps = ax.anteriorLps; f.posteriorLps = ax.posteriorLps; }
    if (!ax?.inSlice) radiusAxes[n] = f;
    return ax !== null && !ax.inSlice;
  });
  // a tunnel read at its partner's mirror image is read again at the partner's followed axis (it cannot be
  // followed itself: that is why it was short)
  for (const f of foramina) {
    const partner = o.refitIds.has(f.id) ? foramina.find((g) => g.level === f.level && g.side !== f.side) : undefined;
    const again = partner ? refitAtMirror(volume, f, partner, o.mirror) : null;
    if (again) { f.anteriorLps = again.anteriorLps; f.posteriorLps = again.posteriorLps; }
  }
  // Bilateral symmetry of length again, now that both sides are measured (detect/combine.ts checked it on the
  // fits, before the funnel's refit and the following above lengthened one side): a tunnel followed over less than
  // MIN_LENGTH_SHARE of its mirror partner's length stopped early, so its centre and its far end are not where it
  // says (fatty-thick5mm-tilt-L+18: S1_R followed 11 mm from a right opening, S1_L 44 mm, its centre 11.6 mm from
  // the truth). It is followed again along the partner's mirror image (mirror-refit.ts), else in doubt.
  if (o.gridMm < 2.5) {
    for (const f of foramina) {
      const partner = foramina.find((g) => g.level === f.level && g.side !== f.side);
      if (!partner || f.source !== 'auto' || o.refitIds.has(f.id) || o.refitIds.has(partner.id)) continue;
      const L = tunnelLengthMm(f), Lp = tunnelLengthMm(partner);
      if (L >= MIN_LENGTH_SHARE * Lp) continue;
      const again = refitAtMirror(volume, f, partner, o.mirror);
      if (again) {
        f.anteriorLps = again.anteriorLps; f.posteriorLps = again.posteriorLps;
        // read as a tunnel at its partner's mirror image is (refitIds): its radius not made smaller than the fit's
        radiusAxes[foramina.indexOf(f)] = f; followed[foramina.indexOf(f)] = false;
        o.messages?.push(`foramina: ${f.id} followed over ${L.toFixed(0)} mm, its mirror partner over ${Lp.toFixed(0)} mm: followed again along the partner's mirror image, over ${tunnelLengthMm(f).toFixed(0)} mm`);
      } else if (o.doubts && !o.doubts[f.id]) {
        o.doubts[f.id] = `followed over ${L.toFixed(0)} mm, its mirror partner over ${Lp.toFixed(0)} mm, and no tunnel at the partner's mirror image`;
        o.messages?.push(`foramina: ${f.id} in doubt: ${o.doubts[f.id]}`);
      }
    }
  }
  // Bilateral symmetry of course: a tunnel not followed on the image (its axis the fit's direction, taken on through the
  // bone where the fit stopped short: surface-openings.ts throughBone) whose partner was followed, and whose axis runs
  // more than COURSE_DEG off the partner's mirror image, runs where the fit's few mm pointed, not where the tunnel
  // goes (fatty-thick5mm-tilt-L+18 S3_L: a 7 mm fit turning 8 mm medially, taken on 27 mm through the bone, 26° off
  // S3_R's mirror image, its centre 7 mm from the truth): followed again along the partner's mirror image, else in doubt
  if (o.gridMm < 2.5) {
    foramina.forEach((f, n) => {
      const k = foramina.findIndex((g) => g.level === f.level && g.side !== f.side);
      if (k < 0 || f.source !== 'auto' || followed[n] || !followed[k] || o.refitIds.has(f.id)) return;
      const partner = foramina[k]!;
      const deg = angleDeg(f, { anteriorLps: o.mirror(partner.anteriorLps), posteriorLps: o.mirror(partner.posteriorLps) });
      if (!(deg > COURSE_DEG)) return;
      const again = refitAtMirror(volume, f, partner, o.mirror);
      if (again) {
        f.anteriorLps = again.anteriorLps; f.posteriorLps = again.posteriorLps;
        radiusAxes[n] = f;
        o.messages?.push(`foramina: ${f.id} runs ${deg.toFixed(0)}° off its mirror partner's followed course: followed again along the partner's mirror image`);
      } else if (o.doubts && !o.doubts[f.id]) {
        o.doubts[f.id] = `its course, not followed on the image, runs ${deg.toFixed(0)}° off its mirror partner's followed one, and no tunnel at the partner's mirror image`;
        o.messages?.push(`foramina: ${f.id} in doubt: ${o.doubts[f.id]}`);
      }
    });
  }
  lap('foramenAxes');
  // a tunnel not followed on the image (eroded, faint, thick slices) may have its axis off the lumen's
  // centre, where the wall reads too close: its radius is not made smaller than the detector's
  const walls = foramenWallRadii(volume, radiusAxes);
  const wallMm = foramina.map((f, n) => { const r = walls.radiiMm[n]; return plausibleWallRadius(r, f.radiusMm) ? r! : null; });
  foramina.forEach((f, n) => {
    const r = wallMm[n] ?? null;
    // The fit's ring reached its search bound (foramen-fit.ts R_MAX: an opening's funnel pulls it outwards) and no
    // wall was read to replace it: the lumen is at least that wide where it was fitted, and that is all the image
    // has said. Shown as such (Foramen.radiusAtFitLimit), not as a measurement.
    const atLimit = f.radiusMm >= R_MAX;
    if (r === null) {
      if (atLimit) { f.radiusAtFitLimit = true; return; }
      // No wall read, and the tunnel not followed on the image: its radius is only the fit's ring, which a lumen whose
      // roof and floor a thick slice averages in reads narrow (fatty-thick4p5mm S3_L: 2.3 mm for 3.0, T03's clearance
      // 1.0 mm too large). A level's two tunnels are mirror images (DOMAIN.md §8), so the partner's wall, where read
      // and wider, is taken: a radius too large errs on the safe side of every clearance.
      const k = foramina.findIndex((g) => g.level === f.level && g.side !== f.side);
      const rp = k >= 0 && !followed[n] ? wallMm[k] : null;
      if (rp != null && rp > f.radiusMm) {
        o.messages?.push(`foramina: ${f.id}: no wall read, its fit's radius ${f.radiusMm} mm; its mirror partner's wall, ${rp.toFixed(1)} mm, taken`);
        f.radiusMm = Math.round(rp * 10) / 10;
      }
      return;
    }
    if (!followed[n] && r < f.radiusMm && atLimit) f.radiusAtFitLimit = true;
    f.radiusMm = Math.round((followed[n] ? r : Math.max(r, f.radiusMm)) * 10) / 10;
  });
  // thin slices: the canal's radius was the distance to the thresholded bone (detect/canal.ts), inside the wall
  if (canal && o.gridMm < 2.5) canal.radiusMm = canalWallRadii(volume, canal.centerlineLps, canal.radiusMm).radiiMm;
  lap('wallRadii');
}
