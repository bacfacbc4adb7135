/**
 * The sacral long axis (src/anatomy/detect/frame.ts) on masks built in code: a vertebral body as a straight bar,
 * 30 mm deep, with a posterior arch 6 mm thick behind an 8 mm canal (filled, as the marrow-enclosed mask below the
 * disc holds it), its top cut by the S1 endplate across its axis. Tilted 17° from the axial plane
 * (pancreas-ct-cb-001's sacrum), axial slices cut it lengthwise and the S1 centre of their track lies behind the
 * bodies' posterior wall: the body is then followed from the endplate across its own axis, and its centres run
 * parallel to the bar's axis, 3 mm behind it (the centre is taken 18 mm behind the anterior edge, BODY_DEPTH_MM,
 * where the run holds the arch too). Tilted 60°, the axial track is kept.
 */
import { describe, expect, it } from 'vitest';
import { detectFrame } from '../../../src/anatomy/detect/frame';
import { axisBehindBodies } from '../../../src/anatomy/detect';
import type { WorkGrid } from '../../../src/anatomy/detect-grid';
import type { Vec3 } from '../../../src/core/vec3';

const DEG = Math.PI / 180;

/** The bar tilted `deg` below the axial plane going posteriorly, its endplate centre at (0, 0, 0). */
function bar(deg: number, canalFilled = false, archOnly = false) {
  const g: WorkGrid = { dims: [61, 181, 161], spacingMm: 1, originLps: [-30, -40, -120] };
  const [na, nb, nc] = g.dims;
  const t: Vec3 = [0, Math.cos(deg * DEG), -Math.sin(deg * DEG)]; // along the axis, caudal
  const p: Vec3 = [0, Math.sin(deg * DEG), Math.cos(deg * DEG)]; // across it, posterior
  const mask = new Uint8Array(na * nb * nc);
  for (let c = 0, n = 0; c < nc; c++) for (let b = 0; b < nb; b++) for (let a = 0; a < na; a++, n++) {
    const x = g.originLps[0] + a, y = g.originLps[1] + b, z = g.originLps[2] + c;
    const s = y * t[1] + z * t[2], q = y * p[1] + z * p[2];
    if (Math.abs(x) > 25 || s < 0 || s > 90) continue;
    // body: q in [−15, 15]; canal 15–23; arch 23–29
    if ((!archOnly && q >= -15 && q <= (canalFilled ? 29 : 15)) || (q >= 23 && q <= 29)) mask[n] = 1;
  }
  const endplate = { pointLps: [0, 0, 0] as Vec3, normalLps: [0, -t[1], -t[2]] as Vec3, posteriorEndLps: [0, 15 * p[1], 15 * p[2]] as Vec3 };
  const offAxis = (q: Readonly<Vec3>) => Math.abs(q[1] * p[1] + q[2] * p[2]);
  return { g, mask, endplate, offAxis, midA: 30 };
}

describe('sacral long axis across the body (detect/frame.ts)', () => {
  it('a body 17° from the axial plane: followed from the endplate across its axis, its centres on the axis', () => {
    const b = bar(17, true);
    const messages: string[] = [];
    const f = detectFrame(b.mask, b.g, b.midA, messages, { endplate: b.endplate });
    const off = f!.frame.bodyCentersLps.slice(0, 4).map(b.offAxis);
    console.log(`[17°] ${messages.join('; ')}; body centres off the axis ${off.map((x) => x.toFixed(1)).join(', ')} mm`);
    expect(f!.acrossAxis).toBe(true);
    expect(messages.some((m) => /S1 centre lies \d+ mm behind the posterior wall/.test(m))).toBe(true);
    expect(Math.max(...off)).toBeLessThanOrEqual(3.5);
    expect(Math.max(...off) - Math.min(...off)).toBeLessThanOrEqual(1);
    // without the endplate the same mask is tracked in axial slices: its centres wander off the axis
    const axial = detectFrame(b.mask, b.g, b.midA, []);
    const offAxial = axial!.frame.bodyCentersLps.slice(0, 4).map(b.offAxis);
    console.log(`[17°] in axial slices: body centres off the axis ${offAxial.map((x) => x.toFixed(1)).join(', ')} mm`);
    expect(Math.max(...offAxial) - Math.min(...offAxial)).toBeGreaterThan(3);
  });
  it('a body 60° from the axial plane: the axial track is kept', () => {
    const b = bar(60);
    const messages: string[] = [];
    const f = detectFrame(b.mask, b.g, b.midA, messages, { endplate: b.endplate });
    const off = f!.frame.bodyCentersLps.slice(0, 4).map(b.offAxis);
    console.log(`[60°] body centres off the axis ${off.map((x) => x.toFixed(1)).join(', ')} mm`);
    expect(f!.acrossAxis).toBeFalsy();
    expect(Math.max(...off)).toBeLessThanOrEqual(3);
  });
  it('a body 60° from the axial plane followed across its axis when asked (acrossAxis): its centres on the axis', () => {
    const b = bar(60, true);
    const messages: string[] = [];
    const f = detectFrame(b.mask, b.g, b.midA, messages, { endplate: b.endplate, acrossAxis: true });
    const off = f!.frame.bodyCentersLps.slice(0, 4).map(b.offAxis);
    console.log(`[60°, across] ${messages.join('; ')}; body centres off the axis ${off.map((x) => x.toFixed(1)).join(', ')} mm`);
    expect(f!.acrossAxis).toBe(true);
    expect(messages).toContain('sacral long axis: the body followed from the S1 endplate across its own axis');
    expect(Math.max(...off)).toBeLessThanOrEqual(3.5);
  });
});

/**
 * detect.ts axisBehindBodies: a first mask that holds the arch alone (a fatty body whose thin cortex fell under the
 * bone threshold) gives an axial track as long as the sacrum, 26 mm behind the body's axis; the sacrum below the
 * disc, filled, gives the body's. The first is reported as off the bodies (more than half a body's depth behind);
 * the body's own track, or one a few mm off it, is not.
 */
describe('a long axis that runs behind the bodies (detect.ts axisBehindBodies)', () => {
  it('the arch alone: reported; the body: not', () => {
    const body = bar(60, true), arch = bar(60, false, true);
    const below = detectFrame(body.mask, body.g, body.midA, [], { endplate: body.endplate })!;
    const first = detectFrame(arch.mask, arch.g, arch.midA, [])!;
    const offArch = first.frame.bodyCentersLps.slice(0, 4).map(body.offAxis);
    const why = axisBehindBodies(first, below);
    console.log(`[arch] centres ${offArch.map((x) => x.toFixed(1)).join(', ')} mm off the axis: ${why}`);
    expect(Math.min(...offArch)).toBeGreaterThan(20);
    expect(why).toMatch(/runs 2\d mm behind the bodies/);
    expect(axisBehindBodies(detectFrame(body.mask, body.g, body.midA, [])!, below)).toBeNull();
    // a body track a few mm behind (the run taking in part of the canal) is the body's
    const b2 = bar(60, false);
    expect(axisBehindBodies(detectFrame(b2.mask, b2.g, b2.midA, [])!, below)).toBeNull();
  });
});
