import { describe, it, expect } from 'vitest';
import { needleVerdict, worse } from '../../src/planning/verdict';
import type { CheckStatus, PlanCheck, PlanPart } from '../../src/planning/types';

const LEVELS: CheckStatus[] = ['pass', 'warn', 'fail'];
const RANK: Record<CheckStatus, number> = { fail: 0, warn: 1, pass: 2 };

/** A small deterministic generator (mulberry32) so the property test is reproducible. */
function rng(seed: number): () => number {
  return () => {
    seed |= 0; seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('one verdict per needle', () => {
  it('the zone-3 electrode of the issue: path PASS, ablation WARN → the needle is WARN and the ablation finding comes first', () => {
    const v = needleVerdict({
      metrics: { status: 'pass', checks: [{ part: 'path', level: 'pass', text: 'crosses the SI joint (expected for the transiliac approach)' }] },
      ablation: { status: 'warn', checks: [
        { part: 'ablation', level: 'warn', text: 'ablation edge 2.0 mm from the sacral canal, warn < 10 mm (nerves harmed ≥ 45 °C)' },
        { part: 'ablation', level: 'warn', text: 'covers only 39 % of the lesion with 2 burns, warn < 90 %' },
      ] },
      cement: null,
    });
    expect(v.status).toBe('warn');
    expect(v.deciding?.part).toBe('ablation');
    expect(v.checks[0]!.text).toMatch(/2\.0 mm from the sacral canal/);
    expect(v.parts.map((p) => p.part)).toEqual(['path', 'tip', 'ablation']);
  });

  it('a tip finding decides over a passing path; cement that reaches a foramen warns the needle', () => {
    const v = needleVerdict({
      metrics: { status: 'warn', checks: [{ part: 'tip', level: 'warn', text: 'tip 3.1 mm from the anterior cortex, warn < 5 mm' }] },
      ablation: null,
      cement: { checks: [{ part: 'cement', level: 'warn', text: 'the deposit reaches the right S1 foramen' }] },
    });
    expect(v.status).toBe('warn');
    expect(v.deciding?.part).toBe('tip');
    expect(needleVerdict({ metrics: { status: 'pass', checks: [] }, ablation: null, cement: { checks: [{ part: 'cement', level: 'warn', text: 'x' }] } }).status).toBe('warn');
  });

  it('is never better than any part or any finding (2000 random plans)', () => {
    const r = rng(15);
    const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
    const checks = (parts: PlanPart[]): PlanCheck[] => Array.from({ length: Math.floor(r() * 4) }, () => ({ part: pick(parts), level: pick(LEVELS), text: 't' }));
    for (let n = 0; n < 2000; n++) {
      const metricsChecks = checks(['path', 'tip']);
      const stated = metricsChecks.reduce<CheckStatus>((s, c) => worse(s, c.level), pick(LEVELS));
      const ablation = r() < 0.5 ? null : { status: pick(LEVELS), checks: checks(['ablation']) };
      const cement = r() < 0.5 ? null : { checks: checks(['cement']) };
      const v = needleVerdict({ metrics: { status: stated, checks: metricsChecks }, ablation, cement });
      const all = [...metricsChecks, ...(ablation?.checks ?? []), ...(cement?.checks ?? [])];
      for (const c of all) expect(RANK[v.status]).toBeLessThanOrEqual(RANK[c.level]);
      for (const p of v.parts) expect(RANK[v.status]).toBeLessThanOrEqual(RANK[p.status]);
      expect(RANK[v.status]).toBeLessThanOrEqual(RANK[stated]);
      if (ablation) expect(RANK[v.status]).toBeLessThanOrEqual(RANK[ablation.status]);
      if (v.deciding) expect(v.checks[0]).toBe(v.deciding);
      if (all.some((c) => c.level === v.status)) expect(v.deciding?.level).toBe(v.status);
      if (v.status === 'pass') expect(all.every((c) => c.level === 'pass')).toBe(true);
    }
  });
});
