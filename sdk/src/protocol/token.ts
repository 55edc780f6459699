/**
 * Signed tokens: JWT (HS256, HMAC-SHA256 with a secret key) naming a client
 * id, an expiry and per-channel capabilities. Minted by servers
 * (`PushFloServer.createToken`), verified by the broker. WebCrypto only, so it
 * runs in Node, browsers and Workers.
 *
 * Header `{alg: "HS256", typ: "JWT", kid}` where `kid` identifies the secret
 * key without revealing it (first 16 hex digits of its SHA-256). Claims:
 *
 * | claim  | meaning |
 * | ------ | ------- |
 * | `sub`  | the client id (1–128 chars of letters, digits, `_ . : @ -`) |
 * | `iat`, `exp` | issued-at and expiry, seconds since the epoch; at most 24 h apart |
 * | `cap`  | `{pattern: capability[]}`; pattern is a channel name, `*` matching any run of characters (`chat:room-*`) |
 * | `info` | optional JSON object (≤ 1 KB) shown to other members in presence |
 */
import { isPlainObject, byteLength } from './limits.js';

export type Capability = 'subscribe' | 'publish' | 'presence' | 'history';
export const CAPABILITIES: readonly Capability[] = ['subscribe', 'publish', 'presence', 'history'];

export interface TokenClaims {
  sub: string;
  iat: number;
  exp: number;
  cap: Record<string, Capability[]>;
  info?: Record<string, unknown>;
}

export const MAX_TOKEN_BYTES = 4096;
export const MAX_TOKEN_TTL_SECONDS = 24 * 3600;
/** Most patterns in a token's `cap`; a token with more is refused (`TOKEN_MALFORMED`). */
export const MAX_CAPABILITY_PATTERNS = 32;
/** Longest capability pattern; a longer one is refused (`TOKEN_MALFORMED`). */
export const MAX_CAPABILITY_PATTERN_LENGTH = 128;
export const MAX_PRESENCE_INFO_BYTES = 1024;
/** Clock skew tolerated when checking `exp` and `iat`. */
export const TOKEN_LEEWAY_SECONDS = 30;
const CLIENT_ID_RE = /^[A-Za-z0-9_.:@-]{1,128}$/;

/** A client id a token may name: 1–128 characters of letters, digits and `_ . : @ -`. */
export function isValidClientId(value: unknown): value is string {
  return typeof value === 'string' && CLIENT_ID_RE.test(value);
}
const PATTERN_RE = /^[A-Za-z0-9_.=@:*-]+$/;

export type TokenFailure = 'TOKEN_MALFORMED' | 'TOKEN_INVALID_SIGNATURE' | 'TOKEN_EXPIRED';
export type TokenCheck = { ok: true; claims: TokenClaims } | { ok: false; code: TokenFailure; error: string };

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function base64url(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64url(text: string): Uint8Array<ArrayBuffer> {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new Error('not base64url');
  const s = atob(text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4));
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/**
 * The claims of a token WITHOUT checking its signature: for a holder reading
 * its own token (the client scheduling a refresh before `exp`), never for
 * deciding what a token grants. Null when it is not a JWT with a JSON object
 * payload.
 *
 * @example
 * ```ts
 * const exp = decodeTokenPayload(token)?.exp; // seconds since the epoch
 * ```
 */
export function decodeTokenPayload(token: string): Record<string, unknown> | null {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  try {
    const payload: unknown = JSON.parse(decoder.decode(fromBase64url(parts[1]!)));
    return isPlainObject(payload) ? payload : null;
  } catch {
    return null;
  }
}

/** Looks like a JWT rather than an API key. */
export function isToken(value: string): boolean {
  return value.startsWith('eyJ') && value.split('.').length === 3;
}

/** Identifies a secret key without revealing it. */
export async function keyId(secret: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(secret)));
  return [...digest.slice(0, 8)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

function hmacKey(secret: string, usage: 'sign' | 'verify'): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [usage]);
}

/** Why claims are unacceptable, or null. */
export function claimsProblem(claims: unknown): string | null {
  if (!isPlainObject(claims)) return 'claims must be an object';
  if (typeof claims.sub !== 'string' || !CLIENT_ID_RE.test(claims.sub))
    return "'sub' (client id) must be 1-128 characters of letters, digits and _ . : @ -";
  if (!Number.isSafeInteger(claims.iat) || !Number.isSafeInteger(claims.exp)) return "'iat' and 'exp' must be integer seconds";
  if ((claims.exp as number) <= (claims.iat as number)) return "'exp' must be after 'iat'";
  if ((claims.exp as number) - (claims.iat as number) > MAX_TOKEN_TTL_SECONDS) return `tokens may live at most ${MAX_TOKEN_TTL_SECONDS} s`;
  if (!isPlainObject(claims.cap)) return "'cap' must be an object of pattern → capabilities";
  const patterns = Object.entries(claims.cap);
  if (patterns.length > MAX_CAPABILITY_PATTERNS) return `at most ${MAX_CAPABILITY_PATTERNS} capability patterns`;
  for (const [pattern, caps] of patterns) {
    if (pattern.length > MAX_CAPABILITY_PATTERN_LENGTH)
      return `capability patterns may be at most ${MAX_CAPABILITY_PATTERN_LENGTH} characters (one is ${pattern.length})`;
    if (!PATTERN_RE.test(pattern)) return `invalid capability pattern '${pattern.slice(0, MAX_CAPABILITY_PATTERN_LENGTH)}'`;
    if (!Array.isArray(caps) || caps.some((c) => !CAPABILITIES.includes(c as Capability)))
      return `capabilities for '${pattern}' must be a list of ${CAPABILITIES.join(', ')}`;
  }
  if (claims.info !== undefined) {
    if (!isPlainObject(claims.info)) return "'info' must be a JSON object";
    if (byteLength(JSON.stringify(claims.info)) > MAX_PRESENCE_INFO_BYTES) return `'info' must be at most ${MAX_PRESENCE_INFO_BYTES} bytes`;
  }
  return null;
}

