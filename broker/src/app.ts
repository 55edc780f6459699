/** The Worker's HTTP surface, routed with hono. */
import { Hono, type Context } from 'hono';
import type { Env } from './env';
import type { PublishInput } from './rpc';
import { REGISTRY_OBJECT, type ChannelRecord, type ChannelPatch } from './registry/registry-object';
import { stub } from './stub';
import { VERSION } from './version';
import {
  ErrorCode,
  isPlainObject,
  isPrivateChannel,
  type ApiList,
  type ApiSuccess,
  type ChannelInfo,
  type BatchItem,
  type HistoryPage,
  type JsonObject,
  type PublishResult,
} from '@pushflodev/sdk/protocol';
import { requireRole, type AppEnv } from './http/auth-middleware';
import { badRequest, HttpError } from './http/errors';
import { channelName, contentText, eventTypeOf, idempotencyKeyOf, intQuery, jsonBody, optionalIntQuery, readBody } from './http/input';
import { rateLimit } from './http/rate-limit';
import { upgrade } from './http/socket';
import { issueConnectionToken, tokenPreflight } from './http/token-route';
import { sse } from './http/sse';
import { countWorkerError, statsStub } from './stats/sinks';

type App = AppEnv;
type Ctx = Context<App>;

/** Most messages in one batch publish. */
export const MAX_BATCH = 100;

const channelStub = (env: Env, name: string) => stub(env.CHANNEL, name);
const registry = (env: Env) => stub(env.REGISTRY, REGISTRY_OBJECT);

function ok<T>(c: Ctx, data: T, status: 200 | 201 = 200) {
  return c.json({ success: true, data } satisfies ApiSuccess<T>, status);
}

const pagination = (page: number, pageSize: number, total: number) => ({ page, pageSize, total, totalPages: Math.ceil(total / pageSize) });

/** A list answer (channels): `data: […]` with `pagination` beside it, as the public SDK reads it. */
function list<T>(c: Ctx, data: T[], page: number, pageSize: number, total: number) {
  return c.json({ success: true, data, pagination: pagination(page, pageSize, total) } satisfies ApiList<T>);
}

function publishInput(
  content: unknown,
  eventType: unknown,
  contentField: string,
  eventField: string,
  idempotencyKey?: string,
): PublishInput {
  const input: PublishInput = {
    eventType: eventTypeOf(eventType, eventField),
    data: contentText(content, contentField),
    clientId: 'server',
  };
  if (idempotencyKey !== undefined) input.idempotencyKey = idempotencyKey;
  return input;
}

async function publishOne(c: Ctx, channel: string, input: PublishInput): Promise<PublishResult> {
  await rateLimit(c, 1);
  return channelStub(c.env, channel).publish(input);
}

/** A channel's privacy follows its name (`private-…` / `private:…` need a token grant); `isPrivate` may only say so. */
function channelPatch(slug: string, body: Record<string, unknown>): ChannelPatch {
  const patch: ChannelPatch = {};
  if (body.name !== undefined) {
    if (typeof body.name !== 'string' || body.name.length === 0 || body.name.length > 200)
      throw badRequest(ErrorCode.INVALID_REQUEST, "'name' must be a string of 1 to 200 characters");
    patch.name = body.name;
  }
  if (body.description !== undefined) {
    if (body.description !== null && (typeof body.description !== 'string' || body.description.length > 2000))
      throw badRequest(ErrorCode.INVALID_REQUEST, "'description' must be a string of at most 2000 characters, or null");
    patch.description = body.description;
  }
  if (body.isPrivate !== undefined) {
    if (typeof body.isPrivate !== 'boolean') throw badRequest(ErrorCode.INVALID_REQUEST, "'isPrivate' must be a boolean");
    if (body.isPrivate !== isPrivateChannel(slug)) {
      throw badRequest(
        ErrorCode.INVALID_REQUEST,
        `'isPrivate' follows the channel's name: '${slug}' is ${isPrivateChannel(slug) ? 'private' : 'public'}; private channels are named 'private-…' or 'private:…'`,
      );
    }
  }
  if (body.metadata !== undefined) {
    if (body.metadata !== null && !isPlainObject(body.metadata))
      throw badRequest(ErrorCode.INVALID_REQUEST, "'metadata' must be a JSON object or null");
    if (JSON.stringify(body.metadata).length > 8192) throw badRequest(ErrorCode.INVALID_REQUEST, "'metadata' is over 8 KB");
    patch.metadata = body.metadata === null ? null : JSON.stringify(body.metadata);
  }
  return patch;
}

