/**
 * A foramen's axis and openings re-read on the image (pure): the tunnel followed cross-section by
 * cross-section from its middle to where its lumen stops being enclosed by bone.
 *
 * A needle's clearance to a foramen is the distance to its lumen, a capsule between the two openings; a
 * tunnel found shorter than it is (the search stopped where its mask did) or a few degrees off at one end
 * puts a needle passing that end millimetres wrong. Here, in planes perpendicular to the axis every 1.5 mm,
 * 16 rays from the current centre find the half-maximum edge of the lumen against its rim. A ray meets the
 * rim when the rim rises at least half as far above the lumen as the tunnel's own rim does in its middle,
 * within 1 mm of that section's median edge. Where more than half the rays meet it the section is enclosed
 * (outside the bone a plane surface meets at most half of them), and the circle through the edges (its
 * centre: twice the mean edge vector) recentres the tunnel there. Walking out from the middle both ways, the
 * opening is where the share of rays meeting the rim falls through one half (sought within the step from the
 * last enclosed section to the next, openingWithinStep): the rim fades over the blur along the axis, and at half its height is the
 * bone's surface; a plane surface through the axis meets half the rays. The axis is the line through the
 * enclosed centres (their principal direction). Nothing changes unless the tunnel is clearly followed: at
 * least 5 enclosed sections, their centres within 1 mm of a line, and the line within 15° and 4 mm of the
 * given one. A walk that stops more than 3 mm inside a given end (a wall eroded by a lesion) keeps that end.
 * A tunnel the full ring cannot follow because it lies within one slice (thick slices: its rims above and below
 * are averaged into its lumen) is followed in the slice's plane instead, on its two side walls (inSliceRays), read
 * between two slabs or on the one slab that holds each section's centre, whichever follows more of it.
 */
import type { Vec3 } from '../core/vec3';
import type { ScalarVolume } from '../core/volume';
import type { Foramen } from './types';
import { halfMaxEdge, sampleInSlab, sampleTrilinear } from './lumen-edge';
import { perpendicularBasis } from './local-image';
import { symmetricEigen3 } from './eigen3';

const STEP_MM = 1.5;
const RAYS = 16;
const ALL_RAYS = Array.from({ length: RAYS }, (_, k) => k);
/**
 * Rays within this angle of the slice plane: those that stay within one slice over a tunnel's rim (2.5 mm radius
 * plus a 1–1.5 mm wall: 1.3 mm out of plane at 22.5°, inside half a 5 mm slice), when the tunnel lies in one slice.
 */
const IN_SLICE_DEG = 22.5;
/**
 * A side wall of a tunnel that lies within one slice rises at least this far above its lumen (HU): the slice
 * averages the tunnel's walls above and below into the lumen (fatty-thick5mm S4: 190–250 HU on the axis) and
 * blurs the side walls with the marrow beside them, so they rise 53–178 HU above it (median 135 in the middle
 * sections) where a full ring is asked 150; 100 HU is what foramen-radius.ts asks of a rim enclosing a lumen on
 * fatty marrow (ENCLOSING_RIM_HU), twice the tunnel's own median as before where that is higher.
 */
const IN_SLICE_RIM_HU = 100;
/** A walk stopping this far (mm) inside a given end is taken as stopped by an eroded wall. */
const SHORT_MM = 3;
/** How far past the given ends the tunnel is followed (mm). */
const EXTEND_MM = 15;
/**
 * How far a short fit's tunnel is followed each way (followInSlice): the whole of the longest tunnel, S1's, through
 * the sacrum's depth at S1 (the phantoms' S1 tunnels 40–45 mm; the fit may sit at either end of it).
 */
const TUNNEL_MAX_MM = 45;

export interface AxisRefinement {
  anteriorLps: Vec3;
  posteriorLps: Vec3;
  /** Enclosed sections followed. */
  sections: number;
  /** RMS distance of their centres from the fitted line (mm). */
  rmsMm: number;
  /**
   * Followed in the slice's plane only (inSliceRays): the tunnel lies within one slice, whose chord through it
   * narrows towards its side walls, so a wall read across it in that plane reads it narrow (fatty-thick5mm and
   * -px08 S4_L: 2.0 mm for 2.5).
   */
  inSlice?: boolean;
}

