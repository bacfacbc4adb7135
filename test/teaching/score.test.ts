/** Scoring of a fellow's attempt (teaching/score.ts), share links (teaching/share.ts) and the progress CSV. */
import { describe, expect, it } from 'vitest';
import { scoreAttempt, type AttemptInput, type ExpertSummary } from '../../src/teaching/score';
import { decodeShare, encodeShare, ShareLinkError, SHARE_MAX_NEEDLES } from '../../src/teaching/share';
import { attemptRecord, progressCsv } from '../../src/teaching/progress';
import { nextStep, PRESENTER_STEPS } from '../../src/teaching/presenter';
import { crc32 } from '../../src/case/plan-file';

const row = (approach: any, status: any, c: number | null, feasible = true) => ({ approach, feasible, status, minClearanceMm: c, depthMm: feasible ? 80 : null, studyChoice: approach !== 'interpedicular', whyAbove: 'clearances within 1 mm (9.0 mm vs 9.0 mm); shorter path (69 vs 76 mm)', reasons: feasible ? [] : ['no path fits the template: crosses the SI joint'] });
const expert: ExpertSummary = {
  caseId: 'ala-zone1',
  lesions: [{
    id: 'L1', name: 'left ala', zone: 1, zoneExplanation: 'lateral to the S1 foramen: zone 1', volumeMl: 1.2, maxDiameterMm: 16, centroidLps: [40, 10, -10], declined: null,
    ranked: [row('posterior-short-axis', 'pass', 9), row('transiliac', 'pass', 9), row('posterior-long-axis', 'pass', 6.6), row('anterior-oblique', 'fail', null, false), row('interpedicular', 'fail', null, false)],
    best: { approach: 'posterior-short-axis', status: 'pass', minClearanceMm: 9, depthMm: 69 },
  }],
};
const good: AttemptInput = {
  lesions: [{ id: 'l1', volumeMl: 1.2, centroidLps: [40.5, 10, -10] }], namedZone: 1, declined: false, approach: 'posterior-short-axis',
  needles: [{ id: 'N1', approach: 'posterior-short-axis', targetLps: [40, 10, -10], status: 'pass', reasons: [], minClearanceMm: 8.5, nearestForamen: { id: 'S1_L', clearanceMm: 8.5 }, canalClearanceMm: 20 }],
};

