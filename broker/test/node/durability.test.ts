/**
 * Crash safety: a broker killed with SIGKILL in the middle of a publish
 * stream has lost no message whose publish was answered with success, and
 * its subscribers resume from their last seq. Also: state survives restarts
 * in the same BROKER_STATE_DIR, and a new directory starts empty.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { HistoryMessage, HistoryPage, PublishResult } from '@pushflodev/sdk/protocol';
import { KEYS, openSocket, publish, range, seqs, startBroker, tempStateDir, type Broker } from './broker';

const cleanups: Array<() => Promise<void> | void> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function allHistory(broker: Broker, channel: string): Promise<HistoryMessage[]> {
  const out: HistoryMessage[] = [];
  for (let page = 1; ; page++) {
    const res = await fetch(`${broker.url}/api/v1/channels/${encodeURIComponent(channel)}/messages?page=${page}&pageSize=100`, {
      headers: { Authorization: `Bearer ${KEYS.sec}` },
    });
    const { data } = (await res.json()) as { data: HistoryPage };
    out.push(...data.items);
    if (page >= data.pagination.totalPages) return out;
  }
}

describe('durability', () => {
  it('loses no acknowledged message across SIGKILL, and subscribers resume from their last seq', async () => {
    const state = tempStateDir();
    cleanups.push(state.remove);
    const channel = 'crash:stream';
    let broker = await startBroker(state.dir);
    cleanups.push(() => broker.stop());

    const sub = await openSocket(broker);
    const subscribed = await sub.subscribe(channel);

    // 4 publishers stream until the broker dies under them.
    const acked: PublishResult[] = [];
    let failures = 0;
    let n = 0;
    const publisher = async () => {
      for (;;) {
        const i = n++;
        try {
          acked.push(await publish(broker, channel, { i }));
        } catch {
          failures++;
          return; // the broker is gone
        }
      }
    };
    const streams = Promise.all(range(1, 4).map(publisher));
    await sub.waitForMessages(150, channel);
    await broker.kill();
    await streams;
    expect(failures).toBe(4); // every publisher saw the crash mid-stream
    const lastSeen = sub.messages(channel).at(-1)!.seq!;
    // The subscriber saw 150; each of the 4 publishers may not have read its last answer yet.
    expect(acked.length).toBeGreaterThanOrEqual(150 - 4);

    broker = await startBroker(state.dir);
    const history = await allHistory(broker, channel);
    const stored = new Map(history.map((m) => [m.id, m.seq]));
    const missing = acked.filter((a) => stored.get(a.id) !== a.seq);
    expect(missing).toEqual([]);
    // History is contiguous from 1: no holes where the crash was.
    expect(seqs(history as never)).toEqual(range(1, history.length));

    // The subscriber resumes from the last seq it saw.
    const again = await openSocket(broker);
    const resumed = await again.subscribe(channel, { lastSeq: lastSeen, epoch: subscribed.epoch });
    expect(resumed).toMatchObject({ recovered: true, epoch: subscribed.epoch, seq: history.length });
    expect((await publish(broker, channel, { after: 'restart' })).seq).toBe(history.length + 1);
    const got = await again.waitForMessages(history.length - lastSeen + 1, channel);
    expect(seqs(got)).toEqual(range(lastSeen + 1, history.length + 1));
    again.close();
  });

  it('keeps history across a clean restart in the same state dir; a new dir starts empty', async () => {
    const state = tempStateDir();
    const other = tempStateDir();
    cleanups.push(state.remove, other.remove);
    const channel = 'restart:keep';
    let broker = await startBroker(state.dir);
    await publish(broker, channel, { v: 1 }, 'kept');
    await broker.stop();

    broker = await startBroker(state.dir);
    expect((await allHistory(broker, channel)).map((m) => m.content)).toEqual([{ v: 1 }]);
    await broker.stop();

    broker = await startBroker(other.dir);
    expect(await allHistory(broker, channel)).toEqual([]);
    await broker.stop();
  });
});
