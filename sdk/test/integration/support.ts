/** Helpers for integration tests against a real broker. */
import { createServer, connect as tcpConnect, type Server, type Socket } from 'node:net';
import { afterEach } from 'vitest';
import type { WebSocketConstructor } from '../../src/types.js';
// @ts-expect-error -- plain ESM launcher without types
import { startBroker as start } from '../../../broker/scripts/launcher.mjs';

export const PUB = 'pub_local_dev';
export const SEC = 'sec_local_dev';

export interface Broker {
  url: string;
  stop(): Promise<void>;
}

export function startBroker(stateDir: string, vars: Record<string, string> = {}): Promise<Broker> {
  return start({ port: 0, stateDir, vars, stdio: 'ignore' }) as Promise<Broker>;
}

/** Polls `check` until it returns a value or throws after `ms`. */
export async function waitFor<T>(check: () => T | undefined | false, what: string, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * A TCP proxy in front of the broker whose connections can be cut at will:
 * `dropAll()` destroys every open connection mid-stream, as a network failure would.
 */
export class ChaosProxy {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(target: URL) {
    this.server = createServer((client) => {
      const upstream = tcpConnect(Number(target.port), target.hostname);
      this.sockets.add(client);
      this.sockets.add(upstream);
      client.pipe(upstream);
      upstream.pipe(client);
      const end = () => {
        client.destroy();
        upstream.destroy();
        this.sockets.delete(client);
        this.sockets.delete(upstream);
      };
      client.on('error', end).on('close', end);
      upstream.on('error', end).on('close', end);
    });
  }

  async listen(): Promise<string> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.port = (this.server.address() as { port: number }).port;
    return `http://127.0.0.1:${this.port}`;
  }

  /** Cuts every open connection. */
  dropAll(): number {
    const n = this.sockets.size / 2;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    return n;
  }

  async close(): Promise<void> {
    this.dropAll();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

/** A list of cleanups run after each test, newest first. */
export function cleanupAfterEach(): Array<() => unknown> {
  const list: Array<() => unknown> = [];
  afterEach(async () => {
    for (const c of list.splice(0).reverse()) await c();
  });
  return list;
}

/**
 * A WebSocket class (for the client's `WebSocket` option) that remembers the
 * sockets it made, so a test can wait until one is closed for real: the client
 * detaches its own handlers when it closes a socket.
 */
export function trackedSockets() {
  const sockets: WebSocket[] = [];
  class Tracked extends WebSocket {
    constructor(url: string | URL) {
      super(url);
      sockets.push(this);
    }
  }
  return {
    WebSocket: Tracked as WebSocketConstructor,
    sockets,
    /** Resolves once socket `index` has finished closing. */
    async closed(index: number): Promise<void> {
      const ws = await waitFor(() => sockets[index], `socket ${index} to open`);
      if (ws.readyState === WebSocket.CLOSED) return;
      await new Promise<void>((resolve) => ws.addEventListener('close', () => resolve(), { once: true }));
    },
  };
}
