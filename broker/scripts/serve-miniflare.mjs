#!/usr/bin/env node
/**
 * Serves the broker's deploy bundle (exactly what `wrangler deploy --dry-run`
 * produces) on one workerd process through Miniflare, with the Worker on a
 * direct socket: no routing or proxy worker between client and Worker.
 * (`wrangler dev` puts a proxy worker in a second workerd process that relays
 * every frame in JavaScript, and Miniflare's default entry proxies each
 * socket too: both double the cost of every connection.)
 *
 * With WATCH=1 it rebuilds on every change under broker/src (and the built
 * protocol module in sdk/dist/protocol) and restarts workerd on the new
 * bundle with the same state directory: sockets drop, clients reconnect and
 * resume from their last seq. A change that does not build keeps the running
 * broker and prints the error.
 *
 * Started by launcher.mjs. Env: PORT, HOST, STATE_DIR, BROKER_VARS (JSON of
 * Worker vars), WATCH ('1' to rebuild on change), INSPECTOR_PORT (V8 inspector).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, watch } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { convertV4MiniflareOptions, Log, LogLevel, Miniflare } from 'miniflare';

const BROKER_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const REPO_DIR = resolve(BROKER_DIR, '..');
const require = createRequire(join(BROKER_DIR, 'package.json'));
const wrangler = join(dirname(require.resolve('wrangler/package.json')), 'bin', 'wrangler.js');
const log = (line) => console.log(`${new Date().toISOString().slice(11, 23)} ${line}`);

const bundles = new Set();
/** Bundles exactly as a deploy would; returns the output directory, or null (error printed) when it does not build. */
function build() {
  const out = mkdtempSync(join(tmpdir(), 'switchyard-bundle-'));
  const built = spawnSync(process.execPath, [wrangler, 'deploy', '--dry-run', '--outdir', out], {
    cwd: BROKER_DIR,
    env: { ...process.env, WRANGLER_LOG: 'warn', CLOUDFLARE_CF_FETCH_ENABLED: 'false', WRANGLER_SEND_METRICS: 'false', FORCE_COLOR: '0' },
    encoding: 'utf8',
  });
  if (built.status !== 0) {
    rmSync(out, { recursive: true, force: true });
    process.stderr.write(`${built.stderr || built.stdout || 'wrangler deploy --dry-run failed'}\n`);
    return null;
  }
  bundles.add(out);
  return out;
}

// The same bindings as wrangler.jsonc (comments stripped).
const config = JSON.parse(readFileSync(join(BROKER_DIR, 'wrangler.jsonc'), 'utf8').replace(/^\s*\/\/.*$/gm, ''));
const durableObjects = Object.fromEntries(
  config.durable_objects.bindings.map((b) => [b.name, { className: b.class_name, useSQLite: true }]),
);
const host = process.env.HOST ?? '127.0.0.1';
const port = Number(process.env.PORT ?? 8787);

function options(out) {
  return convertV4MiniflareOptions({
    // Miniflare's own entry (a routing worker that proxies every socket) stays on a random port;
    // clients talk to the Worker directly on PORT.
    host,
    port: 0,
    unsafeDirectSockets: [{ host, port, entrypoint: 'default', proxy: false }],
    name: config.name, // the same persistence paths as wrangler dev (do/<name>-<Class>)
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
    // INSPECTOR_PORT: the V8 inspector (Chrome DevTools, CPU profiles) on that port.
    ...(process.env.INSPECTOR_PORT ? { inspectorPort: Number(process.env.INSPECTOR_PORT) } : {}),
  });
}

let current = build();
if (current === null) process.exit(1);
const mf = new Miniflare(options(current));
await mf.ready;
console.log(`broker (workerd, deploy bundle, direct socket) ready on http://${host}:${port}`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await mf.dispose().catch(() => undefined);
  for (const dir of bundles) rmSync(dir, { recursive: true, force: true });
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
process.on('SIGHUP', stop);

if (process.env.WATCH === '1') {
  let timer = null;
  let reloading = Promise.resolve();
  const changed = (what) => {
    if (stopping) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      reloading = reloading
        .then(async () => {
          const started = Date.now();
          log(`${what} changed: rebuilding…`);
          const next = build();
          if (next === null) {
            log('build failed (above); still serving the previous bundle');
            return;
          }
          await mf.setOptions(options(next));
          rmSync(current, { recursive: true, force: true });
          bundles.delete(current);
          current = next;
          log(`restarted on the new bundle in ${Date.now() - started} ms (same state; clients reconnect and resume)`);
        })
        .catch((err) => log(`restart failed: ${err instanceof Error ? err.message : err}`));
    }, 250);
  };
  for (const dir of [join(BROKER_DIR, 'src'), join(REPO_DIR, 'sdk', 'dist', 'protocol')]) {
    try {
      watch(dir, { recursive: true }, (_event, file) => changed(file ? join(dir, String(file)).slice(REPO_DIR.length + 1) : dir));
    } catch {
      // not there (e.g. the SDK not built yet): nothing to watch
    }
  }
  log('watching broker/src and sdk/dist/protocol: a change rebuilds and restarts the broker');
}
