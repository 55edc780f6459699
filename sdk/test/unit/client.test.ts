import { beforeEach, describe, expect, it, vi } from 'vitest';
import { backoffDelay } from '../../src/client/timing.js';
import { AuthenticationError, ConnectionError, ValidationError } from '../../src/errors.js';
import type { GapInfo, Message } from '../../src/types.js';
import { clock, connected, FakeWebSocket, makeClient, messageFrame, resetFakes } from './fakes.js';

const message = messageFrame;

beforeEach(resetFakes);

describe('backoff', () => {
  it('starts at 1 s and grows ×1.5 up to 30 s', () => {
    const delays = Array.from({ length: 12 }, (_, i) => backoffDelay(i, 1000, 30_000, () => 0.5));
    expect(delays).toEqual([1000, 1500, 2250, 3375, 5063, 7594, 11391, 17086, 25629, 30000, 30000, 30000]);
  });

  it('jitters by at most ±25 % and never exceeds the cap', () => {
    expect(backoffDelay(2, 1000, 30_000, () => 0)).toBe(1688); // 2250 × 0.75
    expect(backoffDelay(2, 1000, 30_000, () => 1)).toBe(2813); // 2250 × 1.25
    expect(backoffDelay(20, 1000, 30_000, () => 1)).toBe(30_000);
  });

  it('the client waits exactly that schedule between failed reconnects', async () => {
    // WebSocket only: with `auto`, a socket that never opens falls back to SSE (transport.test.ts).
    const client = await connected({ transport: 'websocket' });
    FakeWebSocket.last.drop();
    const waits: number[] = [];
    for (let i = 0; i < 5; i++) {
      waits.push(clock.pending()[0]!);
      clock.advance(waits.at(-1)!);
      FakeWebSocket.last.drop(); // this attempt fails too
    }
    expect(waits).toEqual([1000, 1500, 2250, 3375, 5063]);
    // A successful reconnect resets the schedule.
    clock.advance(clock.pending()[0]!);
    FakeWebSocket.last.accept();
    FakeWebSocket.last.drop();
    expect(clock.pending()[0]).toBe(1000);
    client.destroy();
  });
});

describe('state machine', () => {
  it('goes disconnected → connecting → connected, and connect() resolves only on `connected`', async () => {
    const client = makeClient();
    const states: string[] = [];
    client.onConnectionChange((s) => states.push(s));
    let resolved = false;
    const p = client.connect().then(() => (resolved = true));
    expect(client.connectionState).toBe('connecting');
    FakeWebSocket.last.open();
    await Promise.resolve();
    expect(resolved).toBe(false);
    FakeWebSocket.last.receive({ type: 'connected', clientId: 'client_9', timestamp: 1 });
    await p;
    expect(client.clientId).toBe('client_9');
    expect(states).toEqual(['connecting', 'connected']);
    expect(FakeWebSocket.last.url).toBe('ws://broker.test/ws?token=pub_test&v=1&coalesce=1');
  });

  it('reconnects after an unexpected drop and emits disconnected/connected', async () => {
    const client = await connected();
    const events: string[] = [];
    client.on('disconnected', () => events.push('disconnected'));
    client.on('connected', () => events.push('connected'));
    FakeWebSocket.last.drop(1006);
    expect(client.connectionState).toBe('disconnected');
    clock.advance(1000);
    expect(client.connectionState).toBe('connecting');
    FakeWebSocket.last.accept();
    expect(client.connectionState).toBe('connected');
    expect(events).toEqual(['disconnected', 'connected']);
  });

  it('rejects connect() with an AuthenticationError on an UNAUTHORIZED frame, and does not retry', async () => {
    const client = makeClient();
    const p = client.connect();
    const errors: Error[] = [];
    client.on('error', (e) => errors.push(e));
    FakeWebSocket.last.open();
    FakeWebSocket.last.receive({ type: 'error', error: 'invalid token', code: 'UNAUTHORIZED' });
    await expect(p).rejects.toBeInstanceOf(AuthenticationError);
    expect(client.connectionState).toBe('error');
    expect(errors).toHaveLength(1);
    FakeWebSocket.last.drop(4500);
    clock.advance(60_000);
    expect(FakeWebSocket.instances).toHaveLength(1);
  });

  it('does not reconnect after a terminal close code (4500–4999)', async () => {
    const client = await connected();
    const errors: Error[] = [];
    client.on('error', (e) => errors.push(e));
    FakeWebSocket.last.drop(4500, 'key revoked');
    expect(client.connectionState).toBe('error');
    expect(errors[0]).toBeInstanceOf(ConnectionError);
    clock.advance(120_000);
    expect(FakeWebSocket.instances).toHaveLength(1);
  });

  it('times out a connect that gets no `connected`', async () => {
    const client = makeClient({ connectionTimeout: 5000 });
    const p = client.connect();
    FakeWebSocket.last.open();
    clock.advance(5000);
    await expect(p).rejects.toMatchObject({ code: 'CONNECTION_TIMEOUT' });
    expect(client.connectionState).toBe('error');
  });

  it('disconnect() stops reconnecting; connect() while connecting returns the same promise', async () => {
    const client = makeClient();
    const a = client.connect();
    expect(client.connect()).toBe(a);
    FakeWebSocket.last.accept();
    await a;
    FakeWebSocket.last.drop();
    client.disconnect();
    clock.advance(60_000);
    expect(FakeWebSocket.instances).toHaveLength(1);
    expect(client.connectionState).toBe('disconnected');
  });

  it('gives up after maxReconnectAttempts', async () => {
    const client = await connected({ maxReconnectAttempts: 2, transport: 'websocket' });
    const errors: Error[] = [];
    client.on('error', (e) => errors.push(e));
    FakeWebSocket.last.drop();
    for (let i = 0; i < 3; i++) {
      clock.advance(clock.pending()[0] ?? 0);
      FakeWebSocket.last.drop();
    }
    expect(client.connectionState).toBe('error');
    expect(errors.at(-1)).toMatchObject({ code: 'MAX_RECONNECT_ATTEMPTS' });
    expect(FakeWebSocket.instances).toHaveLength(3);
  });
});

