/**
 * C-arm geometry and the CPU reference DRR (digitally reconstructed radiograph).
 *
 * Pose conventions (patient PRONE on the table, DOMAIN.md; LPS: +x patient left, +y posterior,
 * +z superior). The pose is given by the beam direction d (unit, source → detector):
 *
 *   d(laoDeg, cranialDeg) = cos(c)·(sin(a), cos(a), 0) + sin(c)·(0, 0, 1)     a = laoDeg, c = cranialDeg
 *
 * - 'AP' = { laoDeg: 0, cranialDeg: 0 }: d = +y. The X-ray tube is under the table (anterior to
 *   the prone patient) and the detector above the back, as on a standard C-arm; the image is
 *   shown as a conventional AP radiograph is hung: patient RIGHT on the image left, head up.
 * - LAO positive: the detector swings toward the patient's LEFT. 'lateral' = { laoDeg: 90 }: the
 *   tube on the patient's right, the detector on the left, d = +x; anterior is on the image right.
 * - Cranial positive: the detector tilts toward the HEAD (beam directed cranially).
 *   'outlet' = { cranialDeg: +35 } (beam from caudal-anterior to cranial-posterior, shows the
 *   foramina); 'inlet' = { cranialDeg: −35 } (beam caudal, down the pelvic inlet; DOMAIN.md §3
 *   gives 25–49°). RAO = negative LAO, caudal = negative cranial.
 *
 * Detector axes: u (image columns, to the right) and v (image rows, downward) are the AP axes
 * u0 = +x, v0 = −z rotated with the C-arm: u = (cos a, −sin a, 0), v = sin(c)·(sin a, cos a, 0) − cos(c)·(0, 0, 1).
 * Pixel indices: integer (u, v) is the CENTRE of a pixel (as voxel indices are), row-major.
 * The source sits at isocentre − d·sourceToIsocentreMm; the detector plane is perpendicular
 * to d at sourceToDetectorMm from the source, centred on the central ray.
 *
 * Attenuation: μ = μ_water·max(0, 1 + HU/1000) with μ_water = 0.02 mm⁻¹ (≈ water at 60–70 keV),
 * the CT's own effective energy (CT_ENERGY). A C-arm images at a lower effective energy, where bone
 * attenuates relatively more: FLUORO_ENERGY scales the CT numbers bilinearly (AttenuationModel).
 * The DRR pixel is the line integral ∫μ dl (dimensionless) along the ray from the source to the
 * pixel centre through the volume. The volume is sampled trilinearly between voxel centres and
 * clamped to the edge inside the box of voxel faces (index −0.5 … n − 0.5), zero outside: the
 * same model as a WebGL linear-filtered, clamp-to-edge 3D texture (src/render/drr-gl.ts).
 * Sampling: the ray's path inside the box is split into equal steps of at most stepMm and
 * sampled at their midpoints. Pure: no DOM, three or WebGL.
 */
import type { Vec3 } from '../core/vec3';
import type { ScalarVolume } from '../core/volume';
import type { VolumeGeometry } from '../core/geometry';

export type CArmViewName = 'AP' | 'lateral' | 'inlet' | 'outlet';
export interface CArmAngles { laoDeg: number; cranialDeg: number }
export type CArmView = CArmViewName | CArmAngles;

export const MU_WATER_PER_MM = 0.02;
export const INLET_TILT_DEG = 35;
export const OUTLET_TILT_DEG = 35;

/**
 * HU → μ at the energy of the image being simulated, by bilinear scaling of the CT numbers (as PET/CT
 * attenuation correction converts them to 511 keV: Kinahan et al., Med Phys 25:2046, 1998): below 0 HU
 * a mix of air and water, μ = μ_w·(1 + HU/1000); above 0 HU a mix of water and bone, whose excess over
 * water grows by boneScale = (μ_bone/μ_water at the image's energy − 1) / (the same at the CT's − 1).
 */
export interface AttenuationModel {
  /** μ of water at the simulated energy, mm⁻¹. */
  muWaterPerMm: number;
  /** Factor on positive CT numbers (1: the CT's own energy). */
  boneScale: number;
}

/** The CT's effective energy (≈ 65–70 keV): μ linear in HU. */
export const CT_ENERGY: AttenuationModel = { muWaterPerMm: MU_WATER_PER_MM, boneScale: 1 };

/**
 * A C-arm's effective energy (≈ 40 keV at 70–80 kVp). NIST XCOM mass attenuation (cm²/g): water 0.2683
 * at 40 keV, 0.193 at 70 keV; cortical bone (ICRU-44, 1.92 g/cm³) 0.6655 at 40 keV, ≈ 0.262 at 70 keV. So
 * μ_bone/μ_water is 4.76 at 40 keV and 2.61 at 70 keV: boneScale = 3.76 / 1.61 ≈ 2.3, and
 * μ_water(40 keV) = 0.0268 mm⁻¹. Bone then stands out of the soft tissue as on a fluoroscopy monitor.
 */
