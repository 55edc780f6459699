/**
 * Webhooks end to end inside workerd: real sockets and channels, the real
 * queue objects and their alarms, real HTTP POSTs to a receiver in the test
 * runner's Node process (vitest.config.ts), checked with the SDK's
 * verifyWebhook. Queue logic with a controlled clock: webhook-queue.test.ts.
 */
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { verifyWebhook, type WebhookEvent, type WebhookPayload } from '@pushflodev/sdk/server';
import type { Env } from '../../src/env';
import type { StatsSnapshot } from '../../src/stats/stats-object';
import { WAIT_MS } from '../shared/wait';
import { api, connected, freshChannel, token, type TestSocket } from './helpers';

const e = env as unknown as Env;
const RECEIVER = new URL(e.WEBHOOK_URL!).origin;
const SECRET = e.WEBHOOK_SECRET!;
const VACATE_DELAY = Number(e.WEBHOOK_VACATE_DELAY_MS);

interface Post {
  at: number;
  signature: string | null;
  contentType: string | null;
  body: string;
  status: number;
}
type Received = WebhookEvent & { sentAt: number; receivedAt: number };

async function posts(): Promise<Post[]> {
  const res = await fetch(`${RECEIVER}/log`);
  return (await res.json()) as Post[];
}

/** Every event the receiver got for `channel`, each POST verified with verifyWebhook. */
async function received(channel: string): Promise<Received[]> {
  const out: Received[] = [];
  for (const p of await posts()) {
    if (!p.body.includes(JSON.stringify(channel))) continue;
    // Checked against the time the receiver got it, as a real receiver does (a long run re-reads old posts).
    const payload: WebhookPayload = await verifyWebhook(p.body, p.signature, SECRET, { now: p.at });
    expect(p.contentType).toBe('application/json');
    for (const ev of payload.events) if (ev.channel === channel) out.push({ ...ev, sentAt: payload.timeMs, receivedAt: p.at });
  }
  return out;
}

/** Polls the receiver until `ok` holds for the channel's events (WAIT_MS). */
async function receivedUntil(channel: string, ok: (events: Received[]) => boolean, what: string): Promise<Received[]> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const events = await received(channel);
    if (ok(events)) return events;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what} on ${channel}; got ${JSON.stringify(events.map((x) => x.name))}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const names = (events: Received[]) => events.map((x) => x.name);
const has =
  (name: WebhookEvent['name'], n = 1) =>
  (events: Received[]) =>
    events.filter((x) => x.name === name).length >= n;

async function unsubscribe(s: TestSocket, channel: string): Promise<void> {
  s.send({ type: 'unsubscribe', channel });
  await s.until(() => s.frames.find((f) => f.type === 'unsubscribed' && f.channel === channel), 'unsubscribed');
}

