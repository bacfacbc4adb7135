/**
 * Scan pass: read headers of all files (a prefix each, 16 in flight), group the image frames into
 * series, sort them along the slice normal, check the stack and plan the volume geometry.
 *
 * Geometry (see core/geometry.ts): i along the row cosine IOP[0:3] with spacing PixelSpacing[1],
 * j along the column cosine IOP[3:6] with spacing PixelSpacing[0], k along the normalised vector
 * from the first to the last sorted slice position (so reversed and gantry-tilted stacks stay
 * faithful). Slices are sorted by IPP·N with N = row × col, never by name or InstanceNumber.
 * The origin is the IPP of sorted slice 0 (IPP is the centre of the first pixel: a voxel centre).
 */
import type { FileLike, FileReport, ProgressCallback, ScanResult, SeriesInfo, SeriesWarning } from '../types';
import type { VolumeGeometryInit } from '../../core/geometry';
import { type Vec3, cross, dot, length, normalize, sub } from '../../core/vec3';
import { ENCAPSULATED_TS, type SliceRecord, scanFile } from './header';
import { runPool, throwIfAborted } from './pool';
import { sliceGapProblem, voxelLimitProblem } from '../limits';

/** How the load pass builds one series. */
export interface SeriesPlan {
  key: string;
  /** Real slices in output order. */
  slices: SliceRecord[];
  /** Output k of each real slice (same order as `slices`). */
  sliceK: number[];
  /** Number of output slices (real + interpolated). */
  sliceCount: number;
  /** Output slices without a file (a gap at an exact multiple of the step): linear between real neighbours kBelow, kAbove. */
  interpolated: Array<{ k: number; kBelow: number; kAbove: number }>;
  geometry: VolumeGeometryInit;
  /** Float32 needed up front (non-integer rescale or 32-bit samples); otherwise Int16 with upgrade on overflow. */
  needsFloat: boolean;
  units: 'HU' | 'raw';
  modality: string;
}

export interface DicomScan extends ScanResult {
  /** Load plans of the loadable series, by series key. */
  plans: Map<string, SeriesPlan>;
}

export interface ScanOptions {
  onProgress?: ProgressCallback;
  signal?: AbortSignal;
  /** Files read concurrently (default 32: a header read is mostly per-read latency). */
  concurrency?: number;
}

const MAX_LISTED = 8;

function listNames(names: string[]): string {
  const uniq = [...new Set(names)];
  return uniq.length <= MAX_LISTED ? uniq.join(', ') : `${uniq.slice(0, MAX_LISTED).join(', ')} and ${uniq.length - MAX_LISTED} more`;
}

function fmt(x: number, digits = 3): string {
  return Number.isFinite(x) ? Number(x.toFixed(digits)).toString() : String(x);
}

export async function scanDicomFiles(files: FileLike[], opts: ScanOptions = {}): Promise<DicomScan> {
  const { onProgress, signal } = opts;
  throwIfAborted(signal);
  const outcomes: Array<Awaited<ReturnType<typeof scanFile>> | undefined> = new Array(files.length);
  let done = 0;
  onProgress?.({ phase: 'parsing', done: 0, total: files.length });
  await runPool(files.length, opts.concurrency ?? 32, signal, async (i) => {
    const file = files[i]!;
    try {
      outcomes[i] = await scanFile(file, i, signal);
    } catch (e) {
      // scanFile reports bad content itself; this is a last line of defence (e.g. a read error).
      const name = file.webkitRelativePath || file.name;
      outcomes[i] = { report: { name, status: 'error', code: 'read-failed', message: `${name}: could not be read (${(e as Error)?.message ?? String(e)})` }, slices: [] };
    }
    done++;
    onProgress?.({ phase: 'parsing', done, total: files.length });
  });
  throwIfAborted(signal);
  return groupAndPlan(outcomes.map((o) => o!));
}