/** Signs claims with a secret key. */
export async function signToken(claims: TokenClaims, secret: string): Promise<string> {
  const problem = claimsProblem(claims);
  if (problem !== null) throw new Error(problem);
  const header = { alg: 'HS256', typ: 'JWT', kid: await keyId(secret) };
  const body = `${base64url(encoder.encode(JSON.stringify(header)))}.${base64url(encoder.encode(JSON.stringify(claims)))}`;
  const signature = new Uint8Array(await crypto.subtle.sign('HMAC', await hmacKey(secret, 'sign'), encoder.encode(body)));
  return `${body}.${base64url(signature)}`;
}

/**
 * Verifies a token against the secret keys that may have signed it.
 * Signature checks use WebCrypto's constant-time HMAC verify.
 */
export async function verifyToken(token: string, secrets: readonly string[], nowSeconds: number): Promise<TokenCheck> {
  const malformed = (error: string): TokenCheck => ({ ok: false, code: 'TOKEN_MALFORMED', error });
  if (typeof token !== 'string' || token.length > MAX_TOKEN_BYTES) return malformed('token is missing or too long');
  const parts = token.split('.');
  if (parts.length !== 3) return malformed('token must have three dot-separated parts');
  let header: unknown;
  let claims: unknown;
  let signature: Uint8Array<ArrayBuffer>;
  try {
    header = JSON.parse(decoder.decode(fromBase64url(parts[0]!)));
    claims = JSON.parse(decoder.decode(fromBase64url(parts[1]!)));
    signature = fromBase64url(parts[2]!);
  } catch {
    return malformed('token is not valid base64url JSON');
  }
  if (!isPlainObject(header) || header.alg !== 'HS256') return malformed("token header must say alg 'HS256'");
  const problem = claimsProblem(claims);
  if (problem !== null) return malformed(problem);

  const body = encoder.encode(`${parts[0]}.${parts[1]}`);
  const kid = typeof header.kid === 'string' ? header.kid : null;
  let valid = false;
  for (const secret of secrets) {
    if (kid !== null && (await keyId(secret)) !== kid) continue;
    if (await crypto.subtle.verify('HMAC', await hmacKey(secret, 'verify'), signature, body)) {
      valid = true;
      break;
    }
  }
  if (!valid) return { ok: false, code: 'TOKEN_INVALID_SIGNATURE', error: 'token signature does not verify' };
  const c = claims as unknown as TokenClaims;
  if (c.exp + TOKEN_LEEWAY_SECONDS < nowSeconds)
    return { ok: false, code: 'TOKEN_EXPIRED', error: `token expired at ${new Date(c.exp * 1000).toISOString()}` };
  if (c.iat - TOKEN_LEEWAY_SECONDS > nowSeconds) return malformed("token 'iat' is in the future");
  return { ok: true, claims: c };
}

const STAR = 42; // '*'

/**
 * Whether a capability-style pattern (`*` matches any run of characters,
 * everything else matches itself) matches a channel name.
 *
 * Greedy glob matching with one backtrack point (the last `*` seen): on a
 * mismatch, the last star takes one more character and matching resumes just
 * after it. Earlier stars never need revisiting, so the worst case is
 * O(pattern × channel) steps (128 × 255 here) and the usual case is linear.
 * No regular expression is built from a pattern: a pattern like
 * `*a*a*a*a*a*b` backtracks exponentially in a RegExp engine.
 *
 * @example
 * ```ts
 * patternMatches('chat:room-*', 'chat:room-42'); // true
 * patternMatches('*a*a*b', 'aaaaaaaaaaaaaaaaaaaa'); // false, in microseconds
 * ```
 */
export function patternMatches(pattern: string, channel: string): boolean {
  let p = 0;
  let c = 0;
  let star = -1; // index in pattern of the last '*' seen
  let resume = 0; // index in channel the last star's match ends at
  while (c < channel.length) {
    if (p < pattern.length && pattern.charCodeAt(p) === STAR) {
      star = p++;
      resume = c;
    } else if (p < pattern.length && pattern.charCodeAt(p) === channel.charCodeAt(c)) {
      p++;
      c++;
    } else if (star !== -1) {
      p = star + 1;
      c = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.length && pattern.charCodeAt(p) === STAR) p++;
  return p === pattern.length;
}

/** Whether the capabilities grant `capability` on `channel`. */
export function grants(cap: Record<string, Capability[]>, channel: string, capability: Capability): boolean {
  for (const [pattern, caps] of Object.entries(cap)) {
    if (caps.includes(capability) && patternMatches(pattern, channel)) return true;
  }
  return false;
}

/** Private channels need a token that grants `subscribe` on them. */
export function isPrivateChannel(channel: string): boolean {
  return channel.startsWith('private-') || channel.startsWith('private:');
}
