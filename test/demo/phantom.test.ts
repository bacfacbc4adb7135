import { describe, it, expect, beforeAll } from 'vitest';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { makeDemoPhantom, makeDemoTruth, demoSummary, demoGeometry, type DemoCase, type DemoLesionTruth, type DemoForamenTruth } from '../../src/demo/phantom';
import type { Vec3 } from '../../src/core/vec3';
import { repoRoot } from '../helpers/shared';

// The checks below use only the truth and the image, plus a re-implementation of the sacral frame
// from the parameters the truth publishes (so the truth's own description is checked too).

let demo: DemoCase;
let firstMs = 0;

beforeAll(() => {
  const t0 = performance.now();
  demo = makeDemoPhantom();
  firstMs = performance.now() - t0;
  console.log(`demo phantom: ${demo.volume.geometry.dims.join('x')} @ ${demo.volume.geometry.spacingMm[0]} mm generated in ${firstMs.toFixed(0)} ms (cold, in vitest); stages ${JSON.stringify(Object.fromEntries(Object.entries(demo.timingsMs).map(([k, v]) => [k, Math.round(v)])))}`);
});

function frameToLps(t: ReturnType<typeof makeDemoTruth>, x: number, s: number, q: number): Vec3 {
  const { centreOfCurvatureLps: O, radiusMm: R, theta0Deg } = t.sacralFrame;
  const th = (theta0Deg * Math.PI) / 180 - s / R;
  return [O[0] + x, O[1] + (R + q) * Math.cos(th), O[2] + (R + q) * Math.sin(th)];
}

function valueAt(p: Readonly<Vec3>): number {
  const idx = demo.volume.geometry.nearestIndex(p);
  if (!idx) throw new Error(`point ${p.join(',')} outside the volume`);
  return demo.volume.voxels[demo.volume.geometry.offset(idx[0], idx[1], idx[2])]!;
}

/** Median of the 3×3×3 voxel cube around the voxel nearest to p. */
function median27(p: Readonly<Vec3>): number {
  const g = demo.volume.geometry;
  const idx = g.nearestIndex(p)!;
  const vals: number[] = [];
  for (let dk = -1; dk <= 1; dk++) for (let dj = -1; dj <= 1; dj++) for (let di = -1; di <= 1; di++) {
    vals.push(demo.volume.voxels[g.offset(idx[0] + di, idx[1] + dj, idx[2] + dk)]!);
  }
  vals.sort((a, b) => a - b);
  return vals[13]!;
}

function add3(a: Vec3, b: Vec3, s = 1): Vec3 {
  return [a[0] + s * b[0], a[1] + s * b[1], a[2] + s * b[2]];
}
function norm3(a: Vec3): Vec3 {
  const l = Math.hypot(...a);
  return [a[0] / l, a[1] / l, a[2] / l];
}
function cross(a: Vec3, b: Vec3): Vec3 {
  return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
}
/** Two unit vectors perpendicular to axis. */
function perpBasis(axis: Vec3): [Vec3, Vec3] {
  const ref: Vec3 = Math.abs(axis[0]) < 0.9 ? [1, 0, 0] : [0, 1, 0];
  const u = norm3(cross(axis, ref));
  return [u, cross(axis, u)];
}
/** Local coordinates of p in a lesion's ellipsoid frame, normalised by the semi-axes: inside ⇔ sum of squares ≤ 1. */
function lesionRho2(l: DemoLesionTruth, p: Readonly<Vec3>): number {
  const d: Vec3 = [p[0] - l.centerLps[0], p[1] - l.centerLps[1], p[2] - l.centerLps[2]];
  let r = 0;
  for (let a = 0; a < 3; a++) {
    const ax = l.axesLps[a]!;
    const u = (d[0] * ax[0] + d[1] * ax[1] + d[2] * ax[2]) / l.semiAxesMm[a]!;
    r += u * u;
  }
  return r;
}
/** Distance from p to the axis segment of a foramen. */
function foramenAxisDistance(f: DemoForamenTruth, p: Readonly<Vec3>): number {
  const a = f.anteriorLps, b = f.posteriorLps;
  const ab: Vec3 = [b[0] - a[0], b[1] - a[1], b[2] - a[2]];
  const ap: Vec3 = [p[0] - a[0], p[1] - a[1], p[2] - a[2]];
  const t = Math.max(0, Math.min(1, (ab[0] * ap[0] + ab[1] * ap[1] + ab[2] * ap[2]) / (ab[0] ** 2 + ab[1] ** 2 + ab[2] ** 2)));
  return Math.hypot(ap[0] - t * ab[0], ap[1] - t * ab[1], ap[2] - t * ab[2]);
}
/** Half-extent of a lesion along a unit world direction. */
function halfExtent(l: DemoLesionTruth, dir: Vec3): number {
  let s = 0;
  for (let a = 0; a < 3; a++) {
    const ax = l.axesLps[a]!;
    s += (l.semiAxesMm[a]! * (ax[0] * dir[0] + ax[1] * dir[1] + ax[2] * dir[2])) ** 2;
  }
  return Math.sqrt(s);
}
/** Voxel index box around a lesion, scaled. */
function lesionBox(l: DemoLesionTruth, scale: number): { lo: Vec3; hi: Vec3 } {
  const g = demo.volume.geometry;
  const lo: Vec3 = [0, 0, 0], hi: Vec3 = [0, 0, 0];
  for (let d = 0; d < 3; d++) {
    const dir: Vec3 = [0, 0, 0];
    dir[d] = 1;
    const e = halfExtent(l, dir) * scale + 2 * g.spacingMm[d]!;
    lo[d] = Math.floor((l.centerLps[d]! - e - g.originLps[d]!) / g.spacingMm[d]!);
    hi[d] = Math.ceil((l.centerLps[d]! + e - g.originLps[d]!) / g.spacingMm[d]!);
  }
  return { lo, hi };
}

