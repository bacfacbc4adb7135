import { describe, expect, it } from 'vitest';
import { VolumeGeometry } from '../../src/core/geometry';
import { marchingCubes, edgeReport, meshVolumeMm3, taubinSmooth, decimateByClustering, vertexNormals, clampRoi } from '../../src/scene/isosurface';

const IDENTITY = [1, 0, 0, 0, 1, 0, 0, 0, 1];

/** A sphere of radius rMm: HU = 100·(r − d), clamped to ±1000 (a signed-distance ramp of ±10 mm). */
function sphereVolume(dims: [number, number, number], spacingMm: [number, number, number], directionCosines: number[], rMm: number) {
  const g = new VolumeGeometry({ dims, spacingMm, originLps: [-40, 25, 100], directionCosines });
  const c = g.ijkToLps([0, 0, 0], (dims[0] - 1) / 2 + 0.31, (dims[1] - 1) / 2 - 0.17, (dims[2] - 1) / 2 + 0.23);
  const vox = new Int16Array(g.voxelCount);
  const p: [number, number, number] = [0, 0, 0];
  let inside = 0;
  for (let k = 0; k < dims[2]; k++) for (let j = 0; j < dims[1]; j++) for (let i = 0; i < dims[0]; i++) {
    g.ijkToLps(p, i, j, k);
    const d = Math.hypot(p[0] - c[0], p[1] - c[1], p[2] - c[2]);
    const hu = Math.max(-1000, Math.min(1000, Math.round(100 * (rMm - d))));
    vox[g.offset(i, j, k)] = hu;
    if (hu >= 0) inside++;
  }
  return { g, vox, inside, centre: c };
}

describe('marching cubes isosurface', () => {
  const cases: { name: string; dims: [number, number, number]; sp: [number, number, number]; dir: number[] }[] = [
    { name: 'axial 1 mm', dims: [48, 48, 48], sp: [1, 1, 1], dir: IDENTITY },
    { name: 'anisotropic 0.8×0.8×1.5 mm', dims: [60, 60, 32], sp: [0.8, 0.8, 1.5], dir: IDENTITY },
    { name: 'oblique, left-handed stack', dims: [48, 48, 48], sp: [1, 1, 1], dir: [Math.SQRT1_2, Math.SQRT1_2, 0, -Math.SQRT1_2, Math.SQRT1_2, 0, 0, 0, -1] },
  ];
  for (const tc of cases) {
    it(`sphere (${tc.name}): closed, volume within 1 % of the voxel count, vertices in LPS`, () => {
      const { g, vox, inside, centre } = sphereVolume(tc.dims, tc.sp, tc.dir, 15);
      const before = vox.slice();
      const mesh = marchingCubes(g, vox, { levelHu: 0 });
      expect(vox).toEqual(before);
      const rep = edgeReport(mesh.indices, mesh.positionsLps.length / 3);
      expect(rep.boundaryEdges).toBe(0);
      expect(rep.nonManifoldEdges).toBe(0);
      expect(rep.flippedEdges).toBe(0);
      expect(rep.edges).toBe(mesh.indices.length / 2); // every edge shared by exactly 2 triangles
      const vol = meshVolumeMm3(mesh.positionsLps, mesh.indices);
      const voxVol = inside * g.voxelVolumeMm3;
      console.log(`[iso] sphere ${tc.name}: ${mesh.indices.length / 3} triangles, 0 open edges, volume ${vol.toFixed(1)} mm³ vs voxel count ${voxVol.toFixed(1)} mm³ (${((100 * (vol - voxVol)) / voxVol).toFixed(3)} %)`);
      expect(Math.abs(vol - voxVol) / voxVol).toBeLessThan(0.01);
      // every vertex lies on the sphere (LPS mm), within the ramp's sub-voxel error
      for (let v = 0; v < mesh.positionsLps.length; v += 3) {
        const r = Math.hypot(mesh.positionsLps[v]! - centre[0], mesh.positionsLps[v + 1]! - centre[1], mesh.positionsLps[v + 2]! - centre[2]);
        expect(Math.abs(r - 15)).toBeLessThan(0.1);
      }
    });
  }

  it('random noise still gives a closed, consistently wound mesh', () => {
    const g = new VolumeGeometry({ dims: [20, 18, 16], spacingMm: [1, 1, 1], originLps: [0, 0, 0], directionCosines: IDENTITY });
    let seed = 12345;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 4294967296);
    const vox = new Int16Array(g.voxelCount).map(() => Math.round(rnd() * 200 - 100));
    const mesh = marchingCubes(g, vox, { levelHu: 0 });
    const rep = edgeReport(mesh.indices, mesh.positionsLps.length / 3);
    expect(rep.boundaryEdges + rep.nonManifoldEdges + rep.flippedEdges).toBe(0);
    expect(meshVolumeMm3(mesh.positionsLps, mesh.indices)).toBeGreaterThan(0);
  });

  it('bone touching the grid border is closed at the voxel faces', () => {
    const g = new VolumeGeometry({ dims: [10, 10, 10], spacingMm: [1, 1, 1], originLps: [0, 0, 0], directionCosines: IDENTITY });
    const vox = new Int16Array(g.voxelCount).fill(500);
    const mesh = marchingCubes(g, vox, { levelHu: 200 });
    expect(edgeReport(mesh.indices, mesh.positionsLps.length / 3).boundaryEdges).toBe(0);
    // the 10 mm cube of voxel faces, its edges and corners bevelled by half a voxel
    const vol = meshVolumeMm3(mesh.positionsLps, mesh.indices);
    expect(vol).toBeGreaterThan(980);
    expect(vol).toBeLessThan(1000);
    for (const x of mesh.positionsLps) expect(x === -0.5 || x === 9.5 || (x >= 0 && x <= 9)).toBe(true);
  });

  it('label surfaces, crop box and stride', () => {
    const g = new VolumeGeometry({ dims: [30, 30, 30], spacingMm: [0.5, 0.5, 0.5], originLps: [0, 0, 0], directionCosines: IDENTITY });
    const lab = new Uint8Array(g.voxelCount);
    for (let k = 5; k < 15; k++) for (let j = 5; j < 15; j++) for (let i = 5; i < 15; i++) lab[g.offset(i, j, k)] = 2;
    for (let k = 20; k < 25; k++) for (let j = 20; j < 25; j++) for (let i = 20; i < 25; i++) lab[g.offset(i, j, k)] = 3;
    const m2 = marchingCubes(g, lab, { label: 2 });
    const rep = edgeReport(m2.indices, m2.positionsLps.length / 3);
    expect(rep.boundaryEdges).toBe(0);
    // a 10-voxel cube of 0.5 mm through mid-edge vertices: 5³ mm³ minus the bevelled edges and corners
    const v2 = meshVolumeMm3(m2.positionsLps, m2.indices);
    expect(v2).toBeGreaterThan(0.9 * 125);
    expect(v2).toBeLessThan(125);
    const crop = marchingCubes(g, lab, { label: 2, roiIjk: { min: [0, 0, 0], max: [9, 29, 29] } });
    expect(edgeReport(crop.indices, crop.positionsLps.length / 3).boundaryEdges).toBe(0);
    for (let v = 0; v < crop.positionsLps.length; v += 3) expect(crop.positionsLps[v]!).toBeLessThanOrEqual(4.75 + 1e-6);
    const coarse = marchingCubes(g, lab, { label: 2, stride: 2 });
    expect(coarse.indices.length).toBeLessThan(m2.indices.length);
    expect(edgeReport(coarse.indices, coarse.positionsLps.length / 3).boundaryEdges).toBe(0);
  });

  it('rejects bad input with clear messages', () => {
    const g = new VolumeGeometry({ dims: [4, 4, 4], spacingMm: [1, 1, 1], originLps: [0, 0, 0], directionCosines: IDENTITY });
    expect(() => marchingCubes(g, new Int16Array(10), { levelHu: 0 })).toThrow(/does not match/);
    expect(() => marchingCubes(g, new Int16Array(64), {})).toThrow(/levelHu/);
    expect(() => clampRoi([4, 4, 4], { min: [3, 0, 0], max: [1, 3, 3] })).toThrow(/empty crop/);
    expect(() => decimateByClustering({ positionsLps: new Float32Array(3), indices: new Uint32Array(0) }, 0)).toThrow(/> 0/);
  });
});

