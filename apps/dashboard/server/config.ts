/**
 * Settings from the environment, with dev defaults (see README.md and
 * .env.example). The same in the monorepo and in a standalone starter copy.
 */
import { fileURLToPath } from 'node:url';

/** Default database: `.data/dashboard.db` in the app's folder. */
const APP_DATA = fileURLToPath(new URL('../.data/dashboard.db', import.meta.url));

function int(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  const n = raw === undefined || raw === '' ? fallback : Number(raw);
  return Number.isFinite(n) ? Math.min(max, Math.max(min, Math.floor(n))) : fallback;
}

export const config = {
  port: int('PORT', 3002, 1, 65_535),
  baseUrl: (process.env.PUSHFLO_BASE_URL ?? 'http://127.0.0.1:8787').replace(/\/+$/, ''),
  publishKey: process.env.PUSHFLO_PUBLISH_KEY ?? 'pub_local_dev',
  secretKey: process.env.PUSHFLO_SECRET_KEY ?? 'sec_local_dev',
  dbPath: process.env.DASHBOARD_DB ?? APP_DATA,
  /** How often the schedule reads the broker and publishes (ms). */
  tickMs: int('DASHBOARD_TICK_MS', 1_000, 100, 60_000),
  /** Points each chart holds (and backfills). */
  windowPoints: int('DASHBOARD_WINDOW_POINTS', 120, 10, 600),
};
