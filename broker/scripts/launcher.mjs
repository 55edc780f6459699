#!/usr/bin/env node
/**
 * Starts the broker locally, with its Durable Object state in a directory of
 * your choice, and waits until it answers /health.
 *
 * By default it serves the deploy bundle on one workerd process with the
 * Worker on a direct socket (serve-miniflare.mjs): what a deployment runs,
 * without a proxy in front. `runtime: 'wrangler'` (CLI: `--wrangler`) uses
 * `wrangler dev` instead, which relays every frame through a second workerd
 * and costs about twice the CPU per delivery.
 *
 * Settings come from the one table in ../src/settings-table.js: every one of them
 * passes through from the environment (CLI) or `vars` (module), and a bad
 * value fails here, before anything starts, with a message naming it.
 *
 * CLI:    node broker/scripts/launcher.mjs [--wrangler] [--no-watch]
 *         (PORT, BROKER_STATE_DIR and every broker setting from the environment; `pnpm broker`)
 * Module: const broker = await startBroker({ port: 0, stateDir });  …  await broker.stop();
 */
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SETTINGS, settingsProblems } from '../src/settings-table.js';

const BROKER_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const REPO_DIR = resolve(BROKER_DIR, '..');
export const DEFAULT_STATE_DIR = join(REPO_DIR, '.state', 'broker');

/** Every broker setting present in `env` (e.g. process.env), by name. */
export function settingsFromEnv(env = process.env) {
  return Object.fromEntries(SETTINGS.filter((s) => env[s.name] !== undefined).map((s) => [s.name, env[s.name]]));
}

/** The local defaults (ALLOW_DEV_KEYS=true, SHARD_COUNT=1) under `vars`. */
export function localVars(vars = {}) {
  const local = Object.fromEntries(SETTINGS.filter((s) => s.localDefault !== undefined).map((s) => [s.name, String(s.localDefault)]));
  return { ...local, ...vars };
}

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
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`broker exited (${child.exitCode ?? child.signalCode}) before it was ready`);
    try {
      const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) });
      if (res.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`broker did not answer ${url}/health within ${timeoutMs} ms`);
}

/**
 * @param {{ port?: number, host?: string, stateDir?: string, vars?: Record<string,string>,
 *           stdio?: 'inherit'|'pipe'|'ignore', readyTimeoutMs?: number, logLevel?: string,
 *           runtime?: 'workerd'|'miniflare'|'wrangler', watch?: boolean }} [options]
 */
