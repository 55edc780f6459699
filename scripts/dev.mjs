#!/usr/bin/env node
/**
 * `pnpm dev` (`./dev`): the whole stack. Starts the broker first, as
 * `pnpm broker` does (the deploy bundle on one workerd, direct sockets,
 * rebuilt and restarted on a source change; every broker setting from the
 * environment), waits until it is healthy, then every other workspace package
 * that has a `dev` script, each with labelled output. Ctrl-C stops them all,
 * process groups included, so nothing is left behind.
 *
 *   ./dev                 # everything
 *   ./dev --wrangler      # the broker through `wrangler dev` instead (slower)
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_STATE_DIR, localVars, REPO_DIR, settingsFromEnv, startBroker } from '../broker/scripts/launcher.mjs';
import { settingsProblems } from '../broker/src/settings-table.js';

const COLORS = [36, 35, 33, 32, 34, 31];
const useColor = process.stdout.isTTY;
const width = 10;

function label(name, i) {
  const text = `[${name}]`.padEnd(width + 2);
  return useColor ? `\x1b[${COLORS[i % COLORS.length]}m${text}\x1b[0m` : text;
}

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

/** Workspace packages with a dev script, other than the broker. */
function devPackages() {
  const dirs = ['sdk', 'load', 'e2e'];
  const apps = join(REPO_DIR, 'apps');
  if (existsSync(apps)) for (const d of readdirSync(apps).sort()) dirs.push(join('apps', d));
  return dirs
    .map((dir) => ({ dir, file: join(REPO_DIR, dir, 'package.json') }))
    .filter(({ file }) => existsSync(file))
    .map(({ dir, file }) => ({ dir, pkg: JSON.parse(readFileSync(file, 'utf8')) }))
    .filter(({ pkg }) => pkg.scripts?.dev)
    .map(({ dir, pkg }) => ({ dir, name: dir.replace(/^apps\//, ''), pkg }));
}

const port = Number(process.env.PORT ?? 8787);
// Webhooks: the broker POSTs every event to each app that handles them (apps keep their own channels'); same secret both sides.
process.env.WEBHOOK_SECRET ??= 'whsec_local_dev';
process.env.WEBHOOK_URL ??= 'http://127.0.0.1:3003/api/webhooks,http://127.0.0.1:3004/api/webhooks';
const vars = settingsFromEnv();
const problems = settingsProblems(localVars(vars));
if (problems.length > 0) {
  console.error(`invalid broker settings, nothing started:\n  ${problems.join('\n  ')}\n(see the settings table in broker/README.md)`);
  process.exit(2);
}
const children = [];
let stopping = false;

async function stopAll(code) {
  if (stopping) return;
  stopping = true;
  for (const child of children) {
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      // gone
    }
  }
  const deadline = setTimeout(() => {
    for (const child of children) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
  }, 5000);
  await Promise.all(children.map((c) => (c.exitCode === null && c.signalCode === null ? new Promise((r) => c.once('exit', r)) : null)));
  await broker?.stop();
  clearTimeout(deadline);
  process.exit(code);
}

process.on('SIGINT', () => stopAll(0));
process.on('SIGTERM', () => stopAll(0));
process.on('SIGHUP', () => stopAll(0));

const brokerLabel = label('broker', 0);
console.log(`${brokerLabel} starting on 127.0.0.1:${port} …`);
let broker;
try {
  broker = await startBroker({
    port,
    stateDir: process.env.BROKER_STATE_DIR ?? DEFAULT_STATE_DIR,
    vars,
    stdio: 'pipe',
    watch: true,
    runtime: process.argv.includes('--wrangler') ? 'wrangler' : 'workerd',
  });
} catch (err) {
  console.error(`${brokerLabel} failed to start: ${err.message}`);
  process.exit(1);
}
pipe(broker.process.stdout, brokerLabel, process.stdout);
pipe(broker.process.stderr, brokerLabel, process.stderr);
broker.process.on('exit', (code) => {
  if (!stopping) {
    console.error(`${brokerLabel} exited (${code}); stopping everything`);
    void stopAll(1);
  }
});
console.log(`${brokerLabel} ready: ${broker.url}  ws: ${broker.url.replace('http', 'ws')}/ws  state: ${broker.stateDir}`);
console.log(`${brokerLabel} dev keys (local only): pub_local_dev  sec_local_dev  mgmt_local_dev`);

// PORT is the broker's here; each app reads PORT as its own, so the apps keep their defaults.
const { PORT: _brokerPort, ...inherited } = process.env;
const env = {
  ...inherited,
  PUSHFLO_BASE_URL: broker.url,
  PUSHFLO_PUBLISH_KEY: process.env.PUSHFLO_PUBLISH_KEY ?? 'pub_local_dev',
  PUSHFLO_SECRET_KEY: process.env.PUSHFLO_SECRET_KEY ?? 'sec_local_dev',
  NEXT_TELEMETRY_DISABLED: '1',
};

devPackages().forEach(({ dir, name }, i) => {
  const prefix = label(name, i + 1);
  const child = spawn('pnpm', ['run', '--silent', 'dev'], {
    cwd: join(REPO_DIR, dir),
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  pipe(child.stdout, prefix, process.stdout);
  pipe(child.stderr, prefix, process.stderr);
  child.on('exit', (code) => {
    if (!stopping) console.error(`${prefix} exited (${code})`);
  });
});

if (children.length === 0) console.log('(no app dev servers yet: apps join here as they are added)');
console.log('Ctrl-C stops everything.');
