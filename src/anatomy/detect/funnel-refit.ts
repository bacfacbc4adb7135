/**
 * A tunnel whose fit took the funnel of its opening for the tunnel, fitted again behind that funnel (pure).
 *
 * Two signs say a fit took the funnel. (1) Its ring reached the fit's radius bound. The tunnel fit (foramen-fit.ts)
 * scores rings up to R_MAX = 7 mm, and anterior foramina are 2.5–6.5 mm in radius (DOMAIN.md §8): a fit at R_MAX has taken the funnel of the anterior opening for the tunnel. On real CT the lumen
 * widens 1.5–2.1× over its last 4–6 mm to the anterior surface (test/phantom-tools/measure_flare.py on
 * pelvic-ref-003), and where the ala's surface curves back the funnel turns to the side (pelvic-ref-003 S3 L: 7 mm
 * over 5 mm): the widest ring then fits on the funnel's side, and the fit's centre and axis are the funnel's, not
 * the tunnel's (pancreas-ct-cb-001 S1 R: the axis 2.8 mm lateral of the opening read by eye, where the enclosed
 * sections 9–15 mm inside are centred within about 2 mm of that reading; test/phantom-tools/skewed-funnel.py
 * reproduces it with exact truth). (2) Its lumen goes on, enclosed, past the fit's posterior end (lumenGoesOn):
 * the fit follows a lumen while its sections score at least half its best, and its best was the funnel's cortical
 * rim; where the tunnel behind is walled by trabecular bone (pancreas-ct-cb-001 S1 R: 200–230 HU over the lumen
 * behind a 410–430 HU mouth) it stops inside the bone where the cortex stops, on the funnel's axis, with the
 * funnel's radius under the bound (skewed-funnel.py --unlined S2: 12–13 mm of a 33 mm tunnel, 3.9/5.3 mm off).
 *
 * So the tunnel is fitted again where it is a tunnel: seeded on the first fit's axis SEED_MM inside its anterior
 * end, where the fit's slab (±4 mm about the seed, foramen-fit.ts SLAB_DEPTHS) lies wholly behind a funnel of up
 * to FUNNEL_MM, its axis within CONE_DEG of the first fit's. The second fit follows its lumen out to where it stops
 * being enclosed and in to the posterior opening; the anterior opening is placed where the line through its best
 * cross-section (the tunnel's centre) along its axis reaches that depth, not at the followed end, which the funnel's
 * centre draws to the side (on the code-built funnel of funnel-refit.test.ts: 1.5 mm from the true opening against
 * 2.4 mm at the followed end and 2.7 mm for the first fit). It replaces the
 * first only where it is the tunnel: narrower than the bound (a second fit at the bound is the funnel or a wider
 * lumen again), its axis within CONE_DEG of the first, and followed from its seed towards the opening; on the
 * second sign also followed past where the first stopped (DEEPER_MM). Otherwise
 * the first fit stays, and its radius is shown as the fit's bound (detect/measure.ts).
 */
import type { ScalarVolume } from '../../core/volume';
import type { Vec3 } from '../../core/vec3';
import { fitForamen, R_MAX } from '../foramen-fit';
import { enclosedSectionsAlong } from '../foramen-axis';
import { ENCLOSING_RIM_HU } from '../foramen-radius';
import type { Foramen } from '../types';

/** The longest funnel measured on the real scans (mm): 4–6 mm on pelvic-ref-003 (measure_flare.py). */
const FUNNEL_MM = 6;
/** Half the depth of the fit's slab (foramen-fit.ts SLAB_DEPTHS ±4 mm). */
const SLAB_HALF_MM = 4;
/** Where the second fit is seeded, inside the first fit's anterior end (mm). */
export const SEED_MM = FUNNEL_MM + SLAB_HALF_MM;
/** The second fit's centre within this of its seed (mm): a tunnel is recentred by a few mm, a neighbour lies 15–30 mm away. */
const SEARCH_MM = 4;
/**
 * The second fit's axis within this of the first's (degrees): the funnel moves the first fit's ring across the axis,
 * its slab (8 mm deep) keeps the direction within a few degrees of the tunnel's; wider would admit a lumen crossing
 * the tunnel (the lateral-mass boxes of a fatty sacrum).
 */
const CONE_DEG = 15;

/**
 * Past a fit's posterior end the lumen goes on, enclosed, over this many mm (mm; every STEP_MM): the fit stopped inside
 * the bone, not at an opening. Three sections 1.5 mm apart (foramen-axis.ts' step), beyond the blur of a surface.
 */
const GOES_ON_MM = 4.5;
const STEP_MM = 1.5;
/**
 * A second fit taken because the lumen goes on past the first's posterior end is the tunnel only where it follows
 * that lumen: its posterior end at least this much deeper than the first's (mm): the sections that showed it.
 */
const DEEPER_MM = GOES_ON_MM;

/**
 * Whether the lumen of `f` goes on past its posterior end, enclosed by a rim rising ENCLOSING_RIM_HU over it, in all but
 * one of the sections STEP_MM apart over GOES_ON_MM (foramen-axis.ts enclosedSectionsAlong, recentred): the fit
 * stopped inside the bone, where its tunnel's wall changed, not at an opening (beyond a posterior opening lies soft tissue or the
 * canal, wider than the radius + 3 mm the sections read). One section may be lost to the marrow's texture, as the
 * fit's own follow allows (foramen-fit.ts: two misses in a row end it): on skewed-funnel S2_L, with a 90 HU trabecular
 * wall on 30 ± 60 HU marrow, the section 3 mm past the end misses.
 */
