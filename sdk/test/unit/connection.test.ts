/** The Connection on its own: phases, the one disconnect path, backoff, token refresh, protocol checks. */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { Connection, type ConnectionConfig, type ConnectionHandler } from '../../src/client/connection.js';
import type { Ending } from '../../src/client/endings.js';
import { TokenSource } from '../../src/client/token-source.js';
import { AuthenticationError, ClientErrorCode, ConnectionError, PushFloError } from '../../src/errors.js';
import { ErrorCode, PROTOCOL_VERSION } from '../../src/protocol/index.js';
import { clock, FakeTransport, fakeToken, flush, resetFakes } from './fakes.js';

beforeEach(resetFakes);

type Options = Partial<ConnectionConfig> & { handler?: Partial<ConnectionHandler>; provider?: () => Promise<string> };

/** A connection on the fakes, and what it told its owner, in order. */
function setup(options: Options = {}) {
  const events: string[] = [];
  const errors: Error[] = [];
  const { handler: overrides, provider, ...config } = options;
  const handler: ConnectionHandler = {
    state: (s) => events.push(`state:${s}`),
    connected: () => events.push('connected'),
    frame: (f) => events.push(`frame:${f.type}`),
    disconnected: (reason) => events.push(`disconnected:${reason}`),
    error: (e) => {
      errors.push(e);
      events.push(`error:${e instanceof PushFloError ? e.code : e.message}`);
    },
    ...overrides,
  };
  const conn = new Connection(
    {
      baseUrl: 'http://broker.test',
      tokens: new TokenSource(null, provider === undefined ? 'pub_test' : null, provider ?? null, clock),
      transport: FakeTransport.factory(),
      clock,
      random: () => 0.5,
      connectionTimeout: 5_000,
      heartbeatInterval: 1_000,
      autoReconnect: true,
      maxReconnectAttempts: 0,
      reconnectDelay: 1_000,
      maxReconnectDelay: 30_000,
      log: () => undefined,
      ...config,
    },
    handler,
  );
  return { conn, events, errors };
}

/** A connection the broker accepted; `events` starts empty after it. */
async function open(options: Options = {}) {
  const s = setup(options);
  const done = s.conn.connect();
  FakeTransport.last.accept();
  await done;
  s.events.length = 0;
  return s;
}

describe('phases', () => {
  it('idle → opening → open; connect() is one promise per attempt; the target names the token and protocol version', async () => {
    const { conn, events } = setup();
    expect(conn.phaseKind).toBe('idle');
    const done = conn.connect();
    expect(conn.connect()).toBe(done);
    expect(conn.phaseKind).toBe('opening');
    expect(FakeTransport.last.target).toEqual({
      baseUrl: 'http://broker.test',
      params: { token: 'pub_test', v: String(PROTOCOL_VERSION) },
    });
    FakeTransport.last.accept();
    await done;
    expect(conn.phaseKind).toBe('open');
    expect(events).toEqual(['state:connecting', 'state:connected', 'connected']);
    await expect(conn.connect()).resolves.toBeUndefined();
  });

  it('passes frames on, but handles pong itself', async () => {
    const { events } = await open();
    FakeTransport.last.frame({ type: 'pong' });
    FakeTransport.last.frame({ type: 'subscribed', channel: 'c', seq: 0 });
    expect(events).toEqual(['frame:subscribed']);
  });

  it('disconnect() closes with 1000, reports `disconnected` once, and does not reconnect', async () => {
    const { conn, events } = await open();
    conn.disconnect();
    expect(FakeTransport.last.closedWith).toEqual({ code: 1000, reason: 'client disconnect' });
    expect(events).toEqual(['state:disconnected', 'disconnected:Disconnected by client']);
    expect(conn.phaseKind).toBe('idle');
    clock.advance(60_000);
    expect(FakeTransport.instances).toHaveLength(1);
  });

  it('disconnect() while opening rejects the attempt with a non-retryable CONNECTION_CLOSED', async () => {
    const { conn, events } = setup();
    const done = conn.connect();
    conn.disconnect();
    await expect(done).rejects.toMatchObject({ code: ClientErrorCode.CONNECTION_CLOSED, retryable: false });
    expect(events).toEqual(['state:connecting', 'state:disconnected']);
    expect(FakeTransport.last.closedWith).not.toBeNull();
  });

  it('destroy() refuses later connects with DESTROYED', async () => {
    const { conn } = await open();
    conn.destroy();
    await expect(conn.connect()).rejects.toMatchObject({ code: ClientErrorCode.DESTROYED });
    expect(FakeTransport.instances).toHaveLength(1);
  });
});

