/**
 * Cohort re-analysis (the `sacroplan analyze` command): each input group (a folder or a file given
 * on the command line) is scanned; every loadable series in it is one study: loaded, its case opened
 * from a matching `.sacroplan` plan when one is given (the same check as Open plan: study, series
 * and grid must match), landmarks detected when the plan has none, and the case engine — the same
 * code the case worker runs in the app — gives each lesion's statistics and zone and each needle's
 * checks and verdict. One row per lesion and per needle, one summary row per study, one row per
 * skipped input with its reason. Runs in node and in the browser (no DOM, no file system).
 */
import type { FileLike, LoadedSeries } from '../io/types';
import { scanDicomFiles, loadDicomSeries } from '../io/dicom';
import { isNiftiLikeName, loadNifti } from '../io/nifti';
import { CaseEngine, type CaseView } from '../case/engine';
import { answerRequest } from '../case/protocol';
import { seriesIdentity } from '../case/identity';
import { readPlan, PlanFileError } from '../case/plan-file';
import type { SeriesIdentity } from '../case/types';
import { needleVerdict } from '../planning/verdict';
import { trustedAnatomy } from '../anatomy/evidence';

export interface PlanInput {
  name: string;
  bytes: Uint8Array;
}

export interface InputGroup {
  /** What the user named (a folder or a file): rows and messages use it. */
  name: string;
  files: FileLike[];
}

export type RowKind = 'study' | 'lesion' | 'needle' | 'skipped';

/** One CSV row; absent columns are written empty. */
export type Cell = string | number | boolean | null | undefined;
export type RowBase = Record<string, Cell> & { input: string };
export type Row = RowBase & { kind: RowKind };

export interface AnalyzeOptions {
  plans?: PlanInput[];
  /** One line per study (progress) and per problem. */
  log?: (line: string) => void;
  /** Wall clock in ms (performance.now in node and browsers). */
  now?: () => number;
}

export interface AnalyzeResult {
  rows: Row[];
  studies: number;
  skipped: number;
  /** Plans that matched no study, with why each study refused them. */
  unusedPlans: string[];
}

export const COLUMNS = [
  'kind', 'input', 'series', 'patient_id', 'study_uid', 'series_uid', 'dims', 'spacing_mm', 'plan',
  'foramina_trusted', 'foramina_suggested', 'canal', 'zone_problem', 'load_ms', 'analyze_ms',
  'id', 'name', 'voxel_count', 'volume_ml', 'partial_volume_ml', 'abc2_ml', 'max_diameter_mm', 'mean_hu',
  'zone', 'zone1_fraction', 'zone2_fraction', 'zone3_fraction', 'foramina_touched', 'outside_sacrum_ml', 'exceeds_30mm',
  'centroid_l', 'centroid_p', 'centroid_s',
  'lesion_id', 'approach', 'needle', 'depth_mm', 'nearest_foramen', 'nearest_foramen_clearance_mm', 'canal_clearance_mm',
  'nearest_foramen_slice_uncertainty_mm', 'canal_slice_uncertainty_mm',
  'anterior_cortex_breach', 'si_joint_crossed', 'bone_path_mm', 'path_status', 'verdict', 'reasons',
  'ablation_coverage', 'cement_planned_ml', 'cement_volume_ml', 'cement_filling',
  'reason',
] as const;

interface Study {
  input: string;
  loaded: LoadedSeries;
  identity: SeriesIdentity;
  studyUid: string | null;
  seriesUid: string | null;
  loadMs: number;
}

