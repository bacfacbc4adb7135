/**
 * Isosurfaces of a ScalarVolume (bone at an HU level) or of one label of a label map (lesions),
 * by marching cubes (Lorensen & Cline, "Marching cubes: a high resolution 3D surface construction
 * algorithm", SIGGRAPH 1987; case tables in ./mc-tables.ts), plus the mesh tools the 3D view needs:
 * Taubin smoothing, vertex-clustering decimation, vertex normals, closedness and enclosed volume.
 *
 * Output vertices are DICOM patient LPS millimetres (Float32Array, xyz interleaved) and triangles
 * index them (Uint32Array). The mesh is welded: each grid edge that the surface crosses carries
 * exactly one vertex, shared by every triangle that uses it, so a surface inside the grid is
 * closed (every edge belongs to exactly two triangles). The region outside the grid (and outside
 * the crop box) counts as "below the level", so bone touching the border is closed at the border
 * (half a voxel out, at the voxel faces). Triangles wind counter-clockwise seen from outside (the
 * side below the level), so the divergence-theorem volume is positive.
 *
 * Speed: the volume is swept one k plane at a time; per plane a 4-bit "face code" of each 2×2
 * block of corners is computed once and reused by the two slabs that share the plane, and the
 * vertices of a plane's edges are created once and kept in per-plane index arrays (two planes of
 * memory). Pure: no DOM, three or worker APIs.
 */
import type { ScalarVolume, VoxelArray } from '../core/volume';
import type { VolumeGeometry } from '../core/geometry';
import type { Vec3 } from '../core/vec3';
import { EDGE_TABLE, TRI_TABLE } from './mc-tables';

export interface TriangleMesh {
  /** Vertex positions, LPS mm, xyz interleaved. */
  positionsLps: Float32Array;
  /** Triangle corner indices into positionsLps / 3. */
  indices: Uint32Array;
}

/** Inclusive voxel-index box. */
export interface IjkBox {
  min: [number, number, number];
  max: [number, number, number];
}

export interface IsosurfaceOptions {
  /** The level: voxels with value ≥ levelHu are inside. Required unless `label` is given. */
  levelHu?: number;
  /** Extract the surface of the voxels equal to this label instead (level 0.5 of the 0/1 mask). */
  label?: number;
  /** Crop to this voxel box (clamped to the grid); outside counts as below the level. */
  roiIjk?: IjkBox;
  /** Sample every stride-th voxel along each axis (1 = full resolution; 2 = 8× fewer cells). */
  stride?: number;
}

class GrowF32 {
  a: Float32Array;
  n = 0;
  constructor(cap: number) { this.a = new Float32Array(Math.max(16, cap)); }
  push3(x: number, y: number, z: number): void {
    if (this.n + 3 > this.a.length) { const b = new Float32Array(this.a.length * 2); b.set(this.a); this.a = b; }
    const a = this.a, n = this.n;
    a[n] = x; a[n + 1] = y; a[n + 2] = z;
    this.n = n + 3;
  }
  done(): Float32Array { return this.a.slice(0, this.n); }
}

class GrowU32 {
  a: Uint32Array;
  n = 0;
  constructor(cap: number) { this.a = new Uint32Array(Math.max(16, cap)); }
  push3(x: number, y: number, z: number): void {
    if (this.n + 3 > this.a.length) { const b = new Uint32Array(this.a.length * 2); b.set(this.a); this.a = b; }
    const a = this.a, n = this.n;
    a[n] = x; a[n + 1] = y; a[n + 2] = z;
    this.n = n + 3;
  }
  done(): Uint32Array { return this.a.slice(0, this.n); }
}

/** Clamp an ROI to the grid; throws on an empty box (programmer error). */
export function clampRoi(dims: readonly [number, number, number], roi?: IjkBox): IjkBox {
  const min: [number, number, number] = [0, 0, 0];
  const max: [number, number, number] = [dims[0] - 1, dims[1] - 1, dims[2] - 1];
  if (roi) {
    for (let a = 0; a < 3; a++) {
      min[a] = Math.max(0, Math.floor(roi.min[a]!));
      max[a] = Math.min(dims[a]! - 1, Math.ceil(roi.max[a]!));
      if (max[a]! < min[a]!) throw new Error(`empty crop box on axis ${a}: ${roi.min[a]}..${roi.max[a]} in 0..${dims[a]! - 1}`);
    }
  }
  return { min, max };
}

