/**
 * Slow consumers and coalescing against the real broker (the deploy bundle on
 * workerd). A raw TCP client subscribes and stops reading while ~40 MB is
 * published to its channel: the broker closes it with 4002 after handing it
 * at most its cap (SLOW_CONSUMER_BYTES, default 2 MiB), does not grow by the
 * 40 MB, and a healthy subscriber on the same channel gets every message in
 * order. Coalescing: one message, several frames, for sockets that asked.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { MessageFrame, SubscribedFrame } from '@pushflodev/sdk/protocol';
import { KEYS, openSocket, publish, range, seqs, startBroker, tempStateDir, workerdRss, type Broker } from './broker';
import { RawSocket } from './raw-socket';

const cleanups: Array<() => Promise<void> | void> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

/** The default SLOW_CONSUMER_BYTES. */
const CAP = 2 * 1024 * 1024;

async function fresh(vars: Record<string, string> = {}): Promise<Broker> {
  const state = tempStateDir();
  cleanups.push(state.remove);
  const broker = await startBroker(state.dir, { PUBLISH_RATE_PER_SECOND: '1000000', ...vars });
  cleanups.push(() => broker.stop());
  return broker;
}

async function historyCount(broker: Broker, channel: string): Promise<number> {
  const res = await fetch(`${broker.url}/api/v1/channels/${encodeURIComponent(channel)}/messages?pageSize=1`, {
    headers: { Authorization: `Bearer ${KEYS.sec}` },
  });
  // History answers `{success, data: {items, pagination}}` (the public SDK reads `data.items`).
  return ((await res.json()) as { data: { pagination: { total: number } } }).data.pagination.total;
}

