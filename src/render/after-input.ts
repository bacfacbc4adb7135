/**
 * Work the 2D views must not wait for (the 3D scene, the simulated fluoroscopy). A slice step, a
 * window change or a needle drag changes the store many times a second; each change used to make
 * the 3D view and the fluoroscopy redraw in the same frame, and on a machine without a GPU that
 * frame took seconds. Instead each panel hands its update to an AfterInput: a newer update replaces
 * a pending one (stale work is dropped, never queued), and it runs in its own task once the input
 * has been quiet for `quietMs`, after the 2D views have painted.
 */
export const QUIET_MS = 150;

/**
 * A 2D gesture in progress (a button held on a 2D view: a needle or landmark drag, a brush stroke,
 * window/level). Moves of a slow drag can be further apart than the quiet time, and a 3D frame on a
 * machine without a GPU then lands between two moves and delays the next one; so deferred work
 * also waits for the gesture's end and runs `quietMs` after it. Set by the 2D views' pointer
 * handlers (down → true; up, cancel or lost capture → false).
 */
let gestureActive = false;
export function setGestureActive(active: boolean): void {
  gestureActive = active;
}

export class AfterInput {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private pending: (() => void) | null = null;

  /** quietMs: a number, or a function read at each call (a panel that draws slowly waits longer). */
  constructor(private readonly quietMs: number | (() => number) = QUIET_MS) {}

  /** Runs `fn` once the input is quiet, instead of any update still waiting. */
  run(fn: () => void): void {
    this.pending = fn;
    this.schedule();
  }

  private schedule(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    const ms = typeof this.quietMs === 'number' ? this.quietMs : this.quietMs();
    this.timer = setTimeout(() => (gestureActive ? this.schedule() : this.flush()), ms);
  }

  /** Runs the waiting update now (e.g. the user works in the 3D view itself). */
  flush(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const fn = this.pending;
    this.pending = null;
    fn?.();
  }

  cancel(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.pending = null;
  }

  get waiting(): boolean {
    return this.pending !== null;
  }
}
