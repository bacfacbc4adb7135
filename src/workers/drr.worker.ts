/// <reference lib="webworker" />
/**
 * CPU DRR rows off the main thread (where WebGL is software-rendered, a GPU DRR would block the page
 * for seconds). The voxels arrive once per volume on shared memory (no copy); each job is a band of
 * detector rows, returned as a transferred buffer.
 */
import { VolumeGeometry, type VolumeGeometryInit } from '../core/geometry';
import type { VoxelArray } from '../core/volume';
import { renderDrrCpu, type AttenuationModel, type CArmGeometry } from '../scene/carm';

type Message =
  | { type: 'volume'; volumeId: string; geometry: VolumeGeometryInit; voxels: VoxelArray }
  | { type: 'rows'; jobId: number; volumeId: string; g: CArmGeometry; rowStart: number; rowEnd: number; model: AttenuationModel; stepMm: number };

let volume: { id: string; geometry: VolumeGeometry; voxels: VoxelArray } | null = null;

self.onmessage = (e: MessageEvent<Message>) => {
  const m = e.data;
  if (m.type === 'volume') {
    volume = { id: m.volumeId, geometry: new VolumeGeometry(m.geometry), voxels: m.voxels };
    return;
  }
  try {
    if (!volume || volume.id !== m.volumeId) throw new Error('DRR worker: the volume was not sent first');
    const all = renderDrrCpu(volume, m.g, { rowStart: m.rowStart, rowEnd: m.rowEnd, model: m.model, stepMm: m.stepMm });
    const rows = all.slice(m.rowStart * m.g.widthPx, m.rowEnd * m.g.widthPx);
    (self as unknown as Worker).postMessage({ jobId: m.jobId, rows }, [rows.buffer]);
  } catch (err) {
    (self as unknown as Worker).postMessage({ jobId: m.jobId, error: (err as Error).message });
  }
};
