// Lossless resume under churn: subscribers drop and reopen their sockets at random
// during a steady stream, resuming each channel from the last seq they saw.
// Asserts zero lost, zero duplicate, zero out of order across the run.
//
//   SUBSCRIBERS=50 CHANNELS=5 RATE=50 DURATION=30s k6 run load/reconnect.js
import exec from 'k6/execution';
import { setTimeout } from 'k6/timers';
import { Counter } from 'k6/metrics';
import {
  env,
  envInt,
  latencyThresholds,
  latestSeq,
  msUntil,
  mySockets,
  publish,
  seconds,
  setupRun,
  streamScenarios,
  summary,
} from './lib/common.js';
import { openSubscriber } from './lib/socket.js';

const SUBSCRIBERS = envInt('SUBSCRIBERS', 50);
const CHANNELS = envInt('CHANNELS', 5);
const RATE = envInt('RATE', 50);
const DURATION = env('DURATION', '30s');
const PAYLOAD_BYTES = envInt('PAYLOAD_BYTES', 100);
const SOCKETS_PER_VU = envInt('SOCKETS_PER_VU', 25);
/** Mean time a socket stays up before it is dropped (ms). */
const DROP_EVERY_MS = envInt('DROP_EVERY_MS', 2000);
/** How long a dropped socket stays down (ms). */
const DOWN_MS = envInt('DOWN_MS', 300);
const CONNECT_WAIT = env('CONNECT_WAIT', '5s');
const GRACE = env('GRACE', '5s');

const reconnects = new Counter('reconnects');
const channel = (run, i) => `reconnect:${run.runId}-ch${i % CHANNELS}`;

export const setup = setupRun;
const holdSeconds = seconds(CONNECT_WAIT) + seconds(DURATION) + seconds(GRACE);
const churnUntil = (seconds(CONNECT_WAIT) + seconds(DURATION)) * 1000;

export const options = {
  scenarios: streamScenarios({
    subscriberVUs: Math.ceil(SUBSCRIBERS / SOCKETS_PER_VU),
    holdSeconds,
    rate: RATE,
    duration: DURATION,
    connectWait: CONNECT_WAIT,
  }),
  // Latency is not the point here (replayed messages are late by design); loss and order are.
  thresholds: { ...latencyThresholds(), delivery_ms: [], reconnects: ['count>0'] },
  summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(50)', 'p(95)', 'p(99)'],
};

/** One subscriber that keeps dropping and resuming until the stream ends. */
function churn(name) {
  const start = exec.scenario.startTime;
  let current = openSubscriber([name], { onReady: schedule });
  function schedule(state) {
    const elapsed = Date.now() - start;
    if (elapsed > churnUntil) return;
    setTimeout(
      () => {
        if (Date.now() - start > churnUntil) return;
        const tracker = state.trackers[name];
        const epoch = state.epochs[name];
        state.ws.close();
        setTimeout(() => {
          reconnects.add(1);
          current = openSubscriber([name], { resume: { [name]: { seq: tracker.last, epoch, tracker } }, onReady: schedule });
        }, DOWN_MS);
      },
      Math.random() * 2 * DROP_EVERY_MS,
    );
  }
  return () => current;
}

export function subscribers(run) {
  const { first, count } = mySockets(SUBSCRIBERS, SOCKETS_PER_VU);
  const subs = [];
  for (let k = 0; k < count; k++) subs.push([channel(run, first + k), churn(channel(run, first + k))]);
  setTimeout(() => {
    const heads = {};
    for (const [name, current] of subs) {
      const s = current();
      if (!(name in heads)) heads[name] = latestSeq(name);
      if (s.trackers[name]) s.trackers[name].finish(heads[name]);
      s.ws.close();
    }
  }, msUntil(holdSeconds));
}

export function publisher(run) {
  const n = exec.scenario.iterationInTest;
  publish(channel(run, n), n, PAYLOAD_BYTES);
}

export const handleSummary = summary('reconnect');