describe('scoreAttempt', () => {
  it('gives full marks to the expert\'s answer and says why', () => {
    const s = scoreAttempt(expert, good);
    expect(s.points).toBe(100);
    expect(s.steps.map((x) => x.verdict)).toEqual(['right', 'right', 'right', 'right']);
    expect(s.steps[1]!.text).toMatch(/zone 1, right: lateral to the S1 foramen/);
    expect(s.steps[3]!.text).toMatch(/best posterior short-axis path: PASS, smallest clearance 9.0 mm/);
  });

  it('scores a needle into a foramen down and names the foramen', () => {
    const bad: AttemptInput = { ...good, needles: [{ ...good.needles[0]!, status: 'fail', reasons: ['0.0 mm from the left S1 foramen (enters it), fail < 2 mm'], minClearanceMm: 0, nearestForamen: { id: 'S1_L', clearanceMm: 0 } }] };
    const s = scoreAttempt(expert, bad);
    expect(s.points).toBe(60);
    const needle = s.steps.find((x) => x.step === 'needle')!;
    expect(needle.points).toBe(0);
    expect(needle.verdict).toBe('wrong');
    expect(needle.text).toMatch(/FAIL \(0.0 mm from the left S1 foramen \(enters it\)/);
    expect(s.risks).toEqual(['0.0 mm from the left S1 foramen (enters it), fail < 2 mm']);
  });

  it('scores volume by its ratio, the wrong zone with the why, and the study rule for the approach', () => {
    const s = scoreAttempt(expert, { ...good, lesions: [{ id: 'l1', volumeMl: 2.4, centroidLps: [40, 10, -10] }], namedZone: 3, approach: 'transiliac' });
    expect(s.steps[0]!.points).toBe(0); // double the volume
    expect(s.steps[1]!.verdict).toBe('wrong');
    expect(s.steps[1]!.text).toMatch(/you named zone 3; it is zone 1: lateral/);
    expect(s.steps[2]!.points).toBe(10);
    expect(s.steps[2]!.text).toMatch(/follows the study's rule/);
    const off = scoreAttempt(expert, { ...good, approach: 'interpedicular', lesions: [{ id: 'x', volumeMl: 1.2 * Math.SQRT2, centroidLps: [40, 10, -10] }] });
    expect(off.steps[0]!.points).toBeCloseTo(10, 5); // √2 × the volume: half marks
    expect(off.steps[2]!.verdict).toBe('wrong');
    expect(off.steps[2]!.text).toMatch(/does not follow the study's rule/);
    const elsewhere = scoreAttempt(expert, { ...good, lesions: [{ id: 'x', volumeMl: 1.2, centroidLps: [-40, 10, -10] }] });
    expect(elsewhere.steps[0]!.points).toBe(0);
    expect(elsewhere.steps[0]!.text).toMatch(/another place/);
  });

  it('wants a declined lesion declined and no needle in it', () => {
    const dec: ExpertSummary = { caseId: 'declined-large', lesions: [{ ...expert.lesions[0]!, zone: 2, declined: 'largest diameter 34.2 mm: over the study\'s 30 mm limit', ranked: [], best: null }] };
    const right = scoreAttempt(dec, { ...good, namedZone: 2, declined: true, approach: null, needles: [] });
    expect(right.points).toBe(100);
    const wrong = scoreAttempt(dec, { ...good, namedZone: 2 });
    expect(wrong.steps[2]!.text).toMatch(/should be declined: largest diameter 34.2 mm/);
    expect(wrong.steps[3]!.points).toBe(0);
  });
});

describe('share links', () => {
  const shared = { caseId: 'ala-zone1', step: 4, needles: [{ needle: '15G-truguide-138', approach: 'posterior-short-axis' as const, entryLps: [60.1234, 80, 20] as [number, number, number], targetLps: [40, 10, -10] as [number, number, number] }] };
  it('round-trips a case, a step and a plan (coordinates to 1 µm)', () => {
    const frag = encodeShare(shared);
    expect(frag).toMatch(/^share=[A-Za-z0-9_-]+\.[0-9a-f]{8}$/);
    const back = decodeShare(`#${frag}`);
    expect(back.caseId).toBe('ala-zone1');
    expect(back.step).toBe(4);
    expect(back.needles[0]!.entryLps).toEqual([60.123, 80, 20]);
    // the payload is standard base64url (Node's codec reads it back)
    const payload = frag.slice('share='.length).split('.')[0]!;
    expect(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')).case).toBe('ala-zone1');
    for (let n = 0; n < 7; n++) {
      const s2 = { ...shared, caseId: 'bilateral', needles: shared.needles.slice(0, n % 2) , step: n };
      expect(decodeShare(encodeShare(s2))).toEqual(s2.needles.length ? { ...s2, needles: [{ ...s2.needles[0]!, entryLps: [60.123, 80, 20] }] } : s2);
    }
  });

  it('refuses every single-character change of the link with a reason', () => {
    const frag = encodeShare(shared);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const messages = new Set<string>();
    for (let i = 'share='.length; i < frag.length; i++) {
      const c = frag[i]!;
      if (c === '.') continue;
      const sub = c === 'A' ? 'B' : 'A';
      const bad = frag.slice(0, i) + sub + frag.slice(i + 1);
      let err: unknown = null;
      try { decodeShare(bad); } catch (e) { err = e; }
      expect(err, `change at ${i}`).toBeInstanceOf(ShareLinkError);
      messages.add((err as Error).message.replace(/[0-9a-f]{8}/g, 'X'));
    }
    expect(alphabet.length).toBe(64);
    expect([...messages].some((m) => /changed or damaged/.test(m))).toBe(true);
  });

  it('checks the plan inside a correctly sealed link like a plan file', () => {
    const seal = (doc: unknown) => {
      const bytes = new TextEncoder().encode(JSON.stringify(doc));
      let s = ''; for (const b of bytes) s += String.fromCharCode(b);
      return `share=${btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')}.${crc32(bytes).toString(16).padStart(8, '0')}`;
    };
    const base = { format: 'sacroplan-share', version: 1, case: 'ala-zone1', step: 0, needles: [] };
    expect(decodeShare(seal(base)).needles).toEqual([]);
    const cases: [unknown, RegExp][] = [
      [{ ...base, case: 'nope' }, /names no built-in case/],
      [{ ...base, step: PRESENTER_STEPS.length }, /not one of the 7 presenter steps/],
      [{ ...base, version: 9 }, /newer SacroPlan/],
      [{ ...base, format: 'x' }, /not a SacroPlan share link/],
      [{ ...base, needles: [{ needle: 'x', approach: null, entryLps: [0, 0, 0], targetLps: [1, 1, 1] }] }, /unknown needle/],
      [{ ...base, needles: [{ needle: '15G-truguide-138', approach: 'sideways', entryLps: [0, 0, 0], targetLps: [1, 1, 1] }] }, /unknown approach/],
      [{ ...base, needles: [{ needle: '15G-truguide-138', approach: null, entryLps: [0, 0, null], targetLps: [1, 1, 1] }] }, /three finite numbers/],
      [{ ...base, needles: [{ needle: '15G-truguide-138', approach: null, entryLps: [0, 0, 1e9], targetLps: [1, 1, 1] }] }, /more than 1000 mm/],
      [{ ...base, needles: Array.from({ length: SHARE_MAX_NEEDLES + 1 }, () => ({ needle: '15G-truguide-138', approach: null, entryLps: [0, 0, 0], targetLps: [9, 9, 9] })) }, /at most 8/],
      [{ ...base, extra: 1 }, /fields a share link never has: extra/],
    ];
    for (const [doc, re] of cases) expect(() => decodeShare(seal(doc))).toThrow(re);
    expect(() => decodeShare('share=abc')).toThrow(/cut short/);
    expect(() => decodeShare('share=ab$c.00000000')).toThrow(/characters/);
  });
});

describe('presenter steps and progress CSV', () => {
  it('steps with PageDown/PageUp and clamps at the ends', () => {
    expect(PRESENTER_STEPS.map((s) => s.key)).toEqual(['anatomy', 'lesion', 'zone', 'approaches', 'needle', 'ablation', 'cement']);
    expect(nextStep(0, 'PageDown')).toBe(1);
    expect(nextStep(0, 'PageUp')).toBe(0);
    expect(nextStep(6, 'PageDown')).toBe(6);
    expect(nextStep(3, 'End')).toBe(6);
    expect(nextStep(3, 'x')).toBe(3);
  });

  it('writes one CSV row per attempt, quoting commas and defusing formulas', () => {
    const s = scoreAttempt(expert, good);
    const r1 = attemptRecord(s, 'Left sacral ala, zone 1', '2026-12-06T10:00:00.000Z');
    const r0 = attemptRecord({ ...s, risks: ['=HYPERLINK("x")'] }, 'B', '2026-12-05T10:00:00.000Z');
    const csv = progressCsv([r1, r0]);
    const lines = csv.trim().split('\r\n');
    expect(lines[0]).toBe('time,case,title,points,max,percent,segmentation_points,segmentation_verdict,zone_points,zone_verdict,approach_points,approach_verdict,needle_points,needle_verdict,risks');
    expect(lines[1]).toMatch(/^2026-12-05.*,"'=HYPERLINK\(""x""\)"$/);
    expect(lines[2]).toBe('2026-12-06T10:00:00.000Z,ala-zone1,"Left sacral ala, zone 1",100,100,100,20,right,20,right,20,right,40,right,');
  });
});
