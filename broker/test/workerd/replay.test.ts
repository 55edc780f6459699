import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { Env } from '../../src/env';
import { api, connected, freshChannel, KEYS, publish, range, seqs } from './helpers';

const HISTORY_MAX = Number((env as unknown as Env).HISTORY_MAX_MESSAGES);
const MAX_REPLAY = Number((env as unknown as Env).MAX_REPLAY);

describe('replay on reconnect', () => {
  it('a subscriber that loses its socket during a burst gets every missed message once, in order', async () => {
    const channel = freshChannel('replay');
    const first = await connected();
    const sub = await first.subscribe(channel);
    for (let i = 1; i <= 5; i++) await publish(channel, { i });
    const seen = await first.waitForMessages(5, channel);
    const lastSeq = seen.at(-1)!.seq;
    first.close();

    // A burst while the socket is gone (kept within the test retention of HISTORY_MAX).
    const burst = Math.min(25, MAX_REPLAY);
    await Promise.all(range(1, burst).map((i) => publish(channel, { burst: i })));

    const again = await connected();
    const resumed = await again.subscribe(channel, { lastSeq, epoch: sub.epoch });
    expect(resumed).toMatchObject({ recovered: true, replayed: burst, seq: 5 + burst, epoch: sub.epoch });
    await publish(channel, { after: true });
    const got = await again.waitForMessages(burst + 1, channel);
    expect(seqs(got)).toEqual(range(6, 6 + burst));
    again.close();
  });

  it('messages published while the resubscribe is in flight are neither lost nor duplicated', async () => {
    const channel = freshChannel('replay');
    const first = await connected();
    const sub = await first.subscribe(channel);
    await publish(channel, { i: 0 });
    await first.waitForMessages(1, channel);
    first.close();
    await Promise.all(range(1, 10).map((i) => publish(channel, { i })));

    const again = await connected();
    again.send({ type: 'subscribe', channel, lastSeq: 1, epoch: sub.epoch });
    // Publish concurrently with the join/replay.
    const live = Promise.all(range(11, 25).map((i) => publish(channel, { i })));
    await live;
    const got = await again.waitForMessages(24, channel);
    // Exactly the missed 2..10 and live 11..25, once each, in order (a duplicate would show here).
    expect(seqs(got)).toEqual(range(2, 25));
    await publish(channel, { i: 'last' });
    const all = await again.waitForMessages(25, channel);
    expect(seqs(all)).toEqual(range(2, 26));
    again.close();
  });

  it('resuming at the head replays nothing and says recovered', async () => {
    const channel = freshChannel('replay');
    const s = await connected();
    const sub = await s.subscribe(channel);
    await publish(channel, { i: 1 });
    await s.waitForMessages(1, channel);
    s.close();
    const again = await connected();
    expect(await again.subscribe(channel, { lastSeq: 1, epoch: sub.epoch })).toMatchObject({ recovered: true, replayed: 0, seq: 1 });
    again.close();
  });

  it('says recovered:false (retention) when history no longer covers the gap', async () => {
    const channel = freshChannel('gap');
    const s = await connected();
    const sub = await s.subscribe(channel);
    s.close();
    // More than the channel keeps: seq 1 is trimmed, so a resume from 0 can't be complete.
    for (let i = 0; i < HISTORY_MAX + 70; i++) await publish(channel, { i });
    const again = await connected();
    const resumed = await again.subscribe(channel, { lastSeq: 0, epoch: sub.epoch });
    expect(resumed).toMatchObject({ recovered: false, reason: 'retention', replayed: 0, seq: HISTORY_MAX + 70 });
    // And it carries on live from the head.
    await publish(channel, { live: true });
    const [m] = await again.waitForMessages(1, channel);
    expect(m!.seq).toBe(HISTORY_MAX + 71);
    again.close();
  });

  it('says recovered:false (too_far_behind) when the gap is larger than one replay may carry', async () => {
    const channel = freshChannel('far');
    const s = await connected();
    const sub = await s.subscribe(channel);
    s.close();
    await Promise.all(range(1, MAX_REPLAY + 5).map((i) => publish(channel, { i })));
    const again = await connected();
    expect(await again.subscribe(channel, { lastSeq: 0, epoch: sub.epoch })).toMatchObject({ recovered: false, reason: 'too_far_behind' });
    again.close();
  });

  it('says recovered:false (epoch) after the channel history was reset', async () => {
    const channel = freshChannel('reset');
    const s = await connected();
    const sub = await s.subscribe(channel);
    await publish(channel, { i: 1 });
    await s.waitForMessages(1, channel);
    s.close();
    expect((await api('DELETE', `/channels/${encodeURIComponent(channel)}`, undefined, KEYS.mgmt)).status).toBe(200);
    await publish(channel, { i: 'new' });
    const again = await connected();
    const resumed = await again.subscribe(channel, { lastSeq: 1, epoch: sub.epoch });
    expect(resumed).toMatchObject({ recovered: false, reason: 'epoch', seq: 1 });
    expect(resumed.epoch).not.toBe(sub.epoch);
    again.close();
  });

  it('a subscribe without lastSeq starts at the head and gets no history', async () => {
    const channel = freshChannel('fresh');
    await publish(channel, { old: true });
    const s = await connected();
    const sub = await s.subscribe(channel);
    expect(sub).toMatchObject({ seq: 1 });
    expect(sub.recovered).toBeUndefined();
    await publish(channel, { new: true });
    const got = await s.waitForMessages(1, channel);
    expect(got.map((m) => m.data)).toEqual([{ new: true }]);
    s.close();
  });
});
