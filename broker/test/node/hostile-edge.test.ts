/**
 * Hostile input at the edge, against a real broker process (the deploy bundle
 * on workerd): bodies with no length, streamed until the broker answers. Each
 * is refused at its route's limit with 413 PAYLOAD_TOO_LARGE while most of it
 * is still unsent, before auth and before parsing, and the broker's memory
 * does not grow by it. (The workerd suite's hostile-edge.test.ts has the rest.)
 */
import { request } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYS, startBroker, tempStateDir, workerdRss, type Broker } from './broker';

const MiB = 2 ** 20;
const cleanups: Array<() => Promise<void> | void> = [];
let broker: Broker;
beforeAll(async () => {
  const state = tempStateDir();
  cleanups.push(state.remove);
  broker = await startBroker(state.dir);
  cleanups.push(() => broker.stop());
});
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

interface Streamed {
  status: number;
  json: { success?: boolean; code?: string };
  /** Bytes written when the answer's headers arrived. */
  sentBeforeAnswer: number;
}

/**
 * POSTs a chunked body (no Content-Length) of up to `total` bytes in 64 KB
 * chunks over a raw socket, waiting for it to drain between them, and stops
 * writing as soon as the broker's answer starts. (A raw socket, because the
 * broker may close the connection while the body is still being written, and
 * Node's HTTP client then reports the write's EPIPE instead of the answer.)
 */
function streamBody(path: string, total: number, headers: Record<string, string> = {}): Promise<Streamed> {
  const url = new URL(broker.url);
  const chunk = Buffer.alloc(64 * 1024, 'x');
  const framed = Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]);
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered: number | null = null;
    const received: Buffer[] = [];
    const socket = connect(Number(url.port), url.hostname);
    socket.on('data', (d: Buffer) => {
      received.push(d);
      if (answered === null && Buffer.concat(received).includes('\r\n\r\n')) {
        answered = sent;
        socket.end();
      }
    });
    socket.on('error', () => undefined); // EPIPE / ECONNRESET once the broker has answered and closed
    socket.on('close', () => {
      const text = Buffer.concat(received).toString('utf8');
      const [head = '', ...rest] = text.split('\r\n\r\n');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0);
      let body = rest.join('\r\n\r\n');
      if (/transfer-encoding: chunked/i.test(head)) body = body.replace(/^[0-9a-f]+\r\n/i, '').replace(/\r\n0\r\n\r\n$/, '');
      try {
        resolve({ status, json: JSON.parse(body) as Streamed['json'], sentBeforeAnswer: answered ?? sent });
      } catch {
        reject(new Error(`no JSON answer after ${sent} bytes: ${text.slice(0, 300)}`));
      }
    });
    const extra = Object.entries(headers)
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join('');
    socket.write(
      `POST ${path} HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n${extra}\r\n`,
    );
    const pump = () => {
      while (answered === null && sent < total && !socket.destroyed) {
        sent += chunk.length;
        if (!socket.write(framed)) {
          socket.once('drain', pump);
          return;
        }
      }
      if (answered === null && !socket.destroyed) socket.end('0\r\n\r\n');
    };
    pump();
  });
}

describe('request bodies are read through a streaming limit', () => {
  it('refuses a chunked 100 MB body with 413 PAYLOAD_TOO_LARGE at the limit, on the token, SSE-frames and publish routes, without growing', async () => {
    const rssBefore = workerdRss(broker);
    const routes: Array<[string, Record<string, string>]> = [
      ['/api/v1/auth/token', {}], // no auth at all
      ['/sse/frames?connection=sse_0_0123456789abcdef0123', { Authorization: 'Bearer nope' }], // no such stream
      ['/api/v1/channels/edge:big/messages', {}], // no key: the size is refused before auth is looked at
      ['/api/v1/channels/edge:big/messages', { Authorization: `Bearer ${KEYS.sec}` }],
      ['/api/v1/batch', { Authorization: `Bearer ${KEYS.sec}` }], // the 1 MB route
    ];
    let peak = rssBefore;
    for (const [path, headers] of routes) {
      const res = await streamBody(path, 100 * MiB, headers);
      expect([path, res.status, res.json]).toEqual([path, 413, expect.objectContaining({ success: false, code: 'PAYLOAD_TOO_LARGE' })]);
      // Answered at the limit (64 KB, 256 KB or 1 MB, plus what the sockets buffer), not after reading 100 MB.
      expect(res.sentBeforeAnswer, path).toBeLessThan(16 * MiB);
      peak = Math.max(peak, workerdRss(broker));
    }
    // Reading the bodies whole grew workerd by 160–200 MiB each.
    const grewMiB = (peak - rssBefore) / MiB;
    expect(grewMiB).toBeLessThan(32);
    expect((await fetch(`${broker.url}/health`)).status).toBe(200);
  });

  it('refuses a declared Content-Length over the limit without reading the body', async () => {
    const res = await new Promise<{ status: number; code: string }>((resolve, reject) => {
      const req = request(new URL('/api/v1/auth/token', broker.url), {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Content-Length': String(100 * MiB) },
      });
      req.on('response', (r) => {
        const parts: Buffer[] = [];
        r.on('data', (d: Buffer) => parts.push(d));
        r.on('end', () => {
          req.destroy();
          resolve({ status: r.statusCode ?? 0, code: (JSON.parse(Buffer.concat(parts).toString()) as { code: string }).code });
        });
      });
      req.on('error', reject);
      req.write('{"publishKey":'); // then nothing: the answer must not wait for the other 100 MB
    });
    expect(res).toEqual({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
  });

  it('still takes a chunked body under the limit', async () => {
    const body = JSON.stringify({ publishKey: KEYS.pub, clientId: 'edge-chunked' });
    const res = await new Promise<{ status: number; json: { data?: { clientId?: string } } }>((resolve, reject) => {
      const req = request(new URL('/api/v1/auth/token', broker.url), { method: 'POST', headers: { 'Content-Type': 'application/json' } });
      req.on('response', (r) => {
        const parts: Buffer[] = [];
        r.on('data', (d: Buffer) => parts.push(d));
        r.on('end', () => resolve({ status: r.statusCode ?? 0, json: JSON.parse(Buffer.concat(parts).toString()) }));
      });
      req.on('error', reject);
      // Three chunks, no Content-Length.
      req.write(body.slice(0, 5));
      req.write(body.slice(5, 20));
      req.end(body.slice(20));
    });
    expect(res.status).toBe(200);
    expect(res.json.data?.clientId).toBe('edge-chunked');
  });
});
