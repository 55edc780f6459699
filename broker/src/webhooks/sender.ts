/**
 * POSTs one webhook batch: `{"timeMs", "events"}`, signed with
 * `X-Switchyard-Signature: t=<timeMs>,sha256=<hex HMAC-SHA256 of "<timeMs>.<raw body>">`
 * (the time signed with the body, so receivers refuse replays). Any 2xx
 * is success; anything else, a network error or no answer within the timeout
 * is a failure the queue retries. The answer's body is never read.
 */
import { WEBHOOK_SIGNATURE_HEADER, signWebhook, webhookKey } from '@pushflodev/sdk/protocol';
import type { Sender } from './queue';

/** A receiver that has not answered after this long counts as failed. */
export const SEND_TIMEOUT_MS = 10_000;

/** The payload's text, built from the events' stored JSON (never re-parsed). */
export function payloadText(events: readonly string[], now: number): string {
  return `{"timeMs":${now},"events":[${events.join(',')}]}`;
}

export function httpSender(secret: string, timeoutMs = SEND_TIMEOUT_MS): Sender {
  let key: Promise<CryptoKey> | null = null;
  return async (url, events, now) => {
    const body = payloadText(events, now);
    key ??= webhookKey(secret, 'sign');
    const signature = await signWebhook(body, await key, now);
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'User-Agent': 'Switchyard-Webhooks/1', [WEBHOOK_SIGNATURE_HEADER]: signature },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
      await res.body?.cancel().catch(() => undefined);
      return res.status >= 200 && res.status < 300
        ? { ok: true, status: res.status }
        : { ok: false, status: res.status, error: `HTTP ${res.status}` };
    } catch (err) {
      const name = err instanceof Error ? err.name : '';
      return { ok: false, error: name === 'TimeoutError' || name === 'AbortError' ? `no answer within ${timeoutMs} ms` : 'network error' };
    }
  };
}