describe('disconnect while connecting', () => {
  it('closes a socket that is still connecting once it opens (no browser warning), and never uses it', async () => {
    const client = makeClient();
    void client.connect().catch(() => undefined);
    const first = FakeWebSocket.last;
    client.disconnect();
    expect(first.closedWith).toBeNull(); // not closed while CONNECTING
    first.accept();
    expect(first.closedWith).not.toBeNull(); // closed as soon as it opened
    expect(client.connectionState).toBe('disconnected');
    expect(first.framesOf('subscribe')).toHaveLength(0);
  });
});

describe('heartbeat', () => {
  it('pings every interval while the broker answers', async () => {
    await connected({ heartbeatInterval: 1000 });
    const ws = FakeWebSocket.last;
    for (let i = 0; i < 5; i++) {
      clock.advance(1000);
      ws.receive({ type: 'pong' });
    }
    expect(ws.framesOf('ping')).toHaveLength(5);
    expect(ws.closedWith).toBeNull();
  });

  it('drops the socket and reconnects after 2 intervals without any frame', async () => {
    const client = await connected({ heartbeatInterval: 1000 });
    const first = FakeWebSocket.last;
    const reasons: Array<string | undefined> = [];
    client.on('disconnected', (r) => reasons.push(r));
    clock.advance(1000); // ping, no answer
    expect(first.closedWith).toBeNull();
    clock.advance(1000); // 2 intervals of silence
    expect(first.closedWith).not.toBeNull();
    expect(reasons).toEqual(['Heartbeat timeout']);
    expect(client.connectionState).toBe('disconnected');
    clock.advance(1000);
    expect(FakeWebSocket.instances).toHaveLength(2);
  });
});

