/**
 * A webhook receiver for tests: a real Node HTTP server that records every
 * POST (headers and raw body) and answers from a script. Tests in Node use it
 * directly; tests inside workerd read `GET /log` and set `POST /script`
 * over HTTP.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedPost {
  path: string;
  at: number;
  signature: string | null;
  contentType: string | null;
  body: string;
  /** What the receiver answered (0: it never did). */
  status: number;
}

export interface WebhookReceiver {
  url: string;
  posts: ReceivedPost[];
  /** Status answered for the next POSTs, one per POST (then 204); `'hang'` never answers. */
  script: Array<number | 'hang'>;
  /** POSTs being held without an answer right now. */
  hanging(): number;
  close(): Promise<void>;
}

const MAX_POSTS = 20_000;
const header = (h: IncomingHttpHeaders, name: string) => {
  const v = h[name];
  return typeof v === 'string' ? v : null;
};

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const posts: ReceivedPost[] = [];
  const hung = new Set<() => void>();
  const receiver: WebhookReceiver = { url: '', posts, script: [], hanging: () => hung.size, close: async () => undefined };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      if (req.method === 'GET' && req.url === '/log') {
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(posts));
        return;
      }
      if (req.method === 'POST' && req.url === '/script') {
        receiver.script.push(...(JSON.parse(body) as Array<number | 'hang'>));
        res.writeHead(204).end();
        return;
      }
      const next = receiver.script.shift() ?? 204;
      posts.push({
        path: req.url ?? '',
        at: Date.now(),
        signature: header(req.headers, 'x-switchyard-signature'),
        contentType: header(req.headers, 'content-type'),
        body,
        status: next === 'hang' ? 0 : next,
      });
      if (posts.length > MAX_POSTS) posts.splice(0, posts.length - MAX_POSTS);
      if (next === 'hang') {
        const drop = () => res.destroy();
        hung.add(drop);
        res.on('close', () => hung.delete(drop));
      } else res.writeHead(next).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.unref();
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  receiver.close = () =>
    new Promise<void>((resolve) => {
      for (const h of hung) h();
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return receiver;
}
