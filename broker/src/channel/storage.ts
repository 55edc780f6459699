/**
 * What a `Channel` keeps durably, as interfaces (so the logic runs on any
 * store), and the SQLite implementation the ChannelObject uses: history
 * (store.ts), presence (presence.ts), subscriber counts per shard and
 * idempotency keys (here). Every write is synchronous: in a Durable Object the
 * output gate holds the answer until it is durable.
 */
import type { PresenceMember, PublishResult } from '@pushflodev/sdk/protocol';
import type { Connection } from '../rpc';
import { ChannelStore, type HistoryQuery, type Retention, type StoredMessage } from './store';
import { Presence } from './presence';

/** The channel's ordered history (ChannelStore). */
export interface HistoryStore {
  readonly head: number;
  readonly epoch: string;
  append(message: Omit<StoredMessage, 'seq'>): StoredMessage;
  /** Oldest seq still within retention (head + 1 when nothing is retained). */
  oldestRetained(): number;
  oldestTimestamp(): number | null;
  since(after: number, limit: number): StoredMessage[];
  page(query: HistoryQuery): { items: StoredMessage[]; total: number };
  count(): number;
  trim(): void;
  reset(): void;
  getMeta(key: string): string | null;
  setMeta(key: string, value: string): void;
}

/** Who is here (Presence). */
export interface PresenceStore {
  join(shard: string, c: Connection, now: number): PresenceMember | null;
  leave(connectionIds: Iterable<string>): PresenceMember[];
  leaveShard(shard: string): PresenceMember[];
  members(): PresenceMember[];
}

/** Subscriber count per shard. */
export interface ShardCounts {
  all(): Array<[shard: string, count: number]>;
  /** 0 (or less) forgets the shard. */
  set(shard: string, count: number): void;
}

/** Remembered publish results by `Idempotency-Key`. */
export interface IdempotencyStore {
  get(key: string): { result: PublishResult; at: number } | null;
  put(key: string, result: PublishResult, at: number): void;
  /** Forgets keys remembered before `at`. */
  expire(before: number): void;
  /** When the oldest remembered key was stored, or null. */
  oldest(): number | null;
}

export interface ChannelStorage {
  history: HistoryStore;
  presence: PresenceStore;
  shards: ShardCounts;
  idempotency: IdempotencyStore;
}

/** The ChannelObject's storage: all of it in the object's SQLite. */
export function sqlChannelStorage(sql: SqlStorage, retention: Retention, now: () => number = Date.now): ChannelStorage {
  sql.exec('CREATE TABLE IF NOT EXISTS shards (name TEXT PRIMARY KEY, subscribers INTEGER NOT NULL)');
  sql.exec('CREATE TABLE IF NOT EXISTS idempotency (key TEXT PRIMARY KEY, result TEXT NOT NULL, at INTEGER NOT NULL)');
  return {
    history: new ChannelStore(sql, retention, now),
    presence: new Presence(sql),
    shards: {
      all: () =>
        sql
          .exec<{ name: string; subscribers: number }>('SELECT name, subscribers FROM shards')
          .toArray()
          .map((r) => [r.name, r.subscribers]),
      set: (shard, count) => {
        if (count <= 0) sql.exec('DELETE FROM shards WHERE name = ?', shard);
        else
          sql.exec(
            'INSERT INTO shards (name, subscribers) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET subscribers = excluded.subscribers',
            shard,
            count,
          );
      },
    },
    idempotency: {
      get: (key) => {
        const row = sql.exec<{ result: string; at: number }>('SELECT result, at FROM idempotency WHERE key = ?', key).toArray()[0];
        return row === undefined ? null : { result: JSON.parse(row.result) as PublishResult, at: row.at };
      },
      put: (key, result, at) => {
        sql.exec(
          'INSERT INTO idempotency (key, result, at) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET result = excluded.result, at = excluded.at',
          key,
          JSON.stringify(result),
          at,
        );
      },
      expire: (before) => void sql.exec('DELETE FROM idempotency WHERE at < ?', before),
      oldest: () => sql.exec<{ at: number | null }>('SELECT MIN(at) AS at FROM idempotency').one().at,
    },
  };
}
