/** Per-key publish rate limit, against a real broker started with a low limit. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYS, startBroker, tempStateDir, type Broker } from './broker';

let broker: Broker;
const state = tempStateDir();
beforeAll(async () => {
  broker = await startBroker(state.dir, { PUBLISH_RATE_PER_SECOND: '5', SECRET_KEYS: 'sec_second_key' });
});
afterAll(async () => {
  await broker?.stop();
  state.remove();
});

const post = (key: string) =>
  fetch(`${broker.url}/api/v1/channels/limited/messages`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ content: {} }),
  });

describe('publish rate limit per key', () => {
  it('answers 429 RATE_LIMITED with Retry-After past the limit, per key, and never drops silently', async () => {
    const statuses: number[] = [];
    let limited: Response | undefined;
    for (let i = 0; i < 15; i++) {
      const res = await post(KEYS.sec);
      statuses.push(res.status);
      if (res.status === 429 && limited === undefined) limited = res;
      else await res.body?.cancel();
    }
    // Burst of 2 × 5 accepted, the rest refused out loud.
    expect(statuses.filter((s) => s === 201).length).toBeGreaterThanOrEqual(10);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    expect(statuses.every((s) => s === 201 || s === 429)).toBe(true);
    expect(Number(limited!.headers.get('Retry-After'))).toBeGreaterThanOrEqual(1);
    expect(await limited!.json()).toMatchObject({ success: false, code: 'RATE_LIMITED' });

    // Another key has its own budget.
    expect((await post('sec_second_key')).status).toBe(201);

    // Every accepted publish is in history; refused ones are not.
    const history = await fetch(`${broker.url}/api/v1/channels/limited/messages?pageSize=100`, {
      headers: { Authorization: `Bearer ${KEYS.sec}` },
    });
    const json = (await history.json()) as { data: { pagination: { total: number } } };
    expect(json.data.pagination.total).toBe(statuses.filter((s) => s === 201).length + 1);
  });
});

describe('connection token rate limit per publish key', () => {
  it('answers 429 RATE_LIMITED with Retry-After past the limit, like publishing', async () => {
    const statuses: number[] = [];
    let limited: Response | undefined;
    for (let i = 0; i < 15; i++) {
      const res = await fetch(`${broker.url}/api/v1/auth/token`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ publishKey: KEYS.pub, clientId: `c-${i}` }),
      });
      statuses.push(res.status);
      if (res.status === 429 && limited === undefined) limited = res;
      else await res.body?.cancel();
    }
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(10);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    expect(statuses.every((s) => s === 200 || s === 429)).toBe(true);
    expect(Number(limited!.headers.get('Retry-After'))).toBeGreaterThanOrEqual(1);
    expect(await limited!.json()).toMatchObject({
      success: false,
      code: 'RATE_LIMITED',
      error: expect.stringContaining('token rate limit'),
    });
  });
});
