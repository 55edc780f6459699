import { describe, expect, inject, it } from 'vitest';
import { PushFloClient, type GapInfo, type Message } from '../../src/index.js';
import { PushFloServer } from '../../src/server.js';
import { cleanupAfterEach, PUB, SEC, waitFor } from './support.js';

const baseUrl = inject('brokerUrl');
const server = new PushFloServer({ secretKey: SEC, baseUrl });
const cleanups = cleanupAfterEach();
const channel = (prefix: string) => `${prefix}:since-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;

function client() {
  const c = new PushFloClient({ publishKey: PUB, baseUrl });
  cleanups.push(() => c.destroy());
  return c;
}

describe('subscribe since a snapshot position, against the real broker', () => {
  it('a snapshot stamped with seq, then exactly the messages after it, then live ones', async () => {
    const name = channel('game');
    const published = [];
    for (let i = 1; i <= 5; i++) published.push(await server.publish(name, { i }, { eventType: 'score-updated' }));
    // The "snapshot" reflects messages 1..3; 4 and 5 happened after it was taken.
    const snapshotSeq = published[2]!.seq!;
    const c = client();
    await c.connect();
    const got: Message[] = [];
    await new Promise<void>((resolve, reject) =>
      c.subscribe(name, { since: { seq: snapshotSeq }, onMessage: (m) => got.push(m), onSubscribed: resolve, onError: reject }),
    );
    const live = await server.publish(name, { i: 6 }, { eventType: 'score-updated' });
    await waitFor(() => got.length >= 3, 'replayed and live messages');
    expect(got.map((m) => m.seq)).toEqual([4, 5, 6]);
    expect(got.map((m) => m.id)).toEqual([published[3]!.id, published[4]!.id, live.id]);
  });

  it('from seq 0 replays the whole history', async () => {
    const name = channel('game');
    await server.publish(name, { i: 1 });
    await server.publish(name, { i: 2 });
    const c = client();
    const got: number[] = [];
    c.subscribe(name, { since: { seq: 0 }, onMessage: (m) => got.push(m.seq!) });
    await c.connect();
    await waitFor(() => got.length >= 2, 'the history');
    expect(got).toEqual([1, 2]);
  });

  it('a position from another epoch signals a gap', async () => {
    const name = channel('game');
    await server.publish(name, { i: 1 });
    const c = client();
    await c.connect();
    const gaps: GapInfo[] = [];
    c.subscribe(name, { since: { seq: 1, epoch: 'not-this-one' }, onGap: (g) => gaps.push(g) });
    await waitFor(() => gaps.length === 1, 'the gap');
    expect(gaps[0]).toEqual({ channel: name, reason: 'epoch', seq: 1 });
  });
});
