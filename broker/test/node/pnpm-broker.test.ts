/**
 * `pnpm broker`, exactly as the README gives it: PORT, BROKER_STATE_DIR and
 * settings from the environment; a bad setting fails before anything starts;
 * a source change rebuilds and restarts on the same state (clients resume);
 * SIGINT (Ctrl-C) leaves no process behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, utimesSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { KEYS, publish, seqs, tempStateDir, type Broker } from './broker';
import { TestSocket } from '../shared/test-socket';
import { freePort } from '../../scripts/launcher.mjs';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const cleanups: Array<() => Promise<void> | void> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

/** Every live descendant of `pid` (from /proc). */
function descendants(pid: number): number[] {
  const parent = new Map<number, number>();
  for (const d of readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      parent.set(Number(d), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone
    }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const [child, pp] of parent)
      if (pp === p) {
        out.push(child);
        walk(child);
      }
  };
  walk(pid);
  return out;
}

function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

interface Run {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function pnpmBroker(env: Record<string, string>): Run {
  // Its own process group, as a terminal's foreground job is: Ctrl-C signals the whole group.
  const child = spawn('pnpm', ['broker'], {
    cwd: REPO,
    env: { ...process.env, ...env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout!.on('data', (c) => (text += c));
  child.stderr!.on('data', (c) => (text += c));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  cleanups.push(() => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // gone
    }
  });
  return { child, output: () => text, exited };
}

async function until<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await Promise.resolve(fn()).catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function socket(url: string, token = KEYS.pub): Promise<TestSocket> {
  const s = new TestSocket(new WebSocket(`${url.replace(/^http/, 'ws')}/ws?token=${token}`));
  expect((await s.next()).type).toBe('connected');
  return s;
}

describe('pnpm broker', () => {
  it('serves with PORT, BROKER_STATE_DIR and settings from the environment; restarts on a source change; SIGINT leaves nothing', async () => {
    const state = tempStateDir();
    cleanups.push(state.remove);
    const port = (await freePort()) as number;
    const run = pnpmBroker({
      PORT: String(port),
      BROKER_STATE_DIR: state.dir,
      MAX_SUBSCRIPTIONS_PER_SOCKET: '1',
      PRESENCE_TIMEOUT_MS: '9000',
    });
    const url = `http://127.0.0.1:${port}`;
    const health = await until('health', async () => {
      const res = await fetch(`${url}/health`);
      return res.ok ? ((await res.json()) as Record<string, unknown>) : undefined;
    });
    expect(health).toMatchObject({ status: 'ok' });
    await until('the ready line', () => (run.output().includes(`ready on ${url}`) ? true : undefined));
    await until(
      'the settings line',
      () =>
        run.output().includes('settings from the environment: MAX_SUBSCRIPTIONS_PER_SOCKET=1 PRESENCE_TIMEOUT_MS=9000') ? true : undefined,
      5_000,
    );
    expect(readdirSync(state.dir)).toContain('v3'); // the state lives where BROKER_STATE_DIR says

    // Publish and subscribe; the setting from the environment is in force (one subscription per socket).
    const broker = { url } as Broker;
    const a = await socket(url);
    const sub = await a.subscribe('pnpm:one');
    a.send({ type: 'subscribe', channel: 'pnpm:two' });
    expect(await a.nextOf('error')).toMatchObject({ code: 'TOO_MANY_SUBSCRIPTIONS', channel: 'pnpm:two' });
    await publish(broker, 'pnpm:one', { n: 1 });
    expect(seqs(await a.waitForMessages(1, 'pnpm:one'))).toEqual([1]);

    // A source change: rebuilt and restarted on the same state; the socket drops, a new one resumes.
    const pids = descendants(run.child.pid!);
    const touched = join(REPO, 'broker', 'src', 'index.ts');
    const now = new Date();
    utimesSync(touched, now, now);
    await a.waitForClose();
    await until('the restarted broker', async () => ((await fetch(`${url}/health`)).ok ? true : undefined));
    expect(run.output()).toMatch(/restarted on the new bundle/);
    await publish(broker, 'pnpm:one', { n: 2 });
    const b = await socket(url);
    expect(await b.subscribe('pnpm:one', { lastSeq: 1, epoch: sub.epoch })).toMatchObject({ recovered: true, replayed: 1, seq: 2 });
    expect(seqs(await b.waitForMessages(1, 'pnpm:one'))).toEqual([2]);
    b.close();

    // Ctrl-C: the whole foreground group gets SIGINT; afterwards nothing it started is left.
    const all = [...new Set([...pids, ...descendants(run.child.pid!)])];
    expect(all.length).toBeGreaterThanOrEqual(3); // pnpm's shell, node scripts/broker.mjs, the server, workerd
    process.kill(-run.child.pid!, 'SIGINT');
    await run.exited;
    await until('every process to end', () => (all.some(alive) ? undefined : true), 15_000);
    await expect(fetch(`${url}/health`)).rejects.toThrow();
  });

  it('refuses a bad setting before starting anything, naming it and its range', async () => {
    const run = pnpmBroker({ PORT: String(await freePort()), BROKER_STATE_DIR: tempStateDir().dir, SHARD_COUNT: 'lots' });
    expect(await run.exited).not.toBe(0);
    expect(run.output()).toContain('SHARD_COUNT="lots" is not an integer from 1 to 4096');
    expect(descendants(run.child.pid!)).toEqual([]);
  });
});
