/**
 * Test helpers for tests running inside workerd: real sockets to the real
 * Worker, read frame by frame (no sleeps: every wait is for a frame or a close).
 */
import { exports } from 'cloudflare:workers';
import { signToken, type Capability, type PublishResult, type TokenClaims } from '@pushflodev/sdk/protocol';
import { TestSocket } from '../shared/test-socket';

export { TestSocket, range, seqs } from '../shared/test-socket';

export const KEYS = { pub: 'pub_local_dev', sec: 'sec_local_dev', mgmt: 'mgmt_local_dev' } as const;
const BASE = 'http://broker.test';

let counter = 0;
/** A channel name no other test uses. */
export function freshChannel(prefix = 'test'): string {
  return `${prefix}:${Date.now().toString(36)}-${++counter}`;
}

const worker = (exports as unknown as { default: Fetcher }).default;

export function fetchBroker(path: string, init?: RequestInit): Promise<Response> {
  return worker.fetch(new Request(`${BASE}${path}`, init));
}

export async function api<T = unknown>(
  method: string,
  path: string,
  body?: unknown,
  key: string = KEYS.sec,
): Promise<{ status: number; json: T; headers: Headers }> {
  const init: RequestInit = { method, headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' } };
  if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body);
  const res = await fetchBroker(`/api/v1${path}`, init);
  return { status: res.status, json: (await res.json()) as T, headers: res.headers };
}

export async function publish(channel: string, content: Record<string, unknown>, eventType = 'message'): Promise<PublishResult> {
  const res = await api<{ success: boolean; data: PublishResult }>('POST', `/channels/${encodeURIComponent(channel)}/messages`, {
    content,
    eventType,
  });
  if (res.status !== 201) throw new Error(`publish failed: ${res.status} ${JSON.stringify(res.json)}`);
  return res.json.data;
}

export async function connect(token: string = KEYS.pub, query = ''): Promise<TestSocket> {
  const res = await fetchBroker(`/ws?token=${encodeURIComponent(token)}${query}`, { headers: { Upgrade: 'websocket' } });
  const ws = res.webSocket;
  if (ws === null) throw new Error(`no websocket: ${res.status} ${await res.text()}`);
  ws.accept();
  return new TestSocket(ws);
}

/** Mints a token signed with the dev secret key (or another secret, to forge one). */
export async function token(
  sub: string,
  cap: Record<string, Capability[]>,
  options: { ttl?: number; info?: Record<string, unknown>; secret?: string; iat?: number } = {},
): Promise<string> {
  const iat = options.iat ?? Math.floor(Date.now() / 1000);
  const claims: TokenClaims = { sub, iat, exp: iat + (options.ttl ?? 600), cap };
  if (options.info !== undefined) claims.info = options.info;
  return signToken(claims, options.secret ?? KEYS.sec);
}

/** Connects and waits for the `connected` frame. */
export async function connected(token: string = KEYS.pub): Promise<TestSocket> {
  const socket = await connect(token);
  const first = await socket.next();
  if (first.type !== 'connected') throw new Error(`expected connected, got ${JSON.stringify(first)}`);
  return socket;
}
