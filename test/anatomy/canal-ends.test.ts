/**
 * The canal followed past the ends of a detected line along its own course (canal-ends.ts), on code-built working
 * grids: a curved tube of canal contents (10 HU) through a block of marrow-and-cortex bone, whose exact centre line
 * and radius are known.
 */
import { describe, expect, it } from 'vitest';
import type { Vec3 } from '../../src/core/vec3';
import type { WorkGrid } from '../../src/anatomy/detect-grid';
import { followCanalEnd, recentredCanal, withCanalEnds } from '../../src/anatomy/canal-ends';

const H = 1;
/** The tube's centre at arc length s (mm): an arc of radius 120 mm in the y–z plane, from z = 50 down. */
const R_ARC = 120;
const centre = (s: number): Vec3 => [0, R_ARC * (1 - Math.cos(s / R_ARC)), 50 - R_ARC * Math.sin(s / R_ARC)];
/** Its radius: 8 mm narrowing to 5 mm over 90 mm (the sacral canal narrows towards the hiatus). */
const radius = (s: number): number => 8 - (3 * Math.max(0, Math.min(90, s))) / 90;

/** Grid 60 × 80 × 110 mm (1 mm), bone 250 HU, the tube 10 HU for s in [0, sEnd]; past sEnd the roof (y > centre) is fat (−80 HU), an open hiatus. */
function tubeGrid(sEnd: number): { work: Float32Array; g: WorkGrid } {
  const g: WorkGrid = { dims: [60, 80, 110], spacingMm: H, originLps: [-30, -20, -55] };
  const [na, nb, nc] = g.dims;
  const work = new Float32Array(na * nb * nc);
  for (let c = 0; c < nc; c++) for (let b = 0; b < nb; b++) for (let a = 0; a < na; a++) {
    const p: Vec3 = [g.originLps[0] + a * H, g.originLps[1] + b * H, g.originLps[2] + c * H];
    // nearest point of the arc: by angle about the arc's centre (0, R_ARC, 50)
    const ang = Math.atan2(50 - p[2], R_ARC - p[1]);
    const s = ang * R_ARC;
    const q = centre(s);
    const d = Math.hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2]);
    let v = 250;
    if (s >= 0 && s <= sEnd && d <= radius(s)) v = 10;
    else if (s > sEnd && s <= sEnd + 30 && d <= radius(s) + 6 && p[1] > q[1] - radius(s)) v = -80;
    work[a + na * (b + nb * c)] = v;
  }
  return { work, g };
}

/** Distance (mm) from p to the tube's axis (the arc). */
const distToArc = (p: Vec3): number => Math.hypot(p[0], Math.hypot(R_ARC - p[1], 50 - p[2]) - R_ARC);

describe('followCanalEnd', () => {
  const { work, g } = tubeGrid(85);
  const line = [20, 25, 30, 35, 40].map(centre);

  it('follows the lumen caudally to where its roof opens, on its course and at its radius', () => {
    const e = followCanalEnd(work, g, line, radius(40));
    const last = e.pts[e.pts.length - 1]!;
    const sLast = Math.atan2(50 - last[2], R_ARC - last[1]) * R_ARC;
    console.log(`caudal: ${e.pts.length} mm, to s ${sLast.toFixed(1)} (lumen ends at 85), stop: ${e.stop}; worst off the axis ${Math.max(...e.pts.map(distToArc)).toFixed(2)} mm; radii ${e.radiiMm.filter((_, k) => k % 10 === 0).map((r) => r.toFixed(1)).join(' ')}`);
    expect(e.stop).toMatch(/open/);
    expect(Math.abs(sLast - 85)).toBeLessThanOrEqual(2);
    for (const p of e.pts) expect(distToArc(p)).toBeLessThan(0.5);
    e.pts.forEach((p, k) => {
      const s = Math.atan2(50 - p[2], R_ARC - p[1]) * R_ARC;
      // the region at half contrast on a 1 mm grid: within half a voxel of the true radius
      expect(Math.abs(e.radiiMm[k]! - radius(s))).toBeLessThan(0.5);
    });
  });

  it('follows it cranially to the bound it is given (the sacral base), and not at all without one', () => {
    const zBase = 40;
    const up = withCanalEnds(work, g, { centerlineLps: line, radiusMm: line.map((_, k) => radius(20 + 5 * k)), confidence: 1, source: 'auto' }, (p) => p[2] <= zBase);
    const top = up.canal.centerlineLps[0]!;
    console.log(`cranial: top at z ${top[2].toFixed(1)} (bound ${zBase}); ${up.message}`);
    expect(top[2]).toBeLessThanOrEqual(zBase);
    expect(top[2]).toBeGreaterThan(zBase - 5);
    expect(distToArc(top)).toBeLessThan(0.5);
    const none = withCanalEnds(work, g, { centerlineLps: line, radiusMm: line.map(() => 7), confidence: 1, source: 'auto' }, null);
    expect(none.canal.centerlineLps[0]).toEqual(line[0]);
    expect(none.message).toMatch(/0 mm cranially \(stopped at no sacral base read\)/);
  });

  it('does not follow a lumen that is not enclosed (no wall brighter than it)', () => {
    const flat = { work: new Float32Array(work.length).fill(20), g };
    const e = followCanalEnd(flat.work, flat.g, line, 7);
    expect(e.pts).toEqual([]);
    expect(e.stop).toMatch(/no wall/);
  });
});

describe('recentredCanal', () => {
  const { work, g } = tubeGrid(85);
  it('moves centres placed 2.5 mm behind the lumen, with a 25 mm gap between two, onto its axis at its radius', () => {
    // as the hole search left it on 4.5 mm slices (fatty-thick4p5mm): behind the axis, and sparse
    const line = [10, 15, 40, 45, 50].map((s) => { const c = centre(s); return [c[0], c[1] + 2.5, c[2]] as Vec3; });
    const out = recentredCanal(work, g, { centerlineLps: line, radiusMm: line.map(() => 5), confidence: 1, source: 'auto' });
    const offs = out.canal.centerlineLps.map(distToArc);
    console.log(`recentred ${out.moved} of ${out.canal.centerlineLps.length}; off the axis before ${distToArc(line[0]!).toFixed(2)}, after at most ${Math.max(...offs).toFixed(2)} mm`);
    expect(out.canal.centerlineLps.length).toBe(9); // 4 filled in the gap
    expect(out.moved).toBe(9);
    for (const d of offs) expect(d).toBeLessThan(0.5);
    out.canal.centerlineLps.forEach((p, k) => {
      const s = Math.atan2(50 - p[2], R_ARC - p[1]) * R_ARC;
      expect(Math.abs(out.canal.radiusMm[k]! - radius(s))).toBeLessThan(0.5);
    });
  });
});
