/**
 * The `.sacroplan` plan file: one zip holding `plan.json` (a versioned JSON: app version, series
 * identity, the case document), `labels.rle` (the label map run-length coded, then deflated by
 * the zip) and, when landmarks were detected, `sacrum.rle` (the detected sacrum bone mask the
 * needle checks use, so that a reopened plan gives the same metrics without detecting again). The zip's comment seals the file: a CRC-32 of every byte before it, so a damaged file
 * (a flipped byte anywhere, a truncation) is refused before anything is read from it. Autosaves
 * store the same bytes.
 *
 * readPlan validates everything before it returns: the seal, the zip's entries (exactly the two
 * names, claimed sizes within what this series can need), the JSON (exactly the known keys, every
 * value's type and range, at most 255 lesions, …), the series identity, and that the label map
 * decodes to exactly one label per voxel, each 0 or a lesion of the document. It throws a
 * PlanFileError saying what is wrong; the caller applies nothing until it returns. Pure.
 */
import { unzipSync, zipSync, strToU8, strFromU8 } from 'fflate';
import type { Vec3 } from '../core/vec3';
import { FORAMEN_IDS, type Canal, type Foramen, type SacralAnatomy, type SacralFrame } from '../anatomy/types';
import { APPROACH_NAMES, DEFAULT_THRESHOLDS, type ApproachName, type Needle, type NeedleKind, type SafetyThresholds } from '../planning/types';
import type { AblationParams } from '../planning/ablation';
import { LESION_METHODS, type CaseDoc, type CaseLesion, type CaseNeedle, type RfReport, type SeriesIdentity } from './types';
import type { SeedStroke } from '../segmentation/seeded-grow';
import { seriesMismatch } from './identity';

export const PLAN_FORMAT = 'sacroplan-plan';
/** Version of the layout below; readers refuse newer versions (they cannot know what changed). */
export const PLAN_VERSION = 1;
export const PLAN_JSON = 'plan.json';
export const PLAN_LABELS = 'labels.rle';
export const PLAN_SACRUM = 'sacrum.rle';
const SEAL_PREFIX = 'sacroplan crc32 ';
const SEAL_LENGTH = SEAL_PREFIX.length + 8;
/** plan.json larger than this is not a plan (a case with 255 lesions and 200 needles is ~300 kB). */
const MAX_JSON_BYTES = 8 * 1024 * 1024;
const MAX_TEXT = 20000;
const MAX_COORD_MM = 1e5;

export type PlanProblem = 'damaged' | 'not-a-plan' | 'future-version' | 'invalid' | 'other-series';

export class PlanFileError extends Error {
  constructor(readonly problem: PlanProblem, message: string) {
    super(message);
    this.name = 'PlanFileError';
  }
}

export interface PlanMeta {
  appVersion: string;
  savedAt: string;
  series: SeriesIdentity;
}

export interface PlanContents {
  meta: PlanMeta;
  doc: CaseDoc;
  labels: Uint8Array;
  /** The detected sacrum bone mask (0/1 per voxel), or null. */
  sacrumMask: Uint8Array | null;
}

// ---------------------------------------------------------------- CRC-32 (IEEE 802.3, as zip uses)
const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

// ---------------------------------------------------------------- label map run-length code
/**
 * Runs of equal labels as (label byte, run length as unsigned LEB128). A label map is mostly
 * background: 512×512×300 with five lesions codes to a few kB before deflate.
 */