/** Edges of the lumen around c in the plane (u1, u2): per ray the edge distance, or NaN without a rim. */
function section(volume: ScalarVolume, c: Readonly<Vec3>, u1: Readonly<Vec3>, u2: Readonly<Vec3>, maxR: number, edgeMax: number, step: number, minContrast: number, tmp: Vec3, rays: readonly number[] = ALL_RAYS, minPeak = -Infinity, inSlab = false): { edges: number[]; dirs: Vec3[]; contrast: number[]; lumen: number[] } | null {
  if (sampleTrilinear(volume, c, tmp) === null) return null;
  // read on one slab (followTunnel's onSlab): every ray on the slab that holds the section's centre
  const k0 = inSlab ? Math.round(tmp[2]) : -1;
  const sample = inSlab ? (p: Vec3): number | null => sampleInSlab(volume, p, k0, tmp) : (p: Vec3): number | null => sampleTrilinear(volume, p, tmp);
  const edges: number[] = [], dirs: Vec3[] = [], contrast: number[] = [], lumen: number[] = [];
  for (const k of rays) {
    const th = (k * 2 * Math.PI) / RAYS;
    const d: Vec3 = [u1[0] * Math.cos(th) + u2[0] * Math.sin(th), u1[1] * Math.cos(th) + u2[1] * Math.sin(th), u1[2] * Math.cos(th) + u2[2] * Math.sin(th)];
    const prof: number[] = [];
    for (let r = 0; r <= maxR; r += step) {
      const v = sample([c[0] + d[0] * r, c[1] + d[1] * r, c[2] + d[2] * r]);
      if (v === null) break;
      prof.push(v);
    }
    const e = halfMaxEdge(prof, step, minContrast);
    dirs.push(d);
    edges.push(e && e.edgeMm <= edgeMax && prof[e.peak]! >= minPeak ? e.edgeMm : NaN);
    contrast.push(e ? prof[e.peak]! - e.lumen : NaN);
    lumen.push(e ? e.lumen : NaN);
  }
  return { edges, dirs, contrast, lumen };
}

/**
 * One recentring step of a section: the mean of its rim points (edge × ray direction over the rays `ok` that met
 * a rim; a ring centred on its lumen sums to zero) moves the centre twice that mean, by at most 1.5 mm. Returns
 * the moved centre and the length of the full move (mm), which callers compare to 0.1 mm to stop.
 */
function recentred(c: Readonly<Vec3>, s: { edges: number[]; dirs: Vec3[] }, ok: readonly number[]): { c: Vec3; dl: number } {
  let sx = 0, sy = 0, sz = 0;
  for (const k of ok) { sx += s.edges[k]! * s.dirs[k]![0]; sy += s.edges[k]! * s.dirs[k]![1]; sz += s.edges[k]! * s.dirs[k]![2]; }
  const dx = (2 * sx) / ok.length, dy = (2 * sy) / ok.length, dz = (2 * sz) / ok.length;
  const dl = Math.hypot(dx, dy, dz);
  const lim = dl > 1.5 ? 1.5 / dl : 1;
  return { c: [c[0] + dx * lim, c[1] + dy * lim, c[2] + dz * lim], dl };
}

/**
 * Where, within the step from the last enclosed section at c (ring share `share`, above one half) along dir·e,
 * the share of rays meeting the rim falls through one half (mm from c). A surface across the axis takes the
 * share from all rays to none within one step, and interpolating the share linearly between two sections 1.5 mm
 * apart puts the opening mid-step wherever the surface lies (up to 0.75 mm off): the step is halved four times
 * (to 0.09 mm), then the share interpolated within the last one, which an oblique surface, whose share falls
 * gradually, needs.
 */
function openingWithinStep(ringShare: (p: Vec3) => number, c: Readonly<Vec3>, e: Readonly<Vec3>, dir: -1 | 1, share: number): number {
  const at = (t: number): Vec3 => [c[0] + dir * e[0] * t, c[1] + dir * e[1] * t, c[2] + dir * e[2] * t];
  let lo = 0, hi = STEP_MM, sLo = share, sHi = ringShare(at(STEP_MM));
  // the next section recentred off the line: its share here is not the one that ended the walk
  if (!(sHi <= 0.5 && sLo > 0.5)) return sLo > sHi ? Math.min(1, Math.max(0, (sLo - 0.5) / (sLo - sHi))) * STEP_MM : 0.5 * STEP_MM;
  for (let it = 0; it < 4; it++) {
    const m = (lo + hi) / 2, sm = ringShare(at(m));
    if (sm > 0.5) { lo = m; sLo = sm; } else { hi = m; sHi = sm; }
  }
  return lo + ((sLo - 0.5) / (sLo - sHi)) * (hi - lo);
}

/**
 * A tunnel that lies within one slice (the slice at least as thick as the tunnel is wide, its axis within 30° of
 * the slice plane) has its rims above and below averaged into its lumen by the slice: on fatty-thick5mm the S4
 * tunnels (2.5 mm radius, axes in the axial plane, 5 mm slices) read 190–250 HU along their axis against 110 HU
 * marrow, and no rim closes across the slice, so a ring of 16 rays never finds more than half of it walled. In
 * the slice plane the image is resolved (1 mm pixels), and there the lumen is a groove between its two side
 * walls. The ring is then read on the rays within IN_SLICE_DEG of the slice plane, on both sides (six of 16: the
 * fan turned so that ray 0 lies in the plane), and recentred in the plane only. Null where the tunnel is not so.
 * Where that follows more of it (refineForamenAxis), each section's rays are read on the slab that holds its centre
 * (lumen-edge.ts sampleInSlab) rather than between two slabs: a tunnel centred
 * off its slab's middle (fatty-thick5mm S4: 0.7–1.5 mm towards the slab below) read by trilinear interpolation
 * mixes in the slab below, where the tunnel's floor lies across the lumen's line (330–400 HU): the lumen read
 * 230–250 HU against 180–200 on its own slab, its medial wall (310–380 HU) then fell under the rise asked of it,
 * and the walk stopped 1.5 mm past the middle, 4 mm short of the posterior opening (followed on the slab: 0.3 mm
 * past it).
 */
