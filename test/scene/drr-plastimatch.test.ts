/**
 * The CPU reference DRR against an independent tool: `plastimatch drr` (Debian package
 * plastimatch) on the ../shared/phantom default volume, same C-arm geometry, and the projection
 * of a needle tip (a metal needle burnt into the volume along a ../shared reference trajectory)
 * against projectLps. Skips with a printed reason without plastimatch or ../shared; fails with CI=true.
 *
 * Geometry mapping (found once and fixed here): plastimatch's --nrm points from the isocentre
 * toward the source (= −beamDir), --vup toward the detector's top row (= −vAxis), output rows
 * top to bottom, columns left to right: our pixel (u, v) is plastimatch's raw element v·W + u.
 */
import { describe, expect, it } from 'vitest';
import { writeFileSync, readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { ensurePhantom, requireShared, isCI } from '../helpers/shared';
import { loadPhantomVolume } from '../segmentation/phantom-volume';
import { cArmGeometry, defaultSetup, renderDrrCpu, pearson, projectLps, type CArmGeometry, type CArmViewName } from '../../src/scene/carm';
import type { ScalarVolume } from '../../src/core/volume';
import type { Vec3 } from '../../src/core/vec3';

function plastimatchReason(): string | null {
  try {
    execFileSync('plastimatch', ['--version'], { stdio: 'pipe' });
    return null;
  } catch {
    return 'plastimatch not found (apt-get install -y plastimatch)';
  }
}

function canRun(): boolean {
  if (!requireShared(true)) return false;
  const reason = plastimatchReason();
  if (reason === null) return true;
  if (isCI) throw new Error(`CI=true but ${reason}`);
  console.warn(`[skip] ${reason}`);
  return false;
}

/** MetaImage (.mha) of an int16 HU volume, geometry in LPS (ITK's convention). */
function writeMha(path: string, volume: ScalarVolume): void {
  const g = volume.geometry;
  const v = volume.voxels;
  if (!(v instanceof Int16Array)) throw new Error('writeMha: expects int16 voxels');
  // MetaImage TransformMatrix lists the direction matrix row by row with the axes as columns.
  const d = g.directionCosines;
  const m = [d[0], d[3], d[6], d[1], d[4], d[7], d[2], d[5], d[8]];
  const hdr = [
    'ObjectType = Image', 'NDims = 3', 'BinaryData = True', 'BinaryDataByteOrderMSB = False', 'CompressedData = False',
    `TransformMatrix = ${m.join(' ')}`, `Offset = ${g.originLps.join(' ')}`, `ElementSpacing = ${g.spacingMm.join(' ')}`,
    `DimSize = ${g.dims.join(' ')}`, 'ElementType = MET_SHORT', 'ElementDataFile = LOCAL', '',
  ].join('\n');
  writeFileSync(path, Buffer.concat([Buffer.from(hdr, 'latin1'), Buffer.from(v.buffer, v.byteOffset, v.byteLength)]));
}

function plastimatchDrr(dir: string, mha: string, geo: CArmGeometry, iso: Vec3, detectorMm: number, name: string): Float32Array {
  const W = geo.widthPx, H = geo.heightPx;
  const nrm = geo.beamDir.map((x) => -x), vup = geo.vAxis.map((x) => -x);
  execFileSync('plastimatch', [
    'drr', '-t', 'raw', '-r', `${H} ${W}`, '-z', `${detectorMm} ${detectorMm}`,
    '--sad', String(geo.sourceToIsocentreMm), '--sid', String(geo.sourceToDetectorMm),
    '-o', iso.join(' '), '-n', nrm.join(' '), '--vup', vup.join(' '), '-I', mha, '-O', join(dir, `${name}_`),
  ], { stdio: 'pipe', timeout: 300_000 });
  const b = readFileSync(join(dir, `${name}_0000.raw`));
  if (b.byteLength !== W * H * 4) throw new Error(`plastimatch wrote ${b.byteLength} bytes, expected ${W * H * 4}`);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

/** Burn a metal needle (HU 3000, radius rMm) from entry to tip into a copy of the volume. */
function withNeedle(volume: ScalarVolume, entry: Vec3, tip: Vec3, rMm: number): ScalarVolume {
  const g = volume.geometry, out = (volume.voxels as Int16Array).slice();
  const d: Vec3 = [tip[0] - entry[0], tip[1] - entry[1], tip[2] - entry[2]];
  const len = Math.hypot(...d);
  const p: Vec3 = [0, 0, 0];
  for (let k = 0; k < g.dims[2]; k++) for (let j = 0; j < g.dims[1]; j++) for (let i = 0; i < g.dims[0]; i++) {
    g.ijkToLps(p, i, j, k);
    const t = ((p[0] - entry[0]) * d[0] + (p[1] - entry[1]) * d[1] + (p[2] - entry[2]) * d[2]) / len;
    if (t < 0 || t > len) continue;
    const r = Math.hypot(p[0] - entry[0] - (d[0] * t) / len, p[1] - entry[1] - (d[1] * t) / len, p[2] - entry[2] - (d[2] * t) / len);
    if (r <= rMm) out[g.offset(i, j, k)] = 3000;
  }
  return { ...volume, voxels: out };
}

/**
 * The tip of a bright line in a difference image: walking from the projected entry toward the
 * projected tip and beyond, the point where the (bilinear) intensity falls to half the median
 * intensity of the shaft.
 */
function findTip(img: Float32Array, W: number, H: number, from: [number, number], to: [number, number]): [number, number] {
  const at = (x: number, y: number): number => {
    const x0 = Math.max(0, Math.min(W - 2, Math.floor(x))), y0 = Math.max(0, Math.min(H - 2, Math.floor(y)));
    const fx = x - x0, fy = y - y0;
    const a = img[y0 * W + x0]!, b = img[y0 * W + x0 + 1]!, c = img[(y0 + 1) * W + x0]!, e = img[(y0 + 1) * W + x0 + 1]!;
    return (a * (1 - fx) + b * fx) * (1 - fy) + (c * (1 - fx) + e * fx) * fy;
  };
  const dx = to[0] - from[0], dy = to[1] - from[1], L = Math.hypot(dx, dy);
  const ux = dx / L, uy = dy / L;
  const shaft: number[] = [];
  for (let s = 0.3 * L; s <= 0.8 * L; s += 0.25) shaft.push(at(from[0] + ux * s, from[1] + uy * s));
  shaft.sort((a, b) => a - b);
  const half = 0.5 * shaft[shaft.length >> 1]!;
  let prev = at(from[0] + ux * 0.8 * L, from[1] + uy * 0.8 * L);
  for (let s = 0.8 * L; s <= L + 10; s += 0.02) {
    const v = at(from[0] + ux * s, from[1] + uy * s);
    if (v < half) {
      const s0 = s - 0.02 + (0.02 * (prev - half)) / (prev - v);
      return [from[0] + ux * s0, from[1] + uy * s0];
    }
    prev = v;
  }
  throw new Error('needle tip not found');
}

describe('DRR vs plastimatch drr (../shared/phantom default)', () => {
  if (!canRun()) {
    it.skip('plastimatch or ../shared unavailable', () => {});
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'sacroplan-drr-'));
  const { volume, truth } = loadPhantomVolume(ensurePhantom('default.json'));
  const mha = join(dir, 'vol.mha');
  writeMha(mha, volume);
  const traj = (truth.trajectories as { id: string; entry_lps: Vec3; target_lps: Vec3; target_in_volume: boolean }[]).find((t) => t.target_in_volume)!;
  const needleMha = join(dir, 'needle.mha');
  writeMha(needleMha, withNeedle(volume, traj.entry_lps, traj.target_lps, 1.2));
  const N = 192, detMm = 300;

  for (const view of ['AP', 'lateral'] as CArmViewName[]) {
    it(`${view}: Pearson ≥ 0.95 with plastimatch at the same geometry; needle tip within 1 px of projectLps`, () => {
      const setup = { ...defaultSetup(volume.geometry, view, N), detectorMm: [detMm, detMm] as [number, number] };
      const geo = cArmGeometry(setup);
      const ours = renderDrrCpu(volume, geo);
      const ref = plastimatchDrr(dir, mha, geo, setup.isocentreLps, detMm, view);
      const r = pearson(ours, ref);
      console.log(`[drr] ${view} ${N}x${N}: Pearson r = ${r.toFixed(5)} vs plastimatch`);
      expect(r).toBeGreaterThanOrEqual(0.95);

      // analytic projection of the tip (pinhole, closed form for the named views)
      const iso = setup.isocentreLps, tip = traj.target_lps, entry = traj.entry_lps;
      const pix = detMm / N;
      const analytic = (p: Vec3): [number, number] => {
        if (view === 'AP') { const m = 1000 / (p[1] - iso[1] + 600); return [(N - 1) / 2 + ((p[0] - iso[0]) * m) / pix, (N - 1) / 2 - ((p[2] - iso[2]) * m) / pix]; }
        const m = 1000 / (p[0] - iso[0] + 600); return [(N - 1) / 2 - ((p[1] - iso[1]) * m) / pix, (N - 1) / 2 - ((p[2] - iso[2]) * m) / pix];
      };
      const proj = projectLps(geo, tip)!;
      const want = analytic(tip);
      expect(Math.hypot(proj[0] - want[0], proj[1] - want[1])).toBeLessThan(1e-6);
      // where the tip shows on plastimatch's (and our) image of the needle
      const entryIn: Vec3 = [0, 0, 0];
      for (let a = 0; a < 3; a++) entryIn[a] = tip[a]! + (entry[a]! - tip[a]!) * 0.5; // a point on the shaft inside the volume
      const refNeedle = plastimatchDrr(dir, needleMha, geo, iso, detMm, `${view}-needle`);
      const oursNeedle = renderDrrCpu({ ...volume, voxels: (withNeedle(volume, entry, tip, 1.2)).voxels }, geo);
      const diff = (a: Float32Array, b: Float32Array) => a.map((x, n) => x - b[n]!);
      const from = projectLps(geo, entryIn)!;
      const tipRef = findTip(diff(refNeedle, ref), N, N, from, proj);
      const tipOurs = findTip(diff(oursNeedle, ours), N, N, from, proj);
      const errRef = Math.hypot(tipRef[0] - want[0], tipRef[1] - want[1]);
      const errOurs = Math.hypot(tipOurs[0] - want[0], tipOurs[1] - want[1]);
      console.log(`[drr] ${view}: needle tip on plastimatch DRR ${errRef.toFixed(3)} px, on ours ${errOurs.toFixed(3)} px from the analytic projection (1 px = ${pix.toFixed(3)} mm at the detector)`);
      expect(errRef).toBeLessThan(1);
      expect(errOurs).toBeLessThan(1);
    });
  }

  it('cleans up', () => rmSync(dir, { recursive: true, force: true }));
});