export function encodeLabelsRle(labels: Uint8Array): Uint8Array {
  let out = new Uint8Array(1 << 16);
  let n = 0;
  const put = (b: number) => {
    if (n === out.length) { const o = new Uint8Array(out.length * 2); o.set(out); out = o; }
    out[n++] = b;
  };
  let i = 0;
  const len = labels.length;
  // Runs are scanned four bytes at a time where the array is 4-byte aligned (label maps are ~80 %
  // one long background run): 78 M voxels in tens of ms instead of a few hundred.
  const words = labels.byteOffset % 4 === 0 ? new Uint32Array(labels.buffer, labels.byteOffset, len >> 2) : null;
  while (i < len) {
    const v = labels[i]!;
    let j = i + 1;
    if (words) {
      while (j < len && (j & 3) !== 0 && labels[j] === v) j++;
      const pattern = (v * 0x01010101) >>> 0;
      while (j + 4 <= len && (j & 3) === 0 && words[j >> 2] === pattern) j += 4;
    }
    while (j < len && labels[j] === v) j++;
    put(v);
    let run = j - i;
    while (run >= 0x80) { put((run & 0x7f) | 0x80); run = Math.floor(run / 128); }
    put(run);
    i = j;
  }
  return out.slice(0, n);
}

/** Checks that runs cover exactly `voxelCount` labels, each in `allowed`; throws PlanFileError otherwise. */
function checkLabelsRle(rle: Uint8Array, voxelCount: number, allowed: ReadonlySet<number>): void {
  decodeRuns(rle, voxelCount, allowed, null);
}

/**
 * Decodes runs into exactly `voxelCount` labels, each in `allowed` (into `out` when given: it is
 * written only after every run has been checked); throws PlanFileError otherwise.
 */
export function decodeLabelsRle(rle: Uint8Array, voxelCount: number, allowed: ReadonlySet<number>, out?: Uint8Array): Uint8Array {
  checkLabelsRle(rle, voxelCount, allowed);
  const target = out ?? new Uint8Array(voxelCount);
  if (target.length !== voxelCount) throw new Error('decode target of the wrong size');
  decodeRuns(rle, voxelCount, allowed, target);
  return target;
}

function decodeRuns(rle: Uint8Array, voxelCount: number, allowed: ReadonlySet<number>, out: Uint8Array | null): void {
  let p = 0, o = 0;
  while (p < rle.length) {
    const v = rle[p++]!;
    if (v !== 0 && !allowed.has(v)) throw new PlanFileError('invalid', `the label map holds label ${v}, which no lesion of the plan has`);
    let run = 0, scale = 1, b = 0x80;
    for (let k = 0; b & 0x80; k++) {
      if (p >= rle.length || k > 5) throw new PlanFileError('invalid', 'the label map is cut short');
      b = rle[p++]!;
      run += (b & 0x7f) * scale;
      scale *= 128;
    }
    if (run === 0 || o + run > voxelCount) throw new PlanFileError('invalid', `the label map does not fit this image (${voxelCount} voxels)`);
    if (out) out.fill(v, o, o + run);
    o += run;
  }
  if (o !== voxelCount) throw new PlanFileError('invalid', `the label map covers ${o} voxels, this image has ${voxelCount}`);
}

// ---------------------------------------------------------------- writing
export function writePlan(doc: CaseDoc, labels: Uint8Array, meta: PlanMeta, sacrumMask: Uint8Array | null = null): Uint8Array {
  const json = { format: PLAN_FORMAT, version: PLAN_VERSION, appVersion: meta.appVersion, savedAt: meta.savedAt, series: meta.series, voxelCount: labels.length, labelsEncoding: 'rle-u8-leb128', sacrumMask: sacrumMask !== null, doc };
  return sealZip(zipSync({
    [PLAN_JSON]: [strToU8(JSON.stringify(json)), { level: 6 }],
    [PLAN_LABELS]: [encodeLabelsRle(labels), { level: 6 }],
    ...(sacrumMask ? { [PLAN_SACRUM]: [encodeLabelsRle(sacrumMask), { level: 6 }] } : {}),
  }, { mtime: new Date(meta.savedAt) }));
}

