/**
 * API keys. Three roles, by prefix: `pub_` (subscribe), `sec_` (publish,
 * history), `mgmt_` (everything, plus channel management). Keys come from the
 * PUBLISH_KEYS / SECRET_KEYS / MANAGEMENT_KEYS secrets; the dev keys are
 * accepted only when ALLOW_DEV_KEYS is "true". Comparison is constant-time.
 */
import type { Env } from './env';

export type Role = 'publish' | 'secret' | 'management';

export const DEV_KEYS: Record<Role, string> = {
  publish: 'pub_local_dev',
  secret: 'sec_local_dev',
  management: 'mgmt_local_dev',
};

const PREFIX: Record<Role, string> = { publish: 'pub_', secret: 'sec_', management: 'mgmt_' };
const RANK: Record<Role, number> = { publish: 0, secret: 1, management: 2 };

/** True when a key of role `have` may do what needs role `need`. */
export function allows(have: Role, need: Role): boolean {
  return RANK[have] >= RANK[need];
}

interface KeyEntry {
  role: Role;
  digest: ArrayBuffer;
}

const encoder = new TextEncoder();
function digest(text: string): Promise<ArrayBuffer> {
  return crypto.subtle.digest('SHA-256', encoder.encode(text));
}

function split(list: string | undefined): string[] {
  return (list ?? '')
    .split(',')
    .map((k) => k.trim())
    .filter((k) => k.length > 0);
}

const cache = new Map<string, Promise<KeyEntry[]>>();

function configuredKeys(env: Partial<Env>): Promise<KeyEntry[]> {
  const id = [env.PUBLISH_KEYS, env.SECRET_KEYS, env.MANAGEMENT_KEYS, env.ALLOW_DEV_KEYS].join('\u0000');
  let entries = cache.get(id);
  if (entries === undefined) {
    const pairs: Array<[Role, string]> = [
      ...split(env.PUBLISH_KEYS).map((k): [Role, string] => ['publish', k]),
      ...split(env.SECRET_KEYS).map((k): [Role, string] => ['secret', k]),
      ...split(env.MANAGEMENT_KEYS).map((k): [Role, string] => ['management', k]),
    ];
    if (env.ALLOW_DEV_KEYS === 'true') {
      for (const role of Object.keys(DEV_KEYS) as Role[]) pairs.push([role, DEV_KEYS[role]]);
    }
    entries = Promise.all(pairs.map(async ([role, key]) => ({ role, digest: await digest(key) })));
    cache.set(id, entries);
  }
  return entries;
}

export type KeyCheck = { ok: true; role: Role; keyId: string } | { ok: false; reason: 'missing' | 'unknown' | 'not_configured' };

/**
 * Looks a presented key up among the configured ones. Every configured key is
 * compared (SHA-256 digests, `timingSafeEqual`), so timing says nothing about
 * which key, or how much of it, matched.
 */
export async function checkKey(env: Partial<Env>, presented: string | null | undefined): Promise<KeyCheck> {
  const keys = await configuredKeys(env);
  if (keys.length === 0) return { ok: false, reason: 'not_configured' };
  if (!presented) return { ok: false, reason: 'missing' };
  const presentedDigest = await digest(presented);
  let found: Role | null = null;
  for (const entry of keys) {
    if (crypto.subtle.timingSafeEqual(entry.digest, presentedDigest) && found === null) found = entry.role;
  }
  if (found === null || !presented.startsWith(PREFIX[found])) return { ok: false, reason: 'unknown' };
  const keyId = [...new Uint8Array(presentedDigest).slice(0, 8)].map((b) => b.toString(16).padStart(2, '0')).join('');
  return { ok: true, role: found, keyId };
}

/** Secret and management keys: the keys that may sign tokens. */
export function signingSecrets(env: Partial<Env>): string[] {
  const secrets = [...split(env.SECRET_KEYS), ...split(env.MANAGEMENT_KEYS)];
  if (env.ALLOW_DEV_KEYS === 'true') secrets.push(DEV_KEYS.secret, DEV_KEYS.management);
  return secrets;
}

/** The key from `Authorization: Bearer <key>`, or null. */
export function bearer(header: string | null | undefined): string | null {
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1]! : null;
}
