#!/usr/bin/env node
/**
 * Rough fan-out capacity of one channel on this machine, for the capacity
 * model in ARCHITECTURE.md (the k6 scripts in load/ hold the latency budgets).
 *
 *   node broker/bench/fanout-throughput.mjs [subscribers=500] [messages=200] [shards=16]
 *
 * Starts a fresh broker, opens `subscribers` sockets on one channel, publishes
 * `messages` as fast as 8 concurrent publishers can, and reports deliveries/s
 * and the broker's CPU time per delivery (workerd's user+system time, from /proc).
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBroker } from '../scripts/launcher.mjs';

const [subscribers = 500, messages = 200, shards = 16] = process.argv.slice(2).map(Number);
const stateDir = mkdtempSync(join(tmpdir(), 'switchyard-bench-'));
const broker = await startBroker({ port: 0, stateDir, stdio: 'ignore', vars: { SHARD_COUNT: String(shards) } });

/** CPU seconds used by workerd processes in the broker's process group. */
function brokerCpuSeconds() {
  const tick = 100; // USER_HZ
  let total = 0;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const pgid = Number(fields[2]);
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      if (pgid === broker.process.pid && comm.includes('workerd')) total += (Number(fields[11]) + Number(fields[12])) / tick;
    } catch {
      // process went away
    }
  }
  return total;
}

const channel = 'bench:fanout';
const wsUrl = `${broker.url.replace('http', 'ws')}/ws?token=pub_local_dev`;
let received = 0;
const expected = subscribers * messages;
let done;
const finished = new Promise((r) => (done = r));
const sockets = [];
for (let i = 0; i < subscribers; i++) {
  const ws = new WebSocket(wsUrl);
  await new Promise((resolve, reject) => {
    ws.onmessage = (e) => {
      const frame = JSON.parse(e.data);
      if (frame.type === 'connected') ws.send(JSON.stringify({ type: 'subscribe', channel }));
      else if (frame.type === 'subscribed') resolve();
      else if (frame.type === 'message' && ++received === expected) done();
    };
    ws.onerror = reject;
  });
  sockets.push(ws);
}

const cpuBefore = brokerCpuSeconds();
const started = performance.now();
let next = 0;
await Promise.all(
  Array.from({ length: 8 }, async () => {
    while (next < messages) {
      next++;
      const res = await fetch(`${broker.url}/api/v1/channels/${encodeURIComponent(channel)}/messages`, {
        method: 'POST',
        headers: { Authorization: 'Bearer sec_local_dev', 'Content-Type': 'application/json' },
        body: JSON.stringify({ content: { t: Date.now(), pad: 'x'.repeat(100) } }),
      });
      if (res.status !== 201) throw new Error(`publish ${res.status}`);
    }
  }),
);
await finished;
const seconds = (performance.now() - started) / 1000;
const cpu = brokerCpuSeconds() - cpuBefore;
for (const ws of sockets) ws.close();
await broker.stop();
rmSync(stateDir, { recursive: true, force: true });

console.log(
  JSON.stringify({
    subscribers,
    messages,
    shards,
    deliveries: expected,
    seconds: Number(seconds.toFixed(2)),
    deliveriesPerSecond: Math.round(expected / seconds),
    publishesPerSecond: Math.round(messages / seconds),
    brokerCpuSeconds: Number(cpu.toFixed(2)),
    brokerCpuMicrosPerDelivery: Number(((cpu * 1e6) / expected).toFixed(1)),
  }),
);