/** A zip whose end record has no comment, sealed: the comment becomes the CRC-32 of all bytes before it. */
export function sealZip(zip: Uint8Array): Uint8Array {
  const out = new Uint8Array(zip.length + SEAL_LENGTH);
  out.set(zip);
  const eocd = zip.length - 22;
  out[eocd + 20] = SEAL_LENGTH & 0xff;
  out[eocd + 21] = SEAL_LENGTH >> 8;
  const crc = crc32(out.subarray(0, zip.length));
  out.set(strToU8(SEAL_PREFIX + crc.toString(16).padStart(8, '0')), zip.length);
  return out;
}

// ---------------------------------------------------------------- reading
/**
 * Reads and checks a plan for the open series (`open`, with `voxelCount` voxels). Throws
 * PlanFileError (damaged, not a plan, newer format, invalid content, another series). With
 * `labelsInto` the label map is decoded into that array as the very last step, after everything
 * has been checked (a restore writes the case's own label map without a second 78 MB copy).
 */
export function readPlan(bytes: Uint8Array, open: SeriesIdentity, voxelCount: number, labelsInto?: Uint8Array): PlanContents {
  if (bytes.length < 22 + SEAL_LENGTH) throw new PlanFileError(bytes.length >= 2 && bytes[0] === 0x50 && bytes[1] === 0x4b ? 'damaged' : 'not-a-plan', `the file is too short to be a plan (${bytes.length} bytes)`);
  const sealAt = bytes.length - SEAL_LENGTH;
  const eocd = sealAt - 22;
  const isZip = bytes[0] === 0x50 && bytes[1] === 0x4b;
  const seal = strFromU8(bytes.subarray(sealAt), true);
  if (bytes[eocd] !== 0x50 || bytes[eocd + 1] !== 0x4b || bytes[eocd + 2] !== 5 || bytes[eocd + 3] !== 6 || !seal.startsWith(SEAL_PREFIX)) {
    throw new PlanFileError(isZip ? 'damaged' : 'not-a-plan', isZip ? 'the file is damaged or cut short (its closing record is missing)' : 'this is not a SacroPlan plan file (.sacroplan)');
  }
  const crc = crc32(bytes.subarray(0, sealAt)).toString(16).padStart(8, '0');
  if (seal.slice(SEAL_PREFIX.length) !== crc) throw new PlanFileError('damaged', 'the file is damaged (its checksum does not match its content)');

  // Each entry's claimed size is checked before it is inflated: nothing larger than this series needs.
  const limits: Record<string, number> = { [PLAN_JSON]: MAX_JSON_BYTES, [PLAN_LABELS]: 2 * voxelCount + 16, [PLAN_SACRUM]: 2 * voxelCount + 16 };
  let files: Record<string, Uint8Array>;
  const claimed = new Map<string, number>();
  try {
    files = unzipSync(bytes, {
      filter: (f) => {
        claimed.set(f.name, f.originalSize);
        const max = limits[f.name];
        if (max === undefined) throw new PlanFileError('invalid', `unexpected entry "${f.name.slice(0, 80)}" in the plan`);
        if (!(f.originalSize <= max)) throw new PlanFileError('invalid', `entry ${f.name} claims ${f.originalSize} bytes; a plan for this image holds at most ${max}`);
        if (f.compression !== 0 && f.compression !== 8) throw new PlanFileError('invalid', `entry ${f.name} uses an unknown compression (${f.compression})`);
        return true;
      },
    });
  } catch (err) {
    if (err instanceof PlanFileError) throw err;
    throw new PlanFileError('damaged', `the file's zip structure is damaged (${(err as Error).message})`);
  }
  for (const [name, data] of Object.entries(files)) if (data.length !== claimed.get(name)) throw new PlanFileError('damaged', `entry ${name} holds ${data.length} bytes but claims ${claimed.get(name)}`);
  const jsonBytes = files[PLAN_JSON], rle = files[PLAN_LABELS];
  if (!jsonBytes || !rle) throw new PlanFileError('not-a-plan', `this zip is not a SacroPlan plan (it lacks ${!jsonBytes ? PLAN_JSON : PLAN_LABELS})`);
  let json: unknown;
  try {
    json = JSON.parse(strFromU8(jsonBytes));
  } catch {
    throw new PlanFileError('invalid', `${PLAN_JSON} is not valid JSON`);
  }
  const top = record(json, 'plan');
  if (top.format !== PLAN_FORMAT) throw new PlanFileError('not-a-plan', `this is not a SacroPlan plan (format ${String(JSON.stringify(top.format)).slice(0, 40)})`);
  if (typeof top.version !== 'number' || !Number.isInteger(top.version) || top.version < 1) throw new PlanFileError('invalid', 'the plan has no valid format version');
  if (top.version > PLAN_VERSION) throw new PlanFileError('future-version', `the plan was written by a newer SacroPlan (${typeof top.appVersion === 'string' ? top.appVersion.slice(0, 40) : 'unknown version'}, plan format ${top.version}); this version reads format ${PLAN_VERSION}: update SacroPlan to open it`);
  exactKeys(top, 'plan', ['format', 'version', 'appVersion', 'savedAt', 'series', 'voxelCount', 'labelsEncoding', 'sacrumMask', 'doc']);
  const meta: PlanMeta = { appVersion: str(top.appVersion, 'appVersion', 40), savedAt: str(top.savedAt, 'savedAt', 40), series: identity(top.series) };
  const why = seriesMismatch(meta.series, open);
  if (why) throw new PlanFileError('other-series', `this plan belongs to another series: ${why}`);
  if (top.voxelCount !== voxelCount) throw new PlanFileError('invalid', `the plan's label map has ${String(top.voxelCount).slice(0, 20)} voxels, this image ${voxelCount}`);
  if (top.labelsEncoding !== 'rle-u8-leb128') throw new PlanFileError('invalid', 'unknown label map encoding');
  const hasSacrum = bool(top.sacrumMask, 'sacrumMask');
  const sacrum = files[PLAN_SACRUM];
  if (hasSacrum !== (sacrum !== undefined)) throw new PlanFileError('invalid', hasSacrum ? `the plan lacks ${PLAN_SACRUM}` : `unexpected entry ${PLAN_SACRUM}`);
  const doc = validateDoc(top.doc);
  const allowed = new Set(doc.lesions.map((l) => l.label));
  checkLabelsRle(rle, voxelCount, allowed);
  const sacrumMask = sacrum ? decodeLabelsRle(sacrum, voxelCount, new Set([1])) : null;
  const labels = decodeLabelsRle(rle, voxelCount, allowed, labelsInto);
  return { meta, doc, labels, sacrumMask };
}

