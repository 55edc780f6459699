#!/usr/bin/env node
/**
 * Starts the broker on workerd through `wrangler dev`, with its Durable Object
 * state in a directory of your choice, and waits until it answers /health.
 *
 * CLI:    node broker/scripts/launcher.mjs      (PORT, BROKER_STATE_DIR, broker settings from env)
 * Module: const broker = await startBroker({ port: 0, stateDir });  …  await broker.stop();
 */
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const BROKER_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const REPO_DIR = resolve(BROKER_DIR, '..');
export const DEFAULT_STATE_DIR = join(REPO_DIR, '.state', 'broker');

/** Broker settings that are passed through from the environment (see src/env.ts). */
const SETTINGS = [
  'PUBLISH_KEYS',
  'SECRET_KEYS',
  'MANAGEMENT_KEYS',
  'ALLOW_DEV_KEYS',
  'SHARD_COUNT',
  'HISTORY_TTL_SECONDS',
  'HISTORY_MAX_MESSAGES',
  'MAX_REPLAY',
  'MAX_SUBSCRIPTIONS_PER_SOCKET',
  'SOCKET_FRAMES_PER_SECOND',
  'HEARTBEAT_TIMEOUT_MS',
  'WEBHOOK_URL',
  'WEBHOOK_SECRET',
  'WEBHOOK_VACATE_DELAY_MS',
  'WEBHOOK_CLIENT_EVENTS',
  'WEBHOOK_MAX_QUEUED',
];

export function freePort() {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => res(port));
    });
  });
}

async function waitHealthy(url, child, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`broker exited (${child.exitCode ?? child.signalCode}) before it was ready`);
    try {
      const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) });
      if (res.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`broker did not answer ${url}/health within ${timeoutMs} ms`);
}

/**
 * @param {{ port?: number, host?: string, stateDir?: string, vars?: Record<string,string>,
 *           stdio?: 'inherit'|'pipe'|'ignore', readyTimeoutMs?: number, logLevel?: string,
 *           runtime?: 'wrangler'|'miniflare' }} [options]
 */
export async function startBroker(options = {}) {
  const host = options.host ?? '127.0.0.1';
  const port = options.port === 0 || options.port === undefined ? await freePort() : options.port;
  const inspectorPort = await freePort();
  const stateDir = resolve(options.stateDir ?? DEFAULT_STATE_DIR);
  mkdirSync(stateDir, { recursive: true });
  // One local workerd runs every object on one thread: more connection shards only add
  // channel→shard calls (deployed on Cloudflare, each shard is its own thread; 16 there).
  const vars = { ALLOW_DEV_KEYS: 'true', SHARD_COUNT: '2', ...options.vars };
  const require = createRequire(join(BROKER_DIR, 'package.json'));
  const wrangler = join(dirname(require.resolve('wrangler/package.json')), 'bin', 'wrangler.js');
  // 'wrangler' (default): wrangler dev, with live reload. 'miniflare': the deploy bundle in one
  // workerd process with no dev proxy in front, for load tests.
  const args =
    options.runtime === 'miniflare'
      ? [join(BROKER_DIR, 'scripts', 'serve-miniflare.mjs')]
      : [
          wrangler,
          'dev',
          '--ip', host,
          '--port', String(port),
          '--inspector-port', String(inspectorPort),
          '--persist-to', stateDir,
          '--log-level', options.logLevel ?? 'warn',
          '--show-interactive-dev-session=false',
          ...Object.entries(vars).flatMap(([k, v]) => ['--var', `${k}:${v}`]),
        ];
  const quiet = options.stdio === 'ignore';
  const child = spawn(process.execPath, args, {
    cwd: BROKER_DIR,
    // 'ignore' still keeps the last lines, to explain a failed start.
    stdio: quiet ? ['ignore', 'pipe', 'pipe'] : (options.stdio ?? 'inherit'),
    detached: true, // own process group, so stop() takes workerd down with wrangler
    env: {
      ...process.env,
      CLOUDFLARE_CF_FETCH_ENABLED: 'false',
      WRANGLER_SEND_METRICS: 'false',
      FORCE_COLOR: '0',
      // for serve-miniflare.mjs
      HOST: host,
      PORT: String(port),
      STATE_DIR: stateDir,
      BROKER_VARS: JSON.stringify(vars),
    },
  });
  const tail = [];
  if (quiet) {
    for (const stream of [child.stdout, child.stderr]) {
      stream.on('data', (chunk) => {
        tail.push(...chunk.toString().split('\n').filter(Boolean));
        tail.splice(0, Math.max(0, tail.length - 30));
      });
    }
  }
  const exited = new Promise((r) => child.once('exit', r));
  const url = `http://${host}:${port}`;
  const signalGroup = (signal) => {
    try {
      process.kill(-child.pid, signal);
    } catch {
      // already gone
    }
  };
  const broker = {
    url,
    port,
    stateDir,
    process: child,
    /** Stops gracefully; escalates to SIGKILL after 5 s. */
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      signalGroup('SIGTERM');
      const t = setTimeout(() => signalGroup('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
      signalGroup('SIGKILL'); // anything left in the group
    },
    /** Kills wrangler and workerd at once, as a crash would. */
    async kill() {
      signalGroup('SIGKILL');
      await exited;
    },
  };
  try {
    await waitHealthy(url, child, options.readyTimeoutMs ?? 60_000);
  } catch (err) {
    await broker.stop();
    if (tail.length > 0) err.message += `\n${tail.join('\n')}`;
    throw err;
  }
  return broker;
}

// ---------------------------------------------------------------- CLI
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const vars = Object.fromEntries(SETTINGS.filter((k) => process.env[k] !== undefined).map((k) => [k, process.env[k]]));
  if (vars.WEBHOOK_URL && !vars.WEBHOOK_SECRET) {
    console.error('broker: WEBHOOK_URL needs WEBHOOK_SECRET (webhooks are signed with it); set both, or neither');
    process.exit(1);
  }
  const port = Number(process.env.PORT ?? 8787);
  const stateDir = process.env.BROKER_STATE_DIR ?? DEFAULT_STATE_DIR;
  const broker = await startBroker({ port, stateDir, vars }).catch((err) => {
    console.error(`broker: ${err.message}`);
    process.exit(1);
  });
  console.log(`broker ready on ${broker.url}  (ws: ${broker.url.replace('http', 'ws')}/ws, state: ${broker.stateDir})`);
  if (vars.ALLOW_DEV_KEYS !== 'false') console.log('dev keys (local only): pub_local_dev  sec_local_dev  mgmt_local_dev');
  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    await broker.stop();
    process.exit(0);
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
  process.on('SIGHUP', shutdown);
  broker.process.on('exit', (code) => {
    if (!stopping) {
      console.error(`broker: wrangler exited (${code})`);
      process.exit(code ?? 1);
    }
  });
}
