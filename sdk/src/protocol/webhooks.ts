/**
 * Webhooks: the broker POSTs what happened on its channels to your server.
 * Shared by the broker (which builds and signs payloads) and the SDK's
 * `verifyWebhook` (which checks and parses them).
 *
 * Body: `{"timeMs": <send time, ms>, "events": [event, …]}` (1–100 events).
 * Header `X-Switchyard-Signature: t=<send time, unix ms>,sha256=<hex HMAC-SHA256 of "<t>.<raw body>", keyed with WEBHOOK_SECRET>`.
 * The time is signed with the body, so a receiver can refuse a replayed
 * delivery (`verifyWebhook`'s tolerance window, 5 minutes by default).
 */
import { isPlainObject } from './limits.js';

/** The header carrying the signature (HTTP headers are case-insensitive). */
export const WEBHOOK_SIGNATURE_HEADER = 'X-Switchyard-Signature';
/** Most events in one POST. */
export const MAX_WEBHOOK_BATCH = 100;

/** Every event the broker sends. */
export type WebhookEventName = 'channel_occupied' | 'channel_vacated' | 'member_added' | 'member_removed' | 'client_event';
export const WEBHOOK_EVENT_NAMES: readonly WebhookEventName[] = [
  'channel_occupied',
  'channel_vacated',
  'member_added',
  'member_removed',
  'client_event',
];

interface WebhookEventBase {
  /** Stable across retries: deduplicate on it (delivery is at least once). */
  id: string;
  channel: string;
  /** When it happened, ms since the epoch (a vacated channel: when its last subscriber left). */
  timeMs: number;
}

/** The channel got its first subscriber. */
export interface ChannelOccupiedEvent extends WebhookEventBase {
  name: 'channel_occupied';
}

/** The channel has had no subscriber for `WEBHOOK_VACATE_DELAY_MS` (a quick re-subscribe sends neither this nor a new `channel_occupied`). */
export interface ChannelVacatedEvent extends WebhookEventBase {
  name: 'channel_vacated';
}

/** A client id joined the channel's presence (its first socket; more tabs of the same client id send nothing). */
export interface MemberAddedEvent extends WebhookEventBase {
  name: 'member_added';
  clientId: string;
  /** The token's `info`, or null. */
  info: Record<string, unknown> | null;
}

/** A client id left the channel's presence (its last socket went). */
export interface MemberRemovedEvent extends WebhookEventBase {
  name: 'member_removed';
  clientId: string;
  info: Record<string, unknown> | null;
}

/** A client event (`publish` over a socket) on a channel matching `WEBHOOK_CLIENT_EVENTS`. */
export interface ClientEventEvent extends WebhookEventBase {
  name: 'client_event';
  /** The client event's type (the `event` of the publish frame). */
  event: string;
  clientId: string;
  data: Record<string, unknown>;
  messageId: string;
  /** Absent for ephemeral client events. */
  seq?: number;
}

/** One event, discriminated on `name`. */
export type WebhookEvent = ChannelOccupiedEvent | ChannelVacatedEvent | MemberAddedEvent | MemberRemovedEvent | ClientEventEvent;

/** What one webhook POST carries. */
export interface WebhookPayload {
  /** When this POST was sent, ms since the epoch (a retry has a later one; the events keep their ids). */
  timeMs: number;
  events: WebhookEvent[];
}

const encoder = new TextEncoder();

function subtle(): SubtleCrypto {
  const s = globalThis.crypto?.subtle;
  if (s === undefined) {
    throw new Error("WebCrypto is not available: on Node 18 add `globalThis.crypto ??= (await import('node:crypto')).webcrypto`");
  }
  return s;
}

/** The HMAC-SHA256 key for a webhook secret. */
export function webhookKey(secret: string, usage: 'sign' | 'verify'): Promise<CryptoKey> {
  return subtle().importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [usage]);
}

/** How far a delivery's signed time may be from the receiver's clock before `verifyWebhook` refuses it (5 minutes). */
export const WEBHOOK_TOLERANCE_MS = 300_000;

/** The hex HMAC-SHA256 of `"<t>.<raw body>"`: what the header's `sha256=` carries. */
export async function webhookMac(body: string | Uint8Array<ArrayBuffer>, t: number, key: CryptoKey): Promise<Uint8Array<ArrayBuffer>> {
  const bytes = typeof body === 'string' ? encoder.encode(body) : body;
  return new Uint8Array(await subtle().sign('HMAC', key, signedBytes(t, bytes)));
}

/** `"<t>."` followed by the raw body's bytes: what is signed. */
export function signedBytes(t: number, body: Uint8Array): Uint8Array<ArrayBuffer> {
  const prefix = encoder.encode(`${t}.`);
  const out = new Uint8Array(prefix.length + body.length);
  out.set(prefix, 0);
  out.set(body, prefix.length);
  return out;
}

/**
 * The `X-Switchyard-Signature` value for a raw body sent at `t` (unix ms, default now):
 * `t=<t>,sha256=<64 hex digits of HMAC-SHA256("<t>.<body>")>`.
 *
 * @example
 * ```ts
 * const header = await signWebhook(body, process.env.WEBHOOK_SECRET!); // a test's stand-in broker
 * ```
 */
export async function signWebhook(
  body: string | Uint8Array<ArrayBuffer>,
  secret: string | CryptoKey,
  t: number = Date.now(),
): Promise<string> {
  const key = typeof secret === 'string' ? await webhookKey(secret, 'sign') : secret;
  let hex = '';
  for (const b of await webhookMac(body, t, key)) hex += b.toString(16).padStart(2, '0');
  return `t=${t},sha256=${hex}`;
}

const str = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
const info = (v: unknown) => v === null || isPlainObject(v);

/**
 * Checks a parsed body. Events with a name this version does not know are left
 * out (a newer broker may send more kinds), so `events` is always typed.
 */
export function parseWebhookPayload(value: unknown): { ok: true; payload: WebhookPayload } | { ok: false; problem: string } {
  const fail = (problem: string) => ({ ok: false as const, problem });
  if (!isPlainObject(value)) return fail('payload must be a JSON object');
  if (!Number.isFinite(value.timeMs)) return fail("payload 'timeMs' must be a number");
  if (!Array.isArray(value.events)) return fail("payload 'events' must be an array");
  const events: WebhookEvent[] = [];
  for (const [i, e] of value.events.entries()) {
    const at = `events[${i}]`;
    if (!isPlainObject(e)) return fail(`${at} must be an object`);
    if (!str(e.id) || !str(e.channel) || !Number.isFinite(e.timeMs)) return fail(`${at} needs 'id', 'channel' and 'timeMs'`);
    switch (e.name) {
      case 'channel_occupied':
      case 'channel_vacated':
        break;
      case 'member_added':
      case 'member_removed':
        if (!str(e.clientId) || !info(e.info)) return fail(`${at} (${e.name}) needs 'clientId' and 'info' (object or null)`);
        break;
      case 'client_event':
        if (!str(e.event) || !str(e.clientId) || !isPlainObject(e.data) || !str(e.messageId))
          return fail(`${at} (client_event) needs 'event', 'clientId', 'data' and 'messageId'`);
        break;
      default:
        continue;
    }
    events.push(e as unknown as WebhookEvent);
  }
  return { ok: true, payload: { timeMs: value.timeMs as number, events } };
}
