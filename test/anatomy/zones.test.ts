import { describe, it, expect } from 'vitest';
import { ensurePhantom, readTruth, requireShared } from '../helpers/shared';
import { VolumeGeometry } from '../../src/core/geometry';
import type { Vec3 } from '../../src/core/vec3';
import type { Foramen, SacralAnatomy, ForamenId, SacralLevel, Side } from '../../src/anatomy/types';
import { fitSacralFrame } from '../../src/anatomy/frame';
import { buildZoneModel, buildZoneMap, zoneMaskIndex, zoneModelProblem } from '../../src/anatomy/zones';
import { anatomyFromTruth } from './truth-anatomy';


/** The phantom's sacral frame (forward formula from truth.json). */
function phantomToLps(truth: any, x: number, s: number, q: number): Vec3 {
  const f = truth.anatomy.sacral_frame;
  const phi = (f.phi0_deg * Math.PI) / 180 - s / f.R_mm;
  const o = f.anatomy_offset_lps, O = f.O_canonical;
  return [o[0] + x, o[1] + O[1] + (f.R_mm + q) * Math.cos(phi), o[2] + O[2] + (f.R_mm + q) * Math.sin(phi)];
}

/** The phantom's zone rule (truth.anatomy.zones): borders per level interpolated in s, held constant outside. */
function phantomZone(truth: any, x: number, s: number): { zone: 1 | 2 | 3; margin: number } {
  const pl = truth.anatomy.zones.per_level;
  const ss = pl.map((p: any) => p.s_mm), ms = pl.map((p: any) => p.medial_border_abs_x_mm), ls = pl.map((p: any) => p.lateral_border_abs_x_mm);
  const interp = (ys: number[]): number => {
    if (s <= ss[0]) return ys[0]!;
    if (s >= ss[ss.length - 1]) return ys[ys.length - 1]!;
    let i = 0;
    while (s > ss[i + 1]) i++;
    const t = (s - ss[i]) / (ss[i + 1] - ss[i]);
    return ys[i]! + t * (ys[i + 1]! - ys[i]!);
  };
  const m = interp(ms), l = interp(ls), ax = Math.abs(x);
  return { zone: ax < m ? 3 : ax <= l ? 2 : 1, margin: Math.min(Math.abs(ax - m), Math.abs(ax - l)) };
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 4294967296);
}

describe('sacral frame fit', () => {
  const ok = requireShared(true);
  it.skipIf(!ok)('recovers the phantom arc: s = s_truth − s(S1 centre), exact q, x, and round-trips', () => {
    for (const cfg of ['default.json', 'hard.json']) {
      const truth = readTruth(ensurePhantom(cfg));
      const anatomy = anatomyFromTruth(truth);
      const frame = fitSacralFrame(anatomy.frame!);
      expect(frame.kind).toBe('arc');
      expect(frame.radiusMm).toBeCloseTo(truth.anatomy.sacral_frame.R_mm, 3);
      const s0 = 14; // S1 body centre: middle of 0..28
      const r = rng(7);
      const out: Vec3 = [0, 0, 0], back: Vec3 = [0, 0, 0];
      for (let n = 0; n < 500; n++) {
        const x = -60 + 120 * r(), s = -10 + 115 * r(), q = -30 + 70 * r();
        const p = phantomToLps(truth, x, s, q);
        frame.toLocal(out, p[0], p[1], p[2]);
        // truth.json rounds the body centres to 1e-4 mm: the fitted arc is good to about 1e-3 mm.
        expect(out[0]).toBeCloseTo(x, 6);
        expect(out[1]).toBeCloseTo(s - s0, 3);
        expect(out[2]).toBeCloseTo(q, 3);
        frame.toLps(back, out[0], out[1], out[2]);
        for (let a = 0; a < 3; a++) expect(back[a]).toBeCloseTo(p[a]!, 6);
      }
    }
  });

  it('falls back to a straight axis for two (or collinear) centres', () => {
    const f = fitSacralFrame({ midlinePointLps: [5, 0, 0], midlineNormalLps: [2, 0, 0], bodyCentersLps: [[5, 0, 0], [5, 0, -40]] });
    expect(f.kind).toBe('line');
    const out = f.toLocal([0, 0, 0], 8, 2, -10);
    expect(out[0]).toBeCloseTo(3, 9);
    expect(out[1]).toBeCloseTo(10, 9);
    expect(out[2]).toBeCloseTo(2, 9); // + dorsal (LPS +y)
    const g = fitSacralFrame({ midlinePointLps: [0, 0, 0], midlineNormalLps: [1, 0, 0], bodyCentersLps: [[0, 0, 0], [0, 1, -20], [0, 2, -40]] });
    expect(g.kind).toBe('line');
  });
});

