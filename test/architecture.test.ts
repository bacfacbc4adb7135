/**
 * The pure domain modules (core, segmentation, anatomy, planning, demo, scene) must import no DOM
 * framework, renderer or viewer library, so they run in node tests, workers and a CLI alike.
 * (DOM globals are excluded by tsconfig.pure.json, which type-checks these folders without the
 * DOM library: see `npm run typecheck`.)
 */
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import { repoRoot } from './helpers/shared';

const PURE = ['core', 'segmentation', 'anatomy', 'planning', 'demo', 'scene'];
const FORBIDDEN = [/^three(\/|$)/, /^lit(\/|$)/, /^@lit\//, /^@cornerstonejs\//, /^@kitware\//];

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : /\.ts$/.test(n) ? [p] : [];
  });
}

function importsOf(src: string): string[] {
  const out: string[] = [];
  const re = /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|import\s*['"]([^'"]+)['"]/g;
  for (const m of src.matchAll(re)) out.push((m[1] ?? m[2] ?? m[3])!);
  return out;
}

describe('architecture: pure modules stay pure', () => {
  const files = PURE.flatMap((d) => walk(join(repoRoot, 'src', d)));
  it('finds the pure modules', () => {
    expect(files.length).toBeGreaterThan(0);
  });
  for (const f of files) {
    const rel = relative(repoRoot, f);
    it(`${rel} imports no DOM/three/lit/cornerstone and only pure project modules`, () => {
      const src = readFileSync(f, 'utf8');
      for (const spec of importsOf(src)) {
        for (const bad of FORBIDDEN) expect(spec, `${rel} imports ${spec}`).not.toMatch(bad);
        if (spec.startsWith('.')) {
          const target = relative(join(repoRoot, 'src'), resolve(dirname(f), spec));
          const top = target.split('/')[0]!;
          expect(PURE.includes(top), `${rel} imports non-pure ${target}`).toBe(true);
        }
      }
    });
  }
});
