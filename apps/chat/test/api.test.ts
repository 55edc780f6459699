/**
 * The API against a real SQLite file and a stand-in broker on a free port
 * (it records publishes and can be told to fail), through hono's app.request.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

interface Published {
  channel: string;
  key: string | undefined;
  eventType: string;
  content: Record<string, unknown>;
}
const published: Published[] = [];
const byKey = new Map<string, number>();
let failPublishes = false;

const broker = createServer((req: IncomingMessage, res) => {
  let body = '';
  req.on('data', (c: Buffer) => (body += c.toString()));
  req.on('end', () => {
    const channel = decodeURIComponent(/\/channels\/([^/]+)\/messages/.exec(req.url ?? '')?.[1] ?? '');
    if (failPublishes) {
      res
        .writeHead(400, { 'content-type': 'application/json' })
        .end(JSON.stringify({ success: false, error: 'refused (test)', code: 'INVALID_REQUEST' }));
      return;
    }
    const key = req.headers['idempotency-key'] as string | undefined;
    let seq = key === undefined ? undefined : byKey.get(key);
    if (seq === undefined) {
      const parsed = JSON.parse(body) as { content: Record<string, unknown>; eventType: string };
      published.push({ channel, key, eventType: parsed.eventType, content: parsed.content });
      seq = published.length;
      if (key !== undefined) byKey.set(key, seq);
    }
    res
      .writeHead(201, { 'content-type': 'application/json' })
      .end(JSON.stringify({ success: true, data: { id: `msg_${seq}`, channelSlug: channel, delivered: 0, seq } }));
  });
});

const dir = mkdtempSync(join(tmpdir(), 'chat-test-'));
let app: { request: (path: string, init?: RequestInit) => Response | Promise<Response> };

before(async () => {
  await new Promise<void>((resolve) => broker.listen(0, '127.0.0.1', resolve));
  const address = broker.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  process.env.PUSHFLO_BASE_URL = `http://127.0.0.1:${address.port}`;
  process.env.CHAT_DB = join(dir, 'chat.db');
  app = (await import('../server/app.ts')).default;
});

after(async () => {
  (await import('../server/db.ts')).closeDatabase();
  broker.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The fields the answers below use (each answer has some of them). */
interface Answer {
  code: string;
  error: string;
  user: { id: string };
  rooms: Array<{ id: string; joined: boolean; unread: number }>;
  message: { id: number; text: string; seq: number | null };
  messages: Array<{ id: number; text: string; kind: string }>;
  hasMore: boolean;
  token: string;
}

