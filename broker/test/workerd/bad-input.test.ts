import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { Env } from '../../src/env';
import { api, connected, fetchBroker, freshChannel, KEYS, publish, range, seqs } from './helpers';

const MAX_SUBS = Number((env as unknown as Env).MAX_SUBSCRIPTIONS_PER_SOCKET);
const FPS = Number((env as unknown as Env).SOCKET_FRAMES_PER_SECOND);

const post = (channel: string, body: unknown) => api('POST', `/channels/${encodeURIComponent(channel)}/messages`, body);

describe('bad REST input', () => {
  it('refuses content over 32 KB with 413 MESSAGE_TOO_LARGE and stores nothing', async () => {
    const channel = freshChannel('big');
    const res = await post(channel, { content: { blob: 'x'.repeat(33 * 1024) } });
    expect(res.status).toBe(413);
    expect(res.json).toMatchObject({ success: false, code: 'MESSAGE_TOO_LARGE' });
    // Just under the limit is fine.
    expect((await post(channel, { content: { blob: 'x'.repeat(32 * 1024 - 20) } })).status).toBe(201);
    const history = await api<{ data: { pagination: { total: number } } }>('GET', `/channels/${encodeURIComponent(channel)}/messages`);
    expect(history.json.data.pagination.total).toBe(1);
  });

  it('refuses bodies over the request limit with 413 PAYLOAD_TOO_LARGE', async () => {
    const res = await post(freshChannel('big'), JSON.stringify({ content: { blob: 'x'.repeat(70 * 1024) } }));
    expect(res.status).toBe(413);
    expect(res.json).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
  });

  it('refuses non-JSON bodies with 400 INVALID_JSON', async () => {
    const res = await post(freshChannel('bad'), '{"content": {');
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ success: false, code: 'INVALID_JSON' });
  });

  it('refuses content that is not a JSON object with 400 INVALID_CONTENT', async () => {
    for (const content of [[1, 2], 'text', 42, null, true]) {
      const res = await post(freshChannel('bad'), { content });
      expect(res.status, JSON.stringify(content)).toBe(400);
      expect(res.json).toMatchObject({ code: 'INVALID_CONTENT' });
    }
    const missing = await post(freshChannel('bad'), { eventType: 'x' });
    expect(missing.json).toMatchObject({ code: 'INVALID_CONTENT' });
  });

  it('refuses bad event types with 400 INVALID_EVENT_TYPE', async () => {
    for (const eventType of ['', 'a b', 'x'.repeat(65), 7, '<script>']) {
      const res = await post(freshChannel('bad'), { content: {}, eventType });
      expect(res.status, String(eventType)).toBe(400);
      expect(res.json).toMatchObject({ code: 'INVALID_EVENT_TYPE' });
    }
  });

  it('accepts documented names and slugs, refuses the rest with 400 INVALID_CHANNEL', async () => {
    for (const good of ['orders:user-123', 'dashboard:company-7', 'chat:room-42', 'game:match-9', 'live-scores', 'private:team-1']) {
      expect((await post(good, { content: { ok: true } })).status, good).toBe(201);
    }
    for (const bad of ['a'.repeat(129), 'has space', 'a::b', ':lead', 'trail:', '-dash', 'semi;colon', 'sl/ash', 'ünï']) {
      const res = await fetchBroker(`/api/v1/channels/${encodeURIComponent(bad)}/messages`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${KEYS.sec}` },
        body: '{"content":{}}',
      });
      expect(res.status, bad).toBe(400);
      expect(await res.json()).toMatchObject({ code: 'INVALID_CHANNEL' });
    }
  });

  it('validates the raw publish form too', async () => {
    const ok = await api<{ data: { seq: number } }>('POST', '/publish', {
      channel: 'orders:user-9',
      event: 'order-shipped',
      data: { id: 1 },
    });
    expect(ok.status).toBe(201);
    expect((await api('POST', '/publish', { channel: 'bad name', event: 'x', data: {} })).json).toMatchObject({ code: 'INVALID_CHANNEL' });
    expect((await api('POST', '/publish', { channel: 'ok', event: 'x', data: [1] })).json).toMatchObject({ code: 'INVALID_CONTENT' });
    expect((await api('POST', '/publish', { channel: 'ok', event: 'a b', data: {} })).json).toMatchObject({ code: 'INVALID_EVENT_TYPE' });
  });

  it('answers unknown routes with JSON 404 and bad queries with 400', async () => {
    const res = await fetchBroker('/api/v1/nope');
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ code: 'NOT_FOUND' });
    const q = await api('GET', `/channels/x/messages?pageSize=1000`);
    expect(q.status).toBe(400);
    expect(q.json).toMatchObject({ code: 'INVALID_QUERY' });
  });
});

describe('bad socket input keeps the socket up', () => {
  it('answers malformed and unknown frames with error frames, then still works', async () => {
    const channel = freshChannel('frames');
    const s = await connected();
    const cases: Array<[unknown, string]> = [
      ['not json', 'INVALID_JSON'],
      ['[1,2]', 'INVALID_FRAME'],
      [{ kind: 'subscribe' }, 'INVALID_FRAME'],
      [{ type: 'teleport' }, 'UNKNOWN_FRAME_TYPE'],
      [{ type: 'subscribe' }, 'INVALID_CHANNEL'],
      [{ type: 'subscribe', channel: 'bad name' }, 'INVALID_CHANNEL'],
      [{ type: 'subscribe', channel, lastSeq: -1 }, 'INVALID_FRAME'],
      [{ type: 'subscribe', channel, lastSeq: 'x' }, 'INVALID_FRAME'],
      [{ type: 'ack' }, 'INVALID_FRAME'],
      [JSON.stringify({ type: 'subscribe', channel, pad: 'x'.repeat(70 * 1024) }), 'FRAME_TOO_LARGE'],
    ];
    for (const [frame, code] of cases) {
      s.send(frame);
      expect(await s.nextOf('error'), String(frame).slice(0, 50)).toMatchObject({ type: 'error', code });
    }
    s.ws.send(new Uint8Array([1, 2, 3]));
    expect(await s.nextOf('error')).toMatchObject({ code: 'INVALID_FRAME' });
    expect(s.closed).toBeNull();
    await s.subscribe(channel);
    await publish(channel, { still: 'works' });
    expect((await s.waitForMessages(1, channel))[0]!.data).toEqual({ still: 'works' });
    s.close();
  });

  it('caps subscriptions per socket with TOO_MANY_SUBSCRIPTIONS', async () => {
    const s = await connected();
    const channels = range(1, MAX_SUBS + 1).map(() => freshChannel('cap'));
    for (const c of channels.slice(0, MAX_SUBS)) await s.subscribe(c);
    s.send({ type: 'subscribe', channel: channels[MAX_SUBS] });
    expect(await s.nextOf('error')).toMatchObject({ code: 'TOO_MANY_SUBSCRIPTIONS', channel: channels[MAX_SUBS] });
    // Unsubscribing frees a place.
    s.send({ type: 'unsubscribe', channel: channels[0] });
    expect(await s.nextOf('unsubscribed')).toMatchObject({ channel: channels[0] });
    await s.subscribe(channels[MAX_SUBS]!);
    s.close();
  });

  it('answers a flood with RATE_LIMITED, keeps the socket, and loses nothing already accepted', async () => {
    const channel = freshChannel('flood');
    const s = await connected();
    await s.subscribe(channel);
    for (let i = 0; i < FPS * 5; i++) s.send({ type: 'ack', messageId: `m${i}` });
    expect(await s.nextOf('error')).toMatchObject({ code: 'RATE_LIMITED' });
    await Promise.all(range(1, 10).map((i) => publish(channel, { i })));
    expect(seqs(await s.waitForMessages(10, channel))).toEqual(range(1, 10));
    expect(s.closed).toBeNull();
    s.close();
  });
});
