/** The channel object's webhook emitter, with a scripted queue port: order, batching, the cap, lost events. */
import { describe, expect, it } from 'vitest';
import type { WebhookEvent } from '@pushflodev/sdk/protocol';
import { WebhookEmitter } from '../../src/webhooks/emitter';

interface Call {
  events: WebhookEvent[];
  lost: number;
  resolve(): void;
  reject(err: Error): void;
}

function port() {
  const calls: Call[] = [];
  const fn = (events: WebhookEvent[], lost: number) =>
    new Promise<void>((resolve, reject) => {
      calls.push({ events, lost, resolve, reject });
    });
  return { calls, fn };
}

const tick = () => new Promise((r) => setTimeout(r, 0));
const member = (clientId: string) => ({ clientId, data: { name: clientId } });

describe('webhook emitter', () => {
  it('one call in flight; what arrives meanwhile goes in the next call, in order', async () => {
    const p = port();
    const em = new WebhookEmitter(p.fn, []);
    em.occupancy('c:1', 0, 1, 1);
    em.members('c:1', [member('ana')], 'join', 2);
    em.members('c:1', [member('bob')], 'join', 3);
    em.members('c:1', [member('ana')], 'leave', 4);
    expect(p.calls.length).toBe(1);
    expect(p.calls[0]!.events.map((e) => e.name)).toEqual(['channel_occupied']);
    p.calls[0]!.resolve();
    await tick();
    expect(p.calls.length).toBe(2);
    expect(p.calls[1]!.events.map((e) => [e.name, 'clientId' in e ? e.clientId : null])).toEqual([
      ['member_added', 'ana'],
      ['member_added', 'bob'],
      ['member_removed', 'ana'],
    ]);
    expect(p.calls[1]!.events[0]).toMatchObject({ channel: 'c:1', timeMs: 2, info: { name: 'ana' } });
  });

  it('occupied only when the count leaves zero, vacated only when it reaches zero', () => {
    const p = port();
    const em = new WebhookEmitter(p.fn, []);
    em.occupancy('c:1', 1, 2, 1);
    em.occupancy('c:1', 2, 1, 2);
    expect(em.pending() + p.calls.length).toBe(0);
    em.occupancy('c:1', 1, 0, 3);
    expect(p.calls[0]!.events[0]).toMatchObject({ name: 'channel_vacated', channel: 'c:1', timeMs: 3 });
  });

  it('client events only on channels matching a pattern; seq when stored', () => {
    const p = port();
    const em = new WebhookEmitter(p.fn, ['chat:*', 'exact:one']);
    const m = { id: 'msg_1', eventType: 'said', clientId: 'ana', data: '{"text":"hi"}', timestamp: 5 };
    em.clientEvent('game:1', m);
    em.clientEvent('exact:one-more', m);
    expect(p.calls.length).toBe(0);
    em.clientEvent('chat:general', { ...m, seq: 7 });
    expect(p.calls[0]!.events[0]).toEqual({
      id: expect.stringMatching(/^evt_/),
      name: 'client_event',
      channel: 'chat:general',
      timeMs: 5,
      event: 'said',
      clientId: 'ana',
      data: { text: 'hi' },
      messageId: 'msg_1',
      seq: 7,
    });
  });

  it('caps its buffer and tells the queue how many it lost, also after a call failed three times', async () => {
    const p = port();
    const em = new WebhookEmitter(p.fn, [], { maxBuffered: 2, maxBatch: 100, attempts: 3 });
    for (let i = 0; i < 5; i++) em.members('c:1', [member(`u${i}`)], 'join', i);
    // u0 is out; u1, u2 wait; u3, u4 did not fit.
    expect(em.pending()).toBe(2);
    for (let attempt = 0; attempt < 3; attempt++) {
      p.calls.at(-1)!.reject(new Error('queue unreachable'));
      await tick();
    }
    // u0 is lost after three attempts; the next call carries u1, u2 and the count.
    const next = p.calls.at(-1)!;
    expect(next.events.map((e) => ('clientId' in e ? e.clientId : null))).toEqual(['u1', 'u2']);
    expect(next.lost).toBe(2 + 1);
  });
});
