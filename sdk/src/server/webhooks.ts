/** Verifying the broker's webhook POSTs (`X-Switchyard-Signature`) on your server. */
import { PushFloError } from '../errors.js';
import { parseWebhookPayload, signedBytes, WEBHOOK_TOLERANCE_MS, webhookKey, type WebhookPayload } from '../protocol/index.js';

export type {
  WebhookPayload,
  WebhookEvent,
  WebhookEventName,
  ChannelOccupiedEvent,
  ChannelVacatedEvent,
  MemberAddedEvent,
  MemberRemovedEvent,
  ClientEventEvent,
} from '../protocol/index.js';
export { WEBHOOK_SIGNATURE_HEADER, WEBHOOK_TOLERANCE_MS } from '../protocol/index.js';

/**
 * Why a webhook was refused:
 * - `WEBHOOK_SIGNATURE_MISSING`: no `X-Switchyard-Signature` header;
 * - `WEBHOOK_SIGNATURE_MALFORMED`: a header not of the form `t=<unix ms>,sha256=<64 hex digits>`
 *   (also a sender that still signs the old `sha256=…` only);
 * - `WEBHOOK_SIGNATURE_INVALID`: the signature does not match (wrong secret, changed body or time);
 * - `WEBHOOK_TIMESTAMP_OUTSIDE_WINDOW`: genuine, but signed further from now than the tolerance
 *   (a replayed delivery, or a clock far off);
 * - `WEBHOOK_PAYLOAD_INVALID`: signed, but not a webhook payload.
 */
export type WebhookFailure =
  | 'WEBHOOK_SIGNATURE_MISSING'
  | 'WEBHOOK_SIGNATURE_MALFORMED'
  | 'WEBHOOK_SIGNATURE_INVALID'
  | 'WEBHOOK_TIMESTAMP_OUTSIDE_WINDOW'
  | 'WEBHOOK_PAYLOAD_INVALID';

/** Options of `verifyWebhook`. */
export interface VerifyWebhookOptions {
  /** How far (ms) the signed time may be from `now`, either way. Default 300 000 (5 minutes). */
  toleranceMs?: number;
  /** The receiver's clock, unix ms. Default `Date.now()`. */
  now?: number;
}

/**
 * Thrown by `verifyWebhook`: answer the broker with a 4xx (it retries non-2xx
 * answers, so a bad secret shows up as retries and failures in its statistics).
 *
 * @example
 * ```ts
 * try {
 *   await verifyWebhook(body, signature, secret);
 * } catch (err) {
 *   if (err instanceof WebhookVerificationError) return new Response(err.code, { status: 401 });
 *   throw err;
 * }
 * ```
 */
export class WebhookVerificationError extends PushFloError {
  declare readonly code: WebhookFailure;
  constructor(message: string, code: WebhookFailure) {
    super(message, code, { retryable: false });
    this.name = 'WebhookVerificationError';
  }
}

const SIGNATURE_RE = /^t=(\d{1,16})\s*,\s*sha256=([0-9a-fA-F]{64})$/;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

function toBytes(body: string | Uint8Array | ArrayBuffer): Uint8Array<ArrayBuffer> {
  if (typeof body === 'string') return encoder.encode(body);
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  return new Uint8Array(body);
}

