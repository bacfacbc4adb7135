/**
 * Which series a case belongs to. A plan file or an autosave carries the study and series UIDs
 * and a fingerprint of the voxel grid; it opens only where both match, so lesions are never laid
 * over another scan (or the same series resampled differently). Pure.
 */
import type { VolumeGeometry } from '../core/geometry';
import type { SeriesIdentity } from './types';

/**
 * The grid as text: dims, spacing (0.1 µm), origin (1 µm) and direction cosines (1e-6). Rounded so
 * that the same series read twice (float noise in the header arithmetic) gives the same text.
 */
export function geometryFingerprint(g: VolumeGeometry): string {
  const f = (xs: readonly number[], d: number) => xs.map((x) => (Math.abs(x) < 0.5 * 10 ** -d ? 0 : x).toFixed(d)).join(',');
  return `${g.dims.join('x')};s${f(g.spacingMm, 4)};o${f(g.originLps, 3)};d${f(g.directionCosines, 6)}`;
}

export function seriesIdentity(g: VolumeGeometry, studyUid: string | null, seriesUid: string | null): SeriesIdentity {
  return { studyUid: studyUid || null, seriesUid: seriesUid || null, geometryFingerprint: geometryFingerprint(g) };
}

/** One string for storage keys. */
export function identityKey(id: SeriesIdentity): string {
  return `${id.studyUid ?? '-'}|${id.seriesUid ?? '-'}|${id.geometryFingerprint}`;
}

/** Why a case saved for `saved` cannot open on `open`, or null when it is the same series. */
export function seriesMismatch(saved: SeriesIdentity, open: SeriesIdentity): string | null {
  if (saved.seriesUid !== open.seriesUid || saved.studyUid !== open.studyUid) {
    const name = (x: SeriesIdentity) => (x.seriesUid ? `series ${x.seriesUid}` : 'a series without UID (NIfTI or the demo)');
    return `it was made on ${name(saved)}${saved.studyUid ? ` of study ${saved.studyUid}` : ''}, but the open image is ${name(open)}${open.studyUid ? ` of study ${open.studyUid}` : ''}`;
  }
  if (saved.geometryFingerprint !== open.geometryFingerprint) {
    const what = saved.seriesUid ? 'the same series but another voxel grid' : 'another image (no series UID to compare; its voxel grid differs)';
    return `it was made on ${what}: saved ${saved.geometryFingerprint}, open ${open.geometryFingerprint}`;
  }
  return null;
}