describe('webhooks', () => {
  it('channel_occupied on the first subscriber only; channel_vacated once the last has been gone the vacate delay; signed', async () => {
    const channel = freshChannel('wh');
    const a = await connected();
    const b = await connected();
    await a.subscribe(channel);
    await b.subscribe(channel);
    await unsubscribe(a, channel);
    const lastLeft = Date.now();
    await unsubscribe(b, channel);
    const events = await receivedUntil(channel, has('channel_vacated'), 'channel_vacated');
    expect(names(events)).toEqual(['channel_occupied', 'channel_vacated']);
    const vacated = events[1]!;
    expect(vacated.timeMs).toBeGreaterThanOrEqual(lastLeft);
    expect(vacated.sentAt - vacated.timeMs).toBeGreaterThanOrEqual(VACATE_DELAY);
    expect(events[0]!.id).toMatch(/^evt_[0-9a-f]{32}$/);
    expect(events[0]!.id).not.toBe(vacated.id);
    a.close();
    b.close();
  });

  it('a quick unsubscribe and resubscribe (a reload) sends neither vacated nor a second occupied', async () => {
    const channel = freshChannel('wh-flap');
    const a = await connected();
    await a.subscribe(channel);
    await unsubscribe(a, channel);
    await a.subscribe(channel); // well within the vacate delay
    const b = await connected(); // a reload: the old socket goes, a new one comes
    a.close();
    await b.subscribe(channel);
    await a.waitForClose();
    await unsubscribe(b, channel); // the sentinel: a real vacate, after everything above
    const events = await receivedUntil(channel, has('channel_vacated'), 'the final channel_vacated');
    expect(names(events)).toEqual(['channel_occupied', 'channel_vacated']);
    b.close();
  });

  it('member_added / member_removed once per client id, however many tabs, with the member’s info', async () => {
    const channel = freshChannel('wh-presence');
    const cap = { [channel]: ['subscribe', 'presence'] as ('subscribe' | 'presence')[] };
    const ana1 = await connected(await token('ana', cap, { info: { name: 'Ana' } }));
    const ana2 = await connected(await token('ana', cap, { info: { name: 'Ana' } }));
    const bob = await connected(await token('bob', cap, { info: { name: 'Bob' } }));
    await ana1.subscribe(channel);
    await ana2.subscribe(channel);
    await bob.subscribe(channel);
    await receivedUntil(channel, (evs) => evs.some((x) => x.name === 'member_added' && x.clientId === 'bob'), 'bob added');
    ana1.close(); // one of ana's tabs: she is still here
    await unsubscribe(ana2, channel); // her last tab
    await receivedUntil(channel, (evs) => evs.some((x) => x.name === 'member_removed' && x.clientId === 'ana'), 'ana removed');
    await unsubscribe(bob, channel); // sentinel
    const events = await receivedUntil(channel, has('channel_vacated'), 'channel_vacated');
    const presence = events.filter((x) => x.name === 'member_added' || x.name === 'member_removed');
    expect(presence.map((x) => [x.name, 'clientId' in x ? x.clientId : null])).toEqual([
      ['member_added', 'ana'],
      ['member_added', 'bob'],
      ['member_removed', 'ana'],
      ['member_removed', 'bob'],
    ]);
    expect(presence[0]).toMatchObject({ info: { name: 'Ana' } });
    expect(presence[2]).toMatchObject({ info: { name: 'Ana' } });
    ana2.close();
    bob.close();
  });

  it('client_event for channels matching WEBHOOK_CLIENT_EVENTS only', async () => {
    const hooked = freshChannel('hooked');
    // Not opted in: its own channel_vacated (after the client event, from the same channel object) is the sentinel.
    const other = freshChannel('unhooked');
    const cap = { [hooked]: ['subscribe', 'publish'], [other]: ['subscribe', 'publish'] } as Record<string, ('subscribe' | 'publish')[]>;
    const s = await connected(await token('carla', cap));
    await s.subscribe(hooked);
    await s.subscribe(other);
    s.send({ type: 'publish', channel: other, event: 'said', data: { text: 'not sent' } });
    s.send({ type: 'publish', channel: hooked, event: 'said', data: { text: 'hello' } });
    s.send({ type: 'publish', channel: hooked, event: 'typing', data: { on: true }, ephemeral: true });
    await s.waitForMessages(2, hooked);
    await s.waitForMessages(1, other);
    await unsubscribe(s, other);
    await unsubscribe(s, hooked);
    const events = await receivedUntil(hooked, has('channel_vacated'), 'hooked vacated');
    expect(names(events)).toEqual(['channel_occupied', 'client_event', 'client_event', 'channel_vacated']);
    const [said, typing] = events.filter((x) => x.name === 'client_event');
    const message = s.messages(hooked).find((m) => m.eventType === 'said')!;
    expect(said).toMatchObject({
      event: 'said',
      clientId: 'carla',
      data: { text: 'hello' },
      messageId: message.messageId,
      seq: message.seq,
    });
    expect(typing).toMatchObject({ event: 'typing', data: { on: true } });
    expect(typing).not.toHaveProperty('seq');
    const otherEvents = await receivedUntil(other, has('channel_vacated'), 'other vacated');
    expect(names(otherEvents)).toEqual(['channel_occupied', 'channel_vacated']);
    s.close();
  });

  it('counts deliveries in the broker statistics', async () => {
    const channel = freshChannel('wh-stats');
    const s = await connected();
    await s.subscribe(channel);
    await receivedUntil(channel, has('channel_occupied'), 'occupied');
    const deadline = Date.now() + 8_000;
    let stats: StatsSnapshot;
    for (;;) {
      stats = (await api<{ data: StatsSnapshot }>('GET', '/stats')).json.data;
      if (stats.webhooks.delivered > 0 || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(stats.webhooks.delivered).toBeGreaterThan(0);
    expect(stats.webhooks.deliveries).toBeGreaterThan(0);
    expect(stats.webhooks).toMatchObject({ dropped: 0, expired: 0, pending: expect.any(Number) });
    s.close();
  });
});