describe('zone model (operational Denis zones)', () => {
  const ok = requireShared(true);
  it.skipIf(!ok)('agrees with the phantom rule everywhere above S4 and says null below S4 (default and hard)', () => {
    for (const cfg of ['default.json', 'hard.json']) {
      const truth = readTruth(ensurePhantom(cfg));
      const anatomy = anatomyFromTruth(truth);
      const before = JSON.stringify(anatomy);
      const model = buildZoneModel(anatomy)!;
      expect(JSON.stringify(anatomy)).toBe(before); // inputs are not mutated
      expect(model.sBelowS4Mm + 14).toBeCloseTo(87.5, 3); // halfway between the S4 (80) and S5 (95) centres
      const r = rng(11);
      let compared = 0;
      for (let n = 0; n < 20000; n++) {
        const x = -70 + 140 * r(), s = -5 + 110 * r(), q = -25 + 60 * r();
        const p = phantomToLps(truth, x, s, q);
        const z = model.zoneAt(p);
        if (s > 87.6) { expect(z).toBeNull(); continue; }
        if (s < 87.4) {
          const t = phantomZone(truth, x, s);
          if (t.margin < 0.01) continue;
          compared++;
          if (z !== t.zone) throw new Error(`zone ${z} ≠ truth ${t.zone} at x=${x} s=${s} q=${q}`);
        }
      }
      expect(compared).toBeGreaterThan(15000);
      // Borders at the knots equal the phantom's per-level borders.
      for (const lvl of truth.anatomy.zones.per_level) {
        for (const side of ['L', 'R'] as Side[]) {
          const b = model.bordersAt(side, lvl.s_mm - 14);
          expect(b.medialAbsXMm).toBeCloseTo(lvl.medial_border_abs_x_mm, 3);
          expect(b.lateralAbsXMm).toBeCloseTo(lvl.lateral_border_abs_x_mm, 3);
        }
      }
    }
  });

  it.skipIf(!ok)('does not depend on the patient pose: a rigid motion of landmarks and points gives the same zones', () => {
    const truth = readTruth(ensurePhantom('default.json'));
    const anatomy = anatomyFromTruth(truth);
    // R = Rz(25°)·Ry(-10°)·Rx(15°), then a shift; the midline normal turns with it.
    const rot = (deg: Vec3): number[] => {
      const [a, b, c] = deg.map((d) => (d * Math.PI) / 180) as Vec3;
      const Rx = [1, 0, 0, 0, Math.cos(a), -Math.sin(a), 0, Math.sin(a), Math.cos(a)];
      const Ry = [Math.cos(b), 0, Math.sin(b), 0, 1, 0, -Math.sin(b), 0, Math.cos(b)];
      const Rz = [Math.cos(c), -Math.sin(c), 0, Math.sin(c), Math.cos(c), 0, 0, 0, 1];
      const mul = (A: number[], B: number[]): number[] => [0, 1, 2].flatMap((r) => [0, 1, 2].map((cc) => A[r * 3]! * B[cc]! + A[r * 3 + 1]! * B[3 + cc]! + A[r * 3 + 2]! * B[6 + cc]!));
      return mul(Rz, mul(Ry, Rx));
    };
    const R = rot([15, -10, 25]);
    const t: Vec3 = [31, -17, -240];
    const dirOf = (v: Vec3): Vec3 => [R[0]! * v[0] + R[1]! * v[1] + R[2]! * v[2], R[3]! * v[0] + R[4]! * v[1] + R[5]! * v[2], R[6]! * v[0] + R[7]! * v[1] + R[8]! * v[2]];
    const move = (v: Vec3): Vec3 => { const r = dirOf(v); return [r[0] + t[0], r[1] + t[1], r[2] + t[2]]; };
    const moved: SacralAnatomy = {
      foramina: anatomy.foramina.map((f) => ({ ...f, anteriorLps: move(f.anteriorLps), posteriorLps: move(f.posteriorLps) })),
      canal: { ...anatomy.canal!, centerlineLps: anatomy.canal!.centerlineLps.map(move) },
      frame: { midlinePointLps: move(anatomy.frame!.midlinePointLps), midlineNormalLps: dirOf(anatomy.frame!.midlineNormalLps), bodyCentersLps: anatomy.frame!.bodyCentersLps.map(move) },
    };
    const a = buildZoneModel(anatomy)!, b = buildZoneModel(moved)!;
    const r = rng(5);
    let same = 0, differ = 0;
    for (let n = 0; n < 20000; n++) {
      const p = phantomToLps(truth, -70 + 140 * r(), -5 + 110 * r(), -25 + 60 * r());
      const q = move(p);
      if (a.codeAt(p[0], p[1], p[2]) === b.codeAt(q[0], q[1], q[2])) same++;
      else differ++;
    }
    // The dorsal sign of q follows LPS +y, which a 15° tilt keeps: all agree (allowing rounding at a border).
    expect(differ).toBeLessThanOrEqual(2);
    expect(same).toBeGreaterThan(19990);
  });

  it.skipIf(!ok)('canal voxels are zone 3 and foramen lumens zone 2', () => {
    const truth = readTruth(ensurePhantom('default.json'));
    const model = buildZoneModel(anatomyFromTruth(truth))!;
    for (const p of truth.anatomy.canal.centerline_lps.slice(1, 8)) expect(model.codeAt(p[0], p[1], p[2])).toBe(3);
    for (const f of truth.anatomy.foramina) {
      const a = f.anterior_opening_lps, b = f.posterior_opening_lps;
      const m = [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2, (a[2] + b[2]) / 2] as Vec3;
      expect(model.zoneAt(m)).toBe(2);
    }
  });

  it('mirrors a missing foramen from the other side and reports unusable landmarks', () => {
    const mk = (id: ForamenId, x: number, z: number, r: number): Foramen => ({
      id, level: id.slice(0, 2) as SacralLevel, side: id.slice(3) as Side, anteriorLps: [x, -10, z], posteriorLps: [x, 20, z], radiusMm: r, confidence: 1, source: 'manual',
    });
    const frame = { midlinePointLps: [0, 0, 0] as Vec3, midlineNormalLps: [1, 0, 0] as Vec3, bodyCentersLps: [[0, 0, -10], [0, 0, -35], [0, 0, -57], [0, 0, -75], [0, 0, -90]] as Vec3[] };
    const anatomy: SacralAnatomy = {
      foramina: [mk('S1_L', 27, -20, 4.5), mk('S1_R', -27, -20, 4.5), mk('S2_L', 24, -45, 3.75), mk('S3_R', -21, -65, 3), mk('S4_L', 18, -81, 2.5), mk('S4_R', -18, -81, 2.5)],
      canal: null, frame,
    };
    const model = buildZoneModel(anatomy)!;
    expect(model.knots.R.map((k) => `${k.id}:${k.origin}`)).toEqual(['S1_R:landmark', 'S2_R:mirrored', 'S3_R:landmark', 'S4_R:landmark']);
    expect(model.knots.L.map((k) => `${k.id}:${k.origin}`)).toEqual(['S1_L:landmark', 'S2_L:landmark', 'S3_L:mirrored', 'S4_L:landmark']);
    // Straight axis (line): s = 10 at the S1 foramen (z = -20), S2 at 35.
    expect(model.frame.kind).toBe('line');
    expect(model.bordersAt('R', 35).medialAbsXMm).toBeCloseTo(20.25, 9);
    expect(model.zoneAt([-19, 0, -45])).toBe(3);
    expect(model.zoneAt([-22, 0, -45])).toBe(2);
    expect(model.zoneAt([-30, 0, -45])).toBe(1);
    expect(model.sBelowS4Mm).toBeCloseTo(72.5, 9);
    expect(model.zoneAt([0, 0, -83])).toBeNull();
    expect(model.codeAt(0, 0, -83)).toBe(4);
    expect(zoneModelProblem({ foramina: [], canal: null, frame })).toMatch(/no foramina/);
    expect(zoneModelProblem({ foramina: anatomy.foramina, canal: null, frame: null })).toMatch(/frame/);
    expect(buildZoneModel({ foramina: anatomy.foramina, canal: null, frame: null })).toBeNull();
  });
});

