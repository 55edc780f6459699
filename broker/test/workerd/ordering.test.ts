import { describe, expect, it } from 'vitest';
import { connected, freshChannel, publish, range, seqs } from './helpers';

describe('ordering', () => {
  it('3 subscribers each receive 500 concurrently published messages in order, seq contiguous', async () => {
    const channel = freshChannel('order');
    const subs = await Promise.all([connected(), connected(), connected()]);
    for (const s of subs) await s.subscribe(channel);

    // 5 publishers, 100 messages each, all in flight at once.
    const results = await Promise.all(range(0, 4).flatMap((p) => range(0, 99).map((i) => publish(channel, { publisher: p, i }))));
    // Every publish got a distinct seq, 1..500.
    expect(results.map((r) => r.seq).sort((a, b) => a - b)).toEqual(range(1, 500));

    const bySeq = new Map(results.map((r) => [r.seq, r.id]));
    for (const s of subs) {
      const got = await s.waitForMessages(500, channel);
      expect(seqs(got)).toEqual(range(1, 500));
      // The frame with seq n is the message whose publish answered seq n.
      expect(got.every((m) => bySeq.get(m.seq!) === m.messageId)).toBe(true);
      // Each publisher's messages arrive in increasing seq order.
      for (let p = 0; p < 5; p++) {
        const mine = got.filter((m) => m.data.publisher === p).map((m) => m.seq!);
        expect(mine).toEqual([...mine].sort((a, b) => a - b));
      }
      s.close();
    }
  });

  it('a sequential publisher sees its messages delivered in publish order', async () => {
    const channel = freshChannel('order');
    const sub = await connected();
    await sub.subscribe(channel);
    for (let i = 0; i < 50; i++) await publish(channel, { i });
    const got = await sub.waitForMessages(50, channel);
    expect(got.map((m) => m.data.i)).toEqual(range(0, 49));
    sub.close();
  });

  it('one socket multiplexes channels, each in its own order', async () => {
    const a = freshChannel('mux');
    const b = freshChannel('mux');
    const sub = await connected();
    await sub.subscribe(a);
    await sub.subscribe(b);
    await Promise.all(range(1, 20).flatMap((i) => [publish(a, { i }), publish(b, { i })]));
    expect(seqs(await sub.waitForMessages(20, a))).toEqual(range(1, 20));
    expect(seqs(await sub.waitForMessages(20, b))).toEqual(range(1, 20));
    sub.close();
  });
});