export const FLUORO_ENERGY: AttenuationModel = { muWaterPerMm: 0.0268, boneScale: 2.3 };

export function huToMuPerMm(hu: number, model: AttenuationModel = CT_ENERGY): number {
  const mu = model.muWaterPerMm * (1 + (hu > 0 ? hu * model.boneScale : hu) / 1000);
  return mu > 0 ? mu : 0;
}

/** The angles of a named or explicit view; throws on unknown names or non-finite angles. */
export function viewAngles(view: CArmView): CArmAngles {
  if (typeof view === 'string') {
    switch (view) {
      case 'AP': return { laoDeg: 0, cranialDeg: 0 };
      case 'lateral': return { laoDeg: 90, cranialDeg: 0 };
      case 'inlet': return { laoDeg: 0, cranialDeg: -INLET_TILT_DEG };
      case 'outlet': return { laoDeg: 0, cranialDeg: OUTLET_TILT_DEG };
      default: throw new Error(`unknown C-arm view '${String(view)}' (use AP, lateral, inlet, outlet or { laoDeg, cranialDeg })`);
    }
  }
  if (!view || !Number.isFinite(view.laoDeg) || !Number.isFinite(view.cranialDeg)) {
    throw new Error('a C-arm view needs finite laoDeg and cranialDeg');
  }
  if (Math.abs(view.cranialDeg) > 90) throw new Error(`cranialDeg must lie in −90…90, got ${view.cranialDeg}`);
  return { laoDeg: view.laoDeg, cranialDeg: view.cranialDeg };
}

/** The C-arm angles whose beam (source → detector) runs along `dirLps` (need not be unit). */
export function anglesForBeam(dirLps: Readonly<Vec3>): CArmAngles {
  const l = Math.hypot(dirLps[0], dirLps[1], dirLps[2]);
  if (!(l > 0)) throw new Error('beam direction must be non-zero');
  const c = Math.asin(Math.max(-1, Math.min(1, dirLps[2] / l)));
  const a = Math.atan2(dirLps[0], dirLps[1]);
  return { laoDeg: (a * 180) / Math.PI, cranialDeg: (c * 180) / Math.PI };
}

export interface CArmSetup {
  view: CArmView;
  /** Point the central ray passes through (mm, LPS). */
  isocentreLps: Vec3;
  sourceToIsocentreMm: number;
  sourceToDetectorMm: number;
  /** Detector size in pixels [columns, rows] and in mm [width, height]. */
  detectorPx: [number, number];
  detectorMm: [number, number];
}

export const DEFAULT_SOURCE_TO_ISOCENTRE_MM = 600;
export const DEFAULT_SOURCE_TO_DETECTOR_MM = 1000;
export const DEFAULT_DETECTOR_MM = 300;

export interface CArmGeometry {
  angles: CArmAngles;
  sourceLps: Vec3;
  /** Unit beam direction, source → detector. */
  beamDir: Vec3;
  /** Unit detector axes: u along image columns (→), v along image rows (↓). */
  uAxis: Vec3;
  vAxis: Vec3;
  /** Centre of the detector plane (central ray), LPS mm. */
  detectorCentreLps: Vec3;
  widthPx: number;
  heightPx: number;
  /** Pixel pitch [u, v], mm. */
  pixelMm: [number, number];
  sourceToDetectorMm: number;
  sourceToIsocentreMm: number;
}

/** The source, detector and axes of a pose; throws with a clear message on bad numbers. */
export function cArmGeometry(setup: CArmSetup): CArmGeometry {
  const { laoDeg, cranialDeg } = viewAngles(setup.view);
  const [w, h] = setup.detectorPx;
  if (!Number.isInteger(w) || !Number.isInteger(h) || w < 1 || h < 1 || w > 8192 || h > 8192) throw new Error(`detector size must be 1…8192 whole pixels, got ${w}×${h}`);
  const [wMm, hMm] = setup.detectorMm;
  if (!(wMm > 0) || !(hMm > 0)) throw new Error(`detector size in mm must be > 0, got ${wMm}×${hMm}`);
  const sid = setup.sourceToIsocentreMm, sdd = setup.sourceToDetectorMm;
  if (!(sid > 0) || !(sdd > sid)) throw new Error(`need 0 < source-to-isocentre (${sid} mm) < source-to-detector (${sdd} mm)`);
  for (const c of setup.isocentreLps) if (!Number.isFinite(c)) throw new Error('isocentre must be finite');
  const a = (laoDeg * Math.PI) / 180, c = (cranialDeg * Math.PI) / 180;
  const sa = Math.sin(a), ca = Math.cos(a), sc = Math.sin(c), cc = Math.cos(c);
  const beamDir: Vec3 = [cc * sa, cc * ca, sc];
  const uAxis: Vec3 = [ca, -sa, 0];
  const vAxis: Vec3 = [sc * sa, sc * ca, -cc];
  const iso = setup.isocentreLps;
  const sourceLps: Vec3 = [iso[0] - beamDir[0] * sid, iso[1] - beamDir[1] * sid, iso[2] - beamDir[2] * sid];
  const detectorCentreLps: Vec3 = [sourceLps[0] + beamDir[0] * sdd, sourceLps[1] + beamDir[1] * sdd, sourceLps[2] + beamDir[2] * sdd];
  return {
    angles: { laoDeg, cranialDeg },
    sourceLps, beamDir, uAxis, vAxis, detectorCentreLps,
    widthPx: w, heightPx: h, pixelMm: [wMm / w, hMm / h],
    sourceToDetectorMm: sdd, sourceToIsocentreMm: sid,
  };
}

