import type { ChannelObject } from './channel/channel-object';
import type { ShardObject } from './connection/shard-object';
import type { RegistryObject } from './registry/registry-object';
import type { RateLimiterObject } from './limits/rate-limiter-object';
import type { StatsObject } from './stats/stats-object';
import type { WebhookObject } from './webhooks/webhook-object';

/**
 * Bindings and settings. Every setting is optional; names, defaults, ranges and
 * meanings are in the one table in ./settings.ts.
 */
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
  /** Output a socket may be handed without a frame from its client (default 2 MiB); past it: close 4002. */
  SLOW_CONSUMER_BYTES?: string;
  /** Browser origins allowed on /ws and /sse (comma list, `*` allowed); unset: the broker's own host only. */
  ALLOWED_ORIGINS?: string;
  /** POST /api/v1/auth/token calls per client address per minute (default 60, a minute's worth at once). */
  TOKEN_REQUESTS_PER_MINUTE?: string;
  /** Lifetime of tokens from POST /api/v1/auth/token, seconds (default 3600, 60 to 86400). */
  CONNECTION_TOKEN_TTL_SECONDS?: string;
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
  /** How often an SSE stream gets a heartbeat (default 15000 ms; 1000 to 25000). */
  SSE_HEARTBEAT_MS?: string;
}

export { settings, SettingsError, type Settings } from './settings';
