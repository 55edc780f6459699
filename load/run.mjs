#!/usr/bin/env node
/**
 * Runs a k6 script against a fresh target and reports what the target cost.
 *
 *   node load/run.mjs fanout                 # fresh broker, load/fanout.js, broker stopped after
 *   node load/run.mjs fanout --smoke         # seconds and small numbers, same thresholds (CI)
 *   node load/run.mjs fanout --baseline      # the same script against the bare Node ws server
 *   node load/run.mjs fanout --naive         # … against a naive one-object Durable Object broker on workerd
 *   node load/run.mjs fanout --compare       # all three, one after the other, with the ratios
 *
 * The broker is started as `pnpm broker` starts it (the deploy bundle on one
 * workerd, direct socket). With two or more CPUs the target is pinned to CPU 0
 * and k6 to CPU 1 (`taskset`; PIN=0 turns it off), so latency is the target's.
 * CPU, memory and descriptors come from /proc where there is one.
 *   BROKER_URL=https://my.broker node load/run.mjs fanout   # an existing broker: nothing is started
 *
 * Every knob of the scripts (SUBSCRIBERS, CHANNELS, RATE, DURATION, …) passes
 * through from the environment. k6 is installed when missing (`go install
 * go.k6.io/k6@K6_VERSION` into .tools/bin). Exit code: k6's (99 when a
 * threshold failed).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, REPO_DIR, settingsFromEnv, startBroker } from '../broker/scripts/launcher.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
export const K6_VERSION = 'v1.8.1';
const TOOLS_BIN = join(REPO_DIR, '.tools', 'bin');

const SMOKE = {
  fanout: { SUBSCRIBERS: '20', CHANNELS: '2', RATE: '20', DURATION: '5s', CONNECT_WAIT: '3s', GRACE: '2s', SOCKETS_PER_VU: '10' },
  reconnect: {
    SUBSCRIBERS: '10',
    CHANNELS: '2',
    RATE: '20',
    DURATION: '6s',
    CONNECT_WAIT: '3s',
    GRACE: '3s',
    DROP_EVERY_MS: '800',
    SOCKETS_PER_VU: '5',
  },
  connections: { TARGET: '200', CHANNELS: '20', RAMP: '3s', HOLD: '3s', SOCKETS_PER_VU: '50' },
  game: { MATCHES: '3', PLAYERS: '4', MOVE_HZ: '20', DURATION: '5s', CONNECT_WAIT: '3s', GRACE: '3s', SOCKETS_PER_VU: '6' },
  chat: {
    ROOMS: '4',
    MEMBERS: '3',
    DURATION: '8s',
    MESSAGE_EVERY_S: '2',
    TYPING_MIN_MS: '1000',
    TYPING_MAX_MS: '2500',
    CONNECT_WAIT: '3s',
    GRACE: '3s',
    SOCKETS_PER_VU: '6',
  },
};

function log(...args) {
  console.log('\x1b[2m[load]\x1b[0m', ...args);
}

/** k6 on PATH, in .tools/bin, or built now from the Go module proxy. */
export function ensureK6() {
  const onPath = spawnSync('k6', ['version'], { encoding: 'utf8' });
  if (onPath.status === 0) return 'k6';
  const local = join(TOOLS_BIN, 'k6');
  if (existsSync(local)) return local;
  const go = spawnSync('go', ['version'], { encoding: 'utf8' });
  if (go.status !== 0)
    throw new Error('k6 is not installed and Go is not available to build it: install k6 (https://grafana.com/docs/k6/) or Go');
  log(`building k6 ${K6_VERSION} with go install (a few minutes, once)…`);
  mkdirSync(TOOLS_BIN, { recursive: true });
  const built = spawnSync('go', ['install', `go.k6.io/k6@${K6_VERSION}`], { stdio: 'inherit', env: { ...process.env, GOBIN: TOOLS_BIN } });
  if (built.status !== 0 || !existsSync(local)) throw new Error('go install go.k6.io/k6 failed');
  return local;
}

const HAS_PROC = existsSync('/proc/self/stat');

/** '30s', '2m', '1500ms' or plain seconds → seconds (null when unset). */
function durationSeconds(text) {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(String(text ?? ''));
  if (!m) return null;
  const n = Number(m[1]);
  return m[2] === 'ms' ? n / 1000 : m[2] === 'm' ? n * 60 : n;
}

/**
 * CPU seconds, resident memory and open descriptors of the target's processes
 * (same process group, name containing `comm`), from /proc; null where there
 * is no /proc (macOS, Windows): the runner then says so instead of guessing.
 */
