/**
 * Test helpers for tests running inside workerd: real sockets to the real
 * Worker, read frame by frame (no sleeps: every wait is for a frame or a close).
 */
import { exports } from 'cloudflare:workers';
import type { ServerFrame, MessageFrame, PublishResult } from '../../src/protocol';

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
  const res = await api<{ success: boolean; data: PublishResult }>(
    'POST',
    `/channels/${encodeURIComponent(channel)}/messages`,
    { content, eventType },
  );
  if (res.status !== 201) throw new Error(`publish failed: ${res.status} ${JSON.stringify(res.json)}`);
  return res.json.data;
}

/** A client socket with an inbox: `next()` waits for the next frame. */
export class TestSocket {
  readonly frames: ServerFrame[] = [];
  closed: { code: number; reason: string } | null = null;
  private waiters: Array<() => void> = [];

  constructor(readonly ws: WebSocket) {
    ws.addEventListener('message', (e) => {
      this.frames.push(JSON.parse(e.data as string) as ServerFrame);
      this.wake();
    });
    ws.addEventListener('close', (e) => {
      this.closed = { code: e.code, reason: e.reason };
      this.wake();
    });
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  private cursor = 0;

  /** Waits until `predicate` holds (re-checked on each frame or close), or fails after `ms`. */
  async until<T>(predicate: () => T | undefined | false, what: string, ms = 10_000): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const value = predicate();
      if (value !== undefined && value !== false) return value;
      if (this.closed !== null && !what.includes('close'))
        throw new Error(`socket closed (${this.closed.code} ${this.closed.reason}) while waiting for ${what}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; frames: ${JSON.stringify(this.frames.slice(-5))}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** The next frame not yet consumed. */
  async next(): Promise<ServerFrame> {
    const frame = await this.until(() => this.frames[this.cursor], 'next frame');
    this.cursor++;
    return frame;
  }

  /** The next frame of the given type, skipping others. */
  async nextOf<K extends ServerFrame['type']>(type: K): Promise<Extract<ServerFrame, { type: K }>> {
    for (;;) {
      const frame = await this.next();
      if (frame.type === type) return frame as Extract<ServerFrame, { type: K }>;
    }
  }

  messages(channel?: string): MessageFrame[] {
    return this.frames.filter((f): f is MessageFrame => f.type === 'message' && (channel === undefined || f.channel === channel));
  }

  async waitForMessages(count: number, channel?: string): Promise<MessageFrame[]> {
    return this.until(() => {
      const m = this.messages(channel);
      return m.length >= count ? m : undefined;
    }, `${count} messages`);
  }

  async waitForClose(): Promise<{ code: number; reason: string }> {
    return this.until(() => this.closed ?? undefined, 'close');
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  async subscribe(channel: string, extra: Record<string, unknown> = {}) {
    this.send({ type: 'subscribe', channel, ...extra });
    for (;;) {
      const f = await this.next();
      if (f.type === 'subscribed' && f.channel === channel) return f;
      if (f.type === 'error' && f.channel === channel) throw new Error(`subscribe failed: ${f.code} ${f.error}`);
    }
  }

  close(): void {
    try {
      this.ws.close(1000, 'bye');
    } catch {
      // already closed
    }
  }
}

export async function connect(token: string = KEYS.pub, query = ''): Promise<TestSocket> {
  const res = await fetchBroker(`/ws?token=${encodeURIComponent(token)}${query}`, { headers: { Upgrade: 'websocket' } });
  const ws = res.webSocket;
  if (ws === null) throw new Error(`no websocket: ${res.status} ${await res.text()}`);
  ws.accept();
  return new TestSocket(ws);
}

/** Connects and waits for the `connected` frame. */
export async function connected(token: string = KEYS.pub): Promise<TestSocket> {
  const socket = await connect(token);
  const first = await socket.next();
  if (first.type !== 'connected') throw new Error(`expected connected, got ${JSON.stringify(first)}`);
  return socket;
}

export function seqs(frames: MessageFrame[]): number[] {
  return frames.map((f) => f.seq);
}

export function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}
