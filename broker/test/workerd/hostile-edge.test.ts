/**
 * Hostile input at the edge, inside workerd: browser origins on /ws and /sse,
 * the token route as a key oracle and its per-address limit, and wildcard
 * capability patterns that would make a regular expression backtrack.
 * (Streamed oversized bodies against a real broker process: test/node/hostile-edge.test.ts.)
 */
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { Env } from '../../src/env';
import { originProblem } from '../../src/http/origins';
import { connect, fetchBroker, freshChannel, KEYS, token } from './helpers';

const e = env as unknown as Env;

async function json(res: Response): Promise<Record<string, unknown>> {
  return (await res.json()) as Record<string, unknown>;
}

describe('browser origins on /ws and /sse (ALLOWED_ORIGINS)', () => {
  const wsWith = (origin?: string) =>
    fetchBroker(`/ws?token=${KEYS.pub}`, {
      headers: origin === undefined ? { Upgrade: 'websocket' } : { Upgrade: 'websocket', Origin: origin },
    });
  const sseWith = (origin?: string) =>
    fetchBroker(`/sse?token=${KEYS.pub}&channel=${freshChannel('origin')}`, origin === undefined ? {} : { headers: { Origin: origin } });

  it('refuses a page on another origin with 403 ORIGIN_NOT_ALLOWED before the upgrade or the stream', async () => {
    for (const origin of ['https://evil.example', 'null', 'https://allowed.example.evil.example', 'http://broker.test.evil.example']) {
      const ws = await wsWith(origin);
      expect([origin, ws.status, ws.webSocket]).toEqual([origin, 403, null]);
      expect(await json(ws)).toMatchObject({ success: false, code: 'ORIGIN_NOT_ALLOWED' });
      const sse = await sseWith(origin);
      expect([origin, sse.status, sse.headers.get('Content-Type')]).toEqual([origin, 403, 'application/json']);
      expect(await json(sse)).toMatchObject({ success: false, code: 'ORIGIN_NOT_ALLOWED' });
    }
    // Also before the credential is looked at: a bad token from a bad origin hears about the origin.
    const res = await fetchBroker('/ws?token=nonsense', { headers: { Upgrade: 'websocket', Origin: 'https://evil.example' } });
    expect(res.status).toBe(403);
    // Frames and DELETE of a stream too (the connection id does not exist: the origin is refused first).
    const frames = await fetchBroker('/sse/frames?connection=sse_0_0123456789abcdef0123', {
      method: 'POST',
      headers: { Origin: 'https://evil.example', Authorization: 'Bearer x' },
      body: '{}',
    });
    expect(frames.status).toBe(403);
    expect(await json(frames)).toMatchObject({ code: 'ORIGIN_NOT_ALLOWED' });
  });

  it('lets in listed origins (exact, case-insensitive, `*` wildcards) and requests with no Origin (servers)', async () => {
    for (const origin of [
      undefined,
      'http://broker.test',
      'HTTP://Broker.Test',
      'https://app.allowed.example',
      'https://a.b.allowed.example',
    ]) {
      const ws = await wsWith(origin);
      expect([origin, ws.status]).toEqual([origin, 101]);
      ws.webSocket!.accept();
      ws.webSocket!.close(1000);
      const sse = await sseWith(origin);
      expect([origin, sse.status]).toEqual([origin, 200]);
      await sse.body?.cancel();
    }
    // Preflights are answered for every origin (the refusal comes with the real request).
    const preflight = await fetchBroker('/sse/frames', { method: 'OPTIONS', headers: { Origin: 'https://evil.example' } });
    expect(preflight.status).toBe(204);
  });

  it('unset, allows only pages on the broker’s own host; `*` allows every origin', () => {
    const request = (origin: string) => new Request('https://broker.example.com/ws', { headers: { Origin: origin } });
    const unset = { ...e, ALLOWED_ORIGINS: undefined } as Env;
    expect(originProblem(unset, request('https://broker.example.com'))).toBeNull();
    expect(originProblem(unset, request('https://app.example.com'))).toMatch(/allows only its own host/);
    expect(originProblem(unset, request('null'))).toMatch(/allows only its own host/);
    expect(originProblem(unset, new Request('https://broker.example.com/ws'))).toBeNull();
    const any = { ...e, ALLOWED_ORIGINS: '*' } as Env;
    expect(originProblem(any, request('https://app.example.com'))).toBeNull();
    // A bad entry is refused like every bad setting, naming it.
    expect(() => originProblem({ ...e, ALLOWED_ORIGINS: 'https://ok.example,https://bad.example/path' } as Env, request('x'))).toThrow(
      /ALLOWED_ORIGINS: "https:\/\/bad.example\/path" is not an origin/,
    );
  });
});

