/**
 * The Strokes edge-support warning (strokes-edge.ts) on volumes built here (overrun-volume.ts): a
 * lytic sphere (40) in marrow (200) inside a lesion stroke and background rings 3 mm beyond its edge
 * has an image edge all around its outline (no warning); the same sphere touching tissue at its own
 * level that fills the region between the rings (a disc, the canal's fat) is taken with it by the
 * grow, and the outline there, where the two fronts met, has no edge: reported, with the direction.
 */
import { describe, expect, it } from 'vitest';
import { growFromSeeds } from '../../src/segmentation/seeded-grow';
import { edgeMessage, edgeUnsupported, MAX_UNSUPPORTED } from '../../src/segmentation/strokes-edge';
import { strokesOverrun } from '../../src/segmentation/strokes-overrun';
import { build } from './overrun-volume';

describe('Strokes edge-support warning', () => {
  it('a sphere with a clean edge: its whole outline on an edge, no warning', () => {
    const { vol, strokes } = build(false);
    const r = growFromSeeds(vol, strokes);
    console.log(`[edge] sphere: ${(r.offsets.length / 1000).toFixed(2)} mL, outline without edge ${(100 * r.edge!.unsupportedShare).toFixed(0)} % of ${r.edge!.pairs} pairs`);
    expect(r.edge!.pairs).toBeGreaterThan(300);
    expect(r.edge!.unsupportedShare).toBeLessThan(0.05);
    expect(edgeUnsupported(r.edge)).toBe(false);
  });

  it('a sphere leaking into tissue of its level between the rings: reported, towards the leak', () => {
    const { vol, strokes } = build(false, true);
    const r = growFromSeeds(vol, strokes);
    const e = r.edge!;
    console.log(`[edge] sphere + tissue of its level between the rings: ${(r.offsets.length / 1000).toFixed(2)} mL (sphere 0.90), ${edgeMessage(e)}; overrun warning: ${strokesOverrun(vol.geometry, strokes, r.offsets) ? 'yes' : 'no'}`);
    expect(r.offsets.length).toBeGreaterThan(2000); // the leak itself (the grow is unchanged)
    expect(e.unsupportedShare).toBeGreaterThan(MAX_UNSUPPORTED);
    expect(edgeUnsupported(e)).toBe(true);
    expect(e.towards).toBe('superior left');
    expect(edgeMessage(e)).toMatch(/^\d+ % of this lesion's outline runs where the image shows no edge \(towards superior left\), so its volume is uncertain by about ±\d+ %: check it, add background strokes there or erase\.$/);
  });

  it('without background strokes nothing is measured (the region\'s border is the only background)', () => {
    const { vol, strokes } = build(false, true);
    expect(growFromSeeds(vol, strokes.filter((s) => s.kind === 'lesion')).edge).toBeNull();
  });
});
