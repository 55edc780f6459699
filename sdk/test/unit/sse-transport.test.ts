/**
 * The SSE transport through the client, against a fake broker behind `fetch`
 * (real ReadableStreams, read by the real fetch reader): the stream, frames
 * going up as POSTs, heartbeats, closes and refusals, and the EventSource
 * reader.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { PushFloClient } from '../../src/client/PushFloClient.js';
import { AuthenticationError, ClientErrorCode, ConnectionError, type PushFloError } from '../../src/errors.js';
import { ErrorCode } from '../../src/protocol/index.js';
import type { EventSourceConstructor, Message } from '../../src/types.js';
import { clock, makeClient, messageFrame, resetFakes, sse } from './fakes.js';
import { settle } from './sse-fakes.js';

beforeEach(resetFakes);

/** A client on SSE whose stream the fake broker has accepted. */
async function sseClient(options: Parameters<typeof makeClient>[0] = {}): Promise<PushFloClient> {
  const client = makeClient({ transport: 'sse', ...options });
  const done = client.connect();
  await settle();
  sse.last.accept();
  await done;
  return client;
}

describe('the SSE transport', () => {
  it('opens /sse with the token, the protocol version and visible heartbeats, and says it runs on sse', async () => {
    const client = makeClient({ transport: 'sse' });
    const infos: unknown[] = [];
    client.on('connected', (info) => infos.push(info));
    const done = client.connect();
    await settle();
    const url = sse.last.url;
    expect(url.pathname).toBe('/sse');
    expect(Object.fromEntries(url.searchParams)).toEqual({ token: 'pub_test', v: '1', heartbeats: 'event' });
    expect(client.transport).toBeNull();
    sse.last.accept('client_7');
    await done;
    expect(client.clientId).toBe('client_7');
    expect(client.transport).toBe('sse');
    expect(infos).toEqual([{ clientId: 'client_7', timestamp: 1, transport: 'sse' }]);
    client.destroy();
    expect(sse.last.aborted).toBe(true);
    // …and the broker is told, so the connection's presence leaves at once.
    expect(sse.deletes.map((d) => [d.url.pathname, d.url.searchParams.get('connection'), d.authorization])).toEqual([
      ['/sse', 'sse_0_abc', 'Bearer secret-1'],
    ]);
  });

  it('subscribes over the frames endpoint with the connection secret, and delivers each message once, in order', async () => {
    const client = makeClient({ transport: 'sse' });
    const got: number[] = [];
    client.subscribe('chat:room-1', { onMessage: (m) => got.push(m.seq!) });
    const done = client.connect();
    await settle();
    sse.last.accept();
    await done;
    await settle();
    expect(sse.posts).toHaveLength(1);
    const post = sse.posts[0]!;
    expect(post.url.pathname).toBe('/sse/frames');
    expect(post.url.searchParams.get('connection')).toBe('sse_0_abc');
    expect(post.authorization).toBe('Bearer secret-1');
    expect(post.frames).toEqual([{ type: 'subscribe', channel: 'chat:room-1' }]);

    sse.last.frame({ type: 'subscribed', channel: 'chat:room-1', seq: 0, epoch: 'e1' }, 'chat:room-1=e1.0');
    for (const seq of [1, 2, 2, 3]) sse.last.frame(messageFrame('chat:room-1', seq), `chat:room-1=e1.${seq}`);
    await settle();
    expect(got).toEqual([1, 2, 3]);
    client.destroy();
  });

  it('frames sent while a POST is out go together in the next one, in order', async () => {
    const client = await sseClient({ token: 'eyJ.e30.sig' });
    sse.holdPosts = true;
    client.publish('chat:room-1', 'typing', { n: 1 });
    client.publish('chat:room-1', 'typing', { n: 2 });
    client.publish('chat:room-1', 'typing', { n: 3 });
    await settle();
    expect(sse.posts.map((p) => p.frames.map((f) => (f.data as { n: number }).n))).toEqual([[1]]);
    sse.held.shift()!();
    await settle();
    expect(sse.posts.map((p) => p.frames.map((f) => (f.data as { n: number }).n))).toEqual([[1], [2, 3]]);
    sse.held.shift()!();
    client.destroy();
  });

  it('pings are not POSTed: heartbeat events keep a quiet stream alive, and silence reconnects', async () => {
    const client = await sseClient();
    const states: string[] = [];
    client.onConnectionChange((s) => states.push(s));
    for (let i = 0; i < 6; i++) {
      clock.advance(15_000);
      sse.last.heartbeat();
      await settle();
    }
    expect(client.connectionState).toBe('connected');
    expect(sse.postedFrames().filter((f) => f.type === 'ping')).toEqual([]);
    expect(sse.streams).toHaveLength(1);
    // Two ping intervals without any event: the stream is dead.
    clock.advance(30_000);
    expect(states).toContain('disconnected');
    expect(sse.streams[0]!.aborted).toBe(true);
    clock.advance(clock.pending()[0]!);
    await settle();
    expect(sse.streams).toHaveLength(2);
    client.destroy();
  });

  it('a stream cut mid-way reconnects and resumes every channel from its last seq', async () => {
    const client = await sseClient();
    const got: number[] = [];
    client.subscribe('news', { onMessage: (m) => got.push(m.seq!) });
    await settle();
    sse.last.frame({ type: 'subscribed', channel: 'news', seq: 4, epoch: 'e1' });
    sse.last.frame(messageFrame('news', 5));
    await settle();
    sse.last.fail();
    await settle();
    expect(client.connectionState).toBe('disconnected');
    clock.advance(clock.pending()[0]!);
    await settle();
    sse.last.accept();
    await settle();
    expect(sse.postedFrames().at(-1)).toEqual({ type: 'subscribe', channel: 'news', lastSeq: 5, epoch: 'e1' });
    sse.last.frame({ type: 'subscribed', channel: 'news', seq: 7, epoch: 'e1', recovered: true, replayed: 2 });
    for (const seq of [6, 7, 8]) sse.last.frame(messageFrame('news', seq));
    await settle();
    expect(got).toEqual([5, 6, 7, 8]);
    client.destroy();
  });

  it('a close event with a temporary code reconnects; a terminal one ends in error', async () => {
    const client = await sseClient();
    sse.last.closeWith(4002, 'slow consumer');
    await settle();
    expect(client.connectionState).toBe('disconnected');
    expect(sse.deletes).toEqual([]); // the broker ended it: nothing to tell
    clock.advance(clock.pending()[0]!);
    await settle();
    sse.last.accept();
    await settle();
    expect(client.connectionState).toBe('connected');
    const errors: Error[] = [];
    client.on('error', (e) => errors.push(e));
    sse.last.closeWith(4500, 'key revoked');
    await settle();
    expect(client.connectionState).toBe('error');
    expect(errors.at(-1)).toMatchObject({ code: ClientErrorCode.CONNECTION_REFUSED });
    clock.advance(120_000);
    expect(sse.streams).toHaveLength(2);
    client.destroy();
  });

  it('a refused stream reports the broker’s code, as a refused WebSocket does', async () => {
    sse.refuseNext = { status: 401, body: { success: false, error: 'bad signature', code: ErrorCode.TOKEN_INVALID_SIGNATURE } };
    const client = makeClient({ transport: 'sse' });
    const err = await client.connect().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthenticationError);
    expect(err).toMatchObject({ code: ErrorCode.TOKEN_INVALID_SIGNATURE, message: 'bad signature' });
    expect(client.connectionState).toBe('error');
    client.destroy();
  });

  it('a broker without /sse (404, not JSON) fails with NOT_FOUND; a 503 while reconnecting is retried', async () => {
    sse.refuseNext = { status: 404, body: 'Not Found' };
    const client = makeClient({ transport: 'sse' });
    const err = await client.connect().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: ErrorCode.NOT_FOUND });
    client.destroy();

    const again = await sseClient();
    sse.last.fail();
    await settle();
    sse.refuseNext = { status: 503, body: { success: false, error: 'busy', code: ErrorCode.INTERNAL } };
    clock.advance(clock.pending()[0]!);
    await settle();
    expect(again.connectionState).toBe('disconnected'); // backing off again, not failed
    clock.advance(clock.pending()[0]!);
    await settle();
    sse.last.accept();
    await settle();
    expect(again.connectionState).toBe('connected');
    again.destroy();
  });

  it('a POST that fails answers each client event in it with PUBLISH_FAILED on its channel', async () => {
    const client = await sseClient();
    const errors: Error[] = [];
    client.on('error', (e) => errors.push(e));
    const channelErrors: Error[] = [];
    client.subscribe('chat:room-1', { onError: (e) => channelErrors.push(e) });
    await settle();
    sse.answerPost = () => Response.json({ success: false, error: 'boom', code: ErrorCode.INTERNAL }, { status: 500 });
    client.publish('chat:room-1', 'typing', { on: true });
    await settle();
    expect(errors.map((e) => (e as PushFloError).code)).toEqual([ErrorCode.PUBLISH_FAILED]);
    expect(channelErrors).toHaveLength(1);
    expect((errors[0] as PushFloError).retryable).toBe(true);
    expect(client.connectionState).toBe('connected');
    client.destroy();
  });

  it('a POST the broker answers CONNECTION_NOT_FOUND means the stream is gone: reconnect', async () => {
    const client = await sseClient();
    sse.answerPost = () =>
      Response.json({ success: false, error: 'no such connection', code: ErrorCode.CONNECTION_NOT_FOUND }, { status: 404 });
    client.subscribe('news');
    await settle();
    expect(client.connectionState).toBe('disconnected');
    expect(sse.streams[0]!.aborted).toBe(true);
    client.destroy();
  });

  it('skips and reports an invalid frame on the stream, and handles the ones around it', async () => {
    const client = await sseClient();
    const got: Message[] = [];
    const errors: Error[] = [];
    client.on('error', (e) => errors.push(e));
    client.subscribe('news', { onMessage: (m) => got.push(m) });
    sse.last.frame({ type: 'subscribed', channel: 'news', seq: 0, epoch: 'e' });
    sse.last.write('data: {not json\n\n');
    sse.last.frame(messageFrame('news', 1));
    await settle();
    expect(got.map((m) => m.seq)).toEqual([1]);
    expect(errors.map((e) => (e as PushFloError).code)).toEqual([ClientErrorCode.INVALID_SERVER_FRAME]);
    client.destroy();
  });

  it('a page going away (pagehide) ends the stream and tells the broker; the client reconnects if the page comes back', async () => {
    const page = new EventTarget();
    const g = globalThis as { addEventListener?: unknown; removeEventListener?: unknown };
    g.addEventListener = page.addEventListener.bind(page);
    g.removeEventListener = page.removeEventListener.bind(page);
    try {
      const client = await sseClient();
      page.dispatchEvent(new Event('pagehide'));
      expect(sse.deletes).toHaveLength(1);
      expect(sse.streams[0]!.aborted).toBe(true);
      expect(client.connectionState).toBe('disconnected');
      clock.advance(clock.pending()[0]!);
      await settle();
      expect(sse.streams).toHaveLength(2);
      // The listener of a closed transport is gone: a second pagehide concerns only the new stream.
      client.destroy();
      page.dispatchEvent(new Event('pagehide'));
      expect(sse.deletes).toHaveLength(1);
    } finally {
      delete g.addEventListener;
      delete g.removeEventListener;
    }
  });

  it('refuses a transport option it does not know, before anything is opened', () => {
    expect(() => makeClient({ transport: 'polling' as 'sse' })).toThrow(
      expect.objectContaining({ code: ClientErrorCode.INVALID_TRANSPORT }),
    );
  });

  it('without fetch (and no EventSource) SSE cannot start: NO_SSE', async () => {
    // Without the option the client takes the global fetch: take it away for this test.
    const saved = globalThis.fetch;
    try {
      Object.defineProperty(globalThis, 'fetch', { value: undefined, configurable: true, writable: true });
      const bare = makeClient({ transport: 'sse', fetch: undefined });
      const err = await bare.connect().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConnectionError);
      expect(err).toMatchObject({ code: ClientErrorCode.NO_SSE, retryable: false });
      bare.destroy();
    } finally {
      Object.defineProperty(globalThis, 'fetch', { value: saved, configurable: true, writable: true });
    }
  });
});