export async function startBroker(options = {}) {
  const vars = localVars(options.vars);
  const problems = settingsProblems(vars);
  if (problems.length > 0) throw new Error(`invalid broker settings:\n  ${problems.join('\n  ')}`);
  const host = options.host ?? '127.0.0.1';
  const port = options.port === 0 || options.port === undefined ? await freePort() : options.port;
  const stateDir = resolve(options.stateDir ?? DEFAULT_STATE_DIR);
  mkdirSync(stateDir, { recursive: true });
  const wranglerDev = options.runtime === 'wrangler';
  let args;
  if (wranglerDev) {
    const require = createRequire(join(BROKER_DIR, 'package.json'));
    const wrangler = join(dirname(require.resolve('wrangler/package.json')), 'bin', 'wrangler.js');
    args = [
      wrangler,
      'dev',
      '--ip',
      host,
      '--port',
      String(port),
      '--inspector-port',
      String(await freePort()),
      '--persist-to',
      stateDir,
      '--log-level',
      options.logLevel ?? 'warn',
      '--show-interactive-dev-session=false',
      ...(options.watch === false ? ['--no-live-reload'] : []),
      ...Object.entries(vars).flatMap(([k, v]) => ['--var', `${k}:${v}`]),
    ];
  } else {
    args = [join(BROKER_DIR, 'scripts', 'serve-miniflare.mjs')];
  }
  const quiet = options.stdio === 'ignore';
  const child = spawn(process.execPath, args, {
    cwd: BROKER_DIR,
    // 'ignore' still keeps the last lines, to explain a failed start.
    stdio: quiet ? ['ignore', 'pipe', 'pipe'] : ['ignore', options.stdio ?? 'inherit', options.stdio ?? 'inherit'],
    detached: true, // own process group, so stop() takes workerd down with it
    env: {
      ...process.env,
      CLOUDFLARE_CF_FETCH_ENABLED: 'false',
      WRANGLER_SEND_METRICS: 'false',
      FORCE_COLOR: '0',
      // for serve-miniflare.mjs
      HOST: host,
      PORT: String(port),
      // wrangler dev persists under <dir>/v3; so does serve-miniflare, so both read the same state.
      STATE_DIR: join(stateDir, 'v3'),
      BROKER_VARS: JSON.stringify(vars),
      WATCH: options.watch ? '1' : '0',
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
    runtime: wranglerDev ? 'wrangler' : 'workerd',
    process: child,
    /** Stops gracefully; escalates to SIGKILL after 5 s. */
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) {
        signalGroup('SIGKILL'); // anything its group left behind
        return;
      }
      signalGroup('SIGTERM');
      const t = setTimeout(() => signalGroup('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
      signalGroup('SIGKILL'); // anything left in the group
    },
    /** Kills the broker's whole process group at once, as a crash would. */
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

/**
 * Keeps a started broker for the life of this process: SIGINT, SIGTERM and
 * SIGHUP stop it (its whole process tree) and exit 0; the broker dying on its
 * own exits this process non-zero.
 */
export function stopOnSignals(broker, label) {
  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    await broker.stop();
    process.exit(0);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, shutdown);
  broker.process.on('exit', (code) => {
    if (stopping) return;
    console.error(`${label}: the broker exited (${code}); stopping`);
    process.exit(code || 1);
  });
}

/**
 * The command line (`pnpm broker`, `pnpm dev`'s broker): PORT (8787),
 * BROKER_STATE_DIR, every setting from the environment; rebuilds on change
 * unless --no-watch. Resolves once the broker is ready; exits the process
 * when it stops.
 */
export async function runCli(argv = process.argv.slice(2), { label = 'broker' } = {}) {
  const vars = settingsFromEnv();
  const problems = settingsProblems(localVars(vars));
  if (problems.length > 0) {
    console.error(`${label}: invalid settings, nothing started:\n  ${problems.join('\n  ')}\n(see the settings table in broker/README.md)`);
    process.exit(2);
  }
  const rawPort = process.env.PORT ?? '8787';
  const port = Number(rawPort);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`${label}: PORT=${JSON.stringify(rawPort)} is not a port number (0–65535; 0 picks a free one)`);
    process.exit(2);
  }
  const stateDir = process.env.BROKER_STATE_DIR ?? DEFAULT_STATE_DIR;
  const runtime = argv.includes('--wrangler') ? 'wrangler' : 'workerd';
  const broker = await startBroker({ port, stateDir, vars, runtime, watch: !argv.includes('--no-watch') }).catch((err) => {
    console.error(`${label}: ${err.message}`);
    process.exit(1);
  });
  const all = localVars(vars);
  console.log(
    `${label}: ready on ${broker.url}  (ws: ${broker.url.replace('http', 'ws')}/ws, state: ${broker.stateDir}, ${broker.runtime === 'wrangler' ? 'wrangler dev' : 'deploy bundle on one workerd'})`,
  );
  const custom = Object.entries(vars).map(([k, v]) => `${k}=${v}`);
  if (custom.length > 0) console.log(`${label}: settings from the environment: ${custom.join(' ')}`);
  if (all.ALLOW_DEV_KEYS !== 'false') console.log(`${label}: dev keys (local only): pub_local_dev  sec_local_dev  mgmt_local_dev`);
  stopOnSignals(broker, label);
  return broker;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await runCli();
}
