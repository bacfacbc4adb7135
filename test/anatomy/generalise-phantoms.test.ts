/**
 * Landmark detection that generalises, on phantoms with exact truth (issue 12): fatty marrow moved the way
 * patients lie (pelvis tilted ±15–18° about L–R, 10° oblique about A–P, prone), thick slices (2, 3, 4, 4.5 and 5 mm, and 5 mm on 0.8 mm pixels or under a tilted pelvis), an osteopenic
 * sacrum and a lytic lesion eroding a foramen. The moved phantoms are the generator's voxels relabelled in
 * patient space by test/phantom-tools/retilt.py (truth moved by the same rigid transform and checked against
 * the voxels). The asymmetric sacrum is the generator run by test/phantom-tools/asymmetric.py with its left foramina
 * moved and narrowed in its model (every truth value follows). For each phantom, with the landmarks exactly as
 * the app suggests them (suggestLandmarks):
 *   - foramina: every one shown as found lies within 5 mm of the truth (never confidently wrong); those the
 *     case names must all be found within 3 mm;
 *   - zones: each truth lesion, voxelised on the image grid, gets its true Denis zone from the trusted
 *     detected landmarks (what the case engine uses), or is shown as a border case between its zone and the
 *     next; one within the landmarks' uncertainty of a border must be shown so, one 3 mm clear must not;
 *   - clearances: the 16 reference needles' foramen and canal clearances with the detected landmarks
 *     against the exact truth distances.
 */
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { suggestLandmarks } from '../../src/anatomy/suggest';
import { isTrusted, trustedAnatomy } from '../../src/anatomy/evidence';
import { withLandmarkFrame } from '../../src/anatomy/frame-from-landmarks';
import { buildZoneModel } from '../../src/anatomy/zones';
import { BORDER_UNCERTAINTY_MM, classifyLesion } from '../../src/anatomy/classify';
import { truthZoneMarginMm } from './truth-anatomy';
import { fitSacralFrame } from '../../src/anatomy/frame';
import { evaluateTrajectory } from '../../src/planning/trajectory';
import { DEFAULT_THRESHOLDS, type Needle } from '../../src/planning/types';
import { LabelMap } from '../../src/segmentation/labelmap';
import { scanAndLoadDicom } from '../../src/io/dicom';
import { PYTHON, ensureAsymmetricPhantom, ensureBentSacrumPhantom, ensureFlatSacrumPhantom, ensureFunnelPhantom, type FunnelOpenings, ensureMovedPhantom, ensurePhantom, filesIn, readTruth, repoRoot, requireShared, type PhantomMove, type SacrumAsymmetry } from '../helpers/shared';
import { lesionContains } from '../segmentation/lesion-truth';
import { midpoint } from './fixtures-anatomy';
import { pointSegmentMm } from './real/reference';
import type { Vec3 } from '../../src/core/vec3';

const run = requireShared(true);
const here = dirname(fileURLToPath(import.meta.url));
const config = (name: string): Record<string, unknown> => JSON.parse(readFileSync(join(here, 'configs', name), 'utf8'));

/** The truth distances are for a zero-radius segment. */
const LINE: Needle = { id: 'line', name: 'line', gauge: null, kind: 'custom', outerDiameterMm: 0, workingLengthMm: 1000, source: 'test' };
const AXIAL = [1, 0, 0, 0, 1, 0] as const;

/** What the issue asks of every phantom; a case lists those it does not meet yet, with the reason. */
type Criterion = 'all8Within3' | 'zones' | 'clearance' | 'canalClearance';

interface Case {
  name: string;
  config: Record<string, unknown>;
  /** Generator grid rotation (its `orientation.rotation_deg`); relabelled axial, the anatomy turns by its inverse. */
  gridDeg?: [number, number, number];
  move?: PhantomMove;
  /** A sacrum that is not a mirror image (test/phantom-tools/asymmetric.py). */
  asym?: SacrumAsymmetry;
  /** Anterior openings flared into funnels (test/phantom-tools/funnel.py). */
  funnel?: FunnelOpenings;
  /** The sacrum turned this many degrees flatter under an upright L5 (test/phantom-tools/flat-sacrum.py). */
  flatDeg?: number;
  /** The sacrum bent sideways below S2/S3, each level's midline moved to the right by up to this at S4 (mm; test/phantom-tools/bent-sacrum.py). */
  bentMm?: number;
  /**
   * KNOWN GAPS: criteria this phantom does not meet yet (asserted as unmet, so that a fix shows up as a
   * failure asking to strike it from the list), each with why.
   */
  gaps?: Partial<Record<Criterion, string>>;
  /**
   * The figure each known gap was last measured at (main, run by run identical: the phantoms are seeded): a run
   * worse than it fails, so that a change elsewhere cannot make a gap worse unseen (fatty-thick5mm's T14 went from
   * 1.27 to 3.59 mm in one such change while its gap was asserted only as unmet). within3: fewest foramina within
   * 3 mm; clearanceMm / canalClearanceMm: worst clearance error where the truth is under 15 mm, with GAP_SLACK_MM.
   * judgedMm (thick slices, a clearance gap): how far above the truth the clearance the verdict is taken on (less
   * its slice uncertainty, planning/slice-uncertainty.ts) lies at worst, foramina and canal, where the truth is under
   * 15 mm; a run worse than it by GAP_SLACK_MM fails.
   */
  measured?: { within3?: number; clearanceMm?: number; canalClearanceMm?: number; judgedMm?: number; shownWrong?: number };
  /**
   * KNOWN GAP of the first rule (never confidently wrong): what is shown as found more than 5 mm from the truth, with
   * why. Asserted still so (so that a fix shows up as a failure asking to strike it), with `measured.shownWrong` the
   * most such foramina a run may show.
   */
  shownWrong?: string;
  /** Tunnels whose posterior opening must lie within `mm` of the truth along the tunnel's axis, with why. */
  posteriorEnds?: { ids: string[]; mm: number; why: string };
}

