/**
 * Pieces of the sacrum mask (src/anatomy/sacrum-mask.ts) on volumes built in code.
 */
import { describe, expect, it } from 'vitest';
import { competitiveGrow, fusedCoreSplit, removeOpenLumen, segmentSacrumOnGrid, trimAsymmetric, weightedCompetitiveGrow } from '../../src/anatomy/sacrum-mask';
import type { WorkGrid } from '../../src/anatomy/detect-grid';
import type { Vec3 } from '../../src/core/vec3';

describe('removeOpenLumen', () => {
  // 20³ grid: a bone block (300 HU) in fat (-100 HU); a dark tunnel (-60 HU) through it along x,
  // an enclosed dark cavity (-60 HU, like fatty marrow) and a dark voxel pocket open only through bone
  const dims = [20, 20, 20] as const;
  const N = 20 * 20 * 20;
  const at = (a: number, b: number, c: number) => a + 20 * (b + 20 * c);
  const value = new Float32Array(N).fill(-100);
  const mask = new Uint8Array(N);
  for (let c = 4; c < 16; c++) for (let b = 4; b < 16; b++) for (let a = 4; a < 16; a++) { value[at(a, b, c)] = 300; mask[at(a, b, c)] = 1; }
  for (let a = 4; a < 16; a++) value[at(a, 6, 6)] = -60; // tunnel, open at both ends
  for (let c = 10; c < 13; c++) for (let b = 10; b < 13; b++) for (let a = 10; a < 13; a++) value[at(a, b, c)] = -60; // cavity

  it('removes the dark tunnel open to the outside and keeps the enclosed dark cavity; input values untouched', () => {
    const m = Uint8Array.from(mask);
    const before = Float32Array.from(value);
    const removed = removeOpenLumen(m, value, dims, -40);
    expect(removed).toBe(12);
    for (let a = 4; a < 16; a++) expect(m[at(a, 6, 6)]).toBe(0);
    expect(m[at(11, 11, 11)]).toBe(1);
    expect(m[at(8, 8, 8)]).toBe(1);
    expect(value).toEqual(before);
  });

  it('keeps everything when the threshold is below the lumen', () => {
    const m = Uint8Array.from(mask);
    expect(removeOpenLumen(m, value, dims, -80)).toBe(0);
    expect(m).toEqual(mask);
  });
});

describe('trimAsymmetric', () => {
  // 60×30×30 grid of 2 mm voxels; a slab symmetric about a plane through (60, 30, 30) mm (≤ 40 mm from
  // it, ≤ 18 mm along it cranio-caudally), optionally tilted; the first test adds a lump on the right only
  const g = { dims: [60, 30, 30], spacingMm: 2, originLps: [0, 0, 0] } as unknown as WorkGrid;
  const N = 60 * 30 * 30;
  const at = (a: number, b: number, c: number) => a + 60 * (b + 30 * c);
  const build = (tiltDeg: number) => {
    // the plane through (60, 30, 30) mm, normal tilted about the AP axis by tiltDeg
    const t = (tiltDeg * Math.PI) / 180;
    const n: Vec3 = [Math.cos(t), 0, Math.sin(t)];
    const P: Vec3 = [60, 30, 30];
    const m = new Uint8Array(N);
    for (let c = 0; c < 30; c++) for (let b = 5; b < 25; b++) for (let a = 0; a < 60; a++) {
      const d = (2 * a - P[0]) * n[0] + (2 * c - P[2]) * n[2];
      const u = -(2 * a - P[0]) * n[2] + (2 * c - P[2]) * n[0]; // in-plane cranio-caudal coordinate
      if (Math.abs(u) <= 18 && Math.abs(d) <= 40) m[at(a, b, c)] = 1;
    }
    return { m, n, P };
  };

  it('removes a lateral lump with no mirror image and nothing of the symmetric part', () => {
    const { m, n, P } = build(0);
    const sym = m.reduce((s, v) => s + v, 0);
    for (let c = 10; c < 20; c++) for (let b = 20; b < 25; b++) for (let a = 2; a < 8; a++) m[at(a, b, c)] = 1; // x 4–14 mm, 46–56 mm right of the plane
    const lump = m.reduce((s, v) => s + v, 0) - sym;
    const r = trimAsymmetric(m, g, n, P, 20);
    expect(r.skipped).toBe(false);
    expect(m.reduce((s, v) => s + v, 0)).toBe(sym);
    expect(r.removed).toBe(lump);
  });

  it('follows a tilted plane (10° about AP): a symmetric shape keeps every voxel', () => {
    const { m, n, P } = build(10);
    const before = m.reduce((s, v) => s + v, 0);
    const r = trimAsymmetric(m, g, n, P, 20);
    expect(r.removed).toBe(0);
    expect(m.reduce((s, v) => s + v, 0)).toBe(before);
  });

  it('changes nothing when the shape is too asymmetric (more than a quarter of the lateral voxels)', () => {
    const m = new Uint8Array(N);
    for (let c = 5; c < 25; c++) for (let b = 5; b < 25; b++) for (let a = 30; a < 58; a++) m[at(a, b, c)] = 1; // all on one side
    const before = Uint8Array.from(m);
    const r = trimAsymmetric(m, g, [1, 0, 0], [60, 30, 30], 20);
    expect(r.skipped).toBe(true);
    expect(r.removed).toBeGreaterThan(0);
    expect(m).toEqual(before);
  });
});

