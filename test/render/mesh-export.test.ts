import { describe, expect, it } from 'vitest';
import * as THREE from 'three';
import { unzipSync, strFromU8 } from 'fflate';
import { VolumeGeometry } from '../../src/core/geometry';
import { marchingCubes, meshVolumeMm3 } from '../../src/scene/isosurface';
import { LPS_TO_SCENE } from '../../src/scene/lps-to-scene';
import { collectExportItems, exportMeshBlob } from '../../src/render/mesh-export';

/** A sphere lesion mask (label 1) on an oblique, anisotropic grid away from the origin. */
function sphereLesion(rMm: number) {
  const dims: [number, number, number] = [56, 56, 40];
  const g = new VolumeGeometry({ dims, spacingMm: [0.8, 0.8, 1.2], originLps: [-30, 40, 120], directionCosines: [Math.SQRT1_2, Math.SQRT1_2, 0, -Math.SQRT1_2, Math.SQRT1_2, 0, 0, 0, 1] });
  const centre = g.ijkToLps([0, 0, 0], 27.3, 26.8, 19.6);
  const mask = new Uint8Array(g.voxelCount);
  const p: [number, number, number] = [0, 0, 0];
  let inside = 0;
  for (let k = 0; k < dims[2]; k++) for (let j = 0; j < dims[1]; j++) for (let i = 0; i < dims[0]; i++) {
    g.ijkToLps(p, i, j, k);
    if (Math.hypot(p[0] - centre[0], p[1] - centre[1], p[2] - centre[2]) <= rMm) { mask[g.offset(i, j, k)] = 1; inside++; }
  }
  return { g, mask, centre, voxelVolumeMm3: inside * g.voxelVolumeMm3 };
}

/** The planning scene's layout: LPS meshes under a group whose matrix is LPS_TO_SCENE, in a scene. */
function sceneWith(meshes: THREE.Mesh[]): THREE.Group {
  const scene = new THREE.Scene();
  const lps = new THREE.Group();
  lps.matrixAutoUpdate = false;
  lps.matrix.fromArray(LPS_TO_SCENE as number[]).transpose(); // row-major → three's column-major
  scene.add(lps);
  const sub = new THREE.Group();
  lps.add(sub);
  for (const m of meshes) sub.add(m);
  return lps;
}

/** Binary STL → triangles (9 floats each) and the header text. */
function parseStl(bytes: Uint8Array): { header: string; tri: Float32Array } {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = dv.getUint32(80, true);
  expect(bytes.byteLength).toBe(84 + 50 * n);
  const tri = new Float32Array(9 * n);
  for (let t = 0; t < n; t++) for (let c = 0; c < 9; c++) tri[9 * t + c] = dv.getFloat32(84 + 50 * t + 12 + 4 * c, true);
  return { header: strFromU8(bytes.subarray(0, 80)), tri };
}

/** Weld by exact position; count how many triangles use each undirected edge. */
function weld(tri: Float32Array): { positions: Float32Array; indices: Uint32Array } {
  const ids = new Map<string, number>();
  const pos: number[] = [];
  const idx = new Uint32Array(tri.length / 3);
  for (let v = 0; v < tri.length / 3; v++) {
    const key = `${tri[3 * v]},${tri[3 * v + 1]},${tri[3 * v + 2]}`;
    let id = ids.get(key);
    if (id === undefined) { id = ids.size; ids.set(key, id); pos.push(tri[3 * v]!, tri[3 * v + 1]!, tri[3 * v + 2]!); }
    idx[v] = id;
  }
  return { positions: new Float32Array(pos), indices: idx };
}

