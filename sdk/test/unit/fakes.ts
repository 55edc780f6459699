/** A WebSocket, a transport and a clock the tests drive by hand, and a client wired to them. */
import { PushFloClient } from '../../src/client/PushFloClient.js';
import type { IncomingFrame } from '../../src/client/server-frames.js';
import type { Transport, TransportListener, TransportTarget } from '../../src/client/transport.js';
import type { ClientFrame } from '../../src/protocol/index.js';
import type { ClientOptions, Clock, WebSocketConstructor } from '../../src/types.js';
import { FakeSseServer } from './sse-fakes.js';

/** The fake broker behind `fetch` (SSE streams and frame POSTs) every fake client uses. */
export const sse = new FakeSseServer();

export class FakeClock implements Clock {
  private t = 1_000_000;
  private seq = 0;
  private timers = new Map<number, { at: number; fn: () => void }>();

  /** Back to the start: time 1,000,000 ms, no timers. */
  reset(): void {
    this.t = 1_000_000;
    this.seq = 0;
    this.timers.clear();
  }

  now(): number {
    return this.t;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.timers.set(id, { at: this.t + Math.max(0, ms), fn });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }
  /** Delays of the timers now pending, soonest first. */
  pending(): number[] {
    return [...this.timers.values()].map((t) => t.at - this.t).sort((a, b) => a - b);
  }
  /** Moves time forward, running every timer that falls due, in order. */
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      let next: [number, { at: number; fn: () => void }] | undefined;
      for (const entry of this.timers) if (entry[1].at <= end && (next === undefined || entry[1].at < next[1].at)) next = entry;
      if (next === undefined) break;
      this.timers.delete(next[0]);
      this.t = next[1].at;
      next[1].fn();
    }
    this.t = end;
  }
}

type Handler<E> = ((event: E) => void) | null;

export class FakeWebSocket {
  static instances: FakeWebSocket[] = [];
  static reset(): void {
    FakeWebSocket.instances = [];
  }
  static get last(): FakeWebSocket {
    const ws = FakeWebSocket.instances.at(-1);
    if (ws === undefined) throw new Error('no socket was opened');
    return ws;
  }

  readyState = 0;
  sent: Array<Record<string, unknown>> = [];
  closedWith: { code?: number; reason?: string } | null = null;
  onmessage: Handler<{ data: string }> = null;
  onclose: Handler<{ code: number; reason: string }> = null;
  onerror: Handler<unknown> = null;
  onopen: Handler<unknown> = null;

  constructor(readonly url: string) {
    FakeWebSocket.instances.push(this);
  }

  send(data: string): void {
    if (this.readyState !== 1) throw new Error('send on a socket that is not open');
    this.sent.push(JSON.parse(data) as Record<string, unknown>);
  }
  close(code?: number, reason?: string): void {
    this.closedWith = { code, reason };
    this.readyState = 3;
  }

  // --- the server side -------------------------------------------------
  open(): void {
    this.readyState = 1;
    this.onopen?.({});
  }
  receive(frame: Record<string, unknown>): void {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }
  /** One WebSocket message with exactly this text (several frames joined by `\n`, when coalescing). */
  receiveText(text: string): void {
    this.onmessage?.({ data: text });
  }
  /** Opens and sends `connected`. */
  accept(clientId = 'client_1'): void {
    this.open();
    this.receive({ type: 'connected', clientId, timestamp: 1, protocol: 1, heartbeatTimeout: 70_000 });
  }
  /** The server (or the network) closes the socket. */
  drop(code = 1006, reason = ''): void {
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }
  framesOf(type: string): Array<Record<string, unknown>> {
    return this.sent.filter((f) => f.type === type);
  }
}

/** A client on the fakes: no network, time from `clock`, no jitter. */
export function fakeClient(clock: FakeClock, options: Partial<ClientOptions> = {}): PushFloClient {
  return new PushFloClient({
    publishKey: 'pub_test',
    baseUrl: 'http://broker.test',
    WebSocket: FakeWebSocket as unknown as WebSocketConstructor,
    fetch: sse.fetch,
    clock,
    random: () => 0.5, // no jitter
    ...options,
  });
}