/** An EventSource the tests drive. */
class FakeEventSource extends EventTarget {
  static instances: FakeEventSource[] = [];
  onerror: ((e: Event) => void) | null = null;
  closed = false;
  constructor(readonly url: string) {
    super();
    FakeEventSource.instances.push(this);
  }
  close(): void {
    this.closed = true;
  }
  emit(name: string, frame: Record<string, unknown>): void {
    this.dispatchEvent(new MessageEvent(name, { data: JSON.stringify(frame) }));
  }
  fail(): void {
    this.onerror?.(new Event('error'));
  }
}

describe('the SSE transport with an EventSource', () => {
  beforeEach(() => {
    FakeEventSource.instances = [];
  });

  it('reads the stream through it, switches its own reconnect off, and still POSTs frames with fetch', async () => {
    const client = makeClient({ transport: 'sse', EventSource: FakeEventSource as unknown as EventSourceConstructor });
    const got: number[] = [];
    client.subscribe('news', { onMessage: (m) => got.push(m.seq!) });
    const done = client.connect();
    const es = FakeEventSource.instances[0]!;
    expect(new URL(es.url).pathname).toBe('/sse');
    es.emit('connected', {
      type: 'connected',
      clientId: 'c',
      timestamp: 1,
      protocol: 1,
      heartbeatTimeout: 70_000,
      pingInterval: 15_000,
      connectionId: 'sse_1_x',
      connectionSecret: 's',
    });
    await done;
    await settle();
    expect(sse.postedFrames()).toEqual([{ type: 'subscribe', channel: 'news' }]);
    es.emit('subscribed', { type: 'subscribed', channel: 'news', seq: 0, epoch: 'e' });
    es.emit('message', messageFrame('news', 1));
    expect(got).toEqual([1]);
    es.fail();
    expect(es.closed).toBe(true);
    expect(client.connectionState).toBe('disconnected');
    client.destroy();
  });
});
