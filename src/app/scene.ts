/**
 * 3D scene and simulated fluoroscopy: the actions and services behind <sp-scene-3d>, <sp-fluoro>
 * and the scripting API (drr, snapshot().scene).
 *
 * - `drr({ view, sizePx })`: line integrals of the shown CT for a C-arm pose on the GPU
 *   (src/render/drr-gl.ts), or with the CPU reference (src/scene/carm.ts) when WebGL2 is missing.
 *   Isocentre = the centre of the volume, source–isocentre 600 mm, source–detector 1000 mm,
 *   detector 300 mm square (src/scene/carm.ts defaultSetup), the same as the fluoroscopy panel.
 * - the scene registry: the mounted 3D view reports its meshes here for snapshot().scene.
 */
import type { Vec3 } from '../core/vec3';
import { downloadBlob } from './download';
import { store, notify } from './actions';
import { volumeCache } from './volume-cache';
import { cArmGeometry, defaultSetup, projectLps, renderDrrCpu, viewAngles, type AttenuationModel, type CArmGeometry, type CArmView } from '../scene/carm';
import { DrrRenderer } from '../render/drr-gl';
import { DrrWorkerPool } from '../render/drr-workers';
import type { ScalarVolume } from '../core/volume';

export interface SceneSnapshot {
  boneTriangles: number;
  boneIsoHu: number | null;
  meshes: { kind: string; id: string; triangles: number }[];
}

export interface DrrResult {
  width: number;
  height: number;
  /** Line integrals ∫μ dl, row-major, row 0 at the top. */
  data: number[];
  projectLps(p: [number, number, number]): [number, number];
  /** The pose used (for display). */
  laoDeg: number;
  cranialDeg: number;
  engine: 'webgl2' | 'cpu';
  ms: number;
}

/** What the mounted 3D view reports (null when no 3D view is mounted). */
let sceneSource: (() => SceneSnapshot) | null = null;
export function registerSceneSource(source: (() => SceneSnapshot) | null): void {
  sceneSource = source;
}
/** The mounted 3D view's mesh export (src/render/mesh-export.ts); null when no 3D view is mounted. */
let meshExporter: ((format: 'stl' | 'obj') => Blob) | null = null;
export function registerMeshExporter(exporter: ((format: 'stl' | 'obj') => Blob) | null): void {
  meshExporter = exporter;
}
/** The 3D view's structures in LPS mm: a zip of one binary STL per structure, or one OBJ with named objects. */
export async function exportMesh(format: 'stl' | 'obj'): Promise<Blob> {
  if (format !== 'stl' && format !== 'obj') throw new Error(`exportMesh: format must be 'stl' or 'obj', not ${String(format)}`);
  if (!meshExporter) throw new Error('no 3D view is open: the mesh export takes what the 3D view shows');
  return meshExporter(format);
}
/** Export the mesh and download it (the 3D view's Export mesh button). */
export async function downloadMesh(format: 'stl' | 'obj'): Promise<void> {
  let blob: Blob;
  try {
    blob = await exportMesh(format);
  } catch (err) {
    notify('error', `No mesh was written: ${(err as Error).message}`);
    return;
  }
  const fileName = `sacroplan_mesh_LPS_${new Date().toISOString().slice(0, 10)}.${format === 'stl' ? 'zip' : 'obj'}`;
  downloadBlob(blob, fileName);
  notify('info', `Mesh saved as ${fileName} (${(blob.size / 1024).toFixed(0)} kB, LPS millimetres).`);
}
export function sceneSnapshot(): SceneSnapshot {
  return sceneSource ? sceneSource() : { boneTriangles: 0, boneIsoHu: null, meshes: [] };
}

let gpu: DrrRenderer | null = null;
let gpuProblem: string | null = null;

/** The shared GPU DRR renderer (null with the reason in `drrEngineProblem()` when WebGL2 is unusable). */
export function drrRenderer(): DrrRenderer | null {
  if (gpu || gpuProblem) return gpu;
  try {
    gpu = new DrrRenderer();
  } catch (e) {
    gpuProblem = (e as Error).message;
    notify('warning', `Simulated fluoroscopy runs on the CPU (slower): ${gpuProblem}`);
  }
  return gpu;
}
export function drrEngineProblem(): string | null {
  return gpuProblem;
}

