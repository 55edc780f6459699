// @ts-check
/**
 * The broker's settings table: the one list that the Worker's parsing
 * (./settings.ts), the local launcher (`pnpm broker`, `./dev`), the installed
 * `switchyard-broker` bin and the settings table in broker/README.md all come
 * from (`node -e "import('./broker/src/settings-table.js').then(m => console.log(m.settingsTable()))"`).
 *
 * Plain JavaScript with JSDoc types (checked by tsc): Node loads it as it is,
 * also from an installed package under node_modules, where Node refuses to
 * strip TypeScript types (ERR_UNSUPPORTED_NODE_MODULES_TYPE_STRIPPING).
 * No imports.
 *
 * Every setting is optional. A value that is not an integer in its range is
 * refused with a message naming the setting, its range and what it means.
 */

/**
 * @typedef {object} IntSetting
 * @property {string} name Environment variable / wrangler var.
 * @property {'int'} kind
 * @property {number} default
 * @property {number} [localDefault] What the local launcher uses when the variable is unset, where it differs from `default`.
 * @property {number} min
 * @property {number} max
 * @property {string} unit
 * @property {string} meaning
 */

/**
 * @typedef {object} TextSetting
 * @property {string} name
 * @property {'keys' | 'flag' | 'urls' | 'patterns' | 'origins' | 'secret'} kind keys, urls, patterns, origins: comma-separated lists; flag: `true` / `false`; secret: any text, never printed.
 * @property {string} meaning
 * @property {string} [localDefault] What the local launcher uses when the variable is unset.
 */

/** @typedef {IntSetting | TextSetting} SettingSpec */

/** Settings as they come from the environment (wrangler vars, secrets, process.env). @typedef {{ readonly [name: string]: string | undefined }} SettingValues */

/** Every setting, in the order the README lists them. */
/** @type {readonly SettingSpec[]} */
export const SETTINGS = [
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
  {
    name: 'HISTORY_MAX_MESSAGES',
    kind: 'int',
    default: 10_000,
    min: 1,
    max: 10_000_000,
    unit: 'messages',
    meaning: 'history retention by count, per channel',
  },
  {
    name: 'MAX_REPLAY',
    kind: 'int',
    default: 5_000,
    min: 1,
    max: 100_000,
    unit: 'messages',
    meaning: 'most missed messages replayed on one resubscribe',
  },
  {
    name: 'MAX_SUBSCRIPTIONS_PER_SOCKET',
    kind: 'int',
    default: 100,
    min: 1,
    max: 10_000,
    unit: 'subscriptions',
    meaning: 'subscriptions one socket may hold',
  },
  {
    name: 'SOCKET_FRAMES_PER_SECOND',
    kind: 'int',
    default: 50,
    min: 1,
    max: 100_000,
    unit: 'frames/s',
    meaning: 'frames one socket may send, pings excluded (burst 2×)',
  },
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
  {
    name: 'CLIENT_EVENTS_PER_SECOND',
    kind: 'int',
    default: 20,
    min: 1,
    max: 10_000,
    unit: 'events/s',
    meaning: 'client events one socket may publish',
  },
  {
    name: 'PUBLISH_RATE_PER_SECOND',
    kind: 'int',
    default: 1_000,
    min: 1,
    max: 1_000_000,
    unit: 'messages/s',
    meaning: 'API publishes per key (burst 2×)',
  },
  {
    name: 'IDEMPOTENCY_WINDOW_SECONDS',
    kind: 'int',
    default: 300,
    min: 120,
    max: 86_400,
    unit: 's',
    meaning: 'how long an `Idempotency-Key` is remembered',
  },
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
  {
    name: 'ALLOWED_ORIGINS',
    kind: 'origins',
    localDefault: '*',
    meaning:
      "comma-separated browser origins (`https://app.example.com`; `*` in one matches any run of characters, `*` alone allows every origin) that may open `/ws` and `/sse`; another `Origin` gets 403 `ORIGIN_NOT_ALLOWED`, a request without one (a server) passes. Unset: only pages on the broker's own host",
  },
  {
    name: 'TOKEN_REQUESTS_PER_MINUTE',
    kind: 'int',
    default: 60,
    localDefault: 6_000,
    min: 1,
    max: 1_000_000,
    unit: 'requests/min',
    meaning:
      '`POST /api/v1/auth/token` calls per client address (`CF-Connecting-IP`; where there is none, as locally, every client shares one bucket), a minute’s worth at once, counted before the key is looked at; per key, `PUBLISH_RATE_PER_SECOND` applies too',
  },
  {
    name: 'CONNECTION_TOKEN_TTL_SECONDS',
    kind: 'int',
    default: 3_600,
    min: 60,
    max: 86_400,
    unit: 's',
    meaning: 'lifetime of the tokens `POST /api/v1/auth/token` mints',
  },
  {
    name: 'SSE_HEARTBEAT_MS',
    kind: 'int',
    default: 15_000,
    min: 1_000,
    max: 25_000,
    unit: 'ms',
    meaning: 'how often an SSE stream (`GET /sse`) gets a heartbeat comment, so proxies keep it open',
  },
  {
    name: 'WEBHOOK_URL',
    kind: 'urls',
    meaning: 'comma-separated `http(s)` URLs that each get every webhook event; unset: webhooks off. Needs `WEBHOOK_SECRET`',
  },
  {
    name: 'WEBHOOK_SECRET',
    kind: 'secret',
    meaning: 'signs webhooks (`X-Switchyard-Signature: t=…,sha256=…`); set as a secret when deployed',
  },
  {
    name: 'WEBHOOK_VACATE_DELAY_MS',
    kind: 'int',
    default: 5_000,
    min: 0,
    max: 3_600_000,
    unit: 'ms',
    meaning: '`channel_vacated` waits this long without a subscriber, so a reload does not flap',
  },
  {
    name: 'WEBHOOK_CLIENT_EVENTS',
    kind: 'patterns',
    meaning: 'comma-separated channel patterns (`*` wildcard) whose client events are sent as `client_event` webhooks',
  },
  {
    name: 'WEBHOOK_MAX_QUEUED',
    kind: 'int',
    default: 10_000,
    min: 1,
    max: 1_000_000,
    unit: 'events',
    meaning: 'webhook events queued per URL per queue object; past it new ones are dropped and counted in the statistics',
  },
];