describe('zone map (display labels)', () => {
  const ok = requireShared(true);
  it.skipIf(!ok)('labels every voxel of the sacral region like the point classifier; a mask restricts it', () => {
    const truth = readTruth(ensurePhantom('default.json'));
    const g = truth.geometry;
    const geometry = geometryFromTruth(truth);
    expect(geometry.dims).toEqual([g.dims.columns, g.dims.rows, g.dims.slices]);
    const anatomy = anatomyFromTruth(truth);
    const model = buildZoneModel(anatomy)!;
    const map = buildZoneMap(geometry, anatomy);
    const counts = [0, 0, 0, 0, 0];
    const p: Vec3 = [0, 0, 0];
    const [ni, nj, nk] = geometry.dims;
    for (let k = 0, o = 0; k < nk; k++) for (let j = 0; j < nj; j++) for (let i = 0; i < ni; i++, o++) {
      const c = map[o]!;
      counts[c]!++;
      if (c !== 0 && o % 97 === 0) {
        geometry.ijkToLps(p, i, j, k);
        expect(c).toBe(model.codeAt(p[0], p[1], p[2]));
      }
    }
    for (const c of [1, 2, 3, 4]) expect(counts[c]).toBeGreaterThan(1000);
    // A mask: only its voxels are labelled.
    const mask = new Uint8Array(map.length);
    for (let o = 0; o < mask.length; o += 3) mask[o] = 1;
    const masked = buildZoneMap(geometry, anatomy, mask);
    let bad = 0;
    for (let o = 0; o < mask.length; o++) if (masked[o] !== (mask[o] ? map[o] || model.codeAt(...geometry.ijkToLps(p, o % ni, ((o / ni) | 0) % nj, (o / (ni * nj)) | 0)) : 0)) bad++;
    expect(bad).toBe(0);
  });

  it.skipIf(!ok)('block evaluation gives the voxel-by-voxel map exactly, with and without a mask, for any block size', () => {
    const truth = readTruth(ensurePhantom('default.json'));
    const anatomy = anatomyFromTruth(truth);
    expect(anatomy.canal).not.toBeNull();
    // a finer, oblique grid than the phantom's own, so that blocks are several voxels wide and cut the borders at angles
    const c = Math.cos(0.2), s = Math.sin(0.2);
    const geometry = new VolumeGeometry({ dims: [150, 120, 110], spacingMm: [0.6, 0.6, 0.8], originLps: [-45, -70, -95], directionCosines: [c, s, 0, -s, c, 0, 0, 0, 1] });
    const exact = buildZoneMap(geometry, anatomy, null, { blockMm: 0 });
    const counts = [0, 0, 0, 0, 0];
    for (const v of exact) counts[v]!++;
    for (const code of [1, 2, 3, 4]) expect(counts[code]).toBeGreaterThan(5000);
    // a mask with holes and a ragged edge
    const mask = new Uint8Array(exact.length);
    for (let o = 0; o < mask.length; o++) mask[o] = exact[o] !== 0 && (o * 2654435761) % 7 !== 0 ? 1 : 0;
    const exactMasked = buildZoneMap(geometry, anatomy, mask, { blockMm: 0 });
    for (const blockMm of [1.5, 3, 6]) {
      const blocked = buildZoneMap(geometry, anatomy, null, { blockMm });
      const blockedMasked = buildZoneMap(geometry, anatomy, mask, { blockMm });
      // the mask's voxels visited block by block (the case engine's index) instead of its box scanned
      const index = zoneMaskIndex(geometry, mask, blockMm)!;
      expect(index.offsets.length).toBe(mask.reduce((a, v) => a + v, 0));
      const indexed = buildZoneMap(geometry, anatomy, mask, { blockMm, maskIndex: index, out: new Uint8Array(exact.length).fill(9) });
      let diff = 0, diffMasked = 0, diffIndexed = 0;
      for (let o = 0; o < exact.length; o++) { if (blocked[o] !== exact[o]) diff++; if (blockedMasked[o] !== exactMasked[o]) diffMasked++; if (indexed[o] !== exactMasked[o]) diffIndexed++; }
      expect({ blockMm, diff, diffMasked, diffIndexed }).toEqual({ blockMm, diff: 0, diffMasked: 0, diffIndexed: 0 });
    }
  });

  it.skipIf(!ok)('labels the sacral box of a 512×512×300 grid (its time is printed; bench/anatomy.mjs measures speed)', () => {
    const truth = readTruth(ensurePhantom('default.json'));
    const anatomy = anatomyFromTruth(truth);
    const geometry = new VolumeGeometry({ dims: [512, 512, 300], spacingMm: [0.7, 0.7, 1.0], originLps: [-179, -160, -230], directionCosines: [1, 0, 0, 0, 1, 0, 0, 0, 1] });
    buildZoneMap(geometry, anatomy); // warm-up (JIT)
    const t0 = performance.now();
    const map = buildZoneMap(geometry, anatomy);
    const ms = performance.now() - t0;
    let labelled = 0;
    for (let o = 0; o < map.length; o++) if (map[o]) labelled++;
    console.log(`[zones] zone map 512x512x300 (0.7x0.7x1 mm): ${ms.toFixed(0)} ms, ${labelled} voxels labelled`);
    expect(labelled).toBeGreaterThan(500_000);
  });
});

function geometryFromTruth(truth: any): VolumeGeometry {
  const g = truth.geometry;
  const A = g.affine_ijk_to_lps as number[][];
  const col = (c: number): Vec3 => [A[0]![c]!, A[1]![c]!, A[2]![c]!];
  const sp: Vec3 = [Math.hypot(...col(0)), Math.hypot(...col(1)), Math.hypot(...col(2))];
  const dirs = [0, 1, 2].flatMap((c) => col(c).map((v) => v / sp[c]!));
  const dims: [number, number, number] = [g.dims.columns, g.dims.rows, g.dims.slices];
  return new VolumeGeometry({ dims, spacingMm: sp, originLps: col(3), directionCosines: dirs });
}
