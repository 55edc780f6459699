/**
 * The SSE transport against the real broker over real HTTP: in order across
 * cut streams, `auto` falling back when WebSockets are refused, client events
 * and presence over the frames endpoint, and refusals with their codes.
 */
import { describe, expect, inject, it } from 'vitest';
import { PushFloClient, type Message, type PresenceMember, type WebSocketConstructor } from '../../src/index.js';
import { PushFloServer } from '../../src/server.js';
import type { Capability } from '../../src/protocol/index.js';
import { ChaosProxy, cleanupAfterEach, PUB, SEC, waitFor } from './support.js';

const baseUrl = inject('brokerUrl');
const server = new PushFloServer({ secretKey: SEC, baseUrl });
const cleanups = cleanupAfterEach();

let n = 0;
const channel = (prefix: string) => `${prefix}:sse-${Date.now().toString(36)}-${++n}`;

type Options = Partial<ConstructorParameters<typeof PushFloClient>[0]>;

function client(options: Options = {}) {
  const c = new PushFloClient({ publishKey: PUB, baseUrl, transport: 'sse', ...options });
  cleanups.push(() => c.destroy());
  return c;
}

function tokenClient(clientId: string, capabilities: Record<string, Capability[]>, options: Options = {}) {
  const c = new PushFloClient({
    baseUrl,
    transport: 'sse',
    authCallback: () => server.createToken({ clientId, capabilities, ttlSeconds: 600, info: { name: clientId } }),
    ...options,
  });
  cleanups.push(() => c.destroy());
  return c;
}

const subscribed = (c: PushFloClient, name: string, options: Parameters<PushFloClient['subscribe']>[1] = {}) =>
  new Promise<void>((resolve, reject) => c.subscribe(name, { ...options, onSubscribed: resolve, onError: reject }));

/** A WebSocket that never opens: what a network blocking WebSockets does to the upgrade. */
class RefusedWebSocket extends EventTarget {
  static made = 0;
  readyState = 0;
  onclose: ((e: { code: number; reason: string }) => void) | null = null;
  onmessage: unknown = null;
  onerror: unknown = null;
  onopen: unknown = null;
  constructor(readonly url: string) {
    super();
    RefusedWebSocket.made++;
    setTimeout(() => {
      this.readyState = 3;
      this.onclose?.({ code: 1006, reason: '' });
    }, 5);
  }
  send(): void {
    throw new Error('not open');
  }
  close(): void {
    this.readyState = 3;
  }
}

describe('the SSE transport against the real broker', () => {
  it('receives 300 messages in order across 10 cut streams, none lost, none twice', async () => {
    const proxy = new ChaosProxy(new URL(baseUrl));
    const proxied = await proxy.listen();
    cleanups.push(() => proxy.close());
    const c = client({ baseUrl: proxied, reconnectDelay: 20, maxReconnectDelay: 200 });
    await c.connect();
    expect(c.transport).toBe('sse');
    const name = channel('cut');
    const got: Message[] = [];
    await subscribed(c, name, { onMessage: (m) => got.push(m) });
    let drops = 0;
    c.on('disconnected', () => drops++);

    const total = 300;
    const published: string[] = [];
    const publishing = (async () => {
      for (let i = 0; i < total; i++) {
        published.push((await server.publish(name, { i })).id);
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    while (drops < 10) {
      await waitFor(() => c.connectionState === 'connected', 'reconnect');
      await new Promise((r) => setTimeout(r, 60));
      proxy.dropAll();
      await waitFor(() => c.connectionState !== 'connected', 'the cut to be seen');
    }
    const publishedBeforeLastCut = published.length;
    await publishing;
    await waitFor(() => got.length >= total, `all ${total} messages (have ${got.length})`, 30_000);
    // A sentinel after everything: a late duplicate would arrive before it.
    const last = await server.publish(name, { sentinel: true });
    await waitFor(() => got.some((m) => m.id === last.id), 'the sentinel');
    expect(drops).toBe(10);
    expect(publishedBeforeLastCut).toBeLessThan(total); // the cuts happened mid-stream
    expect(got.map((m) => m.seq)).toEqual(Array.from({ length: total + 1 }, (_, i) => i + 1));
    expect(got.map((m) => m.id)).toEqual([...published, last.id]);
  });

  it('auto: WebSockets refused, it runs on SSE in the same connect(); client events and presence go over HTTP', async () => {
    const room = channel('chat');
    const caps: Record<string, Capability[]> = { 'chat:*': ['subscribe', 'publish', 'presence'] };
    RefusedWebSocket.made = 0;
    const ana = tokenClient('ana', caps, { transport: 'auto', WebSocket: RefusedWebSocket as unknown as WebSocketConstructor });
    const bob = tokenClient('bob', caps, { transport: 'websocket' });
    await ana.connect();
    expect(RefusedWebSocket.made).toBe(1);
    expect(ana.transport).toBe('sse');
    await bob.connect();
    expect(bob.transport).toBe('websocket');

    let members: PresenceMember[] = [];
    const anaGot: Message[] = [];
    const bobGot: Message[] = [];
    await subscribed(bob, room, { onMessage: (m) => bobGot.push(m) });
    await subscribed(ana, room, { onMessage: (m) => anaGot.push(m), onPresence: (list) => (members = list) });
    await waitFor(() => members.some((m) => m.clientId === 'bob') && members.some((m) => m.clientId === 'ana'), 'both present');

    // A typing indicator from the SSE client (ephemeral, not echoed), then a stored event.
    ana.publish(room, 'user-typing', { typing: true }, { echo: false, ephemeral: true });
    ana.publish(room, 'said', { text: 'hi' });
    await waitFor(() => bobGot.some((m) => m.eventType === 'said'), 'bob gets the event');
    expect(bobGot.map((m) => [m.eventType, m.clientId, m.clientEvent])).toEqual([
      ['user-typing', 'ana', true],
      ['said', 'ana', true],
    ]);
    await waitFor(() => anaGot.some((m) => m.eventType === 'said'), 'ana gets her own stored event');
    expect(anaGot.map((m) => m.eventType)).toEqual(['said']);

    // Bob answers over the socket; Ana sees it over SSE.
    bob.publish(room, 'said', { text: 'hello' });
    await waitFor(() => anaGot.some((m) => m.clientId === 'bob'), 'ana gets bob');

    // Ana leaves: Bob sees her go from the presence list.
    let bobMembers: PresenceMember[] = [];
    bob.subscribe(room, { onPresence: (list) => (bobMembers = list) });
    ana.destroy();
    await waitFor(() => bobMembers.length > 0 && !bobMembers.some((m) => m.clientId === 'ana'), 'ana leaves');
  });

  it('a bad key is refused with the broker’s code, as over a WebSocket', async () => {
    const c = client({ publishKey: 'pub_wrong' });
    await expect(c.connect()).rejects.toMatchObject({ name: 'AuthenticationError', code: 'UNAUTHORIZED' });
    expect(c.connectionState).toBe('error');
  });
});
