/**
 * The built-in demo case: a procedural sacral CT (Int16 HU, axial, LPS) with analytic ground truth.
 *
 * Pure TypeScript, no DOM: runs in node and in a web worker. The anatomy is defined in ./anatomy.ts as
 * signed-distance functions; this module rasterises it structure by structure, each over its own
 * bounding box, painting in order soft tissue → psoas → ilia → disc, L5 → sacrum → lesions → noise.
 * Partial volume comes from the distance functions (a box filter of one voxel across each surface),
 * so no supersampling is needed. A lesion voxel is more lesion than bone exactly when its centre lies
 * inside the analytic ellipsoid (before noise).
 */
import { nowMs } from '../core/clock';
import { VolumeGeometry } from '../core/geometry';
import { createScalarVolume, type ScalarVolume } from '../core/volume';
import type { Vec3 } from '../core/vec3';
import type { SeriesInfo } from '../core/series';
import {
  HU, CORTEX_MM, SI_GAP_MM, SKIN, SUBCUT_FAT_MM, PELVIC_FAT, PSOAS, FRAME,
  lpsToSacral, sacralToLps, sectionAt, newSection, sacrumPhiAt, newSacrumPhi, sacralCancellousHu, sacralMassNoTopPhi,
  l5PhiAt, l5BoundsLps, iliumRowAt, iliumRowPhi, newIliumRow, iliumBoundsLeft, DEFAULT_ILIUM, type IliumShape,
} from './anatomy';
import { makeDemoTruth, type DemoTruth, type DemoVariant } from './truth';
import { ellipseSdf, ellipsoidSdf, layerFraction, mulberry32, gaussianTable, smoothstep, clamp } from './sdf';

export type { DemoTruth, DemoLesionTruth, DemoForamenTruth, DenisZone, DemoVariant, LesionDef } from './truth';
export { makeDemoTruth } from './truth';

export interface DemoPhantomOptions {
  /** Isotropic voxel size, mm (default 0.8). */
  spacingMm?: number;
  /** Seed of the noise and the bone texture (default 1). The anatomy does not depend on it. */
  seed?: number;
  /** Another anatomy or other lesions (teaching cases); default: the demo. */
  variant?: DemoVariant;
  /** Also return the sacrum as a mask (the analytic envelope, canal and foramina filled). */
  sacrumMask?: boolean;
}

export interface DemoCase {
  volume: ScalarVolume;
  info: SeriesInfo;
  truth: DemoTruth;
  /** The sacral envelope on the volume's grid (1 inside), when asked for. */
  sacrumMask: Uint8Array | null;
  /** Always null: the demo geometry is exact. Present so that a DemoCase is also a LoadedSeries. */
  measurementBlockedReason: null;
  /** Generation time in ms, and per stage (informative). */
  generationMs: number;
  timingsMs: Record<string, number>;
}

/** Field of view (LPS mm): sacrum, L5, both SI joints and the posterior skin; the ilia are cropped laterally. */
export const DEMO_FOV = { x: [-96, 96], y: [-65, 95], z: [-104, 40] } as const;

export const DEMO_DESCRIPTION = 'SacroPlan demo: synthetic sacrum';

