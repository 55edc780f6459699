import { describe, expect, it } from 'vitest';
import { PushFloServer } from '../../src/server/PushFloServer.js';
import { AuthenticationError, NetworkError, ValidationError } from '../../src/errors.js';

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

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

describe('PushFloServer', () => {
  it('publishes with the bearer key and unwraps the answer', async () => {
    const { f, calls } = scripted([json(201, { success: true, data: { id: 'msg_1', channelSlug: 'orders:user-1', delivered: 2, seq: 7 } })]);
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
    const { f, calls } = scripted([new TypeError('fetch failed'), json(503, { success: false, error: 'busy', code: 'INTERNAL' }), json(201, { success: true, data: { id: 'm' } })]);
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
      [json(429, { success: false, error: 'slow down', code: 'RATE_LIMITED' }), NetworkError, 'RATE_LIMITED'],
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
      new Promise((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))))) as typeof fetch;
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

  it('returns history as { messages, pagination }', async () => {
    const { f, calls } = scripted([json(200, { success: true, data: [{ id: 'a' }], pagination: { page: 2, pageSize: 1, total: 3, totalPages: 3 } })]);
    const server = new PushFloServer({ secretKey: 'sec_x', baseUrl: 'http://b.test', fetch: f });
    const h = await server.getMessageHistory('c', { page: 2, pageSize: 1, eventType: 'x', after: 5 });
    expect(h).toEqual({ messages: [{ id: 'a' }], pagination: { page: 2, pageSize: 1, total: 3, totalPages: 3 } });
    expect(calls[0]!.url).toBe('http://b.test/api/v1/channels/c/messages?page=2&pageSize=1&eventType=x&after=5');
  });
});