describe('the token route', () => {
  const ask = (publishKey: unknown, address?: string) =>
    fetchBroker('/api/v1/auth/token', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...(address === undefined ? {} : { 'CF-Connecting-IP': address }) },
      body: JSON.stringify({ publishKey, clientId: 'oracle' }),
    });

  it('answers every key that is not a valid publish key with the same 401 and body (no key oracle)', async () => {
    const address = `198.51.100.${Math.floor(Math.random() * 250)}`;
    const answers: Array<{ status: number; body: string }> = [];
    for (const key of ['pub_unknown', KEYS.sec, KEYS.mgmt, 'sec_unknown', 'mgmt_unknown', 'nonsense', `${KEYS.pub}x`]) {
      const res = await ask(key, address);
      answers.push({ status: res.status, body: await res.text() });
    }
    expect(new Set(answers.map((a) => JSON.stringify(a)))).toEqual(new Set([JSON.stringify(answers[0])]));
    expect(answers[0]!.status).toBe(401);
    expect(JSON.parse(answers[0]!.body)).toMatchObject({ success: false, code: 'INVALID_PUBLISH_KEY' });
    expect((await ask(KEYS.pub, address)).status).toBe(200);
  });

  it('is rate-limited per client address (CF-Connecting-IP) before the key is looked at, not per key only', async () => {
    const burst = Number(e.TOKEN_REQUESTS_PER_MINUTE ?? 60); // the default: 60 a minute, a minute's worth at once
    const address = `203.0.113.${Math.floor(Math.random() * 250)}`;
    const statuses: number[] = [];
    for (let i = 0; i <= burst; i++) {
      const res = await ask(i % 2 === 0 ? `pub_guess_${i}` : KEYS.pub, address);
      statuses.push(res.status);
      await res.body?.cancel();
    }
    expect(statuses.slice(0, burst).filter((s) => s !== 200 && s !== 401)).toEqual([]);
    const limited = await ask('pub_guess_more', address);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('Retry-After'))).toBeGreaterThanOrEqual(1);
    expect(await json(limited)).toMatchObject({ code: 'RATE_LIMITED', error: expect.stringContaining('for this address') });
    // The same valid key from another address is unaffected: one client cannot exhaust it for everyone.
    expect((await ask(KEYS.pub, `${address}1`)).status).toBe(200);
  });
});

describe('wildcard capability patterns', () => {
  it('a pattern that makes a RegExp backtrack is matched at once; the broker stays responsive', async () => {
    // The RegExp version stalled the whole broker 5.6 s on `*a*a*a*a*a*b`, and minutes on seven stars.
    const pattern = `${'*a'.repeat(30)}*b`;
    const socket = await connect(await token('wild', { [pattern]: ['subscribe'] }));
    await socket.nextOf('connected');
    const channel = `private-${'a'.repeat(120)}`;
    const started = Date.now();
    socket.send({ type: 'subscribe', channel });
    expect(await socket.nextOf('error')).toMatchObject({ code: 'FORBIDDEN', channel });
    expect((await fetchBroker('/health')).status).toBe(200);
    expect(Date.now() - started).toBeLessThan(2_000);
    // And it still grants what it matches.
    const granted = `private-${'a'.repeat(60)}b`;
    await socket.subscribe(granted);
    socket.close();
  });

  it('refuses a token with too many or too long patterns with TOKEN_MALFORMED at connect', async () => {
    const enc = (v: unknown) => btoa(JSON.stringify(v)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    const iat = Math.floor(Date.now() / 1000);
    const forged = async (cap: Record<string, string[]>) => {
      // Signed with the real key by hand, as a buggy minting server would (signToken refuses these claims).
      const body = `${enc({ alg: 'HS256', typ: 'JWT' })}.${enc({ sub: 'many', iat, exp: iat + 600, cap })}`;
      const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(KEYS.sec), { name: 'HMAC', hash: 'SHA-256' }, false, [
        'sign',
      ]);
      const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(body)));
      return `${body}.${btoa(String.fromCharCode(...mac))
        .replace(/\+/g, '-')
        .replace(/\//g, '_')
        .replace(/=+$/, '')}`;
    };
    const tooMany = Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`c${i}-*`, ['subscribe']]));
    for (const cap of [tooMany, { ['*a'.repeat(70)]: ['subscribe'] }]) {
      const socket = await connect(await forged(cap));
      expect(await socket.next()).toMatchObject({ type: 'error', code: 'TOKEN_MALFORMED' });
      await socket.waitForClose();
    }
  });
});
