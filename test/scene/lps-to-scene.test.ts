import { describe, expect, it } from 'vitest';
import { lpsToScene, sceneToLps, lpsArrayToScene, LPS_TO_SCENE, SCENE_TO_LPS } from '../../src/scene/lps-to-scene';
import type { Vec3 } from '../../src/core/vec3';

describe('LPS ↔ scene transform', () => {
  it('maps patient left → +x, superior → +y (up), anterior → +z', () => {
    expect(lpsToScene([0, 0, 0], [1, 0, 0])).toEqual([1, 0, 0]);
    expect(lpsToScene([0, 0, 0], [0, 0, 1])).toEqual([0, 1, 0]);
    expect(lpsToScene([0, 0, 0], [0, -1, 0])).toEqual([0, 0, 1]);
  });
  it('round-trips points, arrays and matrices, and is a proper rotation', () => {
    const pts: Vec3[] = [[12.5, -30.25, 801], [-200, 0.001, -3], [0, 0, 0]];
    for (const p of pts) {
      const s = lpsToScene([0, 0, 0], p);
      expect(sceneToLps([0, 0, 0], s)).toEqual(p);
      // matrix form agrees with the function
      const m = LPS_TO_SCENE;
      for (let r = 0; r < 3; r++) expect(m[4 * r]! * p[0] + m[4 * r + 1]! * p[1] + m[4 * r + 2]! * p[2] + m[4 * r + 3]!).toBeCloseTo(s[r]!, 12);
    }
    // SCENE_TO_LPS · LPS_TO_SCENE = I
    for (let r = 0; r < 4; r++) for (let c = 0; c < 4; c++) {
      let v = 0;
      for (let k = 0; k < 4; k++) v += SCENE_TO_LPS[4 * r + k]! * LPS_TO_SCENE[4 * k + c]!;
      expect(v).toBe(r === c ? 1 : 0);
    }
    const m = LPS_TO_SCENE;
    const det = m[0]! * (m[5]! * m[10]! - m[6]! * m[9]!) - m[1]! * (m[4]! * m[10]! - m[6]! * m[8]!) + m[2]! * (m[4]! * m[9]! - m[5]! * m[8]!);
    expect(det).toBe(1);
    const arr = new Float32Array([1, 2, 3, -4, 5, -6]);
    const copy = arr.slice();
    const out = lpsArrayToScene(new Float32Array(6), arr);
    expect(arr).toEqual(copy);
    expect(Array.from(out)).toEqual([1, 3, -2, -4, -6, -5]);
    const p: Vec3 = [7, 8, 9];
    expect(sceneToLps(p, lpsToScene(p, p))).toEqual([7, 8, 9]); // aliasing allowed
  });
});
