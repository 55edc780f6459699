// Shared by the k6 scripts: knobs from the environment, metrics, the summary.
import exec from 'k6/execution';
import http from 'k6/http';
import { Counter, Trend } from 'k6/metrics';

/** A knob from the environment, with its default. */
export function env(name, fallback) {
  const v = __ENV[name];
  return v === undefined || v === '' ? fallback : v;
}
export function envInt(name, fallback) {
  const v = Number(env(name, fallback));
  if (!Number.isFinite(v)) throw new Error(`${name} must be a number`);
  return v;
}
/** '30s', '2m', '1500ms' or plain seconds → seconds. */
export function seconds(text) {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(String(text));
  if (!m) throw new Error(`not a duration: ${text}`);
  const n = Number(m[1]);
  return m[2] === 'ms' ? n / 1000 : m[2] === 'm' ? n * 60 : n;
}

export const BROKER_URL = env('BROKER_URL', 'http://127.0.0.1:8787').replace(/\/+$/, '');
export const WS_URL = BROKER_URL.replace(/^http/, 'ws');
export const PUBLISH_KEY = env('PUBLISH_KEY', 'pub_local_dev');
/**
 * COALESCE=1: sockets connect with `coalesce=1`, so the broker may put several
 * frames in one WebSocket message, joined by `\n` (see sdk/src/protocol/coalesce.ts).
 * Default 0: one frame per message, as the public SDK gets (`load/run.mjs game` sets 1).
 */
export const COALESCE = env('COALESCE', '0') === '1';
/** The frames in one WebSocket message (several when coalesced). */
export function frames(data) {
  return data.indexOf('\n') === -1 ? [JSON.parse(data)] : data.split('\n').map((t) => JSON.parse(t));
}
export const SECRET_KEY = env('SECRET_KEY', 'sec_local_dev');
/**
 * A prefix so runs against a long-lived broker never share channels. Init code
 * runs once per VU, so a generated id must come from `setup()` (see runId()).
 */
const RUN_ID_ENV = env('RUN_ID', '');
export function setupRun() {
  return { runId: RUN_ID_ENV || `r${Date.now().toString(36)}` };
}

// --- scenarios ----------------------------------------------------------------
/** The two scenarios of a stream test: subscribers held for the whole run, and one publisher at a fixed rate. */
export function streamScenarios({ subscriberVUs, holdSeconds, rate, duration, connectWait }) {
  return {
    subscribers: {
      executor: 'per-vu-iterations',
      exec: 'subscribers',
      vus: subscriberVUs,
      iterations: 1,
      maxDuration: `${Math.ceil(holdSeconds + 30)}s`,
    },
    publisher: {
      executor: 'constant-arrival-rate',
      exec: 'publisher',
      rate,
      timeUnit: '1s',
      duration,
      startTime: connectWait,
      preAllocatedVUs: Math.max(2, Math.ceil(rate / 20)),
      maxVUs: Math.max(10, rate),
    },
  };
}

/**
 * This subscriber VU's sockets: indexes [first, first + count). Uses the
 * scenario's own iteration number, since VU ids are shared with the publisher.
 */
export function mySockets(total, perVu) {
  const first = exec.scenario.iterationInTest * perVu;
  return { first, count: Math.max(0, Math.min(perVu, total - first)) };
}

/** Milliseconds left until `holdSeconds` after the scenario started. */
export function msUntil(holdSeconds) {
  return Math.max(0, holdSeconds * 1000 - (Date.now() - exec.scenario.startTime));
}

// --- metrics ------------------------------------------------------------------
export const deliveryMs = new Trend('delivery_ms', true);
export const connectMs = new Trend('ws_connect_ms', true);
export const received = new Counter('messages_received');
export const lost = new Counter('messages_lost');
export const duplicate = new Counter('messages_duplicate');
export const outOfOrder = new Counter('messages_out_of_order');
export const published = new Counter('messages_published');
export const publishFailed = new Counter('publish_failed');
export const wsErrors = new Counter('ws_errors');

/** The published budgets, overridable: P50_MS, P95_MS, P99_MS. */
export function latencyThresholds() {
  return {
    delivery_ms: [`p(50)<${envInt('P50_MS', 50)}`, `p(95)<${envInt('P95_MS', 150)}`, `p(99)<${envInt('P99_MS', 300)}`],
    messages_lost: ['count==0'],
    messages_duplicate: ['count==0'],
    messages_out_of_order: ['count==0'],
    publish_failed: ['count==0'],
  };
}

