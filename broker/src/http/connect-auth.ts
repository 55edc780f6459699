/**
 * Who a new connection is, from the credential in its URL (`?token=`): a
 * publish key (any client id) or a signed token (its `sub`, grants and
 * expiry). Shared by the WebSocket upgrade and the SSE stream, so both accept
 * and refuse exactly the same credentials with the same codes.
 */
import { ErrorCode, isToken, verifyToken } from '@pushflodev/sdk/protocol';
import { checkKey, signingSecrets } from '../auth';
import type { Env } from '../env';
import type { HandoffAuth } from '../connection/shard-object';

export type ConnectAuth =
  | {
      ok: true;
      clientId: string;
      /** The token's grants and expiry; null for a key. */
      auth: HandoffAuth | null;
    }
  | { ok: false; code: ErrorCode; error: string };

export function randomId(prefix: string): string {
  return `${prefix}_${crypto.randomUUID().replaceAll('-', '').slice(0, 16)}`;
}

export async function authenticateConnection(env: Env, presented: string): Promise<ConnectAuth> {
  if (isToken(presented)) {
    const check = await verifyToken(presented, signingSecrets(env), Math.floor(Date.now() / 1000));
    if (!check.ok) return { ok: false, code: check.code, error: check.error };
    const { sub, cap, info, exp } = check.claims;
    return { ok: true, clientId: sub, auth: { cap, info: info === undefined ? null : JSON.stringify(info), exp } };
  }
  const check = await checkKey(env, presented);
  if (!check.ok) {
    const error =
      check.reason === 'missing'
        ? 'missing token: connect with ?token=<publish key or signed token>'
        : check.reason === 'not_configured'
          ? 'the broker has no keys configured'
          : 'invalid token';
    return { ok: false, code: ErrorCode.UNAUTHORIZED, error };
  }
  return { ok: true, clientId: randomId('client'), auth: null };
}
