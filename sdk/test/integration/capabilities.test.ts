/** Tokens, private channels, presence, client events, idempotency and batch through the SDK, against the real broker. */
import { describe, expect, inject, it } from 'vitest';
import { PushFloClient, type Message, type PresenceMember, type WebSocketConstructor } from '../../src/index.js';
import { PushFloServer } from '../../src/server.js';
import type { Capability } from '../../src/protocol/index.js';
import { cleanupAfterEach, SEC, trackedSockets, waitFor } from './support.js';

const baseUrl = inject('brokerUrl');
const server = new PushFloServer({ secretKey: SEC, baseUrl });
const cleanups = cleanupAfterEach();

let n = 0;
const room = () => `chat:room-cap${Date.now().toString(36)}${++n}`;

function userClient(
  clientId: string,
  capabilities: Record<string, Capability[]>,
  extra: { ttlSeconds?: number; name?: string; WebSocket?: WebSocketConstructor } = {},
) {
  let minted = 0;
  const c = new PushFloClient({
    baseUrl,
    WebSocket: extra.WebSocket,
    authCallback: async () => {
      minted++;
      return server.createToken({ clientId, capabilities, ttlSeconds: extra.ttlSeconds ?? 600, info: { name: extra.name ?? clientId } });
    },
  });
  cleanups.push(() => c.destroy());
  return { client: c, minted: () => minted };
}

const subscribed = (c: PushFloClient, channel: string, options: Parameters<PushFloClient['subscribe']>[1] = {}) =>
  new Promise<void>((resolve, reject) => c.subscribe(channel, { ...options, onSubscribed: resolve, onError: reject }));

