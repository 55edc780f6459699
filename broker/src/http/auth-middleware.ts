import type { MiddlewareHandler } from 'hono';
import { allows, bearer, checkKey, signingSecrets, type Role } from '../auth';
import type { Env } from '../env';
import { ErrorCode, grants, isToken, verifyToken, type Capability } from '@pushflodev/sdk/protocol';
import { HttpError } from './errors';

/** What the auth middleware leaves for the handlers. */
export type AppEnv = {
  Bindings: Env;
  /** `keyId`: the caller's key (rate limits); `bodyText`: the request body, read within its limit (`readBody`). */
  Variables: { keyId: string; bodyText: string };
};

const NEEDS: Record<Role, string> = {
  publish: 'a publish (pub_), secret or management key',
  secret: 'a secret (sec_) or management (mgmt_) key',
  management: 'a management (mgmt_) key',
};

/**
 * Requires `Authorization: Bearer <key>` with at least the given role. With
 * `tokenCapability`, a signed token granting that capability on the route's
 * `:channel` is accepted too.
 */
export function requireRole(role: Role, tokenCapability?: Capability): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const presented = bearer(c.req.header('Authorization'));
    if (tokenCapability !== undefined && presented !== null && isToken(presented)) {
      const check = await verifyToken(presented, signingSecrets(c.env), Math.floor(Date.now() / 1000));
      if (!check.ok) throw new HttpError(401, check.code, check.error);
      const channel = c.req.param('channel') ?? '';
      if (!grants(check.claims.cap, channel, tokenCapability))
        throw new HttpError(403, ErrorCode.FORBIDDEN, `this token does not grant '${tokenCapability}' on '${channel}'`);
      c.set('keyId', `token:${check.claims.sub}`);
      await next();
      return;
    }
    const check = await checkKey(c.env, presented);
    if (!check.ok) {
      if (check.reason === 'not_configured')
        throw new HttpError(
          401,
          ErrorCode.NOT_CONFIGURED,
          'the broker has no keys configured (set SECRET_KEYS etc., or ALLOW_DEV_KEYS=true locally)',
        );
      throw new HttpError(
        401,
        ErrorCode.UNAUTHORIZED,
        check.reason === 'missing' ? `missing key: send 'Authorization: Bearer <key>' with ${NEEDS[role]}` : 'invalid key',
      );
    }
    if (!allows(check.role, role)) throw new HttpError(403, ErrorCode.FORBIDDEN, `this call needs ${NEEDS[role]}`);
    c.set('keyId', check.keyId);
    await next();
  };
}
