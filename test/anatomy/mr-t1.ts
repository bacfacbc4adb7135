/**
 * A T1-weighted MR made from a CT phantom (test support): every voxel's tissue is read from its CT
 * number on the demo phantom's tissue scale (src/demo/anatomy.ts HU), and given the spin-echo T1w
 * signal of that tissue, PD · (1 − exp(−TR/T1)) with TR = 500 ms, scaled to 0–1000, plus Gaussian
 * noise. T1 at 1.5 T (ms): fat 260, fatty marrow 550, muscle 870, nerve and fat in a foramen ~ 600,
 * disc 1000, CSF 4000; cortical bone gives no signal (PD ~ 0.05). So, unlike CT, the cortex is the
 * darkest thing in the image, the marrow and the foramina are both bright, and the canal (CSF) is
 * dark: a fit that assumed HU (dark lumen in bright bone) would fail.
 */
import { createScalarVolume, type ScalarVolume } from '../../src/core/volume';
import type { DemoTruth } from '../../src/demo/phantom';
import type { ForamenId, SacralAnatomy } from '../../src/anatomy/types';

const TR_MS = 500;
const sig = (t1Ms: number, pd = 1) => pd * (1 - Math.exp(-TR_MS / t1Ms));

/** Knots (CT number → T1w signal 0–1), linear between them: the demo phantom's tissues in HU order. */
const KNOTS: [number, number][] = [
  [-1000, 0], // air
  [-100, sig(260)], // subcutaneous and pelvic fat
  [-40, sig(600)], // foramen: nerve in fat
  [15, sig(4000)], // canal: CSF
  [40, sig(870)], // muscle, psoas
  [85, sig(1000)], // disc
  [220, sig(550)], // fatty marrow (ilium, sacral alae)
  [265, sig(550)], // fatty marrow (S1 body)
  [380, sig(700, 0.8)], // fused disc remnant (denser, less fat)
  [1200, sig(1000, 0.05)], // cortex: no mobile protons
];

function t1Signal(hu: number): number {
  if (hu <= KNOTS[0]![0]) return KNOTS[0]![1];
  for (let k = 1; k < KNOTS.length; k++) {
    const [h1, s1] = KNOTS[k]!, [h0, s0] = KNOTS[k - 1]!;
    if (hu <= h1) return s0 + ((s1 - s0) * (hu - h0)) / (h1 - h0);
  }
  return KNOTS[KNOTS.length - 1]![1];
}

/** The T1-weighted MR of a CT phantom (modality MR, raw units), with noise σ = `noise` (of 1000). */
export function t1FromCt(ct: ScalarVolume, noise = 15, seed = 7): ScalarVolume {
  const n = ct.voxels.length, out = new Int16Array(n);
  let s = seed >>> 0;
  const rnd = () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return (s + 0.5) / 4294967296; };
  for (let i = 0; i < n; i++) {
    const g = Math.sqrt(-2 * Math.log(rnd())) * Math.cos(2 * Math.PI * rnd());
    out[i] = Math.max(0, Math.round(1000 * t1Signal(ct.voxels[i]!) + noise * g));
  }
  return createScalarVolume(`${ct.id}:t1`, ct.geometry, out, 'raw', 'MR');
}

/**
 * The demo phantom's truth foramina as a user would place them by hand on it (source 'manual', no canal yet): the
 * starting point of the MR tests that then place the canal with two or three clicks.
 */
export function truthForaminaByHand(truth: DemoTruth): SacralAnatomy {
  return {
    foramina: truth.foramina.map((f) => ({ id: f.id as ForamenId, level: f.level, side: f.side, anteriorLps: f.anteriorLps, posteriorLps: f.posteriorLps, radiusMm: f.radiusMm, source: 'manual' as const, confidence: 1 })),
    canal: null,
    frame: null,
  };
}