/**
 * How much worse than its recorded figure a known clearance gap may read before the run fails (mm): a quarter of
 * the 0.5 mm criterion, so that a shift of the fitted landmarks by a voxel's fraction passes and a regression
 * of the kind that moved a tunnel's end by millimetres does not.
 */
const GAP_SLACK_MM = 0.125;

const base = config('fatty-small.json');
/**
 * A 0.5 mm cortex on 3 mm slices (fatty-funnel.json), funnel or not: the S4 fits stop 6 mm into the bone, where the
 * generator's S4 tunnel runs on through lateral mass too thin to ring it (measure_flare.py: 0.2–0.5 of the rays meet
 * a wall from 5 mm in); such a short tunnel is taken on along its axis through the bone (surface-openings.ts
 * SHORT_TUBE_MM: S4 3.1 and 3.6 mm off before, 0.5 and 0.9 mm after), so its clearances err on the safe side. The
 * canal, found by the hole search down to S2 only (the trace's roof too faint on this cortex), is followed on along its
 * own course to the hiatus (canal-ends.ts): T07 1.11 mm off before (14.42 vs 13.31 mm), 0.20 after with the funnel
 * and 0.29 on the straight tunnels.
 */
const S4_THIN_CORTEX_3MM: Partial<Record<Criterion, string>> = {
  clearance: 'T04 to S3_R 0.67 mm off on the unsafe side (8.09 vs 7.42 mm, funnel and straight tunnels alike; not examined). T14 to S4_L was 1.01 mm off with the funnel and 0.94 mm on the straight tunnels, on the safe side (12.89 and 12.96 vs 13.89 mm; on main at a534137 1.01 and 1.52, at 86c0338 0.67 and 0.92; the straight S4 pair, not followed by the full ring, is followed in the slice\'s plane, foramen-axis.ts inSliceRays, and was 1.58–1.64 mm off while an opening was placed mid-way between two sections), until a tunnel the full ring follows part way is followed in the slice\'s plane as well where that goes further (refineForamenAxis: posterior openings 0.55/0.78 mm past the truth with the funnel, 0.55/0.45 straight); T04 to S3_R 0.67 mm on the unsafe side at 86c0338 (8.09 vs 7.42 mm: S3 posterior openings read 0.3–0.4 mm short, radii 2.8 vs 3.0 mm)',
};
/**
 * The S4 pair of fatty-funnel.json, fitted over 6 mm, is taken on through the bone to where its axis leaves the
 * sacrum mask (surface-openings.ts throughBone), then followed in the slice's plane where the full ring cannot
 * follow it (foramen-axis.ts inSliceRays): S4_L 1.3 and S4_R 0.5 mm past the truth with the funnel, 0.7 and −0.2 mm
 * on the straight tunnels (1.2–1.5 and 0.7–0.8 mm before the slice-plane reading; 2.4–2.7 and 1.3–1.7 mm while the
 * mask grown by a voxel was used).
 */
