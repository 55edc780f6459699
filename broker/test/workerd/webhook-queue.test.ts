/**
 * The durable webhook queue's logic on real Durable Object SQLite, with a
 * scripted sender and a clock the test moves: batching, backoff, expiry,
 * the vacate delay, the cap, restarts.
 */
import { env } from 'cloudflare:workers';
import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { WebhookEvent } from '@pushflodev/sdk/protocol';
import { QUEUE_DEFAULTS, WebhookQueue, type QueueOptions, type SendResult, type WebhookCounts } from '../../src/webhooks/queue';
import type { WebhookObject } from '../../src/webhooks/webhook-object';
import type { Env } from '../../src/env';

const A = 'http://a.test/hook';
const B = 'http://b.test/hook';

interface Sent {
  url: string;
  at: number;
  ids: string[];
}

/** A queue on a fresh object's SQLite, a clock at `t`, a sender answering from `answer`. */
function harness(overrides: Partial<QueueOptions> = {}) {
  const h = {
    t: 1_000_000,
    sent: [] as Sent[],
    counts: { delivered: 0, deliveries: 0, failures: 0, dropped: 0, expired: 0 } as WebhookCounts,
    answer: (_url: string, _n: number): SendResult | Error | Promise<SendResult> => ({ ok: true, status: 204 }),
    sql: null as SqlStorage | null,
    queue: null as WebhookQueue | null,
  };
  const make = (more: Partial<QueueOptions> = {}) =>
    new WebhookQueue(
      h.sql!,
      { ...QUEUE_DEFAULTS, urls: [A], vacateDelayMs: 5_000, maxQueued: 10_000, ...overrides, ...more },
      async (url, events) => {
        h.sent.push({ url, at: h.t, ids: events.map((e) => (JSON.parse(e) as WebhookEvent).id) });
        const a = h.answer(url, h.sent.length);
        if (a instanceof Error) throw a;
        return a;
      },
      () => h.t,
      (d) => {
        for (const k of ['delivered', 'deliveries', 'failures', 'dropped', 'expired'] as const) h.counts[k] += d[k] ?? 0;
        if (d.lastFailure) h.counts.lastFailure = d.lastFailure;
      },
    );
  return { h, make };
}

let n = 0;
/** Runs `fn` with a queue on the SQLite of a WebhookObject no one else uses. */
async function withQueue(overrides: Partial<QueueOptions>, fn: (q: ReturnType<typeof harness>) => Promise<void>): Promise<void> {
  const ns = (env as unknown as Env).WEBHOOKS;
  const stub = ns.get(ns.idFromName(`queue-test-${Date.now()}-${++n}`));
  await runInDurableObject(stub, async (_o: WebhookObject, state) => {
    const q = harness(overrides);
    q.h.sql = state.storage.sql;
    q.h.queue = q.make();
    await fn(q);
  });
}

let ids = 0;
const ev = (channel = 'c:1', name: WebhookEvent['name'] = 'member_added', timeMs = 1_000_000): WebhookEvent =>
  name === 'member_added' || name === 'member_removed'
    ? { id: `evt_${++ids}`, name, channel, timeMs, clientId: 'ana', info: null }
    : name === 'client_event'
      ? { id: `evt_${++ids}`, name, channel, timeMs, event: 'x', clientId: 'ana', data: {}, messageId: 'm' }
      : { id: `evt_${++ids}`, name, channel, timeMs };

/** Moves the clock to the queue's next wake-up and delivers; false when nothing is scheduled. */
async function step(q: ReturnType<typeof harness>): Promise<boolean> {
  const next = q.h.queue!.nextWake();
  if (next === null) return false;
  q.h.t = Math.max(q.h.t, next);
  await q.h.queue!.deliver();
  return true;
}