/** One study's rows from its case view (the same projection the app shows). */
export function rowsOfView(study: RowBase, view: CaseView): Row[] {
  const rows: Row[] = [];
  for (const l of view.lesions) {
    const s = l.stats;
    const z = l.zone;
    rows.push({
      ...study, kind: 'lesion', id: l.id, name: l.name,
      voxel_count: s?.voxelCount ?? 0, volume_ml: s?.volumeMl ?? 0, partial_volume_ml: s?.partialVolumeMl ?? null,
      abc2_ml: s?.abcAxial.volumeMl ?? null, max_diameter_mm: s?.maxDiameterMm ?? null, mean_hu: s?.values?.mean ?? null,
      zone: z?.zone ?? null, zone1_fraction: z?.zoneFractions['1'] ?? null, zone2_fraction: z?.zoneFractions['2'] ?? null, zone3_fraction: z?.zoneFractions['3'] ?? null,
      foramina_touched: z ? z.foraminaTouched.join(' ') : null, outside_sacrum_ml: l.outsideSacrumMl, exceeds_30mm: s?.exceeds30mm ?? null,
      centroid_l: s?.centroidLps[0] ?? null, centroid_p: s?.centroidLps[1] ?? null, centroid_s: s?.centroidLps[2] ?? null,
    });
  }
  for (const n of view.needles) {
    const m = n.metrics;
    const v = needleVerdict({ metrics: m, ablation: n.ablationPlan, cement: n.cement });
    rows.push({
      ...study, kind: 'needle', id: n.id, name: n.needle.name, lesion_id: n.lesionId, approach: n.approach, needle: n.needle.id,
      depth_mm: m.depthMm, nearest_foramen: m.nearestForamen?.id ?? null, nearest_foramen_clearance_mm: m.nearestForamen?.clearanceMm ?? null,
      canal_clearance_mm: m.canalClearanceMm,
      // thick slices only (planning/slice-uncertainty.ts): the verdict was taken on the clearance less this
      nearest_foramen_slice_uncertainty_mm: m.nearestForamen?.sliceUncertaintyMm ?? null, canal_slice_uncertainty_mm: m.canalSliceUncertaintyMm ?? null,
      anterior_cortex_breach: m.anteriorCortexBreach, si_joint_crossed: m.siJointCrossed, bone_path_mm: m.bonePathMm,
      path_status: m.status, verdict: v.status, reasons: v.checks.map((c) => c.text).join(' | '),
      ablation_coverage: n.ablationPlan?.coverage ?? null, cement_planned_ml: n.cement?.plannedMl ?? null, cement_volume_ml: n.cement?.volumeMl ?? null, cement_filling: n.cement?.fillingRatio ?? null,
    });
  }
  return rows;
}

function message(err: unknown): string {
  return (err as Error)?.message ?? String(err);
}

/** The studies of one input group: its DICOM series (each loadable one) and NIfTI files. */
async function* studiesOf(group: InputGroup, skip: (reason: string, what?: string) => void, now: () => number): AsyncGenerator<Study> {
  const nifti = group.files.filter((f) => isNiftiLikeName(f.name));
  const dicom = group.files.filter((f) => !isNiftiLikeName(f.name) && !/\.sacroplan$/i.test(f.name));
  for (const f of nifti) {
    const t0 = now();
    try {
      const loaded = await loadNifti(f);
      yield { input: group.name, loaded, identity: seriesIdentity(loaded.volume.geometry, null, null), studyUid: null, seriesUid: null, loadMs: now() - t0 };
    } catch (err) {
      skip(`${f.name}: ${message(err)}`, f.name);
    }
  }
  if (dicom.length === 0) {
    if (nifti.length === 0) skip('no DICOM or NIfTI files');
    return;
  }
  const t0 = now();
  const scan = await scanDicomFiles(dicom);
  const scanMs = now() - t0;
  if (scan.series.length === 0) {
    const reasons = [...new Set(scan.files.filter((r) => r.status === 'error').map((r) => r.message ?? r.code ?? 'not usable'))];
    skip(`no image series among ${dicom.length} files${reasons.length ? ` (${reasons.slice(0, 3).join('; ')}${reasons.length > 3 ? '; …' : ''})` : ''}`);
    return;
  }
  for (const info of scan.series) {
    const what = info.seriesDescription || info.key;
    if (!info.loadable) {
      skip(`series "${what}": ${info.blockedReason ?? 'not loadable'}`, what);
      continue;
    }
    const t1 = now();
    let loaded: LoadedSeries;
    try {
      loaded = await loadDicomSeries(scan, info.key);
    } catch (err) {
      skip(`series "${what}": ${message(err)}`, what);
      continue;
    }
    const studyUid = loaded.info.studyInstanceUid || null, seriesUid = loaded.info.seriesInstanceUid || null;
    yield { input: group.name, loaded, identity: seriesIdentity(loaded.volume.geometry, studyUid, seriesUid), studyUid, seriesUid, loadMs: now() - t1 + scanMs / scan.series.length };
  }
}

