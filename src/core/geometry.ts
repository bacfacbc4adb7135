/**
 * VolumeGeometry: the one mapping between voxel indices and DICOM patient LPS millimetres.
 *
 * Convention (used everywhere in SacroPlan): an integer index (i, j, k) is the CENTRE of a voxel.
 * i runs along the row direction (DICOM IOP[0:3]), j along the column direction (IOP[3:6]) and
 * k along the sorted slice normal. `originLps` is the centre of voxel (0, 0, 0).
 *
 *   P(i, j, k) = originLps + i·sI·iAxis + j·sJ·jAxis + k·sK·kAxis
 *
 * `directionCosines` holds the three unit axes in that order (i-axis, j-axis, k-axis), 9 numbers.
 * The k-axis is not assumed to be iAxis × jAxis: a left-handed stack or a gantry-tilted
 * (sheared) acquisition is represented faithfully; volumes use |det| of the axis matrix.
 */
import { type Vec3, det3 } from './vec3';

export type Dims3 = [number, number, number];
export type Mat3Flat = [number, number, number, number, number, number, number, number, number];

export interface VolumeGeometryInit {
  dims: Dims3;
  spacingMm: Vec3;
  originLps: Vec3;
  directionCosines: Mat3Flat | number[];
}

export class VolumeGeometry {
  readonly dims: Dims3;
  readonly spacingMm: Vec3;
  readonly originLps: Vec3;
  readonly directionCosines: Mat3Flat;
  /** Column-major 3×3 of axis × spacing: LPS = origin + M·ijk. */
  private readonly m: Float64Array;
  /** Inverse of m. */
  private readonly mInv: Float64Array;

  constructor(init: VolumeGeometryInit) {
    const { dims, spacingMm, originLps } = init;
    if (init.directionCosines.length !== 9) throw new Error('directionCosines must have 9 numbers');
    for (const d of dims) if (!Number.isInteger(d) || d < 1) throw new Error(`invalid dims ${dims.join('x')}`);
    for (const s of spacingMm) if (!(s > 0) || !Number.isFinite(s)) throw new Error(`invalid spacing ${spacingMm.join(',')}`);
    this.dims = [dims[0], dims[1], dims[2]];
    this.spacingMm = [spacingMm[0], spacingMm[1], spacingMm[2]];
    this.originLps = [originLps[0], originLps[1], originLps[2]];
    this.directionCosines = init.directionCosines.slice() as Mat3Flat;
    const d = this.directionCosines;
    const m = new Float64Array(9);
    for (let axis = 0; axis < 3; axis++) {
      const s = this.spacingMm[axis]!;
      m[axis * 3] = d[axis * 3]! * s;
      m[axis * 3 + 1] = d[axis * 3 + 1]! * s;
      m[axis * 3 + 2] = d[axis * 3 + 2]! * s;
    }
    this.m = m;
    this.mInv = invert3ColumnMajor(m);
  }

  get voxelCount(): number {
    return this.dims[0] * this.dims[1] * this.dims[2];
  }

  axis(index: 0 | 1 | 2): Vec3 {
    const d = this.directionCosines;
    return [d[index * 3]!, d[index * 3 + 1]!, d[index * 3 + 2]!];
  }

  /** |det(direction)| · sI·sJ·sK: the physical volume of one voxel. */
  get voxelVolumeMm3(): number {
    return Math.abs(det3(this.axis(0), this.axis(1), this.axis(2))) * this.spacingMm[0] * this.spacingMm[1] * this.spacingMm[2];
  }

  /** Continuous index → LPS mm. */
  ijkToLps(out: Vec3, i: number, j: number, k: number): Vec3 {
    const m = this.m, o = this.originLps;
    out[0] = o[0] + m[0]! * i + m[3]! * j + m[6]! * k;
    out[1] = o[1] + m[1]! * i + m[4]! * j + m[7]! * k;
    out[2] = o[2] + m[2]! * i + m[5]! * j + m[8]! * k;
    return out;
  }

