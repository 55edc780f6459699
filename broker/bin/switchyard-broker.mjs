#!/usr/bin/env node
/**
 * `switchyard-broker`: the broker as an installed package (a starter's
 * `npm run dev`, or `npx switchyard-broker`), outside the monorepo.
 *
 *   switchyard-broker [dev]              the broker on workerd, one process, no dev proxy (the fast path)
 *   switchyard-broker deploy [args…]     `wrangler deploy` of this Worker to Cloudflare (args go to wrangler)
 *   switchyard-broker secret [args…]     `wrangler secret …` for it, e.g. `secret put SECRET_KEYS`
 *
 * dev reads: --port / BROKER_PORT (8787), --host / BROKER_HOST (127.0.0.1),
 * --state-dir / BROKER_STATE_DIR (.data/broker, from the current directory),
 * and every broker setting (the table in src/settings-table.js) from the environment. Not PORT: in a
 * starter that is the app's port.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { settingsFromEnv, startBroker, stopOnSignals } from '../scripts/launcher.mjs';

const BROKER_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CONFIG = join(BROKER_DIR, 'wrangler.jsonc');

const USAGE = `usage: switchyard-broker [dev] [--port N] [--host H] [--state-dir DIR]
       switchyard-broker deploy [wrangler deploy options]
       switchyard-broker secret put SECRET_KEYS   (also PUBLISH_KEYS, MANAGEMENT_KEYS)`;

function wranglerBin() {
  const require = createRequire(join(BROKER_DIR, 'package.json'));
  return join(dirname(require.resolve('wrangler/package.json')), 'bin', 'wrangler.js');
}

/** Runs wrangler against this package's Worker config, with its exit code as ours. */
function wrangler(args) {
  const child = spawn(process.execPath, [wranglerBin(), ...args, '--config', CONFIG], {
    stdio: 'inherit',
    env: { WRANGLER_SEND_METRICS: 'false', ...process.env },
  });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

async function dev(argv) {
  const { values } = parseArgs({
    args: argv,
    options: { port: { type: 'string' }, host: { type: 'string' }, 'state-dir': { type: 'string' } },
    strict: true,
  });
  const port = Number(values.port ?? process.env.BROKER_PORT ?? 8787);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new Error(`the port must be 0–65535, not '${values.port ?? process.env.BROKER_PORT}'`);
  const host = values.host ?? process.env.BROKER_HOST ?? '127.0.0.1';
  const stateDir = resolve(values['state-dir'] ?? process.env.BROKER_STATE_DIR ?? '.data/broker');
  const vars = settingsFromEnv(process.env);

  const broker = await startBroker({ port, host, stateDir, vars, runtime: 'miniflare', stdio: 'inherit' });
  console.log(`switchyard-broker ready on ${broker.url}  (ws: ${broker.url.replace('http', 'ws')}/ws, state: ${broker.stateDir})`);
  if (vars.ALLOW_DEV_KEYS !== 'false') console.log('dev keys (local only): pub_local_dev  sec_local_dev  mgmt_local_dev');

  stopOnSignals(broker, 'switchyard-broker');
}

const [command = 'dev', ...rest] = process.argv.slice(2);
try {
  if (command === 'dev') await dev(rest);
  else if (command.startsWith('--')) await dev(process.argv.slice(2));
  else if (command === 'deploy' || command === 'secret') wrangler([command, ...rest]);
  else if (command === 'help' || command === '-h') console.log(USAGE);
  else {
    console.error(`switchyard-broker: unknown command '${command}'\n${USAGE}`);
    process.exit(2);
  }
} catch (err) {
  console.error(`switchyard-broker: ${err instanceof Error ? err.message : err}`);
  process.exit(1);
}