/** Publishes one message with the secret key; the payload carries its publish time and counter. */
export function publish(channel, n, padBytes) {
  const body = JSON.stringify({ eventType: 'load', content: { t: Date.now(), n, pad: padBytes > 0 ? 'x'.repeat(padBytes) : undefined } });
  const res = http.post(`${BROKER_URL}/api/v1/channels/${encodeURIComponent(channel)}/messages`, body, {
    headers: { Authorization: `Bearer ${SECRET_KEY}`, 'Content-Type': 'application/json' },
    tags: { name: 'publish' },
  });
  if (res.status === 201) published.add(1);
  else publishFailed.add(1);
  return res;
}

/** The channel's latest seq, from history (for counting what a subscriber should have received). */
export function latestSeq(channel) {
  const res = http.get(`${BROKER_URL}/api/v1/channels/${encodeURIComponent(channel)}/messages?order=desc&pageSize=1`, {
    headers: { Authorization: `Bearer ${SECRET_KEY}` },
    tags: { name: 'history' },
  });
  if (res.status !== 200) return null;
  // History answers {success, data: {items, pagination}}.
  const items = res.json('data.items');
  return items.length > 0 ? items[0].seq : 0;
}

/**
 * Per-subscription bookkeeping: every seq exactly once, in order. `base` is
 * the channel's seq when the subscription started; at the end, what was
 * expected but never came is lost.
 */
export class Tracker {
  constructor(base) {
    this.base = base;
    this.last = base;
    this.seen = 0;
    /** Seqs skipped over by a later one and not seen yet. */
    this.missing = new Set();
  }
  /** Records one message frame. */
  accept(frame) {
    const seq = frame.seq;
    if (seq <= this.last) {
      if (!this.missing.delete(seq)) {
        duplicate.add(1);
        return;
      }
      // A late arrival: counted as out of order when the jump past it happened.
    } else {
      if (seq !== this.last + 1) {
        outOfOrder.add(1);
        for (let s = this.last + 1; s < seq && this.missing.size < 10000; s++) this.missing.add(s);
      }
      this.last = seq;
    }
    this.seen++;
    received.add(1);
    const t = frame.data?.t;
    if (typeof t === 'number') deliveryMs.add(Date.now() - t);
  }
  /** Counts what never arrived up to `head`. */
  finish(head) {
    if (head === null) return;
    const expected = head - this.base;
    if (expected > this.seen) lost.add(expected - this.seen);
  }
}

// --- summary --------------------------------------------------------------------
function fmt(v) {
  if (v === undefined || v === null) return '-';
  return typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(2)) : String(v);
}

/** A readable table of the metrics that matter, with threshold verdicts. */
export function textTable(data, title) {
  const rows = [];
  const m = data.metrics;
  const add = (name, stat, value, ok) => rows.push([name, stat, fmt(value), ok === undefined ? '' : ok ? 'ok' : 'FAIL']);
  const verdict = (name) => {
    const t = m[name]?.thresholds;
    if (!t) return undefined;
    return Object.values(t).every((x) => x.ok);
  };
  if (m.delivery_ms) {
    const v = m.delivery_ms.values;
    for (const k of ['p(50)', 'p(95)', 'p(99)', 'max', 'avg'])
      add('delivery_ms', k, v[k], k.startsWith('p(') ? verdict('delivery_ms') : undefined);
  }
  if (m.ws_connect_ms) for (const k of ['p(50)', 'p(95)', 'max']) add('ws_connect_ms', k, m.ws_connect_ms.values[k]);
  for (const name of [
    'messages_published',
    'messages_received',
    'messages_lost',
    'messages_duplicate',
    'messages_out_of_order',
    'publish_failed',
    'ws_errors',
    'subscriptions_ready',
    'sockets_ready',
    'sockets_dropped',
    'reconnects',
  ]) {
    if (m[name]) add(name, 'count', m[name].values.count, verdict(name));
  }
  if (m.http_req_duration) add('http_req_duration', 'p(95)', m.http_req_duration.values['p(95)']);
  const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => r[i].length), ['metric', 'stat', 'value', 'verdict'][i].length));
  const line = (r) => r.map((c, i) => c.padEnd(widths[i])).join('  ');
  return [`\n${title}`, line(['metric', 'stat', 'value', 'verdict']), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line), ''].join(
    '\n',
  );
}

/** handleSummary: JSON for machines, a table for people. */
export function summary(name) {
  return (data) => {
    const out = env('SUMMARY_DIR', '');
    const result = { stdout: textTable(data, `${name} against ${BROKER_URL}`) };
    if (out) result[`${out}/${name}.json`] = JSON.stringify(data, null, 2);
    return result;
  };
}
