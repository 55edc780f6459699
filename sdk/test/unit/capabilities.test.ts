import { beforeEach, describe, expect, it } from 'vitest';
import { PushFloClient } from '../../src/client/PushFloClient.js';
import { PushFloServer } from '../../src/server/PushFloServer.js';
import { verifyToken } from '../../src/protocol/index.js';
import type { ClientOptions, PresenceEvent, PresenceMember, WebSocketConstructor } from '../../src/types.js';
import { FakeClock, FakeWebSocket, fakeToken, flush } from './fakes.js';

let clock: FakeClock;
beforeEach(() => {
  clock = new FakeClock();
  FakeWebSocket.reset();
});

function makeClient(options: Partial<ClientOptions>) {
  return new PushFloClient({
    baseUrl: 'http://broker.test',
    WebSocket: FakeWebSocket as unknown as WebSocketConstructor,
    clock,
    random: () => 0.5,
    ...options,
  });
}

describe('tokens', () => {
  it('gets a token before connecting and connects with it', async () => {
    let calls = 0;
    const client = makeClient({ authCallback: async () => fakeToken(clock.now() / 1000 + 3600, ++calls) });
    const p = client.connect();
    await flush();
    expect(calls).toBe(1);
    expect(FakeWebSocket.last.url).toContain('/ws?token=eyJ');
    FakeWebSocket.last.accept();
    await p;
  });

  it('refreshes over the open socket before expiry, without reconnecting', async () => {
    let calls = 0;
    const client = makeClient({
      heartbeatInterval: 10_000_000,
      authCallback: async () => fakeToken(Math.floor(clock.now() / 1000) + 600, ++calls),
    });
    const p = client.connect();
    await flush();
    FakeWebSocket.last.accept();
    await p;
    client.subscribe('c');
    clock.advance(299_000);
    expect(calls).toBe(1);
    clock.advance(2_000); // half the 600 s lifetime has passed
    await flush();
    expect(calls).toBe(2);
    const auth = FakeWebSocket.last.framesOf('auth');
    expect(auth).toHaveLength(1);
    expect(String(auth[0]!.token)).toMatch(/sig2$/);
    expect(FakeWebSocket.instances).toHaveLength(1);
    expect(client.connectionState).toBe('connected');
  });

  it('fetches a fresh token for a reconnect after TOKEN_EXPIRED (4003)', async () => {
    let calls = 0;
    const client = makeClient({ authCallback: async () => fakeToken(Math.floor(clock.now() / 1000) + 30, ++calls) });
    const p = client.connect();
    await flush();
    FakeWebSocket.last.accept();
    await p;
    clock.advance(40_000);
    FakeWebSocket.last.drop(4003, 'token expired');
    expect(client.connectionState).toBe('disconnected');
    clock.advance(1_000);
    await flush();
    expect(calls).toBeGreaterThanOrEqual(2);
    expect(new URL(FakeWebSocket.last.url).searchParams.get('token')).toMatch(/sig\d$/);
    expect(FakeWebSocket.instances.length).toBe(2);
  });

  it('maps token error codes to AuthenticationError', async () => {
    const client = makeClient({ token: fakeToken(clock.now() / 1000 + 60) });
    const p = client.connect();
    FakeWebSocket.last.open();
    FakeWebSocket.last.receive({ type: 'error', error: 'forged', code: 'TOKEN_INVALID_SIGNATURE' });
    await expect(p).rejects.toMatchObject({ name: 'AuthenticationError', code: 'TOKEN_INVALID_SIGNATURE' });
  });

  it('createToken mints a token the broker-side verifier accepts, with the given grants', async () => {
    const server = new PushFloServer({ secretKey: 'sec_unit', baseUrl: 'http://b.test' });
    const token = await server.createToken({
      clientId: 'ana',
      capabilities: { 'chat:room-*': ['subscribe', 'presence'] },
      info: { name: 'Ana' },
      ttlSeconds: 120,
    });
    const now = Math.floor(Date.now() / 1000);
    const check = await verifyToken(token, ['sec_other', 'sec_unit'], now);
    expect(check).toMatchObject({
      ok: true,
      claims: { sub: 'ana', cap: { 'chat:room-*': ['subscribe', 'presence'] }, info: { name: 'Ana' } },
    });
    expect(check.ok && check.claims.exp - check.claims.iat).toBe(120);
    expect(await verifyToken(token, ['sec_other'], now)).toMatchObject({ ok: false, code: 'TOKEN_INVALID_SIGNATURE' });
    expect(await verifyToken(token, ['sec_unit'], now + 200)).toMatchObject({ ok: false, code: 'TOKEN_EXPIRED' });
    await expect(server.createToken({ clientId: 'bad id!', capabilities: {} })).rejects.toMatchObject({ name: 'ValidationError' });
    await expect(server.createToken({ clientId: 'a', capabilities: {}, ttlSeconds: 86_401 })).rejects.toMatchObject({
      name: 'ValidationError',
    });
  });
});