describe('mesh export (STL / OBJ in LPS mm)', () => {
  it('STL of a sphere lesion: closed, centred in LPS, volume within 1 % of the mask', () => {
    const { g, mask, centre, voxelVolumeMm3 } = sphereLesion(12);
    const m = marchingCubes(g, mask, { label: 1 });
    const geo = new THREE.BufferGeometry();
    geo.setAttribute('position', new THREE.BufferAttribute(m.positionsLps, 3));
    geo.setIndex(new THREE.BufferAttribute(m.indices, 1));
    const lesion = new THREE.Mesh(geo);
    lesion.name = 'lesion:L1';
    const handle = new THREE.Mesh(new THREE.BoxGeometry(3, 3, 3));
    handle.name = 'entry:T1'; // a drag handle: not exported
    const lps = sceneWith([lesion, handle]);
    const items = collectExportItems(lps);
    expect(items.map((i) => i.name)).toEqual(['lesion_L1']);
    return exportMeshBlob(items, 'stl').arrayBuffer().then((buf) => {
      const files = unzipSync(new Uint8Array(buf));
      expect(Object.keys(files)).toEqual(['lesion_L1.stl']);
      const { header, tri } = parseStl(files['lesion_L1.stl']!);
      expect(header.startsWith('SPACE=LPS')).toBe(true);
      const { positions, indices } = weld(tri);
      const edges = new Map<string, number>();
      for (let t = 0; t < indices.length; t += 3) for (let e = 0; e < 3; e++) {
        const a = indices[t + e]!, b = indices[t + ((e + 1) % 3)]!;
        const key = a < b ? `${a}-${b}` : `${b}-${a}`;
        edges.set(key, (edges.get(key) ?? 0) + 1);
      }
      const notTwo = [...edges.values()].filter((c) => c !== 2).length;
      expect(notTwo).toBe(0);
      const c: [number, number, number] = [0, 0, 0];
      for (let v = 0; v < positions.length; v += 3) for (let a = 0; a < 3; a++) c[a]! += positions[v + a]! / (positions.length / 3);
      const off = Math.hypot(c[0] - centre[0], c[1] - centre[1], c[2] - centre[2]);
      const vol = meshVolumeMm3(positions, indices);
      const err = (vol - voxelVolumeMm3) / voxelVolumeMm3;
      console.log(`[mesh-export] sphere lesion STL: ${indices.length / 3} triangles, ${edges.size} edges all shared by 2, centre off by ${off.toFixed(3)} mm (LPS ${c.map((x) => x.toFixed(2)).join(', ')}), volume ${vol.toFixed(0)} mm³ vs mask ${voxelVolumeMm3.toFixed(0)} mm³ (${(100 * err).toFixed(2)} %)`);
      expect(off).toBeLessThan(0.3);
      expect(vol).toBeGreaterThan(0); // outward winding kept (the rotation is bypassed, not mirrored)
      expect(Math.abs(err)).toBeLessThan(0.01);
    });
  });

  it('OBJ: one named object per structure, LPS coordinates, canal segments merged', async () => {
    const bone = new THREE.Mesh(new THREE.BoxGeometry(10, 10, 10));
    bone.name = 'bone';
    bone.position.set(5, -100, 300); // LPS
    const seg1 = new THREE.Mesh(new THREE.CylinderGeometry(2, 2, 4));
    const seg2 = new THREE.Mesh(new THREE.CylinderGeometry(2, 2, 4));
    seg1.name = seg2.name = 'canal';
    const lps = sceneWith([bone, seg1, seg2]);
    const text = await exportMeshBlob(collectExportItems(lps), 'obj').text();
    expect(text.startsWith('# SPACE=LPS')).toBe(true);
    expect(text.match(/^o .*/gm)).toEqual(['o bone', 'o canal']);
    const vs = text.match(/^v .*/gm)!.map((l) => l.split(/\s+/).slice(1).map(Number));
    const boneVs = vs.slice(0, 24);
    for (const v of boneVs) {
      expect(Math.abs(v[0]! - 5)).toBeCloseTo(5, 5); // a 10 mm box around (5, −100, 300) LPS
      expect(Math.abs(v[1]! + 100)).toBeCloseTo(5, 5);
      expect(Math.abs(v[2]! - 300)).toBeCloseTo(5, 5);
    }
    expect(() => exportMeshBlob([], 'obj')).toThrow(/nothing/);
  });
});
