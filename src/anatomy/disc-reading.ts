/**
 * Readings of the L5/S1 disc on the midline slab, each with how well it fits (pure; used by sacral-base.ts).
 *
 * A reading is a dark line (the disc) between two bright plates (L5's inferior and S1's superior endplate). The
 * plates may be parallel or form a wedge open anteriorly: the L5/S1 disc is the most lordotic of the spine, 10–15°
 * in a normal lumbosacral junction and 25–45° where the sacrum lies flat under an upright L5 (fatty-flat-cut-s2:
 * L5's inferior endplate 28° from the axial plane, S1's superior endplate 73°). A line model with parallel plates
 * cannot read such a wedge: its flanks cross the plates obliquely and average them with the disc and the marrow.
 *
 * Two searches give two readings, and a reading is trusted where both agree or where one is plainly better:
 * - the narrow reading: parallel plates, the column's anterior bone edge taken behind the sacrum's anterior limit
 *   (the reading this module always gave, kept where nothing contradicts it);
 * - the wide reading: the column's anterior edge taken up to WIDE_FRONT_MM in front of that limit, and each of
 *   the best lines read again with its two plates at their own angles (a wedge open anteriorly). The anterior
 *   limit is the sacrum's body centre less 10 mm; L5 and the disc lie in front of it when the sacrum lies flat
 *   (turned back about its S1 endplate), and on every phantom the narrow reading's line lies 11–13 mm behind the
 *   disc's centre (supine, tilt-L+18: measured), in the back of the bodies.
 * See discConfidence for when the wide reading replaces the narrow one.
 */

import { normalQuantile } from '../segmentation/edge-blur';

/** One reading of the disc on the midline slab (slab coordinates b: posterior, c: cranial, in voxels). */
export interface DiscReading {
  /** Centre of the dark line (slab voxels). */
  b: number;
  c: number;
  /** Angle of the dark line to the axial plane (degrees, + = its posterior edge higher). */
  deg: number;
  /** Angles of the upper plate (L5's inferior endplate) and the lower plate (S1's superior endplate), degrees. */
  upperDeg: number;
  lowerDeg: number;
  /** Distance (mm) of each plate's centre from the dark line's centre along the line's normal. */
  upMm: number;
  dnMm: number;
  /** Mean HU along the upper plate, the lower plate and the dark line. */
  upHu: number;
  dnHu: number;
  darkHu: number;
  /** The darker plate's brightness minus the line's (HU): the disc's contrast. */
  score: number;
  /** Which search gave it. */
  search: 'narrow' | 'wide';
}

/** What the disc search reads from: the midline slab (mean of the three central columns) and its geometry. */
export interface DiscSlab {
  slab: Float32Array;
  nb: number;
  nc: number;
  /** Grid spacing (mm). */
  h: number;
  boneHu: number;
  /** Anterior limit of the sacrum (slab b, voxels). */
  limitB: number;
  /** Sections searched (c range, inclusive). */
  cLo: number;
  cHi: number;
}

/**
 * How far in front of the sacrum's anterior limit the wide search looks for the column's anterior bone edge (mm):
 * one vertebral body's depth (adult L5 and S1 bodies 30–40 mm deep, sacral-base.ts BODY_DEPTH_MM), as far as L5's
 * front can lie in front of the sacrum's body centre less 10 mm where the sacrum is turned back under it.
 */
export const WIDE_FRONT_MM = 35;
/** Length of the scored disc line: shorter than the depth of any adult lumbar or S1 body (30–50 mm). */
export const DISC_LINE_MM = 20;
/**
 * Angles of the dark line to the axial plane searched (degrees, + = posterior edge higher): the S1 endplate lies
 * 30–60° from horizontal in supine patients (DOMAIN.md), less in a flattened prone or tilted pelvis; a negative
 * angle would be a backward-tilted sacral base, and lines that steep or backward are the canal or a facet joint
 * between two bright arches. The wide search's upper plate (L5's inferior endplate, flatter than the line in a wedge
 * open anteriorly) is bounded by MIN_ANGLE_DEG too: L5 above a sacrum is lordotic, its inferior endplate's posterior
 * edge never lower than its anterior one in a lying patient (fatty-fused-l5s1-cut-s2, a disc filled with bone: a
 * strip of L5's fatty marrow under its anterior cortex, read as a wedge with "L5's endplate" at −25°, 96 HU).
 */
