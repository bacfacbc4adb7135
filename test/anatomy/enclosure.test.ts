/**
 * The sacrum filled inside its cortical shell (src/anatomy/enclosure.ts) on volumes built in code:
 * fatty marrow (40 HU) behind a thin, faint cortex (130 HU) with a gap, in fat (-80 HU).
 */
import { describe, expect, it } from 'vitest';
import { ballEnclosed, cortexShell, fillInsideCortex, greyOpening } from '../../src/anatomy/enclosure';

const h = 1.5;
const dims = [60, 50, 50] as const;
const N = 60 * 50 * 50;
const at = (a: number, b: number, c: number) => a + 60 * (b + 50 * c);

/** A box of marrow with a 1-voxel cortex; `gap` opens a square hole of that many voxels in its +x wall. */
function box(v: Float32Array, a0: number, a1: number, b0: number, b1: number, c0: number, c1: number, marrowHu: number, cortexHu: number, gap = 0): void {
  for (let c = c0; c <= c1; c++) for (let b = b0; b <= b1; b++) for (let a = a0; a <= a1; a++) {
    const wall = a === a0 || a === a1 || b === b0 || b === b1 || c === c0 || c === c1;
    const mid = Math.abs(b - (b0 + b1) / 2) < gap / 2 && Math.abs(c - (c0 + c1) / 2) < gap / 2;
    v[at(a, b, c)] = wall && !(a === a1 && mid) ? cortexHu : marrowHu;
  }
}

describe('cortexShell', () => {
  it('takes a faint thin sheet (130 HU between 40 HU marrow and -80 HU fat) and not a step edge', () => {
    const v = new Float32Array(N).fill(-80);
    box(v, 5, 30, 10, 40, 10, 40, 40, 130);
    // a step edge: muscle (50 HU) against fat, no sheet
    for (let c = 0; c < 50; c++) for (let b = 0; b < 50; b++) for (let a = 45; a < 60; a++) v[at(a, b, c)] = 50;
    const s = cortexShell(v, dims, h).shell;
    expect(s[at(5, 25, 25)]).toBe(1); // the wall
    expect(s[at(15, 25, 25)]).toBe(0); // the marrow
    let edge = 0;
    for (let c = 0; c < 50; c++) for (let b = 0; b < 50; b++) for (let a = 44; a < 60; a++) edge += s[at(a, b, c)]!;
    expect(edge).toBe(0);
  });

  it('greyOpening equals the brute-force min-then-max over the (2r+1)³ box, clipped at the edges', () => {
    const d = [9, 7, 6] as const, M = 9 * 7 * 6, r = 2;
    let seed = 7;
    const v = Float32Array.from({ length: M }, () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) * 1000);
    const ix = (a: number, b: number, c: number) => a + 9 * (b + 7 * c);
    const box = (src: Float32Array, f: (x: number, y: number) => number) => {
      const out = new Float32Array(M);
      for (let c = 0; c < 6; c++) for (let b = 0; b < 7; b++) for (let a = 0; a < 9; a++) {
        let m = src[ix(a, b, c)]!;
        for (let z = Math.max(0, c - r); z <= Math.min(5, c + r); z++) for (let y = Math.max(0, b - r); y <= Math.min(6, b + r); y++) for (let x = Math.max(0, a - r); x <= Math.min(8, a + r); x++) m = f(m, src[ix(x, y, z)]!);
        out[ix(a, b, c)] = m;
      }
      return out;
    };
    expect(Array.from(greyOpening(v, d, r))).toEqual(Array.from(box(box(v, Math.min), Math.max)));
  });

  it('greyOpening removes a one-voxel ridge and keeps a plateau', () => {
    const v = new Float32Array(N);
    for (let c = 0; c < 50; c++) for (let b = 0; b < 50; b++) v[at(20, b, c)] = 100;
    for (let c = 0; c < 50; c++) for (let b = 0; b < 50; b++) for (let a = 40; a < 55; a++) v[at(a, b, c)] = 100;
    const o = greyOpening(v, dims, 2);
    expect(o[at(20, 25, 25)]).toBe(0);
    expect(o[at(47, 25, 25)]).toBe(100);
  });
});

describe('ballEnclosed', () => {
  it('closes a gap narrower than the ball and leaves a wider opening open', () => {
    const shell = new Uint8Array(N);
    const hollow = (gap: number) => {
      shell.fill(0);
      for (let c = 10; c <= 40; c++) for (let b = 10; b <= 40; b++) for (let a = 5; a <= 35; a++) {
        const wall = a === 5 || a === 35 || b === 10 || b === 40 || c === 10 || c === 40;
        const hole = a === 35 && Math.abs(b - 25) < gap / 2 && Math.abs(c - 25) < gap / 2;
        if (wall && !hole) shell[at(a, b, c)] = 1;
      }
      return ballEnclosed(shell, dims, h, 4);
    };
    // a 4-voxel (6 mm) gap: narrower than the 8 mm ball, closed
    expect(hollow(4)[at(20, 25, 25)]).toBe(1);
    // a 10-voxel (15 mm) opening: the ball gets in
    expect(hollow(10)[at(20, 25, 25)]).toBe(0);
    // the outside stays outside
    expect(hollow(4)[at(50, 25, 25)]).toBe(0);
  });
});

