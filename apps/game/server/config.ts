/**
 * Settings from the environment, with dev defaults (see README.md and
 * .env.example). The same in the monorepo and in a standalone starter copy.
 */
import { fileURLToPath } from 'node:url';

const seconds = Number(process.env.GAME_MATCH_SECONDS ?? 90);

export const config = {
  port: Number(process.env.PORT ?? 3004),
  /** The broker, as this server and the browsers reach it. */
  pushfloBaseUrl: (process.env.PUSHFLO_BASE_URL ?? 'http://127.0.0.1:8787').replace(/\/+$/, ''),
  pushfloSecretKey: process.env.PUSHFLO_SECRET_KEY ?? 'sec_local_dev',
  /** Verifies the broker's webhooks (the broker's WEBHOOK_SECRET). */
  webhookSecret: process.env.WEBHOOK_SECRET ?? 'whsec_local_dev',
  /** The SQLite file; default `.data/game.db` in the app's folder. */
  dbPath: process.env.GAME_DB ?? fileURLToPath(new URL('../.data/game.db', import.meta.url)),
  /** How long a match lasts (default 90 s). */
  matchDurationMs: (Number.isFinite(seconds) && seconds > 0 ? seconds : 90) * 1000,
};