describe('webhook queue', () => {
  it('batches: the first event waits 250 ms, then everything waiting goes in one POST, in order', async () => {
    await withQueue({}, async (q) => {
      const events = [ev(), ev(), ev()];
      q.h.queue!.enqueue(events.slice(0, 1));
      q.h.t += 100;
      q.h.queue!.enqueue(events.slice(1));
      expect(q.h.queue!.nextWake()).toBe(1_000_250);
      q.h.t = 1_000_249;
      await q.h.queue!.deliver();
      expect(q.h.sent).toEqual([]);
      q.h.t = 1_000_250;
      await q.h.queue!.deliver();
      expect(q.h.sent).toEqual([{ url: A, at: 1_000_250, ids: events.map((e) => e.id) }]);
      expect(q.h.counts).toMatchObject({ delivered: 3, deliveries: 1, failures: 0 });
      expect(q.h.queue!.size()).toBe(0);
      expect(q.h.queue!.nextWake()).toBeNull();
    });
  });

  it('a full batch (100) goes at once; more than 100 waiting go in several POSTs of at most 100', async () => {
    await withQueue({}, async (q) => {
      const events = Array.from({ length: 250 }, () => ev());
      q.h.queue!.enqueue(events);
      expect(q.h.queue!.nextWake()).toBe(q.h.t);
      while (await step(q));
      expect(q.h.sent.map((s) => s.ids.length)).toEqual([100, 100, 50]);
      expect(q.h.sent.flatMap((s) => s.ids)).toEqual(events.map((e) => e.id));
      expect(q.h.sent.every((s) => s.at === 1_000_000)).toBe(true);
    });
  });

  it('retries a failed POST with exponential backoff and the same event ids, then delivers', async () => {
    await withQueue({}, async (q) => {
      q.h.answer = (_url, call) =>
        call === 1
          ? { ok: false, status: 503, error: 'HTTP 503' }
          : call === 2
            ? new Error('connection refused')
            : { ok: true, status: 200 };
      const events = [ev(), ev()];
      q.h.queue!.enqueue(events);
      while (await step(q));
      expect(q.h.sent.map((s) => s.at - 1_000_000)).toEqual([250, 250 + 1_000, 250 + 1_000 + 2_000]);
      for (const s of q.h.sent) expect(s.ids).toEqual(events.map((e) => e.id));
      expect(q.h.counts).toMatchObject({ delivered: 2, deliveries: 1, failures: 2, expired: 0 });
      expect(q.h.counts.lastFailure).toEqual({ at: 1_001_250, url: A, error: 'connection refused' });
    });
  });

  it('with the defaults, a dead URL is tried 12 times over more than 30 s (18.5 min) before its events expire', async () => {
    await withQueue({}, async (q) => {
      q.h.answer = () => ({ ok: false, status: 500 });
      q.h.queue!.enqueue([ev()]);
      while (await step(q));
      expect(q.h.sent.length).toBe(QUEUE_DEFAULTS.maxAttempts);
      expect(q.h.sent.length).toBeGreaterThanOrEqual(3);
      const span = q.h.sent.at(-1)!.at - q.h.sent[0]!.at;
      expect(span).toBeGreaterThanOrEqual(30_000);
      expect(span).toBe((1 + 2 + 4 + 8 + 16 + 32 + 64 + 128 + 256 + 300 + 300) * 1000);
      expect(q.h.counts).toMatchObject({ failures: 12, expired: 1, delivered: 0 });
      expect(q.h.queue!.size()).toBe(0);
    });
  });

  it('a dead URL does not hold up another: each URL has its own queue and backoff', async () => {
    await withQueue({ urls: [A, B] }, async (q) => {
      q.h.answer = (url) => (url === A ? { ok: false, status: 502 } : { ok: true, status: 204 });
      const first = ev();
      q.h.queue!.enqueue([first]);
      await step(q);
      q.h.t += 10;
      const second = ev();
      q.h.queue!.enqueue([second]);
      await step(q); // B: the second event, 250 ms later; A still waits for its backoff
      expect(q.h.sent.filter((s) => s.url === B).map((s) => s.ids)).toEqual([[first.id], [second.id]]);
      expect(q.h.sent.filter((s) => s.url === A).map((s) => s.ids)).toEqual([[first.id]]);
      q.h.answer = () => ({ ok: true, status: 204 });
      while (await step(q));
      // A's retry carries both, in order.
      expect(q.h.sent.filter((s) => s.url === A).map((s) => s.ids)).toEqual([[first.id], [first.id, second.id]]);
    });
  });

  it('caps each URL’s queue: overflow is dropped and counted, enqueueing never waits', async () => {
    await withQueue({ maxQueued: 5 }, async (q) => {
      const events = Array.from({ length: 8 }, () => ev());
      q.h.queue!.enqueue(events);
      expect(q.h.queue!.size()).toBe(5);
      expect(q.h.counts.dropped).toBe(3);
      q.h.queue!.enqueue([], 4); // lost upstream (the channel's emitter) counts too
      expect(q.h.counts.dropped).toBe(7);
      while (await step(q));
      expect(q.h.sent.flatMap((s) => s.ids)).toEqual(events.slice(0, 5).map((e) => e.id));
    });
  });

  it('channel_vacated waits the vacate delay; a re-occupy within it cancels both', async () => {
    await withQueue({}, async (q) => {
      const vacated = ev('c:flap', 'channel_vacated', q.h.t);
      q.h.queue!.enqueue([vacated]);
      expect(q.h.queue!.nextWake()).toBe(q.h.t + 5_000);
      q.h.t += 4_000;
      q.h.queue!.enqueue([ev('c:flap', 'channel_occupied', q.h.t)]);
      const sentinel = ev('c:flap', 'member_added', q.h.t);
      q.h.queue!.enqueue([sentinel]);
      while (await step(q));
      expect(q.h.sent.flatMap((s) => s.ids)).toEqual([sentinel.id]);
    });
  });

  it('channel_vacated is sent once the delay has passed, not before', async () => {
    await withQueue({}, async (q) => {
      const start = q.h.t;
      const vacated = ev('c:gone', 'channel_vacated', start);
      q.h.queue!.enqueue([vacated]);
      q.h.t = start + 4_999;
      await q.h.queue!.deliver();
      expect(q.h.queue!.size()).toBe(0);
      while (await step(q));
      expect(q.h.sent).toEqual([{ url: A, at: start + 5_000 + 250, ids: [vacated.id] }]);
      // A later occupy is a new occupancy, sent as usual.
      const occupied = ev('c:gone', 'channel_occupied', q.h.t);
      q.h.queue!.enqueue([occupied]);
      while (await step(q));
      expect(q.h.sent.at(-1)!.ids).toEqual([occupied.id]);
    });
  });

  it('a restart resends the batch that was in flight, with the same ids, and forgets URLs no longer configured', async () => {
    await withQueue({ urls: [A, B] }, async (q) => {
      const events = [ev(), ev()];
      q.h.answer = () => new Promise<SendResult>(() => undefined); // never answers: the object dies while the POST is out
      q.h.queue!.enqueue(events);
      q.h.t += 250;
      void q.h.queue!.deliver();
      expect(q.h.sent.map((s) => s.url).sort()).toEqual([A, B]);
      // A new object over the same storage, configured with A only now.
      q.h.answer = () => ({ ok: true, status: 204 });
      q.h.t += 1_000;
      q.h.queue = q.make({ urls: [A] });
      expect(q.h.queue.size()).toBe(2);
      expect(q.h.queue.nextWake()).toBe(q.h.t);
      while (await step(q));
      expect(q.h.sent.slice(2)).toEqual([{ url: A, at: q.h.t, ids: events.map((e) => e.id) }]);
      expect(q.h.queue.size()).toBe(0);
    });
  });
});
