/**
 * One surface-extraction job as the worker runs it (and the main thread, when the page is not
 * cross-origin isolated): marching cubes → optional Taubin smoothing → optional decimation →
 * normals. Pure; plain typed arrays in and out (transferable).
 */
import { VolumeGeometry, type VolumeGeometryInit } from '../core/geometry';
import type { VoxelArray } from '../core/volume';
import { marchingCubes, taubinSmooth, decimateByClustering, vertexNormals, type IjkBox } from './isosurface';

export interface SurfaceJob {
  geometry: VolumeGeometryInit;
  voxels: VoxelArray;
  /** HU level (bone) or a label value (lesion). */
  levelHu?: number;
  label?: number;
  roiIjk?: IjkBox;
  stride?: number;
  smoothIterations?: number;
  decimateMm?: number;
}

export interface SurfaceResult {
  positionsLps: Float32Array;
  normalsLps: Float32Array;
  indices: Uint32Array;
  ms: { marchingCubes: number; smoothing: number; decimation: number; total: number };
}

export function runSurfaceJob(job: SurfaceJob, now: () => number = () => Date.now()): SurfaceResult {
  const t0 = now();
  const geometry = new VolumeGeometry(job.geometry);
  let mesh = marchingCubes(geometry, job.voxels, {
    ...(job.levelHu !== undefined ? { levelHu: job.levelHu } : {}),
    ...(job.label !== undefined ? { label: job.label } : {}),
    ...(job.roiIjk ? { roiIjk: job.roiIjk } : {}),
    stride: job.stride ?? 1,
  });
  const t1 = now();
  if ((job.smoothIterations ?? 0) > 0) mesh = { positionsLps: taubinSmooth(mesh, job.smoothIterations!), indices: mesh.indices };
  const t2 = now();
  if (job.decimateMm && job.decimateMm > 0) mesh = decimateByClustering(mesh, job.decimateMm);
  const t3 = now();
  const normalsLps = vertexNormals(mesh.positionsLps, mesh.indices);
  const t4 = now();
  return { positionsLps: mesh.positionsLps, normalsLps, indices: mesh.indices, ms: { marchingCubes: t1 - t0, smoothing: t2 - t1, decimation: t3 - t2, total: t4 - t0 } };
}