describe('mesh tools', () => {
  it('Taubin smoothing keeps the volume of a staircased (mask) sphere and makes it rounder', () => {
    const { g, vox, centre } = sphereVolume([40, 40, 40], [1, 1, 1], IDENTITY, 12);
    const mask = new Uint8Array(vox.length).map((_, n) => (vox[n]! >= 0 ? 1 : 0));
    const mesh = marchingCubes(g, mask, { label: 1 });
    const v0 = meshVolumeMm3(mesh.positionsLps, mesh.indices);
    const sm = taubinSmooth(mesh, 10);
    expect(mesh.positionsLps).not.toBe(sm);
    const v1 = meshVolumeMm3(sm, mesh.indices);
    expect(Math.abs(v1 - v0) / v0).toBeLessThan(0.02);
    const spread = (p: Float32Array) => { // SD of the vertex radii
      let s1 = 0, s2 = 0;
      const n = p.length / 3;
      for (let v = 0; v < p.length; v += 3) { const r = Math.hypot(p[v]! - centre[0], p[v + 1]! - centre[1], p[v + 2]! - centre[2]); s1 += r; s2 += r * r; }
      return Math.sqrt(s2 / n - (s1 / n) ** 2);
    };
    expect(spread(sm)).toBeLessThan(0.6 * spread(mesh.positionsLps));
  });

  it('vertex clustering reduces triangles and keeps the shape', () => {
    const { g, vox } = sphereVolume([40, 40, 40], [1, 1, 1], IDENTITY, 12);
    const mesh = marchingCubes(g, vox, { levelHu: 0 });
    const dec = decimateByClustering(mesh, 2.5);
    expect(dec.indices.length).toBeLessThan(mesh.indices.length / 3);
    const v0 = meshVolumeMm3(mesh.positionsLps, mesh.indices), v1 = meshVolumeMm3(dec.positionsLps, dec.indices);
    expect(Math.abs(v1 - v0) / v0).toBeLessThan(0.05);
  });

  it('normals point outward', () => {
    const { g, vox, centre } = sphereVolume([30, 30, 30], [1, 1, 1], IDENTITY, 8);
    const mesh = marchingCubes(g, vox, { levelHu: 0 });
    const n = vertexNormals(mesh.positionsLps, mesh.indices);
    for (let v = 0; v < n.length; v += 3) {
      const d = [mesh.positionsLps[v]! - centre[0], mesh.positionsLps[v + 1]! - centre[1], mesh.positionsLps[v + 2]! - centre[2]];
      expect(n[v]! * d[0]! + n[v + 1]! * d[1]! + n[v + 2]! * d[2]!).toBeGreaterThan(0);
    }
  });
});
