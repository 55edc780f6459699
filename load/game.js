// Multiplayer game moves: MATCHES matches × PLAYERS players, each player one socket
// with a signed token (subscribe, publish, presence on `game:match-…`), sending its
// position as a `player-moved` client event at MOVE_HZ (ephemeral, not echoed), the
// way apps/game does. Every move carries the sender's counter and send time; every
// other player in the match checks, per sender, that each move arrives once and in
// order, and at the end counts the moves that never came. Only a broker is needed
// (tokens are minted inside k6).
//
// The broker allows CLIENT_EVENTS_PER_SECOND (20) client events per socket, a token
// bucket holding 20: 20 Hz on a 50 ms timer stays inside it; any refusal is counted
// (rate_limited, threshold 0).
//
// COALESCE=1 (the runner's default for this script) opts the sockets in to coalesced
// frames: several per WebSocket message, joined by `\n`.
//
//   MATCHES=50 PLAYERS=4 MOVE_HZ=20 DURATION=60s COALESCE=1 k6 run load/game.js
import exec from 'k6/execution';
import { Counter } from 'k6/metrics';
import { clearInterval, setInterval, setTimeout } from 'k6/timers';
import { WebSocket } from 'k6/websockets';
import {
  connectMs,
  deliveryMs,
  duplicate,
  COALESCE,
  env,
  envInt,
  frames,
  latencyThresholds,
  lost,
  msUntil,
  mySockets,
  outOfOrder,
  received,
  seconds,
  setupRun,
  summary,
  WS_URL,
  wsErrors,
} from './lib/common.js';
import { mintToken } from './lib/token.js';

const MATCHES = envInt('MATCHES', 10);
const PLAYERS = envInt('PLAYERS', 4);
const MOVE_HZ = envInt('MOVE_HZ', 20);
const DURATION = env('DURATION', '30s');
const SOCKETS_PER_VU = envInt('SOCKETS_PER_VU', 20);
const CONNECT_WAIT = env('CONNECT_WAIT', '10s');
const GRACE = env('GRACE', '5s');

const TOTAL = MATCHES * PLAYERS;
/** Every player sends exactly this many moves, so receivers know what to expect. */
const MOVES = Math.floor(seconds(DURATION) * MOVE_HZ);
const holdSeconds = seconds(CONNECT_WAIT) + seconds(DURATION) + seconds(GRACE);

const subscriptionsReady = new Counter('subscriptions_ready');
const movesSent = new Counter('moves_sent');
const rateLimited = new Counter('rate_limited');
/** Moves that came back to their own sender (must be none: echo is off). */
const echoed = new Counter('moves_echoed');

export const options = {
  scenarios: {
    players: {
      executor: 'per-vu-iterations',
      vus: Math.ceil(TOTAL / SOCKETS_PER_VU),
      iterations: 1,
      maxDuration: `${Math.ceil(holdSeconds + 60)}s`,
    },
  },
  thresholds: {
    ...latencyThresholds(),
    subscriptions_ready: [`count==${TOTAL}`],
    moves_sent: [`count==${TOTAL * MOVES}`],
    messages_received: [`count==${TOTAL * (PLAYERS - 1) * MOVES}`],
    rate_limited: ['count==0'],
    moves_echoed: ['count==0'],
    ws_errors: ['count==0'],
  },
  summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(50)', 'p(95)', 'p(99)'],
};

export const setup = setupRun;

const channel = (run, match) => `game:match-${run.runId}-${match}`;
const playerId = (run, index) => `p-${run.runId}-${index}`;

