import { describe, expect, it } from 'vitest';
import { api, connect, fetchBroker, freshChannel, KEYS } from './helpers';
import { checkKey } from '../../src/auth';

describe('keys', () => {
  const path = () => `/channels/${encodeURIComponent(freshChannel('auth'))}/messages`;

  it('accepts secret and management keys for publishing', async () => {
    expect((await api('POST', path(), { content: { a: 1 } }, KEYS.sec)).status).toBe(201);
    expect((await api('POST', path(), { content: { a: 1 } }, KEYS.mgmt)).status).toBe(201);
  });

  it('refuses publishing with a publish key: 403 FORBIDDEN', async () => {
    const res = await api('POST', path(), { content: { a: 1 } }, KEYS.pub);
    expect(res.status).toBe(403);
    expect(res.json).toMatchObject({ success: false, code: 'FORBIDDEN' });
  });

  it('refuses unknown and missing keys: 401 UNAUTHORIZED', async () => {
    for (const key of ['sec_wrong', 'pub_local_dev_x', 'mgmt_', 'nonsense']) {
      const res = await api('POST', path(), { content: { a: 1 } }, key);
      expect(res.status, key).toBe(401);
      expect(res.json).toMatchObject({ success: false, code: 'UNAUTHORIZED' });
    }
    const res = await fetchBroker(`/api/v1${path()}`, { method: 'POST', body: '{"content":{}}' });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ code: 'UNAUTHORIZED', error: expect.stringContaining('Authorization: Bearer') });
  });

  it('keeps channel management to management keys', async () => {
    expect((await api('GET', '/channels', undefined, KEYS.sec)).status).toBe(403);
    expect((await api('GET', '/channels', undefined, KEYS.mgmt)).status).toBe(200);
  });

  it('keeps history to secret keys', async () => {
    expect((await api('GET', path(), undefined, KEYS.pub)).status).toBe(403);
    expect((await api('GET', path(), undefined, KEYS.sec)).status).toBe(200);
  });

  it('matches a key only under its own role', async () => {
    // A key listed as a secret key but carrying the publish prefix is not accepted.
    const check = await checkKey({ SECRET_KEYS: 'pub_mislabelled, sec_good' }, 'pub_mislabelled');
    expect(check).toEqual({ ok: false, reason: 'unknown' });
    expect(await checkKey({ SECRET_KEYS: 'pub_mislabelled, sec_good' }, 'sec_good')).toMatchObject({ ok: true, role: 'secret' });
  });

  it('accepts dev keys only when ALLOW_DEV_KEYS is true', async () => {
    expect(await checkKey({}, 'sec_local_dev')).toEqual({ ok: false, reason: 'not_configured' });
    expect(await checkKey({ SECRET_KEYS: 'sec_prod' }, 'sec_local_dev')).toEqual({ ok: false, reason: 'unknown' });
    expect(await checkKey({ ALLOW_DEV_KEYS: 'true' }, 'sec_local_dev')).toMatchObject({ ok: true, role: 'secret' });
  });
});

describe('socket auth', () => {
  it('sends an UNAUTHORIZED error frame and closes (terminal code) for a bad token', async () => {
    for (const token of ['pub_nope', '']) {
      const s = await connect(token);
      const frame = await s.next();
      expect(frame).toMatchObject({ type: 'error', code: 'UNAUTHORIZED' });
      const closed = await s.waitForClose();
      expect(closed.code).toBe(4500);
    }
  });

  it('accepts publish, secret and management keys', async () => {
    for (const token of [KEYS.pub, KEYS.sec, KEYS.mgmt]) {
      const s = await connect(token);
      expect(await s.next()).toMatchObject({ type: 'connected', protocol: 1, clientId: expect.stringMatching(/^client_/) });
      s.close();
    }
  });

  it('refuses an unsupported protocol version with a terminal close', async () => {
    const s = await connect(KEYS.pub, '&v=99');
    expect(await s.next()).toMatchObject({ type: 'error', code: 'UNSUPPORTED_PROTOCOL' });
    expect((await s.waitForClose()).code).toBe(4501);
  });

  it('answers a plain GET on /ws with 426 and a hint', async () => {
    const res = await fetchBroker('/ws?token=pub_local_dev');
    expect(res.status).toBe(426);
    expect(await res.json()).toMatchObject({ success: false, code: 'INVALID_REQUEST' });
  });
});