/** A fake client whose socket the broker has accepted. */
export async function connectedClient(clock: FakeClock, options: Partial<ClientOptions> = {}): Promise<PushFloClient> {
  const client = fakeClient(clock, options);
  const done = client.connect();
  FakeWebSocket.last.accept();
  await done;
  return client;
}

/** A broker `message` frame, with `seq` unless it is undefined. */
export function messageFrame(channel: string, seq: number | undefined, id = `m${seq}`): Record<string, unknown> {
  const frame: Record<string, unknown> = {
    type: 'message',
    channel,
    messageId: id,
    eventType: 'e',
    clientId: 'server',
    data: { seq },
    timestamp: 5,
  };
  if (seq !== undefined) frame.seq = seq;
  return frame;
}

/** The clock every unit test shares; `resetFakes()` before each test starts it afresh. */
export const clock = new FakeClock();

/** `beforeEach(resetFakes)`: a fresh clock and no sockets. */
export function resetFakes(): void {
  clock.reset();
  FakeWebSocket.reset();
  FakeTransport.reset();
  sse.reset();
}

/** A client on the shared fakes. */
export const makeClient = (options: Partial<ClientOptions> = {}): PushFloClient => fakeClient(clock, options);
/** A connected client on the shared fakes. */
export const connected = (options: Partial<ClientOptions> = {}): Promise<PushFloClient> => connectedClient(clock, options);

/** A transport the tests drive: what the connection opened, sent and closed, and a way to answer. */
export class FakeTransport implements Transport {
  static instances: FakeTransport[] = [];
  static reset(): void {
    FakeTransport.instances = [];
  }
  static get last(): FakeTransport {
    const t = FakeTransport.instances.at(-1);
    if (t === undefined) throw new Error('no transport was opened');
    return t;
  }
  /** Makes each new transport; `open` throws `failOpen` when set. */
  static factory(failOpen?: Error): () => FakeTransport {
    return () => {
      const t = new FakeTransport();
      t.failOpen = failOpen;
      return t;
    };
  }

  readonly name = 'fake';
  target: TransportTarget | null = null;
  listener: TransportListener | null = null;
  sent: ClientFrame[] = [];
  closedWith: { code: number; reason: string } | null = null;
  failOpen: Error | undefined;

  constructor() {
    FakeTransport.instances.push(this);
  }

  open(target: TransportTarget, listener: TransportListener): void {
    if (this.failOpen !== undefined) throw this.failOpen;
    this.target = target;
    this.listener = listener;
  }
  send(frame: ClientFrame): boolean {
    if (this.listener === null) return false;
    this.sent.push(frame);
    return true;
  }
  close(code: number, reason: string): void {
    if (this.closedWith === null) this.closedWith = { code, reason };
    this.listener = null;
  }

  // --- the broker side --------------------------------------------------
  frame(frame: IncomingFrame): void {
    this.listener?.frame(frame);
  }
  /** The broker accepts: `connected`. */
  accept(extra: Partial<Extract<IncomingFrame, { type: 'connected' }>> = {}): void {
    this.frame({ type: 'connected', clientId: 'client_1', timestamp: 1, ...extra });
  }
  /** The broker or the network closes it. */
  drop(code = 1006, reason = ''): void {
    const listener = this.listener;
    this.listener = null;
    listener?.closed(code, reason);
  }
  framesOf(type: ClientFrame['type']): ClientFrame[] {
    return this.sent.filter((f) => f.type === type);
  }
}

/** A token-shaped string (not signed) whose payload says `exp`; `n` tells tokens apart (`…sig<n>`). */
export function fakeToken(exp: number, n = 0): string {
  const payload = btoa(JSON.stringify({ sub: 'u', iat: exp - 3600, exp, cap: {}, n }))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
  return `eyJhbGciOiJIUzI1NiJ9.${payload}.sig${n}`;
}

/** Lets pending promise callbacks (a token provider's answer) run. */
export const flush = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));