/** One player: a socket with its own token; moves at MOVE_HZ from CONNECT_WAIT on; tracks everyone else's moves. */
function player(run, index) {
  const match = Math.floor(index / PLAYERS);
  const name = channel(run, match);
  const me = playerId(run, index);
  const token = mintToken({ sub: me, cap: { [name]: ['subscribe', 'publish', 'presence'] }, info: { name: `Player ${index}` } });
  const started = Date.now();
  const ws = new WebSocket(`${WS_URL}/ws?token=${encodeURIComponent(token)}${COALESCE ? '&coalesce=1' : ''}`);
  /** Per sender: the last counter seen and how many distinct moves arrived. */
  const from = {};
  for (let p = 0; p < PLAYERS; p++) {
    const other = playerId(run, match * PLAYERS + p);
    if (other !== me) from[other] = { last: 0, count: 0 };
  }
  const state = { ws, from, subscribed: false };
  let pinger = null;
  let mover = null;

  const startMoving = () => {
    let n = 0;
    let x = 100 + index;
    mover = setInterval(() => {
      if (n >= MOVES) {
        clearInterval(mover);
        return;
      }
      n++;
      x = x >= 900 ? 100 : x + 11;
      if (ws.readyState !== 1) return; // counted as lost by every receiver
      ws.send(
        JSON.stringify({
          type: 'publish',
          channel: name,
          event: 'player-moved',
          data: { x, y: 300, moving: true, n, t: Date.now() },
          echo: false,
          ephemeral: true,
        }),
      );
      movesSent.add(1);
    }, 1000 / MOVE_HZ);
  };

  ws.onmessage = (event) => {
    for (const frame of frames(event.data)) onFrame(frame);
  };
  const onFrame = (frame) => {
    switch (frame.type) {
      case 'connected':
        connectMs.add(Date.now() - started);
        // Presence members must ping within the broker's pingInterval (8 s), or they are closed.
        pinger = setInterval(() => ws.readyState === 1 && ws.send('{"type":"ping"}'), Math.min(frame.pingInterval || 8000, 8000) * 0.75);
        ws.send(JSON.stringify({ type: 'subscribe', channel: name }));
        break;
      case 'subscribed':
        if (!state.subscribed) {
          state.subscribed = true;
          subscriptionsReady.add(1);
          setTimeout(startMoving, Math.max(0, seconds(CONNECT_WAIT) * 1000 - (Date.now() - exec.scenario.startTime)));
        }
        break;
      case 'message': {
        if (frame.eventType !== 'player-moved') break;
        if (frame.clientId === me) {
          echoed.add(1);
          break;
        }
        const s = from[frame.clientId];
        const n = frame.data?.n;
        if (s === undefined || typeof n !== 'number') break;
        if (n === s.last) {
          duplicate.add(1);
          break;
        }
        if (n < s.last) {
          outOfOrder.add(1); // arrived after a later move from the same sender
        } else {
          s.last = n;
        }
        s.count++;
        received.add(1);
        if (typeof frame.data.t === 'number') deliveryMs.add(Date.now() - frame.data.t);
        break;
      }
      case 'error':
        if (frame.code === 'RATE_LIMITED') rateLimited.add(1);
        wsErrors.add(1, { code: frame.code });
        break;
      default:
        break; // presence, pong
    }
  };
  ws.onerror = () => wsErrors.add(1, { reason: 'socket' });
  ws.onclose = () => {
    if (pinger !== null) clearInterval(pinger);
    if (mover !== null) clearInterval(mover);
  };
  return state;
}

export default function (run) {
  const { first, count } = mySockets(TOTAL, SOCKETS_PER_VU);
  const players = [];
  for (let k = 0; k < count; k++) players.push(player(run, first + k));
  // After the grace period: every sender sent exactly MOVES; whatever did not arrive is lost.
  setTimeout(() => {
    for (const p of players) {
      for (const s of Object.values(p.from)) if (s.count < MOVES) lost.add(MOVES - s.count);
      p.ws.close();
    }
  }, msUntil(holdSeconds));
}

const table = summary('game');
export function handleSummary(data) {
  const out = table(data);
  const m = data.metrics;
  const v = (name) => (m[name] ? m[name].values.count : 0);
  out.stdout += [
    `moves_sent       count  ${v('moves_sent')}  (${MATCHES} matches × ${PLAYERS} players × ${MOVES} moves at ${MOVE_HZ} Hz)`,
    `rate_limited     count  ${v('rate_limited')}`,
    `moves_echoed     count  ${v('moves_echoed')}`,
    '',
  ].join('\n');
  return out;
}