/** LPS of the centre of detector pixel (u, v). */
export function detectorPixelLps(out: Vec3, g: CArmGeometry, u: number, v: number): Vec3 {
  const du = (u - (g.widthPx - 1) / 2) * g.pixelMm[0];
  const dv = (v - (g.heightPx - 1) / 2) * g.pixelMm[1];
  const c = g.detectorCentreLps;
  out[0] = c[0] + du * g.uAxis[0] + dv * g.vAxis[0];
  out[1] = c[1] + du * g.uAxis[1] + dv * g.vAxis[1];
  out[2] = c[2] + du * g.uAxis[2] + dv * g.vAxis[2];
  return out;
}

/**
 * Where a point projects on the detector, in pixel coordinates (integer = pixel centre; may lie
 * outside 0…width−1). Null when the point is not in front of the source.
 */
export function projectLps(g: CArmGeometry, p: Readonly<Vec3>): [number, number] | null {
  const s = g.sourceLps;
  const rx = p[0] - s[0], ry = p[1] - s[1], rz = p[2] - s[2];
  const depth = rx * g.beamDir[0] + ry * g.beamDir[1] + rz * g.beamDir[2];
  if (!(depth > 1e-9)) return null;
  const m = g.sourceToDetectorMm / depth;
  const pu = (rx * g.uAxis[0] + ry * g.uAxis[1] + rz * g.uAxis[2]) * m;
  const pv = (rx * g.vAxis[0] + ry * g.vAxis[1] + rz * g.vAxis[2]) * m;
  return [pu / g.pixelMm[0] + (g.widthPx - 1) / 2, pv / g.pixelMm[1] + (g.heightPx - 1) / 2];
}

/** A sensible default setup for a volume: isocentre at the grid centre, 300 mm square detector. */
export function defaultSetup(geometry: VolumeGeometry, view: CArmView, sizePx: number, isocentreLps?: Vec3): CArmSetup {
  const [ni, nj, nk] = geometry.dims;
  const centre = isocentreLps ?? geometry.ijkToLps([0, 0, 0], (ni - 1) / 2, (nj - 1) / 2, (nk - 1) / 2);
  return {
    view,
    isocentreLps: centre,
    sourceToIsocentreMm: DEFAULT_SOURCE_TO_ISOCENTRE_MM,
    sourceToDetectorMm: DEFAULT_SOURCE_TO_DETECTOR_MM,
    detectorPx: [sizePx, sizePx],
    detectorMm: [DEFAULT_DETECTOR_MM, DEFAULT_DETECTOR_MM],
  };
}

export interface DrrOptions {
  /** Largest sampling step along the ray, mm (default: half the smallest voxel spacing). */
  stepMm?: number;
  /** Compute only rows [rowStart, rowEnd) (for splitting the work); default all. */
  rowStart?: number;
  rowEnd?: number;
  /** HU → μ (default CT_ENERGY). */
  model?: AttenuationModel;
}

/**
 * CPU reference DRR: line integrals ∫μ dl, row-major (index v·width + u), Float32Array of
 * width × height. See the module comment for the model.
 */