/**
 * Marching cubes of `volume` at `options.levelHu` (or of one label with `options.label`, in which
 * case `voxels` may be a label map sharing the volume's geometry: pass it as `labels`).
 */
export function isosurface(volume: Pick<ScalarVolume, 'geometry' | 'voxels'>, options: IsosurfaceOptions, labels?: VoxelArray): TriangleMesh {
  return marchingCubes(volume.geometry, labels ?? volume.voxels, options);
}

export function marchingCubes(geometry: VolumeGeometry, voxels: VoxelArray, options: IsosurfaceOptions): TriangleMesh {
  const label = options.label;
  const level = label !== undefined ? 0.5 : options.levelHu;
  if (level === undefined || !Number.isFinite(level)) throw new Error('isosurface needs a finite levelHu or a label');
  if (voxels.length !== geometry.voxelCount) throw new Error(`voxel array length ${voxels.length} does not match dims ${geometry.dims.join('x')}`);
  const stride = Math.max(1, Math.floor(options.stride ?? 1));
  const [NI, NJ] = geometry.dims;
  const box = clampRoi(geometry.dims, options.roiIjk);
  const i0 = box.min[0], j0 = box.min[1], k0 = box.min[2];
  // Number of sampled points per axis inside the box.
  const nx = Math.floor((box.max[0] - i0) / stride) + 1;
  const ny = Math.floor((box.max[1] - j0) / stride) + 1;
  const nz = Math.floor((box.max[2] - k0) / stride) + 1;
  // Padded plane: one "outside" sample on each side (always below the level).
  const px = nx + 2, py = ny + 2, P = px * py;
  const m = geometry.ijkToLpsMatrix();
  const m00 = m[0]!, m01 = m[1]!, m02 = m[2]!, m03 = m[3]!;
  const m10 = m[4]!, m11 = m[5]!, m12 = m[6]!, m13 = m[7]!;
  const m20 = m[8]!, m21 = m[9]!, m22 = m[10]!, m23 = m[11]!;
  // A left-handed ijk → LPS map (e.g. a reversed slice stack) mirrors the mesh: swap the winding.
  const det = m00 * (m11 * m22 - m12 * m21) - m01 * (m10 * m22 - m12 * m20) + m02 * (m10 * m21 - m11 * m20);
  const c1 = det < 0 ? 2 : 1, c2 = det < 0 ? 1 : 2;

  // Per plane (two kept, A = lower, B = upper): below-level bits, per-row extent of the
  // above-level samples, 4-bit face codes of 2×2 corner blocks (15 = all below), in-plane edge vertices.
  let belowA = new Uint8Array(P).fill(1), belowB = new Uint8Array(P).fill(1);
  let faceA = new Uint8Array(P).fill(15), faceB = new Uint8Array(P).fill(15);
  let loA = new Int32Array(py).fill(-1), loB = new Int32Array(py).fill(-1); // first above-level ip per row, −1: none
  let hiA = new Int32Array(py).fill(-2), hiB = new Int32Array(py).fill(-2);
  // face range written per row (to reset it when the buffer is reused)
  let fLoA = new Int32Array(py).fill(0), fLoB = new Int32Array(py).fill(0);
  let fHiA = new Int32Array(py).fill(-1), fHiB = new Int32Array(py).fill(-1);
  let xeA = new Int32Array(P), xeB = new Int32Array(P);
  let yeA = new Int32Array(P), yeB = new Int32Array(P);
  const ze = new Int32Array(P);

  const verts = new GrowF32(1 << 16);
  const tris = new GrowU32(1 << 17);
  const sJ = NI * stride, sK = NI * NJ * stride;
  const base0 = i0 + NI * (j0 + NJ * k0);

  /** Value of padded sample (ip, jp, kp); NaN outside the box. */
  const sample = (ip: number, jp: number, kp: number): number => {
    if (ip < 1 || jp < 1 || kp < 1 || ip > nx || jp > ny || kp > nz) return NaN;
    const v = voxels[base0 + (ip - 1) * stride + (jp - 1) * sJ + (kp - 1) * sK]!;
    return label !== undefined ? (v === label ? 1 : 0) : v;
  };
  /** A vertex on the edge from padded sample (ip, jp, kp) one step along axis (ax, ay, az). */
  const emit = (ip: number, jp: number, kp: number, ax: number, ay: number, az: number): number => {
    const a = sample(ip, jp, kp), b = sample(ip + ax, jp + ay, kp + az);
    // an outside (padding) sample puts the vertex half-way: on the voxel face
    let t = Number.isNaN(a) || Number.isNaN(b) ? 0.5 : (level - a) / (b - a);
    t = t < 1e-3 ? 1e-3 : t > 0.999 ? 0.999 : t;
    const i = i0 + (ip - 1 + ax * t) * stride;
    const j = j0 + (jp - 1 + ay * t) * stride;
    const k = k0 + (kp - 1 + az * t) * stride;
    verts.push3(m00 * i + m01 * j + m02 * k + m03, m10 * i + m11 * j + m12 * k + m13, m20 * i + m21 * j + m22 * k + m23);
    return verts.n / 3 - 1;
  };

  /** Load plane kp: below bits and row extents, then face codes and in-plane edge vertices. */
  const loadPlane = (kp: number, below: Uint8Array, lo: Int32Array, hi: Int32Array, face: Uint8Array, fLo: Int32Array, fHi: Int32Array, xe: Int32Array, ye: Int32Array): void => {
    lo.fill(-1); hi.fill(-2);
    if (kp >= 1 && kp <= nz) {
      for (let jp = 1; jp <= ny; jp++) {
        let src = base0 + (jp - 1) * sJ + (kp - 1) * sK;
        const q0 = jp * px + 1, q1 = q0 + nx;
        if (label !== undefined) {
          for (let q = q0; q < q1; q++, src += stride) below[q] = voxels[src] === label ? 0 : 1;
        } else {
          for (let q = q0; q < q1; q++, src += stride) below[q] = voxels[src]! < level ? 1 : 0;
        }
        // row extent of the above-level samples
        let first = q0;
        while (first < q1 && below[first] === 1) first++;
        if (first === q1) { lo[jp] = -1; hi[jp] = -2; continue; }
        let last = q1 - 1;
        while (below[last] === 1) last--;
        lo[jp] = first - jp * px;
        hi[jp] = last - jp * px;
      }
    } else if (kp === 0 || kp === nz + 1) {
      below.fill(1);
    }
    for (let jp = 0; jp < py - 1; jp++) {
      const row = jp * px;
      // reset the face codes written when this buffer last held a plane
      for (let ip = fLo[jp]!; ip <= fHi[jp]!; ip++) face[row + ip] = 15;
      const l0 = lo[jp]!, l1 = lo[jp + 1]!;
      const rLo = l0 < 0 ? l1 : l1 < 0 ? l0 : Math.min(l0, l1);
      if (rLo < 0) { fLo[jp] = 0; fHi[jp] = -1; continue; }
      const rHi = Math.max(hi[jp]!, hi[jp + 1]!);
      const a = rLo - 1, b = rHi; // blocks (ip, ip+1) touching an above sample
      fLo[jp] = a; fHi[jp] = b;
      for (let ip = a, q = row + a; ip <= b; ip++, q++) {
        const f = below[q]! | (below[q + 1]! << 1) | (below[q + px + 1]! << 2) | (below[q + px]! << 3);
        face[q] = f;
        if (f === 15 || f === 0) continue;
        if ((f ^ (f >> 3)) & 1) ye[q] = emit(ip, jp, kp, 0, 1, 0);
        if ((f ^ (f >> 1)) & 1) xe[q] = emit(ip, jp, kp, 1, 0, 0);
      }
    }
  };

  loadPlane(0, belowA, loA, hiA, faceA, fLoA, fHiA, xeA, yeA);
  const cellEdge = new Int32Array(12);
  for (let kp = 0; kp <= nz; kp++) {
    loadPlane(kp + 1, belowB, loB, hiB, faceB, fLoB, fHiB, xeB, yeB);
    // z-edges between the planes: only where a sample of A or B in that row is above the level
    for (let jp = 1; jp <= ny; jp++) {
      const la = loA[jp]!, lb = loB[jp]!;
      const zLo = la < 0 ? lb : lb < 0 ? la : Math.min(la, lb);
      if (zLo < 0) continue;
      const zHi = Math.max(hiA[jp]!, hiB[jp]!);
      for (let ip = zLo, q = jp * px + zLo; ip <= zHi; ip++, q++) {
        if (belowA[q] !== belowB[q]) ze[q] = emit(ip, jp, kp, 0, 0, 1);
      }
    }
    for (let jp = 0; jp < py - 1; jp++) {
      // cells of this row touch an above sample only where the face ranges of A or B are set
      const aLo = fLoA[jp]!, aHi = fHiA[jp]!, bLo = fLoB[jp]!, bHi = fHiB[jp]!;
      const hasA = aHi >= aLo, hasB = bHi >= bLo;
      if (!hasA && !hasB) continue;
      const cLo = hasA && hasB ? Math.min(aLo, bLo) : hasA ? aLo : bLo;
      const cHi = hasA && hasB ? Math.max(aHi, bHi) : hasA ? aHi : bHi;
      const row = jp * px;
      for (let ip = cLo, q = row + cLo; ip <= cHi; ip++, q++) {
        const cube = faceA[q]! | (faceB[q]! << 4);
        if (cube === 255 || cube === 0) continue;
        const edges = EDGE_TABLE[cube]!;
        if (edges & 1) cellEdge[0] = xeA[q]!;
        if (edges & 2) cellEdge[1] = yeA[q + 1]!;
        if (edges & 4) cellEdge[2] = xeA[q + px]!;
        if (edges & 8) cellEdge[3] = yeA[q]!;
        if (edges & 16) cellEdge[4] = xeB[q]!;
        if (edges & 32) cellEdge[5] = yeB[q + 1]!;
        if (edges & 64) cellEdge[6] = xeB[q + px]!;
        if (edges & 128) cellEdge[7] = yeB[q]!;
        if (edges & 256) cellEdge[8] = ze[q]!;
        if (edges & 512) cellEdge[9] = ze[q + 1]!;
        if (edges & 1024) cellEdge[10] = ze[q + px + 1]!;
        if (edges & 2048) cellEdge[11] = ze[q + px]!;
        const base = cube << 4;
        for (let t = 0; t < 16; t += 3) {
          const e0 = TRI_TABLE[base + t]!;
          if (e0 < 0) break;
          // Bourke's order winds counter-clockwise seen from the below-level (outer) side in ijk.
          tris.push3(cellEdge[e0]!, cellEdge[TRI_TABLE[base + t + c1]!]!, cellEdge[TRI_TABLE[base + t + c2]!]!);
        }
      }
    }
    // plane B becomes plane A
    let tb = belowA; belowA = belowB; belowB = tb;
    tb = faceA; faceA = faceB; faceB = tb;
    let ti = loA; loA = loB; loB = ti;
    ti = hiA; hiA = hiB; hiB = ti;
    ti = fLoA; fLoA = fLoB; fLoB = ti;
    ti = fHiA; fHiA = fHiB; fHiB = ti;
    ti = xeA; xeA = xeB; xeB = ti;
    ti = yeA; yeA = yeB; yeB = ti;
  }
  return { positionsLps: verts.done(), indices: tris.done() };
}