// ---------------------------------------------------------------- strict validation of the JSON
function fail(path: string, what: string): never {
  throw new PlanFileError('invalid', `${path} ${what}`);
}

function record(x: unknown, path: string): Record<string, unknown> {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) fail(path, 'must be an object');
  return x as Record<string, unknown>;
}

function exactKeys(o: Record<string, unknown>, path: string, required: readonly string[], optional: readonly string[] = []): void {
  for (const k of required) if (!(k in o)) fail(`${path}.${k}`, 'is missing');
  for (const k of Object.keys(o)) if (!required.includes(k) && !optional.includes(k)) fail(path, `has an unexpected key "${k.slice(0, 40)}"`);
}

function obj(x: unknown, path: string, required: readonly string[], optional: readonly string[] = []): Record<string, unknown> {
  const o = record(x, path);
  exactKeys(o, path, required, optional);
  return o;
}

function str(x: unknown, path: string, max: number, pattern?: RegExp): string {
  if (typeof x !== 'string') fail(path, 'must be text');
  if (x.length > max) fail(path, `is longer than ${max} characters`);
  if (pattern && !pattern.test(x)) fail(path, 'has an invalid form');
  return x;
}

function num(x: unknown, path: string, min: number, max: number, int = false): number {
  if (typeof x !== 'number' || !Number.isFinite(x)) fail(path, 'must be a finite number');
  if (x < min || x > max) fail(path, `must be between ${min} and ${max}`);
  if (int && !Number.isInteger(x)) fail(path, 'must be an integer');
  return x;
}

