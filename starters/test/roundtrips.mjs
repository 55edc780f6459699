/**
 * One real round trip per app, through the app's own HTTP functions and the
 * broker's WebSocket (raw frames, as the protocol spells them): what a user
 * of the starter does first.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';

/** A socket to the broker that keeps every frame and can wait for one. */
export async function brokerSocket(brokerUrl, token) {
  const ws = new WebSocket(`${brokerUrl.replace(/^http/, 'ws')}/ws?token=${encodeURIComponent(token)}`);
  const frames = [];
  const waiters = new Set();
  ws.addEventListener('message', (event) => {
    frames.push(JSON.parse(String(event.data)));
    for (const check of [...waiters]) check();
  });
  const waitFor = (what, predicate, timeoutMs = 30_000) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        waiters.delete(check);
        const seen = frames.map((f) => (f.eventType ? `${f.type}:${f.eventType}` : f.type)).join(', ');
        reject(new Error(`no ${what} within ${timeoutMs} ms (frames: ${seen || 'none'})`));
      }, timeoutMs);
      const check = () => {
        const frame = frames.find(predicate);
        if (frame === undefined) return;
        clearTimeout(timer);
        waiters.delete(check);
        resolve(frame);
      };
      waiters.add(check);
      check();
    });
  await waitFor('connected frame', (f) => f.type === 'connected' || f.type === 'error');
  const refused = frames.find((f) => f.type === 'error');
  if (refused) throw new Error(`the broker refused the socket: ${refused.code} ${refused.error}`);
  return {
    frames,
    waitFor,
    async subscribe(channel) {
      ws.send(JSON.stringify({ type: 'subscribe', channel }));
      const f = await waitFor(`subscribed to ${channel}`, (x) => (x.type === 'subscribed' || x.type === 'error') && x.channel === channel);
      if (f.type === 'error') throw new Error(`subscribe to ${channel} refused: ${f.code} ${f.error}`);
    },
    close: () => ws.close(),
  };
}

async function call(base, path, { method = 'GET', body, headers = {} } = {}) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(90_000), // a dev server compiles a route on its first request
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${text.slice(0, 300)}`);
  return { json: text ? JSON.parse(text) : null, res };
}

/** Chat: two people sign in; one sends in #general, the other's socket gets it. */
async function chat({ app, broker }) {
  const ana = await call(app, '/api/session', { method: 'POST', body: { name: `Ana ${randomUUID().slice(0, 6)}` } });
  const anaCookie = ana.res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const ben = await call(app, '/api/session', { method: 'POST', body: { name: `Ben ${randomUUID().slice(0, 6)}` } });
  const benCookie = ben.res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  assert.equal(ben.json.brokerUrl, broker, 'the app tells browsers the broker npm run dev started');
  const { json: tokenAnswer } = await call(app, '/api/token', { method: 'POST', headers: { cookie: benCookie } });
  const socket = await brokerSocket(broker, tokenAnswer.token);
  try {
    await socket.subscribe('chat:room-general');
    const text = `hello from the starter test ${randomUUID()}`;
    const sent = await call(app, '/api/rooms/general/messages', {
      method: 'POST',
      headers: { cookie: anaCookie },
      body: { key: randomUUID(), text },
    });
    assert.equal(sent.res.status, 201);
    const frame = await socket.waitFor(
      'message-sent with the text',
      (f) => f.type === 'message' && f.eventType === 'message-sent' && JSON.stringify(f.data).includes(text),
    );
    assert.equal(frame.channel, 'chat:room-general');
  } finally {
    socket.close();
  }
}

/** Orders: a customer's socket (token from the app) sees the order the shop creates. */
async function orders({ app, broker }) {
  const { json } = await call(app, '/api/token?userId=1', { method: 'POST' });
  const socket = await brokerSocket(broker, json.token);
  try {
    await socket.subscribe('private:orders:user-1');
    const created = await call(app, '/api/orders', { method: 'POST', body: { userId: '1', item: 'Starter test kit', totalCents: 4200 } });
    const { order, notified } = created.json;
    assert.equal(notified, true, 'the broker accepted the order-placed publish');
    const frame = await socket.waitFor(
      `order-placed for ${order.id}`,
      (f) => f.type === 'message' && f.eventType === 'order-placed' && f.data?.orderId === order.id,
    );
    assert.equal(frame.data.status, 'placed');
  } finally {
    socket.close();
  }
}

/** Dashboard: with the publish key the app hands browsers, a metrics-update of the broker's own statistics arrives. */
async function dashboard({ app, broker }) {
  const { json: config } = await call(app, '/api/config');
  assert.equal(config.baseUrl, broker, 'the app tells browsers the broker npm run dev started');
  const socket = await brokerSocket(broker, config.publishKey);
  try {
    await socket.subscribe('dashboard:company-1');
    const frame = await socket.waitFor('metrics-update', (f) => f.type === 'message' && f.eventType === 'metrics-update');
    assert.equal(typeof frame.data, 'object');
  } finally {
    socket.close();
  }
}

/** Game: a player joins a new match and subscribes; a second player joining arrives as player-joined. */
async function game({ app, broker }) {
  const { json: created } = await call(app, '/api/matches', { method: 'POST', body: { name: 'Starter test' } });
  const matchId = created.match.id;
  const { json: ana } = await call(app, `/api/matches/${matchId}/players`, { method: 'POST', body: { name: 'Ana' } });
  const { json: tokenAnswer } = await call(app, `/api/matches/${matchId}/token`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ana.key}` },
  });
  assert.equal(tokenAnswer.baseUrl, broker, 'the app tells browsers the broker npm run dev started');
  const socket = await brokerSocket(broker, tokenAnswer.token);
  try {
    await socket.subscribe(`game:match-${matchId}`);
    const { json: ben } = await call(app, `/api/matches/${matchId}/players`, { method: 'POST', body: { name: 'Ben' } });
    const frame = await socket.waitFor(
      'player-joined for Ben',
      (f) => f.type === 'message' && f.eventType === 'player-joined' && f.data?.player?.id === ben.player.id,
    );
    assert.equal(frame.data.player.name, 'Ben');
  } finally {
    socket.close();
  }
}

export const ROUND_TRIPS = { chat, orders, dashboard, game };
