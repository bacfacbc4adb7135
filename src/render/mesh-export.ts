/**
 * Mesh export of the planning scene for 3D Slicer, printing or CAD: bone (the isosurface the 3D
 * view shows), each lesion, the foramina, the canal and the needle shafts, in DICOM patient LPS
 * millimetres.
 *
 * The scene's objects are built in LPS and hung under the group whose matrix is LPS_TO_SCENE
 * (src/scene/lps-to-scene.ts), so the LPS coordinates of a mesh are its geometry under its
 * transform *relative to that group*: the scene rotation is bypassed, never inverted.
 *
 * Formats (three's exporters):
 * - STL: binary STL carries one solid, so one file per structure, zipped (fflate). The 80-byte
 *   header starts with "SPACE=LPS", as 3D Slicer's own STL writer does; Slicer (≥ 4.11) then reads
 *   the file as LPS and the surfaces open in place over the CT.
 * - OBJ: one text file, one named object (`o bone`, `o lesion_L1`, …) per structure, with the
 *   comment "# SPACE=LPS" that Slicer's OBJ reader honours the same way.
 */
import * as THREE from 'three';
import { STLExporter } from 'three/examples/jsm/exporters/STLExporter.js';
import { OBJExporter } from 'three/examples/jsm/exporters/OBJExporter.js';
import { zipSync } from 'fflate';

export type MeshFormat = 'stl' | 'obj';

/** Scene object names (kind before the colon) that are exported; handles, hubs, zones and the crosshair are not. */
const EXPORTED_KINDS = new Set(['bone', 'lesion', 'cement', 'foramen', 'canal', 'needle']);

export interface ExportItem {
  /** File / object name: letters, digits, '_' and '-' only. */
  name: string;
  /** Non-indexed-or-indexed geometry with positions in LPS mm. */
  geometry: THREE.BufferGeometry;
}

function safeName(s: string): string {
  return s.replace(/[^A-Za-z0-9_-]+/g, '_');
}

/**
 * The structures under `lpsRoot` (the scene's LPS group) as geometries in LPS mm, one per
 * structure: the canal's tube segments are merged into one "canal".
 */
export function collectExportItems(lpsRoot: THREE.Object3D): ExportItem[] {
  lpsRoot.updateMatrixWorld(true);
  const toLps = new THREE.Matrix4().copy(lpsRoot.matrixWorld).invert();
  const byName = new Map<string, THREE.BufferGeometry[]>();
  lpsRoot.traverse((o) => {
    const m = o as THREE.Mesh;
    if (!m.isMesh || !m.name) return;
    const [kind, id] = m.name.split(':');
    if (!EXPORTED_KINDS.has(kind!)) return;
    const name = safeName(id ? `${kind}_${id}` : kind!);
    // mesh → LPS group: (group world)⁻¹ · mesh world
    const g = m.geometry.clone().applyMatrix4(new THREE.Matrix4().multiplyMatrices(toLps, m.matrixWorld));
    const list = byName.get(name) ?? [];
    list.push(g.index ? g.toNonIndexed() : g);
    byName.set(name, list);
  });
  const out: ExportItem[] = [];
  for (const [name, list] of byName) out.push({ name, geometry: list.length === 1 ? list[0]! : mergePositions(list) });
  return out;
}

function mergePositions(list: THREE.BufferGeometry[]): THREE.BufferGeometry {
  const n = list.reduce((a, g) => a + g.getAttribute('position').count * 3, 0);
  const pos = new Float32Array(n);
  let o = 0;
  for (const g of list) {
    const p = g.getAttribute('position').array as Float32Array;
    pos.set(p, o);
    o += p.length;
  }
  const g = new THREE.BufferGeometry();
  g.setAttribute('position', new THREE.BufferAttribute(pos, 3));
  return g;
}

/** Binary STL of one geometry (LPS mm) with "SPACE=LPS" in its header. */
export function stlBytes(item: ExportItem): Uint8Array {
  const mesh = new THREE.Mesh(item.geometry);
  const view = new STLExporter().parse(mesh, { binary: true }) as DataView;
  const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  const header = new TextEncoder().encode(`SPACE=LPS SacroPlan ${item.name}`.slice(0, 80));
  bytes.fill(0x20, 0, 80);
  bytes.set(header, 0);
  return bytes;
}

/** One OBJ text, one named object per structure, LPS mm. */
export function objText(items: readonly ExportItem[]): string {
  const group = new THREE.Group();
  for (const it of items) {
    const m = new THREE.Mesh(it.geometry);
    m.name = it.name;
    group.add(m);
  }
  return `# SPACE=LPS\n# SacroPlan mesh export, DICOM patient LPS millimetres\n${new OBJExporter().parse(group)}`;
}

/** The export file: a zip of one STL per structure, or one OBJ. */
export function exportMeshBlob(items: readonly ExportItem[], format: MeshFormat): Blob {
  if (items.length === 0) throw new Error('there is nothing in the 3D view to export');
  if (format === 'obj') return new Blob([objText(items)], { type: 'model/obj' });
  const files: Record<string, Uint8Array> = {};
  for (const it of items) files[`${it.name}.stl`] = stlBytes(it);
  return new Blob([zipSync(files, { level: 6 }) as BlobPart], { type: 'application/zip' });
}
