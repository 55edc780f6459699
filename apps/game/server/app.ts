/**
 * The game's HTTP functions (hono): the same app runs under Vite in dev
 * (@hono/vite-dev-server) and under Node in production (server/main.ts).
 * Errors are `{error, code}` with a 4xx status; nothing internal leaks.
 */
import { Hono, type Context } from 'hono';
import { ApiError } from './errors.ts';
import {
  authenticate,
  claimCoin,
  createMatch,
  finishMatch,
  joinMatch,
  listMatches,
  reportPosition,
  snapshot,
  startMatch,
} from './matches.ts';
import { PUSHFLO_BASE_URL, playerToken } from './pushflo.ts';
import { receiveWebhook } from './webhooks.ts';

const app = new Hono();

/** Reads a JSON object body whose keys are exactly `allowed` (a forged `score` is refused, not ignored). */
async function body(c: Context, allowed: string[]): Promise<Record<string, unknown>> {
  let value: unknown;
  try {
    value = await c.req.json();
  } catch {
    throw new ApiError(400, 'INVALID_JSON', 'the body must be a JSON object');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new ApiError(400, 'INVALID_JSON', 'the body must be a JSON object');
  const extra = Object.keys(value).filter((k) => !allowed.includes(k));
  if (extra.length > 0) throw new ApiError(400, 'UNKNOWN_FIELD', `unexpected field '${extra[0]}': scores are decided by the server`);
  return value as Record<string, unknown>;
}

function name(value: unknown, what: string): string {
  const s = typeof value === 'string' ? value.trim() : '';
  if (s.length < 1 || s.length > 24) throw new ApiError(400, 'INVALID_NAME', `${what} must be 1–24 characters`);
  return s;
}

function coordinate(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new ApiError(400, 'INVALID_POSITION', `${what} must be a number`);
  return value;
}

const bearer = (c: Context) => c.req.header('authorization')?.replace(/^Bearer\s+/i, '');

app.get('/api/health', (c) => c.json({ status: 'ok' }));

/** The browser learns the broker's address at runtime, never at build time. */
app.get('/api/config', (c) => c.json({ baseUrl: PUSHFLO_BASE_URL }));

app.get('/api/matches', (c) => c.json({ matches: listMatches() }));

app.post('/api/matches', async (c) => {
  const b = await body(c, ['name']);
  return c.json({ match: createMatch(name(b.name, 'the match name')) }, 201);
});

app.post('/api/matches/:id/players', async (c) => {
  const b = await body(c, ['name']);
  const joined = await joinMatch(c.req.param('id'), name(b.name, 'your name'));
  return c.json(joined, 201);
});

app.post('/api/matches/:id/token', async (c) => {
  const matchId = c.req.param('id');
  const player = authenticate(matchId, bearer(c));
  return c.json({ token: await playerToken(matchId, player), baseUrl: PUSHFLO_BASE_URL });
});

app.get('/api/matches/:id/snapshot', async (c) => c.json(await snapshot(c.req.param('id'))));

app.post('/api/matches/:id/start', async (c) => {
  const matchId = c.req.param('id');
  authenticate(matchId, bearer(c));
  return c.json({ match: await startMatch(matchId) });
});

app.post('/api/matches/:id/position', async (c) => {
  const matchId = c.req.param('id');
  const player = authenticate(matchId, bearer(c));
  const b = await body(c, ['x', 'y']);
  reportPosition(player, { x: coordinate(b.x, 'x'), y: coordinate(b.y, 'y') });
  return c.body(null, 204);
});

app.post('/api/matches/:id/claims', async (c) => {
  const matchId = c.req.param('id');
  const player = authenticate(matchId, bearer(c));
  const b = await body(c, ['coinId', 'x', 'y']);
  if (typeof b.coinId !== 'string' || b.coinId.length > 64) throw new ApiError(400, 'INVALID_COIN', 'coinId must be a string');
  const event = await claimCoin(matchId, player.id, { coinId: b.coinId, x: coordinate(b.x, 'x'), y: coordinate(b.y, 'y') });
  return c.json({ score: event.scores[player.id] ?? 0, scores: event.scores }, 201);
});

/** Any client may ask once its timer runs out; only the first call after the end publishes `game-ended`. */
app.post('/api/matches/:id/finish', async (c) => {
  const result = await finishMatch(c.req.param('id'));
  if (result === null) throw new ApiError(409, 'MATCH_NOT_OVER', 'the match is not over yet');
  return c.json({ result });
});

/** The broker's webhooks (WEBHOOK_URL in ./dev points here): an abandoned match ends on `channel_vacated`. */
app.post('/api/webhooks', async (c) => c.json(await receiveWebhook(await c.req.text(), c.req.header('X-Switchyard-Signature') ?? null)));

app.notFound((c) => c.json({ error: 'not found', code: 'NOT_FOUND' }, 404));

app.onError((err, c) => {
  if (err instanceof ApiError) return c.json({ error: err.message, code: err.code }, err.status);
  const status = (err as { status?: unknown }).status;
  if (typeof status === 'number' && status >= 500)
    return c.json({ error: 'the broker is unavailable, try again', code: 'BROKER_UNAVAILABLE' }, 503);
  return c.json({ error: 'internal error', code: 'INTERNAL' }, 500);
});

export default app;