async function channelInfo(env: Env, record: ChannelRecord): Promise<ChannelInfo> {
  const stats = await channelStub(env, record.slug).stats();
  return {
    id: record.id,
    name: record.name,
    slug: record.slug,
    description: record.description,
    isPrivate: record.isPrivate,
    metadata: record.metadata === null ? null : (JSON.parse(record.metadata) as JsonObject),
    messageCount: stats.messageCount,
    createdAt: new Date(record.createdAt).toISOString(),
    updatedAt: new Date(record.updatedAt).toISOString(),
  };
}

function notFound(slug: string): HttpError {
  return new HttpError(404, ErrorCode.CHANNEL_NOT_FOUND, `channel '${slug}' does not exist`);
}

export const app = new Hono<App>();

// Every body, on every route, is read through its size limit before auth and parsing (http/input.ts).
app.use('*', readBody);

app.get('/health', (c) => c.json({ status: 'ok', service: 'switchyard-broker', version: VERSION, time: Date.now() }));

app.get('/ws', upgrade);
app.route('/sse', sse);

const api = new Hono<App>();

// --- connection tokens (publish key in the body; no Authorization header) --------
api.post('/auth/token', issueConnectionToken);
api.options('/auth/token', tokenPreflight);

// --- publishing and history (secret key) ---------------------------------------
api.post('/channels/:channel/messages', requireRole('secret'), async (c) => {
  const channel = channelName(c.req.param('channel'));
  const body = jsonBody(c);
  const key = idempotencyKeyOf(c.req.header('Idempotency-Key') ?? body.id, 'Idempotency-Key');
  return ok(c, await publishOne(c, channel, publishInput(body.content, body.eventType, 'content', 'eventType', key)), 201);
});

api.post('/publish', requireRole('secret'), async (c) => {
  const body = jsonBody(c);
  const channel = channelName(body.channel);
  const key = idempotencyKeyOf(c.req.header('Idempotency-Key') ?? body.id, 'Idempotency-Key');
  return ok(c, await publishOne(c, channel, publishInput(body.data, body.event, 'data', 'event', key)), 201);
});

/**
 * Up to 100 messages to one or more channels in one call. Everything is
 * validated before anything is published; per channel, order follows the
 * batch order (each channel's messages go in one step). Answers one result per
 * message, in request order.
 */
api.post('/batch', requireRole('secret'), async (c) => {
  const body = jsonBody(c);
  const items = body.messages;
  if (!Array.isArray(items) || items.length === 0 || items.length > MAX_BATCH)
    throw badRequest(ErrorCode.INVALID_REQUEST, `'messages' must be a list of 1 to ${MAX_BATCH} messages`);
  const byChannel = new Map<string, Array<{ index: number; input: PublishInput }>>();
  items.forEach((raw: unknown, index) => {
    const where = `messages[${index}]`;
    if (!isPlainObject(raw)) throw badRequest(ErrorCode.INVALID_REQUEST, `${where} must be an object`);
    const item = raw as Partial<BatchItem> & Record<string, unknown>;
    let channel: string;
    let input: PublishInput;
    try {
      channel = channelName(item.channel);
      input = publishInput(
        item.content ?? item.data,
        item.eventType ?? item.event,
        'content',
        'eventType',
        idempotencyKeyOf(item.id, 'id'),
      );
    } catch (err) {
      if (err instanceof HttpError) throw new HttpError(err.status, err.code, `${where}: ${err.message}`);
      throw err;
    }
    const list = byChannel.get(channel) ?? [];
    list.push({ index, input });
    byChannel.set(channel, list);
  });
  await rateLimit(c, items.length);
  const results: PublishResult[] = new Array(items.length);
  await Promise.all(
    [...byChannel].map(async ([channel, list]) => {
      const published = await channelStub(c.env, channel).publishMany(list.map((l) => l.input));
      for (const [i, l] of list.entries()) results[l.index] = published[i]!;
    }),
  );
  return ok(c, results, 201);
});