function usage(pgid, comm) {
  if (!HAS_PROC || pgid <= 0) return null;
  let cpu = 0;
  let rss = 0;
  let fds = 0;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) !== pgid || !name.includes(comm)) continue;
      cpu += (Number(fields[11]) + Number(fields[12])) / 100;
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      rss += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024;
      if (comm === 'workerd') fds += readdirSync(`/proc/${pid}/fd`).length;
    } catch {
      // gone
    }
  }
  return { cpu, rss, fds };
}

/** Processes of a group (from /proc), for pinning. */
function groupPids(pgid) {
  if (!HAS_PROC) return [];
  const out = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]) === pgid) out.push(Number(pid));
    } catch {
      // gone
    }
  }
  return out;
}

/**
 * Core pinning, so the latency measured is the target's and not k6's: the
 * target on CPU 0, k6 on CPU 1 (and the rest), when there are two or more
 * CPUs and `taskset` exists. PIN=0 turns it off.
 */
const PIN = (() => {
  if (process.env.PIN === '0' || cpus().length < 2) return null;
  if (spawnSync('taskset', ['--version'], { encoding: 'utf8' }).status !== 0) return null;
  return { target: '0', k6: cpus().length > 2 ? `1-${cpus().length - 1}` : '1' };
})();

function pinGroup(pgid, list) {
  for (const pid of groupPids(pgid)) spawnSync('taskset', ['-a', '-p', '-c', list, String(pid)], { stdio: 'ignore' });
}

async function waitHealthy(url) {
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(`${url}/health`)).ok) return;
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not come up`);
}

/** A server script in its own process group (the bare ws server, the naive Durable Object). */
async function startScript(file, comm) {
  const port = await freePort();
  const child = spawn(process.execPath, [join(HERE, 'baseline', file)], {
    env: { ...process.env, PORT: String(port) },
    detached: true,
    stdio: 'ignore',
  });
  const url = `http://127.0.0.1:${port}`;
  await waitHealthy(url);
  return {
    url,
    pgid: child.pid,
    comm,
    stop: async () => {
      const exited = new Promise((r) => child.once('exit', r));
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        return;
      }
      const t = setTimeout(() => {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // gone
        }
      }, 5000);
      await exited;
      clearTimeout(t);
    },
  };
}

export const TARGETS = {
  broker: 'the broker as `pnpm broker` starts it',
  naive: 'a naive one-object Durable Object broker on the same workerd',
  baseline: 'the bare Node ws server',
};

