/**
 * The SSE transport inside workerd, against the real Worker and shards: the
 * stream and its events, the cursor and a Last-Event-ID resume, the retention
 * gap, refusals before the stream starts, heartbeats, the frames endpoint and
 * its auth, presence, and the end of a stream.
 */
import { env } from 'cloudflare:workers';
import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { encodeCursor, parseCursor, type CursorEntry } from '@pushflodev/sdk/protocol';
import type { Env } from '../../src/env';
import { settings } from '../../src/env';
import type { ShardObject } from '../../src/connection/shard-object';
import { TestStream } from '../shared/test-stream';
import { WAIT_MS } from '../shared/wait';
import { connected, fetchBroker, freshChannel, KEYS, publish, range, seqs, token } from './helpers';

const e = env as unknown as Env;
const HISTORY_MAX = Number(e.HISTORY_MAX_MESSAGES);
const MAX_SUBS = Number(e.MAX_SUBSCRIPTIONS_PER_SOCKET);

type Query = Record<string, string | string[]>;

function sseQuery(query: Query): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) for (const one of Array.isArray(v) ? v : [v]) q.append(k, one);
  return q.toString();
}

/** Opens a stream; throws unless the broker answers with one. */
async function openStream(query: Query, headers: Record<string, string> = {}): Promise<TestStream> {
  const res = await fetchBroker(`/sse?${sseQuery({ token: KEYS.pub, ...query })}`, { headers });
  if (res.status !== 200) throw new Error(`no stream: ${res.status} ${await res.text()}`);
  return new TestStream(res);
}

/** A stream and its `connected` event. */
async function connectedStream(query: Query = {}, headers: Record<string, string> = {}) {
  const stream = await openStream(query, headers);
  const first = await stream.next();
  expect(first.event).toBe('connected');
  return { stream, connectionId: first.frame.connectionId as string, secret: first.frame.connectionSecret as string };
}

