/**
 * Region growing, step 11 (region-grow.ts): a lesion whose partial-volume figure depends on a blur its own
 * edge does not show, in a scan reconstructed soft, is refused (`blur-unverified`).
 */
import type { ScalarVolume } from '../../core/volume';
import { partialVolumeEstimate } from '../partial-volume';
import { scanBlur } from '../scan-blur';
import type { RegionGrowResult } from './types';

/**
 * Step 11. The partial-volume figure the panel shows counts the lesion's blurred edge within a band sized
 * for an assumed 0.4 mm PSF, or for the blur it reads at the lesion's own edge (partial-volume.ts,
 * "Measured blur"), which it can only where the tissue around is smooth. A soft reconstruction kernel
 * blurs more: behind a 1.2 mm PSF (soft-kernel.json) lesions in crisp bone whose edge blur could not be
 * read grew 11-14 % low with no warning, the edge's signal lying beyond the band, in the reference shell.
 * The scan's own PSF is read once at its air/body boundary (scan-blur.ts). Where it is wider than
 * BLUR_WIDER × the assumed one and the lesion's edge gave no reading, the figure is computed again with
 * the band sized for the scan's PSF; where the two differ by more than BLUR_AGREEMENT, the lesion's
 * volume depends on how far its blur reaches, which this lesion's surroundings do not let Grow settle
 * (the wider band also takes in the blur of the cortex and foramina beside it: soft-kernel.json L2 −12 %
 * with the one band, +7 % with the other). Returns the reason in words, or null.
 */
export function blurUnverified(volume: ScalarVolume, r: RegionGrowResult): string | null {
  const scan = scanBlur(volume).psfSigmaMm;
  if (!(scan > BLUR_WIDER * ASSUMED_PSF_MM)) return null;
  if (blurReach(volume, r, scan) <= BLUR_AGREEMENT / BLUR_BOUND_SLACK) return null;
  const pv = r.partialVolume ?? partialVolumeEstimate(volume, r.offsets);
  if (pv.measuredPsfMm >= 0 || !(scan > BLUR_WIDER * pv.psfSigmaMm)) return null;
  const wide = partialVolumeEstimate(volume, r.offsets, { psfSigmaMm: scan });
  const differ = Math.abs(wide.volumeMl / pv.volumeMl - 1);
  if (!(differ > BLUR_AGREEMENT)) return null;
  return `the scan is reconstructed soft (its blur, read at the skin, is a PSF of σ ≈ ${scan.toFixed(1)} mm against the 0.4 mm the volume estimate assumes) and this lesion's volume depends on how far its edge's blur reaches, which the tissue around it does not show: ${pv.volumeMl.toFixed(2)} or ${wide.volumeMl.toFixed(2)} mL; outline it with Strokes (L) or the Brush (B)`;
}
/**
 * How far the blur beyond the band for the assumed PSF can move a lesion's figure, as a share of its
 * volume: the edge of a ball of the lesion's volume (radius r: the smallest surface for it, 3/r of its
 * volume per mm) blurred by the scan's PSF with the pixel's box (σ_e); the band for 0.4 mm reaches R0 (its
 * in-plane ring unit) beyond the outline, so the signal beyond it, σ_e·(φ(t) − t·(1 − Φ(t))) per unit area
 * at t = R0/σ_e, is missed, and the reference shell R0 … 2R0 beyond it holds up to 1 − Φ(t) of the lesion,
 * which biases the background of a band 2R0 wide. The second estimate is made only where this reach could
 * take the figure beyond BLUR_AGREEMENT: its band is wider, so it costs more than the first (its background
 * window is bounded, partial-volume.ts "Window"; the bench scene's 7 mL lesion behind a 1 mm PSF: bench/segment.mjs).
 */
function blurReach(volume: ScalarVolume, r: RegionGrowResult, scanPsfMm: number): number {
  const sp = volume.geometry.spacingMm;
  const h = Math.min(sp[0], sp[1]);
  const r0 = Math.max(1, Math.round((2.5 * Math.sqrt(ASSUMED_PSF_MM ** 2 + (h * h) / 12)) / h)) * h;
  const se = Math.sqrt(scanPsfMm ** 2 + (h * h) / 12), t = r0 / se;
  const tail = 1 - normalCdf(t), pdf = Math.exp(-t * t / 2) / Math.sqrt(2 * Math.PI);
  const rMm = Math.cbrt((3 * r.volumeMl * 1000) / (4 * Math.PI));
  return (3 / rMm) * (se * (pdf - t * tail) + 2 * r0 * tail);
}
/** Φ(x) (Abramowitz-Stegun 26.2.17, |error| < 7.5e-8). */
function normalCdf(x: number): number {
  const t = 1 / (1 + 0.2316419 * Math.abs(x));
  const p = (Math.exp(-x * x / 2) / Math.sqrt(2 * Math.PI)) * t * (0.31938153 + t * (-0.356563782 + t * (1.781477937 + t * (-1.821255978 + t * 1.330274429))));
  return x >= 0 ? 1 - p : p;
}
/**
 * The two figures differed by up to 1.09 × blurReach (soft-kernel.json L1 22 % against 27.5 %, L2 21 / 24.8,
 * L5 31 / 28.4; pelvic-ref-003 P1 3.2 / 17.5): blurReach is no strict bound (the wider band also takes in the
 * blur of the cortex and foramina beside the lesion), so the second estimate is skipped only where blurReach
 * is under BLUR_AGREEMENT / 1.5 (the bench's 7 mL lesion, 0.7 mm pixels, 1 mm PSF: 6.5 %; totalseg T2 2.8 %).
 */
const BLUR_BOUND_SLACK = 1.5;
/** The scan's PSF is used where it reads wider than this × the assumed one (partial-volume.ts WIDER_PSF_RATIO: an edge's own reading spreads so far). */
const BLUR_WIDER = 1.5;
/** partialVolumeEstimate's default PSF σ (mm). */
const ASSUMED_PSF_MM = 0.4;
/** The two figures may differ by at most Grow's whole 10 %: beyond, one of them is outside it and Grow cannot tell which. */
const BLUR_AGREEMENT = 0.1;
