import type { Clock } from '../types.js';

/** The real clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** Reconnect backoff multiplier. */
export const BACKOFF_MULTIPLIER = 1.5;
/** Jitter, as a fraction of the delay (±). */
export const BACKOFF_JITTER = 0.25;

/**
 * Delay before reconnect attempt `attempt` (0-based): `initial × 1.5^attempt`,
 * ±25 % jitter, never above `max`.
 */
export function backoffDelay(attempt: number, initial: number, max: number, random: () => number): number {
  const base = Math.min(max, initial * BACKOFF_MULTIPLIER ** attempt);
  const jittered = base * (1 + BACKOFF_JITTER * (random() * 2 - 1));
  return Math.round(Math.min(max, Math.max(0, jittered)));
}

/**
 * One pending timeout on a `Clock`, typed: `start` replaces the pending one,
 * `clear` cancels it. The connection keeps each of its timers in the state it
 * belongs to, so leaving the state clears them.
 */
export class Timer {
  private handle: unknown = null;
  private armed = false;

  constructor(private readonly clock: Clock) {}

  /** Whether the callback is still to run. */
  get pending(): boolean {
    return this.armed;
  }

  /** Runs `fn` once after `ms` (cancelling whatever was pending). */
  start(ms: number, fn: () => void): void {
    this.clear();
    this.armed = true;
    this.handle = this.clock.setTimeout(() => {
      this.armed = false;
      this.handle = null;
      fn();
    }, ms);
  }

  /** Cancels the pending callback, if any. */
  clear(): void {
    if (!this.armed) return;
    this.clock.clearTimeout(this.handle);
    this.armed = false;
    this.handle = null;
  }
}
