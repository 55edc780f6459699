/**
 * Wiring reporters to the StatsObject: a sink per environment, and the
 * Worker's own reporter (one per isolate, flushed inside `waitUntil` so no
 * request waits for it).
 */
import type { Env } from '../env';
import { StatsReporter, type StatsSink } from './reporter';

/** The StatsObject's name: there is one. */
export const STATS_OBJECT = 'stats';

export function statsStub(env: Env) {
  return env.STATS.get(env.STATS.idFromName(STATS_OBJECT));
}

/** A sink that reports to the StatsObject (null when the binding is missing, e.g. in unit tests). */
export function statsSink(env: Env): StatsSink | null {
  if (env.STATS === undefined) return null;
  return (report) => statsStub(env).report(report);
}

let workerEnv: Env | null = null;
const workerReporter = new StatsReporter(
  () => 'worker',
  () => (workerEnv === null ? null : statsSink(workerEnv)),
);

/** Counts an error the Worker answers (HTTP error body or a refused socket's error frame). */
export function countWorkerError(c: { env: Env; readonly executionCtx: { waitUntil(p: Promise<unknown>): void } }, code: string): void {
  workerEnv = c.env;
  workerReporter.countError(code);
  let waitUntil: ((p: Promise<unknown>) => void) | null = null;
  try {
    const ec = c.executionCtx;
    waitUntil = (p) => ec.waitUntil(p);
  } catch {
    // No execution context (direct app.fetch in a test): the timer alone flushes.
  }
  workerReporter.schedule((flush, ms) => {
    const done = new Promise<void>((resolve) => setTimeout(resolve, ms)).then(flush);
    waitUntil?.(done);
  }, Date.now());
}
