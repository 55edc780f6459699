/**
 * The app's scheduled function. In production this is a cron trigger (a
 * Workers Cron Trigger or Vercel Cron calls the same `tick` once a minute,
 * and the function loops once a second inside it); here a Node timer runs it
 * every DASHBOARD_TICK_MS (1 s). Ticks never overlap: a slow tick makes the
 * next one wait. A failed tick (broker down) is skipped, never fatal.
 */
import { businessTick } from './business.ts';
import { BrokerCollector } from './collector.ts';
import { config } from './config.ts';

const broker = new BrokerCollector();

export async function tick(): Promise<void> {
  await Promise.allSettled([broker.tick(), businessTick(Date.now())]);
}

const started = Symbol.for('switchyard.dashboard.schedule');
type Global = typeof globalThis & { [started]?: true };

/** Starts the schedule once per process (the dev server may import this module more than once). */
export function startSchedule(): void {
  const g = globalThis as Global;
  if (g[started]) return;
  g[started] = true;
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    void tick().finally(() => (running = false));
  }, config.tickMs);
  timer.unref();
}
