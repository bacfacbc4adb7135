/**
 * Autosave scheduling: a change is stored within one second even while edits keep coming, writes
 * never overlap, and storage failures (full quota, blocked storage) become a status in words.
 */
import { describe, expect, it, vi, afterEach } from 'vitest';
import { Autosaver, describeStorageError, type CaseStore, type SavedCaseRecord, type AutosaveStatus } from '../../src/app/autosave-core';

afterEach(() => { vi.useRealTimers(); });

function record(n: number): SavedCaseRecord {
  return { key: 'k', identityKey: 'k', savedAt: new Date(n).toISOString(), bytes: new Uint8Array([n & 255]), lesions: 1, needles: 0, patientName: '', description: '', appVersion: 't' };
}

function memoryStore(fail?: () => Error): CaseStore & { puts: number[]; active: number; maxActive: number } {
  const m = new Map<string, SavedCaseRecord>();
  const s = {
    puts: [] as number[], active: 0, maxActive: 0,
    async put(r: SavedCaseRecord) {
      s.active++; s.maxActive = Math.max(s.maxActive, s.active);
      await new Promise((res) => setTimeout(res, 30));
      s.active--;
      if (fail) throw fail();
      m.set(r.key, r); s.puts.push(Date.now());
    },
    get: async (k: string) => m.get(k),
    all: async () => [...m.values()],
    delete: async (k: string) => { m.delete(k); },
  };
  return s;
}

describe('autosave scheduling', () => {
  it('stores within 1 s of the first change while changes keep coming every 100 ms, and never writes twice at once', async () => {
    vi.useFakeTimers({ now: 0 });
    const st = memoryStore();
    let n = 0;
    const statuses: AutosaveStatus[] = [];
    const a = new Autosaver({ snapshot: async () => record(++n), store: async () => st, onStatus: (s) => statuses.push(s), now: () => Date.now() });
    for (let t = 0; t < 3000; t += 100) {
      a.changed();
      await vi.advanceTimersByTimeAsync(100);
    }
    await vi.advanceTimersByTimeAsync(2000);
    // the first write lands before 1 s, and every change of the 3 s burst is stored within 1 s
    expect(st.puts[0]!).toBeLessThan(1000);
    for (let i = 1; i < st.puts.length; i++) expect(st.puts[i]! - st.puts[i - 1]!).toBeLessThan(1000);
    expect(st.puts.at(-1)!).toBeGreaterThan(2900);
    expect(st.maxActive).toBe(1);
    expect(statuses.at(-1)!.state).toBe('saved');
    expect(statuses.at(-1)!.lastLatencyMs!).toBeLessThan(1000);
  });

  it('a single change waits for quiet (250 ms), then writes', async () => {
    vi.useFakeTimers({ now: 0 });
    const st = memoryStore();
    const a = new Autosaver({ snapshot: async () => record(1), store: async () => st, onStatus: () => undefined, now: () => Date.now() });
    a.changed();
    await vi.advanceTimersByTimeAsync(200);
    expect(st.puts).toEqual([]);
    await vi.advanceTimersByTimeAsync(200);
    expect(st.puts.length).toBe(1);
  });

  it('a flush during a running write returns only when the later change is stored too', async () => {
    const st = memoryStore();
    let n = 0;
    const a = new Autosaver({ snapshot: async () => record(++n), store: async () => st, onStatus: () => undefined });
    a.changed();
    const first = a.flush();
    await new Promise((r) => setTimeout(r, 5));
    a.changed(); // an edit while the first write runs
    await a.flush();
    expect(st.puts.length).toBe(2);
    await first;
    expect(st.maxActive).toBe(1);
  });

  it('reports a full quota and blocked storage in words (never silent)', async () => {
    const quota = Object.assign(new Error('The quota has been exceeded.'), { name: 'QuotaExceededError' });
    const statuses: AutosaveStatus[] = [];
    const a = new Autosaver({ snapshot: async () => record(1), store: async () => memoryStore(() => quota), onStatus: (s) => statuses.push(s) });
    a.changed();
    await a.flush();
    expect(statuses.at(-1)).toMatchObject({ state: 'failed', error: expect.stringMatching(/storage is full \(quota exceeded\)/) });
    const blocked = Object.assign(new Error('denied'), { name: 'SecurityError', autosaveUnavailable: true });
    const b = new Autosaver({ snapshot: async () => record(1), store: async () => { throw blocked; }, onStatus: (s) => statuses.push(s) });
    b.changed();
    await b.flush();
    expect(statuses.at(-1)).toMatchObject({ state: 'unavailable', error: expect.stringMatching(/does not allow storage here \(private window/) });
    expect(describeStorageError(new Error('disk on fire'))).toMatch(/storage failed \(Error: disk on fire\)/);
  });
});