export const MIN_ANGLE_DEG = 0, MAX_ANGLE_DEG = 70;
/**
 * Widest half-wedge read (degrees): each plate turned up to this far from the dark line, towards each other behind
 * it (a wedge open anteriorly). A 45° wedge (fatty-flat-cut-s2) is 22.5° either side; 25° leaves one 5° step.
 */
export const MAX_HALF_WEDGE_DEG = 25;
/** S1's superior endplate is not read steeper than this (degrees): at 90° it would be a posterior body wall. */
export const MAX_LOWER_DEG = 80;
/** Plates sought this far either side of the dark line (mm): half the disc's height (adults 8–14 mm) plus the endplate. */
const FLANK_MM = [2, 3, 4, 5, 6, 7, 8];
/** The best lines of the wide search read again as wedges (distinct in place or angle). */
const WIDE_CANDIDATES = 6;

/** Bilinear slab value at fractional (b, c), clamped at the edges. */
function sampler(s: DiscSlab): (fb: number, fc: number) => number {
  const { slab, nb, nc } = s;
  return (fb, fc) => {
    const b0 = Math.max(0, Math.min(nb - 2, Math.floor(fb))), c0 = Math.max(0, Math.min(nc - 2, Math.floor(fc)));
    const tb = Math.max(0, Math.min(1, fb - b0)), tc = Math.max(0, Math.min(1, fc - c0));
    const n = b0 + nb * c0;
    return (slab[n]! * (1 - tb) + slab[n + 1]! * tb) * (1 - tc) + (slab[n + nb]! * (1 - tb) + slab[n + nb + 1]! * tb) * tc;
  };
}

/**
 * The column's anterior bone edge per section (two voxels of bone in a row), sought from `fromMm` in front of the
 * anterior limit; at a disc the column has no bone in front, so the front near a level is its most anterior edge
 * within 15 mm.
 */
function frontNear(s: DiscSlab, fromMm: number): (c: number) => number {
  const { slab, nb, nc, h, boneHu } = s;
  const front = new Float64Array(nc).fill(NaN);
  for (let c = 0; c < nc; c++) {
    for (let b = Math.max(0, Math.ceil(s.limitB - fromMm / h)); b < nb - 1; b++) if (slab[b + nb * c]! > boneHu && slab[b + 1 + nb * c]! > boneHu) { front[c] = b; break; }
  }
  const r = Math.round(15 / h);
  return (c) => {
    let m = Infinity;
    for (let k = Math.max(0, c - r); k <= Math.min(nc - 1, c + r); k++) if (front[k]! < m) m = front[k]!;
    return m;
  };
}

function reader(s: DiscSlab) {
  const at = sampler(s);
  const h = s.h, half = DISC_LINE_MM / 2 / h, nS = 11;
  const flank = FLANK_MM.map((mm) => mm / h);
  const lineMean = (b0: number, c0: number, deg: number): number => {
    const th = (deg * Math.PI) / 180, db = Math.cos(th), dc = Math.sin(th);
    let v = 0;
    for (let k = 0; k < nS; k++) { const t = -half + (2 * half * k) / (nS - 1); v += at(b0 + t * db, c0 + t * dc); }
    return v / nS;
  };
  /** The brightest plate at `plateDeg` on one side (+1 cranial, −1 caudal) of the line at `deg` through (b0, c0). */
  const plate = (b0: number, c0: number, deg: number, plateDeg: number, side: 1 | -1): { hu: number; mm: number } => {
    const th = (deg * Math.PI) / 180, nbn = -Math.sin(th), ncn = Math.cos(th);
    let hu = -Infinity, mm = 0;
    for (const o of flank) { const v = lineMean(b0 + side * o * nbn, c0 + side * o * ncn, plateDeg); if (v > hu) { hu = v; mm = o * h; } }
    return { hu, mm };
  };
  /**
   * A disc opens anteriorly into the soft tissue in front of the spine (annulus, anterior longitudinal ligament):
   * the line continued DISC_LINE_MM/2 in front is not bone on average. A dark line behind a vertebral body (the
   * canal, a facet joint between two arches) runs into the body there.
   */
  const opensAnteriorly = (b0: number, c0: number, deg: number): boolean => {
    const th = (deg * Math.PI) / 180, db = Math.cos(th), dc = Math.sin(th);
    let ext = 0;
    for (let k = 1; k <= 5; k++) { const t = -half - (k * half) / 5; ext += at(b0 + t * db, c0 + t * dc); }
    return ext / 5 <= s.boneHu;
  };
  const reading = (b0: number, c0: number, deg: number, up: { hu: number; mm: number }, dn: { hu: number; mm: number }, upperDeg: number, lowerDeg: number, search: DiscReading['search']): DiscReading | null => {
    // both flanks must be bone (the endplates); a vacuum cleft counts as no darker than fat
    if (Math.min(up.hu, dn.hu) <= s.boneHu) return null;
    const dark = lineMean(b0, c0, deg);
    return { b: b0, c: c0, deg, upperDeg, lowerDeg, upMm: up.mm, dnMm: dn.mm, upHu: up.hu, dnHu: dn.hu, darkHu: dark, score: Math.min(up.hu, dn.hu) - Math.max(dark, -200), search };
  };
  return { lineMean, plate, opensAnteriorly, reading };
}