describe('client events', () => {
  it('queues while disconnected (capped) and sends on connect', async () => {
    const client = makeClient({ publishKey: 'pub_x' });
    client.publish('chat:room-1', 'user-typing', { typing: true }, { echo: false, ephemeral: true });
    for (let i = 1; i < 100; i++) client.publish('chat:room-1', 'move', { i });
    expect(() => client.publish('chat:room-1', 'move', { i: 100 })).toThrow(/queued/);
    const p = client.connect();
    FakeWebSocket.last.accept();
    await p;
    const sent = FakeWebSocket.last.framesOf('publish');
    expect(sent).toHaveLength(100);
    expect(sent[0]).toEqual({
      type: 'publish',
      channel: 'chat:room-1',
      event: 'user-typing',
      data: { typing: true },
      echo: false,
      ephemeral: true,
    });
  });

  it('validates before sending', () => {
    const client = makeClient({ publishKey: 'pub_x' });
    expect(() => client.publish('bad name', 'e', {})).toThrow(/channel/);
    expect(() => client.publish('ok', 'bad event', {})).toThrow(/event/);
    expect(() => client.publish('ok', 'e', [] as unknown as Record<string, unknown>)).toThrow(/object/);
  });
});

describe('presence', () => {
  it('tracks sync, join and leave, once per client id', async () => {
    const client = makeClient({ publishKey: 'pub_x' });
    const p = client.connect();
    FakeWebSocket.last.accept();
    await p;
    const seen: Array<[string[], PresenceEvent['action']]> = [];
    client.subscribe('room', { onPresence: (members: PresenceMember[], e) => seen.push([members.map((m) => m.clientId), e.action]) });
    const ws = FakeWebSocket.last;
    ws.receive({ type: 'subscribed', channel: 'room', seq: 0, epoch: 'e' });
    ws.receive({ type: 'presence', channel: 'room', action: 'sync', members: [{ clientId: 'a', data: null }] });
    ws.receive({ type: 'presence', channel: 'room', action: 'join', member: { clientId: 'b', data: { name: 'B' } } });
    ws.receive({ type: 'presence', channel: 'room', action: 'join', member: { clientId: 'b', data: { name: 'B' } } });
    ws.receive({ type: 'presence', channel: 'room', action: 'leave', member: { clientId: 'a', data: null } });
    expect(seen).toEqual([
      [['a'], 'sync'],
      [['a', 'b'], 'join'],
      [['b'], 'leave'],
    ]);
    expect(client.presence('room')).toEqual([{ clientId: 'b', data: { name: 'B' } }]);
  });

  it('pings at the broker-advertised interval when it is shorter', async () => {
    const client = makeClient({ publishKey: 'pub_x', heartbeatInterval: 25_000 });
    const p = client.connect();
    FakeWebSocket.last.open();
    FakeWebSocket.last.receive({ type: 'connected', clientId: 'c', timestamp: 1, pingInterval: 8_000 });
    await p;
    clock.advance(8_000);
    expect(FakeWebSocket.last.framesOf('ping')).toHaveLength(1);
  });
});
