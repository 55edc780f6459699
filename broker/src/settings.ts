/**
 * The broker's settings: the one table that the Worker's parsing, the local
 * launcher (`pnpm broker`, `./dev`: it imports this file through Node's type
 * stripping) and the settings table in broker/README.md all come from
 * (`node broker/scripts/settings-doc.mjs` prints that table).
 *
 * Every setting is optional. A value that is not an integer in its range is
 * refused with a message naming the setting, its range and what it means:
 * the launcher checks before it starts anything; a deployed Worker refuses
 * requests (500 INTERNAL, message in its log) until the value is fixed.
 *
 * This file has no imports and uses only erasable TypeScript, so Node can
 * load it as it is.
 */

export interface IntSetting {
  /** Environment variable / wrangler var. */
  name: string;
  kind: 'int';
  default: number;
  /** What the local launcher uses when the variable is unset, where it differs from `default`. */
  localDefault?: number;
  min: number;
  max: number;
  unit: string;
  meaning: string;
}

export interface TextSetting {
  name: string;
  kind: 'keys' | 'flag';
  meaning: string;
  /** What the local launcher uses when the variable is unset. */
  localDefault?: string;
}

export type SettingSpec = IntSetting | TextSetting;

/** Every setting, in the order the README lists them. */
export const SETTINGS: readonly SettingSpec[] = [
  { name: 'PUBLISH_KEYS', kind: 'keys', meaning: 'comma-separated publish keys (`pub_…`); set as a secret when deployed' },
  { name: 'SECRET_KEYS', kind: 'keys', meaning: 'comma-separated secret keys (`sec_…`); set as a secret when deployed' },
  { name: 'MANAGEMENT_KEYS', kind: 'keys', meaning: 'comma-separated management keys (`mgmt_…`); set as a secret when deployed' },
  {
    name: 'ALLOW_DEV_KEYS',
    kind: 'flag',
    localDefault: 'true',
    meaning: '`true` accepts `pub_local_dev` / `sec_local_dev` / `mgmt_local_dev`; local development only, never deployed',
  },
  {
    name: 'SHARD_COUNT',
    kind: 'int',
    default: 16,
    localDefault: 1,
    min: 1,
    max: 4096,
    unit: 'shards',
    meaning:
      'connection shards sockets are spread over (16 deployed, where each shard is its own thread; locally every object shares one workerd thread and more shards only add calls, so 1)',
  },
  { name: 'HISTORY_TTL_SECONDS', kind: 'int', default: 86_400, min: 1, max: 365 * 86_400, unit: 's', meaning: 'history retention by age' },
  { name: 'HISTORY_MAX_MESSAGES', kind: 'int', default: 10_000, min: 1, max: 10_000_000, unit: 'messages', meaning: 'history retention by count, per channel' },
  { name: 'MAX_REPLAY', kind: 'int', default: 5_000, min: 1, max: 100_000, unit: 'messages', meaning: 'most missed messages replayed on one resubscribe' },
  { name: 'MAX_SUBSCRIPTIONS_PER_SOCKET', kind: 'int', default: 100, min: 1, max: 10_000, unit: 'subscriptions', meaning: 'subscriptions one socket may hold' },
  { name: 'SOCKET_FRAMES_PER_SECOND', kind: 'int', default: 50, min: 1, max: 100_000, unit: 'frames/s', meaning: 'frames one socket may send, pings excluded (burst 2×)' },
  {
    name: 'HEARTBEAT_TIMEOUT_MS',
    kind: 'int',
    default: 70_000,
    min: 1_000,
    max: 3_600_000,
    unit: 'ms',
    meaning: 'a socket silent for this long is closed (`4001`): two missed 25 s pings plus slack',
  },
  {
    name: 'PRESENCE_TIMEOUT_MS',
    kind: 'int',
    default: 25_000,
    min: 1_000,
    max: 3_600_000,
    unit: 'ms',
    meaning: 'a presence member silent for this long is closed and leaves (clients are told to ping every 8 s)',
  },
  { name: 'CLIENT_EVENTS_PER_SECOND', kind: 'int', default: 20, min: 1, max: 10_000, unit: 'events/s', meaning: 'client events one socket may publish' },
  { name: 'PUBLISH_RATE_PER_SECOND', kind: 'int', default: 1_000, min: 1, max: 1_000_000, unit: 'messages/s', meaning: 'API publishes per key (burst 2×)' },
  { name: 'IDEMPOTENCY_WINDOW_SECONDS', kind: 'int', default: 300, min: 120, max: 86_400, unit: 's', meaning: 'how long an `Idempotency-Key` is remembered' },
  {
    name: 'SLOW_CONSUMER_BYTES',
    kind: 'int',
    default: 2_097_152,
    min: 16_384,
    max: 1_073_741_824,
    unit: 'bytes',
    meaning:
      'output a socket may be handed without hearing from its client (any frame; pings count); past it the socket is closed `4002` and resumes from history. 2 MiB: a full batch publish (1 MB body) fits',
  },
];

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
}

/** Settings as they come from the environment (wrangler vars, secrets, process.env). */
export type SettingValues = { readonly [name: string]: string | undefined };

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

/** One problem per bad value (empty: all good). Unset and empty values are fine: they take the default. */
export function settingsProblems(values: SettingValues): string[] {
  const problems: string[] = [];
  for (const spec of SETTINGS) {
    const raw = values[spec.name];
    if (raw === undefined || raw.trim() === '') continue;
    if (spec.kind === 'int') {
      const n = Number(raw.trim());
      if (!Number.isInteger(n) || n < spec.min || n > spec.max) {
        problems.push(
          `${spec.name}=${JSON.stringify(raw)} is not an integer from ${spec.min} to ${spec.max} (${spec.unit}; default ${spec.default}): ${spec.meaning}`,
        );
      }
    } else if (spec.kind === 'flag') {
      if (raw !== 'true' && raw !== 'false') problems.push(`${spec.name}=${JSON.stringify(raw)} must be 'true' or 'false': ${spec.meaning}`);
    }
  }
  return problems;
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

/** The settings table of broker/README.md, in Markdown. */
export function settingsTable(): string {
  const rows = SETTINGS.map((s) => {
    if (s.kind === 'int') {
      const local = s.localDefault === undefined ? '' : ` (${s.localDefault} locally)`;
      return `| \`${s.name}\` | ${s.default}${local} | ${s.min}–${s.max} ${s.unit} | ${s.meaning} |`;
    }
    const local = s.localDefault === undefined ? 'unset' : `unset (\`${s.localDefault}\` locally)`;
    return `| \`${s.name}\` | ${local} | ${s.kind === 'flag' ? '`true` / `false`' : 'comma-separated'} | ${s.meaning} |`;
  });
  return ['| setting | default | range | meaning |', '| --- | --- | --- | --- |', ...rows].join('\n');
}