describe('fillInsideCortex', () => {
  it('fills the fatty marrow of the selected bone through a gap in its cortex, not that of a neighbour across a joint', () => {
    const v = new Float32Array(N).fill(-80);
    box(v, 5, 30, 10, 40, 10, 40, 40, 130, 3); // the "sacrum", a 3-voxel (4.5 mm) gap in its lateral wall
    box(v, 33, 55, 10, 40, 10, 40, 40, 300); // the "ilium", across a 2-voxel (3 mm) joint at a = 31, 32
    // the thresholded sacrum: a third of its cortex survived, in patches
    const mask = new Uint8Array(N);
    for (let c = 10; c <= 40; c++) for (let b = 10; b <= 40; b++) for (let a = 5; a <= 30; a++) {
      const wall = a === 5 || a === 30 || b === 10 || b === 40 || c === 10 || c === 40;
      if (wall && v[at(a, b, c)] === 130 && (a + b + c) % 3 === 0) mask[at(a, b, c)] = 1;
    }
    const f = fillInsideCortex(v, mask, dims, h, { nearMm: 5, ballMm: 6 });
    expect(f.filled[at(18, 25, 25)]).toBe(1); // the sacral marrow
    expect(f.filled[at(44, 25, 25)]).toBe(0); // the iliac marrow
    expect(f.filled[at(2, 25, 25)]).toBe(0); // the fat outside
    for (let n = 0; n < N; n++) if (mask[n]) expect(f.filled[n]).toBe(1);
    expect(f.added).toBeGreaterThan(20 * 25 * 25);
  });
});

describe('fillInsideCortex with the neighbouring bones', () => {
  it("fills an ala closed laterally only by the joint's subchondral plate that the threshold gave the ilium, and not the ilium's marrow", () => {
    const v = new Float32Array(N).fill(-80);
    // the sacrum: body (a 5–17, walls in the mask) and ala (a 17–30) of fatty marrow, one space; the wall between
    // them has a 7 × 7 window (10.5 mm, narrower than the 12 mm ball: the body is closed, the ala is not)
    box(v, 5, 30, 10, 40, 10, 40, 40, 130);
    for (let c = 11; c < 40; c++) for (let b = 11; b < 40; b++) if (Math.abs(b - 25) > 3 || Math.abs(c - 25) > 3) v[at(17, b, c)] = 130;
    for (let c = 10; c <= 40; c++) for (let b = 10; b <= 40; b++) v[at(30, b, c)] = 300; // the sacral subchondral plate
    box(v, 32, 55, 10, 40, 10, 40, 40, 300); // the ilium across a one-voxel (1.5 mm) joint at a = 31
    const mask = new Uint8Array(N), others = new Uint8Array(N);
    for (let c = 10; c <= 40; c++) for (let b = 10; b <= 40; b++) for (let a = 5; a <= 55; a++) {
      if (a <= 17 && v[at(a, b, c)] === 130) mask[at(a, b, c)] = 1;
      if (a >= 30 && v[at(a, b, c)] === 300) others[at(a, b, c)] = 1;
    }
    const own = fillInsideCortex(v, mask, dims, h, { nearMm: 5, ballMm: 6 });
    expect(own.filled[at(11, 25, 25)]).toBe(1); // the body's marrow: enclosed by the sacrum's own shell
    expect(own.filled[at(24, 25, 25)]).toBe(0); // the ala: open laterally without the ilium
    const f = fillInsideCortex(v, mask, dims, h, { nearMm: 5, ballMm: 6, others });
    expect(f.filled[at(11, 25, 25)]).toBe(1);
    expect(f.filled[at(24, 25, 25)]).toBe(1); // the ala
    expect(f.filled[at(27, 18, 30)]).toBe(1);
    expect(f.filled[at(44, 25, 25)]).toBe(0); // the iliac marrow
    expect(f.enclosed[at(44, 25, 25)]).toBe(1); // enclosed, but the ilium's
    expect(f.filled[at(2, 25, 25)]).toBe(0); // the fat outside
    // dense: the share at or above denseShare keeps the sacrum's own fill
    const d = fillInsideCortex(v, mask, dims, h, { nearMm: 5, ballMm: 6, others, denseShare: 0 });
    expect(d.filled[at(24, 25, 25)]).toBe(0);
  });
});