describe('heartbeat', () => {
  it('pings every interval while frames arrive', async () => {
    await open();
    for (let i = 0; i < 5; i++) {
      clock.advance(1_000);
      FakeTransport.last.frame({ type: 'pong' });
    }
    expect(FakeTransport.last.framesOf('ping')).toHaveLength(5);
    expect(FakeTransport.last.closedWith).toBeNull();
  });

  it('pings at the broker-advertised interval when it is shorter', async () => {
    const { conn } = setup({ heartbeatInterval: 25_000 });
    const done = conn.connect();
    FakeTransport.last.accept({ pingInterval: 400 });
    await done;
    clock.advance(400);
    expect(FakeTransport.last.framesOf('ping')).toHaveLength(1);
  });

  it('a heartbeat timeout goes through the one disconnect path, exactly like a drop', async () => {
    // A drop from the broker…
    const dropped = await open();
    FakeTransport.last.drop(1006, 'gone');
    const afterDrop = { events: dropped.events, phase: dropped.conn.phaseKind, pending: clock.pending() };
    resetFakes();

    // …and two silent heartbeat intervals.
    const silent = await open();
    const end = vi.spyOn(silent.conn as unknown as { end(e: Ending): void }, 'end');
    const first = FakeTransport.last;
    clock.advance(1_000); // ping, no answer
    expect(end).not.toHaveBeenCalled();
    clock.advance(1_000);
    expect(end).toHaveBeenCalledTimes(1);
    expect(end.mock.calls[0]![0]).toMatchObject({ code: 4001, error: null, retry: true, event: 'Heartbeat timeout' });
    expect(first.closedWith).toEqual({ code: 4001, reason: 'heartbeat timeout' });

    expect(silent.events).toEqual(['state:disconnected', 'disconnected:Heartbeat timeout']);
    expect(afterDrop.events).toEqual(['state:disconnected', 'disconnected:gone']);
    expect(silent.conn.phaseKind).toBe(afterDrop.phase);
    expect(silent.conn.phaseKind).toBe('backoff');
    expect(clock.pending()).toEqual(afterDrop.pending);
    // No ping timer outlives the socket: the only timer is the reconnect.
    expect(clock.pending()).toEqual([1_000]);
    clock.advance(1_000);
    expect(FakeTransport.instances).toHaveLength(2);
    expect(silent.conn.phaseKind).toBe('opening');
  });
});

describe('backoff', () => {
  it('waits 1 s ×1.5 per failed reconnect, reports none of them, and a success resets the schedule', async () => {
    const { conn, errors } = await open();
    FakeTransport.last.drop();
    const waits: number[] = [];
    for (let i = 0; i < 5; i++) {
      expect(conn.phaseKind).toBe('backoff');
      waits.push(clock.pending()[0]!);
      clock.advance(waits.at(-1)!);
      expect(conn.phaseKind).toBe('opening');
      FakeTransport.last.drop(); // this attempt fails too
    }
    expect(waits).toEqual([1000, 1500, 2250, 3375, 5063]);
    expect(errors).toEqual([]);
    clock.advance(clock.pending()[0]!);
    FakeTransport.last.accept();
    FakeTransport.last.drop();
    expect(clock.pending()).toEqual([1000]);
  });

  it('gives up after maxReconnectAttempts with one MAX_RECONNECT_ATTEMPTS error', async () => {
    const { conn, events } = await open({ maxReconnectAttempts: 2 });
    FakeTransport.last.drop();
    for (let i = 0; i < 2; i++) {
      clock.advance(clock.pending()[0]!);
      FakeTransport.last.drop();
    }
    expect(conn.phaseKind).toBe('failed');
    expect(conn.state).toBe('error');
    expect(events.filter((e) => e.startsWith('error:'))).toEqual([`error:${ClientErrorCode.MAX_RECONNECT_ATTEMPTS}`]);
    expect(clock.pending()).toEqual([]);
    expect(FakeTransport.instances).toHaveLength(3);
  });

  it('a first connect that fails is reported and not retried', async () => {
    const { conn, events } = setup();
    const done = conn.connect();
    FakeTransport.last.drop(1006);
    await expect(done).rejects.toMatchObject({ code: ClientErrorCode.CONNECTION_CLOSED });
    expect(events).toEqual(['state:connecting', 'state:error', `error:${ClientErrorCode.CONNECTION_CLOSED}`]);
    clock.advance(60_000);
    expect(FakeTransport.instances).toHaveLength(1);
  });

  it('a connect timeout closes with 4000: a first connect fails, a reconnect backs off', async () => {
    const first = setup();
    const done = first.conn.connect();
    clock.advance(5_000);
    await expect(done).rejects.toMatchObject({ code: ClientErrorCode.CONNECTION_TIMEOUT });
    expect(FakeTransport.last.closedWith).toEqual({ code: 4000, reason: 'connect timeout' });
    expect(first.conn.phaseKind).toBe('failed');

    resetFakes();
    const { conn, errors } = await open();
    FakeTransport.last.drop();
    clock.advance(1_000);
    clock.advance(5_000); // the reconnect attempt hears nothing
    expect(conn.phaseKind).toBe('backoff');
    expect(errors).toEqual([]);
    expect(clock.pending()).toEqual([1_500]);
  });

  it('with autoReconnect off, a drop ends in idle', async () => {
    const { conn, events } = await open({ autoReconnect: false });
    FakeTransport.last.drop();
    expect(conn.phaseKind).toBe('idle');
    expect(events).toEqual(['state:disconnected', 'disconnected:undefined']);
    expect(clock.pending()).toEqual([]);
  });

  it('disconnect() during the backoff cancels the reconnect', async () => {
    const { conn } = await open();
    FakeTransport.last.drop();
    conn.disconnect();
    expect(conn.phaseKind).toBe('idle');
    expect(clock.pending()).toEqual([]);
  });

  it('an app that reconnects from its `disconnected` listener is not overridden by a backoff', async () => {
    let conn!: Connection;
    const s = await open({ handler: { disconnected: () => void conn.connect().catch(() => undefined) } });
    conn = s.conn;
    FakeTransport.last.drop();
    expect(conn.phaseKind).toBe('opening');
    expect(FakeTransport.instances).toHaveLength(2);
    expect(clock.pending()).toEqual([5_000]); // its connect timeout, no reconnect timer
  });
});