function bool(x: unknown, path: string): boolean {
  if (typeof x !== 'boolean') fail(path, 'must be true or false');
  return x;
}

function arr(x: unknown, path: string, max: number): unknown[] {
  if (!Array.isArray(x)) fail(path, 'must be a list');
  if (x.length > max) fail(path, `has more than ${max} entries`);
  return x;
}

function vec3(x: unknown, path: string): Vec3 {
  const a = arr(x, path, 3);
  if (a.length !== 3) fail(path, 'must be [x, y, z]');
  return [num(a[0], `${path}[0]`, -MAX_COORD_MM, MAX_COORD_MM), num(a[1], `${path}[1]`, -MAX_COORD_MM, MAX_COORD_MM), num(a[2], `${path}[2]`, -MAX_COORD_MM, MAX_COORD_MM)];
}

function nullable<T>(x: unknown, f: (x: unknown) => T): T | null {
  return x === null ? null : f(x);
}

function oneOf<T extends string>(x: unknown, path: string, options: readonly T[]): T {
  if (typeof x !== 'string' || !(options as readonly string[]).includes(x)) fail(path, `must be one of ${options.join(', ')}`);
  return x as T;
}

function trueOnly(x: unknown, path: string): true {
  if (x !== true) fail(path, 'must be true where present');
  return true;
}

/** DICOM UIDs are digits and dots (PS3.5 §9.1); some writers break the rule, so letters pass too. */
const UID = /^[0-9A-Za-z._-]{1,64}$/;
const ID = /^[A-Za-z0-9_.:-]{1,64}$/;

function identity(x: unknown): SeriesIdentity {
  const o = obj(x, 'series', ['studyUid', 'seriesUid', 'geometryFingerprint']);
  return {
    studyUid: nullable(o.studyUid, (v) => str(v, 'series.studyUid', 64, UID)),
    seriesUid: nullable(o.seriesUid, (v) => str(v, 'series.seriesUid', 64, UID)),
    geometryFingerprint: str(o.geometryFingerprint, 'series.geometryFingerprint', 400),
  };
}

