// Idle connection capacity: ramps sockets up to TARGET, each subscribed to one of
// C channels, holds them for HOLD, and reports connect time. The runner
// (`pnpm load:connections`) samples the broker's resident memory meanwhile.
//
//   TARGET=10000 HOLD=60s k6 run load/connections.js
import { setTimeout } from 'k6/timers';
import { Counter } from 'k6/metrics';
import { env, envInt, mySockets, seconds, setupRun, summary } from './lib/common.js';
import { openSubscriber } from './lib/socket.js';

const TARGET = envInt('TARGET', 1000);
const CHANNELS = envInt('CHANNELS', 100);
const SOCKETS_PER_VU = envInt('SOCKETS_PER_VU', 200);
const RAMP = env('RAMP', '30s');
const HOLD = env('HOLD', '60s');

/** Sockets that connected and subscribed. */
const ready = new Counter('sockets_ready');
/** Sockets that closed before the hold ended. */
const dropped = new Counter('sockets_dropped');
const vus = Math.ceil(TARGET / SOCKETS_PER_VU);

export const options = {
  scenarios: {
    idle: {
      executor: 'per-vu-iterations',
      vus,
      iterations: 1,
      maxDuration: `${Math.ceil(seconds(RAMP) + seconds(HOLD) + 60)}s`,
    },
  },
  thresholds: {
    ws_connect_ms: [`p(95)<${envInt('CONNECT_P95_MS', 1000)}`],
    ws_errors: ['count==0'],
    sockets_ready: [`count>=${TARGET}`],
    sockets_dropped: ['count==0'],
  },
  summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(50)', 'p(95)', 'p(99)'],
};

export const setup = setupRun;

export default function (run) {
  const { first, count } = mySockets(TARGET, SOCKETS_PER_VU);
  // Spread connects over RAMP: each VU opens its sockets at an even pace.
  const spacing = (seconds(RAMP) * 1000) / Math.max(1, count);
  const sockets = [];
  let holding = true;
  for (let k = 0; k < count; k++) {
    setTimeout(() => {
      sockets.push(
        openSubscriber([`idle:${run.runId}-ch${(first + k) % CHANNELS}`], {
          onReady: () => ready.add(1),
          onClose: () => holding && dropped.add(1),
        }),
      );
    }, k * spacing);
  }
  setTimeout(
    () => {
      holding = false;
      for (const s of sockets) s.ws.close();
    },
    (seconds(RAMP) + seconds(HOLD)) * 1000,
  );
}

export const handleSummary = summary('connections');
