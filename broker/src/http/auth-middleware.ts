import type { MiddlewareHandler } from 'hono';
import { allows, bearer, checkKey, type Role } from '../auth';
import type { Env } from '../env';
import { ErrorCode } from '@pushflodev/sdk/protocol';
import { HttpError } from './errors';

const NEEDS: Record<Role, string> = {
  publish: 'a publish (pub_), secret or management key',
  secret: 'a secret (sec_) or management (mgmt_) key',
  management: 'a management (mgmt_) key',
};

/** Requires `Authorization: Bearer <key>` with at least the given role. */
export function requireRole(role: Role): MiddlewareHandler<{ Bindings: Env }> {
  return async (c, next) => {
    const check = await checkKey(c.env, bearer(c.req.header('Authorization')));
    if (!check.ok) {
      if (check.reason === 'not_configured')
        throw new HttpError(401, ErrorCode.NOT_CONFIGURED, 'the broker has no keys configured (set SECRET_KEYS etc., or ALLOW_DEV_KEYS=true locally)');
      throw new HttpError(
        401,
        ErrorCode.UNAUTHORIZED,
        check.reason === 'missing' ? `missing key: send 'Authorization: Bearer <key>' with ${NEEDS[role]}` : 'invalid key',
      );
    }
    if (!allows(check.role, role)) throw new HttpError(403, ErrorCode.FORBIDDEN, `this call needs ${NEEDS[role]}`);
    await next();
  };
}
