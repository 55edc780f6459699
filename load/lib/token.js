// Signed broker tokens minted inside k6 (HS256 JWT, the format in broker/README.md),
// so load scripts that need client events or presence run against a bare broker
// without an app server to hand out tokens.
import crypto from 'k6/crypto';
import encoding from 'k6/encoding';
import { SECRET_KEY } from './common.js';

const KID = crypto.sha256(SECRET_KEY, 'hex').slice(0, 16);
const b64 = (text) => encoding.b64encode(text, 'rawurl');

/**
 * A token for `sub` with capabilities `cap` ({pattern: ['subscribe', 'publish', 'presence', 'history']}),
 * optional presence `info`, valid for `ttlSeconds` (default 1 h).
 */
export function mintToken({ sub, cap, info, ttlSeconds = 3600 }) {
  const iat = Math.floor(Date.now() / 1000);
  const claims = { sub, iat, exp: iat + ttlSeconds, cap };
  if (info !== undefined) claims.info = info;
  const body = `${b64(JSON.stringify({ alg: 'HS256', typ: 'JWT', kid: KID }))}.${b64(JSON.stringify(claims))}`;
  return `${body}.${crypto.hmac('sha256', SECRET_KEY, body, 'base64rawurl')}`;
}