  /** LPS mm → continuous index (integer = voxel centre). */
  lpsToIjk(out: Vec3, lps: Readonly<Vec3>): Vec3 {
    const v = this.mInv, o = this.originLps;
    const x = lps[0] - o[0], y = lps[1] - o[1], z = lps[2] - o[2];
    out[0] = v[0]! * x + v[3]! * y + v[6]! * z;
    out[1] = v[1]! * x + v[4]! * y + v[7]! * z;
    out[2] = v[2]! * x + v[5]! * y + v[8]! * z;
    return out;
  }

  /** Nearest voxel index of an LPS point, or null when it falls outside the grid. */
  nearestIndex(lps: Readonly<Vec3>): Vec3 | null {
    const c = this.lpsToIjk([0, 0, 0], lps);
    const i = Math.round(c[0]), j = Math.round(c[1]), k = Math.round(c[2]);
    if (i < 0 || j < 0 || k < 0 || i >= this.dims[0] || j >= this.dims[1] || k >= this.dims[2]) return null;
    return [i, j, k];
  }

  /** Linear offset of voxel (i, j, k) in an i-fastest array. */
  offset(i: number, j: number, k: number): number {
    return i + this.dims[0] * (j + this.dims[1] * k);
  }

  /** Voxel (i, j, k) of a linear offset (the inverse of `offset`), into `out`. */
  indexOfOffset(out: Vec3, offset: number): Vec3 {
    const nij = this.dims[0] * this.dims[1];
    const k = Math.floor(offset / nij), r = offset - k * nij, j = Math.floor(r / this.dims[0]);
    out[0] = r - j * this.dims[0]; out[1] = j; out[2] = k;
    return out;
  }

  /** LPS of the voxel centre at a linear offset, into `out`. */
  offsetToLps(out: Vec3, offset: number): Vec3 {
    this.indexOfOffset(out, offset);
    return this.ijkToLps(out, out[0], out[1], out[2]);
  }

  /** 4×4 row-major homogeneous matrix ijk → LPS. */
  ijkToLpsMatrix(): number[] {
    const m = this.m, o = this.originLps;
    return [m[0]!, m[3]!, m[6]!, o[0], m[1]!, m[4]!, m[7]!, o[1], m[2]!, m[5]!, m[8]!, o[2], 0, 0, 0, 1];
  }

  /** The eight corners (voxel centres) of the grid in LPS. */
  cornersLps(): Vec3[] {
    const [ni, nj, nk] = this.dims;
    const out: Vec3[] = [];
    for (const k of [0, nk - 1]) for (const j of [0, nj - 1]) for (const i of [0, ni - 1]) out.push(this.ijkToLps([0, 0, 0], i, j, k));
    return out;
  }

  toJSON(): VolumeGeometryInit {
    return { dims: [...this.dims], spacingMm: [...this.spacingMm], originLps: [...this.originLps], directionCosines: [...this.directionCosines] };
  }
}

function invert3ColumnMajor(m: Float64Array): Float64Array {
  // m is column-major: element (row r, col c) = m[c*3 + r].
  const a = m[0]!, b = m[3]!, c = m[6]!;
  const d = m[1]!, e = m[4]!, f = m[7]!;
  const g = m[2]!, h = m[5]!, i = m[8]!;
  const A = e * i - f * h, B = -(d * i - f * g), C = d * h - e * g;
  const det = a * A + b * B + c * C;
  if (Math.abs(det) < 1e-12) throw new Error('degenerate volume geometry (direction axes are coplanar)');
  const inv = new Float64Array(9);
  const r = 1 / det;
  // row-major inverse entries, then stored column-major
  const i00 = A * r, i01 = -(b * i - c * h) * r, i02 = (b * f - c * e) * r;
  const i10 = B * r, i11 = (a * i - c * g) * r, i12 = -(a * f - c * d) * r;
  const i20 = C * r, i21 = -(a * h - b * g) * r, i22 = (a * e - b * d) * r;
  inv[0] = i00; inv[3] = i01; inv[6] = i02;
  inv[1] = i10; inv[4] = i11; inv[7] = i12;
  inv[2] = i20; inv[5] = i21; inv[8] = i22;
  return inv;
}
