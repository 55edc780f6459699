// Team chat at human rates: ROOMS rooms × MEMBERS members, each member one socket
// with a signed token (subscribe, publish, presence on its room). Members idle,
// type for a few seconds (a `user-typing` client event at most every 2 s, ephemeral,
// not echoed), then send a chat message the way the app's function does: HTTP POST
// `message-sent` with the secret key and an idempotency key. Only a broker is needed
// (tokens are minted inside k6).
//
// delivery_ms = send call start → receipt, for every member of the room. Each
// subscription checks every seq once and in order and, at the end, counts what never came.
//
//   ROOMS=50 MEMBERS=8 DURATION=60s k6 run load/chat.js
import exec from 'k6/execution';
import http from 'k6/http';
import { Counter, Trend } from 'k6/metrics';
import { clearInterval, setInterval, setTimeout } from 'k6/timers';
import { WebSocket } from 'k6/websockets';
import {
  BROKER_URL,
  connectMs,
  env,
  envInt,
  latencyThresholds,
  latestSeq,
  msUntil,
  mySockets,
  published,
  publishFailed,
  SECRET_KEY,
  seconds,
  setupRun,
  summary,
  Tracker,
  WS_URL,
  wsErrors,
} from './lib/common.js';
import { mintToken } from './lib/token.js';

const ROOMS = envInt('ROOMS', 20);
const MEMBERS = envInt('MEMBERS', 5);
const DURATION = env('DURATION', '30s');
/** Mean seconds a member waits between two messages (idle + typing), uniformly 0.5×–1.5×. */
const MESSAGE_EVERY_S = envInt('MESSAGE_EVERY_S', 10);
/** How long a member types before sending, uniformly between these (ms). */
const TYPING_MIN_MS = envInt('TYPING_MIN_MS', 1500);
const TYPING_MAX_MS = envInt('TYPING_MAX_MS', 4000);
/** The app's typing throttle: at most one event every 2 s while typing. */
const TYPING_THROTTLE_MS = 2000;
const SOCKETS_PER_VU = envInt('SOCKETS_PER_VU', 50);
const CONNECT_WAIT = env('CONNECT_WAIT', '10s');
const GRACE = env('GRACE', '5s');

const TOTAL = ROOMS * MEMBERS;
const holdSeconds = seconds(CONNECT_WAIT) + seconds(DURATION) + seconds(GRACE);
const talkFrom = seconds(CONNECT_WAIT) * 1000;
const talkUntil = (seconds(CONNECT_WAIT) + seconds(DURATION)) * 1000;

const subscriptionsReady = new Counter('subscriptions_ready');
const typingSent = new Counter('typing_sent');
const typingReceived = new Counter('typing_received');
/** Typing events that came back to their own typist (must be none: echo is off). */
const typingEchoed = new Counter('typing_echoed');
/** Typing events found in history (must be none: they are ephemeral). */
const typingStored = new Counter('typing_stored');
const typingMs = new Trend('typing_ms', true);

export const options = {
  scenarios: {
    members: {
      executor: 'per-vu-iterations',
      vus: Math.ceil(TOTAL / SOCKETS_PER_VU),
      iterations: 1,
      maxDuration: `${Math.ceil(holdSeconds + 60)}s`,
    },
  },
  thresholds: {
    ...latencyThresholds(),
    subscriptions_ready: [`count==${TOTAL}`],
    typing_received: ['count>0'],
    typing_echoed: ['count==0'],
    typing_stored: ['count==0'],
    ws_errors: ['count==0'],
  },
  summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(50)', 'p(95)', 'p(99)'],
};

export const setup = setupRun;

const channel = (run, room) => `chat:room-${run.runId}-${room}`;
const elapsed = () => Date.now() - exec.scenario.startTime;
const between = (lo, hi) => lo + Math.random() * (hi - lo);

