/**
 * A channel's history in its Durable Object's SQLite: the single source of
 * order. `append` assigns the next `seq` and stores the message in one
 * synchronous transaction, so a message is durable before anyone sees it.
 */
import type { HistoryMessage } from '@pushflodev/sdk/protocol';

export interface StoredMessage {
  seq: number;
  id: string;
  eventType: string;
  clientId: string;
  /** Content as JSON text, exactly as published. */
  data: string;
  timestamp: number;
  /** Published by a client over its socket. */
  clientEvent?: boolean;
}

export interface Retention {
  ttlMs: number;
  maxMessages: number;
}

export interface HistoryQuery {
  page: number;
  pageSize: number;
  eventType?: string;
  after?: number;
  before?: number;
  /** 'asc' (publish order, default) or 'desc' (newest first). */
  order: 'asc' | 'desc';
}

type Row = Record<string, SqlStorageValue>;

export class ChannelStore {
  private headSeq: number;
  private epochId: string;
  private sinceTrim = 0;

  constructor(
    private readonly sql: SqlStorage,
    private readonly retention: Retention,
    private readonly now: () => number = Date.now,
  ) {
    sql.exec(`CREATE TABLE IF NOT EXISTS messages (
      seq INTEGER PRIMARY KEY,
      id TEXT NOT NULL,
      event_type TEXT NOT NULL,
      client_id TEXT NOT NULL,
      data TEXT NOT NULL,
      ts INTEGER NOT NULL
    )`);
    if (
      !sql
        .exec<{ name: string }>('PRAGMA table_info(messages)')
        .toArray()
        .some((c) => c.name === 'client_event')
    ) {
      sql.exec('ALTER TABLE messages ADD COLUMN client_event INTEGER NOT NULL DEFAULT 0');
    }
    sql.exec('CREATE INDEX IF NOT EXISTS messages_by_ts ON messages (ts)');
    sql.exec('CREATE INDEX IF NOT EXISTS messages_by_event ON messages (event_type, seq)');
    sql.exec('CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
    this.headSeq = Number(this.getMeta('head') ?? 0);
    this.epochId = this.getMeta('epoch') ?? this.newEpoch();
  }

  get head(): number {
    return this.headSeq;
  }
  get epoch(): string {
    return this.epochId;
  }

  getMeta(key: string): string | null {
    const rows = this.sql.exec<{ value: string }>('SELECT value FROM meta WHERE key = ?', key).toArray();
    return rows.length > 0 ? rows[0]!.value : null;
  }
  setMeta(key: string, value: string): void {
    this.sql.exec('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value', key, value);
  }

  private newEpoch(): string {
    const epoch = crypto.randomUUID().slice(0, 8);
    this.setMeta('epoch', epoch);
    return epoch;
  }

  /** Stores a message and returns it with its seq. */
  append(message: Omit<StoredMessage, 'seq'>): StoredMessage {
    const seq = this.headSeq + 1;
    this.sql.exec(
      'INSERT INTO messages (seq, id, event_type, client_id, data, ts, client_event) VALUES (?, ?, ?, ?, ?, ?, ?)',
      seq,
      message.id,
      message.eventType,
      message.clientId,
      message.data,
      message.timestamp,
      message.clientEvent ? 1 : 0,
    );
    this.setMeta('head', String(seq));
    this.headSeq = seq;
    if (++this.sinceTrim >= 64) this.trim();
    return { seq, ...message };
  }

  /** Oldest seq still within retention (head + 1 when nothing is retained). */
  oldestRetained(): number {
    const floor = Math.max(this.headSeq - this.retention.maxMessages + 1, 1);
    const row = this.sql
      .exec<{ seq: number | null }>('SELECT MIN(seq) AS seq FROM messages WHERE seq >= ? AND ts >= ?', floor, this.cutoff())
      .one();
    return row.seq ?? this.headSeq + 1;
  }

  /** Timestamp of the oldest stored message, or null when there is none. */
  oldestTimestamp(): number | null {
    return this.sql.exec<{ ts: number | null }>('SELECT MIN(ts) AS ts FROM messages').one().ts;
  }

  /** Messages with seq > after, oldest first, at most `limit`. */
  since(after: number, limit: number): StoredMessage[] {
    return this.sql.exec<Row>('SELECT * FROM messages WHERE seq > ? ORDER BY seq LIMIT ?', after, limit).toArray().map(toStored);
  }

  /** One page of retained history plus the total that matches the filters. */
  page(query: HistoryQuery): { items: StoredMessage[]; total: number } {
    const where = ['seq >= ?', 'ts >= ?'];
    const args: SqlStorageValue[] = [Math.max(this.headSeq - this.retention.maxMessages + 1, 1), this.cutoff()];
    if (query.eventType !== undefined) {
      where.push('event_type = ?');
      args.push(query.eventType);
    }
    if (query.after !== undefined) {
      where.push('ts > ?');
      args.push(query.after);
    }
    if (query.before !== undefined) {
      where.push('ts < ?');
      args.push(query.before);
    }
    const clause = where.join(' AND ');
    const total = this.sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM messages WHERE ${clause}`, ...args).one().n;
    const items = this.sql
      .exec<Row>(
        `SELECT * FROM messages WHERE ${clause} ORDER BY seq ${query.order === 'desc' ? 'DESC' : 'ASC'} LIMIT ? OFFSET ?`,
        ...args,
        query.pageSize,
        (query.page - 1) * query.pageSize,
      )
      .toArray()
      .map(toStored);
    return { items, total };
  }

  /** Number of retained messages. */
  count(): number {
    return this.page({ page: 1, pageSize: 1, order: 'asc' }).total;
  }

  /** Deletes what retention no longer covers. */
  trim(): void {
    this.sinceTrim = 0;
    this.sql.exec('DELETE FROM messages WHERE ts < ? OR seq <= ?', this.cutoff(), this.headSeq - this.retention.maxMessages);
  }

  /** Forgets all history and starts a new epoch, so old seqs can't be resumed. */
  reset(): void {
    this.sql.exec('DELETE FROM messages');
    this.headSeq = 0;
    this.setMeta('head', '0');
    this.epochId = this.newEpoch();
  }

  private cutoff(): number {
    return this.now() - this.retention.ttlMs;
  }
}

function toStored(row: Row): StoredMessage {
  return {
    seq: row.seq as number,
    id: row.id as string,
    eventType: row.event_type as string,
    clientId: row.client_id as string,
    data: row.data as string,
    timestamp: row.ts as number,
    ...(row.client_event === 1 ? { clientEvent: true } : {}),
  };
}

export function toHistoryMessage(channel: string, m: StoredMessage): HistoryMessage {
  return {
    id: m.id,
    channel,
    eventType: m.eventType,
    clientId: m.clientId,
    content: JSON.parse(m.data) as Record<string, unknown>,
    timestamp: m.timestamp,
    seq: m.seq,
    ...(m.clientEvent ? { clientEvent: true as const } : {}),
  };
}
