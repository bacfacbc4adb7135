import { describe, it, expect } from 'vitest';
import { LESION_COLORS } from '../../src/case/types';

/** sRGB hex → CIELAB (D65). */
function lab(hex: string): [number, number, number] {
  const c = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((v) => (v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
  const [r, g, b] = c as [number, number, number];
  const X = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047, Y = 0.2126 * r + 0.7152 * g + 0.0722 * b, Z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883;
  const f = (t: number) => (t > 0.008856 ? Math.cbrt(t) : 7.787 * t + 16 / 116);
  return [116 * f(Y) - 16, 500 * (f(X) - f(Y)), 200 * (f(Y) - f(Z))];
}
const deltaE = (a: string, b: string) => Math.hypot(...lab(a).map((v, i) => v - lab(b)[i]!));

/** What else the views draw in colour (src/ui/sp-viewer.ts, sp-fluoro.ts, render/scene-3d.ts). */
const LANDMARK_COLORS: Record<string, string> = {
  'foramen ring': '#4dd0e1', 'foramen (3D, fluoro)': '#26c6da', 'foramen by hand (fluoro)': '#4fc3f7', 'landmark by hand': '#ffab40',
  canal: '#b388ff', 'RF burn': '#ff7043', cement: '#f5f5f5', 'needle PASS': '#6fe07a', 'needle WARN': '#ffc94f', 'needle FAIL': '#ff5e52',
  'axial line': '#4fb3ff', 'sagittal line': '#ffd04f', 'coronal line': '#6fe07a', ruler: '#ffe26a',
  'zone 1': '#4caf50', 'zone 2': '#ffc107', 'zone 3': '#ab47bc', // render/scene-3d.ts ZONE_COLORS
};

describe('lesion colours', () => {
  it('stay ΔE ≥ 30 from every landmark, zone and verdict colour', () => {
    for (const c of LESION_COLORS) for (const [what, l] of Object.entries(LANDMARK_COLORS)) expect(deltaE(c, l), `${c} vs ${what} ${l}`).toBeGreaterThanOrEqual(30);
  });
  it('the first four lesions are told apart (ΔE ≥ 30 from each other)', () => {
    for (let i = 0; i < 4; i++) for (let j = i + 1; j < 4; j++) expect(deltaE(LESION_COLORS[i]!, LESION_COLORS[j]!)).toBeGreaterThanOrEqual(30);
  });
});