describe('weightedCompetitiveGrow', () => {
  // a 22×3×3 bar: label 1 seeded at x = 0, label 2 at x = 21, everything else unlabelled
  const dims = [22, 3, 3] as const;
  const N = 22 * 3 * 3;
  const at = (a: number, b: number, c: number) => a + 22 * (b + 3 * c);
  const seeds = () => {
    const l = new Int32Array(N);
    for (let c = 0; c < 3; c++) for (let b = 0; b < 3; b++) { l[at(0, b, c)] = 1; l[at(21, b, c)] = 2; }
    return l;
  };
  const allowed = new Uint8Array(N).fill(1);
  const owner = (l: Int32Array) => Array.from({ length: 22 }, (_, a) => l[at(a, 1, 1)]);
  const dark = new Float32Array(N).fill(50);

  it('splits a dark gap halfway at equal step costs and in the ratio of the costs otherwise', () => {
    expect(owner(weightedCompetitiveGrow(seeds(), allowed, dark, dims, 150, [0, 1, 1]))).toEqual([...Array(11).fill(1), ...Array(11).fill(2)]);
    // label 2 three times slower: label 1 wins where a < 3 (21 − a), i.e. a ≤ 15
    const l = weightedCompetitiveGrow(seeds(), allowed, dark, dims, 150, [0, 1, 3]);
    expect(owner(l)).toEqual([...Array(16).fill(1), ...Array(6).fill(2)]);
    // every allowed voxel is labelled, the cross-section alike
    for (let a = 0; a < 22; a++) for (let c = 0; c < 3; c++) for (let b = 0; b < 3; b++) expect(l[at(a, b, c)]).toBe(a <= 15 ? 1 : 2);
  });

  it('shares bright voxels first at equal speed, whatever the step costs; forbidden voxels stay unlabelled', () => {
    const bright = new Float32Array(N).fill(300);
    expect(owner(weightedCompetitiveGrow(seeds(), allowed, bright, dims, 150, [0, 1, 3]))).toEqual([...Array(11).fill(1), ...Array(11).fill(2)]);
    // bright bone from label 2 down to x = 9, dark below: label 2 owns the bright run whatever the costs, and
    // the dark gap x = 1…8 is split from its end: halfway (a < 9 − a) at equal costs, at a < (9 − a) / 3 when
    // label 1 is three times slower
    const mixed = new Float32Array(N).fill(50);
    for (let n = 0; n < N; n++) if (n % 22 >= 9) mixed[n] = 300;
    expect(owner(weightedCompetitiveGrow(seeds(), allowed, mixed, dims, 150, [0, 1, 1]))).toEqual([...Array(5).fill(1), ...Array(17).fill(2)]);
    expect(owner(weightedCompetitiveGrow(seeds(), allowed, mixed, dims, 150, [0, 3, 1]))).toEqual([...Array(3).fill(1), ...Array(19).fill(2)]);
    const wall = Uint8Array.from(allowed);
    for (let c = 0; c < 3; c++) for (let b = 0; b < 3; b++) wall[at(5, b, c)] = 0;
    const l = weightedCompetitiveGrow(seeds(), wall, dark, dims, 150, [0, 1, 1]);
    expect(owner(l)).toEqual([1, 1, 1, 1, 1, 0, ...Array(16).fill(2)]);
  });
});

