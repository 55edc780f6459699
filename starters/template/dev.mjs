#!/usr/bin/env node
/**
 * `npm run dev`: the local broker and this app together, with labelled output.
 * Ctrl-C stops both (each runs in its own process group, so nothing is left).
 *
 * The broker is started only when PUSHFLO_BASE_URL is unset or points at this
 * machine (127.0.0.1 / localhost): on its port, with its state in
 * BROKER_STATE_DIR (default .data/broker). Any other PUSHFLO_BASE_URL is a
 * deployed broker, and only the app starts. `npm run broker` (--broker-only)
 * starts the broker alone, the same way. Settings come from the environment
 * and `.env` (see .env.example); the environment wins.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
// .env fills in what the environment leaves unset (process.loadEnvFile never overrides).
if (existsSync(join(ROOT, '.env'))) process.loadEnvFile(join(ROOT, '.env'));
const brokerOnly = process.argv.includes('--broker-only');
const baseUrl = new URL(process.env.PUSHFLO_BASE_URL ?? 'http://127.0.0.1:8787');
const local = ['127.0.0.1', 'localhost', '[::1]'].includes(baseUrl.hostname);
const brokerUrl = baseUrl.origin;
const COLORS = { broker: 36, app: 35 };
const color = process.stdout.isTTY && !process.env.NO_COLOR;

function label(name) {
  const text = `[${name}]`.padEnd(9);
  return color ? `\x1b[${COLORS[name]}m${text}\x1b[0m` : text;
}

/** Copies a child's output line by line, each line labelled. */
function pipe(stream, prefix, out) {
  let buffered = '';
  stream.on('data', (chunk) => {
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) out.write(`${prefix} ${line}\n`);
  });
  stream.on('end', () => buffered && out.write(`${prefix} ${buffered}\n`));
}

const children = [];
let stopping = false;

function start(name, command, args, env) {
  const child = spawn(command, args, { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  child.label = label(name);
  children.push(child);
  pipe(child.stdout, child.label, process.stdout);
  pipe(child.stderr, child.label, process.stderr);
  child.on('exit', (code, signal) => {
    if (stopping) return;
    console.error(`${child.label} exited (${code ?? signal}); stopping`);
    void stop(1);
  });
  return child;
}

function signal(child, sig) {
  try {
    process.kill(-child.pid, sig);
  } catch {
    // already gone
  }
}

/** Stops the app first, then the broker (which takes workerd down with it); SIGKILL after 10 s. */
async function stop(code) {
  if (stopping) return;
  stopping = true;
  const running = children.filter((c) => c.exitCode === null && c.signalCode === null);
  for (const child of [...running].reverse()) {
    signal(child, 'SIGTERM');
    const timer = setTimeout(() => signal(child, 'SIGKILL'), 10_000);
    if (child.exitCode === null && child.signalCode === null) await new Promise((r) => child.once('exit', r));
    clearTimeout(timer);
  }
  process.exit(code);
}

for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => void stop(0));

async function healthy(url) {
  try {
    return (await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) })).ok;
  } catch {
    return false;
  }
}

/**
 * An app with a webhook receiver (server/webhooks.ts) gets the local broker's
 * webhooks at /api/webhooks, signed with the secret the app verifies with.
 */
function webhookEnv() {
  if (!existsSync(join(ROOT, 'server', 'webhooks.ts'))) return {};
  const example = existsSync(join(ROOT, '.env.example')) ? readFileSync(join(ROOT, '.env.example'), 'utf8') : '';
  const appPort = process.env.PORT ?? /^PORT=(\d+)$/m.exec(example)?.[1];
  if (appPort === undefined) return {};
  return {
    WEBHOOK_URL: process.env.WEBHOOK_URL ?? `http://127.0.0.1:${appPort}/api/webhooks`,
    WEBHOOK_SECRET: process.env.WEBHOOK_SECRET ?? 'whsec_local_dev',
  };
}

async function startBroker() {
  if (await healthy(brokerUrl)) {
    console.log(`${label('broker')} a broker already answers on ${brokerUrl}: using it`);
    return;
  }
  const require = createRequire(join(ROOT, 'package.json'));
  const pkgFile = require.resolve('@switchyard/broker/package.json');
  const { bin } = JSON.parse(readFileSync(pkgFile, 'utf8'));
  const script = join(dirname(pkgFile), typeof bin === 'string' ? bin : bin['switchyard-broker']);
  const port = baseUrl.port || (baseUrl.protocol === 'https:' ? '443' : '80');
  const stateDir = process.env.BROKER_STATE_DIR ?? '.data/broker';
  const child = start('broker', process.execPath, [script, 'dev', '--port', port, '--host', '127.0.0.1', '--state-dir', stateDir], {
    ...process.env,
    ...webhookEnv(),
  });
  const deadline = Date.now() + 120_000;
  while (!(await healthy(brokerUrl))) {
    if (stopping || child.exitCode !== null) return;
    if (Date.now() > deadline) {
      console.error(`${label('broker')} no answer on ${brokerUrl}/health within 120 s; stopping`);
      return stop(1);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The package manager that runs us (npm, pnpm, yarn), to run the app's own dev script. */
function packageManager() {
  const execpath = process.env.npm_execpath;
  if (execpath && /\.[cm]?js$/.test(execpath)) return [process.execPath, [execpath]];
  return [process.platform === 'win32' ? 'npm.cmd' : 'npm', []];
}

if (local) await startBroker();
else console.log(`${label('broker')} using the broker at ${brokerUrl} (PUSHFLO_BASE_URL); no local broker`);

if (!stopping && !brokerOnly) {
  const [command, prefix] = packageManager();
  start('app', command, [...prefix, 'run', '--silent', 'dev:app'], {
    ...process.env,
    PUSHFLO_BASE_URL: brokerUrl,
    PUSHFLO_PUBLISH_KEY: process.env.PUSHFLO_PUBLISH_KEY ?? 'pub_local_dev',
    PUSHFLO_SECRET_KEY: process.env.PUSHFLO_SECRET_KEY ?? 'sec_local_dev',
    NEXT_TELEMETRY_DISABLED: process.env.NEXT_TELEMETRY_DISABLED ?? '1',
  });
  console.log('Ctrl-C stops everything.');
} else if (!stopping && !local) {
  console.log('Nothing to start: PUSHFLO_BASE_URL names a deployed broker.');
}
