import { describe, expect, it } from 'vitest';
import { fillHolesMask, labelComponents, neighbourOffsets, squaredDistanceTo, type Connectivity } from '../../src/segmentation/morphology';

describe('squaredDistanceTo', () => {
  it('equals the brute-force squared distance to the nearest feature voxel (anisotropic spacing, both feature values, empty rows, lines all inside the feature)', () => {
    const dims: [number, number, number] = [17, 11, 9];
    const sp: [number, number, number] = [0.7, 1.1, 2.3];
    const n = dims[0] * dims[1] * dims[2];
    let seed = 3;
    const rnd = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 4294967296);
    for (const density of [0.002, 0.03, 0.4, 0.9]) {
      const mask = new Uint8Array(n);
      for (let o = 0; o < n; o++) mask[o] = rnd() < density ? 1 : 0;
      for (const feature of [1, 0] as const) {
        const d2 = squaredDistanceTo(mask, dims, sp, feature);
        const feats: number[][] = [];
        for (let k = 0, o = 0; k < dims[2]; k++) for (let j = 0; j < dims[1]; j++) for (let i = 0; i < dims[0]; i++, o++) if (mask[o] === feature) feats.push([i, j, k]);
        let worst = 0;
        for (let k = 0, o = 0; k < dims[2]; k++) for (let j = 0; j < dims[1]; j++) for (let i = 0; i < dims[0]; i++, o++) {
          let best = Infinity;
          for (const f of feats) best = Math.min(best, ((f[0]! - i) * sp[0]) ** 2 + ((f[1]! - j) * sp[1]) ** 2 + ((f[2]! - k) * sp[2]) ** 2);
          worst = Math.max(worst, best === Infinity ? (d2[o] === Infinity ? 0 : Infinity) : Math.abs(d2[o]! - best));
        }
        expect(feats.length).toBeGreaterThan(0);
        expect(worst).toBeLessThan(1e-9);
      }
    }
  });

  it('is Infinity everywhere without a feature voxel', () => {
    const d2 = squaredDistanceTo(new Uint8Array(60), [5, 4, 3], [1, 1, 1], 1);
    expect([...d2].every((x) => x === Infinity)).toBe(true);
  });
});

/** Reference: background voxels 6-connected to the box faces are outside; everything else is filled. */
function fillHolesReference(mask: Uint8Array, dims: [number, number, number]): Uint8Array {
  const [ni, nj, nk] = dims;
  const outside = new Uint8Array(mask.length);
  const stack: number[][] = [];
  for (let k = 0; k < nk; k++) for (let j = 0; j < nj; j++) for (let i = 0; i < ni; i++) {
    if ((i === 0 || j === 0 || k === 0 || i === ni - 1 || j === nj - 1 || k === nk - 1) && !mask[i + ni * (j + nj * k)]) stack.push([i, j, k]);
  }
  while (stack.length) {
    const [i, j, k] = stack.pop()!;
    if (i! < 0 || j! < 0 || k! < 0 || i! >= ni || j! >= nj || k! >= nk) continue;
    const o = i! + ni * (j! + nj * k!);
    if (mask[o] || outside[o]) continue;
    outside[o] = 1;
    stack.push([i! - 1, j!, k!], [i! + 1, j!, k!], [i!, j! - 1, k!], [i!, j! + 1, k!], [i!, j!, k! - 1], [i!, j!, k! + 1]);
  }
  return Uint8Array.from(outside, (v) => (v ? 0 : 1));
}