/** Build the demo phantom. ~1 s at 0.8 mm (240×200×180) in node. */
export function makeDemoPhantom(options: DemoPhantomOptions = {}): DemoCase {
  const t0 = now();
  const h = options.spacingMm ?? 0.8;
  if (!(h >= 0.3 && h <= 5)) throw new Error(`demo phantom: spacingMm must be within 0.3..5 mm, got ${h}`);
  const seed = (options.seed ?? 1) >>> 0;
  const geometry = demoGeometry(h);
  const [ni, nj, nk] = geometry.dims;
  const o = geometry.originLps;
  const vox = new Int16Array(ni * nj * nk);
  const xs = new Float64Array(ni), ys = new Float64Array(nj), zs = new Float64Array(nk);
  for (let i = 0; i < ni; i++) xs[i] = o[0] + i * h;
  for (let j = 0; j < nj; j++) ys[j] = o[1] + j * h;
  for (let k = 0; k < nk; k++) zs[k] = o[2] + k * h;
  const variant = options.variant ?? {};
  const ctx: Ctx = {
    h, ni, nj, nk, xs, ys, zs, vox, tex: makeTexture(seed, xs, ys, zs),
    ilium: variant.ilium ?? DEFAULT_ILIUM, marrowHuOffset: variant.marrowHuOffset ?? 0,
    mask: options.sacrumMask ? new Uint8Array(ni * nj * nk) : null,
  };

  const timingsMs: Record<string, number> = {};
  let tPrev = now();
  const lap = (name: string): void => {
    const t = now();
    timingsMs[name] = t - tPrev;
    tPrev = t;
  };
  lap('setup');
  paintSoftTissue(ctx); lap('softTissue');
  paintPsoas(ctx); lap('psoas');
  paintIlia(ctx); lap('ilia');
  paintL5(ctx); lap('l5');
  paintSacrum(ctx); lap('sacrum');
  const truth = makeDemoTruth(variant); lap('truth');
  paintLesions(ctx, truth); lap('lesions');
  addNoise(ctx, seed); lap('noise');

  const volume = createScalarVolume(`${variant.id ?? 'demo'}:sacrum:${seed}:${h}`, geometry, vox, 'HU', 'CT');
  const info: SeriesInfo = {
    key: 'demo:sacrum',
    seriesInstanceUid: '',
    modality: 'CT',
    seriesDescription: DEMO_DESCRIPTION,
    seriesNumber: 1,
    patientName: 'DEMO^SACRUM',
    patientId: 'DEMO',
    studyDescription: 'SacroPlan demo case',
    studyDate: '',
    sliceCount: nk,
    dims: [ni, nj, nk],
    spacingMm: [h, h, h],
    warnings: [],
    loadable: true,
  };
  return { volume, info, truth, sacrumMask: ctx.mask, measurementBlockedReason: null, generationMs: now() - t0, timingsMs };
}

/** The grid of the demo volume: axial, identity directions (i → +L, j → +P, k → +S), centred on the FOV. */
export function demoGeometry(spacingMm = 0.8): VolumeGeometry {
  const h = spacingMm;
  const n = (r: readonly [number, number]): number => Math.max(1, Math.round((r[1] - r[0]) / h));
  const dims: [number, number, number] = [n(DEMO_FOV.x), n(DEMO_FOV.y), n(DEMO_FOV.z)];
  const c = (r: readonly [number, number]): number => 0.5 * (r[0] + r[1]);
  const originLps: Vec3 = [
    c(DEMO_FOV.x) - ((dims[0] - 1) * h) / 2,
    c(DEMO_FOV.y) - ((dims[1] - 1) * h) / 2,
    c(DEMO_FOV.z) - ((dims[2] - 1) * h) / 2,
  ];
  return new VolumeGeometry({ dims, spacingMm: [h, h, h], originLps, directionCosines: [1, 0, 0, 0, 1, 0, 0, 0, 1] });
}

/** One line for the UI. */
export function demoSummary(truth: DemoTruth = makeDemoTruth()): string {
  const g = demoGeometry();
  const lesions = truth.lesions.map((l) => `${l.id} ${l.name} ${l.volumeMl.toFixed(2)} mL`).join('; ');
  return (
    `Synthetic sacral CT (${g.dims.join('×')} voxels, ${g.spacingMm[0]} mm): L5–S5, ilia, 8 sacral foramina, ` +
    `${truth.lesions.length} lytic lesions — ${lesions}. Anatomy and lesions are analytic, so every measurement has an exact answer.`
  );
}

// ---------------------------------------------------------------------------------------------

interface Ctx {
  h: number;
  ni: number; nj: number; nk: number;
  xs: Float64Array; ys: Float64Array; zs: Float64Array;
  vox: Int16Array;
  tex: Texture;
  ilium: Readonly<IliumShape>;
  marrowHuOffset: number;
  mask: Uint8Array | null;
}

const now = nowMs;

/** Index range [lo, hi] of the grid coordinates within [a, b] (clamped), or null. */
function range(coords: Float64Array, a: number, b: number): [number, number] | null {
  const n = coords.length, h = coords.length > 1 ? coords[1]! - coords[0]! : 1, c0 = coords[0]!;
  const lo = Math.max(0, Math.ceil((a - c0) / h)), hi = Math.min(n - 1, Math.floor((b - c0) / h));
  return lo <= hi ? [lo, hi] : null;
}

/** Partial-volume weight of a solid at signed distance phi for a voxel of size h. */
function cover(phi: number, h: number): number {
  return clamp(0.5 - phi / h, 0, 1);
}

