/**
 * Foramen radii at the wall (foramen-radius.ts): on the phantoms' detected foramina, against truth.json
 * radii; and on a code-built tube (a thicker wall, lumen-wall.test.ts has the thin one).
 */
import { describe, it, expect } from 'vitest';
import { requireShared } from '../helpers/shared';
import { loadPhantom, dist, midpoint } from './fixtures-anatomy';
import { detectSacralAnatomy } from '../../src/anatomy/detect';
import { foramenWallRadius } from '../../src/anatomy/foramen-radius';
import { tubeVolume } from './tube-volume';

describe('foramen radius at the wall', () => {
  it('recovers a 4 mm tube with a 1.5 mm wall in a 1 mm grid, smoothed', () => {
    // tube along y: lumen r < 4 mm (−20 HU), wall 4..5.5 mm (1200 HU), then 250 HU, supersampled
    const vol = tubeVolume(4);
    const r = foramenWallRadius(vol, { anteriorLps: [0, -15, 0], posteriorLps: [0, 15, 0] })!;
    expect(Math.abs(r - 4)).toBeLessThan(0.25);
  });

  const run = requireShared(true);
  for (const cfg of ['default.json', 'hard.json'] as const) {
    it.runIf(run)(`${cfg}: detected foramina radii within 0.35 mm of truth (0.30 and 0.15 mm when written; the widest on S3_L, eroded by L5)`, async () => {
      const { volume, truth } = await loadPhantom(cfg);
      const r = detectSacralAnatomy(volume);
      const rows: string[] = [];
      let worst = 0;
      for (const f of r.anatomy.foramina) {
        const t = truth.anatomy.foramina.find((x: any) => x.id === f.id);
        expect(dist(midpoint(f.anteriorLps, f.posteriorLps), midpoint(t.anterior_opening_lps, t.posterior_opening_lps))).toBeLessThan(3);
        worst = Math.max(worst, Math.abs(f.radiusMm - t.radius_mm));
        rows.push(`${f.id} ${f.radiusMm.toFixed(2)} (truth ${t.radius_mm})`);
      }
      console.log(`[${cfg}] radii: ${rows.join(', ')}; worst error ${worst.toFixed(2)} mm`);
      expect(worst).toBeLessThan(0.35);
    }, 120_000);
  }
});