describe('refusals and protocol versions', () => {
  it('a `connected` naming another protocol version fails with PROTOCOL_MISMATCH and is never retried', async () => {
    const { conn, errors } = setup();
    const done = conn.connect();
    FakeTransport.last.accept({ protocol: PROTOCOL_VERSION + 1 });
    await expect(done).rejects.toMatchObject({ name: 'ConnectionError', code: ClientErrorCode.PROTOCOL_MISMATCH, retryable: false });
    expect(errors[0]!.message).toMatch(/protocol version 2.*speaks 1/);
    expect(conn.phaseKind).toBe('failed');
    expect(FakeTransport.last.closedWith?.code).toBe(1000);
    clock.advance(120_000);
    expect(FakeTransport.instances).toHaveLength(1);
  });

  it('accepts a `connected` with this protocol version, or none (the base protocol)', async () => {
    for (const protocol of [PROTOCOL_VERSION, undefined]) {
      const { conn } = setup();
      const done = conn.connect();
      FakeTransport.last.accept(protocol === undefined ? {} : { protocol });
      await done;
      expect(conn.phaseKind).toBe('open');
    }
  });

  it('close 4501 (UNSUPPORTED_PROTOCOL) is not retried, even on a reconnect attempt', async () => {
    const { conn, errors } = await open();
    FakeTransport.last.drop();
    clock.advance(1_000);
    FakeTransport.last.drop(4501, 'protocol version 1 is not supported');
    expect(conn.phaseKind).toBe('failed');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(ConnectionError);
    expect(errors[0]).toMatchObject({
      code: ErrorCode.UNSUPPORTED_PROTOCOL,
      retryable: false,
      message: 'protocol version 1 is not supported',
    });
    clock.advance(120_000);
    expect(FakeTransport.instances).toHaveLength(2);
  });

  it('close 4501 on a live connection: disconnected, then failed, no reconnect', async () => {
    const { conn, events } = await open();
    FakeTransport.last.drop(4501, '');
    expect(events).toEqual(['state:disconnected', 'disconnected:undefined', 'state:error', `error:${ErrorCode.UNSUPPORTED_PROTOCOL}`]);
    expect(conn.phaseKind).toBe('failed');
    expect(clock.pending()).toEqual([]);
  });

  it('refuse() ends an opening attempt without retry, and leaves a live connection alone', async () => {
    const { conn } = setup();
    const done = conn.connect();
    const refusal = new AuthenticationError('invalid token', 'UNAUTHORIZED');
    expect(conn.refuse(refusal)).toBe(true);
    await expect(done).rejects.toBe(refusal);
    expect(FakeTransport.last.closedWith).toEqual({ code: 1000, reason: 'refused' });
    const live = await open();
    expect(live.conn.refuse(refusal)).toBe(false);
    expect(live.conn.phaseKind).toBe('open');
  });

  it('a transport that cannot start fails with its own error (NO_WEBSOCKET is not retryable)', async () => {
    const noWs = new ConnectionError('no WebSocket implementation', ClientErrorCode.NO_WEBSOCKET, { retryable: false });
    const { conn } = setup({ transport: FakeTransport.factory(noWs) });
    await expect(conn.connect()).rejects.toBe(noWs);
    expect(conn.phaseKind).toBe('failed');
  });
});

