/**
 * Contract test: every public-SDK method against the real broker, each answer
 * checked field by field against the public SDK's declared types
 * (test/contract/public-api.ts), twice over:
 *
 * - through this package, imported by name (the built dist, as an app gets it);
 * - on the wire, read by the public REST client's own rules (`publicHistory`,
 *   `publicChannelList`, `publicUnwrap`), so the broker's answer is what the
 *   public client needs. A history answered `{data: […], pagination}` (the
 *   broker before issue 12) fails here: the public client would see
 *   `messages: undefined`.
 *
 * Channel names are plain slugs, the only names the public SDK's own check accepts.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { PushFloClient, PushFloError, type ConnectionInfo, type ConnectionState, type Message } from '@pushflodev/sdk';
import { PushFloServer, ValidationError, isValidChannelSlug } from '@pushflodev/sdk/server';
import {
  CHANNEL,
  CONNECTION_INFO,
  CONNECTION_TOKEN,
  expectShape,
  MESSAGE,
  PAGINATION,
  PUBLISH_ANSWER,
  publicChannelList,
  publicHistory,
  publicUnwrap,
} from '../contract/public-api.js';
import { waitFor } from './support.js';

const baseUrl = inject('brokerUrl');
const keys = { pub: 'pub_local_dev', sec: 'sec_local_dev', mgmt: 'mgmt_local_dev' };
const run = Date.now().toString(36);
const slug = (name: string) => `contract-${name}-${run}`;
const server = new PushFloServer({ secretKey: keys.sec, baseUrl });
const admin = new PushFloServer({ secretKey: keys.mgmt, baseUrl });

async function raw(method: string, path: string, key: string | null, body?: unknown): Promise<{ status: number; body: unknown }> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (key !== null) headers.Authorization = `Bearer ${key}`;
  const init: RequestInit = { method, headers };
  if (body !== undefined) init.body = JSON.stringify(body);
  const res = await fetch(`${baseUrl}/api/v1${path}`, init);
  return { status: res.status, body: await res.json() };
}

describe('PushFloServer.publish', () => {
  it('answers a PublishResult', async () => {
    const channel = slug('publish');
    const before = Date.now();
    const result = await server.publish(channel, { orderId: 'o-1' }, { eventType: 'order-shipped' });
    expectShape(result, PUBLISH_ANSWER, 'publish()');
    expect(result.channelSlug).toBe(channel);
    expect(result.eventType).toBe('order-shipped');
    expect(result.delivered).toBe(0);
    expect(result.timestamp!).toBeGreaterThanOrEqual(before - 1000);
    // And on the wire, as the public client unwraps it.
    const wire = await raw('POST', `/channels/${channel}/messages`, keys.sec, { content: { n: 2 }, eventType: 'message' });
    expect(wire.status).toBe(201);
    expectShape(publicUnwrap(wire.body), PUBLISH_ANSWER, 'POST /channels/{c}/messages data');
  });

  it('refuses a bad slug before sending (ValidationError), as the public client does', async () => {
    expect(isValidChannelSlug('Bad Slug')).toBe(false);
    await expect(server.publish('Bad Slug', {})).rejects.toBeInstanceOf(ValidationError);
  });
});

describe('PushFloServer.getMessageHistory', () => {
  const channel = slug('history');
  const published: Array<{ id: string; timestamp: number; eventType: string }> = [];

  beforeAll(async () => {
    for (let i = 1; i <= 7; i++) {
      const eventType = i % 3 === 0 ? 'fizz' : 'message';
      const r = await server.publish(channel, { i }, { eventType });
      published.push({ id: r.id, timestamp: r.timestamp!, eventType });
      // Distinct timestamps, so after/before have something to split.
      await new Promise((r) => setTimeout(r, 3));
    }
  });

  it('answers {messages: Message[], pagination} with the default page', async () => {
    const { messages, pagination } = await server.getMessageHistory(channel);
    expect(Array.isArray(messages)).toBe(true);
    for (const m of messages) expectShape(m, MESSAGE, 'history message');
    expectShape(pagination, PAGINATION, 'pagination');
    expect(pagination).toEqual({ page: 1, pageSize: 25, total: 7, totalPages: 1 });
    expect(messages.map((m) => m.id)).toEqual(published.map((p) => p.id));
    expect(messages[0]).toMatchObject({ channel, eventType: 'message', clientId: 'server', content: { i: 1 } });
  });

  it('pages', async () => {
    const p2 = await server.getMessageHistory(channel, { page: 2, pageSize: 3 });
    expect(p2.pagination).toEqual({ page: 2, pageSize: 3, total: 7, totalPages: 3 });
    expect(p2.messages.map((m) => m.content.i)).toEqual([4, 5, 6]);
    const p3 = await server.getMessageHistory(channel, { page: 3, pageSize: 3 });
    expect(p3.messages.map((m) => m.content.i)).toEqual([7]);
  });

  it('filters by eventType, after and before', async () => {
    const fizz = await server.getMessageHistory(channel, { eventType: 'fizz' });
    expect(fizz.messages.map((m) => m.content.i)).toEqual([3, 6]);
    expect(fizz.pagination.total).toBe(2);
    const t = published[3]!.timestamp;
    const after = await server.getMessageHistory(channel, { after: t });
    expect(after.messages.length).toBeGreaterThan(0);
    expect(after.messages.every((m) => m.timestamp > t)).toBe(true);
    const before = await server.getMessageHistory(channel, { before: t });
    expect(before.messages.length).toBeGreaterThan(0);
    expect(before.messages.every((m) => m.timestamp < t)).toBe(true);
    const at = published.filter((p) => p.timestamp === t).length;
    expect(after.pagination.total + before.pagination.total + at).toBe(7);
    const both = await server.getMessageHistory(channel, {
      eventType: 'message',
      after: published[0]!.timestamp,
      before: published[6]!.timestamp,
    });
    expect(
      both.messages.every(
        (m) => m.eventType === 'message' && m.timestamp > published[0]!.timestamp && m.timestamp < published[6]!.timestamp,
      ),
    ).toBe(true);
  });

  it('is on the wire what the public client reads: data.items and data.pagination, nothing beside data', async () => {
    const wire = await raw('GET', `/channels/${channel}/messages?page=1&pageSize=2&eventType=message`, keys.sec);
    expect(wire.status).toBe(200);
    const { messages, pagination } = publicHistory(wire.body);
    expect(Array.isArray(messages), 'the public getMessageHistory() would return messages: undefined').toBe(true);
    for (const m of messages as unknown[]) expectShape(m, MESSAGE, 'wire history message');
    expectShape(pagination, PAGINATION, 'wire pagination');
    expect(pagination).toEqual({ page: 1, pageSize: 2, total: 5, totalPages: 3 });
  });
});

describe('channel CRUD (management key)', () => {
  const channel = slug('crud');
  afterAll(async () => {
    await admin.deleteChannel(channel).catch(() => undefined);
  });

  it('createChannel, getChannel, updateChannel, listChannels, deleteChannel answer as declared', async () => {
    const created = await admin.createChannel({
      name: 'Contract',
      slug: channel,
      description: 'made by the contract test',
      isPrivate: false,
      metadata: { team: 7 },
    });
    expectShape(created, CHANNEL, 'createChannel()');
    expect(created).toMatchObject({
      name: 'Contract',
      slug: channel,
      description: 'made by the contract test',
      isPrivate: false,
      metadata: { team: 7 },
      messageCount: 0,
    });

    const got = await admin.getChannel(channel);
    expectShape(got, CHANNEL, 'getChannel()');
    expect(got.id).toBe(created.id);

    const updated = await admin.updateChannel(channel, { name: 'Contract 2', description: null, metadata: null });
    expectShape(updated, CHANNEL, 'updateChannel()');
    expect(updated).toMatchObject({ name: 'Contract 2', description: null, metadata: null });

    const { channels, pagination } = await admin.listChannels({ page: 1, pageSize: 100 });
    expect(Array.isArray(channels)).toBe(true);
    for (const c of channels) expectShape(c, CHANNEL, 'listChannels() channel');
    expectShape(pagination, PAGINATION, 'listChannels() pagination');
    expect(channels.some((c) => c.slug === channel)).toBe(true);
    // On the wire as the public client reads the list: data: […] with pagination beside it.
    const wire = publicChannelList((await raw('GET', '/channels?page=1&pageSize=100', keys.mgmt)).body);
    expect(Array.isArray(wire.channels)).toBe(true);
    expectShape(wire.pagination, PAGINATION, 'wire channel pagination');

    expect(await admin.deleteChannel(channel)).toBeUndefined();
    const gone = await admin.getChannel(channel).catch((e: unknown) => e);
    expect(gone).toBeInstanceOf(PushFloError);
    expect(gone).toMatchObject({ status: 404 });
  });

  it('keeps channel management to the management key', async () => {
    await expect(server.listChannels()).rejects.toMatchObject({ status: 403 });
  });
});

describe('PushFloClient', () => {
  it('connects, subscribes, receives, unsubscribes, as the public client does', async () => {
    const channel = slug('client');
    const other = slug('client-other');
    const client = new PushFloClient({ publishKey: keys.pub, baseUrl });
    const states: ConnectionState[] = [];
    const off = client.onConnectionChange((s) => states.push(s));
    let info: ConnectionInfo | undefined;
    client.on('connected', (i) => (info = i));
    const viaEvent: Message[] = [];
    client.on('message', (m) => viaEvent.push(m));

    await client.connect();
    expect(client.connectionState).toBe('connected');
    expectShape(info, CONNECTION_INFO, 'connected event');
    expect(client.clientId).toBe(info!.clientId);

    const received: Message[] = [];
    let subscribed = 0;
    let unsubscribed = 0;
    const sub = client.subscribe(channel, {
      onMessage: (m) => received.push(m),
      onSubscribed: () => subscribed++,
      onUnsubscribed: () => unsubscribed++,
    });
    const otherReceived: Message[] = [];
    client.subscribe(other, { onMessage: (m) => otherReceived.push(m) });
    expect(sub.channel).toBe(channel);
    expect(client.isSubscribed(channel)).toBe(true);
    expect(client.getSubscribedChannels().sort()).toEqual([channel, other].sort());
    await waitFor(() => subscribed === 1, 'onSubscribed');

    const sent = await server.publish(channel, { hello: 'world' }, { eventType: 'greeting' });
    await waitFor(() => received.length === 1, 'the message');
    expectShape(received[0], MESSAGE, 'received message');
    expect(received[0]).toMatchObject({ id: sent.id, channel, eventType: 'greeting', clientId: 'server', content: { hello: 'world' } });
    expect(viaEvent.map((m) => m.id)).toContain(sent.id);

    // The raw-HTTP form from the docs reaches subscribers the same way.
    const rawPublish = await raw('POST', '/publish', keys.sec, { channel, event: 'raw-event', data: { via: 'raw' } });
    expect(rawPublish.status).toBe(201);
    expectShape(publicUnwrap(rawPublish.body), PUBLISH_ANSWER, 'POST /publish data');
    await waitFor(() => received.length === 2, 'the raw-published message');
    expect(received[1]).toMatchObject({
      eventType: 'raw-event',
      content: { via: 'raw' },
      id: (publicUnwrap(rawPublish.body) as { id: string }).id,
    });

    // Unsubscribed: nothing more arrives on it. A sentinel on the other channel, sent after, proves the wait.
    sub.unsubscribe();
    expect(client.isSubscribed(channel)).toBe(false);
    await waitFor(() => unsubscribed === 1, 'onUnsubscribed');
    await server.publish(channel, { after: 'unsubscribe' });
    const watcher = new PushFloClient({ publishKey: keys.pub, baseUrl });
    await watcher.connect();
    const watched: Message[] = [];
    let watching = false;
    watcher.subscribe(channel, { onMessage: (m) => watched.push(m), onSubscribed: () => (watching = true) });
    await waitFor(() => watching, 'the watcher');
    await server.publish(channel, { sentinel: 1 });
    await server.publish(other, { sentinel: 2 });
    await waitFor(
      () => watched.some((m) => m.content.sentinel === 1) && otherReceived.some((m) => m.content.sentinel === 2),
      'the sentinels',
    );
    expect(received).toHaveLength(2);

    client.disconnect();
    watcher.disconnect();
    off();
    expect(states).toEqual(['connecting', 'connected', 'disconnected']);
  });

  it('refuses a bad publish key at connect with an authentication error', async () => {
    const client = new PushFloClient({ publishKey: 'pub_not_a_key', baseUrl, autoReconnect: false });
    const err = await client.connect().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PushFloError);
    expect(err).toMatchObject({ name: 'AuthenticationError' });
    expect(client.connectionState).toBe('error');
  });
});

describe('POST /api/v1/auth/token (PushFlo examples call it first)', () => {
  it('gives {token, expiresAt, endpoint, clientId}; the token opens the socket as that client id', async () => {
    const res = await raw('POST', '/auth/token', null, { publishKey: keys.pub, clientId: 'contract-user' });
    expect(res.status).toBe(200);
    const data = publicUnwrap(res.body) as { token: string; endpoint: string; clientId: string; expiresAt: string };
    expectShape(data, CONNECTION_TOKEN, 'auth/token data');
    expect(data.clientId).toBe('contract-user');
    expect(data.endpoint).toBe(`${baseUrl.replace(/^http/, 'ws')}/ws`);
    expect(Date.parse(data.expiresAt)).toBeGreaterThan(Date.now());

    // A plain WebSocket on the endpoint, as the examples open it.
    const ws = new WebSocket(`${data.endpoint}?token=${encodeURIComponent(data.token)}`);
    const first = await new Promise<Record<string, unknown>>((resolve, reject) => {
      ws.onmessage = (e) => resolve(JSON.parse(String(e.data)) as Record<string, unknown>);
      ws.onerror = () => reject(new Error('socket failed'));
    });
    expect(first).toMatchObject({ type: 'connected', clientId: 'contract-user' });
    ws.close();

    // And through this SDK's client, subscribing and receiving.
    const client = new PushFloClient({ token: data.token, baseUrl });
    await client.connect();
    expect(client.clientId).toBe('contract-user');
    const channel = slug('token');
    const got: Message[] = [];
    let ready = false;
    client.subscribe(channel, { onMessage: (m) => got.push(m), onSubscribed: () => (ready = true) });
    await waitFor(() => ready, 'subscribed');
    const sent = await server.publish(channel, { via: 'token' });
    await waitFor(() => got.length === 1, 'the message');
    expect(got[0]!.id).toBe(sent.id);
    client.disconnect();
  });

  it('answers 401 with a stable code for an unknown or non-publish key, 400 for a malformed body', async () => {
    for (const publishKey of ['pub_unknown', keys.sec]) {
      const res = await raw('POST', '/auth/token', null, { publishKey });
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ success: false, code: 'INVALID_PUBLISH_KEY' });
    }
    const bad = await raw('POST', '/auth/token', null, { clientId: 'x' });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ success: false, code: 'INVALID_REQUEST' });
  });
});
