/**
 * POST /api/webhooks against a real SQLite file, signed like the broker signs
 * (the SDK's signWebhook), with a stand-in broker that records publishes and
 * can be told to fail: `channel_vacated` ends an abandoned match once.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { signWebhook, type WebhookEvent } from '@pushflodev/sdk/protocol';

const SECRET = 'whsec_game_test';
const published: Array<{ channel: string; eventType: string; content: Record<string, unknown>; key: string | undefined }> = [];
let failing = false;
const broker = createServer((req, res) => {
  let body = '';
  req.on('data', (c: Buffer) => (body += c.toString()));
  req.on('end', () => {
    res.setHeader('Content-Type', 'application/json');
    if (failing) {
      res.statusCode = 500;
      res.end(JSON.stringify({ success: false, error: 'down (test)', code: 'INTERNAL' }));
      return;
    }
    const channel = decodeURIComponent(req.url!.split('/channels/')[1]!.split('/')[0]!);
    const { content, eventType } = JSON.parse(body) as { content: Record<string, unknown>; eventType: string };
    published.push({ channel, eventType, content, key: req.headers['idempotency-key'] as string | undefined });
    res.end(JSON.stringify({ success: true, data: { id: `m${published.length}`, channelSlug: channel, seq: published.length } }));
  });
});

const dir = mkdtempSync(join(tmpdir(), 'game-webhooks-'));
let m: typeof import('../server/matches.ts');
let app: { request: (path: string, init?: RequestInit) => Response | Promise<Response> };

before(async () => {
  await new Promise<void>((r) => broker.listen(0, '127.0.0.1', r));
  process.env.PUSHFLO_BASE_URL = `http://127.0.0.1:${(broker.address() as { port: number }).port}`;
  process.env.GAME_DB = join(dir, 'game.db');
  process.env.WEBHOOK_SECRET = SECRET;
  m = await import('../server/matches.ts');
  app = (await import('../server/app.ts')).default;
});

after(() => {
  broker.close();
  rmSync(dir, { recursive: true, force: true });
});

let n = 0;
const vacated = (channel: string): WebhookEvent => ({ id: `evt_game_${++n}`, name: 'channel_vacated', channel, timeMs: Date.now() });

async function deliver(events: WebhookEvent[], secret = SECRET) {
  const body = JSON.stringify({ timeMs: Date.now(), events });
  const res = await app.request('/api/webhooks', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Switchyard-Signature': await signWebhook(body, secret) },
    body,
  });
  return { status: res.status, json: (await res.json()) as { abandoned?: string[]; handled?: number; ignored?: number; code?: string } };
}

const ended = (matchId: string) => published.filter((p) => p.channel === `game:match-${matchId}` && p.eventType === 'game-ended');

test('channel_vacated ends a running match as abandoned, with the scores so far, once per event id', async () => {
  const match = m.createMatch('Left behind');
  await m.joinMatch(match.id, 'Ana');
  await m.joinMatch(match.id, 'Ben');
  await m.startMatch(match.id);
  const event = vacated(`game:match-${match.id}`);
  const res = await deliver([event]);
  assert.deepEqual([res.status, res.json], [200, { abandoned: [match.id], handled: 1, ignored: 0 }]);
  const snap = await m.snapshot(match.id);
  assert.equal(snap.match.status, 'ended');
  assert.equal(snap.result?.abandoned, true);
  assert.deepEqual(
    snap.result?.scores.map((s) => s.score),
    [0, 0],
  );
  assert.deepEqual(snap.coins, []);
  assert.equal(ended(match.id).length, 1);
  assert.equal(ended(match.id)[0]!.key, `ended-${match.id}`);
  assert.ok(!m.listMatches().some((x) => x.id === match.id), 'gone from the lobby');
  // The broker retries (at least once): handled once.
  const retry = await deliver([event]);
  assert.deepEqual(retry.json, { abandoned: [], handled: 0, ignored: 1 });
  // A later vacate of the same match (someone came back and left again): already over, nothing new.
  await deliver([vacated(`game:match-${match.id}`)]);
  assert.equal(ended(match.id).length, 1);
});

test('a match still waiting for its start ends too; a match already over is left alone', async () => {
  const waiting = m.createMatch('Never started');
  await m.joinMatch(waiting.id, 'Cleo');
  const res = await deliver([vacated(`game:match-${waiting.id}`)]);
  assert.deepEqual(res.json.abandoned, [waiting.id]);
  assert.equal((await m.snapshot(waiting.id)).match.status, 'ended');

  const over = m.createMatch('Played out');
  await m.joinMatch(over.id, 'Dan');
  const t0 = Date.now() - 200_000;
  await m.startMatch(over.id, t0);
  await m.finishMatch(over.id);
  const result = (await m.snapshot(over.id)).result;
  await deliver([vacated(`game:match-${over.id}`)]);
  assert.deepEqual((await m.snapshot(over.id)).result, result);
  assert.equal(result?.abandoned, undefined);
  assert.equal(ended(over.id).length, 1);
});

test('other events and other apps’ channels are acknowledged and ignored', async () => {
  const match = m.createMatch('Busy');
  await m.joinMatch(match.id, 'Eve');
  const occupied: WebhookEvent = { id: `evt_game_${++n}`, name: 'channel_occupied', channel: `game:match-${match.id}`, timeMs: Date.now() };
  const res = await deliver([occupied, vacated('chat:room-general')]);
  assert.deepEqual(res.json, { abandoned: [], handled: 1, ignored: 1 });
  assert.equal((await m.snapshot(match.id)).match.status, 'waiting');
});

test('a failed announcement answers 503 so the broker retries; the retry announces it', async () => {
  const match = m.createMatch('Flaky broker');
  await m.joinMatch(match.id, 'Finn');
  const event = vacated(`game:match-${match.id}`);
  failing = true;
  const first = await deliver([event]);
  failing = false;
  assert.equal(first.status, 503);
  assert.equal(ended(match.id).length, 0);
  const retry = await deliver([event]);
  assert.deepEqual([retry.status, retry.json.abandoned], [200, [match.id]]);
  assert.equal(ended(match.id).length, 1);
  assert.equal((await m.snapshot(match.id)).result?.abandoned, true);
});

test('a wrong signature is refused with 401 and a stable code', async () => {
  const match = m.createMatch('Forged');
  await m.joinMatch(match.id, 'Gus');
  const res = await deliver([vacated(`game:match-${match.id}`)], 'whsec_wrong');
  assert.deepEqual([res.status, res.json.code], [401, 'WEBHOOK_SIGNATURE_INVALID']);
  assert.equal((await m.snapshot(match.id)).match.status, 'waiting');
});
