/**
 * The app's functions (hono): sign-in, the broker token, rooms, history and
 * the send path. Served by @hono/vite-dev-server in dev and by server/main.ts
 * in production; every answer is JSON, errors are `{error, code}`.
 */
import { Hono, type Context } from 'hono';
import type { Capability } from '@pushflodev/sdk';
import { config } from './config.ts';
import { database } from './db.ts';
import { AppError } from './errors.ts';
import { history, sendMessage } from './messages.ts';
import { pushflo } from './pushflo.ts';
import { allRoomChannels, joinRoom, listRooms, markRead, members } from './rooms.ts';
import { currentUser, endSession, requireUser, startSession } from './session.ts';
import { signIn } from './users.ts';
import { receiveWebhook } from './webhooks.ts';

const MAX_BODY_BYTES = 16_384;

/** The request's JSON object body, or a 400. */
async function body(c: Context): Promise<Record<string, unknown>> {
  const text = await c.req.text();
  if (text.length > MAX_BODY_BYTES) throw new AppError(413, 'BODY_TOO_LARGE', 'The request body is over 16 KB.');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new AppError(400, 'INVALID_JSON', 'The request body is not valid JSON.');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new AppError(400, 'INVALID_JSON', 'The request body must be a JSON object.');
  return value as Record<string, unknown>;
}

const app = new Hono().basePath('/api');

app.get('/health', (c) => {
  database();
  return c.json({ status: 'ok' });
});

/** Who is signed in, and where the broker is (learned at runtime, never built in). */
app.get('/session', async (c) => c.json({ user: await currentUser(c), brokerUrl: config.pushfloBaseUrl }));

app.post('/session', async (c) => {
  const { user } = await signIn((await body(c)).name);
  await startSession(c, user);
  return c.json({ user, brokerUrl: config.pushfloBaseUrl });
});

app.delete('/session', (c) => {
  endSession(c);
  return c.json({ user: null });
});

/**
 * The SDK's authUrl: a token for this user, valid for an hour, letting it be
 * present in, and send typing events to, every room it may join.
 */
app.post('/token', async (c) => {
  const user = await requireUser(c);
  const grant: Capability[] = ['subscribe', 'publish', 'presence'];
  const token = await pushflo.createToken({
    clientId: user.id,
    capabilities: Object.fromEntries(allRoomChannels().map((channel) => [channel, grant])),
    info: { name: user.name },
    ttlSeconds: 3600,
  });
  return c.json({ token });
});

app.get('/rooms', async (c) => c.json({ rooms: listRooms((await requireUser(c)).id) }));

app.post('/rooms/:id/join', async (c) => {
  const user = await requireUser(c);
  await joinRoom(c.req.param('id'), user);
  return c.json({ rooms: listRooms(user.id) });
});

app.get('/rooms/:id/members', async (c) => c.json({ members: members(c.req.param('id'), (await requireUser(c)).id) }));

app.get('/rooms/:id/messages', async (c) => {
  const user = await requireUser(c);
  const before = c.req.query('before');
  const beforeId = before === undefined ? null : Number(before);
  if (beforeId !== null && (!Number.isInteger(beforeId) || beforeId < 1))
    throw new AppError(400, 'INVALID_REQUEST', "'before' must be a message id.");
  const limit = Math.min(100, Math.max(1, Number(c.req.query('limit') ?? 30) || 30));
  return c.json(history(c.req.param('id'), user.id, beforeId, limit));
});

app.post('/rooms/:id/messages', async (c) => {
  const user = await requireUser(c);
  const input = await body(c);
  const message = await sendMessage({ roomId: c.req.param('id'), userId: user.id, key: input.key, text: input.text });
  return c.json({ message }, 201);
});

app.post('/rooms/:id/read', async (c) => {
  const user = await requireUser(c);
  markRead(c.req.param('id'), user.id, (await body(c)).lastId);
  return c.json({ ok: true });
});

/** The broker's webhooks (WEBHOOK_URL in ./dev points here): raw body and signature, see server/webhooks.ts. */
app.post('/webhooks', async (c) => {
  const text = await c.req.text();
  if (text.length > 2_000_000) throw new AppError(413, 'BODY_TOO_LARGE', 'The webhook body is over 2 MB.');
  return c.json(await receiveWebhook(text, c.req.header('X-Switchyard-Signature') ?? null));
});

app.notFound((c) => c.json({ error: 'No such endpoint.', code: 'NOT_FOUND' }, 404));

app.onError((err, c) => {
  if (err instanceof AppError) return c.json({ error: err.message, code: err.code }, err.status);
  console.error('chat: unexpected error', err);
  return c.json({ error: 'Something went wrong on our side.', code: 'INTERNAL' }, 500);
});

export default app;