function inSliceRays(volume: ScalarVolume, e: Readonly<Vec3>, radiusMm: number, widthsPerSlice = 1): { basis: [Vec3, Vec3]; rays: number[] } | null {
  const g = volume.geometry, sliceMm = g.spacingMm[2];
  if (!(widthsPerSlice * sliceMm >= 2 * radiusMm) || !(sliceMm > 1.5 * Math.max(g.spacingMm[0], g.spacingMm[1]))) return null;
  const n = g.axis(2);
  const en = e[0] * n[0] + e[1] * n[1] + e[2] * n[2];
  if (Math.abs(en) > Math.sin(Math.PI / 6)) return null;
  // ray 0 along the in-plane direction across the axis, ray 4 towards the slice normal
  let w: Vec3 = [e[1] * n[2] - e[2] * n[1], e[2] * n[0] - e[0] * n[2], e[0] * n[1] - e[1] * n[0]];
  const lw = Math.hypot(w[0], w[1], w[2]);
  w = [w[0] / lw, w[1] / lw, w[2] / lw];
  const v: Vec3 = [e[1] * w[2] - e[2] * w[1], e[2] * w[0] - e[0] * w[2], e[0] * w[1] - e[1] * w[0]];
  const lim = Math.sin((IN_SLICE_DEG * Math.PI) / 180) + 1e-9;
  const rays = ALL_RAYS.filter((k) => Math.abs(Math.sin((k * 2 * Math.PI) / RAYS)) <= lim);
  return { basis: [w, v], rays };
}

/**
 * Recentring across the slice plane's rays only (inSliceRays): each opposite pair of rays that both meet a wall
 * (k and k + 8) gives the centre's offset along its line, half the difference of its two edges; the centre is
 * moved along the in-plane direction w by Σ offset·(d·w) / Σ (d·w)² over those pairs (by at most 1.5 mm). A ray
 * tilted out of the plane may leave the slice before its wall where the tunnel lies off the slice's centre: the
 * pairs that do meet it still say where the centre is.
 */
function recentredInSlice(c: Readonly<Vec3>, s: { edges: number[]; dirs: Vec3[] }, w: Readonly<Vec3>, rays: readonly number[]): { c: Vec3; dl: number } | null {
  let num = 0, den = 0;
  rays.forEach((k, n) => {
    if (k >= RAYS / 2) return;
    const m = rays.indexOf(k + RAYS / 2);
    if (m < 0 || !Number.isFinite(s.edges[n]!) || !Number.isFinite(s.edges[m]!)) return;
    const dw = s.dirs[n]![0] * w[0] + s.dirs[n]![1] * w[1] + s.dirs[n]![2] * w[2];
    num += ((s.edges[n]! - s.edges[m]!) / 2) * dw; den += dw * dw;
  });
  if (!(den > 0.5)) return null;
  const d = num / den, dl = Math.abs(d), m = dl > 1.5 ? 1.5 * Math.sign(d) : d;
  return { c: [c[0] + w[0] * m, c[1] + w[1] * m, c[2] + w[2] * m], dl };
}

/**
 * Follows the tunnel of foramen f on the image; null when it cannot be followed clearly (keep f as it is).
 * `minContrastHu`: a rim must rise this far above the lumen (CT).
 */
export function refineForamenAxis(volume: ScalarVolume, f: Pick<Foramen, 'anteriorLps' | 'posteriorLps' | 'radiusMm'>, minContrastHu = 150): AxisRefinement | null {
  const a = f.anteriorLps, b = f.posteriorLps;
  const L = Math.hypot(b[0] - a[0], b[1] - a[1], b[2] - a[2]);
  if (!(L > 2)) return null;
  const e: Vec3 = [(b[0] - a[0]) / L, (b[1] - a[1]) / L, (b[2] - a[2]) / L];
  // the full ring first; a tunnel it cannot follow that lies within one slice, in the slice's plane. One the full ring
  // follows part way that lies within one slice is followed in the slice's plane as well, and the reading that follows
  // more sections kept (the full ring where they tie): where its lumen sits near its slab's middle the ring may close
  // over a few sections and open where the tunnel moves off it (fatty-thick4p5mm S4_L: the full ring 8 sections,
  // stopping 5.4 mm short of its posterior opening; 10 in the slice's plane, 0.1 mm past it)
  const ring = followTunnel(volume, f, minContrastHu, e, L, null);
  const slice = inSliceRays(volume, e, f.radiusMm);
  if (!slice) return ring;
  // Read between two slabs (trilinear) or on the slab that holds each section's centre: a tunnel that lies within one
  // slab has its floor or roof in the next, which trilinear reading mixes into its lumen; one that spans two slabs
  // (fatty-funnel's S4, 5 mm wide on 3 mm slices, its fit 1.5 mm in radius) has part of its lumen in each, and one
  // slab alone shows it without its walls. The reading that follows more enclosed sections is the one that resolves
  // its walls (fatty-thick5mm S4_L 5 sections between slabs, stopping 1.5 mm past the middle, 11 on its slab;
  // fatty-funnel S4_R 10 on one slab, stopping 2.1 mm short); between slabs where they tie.
  const mixed = followTunnel(volume, f, minContrastHu, e, L, slice, false);
  const slab = followTunnel(volume, f, minContrastHu, e, L, slice, true);
  const flat = slab && (!mixed || slab.sections > mixed.sections) ? slab : mixed;
  return ring && (!flat || ring.sections >= flat.sections) ? ring : flat;
}

