/**
 * The broker as the public @pushflodev/sdk (v1.0.x) sees it: the exact URLs,
 * headers, frames and response shapes that client and server use, over real
 * sockets to a real broker process.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYS, openSocket, range, seqs, startBroker, tempStateDir, TestSocket, type Broker } from './broker';

let broker: Broker;
const state = tempStateDir();
beforeAll(async () => {
  broker = await startBroker(state.dir);
});
afterAll(async () => {
  await broker?.stop();
  state.remove();
});

/**
 * What a server client does for each call: JSON, bearer key, unwrap `data`;
 * network errors are retried (as the SDKs do) under one idempotency key, so a
 * retried publish is never stored twice. Under 100 concurrent requests the
 * local dev proxy sometimes closes a kept-alive connection as a request goes out.
 */
async function rest(method: string, path: string, body?: unknown, key: string = KEYS.sec) {
  const idempotencyKey = crypto.randomUUID();
  for (let attempt = 1; ; attempt++) {
    try {
      const res = await fetch(new URL(`/api/v1${path}`, broker.url), {
        method,
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${key}`, 'Idempotency-Key': idempotencyKey },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, json: (await res.json()) as Record<string, unknown> };
    } catch (err) {
      if (attempt >= 3 || !(err instanceof TypeError)) throw err;
    }
  }
}

describe('public client wire protocol', () => {
  it('connects with ?token=, gets connected, subscribes, receives, pings', async () => {
    const socket = await openSocket(broker); // resolves on the `connected` frame
    const channel = 'live-scores';
    socket.send({ type: 'subscribe', channel });
    expect(await socket.next()).toMatchObject({ type: 'subscribed', channel });

    const pub = await rest('POST', `/channels/${encodeURIComponent(channel)}/messages`, { content: { score: 3 }, eventType: 'goal' });
    expect(pub.status).toBe(201);
    expect(pub.json).toMatchObject({
      success: true,
      data: {
        id: expect.any(String),
        channelSlug: channel,
        eventType: 'goal',
        clientId: expect.any(String),
        delivered: 1,
        createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      },
    });
    const msg = await socket.nextOf('message');
    // Everything the public client maps into its Message: id, channel, eventType, clientId, content, timestamp.
    expect(msg).toMatchObject({
      channel,
      messageId: (pub.json.data as { id: string }).id,
      eventType: 'goal',
      clientId: expect.any(String),
      data: { score: 3 },
      timestamp: expect.any(Number),
    });

    socket.send({ type: 'ping' });
    expect(await socket.next()).toEqual({ type: 'pong' });
    socket.send({ type: 'unsubscribe', channel });
    expect(await socket.next()).toEqual({ type: 'unsubscribed', channel });
    socket.close();
  });

  it('refuses a bad key the way the public client expects: error frame UNAUTHORIZED, then close', async () => {
    const ws = new WebSocket(`${broker.url.replace('http', 'ws')}/ws?token=pub_wrong`);
    const socket = new TestSocket(ws);
    expect(await socket.next()).toMatchObject({ type: 'error', code: 'UNAUTHORIZED' });
    expect((await socket.waitForClose()).code).toBe(4500);
  });

  it('serves history in the shape getMessageHistory unwraps: {success, data: {items, pagination}}, nothing beside data', async () => {
    const channel = 'wire-history';
    for (let i = 1; i <= 3; i++) await rest('POST', `/channels/${channel}/messages`, { content: { i }, eventType: 'message' });
    const res = await rest('GET', `/channels/${channel}/messages?page=1&pageSize=2`);
    expect(Object.keys(res.json).sort()).toEqual(['data', 'success']);
    const data = res.json.data as { items: Array<Record<string, unknown>>; pagination: unknown };
    expect(data.pagination).toEqual({ page: 1, pageSize: 2, total: 3, totalPages: 2 });
    expect(data.items.map((m) => m.content)).toEqual([{ i: 1 }, { i: 2 }]);
    expect(data.items[0]).toMatchObject({
      id: expect.any(String),
      channel,
      eventType: 'message',
      clientId: expect.any(String),
      timestamp: expect.any(Number),
    });
  });

  it('supports channel CRUD as the public server client calls it', async () => {
    const slug = 'wire-crud';
    expect((await rest('POST', '/channels', { name: 'Wire', slug, isPrivate: false }, KEYS.mgmt)).status).toBe(201);
    expect((await rest('GET', `/channels/${slug}`, undefined, KEYS.mgmt)).json).toMatchObject({ data: { slug, name: 'Wire' } });
    expect((await rest('PATCH', `/channels/${slug}`, { name: 'Wire 2' }, KEYS.mgmt)).json).toMatchObject({ data: { name: 'Wire 2' } });
    const list = await rest('GET', '/channels?page=1&pageSize=25', undefined, KEYS.mgmt);
    expect(list.json).toMatchObject({ success: true, pagination: { page: 1, pageSize: 25 } });
    expect((await rest('DELETE', `/channels/${slug}`, undefined, KEYS.mgmt)).status).toBe(200);
    expect((await rest('GET', `/channels/${slug}`, undefined, KEYS.mgmt)).status).toBe(404);
  });

  it('answers 401 and 403 where the public client maps them to authentication errors', async () => {
    expect((await rest('POST', '/channels/x/messages', { content: {} }, 'sec_nope')).status).toBe(401);
    expect((await rest('POST', '/channels/x/messages', { content: {} }, KEYS.pub)).status).toBe(403);
  });

  it('accepts the docs raw-HTTP form POST /api/v1/publish', async () => {
    const socket = await openSocket(broker);
    await socket.subscribe('orders:user-123');
    const res = await rest('POST', '/publish', { channel: 'orders:user-123', event: 'order-shipped', data: { orderId: 'o1' } });
    expect(res.status).toBe(201);
    expect(await socket.nextOf('message')).toMatchObject({
      channel: 'orders:user-123',
      eventType: 'order-shipped',
      data: { orderId: 'o1' },
      seq: 1,
    });
    socket.close();
  });
});

describe('over real sockets', () => {
  it('3 subscribers each receive 500 concurrently published messages in order with contiguous seq', async () => {
    const channel = 'node:fanout-500';
    const subs = await Promise.all([openSocket(broker), openSocket(broker), openSocket(broker)]);
    for (const s of subs) await s.subscribe(channel);
    const results = await Promise.all(
      range(1, 500).map((i) => rest('POST', `/channels/${encodeURIComponent(channel)}/messages`, { content: { i } })),
    );
    expect(results.every((r) => r.status === 201)).toBe(true);
    for (const s of subs) {
      expect(seqs(await s.waitForMessages(500, channel))).toEqual(range(1, 500));
      s.close();
    }
  });

  it('a subscriber that loses its socket for a burst of 100 gets all 100 after reconnecting, in order, once', async () => {
    const channel = 'node:burst';
    const first = await openSocket(broker);
    const sub = await first.subscribe(channel);
    await rest('POST', `/channels/${encodeURIComponent(channel)}/messages`, { content: { before: true } });
    const [seen] = await first.waitForMessages(1, channel);
    first.close();
    await first.waitForClose();

    await Promise.all(range(1, 100).map((i) => rest('POST', `/channels/${encodeURIComponent(channel)}/messages`, { content: { i } })));

    const again = await openSocket(broker);
    const resumed = await again.subscribe(channel, { lastSeq: seen!.seq, epoch: sub.epoch });
    expect(resumed).toMatchObject({ recovered: true, replayed: 100 });
    const got = await again.waitForMessages(100, channel);
    expect(seqs(got)).toEqual(range(2, 101));
    expect(new Set(got.map((m) => m.messageId)).size).toBe(100);
    again.close();
  });
});