/** Parallel-plate readings over the search range from the front found `fromMm` in front of the limit, best first. */
function parallelReadings(s: DiscSlab, fromMm: number, search: DiscReading['search']): DiscReading[] {
  const r = reader(s), front = frontNear(s, fromMm), out: DiscReading[] = [];
  for (let c2 = 2 * s.cLo; c2 <= 2 * s.cHi; c2++) {
    const c0 = c2 / 2;
    const f = front(Math.round(c0));
    if (!Number.isFinite(f)) continue;
    for (let bmm = 8; bmm <= 26; bmm += 2) {
      const b0 = f + bmm / s.h;
      for (let deg = MIN_ANGLE_DEG; deg <= MAX_ANGLE_DEG; deg += 5) {
        // (the cheap test first: 5 samples against the plates' 154)
        if (!r.opensAnteriorly(b0, c0, deg)) continue;
        const up = r.plate(b0, c0, deg, deg, 1);
        if (up.hu <= s.boneHu) continue;
        const dn = r.plate(b0, c0, deg, deg, -1);
        if (dn.hu <= s.boneHu) continue;
        const x = r.reading(b0, c0, deg, up, dn, deg, deg, search);
        if (x) out.push(x);
      }
    }
  }
  return out.sort((p, q) => q.score - p.score);
}

/** The narrow reading: parallel plates, the front taken behind the anterior limit. */
export function narrowReading(s: DiscSlab): DiscReading | null {
  return parallelReadings(s, 0, 'narrow')[0] ?? null;
}

/**
 * The wide reading: parallel plates from a front up to WIDE_FRONT_MM in front of the limit, the best distinct lines
 * read again with each plate at its own angle (upper ≤ line ≤ lower: a wedge open anteriorly) within one step of
 * their place and angle. Also returns the best parallel reading there (for the wedge's gain).
 */
export function wideReading(s: DiscSlab): { best: DiscReading; parallel: DiscReading } | null {
  const all = parallelReadings(s, WIDE_FRONT_MM, 'wide');
  if (!all.length) return null;
  const seeds: DiscReading[] = [];
  for (const x of all) {
    if (seeds.length >= WIDE_CANDIDATES) break;
    if (seeds.every((y) => Math.hypot(x.b - y.b, x.c - y.c) * s.h > 6 || Math.abs(x.deg - y.deg) > 15)) seeds.push(x);
  }
  const r = reader(s);
  let best = all[0]!;
  const step = 2 / s.h;
  for (const seed of seeds) {
    for (let db = -1; db <= 1; db++) for (let dc = -1; dc <= 1; dc++) for (let dd = -5; dd <= 5; dd += 5) {
      const b0 = seed.b + db * step, c0 = seed.c + dc * 0.5, deg = seed.deg + dd;
      if (deg < MIN_ANGLE_DEG || deg > MAX_ANGLE_DEG || !r.opensAnteriorly(b0, c0, deg)) continue;
      let up = { hu: -Infinity, mm: 0 }, upDeg = deg, dn = { hu: -Infinity, mm: 0 }, dnDeg = deg;
      for (let w = 0; w <= MAX_HALF_WEDGE_DEG; w += 5) {
        // L5's inferior endplate is bounded as the line is (MIN_ANGLE_DEG): one tilted backwards is no L5 endplate
        const u = deg - w >= MIN_ANGLE_DEG ? r.plate(b0, c0, deg, deg - w, 1) : null;
        if (u && u.hu > up.hu) { up = u; upDeg = deg - w; }
        if (deg + w > MAX_LOWER_DEG) continue;
        const d = r.plate(b0, c0, deg, deg + w, -1);
        if (d.hu > dn.hu) { dn = d; dnDeg = deg + w; }
      }
      const x = r.reading(b0, c0, deg, up, dn, upDeg, dnDeg, 'wide');
      if (x && x.score > best.score) best = x;
    }
  }
  return { best, parallel: all[0]! };
}