/** Group slice records into series and plan each one. Pure (no I/O); exported for tests. */
export function groupAndPlan(outcomes: Array<{ report: FileReport; slices: SliceRecord[] }>): DicomScan {
  const reports = outcomes.map((o) => o.report);
  const byUid = new Map<string, { uid: string; slices: SliceRecord[]; noUid: boolean }>();
  for (const o of outcomes) {
    for (const s of o.slices) {
      const uid = s.seriesInstanceUid;
      const key = uid !== '' ? uid : 'no-uid:' + fallbackKey(s);
      let g = byUid.get(key);
      if (!g) byUid.set(key, (g = { uid, slices: [], noUid: uid === '' }));
      g.slices.push(s);
    }
  }

  const series: SeriesInfo[] = [];
  const plans = new Map<string, SeriesPlan>();
  for (const [groupKey, group] of byUid) {
    // The same SOP instance twice (a copy of a file): keep the first, ignore the others.
    const seen = new Map<string, SliceRecord>();
    const unique: SliceRecord[] = [];
    for (const s of group.slices) {
      const id = s.sopInstanceUid === '' ? '' : `${s.sopInstanceUid}#${s.frameIndex}`;
      const first = id === '' ? undefined : seen.get(id);
      if (first && first.fileIndex !== s.fileIndex) {
        const rep = reports[s.fileIndex]!;
        rep.status = 'ignored';
        rep.code = 'duplicate-instance';
        rep.message = `${s.fileName}: same SOPInstanceUID as ${first.fileName} (a copy of the same image); ignored`;
        continue;
      }
      if (id !== '') seen.set(id, s);
      unique.push(s);
    }
    if (unique.length === 0) continue;

    // Split by in-plane geometry: dims, orientation, pixel spacing, samples.
    // (Compared with tolerances, not rounded keys, so jitter at a rounding boundary never splits a series.)
    const groups: SliceRecord[][] = [];
    for (const s of unique) {
      const g = groups.find((list) => sameInPlaneGeometry(list[0]!, s));
      if (g) g.push(s);
      else groups.push([s]);
    }
    const parts = groups.sort((a, b) => b.length - a.length);
    const splitWarnings: SeriesWarning[] = [];
    if (parts.length > 1) {
      const main = parts[0]![0]!;
      const describe = (p: SliceRecord[]): string => {
        const s = p[0]!;
        return `${s.columns}×${s.rows}${s.iop ? `, IOP ${s.iop.map((v) => fmt(v, 4)).join('\\')}` : ', no IOP'}${s.pixelSpacing ? `, spacing ${s.pixelSpacing.map((v) => fmt(v, 4)).join('\\')}` : ''} (${p.length} ${p.length === 1 ? 'frame' : 'frames'}: ${listNames(p.map((x) => x.fileName))})`;
      };
      const dimsDiffer = parts.some((p) => p[0]!.rows !== main.rows || p[0]!.columns !== main.columns || p[0]!.samplesPerPixel !== main.samplesPerPixel || !sameSpacing(p[0]!, main));
      const iopDiffer = parts.some((p) => orientationKey(p[0]!) !== orientationKey(main));
      const what = group.noUid ? 'files without a SeriesInstanceUID' : `series ${group.uid}`;
      const text = `${what} mixes slices of different geometry and was split into ${parts.length} series: ${parts.map(describe).join('; ')}`;
      if (dimsDiffer) splitWarnings.push({ code: 'inconsistent-dims', message: text });
      if (iopDiffer) splitWarnings.push({ code: 'mixed-orientation', message: text });
      for (const p of parts.slice(1)) {
        for (const s of p) {
          const rep = reports[s.fileIndex]!;
          if (rep.status === 'ok' && !rep.code) {
            rep.code = dimsDiffer ? 'inconsistent-dims' : 'mixed-orientation';
            rep.message = `${s.fileName}: geometry differs from the rest of its series (${describe(p)} vs ${describe(parts[0]!)}); shown as a separate series`;
          }
        }
      }
    }
    parts.forEach((part, idx) => {
      const key = idx === 0 ? groupKey : `${groupKey}#${idx + 1}`;
      const warnings: SeriesWarning[] = [...splitWarnings];
      if (group.noUid) {
        warnings.push({
          code: 'no-uid-grouped',
          message: `${part.length} ${part.length === 1 ? 'file has' : 'files have'} no SeriesInstanceUID; grouped by geometry, modality, series number and description instead`,
        });
      }
      const { info, plan } = planSeries(key, group.uid, part, warnings, reports);
      series.push(info);
      if (plan) plans.set(key, plan);
      if (!info.loadable) {
        // Every file of a series that cannot be shown says why, in the file list too.
        const code = info.warnings.find((w) => w.message === info.blockedReason)?.code ?? 'missing-position';
        for (const s of part) {
          const rep = reports[s.fileIndex]!;
          if (rep.status !== 'ok') continue;
          rep.status = 'error';
          rep.code = code;
          rep.message = `${s.fileName}: ${info.blockedReason ?? 'cannot be shown'}`;
        }
      }
      for (const s of part) {
        const rep = reports[s.fileIndex]!;
        if (rep.status === 'ok') rep.seriesKey = rep.seriesKey ?? key;
      }
    });
  }
  return { files: reports, series, plans };
}