const S4_THROUGH_BONE = { ids: ['S4_L', 'S4_R'], mm: 1.6, why: 'S4 taken on through the bone to where its axis leaves the sacrum mask' };
const CASES: Case[] = [
  // the base, supine and axial: what the moved ones are compared with
  { name: 'supine', config: base },
  // anatomy turned +18° about L (P towards S): the sacrum lies flatter, its base tipped forwards
  { name: 'tilt-L+18', config: base, gridDeg: [-18, 0, 0], move: { iop: AXIAL } },
  // anatomy turned −15° about L: the sacrum stands more upright
  { name: 'tilt-L-15', config: base, gridDeg: [15, 0, 0], move: { iop: AXIAL } },
  // pelvic obliquity: anatomy turned 10° about P (A–P axis)
  { name: 'oblique-P10', config: base, gridDeg: [0, -10, 0], move: { iop: AXIAL } },
  // the whole sacrum 20° flatter under an upright L5 (a hyperlordotic junction): the L5/S1 disc is a 32° wedge (L5's
  // endplate 28°, S1's 60°), read as one where the parallel reading is contradicted (disc-reading.ts: 25° and 60°, 230
  // HU, against 71 HU for the parallel line at 0° behind the anterior limit), and the mask for planning is cut there
  // canal: T10 was 0.56 mm off (10.35 vs 10.91 mm, on the safe side) with the traced centres near S1 1.5 mm off the
  // truth; measured again across the canal's own course (canal-ends.ts recentredCanal): 0.19 mm
  { name: 'flat-20', config: config('fatty-flat20.json'), flatDeg: 20 },
  // the same turn on 3 mm slices (fatty-thick.json): the wedge read at 25° and 65° (187 HU, against 64 HU for the
  // parallel line at 0° behind the anterior limit)
  { name: 'flat-20-3mm', config: config('fatty-thick.json'), flatDeg: 20 },
  // the whole sacrum 33° flatter (fatty-flat-cut-s2's turn, uncut): the L5/S1 disc a 45° wedge (L5's endplate 28°, S1's
  // 73°), read at 25° and 75° (211 HU; the slab's noise σ 11.0 HU, floor 29 HU) against the parallel line at 0° behind
  // the anterior limit (152 HU): the wide reading replaces it by 1.4×, the narrowest margin over RIVAL_RATIO (1.25) of
  // any phantom (flat-20 3.2×, fatty-flat-cut-s2 1.7×). Measured: 8 of 8 found at 0.0 mm, zones right, clearance
  // errors 0.07 mm (foramina, truth < 15 mm) and 0.28 mm (canal)
  { name: 'flat-33', config: config('fatty-flat33.json'), flatDeg: 33 },
  // a sacrum bent sideways below the S2/S3 junction (as pelvic-ref-003's lower sacrum), on 1 x 1 x 3 mm slices: each
  // level's own midline moves right, by 1.3 mm at S3 and 5 mm at S4, so the S4 pair lies 9.4 mm from being mirror
  // images about the whole sacrum's plane; about the plane of its own level's section (level-midline.ts, read 4.2 mm
  // right) 1.0 mm. Before, the map paired no S4 openings (|u| 10 mm apart) and the search inside the bone, which
  // missed S3, named the S4 pair S3 and had it kept over the surface's S3 (both 15–17 mm off, shown as check)
  { name: 'bent-5', config: config('fatty-bent.json'), bentMm: 5 },
  // prone: same anatomy in LPS, image axes turned 180° about S as a prone scanner writes them, HFP
  { name: 'prone', config: base, gridDeg: [0, 0, 180], move: { patientPosition: 'HFP' } },
  // not a mirror image: the left foramina 4 mm caudal, 2 mm lateral and 15 % narrower than the right ones
  // the detector doubts S4_L's course (followed over 8 mm, its mirror partner over 17; this left S4 is 11 mm long):
  // its opening lies one step past the found S2_L and S3_L and its tunnel runs as S3_L's (row-between.ts)
  { name: 'asymmetric', config: base, asym: { dsMm: 4, dxMm: 2, radiusScale: 0.85 } },
  // Y1, 0.55 mm from S1's lateral border, where S1 and S2 are not in use: the border held from S3 is carried
  // over two levels, and its uncertainty with it (zones.ts borderCarriedMm): a border case
  { name: 'eroded-S2R', config: config('fatty-eroded.json'), gaps: { all8Within3: 'S2 missing (the right one eroded, the left one not fitted) and S1 shown as check: the breached-shell mask takes L5 in', clearance: 'S1 and S2 not in use' }, measured: { within3: 4, clearanceMm: 0.18 } },
  // P1, a sclerotic lesion, fills the dorsal two-thirds of the right S2 foramen: the fit follows 12 of its 33 mm and
  // nothing is seen along S2_L's mirrored axis, so the detector doubts its course; its row places it between the
  // found S1_R and S3_R (row-between.ts), with the course of its own fit lengthened to its neighbours'
  { name: 'plugged-S2R', config: config('fatty-plugged-S2R.json') },
  { name: 'fatty-thick3mm', config: config('fatty-thick.json') },
  // the first mask's long axis is 22 mm long; it is taken from the sacrum below the L5/S1 disc instead (detect.ts),
  // where the levels under S1 are trusted as far as their count is confirmed (surface-openings.ts); S1_R, its fit
  // turned along the opening's funnel, is followed again along S1_L's mirror image (mirror-refit.ts); the S4
  // pair's rims read faint on 5 mm slices (0.54, 0.45): found where its mirror partner, the row's spacing from
  // S2 and S3 and the size order place it (evidence.ts rowCorroborates)
  // canal: the lumen traced across the sacrum (the axial-slice hole search runs 6.7 mm off it at S1–S2, detect.ts),
  // in planes that start 20 mm above the body curve's first point (canal-lumen.ts ABOVE_MM): from the curve's
  // first plane the trace began 12 mm down the canal and T08, beside S1, was measured to its course below (0.73 mm off)
  { name: 'fatty-thick5mm', config: config('fatty-thick5mm.json'), gaps: { clearance: 'T16 to S1_R 0.78 mm off on the unsafe side (10.07 vs 9.29 mm; T06 to S1_R 0.66, T04 to S3_R 0.63; not examined): S1_R is not followed on its own (read at S1_L\'s mirror image), radius 4.3 vs 4.5 mm. The verdict takes each less its slice uncertainty (0.78, 2.20, 0.79 mm: planning/slice-uncertainty.ts). The S4 pair lies in the axial plane within one 5 mm slice (190–250 HU along its axis against 110 HU marrow) and is followed in the slice\'s plane (foramen-axis.ts inSliceRays); read by trilinear interpolation between two slabs (its axis 0.7–1.5 mm off its slab\'s middle) its lumen took in the floor in the slab below, the walk stopped 1.5 mm past the middle and T14 to S4_L was 3.47 mm off (17.36 vs 13.89; 1.27 at 86c0338); read on its own slab, its openings 22.0–22.2 / 39.8–39.9 mm against 22.2 / 39.5 and T14 0.13 mm' }, measured: { clearanceMm: 0.78, judgedMm: 0.10 } },
  // fatty-thick5mm with fatty-eroded's lesions, E1 eroding the LEFT S2 opening: the S2 pair is lost, so the
  // count below S1 stops there (surface-openings.ts) and S3 stays "check"; S1_R, which Y1 fills, is followed
  // along S1_L's mirror image
  // (until level-midline.ts: the S1 pair alone found, 0.22 mm, the chain skipping S2 and S3 counted down past a gap)
  { name: 'fatty-thick5mm-eroded-S2L', config: config('fatty-thick5mm-eroded-S2L.json'), gaps: { all8Within3: '5 of 8 within 3 mm (worst 0.5 mm): S2_L eroded (check, 11.4 mm off, its partner 7 mm from its mirror image), the S4 pair check 0.5 mm off (faint rims 0.50 and 0.42; S4_R was found at 1.9 mm before 37ed3d1 read its tunnel on its own slab)', clearance: 'T04 to S3_R 0.63 mm off on the unsafe side (8.04 vs 7.42 mm): S3_R is in use since the S2 pair joined the row, and reads as on fatty-thick5mm (T04 to S3_R 0.63 mm there too; its posterior opening on 5 mm slices, not examined). With the S1 pair alone in use it was 0.22 mm' }, measured: { within3: 5, clearanceMm: 0.63 } },
  // between fatty-thick (3 mm) and fatty-thick5mm: the first mask holds no body on the midline (its 1.0 mm cortex
  // under the bone threshold where 4 mm slices cut it obliquely), and its long axis ran along the arch, 22 mm behind
  // the bodies, as long as a sacrum (19 openings on the map, none mirrored, no foramen); the axis is taken from the
  // sacrum below the L5/S1 disc, followed from the S1 endplate across its own axis (detect.ts axisBehindBodies)
  { name: 'fatty-thick4mm', config: config('fatty-thick4mm.json'), gaps: { all8Within3: '6 of 8 within 3 mm (worst 0.7 mm); the S4 pair shown as check, 0.2/0.2 mm off (it was missing): the anterior-surface map does not fit it (no mirror pair of walled tunnels there), so it is sought where the row puts it (detect/level-below.ts), followed in the slice\'s plane (r 1.5/1.8 mm, the fit\'s ring, for 2.5: no wall read), and shown as check since that radius would put T14\'s clearance 0.55 mm too large. On the map each S4 opening is a groove 16 mm long along the long axis (233–261 HU between walls of 290–380 HU on its two sides only), so it is not enclosed (12 of 16 directions needed); with the map-median bound on an opening\'s value replaced by the median of the 25 mm round it, 35 openings and still no S4 pair: that bound is not what loses it', clearance: 'S4 not in use (the six in use: 0.41 mm where the truth is under 15 mm)' }, measured: { within3: 6, clearanceMm: 0.41 } },
  // the same on 4.5 mm slices: the first mask's axis is 15 mm long (frameProblem), so the axis is taken below the disc
  // from its axial track, as on fatty-thick5mm
  // 1 of 8 was found before (S2_L): the inside search's "S1 pair" (the back of the left S1 tunnel and a hole 11 mm from
  // the midline above the endplate, 39 mm from mirror images) was kept over the surface's S1 pair as a mirror pair
  // (combine.ts now asks its tunnels to be mirror images: S1 0.1/0.2 mm); the S3 fits stopped after 5–8 mm of 24 (a
  // 6 mm lumen on 4.5 mm slices, its roof and floor averaged in), so S3 was missing and the count stopped at S4 (S3 now
  // followed in the slice's plane, foramen-axis.ts followInSlice: 0.4/0.5 mm); S4_L, followed part way on the full
  // ring (8 sections, 5.4 mm short of its posterior opening, T14 3.86 mm off), is followed in the slice's plane where
  // that goes further (10 sections, 0.1 mm past it); S3_L, no wall read, takes its partner's (2.3 -> 3.0 mm, T03 1.00
  // -> 0.3 mm off)
  // canal: the hole search's centres in axial 4.5 mm slices lay 2.4 mm behind the truth at S1, 25 mm apart below it:
  // T08 2.01 mm off (8.58 vs 6.57 mm), the verdict's clearance 1.75 mm above the truth; measured again across the
  // canal's own course and followed on to the sacral base (canal-ends.ts): 0.24 mm
  { name: 'fatty-thick4.5mm', config: config('fatty-thick4p5mm.json'), gaps: { clearance: 'T07 to S2_L 0.51 mm off (7.53 vs 8.04 mm, the safe side; not examined)' }, measured: { clearanceMm: 0.51, judgedMm: 0.00 } },
  // fatty-thick5mm on 0.8 mm pixels: a look-alike pair in the alae, 2 mm above the S1 endplate's plane, was the row's
  // first pair and named every level one too high (17–26 mm off, all check); the row now starts at least 14 mm under
  // the endplate (surface-openings.ts S1_OPENING_MIN_BELOW_ENDPLATE_MM)
  // canal: the lumen traced in front of its roof began at z 0.4 mm, 16 mm below the truth's top canal point (the body
  // curve's first planes cut the L5/S1 disc in front of the lumen, under the trace's wall contrast): T08 1.78 mm off
  // (8.35 vs 6.57 mm), the verdict's clearance 1.47 mm above the truth. Followed on along its own course up to the sacral
  // base (canal-ends.ts): 0.07 mm, the verdict's clearance nowhere above the truth
  { name: 'fatty-thick5mm-px08', config: config('fatty-thick5mm-px08.json'), gaps: { clearance: 'T06 to S1_R 0.62 mm off (5.14 vs 4.52 mm; 0.77 before ad2308a), T04 to S3_R 0.53 mm (on the unsafe side; not examined yet); T14 to S4_L 0.43 mm since its S4 tunnels are followed in the slice\'s plane as on fatty-thick5mm (2.00 mm before, 15.89 vs 13.89 mm)' }, measured: { clearanceMm: 0.62, judgedMm: 0.00 } },
  // fatty-thick5mm with the pelvis tilted 18° about L (as tilt-L+18): the tunnels no longer lie in the axial plane,
  // the S4 pair crossing about one 5 mm slice over its 17 mm (retilt.py's check passes over foramina no wider than a
  // slice, whose centre voxel holds their walls)
  // S1_R was shown as found 11.6 mm off with confidence 1.00 (S1_L 8.4 mm before ad2308a): the inside search found
  // no S1_R tunnel, the surface's S1_R fit ran 11 mm from a right opening, and the length check of combine.ts saw
  // S1_L still short too (the funnel's fit); measured, S1_L ran 45 mm (funnel-refit.ts) and S1_R 11 mm, so the
  // centre of S1_R lay 11.6 mm from the truth with its opening right (the symmetry of evidence.ts compares
  // openings on axes, not lengths). The length check is made again once both are measured (detect/measure.ts):
  // S1_R is followed along S1_L's mirror image, over 45 mm, 0.2 mm off. S2 and S3_L check, S4 missing; the zones right
  // canal: the lumen trace began at z −7.6 mm, 14–26 mm below the truth's top canal points (the body curve's first
  // planes run along the canal under this tilt: the midline profile dark over 40 mm), T08 8.49 mm off (15.05 vs 6.57 mm),
  // the verdict's clearance 7.97 mm above the truth; followed on along its own course for 30 mm (canal-ends.ts): 0.45 mm
  // (T08 6.12 vs 6.57, on the safe side), the verdict's clearance nowhere above the truth
  { name: 'fatty-thick5mm-tilt-L+18', config: config('fatty-thick5mm.json'), gridDeg: [-18, 0, 0], move: { iop: AXIAL },
    // S2_L was shown as check 17.0 mm off (S2_R 2.3, S3_L 4.9 mm, check): the inside search's "S2 pair" (a line from
    // 9 mm off the midline, and S2_R's back), 13 mm from mirror images, was kept over the surface's S2 pair (combine.ts
    // now asks a mirror pair's tunnels to be mirror images: S2 0.0/0.1 mm). S3_L, a 7 mm fit turning 8 mm medially and
    // taken on 27 mm through the bone, then ran 25° off S3_R's followed course, its centre 7 mm from the truth (4.9 mm
    // from its line) and shown as found: a tunnel not followed on the image that runs more than 15° off its followed
    // partner's mirror image is followed again along it (measure.ts): 0.1 mm
    gaps: { all8Within3: '6 of 8 within 3 mm (worst 0.2 mm); the S4 pair shown as check, 0.3/0.8 mm off (it was missing): on the surface S4_R is fitted (16 mm, score 0.32, a fifth of the S1 pair\'s, under PAIR_SHARE) and S4_L not (the 24 fits used up on look-alikes); sought where the row puts it (detect/level-below.ts, mirror images within 3.7 mm) and shown as check, its radius the fit\'s', clearance: 'the S4 pair not in use; T03 to S3_L 0.73 mm off on the safe side (10.65 vs 11.38; T04 to S3_R 0.71 mm before, 6.71 vs 7.42; 14.49 at T09 with S1_R 11.6 mm off)' },
    measured: { within3: 6, clearanceMm: 0.71, judgedMm: 0.00 } },
  // 2 mm slices with a 1.0 mm cortex: the first mask's axis runs 24 mm behind the bodies (axisBehindBodies)
  { name: 'fatty-thick2mm', config: config('fatty-thick2mm.json') },
  { name: 'thick3mm-iso', config: config('thick3mm.json'), gaps: { clearance: 'on 3 mm voxels the tunnels are not followed (a rim one voxel thick is not resolved) and their radii are never made smaller than the detector\'s: up to 3.8 mm off', canalClearance: 'on 3 mm voxels the canal\'s radius is the half-contrast one of the thick-slice search: 2.2 mm off (T11; 5.8–5.9 against 8.0–8.5 at S1). The wall fit of canal-radius.ts per point brings it to 0.47 mm but scatters 3–4 mm between neighbours on the TotalSegmentator CT (detect.test.ts); one median offset along the line leaves 0.61 mm (T11), half of it the midline found 0.5 mm off on 3 mm voxels' }, measured: { clearanceMm: 2.48, canalClearanceMm: 2.21, judgedMm: 1.82 } },
  // S1_R: lesion Y1 fills the lateral half of its lumen, so it is followed along S1_L's mirror image (mirror-refit.ts)
  // anterior openings that flare into funnels whose cortical rim does not close, on fatty marrow behind a 0.5 mm
  // cortex on 3 mm slices, as pelvic-ref-003 shows them (measure_flare.py: there the lumen widens 1.5–2.1x over
  // the last 4–6 mm and the share of rays meeting a wall falls from 0.7–1.0 to 0.3–0.5 at the mouth; this
  // phantom measures 1.8–2.3x and 1.0 to 0.2–0.5 by the same measure)
  // S1_R's rim reads fainter on the anterior-surface map than a look-alike 9 mm below it, whose fit no longer ends
  // the search for S1_L's partner (surface-openings.ts)
  { name: 'funnel', config: config('fatty-funnel.json'), funnel: { flare: 1.5, lengthMm: 5 }, gaps: S4_THIN_CORTEX_3MM, posteriorEnds: S4_THROUGH_BONE, measured: { clearanceMm: 0.67, judgedMm: 0.20 } },
  // the same image with the generator's straight tunnels: what the funnel adds
  { name: 'thin-cortex-3mm', config: config('fatty-funnel.json'), gaps: S4_THIN_CORTEX_3MM, posteriorEnds: S4_THROUGH_BONE, measured: { clearanceMm: 0.67, judgedMm: 0.20 } },
  // T03, T04, T14: the needle passes a tunnel's posterior end (the closest point is the end itself), so the
  // opening's position counts in full: T14 to S4_L 0.51 mm off (13.39 vs 13.89 mm) while the opening was placed
  // mid-way between the last enclosed section and the next, 0.37 mm with it sought within that step
  // (foramen-axis.ts openingWithinStep); the rest is the radius read 0.2 mm large (2.7 vs 2.5 mm) on this 0.8 mm
  // cortex and the openings 0.1–0.3 mm past the surface
  { name: 'osteopenic', config: config('osteopenic.json') },
];

