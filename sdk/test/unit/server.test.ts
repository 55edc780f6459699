import { afterEach, describe, expect, it, vi } from 'vitest';
import { PushFloServer } from '../../src/server/PushFloServer.js';
import { AuthenticationError, NetworkError, RateLimitError, ValidationError } from '../../src/errors.js';
import { retryAfterMs } from '../../src/server/rest.js';

type Call = { url: string; method: string; body: unknown; headers: Record<string, string> };

/** A fetch that answers from a script and records calls. */
function scripted(answers: Array<Response | Error>) {
  const calls: Call[] = [];
  const f = async (input: URL | RequestInfo, init?: RequestInit) => {
    calls.push({
      url: String(input),
      method: init?.method ?? 'GET',
      body: init?.body ? JSON.parse(String(init.body)) : undefined,
      headers: init?.headers as Record<string, string>,
    });
    const next = answers.shift();
    if (next === undefined) throw new Error('no more answers');
    if (next instanceof Error) throw next;
    return next;
  };
  return { f: f as typeof fetch, calls };
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

describe('PushFloServer', () => {
  it('publishes with the bearer key and unwraps the answer', async () => {
    const { f, calls } = scripted([
      json(201, { success: true, data: { id: 'msg_1', channelSlug: 'orders:user-1', delivered: 2, seq: 7 } }),
    ]);
    const server = new PushFloServer({ secretKey: 'sec_x', baseUrl: 'http://b.test/', fetch: f });
    const result = await server.publish('orders:user-1', { a: 1 }, { eventType: 'order-shipped' });
    expect(result).toEqual({ id: 'msg_1', channelSlug: 'orders:user-1', delivered: 2, seq: 7 });
    expect(calls[0]).toMatchObject({
      url: 'http://b.test/api/v1/channels/orders%3Auser-1/messages',
      method: 'POST',
      body: { content: { a: 1 }, eventType: 'order-shipped' },
      headers: { Authorization: 'Bearer sec_x' },
    });
  });

  it('retries network errors and 5xx, then succeeds', async () => {
    const { f, calls } = scripted([
      new TypeError('fetch failed'),
      json(503, { success: false, error: 'busy', code: 'INTERNAL' }),
      json(201, { success: true, data: { id: 'm' } }),
    ]);
    const server = new PushFloServer({ secretKey: 'sec_x', baseUrl: 'http://b.test', fetch: f, retryAttempts: 3 });
    await expect(server.publish('c', {})).resolves.toEqual({ id: 'm' });
    expect(calls).toHaveLength(3);
    // All three attempts are one publish to the broker: they share one idempotency key.
    const keys = calls.map((c) => c.headers['Idempotency-Key']);
    expect(keys[0]).toMatch(/^auto-[0-9a-f-]{36}$/);
    expect(new Set(keys).size).toBe(1);
  });

  it('gives each publish call its own idempotency key, or the one passed', async () => {
    const ok = () => json(201, { success: true, data: { id: 'm' } });
    const { f, calls } = scripted([ok(), ok(), ok()]);
    const server = new PushFloServer({ secretKey: 'sec_x', baseUrl: 'http://b.test', fetch: f });
    await server.publish('c', { n: 1 });
    await server.publish('c', { n: 1 });
    await server.publish('c', { n: 1 }, { idempotencyKey: 'order-42-shipped' });
    const keys = calls.map((c) => c.headers['Idempotency-Key']);
    expect(keys[0]).not.toBe(keys[1]);
    expect(keys[2]).toBe('order-42-shipped');
  });

  it('never retries 4xx, and types the errors with the broker code', async () => {
    const cases: Array<[Response, unknown, string]> = [
      [json(401, { success: false, error: 'invalid key', code: 'UNAUTHORIZED' }), AuthenticationError, 'UNAUTHORIZED'],
      [json(403, { success: false, error: 'needs sec', code: 'FORBIDDEN' }), AuthenticationError, 'FORBIDDEN'],
      [json(413, { success: false, error: 'too big', code: 'MESSAGE_TOO_LARGE' }), ValidationError, 'MESSAGE_TOO_LARGE'],
      [json(400, { success: false, error: 'bad', code: 'INVALID_CONTENT' }), ValidationError, 'INVALID_CONTENT'],
    ];
    for (const [response, type, code] of cases) {
      const { f, calls } = scripted([response]);
      const server = new PushFloServer({ secretKey: 'sec_x', baseUrl: 'http://b.test', fetch: f });
      const err = await server.publish('c', {}).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(type as new () => Error);
      expect(err).toMatchObject({ code, status: response.status });
      expect(calls).toHaveLength(1);
    }
  });

  it('gives up after retryAttempts with a retryable NetworkError', async () => {
    const { f, calls } = scripted([json(500, {}), json(500, {}), json(500, {})]);
    const server = new PushFloServer({ secretKey: 'sec_x', baseUrl: 'http://b.test', fetch: f, retryAttempts: 3 });
    const err = await server.publish('c', {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetworkError);
    expect(err).toMatchObject({ retryable: true, status: 500 });
    expect(calls).toHaveLength(3);
  });

  it('times out a hanging request', async () => {
    const hang = ((_: unknown, init?: RequestInit) =>
      new Promise((_resolve, reject) =>
        init?.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))),
      )) as typeof fetch;
    const server = new PushFloServer({ secretKey: 'sec_x', baseUrl: 'http://b.test', fetch: hang, timeout: 20, retryAttempts: 1 });
    await expect(server.publish('c', {})).rejects.toMatchObject({ code: 'REQUEST_TIMEOUT' });
  });

  it('validates before sending', async () => {
    const { f, calls } = scripted([]);
    const server = new PushFloServer({ secretKey: 'sec_x', fetch: f });
    await expect(server.publish('bad name', {})).rejects.toBeInstanceOf(ValidationError);
    await expect(server.publish('ok', [] as unknown as Record<string, unknown>)).rejects.toMatchObject({ code: 'INVALID_CONTENT' });
    expect(calls).toHaveLength(0);
    expect(() => new PushFloServer({ secretKey: 'pub_x' })).toThrow(AuthenticationError);
  });

  it('returns history as { messages, pagination } from data: {items, pagination}', async () => {
    const pagination = { page: 2, pageSize: 1, total: 3, totalPages: 3 };
    const { f, calls } = scripted([json(200, { success: true, data: { items: [{ id: 'a' }], pagination } })]);
    const server = new PushFloServer({ secretKey: 'sec_x', baseUrl: 'http://b.test', fetch: f });
    const h = await server.getMessageHistory('c', { page: 2, pageSize: 1, eventType: 'x', after: 5 });
    expect(h).toEqual({ messages: [{ id: 'a' }], pagination });
    expect(calls[0]!.url).toBe('http://b.test/api/v1/channels/c/messages?page=2&pageSize=1&eventType=x&after=5');
  });

  it('still reads the history of older brokers (data: [...] with pagination beside it)', async () => {
    const pagination = { page: 1, pageSize: 25, total: 1, totalPages: 1 };
    const { f } = scripted([json(200, { success: true, data: [{ id: 'a' }], pagination })]);
    const server = new PushFloServer({ secretKey: 'sec_x', baseUrl: 'http://b.test', fetch: f });
    expect(await server.getMessageHistory('c')).toEqual({ messages: [{ id: 'a' }], pagination });
  });

  it('sends channel management to consoleUrl when one is given, else to baseUrl', async () => {
    const list = () => json(200, { success: true, data: [], pagination: { page: 1, pageSize: 25, total: 0, totalPages: 0 } });
    const { f, calls } = scripted([list(), list(), json(201, { success: true, data: { id: 'm' } })]);
    await new PushFloServer({ secretKey: 'mgmt_x', baseUrl: 'http://b.test', fetch: f }).listChannels();
    const split = new PushFloServer({ secretKey: 'mgmt_x', baseUrl: 'http://b.test', consoleUrl: 'http://console.test', fetch: f });
    await split.listChannels();
    await split.publish('c', {});
    expect(calls.map((c) => new URL(c.url).host)).toEqual(['b.test', 'console.test', 'b.test']);
  });
});