/**
 * One problem per bad value (empty: all good). Unset and empty values are fine: they take the default. */
/**
 * @param {SettingValues} values
 * @returns {string[]}
 */
export function settingsProblems(values) {
  /** @type {string[]} */
  const problems = [];
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
      if (raw !== 'true' && raw !== 'false')
        problems.push(`${spec.name}=${JSON.stringify(raw)} must be 'true' or 'false': ${spec.meaning}`);
    } else if (spec.kind === 'origins') {
      for (const origin of list(raw))
        if (origin !== '*' && !/^https?:\/\/[^\s/]+$/.test(origin))
          problems.push(`${spec.name}: ${JSON.stringify(origin)} is not an origin (scheme://host[:port], no path) or '*': ${spec.meaning}`);
    } else if (spec.kind === 'urls') {
      for (const url of list(raw))
        if (!/^https?:\/\/[^\s/]+/.test(url)) problems.push(`${spec.name}: ${JSON.stringify(url)} is not an http(s) URL: ${spec.meaning}`);
    }
  }
  if (list(values.WEBHOOK_URL).length > 0 && (values.WEBHOOK_SECRET ?? '').trim() === '') {
    problems.push('WEBHOOK_URL is set but WEBHOOK_SECRET is not: webhooks are signed with it; set both, or neither');
  }
  return problems;
}

/**
 * @param {string | undefined} raw
 * @returns {string[]}
 */
export function list(raw) {
  return (raw ?? '')
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v !== '');
}

/** The settings table of broker/README.md, in Markdown. */
/** @returns {string} */
export function settingsTable() {
  const rows = SETTINGS.map((s) => {
    if (s.kind === 'int') {
      const local = s.localDefault === undefined ? '' : ` (${s.localDefault} locally)`;
      return `| \`${s.name}\` | ${s.default}${local} | ${s.min}–${s.max} ${s.unit} | ${s.meaning} |`;
    }
    const local = s.localDefault === undefined ? 'unset' : `unset (\`${s.localDefault}\` locally)`;
    const range = s.kind === 'flag' ? '`true` / `false`' : s.kind === 'secret' ? 'text' : 'comma-separated';
    return `| \`${s.name}\` | ${local} | ${range} | ${s.meaning} |`;
  });
  return ['| setting | default | range | meaning |', '| --- | --- | --- | --- |', ...rows].join('\n');
}