function lesion(x: unknown, path: string): CaseLesion {
  const o = obj(x, path, ['id', 'label', 'name', 'color', 'visible', 'notes'], ['seeds', 'method', 'brushEdited']);
  return {
    id: str(o.id, `${path}.id`, 64, ID),
    label: num(o.label, `${path}.label`, 1, 255, true),
    name: str(o.name, `${path}.name`, 200),
    color: str(o.color, `${path}.color`, 7, /^#[0-9a-fA-F]{6}$/),
    visible: bool(o.visible, `${path}.visible`),
    notes: str(o.notes, `${path}.notes`, MAX_TEXT),
    ...(o.seeds !== undefined ? { seeds: arr(o.seeds, `${path}.seeds`, 1000).map((s, i) => seedStroke(s, `${path}.seeds[${i}]`)) } : {}),
    ...(o.method !== undefined ? { method: oneOf(o.method, `${path}.method`, LESION_METHODS) } : {}),
    ...(o.brushEdited !== undefined ? { brushEdited: bool(o.brushEdited, `${path}.brushEdited`) } : {}),
  };
}

function seedStroke(x: unknown, path: string): SeedStroke {
  const o = obj(x, path, ['kind', 'pointsLps', 'radiusMm']);
  return {
    kind: oneOf(o.kind, `${path}.kind`, ['lesion', 'background'] as const),
    pointsLps: arr(o.pointsLps, `${path}.pointsLps`, 10000).map((p, i) => vec3(p, `${path}.pointsLps[${i}]`)),
    radiusMm: num(o.radiusMm, `${path}.radiusMm`, 0.1, 50),
  };
}

function foramen(x: unknown, path: string): Foramen {
  const o = obj(x, path, ['id', 'level', 'side', 'anteriorLps', 'posteriorLps', 'radiusMm', 'confidence', 'source'], ['radiusAtFitLimit']);
  const id = oneOf(o.id, `${path}.id`, FORAMEN_IDS);
  if (o.level !== id.slice(0, 2) || o.side !== id.slice(3)) fail(path, `level and side must match ${id}`);
  return {
    id, level: id.slice(0, 2) as Foramen['level'], side: id.slice(3) as Foramen['side'],
    anteriorLps: vec3(o.anteriorLps, `${path}.anteriorLps`), posteriorLps: vec3(o.posteriorLps, `${path}.posteriorLps`),
    radiusMm: num(o.radiusMm, `${path}.radiusMm`, 0.01, 50), confidence: num(o.confidence, `${path}.confidence`, 0, 1), source: oneOf(o.source, `${path}.source`, ['auto', 'manual'] as const),
    ...(o.radiusAtFitLimit !== undefined ? { radiusAtFitLimit: trueOnly(o.radiusAtFitLimit, `${path}.radiusAtFitLimit`) } : {}),
  };
}

function canal(x: unknown): Canal {
  const o = obj(x, 'doc.anatomy.canal', ['centerlineLps', 'radiusMm', 'confidence', 'source']);
  const pts = arr(o.centerlineLps, 'doc.anatomy.canal.centerlineLps', 2000).map((p, i) => vec3(p, `doc.anatomy.canal.centerlineLps[${i}]`));
  const radii = arr(o.radiusMm, 'doc.anatomy.canal.radiusMm', 2000).map((r, i) => num(r, `doc.anatomy.canal.radiusMm[${i}]`, 0.01, 50));
  if (pts.length < 2 || radii.length !== pts.length) fail('doc.anatomy.canal', 'needs at least two centreline points and one radius per point');
  return { centerlineLps: pts, radiusMm: radii, confidence: num(o.confidence, 'doc.anatomy.canal.confidence', 0, 1), source: oneOf(o.source, 'doc.anatomy.canal.source', ['auto', 'manual'] as const) };
}

function frame(x: unknown): SacralFrame {
  const o = obj(x, 'doc.anatomy.frame', ['midlinePointLps', 'midlineNormalLps', 'bodyCentersLps']);
  const n = vec3(o.midlineNormalLps, 'doc.anatomy.frame.midlineNormalLps');
  if (!(Math.hypot(n[0], n[1], n[2]) > 1e-6)) fail('doc.anatomy.frame.midlineNormalLps', 'must not be zero');
  return { midlinePointLps: vec3(o.midlinePointLps, 'doc.anatomy.frame.midlinePointLps'), midlineNormalLps: n, bodyCentersLps: arr(o.bodyCentersLps, 'doc.anatomy.frame.bodyCentersLps', 20).map((p, i) => vec3(p, `doc.anatomy.frame.bodyCentersLps[${i}]`)) };
}

function foraminaList(x: unknown, path: string): Foramen[] {
  const list = arr(x, path, 8).map((f, i) => foramen(f, `${path}[${i}]`));
  if (new Set(list.map((f) => f.id)).size !== list.length) fail(path, 'lists a foramen twice');
  return list;
}

function anatomy(x: unknown): SacralAnatomy {
  // suggested: the last detection's foramina (for "reset to suggestion"); outsideFov: foramina beyond the image
  const o = obj(x, 'doc.anatomy', ['foramina', 'canal', 'frame'], ['suggested', 'outsideFov']);
  const a: SacralAnatomy = { foramina: foraminaList(o.foramina, 'doc.anatomy.foramina'), canal: nullable(o.canal, canal), frame: nullable(o.frame, frame) };
  if (o.suggested !== undefined) a.suggested = foraminaList(o.suggested, 'doc.anatomy.suggested');
  if (o.outsideFov !== undefined) {
    const ids = arr(o.outsideFov, 'doc.anatomy.outsideFov', 8).map((id, i) => oneOf(id, `doc.anatomy.outsideFov[${i}]`, FORAMEN_IDS));
    if (new Set(ids).size !== ids.length) fail('doc.anatomy.outsideFov', 'lists a foramen twice');
    a.outsideFov = ids;
  }
  return a;
}

const NEEDLE_KINDS: readonly NeedleKind[] = ['bone-needle', 'coaxial', 'rf-electrode', 'custom'];

function needleSpec(x: unknown, path: string): Needle {
  const o = obj(x, path, ['id', 'name', 'gauge', 'kind', 'outerDiameterMm', 'workingLengthMm', 'source'], ['activeTipMm']);
  const n: Needle = {
    id: str(o.id, `${path}.id`, 100), name: str(o.name, `${path}.name`, 200), gauge: nullable(o.gauge, (g) => num(g, `${path}.gauge`, 1, 40)),
    kind: oneOf(o.kind, `${path}.kind`, NEEDLE_KINDS), outerDiameterMm: num(o.outerDiameterMm, `${path}.outerDiameterMm`, 0.1, 20),
    workingLengthMm: num(o.workingLengthMm, `${path}.workingLengthMm`, 1, 1000), source: str(o.source, `${path}.source`, 200),
  };
  if (o.activeTipMm !== undefined) n.activeTipMm = num(o.activeTipMm, `${path}.activeTipMm`, 1, 100);
  return n;
}

function ablation(x: unknown, path: string): AblationParams {
  const o = obj(x, path, ['extraLengthMm', 'diameterMm', 'burns', 'stepMm']);
  return {
    extraLengthMm: num(o.extraLengthMm, `${path}.extraLengthMm`, 0, 50), diameterMm: nullable(o.diameterMm, (d) => num(d, `${path}.diameterMm`, 1, 100)),
    burns: num(o.burns, `${path}.burns`, 1, 10, true), stepMm: nullable(o.stepMm, (s) => num(s, `${path}.stepMm`, 0.1, 100)),
  };
}

function rfReport(x: unknown, path: string): RfReport {
  const o = obj(x, path, ['tipLps', 'entryLps', 'burns', 'options', 'reasons']);
  return {
    tipLps: vec3(o.tipLps, `${path}.tipLps`), entryLps: vec3(o.entryLps, `${path}.entryLps`), burns: num(o.burns, `${path}.burns`, 1, 10, true),
    options: arr(o.options, `${path}.options`, 10).map((v, i) => {
      const q = obj(v, `${path}.options[${i}]`, ['burns', 'coverage', 'marginMm', 'coverageAnyMargin']);
      return {
        burns: num(q.burns, `${path}.options[${i}].burns`, 1, 10, true), coverage: num(q.coverage, `${path}.options[${i}].coverage`, 0, 1),
        marginMm: nullable(q.marginMm, (m) => num(m, `${path}.options[${i}].marginMm`, -1000, 1000)), coverageAnyMargin: num(q.coverageAnyMargin, `${path}.options[${i}].coverageAnyMargin`, 0, 1),
      };
    }),
    reasons: arr(o.reasons, `${path}.reasons`, 20).map((r, i) => str(r, `${path}.reasons[${i}]`, 1000)),
  };
}

function needle(x: unknown, path: string, lesionIds: ReadonlySet<string>): CaseNeedle {
  // rfReport came later: a plan without it has none.
  const o = obj(x, path, ['id', 'approach', 'lesionId', 'needle', 'entryLps', 'targetLps', 'advance', 'source', 'ablation', 'cementMl'], ['rfReport']);
  const lesionId = nullable(o.lesionId, (v) => str(v, `${path}.lesionId`, 64, ID));
  if (lesionId !== null && !lesionIds.has(lesionId)) fail(`${path}.lesionId`, `names no lesion of the plan (${lesionId})`);
  return {
    id: str(o.id, `${path}.id`, 64, ID), approach: nullable(o.approach, (a) => oneOf(a, `${path}.approach`, APPROACH_NAMES as readonly ApproachName[])), lesionId,
    needle: needleSpec(o.needle, `${path}.needle`), entryLps: vec3(o.entryLps, `${path}.entryLps`), targetLps: vec3(o.targetLps, `${path}.targetLps`),
    advance: num(o.advance, `${path}.advance`, 0, 1), source: oneOf(o.source, `${path}.source`, ['auto', 'manual'] as const),
    ablation: nullable(o.ablation, (a) => ablation(a, `${path}.ablation`)), cementMl: nullable(o.cementMl, (c) => num(c, `${path}.cementMl`, 0.01, 30)),
    ...(o.rfReport !== undefined ? { rfReport: nullable(o.rfReport, (r) => rfReport(r, `${path}.rfReport`)) } : {}),
  };
}

function thresholds(x: unknown): SafetyThresholds {
  // The coverage warning and the ranking margin came later: a plan without them takes the defaults.
  const o = obj(x, 'doc.thresholds', ['neuralFailMm', 'neuralWarnMm', 'anteriorCortexWarnMm', 'ablationNeuralWarnMm'], ['ablationCoverageWarnPct', 'rankTieMm']);
  return {
    neuralFailMm: num(o.neuralFailMm, 'doc.thresholds.neuralFailMm', 0, 100), neuralWarnMm: num(o.neuralWarnMm, 'doc.thresholds.neuralWarnMm', 0, 100),
    anteriorCortexWarnMm: num(o.anteriorCortexWarnMm, 'doc.thresholds.anteriorCortexWarnMm', 0, 100), ablationNeuralWarnMm: num(o.ablationNeuralWarnMm, 'doc.thresholds.ablationNeuralWarnMm', 0, 100),
    ablationCoverageWarnPct: o.ablationCoverageWarnPct === undefined ? DEFAULT_THRESHOLDS.ablationCoverageWarnPct : num(o.ablationCoverageWarnPct, 'doc.thresholds.ablationCoverageWarnPct', 0, 100),
    rankTieMm: o.rankTieMm === undefined ? DEFAULT_THRESHOLDS.rankTieMm : num(o.rankTieMm, 'doc.thresholds.rankTieMm', 0, 20),
  };
}

/** The case document in `x`, checked key by key (throws PlanFileError naming the first problem). */
export function validateDoc(x: unknown): CaseDoc {
  const o = obj(x, 'doc', ['lesions', 'anatomy', 'needles', 'thresholds', 'nextLesionNo', 'nextNeedleNo']);
  const lesions = arr(o.lesions, 'doc.lesions', 255).map((l, i) => lesion(l, `doc.lesions[${i}]`));
  if (new Set(lesions.map((l) => l.id)).size !== lesions.length) fail('doc.lesions', 'lists a lesion id twice');
  if (new Set(lesions.map((l) => l.label)).size !== lesions.length) fail('doc.lesions', 'gives two lesions the same label');
  const ids = new Set(lesions.map((l) => l.id));
  const needles = arr(o.needles, 'doc.needles', 200).map((n, i) => needle(n, `doc.needles[${i}]`, ids));
  if (new Set(needles.map((n) => n.id)).size !== needles.length) fail('doc.needles', 'lists a needle id twice');
  return {
    lesions, anatomy: nullable(o.anatomy, anatomy), needles, thresholds: thresholds(o.thresholds),
    nextLesionNo: num(o.nextLesionNo, 'doc.nextLesionNo', 1, 1e9, true), nextNeedleNo: num(o.nextNeedleNo, 'doc.nextNeedleNo', 1, 1e9, true),
  };
}