function r(x: number, step: number): string {
  return String(Math.round(x / step) * step === 0 ? 0 : Math.round(x / step));
}

function orientationKey(s: SliceRecord): string {
  return s.iop ? s.iop.map((v) => r(v, 1e-3)).join(',') : 'no-iop';
}

function sameSpacing(a: SliceRecord, b: SliceRecord): boolean {
  if (!a.pixelSpacing || !b.pixelSpacing) return a.pixelSpacing === b.pixelSpacing;
  return Math.abs(a.pixelSpacing[0] - b.pixelSpacing[0]) < 1e-4 && Math.abs(a.pixelSpacing[1] - b.pixelSpacing[1]) < 1e-4;
}

function sameInPlaneGeometry(a: SliceRecord, b: SliceRecord): boolean {
  if (a.rows !== b.rows || a.columns !== b.columns || a.samplesPerPixel !== b.samplesPerPixel || !sameSpacing(a, b)) return false;
  if (!a.iop || !b.iop) return a.iop === b.iop;
  for (let n = 0; n < 6; n++) if (Math.abs(a.iop[n]! - b.iop[n]!) > 1e-3) return false;
  return true;
}

function geometryKey(s: SliceRecord): string {
  const ps = s.pixelSpacing ? s.pixelSpacing.map((v) => r(v, 1e-4)).join(',') : 'no-ps';
  return `${s.rows}x${s.columns}x${s.samplesPerPixel}|${orientationKey(s)}|${ps}`;
}

/** Grouping key for files without SeriesInstanceUID: geometry plus acquisition attributes. */
function fallbackKey(s: SliceRecord): string {
  return [s.studyInstanceUid, s.frameOfReferenceUid, s.modality, s.seriesNumber ?? '', s.seriesDescription, geometryKey(s)].join('|');
}

function isAxisAligned(v: readonly number[]): boolean {
  return v.every((c) => Math.abs(c) < 1e-4 || Math.abs(Math.abs(c) - 1) < 1e-4);
}