describe('demo phantom: grid and series', () => {
  it('is an axial LPS Int16 CT volume of sane size', () => {
    const g = demo.volume.geometry;
    expect(g.dims).toEqual([240, 200, 180]);
    expect(g.spacingMm).toEqual([0.8, 0.8, 0.8]);
    expect([...g.directionCosines]).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1]);
    expect(g.voxelCount).toBeLessThanOrEqual(12_000_000);
    expect(demo.volume.voxels).toBeInstanceOf(Int16Array);
    expect(demo.volume.units).toBe('HU');
    expect(demo.volume.modality).toBe('CT');
    expect(demo.info.modality).toBe('CT');
    expect(demo.info.seriesDescription).toBe('SacroPlan demo: synthetic sacrum');
    expect(demo.info.patientName).toBe('DEMO^SACRUM');
    expect(demo.info.dims).toEqual(g.dims);
    expect(demo.info.spacingMm).toEqual([0.8, 0.8, 0.8]);
    expect(demo.info.loadable).toBe(true);
    expect(demo.measurementBlockedReason).toBeNull();
    expect(demoGeometry(0.8).toJSON()).toEqual(g.toJSON());
    // The FOV holds the whole sacrum (top and tip) and the posterior skin with air behind it.
    const t = demo.truth;
    for (const p of [t.longAxis.topLps, t.longAxis.tipLps, ...t.foramina.map((f) => f.posteriorLps)]) expect(g.nearestIndex(p)).not.toBeNull();
    expect(valueAt([0, 94, -30])).toBeLessThan(-900);
    let lo = Infinity, hi = -Infinity;
    for (const v of demo.volume.voxels) { if (v < lo) lo = v; if (v > hi) hi = v; }
    expect(lo).toBeGreaterThanOrEqual(-1024);
    expect(hi).toBeLessThanOrEqual(3071);
  });

  it('other spacings give a grid over the same field of view', () => {
    const g = demoGeometry(1.6);
    expect(g.dims).toEqual([120, 100, 90]);
  });

  it('generates fast enough (logged; a loose bound here, the budget is ~1.5 s in node)', () => {
    const t0 = performance.now();
    const again = makeDemoPhantom();
    const ms = performance.now() - t0;
    console.log(`demo phantom warm regeneration: ${ms.toFixed(0)} ms`);
    expect(again.volume.voxels.length).toBe(demo.volume.voxels.length);
    expect(Math.min(ms, firstMs)).toBeLessThan(4000);
  });
});

