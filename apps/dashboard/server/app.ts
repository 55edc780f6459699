/**
 * The app's HTTP functions (hono): config for the browser, history backfill,
 * alert rules, health. Importing it starts the once-a-second schedule
 * (schedule.ts), in dev (Vite) and in production (main.ts) alike.
 */
import { Hono } from 'hono';
import { channelFor, type AppConfig, type ErrorAnswer } from '../shared/types.ts';
import { config } from './config.ts';
import { database } from './db.ts';
import { history } from './history.ts';
import { companies, rules } from './repo.ts';
import { startSchedule } from './schedule.ts';

const app = new Hono();

const fail = (error: string, code: string): ErrorAnswer => ({ error, code });

app.get('/api/health', (c) => {
  database();
  return c.json({ status: 'ok' });
});

app.get('/api/config', (c) =>
  c.json({
    baseUrl: config.baseUrl,
    publishKey: config.publishKey,
    companies: companies(),
    windowPoints: config.windowPoints,
  } satisfies AppConfig),
);

app.get('/api/rules', (c) => c.json({ rules: rules() }));

/** `?company=1&points=120`: recent points and alerts of that company's channel, oldest first. */
app.get('/api/history', async (c) => {
  const company = c.req.query('company') ?? '';
  if (!companies().some((x) => x.id === company)) return c.json(fail(`unknown company '${company}'`, 'UNKNOWN_COMPANY'), 404);
  const raw = c.req.query('points') ?? String(config.windowPoints);
  const points = Number(raw);
  if (!Number.isInteger(points) || points < 1 || points > 600)
    return c.json(fail("'points' must be an integer from 1 to 600", 'INVALID_QUERY'), 400);
  return c.json(await history(channelFor(company), points, 20));
});

// Unknown API paths answer JSON (in production the single-page app takes every other path).
app.all('/api/*', (c) => c.json(fail(`no route for ${c.req.method} ${c.req.path}`, 'NOT_FOUND'), 404));
app.notFound((c) => c.json(fail(`no route for ${c.req.method} ${c.req.path}`, 'NOT_FOUND'), 404));
app.onError((_err, c) => c.json(fail('internal error', 'INTERNAL'), 500));

database();
startSchedule();

export default app;
