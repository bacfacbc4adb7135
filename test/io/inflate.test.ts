/** Budgeted streaming decompression and the limits it uses (src/io/inflate.ts, src/io/limits.ts). */
import { describe, expect, it } from 'vitest';
import { gzipSync, deflateRawSync } from 'node:zlib';
import { inflateBounded, inflateBoundedSync, InflateCorruptError, InflateRefusedError, type PlanFn } from '../../src/io/inflate';
import { MAX_VOXELS, INFLATE_SLACK_BYTES, deflateRatioProblem, fmtValue, rescaleProblem, sliceGapProblem, spacingProblem, voxelLimitProblem } from '../../src/io/limits';
import { gzipBomb, deflateRawBomb } from '../helpers/bombs';

/** A plan that believes the first 4 bytes: a little-endian claim of the total length. */
const claimPlan: PlanFn = (prefix, ended) => {
  if (prefix.length < 4 && !ended) return 'more';
  const claimed = new DataView(prefix.buffer, prefix.byteOffset, 4).getUint32(0, true);
  return { claimedBytes: claimed, maxBytes: claimed + INFLATE_SLACK_BYTES, describe: `${claimed} bytes` };
};
const withClaim = (claim: number, body: Uint8Array): Uint8Array => {
  const out = new Uint8Array(4 + body.length);
  new DataView(out.buffer).setUint32(0, claim, true);
  out.set(body, 4);
  return out;
};
async function* chunks(b: Uint8Array, size = 65536): AsyncIterable<Uint8Array> {
  for (let o = 0; o < b.length; o += size) yield b.subarray(o, o + size);
}

describe('inflateBounded', () => {
  it('returns an honest stream exactly, as gzip and as raw DEFLATE', async () => {
    const body = new Uint8Array(300_000).map((_, i) => (i * 7) & 0xff);
    const raw = withClaim(body.length + 4, body);
    const gz = await inflateBounded(chunks(new Uint8Array(gzipSync(raw))), { format: 'gzip', plan: claimPlan, headerLimitBytes: 1024 });
    expect(gz.bytes).toEqual(raw);
    expect(gz.complete).toBe(true);
    const df = inflateBoundedSync(new Uint8Array(deflateRawSync(raw)), { format: 'deflate-raw', plan: claimPlan, headerLimitBytes: 1024 });
    expect(df.bytes).toEqual(raw);
  });

  it('refuses a stream that inflates past its claim as soon as the output passes the budget (4 GB bomb)', async () => {
    const bomb = gzipBomb(withClaim(4096, new Uint8Array(0)), 4 * 1024 ** 3);
    expect(bomb.length).toBeLessThan(5e6);
    const t0 = performance.now();
    const err = await inflateBounded(chunks(bomb), { format: 'gzip', plan: claimPlan, headerLimitBytes: 1024 }).catch((e) => e);
    const ms = performance.now() - t0;
    expect(err).toBeInstanceOf(InflateRefusedError);
    expect(err.message).toMatch(/header describes 4096 bytes .*inflates to more than/);
    // Stopped within one small input piece (512 bytes → ≤ 0.53 MB) of the budget.
    expect(err.producedBytes).toBeLessThan(4096 + INFLATE_SLACK_BYTES + 1.1e6);
    expect(ms).toBeLessThan(1500);
  });

  it('stops at stopAt without reading the rest, keeps only keepBytes', async () => {
    const bomb = deflateRawBomb(withClaim(100, new Uint8Array(96).fill(1)), 64 << 20);
    const plan: PlanFn = (p, e) => (p.length < 4 && !e ? 'more' : { claimedBytes: 100, maxBytes: 200, stopAt: 100, keepBytes: 100, describe: '100 bytes' });
    const r = await inflateBounded(chunks(bomb, 512), { format: 'deflate-raw', plan, headerLimitBytes: 1024 });
    expect(r.complete).toBe(false);
    expect(r.bytes.length).toBe(100);
    expect(r.bytes[99]).toBe(1);
  });

  it('calls a truncated stream truncated, and refuses a header that never ends', async () => {
    const gz = new Uint8Array(gzipSync(withClaim(200_004, new Uint8Array(200_000).map((_, i) => i & 0xff))));
    await expect(inflateBounded(chunks(gz.subarray(0, gz.length >> 1)), { format: 'gzip', plan: claimPlan, headerLimitBytes: 1024 })).rejects.toThrow(InflateCorruptError);
    await expect(inflateBounded(chunks(gz.subarray(0, gz.length >> 1)), { format: 'gzip', plan: claimPlan, headerLimitBytes: 1024 })).rejects.toThrow(/ends early .*truncated/);
    const never: PlanFn = () => 'more';
    await expect(inflateBounded(chunks(gzipBomb(new Uint8Array(0), 64 << 20)), { format: 'gzip', plan: never, headerLimitBytes: 1 << 20 })).rejects.toThrow(/no readable header in the first 1\.0 MB/);
  });

  it('stops when cancelled', async () => {
    const bomb = gzipBomb(withClaim(2 ** 31, new Uint8Array(0)), 512 << 20);
    let n = 0;
    const stop = new Error('cancelled');
    await expect(inflateBounded(chunks(bomb, 4096), { format: 'gzip', plan: claimPlan, headerLimitBytes: 1024, cancelled: () => (++n > 3 ? stop : null) })).rejects.toBe(stop);
  });
});