describe('subscriptions and dedupe', () => {
  it('validates channel names before sending anything', async () => {
    const client = await connected();
    expect(() => client.subscribe('bad name')).toThrow(ValidationError);
    expect(() => client.subscribe('')).toThrow(ValidationError);
    expect(client.subscribe('orders:user-123').channel).toBe('orders:user-123');
    expect(client.subscribe('live-scores').channel).toBe('live-scores');
    expect(FakeWebSocket.last.framesOf('subscribe').map((f) => f.channel)).toEqual(['orders:user-123', 'live-scores']);
  });

  it('hands each seq to the app once: duplicates are dropped', async () => {
    const client = await connected();
    const got: Message[] = [];
    client.subscribe('c', { onMessage: (m) => got.push(m) });
    const ws = FakeWebSocket.last;
    ws.receive({ type: 'subscribed', channel: 'c', seq: 0, epoch: 'e1' });
    for (const seq of [1, 2, 2, 1, 3, 3]) ws.receive(message('c', seq));
    expect(got.map((m) => m.seq)).toEqual([1, 2, 3]);
  });

  it('never delivers out of order: a jump resubscribes from the last seq', async () => {
    const client = await connected();
    const got: Message[] = [];
    client.subscribe('c', { onMessage: (m) => got.push(m) });
    const ws = FakeWebSocket.last;
    ws.receive({ type: 'subscribed', channel: 'c', seq: 0, epoch: 'e1' });
    ws.receive(message('c', 1));
    ws.receive(message('c', 3)); // 2 is missing
    expect(ws.framesOf('subscribe').at(-1)).toEqual({ type: 'subscribe', channel: 'c', lastSeq: 1, epoch: 'e1' });
    ws.receive({ type: 'subscribed', channel: 'c', seq: 3, epoch: 'e1', recovered: true, replayed: 2 });
    ws.receive(message('c', 2));
    ws.receive(message('c', 3));
    expect(got.map((m) => m.seq)).toEqual([1, 2, 3]);
  });

  it('dedupes by id when the broker sends no seq', async () => {
    const client = await connected();
    const got: Message[] = [];
    client.subscribe('c', { onMessage: (m) => got.push(m) });
    const ws = FakeWebSocket.last;
    ws.receive({ type: 'subscribed', channel: 'c' });
    for (const id of ['a', 'b', 'a', 'c', 'b']) ws.receive(message('c', undefined, id));
    expect(got.map((m) => m.id)).toEqual(['a', 'b', 'c']);
  });

  it('resumes every channel from its last seq and epoch after a reconnect', async () => {
    const client = await connected();
    const got: number[] = [];
    client.subscribe('a', { onMessage: (m) => got.push(m.seq!) });
    client.subscribe('b');
    let ws = FakeWebSocket.last;
    ws.receive({ type: 'subscribed', channel: 'a', seq: 10, epoch: 'ea' });
    ws.receive({ type: 'subscribed', channel: 'b', seq: 0, epoch: 'eb' });
    ws.receive(message('a', 11));
    ws.drop();
    clock.advance(1000);
    ws = FakeWebSocket.last;
    ws.accept();
    expect(ws.framesOf('subscribe')).toEqual([
      { type: 'subscribe', channel: 'a', lastSeq: 11, epoch: 'ea' },
      { type: 'subscribe', channel: 'b', lastSeq: 0, epoch: 'eb' },
    ]);
    ws.receive({ type: 'subscribed', channel: 'a', seq: 13, epoch: 'ea', recovered: true, replayed: 2 });
    for (const seq of [11, 12, 13]) ws.receive(message('a', seq)); // 11 again: a duplicate from overlap
    expect(got).toEqual([11, 12, 13]);
  });

  it('with replayOnReconnect: false, resubscribes plainly', async () => {
    const client = await connected({ replayOnReconnect: false });
    client.subscribe('a');
    FakeWebSocket.last.receive({ type: 'subscribed', channel: 'a', seq: 4, epoch: 'ea' });
    FakeWebSocket.last.drop();
    clock.advance(1000);
    FakeWebSocket.last.accept();
    expect(FakeWebSocket.last.framesOf('subscribe')).toEqual([{ type: 'subscribe', channel: 'a' }]);
  });

  it('signals a gap that replay cannot cover, by callback and event, then continues live', async () => {
    const client = await connected();
    const gaps: GapInfo[] = [];
    const events: GapInfo[] = [];
    const got: number[] = [];
    client.on('gap', (g) => events.push(g));
    client.subscribe('a', { onGap: (g) => gaps.push(g), onMessage: (m) => got.push(m.seq!) });
    let ws = FakeWebSocket.last;
    ws.receive({ type: 'subscribed', channel: 'a', seq: 5, epoch: 'ea' });
    ws.drop();
    clock.advance(1000);
    ws = FakeWebSocket.last;
    ws.accept();
    ws.receive({ type: 'subscribed', channel: 'a', seq: 900, epoch: 'ea', recovered: false, reason: 'retention', replayed: 0 });
    ws.receive(message('a', 901));
    expect(gaps).toEqual([{ channel: 'a', reason: 'retention', seq: 900 }]);
    expect(events).toEqual(gaps);
    expect(got).toEqual([901]);
  });

  it('shares one server subscription between listeners and unsubscribes when the last leaves', async () => {
    const client = await connected();
    const a: number[] = [];
    const b: number[] = [];
    const s1 = client.subscribe('c', { onMessage: (m) => a.push(m.seq!) });
    const s2 = client.subscribe('c', { onMessage: (m) => b.push(m.seq!) });
    const ws = FakeWebSocket.last;
    expect(ws.framesOf('subscribe')).toHaveLength(1);
    ws.receive({ type: 'subscribed', channel: 'c', seq: 0, epoch: 'e' });
    ws.receive(message('c', 1));
    s1.unsubscribe();
    expect(ws.framesOf('unsubscribe')).toHaveLength(0);
    ws.receive(message('c', 2));
    s2.unsubscribe();
    expect(ws.framesOf('unsubscribe')).toEqual([{ type: 'unsubscribe', channel: 'c' }]);
    expect(a).toEqual([1]);
    expect(b).toEqual([1, 2]);
    expect(client.isSubscribed('c')).toBe(false);
  });

  it('a throwing app callback does not break delivery to others', async () => {
    const client = await connected();
    const got: number[] = [];
    const spy = vi.spyOn(globalThis, 'queueMicrotask').mockImplementation(() => undefined);
    client.subscribe('c', {
      onMessage: () => {
        throw new Error('app bug');
      },
    });
    client.subscribe('c', { onMessage: (m) => got.push(m.seq!) });
    FakeWebSocket.last.receive({ type: 'subscribed', channel: 'c', seq: 0, epoch: 'e' });
    FakeWebSocket.last.receive(message('c', 1));
    spy.mockRestore();
    expect(got).toEqual([1]);
  });
});

describe('keys', () => {
  it('refuses a missing or malformed publish key up front', () => {
    expect(() => makeClient({ publishKey: '' })).toThrow(AuthenticationError);
    expect(() => makeClient({ publishKey: 'nope' })).toThrow(/pub_/);
  });
});
