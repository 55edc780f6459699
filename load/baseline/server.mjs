#!/usr/bin/env node
/**
 * The bare baseline: a minimal Node `ws` fan-out server speaking the same wire
 * protocol subset the load scripts use (connected, subscribe with resume,
 * message frames with seq, ping, HTTP publish, latest-seq history). In-memory
 * and single-process: what "as fast as a plain socket server" means here, so
 * the broker's figures have something honest to be compared with.
 *
 *   PORT=8790 node load/baseline/server.mjs
 */
import { createServer } from 'node:http';
import { WebSocketServer } from 'ws';

const port = Number(process.env.PORT ?? 8790);
/** Self-check only: drop every Nth delivery, to prove the load scripts catch loss. 0 = never. */
const dropEvery = Number(process.env.BASELINE_DROP_EVERY ?? 0);
let deliveries = 0;
/** channel → { seq, history: string[] (frames by seq-1), subs: Set<ws> } */
const channels = new Map();
const channelOf = (name) => {
  let c = channels.get(name);
  if (!c) {
    c = { seq: 0, history: [], subs: new Set() };
    channels.set(name, c);
  }
  return c;
};
const json = (res, status, body) => {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
};

const server = createServer((req, res) => {
  const url = new URL(req.url, 'http://x');
  if (url.pathname === '/health') return json(res, 200, { status: 'ok', service: 'baseline' });
  const m = /^\/api\/v1\/channels\/([^/]+)\/messages$/.exec(url.pathname);
  if (!m) return json(res, 404, { success: false, error: 'not found', code: 'NOT_FOUND' });
  const name = decodeURIComponent(m[1]);
  if (req.method === 'GET') {
    const c = channelOf(name);
    return json(res, 200, {
      success: true,
      data: c.seq ? [{ seq: c.seq }] : [],
      pagination: { page: 1, pageSize: 1, total: c.seq, totalPages: c.seq },
    });
  }
  let body = '';
  req.on('data', (d) => (body += d));
  req.on('end', () => {
    const { content, eventType = 'message' } = JSON.parse(body);
    const c = channelOf(name);
    const seq = ++c.seq;
    const id = `msg_${seq}`;
    const frame = JSON.stringify({
      type: 'message',
      channel: name,
      messageId: id,
      eventType,
      clientId: 'server',
      data: content,
      timestamp: Date.now(),
      seq,
    });
    c.history.push(frame);
    for (const ws of c.subs) {
      if (dropEvery > 0 && ++deliveries % dropEvery === 0) continue;
      ws.send(frame);
    }
    json(res, 201, { success: true, data: { id, channelSlug: name, delivered: c.subs.size, seq } });
  });
});

const wss = new WebSocketServer({ server, path: '/ws' });
let nextId = 0;
wss.on('connection', (ws) => {
  const mine = new Set();
  ws.send(JSON.stringify({ type: 'connected', clientId: `client_${++nextId}`, timestamp: Date.now(), protocol: 1 }));
  ws.on('message', (raw) => {
    let f;
    try {
      f = JSON.parse(raw.toString());
    } catch {
      return ws.send(JSON.stringify({ type: 'error', error: 'not JSON', code: 'INVALID_JSON' }));
    }
    if (f.type === 'ping') return ws.send('{"type":"pong"}');
    if (f.type === 'subscribe') {
      const c = channelOf(f.channel);
      c.subs.add(ws);
      mine.add(c);
      const resume = Number.isInteger(f.lastSeq);
      ws.send(
        JSON.stringify({
          type: 'subscribed',
          channel: f.channel,
          seq: c.seq,
          epoch: 'baseline',
          ...(resume ? { recovered: true, replayed: c.seq - f.lastSeq } : {}),
        }),
      );
      if (resume) for (let s = f.lastSeq + 1; s <= c.seq; s++) ws.send(c.history[s - 1]);
    } else if (f.type === 'unsubscribe') {
      const c = channelOf(f.channel);
      c.subs.delete(ws);
      mine.delete(c);
      ws.send(JSON.stringify({ type: 'unsubscribed', channel: f.channel }));
    }
  });
  ws.on('close', () => {
    for (const c of mine) c.subs.delete(ws);
  });
});

server.listen(port, '127.0.0.1', () => console.log(`baseline ready on http://127.0.0.1:${port}`));
for (const s of ['SIGINT', 'SIGTERM']) process.on(s, () => process.exit(0));