describe('fusedCoreSplit', () => {
  // 60×10×10 grid of 3 mm voxels, midline at a = 30: one fused core made of a sacral marrow block
  // (a 13…46, up to 48 mm from the midline, 150 HU) and an iliac marrow block on each side (a 1…11 and
  // 48…58, 150 HU), joined through bright walls (600 HU, the subchondral plates of the SI joints, 54 mm
  // from the midline) at a = 12 and a = 47. Seeds: within 30 mm of the midline (a 20…40) the sacrum,
  // beyond 62 mm (a ≤ 9, a ≥ 51) the ilia.
  const N = 60 * 10 * 10;
  const g: WorkGrid = { dims: [60, 10, 10], spacingMm: 3, originLps: [0, 0, 0] };
  const at = (a: number, b: number, c: number) => a + 60 * (b + 10 * c);
  const ids = new Int32Array(N);
  const work = new Float32Array(N).fill(-100);
  for (let c = 2; c < 8; c++) for (let b = 2; b < 8; b++) for (let a = 1; a < 59; a++) {
    ids[at(a, b, c)] = 7;
    work[at(a, b, c)] = a === 12 || a === 47 ? 600 : 150;
  }
  ids[at(0, 0, 0)] = 3; // another core: left alone

  it('splits the core on the bright walls: sacrum between them, ilia outside', () => {
    const s = fusedCoreSplit(ids, 7, work, g, 30, 30, 62);
    for (let a = 1; a < 59; a++) {
      if (a === 12 || a === 47) continue;
      expect(s[at(a, 5, 5)], `a = ${a}`).toBe(a < 12 || a > 47 ? 2 : 1);
    }
    // the walls go to one side or the other, never unlabelled; other cores are left alone
    expect([1, 2]).toContain(s[at(12, 5, 5)]);
    expect([1, 2]).toContain(s[at(47, 5, 5)]);
    expect(s[at(0, 0, 0)]).toBe(0);
  });

  it('without the bright walls the split is not at the joints (the walls are what it follows)', () => {
    const flat = Float32Array.from(work, (v) => (v === 600 ? 150 : v));
    const s = fusedCoreSplit(ids, 7, flat, g, 30, 30, 62);
    expect(s[at(30, 5, 5)]).toBe(1);
    expect(s[at(58, 5, 5)]).toBe(2);
    // the fronts meet halfway between the seeds (a 40 and 51: at 45–46), inside the sacral block
    expect(s[at(47, 5, 5)]).toBe(2);
  });
});

/** competitiveGrow by its definition: neighbours found from the voxel's (a, b, c), bounds-checked. */
function competitiveGrowPlain(labels: Int32Array, allowed: Uint8Array, value: Float32Array, dims: [number, number, number], lo: number, hi: number, nBuckets: number): Int32Array {
  const buckets: number[][] = Array.from({ length: nBuckets }, () => []);
  const bucketOf = (v: number) => Math.max(0, Math.min(nBuckets - 1, Math.floor(((v - lo) / (hi - lo)) * (nBuckets - 1))));
  for (let n = 0; n < labels.length; n++) if (labels[n]) buckets[nBuckets - 1]!.push(n);
  const [na, nb, nc] = dims;
  for (let t = nBuckets - 1; t >= 0; t--) {
    const q = buckets[t]!;
    for (let head = 0; head < q.length; head++) {
      const n = q[head]!, l = labels[n]!;
      const c = Math.floor(n / (na * nb)), b = Math.floor((n - c * na * nb) / na), a = n - c * na * nb - b * na;
      const nbrs: [boolean, number][] = [[a > 0, n - 1], [a < na - 1, n + 1], [b > 0, n - na], [b < nb - 1, n + na], [c > 0, n - na * nb], [c < nc - 1, n + na * nb]];
      for (const [ok, m] of nbrs) {
        if (!ok || !allowed[m] || labels[m]) continue;
        labels[m] = l;
        buckets[Math.min(t, bucketOf(value[m]!))]!.push(m);
      }
    }
  }
  return labels;
}

describe('competitiveGrow', () => {
  it('labels as the plain bounds-checked flood does (fronts meeting at the darkest voxels, plateaus by distance, grids one voxel thick)', () => {
    let seed = 17;
    const rnd = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 4294967296);
    let grown = 0;
    for (const dims of [[23, 17, 13], [1, 19, 11], [15, 1, 9], [12, 10, 1]] as [number, number, number][]) {
      const N = dims[0] * dims[1] * dims[2];
      const allowed = new Uint8Array(N).map(() => (rnd() < 0.85 ? 1 : 0));
      // plateaus (rounded values) as well as distinct values
      const value = new Float32Array(N).map(() => (rnd() < 0.5 ? Math.round(rnd() * 4) * 300 : rnd() * 1400 - 100));
      const seeds = new Int32Array(N);
      for (let k = 0; k < 6; k++) seeds[Math.floor(rnd() * N)] = 1 + (k % 3);
      const got = competitiveGrow(Int32Array.from(seeds), allowed, value, dims, 120, 1200, 64);
      const want = competitiveGrowPlain(Int32Array.from(seeds), allowed, value, dims, 120, 1200, 64);
      expect(Array.from(got)).toEqual(Array.from(want));
      grown += want.filter((l) => l > 0).length;
    }
    expect(grown).toBeGreaterThan(1000);
  });
});

