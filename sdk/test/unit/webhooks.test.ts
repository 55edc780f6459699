import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { verifyWebhook, WebhookVerificationError, type WebhookEvent, type WebhookFailure } from '../../src/server/webhooks.js';
import { signWebhook } from '../../src/protocol/index.js';
import { PushFloError } from '../../src/errors.js';

const SECRET = 'whsec_test';
const payload = {
  timeMs: 1_700_000_000_500,
  events: [
    { id: 'evt_1', name: 'channel_occupied', channel: 'chat:general', timeMs: 1_700_000_000_000 },
    { id: 'evt_2', name: 'member_removed', channel: 'chat:general', timeMs: 1_700_000_000_100, clientId: 'ana', info: { name: 'Ana' } },
    {
      id: 'evt_3',
      name: 'client_event',
      channel: 'chat:general',
      timeMs: 1_700_000_000_200,
      event: 'typing',
      clientId: 'ana',
      data: { on: true },
      messageId: 'msg_1',
    },
  ],
};
const body = JSON.stringify(payload);
/** The delivery's signed time, and the receiver's clock a second later. */
const T = payload.timeMs;
const NOW = { now: T + 1_000 };
const sign = (text: string, t = T) => signWebhook(text, SECRET, t);

async function refused(promise: Promise<unknown>): Promise<WebhookFailure> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(WebhookVerificationError);
    expect(err).toBeInstanceOf(PushFloError);
    return (err as WebhookVerificationError).code;
  }
  throw new Error('expected verifyWebhook to refuse');
}

