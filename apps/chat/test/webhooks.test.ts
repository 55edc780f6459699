/**
 * POST /api/webhooks against a real SQLite file, signed like the broker signs
 * (the SDK's signWebhook), with a stand-in broker that records the
 * `member-seen` announcements.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { signWebhook, type WebhookEvent } from '@pushflodev/sdk/protocol';

const SECRET = 'whsec_chat_test';
const published: Array<{ channel: string; eventType: string; content: Record<string, unknown> }> = [];
const broker = createServer((req, res) => {
  let body = '';
  req.on('data', (c: Buffer) => (body += c.toString()));
  req.on('end', () => {
    const channel = decodeURIComponent(/\/channels\/([^/]+)\/messages/.exec(req.url ?? '')?.[1] ?? '');
    const parsed = JSON.parse(body) as { content: Record<string, unknown>; eventType: string };
    published.push({ channel, eventType: parsed.eventType, content: parsed.content });
    res
      .writeHead(201, { 'content-type': 'application/json' })
      .end(JSON.stringify({ success: true, data: { id: `msg_${published.length}`, seq: published.length } }));
  });
});

const dir = mkdtempSync(join(tmpdir(), 'chat-webhooks-'));
let app: { request: (path: string, init?: RequestInit) => Response | Promise<Response> };

before(async () => {
  await new Promise<void>((resolve) => broker.listen(0, '127.0.0.1', resolve));
  const address = broker.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  process.env.PUSHFLO_BASE_URL = `http://127.0.0.1:${address.port}`;
  process.env.CHAT_DB = join(dir, 'chat.db');
  process.env.WEBHOOK_SECRET = SECRET;
  app = (await import('../server/app.ts')).default;
});

after(async () => {
  (await import('../server/db.ts')).closeDatabase();
  broker.close();
  rmSync(dir, { recursive: true, force: true });
});

let n = 0;
const removed = (clientId: string, channel: string, timeMs: number): WebhookEvent => ({
  id: `evt_chat_${++n}`,
  name: 'member_removed',
  channel,
  timeMs,
  clientId,
  info: { name: clientId },
});

async function deliver(events: WebhookEvent[], signature?: string | null) {
  const body = JSON.stringify({ timeMs: Date.now(), events });
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  const sig = signature === undefined ? await signWebhook(body, SECRET) : signature;
  if (sig !== null) headers['X-Switchyard-Signature'] = sig;
  const res = await app.request('/api/webhooks', { method: 'POST', headers, body });
  return { status: res.status, json: (await res.json()) as { handled?: number; ignored?: number; code?: string } };
}

async function signIn(name: string): Promise<{ cookie: string; id: string }> {
  const res = await app.request('/api/session', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ name }),
  });
  const json = (await res.json()) as { user: { id: string } };
  return { cookie: res.headers.get('set-cookie')!.split(';')[0]!, id: json.user.id };
}

async function lastSeen(cookie: string, userId: string): Promise<number | null> {
  const res = await app.request('/api/rooms/general/members', { headers: { Cookie: cookie } });
  const { members } = (await res.json()) as { members: Array<{ userId: string; lastSeenAt: number | null }> };
  return members.find((m) => m.userId === userId)!.lastSeenAt;
}

test('member_removed records last seen, once per event id, and announces it on the room', async () => {
  const ana = await signIn('Ana Webhook');
  assert.equal(await lastSeen(ana.cookie, 'u-maya'), null);
  const event = removed('u-maya', 'chat:room-general', 1_700_000_000_000);
  const before = published.length;
  const first = await deliver([event]);
  assert.deepEqual([first.status, first.json], [200, { handled: 1, ignored: 0 }]);
  assert.equal(await lastSeen(ana.cookie, 'u-maya'), 1_700_000_000_000);
  assert.deepEqual(
    published.slice(before).find((p) => p.channel === 'chat:room-general'),
    { channel: 'chat:room-general', eventType: 'member-seen', content: { userId: 'u-maya', lastSeenAt: 1_700_000_000_000 } },
  );
  const count = published.length;
  // The broker retries (at least once delivery): the same id is handled once.
  const retry = await deliver([event]);
  assert.deepEqual(retry.json, { handled: 0, ignored: 1 });
  assert.equal(published.length, count);
  // An older event (another room, delivered late) never moves last seen backwards.
  await deliver([removed('u-maya', 'chat:room-random', 1_600_000_000_000)]);
  assert.equal(await lastSeen(ana.cookie, 'u-maya'), 1_700_000_000_000);
});

test('last seen is announced on every room of the user, whichever room’s event carried it', async () => {
  const ana = await signIn('Ana Webhook');
  const ben = await signIn('Ben Webhook');
  const join = await app.request('/api/rooms/random/join', { method: 'POST', headers: { Cookie: ben.cookie } });
  assert.equal(join.status, 200);
  // Each room's events come in their own POST: the later one, from #random, must reach #general too.
  await deliver([removed(ben.id, 'chat:room-general', 1_700_000_000_000)]);
  const before = published.length;
  await deliver([removed(ben.id, 'chat:room-random', 1_700_000_000_001)]);
  const announced = published.slice(before).filter((p) => p.eventType === 'member-seen');
  assert.deepEqual(announced.map((p) => p.channel).sort(), ['chat:room-general', 'chat:room-random']);
  for (const p of announced) assert.deepEqual(p.content, { userId: ben.id, lastSeenAt: 1_700_000_000_001 });
  assert.equal(await lastSeen(ana.cookie, ben.id), 1_700_000_000_001);
});

test('events of other apps’ channels are acknowledged and ignored', async () => {
  const ana = await signIn('Ana Webhook');
  const res = await deliver([
    removed('u-leo', 'game:match-1', 1_700_000_000_000),
    { id: `evt_chat_${++n}`, name: 'channel_vacated', channel: 'game:match-1', timeMs: 1 },
  ]);
  assert.deepEqual([res.status, res.json], [200, { handled: 0, ignored: 2 }]);
  assert.equal(await lastSeen(ana.cookie, 'u-leo'), null);
});

test('a missing or wrong signature is refused with 401 and a stable code; nothing is stored', async () => {
  const ana = await signIn('Ana Webhook');
  const event = removed('u-leo', 'chat:room-general', 1_700_000_000_000);
  const missing = await deliver([event], null);
  assert.deepEqual([missing.status, missing.json.code], [401, 'WEBHOOK_SIGNATURE_MISSING']);
  const wrong = await deliver([event], await signWebhook('something else', SECRET));
  assert.deepEqual([wrong.status, wrong.json.code], [401, 'WEBHOOK_SIGNATURE_INVALID']);
  const otherSecret = await deliver([event], await signWebhook(JSON.stringify({ timeMs: 1, events: [event] }), 'whsec_other'));
  assert.equal(otherSecret.status, 401);
  assert.equal(await lastSeen(ana.cookie, 'u-leo'), null);
});