describe('demo phantom: anatomy as described by the truth', () => {
  it('has a sacrum of adult size and kyphosis', () => {
    const t = demo.truth;
    expect(t.longAxis.totalCurvatureDeg).toBeGreaterThanOrEqual(25);
    expect(t.longAxis.totalCurvatureDeg).toBeLessThanOrEqual(40);
    expect(t.longAxis.chordLengthMm).toBeGreaterThan(95);
    expect(t.longAxis.chordLengthMm).toBeLessThan(110);
    expect(t.widthMm).toBeGreaterThanOrEqual(95);
    expect(t.widthMm).toBeLessThanOrEqual(105);
    expect(t.levels.map((l) => l.level)).toEqual(['S1', 'S2', 'S3', 'S4', 'S5']);
    expect(t.foramina.map((f) => f.id).sort()).toEqual(['S1_L', 'S1_R', 'S2_L', 'S2_R', 'S3_L', 'S3_R', 'S4_L', 'S4_R']);
    // Radii decrease caudally, 4.5 → 2.5 mm.
    const radii = ['S1', 'S2', 'S3', 'S4'].map((lv) => t.foramina.find((f) => f.id === `${lv}_L`)!.radiusMm);
    expect(radii[0]).toBeCloseTo(4.5, 6);
    expect(radii[3]).toBeCloseTo(2.5, 6);
    for (let i = 1; i < 4; i++) expect(radii[i]!).toBeLessThan(radii[i - 1]!);
    // Foramen axes run roughly antero-posteriorly (within 40° of the y axis) from front to back.
    for (const f of t.foramina) {
      expect(f.posteriorLps[1]).toBeGreaterThan(f.anteriorLps[1] + 10);
      expect(Math.abs(f.axisLps[1])).toBeGreaterThan(Math.cos((40 * Math.PI) / 180));
    }
    // The canal narrows caudally.
    const r = t.canal.radiiMm;
    expect(r[0]!).toBeGreaterThan(r[r.length - 1]!);
    // The published frame reproduces the published landmarks.
    const top = frameToLps(t, 0, 0, 0), tip = frameToLps(t, 0, t.longAxis.arcLengthMm, 0);
    for (let a = 0; a < 3; a++) {
      expect(top[a]).toBeCloseTo(t.longAxis.topLps[a]!, 9);
      expect(tip[a]).toBeCloseTo(t.longAxis.tipLps[a]!, 9);
    }
  });

  it('shows each foramen as a dark channel with bone around it', () => {
    for (const f of demo.truth.foramina) {
      const mid: Vec3 = [(f.anteriorLps[0] + f.posteriorLps[0]) / 2, (f.anteriorLps[1] + f.posteriorLps[1]) / 2, (f.anteriorLps[2] + f.posteriorLps[2]) / 2];
      expect(median27(mid), `${f.id} axis midpoint`).toBeLessThan(100);
      const [u, v] = perpBasis(norm3(f.axisLps));
      let bone = 0, cortex = 0;
      for (let n = 0; n < 8; n++) {
        const a = (n * Math.PI) / 4;
        const dir = add3([Math.cos(a) * u[0], Math.cos(a) * u[1], Math.cos(a) * u[2]], v, Math.sin(a));
        if (valueAt(add3(mid, dir, f.radiusMm + 3)) > 150) bone++;
        if (valueAt(add3(mid, dir, f.radiusMm + 0.65)) >= 700) cortex++;
      }
      // L2 replaces part of the right S1 foramen's surroundings with lesion.
      const needed = f.id === 'S1_R' ? 3 : 7;
      expect(bone, `${f.id}: bone around`).toBeGreaterThanOrEqual(needed);
      expect(cortex, `${f.id}: cortical lining`).toBeGreaterThanOrEqual(needed);
    }
  });

  it('shows the canal dark down to the hiatus', () => {
    const c = demo.truth.canal;
    c.centrelineLps.forEach((p, n) => {
      if (c.sMm[n]! > c.hiatusSMm) return;
      expect(median27(p), `canal at s=${c.sMm[n]}`).toBeLessThan(100);
    });
  });

  it('has a cortical shell ≥ 700 HU and cancellous bone ~250 HU', () => {
    const t = demo.truth;
    const s1 = t.levels[0]!;
    const sMid = (s1.sRangeMm[0] + s1.sRangeMm[1]) / 2;
    // Anterior cortex of the S1 body, 0.65 mm under the surface (the middle of the 1.3 mm shell).
    const cortexPt = frameToLps(t, 0, sMid, -(s1.bodyHalfDepthMm - 0.65));
    expect(valueAt(cortexPt)).toBeGreaterThanOrEqual(700);
    expect(median27(frameToLps(t, 0, sMid, -(s1.bodyHalfDepthMm + 3)))).toBeLessThan(100); // presacral fat
    const canc = median27(frameToLps(t, -10, 6, 5));
    expect(canc).toBeGreaterThan(180);
    expect(canc).toBeLessThan(330);
  });

  it('has a ~2.5 mm SI joint gap between the ala and the ilium', () => {
    // Walk laterally through the right ala at S1 (clear of the lesions): bone, a dark gap, bone again.
    const t = demo.truth;
    const g = demo.volume.geometry;
    const profile: number[] = [];
    for (let x = -40; x >= -64; x -= 0.2) profile.push(valueAt(frameToLps(t, x, 8, 4)));
    const gapStart = profile.findIndex((v, n) => n > 0 && v < 150 && profile[n - 1]! >= 150);
    expect(gapStart).toBeGreaterThan(0);
    let gapEnd = gapStart;
    while (gapEnd < profile.length && profile[gapEnd]! < 150) gapEnd++;
    const gapMm = (gapEnd - gapStart) * 0.2;
    expect(gapMm).toBeGreaterThan(1.2);
    expect(gapMm).toBeLessThan(4.5);
    expect(Math.max(...profile.slice(gapEnd, gapEnd + 15))).toBeGreaterThan(700); // iliac cortex
    expect(t.siJointGapMm).toBe(2.5);
    expect(g.spacingMm[0]).toBe(0.8);
  });
});