/**
 * A short fit of a tunnel on thick slices followed in the slice's plane (inSliceRays): a fit follows a lumen while a
 * ring encloses it on slab images across its axis (foramen-fit.ts), and where the tunnel lies within a slice or two
 * its roof and floor are averaged into its lumen, so the ring opens a few mm from where the fit began
 * (fatty-thick4p5mm S3, 3 mm in radius, 6 mm wide on 4.5 mm slices: the lumen reads 120–230 HU between side walls of
 * 320–460, and the fits stop after 5–8 mm of its 24 mm). Its tilt across the slices is what those averaged slab images
 * cannot tell (S3_L's fit 24° out of the slice's plane, the truth 6°), and a walk along a tilted axis leaves the slice
 * it lies in: the axis is taken in the slice's plane through the fit's middle (a tunnel followed in the slice's plane
 * crosses at most what the slice leaves beside its lumen, followTunnel's clamp) and followed on its side walls, as
 * refineForamenAxis follows one it cannot follow on the full ring. Null where the tunnel does not lie so or is not
 * followed clearly (at least 5 sections, as refineForamenAxis). A lumen up to two slices wide (2r ≤ 2T) is taken as
 * lying so, where refineForamenAxis asks one slice (2r ≤ T) of a tunnel it has followed on the full ring already: a
 * slice lies wholly within a lumen, so that its roof and floor are resolved above and below it, for every position of
 * the slices only where the lumen is at least two slices wide (S3 here: 6 mm on 4.5 mm slices, its fits 2.3–2.5 mm in
 * radius).
 */
export function followInSlice(volume: ScalarVolume, f: Pick<Foramen, 'anteriorLps' | 'posteriorLps' | 'radiusMm'>, minContrastHu = 150, bothWays = false): AxisRefinement | null {
  const a = f.anteriorLps, b = f.posteriorLps;
  const L = Math.hypot(b[0] - a[0], b[1] - a[1], b[2] - a[2]);
  if (!(L > 2)) return null;
  const nz = volume.geometry.axis(2);
  const e0: Vec3 = [(b[0] - a[0]) / L, (b[1] - a[1]) / L, (b[2] - a[2]) / L];
  if (!inSliceRays(volume, e0, f.radiusMm, 2)) return null;
  const en = e0[0] * nz[0] + e0[1] * nz[1] + e0[2] * nz[2];
  const w: Vec3 = [e0[0] - en * nz[0], e0[1] - en * nz[1], e0[2] - en * nz[2]], lw = Math.hypot(w[0], w[1], w[2]);
  const e: Vec3 = [w[0] / lw, w[1] / lw, w[2] / lw];
  const slice = inSliceRays(volume, e, f.radiusMm, 2)!;
  // the line through the fit's middle, on its own slab's centre and on the slabs above and below: a lumen up to two
  // slices wide lies more in one of two slabs, and that one may change along it (fatty-thick4p5mm S3: 2 of its 6 mm in
  // the lower slab at its posterior end, 4 in the upper); the reading that follows the most sections, on one slab or
  // between two, as refineForamenAxis chooses
  const m: Vec3 = [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2, (a[2] + b[2]) / 2];
  const geo = volume.geometry, k0 = Math.round(geo.lpsToIjk([0, 0, 0], m)[2]);
  let best: AxisRefinement | null = null;
  // Begun at the fit's middle, or past its posterior end (one and two steps of the walk): the fit stopped where its
  // ring opened, which on the slab where the tunnel's far part lies is where that part begins (S3_L: its fit's middle
  // not enclosed on the upper slab, which holds the tunnel's posterior two thirds). A fit begun at an anterior opening
  // (the surface's) has nothing of its tunnel in front of it; one seeded inside the tunnel (`bothWays`, level-below.ts:
  // the fit's best section) may lie near either end (fatty-thick4mm S4_R: 6 mm from its posterior opening, 11 from its
  // anterior one), and is begun past its anterior end too
  const at = geo.lpsToIjk([0, 0, 0], m);
  for (const k of [k0, k0 - 1, k0 + 1]) {
    if (k < 0 || k >= geo.dims[2]) continue;
    const c0 = geo.ijkToLps([0, 0, 0], at[0], at[1], k);
    for (const t of bothWays ? [0, L / 2 + STEP_MM, L / 2 + 2 * STEP_MM, -(L / 2 + STEP_MM), -(L / 2 + 2 * STEP_MM)] : [0, L / 2 + STEP_MM, L / 2 + 2 * STEP_MM]) {
      const c: Vec3 = [c0[0] + e[0] * t, c0[1] + e[1] * t, c0[2] + e[2] * t];
      const g = { anteriorLps: [c[0] - e[0] * L / 2, c[1] - e[1] * L / 2, c[2] - e[2] * L / 2] as Vec3, posteriorLps: [c[0] + e[0] * L / 2, c[1] + e[1] * L / 2, c[2] + e[2] * L / 2] as Vec3, radiusMm: f.radiusMm };
      for (const onSlab of [false, true]) {
        const r = followTunnel(volume, g, minContrastHu, e, L, slice, onSlab, TUNNEL_MAX_MM);
        if (r && (!best || r.sections > best.sections)) best = r;
      }
    }
  }
  return best;
}

