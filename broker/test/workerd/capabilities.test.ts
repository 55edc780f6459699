import { env } from 'cloudflare:workers';
import { evictAllDurableObjects, listDurableObjectIds, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { Env } from '../../src/env';
import type { ShardObject } from '../../src/connection/shard-object';
import type { SocketMeta } from '../../src/connection/hub';
import type { HistoryPage, PresenceFrame, PresenceMember, PublishResult } from '@pushflodev/sdk/protocol';
import { api, connect, connected, freshChannel, KEYS, publish, range, seqs, token, type TestSocket } from './helpers';

const e = env as unknown as Env;
const EVENTS_PER_SECOND = Number(e.CLIENT_EVENTS_PER_SECOND);
const PRESENCE_TIMEOUT = Number(e.PRESENCE_TIMEOUT_MS);

async function withToken(sub: string, cap: Parameters<typeof token>[1], options: Parameters<typeof token>[2] = {}) {
  return connected(await token(sub, cap, options));
}

/** Rewrites matching sockets' attachments on every shard (time control for sweeps). */
async function editSockets(match: (m: SocketMeta) => boolean, edit: (m: SocketMeta) => SocketMeta) {
  for (const id of await listDurableObjectIds(e.SHARD)) {
    await runInDurableObject(e.SHARD.get(id), (_shard: ShardObject, state) => {
      for (const ws of state.getWebSockets()) {
        const meta = ws.deserializeAttachment() as SocketMeta;
        if (match(meta)) ws.serializeAttachment(edit(meta));
      }
    });
  }
}

async function sweepAll(now: number): Promise<number> {
  let n = 0;
  for (const id of await listDurableObjectIds(e.SHARD)) n += await runInDurableObject(e.SHARD.get(id), (s: ShardObject) => s.sweep(now));
  return n;
}

const presence = (s: TestSocket) => s.frames.filter((f): f is PresenceFrame => f.type === 'presence');
const memberIds = async (channel: string) =>
  ((await e.CHANNEL.get(e.CHANNEL.idFromName(channel)).members()) as unknown as PresenceMember[]).map((m) => m.clientId);

describe('tokens', () => {
  it('a valid token connects as its client id', async () => {
    const s = await connect(await token('alice', {}));
    expect(await s.next()).toMatchObject({ type: 'connected', clientId: 'alice', pingInterval: expect.any(Number) });
    s.close();
  });

  it('refuses expired, forged, tampered and malformed tokens with distinct codes', async () => {
    const now = Math.floor(Date.now() / 1000);
    const good = await token('mallory', { 'chat:*': ['subscribe'] });
    const [h, , sig] = good.split('.');
    const tamperedClaims = btoa(
      JSON.stringify({ sub: 'mallory', iat: now, exp: now + 600, cap: { '*': ['subscribe', 'publish', 'presence', 'history'] } }),
    )
      .replace(/=+$/, '')
      .replace(/\+/g, '-')
      .replace(/\//g, '_');
    const cases: Array<[string, string, number]> = [
      [await token('late', {}, { iat: now - 7200, ttl: 3600 }), 'TOKEN_EXPIRED', 4003],
      [await token('forger', {}, { secret: 'sec_somebody_else' }), 'TOKEN_INVALID_SIGNATURE', 4500],
      [`${h}.${tamperedClaims}.${sig}`, 'TOKEN_INVALID_SIGNATURE', 4500],
      ['eyJhbGciOiJIUzI1NiJ9.bm90IGpzb24.c2ln', 'TOKEN_MALFORMED', 4500],
      ['eyJ.x.y', 'TOKEN_MALFORMED', 4500],
    ];
    for (const [t, code, close] of cases) {
      const s = await connect(t);
      expect(await s.next(), code).toMatchObject({ type: 'error', code });
      expect((await s.waitForClose()).code).toBe(close);
    }
  });

  it('refreshes a token over the socket without dropping subscriptions', async () => {
    const channel = freshChannel('refresh');
    const s = await withToken('rita', { [channel]: ['subscribe'] }, { ttl: 60 });
    await s.subscribe(channel);
    s.send({ type: 'auth', token: await token('rita', { [channel]: ['subscribe'] }, { ttl: 3600 }) });
    const authed = await s.nextOf('authenticated');
    expect(authed.clientId).toBe('rita');
    expect(authed.exp).toBeGreaterThan(Date.now() / 1000 + 3000);
    await publish(channel, { still: 'here' });
    expect((await s.waitForMessages(1, channel))[0]!.data).toEqual({ still: 'here' });
    // Another identity is refused; the socket stays.
    s.send({ type: 'auth', token: await token('not-rita', {}) });
    expect(await s.nextOf('error')).toMatchObject({ code: 'FORBIDDEN' });
    s.send({ type: 'auth', token: await token('rita', {}, { secret: 'sec_forged' }) });
    expect(await s.nextOf('error')).toMatchObject({ code: 'TOKEN_INVALID_SIGNATURE' });
    expect(s.closed).toBeNull();
    s.close();
  });

  it('closes a socket whose token has expired with TOKEN_EXPIRED (4003)', async () => {
    const s = await withToken('eve-expiring', {});
    await editSockets(
      (m) => m.clientId === 'eve-expiring',
      (m) => ({ ...m, exp: Date.now() - 1 }),
    );
    await sweepAll(Date.now());
    expect(await s.nextOf('error')).toMatchObject({ code: 'TOKEN_EXPIRED' });
    expect((await s.waitForClose()).code).toBe(4003);
  });
});

describe('private channels', () => {
  it('refuses the publish key', async () => {
    const channel = `private:${freshChannel('team').replace(':', '-')}`;
    const s = await connected(KEYS.pub);
    s.send({ type: 'subscribe', channel });
    expect(await s.nextOf('error')).toMatchObject({ code: 'FORBIDDEN', channel });
    expect(s.closed).toBeNull();
    s.close();
  });

  it('allows a token whose pattern matches, refuses one whose pattern does not', async () => {
    const team = freshChannel('team').replace(':', '-');
    const channel = `private-${team}`;
    const allowed = await withToken('member', { 'private-team-*': ['subscribe'] });
    await allowed.subscribe(channel);
    const outsider = await withToken('outsider', { 'private-other-*': ['subscribe'], [channel]: ['publish'] });
    outsider.send({ type: 'subscribe', channel });
    expect(await outsider.nextOf('error')).toMatchObject({ code: 'FORBIDDEN', channel });
    await publish(channel, { secret: 1 });
    expect((await allowed.waitForMessages(1, channel))[0]!.data).toEqual({ secret: 1 });
    expect(outsider.messages(channel)).toEqual([]);
    allowed.close();
    outsider.close();
  });
});

describe('client events', () => {
  it('are published over the socket, marked, stored and sequenced', async () => {
    const channel = freshChannel('room');
    const listener = await connected();
    await listener.subscribe(channel);
    const sender = await withToken('ana', { 'room:*': ['publish'] });
    await publish(channel, { from: 'server' });
    sender.send({ type: 'publish', channel, event: 'player-moved', data: { x: 1 } });
    const [, moved] = await listener.waitForMessages(2, channel);
    expect(moved).toMatchObject({ eventType: 'player-moved', clientId: 'ana', clientEvent: true, data: { x: 1 }, seq: 2 });
    const history = await api<{ data: HistoryPage }>('GET', `/channels/${encodeURIComponent(channel)}/messages`);
    expect(history.json.data.items.map((m) => m.clientEvent ?? false)).toEqual([false, true]);
    listener.close();
    sender.close();
  });

  it('need a token granting publish on the channel', async () => {
    const channel = freshChannel('room');
    const keySocket = await connected(KEYS.pub);
    keySocket.send({ type: 'publish', channel, event: 'x', data: {} });
    expect(await keySocket.nextOf('error')).toMatchObject({ code: 'FORBIDDEN', channel });
    const readOnly = await withToken('reader', { 'room:*': ['subscribe'] });
    readOnly.send({ type: 'publish', channel, event: 'x', data: {} });
    expect(await readOnly.nextOf('error')).toMatchObject({ code: 'FORBIDDEN', channel });
    const wrongPattern = await withToken('elsewhere', { 'chat:*': ['publish'] });
    wrongPattern.send({ type: 'publish', channel, event: 'x', data: {} });
    expect(await wrongPattern.nextOf('error')).toMatchObject({ code: 'FORBIDDEN', channel });
    for (const s of [keySocket, readOnly, wrongPattern]) s.close();
  });

  it('can skip the sender (echo: false) and skip history (ephemeral)', async () => {
    const channel = freshChannel('typing');
    const other = await connected();
    await other.subscribe(channel);
    const typist = await withToken('ty', { [channel]: ['publish', 'subscribe'] });
    await typist.subscribe(channel);
    typist.send({ type: 'publish', channel, event: 'user-typing', data: { typing: true }, echo: false, ephemeral: true });
    typist.send({ type: 'publish', channel, event: 'message-sent', data: { text: 'hi' } });
    const got = await other.waitForMessages(2, channel);
    expect(got[0]).toMatchObject({ eventType: 'user-typing', clientId: 'ty', clientEvent: true });
    expect(got[0]!.seq).toBeUndefined(); // ephemeral: not sequenced
    expect(got[1]).toMatchObject({ eventType: 'message-sent', seq: 1 });
    const mine = await typist.waitForMessages(1, channel);
    expect(mine.map((m) => m.eventType)).toEqual(['message-sent']); // no echo of the typing event
    const history = await api<{ data: HistoryPage }>('GET', `/channels/${encodeURIComponent(channel)}/messages`);
    expect(history.json.data.items.map((m) => m.eventType)).toEqual(['message-sent']);
    other.close();
    typist.close();
  });

  it("keep each sender's order in a burst from several senders (batched on their way up)", async () => {
    const channel = freshChannel('match');
    const listener = await connected();
    await listener.subscribe(channel);
    const players = await Promise.all(['p1', 'p2'].map((id) => withToken(id, { [channel]: ['publish'] })));
    const perSender = EVENTS_PER_SECOND; // within each socket's burst: nothing refused
    for (let i = 0; i < perSender; i++) {
      for (const p of players) p.send({ type: 'publish', channel, event: 'player-moved', data: { i }, ephemeral: true });
    }
    const got = await listener.waitForMessages(perSender * players.length, channel);
    for (const id of ['p1', 'p2']) {
      expect(got.filter((m) => m.clientId === id).map((m) => (m.data as { i: number }).i)).toEqual([...Array(perSender).keys()]);
    }
    listener.close();
    for (const p of players) p.close();
  });

  it('are rate-limited per socket with RATE_LIMITED, never silently dropped', async () => {
    const channel = freshChannel('flood');
    const other = await connected();
    await other.subscribe(channel);
    const s = await withToken('fast', { [channel]: ['publish'] });
    const attempts = EVENTS_PER_SECOND * 3;
    for (let i = 0; i < attempts; i++) s.send({ type: 'publish', channel, event: 'move', data: { i } });
    // Every attempt is accounted for: delivered or refused with an error frame naming the channel.
    await s.until(() => {
      const refused = s.frames.filter((f) => f.type === 'error' && f.code === 'RATE_LIMITED' && f.channel === channel).length;
      return refused + other.messages(channel).length === attempts ? true : undefined;
    }, 'every client event answered');
    const delivered = other.messages(channel).length;
    expect(delivered).toBeGreaterThanOrEqual(EVENTS_PER_SECOND);
    expect(delivered).toBeLessThan(attempts);
    expect(s.closed).toBeNull();
    other.close();
    s.close();
  });
});

describe('presence', () => {
  const cap = (channel: string) => ({ [channel]: ['subscribe', 'presence'] as ('subscribe' | 'presence')[] });

  it('lists members on subscribe, then joins and leaves; tabs of one client count once', async () => {
    const channel = freshChannel('room');
    const alice = await withToken('alice', cap(channel), { info: { name: 'Alice' } });
    await alice.subscribe(channel);
    expect(await alice.nextOf('presence')).toEqual({
      type: 'presence',
      channel,
      action: 'sync',
      members: [{ clientId: 'alice', data: { name: 'Alice' } }],
    });

    const bob1 = await withToken('bob', cap(channel), { info: { name: 'Bob' } });
    await bob1.subscribe(channel);
    const sync = await bob1.nextOf('presence');
    expect(sync.action === 'sync' && sync.members.map((m) => m.clientId)).toEqual(['alice', 'bob']);
    await alice.until(() => presence(alice).find((p) => p.action === 'join'), 'join');
    expect(presence(alice).at(-1)).toEqual({
      type: 'presence',
      channel,
      action: 'join',
      member: { clientId: 'bob', data: { name: 'Bob' } },
    });

    const bob2 = await withToken('bob', cap(channel), { info: { name: 'Bob' } });
    await bob2.subscribe(channel);
    bob1.close();
    await bob1.waitForClose();
    // Bob is still here in his other tab: no join for the second tab, no leave for the first.
    await publish(channel, { marker: 1 });
    await alice.waitForMessages(1, channel);
    expect(presence(alice).map((p) => p.action)).toEqual(['sync', 'join']);
    expect(await memberIds(channel)).toEqual(['alice', 'bob']);

    bob2.close();
    await alice.until(() => presence(alice).find((p) => p.action === 'leave'), 'leave');
    expect(presence(alice).at(-1)).toMatchObject({ action: 'leave', member: { clientId: 'bob' } });
    alice.close();
  });

  it('a member whose socket dies without a close leaves after the presence timeout', async () => {
    const channel = freshChannel('room');
    const watcher = await withToken('watcher', cap(channel));
    await watcher.subscribe(channel);
    const ghost = await withToken('ghost', cap(channel));
    await ghost.subscribe(channel);
    await watcher.until(() => presence(watcher).find((p) => p.action === 'join'), 'ghost joins');

    // Both were last heard from a while ago; then only the watcher pings (the ghost's network died).
    const now = Date.now();
    const longAgo = now - PRESENCE_TIMEOUT + 5_000;
    await editSockets(
      (m) => m.clientId === 'ghost' || m.clientId === 'watcher',
      (m) => ({ ...m, connectedAt: longAgo, seenAt: longAgo }),
    );
    watcher.send('{"type":"ping"}');
    await watcher.nextOf('pong');
    // Within the presence timeout nobody is swept…
    await sweepAll(now);
    expect(ghost.closed).toBeNull();
    expect(await memberIds(channel)).toEqual(['watcher', 'ghost']);
    // …6 s later the ghost has been silent for longer than PRESENCE_TIMEOUT_MS and leaves; the watcher stays.
    await sweepAll(now + 6_000);
    expect((await ghost.waitForClose()).code).toBe(4001);
    await watcher.until(() => presence(watcher).find((p) => p.action === 'leave'), 'ghost leaves');
    expect(presence(watcher).at(-1)).toMatchObject({ action: 'leave', member: { clientId: 'ghost' } });
    expect(watcher.closed).toBeNull();
    expect(await memberIds(channel)).toEqual(['watcher']);
    watcher.close();
  });

  it('survives the objects being evicted (hibernation)', async () => {
    const channel = freshChannel('room');
    const a = await withToken('hib-a', cap(channel));
    await a.subscribe(channel);
    const b = await withToken('hib-b', cap(channel));
    await b.subscribe(channel);
    await a.until(() => presence(a).find((p) => p.action === 'join'), 'b joins');

    await evictAllDurableObjects();
    // Still a member in the channel's storage…
    expect(await memberIds(channel)).toEqual(['hib-a', 'hib-b']);
    // …and the woken shard still knows b's subscription and membership when b leaves.
    b.close();
    await a.until(() => presence(a).find((p) => p.action === 'leave'), 'b leaves after eviction');
    await publish(channel, { after: 'eviction' });
    expect((await a.waitForMessages(1, channel))[0]!.data).toEqual({ after: 'eviction' });
    a.close();
  });
});

describe('idempotent publish', () => {
  it('a retried publish with the same Idempotency-Key answers the first result and publishes once', async () => {
    const channel = freshChannel('idem');
    const path = `/channels/${encodeURIComponent(channel)}/messages`;
    const post = (key: string | null, body: Record<string, unknown>) =>
      fetchWithKey(path, body, key === null ? {} : { 'Idempotency-Key': key });
    const first = await post('order-42-shipped', { content: { n: 1 } });
    const again = await post('order-42-shipped', { content: { n: 1 } });
    expect(again.status).toBe(201);
    expect(again.json.data).toEqual(first.json.data);
    const byBody = await post(null, { content: { n: 2 }, id: 'body-key' });
    const byBodyAgain = await post(null, { content: { n: 2 }, id: 'body-key' });
    expect(byBodyAgain.json.data.id).toBe(byBody.json.data.id);
    const other = await post('another-key', { content: { n: 3 } });
    expect(other.json.data.seq).toBe(3);
    const history = await api<{ data: HistoryPage }>('GET', path);
    expect(history.json.data.items.map((m) => m.content)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
  });
});

async function fetchWithKey(path: string, body: unknown, headers: Record<string, string>) {
  const { fetchBroker } = await import('./helpers');
  const res = await fetchBroker(`/api/v1${path}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${KEYS.sec}`, 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as { data: PublishResult } };
}

describe('batch publish', () => {
  it('publishes up to 100 messages to several channels, each channel in batch order', async () => {
    const channels = [freshChannel('batch'), freshChannel('batch'), freshChannel('batch')];
    const subs = await Promise.all(
      channels.map(async (c) => {
        const s = await connected();
        await s.subscribe(c);
        return s;
      }),
    );
    const messages = range(0, 98).map((i) => ({ channel: channels[i % 3]!, eventType: 'tick', content: { i } }));
    const res = await api<{ data: PublishResult[] }>('POST', '/batch', { messages });
    expect(res.status).toBe(201);
    expect(res.json.data.map((r) => r.channelSlug)).toEqual(messages.map((m) => m.channel));
    for (const [k, channel] of channels.entries()) {
      const got = await subs[k]!.waitForMessages(33, channel);
      expect(got.map((m) => m.data.i)).toEqual(range(0, 98).filter((i) => i % 3 === k));
      expect(seqs(got)).toEqual(range(1, 33));
      subs[k]!.close();
    }
  });

  it('validates everything before publishing anything', async () => {
    const channel = freshChannel('batch');
    const res = await api('POST', '/batch', {
      messages: [
        { channel, content: { ok: 1 } },
        { channel: 'bad name', content: {} },
      ],
    });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ code: 'INVALID_CHANNEL', error: expect.stringContaining('messages[1]') });
    const history = await api<{ data: HistoryPage }>('GET', `/channels/${encodeURIComponent(channel)}/messages`);
    expect(history.json.data.pagination.total).toBe(0);
    const tooMany = await api('POST', '/batch', { messages: range(0, 100).map(() => ({ channel, content: {} })) });
    expect(tooMany.status).toBe(400);
    expect(tooMany.json).toMatchObject({ code: 'INVALID_REQUEST' });
  });
});

describe('history with a token', () => {
  it('is allowed with the history capability, refused without', async () => {
    const channel = freshChannel('hist');
    await publish(channel, { a: 1 });
    const path = `/channels/${encodeURIComponent(channel)}/messages`;
    const good = await api<{ data: HistoryPage }>('GET', path, undefined, await token('h', { 'hist:*': ['history'] }));
    expect(good.status).toBe(200);
    expect(good.json.data.items).toHaveLength(1);
    const bad = await api('GET', path, undefined, await token('h', { 'hist:*': ['subscribe'] }));
    expect(bad.status).toBe(403);
    const forged = await api('GET', path, undefined, await token('h', { 'hist:*': ['history'] }, { secret: 'sec_x' }));
    expect(forged.status).toBe(401);
    expect(forged.json).toMatchObject({ code: 'TOKEN_INVALID_SIGNATURE' });
  });
});
