/** Helpers for tests that drive a real broker process (the deploy bundle on workerd, as `pnpm broker` runs it) from Node. */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PublishResult } from '@pushflodev/sdk/protocol';
import { TestSocket } from '../shared/test-socket';
import { startBroker as start } from '../../scripts/launcher.mjs';

export { TestSocket, range, seqs } from '../shared/test-socket';

export interface Broker {
  url: string;
  port: number;
  stateDir: string;
  process: { pid?: number };
  stop(): Promise<void>;
  kill(): Promise<void>;
}

export const KEYS = { pub: 'pub_local_dev', sec: 'sec_local_dev', mgmt: 'mgmt_local_dev' } as const;

export function tempStateDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-state-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export function startBroker(stateDir: string, vars: Record<string, string> = {}): Promise<Broker> {
  return start({ port: 0, stateDir, vars, stdio: 'ignore' }) as Promise<Broker>;
}

export async function openSocket(broker: Broker, token: string = KEYS.pub, { coalesce = false } = {}): Promise<TestSocket> {
  const ws = new WebSocket(`${broker.url.replace(/^http/, 'ws')}/ws?token=${encodeURIComponent(token)}${coalesce ? '&coalesce=1' : ''}`);
  const socket = new TestSocket(ws, coalesce);
  const first = await socket.next();
  if (first.type !== 'connected') throw new Error(`expected connected, got ${JSON.stringify(first)}`);
  return socket;
}

export async function publish(
  broker: Broker,
  channel: string,
  content: Record<string, unknown>,
  eventType = 'message',
): Promise<PublishResult> {
  const res = await fetch(`${broker.url}/api/v1/channels/${encodeURIComponent(channel)}/messages`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${KEYS.sec}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ content, eventType }),
  });
  const json = (await res.json()) as { data: PublishResult };
  if (res.status !== 201) throw new Error(`publish failed: ${res.status} ${JSON.stringify(json)}`);
  return json.data;
}

/** Resident memory of the broker's workerd process (bytes), from /proc. */
export function workerdRss(broker: Broker & { process?: { pid?: number } }): number {
  const pgid = broker.process?.pid;
  let rss = 0;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) !== pgid || !stat.includes('(workerd)')) continue;
      rss += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
    } catch {
      // gone
    }
  }
  return rss;
}
