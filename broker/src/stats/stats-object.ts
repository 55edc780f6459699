/**
 * One Durable Object (`stats`) that the Worker, channel objects and shards
 * report to, in batches at most once a second each (see reporter.ts). It sums
 * them into totals, a one-minute per-second series, a latency histogram per
 * second, errors by code, and per-channel counts; `snapshot()` answers
 * `GET /api/v1/stats`. Totals and shard gauges are saved to its SQLite at
 * most once a second, so they survive the object being evicted.
 */
import { DurableObject } from 'cloudflare:workers';
import type { Env } from '../env';
import { emptyHistogram, mergeInto, percentile, total } from './histogram';
import type { StatsReport } from './reporter';
import { noCounts, type WebhookCounts } from '../webhooks/queue';

/** Seconds of per-second history kept (and returned as `series`). */
export const SERIES_SECONDS = 60;
/** Rates and recent percentiles are over this many complete seconds. */
export const RATE_WINDOW_SECONDS = 5;
export const LATENCY_WINDOW_SECONDS = 10;
/** Channels whose totals are remembered (the smallest are forgotten past this). */
export const MAX_CHANNELS = 1_000;
/** A shard gauge older than this is stale (live shards refresh theirs on every sweep, ≤ 30 s). */
export const GAUGE_TTL_MS = 120_000;

interface Second {
  t: number;
  published: number;
  delivered: number;
  errors: number;
  opened: number;
  closed: number;
  latency: number[];
  channels: Map<string, number>;
}

interface Totals {
  since: number;
  published: number;
  delivered: number;
  opened: number;
  closed: number;
  errors: Record<string, number>;
  latency: number[];
  webhooks?: WebhookCounts;
}

interface Gauge {
  sockets: number;
  subscriptions: number;
  at: number;
}

export interface LatencySummary {
  count: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

export interface StatsSnapshot {
  at: number;
  /** When counting started (totals are since then). */
  since: number;
  connections: number;
  subscriptions: number;
  shards: Array<{ shard: string; sockets: number; subscriptions: number; at: number }>;
  sockets: { opened: number; closed: number; openedPerSecond: number; closedPerSecond: number };
  messages: {
    published: { total: number; perSecond: number };
    delivered: { total: number; perSecond: number };
  };
  /** Publish accepted → frame sent to the socket, ms (bucket upper bounds). */
  latency: { windowSeconds: number; recent: LatencySummary; allTime: LatencySummary };
  errors: { total: number; perSecond: number; byCode: Record<string, number> };
  /** Busiest channels over the last LATENCY_WINDOW_SECONDS (then by total). */
  topChannels: Array<{ channel: string; published: number; delivered: number; recent: number }>;
  /** The last SERIES_SECONDS complete seconds, oldest first. */
  series: Array<{ t: number; published: number; delivered: number; errors: number; p99: number | null }>;
  /** Webhook delivery since `since` (see src/webhooks/queue.ts); `pending`: events waiting now. */
  webhooks: Required<Omit<WebhookCounts, 'lastFailure'>> & { pending: number; lastFailure: WebhookCounts['lastFailure'] | null };
}

function summary(h: readonly number[]): LatencySummary {
  return { count: total(h), p50: percentile(h, 50), p95: percentile(h, 95), p99: percentile(h, 99) };
}

const sum = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);

