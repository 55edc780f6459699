#!/usr/bin/env node
/**
 * The naive Durable Object baseline: the simplest broker one would write on
 * workerd. One Worker, one Durable Object holding every socket (accepted with
 * `accept()`, so the object stays in memory) and every channel in memory (no
 * storage, no history beyond the latest seq, no shards, no auth, no
 * statistics, no hibernation); a publish is one call to the object, which
 * sends the frame to each subscriber. Served the same way `pnpm broker`
 * serves the broker (Miniflare, one workerd, the Worker on a direct socket),
 * so `pnpm load:compare` measures what the broker's design costs on the same
 * runtime. Speaks the subset of the protocol the load scripts use (like
 * server.mjs).
 *
 * NAIVE_HIBERNATE=1 accepts the sockets with the Hibernation API instead (as the
 * broker does; channels kept in each socket's attachment across hibernation).
 *
 *   PORT=8791 node load/baseline/naive-do.mjs
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
// Miniflare is the broker's dev dependency: resolve it from there.
const require = createRequire(join(HERE, '..', '..', 'broker', 'package.json'));
const { convertV4MiniflareOptions, Log, LogLevel, Miniflare } = await import(require.resolve('miniflare'));

const script = `
import { DurableObject } from 'cloudflare:workers';
const HIBERNATE = ${process.env.NAIVE_HIBERNATE === '1'};

export class Hub extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    /** channel -> { seq, subs: Set<WebSocket> } */
    this.channels = new Map();
    this.nextId = 0;
    if (HIBERNATE) {
      // Woken from hibernation: the sockets' channels are in their attachments.
      for (const ws of ctx.getWebSockets()) for (const name of ws.deserializeAttachment() ?? []) this.channel(name).subs.add(ws);
    }
  }
  webSocketMessage(ws, raw) { this.onMessage(ws, raw); if (HIBERNATE) this.remember(ws); }
  webSocketClose(ws) { for (const c of this.channels.values()) c.subs.delete(ws); }
  remember(ws) {
    const mine = [];
    for (const [name, c] of this.channels) if (c.subs.has(ws)) mine.push(name);
    ws.serializeAttachment(mine);
  }
  channel(name) {
    let c = this.channels.get(name);
    if (!c) { c = { seq: 0, subs: new Set() }; this.channels.set(name, c); }
    return c;
  }
  async fetch(request) {
    const pair = new WebSocketPair();
    const ws = pair[1];
    if (HIBERNATE) {
      this.ctx.acceptWebSocket(ws);
      ws.serializeAttachment([]);
    } else {
      ws.accept();
      ws.addEventListener('message', (e) => this.onMessage(ws, e.data));
      const gone = () => { for (const c of this.channels.values()) c.subs.delete(ws); };
      ws.addEventListener('close', gone);
      ws.addEventListener('error', gone);
    }
    pair[1].send(JSON.stringify({ type: 'connected', clientId: 'client_' + ++this.nextId, timestamp: Date.now(), protocol: 1 }));
    return new Response(null, { status: 101, webSocket: pair[0] });
  }
  publish(name, eventType, content) {
    const c = this.channel(name);
    const seq = ++c.seq;
    const id = 'msg_' + seq;
    const frame = JSON.stringify({ type: 'message', channel: name, messageId: id, eventType, clientId: 'server', data: content, timestamp: Date.now(), seq });
    for (const ws of c.subs) { try { ws.send(frame); } catch {} }
    return { id, channelSlug: name, delivered: c.subs.size, seq };
  }
  latest(name) { return this.channel(name).seq; }
  onMessage(ws, raw) {
    let f;
    try { f = JSON.parse(raw); } catch { return; }
    if (f.type === 'ping') return ws.send('{"type":"pong"}');
    if (f.type === 'subscribe') {
      const c = this.channel(f.channel);
      c.subs.add(ws);
      ws.send(JSON.stringify({ type: 'subscribed', channel: f.channel, seq: c.seq, epoch: 'naive' }));
    } else if (f.type === 'unsubscribe') {
      this.channel(f.channel).subs.delete(ws);
      ws.send(JSON.stringify({ type: 'unsubscribed', channel: f.channel }));
    }
  }
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const hub = env.HUB.get(env.HUB.idFromName('hub'));
    if (url.pathname === '/health') return Response.json({ status: 'ok', service: 'naive-do' });
    if (url.pathname === '/ws') return hub.fetch(request);
    const m = /^\\/api\\/v1\\/channels\\/([^/]+)\\/messages$/.exec(url.pathname);
    if (!m) return Response.json({ success: false, error: 'not found', code: 'NOT_FOUND' }, { status: 404 });
    const name = decodeURIComponent(m[1]);
    if (request.method === 'GET') {
      const seq = await hub.latest(name);
      return Response.json({ success: true, data: seq ? [{ seq }] : [], pagination: { page: 1, pageSize: 1, total: seq, totalPages: seq } });
    }
    const { content, eventType = 'message' } = await request.json();
    return Response.json({ success: true, data: await hub.publish(name, eventType, content) }, { status: 201 });
  },
};
`;

const host = '127.0.0.1';
const port = Number(process.env.PORT ?? 8791);
const mf = new Miniflare(
  convertV4MiniflareOptions({
    host,
    port: 0,
    log: new Log(LogLevel.WARN),
    name: 'naive',
    modules: true,
    script,
    compatibilityDate: '2026-10-01',
    cf: false, // offline: no Request.cf fetch
    durableObjects: { HUB: { className: 'Hub' } },
    unsafeDirectSockets: [{ host, port, entrypoint: 'default', proxy: false }],
  }),
);
await mf.ready;
console.log(`naive Durable Object baseline ready on http://${host}:${port}`);
const stop = async () => {
  await mf.dispose().catch(() => undefined);
  process.exit(0);
};
for (const s of ['SIGINT', 'SIGTERM']) process.on(s, stop);
