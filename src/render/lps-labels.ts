/**
 * Orientation letters for a screen direction given as an LPS vector.
 * LPS: +x = patient Left, +y = Posterior, +z = Superior.
 * Returns the dominant letters (up to two, strongest first), e.g. "L", "PS".
 */
import type { Vec3 } from '../core/vec3';

export function orientationLetters(dirLps: Readonly<Vec3>, obliqueThreshold = 0.25): string {
  const parts: { w: number; c: string }[] = [
    { w: Math.abs(dirLps[0]), c: dirLps[0] >= 0 ? 'L' : 'R' },
    { w: Math.abs(dirLps[1]), c: dirLps[1] >= 0 ? 'P' : 'A' },
    { w: Math.abs(dirLps[2]), c: dirLps[2] >= 0 ? 'S' : 'I' },
  ];
  parts.sort((a, b) => b.w - a.w);
  let out = parts[0]!.c;
  if (parts[1]!.w > obliqueThreshold) out += parts[1]!.c;
  return out;
}