/** Vertex neighbours (CSR) from triangles: offsets[v]..offsets[v+1] index into `neighbours`. */
export function vertexNeighbours(vertexCount: number, indices: Uint32Array): { offsets: Uint32Array; neighbours: Uint32Array } {
  // In a closed, consistently wound mesh each neighbour n of v appears exactly once as the corner
  // following v in some triangle, so "next corner" edges give each neighbour once.
  const offsets = new Uint32Array(vertexCount + 1);
  for (let t = 0; t < indices.length; t++) offsets[indices[t]! + 1]!++;
  for (let v = 0; v < vertexCount; v++) offsets[v + 1]! += offsets[v]!;
  const fill = offsets.slice(0, vertexCount);
  const neighbours = new Uint32Array(indices.length);
  for (let t = 0; t < indices.length; t += 3) {
    const a = indices[t]!, b = indices[t + 1]!, c = indices[t + 2]!;
    neighbours[fill[a]!++] = b;
    neighbours[fill[b]!++] = c;
    neighbours[fill[c]!++] = a;
  }
  return { offsets, neighbours };
}

/**
 * Taubin λ|μ smoothing (G. Taubin, "A signal processing approach to fair surface design",
 * SIGGRAPH 1995): alternating Laplacian steps +λ and μ (μ < −λ) smooth without the shrinkage of
 * plain Laplacian smoothing. Returns new positions; the input is not modified.
 */
