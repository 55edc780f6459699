/**
 * The broker's core in memory (see harness.ts): replay, epochs, the live
 * buffer, slow consumers, failed deliveries, hibernation, presence.
 */
import { describe, expect, it } from 'vitest';
import { CloseCode } from '@pushflodev/sdk/protocol';
import { range, World } from './harness';

describe('replay', () => {
  it('resumes without a gap: every missed message once, in order, then live', async () => {
    const w = new World();
    const shard = w.shard('shard-0');
    const a = shard.connect('alice');
    const first = await shard.subscribe(a, 'room');
    expect(first.seq).toBe(0);
    w.publish('room', 5);
    await w.settle();
    expect(a.seqs('room')).toEqual(range(1, 5));
    await shard.disconnect(a);

    w.publish('room', 3);
    await w.settle();
    const b = shard.connect('alice');
    const resumed = await shard.subscribe(b, 'room', { lastSeq: 5, epoch: first.epoch });
    expect(resumed).toMatchObject({ recovered: true, replayed: 3, seq: 8 });
    w.publish('room', 1);
    await w.settle();
    expect(b.seqs('room')).toEqual(range(6, 9));
  });

  it('says recovered:false (retention) when history no longer reaches back, and sends no partial replay', async () => {
    const w = new World({}, { historyMaxMessages: 3 });
    const shard = w.shard('shard-0');
    const a = shard.connect('alice');
    const { epoch } = await shard.subscribe(a, 'room');
    await shard.disconnect(a);
    w.publish('room', 10);
    const b = shard.connect('alice');
    const resumed = await shard.subscribe(b, 'room', { lastSeq: 2, epoch });
    expect(resumed).toMatchObject({ recovered: false, reason: 'retention', seq: 10 });
    expect(b.messages()).toEqual([]);
  });

  it('says recovered:false (epoch) after the channel was reset, and (too_far_behind) past MAX_REPLAY', async () => {
    const w = new World({}, { maxReplay: 5 });
    const shard = w.shard('shard-0');
    const a = shard.connect('alice');
    const { epoch } = await shard.subscribe(a, 'room');
    await shard.disconnect(a);
    w.publish('room', 10);

    const far = shard.connect('alice');
    expect(await shard.subscribe(far, 'room', { lastSeq: 2, epoch })).toMatchObject({ recovered: false, reason: 'too_far_behind' });
    const near = shard.connect('alice');
    expect(await shard.subscribe(near, 'room', { lastSeq: 6, epoch })).toMatchObject({ recovered: true, replayed: 4 });
    expect(near.seqs('room')).toEqual(range(7, 10));

    w.channel('room').reset();
    const stale = shard.connect('alice');
    const after = await shard.subscribe(stale, 'room', { lastSeq: 10, epoch });
    expect(after).toMatchObject({ recovered: false, reason: 'epoch', seq: 0 });
    expect(after.epoch).not.toBe(epoch);
  });

  it('buffers live frames while a join is in flight: subscribed, replay, then the buffer, each seq once', async () => {
    const w = new World();
    const shard = w.shard('shard-0');
    const a = shard.connect('alice');
    const { epoch } = await shard.subscribe(a, 'room');
    w.publish('room', 3);
    await w.settle();
    await shard.disconnect(a);
    w.publish('room', 2); // 4, 5 missed

    let release!: () => void;
    shard.joinGate = new Promise<void>((resolve) => (release = resolve));
    const b = shard.connect('alice');
    const subscribing = shard.hub.onFrame(b, JSON.stringify({ type: 'subscribe', channel: 'room', lastSeq: 3, epoch }));
    await w.settle(); // the channel has registered the shard and answered; the answer is held
    w.publish('room', 3); // 6, 7, 8 reach the shard before the join answer
    await w.settle();
    expect(b.sent).toEqual([]); // nothing before `subscribed`
    release();
    shard.joinGate = null;
    await subscribing;
    await w.settle();
    const frames = b.frames();
    expect(frames[0]).toMatchObject({ type: 'subscribed', seq: 5, recovered: true, replayed: 2 });
    expect(b.seqs('room')).toEqual(range(4, 8));
  });
});

describe('failure paths', () => {
  it('closes a socket that stops reading at its cap (4002); a reading one on the channel gets everything', async () => {
    const w = new World({ slowConsumerBytes: 8_192 });
    const shard = w.shard('shard-0');
    const stalled = shard.connect('stalled');
    const healthy = shard.connect('healthy');
    await shard.subscribe(stalled, 'feed');
    await shard.subscribe(healthy, 'feed');
    const payload = { text: 'x'.repeat(900) };
    for (let i = 0; i < 40; i++) {
      w.publish('feed', 1, payload);
      await w.settle();
      await shard.send(healthy, { type: 'ping' }); // the healthy client shows it reads
    }
    expect(stalled.closed?.code).toBe(CloseCode.SLOW_CONSUMER);
    const got = stalled.seqs('feed').length;
    expect(got).toBeGreaterThan(0);
    expect(got).toBeLessThan(40);
    expect(stalled.sent.join('').length).toBeLessThanOrEqual(8_192);
    expect(healthy.closed).toBeNull();
    expect(healthy.seqs('feed')).toEqual(range(1, 40));
    // Its subscription ended: the channel counts only the healthy subscriber.
    expect(shard.hub.subscriberCount('feed')).toBe(1);
    expect(w.channel('feed').subscriberCount()).toBe(1);
  });

  it('drops a shard from the fan-out after 3 failed deliveries; the other shard keeps getting everything', async () => {
    const w = new World();
    const s0 = w.shard('shard-0');
    const s1 = w.shard('shard-1');
    await s0.subscribe(s0.connect('alice'), 'room');
    const bob = s1.connect('bob');
    await s1.subscribe(bob, 'room');
    expect(w.channel('room').stats(null).shards).toBe(2);

    s0.failDeliveries = Infinity;
    s0.deliveryAttempts = 0;
    w.publish('room', 1);
    await w.settle();
    expect(s0.deliveryAttempts).toBe(3);
    expect(w.channel('room').stats(null)).toMatchObject({ shards: 1, subscribers: 1 });

    w.publish('room', 2);
    await w.settle();
    expect(s0.deliveryAttempts).toBe(3); // no longer tried
    expect(bob.seqs('room')).toEqual(range(1, 3));
  });

  it('a delivery that fails twice and then succeeds loses nothing and duplicates nothing', async () => {
    const w = new World();
    const shard = w.shard('shard-0');
    const a = shard.connect('alice');
    await shard.subscribe(a, 'room');
    shard.failDeliveries = 2;
    w.publish('room', 4);
    await w.settle();
    expect(a.seqs('room')).toEqual(range(1, 4));
    expect(w.channel('room').stats(null).shards).toBe(1);
  });
});