describe('demo phantom: lesions', () => {
  it('has three lytic lesions, zones 1, 2, 3, of 0.8–7 mL and ≤ 30 mm, fully inside the sacrum', () => {
    const ls = demo.truth.lesions;
    expect(ls.map((l) => l.zone)).toEqual([1, 2, 3]);
    for (const l of ls) {
      expect(l.volumeMl).toBeGreaterThanOrEqual(0.8);
      expect(l.volumeMl).toBeLessThanOrEqual(7);
      expect(l.maxDiameterMm).toBeLessThanOrEqual(30);
      expect(l.volumeMl).toBeCloseTo((4 / 3) * Math.PI * l.semiAxesMm[0] * l.semiAxesMm[1] * l.semiAxesMm[2] / 1000, 12);
      expect(l.fractionInsideSacrum).toBe(1);
      expect(l.minDepthInSacrumMm).toBeGreaterThan(1.5); // deeper than the cortex
      expect(l.hu).toBe(30);
    }
  });

  it('reads ≈ 30 HU at each lesion centre (3×3×3 median)', () => {
    for (const l of demo.truth.lesions) expect(Math.abs(median27(l.centerLps) - 30), l.id).toBeLessThanOrEqual(15);
  });

  it('renders each lesion with the analytic volume (voxel counting within 3 %)', () => {
    const g = demo.volume.geometry;
    const voxMl = g.voxelVolumeMm3 / 1000;
    const p: Vec3 = [0, 0, 0];
    for (const l of demo.truth.lesions) {
      const box = lesionBox(l, 1.6);
      // The neighbourhood (ρ ≤ 1.25) stays inside the sacrum: every lesion is ≥ 1.5 mm deep (checked above).
      // Voxels too close to a foramen lumen are left out of both counts (the lumen is dark too).
      const nearForamen = (q: Vec3): boolean => demo.truth.foramina.some((f) => foramenAxisDistance(f, q) < f.radiusMm + 1.2);
      // Threshold half-way between the lesion and the bone in a shell around it.
      const shell: number[] = [];
      for (let k = box.lo[2]; k <= box.hi[2]; k++) for (let j = box.lo[1]; j <= box.hi[1]; j++) for (let i = box.lo[0]; i <= box.hi[0]; i++) {
        g.ijkToLps(p, i, j, k);
        const r2 = lesionRho2(l, p);
        if (r2 > 1.3 ** 2 && r2 < 1.6 ** 2 && !nearForamen(p)) shell.push(demo.volume.voxels[g.offset(i, j, k)]!);
      }
      shell.sort((a, b) => a - b);
      const bone = shell[shell.length >> 1]!;
      expect(bone, `${l.id} surrounding bone`).toBeGreaterThan(150);
      const threshold = (l.hu + bone) / 2;
      let analytic = 0, rendered = 0, analyticAll = 0;
      for (let k = box.lo[2]; k <= box.hi[2]; k++) for (let j = box.lo[1]; j <= box.hi[1]; j++) for (let i = box.lo[0]; i <= box.hi[0]; i++) {
        g.ijkToLps(p, i, j, k);
        const r2 = lesionRho2(l, p);
        if (r2 <= 1) analyticAll++;
        if (r2 > 1.25 ** 2 || nearForamen(p)) continue;
        if (r2 <= 1) analytic++;
        if (demo.volume.voxels[g.offset(i, j, k)]! < threshold) rendered++;
      }
      // 1) the voxelisation of the analytic ellipsoid matches its exact volume
      expect(Math.abs(analyticAll * voxMl - l.volumeMl) / l.volumeMl, `${l.id} voxelised vs exact`).toBeLessThan(0.03);
      // 2) the image shows the same voxels (thresholded, noise and partial volume included)
      expect(Math.abs(rendered - analytic) / analytic, `${l.id} rendered vs analytic (${rendered} vs ${analytic})`).toBeLessThan(0.03);
      if (l.foraminaInvolved.length === 0) expect(analytic).toBe(analyticAll);
    }
  });

  it('sits in Denis zones consistent with the foramina', () => {
    const t = demo.truth;
    const xDir: Vec3 = [1, 0, 0];
    const borders = (level: string): { medialMm: number; lateralMm: number } => t.zoneBorders.find((b) => b.level === level)!;
    const [l1, l2, l3] = t.lesions as [DemoLesionTruth, DemoLesionTruth, DemoLesionTruth];
    // Zone 1: entirely lateral to the lateral foramen border at its level.
    const b1 = borders(l1.level);
    expect(Math.abs(l1.centerLps[0]) - halfExtent(l1, xDir)).toBeGreaterThan(b1.lateralMm);
    expect(l1.zonesInvolved).toEqual([1]);
    // Zone 2: overlaps a foramen lumen, stays lateral to the medial border.
    const b2 = borders(l2.level);
    expect(Math.abs(l2.centerLps[0]) - halfExtent(l2, xDir)).toBeGreaterThan(b2.medialMm);
    expect(l2.foraminaInvolved).toEqual(['S1_R']);
    const f = t.foramina.find((x) => x.id === 'S1_R')!;
    // Brute force: some lesion point lies inside the foramen cylinder.
    let hits = 0;
    const e = l2.semiAxesMm;
    for (let u = -1; u <= 1; u += 0.1) for (let v = -1; v <= 1; v += 0.1) for (let w = -1; w <= 1; w += 0.1) {
      if (u * u + v * v + w * w > 1) continue;
      const q = add3(add3(add3(l2.centerLps, l2.axesLps[0], u * e[0]), l2.axesLps[1], v * e[1]), l2.axesLps[2], w * e[2]);
      if (foramenAxisDistance(f, q) < f.radiusMm) hits++;
    }
    expect(hits).toBeGreaterThan(0);
    expect(l2.zonesInvolved).toContain(2);
    expect(l2.zonesInvolved).not.toContain(3);
    // Zone 3: entirely medial to the medial border.
    const b3 = borders(l3.level);
    expect(Math.abs(l3.centerLps[0]) + halfExtent(l3, xDir)).toBeLessThan(b3.medialMm);
    expect(l3.zonesInvolved).toEqual([3]);
    expect(l3.rotationDeg).not.toBe(0);
  });
});