export function lumenGoesOn(volume: ScalarVolume, f: Pick<Foramen, 'anteriorLps' | 'posteriorLps' | 'radiusMm'>): boolean {
  const a = f.anteriorLps, b = f.posteriorLps;
  const at: number[] = [];
  for (let t = STEP_MM; t <= GOES_ON_MM + 1e-9; t += STEP_MM) at.push(t);
  const seen = enclosedSectionsAlong(volume, b, [b[0] - a[0], b[1] - a[1], b[2] - a[2]], f.radiusMm, at, ENCLOSING_RIM_HU);
  return seen.filter((x) => x).length >= seen.length - 1;
}

/**
 * The tunnel behind the funnel of foramen `f`'s anterior opening (axis, openings and radius of the second fit, and why
 * it was fitted again), or null where the first fit shows no sign of a funnel taken for the tunnel or the second fit
 * is not the tunnel (keep `f`). Two signs: `f`'s radius at the fit's bound (the funnel's width), or its lumen going on,
 * enclosed, past its posterior end (lumenGoesOn): the fit scored its rings against the funnel's cortex, and where the
 * tunnel behind is walled by trabecular bone (pancreas-ct-cb-001 S1 R: 200–230 HU over the lumen behind a 410–430 HU
 * cortical mouth; skewed-funnel.py --unlined) its sections score under half of that, so the fit stopped where the
 * cortex stopped, on the funnel's axis (skewed-funnel S2 unlined: 12–13 mm of a 33 mm tunnel, the axis 14–17° off and
 * 3.9/5.3 mm from the tunnel's centre, the radius 4.0/4.3 for 3.75, under the bound). A second fit seeded behind the
 * funnel scores its rings against that wall and follows it to the posterior opening (there: 33.7/33.8 mm, 1.2/1.3 mm
 * from the centre). Taken on the second sign, it must also follow the lumen past where the first stopped (DEEPER_MM).
 * CT and MR alike (the fit is polarity-aware); callers decide where it applies.
 */
export function refitBehindFunnel(volume: ScalarVolume, f: Pick<Foramen, 'anteriorLps' | 'posteriorLps' | 'radiusMm'>): { anteriorLps: Vec3; posteriorLps: Vec3; radiusMm: number; why: string } | null {
  const a = f.anteriorLps, b = f.posteriorLps;
  const L = Math.hypot(b[0] - a[0], b[1] - a[1], b[2] - a[2]);
  // a tunnel shorter than the seed's depth has no part behind the funnel to fit, unless its lumen is seen going on
  // past its end as far as the seed (lumenGoesOn: GOES_ON_MM)
  if (!(L + GOES_ON_MM >= SEED_MM)) return null;
  const atBound = f.radiusMm >= R_MAX && L > SEED_MM;
  const goesOn = !atBound && lumenGoesOn(volume, f);
  if (!atBound && !goesOn) return null;
  const e: Vec3 = [(b[0] - a[0]) / L, (b[1] - a[1]) / L, (b[2] - a[2]) / L];
  const seed: Vec3 = [a[0] + e[0] * SEED_MM, a[1] + e[1] * SEED_MM, a[2] + e[2] * SEED_MM];
  const fit = fitForamen(volume, seed, { searchMm: SEARCH_MM, axisHint: e, coneDeg: CONE_DEG });
  if (!fit || !(fit.radiusMm < R_MAX)) return null;
  const u = fit.axisLps;
  if (Math.abs(u[0] * e[0] + u[1] * e[1] + u[2] * e[2]) < Math.cos((CONE_DEG * Math.PI) / 180)) return null;
  // followed from its seed towards the opening: its anterior end lies nearer the first fit's than the seed does
  const depth = (p: Readonly<Vec3>) => (p[0] - a[0]) * e[0] + (p[1] - a[1]) * e[1] + (p[2] - a[2]) * e[2];
  if (!(depth(fit.anteriorLps) < SEED_MM)) return null;
  if (!atBound && !(depth(fit.posteriorLps) >= L + DEEPER_MM)) return null;
  // the opening on the tunnel's axis: the line through the fit's best cross-section (behind the funnel: the tunnel's
  // centre) along the fitted axis, at the depth where the lumen followed outwards stops being enclosed. The followed
  // end itself is the funnel's: the funnel's centre turns to the side on the way out, and the end with it.
  const c = fit.centreLps;
  const t = (fit.anteriorLps[0] - c[0]) * u[0] + (fit.anteriorLps[1] - c[1]) * u[1] + (fit.anteriorLps[2] - c[2]) * u[2];
  const anteriorLps: Vec3 = [c[0] + t * u[0], c[1] + t * u[1], c[2] + t * u[2]];
  const p = fit.posteriorLps;
  const why = atBound ? `its fit reached the ${R_MAX} mm radius bound (the opening's funnel)`
    : `its lumen goes on, enclosed, past the fit's posterior end (${L.toFixed(0)} mm in; the funnel's cortex taken for the tunnel's wall)`;
  return { anteriorLps, posteriorLps: [p[0], p[1], p[2]], radiusMm: Math.round(fit.radiusMm * 10) / 10, why };
}