/** The walk of refineForamenAxis, on the full ring (`slice` null) or on the slice plane's fans (inSliceRays). */
function followTunnel(volume: ScalarVolume, f: Pick<Foramen, 'anteriorLps' | 'posteriorLps' | 'radiusMm'>, minContrastHu: number, e: Vec3, L: number, slice: { basis: [Vec3, Vec3]; rays: number[] } | null, onSlab = false, extendMm = EXTEND_MM): AxisRefinement | null {
  const a = f.anteriorLps, b = f.posteriorLps;
  const [u1, u2] = slice ? slice.basis : perpendicularBasis(e);
  const rays = slice ? slice.rays : ALL_RAYS, nRays = rays.length;
  const step = Math.min(...volume.geometry.spacingMm) / 4;
  // a rim farther than 3 mm beyond the radius is not this tunnel's (the bone's outer surface seen from outside)
  const maxR = f.radiusMm + 3;
  const tmp: Vec3 = [0, 0, 0];
  // a wall found more than 1 mm beyond the tunnel's own (its median half-maximum edge in the middle section)
  // is not this tunnel's: beyond an opening, the bone's outer surface curving back, as the concave pelvic
  // surface does
  let edgeMax = maxR;
  // A ray meets the rim where its contrast is at least half the tunnel's own (its median in the middle
  // section): at an opening the rim fades over the blur along the axis, and its half level is the surface
  // (a fixed low threshold would follow it out past the surface by about the blur).
  let rimHu = slice ? Math.min(minContrastHu, IN_SLICE_RIM_HU) : minContrastHu;
  // In the slice's plane the lumen itself reads its walls above and below (brighter than fat), and beyond an
  // opening only fat: there a wall's blurred tail rises its contrast's worth above the darker fat past the
  // surface. A side wall is met only where it also rises that far above the lumen of the tunnel's middle section.
  let minPeak = -Infinity;
  /** Share of the rays that meet a rim around c (no recentring). */
  const ringShare = (c: Vec3): number => {
    const s = section(volume, c, u1, u2, maxR, edgeMax, step, rimHu, tmp, rays, minPeak, onSlab);
    return s ? s.edges.filter((x) => Number.isFinite(x)).length / nRays : 0;
  };
  /** Recentres the section at c; returns the centre and its ring share, or null when the lumen is not enclosed there. */
  const enclosedAt = (c0: Vec3): { c: Vec3; share: number } | null => {
    let c = c0;
    let share = 0;
    for (let it = 0; it < 3; it++) {
      const s = section(volume, c, u1, u2, maxR, edgeMax, step, rimHu, tmp, rays, minPeak, onSlab);
      if (!s) return null;
      const ok = s.edges.map((x, k) => (Number.isFinite(x) ? k : -1)).filter((k) => k >= 0);
      share = ok.length / nRays;
      // more than half the ring: outside the bone a plane surface meets at most half the rays
      if (ok.length <= nRays / 2) return null;
      if (slice) {
        // recentred on the opposite pairs of rays that meet the walls (the in-plane pair at least)
        const r = recentredInSlice(c, s, u1, rays);
        if (!r) return { c, share };
        c = r.c;
        if (r.dl < 0.1) break;
        continue;
      }
      // a partly open ring is not recentred (the missing side would pull the centre)
      if (ok.length < nRays) return { c, share };
      const r = recentred(c, s, ok);
      c = r.c;
      if (r.dl < 0.1) break;
    }
    return { c, share };
  };
  const mid: Vec3 = [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2, (a[2] + b[2]) / 2];
  // the middle of the given axis, else the nearest point around it (2 and 4 mm away) where a lumen is enclosed
  let first = enclosedAt(mid);
  for (let ring = 2; !first && ring <= 4; ring += 2) {
    for (let k = 0; k < 8 && !first; k++) {
      const th = (k * Math.PI) / 4;
      first = enclosedAt([0, 1, 2].map((i) => mid[i]! + ring * (u1[i]! * Math.cos(th) + u2[i]! * Math.sin(th))) as Vec3);
    }
  }
  if (!first) return null;
  const start = first.c;
  {
    const s0 = section(volume, start, u1, u2, maxR, edgeMax, step, rimHu, tmp, rays, -Infinity, onSlab)!;
    const ed = s0.edges.filter((x) => Number.isFinite(x)).sort((p, q) => p - q);
    edgeMax = Math.min(maxR, ed[ed.length >> 1]! + 1);
    const co = s0.contrast.filter((x) => Number.isFinite(x)).sort((p, q) => p - q);
    rimHu = Math.max(slice ? Math.min(minContrastHu, IN_SLICE_RIM_HU) : minContrastHu, co[co.length >> 1]! / 2);
    if (slice) {
      const lu = s0.lumen.filter((x) => Number.isFinite(x)).sort((p, q) => p - q);
      if (lu.length) minPeak = lu[lu.length >> 1]! + rimHu;
    }
  }
  const centres: { t: number; c: Vec3 }[] = [{ t: 0, c: start }];
  const ends: [number, number] = [0, 0];
  for (const dir of [-1, 1] as const) {
    let c = start, share = first.share;
    let t = 0;
    const limit = L / 2 + extendMm;
    let end = NaN;
    while (t < limit) {
      const guess: Vec3 = [c[0] + dir * e[0] * STEP_MM, c[1] + dir * e[1] * STEP_MM, c[2] + dir * e[2] * STEP_MM];
      let next = enclosedAt(guess);
      // In the slice's plane the ring is two walls, and one wall's dip decides a section where the full ring needs
      // more than 8 of 16 rays; a side wall 100–180 HU above the lumen under 15 HU noise and 30 HU texture
      // (fatty-thick5mm S4_R: 306 HU against the 307 asked, 1.5 mm into its tunnel, walled again 1.5 mm on) loses a
      // section to noise. A wall that ends at an opening stays gone: a section not enclosed whose next one is
      // enclosed is stepped over.
      let stepMm = STEP_MM;
      if (!next && slice) {
        const over = enclosedAt([c[0] + dir * e[0] * 2 * STEP_MM, c[1] + dir * e[1] * 2 * STEP_MM, c[2] + dir * e[2] * 2 * STEP_MM]);
        if (over && t + 2 * STEP_MM < limit) { next = over; stepMm = 2 * STEP_MM; }
      }
      if (!next) {
        // the opening: where the ring share falls through one half, between this section and the next
        let t1 = t + openingWithinStep(ringShare, c, e, dir, share);
        // in the slice's plane the ring is two fans, one on each side wall: a surface oblique to the axis ends one
        // wall before the other, and the share falls through one half where the first ends. The axis meets the
        // surface halfway between the two ends (what the half share of a full ring gives): where the share falls
        // through three quarters (the first wall going) and through one quarter (the second gone), read every
        // 0.25 mm from the last enclosed section, the second within the tunnel's diameter past the first (a surface
        // at 45° to the axis). A surface square to the axis ends both at once, and the two crossings straddle it.
        if (slice) {
          const at = (x: number): Vec3 => [c[0] + dir * e[0] * (x - t), c[1] + dir * e[1] * (x - t), c[2] + dir * e[2] * (x - t)];
          let ta = NaN;
          for (let x = t + 0.25; x <= t1 + 2 * f.radiusMm + 1e-9; x += 0.25) {
            const sh = ringShare(at(x));
            if (!(ta === ta) && sh <= 0.75) ta = x - 0.125;
            if (sh <= 0.25) { if (ta === ta) t1 = (ta + x - 0.125) / 2; break; }
          }
        }
        end = dir * t1;
        break;
      }
      t += stepMm;
      // keep the step along the axis: the recentring moves only across it
      const w: Vec3 = [next.c[0] - c[0], next.c[1] - c[1], next.c[2] - c[2]];
      const along = w[0] * e[0] + w[1] * e[1] + w[2] * e[2];
      c = [next.c[0] - (along - dir * stepMm) * e[0], next.c[1] - (along - dir * stepMm) * e[1], next.c[2] - (along - dir * stepMm) * e[2]];
      share = next.share;
      centres.push({ t: dir * t, c });
    }
    // followed to the limit without an opening: the tunnel's end is not seen
    if (!Number.isFinite(end)) return null;
    ends[dir < 0 ? 0 : 1] = end;
  }
  if (centres.length < 5) return null;
  // the line through the centres
  const n = centres.length;
  const m: Vec3 = [0, 0, 0];
  for (const x of centres) for (let i = 0; i < 3; i++) m[i] = m[i]! + x.c[i]! / n;
  const cov = [0, 0, 0, 0, 0, 0];
  for (const x of centres) {
    const d = [x.c[0] - m[0], x.c[1] - m[1], x.c[2] - m[2]];
    cov[0]! += d[0]! * d[0]!; cov[1]! += d[0]! * d[1]!; cov[2]! += d[0]! * d[2]!; cov[3]! += d[1]! * d[1]!; cov[4]! += d[1]! * d[2]!; cov[5]! += d[2]! * d[2]!;
  }
  const eig = symmetricEigen3([cov[0]!, cov[1]!, cov[2]!, cov[1]!, cov[3]!, cov[4]!, cov[2]!, cov[4]!, cov[5]!]);
  let v = eig.vectors[0]! as Vec3;
  if (v[0] * e[0] + v[1] * e[1] + v[2] * e[2] < 0) v = [-v[0], -v[1], -v[2]];
  // followed in the slice's plane, the tunnel lies within one slice over its whole length: its centre line crosses
  // at most what the slice leaves beside its lumen (T − 2r) of the slice's thickness, so its slope across the
  // slices is at most that over the followed length. The slope is the given axis' (the centres move in the plane
  // only), which a fit reads on slab images averaged across the slice (fatty-thick5mm S4_L: 5° off, 1.9 mm off at
  // the posterior opening): it is clamped to that bound.
  if (slice) {
    const nz = volume.geometry.axis(2), vn = v[0] * nz[0] + v[1] * nz[1] + v[2] * nz[2];
    const lim = Math.max(0, volume.geometry.spacingMm[2] - 2 * f.radiusMm) / Math.max(1, ends[1] - ends[0]);
    if (Math.abs(vn) > lim) {
      const d = vn - Math.sign(vn) * lim, w: Vec3 = [v[0] - d * nz[0], v[1] - d * nz[1], v[2] - d * nz[2]], lw = Math.hypot(w[0], w[1], w[2]);
      v = [w[0] / lw, w[1] / lw, w[2] / lw];
    }
  }
  let ss = 0;
  for (const x of centres) {
    const d = [x.c[0] - m[0], x.c[1] - m[1], x.c[2] - m[2]];
    const along = d[0]! * v[0] + d[1]! * v[1] + d[2]! * v[2];
    ss += d[0]! ** 2 + d[1]! ** 2 + d[2]! ** 2 - along * along;
  }
  const rmsMm = Math.sqrt(ss / n);
  const cosA = v[0] * e[0] + v[1] * e[1] + v[2] * e[2];
  // the line's offset from the given axis at the middle
  const dm: Vec3 = [m[0] - mid[0], m[1] - mid[1], m[2] - mid[2]];
  const offAlong = dm[0] * e[0] + dm[1] * e[1] + dm[2] * e[2];
  const off = Math.sqrt(Math.max(0, dm[0] ** 2 + dm[1] ** 2 + dm[2] ** 2 - offAlong ** 2));
  if (rmsMm > 1 || cosA < Math.cos((15 * Math.PI) / 180) || off > 4) return null;
  // openings: the ends' positions along the line, measured from the centres' mean
  // A wall eroded by a lesion opens the lumen before the opening: the walk stops there, short of it, and the
  // image cannot tell that end. Where the walk stops more than 3 mm inside the given end, that end is kept.
  if (ends[0] > -L / 2 + SHORT_MM) ends[0] = -L / 2;
  if (ends[1] < L / 2 - SHORT_MM) ends[1] = L / 2;
  const tMid = centres.reduce((s, x) => s + x.t, 0) / n;
  const at = (t: number): Vec3 => [m[0] + v[0] * (t - tMid), m[1] + v[1] * (t - tMid), m[2] + v[2] * (t - tMid)];
  return { anteriorLps: at(ends[0]), posteriorLps: at(ends[1]), sections: n, rmsMm, ...(slice ? { inSlice: true } : {}) };
}


