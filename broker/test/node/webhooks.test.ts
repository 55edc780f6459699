/**
 * Webhooks over real HTTP: a real broker (wrangler dev on workerd) POSTs to a
 * Node receiver. The receiver refuses its first call: the broker retries with
 * the same event ids and a valid signature (checked with the SDK's
 * verifyWebhook). A receiver that never answers does not hold up fan-out.
 * Events still queued when the broker is SIGKILLed arrive after a restart on
 * the same state directory.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { verifyWebhook, type WebhookEvent } from '@pushflodev/sdk/server';
import { KEYS, openSocket, publish, startBroker, tempStateDir, type Broker } from './broker';
import { startWebhookReceiver, type ReceivedPost, type WebhookReceiver } from './webhook-receiver';

const SECRET = 'whsec_node_test';
const cleanups: Array<() => Promise<void> | void> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

function brokerWith(receiver: WebhookReceiver, stateDir: string): Promise<Broker> {
  return startBroker(stateDir, { WEBHOOK_URL: `${receiver.url}/hooks`, WEBHOOK_SECRET: SECRET, WEBHOOK_VACATE_DELAY_MS: '500' });
}

interface Attempt {
  post: ReceivedPost;
  events: WebhookEvent[];
}

/** Every POST that carried an event of `channel`, verified. */
async function attempts(receiver: WebhookReceiver, channel: string): Promise<Attempt[]> {
  const out: Attempt[] = [];
  for (const post of receiver.posts) {
    if (!post.body.includes(JSON.stringify(channel))) continue;
    const payload = await verifyWebhook(post.body, post.signature, SECRET, { now: post.at });
    out.push({ post, events: payload.events.filter((e) => e.channel === channel) });
  }
  return out;
}

async function until<T>(what: string, get: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await get();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('webhooks over HTTP', () => {
  it('retries a refused delivery with the same event ids, signed; a hanging receiver does not slow fan-out', async () => {
    const receiver = await startWebhookReceiver();
    cleanups.push(() => receiver.close());
    const state = tempStateDir();
    cleanups.push(state.remove);
    const broker = await brokerWith(receiver, state.dir);
    cleanups.push(() => broker.stop());

    receiver.script.push(500);
    const channel = 'hooks:retry';
    const socket = await openSocket(broker);
    await socket.subscribe(channel);
    const [first, second] = await until('a refused POST, then a retry', async () => {
      const a = await attempts(receiver, channel);
      return a.length >= 2 ? a : undefined;
    });
    expect(first!.post.status).toBe(500);
    expect(second!.post.status).toBe(204);
    expect(first!.events.map((e) => e.name)).toEqual(['channel_occupied']);
    expect(second!.events.map((e) => e.id)).toEqual(first!.events.map((e) => e.id));
    expect(second!.post.at - first!.post.at).toBeGreaterThanOrEqual(900); // first backoff: 1 s
    // A tampered copy does not verify.
    await expect(verifyWebhook(second!.post.body.replace('occupied', 'vacated!'), second!.post.signature, SECRET)).rejects.toMatchObject({
      code: 'WEBHOOK_SIGNATURE_INVALID',
    });
    // The header signs the send time with the body (t = the payload's timeMs, the retry's own time), so a
    // captured delivery replayed after the 5-minute window is refused.
    const t = Number(/^t=(\d+),sha256=[0-9a-f]{64}$/.exec(second!.post.signature ?? '')?.[1]);
    expect(t).toBe((JSON.parse(second!.post.body) as { timeMs: number }).timeMs);
    expect(Math.abs(second!.post.at - t)).toBeLessThan(60_000);
    expect(t).toBeGreaterThan(Number(/^t=(\d+),/.exec(first!.post.signature ?? '')?.[1]));
    await expect(verifyWebhook(second!.post.body, second!.post.signature, SECRET, { now: t + 300_001 })).rejects.toMatchObject({
      code: 'WEBHOOK_TIMESTAMP_OUTSIDE_WINDOW',
    });

    const stats = await until('webhook counts in the statistics', async () => {
      const res = await fetch(`${broker.url}/api/v1/stats`, { headers: { Authorization: `Bearer ${KEYS.sec}` } });
      const s = (
        (await res.json()) as { data: { webhooks: { deliveries: number; failures: number; lastFailure: { error: string } | null } } }
      ).data;
      return s.webhooks.failures >= 1 && s.webhooks.deliveries >= 1 ? s : undefined;
    });
    expect(stats.webhooks.lastFailure).toMatchObject({ error: 'HTTP 500', url: `${receiver.url}/hooks` });

    // The receiver stops answering. Fan-out carries on while a POST is held open.
    receiver.script.push('hang');
    const hung = 'hooks:hung';
    const other = await openSocket(broker);
    await other.subscribe(hung); // channel_occupied: the POST that hangs
    await until('a POST held open', async () => (receiver.hanging() > 0 ? true : undefined));
    for (let i = 0; i < 50; i++) await publish(broker, channel, { i });
    await socket.waitForMessages(50, channel);
    expect(receiver.hanging()).toBe(1); // all 50 delivered while the webhook POST was still unanswered
    socket.close();
    other.close();
  });

  it('events still queued when the broker is killed arrive after a restart, with the same ids', async () => {
    const receiver = await startWebhookReceiver();
    cleanups.push(() => receiver.close());
    const state = tempStateDir();
    cleanups.push(state.remove);
    let broker = await brokerWith(receiver, state.dir);
    cleanups.push(() => broker.stop());

    receiver.script.push(...Array<number>(1_000).fill(503)); // the endpoint is down
    const channels = ['hooks:restart-a', 'hooks:restart-b', 'hooks:restart-c'];
    const socket = await openSocket(broker);
    for (const c of channels) await socket.subscribe(c);
    const refused = await until('every event refused at least once', async () => {
      const ids = new Map<string, string>();
      for (const c of channels) {
        const a = await attempts(receiver, c);
        if (a.length === 0) return undefined;
        ids.set(c, a[0]!.events[0]!.id);
      }
      return ids;
    });
    await broker.kill();

    receiver.script.length = 0; // back up
    broker = await brokerWith(receiver, state.dir);
    const delivered = await until('every event delivered after the restart', async () => {
      const got = new Map<string, string>();
      for (const c of channels) {
        const ok = (await attempts(receiver, c)).find((a) => a.post.status === 204);
        if (ok === undefined) return undefined;
        got.set(c, ok.events[0]!.id);
      }
      return got;
    });
    expect(delivered).toEqual(refused);
  });
});
