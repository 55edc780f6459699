import type { ChannelObject } from './channel/channel-object';
import type { ShardObject } from './connection/shard-object';
import type { RegistryObject } from './registry/registry-object';
import type { RateLimiterObject } from './limits/rate-limiter-object';
import type { StatsObject } from './stats/stats-object';
import type { WebhookObject } from './webhooks/webhook-object';

/** Bindings and settings. Every setting is optional and has a sane default. */
export interface Env {
  CHANNEL: DurableObjectNamespace<ChannelObject>;
  SHARD: DurableObjectNamespace<ShardObject>;
  REGISTRY: DurableObjectNamespace<RegistryObject>;
  LIMITER: DurableObjectNamespace<RateLimiterObject>;
  /** The broker's own statistics (GET /api/v1/stats). */
  STATS: DurableObjectNamespace<StatsObject>;
  /** Durable webhook queues (src/webhooks/). */
  WEBHOOKS: DurableObjectNamespace<WebhookObject>;

  /** Comma-separated keys (set as secrets in production). */
  PUBLISH_KEYS?: string;
  SECRET_KEYS?: string;
  MANAGEMENT_KEYS?: string;
  /** "true" accepts pub_local_dev / sec_local_dev / mgmt_local_dev. Local development only. */
  ALLOW_DEV_KEYS?: string;

  /** Connection shards sockets are spread over (default 16). */
  SHARD_COUNT?: string;
  /** History retention by age, seconds (default 86400 = 24 h). */
  HISTORY_TTL_SECONDS?: string;
  /** History retention by count per channel (default 10000). */
  HISTORY_MAX_MESSAGES?: string;
  /** Most missed messages replayed on one resubscribe (default 5000). */
  MAX_REPLAY?: string;
  /** Subscriptions one socket may hold (default 100). */
  MAX_SUBSCRIPTIONS_PER_SOCKET?: string;
  /** Frames per second one socket may send, pings excluded (default 50, burst 2×). */
  SOCKET_FRAMES_PER_SECOND?: string;
  /** A socket silent for this long is closed (default 70000 ms: two missed 25 s pings plus slack). */
  HEARTBEAT_TIMEOUT_MS?: string;
  /** A presence member silent for this long leaves (default 25000 ms; clients are told to ping every 8 s). */
  PRESENCE_TIMEOUT_MS?: string;
  /** Client events one socket may publish per second (default 20). */
  CLIENT_EVENTS_PER_SECOND?: string;
  /** API publishes per second per key (default 1000, burst 2×). */
  PUBLISH_RATE_PER_SECOND?: string;
  /** How long an Idempotency-Key is remembered, seconds (default 300). */
  IDEMPOTENCY_WINDOW_SECONDS?: string;
  /** Comma-separated URLs that each get every webhook event (default none: webhooks off). */
  WEBHOOK_URL?: string;
  /** Signs webhooks (X-Switchyard-Signature); webhooks stay off without it. */
  WEBHOOK_SECRET?: string;
  /** channel_vacated waits this long without a subscriber (default 5000 ms). */
  WEBHOOK_VACATE_DELAY_MS?: string;
  /** Comma-separated channel patterns (`*` wildcard) whose client events are sent as webhooks (default none). */
  WEBHOOK_CLIENT_EVENTS?: string;
  /** Events queued per URL per queue object; past it new ones are dropped and counted (default 10000). */
  WEBHOOK_MAX_QUEUED?: string;
  /** Lifetime of tokens from POST /api/v1/auth/token, seconds (default 3600, 60 to 86400). */
  CONNECTION_TOKEN_TTL_SECONDS?: string;
  /** How often an SSE stream gets a heartbeat (default 15000 ms; 1000 to 25000). */
  SSE_HEARTBEAT_MS?: string;
}

export interface Settings {
  shardCount: number;
  historyTtlMs: number;
  historyMaxMessages: number;
  maxReplay: number;
  maxSubscriptionsPerSocket: number;
  socketFramesPerSecond: number;
  heartbeatTimeoutMs: number;
  presenceTimeoutMs: number;
  clientEventsPerSecond: number;
  publishRatePerSecond: number;
  idempotencyWindowMs: number;
  webhookUrls: string[];
  webhookSecret: string;
  webhookVacateDelayMs: number;
  webhookClientEvents: string[];
  webhookMaxQueued: number;
  connectionTokenTtlSeconds: number;
  sseHeartbeatMs: number;
}

function int(value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined || value.trim() === '') return fallback;
  const n = Number(value);
  if (!Number.isFinite(n)) return fallback;
  return Math.min(max, Math.max(min, Math.floor(n)));
}

const list = (value: string | undefined) => (value ?? '').split(',').map((v) => v.trim()).filter(Boolean);

export function settings(env: Partial<Env>): Settings {
  return {
    shardCount: int(env.SHARD_COUNT, 16, 1, 4096),
    historyTtlMs: int(env.HISTORY_TTL_SECONDS, 86_400, 1, 365 * 86_400) * 1000,
    historyMaxMessages: int(env.HISTORY_MAX_MESSAGES, 10_000, 1, 10_000_000),
    maxReplay: int(env.MAX_REPLAY, 5_000, 1, 100_000),
    maxSubscriptionsPerSocket: int(env.MAX_SUBSCRIPTIONS_PER_SOCKET, 100, 1, 10_000),
    socketFramesPerSecond: int(env.SOCKET_FRAMES_PER_SECOND, 50, 1, 100_000),
    heartbeatTimeoutMs: int(env.HEARTBEAT_TIMEOUT_MS, 70_000, 1_000, 3_600_000),
    presenceTimeoutMs: int(env.PRESENCE_TIMEOUT_MS, 25_000, 1_000, 3_600_000),
    clientEventsPerSecond: int(env.CLIENT_EVENTS_PER_SECOND, 20, 1, 10_000),
    publishRatePerSecond: int(env.PUBLISH_RATE_PER_SECOND, 1_000, 1, 1_000_000),
    idempotencyWindowMs: int(env.IDEMPOTENCY_WINDOW_SECONDS, 300, 120, 86_400) * 1000,
    webhookUrls: env.WEBHOOK_SECRET ? list(env.WEBHOOK_URL) : [],
    webhookSecret: env.WEBHOOK_SECRET ?? '',
    webhookVacateDelayMs: int(env.WEBHOOK_VACATE_DELAY_MS, 5_000, 0, 3_600_000),
    webhookClientEvents: list(env.WEBHOOK_CLIENT_EVENTS),
    webhookMaxQueued: int(env.WEBHOOK_MAX_QUEUED, 10_000, 1, 1_000_000),
    connectionTokenTtlSeconds: int(env.CONNECTION_TOKEN_TTL_SECONDS, 3_600, 60, 86_400),
    sseHeartbeatMs: int(env.SSE_HEARTBEAT_MS, 15_000, 1_000, 25_000),
  };
}
