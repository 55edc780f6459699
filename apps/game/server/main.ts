/**
 * Production server: the built front end from dist/ and the API, on
 * 127.0.0.1:3004 (PORT to move it). Also ends expired matches every second,
 * standing in for a scheduled function.
 */
import { serve } from '@hono/node-server';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import { relative } from 'node:path';
import api from './app.ts';
import { config } from './config.ts';
import { finishExpiredMatches } from './matches.ts';

const port = config.port;
const root = relative(process.cwd(), `${import.meta.dirname}/../dist`) || '.';

const app = new Hono();
app.route('/', api);
app.use('/*', serveStatic({ root }));
app.get('/*', serveStatic({ root, path: 'index.html' }));

const timer = setInterval(() => void finishExpiredMatches(), 1000);
const server = serve({ fetch: app.fetch, port, hostname: '127.0.0.1' }, () => {
  console.log(`game listening on http://127.0.0.1:${port}`);
});

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    clearInterval(timer);
    server.close(() => process.exit(0));
  });
}
