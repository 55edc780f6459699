import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { PushFloClient, type GapInfo, type Message } from '../../src/index.js';
import { PushFloServer } from '../../src/server.js';
import { ChaosProxy, cleanupAfterEach, PUB, SEC, startBroker, waitFor } from './support.js';

const baseUrl = inject('brokerUrl');
const server = new PushFloServer({ secretKey: SEC, baseUrl });
const cleanups = cleanupAfterEach();

let n = 0;
const channel = (prefix: string) => `${prefix}:it-${Date.now().toString(36)}-${++n}`;

function client(url = baseUrl, extra: Partial<ConstructorParameters<typeof PushFloClient>[0]> = {}) {
  const c = new PushFloClient({ publishKey: PUB, baseUrl: url, ...extra });
  cleanups.push(() => c.destroy());
  return c;
}

/** Subscribes and resolves once the broker confirmed. */
function subscribed(c: PushFloClient, name: string, onMessage: (m: Message) => void, extra = {}) {
  return new Promise<void>((resolve, reject) => {
    c.subscribe(name, { onMessage, onSubscribed: () => resolve(), onError: reject, ...extra });
  });
}

describe('client and server against the real broker', () => {
  it('publish → receive', async () => {
    const c = client();
    await c.connect();
    expect(c.connectionState).toBe('connected');
    expect(c.clientId).toMatch(/^client_/);
    const name = channel('orders');
    const got: Message[] = [];
    await subscribed(c, name, (m) => got.push(m));
    const result = await server.publish(name, { status: 'shipped' }, { eventType: 'order-shipped' });
    await waitFor(() => got.length === 1, 'the message');
    expect(got[0]).toMatchObject({
      id: result.id,
      channel: name,
      eventType: 'order-shipped',
      clientId: 'server',
      content: { status: 'shipped' },
      seq: 1,
    });
    const history = await server.getMessageHistory(name);
    expect(history.messages.map((m) => m.id)).toEqual([result.id]);
  });

  it('1,000 messages arrive in order', async () => {
    const c = client();
    await c.connect();
    const name = channel('bulk');
    const got: Message[] = [];
    await subscribed(c, name, (m) => got.push(m));
    const ids: string[] = [];
    for (let batch = 0; batch < 50; batch++) {
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => server.publish(name, { i: batch * 20 + i })));
      ids.push(...results.sort((a, b) => a.seq! - b.seq!).map((r) => r.id));
    }
    await waitFor(() => got.length >= 1000, '1000 messages');
    expect(got.map((m) => m.seq)).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
    expect(got.map((m) => m.id)).toEqual(ids);
  });

  it('20 forced socket drops during a steady stream lose and duplicate nothing', async () => {
    const proxy = new ChaosProxy(new URL(baseUrl));
    const proxied = await proxy.listen();
    cleanups.push(() => proxy.close());
    const c = client(proxied, { reconnectDelay: 20, maxReconnectDelay: 200 });
    await c.connect();
    const name = channel('chaos');
    const got: Message[] = [];
    await subscribed(c, name, (m) => got.push(m));
    let drops = 0;
    let reconnects = 0;
    c.on('disconnected', () => drops++);
    c.on('connected', () => reconnects++);

    const total = 600;
    const published: string[] = [];
    const stream = (async () => {
      for (let i = 0; i < total; i++) {
        published.push((await server.publish(name, { i })).id);
        await new Promise((r) => setTimeout(r, 8));
      }
    })();
    while (drops < 20) {
      await waitFor(() => c.connectionState === 'connected', 'reconnect');
      await new Promise((r) => setTimeout(r, 40));
      proxy.dropAll();
      await waitFor(() => c.connectionState !== 'connected', 'the drop to be seen');
    }
    const publishedBeforeLastDrop = published.length;
    await stream;
    await waitFor(() => got.length >= total, `all ${total} messages (have ${got.length})`, 30_000);
    expect(drops).toBe(20);
    expect(reconnects).toBeGreaterThanOrEqual(20);
    expect(published).toHaveLength(total);
    expect(publishedBeforeLastDrop).toBeLessThan(total); // the drops happened mid-stream
    expect(got.map((m) => m.seq)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    expect(got.map((m) => m.id)).toEqual(published);
  });

  it('signals a gap when history no longer covers the outage', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'sdk-gap-'));
    const small = await startBroker(stateDir, { HISTORY_MAX_MESSAGES: '10' });
    cleanups.push(() => rmSync(stateDir, { recursive: true, force: true }));
    cleanups.push(() => small.stop());
    const smallServer = new PushFloServer({ secretKey: SEC, baseUrl: small.url });
    const c = client(small.url, { reconnectDelay: 20 });
    await c.connect();
    const name = channel('gap');
    const got: Message[] = [];
    const gaps: GapInfo[] = [];
    const events: GapInfo[] = [];
    c.on('gap', (g) => events.push(g));
    await subscribed(c, name, (m) => got.push(m), { onGap: (g: GapInfo) => gaps.push(g) });
    await smallServer.publish(name, { before: true });
    await waitFor(() => got.length === 1, 'first message');

    c.disconnect();
    for (let i = 0; i < 30; i++) await smallServer.publish(name, { i });
    await c.connect();
    await waitFor(() => gaps.length === 1, 'the gap signal');
    expect(gaps[0]).toEqual({ channel: name, reason: 'retention', seq: 31 });
    expect(events).toEqual(gaps);
    await smallServer.publish(name, { after: true });
    await waitFor(() => got.length === 2, 'live after the gap');
    expect(got[1]).toMatchObject({ seq: 32, content: { after: true } });
  });

  it('refuses a bad key with an AuthenticationError', async () => {
    const c = client(baseUrl, { publishKey: 'pub_wrong' });
    await expect(c.connect()).rejects.toMatchObject({ name: 'AuthenticationError', code: 'UNAUTHORIZED' });
    expect(c.connectionState).toBe('error');
  });

  it('server errors are typed', async () => {
    await expect(server.publish('x', { big: 'x'.repeat(40_000) })).rejects.toMatchObject({
      name: 'ValidationError',
      code: 'MESSAGE_TOO_LARGE',
      status: 413,
    });
    const pubOnly = new PushFloServer({ secretKey: 'sec_not_a_key', baseUrl });
    await expect(pubOnly.publish('x', {})).rejects.toMatchObject({ name: 'AuthenticationError', status: 401 });
  });
});