async function startTarget(kind) {
  // Node names its main thread 'MainThread': '' matches every process of the group.
  if (kind === 'baseline') return startScript('server.mjs', '');
  if (kind === 'naive') return startScript('naive-do.mjs', 'workerd');
  const stateDir = mkdtempSync(join(tmpdir(), 'switchyard-load-'));
  // The same launcher and runtime as `pnpm broker` (deploy bundle, one workerd, direct socket), without the file watcher.
  // BROKER_RUNTIME=wrangler measures the broker through `wrangler dev` instead (`pnpm broker -- --wrangler`).
  const broker = await startBroker({
    port: 0,
    stateDir,
    stdio: 'ignore',
    vars: pickVars(),
    runtime: process.env.BROKER_RUNTIME === 'wrangler' ? 'wrangler' : 'workerd',
  });
  return {
    url: broker.url,
    pgid: broker.process.pid,
    comm: 'workerd',
    stop: async () => {
      await broker.stop();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

/** Broker settings to pass through (every one in broker/src/settings-table.js, e.g. SHARD_COUNT=1 pnpm load:game). */
function pickVars() {
  // The per-key publish limiter is not what a load test measures.
  return { PUBLISH_RATE_PER_SECOND: '1000000', ...settingsFromEnv() };
}

/** Knobs a script gets from the runner unless set: the game's sockets opt in to coalesced frames. */
const RUNNER_DEFAULTS = { game: { COALESCE: '1' } };

function trend(summary, name) {
  const v = summary?.metrics?.[name]?.values;
  return v ? { p50: v['p(50)'] ?? v.med, p95: v['p(95)'], p99: v['p(99)'], max: v.max } : null;
}
const count = (summary, name) => summary?.metrics?.[name]?.values?.count ?? 0;

async function runOnce(script, kind, { smoke }) {
  const k6 = ensureK6();
  const external = process.env.BROKER_URL && kind === 'broker';
  const target = external ? { url: process.env.BROKER_URL, pgid: -1, comm: '', stop: async () => undefined } : await startTarget(kind);
  if (PIN && target.pgid > 0) pinGroup(target.pgid, PIN.target);
  const resultsDir = join(HERE, 'results', `${script}-${kind}-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  mkdirSync(resultsDir, { recursive: true });
  const env = {
    ...(RUNNER_DEFAULTS[script] ?? {}),
    ...process.env,
    ...(smoke ? SMOKE[script] : {}),
    BROKER_URL: target.url,
    SUMMARY_DIR: resultsDir,
    K6_NO_USAGE_REPORT: 'true',
  };
  const pinned = PIN && target.pgid > 0 ? `, pinned: target CPU ${PIN.target}, k6 CPU ${PIN.k6}` : PIN ? '' : ', not pinned';
  log(
    `${script} against ${TARGETS[kind]} at ${target.url}${smoke ? ' (smoke)' : ''}${pinned}; load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );

  let peakRss = 0;
  let peakFds = 0;
  const before = usage(target.pgid, target.comm);
  const sampler = setInterval(() => {
    const u = usage(target.pgid, target.comm);
    if (u) {
      peakRss = Math.max(peakRss, u.rss);
      peakFds = Math.max(peakFds, u.fds);
    }
  }, 250);
  const started = Date.now();
  // The target's CPU when publishing starts (k6 start + CONNECT_WAIT): splits connecting from streaming.
  let atStream = null;
  const connectWait = script === 'connections' ? null : durationSeconds(env.CONNECT_WAIT ?? '10s');
  const streamTimer = connectWait === null ? null : setTimeout(() => (atStream = usage(target.pgid, target.comm)), connectWait * 1000);
  let k6Cpu = null;
  const code = await new Promise((resolve) => {
    const k6Args = ['run', '--quiet', '--no-usage-report', join(HERE, `${script}.js`)];
    const child = PIN
      ? spawn('taskset', ['-c', PIN.k6, k6, ...k6Args], { env, stdio: 'inherit', detached: true })
      : spawn(k6, k6Args, { env, stdio: 'inherit', detached: true });
    const k6Sampler = setInterval(() => {
      const u = usage(child.pid, 'k6');
      if (u) k6Cpu = Math.max(k6Cpu ?? 0, u.cpu);
    }, 250);
    child.on('exit', (c) => {
      clearInterval(k6Sampler);
      resolve(c ?? 1);
    });
  });
  clearInterval(sampler);
  clearTimeout(streamTimer);
  const after = usage(target.pgid, target.comm);
  await target.stop();

  let summary = null;
  try {
    summary = JSON.parse(readFileSync(join(resultsDir, `${script}.json`), 'utf8'));
  } catch {
    // no summary
  }
  const deliveries = count(summary, 'messages_received');
  const cpu = before && after ? after.cpu - before.cpu : null;
  const report = {
    script,
    target: kind,
    smoke,
    date: new Date().toISOString(),
    machine: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB`,
    loadAverage: loadavg().map((l) => Number(l.toFixed(2))),
    pinned: PIN && target.pgid > 0 ? PIN : null,
    coalesce: env.COALESCE === '1',
    seconds: (Date.now() - started) / 1000,
    deliveries,
    lost: count(summary, 'messages_lost'),
    duplicate: count(summary, 'messages_duplicate'),
    outOfOrder: count(summary, 'messages_out_of_order'),
    deliveryMs: trend(summary, 'delivery_ms'),
    connectMs: trend(summary, 'ws_connect_ms'),
    targetCpuSeconds: cpu === null ? null : Number(cpu.toFixed(2)),
    cpuMicrosPerDelivery: cpu !== null && deliveries > 0 ? Number(((cpu * 1e6) / deliveries).toFixed(1)) : null,
    // The same from the first publish on: connecting and subscribing the sockets left out.
    streamCpuSeconds: atStream && after ? Number((after.cpu - atStream.cpu).toFixed(2)) : null,
    streamCpuMicrosPerDelivery:
      atStream && after && deliveries > 0 ? Number((((after.cpu - atStream.cpu) * 1e6) / deliveries).toFixed(1)) : null,
    peakRssMiB: HAS_PROC && target.pgid > 0 ? Number((peakRss / 2 ** 20).toFixed(1)) : null,
    peakDescriptors: HAS_PROC && target.comm === 'workerd' ? peakFds : null,
    k6CpuSeconds: k6Cpu === null ? null : Number(k6Cpu.toFixed(2)),
    k6Exit: code,
  };
  writeFileSync(join(resultsDir, 'target.json'), JSON.stringify(report, null, 2));
  if (target.pgid > 0) {
    if (cpu === null) {
      log(`target: CPU and memory not measured (no /proc on this platform); results in ${resultsDir}`);
    } else {
      const fds = report.peakDescriptors ? `, peak ${report.peakDescriptors} descriptors` : '';
      const stream = report.streamCpuMicrosPerDelivery === null ? '' : ` (${report.streamCpuMicrosPerDelivery} µs while streaming)`;
      log(
        `target: cpu ${report.targetCpuSeconds} s, ${report.cpuMicrosPerDelivery ?? '-'} µs/delivery${stream}, peak RSS ${report.peakRssMiB} MiB${fds}; k6 cpu ${report.k6CpuSeconds ?? '-'} s; results in ${resultsDir}`,
      );
    }
  }
  return report;
}

const ms = (v) => (typeof v === 'number' ? v.toFixed(0) : '-');
/** The comparison table (Markdown, as RESULTS.md records it). */
function compareTable(reports) {
  const naive = reports.find((r) => r.target === 'naive');
  const bare = reports.find((r) => r.target === 'baseline');
  const ratio = (r, base, key = 'cpuMicrosPerDelivery') => (r[key] && base?.[key] ? `${(r[key] / base[key]).toFixed(2)}×` : '-');
  const rows = reports.map((r) => {
    const d = r.deliveryMs ?? {};
    const streaming =
      r.streamCpuMicrosPerDelivery === null ? '-' : `${r.streamCpuMicrosPerDelivery} µs (${ratio(r, naive, 'streamCpuMicrosPerDelivery')})`;
    return `| ${TARGETS[r.target]} | ${ms(d.p50)} / ${ms(d.p95)} / ${ms(d.p99)} | ${r.lost} / ${r.duplicate} / ${r.outOfOrder} of ${r.deliveries} | ${r.cpuMicrosPerDelivery ?? '-'} µs | ${ratio(r, naive)} | ${ratio(r, bare)} | ${streaming} | ${r.peakRssMiB ?? '-'} MiB |`;
  });
  return [
    `load average at the end: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
    '',
    '| target | delivery p50 / p95 / p99 ms | lost / dup / ooo | CPU per delivery | vs naive DO | vs bare ws | streaming only (vs naive) | peak RSS |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}

const args = process.argv.slice(2);
if (args.includes('--install-only')) {
  log(`k6: ${ensureK6()}`);
  process.exit(0);
}
const script = args.find((a) => !a.startsWith('--')) ?? 'fanout';
const smoke = args.includes('--smoke');
if (script === 'all' && smoke) {
  // Every script with a smoke setting, one after the other (what `./test` runs).
  let failed = 0;
  for (const name of Object.keys(SMOKE).filter((n) => existsSync(join(HERE, `${n}.js`)))) {
    const report = await runOnce(name, 'broker', { smoke: true }).catch((err) => {
      console.error(`[load] ${name}: ${err instanceof Error ? err.message : err}`);
      return { k6Exit: 1 };
    });
    if (report.k6Exit !== 0) failed++;
  }
  process.exit(failed === 0 ? 0 : 1);
}
if (!SMOKE[script]) {
  console.error(`unknown script '${script}': use ${Object.keys(SMOKE).join(', ')} (or all --smoke)`);
  process.exit(2);
}
try {
  if (args.includes('--selfcheck')) {
    // The thresholds must fail when messages are lost: run against a baseline that drops every 7th delivery.
    process.env.BASELINE_DROP_EVERY = '7';
    const report = await runOnce(script, 'baseline', { smoke: true });
    delete process.env.BASELINE_DROP_EVERY;
    if (report.k6Exit === 99) {
      log('self-check passed: a lossy target fails the thresholds');
      process.exit(0);
    }
    console.error(`[load] self-check FAILED: a lossy target passed (k6 exit ${report.k6Exit})`);
    process.exit(1);
  }
  if (args.includes('--compare')) {
    // One run, three targets, the same script and knobs: the ratios are only meaningful within a run.
    const reports = [];
    for (const kind of ['broker', 'naive', 'baseline']) reports.push(await runOnce(script, kind, { smoke }));
    const table = compareTable(reports);
    console.log(`\n${table}\n`);
    writeFileSync(join(HERE, 'results', `compare-${script}-${new Date().toISOString().replace(/[:.]/g, '-')}.md`), `${table}\n`);
    process.exit(reports.reduce((c, r) => c || r.k6Exit, 0));
  }
  const kind = args.includes('--baseline') ? 'baseline' : args.includes('--naive') ? 'naive' : 'broker';
  const report = await runOnce(script, kind, { smoke });
  process.exit(report.k6Exit);
} catch (err) {
  console.error(`[load] ${err instanceof Error ? err.message : err}`);
  process.exit(1);
}
