/**
 * The durable webhook queue: events are stored (SQLite) before anything is
 * sent, and leave the store only when a URL answered 2xx, or after the last
 * retry. The logic of WebhookObject, written against SqlStorage, a sender and
 * a clock so tests can drive time.
 *
 * - Every configured URL is a target with its own queue, retries and backoff;
 *   a dead URL never holds up another. A target sends one batch at a time, in
 *   event order: up to `maxBatch` events (or `maxBatchBytes`), once its first
 *   event has waited `batchDelayMs` or as soon as a full batch is waiting.
 * - A failed batch (non-2xx, network error, timeout) is retried after
 *   `backoffBaseMs × 2^(attempt-1)` (capped at `backoffMaxMs`) with the same
 *   event ids; after `maxAttempts` tries it is dropped and counted as expired.
 * - `channel_vacated` waits `vacateDelayMs` here; a `channel_occupied` for the
 *   same channel within that time cancels both (a reload does not flap).
 * - At most `maxQueued` events per target; past it new events are dropped and
 *   counted. Enqueueing never waits for a send.
 */
import type { WebhookEvent } from '@pushflodev/sdk/protocol';

export interface SendResult {
  ok: boolean;
  /** HTTP status, when there was an answer. */
  status?: number;
  /** Why it failed (`HTTP 503`, `timeout`, a network error). */
  error?: string;
}

/** POSTs one batch: `events` are the events' JSON texts, in order; `now` goes in the payload's `timeMs`. */
export type Sender = (url: string, events: readonly string[], now: number) => Promise<SendResult>;

export interface QueueOptions {
  urls: readonly string[];
  vacateDelayMs: number;
  maxQueued: number;
  batchDelayMs: number;
  maxBatch: number;
  maxBatchBytes: number;
  maxAttempts: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
}

export const QUEUE_DEFAULTS: Omit<QueueOptions, 'urls' | 'vacateDelayMs' | 'maxQueued'> = {
  batchDelayMs: 250,
  maxBatch: 100,
  maxBatchBytes: 1_000_000,
  maxAttempts: 12,
  backoffBaseMs: 1_000,
  backoffMaxMs: 300_000,
};

/** Counts since the last report (events, except `deliveries`/`failures`, which are POSTs). */
export interface WebhookCounts {
  /** Events a URL acknowledged. */
  delivered: number;
  /** POSTs answered 2xx. */
  deliveries: number;
  /** POSTs that failed (non-2xx, network error, timeout). */
  failures: number;
  /** Events dropped because a queue was full (or lost before reaching one). */
  dropped: number;
  /** Events dropped after the last retry. */
  expired: number;
  lastFailure?: { at: number; url: string; error: string };
}

export const noCounts = (): WebhookCounts => ({ delivered: 0, deliveries: 0, failures: 0, dropped: 0, expired: 0 });

/** The URL without query or credentials, for statistics. */
function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return '(invalid url)';
  }
}

export class WebhookQueue {
  /** Events waiting per URL. */
  private readonly waiting = new Map<string, number>();
  private readonly sending = new Set<string>();

  constructor(
    private readonly sql: SqlStorage,
    private readonly options: QueueOptions,
    private readonly send: Sender,
    private readonly clock: () => number,
    private readonly count: (delta: Partial<WebhookCounts>) => void,
  ) {
    sql.exec('CREATE TABLE IF NOT EXISTS webhook_targets (url TEXT PRIMARY KEY, attempts INTEGER NOT NULL, due INTEGER)');
    sql.exec('CREATE TABLE IF NOT EXISTS webhook_outbox (n INTEGER PRIMARY KEY AUTOINCREMENT, url TEXT NOT NULL, event TEXT NOT NULL)');
    sql.exec('CREATE INDEX IF NOT EXISTS webhook_outbox_by_url ON webhook_outbox (url, n)');
    sql.exec('CREATE TABLE IF NOT EXISTS webhook_vacating (channel TEXT PRIMARY KEY, event TEXT NOT NULL, due INTEGER NOT NULL)');
    // URLs no longer configured: their events have nowhere to go.
    const urls = JSON.stringify(options.urls);
    sql.exec('DELETE FROM webhook_outbox WHERE url NOT IN (SELECT value FROM json_each(?))', urls);
    sql.exec('DELETE FROM webhook_targets WHERE url NOT IN (SELECT value FROM json_each(?))', urls);
    for (const url of options.urls) sql.exec('INSERT OR IGNORE INTO webhook_targets (url, attempts, due) VALUES (?, 0, NULL)', url);
    for (const row of sql.exec<{ url: string; n: number }>('SELECT url, COUNT(*) AS n FROM webhook_outbox GROUP BY url'))
      this.waiting.set(row.url, row.n);
    // A batch that was in flight when the object stopped goes again now.
    const now = clock();
    for (const [url] of this.waiting) sql.exec('UPDATE webhook_targets SET due = ? WHERE url = ? AND due IS NULL', now, url);
  }