describe('segmentSacrumOnGrid on a crop that cuts the ilia (lateralCropFaces)', () => {
  // 2 mm grid, 51 × 24 × 24 voxels, midline at a = 25 (x = 50 mm): a sacrum (|x| ≤ 40 mm) and an ilium on
  // each side (from the joint to the crop's faces, 50 mm), one block of 200 HU marrow in a 450 HU shell.
  // Each SI joint is a 450 HU plate on either side of a 2 mm gap at 80 HU (below the 120 HU bone threshold),
  // sealed where the shell crosses it by a 150 HU bridge (partial volume). The fill by a 4 mm ball closes the
  // gap (as the 12 mm ball of a breached shell does, detect.ts): the 4 mm erosion leaves one core across both
  // joints, which reaches the crop's faces at 50 mm, short of the 62 mm beyond which a core counts as fused.
  const g: WorkGrid = { dims: [51, 24, 24], spacingMm: 2, originLps: [0, 0, 0] };
  const [na, nb, nc] = g.dims;
  const N = na * nb * nc;
  const at = (a: number, b: number, c: number) => a + na * (b + nb * c);
  const work = new Float32Array(N).fill(-100);
  const xMm = (a: number) => (a - 25) * 2;
  for (let c = 5; c <= 18; c++) for (let b = 5; b <= 18; b++) for (let a = 0; a < na; a++) {
    const ax = Math.abs(xMm(a));
    const shell = c === 5 || c === 18 || b === 5 || b === 18;
    work[at(a, b, c)] = ax === 42 ? (shell ? 150 : 80) : shell || ax === 40 || ax === 44 ? 450 : 200;
  }
  const opts = { boneHu: 120, closingMm: 0, coreErosionMm: 4, minCoreMl: 1, fusedLateralMm: 62, sacrumMarkerMm: 30, midlineA: 25, breachBallMm: 4 };
  const lateralOf = (mask: Uint8Array, minMm: number) => {
    let n = 0;
    for (let c = 0; c < nc; c++) for (let b = 0; b < nb; b++) for (let a = 0; a < na; a++) if (mask[at(a, b, c)] && Math.abs(xMm(a)) >= minMm) n++;
    return n;
  };

  it('without crop faces the fused core is all sacrum: the ilia inside the crop are in the mask', () => {
    const r = segmentSacrumOnGrid(work, g, opts)!;
    expect(lateralOf(r.mask, 46)).toBeGreaterThan(0);
  });

  it('with crop faces the bone on them marks the ilia: the mask ends at the joints, the sacrum whole', () => {
    const r = segmentSacrumOnGrid(work, g, { ...opts, lateralCropFaces: [true, true] })!;
    expect(r.messages.join(' ')).toMatch(/crop's lateral face/);
    // nothing beyond the iliac plate (44 mm); the gap (42 mm) may go either way
    expect(lateralOf(r.mask, 44)).toBe(0);
    for (let c = 5; c <= 18; c++) for (let b = 5; b <= 18; b++) for (let a = 0; a < na; a++) {
      if (Math.abs(xMm(a)) <= 40) expect(r.mask[at(a, b, c)], `x ${xMm(a)} b ${b} c ${c}`).toBe(1);
    }
  });

  it('faces that are the image border, or a plain hole fill (the joint gap left open), mark nothing', () => {
    const before = segmentSacrumOnGrid(work, g, opts)!.mask;
    expect(segmentSacrumOnGrid(work, g, { ...opts, lateralCropFaces: [false, false] })!.mask).toEqual(before);
    const { breachBallMm: _, ...plain } = opts;
    const plainBefore = segmentSacrumOnGrid(work, g, plain)!.mask;
    const r = segmentSacrumOnGrid(work, g, { ...plain, lateralCropFaces: [true, true] })!;
    expect(r.messages.join(' ')).not.toMatch(/crop's lateral face/);
    expect(r.mask).toEqual(plainBefore);
  });
});
