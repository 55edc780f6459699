/** One channel's subscription on its own: seq, epoch, gaps, dedupe, presence. */
import { describe, expect, it } from 'vitest';
import type { IncomingMessage } from '../../src/client/server-frames.js';
import { ChannelSubscription, RECENT_IDS, type ChannelHost } from '../../src/client/subscription.js';
import type { ClientFrame } from '../../src/protocol/index.js';
import type { GapInfo, Message, PresenceEvent, SubscribeSince } from '../../src/types.js';

/** A subscription whose host records what it sent and emitted. */
function setup(since?: SubscribeSince) {
  const sent: ClientFrame[] = [];
  const delivered: Message[] = [];
  const gaps: GapInfo[] = [];
  const presence: PresenceEvent[] = [];
  const host: ChannelHost = {
    send: (f) => {
      sent.push(f);
      return true;
    },
    now: () => 42,
    log: () => undefined,
    message: (m) => delivered.push(m),
    gap: (g) => gaps.push(g),
    presence: (_channel, _members, event) => presence.push(event),
  };
  const sub = new ChannelSubscription('c', host, since);
  return { sub, sent, delivered, gaps, presence, seqs: () => delivered.map((m) => m.seq) };
}

const message = (seq: number | undefined, id = `m${seq}`): IncomingMessage => {
  const m: IncomingMessage = { type: 'message', channel: 'c', messageId: id };
  if (seq !== undefined) m.seq = seq;
  return m;
};

describe('ChannelSubscription: seq and epoch', () => {
  it('starts at the head the broker names, then delivers each next seq once', () => {
    const { sub, seqs } = setup();
    sub.onSubscribed({ type: 'subscribed', channel: 'c', seq: 10, epoch: 'e1' });
    expect([sub.lastSeq, sub.epoch, sub.confirmed]).toEqual([10, 'e1', true]);
    for (const seq of [11, 11, 10, 12, 3, 13]) sub.onMessage(message(seq));
    expect(seqs()).toEqual([11, 12, 13]);
    expect(sub.lastSeq).toBe(13);
  });

  it('fills in the defaults of a base-protocol message', () => {
    const { sub, delivered } = setup();
    sub.onMessage(message(undefined, 'x'));
    expect(delivered).toEqual([{ id: 'x', channel: 'c', eventType: 'message', clientId: '', content: {}, timestamp: 42 }]);
  });

  it('a jump asks once for the missing messages (with seq and epoch) and delivers nothing out of order', () => {
    const { sub, sent, seqs } = setup();
    sub.onSubscribed({ type: 'subscribed', channel: 'c', seq: 0, epoch: 'e1' });
    sub.onMessage(message(1));
    sub.onMessage(message(3));
    sub.onMessage(message(4));
    expect(sent).toEqual([{ type: 'subscribe', channel: 'c', lastSeq: 1, epoch: 'e1' }]); // one resync, not one per message
    sub.onSubscribed({ type: 'subscribed', channel: 'c', seq: 4, epoch: 'e1', recovered: true, replayed: 3 });
    for (const seq of [2, 3, 4]) sub.onMessage(message(seq));
    expect(seqs()).toEqual([1, 2, 3, 4]);
    // Resynced: a later jump asks again.
    sub.onMessage(message(6));
    expect(sent).toHaveLength(2);
  });

  it('a gap the broker cannot cover continues from its head and tells listener and client once', () => {
    const { sub, gaps, seqs } = setup();
    const heard: GapInfo[] = [];
    sub.listeners.add({ onGap: (g) => heard.push(g) });
    sub.onSubscribed({ type: 'subscribed', channel: 'c', seq: 5, epoch: 'e1' });
    sub.onSubscribed({ type: 'subscribed', channel: 'c', seq: 900, epoch: 'e2', recovered: false, reason: 'epoch' });
    expect(heard).toEqual([{ channel: 'c', reason: 'epoch', seq: 900 }]);
    expect(gaps).toEqual(heard);
    expect([sub.lastSeq, sub.epoch]).toEqual([900, 'e2']);
    sub.onMessage(message(901));
    expect(seqs()).toEqual([901]);
  });

  it('resumes from the last seq only when asked (replay on reconnect), or from `since` the first time', () => {
    const plain = setup();
    plain.sub.onSubscribed({ type: 'subscribed', channel: 'c', seq: 7, epoch: 'e' });
    plain.sub.sendSubscribe(false);
    plain.sub.sendSubscribe(true);
    expect(plain.sent).toEqual([
      { type: 'subscribe', channel: 'c' },
      { type: 'subscribe', channel: 'c', lastSeq: 7, epoch: 'e' },
    ]);

    const since = setup({ seq: 3 });
    since.sub.sendSubscribe(false);
    since.sub.onSubscribed({ type: 'subscribed', channel: 'c', seq: 5, recovered: true, replayed: 2 });
    since.sub.sendSubscribe(false);
    expect(since.sent).toEqual([
      { type: 'subscribe', channel: 'c', lastSeq: 3 },
      { type: 'subscribe', channel: 'c' },
    ]);
  });

  it('reset() (connection lost) makes it unconfirmed and lets a new gap resync', () => {
    const { sub, sent } = setup();
    sub.onSubscribed({ type: 'subscribed', channel: 'c', seq: 0, epoch: 'e' });
    sub.onMessage(message(2)); // gap: resync in flight
    sub.reset();
    expect(sub.confirmed).toBe(false);
    sub.onMessage(message(2));
    expect(sent).toHaveLength(2);
  });

  it('without seqs, dedupes by id over the last RECENT_IDS ids', () => {
    const { sub, delivered } = setup();
    for (let i = 0; i <= RECENT_IDS; i++) sub.onMessage(message(undefined, `id${i}`));
    sub.onMessage(message(undefined, `id${RECENT_IDS}`)); // still remembered
    sub.onMessage(message(undefined, 'id0')); // forgotten: the window moved on
    expect(delivered).toHaveLength(RECENT_IDS + 2);
    expect(delivered.at(-1)!.id).toBe('id0');
  });
});

describe('ChannelSubscription: presence', () => {
  it('tracks sync, join and leave once per client id', () => {
    const { sub, presence } = setup();
    sub.onPresence({ type: 'presence', channel: 'c', action: 'sync', members: [{ clientId: 'a', data: null }] });
    sub.onPresence({ type: 'presence', channel: 'c', action: 'join', member: { clientId: 'b', data: { name: 'B' } } });
    sub.onPresence({ type: 'presence', channel: 'c', action: 'join', member: { clientId: 'b', data: { name: 'B' } } });
    sub.onPresence({ type: 'presence', channel: 'c', action: 'leave', member: { clientId: 'a', data: null } });
    sub.onPresence({ type: 'presence', channel: 'c', action: 'leave', member: { clientId: 'a', data: null } });
    expect(presence.map((e) => e.action)).toEqual(['sync', 'join', 'leave']);
    expect(sub.presence()).toEqual([{ clientId: 'b', data: { name: 'B' } }]);
  });

  it('a second listener on a confirmed channel hears onSubscribed (asynchronously), unless it left first', async () => {
    const { sub } = setup();
    sub.onSubscribed({ type: 'subscribed', channel: 'c', seq: 0 });
    const heard: string[] = [];
    const stays = { onSubscribed: () => heard.push('stays') };
    const leaves = { onSubscribed: () => heard.push('leaves') };
    sub.addListener(stays);
    sub.addListener(leaves);
    sub.listeners.delete(leaves);
    expect(heard).toEqual([]);
    await Promise.resolve();
    expect(heard).toEqual(['stays']);
  });
});