/**
 * Two readings agree when they put S1's superior endplate in the same plane: their lower plates within two angle
 * steps (10°), and each plate's centre within one and a half grid voxels of the other's plane (a plate read on a
 * grid of spacing h lies within h/2 of its place, and the line's centre moves in steps of 2 mm).
 */
export const AGREE_DEG = 10;
const AGREE_VOXELS = 1.5;
/**
 * A wide reading that contradicts the narrow one replaces it only where its contrast is plainly higher: by a
 * quarter. A line that lies in the disc over only part of its length (crossing a wedge, or running into the back
 * of a body) reads that part of the disc's contrast; one that lies in it over more than three quarters of its
 * length is as good a reading as any. Measured: narrow readings through the gap behind L5 or the back of the bodies
 * read 29 (tilt-L+18) and 131 HU (fatty-flat-cut-s2) where the wide reading of the disc reads 232 and 223. The ratio
 * does not tell a disc from a marrow strip: on fatty-fused-l5s1-cut-s2 (no disc) a wide line inside the fused block
 * reads 83 HU against the narrow one's 57 (1.4×), and is left in doubt only by its S1 "endplate" at the search's bound.
 */
export const RIVAL_RATIO = 1.25;

export interface DiscConfidence {
  /** The reading used. */
  used: 'narrow' | 'wide';
  /** Whether the reading used is trusted: confirmed by the other search, or plainly better than it. */
  trusted: boolean;
  /** Its contrast (HU), and the contrast of the other search's reading where that one disagrees (null: it agrees or is none). */
  contrastHu: number;
  rivalHu: number | null;
  /** Wedge angle between the plates (degrees) and how much brighter its plates read than the best parallel plates there (HU). */
  wedgeDeg: number;
  wedgeGainHu: number;
  /** Why, in words. */
  why: string;
  /** The slab's noise σ (HU, slabNoiseHu) and the contrast a reading must exceed to be evidence (discContrastFloorHu); absent where not read. */
  noiseHu?: number;
  floorHu?: number;
}

/**
 * The image's own noise on the slab (HU): σ of one slab voxel, read as Donoho & Johnstone's estimator of white noise
 * (Biometrika 1994, "Ideal spatial adaptation by wavelet shrinkage": σ = median |d| / 0.6745 over the finest diagonal
 * Haar coefficients d = (v00 − v10 − v01 + v11) / 2, each of which has the noise's own σ and no trace of a constant
 * or a linear ramp; the median leaves out the few coefficients an edge makes, and errs high by their share). Read over
 * the whole midline slab (the search's sections alone hold too few blocks where the sacroiliac contact is short:
 * skewed-funnel, 12 mm), on 2 × 2 blocks wholly in tissue (all four above `minHu`, TISSUE_HU by default). NaN where
 * fewer than MIN_NOISE_BLOCKS blocks qualify.
 */
export function slabNoiseHu(s: DiscSlab, minHu = TISSUE_HU): number {
  const { slab, nb, nc } = s;
  const d: number[] = [];
  for (let c = 0; c < nc - 1; c += 2) for (let b = 0; b < nb - 1; b += 2) {
    const n = b + nb * c, v00 = slab[n]!, v10 = slab[n + 1]!, v01 = slab[n + nb]!, v11 = slab[n + nb + 1]!;
    if (Math.min(v00, v10, v01, v11) <= minHu) continue;
    d.push(Math.abs(v00 - v10 - v01 + v11) / 2);
  }
  if (d.length < MIN_NOISE_BLOCKS) return NaN;
  d.sort((p, q) => p - q);
  return d[d.length >> 1]! / 0.6745;
}
/**
 * Blocks read for the noise lie wholly above this (HU): in tissue at least as dense as water (muscle, disc, marrow,
 * bone), the tissues a disc reading compares, whose noise carries the marrow's texture with the scanner's; fat,
 * without texture, read lower (skewed-funnel: 1.5 HU over every block inside the body, 5.4 HU over these), and air
 * is clipped at −1024 with no noise left.
 */