function planSeries(
  key: string, uid: string, input: SliceRecord[], warnings: SeriesWarning[], reports: FileReport[],
): { info: SeriesInfo; plan: SeriesPlan | null } {
  const first = input[0]!;
  const modality = first.modality;
  let blockedReason: string | undefined;
  const block = (reason: string): void => {
    if (!blockedReason) blockedReason = reason;
  };
  const names = (list: SliceRecord[]): string => listNames(list.map((s) => (s.frameCount > 1 ? `${s.fileName} frame ${s.frameIndex + 1}` : s.fileName)));

  // Pixel format checks.
  const mono = input.every((s) => s.samplesPerPixel === 1 && /^MONOCHROME[12]$/.test(s.photometricInterpretation || 'MONOCHROME2'));
  if (!mono) {
    const msg = `colour or palette image (${first.photometricInterpretation || 'unknown'}, ${first.samplesPerPixel} samples per pixel): only greyscale CT/MR can be planned`;
    warnings.push({ code: 'color-image', message: msg, blocksMeasurement: true });
    block(msg);
  }
  const lossy = [...new Set(input.filter((s) => ENCAPSULATED_TS.get(s.transferSyntaxUid)?.lossy).map((s) => s.transferSyntaxUid))];
  if (lossy.length) {
    warnings.push({ code: 'lossy-compression', message: `lossy compression (${lossy.map((t) => ENCAPSULATED_TS.get(t)!.name).join(', ')}): pixel values are approximate` });
  }
  const noPre = input.filter((s) => s.noPreamble);
  if (noPre.length) {
    warnings.push({ code: 'no-preamble', message: `no DICOM preamble/"DICM" marker, read as a raw little endian data set: ${names(noPre)}` });
  }
  const mosaic = input.filter((s) => s.mosaic);
  if (mosaic.length) {
    warnings.push({
      code: 'missing-position',
      message: `Siemens mosaic image (${names(mosaic)}): the tiled slices are shown as one image as stored, not separated; slice positions inside the mosaic are not resolved, so measurement is blocked`,
      blocksMeasurement: true,
    });
  }

  // In-plane spacing: absent, or present but not believable (named: "invalid", never "missing").
  const badSpacing = input.filter((s) => s.pixelSpacingProblem);
  const noSpacing = input.filter((s) => !s.pixelSpacing);
  let rowSpacing = 1, colSpacing = 1;
  if (badSpacing.length) {
    const bad = badSpacing[0]!;
    warnings.push({
      code: 'invalid-spacing',
      message: `${bad.pixelSpacingProblem} in ${names(badSpacing)}: the image is displayed with an assumed 1 mm pixel and no distances, areas or volumes may be measured`,
      blocksMeasurement: true,
    });
  }
  if (noSpacing.length > badSpacing.length) {
    const missing = noSpacing.filter((s) => !s.pixelSpacingProblem);
    warnings.push({
      code: 'missing-pixel-spacing',
      message: `PixelSpacing (0028,0030) is missing in ${missing.length === input.length ? 'every slice' : names(missing)}: the in-plane size is unknown; the image is displayed with an assumed 1 mm pixel and no distances, areas or volumes may be measured`,
      blocksMeasurement: true,
    });
  }
  if (noSpacing.length === 0) {
    rowSpacing = first.pixelSpacing![0];
    colSpacing = first.pixelSpacing![1];
  }

  // Slice order and positions.
  let slices = input.slice();
  let sliceK: number[] = [];
  let sliceCount = slices.length;
  const interpolated: SeriesPlan['interpolated'] = [];
  let origin: Vec3 = [0, 0, 0];
  let axes: number[] = [1, 0, 0, 0, 1, 0, 0, 0, 1];
  let kSpacing = 1;
  const noPos = slices.filter((s) => !s.ipp || !s.iop);
  const byInstance = (a: SliceRecord, b: SliceRecord): number =>
    (a.instanceNumber ?? Infinity) - (b.instanceNumber ?? Infinity) || a.fileIndex - b.fileIndex || a.frameIndex - b.frameIndex;

  let geometryOk = noPos.length === 0;
  let rowCos: Vec3 = [1, 0, 0], colCos: Vec3 = [0, 1, 0];
  if (geometryOk) {
    const iop = first.iop!;
    rowCos = [iop[0], iop[1], iop[2]];
    colCos = [iop[3], iop[4], iop[5]];
    const nr = length(rowCos), nc = length(colCos);
    if (Math.abs(nr - 1) > 1e-2 || Math.abs(nc - 1) > 1e-2 || Math.abs(dot(rowCos, colCos)) > 1e-2) {
      const msg = `ImageOrientationPatient ${iop.map((v) => fmt(v, 4)).join('\\')} is not a pair of orthogonal unit vectors: no patient geometry`;
      warnings.push({ code: 'missing-position', message: msg, blocksMeasurement: true });
      block(msg);
      geometryOk = false;
    } else {
      normalize(rowCos, rowCos);
      normalize(colCos, colCos);
    }
  } else {
    const msg = `ImagePositionPatient/ImageOrientationPatient missing in ${noPos.length === slices.length ? 'every slice' : names(noPos)}: no patient geometry; slices are ordered by InstanceNumber on a 1 mm identity grid (NOT patient coordinates) and no measurement or 3-D planning is allowed`;
    warnings.push({ code: 'missing-position', message: msg, blocksMeasurement: true });
  }

  if (!geometryOk) {
    slices.sort(byInstance);
    sliceK = slices.map((_, i) => i);
    axes = [1, 0, 0, 0, 1, 0, 0, 0, 1];
  } else {
    const n = normalize([0, 0, 0], cross([0, 0, 0], rowCos, colCos));
    const pos = new Map<SliceRecord, number>(slices.map((s) => [s, dot(s.ipp!, n)]));
    slices.sort((a, b) => pos.get(a)! - pos.get(b)! || byInstance(a, b));

    // Duplicate positions: keep the lowest InstanceNumber, drop the others loudly.
    const kept: SliceRecord[] = [];
    for (let i = 0; i < slices.length; ) {
      let j = i + 1;
      while (j < slices.length && Math.abs(pos.get(slices[j]!)! - pos.get(slices[i]!)!) < 0.01) j++;
      const same = slices.slice(i, j);
      if (same.length > 1) {
        const keep = same.slice().sort(byInstance)[0]!;
        const dropped = same.filter((s) => s !== keep);
        warnings.push({
          code: 'duplicate-position',
          message: `${same.length} slices share the position ${fmt(pos.get(keep)!)} mm along the slice normal: kept ${names([keep])} (InstanceNumber ${keep.instanceNumber ?? '?'}), dropped ${dropped.map((d) => `${names([d])} (InstanceNumber ${d.instanceNumber ?? '?'})`).join(', ')}`,
        });
        for (const d of dropped) {
          const rep = reports[d.fileIndex]!;
          if (d.frameCount === 1 && rep.status === 'ok') {
            rep.status = 'ignored';
            rep.code = 'duplicate-position';
            rep.message = `${d.fileName}: same slice position as ${keep.fileName}; dropped from the volume`;
          }
        }
        kept.push(keep);
      } else kept.push(same[0]!);
      i = j;
    }
    slices = kept;
    sliceCount = slices.length;

    if (slices.length === 1) {
      const s = slices[0]!;
      kSpacing = s.spacingBetweenSlices && s.spacingBetweenSlices > 0 ? s.spacingBetweenSlices : s.sliceThickness && s.sliceThickness > 0 ? s.sliceThickness : 1;
      if (sliceGapProblem(kSpacing)) kSpacing = 1; // display only; a single slice measures nothing along k
      sliceK = [0];
      origin = [...s.ipp!] as Vec3;
      axes = [...rowCos, ...colCos, ...n];
      if (!mosaic.length) {
        warnings.push({
          code: 'single-slice',
          message: `only one slice (${names(slices)}): no volume; the slice thickness direction uses ${s.spacingBetweenSlices ? 'SpacingBetweenSlices' : s.sliceThickness ? 'SliceThickness' : 'an assumed 1 mm'} (${fmt(kSpacing)} mm) for display only`,
        });
      }
    } else {
      const steps: number[] = [];
      for (let i = 1; i < slices.length; i++) steps.push(length(sub([0, 0, 0], slices[i]!.ipp!, slices[i - 1]!.ipp!)));
      const base = median(steps);
      const gapProblem = sliceGapProblem(base);
      if (gapProblem) {
        const msg = `${gapProblem}: not a volume that can be shown or measured`;
        warnings.push({ code: 'non-uniform-spacing', message: msg, blocksMeasurement: true });
        block(msg);
      }
      const tol = 0.01 * base + 1e-3;
      sliceK = [0];
      let k = 0;
      let irregular = false;
      const gaps: string[] = [];
      for (let i = 0; i < steps.length; i++) {
        const s = steps[i]!;
        const m = Math.round(s / base);
        if (m < 1 || Math.abs(s - m * base) > tol * Math.max(1, m)) irregular = true;
        if (m > 1 && !irregular) {
          gaps.push(`${fmt(s)} mm between ${names([slices[i]!])} and ${names([slices[i + 1]!])} (${m - 1} missing)`);
          for (let q = 1; q < m; q++) interpolated.push({ k: k + q, kBelow: k, kAbove: k + m });
        }
        k += Math.max(1, m);
        sliceK.push(k);
      }
      sliceCount = k + 1;
      if (interpolated.length > slices.length || sliceCount > 4 * slices.length) irregular = true;
      if (irregular) {
        const msg = `non-uniform slice spacing: steps ${listSteps(steps)} mm (median ${fmt(base)} mm); the slices cannot be placed on a regular grid without resampling, so this series is not loaded`;
        warnings.push({ code: 'non-uniform-spacing', message: msg, blocksMeasurement: true });
        block(msg);
        interpolated.length = 0;
        sliceCount = slices.length;
        sliceK = slices.map((_, i) => i);
      } else if (gaps.length) {
        warnings.push({
          code: 'non-uniform-spacing',
          message: `slice gap${gaps.length > 1 ? 's' : ''}: ${gaps.join('; ')} among ${fmt(base)} mm steps; the slices are kept at their true positions and the ${interpolated.length} missing slice${interpolated.length > 1 ? 's are' : ' is'} filled by linear interpolation between the neighbours (k = ${interpolated.map((x) => x.k).join(', ')}); values there are not measured data`,
        });
      }
      const firstIpp = slices[0]!.ipp!, lastIpp = slices[slices.length - 1]!.ipp!;
      const span = sub([0, 0, 0], lastIpp, firstIpp);
      const spanLen = length(span);
      const kAxis = normalize([0, 0, 0], span);
      kSpacing = spanLen / (sliceCount - 1);
      origin = [...firstIpp] as Vec3;
      axes = [...rowCos, ...colCos, ...kAxis];
      if (!blockedReason) {
        // Every real slice must sit on the planned grid (catches in-plane shifts, curved stacks).
        let worst = 0, worstSlice = slices[0]!;
        slices.forEach((s, idx) => {
          const kk = sliceK[idx]!;
          const pred: Vec3 = [origin[0] + kAxis[0] * kSpacing * kk, origin[1] + kAxis[1] * kSpacing * kk, origin[2] + kAxis[2] * kSpacing * kk];
          const d = length(sub([0, 0, 0], s.ipp!, pred));
          if (d > worst) {
            worst = d;
            worstSlice = s;
          }
        });
        if (worst > tol) {
          const msg = `slice positions do not lie on a straight, regularly spaced line (${names([worstSlice])} is ${fmt(worst)} mm off); not loaded`;
          warnings.push({ code: 'non-uniform-spacing', message: msg, blocksMeasurement: true });
          block(msg);
        }
      }
      const cosTilt = Math.min(1, Math.abs(dot(kAxis, n)));
      const shear = spanLen * Math.sqrt(Math.max(0, 1 - cosTilt * cosTilt));
      if (shear > 0.01) {
        warnings.push({
          code: 'gantry-tilt',
          message: `the slice stack is sheared (gantry tilt ${fmt((Math.acos(cosTilt) * 180) / Math.PI, 2)}°, ${fmt(shear, 2)} mm over the stack): the volume keeps the true slice positions through a non-orthogonal k-axis`,
        });
      }
    }
    if (!isAxisAligned(rowCos) || !isAxisAligned(colCos)) {
      warnings.push({
        code: 'oblique',
        message: `oblique orientation (IOP ${first.iop!.map((v) => fmt(v, 4)).join('\\')}): the volume is kept on its acquisition grid; LPS coordinates stay exact`,
      });
    }
  }

  const dims: [number, number, number] = [first.columns, first.rows, sliceCount];
  const tooLarge = voxelLimitProblem(dims);
  if (tooLarge) {
    const msg = `refused: ${tooLarge}`;
    warnings.push({ code: 'too-large', message: msg, blocksMeasurement: true });
    block(msg);
  }
  const spacingKnown = noSpacing.length === 0;
  const needsFloat = slices.some((s) => !Number.isInteger(s.rescaleSlope) || !Number.isInteger(s.rescaleIntercept) || s.bitsAllocated === 32);
  const info: SeriesInfo = {
    key,
    seriesInstanceUid: uid,
    studyInstanceUid: first.studyInstanceUid,
    frameOfReferenceUid: first.frameOfReferenceUid,
    studyAttributes: first.studyAttributes,
    sliceInstances: sliceInstancesOf(slices, sliceK, sliceCount),
    modality,
    seriesDescription: first.seriesDescription,
    seriesNumber: first.seriesNumber,
    patientName: first.patientName,
    patientPosition: first.patientPosition,
    patientId: first.patientId,
    studyDescription: first.studyDescription,
    studyDate: first.studyDate,
    sliceCount,
    dims,
    spacingMm: spacingKnown ? [colSpacing, rowSpacing, kSpacing] : null,
    warnings,
    loadable: blockedReason === undefined,
  };
  if (blockedReason !== undefined) {
    info.blockedReason = blockedReason;
    return { info, plan: null };
  }
  const plan: SeriesPlan = {
    key,
    slices,
    sliceK,
    sliceCount,
    interpolated,
    geometry: { dims, spacingMm: [colSpacing, rowSpacing, kSpacing], originLps: origin, directionCosines: axes },
    needsFloat,
    units: modality === 'CT' ? 'HU' : 'raw',
    modality,
  };
  return { info, plan };
}

