#!/usr/bin/env node
/**
 * Runs a k6 script against a fresh target and reports what the target cost.
 *
 *   node load/run.mjs fanout                 # fresh broker, load/fanout.js, broker stopped after
 *   node load/run.mjs fanout --smoke         # seconds and small numbers, same thresholds (CI)
 *   node load/run.mjs fanout --baseline      # the same script against the bare Node ws server
 *   node load/run.mjs fanout --compare       # both, one after the other, and the ratio
 *   BROKER_URL=https://my.broker node load/run.mjs fanout   # an existing broker: nothing is started
 *
 * Every knob of the scripts (SUBSCRIBERS, CHANNELS, RATE, DURATION, …) passes
 * through from the environment. k6 is installed when missing (`go install
 * go.k6.io/k6@K6_VERSION` into .tools/bin). Exit code: k6's (99 when a
 * threshold failed).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, REPO_DIR, startBroker } from '../broker/scripts/launcher.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
export const K6_VERSION = 'v1.8.1';
const TOOLS_BIN = join(REPO_DIR, '.tools', 'bin');

const SMOKE = {
  fanout: { SUBSCRIBERS: '20', CHANNELS: '2', RATE: '20', DURATION: '5s', CONNECT_WAIT: '3s', GRACE: '2s', SOCKETS_PER_VU: '10' },
  reconnect: { SUBSCRIBERS: '10', CHANNELS: '2', RATE: '20', DURATION: '6s', CONNECT_WAIT: '3s', GRACE: '3s', DROP_EVERY_MS: '800', SOCKETS_PER_VU: '5' },
  connections: { TARGET: '200', CHANNELS: '20', RAMP: '3s', HOLD: '3s', SOCKETS_PER_VU: '50' },
  game: { MATCHES: '3', PLAYERS: '4', MOVE_HZ: '20', DURATION: '5s', CONNECT_WAIT: '3s', GRACE: '3s', SOCKETS_PER_VU: '6' },
  chat: { ROOMS: '4', MEMBERS: '3', DURATION: '8s', MESSAGE_EVERY_S: '2', TYPING_MIN_MS: '1000', TYPING_MAX_MS: '2500', CONNECT_WAIT: '3s', GRACE: '3s', SOCKETS_PER_VU: '6' },
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
  if (go.status !== 0) throw new Error('k6 is not installed and Go is not available to build it: install k6 (https://grafana.com/docs/k6/) or Go');
  log(`building k6 ${K6_VERSION} with go install (a few minutes, once)…`);
  mkdirSync(TOOLS_BIN, { recursive: true });
  const built = spawnSync('go', ['install', `go.k6.io/k6@${K6_VERSION}`], { stdio: 'inherit', env: { ...process.env, GOBIN: TOOLS_BIN } });
  if (built.status !== 0 || !existsSync(local)) throw new Error('go install go.k6.io/k6 failed');
  return local;
}

/** CPU seconds and resident memory of the target's processes (same process group). */
function usage(pgid, comm) {
  let cpu = 0;
  let rss = 0;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) !== pgid || !name.includes(comm)) continue;
      cpu += (Number(fields[11]) + Number(fields[12])) / 100;
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      rss += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024;
    } catch {
      // gone
    }
  }
  return { cpu, rss };
}