describe('demo phantom: determinism and packaging', () => {
  const checksum = (d: DemoCase): string => createHash('sha256').update(new Uint8Array(d.volume.voxels.buffer, d.volume.voxels.byteOffset, d.volume.voxels.byteLength)).digest('hex');

  it('same seed → same voxels; another seed → other noise, same truth', () => {
    const a = checksum(demo);
    expect(checksum(makeDemoPhantom({ seed: 1 }))).toBe(a);
    const other = makeDemoPhantom({ seed: 2 });
    expect(checksum(other)).not.toBe(a);
    expect(other.truth).toEqual(demo.truth);
    console.log(`demo phantom sha256 (seed 1): ${a}`);
  });

  it('has a one-line summary for the UI', () => {
    const s = demoSummary();
    expect(s).toMatch(/240×200×180/);
    for (const l of demo.truth.lesions) expect(s).toContain(l.id);
  });

  it('imports nothing that needs a DOM (runs in node and in workers)', () => {
    const dir = join(repoRoot, 'src', 'demo');
    for (const name of readdirSync(dir).filter((n) => n.endsWith('.ts'))) {
      const text = readFileSync(join(dir, name), 'utf8');
      const imports = [...text.matchAll(/from\s+'([^']+)'/g)].map((m) => m[1]!);
      for (const spec of imports) expect(spec, `${name} imports ${spec}`).toMatch(/^\.\.?\//);
      expect(text).not.toMatch(/\b(document|window)\./);
    }
  });
});
