/**
 * The pure domain modules (core, segmentation, anatomy, planning, case, demo, scene) must import no
 * DOM framework, renderer or viewer library, so they run in node tests, workers and a CLI alike.
 * (DOM globals are excluded by tsconfig.pure.json, which type-checks these folders without the
 * DOM library: see `npm run typecheck`.) And every folder imports only the layers below it
 * (LAYERS): core ← segmentation ← anatomy ← planning ← case ← teaching ← app ← ui; io on core alone.
 */
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import { repoRoot } from './helpers/shared';

const PURE = ['core', 'segmentation', 'anatomy', 'planning', 'case', 'demo', 'scene', 'teaching'];
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

/**
 * Which folders of src/ each folder may import (besides itself). Arrows point down only: the case
 * is reached by the app, never by the views (ui) directly; workers run pure modules only.
 */
const LAYERS: Record<string, string[]> = {
  core: [],
  io: ['core'],
  batch: ['core', 'io', 'segmentation', 'anatomy', 'planning', 'case'],
  demo: ['core'],
  segmentation: ['core'],
  anatomy: ['core', 'segmentation'],
  planning: ['core', 'segmentation', 'anatomy'],
  scene: ['core', 'segmentation', 'anatomy', 'planning'],
  case: ['core', 'segmentation', 'anatomy', 'planning'],
  teaching: ['core', 'demo', 'segmentation', 'anatomy', 'planning', 'case'],
  render: ['core', 'segmentation', 'anatomy', 'planning', 'scene'],
  workers: ['core', 'io', 'demo', 'segmentation', 'anatomy', 'planning', 'scene', 'case', 'teaching'],
  app: ['core', 'io', 'demo', 'segmentation', 'anatomy', 'planning', 'scene', 'case', 'render', 'teaching'],
  ui: ['core', 'io', 'segmentation', 'anatomy', 'planning', 'scene', 'render', 'app', 'teaching'],
};

function layerOf(fileUnderSrc: string): string {
  const parts = fileUnderSrc.split('/');
  return parts.length === 1 ? '(root)' : parts[0]!;
}

/** Whether a file in folder `from` may import one in folder `to`. */
function allowed(from: string, to: string): boolean {
  if (from === to || from === '(root)') return true;
  return LAYERS[from]?.includes(to) ?? false;
}

describe('architecture: layers import downward only', () => {
  const src = join(repoRoot, 'src');
  it('knows every folder of src/ and rejects an upward import', () => {
    const folders = readdirSync(src).filter((n) => statSync(join(src, n)).isDirectory());
    for (const f of folders) expect(LAYERS[f], `folder src/${f} has no place in LAYERS`).toBeDefined();
    expect(allowed('core', 'app')).toBe(false);
    expect(allowed('ui', 'case')).toBe(false);
    expect(allowed('planning', 'case')).toBe(false);
    expect(allowed('case', 'planning')).toBe(true);
  });
  for (const f of walk(src)) {
    const rel = relative(src, f);
    const from = layerOf(rel);
    it(`src/${rel} imports only lower layers`, () => {
      for (const spec of importsOf(readFileSync(f, 'utf8'))) {
        if (!spec.startsWith('.')) continue;
        const to = layerOf(relative(src, resolve(dirname(f), spec)));
        expect(allowed(from, to), `src/${rel} (${from}) imports ${spec} (${to})`).toBe(true);
      }
    });
  }
});