describe('limits', () => {
  it('names values in words', () => {
    expect(fmtValue(1e9)).toBe('1e9');
    expect(fmtValue(1e-9)).toBe('1e-9');
    expect(fmtValue(NaN)).toBe('NaN');
    expect(fmtValue(0.7)).toBe('0.7');
    expect(fmtValue(1.5e30)).toBe('1.5e30');
  });
  it('spacing: invalid vs implausible vs fine', () => {
    expect(spacingProblem(1e9, 'pixel spacing')).toBe('implausible pixel spacing 1e9 mm (plausible: 0.05–20 mm)');
    expect(spacingProblem(1e-9, 'pixel spacing')).toMatch(/implausible pixel spacing 1e-9 mm/);
    expect(spacingProblem(NaN, 'pixel spacing')).toBe('invalid pixel spacing NaN mm');
    expect(spacingProblem(-1, 'pixel spacing')).toMatch(/invalid pixel spacing -1 mm \(must be positive\)/);
    expect(spacingProblem(0.05, 'pixel spacing')).toBeNull();
    expect(spacingProblem(20, 'pixel spacing')).toBeNull();
    expect(spacingProblem(0.488, 'pixel spacing')).toBeNull();
  });
  it('slice gaps up to 50 mm', () => {
    expect(sliceGapProblem(50)).toBeNull();
    expect(sliceGapProblem(1e6)).toBe('slices 1e6 mm apart (at most 50 mm between slices of a volume)');
  });
  it('rescale: finite, non-zero, values within ±1e5', () => {
    expect(rescaleProblem(1, -1024, 12, false)).toBeNull();
    expect(rescaleProblem(1, -1024, 16, false)).toBeNull();
    expect(rescaleProblem(1, 0, 32, true)).toBeNull(); // 32-bit data: the range is taken 16 bits wide
    expect(rescaleProblem(NaN, 0, 16, true)).toBe('invalid RescaleSlope NaN');
    expect(rescaleProblem(0, 0, 16, true)).toBe('invalid RescaleSlope 0');
    expect(rescaleProblem(1, Infinity, 16, true)).toBe('invalid RescaleIntercept Infinity');
    expect(rescaleProblem(1e30, 0, 16, true)).toMatch(/^implausible RescaleSlope 1e30 .* would become -3\.28e34…3\.28e34/);
  });
  it('one voxel limit; DEFLATE cannot exceed 1032:1', () => {
    expect(voxelLimitProblem([512, 512, 2048])).toBeNull();
    expect(MAX_VOXELS).toBe(512 * 512 * 2048);
    expect(voxelLimitProblem([1024, 1024, 1024])).toMatch(/claims 1\.07 billion voxels \(1024 × 1024 × 1024\); this app holds at most 537 million/);
    expect(voxelLimitProblem([0, 5, 5])).toMatch(/invalid dimensions/);
    expect(deflateRatioProblem(1e6, 1e9)).toBeNull();
    expect(deflateRatioProblem(1e6, 2.2e9)).toMatch(/claims 2\.2 GB of data, but 1\.0 MB of compressed data can hold at most 1\.0 GB/);
  });
});
