import { env } from 'cloudflare:workers';
import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { Env } from '../../src/env';
import type { HistoryMessage, HistoryPage, Pagination } from '@pushflodev/sdk/protocol';
import { ChannelStore } from '../../src/channel/store';
import { api, freshChannel, publish, range } from './helpers';

type Page = { items: HistoryMessage[]; pagination: Pagination };
const e = env as unknown as Env;

/** One page, as `data` of the answer (`{success: true, data: {items, pagination}}`). */
const history = async (channel: string, query = ''): Promise<Page> => {
  const body = (await api<{ success: true; data: HistoryPage }>('GET', `/channels/${encodeURIComponent(channel)}/messages${query}`)).json;
  expect(Object.keys(body).sort()).toEqual(['data', 'success']);
  return body.data;
};

describe('history', () => {
  it('answers in publish order and pages correctly', async () => {
    const channel = freshChannel('hist');
    for (let i = 1; i <= 23; i++) await publish(channel, { i }, i % 3 === 0 ? 'fizz' : 'message');

    const p1 = await history(channel, '?pageSize=10');
    expect(p1.pagination).toEqual({ page: 1, pageSize: 10, total: 23, totalPages: 3 });
    expect(p1.items.map((m) => m.content.i)).toEqual(range(1, 10));
    expect(p1.items[0]).toMatchObject({ channel, eventType: 'message', clientId: 'server', seq: 1, id: expect.stringMatching(/^msg_/) });
    const p3 = await history(channel, '?pageSize=10&page=3');
    expect(p3.items.map((m) => m.content.i)).toEqual(range(21, 23));
    const p4 = await history(channel, '?pageSize=10&page=4');
    expect(p4.items).toEqual([]);

    const newest = await history(channel, '?pageSize=5&order=desc');
    expect(newest.items.map((m) => m.content.i)).toEqual([23, 22, 21, 20, 19]);

    const fizz = await history(channel, '?eventType=fizz');
    expect(fizz.pagination.total).toBe(7);
    expect(fizz.items.map((m) => m.content.i)).toEqual([3, 6, 9, 12, 15, 18, 21]);
  });

  it('filters by time with after and before (ms, exclusive)', async () => {
    const channel = freshChannel('hist');
    for (let i = 1; i <= 6; i++) await publish(channel, { i });
    const all = (await history(channel)).items;
    const t = all[2]!.timestamp;
    const after = await history(channel, `?after=${t}`);
    expect(after.items.every((m) => m.timestamp > t)).toBe(true);
    const before = await history(channel, `?before=${t}`);
    expect(before.items.every((m) => m.timestamp < t)).toBe(true);
    expect(after.pagination.total + before.pagination.total + all.filter((m) => m.timestamp === t).length).toBe(6);
  });

  it('keeps at most HISTORY_MAX_MESSAGES per channel', async () => {
    const channel = freshChannel('hist');
    const max = Number(e.HISTORY_MAX_MESSAGES);
    for (let i = 1; i <= max + 10; i++) await publish(channel, { i });
    const page = await history(channel, '?pageSize=100');
    expect(page.pagination.total).toBe(max);
    expect(page.items[0]!.content.i).toBe(11);
  });

  it('an empty or unknown channel has empty history', async () => {
    expect(await history(freshChannel('none'))).toMatchObject({ items: [], pagination: { total: 0, totalPages: 0 } });
  });
});

describe('retention by age', () => {
  it('hides and trims messages older than the TTL, and reports the oldest retained seq', async () => {
    const stub = e.CHANNEL.get(e.CHANNEL.idFromName(freshChannel('ttl')));
    await runInDurableObject(stub, (_instance, state) => {
      let now = 1_000_000;
      const store = new ChannelStore(state.storage.sql, { ttlMs: 60_000, maxMessages: 1000 }, () => now);
      for (let i = 1; i <= 10; i++) {
        store.append({ id: `m${i}`, eventType: 'message', clientId: 'server', data: `{"i":${i}}`, timestamp: now });
        now += 10_000;
      }
      // now = 1_100_000; cutoff = 1_040_000: messages stamped 1_040_000.. (i = 5..10) remain.
      expect(store.count()).toBe(6);
      expect(store.oldestRetained()).toBe(5);
      expect(store.page({ page: 1, pageSize: 100, order: 'asc' }).items.map((m) => m.seq)).toEqual(range(5, 10));
      store.trim();
      expect(state.storage.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM messages').one().n).toBe(6);
      now += 120_000;
      expect(store.oldestRetained()).toBe(11); // nothing retained: head + 1
      expect(store.head).toBe(10);
    });
  });
});