describe('publishBatch', () => {
  it('gives every message an idempotency key (its own id, or a fresh one) and keeps them across retries', async () => {
    const ok = json(201, { success: true, data: [{ id: 'm1' }, { id: 'm2' }, { id: 'm3' }] });
    const { f, calls } = scripted([new TypeError('fetch failed'), json(502, { success: false, error: 'bad gateway' }), ok]);
    const server = new PushFloServer({ secretKey: 'sec_x', baseUrl: 'http://b.test', fetch: f, retryAttempts: 3 });
    const results = await server.publishBatch([
      { channel: 'a', content: { n: 1 } },
      { channel: 'b', content: { n: 2 }, id: 'tick-1001' },
      { channel: 'a', content: { n: 3 } },
    ]);
    expect(results.map((r) => r.id)).toEqual(['m1', 'm2', 'm3']);
    expect(calls).toHaveLength(3);
    const ids = calls.map((c) => (c.body as { messages: Array<{ id: string }> }).messages.map((m) => m.id));
    expect(ids[0]![0]).toMatch(/^auto-[0-9a-f-]{36}$/);
    expect(ids[0]![1]).toBe('tick-1001');
    expect(ids[0]![0]).not.toBe(ids[0]![2]);
    // The retries send the very same keys: the broker stores each message once.
    expect(ids[1]).toEqual(ids[0]);
    expect(ids[2]).toEqual(ids[0]);
  });
});