function postFrames(connectionId: string, secret: string | null, body: unknown) {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (secret !== null) headers.Authorization = `Bearer ${secret}`;
  return fetchBroker(`/sse/frames?connection=${encodeURIComponent(connectionId)}`, {
    method: 'POST',
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

const positions = (id: string): CursorEntry[] => {
  const parsed = parseCursor(id);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.entries;
};

describe('GET /sse', () => {
  it('streams `connected`, then `subscribed` and every message of each channel in order, with the WebSocket frames as data', async () => {
    const a = freshChannel('sse');
    const b = freshChannel('sse');
    const ws = await connected();
    await ws.subscribe(a);
    const res = await fetchBroker(`/sse?${sseQuery({ token: KEYS.pub, channel: [a, b] })}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toMatch(/^text\/event-stream/);
    expect(res.headers.get('Cache-Control')).toContain('no-cache');
    expect(res.headers.get('Access-Control-Allow-Origin')).toBe('*');
    const stream = new TestStream(res);
    const hello = await stream.next();
    expect(hello.event).toBe('connected');
    expect(hello.frame).toMatchObject({ type: 'connected', clientId: expect.stringMatching(/^client_/), protocol: 1, pingInterval: 1000 });
    expect(hello.frame.connectionId).toMatch(/^sse_\d+_[0-9a-f]{20}$/);
    expect(hello.frame.connectionSecret).toMatch(/^[0-9a-f]{48}$/);
    const subs = [await stream.next(), await stream.next()];
    expect(subs.map((s) => s.event)).toEqual(['subscribed', 'subscribed']);
    expect(new Set(subs.map((s) => s.frame.channel))).toEqual(new Set([a, b]));

    for (let i = 1; i <= 3; i++) await publish(a, { i });
    for (let i = 1; i <= 2; i++) await publish(b, { i });
    const onA = await stream.waitForMessages(3, a);
    const onB = await stream.waitForMessages(2, b);
    expect(seqs(onA)).toEqual([1, 2, 3]);
    expect(seqs(onB)).toEqual([1, 2]);
    // The data is the WebSocket's message frame, byte for byte.
    const wsFrames = await ws.waitForMessages(3, a);
    const sseData = stream.events.filter((x) => x.event === 'message' && x.frame.channel === a).map((x) => x.data);
    expect(sseData).toEqual(wsFrames.map((f) => JSON.stringify(f)));
    // The id after the last message covers both channels.
    const epochA = subs.find((s) => s.frame.channel === a)!.frame.epoch as string;
    const epochB = subs.find((s) => s.frame.channel === b)!.frame.epoch as string;
    expect(positions(stream.lastEventId)).toEqual(
      expect.arrayContaining([
        { channel: a, epoch: epochA, seq: 3 },
        { channel: b, epoch: epochB, seq: 2 },
      ]),
    );
    await stream.cancel();
    ws.close();
  });

  it('Last-Event-ID resumes exactly: the missed messages of each channel once, in order, then live ones', async () => {
    const a = freshChannel('sse');
    const b = freshChannel('sse');
    const first = await openStream({ channel: [a, b] });
    await first.subscribed(a);
    await first.subscribed(b);
    for (let i = 1; i <= 4; i++) await publish(a, { i });
    await publish(b, { i: 1 });
    await first.waitForMessages(4, a);
    await first.waitForMessages(1, b);
    // Cut after a's seq 2: the id of that event is what a browser would send back.
    const cut = first.events.find((x) => x.event === 'message' && x.frame.channel === a && x.frame.seq === 2)!.id;
    await first.cancel();
    await publish(b, { i: 2 });

    const again = await openStream({ channel: [a, b] }, { 'Last-Event-ID': cut });
    expect((await again.next()).event).toBe('connected');
    const resumed = [await again.next(), await again.next()].filter((x) => x.event === 'subscribed');
    const subA = resumed.find((x) => x.frame.channel === a) ?? (await again.subscribed(a));
    expect(subA.frame).toMatchObject({ recovered: true, replayed: 2, seq: 4 });
    await publish(a, { i: 5 });
    await publish(b, { i: 3 });
    await again.waitForMessages(3, a);
    await again.waitForMessages(3, b);
    // Sentinels: once they are in, anything duplicated or out of order would be too.
    await publish(a, { sentinel: true });
    await publish(b, { sentinel: true });
    expect(seqs(await again.waitForMessages(4, a))).toEqual([3, 4, 5, 6]);
    // b was at seq 0 in the cut id: everything of b, once.
    expect(seqs(await again.waitForMessages(4, b))).toEqual([1, 2, 3, 4]);
    await again.cancel();
  });

  it('a cursor alone (no channel parameter) resubscribes its channels; the header wins over lastEventId', async () => {
    const a = freshChannel('sse');
    const first = await openStream({ channel: a });
    const sub = await first.subscribed(a);
    await publish(a, { i: 1 });
    await publish(a, { i: 2 });
    await first.waitForMessages(2, a);
    await first.cancel();
    const epoch = sub.frame.epoch as string;

    const byQuery = await openStream({ lastEventId: encodeCursor([{ channel: a, epoch, seq: 1 }]) });
    expect(seqs(await byQuery.waitForMessages(1, a))).toEqual([2]);
    await byQuery.cancel();

    const both = await openStream(
      { lastEventId: encodeCursor([{ channel: a, epoch, seq: 0 }]) },
      { 'Last-Event-ID': encodeCursor([{ channel: a, epoch, seq: 1 }]) },
    );
    await publish(a, { i: 3 });
    expect(seqs(await both.waitForMessages(2, a))).toEqual([2, 3]);
    await both.cancel();
  });

  it('says recovered:false (retention) when history no longer covers the gap, and carries on from the head', async () => {
    const channel = freshChannel('sse-gap');
    const first = await openStream({ channel });
    const sub = await first.subscribed(channel);
    await first.cancel();
    for (let i = 0; i < HISTORY_MAX + 10; i++) await publish(channel, { i });
    const again = await openStream({ channel }, { 'Last-Event-ID': encodeCursor([{ channel, epoch: sub.frame.epoch as string, seq: 0 }]) });
    const resumed = await again.subscribed(channel);
    expect(resumed.frame).toMatchObject({ recovered: false, reason: 'retention', replayed: 0, seq: HISTORY_MAX + 10 });
    // The cursor moves to the head: a browser reconnecting now does not ask for the lost ones again.
    expect(positions(resumed.id)).toEqual([{ channel, epoch: sub.frame.epoch, seq: HISTORY_MAX + 10 }]);
    await publish(channel, { live: true });
    expect(seqs(await again.waitForMessages(1, channel))).toEqual([HISTORY_MAX + 11]);
    await again.cancel();
  });

  it('refuses bad credentials, channels, cursors and versions as JSON with stable codes, before any stream', async () => {
    const now = Math.floor(Date.now() / 1000);
    const cases: Array<[Query, number, string]> = [
      [{ token: '' }, 401, 'UNAUTHORIZED'],
      [{ token: 'pub_wrong' }, 401, 'UNAUTHORIZED'],
      [{ token: await token('x', {}, { secret: 'sec_somebody_else' }) }, 401, 'TOKEN_INVALID_SIGNATURE'],
      [{ token: await token('x', {}, { iat: now - 7200, ttl: 3600 }) }, 401, 'TOKEN_EXPIRED'],
      [{ channel: 'bad channel!' }, 400, 'INVALID_CHANNEL'],
      [{ channel: 'private:team-1' }, 403, 'FORBIDDEN'],
      [{ channel: range(1, MAX_SUBS + 1).map((i) => `many-${i}`) }, 400, 'TOO_MANY_SUBSCRIPTIONS'],
      [{ lastEventId: 'not a cursor' }, 400, 'INVALID_CURSOR'],
      [{ v: '2' }, 400, 'UNSUPPORTED_PROTOCOL'],
    ];
    for (const [query, status, code] of cases) {
      const res = await fetchBroker(`/sse?${sseQuery({ token: KEYS.pub, ...query })}`);
      expect(res.status, JSON.stringify(query).slice(0, 80)).toBe(status);
      expect(res.headers.get('Content-Type')).toMatch(/^application\/json/);
      expect(res.headers.get('Access-Control-Allow-Origin')).toBe('*');
      expect(await res.json()).toMatchObject({ success: false, code, error: expect.any(String) });
    }
    // A token granting subscribe opens the private channel.
    const ok = await openStream({ token: await token('t', { 'private:team-*': ['subscribe'] }), channel: 'private:team-1' });
    await ok.subscribed('private:team-1');
    await ok.cancel();
  });

  it('writes a heartbeat comment at most every setting (≤ 25 s), or a heartbeat event when asked', async () => {
    // Past 25 s is refused like every setting out of its range (the settings table), never clamped silently.
    expect(() => settings({ SSE_HEARTBEAT_MS: '60000' })).toThrow(/SSE_HEARTBEAT_MS="60000" is not an integer from 1000 to 25000/);
    expect(settings({}).sseHeartbeatMs).toBe(15_000);
    const plain = await openStream({});
    await plain.until(() => plain.comments.includes('heartbeat'), 'a heartbeat comment');
    expect(plain.events.map((x) => x.event)).toEqual(['connected']);
    await plain.cancel();
    const visible = await openStream({ heartbeats: 'event' });
    const beat = await visible.nextEvent('heartbeat');
    expect(beat.frame).toEqual({ type: 'pong' });
    await visible.cancel();
  });

  it('answers CORS preflights for both endpoints', async () => {
    for (const path of ['/sse', '/sse/frames?connection=x']) {
      const res = await fetchBroker(path, {
        method: 'OPTIONS',
        headers: { Origin: 'http://app.test', 'Access-Control-Request-Method': 'POST' },
      });
      expect(res.status).toBe(204);
      expect(res.headers.get('Access-Control-Allow-Origin')).toBe('*');
      expect(res.headers.get('Access-Control-Allow-Headers')).toContain('Authorization');
    }
  });
});

describe('POST /sse/frames', () => {
  it('takes the WebSocket’s client frames: publish (in order), subscribe, unsubscribe', async () => {
    const room = freshChannel('chat');
    const other = freshChannel('chat');
    const sub = await token('ana', { 'chat:*': ['subscribe', 'publish'] });
    const { stream, connectionId, secret } = await connectedStream({ token: sub, channel: room });
    await stream.subscribed(room);
    const ws = await connected();
    await ws.subscribe(room);

    const res = await postFrames(
      connectionId,
      secret,
      range(1, 4).map((i) => ({ type: 'publish', channel: room, event: 'said', data: { i } })),
    );
    expect(res.status).toBe(202);
    expect(res.headers.get('Access-Control-Allow-Origin')).toBe('*');
    expect(await res.json()).toEqual({ success: true, data: { accepted: 4 } });
    const seen = await ws.waitForMessages(4, room);
    expect(seen.map((m) => m.data.i)).toEqual([1, 2, 3, 4]);
    expect(seen[0]).toMatchObject({ clientId: 'ana', clientEvent: true });
    expect((await stream.waitForMessages(4, room)).map((m) => m.data.i)).toEqual([1, 2, 3, 4]);

    expect((await postFrames(connectionId, secret, { type: 'subscribe', channel: other })).status).toBe(202);
    const added = await stream.subscribed(other);
    expect(
      positions(added.id)
        .map((p) => p.channel)
        .sort(),
    ).toEqual([room, other].sort());
    await publish(other, { hello: true });
    expect(seqs(await stream.waitForMessages(1, other))).toEqual([1]);

    expect((await postFrames(connectionId, secret, { type: 'unsubscribe', channel: other })).status).toBe(202);
    const gone = await stream.nextEvent('unsubscribed');
    expect(positions(gone.id).map((p) => p.channel)).toEqual([room]);

    // A token refresh goes up the same way, and keeps the stream and its subscriptions.
    const fresh = await token('ana', { 'chat:*': ['subscribe', 'publish'] }, { ttl: 1200 });
    expect((await postFrames(connectionId, secret, { type: 'auth', token: fresh })).status).toBe(202);
    expect((await stream.nextEvent('authenticated')).frame).toMatchObject({
      type: 'authenticated',
      clientId: 'ana',
      exp: expect.any(Number),
    });
    await publish(room, { still: 'here' });
    await stream.until(() => stream.messages(room).some((m) => m.data.still === 'here'), 'a message after the refresh');
    await stream.cancel();
    ws.close();
  });

  it('answers bad frames on the stream (as over a socket) and handles the good ones around them', async () => {
    const room = freshChannel('chat');
    const { stream, connectionId, secret } = await connectedStream({ channel: room });
    await stream.subscribed(room);
    const res = await postFrames(connectionId, secret, [
      { type: 'nope' },
      { type: 'publish', channel: room, event: 'x', data: {} },
      { type: 'ping' },
    ]);
    expect(res.status).toBe(202);
    const unknown = await stream.nextEvent('broker-error');
    expect(unknown.frame).toMatchObject({ type: 'error', code: 'UNKNOWN_FRAME_TYPE' });
    // A publish key grants no client events.
    const forbidden = await stream.nextEvent('broker-error');
    expect(forbidden.frame).toMatchObject({ code: 'FORBIDDEN', channel: room });
    expect((await stream.nextEvent('pong')).frame).toEqual({ type: 'pong' });
    await stream.cancel();
  });

  it('needs the stream’s secret and an open stream; refuses bad bodies', async () => {
    const { stream, connectionId, secret } = await connectedStream({});
    const frame = { type: 'ping' };
    const cases: Array<[string, string | null, unknown, number, string]> = [
      [connectionId, null, frame, 401, 'UNAUTHORIZED'],
      [connectionId, 'f'.repeat(48), frame, 401, 'UNAUTHORIZED'],
      [connectionId, secret.slice(1), frame, 401, 'UNAUTHORIZED'],
      [connectionId.replace(/[0-9a-f]{20}$/, '0'.repeat(20)), secret, frame, 404, 'CONNECTION_NOT_FOUND'],
      ['sse_9999_00000000000000000000', secret, frame, 404, 'CONNECTION_NOT_FOUND'],
      ['conn_whatever', secret, frame, 404, 'CONNECTION_NOT_FOUND'],
      [connectionId, secret, '{"type":', 400, 'INVALID_JSON'],
      [connectionId, secret, [], 400, 'INVALID_REQUEST'],
      [connectionId, secret, range(1, 101).map(() => frame), 400, 'INVALID_REQUEST'],
      [
        connectionId,
        secret,
        JSON.stringify({ type: 'publish', channel: 'a', event: 'e', data: { pad: 'x'.repeat(300 * 1024) } }),
        413,
        'PAYLOAD_TOO_LARGE',
      ],
    ];
    for (const [id, s, body, status, code] of cases) {
      const res = await postFrames(id, s, body);
      expect(res.status, `${id} ${s} ${String(body).slice(0, 40)}`).toBe(status);
      expect(await res.json()).toMatchObject({ success: false, code });
    }
    // The stream is still fine, and after it ends its id is unknown.
    expect((await postFrames(connectionId, secret, frame)).status).toBe(202);
    expect((await stream.nextEvent('pong')).frame).toEqual({ type: 'pong' });
    await stream.cancel();
    const res = await waitForStatus(() => postFrames(connectionId, secret, frame), 404);
    expect(await res.json()).toMatchObject({ code: 'CONNECTION_NOT_FOUND' });
  });
});

/** Repeats `call` until it answers `status` (the shard notices a cancelled stream asynchronously). */
async function waitForStatus(call: () => Promise<Response>, status: number, ms = WAIT_MS): Promise<Response> {
  const deadline = Date.now() + ms;
  for (;;) {
    const res = await call();
    if (res.status === status || Date.now() > deadline) return res;
    await res.body?.cancel();
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('SSE connections and the rest of the broker', () => {
  it('presence: an SSE member joins others’ lists, and leaves when its stream is cut', async () => {
    const room = freshChannel('chat');
    const watcher = await connected(await token('watcher', { 'chat:*': ['subscribe', 'presence'] }));
    await watcher.subscribe(room);
    const { stream } = await connectedStream({
      token: await token('bea', { 'chat:*': ['subscribe', 'presence'] }, { info: { name: 'Bea' } }),
      channel: room,
    });
    await stream.subscribed(room);
    const sync = await stream.nextEvent('presence');
    expect(sync.frame).toMatchObject({
      action: 'sync',
      members: expect.arrayContaining([expect.objectContaining({ clientId: 'watcher' })]),
    });
    await watcher.until(
      () => watcher.frames.find((f) => f.type === 'presence' && f.action === 'join' && f.member.clientId === 'bea'),
      'bea joins',
    );
    await stream.cancel();
    await watcher.until(
      () => watcher.frames.find((f) => f.type === 'presence' && f.action === 'leave' && f.member.clientId === 'bea'),
      'bea leaves',
    );
    watcher.close();
  });

  it('DELETE /sse ends the stream at once with the secret (presence leaves), and refuses without it', async () => {
    const room = freshChannel('chat');
    const watcher = await connected(await token('watcher', { 'chat:*': ['subscribe', 'presence'] }));
    await watcher.subscribe(room);
    const { stream, connectionId, secret } = await connectedStream({
      token: await token('cy', { 'chat:*': ['subscribe', 'presence'] }),
      channel: room,
    });
    await stream.subscribed(room);
    await watcher.until(
      () => watcher.frames.find((f) => f.type === 'presence' && f.action === 'join' && f.member.clientId === 'cy'),
      'cy joins',
    );
    const del = (s: string | null) =>
      fetchBroker(`/sse?connection=${connectionId}`, { method: 'DELETE', headers: s === null ? {} : { Authorization: `Bearer ${s}` } });
    expect((await del(null)).status).toBe(401);
    expect((await del('0'.repeat(48))).status).toBe(401);
    const res = await del(secret);
    expect(res.status).toBe(204);
    expect((await stream.nextEvent('close')).frame).toEqual({ type: 'close', code: 1000, reason: 'closed by the client' });
    await stream.until(() => stream.ended, 'the end');
    await watcher.until(
      () => watcher.frames.find((f) => f.type === 'presence' && f.action === 'leave' && f.member.clientId === 'cy'),
      'cy leaves',
    );
    expect((await del(secret)).status).toBe(404);
    expect((await postFrames(connectionId, secret, { type: 'ping' })).status).toBe(404);
    watcher.close();
  });

  it('a token that expires ends the stream with TOKEN_EXPIRED and a close event (4003)', async () => {
    const { stream, connectionId } = await connectedStream({ token: await token('short', {}, { ttl: 60 }) });
    const shard = e.SHARD.get(e.SHARD.idFromName(`shard-${connectionId.split('_')[1]}`));
    await runInDurableObject(shard, (s: ShardObject) => s.sweep(Date.now() + 120_000));
    expect((await stream.nextEvent('broker-error')).frame).toMatchObject({ code: 'TOKEN_EXPIRED' });
    expect((await stream.nextEvent('close')).frame).toEqual({ type: 'close', code: 4003, reason: 'token expired' });
    await stream.until(() => stream.ended, 'the end');
  });

  it('is counted with the shard’s connections while open', async () => {
    const { stream, connectionId } = await connectedStream({});
    const shard = e.SHARD.get(e.SHARD.idFromName(`shard-${connectionId.split('_')[1]}`));
    const before = await shard.stats();
    expect(before.streams).toBeGreaterThanOrEqual(1);
    await stream.cancel();
    await stream.until(() => stream.ended, 'the end');
    const deadline = Date.now() + WAIT_MS;
    while ((await shard.stats()).streams >= before.streams && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect((await shard.stats()).streams).toBe(before.streams - 1);
  });
});
