/**
 * What a file may claim before it is believed: one voxel limit shared by every loader, the
 * decompression budget derived from a header's claim, and plausibility ranges for the geometry and
 * value fields. Pure (no DOM): used by the loaders, their workers and the tests.
 */

/**
 * Largest volume any loader builds: 2^29 voxels = 512 × 512 × 2048 (1 GiB as int16, 2 GiB as
 * float32). The largest sacral CT worth planning is a 512² matrix over 60 cm of pelvis at 0.3 mm
 * slices (2000 slices); the volume, its label maps and the views' copies must fit one tab's memory
 * (Chromium caps a renderer near 4 GiB on most desktops).
 */
export const MAX_VOXELS = 2 ** 29;

/**
 * DEFLATE cannot expand by more than 1032:1 (zlib technical details, "Maximum compression factor":
 * a 258-byte match costs at least 2 bits). A compressed file that would need more is truncated or lies.
 */
export const DEFLATE_MAX_RATIO = 1032;

/**
 * Output tolerated past what a header claims before a decompression is refused: trailing padding,
 * a digital signature or an icon after the pixel data. Far below any bomb, far above real trailers.
 */
export const INFLATE_SLACK_BYTES = 1 << 20;

/** Output inflated while looking for a deflated DICOM header (everything up to PixelData). */
export const DEFLATED_HEADER_LIMIT_BYTES = 64 << 20;

/**
 * In-plane pixel spacing, mm. 0.05 mm is below the finest clinical CT/MR (micro-CT aside) and 20 mm
 * above the coarsest localiser; outside that the value is a unit error or corruption (PS3.3
 * C.7.6.2.1.1 gives mm; values in m or µm are the usual mistake).
 */
export const PIXEL_SPACING_MM = { min: 0.05, max: 20 } as const;

/** Largest slice step along the stack, mm: scout stacks reach 10–20 mm; above 50 mm it is not a volume. */
export const SLICE_GAP_MAX_MM = 50;

/**
 * Rescaled values (HU for CT) must stay within ±1e5: CT spans -1024 … about 30 000 HU even with
 * metal (extended scale), MR magnitudes stay below 65 535. Beyond it a slope or intercept is corrupt,
 * and a lesion's statistics would be meaningless.
 */
export const VALUE_ABS_MAX = 1e5;

/** Format a number for a message: 1e9 stays "1e+9"-free and readable ("1000000000" → "1e9"). */
export function fmtValue(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'Infinity' : '-Infinity';
  const a = Math.abs(x);
  if (a !== 0 && (a >= 1e6 || a < 1e-3)) return x.toExponential(2).replace(/\.?0+e/, 'e').replace('e+', 'e');
  return String(Number(x.toPrecision(6)));
}

/** Human size: "4.3 GB", "8.2 kB". */
export function fmtBytes(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)} GB`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} MB`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} kB`;
  return `${n} bytes`;
}

/** A voxel count in words, e.g. "1.07 billion voxels (1024 × 1024 × 1024)". */
export function fmtVoxels(dims: readonly number[]): string {
  const n = dims.reduce((a, b) => a * b, 1);
  const words = n >= 1e9 ? `${(n / 1e9).toFixed(2)} billion` : n >= 1e6 ? `${(n / 1e6).toFixed(1)} million` : String(n);
  return `${words} voxels (${dims.join(' × ')})`;
}

/** Why a volume of these dimensions is refused, or null. */
export function voxelLimitProblem(dims: readonly number[]): string | null {
  for (const d of dims) if (!Number.isInteger(d) || d < 1) return `invalid dimensions ${dims.join(' × ')}`;
  const n = dims.reduce((a, b) => a * b, 1);
  if (n <= MAX_VOXELS) return null;
  return `the header claims ${fmtVoxels(dims)}; this app holds at most ${(MAX_VOXELS / 1e6).toFixed(0)} million voxels (512 × 512 × 2048)`;
}

/**
 * Why a compressed stream of `compressedBytes` cannot hold `claimedBytes`, or null: DEFLATE's
 * maximum ratio bounds what it can expand to.
 */
export function deflateRatioProblem(compressedBytes: number, claimedBytes: number): string | null {
  const most = compressedBytes * DEFLATE_MAX_RATIO + 1024;
  if (claimedBytes <= most) return null;
  return `the header claims ${fmtBytes(claimedBytes)} of data, but ${fmtBytes(compressedBytes)} of compressed data can hold at most ${fmtBytes(most)}: the file is truncated or its header is wrong`;
}

/** Classify one pixel spacing value (mm); null when plausible. */
export function spacingProblem(valueMm: number, what: string): string | null {
  if (!Number.isFinite(valueMm)) return `invalid ${what} ${fmtValue(valueMm)} mm`;
  if (valueMm <= 0) return `invalid ${what} ${fmtValue(valueMm)} mm (must be positive)`;
  if (valueMm < PIXEL_SPACING_MM.min || valueMm > PIXEL_SPACING_MM.max) {
    return `implausible ${what} ${fmtValue(valueMm)} mm (plausible: ${PIXEL_SPACING_MM.min}–${PIXEL_SPACING_MM.max} mm)`;
  }
  return null;
}

/** Slice step along the stack (mm); null when plausible. */
export function sliceGapProblem(stepMm: number): string | null {
  if (!Number.isFinite(stepMm)) return `invalid slice step ${fmtValue(stepMm)} mm`;
  if (stepMm > SLICE_GAP_MAX_MM) return `slices ${fmtValue(stepMm)} mm apart (at most ${SLICE_GAP_MAX_MM} mm between slices of a volume)`;
  return null;
}

/**
 * Rescale slope/intercept: finite, slope non-zero, and the rescaled range of the stored values
 * within ±VALUE_ABS_MAX. Null when acceptable. The stored range comes from BitsStored and
 * PixelRepresentation, taken at most 16 bits wide: 32-bit CT/MR data never fills its range.
 */
export function rescaleProblem(slope: number, intercept: number, bitsStored: number, signed: boolean): string | null {
  const bits = Math.max(1, Math.min(16, bitsStored || 16));
  const storedMin = signed ? -(2 ** (bits - 1)) : 0;
  const storedMax = signed ? 2 ** (bits - 1) - 1 : 2 ** bits - 1;
  if (!Number.isFinite(slope) || slope === 0) return `invalid RescaleSlope ${fmtValue(slope)}`;
  if (!Number.isFinite(intercept)) return `invalid RescaleIntercept ${fmtValue(intercept)}`;
  const a = storedMin * slope + intercept, b = storedMax * slope + intercept;
  const worst = Math.max(Math.abs(a), Math.abs(b));
  if (worst > VALUE_ABS_MAX) {
    return `implausible RescaleSlope ${fmtValue(slope)} / RescaleIntercept ${fmtValue(intercept)}: stored values ${storedMin}…${storedMax} would become ${fmtValue(Math.min(a, b))}…${fmtValue(Math.max(a, b))} (at most ±${fmtValue(VALUE_ABS_MAX)})`;
  }
  return null;
}