/** Separable smooth texture for cancellous bone: Σ_m X_m[i]·Y_m[j]·Z_m[k], about ±1. */
interface Texture { x: Float32Array[]; y: Float32Array[]; z: Float32Array[] }

function makeTexture(seed: number, xs: Float64Array, ys: Float64Array, zs: Float64Array): Texture {
  const rand = mulberry32(seed ^ 0x9e3779b9);
  const tex: Texture = { x: [], y: [], z: [] };
  for (let m = 0; m < 3; m++) {
    for (const [coords, list] of [[xs, tex.x], [ys, tex.y], [zs, tex.z]] as const) {
      const lambda = 7 + 8 * rand(), phase = 2 * Math.PI * rand();
      const arr = new Float32Array(coords.length);
      for (let n = 0; n < coords.length; n++) arr[n] = Math.sin((2 * Math.PI * coords[n]!) / lambda + phase) * 1.3;
      list.push(arr);
    }
  }
  return tex;
}

function textureAt(t: Texture, i: number, j: number, k: number): number {
  return t.x[0]![i]! * t.y[0]![j]! * t.z[0]![k]! + t.x[1]![i]! * t.y[1]![j]! * t.z[1]![k]! + t.x[2]![i]! * t.y[2]![j]! * t.z[2]![k]!;
}

/**
 * Blend a bone (cortex shell of CORTEX_MM over cancellous) into the voxel at signed distance phi
 * (negative inside the bone), over a soft value for the part outside the bone.
 */
function boneValue(phi: number, h: number, soft: number, cancellous: number): number {
  const depth = -phi;
  const fOut = layerFraction(depth, -Infinity, 0, h);
  const fIn = layerFraction(depth, CORTEX_MM, Infinity, h);
  return soft * fOut + HU.cortex * (1 - fOut - fIn) + cancellous * fIn;
}

function paintSoftTissue(c: Ctx): void {
  const { ni, nj, nk, xs, ys, h, vox } = c;
  const slice = new Int16Array(ni * nj);
  const [scx, scy] = SKIN.centre, [sa, sb] = SKIN.semi;
  const [pcx, pcy] = PELVIC_FAT.centre, [pa, pb] = PELVIC_FAT.semi;
  for (let j = 0; j < nj; j++) {
    const y = ys[j]!;
    for (let i = 0; i < ni; i++) {
      const x = xs[i]!;
      let v: number = HU.air;
      const fSkin = cover(ellipseSdf(x - scx, y - scy, sa, sb), h);
      v += (HU.subcutaneousFat - v) * fSkin;
      const fMus = cover(ellipseSdf(x - scx, y - scy, sa - SUBCUT_FAT_MM, sb - SUBCUT_FAT_MM), h);
      v += (HU.muscle - v) * fMus;
      const fPel = cover(ellipseSdf(x - pcx, y - pcy, pa, pb), h);
      v += (HU.pelvicFat - v) * fPel;
      slice[i + ni * j] = Math.round(v);
    }
  }
  for (let k = 0; k < nk; k++) vox.set(slice, k * ni * nj);
}

function paintPsoas(c: Ctx): void {
  const { ni, nj, xs, ys, zs, h, vox } = c;
  const kr = range(zs, PSOAS.goneBelowZ, Infinity);
  if (!kr) return;
  for (let k = kr[0]; k <= kr[1]; k++) {
    const f = smoothstep(PSOAS.goneBelowZ, PSOAS.fullAboveZ, zs[k]!);
    if (f <= 0.05) continue;
    const a = PSOAS.semi[0] * f, b = PSOAS.semi[1] * f;
    for (const side of [1, -1]) {
      const cx = side * PSOAS.centreX, cy = PSOAS.centreY;
      const ir = range(xs, cx - a - h, cx + a + h), jr = range(ys, cy - b - h, cy + b + h);
      if (!ir || !jr) continue;
      for (let j = jr[0]; j <= jr[1]; j++) {
        for (let i = ir[0]; i <= ir[1]; i++) {
          const w = cover(ellipseSdf(xs[i]! - cx, ys[j]! - cy, a, b), h);
          if (w <= 0) continue;
          const n = i + ni * (j + nj * k);
          vox[n] = Math.round(vox[n]! + (HU.psoas - vox[n]!) * w);
        }
      }
    }
  }
}

