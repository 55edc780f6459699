#!/usr/bin/env node
/**
 * Serves the broker bundle straight from workerd through Miniflare, with the
 * Worker on a direct socket (no routing or proxy worker in front of it): what
 * load tests measure. `wrangler dev` (used by `pnpm broker`) puts a proxy
 * worker in a second workerd process between client and Worker, and
 * Miniflare's default entry proxies each socket too; both double the cost
 * (and the file descriptors) of every connection.
 *
 * Env: PORT, HOST, STATE_DIR, BROKER_VARS (JSON of Worker vars).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { convertV4MiniflareOptions, Log, LogLevel, Miniflare } from 'miniflare';

const BROKER_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(BROKER_DIR, 'package.json'));
const wrangler = join(dirname(require.resolve('wrangler/package.json')), 'bin', 'wrangler.js');

// Bundle exactly as a deploy would.
const out = mkdtempSync(join(tmpdir(), 'switchyard-bundle-'));
const built = spawnSync(process.execPath, [wrangler, 'deploy', '--dry-run', '--outdir', out], {
  cwd: BROKER_DIR,
  env: { ...process.env, WRANGLER_LOG: 'warn', CLOUDFLARE_CF_FETCH_ENABLED: 'false', WRANGLER_SEND_METRICS: 'false' },
  stdio: ['ignore', 'ignore', 'inherit'],
});
if (built.status !== 0) process.exit(built.status ?? 1);

// The same bindings as wrangler.jsonc (comments stripped).
const config = JSON.parse(readFileSync(join(BROKER_DIR, 'wrangler.jsonc'), 'utf8').replace(/^\s*\/\/.*$/gm, ''));
const durableObjects = Object.fromEntries(
  config.durable_objects.bindings.map((b) => [b.name, { className: b.class_name, useSQLite: true }]),
);

const host = process.env.HOST ?? '127.0.0.1';
const mf = new Miniflare(convertV4MiniflareOptions({
  // Miniflare's own entry (a routing worker that proxies every socket) stays on a random port;
  // clients talk to the Worker directly on PORT.
  host,
  port: 0,
  unsafeDirectSockets: [{ host, port: Number(process.env.PORT ?? 8787), entrypoint: 'default', proxy: false }],
  modules: true,
  modulesRoot: out,
  scriptPath: join(out, 'index.js'),
  cf: false, // offline: no Request.cf fetch
  compatibilityDate: config.compatibility_date,
  compatibilityFlags: config.compatibility_flags ?? [],
  durableObjects,
  bindings: JSON.parse(process.env.BROKER_VARS ?? '{}'),
  resourcePersistencePath: process.env.STATE_DIR,
  log: new Log(LogLevel.WARN),
}));
await mf.ready;
console.log(`broker (miniflare) ready on ${await mf.unsafeGetDirectURL()}`);
const stop = async () => {
  await mf.dispose();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