describe('rate limits (429)', () => {
  afterEach(() => vi.useRealTimers());
  const limited = (retryAfter?: string) =>
    new Response(JSON.stringify({ success: false, error: 'slow down', code: 'RATE_LIMITED' }), {
      status: 429,
      headers: retryAfter === undefined ? {} : { 'Retry-After': retryAfter },
    });

  it('reads Retry-After as seconds or an HTTP date', () => {
    expect(retryAfterMs('3')).toBe(3000);
    expect(retryAfterMs(new Date(60_000).toUTCString(), 10_000)).toBe(50_000);
    expect(retryAfterMs(null)).toBe(1000);
    expect(retryAfterMs('soon')).toBe(1000);
  });

  it('publish waits out Retry-After, then retries with the same idempotency key', async () => {
    vi.useFakeTimers();
    const { f, calls } = scripted([limited('2'), json(201, { success: true, data: { id: 'm' } })]);
    const server = new PushFloServer({ secretKey: 'sec_x', baseUrl: 'http://b.test', fetch: f });
    const done = server.publish('c', { a: 1 });
    await vi.advanceTimersByTimeAsync(1_900);
    expect(calls).toHaveLength(1); // still waiting: not before the broker said
    await vi.advanceTimersByTimeAsync(200);
    await expect(done).resolves.toEqual({ id: 'm' });
    expect(calls).toHaveLength(2);
    expect(calls[1]!.headers['Idempotency-Key']).toBe(calls[0]!.headers['Idempotency-Key']);
  });

  it('publishBatch waits out Retry-After too, resending the same ids', async () => {
    vi.useFakeTimers();
    const { f, calls } = scripted([limited('1'), json(201, { success: true, data: [{ id: 'm' }] })]);
    const server = new PushFloServer({ secretKey: 'sec_x', baseUrl: 'http://b.test', fetch: f });
    const done = server.publishBatch([{ channel: 'c', content: {} }]);
    await vi.advanceTimersByTimeAsync(1_000);
    await expect(done).resolves.toEqual([{ id: 'm' }]);
    expect(calls[1]!.body).toEqual(calls[0]!.body);
  });

  it('gives up with a RateLimitError (a NetworkError) when asked to wait longer than maxRetryAfter', async () => {
    const { f, calls } = scripted([limited('30')]);
    const server = new PushFloServer({ secretKey: 'sec_x', baseUrl: 'http://b.test', fetch: f, maxRetryAfter: 5_000 });
    const err = await server.publish('c', {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitError);
    expect(err).toBeInstanceOf(NetworkError);
    expect(err).toMatchObject({ code: 'RATE_LIMITED', status: 429, retryAfter: 30_000, retryable: true });
    expect(calls).toHaveLength(1);
  });

  it('gives up with a RateLimitError when still limited after retryAttempts', async () => {
    vi.useFakeTimers();
    const { f, calls } = scripted([limited('1'), limited('1')]);
    const server = new PushFloServer({ secretKey: 'sec_x', baseUrl: 'http://b.test', fetch: f, retryAttempts: 2 });
    const done = server.publish('c', {}).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(await done).toMatchObject({ name: 'RateLimitError', retryAfter: 1000 });
    expect(calls).toHaveLength(2);
  });

  it('does not retry a rate-limited read: the caller gets the RateLimitError at once', async () => {
    const { f, calls } = scripted([limited('1')]);
    const server = new PushFloServer({ secretKey: 'sec_x', baseUrl: 'http://b.test', fetch: f });
    await expect(server.getMessageHistory('c')).rejects.toBeInstanceOf(RateLimitError);
    expect(calls).toHaveLength(1);
  });
});