function paintIlia(c: Ctx): void {
  const { ni, nj, xs, ys, zs, h, vox, tex } = c;
  const bb = iliumBoundsLeft(h, c.ilium);
  const sec = newSection(), row = newIliumRow();
  const xsq: Vec3 = [0, 0, 0];
  const jr = range(ys, bb.min[1], bb.max[1]), kr = range(zs, bb.min[2], bb.max[2]);
  if (!jr || !kr) return;
  for (const side of [1, -1]) {
    const ir = side > 0 ? range(xs, bb.min[0], bb.max[0]) : range(xs, -bb.max[0], -bb.min[0]);
    if (!ir) continue;
    for (let k = kr[0]; k <= kr[1]; k++) {
      const z = zs[k]!;
      for (let j = jr[0]; j <= jr[1]; j++) {
        const y = ys[j]!;
        lpsToSacral(xsq, [0, y, z]);
        sectionAt(sec, xsq[1], xsq[2]);
        iliumRowAt(row, side, y, z, c.ilium);
        // Rows far from the sacral lateral masses need no SI-joint cut.
        const rowFar = Math.max(sec.massVentralQ - sec.q, sec.q - sec.massDorsalQ0 - 10, sec.tipPhi) > 30;
        const sacXMax = sec.massHalfWidth * 1.07 + 2;
        for (let i = ir[0]; i <= ir[1]; i++) {
          const x = xs[i]!;
          let p = iliumRowPhi(row, x);
          if (p >= h / 2) {
            // Skip ahead: the first-order distance is a fair lower bound away from the surface (×0.7 for safety).
            i += Math.max(0, Math.floor((0.7 * p - h / 2) / h));
            continue;
          }
          // SI joint: the ilium stops SI_GAP_MM from the sacral lateral masses (continued above S1).
          if (!rowFar && Math.abs(x) < sacXMax + SI_GAP_MM + Math.max(0, -p)) {
            p = Math.max(p, SI_GAP_MM - sacralMassNoTopPhi(sec, x));
            if (p >= h / 2) continue;
          }
          const n = i + ni * (j + nj * k);
          const canc = HU.iliumCancellous + HU.textureAmplitude * textureAt(tex, i, j, k);
          vox[n] = Math.round(boneValue(p, h, vox[n]!, canc));
        }
      }
    }
  }
}

function paintL5(c: Ctx): void {
  const { ni, nj, xs, ys, zs, h, vox, tex } = c;
  const bb = l5BoundsLps(h);
  const ir = range(xs, bb.min[0], bb.max[0]), jr = range(ys, bb.min[1], bb.max[1]), kr = range(zs, bb.min[2], bb.max[2]);
  if (!ir || !jr || !kr) return;
  const out = { disc: 0, body: 0 };
  for (let k = kr[0]; k <= kr[1]; k++) {
    const z = zs[k]!;
    for (let j = jr[0]; j <= jr[1]; j++) {
      const y = ys[j]!;
      for (let i = ir[0]; i <= ir[1]; i++) {
        l5PhiAt(out, xs[i]!, y, z);
        if (out.disc >= h / 2 && out.body >= h / 2) continue;
        const n = i + ni * (j + nj * k);
        let v = vox[n]!;
        if (out.disc < h / 2) v += (HU.disc - v) * cover(out.disc, h);
        if (out.body < h / 2) v = boneValue(out.body, h, v, HU.l5Cancellous + HU.textureAmplitude * textureAt(tex, i, j, k));
        vox[n] = Math.round(v);
      }
    }
  }
}

