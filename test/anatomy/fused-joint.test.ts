/**
 * fused-joint.ts on code-built bone (1 mm grid, midline at a = 50): a "sacrum", a block of 60 HU marrow in a 450 HU
 * cortex reaching 40 mm either side of the midline, with an "ilium" on each side whose own cortex lies on the sacrum's
 * (no joint gap: one two-voxel plate between the marrows) and that runs on to the grid's lateral faces (the crop).
 */
import { describe, expect, it } from 'vitest';
import { fusedCompartments, PLATE_HU } from '../../src/anatomy/fused-joint';
import { fillHolesMask } from '../../src/segmentation/morphology';
import type { WorkGrid } from '../../src/anatomy/detect-grid';

const g: WorkGrid = { dims: [101, 30, 30], spacingMm: 1, originLps: [-50, 0, 0] };
const [na, nb, nc] = g.dims;
const at = (a: number, b: number, c: number) => a + na * (b + nb * c);
const MID = 50;

/** The phantom's image; `holes`: plate voxels (a, b, c) set to marrow; `bridge`: a run of the plate set to marrow over that many rows. */
function build(o: { holes?: [number, number, number][]; bridgeRows?: number } = {}): Float32Array {
  const w = new Float32Array(na * nb * nc).fill(0);
  for (let c = 5; c < 25; c++) for (let b = 5; b < 25; b++) for (let a = 0; a < na; a++) {
    const dx = Math.abs(a - MID);
    const shell = c === 5 || c === 24 || b === 5 || b === 24;
    // sacral cortex at dx 40, iliac cortex at dx 41 (the plate), ilium on to the face
    w[at(a, b, c)] = shell || dx === 40 || dx === 41 ? 450 : 60;
  }
  for (const [a, b, c] of o.holes ?? []) w[at(a, b, c)] = 60;
  for (let r = 0; r < (o.bridgeRows ?? 0); r++) for (let c = 12; c < 15; c++) { w[at(MID + 40, 12 + r, c)] = 60; w[at(MID + 41, 12 + r, c)] = 60; }
  return w;
}

function run(w: Float32Array) {
  const bone = Uint8Array.from(w, (v) => (v > 120 ? 1 : 0));
  const filled = fillHolesMask(bone, g.dims, [true, true]);
  return fusedCompartments(w, filled, bone, g, MID, 30, 45, [true, true]);
}

/** The spaces found (a reason instead fails the test with it). */
function spaces(r: ReturnType<typeof fusedCompartments>) {
  if (typeof r === 'string') throw new Error(r);
  return r;
}

describe('fusedCompartments: the marrow spaces on either side of a closed SI joint', () => {
  it('the sacrum\'s marrow is the space holding the body; each ilium\'s the one reaching beyond the outer bound', () => {
    const s = spaces(run(build()));
    expect(s.labels[at(MID, 15, 15)]).toBe(1);
    expect(s.labels[at(MID + 39, 15, 15)]).toBe(1); // the ala's marrow next to the plate (grown back by a voxel)
    expect(s.labels[at(MID + 42, 15, 15)]).toBe(2); // the ilium's marrow next to the plate
    expect(s.labels[at(MID - 45, 15, 15)]).toBe(2);
    expect(s.labels[at(MID + 40, 15, 15)]).toBe(0); // the plate itself
    expect(s.sacrumReachMm).toBeCloseTo(38, 0); // (the eroded space: a voxel short of the plate)
  });

  it('a plate voxel pulled below PLATE_HU (partial volume, noise) does not join the spaces', () => {
    expect(PLATE_HU).toBe(200);
    const s = spaces(run(build({ holes: [[MID + 40, 15, 15], [MID + 41, 15, 15]] })));
    expect(s.labels[at(MID + 42, 14, 15)]).toBe(2);
    expect(s.labels[at(MID + 38, 15, 15)]).toBe(1);
  });

  it('a joint bridged by marrow (bony ankylosis) parts nothing: the reason instead', () => {
    expect(run(build({ bridgeRows: 3 }))).toMatch(/no cortical plate parts it/);
  });

  it('marrow as dense as cortex leaves the body no space that reaches the alae: the reason instead', () => {
    const w = build().map((v) => (v === 60 ? 300 : v));
    for (let c = 12; c < 16; c++) for (let b = 12; b < 16; b++) for (let a = MID - 3; a <= MID + 3; a++) w[at(a, b, c)] = 60; // a basivertebral vein's fat
    expect(run(w)).toMatch(/short of the alae/);
  });

  it('the ilium open at an uncrossed lateral face is not filled there, so it marks nothing beyond its cortex', () => {
    const w = build();
    const bone = Uint8Array.from(w, (v) => (v > 120 ? 1 : 0));
    const s = spaces(fusedCompartments(w, fillHolesMask(bone, g.dims), bone, g, MID, 30, 45));
    expect(s.labels[at(MID + 45, 15, 15)]).toBe(0);
    expect(s.labels[at(MID, 15, 15)]).toBe(1);
  });
});