export function taubinSmooth(mesh: TriangleMesh, iterations: number, lambda = 0.5, mu = -0.53): Float32Array {
  const n = mesh.positionsLps.length / 3;
  let p = mesh.positionsLps.slice();
  if (iterations <= 0 || n === 0) return p;
  const { offsets, neighbours } = vertexNeighbours(n, mesh.indices);
  let q = new Float32Array(p.length);
  for (let it = 0; it < iterations * 2; it++) {
    const f = it % 2 === 0 ? lambda : mu;
    for (let v = 0; v < n; v++) {
      const s = offsets[v]!, e = offsets[v + 1]!;
      const x = p[3 * v]!, y = p[3 * v + 1]!, z = p[3 * v + 2]!;
      if (e === s) { q[3 * v] = x; q[3 * v + 1] = y; q[3 * v + 2] = z; continue; }
      let sx = 0, sy = 0, sz = 0;
      for (let r = s; r < e; r++) {
        const u = 3 * neighbours[r]!;
        sx += p[u]!; sy += p[u + 1]!; sz += p[u + 2]!;
      }
      const w = 1 / (e - s);
      q[3 * v] = x + f * (sx * w - x);
      q[3 * v + 1] = y + f * (sy * w - y);
      q[3 * v + 2] = z + f * (sz * w - z);
    }
    const t = p; p = q; q = t;
  }
  return p;
}

