/** `POST /api/v1/auth/token`: publish key (+ client id) in, a connection token that opens /ws out. */
import { describe, expect, it } from 'vitest';
import type { ConnectionToken } from '@pushflodev/sdk/protocol';
import { api, connect, fetchBroker, freshChannel, KEYS, publish } from './helpers';

/** The route as PushFlo's examples call it: JSON body, no Authorization header. */
async function requestToken(body: unknown): Promise<{ status: number; json: Record<string, unknown>; headers: Headers }> {
  const res = await fetchBroker('/api/v1/auth/token', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown>, headers: res.headers };
}

async function tokenFor(body: Record<string, unknown>): Promise<ConnectionToken> {
  const res = await requestToken(body);
  expect(res.status, JSON.stringify(res.json)).toBe(200);
  return (res.json as { data: ConnectionToken }).data;
}

describe('POST /api/v1/auth/token', () => {
  it('answers {token, expiresAt, endpoint, clientId} and the token opens a socket as that client id', async () => {
    const before = Date.now();
    const res = await requestToken({ publishKey: KEYS.pub, clientId: 'user-123' });
    expect(res.status).toBe(200);
    expect(Object.keys(res.json).sort()).toEqual(['data', 'success']);
    const data = (res.json as { data: ConnectionToken }).data;
    expect(Object.keys(data).sort()).toEqual(['clientId', 'endpoint', 'expiresAt', 'token']);
    expect(data.clientId).toBe('user-123');
    expect(data.endpoint).toBe('ws://broker.test/ws');
    expect(data.expiresAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    // Default lifetime: one hour.
    const expires = Date.parse(data.expiresAt);
    expect(expires).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 3_600_000);
    expect(expires).toBeLessThanOrEqual(Date.now() + 3_600_000);

    const socket = await connect(data.token);
    expect(await socket.next()).toMatchObject({ type: 'connected', clientId: 'user-123' });
    const channel = freshChannel('orders');
    await socket.subscribe(channel);
    const sent = await publish(channel, { orderId: 'o-1' }, 'order-shipped');
    const [got] = await socket.waitForMessages(1, channel);
    expect(got).toMatchObject({ messageId: sent.id, eventType: 'order-shipped', data: { orderId: 'o-1' } });
    socket.close();
  });

  it('generates a client id when none is asked for, and the socket gets that one', async () => {
    const a = await tokenFor({ publishKey: KEYS.pub });
    const b = await tokenFor({ publishKey: KEYS.pub, clientId: null });
    expect(a.clientId).toMatch(/^client_[0-9a-f]{16}$/);
    expect(b.clientId).toMatch(/^client_[0-9a-f]{16}$/);
    expect(a.clientId).not.toBe(b.clientId);
    const socket = await connect(a.token);
    expect(await socket.next()).toMatchObject({ type: 'connected', clientId: a.clientId });
    socket.close();
  });

  it('grants exactly what the publish key may: public channels, no private channel, client event, presence or history', async () => {
    const { token } = await tokenFor({ publishKey: KEYS.pub, clientId: 'plain' });
    const socket = await connect(token);
    await socket.nextOf('connected');
    const secret = `private-${freshChannel('vault').replace(':', '-')}`;
    socket.send({ type: 'subscribe', channel: secret });
    expect(await socket.nextOf('error')).toMatchObject({ code: 'FORBIDDEN', channel: secret });
    const open = freshChannel('room');
    socket.send({ type: 'publish', channel: open, event: 'x', data: {} });
    expect(await socket.nextOf('error')).toMatchObject({ code: 'FORBIDDEN', channel: open });
    // No presence either: subscribing answers `subscribed` and no presence sync. The sentinel
    // message published after it is the first frame to follow.
    await socket.subscribe(open);
    await publish(open, { sentinel: true });
    const next = await socket.next();
    expect(next).toMatchObject({ type: 'message', channel: open, data: { sentinel: true } });
    socket.close();
    // The token is not a REST credential: no history, no publishing.
    const path = `/channels/${encodeURIComponent(open)}/messages`;
    expect((await api('GET', path, undefined, token)).status).toBe(403);
    expect((await api('POST', path, { content: { a: 1 } }, token)).status).toBe(401);
  });

  it('refuses unknown keys and keys that are not publish keys: 401 INVALID_PUBLISH_KEY', async () => {
    for (const publishKey of ['pub_unknown', KEYS.sec, KEYS.mgmt, 'nonsense']) {
      const res = await requestToken({ publishKey, clientId: 'x' });
      expect(res.status, publishKey).toBe(401);
      expect(res.json).toMatchObject({ success: false, code: 'INVALID_PUBLISH_KEY', error: expect.any(String) });
    }
  });

  it('refuses a malformed body with 400 and a stable code', async () => {
    const cases: Array<[unknown, string]> = [
      ['not json', 'INVALID_JSON'],
      ['[1]', 'INVALID_REQUEST'],
      [{}, 'INVALID_REQUEST'],
      [{ publishKey: 42 }, 'INVALID_REQUEST'],
      [{ publishKey: '' }, 'INVALID_REQUEST'],
      [{ publishKey: KEYS.pub, clientId: 'has spaces' }, 'INVALID_REQUEST'],
      [{ publishKey: KEYS.pub, clientId: 'x'.repeat(129) }, 'INVALID_REQUEST'],
      [{ publishKey: KEYS.pub, clientId: 7 }, 'INVALID_REQUEST'],
    ];
    for (const [body, code] of cases) {
      const res = await requestToken(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.json).toMatchObject({ success: false, code });
    }
  });

  it('can be called from a browser on another origin (CORS), errors included', async () => {
    const preflight = await fetchBroker('/api/v1/auth/token', {
      method: 'OPTIONS',
      headers: { Origin: 'https://app.example', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('Access-Control-Allow-Origin')).toBe('*');
    expect(preflight.headers.get('Access-Control-Allow-Methods')).toContain('POST');
    expect(preflight.headers.get('Access-Control-Allow-Headers')?.toLowerCase()).toContain('content-type');
    expect((await requestToken({ publishKey: KEYS.pub })).headers.get('Access-Control-Allow-Origin')).toBe('*');
    expect((await requestToken({ publishKey: 'pub_unknown' })).headers.get('Access-Control-Allow-Origin')).toBe('*');
  });
});