/**
 * The lumen's cross-sections along a given axis a → b, every `stepMm`: per section its recentred centre where
 * the lumen is enclosed there (more than half the rays meet a rim rising `minContrastHu` above it, as in
 * refineForamenAxis), else null. For a tunnel that cannot be followed end to end (a wall broken by a lesion):
 * where along the given axis the image shows it.
 */
export function lumenSections(volume: ScalarVolume, f: Pick<Foramen, 'anteriorLps' | 'posteriorLps' | 'radiusMm'>, stepMm = 2, minContrastHu = 150): { t: number; centre: Vec3 | null }[] {
  const a = f.anteriorLps, b = f.posteriorLps;
  const L = Math.hypot(b[0] - a[0], b[1] - a[1], b[2] - a[2]);
  if (!(L > 2)) return [];
  const e: Vec3 = [(b[0] - a[0]) / L, (b[1] - a[1]) / L, (b[2] - a[2]) / L];
  const [u1, u2] = perpendicularBasis(e);
  const step = Math.min(...volume.geometry.spacingMm) / 4;
  const maxR = f.radiusMm + 3;
  const tmp: Vec3 = [0, 0, 0];
  const out: { t: number; centre: Vec3 | null }[] = [];
  const n = Math.max(1, Math.floor(L / stepMm));
  for (let k = 0; k <= n; k++) {
    const t = (k * L) / n;
    out.push({ t, centre: enclosedSection(volume, [a[0] + e[0] * t, a[1] + e[1] * t, a[2] + e[2] * t], u1, u2, maxR, step, minContrastHu, tmp) });
  }
  return out;
}

