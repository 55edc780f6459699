/**
 * Child processes for the starter test: npm with an environment that has
 * nothing of the monorepo in it, captured output, free ports, and a look at
 * what is still running in a folder.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { delimiter, dirname, join } from 'node:path';
import { REPO } from '../generate.mjs';

/** The npm on PATH (the machine's, never one from the monorepo's node_modules). */
export function findNpm() {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir.includes('node_modules')) continue;
    const file = join(dir, 'npm');
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  throw new Error('npm is not on PATH: the starter test installs the starters with npm, as their users do');
}

/**
 * The environment a starter user has: this Node first, then npm, then the system's PATH without anything
 * inside the monorepo or any node_modules/.bin; no variables pnpm set for the workspace.
 */
export function userEnv(extra = {}) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    // pnpm's variables go (npm_config_cache stays: a cache of one's choice); NODE_TEST_CONTEXT too, so the
    // starter's own `node --test` reports as a top-level run, not to this one.
    if ((/^(npm_|pnpm_)/i.test(k) && k !== 'npm_config_cache') || ['INIT_CWD', 'NODE_PATH', 'NODE_TEST_CONTEXT'].includes(k)) continue;
    env[k] = v;
  }
  const system = (process.env.PATH ?? '').split(delimiter).filter((d) => d && !d.includes('node_modules') && !d.startsWith(REPO));
  env.PATH = [...new Set([dirname(process.execPath), dirname(findNpm()), ...system])].join(delimiter);
  return {
    ...env,
    npm_config_update_notifier: 'false',
    npm_config_fund: 'false',
    npm_config_audit: 'false',
    NEXT_TELEMETRY_DISABLED: '1',
    ...extra,
  };
}

/** Runs a command to its end; resolves with its output, rejects with the output's tail if it fails. */
export function run(command, args, { cwd, env, timeoutMs = 300_000 }) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (out += c));
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // gone
      }
    }, timeoutMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`${command} ${args.join(' ')} (in ${cwd}) failed (${code ?? signal}):\n${out.slice(-4000)}`));
    });
  });
}

/**
 * Starts a long-running command in its own process group (as a terminal would: Ctrl-C is SIGINT to the group).
 * `output()` is everything it printed so far; `stop()` sends SIGINT to the group and resolves with the exit.
 */
export function startGroup(command, args, { cwd, env }) {
  const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  child.stdout.on('data', (c) => (out += c));
  child.stderr.on('data', (c) => (out += c));
  const exited = new Promise((r) => child.once('exit', (code, signal) => r({ code, signal })));
  const group = (sig) => {
    try {
      process.kill(-child.pid, sig);
    } catch {
      // gone
    }
  };
  return {
    child,
    output: () => out,
    exited,
    async stop(timeoutMs = 30_000) {
      if (child.exitCode !== null || child.signalCode !== null) return { ...(await exited), timedOut: false };
      group('SIGINT');
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        group('SIGKILL');
      }, timeoutMs);
      const result = await exited;
      clearTimeout(timer);
      return { ...result, timedOut };
    },
    kill: () => group('SIGKILL'),
  };
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Whether something accepts connections on 127.0.0.1:port. */
export function portOpen(port) {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Polls `url` until it answers 2xx; rejects after `timeoutMs`, or at once when `alive()` turns false. */
export async function waitOk(url, { timeoutMs, alive = () => true, what = url }) {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (!alive()) throw new Error(`${what}: the process exited before ${url} answered`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
      if (res.ok) return res;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = err.cause?.code ?? err.message;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${what}: ${url} did not answer within ${timeoutMs} ms (${last})`);
}

/** Processes whose executable, working directory or command line is inside `dir` (Linux: /proc), as `{pid, cmd}`. */
export function processesIn(dir) {
  const found = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    if (Number(pid) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
      let where = '';
      try {
        where = `${readlinkSync(`/proc/${pid}/cwd`)} ${readlinkSync(`/proc/${pid}/exe`)}`;
      } catch {
        // another user's process, or gone
      }
      if (cmdline.includes(dir) || where.includes(dir)) found.push({ pid: Number(pid), cmd: cmdline });
    } catch {
      // gone meanwhile
    }
  }
  return found;
}