export function shownVolume(): ScalarVolume | null {
  return volumeCache.get(store.state.volumeKey) ?? null;
}

/** The C-arm geometry of a view for the shown volume, as the panel and the API use it (isocentre: the volume's centre unless given). */
export function fluoroGeometry(volume: ScalarVolume, view: CArmView, sizePx: number, isocentreLps?: Vec3): CArmGeometry {
  return cArmGeometry(defaultSetup(volume.geometry, view, sizePx, isocentreLps));
}

let pool: DrrWorkerPool | null = null;

/** Whether a DRR renders in milliseconds here (WebGL2 on a GPU, not drawn by the CPU). */
export function drrIsFast(): boolean {
  const r = drrRenderer();
  return !!r && !r.software;
}

export type DrrEngine = 'webgl2' | 'cpu-workers' | 'cpu';

/**
 * Line integrals of one pose for the fluoroscopy panel, without blocking the page: on a GPU at once;
 * where WebGL is drawn by the CPU (no GPU) and the voxels are shared, by the CPU reference in workers,
 * a band of rows each (cancel() drops a stale request); else on the main thread as a last resort.
 */
export function renderLineIntegralsLater(volume: ScalarVolume, g: CArmGeometry, model: AttenuationModel, stepMm: number): { result: Promise<{ data: Float32Array; engine: DrrEngine }>; cancel: () => void } {
  const r = drrRenderer();
  if ((!r || r.software) && DrrWorkerPool.accepts(volume)) {
    pool ??= new DrrWorkerPool();
    const job = pool.render(volume, g, model, stepMm);
    return { result: job.result.then((data) => ({ data, engine: 'cpu-workers' as const })), cancel: job.cancel };
  }
  let cancelled = false;
  const result = new Promise<{ data: Float32Array; engine: DrrEngine }>((resolve, reject) => setTimeout(() => {
    if (cancelled) { reject(new Error('cancelled')); return; }
    try {
      if (r) { r.setVolume(volume); resolve({ data: r.render(g, stepMm, model), engine: 'webgl2' }); } else resolve({ data: renderDrrCpu(volume, g, { model, stepMm }), engine: 'cpu' });
    } catch (e) { reject(e as Error); }
  }, 0));
  return { result, cancel: () => { cancelled = true; } };
}

/** Line integrals (Float32Array) of one pose: GPU when possible, else the CPU reference. */
export function renderLineIntegrals(volume: ScalarVolume, g: CArmGeometry): { data: Float32Array; engine: 'webgl2' | 'cpu' } {
  const r = drrRenderer();
  if (r) {
    r.setVolume(volume);
    return { data: r.render(g), engine: 'webgl2' };
  }
  return { data: renderDrrCpu(volume, g), engine: 'cpu' };
}

export async function drr(options: { view: CArmView; sizePx?: number }): Promise<DrrResult> {
  const volume = shownVolume();
  if (!volume) throw new Error('drr: no volume is shown');
  if (volume.units !== 'HU') throw new Error('drr: needs a CT in Hounsfield units');
  const sizePx = options.sizePx ?? 512;
  if (!Number.isInteger(sizePx) || sizePx < 8 || sizePx > 2048) throw new Error(`drr: sizePx must be a whole number in 8…2048, got ${sizePx}`);
  viewAngles(options.view); // throws a clear message for a bad view
  const g = fluoroGeometry(volume, options.view, sizePx);
  const t0 = performance.now();
  const { data, engine } = renderLineIntegrals(volume, g);
  const ms = performance.now() - t0;
  return {
    width: g.widthPx,
    height: g.heightPx,
    data: Array.from(data),
    projectLps: (p) => {
      const uv = projectLps(g, [p[0], p[1], p[2]]);
      if (!uv) throw new Error('projectLps: the point is behind the X-ray source');
      return uv;
    },
    laoDeg: g.angles.laoDeg,
    cranialDeg: g.angles.cranialDeg,
    engine,
    ms,
  };
}
