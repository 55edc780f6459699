import { env } from 'cloudflare:workers';
import { listDurableObjectIds, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { Env } from '../../src/env';
import type { ShardObject } from '../../src/connection/shard-object';
import { connected, freshChannel, publish } from './helpers';

const e = env as unknown as Env;
const TIMEOUT = Number(e.HEARTBEAT_TIMEOUT_MS);

/** Runs the heartbeat sweep on every shard as if `now` had come. */
async function sweepAll(now: number): Promise<number> {
  let closed = 0;
  for (const id of await listDurableObjectIds(e.SHARD)) {
    closed += await runInDurableObject(e.SHARD.get(id), (shard: ShardObject) => shard.sweep(now));
  }
  return closed;
}

async function subscribers(channel: string): Promise<number> {
  return (await e.CHANNEL.get(e.CHANNEL.idFromName(channel)).stats()).subscribers;
}

describe('heartbeat', () => {
  it('answers ping with pong, in the exact public form and in any other spelling', async () => {
    const s = await connected();
    s.send('{"type":"ping"}');
    expect(await s.next()).toEqual({ type: 'pong' });
    s.send('{ "type" : "ping" }');
    expect(await s.next()).toEqual({ type: 'pong' });
    s.close();
  });

  it('keeps sockets that are within the timeout', async () => {
    const channel = freshChannel('hb');
    const s = await connected();
    await s.subscribe(channel);
    expect(await sweepAll(Date.now() + TIMEOUT / 2)).toBe(0);
    expect(s.closed).toBeNull();
    s.close();
  });

  it('closes a silent socket with 4001 and drops its subscriptions; a pinging one stays', async () => {
    const channel = freshChannel('hb');
    const pinger = await connected();
    const silent = await connected();
    await pinger.subscribe(channel);
    await silent.subscribe(channel);
    expect(await subscribers(channel)).toBe(2);

    // Both sockets were last heard from long ago…
    const longAgo = Date.now() - TIMEOUT * 10;
    for (const id of await listDurableObjectIds(e.SHARD)) {
      await runInDurableObject(e.SHARD.get(id), (_shard: ShardObject, state) => {
        for (const ws of state.getWebSockets()) {
          ws.serializeAttachment({ ...(ws.deserializeAttachment() as object), connectedAt: longAgo, seenAt: longAgo });
        }
      });
    }
    // …then one pings (answered by the runtime without waking the shard).
    pinger.send('{"type":"ping"}');
    await pinger.nextOf('pong');

    expect(await sweepAll(Date.now() + 1000)).toBe(1);
    expect((await silent.waitForClose()).code).toBe(4001);
    expect(pinger.closed).toBeNull();
    await expect.poll(() => subscribers(channel)).toBe(1);
    // The survivor still receives.
    await publish(channel, { ok: 1 });
    await pinger.waitForMessages(1, channel);
    pinger.close();
  });
});