describe('fillHolesMask', () => {
  it('equals a plain flood from the box faces (random shells with holes, thin boxes, non-0/1 mask values)', () => {
    let seed = 11;
    const rnd = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 4294967296);
    for (const dims of [[14, 12, 10], [1, 9, 7], [8, 1, 6], [9, 7, 1], [3, 3, 3]] as [number, number, number][]) {
      for (let trial = 0; trial < 6; trial++) {
        const n = dims[0] * dims[1] * dims[2];
        const mask = new Uint8Array(n);
        // hollow spheres (holes inside) plus noise
        const c = dims.map((d) => d / 2), r = Math.min(...dims) * (0.25 + 0.2 * rnd());
        for (let k = 0, o = 0; k < dims[2]; k++) for (let j = 0; j < dims[1]; j++) for (let i = 0; i < dims[0]; i++, o++) {
          const d = Math.hypot(i - c[0]!, j - c[1]!, k - c[2]!);
          mask[o] = (Math.abs(d - r) < 1 || rnd() < 0.15) ? (trial % 2 ? 1 : 7) : 0;
        }
        const got = fillHolesMask(mask, dims), want = fillHolesReference(mask, dims);
        let diff = 0, holes = 0;
        for (let o = 0; o < n; o++) { if (got[o] !== want[o]) diff++; if (want[o] && !mask[o]) holes++; }
        expect(diff).toBe(0);
        if (dims.every((d) => d >= 10)) expect(holes).toBeGreaterThan(0);
      }
    }
  });

  it('a cup open on one face only is not a hole (each of the six faces); closed, it is', () => {
    const dims: [number, number, number] = [7, 6, 5];
    const [ni, nj, nk] = dims;
    for (let face = 0; face < 7; face++) {
      // the box's outer layer is the wall, except the face `face` (6: none open: a closed box)
      const mask = new Uint8Array(ni * nj * nk);
      for (let k = 0, o = 0; k < nk; k++) for (let j = 0; j < nj; j++) for (let i = 0; i < ni; i++, o++) {
        const on = [i === 0, i === ni - 1, j === 0, j === nj - 1, k === 0, k === nk - 1];
        const open = face < 6 && on[face] && on.filter(Boolean).length === 1;
        mask[o] = on.some(Boolean) && !open ? 1 : 0;
      }
      const got = fillHolesMask(mask, dims);
      const centre = got[3 + ni * (3 + nj * 2)];
      expect(centre, `face ${face}`).toBe(face === 6 ? 1 : 0);
      expect([...got]).toEqual([...fillHolesReference(mask, dims)]);
    }
  });
});

/** Components by the definition: a flood from each unlabelled mask voxel in scan order, neighbours bounds-checked. */
function componentsPlain(mask: Uint8Array, dims: [number, number, number], conn: Connectivity): { ids: Int32Array; sizes: number[] } {
  const [ni, nj, nk] = dims;
  const ids = new Int32Array(mask.length), off = neighbourOffsets(conn), sizes = [0];
  for (let s = 0; s < mask.length; s++) {
    if (!mask[s] || ids[s]) continue;
    const id = sizes.length, stack = [s];
    ids[s] = id;
    let size = 0;
    while (stack.length) {
      const n = stack.pop()!;
      size++;
      const k = Math.floor(n / (ni * nj)), j = Math.floor((n - k * ni * nj) / ni), i = n - k * ni * nj - j * ni;
      for (let t = 0; t < off.length; t += 3) {
        const ii = i + off[t]!, jj = j + off[t + 1]!, kk = k + off[t + 2]!;
        if (ii < 0 || jj < 0 || kk < 0 || ii >= ni || jj >= nj || kk >= nk) continue;
        const m = ii + ni * (jj + nj * kk);
        if (mask[m] && !ids[m]) { ids[m] = id; stack.push(m); }
      }
    }
    sizes.push(size);
  }
  return { ids, sizes };
}

describe('labelComponents', () => {
  it('gives the ids and sizes of the plain flood for 6-, 18- and 26-connectivity (components touching the grid faces, non-binary masks)', () => {
    const dims: [number, number, number] = [19, 13, 11];
    let seed = 9;
    const rnd = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 4294967296);
    let components = 0;
    for (const density of [0.05, 0.3, 0.6]) {
      const mask = new Uint8Array(dims[0] * dims[1] * dims[2]).map(() => (rnd() < density ? 1 + Math.floor(rnd() * 3) : 0));
      for (const conn of [6, 18, 26] as const) {
        const got = labelComponents(mask, dims, conn), want = componentsPlain(mask, dims, conn);
        expect(got.sizes).toEqual(want.sizes);
        expect(Array.from(got.ids)).toEqual(Array.from(want.ids));
        components += want.sizes.length - 1;
      }
    }
    expect(components).toBeGreaterThan(100);
  });
});
