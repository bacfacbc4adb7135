/**
 * The Strokes overrun warning (strokes-overrun.ts) on volumes built here: a lytic sphere (40) in
 * marrow (200) inside a lesion stroke and background rings 3 mm beyond its edge in an axial and a
 * sagittal plane stays within its strokes (no warning); the same sphere with a tube at its level
 * running out between the rings towards the superior posterior left corner (a disc, the canal) is
 * taken by the grow and reported, with the direction. The grow's result itself is not changed.
 * The tube is 4 mm in radius: past the rings the grow's stroke prior (seeded-grow.ts) makes its
 * outer voxels background, and a 2.5 mm tube left that thin is cut off by the grow's opening.
 */
import { describe, expect, it } from 'vitest';
import { growFromSeeds } from '../../src/segmentation/seeded-grow';
import { strokesOverrun, overrunMessage, directionWords, MARGIN_MM } from '../../src/segmentation/strokes-overrun';
import { build } from './overrun-volume';

describe('Strokes overrun warning', () => {
  it('a sphere inside its strokes: no warning', () => {
    const { vol, strokes } = build(false);
    const r = growFromSeeds(vol, strokes);
    const ml = r.offsets.length / 1000, truth = (4 / 3) * Math.PI * 216 / 1000;
    expect(Math.abs(ml / truth - 1)).toBeLessThan(0.15);
    expect(strokesOverrun(vol.geometry, strokes, r.offsets)).toBeNull();
  });

  it('a sphere with a thin tube (2.5 mm) at its level out between the rings: not taken past them', () => {
    const { vol, strokes } = build(true, false, 2.5);
    const r = growFromSeeds(vol, strokes);
    const ml = r.offsets.length / 1000, truth = (4 / 3) * Math.PI * 216 / 1000;
    expect(Math.abs(ml / truth - 1)).toBeLessThan(0.15);
    expect(strokesOverrun(vol.geometry, strokes, r.offsets)).toBeNull();
  });

  it('a sphere with a tube (4 mm) at its level out between the rings: reported with distance and direction', () => {
    const { vol, strokes } = build(true, false, 4);
    const r = growFromSeeds(vol, strokes);
    const o = strokesOverrun(vol.geometry, strokes, r.offsets);
    console.log(`[overrun] grown ${(r.offsets.length / 1000).toFixed(2)} mL; ${o ? overrunMessage(o) : 'no warning'}`);
    expect(o).not.toBeNull();
    expect(o!.pastMm).toBeGreaterThan(MARGIN_MM);
    expect(o!.towards).toBe('superior posterior left');
    expect(overrunMessage(o!)).toMatch(/^The lesion ran beyond your strokes \(\d+ mm past them, towards superior posterior left; .* mL of it more than 5 mm out\): add background strokes there or erase/);
    // the same grow without the background strokes: nothing is said (the box is the only background)
    expect(strokesOverrun(vol.geometry, strokes.filter((s) => s.kind === 'lesion'), r.offsets)).toBeNull();
  });

  it('direction words', () => {
    expect(directionWords([0, 0, 1])).toBe('superior');
    expect(directionWords([0, -1, 0])).toBe('anterior');
    expect(directionWords([-0.7, 0, -0.7])).toBe('inferior right');
  });
});
