import { LoadCancelledError } from '../types';

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new LoadCancelledError();
}

/**
 * Run task(0..count-1) with at most `concurrency` in flight. Rejects with LoadCancelledError as soon
 * as the signal aborts (in-flight reads finish in the background and are discarded), or with the
 * first task error (no new tasks start after it).
 */
export function runPool(count: number, concurrency: number, signal: AbortSignal | undefined, task: (i: number) => Promise<void>): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(new LoadCancelledError());
      return;
    }
    let next = 0, running = 0, finished = false;
    const onAbort = (): void => finish(new LoadCancelledError());
    signal?.addEventListener('abort', onAbort, { once: true });
    function finish(error?: unknown): void {
      if (finished) return;
      finished = true;
      signal?.removeEventListener('abort', onAbort);
      if (error !== undefined) reject(error);
      else resolve();
    }
    function pump(): void {
      if (finished) return;
      if (next >= count && running === 0) {
        finish();
        return;
      }
      while (!finished && running < concurrency && next < count) {
        const i = next++;
        running++;
        task(i).then(
          () => {
            running--;
            pump();
          },
          (e: unknown) => {
            running--;
            finish(e);
          },
        );
      }
    }
    pump();
  });
}