describe('capabilities through the SDK', () => {
  it('a token from createToken opens private channels; a publish key cannot', async () => {
    const channel = `private:team-${Date.now().toString(36)}`;
    const { client } = userClient('ana', { 'private:team-*': ['subscribe'] });
    await client.connect();
    expect(client.clientId).toBe('ana');
    const got: Message[] = [];
    await subscribed(client, channel, { onMessage: (m) => got.push(m) });
    await server.publish(channel, { hello: 'team' });
    await waitFor(() => got.length === 1, 'private message');

    const anon = new PushFloClient({ publishKey: 'pub_local_dev', baseUrl });
    cleanups.push(() => anon.destroy());
    await anon.connect();
    await expect(subscribed(anon, channel)).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('presence: members with their info, tabs counted once, leave on disconnect', async () => {
    const channel = room();
    const caps = { 'chat:room-*': ['subscribe', 'presence'] as Capability[] };
    const ana = userClient('ana', caps, { name: 'Ana' }).client;
    await ana.connect();
    let members: PresenceMember[] = [];
    const changes: string[] = []; // what ana hears after her sync, in order
    await subscribed(ana, channel, {
      onPresence: (m, e) => {
        members = m;
        if (e.action !== 'sync') changes.push(`${e.action}:${e.member.clientId}`);
      },
    });
    await waitFor(() => members.length === 1, 'sync');

    const tab1Sockets = trackedSockets();
    const bobTab1 = userClient('bob', caps, { name: 'Bob', WebSocket: tab1Sockets.WebSocket }).client;
    const bobTab2 = userClient('bob', caps, { name: 'Bob' }).client;
    await bobTab1.connect();
    await bobTab2.connect();
    await subscribed(bobTab1, channel);
    await subscribed(bobTab2, channel);
    await waitFor(() => members.length === 2, 'bob joins');
    expect(members.map((m) => m.data?.name)).toEqual(['Ana', 'Bob']);
    // The member list follows `subscribed` on the socket.
    await waitFor(() => bobTab2.presence(channel).length === 2, 'sync for the second tab');
    expect(bobTab2.presence(channel).map((m) => m.clientId)).toEqual(['ana', 'bob']);

    // Bob closes one tab. Its shard sends the channel its leave in the same step
    // as it answers the close; the sentinel, carol's join, only starts after the
    // close handshake, so it reaches the channel (one object, one thread locally)
    // after that leave, and any "bob left" it caused is sent to ana before
    // "carol joined".
    bobTab1.disconnect();
    await tab1Sockets.closed(0);
    const carol = userClient('carol', caps, { name: 'Carol' }).client;
    await carol.connect();
    await subscribed(carol, channel);
    await waitFor(() => changes.includes('join:carol'), 'the sentinel: carol joins');
    expect(changes).toEqual(['join:bob', 'join:carol']); // the other tab keeps him here
    await waitFor(() => carol.presence(channel).length === 3, "carol's sync");
    expect(carol.presence(channel).map((m) => m.clientId)).toEqual(['ana', 'bob', 'carol']);

    bobTab2.disconnect();
    await waitFor(() => changes.includes('leave:bob'), 'bob leaves');
    expect(changes).toEqual(['join:bob', 'join:carol', 'leave:bob']);
    expect(ana.presence(channel).map((m) => m.clientId)).toEqual(['ana', 'carol']);
  });

  it('client events: typing without echo or history, moves stored; refused ones reach onError', async () => {
    const channel = room();
    const caps = { 'chat:room-*': ['subscribe', 'publish'] as Capability[] };
    const typist = userClient('ty', caps).client;
    const reader = userClient('rd', { 'chat:room-*': ['subscribe'] }).client;
    await Promise.all([typist.connect(), reader.connect()]);
    const typistGot: Message[] = [];
    const readerGot: Message[] = [];
    const readerErrors: Error[] = [];
    await subscribed(typist, channel, { onMessage: (m) => typistGot.push(m) });
    await new Promise<void>((resolve) =>
      reader.subscribe(channel, { onMessage: (m) => readerGot.push(m), onSubscribed: resolve, onError: (e) => readerErrors.push(e) }),
    );

    typist.publish(channel, 'user-typing', { typing: true }, { echo: false, ephemeral: true });
    typist.publish(channel, 'message-sent', { text: 'hi' });
    // The stored event follows the ephemeral one through the channel, so once the typist has it,
    // an echo of the typing event (echo: false) would already have arrived before it.
    await waitFor(() => readerGot.length === 2 && typistGot.some((m) => m.eventType === 'message-sent'), 'client events');
    expect(readerGot.map((m) => [m.eventType, m.clientId, m.clientEvent, m.seq])).toEqual([
      ['user-typing', 'ty', true, undefined],
      ['message-sent', 'ty', true, 1],
    ]);
    expect(typistGot.map((m) => m.eventType)).toEqual(['message-sent']);
    const { messages } = await server.getMessageHistory(channel);
    expect(messages.map((m) => m.eventType)).toEqual(['message-sent']);

    reader.publish(channel, 'user-typing', { typing: true });
    await waitFor(() => readerErrors.length === 1, 'refusal');
    expect(readerErrors[0]).toMatchObject({ code: 'FORBIDDEN' });
  });

  it('refreshes a short-lived token without dropping the subscription', async () => {
    const channel = room();
    const { client, minted } = userClient('refresh', { 'chat:room-*': ['subscribe'] }, { ttlSeconds: 3 });
    let connects = 0;
    client.on('connected', () => connects++);
    await client.connect();
    const got: Message[] = [];
    await subscribed(client, channel, { onMessage: (m) => got.push(m) });
    await waitFor(() => minted() >= 3, 'two refreshes', 10_000);
    await server.publish(channel, { after: 'refresh' });
    await waitFor(() => got.length === 1, 'delivery after refresh');
    expect(connects).toBe(1);
    expect(client.connectionState).toBe('connected');
  });

  it('idempotent publish and batch publish', async () => {
    const channel = room();
    const first = await server.publish(channel, { n: 1 }, { idempotencyKey: 'k-1' });
    const retry = await server.publish(channel, { n: 1 }, { idempotencyKey: 'k-1' });
    expect(retry).toEqual(first);
    const other = room();
    const results = await server.publishBatch([
      { channel, content: { n: 2 } },
      { channel: other, content: { n: 'a' }, eventType: 'x' },
      { channel, content: { n: 3 } },
    ]);
    expect(results.map((r) => [r.channelSlug, r.seq])).toEqual([
      [channel, 2],
      [other, 1],
      [channel, 3],
    ]);
    const { messages } = await server.getMessageHistory(channel);
    expect(messages.map((m) => m.content.n)).toEqual([1, 2, 3]);
  });
});
