/**
 * What every part of the broker reports to the StatsObject, and the
 * accumulator that batches it. Recording is a few map increments; the batch
 * goes out in one fire-and-forget call at most once per `intervalMs` per
 * reporter (never one call per message, never awaited by a publish or a
 * delivery). A failed report is dropped: statistics are best effort.
 */
import { bucketOf, emptyHistogram } from './histogram';
import { noCounts, type WebhookCounts } from '../webhooks/queue';

/** Most channels named in one report; the rest are summed under `OTHER_CHANNELS`. */
export const MAX_CHANNELS_PER_REPORT = 100;
export const OTHER_CHANNELS = '(other)';

/** One reporter's counts since its last report. */
export interface StatsReport {
  /** Who reports (a shard name, `channel`, `worker`): gauges are kept per source. */
  source: string;
  /** When the batch was sent, ms since the epoch. */
  at: number;
  published: number;
  delivered: number;
  /** Sockets opened and closed. */
  opened: number;
  closed: number;
  /** Error responses and error frames, by code. */
  errors: Record<string, number>;
  /** Messages per channel: published (by channel objects) or delivered (by shards). */
  channels: Record<string, { published: number; delivered: number }>;
  /** Publish accepted → frame sent, per message per shard (see histogram.ts). */
  latency: number[];
  /** Current sockets and subscriptions on a shard (absent for other sources). */
  gauge?: { sockets: number; subscriptions: number };
  /** Webhook queue objects only: their counts, and events waiting now. */
  webhooks?: WebhookCounts & { pending: number };
}

/** Where a batch goes (the StatsObject's `report`). */
export type StatsSink = (report: StatsReport) => Promise<void>;
/** Runs `flush` after `ms` (a timer in a Durable Object; `waitUntil` around a timer in the Worker). */
export type Scheduler = (flush: () => Promise<void>, ms: number) => void;

export class StatsReporter {
  private published = 0;
  private delivered = 0;
  private opened = 0;
  private closed = 0;
  private errors: Record<string, number> = {};
  private channels = new Map<string, { published: number; delivered: number }>();
  private latency: number[] | null = null;
  private scheduled = false;
  private lastSent = 0;
  /** Reads the current gauge at send time (shards only). */
  gauge: (() => { sockets: number; subscriptions: number }) | null = null;
  /** Webhook queues: events waiting, read at send time (non-null makes the report carry `webhooks`). */
  webhookPending: (() => number) | null = null;
  private webhooks = noCounts();

  constructor(
    private readonly source: () => string,
    private readonly sink: () => StatsSink | null,
    private readonly intervalMs = 1_000,
    /** When given, every count schedules the report itself (no `schedule` call after each count). */
    private readonly scheduler: Scheduler | null = null,
  ) {}

  /** Schedules the report when the reporter has its own scheduler. */
  private recorded(): void {
    if (this.scheduler !== null) this.schedule(this.scheduler, Date.now());
  }

  countPublished(channel: string, n = 1): void {
    this.published += n;
    this.channel(channel).published += n;
    this.recorded();
  }

  /** `n` frames sent for `channel`; `acceptedAt`: when each message was accepted (one latency sample per message). */
  countDelivered(channel: string, n: number, acceptedAt: readonly number[], now: number): void {
    this.delivered += n;
    this.channel(channel).delivered += n;
    if (acceptedAt.length > 0) {
      this.latency ??= emptyHistogram();
      const h = this.latency;
      for (const at of acceptedAt) h[bucketOf(Math.max(0, now - at))]! += 1;
    }
    this.recorded();
  }

  countError(code: string): void {
    this.errors[code] = (this.errors[code] ?? 0) + 1;
    this.recorded();
  }

  countWebhooks(delta: Partial<WebhookCounts>): void {
    const w = this.webhooks;
    w.delivered += delta.delivered ?? 0;
    w.deliveries += delta.deliveries ?? 0;
    w.failures += delta.failures ?? 0;
    w.dropped += delta.dropped ?? 0;
    w.expired += delta.expired ?? 0;
    if (delta.lastFailure !== undefined) w.lastFailure = delta.lastFailure;
    this.recorded();
  }

  countSocket(opened: number, closed: number): void {
    this.opened += opened;
    this.closed += closed;
    this.recorded();
  }

  /** Refreshes gauges: a report goes out even when nothing was counted. */
  touch(): void {
    this.recorded();
  }

  /** Makes sure a report goes out within `intervalMs` (done by every count when the reporter has a scheduler). */
  schedule(scheduler: Scheduler, now: number): void {
    if (this.scheduled) return;
    this.scheduled = true;
    const wait = Math.max(0, Math.min(this.intervalMs, this.lastSent + this.intervalMs - now));
    scheduler(() => this.flush(), wait);
  }

  private channel(name: string): { published: number; delivered: number } {
    let c = this.channels.get(name);
    if (c === undefined) {
      c = { published: 0, delivered: 0 };
      this.channels.set(name, c);
    }
    return c;
  }

  /** Takes the batch (capped) and resets the counters. */
  take(now: number): StatsReport {
    const ranked = [...this.channels].sort((a, b) => b[1].published + b[1].delivered - (a[1].published + a[1].delivered));
    const channels: StatsReport['channels'] = {};
    for (const [name, c] of ranked.slice(0, MAX_CHANNELS_PER_REPORT)) channels[name] = c;
    if (ranked.length > MAX_CHANNELS_PER_REPORT) {
      const other = { published: 0, delivered: 0 };
      for (const [, c] of ranked.slice(MAX_CHANNELS_PER_REPORT)) {
        other.published += c.published;
        other.delivered += c.delivered;
      }
      channels[OTHER_CHANNELS] = other;
    }
    const report: StatsReport = {
      source: this.source(),
      at: now,
      published: this.published,
      delivered: this.delivered,
      opened: this.opened,
      closed: this.closed,
      errors: this.errors,
      channels,
      latency: this.latency ?? [],
    };
    if (this.gauge !== null) report.gauge = this.gauge();
    if (this.webhookPending !== null) report.webhooks = { ...this.webhooks, pending: this.webhookPending() };
    this.webhooks = noCounts();
    this.published = this.delivered = this.opened = this.closed = 0;
    this.errors = {};
    this.channels = new Map();
    this.latency = null;
    return report;
  }

  async flush(): Promise<void> {
    this.scheduled = false;
    const sink = this.sink();
    const now = Date.now();
    this.lastSent = now;
    const report = this.take(now);
    if (sink === null) return;
    try {
      await sink(report);
    } catch {
      // Best effort: a lost report only makes the figures a little low.
    }
  }
}

/** A scheduler for Durable Objects: a plain timer (the object stays awake at most that long). */
export const timerScheduler: Scheduler = (flush, ms) => {
  setTimeout(() => void flush(), ms);
};
