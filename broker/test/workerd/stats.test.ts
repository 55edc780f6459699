import { describe, expect, it } from 'vitest';
import { api, connected, fetchBroker, freshChannel, KEYS, publish } from './helpers';
import type { StatsSnapshot } from '../../src/stats/stats-object';
import { bucketOf, emptyHistogram, percentile } from '../../src/stats/histogram';
import { MAX_CHANNELS_PER_REPORT, OTHER_CHANNELS, StatsReporter } from '../../src/stats/reporter';

async function stats(key: string = KEYS.sec): Promise<StatsSnapshot> {
  const res = await api<{ success: boolean; data: StatsSnapshot }>('GET', '/stats', undefined, key);
  expect(res.status).toBe(200);
  expect(res.json.success).toBe(true);
  return res.json.data;
}

/** Reporters send at most once a second: poll the endpoint until `ok` holds (or give up after 8 s). */
async function statsUntil(ok: (s: StatsSnapshot) => boolean): Promise<StatsSnapshot> {
  const deadline = Date.now() + 8_000;
  for (;;) {
    const s = await stats();
    if (ok(s) || Date.now() > deadline) return s;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('GET /api/v1/stats', () => {
  it('needs a secret or management key: none → 401, publish key → 403', async () => {
    const none = await fetchBroker('/api/v1/stats');
    expect(none.status).toBe(401);
    expect(await none.json()).toMatchObject({ success: false, code: 'UNAUTHORIZED' });
    const pub = await api('GET', '/stats', undefined, KEYS.pub);
    expect(pub.status).toBe(403);
    expect(pub.json).toMatchObject({ success: false, code: 'FORBIDDEN' });
    expect((await api('GET', '/stats', undefined, KEYS.mgmt)).status).toBe(200);
    expect(await stats()).toMatchObject({ messages: { published: { total: expect.any(Number) } }, latency: { windowSeconds: 10 } });
  });

  it('counts publishes, deliveries, latency, connections and the busiest channel', async () => {
    const before = await stats();
    const channel = freshChannel('stats');
    const a = await connected();
    const b = await connected();
    await a.subscribe(channel);
    await b.subscribe(channel);
    for (let i = 0; i < 5; i++) await publish(channel, { i });
    await a.waitForMessages(5, channel);
    await b.waitForMessages(5, channel);
    const after = await statsUntil(
      (s) =>
        s.messages.published.total >= before.messages.published.total + 5 &&
        s.messages.delivered.total >= before.messages.delivered.total + 10 &&
        s.latency.allTime.count >= before.latency.allTime.count + 5 &&
        s.topChannels.some((c) => c.channel === channel && c.published === 5 && c.delivered === 10) &&
        s.connections >= 2 &&
        s.subscriptions >= 2,
    );
    expect(after.messages.published.total).toBeGreaterThanOrEqual(before.messages.published.total + 5);
    expect(after.messages.delivered.total).toBeGreaterThanOrEqual(before.messages.delivered.total + 10);
    expect(after.latency.allTime.count).toBeGreaterThanOrEqual(before.latency.allTime.count + 5);
    expect(after.latency.allTime.p99).not.toBeNull();
    expect(after.topChannels.find((c) => c.channel === channel)).toMatchObject({ published: 5, delivered: 10 });
    expect(after.connections).toBeGreaterThanOrEqual(2);
    expect(after.subscriptions).toBeGreaterThanOrEqual(2);
    expect(after.sockets.opened).toBeGreaterThanOrEqual(before.sockets.opened + 2);
    a.close();
    b.close();
  });

  it('counts error responses by code, from the Worker and from the shards', async () => {
    const before = await stats();
    const code = (s: StatsSnapshot, c: string) => s.errors.byCode[c] ?? 0;
    const channel = freshChannel('stats-bad');
    await api('POST', `/channels/${encodeURIComponent(channel)}/messages`, '{"content": {'); // 400 INVALID_JSON
    await api('POST', `/channels/${encodeURIComponent(channel)}/messages`, { content: { a: 1 } }, KEYS.pub); // 403 FORBIDDEN
    await api('POST', `/channels/${encodeURIComponent(channel)}/messages`, { content: { a: 1 } }, 'sec_wrong'); // 401 UNAUTHORIZED
    const s = await connected();
    s.send({ type: 'nonsense' }); // error frame UNKNOWN_FRAME_TYPE, from a shard
    expect(await s.next()).toMatchObject({ type: 'error', code: 'UNKNOWN_FRAME_TYPE' });
    const after = await statsUntil(
      (x) =>
        code(x, 'INVALID_JSON') > code(before, 'INVALID_JSON') &&
        code(x, 'FORBIDDEN') > code(before, 'FORBIDDEN') &&
        code(x, 'UNAUTHORIZED') > code(before, 'UNAUTHORIZED') &&
        code(x, 'UNKNOWN_FRAME_TYPE') > code(before, 'UNKNOWN_FRAME_TYPE'),
    );
    for (const c of ['INVALID_JSON', 'FORBIDDEN', 'UNAUTHORIZED', 'UNKNOWN_FRAME_TYPE'])
      expect(code(after, c), c).toBeGreaterThan(code(before, c));
    expect(after.errors.total).toBeGreaterThanOrEqual(before.errors.total + 4);
    s.close();
  });
});

describe('stats building blocks', () => {
  it('histogram percentiles are bucket upper bounds', () => {
    const h = emptyHistogram();
    expect(percentile(h, 99)).toBeNull();
    for (let i = 0; i < 98; i++) h[bucketOf(3.5)]! += 1; // bucket [3, 4)
    h[bucketOf(45)]! += 2; // bucket [40, 50)
    expect(percentile(h, 50)).toBe(4);
    expect(percentile(h, 99)).toBe(50);
    h[bucketOf(1e9)]! += 1000; // overflow bucket
    expect(percentile(h, 99)).toBe(30_000);
  });

  it('a reporter sends one capped batch per interval, never one call per message', async () => {
    const sent: Array<{ published: number; channels: number }> = [];
    let pending: Array<() => Promise<void>> = [];
    const reporter = new StatsReporter(
      () => 'test',
      () => async (r) => void sent.push({ published: r.published, channels: Object.keys(r.channels).length }),
    );
    for (let i = 0; i < 1_000; i++) {
      reporter.countPublished(`c-${i % (MAX_CHANNELS_PER_REPORT + 50)}`);
      reporter.schedule((flush) => pending.push(flush), 0);
    }
    expect(pending).toHaveLength(1);
    await pending[0]!();
    pending = [];
    expect(sent).toEqual([{ published: 1_000, channels: MAX_CHANNELS_PER_REPORT + 1 }]);
    expect(reporter.take(0).channels[OTHER_CHANNELS]).toBeUndefined(); // reset after sending
  });
});
