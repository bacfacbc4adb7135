/**
 * edge-blur.ts: the PSF read from a lesion's edge by a local erf fit (Φ⁻¹ of the neighbours' fractions).
 */
import { describe, expect, it } from 'vitest';
import { measureEdgeBlur, normalQuantile } from '../../src/segmentation/edge-blur';

const erf = (x: number) => {
  // Abramowitz-Stegun 7.1.26 (|error| < 1.5e-7)
  const t = 1 / (1 + 0.3275911 * Math.abs(x));
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return x >= 0 ? y : -y;
};
const Phi = (x: number) => 0.5 * (1 + erf(x / Math.SQRT2));

describe('normalQuantile', () => {
  it('inverts the normal CDF', () => {
    for (const p of [0.001, 0.01, 0.025, 0.2, 0.5, 0.77, 0.975, 0.999]) expect(Phi(normalQuantile(p))).toBeCloseTo(p, 6);
    expect(normalQuantile(0.5)).toBe(0);
  });
});

describe('measureEdgeBlur', () => {
  /** A planar edge along the slices, normal in-plane at `angleDeg` to the i axis, Gaussian blur σ_edge per in-plane axis (PSF² + h²/12). */
  function plane(psfMm: number, h: number, angleDeg: number) {
    const dims: [number, number, number] = [40, 40, 5];
    const sp: [number, number, number] = [h, h, 3];
    const a = (angleDeg * Math.PI) / 180, n = [Math.cos(a), Math.sin(a)];
    const sigma = Math.sqrt(psfMm * psfMm + (h * h) / 12);
    const val = new Float32Array(dims[0] * dims[1] * dims[2]);
    const near: number[] = [];
    for (let k = 0; k < dims[2]; k++) for (let j = 0; j < dims[1]; j++) for (let i = 0; i < dims[0]; i++) {
      const s = (i - 20.3) * h * n[0]! + (j - 19.6) * h * n[1]!;
      const idx = i + dims[0] * (j + dims[1] * k);
      val[idx] = 110 + 640 * Phi(-s / sigma);
      if (Math.abs(s) < 3) near.push(idx);
    }
    return { val, valid: new Uint8Array(val.length).fill(1), dims, sp, near };
  }
  it('reads the PSF of a blurred planar edge, whatever its direction in the slice', () => {
    for (const [psf, h] of [[1.2, 0.9], [0.8, 0.7], [1.0, 1.0]] as const) for (const ang of [0, 20, 45]) {
      const p = plane(psf, h, ang);
      const r = measureEdgeBlur(p.val, p.valid, p.dims, p.sp, p.near, 750, 110);
      expect(r.psfSigmaMm, `${psf} mm at ${h} mm, ${ang}°`).toBeCloseTo(psf, 2);
    }
  });
  it('an edge sharper than the pixels resolve reads no wider than the truth', () => {
    const p = plane(0.2, 1, 30);
    const r = measureEdgeBlur(p.val, p.valid, p.dims, p.sp, p.near, 750, 110);
    expect(Number.isNaN(r.psfSigmaMm) || r.psfSigmaMm <= 0.25).toBe(true);
  });
  it('no contrast or too few edge voxels: NaN', () => {
    const p = plane(1, 1, 0);
    expect(measureEdgeBlur(p.val, p.valid, p.dims, p.sp, p.near, 110, 110).psfSigmaMm).toBeNaN();
    expect(measureEdgeBlur(p.val, p.valid, p.dims, p.sp, p.near.slice(0, 3), 750, 110).psfSigmaMm).toBeNaN();
  });
});