/** The recentred centre of the lumen's section at c (lumenSections' rule), or null where it is not enclosed there. */
function enclosedSection(volume: ScalarVolume, c0: Readonly<Vec3>, u1: Readonly<Vec3>, u2: Readonly<Vec3>, maxR: number, step: number, minContrastHu: number, tmp: Vec3): Vec3 | null {
  let c: Vec3 = [c0[0], c0[1], c0[2]];
  let enclosed = false;
  for (let it = 0; it < 3; it++) {
    const s = section(volume, c, u1, u2, maxR, maxR, step, minContrastHu, tmp);
    if (!s) break;
    const ok = s.edges.map((x, j) => (Number.isFinite(x) ? j : -1)).filter((j) => j >= 0);
    if (ok.length <= RAYS / 2) break;
    enclosed = true;
    if (ok.length < RAYS) break;
    const r = recentred(c, s, ok);
    c = r.c;
    if (r.dl < 0.1) break;
  }
  return enclosed ? c : null;
}

/**
 * Whether the lumen is enclosed in the section across `axis` at each of `atMm` along it from `fromLps` (lumenSections'
 * rule: more than half the rays meet a rim rising `minContrastHu` above it within `radiusMm` + 3 mm, recentred).
 */
export function enclosedSectionsAlong(volume: ScalarVolume, fromLps: Readonly<Vec3>, axis: Readonly<Vec3>, radiusMm: number, atMm: readonly number[], minContrastHu: number): boolean[] {
  const L = Math.hypot(axis[0], axis[1], axis[2]);
  if (!(L > 0)) return atMm.map(() => false);
  const e: Vec3 = [axis[0] / L, axis[1] / L, axis[2] / L];
  const [u1, u2] = perpendicularBasis(e);
  const step = Math.min(...volume.geometry.spacingMm) / 4;
  const tmp: Vec3 = [0, 0, 0];
  return atMm.map((t) => enclosedSection(volume, [fromLps[0] + e[0] * t, fromLps[1] + e[1] * t, fromLps[2] + e[2] * t], u1, u2, radiusMm + 3, step, minContrastHu, tmp) !== null);
}

