/**
 * `auth {token}` on an open socket: a refreshed token for the same client id
 * extends the socket's life and replaces its capabilities. Checked here; the
 * hub applies the outcome.
 */
import { ErrorCode, type AuthenticatedFrame } from '@pushflodev/sdk/protocol';
import type { HubHost, HubSocket, SocketAuth, SocketMeta } from './hub-types';

export type Refresh =
  | { ok: true; meta: SocketMeta; auth: SocketAuth; frame: AuthenticatedFrame }
  | { ok: false; code: ErrorCode; error: string };

export async function checkRefresh<S extends HubSocket>(host: HubHost<S>, ws: S, token: string): Promise<Refresh> {
  const meta = host.meta(ws);
  if (!meta.token) {
    return { ok: false, code: ErrorCode.FORBIDDEN, error: 'this socket was opened with an API key; connect with a token to use auth' };
  }
  const check = await host.verifyToken(token);
  if (!check.ok) return { ok: false, code: check.code, error: check.error };
  const { sub, exp, cap, info } = check.claims;
  if (sub !== meta.clientId) {
    return { ok: false, code: ErrorCode.FORBIDDEN, error: `a refreshed token must name the same client id ('${meta.clientId}')` };
  }
  return {
    ok: true,
    meta: { ...meta, exp: exp * 1000 },
    auth: { cap, info: info === undefined ? null : JSON.stringify(info) },
    frame: { type: 'authenticated', clientId: meta.clientId, exp } satisfies AuthenticatedFrame,
  };
}