async function call(method: string, path: string, body?: unknown, cookie?: string) {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (cookie !== undefined) headers.Cookie = cookie;
  const res = await app.request(`/api${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Answer, cookie: res.headers.get('set-cookie')?.split(';')[0] };
}

async function signIn(name: string): Promise<string> {
  const res = await call('POST', '/session', { name });
  assert.equal(res.status, 200);
  return res.cookie!;
}

test('sign-in creates the user once, joins the default rooms and announces each join', async () => {
  const ana = await signIn('Ana Test');
  const joins = published.filter((p) => p.eventType === 'user-joined');
  assert.deepEqual(
    joins.map((p) => p.channel),
    ['chat:room-general', 'chat:room-random'],
  );
  const again = await signIn('ana test'); // same name, any case: same user, nothing new announced
  assert.equal(
    (await call('GET', '/session', undefined, again)).json.user.id,
    (await call('GET', '/session', undefined, ana)).json.user.id,
  );
  assert.equal(published.filter((p) => p.eventType === 'user-joined').length, 2);
  const rooms = (await call('GET', '/rooms', undefined, ana)).json.rooms;
  assert.deepEqual(
    rooms.filter((r) => r.joined).map((r) => r.id),
    ['general', 'random'],
  );
});

test('a send is stored once per key and published once, with the key as idempotency key', async () => {
  const ana = await signIn('Ana Test');
  const before = published.length;
  const [a, b] = await Promise.all([
    call('POST', '/rooms/general/messages', { key: 'key-000001', text: '  hello <b>there</b>  ' }, ana),
    call('POST', '/rooms/general/messages', { key: 'key-000001', text: '  hello <b>there</b>  ' }, ana),
  ]);
  assert.equal(a.status, 201);
  assert.equal(b.status, 201);
  assert.equal(a.json.message.id, b.json.message.id);
  assert.equal(a.json.message.text, 'hello <b>there</b>');
  assert.equal(published.length, before + 1);
  assert.equal(published.at(-1)!.key, 'key-000001');
  assert.equal(published.at(-1)!.eventType, 'message-sent');
  const conflict = await call('POST', '/rooms/general/messages', { key: 'key-000001', text: 'different' }, ana);
  assert.deepEqual([conflict.status, conflict.json.code], [409, 'KEY_REUSED']);
});

test('a failed publish answers 503 and keeps the message out of history; the retry with the same key delivers it', async () => {
  const ana = await signIn('Ana Test');
  failPublishes = true;
  const failed = await call('POST', '/rooms/random/messages', { key: 'key-retry-1', text: 'flaky' }, ana);
  failPublishes = false;
  assert.deepEqual([failed.status, failed.json.code], [503, 'PUBLISH_FAILED']);
  const texts = async () => (await call('GET', '/rooms/random/messages', undefined, ana)).json.messages.map((m) => m.text);
  assert.ok(!(await texts()).includes('flaky'));
  const retried = await call('POST', '/rooms/random/messages', { key: 'key-retry-1', text: 'flaky' }, ana);
  assert.equal(retried.status, 201);
  assert.equal(typeof retried.json.message.seq, 'number');
  assert.ok((await texts()).includes('flaky'));
  assert.equal(published.filter((p) => p.key === 'key-retry-1').length, 1);
});

test('bad input answers 4xx JSON with stable codes, never a stack', async () => {
  const ana = await signIn('Ana Test');
  const cases: Array<[string, string, unknown, number, string]> = [
    ['POST', '/rooms/general/messages', { key: 'key-empty-1', text: '   ' }, 400, 'EMPTY_MESSAGE'],
    ['POST', '/rooms/general/messages', { key: 'key-long-01', text: 'x'.repeat(2001) }, 400, 'MESSAGE_TOO_LONG'],
    ['POST', '/rooms/general/messages', { key: 'bad key!', text: 'hi' }, 400, 'INVALID_KEY'],
    ['POST', '/rooms/general/messages', '{"key":', 400, 'INVALID_JSON'],
    ['POST', '/rooms/general/messages', '[1]', 400, 'INVALID_JSON'],
    ['POST', '/rooms/design/messages', { key: 'key-design1', text: 'hi' }, 403, 'NOT_A_MEMBER'],
    ['POST', '/rooms/nope/messages', { key: 'key-nope-01', text: 'hi' }, 404, 'ROOM_NOT_FOUND'],
    ['GET', '/rooms/general/messages?before=abc', undefined, 400, 'INVALID_REQUEST'],
    ['POST', '/rooms/general/read', { lastId: -1 }, 400, 'INVALID_REQUEST'],
    ['POST', '/session', { name: '' }, 400, 'INVALID_NAME'],
    ['GET', '/nothing-here', undefined, 404, 'NOT_FOUND'],
  ];
  for (const [method, path, body, status, code] of cases) {
    const res = await call(method, path, body, ana);
    assert.deepEqual([res.status, res.json.code], [status, code], `${method} ${path}`);
    assert.equal(typeof res.json.error, 'string');
    assert.ok(!JSON.stringify(res.json).includes('    at '), 'no stack');
  }
  const anonymous = await call('POST', '/token');
  assert.deepEqual([anonymous.status, anonymous.json.code], [401, 'NOT_SIGNED_IN']);
  const forged = await call('POST', '/token', undefined, 'chat_user=u-maya');
  assert.equal(forged.status, 401);
});

test('history pages back by id; unread counts follow the read marker', async () => {
  const ben = await signIn('Ben Pager');
  const ana = await signIn('Ana Test');
  await call('POST', '/rooms/engineering/join', undefined, ben);
  await call('POST', '/rooms/engineering/join', undefined, ana);
  for (let i = 0; i < 35; i++) await call('POST', '/rooms/engineering/messages', { key: `key-page-${i}`, text: `p${i}` }, ben);
  const first = (await call('GET', '/rooms/engineering/messages', undefined, ana)).json;
  assert.equal(first.messages.length, 30);
  assert.equal(first.hasMore, true);
  assert.equal(first.messages.at(-1)!.text, 'p34');
  const older = (await call('GET', `/rooms/engineering/messages?before=${first.messages[0]!.id}`, undefined, ana)).json;
  assert.equal(older.hasMore, false);
  const all = [...older.messages, ...first.messages].map((m) => m.text).filter((t) => /^p\d+$/.test(t));
  assert.deepEqual(
    all,
    Array.from({ length: 35 }, (_, i) => `p${i}`),
  );
  const unread = async () => (await call('GET', '/rooms', undefined, ana)).json.rooms.find((r) => r.id === 'engineering')!.unread;
  assert.equal(await unread(), 36); // 35 from Ben and the seeded one
  await call('POST', '/rooms/engineering/read', { lastId: first.messages[25]!.id }, ana);
  assert.equal(await unread(), 4);
  const token = (await call('POST', '/token', undefined, ana)).json.token;
  const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as {
    sub: string;
    cap: Record<string, string[]>;
    info: { name: string };
  };
  assert.deepEqual(claims.cap['chat:room-general'], ['subscribe', 'publish', 'presence']);
  assert.equal(claims.info.name, 'Ana Test');
});