function paintSacrum(c: Ctx): void {
  const { ni, nj, xs, ys, zs, h, vox, tex } = c;
  // Bounding box: sample the frame over x ±60, s −2..L+2, q −22..52.
  const p: Vec3 = [0, 0, 0];
  let ymin = Infinity, ymax = -Infinity, zmin = Infinity, zmax = -Infinity;
  for (let s = -2; s <= FRAME.lengthMm + 2; s += 1) {
    for (const q of [-22, 52]) {
      sacralToLps(p, 0, s, q);
      ymin = Math.min(ymin, p[1]); ymax = Math.max(ymax, p[1]); zmin = Math.min(zmin, p[2]); zmax = Math.max(zmax, p[2]);
    }
  }
  const ir = range(xs, -60, 60), jr = range(ys, ymin - h, ymax + h), kr = range(zs, zmin - h, zmax + h);
  if (!ir || !jr || !kr) return;
  const sec = newSection(), phi = newSacrumPhi();
  const xsq: Vec3 = [0, 0, 0];
  for (let k = kr[0]; k <= kr[1]; k++) {
    const z = zs[k]!;
    for (let j: number = jr[0]; j <= jr[1]; j++) {
      const y = ys[j]!;
      lpsToSacral(xsq, [0, y, z]);
      const s = xsq[1], q = xsq[2];
      if (s < -3 || s > FRAME.lengthMm + 3 || q < -24 || q > 54) continue;
      sectionAt(sec, s, q);
      // Row-level reject: outside the widest possible section.
      const xMax = sec.massHalfWidth * 1.07 + 2;
      const i0 = Math.max(ir[0], Math.ceil((-xMax - xs[0]!) / h)), i1 = Math.min(ir[1], Math.floor((xMax - xs[0]!) / h));
      for (let i = i0; i <= i1; i++) {
        const x = xs[i]!;
        sacrumPhiAt(phi, sec, x);
        const bone = phi.bone;
        const n = i + ni * (j + nj * k);
        let soft = vox[n]!;
        if (c.mask && phi.env < 0) c.mask[n] = 1;
        if (phi.env < 0) {
          if (bone === -phi.canal) soft = HU.canal;
          else if (bone === -phi.foramen) soft = HU.foramen;
        }
        if (bone >= h / 2) {
          if (soft !== vox[n]) vox[n] = soft;
          continue;
        }
        const canc = sacralCancellousHu(sec, Math.abs(x), c.marrowHuOffset) + HU.textureAmplitude * textureAt(tex, i, j, k);
        vox[n] = Math.round(boneValue(bone, h, soft, canc));
      }
    }
  }
}

function paintLesions(c: Ctx, truth: DemoTruth): void {
  const { ni, nj, xs, ys, zs, h, vox } = c;
  for (const les of truth.lesions) {
    const [a, b, cc] = les.semiAxesMm;
    const [e1, e2, e3] = les.axesLps;
    const ctr = les.centerLps;
    const ext = [0, 1, 2].map((d) => Math.hypot(a * e1[d]!, b * e2[d]!, cc * e3[d]!) + h);
    const ir = range(xs, ctr[0] - ext[0]!, ctr[0] + ext[0]!), jr = range(ys, ctr[1] - ext[1]!, ctr[1] + ext[1]!), kr = range(zs, ctr[2] - ext[2]!, ctr[2] + ext[2]!);
    if (!ir || !jr || !kr) continue;
    for (let k = kr[0]; k <= kr[1]; k++) {
      const dz = zs[k]! - ctr[2];
      for (let j = jr[0]; j <= jr[1]; j++) {
        const dy = ys[j]! - ctr[1];
        for (let i = ir[0]; i <= ir[1]; i++) {
          const dx = xs[i]! - ctr[0];
          const u = dx * e1[0] + dy * e1[1] + dz * e1[2];
          const v = dx * e2[0] + dy * e2[1] + dz * e2[2];
          const w = dx * e3[0] + dy * e3[1] + dz * e3[2];
          const f = cover(ellipsoidSdf(u, v, w, a, b, cc), h);
          if (f <= 0) continue;
          const n = i + ni * (j + nj * k);
          vox[n] = Math.round(vox[n]! + (les.hu - vox[n]!) * f);
        }
      }
    }
  }
}

/**
 * White Gaussian noise (σ = HU.noiseSigma, rounded to whole HU) from a seeded table, read with a random
 * start and odd stride per image row, then clamp to the CT range [-1024, 3071].
 */
function addNoise(c: Ctx, seed: number): void {
  const { vox, ni } = c;
  const rand = mulberry32(seed);
  const g = gaussianTable(rand, 16);
  const table = new Int16Array(g.length);
  for (let n = 0; n < g.length; n++) table[n] = Math.round(HU.noiseSigma * g[n]!);
  const mask = table.length - 1;
  const rows = vox.length / ni;
  for (let r = 0; r < rows; r++) {
    let t = (rand() * 4294967296) >>> 0;
    const step = 1 + 2 * ((rand() * 1024) | 0); // odd stride: visits the whole table
    const base = r * ni;
    for (let i = base, end = base + ni; i < end; i++) {
      const v = vox[i]! + table[t & mask]!;
      t = (t + step) | 0;
      vox[i] = v < -1024 ? -1024 : v > 3071 ? 3071 : v;
    }
  }
}
