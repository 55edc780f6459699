/**
 * `transport: 'auto'` (the default): the WebSocket when it works, SSE when it
 * cannot open, and which one later attempts use.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { MAX_FALLBACK_MS, SSE_STICKY_MS } from '../../src/client/auto-transport.js';
import { AuthenticationError } from '../../src/errors.js';
import { ErrorCode } from '../../src/protocol/index.js';
import type { WebSocketConstructor } from '../../src/types.js';
import { clock, FakeWebSocket, makeClient, messageFrame, resetFakes, sse } from './fakes.js';
import { settle } from './sse-fakes.js';

beforeEach(resetFakes);

describe('auto: a working WebSocket', () => {
  it('is used as before: no SSE request, no fallback later, and client.transport says websocket', async () => {
    const client = makeClient();
    const states: string[] = [];
    client.onConnectionChange((s) => states.push(s));
    const done = client.connect();
    FakeWebSocket.last.accept();
    await done;
    expect(client.transport).toBe('websocket');
    // Well past the fallback window, with pongs keeping the socket alive.
    for (let i = 0; i < 4; i++) {
      clock.advance(MAX_FALLBACK_MS);
      FakeWebSocket.last.receive({ type: 'pong' });
    }
    await settle();
    expect(sse.streams).toHaveLength(0);
    expect(FakeWebSocket.instances).toHaveLength(1);
    expect(states).toEqual(['connecting', 'connected']);
    client.destroy();
  });

  it('a refusal over the WebSocket is reported, not retried over SSE', async () => {
    const client = makeClient();
    const done = client.connect();
    FakeWebSocket.last.open();
    FakeWebSocket.last.receive({ type: 'error', error: 'invalid token', code: ErrorCode.UNAUTHORIZED });
    FakeWebSocket.last.drop(4500, 'invalid token');
    await expect(done).rejects.toBeInstanceOf(AuthenticationError);
    await settle();
    expect(sse.streams).toHaveLength(0);
    client.destroy();
  });

  it('after a drop of a WebSocket that worked, the reconnect tries the WebSocket first', async () => {
    const client = makeClient();
    const done = client.connect();
    FakeWebSocket.last.accept();
    await done;
    FakeWebSocket.last.drop();
    clock.advance(clock.pending()[0]!);
    expect(FakeWebSocket.instances).toHaveLength(2);
    FakeWebSocket.last.accept();
    await settle();
    expect(client.transport).toBe('websocket');
    expect(sse.streams).toHaveLength(0);
    client.destroy();
  });
});

describe('auto: a WebSocket that cannot open', () => {
  it('closed before anything arrived: SSE at once, in the same connect(), with the subscriptions', async () => {
    const client = makeClient();
    const got: number[] = [];
    client.subscribe('news', { onMessage: (m) => got.push(m.seq!) });
    const done = client.connect();
    FakeWebSocket.last.drop(1006); // e.g. a proxy refusing the upgrade
    expect(sse.streams).toHaveLength(1);
    await settle();
    sse.last.accept();
    await done;
    expect(client.transport).toBe('sse');
    await settle();
    expect(sse.postedFrames()).toEqual([{ type: 'subscribe', channel: 'news' }]);
    sse.last.frame({ type: 'subscribed', channel: 'news', seq: 0, epoch: 'e' });
    sse.last.frame(messageFrame('news', 1));
    await settle();
    expect(got).toEqual([1]);
    client.destroy();
  });

  it('silent for the fallback window (a proxy that swallows it): the socket is closed and SSE opened', async () => {
    const client = makeClient();
    const done = client.connect();
    const ws = FakeWebSocket.last;
    clock.advance(MAX_FALLBACK_MS - 1);
    expect(sse.streams).toHaveLength(0);
    clock.advance(1);
    expect(sse.streams).toHaveLength(1);
    // Given up: should it open after all, it is closed at once and never used.
    ws.open();
    expect(ws.closedWith).not.toBeNull();
    await settle();
    sse.last.accept();
    await done;
    expect(client.transport).toBe('sse');
    client.destroy();
  });

  it('the window is at most half the connection timeout', async () => {
    const client = makeClient({ connectionTimeout: 4_000 });
    void client.connect().catch(() => undefined);
    clock.advance(2_000);
    expect(sse.streams).toHaveLength(1);
    client.destroy();
  });

  it('no WebSocket in the runtime: SSE', async () => {
    class Throwing {
      constructor() {
        throw new Error('WebSocket is not supported');
      }
    }
    const client = makeClient({ WebSocket: Throwing as unknown as WebSocketConstructor });
    const done = client.connect();
    await settle();
    sse.last.accept();
    await done;
    expect(client.transport).toBe('sse');
    client.destroy();
  });

  it('after a fallback, reconnects go straight to SSE for 30 minutes, then try the WebSocket again', async () => {
    // Pings an hour apart: the heartbeat timeout stays out of this test.
    const hour = 3_600_000;
    const client = makeClient({ heartbeatInterval: hour });
    const done = client.connect();
    FakeWebSocket.last.drop(1006);
    await settle();
    sse.last.accept('client_1', hour);
    await done;
    const start = clock.now();

    // A cut stream: the reconnect skips the WebSocket.
    sse.last.fail();
    await settle();
    clock.advance(clock.pending()[0]!);
    expect(FakeWebSocket.instances).toHaveLength(1);
    expect(sse.streams).toHaveLength(2);
    await settle();
    sse.last.accept('client_1', hour);
    await settle();
    expect(client.transport).toBe('sse');

    // Connecting over SSE during the period does not extend it.
    clock.advance(SSE_STICKY_MS - (clock.now() - start) + 1);
    sse.last.fail();
    await settle();
    clock.advance(clock.pending()[0]!);
    expect(FakeWebSocket.instances).toHaveLength(2);
    FakeWebSocket.last.accept();
    await settle();
    expect(client.transport).toBe('websocket');
    client.destroy();
  });

  it('the WebSocket failing and SSE failing too fails the attempt, and remembers nothing', async () => {
    const client = makeClient();
    const done = client.connect();
    sse.refuseNext = { status: 503, body: { success: false, error: 'down', code: ErrorCode.INTERNAL } };
    FakeWebSocket.last.drop(1006);
    await expect(done).rejects.toMatchObject({ retryable: true });
    // The next connect() tries the WebSocket first again.
    const again = client.connect();
    expect(FakeWebSocket.instances).toHaveLength(2);
    FakeWebSocket.last.accept();
    await again;
    expect(client.transport).toBe('websocket');
    client.destroy();
  });
});
