/**
 * The landmark references read by eye on real scans (test/anatomy/fixtures/*.landmarks.json), their
 * loaders, and the comparison of a detection with them.
 */
import { readFileSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createScalarVolume, type ScalarVolume } from '../../../src/core/volume';
import { VolumeGeometry } from '../../../src/core/geometry';
import type { Vec3 } from '../../../src/core/vec3';
import type { Foramen, ForamenId, SacralAnatomy } from '../../../src/anatomy/types';
import { scanAndLoadDicom } from '../../../src/io/dicom';
import { filesIn, sharedDir } from '../../helpers/shared';
import { dist, distanceToPolyline, loadNiftiPath } from '../fixtures-anatomy';

const here = dirname(fileURLToPath(import.meta.url));

export interface ReferenceForamen { anteriorLps: Vec3; posteriorLps: Vec3 | null }
export interface LandmarkReference {
  name: string;
  scan: string;
  midlineXMm: number;
  outsideFov: ForamenId[];
  notRead?: ForamenId[];
  /** Foramina whose reference is less certain than the 3 mm target (the reason is in the fixture's looseWhy): the bound used for them. */
  looseMm?: Partial<Record<ForamenId, number>>;
  foramina: Partial<Record<ForamenId, ReferenceForamen>>;
  canalLps: Vec3[];
  method: { levelCertain?: boolean };
}

export const REAL_SCANS = ['pelvic-ref-003', 'pancreas-ct-cb-001-upper-sacrum', 'totalseg-example-ct', 'prostatex-0218-t2sag-lower-sacrum'] as const;
export type RealScan = (typeof REAL_SCANS)[number];

export function readReference(name: RealScan): LandmarkReference {
  const j = JSON.parse(readFileSync(resolve(here, '..', 'fixtures', `${name}.landmarks.json`), 'utf8'));
  return { name, ...j };
}

const volumes = new Map<string, ScalarVolume>();
/** Loads a real scan through the app's own loaders (cached per process). */
export async function loadRealScan(ref: LandmarkReference): Promise<ScalarVolume> {
  const hit = volumes.get(ref.scan);
  if (hit) return hit;
  const path = join(sharedDir, 'data', ref.scan);
  let v: ScalarVolume;
  if (path.endsWith('.nii.gz') || path.endsWith('.nii')) v = await loadNiftiPath(path);
  else {
    const r = await scanAndLoadDicom(filesIn(path));
    if (!r.loaded) throw new Error(`${ref.scan} did not load`);
    v = r.loaded.volume;
  }
  volumes.set(ref.scan, v);
  return v;
}

/** The error bound for one foramen against the reference: 3 mm, or the fixture's looser bound where its reading is less certain. */
export function foramenBoundMm(ref: LandmarkReference, id: ForamenId): number {
  return ref.looseMm?.[id] ?? 3;
}

/** Distance of a point to the segment a–b (mm). */
export function pointSegmentMm(p: Readonly<Vec3>, a: Readonly<Vec3>, b: Readonly<Vec3>): number {
  return distanceToPolyline(p, [a as Vec3, b as Vec3]);
}

/**
 * Error of one foramen against the reference: the reference anterior opening's distance to the
 * foramen's anterior opening. (Where on a funnel-shaped opening "the" opening is varies by a few mm
 * between readers, so the axis distance is also reported: the opening must lie on the capsule's axis.)
 */
export function foramenError(f: Pick<Foramen, 'anteriorLps' | 'posteriorLps'>, r: ReferenceForamen): { openingMm: number; axisMm: number } {
  return { openingMm: dist(f.anteriorLps, r.anteriorLps), axisMm: pointSegmentMm(r.anteriorLps, f.anteriorLps, f.posteriorLps) };
}

export interface ComparedForamen {
  id: ForamenId;
  status: 'found' | 'check' | 'missing' | 'outside';
  confidence: number | null;
  openingMm: number | null;
  axisMm: number | null;
  /** The reference opening nearest to the suggestion, when it is another foramen (wrong level or side). */
  nearestRefId: ForamenId | null;
}

/** Compares each suggested foramen with the reference; `isFound` says whether the app shows it as found. */
export function compareForamina(anatomy: SacralAnatomy, ref: LandmarkReference, isFound: (f: Foramen) => boolean): ComparedForamen[] {
  const out: ComparedForamen[] = [];
  for (const f of anatomy.foramina) {
    const r = ref.foramina[f.id];
    let nearestRefId: ForamenId | null = null, nearest = Infinity;
    for (const [id, rf] of Object.entries(ref.foramina) as [ForamenId, ReferenceForamen][]) {
      const d = dist(f.anteriorLps, rf.anteriorLps);
      if (d < nearest) { nearest = d; nearestRefId = id; }
    }
    const e = r ? foramenError(f, r) : null;
    out.push({
      id: f.id, status: isFound(f) ? 'found' : 'check', confidence: f.confidence,
      openingMm: e?.openingMm ?? null, axisMm: e?.axisMm ?? null, nearestRefId,
    });
  }
  return out;
}

export function canalErrorMm(centerline: readonly Vec3[], ref: LandmarkReference): number[] {
  return ref.canalLps.map((p) => distanceToPolyline(p, centerline));
}

/** The slices of a volume whose centres lie within zLo..zHi (LPS mm): a series whose field of view stops there. */
export function cropSlicesZ(v: ScalarVolume, zLo: number, zHi: number): ScalarVolume {
  const g = v.geometry, [ni, nj, nk] = g.dims;
  const ks: number[] = [];
  for (let k = 0; k < nk; k++) { const z = g.ijkToLps([0, 0, 0], 0, 0, k)[2]; if (z >= zLo && z <= zHi) ks.push(k); }
  const k0 = Math.min(...ks), k1 = Math.max(...ks);
  const geo = new VolumeGeometry({ dims: [ni, nj, k1 - k0 + 1], spacingMm: g.spacingMm, originLps: g.ijkToLps([0, 0, 0], 0, 0, k0), directionCosines: g.directionCosines });
  return createScalarVolume(`${v.id}:z${zLo}-${zHi}`, geo, v.voxels.slice(k0 * ni * nj, (k1 + 1) * ni * nj), v.units, v.modality);
}