function phantomDir(c: Case): string {
  if (c.asym) return ensureAsymmetricPhantom(c.config, c.asym);
  if (c.funnel) return ensureFunnelPhantom(c.config, c.funnel);
  if (c.flatDeg !== undefined) return ensureFlatSacrumPhantom(c.config, c.flatDeg);
  if (c.bentMm !== undefined) return ensureBentSacrumPhantom(c.config, c.bentMm);
  if (!c.gridDeg) return ensurePhantom(c.config);
  const cfg = { ...c.config, orientation: { type: 'oblique', rotation_deg: c.gridDeg } };
  return ensureMovedPhantom(cfg, c.move ?? {});
}

describe.skipIf(!run)('retilt.py: moved phantoms keep truth and voxels together', () => {
  it('its check passes on a moved phantom and fails when the truth is left where the generator put it', () => {
    const c = CASES.find((x) => x.name === 'tilt-L-15')!;
    const moved = phantomDir(c);
    const script = join(repoRoot, 'test', 'phantom-tools', 'retilt.py');
    execFileSync(PYTHON, [script, '--check-only', moved], { stdio: 'pipe' });
    const stale = mkdtempSync(join(tmpdir(), 'retilt-stale-'));
    try {
      symlinkSync(join(moved, 'dicom'), join(stale, 'dicom'));
      const unmoved = readTruth(ensurePhantom({ ...c.config, orientation: { type: 'oblique', rotation_deg: c.gridDeg } }));
      writeFileSync(join(stale, 'truth.json'), JSON.stringify({ ...unmoved, retilt: readTruth(moved).retilt }));
      let failed = '';
      try { execFileSync(PYTHON, [script, '--check-only', stale], { stdio: 'pipe' }); } catch (e: any) { failed = String(e.stderr); }
      expect(failed).toMatch(/FAILED: .*foramen/);
    } finally {
      rmSync(stale, { recursive: true, force: true });
    }
  }, 300_000);
});