async function startTarget(kind) {
  if (kind === 'baseline') {
    const port = await freePort();
    const child = spawn(process.execPath, [join(HERE, 'baseline', 'server.mjs')], { env: { ...process.env, PORT: String(port) }, detached: true, stdio: 'ignore' });
    const url = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 100; i++) {
      try {
        if ((await fetch(`${url}/health`)).ok) break;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    return {
      url,
      pgid: child.pid,
      comm: '', // every process in its group (Node names its main thread 'MainThread')
      stop: async () => {
        try {
          process.kill(-child.pid, 'SIGTERM');
        } catch {
          // gone
        }
      },
    };
  }
  const stateDir = mkdtempSync(join(tmpdir(), 'switchyard-load-'));
  const broker = await startBroker({ port: 0, stateDir, stdio: 'ignore', logLevel: 'warn', vars: pickVars(), runtime: 'miniflare' });
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

/** Broker settings to pass through (e.g. SHARD_COUNT=32 pnpm load). */
function pickVars() {
  const names = ['SHARD_COUNT', 'PUBLISH_RATE_PER_SECOND', 'MAX_SUBSCRIPTIONS_PER_SOCKET', 'HEARTBEAT_TIMEOUT_MS'];
  const vars = { PUBLISH_RATE_PER_SECOND: '1000000' }; // the limiter is not what a load test measures
  for (const n of names) if (process.env[n]) vars[n] = process.env[n];
  return vars;
}

async function runOnce(script, kind, { smoke }) {
  const k6 = ensureK6();
  const external = process.env.BROKER_URL && kind === 'broker';
  const target = external ? { url: process.env.BROKER_URL, pgid: -1, comm: '', stop: async () => undefined } : await startTarget(kind);
  const resultsDir = join(HERE, 'results', `${script}-${kind}-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  mkdirSync(resultsDir, { recursive: true });
  const env = { ...process.env, ...(smoke ? SMOKE[script] : {}), BROKER_URL: target.url, SUMMARY_DIR: resultsDir, K6_NO_USAGE_REPORT: 'true' };
  log(`${script} against ${kind === 'baseline' ? 'the bare ws baseline' : 'the broker'} at ${target.url}${smoke ? ' (smoke)' : ''}`);

  let peakRss = 0;
  const before = target.pgid > 0 ? usage(target.pgid, target.comm) : { cpu: 0, rss: 0 };
  const sampler = setInterval(() => {
    if (target.pgid > 0) peakRss = Math.max(peakRss, usage(target.pgid, target.comm).rss);
  }, 250);
  const started = Date.now();
  let k6Cpu = 0;
  const code = await new Promise((resolve) => {
    const child = spawn(k6, ['run', '--quiet', '--no-usage-report', join(HERE, `${script}.js`)], { env, stdio: 'inherit', detached: true });
    const k6Sampler = setInterval(() => (k6Cpu = Math.max(k6Cpu, usage(child.pid, 'k6').cpu)), 250);
    child.on('exit', (c) => {
      clearInterval(k6Sampler);
      resolve(c ?? 1);
    });
  });
  clearInterval(sampler);
  const after = target.pgid > 0 ? usage(target.pgid, target.comm) : { cpu: 0, rss: 0 };
  await target.stop();

  let deliveries = 0;
  try {
    const summary = JSON.parse(readFileSync(join(resultsDir, `${script}.json`), 'utf8'));
    deliveries = summary.metrics.messages_received?.values.count ?? 0;
  } catch {
    // no summary
  }
  const cpu = after.cpu - before.cpu;
  const report = {
    script,
    target: kind,
    smoke,
    date: new Date().toISOString(),
    machine: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB`,
    seconds: (Date.now() - started) / 1000,
    deliveries,
    targetCpuSeconds: Number(cpu.toFixed(2)),
    cpuMicrosPerDelivery: deliveries > 0 ? Number(((cpu * 1e6) / deliveries).toFixed(1)) : null,
    peakRssMiB: Number((peakRss / 2 ** 20).toFixed(1)),
    k6CpuSeconds: Number(k6Cpu.toFixed(2)),
    k6Exit: code,
  };
  writeFileSync(join(resultsDir, 'target.json'), JSON.stringify(report, null, 2));
  if (target.pgid > 0) {
    log(`target: cpu ${report.targetCpuSeconds} s, ${report.cpuMicrosPerDelivery ?? '-'} µs/delivery, peak RSS ${report.peakRssMiB} MiB; k6 cpu ${report.k6CpuSeconds} s; results in ${resultsDir}`);
  }
  return report;
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
    const broker = await runOnce(script, 'broker', { smoke });
    const baseline = await runOnce(script, 'baseline', { smoke });
    const ratio = broker.cpuMicrosPerDelivery && baseline.cpuMicrosPerDelivery ? broker.cpuMicrosPerDelivery / baseline.cpuMicrosPerDelivery : null;
    log(`CPU per delivery: broker ${broker.cpuMicrosPerDelivery} µs, baseline ${baseline.cpuMicrosPerDelivery} µs → broker/baseline = ${ratio?.toFixed(2) ?? '-'}× (capacity ratio: the broker delivers ${ratio ? (1 / ratio).toFixed(2) : '-'}× the baseline's throughput per CPU second)`);
    process.exit(broker.k6Exit || baseline.k6Exit);
  }
  const report = await runOnce(script, args.includes('--baseline') ? 'baseline' : 'broker', { smoke });
  process.exit(report.k6Exit);
} catch (err) {
  console.error(`[load] ${err instanceof Error ? err.message : err}`);
  process.exit(1);
}
