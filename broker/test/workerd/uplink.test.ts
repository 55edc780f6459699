/**
 * Client events on their way from a shard to their channel: one call in
 * flight per channel, the rest batched behind it in order, failures answered,
 * the queue capped. Driven by a port whose calls the test resolves by hand.
 */
import { describe, expect, it } from 'vitest';
import type { PublishInput } from '../../src/rpc';
import { Uplink } from '../../src/connection/uplink';

interface Call {
  channel: string;
  events: string[];
  resolve: () => void;
  reject: (err: Error) => void;
}

function manualPort() {
  const calls: Call[] = [];
  return {
    calls,
    port: {
      publishMany(channel: string, inputs: PublishInput[]): Promise<unknown> {
        return new Promise<void>((resolve, reject) => calls.push({ channel, events: inputs.map((i) => i.eventType), resolve, reject }));
      },
    },
  };
}

const input = (eventType: string): PublishInput => ({ eventType, data: '{}', clientId: 'p1', clientEvent: true, ephemeral: true });
const settle = () => new Promise((r) => setTimeout(r, 0));

describe('uplink', () => {
  it('sends the first event at once and batches what arrives while it is out, in order', async () => {
    const { calls, port } = manualPort();
    const uplink = new Uplink(port);
    uplink.push('game:match-1', input('m1'), () => undefined);
    expect(calls.map((c) => c.events)).toEqual([['m1']]);
    for (const e of ['m2', 'm3', 'm4']) uplink.push('game:match-1', input(e), () => undefined);
    expect(calls).toHaveLength(1); // still one call in flight
    expect(uplink.waiting('game:match-1')).toBe(3);
    calls[0]!.resolve();
    await settle();
    expect(calls.map((c) => c.events)).toEqual([['m1'], ['m2', 'm3', 'm4']]);
    calls[1]!.resolve();
    await settle();
    expect(uplink.waiting('game:match-1')).toBe(0);
  });

  it('keeps channels independent: a slow channel does not hold up another', () => {
    const { calls, port } = manualPort();
    const uplink = new Uplink(port);
    uplink.push('game:match-1', input('a1'), () => undefined);
    uplink.push('game:match-2', input('b1'), () => undefined);
    expect(calls.map((c) => [c.channel, c.events])).toEqual([
      ['game:match-1', ['a1']],
      ['game:match-2', ['b1']],
    ]);
  });

  it('answers every event of a failed call, then carries on with the next batch', async () => {
    const { calls, port } = manualPort();
    const uplink = new Uplink(port);
    const failed: string[] = [];
    for (const e of ['m1', 'm2', 'm3']) uplink.push('c', input(e), () => failed.push(e));
    calls[0]!.reject(new Error('channel object unreachable'));
    await settle();
    expect(failed).toEqual(['m1']);
    calls[1]!.reject(new Error('still unreachable'));
    await settle();
    expect(failed).toEqual(['m1', 'm2', 'm3']);
    uplink.push('c', input('m4'), () => failed.push('m4'));
    expect(calls[2]!.events).toEqual(['m4']);
  });

  it('caps the queue per channel and the batch per call', async () => {
    const { calls, port } = manualPort();
    const uplink = new Uplink(port, { maxQueued: 3, maxBatch: 2 });
    const accepted = ['m0', 'm1', 'm2', 'm3', 'm4'].map((e) => uplink.push('c', input(e), () => undefined));
    // m0 went out at once; m1..m3 fill the queue; m4 is refused.
    expect(accepted).toEqual([true, true, true, true, false]);
    calls[0]!.resolve();
    await settle();
    expect(calls[1]!.events).toEqual(['m1', 'm2']);
    calls[1]!.resolve();
    await settle();
    expect(calls[2]!.events).toEqual(['m3']);
  });
});
