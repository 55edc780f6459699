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
  it('signs as hex HMAC-SHA256 of the raw body (the same as node:crypto)', async () => {
    const expected = `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;
    expect(await signWebhook(body, SECRET)).toBe(expected);
  });

  it('returns the typed payload for a correctly signed body', async () => {
    const result = await verifyWebhook(body, await signWebhook(body, SECRET), SECRET);
    expect(result).toEqual(payload);
    const removed = result.events.find((e): e is Extract<WebhookEvent, { name: 'member_removed' }> => e.name === 'member_removed');
    expect(removed?.clientId).toBe('ana');
    expect(removed?.info).toEqual({ name: 'Ana' });
  });

  it('accepts the body as bytes or an ArrayBuffer, and upper-case hex', async () => {
    const signature = await signWebhook(body, SECRET);
    const bytes = new TextEncoder().encode(body);
    expect(await verifyWebhook(bytes, signature, SECRET)).toEqual(payload);
    expect(await verifyWebhook(bytes.buffer, signature, SECRET)).toEqual(payload);
    expect(await verifyWebhook(body, `sha256=${signature.slice(7).toUpperCase()}`, SECRET)).toEqual(payload);
  });

  it('refuses a missing header', async () => {
    expect(await refused(verifyWebhook(body, null, SECRET))).toBe('WEBHOOK_SIGNATURE_MISSING');
    expect(await refused(verifyWebhook(body, undefined, SECRET))).toBe('WEBHOOK_SIGNATURE_MISSING');
    expect(await refused(verifyWebhook(body, '', SECRET))).toBe('WEBHOOK_SIGNATURE_MISSING');
  });

  it('refuses another secret, a tampered body and malformed headers', async () => {
    const signature = await signWebhook(body, SECRET);
    expect(await refused(verifyWebhook(body, signature, 'whsec_other'))).toBe('WEBHOOK_SIGNATURE_INVALID');
    expect(await refused(verifyWebhook(body.replace('ana', 'bob'), signature, SECRET))).toBe('WEBHOOK_SIGNATURE_INVALID');
    expect(await refused(verifyWebhook(`${body} `, signature, SECRET))).toBe('WEBHOOK_SIGNATURE_INVALID');
    for (const bad of [
      signature.slice(7),
      `sha1=${signature.slice(7)}`,
      signature.slice(0, -2),
      `${signature}00`,
      `sha256=${'z'.repeat(64)}`,
    ]) {
      expect(await refused(verifyWebhook(body, bad, SECRET))).toBe('WEBHOOK_SIGNATURE_INVALID');
    }
  });

  it('refuses a signed body that is not a webhook payload', async () => {
    for (const text of [
      'not json',
      '[]',
      '{"timeMs":1}',
      '{"timeMs":1,"events":[{"name":"member_added","id":"e","channel":"c","timeMs":1}]}',
    ]) {
      expect(await refused(verifyWebhook(text, await signWebhook(text, SECRET), SECRET))).toBe('WEBHOOK_PAYLOAD_INVALID');
    }
  });

  it('leaves out events of kinds it does not know (a newer broker)', async () => {
    const text = JSON.stringify({ timeMs: 1, events: [{ id: 'e1', name: 'channel_renamed', channel: 'c', timeMs: 1 }, payload.events[0]] });
    const result = await verifyWebhook(text, await signWebhook(text, SECRET), SECRET);
    expect(result.events).toEqual([payload.events[0]]);
  });

  it('needs a secret', async () => {
    await expect(verifyWebhook(body, 'sha256=00', '')).rejects.toThrow(TypeError);
  });
});
