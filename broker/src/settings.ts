/**
 * The broker's parsed settings. The table itself (names, defaults, ranges,
 * meanings) and the per-value checks are in ./settings-table.js, plain
 * JavaScript so that the launcher and the installed bin load it with Node.
 * A deployed Worker with a bad value refuses requests (500 INTERNAL, message
 * in its log) until the value is fixed.
 */
import { list, SETTINGS, settingsProblems, settingsTable, type IntSetting, type SettingValues } from './settings-table.js';

export { SETTINGS, settingsProblems, settingsTable };
export type { IntSetting, SettingSpec, SettingValues, TextSetting } from './settings-table.js';

/** The parsed settings the broker runs with. */
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
  slowConsumerBytes: number;
  connectionTokenTtlSeconds: number;
  /** Browser origins allowed on /ws and /sse, lower-case, `*` wildcards; null when unset (the broker's own host only). */
  allowedOrigins: string[] | null;
  tokenRequestsPerMinute: number;
  sseHeartbeatMs: number;
  /** Empty unless both WEBHOOK_URL and WEBHOOK_SECRET are set. */
  webhookUrls: string[];
  webhookSecret: string;
  webhookVacateDelayMs: number;
  webhookClientEvents: string[];
  webhookMaxQueued: number;
}

export class SettingsError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`invalid broker settings:\n  ${problems.join('\n  ')}`);
    this.name = 'SettingsError';
    this.problems = problems;
  }
}

function intSpec(name: string): IntSetting {
  const spec = SETTINGS.find((s) => s.name === name);
  if (spec === undefined || spec.kind !== 'int') throw new Error(`no integer setting ${name}`);
  return spec;
}

function int(values: SettingValues, name: string): number {
  const raw = values[name];
  const spec = intSpec(name);
  return raw === undefined || raw.trim() === '' ? spec.default : Number(raw.trim());
}

/** Parses every setting; throws a SettingsError listing every bad value. */
export function parseSettings(values: SettingValues): Settings {
  const problems = settingsProblems(values);
  if (problems.length > 0) throw new SettingsError(problems);
  return {
    shardCount: int(values, 'SHARD_COUNT'),
    historyTtlMs: int(values, 'HISTORY_TTL_SECONDS') * 1000,
    historyMaxMessages: int(values, 'HISTORY_MAX_MESSAGES'),
    maxReplay: int(values, 'MAX_REPLAY'),
    maxSubscriptionsPerSocket: int(values, 'MAX_SUBSCRIPTIONS_PER_SOCKET'),
    socketFramesPerSecond: int(values, 'SOCKET_FRAMES_PER_SECOND'),
    heartbeatTimeoutMs: int(values, 'HEARTBEAT_TIMEOUT_MS'),
    presenceTimeoutMs: int(values, 'PRESENCE_TIMEOUT_MS'),
    clientEventsPerSecond: int(values, 'CLIENT_EVENTS_PER_SECOND'),
    publishRatePerSecond: int(values, 'PUBLISH_RATE_PER_SECOND'),
    idempotencyWindowMs: int(values, 'IDEMPOTENCY_WINDOW_SECONDS') * 1000,
    slowConsumerBytes: int(values, 'SLOW_CONSUMER_BYTES'),
    connectionTokenTtlSeconds: int(values, 'CONNECTION_TOKEN_TTL_SECONDS'),
    allowedOrigins: list(values.ALLOWED_ORIGINS).length === 0 ? null : list(values.ALLOWED_ORIGINS).map((o) => o.toLowerCase()),
    tokenRequestsPerMinute: int(values, 'TOKEN_REQUESTS_PER_MINUTE'),
    sseHeartbeatMs: int(values, 'SSE_HEARTBEAT_MS'),
    webhookUrls: values.WEBHOOK_SECRET ? list(values.WEBHOOK_URL) : [],
    webhookSecret: values.WEBHOOK_SECRET ?? '',
    webhookVacateDelayMs: int(values, 'WEBHOOK_VACATE_DELAY_MS'),
    webhookClientEvents: list(values.WEBHOOK_CLIENT_EVENTS),
    webhookMaxQueued: int(values, 'WEBHOOK_MAX_QUEUED'),
  };
}

const cache = new WeakMap<object, Settings>();

/** The Worker's settings, parsed once per environment object. Throws a SettingsError on a bad value. */
export function settings(env: object): Settings {
  let parsed = cache.get(env);
  if (parsed === undefined) {
    parsed = parseSettings(env as SettingValues);
    cache.set(env, parsed);
  }
  return parsed;
}