/**
 * Vertex-clustering decimation (J. Rossignac & P. Borrel, "Multi-resolution 3D approximations
 * for rendering complex scenes", 1993): vertices in the same cube of `cellMm` merge into their
 * mean; triangles that collapse are dropped. Fast and robust, but the result need not stay
 * manifold: use it for display, measure on the undecimated mesh.
 */
export function decimateByClustering(mesh: TriangleMesh, cellMm: number): TriangleMesh {
  if (!(cellMm > 0)) throw new Error(`decimation cell must be > 0 mm, got ${cellMm}`);
  const pos = mesh.positionsLps, n = pos.length / 3;
  if (n === 0) return { positionsLps: new Float32Array(0), indices: new Uint32Array(0) };
  let lo: Vec3 = [Infinity, Infinity, Infinity];
  for (let v = 0; v < n; v++) for (let a = 0; a < 3; a++) lo[a] = Math.min(lo[a]!, pos[3 * v + a]!);
  lo = [lo[0] - cellMm, lo[1] - cellMm, lo[2] - cellMm];
  const cluster = new Uint32Array(n);
  const ids = new Map<number, number>();
  const sums: number[] = [];
  const K = 1 << 20;
  for (let v = 0; v < n; v++) {
    const cx = Math.floor((pos[3 * v]! - lo[0]) / cellMm), cy = Math.floor((pos[3 * v + 1]! - lo[1]) / cellMm), cz = Math.floor((pos[3 * v + 2]! - lo[2]) / cellMm);
    const key = (cz * K + cy) * K + cx;
    let id = ids.get(key);
    if (id === undefined) { id = ids.size; ids.set(key, id); sums.push(0, 0, 0, 0); }
    cluster[v] = id;
    sums[4 * id]! += pos[3 * v]!; sums[4 * id + 1]! += pos[3 * v + 1]!; sums[4 * id + 2]! += pos[3 * v + 2]!; sums[4 * id + 3]! += 1;
  }
  const out = new Float32Array(ids.size * 3);
  for (let c = 0; c < ids.size; c++) {
    const w = 1 / sums[4 * c + 3]!;
    out[3 * c] = sums[4 * c]! * w; out[3 * c + 1] = sums[4 * c + 1]! * w; out[3 * c + 2] = sums[4 * c + 2]! * w;
  }
  const tri = new GrowU32(mesh.indices.length);
  for (let t = 0; t < mesh.indices.length; t += 3) {
    const a = cluster[mesh.indices[t]!]!, b = cluster[mesh.indices[t + 1]!]!, c = cluster[mesh.indices[t + 2]!]!;
    if (a !== b && b !== c && a !== c) tri.push3(a, b, c);
  }
  return { positionsLps: out, indices: tri.done() };
}