describe('slow consumers', () => {
  /** Publishes ~40 MB to `channel` on a fresh broker with a healthy subscriber (and maybe a stalled one); returns the broker's growth. */
  async function firehose(withStalled: boolean) {
    const broker = await fresh();
    const channel = 'slow:firehose';
    // Healthy: reads everything, and acks as it goes (any frame shows the broker it is reading).
    const healthy = await openSocket(broker);
    await healthy.subscribe(channel);
    let seen = 0;
    (healthy.ws as unknown as WebSocket).addEventListener('message', () => {
      if (++seen % 12 === 0) healthy.ws.send(JSON.stringify({ type: 'ack', messageId: `m${seen}` }));
    });
    // Stalled: subscribes, then never reads.
    let stalled: RawSocket | null = null;
    let epoch = '';
    if (withStalled) {
      const raw = await RawSocket.open(broker.url, `/ws?token=${KEYS.pub}`);
      stalled = raw;
      cleanups.push(() => raw.destroy());
      await raw.until(() => raw.texts().some((t) => t.includes('"connected"')), 'connected');
      raw.send(JSON.stringify({ type: 'subscribe', channel }));
      await raw.until(() => raw.texts().some((t) => t.includes('"subscribed"')), 'subscribed');
      epoch = (JSON.parse(raw.texts().find((t) => t.includes('"subscribed"'))!) as SubscribedFrame).epoch;
      raw.pause();
    }
    const rssBefore = workerdRss(broker);
    let next = 1;
    await Promise.all(
      range(1, 8).map(async () => {
        while (next <= TOTAL) await publish(broker, channel, { n: next++, pad: PAD });
      }),
    );
    const got = await healthy.waitForMessages(TOTAL, channel, 120_000);
    expect(seqs(got)).toEqual(range(1, TOTAL));
    expect(healthy.closed).toBeNull();
    const grewMiB = (workerdRss(broker) - rssBefore) / 2 ** 20;
    healthy.close();
    return { broker, channel, stalled, epoch, grewMiB };
  }
  const TOTAL = 1300;
  const PAD = 'x'.repeat(30 * 1024); // 1,300 × 30 KB ≈ 40 MB

  it('closes a subscriber that stops reading at its cap (4002); a healthy one on the channel gets everything', async () => {
    const control = await firehose(false);
    await control.broker.stop();
    const { broker, channel, stalled, epoch, grewMiB } = await firehose(true);

    // The stalled client now reads what it was handed: at most the cap (plus one frame), then the close.
    stalled!.resume();
    await stalled!.until(() => stalled!.closeCode !== null, 'the close frame');
    expect(stalled!.closeCode).toBe(4002);
    const messages = stalled!.texts().filter((t) => t.includes('"type":"message"'));
    const handed = messages.reduce((n, t) => n + t.length, 0);
    expect(handed).toBeLessThanOrEqual(CAP + PAD.length + 1024);
    expect(messages.length).toBeLessThan(TOTAL);
    // 40 MB went through the broker; the stalled socket cost at most about its cap (without the cap: ~+36 MiB).
    expect(grewMiB).toBeLessThan(control.grewMiB + 20);
    console.log(
      `stalled subscriber: handed ${(handed / 2 ** 20).toFixed(2)} MiB of ${((TOTAL * PAD.length) / 2 ** 20).toFixed(0)} MiB, then closed 4002; ` +
        `broker grew ${grewMiB.toFixed(1)} MiB (${control.grewMiB.toFixed(1)} MiB without the stalled subscriber)`,
    );

    // It resumes from history: nothing is lost. (This far behind, it is told so and refetches.)
    const lastSeq = (JSON.parse(messages.at(-1) ?? '{"seq":0}') as MessageFrame).seq ?? 0;
    const again = await openSocket(broker);
    const resumed = await again.subscribe(channel, { lastSeq, epoch });
    expect(resumed.seq).toBe(TOTAL);
    expect(resumed).toMatchObject({ recovered: false, reason: 'too_far_behind' });
    expect(await historyCount(broker, channel)).toBe(TOTAL);
    again.close();
  });

  it('a socket closed as a slow consumer resumes with an exact replay when the gap fits', async () => {
    // 128 KiB cap: the 8th 16 KB message crosses it; replays up to 64 KiB are allowed.
    const broker = await fresh({ SLOW_CONSUMER_BYTES: String(128 * 1024) });
    const channel = 'slow:small';
    const stalled = await RawSocket.open(broker.url, `/ws?token=${KEYS.pub}`);
    cleanups.push(() => stalled.destroy());
    await stalled.until(() => stalled.texts().some((t) => t.includes('"connected"')), 'connected');
    stalled.send(JSON.stringify({ type: 'subscribe', channel }));
    await stalled.until(() => stalled.texts().some((t) => t.includes('"subscribed"')), 'subscribed');
    const { epoch } = JSON.parse(stalled.texts().find((t) => t.includes('"subscribed"'))!) as SubscribedFrame;
    stalled.pause();
    const pad = 'y'.repeat(16 * 1024);
    for (let n = 1; n <= 10; n++) await publish(broker, channel, { n, pad });
    stalled.resume();
    await stalled.until(() => stalled.closeCode !== null, 'the close frame');
    expect(stalled.closeCode).toBe(4002);
    const seen = stalled
      .texts()
      .filter((t) => t.includes('"type":"message"'))
      .map((t) => (JSON.parse(t) as MessageFrame).seq!);
    expect(seen).toEqual(range(1, 7));
    // Resuming from the last seq it saw replays exactly the rest, then live messages follow.
    const again = await openSocket(broker);
    const resumed = await again.subscribe(channel, { lastSeq: 7, epoch });
    expect(resumed).toMatchObject({ recovered: true, replayed: 3, seq: 10 });
    await publish(broker, channel, { n: 11 });
    expect(seqs(await again.waitForMessages(4, channel))).toEqual([8, 9, 10, 11]);
    again.close();
  });
});

describe('frame coalescing', () => {
  it('joins a batch into one message for coalesce=1 sockets only; both get every frame once, in order', async () => {
    const broker = await fresh();
    const channel = 'coalesce:batch';
    const joined = await openSocket(broker, KEYS.pub, { coalesce: true });
    const plain = await openSocket(broker);
    await joined.subscribe(channel);
    await plain.subscribe(channel);
    const res = await fetch(`${broker.url}/api/v1/batch`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${KEYS.sec}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ messages: range(1, 50).map((n) => ({ channel, content: { n, text: 'line\nbreak' } })) }),
    });
    expect(res.status).toBe(201);
    expect(seqs(await joined.waitForMessages(50, channel))).toEqual(range(1, 50));
    expect(seqs(await plain.waitForMessages(50, channel))).toEqual(range(1, 50));
    expect((joined.messages(channel)[0]!.data as { text: string }).text).toBe('line\nbreak');
    expect(Math.max(...joined.framesPerMessage)).toBeGreaterThan(1);
    expect(plain.framesPerMessage.every((n) => n === 1)).toBe(true);
    joined.close();
    plain.close();
  });
});