describe('verifyWebhook', () => {
  it('signs as t=<ms>,sha256=<hex HMAC-SHA256 of "<t>.<raw body>"> (the same as node:crypto)', async () => {
    const expected = `t=${T},sha256=${createHmac('sha256', SECRET).update(`${T}.${body}`).digest('hex')}`;
    expect(await signWebhook(body, SECRET, T)).toBe(expected);
    // Without a time, now.
    const before = Date.now();
    const t = Number(/^t=(\d+),/.exec(await signWebhook(body, SECRET))![1]);
    expect(t).toBeGreaterThanOrEqual(before);
    expect(t).toBeLessThanOrEqual(Date.now());
  });

  it('returns the typed payload for a correctly signed body', async () => {
    const result = await verifyWebhook(body, await sign(body), SECRET, NOW);
    expect(result).toEqual(payload);
    const removed = result.events.find((e): e is Extract<WebhookEvent, { name: 'member_removed' }> => e.name === 'member_removed');
    expect(removed?.clientId).toBe('ana');
    expect(removed?.info).toEqual({ name: 'Ana' });
  });

  it('accepts the body as bytes or an ArrayBuffer, and upper-case hex', async () => {
    const signature = await sign(body);
    const bytes = new TextEncoder().encode(body);
    expect(await verifyWebhook(bytes, signature, SECRET, NOW)).toEqual(payload);
    expect(await verifyWebhook(bytes.buffer, signature, SECRET, NOW)).toEqual(payload);
    expect(
      await verifyWebhook(
        body,
        signature.replace(/sha256=(.*)$/, (_, h: string) => `sha256=${h.toUpperCase()}`),
        SECRET,
        NOW,
      ),
    ).toEqual(payload);
    expect(await verifyWebhook(body, signature.replace(',', ', '), SECRET, NOW)).toEqual(payload);
  });

  it('refuses a missing header', async () => {
    expect(await refused(verifyWebhook(body, null, SECRET))).toBe('WEBHOOK_SIGNATURE_MISSING');
    expect(await refused(verifyWebhook(body, undefined, SECRET))).toBe('WEBHOOK_SIGNATURE_MISSING');
    expect(await refused(verifyWebhook(body, '', SECRET))).toBe('WEBHOOK_SIGNATURE_MISSING');
  });

  it('refuses another secret, a tampered body and a tampered time with WEBHOOK_SIGNATURE_INVALID', async () => {
    const signature = await sign(body);
    expect(await refused(verifyWebhook(body, signature, 'whsec_other', NOW))).toBe('WEBHOOK_SIGNATURE_INVALID');
    expect(await refused(verifyWebhook(body.replace('ana', 'bob'), signature, SECRET, NOW))).toBe('WEBHOOK_SIGNATURE_INVALID');
    expect(await refused(verifyWebhook(`${body} `, signature, SECRET, NOW))).toBe('WEBHOOK_SIGNATURE_INVALID');
    // An old delivery re-stamped with a fresh time does not verify: the time is signed.
    const restamped = signature.replace(`t=${T}`, `t=${T + 600_000}`);
    expect(await refused(verifyWebhook(body, restamped, SECRET, { now: T + 600_000 }))).toBe('WEBHOOK_SIGNATURE_INVALID');
  });

  it('refuses malformed headers with WEBHOOK_SIGNATURE_MALFORMED', async () => {
    const signature = await sign(body);
    const hex = signature.slice(signature.indexOf('sha256=') + 7);
    for (const bad of [
      `sha256=${hex}`, // the old header, without a time
      hex,
      `t=${T},sha1=${hex}`,
      `t=${T},sha256=${hex.slice(0, -2)}`,
      `t=${T},sha256=${hex}00`,
      `t=${T},sha256=${'z'.repeat(64)}`,
      `t=soon,sha256=${hex}`,
      `sha256=${hex},t=${T}`,
      `t=${'9'.repeat(17)},sha256=${hex}`,
    ]) {
      expect([bad, await refused(verifyWebhook(body, bad, SECRET, NOW))]).toEqual([bad, 'WEBHOOK_SIGNATURE_MALFORMED']);
    }
  });

  it('refuses a genuine delivery signed outside the window with WEBHOOK_TIMESTAMP_OUTSIDE_WINDOW (a replay)', async () => {
    const signature = await sign(body);
    // Inside the default 5 minutes, either way: accepted.
    expect(await verifyWebhook(body, signature, SECRET, { now: T + 300_000 })).toEqual(payload);
    expect(await verifyWebhook(body, signature, SECRET, { now: T - 300_000 })).toEqual(payload);
    // Older, or from the future: refused.
    expect(await refused(verifyWebhook(body, signature, SECRET, { now: T + 300_001 }))).toBe('WEBHOOK_TIMESTAMP_OUTSIDE_WINDOW');
    expect(await refused(verifyWebhook(body, signature, SECRET, { now: T - 300_001 }))).toBe('WEBHOOK_TIMESTAMP_OUTSIDE_WINDOW');
    expect(await refused(verifyWebhook(body, signature, SECRET))).toBe('WEBHOOK_TIMESTAMP_OUTSIDE_WINDOW'); // the real clock: 2023 is long ago
    // A tighter window.
    expect(await refused(verifyWebhook(body, signature, SECRET, { now: T + 1_001, toleranceMs: 1_000 }))).toBe(
      'WEBHOOK_TIMESTAMP_OUTSIDE_WINDOW',
    );
    // A fresh delivery with the real clock: accepted.
    expect(await verifyWebhook(body, await signWebhook(body, SECRET), SECRET)).toEqual(payload);
    await expect(verifyWebhook(body, signature, SECRET, { toleranceMs: -1 })).rejects.toThrow(TypeError);
  });

  it('refuses a signed body that is not a webhook payload', async () => {
    for (const text of [
      'not json',
      '[]',
      '{"timeMs":1}',
      '{"timeMs":1,"events":[{"name":"member_added","id":"e","channel":"c","timeMs":1}]}',
    ]) {
      expect(await refused(verifyWebhook(text, await sign(text), SECRET, NOW))).toBe('WEBHOOK_PAYLOAD_INVALID');
    }
  });

  it('leaves out events of kinds it does not know (a newer broker)', async () => {
    const text = JSON.stringify({ timeMs: 1, events: [{ id: 'e1', name: 'channel_renamed', channel: 'c', timeMs: 1 }, payload.events[0]] });
    const result = await verifyWebhook(text, await sign(text), SECRET, NOW);
    expect(result.events).toEqual([payload.events[0]]);
  });

  it('needs a secret', async () => {
    await expect(verifyWebhook(body, 'sha256=00', '')).rejects.toThrow(TypeError);
  });
});
