// Fan-out latency and loss: S subscribers over C channels, one publisher at a fixed
// arrival rate. Every payload carries its publish time and a counter.
//
//   k6 run load/fanout.js                       (broker at BROKER_URL, default http://127.0.0.1:8787)
//   SUBSCRIBERS=1000 CHANNELS=1 RATE=10 DURATION=60s k6 run load/fanout.js
import exec from 'k6/execution';
import { setTimeout } from 'k6/timers';
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

const SUBSCRIBERS = envInt('SUBSCRIBERS', 100);
const CHANNELS = envInt('CHANNELS', 10);
const RATE = envInt('RATE', 20);
const DURATION = env('DURATION', '30s');
const PAYLOAD_BYTES = envInt('PAYLOAD_BYTES', 100);
const SOCKETS_PER_VU = envInt('SOCKETS_PER_VU', 50);
/** Time for every socket to connect and subscribe before publishing starts. */
const CONNECT_WAIT = env('CONNECT_WAIT', '10s');
/** Time after the last publish for stragglers to arrive. */
const GRACE = env('GRACE', '5s');

const channel = (run, i) => `load:${run.runId}-ch${i % CHANNELS}`;

export const setup = setupRun;
const subscriberVUs = Math.ceil(SUBSCRIBERS / SOCKETS_PER_VU);
const holdSeconds = seconds(CONNECT_WAIT) + seconds(DURATION) + seconds(GRACE);

export const options = {
  scenarios: streamScenarios({ subscriberVUs, holdSeconds, rate: RATE, duration: DURATION, connectWait: CONNECT_WAIT }),
  thresholds: { ...latencyThresholds(), subscriptions_ready: [`count==${SUBSCRIBERS}`] },
  summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(50)', 'p(95)', 'p(99)'],
};

export function subscribers(run) {
  const { first, count } = mySockets(SUBSCRIBERS, SOCKETS_PER_VU);
  const sockets = [];
  for (let k = 0; k < count; k++) sockets.push(openSubscriber([channel(run, first + k)]));
  // Hold until the stream (plus grace) is over, then count what never arrived.
  setTimeout(() => {
    const heads = {};
    for (const s of sockets) {
      for (const [name, tracker] of Object.entries(s.trackers)) {
        if (!(name in heads)) heads[name] = latestSeq(name);
        tracker.finish(heads[name]);
      }
      s.ws.close();
    }
  }, msUntil(holdSeconds));
}

export function publisher(run) {
  const n = exec.scenario.iterationInTest;
  publish(channel(run, n), n, PAYLOAD_BYTES);
}

export const handleSummary = summary('fanout');