api.get('/channels/:channel/messages', requireRole('secret', 'history'), async (c) => {
  const channel = channelName(c.req.param('channel'));
  const page = intQuery(c.req.query('page'), 'page', 1, 1, 1_000_000);
  const pageSize = intQuery(c.req.query('pageSize'), 'pageSize', 25, 1, 100);
  const order = c.req.query('order') ?? 'asc';
  if (order !== 'asc' && order !== 'desc') throw badRequest(ErrorCode.INVALID_QUERY, "'order' must be 'asc' or 'desc'");
  const eventType = c.req.query('eventType');
  const { items, total } = await channelStub(c.env, channel).history({
    page,
    pageSize,
    order,
    eventType: eventType === undefined || eventType === '' ? undefined : eventTypeOf(eventType),
    after: optionalIntQuery(c.req.query('after'), 'after'),
    before: optionalIntQuery(c.req.query('before'), 'before'),
  });
  // Items and pagination both inside `data`, nothing beside it: the public SDK reads `data.items`.
  return ok<HistoryPage>(c, { items, pagination: pagination(page, pageSize, total) });
});

// --- channel management (management key) ---------------------------------------
api.get('/channels', requireRole('management'), async (c) => {
  const page = intQuery(c.req.query('page'), 'page', 1, 1, 1_000_000);
  const pageSize = intQuery(c.req.query('pageSize'), 'pageSize', 25, 1, 100);
  const { items, total } = await registry(c.env).list(page, pageSize);
  const infos = await Promise.all(items.map((r) => channelInfo(c.env, r)));
  return list(c, infos, page, pageSize, total);
});

api.post('/channels', requireRole('management'), async (c) => {
  const body = jsonBody(c);
  const slug = channelName(body.slug);
  const created = await registry(c.env).create(slug, channelPatch(slug, body));
  if (created === null) throw new HttpError(409, ErrorCode.CHANNEL_EXISTS, `channel '${slug}' already exists`);
  return ok(c, await channelInfo(c.env, created), 201);
});

api.get('/channels/:channel', requireRole('management'), async (c) => {
  const slug = channelName(c.req.param('channel'));
  const record = await registry(c.env).get(slug);
  if (record === null) throw notFound(slug);
  return ok(c, await channelInfo(c.env, record));
});

api.patch('/channels/:channel', requireRole('management'), async (c) => {
  const slug = channelName(c.req.param('channel'));
  const updated = await registry(c.env).update(slug, channelPatch(slug, jsonBody(c)));
  if (updated === null) throw notFound(slug);
  return ok(c, await channelInfo(c.env, updated));
});

api.delete('/channels/:channel', requireRole('management'), async (c) => {
  const slug = channelName(c.req.param('channel'));
  if (!(await registry(c.env).remove(slug))) throw notFound(slug);
  await channelStub(c.env, slug).reset();
  return ok(c, { slug, deleted: true });
});

// --- the broker's own statistics (secret key) -----------------------------------
api.get('/stats', requireRole('secret'), async (c) => ok(c, await statsStub(c.env).snapshot()));

app.route('/api/v1', api);

app.notFound((c) => {
  countWorkerError(c, ErrorCode.NOT_FOUND);
  return c.json({ success: false, error: `no route for ${c.req.method} ${new URL(c.req.url).pathname}`, code: ErrorCode.NOT_FOUND }, 404);
});

app.onError((err, c) => {
  if (err instanceof HttpError) {
    countWorkerError(c, err.code);
    return c.json(err.body(), err.status, err.headers);
  }
  countWorkerError(c, ErrorCode.INTERNAL);
  console.error('unhandled error', err);
  return c.json({ success: false, error: 'internal error', code: ErrorCode.INTERNAL }, 500);
});