  /** Stores events (and `lost`: events dropped before reaching this queue, for the statistics). */
  enqueue(events: readonly WebhookEvent[], lost = 0): void {
    const now = this.clock();
    if (lost > 0) this.count({ dropped: lost });
    for (const event of events) {
      if (event.name === 'channel_vacated' && this.options.vacateDelayMs > 0) {
        this.sql.exec(
          'INSERT INTO webhook_vacating (channel, event, due) VALUES (?, ?, ?) ON CONFLICT(channel) DO UPDATE SET event = excluded.event, due = excluded.due',
          event.channel,
          JSON.stringify(event),
          event.timeMs + this.options.vacateDelayMs,
        );
        continue;
      }
      if (event.name === 'channel_occupied') {
        const cancelled = this.sql.exec('DELETE FROM webhook_vacating WHERE channel = ? RETURNING channel', event.channel).toArray();
        if (cancelled.length > 0) continue; // back within the delay: neither vacated nor occupied again
      }
      this.store(JSON.stringify(event), now);
    }
  }

  private store(event: string, now: number): void {
    let dropped = 0;
    for (const url of this.options.urls) {
      const waiting = this.waiting.get(url) ?? 0;
      if (waiting >= this.options.maxQueued) {
        dropped++;
        continue;
      }
      this.sql.exec('INSERT INTO webhook_outbox (url, event) VALUES (?, ?)', url, event);
      this.waiting.set(url, waiting + 1);
      if (this.sending.has(url)) continue; // the batch in flight reschedules when it is done
      const due = waiting + 1 >= this.options.maxBatch ? now : now + this.options.batchDelayMs;
      this.sql.exec('UPDATE webhook_targets SET due = ? WHERE url = ? AND attempts = 0 AND (due IS NULL OR due > ?)', due, url, due);
    }
    if (dropped > 0) this.count({ dropped });
  }

  /** Events waiting, over every URL. */
  size(): number {
    let n = 0;
    for (const w of this.waiting.values()) n += w;
    return n;
  }

  /** When `deliver` has something to do next (ms), or null. */
  nextWake(): number | null {
    const t = this.sql.exec<{ due: number | null }>('SELECT MIN(due) AS due FROM webhook_targets').one().due;
    const v = this.sql.exec<{ due: number | null }>('SELECT MIN(due) AS due FROM webhook_vacating').one().due;
    if (t === null) return v;
    return v === null ? t : Math.min(t, v);
  }

  /** Releases vacates that waited long enough and sends every batch that is due (in parallel across URLs). */
  async deliver(): Promise<void> {
    const now = this.clock();
    for (const row of this.sql.exec<{ event: string }>('DELETE FROM webhook_vacating WHERE due <= ? RETURNING event', now).toArray()) {
      this.store(row.event, now);
    }
    const due = this.sql
      .exec<{ url: string; attempts: number }>('SELECT url, attempts FROM webhook_targets WHERE due IS NOT NULL AND due <= ?', now)
      .toArray()
      .filter((t) => !this.sending.has(t.url));
    await Promise.all(due.map((t) => this.sendBatch(t.url, t.attempts)));
  }

  private async sendBatch(url: string, attempts: number): Promise<void> {
    const rows: Array<{ n: number; event: string }> = [];
    let bytes = 0;
    for (const row of this.sql.exec<{ n: number; event: string }>(
      'SELECT n, event FROM webhook_outbox WHERE url = ? ORDER BY n LIMIT ?',
      url,
      this.options.maxBatch,
    )) {
      if (rows.length > 0 && bytes + row.event.length > this.options.maxBatchBytes) break;
      rows.push(row);
      bytes += row.event.length;
    }
    // In flight: due stays empty until the answer decides the next time.
    this.sql.exec('UPDATE webhook_targets SET due = NULL WHERE url = ?', url);
    if (rows.length === 0) return;
    this.sending.add(url);
    let result: SendResult;
    try {
      result = await this.send(
        url,
        rows.map((r) => r.event),
        this.clock(),
      );
    } catch (err) {
      result = { ok: false, error: err instanceof Error ? err.message : 'send failed' };
    } finally {
      this.sending.delete(url);
    }
    const now = this.clock();
    const tried = attempts + 1;
    if (result.ok) {
      this.drop(url, rows);
      this.count({ delivered: rows.length, deliveries: 1 });
      this.reschedule(url, 0, now);
      return;
    }
    this.count({ failures: 1, lastFailure: { at: now, url: safeUrl(url), error: result.error ?? `HTTP ${result.status ?? '?'}` } });
    if (tried >= this.options.maxAttempts) {
      this.drop(url, rows);
      this.count({ expired: rows.length });
      this.reschedule(url, 0, now);
      return;
    }
    const backoff = Math.min(this.options.backoffMaxMs, this.options.backoffBaseMs * 2 ** (tried - 1));
    this.sql.exec('UPDATE webhook_targets SET attempts = ?, due = ? WHERE url = ?', tried, now + backoff, url);
  }

  private drop(url: string, rows: ReadonlyArray<{ n: number }>): void {
    this.sql.exec('DELETE FROM webhook_outbox WHERE url = ? AND n BETWEEN ? AND ?', url, rows[0]!.n, rows[rows.length - 1]!.n);
    this.waiting.set(url, Math.max(0, (this.waiting.get(url) ?? 0) - rows.length));
  }

  /** After a batch: whatever arrived meanwhile has waited already, so it goes now. */
  private reschedule(url: string, attempts: number, now: number): void {
    const more = (this.waiting.get(url) ?? 0) > 0;
    this.sql.exec('UPDATE webhook_targets SET attempts = ?, due = ? WHERE url = ?', attempts, more ? now : null, url);
  }
}
