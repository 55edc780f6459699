/**
 * The game's real embedded database: SQLite through Node's built-in
 * `node:sqlite`, in GAME_DB (default `.data/game.db` in the app's folder).
 * Schema and a seed match are created on first open.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { config } from './config.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS matches (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  duration_ms INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  started_at INTEGER,
  ends_at INTEGER,
  -- Set once, by the one request that ends the match (the game-ended guard).
  ended_at INTEGER,
  result TEXT,
  -- The last seq this app's publishes got on the match channel (stamps snapshots).
  last_seq INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS players (
  id TEXT PRIMARY KEY,
  match_id TEXT NOT NULL REFERENCES matches(id),
  name TEXT NOT NULL,
  color TEXT NOT NULL,
  key_hash TEXT NOT NULL UNIQUE,
  score INTEGER NOT NULL DEFAULT 0 CHECK (score >= 0),
  -- Last position the server knows (claims and heartbeats), and when.
  x REAL NOT NULL,
  y REAL NOT NULL,
  pos_at INTEGER NOT NULL,
  joined_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS coins (
  id TEXT PRIMARY KEY,
  match_id TEXT NOT NULL REFERENCES matches(id),
  x REAL NOT NULL,
  y REAL NOT NULL,
  spawned_at INTEGER NOT NULL,
  -- NULL while on the field; the first valid claim sets it (UPDATE … WHERE claimed_by IS NULL).
  claimed_by TEXT REFERENCES players(id),
  claimed_at INTEGER
);
CREATE INDEX IF NOT EXISTS players_by_match ON players (match_id, joined_at);
CREATE INDEX IF NOT EXISTS live_coins ON coins (match_id, claimed_by);
-- Broker webhook event ids already handled (delivery is at least once; server/webhooks.ts).
CREATE TABLE IF NOT EXISTS webhook_events (id TEXT PRIMARY KEY, received_at INTEGER NOT NULL);
`;

let db: DatabaseSync | null = null;

export function database(): DatabaseSync {
  if (db !== null) return db;
  const path = resolve(config.dbPath);
  mkdirSync(dirname(path), { recursive: true });
  db = new DatabaseSync(path);
  db.exec('PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;');
  db.exec(SCHEMA);
  const { n } = db.prepare('SELECT COUNT(*) AS n FROM matches').get() as { n: number };
  if (n === 0) {
    // A fresh id per database: a broker that outlived an old database must not replay its history into this match.
    db.prepare('INSERT INTO matches (id, name, duration_ms, created_at) VALUES (?, ?, ?, ?)').run(
      randomUUID().slice(0, 8),
      'Coin Rush',
      matchDurationMs(),
      Date.now(),
    );
  }
  return db;
}

/** Runs `fn` in one transaction: all of it or none of it. */
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

/** How long a match lasts: GAME_MATCH_SECONDS (default 90). */
export function matchDurationMs(): number {
  return config.matchDurationMs;
}
