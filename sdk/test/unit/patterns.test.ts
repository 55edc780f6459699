import { describe, expect, it } from 'vitest';
import {
  type Capability,
  claimsProblem,
  MAX_CAPABILITY_PATTERN_LENGTH,
  MAX_CAPABILITY_PATTERNS,
  patternMatches,
  signToken,
  verifyToken,
} from '../../src/protocol/index.js';

describe('patternMatches', () => {
  it('matches `*` as any run of characters and everything else literally', () => {
    const cases: Array<[string, string, boolean]> = [
      ['chat:room-1', 'chat:room-1', true],
      ['chat:room-1', 'chat:room-12', false],
      ['chat:room-*', 'chat:room-12', true],
      ['chat:room-*', 'chat:room-', true],
      ['chat:room-*', 'chat:roo', false],
      ['*', 'anything', true],
      ['*', '', true],
      ['**', 'x', true],
      ['*-admin', 'ops-admin', true],
      ['*-admin', 'ops-admins', false],
      ['a*b*c', 'abc', true],
      ['a*b*c', 'aXbYc', true],
      ['a*b*c', 'aXbYcZ', false],
      ['a*b*c', 'acb', false],
      ['*a*a*b', 'aaab', true],
      ['*a*a*b', 'aab', true],
      ['*a*a*b', 'ab', false],
      ['user.*.feed', 'user.42.feed', true],
      ['user.*.feed', 'userX42Xfeed', false], // '.' is literal, not "any character"
      ['a*a', 'a', false],
      ['*ab', 'aab', true],
      ['*aab*', 'aaab', true],
    ];
    for (const [pattern, channel, expected] of cases)
      expect([pattern, channel, patternMatches(pattern, channel)]).toEqual([pattern, channel, expected]);
  });

  it('takes microseconds on patterns that make a RegExp backtrack (no RegExp built from a pattern)', () => {
    const channel = 'a'.repeat(255);
    const patterns = ['*a*a*a*a*a*b', `${'*a'.repeat(63)}*b`, `${'*'.repeat(127)}b`];
    const started = performance.now();
    for (const pattern of patterns) expect(patternMatches(pattern, channel)).toBe(false);
    // The RegExp version took 5.6 s for the first pattern on a 40-character channel, and minutes for seven stars.
    expect(performance.now() - started).toBeLessThan(200);
  });
});

describe('capability caps', () => {
  const base = { sub: 'u1', iat: 1_000, exp: 2_000 };

  it(`refuses more than ${MAX_CAPABILITY_PATTERNS} patterns and patterns over ${MAX_CAPABILITY_PATTERN_LENGTH} characters`, async () => {
    const many: Record<string, Capability[]> = Object.fromEntries(
      Array.from({ length: MAX_CAPABILITY_PATTERNS + 1 }, (_, i) => [`c${i}`, ['subscribe' as const]]),
    );
    expect(claimsProblem({ ...base, cap: many })).toMatch(/at most 32 capability patterns/);
    const enough = Object.fromEntries(Array.from({ length: MAX_CAPABILITY_PATTERNS }, (_, i) => [`c${i}`, ['subscribe']]));
    expect(claimsProblem({ ...base, cap: enough })).toBeNull();

    expect(claimsProblem({ ...base, cap: { [`${'*a'.repeat(64)}b`]: ['subscribe'] } })).toMatch(/at most 128 characters/);
    expect(claimsProblem({ ...base, cap: { ['a'.repeat(MAX_CAPABILITY_PATTERN_LENGTH)]: ['subscribe'] } })).toBeNull();
    await expect(signToken({ ...base, cap: many }, 'sec_x')).rejects.toThrow(/capability patterns/);
  });

  it('verifyToken answers TOKEN_MALFORMED for a signed token over the caps', async () => {
    // Sign by hand (signToken refuses it), as a hostile or buggy minting server would.
    const enc = (v: unknown) => btoa(JSON.stringify(v)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    const secret = 'sec_x';
    const body = `${enc({ alg: 'HS256', typ: 'JWT' })}.${enc({ ...base, cap: { ['*'.repeat(200)]: ['subscribe'] } })}`;
    const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(body)));
    const sig = btoa(String.fromCharCode(...mac))
      .replace(/\+/g, '-')
      .replace(/\//g, '_')
      .replace(/=+$/, '');
    const check = await verifyToken(`${body}.${sig}`, [secret], 1_500);
    expect(check).toMatchObject({ ok: false, code: 'TOKEN_MALFORMED' });
  });
});