/**
 * Checks a webhook's signature and time against your `WEBHOOK_SECRET` and
 * returns its typed payload. Pass the body exactly as received (read it as
 * text or bytes before any JSON parsing: re-serialised JSON does not verify).
 * The header is `t=<unix ms>,sha256=<hex HMAC-SHA256 of "<t>.<raw body>">`;
 * a delivery signed more than `toleranceMs` (5 minutes) from now, either way,
 * is refused, so a captured delivery cannot be replayed later. The HMAC check
 * is WebCrypto's `verify`, which is constant-time; runs in Node 18+ (with
 * `globalThis.crypto`), Workers, Deno and browsers, with no dependencies.
 *
 * Delivery is at least once: deduplicate on each event's `id` (remembering
 * ids for the tolerance window is enough: anything older is refused here).
 * Event kinds this SDK does not know are left out of `events`.
 *
 * @param rawBody the request body, unparsed
 * @param signatureHeader the `X-Switchyard-Signature` header, or null when absent
 * @param secret the broker's `WEBHOOK_SECRET`
 * @param options `toleranceMs` (default 300 000) and `now` (default `Date.now()`)
 * @returns the payload, `events` a discriminated union on `name`
 * @throws {WebhookVerificationError} `WEBHOOK_SIGNATURE_MISSING`, `WEBHOOK_SIGNATURE_MALFORMED`,
 *   `WEBHOOK_SIGNATURE_INVALID` (wrong secret, tampered body or time), `WEBHOOK_TIMESTAMP_OUTSIDE_WINDOW`
 *   (a replay, or a clock far off) or `WEBHOOK_PAYLOAD_INVALID` (signed, but not a webhook payload)
 *
 * @example
 * ```ts
 * import { verifyWebhook, WebhookVerificationError } from '@pushflodev/sdk/server';
 *
 * export async function POST(req: Request): Promise<Response> {
 *   let payload;
 *   try {
 *     payload = await verifyWebhook(await req.text(), req.headers.get('X-Switchyard-Signature'), process.env.WEBHOOK_SECRET!);
 *   } catch (err) {
 *     if (err instanceof WebhookVerificationError) return new Response(err.code, { status: 401 });
 *     throw err;
 *   }
 *   for (const event of payload.events) {
 *     if (event.name === 'member_removed') await markLastSeen(event.clientId, event.timeMs); // typed: clientId, info
 *   }
 *   return new Response(null, { status: 204 });
 * }
 * ```
 */
export async function verifyWebhook(
  rawBody: string | Uint8Array | ArrayBuffer,
  signatureHeader: string | null | undefined,
  secret: string,
  options: VerifyWebhookOptions = {},
): Promise<WebhookPayload> {
  if (typeof secret !== 'string' || secret.length === 0)
    throw new TypeError('verifyWebhook: secret must be a non-empty string (the broker’s WEBHOOK_SECRET)');
  const toleranceMs = options.toleranceMs ?? WEBHOOK_TOLERANCE_MS;
  if (!Number.isFinite(toleranceMs) || toleranceMs < 0) throw new TypeError('verifyWebhook: toleranceMs must be a number ≥ 0');
  if (signatureHeader === null || signatureHeader === undefined || signatureHeader.trim() === '') {
    throw new WebhookVerificationError('the X-Switchyard-Signature header is missing', 'WEBHOOK_SIGNATURE_MISSING');
  }
  const match = SIGNATURE_RE.exec(signatureHeader.trim());
  if (match === null)
    throw new WebhookVerificationError(
      "the X-Switchyard-Signature header must be 't=<unix ms>,sha256=<64 hex digits>'",
      'WEBHOOK_SIGNATURE_MALFORMED',
    );
  const t = Number(match[1]!);
  const hex = match[2]!;
  const mac = new Uint8Array(32);
  for (let i = 0; i < 32; i++) mac[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  const body = toBytes(rawBody);
  if (!(await crypto.subtle.verify('HMAC', await webhookKey(secret, 'verify'), mac, signedBytes(t, body)))) {
    throw new WebhookVerificationError(
      'the webhook signature does not match its body and time (wrong secret, or the body or time was changed)',
      'WEBHOOK_SIGNATURE_INVALID',
    );
  }
  const now = options.now ?? Date.now();
  if (Math.abs(now - t) > toleranceMs) {
    throw new WebhookVerificationError(
      `the webhook was signed at ${new Date(t).toISOString()}, more than ${toleranceMs} ms from now (a replayed delivery, or a clock far off)`,
      'WEBHOOK_TIMESTAMP_OUTSIDE_WINDOW',
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(decoder.decode(body));
  } catch {
    throw new WebhookVerificationError('the webhook body is not JSON', 'WEBHOOK_PAYLOAD_INVALID');
  }
  const result = parseWebhookPayload(parsed);
  if (!result.ok) throw new WebhookVerificationError(`not a webhook payload: ${result.problem}`, 'WEBHOOK_PAYLOAD_INVALID');
  return result.payload;
}
