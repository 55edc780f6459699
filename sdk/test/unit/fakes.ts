/** A WebSocket and a clock the tests drive by hand, and a client wired to them. */
import { PushFloClient } from '../../src/client/PushFloClient.js';
import type { ClientOptions, Clock, WebSocketConstructor } from '../../src/types.js';

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
  const frame: Record<string, unknown> = { type: 'message', channel, messageId: id, eventType: 'e', clientId: 'server', data: { seq }, timestamp: 5 };
  if (seq !== undefined) frame.seq = seq;
  return frame;
}

/** The clock every unit test shares; `resetFakes()` before each test starts it afresh. */
export const clock = new FakeClock();

/** `beforeEach(resetFakes)`: a fresh clock and no sockets. */
export function resetFakes(): void {
  clock.reset();
  FakeWebSocket.reset();
}

/** A client on the shared fakes. */
export const makeClient = (options: Partial<ClientOptions> = {}): PushFloClient => fakeClient(clock, options);
/** A connected client on the shared fakes. */
export const connected = (options: Partial<ClientOptions> = {}): Promise<PushFloClient> => connectedClient(clock, options);
