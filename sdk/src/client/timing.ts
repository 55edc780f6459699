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
