/**
 * Settings from the environment, with dev defaults (see README.md and
 * .env.example). The same in the monorepo and in a standalone starter copy.
 * Server-side only (route handlers and server components).
 */
import { resolve } from 'node:path';

/** The broker, as this server reaches it. */
const pushfloBaseUrl = (process.env.PUSHFLO_BASE_URL ?? process.env.NEXT_PUBLIC_PUSHFLO_BASE_URL ?? 'http://127.0.0.1:8787').replace(
  /\/+$/,
  '',
);

export const config = {
  pushfloBaseUrl,
  /** The broker as browsers reach it, when that differs from the server's address. */
  browserBaseUrl: (process.env.NEXT_PUBLIC_PUSHFLO_BASE_URL ?? pushfloBaseUrl).replace(/\/+$/, ''),
  pushfloSecretKey: process.env.PUSHFLO_SECRET_KEY ?? 'sec_local_dev',
  /** The SQLite file; default `.data/orders.db` in the app's folder (where `next` runs). */
  dbPath: resolve(/*turbopackIgnore: true*/ process.env.ORDERS_DB ?? `${process.cwd()}/.data/orders.db`),
};
