/**
 * ballEnclosed computes only the shell's bounding box and a margin of the padded grid (enclosure.ts): its result
 * must be the whole padded grid's, voxel for voxel. The reference below is the whole-grid version it replaced
 * (two distance transforms over the grid padded by the ball's radius and one voxel, a flood from the padded border).
 * squaredDistanceTo's indexOrigin and maxMm2 (segmentation/morphology.ts) are checked against the whole grid too.
 */
import { describe, expect, it } from 'vitest';
import { ballEnclosed } from '../../src/anatomy/enclosure';
import { squaredDistanceTo } from '../../src/segmentation/morphology';

function ballEnclosedWhole(shell: Uint8Array, dims: readonly [number, number, number], h: number, ballMm: number): Uint8Array {
  const p = Math.ceil(ballMm / h) + 1;
  const [na0, nb0, nc0] = dims;
  const na = na0 + 2 * p, nb = nb0 + 2 * p, nc = nc0 + 2 * p;
  const pd: [number, number, number] = [na, nb, nc];
  const N = na * nb * nc, nab = na * nb;
  const padded = new Uint8Array(N);
  for (let c = 0; c < nc0; c++) for (let b = 0; b < nb0; b++) {
    const src = na0 * (b + nb0 * c), dst = p + na * (b + p + nb * (c + p));
    padded.set(shell.subarray(src, src + na0), dst);
  }
  const sp: [number, number, number] = [h, h, h];
  const d2 = squaredDistanceTo(padded, pd, sp, 1);
  const r2 = ballMm * ballMm;
  const reach = new Uint8Array(N), queue = new Int32Array(N);
  let tail = 0;
  for (let c = 0, n = 0; c < nc; c++) for (let b = 0; b < nb; b++) for (let a = 0; a < na; a++, n++) {
    if (d2[n]! <= r2) continue;
    if (a === 0 || b === 0 || c === 0 || a === na - 1 || b === nb - 1 || c === nc - 1) { reach[n] = 1; queue[tail++] = n; }
  }
  for (let head = 0; head < tail; head++) {
    const n = queue[head]!;
    const c = (n / nab) | 0, r = n - c * nab, b = (r / na) | 0, a = r - b * na;
    const push = (m: number) => { if (!reach[m] && d2[m]! > r2) { reach[m] = 1; queue[tail++] = m; } };
    if (a > 0) push(n - 1);
    if (a < na - 1) push(n + 1);
    if (b > 0) push(n - na);
    if (b < nb - 1) push(n + na);
    if (c > 0) push(n - nab);
    if (c < nc - 1) push(n + nab);
  }
  const dr = squaredDistanceTo(reach, pd, sp, 1);
  const out = new Uint8Array(na0 * nb0 * nc0);
  for (let c = 0, m = 0; c < nc0; c++) for (let b = 0; b < nb0; b++) {
    const src = p + na * (b + p + nb * (c + p));
    for (let a = 0; a < na0; a++, m++) out[m] = dr[src + a]! > r2 ? 1 : 0;
  }
  return out;
}

let seed = 12345;
const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;

/** Hollow spheres and boxes with holes, some cut by the grid's faces, and scattered voxels. */
function shells(dims: readonly [number, number, number], n: number): Uint8Array {
  const [na, nb, nc] = dims;
  const s = new Uint8Array(na * nb * nc);
  for (let t = 0; t < n; t++) {
    const ca = rand() * na, cb = rand() * nb, cc = rand() * nc, R = 3 + rand() * 8, w = 0.6 + rand() * 1.2;
    const holeA = rand() * 2 - 1, holeR = 0.2 + rand() * 0.5;
    for (let c = 0, m = 0; c < nc; c++) for (let b = 0; b < nb; b++) for (let a = 0; a < na; a++, m++) {
      const d = Math.hypot(a - ca, b - cb, c - cc);
      if (Math.abs(d - R) < w && !(Math.abs((a - ca) / (d || 1) - holeA) < holeR && c > cc)) s[m] = 1;
    }
  }
  for (let t = 0; t < 20; t++) s[Math.floor(rand() * s.length)] = 1;
  return s;
}

describe('ballEnclosed on the shell\'s bounding box', () => {
  for (const [h, ballMm] of [[1.5, 6], [1.512756068903592, 6], [1.4422495703074083, 6], [1, 6], [3, 6], [1, 2.5], [2, 4]] as const) {
    it(`equals the whole padded grid's result (h ${h} mm, ball ${ballMm} mm)`, () => {
      for (const dims of [[40, 33, 29], [23, 41, 37], [12, 12, 50]] as const) {
        for (const count of [1, 3]) {
          const s = shells(dims, count);
          const got = ballEnclosed(s, dims, h, ballMm), want = ballEnclosedWhole(s, dims, h, ballMm);
          let diff = 0, inside = 0;
          for (let n = 0; n < s.length; n++) { if (got[n] !== want[n]) diff++; inside += want[n]!; }
          expect(diff).toBe(0);
          expect(inside).toBeGreaterThan(0);
        }
      }
      expect([...ballEnclosed(new Uint8Array(8 * 9 * 10), [8, 9, 10], h, ballMm)].every((x) => x === 0)).toBe(true);
    });
  }
});

describe('squaredDistanceTo on a box of a larger grid, read against a bound', () => {
  it('gives the whole grid\'s floating-point distances in the box (features inside it), Infinity beyond maxMm2', () => {
    const dims = [30, 27, 25] as const, sp: [number, number, number] = [1.512756068903592, 1.512756068903592, 1.512756068903592];
    const whole = new Uint8Array(30 * 27 * 25);
    for (let t = 0; t < 40; t++) whole[(5 + Math.floor(rand() * 18)) + 30 * ((4 + Math.floor(rand() * 17)) + 27 * (6 + Math.floor(rand() * 12)))] = 1;
    const full = squaredDistanceTo(whole, dims, sp, 1);
    const [a0, b0, c0] = [3, 2, 4], bd = [24, 22, 17] as const;
    const box = new Uint8Array(bd[0] * bd[1] * bd[2]);
    for (let c = 0; c < bd[2]; c++) for (let b = 0; b < bd[1]; b++) for (let a = 0; a < bd[0]; a++) box[a + bd[0] * (b + bd[1] * c)] = whole[a + a0 + 30 * (b + b0 + 27 * (c + c0))]!;
    for (const cap of [Infinity, 20, 36]) {
      const part = squaredDistanceTo(box, bd, sp, 1, { indexOrigin: [a0, b0, c0], maxMm2: cap });
      let bad = 0;
      for (let c = 0; c < bd[2]; c++) for (let b = 0; b < bd[1]; b++) for (let a = 0; a < bd[0]; a++) {
        const f = full[a + a0 + 30 * (b + b0 + 27 * (c + c0))]!, g = part[a + bd[0] * (b + bd[1] * c)]!;
        if (f <= cap ? g !== f : g !== Infinity) bad++;
      }
      expect(bad).toBe(0);
    }
  });
});