/**
 * The tunnel's own radius where it cannot be followed end to end (fatty marrow, thick slices): the lumen's
 * half-maximum edge against its rim in the cross-sections along the given axis where the lumen is enclosed
 * (at least three quarters of the rays meet a rim rising `minContrastHu` above it, recentred as in
 * refineForamenAxis), every 1.5 mm from `fromMm` to `toMm` along it from `centre`; the median of the sections'
 * median edges, or null with fewer than two such sections. A click fit's ring radius (foramen-fit.ts) is
 * where the lumen's contrast against a ring is best, which an opening's funnel pulls outwards, up to the fit's
 * search bound; the enclosed sections are the tunnel itself. The half-maximum edge reads a thin, blurred rim
 * 0.25–0.5 mm inside the wall (lumen-edge.ts), which the wall fit corrects where its rim is clear.
 */
export function enclosedLumenRadius(volume: ScalarVolume, centre: Readonly<Vec3>, axis: Readonly<Vec3>, maxR: number, fromMm: number, toMm: number, minContrastHu: number): { radiusMm: number; sections: number } | null {
  const L = Math.hypot(axis[0], axis[1], axis[2]);
  const e: Vec3 = [axis[0] / L, axis[1] / L, axis[2] / L];
  const [u1, u2] = perpendicularBasis(e);
  const step = Math.min(...volume.geometry.spacingMm) / 4;
  const tmp: Vec3 = [0, 0, 0];
  const radii: number[] = [];
  for (let t = fromMm; t <= toMm + 1e-9; t += STEP_MM) {
    let c: Vec3 = [centre[0] + e[0] * t, centre[1] + e[1] * t, centre[2] + e[2] * t];
    let edges: number[] | null = null;
    for (let it = 0; it < 4; it++) {
      const s = section(volume, c, u1, u2, maxR, maxR, step, minContrastHu, tmp);
      if (!s) break;
      const ok = s.edges.map((x, k) => (Number.isFinite(x) ? k : -1)).filter((k) => k >= 0);
      edges = ok.length >= (3 * RAYS) / 4 ? ok.map((k) => s.edges[k]!) : null;
      if (!edges) break;
      const r = recentred(c, s, ok);
      if (r.dl < 0.1) break;
      c = r.c;
    }
    if (edges) { edges.sort((p, q) => p - q); radii.push(edges[edges.length >> 1]!); }
  }
  if (radii.length < 2) return null;
  radii.sort((p, q) => p - q);
  return { radiusMm: radii[radii.length >> 1]!, sections: radii.length };
}
