/**
 * Test fixtures for anatomy detection: phantom and real-CT loaders (node), distances to truth.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ScalarVolume } from '../../src/core/volume';
import type { Vec3 } from '../../src/core/vec3';
import { scanAndLoadDicom } from '../../src/io/dicom';
import { loadNifti } from '../../src/io/nifti';
import { ensurePhantom, filesIn, readTruth, sharedDir } from '../helpers/shared';

const cache = new Map<string, { volume: ScalarVolume; truth: any }>();

/** Loads (once per test file) a generated phantom through the app's own DICOM loader. */
export async function loadPhantom(config: 'default.json' | 'hard.json'): Promise<{ volume: ScalarVolume; truth: any }> {
  const hit = cache.get(config);
  if (hit) return hit;
  const dir = ensurePhantom(config);
  const r = await scanAndLoadDicom(filesIn(join(dir, 'dicom')));
  if (!r.loaded) throw new Error(`${config}: the phantom did not load`);
  const out = { volume: r.loaded.volume, truth: readTruth(dir) };
  cache.set(config, out);
  return out;
}

export const realCtDir = join(sharedDir, 'data', 'totalseg-example-ct');

export async function loadNiftiPath(path: string): Promise<ScalarVolume> {
  const name = path.split('/').pop() ?? 'volume.nii.gz';
  const r = await loadNifti(new File([readFileSync(path)], name));
  return r.volume;
}

export function dist(a: Readonly<Vec3>, b: Readonly<Vec3>): number {
  return Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
}

export function midpoint(a: Readonly<Vec3>, b: Readonly<Vec3>): Vec3 {
  return [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2, (a[2] + b[2]) / 2];
}

/** Distance from a point to a polyline (segments). */
export function distanceToPolyline(p: Readonly<Vec3>, line: readonly Vec3[]): number {
  if (line.length === 1) return dist(p, line[0]!);
  let best = Infinity;
  for (let n = 1; n < line.length; n++) {
    const a = line[n - 1]!, b = line[n]!;
    const ab = [b[0] - a[0], b[1] - a[1], b[2] - a[2]];
    const L2 = ab[0]! ** 2 + ab[1]! ** 2 + ab[2]! ** 2;
    let t = L2 > 0 ? ((p[0] - a[0]) * ab[0]! + (p[1] - a[1]) * ab[1]! + (p[2] - a[2]) * ab[2]!) / L2 : 0;
    t = Math.max(0, Math.min(1, t));
    best = Math.min(best, dist(p, [a[0] + ab[0]! * t, a[1] + ab[1]! * t, a[2] + ab[2]! * t]));
  }
  return best;
}

/** Sacral-frame coordinates (x, s, q) of an LPS point from truth.anatomy.sacral_frame. */
export function sacralXsq(truth: any, p: Readonly<Vec3>): Vec3 {
  const f = truth.anatomy.sacral_frame;
  const off = f.anatomy_offset_lps as Vec3, O = f.O_canonical as Vec3;
  const R = f.R_mm as number, phi0 = (f.phi0_deg * Math.PI) / 180;
  const x = p[0] - f.midline_x_lps;
  const dy = p[1] - off[1] - O[1], dz = p[2] - off[2] - O[2];
  return [x, R * (phi0 - Math.atan2(dz, dy)), Math.hypot(dy, dz) - R];
}

/** LPS point of sacral-frame coordinates (x, s, q) from truth.anatomy.sacral_frame (README formula). */
export function sacralToLps(truth: any, x: number, s: number, q: number): Vec3 {
  const f = truth.anatomy.sacral_frame;
  const off = f.anatomy_offset_lps as Vec3, O = f.O_canonical as Vec3;
  const R = f.R_mm as number, phi = (f.phi0_deg * Math.PI) / 180 - s / R;
  return [off[0] + x, off[1] + O[1] + (R + q) * Math.cos(phi), off[2] + O[2] + (R + q) * Math.sin(phi)];
}

/** Mask value at the voxel nearest an LPS point (0 outside). */
export function maskAt(volume: ScalarVolume, mask: Uint8Array, p: Readonly<Vec3>): number {
  const idx = volume.geometry.nearestIndex(p);
  return idx ? mask[volume.geometry.offset(idx[0], idx[1], idx[2])]! : 0;
}

/** HU at the voxel nearest an LPS point (NaN outside). */
export function huAt(volume: ScalarVolume, p: Readonly<Vec3>): number {
  const idx = volume.geometry.nearestIndex(p);
  return idx ? volume.voxels[volume.geometry.offset(idx[0], idx[1], idx[2])]! : NaN;
}
