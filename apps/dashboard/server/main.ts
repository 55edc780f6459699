/**
 * Production server: the built front end from dist/ and the API, on one port
 * (127.0.0.1:3002 by default). `pnpm start` after `pnpm build`.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import api from './app.ts';
import { config } from './config.ts';

const DIST = fileURLToPath(new URL('../dist/', import.meta.url));
const indexHtml = readFileSync(`${DIST}index.html`, 'utf8');

const app = new Hono();
app.route('/', api);
app.use('/assets/*', serveStatic({ root: DIST, onFound: (_path, c) => c.header('Cache-Control', 'public, max-age=31536000, immutable') }));
app.use('*', serveStatic({ root: DIST }));
// Every other path is the single-page app.
app.get('*', (c) => c.html(indexHtml));

const server = serve({ fetch: app.fetch, port: config.port, hostname: '127.0.0.1' }, (info) => {
  console.log(`dashboard: listening on http://127.0.0.1:${info.port}`);
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
