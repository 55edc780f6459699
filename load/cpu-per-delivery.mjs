#!/usr/bin/env node
/**
 * CPU per delivery without k6: N Node WebSocket subscribers on one channel,
 * M publishes (20/s), the target's workerd CPU from /proc. First M publishes
 * to a channel nobody is on (the fixed cost of a publish), then M to the
 * subscribed channel. Targets: `broker` (as `pnpm broker` runs it), `naive`
 * (load/baseline/naive-do.mjs), `naive-h` (the same with the Hibernation API,
 * as the broker uses). Linux only (/proc). Run inside the load lock:
 *
 *   flock /tmp/switchyard-load.lock node load/cpu-per-delivery.mjs broker 1000 200
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startBroker } from '../broker/scripts/launcher.mjs';
const kind = process.argv[2];
const N = Number(process.argv[3] ?? 1000);
const M = Number(process.argv[4] ?? 200);
function cpu(pgid) {
  let c = 0;
  for (const p of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const st = readFileSync(`/proc/${p}/stat`, 'utf8');
      const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
      if (Number(f[2]) === pgid && st.includes('(workerd)')) c += (Number(f[11]) + Number(f[12])) / 100;
    } catch {}
  }
  return c;
}
let url, pgid, stop;
if (kind === 'broker') {
  const b = await startBroker({
    port: 0,
    stateDir: mkdtempSync(join(tmpdir(), 'switchyard-cpu-')),
    stdio: 'ignore',
    vars: { PUBLISH_RATE_PER_SECOND: '1000000', ...(process.env.SHARDS ? { SHARD_COUNT: process.env.SHARDS } : {}) },
  });
  url = b.url;
  pgid = b.process.pid;
  stop = () => b.stop();
} else {
  const port = await freePort();
  const child = spawn(process.execPath, [new URL('./baseline/naive-do.mjs', import.meta.url).pathname], {
    env: { ...process.env, PORT: String(port), NAIVE_HIBERNATE: kind === 'naive-h' ? '1' : '0' },
    detached: true,
    stdio: 'ignore',
  });
  url = `http://127.0.0.1:${port}`;
  pgid = child.pid;
  stop = async () => process.kill(-child.pid, 'SIGTERM');
  for (;;) {
    try {
      if ((await fetch(`${url}/health`)).ok) break;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
}
const ch = 'm:1';
let received = 0;
const sockets = [];
await Promise.all(
  Array.from(
    { length: N },
    () =>
      new Promise((res) => {
        const ws = new WebSocket(`${url.replace('http', 'ws')}/ws?token=pub_local_dev`);
        ws.onmessage = (e) => {
          const f = JSON.parse(e.data);
          if (f.type === 'connected') ws.send(JSON.stringify({ type: 'subscribe', channel: ch }));
          else if (f.type === 'subscribed') res();
          else if (f.type === 'message') received++;
        };
        sockets.push(ws);
      }),
  ),
);
await new Promise((r) => setTimeout(r, 1000));
const pub = (c) =>
  fetch(`${url}/api/v1/channels/${c}/messages`, {
    method: 'POST',
    headers: { Authorization: 'Bearer sec_local_dev', 'Content-Type': 'application/json' },
    body: JSON.stringify({ content: { t: Date.now(), pad: 'x'.repeat(100) } }),
  });
// fixed cost: a channel nobody is on
let c0 = cpu(pgid);
for (let i = 0; i < M; i++) {
  await pub('m:empty');
  await new Promise((r) => setTimeout(r, 20));
}
const empty = cpu(pgid) - c0;
c0 = cpu(pgid);
for (let i = 0; i < M; i++) {
  await pub(ch);
  await new Promise((r) => setTimeout(r, 50));
}
while (received < N * M) await new Promise((r) => setTimeout(r, 50));
const full = cpu(pgid) - c0;
console.log(
  `${kind}: per message with no subscribers ${((empty / M) * 1e3).toFixed(2)} ms; per delivery to ${N}: ${((full / (N * M)) * 1e6).toFixed(1)} µs (fixed share ${((empty / (N * M)) * 1e6).toFixed(1)} µs)`,
);
for (const ws of sockets) ws.close();
await stop();
process.exit(0);