/** Runs the analysis over every input group; never throws for a bad input (it becomes a skipped row). */
export async function analyze(groups: InputGroup[], options: AnalyzeOptions = {}): Promise<AnalyzeResult> {
  const log = options.log ?? (() => {});
  const now = options.now ?? (() => performance.now());
  const plans = options.plans ?? [];
  const used = new Set<string>();
  const refusals = new Map<string, string[]>();
  const rows: Row[] = [];
  let studies = 0, skipped = 0;
  let index = 0;
  for (const group of groups) {
    const skip = (reason: string, what?: string) => {
      skipped++;
      rows.push({ kind: 'skipped', input: group.name, ...(what ? { series: what } : {}), reason });
      log(`skipped ${group.name}${what && !reason.startsWith(what) ? ` (${what})` : ''}: ${reason}`);
    };
    try {
      for await (const st of studiesOf(group, skip, now)) {
        index++;
        const t0 = now();
        const v = st.loaded.volume;
        const g = v.geometry;
        const description = st.loaded.info.seriesDescription || st.loaded.info.key || group.name;
        const base: RowBase = {
          input: st.input, series: description, patient_id: st.loaded.info.patientId ?? '', study_uid: st.studyUid ?? '', series_uid: st.seriesUid ?? '',
          dims: g.dims.join('x'), spacing_mm: g.spacingMm.map((x) => +x.toFixed(4)).join('x'),
        };
        if (st.loaded.measurementBlockedReason) {
          skip(`series "${description}": measurements blocked: ${st.loaded.measurementBlockedReason}`, description);
          continue;
        }
        try {
          const engine = new CaseEngine(v);
          // the plan made on this series, checked as Open plan checks it
          let planName = '';
          for (const p of plans) {
            try {
              answerRequest(engine, { type: 'openPlan', bytes: p.bytes, identity: st.identity });
              planName = p.name;
              used.add(p.name);
              break;
            } catch (err) {
              if (!(err instanceof PlanFileError)) throw err;
              if (err.problem !== 'other-series') throw new Error(`plan "${p.name}": ${err.message}`);
              refusals.set(p.name, [...(refusals.get(p.name) ?? []), `${description}: ${err.message}`]);
            }
          }
          let view = answerRequest(engine, { type: 'refresh' }).view;
          if (!view.anatomy) view = answerRequest(engine, { type: 'command', cmd: { type: 'detectAnatomy' } }).view;
          const trusted = trustedAnatomy(view.anatomy);
          const studyRow: Row = {
            ...base, kind: 'study', plan: planName,
            foramina_trusted: trusted?.foramina.length ?? 0, foramina_suggested: view.anatomy?.foramina.length ?? 0,
            canal: trusted?.canal ? 'yes' : view.anatomy?.canal ? 'check' : 'no', zone_problem: view.zoneProblem ?? '',
            load_ms: Math.round(st.loadMs), analyze_ms: 0,
          };
          const detail = rowsOfView({ ...base, plan: planName }, view);
          studyRow.analyze_ms = Math.round(now() - t0);
          rows.push(studyRow, ...detail);
          studies++;
          const nl = view.lesions.length, nn = view.needles.length;
          log(`[${index}] ${group.name} · ${description}: ${g.dims.join('×')}, ${planName ? `plan ${planName}` : 'no plan'}, ${nl} lesion${nl === 1 ? '' : 's'}, ${nn} needle${nn === 1 ? '' : 's'}, ${studyRow.foramina_trusted} foramina; load ${studyRow.load_ms} ms, analysis ${studyRow.analyze_ms} ms`);
        } catch (err) {
          skip(`series "${description}": ${message(err)}`, description);
        }
      }
    } catch (err) {
      skip(message(err));
    }
  }
  const unusedPlans = plans.filter((p) => !used.has(p.name)).map((p) => `${p.name} matched no study${refusals.get(p.name)?.length ? ` (${refusals.get(p.name)!.slice(0, 2).join('; ')})` : ''}`);
  for (const u of unusedPlans) log(`warning: plan ${u}`);
  return { rows, studies, skipped, unusedPlans };
}

/** RFC 4180 CSV with the COLUMNS header; numbers in JavaScript's shortest round-trip form. */
export function toCsv(rows: readonly Row[]): string {
  const cell = (v: unknown): string => {
    if (v === null || v === undefined) return '';
    const s = typeof v === 'number' ? (Number.isFinite(v) ? String(v) : '') : String(v);
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [COLUMNS.join(','), ...rows.map((r) => COLUMNS.map((c) => cell(r[c])).join(','))].join('\r\n') + '\r\n';
}

