/**
 * Fill between slices: a lesion outlined on a few slices (k = const) is completed on the empty
 * slices between them by shape-based interpolation (Raya & Udupa, "Shape-based interpolation of
 * multidimensional objects", IEEE TMI 9:32-42, 1990): each drawn slice becomes a signed distance
 * map in mm (negative inside), the maps of the two nearest drawn slices are blended linearly by
 * the physical position along k, and a voxel is filled where the blend is negative.
 * Only empty slices strictly between drawn slices are written (over background only).
 */
import type { LabelEditRecorder } from './history';
import type { LabelMap } from './labelmap';
import { squaredDistanceTo } from './morphology';

/** Signed 2D distance (mm) of one slice's mask; negative inside. */
function signedDistance2d(mask: Uint8Array, bi: number, bj: number, si: number, sj: number): Float64Array {
  const dIn = squaredDistanceTo(mask, [bi, bj, 1], [si, sj, 1], 0);
  const dOut = squaredDistanceTo(mask, [bi, bj, 1], [si, sj, 1], 1);
  const h = 0.5 * Math.min(si, sj);
  const out = new Float64Array(mask.length);
  for (let n = 0; n < mask.length; n++) {
    // an empty slice has no inside: dOut = Infinity everywhere (never filled)
    out[n] = mask[n] ? h - Math.sqrt(dIn[n]!) : Math.sqrt(dOut[n]!) - h;
  }
  return out;
}

/**
 * Interpolates `label` across empty slices between slices where it is drawn.
 * Returns the number of voxels filled.
 */
export function interpolateSlices(labels: LabelMap, label: number, recorder?: LabelEditRecorder): number {
  const box = labels.tightBox(label);
  if (!box) return 0;
  const [ni, nj] = labels.geometry.dims;
  const [si, sj] = labels.geometry.spacingMm;
  // pad the in-plane box so that interpolated shapes are not clipped
  const i0 = Math.max(0, box[0] - 1), i1 = Math.min(ni - 1, box[3] + 1);
  const j0 = Math.max(0, box[1] - 1), j1 = Math.min(nj - 1, box[4] + 1);
  const bi = i1 - i0 + 1, bj = j1 - j0 + 1;
  const data = labels.data;
  const sliceMask = (k: number): Uint8Array => {
    const m = new Uint8Array(bi * bj);
    let n = 0;
    for (let j = j0; j <= j1; j++) {
      const row = ni * (j + nj * k);
      for (let i = i0; i <= i1; i++, n++) if (data[row + i] === label) m[n] = 1;
    }
    return m;
  };
  const drawn: number[] = [];
  const masks = new Map<number, Uint8Array>();
  for (let k = box[2]; k <= box[5]; k++) {
    const m = sliceMask(k);
    if (m.some((x) => x === 1)) { drawn.push(k); masks.set(k, m); }
  }
  let filled = 0;
  for (let t = 0; t + 1 < drawn.length; t++) {
    const ka = drawn[t]!, kb = drawn[t + 1]!;
    if (kb - ka < 2) continue;
    const da = signedDistance2d(masks.get(ka)!, bi, bj, si, sj);
    const db = signedDistance2d(masks.get(kb)!, bi, bj, si, sj);
    for (let k = ka + 1; k < kb; k++) {
      const w = (k - ka) / (kb - ka);
      let n = 0;
      for (let j = j0; j <= j1; j++) {
        const row = ni * (j + nj * k);
        for (let i = i0; i <= i1; i++, n++) {
          const s = (1 - w) * da[n]! + w * db[n]!;
          if (s < 0 && data[row + i] === 0) { labels.set(row + i, label, recorder); filled++; }
        }
      }
    }
  }
  return filled;
}