export function renderDrrCpu(volume: Pick<ScalarVolume, 'geometry' | 'voxels'>, g: CArmGeometry, options: DrrOptions = {}): Float32Array {
  const geo = volume.geometry, vox = volume.voxels;
  const [ni, nj, nk] = geo.dims;
  const stepMax = options.stepMm ?? 0.5 * Math.min(...geo.spacingMm);
  if (!(stepMax > 0)) throw new Error(`DRR step must be > 0 mm, got ${stepMax}`);
  const W = g.widthPx, H = g.heightPx;
  const out = new Float32Array(W * H);
  const r0 = Math.max(0, options.rowStart ?? 0), r1 = Math.min(H, options.rowEnd ?? H);
  // μ lookup per voxel value would need a table over the value range; compute inline instead.
  const muW = (options.model ?? CT_ENERGY).muWaterPerMm, boneScale = (options.model ?? CT_ENERGY).boneScale;
  const s = geo.lpsToIjk([0, 0, 0], g.sourceLps);
  const det: Vec3 = [0, 0, 0], ijkD: Vec3 = [0, 0, 0];
  const lo = [-0.5, -0.5, -0.5], hi = [ni - 0.5, nj - 0.5, nk - 0.5];
  const sJ = ni, sK = ni * nj;
  for (let v = r0; v < r1; v++) {
    for (let u = 0; u < W; u++) {
      detectorPixelLps(det, g, u, v);
      const lenMm = Math.hypot(det[0] - g.sourceLps[0], det[1] - g.sourceLps[1], det[2] - g.sourceLps[2]);
      geo.lpsToIjk(ijkD, det);
      // ray in index space: s + t·(d − s), t ∈ [0, 1] ↔ 0 … lenMm
      const dx = ijkD[0] - s[0], dy = ijkD[1] - s[1], dz = ijkD[2] - s[2];
      let t0 = 0, t1 = 1;
      const dir = [dx, dy, dz], org = [s[0], s[1], s[2]];
      for (let a = 0; a < 3; a++) {
        const d = dir[a]!, o = org[a]!;
        if (Math.abs(d) < 1e-12) {
          if (o < lo[a]! || o > hi[a]!) { t0 = 1; t1 = 0; }
          continue;
        }
        let ta = (lo[a]! - o) / d, tb = (hi[a]! - o) / d;
        if (ta > tb) { const tmp = ta; ta = tb; tb = tmp; }
        if (ta > t0) t0 = ta;
        if (tb < t1) t1 = tb;
      }
      if (!(t1 > t0)) { out[v * W + u] = 0; continue; }
      const segMm = (t1 - t0) * lenMm;
      const n = Math.max(1, Math.ceil(segMm / stepMax));
      const dt = (t1 - t0) / n, stepMm = segMm / n;
      let sum = 0;
      for (let q = 0; q < n; q++) {
        const t = t0 + (q + 0.5) * dt;
        let x = org[0]! + dx * t, y = org[1]! + dy * t, z = org[2]! + dz * t;
        // clamp to the centres of the edge voxels (clamp-to-edge)
        x = x < 0 ? 0 : x > ni - 1 ? ni - 1 : x;
        y = y < 0 ? 0 : y > nj - 1 ? nj - 1 : y;
        z = z < 0 ? 0 : z > nk - 1 ? nk - 1 : z;
        let x0 = Math.floor(x), y0 = Math.floor(y), z0 = Math.floor(z);
        if (x0 > ni - 2) x0 = Math.max(0, ni - 2);
        if (y0 > nj - 2) y0 = Math.max(0, nj - 2);
        if (z0 > nk - 2) z0 = Math.max(0, nk - 2);
        const fx = x - x0, fy = y - y0, fz = z - z0;
        const ox = ni > 1 ? 1 : 0, oy = nj > 1 ? sJ : 0, oz = nk > 1 ? sK : 0;
        const b = x0 + y0 * sJ + z0 * sK;
        const c00 = vox[b]! + (vox[b + ox]! - vox[b]!) * fx;
        const c10 = vox[b + oy]! + (vox[b + oy + ox]! - vox[b + oy]!) * fx;
        const c01 = vox[b + oz]! + (vox[b + oz + ox]! - vox[b + oz]!) * fx;
        const c11 = vox[b + oz + oy]! + (vox[b + oz + oy + ox]! - vox[b + oz + oy]!) * fx;
        const c0 = c00 + (c10 - c00) * fy, c1 = c01 + (c11 - c01) * fy;
        const hu = c0 + (c1 - c0) * fz;
        const mu = muW * (1 + (hu > 0 ? hu * boneScale : hu) / 1000);
        if (mu > 0) sum += mu;
      }
      out[v * W + u] = sum * stepMm;
    }
  }
  return out;
}

/** Pearson correlation of two equally long arrays (NaN when one is constant). */
export function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`pearson: lengths differ (${a.length} vs ${b.length})`);
  const n = a.length;
  let sa = 0, sb = 0;
  for (let q = 0; q < n; q++) { sa += a[q]!; sb += b[q]!; }
  const ma = sa / n, mb = sb / n;
  let cab = 0, caa = 0, cbb = 0;
  for (let q = 0; q < n; q++) {
    const x = a[q]! - ma, y = b[q]! - mb;
    cab += x * y; caa += x * x; cbb += y * y;
  }
  return cab / Math.sqrt(caa * cbb);
}
