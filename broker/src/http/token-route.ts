/**
 * `POST /api/v1/auth/token`: a publish key (and optionally a client id) in,
 * a short-lived connection token out, as PushFlo's documented flow does it.
 * No Authorization header: the publish key is in the body, and it is public.
 *
 * The token is a signed JWT with no capabilities (`cap: {}`), so the socket it
 * opens may do exactly what the publish key may: subscribe to public
 * channels. It adds only the client id (`connected.clientId`) and an expiry.
 */
import type { Context } from 'hono';
import { ErrorCode, isValidClientId, signToken, type ApiSuccess, type ConnectionToken } from '@pushflodev/sdk/protocol';
import { checkKey, signingSecrets } from '../auth';
import { settings } from '../env';
import type { AppEnv } from './auth-middleware';
import { badRequest, HttpError } from './errors';
import { jsonBody } from './input';
import { rateLimit } from './rate-limit';

/** Browsers may call it from any origin: it takes no credentials but the (public) publish key. */
export const TOKEN_CORS_HEADERS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'POST, OPTIONS',
  'Access-Control-Allow-Headers': 'Content-Type',
  'Access-Control-Max-Age': '86400',
} as const;

/** The one refusal for a key that is not a valid publish key, whatever it is. */
export const INVALID_PUBLISH_KEY_MESSAGE = "'publishKey' is not a valid publish key (pub_…)";

/**
 * The client's address: `CF-Connecting-IP`, which Cloudflare's edge sets on
 * every request (and overwrites when a client sends it). Without one (local
 * workerd, no proxy in front) every client shares one bucket, `unknown`.
 */
export function clientAddress(request: Request): string {
  const ip = request.headers.get('CF-Connecting-IP')?.trim() ?? '';
  return /^[0-9A-Fa-f:.]{2,45}$/.test(ip) ? ip.toLowerCase() : 'unknown';
}

function generatedClientId(): string {
  return `client_${crypto.randomUUID().replaceAll('-', '').slice(0, 16)}`;
}

/** The WebSocket URL of `/ws` on the host the request came to. */
function endpointFor(request: Request): string {
  const url = new URL(request.url);
  return `${url.protocol === 'https:' ? 'wss:' : 'ws:'}//${url.host}/ws`;
}

export async function issueConnectionToken(c: Context<AppEnv>): Promise<Response> {
  for (const [name, value] of Object.entries(TOKEN_CORS_HEADERS)) c.header(name, value);
  const body = jsonBody(c);
  if (typeof body.publishKey !== 'string' || body.publishKey.length === 0)
    throw badRequest(ErrorCode.INVALID_REQUEST, "'publishKey' is required: a publish key (pub_…)");
  if (body.clientId !== undefined && body.clientId !== null && !isValidClientId(body.clientId))
    throw badRequest(ErrorCode.INVALID_REQUEST, "'clientId' must be 1 to 128 characters of letters, digits and _ . : @ -");

  // Per client address first, before the key is looked at: guessing keys costs a bucket per address.
  const s = settings(c.env);
  const address = clientAddress(c.req.raw);
  const perMinute = s.tokenRequestsPerMinute;
  await rateLimit(c, 1, 'token', { name: `address:${address}`, perSecond: perMinute / 60, burst: perMinute, whose: 'address' });

  const check = await checkKey(c.env, body.publishKey);
  if (!check.ok && check.reason === 'not_configured')
    throw new HttpError(
      401,
      ErrorCode.NOT_CONFIGURED,
      'the broker has no keys configured (set PUBLISH_KEYS etc., or ALLOW_DEV_KEYS=true locally)',
    );
  // One answer for every key that is not a valid publish key (unknown, or a valid secret or management
  // key): this route is public and unauthenticated, so it must not tell which strings are real keys.
  if (!check.ok || check.role !== 'publish') throw new HttpError(401, ErrorCode.INVALID_PUBLISH_KEY, INVALID_PUBLISH_KEY_MESSAGE);
  c.set('keyId', check.keyId);
  await rateLimit(c, 1, 'token');

  const secret = signingSecrets(c.env)[0];
  if (secret === undefined)
    throw new HttpError(503, ErrorCode.NOT_CONFIGURED, 'the broker has no secret key to sign tokens with (set SECRET_KEYS)');
  const clientId = typeof body.clientId === 'string' ? body.clientId : generatedClientId();
  const iat = Math.floor(Date.now() / 1000);
  const exp = iat + s.connectionTokenTtlSeconds;
  const token = await signToken({ sub: clientId, iat, exp, cap: {} }, secret);
  const data: ConnectionToken = { token, expiresAt: new Date(exp * 1000).toISOString(), endpoint: endpointFor(c.req.raw), clientId };
  return c.json({ success: true, data } satisfies ApiSuccess<ConnectionToken>);
}

/** The CORS preflight of `POST /auth/token`. */
export function tokenPreflight(): Response {
  return new Response(null, { status: 204, headers: TOKEN_CORS_HEADERS });
}