describe('tokens', () => {
  const expiringIn = (seconds: number, n: number) => fakeToken(Math.floor(clock.now() / 1000) + seconds, n);

  it('fetches a token before opening, and refreshes it over the same transport at half its lifetime', async () => {
    let calls = 0;
    const { conn, events } = setup({ heartbeatInterval: 10_000_000, provider: async () => expiringIn(600, ++calls) });
    const done = conn.connect();
    expect(conn.phaseKind).toBe('authorizing');
    expect(FakeTransport.instances).toHaveLength(0);
    await flush();
    expect(conn.phaseKind).toBe('opening');
    expect(FakeTransport.last.target?.params.token).toMatch(/sig1$/);
    FakeTransport.last.accept();
    await done;
    clock.advance(299_000);
    expect(calls).toBe(1);
    clock.advance(1_000);
    await flush();
    expect(calls).toBe(2);
    expect(FakeTransport.last.framesOf('auth')).toEqual([{ type: 'auth', token: expect.stringMatching(/sig2$/) as unknown as string }]);
    // The broker confirms; the next refresh is half the new token's lifetime away.
    FakeTransport.last.frame({ type: 'authenticated', clientId: 'u', exp: 0 });
    expect(clock.pending()[0]).toBe(300_000);
    expect(FakeTransport.instances).toHaveLength(1);
    expect(events).not.toContain('state:disconnected');
  });

  it('a failed refresh is reported and tried again 5 s later, then on the normal schedule', async () => {
    let calls = 0;
    const provider = async () => {
      calls++;
      if (calls === 2) throw new AuthenticationError('auth endpoint down', ClientErrorCode.AUTH_FAILED);
      return expiringIn(600, calls);
    };
    const { errors } = await (async () => {
      const s = setup({ heartbeatInterval: 10_000_000, provider });
      const done = s.conn.connect();
      await flush();
      FakeTransport.last.accept();
      await done;
      return s;
    })();
    clock.advance(300_000);
    await flush();
    expect(errors).toMatchObject([{ code: ClientErrorCode.AUTH_FAILED }]);
    expect(clock.pending()[0]).toBe(5_000);
    clock.advance(5_000); // reschedules: 295 s left → half of it
    expect(clock.pending()[0]).toBe(147_500);
    clock.advance(147_500);
    await flush();
    expect(calls).toBe(3);
    expect(FakeTransport.last.framesOf('auth')).toHaveLength(1);
  });

  it('a provider that fails fails a first connect, and backs off a reconnect', async () => {
    let fail = true;
    let calls = 0;
    const provider = async () => {
      calls++;
      if (fail) throw new AuthenticationError('no session', ClientErrorCode.AUTH_FAILED);
      return `opaque-token-${calls}`; // no exp: asked for again on every connect
    };
    const { conn, errors } = setup({ provider });
    await expect(conn.connect()).rejects.toMatchObject({ code: ClientErrorCode.AUTH_FAILED });
    expect(conn.phaseKind).toBe('failed');
    expect(errors).toHaveLength(1);

    fail = false;
    const done = conn.connect();
    await flush();
    FakeTransport.last.accept();
    await done;
    FakeTransport.last.drop(1006);
    fail = true;
    clock.advance(1_000);
    expect(conn.phaseKind).toBe('authorizing');
    await flush();
    expect(conn.phaseKind).toBe('backoff');
    expect(errors).toHaveLength(1); // a reconnect's failure is not reported
    expect(clock.pending()).toEqual([1_500]);
    fail = false;
    clock.advance(1_500);
    await flush();
    expect(conn.phaseKind).toBe('opening');
    expect(FakeTransport.last.target?.params.token).toBe('opaque-token-4');
  });

  it('disconnect() while the token is being fetched: the late token opens nothing', async () => {
    let release!: (token: string) => void;
    const { conn } = setup({ provider: () => new Promise<string>((resolve) => (release = resolve)) });
    const done = conn.connect();
    conn.disconnect();
    await expect(done).rejects.toMatchObject({ code: ClientErrorCode.CONNECTION_CLOSED });
    release(expiringIn(600, 1));
    await flush();
    expect(FakeTransport.instances).toHaveLength(0);
    expect(conn.phaseKind).toBe('idle');
  });
});
