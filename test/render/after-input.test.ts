import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AfterInput, setGestureActive } from '../../src/render/after-input';

describe('AfterInput', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => {
    setGestureActive(false);
    vi.useRealTimers();
  });

  it('runs only the newest update, once the input has been quiet', () => {
    const later = new AfterInput(100);
    const ran: number[] = [];
    later.run(() => ran.push(1));
    vi.advanceTimersByTime(60);
    later.run(() => ran.push(2));
    vi.advanceTimersByTime(99);
    expect(ran).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(ran).toEqual([2]);
  });

  it('waits while a 2D gesture is held, however far apart its moves are, and runs after its end', () => {
    const later = new AfterInput(100);
    const ran: number[] = [];
    setGestureActive(true);
    for (let move = 0; move < 5; move++) {
      later.run(() => ran.push(move));
      vi.advanceTimersByTime(400); // moves 400 ms apart: longer than the quiet time
    }
    expect(ran).toEqual([]);
    setGestureActive(false);
    vi.advanceTimersByTime(100);
    expect(ran).toEqual([4]);
    expect(later.waiting).toBe(false);
  });

  it('flush runs at once even during a gesture (the user works in that panel)', () => {
    const later = new AfterInput(100);
    const ran: number[] = [];
    setGestureActive(true);
    later.run(() => ran.push(1));
    later.flush();
    expect(ran).toEqual([1]);
  });
});
