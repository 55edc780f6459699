/**
 * Settings from the environment, with dev defaults (see README.md and
 * .env.example). The same in the monorepo and in a standalone starter copy.
 */
import { fileURLToPath } from 'node:url';

export const config = {
  port: Number(process.env.PORT ?? 3003),
  /** The broker, as this server and the browsers reach it. */
  pushfloBaseUrl: (process.env.PUSHFLO_BASE_URL ?? 'http://127.0.0.1:8787').replace(/\/+$/, ''),
  pushfloPublishKey: process.env.PUSHFLO_PUBLISH_KEY ?? 'pub_local_dev',
  pushfloSecretKey: process.env.PUSHFLO_SECRET_KEY ?? 'sec_local_dev',
  /** Verifies the broker's webhooks (the broker's WEBHOOK_SECRET). */
  webhookSecret: process.env.WEBHOOK_SECRET ?? 'whsec_local_dev',
  /** The SQLite file; default `.data/chat.db` in the app's folder. */
  dbPath: process.env.CHAT_DB ?? fileURLToPath(new URL('../.data/chat.db', import.meta.url)),
};
