/**
 * Wiring reporters to the StatsObject: a sink per environment, and the
 * Worker's own reporter (one per isolate, flushed inside `waitUntil` so no
 * request waits for it).
 */
import type { Env } from '../env';
import { StatsReporter, type StatsSink } from './reporter';
import { stub } from '../stub';

/** The StatsObject's name: there is one. */
export const STATS_OBJECT = 'stats';

export function statsStub(env: Env) {
  return stub(env.STATS, STATS_OBJECT);
}

/** A sink that reports to the StatsObject (null when the binding is missing, e.g. in unit tests). */
export function statsSink(env: Env): StatsSink | null {
  if (env.STATS === undefined) return null;
  return (report) => statsStub(env).report(report);
}

/** The Worker's reporters, one per environment object (never a module-global env). */
const workerReporters = new WeakMap<Env, StatsReporter>();

/** Counts an error the Worker answers (HTTP error body or a refused socket's error frame). */
export function countWorkerError(c: { env: Env; readonly executionCtx: { waitUntil(p: Promise<unknown>): void } }, code: string): void {
  const env = c.env;
  let reporter = workerReporters.get(env);
  if (reporter === undefined) {
    reporter = new StatsReporter(
      () => 'worker',
      () => statsSink(env),
    );
    workerReporters.set(env, reporter);
  }
  reporter.countError(code);
  let waitUntil: ((p: Promise<unknown>) => void) | null = null;
  try {
    const ec = c.executionCtx;
    waitUntil = (p) => ec.waitUntil(p);
  } catch {
    // No execution context (direct app.fetch in a test): the timer alone flushes.
  }
  reporter.schedule((flush, ms) => {
    const done = new Promise<void>((resolve) => setTimeout(resolve, ms)).then(flush);
    waitUntil?.(done);
  }, Date.now());
}