export class StatsObject extends DurableObject<Env> {
  private totals: Totals;
  private readonly gauges: Map<string, Gauge>;
  /** Events waiting, per webhook queue object. */
  private readonly webhookPending: Map<string, number>;
  private readonly channels = new Map<string, { published: number; delivered: number }>();
  private readonly seconds = new Map<number, Second>();
  private saveScheduled = false;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.totals = (ctx.storage.kv.get<Totals>('totals') as Totals | undefined) ?? {
      since: Date.now(),
      published: 0,
      delivered: 0,
      opened: 0,
      closed: 0,
      errors: {},
      latency: emptyHistogram(),
    };
    this.gauges = new Map(Object.entries((ctx.storage.kv.get<Record<string, Gauge>>('gauges') as Record<string, Gauge> | undefined) ?? {}));
    this.webhookPending = new Map(
      Object.entries((ctx.storage.kv.get<Record<string, number>>('webhookPending') as Record<string, number> | undefined) ?? {}),
    );
  }

  private second(t: number): Second {
    let s = this.seconds.get(t);
    if (s === undefined) {
      s = { t, published: 0, delivered: 0, errors: 0, opened: 0, closed: 0, latency: emptyHistogram(), channels: new Map() };
      this.seconds.set(t, s);
      for (const old of this.seconds.keys()) if (old <= t - SERIES_SECONDS - 1) this.seconds.delete(old);
    }
    return s;
  }

  /** One batch from a reporter. Fire-and-forget for the caller. */
  report(r: StatsReport): void {
    const now = Date.now();
    const s = this.second(Math.floor(now / 1000));
    const errors = sum(r.errors);
    s.published += r.published;
    s.delivered += r.delivered;
    s.errors += errors;
    s.opened += r.opened;
    s.closed += r.closed;
    mergeInto(s.latency, r.latency);
    const t = this.totals;
    t.published += r.published;
    t.delivered += r.delivered;
    t.opened += r.opened;
    t.closed += r.closed;
    mergeInto(t.latency, r.latency);
    for (const [code, n] of Object.entries(r.errors)) t.errors[code] = (t.errors[code] ?? 0) + n;
    for (const [name, c] of Object.entries(r.channels)) {
      const known = this.channels.get(name) ?? { published: 0, delivered: 0 };
      known.published += c.published;
      known.delivered += c.delivered;
      this.channels.set(name, known);
      s.channels.set(name, (s.channels.get(name) ?? 0) + c.published + c.delivered);
    }
    if (this.channels.size > MAX_CHANNELS) this.forgetQuietChannels();
    if (r.gauge !== undefined) this.gauges.set(r.source, { ...r.gauge, at: now });
    if (r.webhooks !== undefined) this.addWebhooks(r.source, r.webhooks);
    this.scheduleSave();
  }

  private addWebhooks(source: string, w: WebhookCounts & { pending: number }): void {
    this.totals.webhooks ??= noCounts();
    const t = this.totals.webhooks;
    t.delivered += w.delivered;
    t.deliveries += w.deliveries;
    t.failures += w.failures;
    t.dropped += w.dropped;
    t.expired += w.expired;
    if (w.lastFailure !== undefined) t.lastFailure = w.lastFailure;
    this.webhookPending.set(source, w.pending);
  }

  private forgetQuietChannels(): void {
    const ranked = [...this.channels].sort((a, b) => b[1].published + b[1].delivered - (a[1].published + a[1].delivered));
    for (const [name] of ranked.slice(Math.floor(MAX_CHANNELS * 0.9))) this.channels.delete(name);
  }

  private scheduleSave(): void {
    if (this.saveScheduled) return;
    this.saveScheduled = true;
    setTimeout(() => {
      this.saveScheduled = false;
      this.ctx.storage.kv.put('totals', this.totals);
      this.ctx.storage.kv.put('gauges', Object.fromEntries(this.gauges));
      this.ctx.storage.kv.put('webhookPending', Object.fromEntries(this.webhookPending));
    }, 1_000);
  }

  /** Complete seconds in [now - n, now - 1]. */
  private lastSeconds(now: number, n: number): Second[] {
    const current = Math.floor(now / 1000);
    const out: Second[] = [];
    for (let t = current - n; t < current; t++) {
      const s = this.seconds.get(t);
      if (s !== undefined) out.push(s);
    }
    return out;
  }

  snapshot(): StatsSnapshot {
    const now = Date.now();
    const rate = this.lastSeconds(now, RATE_WINDOW_SECONDS);
    const per = (f: (s: Second) => number) => rate.reduce((a, s) => a + f(s), 0) / RATE_WINDOW_SECONDS;
    const recent = this.lastSeconds(now, LATENCY_WINDOW_SECONDS);
    const recentLatency = emptyHistogram();
    const recentChannels = new Map<string, number>();
    for (const s of recent) {
      mergeInto(recentLatency, s.latency);
      for (const [name, n] of s.channels) recentChannels.set(name, (recentChannels.get(name) ?? 0) + n);
    }
    const shards: StatsSnapshot['shards'] = [];
    let connections = 0;
    let subscriptions = 0;
    for (const [shard, g] of this.gauges) {
      if (now - g.at > GAUGE_TTL_MS) continue;
      shards.push({ shard, sockets: g.sockets, subscriptions: g.subscriptions, at: g.at });
      connections += g.sockets;
      subscriptions += g.subscriptions;
    }
    shards.sort((a, b) => a.shard.localeCompare(b.shard));
    const topChannels = [...this.channels]
      .map(([channel, c]) => ({ channel, published: c.published, delivered: c.delivered, recent: recentChannels.get(channel) ?? 0 }))
      .sort((a, b) => b.recent - a.recent || b.published + b.delivered - (a.published + a.delivered))
      .slice(0, 10);
    const t = this.totals;
    const w = t.webhooks ?? noCounts();
    let pending = 0;
    for (const n of this.webhookPending.values()) pending += n;
    return {
      at: now,
      since: t.since,
      connections,
      subscriptions,
      shards,
      sockets: { opened: t.opened, closed: t.closed, openedPerSecond: per((s) => s.opened), closedPerSecond: per((s) => s.closed) },
      messages: {
        published: { total: t.published, perSecond: per((s) => s.published) },
        delivered: { total: t.delivered, perSecond: per((s) => s.delivered) },
      },
      latency: { windowSeconds: LATENCY_WINDOW_SECONDS, recent: summary(recentLatency), allTime: summary(t.latency) },
      errors: { total: sum(t.errors), perSecond: per((s) => s.errors), byCode: { ...t.errors } },
      topChannels,
      series: this.lastSeconds(now, SERIES_SECONDS).map((s) => ({
        t: s.t * 1000,
        published: s.published,
        delivered: s.delivered,
        errors: s.errors,
        p99: percentile(s.latency, 99),
      })),
      webhooks: {
        delivered: w.delivered,
        deliveries: w.deliveries,
        failures: w.failures,
        dropped: w.dropped,
        expired: w.expired,
        pending,
        lastFailure: w.lastFailure ?? null,
      },
    };
  }
}