const TISSUE_HU = 0;
/** Fewest 2 × 2 blocks for a noise reading (the median's standard error ~1.25 σ / √n: 10 % at 150). */
const MIN_NOISE_BLOCKS = 150;
/**
 * False-alarm probability allowed for the whole search (both searches together): a disc reading whose contrast a
 * search over pure noise would reach with 5 % probability or more is no evidence of a disc.
 */
export const DISC_FALSE_ALARM = 0.05;

/**
 * The contrast a disc reading must exceed to be evidence at all (HU), from the slab's noise σ (slabNoiseHu):
 * a reading's contrast is a plate's mean minus the dark line's mean, each over DISC_LINE_MM of slab voxels
 * (n = DISC_LINE_MM / h independent ones), so under noise alone it has the spread σ_d = σ √(2 / n). The searches
 * score M lines (positions × angles, each with FLANK_MM.length plates per side, both searches: counted for the whole
 * grid, an upper bound, as neighbours overlap), and the best of M scores is over k σ_d with probability at most
 * M (1 − Φ(k)) (Bonferroni): k = Φ⁻¹(1 − DISC_FALSE_ALARM / M). M is 10⁴–10⁶ on the grids used, k 4.4–5.3, Rose's
 * criterion (k ≈ 5 for an object to be seen among the many places it could be; Rose, J Opt Soc Am 1948).
 */
export function discContrastFloorHu(s: DiscSlab, noiseHu: number): { floorHu: number; k: number; lines: number } {
  const sections = 2 * (s.cHi - s.cLo) + 1;
  const depths = 10, angles = (MAX_ANGLE_DEG - MIN_ANGLE_DEG) / 5 + 1;
  const lines = 2 * sections * depths * angles * FLANK_MM.length;
  const k = -normalQuantile(DISC_FALSE_ALARM / lines);
  return { floorHu: k * noiseHu * Math.sqrt((2 * s.h) / DISC_LINE_MM), k, lines };
}

/** S1's superior endplate of a reading: a point on its plate (slab b, c in voxels) and the plate's angle. */
export function lowerPlate(x: DiscReading, h: number): { b: number; c: number; deg: number } {
  const th = (x.deg * Math.PI) / 180;
  return { b: x.b + (x.dnMm / h) * Math.sin(th), c: x.c - (x.dnMm / h) * Math.cos(th), deg: x.lowerDeg };
}

export function readingsAgree(p: DiscReading, q: DiscReading, h: number): boolean {
  if (Math.abs(p.lowerDeg - q.lowerDeg) > AGREE_DEG) return false;
  const off = (a: DiscReading, b: DiscReading): number => {
    const pa = lowerPlate(a, h), pb = lowerPlate(b, h), th = (pb.deg * Math.PI) / 180;
    return Math.abs((pa.b - pb.b) * -Math.sin(th) + (pa.c - pb.c) * Math.cos(th));
  };
  return Math.max(off(p, q), off(q, p)) <= AGREE_VOXELS;
}

/**
 * The reading to use and how far it is trusted: the narrow reading where the wide one agrees with it (or there is no
 * wide one); the wide reading where there is no narrow one, or where it contradicts the narrow one with a contrast
 * RIVAL_RATIO times higher; otherwise the narrow reading, not trusted (two different discs of like contrast).
 * Whichever is used is not trusted either where it lies at the steep end of the search (below), or, given the slab's
 * noise (slabNoiseHu, discContrastFloorHu), where its contrast does not exceed what the search reaches on noise alone.
 */
