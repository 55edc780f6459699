import { beforeEach, describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import type { GapInfo, Message } from '../../src/types.js';
import { clock, connected, FakeWebSocket, makeClient, messageFrame, resetFakes } from './fakes.js';

const message = messageFrame;

beforeEach(resetFakes);

describe('subscribe from a known position (since)', () => {
  it('the first subscribe frame carries lastSeq and epoch, and replayed messages reach the app in order', async () => {
    const client = await connected();
    const got: number[] = [];
    client.subscribe('game:match-1', { since: { seq: 4, epoch: 'e1' }, onMessage: (m) => got.push(m.seq!) });
    const ws = FakeWebSocket.last;
    expect(ws.framesOf('subscribe')).toEqual([{ type: 'subscribe', channel: 'game:match-1', lastSeq: 4, epoch: 'e1' }]);
    ws.receive({ type: 'subscribed', channel: 'game:match-1', seq: 6, epoch: 'e1', recovered: true, replayed: 2 });
    for (const seq of [4, 5, 6, 7]) ws.receive(message('game:match-1', seq)); // 4 is already in the snapshot
    expect(got).toEqual([5, 6, 7]);
    expect(client.lastSeq('game:match-1')).toBe(7);
  });

  it('works before connect, without an epoch, and even with replayOnReconnect off', async () => {
    const client = makeClient({ replayOnReconnect: false });
    client.subscribe('c', { since: { seq: 0 } });
    const done = client.connect();
    FakeWebSocket.last.accept();
    await done;
    expect(FakeWebSocket.last.framesOf('subscribe')).toEqual([{ type: 'subscribe', channel: 'c', lastSeq: 0 }]);
    // After the first confirmation, replayOnReconnect: false resubscribes plainly again.
    FakeWebSocket.last.receive({ type: 'subscribed', channel: 'c', seq: 3, recovered: true, replayed: 3 });
    FakeWebSocket.last.drop();
    clock.advance(1000);
    FakeWebSocket.last.accept();
    expect(FakeWebSocket.last.framesOf('subscribe')).toEqual([{ type: 'subscribe', channel: 'c' }]);
  });

  it('a position history cannot cover fires onGap and continues from the head', async () => {
    const client = await connected();
    const gaps: GapInfo[] = [];
    const got: Message[] = [];
    client.subscribe('c', { since: { seq: 2, epoch: 'old' }, onGap: (g) => gaps.push(g), onMessage: (m) => got.push(m) });
    const ws = FakeWebSocket.last;
    ws.receive({ type: 'subscribed', channel: 'c', seq: 9, epoch: 'new', recovered: false, reason: 'epoch' });
    expect(gaps).toEqual([{ channel: 'c', reason: 'epoch', seq: 9 }]);
    ws.receive(message('c', 10));
    expect(got.map((m) => m.seq)).toEqual([10]);
  });

  it('a second subscription to an open channel shares its position (since is ignored)', async () => {
    const client = await connected();
    client.subscribe('c');
    const ws = FakeWebSocket.last;
    ws.receive({ type: 'subscribed', channel: 'c', seq: 5, epoch: 'e' });
    client.subscribe('c', { since: { seq: 1 } });
    expect(ws.framesOf('subscribe')).toEqual([{ type: 'subscribe', channel: 'c' }]);
    expect(client.lastSeq('c')).toBe(5);
  });

  it('refuses a bad position before sending anything', async () => {
    const client = await connected();
    expect(() => client.subscribe('c', { since: { seq: -1 } })).toThrow(ValidationError);
    expect(() => client.subscribe('c', { since: { seq: 1.5 } })).toThrow(/since.seq/);
    expect(FakeWebSocket.last.framesOf('subscribe')).toEqual([]);
  });
});
