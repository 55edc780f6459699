/**
 * The app's real embedded database: SQLite through Node's built-in
 * `node:sqlite`, in CHAT_DB. Schema and seed data (rooms, a few colleagues and
 * their messages) are created on first open.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { config } from './config.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS users (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  name_key TEXT NOT NULL UNIQUE,          -- lower-cased name: one user per display name
  created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS rooms (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  topic TEXT NOT NULL,
  auto_join INTEGER NOT NULL DEFAULT 0,   -- new users join these rooms on sign-up
  position INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS memberships (
  room_id TEXT NOT NULL REFERENCES rooms(id),
  user_id TEXT NOT NULL REFERENCES users(id),
  joined_at INTEGER NOT NULL,
  last_read_id INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (room_id, user_id)
);
-- Chat lines: messages and joins. The id is the order everyone sees.
CREATE TABLE IF NOT EXISTS messages (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  key TEXT NOT NULL UNIQUE,               -- the sender's idempotency key
  room_id TEXT NOT NULL REFERENCES rooms(id),
  user_id TEXT NOT NULL REFERENCES users(id),
  kind TEXT NOT NULL CHECK (kind IN ('message', 'join')),
  text TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  published INTEGER NOT NULL DEFAULT 0,   -- 1 once the broker has accepted it
  seq INTEGER                             -- the broker's per-channel seq
);
CREATE INDEX IF NOT EXISTS messages_by_room ON messages (room_id, published, id);
-- From the broker's webhooks (server/webhooks.ts): when each user last left a room, and event ids already handled.
CREATE TABLE IF NOT EXISTS last_seen (user_id TEXT PRIMARY KEY, at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS webhook_events (id TEXT PRIMARY KEY, received_at INTEGER NOT NULL);
`;

const SEED_ROOMS: Array<[id: string, name: string, topic: string, autoJoin: number]> = [
  ['general', 'general', 'Company-wide announcements and everyday chatter', 1],
  ['random', 'random', 'Off-topic: links, lunch plans, pets', 1],
  ['design', 'design', 'Critique, mockups and the design system', 0],
  ['engineering', 'engineering', 'Builds, deploys and code review', 0],
];

const SEED_USERS: Array<[id: string, name: string]> = [
  ['u-maya', 'Maya Chen'],
  ['u-leo', 'Leo Park'],
];

const SEED_MESSAGES: Array<[room: string, user: string, text: string]> = [
  ['general', 'u-maya', 'Welcome to the team chat! Say hi and tell us what you are working on.'],
  ['general', 'u-leo', 'Standup moved to 10:15 tomorrow, same link.'],
  ['random', 'u-leo', 'Anyone up for ramen at 12:30?'],
  ['design', 'u-maya', 'New icon set is in Figma, feedback welcome.'],
  ['engineering', 'u-leo', 'Release train leaves Thursday. Merge by Wednesday EOD.'],
];

let db: DatabaseSync | null = null;

/** The open database (opened, migrated and seeded on first use). */
export function database(): DatabaseSync {
  if (db !== null) return db;
  mkdirSync(dirname(config.dbPath), { recursive: true });
  db = new DatabaseSync(config.dbPath);
  db.exec('PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;');
  db.exec(SCHEMA);
  const { n } = db.prepare('SELECT COUNT(*) AS n FROM rooms').get() as { n: number };
  if (n === 0) transaction(seed);
  return db;
}

/** Closes the database (tests). */
export function closeDatabase(): void {
  db?.close();
  db = null;
}

function seed(d: DatabaseSync): void {
  const now = Date.now();
  SEED_ROOMS.forEach(([id, name, topic, autoJoin], i) => {
    d.prepare('INSERT INTO rooms (id, name, topic, auto_join, position) VALUES (?, ?, ?, ?, ?)').run(id, name, topic, autoJoin, i);
  });
  for (const [id, name] of SEED_USERS) {
    d.prepare('INSERT INTO users (id, name, name_key, created_at) VALUES (?, ?, ?, ?)').run(id, name, name.toLowerCase(), now);
    for (const [room] of SEED_ROOMS) d.prepare('INSERT INTO memberships (room_id, user_id, joined_at) VALUES (?, ?, ?)').run(room, id, now);
  }
  SEED_MESSAGES.forEach(([room, user, text], i) => {
    d.prepare("INSERT INTO messages (key, room_id, user_id, kind, text, created_at, published) VALUES (?, ?, ?, 'message', ?, ?, 1)").run(
      `seed-${i}`,
      room,
      user,
      text,
      now - (SEED_MESSAGES.length - i) * 600_000,
    );
  });
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