export function chooseDiscReading(narrow: DiscReading | null, wide: { best: DiscReading; parallel: DiscReading } | null, h: number, noise?: { noiseHu: number; floorHu: number; k: number }): { reading: DiscReading; confidence: DiscConfidence } | null {
  const chosen = chooseByRival(narrow, wide, h);
  if (!chosen) return null;
  // a reading at the steep end of what the search reads (the line at MAX_ANGLE_DEG, S1's endplate at MAX_LOWER_DEG):
  // the line that fits best lies beyond what is read as a disc, and the one read is only the nearest to it (skewed-funnel
  // with S1 unlined: the line behind the canal at 70°, S1's "endplate" at 80°; fatty-fused-l5s1-cut-s2: a strip of
  // marrow inside the fused L5–S1 block, S1's "endplate" at 80°, 83 HU against the narrow line's 57)
  const x = chosen.reading;
  if (chosen.confidence.trusted && (x.deg >= MAX_ANGLE_DEG || x.lowerDeg >= MAX_LOWER_DEG)) {
    chosen.confidence.trusted = false;
    chosen.confidence.why = `its ${x.lowerDeg >= MAX_LOWER_DEG ? `S1 endplate lies at ${x.lowerDeg}°, the steepest read (${MAX_LOWER_DEG}°)` : `line lies at ${x.deg}°, the steepest read (${MAX_ANGLE_DEG}°)`}: the best line lies beyond what is read as a disc, the disc is in doubt (${chosen.confidence.why})`;
  }
  if (!noise) return chosen;
  const c = chosen.confidence;
  const out = { reading: chosen.reading, confidence: { ...c, noiseHu: Math.round(noise.noiseHu * 10) / 10, floorHu: Math.round(noise.floorHu * 10) / 10 } };
  // a contrast a search over noise alone reaches (or a noise that cannot be read): no evidence of a disc, whatever the other reading says
  if (!(chosen.reading.score > noise.floorHu)) {
    out.confidence.trusted = false;
    out.confidence.why = Number.isFinite(noise.floorHu)
      ? `its contrast (${Math.round(chosen.reading.score)} HU) is within what the search reaches on the image's noise alone (${noise.floorHu.toFixed(0)} HU: ${noise.k.toFixed(1)} × ${(noise.floorHu / noise.k).toFixed(1)} HU, the spread of a line's contrast under the slab's noise σ ${noise.noiseHu.toFixed(1)} HU): the disc is in doubt (${c.why})`
      : `the image's noise could not be read, so its contrast (${Math.round(chosen.reading.score)} HU) cannot be weighed: the disc is in doubt (${c.why})`;
  }
  return out;
}

function chooseByRival(narrow: DiscReading | null, wide: { best: DiscReading; parallel: DiscReading } | null, h: number): { reading: DiscReading; confidence: DiscConfidence } | null {
  const wedge = (x: DiscReading) => ({ wedgeDeg: x.lowerDeg - x.upperDeg, wedgeGainHu: wide && x === wide.best ? Math.round(x.score - wide.parallel.score) : 0 });
  if (!narrow && !wide) return null;
  if (!wide) return { reading: narrow!, confidence: { used: 'narrow', trusted: true, contrastHu: Math.round(narrow!.score), rivalHu: null, ...wedge(narrow!), why: 'no reading in front of the sacrum to compare' } };
  const w = wide.best;
  if (!narrow) return { reading: w, confidence: { used: 'wide', trusted: true, contrastHu: Math.round(w.score), rivalHu: null, ...wedge(w), why: 'read only in front of the sacrum\'s anterior limit' } };
  if (readingsAgree(narrow, w, h)) return { reading: narrow, confidence: { used: 'narrow', trusted: true, contrastHu: Math.round(narrow.score), rivalHu: null, ...wedge(narrow), why: `confirmed by the reading in front (S1 endplate ${w.lowerDeg}°, ${Math.round(w.score)} HU)` } };
  if (w.score >= RIVAL_RATIO * narrow.score) return { reading: w, confidence: { used: 'wide', trusted: true, contrastHu: Math.round(w.score), rivalHu: Math.round(narrow.score), ...wedge(w), why: `the reading behind the anterior limit (${narrow.deg}°, ${Math.round(narrow.score)} HU) is another line, ${(w.score / narrow.score).toFixed(1)}× fainter` } };
  return { reading: narrow, confidence: { used: 'narrow', trusted: false, contrastHu: Math.round(narrow.score), rivalHu: Math.round(w.score), ...wedge(narrow), why: `another disc reading in front (S1 endplate ${w.lowerDeg}°, ${Math.round(w.score)} HU) is as bright: the disc is in doubt` } };
}