describe('hibernation', () => {
  it("restores subscriptions and each channel's last seq: a retried delivery re-sends nothing a socket had", async () => {
    const w = new World();
    const shard = w.shard('shard-0');
    const a = shard.connect('alice');
    await shard.subscribe(a, 'room');
    w.publish('room', 3);
    await w.settle();
    expect(a.seqs('room')).toEqual([1, 2, 3]);

    await shard.hibernate();
    expect(shard.hub.subscriberCount('room')).toBe(1);
    // The channel retries a batch the shard had already delivered (its answer was lost), then sends a new message.
    const retry = [2, 3].map((seq) => ({ seq, frame: a.sent.find((t) => (JSON.parse(t) as { seq?: number }).seq === seq)! }));
    expect(retry.every((e) => e.frame !== undefined)).toBe(true);
    expect(await shard.deliver('room', retry)).toBe(1);
    expect(a.seqs('room')).toEqual([1, 2, 3]);
    w.publish('room', 1);
    await w.settle();
    expect(a.seqs('room')).toEqual([1, 2, 3, 4]);
  });

  it('ends the subscriptions of sockets that closed while the shard slept', async () => {
    const w = new World();
    const shard = w.shard('shard-0');
    const a = shard.connect('alice');
    const b = shard.connect('bob');
    await shard.subscribe(a, 'room');
    await shard.subscribe(b, 'room');
    b.close(1001, 'gone');
    await shard.hibernate();
    expect(shard.hub.subscriberCount('room')).toBe(1);
    expect(w.channel('room').subscriberCount()).toBe(1);
  });
});

describe('presence', () => {
  const cap = { 'presence-room': ['subscribe', 'presence'] as const };

  it('a client with several tabs joins once and leaves when its last tab does', async () => {
    const w = new World();
    const s0 = w.shard('shard-0');
    const s1 = w.shard('shard-1');
    const observer = s1.connect('bob', { cap: { 'presence-room': ['subscribe', 'presence'] } });
    await s1.subscribe(observer, 'presence-room');
    const presence = () => observer.ofType('presence').filter((p) => p.action !== 'sync');

    const tab1 = s0.connect('alice', { cap: { 'presence-room': [...cap['presence-room']] }, info: { name: 'Alice' } });
    const tab2 = s1.connect('alice', { cap: { 'presence-room': ['subscribe', 'presence'] }, info: { name: 'Alice' } });
    w.clock.advance(1_000); // members are listed in order of arrival
    await s0.subscribe(tab1, 'presence-room');
    const sync = tab1.ofType('presence').find((p) => p.action === 'sync');
    expect(sync).toMatchObject({ members: [{ clientId: 'bob' }, { clientId: 'alice', data: { name: 'Alice' } }] });
    await s1.subscribe(tab2, 'presence-room');
    expect(presence()).toEqual([
      { type: 'presence', channel: 'presence-room', action: 'join', member: { clientId: 'alice', data: { name: 'Alice' } } },
    ]);

    await s0.disconnect(tab1);
    // Sentinel: a message after the close; once it arrived, a leave would have too.
    w.publish('presence-room', 1);
    await w.settle();
    expect(observer.seqs('presence-room')).toEqual([1]);
    expect(presence().map((p) => p.action)).toEqual(['join']);
    expect(
      w
        .channel('presence-room')
        .members()
        .map((m) => m.clientId),
    ).toEqual(['bob', 'alice']);

    await s1.disconnect(tab2);
    expect(presence().map((p) => p.action)).toEqual(['join', 'leave']);
    expect(
      w
        .channel('presence-room')
        .members()
        .map((m) => m.clientId),
    ).toEqual(['bob']);
  });

  it('members held by a shard that stops answering leave with it', async () => {
    const w = new World();
    const s0 = w.shard('shard-0');
    const s1 = w.shard('shard-1');
    const observer = s1.connect('bob', { cap: { 'presence-room': ['subscribe', 'presence'] } });
    await s1.subscribe(observer, 'presence-room');
    await s0.subscribe(s0.connect('alice', { cap: { 'presence-room': ['subscribe', 'presence'] } }), 'presence-room');
    s0.failDeliveries = Infinity;
    w.publish('presence-room', 1);
    await w.settle();
    expect(
      w
        .channel('presence-room')
        .members()
        .map((m) => m.clientId),
    ).toEqual(['bob']);
    expect(observer.ofType('presence').filter((p) => p.action === 'leave')).toMatchObject([{ member: { clientId: 'alice' } }]);
  });
});