/** Area-weighted vertex normals (unit, pointing to the side the triangles' winding faces). */
export function vertexNormals(positions: Float32Array, indices: Uint32Array): Float32Array {
  const nrm = new Float32Array(positions.length);
  for (let t = 0; t < indices.length; t += 3) {
    const a = 3 * indices[t]!, b = 3 * indices[t + 1]!, c = 3 * indices[t + 2]!;
    const ux = positions[b]! - positions[a]!, uy = positions[b + 1]! - positions[a + 1]!, uz = positions[b + 2]! - positions[a + 2]!;
    const vx = positions[c]! - positions[a]!, vy = positions[c + 1]! - positions[a + 1]!, vz = positions[c + 2]! - positions[a + 2]!;
    const nx = uy * vz - uz * vy, ny = uz * vx - ux * vz, nz = ux * vy - uy * vx;
    for (const o of [a, b, c]) { nrm[o]! += nx; nrm[o + 1]! += ny; nrm[o + 2]! += nz; }
  }
  for (let v = 0; v < nrm.length; v += 3) {
    const l = Math.hypot(nrm[v]!, nrm[v + 1]!, nrm[v + 2]!) || 1;
    nrm[v]! /= l; nrm[v + 1]! /= l; nrm[v + 2]! /= l;
  }
  return nrm;
}

/** Enclosed volume by the divergence theorem, mm³ (positive for outward-wound closed meshes). */
export function meshVolumeMm3(positions: Float32Array, indices: Uint32Array): number {
  let six = 0;
  for (let t = 0; t < indices.length; t += 3) {
    const a = 3 * indices[t]!, b = 3 * indices[t + 1]!, c = 3 * indices[t + 2]!;
    const ax = positions[a]!, ay = positions[a + 1]!, az = positions[a + 2]!;
    const bx = positions[b]!, by = positions[b + 1]!, bz = positions[b + 2]!;
    const cx = positions[c]!, cy = positions[c + 1]!, cz = positions[c + 2]!;
    six += ax * (by * cz - bz * cy) - ay * (bx * cz - bz * cx) + az * (bx * cy - by * cx);
  }
  return six / 6;
}

export interface EdgeReport {
  edges: number;
  /** Edges used by one triangle only (holes). */
  boundaryEdges: number;
  /** Edges used by more than two triangles. */
  nonManifoldEdges: number;
  /** Edges whose two triangles traverse them in the same direction (inconsistent winding). */
  flippedEdges: number;
}

/** Counts how many triangles use each undirected edge: a closed mesh has only 2s. */
export function edgeReport(indices: Uint32Array, vertexCount: number): EdgeReport {
  const count = new Map<number, number>();
  const dir = new Map<number, number>();
  for (let t = 0; t < indices.length; t += 3) {
    for (let e = 0; e < 3; e++) {
      const a = indices[t + e]!, b = indices[t + ((e + 1) % 3)]!;
      const key = a < b ? a * vertexCount + b : b * vertexCount + a;
      count.set(key, (count.get(key) ?? 0) + 1);
      dir.set(key, (dir.get(key) ?? 0) + (a < b ? 1 : -1));
    }
  }
  let boundaryEdges = 0, nonManifoldEdges = 0, flippedEdges = 0;
  for (const [key, c] of count) {
    if (c === 1) boundaryEdges++;
    else if (c > 2) nonManifoldEdges++;
    else if (dir.get(key) !== 0) flippedEdges++;
  }
  return { edges: count.size, boundaryEdges, nonManifoldEdges, flippedEdges };
}