describe.skipIf(!run)('landmarks on moved and harder phantoms: foramina, zones, clearances against exact truth', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const dir = phantomDir(c);
      const loaded = await scanAndLoadDicom(filesIn(join(dir, 'dicom')));
      const volume = loaded.loaded!.volume;
      const truth = readTruth(dir);
      const t0 = performance.now();
      const d = suggestLandmarks(volume);
      const ms = performance.now() - t0;
      // foramina
      const wrong: string[] = [], rows: string[] = [];
      let found = 0, within3 = 0, worst = 0;
      for (const t of truth.anatomy.foramina) {
        const f = d.anatomy.foramina.find((x) => x.id === t.id);
        if (!f) { rows.push(`${t.id} missing`); continue; }
        const e = pointSegmentMm(midpoint(t.anterior_opening_lps, t.posterior_opening_lps), f.anteriorLps, f.posteriorLps);
        rows.push(`${f.id} ${isTrusted(f) ? 'found' : 'check'} ${f.confidence.toFixed(2)} ${e.toFixed(1)} mm r ${f.radiusMm.toFixed(1)}/${t.radius_mm}`);
        if (!isTrusted(f)) continue;
        found++;
        worst = Math.max(worst, e);
        if (e <= 3) within3++;
        if (e > 5) wrong.push(`${f.id} shown as found ${e.toFixed(1)} mm from the truth`);
      }
      // posterior openings along the truth axis (+ past the truth)
      const endRows: string[] = [];
      for (const id of c.posteriorEnds?.ids ?? []) {
        const t = truth.anatomy.foramina.find((x: any) => x.id === id)!, f = d.anatomy.foramina.find((x) => x.id === id);
        const a = t.anterior_opening_lps as Vec3, b = t.posterior_opening_lps as Vec3, L = Math.hypot(b[0] - a[0], b[1] - a[1], b[2] - a[2]);
        const past = f ? ((f.posteriorLps[0] - b[0]) * (b[0] - a[0]) + (f.posteriorLps[1] - b[1]) * (b[1] - a[1]) + (f.posteriorLps[2] - b[2]) * (b[2] - a[2])) / L : NaN;
        endRows.push(`${id} ${past.toFixed(2)}`);
        if (!(Math.abs(past) <= c.posteriorEnds!.mm)) wrong.push(`${id} posterior opening ${past.toFixed(2)} mm along its axis from the truth (${c.posteriorEnds!.why}: within ${c.posteriorEnds!.mm} mm)`);
      }
      if (endRows.length) console.log(`[${c.name}] posterior openings, mm past the truth along the axis: ${endRows.join(', ')}`);
      console.log(`[${c.name}] ${ms.toFixed(0)} ms; ${found} found, ${within3} within 3 mm, worst ${worst.toFixed(1)} mm: ${rows.join('; ')}; messages ${JSON.stringify(d.diagnostics.messages)}`);
      const cl = d.anatomy.canal;
      if (cl) {
        const rowsC = truth.anatomy.canal.centerline_lps.map((tp: Vec3, k: number) => {
          let best = Infinity, r = NaN;
          cl.centerlineLps.forEach((p, n) => { const e = Math.hypot(p[0] - tp[0], p[1] - tp[1], p[2] - tp[2]); if (e < best) { best = e; r = cl.radiusMm[n]!; } });
          return `${best.toFixed(1)}/${r.toFixed(1)}:${truth.anatomy.canal.radius_mm[k]}`;
        });
        console.log(`[${c.name}] canal (nearest detected point mm / its radius : truth radius): ${rowsC.join(' ')}`);
      }
      // zones with the trusted detected landmarks, lesions voxelised from their truth shapes
      const anatomy = withLandmarkFrame(trustedAnatomy(d.anatomy));
      const model = anatomy ? buildZoneModel(anatomy) : null;
      const g = volume.geometry;
      const labels = new LabelMap(g);
      const q: Vec3 = [0, 0, 0];
      for (let k = 0, n = 0; k < g.dims[2]; k++) for (let j = 0; j < g.dims[1]; j++) for (let i = 0; i < g.dims[0]; i++, n++) {
        g.ijkToLps(q, i, j, k);
        truth.lesions.forEach((l: any, x: number) => { if (lesionContains(l, q)) labels.set(n, x + 1); });
      }
      const zones: string[] = [], zoneWrong: string[] = [];
      truth.lesions.forEach((l: any, x: number) => {
        const r = model && anatomy ? classifyLesion(labels, x + 1, anatomy, model) : null;
        const z = r?.zone ?? null, b = r?.borderline ?? null;
        const margin = truthZoneMarginMm(l);
        zones.push(`${l.id} ${b ? `${b.zones.join('/')} border (${b.marginMm.toFixed(2)} mm)` : z} (truth ${l.denis_zone}, ${margin.toFixed(2)} mm from a border)`);
        // right: the true zone, or a border case between it and its neighbour; a lesion within the landmarks'
        // uncertainty of a border must be shown as a border case, one well clear of every border must not
        if (!(z === l.denis_zone || b?.zones.includes(l.denis_zone))) zoneWrong.push(`${l.id} zone ${b ? b.zones.join('/') + ' border' : z}, truth ${l.denis_zone}`);
        else if (margin < BORDER_UNCERTAINTY_MM && !b) zoneWrong.push(`${l.id} ${margin.toFixed(2)} mm from a border shown as zone ${z} without a border warning`);
        else if (margin > 3 * BORDER_UNCERTAINTY_MM && b) zoneWrong.push(`${l.id} ${margin.toFixed(2)} mm from a border shown as a border case`);
      });
      // clearances of the reference needles with the trusted detected landmarks
      const ctx = { anatomy, frame: anatomy?.frame ? fitSacralFrame(anatomy.frame) : null, envelope: null, volume, thresholds: DEFAULT_THRESHOLDS };
      let worstForamen = 0, worstNear = 0, worstCanal = 0, worstCanalAt = '', worstNearAt = '';
      // the clearance the verdict is taken on (less the landmark's half-slice uncertainty on slices over 2 mm,
      // planning/slice-uncertainty.ts): how far it lies on the unsafe side of the truth (above it), where under 15 mm
      let unsafe = -Infinity, unsafeAt = '';
      const judged = (id: string, c: number, u: number | undefined, truthMm: number) => {
        const e = c - (u ?? 0) - truthMm;
        if (e > unsafe) { unsafe = e; unsafeAt = `${id} ${c.toFixed(2)} less ${(u ?? 0).toFixed(2)} vs ${truthMm.toFixed(2)}`; }
      };
      for (const t of truth.trajectories) {
        const m = evaluateTrajectory(ctx, t.entry_lps, t.target_lps, LINE, { approach: t.approach });
        for (const f of m.foramina) {
          const e = Math.abs(f.clearanceMm - t.foramen_distances_mm[f.id]);
          worstForamen = Math.max(worstForamen, e);
          if (t.foramen_distances_mm[f.id] < 15 && e > worstNear) { worstNear = e; worstNearAt = `${t.id} ${f.id} ${f.clearanceMm.toFixed(2)} vs ${t.foramen_distances_mm[f.id].toFixed(2)}`; }
          if (t.foramen_distances_mm[f.id] < 15) judged(`${t.id} ${f.id}`, f.clearanceMm, f.sliceUncertaintyMm, t.foramen_distances_mm[f.id]);
        }
        if (m.canalClearanceMm !== null && t.canal.distance_mm < 15) {
          const e = Math.abs(m.canalClearanceMm - Math.max(0, t.canal.distance_mm));
          if (e > worstCanal) { worstCanal = e; worstCanalAt = `${t.id} ${m.canalClearanceMm.toFixed(2)} vs ${t.canal.distance_mm.toFixed(2)}`; }
          judged(`${t.id} canal`, m.canalClearanceMm, m.canalSliceUncertaintyMm, Math.max(0, t.canal.distance_mm));
        }
      }
      console.log(`[${c.name}] zones ${zones.join(', ')}; clearance error: foramina worst ${worstForamen.toFixed(2)} mm (truth < 15 mm: ${worstNear.toFixed(2)}, ${worstNearAt}), canal worst where truth < 15 mm ${worstCanal.toFixed(2)} mm (${worstCanalAt}); the verdict's clearance at most ${unsafe.toFixed(2)} mm above the truth (${unsafeAt})`);
      if (c.shownWrong) {
        expect(wrong.length, `KNOWN GAP shown as found > 5 mm off (${c.shownWrong}) is now met: strike it`).toBeGreaterThan(0);
        expect(wrong.length, `[${c.name}] more shown wrongly than recorded: ${wrong.join('; ')}`).toBeLessThanOrEqual(c.measured?.shownWrong ?? 0);
      } else expect(wrong).toEqual([]);
      // clearances are met only with every landmark in use (a missing foramen has no clearance to compare)
      const measured = truth.trajectories.length > 0;
      const met: Record<Criterion, boolean> = {
        all8Within3: within3 === 8, zones: zoneWrong.length === 0,
        clearance: !measured || (found === 8 && worstNear <= 0.5), canalClearance: !measured || (anatomy?.canal != null && worstCanal <= 0.5),
      };
      // a known gap must not get worse than its recorded figure
      const worse: string[] = [];
      const figure = { all8Within3: c.measured?.within3, clearance: c.measured?.clearanceMm, canalClearance: c.measured?.canalClearanceMm, zones: undefined };
      for (const k of ['all8Within3', 'clearance', 'canalClearance'] as const) {
        if (!c.gaps?.[k] || met[k]) continue;
        const rec = figure[k];
        if (rec === undefined) { worse.push(`${k}: a known gap without its measured figure (measured.${k === 'all8Within3' ? 'within3' : k + 'Mm'})`); continue; }
        const now = k === 'all8Within3' ? within3 : k === 'clearance' ? worstNear : worstCanal;
        if (k === 'all8Within3' ? now < rec : now > rec + GAP_SLACK_MM) worse.push(`${k}: ${k === 'all8Within3' ? `${now} within 3 mm, recorded ${rec}` : `${now.toFixed(2)} mm, recorded ${rec.toFixed(2)} (+${GAP_SLACK_MM} allowed)`}`);
      }
      if (c.measured?.judgedMm !== undefined && unsafe > c.measured.judgedMm + GAP_SLACK_MM) worse.push(`the verdict's clearance ${unsafe.toFixed(2)} mm above the truth (${unsafeAt}), recorded ${c.measured.judgedMm.toFixed(2)} (+${GAP_SLACK_MM} allowed)`);
      expect(worse, `[${c.name}] known gaps worse than recorded`).toEqual([]);
      for (const k of Object.keys(met) as Criterion[]) {
        const gap = c.gaps?.[k];
        expect(met[k], gap ? `KNOWN GAP ${k} (${gap}) is now met: strike it from the list` : `${k}: ${k === 'zones' ? zoneWrong.join('; ') : k === 'clearance' ? `${worstNear.toFixed(2)} mm` : k === 'canalClearance' ? `${worstCanal.toFixed(2)} mm` : `${within3} of 8 within 3 mm`}`).toBe(!gap);
      }
    }, 600_000);
  }
});