/** One member: a socket with its own token, typing and sending until the talk window ends. */
function member(run, index) {
  const room = Math.floor(index / MEMBERS);
  const name = channel(run, room);
  const sub = `m-${run.runId}-${index}`;
  const token = mintToken({ sub, cap: { [name]: ['subscribe', 'publish', 'presence'] }, info: { name: `Member ${index}` } });
  const started = Date.now();
  const ws = new WebSocket(`${WS_URL}/ws?token=${encodeURIComponent(token)}`);
  const state = { ws, name, tracker: null, sent: 0 };
  let pinger = null;

  const typing = () => {
    typingSent.add(1);
    ws.send(
      JSON.stringify({
        type: 'publish',
        channel: name,
        event: 'user-typing',
        data: { name: `Member ${index}`, t: Date.now() },
        echo: false,
        ephemeral: true,
      }),
    );
  };

  const sendMessage = () => {
    const n = state.sent++;
    const body = JSON.stringify({
      eventType: 'message-sent',
      content: { t: Date.now(), from: sub, n, text: `message ${n} from member ${index}` },
    });
    http
      .asyncRequest('POST', `${BROKER_URL}/api/v1/channels/${encodeURIComponent(name)}/messages`, body, {
        headers: { Authorization: `Bearer ${SECRET_KEY}`, 'Content-Type': 'application/json', 'Idempotency-Key': `${sub}-${n}` },
        tags: { name: 'send' },
      })
      .then((res) => (res.status === 201 ? published.add(1) : publishFailed.add(1)));
  };

  /** Idle, then type (one event every 2 s), then send; again until the window closes. */
  const nextMessage = () => {
    const wait = Math.max(talkFrom - elapsed(), 0) + between(0.5, 1.5) * MESSAGE_EVERY_S * 1000 - TYPING_MAX_MS;
    setTimeout(
      () => {
        const typeFor = between(TYPING_MIN_MS, TYPING_MAX_MS);
        if (elapsed() + typeFor > talkUntil) return;
        for (let at = 0; at < typeFor; at += TYPING_THROTTLE_MS) setTimeout(typing, at);
        setTimeout(() => {
          sendMessage();
          nextMessage();
        }, typeFor);
      },
      Math.max(0, wait),
    );
  };

  ws.onmessage = (event) => {
    const frame = JSON.parse(event.data);
    switch (frame.type) {
      case 'connected': {
        connectMs.add(Date.now() - started);
        // Presence members must ping within the broker's pingInterval (8 s), or they are closed.
        pinger = setInterval(() => ws.readyState === 1 && ws.send('{"type":"ping"}'), Math.min(frame.pingInterval || 8000, 8000) * 0.75);
        ws.send(JSON.stringify({ type: 'subscribe', channel: name }));
        break;
      }
      case 'subscribed':
        if (state.tracker === null) {
          state.tracker = new Tracker(frame.seq);
          subscriptionsReady.add(1);
          nextMessage();
        }
        break;
      case 'message':
        if (frame.eventType === 'user-typing') {
          if (frame.clientId === sub) typingEchoed.add(1);
          typingReceived.add(1);
          if (frame.data && typeof frame.data.t === 'number') typingMs.add(Date.now() - frame.data.t);
        } else if (state.tracker !== null) {
          state.tracker.accept(frame);
        }
        break;
      case 'error':
        wsErrors.add(1, { code: frame.code });
        break;
      default:
        break; // presence, pong
    }
  };
  ws.onerror = () => wsErrors.add(1, { reason: 'socket' });
  ws.onclose = () => pinger !== null && clearInterval(pinger);
  return state;
}

export default function (run) {
  const { first, count } = mySockets(TOTAL, SOCKETS_PER_VU);
  const members = [];
  for (let k = 0; k < count; k++) members.push(member(run, first + k));
  // After the grace period: count what never arrived, check history holds no typing, close.
  setTimeout(() => {
    const heads = {};
    for (const m of members) {
      if (!(m.name in heads)) {
        heads[m.name] = latestSeq(m.name);
        const res = http.get(`${BROKER_URL}/api/v1/channels/${encodeURIComponent(m.name)}/messages?eventType=user-typing&pageSize=1`, {
          headers: { Authorization: `Bearer ${SECRET_KEY}` },
          tags: { name: 'history' },
        });
        if (res.status === 200) typingStored.add(res.json('data.pagination.total') || 0);
      }
      if (m.tracker !== null) m.tracker.finish(heads[m.name]);
      m.ws.close();
    }
  }, msUntil(holdSeconds));
}

const table = summary('chat');
export function handleSummary(data) {
  const out = table(data);
  const m = data.metrics;
  const v = (name, stat) => (m[name] ? m[name].values[stat] : undefined);
  const fmt = (x) => (x === undefined ? '-' : Number.isInteger(x) ? String(x) : x.toFixed(2));
  out.stdout += [
    `typing_sent      count  ${fmt(v('typing_sent', 'count'))}`,
    `typing_received  count  ${fmt(v('typing_received', 'count'))}  (echoed ${fmt(v('typing_echoed', 'count') || 0)}, stored ${fmt(v('typing_stored', 'count') || 0)})`,
    `typing_ms        p(50) ${fmt(v('typing_ms', 'p(50)'))}  p(95) ${fmt(v('typing_ms', 'p(95)'))}  p(99) ${fmt(v('typing_ms', 'p(99)'))}`,
    '',
  ].join('\n');
  return out;
}