/** The instance of each output slice k (null where a slice is interpolated or has no SOPInstanceUID). */
function sliceInstancesOf(slices: SliceRecord[], sliceK: number[], sliceCount: number): ({ sopClassUid: string; sopInstanceUid: string } | null)[] {
  const out: ({ sopClassUid: string; sopInstanceUid: string } | null)[] = new Array(sliceCount).fill(null);
  slices.forEach((s, idx) => {
    const k = sliceK[idx];
    if (k !== undefined && k >= 0 && k < sliceCount && s.sopInstanceUid && s.sopClassUid) out[k] = { sopClassUid: s.sopClassUid, sopInstanceUid: s.sopInstanceUid };
  });
  return out;
}

function median(v: number[]): number {
  const s = v.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function listSteps(steps: number[]): string {
  const shown = steps.slice(0, 24).map((s) => fmt(s));
  return shown.join(', ') + (steps.length > 24 ? `, … (${steps.length} steps)` : '');
}

/** The largest loadable CT series (by voxel count), else the largest loadable series; null if none. */
export function pickDefaultSeries(scan: ScanResult): string | null {
  const size = (s: SeriesInfo): number => s.dims[0] * s.dims[1] * s.dims[2];
  const loadable = scan.series.filter((s) => s.loadable);
  const ct = loadable.filter((s) => s.modality === 'CT');
  const pool = ct.length ? ct : loadable;
  let best: SeriesInfo | null = null;
  for (const s of pool) if (!best || size(s) > size(best)) best = s;
  return best ? best.key : null;
}
