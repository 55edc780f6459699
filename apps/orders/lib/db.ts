/**
 * The app's real embedded database: SQLite through Node's built-in
 * `node:sqlite`, in ORDERS_DB (default `.data/orders.db` in the app's folder).
 * Schema and seed data are created on first open.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { config } from './config';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS users (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS orders (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id),
  item TEXT NOT NULL,
  total_cents INTEGER NOT NULL CHECK (total_cents >= 0),
  status TEXT NOT NULL,
  resume_at TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS order_events (
  id TEXT PRIMARY KEY,
  order_id TEXT NOT NULL REFERENCES orders(id),
  status TEXT NOT NULL,
  note TEXT,
  at INTEGER NOT NULL
);
-- Notifications to publish; a row stays until the broker has accepted it.
CREATE TABLE IF NOT EXISTS outbox (
  event_id TEXT PRIMARY KEY REFERENCES order_events(id),
  channel TEXT NOT NULL,
  event_type TEXT NOT NULL,
  content TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS orders_by_user ON orders (user_id, created_at);
CREATE INDEX IF NOT EXISTS events_by_order ON order_events (order_id, at);
`;

const SEED_USERS: Array<[string, string]> = [
  ['1', 'Ana Souza'],
  ['2', 'Ben Okafor'],
  ['3', 'Chloé Martin'],
];

const SEED_ORDERS: Array<[string, string, string, number, string]> = [
  ['ord_1001', '1', 'Trail running shoes', 12900, 'shipped'],
  ['ord_1002', '1', 'Merino socks (3 pack)', 2400, 'placed'],
  ['ord_1003', '2', 'Espresso grinder', 18900, 'confirmed'],
  ['ord_1004', '3', 'Linen shirt', 5900, 'delivered'],
];

let db: DatabaseSync | null = null;

export function database(): DatabaseSync {
  if (db !== null) return db;
  const path = config.dbPath;
  mkdirSync(dirname(path), { recursive: true });
  db = new DatabaseSync(path);
  db.exec('PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;');
  db.exec(SCHEMA);
  const { n } = db.prepare('SELECT COUNT(*) AS n FROM users').get() as { n: number };
  if (n === 0) seed(db);
  return db;
}

function seed(d: DatabaseSync): void {
  const now = Date.now();
  d.exec('BEGIN');
  for (const [id, name] of SEED_USERS) d.prepare('INSERT INTO users (id, name) VALUES (?, ?)').run(id, name);
  const path = ['placed', 'confirmed', 'shipped', 'out_for_delivery', 'delivered'];
  for (const [id, user, item, cents, status] of SEED_ORDERS) {
    const t = now - 86_400_000;
    d.prepare('INSERT INTO orders (id, user_id, item, total_cents, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
      id,
      user,
      item,
      cents,
      status,
      t,
      t,
    );
    const steps = path.slice(0, path.indexOf(status) + 1);
    steps.forEach((s, i) => {
      d.prepare('INSERT INTO order_events (id, order_id, status, at) VALUES (?, ?, ?, ?)').run(`evt_${id}_${i}`, id, s, t + i * 3_600_000);
    });
  }
  d.exec('COMMIT');
}

/** Runs `fn` in one transaction. */
export function transaction<T>(fn: (d: DatabaseSync) => T): T {
  const d = database();
  d.exec('BEGIN IMMEDIATE');
  try {
    const result = fn(d);
    d.exec('COMMIT');
    return result;
  } catch (err) {
    d.exec('ROLLBACK');
    throw err;
  }
}
